/*
 * gkey-reader - the sample receiver of doc/cose-message.md: listens on a
 * UDP port, opens each datagram with the GKs of the node's key file
 * (re-read when the file changes) and prints each reading on standard
 * output, each refusal by name on standard error.
 */
/* getopt_long(): a config.h may set it too. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cose.h"
#include "hex.h"

#define PROG		"gkey-reader"
#define REFUSALS_PER_SEC 20	/* refusal lines per second, then a count */

struct reader {
	const char		*path;
	struct stat		 seen;		/* of the key file last loaded */
	int			 loaded;
	struct gkey_cose_keys	 keys;
	struct gkey_cose_replay	 replay;	/* survives a key file reload */
	time_t			 rl_sec;
	unsigned		 rl_count;
	unsigned long		 suppressed;
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
	fprintf(fp, "usage: %s --keys FILE --port PORT [--join GROUP%%IFACE]\n",
	    PROG);
}

/* Re-read the key file when its inode, size or modification time moved. */
static void
reload_keys(struct reader *r)
{
	struct stat	sb;
	size_t		bad;

	if (stat(r->path, &sb) != 0) {
		if (r->loaded || r->seen.st_ino != 0)
			fprintf(stderr, "%s: %s: %s\n", PROG, r->path,
			    strerror(errno));
		gkey_cose_keys_clear(&r->keys);
		r->loaded = 0;
		memset(&r->seen, 0, sizeof(r->seen));
		return;
	}
	if (r->loaded && sb.st_ino == r->seen.st_ino &&
	    sb.st_size == r->seen.st_size &&
	    sb.st_mtim.tv_sec == r->seen.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == r->seen.st_mtim.tv_nsec)
		return;
	if (gkey_cose_keys_load(r->path, &r->keys, &bad) != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, r->path, strerror(errno));
		return;
	}
	r->seen = sb;
	r->loaded = 1;
	fprintf(stderr, "%s: %zu GKs from %s%s\n", PROG, r->keys.n, r->path,
	    bad ? " (some lines did not parse)" : "");
}

/* Text from the network, printed without control characters. */
static void
print_text(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, fp);
}

static void
refused(struct reader *r, const struct sockaddr_in6 *from,
    enum gkey_cose_status st, const struct gkey_cose_info *info)
{
	char		addr[INET6_ADDRSTRLEN], ifn[IF_NAMESIZE] = "";
	time_t		now = time(NULL);

	if (now != r->rl_sec) {
		if (r->suppressed)
			fprintf(stderr, "%s: %lu more refusals not shown\n",
			    PROG, r->suppressed);
		r->rl_sec = now;
		r->rl_count = 0;
		r->suppressed = 0;
	}
	if (++r->rl_count > REFUSALS_PER_SEC) {
		r->suppressed++;
		return;
	}
	if (inet_ntop(AF_INET6, &from->sin6_addr, addr, sizeof(addr)) == NULL)
		strcpy(addr, "?");
	if (from->sin6_scope_id != 0 && if_indextoname(from->sin6_scope_id,
	    ifn) == NULL)
		ifn[0] = '\0';
	fprintf(stderr, "refused from [%s%s%s]:%u: %s", addr, ifn[0] ? "%" : "",
	    ifn, ntohs(from->sin6_port), gkey_cose_strerror(st));
	if (st == GKEY_COSE_UNKNOWN_KID || st == GKEY_COSE_KEY_NOT_VALID ||
	    st == GKEY_COSE_REPLAYED || st == GKEY_COSE_TOO_OLD ||
	    st == GKEY_COSE_TAG_MISMATCH || st == GKEY_COSE_SEQ_ZERO)
		fprintf(stderr, " (app id %" PRIu32 " epoch %" PRIu32 " seq %"
		    PRIu64 ")", info->app_id, info->epoch, info->seq);
	fputc('\n', stderr);
}

