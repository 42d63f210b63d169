/*
 * fuzz_pac.c - libFuzzer harness for the PaC's receive path
 * (node/pac.c): pac_input() and pac_timeout() in every state.
 *
 * Input layout:
 *   octet 0            the state the scripted PAA first drives the PaC to:
 *                      0 PCI sent, 1 after PAR(S), 2 EAP done (a PAR(C)
 *                      is next), 3 session open, (mod 4)
 *   then records of    flags(1) length(2, big-endian) datagram(length)
 *                      flags bit 0: the harness fills in the datagram's
 *                      AUTH AVP with the key the PaC expects (so the
 *                      fuzzer reaches the paths behind AUTH); bit 1:
 *                      run pac_timeout() 1 s later afterwards.
 *
 * The EAP method is a fake (Identity, one round, fixed MSK), the records
 * are not opened (no node key): this fuzzes the PANA state machine.
 *
 * Built with -fsanitize=fuzzer it is a libFuzzer target; built with
 * -DGKEY_FUZZ_STANDALONE (and -Itests/fuzz) it replays files through
 * fuzz_standalone.h's main().  Seeds in corpus/pac.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pac.h"
#include "pana_crypto.h"
#include "pana_msg.h"

#define SID		0x0a0b0c0d
#define PAA_SEQ0	1000
#define MSK_BYTE	0x5a

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	eap_done;

static int
f_begin(void *ctx, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	eap_done = 0;
	return 0;
}

static enum pac_eap_rc
f_process(void *ctx, const uint8_t *req, size_t len, uint8_t *resp,
    size_t resp_size, size_t *resp_len)
{
	(void)ctx;
	*resp_len = 0;
	if (len < 5 || resp_size < 6)
		return len >= 4 && req[0] == 3 && eap_done ?
		    PAC_EAP_SUCCESS : PAC_EAP_DISCARD;
	if (req[0] != 1)
		return req[0] == 4 ? PAC_EAP_FAILURE : PAC_EAP_DISCARD;
	memcpy(resp, (const uint8_t[]){ 2, req[1], 0, 6, req[4], 0 }, 6);
	*resp_len = 6;
	if (req[4] == 1)
		return PAC_EAP_CONTINUE;
	if (req[4] == 0xff)
		return PAC_EAP_FAILURE;
	eap_done = 1;
	return PAC_EAP_DONE;
}

static int
f_msk(void *ctx, uint8_t *msk, size_t size, size_t *len)
{
	(void)ctx;
	if (!eap_done || size < 64)
		return -1;
	memset(msk, MSK_BYTE, 64);
	*len = 64;
	return 0;
}

static const char *
f_error(void *ctx)
{
	(void)ctx;
	return "fake";
}

static const struct pac_eap_ops f_ops = { f_begin, f_process, f_msk,
	f_error };

/* What the harness knows of the session, to sign for the fuzzer. */
struct mirror {
	uint8_t		i_par[64], i_pan[64];
	size_t		i_par_len, i_pan_len;
	uint8_t		paa_nonce[20], pac_nonce[PAC_NONCE_LEN];
	int		have_pac_nonce;
	uint8_t		key[PANA_AUTH_KEY_MAX];
	size_t		key_len;
	int		have_key;
	uint8_t		next_key[PANA_AUTH_KEY_MAX];	/* of a PAR(C) */
	size_t		next_key_len;
	uint32_t	seq;
};

static struct mirror	mi;
static uint8_t		outb[PAC_OUT_MAX];
static size_t		outl;

static int
drain(struct pac *p)
{
	struct pana_msg	m;
	int		n = 0;

	while (pac_output(p, outb, sizeof(outb), &outl) == 1) {
		n++;
		/* Keep the PaC's Nonce: the key depends on it. */
		if (pana_msg_parse(outb, outl, GKEY_VENDOR_ID_DEFAULT, &m,
		    NULL, 0) == 0 && m.hdr.type == PANA_MSG_AUTH &&
		    m.avp[PANA_AVP_NONCE].len == PAC_NONCE_LEN) {
			memcpy(mi.pac_nonce, m.avp[PANA_AVP_NONCE].value,
			    PAC_NONCE_LEN);
			mi.have_pac_nonce = 1;
		}
	}
	return n;
}

