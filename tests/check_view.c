/*
 * check_view.c - the in-memory view of rlm_gkey's identity lookups
 * (rlm_gkey/gkey_view.c).
 */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "gkey_view.h"

static uint8_t const material[] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
static uint8_t const spki[] = { 0x30, 0x59, 0x30, 0x13 };

/* An answer of identity id holding one epoch of each app in apps. */
typedef struct {
	gkey_view_epoch_t	e[4];
	gkey_view_answer_t	a;
} answer_t;

static void answer_for(answer_t *x, int64_t id, uint32_t const *apps, size_t n, time_t not_after)
{
	size_t i;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < n; i++) {
		x->e[i].app_id = apps[i];
		x->e[i].app_name = "app";
		x->e[i].gk_alg = "aes-128";
		x->e[i].epoch = 1;
		x->e[i].not_before = 0;
		x->e[i].not_after = not_after;
		x->e[i].material = material;
		x->e[i].material_len = sizeof(material);
	}
	x->a.id = id;
	x->a.status = "active";
	x->a.status_reason = "";
	x->a.not_before = 0;
	x->a.not_after = 1000000;
	x->a.spki = spki;
	x->a.spki_len = sizeof(spki);
	x->a.kind = "iot";
	x->a.epochs = x->e;
	x->a.n_epochs = n;
}

static gkey_view_key_t fp_key(uint8_t b)
{
	gkey_view_key_t k;
	uint8_t fp[32];

	memset(fp, b, sizeof(fp));
	gkey_view_key_fp(&k, fp);
	return k;
}

/* Stores identity id under fp_key(id), one epoch of app, at time 100. */
static void store(gkey_view_t *v, int64_t id, uint32_t app)
{
	gkey_view_key_t k = fp_key((uint8_t) id);
	gkey_view_answer_t got;
	answer_t x;
	uint64_t gen;
	TALLOC_CTX *ctx = talloc_new(NULL);

	ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
	answer_for(&x, id, &app, 1, 10000);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 1);
	talloc_free(ctx);
}

static bool present(gkey_view_t *v, int64_t id, time_t now)
{
	gkey_view_key_t k = fp_key((uint8_t) id);
	gkey_view_answer_t got;
	uint64_t gen;
	TALLOC_CTX *ctx = talloc_new(NULL);
	int rc = gkey_view_get(v, &k, now, ctx, &got, &gen);

	talloc_free(ctx);
	ck_assert_int_ge(rc, 0);
	return rc == 1;
}

static gkey_view_t *trusted_view(uint32_t size, uint32_t ttl)
{
	gkey_view_t *v = gkey_view_alloc(size, ttl);

	ck_assert_ptr_nonnull(v);
	gkey_view_set_trusted(v, true);
	return v;
}

START_TEST(a_stored_answer_comes_back_as_an_equal_copy)
{
	gkey_view_t *v = trusted_view(16, 300);
	gkey_view_key_t k = fp_key(1);
	gkey_view_answer_t got;
	uint32_t apps[2] = { 5, 6 };
	answer_t x;
	uint64_t gen;
	TALLOC_CTX *ctx = talloc_new(NULL);

	ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
	answer_for(&x, 1, apps, 2, 10000);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 1);
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(gkey_view_get(v, &k, 101, ctx, &got, &gen), 1);
	ck_assert_int_eq(got.id, 1);
	ck_assert_str_eq(got.status, "active");
	ck_assert_str_eq(got.kind, "iot");
	ck_assert_uint_eq(got.spki_len, sizeof(spki));
	ck_assert_mem_eq(got.spki, spki, sizeof(spki));
	ck_assert_ptr_ne(got.spki, spki);
	ck_assert_uint_eq(got.n_epochs, 2);
	ck_assert_uint_eq(got.epochs[1].app_id, 6);
	ck_assert_str_eq(got.epochs[0].gk_alg, "aes-128");
	ck_assert_uint_eq(got.epochs[0].material_len, sizeof(material));
	ck_assert_mem_eq(got.epochs[0].material, material, sizeof(material));
	ck_assert_ptr_ne(got.epochs[0].material, material);
	talloc_free(ctx);
	gkey_view_free(v);
}
END_TEST

