/*
 * radload.c - a small Authorize-Only load generator for the key server,
 * on libfreeradius-radius 3.2 (the library encodes, signs and decodes;
 * see doc/radius.md section 4 for the request and bench/README.md for
 * how bench/radius-bench.sh uses it).
 *
 * Load mode (the default): cycles through a list of identities, sends
 * Access-Requests (Service-Type = Authorize-Only, Message-Authenticator,
 * GKey-Cert-SHA256, the GKey-Requested-App given, NAS-Identifier) to one
 * server with at most WINDOW outstanding, until COUNT have been answered
 * or have timed out, or SECONDS have passed; then prints one line:
 *
 *   sent=N answered=N accepted=N rejected=N timeouts=N dropped=N
 *   records=N elapsed_s=S rps=R p50_us=X p99_us=Y
 *
 * (rps: answers per second; latencies of the answered requests, from
 * sending to the verified reply).
 *
 * Watch mode (-W FILE, two -s): asks both servers for the first
 * identity, one request outstanding per server, again and again, until
 * each has answered Access-Reject once. It says "radload: accepted by
 * every server" on stderr after the first Access-Accept from each. At the
 * end it reads FILE, one CLOCK_REALTIME instant in seconds (the COMMIT of
 * the revocation, written by the caller), and prints per server and for
 * the later of the two:
 *
 *   revoke server=HOST:PORT ms=T
 *   revoke-visible ms=T
 *
 * Every reply goes through rad_recv(), rad_verify() and rad_decode(): a
 * reply that is malformed, not from the server asked, not for an
 * outstanding Identifier or not signed with the secret is dropped and
 * counted; radload only reads what our own servers send, but never
 * trusts a byte of it.
 *
 * Identities: -f FILE, lines "SHA256-HEX [APP...]" (# comments), used in
 * order; or -g PREFIX:FIRST:COUNT, the fingerprints SHA-256(PREFIX || i)
 * for i = FIRST .. FIRST+COUNT-1 in decimal, as bench/gen-identities.sh
 * enrolls them, visited in a spread order that hits each once per COUNT
 * requests.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <freeradius/build.h>
#include <freeradius/libradius.h>

#include "hex.h"
#include "radattr.h"

#define NIDS		256		/* Identifiers per socket */
#define MAX_SOCKETS	16
#define MAX_WINDOW	(NIDS * MAX_SOCKETS)
#define MAX_APPS	32		/* doc/radius.md section 4 */
#define MAX_APP_LEN	64
#define MAX_SERVERS	2
#define MAX_COUNT	100000000UL
#define FP_LEN		SHA256_DIGEST_LENGTH
#define PREFIX_MAX	64

struct server {
	fr_ipaddr_t	 addr;
	uint16_t	 port;
	char		 name[INET6_ADDRSTRLEN + 8];
	/* watch mode */
	int		 accepted;
	int		 rejected;
	double		 reject_at;	/* CLOCK_REALTIME, seconds */
	int		 busy;		/* a request outstanding */
};

struct ident {
	uint8_t		 fp[FP_LEN];
	uint8_t		 n_apps;
	char		*apps[MAX_APPS];
};

struct slot {
	RADIUS_PACKET	*packet;	/* NULL: free */
	uint64_t	 sent_ns;	/* CLOCK_MONOTONIC */
	size_t		 srv;
};

struct load {
	/* configuration */
	struct server	 srv[MAX_SERVERS];
	size_t		 nsrv;
	char		*secret;
	const char	*nas_id;
	char		*apps[MAX_APPS];	/* -a, for every request */
	size_t		 n_apps;
	struct ident	*ids;			/* -f */
	size_t		 n_ids;
	char		 prefix[PREFIX_MAX + 1];	/* -g */
	uint64_t	 first, span, stride;
	unsigned long	 count;
	unsigned int	 window;
	double		 seconds;
	unsigned int	 timeout_ms;
	unsigned int	 interval_us;
	const char	*watch_file;
	/* state */
	int		 fd[MAX_SOCKETS];
	size_t		 nfd;
	struct slot	 slot[MAX_SOCKETS][NIDS];
	unsigned int	 next_id[MAX_SOCKETS];
	unsigned int	 outstanding;
	unsigned long	 next_req;
	unsigned long	 sent, answered, accepted, rejected, timeouts,
			 dropped, records;
	uint32_t	*lat_us;		/* one per answer */
	unsigned long	 lat_cap;
	uint64_t	 start_ns, last_ns;
};

