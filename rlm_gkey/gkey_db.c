/*
 * gkey_db.c	rlm_gkey's PostgreSQL access (see gkey_db.h).
 */
#include <freeradius/build.h>
RCSID("$Id$")
#include <freeradius/radiusd.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "gkey_db.h"
#include "gkseal.h"

#define APPS_MAX 32

/*
 *	Times travel as whole seconds, rounded down: a not_before rounded
 *	up would make a fresh key "not yet valid" for a moment.
 */
#define IDENTITY_COLUMNS \
	"i.identity_id, i.status, i.status_reason, " \
	"floor(extract(epoch from i.not_before))::bigint, floor(extract(epoch from i.not_after))::bigint, " \
	"i.spki, i.kind"
#define N_IDENTITY_COLUMNS 7
#define EPOCH_COLUMNS \
	"k.app_id, k.app_name, k.gk_alg, k.epoch, " \
	"floor(extract(epoch from k.not_before))::bigint, floor(extract(epoch from k.not_after))::bigint, " \
	"k.material"
#define N_EPOCH_COLUMNS 7
#define LOOKUP_COLUMNS IDENTITY_COLUMNS ", " EPOCH_COLUMNS

/*
 *	Every query the module runs, prepared once per connection so the
 *	server parses and plans each only once.
 */
typedef enum {
	STMT_LOOKUP_BY_FP = 0,
	STMT_LOOKUP_BY_ISSUER_SERIAL,
	STMT_IDENTITY_BY_ISSUER_SERIAL,
	STMT_FILL_MATERIAL,
	STMT_LOG,
	STMT_KEK_CHECK,
	/* The view's lookups (gkey_view.h): every application, and until when. */
	STMT_VIEW_LOOKUP_BY_FP,
	STMT_VIEW_LOOKUP_BY_ISSUER_SERIAL,
	STMT_COUNT
} stmt_t;

static const struct {
	char const	*name;
	char const	*sql;
	int		nparams;
} stmts[STMT_COUNT] = {
	[STMT_LOOKUP_BY_FP] = { "gkey_lookup_by_fp",
		"SELECT " LOOKUP_COLUMNS " FROM gkey.identity_by_fingerprint($1::bytea) i "
		"LEFT JOIN LATERAL gkey.issue_keys(i.identity_id, $2::text[]) k ON true "
		"ORDER BY k.app_id, k.epoch", 2 },
	[STMT_LOOKUP_BY_ISSUER_SERIAL] = { "gkey_lookup_by_issuer_serial",
		"SELECT " LOOKUP_COLUMNS " FROM gkey.identity_by_issuer_serial($1::text, $2::text) i "
		"LEFT JOIN LATERAL gkey.issue_keys(i.identity_id, $3::text[]) k ON true "
		"ORDER BY k.app_id, k.epoch", 3 },
	[STMT_IDENTITY_BY_ISSUER_SERIAL] = { "gkey_identity_by_issuer_serial",
		"SELECT " IDENTITY_COLUMNS " FROM gkey.identity_by_issuer_serial($1::text, $2::text) i", 2 },
	[STMT_FILL_MATERIAL] = { "gkey_fill_material",
		"SELECT gkey.fill_material($1::bigint, $2::integer, $3::bytea, $4::bytea)", 4 },
	[STMT_LOG] = { "gkey_log",
		"SELECT gkey.log_issuance($1::bigint, $2::bytea, $3::bigint, $4::integer, "
		"$5::text, $6::text, $7::text, $8::text, $9::text)", 9 },
	[STMT_KEK_CHECK] = { "gkey_kek_check",
		"SELECT c.check_value, c.app_id, c.epoch, c.material "
		"FROM gkey.kek_check($1::bytea, $2::boolean) c", 2 },
	/*
	 *	As the lookups above for every application, with one more
	 *	column: until when the answer cannot change by time alone
	 *	(gkey.view_stable_until, doc/sql.md section 5.7), rounded down,
	 *	computed once per identity (OFFSET 0 keeps the subquery from
	 *	being pulled up into every row).
	 */
	[STMT_VIEW_LOOKUP_BY_FP] = { "gkey_view_lookup_by_fp",
		"SELECT " LOOKUP_COLUMNS ", floor(extract(epoch from st.s))::bigint "
		"FROM gkey.identity_by_fingerprint($1::bytea) i "
		"CROSS JOIN LATERAL (SELECT gkey.view_stable_until(i.identity_id) AS s OFFSET 0) st "
		"LEFT JOIN LATERAL gkey.issue_keys(i.identity_id, NULL::text[]) k ON true "
		"ORDER BY k.app_id, k.epoch", 1 },
	[STMT_VIEW_LOOKUP_BY_ISSUER_SERIAL] = { "gkey_view_lookup_by_issuer_serial",
		"SELECT " LOOKUP_COLUMNS ", floor(extract(epoch from st.s))::bigint "
		"FROM gkey.identity_by_issuer_serial($1::text, $2::text) i "
		"CROSS JOIN LATERAL (SELECT gkey.view_stable_until(i.identity_id) AS s OFFSET 0) st "
		"LEFT JOIN LATERAL gkey.issue_keys(i.identity_id, NULL::text[]) k ON true "
		"ORDER BY k.app_id, k.epoch", 2 },
};

static int conn_destructor(gkey_db_conn_t *conn)
{
	if (conn->pg) PQfinish(conn->pg);
	conn->pg = NULL;
	return 0;
}

/*
 *	libpq's notices (e.g. "relation exists") stay out of the server log,
 *	but a WARNING is remembered for the statement it came with: a commit
 *	whose wait for the synchronous standby was cancelled
 *	(pg_cancel_backend) is reported as done, with only a WARNING that it
 *	may not be on the standby. None of the module's functions warns
 *	otherwise.
 */
