/*
 * nd_log.c - logging for the ND daemons.  See nd_log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "nd_log.h"

static int	 log_foreground = 1;
static int	 log_debugging;
static uint64_t	 rl_second;		/* the second being counted */
static unsigned	 rl_count;		/* lines written in it */
static uint64_t	 rl_pending;		/* suppressed, not yet reported */
static uint64_t	 rl_total;

static void	vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	logit(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

void
nd_log_init(int foreground, int debug, const char *ident)
{
	log_foreground = foreground;
	log_debugging = debug;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char line[1024];

	if (pri == LOG_DEBUG && !log_debugging)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_foreground) {
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
nd_log_warn(const char *fmt, ...)
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
nd_log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
nd_log_warnx_rl(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if ((uint64_t)ts.tv_sec != rl_second) {
		if (rl_pending > 0)
			logit(LOG_WARNING, "%llu warning lines suppressed",
			    (unsigned long long)rl_pending);
		rl_second = (uint64_t)ts.tv_sec;
		rl_count = 0;
		rl_pending = 0;
	}
	if (rl_count >= ND_LOG_RL_BURST) {
		rl_pending++;
		rl_total++;
		return;
	}
	rl_count++;
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
nd_log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
nd_log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
nd_fatal(const char *fmt, ...)
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
nd_fatalx(const char *fmt, ...)
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
nd_log_rl_suppressed(void)
{
	return rl_total;
}