static const DICT_ATTR *da_fp, *da_app, *da_record;
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static double
real_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void __attribute__((__noreturn__, __format__(__printf__, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("radload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: radload -s HOST:PORT [-s HOST:PORT] -x SECRET-FILE\n"
	    "               (-f FILE | -g PREFIX:FIRST:COUNT) [-a APP]...\n"
	    "               [-d DICTDIR] [-D DICTIONARY] [-N NAS-ID]\n"
	    "               [-n COUNT] [-w WINDOW] [-T SECONDS] [-t TIMEOUT-MS]\n"
	    "               [-W COMMIT-FILE [-i INTERVAL-US]]\n");
	exit(2);
}

static unsigned long
number(const char *what, const char *s, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    v < min || v > max)
		die("%s must be a number from %lu to %lu, not '%s'", what, min,
		    max, s);
	return v;
}

static void
parse_server(struct server *srv, const char *arg)
{
	char host[INET6_ADDRSTRLEN + 3], a[INET6_ADDRSTRLEN];
	const char *colon;
	size_t len;

	if ((colon = strrchr(arg, ':')) == NULL || colon == arg)
		die("-s wants HOST:PORT, not '%s'", arg);
	len = (size_t)(colon - arg);
	if (arg[0] == '[' && len >= 2 && arg[len - 1] == ']') {
		arg++;
		len -= 2;
	}
	if (len >= sizeof(host))
		die("-s: address too long in '%s'", arg);
	memcpy(host, arg, len);
	host[len] = '\0';
	if (fr_pton(&srv->addr, host, -1, AF_UNSPEC, false) < 0)
		die("-s: bad address '%s': %s", host, fr_strerror());
	srv->port = (uint16_t)number("the port", colon + 1, 1, 65535);
	if (inet_ntop(srv->addr.af, &srv->addr.ipaddr, a, sizeof(a)) == NULL)
		die("-s: cannot print the address '%s'", host);
	snprintf(srv->name, sizeof(srv->name),
	    srv->addr.af == AF_INET6 ? "[%s]:%u" : "%s:%u", a, srv->port);
}

/* The secret comes from a file, so that it is not on the command line. */
static char *
read_secret(const char *path)
{
	char buf[256], *secret;
	size_t len;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		die("cannot open %s: %s", path, strerror(errno));
	if (fgets(buf, sizeof(buf), f) == NULL)
		die("%s is empty", path);
	fclose(f);
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (len == 0)
		die("%s holds an empty secret", path);
	if ((secret = talloc_strdup(NULL, buf)) == NULL)
		die("out of memory");
	OPENSSL_cleanse(buf, sizeof(buf));
	return secret;
}

static int
app_ok(const char *s)
{
	size_t len = strlen(s);

	return len >= 1 && len <= MAX_APP_LEN;
}

static void
read_idents(struct load *l, const char *path)
{
	char line[8192], *save, *tok;
	size_t cap = 0, lineno = 0, got;
	struct ident *id;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		die("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f))
			die("%s:%zu: line too long", path, lineno);
		if ((tok = strtok_r(line, " \t\r\n", &save)) == NULL ||
		    tok[0] == '#')
			continue;
		if (l->n_ids == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((l->ids = talloc_realloc(NULL, l->ids, struct ident,
			    cap)) == NULL)
				die("out of memory");
		}
		id = &l->ids[l->n_ids];
		memset(id, 0, sizeof(*id));
		if (strlen(tok) != 2 * FP_LEN ||
		    gkey_hex_decode(tok, strlen(tok), id->fp, sizeof(id->fp),
		    &got) != 0 || got != FP_LEN)
			die("%s:%zu: not a SHA-256 in hex: '%s'", path, lineno,
			    tok);
		while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
			if (id->n_apps == MAX_APPS)
				die("%s:%zu: more than %d applications", path,
				    lineno, MAX_APPS);
			if (!app_ok(tok))
				die("%s:%zu: application name of 1..%d octets "
				    "expected", path, lineno, MAX_APP_LEN);
			if ((id->apps[id->n_apps++] = talloc_strdup(l->ids,
			    tok)) == NULL)
				die("out of memory");
		}
		l->n_ids++;
	}
	if (ferror(f))
		die("reading %s: %s", path, strerror(errno));
	fclose(f);
	if (l->n_ids == 0)
		die("%s lists no identity", path);
}