static void notice_receive(void *arg, PGresult const *res)
{
	gkey_db_conn_t *conn = arg;
	char const *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	char const *msg;

	if (!severity || strcmp(severity, "WARNING") != 0 || conn->warned) return;
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	strlcpy(conn->warning, msg ? msg : "?", sizeof(conn->warning));
	conn->warned = true;
}

void gkey_keks_get(gkey_keks_t *k, uint8_t kek[32], uint8_t check[32])
{
	pthread_mutex_lock(&k->mutex);
	memcpy(kek, k->kek[k->cur], 32);
	memcpy(check, k->check[k->cur], 32);
	pthread_mutex_unlock(&k->mutex);
}

void gkey_keks_get_other(gkey_keks_t *k, uint8_t kek[32])
{
	pthread_mutex_lock(&k->mutex);
	memcpy(kek, k->kek[k->n > 1 ? 1 - k->cur : k->cur], 32);
	pthread_mutex_unlock(&k->mutex);
}

bool gkey_keks_adopt(gkey_keks_t *k, char const *name, uint8_t const *db_check, size_t n)
{
	bool ok = false;
	int i;

	if (!db_check || n != 32) return false;
	pthread_mutex_lock(&k->mutex);
	for (i = 0; i < k->n; i++) {
		if (CRYPTO_memcmp(db_check, k->check[i], 32) != 0) continue;
		ok = true;
		if (i != k->cur) {
			k->cur = i;
			WARN("rlm_gkey (%s): KEK switched to %s %s (check value matches the database)",
			     name, i == 0 ? "kek_file" : "kek_next_file", k->file[i]);
		}
		break;
	}
	pthread_mutex_unlock(&k->mutex);
	return ok;
}

/* One run of gkey.kek_check on a fresh connection; NULL on error (logged). */
static PGresult *kek_check_run(gkey_db_conn_t *conn, gkey_db_config_t const *cfg, uint8_t const check[32],
			       bool verified)
{
	char const *values[2] = { (char const *) check, verified ? "true" : "false" };
	int lengths[2] = { 32, 0 };
	int formats[2] = { 1, 0 };
	PGresult *res;

	res = PQexecPrepared(conn->pg, stmts[STMT_KEK_CHECK].name, 2, values, lengths, formats, 0);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 4) {
		ERROR("rlm_gkey (%s): %s failed: %s", cfg->name, stmts[STMT_KEK_CHECK].name,
		      res ? PQresultErrorMessage(res) : PQerrorMessage(conn->pg));
		PQclear(res);
		return NULL;
	}
	return res;
}

static void kek_refuse(gkey_db_config_t *cfg, char const *why)
{
	cfg->kek_mismatch = 1;
	ERROR("rlm_gkey (%s): kek_file \"%s\"%s%s%s: this KEK does not belong to this database (%s); "
	      "refusing to use the database", cfg->name, cfg->keks->file[0],
	      cfg->keks->n > 1 ? " (nor kek_next_file \"" : "", cfg->keks->n > 1 ? cfg->keks->file[1] : "",
	      cfg->keks->n > 1 ? "\")" : "", why);
}

/*
 *	Whether the database's key material is sealed under our KEK: its
 *	stored check value equals ours, or (a deployment older than the
 *	check value) one stored blob opens under our KEK, and then ours is
 *	stored. An empty deployment stores ours. Returns 0, or -1 (logged).
 */
static int kek_verify(gkey_db_conn_t *conn, gkey_db_config_t *cfg)
{
	PGresult *res;
	unsigned char *raw = NULL;
	size_t n = 0;
	int rc = -1;
	uint8_t kek[32], check[32];

	gkey_keks_get(cfg->keks, kek, check);
	res = kek_check_run(conn, cfg, check, false);
	if (!res) goto finish;

	if (PQntuples(res) == 1 && PQgetisnull(res, 0, 0) && !PQgetisnull(res, 0, 3)) {
		uint32_t app_id, epoch;
		uint8_t gk[GKEY_GKSEAL_GK_MAX];
		size_t gk_len;
		int opened;

		raw = PQunescapeBytea((unsigned char const *) PQgetvalue(res, 0, 3), &n);
		app_id = (uint32_t) strtoul(PQgetvalue(res, 0, 1), NULL, 10);
		epoch = (uint32_t) strtoul(PQgetvalue(res, 0, 2), NULL, 10);
		opened = raw && gkey_gk_open(kek, app_id, epoch, raw, n, gk, sizeof(gk), &gk_len) == 0;
		OPENSSL_cleanse(gk, sizeof(gk));
		if (!opened) {
			kek_refuse(cfg, "the database has no check value yet, and its key material "
				   "does not open under this KEK");
			goto finish;
		}
		INFO("rlm_gkey (%s): stored key material opens under kek_file \"%s\": "
		     "storing its check value", cfg->name, cfg->keks->file[cfg->keks->cur]);
		PQclear(res);
		res = kek_check_run(conn, cfg, check, true);
		if (!res) goto finish;
	}

	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		ERROR("rlm_gkey (%s): gkey.kek_check returned no check value", cfg->name);
		goto finish;
	}
	PQfreemem(raw);
	raw = PQunescapeBytea((unsigned char const *) PQgetvalue(res, 0, 0), &n);
	if (!gkey_keks_adopt(cfg->keks, cfg->name, raw, raw ? n : 0)) {
		kek_refuse(cfg, "its KEK check value differs");
		goto finish;
	}
	rc = 0;

finish:
	OPENSSL_cleanse(kek, sizeof(kek));
	PQfreemem(raw);
	PQclear(res);
	return rc;
}

/*
 *	Whether the server takes no writes in this session: a hot standby
 *	(in_hot_standby) or default_transaction_read_only on. PostgreSQL
 *	14 and later report both at start-up and whenever they change
 *	(promotion included), so this costs no round trip; an older
 *	server reports neither and counts as writable.
 */
bool gkey_db_session_read_only(PGconn *pg)
{
	char const *v;

	v = PQparameterStatus(pg, "in_hot_standby");
	if (v && strcmp(v, "on") == 0) return true;
	v = PQparameterStatus(pg, "default_transaction_read_only");
	return v && strcmp(v, "on") == 0;
}

