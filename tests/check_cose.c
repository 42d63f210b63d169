/*
 * check_cose.c - the COSE_Encrypt0 messages of doc/cose-message.md:
 * a test vector checked octet by octet against an independent
 * computation, each refusal by its name, the replay window, the
 * rotation overlap and the key lines.
 *
 * No independent COSE or CBOR tool is available offline (no python3
 * cbor2 or cryptography), so the vector's CBOR bytes are derived by hand
 * from the RFC 9052 / RFC 8949 layout below, and AES-CCM is computed
 * again here from AES blocks as RFC 3610 section 2 describes, with a
 * different code path (EVP AES-ECB) from the library's EVP CCM mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "check_main.h"
#include "cose.h"

#define NOW	UINT64_C(1700000000)

static const uint8_t gk128[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
static const uint8_t sender[GKEY_COSE_SENDER_LEN] = {
	0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7 };

/* The message layout for the sample reading below (64 octets). */
#define OFF_ALG		5
#define OFF_UNPROT	6
#define OFF_KID		9
#define OFF_IV		19
#define OFF_SEQ		(OFF_IV + GKEY_COSE_SENDER_LEN)
#define OFF_CT		32

static struct gkey_cose_key
key_of(uint32_t app_id, uint32_t epoch, size_t gk_len, uint8_t fill)
{
	struct gkey_cose_key	k;

	memset(&k, 0, sizeof(k));
	strcpy(k.app, "temp");
	k.app_id = app_id;
	k.epoch = epoch;
	k.not_before = NOW - 100;
	k.not_after = NOW + 100;
	k.gk_len = gk_len;
	if (fill == 0 && gk_len == 16)
		memcpy(k.gk, gk128, 16);
	else
		memset(k.gk, fill, gk_len);
	return k;
}

static struct gkey_reading
sample(void)
{
	struct gkey_reading	r;

	memset(&r, 0, sizeof(r));
	strcpy(r.name, "s1");
	r.time = NOW;
	r.ivalue = 21;
	strcpy(r.unit, "Cel");
	return r;
}

static struct gkey_cose_keys	keys;
static struct gkey_cose_replay	replay;

static void
setup(void)
{
	memset(&keys, 0, sizeof(keys));
	memset(&replay, 0, sizeof(replay));
	keys.key[0] = key_of(7, 1, 16, 0);
	keys.n = 1;
}

static size_t
seal_seq(const struct gkey_cose_key *k, uint64_t seq, uint8_t *out)
{
	struct gkey_reading	r = sample();
	size_t			len;

	ck_assert_int_eq(gkey_cose_seal(&r, k, sender, seq, out,
	    GKEY_COSE_MSG_MAX, &len), GKEY_COSE_OK);
	return len;
}

static enum gkey_cose_status
open_msg(const uint8_t *m, size_t len)
{
	struct gkey_reading	r;
	struct gkey_cose_info	info;

	return gkey_cose_open(m, len, &keys, &replay, NOW, &r, &info);
}

#define ck_refused(m, len, want) do {					\
	enum gkey_cose_status st_ = open_msg((m), (len));		\
	ck_assert_msg(st_ == (want), "got \"%s\", want \"%s\"",		\
	    gkey_cose_strerror(st_), gkey_cose_strerror(want));		\
} while (0)

/* ---------------------------------------------------------------- RFC 3610 */

static void
aes_block(const uint8_t *key, size_t key_len, const uint8_t in[16],
    uint8_t out[16])
{
	EVP_CIPHER_CTX	*ctx = EVP_CIPHER_CTX_new();
	int		 n;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_EncryptInit_ex(ctx, key_len == 16 ?
	    EVP_aes_128_ecb() : EVP_aes_256_ecb(), NULL, key, NULL), 1);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	ck_assert_int_eq(EVP_EncryptUpdate(ctx, out, &n, in, 16), 1);
	ck_assert_int_eq(n, 16);
	EVP_CIPHER_CTX_free(ctx);
}

