/*
 * check_pana_crypto.c - unit tests for libpana/pana_crypto.c: prf+,
 * PANA_AUTH_KEY derivation and the AUTH AVP (RFC 5191 sections 5.3, 5.4).
 *
 * The expected values were computed independently of this code with
 * Python's hmac module (a direct transcription of the RFC formulas) and
 * the first prf+ block cross-checked with `openssl mac -digest SHA256`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "pana_crypto.h"
#include "pana_msg.h"

/* Decode hex into out; returns the number of octets. */
static size_t
unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;
	unsigned int v;

	for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
		ck_assert_uint_lt(n, size);
		ck_assert_int_eq(sscanf(hex, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* K = 00 01 .. 3f, S = "gkey prf+ test seed". */
static uint8_t prf_key[64];
static const char prf_seed[] = "gkey prf+ test seed";

/* T1 | T2 | T3 (first 16 octets of T3) for PRF_HMAC_SHA2_256. */
static const char prf_sha256_80[] =
    "e502052e98e41cacf06131b53c8449ab9ae1297350ed8702c03107ea49cacceb"
    "8e90cb52c8328cc13113b8f7de14adcd9874f3f28b618722f17b65ff0df72011"
    "ae6b2f30e411c25157a63fbbdb780d41";
/* T1 | T2 | T3 (first 10 octets of T3) for PRF_HMAC_SHA1. */
static const char prf_sha1_50[] =
    "3deed981bef2b2b2adcc35ec19753045eb05228c5eb7e82b446de74d87485f2a"
    "5fb2d1c7e051bf367edf603347c2217553d7";

/*
 * KDF inputs: MSK = a0 a1 .. df; I_PAR and I_PAN are PANA-Auth-Request and
 * -Answer with the S flag, session 0x01020304, seq 1, offering
 * PRF_HMAC_SHA2_256 and AUTH_HMAC_SHA2_256_128; PaC nonce 10..1f, PAA
 * nonce 30..3f; Key-Id 0x11223344.
 */
static const char i_par_hex[] =
    "00000028c0000002010203040000000100060000000400000000000500030000"
    "000400000000000c";
static const char i_pan_hex[] =
    "0000002840000002010203040000000100060000000400000000000500030000"
    "000400000000000c";
static const char auth_key_sha256[] =
    "2738da6512280a77194cfe167384881417dd8bd11682b3f5c0d10ef7f6c9df00";
static const char auth_key_sha1[] = "2952b960ec7d8f354921498c497fb5f6a4e9901b";

/* PAR (R|C) with Result-Code 0, Key-Id and a zeroed 16-octet AUTH. */
static const char auth_msg_256[] =
    "00000040a00000020102030400000007000700000004000000000000000400000004"
    "000011223344000100000010000000000000000000000000000000000000";
static const char auth_mac_256[] = "c29fa52c4c121df02ee9935302b6e1ae";
/* The same with a 20-octet AUTH for the SHA-1 suite. */
static const char auth_msg_1[] =
    "00000044a00000020102030400000007000700000004000000000000000400000004"
    "00001122334400010000001400000000000000000000000000000000000000000000";
static const char auth_mac_1[] = "1233edcf9f02e6382e6c3d8c704a4608795e4f2c";

static uint8_t msk[64], i_par[64], i_pan[64], pac_nonce[16], paa_nonce[16];
static size_t i_par_len, i_pan_len;

static void
setup(void)
{
	size_t i;

	for (i = 0; i < sizeof(prf_key); i++)
		prf_key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msk); i++)
		msk[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < sizeof(pac_nonce); i++) {
		pac_nonce[i] = (uint8_t)(0x10 + i);
		paa_nonce[i] = (uint8_t)(0x30 + i);
	}
	i_par_len = unhex(i_par_hex, i_par, sizeof(i_par));
	i_pan_len = unhex(i_pan_hex, i_pan, sizeof(i_pan));
}

