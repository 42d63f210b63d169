/*
 * ard_radius.h - gkey-ard's RADIUS client: Authorize-Only Access-Requests
 * (doc/radius.md section 4) over FreeRADIUS's libfreeradius-radius 3.2.1.
 *
 * Event-driven and single-threaded like pana-relayd's client: the daemon
 * polls ard_radius_fd(), calls ard_radius_read() when it is readable and
 * ard_radius_timeout() when ard_radius_next_timeout() says so.  Each
 * request ends in exactly one callback: Accept, Reject or Timeout (no
 * server answered).  libfreeradius is not thread-safe: one thread.
 *
 * One UDP socket, so at most 256 requests are outstanding (8-bit
 * Identifier); the daemon bounds that further (max-pending).  A request
 * is resent unchanged every timeout_ms, retries times, then rebuilt for
 * the next server (new authenticator, that server's secret); the server
 * that answered last is tried first next time.  A reply is matched by
 * Identifier and server address, then verified against the request as
 * sent (Response Authenticator, and Message-Authenticator when present:
 * FreeRADIUS 3.2.1 does not add one to non-EAP replies).
 *
 * Attributes are found by name in the loaded dictionaries
 * (GKey-Certificate, GKey-Requested-App, GKey-Key-Record), so the vendor
 * number is the dictionary's.  Secrets are copied, wiped on free and
 * never logged.
 */
#ifndef GKEY_ARD_RADIUS_H
#define GKEY_ARD_RADIUS_H

#include <stddef.h>
#include <stdint.h>

#define ARD_RADIUS_MAX_SERVERS	2
#define ARD_RADIUS_MAX_RECORDS	24
#define ARD_RADIUS_MAX_APPS	32
#define ARD_RADIUS_ERRLEN	256

struct ard_radius_server_cfg {
	const char	*host;		/* numeric IPv4 or IPv6 */
	uint16_t	 port;		/* 0: 1812 */
	const char	*secret;
};

enum ard_outcome {
	ARD_ACCEPT,
	ARD_REJECT,
	ARD_TIMEOUT
};

struct ard_radius_result {
	enum ard_outcome	 outcome;
	const char		*server;	/* "addr:port", or NULL */
	const uint8_t		*records[ARD_RADIUS_MAX_RECORDS];
	size_t			 record_len[ARD_RADIUS_MAX_RECORDS];
	size_t			 n_records;
	size_t			 records_dropped;
	int			 has_session_timeout;
	uint32_t		 session_timeout;
	const char		*reply_message;	/* NULL if none */
};

/* Called once per request; result is valid only during the call. */
typedef void (*ard_radius_cb)(void *arg, const struct ard_radius_result *);

struct ard_radius_cfg {
	struct ard_radius_server_cfg server[ARD_RADIUS_MAX_SERVERS];
	size_t		 nservers;
	unsigned int	 timeout_ms;	/* per try; 0: 3000 */
	unsigned int	 retries;	/* resends per server */
	const char	*nas_identifier;
	ard_radius_cb	 cb;
};

/* What one Access-Request asks (doc/nd.md 1.2). */
struct ard_request {
	const uint8_t	*cert;		/* node certificate DER as received */
	size_t		 cert_len;
	/*
	 * Or, for a push (doc/coa.md section 5): no certificate, its
	 * SHA-256 as GKey-Cert-SHA256, and the CoA-Request's State echoed.
	 */
	const uint8_t	*cert_sha256;	/* 32 octets, or NULL */
	const uint8_t	*state;		/* or NULL */
	size_t		 state_len;	/* 1..253 */
	const uint8_t	*apps[ARD_RADIUS_MAX_APPS];
	size_t		 app_len[ARD_RADIUS_MAX_APPS];
	size_t		 n_apps;
	const char	*nas_port_id;		/* the interface */
	const char	*calling_station_id;	/* RFC 5952 RS source */
	void		*arg;			/* for the callback */
};

struct ard_radius;

/*
 * Once per process: library magic, dictdir/"dictionary", then dict_file,
 * and the four GKey attributes.  0, or -1 with a reason.
 */
int	ard_radius_init(const char *dictdir, const char *dict_file,
	    char *err, size_t errlen);

struct ard_radius *ard_radius_new(const struct ard_radius_cfg *,
	    char *err, size_t errlen);
void	ard_radius_free(struct ard_radius *);
int	ard_radius_fd(const struct ard_radius *);

/*
 * Sends a new Access-Request.  Copies everything it needs.  Returns a
 * handle >= 0 for ard_radius_cancel(), or -1 with a reason in
 * ard_radius_error() (all identifiers in use, bad argument).
 */
int	ard_radius_send(struct ard_radius *, const struct ard_request *,
	    uint64_t now_ms);
/* Forgets a request: no callback will come for it. */
void	ard_radius_cancel(struct ard_radius *, int handle);

/* 1 if a request completed, 0 nothing to read, -1 a datagram dropped. */
int	ard_radius_read(struct ard_radius *);
/* Retransmits, fails over, reports timeouts; returns how many timed out. */
int	ard_radius_timeout(struct ard_radius *, uint64_t now_ms);
/* Milliseconds until ard_radius_timeout() has work; -1 if never. */
int	ard_radius_next_timeout(const struct ard_radius *, uint64_t now_ms);
unsigned int ard_radius_outstanding(const struct ard_radius *);

/* What the client has done since ard_radius_new(). */
struct ard_radius_stats {
	uint64_t	requests;	/* new Access-Requests */
	uint64_t	retransmits;	/* the same packet again */
	uint64_t	failovers;	/* a request moved to the next server */
	uint64_t	round_trips;	/* replies verified and delivered */
	uint64_t	timeouts;	/* requests no server answered */
};
const struct ard_radius_stats *ard_radius_stats(const struct ard_radius *);
const char *ard_radius_error(const struct ard_radius *);

#endif /* GKEY_ARD_RADIUS_H */
