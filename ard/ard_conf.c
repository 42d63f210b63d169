/*
 * ard_conf.c - gkey-ard's configuration file.  See ard_conf.h and
 * gkey-ard.conf(5).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ard_conf.h"

#define MAX_TOKENS	12
#define LINE_MAX_LEN	1024

struct ctx {
	struct ard_config	*c;
	const char		*name;
	unsigned int		 line;
	char			*err;
	size_t			 errlen;
};

static int	bad(struct ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
bad(struct ctx *x, const char *fmt, ...)
{
	char msg[ARD_CONF_ERRLEN];
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

static int
yesno(struct ctx *x, const char *kw, const char *s, int *v)
{
	if (strcmp(s, "yes") == 0)
		*v = 1;
	else if (strcmp(s, "no") == 0)
		*v = 0;
	else
		return bad(x, "%s: '%s' is neither yes nor no", kw, s);
	return 0;
}

static int
copy(struct ctx *x, const char *kw, const char *s, char *dst, size_t size)
{
	if (strlen(s) >= size)
		return bad(x, "%s: longer than %zu octets", kw, size - 1);
	snprintf(dst, size, "%s", s);
	return 0;
}

static int
kw_string(struct ctx *x, char **t, int n)
{
	struct ard_config *c = x->c;

	(void)n;
	if (strcmp(t[0], "interface") == 0)
		return copy(x, t[0], t[1], c->interface, sizeof(c->interface));
	if (strcmp(t[0], "certificate") == 0)
		return copy(x, t[0], t[1], c->certificate,
		    sizeof(c->certificate));
	if (strcmp(t[0], "private-key") == 0)
		return copy(x, t[0], t[1], c->private_key,
		    sizeof(c->private_key));
	if (strcmp(t[0], "radius-dictionary") == 0)
		return copy(x, t[0], t[1], c->dictionary,
		    sizeof(c->dictionary));
	if (strcmp(t[0], "radius-dictdir") == 0)
		return copy(x, t[0], t[1], c->dictdir, sizeof(c->dictdir));
	if (strcmp(t[0], "nas-identifier") == 0)
		return copy(x, t[0], t[1], c->nas_identifier,
		    sizeof(c->nas_identifier));
	return copy(x, t[0], t[1], c->user, sizeof(c->user));
}

/* radius-server ADDR[:PORT] SECRET, IPv6 as [ADDR]:PORT. */
static int
kw_radius(struct ctx *x, char **t, int n)
{
	struct ard_radius_server *r;
	struct in6_addr a6;
	struct in_addr a4;
	char host[INET6_ADDRSTRLEN + 2], *end, *port = NULL;
	unsigned long p = 1812;

	(void)n;
	if (x->c->n_radius >= ARD_RADIUS_MAX)
		return bad(x, "radius-server: at most %d servers",
		    ARD_RADIUS_MAX);
	if (strlen(t[1]) >= sizeof(host))
		return bad(x, "radius-server: address too long");
	snprintf(host, sizeof(host), "%s", t[1]);
	if (host[0] == '[') {
		if ((end = strchr(host, ']')) == NULL)
			return bad(x, "radius-server: missing ']'");
		*end = '\0';
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return bad(x, "radius-server: junk after ']'");
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if ((end = strchr(host, ':')) != NULL &&
	    strchr(end + 1, ':') == NULL) {
		*end = '\0';
		port = end + 1;
	}
	if (port != NULL && number(x, "radius-server port", port, 1, 65535,
	    &p) != 0)
		return -1;
	if (inet_pton(AF_INET, host, &a4) != 1 &&
	    inet_pton(AF_INET6, host, &a6) != 1)
		return bad(x, "radius-server: '%s' is not a numeric address",
		    host);
	if (t[2][0] == '\0' || strlen(t[2]) > ARD_SECRET_MAX)
		/* Say nothing about the secret but its length. */
		return bad(x, "radius-server: secret must be 1..%d octets",
		    ARD_SECRET_MAX);
	r = &x->c->radius[x->c->n_radius++];
	snprintf(r->host, sizeof(r->host), "%s", host);
	r->port = (uint16_t)p;
	snprintf(r->secret, sizeof(r->secret), "%s", t[2]);
	return 0;
}

static int
kw_number(struct ctx *x, char **t, int n)
{
	struct ard_config *c = x->c;
	unsigned long v;

	(void)n;
	if (strcmp(t[0], "radius-timeout-ms") == 0) {
		if (number(x, t[0], t[1], 10, 60000, &v) != 0)
			return -1;
		c->radius_timeout_ms = (unsigned int)v;
	} else if (strcmp(t[0], "radius-retries") == 0) {
		if (number(x, t[0], t[1], 0, 10, &v) != 0)
			return -1;
		c->radius_retries = (unsigned int)v;
	} else if (strcmp(t[0], "timestamp-window") == 0) {
		if (number(x, t[0], t[1], 1, 3600, &v) != 0)
			return -1;
		c->timestamp_window = (unsigned int)v;
	} else if (strcmp(t[0], "max-pending") == 0) {
		if (number(x, t[0], t[1], 1, 256, &v) != 0)
			return -1;
		c->max_pending = (unsigned int)v;
	} else if (strcmp(t[0], "max-sources") == 0) {
		if (number(x, t[0], t[1], 16, 1000000, &v) != 0)
			return -1;
		c->max_sources = (unsigned int)v;
	} else if (strcmp(t[0], "ra-hop-limit") == 0) {
		if (number(x, t[0], t[1], 0, 255, &v) != 0)
			return -1;
		c->ra.cur_hop_limit = (uint8_t)v;
	} else if (strcmp(t[0], "ra-router-lifetime") == 0) {
		if (number(x, t[0], t[1], 0, 9000, &v) != 0)
			return -1;
		c->ra.router_lifetime = (uint16_t)v;
	} else if (strcmp(t[0], "ra-reachable-time") == 0) {
		if (number(x, t[0], t[1], 0, 3600000, &v) != 0)
			return -1;
		c->ra.reachable_time = (uint32_t)v;
	} else if (strcmp(t[0], "ra-retrans-timer") == 0) {
		if (number(x, t[0], t[1], 0, 0xffffffffUL, &v) != 0)
			return -1;
		c->ra.retrans_timer = (uint32_t)v;
	} else if (strcmp(t[0], "ra-mtu") == 0) {
		if (number(x, t[0], t[1], 1280, 65535, &v) != 0)
			return -1;
		c->ra_mtu = (uint32_t)v;
	}
	return 0;
}

static int
kw_rate(struct ctx *x, char **t, int n)
{
	struct ard_rate *r = strcmp(t[0], "rate-per-source") == 0 ?
	    &x->c->rate_source : &x->c->rate_total;
	unsigned long v, b;

	(void)n;
	if (number(x, t[0], t[1], 1, 100000, &v) != 0 ||
	    number(x, t[0], t[2], 1, 100000, &b) != 0)
		return -1;
	r->per_second = (unsigned int)v;
	r->burst = (unsigned int)b;
	return 0;
}

static int
kw_flag(struct ctx *x, char **t, int n)
{
	int v = 0, bit;

	(void)n;
	if (yesno(x, t[0], t[1], &v) != 0)
		return -1;
	if (strcmp(t[0], "ra-slla") == 0) {
		x->c->ra_slla = v;
		return 0;
	}
	bit = strcmp(t[0], "ra-managed") == 0 ? 0x80 : 0x40;
	if (v)
		x->c->ra.flags |= (uint8_t)bit;
	else
		x->c->ra.flags &= (uint8_t)~bit;
	return 0;
}

/* ra-prefix P/LEN [valid S] [preferred S] [no-onlink] [no-autonomous] */
static int
kw_prefix(struct ctx *x, char **t, int n)
{
	struct ard_prefix *p;
	char addr[INET6_ADDRSTRLEN + 4], *slash;
	unsigned long v;
	int i;

	if (x->c->n_prefix >= ARD_PREFIX_MAX)
		return bad(x, "ra-prefix: at most %d prefixes", ARD_PREFIX_MAX);
	p = &x->c->prefix[x->c->n_prefix];
	if (strlen(t[1]) >= sizeof(addr) ||
	    (slash = strchr(strcpy(addr, t[1]), '/')) == NULL)
		return bad(x, "ra-prefix: '%s' is not ADDRESS/LENGTH", t[1]);
	*slash = '\0';
	if (inet_pton(AF_INET6, addr, &p->addr) != 1)
		return bad(x, "ra-prefix: '%s' is not an IPv6 address", addr);
	if (number(x, "ra-prefix length", slash + 1, 1, 128, &v) != 0)
		return -1;
	p->len = (uint8_t)v;
	p->flags = 0xc0;
	p->valid = 86400;
	p->preferred = 14400;
	for (i = 2; i < n; i++) {
		if (strcmp(t[i], "no-onlink") == 0)
			p->flags &= 0x7f;
		else if (strcmp(t[i], "no-autonomous") == 0)
			p->flags &= 0xbf;
		else if ((strcmp(t[i], "valid") == 0 ||
		    strcmp(t[i], "preferred") == 0) && i + 1 < n) {
			if (number(x, t[i], t[i + 1], 0, 0xffffffffUL, &v) != 0)
				return -1;
			if (t[i][0] == 'v')
				p->valid = (uint32_t)v;
			else
				p->preferred = (uint32_t)v;
			i++;
		} else
			return bad(x, "ra-prefix: unknown or incomplete "
			    "option '%s'", t[i]);
	}
	if (p->preferred > p->valid)
		return bad(x, "ra-prefix: preferred lifetime above valid");
	x->c->n_prefix++;
	return 0;
}

/* ra-rdnss ADDR [lifetime S] */
static int
kw_rdnss(struct ctx *x, char **t, int n)
{
	unsigned long v;

	if (x->c->n_rdnss >= ARD_RDNSS_MAX)
		return bad(x, "ra-rdnss: at most %d servers", ARD_RDNSS_MAX);
	if (inet_pton(AF_INET6, t[1], &x->c->rdnss[x->c->n_rdnss]) != 1)
		return bad(x, "ra-rdnss: '%s' is not an IPv6 address", t[1]);
	if (n == 4) {
		if (strcmp(t[2], "lifetime") != 0)
			return bad(x, "ra-rdnss: unknown option '%s'", t[2]);
		if (number(x, "ra-rdnss lifetime", t[3], 0, 0xffffffffUL,
		    &v) != 0)
			return -1;
		x->c->rdnss_lifetime = (uint32_t)v;
	} else if (n != 2)
		return bad(x, "ra-rdnss takes ADDRESS [lifetime SECONDS]");
	x->c->n_rdnss++;
	return 0;
}

static const struct keyword {
	const char	*name;
	int		 min_args;
	int		 max_args;
	int		(*fn)(struct ctx *, char **, int);
} keywords[] = {
	{ "interface",			1, 1, kw_string },
	{ "certificate",		1, 1, kw_string },
	{ "private-key",		1, 1, kw_string },
	{ "radius-server",		2, 2, kw_radius },
	{ "radius-dictionary",		1, 1, kw_string },
	{ "radius-dictdir",		1, 1, kw_string },
	{ "radius-timeout-ms",		1, 1, kw_number },
	{ "radius-retries",		1, 1, kw_number },
	{ "nas-identifier",		1, 1, kw_string },
	{ "timestamp-window",		1, 1, kw_number },
	{ "max-pending",		1, 1, kw_number },
	{ "max-sources",		1, 1, kw_number },
	{ "rate-per-source",		2, 2, kw_rate },
	{ "rate-total",			2, 2, kw_rate },
	{ "ra-hop-limit",		1, 1, kw_number },
	{ "ra-managed",			1, 1, kw_flag },
	{ "ra-other",			1, 1, kw_flag },
	{ "ra-router-lifetime",		1, 1, kw_number },
	{ "ra-reachable-time",		1, 1, kw_number },
	{ "ra-retrans-timer",		1, 1, kw_number },
	{ "ra-mtu",			1, 1, kw_number },
	{ "ra-slla",			1, 1, kw_flag },
	{ "ra-prefix",			1, 7, kw_prefix },
	{ "ra-rdnss",			1, 3, kw_rdnss },
	{ "user",			1, 1, kw_string },
};

static int
parse_line(struct ctx *x, char *line)
{
	char *t[MAX_TOKENS + 1], *p, *hash, *save = NULL;
	size_t i;
	int n = 0;

	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	for (p = strtok_r(line, " \t\r\n", &save); p != NULL;
	    p = strtok_r(NULL, " \t\r\n", &save)) {
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
		if (n - 1 < keywords[i].min_args ||
		    n - 1 > keywords[i].max_args)
			return bad(x, "%s: wrong number of arguments (%d)",
			    t[0], n - 1);
		return keywords[i].fn(x, t, n);
	}
	return bad(x, "unknown keyword '%s'", t[0]);
}

static void
defaults(struct ard_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->dictdir, sizeof(c->dictdir), "/usr/share/freeradius");
	snprintf(c->dictionary, sizeof(c->dictionary),
	    "/usr/share/gkey/raddb/dictionary.gkey");
	c->radius_timeout_ms = 3000;
	c->radius_retries = 2;
	c->timestamp_window = 300;
	c->max_pending = 64;
	c->max_sources = 4096;
	c->rate_source.per_second = 1;
	c->rate_source.burst = 5;
	c->rate_total.per_second = 50;
	c->rate_total.burst = 100;
	c->ra.cur_hop_limit = 64;
	c->ra.router_lifetime = 1800;
	c->ra_slla = 1;
	c->rdnss_lifetime = 600;
}

