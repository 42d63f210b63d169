/*
 * check_pac.c - unit tests for node/pac.c, the PaC state machine.
 *
 * A scripted PAA built here with pana_msg and pana_crypto talks to the PaC
 * through pac_input()/pac_output() with a made-up clock; a fake EAP method
 * answers one Identity and one "TLS" round and yields a fixed MSK.  No
 * sockets, no TLS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "check_main.h"
#include "keyrecord.h"
#include "pac.h"
#include "pana_crypto.h"
#include "pana_msg.h"
#include "recline.h"

#define SID		0x0a0b0c0d
#define PAA_SEQ0	1000
#define LIFETIME	60
#define WALL		1700000000ULL

/* ---- the fake EAP method ---- */

struct fake_eap {
	int		begins;
	int		processed;	/* requests handled */
	int		done;
	int		fail_locally;	/* refuse the "TLS" round with an alert */
	uint8_t		msk_byte;	/* MSK = 64 times this octet */
};

static int
fake_begin(void *ctx, char *err, size_t errlen)
{
	struct fake_eap	*f = ctx;

	(void)err;
	(void)errlen;
	f->begins++;
	f->done = 0;
	return 0;
}

static enum pac_eap_rc
fake_process(void *ctx, const uint8_t *req, size_t len, uint8_t *resp,
    size_t resp_size, size_t *resp_len)
{
	struct fake_eap	*f = ctx;

	*resp_len = 0;
	if (len < 4 || resp_size < 6)
		return PAC_EAP_DISCARD;
	if (req[0] == 3)
		return f->done ? PAC_EAP_SUCCESS : PAC_EAP_FAILURE;
	if (req[0] != 1 || len < 5)
		return PAC_EAP_DISCARD;
	f->processed++;
	resp[0] = 2;
	resp[1] = req[1];
	resp[2] = 0;
	resp[3] = 6;
	resp[4] = req[4];
	resp[5] = 0;
	*resp_len = 6;
	if (req[4] == 1)
		return PAC_EAP_CONTINUE;	/* Identity */
	if (f->fail_locally)
		return PAC_EAP_FAILURE;		/* with an "alert" */
	f->done = 1;
	return PAC_EAP_DONE;
}

static int
fake_msk(void *ctx, uint8_t *msk, size_t size, size_t *len)
{
	struct fake_eap	*f = ctx;

	if (!f->done || size < 64)
		return -1;
	memset(msk, f->msk_byte, 64);
	*len = 64;
	return 0;
}

static const char *
fake_error(void *ctx)
{
	(void)ctx;
	return "fake method refused";
}

static const struct pac_eap_ops fake_ops = {
	fake_begin, fake_process, fake_msk, fake_error
};

/* ---- the scripted PAA ---- */

struct paa {
	uint32_t	seq;		/* of its next request */
	uint32_t	prf, integ;
	uint8_t		i_par[256], i_pan[256];
	size_t		i_par_len, i_pan_len;
	uint8_t		paa_nonce[20], pac_nonce[20];
	uint8_t		key[PANA_AUTH_KEY_MAX];
	size_t		key_len;
	int		have_key;
	uint32_t	key_id;
	uint8_t		msk_byte;
};

static struct fake_eap	 eap;
static struct paa	 paa;
static struct pac	*pac;
static uint64_t		 clk;
static uint8_t		 out[PAC_OUT_MAX];
static size_t		 out_len;
static struct pana_msg	 outm;
static EVP_PKEY		*node_key, *server_key;
static int		 no_piggyback;	/* of the PaC setup() makes */
/*
 * The PaC's random source for the timers' RAND: every octet rt_byte.
 * 0x80 (RAND 0.0004) keeps the bare back-off 100, 200, 400, 800 ms.
 */
static uint8_t		 rt_byte = 0x80;

static int
fixed_random(void *arg, void *buf, size_t len)
{
	(void)arg;
	memset(buf, rt_byte, len);
	return 0;
}

static uint64_t
wall(void *arg)
{
	(void)arg;
	return WALL;
}

static struct pac *
make_pac(int sha1_only)
{
	struct pac_cfg	cfg;
	char		err[128];
	struct pac	*p;

	memset(&cfg, 0, sizeof(cfg));
	cfg.eap = &fake_ops;
	cfg.eap_ctx = &eap;
	cfg.sha1_only = sha1_only;
	cfg.no_piggyback = no_piggyback;
	cfg.random = fixed_random;
	cfg.rt_init_ms = 100;
	cfg.rt_max_ms = 800;
	cfg.rt_max_count = 5;
	cfg.node_key = node_key;
	cfg.servers = &server_key;
	cfg.nservers = 1;
	cfg.wall_clock = wall;
	p = pac_new(&cfg, err, sizeof(err));
	ck_assert_msg(p != NULL, "pac_new: %s", err);
	return p;
}

static void
setup(void)
{
	memset(&eap, 0, sizeof(eap));
	memset(&paa, 0, sizeof(paa));
	eap.msk_byte = paa.msk_byte = 0x5a;
	paa.seq = PAA_SEQ0;
	clk = 5000;
	node_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	server_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert_ptr_nonnull(node_key);
	ck_assert_ptr_nonnull(server_key);
	pac = make_pac(0);
}

static void
teardown(void)
{
	no_piggyback = 0;
	rt_byte = 0x80;
	pac_free(pac);
	pac = NULL;
	EVP_PKEY_free(node_key);
	EVP_PKEY_free(server_key);
}

/* Feed one datagram; returns how many the PaC sent back (last in out). */
static int
feed(const uint8_t *msg, size_t len)
{
	int	n = 0;

	pac_input(pac, msg, len, clk);
	while (pac_output(pac, out, sizeof(out), &out_len) == 1)
		n++;
	if (n > 0)
		ck_assert_int_eq(pana_msg_parse(out, out_len,
		    GKEY_VENDOR_ID_DEFAULT, &outm, NULL, 0), 0);
	return n;
}

static int
drain(void)
{
	int	n = 0;

	while (pac_output(pac, out, sizeof(out), &out_len) == 1)
		n++;
	if (n > 0)
		ck_assert_int_eq(pana_msg_parse(out, out_len,
		    GKEY_VENDOR_ID_DEFAULT, &outm, NULL, 0), 0);
	return n;
}

static uint32_t
out_u32(uint16_t code)
{
	uint32_t	v;

	ck_assert_int_eq(pana_avp_u32(&outm.avp[code], &v), 0);
	return v;
}