/*
 *	A new session as every connection of the module has one, the pool's
 *	and the log writer's alike (one application_name: operators and the
 *	tests find the module's sessions by it). NULL on error (logged).
 */
static gkey_db_conn_t *conn_open(TALLOC_CTX *ctx, gkey_db_config_t const *cfg)
{
	gkey_db_conn_t *conn;
	char const *keys[] = { "dbname", "application_name", "options", NULL };
	char const *values[4];
	char options[128];

	conn = talloc_zero(ctx, gkey_db_conn_t);
	if (!conn) return NULL;
	talloc_set_destructor(conn, conn_destructor);

	/*
	 *	statement_timeout goes in the start-up packet so every
	 *	query, the first included, is bounded. JIT compilation costs
	 *	milliseconds per query and pays off only for long analytic
	 *	queries, never for these one-row lookups: off.
	 *	synchronous_commit is on whatever the cluster's default: an
	 *	Access-Accept goes out only after its issuance log rows and the
	 *	material it carries are committed durably, so a database crash
	 *	can lose neither the audit row nor a GK some node already holds.
	 */
	snprintf(options, sizeof(options), "-c statement_timeout=%" PRIu32 " -c jit=off -c synchronous_commit=on",
		 cfg->query_timeout);
	values[0] = cfg->conninfo;	/* expanded as a connection string */
	values[1] = "freeradius-rlm_gkey";
	values[2] = options;
	values[3] = NULL;

	conn->pg = PQconnectdbParams(keys, values, 1);
	if (!conn->pg || PQstatus(conn->pg) != CONNECTION_OK) {
		/* The message names host and port, never the password. */
		ERROR("rlm_gkey (%s): cannot connect to PostgreSQL: %s", cfg->name,
		      conn->pg ? PQerrorMessage(conn->pg) : "out of memory");
		talloc_free(conn);
		return NULL;
	}
	PQsetNoticeReceiver(conn->pg, notice_receive, conn);

	/*
	 *	Every Access-Accept needs its issuance log row written, so a
	 *	read-only session is as useless as none: refuse it now with
	 *	the reason, rather than answer lookups and fail at the log.
	 *	libpq skips such servers itself with target_session_attrs =
	 *	read-write; this catches a conninfo without it (a single
	 *	host that is now a standby, a fail-back mistake).
	 */
	if (gkey_db_session_read_only(conn->pg)) {
		ERROR("rlm_gkey (%s): PostgreSQL at %s port %s is read-only (a standby, or "
		      "default_transaction_read_only): the module needs the primary; list every server "
		      "in conninfo with target_session_attrs=read-write", cfg->name,
		      PQhost(conn->pg), PQport(conn->pg));
		talloc_free(conn);
		return NULL;
	}
	return conn;
}

void *gkey_db_conn_create(TALLOC_CTX *ctx, void *opaque)
{
	gkey_db_config_t *cfg = opaque;
	gkey_db_conn_t *conn;
	int i;

	conn = conn_open(ctx, cfg);
	if (!conn) return NULL;

	for (i = 0; i < STMT_COUNT; i++) {
		PGresult *res;

		res = PQprepare(conn->pg, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
			/* Typically a schema that gkey-migrate has not created. */
			ERROR("rlm_gkey (%s): cannot prepare %s: %s", cfg->name, stmts[i].name,
			      res ? PQresultErrorMessage(res) : PQerrorMessage(conn->pg));
			PQclear(res);
			talloc_free(conn);
			return NULL;
		}
		PQclear(res);
	}
	if (kek_verify(conn, cfg) < 0) {
		talloc_free(conn);
		return NULL;
	}
	DEBUG2("rlm_gkey (%s): connected to PostgreSQL, KEK verified", cfg->name);
	return conn;
}

/* libpq's last message for conn, without its trailing newline. */
static char const *conn_error(gkey_db_conn_t const *conn, char *buf, size_t len)
{
	char const *msg = PQerrorMessage(conn->pg);
	size_t n;

	if (!msg || !*msg) return "unknown error";
	strlcpy(buf, msg, len);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
	return buf;
}

/*
 *	Whether a failed query found its connection broken: SQLSTATE class
 *	08 (connection exception), 57P (operator intervention, e.g. the
 *	server shutting down), no result at all, or a dead connection.
 *	25006 (read_only_sql_transaction) too: the server this connection
 *	reached no longer takes writes (fenced with
 *	default_transaction_read_only during a switch-over), so it is
 *	replaced, and a multi-host conninfo with target_session_attrs =
 *	read-write lets libpq pick the server that is the primary now.
 */
static bool conn_broken(gkey_db_conn_t const *conn, PGresult const *res)
{
	char const *state;

	if (PQstatus(conn->pg) != CONNECTION_OK) return true;
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!state) return true;
	return (strncmp(state, "08", 2) == 0) || (strncmp(state, "57P", 3) == 0) ||
	       (strcmp(state, "25006") == 0);
}

static char const *error_field(PGresult const *res, int field)
{
	char const *v = PQresultErrorField(res, field);

	return v ? v : "?";
}

typedef enum {
	TRY_OK = 0,
	TRY_FAILED,		/* logged */
	TRY_BROKEN		/* the connection is broken; not logged */
} try_t;

