/*
 * pac.c - the PANA Client state machine (RFC 5191), transport-free.
 *
 * Sequence numbers: the PAA numbers its requests from the initial value of
 * its PAR(S); a request is new when its number is the last answered one
 * plus one, a duplicate when it equals the last one (the stored answer is
 * sent again, nothing is processed twice), and stale otherwise (dropped).
 * The PaC numbers its own requests (PAR without piggybacking, PNR, PTR)
 * from a random initial value;
 * the PCI carries 0 as RFC 5191 section 4.1 requires.
 *
 * Keys: once a PANA_AUTH_KEY exists every message in both directions
 * carries AUTH.  During re-authentication the old key protects the EAP
 * rounds; the final PAR(C) is checked with the key derived from the new
 * MSK, which replaces the old one only once that AUTH verifies.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "pac.h"
#include "pana_crypto.h"

#define PAC_OUT_QUEUE		4
#define PAC_NONCE_MAX		256	/* longest PAA Nonce kept */
#define PAC_RL_BURST		10	/* drop warnings per second */

struct pac_dgram {
	uint8_t		 buf[PAC_OUT_MAX];
	size_t		 len;
};

struct pac {
	struct pac_cfg	 cfg;
	enum pac_state	 state;
	unsigned int	 events;
	char		 error[PAC_ERRLEN];
	uint64_t	 now;

	/* EAP of the current (re-)authentication. */
	int		 eap_done;	/* the MSK can be exported */
	int		 eap_failed;
	int		 eap_failed_local;
	int		 have_paa_nonce;
	int		 pac_nonce_sent;
	uint8_t		 paa_nonce[PAC_NONCE_MAX];
	size_t		 paa_nonce_len;
	uint8_t		 pac_nonce[PAC_NONCE_LEN];

	/* The session. */
	uint32_t	 session_id;
	uint32_t	 prf_alg;
	uint32_t	 integ_alg;
	uint8_t		*i_par;
	size_t		 i_par_len;
	uint8_t		*i_pan;
	size_t		 i_pan_len;

	/* The current key; its AUTH protects every message. */
	int		 have_key;
	uint8_t		 auth_key[PANA_AUTH_KEY_MAX];
	size_t		 auth_key_len;
	uint32_t	 key_id;
	uint32_t	 lifetime;
	uint64_t	 auth_time;
	uint64_t	 expire_ms;	/* 0: no lifetime */

	/* The PAA's requests: the last one answered and its answer. */
	int		 have_rx;
	uint32_t	 rx_seq;
	uint16_t	 rx_type;
	struct pac_dgram last_ans;

	/* The PaC's outstanding request, retransmitted until answered. */
	int		 req_active;
	uint16_t	 req_type;
	uint16_t	 req_flags;
	uint32_t	 req_seq;
	unsigned int	 req_count;	/* transmissions so far */
	unsigned int	 req_rt;	/* current timeout, ms */
	uint64_t	 req_deadline;
	struct pac_dgram req;
	uint32_t	 tx_seq;	/* of the PaC's next request */

	struct pac_record records[PAC_MAX_RECORDS];
	size_t		 nrecords;

	struct pac_dgram out[PAC_OUT_QUEUE];
	size_t		 out_head;
	size_t		 out_count;

	uint64_t	 rl_second;
	unsigned int	 rl_count;
	unsigned long	 rl_suppressed;
};

static const char *const state_names[] = {
	[PAC_ST_INIT] = "init",
	[PAC_ST_START] = "start",
	[PAC_ST_AUTH] = "auth",
	[PAC_ST_OPEN] = "open",
	[PAC_ST_REAUTH] = "reauth",
	[PAC_ST_CLOSING] = "closing",
	[PAC_ST_CLOSED] = "closed",
	[PAC_ST_REJECTED] = "rejected",
	[PAC_ST_FAILED] = "failed"
};

