/*
 * check_nd.c - unit tests for libnd: the RS/RA codec (nd_msg.c), the
 * signatures and the AR certificate check (nd_crypto.c) of doc/nd.md.
 *
 * One behaviour per test; the test names are the specification.  Every
 * refusal asserts its error code and the words of its reason.
 */
#include <check.h>

#include "check_main.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "nd_crypto.h"
#include "nd_msg.h"
#include "nd_testutil.h"

static uint8_t buf[2048];
static size_t len;
static struct nd_msg m;
static char err[ND_ERRLEN];

static const uint8_t src[16] = { 0xfe, 0x80, [15] = 0x01 };
static const uint8_t dst[16] = { 0xff, 0x02, [15] = 0x02 };
static const uint8_t other[16] = { 0xfe, 0x80, [15] = 0x09 };
static const uint8_t nonce6[6] = { 1, 2, 3, 4, 5, 6 };
static const uint8_t slla[6] = { 0x02, 0, 0, 0, 0, 0x01 };

/* ------------------------------------------------------------ helpers */

static const struct tcert CA = { "gkey Routers CA", 1,
	"critical,keyCertSign,cRLSign", NULL, -3600, 86400 };
static const struct tcert AR = { "ar-1", 0, "digitalSignature",
	"sendRouter", -3600, 86400 };

/* A fake certificate: the codec does not look inside. */
static const uint8_t fake_cert[20] = { 0x30, 0x12, 1, 2, 3 };

