/*
 * ard_core.h - the access router's decisions, without sockets or RADIUS:
 * the checks of an RS (doc/nd.md 1.2), the replay cache, the rate limits
 * and the answer, split into signed RAs of at most 1280 octets (1.3-1.5).
 *
 * Pure functions over caller-owned state; gkey-ard.c does the I/O and the
 * unit tests drive these directly.  Nothing here logs; every refusal
 * comes back as a code and a one-line reason.
 */
#ifndef GKEY_ARD_CORE_H
#define GKEY_ARD_CORE_H

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ard_conf.h"
#include "nd_msg.h"

#define ARD_ERRLEN		ND_ERRLEN
#define ARD_MAX_PARTS		24
#define ARD_STD_OPTS_MAX	256

/* Outcome of ard_rs_check(). */
enum ard_rs_verdict {
	ARD_RS_OK = 0,
	ARD_RS_PLAIN = 1,	/* no gkey option: not ours, ignore silently */
	ARD_RS_DROP = -1	/* refused: reason in err */
};

/*
 * Checks one received RS: hop limit 255, the codec's rules, the required
 * options, the timestamp within window seconds of now (an RFC 3971
 * timestamp), a P-256 certificate key, and the signature for src -> dst
 * (dst as the packet was addressed).  On ARD_RS_OK *m borrows pkt.
 * The nonce is checked separately (ard_replay_seen), with state.
 */
int	ard_rs_check(const uint8_t *pkt, size_t len, int hop_limit,
	    const struct in6_addr *src, const struct in6_addr *dst,
	    uint64_t now_ts, unsigned int window, struct nd_msg *m,
	    char *err, size_t errlen);

/*
 * Replay cache: (source, nonce) pairs seen within the window.  Bounded:
 * when every slot holds an unexpired pair the RS is refused (a flood
 * must not evict a real pair and open a replay).
 */
struct ard_replay_slot {
	uint8_t		 digest[16];	/* SHA-256(src || nonce), half */
	uint64_t	 expires;	/* seconds, monotonic */
};
struct ard_replay {
	struct ard_replay_slot	*slot;
	size_t			 n;
};
int	ard_replay_init(struct ard_replay *, size_t n);
void	ard_replay_free(struct ard_replay *);
/* 0 new (now remembered), 1 seen, -1 cache full. */
int	ard_replay_seen(struct ard_replay *, const struct in6_addr *src,
	    const uint8_t *nonce, size_t nonce_len, uint64_t now_s,
	    unsigned int window);

/* Token buckets: one in total and one per source (LRU-bounded table). */
struct ard_bucket {
	double		 tokens;
	uint64_t	 last_ms;
};
struct ard_source {
	struct in6_addr	 addr;
	struct ard_bucket b;
	uint64_t	 used_ms;
	int		 in_use;
};
struct ard_limits {
	struct ard_rate		 per_source, total;
	struct ard_bucket	 all;
	struct ard_source	*src;
	size_t			 n;
};
int	ard_limits_init(struct ard_limits *, const struct ard_rate *per_source,
	    const struct ard_rate *total, size_t n_sources);
void	ard_limits_free(struct ard_limits *);
/* 0 allowed (a token taken), 1 over the source's rate, 2 over the total. */
int	ard_limits_take(struct ard_limits *, const struct in6_addr *src,
	    uint64_t now_ms);

/* The fixed part of every RA the router sends on its link. */
struct ard_ra_tmpl {
	struct nd_ra_hdr hdr;
	uint8_t		 std[ARD_STD_OPTS_MAX];	/* SLLA, MTU, PIO, RDNSS */
	size_t		 std_len;
	const uint8_t	*cert;			/* the AR's, DER */
	size_t		 cert_len;
};
/* The template from the configuration and the interface's MAC (or NULL). */
int	ard_ra_tmpl_init(struct ard_ra_tmpl *, const struct ard_config *,
	    const uint8_t *mac, size_t mac_len, const uint8_t *cert,
	    size_t cert_len, char *err, size_t errlen);

/* What one answer says. */
struct ard_answer_in {
	const uint8_t		*nonce;		/* NULL: a push (doc 1.6) */
	size_t			 nonce_len;
	uint64_t		 timestamp;
	uint8_t			 status;	/* 0: records */
	const char		*reason;
	const uint8_t *const	*records;
	const size_t		*record_len;
	size_t			 n_records;
	uint32_t		 refresh;
};

/* The signed RAs of one answer; each len[i] <= ND_MSG_MAX. */
struct ard_answer {
	uint8_t		 pkt[ARD_MAX_PARTS][ND_MSG_MAX];
	size_t		 len[ARD_MAX_PARTS];
	size_t		 n;
};

/*
 * Splits in across as few RAs as fit (records in order, as many per RA as
 * fit), numbers the parts and signs each with key for src -> dst.  A
 * record that cannot fit even alone fails the answer.
 */
int	ard_answer_build(const struct ard_ra_tmpl *, const struct ard_answer_in *,
	    EVP_PKEY *key, const struct in6_addr *src,
	    const struct in6_addr *dst, struct ard_answer *out, char *err,
	    size_t errlen);

/*
 * Refresh for an Accept (doc/nd.md 1.5): the Session-Timeout when > 0,
 * else 80 % of the time from now to the earliest not_after of the
 * records (at least 1 s; 3600 s when no record parses).
 */
uint32_t ard_refresh(int has_session_timeout, uint32_t session_timeout,
	    const uint8_t *const *records, const size_t *record_len,
	    size_t n, uint64_t now_s);

#endif /* GKEY_ARD_CORE_H */
