/*
 * relayd_conf.c - pana-relayd's configuration file.  See relayd_conf.h.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "relayd_conf.h"
#include "pana_msg.h"

#define MAX_TOKENS	8
#define LINE_MAX_LEN	1024

struct ctx {
	struct pr_config	*c;
	const char		*name;
	unsigned int		 line;
	char			*err;
	size_t			 errlen;
};

static int	bad(struct ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	kw_control(struct ctx *, char **);
static int	kw_log_level(struct ctx *, char **);

static int
bad(struct ctx *x, const char *fmt, ...)
{
	char msg[CONFIG_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->line > 0)
		snprintf(x->err, x->errlen, "%s:%u: %s", x->name, x->line, msg);
	else
		snprintf(x->err, x->errlen, "%s: %s", x->name, msg);
	return -1;
}

static int
number(struct ctx *x, const char *kw, const char *s, unsigned long min,
    unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return bad(x, "%s: '%s' is not a number", kw, s);
	*v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return bad(x, "%s: '%s' is not a number", kw, s);
	if (*v < min || *v > max)
		return bad(x, "%s: %lu is out of range %lu..%lu", kw, *v, min,
		    max);
	return 0;
}

int
config_sockaddr(const char *addr, const char *port,
    struct sockaddr_storage *ss)
{
	struct addrinfo hints, *res;
	char *end;
	unsigned long p;

	errno = 0;
	p = strtoul(port, &end, 10);
	if (!isdigit((unsigned char)port[0]) || errno != 0 || *end != '\0' ||
	    p > 65535)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(addr, port, &hints, &res) != 0)
		return -1;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* A relay key: its octets as written, PAA_RELAY_KEY_MIN..MAX of them. */
static int
relay_key(struct ctx *x, const char *kw, const char *text, uint8_t *key,
    size_t *key_len)
{
	size_t n = strlen(text);

	/* Say nothing about the key but its length. */
	if (n < PAA_RELAY_KEY_MIN || n > PAA_RELAY_KEY_MAX)
		return bad(x, "%s: key of %zu octets, not %d..%d", kw, n,
		    PAA_RELAY_KEY_MIN, PAA_RELAY_KEY_MAX);
	memcpy(key, text, n);
	*key_len = n;
	return 0;
}

static int
kw_role(struct ctx *x, char **t)
{
	if (strcmp(t[1], "paa") == 0)
		x->c->role_paa = 1;
	else if (strcmp(t[1], "relay") == 0)
		x->c->role_relay = 1;
	else
		return bad(x, "role: '%s' is neither paa nor relay", t[1]);
	return 0;
}

static int
kw_addr(struct ctx *x, char **t)
{
	struct sockaddr_storage *ss;
	int *have;

	if (strcmp(t[0], "paa-listen") == 0) {
		ss = &x->c->paa_listen;
		have = &x->c->have_paa_listen;
	} else if (strcmp(t[0], "relay-listen") == 0) {
		ss = &x->c->relay_listen;
		have = &x->c->have_relay_listen;
	} else {
		ss = &x->c->relay_paa;
		have = &x->c->have_relay_paa;
	}
	if (*have)
		return bad(x, "%s given twice", t[0]);
	if (config_sockaddr(t[1], t[2], ss) != 0)
		return bad(x, "%s: '%s %s' is not a numeric address and port",
		    t[0], t[1], t[2]);
	if (strcmp(t[0], "relay-paa") == 0 &&
	    ((ss->ss_family == AF_INET &&
	    ((struct sockaddr_in *)ss)->sin_port == 0) ||
	    (ss->ss_family == AF_INET6 &&
	    ((struct sockaddr_in6 *)ss)->sin6_port == 0)))
		return bad(x, "relay-paa: port 0");
	if (strcmp(t[0], "relay-paa") == 0 && t[3] != NULL &&
	    relay_key(x, t[0], t[3], x->c->relay_key,
	    &x->c->relay_key_len) != 0)
		return -1;
	*have = 1;
	return 0;
}

/* relay-peer ADDR [KEY]: a relay the PAA accepts PANA-Relay from. */
static int
kw_relay_peer(struct ctx *x, char **t)
{
	struct paa_config *pc = &x->c->paa;
	struct paa_relay_peer *rp;
	struct sockaddr_storage ss;
	unsigned int i;

	if (pc->n_relays >= PAA_RELAYS_MAX)
		return bad(x, "relay-peer: at most %d relays", PAA_RELAYS_MAX);
	if (config_sockaddr(t[1], "0", &ss) != 0)
		return bad(x, "relay-peer: '%s' is not a numeric address",
		    t[1]);
	for (i = 0; i < pc->n_relays; i++)
		if (pc->relays[i].addr.ss_family == ss.ss_family &&
		    memcmp(&pc->relays[i].addr, &ss, sizeof(ss)) == 0)
			return bad(x, "relay-peer: %s given twice", t[1]);
	rp = &pc->relays[pc->n_relays];
	memset(rp, 0, sizeof(*rp));
	rp->addr = ss;
	if (t[2] != NULL && relay_key(x, t[0], t[2], rp->key,
	    &rp->key_len) != 0)
		return -1;
	pc->n_relays++;
	return 0;
}

