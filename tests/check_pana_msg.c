/*
 * check_pana_msg.c - unit tests for libpana/pana_msg.c: building and
 * parsing PANA (RFC 5191) and PANA-Relay (RFC 6345) messages.
 *
 * One behaviour per test; the test names are the specification.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "pana_msg.h"

#define VENDOR	GKEY_VENDOR_ID_DEFAULT

static uint8_t buf[2048];
static size_t len;
static struct pana_msg m;
static char err[PANA_ERRLEN];

static const uint8_t eap_identity_req[] = { 0x01, 0x01, 0x00, 0x05, 0x01 };
static const uint8_t nonce[20] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
	0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23
};

static void
setup(void)
{
	memset(buf, 0xee, sizeof(buf));
	len = 0;
	memset(&m, 0, sizeof(m));
	err[0] = '\0';
}

/* Build a message with no AVPs. */
static void
build_empty(uint16_t type, uint16_t flags, uint32_t sid, uint32_t seq)
{
	struct pana_builder b;

	ck_assert_int_eq(pana_build_start(&b, buf, sizeof(buf), type, flags,
	    sid, seq), 0);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Raw message: a valid header around the given AVP octets. */
static void
raw_msg(const uint8_t *avps, size_t avplen)
{
	build_empty(PANA_MSG_AUTH, PANA_FLAG_R, 1, 1);
	memcpy(buf + PANA_HDR_LEN, avps, avplen);
	len = PANA_HDR_LEN + avplen;
	put16(buf + 2, (uint16_t)len);
}

static int
parse(void)
{
	return pana_msg_parse(buf, len, VENDOR, &m, err, sizeof(err));
}

/*
 * Round trips of every message type.
 */

START_TEST(test_pci_round_trips_with_zero_session_and_sequence)
{
	build_empty(PANA_MSG_PCI, 0, 0, 0);
	ck_assert_uint_eq(len, PANA_HDR_LEN);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_PCI);
	ck_assert_uint_eq(m.hdr.flags, 0);
	ck_assert_uint_eq(m.hdr.session_id, 0);
	ck_assert_uint_eq(m.hdr.seq, 0);
	ck_assert_uint_eq(m.hdr.length, PANA_HDR_LEN);
}
END_TEST

START_TEST(test_start_request_round_trips_algorithm_lists)
{
	struct pana_builder b;
	struct pana_avp_iter it;
	struct pana_avp a;
	uint32_t v, prf[2] = { 0, 0 };
	int n = 0;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_S, 0xdeadbeef, 0x01020304);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA1);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG,
	    PANA_AUTH_HMAC_SHA2_256_128);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, PANA_AUTH_HMAC_SHA1_160);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_uint_eq(len, 16 + 4 * 12);

	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_S);
	ck_assert_uint_eq(m.hdr.session_id, 0xdeadbeef);
	ck_assert_uint_eq(m.hdr.seq, 0x01020304);
	ck_assert_uint_eq(m.count[PANA_AVP_PRF_ALG], 2);
	ck_assert_uint_eq(m.count[PANA_AVP_INTEGRITY_ALG], 2);
	ck_assert_int_eq(pana_avp_u32(pana_msg_avp(&m,
	    PANA_AVP_INTEGRITY_ALG), &v), 0);
	ck_assert_uint_eq(v, PANA_AUTH_HMAC_SHA2_256_128);

	pana_avp_iter_init(&it, m.buf, m.len);
	while (pana_avp_next(&it, &a, NULL, 0) == 1)
		if (a.code == PANA_AVP_PRF_ALG && n < 2)
			pana_avp_u32(&a, &prf[n++]);
	ck_assert_uint_eq(prf[0], PANA_PRF_HMAC_SHA2_256);
	ck_assert_uint_eq(prf[1], PANA_PRF_HMAC_SHA1);
}
END_TEST

START_TEST(test_auth_request_round_trips_nonce_and_padded_eap_payload)
{
	struct pana_builder b;
	const struct pana_avp *a;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_R,
	    7, 2);
	pana_build_avp(&b, PANA_AVP_NONCE, nonce, sizeof(nonce));
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, eap_identity_req,
	    sizeof(eap_identity_req));
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	/* 5-octet EAP value padded to 8: 16 + (8+20) + (8+8). */
	ck_assert_uint_eq(len, 60);
	ck_assert_uint_eq(buf[len - 1], 0);
	ck_assert_uint_eq(buf[len - 2], 0);
	ck_assert_uint_eq(buf[len - 3], 0);

	ck_assert_int_eq(parse(), 0);
	a = pana_msg_avp(&m, PANA_AVP_NONCE);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->len, sizeof(nonce));
	ck_assert_mem_eq(a->value, nonce, sizeof(nonce));
	a = pana_msg_avp(&m, PANA_AVP_EAP_PAYLOAD);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->len, sizeof(eap_identity_req));
	ck_assert_mem_eq(a->value, eap_identity_req, sizeof(eap_identity_req));
	ck_assert_ptr_null(pana_msg_avp(&m, PANA_AVP_AUTH));
}
END_TEST

