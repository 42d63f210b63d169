/*
 * paa_harness.c - see paa_harness.h.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paa_harness.h"
#include "plog.h"

const uint8_t ph_msk[PH_MSK_LEN] = { 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

static int
ph_send(void *arg, const struct sockaddr_storage *to, const uint8_t *buf,
    size_t len)
{
	struct paa_harness *h = arg;

	h->nsent++;
	if (h->discard_out)
		return 0;
	if (h->nout >= PH_OUT_MAX)
		h->fail("the PAA sent more datagrams than the harness keeps");
	if (len > PH_OUT_SIZE)
		h->fail("the PAA sent a datagram longer than PH_OUT_SIZE");
	h->out[h->nout].to = *to;
	memcpy(h->out[h->nout].buf, buf, len);
	h->out[h->nout].len = len;
	h->nout++;
	return 0;
}

static int
ph_aaa_send(void *arg, const struct paa_aaa_req *q)
{
	struct paa_harness *h = arg;

	if (h->aaa_fail)
		return -1;
	/* The PAA must never ask the AAA server about nothing. */
	if (q->eap == NULL || q->eap_len == 0)
		h->fail("the PAA carried an empty EAP-Response");
	if (q->eap_len > sizeof(h->aaa_eap))
		h->fail("the PAA carried an EAP-Response longer than "
		    "PH_OUT_SIZE");
	h->naaa++;
	h->aaa_sid = q->session_id;
	memcpy(h->aaa_eap, q->eap, q->eap_len);
	h->aaa_eap_len = q->eap_len;
	h->aaa_first = q->first;
	h->aaa_reauth = q->reauth;
	/* A real allocation, so ASan sees it freed exactly once. */
	if (*q->ctx == NULL && (*q->ctx = malloc(1)) == NULL)
		h->fail("out of memory");
	return 0;
}

static void
ph_aaa_free(void *arg, uint32_t sid, void *ctx)
{
	struct paa_harness *h = arg;

	(void)sid;
	if (ctx != NULL)
		h->aaa_freed++;
	free(ctx);
}

/* xorshift32: the same numbers every run, so session ids repeat. */
static int
ph_random(void *arg, void *buf, size_t len)
{
	struct paa_harness *h = arg;
	uint8_t *p = buf;

	if (h->rng_fixed) {
		memset(buf, h->rng_byte, len);
		return 0;
	}
	while (len-- > 0) {
		h->rng ^= h->rng << 13;
		h->rng ^= h->rng >> 17;
		h->rng ^= h->rng << 5;
		*p++ = (uint8_t)h->rng;
	}
	return 0;
}

static void
ph_log(void *arg, int pri, const char *line)
{
	struct paa_harness *h = arg;

	(void)pri;
	snprintf(h->log[h->nlog % PH_LOG_MAX], PH_LOG_LINE, "%s", line);
	h->nlog++;
	if (h->echo_log)
		fprintf(stderr, "%s\n", line);
}

void
ph_init(struct paa_harness *h,
    void (*fail)(const char *why) __attribute__((noreturn)))
{
	/* The buffers are read only up to their counts: leave them be. */
	h->paa = NULL;
	h->now = 0;
	h->rng = 0;
	h->rng_fixed = 0;
	h->rng_byte = 0;
	h->nout = 0;
	h->discard_out = 0;
	h->nsent = 0;
	h->naaa = 0;
	h->aaa_sid = 0;
	h->aaa_eap_len = 0;
	h->aaa_first = h->aaa_reauth = h->aaa_fail = h->aaa_freed = 0;
	h->nlog = 0;
	h->echo_log = 0;
	h->fail = fail;
	paa_config_defaults(&h->cfg);
	/* Retransmissions within a second, so tests need not wait long. */
	h->cfg.rt_initial_ms = 100;
	h->cfg.rt_max_ms = 400;
	h->cfg.rt_max_count = 3;
}

void
ph_start(struct paa_harness *h, uint32_t seed, uint64_t now)
{
	struct paa_cb cb = { ph_send, ph_aaa_send, ph_aaa_free, ph_random,
	    h };

	h->nout = h->naaa = h->aaa_freed = h->aaa_fail = h->nlog = 0;
	h->rng = seed;
	h->now = now;
	log_set_sink(ph_log, h);
	if ((h->paa = paa_new(&h->cfg, &cb)) == NULL)
		h->fail("paa_new: out of memory");
}

void
ph_stop(struct paa_harness *h)
{
	paa_free(h->paa);
	h->paa = NULL;
	log_set_sink(NULL, NULL);
}

void
ph_input(struct paa_harness *h, const struct sockaddr_storage *from,
    const uint8_t *buf, size_t len)
{
	paa_input(h->paa, h->now, from, buf, len);
}

void
ph_advance(struct paa_harness *h, uint64_t ms)
{
	h->now += ms;
	paa_timer(h->paa, h->now);
}

void
ph_aaa(struct paa_harness *h, uint32_t sid, enum paa_aaa_code code,
    uint32_t session_timeout)
{
	static const uint8_t rec1[] = "record-one", rec2[] = "record-two-x";
	static const uint8_t *const recs[] = { rec1, rec2 };
	static const size_t lens[] = { sizeof(rec1), sizeof(rec2) };
	static const uint8_t chal[] = { 1, 7, 0, 6, 13, 0x20 };
	static const uint8_t succ[] = { 3, 7, 0, 4 };
	static const uint8_t fail[] = { 4, 7, 0, 4 };
	struct paa_aaa_result r;

	memset(&r, 0, sizeof(r));
	r.code = code;
	switch (code) {
	case PAA_AAA_CHALLENGE:
		r.eap = chal;
		r.eap_len = sizeof(chal);
		break;
	case PAA_AAA_ACCEPT:
		r.eap = succ;
		r.eap_len = sizeof(succ);
		r.msk = ph_msk;
		r.msk_len = sizeof(ph_msk);
		r.session_timeout = session_timeout;
		r.records = recs;
		r.record_lens = lens;
		r.n_records = sizeof(recs) / sizeof(recs[0]);
		break;
	case PAA_AAA_REJECT:
		r.eap = fail;
		r.eap_len = sizeof(fail);
		r.reply_message = "identity suspended";
		break;
	case PAA_AAA_FAIL:
		break;
	}
	paa_aaa_result(h->paa, h->now, sid, &r);
}

const struct ph_sent *
ph_last(const struct paa_harness *h)
{
	return h->nout > 0 ? &h->out[h->nout - 1] : NULL;
}

void
ph_clear_sent(struct paa_harness *h)
{
	h->nout = 0;
}

int
ph_logged(const struct paa_harness *h, const char *s)
{
	int i, n = h->nlog < PH_LOG_MAX ? h->nlog : PH_LOG_MAX;

	for (i = 0; i < n; i++)
		if (strstr(h->log[i], s) != NULL)
			return 1;
	return 0;
}

void
ph_clear_log(struct paa_harness *h)
{
	h->nlog = 0;
}

void
ph_addr(struct paa_harness *h, struct sockaddr_storage *ss, const char *ip,
    uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1)
		h->fail("ph_addr: not an IPv4 address");
}
