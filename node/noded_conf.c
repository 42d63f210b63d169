/*
 * noded_conf.c - gkey-noded's configuration file.  See noded_conf.h and
 * gkey-noded.conf(5).
 */
#include <sys/types.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "nd_msg.h"
#include "noded_conf.h"
#include "conf.h"

#define MAX_WORDS	4

static struct noded_config *
cfg(struct conf_ctx *x)
{
	return x->arg;
}

static int
kw_key_server(struct conf_ctx *x, char **t, int n)
{
	struct noded_config *c = cfg(x);

	(void)n;
	if (c->n_key_servers == NODED_SERVERS_MAX)
		return conf_bad(x, "key-server: at most %d",
		    NODED_SERVERS_MAX);
	return conf_copy(x, t[0], t[1], c->key_server[c->n_key_servers++],
	    sizeof(c->key_server[0]));
}

static int
kw_request_app(struct conf_ctx *x, char **t, int n)
{
	struct noded_config *c = cfg(x);

	(void)n;
	if (c->n_apps == NODED_APPS_MAX)
		return conf_bad(x, "request-app: at most %d", NODED_APPS_MAX);
	if (t[1][0] == '\0' || !nd_utf8_valid((const uint8_t *)t[1],
	    strlen(t[1])) || strlen(t[1]) > ND_APP_MAX)
		return conf_bad(x, "request-app: 1..%d octets of UTF-8",
		    ND_APP_MAX);
	return conf_copy(x, t[0], t[1], c->app[c->n_apps++],
	    sizeof(c->app[0]));
}

static int
kw_solicit_to(struct conf_ctx *x, char **t, int n)
{
	(void)n;
	if (inet_pton(AF_INET6, t[1], &cfg(x)->solicit_to) != 1)
		return conf_bad(x, "solicit-to: '%s' is not an IPv6 address",
		    t[1]);
	return 0;
}

/* Every keyword takes exactly one argument. */
static int
arity(struct conf_ctx *x, const struct conf_keyword *kw, int nargs)
{
	(void)nargs;
	return conf_bad(x, "%s takes one argument", kw->name);
}

#define S(name, field)		CONF_STRING(name, struct noded_config, field)
#define U(name, field, lo, hi)	\
	CONF_UINT(name, struct noded_config, field, lo, hi)

static const struct conf_keyword keywords[] = {
	S("interface",		interface),
	S("certificate",	certificate),
	S("private-key",	private_key),
	S("trust-anchor",	trust_anchor),
	S("key-file",		key_file),
	S("user",		user),
	{ "key-server",		1, 1, kw_key_server, 0, 0, 0, 0 },
	{ "request-app",	1, 1, kw_request_app, 0, 0, 0, 0 },
	{ "solicit-to",		1, 1, kw_solicit_to, 0, 0, 0, 0 },
	U("timestamp-window",	timestamp_window, 1, 3600),
	U("answer-wait-ms",	answer_wait_ms, 100, 600000),
	U("retry-initial-ms",	retry_initial_ms, 100, 3600000),
	U("retry-max-ms",	retry_max_ms, 100, 86400000),
	U("jitter-percent",	jitter_percent, 0, 50),
};

#undef S
#undef U


static void
defaults(void *arg)
{
	struct noded_config *c = arg;

	memset(c, 0, sizeof(*c));
	inet_pton(AF_INET6, "ff02::2", &c->solicit_to);
	c->timestamp_window = 300;
	c->answer_wait_ms = 4000;
	c->retry_initial_ms = 2000;
	c->retry_max_ms = 300000;
	c->jitter_percent = 10;
}

static int
finish(struct conf_ctx *x)
{
	struct noded_config *c = cfg(x);

	if (c->interface[0] == '\0')
		return conf_bad(x, "no interface");
	if (c->certificate[0] == '\0' || c->private_key[0] == '\0')
		return conf_bad(x, "certificate and private-key are required");
	if (c->trust_anchor[0] == '\0')
		return conf_bad(x, "no trust-anchor");
	if (c->n_key_servers == 0)
		return conf_bad(x, "no key-server");
	if (c->key_file[0] == '\0')
		return conf_bad(x, "no key-file");
	if (c->retry_max_ms < c->retry_initial_ms)
		return conf_bad(x, "retry-max-ms is below retry-initial-ms");
	return 0;
}

static const struct conf_grammar grammar = {
	keywords, sizeof(keywords) / sizeof(keywords[0]), MAX_WORDS, arity,
	defaults, finish
};

int
noded_config_parse(const char *text, const char *name,
    struct noded_config *c, char *err, size_t errlen)
{
	struct conf_ctx x = { name, 0, err, errlen, c, NULL };

	return conf_parse(&grammar, text, &x);
}

int
noded_config_load(const char *path, struct noded_config *c, char *err,
    size_t errlen)
{
	struct conf_ctx x = { path, 0, err, errlen, c, NULL };

	return conf_load(&grammar, path, &x);
}