START_TEST(test_complete_request_round_trips_key_records_and_auth)
{
	static const uint8_t rec1[] = { 1, 1, 1, 3, 'a', 'b', 'c' };
	static const uint8_t rec2[] = { 1, 2, 2, 1, 'z' };
	struct pana_builder b;
	struct pana_avp_iter it;
	const uint8_t *rec;
	size_t reclen, auth_off, off, alen;
	uint32_t v;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_C, 7, 9);
	pana_build_avp_u32(&b, PANA_AVP_RESULT_CODE, PANA_SUCCESS);
	pana_build_avp_u32(&b, PANA_AVP_KEY_ID, 0x11223344);
	pana_build_avp_u32(&b, PANA_AVP_SESSION_LIFETIME, 3600);
	pana_build_vendor_avp(&b, VENDOR, GKEY_AVP_KEY_RECORD, rec1,
	    sizeof(rec1));
	pana_build_vendor_avp(&b, VENDOR, GKEY_AVP_KEY_RECORD, rec2,
	    sizeof(rec2));
	pana_build_auth(&b, 16, &auth_off);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);

	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(m.n_key_records, 2);
	ck_assert_int_eq(pana_avp_u32(pana_msg_avp(&m, PANA_AVP_RESULT_CODE),
	    &v), 0);
	ck_assert_uint_eq(v, PANA_SUCCESS);
	ck_assert_int_eq(pana_avp_u32(pana_msg_avp(&m, PANA_AVP_KEY_ID), &v),
	    0);
	ck_assert_uint_eq(v, 0x11223344);
	ck_assert_int_eq(pana_avp_u32(pana_msg_avp(&m,
	    PANA_AVP_SESSION_LIFETIME), &v), 0);
	ck_assert_uint_eq(v, 3600);

	pana_avp_iter_init(&it, m.buf, m.len);
	ck_assert_int_eq(pana_key_record_next(&m, &it, &rec, &reclen), 1);
	ck_assert_uint_eq(reclen, sizeof(rec1));
	ck_assert_mem_eq(rec, rec1, sizeof(rec1));
	ck_assert_int_eq(pana_key_record_next(&m, &it, &rec, &reclen), 1);
	ck_assert_uint_eq(reclen, sizeof(rec2));
	ck_assert_mem_eq(rec, rec2, sizeof(rec2));
	ck_assert_int_eq(pana_key_record_next(&m, &it, &rec, &reclen), 0);

	ck_assert_int_eq(pana_msg_find_auth(buf, len, &off, &alen), 0);
	ck_assert_uint_eq(off, auth_off);
	ck_assert_uint_eq(alen, 16);
	ck_assert_uint_eq(pana_msg_avp(&m, PANA_AVP_AUTH)->value_offset,
	    auth_off);
	ck_assert_uint_eq(auth_off + 16, len);
}
END_TEST

START_TEST(test_auth_answer_round_trips_without_request_flag)
{
	struct pana_builder b;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_S, 7,
	    1);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(m.hdr.flags & PANA_FLAG_R, 0);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_S);
}
END_TEST

START_TEST(test_termination_request_round_trips_cause)
{
	struct pana_builder b;
	uint32_t v;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_TERM, PANA_FLAG_R, 7,
	    12);
	pana_build_avp_u32(&b, PANA_AVP_TERM_CAUSE, PANA_TERM_LOGOUT);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_TERM);
	ck_assert_int_eq(pana_avp_u32(pana_msg_avp(&m, PANA_AVP_TERM_CAUSE),
	    &v), 0);
	ck_assert_uint_eq(v, PANA_TERM_LOGOUT);
}
END_TEST

START_TEST(test_notification_ping_round_trips_flags)
{
	build_empty(PANA_MSG_NOTIFY, PANA_FLAG_R | PANA_FLAG_P, 7, 13);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_NOTIFY);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_P);
}
END_TEST

START_TEST(test_every_flag_round_trips)
{
	static const uint16_t flags[] = { PANA_FLAG_R, PANA_FLAG_S,
	    PANA_FLAG_C, PANA_FLAG_A, PANA_FLAG_P, PANA_FLAG_I };
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		build_empty(PANA_MSG_AUTH, flags[i], 1, 1);
		ck_assert_int_eq(parse(), 0);
		ck_assert_uint_eq(m.hdr.flags, flags[i]);
	}
}
END_TEST

