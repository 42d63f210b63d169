/*
 * ctl_proto.h - the request parser and the reply builders of a daemon's
 * control socket (pana-relayd, gkey-ard), without sockets (doc/control.md
 * has the wire protocol; pana-relayctl(8) and gkey-ardctl(8) the
 * commands).
 *
 * A request is one line: a command word and at most one argument,
 * separated by one or more blanks.  A reply is a first line "ok" or
 * "error: REASON", then the text of the command, then the daemon closes
 * the connection.
 *
 * The counters of `status' and `metrics' come from one table of struct
 * ctl_counter, so that both always show the same values: ctl_render_status()
 * writes "LABEL: VALUE" lines, ctl_render_metrics() the Prometheus text
 * exposition format (a # HELP and a # TYPE line before the first sample
 * of each metric name; samples of one name must be consecutive).
 *
 * Memory: a struct ctl_buf owns its text (ctl_buf_free()); it never grows
 * beyond the maximum given to ctl_buf_init(), and a line that does not
 * fit is not written (ctl_buf_printf() returns -1 and sets full).
 */
#ifndef GKEY_CTL_PROTO_H
#define GKEY_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define CTL_REQUEST_MAX		256		/* octets, without the newline */
#define CTL_REPLY_MAX		(4u << 20)	/* octets of one reply */
#define CTL_ERRLEN		256

enum ctl_cmd {
	CTL_CMD_STATUS,
	CTL_CMD_SESSIONS,
	CTL_CMD_TERMINATE,	/* session_id */
	CTL_CMD_RELOAD,
	CTL_CMD_METRICS,
	CTL_CMD_PING,		/* session_id */
	CTL_CMD_REAUTH		/* session_id */
};

struct ctl_request {
	enum ctl_cmd	cmd;
	uint32_t	session_id;
};

/*
 * line is len octets without the newline (a trailing CR is allowed).
 * 0, or -1 with the reason in err (it quotes no more than 32 octets of
 * the request, with anything unprintable as '?').
 */
int	ctl_parse_request(const char *line, size_t len, struct ctl_request *,
	    char *err, size_t errlen);

struct ctl_buf {
	char	*buf;		/* NUL-terminated */
	size_t	 len;
	size_t	 size;
	size_t	 max;
	int	 full;		/* a line did not fit */
};

void	ctl_buf_init(struct ctl_buf *, size_t max);
void	ctl_buf_reset(struct ctl_buf *);
void	ctl_buf_free(struct ctl_buf *);
int	ctl_buf_printf(struct ctl_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

struct ctl_counter {
	const char	*status;	/* "sessions open" */
	const char	*metric;	/* "pana_relayd_sessions" */
	const char	*labels;	/* "state=\"open\"", or NULL */
	const char	*help;
	int		 gauge;		/* 0: counter */
	uint64_t	 value;
};

/*
 * One more counter in the table c of max entries, *n of them filled
 * (past max it is left out); the strings are borrowed, as static text.
 */
void	ctl_counter_add(struct ctl_counter *c, size_t max, size_t *n,
	    const char *status, const char *metric, const char *labels,
	    const char *help, int gauge, uint64_t value);

int	ctl_render_status(struct ctl_buf *, const struct ctl_counter *,
	    size_t n);
int	ctl_render_metrics(struct ctl_buf *, const struct ctl_counter *,
	    size_t n);

#endif /* GKEY_CTL_PROTO_H */
