/*
 * daemon.h - the start-up the daemons share (pana-relayd, gkey-ard,
 * gkey-noded): the command line "[-dnv] [-f file]", dropping root to the
 * configured user, going to the background and the signal handlers.
 *
 * Errors here are fatal: each function logs with plog.h and exits, as a
 * daemon that cannot do these must not start.  Nothing is allocated;
 * every string is borrowed for the call (daemon_args() keeps pointers into
 * argv and to default_conf, which live as long as the program).
 */
#ifndef GKEY_DAEMON_H
#define GKEY_DAEMON_H

#include <signal.h>
#include <stddef.h>

struct daemon_args {
	const char	*conffile;	/* -f, else default_conf */
	int		 foreground;	/* -d */
	int		 noaction;	/* -n: check the configuration only */
	int		 verbose;	/* -v */
};

/*
 * Parse "[-dnv] [-f file]" from argv; anything else prints
 * "usage: PROGNAME [-dnv] [-f file]" and exits 1.
 */
void	daemon_args(int argc, char *argv[], const char *progname,
	    const char *default_conf, struct daemon_args *);

/*
 * As root, become user (setgroups, setresgid, setresuid) and check that
 * root cannot be regained.  Not root: stay, saying so when a user is
 * configured.  Root and no user: a warning, and stay root.
 */
void	daemon_drop_privileges(const char *user);

/*
 * Unless foreground, log to syslog as ident from now on and detach from
 * the terminal (daemon(3)).
 */
void	daemon_detach(int foreground, int verbose, const char *ident);

/*
 * What the signals of daemon_signals() ask for, for the main loop: SIGHUP
 * sets daemon_hup (a reload; the loop clears it), any other daemon_quit.
 */
extern volatile sig_atomic_t daemon_quit;
extern volatile sig_atomic_t daemon_hup;

/* Catch each of the n signals in sigs as above; SIGPIPE ignored. */
void	daemon_signals(const int *sigs, size_t n);

#endif /* GKEY_DAEMON_H */