START_TEST(test_every_avp_code_round_trips)
{
	uint8_t val[18];
	uint16_t code;
	size_t vlen;
	struct pana_builder b;
	const struct pana_avp *a;

	for (code = 1; code <= PANA_AVP_CODE_MAX; code++) {
		switch (code) {
		case PANA_AVP_PAC_INFO:
			vlen = 6;
			break;
		case PANA_AVP_RELAYED_MSG:
			vlen = 16;
			break;
		case PANA_AVP_AUTH:
		case PANA_AVP_EAP_PAYLOAD:
		case PANA_AVP_NONCE:
			vlen = 3 + code;
			break;
		default:
			vlen = 4;
			break;
		}
		memset(val, 0, sizeof(val));
		val[0] = (uint8_t)code;
		if (code == PANA_AVP_RELAYED_MSG) {
			/* A bare PCI header. */
			val[3] = 16;
			val[7] = PANA_MSG_PCI;
		}
		pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0, 1, 1);
		pana_build_avp(&b, code, val, vlen);
		ck_assert_int_eq(pana_build_finish(&b, &len), 0);
		ck_assert_msg(parse() == 0, "code %u: %s", code, err);
		a = pana_msg_avp(&m, code);
		ck_assert_ptr_nonnull(a);
		ck_assert_uint_eq(a->code, code);
		ck_assert_uint_eq(a->flags, 0);
		ck_assert_uint_eq(a->len, vlen);
		ck_assert_mem_eq(a->value, val, vlen);
	}
}
END_TEST

START_TEST(test_foreign_vendor_avp_is_skipped)
{
	struct pana_builder b;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0, 1, 1);
	pana_build_vendor_avp(&b, 9, 77, "xyz", 3);
	pana_build_vendor_avp(&b, 9, GKEY_AVP_KEY_RECORD, "rec", 3);
	pana_build_avp(&b, PANA_AVP_NONCE, nonce, sizeof(nonce));
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(m.n_key_records, 0);
	ck_assert_ptr_nonnull(pana_msg_avp(&m, PANA_AVP_NONCE));
}
END_TEST

