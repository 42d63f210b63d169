/*
 * paa.h - the PANA Authentication Agent (RFC 5191) of pana-relayd: the
 * session table and the state machine, without sockets.
 *
 * The caller feeds in what arrives -- a UDP datagram (paa_input), the
 * outcome of a RADIUS exchange (paa_aaa_result), the passage of time
 * (paa_timer) -- and the PAA answers through the callbacks of struct
 * paa_cb: datagrams to send and EAP-Responses to carry to the AAA server.
 * Time is a caller-supplied monotonic clock in milliseconds, so the unit
 * tests and the fuzzer drive it without sockets or sleeping.
 *
 * One exchange, PaC-initiated:
 *
 *   PaC                               PAA                        RADIUS
 *   PCI (id 0, seq 0)          ->
 *                              <-  PAR[S] PRF-Alg.. Integrity-Alg..
 *   PAN[S] PRF-Alg Integ-Alg   ->
 *                              <-  PAR Nonce EAP(Request/Identity)
 *   PAN Nonce EAP(Response)    ->                     Access-Request ->
 *                              <-  PAR EAP(Request)  <- Access-Challenge
 *   PAN EAP(Response)          ->  ...
 *                              <-  PAR[C] Result-Code EAP(Success)
 *                                  Key-Id Session-Lifetime Key-Record..
 *                                  AUTH                <- Access-Accept
 *   PAN[C] Key-Id AUTH         ->  (session open)
 *
 * then PNR[A]/PNA[A] and a new EAP exchange (re-authentication),
 * PNR[P]/PNA[P] (ping), PTR/PTA (termination), all with AUTH.
 *
 * Without piggybacking (RFC 5191 4.3) the PaC answers a PAR with a PAN
 * without EAP-Payload and sends its EAP-Response in a PAR of its own,
 * which the PAA answers with a PAN.
 *
 * The start is stateless (RFC 5191 section 4.1): a PCI is answered with a
 * PAR[S] whose Session Identifier and Sequence Number are a MAC of the
 * path under a rotating PAA secret, and nothing is kept; the session is
 * created when a PAN[S] echoes them.  A lost PAR[S] is recovered by the
 * PaC repeating its PCI.
 *
 * A session reached through a PANA relay (RFC 6345) remembers the relay's
 * address and the PaC-Information; everything sent to it is wrapped in a
 * PANA-Relay message for that relay.
 *
 * Memory: paa_new() allocates the table; paa_free() wipes (MSK, keys) and
 * frees every session.  Buffers passed to the callbacks are borrowed for
 * the duration of the call.  Errors: a bad datagram is counted in struct
 * paa_stats, logged through log_warnx_rl() and dropped; nothing a peer
 * sends can make a function here fail in any other way.
 */
#ifndef GKEY_PAA_H
#define GKEY_PAA_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#define PAA_NONCE_LEN		20	/* RFC 5191 asks for 16..64 */
#define PAA_MSK_MAX		64
#define PAA_RECORDS_MAX		64	/* Key-Record AVPs in one PAR[C] */

#define PAA_RELAYS_MAX		16	/* relay-peer lines */
#define PAA_RELAY_KEY_MIN	16	/* octets of a relay key */
#define PAA_RELAY_KEY_MAX	128

/*
 * A relay the PAA takes PANA-Relay messages from (RFC 6345), by source
 * address (any port).  With a key, every PANA-Relay message in either
 * direction carries the relay AUTH (pana_relay_sign()); without, none.
 */
struct paa_relay_peer {
	struct sockaddr_storage	addr;
	uint8_t			key[PAA_RELAY_KEY_MAX];
	size_t			key_len;	/* 0: no relay AUTH */
};

struct paa_config {
	uint32_t	vendor_id;		/* of the Key-Record AVP */
	unsigned int	max_sessions;
	unsigned int	max_per_addr;		/* per PaC address */
	unsigned int	max_per_relay;		/* through one relay */
	/* The only relays accepted; none: PANA-Relay is dropped. */
	struct paa_relay_peer relays[PAA_RELAYS_MAX];
	unsigned int	n_relays;
	uint64_t	idle_timeout_ms;	/* unfinished authentication */
	uint64_t	auth_timeout_ms;	/* first authentication, all */
	uint64_t	cookie_rotate_ms;	/* PAR[S] cookie secret */
	uint64_t	rt_initial_ms;		/* RFC 5191 9: IRT */
	uint64_t	rt_max_ms;		/* MRT */
	unsigned int	rt_max_count;		/* MRC */
	uint32_t	default_lifetime;	/* s, without Session-Timeout */
	uint64_t	closed_linger_ms;	/* to answer a repeated PTR */
	/* PAA-initiated ping of open sessions (RFC 5191 4.2); 0: off. */
	uint64_t	ping_interval_ms;
	/*
	 * PAA-initiated re-authentication this long before the lifetime
	 * ends (RFC 5609 REAUTH_TIMEOUT), at most half-way; 0: off.
	 */
	uint64_t	reauth_before_ms;
};