static uint64_t
gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void
parse_gen(struct load *l, const char *arg)
{
	const char *c1, *c2;
	char num[32];
	size_t len;

	if ((c2 = strrchr(arg, ':')) == NULL || c2 == arg)
		die("-g wants PREFIX:FIRST:COUNT");
	for (c1 = c2 - 1; c1 > arg && *c1 != ':'; c1--)
		;
	if (*c1 != ':')
		die("-g wants PREFIX:FIRST:COUNT");
	len = (size_t)(c1 - arg);
	if (len > PREFIX_MAX)
		die("-g: the prefix is longer than %d octets", PREFIX_MAX);
	memcpy(l->prefix, arg, len);
	l->prefix[len] = '\0';
	if ((size_t)(c2 - c1 - 1) >= sizeof(num))
		die("-g: FIRST too long");
	memcpy(num, c1 + 1, (size_t)(c2 - c1 - 1));
	num[c2 - c1 - 1] = '\0';
	l->first = number("-g FIRST", num, 0, UINT32_MAX);
	l->span = number("-g COUNT", c2 + 1, 1, UINT32_MAX);
	/* A stride prime to COUNT visits every identity once per COUNT. */
	for (l->stride = 7919; l->stride > 1 && gcd(l->stride, l->span) != 1;
	    l->stride += 2)
		;
	l->stride %= l->span;
	if (l->stride == 0 || gcd(l->stride, l->span) != 1)
		l->stride = 1;
}

/* The fingerprint and applications of request number k. */
static void
ident_of(const struct load *l, unsigned long k, uint8_t fp[FP_LEN],
    char *const **apps, size_t *n_apps)
{
	char buf[PREFIX_MAX + 24];
	uint64_t i;
	int n;

	if (l->ids != NULL) {
		const struct ident *id = &l->ids[k % l->n_ids];

		memcpy(fp, id->fp, FP_LEN);
		*apps = id->apps;
		*n_apps = id->n_apps;
		return;
	}
	i = l->first + ((uint64_t)k % l->span) * l->stride % l->span;
	n = snprintf(buf, sizeof(buf), "%s%" PRIu64, l->prefix, i);
	SHA256((const uint8_t *)buf, (size_t)n, fp);
	*apps = NULL;
	*n_apps = 0;
}

/* A free Identifier on some socket; 0 and sets *sock, *id, or -1. */
static int
alloc_slot(struct load *l, size_t *sock, unsigned int *id)
{
	size_t s, i;

	for (s = 0; s < l->nfd; s++)
		for (i = 0; i < NIDS; i++) {
			unsigned int cand = (l->next_id[s] + i) % NIDS;

			if (l->slot[s][cand].packet == NULL) {
				l->next_id[s] = (cand + 1) % NIDS;
				*sock = s;
				*id = cand;
				return 0;
			}
		}
	return -1;
}

