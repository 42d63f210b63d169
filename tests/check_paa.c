/*
 * check_paa.c - unit tests for the PAA state machine (pana-relay/paa.c),
 * the relay (relay.c) and the configuration parser (relayd_conf.c), without
 * sockets: a scripted PaC built on pana_msg/pana_crypto talks to the PAA
 * in the environment of paa_harness.c (captured datagrams, a fake AAA
 * server, a clock the tests move, the PAA's log lines).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "relayd_conf.h"
#include "paa.h"
#include "paa_harness.h"
#include "pana_crypto.h"
#include "pana_msg.h"
#include "plog.h"
#include "relay.h"

#define OUT_SIZE	8192		/* the test PaC's buffers */
#define VENDOR		GKEY_VENDOR_ID_DEFAULT

/* ------------------------------------------------------------ harness */

static struct paa_harness h;

static void __attribute__((noreturn))
harness_fail(const char *why)
{
	ck_abort_msg("harness: %s", why);
	abort();		/* not reached */
}

/* The configuration of the tests: short timers, small numbers. */
static void
setup_cfg(void)
{
	ph_init(&h, harness_fail);
	h.cfg.idle_timeout_ms = 5000;
	h.cfg.closed_linger_ms = 1000;
	h.echo_log = 1;
}

static void
start(void)
{
	ph_start(&h, 0x12345678, 1000000);
}

static void
setup(void)
{
	setup_cfg();
	start();
}

static void
teardown(void)
{
	ph_stop(&h);
}

/* As setup, with the debug lines in the log the tests read. */
static void
setup_debug(void)
{
	log_init(1, 1, "check_paa");
	setup();
}

static void
teardown_debug(void)
{
	teardown();
	log_init(1, 0, "check_paa");
}

/* ------------------------------------------------------------ test PaC */

struct tpac {
	struct sockaddr_storage	addr;
	uint32_t		sid;
	uint32_t		par_seq;	/* last PAR received */
	uint32_t		my_seq;		/* next request of ours */
	uint8_t			i_par[512], i_pan[512];
	size_t			i_par_len, i_pan_len;
	uint8_t			pac_nonce[20], paa_nonce[64];
	size_t			paa_nonce_len;
	uint32_t		prf, integ;
	uint8_t			key[PANA_AUTH_KEY_MAX];
	size_t			keylen;
	int			have_key;
	uint32_t		key_id;
	uint8_t			last[OUT_SIZE];
	size_t			last_len;
};

static void
tpac_init(struct tpac *t, const char *ip, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&t->addr;

	memset(t, 0, sizeof(*t));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
	memset(t->pac_nonce, 0xab, sizeof(t->pac_nonce));
	t->my_seq = 5000;
}

/* Finish b, sign with the current key if asked, keep a copy, deliver. */
static void
tpac_send(struct tpac *t, struct pana_builder *b, int sign)
{
	size_t len;

	ck_assert_int_eq(pana_build_finish(b, &len), 0);
	if (sign)
		ck_assert_int_eq(pana_auth_sign(t->integ, t->key, t->keylen,
		    b->buf, len), 0);
	memcpy(t->last, b->buf, len);
	t->last_len = len;
	ph_input(&h, &t->addr, b->buf, len);
}

static void
tpac_begin(struct tpac *t, struct pana_builder *b, uint8_t *buf,
    uint16_t type, uint16_t flags, uint32_t seq)
{
	ck_assert_int_eq(pana_build_start(b, buf, OUT_SIZE, type, flags,
	    t->sid, seq), 0);
}

/* The last datagram the PAA sent, parsed; it must be one. */
static void
last_out(struct pana_msg *m)
{
	const struct ph_sent *o = ph_last(&h);

	ck_assert_int_gt(h.nout, 0);
	ck_assert_int_eq(pana_msg_parse(o->buf, o->len, VENDOR, m, NULL, 0),
	    0);
}

static void
pci(struct tpac *t)
{
	struct pana_builder b;
	uint8_t buf[64];

	ck_assert_int_eq(pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI,
	    0, 0, 0), 0);
	tpac_send(t, &b, 0);
}

/* PCI, PAR[S], PAN[S]: leaves the PAR with EAP-Request/Identity. */
static void
handshake(struct tpac *t, uint32_t prf, uint32_t integ)
{
	struct pana_builder b;
	struct pana_msg m;
	uint8_t buf[OUT_SIZE];
	int n0 = h.nout;

	pci(t);
	ck_assert_int_eq(h.nout, n0 + 1);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_AUTH);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_S);
	ck_assert_uint_eq(m.count[PANA_AVP_PRF_ALG], 2);
	ck_assert_uint_eq(m.count[PANA_AVP_INTEGRITY_ALG], 2);
	ck_assert_ptr_null(pana_msg_avp(&m, PANA_AVP_EAP_PAYLOAD));
	t->sid = m.hdr.session_id;
	t->par_seq = m.hdr.seq;
	memcpy(t->i_par, m.buf, m.len);
	t->i_par_len = m.len;

	t->prf = prf;
	t->integ = integ;
	tpac_begin(t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_S, t->par_seq);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, prf);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, integ);
	tpac_send(t, &b, 0);
	memcpy(t->i_pan, t->last, t->last_len);
	t->i_pan_len = t->last_len;

	ck_assert_int_eq(h.nout, n0 + 2);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R);
	ck_assert_uint_eq(m.hdr.seq, t->par_seq + 1);
	ck_assert_ptr_nonnull(pana_msg_avp(&m, PANA_AVP_NONCE));
	ck_assert_ptr_nonnull(pana_msg_avp(&m, PANA_AVP_EAP_PAYLOAD));
	ck_assert_uint_eq(m.avp[PANA_AVP_EAP_PAYLOAD].len, 5);
	ck_assert_uint_eq(m.avp[PANA_AVP_EAP_PAYLOAD].value[4], 1);
	t->par_seq = m.hdr.seq;
	t->paa_nonce_len = m.avp[PANA_AVP_NONCE].len;
	memcpy(t->paa_nonce, m.avp[PANA_AVP_NONCE].value, t->paa_nonce_len);
}

/* PAN to the last PAR with an EAP-Response (and the Nonce if first). */
static void
pan_eap(struct tpac *t, int with_nonce)
{
	struct pana_builder b;
	uint8_t buf[OUT_SIZE];
	static const uint8_t resp[] = { 2, 1, 0, 9, 1, 'n', 'o', 'd', 'e' };

	tpac_begin(t, &b, buf, PANA_MSG_AUTH, 0, t->par_seq);
	if (with_nonce)
		pana_build_avp(&b, PANA_AVP_NONCE, t->pac_nonce,
		    sizeof(t->pac_nonce));
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, resp, sizeof(resp));
	if (t->have_key)
		pana_build_auth(&b, pana_auth_mac_len(t->integ), NULL);
	tpac_send(t, &b, t->have_key);
}

/* PAR[C] received: derive the key as the PaC would, check AUTH. */
static void
take_par_c(struct tpac *t, uint32_t lifetime)
{
	struct pana_kdf_input in;
	struct pana_msg m;
	struct pana_avp_iter it;
	const uint8_t *rec;
	size_t reclen;
	uint32_t v;
	int n = 0;

	last_out(&m);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_C);
	ck_assert_uint_eq(m.hdr.seq, t->par_seq + 1);
	t->par_seq = m.hdr.seq;
	ck_assert_int_eq(pana_avp_u32(pana_msg_avp(&m, PANA_AVP_RESULT_CODE),
	    &v), 0);
	ck_assert_uint_eq(v, PANA_SUCCESS);
	ck_assert_int_eq(pana_avp_u32(pana_msg_avp(&m,
	    PANA_AVP_SESSION_LIFETIME), &v), 0);
	ck_assert_uint_eq(v, lifetime);
	ck_assert_int_eq(pana_avp_u32(pana_msg_avp(&m, PANA_AVP_KEY_ID),
	    &t->key_id), 0);
	ck_assert_uint_eq(m.n_key_records, 2);
	pana_avp_iter_init(&it, m.buf, m.len);
	while (pana_key_record_next(&m, &it, &rec, &reclen) == 1)
		n++;
	ck_assert_int_eq(n, 2);

	memset(&in, 0, sizeof(in));
	in.msk = ph_msk;
	in.msk_len = sizeof(ph_msk);
	in.i_par = t->i_par;
	in.i_par_len = t->i_par_len;
	in.i_pan = t->i_pan;
	in.i_pan_len = t->i_pan_len;
	in.pac_nonce = t->pac_nonce;
	in.pac_nonce_len = sizeof(t->pac_nonce);
	in.paa_nonce = t->paa_nonce;
	in.paa_nonce_len = t->paa_nonce_len;
	in.key_id = t->key_id;
	ck_assert_int_eq(pana_auth_key_derive(t->prf, t->integ, &in, t->key,
	    sizeof(t->key), &t->keylen), 0);
	ck_assert_int_eq(pana_auth_verify(t->integ, t->key, t->keylen, m.buf,
	    m.len), 0);
	t->have_key = 1;
}

static void
pan_c(struct tpac *t)
{
	struct pana_builder b;
	uint8_t buf[OUT_SIZE];

	tpac_begin(t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_C, t->par_seq);
	pana_build_avp_u32(&b, PANA_AVP_KEY_ID, t->key_id);
	pana_build_auth(&b, pana_auth_mac_len(t->integ), NULL);
	tpac_send(t, &b, 1);
}

/* A whole authentication with one challenge round. */
static void
authenticate(struct tpac *t, uint32_t prf, uint32_t integ)
{
	struct pana_msg m;
	struct paa_session_info info;

	handshake(t, prf, integ);
	pan_eap(t, 1);
	ck_assert_int_eq(h.naaa, 1);
	ck_assert_int_eq(h.aaa_first, 1);
	ck_assert_uint_eq(h.aaa_sid, t->sid);
	ck_assert_uint_eq(h.aaa_eap_len, 9);
	ph_aaa(&h, t->sid, PAA_AAA_CHALLENGE, 0);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.seq, t->par_seq + 1);
	ck_assert_uint_eq(m.avp[PANA_AVP_EAP_PAYLOAD].len, 6);
	ck_assert_ptr_null(pana_msg_avp(&m, PANA_AVP_AUTH));
	t->par_seq = m.hdr.seq;
	pan_eap(t, 0);
	ck_assert_int_eq(h.naaa, 2);
	ck_assert_int_eq(h.aaa_first, 0);
	ph_aaa(&h, t->sid, PAA_AAA_ACCEPT, 600);
	take_par_c(t, 600);
	pan_c(t);
	ck_assert_int_eq(paa_session_info(h.paa, t->sid, &info), 0);
	ck_assert_int_eq(info.state, PAA_ST_OPEN);
	ck_assert_uint_eq(info.key_id, t->key_id);
	ck_assert_uint_eq(info.prf_alg, prf);
	ck_assert_uint_eq(info.integ_alg, integ);
}

/* A signed PNR with the given flags and sequence number. */
static void
pnr(struct tpac *t, uint16_t flags, uint32_t seq)
{
	struct pana_builder b;
	uint8_t buf[OUT_SIZE];

	tpac_begin(t, &b, buf, PANA_MSG_NOTIFY, PANA_FLAG_R | flags, seq);
	pana_build_auth(&b, pana_auth_mac_len(t->integ), NULL);
	tpac_send(t, &b, 1);
}

/* ------------------------------------------------------------ tests */

START_TEST(test_full_exchange)
{
	struct tpac t;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_uint_eq(paa_stats(h.paa)->sessions_open, 1);
	ck_assert_uint_eq(paa_stats(h.paa)->malformed, 0);
	ck_assert(memcmp(&h.out[0].to, &t.addr, sizeof(struct sockaddr_in))
	    == 0);
}
END_TEST

START_TEST(test_sha1_suite)
{
	struct tpac t;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA1, PANA_AUTH_HMAC_SHA1_160);
}
END_TEST

START_TEST(test_pan_s_bad_choice)
{
	struct tpac t;
	struct pana_builder b;
	struct paa_session_info info;
	uint8_t buf[256];
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	pci(&t);
	t.sid = (uint32_t)h.out[0].buf[8] << 24 | h.out[0].buf[9] << 16 |
	    h.out[0].buf[10] << 8 | h.out[0].buf[11];
	t.par_seq = (uint32_t)h.out[0].buf[12] << 24 | h.out[0].buf[13] << 16 |
	    h.out[0].buf[14] << 8 | h.out[0].buf[15];
	n0 = h.nout;
	/* Two PRF algorithms: must choose exactly one. */
	tpac_begin(&t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_S, t.par_seq);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA1);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, 12);
	tpac_send(&t, &b, 0);
	/* An algorithm that was not offered. */
	tpac_begin(&t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_S, t.par_seq);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, 99);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, 12);
	tpac_send(&t, &b, 0);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_uint_eq(paa_stats(h.paa)->unexpected, 2);
	ck_assert(ph_logged(&h, "PAN[S] from 192.0.2.10:40000 without exactly "
	    "one PRF-Algorithm and one Integrity-Algorithm: dropped"));
	ck_assert(ph_logged(&h, "PAN[S] from 192.0.2.10:40000 chose an "
	    "algorithm not offered: dropped"));
	/* No session came of them. */
	ck_assert_int_eq(paa_session_info(h.paa, t.sid, &info), -1);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
}
END_TEST