/* A signed RS: SLLA, Nonce, Timestamp, Certificate, apps, Signature. */
static void
build_signed_rs(EVP_PKEY *key, const uint8_t *cert, size_t cert_len,
    int n_apps)
{
	struct nd_builder b;
	int i;

	ck_assert_int_eq(nd_build_rs(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(nd_build_opt(&b, ND_OPT_SLLA, slla, sizeof(slla)), 0);
	ck_assert_int_eq(nd_build_nonce(&b, nonce6, sizeof(nonce6)), 0);
	ck_assert_int_eq(nd_build_timestamp(&b, nd_timestamp(1700000000, 0)),
	    0);
	ck_assert_int_eq(nd_build_gkey(&b, ND_GK_CERT, cert, cert_len), 0);
	for (i = 0; i < n_apps; i++)
		ck_assert_int_eq(nd_build_gkey(&b, ND_GK_APP,
		    (const uint8_t *)(i % 2 ? "lights" : "home-energy"),
		    i % 2 ? 6 : 11), 0);
	ck_assert_int_eq(nd_sign_finish(&b, key, src, dst, &len), 0);
}

/* An RS header followed by raw option octets (no signature). */
static void
raw_rs(const uint8_t *opts, size_t n)
{
	memset(buf, 0, ND_RS_HDR_LEN);
	buf[0] = ND_TYPE_RS;
	if (n > 0)
		memcpy(buf + ND_RS_HDR_LEN, opts, n);
	len = ND_RS_HDR_LEN + n;
}

static void
raw_ra(const uint8_t *opts, size_t n)
{
	memset(buf, 0, ND_RA_HDR_LEN);
	buf[0] = ND_TYPE_RA;
	buf[4] = 64;
	memcpy(buf + ND_RA_HDR_LEN, opts, n);
	len = ND_RA_HDR_LEN + n;
}

static void
expect(int code, const char *words)
{
	int rc = nd_msg_parse(buf, len, &m, err, sizeof(err));

	ck_assert_int_eq(rc, code);
	ck_assert_msg(strstr(err, words) != NULL, "reason \"%s\" lacks \"%s\"",
	    err, words);
}

static void
setup(void)
{
	memset(buf, 0xee, sizeof(buf));
	len = 0;
	memset(&m, 0, sizeof(m));
	err[0] = '\0';
}

/* ------------------------------------------------------------ codec */

START_TEST(signed_rs_parses_with_every_field)
{
	EVP_PKEY *k = t_p256();

	build_signed_rs(k, fake_cert, sizeof(fake_cert), 2);
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m.type, ND_TYPE_RS);
	ck_assert_int_eq(m.has_gkey, 1);
	ck_assert_uint_eq(m.slla_len, 6);
	ck_assert_mem_eq(m.slla, slla, 6);
	ck_assert_uint_eq(m.nonce_len, 6);
	ck_assert_mem_eq(m.nonce, nonce6, 6);
	ck_assert_int_eq(m.has_timestamp, 1);
	ck_assert_uint_eq(m.timestamp >> 16, 1700000000);
	ck_assert_uint_eq(m.cert_len, sizeof(fake_cert));
	ck_assert_mem_eq(m.cert, fake_cert, sizeof(fake_cert));
	ck_assert_uint_eq(m.n_apps, 2);
	ck_assert_ptr_nonnull(m.sig);
	ck_assert_uint_eq(m.sig_offset + ND_SIG_OPT_LEN, len);
	ck_assert_int_eq(nd_msg_require(&m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_verify(&m, k, src, dst, err, sizeof(err)), 0);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(requested_apps_are_walked_in_order)
{
	EVP_PKEY *k = t_p256();
	struct nd_opt_iter it;
	struct nd_opt o;
	int n = 0;

	build_signed_rs(k, fake_cert, sizeof(fake_cert), 2);
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	nd_opt_iter_init(&it, &m);
	while (nd_opt_next(&it, &o))
		if (o.type == ND_OPT_GKEY && o.subtype == ND_GK_APP) {
			ck_assert_uint_eq(o.len, n == 0 ? 11 : 6);
			ck_assert_mem_eq(o.data, n == 0 ? "home-energy" :
			    "lights", o.len);
			n++;
		}
	ck_assert_int_eq(n, 2);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(ra_with_records_refresh_and_part_parses)
{
	static const struct nd_ra_hdr h = { 64, 0x40, 1800, 30000, 1000 };
	static const uint8_t rec[152] = { 1, 2, 3 };
	uint8_t mtu[6] = { 0, 0, 0, 0, 0x05, 0xdc };
	struct nd_builder b;
	EVP_PKEY *k = t_p256();

	ck_assert_int_eq(nd_build_ra(&b, buf, sizeof(buf), &h), 0);
	ck_assert_int_eq(nd_build_opt(&b, ND_OPT_MTU, mtu, sizeof(mtu)), 0);
	ck_assert_int_eq(nd_build_nonce(&b, nonce6, 6), 0);
	ck_assert_int_eq(nd_build_timestamp(&b, nd_timestamp(5, 0)), 0);
	ck_assert_int_eq(nd_build_gkey(&b, ND_GK_CERT, fake_cert, 20), 0);
	ck_assert_int_eq(nd_build_part(&b, 2, 3), 0);
	ck_assert_int_eq(nd_build_gkey(&b, ND_GK_RECORD, rec, sizeof(rec)), 0);
	ck_assert_int_eq(nd_build_gkey(&b, ND_GK_RECORD, rec, sizeof(rec)), 0);
	ck_assert_int_eq(nd_build_refresh(&b, 3600), 0);
	ck_assert_int_eq(nd_sign_finish(&b, k, src, other, &len), 0);
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m.type, ND_TYPE_RA);
	ck_assert_uint_eq(m.cur_hop_limit, 64);
	ck_assert_uint_eq(m.ra_flags, 0x40);
	ck_assert_uint_eq(m.router_lifetime, 1800);
	ck_assert_uint_eq(m.reachable_time, 30000);
	ck_assert_uint_eq(m.retrans_timer, 1000);
	ck_assert_uint_eq(m.n_records, 2);
	ck_assert_uint_eq(m.refresh, 3600);
	ck_assert_uint_eq(m.part_index, 2);
	ck_assert_uint_eq(m.part_count, 3);
	ck_assert_int_eq(nd_msg_require(&m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_verify(&m, k, src, other, err, sizeof(err)),
	    0);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(status_ra_carries_code_and_reason)
{
	struct nd_builder b;
	static const struct nd_ra_hdr h = { 64, 0, 1800, 0, 0 };
	EVP_PKEY *k = t_p256();

	ck_assert_int_eq(nd_build_ra(&b, buf, sizeof(buf), &h), 0);
	ck_assert_int_eq(nd_build_nonce(&b, nonce6, 6), 0);
	ck_assert_int_eq(nd_build_timestamp(&b, 1), 0);
	ck_assert_int_eq(nd_build_gkey(&b, ND_GK_CERT, fake_cert, 20), 0);
	ck_assert_int_eq(nd_build_part(&b, 1, 1), 0);
	ck_assert_int_eq(nd_build_status(&b, ND_STATUS_REFUSED,
	    "unknown certificate"), 0);
	ck_assert_int_eq(nd_sign_finish(&b, k, src, dst, &len), 0);
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m.has_status, 1);
	ck_assert_uint_eq(m.status, ND_STATUS_REFUSED);
	ck_assert_uint_eq(m.reason_len, 19);
	ck_assert_mem_eq(m.reason, "unknown certificate", 19);
	ck_assert_int_eq(nd_msg_require(&m, err, sizeof(err)), 0);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(plain_rs_has_no_gkey_option)
{
	static const uint8_t o[] = { ND_OPT_SLLA, 1, 2, 0, 0, 0, 0, 1 };

	raw_rs(o, sizeof(o));
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m.has_gkey, 0);
	ck_assert_uint_eq(m.slla_len, 6);
}
END_TEST

START_TEST(message_shorter_than_header_is_dropped)
{
	static const uint8_t ra[10] = { ND_TYPE_RA, 0 };

	memcpy(buf, ra, sizeof(ra));
	len = sizeof(ra);
	expect(ND_E_SHORT, "shorter than the 16-octet header");
}
END_TEST

START_TEST(other_icmpv6_type_is_dropped)
{
	raw_rs(NULL, 0);
	buf[0] = 135;
	expect(ND_E_TYPE, "ICMPv6 type 135");
}
END_TEST

START_TEST(nonzero_code_is_dropped)
{
	raw_rs(NULL, 0);
	buf[1] = 1;
	expect(ND_E_TYPE, "code 1");
}
END_TEST

START_TEST(option_length_zero_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_SLLA, 0, 2, 0, 0, 0, 0, 1 };

	raw_rs(o, sizeof(o));
	expect(ND_E_OPT_LEN0, "option type 1 at offset 8: Length 0");
}
END_TEST

START_TEST(option_overrunning_message_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_SLLA, 2, 2, 0, 0, 0, 0, 1 };

	raw_rs(o, sizeof(o));
	expect(ND_E_OPT_OVERRUN, "16 octets, 8 left");
}
END_TEST

START_TEST(truncated_option_header_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_SLLA };

	raw_rs(o, sizeof(o));
	expect(ND_E_OPT_OVERRUN, "1 octet left, need 2");
}
END_TEST

START_TEST(gkey_data_length_beyond_option_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_CERT, 0, 0, 3,
		0x30, 0x01 };

	raw_rs(o, sizeof(o));
	expect(ND_E_DATA_LEN, "gkey Certificate at offset 8: data length 3");
}
END_TEST

