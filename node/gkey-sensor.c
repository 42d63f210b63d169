/*
 * gkey-sensor - the sample sender of doc/cose-message.md: one reading per
 * interval, sealed with the current GK of its application (from the
 * node's key file), as one UDP datagram to a configured destination.
 *
 * The sequence number is reserved in a state file (written and synced
 * before the datagram leaves) so that it never repeats under one GK,
 * across restarts included.
 */
/* getopt_long(), strtok_r(): a config.h may set it too. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cose.h"
#include "hex.h"

#define PROG		"gkey-sensor"
#define STATE_MAX	GKEY_COSE_KEYS_MAX
#define STATE_LINE_MAX	128

struct opts {
	const char	*keys;
	const char	*app;
	const char	*cert;
	const char	*state;
	const char	*save;
	const char	*name;
	const char	*unit;
	const char	*value;
	unsigned	 interval;
	int		 once;
	struct sockaddr_in6 to;
};

/* The last sequence number used under one kid. */
struct seqstate {
	uint32_t	app_id;
	uint32_t	epoch;
	uint64_t	seq;
};

static volatile sig_atomic_t	stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s --keys FILE --app NAME --cert CERT.pem "
	    "--state FILE\n"
	    "       %*s --to '[ADDR%%IFACE]:PORT' [--name NAME] [--unit UNIT]\n"
	    "       %*s [--value NUMBER] [--interval SECONDS] [--once] "
	    "[--save FILE]\n",
	    PROG, (int)strlen(PROG), "", (int)strlen(PROG), "");
}

/* "[ADDR]:PORT" or "[ADDR%IFACE]:PORT". */
static int
parse_dest(const char *s, struct sockaddr_in6 *sin6)
{
	char		 buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2], *pct, *end;
	const char	*rb;
	unsigned long	 port;
	size_t		 len;

	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	if (s[0] != '[' || (rb = strchr(s, ']')) == NULL ||
	    rb[1] != ':' || (len = (size_t)(rb - s - 1)) >= sizeof(buf))
		return -1;
	memcpy(buf, s + 1, len);
	buf[len] = '\0';
	if ((pct = strchr(buf, '%')) != NULL) {
		*pct++ = '\0';
		if ((sin6->sin6_scope_id = if_nametoindex(pct)) == 0)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return -1;
	errno = 0;
	port = strtoul(rb + 2, &end, 10);
	if (errno != 0 || *end != '\0' || end == rb + 2 || port == 0 ||
	    port > 65535)
		return -1;
	sin6->sin6_port = htons((uint16_t)port);
	return 0;
}

/* The sender id from the certificate's SubjectPublicKeyInfo. */
static int
load_sender(const char *path, uint8_t sender[GKEY_COSE_SENDER_LEN])
{
	FILE		*fp;
	X509		*x = NULL;
	unsigned char	*der = NULL;
	int		 len, ret = -1;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
		return -1;
	}
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL || (len = i2d_PUBKEY(X509_get0_pubkey(x), &der)) <= 0 ||
	    gkey_cose_sender_id(der, (size_t)len, sender) != 0) {
		fprintf(stderr, "%s: %s: not a PEM certificate with a public key\n",
		    PROG, path);
		goto done;
	}
	ret = 0;
done:
	OPENSSL_free(der);
	X509_free(x);
	return ret;
}

static int
parse_reading(const struct opts *o, struct gkey_reading *r)
{
	char	*end;

	memset(r, 0, sizeof(*r));
	if (strlen(o->name) > GKEY_COSE_NAME_MAX ||
	    strlen(o->unit) > GKEY_COSE_UNIT_MAX)
		return -1;
	strcpy(r->name, o->name);
	strcpy(r->unit, o->unit);
	errno = 0;
	if (strpbrk(o->value, ".eEnN") != NULL) {
		r->is_float = 1;
		r->fvalue = strtod(o->value, &end);
	} else {
		r->ivalue = strtoll(o->value, &end, 10);
	}
	if (errno != 0 || *end != '\0' || end == o->value)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ state file */

static size_t
state_load(const char *path, struct seqstate *st)
{
	char			line[STATE_LINE_MAX];
	FILE			*fp;
	size_t			n = 0;
	unsigned long long	seq;
	unsigned		app, epoch;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (n < STATE_MAX && fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "id=%u epoch=%u seq=%llu", &app, &epoch,
		    &seq) != 3)
			continue;
		st[n].app_id = app;
		st[n].epoch = epoch;
		st[n].seq = seq;
		n++;
	}
	fclose(fp);
	return n;
}