START_TEST(test_duplicate_request_from_cache)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;
	pnr(&t, PANA_FLAG_P, t.my_seq);
	ck_assert_int_eq(h.nout, n0 + 1);
	ck_assert_uint_eq(h.out[n0].buf[5] & 0xff, 0);	/* PNA: no R */
	/* The same request again: the same answer, octet for octet. */
	ph_input(&h, &t.addr, t.last, t.last_len);
	ck_assert_int_eq(h.nout, n0 + 2);
	ck_assert_uint_eq(h.out[n0 + 1].len, h.out[n0].len);
	ck_assert(memcmp(h.out[n0 + 1].buf, h.out[n0].buf, h.out[n0].len) == 0);
	ck_assert_uint_eq(paa_stats(h.paa)->duplicates, 1);
	/* A repeated PNR[A] does not start a second re-authentication. */
	pnr(&t, PANA_FLAG_A, t.my_seq + 1);
	ck_assert_int_eq(h.nout, n0 + 4);	/* PNA[A] and the PAR */
	ph_input(&h, &t.addr, t.last, t.last_len);
	ck_assert_int_eq(h.nout, n0 + 5);	/* only the PNA[A] again */
	ck_assert_uint_eq(paa_stats(h.paa)->duplicates, 2);
}
END_TEST

START_TEST(test_stale_and_future_seq)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pnr(&t, PANA_FLAG_P, t.my_seq);
	pnr(&t, PANA_FLAG_P, t.my_seq + 1);
	n0 = h.nout;
	pnr(&t, PANA_FLAG_P, t.my_seq - 5);	/* stale */
	pnr(&t, PANA_FLAG_P, t.my_seq + 7);	/* future */
	ck_assert_int_eq(h.nout, n0);
	ck_assert_uint_eq(paa_stats(h.paa)->bad_seq, 2);
	/* An answer with the wrong sequence number. */
	pnr(&t, PANA_FLAG_A, t.my_seq + 2);
	ck_assert_int_eq(h.nout, n0 + 2);
	{
		struct pana_builder b;
		uint8_t buf[256];

		tpac_begin(&t, &b, buf, PANA_MSG_AUTH, 0, t.par_seq - 3);
		pana_build_avp(&b, PANA_AVP_NONCE, t.pac_nonce, 20);
		pana_build_auth(&b, pana_auth_mac_len(t.integ), NULL);
		tpac_send(&t, &b, 1);
	}
	ck_assert_uint_eq(paa_stats(h.paa)->bad_seq, 3);
	/* The session is still usable. */
	pnr(&t, PANA_FLAG_P, t.my_seq + 3);
	ck_assert_int_eq(h.nout, n0 + 3);
}
END_TEST

START_TEST(test_bad_auth_dropped)
{
	struct tpac t;
	struct pana_builder b;
	uint8_t buf[256];
	size_t len;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;
	/* A flipped bit in the AUTH value. */
	tpac_begin(&t, &b, buf, PANA_MSG_NOTIFY, PANA_FLAG_R | PANA_FLAG_P,
	    t.my_seq);
	pana_build_auth(&b, 16, NULL);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_auth_sign(t.integ, t.key, t.keylen, buf, len),
	    0);
	buf[len - 1] ^= 1;
	ph_input(&h, &t.addr, buf, len);
	/* No AUTH at all. */
	tpac_begin(&t, &b, buf, PANA_MSG_NOTIFY, PANA_FLAG_R | PANA_FLAG_P,
	    t.my_seq);
	tpac_send(&t, &b, 0);
	/* A truncated AUTH value. */
	tpac_begin(&t, &b, buf, PANA_MSG_NOTIFY, PANA_FLAG_R | PANA_FLAG_P,
	    t.my_seq);
	pana_build_avp(&b, PANA_AVP_AUTH, "0123456789", 10);
	tpac_send(&t, &b, 0);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_uint_eq(paa_stats(h.paa)->bad_auth, 3);
	/* The sequence number was not consumed by the forgeries. */
	pnr(&t, PANA_FLAG_P, t.my_seq);
	ck_assert_int_eq(h.nout, n0 + 1);
}
END_TEST

START_TEST(test_unknown_session_and_wrong_source)
{
	struct tpac t, other;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;
	t.sid ^= 0x80000000;
	pnr(&t, PANA_FLAG_P, t.my_seq);
	t.sid ^= 0x80000000;
	ck_assert_uint_eq(paa_stats(h.paa)->unknown_session, 1);
	/* The right session from another address, without its key. */
	other = t;
	tpac_init(&other, "192.0.2.99", 40000);
	memset(other.key, 0x55, sizeof(other.key));
	other.keylen = t.keylen;
	other.integ = t.integ;
	other.sid = t.sid;
	pnr(&other, PANA_FLAG_P, t.my_seq);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_uint_eq(paa_stats(h.paa)->bad_auth, 1);
	ck_assert_uint_eq(paa_stats(h.paa)->address_updates, 0);
}
END_TEST

/*
 * A datagram that is not a PANA message the PAA could accept: dropped,
 * counted as malformed, no answer and no session, and the log says why.
 */
static void
expect_malformed(const uint8_t *buf, size_t len, const char *reason)
{
	struct tpac t;

	tpac_init(&t, "192.0.2.10", 40000);
	ph_input(&h, &t.addr, buf, len);
	ck_assert_int_eq(h.nout, 0);
	ck_assert_uint_eq(paa_stats(h.paa)->malformed, 1);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_msg(ph_logged(&h, reason), "no log line with '%s'", reason);
}

START_TEST(test_malformed_short_datagram)
{
	static const uint8_t shortmsg[10];

	expect_malformed(shortmsg, sizeof(shortmsg),
	    "10 octets, shorter than the 16-octet PANA header: dropped");
}
END_TEST

START_TEST(test_malformed_unknown_avp)
{
	struct pana_builder b;
	uint8_t buf[64];
	size_t len;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	pana_build_avp(&b, 77, "x", 1);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	expect_malformed(buf, len, "AVP code 77 at offset 16: unknown AVP");
}
END_TEST

START_TEST(test_malformed_truncated_datagram)
{
	struct pana_builder b;
	uint8_t buf[64];
	size_t len;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	pana_build_avp(&b, 77, "x", 1);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	expect_malformed(buf, len - 1,
	    "header length 28 but 27 octets received");
}
END_TEST

START_TEST(test_malformed_pci_with_r_flag)
{
	struct pana_builder b;
	uint8_t buf[64];
	size_t len;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, PANA_FLAG_R, 0, 0);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	expect_malformed(buf, len, "malformed PCI from 192.0.2.10:40000: "
	    "session id 0x00000000, sequence 0, flags 0x8000");
}
END_TEST

START_TEST(test_malformed_pci_with_session_id)
{
	struct pana_builder b;
	uint8_t buf[64];
	size_t len;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 9, 0);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	expect_malformed(buf, len, "malformed PCI from 192.0.2.10:40000: "
	    "session id 0x00000009, sequence 0, flags 0x0000");
}
END_TEST

/* Caps of three sessions in all and two per PaC address. */
static void
setup_caps(void)
{
	setup_cfg();
	h.cfg.max_sessions = 3;
	h.cfg.max_per_addr = 2;
	start();
}

/* PCI and PAN[S]: the session exists from the PAN[S] on (if room). */
static void
start_session(struct tpac *t)
{
	struct pana_builder b;
	struct pana_msg m;
	uint8_t buf[128];

	pci(t);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_S);
	t->sid = m.hdr.session_id;
	t->par_seq = m.hdr.seq;
	tpac_begin(t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_S, t->par_seq);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG,
	    PANA_AUTH_HMAC_SHA2_256_128);
	tpac_send(t, &b, 0);
}

START_TEST(test_cap_per_address)
{
	struct tpac a1, a2, b1;
	int n;

	tpac_init(&a1, "192.0.2.1", 1000);
	tpac_init(&a2, "192.0.2.1", 1001);
	tpac_init(&b1, "192.0.2.1", 1002);
	start_session(&a1);
	start_session(&a2);
	ck_assert_uint_eq(paa_session_count(h.paa), 2);
	n = h.nout;
	start_session(&b1);		/* a third from 192.0.2.1 */
	ck_assert_int_eq(h.nout, n + 1);	/* the PAR[S] only */
	ck_assert_uint_eq(paa_session_count(h.paa), 2);
	ck_assert_uint_eq(paa_stats(h.paa)->over_cap, 1);
	ck_assert(ph_logged(&h, "PAN[S] from 192.0.2.1:1002 dropped: 2 "
	    "sessions for that address, the maximum"));
}
END_TEST

START_TEST(test_cap_total)
{
	struct tpac a1, a2, c1, d1;
	int n;

	tpac_init(&a1, "192.0.2.1", 1000);
	tpac_init(&a2, "192.0.2.1", 1001);
	tpac_init(&c1, "192.0.2.2", 1000);
	tpac_init(&d1, "192.0.2.3", 1000);
	start_session(&a1);
	start_session(&a2);
	start_session(&c1);
	ck_assert_uint_eq(paa_session_count(h.paa), 3);
	n = h.nout;
	start_session(&d1);		/* over the total */
	ck_assert_uint_eq(paa_session_count(h.paa), 3);
	ck_assert_uint_eq(paa_stats(h.paa)->over_cap, 1);
	ck_assert_int_eq(h.nout, n + 1);
	ck_assert(ph_logged(&h, "PAN[S] from 192.0.2.3:1000 dropped: 3 "
	    "sessions, the maximum"));
}
END_TEST

START_TEST(test_cap_pci_still_answered_when_full)
{
	struct tpac a1, a2, c1, d1;
	int n;

	tpac_init(&a1, "192.0.2.1", 1000);
	tpac_init(&a2, "192.0.2.1", 1001);
	tpac_init(&c1, "192.0.2.2", 1000);
	tpac_init(&d1, "192.0.2.3", 1000);
	start_session(&a1);
	start_session(&a2);
	start_session(&c1);
	/* The table is full, yet a PCI costs nothing and is answered. */
	n = h.nout;
	pci(&d1);
	ck_assert_int_eq(h.nout, n + 1);
	ck_assert_uint_eq(paa_stats(h.paa)->over_cap, 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 3);
}
END_TEST

START_TEST(test_retransmission_and_giving_up)
{
	struct tpac t;
	int64_t to;
	int n0;

	/* RAND 0 (0x8080 is within 0.0004 of it): the bare back-off. */
	h.rng_fixed = 1;
	h.rng_byte = 0x80;
	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;			/* the first EAP PAR is out */
	to = paa_next_timeout(h.paa, h.now);
	ck_assert_int_eq(to, 100);
	ph_advance(&h, 99);
	ck_assert_int_eq(h.nout, n0);
	ph_advance(&h, 1);
	ck_assert_int_eq(h.nout, n0 + 1);	/* after 100 ms */
	ck_assert(memcmp(h.out[n0 - 1].buf, h.out[n0].buf,
	    h.out[n0].len) == 0);
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 200);
	ph_advance(&h, 200);
	ck_assert_int_eq(h.nout, n0 + 2);	/* after 200 more */
	ph_advance(&h, 400);
	ck_assert_int_eq(h.nout, n0 + 3);	/* 400, the maximum */
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 400);
	ph_advance(&h, 400);		/* 3 retransmissions: done */
	ck_assert_int_eq(h.nout, n0 + 3);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->retransmits, 3);
	ck_assert_uint_eq(paa_stats(h.paa)->expired_retransmit, 1);
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), -1);
}
END_TEST

START_TEST(test_idle_expiry)
{
	struct tpac t;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pan_eap(&t, 1);		/* now waiting for the AAA server */
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 5000);
	ph_advance(&h, 5000);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_int_eq(h.aaa_freed, 1);
	ck_assert_uint_eq(paa_stats(h.paa)->expired_idle, 1);
	/* A late AAA answer for it is ignored. */
	ph_aaa(&h, t.sid, PAA_AAA_ACCEPT, 600);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
}
END_TEST

START_TEST(test_reject)
{
	struct tpac t;
	struct pana_msg m;
	struct pana_builder b;
	uint8_t buf[128];
	uint32_t v;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pan_eap(&t, 1);
	ph_aaa(&h, t.sid, PAA_AAA_REJECT, 0);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_C);
	ck_assert_int_eq(pana_avp_u32(pana_msg_avp(&m, PANA_AVP_RESULT_CODE),
	    &v), 0);
	ck_assert_uint_eq(v, PANA_AUTHENTICATION_REJECTED);
	ck_assert_ptr_null(pana_msg_avp(&m, PANA_AVP_AUTH));
	ck_assert_ptr_null(pana_msg_avp(&m, PANA_AVP_KEY_ID));
	ck_assert_uint_eq(m.avp[PANA_AVP_EAP_PAYLOAD].value[0], 4);
	tpac_begin(&t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_C, m.hdr.seq);
	tpac_send(&t, &b, 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->sessions_rejected, 1);
}
END_TEST