static void plog(struct pac *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void drop(struct pac *, const struct pana_hdr *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct pac *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
plog(struct pac *p, int prio, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	if (p->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->cfg.log(p->cfg.log_arg, prio, msg);
}

static const char *
msg_name(uint16_t type, uint16_t flags)
{
	int	req = (flags & PANA_FLAG_R) != 0;

	switch (type) {
	case PANA_MSG_PCI:
		return "PCI";
	case PANA_MSG_AUTH:
		return req ? "PAR" : "PAN";
	case PANA_MSG_TERM:
		return req ? "PTR" : "PTA";
	case PANA_MSG_NOTIFY:
		return req ? "PNR" : "PNA";
	case PANA_MSG_RELAY:
		return "PRY";
	default:
		return "message";
	}
}

/*
 * Anything a remote sender can trigger: a rate-limited warning, and the
 * datagram is dropped.
 */
static void
drop(struct pac *p, const struct pana_hdr *h, const char *fmt, ...)
{
	char		why[256];
	va_list		ap;
	uint64_t	sec = p->now / 1000;

	if (sec != p->rl_second) {
		if (p->rl_suppressed > 0)
			plog(p, LOG_WARNING, "%lu drop warnings suppressed",
			    p->rl_suppressed);
		p->rl_second = sec;
		p->rl_count = 0;
		p->rl_suppressed = 0;
	}
	if (p->rl_count >= PAC_RL_BURST) {
		p->rl_suppressed++;
		return;
	}
	p->rl_count++;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (h != NULL)
		plog(p, LOG_WARNING, "dropped %s seq %u: %s",
		    msg_name(h->type, h->flags), (unsigned int)h->seq, why);
	else
		plog(p, LOG_WARNING, "dropped datagram: %s", why);
}

static void
wipe_keys(struct pac *p)
{
	OPENSSL_cleanse(p->auth_key, sizeof(p->auth_key));
	p->auth_key_len = 0;
	p->have_key = 0;
}

static void
wipe_records(struct pac *p)
{
	OPENSSL_cleanse(p->records, sizeof(p->records));
	p->nrecords = 0;
}

/* Ends the session for good: a reason for the caller, keys wiped. */
static void
fail(struct pac *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	plog(p, LOG_ERR, "%s", p->error);
	p->state = PAC_ST_FAILED;
	p->req_active = 0;
	wipe_keys(p);
}

static int
terminal(enum pac_state s)
{
	return s == PAC_ST_CLOSED || s == PAC_ST_REJECTED ||
	    s == PAC_ST_FAILED;
}

static void
queue_out(struct pac *p, const uint8_t *buf, size_t len)
{
	struct pac_dgram	*d;

	if (len > PAC_OUT_MAX)
		return;
	if (p->out_count == PAC_OUT_QUEUE) {
		/* The caller drains after every call; this is a bug. */
		plog(p, LOG_ERR, "output queue full; datagram lost");
		return;
	}
	d = &p->out[(p->out_head + p->out_count) % PAC_OUT_QUEUE];
	memcpy(d->buf, buf, len);
	d->len = len;
	p->out_count++;
}

/*
 * Finishes a message and, when a key exists, fills in its AUTH (the AUTH
 * AVP must have been appended).  0, or -1 with a log line.
 */
static int
finish(struct pac *p, struct pana_builder *b, int sign, size_t *len)
{
	int	rc;

	if (sign && (rc = pana_build_auth(b, pana_auth_mac_len(p->integ_alg),
	    NULL)) != 0)
		goto err;
	if ((rc = pana_build_finish(b, len)) != 0)
		goto err;
	if (sign && (rc = pana_auth_sign(p->integ_alg, p->auth_key,
	    p->auth_key_len, b->buf, *len)) != 0)
		goto err;
	return 0;
err:
	plog(p, LOG_ERR, "cannot build message: %s", pana_strerror(rc));
	return -1;
}

/* Sends an answer to the PAA's request seq and keeps it for duplicates. */
static void
answer(struct pac *p, uint16_t req_type, uint32_t seq, const uint8_t *buf,
    size_t len)
{
	p->have_rx = 1;
	p->rx_seq = seq;
	p->rx_type = req_type;
	memcpy(p->last_ans.buf, buf, len);
	p->last_ans.len = len;
	queue_out(p, buf, len);
}

/* 16 random bits: the RAND of a retransmission timeout (RFC 5191 9). */
static uint16_t
rand16(struct pac *p)
{
	uint8_t	b[2] = { 0x80, 0x00 };

	if (p->cfg.random != NULL) {
		if (p->cfg.random(p->cfg.random_arg, b, sizeof(b)) != 0)
			b[0] = 0x80;	/* RAND 0 */
	} else if (RAND_bytes(b, sizeof(b)) != 1)
		b[0] = 0x80;
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Sends a new request of the PaC's and arms its retransmission. */
static void
request(struct pac *p, uint16_t type, uint16_t flags, uint32_t seq,
    const uint8_t *buf, size_t len)
{
	p->req_active = 1;
	p->req_type = type;
	p->req_flags = flags;
	p->req_seq = seq;
	p->req_count = 1;
	p->req_rt = (unsigned int)pana_rt_next(0, p->cfg.rt_init_ms,
	    p->cfg.rt_max_ms, rand16(p));
	p->req_deadline = p->now + p->req_rt;
	memcpy(p->req.buf, buf, len);
	p->req.len = len;
	queue_out(p, buf, len);
}

struct pac *
pac_new(const struct pac_cfg *cfg, char *err, size_t errlen)
{
	struct pac	*p;

	if (cfg == NULL || cfg->eap == NULL || cfg->eap->begin == NULL ||
	    cfg->eap->process == NULL || cfg->eap->msk == NULL ||
	    cfg->eap->error == NULL) {
		snprintf(err, errlen, "no EAP method");
		return NULL;
	}
	if (cfg->node_key != NULL && cfg->nservers == 0) {
		snprintf(err, errlen, "a node key needs the key server's "
		    "public key");
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	if (p->cfg.vendor_id == 0)
		p->cfg.vendor_id = GKEY_VENDOR_ID_DEFAULT;
	if (p->cfg.rt_init_ms == 0)
		p->cfg.rt_init_ms = PAC_RT_INIT_MS;
	if (p->cfg.rt_max_ms == 0)
		p->cfg.rt_max_ms = PAC_RT_MAX_MS;
	if (p->cfg.rt_max_ms < p->cfg.rt_init_ms)
		p->cfg.rt_max_ms = p->cfg.rt_init_ms;
	if (p->cfg.rt_max_count == 0)
		p->cfg.rt_max_count = PAC_RT_MAX_COUNT;
	if (RAND_bytes((uint8_t *)&p->tx_seq, sizeof(p->tx_seq)) != 1) {
		snprintf(err, errlen, "no randomness for the sequence number");
		free(p);
		return NULL;
	}
	p->state = PAC_ST_INIT;
	return p;
}

void
pac_free(struct pac *p)
{
	if (p == NULL)
		return;
	if (p->i_par != NULL) {
		OPENSSL_cleanse(p->i_par, p->i_par_len);
		free(p->i_par);
	}
	if (p->i_pan != NULL) {
		OPENSSL_cleanse(p->i_pan, p->i_pan_len);
		free(p->i_pan);
	}
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

/* A fresh EAP run: new method state, new nonces. */
static int
eap_begin(struct pac *p)
{
	char	err[PAC_ERRLEN];

	err[0] = '\0';
	if (p->cfg.eap->begin(p->cfg.eap_ctx, err, sizeof(err)) != 0) {
		fail(p, "EAP method: %s", err[0] != '\0' ? err :
		    "cannot start");
		return -1;
	}
	p->eap_done = 0;
	p->eap_failed = 0;
	p->eap_failed_local = 0;
	p->have_paa_nonce = 0;
	p->pac_nonce_sent = 0;
	OPENSSL_cleanse(p->pac_nonce, sizeof(p->pac_nonce));
	return 0;
}

int
pac_start(struct pac *p, uint64_t now_ms)
{
	struct pana_builder	b;
	uint8_t			buf[PANA_HDR_LEN];
	size_t			len;

	p->now = now_ms;
	if (p->state != PAC_ST_INIT)
		return -1;
	if (eap_begin(p) != 0)
		return -1;
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	if (finish(p, &b, 0, &len) != 0)
		return -1;
	p->state = PAC_ST_START;
	request(p, PANA_MSG_PCI, 0, 0, buf, len);
	plog(p, LOG_DEBUG, "sent PCI");
	return 0;
}

/* Choose from the repeated algorithm AVPs of PAR(S). */
static int
choose_algs(struct pac *p, const struct pana_msg *m)
{
	struct pana_avp_iter	it;
	struct pana_avp		a;
	uint32_t		v;
	int			prf_sha2 = 0, prf_sha1 = 0;
	int			integ_sha2 = 0, integ_sha1 = 0;

	pana_avp_iter_init(&it, m->buf, m->len);
	while (pana_avp_next(&it, &a, NULL, 0) == 1) {
		if ((a.flags & PANA_AVP_FLAG_V) || pana_avp_u32(&a, &v) != 0)
			continue;
		if (a.code == PANA_AVP_PRF_ALG) {
			prf_sha2 |= v == PANA_PRF_HMAC_SHA2_256;
			prf_sha1 |= v == PANA_PRF_HMAC_SHA1;
		} else if (a.code == PANA_AVP_INTEGRITY_ALG) {
			integ_sha2 |= v == PANA_AUTH_HMAC_SHA2_256_128;
			integ_sha1 |= v == PANA_AUTH_HMAC_SHA1_160;
		}
	}
	if (prf_sha2 && !p->cfg.sha1_only)
		p->prf_alg = PANA_PRF_HMAC_SHA2_256;
	else if (prf_sha1)
		p->prf_alg = PANA_PRF_HMAC_SHA1;
	else {
		fail(p, "the PAA offers no acceptable PRF algorithm "
		    "(want %s)", p->cfg.sha1_only ? "PRF_HMAC_SHA1" :
		    "PRF_HMAC_SHA2_256 or PRF_HMAC_SHA1");
		return -1;
	}
	if (integ_sha2 && !p->cfg.sha1_only)
		p->integ_alg = PANA_AUTH_HMAC_SHA2_256_128;
	else if (integ_sha1)
		p->integ_alg = PANA_AUTH_HMAC_SHA1_160;
	else {
		fail(p, "the PAA offers no acceptable integrity algorithm "
		    "(want %s)", p->cfg.sha1_only ? "AUTH_HMAC_SHA1_160" :
		    "AUTH_HMAC_SHA2_256_128 or AUTH_HMAC_SHA1_160");
		return -1;
	}
	return 0;
}

static uint8_t *
dup_bytes(const uint8_t *buf, size_t len)
{
	uint8_t	*c;

	if ((c = malloc(len)) != NULL)
		memcpy(c, buf, len);
	return c;
}

/* PAR(S) in answer to the PCI: choose the suite, send PAN(S). */
static void
handle_par_start(struct pac *p, const struct pana_msg *m)
{
	struct pana_builder	b;
	uint8_t			buf[64];
	size_t			len;

	if (m->hdr.flags & (PANA_FLAG_C | PANA_FLAG_A | PANA_FLAG_P)) {
		drop(p, &m->hdr, "PAR(S) with C, A or P flag");
		return;
	}
	if (m->count[PANA_AVP_EAP_PAYLOAD] != 0)
		plog(p, LOG_DEBUG, "EAP-Payload in PAR(S) ignored (the PaC "
		    "sent a PCI)");
	if (choose_algs(p, m) != 0)
		return;
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_S,
	    m->hdr.session_id, m->hdr.seq);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, p->prf_alg);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, p->integ_alg);
	if (finish(p, &b, 0, &len) != 0) {
		fail(p, "cannot build PAN(S)");
		return;
	}
	if ((p->i_par = dup_bytes(m->buf, m->len)) == NULL ||
	    (p->i_pan = dup_bytes(buf, len)) == NULL) {
		fail(p, "out of memory");
		return;
	}
	p->i_par_len = m->len;
	p->i_pan_len = len;
	p->session_id = m->hdr.session_id;
	/*
	 * The PCI stays outstanding until the first EAP PAR: a PAA that
	 * keeps no state before the PAN(S) (RFC 5191 section 4.1) never
	 * retransmits its PAR(S), so a lost PAN(S) is recovered by the PCI
	 * again, the same PAR(S) again and the stored PAN(S).
	 */
	p->state = PAC_ST_AUTH;
	answer(p, PANA_MSG_AUTH, m->hdr.seq, buf, len);
	plog(p, LOG_INFO, "session %u: PRF %u, integrity %u",
	    (unsigned int)p->session_id, (unsigned int)p->prf_alg,
	    (unsigned int)p->integ_alg);
}

/*
 * Each EAP-Payload received, at debug level, with the Length field of
 * the EAP packet it carries (RFC 3748 section 4): the two are equal
 * unless something on the path added or cut octets.
 */
static void
log_eap_payload(struct pac *p, const struct pana_msg *m,
    const struct pana_avp *eap)
{
	unsigned int	eap_len = 0;

	if (eap->len >= 4)
		eap_len = (unsigned int)eap->value[2] << 8 | eap->value[3];
	plog(p, LOG_DEBUG, "%s seq %u: EAP-Payload of %u octets, EAP "
	    "Length %u", msg_name(m->hdr.type, m->hdr.flags),
	    (unsigned int)m->hdr.seq, (unsigned int)eap->len, eap_len);
}

static const char *
eap_reason(struct pac *p)
{
	const char	*s = p->cfg.eap->error(p->cfg.eap_ctx);

	return s != NULL && *s != '\0' ? s : "no reason given";
}

/*
 * Without piggybacking: the EAP-Response in a PAR of the PaC's own, with
 * its next sequence number, retransmitted until the PAA's PAN (or its
 * next PAR) comes.
 */
static void
send_eap_par(struct pac *p, const uint8_t *resp, size_t resp_len)
{
	struct pana_builder	b;
	uint8_t			buf[PAC_OUT_MAX];
	size_t			len;
	uint32_t		seq = p->tx_seq;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_R,
	    p->session_id, seq);
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, resp, resp_len);
	if (finish(p, &b, p->have_key, &len) != 0) {
		fail(p, "cannot build PAR");
		goto done;
	}
	p->tx_seq++;
	request(p, PANA_MSG_AUTH, PANA_FLAG_R, seq, buf, len);
	plog(p, LOG_DEBUG, "EAP-Response in PAR seq %u", (unsigned int)seq);
done:
	OPENSSL_cleanse(buf, sizeof(buf));
}

/* PAR carrying an EAP-Request: run the method, answer PAN. */
static void
handle_par_eap(struct pac *p, const struct pana_msg *m)
{
	const struct pana_avp	*eap = &m->avp[PANA_AVP_EAP_PAYLOAD];
	const struct pana_avp	*nonce = &m->avp[PANA_AVP_NONCE];
	struct pana_builder	 b;
	uint8_t			 resp[PAC_EAP_MAX];
	uint8_t			 buf[PAC_OUT_MAX];
	size_t			 resp_len = 0, len;
	enum pac_eap_rc		 rc;
	int			 first, piggyback;

	if (p->state == PAC_ST_CLOSING) {
		drop(p, &m->hdr, "session is terminating");
		return;
	}
	if (eap->value == NULL) {
		drop(p, &m->hdr, "PAR without EAP-Payload");
		return;
	}
	log_eap_payload(p, m, eap);
	if (p->state == PAC_ST_OPEN) {
		/* The PAA starts a re-authentication itself. */
		plog(p, LOG_INFO, "PAA-initiated re-authentication");
		if (eap_begin(p) != 0)
			return;
		p->state = PAC_ST_REAUTH;
	}
	if (p->state == PAC_ST_REAUTH && p->req_active &&
	    p->req_type == PANA_MSG_NOTIFY &&
	    (p->req_flags & PANA_FLAG_A)) {
		/* The PNA(A) was lost; this PAR answers the PNR(A) too. */
		p->req_active = 0;
	}
	if (p->req_active && p->req_type == PANA_MSG_AUTH) {
		/*
		 * The PAN to our PAR was lost: the PAA sends its next
		 * EAP-Request only once it has the EAP-Response.
		 */
		p->req_active = 0;
	}
	first = !p->have_paa_nonce;
	if (p->req_active && p->req_type == PANA_MSG_PCI)
		p->req_active = 0;	/* the PAA has our PAN(S) */
	if (first) {
		if (nonce->value == NULL) {
			drop(p, &m->hdr, "first EAP PAR without Nonce");
			return;
		}
		if (nonce->len == 0 || nonce->len > PAC_NONCE_MAX) {
			drop(p, &m->hdr, "Nonce of %u octets",
			    (unsigned int)nonce->len);
			return;
		}
	}

	rc = p->cfg.eap->process(p->cfg.eap_ctx, eap->value, eap->len, resp,
	    sizeof(resp), &resp_len);
	if (resp_len > sizeof(resp))
		resp_len = 0;	/* a broken method; send nothing of it */
	switch (rc) {
	case PAC_EAP_DISCARD:
		drop(p, &m->hdr, "EAP: %s", eap_reason(p));
		return;
	case PAC_EAP_FAILURE:
		if (!p->eap_failed) {
			p->eap_failed = 1;
			p->eap_failed_local = resp_len > 0;
			snprintf(p->error, sizeof(p->error), "EAP: %s",
			    eap_reason(p));
			plog(p, LOG_ERR, "%s", p->error);
		}
		break;
	case PAC_EAP_DONE:
		p->eap_done = 1;
		break;
	case PAC_EAP_CONTINUE:
	case PAC_EAP_SUCCESS:
		break;
	}

	if (first) {
		memcpy(p->paa_nonce, nonce->value, nonce->len);
		p->paa_nonce_len = nonce->len;
		p->have_paa_nonce = 1;
	}
	if (!p->pac_nonce_sent &&
	    RAND_bytes(p->pac_nonce, sizeof(p->pac_nonce)) != 1) {
		fail(p, "no randomness for the Nonce");
		return;
	}
	piggyback = resp_len > 0 && !p->cfg.no_piggyback;
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, 0,
	    p->session_id, m->hdr.seq);
	if (!p->pac_nonce_sent)
		pana_build_avp(&b, PANA_AVP_NONCE, p->pac_nonce,
		    sizeof(p->pac_nonce));
	if (piggyback)
		pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, resp, resp_len);
	if (finish(p, &b, p->have_key, &len) != 0) {
		fail(p, "cannot build PAN");
		goto done;
	}
	p->pac_nonce_sent = 1;
	answer(p, PANA_MSG_AUTH, m->hdr.seq, buf, len);
	if (resp_len > 0 && !piggyback)
		send_eap_par(p, resp, resp_len);
