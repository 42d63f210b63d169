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

#include <pthread.h>

#include <libpq-fe.h>
#include <talloc.h>

#include "gkey_logq.h"

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
 * it is for (errors are logged against it) and the connection. conn
 * starts NULL: the first query takes one from the pool, and the caller
 * releases it if it is set at the end. A query that reconnects replaces
 * conn; conn is NULL once reconnecting failed, and the pool has then
 * closed the old one: nothing is left to release (a later query would
 * take another).
 */
typedef struct gkey_db {
	fr_connection_pool_t	*pool;
	REQUEST			*request;
	gkey_db_conn_t		*conn;
	char			sqlstate[6];	/* of the last failed statement, or "" */
} gkey_db_t;

/*
 * The KEKs a server holds: kek_file's and, when configured,
 * kek_next_file's, with their check values. cur is the one the database's
 * check value names: material is sealed and opened under it. It moves to
 * the other only when the database's check value is the other's (an
 * online rotation, gkey-rekek --online), under the mutex; both keys stay
 * loaded until detach, so a request that read the old one still holds
 * valid bytes (it copies them, gkey_keks_get).
 */
typedef struct gkey_keks {
	pthread_mutex_t	mutex;
	int		n;		/* 1, or 2 with kek_next_file */
	int		cur;		/* 0 or 1 */
	uint8_t		kek[2][32];
	uint8_t		check[2][32];
	char const	*file[2];	/* kek_file, kek_next_file */
} gkey_keks_t;

/* Copies the current KEK and its check value (wipe kek after use). */
void		gkey_keks_get(gkey_keks_t *k, uint8_t kek[32], uint8_t check[32]);

/* Copies the KEK that is not current (n == 2 only; wipe it after use). */
void		gkey_keks_get_other(gkey_keks_t *k, uint8_t kek[32]);

/*
 * Whether db_check (n octets) is the check value of a KEK we hold; when
 * it is the other one's, it becomes current (logged once). name: the
 * module instance's.
 */
bool		gkey_keks_adopt(gkey_keks_t *k, char const *name, uint8_t const *db_check, size_t n);

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

/* What the issuance log records of one decision: gkey_log_entry_t, gkey_logq.h. */

/*
 * Pool create callback: connects with conninfo (never logged), sets
 * statement_timeout (milliseconds) and synchronous_commit, prepares the
 * statements and checks the KEK against the database (gkey.kek_check,
 * doc/sql.md): a connection to a database whose key material is sealed
 * under another KEK is closed and never handed out, so nothing is ever
 * sealed under an unverified KEK, whether the database was reachable at
 * instantiate or only later, and after every reconnect. opaque is a
 * gkey_db_config_t; keks is the module instance's and
 * outlive the pool.
 */
typedef struct gkey_db_config {
	char const	*conninfo;
	uint32_t	query_timeout;
	char const	*name;		/* module instance name, for logs */
	gkey_keks_t	*keks;		/* the instance's */
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

/*
 * The same lookups for the view (gkey_view.h): always every application,
 * and *stable_until, the instant until which the answer cannot change by
 * time alone (gkey.view_stable_until, doc/sql.md section 5.7; 0 when the
 * database named none), in the same round trip.
 */
gkey_db_rcode_t	gkey_db_view_lookup_by_fingerprint(TALLOC_CTX *ctx, gkey_db_t *db, uint8_t const fp[32],
						   gkey_identity_t *id, gkey_epoch_t **out, size_t *count,
						   time_t *stable_until);
gkey_db_rcode_t	gkey_db_view_lookup_by_issuer_serial(TALLOC_CTX *ctx, gkey_db_t *db,
						     char const *issuer, char const *serial,
						     gkey_identity_t *id, gkey_epoch_t **out, size_t *count,
						     time_t *stable_until);

/* The identity alone, by issuer and serial. */
gkey_db_rcode_t	gkey_db_identity_by_issuer_serial(TALLOC_CTX *ctx, gkey_db_t *db,
						  char const *issuer, char const *serial,
						  gkey_identity_t *out);

/*
 * Stores sealed material for (app, epoch) unless some server already
 * did, and returns in *stored (talloc'd) what the database now holds.
 * kek_check is that of the KEK sealed is sealed under: unless it is the
 * database's, nothing is stored (GKEY_DB_ERROR, gkey_db_kek_stale()).
 */
gkey_db_rcode_t	gkey_db_fill_material(TALLOC_CTX *ctx, gkey_db_t *db,
				      uint32_t app_id, uint32_t epoch,
				      uint8_t const *sealed, size_t sealed_len, uint8_t const kek_check[32],
				      uint8_t **stored, size_t *stored_len);

gkey_db_rcode_t	gkey_db_log(gkey_db_t *db, gkey_log_entry_t const *e);

/*
 * The issuance log writer's database side (gkey_logq.h): its own
 * connection, made as the pool's are (conninfo, statement_timeout,
 * synchronous_commit, a read-only server refused) but preparing only
 * gkey.log_issuance_batch and checking no KEK (the log holds no key
 * material). gkey_db_log_batch is a gkey_logq_write_t whose arg is a
 * gkey_db_log_writer_t: one statement and one commit per batch, a
 * WARNING at commit a failure as for every statement; it (re)connects
 * when it has no connection, and a connection it found broken is
 * replaced and the batch run once more. Only the writer thread uses
 * conn; gkey_db_log_writer_close() after the writer has stopped.
 */
typedef struct gkey_db_log_writer {
	gkey_db_config_t	*cfg;
	gkey_db_conn_t		*conn;	/* NULL: connect at the next batch */
} gkey_db_log_writer_t;

int		gkey_db_log_batch(void *arg, gkey_log_entry_t const * const *rows, size_t n,
				  char *err, size_t err_len);
void		gkey_db_log_writer_close(gkey_db_log_writer_t *w);

/*
 * Whether the server takes no writes in this session (a hot standby, or
 * default_transaction_read_only on), from what it reports to libpq: no
 * round trip. The view's listener leaves such a server too (gkey_listen.c).
 */
bool		gkey_db_session_read_only(PGconn *pg);

/*
 * After fill_material refused a stale check value (gkey_db_kek_stale), or
 * stored material did not open: reads the database's check value and
 * adopts it if it is the other KEK's (gkey_keks_adopt). Returns 1 when
 * the current KEK is now another than the one whose check value is used
 * (the caller's, which failed), 0 when not, -1 on error (logged).
 */
int		gkey_db_kek_refresh(gkey_db_t *db, gkey_keks_t *k, char const *name, uint8_t const used[32]);

/* Whether the last failure was fill_material refusing our check value (GK001). */
bool		gkey_db_kek_stale(gkey_db_t const *db);

#endif /* GKEY_DB_H */