static struct pana_kdf_input
kdf_input(void)
{
	struct pana_kdf_input in = {
		.msk = msk, .msk_len = sizeof(msk),
		.i_par = i_par, .i_par_len = i_par_len,
		.i_pan = i_pan, .i_pan_len = i_pan_len,
		.pac_nonce = pac_nonce, .pac_nonce_len = sizeof(pac_nonce),
		.paa_nonce = paa_nonce, .paa_nonce_len = sizeof(paa_nonce),
		.key_id = 0x11223344,
	};
	return in;
}

START_TEST(test_prf_plus_sha256_matches_known_answer)
{
	uint8_t want[80], got[80];

	ck_assert_uint_eq(unhex(prf_sha256_80, want, sizeof(want)), 80);
	ck_assert_int_eq(pana_prf_plus(PANA_PRF_HMAC_SHA2_256, prf_key,
	    sizeof(prf_key), (const uint8_t *)prf_seed, strlen(prf_seed), got,
	    sizeof(got)), 0);
	ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

START_TEST(test_prf_plus_sha1_matches_known_answer)
{
	uint8_t want[50], got[50];

	ck_assert_uint_eq(unhex(prf_sha1_50, want, sizeof(want)), 50);
	ck_assert_int_eq(pana_prf_plus(PANA_PRF_HMAC_SHA1, prf_key,
	    sizeof(prf_key), (const uint8_t *)prf_seed, strlen(prf_seed), got,
	    sizeof(got)), 0);
	ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

START_TEST(test_prf_plus_shorter_output_is_a_prefix)
{
	uint8_t want[80], got[7];

	unhex(prf_sha256_80, want, sizeof(want));
	ck_assert_int_eq(pana_prf_plus(PANA_PRF_HMAC_SHA2_256, prf_key,
	    sizeof(prf_key), (const uint8_t *)prf_seed, strlen(prf_seed), got,
	    sizeof(got)), 0);
	ck_assert_mem_eq(got, want, sizeof(got));
}
END_TEST

START_TEST(test_prf_plus_refuses_more_than_255_blocks)
{
	static uint8_t out[20 * 256];

	ck_assert_int_eq(pana_prf_plus(PANA_PRF_HMAC_SHA1, prf_key,
	    sizeof(prf_key), NULL, 0, out, 20 * 255), 0);
	ck_assert_int_eq(pana_prf_plus(PANA_PRF_HMAC_SHA1, prf_key,
	    sizeof(prf_key), NULL, 0, out, 20 * 255 + 1), PANA_E_ARG);
}
END_TEST

START_TEST(test_prf_plus_refuses_unknown_algorithm)
{
	uint8_t out[16];

	ck_assert_int_eq(pana_prf_plus(7, prf_key, sizeof(prf_key), NULL, 0,
	    out, sizeof(out)), PANA_E_ALG);
}
END_TEST

START_TEST(test_algorithm_sizes_follow_rfc_4595_and_4868)
{
	ck_assert_uint_eq(pana_prf_len(PANA_PRF_HMAC_SHA1), 20);
	ck_assert_uint_eq(pana_prf_len(PANA_PRF_HMAC_SHA2_256), 32);
	ck_assert_uint_eq(pana_auth_key_len(PANA_AUTH_HMAC_SHA1_160), 20);
	ck_assert_uint_eq(pana_auth_key_len(PANA_AUTH_HMAC_SHA2_256_128), 32);
	ck_assert_uint_eq(pana_auth_mac_len(PANA_AUTH_HMAC_SHA1_160), 20);
	ck_assert_uint_eq(pana_auth_mac_len(PANA_AUTH_HMAC_SHA2_256_128), 16);
	ck_assert_uint_eq(pana_auth_mac_len(2), 0);
}
END_TEST

START_TEST(test_auth_key_sha256_matches_known_answer)
{
	struct pana_kdf_input in = kdf_input();
	uint8_t want[32], key[PANA_AUTH_KEY_MAX];
	size_t keylen;

	unhex(auth_key_sha256, want, sizeof(want));
	ck_assert_int_eq(pana_auth_key_derive(PANA_PRF_HMAC_SHA2_256,
	    PANA_AUTH_HMAC_SHA2_256_128, &in, key, sizeof(key), &keylen), 0);
	ck_assert_uint_eq(keylen, 32);
	ck_assert_mem_eq(key, want, 32);
}
END_TEST

START_TEST(test_auth_key_sha1_matches_known_answer)
{
	struct pana_kdf_input in = kdf_input();
	uint8_t want[20], key[PANA_AUTH_KEY_MAX];
	size_t keylen;

	unhex(auth_key_sha1, want, sizeof(want));
	ck_assert_int_eq(pana_auth_key_derive(PANA_PRF_HMAC_SHA1,
	    PANA_AUTH_HMAC_SHA1_160, &in, key, sizeof(key), &keylen), 0);
	ck_assert_uint_eq(keylen, 20);
	ck_assert_mem_eq(key, want, 20);
}
END_TEST

START_TEST(test_auth_key_depends_on_key_id)
{
	struct pana_kdf_input in = kdf_input();
	uint8_t a[32], b[32];
	size_t la, lb;

	pana_auth_key_derive(PANA_PRF_HMAC_SHA2_256,
	    PANA_AUTH_HMAC_SHA2_256_128, &in, a, sizeof(a), &la);
	in.key_id++;
	pana_auth_key_derive(PANA_PRF_HMAC_SHA2_256,
	    PANA_AUTH_HMAC_SHA2_256_128, &in, b, sizeof(b), &lb);
	ck_assert_mem_ne(a, b, 32);
}
END_TEST

START_TEST(test_auth_key_refuses_a_small_buffer)
{
	struct pana_kdf_input in = kdf_input();
	uint8_t key[31];
	size_t keylen;

	ck_assert_int_eq(pana_auth_key_derive(PANA_PRF_HMAC_SHA2_256,
	    PANA_AUTH_HMAC_SHA2_256_128, &in, key, sizeof(key), &keylen),
	    PANA_E_NOSPACE);
}
END_TEST

START_TEST(test_auth_key_refuses_unknown_algorithms)
{
	struct pana_kdf_input in = kdf_input();
	uint8_t key[PANA_AUTH_KEY_MAX];
	size_t keylen;

	ck_assert_int_eq(pana_auth_key_derive(4, PANA_AUTH_HMAC_SHA1_160,
	    &in, key, sizeof(key), &keylen), PANA_E_ALG);
	ck_assert_int_eq(pana_auth_key_derive(PANA_PRF_HMAC_SHA1, 2,
	    &in, key, sizeof(key), &keylen), PANA_E_ALG);
}
END_TEST

/* Derive the key of a suite from the fixed inputs. */
static size_t
suite_key(uint32_t prf, uint32_t integ, uint8_t *key)
{
	struct pana_kdf_input in = kdf_input();
	size_t keylen;

	ck_assert_int_eq(pana_auth_key_derive(prf, integ, &in, key,
	    PANA_AUTH_KEY_MAX, &keylen), 0);
	return keylen;
}

START_TEST(test_auth_sha256_128_matches_known_answer)
{
	uint8_t msg[128], want[16], key[PANA_AUTH_KEY_MAX];
	size_t len, keylen;

	keylen = suite_key(PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128,
	    key);
	len = unhex(auth_msg_256, msg, sizeof(msg));
	unhex(auth_mac_256, want, sizeof(want));
	ck_assert_int_eq(pana_auth_sign(PANA_AUTH_HMAC_SHA2_256_128, key,
	    keylen, msg, len), 0);
	ck_assert_mem_eq(msg + len - 16, want, 16);
}
END_TEST

START_TEST(test_auth_sha1_160_matches_known_answer)
{
	uint8_t msg[128], want[20], key[PANA_AUTH_KEY_MAX];
	size_t len, keylen;

	keylen = suite_key(PANA_PRF_HMAC_SHA1, PANA_AUTH_HMAC_SHA1_160, key);
	len = unhex(auth_msg_1, msg, sizeof(msg));
	unhex(auth_mac_1, want, sizeof(want));
	ck_assert_int_eq(pana_auth_sign(PANA_AUTH_HMAC_SHA1_160, key, keylen,
	    msg, len), 0);
	ck_assert_mem_eq(msg + len - 20, want, 20);
}
END_TEST

/* Build a signed PANA-Auth-Request (C flag) carrying a key record. */
static size_t
signed_message(uint32_t integ, const uint8_t *key, size_t keylen,
    uint8_t *msg, size_t size)
{
	struct pana_builder b;
	size_t len;

	pana_build_start(&b, msg, size, PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_C, 0x01020304, 9);
	pana_build_avp_u32(&b, PANA_AVP_RESULT_CODE, PANA_SUCCESS);
	pana_build_avp_u32(&b, PANA_AVP_KEY_ID, 0x11223344);
	pana_build_vendor_avp(&b, GKEY_VENDOR_ID_DEFAULT, GKEY_AVP_KEY_RECORD,
	    "key record", 10);
	pana_build_auth(&b, pana_auth_mac_len(integ), NULL);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_auth_sign(integ, key, keylen, msg, len), 0);
	return len;
}

static void
check_signed_then_verified(uint32_t prf, uint32_t integ)
{
	uint8_t msg[256], key[PANA_AUTH_KEY_MAX];
	size_t len, keylen;

	keylen = suite_key(prf, integ, key);
	len = signed_message(integ, key, keylen, msg, sizeof(msg));
	ck_assert_int_eq(pana_auth_verify(integ, key, keylen, msg, len), 0);
}

static void
check_every_flipped_bit_fails(uint32_t prf, uint32_t integ)
{
	uint8_t msg[256], key[PANA_AUTH_KEY_MAX];
	size_t len, keylen, i;
	int bit;

	keylen = suite_key(prf, integ, key);
	len = signed_message(integ, key, keylen, msg, sizeof(msg));
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			msg[i] ^= (uint8_t)(1 << bit);
			ck_assert_msg(pana_auth_verify(integ, key, keylen, msg,
			    len) != 0, "flip of octet %zu bit %d verified",
			    i, bit);
			msg[i] ^= (uint8_t)(1 << bit);
		}
	}
	ck_assert_int_eq(pana_auth_verify(integ, key, keylen, msg, len), 0);
}

