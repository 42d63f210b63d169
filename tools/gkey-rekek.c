/*
 * gkey-rekek - rotate the KEK: re-seal every stored GK under a new KEK
 * and store the new KEK's check value, in one transaction.
 *
 *   gkey-rekek [-d CONNINFO] [--online | --force] OLD_KEK_FILE NEW_KEK_FILE
 *
 * Both files hold 32 octets and are accessible by their owner only, as
 * the module wants its kek_file.  OLD must be the database's KEK: its
 * check value must match gkey.kek_check (doc/sql.md 5.6), and every
 * stored blob must open under it; otherwise nothing changes.  The GKs
 * themselves do not change, so nodes keep their keys.
 *
 * Key servers must be stopped first: a running one has checked its KEK
 * when it connected and would go on sealing under the old one.  The
 * tool refuses while a session of gkey_radius is connected to the
 * database, unless --force.  Afterwards, install NEW as kek_file on
 * every key server and start them; one still holding OLD refuses to
 * start.
 *
 * --online: while key servers run.  Each must hold NEW as kek_next_file
 * (rlm_gkey, doc/sql.md 6.4); since migration 009 the database stores
 * material only from a server naming the current check value, and the
 * EXCLUSIVE lock below orders every fill_material before or after this
 * transaction, so nothing sealed under OLD is stored after it commits.
 * Servers then switch to NEW on their own.  Refused on a schema without
 * 009.
 *
 * Without -d, libpq's environment applies.  The user must be a member of
 * gkey_admin (only it may rewrite stored material).  Exit status: 0 done,
 * 1 refused or failed (nothing changed), 2 usage.  No key is ever
 * printed; both KEKs are wiped before exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>

#include "gkseal.h"

#define PROG "gkey-rekek"

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-d CONNINFO] [--online | --force] OLD_KEK_FILE NEW_KEK_FILE\n", PROG);
}

/* The 32 octets of a KEK file that only its owner can access. */
static int
kek_read(const char *path, uint8_t kek[GKEY_KEK_LEN])
{
	uint8_t buf[GKEY_KEK_LEN + 1];
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s is not a regular file\n", PROG, path);
		goto finish;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		fprintf(stderr, "%s: %s is accessible by group or others (mode %04o); chmod 0600 it\n",
			PROG, path, (unsigned int)(st.st_mode & 07777));
		goto finish;
	}
	n = read(fd, buf, sizeof(buf));
	if (n != GKEY_KEK_LEN) {
		fprintf(stderr, "%s: %s must hold exactly %d octets\n", PROG, path, GKEY_KEK_LEN);
		goto finish;
	}
	memcpy(kek, buf, GKEY_KEK_LEN);
	rc = 0;

finish:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}

static void
print_pg_error(PGconn *conn, PGresult *res)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (msg)
		fprintf(stderr, "%s: %s\n", PROG, msg);
	else
		fprintf(stderr, "%s: %s", PROG, PQerrorMessage(conn));
}

/* A statement without result rows; binary parameters only where given. */
static int
exec_cmd(PGconn *conn, const char *sql, int n, const char *const *values,
    const int *lengths, const int *formats)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, values, lengths, formats, 0);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		print_pg_error(conn, res);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* The single value of a one-row, one-column query, or NULL (printed). */
static PGresult *
query_one(PGconn *conn, const char *sql, int binary)
{
	PGresult *res = PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, binary);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		print_pg_error(conn, res);
		PQclear(res);
		return NULL;
	}
	return res;
}

