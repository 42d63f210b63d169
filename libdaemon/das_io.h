/*
 * das_io.h - a NAS's DAS socket (gkey-ard, pana-relayd): the datagrams
 * of the key server's CoA-Requests read, put through libdas and answered,
 * with the logging of doc/coa.md section 7.  The daemon's own part, what
 * it does for a request that libdas accepted, is a callback.
 *
 * Runs in the daemon's poll() loop: the socket must be non-blocking.
 * das_io_read() allocates nothing; buf is borrowed for the call.
 */
#ifndef GKEY_DAS_IO_H
#define GKEY_DAS_IO_H

#include <stddef.h>
#include <stdint.h>

#define DAS_IO_BURST	64	/* datagrams read per wake-up */

struct das;
struct das_request;
struct das_settings;

/* What das_io_read() counted (doc/coa.md section 7). */
struct das_io_stats {
	uint64_t	received;	/* datagrams on the DAS port */
	uint64_t	dropped;	/* discarded without an answer */
	uint64_t	naks;		/* answers other than a first 507 */
};

/*
 * Acts on a request libdas accepted from client (its address, for the
 * log); returns the Error-Cause to answer with (DAS_EC_REQUEST_INITIATED
 * when the push is under way).
 */
typedef uint32_t (*das_io_act)(void *arg, const struct das_request *,
    const char *client);

/*
 * The DAS of the das-* lines in s (libdaemon/das_conf.h), answering as
 * nas_identifier; require_cert: a CoA-Request must carry
 * GKey-Cert-SHA256 (doc/coa.md section 4).  NULL without das-listen;
 * fatalx() when das_new() fails.  It copies the secrets: the caller may
 * wipe s's now.  Free it with das_free().
 */
struct das *das_io_new(const struct das_settings *s,
	    const char *nas_identifier, int require_cert);

/*
 * Reads up to DAS_IO_BURST datagrams from fd into buf (size octets) and
 * answers each as das_input() and act decide.
 */
void	das_io_read(struct das *, int fd, uint8_t *buf, size_t size,
	    das_io_act act, void *arg, struct das_io_stats *);

#endif /* GKEY_DAS_IO_H */