/* CCM with M = 8, L = 2 (13-octet nonce), aad shorter than 0xff00. */
static void
ref_ccm(const uint8_t *key, size_t key_len, const uint8_t nonce[13],
    const uint8_t *aad, size_t aad_len, const uint8_t *m, size_t m_len,
    uint8_t *out)
{
	uint8_t	buf[512], x[16], b[16], a[16], s[16];
	size_t	n = 0, i, j;

	ck_assert_uint_lt(aad_len + m_len + 48, sizeof(buf));
	/* B_0, then l(a) || a padded, then m padded: the CBC-MAC input. */
	buf[n++] = 0x40 | ((8 - 2) / 2) << 3 | (2 - 1);
	memcpy(buf + n, nonce, 13);
	n += 13;
	buf[n++] = (uint8_t)(m_len >> 8);
	buf[n++] = (uint8_t)m_len;
	buf[n++] = (uint8_t)(aad_len >> 8);
	buf[n++] = (uint8_t)aad_len;
	memcpy(buf + n, aad, aad_len);
	n += aad_len;
	while (n % 16)
		buf[n++] = 0;
	memcpy(buf + n, m, m_len);
	n += m_len;
	while (n % 16)
		buf[n++] = 0;
	memset(x, 0, sizeof(x));
	for (i = 0; i < n; i += 16) {
		for (j = 0; j < 16; j++)
			b[j] = x[j] ^ buf[i + j];
		aes_block(key, key_len, b, x);
	}
	/* CTR: A_i = flags || nonce || i. */
	a[0] = 2 - 1;
	memcpy(a + 1, nonce, 13);
	for (i = 0; i * 16 < m_len; i++) {
		a[14] = (uint8_t)((i + 1) >> 8);
		a[15] = (uint8_t)(i + 1);
		aes_block(key, key_len, a, s);
		for (j = 0; j < 16 && i * 16 + j < m_len; j++)
			out[i * 16 + j] = m[i * 16 + j] ^ s[j];
	}
	a[14] = a[15] = 0;
	aes_block(key, key_len, a, s);
	for (j = 0; j < 8; j++)
		out[m_len + j] = x[j] ^ s[j];
}

START_TEST(test_reference_ccm_matches_rfc3610_packet_vector_1)
{
	/* RFC 3610 section 8, Packet Vector #1 (M = 8, L = 2). */
	static const uint8_t key[16] = {
		0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
		0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf };
	static const uint8_t nonce[13] = {
		0x00, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0xa0,
		0xa1, 0xa2, 0xa3, 0xa4, 0xa5 };
	static const uint8_t want[31] = {
		0x58, 0x8c, 0x97, 0x9a, 0x61, 0xc6, 0x63, 0xd2,
		0xf0, 0x66, 0xd0, 0xc2, 0xc0, 0xf9, 0x89, 0x80,
		0x6d, 0x5f, 0x6b, 0x61, 0xda, 0xc3, 0x84, 0x17,
		0xe8, 0xd1, 0x2c, 0xfd, 0xf9, 0x26, 0xe0 };
	uint8_t	in[31], out[31];
	size_t	i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	ref_ccm(key, 16, nonce, in, 8, in + 8, 23, out);
	ck_assert_mem_eq(out, want, sizeof(want));
}
END_TEST

