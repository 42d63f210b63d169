/*
 * pushd_conf.c - gkey-pushd's configuration file.  See pushd_conf.h and
 * gkey-pushd.conf(5).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conf.h"
#include "pushd_conf.h"
#include "pushd_core.h"

#define MAX_WORDS	CONF_WORDS_MAX

static struct pushd_config *
cfg(struct conf_ctx *x)
{
	return x->arg;
}

static int
is_address(const char *s)
{
	struct in6_addr	a6;
	struct in_addr	a4;

	return inet_pton(AF_INET, s, &a4) == 1 ||
	    inet_pton(AF_INET6, s, &a6) == 1;
}

/*
 * database CONNINFO...: the words joined by single spaces; one pair of
 * double quotes around the whole is taken off.  Never echoed in messages.
 */
static int
kw_database(struct conf_ctx *x, char **t, int n)
{
	struct pushd_config	*c = cfg(x);
	char			 buf[PUSHD_CONNINFO_MAX + 3];
	size_t			 len = 0, l;
	int			 i;

	buf[0] = '\0';
	for (i = 1; i < n; i++) {
		l = strlen(t[i]);
		if (len + l + 2 > sizeof(buf)) {
			OPENSSL_cleanse(buf, sizeof(buf));
			return conf_bad(x, "database: longer than %d octets",
			    PUSHD_CONNINFO_MAX);
		}
		if (i > 1)
			buf[len++] = ' ';
		memcpy(buf + len, t[i], l + 1);
		len += l;
	}
	if (len >= 2 && buf[0] == '"' && buf[len - 1] == '"') {
		memmove(buf, buf + 1, len - 2);
		len -= 2;
		buf[len] = '\0';
	} else if (buf[0] == '"' || (len > 0 && buf[len - 1] == '"')) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return conf_bad(x, "database: unbalanced double quote");
	}
	if (len == 0 || len > PUSHD_CONNINFO_MAX) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return conf_bad(x, "database: 1..%d octets of conninfo",
		    PUSHD_CONNINFO_MAX);
	}
	memcpy(c->conninfo, buf, len + 1);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* nas NAME ADDRESS [PORT] SECRET */