/* Finish a PAA message, signing it when the PAA has a key (or key). */
static size_t
paa_finish(struct pana_builder *b, const uint8_t *key, size_t key_len)
{
	size_t	len;

	if (key != NULL)
		ck_assert_int_eq(pana_build_auth(b,
		    pana_auth_mac_len(paa.integ), NULL), 0);
	ck_assert_int_eq(pana_build_finish(b, &len), 0);
	if (key != NULL)
		ck_assert_int_eq(pana_auth_sign(paa.integ, key, key_len,
		    b->buf, len), 0);
	return len;
}

static size_t
par_start(uint8_t *buf, size_t size, const uint32_t *prfs, size_t nprf,
    const uint32_t *integs, size_t ninteg)
{
	struct pana_builder	b;
	size_t			i, len;

	pana_build_start(&b, buf, size, PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_S, SID, paa.seq);
	for (i = 0; i < nprf; i++)
		pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, prfs[i]);
	for (i = 0; i < ninteg; i++)
		pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, integs[i]);
	len = paa_finish(&b, NULL, 0);
	memcpy(paa.i_par, buf, len);
	paa.i_par_len = len;
	return len;
}

/* PAR with an EAP-Request of the given type (1 Identity, 13 TLS). */
static size_t
par_eap(uint8_t *buf, size_t size, uint8_t eap_type, int with_nonce)
{
	struct pana_builder	b;
	uint8_t			req[5] = { 1, 0, 0, 5, 0 };

	req[1] = (uint8_t)paa.seq;
	req[4] = eap_type;
	pana_build_start(&b, buf, size, PANA_MSG_AUTH, PANA_FLAG_R, SID,
	    paa.seq);
	if (with_nonce) {
		memset(paa.paa_nonce, (int)(paa.seq & 0xff),
		    sizeof(paa.paa_nonce));
		pana_build_avp(&b, PANA_AVP_NONCE, paa.paa_nonce,
		    sizeof(paa.paa_nonce));
	}
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, req, sizeof(req));
	return paa_finish(&b, paa.have_key ? paa.key : NULL, paa.key_len);
}

/* Derives the PAA's new key from the MSK and the two nonces. */
static void
paa_new_key(uint32_t key_id, uint8_t *key, size_t *key_len)
{
	struct pana_kdf_input	in;
	uint8_t			msk[64];

	memset(msk, paa.msk_byte, sizeof(msk));
	memset(&in, 0, sizeof(in));
	in.msk = msk;
	in.msk_len = sizeof(msk);
	in.i_par = paa.i_par;
	in.i_par_len = paa.i_par_len;
	in.i_pan = paa.i_pan;
	in.i_pan_len = paa.i_pan_len;
	in.pac_nonce = paa.pac_nonce;
	in.pac_nonce_len = sizeof(paa.pac_nonce);
	in.paa_nonce = paa.paa_nonce;
	in.paa_nonce_len = sizeof(paa.paa_nonce);
	in.key_id = key_id;
	ck_assert_int_eq(pana_auth_key_derive(paa.prf, paa.integ, &in, key,
	    PANA_AUTH_KEY_MAX, key_len), 0);
}

/* PAR(C) with PANA_SUCCESS, records and AUTH (corrupted if asked). */
static size_t
par_success(uint8_t *buf, size_t size, uint32_t key_id,
    const uint8_t *rec, size_t rec_len, int corrupt)
{
	struct pana_builder	b;
	uint8_t			key[PANA_AUTH_KEY_MAX];
	uint8_t			success[4] = { 3, 0, 0, 4 };
	size_t			key_len, len, off, mac_len;

	paa_new_key(key_id, key, &key_len);
	pana_build_start(&b, buf, size, PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_C, SID, paa.seq);
	pana_build_avp_u32(&b, PANA_AVP_RESULT_CODE, PANA_SUCCESS);
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, success, sizeof(success));
	pana_build_avp_u32(&b, PANA_AVP_KEY_ID, key_id);
	pana_build_avp_u32(&b, PANA_AVP_SESSION_LIFETIME, LIFETIME);
	if (rec != NULL)
		pana_build_vendor_avp(&b, GKEY_VENDOR_ID_DEFAULT,
		    GKEY_AVP_KEY_RECORD, rec, rec_len);
	len = paa_finish(&b, key, key_len);
	if (corrupt) {
		mac_len = pana_auth_mac_len(paa.integ);
		ck_assert_int_eq(pana_msg_find_auth(buf, len, &off,
		    &mac_len), 0);
		buf[off] ^= 0x01;
	}
	return len;
}

static size_t
par_reject(uint8_t *buf, size_t size)
{
	struct pana_builder	b;
	uint8_t			failure[4] = { 4, 0, 0, 4 };

	pana_build_start(&b, buf, size, PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_C, SID, paa.seq);
	pana_build_avp_u32(&b, PANA_AVP_RESULT_CODE,
	    PANA_AUTHENTICATION_REJECTED);
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, failure, sizeof(failure));
	return paa_finish(&b, paa.have_key ? paa.key : NULL, paa.key_len);
}

/* A PAA request of another type (PNR, PTR), signed with the PAA key. */
static size_t
paa_request(uint8_t *buf, size_t size, uint16_t type, uint16_t flags,
    int sign)
{
	struct pana_builder	b;

	pana_build_start(&b, buf, size, type, PANA_FLAG_R | flags, SID,
	    paa.seq);
	if (type == PANA_MSG_TERM)
		pana_build_avp_u32(&b, PANA_AVP_TERM_CAUSE,
		    PANA_TERM_ADMINISTRATIVE);
	return paa_finish(&b, sign ? paa.key : NULL, paa.key_len);
}

/* The PAA's answer to the PaC's last request (in out). */
static size_t
paa_answer(uint8_t *buf, size_t size)
{
	struct pana_builder	b;

	pana_build_start(&b, buf, size, outm.hdr.type,
	    outm.hdr.flags & ~PANA_FLAG_R, SID, outm.hdr.seq);
	return paa_finish(&b, paa.key, paa.key_len);
}

/* PCI, PAR(S) with both suites, PAN(S). */
static void
do_start(void)
{
	static const uint32_t	prfs[] = { PANA_PRF_HMAC_SHA2_256,
				    PANA_PRF_HMAC_SHA1 };
	static const uint32_t	integs[] = { PANA_AUTH_HMAC_SHA2_256_128,
				    PANA_AUTH_HMAC_SHA1_160 };
	uint8_t			buf[512];
	size_t			len;

	ck_assert_int_eq(pac_start(pac, clk), 0);
	ck_assert_int_eq(drain(), 1);
	len = par_start(buf, sizeof(buf), prfs, 2, integs, 2);
	ck_assert_int_eq(feed(buf, len), 1);
	memcpy(paa.i_pan, out, out_len);
	paa.i_pan_len = out_len;
	paa.prf = out_u32(PANA_AVP_PRF_ALG);
	paa.integ = out_u32(PANA_AVP_INTEGRITY_ALG);
	paa.seq++;
}