START_TEST(test_vector_matches_hand_derived_bytes)
{
	/* Enc_structure ["Encrypt0", h'a1010a', h'']. */
	static const uint8_t aad[] = {
		0x83, 0x68, 'E', 'n', 'c', 'r', 'y', 'p', 't', '0',
		0x43, 0xa1, 0x01, 0x0a, 0x40 };
	/* {"n": "s1", "t": 1700000000, "v": 21, "u": "Cel"} */
	static const uint8_t pt[] = {
		0xa4, 0x61, 'n', 0x62, 's', '1', 0x61, 't',
		0x1a, 0x65, 0x53, 0xf1, 0x00, 0x61, 'v', 0x15,
		0x61, 'u', 0x63, 'C', 'e', 'l' };
	/* 16([h'a1010a', {4: h'0000000700000001', 5: IV}, ct]) */
	static const uint8_t head[] = {
		0xd0, 0x83, 0x43, 0xa1, 0x01, 0x0a, 0xa2,
		0x04, 0x48, 0, 0, 0, 7, 0, 0, 0, 1,
		0x05, 0x4d, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
		0, 0, 0, 0, 0, 1,
		0x58, sizeof(pt) + 8 };
	uint8_t	want[sizeof(head) + sizeof(pt) + 8], got[GKEY_COSE_MSG_MAX];
	size_t	len;

	memcpy(want, head, sizeof(head));
	ref_ccm(gk128, 16, head + OFF_IV, aad, sizeof(aad), pt, sizeof(pt),
	    want + sizeof(head));
	len = seal_seq(&keys.key[0], 1, got);
	ck_assert_uint_eq(len, sizeof(want));
	ck_assert_uint_eq(len, 64);
	ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

/* A message with ciphertext sealed here, for plaintexts seal() never makes. */
static size_t
forge(const uint8_t *pt, size_t pt_len, uint8_t *out)
{
	static const uint8_t aad[] = {
		0x83, 0x68, 'E', 'n', 'c', 'r', 'y', 'p', 't', '0',
		0x43, 0xa1, 0x01, 0x0a, 0x40 };
	size_t	len = seal_seq(&keys.key[0], 1, out);

	ck_assert_uint_lt(pt_len + 8, 24);	/* a one-octet bstr head */
	len = OFF_CT;
	out[len++] = (uint8_t)(0x40 | (pt_len + 8));
	ref_ccm(gk128, 16, out + OFF_IV, aad, sizeof(aad), pt, pt_len,
	    out + len);
	return len + pt_len + 8;
}

/* ---------------------------------------------------------------- round trips */

START_TEST(test_open_returns_the_sealed_reading)
{
	struct gkey_reading	r;
	struct gkey_cose_info	info;
	uint8_t			m[GKEY_COSE_MSG_MAX];
	size_t			len = seal_seq(&keys.key[0], 5, m);

	ck_assert_int_eq(gkey_cose_open(m, len, &keys, &replay, NOW, &r,
	    &info), GKEY_COSE_OK);
	ck_assert_str_eq(r.name, "s1");
	ck_assert_uint_eq(r.time, NOW);
	ck_assert_int_eq(r.is_float, 0);
	ck_assert_int_eq(r.ivalue, 21);
	ck_assert_str_eq(r.unit, "Cel");
	ck_assert_uint_eq(info.app_id, 7);
	ck_assert_uint_eq(info.epoch, 1);
	ck_assert_uint_eq(info.seq, 5);
	ck_assert_mem_eq(info.sender, sender, sizeof(sender));
	ck_assert_ptr_eq(info.key, &keys.key[0]);
}
END_TEST

START_TEST(test_aes256_gk_uses_alg_11_and_opens)
{
	struct gkey_reading	r = sample(), got;
	struct gkey_cose_info	info;
	uint8_t			m[GKEY_COSE_MSG_MAX];
	size_t			len;

	keys.key[1] = key_of(8, 3, 32, 0x5a);
	keys.n = 2;
	r.is_float = 1;
	r.fvalue = -3.25;
	ck_assert_int_eq(gkey_cose_seal(&r, &keys.key[1], sender, 1, m,
	    sizeof(m), &len), GKEY_COSE_OK);
	ck_assert_uint_eq(m[OFF_ALG], 0x0b);
	ck_assert_int_eq(gkey_cose_open(m, len, &keys, &replay, NOW, &got,
	    &info), GKEY_COSE_OK);
	ck_assert_int_eq(got.is_float, 1);
	ck_assert(got.fvalue == -3.25);
}
END_TEST

START_TEST(test_negative_integer_value_round_trips)
{
	struct gkey_reading	r = sample(), got;
	struct gkey_cose_info	info;
	uint8_t			m[GKEY_COSE_MSG_MAX];
	size_t			len;

	r.ivalue = -40;
	ck_assert_int_eq(gkey_cose_seal(&r, &keys.key[0], sender, 1, m,
	    sizeof(m), &len), GKEY_COSE_OK);
	ck_assert_int_eq(gkey_cose_open(m, len, &keys, &replay, NOW, &got,
	    &info), GKEY_COSE_OK);
	ck_assert_int_eq(got.ivalue, -40);
}
END_TEST

START_TEST(test_both_epochs_of_an_overlap_verify)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len;

	keys.key[1] = key_of(7, 2, 16, 0x22);
	keys.n = 2;
	len = seal_seq(&keys.key[0], 1, m);
	ck_refused(m, len, GKEY_COSE_OK);
	len = seal_seq(&keys.key[1], 1, m);
	ck_refused(m, len, GKEY_COSE_OK);
}
END_TEST