START_TEST(test_auth_sha256_128_signed_message_verifies)
{
	check_signed_then_verified(PANA_PRF_HMAC_SHA2_256,
	    PANA_AUTH_HMAC_SHA2_256_128);
}
END_TEST

START_TEST(test_auth_sha1_160_signed_message_verifies)
{
	check_signed_then_verified(PANA_PRF_HMAC_SHA1, PANA_AUTH_HMAC_SHA1_160);
}
END_TEST

START_TEST(test_auth_sha256_128_flipped_bit_anywhere_fails)
{
	check_every_flipped_bit_fails(PANA_PRF_HMAC_SHA2_256,
	    PANA_AUTH_HMAC_SHA2_256_128);
}
END_TEST

START_TEST(test_auth_sha1_160_flipped_bit_anywhere_fails)
{
	check_every_flipped_bit_fails(PANA_PRF_HMAC_SHA1,
	    PANA_AUTH_HMAC_SHA1_160);
}
END_TEST

START_TEST(test_auth_flipped_payload_byte_reports_auth_failure)
{
	uint8_t msg[256], key[PANA_AUTH_KEY_MAX];
	size_t len, keylen;

	keylen = suite_key(PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128,
	    key);
	len = signed_message(PANA_AUTH_HMAC_SHA2_256_128, key, keylen, msg,
	    sizeof(msg));
	msg[PANA_HDR_LEN + 8 + 4 + 8 + 3] ^= 0x01;	/* Key-Id value */
	ck_assert_int_eq(pana_auth_verify(PANA_AUTH_HMAC_SHA2_256_128, key,
	    keylen, msg, len), PANA_E_AUTH);
}
END_TEST