/* Builds request number k for server srv and sends it. */
static void
send_one(struct load *l, unsigned long k, size_t srv)
{
	static const uint8_t zero_ma[AUTH_VECTOR_LEN];
	uint8_t fp[FP_LEN];
	char *const *apps;
	size_t n_apps, i, sock;
	unsigned int id;
	RADIUS_PACKET *p;
	int rc = 0;

	if (alloc_slot(l, &sock, &id) != 0)
		die("no free RADIUS Identifier (window too large)");
	ident_of(l, k, fp, &apps, &n_apps);
	if ((p = rad_alloc(NULL, true)) == NULL)
		die("out of memory");
	p->code = PW_CODE_ACCESS_REQUEST;
	p->id = (int)id;
	p->sockfd = l->fd[sock];
	p->dst_ipaddr = l->srv[srv].addr;
	p->dst_port = l->srv[srv].port;
	rc |= radattr_num(p, PW_SERVICE_TYPE, 0, NULL, 0, PW_AUTHORIZE_ONLY);
	rc |= radattr_num(p, PW_MESSAGE_AUTHENTICATOR, 0, zero_ma,
	    sizeof(zero_ma), 0);
	rc |= radattr_da(p, da_fp, fp, sizeof(fp));
	for (i = 0; i < n_apps; i++)
		rc |= radattr_da(p, da_app, apps[i], strlen(apps[i]));
	for (i = 0; i < l->n_apps; i++)
		rc |= radattr_da(p, da_app, l->apps[i], strlen(l->apps[i]));
	rc |= radattr_num(p, PW_NAS_IDENTIFIER, 0, l->nas_id,
	    strlen(l->nas_id), 0);
	if (rc != 0)
		die("cannot build an Access-Request: %s", fr_strerror());
	l->slot[sock][id].packet = p;
	l->slot[sock][id].sent_ns = mono_ns();
	l->slot[sock][id].srv = srv;
	l->outstanding++;
	l->sent++;
	l->srv[srv].busy = 1;
	/* A failed send is a lost request: it times out. */
	if (rad_send(p, NULL, l->secret) < 0)
		fprintf(stderr, "radload: sending to %s: %s\n",
		    l->srv[srv].name, fr_strerror());
}

static void
free_slot(struct load *l, struct slot *s)
{
	l->srv[s->srv].busy = 0;
	rad_free(&s->packet);
	l->outstanding--;
}

static size_t
count_records(const RADIUS_PACKET *reply)
{
	VALUE_PAIR *vp;
	vp_cursor_t c;
	size_t n = 0;

	for (vp = fr_cursor_init(&c, (VALUE_PAIR **)(uintptr_t)&reply->vps);
	    vp != NULL; vp = fr_cursor_next(&c))
		if (vp->da == da_record && vp->vp_length > 0)
			n++;
	return n;
}

/* Reads one datagram from socket sock; 1 read, 0 nothing there. */
static int
read_one(struct load *l, size_t sock)
{
	RADIUS_PACKET *reply;
	struct slot *s;
	struct server *srv;
	uint64_t now;
	uint8_t peek;

	if (recv(l->fd[sock], &peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT) <
	    0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		/* e.g. ECONNREFUSED from an ICMP error: consumed. */
		l->dropped++;
		return 1;
	}
	/* 0: FreeRADIUS 3.2 puts no Message-Authenticator in replies. */
	if ((reply = rad_recv(NULL, l->fd[sock], 0)) == NULL) {
		l->dropped++;
		return 1;
	}
	now = mono_ns();
	s = &l->slot[sock][reply->id & 0xff];
	if (s->packet == NULL) {
		l->dropped++;	/* late, after its time out */
		goto done;
	}
	srv = &l->srv[s->srv];
	if (fr_ipaddr_cmp(&reply->src_ipaddr, &srv->addr) != 0 ||
	    reply->src_port != srv->port ||
	    (reply->code != PW_CODE_ACCESS_ACCEPT &&
	    reply->code != PW_CODE_ACCESS_REJECT) ||
	    rad_verify(reply, s->packet, l->secret) != 0 ||
	    rad_decode(reply, s->packet, l->secret) != 0) {
		l->dropped++;
		goto done;
	}
	if (l->answered < l->lat_cap)
		l->lat_us[l->answered] = (uint32_t)((now - s->sent_ns) / 1000 >
		    UINT32_MAX ? UINT32_MAX : (now - s->sent_ns) / 1000);
	l->answered++;
	l->last_ns = now;
	if (reply->code == PW_CODE_ACCESS_ACCEPT) {
		l->accepted++;
		l->records += count_records(reply);
		srv->accepted++;
	} else {
		l->rejected++;
		if (srv->rejected++ == 0)
			srv->reject_at = real_s();
	}
	free_slot(l, s);
done:
	rad_free(&reply);
	return 1;
}