/* Identity and TLS rounds; the first PAN's Nonce is kept. */
static void
do_eap(void)
{
	uint8_t	buf[512];
	size_t	len;

	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(outm.avp[PANA_AVP_NONCE].len, PAC_NONCE_LEN);
	memcpy(paa.pac_nonce, outm.avp[PANA_AVP_NONCE].value, PAC_NONCE_LEN);
	paa.seq++;
	len = par_eap(buf, sizeof(buf), 13, 0);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_ptr_null(outm.avp[PANA_AVP_NONCE].value);
	paa.seq++;
}

/* PAR(C) success; the PaC's PAN(C) is checked and the key installed. */
static void
do_complete(uint32_t key_id, const uint8_t *rec, size_t rec_len)
{
	uint8_t	buf[1024];
	size_t	len;

	len = par_success(buf, sizeof(buf), key_id, rec, rec_len, 0);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(outm.hdr.flags, PANA_FLAG_C);
	ck_assert_uint_eq(outm.hdr.seq, paa.seq);
	ck_assert_uint_eq(out_u32(PANA_AVP_KEY_ID), key_id);
	paa_new_key(key_id, paa.key, &paa.key_len);
	paa.have_key = 1;
	paa.key_id = key_id;
	ck_assert_int_eq(pana_auth_verify(paa.integ, paa.key, paa.key_len,
	    out, out_len), 0);
	paa.seq++;
}

/* PAR(C) with key id 7 and no Key Record: the session opens. */
static void
do_finish(void)
{
	do_complete(7, NULL, 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_OPEN);
	ck_assert_uint_eq(pac_events(pac) & PAC_EV_AUTHENTICATED,
	    PAC_EV_AUTHENTICATED);
}

/*
 * The fixtures: each test case starts its tests from one state of the
 * exchange, so a test holds only the behaviour it names.
 */

/* The PaC has sent its PCI. */
static void
setup_pci_sent(void)
{
	setup();
	ck_assert_int_eq(pac_start(pac, clk), 0);
	ck_assert_int_eq(drain(), 1);
}

/* PCI, PAR(S) and PAN(S): the algorithms are chosen. */
static void
setup_negotiated(void)
{
	setup();
	do_start();
}

/* ... and the EAP method has completed; PAR(C) is next. */
static void
setup_eap_done(void)
{
	setup_negotiated();
	do_eap();
}

/* ... and PAR(C)/PAN(C): the session is open under key id 7. */
static void
setup_open(void)
{
	setup_eap_done();
	do_finish();
}

/* ... and the PaC has asked for re-authentication (PNR(A) sent). */
static void
setup_reauth_requested(void)
{
	setup_open();
	ck_assert_int_eq(pac_reauth(pac, clk), 0);
	ck_assert_int_eq(drain(), 1);
}

/* ---- start and algorithm choice ---- */

START_TEST(test_start_sends_pci_with_session_and_seq_zero)
{
	ck_assert_int_eq(pac_start(pac, clk), 0);
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_PCI);
	ck_assert_uint_eq(outm.hdr.session_id, 0);
	ck_assert_uint_eq(outm.hdr.seq, 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_START);
}
END_TEST

START_TEST(test_pan_s_prefers_sha2_whatever_the_order)
{
	static const uint32_t	prfs[] = { PANA_PRF_HMAC_SHA1,
				    PANA_PRF_HMAC_SHA2_256 };
	static const uint32_t	integs[] = { PANA_AUTH_HMAC_SHA1_160,
				    PANA_AUTH_HMAC_SHA2_256_128 };
	uint8_t			buf[256];
	size_t			len;

	len = par_start(buf, sizeof(buf), prfs, 2, integs, 2);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_AUTH);
	ck_assert_uint_eq(outm.hdr.flags, PANA_FLAG_S);
	ck_assert_uint_eq(outm.hdr.session_id, SID);
	ck_assert_uint_eq(outm.hdr.seq, PAA_SEQ0);
	ck_assert_uint_eq(outm.count[PANA_AVP_PRF_ALG], 1);
	ck_assert_uint_eq(outm.count[PANA_AVP_INTEGRITY_ALG], 1);
	ck_assert_uint_eq(out_u32(PANA_AVP_PRF_ALG), PANA_PRF_HMAC_SHA2_256);
	ck_assert_uint_eq(out_u32(PANA_AVP_INTEGRITY_ALG),
	    PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(pac_state(pac), PAC_ST_AUTH);
}
END_TEST

START_TEST(test_pan_s_takes_sha1_when_only_sha1_is_offered)
{
	static const uint32_t	prfs[] = { PANA_PRF_HMAC_SHA1 };
	static const uint32_t	integs[] = { PANA_AUTH_HMAC_SHA1_160 };
	uint8_t			buf[256];
	size_t			len;

	len = par_start(buf, sizeof(buf), prfs, 1, integs, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(out_u32(PANA_AVP_PRF_ALG), PANA_PRF_HMAC_SHA1);
	ck_assert_uint_eq(out_u32(PANA_AVP_INTEGRITY_ALG),
	    PANA_AUTH_HMAC_SHA1_160);
}
END_TEST

START_TEST(test_sha1_only_pac_refuses_sha2)
{
	static const uint32_t	prfs[] = { PANA_PRF_HMAC_SHA2_256,
				    PANA_PRF_HMAC_SHA1 };
	static const uint32_t	integs[] = { PANA_AUTH_HMAC_SHA2_256_128,
				    PANA_AUTH_HMAC_SHA1_160 };
	uint8_t			buf[256];
	size_t			len;

	pac_free(pac);
	pac = make_pac(1);
	ck_assert_int_eq(pac_start(pac, clk), 0);
	drain();
	len = par_start(buf, sizeof(buf), prfs, 2, integs, 2);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(out_u32(PANA_AVP_PRF_ALG), PANA_PRF_HMAC_SHA1);
	ck_assert_uint_eq(out_u32(PANA_AVP_INTEGRITY_ALG),
	    PANA_AUTH_HMAC_SHA1_160);
}
END_TEST

START_TEST(test_no_acceptable_prf_fails_without_answer)
{
	static const uint32_t	prfs[] = { 99 };
	static const uint32_t	integs[] = { PANA_AUTH_HMAC_SHA2_256_128 };
	uint8_t			buf[256];
	size_t			len;

	len = par_start(buf, sizeof(buf), prfs, 1, integs, 1);
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_FAILED);
	ck_assert_ptr_nonnull(strstr(pac_error(pac), "PRF"));
}
END_TEST