START_TEST(test_auth_with_the_wrong_key_fails)
{
	uint8_t msg[256], key[PANA_AUTH_KEY_MAX];
	size_t len, keylen;

	keylen = suite_key(PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128,
	    key);
	len = signed_message(PANA_AUTH_HMAC_SHA2_256_128, key, keylen, msg,
	    sizeof(msg));
	key[0] ^= 0x80;
	ck_assert_int_eq(pana_auth_verify(PANA_AUTH_HMAC_SHA2_256_128, key,
	    keylen, msg, len), PANA_E_AUTH);
}
END_TEST

START_TEST(test_auth_of_the_wrong_length_is_refused)
{
	uint8_t msg[256], key[PANA_AUTH_KEY_MAX];
	size_t len, keylen;

	keylen = suite_key(PANA_PRF_HMAC_SHA1, PANA_AUTH_HMAC_SHA1_160, key);
	len = signed_message(PANA_AUTH_HMAC_SHA1_160, key, keylen, msg,
	    sizeof(msg));
	/* A 20-octet AUTH checked as the 16-octet SHA-256 suite. */
	ck_assert_int_eq(pana_auth_verify(PANA_AUTH_HMAC_SHA2_256_128, key,
	    keylen, msg, len), PANA_E_AVP_VALUE);
}
END_TEST