START_TEST(nonzero_padding_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_CERT, 0, 0, 1,
		0x30, 0x07 };

	raw_rs(o, sizeof(o));
	expect(ND_E_PADDING, "padding octet 0 is 0x07");
}
END_TEST

START_TEST(nonminimal_padding_is_dropped)
{
	static const uint8_t o[16] = { ND_OPT_GKEY, 2, ND_GK_CERT, 0, 0, 1,
		0x30 };

	raw_rs(o, sizeof(o));
	expect(ND_E_PADDING, "9 octets of padding");
}
END_TEST

START_TEST(reserved_octet_is_ignored)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_CERT, 0xff, 0, 2,
		0x30, 0x00 };

	raw_rs(o, sizeof(o));
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.cert_len, 2);
}
END_TEST

START_TEST(refresh_of_wrong_size_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 2, ND_GK_REFRESH, 0, 0, 8,
		0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };

	raw_ra(o, sizeof(o));
	expect(ND_E_SIZE, "gkey Refresh at offset 16: 8 octets of data, not 4");
}
END_TEST

START_TEST(refresh_zero_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 2, ND_GK_REFRESH, 0, 0, 4,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	raw_ra(o, sizeof(o));
	expect(ND_E_VALUE, "gkey Refresh at offset 16: 0 seconds");
}
END_TEST

START_TEST(part_of_wrong_size_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 2, ND_GK_PART, 0, 0, 4,
		0, 1, 0, 1, 0, 0, 0, 0, 0, 0 };

	raw_ra(o, sizeof(o));
	expect(ND_E_SIZE, "gkey Part at offset 16: 4 octets of data, not 2");
}
END_TEST

START_TEST(signature_of_wrong_size_is_dropped)
{
	uint8_t o[72] = { ND_OPT_GKEY, 9, ND_GK_SIGNATURE, 0, 0, 63 };

	o[6] = 1;
	raw_rs(o, sizeof(o));
	expect(ND_E_SIZE, "gkey Signature at offset 8: 63 octets of data, "
	    "not 64");
}
END_TEST

START_TEST(timestamp_of_wrong_size_is_dropped)
{
	static const uint8_t o[24] = { ND_OPT_TIMESTAMP, 3 };

	raw_rs(o, sizeof(o));
	expect(ND_E_SIZE, "Timestamp at offset 8: 24 octets, not 16");
}
END_TEST

START_TEST(part_index_zero_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_PART, 0, 0, 2,
		0, 1 };

	raw_ra(o, sizeof(o));
	expect(ND_E_PART, "index 0 of count 1");
}
END_TEST

START_TEST(part_count_zero_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_PART, 0, 0, 2,
		1, 0 };

	raw_ra(o, sizeof(o));
	expect(ND_E_PART, "index 1 of count 0");
}
END_TEST

START_TEST(part_index_above_count_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_PART, 0, 0, 2,
		3, 2 };

	raw_ra(o, sizeof(o));
	expect(ND_E_PART, "index 3 of count 2");
}
END_TEST

START_TEST(empty_certificate_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_CERT, 0, 0, 0,
		0, 0 };

	raw_rs(o, sizeof(o));
	expect(ND_E_EMPTY, "gkey Certificate at offset 8: empty");
}
END_TEST

START_TEST(empty_key_record_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_RECORD, 0, 0, 0,
		0, 0 };

	raw_ra(o, sizeof(o));
	expect(ND_E_EMPTY, "gkey Key Record at offset 16: empty");
}
END_TEST

START_TEST(app_name_not_utf8_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_APP, 0, 0, 2,
		0xc0, 0xaf };

	raw_rs(o, sizeof(o));
	expect(ND_E_UTF8, "gkey Requested Application at offset 8: text is "
	    "not UTF-8");
}
END_TEST

START_TEST(app_name_longer_than_64_is_dropped)
{
	uint8_t o[72] = { ND_OPT_GKEY, 9, ND_GK_APP, 0, 0, 65 };

	memset(o + 6, 'a', 65);
	raw_rs(o, sizeof(o));
	expect(ND_E_SIZE, "65 octets, need 1..64");
}
END_TEST

START_TEST(empty_app_name_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_APP, 0, 0, 0,
		0, 0 };

	raw_rs(o, sizeof(o));
	expect(ND_E_SIZE, "0 octets, need 1..64");
}
END_TEST

START_TEST(more_than_32_apps_is_dropped)
{
	static uint8_t o[33 * 8];
	int i;

	for (i = 0; i < 33; i++) {
		uint8_t *p = o + i * 8;

		p[0] = ND_OPT_GKEY; p[1] = 1; p[2] = ND_GK_APP;
		p[5] = 1; p[6] = 'a';
	}
	raw_rs(o, sizeof(o));
	expect(ND_E_TOO_MANY, "more than 32");
}
END_TEST

START_TEST(status_reason_not_utf8_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_STATUS, 0, 0, 2,
		1, 0xff };

	raw_ra(o, sizeof(o));
	expect(ND_E_UTF8, "gkey Status at offset 16: text is not UTF-8");
}
END_TEST

START_TEST(status_code_zero_is_dropped)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_STATUS, 0, 0, 1,
		0, 0 };

	raw_ra(o, sizeof(o));
	expect(ND_E_VALUE, "code 0");
}
END_TEST

START_TEST(status_with_records_is_dropped)
{
	static const uint8_t o[] = {
		ND_OPT_GKEY, 1, ND_GK_STATUS, 0, 0, 1, 1, 0,
		ND_OPT_GKEY, 1, ND_GK_RECORD, 0, 0, 1, 9, 0 };

	raw_ra(o, sizeof(o));
	expect(ND_E_CONFLICT, "Status 1 with 1 Key Records");
}
END_TEST

