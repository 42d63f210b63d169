/*
 * gkey_logq.c	rlm_gkey's issuance log writer (see gkey_logq.h).
 *
 * One mutex guards the queue, the counters and every row's state. A row
 * is QUEUED (in the list, owned by the queue), WRITING (taken into a
 * batch: the writer reads it without the lock, nobody frees it) or DONE
 * (its result set: the request frees it). A request that gives up while
 * its row is WRITING marks it abandoned and the writer frees it once the
 * batch is over. Each row has its own condition variable, so that a
 * batch wakes exactly its requests.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gkey_logq.h"

typedef enum {
	ROW_QUEUED = 0,
	ROW_WRITING,
	ROW_DONE
} row_state_t;

typedef struct row {
	struct row	*next;
	gkey_log_entry_t e;		/* points into fp and text */
	row_state_t	state;
	bool		abandoned;	/* its request gave up while WRITING */
	int		rc;		/* DONE: the write's result */
	struct timespec	queued;		/* CLOCK_MONOTONIC */
	pthread_cond_t	done;
	char		err[256];
	uint8_t		fp[32];
	char		text[];		/* nas, calling, flow, result, reason */
} row_t;

struct gkey_logq {
	gkey_logq_config_t cfg;
	gkey_logq_write_t write;
	void		*arg;

	pthread_mutex_t	mutex;
	pthread_condattr_t condattr;	/* CLOCK_MONOTONIC, for every condvar */
	pthread_cond_t	work;		/* the writer's: rows came, or stop */
	pthread_cond_t	idle;		/* gkey_logq_stop's: no request waits */
	pthread_t	thread;
	bool		started;	/* the thread runs (from the first row on) */
	row_t		*head;
	row_t		**tail;
	size_t		queued;		/* rows in the list */
	size_t		writing;	/* rows of the batch being written */
	size_t		waiters;	/* requests inside gkey_logq_log */
	bool		stopping;
	gkey_logq_stats_t stats;

	/* The writer's batch: rows and what it hands to write(). */
	row_t		**batch;
	gkey_log_entry_t const **entries;
};