START_TEST(test_no_acceptable_integrity_fails)
{
	static const uint32_t	prfs[] = { PANA_PRF_HMAC_SHA2_256 };
	static const uint32_t	integs[] = { 5 };
	uint8_t			buf[256];
	size_t			len;

	len = par_start(buf, sizeof(buf), prfs, 1, integs, 1);
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_FAILED);
	ck_assert_ptr_nonnull(strstr(pac_error(pac), "integrity"));
}
END_TEST

START_TEST(test_pci_is_retransmitted_with_backoff_then_gives_up)
{
	int	i;
	int64_t	expect = 100;

	for (i = 1; i < 5; i++) {
		ck_assert_int_eq(pac_next_timeout(pac, clk), expect);
		clk += (uint64_t)expect - 1;
		pac_timeout(pac, clk);
		ck_assert_int_eq(drain(), 0);	/* not yet */
		clk += 1;
		pac_timeout(pac, clk);
		ck_assert_int_eq(drain(), 1);
		ck_assert_uint_eq(outm.hdr.type, PANA_MSG_PCI);
		expect = expect * 2 > 800 ? 800 : expect * 2;
	}
	clk += (uint64_t)expect;
	pac_timeout(pac, clk);
	ck_assert_int_eq(drain(), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_FAILED);
	ck_assert_ptr_nonnull(strstr(pac_error(pac), "no answer to PCI"));
	ck_assert_int_eq(pac_next_timeout(pac, clk), -1);
}
END_TEST

/* ---- EAP rounds and sequence numbers ---- */

START_TEST(test_first_pan_after_start_carries_a_nonce)
{
	do_eap();
	ck_assert_int_eq(eap.processed, 2);
	ck_assert_int_eq(pac_state(pac), PAC_ST_AUTH);
}
END_TEST

START_TEST(test_first_eap_par_without_nonce_is_dropped)
{
	uint8_t	buf[256];
	size_t	len;

	len = par_eap(buf, sizeof(buf), 1, 0);
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(eap.processed, 0);
}
END_TEST

START_TEST(test_duplicate_par_is_answered_from_the_cache)
{
	uint8_t	buf[256], first[PAC_OUT_MAX];
	size_t	len, first_len;

	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	memcpy(first, out, out_len);
	first_len = out_len;
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(out_len, first_len);
	ck_assert_mem_eq(out, first, first_len);
	ck_assert_int_eq(eap.processed, 1);
}
END_TEST

START_TEST(test_duplicate_par_s_gets_the_same_pan_s)
{
	static const uint32_t	prfs[] = { PANA_PRF_HMAC_SHA2_256 };
	static const uint32_t	integs[] = { PANA_AUTH_HMAC_SHA2_256_128 };
	uint8_t			buf[256];
	size_t			len;

	len = par_start(buf, sizeof(buf), prfs, 1, integs, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	memcpy(paa.i_pan, out, out_len);
	paa.i_pan_len = out_len;
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(out_len, paa.i_pan_len);
	ck_assert_mem_eq(out, paa.i_pan, out_len);
}
END_TEST

START_TEST(test_stale_and_future_seq_are_dropped)
{
	uint8_t	buf[256];
	size_t	len;

	paa.seq -= 2;			/* an old one, not the last */
	len = par_eap(buf, sizeof(buf), 13, 0);
	ck_assert_int_eq(feed(buf, len), 0);
	paa.seq += 4;			/* skips one */
	len = par_eap(buf, sizeof(buf), 13, 0);
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(eap.processed, 2);
}
END_TEST

START_TEST(test_wrong_session_id_is_dropped)
{
	uint8_t	buf[256];
	size_t	len;

	len = par_eap(buf, sizeof(buf), 1, 1);
	buf[8] ^= 0xff;			/* session id */
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(eap.processed, 0);
}
END_TEST

START_TEST(test_garbage_is_dropped)
{
	static const uint8_t	junk[] = { 0, 0, 0, 5, 1 };

	ck_assert_int_eq(feed(junk, sizeof(junk)), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_AUTH);
}
END_TEST

/* ---- completion ---- */

START_TEST(test_par_c_with_valid_auth_opens_the_session)
{
	do_finish();
	ck_assert_uint_eq(pac_key_id(pac), 7);
	ck_assert_uint_eq(pac_session_id(pac), SID);
	ck_assert_uint_eq(pac_session_lifetime(pac), LIFETIME);
	ck_assert_uint_eq(pac_prf_alg(pac), PANA_PRF_HMAC_SHA2_256);
	ck_assert_uint_eq(pac_integ_alg(pac), PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(pac_next_timeout(pac, clk), LIFETIME * 1000);
}
END_TEST

START_TEST(test_par_c_with_wrong_auth_is_dropped)
{
	uint8_t	buf[512];
	size_t	len;

	len = par_success(buf, sizeof(buf), 7, NULL, 0, 1);
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_AUTH);
	/* The PAA's retransmission with the right AUTH still works. */
	do_complete(7, NULL, 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_OPEN);
}
END_TEST

START_TEST(test_par_c_from_another_msk_is_dropped)
{
	uint8_t	buf[512];
	size_t	len;

	paa.msk_byte = 0x5b;
	len = par_success(buf, sizeof(buf), 7, NULL, 0, 0);
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_AUTH);
}
END_TEST

START_TEST(test_par_c_before_eap_completed_is_dropped)
{
	uint8_t	buf[512];
	size_t	len;

	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	memcpy(paa.pac_nonce, outm.avp[PANA_AVP_NONCE].value, PAC_NONCE_LEN);
	paa.seq++;
	len = par_success(buf, sizeof(buf), 7, NULL, 0, 0);
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_AUTH);
}
END_TEST

START_TEST(test_duplicate_par_c_gets_the_same_pan_c)
{
	uint8_t	buf[512], first[PAC_OUT_MAX];
	size_t	len, first_len;

	len = par_success(buf, sizeof(buf), 7, NULL, 0, 0);
	ck_assert_int_eq(feed(buf, len), 1);
	memcpy(first, out, out_len);
	first_len = out_len;
	pac_events(pac);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_mem_eq(out, first, first_len);
	ck_assert_uint_eq(pac_events(pac), 0);
}
END_TEST

