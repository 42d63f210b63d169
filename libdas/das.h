/*
 * das.h - the Dynamic Authorization Server (RFC 5176) of gkey's NASs:
 * gkey-ard and pana-relayd take the key server's CoA-Request "re-authorize
 * this node" (doc/coa.md, the contract of doc/push.md) and answer it.
 *
 * No sockets here: the daemon reads a datagram and hands it to
 * das_input() with its source address and the wall clock; the verdict
 * says what to do: discard it (a reason for a rate-limited log line),
 * send the answer das_input() built, or act on the parsed request and
 * then send what das_answer() builds.  The packet work (decoding, the
 * Request Authenticator, Message-Authenticator, the Response
 * Authenticator) is libfreeradius-radius 3.2's; the dictionaries must be
 * loaded (dict_init, and dictionary.gkey for the GKey attributes) before
 * das_new().  libfreeradius is not thread-safe: one thread.
 *
 * Memory: struct das owns copies of the client secrets and wipes them in
 * das_free().  Secrets never appear in a reason or an error.
 */
#ifndef GKEY_DAS_H
#define GKEY_DAS_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define DAS_PORT		3799
#define DAS_WINDOW		300	/* seconds, Event-Timestamp */
#define DAS_CLIENTS_MAX		4
#define DAS_SECRET_MAX		128
#define DAS_CACHE_SIZE		1024	/* default duplicate cache entries */
#define DAS_MAX_APPS		32	/* doc/radius.md section 4 */
#define DAS_APP_MAX		64	/* octets of one application name */
#define DAS_STATE_MAX		253
#define DAS_CSID_MAX		253
#define DAS_ANSWER_MAX		128	/* octets of an answer datagram */
#define DAS_ERRLEN		256

/* RADIUS codes (RFC 5176 section 3). */
#define DAS_CODE_DISCONNECT_REQUEST	40
#define DAS_CODE_DISCONNECT_NAK		42
#define DAS_CODE_COA_REQUEST		43
#define DAS_CODE_COA_NAK		45

/* Error-Cause values (RFC 5176 section 3.6) this DAS sends. */
#define DAS_EC_UNSUPPORTED_ATTRIBUTE	401
#define DAS_EC_MISSING_ATTRIBUTE	402
#define DAS_EC_NAS_ID_MISMATCH		403
#define DAS_EC_INVALID_REQUEST		404
#define DAS_EC_UNSUPPORTED_SERVICE	405
#define DAS_EC_UNSUPPORTED_EXTENSION	406
#define DAS_EC_SESSION_NOT_FOUND	503
#define DAS_EC_RESOURCES_UNAVAILABLE	506
#define DAS_EC_REQUEST_INITIATED	507

/* One Dynamic Authorization Client: the key server's push sender. */
struct das_client_cfg {
	struct sockaddr_storage	 addr;		/* the port is ignored */
	const char		*secret;	/* 1..DAS_SECRET_MAX octets */
};

struct das_config {
	struct das_client_cfg	 client[DAS_CLIENTS_MAX];
	size_t			 n_clients;
	unsigned int		 window;	/* s; 0: DAS_WINDOW */
	const char		*nas_identifier; /* ours, for 403 */
	int			 require_cert;	/* ARs: GKey-Cert-SHA256 */
	size_t			 cache_size;	/* 0: DAS_CACHE_SIZE */
};

enum das_verdict {
	DAS_DISCARD = 0,	/* nothing to send; reason says why */
	DAS_ANSWER,		/* send answer[0..answer_len) to the source */
	DAS_ACT			/* act on req, then das_answer() */
};

/* A CoA-Request that passed every check (doc/coa.md section 4). */
struct das_request {
	uint32_t	 event_timestamp;
	uint8_t		 state[DAS_STATE_MAX];
	size_t		 state_len;
	char		 calling_station_id[DAS_CSID_MAX + 1];	/* text */
	int		 has_cert;
	uint8_t		 cert_sha256[32];
	char		 app[DAS_MAX_APPS][DAS_APP_MAX + 1];	/* UTF-8 */
	size_t		 n_apps;
};

struct das_result {
	enum das_verdict verdict;
	const char	*reason;	/* discard, answer: one line, no secret */
	char		 client[64];	/* the source, for log lines */
	int		 duplicate;	/* the answer is the cached one */
	uint32_t	 error_cause;	/* DAS_ANSWER: the one sent */
	uint8_t		 answer[DAS_ANSWER_MAX];
	size_t		 answer_len;
	struct das_request req;		/* DAS_ACT */
	/* For das_answer(): which request this is. */
	size_t		 slot;
	size_t		 client_idx;
	uint8_t		 id;
	uint8_t		 vector[16];
};

/* What the DAS has seen since das_new(). */
struct das_stats {
	uint64_t	rx;
	uint64_t	discarded;	/* every reason */
	uint64_t	unknown_client;
	uint64_t	bad_authenticator;
	uint64_t	outside_window;
	uint64_t	duplicates;
	uint64_t	naks;		/* answers other than 507 */
	uint64_t	acted;
};

struct das;

struct das	*das_new(const struct das_config *, char *err, size_t errlen);
void		 das_free(struct das *);

/*
 * One datagram pkt[0..len) from from, at now_s (seconds since 1970, the
 * clock Event-Timestamp is compared with).  Fills *res; returns its
 * verdict.  Checks, in order (doc/coa.md section 3): the client address,
 * the packet's form with Message-Authenticator required, the code, the
 * Request Authenticator and Message-Authenticator under the client's
 * secret, the Event-Timestamp window, the duplicate cache, then the
 * attributes.
 */
enum das_verdict das_input(struct das *, const uint8_t *pkt, size_t len,
	    const struct sockaddr_storage *from, uint64_t now_s,
	    struct das_result *res);

/*
 * The answer to a DAS_ACT request: a CoA-NAK with Service-Type
 * Authorize-Only and error_cause (507 when the daemon started the
 * re-authorization, 503 when it knows no such node, 506 when it cannot),
 * into res->answer, and remembered for duplicates.  0, or -1 when it
 * cannot be built (then nothing is sent and a duplicate is acted on
 * again).
 */
int	das_answer(struct das *, struct das_result *res, uint32_t error_cause);

const struct das_stats *das_stats(const struct das *);

#endif /* GKEY_DAS_H */