START_TEST(test_seal_refuses_sequence_0_and_beyond_48_bits)
{
	struct gkey_reading	r = sample();
	uint8_t			m[GKEY_COSE_MSG_MAX];
	size_t			len;

	ck_assert_int_eq(gkey_cose_seal(&r, &keys.key[0], sender, 0, m,
	    sizeof(m), &len), GKEY_COSE_BAD_ARGUMENT);
	ck_assert_int_eq(gkey_cose_seal(&r, &keys.key[0], sender,
	    GKEY_COSE_SEQ_MAX + 1, m, sizeof(m), &len), GKEY_COSE_BAD_ARGUMENT);
	ck_assert_int_eq(gkey_cose_seal(&r, &keys.key[0], sender,
	    GKEY_COSE_SEQ_MAX, m, sizeof(m), &len), GKEY_COSE_OK);
}
END_TEST

/* ---------------------------------------------------------------- refusals */

START_TEST(test_truncated_message_is_malformed_cbor)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	ck_refused(m, len - 1, GKEY_COSE_MALFORMED_CBOR);
	ck_refused(m, 0, GKEY_COSE_MALFORMED_CBOR);
}
END_TEST

START_TEST(test_trailing_octet_is_malformed_cbor)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	m[len] = 0x00;
	ck_refused(m, len + 1, GKEY_COSE_MALFORMED_CBOR);
}
END_TEST

START_TEST(test_huge_declared_array_or_map_is_malformed_without_allocating)
{
	/* 16([2^32 items...]), 16([2^28 items...]), {2^32 pairs...} */
	static const uint8_t a[] = { 0xd0, 0x9b, 0, 0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t b[] = { 0xd0, 0x9a, 0x10, 0, 0, 0 };
	static const uint8_t c[] = { 0xbb, 0, 0, 0, 1, 0, 0, 0, 0 };
	/* an array of 3 with 2 octets left: fine for the count, short later */
	static const uint8_t d[] = { 0xd0, 0x83, 0x40, 0xa0 };

	ck_refused(a, sizeof(a), GKEY_COSE_MALFORMED_CBOR);
	ck_refused(b, sizeof(b), GKEY_COSE_MALFORMED_CBOR);
	ck_refused(c, sizeof(c), GKEY_COSE_MALFORMED_CBOR);
	ck_refused(d, sizeof(d), GKEY_COSE_MALFORMED_CBOR);
}
END_TEST

START_TEST(test_larger_than_one_unfragmented_datagram_is_refused)
{
	static uint8_t	m[GKEY_COSE_MSG_MAX + 1];

	ck_refused(m, sizeof(m), GKEY_COSE_TOO_LARGE);
}
END_TEST

START_TEST(test_other_tag_is_not_tag16)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	m[0] = 0xd1;	/* tag 17, COSE_Mac0 */
	ck_refused(m, len, GKEY_COSE_NOT_TAG16);
	ck_refused(m + 1, len - 1, GKEY_COSE_NOT_TAG16);	/* untagged */
}
END_TEST

START_TEST(test_two_element_array_is_wrong_structure)
{
	/* 16([h'a1010a', {}]) */
	static const uint8_t m[] = { 0xd0, 0x82, 0x43, 0xa1, 0x01, 0x0a, 0xa0 };

	ck_refused(m, sizeof(m), GKEY_COSE_BAD_STRUCTURE);
}
END_TEST

START_TEST(test_short_kid_is_wrong_structure)
{
	/* 16([h'a1010a', {4: h'00', 5: h'00'}, h'00']) */
	static const uint8_t m[] = { 0xd0, 0x83, 0x43, 0xa1, 0x01, 0x0a,
	    0xa2, 0x04, 0x41, 0x00, 0x05, 0x41, 0x00, 0x41, 0x00 };

	ck_refused(m, sizeof(m), GKEY_COSE_BAD_STRUCTURE);
}
END_TEST

START_TEST(test_non_deterministic_protected_header_is_refused)
{
	/* {1: 10} with the 10 as a one-octet uint: a1 01 18 0a. */
	static const uint8_t m[] = { 0xd0, 0x83, 0x44, 0xa1, 0x01, 0x18, 0x0a,
	    0xa0, 0x41, 0x00 };
	uint8_t	s[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, s);

	ck_refused(m, sizeof(m), GKEY_COSE_BAD_PROTECTED);
	s[OFF_ALG] = 0x0c;	/* AES-CCM-64-64-128: not ours */
	ck_refused(s, len, GKEY_COSE_BAD_PROTECTED);
}
END_TEST

