/*
 * gkey-enroll - enroll a certificate into the gkey Cert DB and grant it
 * applications, in one transaction.
 *
 *   gkey-enroll [-d CONNINFO] --kind user|iot [--app NAME ...] CERT.pem
 *
 * Reads the certificate, derives what gkey stores (SHA-256 fingerprint,
 * issuer and subject in X509_NAME_oneline form, serial in lower-case hex,
 * SubjectPublicKeyInfo DER, validity), calls gkey.enroll() and gkey.grant()
 * for each application, and prints
 *
 *   enrolled identity ID fingerprint HEX
 *
 * Without -d, libpq's environment (PGHOST, PGDATABASE, PGUSER, ...) and
 * service files apply.  Any refusal rolls everything back and is printed
 * as the database phrased it; the exit status is then 1 (2 for usage).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "x509.h"

#define PROG "gkey-enroll"

/* What gkey.enroll() takes, derived from the certificate. */
typedef struct {
	uint8_t		fp[GKEY_X509_FP_LEN];
	char		fp_hex[2 * GKEY_X509_FP_LEN + 1];
	char		issuer[1024];
	char		subject[1024];
	char		serial[2 * 64 + 1];	/* RFC 5280: at most 20 octets; be lenient */
	uint8_t		*spki;			/* malloc'd */
	size_t		spki_len;
	char		not_before[32];		/* "YYYY-MM-DD HH:MM:SS+00" */
	char		not_after[32];
} cert_facts_t;

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-d CONNINFO] --kind user|iot [--app NAME ...] CERT.pem\n", PROG);
}

static int
format_utc(time_t t, char *out, size_t out_size)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm)) return -1;
	if (strftime(out, out_size, "%Y-%m-%d %H:%M:%S+00", &tm) == 0) return -1;
	return 0;
}

static void
print_openssl_error(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e) {
		ERR_error_string_n(e, buf, sizeof(buf));
		fprintf(stderr, "%s: %s: %s\n", PROG, what, buf);
	} else {
		fprintf(stderr, "%s: %s\n", PROG, what);
	}
	ERR_clear_error();
}

static X509 *
read_pem(const char *path)
{
	FILE *f;
	X509 *cert;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
		return NULL;
	}
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!cert) {
		char what[512];

		snprintf(what, sizeof(what), "%s: no PEM certificate", path);
		print_openssl_error(what);
	}
	return cert;
}

static int
cert_facts(X509 *cert, cert_facts_t *cf)
{
	static const char digits[] = "0123456789abcdef";
	time_t nb, na;
	size_t i;

	if (gkey_x509_fingerprint_cert(cert, cf->fp) < 0) {
		print_openssl_error("cannot hash the certificate");
		return -1;
	}
	for (i = 0; i < GKEY_X509_FP_LEN; i++) {
		cf->fp_hex[2 * i] = digits[cf->fp[i] >> 4];
		cf->fp_hex[2 * i + 1] = digits[cf->fp[i] & 0x0f];
	}
	cf->fp_hex[2 * GKEY_X509_FP_LEN] = '\0';

	if (gkey_x509_issuer(cert, cf->issuer, sizeof(cf->issuer)) < 0) {
		fprintf(stderr, "%s: the certificate's issuer name is unreadable or too long\n", PROG);
		return -1;
	}
	if (gkey_x509_subject(cert, cf->subject, sizeof(cf->subject)) < 0) {
		fprintf(stderr, "%s: the certificate's subject name is unreadable or too long\n", PROG);
		return -1;
	}
	if (gkey_x509_serial_hex(cert, cf->serial, sizeof(cf->serial)) < 0) {
		fprintf(stderr, "%s: the certificate's serial number is unreadable or too long\n", PROG);
		return -1;
	}
	if (gkey_x509_spki_der(cert, NULL, 0, &cf->spki_len) < 0 ||
	    !(cf->spki = malloc(cf->spki_len)) ||
	    gkey_x509_spki_der(cert, cf->spki, cf->spki_len, &cf->spki_len) < 0) {
		print_openssl_error("cannot encode the certificate's public key");
		return -1;
	}
	if (gkey_x509_validity(cert, &nb, &na) < 0 ||
	    format_utc(nb, cf->not_before, sizeof(cf->not_before)) < 0 ||
	    format_utc(na, cf->not_after, sizeof(cf->not_after)) < 0) {
		fprintf(stderr, "%s: the certificate's validity dates are unreadable\n", PROG);
		return -1;
	}
	return 0;
}