/* One run of a prepared statement; on TRY_OK *out is its result. */
static try_t stmt_try(gkey_db_t *db, stmt_t stmt, char const * const *values,
		      int const *lengths, int const *formats, ExecStatusType want,
		      PGresult **out)
{
	REQUEST *request = db->request;
	PGresult *res;
	try_t rc;

	db->conn->warned = false;
	db->sqlstate[0] = '\0';
	res = PQexecPrepared(db->conn->pg, stmts[stmt].name, stmts[stmt].nparams,
			     values, lengths, formats, 0);
	if (res && PQresultStatus(res) == want) {
		if (!db->conn->warned) {
			*out = res;
			return TRY_OK;
		}
		/*
		 *	Done, but perhaps not everywhere it must be before
		 *	an answer may depend on it (see notice_receive): fail.
		 */
		RERROR("%s: PostgreSQL warned: %s; failing the request, as what it wrote may not be "
		       "on the synchronous standby", stmts[stmt].name, db->conn->warning);
		PQclear(res);
		return TRY_FAILED;
	}
	if (conn_broken(db->conn, res)) {
		rc = TRY_BROKEN;
	} else if (strcmp(error_field(res, PG_DIAG_SQLSTATE), "GK001") == 0) {
		/* Our KEK is no longer the database's: the caller may switch and retry. */
		strlcpy(db->sqlstate, "GK001", sizeof(db->sqlstate));
		RWARN("%s: SQLSTATE GK001: %s", stmts[stmt].name, error_field(res, PG_DIAG_MESSAGE_PRIMARY));
		rc = TRY_FAILED;
	} else {
		strlcpy(db->sqlstate, error_field(res, PG_DIAG_SQLSTATE), sizeof(db->sqlstate));
		RERROR("%s failed: SQLSTATE %s: %s", stmts[stmt].name,
		       error_field(res, PG_DIAG_SQLSTATE), error_field(res, PG_DIAG_MESSAGE_PRIMARY));
		rc = TRY_FAILED;
	}
	PQclear(res);
	return rc;
}

/*
 *	Runs a prepared statement; on GKEY_DB_OK *out is its result, for
 *	the caller to PQclear(). A broken connection is reopened through
 *	the pool, as rlm_sql does with fr_connection_reconnect(), and the
 *	statement run once more; broken again, it fails. (FreeRADIUS 3.2.1's
 *	pool has no retry count to take the bound from:
 *	fr_connection_pool_get_retries() came in a later 3.2 release.)
 */
static gkey_db_rcode_t stmt_run(gkey_db_t *db, stmt_t stmt, char const * const *values,
				int const *lengths, int const *formats, ExecStatusType want,
				PGresult **out)
{
	REQUEST *request = db->request;
	char err[256];
	int attempt;

	*out = NULL;
	/*
	 *	The pooled connection is taken at a request's first
	 *	statement, not before: a request the view answers runs none
	 *	(sealing needs none, its log rows go to the log writer's own
	 *	connection), and holds no connection of the pool.
	 */
	if (!db->conn) db->conn = fr_connection_get(db->pool);
	if (!db->conn) {
		RERROR("No connection to the database for %s", stmts[stmt].name);
		return GKEY_DB_ERROR;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (attempt > 0) {
			RWDEBUG("Database connection broken (%s), reconnecting",
				conn_error(db->conn, err, sizeof(err)));
			db->conn = fr_connection_reconnect(db->pool, db->conn);
			if (!db->conn) {
				RERROR("%s: database connection broken, and reconnecting failed",
				       stmts[stmt].name);
				return GKEY_DB_ERROR;
			}
		}
		switch (stmt_try(db, stmt, values, lengths, formats, want, out)) {
		case TRY_OK:
			return GKEY_DB_OK;
		case TRY_FAILED:
			return GKEY_DB_ERROR;
		case TRY_BROKEN:
			break;
		}
	}
	RERROR("%s: database connection still broken after reconnecting: %s", stmts[stmt].name,
	       conn_error(db->conn, err, sizeof(err)));
	return GKEY_DB_ERROR;
}

static int parse_int64(char const *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s) return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end) return -1;
	*out = v;
	return 0;
}

static int parse_u32(char const *s, uint32_t *out)
{
	int64_t v;

	if (parse_int64(s, &v) < 0 || v < 0 || v > UINT32_MAX) return -1;
	*out = (uint32_t) v;
	return 0;
}

static int parse_time(char const *s, time_t *out)
{
	int64_t v;

	if (parse_int64(s, &v) < 0) return -1;
	*out = (time_t) v;
	return 0;
}

/* A bytea column in text format; NULL stays NULL. */
static int get_bytea(TALLOC_CTX *ctx, PGresult *res, int row, int col, uint8_t **out, size_t *len)
{
	unsigned char *raw;
	size_t n;

	*out = NULL;
	*len = 0;
	if (PQgetisnull(res, row, col)) return 0;

	raw = PQunescapeBytea((unsigned char const *) PQgetvalue(res, row, col), &n);
	if (!raw) return -1;
	*out = talloc_memdup(ctx, raw, n ? n : 1);
	PQfreemem(raw);
	if (!*out) return -1;
	*len = n;
	return 0;
}

static char *get_text(TALLOC_CTX *ctx, PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col)) return talloc_strdup(ctx, "");
	return talloc_strdup(ctx, PQgetvalue(res, row, col));
}

/* The identity columns of one row (columns 0..6). */
static int identity_row(REQUEST *request, TALLOC_CTX *ctx, PGresult *res, int row, gkey_identity_t *out)
{
	memset(out, 0, sizeof(*out));
	if (parse_int64(PQgetvalue(res, row, 0), &out->id) < 0 ||
	    parse_time(PQgetvalue(res, row, 3), &out->not_before) < 0 ||
	    parse_time(PQgetvalue(res, row, 4), &out->not_after) < 0 ||
	    get_bytea(ctx, res, row, 5, &out->spki, &out->spki_len) < 0 || !out->spki ||
	    !(out->status = get_text(ctx, res, row, 1)) ||
	    !(out->status_reason = get_text(ctx, res, row, 2)) ||
	    !(out->kind = get_text(ctx, res, row, 6))) {
		RERROR("Identity lookup returned a malformed row");
		return -1;
	}
	return 0;
}