START_TEST(test_key_records_follow_the_configured_vendor_id)
{
	struct pana_builder b;
	struct pana_avp_iter it;
	const uint8_t *rec;
	size_t reclen;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0, 1, 1);
	pana_build_vendor_avp(&b, 99999, GKEY_AVP_KEY_RECORD, "rec", 3);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);

	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(m.n_key_records, 0);
	ck_assert_int_eq(pana_msg_parse(buf, len, 99999, &m, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(m.n_key_records, 1);
	pana_avp_iter_init(&it, m.buf, m.len);
	ck_assert_int_eq(pana_key_record_next(&m, &it, &rec, &reclen), 1);
	ck_assert_uint_eq(reclen, 3);
	ck_assert_mem_eq(rec, "rec", 3);
}
END_TEST

START_TEST(test_reserved_flag_bits_are_ignored_on_receive)
{
	build_empty(PANA_MSG_AUTH, 0, 1, 1);
	put16(buf + 4, PANA_FLAG_R | 0x0001);
	ck_assert_int_eq(parse(), 0);
}
END_TEST

/*
 * Malformed messages.
 */

START_TEST(test_short_header_is_rejected)
{
	build_empty(PANA_MSG_PCI, 0, 0, 0);
	ck_assert_int_eq(pana_msg_parse(buf, 15, VENDOR, &m, err,
	    sizeof(err)), PANA_E_SHORT);
	ck_assert_int_eq(pana_msg_parse(buf, 0, VENDOR, &m, err,
	    sizeof(err)), PANA_E_SHORT);
	ck_assert_ptr_nonnull(strstr(err, "shorter than"));
}
END_TEST

START_TEST(test_length_longer_than_datagram_is_rejected)
{
	build_empty(PANA_MSG_PCI, 0, 0, 0);
	put16(buf + 2, 20);
	ck_assert_int_eq(parse(), PANA_E_LENGTH);
	ck_assert_ptr_nonnull(strstr(err, "header length 20"));
}
END_TEST

START_TEST(test_length_shorter_than_datagram_is_rejected)
{
	build_empty(PANA_MSG_PCI, 0, 0, 0);
	len = 20;
	ck_assert_int_eq(parse(), PANA_E_LENGTH);
}
END_TEST

START_TEST(test_nonzero_reserved_field_is_rejected)
{
	build_empty(PANA_MSG_PCI, 0, 0, 0);
	buf[1] = 0x01;
	ck_assert_int_eq(parse(), PANA_E_RESERVED);
	ck_assert_ptr_nonnull(strstr(err, "reserved"));
}
END_TEST

START_TEST(test_unknown_message_type_is_rejected)
{
	build_empty(PANA_MSG_PCI, 0, 0, 0);
	put16(buf + 6, 0);
	ck_assert_int_eq(parse(), PANA_E_TYPE);
	put16(buf + 6, PANA_MSG_TYPE_MAX + 1);
	ck_assert_int_eq(parse(), PANA_E_TYPE);
}
END_TEST

START_TEST(test_truncated_avp_header_is_rejected)
{
	static const uint8_t avps[] = { 0, PANA_AVP_NONCE, 0, 0 };

	raw_msg(avps, sizeof(avps));
	ck_assert_int_eq(parse(), PANA_E_AVP_TRUNC);
	ck_assert_ptr_nonnull(strstr(err, "offset 16"));
}
END_TEST

START_TEST(test_avp_overrunning_the_message_is_rejected)
{
	static const uint8_t avps[] = {
		0, PANA_AVP_NONCE, 0, 0, 0, 100, 0, 0,
		1, 2, 3, 4
	};

	raw_msg(avps, sizeof(avps));
	ck_assert_int_eq(parse(), PANA_E_AVP_OVERRUN);
	ck_assert_ptr_nonnull(strstr(err, "value length 100"));
}
END_TEST

START_TEST(test_avp_missing_its_padding_is_rejected)
{
	static const uint8_t avps[] = {
		0, PANA_AVP_NONCE, 0, 0, 0, 5, 0, 0,
		1, 2, 3, 4, 5
	};

	raw_msg(avps, sizeof(avps));
	ck_assert_int_eq(parse(), PANA_E_AVP_OVERRUN);
}
END_TEST

START_TEST(test_avp_length_at_maximum_is_rejected_not_wrapped)
{
	static const uint8_t avps[] = {
		0, PANA_AVP_NONCE, 0, 0, 0xff, 0xff, 0, 0,
		1, 2, 3, 4
	};

	raw_msg(avps, sizeof(avps));
	ck_assert_int_eq(parse(), PANA_E_AVP_OVERRUN);
}
END_TEST

START_TEST(test_truncated_vendor_avp_header_is_rejected)
{
	/* V flag set but only the 8-octet base header present. */
	static const uint8_t avps[] = {
		0, GKEY_AVP_KEY_RECORD, 0x80, 0, 0, 0, 0, 0
	};

	raw_msg(avps, sizeof(avps));
	ck_assert_int_eq(parse(), PANA_E_AVP_TRUNC);
	ck_assert_ptr_nonnull(strstr(err, "vendor AVP"));
}
END_TEST

START_TEST(test_vendor_avp_overrunning_the_message_is_rejected)
{
	static const uint8_t avps[] = {
		0, GKEY_AVP_KEY_RECORD, 0x80, 0, 0, 8, 0, 0,
		0, 0, 0x7e, 0xd9, 1, 2, 3, 4
	};

	raw_msg(avps, sizeof(avps));
	ck_assert_int_eq(parse(), PANA_E_AVP_OVERRUN);
}
END_TEST

START_TEST(test_unknown_avp_is_rejected_with_a_reason)
{
	static const uint8_t avps[] = { 0, 42, 0, 0, 0, 4, 0, 0, 1, 2, 3, 4 };

	raw_msg(avps, sizeof(avps));
	ck_assert_int_eq(parse(), PANA_E_AVP_UNKNOWN);
	ck_assert_str_eq(err, "AVP code 42 at offset 16: unknown AVP");
}
END_TEST

START_TEST(test_avp_code_zero_is_unknown)
{
	static const uint8_t avps[] = { 0, 0, 0, 0, 0, 0, 0, 0 };

	raw_msg(avps, sizeof(avps));
	ck_assert_int_eq(parse(), PANA_E_AVP_UNKNOWN);
}
END_TEST

START_TEST(test_duplicate_single_instance_avp_is_rejected)
{
	struct pana_builder b;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0, 1, 1);
	pana_build_avp(&b, PANA_AVP_NONCE, nonce, sizeof(nonce));
	pana_build_avp(&b, PANA_AVP_NONCE, nonce, sizeof(nonce));
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(parse(), PANA_E_AVP_DUP);
	ck_assert_ptr_nonnull(strstr(err, "duplicate"));
}
END_TEST

START_TEST(test_unsigned32_avp_of_wrong_size_is_rejected)
{
	struct pana_builder b;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0, 1, 1);
	pana_build_avp(&b, PANA_AVP_RESULT_CODE, "\0\0\0\0\0", 5);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(parse(), PANA_E_AVP_VALUE);
}
END_TEST

START_TEST(test_pac_information_of_wrong_size_is_rejected)
{
	struct pana_builder b;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_RELAY, 0, 0, 0);
	pana_build_avp(&b, PANA_AVP_PAC_INFO, "\1\2\3\4\5\6\7", 7);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(parse(), PANA_E_AVP_VALUE);
}
END_TEST

START_TEST(test_auth_avp_lookup_reports_missing_and_duplicate)
{
	struct pana_builder b;

	build_empty(PANA_MSG_AUTH, 0, 1, 1);
	ck_assert_int_eq(pana_msg_find_auth(buf, len, NULL, NULL),
	    PANA_E_MISSING);

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0, 1, 1);
	pana_build_auth(&b, 16, NULL);
	pana_build_auth(&b, 16, NULL);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_msg_find_auth(buf, len, NULL, NULL),
	    PANA_E_AVP_DUP);
}
END_TEST

/*
 * Builder.
 */

