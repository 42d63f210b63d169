/*
 * paa_harness.h - a PAA (pana-relay/paa.c) without sockets, for the unit
 * tests (tests/check_paa.c) and the fuzzer (tests/fuzz/fuzz_paa.c).
 *
 * The harness owns the environment the daemon would give the PAA: the
 * configuration, the callbacks (datagrams sent are captured in out[], the
 * AAA side is a fake whose answers the caller chooses with ph_aaa()),
 * deterministic random numbers, a clock the caller moves with
 * ph_advance(), and the PAA's log lines.  The scripted PaC that talks to
 * the PAA belongs to each caller.
 *
 * Errors of the harness itself (a datagram too long to capture, more
 * datagrams than out[] holds, no memory) go to the caller's fail()
 * function, which must not return: ck_abort_msg() in the tests, abort()
 * in the fuzzer.
 *
 * Memory: everything lives in struct paa_harness; ph_stop() frees the PAA
 * and with it every AAA context the fake handed out.
 */
#ifndef GKEY_PAA_HARNESS_H
#define GKEY_PAA_HARNESS_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "paa.h"
#include "pana_msg.h"

#define PH_OUT_MAX	32		/* datagrams kept between clears */
#define PH_OUT_SIZE	PANA_MSG_MAX	/* longest datagram kept */
#define PH_LOG_MAX	64		/* log lines kept between clears */
#define PH_LOG_LINE	512
#define PH_MSK_LEN	64

/* The MSK of every Access-Accept ph_aaa() hands the PAA. */
extern const uint8_t	ph_msk[PH_MSK_LEN];

struct ph_sent {
	struct sockaddr_storage	to;
	uint8_t			buf[PH_OUT_SIZE];
	size_t			len;
};

struct paa_harness {
	struct paa		*paa;
	/* ph_init() fills it; change it before ph_start(). */
	struct paa_config	 cfg;
	uint64_t		 now;		/* ms, the PAA's clock */
	uint32_t		 rng;		/* xorshift32 state */
	int			 rng_fixed;	/* set: every octet rng_byte */
	uint8_t			 rng_byte;

	/* Datagrams the PAA sent, oldest first, since ph_clear_sent(). */
	struct ph_sent		 out[PH_OUT_MAX];
	int			 nout;
	int			 discard_out;	/* set: only counted */
	uint64_t		 nsent;		/* every datagram, ever */

	/* EAP-Responses the PAA carried to the fake AAA server. */
	int			 naaa;
	uint32_t		 aaa_sid;	/* of the last one */
	uint8_t			 aaa_eap[PH_OUT_SIZE];
	size_t			 aaa_eap_len;
	int			 aaa_first, aaa_reauth;
	int			 aaa_fail;	/* set: aaa_send() fails */
	int			 aaa_freed;	/* AAA contexts given back */

	/* Log lines, the last PH_LOG_MAX since ph_clear_log(). */
	char			 log[PH_LOG_MAX][PH_LOG_LINE];
	int			 nlog;
	int			 echo_log;	/* set: also to stderr */

	void			(*fail)(const char *why)
				    __attribute__((noreturn));
};

/*
 * Resets h's counters (not its buffers, which are only read up to them)
 * and sets a configuration with short retransmission timers.
 */
void	ph_init(struct paa_harness *h,
	    void (*fail)(const char *why) __attribute__((noreturn)));
/* A PAA from h->cfg, with random numbers from seed and the clock at now. */
void	ph_start(struct paa_harness *h, uint32_t seed, uint64_t now);
void	ph_stop(struct paa_harness *h);

/* A datagram for the PAA from 'from', at h->now. */
void	ph_input(struct paa_harness *h, const struct sockaddr_storage *from,
	    const uint8_t *buf, size_t len);
/* Time passes by ms; the PAA's timers run. */
void	ph_advance(struct paa_harness *h, uint64_t ms);
/*
 * The fake AAA server answers for session sid: a challenge, an accept
 * (EAP-Success, ph_msk, session_timeout, two Key Records), a reject
 * (EAP-Failure and a Reply-Message) or no answer at all (PAA_AAA_FAIL).
 */
void	ph_aaa(struct paa_harness *h, uint32_t sid, enum paa_aaa_code code,
	    uint32_t session_timeout);

/* The last datagram sent, or NULL if none since ph_clear_sent(). */
const struct ph_sent *ph_last(const struct paa_harness *h);
void	ph_clear_sent(struct paa_harness *h);

/* 1 if a log line kept since ph_clear_log() contains s, else 0. */
int	ph_logged(const struct paa_harness *h, const char *s);
void	ph_clear_log(struct paa_harness *h);

/* An IPv4 address and port; fails on an unparsable ip. */
void	ph_addr(struct paa_harness *h, struct sockaddr_storage *ss,
	    const char *ip, uint16_t port);

#endif /* GKEY_PAA_HARNESS_H */
