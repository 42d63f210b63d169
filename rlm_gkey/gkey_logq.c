/*
 * gkey_logq.c	rlm_gkey's issuance log writer (see gkey_logq.h).
 *
 * One mutex guards the queue, the counters and every submission's state.
 * A submission holds one request's rows (copies, in one allocation) and
 * is QUEUED (in the list, owned by the queue), WRITING (taken into a
 * batch: the writer reads it without the lock, nobody frees it) or DONE
 * (its result set). From WRITING on it has two references, the
 * writer's and the request's, and whoever drops the last one frees it:
 * so the writer can wake the batch's requests after releasing the mutex
 * (woken under it, each would only block again on the mutex the writer
 * holds, one after the other), and a request that gives up while its
 * submission is WRITING just drops its reference. Each submission has
 * its own condition variable, so that a batch wakes exactly its
 * requests, each once.
 * Counts of rows (queued, writing, batch_max, queue_max) are rows, not
 * submissions.
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
	SUB_QUEUED = 0,
	SUB_WRITING,
	SUB_DONE
} sub_state_t;

typedef struct sub {
	struct sub	*next;
	sub_state_t	state;
	int		refs;		/* from WRITING on: writer and request, 2..0 */
	int		rc;		/* DONE: the write's result */
	struct timespec	queued;		/* CLOCK_MONOTONIC */
	pthread_cond_t	done;
	char		err[256];
	size_t		n;		/* rows, >= 1 */
	gkey_log_entry_t *e;		/* n rows, pointing into fp and text */
	uint8_t		(*fp)[32];	/* n fingerprints */
	char		text[];		/* the rows' arrays, then their strings */
} sub_t;

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
	sub_t		*head;
	sub_t		**tail;
	size_t		queued;		/* rows in the list */
	size_t		writing;	/* rows of the batch being written */
	size_t		waiters;	/* requests inside gkey_logq_log_rows */
	bool		stopping;
	gkey_logq_stats_t stats;

	/*
	 *	The writer's batch: its submissions and the rows it hands to
	 *	write(), queue_max of each (no batch holds more rows than are
	 *	queued, nor more submissions than rows).
	 */
	sub_t		**batch;
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

#define TEXT_FIELDS 5

/* The text fields of e, in the order they are copied. */
static void entry_texts(gkey_log_entry_t const *e, char const *s[TEXT_FIELDS])
{
	s[0] = e->nas;
	s[1] = e->calling;
	s[2] = e->flow;
	s[3] = e->result;
	s[4] = e->reason;
}

/* Copies src's strings to *p onwards and points dst at the copies. */
static void entry_copy(gkey_log_entry_t *dst, gkey_log_entry_t const *src, uint8_t *fp, char **p)
{
	char const *s[TEXT_FIELDS];
	char const **d[TEXT_FIELDS] = { &dst->nas, &dst->calling, &dst->flow, &dst->result, &dst->reason };
	size_t len;
	int i;

	*dst = *src;
	if (src->fingerprint) {
		memcpy(fp, src->fingerprint, 32);
		dst->fingerprint = fp;
	}
	entry_texts(src, s);
	for (i = 0; i < TEXT_FIELDS; i++) {
		if (!s[i]) continue;
		len = strlen(s[i]) + 1;
		memcpy(*p, s[i], len);
		*d[i] = *p;
		*p += len;
	}
}

/* A copy of rows[0..n-1] in one allocation; NULL when out of memory. */
static sub_t *sub_alloc(gkey_log_entry_t const *rows, size_t n)
{
	char const *s[TEXT_FIELDS];
	size_t i, total = 0;
	sub_t *sub;
	char *p;
	int k;

	for (i = 0; i < n; i++) {
		entry_texts(&rows[i], s);
		for (k = 0; k < TEXT_FIELDS; k++) total += s[k] ? strlen(s[k]) + 1 : 0;
	}
	/* The arrays first: their elements are multiples of 8 octets. */
	sub = calloc(1, sizeof(*sub) + n * (sizeof(gkey_log_entry_t) + 32) + total);
	if (!sub) return NULL;
	sub->n = n;
	sub->e = (gkey_log_entry_t *) (void *) sub->text;
	sub->fp = (uint8_t (*)[32]) (void *) (sub->text + n * sizeof(gkey_log_entry_t));
	p = sub->text + n * (sizeof(gkey_log_entry_t) + 32);
	for (i = 0; i < n; i++) entry_copy(&sub->e[i], &rows[i], sub->fp[i], &p);
	return sub;
}

static void sub_free(sub_t *sub)
{
	pthread_cond_destroy(&sub->done);
	free(sub);
}