done:
	OPENSSL_cleanse(resp, resp_len);
}

/* Opens the Key-Record AVPs of a verified PAR(C). */
static void
open_records(struct pac *p, const struct pana_msg *m)
{
	struct pana_avp_iter	 it;
	struct pac_record	*r;
	const uint8_t		*rec;
	size_t			 rec_len;
	uint64_t		 wall;
	time_t			 t;

	wipe_records(p);
	if (p->cfg.wall_clock != NULL)
		wall = p->cfg.wall_clock(p->cfg.clock_arg);
	else
		wall = (t = time(NULL)) > 0 ? (uint64_t)t : 0;
	pana_avp_iter_init(&it, m->buf, m->len);
	while (pana_key_record_next(m, &it, &rec, &rec_len) == 1) {
		if (p->nrecords == PAC_MAX_RECORDS) {
			plog(p, LOG_WARNING, "more than %d key records; the "
			    "rest are ignored", PAC_MAX_RECORDS);
			break;
		}
		r = &p->records[p->nrecords++];
		if (rec_len > sizeof(r->raw)) {
			snprintf(r->err, sizeof(r->err), "key record of %zu "
			    "octets is too long", rec_len);
			continue;
		}
		memcpy(r->raw, rec, rec_len);
		r->raw_len = rec_len;
		if (p->cfg.node_key == NULL) {
			snprintf(r->err, sizeof(r->err), "no node key");
			continue;
		}
		if (gkey_record_open(r->raw, r->raw_len, p->cfg.node_key,
		    p->cfg.servers, p->cfg.nservers, wall, &r->hdr, r->gk,
		    sizeof(r->gk), &r->gk_len, r->err, sizeof(r->err)) != 0) {
			OPENSSL_cleanse(r->gk, sizeof(r->gk));
			r->gk_len = 0;
			continue;
		}
		r->ok = 1;
	}
}

