/*
 * check_cache.c - the sealed-record cache of rlm_gkey (rlm_gkey/gkey_cache.c).
 */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "gkey_cache.h"

static gkey_cache_key_t key_for(int64_t identity, uint32_t app, uint32_t epoch)
{
	gkey_cache_key_t k;

	memset(&k, 0, sizeof(k));
	k.identity = identity;
	k.app_id = app;
	k.epoch = epoch;
	k.not_before = 1000;
	k.not_after = 2000;
	memset(k.digest, 0xab, sizeof(k.digest));
	return k;
}

static const uint8_t rec[] = { 1, 1, 1, 11, 0, 0, 0, 1 };

START_TEST(a_stored_record_is_returned_unchanged)
{
	gkey_cache_t *c = gkey_cache_alloc(16);
	gkey_cache_key_t k = key_for(7, 1, 1);
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;

	ck_assert_ptr_nonnull(c);
	ck_assert(!gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	gkey_cache_put(c, &k, rec, sizeof(rec));
	ck_assert(gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	ck_assert_uint_eq(len, sizeof(rec));
	ck_assert_mem_eq(out, rec, sizeof(rec));
	gkey_cache_free(c);
}
END_TEST

START_TEST(any_field_of_the_key_that_differs_misses)
{
	gkey_cache_t *c = gkey_cache_alloc(1);	/* one slot: only equality decides */
	gkey_cache_key_t k = key_for(7, 1, 1), o;
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;

	gkey_cache_put(c, &k, rec, sizeof(rec));
	o = k; o.identity = 8;
	ck_assert(!gkey_cache_get(c, &o, 1500, out, sizeof(out), &len));
	o = k; o.app_id = 2;
	ck_assert(!gkey_cache_get(c, &o, 1500, out, sizeof(out), &len));
	o = k; o.epoch = 2;
	ck_assert(!gkey_cache_get(c, &o, 1500, out, sizeof(out), &len));
	o = k; o.not_before = 999;
	ck_assert(!gkey_cache_get(c, &o, 1500, out, sizeof(out), &len));
	o = k; o.not_after = 1800;	/* a rotation shortened the epoch */
	ck_assert(!gkey_cache_get(c, &o, 1500, out, sizeof(out), &len));
	o = k; o.digest[31] ^= 1;	/* other material or enrolled key */
	ck_assert(!gkey_cache_get(c, &o, 1500, out, sizeof(out), &len));
	ck_assert(gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	gkey_cache_free(c);
}
END_TEST

START_TEST(an_entry_is_dropped_when_its_epoch_ends)
{
	gkey_cache_t *c = gkey_cache_alloc(16);
	gkey_cache_key_t k = key_for(7, 1, 1);
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;

	gkey_cache_put(c, &k, rec, sizeof(rec));
	ck_assert(!gkey_cache_get(c, &k, 2000, out, sizeof(out), &len));
	/* Gone for good, even for an earlier clock. */
	ck_assert(!gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	gkey_cache_free(c);
}
END_TEST

START_TEST(flush_drops_everything)
{
	gkey_cache_t *c = gkey_cache_alloc(64);
	gkey_cache_key_t k;
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;
	int i;

	for (i = 0; i < 10; i++) {
		k = key_for(i, 1, 1);
		gkey_cache_put(c, &k, rec, sizeof(rec));
	}
	gkey_cache_flush(c);
	for (i = 0; i < 10; i++) {
		k = key_for(i, 1, 1);
		ck_assert(!gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	}
	gkey_cache_free(c);
}
END_TEST

START_TEST(a_colliding_entry_replaces_the_old_one)
{
	gkey_cache_t *c = gkey_cache_alloc(1);
	gkey_cache_key_t a = key_for(1, 1, 1), b = key_for(2, 1, 1);
	uint8_t other[] = { 9, 9, 9 };
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;

	gkey_cache_put(c, &a, rec, sizeof(rec));
	gkey_cache_put(c, &b, other, sizeof(other));
	ck_assert(!gkey_cache_get(c, &a, 1500, out, sizeof(out), &len));
	ck_assert(gkey_cache_get(c, &b, 1500, out, sizeof(out), &len));
	ck_assert_mem_eq(out, other, sizeof(other));
	gkey_cache_free(c);
}
END_TEST

/* A set holds GKEY_CACHE_WAYS entries; the least recently used one goes. */
START_TEST(a_full_set_evicts_its_least_recently_used_entry)
{
	gkey_cache_t *c = gkey_cache_alloc(GKEY_CACHE_WAYS);	/* one set */
	gkey_cache_key_t k;
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;
	int i;

	for (i = 0; i < GKEY_CACHE_WAYS; i++) {
		k = key_for(i, 1, 1);
		gkey_cache_put(c, &k, rec, sizeof(rec));
	}
	/* All kept; entry 0 used again, so entry 1 is now the oldest. */
	for (i = 0; i < GKEY_CACHE_WAYS; i++) {
		k = key_for(i, 1, 1);
		ck_assert_msg(gkey_cache_get(c, &k, 1500, out, sizeof(out), &len), "entry %d lost", i);
	}
	k = key_for(0, 1, 1);
	ck_assert(gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	k = key_for(100, 1, 1);
	gkey_cache_put(c, &k, rec, sizeof(rec));
	ck_assert(gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	k = key_for(1, 1, 1);
	ck_assert(!gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	for (i = 0; i < GKEY_CACHE_WAYS; i++) {
		if (i == 1) continue;
		k = key_for(i, 1, 1);
		ck_assert_msg(gkey_cache_get(c, &k, 1500, out, sizeof(out), &len), "entry %d lost", i);
	}
	/* Storing a kept key again takes its own slot, not another. */
	k = key_for(0, 1, 1);
	gkey_cache_put(c, &k, rec, sizeof(rec));
	k = key_for(2, 1, 1);
	ck_assert(gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	gkey_cache_free(c);
}
END_TEST

/*
 * The bench's warm set (doc/radius.md section 10): 40000 records in 65536
 * slots. Direct-mapped, a quarter were lost to collisions; in sets, 2 %.
 */
START_TEST(a_warm_set_of_most_of_the_slots_stays)
{
	gkey_cache_t *c = gkey_cache_alloc(65536);
	gkey_cache_key_t k;
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;
	int i, kept = 0;

	for (i = 0; i < 40000; i++) {
		k = key_for(1000 + i, (uint32_t) (i % 3) + 1, 1);
		gkey_cache_put(c, &k, rec, sizeof(rec));
	}
	for (i = 0; i < 40000; i++) {
		k = key_for(1000 + i, (uint32_t) (i % 3) + 1, 1);
		if (gkey_cache_get(c, &k, 1500, out, sizeof(out), &len)) kept++;
	}
	ck_assert_msg(kept >= 39000, "only %d of 40000 kept", kept);
	gkey_cache_free(c);
}
END_TEST

START_TEST(oversized_records_and_small_buffers_are_refused)
{
	gkey_cache_t *c = gkey_cache_alloc(8);
	gkey_cache_key_t k = key_for(7, 1, 1);
	uint8_t big[GKEY_CACHE_RECORD_MAX + 1];
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;

	memset(big, 0x55, sizeof(big));
	gkey_cache_put(c, &k, big, sizeof(big));
	ck_assert(!gkey_cache_get(c, &k, 1500, out, sizeof(out), &len));
	gkey_cache_put(c, &k, rec, sizeof(rec));
	ck_assert(!gkey_cache_get(c, &k, 1500, out, sizeof(rec) - 1, &len));
	ck_assert_uint_eq(len, 0);
	gkey_cache_free(c);
}
END_TEST

START_TEST(no_cache_is_a_cache_that_always_misses)
{
	gkey_cache_key_t k = key_for(7, 1, 1);
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;
	uint64_t hits, misses;

	ck_assert_ptr_null(gkey_cache_alloc(0));
	gkey_cache_put(NULL, &k, rec, sizeof(rec));
	ck_assert(!gkey_cache_get(NULL, &k, 1500, out, sizeof(out), &len));
	gkey_cache_flush(NULL);
	gkey_cache_stats(NULL, &hits, &misses);
	ck_assert_uint_eq(hits + misses, 0);
	gkey_cache_free(NULL);
}
END_TEST

START_TEST(statistics_count_hits_and_misses)
{
	gkey_cache_t *c = gkey_cache_alloc(8);
	gkey_cache_key_t k = key_for(7, 1, 1);
	uint8_t out[GKEY_CACHE_RECORD_MAX];
	size_t len;
	uint64_t hits, misses;

	(void) gkey_cache_get(c, &k, 1500, out, sizeof(out), &len);
	gkey_cache_put(c, &k, rec, sizeof(rec));
	(void) gkey_cache_get(c, &k, 1500, out, sizeof(out), &len);
	(void) gkey_cache_get(c, &k, 1500, out, sizeof(out), &len);
	gkey_cache_stats(c, &hits, &misses);
	ck_assert_uint_eq(hits, 2);
	ck_assert_uint_eq(misses, 1);
	gkey_cache_free(c);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("gkey_cache");
	TCase *tc = tcase_create("cache");

	tcase_add_test(tc, a_stored_record_is_returned_unchanged);
	tcase_add_test(tc, any_field_of_the_key_that_differs_misses);
	tcase_add_test(tc, an_entry_is_dropped_when_its_epoch_ends);
	tcase_add_test(tc, flush_drops_everything);
	tcase_add_test(tc, a_colliding_entry_replaces_the_old_one);
	tcase_add_test(tc, a_full_set_evicts_its_least_recently_used_entry);
	tcase_add_test(tc, a_warm_set_of_most_of_the_slots_stays);
	tcase_add_test(tc, oversized_records_and_small_buffers_are_refused);
	tcase_add_test(tc, no_cache_is_a_cache_that_always_misses);
	tcase_add_test(tc, statistics_count_hits_and_misses);
	suite_add_tcase(s, tc);
	return s;
}
