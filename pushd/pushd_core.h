/*
 * pushd_core.h - the pure parts of gkey-pushd (doc/push.md): the
 * notification payload it acts on, the pacing of one epoch's pushes, the
 * retransmission back-off, what an answer of the NAS means and the
 * newest epochs it compares after a reconnection.  No I/O, no clock, no
 * allocation: unit-tested by tests/check_pushd.c and fuzzed by
 * tests/fuzz/fuzz_pushd.c.
 */
#ifndef GKEY_PUSHD_CORE_H
#define GKEY_PUSHD_CORE_H

#include <stddef.h>
#include <stdint.h>

/* RFC 5176 section 3.6 Error-Cause values the sender tells apart. */
#define PUSHD_EC_UNSUPPORTED_ATTRIBUTE	401
#define PUSHD_EC_MISSING_ATTRIBUTE	402
#define PUSHD_EC_NAS_ID_MISMATCH	403
#define PUSHD_EC_INVALID_REQUEST	404
#define PUSHD_EC_SESSION_NOT_FOUND	503
#define PUSHD_EC_RESOURCES_UNAVAILABLE	506
#define PUSHD_EC_REQUEST_INITIATED	507

/* The back-off never waits longer than this for one answer. */
#define PUSHD_BACKOFF_MAX_MS		60000

/*
 * A gkey_change payload (doc/sql.md section 8): 1 and the application
 * and epoch for exactly "epoch N E" (N 1..4294967295, E 1..2147483647,
 * decimal without sign or leading zeros, one space each), 0 for anything
 * else (the other payloads, or junk).  len octets, no NUL needed.
 */
int	pushd_parse_payload(const char *s, size_t len, uint32_t *app,
	    uint32_t *epoch);

/*
 * The wait for the answer to try number `try` (1 = the first
 * transmission): timeout_ms doubled for every earlier try, at most
 * PUSHD_BACKOFF_MAX_MS (and never less than timeout_ms).
 */
uint32_t pushd_backoff_ms(uint32_t timeout_ms, unsigned int try);

/*
 * The time from the first transmission until the sender gives up with
 * `retries` retransmissions: the sum of the waits of tries 1..retries+1.
 */
uint64_t pushd_giveup_ms(uint32_t timeout_ms, unsigned int retries);

/* The gap between two transmissions at rate per second, in microseconds. */
uint64_t pushd_rate_gap_us(uint32_t rate);

/*
 * How long n pushes take at best: spread over window_ms, but never faster
 * than rate per second (the last one leaves (n - 1) gaps after the
 * first), in milliseconds, rounded up.
 */
uint64_t pushd_spread_ms(size_t n, uint32_t window_ms, uint32_t rate);

/*
 * The jittered offsets of n pushes within window_ms, in microseconds,
 * ascending, each in [0, window_ms * 1000): rnd() gives uniform 32-bit
 * values.  window_ms 0: every offset is 0.  The rate is not applied
 * here: the sender's gate spaces transmissions (pushd_gate_take()).
 */
void	pushd_jitter(uint64_t *off, size_t n, uint32_t window_ms,
	    uint32_t (*rnd)(void));

/*
 * The overall rate gate: a transmission may leave at now_us if
 * *next_us <= now_us; taking it moves *next_us one gap on (from
 * *next_us, or from now_us if the gate has been idle).  Returns 1 when
 * taken, 0 when the caller must wait until *next_us.
 */
int	pushd_gate_take(uint64_t *next_us, uint64_t now_us, uint64_t gap_us);

enum pushd_outcome {
	PUSHD_DELIVERED,	/* CoA-NAK 507, or CoA-ACK: the NAS took it */
	PUSHD_NOT_THERE,	/* CoA-NAK 503: the NAS knows no such node */
	PUSHD_REFUSED		/* any other CoA-NAK: stop, log the cause */
};

/*
 * What an authenticated answer means (doc/push.md section 4): code 44
 * (CoA-ACK) or 45 (CoA-NAK) with error_cause 0 when it carried none.
 */