/* PAR(C) of a failed (re-)authentication: answer, then stop. */
static void
handle_par_reject(struct pac *p, const struct pana_msg *m, uint32_t result)
{
	struct pana_builder	b;
	uint8_t			buf[128];
	size_t			len;

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_C,
	    p->session_id, m->hdr.seq);
	if (p->have_key)
		pana_build_avp_u32(&b, PANA_AVP_KEY_ID, p->key_id);
	if (finish(p, &b, p->have_key, &len) != 0) {
		fail(p, "cannot build PAN(C)");
		return;
	}
	answer(p, PANA_MSG_AUTH, m->hdr.seq, buf, len);
	if (!p->eap_failed_local)
		snprintf(p->error, sizeof(p->error), "authentication "
		    "rejected (Result-Code %u)%s%s", (unsigned int)result,
		    p->eap_failed ? ": " : "",
		    p->eap_failed ? eap_reason(p) : "");
	if (!p->eap_failed_local)	/* that one was logged already */
		plog(p, LOG_ERR, "%s", p->error);
	p->state = PAC_ST_REJECTED;
	p->req_active = 0;
	wipe_keys(p);
	wipe_records(p);
}

/*
 * PAR(C) with PANA_SUCCESS: derive PANA_AUTH_KEY from the new MSK, check
 * AUTH (a wrong one is dropped: the PAA retransmits), then accept the
 * EAP-Success, open the records and answer PAN(C).
 */