/* The epoch columns of one row, starting at column col. */
static int epoch_row(REQUEST *request, TALLOC_CTX *ctx, PGresult *res, int row, int col, gkey_epoch_t *e)
{
	if (parse_u32(PQgetvalue(res, row, col), &e->app_id) < 0 ||
	    parse_u32(PQgetvalue(res, row, col + 3), &e->epoch) < 0 ||
	    parse_time(PQgetvalue(res, row, col + 4), &e->not_before) < 0 ||
	    parse_time(PQgetvalue(res, row, col + 5), &e->not_after) < 0 ||
	    get_bytea(ctx, res, row, col + 6, &e->material, &e->material_len) < 0 ||
	    !(e->app_name = get_text(ctx, res, row, col + 1)) ||
	    !(e->gk_alg = get_text(ctx, res, row, col + 2))) {
		RERROR("Key lookup returned a malformed row");
		return -1;
	}
	return 0;
}

gkey_db_rcode_t gkey_db_identity_by_issuer_serial(TALLOC_CTX *ctx, gkey_db_t *db,
						  char const *issuer, char const *serial,
						  gkey_identity_t *out)
{
	REQUEST *request = db->request;
	char const *values[2] = { issuer, serial };
	PGresult *res;
	gkey_db_rcode_t rcode;

	rcode = stmt_run(db, STMT_IDENTITY_BY_ISSUER_SERIAL, values, NULL, NULL, PGRES_TUPLES_OK, &res);
	if (rcode != GKEY_DB_OK) return rcode;

	if (PQntuples(res) == 0) {
		rcode = GKEY_DB_NOTFOUND;
	} else if (PQntuples(res) != 1 || PQnfields(res) != N_IDENTITY_COLUMNS) {
		RERROR("Identity lookup returned %d rows of %d columns", PQntuples(res), PQnfields(res));
		rcode = GKEY_DB_ERROR;
	} else if (identity_row(request, ctx, res, 0, out) < 0) {
		rcode = GKEY_DB_ERROR;
	}
	PQclear(res);
	return rcode;
}

/*
 *	Build a PostgreSQL array literal {"a","b"} for a text[] parameter.
 *	It travels as a parameter value, so only the array syntax needs
 *	quoting: each element is double-quoted with " and \ escaped.
 */
static char *apps_literal(TALLOC_CTX *ctx, char const * const *apps, size_t n)
{
	char *out;
	size_t i;

	out = talloc_strdup(ctx, "{");
	for (i = 0; out && i < n; i++) {
		char const *p;

		out = talloc_asprintf_append_buffer(out, "%s\"", i ? "," : "");
		for (p = apps[i]; out && *p; p++) {
			if (*p == '"' || *p == '\\') out = talloc_asprintf_append_buffer(out, "\\");
			if (out) out = talloc_asprintf_append_buffer(out, "%c", *p);
		}
		if (out) out = talloc_asprintf_append_buffer(out, "\"");
	}
	if (out) out = talloc_asprintf_append_buffer(out, "}");
	return out;
}

/*
 *	Identity columns on every row, epoch columns NULL when the identity
 *	has no key to receive (not active, nothing granted or requested).
 */
static gkey_db_rcode_t lookup_result(REQUEST *request, TALLOC_CTX *ctx, PGresult *res, int extra,
				     gkey_identity_t *id, gkey_epoch_t **out, size_t *count)
{
	gkey_epoch_t *rows;
	int i, n = PQntuples(res);
	size_t k = 0;

	if (n == 0) return GKEY_DB_NOTFOUND;
	if (PQnfields(res) != N_IDENTITY_COLUMNS + N_EPOCH_COLUMNS + extra) {
		RERROR("Key lookup returned %d columns", PQnfields(res));
		return GKEY_DB_ERROR;
	}
	if (identity_row(request, ctx, res, 0, id) < 0) return GKEY_DB_ERROR;
	if (PQgetisnull(res, 0, N_IDENTITY_COLUMNS)) return GKEY_DB_OK;

	rows = talloc_zero_array(ctx, gkey_epoch_t, n);
	if (!rows) return GKEY_DB_ERROR;
	for (i = 0; i < n; i++) {
		if (PQgetisnull(res, i, N_IDENTITY_COLUMNS)) {
			RERROR("Key lookup returned a row without a key");
			talloc_free(rows);
			return GKEY_DB_ERROR;
		}
		if (epoch_row(request, rows, res, i, N_IDENTITY_COLUMNS, &rows[k]) < 0) {
			talloc_free(rows);
			return GKEY_DB_ERROR;
		}
		k++;
	}
	*out = rows;
	*count = k;
	return GKEY_DB_OK;
}

static gkey_db_rcode_t lookup(TALLOC_CTX *ctx, gkey_db_t *db, stmt_t stmt,
			      char const **values, int const *lengths, int const *formats, int apps_param,
			      char const * const *apps, size_t n_apps,
			      gkey_identity_t *id, gkey_epoch_t **out, size_t *count)
{
	REQUEST *request = db->request;
	char *list = NULL;
	PGresult *res;
	gkey_db_rcode_t rcode;

	*out = NULL;
	*count = 0;
	if (n_apps > APPS_MAX) {
		RERROR("More than %d requested applications", APPS_MAX);
		return GKEY_DB_ERROR;
	}
	values[apps_param] = NULL;
	if (n_apps > 0) {
		list = apps_literal(ctx, apps, n_apps);
		if (!list) return GKEY_DB_ERROR;
		values[apps_param] = list;
	}

	rcode = stmt_run(db, stmt, values, lengths, formats, PGRES_TUPLES_OK, &res);
	talloc_free(list);
	if (rcode != GKEY_DB_OK) return rcode;

	rcode = lookup_result(request, ctx, res, 0, id, out, count);
	PQclear(res);
	return rcode;
}

gkey_db_rcode_t gkey_db_lookup_by_fingerprint(TALLOC_CTX *ctx, gkey_db_t *db, uint8_t const fp[32],
					      char const * const *apps, size_t n_apps,
					      gkey_identity_t *id, gkey_epoch_t **out, size_t *count)
{
	char const *values[2] = { (char const *) fp, NULL };
	int lengths[2] = { 32, 0 };
	int formats[2] = { 1, 0 };

	return lookup(ctx, db, STMT_LOOKUP_BY_FP, values, lengths, formats, 1, apps, n_apps, id, out, count);
}