START_TEST(names_by_fingerprint_and_issuer_serial_are_distinct)
{
	gkey_view_key_t a, b, f = fp_key(1);

	ck_assert_int_eq(gkey_view_key_issuer_serial(&a, "ab", "c"), 0);
	ck_assert_int_eq(gkey_view_key_issuer_serial(&b, "a", "bc"), 0);
	ck_assert(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
	ck_assert(a.len != f.len);
	{
		char big[GKEY_VIEW_KEY_MAX];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ck_assert_int_eq(gkey_view_key_issuer_serial(&a, big, "01"), -1);
	}
}
END_TEST

START_TEST(the_least_recently_used_entry_goes_first)
{
	gkey_view_t *v = trusted_view(3, 300);
	gkey_view_stats_t st;

	store(v, 1, 1);
	store(v, 2, 1);
	store(v, 3, 1);
	ck_assert(present(v, 1, 101));	/* 1 is now the most recent: 2 goes next */
	store(v, 4, 1);
	ck_assert(!present(v, 2, 102));
	ck_assert(present(v, 1, 102));
	ck_assert(present(v, 3, 102));
	ck_assert(present(v, 4, 102));
	gkey_view_stats(v, &st);
	ck_assert_uint_eq(st.entries, 3);
	ck_assert_uint_eq(st.evicted, 1);
	store(v, 5, 1);			/* 1, 3, 4 used in that order: 1 goes */
	ck_assert(!present(v, 1, 103));
	gkey_view_stats(v, &st);
	ck_assert_uint_eq(st.entries, 3);
	gkey_view_free(v);
}
END_TEST

START_TEST(an_entry_expires_at_the_earliest_bound)
{
	gkey_view_t *v = trusted_view(16, 300);
	gkey_view_key_t k = fp_key(1);
	gkey_view_answer_t got;
	uint32_t app = 1;
	answer_t x;
	uint64_t gen;
	TALLOC_CTX *ctx = talloc_new(NULL);

	/* ttl: stored at 100, gone at 400. */
	store(v, 1, 1);
	ck_assert(present(v, 1, 399));
	ck_assert(!present(v, 1, 400));

	/* The database's instant. */
	(void) gkey_view_get(v, &k, 100, ctx, &got, &gen);
	answer_for(&x, 1, &app, 1, 10000);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 150, &x.a), 1);
	ck_assert(present(v, 1, 149));
	ck_assert(!present(v, 1, 150));

	/* An epoch's end. */
	(void) gkey_view_get(v, &k, 100, ctx, &got, &gen);
	answer_for(&x, 1, &app, 1, 120);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 150, &x.a), 1);
	ck_assert(present(v, 1, 119));
	ck_assert(!present(v, 1, 120));

	/* Already over: not stored. */
	k = fp_key(9);
	answer_for(&x, 9, &app, 1, 10000);
	ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 100, &x.a), 0);
	ck_assert(!present(v, 9, 100));
	talloc_free(ctx);
	gkey_view_free(v);
}
END_TEST

START_TEST(invalidation_by_identity_app_and_flush)
{
	gkey_view_t *v = trusted_view(16, 300);
	gkey_view_key_t k = fp_key(3);
	gkey_view_answer_t got;
	uint32_t apps[2] = { 7, 8 };
	answer_t x;
	uint64_t gen;
	TALLOC_CTX *ctx = talloc_new(NULL);

	store(v, 1, 7);
	store(v, 2, 9);
	(void) gkey_view_get(v, &k, 100, ctx, &got, &gen);
	answer_for(&x, 3, apps, 2, 10000);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 1);

	gkey_view_invalidate_identity(v, 2);
	ck_assert(present(v, 1, 101));
	ck_assert(!present(v, 2, 101));
	ck_assert(present(v, 3, 101));

	store(v, 2, 9);
	gkey_view_invalidate_app(v, 8);		/* only 3 holds app 8 */
	ck_assert(present(v, 1, 101));
	ck_assert(present(v, 2, 101));
	ck_assert(!present(v, 3, 101));
	gkey_view_invalidate_app(v, 7);
	ck_assert(!present(v, 1, 101));
	ck_assert(present(v, 2, 101));

	gkey_view_flush(v);
	ck_assert(!present(v, 2, 101));
	talloc_free(ctx);
	gkey_view_free(v);
}
END_TEST