START_TEST(test_key_record_is_opened)
{
	struct gkey_record_meta	 meta;
	const struct pac_record	*r;
	uint8_t			 gk[16], rec[GKEY_RECORD_MAX_LEN];
	char			 line[GKEY_RECORD_LINE_MAX], err[128];
	size_t			 rec_len;

	memset(gk, 0x42, sizeof(gk));
	memset(&meta, 0, sizeof(meta));
	meta.app_id = 3;
	meta.epoch = 9;
	meta.not_before = WALL - 10;
	meta.not_after = WALL + 3600;
	meta.gk_alg = GKEY_GK_AES128;
	meta.name = "home-energy";
	meta.name_len = strlen(meta.name);
	ck_assert_msg(gkey_record_seal(&meta, gk, sizeof(gk), node_key,
	    server_key, rec, sizeof(rec), &rec_len, err, sizeof(err)) == 0,
	    "seal: %s", err);
	do_complete(7, rec, rec_len);
	ck_assert_uint_eq(pac_record_count(pac), 1);
	r = pac_record(pac, 0);
	ck_assert_msg(r->ok, "record: %s", r->err);
	ck_assert_uint_eq(r->gk_len, sizeof(gk));
	ck_assert_mem_eq(r->gk, gk, sizeof(gk));
	ck_assert_int_eq(gkey_record_line(&r->hdr, r->gk, r->gk_len, line,
	    sizeof(line)), 0);
	ck_assert_str_eq(line, "app=home-energy id=3 epoch=9 "
	    "not_before=2023-11-14T22:13:10Z not_after=2023-11-14T23:13:20Z "
	    "gk=42424242424242424242424242424242");
}
END_TEST

START_TEST(test_key_record_for_another_node_is_reported)
{
	struct gkey_record_meta	 meta;
	EVP_PKEY		*other;
	const struct pac_record	*r;
	uint8_t			 gk[16] = { 1 }, rec[GKEY_RECORD_MAX_LEN];
	size_t			 rec_len;

	other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert_ptr_nonnull(other);
	memset(&meta, 0, sizeof(meta));
	meta.app_id = 1;
	meta.not_before = WALL - 10;
	meta.not_after = WALL + 10;
	meta.gk_alg = GKEY_GK_AES128;
	meta.name = "x";
	meta.name_len = 1;
	ck_assert_int_eq(gkey_record_seal(&meta, gk, sizeof(gk), other,
	    server_key, rec, sizeof(rec), &rec_len, NULL, 0), 0);
	EVP_PKEY_free(other);
	do_complete(7, rec, rec_len);
	r = pac_record(pac, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->ok, 0);
	ck_assert_ptr_nonnull(strstr(r->err, "another node"));
}
END_TEST

/* ---- rejection ---- */

START_TEST(test_reject_is_answered_and_ends_the_session)
{
	uint8_t	buf[256];
	size_t	len;

	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	paa.seq++;
	len = par_reject(buf, sizeof(buf));
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_AUTH);
	ck_assert_uint_eq(outm.hdr.flags, PANA_FLAG_C);
	ck_assert_uint_eq(outm.hdr.seq, paa.seq);
	ck_assert_int_eq(pac_state(pac), PAC_ST_REJECTED);
	ck_assert_int_eq(pac_local_eap_failure(pac), 0);
	ck_assert_ptr_nonnull(strstr(pac_error(pac), "rejected"));
	/* A retransmitted PAR(C) still gets its PAN(C). */
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(outm.hdr.flags, PANA_FLAG_C);
}
END_TEST

START_TEST(test_local_eap_failure_is_reported_as_such)
{
	uint8_t	buf[256];
	size_t	len;

	eap.fail_locally = 1;
	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	paa.seq++;
	len = par_eap(buf, sizeof(buf), 13, 0);
	ck_assert_int_eq(feed(buf, len), 1);	/* the alert goes out */
	ck_assert_ptr_nonnull(outm.avp[PANA_AVP_EAP_PAYLOAD].value);
	paa.seq++;
	len = par_reject(buf, sizeof(buf));
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_int_eq(pac_state(pac), PAC_ST_REJECTED);
	ck_assert_int_eq(pac_local_eap_failure(pac), 1);
	ck_assert_ptr_nonnull(strstr(pac_error(pac), "fake method refused"));
}
END_TEST

/* ---- the open session ---- */

START_TEST(test_unsigned_request_is_dropped_once_open)
{
	uint8_t	buf[256];
	size_t	len;

	len = paa_request(buf, sizeof(buf), PANA_MSG_NOTIFY, PANA_FLAG_P, 0);
	ck_assert_int_eq(feed(buf, len), 0);
	len = paa_request(buf, sizeof(buf), PANA_MSG_NOTIFY, PANA_FLAG_P, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_NOTIFY);
	ck_assert_uint_eq(outm.hdr.flags, PANA_FLAG_P);
	ck_assert_int_eq(pana_auth_verify(paa.integ, paa.key, paa.key_len,
	    out, out_len), 0);
}
END_TEST

START_TEST(test_ping_is_answered_by_pna)
{
	uint8_t	buf[256];
	size_t	len;

	ck_assert_int_eq(pac_ping(pac, clk), 0);
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_NOTIFY);
	ck_assert_uint_eq(outm.hdr.flags, PANA_FLAG_R | PANA_FLAG_P);
	ck_assert_int_eq(pana_auth_verify(paa.integ, paa.key, paa.key_len,
	    out, out_len), 0);
	len = paa_answer(buf, sizeof(buf));
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_uint_eq(pac_events(pac), PAC_EV_PING_DONE);
	ck_assert_int_eq(pac_next_timeout(pac, clk), LIFETIME * 1000);
}
END_TEST

START_TEST(test_pac_requests_count_up_from_one_initial_seq)
{
	uint8_t		buf[256];
	size_t		len;
	uint32_t	first;

	ck_assert_int_eq(pac_ping(pac, clk), 0);
	ck_assert_int_eq(pac_ping(pac, clk), -1);	/* one outstanding */
	drain();
	first = outm.hdr.seq;
	len = paa_answer(buf, sizeof(buf));
	feed(buf, len);
	ck_assert_int_eq(pac_ping(pac, clk), 0);
	drain();
	ck_assert_uint_eq(outm.hdr.seq, first + 1);
}
END_TEST

START_TEST(test_terminate_sends_ptr_and_closes_on_pta)
{
	uint8_t	buf[256];
	size_t	len;

	ck_assert_int_eq(pac_terminate(pac, clk), 0);
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_TERM);
	ck_assert_uint_eq(out_u32(PANA_AVP_TERM_CAUSE), PANA_TERM_LOGOUT);
	ck_assert_int_eq(pana_auth_verify(paa.integ, paa.key, paa.key_len,
	    out, out_len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_CLOSING);
	len = paa_answer(buf, sizeof(buf));
	buf[len - 1] ^= 1;		/* a forged PTA changes nothing */
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_CLOSING);
	buf[len - 1] ^= 1;
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_CLOSED);
	ck_assert_uint_eq(pac_events(pac), PAC_EV_TERMINATED);
}
END_TEST

START_TEST(test_ptr_from_the_paa_is_answered_and_closes)
{
	uint8_t	buf[256];
	size_t	len;

	len = paa_request(buf, sizeof(buf), PANA_MSG_TERM, 0, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_TERM);
	ck_assert_uint_eq(outm.hdr.flags, 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_CLOSED);
}
END_TEST