START_TEST(test_aaa_unreachable)
{
	struct tpac t;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pan_eap(&t, 1);
	ph_aaa(&h, t.sid, PAA_AAA_FAIL, 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	/* aaa_send failing at once drops the session too. */
	tpac_init(&t, "192.0.2.11", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	h.aaa_fail = 1;
	pan_eap(&t, 1);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->fail_aaa_timeout, 1);
	ck_assert_uint_eq(paa_stats(h.paa)->fail_aaa_error, 1);
}
END_TEST

/* The key a session had before its re-authentication. */
struct old_key {
	uint32_t	id;
	uint8_t		key[PANA_AUTH_KEY_MAX];
	size_t		len;
};

/*
 * An open session whose key is kept in old, then the PaC's PNR[A].
 * Returns h.nout before the PNR[A].
 */
static int
reauth_request(struct tpac *t, struct old_key *old)
{
	int n0;

	tpac_init(t, "192.0.2.10", 40000);
	authenticate(t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	old->id = t->key_id;
	memcpy(old->key, t->key, sizeof(old->key));
	old->len = t->keylen;
	n0 = h.nout;
	pnr(t, PANA_FLAG_A, t->my_seq);
	return n0;
}

/* The PaC answers the PAR of the new exchange: new Nonce, EAP-Response. */
static void
reauth_answer_par(struct tpac *t)
{
	struct pana_msg m;

	last_out(&m);
	memcpy(t->paa_nonce, m.avp[PANA_AVP_NONCE].value, 20);
	t->par_seq = m.hdr.seq;
	t->pac_nonce[0] ^= 0xff;
	pan_eap(t, 1);
}

START_TEST(test_reauth_pnr_a_answered_under_current_key)
{
	struct tpac t;
	struct old_key old;
	struct pana_msg m;
	int n0;

	n0 = reauth_request(&t, &old);
	ck_assert_int_eq(h.nout, n0 + 2);
	/* PNA[A], signed with the current key. */
	ck_assert_int_eq(pana_msg_parse(h.out[n0].buf, h.out[n0].len, VENDOR,
	    &m, NULL, 0), 0);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_A);
	ck_assert_uint_eq(m.hdr.seq, t.my_seq);
	ck_assert_int_eq(pana_auth_verify(t.integ, t.key, t.keylen, m.buf,
	    m.len), 0);
}
END_TEST

START_TEST(test_reauth_par_has_fresh_nonce_under_old_key)
{
	struct tpac t;
	struct old_key old;
	struct pana_msg m;

	reauth_request(&t, &old);
	/* PAR with a fresh Nonce and EAP-Request/Identity, old key. */
	last_out(&m);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R);
	ck_assert_uint_eq(m.hdr.seq, t.par_seq + 1);
	ck_assert_int_eq(pana_auth_verify(t.integ, t.key, t.keylen, m.buf,
	    m.len), 0);
	ck_assert(memcmp(m.avp[PANA_AVP_NONCE].value, t.paa_nonce, 20) != 0);
}
END_TEST

START_TEST(test_reauth_aaa_request_is_first_of_a_reauth)
{
	struct tpac t;
	struct old_key old;

	reauth_request(&t, &old);
	reauth_answer_par(&t);
	ck_assert_int_eq(h.aaa_first, 1);
	ck_assert_int_eq(h.aaa_reauth, 1);
}
END_TEST

START_TEST(test_reauth_old_key_holds_during_exchange)
{
	struct tpac t;
	struct old_key old;
	struct paa_session_info info;

	reauth_request(&t, &old);
	reauth_answer_par(&t);
	ck_assert_int_eq(paa_session_info(h.paa, t.sid, &info), 0);
	ck_assert_uint_eq(info.key_id, old.id);
}
END_TEST

START_TEST(test_reauth_new_key_after_par_c)
{
	struct tpac t;
	struct old_key old;
	struct paa_session_info info;

	reauth_request(&t, &old);
	reauth_answer_par(&t);
	ph_aaa(&h, t.sid, PAA_AAA_ACCEPT, 900);
	take_par_c(&t, 900);		/* verified with the new key */
	ck_assert_uint_ne(t.key_id, old.id);
	ck_assert(t.keylen != old.len ||
	    memcmp(t.key, old.key, old.len) != 0);
	pan_c(&t);
	ck_assert_int_eq(paa_session_info(h.paa, t.sid, &info), 0);
	ck_assert_int_eq(info.state, PAA_ST_OPEN);
	ck_assert_uint_eq(info.key_id, t.key_id);
	ck_assert_uint_eq(info.lifetime, 900);
}
END_TEST

START_TEST(test_reauth_old_key_refused_after)
{
	struct tpac t;
	struct old_key old;
	int n0;

	reauth_request(&t, &old);
	reauth_answer_par(&t);
	ph_aaa(&h, t.sid, PAA_AAA_ACCEPT, 900);
	take_par_c(&t, 900);
	pan_c(&t);
	/* Messages under the old key are refused now. */
	memcpy(t.key, old.key, sizeof(old.key));
	n0 = h.nout;
	ph_clear_log(&h);
	pnr(&t, PANA_FLAG_P, t.my_seq + 1);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_uint_eq(paa_stats(h.paa)->bad_auth, 1);
	ck_assert(ph_logged(&h, "AUTH does not verify: dropped"));
}
END_TEST

START_TEST(test_lifetime)
{
	struct tpac t;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 600 * 1000);
	ph_advance(&h, 600 * 1000 - 1);
	ck_assert_uint_eq(paa_session_count(h.paa), 1);
	ph_advance(&h, 1);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->sessions_expired, 1);
	ck_assert_uint_eq(paa_stats(h.paa)->expired_lifetime, 1);
}
END_TEST

struct walked {
	int			n;
	uint32_t		id[4];
	struct paa_session_info	info[4];
};

static void
walk_one(void *arg, uint32_t id, const struct paa_session_info *info)
{
	struct walked *w = arg;

	if (w->n < 4) {
		w->id[w->n] = id;
		w->info[w->n] = *info;
	}
	w->n++;
}

START_TEST(test_session_walk_lists_every_session)
{
	struct tpac a, b;
	struct walked w;

	memset(&w, 0, sizeof(w));
	tpac_init(&a, "192.0.2.10", 40000);
	authenticate(&a, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ph_advance(&h, 1000);
	tpac_init(&b, "192.0.2.11", 40001);
	start_session(&b);
	paa_session_walk(h.paa, walk_one, &w);
	ck_assert_int_eq(w.n, 2);
	ck_assert_uint_eq(w.id[0], a.sid);
	ck_assert_int_eq(w.info[0].state, PAA_ST_OPEN);
	ck_assert_uint_eq(w.info[0].expires - h.now, 600 * 1000 - 1000);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&w.info[0].pac)->sin_port),
	    40000);
	ck_assert_int_eq(w.info[1].state, PAA_ST_WAIT_PAN);
	ck_assert_uint_eq(w.info[1].created, h.now);
	ck_assert_uint_lt(w.info[0].created, w.info[1].created);
}
END_TEST

START_TEST(test_set_config_lowers_the_cap_for_new_sessions)
{
	struct paa_config c;
	struct tpac a, b;

	tpac_init(&a, "192.0.2.10", 40000);
	authenticate(&a, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	paa_config_defaults(&c);
	c.max_sessions = 1;
	paa_set_config(h.paa, &c);
	ck_assert_uint_eq(paa_get_config(h.paa)->max_sessions, 1);
	tpac_init(&b, "192.0.2.11", 40000);
	start_session(&b);
	ck_assert_uint_eq(paa_session_count(h.paa), 1);
	ck_assert_uint_eq(paa_stats(h.paa)->over_cap, 1);
	ck_assert(ph_logged(&h, "sessions, the maximum"));
}
END_TEST

START_TEST(test_termination)
{
	struct tpac t;
	struct pana_builder b;
	struct pana_msg m;
	uint8_t buf[128];
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;
	tpac_begin(&t, &b, buf, PANA_MSG_TERM, PANA_FLAG_R, t.my_seq);
	pana_build_avp_u32(&b, PANA_AVP_TERM_CAUSE, PANA_TERM_LOGOUT);
	pana_build_auth(&b, pana_auth_mac_len(t.integ), NULL);
	tpac_send(&t, &b, 1);
	ck_assert_int_eq(h.nout, n0 + 1);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_TERM);
	ck_assert_uint_eq(m.hdr.flags, 0);
	ck_assert_int_eq(pana_auth_verify(t.integ, t.key, t.keylen, m.buf,
	    m.len), 0);
	/* The PTA was lost: the repeated PTR gets it again. */
	ph_input(&h, &t.addr, t.last, t.last_len);
	ck_assert_int_eq(h.nout, n0 + 2);
	ck_assert(memcmp(h.out[n0].buf, h.out[n0 + 1].buf, h.out[n0].len) == 0);
	ck_assert_int_eq(h.aaa_freed, 1);
	ph_advance(&h, 1000);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
}
END_TEST

START_TEST(test_paa_terminates)
{
	struct tpac t;
	struct pana_builder b;
	struct pana_msg m;
	uint8_t buf[128];

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_terminate(h.paa, h.now, t.sid,
	    PANA_TERM_ADMINISTRATIVE), 0);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_TERM);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R);
	tpac_begin(&t, &b, buf, PANA_MSG_TERM, 0, m.hdr.seq);
	pana_build_auth(&b, pana_auth_mac_len(t.integ), NULL);
	tpac_send(&t, &b, 1);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
}
END_TEST

/* ------------------------------------------------------------ PAA-initiated */

/* ping-interval and reauth-before of the running PAA, in ms. */
static void
set_timers(uint64_t ping_ms, uint64_t reauth_before_ms)
{
	struct paa_config c = *paa_get_config(h.paa);

	c.ping_interval_ms = ping_ms;
	c.reauth_before_ms = reauth_before_ms;
	paa_set_config(h.paa, &c);
}

/* A PNA with the given flags to the PAA's request seq, signed. */
static void
pna(struct tpac *t, uint16_t flags, uint32_t seq)
{
	struct pana_builder b;
	uint8_t buf[OUT_SIZE];

	tpac_begin(t, &b, buf, PANA_MSG_NOTIFY, flags, seq);
	pana_build_auth(&b, pana_auth_mac_len(t->integ), NULL);
	tpac_send(t, &b, 1);
}

/* The last datagram is a PNR[P] of the PAA's, next in its numbering. */
static uint32_t
expect_ping(struct tpac *t)
{
	struct pana_msg m;

	last_out(&m);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_NOTIFY);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_P);
	ck_assert_uint_eq(m.hdr.session_id, t->sid);
	ck_assert_uint_eq(m.hdr.seq, t->par_seq + 1);
	ck_assert_int_eq(pana_auth_verify(t->integ, t->key, t->keylen, m.buf,
	    m.len), 0);
	return m.hdr.seq;
}

START_TEST(test_paa_ping_sent_under_the_key_and_answered)
{
	struct tpac t;
	uint32_t seq;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_ping(h.paa, h.now, t.sid), 0);
	seq = expect_ping(&t);
	ph_clear_log(&h);
	pna(&t, PANA_FLAG_P, seq);
	ck_assert(ph_logged(&h, "ping answered by 192.0.2.10:40000"));
	ck_assert_uint_eq(paa_stats(h.paa)->pings_sent, 1);
	ck_assert_uint_eq(paa_stats(h.paa)->pings_answered, 1);
	/* Answered: nothing is retransmitted. */
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 600 * 1000);
}
END_TEST

START_TEST(test_paa_ping_unanswered_removes_the_session)
{
	struct tpac t;
	int i, n0;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_ping(h.paa, h.now, t.sid), 0);
	n0 = h.nout;
	ph_clear_log(&h);
	for (i = 0; i < 10; i++)
		ph_advance(&h, 500);
	ck_assert_int_eq(h.nout, n0 + 3);	/* rt_max_count 3 */
	ck_assert(memcmp(h.out[n0 - 1].buf, h.out[n0 + 2].buf,
	    h.out[n0].len) == 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->expired_retransmit, 1);
	ck_assert(ph_logged(&h, "no answer from 192.0.2.10:40000 to pnr "
	    "after 3 retransmissions: session removed"));
}
END_TEST

START_TEST(test_paa_ping_with_a_request_outstanding_refused)
{
	struct tpac t;

	tpac_init(&t, "192.0.2.10", 40000);
	ck_assert_int_eq(paa_ping(h.paa, h.now, 0x1234), -1);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_ping(h.paa, h.now, t.sid), 0);
	ck_assert_int_eq(paa_ping(h.paa, h.now, t.sid), -2);
	ck_assert_uint_eq(paa_stats(h.paa)->pings_sent, 1);
}
END_TEST

START_TEST(test_paa_pna_without_p_flag_dropped)
{
	struct tpac t;
	uint32_t seq;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_ping(h.paa, h.now, t.sid), 0);
	seq = expect_ping(&t);
	ph_clear_log(&h);
	pna(&t, PANA_FLAG_A, seq);
	ck_assert(ph_logged(&h, "answer to a ping without only the P flag"));
	ck_assert_uint_eq(paa_stats(h.paa)->pings_answered, 0);
}
END_TEST

START_TEST(test_ping_interval_pings_open_sessions)
{
	struct tpac t;
	uint32_t seq;
	int n0;

	set_timers(30 * 1000, 0);
	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 30 * 1000);
	n0 = h.nout;
	ph_advance(&h, 30 * 1000 - 1);
	ck_assert_int_eq(h.nout, n0);
	ph_advance(&h, 1);
	ck_assert_int_eq(h.nout, n0 + 1);
	seq = expect_ping(&t);
	t.par_seq = seq;
	pna(&t, PANA_FLAG_P, seq);
	/* The next one an interval after the answer. */
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 30 * 1000);
	ph_advance(&h, 30 * 1000);
	expect_ping(&t);
	ck_assert_uint_eq(paa_stats(h.paa)->pings_sent, 2);
}
END_TEST

/* paa_reauth(): the PAR that opens the new exchange, checked; n0 before. */
static int
paa_reauth_par(struct tpac *t, struct old_key *old)
{
	struct pana_msg m;
	int n0;

	tpac_init(t, "192.0.2.10", 40000);
	authenticate(t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	old->id = t->key_id;
	memcpy(old->key, t->key, sizeof(old->key));
	old->len = t->keylen;
	n0 = h.nout;
	ph_clear_log(&h);
	ck_assert_int_eq(paa_reauth(h.paa, h.now, t->sid), 0);
	ck_assert_int_eq(h.nout, n0 + 1);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_AUTH);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R);
	ck_assert_uint_eq(m.hdr.seq, t->par_seq + 1);
	ck_assert_ptr_nonnull(pana_msg_avp(&m, PANA_AVP_NONCE));
	ck_assert(memcmp(m.avp[PANA_AVP_NONCE].value, t->paa_nonce, 20) != 0);
	ck_assert_uint_eq(m.avp[PANA_AVP_EAP_PAYLOAD].len, 5);
	ck_assert_uint_eq(m.avp[PANA_AVP_EAP_PAYLOAD].value[4], 1);
	ck_assert_int_eq(pana_auth_verify(t->integ, t->key, t->keylen, m.buf,
	    m.len), 0);
	return n0;
}

