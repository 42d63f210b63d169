/*
 * pac.h - the PANA Client (PaC, RFC 5191) as an event-driven state
 * machine with no sockets and no clock of its own.
 *
 * The caller feeds it each datagram received from the PAA (pac_input())
 * and the current time, runs its timers (pac_timeout() when
 * pac_next_timeout() says so), and sends every datagram pac_output()
 * hands back.  The EAP method sits behind struct pac_eap_ops so the unit
 * tests can drive the machine with a fake method that yields a fixed MSK;
 * pana-pac plugs eap_tls_peer in.
 *
 * One session per struct pac:
 *
 *   PCI -> PAR(S)/PAN(S) (algorithm choice) -> PAR/PAN with EAP and the
 *   two Nonces (or, without piggybacking, PAR/PAN then the PaC's own
 *   PAR with the EAP-Response and the PAA's PAN) -> PAR(C) with
 *   Result-Code, Key-Id, Session-Lifetime, Key Records and AUTH ->
 *   PAN(C) -> open; then re-authentication (PNR(A)),
 *   ping (PNR(P)) and termination (PTR), every message carrying AUTH.
 *
 * Time: now_ms is a monotonic clock in milliseconds (any origin), used for
 * retransmissions and the session lifetime.  Record validity is checked
 * against the wall clock (cfg.wall_clock, default time(NULL)).
 *
 * Memory: pac_new() copies the configuration (the EVP_PKEYs and the EAP
 * method context are borrowed and must outlive the pac); pac_free() wipes
 * every key (MSK, PANA_AUTH_KEY, GKs) and frees everything.  Buffers
 * passed in are the caller's.
 *
 * Bad or unexpected datagrams are dropped with a rate-limited warning
 * through cfg.log and leave the state unchanged.  Secrets are never
 * passed to cfg.log.
 */
#ifndef GKEY_PAC_H
#define GKEY_PAC_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "keyrecord.h"
#include "pana_msg.h"

#define PAC_MSK_MAX		64
#define PAC_NONCE_LEN		20
#define PAC_EAP_MAX		4096	/* longest EAP-Response accepted */
#define PAC_OUT_MAX		8192	/* longest PANA message built */
#define PAC_MAX_RECORDS		16
#define PAC_ERRLEN		256

/* RFC 5191 section 9 leaves the timers to RFC 3315-style values. */
#define PAC_RT_INIT_MS		1000
#define PAC_RT_MAX_MS		30000
#define PAC_RT_MAX_COUNT	8

/* What an EAP method answers to one EAP packet. */
enum pac_eap_rc {
	PAC_EAP_CONTINUE,	/* send the response, wait for more */
	PAC_EAP_DONE,		/* send the response; the MSK is ready */
	PAC_EAP_SUCCESS,	/* an EAP-Success was accepted */
	PAC_EAP_FAILURE,	/* failed; a response (alert) may be sent */
	PAC_EAP_DISCARD		/* malformed or unexpected; dropped */
};

/*
 * The EAP method, owned by the caller.
 *  begin:   called before each (re-)authentication; the method starts
 *           afresh (a new TLS session).  0, or -1 with a reason in err.
 *  process: one EAP packet (Request, Success or Failure) from the PAA;
 *           the response goes into resp (resp_size octets).  On FAILURE
 *           a non-empty response means the method itself refused (a TLS
 *           alert for the server), an empty one that the server did.
 *  msk:     the MSK once DONE was returned; 0, or -1 if not ready.
 *  error:   a one-line reason for the last FAILURE or DISCARD.
 */
struct pac_eap_ops {
	int		(*begin)(void *ctx, char *err, size_t errlen);
	enum pac_eap_rc	(*process)(void *ctx, const uint8_t *req,
			    size_t len, uint8_t *resp, size_t resp_size,
			    size_t *resp_len);
	int		(*msk)(void *ctx, uint8_t *msk, size_t size,
			    size_t *len);
	const char	*(*error)(void *ctx);
};

/* Log priorities: those of syslog(3). */
typedef void	(*pac_log_fn)(void *arg, int prio, const char *msg);

struct pac_cfg {
	const struct pac_eap_ops *eap;	/* required */
	void		*eap_ctx;
	uint32_t	 vendor_id;	/* Key-Record AVPs; 0: the default */
	int		 sha1_only;	/* accept only the HMAC-SHA1 suites */
	/*
	 * RFC 5191 section 4.3 without piggybacking: answer each EAP PAR
	 * with a PAN carrying no EAP-Payload (the Nonce only, in the first)
	 * and send the EAP-Response in a PAR of the PaC's own.
	 */
	int		 no_piggyback;
	unsigned int	 rt_init_ms;	/* 0: PAC_RT_INIT_MS */
	unsigned int	 rt_max_ms;	/* 0: PAC_RT_MAX_MS */
	unsigned int	 rt_max_count;	/* 0: PAC_RT_MAX_COUNT */
	EVP_PKEY	*node_key;	/* opens the records; NULL: not opened */
	EVP_PKEY *const	*servers;	/* the key server's public keys */
	size_t		 nservers;
	/*
	 * Fill buf with len random octets, return 0; NULL: RAND_bytes().
	 * For the RAND of the retransmission timers; the tests pass a
	 * deterministic one.  Nonces always come from RAND_bytes().
	 */
	int		(*random)(void *arg, void *buf, size_t len);
	void		*random_arg;
	uint64_t	(*wall_clock)(void *arg); /* NULL: time(NULL) */
	void		*clock_arg;
	pac_log_fn	 log;		/* NULL: silent */
	void		*log_arg;
};

