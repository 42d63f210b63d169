/*
 * daemon.c - the start-up the daemons share.  See daemon.h.
 */
#define _GNU_SOURCE		/* setresuid(2), setresgid(2), daemon(3) */

#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "plog.h"

volatile sig_atomic_t daemon_quit;
volatile sig_atomic_t daemon_hup;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		daemon_hup = 1;
	else
		daemon_quit = 1;
}

static void __attribute__((noreturn))
usage(const char *progname)
{
	fprintf(stderr, "usage: %s [-dnv] [-f file]\n", progname);
	exit(1);
}

void
daemon_args(int argc, char *argv[], const char *progname,
    const char *default_conf, struct daemon_args *a)
{
	int ch;

	memset(a, 0, sizeof(*a));
	a->conffile = default_conf;
	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd':
			a->foreground = 1;
			break;
		case 'f':
			a->conffile = optarg;
			break;
		case 'n':
			a->noaction = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		default:
			usage(progname);
		}
	}
	if (optind != argc)
		usage(progname);
}

void
daemon_drop_privileges(const char *user)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		if (user[0] != '\0')
			log_info("not running as root: staying uid %u",
			    (unsigned int)geteuid());
		return;
	}
	if (user[0] == '\0') {
		log_warnx("running as root: set 'user' in the configuration");
		return;
	}
	if ((pw = getpwnam(user)) == NULL)
		fatalx("user '%s' does not exist", user);
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("cannot drop privileges to %s", user);
	if (setuid(0) != -1 || geteuid() == 0)
		fatalx("privileges not dropped");
	log_info("running as %s", user);
}

void
daemon_detach(int foreground, int verbose, const char *ident)
{
	if (foreground)
		return;
	log_init(0, verbose, ident);
	if (daemon(0, 0) == -1)
		fatal("daemon");
}

void
daemon_signals(const int *sigs, size_t n)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	if (sigemptyset(&sa.sa_mask) == -1)
		fatal("sigemptyset");
	for (i = 0; i < n; i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			fatal("sigaction %d", sigs[i]);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		fatal("sigaction SIGPIPE");
}