/* radius-server ADDR[:PORT] SECRET, IPv6 as [ADDR]:PORT. */
static int
kw_radius(struct ctx *x, char **t)
{
	struct config_radius *r;
	struct sockaddr_storage ss;
	char host[INET6_ADDRSTRLEN + 2], *colon, *port = NULL;
	unsigned long p = 1812;

	if (x->c->n_radius >= CONFIG_RADIUS_MAX)
		return bad(x, "radius-server: at most %d servers",
		    CONFIG_RADIUS_MAX);
	if (strlen(t[1]) >= sizeof(host))
		return bad(x, "radius-server: address too long");
	snprintf(host, sizeof(host), "%s", t[1]);
	if (host[0] == '[') {
		if ((colon = strchr(host, ']')) == NULL)
			return bad(x, "radius-server: missing ']'");
		*colon = '\0';
		if (colon[1] == ':')
			port = colon + 2;
		else if (colon[1] != '\0')
			return bad(x, "radius-server: junk after ']'");
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if ((colon = strchr(host, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		*colon = '\0';
		port = colon + 1;
	}
	if (port != NULL && number(x, "radius-server port", port, 1, 65535,
	    &p) != 0)
		return -1;
	if (config_sockaddr(host, "0", &ss) != 0)
		return bad(x, "radius-server: '%s' is not a numeric address",
		    host);
	if (strlen(t[2]) > CONFIG_SECRET_MAX)
		/* Say nothing about the secret but its length. */
		return bad(x, "radius-server: secret longer than %d octets",
		    CONFIG_SECRET_MAX);
	r = &x->c->radius[x->c->n_radius++];
	snprintf(r->host, sizeof(r->host), "%s", host);
	r->port = (uint16_t)p;
	snprintf(r->secret, sizeof(r->secret), "%s", t[2]);
	return 0;
}

static int
kw_string(struct ctx *x, char **t)
{
	char *dst;
	size_t size;

	if (strcmp(t[0], "radius-dictionary") == 0) {
		dst = x->c->dictionary;
		size = sizeof(x->c->dictionary);
	} else if (strcmp(t[0], "radius-dictdir") == 0) {
		dst = x->c->dictdir;
		size = sizeof(x->c->dictdir);
	} else if (strcmp(t[0], "nas-identifier") == 0) {
		dst = x->c->nas_identifier;
		size = sizeof(x->c->nas_identifier);
	} else {
		dst = x->c->user;
		size = sizeof(x->c->user);
	}
	if (strlen(t[1]) >= size)
		return bad(x, "%s: longer than %zu octets", t[0], size - 1);
	snprintf(dst, size, "%s", t[1]);
	return 0;
}

static int
kw_number(struct ctx *x, char **t)
{
	struct pr_config *c = x->c;
	unsigned long v;

	if (strcmp(t[0], "vendor") == 0) {
		if (number(x, t[0], t[1], 1, 0xffffffUL, &v) != 0)
			return -1;
		c->paa.vendor_id = (uint32_t)v;
	} else if (strcmp(t[0], "max-sessions") == 0) {
		if (number(x, t[0], t[1], 1, 1000000, &v) != 0)
			return -1;
		c->paa.max_sessions = (unsigned int)v;
	} else if (strcmp(t[0], "max-sessions-per-address") == 0) {
		if (number(x, t[0], t[1], 1, 1000000, &v) != 0)
			return -1;
		c->paa.max_per_addr = (unsigned int)v;
	} else if (strcmp(t[0], "max-sessions-per-relay") == 0) {
		if (number(x, t[0], t[1], 1, 1000000, &v) != 0)
			return -1;
		c->paa.max_per_relay = (unsigned int)v;
	} else if (strcmp(t[0], "idle-timeout") == 0) {
		if (number(x, t[0], t[1], 1, 86400, &v) != 0)
			return -1;
		c->paa.idle_timeout_ms = (uint64_t)v * 1000;
	} else if (strcmp(t[0], "auth-timeout") == 0) {
		if (number(x, t[0], t[1], 1, 3600, &v) != 0)
			return -1;
		c->paa.auth_timeout_ms = (uint64_t)v * 1000;
	} else if (strcmp(t[0], "ping-interval") == 0) {
		if (number(x, t[0], t[1], 0, 86400, &v) != 0)
			return -1;
		c->paa.ping_interval_ms = (uint64_t)v * 1000;
	} else if (strcmp(t[0], "reauth-before") == 0) {
		if (number(x, t[0], t[1], 0, 0xffffffffUL, &v) != 0)
			return -1;
		c->paa.reauth_before_ms = (uint64_t)v * 1000;
	} else if (strcmp(t[0], "session-lifetime") == 0) {
		if (number(x, t[0], t[1], 10, 0xffffffffUL, &v) != 0)
			return -1;
		c->paa.default_lifetime = (uint32_t)v;
	} else if (strcmp(t[0], "retransmit-initial-ms") == 0) {
		if (number(x, t[0], t[1], 10, 60000, &v) != 0)
			return -1;
		c->paa.rt_initial_ms = v;
	} else if (strcmp(t[0], "retransmit-max-ms") == 0) {
		if (number(x, t[0], t[1], 10, 3600000, &v) != 0)
			return -1;
		c->paa.rt_max_ms = v;
	} else if (strcmp(t[0], "retransmit-max-count") == 0) {
		if (number(x, t[0], t[1], 0, 100, &v) != 0)
			return -1;
		c->paa.rt_max_count = (unsigned int)v;
	} else if (strcmp(t[0], "radius-timeout-ms") == 0) {
		if (number(x, t[0], t[1], 10, 60000, &v) != 0)
			return -1;
		c->radius_timeout_ms = (unsigned int)v;
	} else if (strcmp(t[0], "radius-retries") == 0) {
		if (number(x, t[0], t[1], 0, 10, &v) != 0)
			return -1;
		c->radius_retries = (unsigned int)v;
	} else if (strcmp(t[0], "framed-mtu") == 0) {
		if (number(x, t[0], t[1], 64, 4096, &v) != 0)
			return -1;
		c->framed_mtu = (uint32_t)v;
	}
	return 0;
}

/* A keyword takes args arguments, then up to optional more. */
static const struct keyword {
	const char	*name;
	int		 args;
	int		 optional;
	int		(*fn)(struct ctx *, char **);
} keywords[] = {
	{ "role",			1, 0, kw_role },
	{ "paa-listen",			2, 0, kw_addr },
	{ "relay-listen",		2, 0, kw_addr },
	{ "relay-paa",			2, 1, kw_addr },
	{ "relay-peer",			1, 1, kw_relay_peer },
	{ "radius-server",		2, 0, kw_radius },
	{ "radius-dictionary",		1, 0, kw_string },
	{ "radius-dictdir",		1, 0, kw_string },
	{ "radius-timeout-ms",		1, 0, kw_number },
	{ "radius-retries",		1, 0, kw_number },
	{ "framed-mtu",			1, 0, kw_number },
	{ "nas-identifier",		1, 0, kw_string },
	{ "vendor",			1, 0, kw_number },
	{ "max-sessions",		1, 0, kw_number },
	{ "max-sessions-per-address",	1, 0, kw_number },
	{ "max-sessions-per-relay",	1, 0, kw_number },
	{ "idle-timeout",		1, 0, kw_number },
	{ "auth-timeout",		1, 0, kw_number },
	{ "session-lifetime",		1, 0, kw_number },
	{ "ping-interval",		1, 0, kw_number },
	{ "reauth-before",		1, 0, kw_number },
	{ "retransmit-initial-ms",	1, 0, kw_number },
	{ "retransmit-max-ms",		1, 0, kw_number },
	{ "retransmit-max-count",	1, 0, kw_number },
	{ "user",			1, 0, kw_string },
	{ "control-socket",		1, 0, kw_control },
	{ "log-level",			1, 0, kw_log_level },
};

static int
parse_line(struct ctx *x, char *line)
{
	char *t[MAX_TOKENS + 1], *p, *hash;
	size_t i;
	int n = 0;

	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	for (p = strtok(line, " \t\r\n"); p != NULL;
	    p = strtok(NULL, " \t\r\n")) {
		if (n == MAX_TOKENS)
			return bad(x, "too many words");
		t[n++] = p;
	}
	if (n == 0)
		return 0;
	t[n] = NULL;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (strcmp(t[0], keywords[i].name) != 0)
			continue;
		if (keywords[i].optional > 0 && (n - 1 < keywords[i].args ||
		    n - 1 > keywords[i].args + keywords[i].optional))
			return bad(x, "%s takes %d to %d arguments, not %d",
			    t[0], keywords[i].args, keywords[i].args +
			    keywords[i].optional, n - 1);
		if (keywords[i].optional == 0 && n - 1 != keywords[i].args)
			return bad(x, "%s takes %d argument%s, not %d", t[0],
			    keywords[i].args, keywords[i].args == 1 ? "" : "s",
			    n - 1);
		return keywords[i].fn(x, t);
	}
	return bad(x, "unknown keyword '%s'", t[0]);
}

static void
defaults(struct pr_config *c)
{
	memset(c, 0, sizeof(*c));
	paa_config_defaults(&c->paa);
	snprintf(c->dictdir, sizeof(c->dictdir), "/usr/share/freeradius");
	snprintf(c->dictionary, sizeof(c->dictionary),
	    "/usr/share/gkey/raddb/dictionary.gkey");
	c->radius_timeout_ms = 3000;
	c->radius_retries = 2;
}

static int
finish(struct ctx *x)
{
	struct pr_config *c = x->c;

	x->line = 0;
	if (!c->role_paa && !c->role_relay)
		return bad(x, "no role (role paa, role relay, or both)");
	if (c->role_paa) {
		if (!c->have_paa_listen)
			return bad(x, "role paa needs paa-listen");
		if (c->n_radius == 0)
			return bad(x, "role paa needs radius-server");
		if (c->nas_identifier[0] == '\0')
			return bad(x, "role paa needs nas-identifier");
		if (c->paa.rt_max_ms < c->paa.rt_initial_ms)
			return bad(x, "retransmit-max-ms is below "
			    "retransmit-initial-ms");
	}
	if (c->role_relay && (!c->have_relay_listen || !c->have_relay_paa))
		return bad(x, "role relay needs relay-listen and relay-paa");
	return 0;
}

int
config_parse(const char *text, const char *name, struct pr_config *c,
    char *err, size_t errlen)
{
	struct ctx x = { c, name, 0, err, errlen };
	char line[LINE_MAX_LEN + 1];
	const char *p = text, *nl;
	size_t len;

	defaults(c);
	while (*p != '\0') {
		x.line++;
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len > LINE_MAX_LEN) {
			bad(&x, "line longer than %d octets", LINE_MAX_LEN);
			goto fail;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_line(&x, line) != 0)
			goto fail;
		p += len;
		if (*p == '\n')
			p++;
	}
	OPENSSL_cleanse(line, sizeof(line));
	if (finish(&x) != 0) {
		config_clear(c);
		return -1;
	}
	return 0;
 fail:
	OPENSSL_cleanse(line, sizeof(line));
	config_clear(c);
	return -1;
}

int
config_load(const char *path, struct pr_config *c, char *err,
    size_t errlen)
{
	struct stat st;
	FILE *fp;
	char *text;
	size_t n;
	int rc;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > 1024 * 1024) {
		snprintf(err, errlen, "%s: not a regular file of at most 1 MB",
		    path);
		fclose(fp);
		return -1;
	}
	if ((text = calloc(1, (size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		fclose(fp);
		return -1;
	}
	n = fread(text, 1, (size_t)st.st_size, fp);
	fclose(fp);
	if (memchr(text, '\0', n) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL octet", path);
		rc = -1;
	} else
		rc = config_parse(text, path, c, err, errlen);
	OPENSSL_cleanse(text, (size_t)st.st_size + 1);
	free(text);
	return rc;
}

void
config_clear(struct pr_config *c)
{
	size_t i;

	for (i = 0; i < CONFIG_RADIUS_MAX; i++)
		OPENSSL_cleanse(c->radius[i].secret,
		    sizeof(c->radius[i].secret));
	for (i = 0; i < PAA_RELAYS_MAX; i++)
		OPENSSL_cleanse(c->paa.relays[i].key,
		    sizeof(c->paa.relays[i].key));
	OPENSSL_cleanse(c->relay_key, sizeof(c->relay_key));
}

/* control-socket PATH: an absolute path that fits a sockaddr_un. */
static int
kw_control(struct ctx *x, char **t)
{
	if (t[1][0] != '/')
		return bad(x, "control-socket: '%s' is not an absolute path",
		    t[1]);
	if (strlen(t[1]) >= sizeof(x->c->control_socket))
		return bad(x, "control-socket: longer than %zu octets",
		    sizeof(x->c->control_socket) - 1);
	snprintf(x->c->control_socket, sizeof(x->c->control_socket), "%s",
	    t[1]);
	return 0;
}

/* log-level info|debug */
static int
kw_log_level(struct ctx *x, char **t)
{
	if (strcmp(t[1], "info") == 0)
		x->c->log_debug = 0;
	else if (strcmp(t[1], "debug") == 0)
		x->c->log_debug = 1;
	else
		return bad(x, "log-level: '%s' is neither info nor debug", t[1]);
	return 0;
}
