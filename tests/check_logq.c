/*
 * check_logq.c - rlm_gkey's issuance log writer (rlm_gkey/gkey_logq.c)
 * with a fake write function in place of PostgreSQL: batching, the batch
 * wait, waking each request with its own batch's result, a request's
 * several rows going into one batch with one result, the bounds (queue,
 * wait) and the drain at stop.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "gkey_logq.h"

#define SEEN_MAX 256

/* The fake database: what it was given, and what it is told to do. */
typedef struct fake {
	pthread_mutex_t	mutex;
	pthread_cond_t	cond;
	int		calls;
	size_t		sizes[SEEN_MAX];	/* rows per call */
	char		seen[SEEN_MAX][32];	/* every row's reason, in order */
	size_t		n_seen;
	unsigned	fail_mask;		/* call i (0-based) fails when bit i is set */
	bool		hold;			/* calls block while set */
	bool		holding;		/* a call is blocked */
} fake_t;

static int fake_write(void *arg, gkey_log_entry_t const * const *rows, size_t n, char *err, size_t err_len)
{
	fake_t *f = arg;
	int call, rc = 0;
	size_t i;

	pthread_mutex_lock(&f->mutex);
	call = f->calls++;
	if (call < SEEN_MAX) f->sizes[call] = n;
	for (i = 0; i < n && f->n_seen < SEEN_MAX; i++) {
		snprintf(f->seen[f->n_seen++], sizeof(f->seen[0]), "%s", rows[i]->reason ? rows[i]->reason : "-");
	}
	f->holding = f->hold;
	pthread_cond_broadcast(&f->cond);
	while (f->hold) pthread_cond_wait(&f->cond, &f->mutex);
	f->holding = false;
	if (call < 32 && (f->fail_mask & (1u << call))) {
		snprintf(err, err_len, "fake failure of call %d", call);
		rc = -1;
	}
	pthread_mutex_unlock(&f->mutex);
	return rc;
}

static void fake_init(fake_t *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mutex, NULL);
	pthread_cond_init(&f->cond, NULL);
}

static void fake_release(fake_t *f)
{
	pthread_mutex_lock(&f->mutex);
	f->hold = false;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->mutex);
}

/* Waits until a write call is blocked in the fake. */
static void fake_wait_holding(fake_t *f)
{
	pthread_mutex_lock(&f->mutex);
	while (!f->holding) pthread_cond_wait(&f->cond, &f->mutex);
	pthread_mutex_unlock(&f->mutex);
}

static void fake_destroy(fake_t *f)
{
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->mutex);
}

/*
 * One request: logs the one row named reason, or n_rows rows
 * named reason.0, reason.1, ... in one call (gkey_logq_log_rows), and
 * keeps the result.
 */
#define REQ_ROWS_MAX 8
typedef struct req {
	gkey_logq_t	*q;
	char		reason[32];
	size_t		n_rows;		/* 0: the one row named reason */
	char		names[REQ_ROWS_MAX][40];
	int		rc;
	char		err[256];
	pthread_t	thread;
} req_t;

static void *req_main(void *arg)
{
	req_t *r = arg;
	gkey_log_entry_t e[REQ_ROWS_MAX];
	size_t i;

	for (i = 0; i < (r->n_rows ? r->n_rows : 1); i++) {
		e[i] = (gkey_log_entry_t) {
			.identity = 7, .app_id = (uint32_t) i + 1, .epoch = 1, .nas = "ar-1", .flow = "radius",
			.result = "issued", .reason = r->n_rows ? r->names[i] : r->reason,
		};
		snprintf(r->names[i], sizeof(r->names[i]), "%s.%zu", r->reason, i);
	}
	r->rc = gkey_logq_log_rows(r->q, e, r->n_rows ? r->n_rows : 1, r->err, sizeof(r->err));
	return NULL;
}

static void req_start_rows(req_t *r, gkey_logq_t *q, char const *reason, size_t n_rows)
{
	memset(r, 0, sizeof(*r));
	r->q = q;
	r->rc = 99;
	r->n_rows = n_rows;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	ck_assert_int_eq(pthread_create(&r->thread, NULL, req_main, r), 0);
}

static void req_start(req_t *r, gkey_logq_t *q, char const *reason)
{
	req_start_rows(r, q, reason, 0);
}

static void req_join(req_t *r)
{
	ck_assert_int_eq(pthread_join(r->thread, NULL), 0);
}

