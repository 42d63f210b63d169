/*
 * ard_conf.c - gkey-ard's configuration file.  See ard_conf.h and
 * gkey-ard.conf(5).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ard_conf.h"
#include "conf.h"

#define MAX_WORDS	12

static struct ard_config *
cfg(struct conf_ctx *x)
{
	return x->arg;
}

/* radius-server ADDR[:PORT] SECRET, IPv6 as [ADDR]:PORT. */
static int
kw_radius(struct conf_ctx *x, char **t, int n)
{
	struct ard_config *c = cfg(x);
	struct ard_radius_server *r;
	struct in6_addr a6;
	struct in_addr a4;
	char host[INET6_ADDRSTRLEN + 2], *end, *port = NULL;
	unsigned long p = 1812;

	(void)n;
	if (c->n_radius >= ARD_RADIUS_MAX)
		return conf_bad(x, "radius-server: at most %d servers",
		    ARD_RADIUS_MAX);
	if (strlen(t[1]) >= sizeof(host))
		return conf_bad(x, "radius-server: address too long");
	snprintf(host, sizeof(host), "%s", t[1]);
	if (host[0] == '[') {
		if ((end = strchr(host, ']')) == NULL)
			return conf_bad(x, "radius-server: missing ']'");
		*end = '\0';
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return conf_bad(x, "radius-server: junk after ']'");
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if ((end = strchr(host, ':')) != NULL &&
	    strchr(end + 1, ':') == NULL) {
		*end = '\0';
		port = end + 1;
	}
	if (port != NULL && conf_number(x, "radius-server port", port, 1, 65535,
	    &p) != 0)
		return -1;
	if (inet_pton(AF_INET, host, &a4) != 1 &&
	    inet_pton(AF_INET6, host, &a6) != 1)
		return conf_bad(x, "radius-server: '%s' is not a numeric "
		    "address", host);
	if (t[2][0] == '\0' || strlen(t[2]) > ARD_SECRET_MAX)
		/* Say nothing about the secret but its length. */
		return conf_bad(x, "radius-server: secret must be 1..%d octets",
		    ARD_SECRET_MAX);
	r = &c->radius[c->n_radius++];
	snprintf(r->host, sizeof(r->host), "%s", host);
	r->port = (uint16_t)p;
	snprintf(r->secret, sizeof(r->secret), "%s", t[2]);
	return 0;
}

static int
kw_number(struct conf_ctx *x, char **t, int n)
{
	struct ard_config *c = cfg(x);
	unsigned long v;

	(void)n;
	if (strcmp(t[0], "ra-hop-limit") == 0) {
		if (conf_number(x, t[0], t[1], 0, 255, &v) != 0)
			return -1;
		c->ra.cur_hop_limit = (uint8_t)v;
	} else if (strcmp(t[0], "ra-router-lifetime") == 0) {
		if (conf_number(x, t[0], t[1], 0, 9000, &v) != 0)
			return -1;
		c->ra.router_lifetime = (uint16_t)v;
	} else if (strcmp(t[0], "ra-reachable-time") == 0) {
		if (conf_number(x, t[0], t[1], 0, 3600000, &v) != 0)
			return -1;
		c->ra.reachable_time = (uint32_t)v;
	} else if (strcmp(t[0], "ra-retrans-timer") == 0) {
		if (conf_number(x, t[0], t[1], 0, 0xffffffffUL, &v) != 0)
			return -1;
		c->ra.retrans_timer = (uint32_t)v;
	} else if (strcmp(t[0], "ra-mtu") == 0) {
		if (conf_number(x, t[0], t[1], 1280, 65535, &v) != 0)
			return -1;
		c->ra_mtu = (uint32_t)v;
	}
	return 0;
}

static int
kw_rate(struct conf_ctx *x, char **t, int n)
{
	struct ard_config *c = cfg(x);
	struct ard_rate *r = strcmp(t[0], "rate-per-source") == 0 ?
	    &c->rate_source : &c->rate_total;
	unsigned long v, b;

	(void)n;
	if (conf_number(x, t[0], t[1], 1, 100000, &v) != 0 ||
	    conf_number(x, t[0], t[2], 1, 100000, &b) != 0)
		return -1;
	r->per_second = (unsigned int)v;
	r->burst = (unsigned int)b;
	return 0;
}

static int
kw_flag(struct conf_ctx *x, char **t, int n)
{
	struct ard_config *c = cfg(x);
	int v = 0, bit;

	(void)n;
	if (conf_yesno(x, t[0], t[1], &v) != 0)
		return -1;
	if (strcmp(t[0], "ra-slla") == 0) {
		c->ra_slla = v;
		return 0;
	}
	bit = strcmp(t[0], "ra-managed") == 0 ? 0x80 : 0x40;
	if (v)
		c->ra.flags |= (uint8_t)bit;
	else
		c->ra.flags &= (uint8_t)~bit;
	return 0;
}

/* ra-prefix P/LEN [valid S] [preferred S] [no-onlink] [no-autonomous] */
static int
kw_prefix(struct conf_ctx *x, char **t, int n)
{
	struct ard_config *c = cfg(x);
	struct ard_prefix *p;
	char addr[INET6_ADDRSTRLEN + 4], *slash;
	unsigned long v;
	int i;

	if (c->n_prefix >= ARD_PREFIX_MAX)
		return conf_bad(x, "ra-prefix: at most %d prefixes",
		    ARD_PREFIX_MAX);
	p = &c->prefix[c->n_prefix];
	if (strlen(t[1]) >= sizeof(addr) ||
	    (slash = strchr(strcpy(addr, t[1]), '/')) == NULL)
		return conf_bad(x, "ra-prefix: '%s' is not ADDRESS/LENGTH",
		    t[1]);
	*slash = '\0';
	if (inet_pton(AF_INET6, addr, &p->addr) != 1)
		return conf_bad(x, "ra-prefix: '%s' is not an IPv6 address",
		    addr);
	if (conf_number(x, "ra-prefix length", slash + 1, 1, 128, &v) != 0)
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
			if (conf_number(x, t[i], t[i + 1], 0, 0xffffffffUL,
			    &v) != 0)
				return -1;
			if (t[i][0] == 'v')
				p->valid = (uint32_t)v;
			else
				p->preferred = (uint32_t)v;
			i++;
		} else
			return conf_bad(x, "ra-prefix: unknown or incomplete "
			    "option '%s'", t[i]);
	}
	if (p->preferred > p->valid)
		return conf_bad(x, "ra-prefix: preferred lifetime above valid");
	c->n_prefix++;
	return 0;
}