static void
handle_par_success(struct pac *p, const struct pana_msg *m)
{
	const struct pana_avp	*eap = &m->avp[PANA_AVP_EAP_PAYLOAD];
	struct pana_kdf_input	 in;
	struct pana_builder	 b;
	uint8_t			 msk[PAC_MSK_MAX], key[PANA_AUTH_KEY_MAX];
	uint8_t			 resp[PAC_EAP_MAX], buf[128];
	size_t			 msk_len = 0, key_len = 0, resp_len = 0, len;
	uint32_t		 key_id, lifetime = 0;
	enum pac_eap_rc		 rc;
	int			 err;

	if (p->eap_failed) {
		drop(p, &m->hdr, "success after the EAP method failed");
		return;
	}
	if (eap->value != NULL)
		log_eap_payload(p, m, eap);
	if (eap->value == NULL || eap->len < 4 || eap->value[0] != 3) {
		drop(p, &m->hdr, "PAR(C) without EAP-Success");
		return;
	}
	if (pana_avp_u32(&m->avp[PANA_AVP_KEY_ID], &key_id) != 0) {
		drop(p, &m->hdr, "PAR(C) without Key-Id");
		return;
	}
	if (m->avp[PANA_AVP_SESSION_LIFETIME].value != NULL &&
	    pana_avp_u32(&m->avp[PANA_AVP_SESSION_LIFETIME], &lifetime) != 0) {
		drop(p, &m->hdr, "bad Session-Lifetime");
		return;
	}
	if (m->count[PANA_AVP_AUTH] == 0) {
		drop(p, &m->hdr, "PAR(C) without AUTH");
		return;
	}
	if (!p->eap_done || !p->have_paa_nonce || !p->pac_nonce_sent) {
		drop(p, &m->hdr, "EAP-Success before the EAP method "
		    "completed");
		return;
	}
	if (p->cfg.eap->msk(p->cfg.eap_ctx, msk, sizeof(msk), &msk_len) != 0 ||
	    msk_len == 0 || msk_len > sizeof(msk)) {
		drop(p, &m->hdr, "the EAP method has no MSK");
		goto done;
	}
	memset(&in, 0, sizeof(in));
	in.msk = msk;
	in.msk_len = msk_len;
	in.i_par = p->i_par;
	in.i_par_len = p->i_par_len;
	in.i_pan = p->i_pan;
	in.i_pan_len = p->i_pan_len;
	in.pac_nonce = p->pac_nonce;
	in.pac_nonce_len = sizeof(p->pac_nonce);
	in.paa_nonce = p->paa_nonce;
	in.paa_nonce_len = p->paa_nonce_len;
	in.key_id = key_id;
	if ((err = pana_auth_key_derive(p->prf_alg, p->integ_alg, &in, key,
	    sizeof(key), &key_len)) != 0) {
		fail(p, "PANA_AUTH_KEY derivation: %s", pana_strerror(err));
		goto done;
	}
	if ((err = pana_auth_verify(p->integ_alg, key, key_len, m->buf,
	    m->len)) != 0) {
		drop(p, &m->hdr, "AUTH does not verify (%s)",
		    pana_strerror(err));
		goto done;
	}

	rc = p->cfg.eap->process(p->cfg.eap_ctx, eap->value, eap->len, resp,
	    sizeof(resp), &resp_len);
	OPENSSL_cleanse(resp, sizeof(resp));
	if (rc != PAC_EAP_SUCCESS) {
		fail(p, "EAP method refused the EAP-Success: %s",
		    eap_reason(p));
		goto done;
	}

	/* The new key replaces the old one only now that it is proven. */
	memcpy(p->auth_key, key, key_len);
	p->auth_key_len = key_len;
	p->have_key = 1;
	p->key_id = key_id;
	p->lifetime = lifetime;
	p->auth_time = p->now;
	p->expire_ms = lifetime > 0 ? p->now + (uint64_t)lifetime * 1000 : 0;
	open_records(p, m);

	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH, PANA_FLAG_C,
	    p->session_id, m->hdr.seq);
	pana_build_avp_u32(&b, PANA_AVP_KEY_ID, key_id);
	if (finish(p, &b, 1, &len) != 0) {
		fail(p, "cannot build PAN(C)");
		goto done;
	}
	answer(p, PANA_MSG_AUTH, m->hdr.seq, buf, len);
	p->req_active = 0;
	p->state = PAC_ST_OPEN;
	p->events |= PAC_EV_AUTHENTICATED;
	p->have_paa_nonce = 0;
	p->error[0] = '\0';
	plog(p, LOG_INFO, "session %u authenticated: key id %u, lifetime "
	    "%u s, %zu key record%s", (unsigned int)p->session_id,
	    (unsigned int)key_id, (unsigned int)lifetime, p->nrecords,
	    p->nrecords == 1 ? "" : "s");