/* Waits until n rows are queued (not taken by the writer). */
static void wait_queued(gkey_logq_t *q, uint64_t n)
{
	gkey_logq_stats_t st;
	int i;

	for (i = 0; i < 10000; i++) {
		gkey_logq_get_stats(q, &st);
		if (st.queued == n) return;
		usleep(1000);
	}
	ck_abort_msg("%llu rows queued, not %llu", (unsigned long long) st.queued, (unsigned long long) n);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static gkey_logq_t *start(fake_t *f, uint32_t batch_max, uint32_t wait_us, uint32_t queue_max, uint32_t timeout_ms)
{
	gkey_logq_config_t cfg = { .batch_max = batch_max, .wait_us = wait_us, .queue_max = queue_max,
				   .timeout_ms = timeout_ms };
	char err[128] = "";
	gkey_logq_t *q = gkey_logq_start(&cfg, fake_write, f, err, sizeof(err));

	ck_assert_msg(q != NULL, "gkey_logq_start: %s", err);
	return q;
}

START_TEST(a_full_batch_is_written_at_once_in_one_call)
{
	fake_t f;
	gkey_logq_t *q;
	gkey_logq_stats_t st;
	req_t r[8];
	char name[16];
	double t0;
	int i;

	fake_init(&f);
	/* A wait far longer than the test: only a full batch goes early. */
	q = start(&f, 8, 5000000, 64, 20000);
	/* Seven rows, the writer waiting for more; the eighth must wake it. */
	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		req_start(&r[i], q, name);
		wait_queued(q, (uint64_t) i + 1);
	}
	usleep(50000);
	t0 = now_ms();
	req_start(&r[7], q, "r7");
	for (i = 0; i < 8; i++) {
		req_join(&r[i]);
		ck_assert_msg(r[i].rc == 0, "request %d: %d %s", i, r[i].rc, r[i].err);
	}
	ck_assert_msg(now_ms() - t0 < 4000, "the full batch waited for log_batch_wait_us");
	gkey_logq_get_stats(q, &st);
	ck_assert_uint_eq(st.batches, 1);
	ck_assert_uint_eq(st.rows, 8);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_uint_eq(f.sizes[0], 8);
	ck_assert_uint_eq(f.n_seen, 8);
	gkey_logq_stop(q);
	fake_destroy(&f);
}
END_TEST

START_TEST(rows_wait_for_others_until_the_batch_wait_ends)
{
	fake_t f;
	gkey_logq_t *q;
	req_t r[5];
	char name[16];
	double t0, dt;
	int i;

	fake_init(&f);
	q = start(&f, 100, 500000, 200, 20000);	/* 500 ms */
	t0 = now_ms();
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "w%d", i);
		req_start(&r[i], q, name);
	}
	for (i = 0; i < 5; i++) {
		req_join(&r[i]);
		ck_assert_int_eq(r[i].rc, 0);
	}
	dt = now_ms() - t0;
	ck_assert_msg(dt >= 490, "the batch went after %.0f ms, before log_batch_wait_us", dt);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_uint_eq(f.sizes[0], 5);
	gkey_logq_stop(q);
	fake_destroy(&f);
}
END_TEST

START_TEST(no_wait_sends_each_row_at_once)
{
	fake_t f;
	gkey_logq_t *q;
	req_t r;
	char name[16];
	int i;

	fake_init(&f);
	q = start(&f, 256, 0, 1024, 20000);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		req_start(&r, q, name);
		req_join(&r);
		ck_assert_int_eq(r.rc, 0);
	}
	ck_assert_int_eq(f.calls, 5);
	ck_assert_str_eq(f.seen[0], "s0");
	ck_assert_str_eq(f.seen[4], "s4");
	gkey_logq_stop(q);
	fake_destroy(&f);
}
END_TEST