gkey_db_rcode_t gkey_db_lookup_by_issuer_serial(TALLOC_CTX *ctx, gkey_db_t *db,
						char const *issuer, char const *serial,
						char const * const *apps, size_t n_apps,
						gkey_identity_t *id, gkey_epoch_t **out, size_t *count)
{
	char const *values[3] = { issuer, serial, NULL };

	return lookup(ctx, db, STMT_LOOKUP_BY_ISSUER_SERIAL, values, NULL, NULL, 2, apps, n_apps, id, out, count);
}

/*
 *	The view's lookups: every application, and the instant until which
 *	the answer is stable (0 when the database named none).
 */
static gkey_db_rcode_t view_lookup(TALLOC_CTX *ctx, gkey_db_t *db, stmt_t stmt,
				   char const * const *values, int const *lengths, int const *formats,
				   gkey_identity_t *id, gkey_epoch_t **out, size_t *count,
				   time_t *stable_until)
{
	REQUEST *request = db->request;
	int col = N_IDENTITY_COLUMNS + N_EPOCH_COLUMNS;
	PGresult *res;
	gkey_db_rcode_t rcode;

	*out = NULL;
	*count = 0;
	*stable_until = 0;
	rcode = stmt_run(db, stmt, values, lengths, formats, PGRES_TUPLES_OK, &res);
	if (rcode != GKEY_DB_OK) return rcode;

	rcode = lookup_result(request, ctx, res, 1, id, out, count);
	if (rcode == GKEY_DB_OK && !PQgetisnull(res, 0, col) &&
	    parse_time(PQgetvalue(res, 0, col), stable_until) < 0) {
		RERROR("Key lookup returned a malformed stable-until column");
		rcode = GKEY_DB_ERROR;
	}
	PQclear(res);
	return rcode;
}

gkey_db_rcode_t gkey_db_view_lookup_by_fingerprint(TALLOC_CTX *ctx, gkey_db_t *db, uint8_t const fp[32],
						   gkey_identity_t *id, gkey_epoch_t **out, size_t *count,
						   time_t *stable_until)
{
	char const *values[1] = { (char const *) fp };
	int lengths[1] = { 32 };
	int formats[1] = { 1 };

	return view_lookup(ctx, db, STMT_VIEW_LOOKUP_BY_FP, values, lengths, formats, id, out, count,
			   stable_until);
}

gkey_db_rcode_t gkey_db_view_lookup_by_issuer_serial(TALLOC_CTX *ctx, gkey_db_t *db,
						     char const *issuer, char const *serial,
						     gkey_identity_t *id, gkey_epoch_t **out, size_t *count,
						     time_t *stable_until)
{
	char const *values[2] = { issuer, serial };

	return view_lookup(ctx, db, STMT_VIEW_LOOKUP_BY_ISSUER_SERIAL, values, NULL, NULL, id, out, count,
			   stable_until);
}

gkey_db_rcode_t gkey_db_fill_material(TALLOC_CTX *ctx, gkey_db_t *db,
				      uint32_t app_id, uint32_t epoch,
				      uint8_t const *sealed, size_t sealed_len, uint8_t const kek_check[32],
				      uint8_t **stored, size_t *stored_len)
{
	REQUEST *request = db->request;
	char app[16], ep[16];
	char const *values[4];
	int lengths[4] = { 0, 0, (int) sealed_len, 32 };
	int formats[4] = { 0, 0, 1, 1 };
	PGresult *res;
	gkey_db_rcode_t rcode;

	*stored = NULL;
	*stored_len = 0;
	snprintf(app, sizeof(app), "%" PRIu32, app_id);
	snprintf(ep, sizeof(ep), "%" PRIu32, epoch);
	values[0] = app;
	values[1] = ep;
	values[2] = (char const *) sealed;
	values[3] = (char const *) kek_check;

	rcode = stmt_run(db, STMT_FILL_MATERIAL, values, lengths, formats, PGRES_TUPLES_OK, &res);
	if (rcode != GKEY_DB_OK) return rcode;

	if (PQntuples(res) != 1 || PQnfields(res) != 1 ||
	    get_bytea(ctx, res, 0, 0, stored, stored_len) < 0 || !*stored) {
		RERROR("fill_material returned no material for application %" PRIu32 " epoch %" PRIu32,
		       app_id, epoch);
		rcode = GKEY_DB_ERROR;
	}
	PQclear(res);
	return rcode;
}

gkey_db_rcode_t gkey_db_log(gkey_db_t *db, gkey_log_entry_t const *e)
{
	char id[32], app[16], ep[16];
	char const *values[9];
	int lengths[9] = { 0 };
	int formats[9] = { 0 };
	PGresult *res;
	gkey_db_rcode_t rcode;

	snprintf(id, sizeof(id), "%" PRId64, e->identity);
	snprintf(app, sizeof(app), "%" PRIu32, e->app_id);
	snprintf(ep, sizeof(ep), "%" PRIu32, e->epoch);

	values[0] = e->identity ? id : NULL;
	values[1] = (char const *) e->fingerprint;
	lengths[1] = e->fingerprint ? 32 : 0;
	formats[1] = 1;
	values[2] = e->app_id ? app : NULL;
	values[3] = e->app_id ? ep : NULL;
	values[4] = e->nas;
	values[5] = e->calling;
	values[6] = e->flow;
	values[7] = e->result;
	values[8] = e->reason;

	rcode = stmt_run(db, STMT_LOG, values, lengths, formats, PGRES_TUPLES_OK, &res);
	if (rcode == GKEY_DB_OK) PQclear(res);
	return rcode;
}

bool gkey_db_kek_stale(gkey_db_t const *db)
{
	return strcmp(db->sqlstate, "GK001") == 0;
}