static int
kw_nas(struct conf_ctx *x, char **t, int n)
{
	struct pushd_config	*c = cfg(x);
	struct pushd_nas	*r, *grown;
	const char		*secret = t[n - 1];
	unsigned long		 port = 3799;
	size_t			 i;

	if (c->n_nas >= PUSHD_NAS_MAX)
		return conf_bad(x, "nas: at most %d", PUSHD_NAS_MAX);
	if (strlen(t[1]) > PUSHD_NAS_NAME_MAX)
		return conf_bad(x, "nas: name longer than %d octets",
		    PUSHD_NAS_NAME_MAX);
	for (i = 0; i < c->n_nas; i++)
		if (strcmp(c->nas[i].name, t[1]) == 0)
			return conf_bad(x, "nas: '%s' is configured twice",
			    t[1]);
	if (strlen(t[2]) >= sizeof(r->host) || !is_address(t[2]))
		return conf_bad(x, "nas %s: '%s' is not a numeric address",
		    t[1], t[2]);
	if (n == 5 && conf_number(x, "nas port", t[3], 1, 65535, &port) != 0)
		return -1;
	if (secret[0] == '\0' || strlen(secret) > PUSHD_SECRET_MAX)
		/* Say nothing about the secret but its length. */
		return conf_bad(x, "nas %s: secret must be 1..%d octets", t[1],
		    PUSHD_SECRET_MAX);
	if ((grown = realloc(c->nas, (c->n_nas + 1) * sizeof(*grown))) ==
	    NULL)
		return conf_bad(x, "nas: out of memory");
	c->nas = grown;
	r = &c->nas[c->n_nas++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", t[1]);
	snprintf(r->host, sizeof(r->host), "%s", t[2]);
	r->port = (uint16_t)port;
	snprintf(r->secret, sizeof(r->secret), "%s", secret);
	r->name_is_address = is_address(t[1]);
	return 0;
}

/* push-window SECONDS, with up to three decimals. */
static int
kw_window(struct conf_ctx *x, char **t, int n)
{
	(void)n;
	if (pushd_parse_seconds_ms(t[1], 3600000, &cfg(x)->window_ms) != 0)
		return conf_bad(x, "push-window: '%s' is not 0..3600 seconds "
		    "(up to three decimals)", t[1]);
	return 0;
}

static int
arity(struct conf_ctx *x, const struct conf_keyword *kw, int nargs)
{
	if (strcmp(kw->name, "nas") == 0)
		return conf_bad(x, "nas takes NAME ADDRESS [PORT] SECRET "
		    "(%d arguments given)", nargs);
	return conf_bad(x, "%s: wrong number of arguments (%d)", kw->name,
	    nargs);
}

#define S(name, field)		CONF_STRING(name, struct pushd_config, field)
#define P(name, field)		CONF_PATH(name, struct pushd_config, field)
#define U(name, field, lo, hi)	\
	CONF_UINT(name, struct pushd_config, field, lo, hi)
#define K(name, lo, hi, fn)	{ name, lo, hi, fn, 0, 0, 0, 0 }

static const struct conf_keyword keywords[] = {
	K("database",		1, MAX_WORDS - 1,	kw_database),
	U("recent",				recent, 1, 31 * 86400),
	K("nas",		3, 4,			kw_nas),
	U("retries",				retries, 0, 10),
	U("timeout-ms",				timeout_ms, 10, 60000),
	K("push-window",	1, 1,			kw_window),
	U("push-rate",				rate, 1, 1000000),
	U("reconnect-delay",			reconnect_s, 1, 3600),
	U("max-queue",				max_queue, 1, 10000000),
	S("radius-dictdir",			dictdir),
	S("radius-dictionary",			dictionary),
	S("user",				user),
	P("control-socket",			control_socket),
};

#undef S
#undef P
#undef U
#undef K

static void
defaults(void *arg)
{
	struct pushd_config *c = arg;

	memset(c, 0, sizeof(*c));
	c->recent = 86400;
	c->retries = 3;
	c->timeout_ms = 1000;
	c->window_ms = 500;
	c->rate = 2000;
	c->reconnect_s = 2;
	c->max_queue = 1000000;
	snprintf(c->dictdir, sizeof(c->dictdir), "/usr/share/freeradius");
	snprintf(c->dictionary, sizeof(c->dictionary),
	    "/usr/share/gkey/raddb/dictionary.gkey");
}

static int
finish(struct conf_ctx *x)
{
	struct pushd_config *c = cfg(x);

	if (c->conninfo[0] == '\0')
		return conf_bad(x, "no database");
	if (c->n_nas == 0)
		return conf_bad(x, "no nas");
	return 0;
}

static const struct conf_grammar grammar = {
	keywords, sizeof(keywords) / sizeof(keywords[0]), MAX_WORDS, arity,
	defaults, finish
};

int
pushd_config_parse(const char *text, const char *name,
    struct pushd_config *c, char *err, size_t errlen)
{
	struct conf_ctx x = { name, 0, err, errlen, c, NULL };

	memset(c, 0, sizeof(*c));
	if (conf_parse(&grammar, text, &x) == 0)
		return 0;
	pushd_config_clear(c);
	return -1;
}

int
pushd_config_load(const char *path, struct pushd_config *c, char *err,
    size_t errlen)
{
	struct conf_ctx x = { path, 0, err, errlen, c, NULL };

	memset(c, 0, sizeof(*c));
	if (conf_load(&grammar, path, &x) == 0)
		return 0;
	pushd_config_clear(c);
	return -1;
}

void
pushd_config_clear(struct pushd_config *c)
{
	size_t i;

	for (i = 0; i < c->n_nas; i++)
		OPENSSL_cleanse(c->nas[i].secret, sizeof(c->nas[i].secret));
	free(c->nas);
	c->nas = NULL;
	c->n_nas = 0;
	OPENSSL_cleanse(c->conninfo, sizeof(c->conninfo));
}

const struct pushd_nas *
pushd_config_nas(const struct pushd_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_nas; i++)
		if (strcmp(c->nas[i].name, name) == 0)
			return &c->nas[i];
	return NULL;
}