static int
finish(struct ctx *x)
{
	struct ard_config *c = x->c;

	x->line = 0;
	if (c->interface[0] == '\0')
		return bad(x, "no interface");
	if (c->certificate[0] == '\0' || c->private_key[0] == '\0')
		return bad(x, "certificate and private-key are required");
	if (c->n_radius == 0)
		return bad(x, "no radius-server");
	if (c->nas_identifier[0] == '\0')
		return bad(x, "no nas-identifier");
	return 0;
}

int
ard_config_parse(const char *text, const char *name, struct ard_config *c,
    char *err, size_t errlen)
{
	struct ctx x = { c, name, 0, err, errlen };
	char line[LINE_MAX_LEN + 1];
	const char *p = text, *nl;
	size_t len;
	int rc = -1;

	defaults(c);
	while (*p != '\0') {
		x.line++;
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len > LINE_MAX_LEN) {
			bad(&x, "line longer than %d octets", LINE_MAX_LEN);
			goto finish;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_line(&x, line) != 0)
			goto finish;
		p += len;
		if (*p == '\n')
			p++;
	}
	rc = finish(&x);
finish:
	OPENSSL_cleanse(line, sizeof(line));
	if (rc != 0)
		ard_config_clear(c);
	return rc;
}

int
ard_config_load(const char *path, struct ard_config *c, char *err,
    size_t errlen)
{
	struct stat st;
	FILE *fp;
	char *text = NULL;
	size_t n, size = 0;
	int rc = -1;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > 1024 * 1024) {
		snprintf(err, errlen, "%s: not a regular file of at most 1 MB",
		    path);
		goto finish;
	}
	size = (size_t)st.st_size + 1;
	if ((text = calloc(1, size)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto finish;
	}
	n = fread(text, 1, size - 1, fp);
	if (memchr(text, '\0', n) != NULL)
		snprintf(err, errlen, "%s: contains a NUL octet", path);
	else
		rc = ard_config_parse(text, path, c, err, errlen);
finish:
	fclose(fp);
	if (text != NULL) {
		OPENSSL_cleanse(text, size);
		free(text);
	}
	return rc;
}

void
ard_config_clear(struct ard_config *c)
{
	size_t i;

	for (i = 0; i < ARD_RADIUS_MAX; i++)
		OPENSSL_cleanse(c->radius[i].secret,
		    sizeof(c->radius[i].secret));
}
