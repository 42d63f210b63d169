/*
 * noded_conf.c - gkey-noded's configuration file.  See noded_conf.h and
 * gkey-noded.conf(5).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nd_msg.h"
#include "noded_conf.h"

#define MAX_TOKENS	4
#define LINE_MAX_LEN	1024

struct ctx {
	struct noded_config	*c;
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
	char msg[NODED_CONF_ERRLEN];
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
    unsigned long max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return bad(x, "%s: '%s' is not a number", kw, s);
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return bad(x, "%s: '%s' is not a number", kw, s);
	if (v < min || v > max)
		return bad(x, "%s: %lu is out of range %lu..%lu", kw, v, min,
		    max);
	*out = (unsigned int)v;
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
parse_line(struct ctx *x, char *line)
{
	struct noded_config *c = x->c;
	char *t[MAX_TOKENS + 1], *p, *hash, *save = NULL;
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
	if (n != 2)
		return bad(x, "%s takes one argument", t[0]);
	if (strcmp(t[0], "interface") == 0)
		return copy(x, t[0], t[1], c->interface, sizeof(c->interface));
	if (strcmp(t[0], "certificate") == 0)
		return copy(x, t[0], t[1], c->certificate,
		    sizeof(c->certificate));
	if (strcmp(t[0], "private-key") == 0)
		return copy(x, t[0], t[1], c->private_key,
		    sizeof(c->private_key));
	if (strcmp(t[0], "trust-anchor") == 0)
		return copy(x, t[0], t[1], c->trust_anchor,
		    sizeof(c->trust_anchor));
	if (strcmp(t[0], "key-file") == 0)
		return copy(x, t[0], t[1], c->key_file, sizeof(c->key_file));
	if (strcmp(t[0], "user") == 0)
		return copy(x, t[0], t[1], c->user, sizeof(c->user));
	if (strcmp(t[0], "key-server") == 0) {
		if (c->n_key_servers == NODED_SERVERS_MAX)
			return bad(x, "key-server: at most %d",
			    NODED_SERVERS_MAX);
		return copy(x, t[0], t[1], c->key_server[c->n_key_servers++],
		    sizeof(c->key_server[0]));
	}
	if (strcmp(t[0], "request-app") == 0) {
		if (c->n_apps == NODED_APPS_MAX)
			return bad(x, "request-app: at most %d",
			    NODED_APPS_MAX);
		if (t[1][0] == '\0' || !nd_utf8_valid((const uint8_t *)t[1],
		    strlen(t[1])) || strlen(t[1]) > ND_APP_MAX)
			return bad(x, "request-app: 1..%d octets of UTF-8",
			    ND_APP_MAX);
		return copy(x, t[0], t[1], c->app[c->n_apps++],
		    sizeof(c->app[0]));
	}
	if (strcmp(t[0], "solicit-to") == 0) {
		if (inet_pton(AF_INET6, t[1], &c->solicit_to) != 1)
			return bad(x, "solicit-to: '%s' is not an IPv6 "
			    "address", t[1]);
		return 0;
	}
	if (strcmp(t[0], "timestamp-window") == 0)
		return number(x, t[0], t[1], 1, 3600, &c->timestamp_window);
	if (strcmp(t[0], "answer-wait-ms") == 0)
		return number(x, t[0], t[1], 100, 600000, &c->answer_wait_ms);
	if (strcmp(t[0], "retry-initial-ms") == 0)
		return number(x, t[0], t[1], 100, 3600000,
		    &c->retry_initial_ms);
	if (strcmp(t[0], "retry-max-ms") == 0)
		return number(x, t[0], t[1], 100, 86400000, &c->retry_max_ms);
	if (strcmp(t[0], "jitter-percent") == 0)
		return number(x, t[0], t[1], 0, 50, &c->jitter_percent);
	return bad(x, "unknown keyword '%s'", t[0]);
}

static void
defaults(struct noded_config *c)
{
	memset(c, 0, sizeof(*c));
	inet_pton(AF_INET6, "ff02::2", &c->solicit_to);
	c->timestamp_window = 300;
	c->answer_wait_ms = 4000;
	c->retry_initial_ms = 2000;
	c->retry_max_ms = 300000;
	c->jitter_percent = 10;
}

static int
finish(struct ctx *x)
{
	struct noded_config *c = x->c;

	x->line = 0;
	if (c->interface[0] == '\0')
		return bad(x, "no interface");
	if (c->certificate[0] == '\0' || c->private_key[0] == '\0')
		return bad(x, "certificate and private-key are required");
	if (c->trust_anchor[0] == '\0')
		return bad(x, "no trust-anchor");
	if (c->n_key_servers == 0)
		return bad(x, "no key-server");
	if (c->key_file[0] == '\0')
		return bad(x, "no key-file");
	if (c->retry_max_ms < c->retry_initial_ms)
		return bad(x, "retry-max-ms is below retry-initial-ms");
	return 0;
}

int
noded_config_parse(const char *text, const char *name,
    struct noded_config *c, char *err, size_t errlen)
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
		if (len > LINE_MAX_LEN)
			return bad(&x, "line longer than %d octets",
			    LINE_MAX_LEN);
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_line(&x, line) != 0)
			return -1;
		p += len;
		if (*p == '\n')
			p++;
	}
	return finish(&x);
}

int
noded_config_load(const char *path, struct noded_config *c, char *err,
    size_t errlen)
{
	struct stat st;
	FILE *fp;
	char *text = NULL;
	size_t n;
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
	if ((text = calloc(1, (size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto finish;
	}
	n = fread(text, 1, (size_t)st.st_size, fp);
	if (memchr(text, '\0', n) != NULL)
		snprintf(err, errlen, "%s: contains a NUL octet", path);
	else
		rc = noded_config_parse(text, path, c, err, errlen);
finish:
	fclose(fp);
	free(text);
	return rc;
}
