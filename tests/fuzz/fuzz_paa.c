/*
 * fuzz_paa.c - libFuzzer harness for the PAA's receive path
 * (pana-relay/paa.c): datagrams, AAA answers and the passage of time, in
 * any order, with no sockets.
 *
 * Before each input the harness builds a fresh PAA in the environment of
 * tests/paa_harness.c (deterministic random numbers, a fake AAA server,
 * a clock it moves) and authenticates one scripted PaC, so the input
 * starts with an open session whose key the harness knows.  The input is
 * a list of records:
 *
 *   op(1) length(2, big-endian) data(length)
 *
 *   op & 0x03   0: datagram from the scripted PaC's address
 *               1: datagram from another address
 *               2: an AAA answer for the scripted session; data[0] % 4
 *                  is the code (challenge, accept, reject, fail)
 *               3: time passes: (data[0] << 8 | data[1]) * 10 ms
 *   op & 0x04   put the scripted session's id into the datagram
 *   op & 0x08   put the next expected sequence number into it (the
 *               PaC's next request, or the PAA's last request for an
 *               answer)
 *   op & 0x10   sign the datagram's AUTH AVP with the session key
 *   op & 0x20   wrap the datagram in a PANA-Relay message
 *
 * so that the fuzzer reaches past the AUTH and sequence checks into the
 * state machine.  Built with -DGKEY_FUZZ_STANDALONE it replays files (the
 * seeds in corpus/paa) without libFuzzer; see fuzz_standalone.h.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "paa.h"
#include "paa_harness.h"
#include "pana_crypto.h"
#include "pana_msg.h"
#include "plog.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define VENDOR	GKEY_VENDOR_ID_DEFAULT

static struct paa_harness h;
static struct sockaddr_storage pac_addr, other_addr;

/* The scripted session. */
static uint32_t		 sid, pac_seq, integ;
static uint8_t		 key[PANA_AUTH_KEY_MAX];
static size_t		 keylen;

/* A harness failure is a bug in the harness: stop loudly. */
static void __attribute__((noreturn))
harness_fail(const char *why)
{
	(void)why;
	abort();
}

static void
deliver(const struct sockaddr_storage *from, struct pana_builder *b,
    int sign)
{
	size_t len;

	if (pana_build_finish(b, &len) != 0)
		abort();
	if (sign && pana_auth_sign(integ, key, keylen, b->buf, len) != 0)
		abort();
	ph_input(&h, from, b->buf, len);
}

/* The last datagram the PAA sent, parsed; there must be one. */
static void
last_sent(struct pana_msg *m)
{
	const struct ph_sent *o = ph_last(&h);

	if (o == NULL ||
	    pana_msg_parse(o->buf, o->len, VENDOR, m, NULL, 0) != 0)
		abort();
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* PCI to an open session, as the PaC would (see tests/check_paa.c). */
static void
script(void)
{
	static uint8_t i_par[256], i_pan[256], buf[512];
	static const uint8_t resp[] = { 2, 1, 0, 6, 1, 'x' };
	uint8_t pac_nonce[20], paa_nonce[20];
	struct pana_builder b;
	struct pana_kdf_input in;
	struct pana_msg m;
	size_t i_par_len, i_pan_len;
	uint32_t seq, kid;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	deliver(&pac_addr, &b, 0);
	last_sent(&m);
	sid = m.hdr.session_id;
	seq = m.hdr.seq;
	if (m.len > sizeof(i_par))
		abort();
	memcpy(i_par, m.buf, m.len);
	i_par_len = m.len;
	integ = PANA_AUTH_HMAC_SHA2_256_128;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_S,
	    sid, seq);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, integ);
	pana_build_finish(&b, &i_pan_len);
	memcpy(i_pan, buf, i_pan_len);
	ph_input(&h, &pac_addr, buf, i_pan_len);

	last_sent(&m);
	if (m.avp[PANA_AVP_NONCE].len != sizeof(paa_nonce))
		abort();
	memcpy(paa_nonce, m.avp[PANA_AVP_NONCE].value, sizeof(paa_nonce));
	seq = m.hdr.seq;
	memset(pac_nonce, 0x5a, sizeof(pac_nonce));
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0, sid, seq);
	pana_build_avp(&b, PANA_AVP_NONCE, pac_nonce, sizeof(pac_nonce));
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, resp, sizeof(resp));
	deliver(&pac_addr, &b, 0);
	ph_aaa(&h, sid, PAA_AAA_ACCEPT, 100);

	last_sent(&m);
	if (pana_avp_u32(pana_msg_avp(&m, PANA_AVP_KEY_ID), &kid) != 0)
		abort();
	memset(&in, 0, sizeof(in));
	in.msk = ph_msk;
	in.msk_len = sizeof(ph_msk);
	in.i_par = i_par;
	in.i_par_len = i_par_len;
	in.i_pan = i_pan;
	in.i_pan_len = i_pan_len;
	in.pac_nonce = pac_nonce;
	in.pac_nonce_len = sizeof(pac_nonce);
	in.paa_nonce = paa_nonce;
	in.paa_nonce_len = sizeof(paa_nonce);
	in.key_id = kid;
	if (pana_auth_key_derive(PANA_PRF_HMAC_SHA2_256, integ, &in, key,
	    sizeof(key), &keylen) != 0)
		abort();
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_C,
	    sid, m.hdr.seq);
	pana_build_avp_u32(&b, PANA_AVP_KEY_ID, kid);
	pana_build_auth(&b, pana_auth_mac_len(integ), NULL);
	deliver(&pac_addr, &b, 1);
	pac_seq = 1000;
}