static uint32_t
be32(const char *p)
{
	const uint8_t *u = (const uint8_t *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/*
 * Inside the caller's transaction: check OLD against the database, then
 * re-seal every blob. Returns the number re-sealed, or -1 (printed).
 */
static long
rekek(PGconn *conn, const uint8_t old_kek[GKEY_KEK_LEN], const uint8_t new_kek[GKEY_KEK_LEN],
    int force)
{
	uint8_t old_check[GKEY_KEK_CHECK_LEN], new_check[GKEY_KEK_CHECK_LEN];
	uint8_t gk[GKEY_GKSEAL_GK_MAX], sealed[GKEY_GKSEAL_MAX_LEN];
	PGresult *res = NULL;
	long count = -1;
	int i, n;

	if (gkey_kek_check(old_kek, old_check) < 0 || gkey_kek_check(new_kek, new_check) < 0) {
		fprintf(stderr, "%s: cannot compute the KEK check values\n", PROG);
		return -1;
	}

	if (!force) {
		res = query_one(conn, "SELECT count(*) FROM pg_stat_activity "
			"WHERE usename = 'gkey_radius' AND datname = current_database()", 0);
		if (!res) goto finish;
		if (strcmp(PQgetvalue(res, 0, 0), "0") != 0) {
			fprintf(stderr, "%s: %s session(s) of gkey_radius are connected: stop every key server "
				"first (or --force)\n", PROG, PQgetvalue(res, 0, 0));
			goto finish;
		}
		PQclear(res);
		res = NULL;
	}

	/*
	 * Nothing may fill or read-and-seal material while it is re-sealed:
	 * a broad lock, for a maintenance step run with the servers stopped.
	 */
	if (exec_cmd(conn, "LOCK TABLE gkey.group_key, gkey.kek_check IN EXCLUSIVE MODE", 0, NULL, NULL, NULL) < 0)
		goto finish;

	res = query_one(conn, "SELECT check_value FROM gkey.kek_check", 1);
	if (!res) goto finish;
	if (PQntuples(res) == 1 && (PQgetlength(res, 0, 0) != GKEY_KEK_CHECK_LEN ||
	    CRYPTO_memcmp(PQgetvalue(res, 0, 0), old_check, GKEY_KEK_CHECK_LEN) != 0)) {
		fprintf(stderr, "%s: the old KEK does not belong to this database (its check value differs); "
			"nothing changed\n", PROG);
		goto finish;
	}
	PQclear(res);

	res = query_one(conn, "SELECT app_id::integer, epoch, material FROM gkey.group_key "
		"WHERE material IS NOT NULL ORDER BY app_id, epoch", 1);
	if (!res) goto finish;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		uint32_t app = be32(PQgetvalue(res, i, 0)), epoch = be32(PQgetvalue(res, i, 1));
		size_t gk_len, sealed_len;
		char app_s[16], epoch_s[16];
		const char *values[3] = { app_s, epoch_s, (const char *)sealed };
		int lengths[3] = { 0, 0, 0 }, formats[3] = { 0, 0, 1 };

		if (gkey_gk_open(old_kek, app, epoch, (const uint8_t *)PQgetvalue(res, i, 2),
		    (size_t)PQgetlength(res, i, 2), gk, sizeof(gk), &gk_len) < 0) {
			fprintf(stderr, "%s: the key of application %u epoch %u does not open under the old KEK; "
				"nothing changed\n", PROG, app, epoch);
			goto finish;
		}
		if (gkey_gk_seal(new_kek, app, epoch, gk, gk_len, sealed, sizeof(sealed), &sealed_len) < 0) {
			fprintf(stderr, "%s: cannot seal the key of application %u epoch %u\n", PROG, app, epoch);
			goto finish;
		}
		OPENSSL_cleanse(gk, sizeof(gk));
		snprintf(app_s, sizeof(app_s), "%u", app);
		snprintf(epoch_s, sizeof(epoch_s), "%u", epoch);
		lengths[2] = (int)sealed_len;
		if (exec_cmd(conn, "UPDATE gkey.group_key SET material = $3::bytea "
		    "WHERE app_id = $1::bigint AND epoch = $2::integer", 3, values, lengths, formats) < 0)
			goto finish;
	}

	{
		const char *values[1] = { (const char *)new_check };
		int lengths[1] = { GKEY_KEK_CHECK_LEN }, formats[1] = { 1 };

		if (exec_cmd(conn, "INSERT INTO gkey.kek_check (one, check_value) VALUES (true, $1::bytea) "
		    "ON CONFLICT (one) DO UPDATE SET check_value = EXCLUDED.check_value, "
		    "created = now(), created_by = session_user", 1, values, lengths, formats) < 0)
			goto finish;
	}
	count = n;

finish:
	OPENSSL_cleanse(gk, sizeof(gk));
	OPENSSL_cleanse(sealed, sizeof(sealed));
	PQclear(res);
	return count;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dbname", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "online", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conninfo = "";
	uint8_t old_kek[GKEY_KEK_LEN], new_kek[GKEY_KEK_LEN];
	PGconn *conn = NULL;
	int opt, force = 0, online = 0, rc = 1;
	long n;

	while ((opt = getopt_long(argc, argv, "d:fh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			conninfo = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'o':
			online = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 2 || (online && force)) {
		usage(stderr);
		return 2;
	}

	if (kek_read(argv[optind], old_kek) < 0 || kek_read(argv[optind + 1], new_kek) < 0) goto finish;
	if (CRYPTO_memcmp(old_kek, new_kek, GKEY_KEK_LEN) == 0) {
		fprintf(stderr, "%s: the new KEK is the old one\n", PROG);
		goto finish;
	}

	/* The connection string may hold a password: never print it. */
	conn = PQconnectdb(conninfo);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "%s: cannot connect to the database: %s", PROG,
			conn ? PQerrorMessage(conn) : "out of memory\n");
		goto finish;
	}

	if (exec_cmd(conn, "BEGIN", 0, NULL, NULL, NULL) < 0) goto finish;
	if (exec_cmd(conn, "SET LOCAL synchronous_commit = on", 0, NULL, NULL, NULL) < 0) goto finish;
	if (online) {
		PGresult *res = query_one(conn, "SELECT to_regprocedure("
			"'gkey.fill_material(bigint,integer,bytea,bytea)') IS NOT NULL", 0);

		if (!res) goto finish;
		if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
			fprintf(stderr, "%s: --online needs migration 009 (fill_material checking the KEK); "
				"run gkey-migrate first\n", PROG);
			PQclear(res);
			goto finish;
		}
		PQclear(res);
	}
	n = rekek(conn, old_kek, new_kek, force || online);
	if (n < 0) {
		(void)exec_cmd(conn, "ROLLBACK", 0, NULL, NULL, NULL);
		goto finish;
	}
	if (exec_cmd(conn, "COMMIT", 0, NULL, NULL, NULL) < 0) goto finish;

	if (online)
		printf("re-sealed %ld keys under the new KEK; key servers holding it as kek_next_file switch to it "
		       "on their own: then make it their kek_file (gkey-rekek(8))\n", n);
	else
		printf("re-sealed %ld keys under the new KEK; install it as kek_file on every key server, then start them\n", n);
	rc = 0;

finish:
	if (conn) PQfinish(conn);
	OPENSSL_cleanse(old_kek, sizeof(old_kek));
	OPENSSL_cleanse(new_kek, sizeof(new_kek));
	return rc;
}