int gkey_db_kek_refresh(gkey_db_t *db, gkey_keks_t *k, char const *name, uint8_t const used[32])
{
	REQUEST *request = db->request;
	uint8_t kek[32], check[32];
	char const *values[2] = { (char const *) check, "false" };
	int lengths[2] = { 32, 0 };
	int formats[2] = { 1, 0 };
	PGresult *res;
	unsigned char *raw = NULL;
	size_t n = 0;
	int rc = -1;

	gkey_keks_get(k, kek, check);
	OPENSSL_cleanse(kek, sizeof(kek));

	if (stmt_run(db, STMT_KEK_CHECK, values, lengths, formats, PGRES_TUPLES_OK, &res) != GKEY_DB_OK) return -1;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		raw = PQunescapeBytea((unsigned char const *) PQgetvalue(res, 0, 0), &n);
	}
	if (!gkey_keks_adopt(k, name, raw, raw ? n : 0)) {
		RERROR("The database's KEK check value is that of neither KEK this server holds "
		       "(kek_file%s): install the database's KEK (doc/sql.md 6.4)", k->n > 1 ? ", kek_next_file" : "");
	} else {
		gkey_keks_get(k, kek, check);
		OPENSSL_cleanse(kek, sizeof(kek));
		rc = CRYPTO_memcmp(check, used, 32) != 0;
	}
	PQfreemem(raw);
	PQclear(res);
	return rc;
}

/*
 *	The log writer's one statement: nine arrays, one per column of
 *	gkey.log_issuance, element i of each being row i (doc/sql.md 5.9).
 *	Named as the pool's single-row form is (another connection): a
 *	message about the log names gkey_log whichever form wrote it.
 */
#define LOG_BATCH_NAME "gkey_log"
#define LOG_BATCH_SQL \
	"SELECT gkey.log_issuance_batch($1::bigint[], $2::bytea[], $3::bigint[], $4::integer[], " \
	"$5::text[], $6::text[], $7::text[], $8::text[], $9::text[])"
#define LOG_BATCH_NPARAMS 9

/*
 *	The array literals are built in one pass each, into a buffer sized
 *	for the worst case beforehand: the writer builds nine per batch, and
 *	printf and a reallocation per element cost more than the rest of
 *	the batch's work in the module (doc/radius.md section 11).
 */
typedef struct {
	char	*p;		/* where the next octet goes */
	bool	first;		/* no element yet */
} lit_t;

/* Longest element of each kind, with its comma. */
#define LIT_INT_MAX	(1 + 20)		/* ",-9223372036854775808" */
#define LIT_NULL_MAX	(1 + 4)			/* ",NULL" */
#define LIT_BYTEA32_MAX	(1 + 1 + 3 + 64 + 1)	/* ,"\\x...": \\x, 64 hex digits, quotes */

static void lit_sep(lit_t *l)
{
	if (!l->first) *l->p++ = ',';
	l->first = false;
}

static void lit_null(lit_t *l)
{
	lit_sep(l);
	memcpy(l->p, "NULL", 4);
	l->p += 4;
}

static void lit_int(lit_t *l, int64_t v, bool null)
{
	char digits[20];
	uint64_t u;
	int n = 0;

	if (null) {
		lit_null(l);
		return;
	}
	lit_sep(l);
	if (v < 0) *l->p++ = '-';
	u = (v < 0) ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
	do {
		digits[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u > 0);
	while (n > 0) *l->p++ = digits[--n];
}

/* A fingerprint as a bytea[] element: "\\x" and 64 hex digits, quoted. */
static void lit_bytea32(lit_t *l, uint8_t const *fp)
{
	static char const hex[] = "0123456789abcdef";
	int i;

	if (!fp) {
		lit_null(l);
		return;
	}
	lit_sep(l);
	memcpy(l->p, "\"\\\\x", 4);
	l->p += 4;
	for (i = 0; i < 32; i++) {
		*l->p++ = hex[fp[i] >> 4];
		*l->p++ = hex[fp[i] & 0x0f];
	}
	*l->p++ = '"';
}

/*
 *	One element of an array literal: NULL, or the value double-quoted
 *	with " and \ escaped (it travels as a parameter: only the array
 *	syntax needs quoting).
 */
static void lit_text(lit_t *l, char const *v)
{
	char const *s;

	if (!v) {
		lit_null(l);
		return;
	}
	lit_sep(l);
	*l->p++ = '"';
	for (s = v; *s; s++) {
		if (*s == '"' || *s == '\\') *l->p++ = '\\';
		*l->p++ = *s;
	}
	*l->p++ = '"';
}

/* Worst-case size of a text column's literal, braces and NUL included. */
static size_t lit_text_size(gkey_log_entry_t const * const *rows, size_t n, size_t offset)
{
	size_t i, size = 3;

	for (i = 0; i < n; i++) {
		char const *v = *(char const * const *) (void const *) ((uint8_t const *) rows[i] + offset);

		size += v ? 3 + 2 * strlen(v) : LIT_NULL_MAX;
	}
	return size;
}

/* An empty literal of size octets under ctx; NULL when out of memory. */
static char *lit_start(TALLOC_CTX *ctx, size_t size, lit_t *l)
{
	char *buf = talloc_array(ctx, char, size);

	if (!buf) return NULL;
	buf[0] = '{';
	l->p = buf + 1;
	l->first = true;
	return buf;
}

static void lit_end(lit_t *l)
{
	*l->p++ = '}';
	*l->p = '\0';
}

/* The nine array literals of a batch, as talloc children of ctx; -1 when out of memory. */
static int log_batch_arrays(TALLOC_CTX *ctx, gkey_log_entry_t const * const *rows, size_t n,
			    char *a[LOG_BATCH_NPARAMS])
{
	static size_t const text_offset[5] = {
		offsetof(gkey_log_entry_t, nas), offsetof(gkey_log_entry_t, calling),
		offsetof(gkey_log_entry_t, flow), offsetof(gkey_log_entry_t, result),
		offsetof(gkey_log_entry_t, reason)
	};
	lit_t l[LOG_BATCH_NPARAMS];
	size_t i, size[LOG_BATCH_NPARAMS];
	int k;

	size[0] = size[2] = size[3] = 3 + n * LIT_INT_MAX;
	size[1] = 3 + n * LIT_BYTEA32_MAX;
	for (k = 0; k < 5; k++) size[4 + k] = lit_text_size(rows, n, text_offset[k]);
	for (k = 0; k < LOG_BATCH_NPARAMS; k++) {
		a[k] = lit_start(ctx, size[k], &l[k]);
		if (!a[k]) return -1;
	}
	for (i = 0; i < n; i++) {
		gkey_log_entry_t const *e = rows[i];

		lit_int(&l[0], e->identity, e->identity == 0);
		lit_bytea32(&l[1], e->fingerprint);
		lit_int(&l[2], e->app_id, e->app_id == 0);
		lit_int(&l[3], e->epoch, e->app_id == 0);
		lit_text(&l[4], e->nas);
		lit_text(&l[5], e->calling);
		lit_text(&l[6], e->flow);
		lit_text(&l[7], e->result);
		lit_text(&l[8], e->reason);
	}
	for (k = 0; k < LOG_BATCH_NPARAMS; k++) lit_end(&l[k]);
	return 0;
}

static gkey_db_conn_t *log_conn_open(gkey_db_config_t const *cfg, char *err, size_t err_len)
{
	gkey_db_conn_t *conn;
	PGresult *res;

	conn = conn_open(NULL, cfg);
	if (!conn) {
		snprintf(err, err_len, "the log writer cannot connect to PostgreSQL (see the server log)");
		return NULL;
	}
	res = PQprepare(conn->pg, LOG_BATCH_NAME, LOG_BATCH_SQL, LOG_BATCH_NPARAMS, NULL);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		/* Typically a schema without migration 012. */
		ERROR("rlm_gkey (%s): cannot prepare %s: %s", cfg->name, LOG_BATCH_NAME,
		      res ? PQresultErrorMessage(res) : PQerrorMessage(conn->pg));
		snprintf(err, err_len, "the log writer cannot prepare %s (see the server log)", LOG_BATCH_NAME);
		PQclear(res);
		talloc_free(conn);
		return NULL;
	}
	PQclear(res);
	DEBUG2("rlm_gkey (%s): log writer connected to PostgreSQL", cfg->name);
	return conn;
}

