/*
 * plog.c - logging for pana-relayd.  See plog.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "clock.h"
#include "plog.h"

static int	 log_foreground = 1;
static int	 log_debugging;
static int	 log_silent;
static uint64_t	(*log_clock)(void);
static void	(*log_sink)(void *, int, const char *);
static void	*log_sink_arg;

static uint64_t	 rl_second;		/* the second being counted */
static unsigned	 rl_count;		/* lines written in it */
static uint64_t	 rl_suppressed;		/* not yet reported */
static uint64_t	 rl_total_written;
static uint64_t	 rl_total_suppressed;

void
log_init(int foreground, int debug, const char *ident)
{
	log_foreground = foreground;
	log_debugging = debug;
	if (log_clock == NULL)
		log_clock = gkey_now_ms;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_silence(int on)
{
	log_silent = on;
}

void
log_set_clock(uint64_t (*now_ms)(void))
{
	log_clock = now_ms;
}

void
log_set_sink(void (*fn)(void *arg, int pri, const char *line), void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

static void	vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	logit(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char line[1024];

	if ((pri == LOG_DEBUG && !log_debugging) ||
	    (log_silent && pri != LOG_CRIT))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_sink != NULL)
		log_sink(log_sink_arg, pri, line);
	else if (log_foreground) {
		fprintf(stderr, "%s\n", line);
		fflush(stderr);
	} else
		syslog(pri, "%s", line);
}

static void
logit(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	logit(LOG_WARNING, "%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warnx_rl(const char *fmt, ...)
{
	va_list ap;
	uint64_t sec;

	sec = (log_clock != NULL ? log_clock() : gkey_now_ms()) / 1000;
	if (sec != rl_second) {
		if (rl_suppressed > 0)
			logit(LOG_WARNING, "%llu warning lines suppressed",
			    (unsigned long long)rl_suppressed);
		rl_second = sec;
		rl_count = 0;
		rl_suppressed = 0;
	}
	if (rl_count >= PLOG_RL_BURST) {
		rl_suppressed++;
		rl_total_suppressed++;
		return;
	}
	rl_count++;
	rl_total_written++;
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	logit(LOG_CRIT, "fatal: %s: %s", buf, strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	logit(LOG_CRIT, "fatal: %s", buf);
	exit(1);
}

uint64_t
log_rl_written(void)
{
	return rl_total_written;
}

uint64_t
log_rl_suppressed(void)
{
	return rl_total_suppressed;
}

void
log_set_debug(int on)
{
	log_debugging = on;
}
