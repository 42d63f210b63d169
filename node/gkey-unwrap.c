/*
 * gkey-unwrap - open Key Records v1 as a node and print the group keys.
 *
 * The reference for the node side: what an IoT or user node does with a
 * GKey-Key-Record it receives (RtAdv option, RADIUS attribute, PANA AVP).
 */
/* getopt_long(), gmtime_r(), strncasecmp(): a config.h may set it too. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hex.h"
#include "hpke.h"
#include "keyrecord.h"
#include "recline.h"
#include "keys.h"

#define PROG		"gkey-unwrap"
#define MAX_SERVERS	16
#define LINE_MAX_LEN	4096
#define RECORD_ATTR	"GKey-Key-Record"

#define EXIT_RECORD	1	/* a record did not open */
#define EXIT_USAGE	2	/* bad arguments, keys or input */

struct ctx {
	EVP_PKEY	*node;
	EVP_PKEY	*servers[MAX_SERVERS];
	size_t		 nservers;
	uint64_t	 now;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s --key NODE_KEY.pem --server SERVER.pem "
	    "[--server SERVER.pem ...]\n"
	    "       %*s [--now EPOCH_SECONDS] [RECORD_HEX]\n"
	    "Opens Key Records (hex, from the argument or one per line on "
	    "standard input)\nand prints one line per group key.\n",
	    PROG, (int)strlen(PROG), "");
}

/* Open one record given as hex; prints its line or an error. */
static int
unwrap(struct ctx *c, const char *hex, size_t hex_len, unsigned long lineno)
{
	struct gkey_record	rec;
	uint8_t			buf[GKEY_RECORD_MAX_LEN], gk[GKEY_GK_MAX];
	char			line[GKEY_RECORD_LINE_MAX];
	char			err[256], where[32] = "";
	size_t			len, gk_len;
	int			ret = EXIT_RECORD;

	if (lineno != 0)
		snprintf(where, sizeof(where), " (line %lu)", lineno);
	if (hex_len > 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		hex_len -= 2;
	}
	if (hex_len > 2 * sizeof(buf)) {
		fprintf(stderr, "%s: malformed record: longer than %zu "
		    "octets%s\n", PROG, sizeof(buf), where);
		return EXIT_RECORD;
	}
	if (gkey_hex_decode(hex, hex_len, buf, sizeof(buf), &len) != 0) {
		fprintf(stderr, "%s: bad hex in record%s\n", PROG, where);
		return EXIT_RECORD;
	}
	if (gkey_record_open(buf, len, c->node, c->servers, c->nservers,
	    c->now, &rec, gk, sizeof(gk), &gk_len, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s%s\n", PROG, err, where);
		return EXIT_RECORD;
	}
	if (gkey_record_line(&rec, gk, gk_len, line, sizeof(line)) != 0) {
		fprintf(stderr, "%s: cannot format record%s\n", PROG, where);
		goto done;
	}
	printf("%s\n", line);
	ret = fflush(stdout) == 0 ? 0 : EXIT_USAGE;
done:
	OPENSSL_cleanse(gk, sizeof(gk));
	OPENSSL_cleanse(line, sizeof(line));
	return ret;
}

static int
is_hex_string(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (strchr("0123456789abcdefABCDEF", s[i]) == NULL ||
		    s[i] == '\0')
			return 0;
	return len > 0;
}

/*
 * One input line.  Returns 1 if it held a record (opened or not, *rc
 * updated), 0 if it held none.  Accepted: bare hex, "0x" + hex, and
 * radclient's "\tGKey-Key-Record = 0x..." lines; radclient's other lines
 * ("Received ...", other attributes) are skipped.
 */
static int
do_line(struct ctx *c, char *line, size_t len, unsigned long lineno,
    int *rc)
{
	char	*s = line, *e = line + len, *eq, *name_end;
	int	 r;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	if (s == e || *s == '#')
		return 0;

	if ((eq = memchr(s, '=', (size_t)(e - s))) != NULL) {
		for (name_end = eq; name_end > s && (name_end[-1] == ' ' ||
		    name_end[-1] == '\t'); name_end--)
			;
		if ((size_t)(name_end - s) != strlen(RECORD_ATTR) ||
		    strncasecmp(s, RECORD_ATTR, strlen(RECORD_ATTR)) != 0)
			return 0;	/* another attribute */
		for (s = eq + 1; s < e && (*s == ' ' || *s == '\t'); s++)
			;
		if (e - s < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
			fprintf(stderr, "%s: bad hex in record (line %lu)\n",
			    PROG, lineno);
			*rc = EXIT_RECORD;
			return 1;
		}
	} else if (!(e - s > 2 && s[0] == '0' && (s[1] == 'x' ||
	    s[1] == 'X')) && !is_hex_string(s, (size_t)(e - s)))
		return 0;	/* not a record: radclient chatter */

	if ((r = unwrap(c, s, (size_t)(e - s), lineno)) != 0 &&
	    *rc != EXIT_USAGE)
		*rc = r;
	return 1;
}

static int
read_stdin(struct ctx *c)
{
	char		 line[LINE_MAX_LEN];
	unsigned long	 lineno = 0;
	size_t		 len, records = 0;
	int		 rc = 0, c2;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			fprintf(stderr, "%s: line %lu too long\n", PROG,
			    lineno);
			while ((c2 = getchar()) != EOF && c2 != '\n')
				;
			rc = EXIT_RECORD;
			continue;
		}
		records += (size_t)do_line(c, line, len, lineno, &rc);
	}
	if (ferror(stdin)) {
		fprintf(stderr, "%s: reading standard input: %s\n", PROG,
		    strerror(errno));
		return EXIT_USAGE;
	}
	if (records == 0 && rc == 0) {
		fprintf(stderr, "%s: no key record in input\n", PROG);
		return EXIT_RECORD;
	}
	return rc;
}