enum pushd_outcome pushd_classify(unsigned int code, uint32_t error_cause);

/* RFC 5176's name of an Error-Cause, for the log ("unknown" else). */
const char *pushd_cause_name(uint32_t error_cause);

/*
 * Whether the raw RADIUS packet (len octets, its attributes already
 * length-checked by rad_recv()) carries exactly one Message-Authenticator
 * of 18 octets.  Checks every length itself all the same.
 */
int	pushd_has_one_ma(const uint8_t *pkt, size_t len);

enum pushd_ma_form {
	PUSHD_MA_BAD = 0,
	PUSHD_MA_RFC,		/* over the CoA-Request's authenticator */
	PUSHD_MA_ZERO		/* over 16 zero octets (libfreeradius 3.2) */
};

/*
 * Checks the Response Authenticator (RFC 5176 3.5: MD5 over the answer
 * with the request's authenticator in its place, then the secret) and
 * the one Message-Authenticator of the answer pkt (len octets), computed
 * either as RFC 5176 3.5 says, over the CoA-Request's authenticator
 * req_auth, or as FreeRADIUS 3.2's rad_sign() computes it for CoA-ACK and
 * CoA-NAK, over 16 zero octets (doc/push.md section 4.1).  Which form
 * verified, or PUSHD_MA_BAD.
 */
enum pushd_ma_form pushd_answer_auth(const uint8_t *pkt, size_t len,
	    const uint8_t req_auth[16], const char *secret);

/*
 * "[0-9.]+" seconds with up to three decimals ("0.5", "2", "1.25") into
 * milliseconds, at most max_ms; -1 on anything else.
 */
int	pushd_parse_seconds_ms(const char *s, uint32_t max_ms, uint32_t *ms);

/*
 * The newest epoch gkey-pushd knows of, per application: what it compares
 * gkey.push_epochs() with after a reconnection (doc/push.md section 5), to
 * push the epochs created while it was not listening.
 */
struct pushd_app_epoch {
	uint32_t	app, epoch;
	uint32_t	caught;		/* the epoch a catch-up pushed, or 0 */
};

/*
 * Sorted by app, in storage the caller owns (cap entries, kept for the
 * table's life).  Every application up to `limit' is recorded; those
 * above it were left out when the table was full and are not caught up.
 * `known' is 0 until the first baseline: nothing to compare with yet.
 */
struct pushd_epochs {
	struct pushd_app_epoch	*e;
	size_t			 n, cap;
	uint32_t		 limit;
	int			 known;
};

void	pushd_epochs_init(struct pushd_epochs *t, struct pushd_app_epoch *store,
	    size_t cap);

/* The recorded epoch of app, 0 if none (or if app is not recorded). */
uint32_t pushd_epochs_get(const struct pushd_epochs *t, uint32_t app);

/*
 * A notification `epoch app epoch': records it (the higher of it and what
 * was recorded).  Returns 1 when it is to be pushed, 0 when it is the very
 * epoch a catch-up pushed already (its COMMIT fell between LISTEN and
 * gkey.push_epochs(), so both saw it).  A full table makes room by
 * lowering `limit' (the highest application is no longer recorded).
 */
int	pushd_epochs_note(struct pushd_epochs *t, uint32_t app, uint32_t epoch);

/*
 * The answer of gkey.push_epochs(): n rows (sorted here by app, in place;
 * `caught' is ignored).  Unless this is the first baseline, every
 * application whose newest epoch is higher than recorded, or that is new
 * (not recorded, at or below `limit'), is written to up (room for n) with
 * that epoch, and marked caught.  The rows then become the table (the
 * first cap of them, `limit' the last kept when there were more), each
 * keeping a higher epoch recorded meanwhile (a notification committed
 * after the answer's snapshot); an application they lack is forgotten.
 * Returns the number written to up.
 */
size_t	pushd_epochs_merge(struct pushd_epochs *t, struct pushd_app_epoch *rows,
	    size_t n, struct pushd_app_epoch *up);

#endif /* GKEY_PUSHD_CORE_H */