/* Times out what waited too long; the next deadline in ms, or -1. */
static int
expire(struct load *l, uint64_t now)
{
	uint64_t tmo = (uint64_t)l->timeout_ms * 1000000ULL, first = UINT64_MAX;
	size_t s, i;

	for (s = 0; s < l->nfd; s++)
		for (i = 0; i < NIDS; i++) {
			struct slot *sl = &l->slot[s][i];

			if (sl->packet == NULL)
				continue;
			if (now - sl->sent_ns >= tmo) {
				l->timeouts++;
				free_slot(l, sl);
			} else if (sl->sent_ns + tmo < first)
				first = sl->sent_ns + tmo;
		}
	if (first == UINT64_MAX)
		return -1;
	return (int)((first - now) / 1000000ULL + 1);
}

static void
open_sockets(struct load *l, size_t n)
{
	fr_ipaddr_t any;
	size_t i;
	int fl;

	memset(&any, 0, sizeof(any));
	any.af = l->srv[0].addr.af;
	any.prefix = any.af == AF_INET6 ? 128 : 32;
	for (i = 0; i < n; i++) {
		if ((l->fd[i] = fr_socket(&any, 0)) < 0)
			die("cannot open a RADIUS socket: %s", fr_strerror());
		if ((fl = fcntl(l->fd[i], F_GETFL)) < 0 ||
		    fcntl(l->fd[i], F_SETFL, fl | O_NONBLOCK) < 0)
			die("fcntl: %s", strerror(errno));
		l->next_id[i] = fr_rand() % NIDS;
	}
	l->nfd = n;
}