START_TEST(each_request_gets_its_own_batchs_result)
{
	fake_t f;
	gkey_logq_t *q;
	req_t a, b, c, d;

	fake_init(&f);
	f.fail_mask = 1u << 1;		/* the second batch fails */
	f.hold = true;
	q = start(&f, 2, 0, 16, 20000);
	req_start(&a, q, "a");
	fake_wait_holding(&f);		/* batch 1 = [a], being written */
	req_start(&b, q, "b");
	req_start(&c, q, "c");
	wait_queued(q, 2);		/* b and c queued behind it */
	ck_assert_int_eq(b.rc, 99);
	fake_release(&f);
	req_join(&a);
	req_join(&b);
	req_join(&c);
	ck_assert_int_eq(a.rc, 0);
	ck_assert_int_eq(b.rc, -1);
	ck_assert_int_eq(c.rc, -1);
	ck_assert_str_eq(b.err, "fake failure of call 1");
	ck_assert_str_eq(c.err, "fake failure of call 1");
	ck_assert_int_eq(f.calls, 2);
	ck_assert_uint_eq(f.sizes[1], 2);
	/* A failed batch does not stop the next. */
	req_start(&d, q, "d");
	req_join(&d);
	ck_assert_int_eq(d.rc, 0);
	gkey_logq_stop(q);
	fake_destroy(&f);
}
END_TEST

START_TEST(a_request_gives_up_after_its_timeout)
{
	fake_t f;
	gkey_logq_t *q;
	req_t a, b;
	double t0, dt;

	fake_init(&f);
	f.hold = true;
	q = start(&f, 1, 0, 16, 300);
	t0 = now_ms();
	req_start(&a, q, "a");
	fake_wait_holding(&f);		/* a is being written, and hangs */
	req_start(&b, q, "b");
	req_join(&a);
	req_join(&b);
	dt = now_ms() - t0;
	ck_assert_msg(dt >= 290 && dt < 5000, "gave up after %.0f ms", dt);
	ck_assert_int_eq(a.rc, -1);
	ck_assert_int_eq(b.rc, -1);
	/* a's batch may still commit; b's row was never handed over. */
	ck_assert_msg(strstr(a.err, "may still be written") != NULL, "%s", a.err);
	ck_assert_msg(strstr(b.err, "was not written") != NULL, "%s", b.err);
	fake_release(&f);
	gkey_logq_stop(q);		/* frees a's abandoned row (ASan: no leak) */
	ck_assert_int_eq(f.calls, 1);
	ck_assert_uint_eq(f.n_seen, 1);
	ck_assert_str_eq(f.seen[0], "a");
	fake_destroy(&f);
}
END_TEST

START_TEST(a_full_queue_refuses_at_once)
{
	fake_t f;
	gkey_logq_t *q;
	gkey_logq_stats_t st;
	req_t a, b, c;
	double t0;

	fake_init(&f);
	f.hold = true;
	q = start(&f, 1, 0, 2, 20000);
	req_start(&a, q, "a");
	fake_wait_holding(&f);		/* one row being written */
	req_start(&b, q, "b");		/* one queued: the queue is full */
	wait_queued(q, 1);
	t0 = now_ms();
	req_start(&c, q, "c");
	req_join(&c);
	ck_assert_msg(now_ms() - t0 < 1000, "the full queue made the request wait");
	ck_assert_int_eq(c.rc, -1);
	ck_assert_msg(strstr(c.err, "log queue full") != NULL, "%s", c.err);
	fake_release(&f);
	req_join(&a);
	req_join(&b);
	ck_assert_int_eq(a.rc, 0);
	ck_assert_int_eq(b.rc, 0);
	gkey_logq_get_stats(q, &st);
	ck_assert_uint_eq(st.refused, 1);
	ck_assert_uint_eq(st.rows, 2);
	gkey_logq_stop(q);
	fake_destroy(&f);
}
END_TEST

START_TEST(stop_writes_what_is_queued)
{
	fake_t f;
	gkey_logq_t *q;
	req_t r[3];
	double t0;
	int i;

	fake_init(&f);
	q = start(&f, 100, 10000000, 200, 60000);	/* a 10 s batch wait */
	for (i = 0; i < 3; i++) req_start(&r[i], q, "x");
	wait_queued(q, 3);
	t0 = now_ms();
	gkey_logq_stop(q);
	ck_assert_msg(now_ms() - t0 < 5000, "stop waited for the batch wait");
	for (i = 0; i < 3; i++) {
		req_join(&r[i]);
		ck_assert_int_eq(r[i].rc, 0);
	}
	ck_assert_int_eq(f.calls, 1);
	ck_assert_uint_eq(f.n_seen, 3);
	fake_destroy(&f);
}
END_TEST

