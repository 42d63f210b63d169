/*
 * paa-scale - the PAA of pana-relayd (pana-relay/paa.c, the code the
 * daemon runs) at scale, in-process: N PaCs built on libpana each
 * complete a whole PANA authentication (PCI to PAN[C], the AAA server a
 * callback answering Access-Accept at once), then
 *
 *   - the memory the PAA holds per open session (glibc mallinfo2);
 *   - the cost of one timer tick (paa_timer() and paa_next_timeout(),
 *     the clock one millisecond on, nothing due) at 1,000 sessions and at
 *     N;
 *   - PNR[P] pings from random PaCs, AUTH signed and verified, answered
 *     per second at N sessions.
 *
 * No sockets and no switch in the daemon: the same paa_* API pana-relayd
 * calls from its poll() loop.  Output, one figure a line:
 *
 *   sessions: N open in S s
 *   memory per session: B bytes
 *   timer tick at 1000 sessions: T ns
 *   timer tick at N sessions: T ns
 *   pings answered at N sessions: P/s
 *
 * Usage: paa-scale [-n sessions] [-p pings]; exits 1 if any step fails.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "paa.h"
#include "pana_crypto.h"
#include "pana_msg.h"
#include "plog.h"

#define PROG		"paa-scale"
#define TICKS		20000
#define SMALL		1000
#define MSK_LEN		64

/* One PaC: what it needs to sign its pings. */
struct bpac {
	uint32_t	sid;
	uint32_t	seq;		/* its next request */
	uint8_t		key[PANA_AUTH_KEY_MAX];
	uint8_t		keylen;
};

static struct {
	uint8_t			last[PANA_MSG_MAX];
	size_t			last_len;
	uint64_t		sent;
	uint32_t		aaa_sid;
	int			aaa_pending;
	uint32_t		rng;
} b;

static const uint8_t msk[MSK_LEN] = { 0x42, 1, 2, 3 };

static int
cb_send(void *arg, const struct sockaddr_storage *to, const uint8_t *buf,
    size_t len)
{
	(void)arg;
	(void)to;
	if (len > sizeof(b.last))
		return -1;
	memcpy(b.last, buf, len);
	b.last_len = len;
	b.sent++;
	return 0;
}

static int
cb_aaa_send(void *arg, const struct paa_aaa_req *q)
{
	(void)arg;
	b.aaa_sid = q->session_id;
	b.aaa_pending = 1;
	return 0;
}

static void
cb_aaa_free(void *arg, uint32_t sid, void *ctx)
{
	(void)arg;
	(void)sid;
	(void)ctx;
}

/* xorshift32: the PAA's nonces and timers need no real randomness here. */
static int
cb_random(void *arg, void *buf, size_t len)
{
	uint8_t *o = buf;
	size_t i;

	(void)arg;
	for (i = 0; i < len; i++) {
		b.rng ^= b.rng << 13;
		b.rng ^= b.rng >> 17;
		b.rng ^= b.rng << 5;
		o[i] = (uint8_t)b.rng;
	}
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
heap_used(void)
{
	return mallinfo2().uordblks;
}

/* The last datagram the PAA sent, parsed; -1 if none or unparsable. */
static int
last_msg(struct pana_msg *m)
{
	if (b.last_len == 0 ||
	    pana_msg_parse(b.last, b.last_len, GKEY_VENDOR_ID_DEFAULT, m, NULL,
	    0) != 0)
		return -1;
	return 0;
}

static void
pac_addr(unsigned int i, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0x0a000000u | (i & 0xffffff));
	sin->sin_port = htons(40000);
}

/* Finish bb, sign with key if given, hand it to the PAA from pac. */
static int
deliver(struct paa *p, uint64_t now, const struct sockaddr_storage *pac,
    struct pana_builder *bb, const struct bpac *k, uint8_t *copy,
    size_t *copy_len)
{
	size_t len;

	if (pana_build_finish(bb, &len) != 0)
		return -1;
	if (k != NULL && pana_auth_sign(PANA_AUTH_HMAC_SHA2_256_128, k->key,
	    k->keylen, bb->buf, len) != 0)
		return -1;
	if (copy != NULL) {
		memcpy(copy, bb->buf, len);
		*copy_len = len;
	}
	b.last_len = 0;
	paa_input(p, now, pac, bb->buf, len);
	return 0;
}