START_TEST(test_paa_reauth_par_under_the_current_key)
{
	struct tpac t;
	struct old_key old;

	paa_reauth_par(&t, &old);
	ck_assert(ph_logged(&h, "re-authentication of 192.0.2.10:40000 "
	    "started by the PAA (operator request)"));
	ck_assert_uint_eq(paa_stats(h.paa)->reauth_by_paa, 1);
}
END_TEST

START_TEST(test_paa_reauth_brings_a_new_key_id)
{
	struct tpac t;
	struct old_key old;
	struct paa_session_info info;

	paa_reauth_par(&t, &old);
	reauth_answer_par(&t);
	ck_assert_int_eq(h.aaa_first, 1);
	ck_assert_int_eq(h.aaa_reauth, 1);
	ph_aaa(&h, t.sid, PAA_AAA_ACCEPT, 900);
	take_par_c(&t, 900);
	ck_assert_uint_ne(t.key_id, old.id);
	pan_c(&t);
	ck_assert_int_eq(paa_session_info(h.paa, t.sid, &info), 0);
	ck_assert_int_eq(info.state, PAA_ST_OPEN);
	ck_assert_uint_eq(info.key_id, t.key_id);
	ck_assert(ph_logged(&h, "re-authenticated 192.0.2.10:40000"));
}
END_TEST

START_TEST(test_paa_reauth_replaces_an_outstanding_ping)
{
	struct tpac t;
	struct pana_msg m;
	int n0, i;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_ping(h.paa, h.now, t.sid), 0);
	t.par_seq++;				/* the ping took a number */
	ck_assert_int_eq(paa_reauth(h.paa, h.now, t.sid), 0);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_AUTH);
	ck_assert_uint_eq(m.hdr.seq, t.par_seq + 1);
	/* Only the PAR is retransmitted now. */
	n0 = h.nout;
	for (i = 0; i < 2; i++)
		ph_advance(&h, 150);
	ck_assert_int_gt(h.nout, n0);
	for (i = n0; i < h.nout; i++)
		ck_assert(memcmp(h.out[i].buf, m.buf, m.len) == 0);
}
END_TEST

START_TEST(test_paa_reauth_of_no_open_session_refused)
{
	struct tpac t;

	tpac_init(&t, "192.0.2.10", 40000);
	ck_assert_int_eq(paa_reauth(h.paa, h.now, 0x1234), -1);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_reauth(h.paa, h.now, t.sid), -1);
	ck_assert_uint_eq(paa_stats(h.paa)->reauth_by_paa, 0);
}
END_TEST

START_TEST(test_reauth_before_starts_before_the_lifetime_ends)
{
	struct tpac t;
	struct pana_msg m;
	int n0;

	set_timers(0, 100 * 1000);
	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	/* Lifetime 600 s, reauth-before 100 s: at 500 s. */
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 500 * 1000);
	n0 = h.nout;
	ph_clear_log(&h);
	ph_advance(&h, 500 * 1000 - 1);
	ck_assert_int_eq(h.nout, n0);
	ph_advance(&h, 1);
	ck_assert_int_eq(h.nout, n0 + 1);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R);
	ck_assert_ptr_nonnull(pana_msg_avp(&m, PANA_AVP_NONCE));
	ck_assert(ph_logged(&h, "started by the PAA (its lifetime ends "
	    "soon)"));
}
END_TEST

START_TEST(test_reauth_before_is_at_most_half_the_lifetime)
{
	struct tpac t;

	set_timers(0, 3600 * 1000);
	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 300 * 1000);
}
END_TEST

/* ------------------------------------------------------------ moving PaC */

/* t now sends from ip:port (its key and session unchanged). */
static void
tpac_move(struct tpac *t, const char *ip, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&t->addr;

	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

static uint16_t
port_of(const struct sockaddr_storage *ss)
{
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

START_TEST(test_address_change_counts_for_the_per_address_cap)
{
	struct tpac a, b, c;
	struct paa_session_info info;

	/* Two sessions at .20, the maximum; the one at .10 moves there. */
	tpac_init(&a, "192.0.2.20", 40000);
	authenticate(&a, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	tpac_init(&b, "192.0.2.20", 40001);
	h.naaa = 0;	/* authenticate() counts from 0 */
	authenticate(&b, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	tpac_init(&c, "192.0.2.10", 40000);
	h.naaa = 0;
	authenticate(&c, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	tpac_move(&c, "192.0.2.20", 40002);
	ph_clear_log(&h);
	pnr(&c, PANA_FLAG_P, c.my_seq);
	ck_assert(ph_logged(&h, "address update from 192.0.2.10:40000 to "
	    "192.0.2.20:40002 refused: 2 sessions for that address, the "
	    "maximum: dropped"));
	ck_assert_int_eq(paa_session_info(h.paa, c.sid, &info), 0);
	ck_assert_uint_eq(port_of(&info.pac), 40000);
	/* Once one of them moves away, there is room. */
	tpac_move(&a, "192.0.2.30", 40000);
	pnr(&a, PANA_FLAG_P, a.my_seq);
	pnr(&c, PANA_FLAG_P, c.my_seq);
	ck_assert_int_eq(paa_session_info(h.paa, c.sid, &info), 0);
	ck_assert_uint_eq(port_of(&info.pac), 40002);
	ck_assert_uint_eq(paa_stats(h.paa)->address_updates, 2);
}
END_TEST

START_TEST(test_address_change_taken_from_an_authenticated_request)
{
	struct tpac t;
	struct paa_session_info info;
	struct sockaddr_storage want;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	tpac_move(&t, "192.0.2.20", 40001);
	n0 = h.nout;
	ph_clear_log(&h);
	pnr(&t, PANA_FLAG_P, t.my_seq);
	ck_assert(ph_logged(&h, "PaC address changed from 192.0.2.10:40000 "
	    "to 192.0.2.20:40001 (AUTH verified)"));
	/* The PNA goes to the new address, and so does everything after. */
	ck_assert_int_eq(h.nout, n0 + 1);
	ph_addr(&h, &want, "192.0.2.20", 40001);
	ck_assert_mem_eq(&h.out[n0].to, &want, sizeof(struct sockaddr_in));
	ck_assert_int_eq(paa_session_info(h.paa, t.sid, &info), 0);
	ck_assert_uint_eq(port_of(&info.pac), 40001);
	ck_assert_uint_eq(paa_stats(h.paa)->address_updates, 1);
	ck_assert_int_eq(paa_ping(h.paa, h.now, t.sid), 0);
	ck_assert_mem_eq(&ph_last(&h)->to, &want, sizeof(struct sockaddr_in));
}
END_TEST

START_TEST(test_address_change_taken_from_an_authenticated_answer)
{
	struct tpac t;
	struct paa_session_info info;
	uint32_t seq;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(paa_ping(h.paa, h.now, t.sid), 0);
	seq = expect_ping(&t);
	tpac_move(&t, "192.0.2.20", 40000);
	pna(&t, PANA_FLAG_P, seq);
	ck_assert_int_eq(paa_session_info(h.paa, t.sid, &info), 0);
	ck_assert_uint_eq(((struct sockaddr_in *)&info.pac)->sin_addr.s_addr,
	    htonl(0xc0000214));
	ck_assert_uint_eq(paa_stats(h.paa)->pings_answered, 1);
}
END_TEST

START_TEST(test_address_change_without_auth_dropped)
{
	struct tpac t;
	struct paa_session_info info;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	tpac_move(&t, "192.0.2.20", 40000);
	t.key[0] ^= 1;
	n0 = h.nout;
	ph_clear_log(&h);
	pnr(&t, PANA_FLAG_P, t.my_seq);
	ck_assert_int_eq(h.nout, n0);
	ck_assert(ph_logged(&h, "message from 192.0.2.20:40000, a new address "
	    "for 192.0.2.10:40000, without a valid AUTH: dropped"));
	ck_assert_int_eq(paa_session_info(h.paa, t.sid, &info), 0);
	ck_assert_uint_eq(((struct sockaddr_in *)&info.pac)->sin_addr.s_addr,
	    htonl(0xc000020a));
	ck_assert_uint_eq(paa_stats(h.paa)->address_updates, 0);
}
END_TEST

START_TEST(test_address_change_by_a_replayed_request_dropped)
{
	struct tpac t;
	struct paa_session_info info;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pnr(&t, PANA_FLAG_P, t.my_seq);
	/* Someone replays that signed PNR from elsewhere. */
	tpac_move(&t, "192.0.2.66", 40000);
	n0 = h.nout;
	ph_clear_log(&h);
	ph_input(&h, &t.addr, t.last, t.last_len);
	ck_assert_int_eq(h.nout, n0);
	ck_assert(ph_logged(&h, "repeated request from a new address: "
	    "dropped"));
	ck_assert_int_eq(paa_session_info(h.paa, t.sid, &info), 0);
	ck_assert_uint_eq(port_of(&info.pac), 40000);
	ck_assert_uint_eq(((struct sockaddr_in *)&info.pac)->sin_addr.s_addr,
	    htonl(0xc000020a));
}
END_TEST

START_TEST(test_address_change_before_the_key_dropped)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	tpac_move(&t, "192.0.2.20", 40000);
	n0 = h.nout;
	ph_clear_log(&h);
	pan_eap(&t, 1);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_int_eq(h.naaa, 0);
	ck_assert(ph_logged(&h, "but the session belongs to 192.0.2.10:40000"));
}
END_TEST

/* ------------------------------------------------------------ scale */

/* 1000 PaCs at 10.0.x.y, one session each; their ids in sid[]. */
static void
many_sessions(uint32_t *sid, int n)
{
	struct tpac t;
	char ip[32];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250 + 1);
		tpac_init(&t, ip, 40000);
		start_session(&t);
		sid[i] = t.sid;
		ph_clear_sent(&h);
		ph_clear_log(&h);
	}
}

START_TEST(test_sessions_found_after_the_tables_grow)
{
	struct paa_session_info info;
	uint32_t sid[1000];
	char ip[32];
	int i;

	many_sessions(sid, 1000);
	ck_assert_uint_eq(paa_session_count(h.paa), 1000);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(paa_session_info(h.paa, sid[i], &info), 0);
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250 + 1);
		ck_assert_uint_eq(((struct sockaddr_in *)&info.pac)->
		    sin_addr.s_addr, inet_addr(ip));
	}
}
END_TEST

START_TEST(test_per_address_cap_holds_after_the_tables_grow)
{
	struct tpac t;
	uint32_t sid[1000];

	many_sessions(sid, 1000);
	/* max-sessions-per-address 1: a second one at 10.0.0.77 (one of
	 * the first, linked before the tables grew twice) is refused. */
	tpac_init(&t, "10.0.0.77", 40001);
	start_session(&t);
	ck_assert_uint_eq(paa_session_count(h.paa), 1000);
	ck_assert(ph_logged(&h, "1 sessions for that address, the maximum"));
}
END_TEST

START_TEST(test_timers_run_in_deadline_order_among_many)
{
	uint32_t sid[1000];
	int64_t to;
	int i;

	many_sessions(sid, 1000);
	/* Every first EAP PAR is due for retransmission at once. */
	to = paa_next_timeout(h.paa, h.now);
	ck_assert_int_ge(to, 90);
	ck_assert_int_le(to, 110);
	/*
	 * 3 retransmissions each (IRT 100 ms, MRT 400 ms, RAND +-10%), all
	 * over within 1221 ms; a timer run late or not at all shows here.
	 */
	h.discard_out = 1;
	for (i = 0; i < 130; i++) {
		ph_advance(&h, 10);
		ph_clear_log(&h);
	}
	ck_assert_uint_eq(paa_stats(h.paa)->retransmits, 3000);
	ck_assert_uint_eq(paa_stats(h.paa)->expired_retransmit, 1000);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), -1);
}
END_TEST

/* 1000 sessions, one per address; the harness keeps few datagrams. */
static void
setup_many(void)
{
	setup_cfg();
	h.cfg.max_sessions = 2000;
	h.cfg.max_per_addr = 1;
	h.echo_log = 0;
	start();
}

static uint32_t	relayed_start(const char *, uint16_t, const char *, uint16_t,
		    const char *);

START_TEST(test_address_change_through_a_relay_dropped)
{
	struct tpac t, relay;
	struct pana_builder b;
	uint8_t buf[OUT_SIZE], wrapped[OUT_SIZE];
	size_t len, wlen;
	int n0;

	/* A direct session's signed PNR, now through a trusted relay. */
	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	tpac_begin(&t, &b, buf, PANA_MSG_NOTIFY, PANA_FLAG_R | PANA_FLAG_P,
	    t.my_seq);
	pana_build_auth(&b, pana_auth_mac_len(t.integ), NULL);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_auth_sign(t.integ, t.key, t.keylen, buf, len),
	    0);
	ck_assert_int_eq(pana_relay_push(buf, len, &t.addr, wrapped,
	    sizeof(wrapped), &wlen), 0);
	tpac_init(&relay, "198.51.100.1", 716);
	n0 = h.nout;
	ph_clear_log(&h);
	ph_input(&h, &relay.addr, wrapped, wlen);
	ck_assert_int_eq(h.nout, n0);
	ck_assert(ph_logged(&h, "but the session belongs to 192.0.2.10:40000"));
	ck_assert_uint_eq(paa_stats(h.paa)->address_updates, 0);
}
END_TEST