done:
	OPENSSL_cleanse(msk, sizeof(msk));
	OPENSSL_cleanse(key, sizeof(key));
}

static void
handle_par_complete(struct pac *p, const struct pana_msg *m)
{
	uint32_t	result;

	if (p->state != PAC_ST_AUTH && p->state != PAC_ST_REAUTH) {
		drop(p, &m->hdr, "PAR(C) outside an authentication");
		return;
	}
	if (pana_avp_u32(&m->avp[PANA_AVP_RESULT_CODE], &result) != 0) {
		drop(p, &m->hdr, "PAR(C) without Result-Code");
		return;
	}
	if (result == PANA_SUCCESS)
		handle_par_success(p, m);
	else
		handle_par_reject(p, m, result);
}

/* PNR(P) from the PAA: answer PNA(P). */
static void
handle_pnr(struct pac *p, const struct pana_msg *m)
{
	struct pana_builder	b;
	uint8_t			buf[128];
	size_t			len;

	if (!(m->hdr.flags & PANA_FLAG_P) || (m->hdr.flags & PANA_FLAG_A)) {
		drop(p, &m->hdr, "PNR without P flag");
		return;
	}
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_NOTIFY, PANA_FLAG_P,
	    p->session_id, m->hdr.seq);
	if (finish(p, &b, 1, &len) != 0)
		return;
	answer(p, PANA_MSG_NOTIFY, m->hdr.seq, buf, len);
}

/* PTR from the PAA: answer PTA and close. */
static void
handle_ptr(struct pac *p, const struct pana_msg *m)
{
	struct pana_builder	b;
	uint8_t			buf[128];
	size_t			len;
	uint32_t		cause = 0;

	(void)pana_avp_u32(&m->avp[PANA_AVP_TERM_CAUSE], &cause);
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_TERM, 0,
	    p->session_id, m->hdr.seq);
	if (finish(p, &b, 1, &len) != 0)
		return;
	answer(p, PANA_MSG_TERM, m->hdr.seq, buf, len);
	plog(p, LOG_INFO, "session %u terminated by the PAA "
	    "(Termination-Cause %u)", (unsigned int)p->session_id,
	    (unsigned int)cause);
	p->state = PAC_ST_CLOSED;
	p->req_active = 0;
	p->events |= PAC_EV_TERMINATED;
	wipe_keys(p);
}

static int
verify_current(struct pac *p, const struct pana_msg *m)
{
	int	err;

	if ((err = pana_auth_verify(p->integ_alg, p->auth_key,
	    p->auth_key_len, m->buf, m->len)) != 0) {
		drop(p, &m->hdr, "AUTH does not verify (%s)",
		    pana_strerror(err));
		return -1;
	}
	return 0;
}

static int
is_par_success(const struct pana_msg *m)
{
	uint32_t	result;

	return m->hdr.type == PANA_MSG_AUTH &&
	    (m->hdr.flags & PANA_FLAG_C) &&
	    pana_avp_u32(&m->avp[PANA_AVP_RESULT_CODE], &result) == 0 &&
	    result == PANA_SUCCESS;
}