static int
parse_now(const char *s, uint64_t *now)
{
	char			*end;
	unsigned long long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*now = v;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option	longopts[] = {
		{ "key",	required_argument,	NULL,	'k' },
		{ "server",	required_argument,	NULL,	's' },
		{ "now",	required_argument,	NULL,	'n' },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	struct ctx	 c;
	const char	*keyfile = NULL;
	enum gkey_kem	 kem;
	char		 err[512];
	size_t		 i;
	int		 ch, rc = EXIT_USAGE, have_now = 0;

	memset(&c, 0, sizeof(c));
	while ((ch = getopt_long(argc, argv, "k:s:n:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'k':
			keyfile = optarg;
			break;
		case 's':
			if (c.nservers == MAX_SERVERS) {
				fprintf(stderr, "%s: at most %d --server\n",
				    PROG, MAX_SERVERS);
				goto done;
			}
			if ((c.servers[c.nservers] = gkey_load_public_key(
			    optarg, err, sizeof(err))) == NULL) {
				fprintf(stderr, "%s: %s\n", PROG, err);
				goto done;
			}
			c.nservers++;
			break;
		case 'n':
			if (parse_now(optarg, &c.now) != 0) {
				fprintf(stderr, "%s: --now wants seconds "
				    "since 1970\n", PROG);
				goto done;
			}
			have_now = 1;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto done;
		default:
			usage(stderr);
			goto done;
		}
	}
	argc -= optind;
	argv += optind;
	if (keyfile == NULL || c.nservers == 0 || argc > 1) {
		usage(stderr);
		goto done;
	}
	if ((c.node = gkey_load_private_key(keyfile, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		goto done;
	}
	if (gkey_kem_of_pkey(c.node, &kem) != 0) {
		fprintf(stderr, "%s: %s: unsupported key type (P-256 or "
		    "X25519 needed)\n", PROG, keyfile);
		goto done;
	}
	if (!have_now) {
		time_t	t = time(NULL);

		c.now = t > 0 ? (uint64_t)t : 0;
	}

	if (argc == 1)
		rc = unwrap(&c, argv[0], strlen(argv[0]), 0);
	else
		rc = read_stdin(&c);
done:
	EVP_PKEY_free(c.node);
	for (i = 0; i < c.nservers; i++)
		EVP_PKEY_free(c.servers[i]);
	return rc;
}