START_TEST(test_session_ends_when_its_lifetime_is_over)
{
	clk += LIFETIME * 1000;
	pac_timeout(pac, clk);
	ck_assert_int_eq(pac_state(pac), PAC_ST_FAILED);
	ck_assert_ptr_nonnull(strstr(pac_error(pac), "lifetime"));
}
END_TEST

/* ---- re-authentication ---- */

START_TEST(test_reauth_runs_eap_again_with_fresh_nonces_and_new_key)
{
	uint8_t	buf[1024], old_key[PANA_AUTH_KEY_MAX], old_nonce[20];
	size_t	len, old_len;

	memcpy(old_key, paa.key, sizeof(old_key));
	old_len = paa.key_len;
	memcpy(old_nonce, paa.pac_nonce, sizeof(old_nonce));

	ck_assert_int_eq(pac_reauth(pac, clk), 0);
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_NOTIFY);
	ck_assert_uint_eq(outm.hdr.flags, PANA_FLAG_R | PANA_FLAG_A);
	ck_assert_int_eq(pana_auth_verify(paa.integ, paa.key, paa.key_len,
	    out, out_len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_REAUTH);
	len = paa_answer(buf, sizeof(buf));
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(pac_next_timeout(pac, clk), LIFETIME * 1000);

	/* EAP again, under the old key, with new nonces. */
	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_int_eq(pana_auth_verify(paa.integ, old_key, old_len, out,
	    out_len), 0);
	ck_assert_uint_eq(outm.avp[PANA_AVP_NONCE].len, PAC_NONCE_LEN);
	memcpy(paa.pac_nonce, outm.avp[PANA_AVP_NONCE].value, PAC_NONCE_LEN);
	ck_assert(memcmp(paa.pac_nonce, old_nonce, PAC_NONCE_LEN) != 0);
	paa.seq++;
	len = par_eap(buf, sizeof(buf), 13, 0);
	ck_assert_int_eq(feed(buf, len), 1);
	paa.seq++;
	do_complete(8, NULL, 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_OPEN);
	ck_assert_uint_eq(pac_key_id(pac), 8);
	ck_assert_int_eq(eap.begins, 2);
	ck_assert(memcmp(paa.key, old_key, old_len) != 0);
	ck_assert_uint_eq(pac_events(pac) & PAC_EV_AUTHENTICATED,
	    PAC_EV_AUTHENTICATED);
}
END_TEST

START_TEST(test_paa_initiated_reauth_par_starts_eap_again)
{
	uint8_t	buf[1024], old_key[PANA_AUTH_KEY_MAX], old_nonce[20];
	size_t	len, old_len;

	memcpy(old_key, paa.key, sizeof(old_key));
	old_len = paa.key_len;
	memcpy(old_nonce, paa.pac_nonce, sizeof(old_nonce));
	/* RFC 5191 4.3: the PAA's PAR, no PNR[A] before it. */
	ck_assert_int_eq(pac_state(pac), PAC_ST_OPEN);
	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_int_eq(pac_state(pac), PAC_ST_REAUTH);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_AUTH);
	ck_assert_uint_eq(outm.hdr.flags, 0);
	ck_assert_int_eq(pana_auth_verify(paa.integ, old_key, old_len, out,
	    out_len), 0);
	ck_assert_uint_eq(outm.avp[PANA_AVP_NONCE].len, PAC_NONCE_LEN);
	memcpy(paa.pac_nonce, outm.avp[PANA_AVP_NONCE].value, PAC_NONCE_LEN);
	ck_assert(memcmp(paa.pac_nonce, old_nonce, PAC_NONCE_LEN) != 0);
	paa.seq++;
	len = par_eap(buf, sizeof(buf), 13, 0);
	ck_assert_int_eq(feed(buf, len), 1);
	paa.seq++;
	do_complete(9, NULL, 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_OPEN);
	ck_assert_uint_eq(pac_key_id(pac), 9);
	ck_assert_int_eq(eap.begins, 2);
	ck_assert(memcmp(paa.key, old_key, old_len) != 0);
}
END_TEST

START_TEST(test_unsigned_reauth_par_dropped_and_par_stands_in_for_lost_pna)
{
	uint8_t	buf[512];
	size_t	len;

	/* Lost PNA(A): the PAR alone must do, but not unsigned. */
	paa.have_key = 0;
	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 0);
	paa.have_key = 1;
	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_AUTH);
	/* The PNR(A) is no longer retransmitted. */
	ck_assert_int_eq(pac_next_timeout(pac, clk), LIFETIME * 1000);
}
END_TEST

START_TEST(test_pnr_a_is_retransmitted_until_answered)
{
	ck_assert_int_eq(pac_next_timeout(pac, clk), 100);
	clk += 100;
	pac_timeout(pac, clk);
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(outm.hdr.flags, PANA_FLAG_R | PANA_FLAG_A);
}
END_TEST

START_TEST(test_reject_during_reauth_ends_the_session)
{
	uint8_t	buf[256];
	size_t	len;

	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	paa.seq++;
	len = par_reject(buf, sizeof(buf));
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_int_eq(pana_auth_verify(paa.integ, paa.key, paa.key_len,
	    out, out_len), 0);
	ck_assert_int_eq(pac_state(pac), PAC_ST_REJECTED);
}
END_TEST

/* ---- no piggybacking (RFC 5191 section 4.3) ---- */

static uint8_t	 outs[4][PAC_OUT_MAX];
static size_t	 outs_len[4];
static struct pana_msg outsm[4];

/* Feed one datagram; keep every datagram sent back, parsed, in outs. */
static int
feed_all(const uint8_t *msg, size_t len)
{
	int	n = 0;

	pac_input(pac, msg, len, clk);
	while (n < 4 && pac_output(pac, outs[n], sizeof(outs[n]),
	    &outs_len[n]) == 1) {
		ck_assert_int_eq(pana_msg_parse(outs[n], outs_len[n],
		    GKEY_VENDOR_ID_DEFAULT, &outsm[n], NULL, 0), 0);
		n++;
	}
	return n;
}

/* The PAA's PAN to the PaC's PAR m, signed when the PAA has a key. */
static size_t
pan_to(uint8_t *buf, size_t size, const struct pana_msg *m)
{
	struct pana_builder	b;

	pana_build_start(&b, buf, size, PANA_MSG_AUTH, 0, SID, m->hdr.seq);
	return paa_finish(&b, paa.have_key ? paa.key : NULL, paa.key_len);
}