static void
derive(uint32_t key_id, uint8_t *key, size_t *key_len)
{
	struct pana_kdf_input	in;
	uint8_t			msk[64];

	memset(msk, MSK_BYTE, sizeof(msk));
	memset(&in, 0, sizeof(in));
	in.msk = msk;
	in.msk_len = sizeof(msk);
	in.i_par = mi.i_par;
	in.i_par_len = mi.i_par_len;
	in.i_pan = mi.i_pan;
	in.i_pan_len = mi.i_pan_len;
	in.pac_nonce = mi.pac_nonce;
	in.pac_nonce_len = sizeof(mi.pac_nonce);
	in.paa_nonce = mi.paa_nonce;
	in.paa_nonce_len = sizeof(mi.paa_nonce);
	in.key_id = key_id;
	if (pana_auth_key_derive(PANA_PRF_HMAC_SHA2_256,
	    PANA_AUTH_HMAC_SHA2_256_128, &in, key, PANA_AUTH_KEY_MAX,
	    key_len) != 0)
		abort();
}

static void
send_par(struct pac *p, uint16_t flags, int nonce, const uint8_t *eap,
    size_t eap_len, uint32_t key_id)
{
	struct pana_builder	b;
	uint8_t			buf[512], key[PANA_AUTH_KEY_MAX];
	size_t			len, key_len;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH,
	    PANA_FLAG_R | flags, SID, mi.seq);
	if (flags & PANA_FLAG_S) {
		pana_build_avp_u32(&b, PANA_AVP_PRF_ALG,
		    PANA_PRF_HMAC_SHA2_256);
		pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG,
		    PANA_AUTH_HMAC_SHA2_256_128);
	}
	if (flags & PANA_FLAG_C) {
		pana_build_avp_u32(&b, PANA_AVP_RESULT_CODE, PANA_SUCCESS);
		pana_build_avp_u32(&b, PANA_AVP_KEY_ID, key_id);
		pana_build_avp_u32(&b, PANA_AVP_SESSION_LIFETIME, 3600);
	}
	if (nonce)
		pana_build_avp(&b, PANA_AVP_NONCE, mi.paa_nonce,
		    sizeof(mi.paa_nonce));
	if (eap != NULL)
		pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, eap, eap_len);
	if (flags & PANA_FLAG_C)
		pana_build_auth(&b, 16, NULL);
	if (pana_build_finish(&b, &len) != 0)
		abort();
	if (flags & PANA_FLAG_C) {
		derive(key_id, key, &key_len);
		if (pana_auth_sign(PANA_AUTH_HMAC_SHA2_256_128, key, key_len,
		    buf, len) != 0)
			abort();
		memcpy(mi.key, key, key_len);
		mi.key_len = key_len;
		mi.have_key = 1;
	}
	if (flags & PANA_FLAG_S) {
		memcpy(mi.i_par, buf, len);
		mi.i_par_len = len;
	}
	pac_input(p, buf, len, 0);
	if (flags & PANA_FLAG_S) {
		if (pac_output(p, outb, sizeof(outb), &outl) != 1 ||
		    outl > sizeof(mi.i_pan))
			abort();
		memcpy(mi.i_pan, outb, outl);
		mi.i_pan_len = outl;
	}
	drain(p);
	mi.seq++;
}

/* Drive the PaC to the state the input asks for. */
static void
script(struct pac *p, unsigned int target)
{
	static const uint8_t	id_req[] = { 1, 1, 0, 5, 1 };
	static const uint8_t	tls_req[] = { 1, 2, 0, 6, 13, 0x20 };
	static const uint8_t	success[] = { 3, 2, 0, 4 };

	if (pac_start(p, 0) != 0)
		abort();
	drain(p);
	if (target < 1)
		return;
	send_par(p, PANA_FLAG_S, 0, NULL, 0, 0);
	if (target < 2)
		return;
	memset(mi.paa_nonce, 0x33, sizeof(mi.paa_nonce));
	send_par(p, 0, 1, id_req, sizeof(id_req), 0);
	send_par(p, 0, 0, tls_req, sizeof(tls_req), 0);
	if (target < 3)
		return;
	send_par(p, PANA_FLAG_C, 0, success, sizeof(success), 1);
	if (pac_state(p) != PAC_ST_OPEN)
		abort();
}