/* ra-rdnss ADDR [lifetime S] */
static int
kw_rdnss(struct conf_ctx *x, char **t, int n)
{
	struct ard_config *c = cfg(x);
	unsigned long v;

	if (c->n_rdnss >= ARD_RDNSS_MAX)
		return conf_bad(x, "ra-rdnss: at most %d servers",
		    ARD_RDNSS_MAX);
	if (inet_pton(AF_INET6, t[1], &c->rdnss[c->n_rdnss]) != 1)
		return conf_bad(x, "ra-rdnss: '%s' is not an IPv6 address",
		    t[1]);
	if (n == 4) {
		if (strcmp(t[2], "lifetime") != 0)
			return conf_bad(x, "ra-rdnss: unknown option '%s'",
			    t[2]);
		if (conf_number(x, "ra-rdnss lifetime", t[3], 0, 0xffffffffUL,
		    &v) != 0)
			return -1;
		c->rdnss_lifetime = (uint32_t)v;
	} else if (n != 2)
		return conf_bad(x, "ra-rdnss takes ADDRESS [lifetime SECONDS]");
	c->n_rdnss++;
	return 0;
}

#define S(name, field)		CONF_STRING(name, struct ard_config, field)
#define P(name, field)		CONF_PATH(name, struct ard_config, field)
#define U(name, field, lo, hi)	\
	CONF_UINT(name, struct ard_config, field, lo, hi)