START_TEST(test_relayed_session)
{
	struct tpac pac;
	struct sockaddr_storage got, relay;
	const uint8_t *inner;
	size_t inner_len;
	struct paa_session_info info;
	uint32_t sid;

	ph_addr(&h, &relay, "198.51.100.1", 716);
	sid = relayed_start("198.51.100.1", 716, "10.1.2.3", 5555, NULL);
	ck_assert_int_eq(h.nout, 2);
	/* PAR[S] and PAR go to the relay, wrapped, addressed to the PaC. */
	ck_assert(memcmp(&h.out[1].to, &relay, sizeof(struct sockaddr_in))
	    == 0);
	ck_assert_int_eq(pana_relay_pop(h.out[1].buf, h.out[1].len, &got,
	    &inner, &inner_len, NULL, 0), 0);
	tpac_init(&pac, "10.1.2.3", 5555);
	ck_assert(memcmp(&got, &pac.addr, sizeof(struct sockaddr_in)) == 0);
	ck_assert_uint_eq(inner[7], PANA_MSG_AUTH);
	ck_assert_int_eq(paa_session_info(h.paa, sid, &info), 0);
	ck_assert_int_eq(info.relayed, 1);
	/* The same PaC straight to the PAA is another path: a new session. */
	start_session(&pac);
	ck_assert_uint_eq(paa_session_count(h.paa), 2);
}
END_TEST

/* ------------------------------------------------------------ relay */

START_TEST(test_relay_wrap_unwrap)
{
	struct relay_stats st;
	struct tpac pac;
	struct pana_builder b;
	struct sockaddr_storage got;
	const uint8_t *inner;
	size_t len, wlen, ilen;
	uint8_t buf[64], w[256];
	struct sockaddr_storage v4, v6;

	ck_assert_int_eq(config_sockaddr("127.0.0.1", "716", &v4), 0);
	ck_assert_int_eq(config_sockaddr("::1", "716", &v6), 0);
	memset(&st, 0, sizeof(st));
	tpac_init(&pac, "10.1.2.3", 5555);
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	pana_build_finish(&b, &len);
	ck_assert_int_eq(relay_from_pac(&st, &pac.addr, buf, len, NULL, 0,
	    w, sizeof(w), &wlen), 0);
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, NULL, 0, &v4,
	    &got, &inner, &ilen), 0);
	ck_assert_uint_eq(ilen, len);
	ck_assert(memcmp(inner, buf, len) == 0);
	ck_assert(memcmp(&got, &pac.addr, sizeof(struct sockaddr_in)) == 0);
	/* A PANA-Relay from the PaC side, a short datagram, wrong family. */
	ck_assert_int_eq(relay_from_pac(&st, &pac.addr, w, wlen, NULL, 0,
	    buf, sizeof(buf), &len), -1);
	ck_assert_int_eq(relay_from_pac(&st, &pac.addr, w, 10, NULL, 0,
	    buf, sizeof(buf), &len), -1);
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, NULL, 0, &v6,
	    &got, &inner, &ilen), -1);
	ck_assert_int_eq(relay_from_paa(&st, buf, 16, NULL, 0, &v4,
	    &got, &inner, &ilen), -1);
	ck_assert_uint_eq(st.from_pac, 1);
	ck_assert_uint_eq(st.from_paa, 1);
	ck_assert_uint_eq(st.dropped_pac, 2);
	ck_assert_uint_eq(st.dropped_paa, 2);
}
END_TEST

/* ------------------------------------------------ trusted relays */

#define RELAY_KEY	"relay-key-0123456789"
#define OTHER_KEY	"relay-key-9876543210"

/* Relays: .1 without a key, .2 with RELAY_KEY; small caps. */
static void
setup_relays(void)
{
	setup_cfg();
	h.cfg.max_per_relay = 2;
	h.cfg.max_per_addr = 2;
	ph_addr(&h, &h.cfg.relays[0].addr, "198.51.100.1", 0);
	ph_addr(&h, &h.cfg.relays[1].addr, "198.51.100.2", 0);
	memcpy(h.cfg.relays[1].key, RELAY_KEY, strlen(RELAY_KEY));
	h.cfg.relays[1].key_len = strlen(RELAY_KEY);
	h.cfg.n_relays = 2;
	start();
}

/* A PCI of PaC pac_ip:pac_port through relay_ip:716, signed if key. */
static void
relayed_pci(const char *relay_ip, uint16_t relay_port, const char *pac_ip,
    uint16_t pac_port, const char *key)
{
	struct tpac relay, pac;
	struct pana_builder b;
	uint8_t buf[64], wrapped[256];
	size_t len, wlen;

	tpac_init(&relay, relay_ip, relay_port);
	tpac_init(&pac, pac_ip, pac_port);
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_relay_push(buf, len, &pac.addr, wrapped,
	    sizeof(wrapped), &wlen), 0);
	if (key != NULL)
		ck_assert_int_eq(pana_relay_sign(wrapped, &wlen,
		    sizeof(wrapped), (const uint8_t *)key, strlen(key)), 0);
	ph_input(&h, &relay.addr, wrapped, wlen);
}

/*
 * relayed_pci(), then the PaC's PAN[S] to the PAR[S] that came back
 * through the relay: the session starts.  Returns its id.
 */
static uint32_t
relayed_start(const char *relay_ip, uint16_t relay_port, const char *pac_ip,
    uint16_t pac_port, const char *key)
{
	struct tpac relay, pac;
	struct pana_builder b;
	struct sockaddr_storage got;
	const uint8_t *inner;
	struct pana_msg m;
	size_t inner_len, len, wlen;
	uint8_t buf[128], wrapped[256];

	relayed_pci(relay_ip, relay_port, pac_ip, pac_port, key);
	ck_assert_int_gt(h.nout, 0);
	ck_assert_int_eq(pana_relay_pop(h.out[h.nout - 1].buf,
	    h.out[h.nout - 1].len, &got, &inner, &inner_len, NULL, 0), 0);
	ck_assert_int_eq(pana_msg_parse(inner, inner_len, VENDOR, &m, NULL,
	    0), 0);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_S);
	tpac_init(&relay, relay_ip, relay_port);
	tpac_init(&pac, pac_ip, pac_port);
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_S,
	    m.hdr.session_id, m.hdr.seq);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG,
	    PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_relay_push(buf, len, &pac.addr, wrapped,
	    sizeof(wrapped), &wlen), 0);
	if (key != NULL)
		ck_assert_int_eq(pana_relay_sign(wrapped, &wlen,
		    sizeof(wrapped), (const uint8_t *)key, strlen(key)), 0);
	ph_input(&h, &relay.addr, wrapped, wlen);
	return m.hdr.session_id;
}

START_TEST(test_relay_not_a_peer_dropped)
{
	relayed_pci("198.51.100.9", 716, "10.1.2.3", 5555, NULL);
	ck_assert_int_eq(h.nout, 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->untrusted_relay, 1);
	ck_assert(ph_logged(&h, "PANA-Relay from 198.51.100.9:716 (56 "
	    "octets): not from a relay-peer: dropped"));
}
END_TEST

START_TEST(test_relay_peer_from_any_port)
{
	relayed_start("198.51.100.1", 40716, "10.1.2.3", 5555, NULL);
	ck_assert_int_eq(h.nout, 2);
	ck_assert_uint_eq(paa_session_count(h.paa), 1);
	ck_assert_uint_eq(paa_stats(h.paa)->untrusted_relay, 0);
}
END_TEST

START_TEST(test_relay_auth_verified_and_answers_signed)
{
	struct sockaddr_storage got;
	const uint8_t *inner;
	size_t inner_len;

	relayed_pci("198.51.100.2", 716, "10.1.2.3", 5555, RELAY_KEY);
	ck_assert_int_eq(h.nout, 1);
	/* The PAR[S] to that relay carries the relay AUTH too. */
	ck_assert_int_eq(pana_relay_verify(h.out[0].buf, h.out[0].len,
	    (const uint8_t *)RELAY_KEY, strlen(RELAY_KEY)), 0);
	ck_assert_int_eq(pana_relay_verify(h.out[0].buf, h.out[0].len,
	    (const uint8_t *)OTHER_KEY, strlen(OTHER_KEY)), PANA_E_AUTH);
	ck_assert_int_eq(pana_relay_pop(h.out[0].buf, h.out[0].len, &got,
	    &inner, &inner_len, NULL, 0), 0);
	ck_assert_uint_eq(inner[7], PANA_MSG_AUTH);
}
END_TEST

START_TEST(test_relay_auth_missing_dropped)
{
	relayed_pci("198.51.100.2", 716, "10.1.2.3", 5555, NULL);
	ck_assert_int_eq(h.nout, 0);
	ck_assert_uint_eq(paa_stats(h.paa)->untrusted_relay, 1);
	ck_assert(ph_logged(&h, "PANA-Relay from 198.51.100.2:716 (56 "
	    "octets): no relay AUTH: dropped"));
}
END_TEST

START_TEST(test_relay_auth_wrong_key_dropped)
{
	relayed_pci("198.51.100.2", 716, "10.1.2.3", 5555, OTHER_KEY);
	ck_assert_int_eq(h.nout, 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert(ph_logged(&h, "relay AUTH does not verify: dropped"));
	/* Nor may a keyless relay-peer send one. */
	relayed_pci("198.51.100.1", 716, "10.1.2.3", 5555, RELAY_KEY);
	ck_assert_int_eq(h.nout, 0);
	ck_assert(ph_logged(&h, "relay AUTH, but no key for this "
	    "relay-peer: dropped"));
	ck_assert_uint_eq(paa_stats(h.paa)->untrusted_relay, 2);
}
END_TEST

START_TEST(test_relay_tampered_pac_information_dropped)
{
	struct tpac relay, pac;
	struct pana_builder b;
	uint8_t buf[64], wrapped[256];
	size_t len, wlen;

	tpac_init(&relay, "198.51.100.2", 716);
	tpac_init(&pac, "10.1.2.3", 5555);
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_relay_push(buf, len, &pac.addr, wrapped,
	    sizeof(wrapped), &wlen), 0);
	ck_assert_int_eq(pana_relay_sign(wrapped, &wlen, sizeof(wrapped),
	    (const uint8_t *)RELAY_KEY, strlen(RELAY_KEY)), 0);
	wrapped[16 + 8 + 3] ^= 1;	/* the PaC address, last octet */
	ph_input(&h, &relay.addr, wrapped, wlen);
	ck_assert_int_eq(h.nout, 0);
	ck_assert(ph_logged(&h, "relay AUTH does not verify: dropped"));
}
END_TEST

START_TEST(test_cap_per_relay)
{
	struct tpac direct;

	relayed_start("198.51.100.1", 716, "10.1.2.3", 5555, NULL);
	relayed_start("198.51.100.1", 716, "10.1.2.4", 5555, NULL);
	relayed_start("198.51.100.1", 716, "10.1.2.5", 5555, NULL);
	ck_assert_uint_eq(paa_session_count(h.paa), 2);
	ck_assert_uint_eq(paa_stats(h.paa)->over_cap, 1);
	ck_assert(ph_logged(&h, "PAN[S] from 10.1.2.5:5555 via relay "
	    "198.51.100.1:716 dropped: 2 sessions through that relay, the "
	    "maximum"));
	/* Another relay, and a PaC straight to the PAA, are not bound. */
	relayed_start("198.51.100.2", 716, "10.1.2.5", 5555, RELAY_KEY);
	tpac_init(&direct, "10.1.2.6", 5555);
	start_session(&direct);
	ck_assert_uint_eq(paa_session_count(h.paa), 4);
}
END_TEST

START_TEST(test_cap_per_address_counts_the_pac_inside_pac_information)
{
	struct tpac direct;

	relayed_start("198.51.100.1", 716, "10.1.2.3", 1, NULL);
	relayed_start("198.51.100.2", 716, "10.1.2.3", 2, RELAY_KEY);
	ck_assert_uint_eq(paa_session_count(h.paa), 2);
	/* A third for 10.1.2.3, whichever the path. */
	tpac_init(&direct, "10.1.2.3", 3);
	start_session(&direct);
	ck_assert_uint_eq(paa_session_count(h.paa), 2);
	ck_assert(ph_logged(&h, "PAN[S] from 10.1.2.3:3 dropped: 2 sessions "
	    "for that address, the maximum"));
}
END_TEST

START_TEST(test_no_relay_peer_no_relaying)
{
	/* The default fixture configures no relay-peer. */
	relayed_pci("198.51.100.1", 716, "10.1.2.3", 5555, NULL);
	ck_assert_int_eq(h.nout, 0);
	ck_assert(ph_logged(&h, "not from a relay-peer: dropped"));
}
END_TEST

START_TEST(test_relay_side_signs_and_verifies)
{
	static const uint8_t key[] = RELAY_KEY, other[] = OTHER_KEY;
	struct relay_stats st;
	struct tpac pac;
	struct pana_builder b;
	struct sockaddr_storage got;
	const uint8_t *inner;
	size_t len, wlen, ilen;
	uint8_t buf[64], w[256];
	struct sockaddr_storage v4;

	ck_assert_int_eq(config_sockaddr("127.0.0.1", "716", &v4), 0);
	memset(&st, 0, sizeof(st));
	tpac_init(&pac, "10.1.2.3", 5555);
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	pana_build_finish(&b, &len);
	ck_assert_int_eq(relay_from_pac(&st, &pac.addr, buf, len, key,
	    sizeof(key) - 1, w, sizeof(w), &wlen), 0);
	ck_assert_uint_eq(wlen, 56 + PANA_RELAY_AUTH_OVERHEAD);
	ck_assert_int_eq(pana_relay_verify(w, wlen, key, sizeof(key) - 1), 0);
	/* What the PAA sends back must carry it too, with the same key. */
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, key, sizeof(key) - 1,
	    &v4, &got, &inner, &ilen), 0);
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, other,
	    sizeof(other) - 1, &v4, &got, &inner, &ilen), -1);
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, NULL, 0, &v4, &got,
	    &inner, &ilen), -1);
	ck_assert_int_eq(relay_from_pac(&st, &pac.addr, buf, len, NULL, 0,
	    w, sizeof(w), &wlen), 0);
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, key, sizeof(key) - 1,
	    &v4, &got, &inner, &ilen), -1);
	ck_assert_uint_eq(st.from_paa, 1);
	ck_assert_uint_eq(st.dropped_paa, 3);
}
END_TEST