/* Fill in the AUTH of a fuzzed datagram with the key the PaC expects. */
static void
sign(uint8_t *buf, size_t len)
{
	struct pana_msg	m;
	uint8_t		key[PANA_AUTH_KEY_MAX];
	size_t		key_len, off, vlen;
	uint32_t	key_id, rc;

	if (pana_msg_find_auth(buf, len, &off, &vlen) != 0 || vlen != 16 ||
	    pana_msg_parse(buf, len, GKEY_VENDOR_ID_DEFAULT, &m, NULL,
	    0) != 0)
		return;
	if (m.hdr.type == PANA_MSG_AUTH && (m.hdr.flags & PANA_FLAG_C) &&
	    pana_avp_u32(&m.avp[PANA_AVP_RESULT_CODE], &rc) == 0 &&
	    rc == PANA_SUCCESS &&
	    pana_avp_u32(&m.avp[PANA_AVP_KEY_ID], &key_id) == 0 &&
	    mi.i_par_len != 0 && mi.have_pac_nonce) {
		derive(key_id, key, &key_len);
		(void)pana_auth_sign(PANA_AUTH_HMAC_SHA2_256_128, key, key_len,
		    buf, len);
		memcpy(mi.next_key, key, key_len);
		mi.next_key_len = key_len;
		return;
	}
	if (mi.have_key)
		(void)pana_auth_sign(PANA_AUTH_HMAC_SHA2_256_128, mi.key,
		    mi.key_len, buf, len);
}

/* A PAR's 20-octet Nonce, adopted as the PAA's if the PaC answers. */
static uint8_t	nonce[20];
static int	have_nonce;

static void
learn_nonce(const uint8_t *buf, size_t len)
{
	struct pana_msg	m;

	have_nonce = pana_msg_parse(buf, len, GKEY_VENDOR_ID_DEFAULT, &m,
	    NULL, 0) == 0 && m.hdr.type == PANA_MSG_AUTH &&
	    (m.hdr.flags & PANA_FLAG_R) &&
	    m.avp[PANA_AVP_NONCE].len == sizeof(nonce);
	if (have_nonce)
		memcpy(nonce, m.avp[PANA_AVP_NONCE].value, sizeof(nonce));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	buf[PANA_MSG_MAX];
	struct pac_cfg	cfg;
	struct pac	*p;
	uint64_t	now = 0;
	size_t		off, len;
	uint8_t		flags;

	if (size < 1)
		return 0;
	memset(&mi, 0, sizeof(mi));
	mi.seq = PAA_SEQ0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.eap = &f_ops;
	cfg.rt_init_ms = 100;
	cfg.rt_max_count = 3;
	if ((p = pac_new(&cfg, NULL, 0)) == NULL)
		abort();
	script(p, data[0] % 4);

	for (off = 1; off + 3 <= size; off += 3 + len) {
		flags = data[off];
		len = (size_t)data[off + 1] << 8 | data[off + 2];
		if (len > size - off - 3)
			len = size - off - 3;
		memcpy(buf, data + off + 3, len);
		if (flags & 1)
			sign(buf, len);
		learn_nonce(buf, len);
		pac_input(p, buf, len, now);
		if (drain(p) > 0 && have_nonce)
			memcpy(mi.paa_nonce, nonce, sizeof(nonce));
		if ((pac_events(p) & PAC_EV_AUTHENTICATED) &&
		    mi.next_key_len != 0) {
			memcpy(mi.key, mi.next_key, mi.next_key_len);
			mi.key_len = mi.next_key_len;
			mi.have_key = 1;
		}
		if (flags & 2) {
			now += 1000;
			pac_timeout(p, now);
			drain(p);
		}
		if (pac_state(p) == PAC_ST_OPEN && (flags & 4)) {
			(void)pac_ping(p, now);
			drain(p);
		}
		if (pac_state(p) == PAC_ST_OPEN && (flags & 8)) {
			(void)pac_reauth(p, now);
			drain(p);
		}
	}
	(void)pac_events(p);
	(void)pac_next_timeout(p, now);
	pac_free(p);
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