START_TEST(test_other_unprotected_label_is_refused)
{
	uint8_t	m[GKEY_COSE_MSG_MAX + 2];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	/* Add 6: 0 (label 6, "Partial IV") after the IV. */
	memmove(m + OFF_CT + 2, m + OFF_CT, len - OFF_CT);
	m[OFF_CT] = 0x06;
	m[OFF_CT + 1] = 0x00;
	m[OFF_UNPROT] = 0xa3;
	ck_refused(m, len + 2, GKEY_COSE_OTHER_LABEL);
}
END_TEST

START_TEST(test_unknown_epoch_is_unknown_kid)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	m[OFF_KID + 7] = 2;	/* epoch 2: not held */
	ck_refused(m, len, GKEY_COSE_UNKNOWN_KID);
}
END_TEST

START_TEST(test_expired_gk_is_not_valid)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	keys.key[0].not_after = NOW - 1;
	ck_refused(m, len, GKEY_COSE_KEY_NOT_VALID);
}
END_TEST

START_TEST(test_alg_11_with_an_aes128_gk_is_refused)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	m[OFF_ALG] = 0x0b;
	ck_refused(m, len, GKEY_COSE_ALG_MISMATCH);
}
END_TEST

START_TEST(test_flipped_ciphertext_bit_does_not_verify)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	m[len - 1] ^= 0x01;
	ck_refused(m, len, GKEY_COSE_TAG_MISMATCH);
}
END_TEST

START_TEST(test_other_gk_does_not_verify)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	keys.key[0].gk[0] ^= 0x80;
	ck_refused(m, len, GKEY_COSE_TAG_MISMATCH);
}
END_TEST

START_TEST(test_sequence_0_is_refused)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 1, m);

	m[OFF_SEQ + 5] = 0;
	ck_refused(m, len, GKEY_COSE_SEQ_ZERO);
}
END_TEST

START_TEST(test_same_message_twice_is_replayed)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = seal_seq(&keys.key[0], 9, m);

	ck_refused(m, len, GKEY_COSE_OK);
	ck_refused(m, len, GKEY_COSE_REPLAYED);
}
END_TEST

START_TEST(test_window_is_64_messages_ending_at_the_highest)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len;

	len = seal_seq(&keys.key[0], 100, m);
	ck_refused(m, len, GKEY_COSE_OK);
	len = seal_seq(&keys.key[0], 36, m);	/* 100 - 64 */
	ck_refused(m, len, GKEY_COSE_TOO_OLD);
	len = seal_seq(&keys.key[0], 37, m);	/* 100 - 63: in, unseen */
	ck_refused(m, len, GKEY_COSE_OK);
	ck_refused(m, len, GKEY_COSE_REPLAYED);
	len = seal_seq(&keys.key[0], 99, m);
	ck_refused(m, len, GKEY_COSE_OK);
}
END_TEST

START_TEST(test_window_is_per_sender)
{
	struct gkey_reading	r = sample();
	uint8_t			other[GKEY_COSE_SENDER_LEN] = { 1 };
	uint8_t			m[GKEY_COSE_MSG_MAX];
	size_t			len = seal_seq(&keys.key[0], 1, m);

	ck_refused(m, len, GKEY_COSE_OK);
	ck_assert_int_eq(gkey_cose_seal(&r, &keys.key[0], other, 1, m,
	    sizeof(m), &len), GKEY_COSE_OK);
	ck_refused(m, len, GKEY_COSE_OK);
}
END_TEST

START_TEST(test_forged_message_does_not_move_the_window)
{
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len;

	len = seal_seq(&keys.key[0], 1000, m);
	m[len - 1] ^= 0x01;
	ck_refused(m, len, GKEY_COSE_TAG_MISMATCH);
	len = seal_seq(&keys.key[0], 2, m);
	ck_refused(m, len, GKEY_COSE_OK);
}
END_TEST

START_TEST(test_verified_plaintext_without_t_is_refused)
{
	/* {"n": "s", "v": 1, "u": "K"} */
	static const uint8_t pt[] = { 0xa3, 0x61, 'n', 0x61, 's', 0x61, 'v',
	    0x01, 0x61, 'u', 0x61, 'K' };
	uint8_t	m[GKEY_COSE_MSG_MAX];
	size_t	len = forge(pt, sizeof(pt), m);

	ck_refused(m, len, GKEY_COSE_BAD_PLAINTEXT);
}
END_TEST

