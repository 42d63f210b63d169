/*
 * control.c - a daemon's control socket (pana-relayd, gkey-ard, gkey-pushd).
 * See control.h.
 */
#define _GNU_SOURCE		/* accept4(2) */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "plog.h"

#define ACCEPT_PAUSE_MS	1000

enum ctl_phase { CTL_READING, CTL_WRITING };

struct ctl_client {
	int		 fd;		/* -1: slot free */
	enum ctl_phase	 phase;
	char		 in[CTL_REQUEST_MAX + 2];
	size_t		 inlen;
	struct ctl_buf	 out;
	size_t		 outoff;
	uint64_t	 deadline;
};

struct ctl_server {
	int			 fd;
	char			 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t			 dev;		/* of the socket file made */
	ino_t			 ino;
	ctl_handler		 handler;
	void			*arg;
	struct ctl_client	 client[CTL_MAX_CLIENTS];
	struct ctl_stats	 stats;
	/*
	 * Out of descriptors, accept() fails and the listener stays
	 * readable: it is left out of poll() until then, or the loop spins.
	 */
	uint64_t		 accept_paused_until;
};

static int
sun_of(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -1;
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

/*
 * What is at path may go only if it is a socket nobody listens on.  0 if
 * path is free now, -1 with a reason.
 */
static int
clear_stale(const char *path, const struct sockaddr_un *sun, char *err,
    size_t errlen)
{
	struct stat st;
	int fd, rc = -1;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "control socket %s: exists and is not a "
		    "socket: not removed", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		snprintf(err, errlen, "control socket %s: another process "
		    "answers on it (is the daemon already running?)", path);
	else if (errno != ECONNREFUSED)
		snprintf(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
	else if (unlink(path) != 0 && errno != ENOENT)
		snprintf(err, errlen, "control socket %s: cannot remove the "
		    "stale socket: %s", path, strerror(errno));
	else {
		log_info("control socket %s: removed a stale socket", path);
		rc = 0;
	}
	close(fd);
	return rc;
}

struct ctl_server *
ctl_server_open(const char *path, ctl_handler handler, void *arg, char *err,
    size_t errlen)
{
	struct ctl_server *cs;
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int i;

	if (sun_of(path, &sun) != 0) {
		snprintf(err, errlen, "control socket %s: path too long", path);
		return NULL;
	}
	if ((cs = calloc(1, sizeof(*cs))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cs->fd = -1;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		cs->client[i].fd = -1;
	cs->handler = handler;
	cs->arg = arg;
	if (clear_stale(path, &sun, err, errlen) != 0)
		goto fail;
	cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (cs->fd == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		goto fail;
	}
	/* Created 0600: nobody but its owner may even connect. */
	old = umask(0177);
	i = bind(cs->fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (i != 0) {
		snprintf(err, errlen, "control socket %s: bind: %s", path,
		    strerror(errno));
		goto fail;
	}
	snprintf(cs->path, sizeof(cs->path), "%s", path);
	if (lstat(path, &st) != 0 || chmod(path, 0600) != 0) {
		snprintf(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	cs->dev = st.st_dev;
	cs->ino = st.st_ino;
	if (listen(cs->fd, CTL_MAX_CLIENTS) != 0) {
		snprintf(err, errlen, "control socket %s: listen: %s", path,
		    strerror(errno));
		goto fail;
	}
	log_info("control socket %s", path);
	return cs;
 fail:
	ctl_server_close(cs);
	return NULL;
}

static void
client_close(struct ctl_client *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	ctl_buf_free(&c->out);
}

void
ctl_server_close(struct ctl_server *cs)
{
	struct stat st;
	int i;

	if (cs == NULL)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		client_close(&cs->client[i]);
	if (cs->fd != -1)
		close(cs->fd);
	/*
	 * Only the socket made here is removed; after the privileges were
	 * dropped this may fail, and the next start clears it as stale.
	 */
	if (cs->path[0] != '\0' && lstat(cs->path, &st) == 0 &&
	    S_ISSOCK(st.st_mode) && st.st_dev == cs->dev &&
	    st.st_ino == cs->ino)
		(void)unlink(cs->path);
	free(cs);
}

size_t
ctl_server_pollfds(const struct ctl_server *cs, struct pollfd *pfd,
    size_t max)
{
	size_t n = 0;
	int i;

	if (max < CTL_POLLFDS)
		return 0;
	/* A negative fd is ignored by poll(): the entry stays, unused. */
	pfd[n].fd = cs->accept_paused_until != 0 ? -1 : cs->fd;
	pfd[n].events = POLLIN;
	pfd[n++].revents = 0;
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (cs->client[i].fd == -1)
			continue;
		pfd[n].fd = cs->client[i].fd;
		pfd[n].events = cs->client[i].phase == CTL_READING ? POLLIN :
		    POLLOUT;
		pfd[n++].revents = 0;
	}
	return n;
}

static void
accept_clients(struct ctl_server *cs, uint64_t now)
{
	struct ctl_client *c;
	int fd, i;

	while ((fd = accept4(cs->fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		c = NULL;
		for (i = 0; i < CTL_MAX_CLIENTS && c == NULL; i++)
			if (cs->client[i].fd == -1)
				c = &cs->client[i];
		if (c == NULL) {
			cs->stats.refused++;
			log_warnx_rl("control: %d clients already: connection "
			    "closed", CTL_MAX_CLIENTS);
			close(fd);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->phase = CTL_READING;
		ctl_buf_init(&c->out, CTL_REPLY_MAX);
		c->deadline = now + CTL_CLIENT_MS;
	}
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
	    errno == ENOMEM) {
		log_warnx_rl("control: accept: %s: not accepting for %d ms",
		    strerror(errno), ACCEPT_PAUSE_MS);
		cs->accept_paused_until = now + ACCEPT_PAUSE_MS;
	} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR && errno != ECONNABORTED)
		log_warnx_rl("control: accept: %s", strerror(errno));
}

/* The request is complete (len octets, no newline): build the reply. */
static void
answer(struct ctl_server *cs, struct ctl_client *c, size_t len)
{
	struct ctl_request req;
	char err[CTL_ERRLEN];
	int rc;

	cs->stats.requests++;
	err[0] = '\0';
	ctl_buf_reset(&c->out);
	if ((rc = ctl_parse_request(c->in, len, &req, err, sizeof(err))) == 0 &&
	    (rc = ctl_buf_printf(&c->out, "ok\n")) == 0) {
		rc = cs->handler(cs->arg, &req, &c->out, err, sizeof(err));
		if (rc == 0 && c->out.full) {
			snprintf(err, sizeof(err), "reply longer than %u "
			    "octets", CTL_REPLY_MAX);
			rc = -1;
		}
	}
	if (rc != 0) {
		ctl_buf_reset(&c->out);
		(void)ctl_buf_printf(&c->out, "error: %s\n",
		    err[0] != '\0' ? err : "failed");
		log_debug("control: request refused: %s", err);
	}
	c->phase = CTL_WRITING;
	c->outoff = 0;
}

static void
client_read(struct ctl_server *cs, struct ctl_client *c)
{
	char *nl;
	ssize_t n;

	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen, 0);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		cs->stats.dropped++;
		client_close(c);
		return;
	}
	c->inlen += (size_t)n;
	c->in[c->inlen] = '\0';
	if ((nl = memchr(c->in, '\n', c->inlen)) != NULL)
		answer(cs, c, (size_t)(nl - c->in));
	else if (n == 0 && c->inlen > 0)
		answer(cs, c, c->inlen);	/* the last line, unterminated */
	else if (n == 0)
		client_close(c);		/* went without asking */
	else if (c->inlen == sizeof(c->in) - 1)
		answer(cs, c, c->inlen);	/* too long: an error reply */
}

static void
client_write(struct ctl_server *cs, struct ctl_client *c)
{
	ssize_t n;

	n = send(c->fd, c->out.buf + c->outoff, c->out.len - c->outoff,
	    MSG_NOSIGNAL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		cs->stats.dropped++;
		client_close(c);
		return;
	}
	c->outoff += (size_t)n;
	if (c->outoff == c->out.len)
		client_close(c);
}

void
ctl_server_events(struct ctl_server *cs, const struct pollfd *pfd, size_t n,
    uint64_t now)
{
	struct ctl_client *c;
	size_t k;
	int i;

	for (k = 1; k < n; k++) {
		if (pfd[k].revents == 0)
			continue;
		for (i = 0, c = NULL; i < CTL_MAX_CLIENTS; i++)
			if (cs->client[i].fd == pfd[k].fd)
				c = &cs->client[i];
		if (c == NULL)
			continue;
		if (c->phase == CTL_READING)
			client_read(cs, c);
		else if (pfd[k].revents & (POLLOUT | POLLERR | POLLHUP))
			client_write(cs, c);
	}
	if (n > 0 && (pfd[0].revents & POLLIN))
		accept_clients(cs, now);
}

int
ctl_server_timer(struct ctl_server *cs, uint64_t now)
{
	struct ctl_client *c;
	uint64_t next = UINT64_MAX;
	int i;

	if (cs->accept_paused_until != 0 && now >= cs->accept_paused_until)
		cs->accept_paused_until = 0;
	if (cs->accept_paused_until != 0)
		next = cs->accept_paused_until;
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		c = &cs->client[i];
		if (c->fd == -1)
			continue;
		if (now >= c->deadline) {
			cs->stats.dropped++;
			log_warnx_rl("control: client %s for %d ms: dropped",
			    c->phase == CTL_READING ? "sent no request" :
			    "did not read its reply", CTL_CLIENT_MS);
			client_close(c);
			continue;
		}
		if (c->deadline < next)
			next = c->deadline;
	}
	if (next == UINT64_MAX)
		return -1;
	return (int)(next - now);
}

const struct ctl_stats *
ctl_server_stats(const struct ctl_server *cs)
{
	return &cs->stats;
}

struct ctl_server *
ctl_server_start(const char *path, ctl_handler handler, void *arg)
{
	struct ctl_server *cs;
	char err[CTL_ERRLEN + PATH_MAX];

	if (path[0] == '\0')
		return NULL;
	cs = ctl_server_open(path, handler, arg, err, sizeof(err));
	if (cs == NULL)
		fatalx("%s", err);
	return cs;
}

size_t
ctl_server_prepare(struct ctl_server *cs, struct pollfd *pfd, int *timeout,
    uint64_t now)
{
	int ct;

	if (cs == NULL)
		return 0;
	ct = ctl_server_timer(cs, now);
	if (ct >= 0 && (*timeout < 0 || ct < *timeout))
		*timeout = ct;
	return ctl_server_pollfds(cs, pfd, CTL_POLLFDS);
}

void
ctl_server_dispatch(struct ctl_server *cs, const struct pollfd *pfd,
    size_t n, uint64_t now)
{
	if (cs != NULL)
		ctl_server_events(cs, pfd, n, now);
}

int
ctl_answer_counters(const char *progname, const struct ctl_request *req,
    const struct ctl_counter *c, size_t n, struct ctl_buf *b, char *err,
    size_t errlen)
{
	switch (req->cmd) {
	case CTL_CMD_STATUS:
		return ctl_render_status(b, c, n);
	case CTL_CMD_METRICS:
		return ctl_render_metrics(b, c, n);
	case CTL_CMD_RELOAD:
		snprintf(err, errlen, "%s does not reload; restart it",
		    progname);
		return -1;
	default:
		snprintf(err, errlen, "%s has no sessions", progname);
		return -1;
	}
}
