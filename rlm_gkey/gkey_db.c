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

#include "gkey_db.h"

#define APPS_MAX 32

#define IDENTITY_COLUMNS \
	"identity_id, status, status_reason, " \
	"floor(extract(epoch from not_before))::bigint, floor(extract(epoch from not_after))::bigint, " \
	"spki, kind"

/*
 *	Every query the module runs, prepared once per connection so the
 *	server parses and plans each only once.
 */
typedef enum {
	STMT_IDENTITY_BY_FP = 0,
	STMT_IDENTITY_BY_ISSUER_SERIAL,
	STMT_ISSUE_KEYS,
	STMT_FILL_MATERIAL,
	STMT_LOG,
	STMT_COUNT
} stmt_t;

static const struct {
	char const	*name;
	char const	*sql;
	int		nparams;
} stmts[STMT_COUNT] = {
	[STMT_IDENTITY_BY_FP] = { "gkey_identity_by_fp",
		"SELECT " IDENTITY_COLUMNS " FROM gkey.identity_by_fingerprint($1::bytea)", 1 },
	[STMT_IDENTITY_BY_ISSUER_SERIAL] = { "gkey_identity_by_issuer_serial",
		"SELECT " IDENTITY_COLUMNS " FROM gkey.identity_by_issuer_serial($1::text, $2::text)", 2 },
	[STMT_ISSUE_KEYS] = { "gkey_issue_keys",
		"SELECT app_id, app_name, gk_alg, epoch, "
		"floor(extract(epoch from not_before))::bigint, floor(extract(epoch from not_after))::bigint, "
		"material FROM gkey.issue_keys($1::bigint, $2::text[])", 2 },
	[STMT_FILL_MATERIAL] = { "gkey_fill_material",
		"SELECT gkey.fill_material($1::bigint, $2::integer, $3::bytea)", 3 },
	[STMT_LOG] = { "gkey_log",
		"SELECT gkey.log_issuance($1::bigint, $2::bytea, $3::bigint, $4::integer, "
		"$5::text, $6::text, $7::text, $8::text, $9::text)", 9 },
};

static PGresult *stmt_exec(gkey_db_conn_t *conn, stmt_t stmt, char const * const *values,
			   int const *lengths, int const *formats)
{
	return PQexecPrepared(conn->pg, stmts[stmt].name, stmts[stmt].nparams, values, lengths, formats, 0);
}

static int conn_destructor(gkey_db_conn_t *conn)
{
	if (conn->pg) PQfinish(conn->pg);
	conn->pg = NULL;
	return 0;
}

/* Keep libpq's notices (e.g. "relation exists") out of the server log. */
static void notice_discard(UNUSED void *arg, UNUSED char const *msg)
{
}

void *gkey_db_conn_create(TALLOC_CTX *ctx, void *opaque)
{
	gkey_db_config_t const *cfg = opaque;
	gkey_db_conn_t *conn;
	char const *keys[] = { "dbname", "application_name", "options", NULL };
	char const *values[4];
	char options[64];
	int i;

	conn = talloc_zero(ctx, gkey_db_conn_t);
	if (!conn) return NULL;
	talloc_set_destructor(conn, conn_destructor);

	/*
	 *	statement_timeout goes in the start-up packet so every
	 *	query, the first included, is bounded.
	 */
	snprintf(options, sizeof(options), "-c statement_timeout=%" PRIu32, cfg->query_timeout);
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
	PQsetNoticeProcessor(conn->pg, notice_discard, NULL);

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
	DEBUG2("rlm_gkey (%s): connected to PostgreSQL", cfg->name);
	return conn;
}

char const *gkey_db_error(gkey_db_conn_t *conn)
{
	char const *msg;

	if (!conn || !conn->pg) return "no connection";
	msg = PQerrorMessage(conn->pg);
	return (msg && *msg) ? msg : "unknown error";
}

/*
 *	Classify a finished query: SQLSTATE class 08 (connection
 *	exception), 57P (operator intervention, e.g. the server shutting
 *	down) or a dead connection ask for a reconnect.
 */