START_TEST(the_indexes_find_exactly_what_a_notification_names)
{
	gkey_view_t *v = trusted_view(1000, 300);
	gkey_view_key_t k;
	gkey_view_answer_t got;
	gkey_view_stats_t st;
	uint32_t apps[3], n_left;
	answer_t x;
	uint64_t gen;
	int64_t id;
	TALLOC_CTX *ctx = talloc_new(NULL);

	/* Identity id holds apps id % 7 and id % 7 + 1 (twice: two epochs). */
	for (id = 1; id <= 200; id++) {
		k = fp_key((uint8_t) id);
		ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
		apps[0] = (uint32_t) (id % 7) + 1;
		apps[1] = apps[2] = (uint32_t) (id % 7) + 2;
		answer_for(&x, id, apps, 3, 10000);
		ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 1);
	}
	/* Identity 5 also under its issuer and serial. */
	ck_assert_int_eq(gkey_view_key_issuer_serial(&k, "/CN=CA", "05"), 0);
	ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
	apps[0] = 6;
	answer_for(&x, 5, apps, 1, 10000);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 1);
	gkey_view_stats(v, &st);
	ck_assert_uint_eq(st.entries, 201);

	gkey_view_invalidate_identity(v, 5);
	ck_assert_int_eq(gkey_view_get(v, &k, 101, ctx, &got, &gen), 0);
	ck_assert(!present(v, 5, 101));
	ck_assert(present(v, 4, 101));
	ck_assert(present(v, 6, 101));
	gkey_view_stats(v, &st);
	ck_assert_uint_eq(st.entries, 199);

	/* App 3: held by id % 7 == 2 (as its first) and id % 7 == 1 (second). */
	gkey_view_invalidate_app(v, 3);
	n_left = 0;
	for (id = 1; id <= 200; id++) {
		bool gone = (id % 7 == 2) || (id % 7 == 1) || id == 5;

		ck_assert_msg(present(v, id, 101) == !gone, "identity %d", (int) id);
		if (!gone) n_left++;
	}
	gkey_view_invalidate_app(v, 3);		/* nothing left to drop */
	gkey_view_invalidate_app(v, 4000000000U);
	gkey_view_stats(v, &st);
	ck_assert_uint_eq(st.entries, n_left);
	ck_assert_uint_eq(n_left, 200 - 1 - 58);
	talloc_free(ctx);
	gkey_view_free(v);
}
END_TEST

START_TEST(notifications_are_parsed_strictly)
{
	gkey_view_t *v = trusted_view(16, 300);
	static char const *flushing[] = {
		"", "identity", "identity ", "identity 0", "identity 01", "identity -1", "identity 1 ",
		"identity  1", "identity 99999999999999999999", "app 4294967296", "app x", "epoch 1",
		"epoch 1 ", "epoch 1 x", "epoch 1 2147483648", "ALL", "all ", "foo",
	};
	size_t i;

	store(v, 1, 7);
	store(v, 2, 9);
	ck_assert_int_eq(gkey_view_notify(v, "identity 1"), GKEY_VIEW_NOTE_IDENTITY);
	ck_assert(!present(v, 1, 101));
	ck_assert(present(v, 2, 101));
	store(v, 1, 7);
	ck_assert_int_eq(gkey_view_notify(v, "app 9"), GKEY_VIEW_NOTE_APP);
	ck_assert(present(v, 1, 101));
	ck_assert(!present(v, 2, 101));
	store(v, 2, 9);
	ck_assert_int_eq(gkey_view_notify(v, "epoch 7 12"), GKEY_VIEW_NOTE_EPOCH);
	ck_assert(!present(v, 1, 101));
	ck_assert(present(v, 2, 101));
	ck_assert_int_eq(gkey_view_notify(v, "all"), GKEY_VIEW_NOTE_ALL);
	ck_assert(!present(v, 2, 101));

	for (i = 0; i < sizeof(flushing) / sizeof(flushing[0]); i++) {
		store(v, 1, 7);
		ck_assert_msg(gkey_view_notify(v, flushing[i]) == GKEY_VIEW_NOTE_UNKNOWN, "\"%s\"", flushing[i]);
		ck_assert_msg(!present(v, 1, 101), "\"%s\" did not flush", flushing[i]);
	}
	gkey_view_free(v);
}
END_TEST

START_TEST(an_answer_older_than_an_invalidation_is_not_stored)
{
	gkey_view_t *v = trusted_view(16, 300);
	gkey_view_key_t k = fp_key(1);
	gkey_view_answer_t got;
	uint32_t app = 1;
	answer_t x;
	uint64_t gen;
	TALLOC_CTX *ctx = talloc_new(NULL);

	answer_for(&x, 1, &app, 1, 10000);

	/* A notification of anything at all between the miss and the put. */
	ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
	gkey_view_invalidate_identity(v, 42);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 0);
	ck_assert(!present(v, 1, 101));

	ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
	gkey_view_notify(v, "app 5");
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 0);

	/* The listener reconnected in between. */
	ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
	gkey_view_set_trusted(v, false);
	gkey_view_set_trusted(v, true);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 0);

	/* Nothing in between: stored. */
	ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 1);
	ck_assert(present(v, 1, 101));
	talloc_free(ctx);
	gkey_view_free(v);
}
END_TEST

