/*
 * plog.h - logging for the daemons (pana-relayd, gkey-ard, gkey-noded):
 * stderr in the foreground (-d), syslog otherwise.
 *
 * log_warnx_rl() is for anything a remote peer can trigger (a bad packet,
 * a drop): at most PLOG_RL_BURST such lines per second are written; the
 * rest are counted and reported as one "N lines suppressed" line.  Start-up
 * errors use fatalx(), which logs and exits.
 *
 * Never pass a secret, a key or a MAC to these functions.
 */
#ifndef GKEY_PLOG_H
#define GKEY_PLOG_H

#include <stdint.h>

#define PLOG_RL_BURST	20	/* rate-limited lines per second */

void	log_init(int foreground, int debug, const char *ident);
void	log_set_clock(uint64_t (*now_ms)(void));
/*
 * Hand each line that would be written to fn instead of stderr or syslog,
 * so the unit tests can assert why a datagram was dropped; NULL restores
 * the normal output.  The line is borrowed for the call.
 */
void	log_set_sink(void (*fn)(void *arg, int pri, const char *line),
	    void *arg);
/* Debugging lines on or off from now on (a reload of log-level). */
void	log_set_debug(int on);
/* Silence everything (the fuzzers); fatal errors still print. */
void	log_silence(int on);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx_rl(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Lines written and suppressed by log_warnx_rl() since start (tests). */
uint64_t log_rl_written(void);
uint64_t log_rl_suppressed(void);

#endif /* GKEY_PLOG_H */