/* A PANA-Relay from the PAA for the PaC at pac_ip, port 5555, in w. */
static size_t
paa_relay_to(const char *pac_ip, uint8_t *w, size_t size)
{
	struct sockaddr_storage pac;
	struct pana_builder b;
	uint8_t buf[64];
	size_t len, wlen;

	ck_assert_int_eq(config_sockaddr(pac_ip, "5555", &pac), 0);
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_S, 7, 9);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(pana_relay_push(buf, len, &pac, w, size, &wlen), 0);
	return wlen;
}

START_TEST(test_relay_link_local_pac_takes_the_iot_scope)
{
	struct relay_stats st;
	struct sockaddr_storage iot, got;
	const uint8_t *inner;
	size_t wlen, ilen;
	uint8_t w[256];

	memset(&st, 0, sizeof(st));
	/* relay-listen fe80::1%1: the PaC is on interface 1's link. */
	ck_assert_int_eq(config_sockaddr("fe80::1%1", "716", &iot), 0);
	ck_assert_uint_eq(((struct sockaddr_in6 *)&iot)->sin6_scope_id, 1);
	wlen = paa_relay_to("fe80::abcd", w, sizeof(w));
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, NULL, 0, &iot, &got,
	    &inner, &ilen), 0);
	ck_assert_uint_eq(((struct sockaddr_in6 *)&got)->sin6_scope_id, 1);
	/* The wildcard address with an interface does as well. */
	ck_assert_int_eq(config_sockaddr("::%1", "716", &iot), 0);
	wlen = paa_relay_to("fe80::abcd", w, sizeof(w));
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, NULL, 0, &iot, &got,
	    &inner, &ilen), 0);
	ck_assert_uint_eq(((struct sockaddr_in6 *)&got)->sin6_scope_id, 1);
	/* A global PaC address needs no scope, and gets none. */
	wlen = paa_relay_to("2001:db8::5", w, sizeof(w));
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, NULL, 0, &iot, &got,
	    &inner, &ilen), 0);
	ck_assert_uint_eq(((struct sockaddr_in6 *)&got)->sin6_scope_id, 0);
}
END_TEST

START_TEST(test_relay_link_local_pac_without_iot_scope_dropped)
{
	struct relay_stats st;
	struct sockaddr_storage iot, got;
	const uint8_t *inner;
	size_t wlen, ilen;
	uint8_t w[256];

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(config_sockaddr("2001:db8::1", "716", &iot), 0);
	wlen = paa_relay_to("fe80::abcd", w, sizeof(w));
	ck_assert_int_eq(relay_from_paa(&st, w, wlen, NULL, 0, &iot, &got,
	    &inner, &ilen), -1);
	ck_assert_uint_eq(st.dropped_paa, 1);
}
END_TEST

START_TEST(test_relay_sign_bounds)
{
	static const uint8_t key[] = RELAY_KEY;
	struct tpac pac;
	struct pana_builder b;
	size_t len, wlen;
	uint8_t buf[64], w[128];

	tpac_init(&pac, "10.1.2.3", 5555);
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	pana_build_finish(&b, &len);
	/* Not a PANA-Relay message. */
	ck_assert_int_eq(pana_relay_sign(buf, &len, sizeof(buf), key,
	    sizeof(key) - 1), PANA_E_RELAY);
	ck_assert_int_eq(pana_relay_push(buf, len, &pac.addr, w, sizeof(w),
	    &wlen), 0);
	/* No room: the message is left as it was. */
	ck_assert_int_eq(pana_relay_sign(w, &wlen, wlen + 23, key,
	    sizeof(key) - 1), PANA_E_NOSPACE);
	ck_assert_uint_eq(wlen, 56);
	ck_assert_uint_eq(w[3], 56);
	ck_assert_int_eq(pana_relay_sign(w, &wlen, sizeof(w), key,
	    sizeof(key) - 1), 0);
	/* Twice is refused. */
	ck_assert_int_eq(pana_relay_sign(w, &wlen, sizeof(w), key,
	    sizeof(key) - 1), PANA_E_AVP_DUP);
}
END_TEST

/* ------------------------------------------------------------ config */

static const char good_conf[] =
    "# comment\n"
    "role paa\n"
    "role relay   # both\n"
    "paa-listen 127.0.0.1 716\n"
    "relay-listen ::1 7160\n"
    "relay-paa 127.0.0.1 716 relay-key-0123456789\n"
    "relay-peer 192.0.2.7\n"
    "relay-peer 2001:db8::7 relay-key-9876543210\n"
    "max-sessions-per-relay 5\n"
    "radius-server 127.0.0.1:1812 s3cret-one\n"
    "radius-server [::1]:1813 s3cret-two\n"
    "nas-identifier paa-1\n"
    "vendor 32473\n"
    "max-sessions 10\n"
    "max-sessions-per-address 2\n"
    "idle-timeout 30\n"
    "auth-timeout 7\n"
    "retransmit-initial-ms 50\n"
    "ping-interval 30\n"
    "reauth-before 120\n"
    "\n";

START_TEST(test_config_good)
{
	struct pr_config c;
	char err[CONFIG_ERRLEN];

	ck_assert_int_eq(config_parse(good_conf, "t.conf", &c, err,
	    sizeof(err)), 0);
	ck_assert(c.role_paa && c.role_relay);
	ck_assert_uint_eq(c.n_radius, 2);
	ck_assert_str_eq(c.radius[1].host, "::1");
	ck_assert_uint_eq(c.radius[1].port, 1813);
	ck_assert_str_eq(c.radius[0].secret, "s3cret-one");
	ck_assert_uint_eq(c.paa.max_sessions, 10);
	ck_assert_uint_eq(c.paa.max_per_addr, 2);
	ck_assert_uint_eq(c.paa.idle_timeout_ms, 30000);
	ck_assert_uint_eq(c.paa.auth_timeout_ms, 7000);
	ck_assert_uint_eq(c.paa.rt_initial_ms, 50);
	ck_assert_uint_eq(c.paa.ping_interval_ms, 30000);
	ck_assert_uint_eq(c.paa.reauth_before_ms, 120000);
	ck_assert_int_eq(c.relay_listen.ss_family, AF_INET6);
	ck_assert_uint_eq(c.relay_key_len, 20);
	ck_assert_mem_eq(c.relay_key, "relay-key-0123456789", 20);
	ck_assert_uint_eq(c.paa.n_relays, 2);
	ck_assert_int_eq(c.paa.relays[0].addr.ss_family, AF_INET);
	ck_assert_uint_eq(c.paa.relays[0].key_len, 0);
	ck_assert_int_eq(c.paa.relays[1].addr.ss_family, AF_INET6);
	ck_assert_uint_eq(c.paa.relays[1].key_len, 20);
	ck_assert_uint_eq(c.paa.max_per_relay, 5);
	config_clear(&c);
	ck_assert_str_eq(c.radius[0].secret, "");
	ck_assert_uint_eq(c.relay_key[0], 0);
	ck_assert_uint_eq(c.paa.relays[1].key[0], 0);
}
END_TEST

START_TEST(test_config_bad_lines)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "role paa\nbogus 1\n", "t.conf:2: unknown keyword 'bogus'" },
		{ "role dhcp\n", "t.conf:1: role:" },
		{ "role\n", "t.conf:1: role takes 1 argument, not 0" },
		{ "role paa\npaa-listen localhost 716\n", "t.conf:2:" },
		{ "max-sessions 0\n", "t.conf:1: max-sessions: 0 is out" },
		{ "max-sessions 12x\n", "t.conf:1: max-sessions: '12x'" },
		{ "radius-server 1.2.3.4:99999 x\n", "t.conf:1: radius-server" },
		{ "role paa\n", "t.conf: role paa needs paa-listen" },
		{ "role relay\nrelay-listen 127.0.0.1 1\n",
		    "t.conf: role relay needs" },
		{ "", "t.conf: no role" },
		{ "relay-peer\n",
		    "t.conf:1: relay-peer takes 1 to 2 arguments, not 0" },
		{ "relay-peer 192.0.2.1 relay-key-0123456789 x\n",
		    "t.conf:1: relay-peer takes 1 to 2 arguments, not 3" },
		{ "relay-peer relay.example\n",
		    "t.conf:1: relay-peer: 'relay.example' is not a numeric "
		    "address" },
		{ "relay-peer 192.0.2.1\nrelay-peer 192.0.2.1\n",
		    "t.conf:2: relay-peer: 192.0.2.1 given twice" },
		{ "relay-peer 192.0.2.1 short\n",
		    "t.conf:1: relay-peer: key of 5 octets, not 16..128" },
		{ "relay-paa 192.0.2.1 716 short\n",
		    "t.conf:1: relay-paa: key of 5 octets, not 16..128" },
		{ "auth-timeout 0\n", "t.conf:1: auth-timeout: 0 is out" },
		{ "max-sessions-per-relay 0\n",
		    "t.conf:1: max-sessions-per-relay: 0 is out" },
	};
	struct pr_config c;
	char err[CONFIG_ERRLEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(config_parse(cases[i].text, "t.conf", &c, err,
		    sizeof(err)), -1);
		ck_assert_msg(strncmp(err, cases[i].want,
		    strlen(cases[i].want)) == 0, "case %zu: '%s'", i, err);
	}
}
END_TEST

/* A secret of len characters that reads like no word of a message. */
static void
make_secret(char *buf, size_t len)
{
	static const char chars[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint32_t x = 0x9e3779b9;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = chars[x % (sizeof(chars) - 1)];
	}
	buf[len] = '\0';
}

/* Not even part of the secret: no run of 8 of its characters in err. */
static void
assert_secret_absent(const char *err, const char *secret)
{
	char window[9];
	size_t i, n = strlen(secret);

	ck_assert_uint_ge(n, 20);
	for (i = 0; i + 8 <= n; i++) {
		memcpy(window, secret + i, 8);
		window[8] = '\0';
		ck_assert_msg(strstr(err, window) == NULL,
		    "'%s' of the secret is in '%s'", window, err);
	}
}

START_TEST(test_config_secret_not_in_errors)
{
	struct pr_config c;
	char err[CONFIG_ERRLEN], text[512];
	char secret[CONFIG_SECRET_MAX + 2];

	/* Too long. */
	make_secret(secret, CONFIG_SECRET_MAX + 1);
	snprintf(text, sizeof(text), "radius-server 1.2.3.4 %s\n", secret);
	ck_assert_int_eq(config_parse(text, "t.conf", &c, err, sizeof(err)),
	    -1);
	assert_secret_absent(err, secret);
	/* A bad address before it, an extra argument after it. */
	make_secret(secret, 24);
	snprintf(text, sizeof(text), "radius-server nohost %s\n", secret);
	ck_assert_int_eq(config_parse(text, "t.conf", &c, err, sizeof(err)),
	    -1);
	assert_secret_absent(err, secret);
	snprintf(text, sizeof(text), "radius-server 1.2.3.4 %s extra\n",
	    secret);
	ck_assert_int_eq(config_parse(text, "t.conf", &c, err, sizeof(err)),
	    -1);
	assert_secret_absent(err, secret);
	/* Relay keys: too long, before an extra argument. */
	make_secret(secret, PAA_RELAY_KEY_MAX + 1);
	snprintf(text, sizeof(text), "relay-peer 192.0.2.1 %s\n", secret);
	ck_assert_int_eq(config_parse(text, "t.conf", &c, err, sizeof(err)),
	    -1);
	assert_secret_absent(err, secret);
	snprintf(text, sizeof(text), "relay-paa 192.0.2.1 716 %s\n", secret);
	ck_assert_int_eq(config_parse(text, "t.conf", &c, err, sizeof(err)),
	    -1);
	assert_secret_absent(err, secret);
	make_secret(secret, 24);
	snprintf(text, sizeof(text), "relay-peer 192.0.2.1 %s extra\n",
	    secret);
	ck_assert_int_eq(config_parse(text, "t.conf", &c, err, sizeof(err)),
	    -1);
	assert_secret_absent(err, secret);
}
END_TEST

/* ------------------------------------------------ no piggybacking */

/*
 * RFC 5191 section 4.3 without piggybacking: the PaC acknowledges the
 * PAA's PAR with a PAN carrying no EAP-Payload (the Nonce only in the
 * first round), then sends its EAP-Response in a PAR of its own.
 */
static void
pan_ack(struct tpac *t, int with_nonce)
{
	struct pana_builder b;
	uint8_t buf[OUT_SIZE];

	tpac_begin(t, &b, buf, PANA_MSG_AUTH, 0, t->par_seq);
	if (with_nonce)
		pana_build_avp(&b, PANA_AVP_NONCE, t->pac_nonce,
		    sizeof(t->pac_nonce));
	if (t->have_key)
		pana_build_auth(&b, pana_auth_mac_len(t->integ), NULL);
	tpac_send(t, &b, t->have_key);
}

/* The PaC's own PAR with an EAP-Response, sequence seq. */
static void
pac_par(struct tpac *t, uint16_t flags, uint32_t seq)
{
	struct pana_builder b;
	uint8_t buf[OUT_SIZE];
	static const uint8_t resp[] = { 2, 1, 0, 9, 1, 'n', 'o', 'd', 'e' };

	tpac_begin(t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_R | flags, seq);
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, resp, sizeof(resp));
	if (t->have_key)
		pana_build_auth(&b, pana_auth_mac_len(t->integ), NULL);
	tpac_send(t, &b, t->have_key);
}