void	paa_config_defaults(struct paa_config *);

/* What the AAA side should do with an EAP-Response. */
struct paa_aaa_req {
	uint32_t	 session_id;
	const uint8_t	*eap;
	size_t		 eap_len;
	const char	*calling_station;	/* the PaC's address, text */
	int		 reauth;		/* 1: a re-authentication */
	int		 first;		/* 1: first of a new EAP exchange */
	/*
	 * The caller's per-session AAA state (RADIUS State, the pending
	 * request); NULL at the first request of a session.  The PAA only
	 * stores it and hands it to aaa_free() when the session goes.
	 */
	void		**ctx;
};

struct paa_cb {
	/* Send a datagram; borrowed for the call.  Returns 0 or -1. */
	int	(*send)(void *arg, const struct sockaddr_storage *to,
		    const uint8_t *buf, size_t len);
	/*
	 * Carry an EAP-Response to the AAA server.  The answer comes back,
	 * later, through paa_aaa_result().  Returns 0, or -1 if the request
	 * could not be started (the session is then dropped).
	 */
	int	(*aaa_send)(void *arg, const struct paa_aaa_req *);
	/* The session is going: forget any pending exchange, free ctx. */
	void	(*aaa_free)(void *arg, uint32_t session_id, void *ctx);
	/*
	 * Optional: fill buf with len random octets, return 0.  NULL means
	 * RAND_bytes(); tests and the fuzzer pass a deterministic one.
	 */
	int	(*random)(void *arg, void *buf, size_t len);
	void	 *arg;
};

enum paa_aaa_code {
	PAA_AAA_CHALLENGE,	/* another EAP-Request for the PaC */
	PAA_AAA_ACCEPT,		/* EAP-Success, MSK, lifetime, records */
	PAA_AAA_REJECT,		/* EAP-Failure (maybe absent) */
	PAA_AAA_FAIL		/* no usable answer from any server */
};

/* The outcome of one RADIUS exchange; all pointers borrowed. */
struct paa_aaa_result {
	enum paa_aaa_code	 code;
	const uint8_t		*eap;		/* EAP-Message, joined */
	size_t			 eap_len;
	const uint8_t		*msk;		/* Accept only */
	size_t			 msk_len;
	uint32_t		 session_timeout; /* 0: none given */
	const uint8_t		*const *records; /* GKey-Key-Record values */
	const size_t		*record_lens;
	size_t			 n_records;
	const char		*reply_message;	/* Reject: for the log */
};

/* Counters, for the tests and the shutdown log line. */
struct paa_stats {
	uint64_t	rx;
	uint64_t	malformed;	/* failed parsing */
	uint64_t	unknown_session;
	uint64_t	bad_auth;	/* AUTH missing or wrong */
	uint64_t	bad_seq;	/* stale or future sequence number */
	uint64_t	duplicates;	/* answered from the cache */
	uint64_t	unexpected;	/* valid but not now */
	uint64_t	over_cap;	/* PCI dropped: session caps */
	uint64_t	untrusted_relay; /* PANA-Relay not from a relay-peer,
					    or its relay AUTH wrong */
	uint64_t	pci_answered;	/* PAR[S] sent, no state kept */
	uint64_t	bad_cookie;	/* PAN[S] for no PAR[S] of ours */
	uint64_t	retransmits;
	uint64_t	sessions_created;
	uint64_t	sessions_open;	/* authentications completed */
	uint64_t	sessions_rejected;
	uint64_t	sessions_expired;
	uint64_t	sessions_terminated;
	/* Why sessions ended before or after completing (pana-relayctl). */
	uint64_t	fail_aaa_timeout;	/* no AAA server answered */
	uint64_t	fail_aaa_error;		/* unusable AAA answer, no AAA */
	uint64_t	expired_idle;		/* unfinished, idle too long */
	uint64_t	expired_retransmit;	/* no answer to our requests */
	uint64_t	expired_lifetime;	/* no re-authentication in time */
	uint64_t	pings_sent;		/* PNR[P] from the PAA */
	uint64_t	pings_answered;		/* their PNA[P] */
	uint64_t	reauth_by_paa;		/* PAR opening a re-auth */
	uint64_t	address_updates;	/* the PaC's address changed */
};