START_TEST(test_builder_fails_cleanly_when_the_buffer_is_too_small)
{
	struct pana_builder b;
	uint8_t small[40];

	memset(small, 0xee, sizeof(small));
	ck_assert_int_eq(pana_build_start(&b, small, 30, PANA_MSG_AUTH, 0,
	    1, 1), 0);
	ck_assert_int_eq(pana_build_avp(&b, PANA_AVP_NONCE, nonce,
	    sizeof(nonce)), PANA_E_NOSPACE);
	/* Nothing was written past the buffer size given. */
	ck_assert_uint_eq(small[30], 0xee);
	/* The error sticks, even for an AVP that would fit. */
	ck_assert_int_eq(pana_build_avp_u32(&b, PANA_AVP_KEY_ID, 1),
	    PANA_E_NOSPACE);
	ck_assert_int_eq(pana_build_finish(&b, &len), PANA_E_NOSPACE);
}
END_TEST

START_TEST(test_builder_needs_room_for_the_header)
{
	struct pana_builder b;

	ck_assert_int_eq(pana_build_start(&b, buf, PANA_HDR_LEN - 1,
	    PANA_MSG_PCI, 0, 0, 0), PANA_E_NOSPACE);
	ck_assert_int_eq(pana_build_finish(&b, &len), PANA_E_NOSPACE);
}
END_TEST

START_TEST(test_builder_refuses_reserved_flags_and_unknown_types)
{
	struct pana_builder b;

	ck_assert_int_eq(pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH,
	    0x0001, 1, 1), PANA_E_ARG);
	ck_assert_int_eq(pana_build_start(&b, buf, sizeof(buf), 0, 0, 1, 1),
	    PANA_E_ARG);
	ck_assert_int_eq(pana_build_start(&b, buf, sizeof(buf), 6, 0, 1, 1),
	    PANA_E_ARG);
}
END_TEST

START_TEST(test_builder_refuses_a_message_over_65535_octets)
{
	struct pana_builder b;
	uint8_t *big, *val;

	big = malloc(70000);
	val = calloc(1, 40000);
	ck_assert_ptr_nonnull(big);
	ck_assert_ptr_nonnull(val);
	pana_build_start(&b, big, 70000, PANA_MSG_AUTH, 0, 1, 1);
	ck_assert_int_eq(pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, val, 40000),
	    0);
	ck_assert_int_eq(pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, val, 40000),
	    PANA_E_TOOBIG);
	ck_assert_int_eq(pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, val, 70000),
	    PANA_E_TOOBIG);
	free(big);
	free(val);
}
END_TEST

START_TEST(test_builder_refuses_vendor_id_zero)
{
	struct pana_builder b;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0, 1, 1);
	ck_assert_int_eq(pana_build_vendor_avp(&b, 0, 1, "x", 1), PANA_E_ARG);
}
END_TEST

/*
 * RFC 6345 relay.
 */

static void
sin4(struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
}

static void
sin6(struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &s6->sin6_addr), 1);
}

/* A PaC's PANA-Auth-Answer to relay. */
static size_t
pac_message(uint8_t *out, size_t size)
{
	struct pana_builder b;
	size_t n;

	pana_build_start(&b, out, size, PANA_MSG_AUTH, PANA_FLAG_S, 0x55, 1);
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, eap_identity_req,
	    sizeof(eap_identity_req));
	ck_assert_int_eq(pana_build_finish(&b, &n), 0);
	return n;
}