/* One run of the batch statement on w->conn. */
static try_t log_batch_try(gkey_db_log_writer_t *w, char const * const *values, size_t n,
			   char *err, size_t err_len)
{
	gkey_db_conn_t *conn = w->conn;
	PGresult *res;
	int64_t written;
	try_t rc = TRY_FAILED;

	conn->warned = false;
	res = PQexecPrepared(conn->pg, LOG_BATCH_NAME, LOG_BATCH_NPARAMS, values, NULL, NULL, 0);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK) {
		if (PQntuples(res) != 1 || PQnfields(res) != 1 ||
		    parse_int64(PQgetvalue(res, 0, 0), &written) < 0 || written != (int64_t) n) {
			snprintf(err, err_len, "%s wrote %s rows of %zu", LOG_BATCH_NAME,
				 PQntuples(res) == 1 && PQnfields(res) == 1 ? PQgetvalue(res, 0, 0) : "?", n);
		} else if (conn->warned) {
			/* Committed, but perhaps not on the synchronous standby (notice_receive). */
			snprintf(err, err_len, "%s: PostgreSQL warned: %s; failing the batch's requests, as "
				 "its rows may not be on the synchronous standby", LOG_BATCH_NAME, conn->warning);
		} else {
			rc = TRY_OK;
		}
	} else if (conn_broken(conn, res)) {
		rc = TRY_BROKEN;
	} else {
		snprintf(err, err_len, "%s failed: SQLSTATE %s: %s", LOG_BATCH_NAME,
			 error_field(res, PG_DIAG_SQLSTATE), error_field(res, PG_DIAG_MESSAGE_PRIMARY));
	}
	PQclear(res);
	return rc;
}

int gkey_db_log_batch(void *arg, gkey_log_entry_t const * const *rows, size_t n, char *err, size_t err_len)
{
	gkey_db_log_writer_t *w = arg;
	TALLOC_CTX *ctx;
	char *a[LOG_BATCH_NPARAMS];
	char msg[256];
	bool fresh = false;
	int attempt, rc = -1;

	ctx = talloc_new(NULL);
	if (!ctx || log_batch_arrays(ctx, rows, n, a) < 0) {
		snprintf(err, err_len, "out of memory");
		talloc_free(ctx);
		return -1;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (!w->conn) {
			w->conn = log_conn_open(w->cfg, err, err_len);
			if (!w->conn) break;
			fresh = true;
		}
		switch (log_batch_try(w, (char const * const *) a, n, err, err_len)) {
		case TRY_OK:
			rc = 0;
			goto done;
		case TRY_FAILED:
			goto done;
		case TRY_BROKEN:
			snprintf(err, err_len, "%s: database connection broken: %s", LOG_BATCH_NAME,
				 conn_error(w->conn, msg, sizeof(msg)));
			talloc_free(w->conn);
			w->conn = NULL;
			/* A connection made for this batch is not tried again. */
			if (fresh) goto done;
			WARN("rlm_gkey (%s): log writer: %s; reconnecting", w->cfg->name, err);
			break;
		}
	}
done:
	if (rc != 0) ERROR("rlm_gkey (%s): log writer: a batch of %zu rows failed: %s", w->cfg->name, n, err);
	talloc_free(ctx);
	return rc;
}

void gkey_db_log_writer_close(gkey_db_log_writer_t *w)
{
	talloc_free(w->conn);
	w->conn = NULL;
}
