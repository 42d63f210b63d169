/*
 * control.h - a daemon's control socket (pana-relayd, gkey-ard): a Unix
 * domain SOCK_STREAM socket (mode 0600) that pana-relayctl talks to,
 * served from the daemon's poll() loop.
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

#endif /* GKEY_CONTROL_H */
