/*
 * control.h - a daemon's control socket (pana-relayd, gkey-ard,
 * gkey-pushd): a Unix domain SOCK_STREAM socket (mode 0600) that
 * pana-relayctl talks to, served from the daemon's poll() loop.
 *
 * Everything is non-blocking and bounded: at most CTL_MAX_CLIENTS
 * connections at once (more are accepted and closed at once), one request
 * of at most CTL_REQUEST_MAX octets per connection, one reply of at most
 * CTL_REPLY_MAX octets, and CTL_CLIENT_MS for the whole exchange; a client
 * that sends too much, too slowly, or does not read its reply is dropped.
 * The handler runs synchronously and must not block.
 *
 * Memory: ctl_server_open() returns a server the caller frees with
 * ctl_server_close(), which also removes the socket file if it is still
 * the one created.
 */
#ifndef GKEY_CONTROL_H
#define GKEY_CONTROL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_proto.h"

#define CTL_MAX_CLIENTS		8
#define CTL_CLIENT_MS		5000
#define CTL_POLLFDS		(1 + CTL_MAX_CLIENTS)

/*
 * Write the answer to req into body (the text after the "ok" line) and
 * return 0, or return -1 with a reason in err (sent as "error: REASON").
 */
typedef int (*ctl_handler)(void *arg, const struct ctl_request *req,
    struct ctl_buf *body, char *err, size_t errlen);

struct ctl_stats {
	uint64_t	requests;	/* answered, ok or error */
	uint64_t	refused;	/* too many clients */
	uint64_t	dropped;	/* timed out, or a socket error */
};

struct ctl_server;

/*
 * Creates the socket at path (mode 0600).  An existing file there is
 * removed only if it is a socket nobody answers on (left by a daemon that
 * died); anything else is an error.  NULL with a reason in err.
 */
struct ctl_server *ctl_server_open(const char *path, ctl_handler, void *arg,
	    char *err, size_t errlen);
void	ctl_server_close(struct ctl_server *);

/* Fills at most max (>= CTL_POLLFDS) entries; returns how many. */
size_t	ctl_server_pollfds(const struct ctl_server *, struct pollfd *,
	    size_t max);
/* The entries filled by ctl_server_pollfds(), after poll(). */
void	ctl_server_events(struct ctl_server *, const struct pollfd *, size_t n,
	    uint64_t now);
/* Drops clients past their time; ms until the next is due, or -1. */
int	ctl_server_timer(struct ctl_server *, uint64_t now);

const struct ctl_stats *ctl_server_stats(const struct ctl_server *);

/*
 * What the daemons' start-up and poll() loops do with the server
 * (pana-relayd, gkey-ard, gkey-pushd).  ctl_server_start(): no socket
 * when path is empty (NULL), else ctl_server_open() or fatalx(); call it
 * before dropping root, as the socket's directory may be root's.
 * ctl_server_prepare(): with a server, drops the clients past their time,
 * lowers *timeout (-1: none) to when the next is due and fills pfd
 * (CTL_POLLFDS entries at the most); returns how many, 0 without one.
 * ctl_server_dispatch(): ctl_server_events() when there is a server.
 */
struct ctl_server *ctl_server_start(const char *path, ctl_handler, void *arg);
size_t	ctl_server_prepare(struct ctl_server *, struct pollfd *, int *timeout,
	    uint64_t now);
void	ctl_server_dispatch(struct ctl_server *, const struct pollfd *,
	    size_t n, uint64_t now);

/*
 * The answer of a daemon whose control socket shows counters and nothing
 * else (gkey-ard, gkey-pushd; doc/control.md): status and metrics render
 * the n counters in c (after any lines the caller put into body for
 * status), reload and the session commands are refused with progname's
 * name in the reason.
 */
int	ctl_answer_counters(const char *progname, const struct ctl_request *,
	    const struct ctl_counter *c, size_t n, struct ctl_buf *body,
	    char *err, size_t errlen);

#endif /* GKEY_CONTROL_H */