START_TEST(an_untrusted_view_answers_and_stores_nothing)
{
	gkey_view_t *v = gkey_view_alloc(16, 300);
	gkey_view_key_t k = fp_key(1);
	gkey_view_answer_t got;
	uint32_t app = 1;
	answer_t x;
	uint64_t gen;
	TALLOC_CTX *ctx = talloc_new(NULL);

	ck_assert_ptr_nonnull(v);
	ck_assert(!gkey_view_trusted(v));	/* as it starts */
	answer_for(&x, 1, &app, 1, 10000);
	ck_assert_int_eq(gkey_view_get(v, &k, 100, ctx, &got, &gen), 0);
	ck_assert_int_eq(gkey_view_put(v, gen, &k, 100, 0, &x.a), 0);

	gkey_view_set_trusted(v, true);
	store(v, 1, 1);
	gkey_view_set_trusted(v, false);	/* the listener lost its connection */
	ck_assert_int_eq(gkey_view_get(v, &k, 101, ctx, &got, &gen), 0);
	gkey_view_set_trusted(v, true);		/* back: what was kept is gone */
	ck_assert(!present(v, 1, 101));
	ck_assert_ptr_null(gkey_view_alloc(0, 300));
	ck_assert_ptr_null(gkey_view_alloc(16, 0));
	talloc_free(ctx);
	gkey_view_free(v);
}
END_TEST

static size_t wiped, wiped_nonzero;

static void on_wipe(uint8_t const *p, size_t len)
{
	size_t i;

	wiped++;
	for (i = 0; i < len; i++) {
		if (p[i]) wiped_nonzero++;
	}
}

START_TEST(material_is_wiped_when_an_entry_goes)
{
	gkey_view_t *v = trusted_view(1, 300);

	wiped = wiped_nonzero = 0;
	gkey_view_wiped_hook = on_wipe;
	store(v, 1, 1);
	store(v, 2, 1);				/* evicts 1 */
	ck_assert_uint_eq(wiped, 1);
	gkey_view_invalidate_identity(v, 2);
	ck_assert_uint_eq(wiped, 2);
	store(v, 3, 1);
	gkey_view_free(v);			/* and at the end */
	ck_assert_uint_eq(wiped, 3);
	ck_assert_uint_eq(wiped_nonzero, 0);
	gkey_view_wiped_hook = NULL;
}
END_TEST

START_TEST(statistics_count_hits_misses_and_stores)
{
	gkey_view_t *v = trusted_view(16, 300);
	gkey_view_stats_t st;

	store(v, 1, 1);				/* one miss, one store */
	ck_assert(present(v, 1, 101));
	ck_assert(present(v, 1, 101));
	gkey_view_stats(v, &st);
	ck_assert_uint_eq(st.hits, 2);
	ck_assert_uint_eq(st.misses, 1);
	ck_assert_uint_eq(st.stored, 1);
	ck_assert_uint_eq(st.entries, 1);
	gkey_view_free(v);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("gkey_view");
	TCase *tc = tcase_create("view");

	tcase_add_test(tc, a_stored_answer_comes_back_as_an_equal_copy);
	tcase_add_test(tc, names_by_fingerprint_and_issuer_serial_are_distinct);
	tcase_add_test(tc, the_least_recently_used_entry_goes_first);
	tcase_add_test(tc, an_entry_expires_at_the_earliest_bound);
	tcase_add_test(tc, invalidation_by_identity_app_and_flush);
	tcase_add_test(tc, the_indexes_find_exactly_what_a_notification_names);
	tcase_add_test(tc, notifications_are_parsed_strictly);
	tcase_add_test(tc, an_answer_older_than_an_invalidation_is_not_stored);
	tcase_add_test(tc, an_untrusted_view_answers_and_stores_nothing);
	tcase_add_test(tc, material_is_wiped_when_an_entry_goes);
	tcase_add_test(tc, statistics_count_hits_misses_and_stores);
	suite_add_tcase(s, tc);
	return s;
}