/* One request, three rows: one write call, one wait, one result. */
START_TEST(a_requests_rows_go_in_one_batch_with_one_wait)
{
	fake_t f;
	gkey_logq_t *q;
	gkey_logq_stats_t st;
	req_t r;

	fake_init(&f);
	q = start(&f, 256, 0, 1024, 20000);
	req_start_rows(&r, q, "m", 3);
	req_join(&r);
	ck_assert_msg(r.rc == 0, "%d %s", r.rc, r.err);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_uint_eq(f.sizes[0], 3);
	ck_assert_str_eq(f.seen[0], "m.0");
	ck_assert_str_eq(f.seen[1], "m.1");
	ck_assert_str_eq(f.seen[2], "m.2");
	gkey_logq_get_stats(q, &st);
	ck_assert_uint_eq(st.batches, 1);
	ck_assert_uint_eq(st.rows, 3);
	gkey_logq_stop(q);
	fake_destroy(&f);
}
END_TEST

/*
 * batch_max counts rows: a request whose rows do not fit waits for the
 * next batch, whole; one with more rows than batch_max is a batch alone.
 * A failed batch fails all its requests' rows, and only them.
 */
START_TEST(a_requests_rows_are_never_split_between_batches)
{
	fake_t f;
	gkey_logq_t *q;
	req_t a, b, c, d;

	fake_init(&f);
	f.fail_mask = 1u << 1;		/* the second batch fails */
	f.hold = true;
	q = start(&f, 4, 0, 64, 20000);
	req_start(&a, q, "a");
	fake_wait_holding(&f);		/* batch 1 = [a], being written */
	req_start_rows(&b, q, "b", 3);
	wait_queued(q, 3);
	req_start_rows(&c, q, "c", 2);	/* 3 + 2 > 4: not with b */
	wait_queued(q, 5);
	req_start_rows(&d, q, "d", 6);	/* more than batch_max */
	wait_queued(q, 11);
	fake_release(&f);
	req_join(&a);
	req_join(&b);
	req_join(&c);
	req_join(&d);
	ck_assert_int_eq(a.rc, 0);
	ck_assert_int_eq(b.rc, -1);
	ck_assert_str_eq(b.err, "fake failure of call 1");
	ck_assert_msg(c.rc == 0, "%s", c.err);
	ck_assert_msg(d.rc == 0, "%s", d.err);
	ck_assert_int_eq(f.calls, 4);
	ck_assert_uint_eq(f.sizes[0], 1);
	ck_assert_uint_eq(f.sizes[1], 3);
	ck_assert_uint_eq(f.sizes[2], 2);
	ck_assert_uint_eq(f.sizes[3], 6);
	ck_assert_str_eq(f.seen[1], "b.0");
	ck_assert_str_eq(f.seen[3], "b.2");
	ck_assert_str_eq(f.seen[4], "c.0");
	ck_assert_str_eq(f.seen[6], "d.0");
	ck_assert_str_eq(f.seen[11], "d.5");
	gkey_logq_stop(q);
	fake_destroy(&f);
}
END_TEST

/* Rows that do not all fit in the queue are refused together, at once. */
START_TEST(rows_that_do_not_fit_the_queue_are_all_refused)
{
	fake_t f;
	gkey_logq_t *q;
	gkey_logq_stats_t st;
	req_t a, b;

	fake_init(&f);
	f.hold = true;
	q = start(&f, 1, 0, 4, 20000);
	req_start(&a, q, "a");
	fake_wait_holding(&f);		/* one row being written, three free */
	req_start_rows(&b, q, "b", 4);
	req_join(&b);
	ck_assert_int_eq(b.rc, -1);
	ck_assert_msg(strstr(b.err, "log queue full") != NULL, "%s", b.err);
	fake_release(&f);
	req_join(&a);
	ck_assert_int_eq(a.rc, 0);
	gkey_logq_get_stats(q, &st);
	ck_assert_uint_eq(st.refused, 4);
	ck_assert_uint_eq(st.rows, 1);
	ck_assert_int_eq(gkey_logq_log_rows(q, NULL, 0, b.err, sizeof(b.err)), -1);
	gkey_logq_stop(q);
	fake_destroy(&f);
}
END_TEST