static gkey_db_rcode_t result_rcode(gkey_db_conn_t *conn, PGresult *res, ExecStatusType want)
{
	char const *state;

	if (res && PQresultStatus(res) == want) return GKEY_DB_OK;

	if (PQstatus(conn->pg) != CONNECTION_OK) return GKEY_DB_RECONNECT;
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (!state) return GKEY_DB_RECONNECT;	/* no result: the link failed */
	if ((strncmp(state, "08", 2) == 0) || (strncmp(state, "57P", 3) == 0)) return GKEY_DB_RECONNECT;

	ERROR("rlm_gkey: query failed: SQLSTATE %s: %s", state, PQresultErrorMessage(res));
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

static gkey_db_rcode_t identity_row(TALLOC_CTX *ctx, PGresult *res, gkey_identity_t *out)
{
	if (PQntuples(res) == 0) return GKEY_DB_NOTFOUND;
	if (PQntuples(res) != 1 || PQnfields(res) != 7) {
		ERROR("rlm_gkey: identity lookup returned %d rows of %d columns", PQntuples(res), PQnfields(res));
		return GKEY_DB_ERROR;
	}

	memset(out, 0, sizeof(*out));
	if (parse_int64(PQgetvalue(res, 0, 0), &out->id) < 0 ||
	    parse_time(PQgetvalue(res, 0, 3), &out->not_before) < 0 ||
	    parse_time(PQgetvalue(res, 0, 4), &out->not_after) < 0 ||
	    get_bytea(ctx, res, 0, 5, &out->spki, &out->spki_len) < 0 || !out->spki) {
		ERROR("rlm_gkey: identity lookup returned a malformed row");
		return GKEY_DB_ERROR;
	}
	out->status = get_text(ctx, res, 0, 1);
	out->status_reason = get_text(ctx, res, 0, 2);
	out->kind = get_text(ctx, res, 0, 6);
	if (!out->status || !out->status_reason || !out->kind) return GKEY_DB_ERROR;
	return GKEY_DB_OK;
}

gkey_db_rcode_t gkey_db_identity_by_fingerprint(TALLOC_CTX *ctx, gkey_db_conn_t *conn,
						uint8_t const fp[32], gkey_identity_t *out)
{
	char const *values[1] = { (char const *) fp };
	int lengths[1] = { 32 };
	int formats[1] = { 1 };
	PGresult *res;
	gkey_db_rcode_t rcode;

	res = stmt_exec(conn, STMT_IDENTITY_BY_FP, values, lengths, formats);
	rcode = result_rcode(conn, res, PGRES_TUPLES_OK);
	if (rcode == GKEY_DB_OK) rcode = identity_row(ctx, res, out);
	PQclear(res);
	return rcode;
}

gkey_db_rcode_t gkey_db_identity_by_issuer_serial(TALLOC_CTX *ctx, gkey_db_conn_t *conn,
						  char const *issuer, char const *serial,
						  gkey_identity_t *out)
{
	char const *values[2] = { issuer, serial };
	PGresult *res;
	gkey_db_rcode_t rcode;

	res = stmt_exec(conn, STMT_IDENTITY_BY_ISSUER_SERIAL, values, NULL, NULL);
	rcode = result_rcode(conn, res, PGRES_TUPLES_OK);
	if (rcode == GKEY_DB_OK) rcode = identity_row(ctx, res, out);
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

gkey_db_rcode_t gkey_db_issue_keys(TALLOC_CTX *ctx, gkey_db_conn_t *conn, int64_t identity,
				   char const * const *apps, size_t n_apps,
				   gkey_epoch_t **out, size_t *count)
{
	char id[32];
	char *list = NULL;
	char const *values[2];
	PGresult *res;
	gkey_db_rcode_t rcode;
	gkey_epoch_t *rows = NULL;
	int i, n;

	*out = NULL;
	*count = 0;
	if (n_apps > APPS_MAX) {
		ERROR("rlm_gkey: more than %d requested applications", APPS_MAX);
		return GKEY_DB_ERROR;
	}

	snprintf(id, sizeof(id), "%" PRId64, identity);
	values[0] = id;
	values[1] = NULL;
	if (n_apps > 0) {
		list = apps_literal(ctx, apps, n_apps);
		if (!list) return GKEY_DB_ERROR;
		values[1] = list;
	}

	res = stmt_exec(conn, STMT_ISSUE_KEYS, values, NULL, NULL);
	talloc_free(list);
	rcode = result_rcode(conn, res, PGRES_TUPLES_OK);
	if (rcode != GKEY_DB_OK) goto finish;

	n = PQntuples(res);
	if (PQnfields(res) != 7) {
		ERROR("rlm_gkey: issue_keys returned %d columns", PQnfields(res));
		rcode = GKEY_DB_ERROR;
		goto finish;
	}
	if (n == 0) goto finish;

	rows = talloc_zero_array(ctx, gkey_epoch_t, n);
	if (!rows) {
		rcode = GKEY_DB_ERROR;
		goto finish;
	}
	for (i = 0; i < n; i++) {
		gkey_epoch_t *e = &rows[i];

		if (parse_u32(PQgetvalue(res, i, 0), &e->app_id) < 0 ||
		    parse_u32(PQgetvalue(res, i, 3), &e->epoch) < 0 ||
		    parse_time(PQgetvalue(res, i, 4), &e->not_before) < 0 ||
		    parse_time(PQgetvalue(res, i, 5), &e->not_after) < 0 ||
		    get_bytea(rows, res, i, 6, &e->material, &e->material_len) < 0 ||
		    !(e->app_name = get_text(rows, res, i, 1)) ||
		    !(e->gk_alg = get_text(rows, res, i, 2))) {
			ERROR("rlm_gkey: issue_keys returned a malformed row");
			talloc_free(rows);
			rows = NULL;
			rcode = GKEY_DB_ERROR;
			goto finish;
		}
	}
	*out = rows;
	*count = (size_t) n;

finish:
	PQclear(res);
	return rcode;
}

gkey_db_rcode_t gkey_db_fill_material(TALLOC_CTX *ctx, gkey_db_conn_t *conn,
				      uint32_t app_id, uint32_t epoch,
				      uint8_t const *sealed, size_t sealed_len,
				      uint8_t **stored, size_t *stored_len)
{
	char app[16], ep[16];
	char const *values[3];
	int lengths[3] = { 0, 0, (int) sealed_len };
	int formats[3] = { 0, 0, 1 };
	PGresult *res;
	gkey_db_rcode_t rcode;

	*stored = NULL;
	*stored_len = 0;
	snprintf(app, sizeof(app), "%" PRIu32, app_id);
	snprintf(ep, sizeof(ep), "%" PRIu32, epoch);
	values[0] = app;
	values[1] = ep;
	values[2] = (char const *) sealed;

	res = stmt_exec(conn, STMT_FILL_MATERIAL, values, lengths, formats);
	rcode = result_rcode(conn, res, PGRES_TUPLES_OK);
	if (rcode != GKEY_DB_OK) goto finish;

	if (PQntuples(res) != 1 || PQnfields(res) != 1 ||
	    get_bytea(ctx, res, 0, 0, stored, stored_len) < 0 || !*stored) {
		ERROR("rlm_gkey: fill_material returned no material for application %" PRIu32 " epoch %" PRIu32,
		      app_id, epoch);
		rcode = GKEY_DB_ERROR;
	}

finish:
	PQclear(res);
	return rcode;
}

gkey_db_rcode_t gkey_db_log(gkey_db_conn_t *conn, gkey_log_entry_t const *e)
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

	res = stmt_exec(conn, STMT_LOG, values, lengths, formats);
	rcode = result_rcode(conn, res, PGRES_TUPLES_OK);
	PQclear(res);
	return rcode;
}