/* Waits for replies up to ms (-1: the next deadline) and reads them. */
static void
pump(struct load *l, int ms)
{
	struct pollfd pfd[MAX_SOCKETS];
	size_t i;
	int tmo, n;

	n = (int)l->timeouts;
	tmo = expire(l, mono_ns());
	if ((int)l->timeouts != n)
		return;		/* slots freed: the caller sends again */
	if (ms >= 0 && (tmo < 0 || ms < tmo))
		tmo = ms;
	for (i = 0; i < l->nfd; i++) {
		pfd[i].fd = l->fd[i];
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	if ((n = poll(pfd, l->nfd, tmo)) < 0) {
		if (errno == EINTR)
			return;
		die("poll: %s", strerror(errno));
	}
	for (i = 0; i < l->nfd && n > 0; i++)
		if (pfd[i].revents != 0)
			while (read_one(l, i) == 1 && l->answered < l->count)
				;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t
percentile(const uint32_t *v, unsigned long n, double p)
{
	unsigned long i;

	if (n == 0)
		return 0;
	i = (unsigned long)(p * (double)n + 0.999999);
	if (i < 1)
		i = 1;
	if (i > n)
		i = n;
	return v[i - 1];
}

static void
run_load(struct load *l)
{
	uint64_t end;
	double el;

	open_sockets(l, (l->window + NIDS - 1) / NIDS);
	l->start_ns = l->last_ns = mono_ns();
	end = l->start_ns + (uint64_t)(l->seconds * 1e9);
	while (!stop) {
		uint64_t now = mono_ns();

		while (l->outstanding < l->window && l->sent < l->count &&
		    now < end) {
			send_one(l, l->next_req++, 0);
			now = mono_ns();
		}
		if (l->outstanding == 0 && (l->sent >= l->count || now >= end))
			break;
		pump(l, now < end ? (int)((end - now) / 1000000ULL + 1) : -1);
	}
	qsort(l->lat_us, l->answered, sizeof(l->lat_us[0]), cmp_u32);
	el = (double)(l->last_ns - l->start_ns) / 1e9;
	printf("sent=%lu answered=%lu accepted=%lu rejected=%lu timeouts=%lu "
	    "dropped=%lu records=%lu elapsed_s=%.3f rps=%.1f p50_us=%" PRIu32
	    " p99_us=%" PRIu32 "\n", l->sent, l->answered, l->accepted,
	    l->rejected, l->timeouts, l->dropped, l->records, el,
	    el > 0 ? (double)l->answered / el : 0.0,
	    percentile(l->lat_us, l->answered, 0.50),
	    percentile(l->lat_us, l->answered, 0.99));
}

/*
 * The COMMIT instant from path, which the caller writes whole (rename)
 * after the COMMIT; it may come after both refusals: wait up to 10 s.
 */
static double
read_commit(const char *path)
{
	char buf[64], *end;
	double t;
	FILE *f;
	int i;

	for (i = 0; (f = fopen(path, "r")) == NULL; i++) {
		if (errno != ENOENT || i == 1000)
			die("cannot open %s: %s", path, strerror(errno));
		usleep(10000);
	}
	if (fgets(buf, sizeof(buf), f) == NULL)
		die("%s is empty", path);
	fclose(f);
	errno = 0;
	t = strtod(buf, &end);
	if (errno != 0 || end == buf || (*end != '\0' && *end != '\n') ||
	    t <= 0)
		die("%s holds no time in seconds", path);
	return t;
}

static void
run_watch(struct load *l)
{
	uint64_t end, next[MAX_SERVERS] = { 0 }, now;
	int told = 0, done;
	double commit, worst = 0;
	size_t i;

	open_sockets(l, 1);
	end = mono_ns() + (uint64_t)(l->seconds * 1e9);
	while (!stop && (now = mono_ns()) < end) {
		done = 1;
		for (i = 0; i < l->nsrv; i++) {
			struct server *s = &l->srv[i];

			if (s->rejected)
				continue;
			done = 0;
			if (!s->busy && now >= next[i]) {
				send_one(l, 0, i);
				next[i] = now + (uint64_t)l->interval_us * 1000;
			}
		}
		if (done)
			break;
		if (!told && l->srv[0].accepted && l->srv[l->nsrv - 1].accepted) {
			fprintf(stderr, "radload: accepted by every server\n");
			told = 1;
		}
		pump(l, l->interval_us >= 1000 ? (int)(l->interval_us / 1000) :
		    1);
	}
	if (!told)
		die("not every server accepted the identity before the end");
	commit = read_commit(l->watch_file);
	for (i = 0; i < l->nsrv; i++) {
		struct server *s = &l->srv[i];
		double ms;

		if (!s->rejected)
			die("%s never refused within the time bound", s->name);
		ms = (s->reject_at - commit) * 1e3;
		printf("revoke server=%s ms=%.1f\n", s->name, ms);
		if (ms > worst)
			worst = ms;
	}
	printf("revoke-visible ms=%.1f\n", worst);
	printf("sent=%lu answered=%lu accepted=%lu rejected=%lu timeouts=%lu "
	    "dropped=%lu\n", l->sent, l->answered, l->accepted, l->rejected,
	    l->timeouts, l->dropped);
}

static const DICT_ATTR *
need_attr(const char *name, int type)
{
	const DICT_ATTR *da = dict_attrbyname(name);

	if (da == NULL)
		die("%s is not in the dictionaries", name);
	if ((int)da->type != type)
		die("%s has the wrong type in the dictionaries", name);
	return da;
}

static void
load_dicts(const char *dictdir, const char *dict_file)
{
	char dcopy[PATH_MAX], bcopy[PATH_MAX];

	if (fr_check_lib_magic(RADIUSD_MAGIC_NUMBER) < 0)
		die("libfreeradius-radius does not match the headers: %s",
		    fr_strerror());
	if (dict_init(dictdir, "dictionary") < 0)
		die("cannot load %s/dictionary: %s", dictdir, fr_strerror());
	if (dict_file != NULL) {
		if (strlen(dict_file) >= sizeof(dcopy))
			die("dictionary path too long");
		snprintf(dcopy, sizeof(dcopy), "%s", dict_file);
		snprintf(bcopy, sizeof(bcopy), "%s", dict_file);
		if (dict_read(dirname(dcopy), basename(bcopy)) < 0)
			die("cannot load %s: %s", dict_file, fr_strerror());
	}
	da_fp = need_attr("GKey-Cert-SHA256", PW_TYPE_OCTETS);
	da_app = need_attr("GKey-Requested-App", PW_TYPE_STRING);
	da_record = need_attr("GKey-Key-Record", PW_TYPE_OCTETS);
}

int
main(int argc, char **argv)
{
	static struct load l;
	const char *dictdir = "/usr/share/freeradius", *dict_file = NULL;
	const char *file = NULL, *gen = NULL, *secret_file = NULL;
	struct sigaction sa;
	int c;

	l.nas_id = "radload";
	l.count = 1000;
	l.window = 32;
	l.seconds = 60;
	l.timeout_ms = 3000;
	l.interval_us = 1000;
	while ((c = getopt(argc, argv, "a:D:d:f:g:i:N:n:s:T:t:W:w:x:")) != -1) {
		switch (c) {
		case 'a':
			if (l.n_apps == MAX_APPS)
				die("at most %d -a", MAX_APPS);
			if (!app_ok(optarg))
				die("-a: an application name of 1..%d octets",
				    MAX_APP_LEN);
			l.apps[l.n_apps++] = optarg;
			break;
		case 'D': dict_file = optarg; break;
		case 'd': dictdir = optarg; break;
		case 'f': file = optarg; break;
		case 'g': gen = optarg; break;
		case 'i':
			l.interval_us = (unsigned int)number("-i", optarg, 0,
			    1000000);
			break;
		case 'N':
			if (strlen(optarg) < 1 || strlen(optarg) > 253)
				die("-N: 1..253 octets");
			l.nas_id = optarg;
			break;
		case 'n': l.count = number("-n", optarg, 1, MAX_COUNT); break;
		case 's':
			if (l.nsrv == MAX_SERVERS)
				die("at most %d -s", MAX_SERVERS);
			parse_server(&l.srv[l.nsrv++], optarg);
			break;
		case 'T':
			l.seconds = (double)number("-T", optarg, 1, 86400);
			break;
		case 't':
			l.timeout_ms = (unsigned int)number("-t", optarg, 1,
			    600000);
			break;
		case 'W': l.watch_file = optarg; break;
		case 'w':
			l.window = (unsigned int)number("-w", optarg, 1,
			    MAX_WINDOW);
			break;
		case 'x': secret_file = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || l.nsrv == 0 || secret_file == NULL ||
	    (file == NULL) == (gen == NULL))
		usage();
	if (l.watch_file == NULL && l.nsrv != 1)
		die("load mode asks one server; two are for -W");
	if (l.watch_file != NULL && l.nsrv != 2)
		die("-W asks two servers");
	if (l.nsrv == 2 && l.srv[0].addr.af != l.srv[1].addr.af)
		die("the servers must share one address family");
	load_dicts(dictdir, dict_file);
	l.secret = read_secret(secret_file);
	if (file != NULL)
		read_idents(&l, file);
	else
		parse_gen(&l, gen);
	if (l.watch_file != NULL)
		l.count = MAX_COUNT;	/* bounded by -T */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (l.watch_file != NULL) {
		/* No latencies kept. */
		run_watch(&l);
	} else {
		if ((l.lat_us = talloc_array(NULL, uint32_t, l.count)) == NULL)
			die("out of memory");
		l.lat_cap = l.count;
		run_load(&l);
	}
	OPENSSL_cleanse(l.secret, strlen(l.secret));
	return l.watch_file == NULL && l.answered == 0 ? 1 : 0;
}