/* One EAP round without piggybacking: the PAN, then the PaC's PAR. */
static void
np_round(uint8_t eap_type, int first)
{
	uint8_t	buf[512];
	size_t	len;

	len = par_eap(buf, sizeof(buf), eap_type, first);
	ck_assert_int_eq(feed_all(buf, len), 2);
	/* The PAN: the Nonce in the first round only, no EAP-Payload. */
	ck_assert_uint_eq(outsm[0].hdr.type, PANA_MSG_AUTH);
	ck_assert_uint_eq(outsm[0].hdr.flags, 0);
	ck_assert_uint_eq(outsm[0].hdr.seq, paa.seq);
	ck_assert_ptr_null(outsm[0].avp[PANA_AVP_EAP_PAYLOAD].value);
	if (first) {
		ck_assert_uint_eq(outsm[0].avp[PANA_AVP_NONCE].len,
		    PAC_NONCE_LEN);
		memcpy(paa.pac_nonce, outsm[0].avp[PANA_AVP_NONCE].value,
		    PAC_NONCE_LEN);
	} else
		ck_assert_ptr_null(outsm[0].avp[PANA_AVP_NONCE].value);
	/* The PaC's PAR: the EAP-Response, nothing else. */
	ck_assert_uint_eq(outsm[1].hdr.type, PANA_MSG_AUTH);
	ck_assert_uint_eq(outsm[1].hdr.flags, PANA_FLAG_R);
	ck_assert_uint_eq(outsm[1].hdr.session_id, SID);
	ck_assert_uint_eq(outsm[1].avp[PANA_AVP_EAP_PAYLOAD].len, 6);
	ck_assert_uint_eq(outsm[1].avp[PANA_AVP_EAP_PAYLOAD].value[0], 2);
	ck_assert_uint_eq(outsm[1].avp[PANA_AVP_EAP_PAYLOAD].value[4],
	    eap_type);
	ck_assert_ptr_null(outsm[1].avp[PANA_AVP_NONCE].value);
	ck_assert_uint_eq(outsm[1].count[PANA_AVP_AUTH], paa.have_key);
	paa.seq++;
}

static void
setup_negotiated_np(void)
{
	no_piggyback = 1;
	setup_negotiated();
}

START_TEST(test_np_pan_carries_the_nonce_and_par_the_eap_response)
{
	np_round(1, 1);
	ck_assert_int_eq(eap.processed, 1);
}
END_TEST

START_TEST(test_np_par_is_retransmitted_until_the_pan)
{
	uint8_t	buf[128];
	size_t	len;

	np_round(1, 1);
	ck_assert_int_eq(pac_next_timeout(pac, clk), 100);
	clk += 100;
	pac_timeout(pac, clk);
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(out_len, outs_len[1]);
	ck_assert_mem_eq(out, outs[1], out_len);
	len = pan_to(buf, sizeof(buf), &outsm[1]);
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_int_eq(pac_next_timeout(pac, clk), -1);
}
END_TEST

START_TEST(test_np_next_par_stands_in_for_a_lost_pan)
{
	uint32_t	first_seq;

	np_round(1, 1);
	first_seq = outsm[1].hdr.seq;
	/* No PAN; the PAA's next EAP-Request shows it got the response. */
	np_round(13, 0);
	ck_assert_uint_eq(outsm[1].hdr.seq, first_seq + 1);
	ck_assert_int_eq(eap.processed, 2);
}
END_TEST

START_TEST(test_np_full_exchange_opens_the_session)
{
	uint8_t	buf[128];
	size_t	len;

	np_round(1, 1);
	len = pan_to(buf, sizeof(buf), &outsm[1]);
	ck_assert_int_eq(feed(buf, len), 0);
	np_round(13, 0);
	len = pan_to(buf, sizeof(buf), &outsm[1]);
	ck_assert_int_eq(feed(buf, len), 0);
	do_finish();
	ck_assert_int_eq(pac_next_timeout(pac, clk), LIFETIME * 1000);
}
END_TEST

START_TEST(test_np_pan_with_auth_before_any_key_is_dropped)
{
	struct pana_builder	b;
	uint8_t			buf[128];
	size_t			len;

	np_round(1, 1);
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0, SID,
	    outsm[1].hdr.seq);
	pana_build_avp(&b, PANA_AVP_AUTH, "0123456789abcdef", 16);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ck_assert_int_eq(feed(buf, len), 0);
	/* Still outstanding: retransmitted. */
	ck_assert_int_eq(pac_next_timeout(pac, clk), 100);
}
END_TEST

/* ---- RAND in the retransmission timers (RFC 5191 section 9) ---- */

/* The PCI's timeouts with the random source at byte: rt[0..n-1]. */
static void
assert_pci_rt(uint8_t byte, const int64_t *rt, int n)
{
	int	i;

	rt_byte = byte;
	ck_assert_int_eq(pac_start(pac, clk), 0);
	ck_assert_int_eq(drain(), 1);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(pac_next_timeout(pac, clk), rt[i]);
		clk += (uint64_t)rt[i];
		pac_timeout(pac, clk);
		ck_assert_int_eq(drain(), 1);
	}
}

START_TEST(test_rt_rand_lowest)
{
	/* RAND -0.1: 90, 171, 325, 618, then 800-80 for 2*618-61. */
	static const int64_t	rt[] = { 90, 171, 325, 618, 720 };

	assert_pci_rt(0x00, rt, 4);
	ck_assert_int_eq(pac_next_timeout(pac, clk), rt[4]);
}
END_TEST

START_TEST(test_rt_rand_highest)
{
	/* RAND +0.1: 110, 231, 485, then 800+80 for 2*485+48. */
	static const int64_t	rt[] = { 110, 231, 485, 880 };

	assert_pci_rt(0xff, rt, 4);
}
END_TEST

/* ---- a PAA that keeps no state before the PAN(S) ---- */

START_TEST(test_pci_repeated_until_the_first_eap_par)
{
	static const uint32_t	prfs[] = { PANA_PRF_HMAC_SHA2_256,
				    PANA_PRF_HMAC_SHA1 };
	static const uint32_t	integs[] = { PANA_AUTH_HMAC_SHA2_256_128,
				    PANA_AUTH_HMAC_SHA1_160 };
	uint8_t			buf[512];
	size_t			len;

	/* The PAN(S) was lost: no EAP PAR comes, the PCI goes again. */
	ck_assert_int_eq(pac_next_timeout(pac, clk), 100);
	clk += 100;
	pac_timeout(pac, clk);
	ck_assert_int_eq(drain(), 1);
	ck_assert_uint_eq(outm.hdr.type, PANA_MSG_PCI);
	/* The PAA's same PAR(S) gets the same PAN(S). */
	paa.seq--;
	len = par_start(buf, sizeof(buf), prfs, 2, integs, 2);
	paa.seq++;
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(out_len, paa.i_pan_len);
	ck_assert_mem_eq(out, paa.i_pan, out_len);
	/* The first EAP PAR ends it. */
	len = par_eap(buf, sizeof(buf), 1, 1);
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_int_eq(pac_next_timeout(pac, clk), -1);
}
END_TEST