#define K(name, lo, hi, fn)	{ name, lo, hi, fn, 0, 0, 0, 0 }

/* das-listen, das-client, das-window (libdaemon/das_conf.h). */
static int
kw_das(struct conf_ctx *x, char **t, int n)
{
	return das_conf_line(x, &cfg(x)->das, t, n);
}

static const struct conf_keyword keywords[] = {
	S("interface",				interface),
	S("certificate",			certificate),
	S("private-key",			private_key),
	K("radius-server",		2, 2,	kw_radius),
	S("radius-dictionary",			dictionary),
	S("radius-dictdir",			dictdir),
	U("radius-timeout-ms",			radius_timeout_ms, 10, 60000),
	U("radius-retries",			radius_retries, 0, 10),
	S("nas-identifier",			nas_identifier),
	U("timestamp-window",			timestamp_window, 1, 3600),
	U("max-pending",			max_pending, 1, 256),
	U("max-sources",			max_sources, 16, 1000000),
	K("rate-per-source",		2, 2,	kw_rate),
	K("rate-total",			2, 2,	kw_rate),
	K("ra-hop-limit",		1, 1,	kw_number),
	K("ra-managed",			1, 1,	kw_flag),
	K("ra-other",			1, 1,	kw_flag),
	K("ra-router-lifetime",		1, 1,	kw_number),
	K("ra-reachable-time",		1, 1,	kw_number),
	K("ra-retrans-timer",		1, 1,	kw_number),
	K("ra-mtu",			1, 1,	kw_number),
	K("ra-slla",			1, 1,	kw_flag),
	K("ra-prefix",			1, 7,	kw_prefix),
	K("ra-rdnss",			1, 3,	kw_rdnss),
	S("user",				user),
	P("control-socket",			control_socket),
	K("das-listen",			1, 2,	kw_das),
	K("das-client",			2, 2,	kw_das),
	K("das-window",			1, 1,	kw_das),
};

#undef S
#undef P
#undef U
#undef K


static void
defaults(void *arg)
{
	struct ard_config *c = arg;

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
finish(struct conf_ctx *x)
{
	struct ard_config *c = cfg(x);

	if (c->interface[0] == '\0')
		return conf_bad(x, "no interface");
	if (c->certificate[0] == '\0' || c->private_key[0] == '\0')
		return conf_bad(x, "certificate and private-key are required");
	if (c->n_radius == 0)
		return conf_bad(x, "no radius-server");
	if (c->nas_identifier[0] == '\0')
		return conf_bad(x, "no nas-identifier");
	return das_conf_finish(x, &c->das);
}

static const struct conf_grammar grammar = {
	keywords, sizeof(keywords) / sizeof(keywords[0]), MAX_WORDS, NULL,
	defaults, finish
};

int
ard_config_parse(const char *text, const char *name, struct ard_config *c,
    char *err, size_t errlen)
{
	struct conf_ctx x = { name, 0, err, errlen, c, NULL };

	if (conf_parse(&grammar, text, &x) == 0)
		return 0;
	ard_config_clear(c);
	return -1;
}

int
ard_config_load(const char *path, struct ard_config *c, char *err,
    size_t errlen)
{
	struct conf_ctx x = { path, 0, err, errlen, c, NULL };

	if (conf_load(&grammar, path, &x) == 0)
		return 0;
	ard_config_clear(c);
	return -1;
}

void
ard_config_clear(struct ard_config *c)
{
	size_t i;

	for (i = 0; i < ARD_RADIUS_MAX; i++)
		OPENSSL_cleanse(c->radius[i].secret,
		    sizeof(c->radius[i].secret));
	das_conf_clear(&c->das);
}