START_TEST(option_after_signature_is_dropped)
{
	EVP_PKEY *k = t_p256();
	static const uint8_t o[] = { ND_OPT_SLLA, 1, 2, 0, 0, 0, 0, 1 };

	build_signed_rs(k, fake_cert, sizeof(fake_cert), 0);
	memcpy(buf + len, o, sizeof(o));
	len += sizeof(o);
	expect(ND_E_SIG_NOT_LAST, "follows the Signature");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(certificate_twice_is_dropped)
{
	static const uint8_t o[] = {
		ND_OPT_GKEY, 1, ND_GK_CERT, 0, 0, 1, 0x30, 0,
		ND_OPT_GKEY, 1, ND_GK_CERT, 0, 0, 1, 0x30, 0 };

	raw_rs(o, sizeof(o));
	expect(ND_E_DUP, "gkey Certificate at offset 16: appears twice");
}
END_TEST

START_TEST(nonce_twice_is_dropped)
{
	static const uint8_t o[] = {
		ND_OPT_NONCE, 1, 1, 2, 3, 4, 5, 6,
		ND_OPT_NONCE, 1, 1, 2, 3, 4, 5, 6 };

	raw_rs(o, sizeof(o));
	expect(ND_E_DUP, "Nonce at offset 16: appears twice");
}
END_TEST

START_TEST(timestamp_twice_is_dropped)
{
	static const uint8_t o[32] = { ND_OPT_TIMESTAMP, 2, [16] =
		ND_OPT_TIMESTAMP, 2 };

	raw_rs(o, sizeof(o));
	expect(ND_E_DUP, "Timestamp at offset 24: appears twice");
}
END_TEST

START_TEST(refresh_twice_in_ra_is_dropped)
{
	static const uint8_t o[] = {
		ND_OPT_GKEY, 2, ND_GK_REFRESH, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0,
		0, 0,
		ND_OPT_GKEY, 2, ND_GK_REFRESH, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0,
		0, 0 };

	raw_ra(o, sizeof(o));
	expect(ND_E_DUP, "gkey Refresh at offset 32: appears twice");
}
END_TEST

START_TEST(status_twice_in_ra_is_dropped)
{
	static const uint8_t o[] = {
		ND_OPT_GKEY, 1, ND_GK_STATUS, 0, 0, 1, 2, 0,
		ND_OPT_GKEY, 1, ND_GK_STATUS, 0, 0, 1, 2, 0 };

	raw_ra(o, sizeof(o));
	expect(ND_E_DUP, "gkey Status at offset 24: appears twice");
}
END_TEST

START_TEST(part_twice_in_ra_is_dropped)
{
	static const uint8_t o[] = {
		ND_OPT_GKEY, 1, ND_GK_PART, 0, 0, 2, 1, 2,
		ND_OPT_GKEY, 1, ND_GK_PART, 0, 0, 2, 2, 2 };

	raw_ra(o, sizeof(o));
	expect(ND_E_DUP, "gkey Part at offset 24: appears twice");
}
END_TEST

START_TEST(ra_subtypes_in_rs_are_ignored)
{
	/* A Key Record twice and a bad Part: not RS sub-types, skipped. */
	static const uint8_t o[] = {
		ND_OPT_GKEY, 1, ND_GK_RECORD, 0, 0, 0, 0, 0,
		ND_OPT_GKEY, 1, ND_GK_RECORD, 0, 0, 0, 0, 0,
		ND_OPT_GKEY, 1, ND_GK_PART, 0, 0, 2, 0, 0 };

	raw_rs(o, sizeof(o));
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m.has_gkey, 1);
	ck_assert_int_eq(m.has_part, 0);
}
END_TEST

START_TEST(unknown_subtype_is_ignored)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, 99, 0, 0, 2, 7, 7 };

	raw_ra(o, sizeof(o));
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
}
END_TEST

START_TEST(nonce_of_length_1_carries_6_octets)
{
	/* Length 1 gives exactly 6: a Nonce cannot be shorter on the wire. */
	static const uint8_t o[] = { ND_OPT_NONCE, 1, 1, 2, 3, 4, 5, 6 };

	raw_rs(o, sizeof(o));
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.nonce_len, 6);
}
END_TEST

START_TEST(rs_without_nonce_is_incomplete)
{
	static const uint8_t o[] = { ND_OPT_GKEY, 1, ND_GK_CERT, 0, 0, 1,
		0x30, 0 };

	raw_rs(o, sizeof(o));
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_require(&m, err, sizeof(err)), ND_E_MISSING);
	ck_assert_str_eq(err, "no Nonce");
}
END_TEST

START_TEST(rs_without_signature_is_incomplete)
{
	static const uint8_t o[] = {
		ND_OPT_NONCE, 1, 1, 2, 3, 4, 5, 6,
		ND_OPT_TIMESTAMP, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		ND_OPT_GKEY, 1, ND_GK_CERT, 0, 0, 1, 0x30, 0 };

	raw_rs(o, sizeof(o));
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_require(&m, err, sizeof(err)), ND_E_MISSING);
	ck_assert_str_eq(err, "no gkey Signature");
}
END_TEST