/* PCI to PAN[C] for PaC i; its key in *k.  0, or -1 with a reason. */
static int
join(struct paa *p, uint64_t now, unsigned int i, struct bpac *k)
{
	static const uint8_t resp[] = { 2, 1, 0, 9, 1, 'n', 'o', 'd', 'e' };
	struct sockaddr_storage pac;
	struct pana_builder bb;
	struct pana_msg m;
	struct pana_kdf_input in;
	struct paa_aaa_result res;
	uint8_t buf[512], i_par[512], i_pan[512], nonce[20], paa_nonce[64];
	size_t i_par_len, i_pan_len = 0, paa_nonce_len, keylen;
	uint32_t seq, kid;

	pac_addr(i, &pac);
	memset(nonce, 0xab, sizeof(nonce));
	pana_build_start(&bb, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	if (deliver(p, now, &pac, &bb, NULL, NULL, NULL) != 0 ||
	    last_msg(&m) != 0 || m.len > sizeof(i_par))
		return -1;
	k->sid = m.hdr.session_id;
	seq = m.hdr.seq;
	memcpy(i_par, m.buf, m.len);
	i_par_len = m.len;

	pana_build_start(&bb, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_S,
	    k->sid, seq);
	pana_build_avp_u32(&bb, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&bb, PANA_AVP_INTEGRITY_ALG,
	    PANA_AUTH_HMAC_SHA2_256_128);
	if (deliver(p, now, &pac, &bb, NULL, i_pan, &i_pan_len) != 0 ||
	    last_msg(&m) != 0 || m.avp[PANA_AVP_NONCE].len > sizeof(paa_nonce))
		return -1;
	seq = m.hdr.seq;
	paa_nonce_len = m.avp[PANA_AVP_NONCE].len;
	memcpy(paa_nonce, m.avp[PANA_AVP_NONCE].value, paa_nonce_len);

	pana_build_start(&bb, buf, sizeof(buf), PANA_MSG_AUTH, 0, k->sid, seq);
	pana_build_avp(&bb, PANA_AVP_NONCE, nonce, sizeof(nonce));
	pana_build_avp(&bb, PANA_AVP_EAP_PAYLOAD, resp, sizeof(resp));
	b.aaa_pending = 0;
	if (deliver(p, now, &pac, &bb, NULL, NULL, NULL) != 0 ||
	    !b.aaa_pending || b.aaa_sid != k->sid)
		return -1;

	memset(&res, 0, sizeof(res));
	res.code = PAA_AAA_ACCEPT;
	res.msk = msk;
	res.msk_len = sizeof(msk);
	res.session_timeout = 3600;
	b.last_len = 0;
	paa_aaa_result(p, now, k->sid, &res);
	if (last_msg(&m) != 0 || !(m.hdr.flags & PANA_FLAG_C) ||
	    pana_avp_u32(pana_msg_avp(&m, PANA_AVP_KEY_ID), &kid) != 0)
		return -1;
	seq = m.hdr.seq;
	memset(&in, 0, sizeof(in));
	in.msk = msk;
	in.msk_len = sizeof(msk);
	in.i_par = i_par;
	in.i_par_len = i_par_len;
	in.i_pan = i_pan;
	in.i_pan_len = i_pan_len;
	in.pac_nonce = nonce;
	in.pac_nonce_len = sizeof(nonce);
	in.paa_nonce = paa_nonce;
	in.paa_nonce_len = paa_nonce_len;
	in.key_id = kid;
	if (pana_auth_key_derive(PANA_PRF_HMAC_SHA2_256,
	    PANA_AUTH_HMAC_SHA2_256_128, &in, k->key, sizeof(k->key),
	    &keylen) != 0 || keylen > sizeof(k->key))
		return -1;
	k->keylen = (uint8_t)keylen;
	if (pana_auth_verify(PANA_AUTH_HMAC_SHA2_256_128, k->key, keylen,
	    m.buf, m.len) != 0)
		return -1;

	pana_build_start(&bb, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_C,
	    k->sid, seq);
	pana_build_avp_u32(&bb, PANA_AVP_KEY_ID, kid);
	pana_build_auth(&bb, pana_auth_mac_len(PANA_AUTH_HMAC_SHA2_256_128),
	    NULL);
	if (deliver(p, now, &pac, &bb, k, NULL, NULL) != 0)
		return -1;
	k->seq = 1000;
	return 0;
}

/* Mean ns of one tick, the clock one ms on each time; *now advances. */
static double
tick_ns(struct paa *p, uint64_t *now)
{
	double t0 = now_s();
	int64_t next = 0;
	int i;

	for (i = 0; i < TICKS; i++) {
		(*now)++;
		paa_timer(p, *now);
		next += paa_next_timeout(p, *now);
	}
	if (next < 0)
		return -1;
	return (now_s() - t0) * 1e9 / TICKS;
}

/* Pings from PaCs picked at random; answered per second, or -1. */
static double
pings(struct paa *p, uint64_t now, struct bpac *k, unsigned int n,
    unsigned long count)
{
	struct sockaddr_storage pac;
	struct pana_builder bb;
	uint8_t buf[128];
	uint64_t sent0 = b.sent;
	unsigned long c;
	unsigned int j;
	double t0 = now_s(), dt;

	for (c = 0; c < count; c++) {
		cb_random(NULL, &j, sizeof(j));
		j %= n;
		pac_addr(j, &pac);
		pana_build_start(&bb, buf, sizeof(buf), PANA_MSG_NOTIFY,
		    PANA_FLAG_R | PANA_FLAG_P, k[j].sid, k[j].seq++);
		pana_build_auth(&bb,
		    pana_auth_mac_len(PANA_AUTH_HMAC_SHA2_256_128), NULL);
		if (deliver(p, now, &pac, &bb, &k[j], NULL, NULL) != 0)
			return -1;
	}
	dt = now_s() - t0;
	if (b.sent - sent0 != count) {
		fprintf(stderr, "%s: %lu pings, %llu answers\n", PROG, count,
		    (unsigned long long)(b.sent - sent0));
		return -1;
	}
	return (double)count / dt;
}

int
main(int argc, char *argv[])
{
	struct paa_config cfg;
	struct paa_cb cb = { cb_send, cb_aaa_send, cb_aaa_free, cb_random,
	    NULL };
	struct paa *p = NULL;
	struct bpac *k = NULL;
	unsigned long n = 100000, np = 0;
	unsigned int i;
	uint64_t now = 1000000;
	size_t mem0;
	double t0, small = -1, big, rate;
	int ch, rc = 1;

	while ((ch = getopt(argc, argv, "n:p:")) != -1) {
		switch (ch) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			np = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: %s [-n sessions] [-p pings]\n",
			    PROG);
			return 2;
		}
	}
	if (n < SMALL || n > 0xffffff) {
		fprintf(stderr, "%s: -n wants %d..%d\n", PROG, SMALL, 0xffffff);
		return 2;
	}
	if (np == 0)
		np = 2 * n;
	log_init(1, 0, PROG);
	log_silence(1);
	b.rng = 0x12345678;
	paa_config_defaults(&cfg);
	cfg.max_sessions = (unsigned int)n;
	cfg.max_per_addr = 1;
	if ((k = calloc(n, sizeof(*k))) == NULL)
		goto done;
	mem0 = heap_used();
	if ((p = paa_new(&cfg, &cb)) == NULL)
		goto done;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (join(p, now, i, &k[i]) != 0) {
			fprintf(stderr, "%s: session %u did not open\n", PROG,
			    i);
			goto done;
		}
		if (i + 1 == SMALL)
			small = tick_ns(p, &now);
	}
	if (paa_session_count(p) != n || paa_stats(p)->sessions_open != n) {
		fprintf(stderr, "%s: %u sessions, %llu open\n", PROG,
		    paa_session_count(p),
		    (unsigned long long)paa_stats(p)->sessions_open);
		goto done;
	}
	printf("sessions: %lu open in %.2f s\n", n, now_s() - t0);
	printf("memory per session: %zu bytes\n", (heap_used() - mem0) / n);
	big = tick_ns(p, &now);
	if (small < 0 || big < 0)
		goto done;
	printf("timer tick at %d sessions: %.0f ns\n", SMALL, small);
	printf("timer tick at %lu sessions: %.0f ns\n", n, big);
	if ((rate = pings(p, now, k, (unsigned int)n, np)) < 0)
		goto done;
	printf("pings answered at %lu sessions: %.0f/s\n", n, rate);
	rc = 0;
 done:
	paa_free(p);
	if (k != NULL)
		OPENSSL_cleanse(k, n * sizeof(*k));
	free(k);
	return rc;
}
