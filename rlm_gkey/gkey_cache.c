/*
 * gkey_cache.c	A bounded cache of sealed Key Records (see gkey_cache.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gkey_cache.h"

typedef struct {
	bool			used;
	uint64_t		last_used;	/* the cache's clock at the last get or put */
	gkey_cache_key_t	key;
	size_t			len;
	uint8_t			record[GKEY_CACHE_RECORD_MAX];
} slot_t;

/*
 *	Set i is slots [i * n_slots / n_sets, (i + 1) * n_slots / n_sets):
 *	every slot belongs to one set, sets differ by one slot at most.
 */
struct gkey_cache {
	pthread_mutex_t		mutex;
	uint32_t		n_slots;
	uint32_t		n_sets;
	uint64_t		clock;		/* ticks with every get and put */
	uint64_t		hits;
	uint64_t		misses;
	slot_t			*slots;
};

gkey_cache_t *gkey_cache_alloc(uint32_t slots)
{
	gkey_cache_t *cache;

	if (slots == 0) return NULL;
	cache = calloc(1, sizeof(*cache));
	if (!cache) return NULL;
	cache->slots = calloc(slots, sizeof(slot_t));
	if (!cache->slots || pthread_mutex_init(&cache->mutex, NULL) != 0) {
		free(cache->slots);
		free(cache);
		return NULL;
	}
	cache->n_slots = slots;
	cache->n_sets = (slots + GKEY_CACHE_WAYS - 1) / GKEY_CACHE_WAYS;
	return cache;
}

void gkey_cache_free(gkey_cache_t *cache)
{
	if (!cache) return;
	pthread_mutex_destroy(&cache->mutex);
	free(cache->slots);
	free(cache);
}

static bool key_equal(gkey_cache_key_t const *a, gkey_cache_key_t const *b)
{
	return a->identity == b->identity && a->app_id == b->app_id && a->epoch == b->epoch &&
	       a->not_before == b->not_before && a->not_after == b->not_after &&
	       memcmp(a->digest, b->digest, sizeof(a->digest)) == 0;
}

/* FNV-1a over the fields that name an entry: the set it goes in. */
static uint32_t set_of(gkey_cache_t const *cache, gkey_cache_key_t const *key)
{
	uint64_t words[5] = {
		(uint64_t) key->identity, key->app_id, key->epoch,
		(uint64_t) key->not_before, (uint64_t) key->not_after
	};
	uint32_t h = 2166136261u;
	size_t i, j;

	for (i = 0; i < 5; i++) {
		for (j = 0; j < 8; j++) {
			h ^= (uint8_t) (words[i] >> (8 * j));
			h *= 16777619u;
		}
	}
	for (i = 0; i < 8; i++) {
		h ^= key->digest[i];
		h *= 16777619u;
	}
	return h % cache->n_sets;
}

/* The slots of key's set: [*first, *end). */
static void set_slots(gkey_cache_t const *cache, gkey_cache_key_t const *key, slot_t **first, slot_t **end)
{
	uint64_t set = set_of(cache, key);

	*first = &cache->slots[set * cache->n_slots / cache->n_sets];
	*end = &cache->slots[(set + 1) * cache->n_slots / cache->n_sets];
}

/* The slot holding key in its set, or NULL. */
static slot_t *slot_find(gkey_cache_t *cache, gkey_cache_key_t const *key)
{
	slot_t *s, *end;

	for (set_slots(cache, key, &s, &end); s < end; s++) {
		if (s->used && key_equal(&s->key, key)) return s;
	}
	return NULL;
}

/* Where key goes: its own slot, else a free one, else the least recently used. */
static slot_t *slot_for_put(gkey_cache_t *cache, gkey_cache_key_t const *key)
{
	slot_t *s, *end, *victim = NULL;

	for (set_slots(cache, key, &s, &end); s < end; s++) {
		if (s->used && key_equal(&s->key, key)) return s;
		if (!s->used) {
			if (!victim || victim->used) victim = s;
		} else if (!victim || (victim->used && s->last_used < victim->last_used)) {
			victim = s;
		}
	}
	return victim;
}


bool gkey_cache_get(gkey_cache_t *cache, gkey_cache_key_t const *key, time_t now,
		    uint8_t *out, size_t out_size, size_t *out_len)
{
	slot_t *s;
	bool hit = false;

	*out_len = 0;
	if (!cache) return false;

	pthread_mutex_lock(&cache->mutex);
	s = slot_find(cache, key);
	if (s) {
		if (now >= s->key.not_after) {
			s->used = false;	/* the epoch is over */
		} else if (s->len <= out_size) {
			memcpy(out, s->record, s->len);
			*out_len = s->len;
			s->last_used = ++cache->clock;
			hit = true;
		}
	}
	if (hit) {
		cache->hits++;
	} else {
		cache->misses++;
	}
	pthread_mutex_unlock(&cache->mutex);
	return hit;
}

void gkey_cache_put(gkey_cache_t *cache, gkey_cache_key_t const *key,
		    uint8_t const *record, size_t len)
{
	slot_t *s;

	if (!cache || len == 0 || len > GKEY_CACHE_RECORD_MAX) return;

	pthread_mutex_lock(&cache->mutex);
	s = slot_for_put(cache, key);
	s->used = true;
	s->last_used = ++cache->clock;
	s->key = *key;
	memcpy(s->record, record, len);
	s->len = len;
	pthread_mutex_unlock(&cache->mutex);
}

void gkey_cache_flush(gkey_cache_t *cache)
{
	uint32_t i;

	if (!cache) return;
	pthread_mutex_lock(&cache->mutex);
	for (i = 0; i < cache->n_slots; i++) cache->slots[i].used = false;
	pthread_mutex_unlock(&cache->mutex);
}

void gkey_cache_stats(gkey_cache_t *cache, uint64_t *hits, uint64_t *misses)
{
	*hits = *misses = 0;
	if (!cache) return;
	pthread_mutex_lock(&cache->mutex);
	*hits = cache->hits;
	*misses = cache->misses;
	pthread_mutex_unlock(&cache->mutex);
}