/* The PAA's answer to the PaC's PAR seq: a PAN, AUTH iff keyed. */
static void
assert_pan_to(struct tpac *t, uint32_t seq)
{
	struct pana_msg m;

	last_out(&m);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_AUTH);
	ck_assert_uint_eq(m.hdr.flags, 0);
	ck_assert_uint_eq(m.hdr.session_id, t->sid);
	ck_assert_uint_eq(m.hdr.seq, seq);
	ck_assert_ptr_null(pana_msg_avp(&m, PANA_AVP_EAP_PAYLOAD));
	ck_assert_ptr_null(pana_msg_avp(&m, PANA_AVP_NONCE));
	if (t->have_key)
		ck_assert_int_eq(pana_auth_verify(t->integ, t->key, t->keylen,
		    m.buf, m.len), 0);
	else
		ck_assert_ptr_null(pana_msg_avp(&m, PANA_AVP_AUTH));
}

START_TEST(test_pan_without_eap_waits_for_the_pacs_par)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;
	pan_ack(&t, 1);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_int_eq(h.naaa, 0);
	ck_assert(ph_logged(&h, "PAN without EAP-Payload: waiting for the "
	    "PaC's PAR"));
	/* Acknowledged: the PAA's PAR is not sent again. */
	ph_advance(&h, 1000);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_uint_eq(paa_stats(h.paa)->unexpected, 0);
}
END_TEST

START_TEST(test_pacs_par_answered_with_pan_and_carried_to_aaa)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pan_ack(&t, 1);
	n0 = h.nout;
	pac_par(&t, 0, t.my_seq);
	ck_assert_int_eq(h.nout, n0 + 1);
	assert_pan_to(&t, t.my_seq);
	ck_assert_int_eq(h.naaa, 1);
	ck_assert_int_eq(h.aaa_first, 1);
	ck_assert_int_eq(h.aaa_reauth, 0);
	ck_assert_uint_eq(h.aaa_eap_len, 9);
	ck_assert_uint_eq(paa_stats(h.paa)->unexpected, 0);
	ck_assert(!ph_logged(&h, "request before authentication"));
}
END_TEST

START_TEST(test_no_piggyback_full_exchange)
{
	struct tpac t;
	struct pana_msg m;
	struct paa_session_info info;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pan_ack(&t, 1);
	pac_par(&t, 0, t.my_seq);
	ph_aaa(&h, t.sid, PAA_AAA_CHALLENGE, 0);
	/* The next EAP-Request comes in a PAR, numbered on. */
	last_out(&m);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R);
	ck_assert_uint_eq(m.hdr.seq, t.par_seq + 1);
	ck_assert_uint_eq(m.avp[PANA_AVP_EAP_PAYLOAD].len, 6);
	t.par_seq = m.hdr.seq;
	pan_ack(&t, 0);
	pac_par(&t, 0, t.my_seq + 1);
	assert_pan_to(&t, t.my_seq + 1);
	ck_assert_int_eq(h.naaa, 2);
	ck_assert_int_eq(h.aaa_first, 0);
	ph_aaa(&h, t.sid, PAA_AAA_ACCEPT, 600);
	take_par_c(&t, 600);
	pan_c(&t);
	ck_assert_int_eq(paa_session_info(h.paa, t.sid, &info), 0);
	ck_assert_int_eq(info.state, PAA_ST_OPEN);
	ck_assert_uint_eq(paa_stats(h.paa)->unexpected, 0);
	/* The PaC's sequence numbers go on from its PARs. */
	pnr(&t, PANA_FLAG_P, t.my_seq + 2);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_NOTIFY);
	ck_assert_uint_eq(m.hdr.seq, t.my_seq + 2);
}
END_TEST

START_TEST(test_repeated_pacs_par_answered_from_cache)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pan_ack(&t, 1);
	pac_par(&t, 0, t.my_seq);
	n0 = h.nout;
	ph_input(&h, &t.addr, t.last, t.last_len);
	ck_assert_int_eq(h.nout, n0 + 1);
	ck_assert_uint_eq(h.out[n0].len, h.out[n0 - 1].len);
	ck_assert(memcmp(h.out[n0].buf, h.out[n0 - 1].buf, h.out[n0].len)
	    == 0);
	ck_assert_int_eq(h.naaa, 1);	/* not carried twice */
	ck_assert_uint_eq(paa_stats(h.paa)->duplicates, 1);
}
END_TEST

START_TEST(test_pacs_par_acknowledges_the_paas_par)
{
	struct tpac t;
	struct pana_msg m;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pan_ack(&t, 1);
	pac_par(&t, 0, t.my_seq);
	ph_aaa(&h, t.sid, PAA_AAA_CHALLENGE, 0);
	last_out(&m);
	t.par_seq = m.hdr.seq;
	/* The PaC's PAN to this PAR is lost; its PAR arrives. */
	pac_par(&t, 0, t.my_seq + 1);
	assert_pan_to(&t, t.my_seq + 1);
	ck_assert_int_eq(h.naaa, 2);
	n0 = h.nout;
	ph_advance(&h, 1000);
	ck_assert_int_eq(h.nout, n0);	/* no retransmission of the PAR */
	ck_assert(ph_logged(&h, "the PaC's PAR answers the PAR"));
}
END_TEST

START_TEST(test_pacs_par_before_its_nonce_dropped)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;
	/* The PAN with the Nonce was lost. */
	pac_par(&t, 0, t.my_seq);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_int_eq(h.naaa, 0);
	ck_assert(ph_logged(&h, "PAR from the PaC before its PAN with the "
	    "Nonce: dropped"));
	/* The PAA's PAR is still outstanding: it comes again (100 ms +-10%). */
	ph_advance(&h, 110);
	ck_assert_int_eq(h.nout, n0 + 1);
	/* Then the PAN and the retransmitted PAR go through. */
	pan_ack(&t, 1);
	pac_par(&t, 0, t.my_seq);
	assert_pan_to(&t, t.my_seq);
	ck_assert_int_eq(h.naaa, 1);
}
END_TEST

START_TEST(test_pacs_par_outside_eap_exchange_dropped)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pan_ack(&t, 1);
	pac_par(&t, 0, t.my_seq);
	n0 = h.nout;
	/* The AAA server has the EAP-Response: nothing to carry now. */
	pac_par(&t, 0, t.my_seq + 1);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_int_eq(h.naaa, 1);
	ck_assert(ph_logged(&h, "PAR from the PaC outside an EAP exchange: "
	    "dropped"));
}
END_TEST

START_TEST(test_pacs_par_with_s_or_c_dropped)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	pan_ack(&t, 1);
	n0 = h.nout;
	pac_par(&t, PANA_FLAG_S, t.my_seq);
	pac_par(&t, PANA_FLAG_C, t.my_seq);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_int_eq(h.naaa, 0);
	ck_assert_uint_eq(paa_stats(h.paa)->unexpected, 2);
	ck_assert(ph_logged(&h, "PAR from the PaC with the S or C flag: "
	    "dropped"));
	/* The sequence number was not consumed. */
	pac_par(&t, 0, t.my_seq);
	assert_pan_to(&t, t.my_seq);
}
END_TEST

START_TEST(test_pacs_par_in_reauth_under_current_key)
{
	struct tpac t;
	struct old_key old;
	struct pana_msg m;

	reauth_request(&t, &old);
	last_out(&m);
	memcpy(t.paa_nonce, m.avp[PANA_AVP_NONCE].value, 20);
	t.par_seq = m.hdr.seq;
	t.pac_nonce[0] ^= 0xff;
	pan_ack(&t, 1);
	pac_par(&t, 0, t.my_seq + 1);
	assert_pan_to(&t, t.my_seq + 1);	/* AUTH, current key */
	ck_assert_int_eq(h.naaa, 3);
	ck_assert_int_eq(h.aaa_first, 1);
	ck_assert_int_eq(h.aaa_reauth, 1);
}
END_TEST

START_TEST(test_ping_during_authentication_answered)
{
	struct tpac t;
	struct pana_msg m;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;
	{
		struct pana_builder b;
		uint8_t buf[64];

		tpac_begin(&t, &b, buf, PANA_MSG_NOTIFY, PANA_FLAG_R |
		    PANA_FLAG_P, t.my_seq);
		tpac_send(&t, &b, 0);
	}
	/* RFC 5609, any state but INITIAL: Rx:PNR[P] -> Tx:PNA[P]. */
	ck_assert_int_eq(h.nout, n0 + 1);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.type, PANA_MSG_NOTIFY);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_P);
	ck_assert_uint_eq(m.hdr.seq, t.my_seq);
	ck_assert_ptr_null(pana_msg_avp(&m, PANA_AVP_AUTH));
	/* The EAP exchange goes on. */
	pan_eap(&t, 1);
	ck_assert_int_eq(h.naaa, 1);
}
END_TEST

START_TEST(test_ptr_and_pnr_a_before_authentication_dropped)
{
	struct tpac t;
	struct pana_builder b;
	uint8_t buf[64];
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;
	tpac_begin(&t, &b, buf, PANA_MSG_TERM, PANA_FLAG_R, t.my_seq);
	pana_build_avp_u32(&b, PANA_AVP_TERM_CAUSE, PANA_TERM_LOGOUT);
	tpac_send(&t, &b, 0);
	tpac_begin(&t, &b, buf, PANA_MSG_NOTIFY, PANA_FLAG_R | PANA_FLAG_A,
	    t.my_seq);
	tpac_send(&t, &b, 0);
	ck_assert_int_eq(h.nout, n0);
	ck_assert_uint_eq(paa_stats(h.paa)->unexpected, 2);
	ck_assert(ph_logged(&h, "PANA-Termination from 192.0.2.10:40000: "
	    "request before authentication: dropped"));
	ck_assert_uint_eq(paa_session_count(h.paa), 1);
	pan_eap(&t, 1);
	ck_assert_int_eq(h.naaa, 1);
}
END_TEST

/* ------------------------------------------------ stateless start */

START_TEST(test_pci_answered_without_state)
{
	struct tpac t;
	struct pana_msg m;

	tpac_init(&t, "192.0.2.10", 40000);
	pci(&t);
	ck_assert_int_eq(h.nout, 1);
	last_out(&m);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_S);
	ck_assert_uint_ne(m.hdr.session_id, 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->pci_answered, 1);
	/* Nothing to retransmit, nothing to expire. */
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), -1);
	ph_advance(&h, 60000);
	ck_assert_int_eq(h.nout, 1);
}
END_TEST

START_TEST(test_repeated_pci_gets_the_same_par_s)
{
	struct tpac t, other;

	tpac_init(&t, "192.0.2.10", 40000);
	tpac_init(&other, "192.0.2.10", 40001);
	pci(&t);
	ph_advance(&h, 500);
	pci(&t);
	ck_assert_int_eq(h.nout, 2);
	ck_assert_uint_eq(h.out[1].len, h.out[0].len);
	ck_assert(memcmp(h.out[0].buf, h.out[1].buf, h.out[0].len) == 0);
	/* Another path, another cookie. */
	pci(&other);
	ck_assert(memcmp(h.out[0].buf + 8, h.out[2].buf + 8, 8) != 0);
}
END_TEST

START_TEST(test_pan_s_with_a_forged_cookie_dropped)
{
	struct tpac t;
	struct pana_builder b;
	uint8_t buf[128];

	tpac_init(&t, "192.0.2.10", 40000);
	pci(&t);
	t.sid = (uint32_t)h.out[0].buf[8] << 24 | h.out[0].buf[9] << 16 |
	    h.out[0].buf[10] << 8 | h.out[0].buf[11];
	t.par_seq = (uint32_t)h.out[0].buf[12] << 24 |
	    h.out[0].buf[13] << 16 | h.out[0].buf[14] << 8 | h.out[0].buf[15];
	/* The right session id, a guessed sequence number. */
	tpac_begin(&t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_S, t.par_seq + 1);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, 12);
	tpac_send(&t, &b, 0);
	ck_assert_int_eq(h.nout, 1);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->bad_cookie, 1);
	ck_assert(ph_logged(&h, "PAN[S] from 192.0.2.10:40000 for session "));
	ck_assert(ph_logged(&h, "not the cookie of a PAR[S] sent to it"));
}
END_TEST

START_TEST(test_pan_s_from_another_path_dropped)
{
	struct tpac t, thief;
	struct pana_builder b;
	uint8_t buf[128];
	struct pana_msg m;

	tpac_init(&t, "192.0.2.10", 40000);
	tpac_init(&thief, "192.0.2.66", 40000);
	pci(&t);
	last_out(&m);
	/* Someone who saw the PAR[S] answers it from elsewhere. */
	thief.sid = m.hdr.session_id;
	tpac_begin(&thief, &b, buf, PANA_MSG_AUTH, PANA_FLAG_S, m.hdr.seq);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, 12);
	tpac_send(&thief, &b, 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->bad_cookie, 1);
}
END_TEST

START_TEST(test_cookie_outlives_one_rotation_not_two)
{
	struct tpac t;

	tpac_init(&t, "192.0.2.10", 40000);
	h.now += 10000;		/* the secret of the PAR[S] is the last one */
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_uint_eq(paa_session_count(h.paa), 1);
	tpac_init(&t, "192.0.2.11", 40000);
	pci(&t);
	h.now += 10000;		/* rotated once: still good */
	{
		struct pana_builder b;
		struct pana_msg m;
		uint8_t buf[128];

		last_out(&m);
		t.sid = m.hdr.session_id;
		tpac_begin(&t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_S, m.hdr.seq);
		pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, 5);
		pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, 12);
		tpac_send(&t, &b, 0);
		ck_assert_uint_eq(paa_session_count(h.paa), 2);
		/* A PAR[S] two rotations old is refused. */
		tpac_init(&t, "192.0.2.12", 40000);
		pci(&t);
		last_out(&m);
		h.now += 20000;
		t.sid = m.hdr.session_id;
		tpac_begin(&t, &b, buf, PANA_MSG_AUTH, PANA_FLAG_S, m.hdr.seq);
		pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, 5);
		pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, 12);
		tpac_send(&t, &b, 0);
		ck_assert_uint_eq(paa_stats(h.paa)->bad_cookie, 1);
	}
}
END_TEST