/* Forget the PAR(S)/PAN(S) of a start that no EAP PAR followed. */
static void
restart_start(struct pac *p)
{
	free(p->i_par);
	free(p->i_pan);
	p->i_par = p->i_pan = NULL;
	p->i_par_len = p->i_pan_len = 0;
	p->have_rx = 0;
	p->last_ans.len = 0;
}

static void
handle_request(struct pac *p, const struct pana_msg *m)
{
	const struct pana_hdr	*h = &m->hdr;

	if (h->type != PANA_MSG_AUTH && h->type != PANA_MSG_NOTIFY &&
	    h->type != PANA_MSG_TERM) {
		drop(p, h, "not a request a PaC handles");
		return;
	}
	if (p->state == PAC_ST_START) {
		if (h->type != PANA_MSG_AUTH || !(h->flags & PANA_FLAG_S)) {
			drop(p, h, "waiting for PAR(S)");
			return;
		}
		handle_par_start(p, m);
		return;
	}
	if (p->state == PAC_ST_AUTH && p->req_active &&
	    p->req_type == PANA_MSG_PCI && h->type == PANA_MSG_AUTH &&
	    (h->flags & PANA_FLAG_S) && h->session_id != p->session_id) {
		/* The PAA's cookie changed before our PAN(S) got through. */
		plog(p, LOG_INFO, "new PAR(S) for session %u before any EAP: "
		    "starting over with it", (unsigned int)h->session_id);
		restart_start(p);
		handle_par_start(p, m);
		return;
	}
	if (h->session_id != p->session_id) {
		drop(p, h, "session id %u, not %u",
		    (unsigned int)h->session_id, (unsigned int)p->session_id);
		return;
	}
	if (p->have_rx && h->seq == p->rx_seq) {
		if (h->type != p->rx_type || p->last_ans.len == 0) {
			drop(p, h, "reuses the sequence number of another "
			    "request");
			return;
		}
		/* A retransmission: the stored answer, nothing processed. */
		plog(p, LOG_DEBUG, "duplicate %s seq %u answered again",
		    msg_name(h->type, h->flags), (unsigned int)h->seq);
		queue_out(p, p->last_ans.buf, p->last_ans.len);
		return;
	}
	if (terminal(p->state)) {
		drop(p, h, "session is over");
		return;
	}
	if (!p->have_rx || h->seq != p->rx_seq + 1) {
		drop(p, h, "stale or out-of-order sequence number "
		    "(expected %u)", (unsigned int)(p->rx_seq + 1));
		return;
	}
	if (h->flags & PANA_FLAG_S) {
		drop(p, h, "S flag after the session started");
		return;
	}
	/* The final PAR(C) of a success is checked with its new key. */
	if (p->have_key && !is_par_success(m) && verify_current(p, m) != 0)
		return;

	switch (h->type) {
	case PANA_MSG_AUTH:
		if (h->flags & PANA_FLAG_C)
			handle_par_complete(p, m);
		else
			handle_par_eap(p, m);
		break;
	case PANA_MSG_NOTIFY:
		if (!p->have_key) {
			drop(p, h, "PNR before the session is open");
			break;
		}
		handle_pnr(p, m);
		break;
	case PANA_MSG_TERM:
		if (!p->have_key) {
			drop(p, h, "PTR before the session is open");
			break;
		}
		handle_ptr(p, m);
		break;
	}
}

static void
handle_answer(struct pac *p, const struct pana_msg *m)
{
	const struct pana_hdr	*h = &m->hdr;

	if (!p->req_active || p->req_type == PANA_MSG_PCI ||
	    h->type != p->req_type) {
		drop(p, h, "answers no outstanding request");
		return;
	}
	if (h->session_id != p->session_id || h->seq != p->req_seq) {
		drop(p, h, "answers no outstanding request (session %u, "
		    "expected seq %u)", (unsigned int)h->session_id,
		    (unsigned int)p->req_seq);
		return;
	}
	if (p->have_key) {
		if (verify_current(p, m) != 0)
			return;
	} else if (h->type != PANA_MSG_AUTH) {
		drop(p, h, "answer before the session is open");
		return;
	} else if (m->count[PANA_AVP_AUTH] != 0) {
		drop(p, h, "AUTH before any key");
		return;
	}
	if (h->type == PANA_MSG_AUTH &&
	    (h->flags & (PANA_FLAG_S | PANA_FLAG_C))) {
		drop(p, h, "PAN to our PAR with the S or C flag");
		return;
	}
	p->req_active = 0;
	switch (h->type) {
	case PANA_MSG_AUTH:
		plog(p, LOG_DEBUG, "PAN to our PAR seq %u",
		    (unsigned int)h->seq);
		break;
	case PANA_MSG_NOTIFY:
		if (p->req_flags & PANA_FLAG_P)
			p->events |= PAC_EV_PING_DONE;
		/* PNA(A): the PAA's PAR with the EAP-Request follows. */
		break;
	case PANA_MSG_TERM:
		plog(p, LOG_INFO, "session %u terminated",
		    (unsigned int)p->session_id);
		p->state = PAC_ST_CLOSED;
		p->events |= PAC_EV_TERMINATED;
		wipe_keys(p);
		break;
	}
}

void
pac_input(struct pac *p, const uint8_t *buf, size_t len, uint64_t now_ms)
{
	struct pana_msg	m;
	char		err[PANA_ERRLEN];
	int		rc;

	p->now = now_ms;
	if (p->state == PAC_ST_INIT) {
		drop(p, NULL, "no session started");
		return;
	}
	if ((rc = pana_msg_parse(buf, len, p->cfg.vendor_id, &m, err,
	    sizeof(err))) != 0) {
		drop(p, NULL, "%s", err);
		return;
	}
	if (m.hdr.flags & PANA_FLAG_R)
		handle_request(p, &m);
	else if (terminal(p->state))
		drop(p, &m.hdr, "session is over");
	else
		handle_answer(p, &m);
}