static void
print_reading(const struct gkey_reading *rd, const struct gkey_cose_info *info)
{
	char	sid[2 * GKEY_COSE_SENDER_LEN + 1];

	gkey_hex_encode(info->sender, GKEY_COSE_SENDER_LEN, sid, sizeof(sid));
	printf("reading from %s app=", sid);
	print_text(stdout, info->key->app);
	printf(" epoch=%" PRIu32 " n=", info->epoch);
	print_text(stdout, rd->name);
	printf(" t=%" PRIu64 " v=", rd->time);
	if (rd->is_float)
		printf("%.17g", rd->fvalue);
	else
		printf("%" PRId64, rd->ivalue);
	printf(" u=");
	print_text(stdout, rd->unit);
	printf("\n");
	fflush(stdout);
}

static void
receive_one(struct reader *r, int s)
{
	uint8_t			buf[GKEY_COSE_MSG_MAX + 1];
	struct sockaddr_in6	from;
	socklen_t		fromlen = sizeof(from);
	struct gkey_reading	rd;
	struct gkey_cose_info	info;
	enum gkey_cose_status	st;
	ssize_t			n;

	n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
	if (n < 0) {
		if (errno != EINTR && errno != EAGAIN)
			fprintf(stderr, "%s: recvfrom: %s\n", PROG, strerror(errno));
		return;
	}
	reload_keys(r);
	st = gkey_cose_open(buf, (size_t)n, &r->keys, &r->replay,
	    (uint64_t)time(NULL), &rd, &info);
	if (st == GKEY_COSE_OK)
		print_reading(&rd, &info);
	else
		refused(r, &from, st, &info);
}

static int
open_socket(unsigned port, const char *join)
{
	struct sockaddr_in6	sin6;
	struct ipv6_mreq	mreq;
	char			grp[INET6_ADDRSTRLEN + IF_NAMESIZE + 1], *pct;
	int			s, on = 1;

	if ((s = socket(AF_INET6, SOCK_DGRAM, 0)) < 0)
		return -1;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_any;
	sin6.sin6_port = htons((uint16_t)port);
	/* Several readers on one node may share the port of a group. */
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) != 0)
		goto fail;
	if (join != NULL) {
		memset(&mreq, 0, sizeof(mreq));
		if (strlen(join) >= sizeof(grp))
			goto fail;
		strcpy(grp, join);
		if ((pct = strchr(grp, '%')) == NULL)
			goto fail;
		*pct++ = '\0';
		if (inet_pton(AF_INET6, grp, &mreq.ipv6mr_multiaddr) != 1 ||
		    (mreq.ipv6mr_interface = if_nametoindex(pct)) == 0 ||
		    setsockopt(s, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq,
		    sizeof(mreq)) != 0)
			goto fail;
	}
	return s;
fail:
	close(s);
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option	longopts[] = {
		{ "keys",	required_argument,	NULL,	'k' },
		{ "port",	required_argument,	NULL,	'p' },
		{ "join",	required_argument,	NULL,	'j' },
		{ "help",	no_argument,		NULL,	'h' },
		{ NULL,		0,			NULL,	0 }
	};
	static struct reader	 r;
	struct sigaction	 sa;
	struct pollfd		 pfd;
	const char		*join = NULL;
	char			*end;
	unsigned long		 port = 0;
	int			 ch, s;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			r.path = optarg;
			break;
		case 'p':
			errno = 0;
			port = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || port == 0 ||
			    port > 65535) {
				fprintf(stderr, "%s: bad port %s\n", PROG, optarg);
				return 2;
			}
			break;
		case 'j':
			join = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || r.path == NULL || port == 0) {
		usage(stderr);
		return 2;
	}
	if ((s = open_socket((unsigned)port, join)) < 0) {
		fprintf(stderr, "%s: cannot listen on port %lu%s%s: %s\n", PROG,
		    port, join ? " and join " : "", join ? join : "",
		    strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	reload_keys(&r);
	fprintf(stderr, "%s: listening on port %lu\n", PROG, port);
	pfd.fd = s;
	pfd.events = POLLIN;
	while (!stop) {
		/* Wake every second so a changed key file is read soon. */
		if (poll(&pfd, 1, 1000) > 0 && (pfd.revents & POLLIN))
			receive_one(&r, s);
		else
			reload_keys(&r);
	}
	gkey_cose_keys_clear(&r.keys);
	close(s);
	return 0;
}