START_TEST(test_relay_push_pop_round_trips_ipv4)
{
	struct sockaddr_storage pac, got;
	struct sockaddr_in *gin = (struct sockaddr_in *)&got;
	uint8_t inner[128];
	const uint8_t *ip;
	size_t ilen, iplen;

	ilen = pac_message(inner, sizeof(inner));
	sin4(&pac, "192.0.2.7", 40001);
	ck_assert_int_eq(pana_relay_push(inner, ilen, &pac, buf, sizeof(buf),
	    &len), 0);
	/* Header + PaC-Information (8+6+2 pad) + Relayed-Message. */
	ck_assert_uint_eq(len, 16 + 16 + 8 + ilen);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_RELAY);
	ck_assert_uint_eq(m.hdr.flags, 0);
	ck_assert_uint_eq(m.hdr.session_id, 0);
	ck_assert_uint_eq(m.hdr.seq, 0);
	/* PaC-Information is the address, then the port. */
	ck_assert_mem_eq(pana_msg_avp(&m, PANA_AVP_PAC_INFO)->value,
	    "\xc0\x00\x02\x07\x9c\x41", 6);

	ck_assert_int_eq(pana_relay_pop(buf, len, &got, &ip, &iplen, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(got.ss_family, AF_INET);
	ck_assert_uint_eq(ntohs(gin->sin_port), 40001);
	ck_assert_mem_eq(&gin->sin_addr,
	    &((struct sockaddr_in *)&pac)->sin_addr, 4);
	ck_assert_uint_eq(iplen, ilen);
	ck_assert_mem_eq(ip, inner, ilen);
}
END_TEST

START_TEST(test_relay_push_pop_round_trips_ipv6)
{
	struct sockaddr_storage pac, got;
	struct sockaddr_in6 *g6 = (struct sockaddr_in6 *)&got;
	uint8_t inner[128];
	const uint8_t *ip;
	size_t ilen, iplen;

	ilen = pac_message(inner, sizeof(inner));
	sin6(&pac, "2001:db8::1:2", PANA_UDP_PORT);
	ck_assert_int_eq(pana_relay_push(inner, ilen, &pac, buf, sizeof(buf),
	    &len), 0);
	ck_assert_uint_eq(len, 16 + 28 + 8 + ilen);
	ck_assert_int_eq(parse(), 0);
	ck_assert_uint_eq(pana_msg_avp(&m, PANA_AVP_PAC_INFO)->len, 18);

	ck_assert_int_eq(pana_relay_pop(buf, len, &got, &ip, &iplen, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(got.ss_family, AF_INET6);
	ck_assert_uint_eq(ntohs(g6->sin6_port), PANA_UDP_PORT);
	ck_assert_mem_eq(&g6->sin6_addr,
	    &((struct sockaddr_in6 *)&pac)->sin6_addr, 16);
	ck_assert_uint_eq(g6->sin6_scope_id, 0);
	ck_assert_uint_eq(iplen, ilen);
	ck_assert_mem_eq(ip, inner, ilen);
}
END_TEST

START_TEST(test_relay_push_into_a_too_small_buffer_fails_cleanly)
{
	struct sockaddr_storage pac;
	uint8_t inner[128], out[256];
	size_t ilen, need, size;

	ilen = pac_message(inner, sizeof(inner));
	sin6(&pac, "2001:db8::1", 5000);
	ck_assert_int_eq(pana_relay_push(inner, ilen, &pac, out, sizeof(out),
	    &need), 0);
	for (size = 0; size < need; size++) {
		memset(out, 0xee, sizeof(out));
		ck_assert_int_eq(pana_relay_push(inner, ilen, &pac, out, size,
		    &len), PANA_E_NOSPACE);
		ck_assert_uint_eq(out[size], 0xee);
	}
}
END_TEST

START_TEST(test_relay_push_refuses_a_relay_message)
{
	struct sockaddr_storage pac;
	uint8_t inner[64];

	sin4(&pac, "192.0.2.1", 716);
	build_empty(PANA_MSG_RELAY, 0, 0, 0);
	memcpy(inner, buf, PANA_HDR_LEN);
	ck_assert_int_eq(pana_relay_push(inner, PANA_HDR_LEN, &pac, buf,
	    sizeof(buf), &len), PANA_E_RELAY);
}
END_TEST

START_TEST(test_relay_push_refuses_a_malformed_pac_message)
{
	struct sockaddr_storage pac;
	uint8_t inner[64];
	size_t ilen;

	sin4(&pac, "192.0.2.1", 716);
	ilen = pac_message(inner, sizeof(inner));
	ck_assert_int_eq(pana_relay_push(inner, ilen - 4, &pac, buf,
	    sizeof(buf), &len), PANA_E_LENGTH);
	ck_assert_int_eq(pana_relay_push(inner, 8, &pac, buf, sizeof(buf),
	    &len), PANA_E_SHORT);
}
END_TEST

START_TEST(test_relay_push_refuses_a_non_ip_address)
{
	struct sockaddr_storage pac;
	uint8_t inner[64];
	size_t ilen;

	memset(&pac, 0, sizeof(pac));
	pac.ss_family = AF_UNIX;
	ilen = pac_message(inner, sizeof(inner));
	ck_assert_int_eq(pana_relay_push(inner, ilen, &pac, buf, sizeof(buf),
	    &len), PANA_E_ADDR);
}
END_TEST

START_TEST(test_relay_pop_refuses_other_message_types)
{
	struct sockaddr_storage got;
	const uint8_t *ip;
	size_t iplen;

	len = pac_message(buf, sizeof(buf));
	ck_assert_int_eq(pana_relay_pop(buf, len, &got, &ip, &iplen, err,
	    sizeof(err)), PANA_E_RELAY);
}
END_TEST

START_TEST(test_relay_pop_refuses_nonzero_session_or_sequence)
{
	struct sockaddr_storage pac, got;
	uint8_t inner[64];
	const uint8_t *ip;
	size_t ilen, iplen;

	ilen = pac_message(inner, sizeof(inner));
	sin4(&pac, "192.0.2.1", 716);
	ck_assert_int_eq(pana_relay_push(inner, ilen, &pac, buf, sizeof(buf),
	    &len), 0);
	buf[15] = 1;
	ck_assert_int_eq(pana_relay_pop(buf, len, &got, &ip, &iplen, err,
	    sizeof(err)), PANA_E_RELAY);
	buf[15] = 0;
	buf[11] = 1;
	ck_assert_int_eq(pana_relay_pop(buf, len, &got, &ip, &iplen, err,
	    sizeof(err)), PANA_E_RELAY);
}
END_TEST

START_TEST(test_relay_pop_requires_pac_information)
{
	struct pana_builder b;
	struct sockaddr_storage got;
	uint8_t inner[64];
	const uint8_t *ip;
	size_t ilen, iplen;

	ilen = pac_message(inner, sizeof(inner));
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_RELAY, 0, 0, 0);
	pana_build_avp(&b, PANA_AVP_RELAYED_MSG, inner, ilen);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_relay_pop(buf, len, &got, &ip, &iplen, err,
	    sizeof(err)), PANA_E_MISSING);
	ck_assert_ptr_nonnull(strstr(err, "PaC-Information"));
}
END_TEST

START_TEST(test_relay_pop_requires_relayed_message)
{
	struct pana_builder b;
	struct sockaddr_storage got;
	const uint8_t *ip;
	size_t iplen;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_RELAY, 0, 0, 0);
	pana_build_avp(&b, PANA_AVP_PAC_INFO, "\xc0\x00\x02\x01\x02\xcc", 6);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_relay_pop(buf, len, &got, &ip, &iplen, err,
	    sizeof(err)), PANA_E_MISSING);
	ck_assert_ptr_nonnull(strstr(err, "Relayed-Message"));
}
END_TEST

