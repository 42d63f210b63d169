/*
 * nd_log.h - logging for gkey-ard and gkey-noded: stderr in the
 * foreground (-d), syslog otherwise.
 *
 * nd_log_warnx_rl() is for anything a remote peer can trigger (a bad
 * packet, a drop): at most ND_LOG_RL_BURST such lines per second are
 * written; the rest are counted and reported as one "N warning lines
 * suppressed" line.  Start-up errors use nd_fatalx(), which logs and
 * exits.
 *
 * Never pass a private key, a group key or a secret to these functions.
 */
#ifndef GKEY_ND_LOG_H
#define GKEY_ND_LOG_H

#include <stdint.h>

#define ND_LOG_RL_BURST	20	/* rate-limited lines per second */

void	nd_log_init(int foreground, int debug, const char *ident);
void	nd_log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	nd_log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	nd_log_warnx_rl(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	nd_log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	nd_log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	nd_fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	nd_fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Lines suppressed by nd_log_warnx_rl() since start. */
uint64_t nd_log_rl_suppressed(void);

#endif /* GKEY_ND_LOG_H */