START_TEST(test_forge_helper_makes_an_accepted_message)
{
	/* {"n": "s", "t": 1, "v": 1, "u": "K"}: checks forge() itself. */
	static const uint8_t pt[] = { 0xa4, 0x61, 'n', 0x61, 's', 0x61, 't',
	    0x01, 0x61, 'v', 0x01 };
	static const uint8_t pt2[] = { 0x61, 'u', 0x61, 'K' };
	uint8_t	buf[sizeof(pt) + sizeof(pt2)], m[GKEY_COSE_MSG_MAX];
	size_t	len;

	memcpy(buf, pt, sizeof(pt));
	memcpy(buf + sizeof(pt), pt2, sizeof(pt2));
	len = forge(buf, sizeof(buf), m);
	ck_refused(m, len, GKEY_COSE_OK);
}
END_TEST

START_TEST(test_full_replay_state_reuses_the_window_updated_longest_ago)
{
	struct gkey_reading	r = sample();
	uint8_t			id[GKEY_COSE_SENDER_LEN] = { 0 };
	uint8_t			m[GKEY_COSE_MSG_MAX], first[GKEY_COSE_MSG_MAX];
	uint8_t			second[GKEY_COSE_MSG_MAX];
	size_t			len, first_len = 0, second_len = 0;
	unsigned		i;

	for (i = 0; i <= GKEY_COSE_REPLAY_MAX; i++) {
		id[0] = (uint8_t)(i >> 8);
		id[1] = (uint8_t)i;
		ck_assert_int_eq(gkey_cose_seal(&r, &keys.key[0], id, 1, m,
		    sizeof(m), &len), GKEY_COSE_OK);
		ck_refused(m, len, GKEY_COSE_OK);
		if (i == 0) {
			memcpy(first, m, len);
			first_len = len;
		} else if (i == 1) {
			memcpy(second, m, len);
			second_len = len;
		}
	}
	/* Sender 0's window went to the 257th sender; sender 1's is kept. */
	ck_refused(second, second_len, GKEY_COSE_REPLAYED);
	ck_refused(first, first_len, GKEY_COSE_OK);
}
END_TEST

/* ---------------------------------------------------------------- key lines */

START_TEST(test_key_line_parses)
{
	static const char line[] = "app=temp room id=7 epoch=2 "
	    "not_before=2023-11-14T22:13:20Z not_after=1700000100 "
	    "gk=000102030405060708090a0b0c0d0e0f\n";
	struct gkey_cose_key	k;

	ck_assert_int_eq(gkey_cose_key_parse(line, strlen(line), &k), 0);
	ck_assert_str_eq(k.app, "temp room");
	ck_assert_uint_eq(k.app_id, 7);
	ck_assert_uint_eq(k.epoch, 2);
	ck_assert_uint_eq(k.not_before, NOW);
	ck_assert_uint_eq(k.not_after, NOW + 100);
	ck_assert_uint_eq(k.gk_len, 16);
	ck_assert_mem_eq(k.gk, gk128, 16);
}
END_TEST