START_TEST(test_repeated_pan_s_resends_the_first_eap_par)
{
	struct tpac t;
	int n0;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	n0 = h.nout;
	/* The PAR[S] went out twice; the second PAN[S] arrives. */
	ph_input(&h, &t.addr, t.i_pan, t.i_pan_len);
	ck_assert_int_eq(h.nout, n0 + 1);
	ck_assert_uint_eq(h.out[n0].len, h.out[n0 - 1].len);
	ck_assert(memcmp(h.out[n0].buf, h.out[n0 - 1].buf, h.out[n0].len)
	    == 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 1);
	ck_assert_uint_eq(paa_stats(h.paa)->bad_seq, 0);
	/* And the exchange goes on. */
	pan_eap(&t, 1);
	ck_assert_int_eq(h.naaa, 1);
}
END_TEST

START_TEST(test_unfinished_authentication_expires)
{
	struct tpac t;
	struct pana_msg m;

	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	/* Busy, never idle, but not done within auth_timeout_ms. */
	pan_eap(&t, 1);
	ph_advance(&h, 1500);
	ph_aaa(&h, t.sid, PAA_AAA_CHALLENGE, 0);
	last_out(&m);
	t.par_seq = m.hdr.seq;
	ph_advance(&h, 400);
	pan_eap(&t, 0);
	ck_assert_uint_eq(paa_session_count(h.paa), 1);
	ck_assert_int_eq(paa_next_timeout(h.paa, h.now), 100);
	ph_advance(&h, 100);
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert(ph_logged(&h, "192.0.2.10:40000 did not complete "
	    "authentication within 2000 ms: session removed"));
}
END_TEST

START_TEST(test_pci_flood_keeps_no_state)
{
	struct tpac t;
	char ip[32];
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16 & 0xff,
		    i >> 8 & 0xff, i & 0xff);
		tpac_init(&t, ip, 40000);
		pci(&t);
		ph_clear_sent(&h);
		h.now++;
	}
	ck_assert_uint_eq(paa_session_count(h.paa), 0);
	ck_assert_uint_eq(paa_stats(h.paa)->pci_answered, 20000);
	ck_assert_uint_eq(paa_stats(h.paa)->over_cap, 0);
	/* A PaC joining now is not locked out. */
	tpac_init(&t, "192.0.2.10", 40000);
	authenticate(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
}
END_TEST

static void
setup_short_auth(void)
{
	setup_cfg();
	h.cfg.auth_timeout_ms = 2000;
	start();
}

/* ------------------------------------------------ timer RAND */

/*
 * RFC 5191 section 9 takes RFC 3315's timers: RT = IRT + RAND*IRT, then
 * 2*RTprev + RAND*RTprev, capped at MRT + RAND*MRT, RAND in [-0.1,
 * +0.1].  The harness's random source is fixed at its extremes.
 */
static void
assert_rt_sequence(uint8_t byte, const int64_t *rt, int n)
{
	struct tpac t;
	int i;

	h.rng_fixed = 1;
	h.rng_byte = byte;
	tpac_init(&t, "192.0.2.10", 40000);
	handshake(&t, PANA_PRF_HMAC_SHA2_256, PANA_AUTH_HMAC_SHA2_256_128);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(paa_next_timeout(h.paa, h.now), rt[i]);
		ph_advance(&h, (uint64_t)rt[i]);
	}
}

START_TEST(test_rt_rand_lowest)
{
	/* RAND -0.1: 90, 2*90-9, 2*171-17, then 400-40 for 2*325-32. */
	static const int64_t rt[] = { 90, 171, 325, 360 };

	assert_rt_sequence(0x00, rt, 4);
}
END_TEST

START_TEST(test_rt_rand_highest)
{
	/* RAND +0.1: 110, 2*110+11, then 400+40 for 2*231+23. */
	static const int64_t rt[] = { 110, 231, 440 };

	assert_rt_sequence(0xff, rt, 3);
}
END_TEST

START_TEST(test_rt_rand_spreads_retransmissions)
{
	struct tpac t;
	int64_t first[8];
	int i, j, distinct = 0;

	/* Eight PAAs seeded apart: the first timeouts differ. */
	for (i = 0; i < 8; i++) {
		ph_stop(&h);
		ph_start(&h, 0x12345678 + 977 * (uint32_t)i, 1000000);
		tpac_init(&t, "192.0.2.10", 40000);
		handshake(&t, PANA_PRF_HMAC_SHA2_256,
		    PANA_AUTH_HMAC_SHA2_256_128);
		first[i] = paa_next_timeout(h.paa, h.now);
		ck_assert_int_ge(first[i], 90);
		ck_assert_int_le(first[i], 110);
	}
	for (i = 0; i < 8; i++) {
		for (j = 0; j < i && first[j] != first[i]; j++)
			;
		distinct += j == i;
	}
	ck_assert_int_ge(distinct, 4);
}
END_TEST

START_TEST(test_config_control_socket)
{
	struct pr_config c;
	char err[CONFIG_ERRLEN], text[512], path[200];

	ck_assert_int_eq(config_parse("role relay\nrelay-listen ::1 7160\n"
	    "relay-paa 127.0.0.1 716\n", "t.conf", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.control_socket, "");
	ck_assert_int_eq(config_parse("role relay\nrelay-listen ::1 7160\n"
	    "relay-paa 127.0.0.1 716\ncontrol-socket /run/p.sock\n", "t.conf",
	    &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.control_socket, "/run/p.sock");
	ck_assert_int_eq(config_parse("control-socket run/p.sock\n", "t.conf",
	    &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "t.conf:1: control-socket: 'run/p.sock' is not "
	    "an absolute path");
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(text, sizeof(text), "control-socket %s\n", path);
	ck_assert_int_eq(config_parse(text, "t.conf", &c, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "t.conf:1: control-socket: longer than 107 "
	    "octets");
	ck_assert_int_eq(config_parse("role relay\nrelay-listen ::1 7160\n"
	    "relay-paa 127.0.0.1 716\nlog-level debug\n", "t.conf", &c, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.log_debug, 1);
	ck_assert_int_eq(config_parse("log-level loud\n", "t.conf", &c, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t.conf:1: log-level: 'loud' is neither info "
	    "nor debug");
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("paa");
	TCase *tc = tcase_create("state machine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_exchange);
	tcase_add_test(tc, test_sha1_suite);
	tcase_add_test(tc, test_pan_s_bad_choice);
	tcase_add_test(tc, test_duplicate_request_from_cache);
	tcase_add_test(tc, test_stale_and_future_seq);
	tcase_add_test(tc, test_bad_auth_dropped);
	tcase_add_test(tc, test_unknown_session_and_wrong_source);
	tcase_add_test(tc, test_malformed_short_datagram);
	tcase_add_test(tc, test_malformed_unknown_avp);
	tcase_add_test(tc, test_malformed_truncated_datagram);
	tcase_add_test(tc, test_malformed_pci_with_r_flag);
	tcase_add_test(tc, test_malformed_pci_with_session_id);
	tcase_add_test(tc, test_retransmission_and_giving_up);
	tcase_add_test(tc, test_idle_expiry);
	tcase_add_test(tc, test_reject);
	tcase_add_test(tc, test_aaa_unreachable);
	tcase_add_test(tc, test_lifetime);
	tcase_add_test(tc, test_termination);
	tcase_add_test(tc, test_paa_terminates);
	tcase_add_test(tc, test_session_walk_lists_every_session);
	tcase_add_test(tc, test_set_config_lowers_the_cap_for_new_sessions);
	suite_add_tcase(s, tc);

	tc = tcase_create("caps");
	tcase_add_checked_fixture(tc, setup_caps, teardown);
	tcase_add_test(tc, test_cap_per_address);
	tcase_add_test(tc, test_cap_total);
	tcase_add_test(tc, test_cap_pci_still_answered_when_full);
	tcase_add_test(tc, test_address_change_counts_for_the_per_address_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("re-authentication");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reauth_pnr_a_answered_under_current_key);
	tcase_add_test(tc, test_reauth_par_has_fresh_nonce_under_old_key);
	tcase_add_test(tc, test_reauth_aaa_request_is_first_of_a_reauth);
	tcase_add_test(tc, test_reauth_old_key_holds_during_exchange);
	tcase_add_test(tc, test_reauth_new_key_after_par_c);
	tcase_add_test(tc, test_reauth_old_key_refused_after);
	suite_add_tcase(s, tc);

	tc = tcase_create("PAA-initiated ping and re-authentication");
	tcase_add_checked_fixture(tc, setup_debug, teardown_debug);
	tcase_add_test(tc, test_paa_ping_sent_under_the_key_and_answered);
	tcase_add_test(tc, test_paa_ping_unanswered_removes_the_session);
	tcase_add_test(tc, test_paa_ping_with_a_request_outstanding_refused);
	tcase_add_test(tc, test_paa_pna_without_p_flag_dropped);
	tcase_add_test(tc, test_ping_interval_pings_open_sessions);
	tcase_add_test(tc, test_paa_reauth_par_under_the_current_key);
	tcase_add_test(tc, test_paa_reauth_brings_a_new_key_id);
	tcase_add_test(tc, test_paa_reauth_replaces_an_outstanding_ping);
	tcase_add_test(tc, test_paa_reauth_of_no_open_session_refused);
	tcase_add_test(tc, test_reauth_before_starts_before_the_lifetime_ends);
	tcase_add_test(tc, test_reauth_before_is_at_most_half_the_lifetime);
	suite_add_tcase(s, tc);

	tc = tcase_create("PaC address change");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_address_change_taken_from_an_authenticated_request);
	tcase_add_test(tc, test_address_change_taken_from_an_authenticated_answer);
	tcase_add_test(tc, test_address_change_without_auth_dropped);
	tcase_add_test(tc, test_address_change_by_a_replayed_request_dropped);
	tcase_add_test(tc, test_address_change_before_the_key_dropped);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_add_checked_fixture(tc, setup_many, teardown);
	tcase_add_test(tc, test_sessions_found_after_the_tables_grow);
	tcase_add_test(tc, test_per_address_cap_holds_after_the_tables_grow);
	tcase_add_test(tc, test_timers_run_in_deadline_order_among_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("no piggybacking");
	tcase_add_checked_fixture(tc, setup_debug, teardown_debug);
	tcase_add_test(tc, test_pan_without_eap_waits_for_the_pacs_par);
	tcase_add_test(tc, test_pacs_par_answered_with_pan_and_carried_to_aaa);
	tcase_add_test(tc, test_no_piggyback_full_exchange);
	tcase_add_test(tc, test_repeated_pacs_par_answered_from_cache);
	tcase_add_test(tc, test_pacs_par_acknowledges_the_paas_par);
	tcase_add_test(tc, test_pacs_par_before_its_nonce_dropped);
	tcase_add_test(tc, test_pacs_par_outside_eap_exchange_dropped);
	tcase_add_test(tc, test_pacs_par_with_s_or_c_dropped);
	tcase_add_test(tc, test_pacs_par_in_reauth_under_current_key);
	tcase_add_test(tc, test_ping_during_authentication_answered);
	tcase_add_test(tc, test_ptr_and_pnr_a_before_authentication_dropped);
	suite_add_tcase(s, tc);

	tc = tcase_create("relay");
	tcase_add_test(tc, test_relay_wrap_unwrap);
	tcase_add_test(tc, test_relay_side_signs_and_verifies);
	tcase_add_test(tc, test_relay_sign_bounds);
	tcase_add_test(tc, test_relay_link_local_pac_takes_the_iot_scope);
	tcase_add_test(tc,
	    test_relay_link_local_pac_without_iot_scope_dropped);
	suite_add_tcase(s, tc);

	tc = tcase_create("trusted relays");
	tcase_add_checked_fixture(tc, setup_relays, teardown);
	tcase_add_test(tc, test_relayed_session);
	tcase_add_test(tc, test_address_change_through_a_relay_dropped);
	tcase_add_test(tc, test_relay_not_a_peer_dropped);
	tcase_add_test(tc, test_relay_peer_from_any_port);
	tcase_add_test(tc, test_relay_auth_verified_and_answers_signed);
	tcase_add_test(tc, test_relay_auth_missing_dropped);
	tcase_add_test(tc, test_relay_auth_wrong_key_dropped);
	tcase_add_test(tc, test_relay_tampered_pac_information_dropped);
	tcase_add_test(tc, test_cap_per_relay);
	tcase_add_test(tc,
	    test_cap_per_address_counts_the_pac_inside_pac_information);
	suite_add_tcase(s, tc);

	tc = tcase_create("stateless start");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pci_answered_without_state);
	tcase_add_test(tc, test_repeated_pci_gets_the_same_par_s);
	tcase_add_test(tc, test_pan_s_with_a_forged_cookie_dropped);
	tcase_add_test(tc, test_pan_s_from_another_path_dropped);
	tcase_add_test(tc, test_cookie_outlives_one_rotation_not_two);
	tcase_add_test(tc, test_repeated_pan_s_resends_the_first_eap_par);
	tcase_add_test(tc, test_pci_flood_keeps_no_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("timer RAND");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rt_rand_lowest);
	tcase_add_test(tc, test_rt_rand_highest);
	tcase_add_test(tc, test_rt_rand_spreads_retransmissions);
	suite_add_tcase(s, tc);

	tc = tcase_create("authentication deadline");
	tcase_add_checked_fixture(tc, setup_short_auth, teardown);
	tcase_add_test(tc, test_unfinished_authentication_expires);
	suite_add_tcase(s, tc);

	tc = tcase_create("no relay-peer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_no_relay_peer_no_relaying);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_test(tc, test_config_good);
	tcase_add_test(tc, test_config_bad_lines);
	tcase_add_test(tc, test_config_secret_not_in_errors);
	tcase_add_test(tc, test_config_control_socket);
	suite_add_tcase(s, tc);
	return s;
}
