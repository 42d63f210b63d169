/*
 * gkey_logq.h	rlm_gkey's issuance log writer: group commit of the log
 *		rows of many requests (doc/radius.md, "Issuance log writer").
 *
 * A request hands its rows (one per decision: doc/radius.md section 11)
 * to gkey_logq_log_rows(), which queues a copy of them together and
 * blocks once, until the batch holding them has been written and
 * committed, or has failed, or the request's bound has passed. A
 * request's rows always go into one batch: they commit or fail together,
 * and the request has one result. One writer thread per queue takes
 * whole requests, up to batch_max rows (a request with more rows than
 * that is a batch of its own), once the oldest has waited wait_us (or at
 * once when the batch is full, or when wait_us is 0), hands them to the
 * write function in one call, and wakes exactly the requests of that
 * batch with its result.
 *
 * Nothing here knows PostgreSQL: the write function does (gkey_db.c's
 * gkey_db_log_batch in the module, a fake in tests/check_logq.c). It is
 * only ever called from the writer thread, one batch at a time.
 *
 * Bounds:
 *	queue_max	rows queued or being written at once; a request
 *			whose rows do not fit fails at once ("log queue
 *			full").
 *	timeout_ms	how long a request waits at most. Rows still queued
 *			then are withdrawn (never written); rows whose batch
 *			is being written may still be committed after the
 *			request failed: logged rows for a request that got
 *			no answer, never an answer without its rows.
 *
 * gkey_logq_stop() writes what is queued (without waiting for batches to
 * fill) and then ends the thread: no row is dropped without its request
 * being told.
 */
#ifndef GKEY_LOGQ_H
#define GKEY_LOGQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the issuance log records of one decision. */
typedef struct gkey_log_entry {
	int64_t		identity;	/* 0: unknown */
	uint8_t const	*fingerprint;	/* 32 octets or NULL */
	uint32_t	app_id;		/* 0 with epoch 0: no application */
	uint32_t	epoch;
	char const	*nas;
	char const	*calling;
	char const	*flow;		/* "radius" or "eap" */
	char const	*result;	/* "issued", "refused" or "failed" */
	char const	*reason;
} gkey_log_entry_t;

/*
 * Writes rows[0..n-1] in one transaction: 0 when committed, -1 when not
 * (none of them is then logged; why in err, NUL-terminated).
 */
typedef int (*gkey_logq_write_t)(void *arg, gkey_log_entry_t const * const *rows, size_t n,
				 char *err, size_t err_len);

typedef struct gkey_logq_config {
	uint32_t	batch_max;	/* rows per batch, >= 1 */
	uint32_t	wait_us;	/* how long the oldest row waits for others */
	uint32_t	queue_max;	/* rows queued or in flight, >= batch_max */
	uint32_t	timeout_ms;	/* longest wait of gkey_logq_log_rows(), > 0 */
} gkey_logq_config_t;

typedef struct gkey_logq gkey_logq_t;

/* What the writer has done so far. */
typedef struct gkey_logq_stats {
	uint64_t	batches;	/* write calls */
	uint64_t	rows;		/* rows handed to them */
	uint64_t	failed;		/* rows of failed batches */
	uint64_t	timed_out;	/* requests that gave up waiting */
	uint64_t	refused;	/* rows refused: queue full or stopping */
	uint64_t	queued;		/* rows queued now, not yet taken */
} gkey_logq_stats_t;

/*
 * A queue whose writer thread starts with the first row (a server that
 * forks after instantiate keeps it); NULL on error (why in err).
 */
gkey_logq_t	*gkey_logq_start(gkey_logq_config_t const *cfg, gkey_logq_write_t write, void *arg,
				 char *err, size_t err_len);

/*
 * Queues a copy of rows[0..n-1] (n >= 1) and waits for their batch, one
 * for all of them. 0: all committed. -1: none logged, or not known to be
 * (why in err): the request must fail.
 */
int		gkey_logq_log_rows(gkey_logq_t *q, gkey_log_entry_t const *rows, size_t n,
				   char *err, size_t err_len);

void		gkey_logq_get_stats(gkey_logq_t *q, gkey_logq_stats_t *out);

/* Writes or fails what is queued, ends the thread and frees q (NULL: no-op). */
void		gkey_logq_stop(gkey_logq_t *q);

#endif /* GKEY_LOGQ_H */