START_TEST(status_outside_part_1_of_1_is_refused)
{
	static const uint8_t o[] = {
		ND_OPT_TIMESTAMP, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		ND_OPT_GKEY, 1, ND_GK_CERT, 0, 0, 1, 0x30, 0,
		ND_OPT_GKEY, 1, ND_GK_PART, 0, 0, 2, 1, 2,
		ND_OPT_GKEY, 1, ND_GK_STATUS, 0, 0, 1, 2, 0 };
	uint8_t sig[72] = { ND_OPT_GKEY, 9, ND_GK_SIGNATURE, 0, 0, 64 };

	raw_ra(o, sizeof(o));
	memcpy(buf + len, sig, sizeof(sig));
	len += sizeof(sig);
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_require(&m, err, sizeof(err)), ND_E_CONFLICT);
	ck_assert_str_eq(err, "Status in Part 1 of 2, not 1 of 1");
}
END_TEST

START_TEST(utf8_validator_refuses_overlong_surrogate_and_truncated)
{
	static const uint8_t ok[] = { 'h', 0xc3, 0xa9, 0xe2, 0x82, 0xac,
		0xf0, 0x9f, 0x94, 0x91 };
	static const uint8_t overlong[] = { 0xe0, 0x80, 0xaf };
	static const uint8_t surrogate[] = { 0xed, 0xa0, 0x80 };
	static const uint8_t truncated[] = { 'a', 0xe2, 0x82 };
	static const uint8_t nul[] = { 'a', 0, 'b' };
	static const uint8_t big[] = { 0xf4, 0x90, 0x80, 0x80 };

	ck_assert_int_eq(nd_utf8_valid(ok, sizeof(ok)), 1);
	ck_assert_int_eq(nd_utf8_valid(overlong, sizeof(overlong)), 0);
	ck_assert_int_eq(nd_utf8_valid(surrogate, sizeof(surrogate)), 0);
	ck_assert_int_eq(nd_utf8_valid(truncated, sizeof(truncated)), 0);
	ck_assert_int_eq(nd_utf8_valid(nul, sizeof(nul)), 0);
	ck_assert_int_eq(nd_utf8_valid(big, sizeof(big)), 0);
}
END_TEST

/* ------------------------------------------------------------ builder */

START_TEST(builder_refuses_past_its_buffer_and_stays_failed)
{
	struct nd_builder b;
	uint8_t small[24];

	ck_assert_int_eq(nd_build_rs(&b, small, sizeof(small)), 0);
	ck_assert_int_eq(nd_build_nonce(&b, nonce6, 6), 0);
	ck_assert_int_eq(nd_build_timestamp(&b, 1), ND_E_NOSPACE);
	ck_assert_int_eq(nd_build_nonce(&b, nonce6, 6), ND_E_NOSPACE);
	ck_assert_uint_eq(b.len, 16);
}
END_TEST

START_TEST(builder_never_exceeds_1240_octets)
{
	static uint8_t big[4096];
	static const uint8_t rec[200];
	struct nd_builder b;
	int i, rc = 0;

	ck_assert_int_eq(nd_build_rs(&b, big, sizeof(big)), 0);
	for (i = 0; i < 10 && rc == 0; i++)
		rc = nd_build_gkey(&b, ND_GK_RECORD, rec, sizeof(rec));
	ck_assert_int_eq(rc, ND_E_NOSPACE);
	ck_assert_uint_le(b.len, ND_MSG_MAX);
	ck_assert_uint_eq(nd_build_room(&b), 0);
}
END_TEST