struct paa;

/* NULL on allocation failure.  cfg and cb are copied. */
struct paa	*paa_new(const struct paa_config *cfg, const struct paa_cb *cb);
void		 paa_free(struct paa *);

/*
 * A datagram from 'from' (a PaC, or a relay sending PANA-Relay) at time
 * now.  Never fails: a bad datagram is counted, logged and dropped.
 */
void	paa_input(struct paa *, uint64_t now, const struct sockaddr_storage *from,
	    const uint8_t *buf, size_t len);

/* The answer of the AAA server for session_id (ignored if it is gone). */
void	paa_aaa_result(struct paa *, uint64_t now, uint32_t session_id,
	    const struct paa_aaa_result *);

/* Retransmissions and expiries due at now. */
void	paa_timer(struct paa *, uint64_t now);

/* Milliseconds until the next timer is due (0: now), or -1 for none. */
int64_t	paa_next_timeout(const struct paa *, uint64_t now);

const struct paa_stats *paa_stats(const struct paa *);
unsigned int	paa_session_count(const struct paa *);

/* Inspection, for the tests. */
enum paa_state {
	PAA_ST_WAIT_PAN,	/* PAR with EAP sent */
	PAA_ST_WAIT_AAA,	/* EAP-Response with the AAA server */
	PAA_ST_WAIT_PAN_C,	/* PAR[C] sent */
	PAA_ST_OPEN,		/* authenticated */
	PAA_ST_CLOSED		/* PTA sent, lingering for repeats */
};

struct paa_session_info {
	enum paa_state	state;
	int		relayed;
	int		have_key;
	uint32_t	key_id;
	uint32_t	prf_alg;
	uint32_t	integ_alg;
	uint32_t	lifetime;
	uint32_t	tx_seq;		/* of the last request sent */
	struct sockaddr_storage pac;	/* the PaC's address and port */
	struct sockaddr_storage peer;	/* == pac, or the relay's */
	uint64_t	created;	/* caller's clock, ms */
	uint64_t	expires;	/* ms; meaningful when have_key */
};

int	paa_session_info(const struct paa *, uint32_t session_id,
	    struct paa_session_info *);

/* Terminate an open session from the PAA side (PTR, cause). */
int	paa_terminate(struct paa *, uint64_t now, uint32_t session_id,
	    uint32_t cause);

/*
 * PAA-initiated ping (RFC 5191 section 4.2, RFC 5609 PANA_PING): a PNR[P]
 * with AUTH to an open session, retransmitted like every request; the
 * session is removed when the retransmissions run out unanswered.  0,
 * -1 if there is no open session session_id, -2 if it has a request of
 * the PAA outstanding.
 */
int	paa_ping(struct paa *, uint64_t now, uint32_t session_id);

/*
 * PAA-initiated re-authentication (RFC 5191 section 4.3, RFC 5609
 * REAUTH): a PAR with a new Nonce and an EAP-Request/Identity under the
 * current key, as after a PNR[A].  An outstanding ping is abandoned
 * (RtxTimerStop).  0, or -1 if there is no open session session_id.
 */
int	paa_reauth(struct paa *, uint64_t now, uint32_t session_id);

/*
 * Call fn once for every session, in creation order, with what
 * paa_session_info() says of it.  fn must not add or remove sessions.
 */
void	paa_session_walk(const struct paa *,
	    void (*fn)(void *arg, uint32_t session_id,
	    const struct paa_session_info *), void *arg);

/*
 * The configuration re-read at run time (pana-relayd's reload): caps,
 * timeouts, lifetimes, the vendor id.  Sessions keep running; a lower
 * cap only refuses new ones.
 */
void	paa_set_config(struct paa *, const struct paa_config *);
/* The configuration in force (what status shows). */
const struct paa_config *paa_get_config(const struct paa *);

#endif /* GKEY_PAA_H */
