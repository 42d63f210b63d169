/*
 * relayd_conf.c - pana-relayd's configuration file.  See relayd_conf.h.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conf.h"
#include "relayd_conf.h"
#include "pana_msg.h"

#define MAX_WORDS	8

static int	kw_log_level(struct conf_ctx *, char **, int);

/* das-listen, das-client, das-window (libdaemon/das_conf.h). */
static int
kw_das(struct conf_ctx *x, char **t, int n)
{
	return das_conf_line(x, &((struct pr_config *)x->arg)->das, t, n);
}

static struct pr_config *
cfg(struct conf_ctx *x)
{
	return x->arg;
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
relay_key(struct conf_ctx *x, const char *kw, const char *text, uint8_t *key,
    size_t *key_len)
{
	size_t n = strlen(text);

	/* Say nothing about the key but its length. */
	if (n < PAA_RELAY_KEY_MIN || n > PAA_RELAY_KEY_MAX)
		return conf_bad(x, "%s: key of %zu octets, not %d..%d", kw, n,
		    PAA_RELAY_KEY_MIN, PAA_RELAY_KEY_MAX);
	memcpy(key, text, n);
	*key_len = n;
	return 0;
}

static int
kw_role(struct conf_ctx *x, char **t, int n)
{
	(void)n;
	if (strcmp(t[1], "paa") == 0)
		cfg(x)->role_paa = 1;
	else if (strcmp(t[1], "relay") == 0)
		cfg(x)->role_relay = 1;
	else
		return conf_bad(x, "role: '%s' is neither paa nor relay", t[1]);
	return 0;
}

static int
kw_addr(struct conf_ctx *x, char **t, int n)
{
	struct sockaddr_storage *ss;
	int *have;

	(void)n;
	if (strcmp(t[0], "paa-listen") == 0) {
		ss = &cfg(x)->paa_listen;
		have = &cfg(x)->have_paa_listen;
	} else if (strcmp(t[0], "relay-listen") == 0) {
		ss = &cfg(x)->relay_listen;
		have = &cfg(x)->have_relay_listen;
	} else {
		ss = &cfg(x)->relay_paa;
		have = &cfg(x)->have_relay_paa;
	}
	if (*have)
		return conf_bad(x, "%s given twice", t[0]);
	if (config_sockaddr(t[1], t[2], ss) != 0)
		return conf_bad(x,
		    "%s: '%s %s' is not a numeric address and port",
		    t[0], t[1], t[2]);
	if (strcmp(t[0], "relay-paa") == 0 &&
	    ((ss->ss_family == AF_INET &&
	    ((struct sockaddr_in *)ss)->sin_port == 0) ||
	    (ss->ss_family == AF_INET6 &&
	    ((struct sockaddr_in6 *)ss)->sin6_port == 0)))
		return conf_bad(x, "relay-paa: port 0");
	if (strcmp(t[0], "relay-paa") == 0 && t[3] != NULL &&
	    relay_key(x, t[0], t[3], cfg(x)->relay_key,
	    &cfg(x)->relay_key_len) != 0)
		return -1;
	*have = 1;
	return 0;
}

/* relay-peer ADDR [KEY]: a relay the PAA accepts PANA-Relay from. */
static int
kw_relay_peer(struct conf_ctx *x, char **t, int n)
{
	struct paa_config *pc = &cfg(x)->paa;
	struct paa_relay_peer *rp;
	struct sockaddr_storage ss;
	unsigned int i;

	(void)n;
	if (pc->n_relays >= PAA_RELAYS_MAX)
		return conf_bad(x, "relay-peer: at most %d relays",
		    PAA_RELAYS_MAX);
	if (config_sockaddr(t[1], "0", &ss) != 0)
		return conf_bad(x, "relay-peer: '%s' is not a numeric address",
		    t[1]);
	for (i = 0; i < pc->n_relays; i++)
		if (pc->relays[i].addr.ss_family == ss.ss_family &&
		    memcmp(&pc->relays[i].addr, &ss, sizeof(ss)) == 0)
			return conf_bad(x, "relay-peer: %s given twice", t[1]);
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
kw_radius(struct conf_ctx *x, char **t, int n)
{
	struct config_radius *r;
	struct sockaddr_storage ss;
	char host[INET6_ADDRSTRLEN + 2], *colon, *port = NULL;
	unsigned long p = 1812;

	(void)n;
	if (cfg(x)->n_radius >= CONFIG_RADIUS_MAX)
		return conf_bad(x, "radius-server: at most %d servers",
		    CONFIG_RADIUS_MAX);
	if (strlen(t[1]) >= sizeof(host))
		return conf_bad(x, "radius-server: address too long");
	snprintf(host, sizeof(host), "%s", t[1]);
	if (host[0] == '[') {
		if ((colon = strchr(host, ']')) == NULL)
			return conf_bad(x, "radius-server: missing ']'");
		*colon = '\0';
		if (colon[1] == ':')
			port = colon + 2;
		else if (colon[1] != '\0')
			return conf_bad(x, "radius-server: junk after ']'");
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if ((colon = strchr(host, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		*colon = '\0';
		port = colon + 1;
	}
	if (port != NULL && conf_number(x, "radius-server port", port, 1, 65535,
	    &p) != 0)
		return -1;
	if (config_sockaddr(host, "0", &ss) != 0)
		return conf_bad(x,
		    "radius-server: '%s' is not a numeric address", host);
	if (strlen(t[2]) > CONFIG_SECRET_MAX)
		/* Say nothing about the secret but its length. */
		return conf_bad(x,
		    "radius-server: secret longer than %d octets",
		    CONFIG_SECRET_MAX);
	r = &cfg(x)->radius[cfg(x)->n_radius++];
	snprintf(r->host, sizeof(r->host), "%s", host);
	r->port = (uint16_t)p;
	snprintf(r->secret, sizeof(r->secret), "%s", t[2]);
	return 0;
}

static int
kw_number(struct conf_ctx *x, char **t, int n)
{
	struct pr_config *c = cfg(x);
	unsigned long v;

	(void)n;
	if (strcmp(t[0], "vendor") == 0) {
		if (conf_number(x, t[0], t[1], 1, 0xffffffUL, &v) != 0)
			return -1;
		c->paa.vendor_id = (uint32_t)v;
	} else if (strcmp(t[0], "idle-timeout") == 0) {
		if (conf_number(x, t[0], t[1], 1, 86400, &v) != 0)
			return -1;
		c->paa.idle_timeout_ms = (uint64_t)v * 1000;
	} else if (strcmp(t[0], "auth-timeout") == 0) {
		if (conf_number(x, t[0], t[1], 1, 3600, &v) != 0)
			return -1;
		c->paa.auth_timeout_ms = (uint64_t)v * 1000;
	} else if (strcmp(t[0], "ping-interval") == 0) {
		if (conf_number(x, t[0], t[1], 0, 86400, &v) != 0)
			return -1;
		c->paa.ping_interval_ms = (uint64_t)v * 1000;
	} else if (strcmp(t[0], "reauth-before") == 0) {
		if (conf_number(x, t[0], t[1], 0, 0xffffffffUL, &v) != 0)
			return -1;
		c->paa.reauth_before_ms = (uint64_t)v * 1000;
	} else if (strcmp(t[0], "session-lifetime") == 0) {
		if (conf_number(x, t[0], t[1], 10, 0xffffffffUL, &v) != 0)
			return -1;
		c->paa.default_lifetime = (uint32_t)v;
	} else if (strcmp(t[0], "retransmit-initial-ms") == 0) {
		if (conf_number(x, t[0], t[1], 10, 60000, &v) != 0)
			return -1;
		c->paa.rt_initial_ms = v;
	} else if (strcmp(t[0], "retransmit-max-ms") == 0) {
		if (conf_number(x, t[0], t[1], 10, 3600000, &v) != 0)
			return -1;
		c->paa.rt_max_ms = v;
	} else if (strcmp(t[0], "framed-mtu") == 0) {
		if (conf_number(x, t[0], t[1], 64, 4096, &v) != 0)
			return -1;
		c->framed_mtu = (uint32_t)v;
	}
	return 0;
}

#define PR(name, field)	CONF_STRING(name, struct pr_config, field)
#define PRU(name, field, lo, hi)					\
	CONF_UINT(name, struct pr_config, field, lo, hi)

static const struct conf_keyword keywords[] = {
	{ "role",			1, 1, kw_role, 0, 0, 0, 0 },
	{ "paa-listen",			2, 2, kw_addr, 0, 0, 0, 0 },
	{ "relay-listen",		2, 2, kw_addr, 0, 0, 0, 0 },
	{ "relay-paa",			2, 3, kw_addr, 0, 0, 0, 0 },
	{ "relay-peer",			1, 2, kw_relay_peer, 0, 0, 0, 0 },
	{ "radius-server",		2, 2, kw_radius, 0, 0, 0, 0 },
	PR("radius-dictionary",		dictionary),
	PR("radius-dictdir",		dictdir),
	PRU("radius-timeout-ms",	radius_timeout_ms, 10, 60000),
	PRU("radius-retries",		radius_retries, 0, 10),
	{ "framed-mtu",			1, 1, kw_number, 0, 0, 0, 0 },
	PR("nas-identifier",		nas_identifier),
	{ "vendor",			1, 1, kw_number, 0, 0, 0, 0 },
	PRU("max-sessions",		paa.max_sessions, 1, 1000000),
	PRU("max-sessions-per-address",	paa.max_per_addr, 1, 1000000),
	PRU("max-sessions-per-relay",	paa.max_per_relay, 1, 1000000),
	{ "idle-timeout",		1, 1, kw_number, 0, 0, 0, 0 },
	{ "auth-timeout",		1, 1, kw_number, 0, 0, 0, 0 },
	{ "session-lifetime",		1, 1, kw_number, 0, 0, 0, 0 },
	{ "ping-interval",		1, 1, kw_number, 0, 0, 0, 0 },
	{ "reauth-before",		1, 1, kw_number, 0, 0, 0, 0 },
	{ "retransmit-initial-ms",	1, 1, kw_number, 0, 0, 0, 0 },
	{ "retransmit-max-ms",		1, 1, kw_number, 0, 0, 0, 0 },
	PRU("retransmit-max-count",	paa.rt_max_count, 0, 100),
	PR("user",			user),
	CONF_PATH("control-socket", struct pr_config, control_socket),
	{ "log-level",			1, 1, kw_log_level, 0, 0, 0, 0 },
	{ "das-listen",			1, 2, kw_das, 0, 0, 0, 0 },
	{ "das-client",			2, 2, kw_das, 0, 0, 0, 0 },
	{ "das-window",			1, 1, kw_das, 0, 0, 0, 0 },
};

/* relayd's own words for a wrong number of arguments. */
static int
arity(struct conf_ctx *x, const struct conf_keyword *kw, int nargs)
{
	if (kw->max_args > kw->min_args)
		return conf_bad(x, "%s takes %d to %d arguments, not %d",
		    kw->name, kw->min_args, kw->max_args, nargs);
	return conf_bad(x, "%s takes %d argument%s, not %d", kw->name,
	    kw->min_args, kw->min_args == 1 ? "" : "s", nargs);
}

static void
defaults(void *arg)
{
	struct pr_config *c = arg;

	memset(c, 0, sizeof(*c));
	paa_config_defaults(&c->paa);
	snprintf(c->dictdir, sizeof(c->dictdir), "/usr/share/freeradius");
	snprintf(c->dictionary, sizeof(c->dictionary),
	    "/usr/share/gkey/raddb/dictionary.gkey");
	c->radius_timeout_ms = 3000;
	c->radius_retries = 2;
}

static int
finish(struct conf_ctx *x)
{
	struct pr_config *c = cfg(x);

	if (!c->role_paa && !c->role_relay)
		return conf_bad(x, "no role (role paa, role relay, or both)");
	if (c->role_paa) {
		if (!c->have_paa_listen)
			return conf_bad(x, "role paa needs paa-listen");
		if (c->n_radius == 0)
			return conf_bad(x, "role paa needs radius-server");
		if (c->nas_identifier[0] == '\0')
			return conf_bad(x, "role paa needs nas-identifier");
		if (c->paa.rt_max_ms < c->paa.rt_initial_ms)
			return conf_bad(x, "retransmit-max-ms is below "
			    "retransmit-initial-ms");
	}
	if (c->role_relay && (!c->have_relay_listen || !c->have_relay_paa))
		return conf_bad(x,
		    "role relay needs relay-listen and relay-paa");
	if (c->das.have_listen && !c->role_paa)
		return conf_bad(x, "das-listen needs role paa");
	return das_conf_finish(x, &c->das);
}

static const struct conf_grammar grammar = {
	keywords, sizeof(keywords) / sizeof(keywords[0]), MAX_WORDS, arity,
	defaults, finish
};

int
config_parse(const char *text, const char *name, struct pr_config *c,
    char *err, size_t errlen)
{
	struct conf_ctx x = { name, 0, err, errlen, c, NULL };

	if (conf_parse(&grammar, text, &x) == 0)
		return 0;
	config_clear(c);
	return -1;
}

int
config_load(const char *path, struct pr_config *c, char *err,
    size_t errlen)
{
	struct conf_ctx x = { path, 0, err, errlen, c, NULL };

	if (conf_load(&grammar, path, &x) == 0)
		return 0;
	config_clear(c);
	return -1;
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
	das_conf_clear(&c->das);
}

/* log-level info|debug */
static int
kw_log_level(struct conf_ctx *x, char **t, int n)
{
	(void)n;
	if (strcmp(t[1], "info") == 0)
		cfg(x)->log_debug = 0;
	else if (strcmp(t[1], "debug") == 0)
		cfg(x)->log_debug = 1;
	else
		return conf_bad(x,
		    "log-level: '%s' is neither info nor debug", t[1]);
	return 0;
}
