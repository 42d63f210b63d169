/*
 * radius_client.h - the PAA's RADIUS side: EAP relayed to a RADIUS server
 * in Access-Requests, over FreeRADIUS's libfreeradius-radius 3.2.1.
 *
 * Event-driven and single-threaded: the daemon owns the poll() loop.  It
 * polls radius_client_fd() for input and calls radius_client_read() when
 * it is readable, and calls radius_client_timeout() when the deadline
 * from radius_client_next_timeout() has passed.  Outcomes (a reply, or
 * no answer from any server) are delivered through the callback in the
 * configuration.  libfreeradius is not thread-safe (fr_rand's pool, the
 * dictionaries): keep every call on one thread.
 *
 * One UDP socket carries every request, so at most 256 requests can be
 * outstanding at once (the RADIUS Identifier is 8 bits);
 * radius_client_send() says so when they are all in use.  A reply is
 * matched to its request by Identifier and by the address of the server
 * it was sent to, then verified (Message-Authenticator required, Response
 * Authenticator) against the request as sent.
 *
 * Retransmission and fail-over: a request is resent unchanged every
 * timeout_ms, retries times, then rebuilt for the next configured server
 * (new authenticator, that server's secret); the server that answered
 * last is used first for later requests.  An EAP conversation that moves
 * to another server in the middle fails there (State is server-local);
 * the peer then starts again.
 *
 * Memory: radius_client_free() frees the client and every session still
 * attached.  A session's result (EAP message, records, Reply-Message,
 * MSK) stays valid until the next radius_client_send() on that session or
 * radius_session_free(), which wipe the MSK (OPENSSL_cleanse).  Secrets
 * are copied, wiped on free, and never logged.
 */
#ifndef GKEY_RADIUS_CLIENT_H
#define GKEY_RADIUS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#define RADIUS_CLIENT_MAX_SERVERS	2
#define RADIUS_CLIENT_MAX_RECORDS	16
#define RADIUS_CLIENT_MSK_LEN		64
#define RADIUS_CLIENT_ERRLEN		256
/* Longest EAP packet relayed: the rest of a 4096-octet packet is ours. */
#define RADIUS_CLIENT_EAP_MAX		2800

/* Vendor attributes of raddb/dictionary.gkey. */
#define GKEY_VENDOR_ID			32473
#define GKEY_ATTR_KEY_RECORD		1

struct radius_server_cfg {
	const char	*host;		/* numeric IPv4 or IPv6 address */
	uint16_t	 port;		/* 0: 1812 */
	const char	*secret;
};

enum radius_outcome {
	RADIUS_CHALLENGE,	/* eap holds the next EAP-Request */
	RADIUS_ACCEPT,		/* eap (Success), msk, records, timeout */
	RADIUS_REJECT,		/* eap (Failure) and reply_message if sent */
	RADIUS_TIMEOUT		/* no server answered */
};

struct radius_result {
	enum radius_outcome	 outcome;
	const char		*server;	/* "addr:port" that answered */
	const uint8_t		*eap;		/* joined EAP-Message, or NULL */
	size_t			 eap_len;
	int			 has_msk;	/* Recv-Key||Send-Key, 32+32 */
	uint8_t			 msk[RADIUS_CLIENT_MSK_LEN];
	int			 has_session_timeout;
	uint32_t		 session_timeout;
	const uint8_t		*records[RADIUS_CLIENT_MAX_RECORDS];
	size_t			 record_len[RADIUS_CLIENT_MAX_RECORDS];
	size_t			 nrecords;
	size_t			 records_dropped; /* beyond the maximum */
	const char		*reply_message;	/* NULL if none */
};

struct radius_client;
struct radius_session;

/*
 * Called once per radius_client_send(): with the reply, or with
 * RADIUS_TIMEOUT.  The callback may send again on the session or free it.
 */
typedef void (*radius_result_cb)(struct radius_session *,
    const struct radius_result *, void *arg);

struct radius_client_cfg {
	struct radius_server_cfg server[RADIUS_CLIENT_MAX_SERVERS];
	size_t		 nservers;	/* 1 or 2; same address family */
	unsigned int	 timeout_ms;	/* per try; 0: 3000 */
	unsigned int	 retries;	/* resends per server after the first */
	const char	*nas_identifier; /* required */
	uint32_t	 framed_mtu;	/* 0: no Framed-MTU */
	uint32_t	 service_type;	/* 2 Framed-User or 1 Login-User; 0: 2 */
	radius_result_cb cb;
};

/*
 * Once per process, before anything else: checks the library matches the
 * headers, loads dictdir/"dictionary" (e.g. /usr/share/freeradius) and
 * then dict_file (path of raddb/dictionary.gkey), and checks that
 * GKey-Key-Record is defined.  0, or -1 with a reason in err.
 */
int	radius_client_init(const char *dictdir, const char *dict_file,
	    char *err, size_t errlen);

struct radius_client *radius_client_new(const struct radius_client_cfg *,
	    char *err, size_t errlen);
void	radius_client_free(struct radius_client *);
int	radius_client_fd(const struct radius_client *);

/*
 * A session per PaC.  calling_station_id (e.g. the PaC's address, for the
 * audit log) may be NULL; arg is handed to the callback.
 */
struct radius_session *radius_session_new(struct radius_client *,
	    const char *calling_station_id, void *arg);
/* Cancels an outstanding request (no callback) and wipes the session. */
void	radius_session_free(struct radius_session *);
/*
 * User-Name; by default it is taken from the first EAP-Response/Identity
 * sent.  0, or -1 if name is empty or longer than 253 octets.
 */
int	radius_session_set_user_name(struct radius_session *, const char *);

/*
 * Sends eap (an EAP-Response from the PaC) in a new Access-Request with
 * the State of the last challenge.  now is gkey_now_ms().  0, or -1
 * with a reason in radius_client_error(): a request already outstanding,
 * not an EAP-Response whose Length field equals len, EAP too long, no
 * User-Name yet, or all 256 identifiers in use.
 */
int	radius_client_send(struct radius_session *, const uint8_t *eap,
	    size_t len, uint64_t now);

/*
 * Reads one datagram.  Returns 1 if it completed a request (the callback
 * ran), 0 if there was nothing to read, -1 if a datagram was dropped
 * (unknown Identifier or source, bad authenticator, undecodable): the
 * reason is in radius_client_error(), for a rate-limited warning.
 */
int	radius_client_read(struct radius_client *);

/*
 * Retransmits, fails over, and reports RADIUS_TIMEOUT for requests whose
 * last server gave up.  Returns how many requests timed out for good.
 */
int	radius_client_timeout(struct radius_client *, uint64_t now);

/* Milliseconds until radius_client_timeout() has work; -1 if never. */
int	radius_client_next_timeout(const struct radius_client *, uint64_t now);

const char *radius_client_error(const struct radius_client *);

/*
 * New servers, secrets, timeout, retries, NAS-Identifier and Framed-MTU,
 * for pana-relayd's reload; cfg->cb and cfg->service_type are ignored.
 * The servers must keep the address family of the socket.  A request in
 * flight to a server still configured with the same secret goes on; one
 * whose server is gone or has a new secret is sent afresh to the first
 * server (its EAP conversation may then fail there, as on fail-over).
 * 0, or -1 with a reason in err and nothing changed.
 */
int	radius_client_reconfigure(struct radius_client *,
	    const struct radius_client_cfg *, char *err, size_t errlen);

#endif /* GKEY_RADIUS_CLIENT_H */
