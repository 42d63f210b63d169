/*
 * gkey_db.h	rlm_gkey's PostgreSQL access.
 *
 * Every query calls one of the module-facing SQL functions of
 * sql/migrations (one round trip each, doc/sql.md) as a statement
 * prepared once per connection (PQprepare, PQexecPrepared); values
 * only ever travel as parameters. Connections come from FreeRADIUS's
 * connection pool: gkey_db_conn_create() is its create callback.
 *
 * A query whose connection turns out broken (SQLSTATE class 08 or 57P,
 * 25006 on a server that turned read-only, or a dead link) is run once
 * more on a connection the pool reopens (fr_connection_reconnect());
 * a second failure is final. A new connection to a read-only server (a
 * standby) is refused. A statement that succeeds with a WARNING fails
 * (a cancelled wait for the synchronous standby ends so). Failures are
 * logged against the request at ERROR level, with the SQLSTATE and
 * libpq's message: no parameter is secret (key material travels sealed
 * under the KEK), and the connection string is never logged.
 *
 * Return codes of the query functions:
 *	GKEY_DB_OK		the query ran (results filled in)
 *	GKEY_DB_NOTFOUND	the query ran and found nothing
 *	GKEY_DB_ERROR		any failure (logged)
 *
 * Include after <freeradius/radiusd.h>.
 */
#ifndef GKEY_DB_H
#define GKEY_DB_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <libpq-fe.h>
#include <talloc.h>

typedef enum {
	GKEY_DB_OK = 0,
	GKEY_DB_NOTFOUND,
	GKEY_DB_ERROR
} gkey_db_rcode_t;

typedef struct gkey_db_conn {
	PGconn		*pg;
	bool		warned;		/* a WARNING came with the last statement */
	char		warning[256];	/* its primary message */
} gkey_db_conn_t;

/*
 * What a query runs with: the pool its connection came from, the request
 * it is for (errors are logged against it) and the connection. A query
 * that reconnects replaces conn; conn is NULL once reconnecting failed,
 * and the pool has then closed the old one: nothing is left to release.
 */
typedef struct gkey_db {
	fr_connection_pool_t	*pool;
	REQUEST			*request;
	gkey_db_conn_t		*conn;
} gkey_db_t;

/* One row of gkey.identity_by_*(); strings and spki are talloc children. */
typedef struct gkey_identity {
	int64_t		id;
	char		*status;
	char		*status_reason;
	time_t		not_before;
	time_t		not_after;
	uint8_t		*spki;
	size_t		spki_len;
	char		*kind;
} gkey_identity_t;

/* One row of gkey.issue_keys(); material is NULL until filled. */
typedef struct gkey_epoch {
	uint32_t	app_id;
	char		*app_name;
	char		*gk_alg;
	uint32_t	epoch;
	time_t		not_before;
	time_t		not_after;
	uint8_t		*material;
	size_t		material_len;
} gkey_epoch_t;

/* What the issuance log records of one decision. */
typedef struct gkey_log_entry {
	int64_t		identity;	/* 0: unknown */
	uint8_t const	*fingerprint;	/* 32 octets or NULL */
	uint32_t	app_id;		/* 0 with epoch 0: no application */
	uint32_t	epoch;
	char const	*nas;
	char const	*calling;
	char const	*flow;		/* "radius" or "eap" */
	char const	*result;	/* "issued", "refused" or "failed" */
	char const	*reason;
} gkey_log_entry_t;

/*
 * Pool create callback: connects with conninfo (never logged), sets
 * statement_timeout (milliseconds) and synchronous_commit, prepares the
 * statements and checks the KEK against the database (gkey.kek_check,
 * doc/sql.md): a connection to a database whose key material is sealed
 * under another KEK is closed and never handed out, so nothing is ever
 * sealed under an unverified KEK, whether the database was reachable at
 * instantiate or only later, and after every reconnect. opaque is a
 * gkey_db_config_t; kek and kek_check are the module instance's and
 * outlive the pool.
 */
typedef struct gkey_db_config {
	char const	*conninfo;
	uint32_t	query_timeout;
	char const	*name;		/* module instance name, for logs */
	char const	*kek_file;	/* for messages */
	uint8_t const	*kek;		/* GKEY_KEK_LEN octets, to open a sample */
	uint8_t		kek_check[32];	/* HMAC-SHA256(KEK, label) */
	volatile int	kek_mismatch;	/* set once a database said "not this KEK" */
} gkey_db_config_t;

void		*gkey_db_conn_create(TALLOC_CTX *ctx, void *opaque);

/*
 * One round trip: the identity named by its certificate's fingerprint (or
 * by issuer and serial, as EAP-TLS names it) and, when it is active, the
 * epochs valid now of the applications it holds a grant for
 * (gkey.issue_keys), limited to apps when n_apps > 0. GKEY_DB_NOTFOUND:
 * no such identity. On GKEY_DB_OK *id is filled and *out is a talloc
 * array of *count epochs (possibly none).
 */
gkey_db_rcode_t	gkey_db_lookup_by_fingerprint(TALLOC_CTX *ctx, gkey_db_t *db, uint8_t const fp[32],
					      char const * const *apps, size_t n_apps,
					      gkey_identity_t *id, gkey_epoch_t **out, size_t *count);
gkey_db_rcode_t	gkey_db_lookup_by_issuer_serial(TALLOC_CTX *ctx, gkey_db_t *db,
						char const *issuer, char const *serial,
						char const * const *apps, size_t n_apps,
						gkey_identity_t *id, gkey_epoch_t **out, size_t *count);

/* The identity alone, by issuer and serial. */
gkey_db_rcode_t	gkey_db_identity_by_issuer_serial(TALLOC_CTX *ctx, gkey_db_t *db,
						  char const *issuer, char const *serial,
						  gkey_identity_t *out);

/*
 * Stores sealed material for (app, epoch) unless some server already
 * did, and returns in *stored (talloc'd) what the database now holds.
 */
gkey_db_rcode_t	gkey_db_fill_material(TALLOC_CTX *ctx, gkey_db_t *db,
				      uint32_t app_id, uint32_t epoch,
				      uint8_t const *sealed, size_t sealed_len,
				      uint8_t **stored, size_t *stored_len);

gkey_db_rcode_t	gkey_db_log(gkey_db_t *db, gkey_log_entry_t const *e);

#endif /* GKEY_DB_H */
