/*
 * check_gkseal.c - GK material sealed at rest under the KEK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "gkseal.h"

static const uint8_t	kek[GKEY_KEK_LEN] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
static const uint8_t	gk[16] = "0123456789abcdef";

#define APP	7u
#define EPOCH	3u

static size_t
seal(uint8_t *blob, size_t size)
{
	size_t	len;

	ck_assert_int_eq(gkey_gk_seal(kek, APP, EPOCH, gk, sizeof(gk), blob,
	    size, &len), 0);
	return len;
}

START_TEST(test_round_trip)
{
	uint8_t	blob[GKEY_GKSEAL_MAX_LEN], out[GKEY_GKSEAL_GK_MAX];
	size_t	len = seal(blob, sizeof(blob)), out_len;

	ck_assert_uint_eq(len, sizeof(gk) + GKEY_GKSEAL_OVERHEAD);
	ck_assert_uint_eq(blob[0], GKEY_GKSEAL_VERSION);
	ck_assert_int_eq(gkey_gk_open(kek, APP, EPOCH, blob, len, out,
	    sizeof(out), &out_len), 0);
	ck_assert_uint_eq(out_len, sizeof(gk));
	ck_assert_mem_eq(out, gk, sizeof(gk));
}
END_TEST

START_TEST(test_round_trip_32_octet_gk)
{
	uint8_t	key[32], blob[GKEY_GKSEAL_MAX_LEN], out[32];
	size_t	len, out_len;

	ck_assert_int_eq(gkey_gk_generate(key, sizeof(key)), 0);
	ck_assert_int_eq(gkey_gk_seal(kek, APP, EPOCH, key, sizeof(key), blob,
	    sizeof(blob), &len), 0);
	ck_assert_uint_eq(len, 32 + GKEY_GKSEAL_OVERHEAD);
	ck_assert_int_eq(gkey_gk_open(kek, APP, EPOCH, blob, len, out,
	    sizeof(out), &out_len), 0);
	ck_assert_mem_eq(out, key, sizeof(key));
}
END_TEST

START_TEST(test_two_seals_use_different_nonces)
{
	uint8_t	a[GKEY_GKSEAL_MAX_LEN], b[GKEY_GKSEAL_MAX_LEN];
	size_t	len = seal(a, sizeof(a));

	seal(b, sizeof(b));
	ck_assert_mem_ne(a + 1, b + 1, GKEY_GKSEAL_NONCE_LEN);
	ck_assert_mem_ne(a, b, len);
}
END_TEST

START_TEST(test_wrong_kek_fails)
{
	uint8_t	blob[GKEY_GKSEAL_MAX_LEN], out[32], other[GKEY_KEK_LEN];
	size_t	len = seal(blob, sizeof(blob)), out_len = 99;

	memcpy(other, kek, sizeof(other));
	other[31] ^= 1;
	ck_assert_int_eq(gkey_gk_open(other, APP, EPOCH, blob, len, out,
	    sizeof(out), &out_len), -1);
	ck_assert_uint_eq(out_len, 0);
}
END_TEST

START_TEST(test_wrong_app_id_fails)
{
	uint8_t	blob[GKEY_GKSEAL_MAX_LEN], out[32];
	size_t	len = seal(blob, sizeof(blob)), out_len;

	ck_assert_int_eq(gkey_gk_open(kek, APP + 1, EPOCH, blob, len, out,
	    sizeof(out), &out_len), -1);
}
END_TEST

START_TEST(test_wrong_epoch_fails)
{
	uint8_t	blob[GKEY_GKSEAL_MAX_LEN], out[32];
	size_t	len = seal(blob, sizeof(blob)), out_len;

	ck_assert_int_eq(gkey_gk_open(kek, APP, EPOCH + 1, blob, len, out,
	    sizeof(out), &out_len), -1);
	/* The two AAD fields are not interchangeable. */
	ck_assert_int_eq(gkey_gk_open(kek, EPOCH, APP, blob, len, out,
	    sizeof(out), &out_len), -1);
}
END_TEST

