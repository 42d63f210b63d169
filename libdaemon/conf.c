/*
 * conf.c - the configuration file parser the daemons share.  See conf.h.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define CONF_MSG_MAX	512

/* A memset the compiler may not drop. */
static void
wipe(void *p, size_t len)
{
	volatile unsigned char *v = p;

	while (len-- > 0)
		*v++ = 0;
}

int
conf_bad(struct conf_ctx *x, const char *fmt, ...)
{
	char msg[CONF_MSG_MAX];
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

int
conf_number(struct conf_ctx *x, const char *kw, const char *s,
    unsigned long min, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return conf_bad(x, "%s: '%s' is not a number", kw, s);
	*v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return conf_bad(x, "%s: '%s' is not a number", kw, s);
	if (*v < min || *v > max)
		return conf_bad(x, "%s: %lu is out of range %lu..%lu", kw, *v,
		    min, max);
	return 0;
}

int
conf_uint(struct conf_ctx *x, const char *kw, const char *s,
    unsigned long min, unsigned long max, unsigned int *v)
{
	unsigned long u;

	if (conf_number(x, kw, s, min, max, &u) != 0)
		return -1;
	*v = (unsigned int)u;
	return 0;
}

int
conf_yesno(struct conf_ctx *x, const char *kw, const char *s, int *v)
{
	if (strcmp(s, "yes") == 0)
		*v = 1;
	else if (strcmp(s, "no") == 0)
		*v = 0;
	else
		return conf_bad(x, "%s: '%s' is neither yes nor no", kw, s);
	return 0;
}

int
conf_copy(struct conf_ctx *x, const char *kw, const char *s, char *dst,
    size_t size)
{
	if (strlen(s) >= size)
		return conf_bad(x, "%s: longer than %zu octets", kw, size - 1);
	snprintf(dst, size, "%s", s);
	return 0;
}

int
conf_kw_string(struct conf_ctx *x, char **t, int n)
{
	char *dst = (char *)x->arg + x->kw->off;

	(void)n;
	return conf_copy(x, t[0], t[1], dst, x->kw->size);
}

int
conf_kw_path(struct conf_ctx *x, char **t, int n)
{
	if (t[1][0] != '/')
		return conf_bad(x, "%s: '%s' is not an absolute path", t[0],
		    t[1]);
	return conf_kw_string(x, t, n);
}

int
conf_kw_uint(struct conf_ctx *x, char **t, int n)
{
	unsigned int *dst;

	(void)n;
	if (x->kw->size != sizeof(*dst))
		return conf_bad(x, "%s: not an unsigned int field", t[0]);
	dst = (unsigned int *)(void *)((char *)x->arg + x->kw->off);
	return conf_uint(x, t[0], t[1], x->kw->min, x->kw->max, dst);
}

static const struct conf_keyword *
lookup(const struct conf_grammar *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n_keywords; i++)
		if (strcmp(name, g->keywords[i].name) == 0)
			return &g->keywords[i];
	return NULL;
}

/* One line, comment and all; line is modified. */
static int
parse_line(const struct conf_grammar *g, struct conf_ctx *x, char *line)
{
	const struct conf_keyword *kw;
	char *t[CONF_WORDS_MAX + 1], *p, *hash, *save = NULL;
	int n = 0, max = g->max_words, rc;

	if (max < 1 || max > CONF_WORDS_MAX)
		max = CONF_WORDS_MAX;
	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	for (p = strtok_r(line, " \t\r\n", &save); p != NULL;
	    p = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return conf_bad(x, "too many words");
		t[n++] = p;
	}
	if (n == 0)
		return 0;
	t[n] = NULL;
	if ((kw = lookup(g, t[0])) == NULL)
		return conf_bad(x, "unknown keyword '%s'", t[0]);
	if (n - 1 < kw->min_args || n - 1 > kw->max_args) {
		if (g->arity != NULL)
			return g->arity(x, kw, n - 1);
		return conf_bad(x, "%s: wrong number of arguments (%d)", t[0],
		    n - 1);
	}
	x->kw = kw;
	rc = kw->fn(x, t, n);
	x->kw = NULL;
	return rc;
}

int
conf_parse(const struct conf_grammar *g, const char *text,
    struct conf_ctx *x)
{
	char line[CONF_LINE_MAX + 1];
	const char *p = text, *nl;
	size_t len;
	int rc = -1;

	x->line = 0;
	if (g->defaults != NULL)
		g->defaults(x->arg);
	while (*p != '\0') {
		x->line++;
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len > CONF_LINE_MAX) {
			conf_bad(x, "line longer than %d octets",
			    CONF_LINE_MAX);
			goto finish;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_line(g, x, line) != 0)
			goto finish;
		p += len;
		if (*p == '\n')
			p++;
	}
	x->line = 0;
	rc = g->finish != NULL ? g->finish(x) : 0;
finish:
	wipe(line, sizeof(line));
	x->line = 0;
	return rc;
}

int
conf_load(const struct conf_grammar *g, const char *path,
    struct conf_ctx *x)
{
	char *text;
	size_t size;
	int rc;

	if (conf_read_file(path, &text, &size, x->err, x->errlen) != 0)
		return -1;
	x->name = path;
	rc = conf_parse(g, text, x);
	conf_free_text(text, size);
	return rc;
}

int
conf_read_file(const char *path, char **text, size_t *size, char *err,
    size_t errlen)
{
	struct stat st;
	FILE *fp;
	char *buf = NULL;
	size_t n, len = 0;
	int rc = -1;

	*text = NULL;
	*size = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most 1 MB",
		    path);
		goto finish;
	}
	len = (size_t)st.st_size + 1;
	if ((buf = calloc(1, len)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto finish;
	}
	n = fread(buf, 1, len - 1, fp);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto finish;
	}
	if (memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL octet", path);
		goto finish;
	}
	*text = buf;
	*size = len;
	buf = NULL;
	rc = 0;
finish:
	fclose(fp);
	conf_free_text(buf, len);
	return rc;
}

void
conf_free_text(char *text, size_t size)
{
	if (text == NULL)
		return;
	wipe(text, size);
	free(text);
}
