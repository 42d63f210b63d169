/*
 * check_utf8.c - the strict UTF-8 decoder, the text rule and the escaping
 * of RADIUS text for the issuance log.
 */
#include <string.h>

#include "check_main.h"
#include "utf8.h"

#define S(lit)	(const uint8_t *)(lit), sizeof(lit) - 1

static const char *
esc(const uint8_t *s, size_t len)
{
	static char	out[256];
	size_t		n;

	ck_assert_int_eq(gkey_text_escape(s, len, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, strlen(out));
	return out;
}

START_TEST(test_decode_lengths_and_code_points)
{
	uint32_t	cp;

	ck_assert_uint_eq(gkey_utf8_decode(S("A"), &cp), 1);
	ck_assert_uint_eq(cp, 0x41);
	ck_assert_uint_eq(gkey_utf8_decode(S("\xc3\xa9"), &cp), 2);
	ck_assert_uint_eq(cp, 0xe9);
	ck_assert_uint_eq(gkey_utf8_decode(S("\xe2\x82\xac"), &cp), 3);
	ck_assert_uint_eq(cp, 0x20ac);
	ck_assert_uint_eq(gkey_utf8_decode(S("\xf4\x8f\xbf\xbf"), &cp), 4);
	ck_assert_uint_eq(cp, 0x10ffff);
}
END_TEST

START_TEST(test_decode_refuses_malformed_sequences)
{
	uint32_t	cp;

	ck_assert_uint_eq(gkey_utf8_decode(S(""), &cp), 0);
	ck_assert_uint_eq(gkey_utf8_decode(S("\x80"), &cp), 0);	/* stray continuation */
	ck_assert_uint_eq(gkey_utf8_decode(S("\xff"), &cp), 0);
	ck_assert_uint_eq(gkey_utf8_decode(S("\xc3"), &cp), 0);	/* truncated */
	ck_assert_uint_eq(gkey_utf8_decode(S("\xc3\x41"), &cp), 0);
	ck_assert_uint_eq(gkey_utf8_decode(S("\xc0\x80"), &cp), 0);	/* overlong NUL */
	ck_assert_uint_eq(gkey_utf8_decode(S("\xe0\x80\xaf"), &cp), 0);	/* overlong / */
	ck_assert_uint_eq(gkey_utf8_decode(S("\xed\xa0\x80"), &cp), 0);	/* surrogate */
	ck_assert_uint_eq(gkey_utf8_decode(S("\xf4\x90\x80\x80"), &cp), 0);	/* > U+10FFFF */
}
END_TEST

START_TEST(test_text_refuses_controls_nul_and_bad_utf8)
{
	ck_assert_int_eq(gkey_utf8_text_valid(S("")), 1);
	ck_assert_int_eq(gkey_utf8_text_valid(S("ar-7 \xc3\xa9t\xc3\xa9")), 1);
	ck_assert_int_eq(gkey_utf8_text_valid(S("a\0b")), 0);
	ck_assert_int_eq(gkey_utf8_text_valid(S("a\nb")), 0);
	ck_assert_int_eq(gkey_utf8_text_valid(S("a\x7f")), 0);
	ck_assert_int_eq(gkey_utf8_text_valid(S("caf\xe9")), 0);	/* Latin-1 */
}
END_TEST

START_TEST(test_escape_keeps_text_and_escapes_the_rest)
{
	ck_assert_str_eq(esc(S("2001:db8::1")), "2001:db8::1");
	ck_assert_str_eq(esc(S("\xc3\xa9t\xc3\xa9")), "\xc3\xa9t\xc3\xa9");
	ck_assert_str_eq(esc(S("ar\xff\0x")), "ar\\xff\\x00x");
	ck_assert_str_eq(esc(S("a\\b")), "a\\x5cb");	/* unambiguous */
	ck_assert_str_eq(esc(S("\xc3")), "\\xc3");
	ck_assert_str_eq(esc(S("")), "");
}
END_TEST

START_TEST(test_escape_never_truncates)
{
	uint8_t	in[64];
	char	out[GKEY_TEXT_ESCAPED_SIZE(sizeof(in))];
	size_t	n;

	memset(in, 0xff, sizeof(in));
	ck_assert_int_eq(gkey_text_escape(in, sizeof(in), out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 4 * sizeof(in));
	/* One octet short: refused, not cut. */
	ck_assert_int_eq(gkey_text_escape(in, sizeof(in), out, sizeof(out) - 1, &n), -1);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(n, 0);
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("utf8");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_decode_lengths_and_code_points);
	tcase_add_test(tc, test_decode_refuses_malformed_sequences);
	tcase_add_test(tc, test_text_refuses_controls_nul_and_bad_utf8);
	tcase_add_test(tc, test_escape_keeps_text_and_escapes_the_rest);
	tcase_add_test(tc, test_escape_never_truncates);
	suite_add_tcase(s, tc);
	return s;
}