static void errf(char *err, size_t len, char const *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t len, char const *fmt, ...)
{
	va_list ap;

	if (!err || len == 0) return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static void ts_add_us(struct timespec *ts, uint64_t us)
{
	ts->tv_sec += (time_t) (us / 1000000);
	ts->tv_nsec += (long) (us % 1000000) * 1000;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool ts_reached(struct timespec const *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* A copy of e in one allocation; NULL when out of memory. */
static row_t *row_alloc(gkey_log_entry_t const *e)
{
	char const *s[5] = { e->nas, e->calling, e->flow, e->result, e->reason };
	char const **d[5];
	size_t len[5], total = 0;
	row_t *r;
	char *p;
	int i;

	for (i = 0; i < 5; i++) {
		len[i] = s[i] ? strlen(s[i]) + 1 : 0;
		total += len[i];
	}
	r = calloc(1, sizeof(*r) + total);
	if (!r) return NULL;
	r->e = *e;
	if (e->fingerprint) {
		memcpy(r->fp, e->fingerprint, sizeof(r->fp));
		r->e.fingerprint = r->fp;
	}
	d[0] = &r->e.nas;
	d[1] = &r->e.calling;
	d[2] = &r->e.flow;
	d[3] = &r->e.result;
	d[4] = &r->e.reason;
	p = r->text;
	for (i = 0; i < 5; i++) {
		if (!s[i]) continue;
		memcpy(p, s[i], len[i]);
		*d[i] = p;
		p += len[i];
	}
	return r;
}

static void row_free(row_t *r)
{
	pthread_cond_destroy(&r->done);
	free(r);
}

/* Takes r out of the list (it is QUEUED). */
static void row_unlink(gkey_logq_t *q, row_t *r)
{
	row_t **pp;

	for (pp = &q->head; *pp; pp = &(*pp)->next) {
		if (*pp != r) continue;
		*pp = r->next;
		if (q->tail == &r->next) q->tail = pp;
		q->queued--;
		return;
	}
}

/*
 *	Waits until the oldest row has waited wait_us, the batch is full or
 *	the queue stops; the oldest row may change meanwhile (its request
 *	gave up), and the wait is then the new oldest's.
 */
static void batch_gather(gkey_logq_t *q)
{
	struct timespec deadline;

	while (q->head && !q->stopping && q->queued < q->cfg.batch_max) {
		deadline = q->head->queued;
		ts_add_us(&deadline, q->cfg.wait_us);
		if (ts_reached(&deadline)) return;
		(void) pthread_cond_timedwait(&q->work, &q->mutex, &deadline);
	}
}

static void *writer_main(void *arg)
{
	gkey_logq_t *q = arg;
	char err[256];
	size_t i, n;
	int rc;

	pthread_mutex_lock(&q->mutex);
	for (;;) {
		while (!q->head && !q->stopping) pthread_cond_wait(&q->work, &q->mutex);
		if (!q->head) break;		/* stopping, and all is written */
		if (q->cfg.wait_us > 0) batch_gather(q);
		if (!q->head) continue;

		for (n = 0; q->head && n < q->cfg.batch_max; n++) {
			row_t *r = q->head;

			q->head = r->next;
			r->next = NULL;
			r->state = ROW_WRITING;
			q->batch[n] = r;
			q->entries[n] = &r->e;
		}
		if (!q->head) q->tail = &q->head;
		q->queued -= n;
		q->writing = n;
		pthread_mutex_unlock(&q->mutex);

		err[0] = '\0';
		rc = q->write(q->arg, q->entries, n, err, sizeof(err));
		if (rc != 0 && !err[0]) strcpy(err, "the log batch failed");

		pthread_mutex_lock(&q->mutex);
		q->stats.batches++;
		q->stats.rows += n;
		if (rc != 0) q->stats.failed += n;
		for (i = 0; i < n; i++) {
			row_t *r = q->batch[i];

			q->batch[i] = NULL;
			if (r->abandoned) {
				row_free(r);
				continue;
			}
			r->state = ROW_DONE;
			r->rc = rc != 0 ? -1 : 0;
			if (rc != 0) strcpy(r->err, err);
			pthread_cond_signal(&r->done);
		}
		q->writing = 0;
	}
	pthread_mutex_unlock(&q->mutex);
	return NULL;
}

gkey_logq_t *gkey_logq_start(gkey_logq_config_t const *cfg, gkey_logq_write_t write, void *arg,
			     char *err, size_t err_len)
{
	gkey_logq_t *q;

	if (cfg->batch_max < 1 || cfg->queue_max < cfg->batch_max || cfg->timeout_ms == 0 || !write) {
		errf(err, err_len, "invalid log queue configuration");
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q) goto oom;
	q->cfg = *cfg;
	q->write = write;
	q->arg = arg;
	q->tail = &q->head;
	q->batch = calloc(cfg->batch_max, sizeof(*q->batch));
	q->entries = calloc(cfg->batch_max, sizeof(*q->entries));
	if (!q->batch || !q->entries) {
		free(q->batch);
		free(q->entries);
		free(q);
		goto oom;
	}
	pthread_mutex_init(&q->mutex, NULL);
	pthread_condattr_init(&q->condattr);
	pthread_condattr_setclock(&q->condattr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->work, &q->condattr);
	pthread_cond_init(&q->idle, &q->condattr);

	return q;

oom:
	errf(err, err_len, "out of memory");
	return NULL;
}

/*
 *	The thread starts with the first row, not in gkey_logq_start: a
 *	server that forks into the background after instantiating its
 *	modules would leave a thread started there behind in the parent.
 */
static int writer_start(gkey_logq_t *q, char *err, size_t err_len)
{
	sigset_t all, old;
	int rc;

	if (q->started) return 0;
	/* Signals are the main thread's business, not the writer's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&q->thread, NULL, writer_main, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errf(err, err_len, "cannot start the log writer thread: %s", strerror(rc));
		return -1;
	}
	q->started = true;
	return 0;
}

/* The request leaves: the last one out while stopping lets stop go on. */
static void waiter_leave(gkey_logq_t *q)
{
	q->waiters--;
	if (q->waiters == 0 && q->stopping) pthread_cond_signal(&q->idle);
	pthread_mutex_unlock(&q->mutex);
}

int gkey_logq_log(gkey_logq_t *q, gkey_log_entry_t const *e, char *err, size_t err_len)
{
	struct timespec deadline;
	row_t *r;
	int rc;

	r = row_alloc(e);
	if (!r) {
		errf(err, err_len, "out of memory");
		return -1;
	}
	pthread_cond_init(&r->done, &q->condattr);
	clock_gettime(CLOCK_MONOTONIC, &r->queued);
	deadline = r->queued;
	ts_add_us(&deadline, (uint64_t) q->cfg.timeout_ms * 1000);

	pthread_mutex_lock(&q->mutex);
	if (q->stopping) {
		q->stats.refused++;
		pthread_mutex_unlock(&q->mutex);
		row_free(r);
		errf(err, err_len, "the log writer is shutting down");
		return -1;
	}
	if (writer_start(q, err, err_len) < 0) {
		pthread_mutex_unlock(&q->mutex);
		row_free(r);
		return -1;
	}
	if (q->queued + q->writing >= q->cfg.queue_max) {
		q->stats.refused++;
		pthread_mutex_unlock(&q->mutex);
		row_free(r);
		errf(err, err_len, "log queue full (log_queue_max = %u rows waiting for the database)",
		     q->cfg.queue_max);
		return -1;
	}
	*q->tail = r;
	q->tail = &r->next;
	q->queued++;
	q->waiters++;
	/* The writer needs waking only for a first row and a full batch. */
	if (q->queued == 1 || q->queued >= q->cfg.batch_max) pthread_cond_signal(&q->work);

	while (r->state != ROW_DONE) {
		if (pthread_cond_timedwait(&r->done, &q->mutex, &deadline) == ETIMEDOUT) break;
	}
	if (r->state == ROW_DONE) {
		rc = r->rc;
		if (rc != 0) errf(err, err_len, "%s", r->err);
		waiter_leave(q);
		row_free(r);
		return rc;
	}

	q->stats.timed_out++;
	if (r->state == ROW_QUEUED) {
		row_unlink(q, r);
		waiter_leave(q);
		row_free(r);
		errf(err, err_len, "no log batch took the row within %u ms; it was not written", q->cfg.timeout_ms);
		return -1;
	}
	r->abandoned = true;		/* the writer frees it */
	waiter_leave(q);
	errf(err, err_len, "the log batch did not commit within %u ms; the row may still be written",
	     q->cfg.timeout_ms);
	return -1;
}

void gkey_logq_get_stats(gkey_logq_t *q, gkey_logq_stats_t *out)
{
	pthread_mutex_lock(&q->mutex);
	*out = q->stats;
	out->queued = q->queued;
	pthread_mutex_unlock(&q->mutex);
}

void gkey_logq_stop(gkey_logq_t *q)
{
	if (!q) return;
	pthread_mutex_lock(&q->mutex);
	q->stopping = true;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mutex);
	if (q->started) pthread_join(q->thread, NULL);

	/* Every row is DONE now; wait for their requests to have left. */
	pthread_mutex_lock(&q->mutex);
	while (q->waiters > 0) pthread_cond_wait(&q->idle, &q->mutex);
	pthread_mutex_unlock(&q->mutex);

	pthread_cond_destroy(&q->idle);
	pthread_cond_destroy(&q->work);
	pthread_condattr_destroy(&q->condattr);
	pthread_mutex_destroy(&q->mutex);
	free(q->batch);
	free(q->entries);
	free(q);
}