/* Takes sub out of the list (it is QUEUED). */
static void sub_unlink(gkey_logq_t *q, sub_t *sub)
{
	sub_t **pp;

	for (pp = &q->head; *pp; pp = &(*pp)->next) {
		if (*pp != sub) continue;
		*pp = sub->next;
		if (q->tail == &sub->next) q->tail = pp;
		q->queued -= sub->n;
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

/*
 *	Takes whole submissions from the head into the batch, up to
 *	batch_max rows, but always the first one, however many rows it has.
 *	Returns the number of submissions; the rows are q->writing.
 */
static size_t batch_take(gkey_logq_t *q)
{
	size_t n_subs = 0, n_rows = 0, i;

	while (q->head && (n_rows == 0 || n_rows + q->head->n <= q->cfg.batch_max)) {
		sub_t *sub = q->head;

		q->head = sub->next;
		sub->next = NULL;
		sub->state = SUB_WRITING;
		sub->refs = 2;
		q->batch[n_subs++] = sub;
		for (i = 0; i < sub->n; i++) q->entries[n_rows++] = &sub->e[i];
	}
	if (!q->head) q->tail = &q->head;
	q->queued -= n_rows;
	q->writing = n_rows;
	return n_subs;
}

/* Drops one reference to a WRITING or DONE submission (under the mutex): true when it is to be freed. */
static bool sub_release(sub_t *sub)
{
	return --sub->refs == 0;
}

/*
 *	Sets the batch's result (under the mutex), wakes its requests
 *	without holding it, then drops the writer's references. Returns
 *	with the mutex held.
 */
static void batch_done(gkey_logq_t *q, size_t n_subs, int rc, char const *err)
{
	size_t i;

	q->stats.batches++;
	q->stats.rows += q->writing;
	if (rc != 0) q->stats.failed += q->writing;
	for (i = 0; i < n_subs; i++) {
		sub_t *sub = q->batch[i];

		sub->state = SUB_DONE;
		sub->rc = rc != 0 ? -1 : 0;
		if (rc != 0) strcpy(sub->err, err);
	}
	q->writing = 0;
	pthread_mutex_unlock(&q->mutex);

	/* The writer's reference keeps each submission alive here. */
	for (i = 0; i < n_subs; i++) pthread_cond_signal(&q->batch[i]->done);

	pthread_mutex_lock(&q->mutex);
	for (i = 0; i < n_subs; i++) {
		if (sub_release(q->batch[i])) sub_free(q->batch[i]);
		q->batch[i] = NULL;
	}
}

static void *writer_main(void *arg)
{
	gkey_logq_t *q = arg;
	char err[256];
	size_t n_subs, n_rows;
	int rc;

	pthread_mutex_lock(&q->mutex);
	for (;;) {
		while (!q->head && !q->stopping) pthread_cond_wait(&q->work, &q->mutex);
		if (!q->head) break;		/* stopping, and all is written */
		if (q->cfg.wait_us > 0) batch_gather(q);
		if (!q->head) continue;

		n_subs = batch_take(q);
		n_rows = q->writing;
		pthread_mutex_unlock(&q->mutex);

		err[0] = '\0';
		rc = q->write(q->arg, q->entries, n_rows, err, sizeof(err));
		if (rc != 0 && !err[0]) strcpy(err, "the log batch failed");

		pthread_mutex_lock(&q->mutex);
		batch_done(q, n_subs, rc, err);
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
	q->batch = calloc(cfg->queue_max, sizeof(*q->batch));
	q->entries = calloc(cfg->queue_max, sizeof(*q->entries));
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

/* Queues sub, or says why not (under the mutex); -1: not queued. */
static int sub_enqueue(gkey_logq_t *q, sub_t *sub, char *err, size_t err_len)
{
	if (q->stopping) {
		q->stats.refused += sub->n;
		errf(err, err_len, "the log writer is shutting down");
		return -1;
	}
	if (writer_start(q, err, err_len) < 0) return -1;
	if (q->queued + q->writing + sub->n > q->cfg.queue_max) {
		q->stats.refused += sub->n;
		errf(err, err_len, "log queue full (log_queue_max = %u rows waiting for the database)",
		     q->cfg.queue_max);
		return -1;
	}
	*q->tail = sub;
	q->tail = &sub->next;
	q->queued += sub->n;
	/* The writer needs waking only for a first submission and a full batch. */
	if (q->queued == sub->n || q->queued >= q->cfg.batch_max) pthread_cond_signal(&q->work);
	return 0;
}

int gkey_logq_log_rows(gkey_logq_t *q, gkey_log_entry_t const *rows, size_t n, char *err, size_t err_len)
{
	struct timespec deadline;
	sub_t *sub;
	int rc;

	if (n == 0) {
		errf(err, err_len, "no rows to log");
		return -1;
	}
	sub = sub_alloc(rows, n);
	if (!sub) {
		errf(err, err_len, "out of memory");
		return -1;
	}
	pthread_cond_init(&sub->done, &q->condattr);
	clock_gettime(CLOCK_MONOTONIC, &sub->queued);
	deadline = sub->queued;
	ts_add_us(&deadline, (uint64_t) q->cfg.timeout_ms * 1000);

	pthread_mutex_lock(&q->mutex);
	if (sub_enqueue(q, sub, err, err_len) < 0) {
		pthread_mutex_unlock(&q->mutex);
		sub_free(sub);
		return -1;
	}
	q->waiters++;

	while (sub->state != SUB_DONE) {
		if (pthread_cond_timedwait(&sub->done, &q->mutex, &deadline) == ETIMEDOUT) break;
	}
	if (sub->state == SUB_DONE) {
		bool last = sub_release(sub);

		rc = sub->rc;
		if (rc != 0) errf(err, err_len, "%s", sub->err);
		waiter_leave(q);
		if (last) sub_free(sub);
		return rc;
	}

	q->stats.timed_out++;
	if (sub->state == SUB_QUEUED) {
		sub_unlink(q, sub);
		waiter_leave(q);
		sub_free(sub);
		errf(err, err_len, "no log batch took the %s within %u ms; %s not written",
		     n == 1 ? "row" : "rows", q->cfg.timeout_ms, n == 1 ? "it was" : "they were");
		return -1;
	}
	/* WRITING: the writer holds the other reference, and frees it. */
	(void) sub_release(sub);
	waiter_leave(q);
	errf(err, err_len, "the log batch did not commit within %u ms; the %s may still be written",
	     q->cfg.timeout_ms, n == 1 ? "row" : "rows");
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

	/* Every submission is DONE now; wait for their requests to have left. */
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
