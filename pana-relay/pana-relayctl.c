/*
 * pana-relayctl - control a running pana-relayd through its control
 * socket: status, sessions, terminate, ping, reauth, reload, metrics.
 *
 * One request line per connection; the daemon answers "ok" or
 * "error: REASON" on the first line, then the text, then closes
 * (doc/control.md).  The text is copied to standard output as it is, so
 * `metrics' is ready for node_exporter's textfile collector.
 *
 * The same source is built as gkey-ardctl, for gkey-ard's control
 * socket, with -DPROG and -DDEFAULT_SOCKET (gkey-ard answers status,
 * metrics and nothing else).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DEFAULT_SOCKET
#define DEFAULT_SOCKET	"/run/pana-relayd/pana-relayd.sock"
#endif
#ifndef PROG
#define PROG		"pana-relayctl"
#endif
#define REQUEST_MAX	256
#define TIMEOUT_MS	10000

static const struct {
	const char	*word;
	int		 args;
} commands[] = {
	{ "status",	0 },
	{ "sessions",	0 },
	{ "terminate",	1 },
	{ "reload",	0 },
	{ "metrics",	0 },
	{ "ping",	1 },
	{ "reauth",	1 },
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-s socket] command [argument]\n"
	    "commands: status, sessions, terminate ID, ping ID, reauth ID, "
	    "reload,\n          metrics\n",
	    PROG);
	exit(2);
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "%s: %s: path too long\n", PROG, path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "%s: socket: %s\n", PROG, strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Copies the reply to stdout, the first line aside: 0 after "ok", 1 after
 * "error: ..." (printed on stderr), 3 if the daemon's reply broke off.
 */
static int
relay_reply(int fd)
{
	struct pollfd pfd;
	char buf[8192], first[REQUEST_MAX + 64];
	size_t flen = 0;
	ssize_t n, i;
	int in_first = 1, status = -1;

	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if ((n = poll(&pfd, 1, TIMEOUT_MS)) == 0) {
			fprintf(stderr, "%s: no answer from the daemon in "
			    "%d s\n", PROG, TIMEOUT_MS / 1000);
			return 3;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || (n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: %s\n", PROG, strerror(errno));
			return 3;
		}
		if (n == 0)
			break;
		for (i = 0; in_first && i < n; i++) {
			if (buf[i] == '\n') {
				first[flen] = '\0';
				in_first = 0;
				break;
			}
			if (flen < sizeof(first) - 1)
				first[flen++] = buf[i];
		}
		if (in_first)
			continue;
		if (status == -1) {
			if (strcmp(first, "ok") == 0)
				status = 0;
			else {
				fprintf(stderr, "%s: %s\n", PROG,
				    strncmp(first, "error: ", 7) == 0 ?
				    first + 7 : first);
				status = 1;
			}
			i++;	/* past the newline */
		} else
			i = 0;
		if (n - i > 0 && fwrite(buf + i, 1, (size_t)(n - i),
		    stdout) != (size_t)(n - i)) {
			fprintf(stderr, "%s: writing: %s\n", PROG,
			    strerror(errno));
			return 3;
		}
	}
	if (status == -1) {
		fprintf(stderr, "%s: pana-relayd closed the connection "
		    "without answering\n", PROG);
		return 3;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: writing: %s\n", PROG, strerror(errno));
		return 3;
	}
	return status;
}

int
main(int argc, char *argv[])
{
	const char *path = DEFAULT_SOCKET;
	char req[REQUEST_MAX + 2];
	size_t i;
	int ch, fd, n, rc;

	while ((ch = getopt(argc, argv, "s:")) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].word) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "%s: unknown command '%s'\n", PROG, argv[0]);
		usage();
	}
	if (argc - 1 != commands[i].args) {
		fprintf(stderr, "%s: %s takes %d argument%s\n", PROG, argv[0],
		    commands[i].args, commands[i].args == 1 ? "" : "s");
		usage();
	}
	n = snprintf(req, sizeof(req), "%s%s%s\n", argv[0],
	    argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	if (n < 0 || (size_t)n >= sizeof(req) ||
	    strpbrk(argc > 1 ? argv[1] : "", " \t\r\n") != NULL) {
		fprintf(stderr, "%s: bad argument\n", PROG);
		return 2;
	}
	if ((fd = connect_to(path)) == -1)
		return 3;
	if (send_all(fd, req, (size_t)n) != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
		close(fd);
		return 3;
	}
	(void)shutdown(fd, SHUT_WR);
	rc = relay_reply(fd);
	close(fd);
	return rc;
}