START_TEST(test_relay_pop_refuses_an_inner_message_with_a_bad_length)
{
	struct pana_builder b;
	struct sockaddr_storage got;
	uint8_t inner[64];
	const uint8_t *ip;
	size_t ilen, iplen;

	ilen = pac_message(inner, sizeof(inner));
	put16(inner + 2, (uint16_t)(ilen + 4));
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_RELAY, 0, 0, 0);
	pana_build_avp(&b, PANA_AVP_PAC_INFO, "\xc0\x00\x02\x01\x02\xcc", 6);
	pana_build_avp(&b, PANA_AVP_RELAYED_MSG, inner, ilen);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_relay_pop(buf, len, &got, &ip, &iplen, err,
	    sizeof(err)), PANA_E_LENGTH);
}
END_TEST

START_TEST(test_relay_pop_refuses_a_nested_relay)
{
	struct pana_builder b;
	struct sockaddr_storage got;
	uint8_t inner[PANA_HDR_LEN];
	const uint8_t *ip;
	size_t iplen;

	build_empty(PANA_MSG_RELAY, 0, 0, 0);
	memcpy(inner, buf, sizeof(inner));
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_RELAY, 0, 0, 0);
	pana_build_avp(&b, PANA_AVP_PAC_INFO, "\xc0\x00\x02\x01\x02\xcc", 6);
	pana_build_avp(&b, PANA_AVP_RELAYED_MSG, inner, sizeof(inner));
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_relay_pop(buf, len, &got, &ip, &iplen, err,
	    sizeof(err)), PANA_E_RELAY);
}
END_TEST

START_TEST(test_every_error_code_has_a_message)
{
	int code;

	for (code = PANA_E_AUTH; code <= 0; code++)
		ck_assert_str_ne(pana_strerror(code), "unknown error");
	ck_assert_str_eq(pana_strerror(-1000), "unknown error");
	ck_assert_str_eq(pana_strerror(INT_MIN), "unknown error");
	ck_assert_str_eq(pana_strerror(1), "unknown error");
}
END_TEST

/* ---- retransmission timeout (RFC 5191 section 9, RFC 3315 14) ---- */

START_TEST(test_rt_first_is_irt_plus_rand_irt)
{
	ck_assert_uint_eq(pana_rt_next(0, 1000, 30000, 0), 900);
	ck_assert_uint_eq(pana_rt_next(0, 1000, 30000, 65535), 1100);
	/* The middle of the range is RAND 0, give or take an octet. */
	ck_assert_uint_eq(pana_rt_next(0, 1000, 30000, 32768), 1000);
}
END_TEST

START_TEST(test_rt_doubles_with_rand_of_the_previous)
{
	ck_assert_uint_eq(pana_rt_next(1000, 1000, 30000, 0), 1900);
	ck_assert_uint_eq(pana_rt_next(1000, 1000, 30000, 65535), 2100);
	ck_assert_uint_eq(pana_rt_next(1000, 1000, 30000, 32768), 2000);
}
END_TEST

START_TEST(test_rt_over_mrt_is_mrt_plus_rand_mrt)
{
	ck_assert_uint_eq(pana_rt_next(20000, 1000, 30000, 0), 27000);
	ck_assert_uint_eq(pana_rt_next(20000, 1000, 30000, 65535), 33000);
	/* 2 * 14000 - 1400 = 26600 is below MRT: no cap. */
	ck_assert_uint_eq(pana_rt_next(14000, 1000, 30000, 0), 26600);
}
END_TEST