static void
datagram(uint8_t op, const uint8_t *data, size_t len)
{
	static uint8_t buf[PANA_MSG_MAX], wrapped[PANA_MSG_MAX];
	struct paa_session_info info;
	const struct sockaddr_storage *from;
	size_t off, alen, wlen;
	uint32_t seq;

	memcpy(buf, data, len);
	from = (op & 3) == 0 ? &pac_addr : &other_addr;
	if ((op & 0x04) && len >= PANA_HDR_LEN) {
		buf[8] = (uint8_t)(sid >> 24);
		buf[9] = (uint8_t)(sid >> 16);
		buf[10] = (uint8_t)(sid >> 8);
		buf[11] = (uint8_t)sid;
	}
	if ((op & 0x08) && len >= PANA_HDR_LEN) {
		if (buf[4] & 0x80)
			seq = pac_seq++;
		else if (paa_session_info(h.paa, get32(buf + 8), &info) == 0)
			seq = info.tx_seq;
		else
			seq = 0;
		buf[12] = (uint8_t)(seq >> 24);
		buf[13] = (uint8_t)(seq >> 16);
		buf[14] = (uint8_t)(seq >> 8);
		buf[15] = (uint8_t)seq;
	}
	if ((op & 0x10) && pana_msg_find_auth(buf, len, &off, &alen) == 0 &&
	    alen == pana_auth_mac_len(integ) &&
	    pana_hdr_parse(buf, len, NULL, NULL, 0) == 0)
		pana_auth_sign(integ, key, keylen, buf, len);
	if ((op & 0x20) && pana_relay_push(buf, len, &pac_addr, wrapped,
	    sizeof(wrapped), &wlen) == 0)
		ph_input(&h, &other_addr, wrapped, wlen);
	else
		ph_input(&h, from, buf, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	size_t len;
	uint64_t step;
	uint8_t op;

	if (!once) {
		/* Drops are expected by the thousand: keep them quiet. */
		log_init(1, 0, "fuzz_paa");
		log_silence(getenv("FUZZ_PAA_VERBOSE") == NULL);
		once = 1;
	}
	ph_init(&h, harness_fail);
	h.echo_log = 1;		/* shown only with FUZZ_PAA_VERBOSE */
	h.cfg.max_sessions = 8;
	h.cfg.max_per_addr = 4;
	ph_addr(&h, &pac_addr, "192.0.2.10", 40000);
	ph_addr(&h, &other_addr, "198.51.100.1", 716);
	/* Relayed inputs come from a relay the PAA trusts. */
	h.cfg.relays[0].addr = other_addr;
	h.cfg.n_relays = 1;
	ph_start(&h, 0x2545f491, 1000);
	script();

	while (size >= 3) {
		op = data[0];
		len = (size_t)data[1] << 8 | data[2];
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		/* Only the script reads what was sent; keep room for more. */
		ph_clear_sent(&h);
		switch (op & 3) {
		case 0:
		case 1:
			datagram(op, data, len);
			break;
		case 2:
			ph_aaa(&h, sid, (enum paa_aaa_code)(len > 0 ?
			    data[0] % 4 : 0), 100);
			break;
		case 3:
			step = len >= 2 ? (uint64_t)(data[0] << 8 | data[1]) *
			    10 : 1;
			if (paa_next_timeout(h.paa, h.now + step) < -1)
				abort();
			ph_advance(&h, step);
			break;
		}
		data += len;
		size -= len;
	}
	ph_stop(&h);
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