START_TEST(builder_pads_gkey_option_to_8_octets)
{
	struct nd_builder b;

	ck_assert_int_eq(nd_build_rs(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(nd_build_gkey(&b, ND_GK_APP,
	    (const uint8_t *)"abc", 3), 0);
	ck_assert_uint_eq(b.len, 8 + 16);
	ck_assert_uint_eq(buf[9], 2);
	ck_assert_uint_eq(nd_gkey_opt_size(2), 8);
	ck_assert_uint_eq(nd_gkey_opt_size(3), 16);
	ck_assert_uint_eq(nd_gkey_opt_size(64), 72);
}
END_TEST

START_TEST(builder_cuts_long_reason_at_character_boundary)
{
	struct nd_builder b;
	char reason[300];
	size_t i;

	/* "ab" then two-octet characters: octet 255 is a continuation. */
	reason[0] = 'a';
	reason[1] = 'b';
	for (i = 2; i + 1 < 299; i += 2) {
		reason[i] = (char)0xc3;
		reason[i + 1] = (char)0xa9;
	}
	reason[298] = '\0';
	ck_assert_int_eq(nd_build_ra(&b, buf, sizeof(buf),
	    &(struct nd_ra_hdr){ 0 }), 0);
	ck_assert_int_eq(nd_build_status(&b, 1, reason), 0);
	len = b.len;
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.reason_len, 254);
}
END_TEST

START_TEST(builder_refuses_part_index_above_count)
{
	struct nd_builder b;

	ck_assert_int_eq(nd_build_ra(&b, buf, sizeof(buf),
	    &(struct nd_ra_hdr){ 0 }), 0);
	ck_assert_int_eq(nd_build_part(&b, 2, 1), ND_E_ARG);
}
END_TEST

START_TEST(timestamp_diff_rounds_up_to_seconds)
{
	uint64_t a = nd_timestamp(1000, 0);
	uint64_t b = nd_timestamp(1300, 500000000);

	ck_assert_uint_eq(nd_timestamp_diff(a, b), 301);
	ck_assert_uint_eq(nd_timestamp_diff(b, a), 301);
	ck_assert_uint_eq(nd_timestamp_diff(a, nd_timestamp(1300, 0)), 300);
	ck_assert_uint_eq(b & 0xffff, 0x8000);
}
END_TEST

/* ------------------------------------------------------------ signature */

START_TEST(signature_tag_is_sha256_of_label)
{
	uint8_t h[32];
	unsigned int n = 0;

	ck_assert_int_eq(EVP_Digest("gkey nd signature v1", 20, h, &n,
	    EVP_sha256(), NULL), 1);
	ck_assert_mem_eq(nd_sig_tag, h, ND_SIG_TAG_LEN);
}
END_TEST

START_TEST(signature_input_is_tag_addresses_and_message_without_checksum)
{
	static uint8_t in[2100];
	size_t n = 0;
	EVP_PKEY *k = t_p256();

	build_signed_rs(k, fake_cert, sizeof(fake_cert), 0);
	buf[2] = 0x12;
	buf[3] = 0x34;
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_sig_input(src, dst, buf, m.sig_offset, in,
	    sizeof(in), &n), 0);
	ck_assert_uint_eq(n, 48 + m.sig_offset);
	ck_assert_mem_eq(in, nd_sig_tag, 16);
	ck_assert_mem_eq(in + 16, src, 16);
	ck_assert_mem_eq(in + 32, dst, 16);
	ck_assert_uint_eq(in[48], ND_TYPE_RS);
	ck_assert_uint_eq(in[50], 0);
	ck_assert_uint_eq(in[51], 0);
	ck_assert_mem_eq(in + 52, buf + 4, m.sig_offset - 4);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(signature_ignores_the_checksum)
{
	EVP_PKEY *k = t_p256();

	build_signed_rs(k, fake_cert, sizeof(fake_cert), 1);
	buf[2] = 0xab;
	buf[3] = 0xcd;
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_verify(&m, k, src, dst, err, sizeof(err)), 0);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(signature_covers_the_source_address)
{
	EVP_PKEY *k = t_p256();

	build_signed_rs(k, fake_cert, sizeof(fake_cert), 1);
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_verify(&m, k, other, dst, err, sizeof(err)),
	    ND_E_BADSIG);
	ck_assert_str_eq(err, "signature does not verify");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(signature_covers_the_destination_address)
{
	EVP_PKEY *k = t_p256();

	build_signed_rs(k, fake_cert, sizeof(fake_cert), 1);
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_verify(&m, k, src, other, err, sizeof(err)),
	    ND_E_BADSIG);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(signature_covers_every_octet_before_it)
{
	EVP_PKEY *k = t_p256();
	size_t i;

	build_signed_rs(k, fake_cert, sizeof(fake_cert), 1);
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	for (i = 0; i < m.sig_offset; i++) {
		if (i == 2 || i == 3)
			continue;
		buf[i] ^= 0x01;
		ck_assert_int_eq(nd_msg_verify(&m, k, src, dst, err,
		    sizeof(err)), ND_E_BADSIG);
		buf[i] ^= 0x01;
	}
	ck_assert_int_eq(nd_msg_verify(&m, k, src, dst, err, sizeof(err)), 0);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(signature_by_another_key_does_not_verify)
{
	EVP_PKEY *k = t_p256(), *k2 = t_p256();

	build_signed_rs(k, fake_cert, sizeof(fake_cert), 0);
	ck_assert_int_eq(nd_msg_parse(buf, len, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_verify(&m, k2, src, dst, err, sizeof(err)),
	    ND_E_BADSIG);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
}
END_TEST

START_TEST(signing_with_a_p384_key_is_refused)
{
	EVP_PKEY *k = EVP_EC_gen("P-384");
	struct nd_builder b;

	ck_assert_int_eq(nd_build_rs(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(nd_sign_finish(&b, k, src, dst, &len), ND_E_KEY);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(raw_signature_round_trips_through_der)
{
	uint8_t raw[64], back[64], *der = NULL;
	size_t n = 0;

	memset(raw, 0, sizeof(raw));
	raw[31] = 7;		/* r = 7: left-padded on the way back */
	raw[32] = 0x80;		/* s with the top bit set */
	raw[63] = 1;
	ck_assert_int_eq(nd_sig_raw_to_der(raw, &der, &n), 0);
	ck_assert_int_eq(nd_sig_der_to_raw(der, n, back), 0);
	ck_assert_mem_eq(raw, back, 64);
	ck_assert_int_eq(nd_sig_der_to_raw(der, n - 1, back), ND_E_CRYPTO);
	OPENSSL_free(der);
}
END_TEST

/* ------------------------------------------------------------ certificates */

START_TEST(node_certificate_with_p256_key_gives_its_key)
{
	EVP_PKEY *k = t_p256(), *got;
	X509 *x = t_cert(k, &AR, NULL, NULL);
	uint8_t der[1024];
	size_t n = t_der(x, der, sizeof(der));
	int code = 1;

	got = nd_cert_p256_key(der, n, NULL, &code, err, sizeof(err));
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(EVP_PKEY_eq(got, k), 1);
	EVP_PKEY_free(got);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(node_certificate_with_p384_key_is_refused)
{
	EVP_PKEY *k = EVP_EC_gen("P-384");
	X509 *x = t_cert(k, &AR, NULL, NULL);
	uint8_t der[1024];
	size_t n = t_der(x, der, sizeof(der));
	int code = 0;

	ck_assert_ptr_null(nd_cert_p256_key(der, n, NULL, &code, err,
	    sizeof(err)));
	ck_assert_int_eq(code, ND_E_KEY);
	ck_assert_str_eq(err, "certificate key is not P-256");
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(certificate_with_trailing_octet_is_refused)
{
	EVP_PKEY *k = t_p256();
	X509 *x = t_cert(k, &AR, NULL, NULL);
	uint8_t der[1024];
	size_t n = t_der(x, der, sizeof(der) - 1);
	int code = 0;

	der[n++] = 0;
	ck_assert_ptr_null(nd_cert_p256_key(der, n, NULL, &code, err,
	    sizeof(err)));
	ck_assert_int_eq(code, ND_E_CERT);
	ck_assert_str_eq(err, "certificate is not one DER X.509 certificate");
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

/* The AR trust check against a CA anchor with one variation. */
static int
ar_check(const struct tcert *ars, const struct tcert *cas,
    int other_ca_key)
{
	EVP_PKEY *cak = t_p256(), *ark = t_p256(), *sk = t_p256();
	X509 *ca = t_cert(cak, cas, NULL, NULL), *ar;
	int rc;

	ar = t_cert(ark, ars, ca, other_ca_key ? sk : cak);
	rc = nd_ar_cert_check(ar, ca, time(NULL), err, sizeof(err));
	X509_free(ar);
	X509_free(ca);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(ark);
	EVP_PKEY_free(sk);
	return rc;
}

START_TEST(ar_certificate_issued_by_anchor_with_router_eku_is_trusted)
{
	ck_assert_int_eq(ar_check(&AR, &CA, 0), 0);
}
END_TEST

START_TEST(ar_certificate_without_router_eku_is_refused)
{
	struct tcert s = AR;

	s.eku = "clientAuth,serverAuth";
	ck_assert_int_eq(ar_check(&s, &CA, 0), ND_E_CERT);
	ck_assert_str_eq(err, "AR certificate lacks id-kp-sendRouter in "
	    "extendedKeyUsage");
}
END_TEST

START_TEST(ar_certificate_without_eku_is_refused)
{
	struct tcert s = AR;

	s.eku = NULL;
	ck_assert_int_eq(ar_check(&s, &CA, 0), ND_E_CERT);
	ck_assert_str_eq(err, "AR certificate lacks id-kp-sendRouter in "
	    "extendedKeyUsage");
}
END_TEST

START_TEST(ar_certificate_signed_by_other_key_is_refused)
{
	ck_assert_int_eq(ar_check(&AR, &CA, 1), ND_E_CERT);
	ck_assert_str_eq(err, "AR certificate signature does not verify "
	    "under the trust anchor key");
}
END_TEST

START_TEST(ar_certificate_of_other_issuer_is_refused)
{
	EVP_PKEY *cak = t_p256(), *ok = t_p256(), *ark = t_p256();
	struct tcert os = CA;
	X509 *ca = t_cert(cak, &CA, NULL, NULL), *oca, *ar;

	os.cn = "Other CA";
	oca = t_cert(ok, &os, NULL, NULL);
	ar = t_cert(ark, &AR, oca, ok);
	ck_assert_int_eq(nd_ar_cert_check(ar, ca, time(NULL), err,
	    sizeof(err)), ND_E_CERT);
	ck_assert_str_eq(err, "AR certificate is not issued by the trust "
	    "anchor (issuer name differs)");
	X509_free(ar);
	X509_free(oca);
	X509_free(ca);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(ok);
	EVP_PKEY_free(ark);
}
END_TEST

START_TEST(expired_ar_certificate_is_refused)
{
	struct tcert s = AR;

	s.from = -7200;
	s.to = -60;
	ck_assert_int_eq(ar_check(&s, &CA, 0), ND_E_CERT);
	ck_assert_str_eq(err, "AR certificate has expired");
}
END_TEST

START_TEST(future_ar_certificate_is_refused)
{
	struct tcert s = AR;

	s.from = 3600;
	ck_assert_int_eq(ar_check(&s, &CA, 0), ND_E_CERT);
	ck_assert_str_eq(err, "AR certificate is not yet valid");
}
END_TEST

START_TEST(ar_certificate_without_digital_signature_is_refused)
{
	struct tcert s = AR;

	s.ku = "keyAgreement";
	ck_assert_int_eq(ar_check(&s, &CA, 0), ND_E_CERT);
	ck_assert_str_eq(err, "AR certificate keyUsage lacks "
	    "digitalSignature");
}
END_TEST

START_TEST(anchor_that_is_not_a_ca_is_refused)
{
	struct tcert s = CA;

	s.ca = 0;
	s.ku = NULL;
	ck_assert_int_eq(ar_check(&AR, &s, 0), ND_E_CERT);
	ck_assert_str_eq(err, "trust anchor is not a CA (basicConstraints)");
}
END_TEST

START_TEST(expired_anchor_is_refused)
{
	struct tcert s = CA;

	s.from = -7200;
	s.to = -60;
	ck_assert_int_eq(ar_check(&AR, &s, 0), ND_E_CERT);
	ck_assert_str_eq(err, "trust anchor has expired");
}
END_TEST

START_TEST(pinned_ar_certificate_is_trusted)
{
	EVP_PKEY *k = t_p256();
	X509 *x = t_cert(k, &AR, NULL, NULL);

	ck_assert_int_eq(nd_ar_cert_check(x, x, time(NULL), err,
	    sizeof(err)), 0);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(pinned_certificate_without_router_eku_is_refused)
{
	EVP_PKEY *k = t_p256();
	struct tcert s = AR;
	X509 *x;

	s.eku = "clientAuth";
	x = t_cert(k, &s, NULL, NULL);
	ck_assert_int_eq(nd_ar_cert_check(x, x, time(NULL), err,
	    sizeof(err)), ND_E_CERT);
	ck_assert_str_eq(err, "AR certificate lacks id-kp-sendRouter in "
	    "extendedKeyUsage");
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("nd");
	TCase *c = tcase_create("codec"), *g = tcase_create("builder");
	TCase *x = tcase_create("signature"), *t = tcase_create("trust");

	tcase_add_checked_fixture(c, setup, NULL);
	tcase_add_test(c, signed_rs_parses_with_every_field);
	tcase_add_test(c, requested_apps_are_walked_in_order);
	tcase_add_test(c, ra_with_records_refresh_and_part_parses);
	tcase_add_test(c, status_ra_carries_code_and_reason);
	tcase_add_test(c, plain_rs_has_no_gkey_option);
	tcase_add_test(c, message_shorter_than_header_is_dropped);
	tcase_add_test(c, other_icmpv6_type_is_dropped);
	tcase_add_test(c, nonzero_code_is_dropped);
	tcase_add_test(c, option_length_zero_is_dropped);
	tcase_add_test(c, option_overrunning_message_is_dropped);
	tcase_add_test(c, truncated_option_header_is_dropped);
	tcase_add_test(c, gkey_data_length_beyond_option_is_dropped);
	tcase_add_test(c, nonzero_padding_is_dropped);
	tcase_add_test(c, nonminimal_padding_is_dropped);
	tcase_add_test(c, reserved_octet_is_ignored);
	tcase_add_test(c, refresh_of_wrong_size_is_dropped);
	tcase_add_test(c, refresh_zero_is_dropped);
	tcase_add_test(c, part_of_wrong_size_is_dropped);
	tcase_add_test(c, signature_of_wrong_size_is_dropped);
	tcase_add_test(c, timestamp_of_wrong_size_is_dropped);
	tcase_add_test(c, part_index_zero_is_dropped);
	tcase_add_test(c, part_count_zero_is_dropped);
	tcase_add_test(c, part_index_above_count_is_dropped);
	tcase_add_test(c, empty_certificate_is_dropped);
	tcase_add_test(c, empty_key_record_is_dropped);
	tcase_add_test(c, app_name_not_utf8_is_dropped);
	tcase_add_test(c, app_name_longer_than_64_is_dropped);
	tcase_add_test(c, empty_app_name_is_dropped);
	tcase_add_test(c, more_than_32_apps_is_dropped);
	tcase_add_test(c, status_reason_not_utf8_is_dropped);
	tcase_add_test(c, status_code_zero_is_dropped);
	tcase_add_test(c, status_with_records_is_dropped);
	tcase_add_test(c, option_after_signature_is_dropped);
	tcase_add_test(c, certificate_twice_is_dropped);
	tcase_add_test(c, nonce_twice_is_dropped);
	tcase_add_test(c, timestamp_twice_is_dropped);
	tcase_add_test(c, refresh_twice_in_ra_is_dropped);
	tcase_add_test(c, status_twice_in_ra_is_dropped);
	tcase_add_test(c, part_twice_in_ra_is_dropped);
	tcase_add_test(c, ra_subtypes_in_rs_are_ignored);
	tcase_add_test(c, unknown_subtype_is_ignored);
	tcase_add_test(c, nonce_of_length_1_carries_6_octets);
	tcase_add_test(c, rs_without_nonce_is_incomplete);
	tcase_add_test(c, rs_without_signature_is_incomplete);
	tcase_add_test(c, status_outside_part_1_of_1_is_refused);
	tcase_add_test(c, utf8_validator_refuses_overlong_surrogate_and_truncated);
	suite_add_tcase(s, c);

	tcase_add_checked_fixture(g, setup, NULL);
	tcase_add_test(g, builder_refuses_past_its_buffer_and_stays_failed);
	tcase_add_test(g, builder_never_exceeds_1240_octets);
	tcase_add_test(g, builder_pads_gkey_option_to_8_octets);
	tcase_add_test(g, builder_cuts_long_reason_at_character_boundary);
	tcase_add_test(g, builder_refuses_part_index_above_count);
	tcase_add_test(g, timestamp_diff_rounds_up_to_seconds);
	suite_add_tcase(s, g);

	tcase_add_checked_fixture(x, setup, NULL);
	tcase_add_test(x, signature_tag_is_sha256_of_label);
	tcase_add_test(x, signature_input_is_tag_addresses_and_message_without_checksum);
	tcase_add_test(x, signature_ignores_the_checksum);
	tcase_add_test(x, signature_covers_the_source_address);
	tcase_add_test(x, signature_covers_the_destination_address);
	tcase_add_test(x, signature_covers_every_octet_before_it);
	tcase_add_test(x, signature_by_another_key_does_not_verify);
	tcase_add_test(x, signing_with_a_p384_key_is_refused);
	tcase_add_test(x, raw_signature_round_trips_through_der);
	suite_add_tcase(s, x);

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, node_certificate_with_p256_key_gives_its_key);
	tcase_add_test(t, node_certificate_with_p384_key_is_refused);
	tcase_add_test(t, certificate_with_trailing_octet_is_refused);
	tcase_add_test(t, ar_certificate_issued_by_anchor_with_router_eku_is_trusted);
	tcase_add_test(t, ar_certificate_without_router_eku_is_refused);
	tcase_add_test(t, ar_certificate_without_eku_is_refused);
	tcase_add_test(t, ar_certificate_signed_by_other_key_is_refused);
	tcase_add_test(t, ar_certificate_of_other_issuer_is_refused);
	tcase_add_test(t, expired_ar_certificate_is_refused);
	tcase_add_test(t, future_ar_certificate_is_refused);
	tcase_add_test(t, ar_certificate_without_digital_signature_is_refused);
	tcase_add_test(t, anchor_that_is_not_a_ca_is_refused);
	tcase_add_test(t, expired_anchor_is_refused);
	tcase_add_test(t, pinned_ar_certificate_is_trusted);
	tcase_add_test(t, pinned_certificate_without_router_eku_is_refused);
	suite_add_tcase(s, t);
	return s;
}