/* Rows still queued at the timeout are withdrawn together. */
START_TEST(a_requests_rows_are_withdrawn_together)
{
	fake_t f;
	gkey_logq_t *q;
	gkey_logq_stats_t st;
	req_t a, b;

	fake_init(&f);
	f.hold = true;
	q = start(&f, 8, 0, 16, 300);
	req_start(&a, q, "a");
	fake_wait_holding(&f);
	req_start_rows(&b, q, "b", 3);
	req_join(&b);
	ck_assert_int_eq(b.rc, -1);
	ck_assert_msg(strstr(b.err, "they were not written") != NULL, "%s", b.err);
	gkey_logq_get_stats(q, &st);
	ck_assert_uint_eq(st.queued, 0);
	fake_release(&f);
	req_join(&a);
	gkey_logq_stop(q);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_uint_eq(f.n_seen, 1);
	fake_destroy(&f);
}
END_TEST

/* The row handed over is a copy: the caller's strings may go at once. */
static gkey_log_entry_t const *copy_seen;
static char copy_text[128];
static int copy_write(void *arg, gkey_log_entry_t const * const *rows, size_t n, char *err, size_t err_len)
{
	gkey_log_entry_t const *e = rows[0];

	(void) arg; (void) err; (void) err_len;
	if (n != 1) return -1;
	copy_seen = e;
	snprintf(copy_text, sizeof(copy_text), "%lld/%02x%02x/%u/%u/%s/%s/%s/%s/%s", (long long) e->identity,
		 e->fingerprint ? e->fingerprint[0] : 0, e->fingerprint ? e->fingerprint[31] : 0,
		 e->app_id, e->epoch, e->nas ? e->nas : "NULL", e->calling ? e->calling : "NULL",
		 e->flow, e->result, e->reason ? e->reason : "NULL");
	return 0;
}

START_TEST(the_row_is_copied_whole)
{
	gkey_logq_config_t cfg = { .batch_max = 4, .wait_us = 0, .queue_max = 4, .timeout_ms = 20000 };
	uint8_t fp[32];
	char nas[8] = "ar-9", reason[16] = "revoked";
	gkey_log_entry_t e = { .identity = 42, .fingerprint = fp, .app_id = 0, .epoch = 0, .nas = nas,
			       .calling = NULL, .flow = "eap", .result = "refused", .reason = reason };
	char err[128];
	gkey_logq_t *q;

	memset(fp, 0, sizeof(fp));
	fp[0] = 0xab;
	fp[31] = 0xcd;
	q = gkey_logq_start(&cfg, copy_write, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(gkey_logq_log_rows(q, &e, 1, err, sizeof(err)), 0);
	ck_assert_str_eq(copy_text, "42/abcd/0/0/ar-9/NULL/eap/refused/revoked");
	ck_assert_ptr_ne(copy_seen, &e);
	gkey_logq_stop(q);
}
END_TEST

START_TEST(bad_configurations_are_refused)
{
	gkey_logq_config_t cfg = { .batch_max = 0, .wait_us = 0, .queue_max = 4, .timeout_ms = 1000 };
	char err[128] = "";

	ck_assert_ptr_null(gkey_logq_start(&cfg, copy_write, NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "invalid log queue configuration");
	cfg.batch_max = 8;		/* more than the queue holds */
	ck_assert_ptr_null(gkey_logq_start(&cfg, copy_write, NULL, err, sizeof(err)));
	cfg.batch_max = 4;
	cfg.timeout_ms = 0;
	ck_assert_ptr_null(gkey_logq_start(&cfg, copy_write, NULL, err, sizeof(err)));
	gkey_logq_stop(NULL);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("gkey_logq");
	TCase *tc = tcase_create("logq");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_full_batch_is_written_at_once_in_one_call);
	tcase_add_test(tc, rows_wait_for_others_until_the_batch_wait_ends);
	tcase_add_test(tc, no_wait_sends_each_row_at_once);
	tcase_add_test(tc, each_request_gets_its_own_batchs_result);
	tcase_add_test(tc, a_request_gives_up_after_its_timeout);
	tcase_add_test(tc, a_full_queue_refuses_at_once);
	tcase_add_test(tc, stop_writes_what_is_queued);
	tcase_add_test(tc, a_requests_rows_go_in_one_batch_with_one_wait);
	tcase_add_test(tc, a_requests_rows_are_never_split_between_batches);
	tcase_add_test(tc, rows_that_do_not_fit_the_queue_are_all_refused);
	tcase_add_test(tc, a_requests_rows_are_withdrawn_together);
	tcase_add_test(tc, the_row_is_copied_whole);
	tcase_add_test(tc, bad_configurations_are_refused);
	suite_add_tcase(s, tc);
	return s;
}