enum pac_state {
	PAC_ST_INIT,		/* nothing sent yet */
	PAC_ST_START,		/* PCI sent, waiting for PAR(S) */
	PAC_ST_AUTH,		/* EAP running, no session key yet */
	PAC_ST_OPEN,		/* authenticated */
	PAC_ST_REAUTH,		/* re-authenticating; the old key still holds */
	PAC_ST_CLOSING,		/* PTR sent */
	PAC_ST_CLOSED,		/* terminated (PTA received or PTR answered) */
	PAC_ST_REJECTED,	/* the PAA said PANA_AUTHENTICATION_REJECTED */
	PAC_ST_FAILED		/* gave up; see pac_error() */
};

/* Events, or-ed into a mask that pac_events() returns and clears. */
#define PAC_EV_AUTHENTICATED	0x01	/* new keys and records */
#define PAC_EV_PING_DONE	0x02	/* PNA(P) received */
#define PAC_EV_TERMINATED	0x04	/* state became CLOSED */

/* One Key Record of the last PAR(C), opened (ok) or not (err). */
struct pac_record {
	uint8_t			 raw[GKEY_RECORD_MAX_LEN];
	size_t			 raw_len;
	struct gkey_record	 hdr;	/* valid when ok; points into raw */
	uint8_t			 gk[GKEY_GK_MAX];
	size_t			 gk_len;
	int			 ok;
	char			 err[PAC_ERRLEN];
};

struct pac;

/* NULL with a reason in err (bad configuration, out of memory). */
struct pac	*pac_new(const struct pac_cfg *cfg, char *err, size_t errlen);
void		 pac_free(struct pac *);

/* Send the PCI.  0, or -1 (wrong state, or the EAP method's begin). */
int		 pac_start(struct pac *, uint64_t now_ms);

/* Handle one datagram from the PAA.  Never fails: drops are logged. */
void		 pac_input(struct pac *, const uint8_t *buf, size_t len,
		    uint64_t now_ms);

/* Milliseconds until pac_timeout() must run, or -1 for no timer. */
int64_t		 pac_next_timeout(const struct pac *, uint64_t now_ms);

/* Run the timers: retransmission, giving up, session expiry. */
void		 pac_timeout(struct pac *, uint64_t now_ms);

/*
 * The next datagram to send: returns 1 and copies it into buf (size
 * octets; PAC_OUT_MAX is always enough), 0 if there is none.
 */
int		 pac_output(struct pac *, uint8_t *buf, size_t size,
		    size_t *len);

/*
 * Requests of an open session.  Each returns 0, or -1 if the session is
 * not open or a request of the PaC's is already outstanding.
 * pac_reauth: PNR(A), then EAP again.  pac_ping: PNR(P).
 * pac_terminate: PTR with Termination-Cause LOGOUT.
 */
int		 pac_reauth(struct pac *, uint64_t now_ms);
int		 pac_ping(struct pac *, uint64_t now_ms);
int		 pac_terminate(struct pac *, uint64_t now_ms);

enum pac_state	 pac_state(const struct pac *);
const char	*pac_state_name(enum pac_state);
unsigned int	 pac_events(struct pac *);

/* Why the session failed or was rejected ("" if it did not). */
const char	*pac_error(const struct pac *);

/*
 * Failure detail for pana-pac's exit code: 1 when the PaC's own EAP
 * method failed (e.g. the TLS handshake: bad server certificate), 0 when
 * the PAA or the server ended it.
 */
int		 pac_local_eap_failure(const struct pac *);

/* Session figures of the last successful (re-)authentication. */
uint32_t	 pac_session_id(const struct pac *);
uint32_t	 pac_key_id(const struct pac *);
uint32_t	 pac_session_lifetime(const struct pac *); /* s; 0: none */
uint64_t	 pac_auth_time(const struct pac *);	/* now_ms of PAN(C) */
uint32_t	 pac_prf_alg(const struct pac *);
uint32_t	 pac_integ_alg(const struct pac *);

/* Records of the last successful (re-)authentication. */
size_t			 pac_record_count(const struct pac *);
const struct pac_record	*pac_record(const struct pac *, size_t i);

#endif /* GKEY_PAC_H */