START_TEST(test_every_flipped_bit_fails)
{
	uint8_t	blob[GKEY_GKSEAL_MAX_LEN], copy[GKEY_GKSEAL_MAX_LEN], out[32];
	size_t	len = seal(blob, sizeof(blob)), out_len, bit, i;

	for (bit = 0; bit < 8 * len; bit++) {
		memcpy(copy, blob, len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		memset(out, 0, sizeof(out));
		ck_assert_int_eq(gkey_gk_open(kek, APP, EPOCH, copy, len, out,
		    sizeof(out), &out_len), -1);
		for (i = 0; i < sizeof(out); i++)
			ck_assert_uint_eq(out[i], 0);
	}
}
END_TEST

START_TEST(test_truncated_or_extended_blob_fails)
{
	uint8_t	blob[GKEY_GKSEAL_MAX_LEN + 1], out[32];
	size_t	len = seal(blob, sizeof(blob)), out_len, l;

	for (l = 0; l < len; l++)
		ck_assert_int_eq(gkey_gk_open(kek, APP, EPOCH, blob, l, out,
		    sizeof(out), &out_len), -1);
	blob[len] = 0;
	ck_assert_int_eq(gkey_gk_open(kek, APP, EPOCH, blob, len + 1, out,
	    sizeof(out), &out_len), -1);
}
END_TEST

START_TEST(test_unknown_version_fails)
{
	uint8_t	blob[GKEY_GKSEAL_MAX_LEN], out[32];
	size_t	len = seal(blob, sizeof(blob)), out_len;

	blob[0] = 2;
	ck_assert_int_eq(gkey_gk_open(kek, APP, EPOCH, blob, len, out,
	    sizeof(out), &out_len), -1);
}
END_TEST

START_TEST(test_short_buffers_are_refused)
{
	uint8_t	blob[GKEY_GKSEAL_MAX_LEN], out[32];
	size_t	len, out_len;

	ck_assert_int_eq(gkey_gk_seal(kek, APP, EPOCH, gk, sizeof(gk), blob,
	    sizeof(gk) + GKEY_GKSEAL_OVERHEAD - 1, &len), -1);
	len = seal(blob, sizeof(blob));
	ck_assert_int_eq(gkey_gk_open(kek, APP, EPOCH, blob, len, out,
	    sizeof(gk) - 1, &out_len), -1);
}
END_TEST

START_TEST(test_bad_gk_lengths_are_refused)
{
	uint8_t	big[GKEY_GKSEAL_GK_MAX + 1] = { 0 };
	uint8_t	blob[GKEY_GKSEAL_MAX_LEN + 8];
	size_t	len;

	ck_assert_int_eq(gkey_gk_seal(kek, APP, EPOCH, big, 0, blob,
	    sizeof(blob), &len), -1);
	ck_assert_int_eq(gkey_gk_seal(kek, APP, EPOCH, big, sizeof(big), blob,
	    sizeof(blob), &len), -1);
	ck_assert_int_eq(gkey_gk_generate(big, 0), -1);
	ck_assert_int_eq(gkey_gk_generate(big, sizeof(big)), -1);
}
END_TEST

START_TEST(test_generate_gives_fresh_keys)
{
	uint8_t	a[16], b[16];

	ck_assert_int_eq(gkey_gk_generate(a, sizeof(a)), 0);
	ck_assert_int_eq(gkey_gk_generate(b, sizeof(b)), 0);
	ck_assert_mem_ne(a, b, sizeof(a));
}
END_TEST

/* HMAC-SHA256(kek, "gkey kek check v1"), computed with openssl dgst -mac HMAC. */
START_TEST(test_kek_check_value)
{
	static const char	want[] =
	    "8f8246c3a52812e0f8ff8f5fc05a6f9b185bd3409065339429b1734bd6164bbe";
	uint8_t			out[GKEY_KEK_CHECK_LEN], other_kek[GKEY_KEK_LEN];
	uint8_t			other[GKEY_KEK_CHECK_LEN];
	char			hex[2 * GKEY_KEK_CHECK_LEN + 1];
	size_t			i;

	ck_assert_int_eq(gkey_kek_check(kek, out), 0);
	for (i = 0; i < sizeof(out); i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	ck_assert_str_eq(hex, want);
	ck_assert_int_ne(memcmp(out, kek, sizeof(out)), 0);

	memcpy(other_kek, kek, sizeof(other_kek));
	other_kek[31] ^= 1;
	ck_assert_int_eq(gkey_kek_check(other_kek, other), 0);
	ck_assert_int_ne(memcmp(out, other, sizeof(out)), 0);
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("gkseal");
	TCase	*tc = tcase_create("gkseal");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip_32_octet_gk);
	tcase_add_test(tc, test_two_seals_use_different_nonces);
	tcase_add_test(tc, test_wrong_kek_fails);
	tcase_add_test(tc, test_wrong_app_id_fails);
	tcase_add_test(tc, test_wrong_epoch_fails);
	tcase_add_test(tc, test_every_flipped_bit_fails);
	tcase_add_test(tc, test_truncated_or_extended_blob_fails);
	tcase_add_test(tc, test_unknown_version_fails);
	tcase_add_test(tc, test_short_buffers_are_refused);
	tcase_add_test(tc, test_bad_gk_lengths_are_refused);
	tcase_add_test(tc, test_generate_gives_fresh_keys);
	tcase_add_test(tc, test_kek_check_value);
	suite_add_tcase(s, tc);
	return s;
}