START_TEST(test_auth_verify_without_auth_avp_is_missing)
{
	struct pana_builder b;
	uint8_t msg[64], key[32] = { 1 };
	size_t len;

	pana_build_start(&b, msg, sizeof(msg), PANA_MSG_AUTH, PANA_FLAG_R, 1,
	    1);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_auth_verify(PANA_AUTH_HMAC_SHA2_256_128, key,
	    sizeof(key), msg, len), PANA_E_MISSING);
}
END_TEST

START_TEST(test_auth_compute_does_not_modify_the_message)
{
	uint8_t msg[256], copy[256], mac[PANA_AUTH_MAC_MAX];
	uint8_t key[PANA_AUTH_KEY_MAX];
	size_t len, keylen, off;

	keylen = suite_key(PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128,
	    key);
	len = signed_message(PANA_AUTH_HMAC_SHA2_256_128, key, keylen, msg,
	    sizeof(msg));
	memcpy(copy, msg, len);
	ck_assert_int_eq(pana_msg_find_auth(msg, len, &off, NULL), 0);
	ck_assert_int_eq(pana_auth_compute(PANA_AUTH_HMAC_SHA2_256_128, key,
	    keylen, msg, len, off, mac), 0);
	ck_assert_mem_eq(msg, copy, len);
	ck_assert_mem_eq(mac, msg + off, 16);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("pana_crypto");
	TCase *tc;

	tc = tcase_create("prf+");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_prf_plus_sha256_matches_known_answer);
	tcase_add_test(tc, test_prf_plus_sha1_matches_known_answer);
	tcase_add_test(tc, test_prf_plus_shorter_output_is_a_prefix);
	tcase_add_test(tc, test_prf_plus_refuses_more_than_255_blocks);
	tcase_add_test(tc, test_prf_plus_refuses_unknown_algorithm);
	tcase_add_test(tc, test_algorithm_sizes_follow_rfc_4595_and_4868);
	suite_add_tcase(s, tc);

	tc = tcase_create("PANA_AUTH_KEY");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_auth_key_sha256_matches_known_answer);
	tcase_add_test(tc, test_auth_key_sha1_matches_known_answer);
	tcase_add_test(tc, test_auth_key_depends_on_key_id);
	tcase_add_test(tc, test_auth_key_refuses_a_small_buffer);
	tcase_add_test(tc, test_auth_key_refuses_unknown_algorithms);
	suite_add_tcase(s, tc);

	tc = tcase_create("AUTH");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_auth_sha256_128_matches_known_answer);
	tcase_add_test(tc, test_auth_sha1_160_matches_known_answer);
	tcase_add_test(tc, test_auth_sha256_128_signed_message_verifies);
	tcase_add_test(tc, test_auth_sha1_160_signed_message_verifies);
	tcase_add_test(tc, test_auth_sha256_128_flipped_bit_anywhere_fails);
	tcase_add_test(tc, test_auth_sha1_160_flipped_bit_anywhere_fails);
	tcase_add_test(tc, test_auth_flipped_payload_byte_reports_auth_failure);
	tcase_add_test(tc, test_auth_with_the_wrong_key_fails);
	tcase_add_test(tc, test_auth_of_the_wrong_length_is_refused);
	tcase_add_test(tc, test_auth_verify_without_auth_avp_is_missing);
	tcase_add_test(tc, test_auth_compute_does_not_modify_the_message);
	suite_add_tcase(s, tc);

	return s;
}