/* Print the database's own message for a failed command. */
static void
print_pg_error(PGconn *conn, PGresult *res)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;

	if (msg) {
		fprintf(stderr, "%s: %s\n", PROG, msg);
		if (detail) fprintf(stderr, "%s: %s\n", PROG, detail);
	} else {
		fprintf(stderr, "%s: %s", PROG, PQerrorMessage(conn));
	}
}

/* Run a parameterless command; 0 if it succeeded. */
static int
exec_simple(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		print_pg_error(conn, res);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

static int
enroll(PGconn *conn, const cert_facts_t *cf, const char *kind, char **apps, int n_apps,
       char *id, size_t id_size)
{
	PGresult *res;
	int i;
	/* bytea parameters go in binary: no escaping, any octet. */
	const char *values[8] = {
		(const char *)cf->fp, cf->issuer, cf->serial, cf->subject,
		(const char *)cf->spki, cf->not_before, cf->not_after, kind
	};
	int lengths[8] = { GKEY_X509_FP_LEN, 0, 0, 0, (int)cf->spki_len, 0, 0, 0 };
	int formats[8] = { 1, 0, 0, 0, 1, 0, 0, 0 };

	res = PQexecParams(conn,
			   "SELECT gkey.enroll($1::bytea, $2::text, $3::text, $4::text, $5::bytea, "
			   "$6::timestamptz, $7::timestamptz, $8::text)",
			   8, NULL, values, lengths, formats, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		print_pg_error(conn, res);
		PQclear(res);
		return -1;
	}
	snprintf(id, id_size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);

	for (i = 0; i < n_apps; i++) {
		const char *gvalues[2] = { id, apps[i] };

		res = PQexecParams(conn, "SELECT gkey.grant($1::bigint, $2::text)",
				   2, NULL, gvalues, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			print_pg_error(conn, res);
			PQclear(res);
			return -1;
		}
		PQclear(res);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dbname", required_argument, NULL, 'd' },
		{ "kind", required_argument, NULL, 'k' },
		{ "app", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conninfo = "", *kind = NULL;
	char **apps;
	int n_apps = 0, opt, rc = 1;
	cert_facts_t cf;
	X509 *cert = NULL;
	PGconn *conn = NULL;
	char id[32];

	memset(&cf, 0, sizeof(cf));
	apps = calloc((size_t)argc, sizeof(*apps));
	if (!apps) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}

	while ((opt = getopt_long(argc, argv, "d:k:a:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			conninfo = optarg;
			break;
		case 'k':
			kind = optarg;
			break;
		case 'a':
			apps[n_apps++] = optarg;
			break;
		case 'h':
			usage(stdout);
			free(apps);
			return 0;
		default:
			usage(stderr);
			free(apps);
			return 2;
		}
	}
	if (optind != argc - 1 || !kind) {
		usage(stderr);
		free(apps);
		return 2;
	}
	if (strcmp(kind, "user") != 0 && strcmp(kind, "iot") != 0) {
		fprintf(stderr, "%s: --kind must be user or iot\n", PROG);
		free(apps);
		return 2;
	}

	cert = read_pem(argv[optind]);
	if (!cert) goto finish;
	if (cert_facts(cert, &cf) < 0) goto finish;

	/* The connection string may hold a password: never print it. */
	conn = PQconnectdb(conninfo);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "%s: cannot connect to the database: %s", PROG,
			conn ? PQerrorMessage(conn) : "out of memory\n");
		goto finish;
	}

	if (exec_simple(conn, "BEGIN") < 0) goto finish;
	if (enroll(conn, &cf, kind, apps, n_apps, id, sizeof(id)) < 0) {
		/* Nothing of it stays: the identity goes with a refused grant. */
		(void)exec_simple(conn, "ROLLBACK");
		goto finish;
	}
	if (exec_simple(conn, "COMMIT") < 0) goto finish;

	printf("enrolled identity %s fingerprint %s\n", id, cf.fp_hex);
	rc = 0;

finish:
	if (conn) PQfinish(conn);
	X509_free(cert);
	free(cf.spki);
	free(apps);
	return rc;
}