/* Written to PATH.tmp, synced, renamed: the old or the new, never half. */
static int
state_save(const char *path, const struct seqstate *st, size_t n)
{
	char	tmp[PATH_MAX];
	FILE	*fp;
	size_t	i;
	int	fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	for (i = 0; i < n; i++)
		fprintf(fp, "id=%" PRIu32 " epoch=%" PRIu32 " seq=%" PRIu64 "\n",
		    st[i].app_id, st[i].epoch, st[i].seq);
	ok = fflush(fp) == 0 && fsync(fd) == 0;
	if (fclose(fp) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * Reserve the next sequence number under key: one more than the state
 * says (1 for a new kid), saved before use.  Entries of kids no longer in
 * the key file are dropped: such a GK is never used again.
 */
static int
reserve_seq(const char *path, const struct gkey_cose_keys *keys,
    const struct gkey_cose_key *key, uint64_t *seq)
{
	struct seqstate	st[STATE_MAX], keep[STATE_MAX];
	size_t		n, m = 0, i, j;
	int		found = 0;

	n = state_load(path, st);
	for (i = 0; i < n; i++) {
		for (j = 0; j < keys->n; j++)
			if (keys->key[j].app_id == st[i].app_id &&
			    keys->key[j].epoch == st[i].epoch)
				break;
		if (j == keys->n)
			continue;
		keep[m] = st[i];
		if (st[i].app_id == key->app_id && st[i].epoch == key->epoch) {
			if (st[i].seq >= GKEY_COSE_SEQ_MAX) {
				fprintf(stderr, "%s: sequence numbers of epoch %"
				    PRIu32 " used up: waiting for the next epoch\n",
				    PROG, key->epoch);
				return -1;
			}
			*seq = ++keep[m].seq;
			found = 1;
		}
		m++;
	}
	if (!found) {
		if (m == STATE_MAX)
			return -1;
		keep[m].app_id = key->app_id;
		keep[m].epoch = key->epoch;
		keep[m].seq = *seq = 1;
		m++;
	}
	if (state_save(path, keep, m) != 0) {
		fprintf(stderr, "%s: %s: cannot save the sequence number: %s\n",
		    PROG, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ sending */

static int
save_copy(const char *path, const uint8_t *m, size_t len)
{
	FILE	*fp;
	int	 ok;

	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	ok = fwrite(m, 1, len, fp) == len;
	if (fclose(fp) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* One reading: 0 sent, -1 not (with a line on stderr). */
static int
send_one(const struct opts *o, int s, const uint8_t sender[GKEY_COSE_SENDER_LEN])
{
	static struct gkey_cose_keys	 keys;
	const struct gkey_cose_key	*key;
	struct gkey_reading		 r;
	uint8_t				 m[GKEY_COSE_MSG_MAX];
	char				 sid[2 * GKEY_COSE_SENDER_LEN + 1];
	uint64_t			 now = (uint64_t)time(NULL), seq;
	enum gkey_cose_status		 st;
	size_t				 len;
	int				 ret = -1;

	if (gkey_cose_keys_load(o->keys, &keys, NULL) != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, o->keys, strerror(errno));
		goto done;
	}
	if ((key = gkey_cose_keys_current(&keys, o->app, now)) == NULL) {
		fprintf(stderr, "%s: no valid GK of application %s in %s\n",
		    PROG, o->app, o->keys);
		goto done;
	}
	if (parse_reading(o, &r) != 0 || reserve_seq(o->state, &keys, key,
	    &seq) != 0)
		goto done;
	r.time = now;
	if ((st = gkey_cose_seal(&r, key, sender, seq, m, sizeof(m), &len)) !=
	    GKEY_COSE_OK) {
		fprintf(stderr, "%s: cannot seal: %s\n", PROG,
		    gkey_cose_strerror(st));
		goto done;
	}
	if (o->save != NULL && save_copy(o->save, m, len) != 0)
		fprintf(stderr, "%s: %s: %s\n", PROG, o->save, strerror(errno));
	if (sendto(s, m, len, 0, (const struct sockaddr *)&o->to,
	    sizeof(o->to)) != (ssize_t)len) {
		fprintf(stderr, "%s: sendto: %s\n", PROG, strerror(errno));
		goto done;
	}
	gkey_hex_encode(sender, GKEY_COSE_SENDER_LEN, sid, sizeof(sid));
	printf("sent app=%s epoch=%" PRIu32 " sender=%s seq=%" PRIu64
	    " bytes=%zu\n", key->app, key->epoch, sid, seq, len);
	fflush(stdout);
	ret = 0;
done:
	gkey_cose_keys_clear(&keys);
	return ret;
}

int
main(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "keys",	required_argument,	NULL,	'k' },
		{ "app",	required_argument,	NULL,	'a' },
		{ "cert",	required_argument,	NULL,	'c' },
		{ "state",	required_argument,	NULL,	's' },
		{ "to",		required_argument,	NULL,	't' },
		{ "name",	required_argument,	NULL,	'n' },
		{ "unit",	required_argument,	NULL,	'u' },
		{ "value",	required_argument,	NULL,	'V' },
		{ "interval",	required_argument,	NULL,	'i' },
		{ "once",	no_argument,		NULL,	'1' },
		{ "save",	required_argument,	NULL,	'S' },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	struct opts		 o;
	struct gkey_reading	 probe;
	struct sigaction	 sa;
	uint8_t			 sender[GKEY_COSE_SENDER_LEN];
	char			*end;
	unsigned long		 iv;
	int			 ch, s, have_to = 0, ret = 1;

	memset(&o, 0, sizeof(o));
	o.name = "sensor";
	o.unit = "Cel";
	o.value = "21";
	o.interval = 10;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k': o.keys = optarg; break;
		case 'a': o.app = optarg; break;
		case 'c': o.cert = optarg; break;
		case 's': o.state = optarg; break;
		case 'n': o.name = optarg; break;
		case 'u': o.unit = optarg; break;
		case 'V': o.value = optarg; break;
		case 'S': o.save = optarg; break;
		case '1': o.once = 1; break;
		case 't':
			if (parse_dest(optarg, &o.to) != 0) {
				fprintf(stderr, "%s: bad destination %s (want "
				    "[ADDR%%IFACE]:PORT)\n", PROG, optarg);
				return 2;
			}
			have_to = 1;
			break;
		case 'i':
			errno = 0;
			iv = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || iv == 0 || iv > 86400) {
				fprintf(stderr, "%s: bad interval %s\n", PROG, optarg);
				return 2;
			}
			o.interval = (unsigned)iv;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || o.keys == NULL || o.app == NULL ||
	    o.cert == NULL || o.state == NULL || !have_to) {
		usage(stderr);
		return 2;
	}
	if (parse_reading(&o, &probe) != 0) {
		fprintf(stderr, "%s: bad reading: name up to %d octets, "
		    "unit up to %d, value a number\n", PROG,
		    GKEY_COSE_NAME_MAX, GKEY_COSE_UNIT_MAX);
		return 2;
	}
	if (load_sender(o.cert, sender) != 0)
		return 2;
	if ((s = socket(AF_INET6, SOCK_DGRAM, 0)) < 0) {
		fprintf(stderr, "%s: socket: %s\n", PROG, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (;;) {
		ret = send_one(&o, s, sender) == 0 ? 0 : 1;
		if (o.once || stop)
			break;
		/* sleep() returns early on a signal. */
		sleep(o.interval);
		if (stop)
			break;
	}
	close(s);
	return o.once ? ret : 0;
}