START_TEST(test_rt_stays_within_ten_percent)
{
	uint64_t rt, prev = 0, want;
	unsigned int r, i;

	for (r = 0; r <= 65535; r += 4097) {
		prev = 0;
		for (i = 0; i < 12; i++) {
			rt = pana_rt_next(prev, 1000, 30000, (uint16_t)r);
			want = prev == 0 ? 1000 : 2 * prev;
			if (want > 30000 && 2 * prev + prev / 10 > 30000)
				want = 30000;
			if (rt * 10 < want * 9 - 10 || rt * 10 > want * 11 + 10)
				ck_abort_msg("r %u step %u: %llu for %llu", r, i,
				    (unsigned long long)rt,
				    (unsigned long long)want);
			prev = rt;
		}
	}
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("pana_msg");
	TCase *tc;

	tc = tcase_create("round trips");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_pci_round_trips_with_zero_session_and_sequence);
	tcase_add_test(tc, test_start_request_round_trips_algorithm_lists);
	tcase_add_test(tc,
	    test_auth_request_round_trips_nonce_and_padded_eap_payload);
	tcase_add_test(tc,
	    test_complete_request_round_trips_key_records_and_auth);
	tcase_add_test(tc, test_auth_answer_round_trips_without_request_flag);
	tcase_add_test(tc, test_termination_request_round_trips_cause);
	tcase_add_test(tc, test_notification_ping_round_trips_flags);
	tcase_add_test(tc, test_every_flag_round_trips);
	tcase_add_test(tc, test_every_avp_code_round_trips);
	tcase_add_test(tc, test_foreign_vendor_avp_is_skipped);
	tcase_add_test(tc, test_key_records_follow_the_configured_vendor_id);
	tcase_add_test(tc, test_reserved_flag_bits_are_ignored_on_receive);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_short_header_is_rejected);
	tcase_add_test(tc, test_length_longer_than_datagram_is_rejected);
	tcase_add_test(tc, test_length_shorter_than_datagram_is_rejected);
	tcase_add_test(tc, test_nonzero_reserved_field_is_rejected);
	tcase_add_test(tc, test_unknown_message_type_is_rejected);
	tcase_add_test(tc, test_truncated_avp_header_is_rejected);
	tcase_add_test(tc, test_avp_overrunning_the_message_is_rejected);
	tcase_add_test(tc, test_avp_missing_its_padding_is_rejected);
	tcase_add_test(tc, test_avp_length_at_maximum_is_rejected_not_wrapped);
	tcase_add_test(tc, test_truncated_vendor_avp_header_is_rejected);
	tcase_add_test(tc, test_vendor_avp_overrunning_the_message_is_rejected);
	tcase_add_test(tc, test_unknown_avp_is_rejected_with_a_reason);
	tcase_add_test(tc, test_avp_code_zero_is_unknown);
	tcase_add_test(tc, test_duplicate_single_instance_avp_is_rejected);
	tcase_add_test(tc, test_unsigned32_avp_of_wrong_size_is_rejected);
	tcase_add_test(tc, test_pac_information_of_wrong_size_is_rejected);
	tcase_add_test(tc, test_auth_avp_lookup_reports_missing_and_duplicate);
	suite_add_tcase(s, tc);

	tc = tcase_create("builder");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc,
	    test_builder_fails_cleanly_when_the_buffer_is_too_small);
	tcase_add_test(tc, test_builder_needs_room_for_the_header);
	tcase_add_test(tc, test_builder_refuses_reserved_flags_and_unknown_types);
	tcase_add_test(tc, test_builder_refuses_a_message_over_65535_octets);
	tcase_add_test(tc, test_builder_refuses_vendor_id_zero);
	tcase_add_test(tc, test_every_error_code_has_a_message);
	suite_add_tcase(s, tc);

	tc = tcase_create("relay");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_relay_push_pop_round_trips_ipv4);
	tcase_add_test(tc, test_relay_push_pop_round_trips_ipv6);
	tcase_add_test(tc,
	    test_relay_push_into_a_too_small_buffer_fails_cleanly);
	tcase_add_test(tc, test_relay_push_refuses_a_relay_message);
	tcase_add_test(tc, test_relay_push_refuses_a_malformed_pac_message);
	tcase_add_test(tc, test_relay_push_refuses_a_non_ip_address);
	tcase_add_test(tc, test_relay_pop_refuses_other_message_types);
	tcase_add_test(tc, test_relay_pop_refuses_nonzero_session_or_sequence);
	tcase_add_test(tc, test_relay_pop_requires_pac_information);
	tcase_add_test(tc, test_relay_pop_requires_relayed_message);
	tcase_add_test(tc,
	    test_relay_pop_refuses_an_inner_message_with_a_bad_length);
	tcase_add_test(tc, test_relay_pop_refuses_a_nested_relay);
	suite_add_tcase(s, tc);

	tc = tcase_create("retransmission timeout");
	tcase_add_test(tc, test_rt_first_is_irt_plus_rand_irt);
	tcase_add_test(tc, test_rt_doubles_with_rand_of_the_previous);
	tcase_add_test(tc, test_rt_over_mrt_is_mrt_plus_rand_mrt);
	tcase_add_test(tc, test_rt_stays_within_ten_percent);
	suite_add_tcase(s, tc);

	return s;
}