int64_t
pac_next_timeout(const struct pac *p, uint64_t now_ms)
{
	uint64_t	t = UINT64_MAX;

	if (terminal(p->state) || p->state == PAC_ST_INIT)
		return -1;
	if (p->req_active)
		t = p->req_deadline;
	if (p->have_key && p->expire_ms != 0 && p->expire_ms < t)
		t = p->expire_ms;
	if (t == UINT64_MAX)
		return -1;
	if (t <= now_ms)
		return 0;
	return (int64_t)(t - now_ms);
}

void
pac_timeout(struct pac *p, uint64_t now_ms)
{
	p->now = now_ms;
	if (terminal(p->state) || p->state == PAC_ST_INIT)
		return;
	if (p->have_key && p->expire_ms != 0 && now_ms >= p->expire_ms) {
		fail(p, "session %u: lifetime of %u s is over",
		    (unsigned int)p->session_id, (unsigned int)p->lifetime);
		return;
	}
	if (!p->req_active || now_ms < p->req_deadline)
		return;
	if (p->req_count >= p->cfg.rt_max_count) {
		fail(p, "no answer to %s after %u transmissions",
		    msg_name(p->req_type, PANA_FLAG_R), p->req_count);
		return;
	}
	/* Exponential back-off, randomised, capped (RFC 5191 9, RFC 3315). */
	p->req_rt = (unsigned int)pana_rt_next(p->req_rt, p->cfg.rt_init_ms,
	    p->cfg.rt_max_ms, rand16(p));
	p->req_count++;
	p->req_deadline = now_ms + p->req_rt;
	plog(p, LOG_DEBUG, "retransmitting %s (%u)",
	    msg_name(p->req_type, PANA_FLAG_R), p->req_count);
	queue_out(p, p->req.buf, p->req.len);
}

int
pac_output(struct pac *p, uint8_t *buf, size_t size, size_t *len)
{
	struct pac_dgram	*d;

	if (p->out_count == 0)
		return 0;
	d = &p->out[p->out_head];
	p->out_head = (p->out_head + 1) % PAC_OUT_QUEUE;
	p->out_count--;
	if (d->len > size) {
		plog(p, LOG_ERR, "output buffer of %zu octets too small",
		    size);
		return 0;
	}
	memcpy(buf, d->buf, d->len);
	*len = d->len;
	return 1;
}

/* PNR or PTR of the PaC's, signed, with the next sequence number. */
static int
send_request(struct pac *p, uint16_t type, uint16_t flags, uint32_t cause)
{
	struct pana_builder	b;
	uint8_t			buf[128];
	size_t			len;
	uint32_t		seq = p->tx_seq;

	pana_build_start(&b, buf, sizeof(buf), type, PANA_FLAG_R | flags,
	    p->session_id, seq);
	if (type == PANA_MSG_TERM)
		pana_build_avp_u32(&b, PANA_AVP_TERM_CAUSE, cause);
	if (finish(p, &b, 1, &len) != 0)
		return -1;
	p->tx_seq++;
	request(p, type, PANA_FLAG_R | flags, seq, buf, len);
	return 0;
}

int
pac_reauth(struct pac *p, uint64_t now_ms)
{
	p->now = now_ms;
	if (p->state != PAC_ST_OPEN || p->req_active)
		return -1;
	if (eap_begin(p) != 0)
		return -1;
	if (send_request(p, PANA_MSG_NOTIFY, PANA_FLAG_A, 0) != 0)
		return -1;
	p->state = PAC_ST_REAUTH;
	plog(p, LOG_INFO, "session %u: re-authenticating",
	    (unsigned int)p->session_id);
	return 0;
}

int
pac_ping(struct pac *p, uint64_t now_ms)
{
	p->now = now_ms;
	if (p->state != PAC_ST_OPEN || p->req_active)
		return -1;
	return send_request(p, PANA_MSG_NOTIFY, PANA_FLAG_P, 0);
}

int
pac_terminate(struct pac *p, uint64_t now_ms)
{
	p->now = now_ms;
	if ((p->state != PAC_ST_OPEN && p->state != PAC_ST_REAUTH) ||
	    !p->have_key)
		return -1;
	/* A pending ping or PNR(A) no longer matters. */
	p->req_active = 0;
	if (send_request(p, PANA_MSG_TERM, 0, PANA_TERM_LOGOUT) != 0)
		return -1;
	p->state = PAC_ST_CLOSING;
	return 0;
}

enum pac_state
pac_state(const struct pac *p)
{
	return p->state;
}

const char *
pac_state_name(enum pac_state s)
{
	if ((size_t)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[s];
}

unsigned int
pac_events(struct pac *p)
{
	unsigned int	ev = p->events;

	p->events = 0;
	return ev;
}

const char *
pac_error(const struct pac *p)
{
	return p->error;
}

int
pac_local_eap_failure(const struct pac *p)
{
	return p->eap_failed_local;
}

uint32_t
pac_session_id(const struct pac *p)
{
	return p->session_id;
}

uint32_t
pac_key_id(const struct pac *p)
{
	return p->key_id;
}

uint32_t
pac_session_lifetime(const struct pac *p)
{
	return p->lifetime;
}

uint64_t
pac_auth_time(const struct pac *p)
{
	return p->auth_time;
}

uint32_t
pac_prf_alg(const struct pac *p)
{
	return p->prf_alg;
}

uint32_t
pac_integ_alg(const struct pac *p)
{
	return p->integ_alg;
}

size_t
pac_record_count(const struct pac *p)
{
	return p->nrecords;
}

const struct pac_record *
pac_record(const struct pac *p, size_t i)
{
	return i < p->nrecords ? &p->records[i] : NULL;
}