START_TEST(test_bad_key_lines_are_refused)
{
	static const char *const bad[] = {
		"",
		"app= id=7 epoch=2 not_before=1 not_after=2 gk=000102030405060708090a0b0c0d0e0f",
		"app=a id=7 epoch=2 not_before=1 not_after=2 gk=0001",
		"app=a id=-7 epoch=2 not_before=1 not_after=2 gk=000102030405060708090a0b0c0d0e0f",
		"app=a id=7 epoch=4294967296 not_before=1 not_after=2 gk=000102030405060708090a0b0c0d0e0f",
		"app=a id=7 epoch=2 not_before=yesterday not_after=2 gk=000102030405060708090a0b0c0d0e0f",
		"app=a id=7 epoch=2 not_after=2 not_before=1 gk=000102030405060708090a0b0c0d0e0f",
		"app=a id=7 epoch=2 not_before=1 not_after=2 gk=zz0102030405060708090a0b0c0d0e0f",
		"id=7 epoch=2 not_before=1 not_after=2 gk=000102030405060708090a0b0c0d0e0f",
	};
	struct gkey_cose_key	k;
	size_t			i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(gkey_cose_key_parse(bad[i], strlen(bad[i]), &k) != 0,
		    "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_key_file_loads_good_lines_and_counts_bad_ones)
{
	const char	*dir = getenv("TMPDIR");
	char		 path[512];
	FILE		*fp;
	size_t		 bad;

	snprintf(path, sizeof(path), "%s/check_cose_keys.%ld",
	    dir != NULL ? dir : "/tmp", (long)getpid());
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs("app=temp id=7 epoch=1 not_before=1 not_after=2 "
	    "gk=000102030405060708090a0b0c0d0e0f\n"
	    "garbage\n"
	    "app=temp id=7 epoch=2 not_before=1 not_after=2 gk="
	    "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f\n",
	    fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(gkey_cose_keys_load(path, &keys, &bad), 0);
	unlink(path);
	ck_assert_uint_eq(keys.n, 2);
	ck_assert_uint_eq(bad, 1);
	ck_assert_uint_eq(keys.key[1].gk_len, 32);
	ck_assert_int_eq(gkey_cose_keys_load(path, &keys, &bad), -1);
	ck_assert_uint_eq(keys.n, 0);
}
END_TEST

START_TEST(test_sender_uses_the_highest_valid_epoch)
{
	keys.key[1] = key_of(7, 3, 16, 0x33);
	keys.key[2] = key_of(7, 2, 16, 0x22);
	keys.key[3] = key_of(7, 4, 16, 0x44);
	keys.key[3].not_before = NOW + 1;	/* not yet */
	keys.n = 4;
	ck_assert_uint_eq(gkey_cose_keys_current(&keys, "temp", NOW)->epoch, 3);
	ck_assert_ptr_null(gkey_cose_keys_current(&keys, "other", NOW));
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("cose");
	TCase	*tc;

	tc = tcase_create("vector");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_reference_ccm_matches_rfc3610_packet_vector_1);
	tcase_add_test(tc, test_vector_matches_hand_derived_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("round trip");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_open_returns_the_sealed_reading);
	tcase_add_test(tc, test_aes256_gk_uses_alg_11_and_opens);
	tcase_add_test(tc, test_negative_integer_value_round_trips);
	tcase_add_test(tc, test_both_epochs_of_an_overlap_verify);
	tcase_add_test(tc, test_seal_refuses_sequence_0_and_beyond_48_bits);
	tcase_add_test(tc, test_forge_helper_makes_an_accepted_message);
	suite_add_tcase(s, tc);

	tc = tcase_create("refusals");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_truncated_message_is_malformed_cbor);
	tcase_add_test(tc, test_trailing_octet_is_malformed_cbor);
	tcase_add_test(tc, test_larger_than_one_unfragmented_datagram_is_refused);
	tcase_add_test(tc, test_huge_declared_array_or_map_is_malformed_without_allocating);
	tcase_add_test(tc, test_other_tag_is_not_tag16);
	tcase_add_test(tc, test_two_element_array_is_wrong_structure);
	tcase_add_test(tc, test_short_kid_is_wrong_structure);
	tcase_add_test(tc, test_non_deterministic_protected_header_is_refused);
	tcase_add_test(tc, test_other_unprotected_label_is_refused);
	tcase_add_test(tc, test_unknown_epoch_is_unknown_kid);
	tcase_add_test(tc, test_expired_gk_is_not_valid);
	tcase_add_test(tc, test_alg_11_with_an_aes128_gk_is_refused);
	tcase_add_test(tc, test_flipped_ciphertext_bit_does_not_verify);
	tcase_add_test(tc, test_other_gk_does_not_verify);
	tcase_add_test(tc, test_sequence_0_is_refused);
	tcase_add_test(tc, test_verified_plaintext_without_t_is_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay window");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_same_message_twice_is_replayed);
	tcase_add_test(tc, test_window_is_64_messages_ending_at_the_highest);
	tcase_add_test(tc, test_window_is_per_sender);
	tcase_add_test(tc, test_forged_message_does_not_move_the_window);
	tcase_add_test(tc, test_full_replay_state_reuses_the_window_updated_longest_ago);
	suite_add_tcase(s, tc);

	tc = tcase_create("key lines");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_key_line_parses);
	tcase_add_test(tc, test_bad_key_lines_are_refused);
	tcase_add_test(tc, test_key_file_loads_good_lines_and_counts_bad_ones);
	tcase_add_test(tc, test_sender_uses_the_highest_valid_epoch);
	suite_add_tcase(s, tc);
	return s;
}
