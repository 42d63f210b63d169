/*
 * ctl_proto.c - requests and replies of a daemon's control socket.
 * See ctl_proto.h.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

#define QUOTE_MAX	32

static const struct {
	const char	*word;
	enum ctl_cmd	 cmd;
	int		 args;
} commands[] = {
	{ "status",	CTL_CMD_STATUS,		0 },
	{ "sessions",	CTL_CMD_SESSIONS,	0 },
	{ "terminate",	CTL_CMD_TERMINATE,	1 },
	{ "reload",	CTL_CMD_RELOAD,		0 },
	{ "metrics",	CTL_CMD_METRICS,	0 },
	{ "ping",	CTL_CMD_PING,		1 },
	{ "reauth",	CTL_CMD_REAUTH,		1 },
};

/* At most QUOTE_MAX octets of s, unprintable ones as '?'. */
static void
quote(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = len < QUOTE_MAX ? len : QUOTE_MAX;

	if (size == 0)
		return;
	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++)
		out[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	out[n] = '\0';
}

/* A session id as pana-relayctl sessions prints it: 1..8 hex digits. */
static int
session_id(const char *s, size_t len, uint32_t *id)
{
	uint32_t v = 0;
	size_t i;

	if (len == 0 || len > 8)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v << 4 | (uint32_t)(isdigit((unsigned char)s[i]) ?
		    s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	if (v == 0)
		return -1;
	*id = v;
	return 0;
}

int
ctl_parse_request(const char *line, size_t len, struct ctl_request *req,
    char *err, size_t errlen)
{
	const char *word[3];
	size_t wlen[3], i, n = 0, pos = 0;
	char q[QUOTE_MAX + 1];

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > CTL_REQUEST_MAX) {
		snprintf(err, errlen, "request longer than %d octets",
		    CTL_REQUEST_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (line[i] == '\0' || (!isprint((unsigned char)line[i]) &&
		    line[i] != ' ' && line[i] != '\t')) {
			snprintf(err, errlen, "unprintable octet 0x%02x at "
			    "offset %zu", (unsigned char)line[i], i);
			return -1;
		}
	while (pos < len) {
		while (pos < len && (line[pos] == ' ' || line[pos] == '\t'))
			pos++;
		if (pos == len)
			break;
		if (n == 3) {
			snprintf(err, errlen, "too many words");
			return -1;
		}
		word[n] = line + pos;
		while (pos < len && line[pos] != ' ' && line[pos] != '\t')
			pos++;
		wlen[n] = (size_t)(line + pos - word[n]);
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strlen(commands[i].word) != wlen[0] ||
		    memcmp(commands[i].word, word[0], wlen[0]) != 0)
			continue;
		if (n - 1 != (size_t)commands[i].args) {
			snprintf(err, errlen, "%s takes %d argument%s, not %zu",
			    commands[i].word, commands[i].args,
			    commands[i].args == 1 ? "" : "s", n - 1);
			return -1;
		}
		memset(req, 0, sizeof(*req));
		req->cmd = commands[i].cmd;
		if (commands[i].args == 1 &&
		    session_id(word[1], wlen[1], &req->session_id) != 0) {
			quote(word[1], wlen[1], q, sizeof(q));
			snprintf(err, errlen, "%s: '%s' is not a session "
			    "id (1 to 8 hex digits, not 0)", commands[i].word,
			    q);
			return -1;
		}
		return 0;
	}
	quote(word[0], wlen[0], q, sizeof(q));
	snprintf(err, errlen, "unknown command '%s'", q);
	return -1;
}

/* ------------------------------------------------------------ buffer */

void
ctl_buf_init(struct ctl_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
ctl_buf_reset(struct ctl_buf *b)
{
	b->len = 0;
	b->full = 0;
	if (b->buf != NULL)
		b->buf[0] = '\0';
}

void
ctl_buf_free(struct ctl_buf *b)
{
	free(b->buf);
	ctl_buf_init(b, b->max);
}

static int
grow(struct ctl_buf *b, size_t need)
{
	size_t size;
	char *n;

	if (need <= b->size)
		return 0;
	if (need > b->max + 1)
		return -1;
	size = b->size != 0 ? b->size : 1024;
	while (size < need)
		size *= 2;
	if (size > b->max + 1)
		size = b->max + 1;
	if ((n = realloc(b->buf, size)) == NULL)
		return -1;
	b->buf = n;
	b->size = size;
	return 0;
}

int
ctl_buf_printf(struct ctl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->full)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, b->len + (size_t)n + 1) != 0) {
		b->full = 1;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* ------------------------------------------------------------ counters */

void
ctl_counter_add(struct ctl_counter *c, size_t max, size_t *n,
    const char *status, const char *metric, const char *labels,
    const char *help, int gauge, uint64_t value)
{
	if (*n >= max)
		return;
	c[*n].status = status;
	c[*n].metric = metric;
	c[*n].labels = labels;
	c[*n].help = help;
	c[*n].gauge = gauge;
	c[*n].value = value;
	(*n)++;
}

int
ctl_render_status(struct ctl_buf *b, const struct ctl_counter *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ctl_buf_printf(b, "%s: %llu\n", c[i].status,
		    (unsigned long long)c[i].value) != 0)
			return -1;
	return 0;
}

int
ctl_render_metrics(struct ctl_buf *b, const struct ctl_counter *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((i == 0 || strcmp(c[i].metric, c[i - 1].metric) != 0) &&
		    ctl_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n",
		    c[i].metric, c[i].help, c[i].metric,
		    c[i].gauge ? "gauge" : "counter") != 0)
			return -1;
		if (ctl_buf_printf(b, "%s%s%s%s %llu\n", c[i].metric,
		    c[i].labels != NULL ? "{" : "",
		    c[i].labels != NULL ? c[i].labels : "",
		    c[i].labels != NULL ? "}" : "",
		    (unsigned long long)c[i].value) != 0)
			return -1;
	}
	return 0;
}