START_TEST(test_new_par_s_before_eap_starts_over)
{
	static const uint32_t	prfs[] = { PANA_PRF_HMAC_SHA2_256 };
	static const uint32_t	integs[] = { PANA_AUTH_HMAC_SHA2_256_128 };
	uint8_t			buf[512];
	size_t			len;

	/* The PAA's cookie secret rotated: another session id. */
	len = par_start(buf, sizeof(buf), prfs, 1, integs, 1);
	buf[8] ^= 0x40;
	ck_assert_int_eq(feed(buf, len), 1);
	ck_assert_uint_eq(outm.hdr.flags, PANA_FLAG_S);
	ck_assert_uint_eq(outm.hdr.session_id, SID ^ 0x40000000);
	ck_assert_uint_eq(pac_session_id(pac), SID ^ 0x40000000);
	ck_assert_int_eq(pac_state(pac), PAC_ST_AUTH);
	/* Its PCI stays outstanding until that session's first EAP PAR. */
	ck_assert_int_ge(pac_next_timeout(pac, clk), 0);
}
END_TEST

START_TEST(test_new_par_s_once_eap_began_is_dropped)
{
	static const uint32_t	prfs[] = { PANA_PRF_HMAC_SHA2_256 };
	static const uint32_t	integs[] = { PANA_AUTH_HMAC_SHA2_256_128 };
	uint8_t			buf[512];
	size_t			len;

	len = par_start(buf, sizeof(buf), prfs, 1, integs, 1);
	buf[8] ^= 0x40;
	ck_assert_int_eq(feed(buf, len), 0);
	ck_assert_uint_eq(pac_session_id(pac), SID);
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("pac");
	TCase	*tc;

	tc = tcase_create("new");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_start_sends_pci_with_session_and_seq_zero);
	tcase_add_test(tc, test_sha1_only_pac_refuses_sha2);
	suite_add_tcase(s, tc);

	tc = tcase_create("PCI sent");
	tcase_add_checked_fixture(tc, setup_pci_sent, teardown);
	tcase_add_test(tc, test_pan_s_prefers_sha2_whatever_the_order);
	tcase_add_test(tc, test_pan_s_takes_sha1_when_only_sha1_is_offered);
	tcase_add_test(tc, test_no_acceptable_prf_fails_without_answer);
	tcase_add_test(tc, test_no_acceptable_integrity_fails);
	tcase_add_test(tc, test_pci_is_retransmitted_with_backoff_then_gives_up);
	tcase_add_test(tc, test_duplicate_par_s_gets_the_same_pan_s);
	suite_add_tcase(s, tc);

	tc = tcase_create("negotiated");
	tcase_add_checked_fixture(tc, setup_negotiated, teardown);
	tcase_add_test(tc, test_first_pan_after_start_carries_a_nonce);
	tcase_add_test(tc, test_pci_repeated_until_the_first_eap_par);
	tcase_add_test(tc, test_new_par_s_before_eap_starts_over);
	tcase_add_test(tc, test_first_eap_par_without_nonce_is_dropped);
	tcase_add_test(tc, test_duplicate_par_is_answered_from_the_cache);
	tcase_add_test(tc, test_wrong_session_id_is_dropped);
	tcase_add_test(tc, test_garbage_is_dropped);
	tcase_add_test(tc, test_par_c_before_eap_completed_is_dropped);
	tcase_add_test(tc, test_reject_is_answered_and_ends_the_session);
	tcase_add_test(tc, test_local_eap_failure_is_reported_as_such);
	suite_add_tcase(s, tc);

	tc = tcase_create("EAP done");
	tcase_add_checked_fixture(tc, setup_eap_done, teardown);
	tcase_add_test(tc, test_stale_and_future_seq_are_dropped);
	tcase_add_test(tc, test_par_c_with_valid_auth_opens_the_session);
	tcase_add_test(tc, test_new_par_s_once_eap_began_is_dropped);
	tcase_add_test(tc, test_par_c_with_wrong_auth_is_dropped);
	tcase_add_test(tc, test_par_c_from_another_msk_is_dropped);
	tcase_add_test(tc, test_duplicate_par_c_gets_the_same_pan_c);
	tcase_add_test(tc, test_key_record_is_opened);
	tcase_add_test(tc, test_key_record_for_another_node_is_reported);
	suite_add_tcase(s, tc);

	tc = tcase_create("open");
	tcase_add_checked_fixture(tc, setup_open, teardown);
	tcase_add_test(tc, test_unsigned_request_is_dropped_once_open);
	tcase_add_test(tc, test_ping_is_answered_by_pna);
	tcase_add_test(tc, test_pac_requests_count_up_from_one_initial_seq);
	tcase_add_test(tc, test_terminate_sends_ptr_and_closes_on_pta);
	tcase_add_test(tc, test_ptr_from_the_paa_is_answered_and_closes);
	tcase_add_test(tc, test_session_ends_when_its_lifetime_is_over);
	tcase_add_test(tc,
	    test_reauth_runs_eap_again_with_fresh_nonces_and_new_key);
	tcase_add_test(tc, test_paa_initiated_reauth_par_starts_eap_again);
	suite_add_tcase(s, tc);

	tc = tcase_create("re-authenticating");
	tcase_add_checked_fixture(tc, setup_reauth_requested, teardown);
	tcase_add_test(tc,
	    test_unsigned_reauth_par_dropped_and_par_stands_in_for_lost_pna);
	tcase_add_test(tc, test_pnr_a_is_retransmitted_until_answered);
	tcase_add_test(tc, test_reject_during_reauth_ends_the_session);
	suite_add_tcase(s, tc);

	tc = tcase_create("timer RAND");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rt_rand_lowest);
	tcase_add_test(tc, test_rt_rand_highest);
	suite_add_tcase(s, tc);

	tc = tcase_create("no piggybacking");
	tcase_add_checked_fixture(tc, setup_negotiated_np, teardown);
	tcase_add_test(tc,
	    test_np_pan_carries_the_nonce_and_par_the_eap_response);
	tcase_add_test(tc, test_np_par_is_retransmitted_until_the_pan);
	tcase_add_test(tc, test_np_next_par_stands_in_for_a_lost_pan);
	tcase_add_test(tc, test_np_full_exchange_opens_the_session);
	tcase_add_test(tc, test_np_pan_with_auth_before_any_key_is_dropped);
	suite_add_tcase(s, tc);
	return s;
}
