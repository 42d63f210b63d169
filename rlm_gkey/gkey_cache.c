/*
 * gkey_cache.c	A bounded cache of sealed Key Records (see gkey_cache.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gkey_cache.h"

typedef struct {
	bool			used;
	gkey_cache_key_t	key;
	size_t			len;
	uint8_t			record[GKEY_CACHE_RECORD_MAX];
} slot_t;

struct gkey_cache {
	pthread_mutex_t		mutex;
	uint32_t		n_slots;
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
	return cache;
}

void gkey_cache_free(gkey_cache_t *cache)
{
	if (!cache) return;
	pthread_mutex_destroy(&cache->mutex);
	free(cache->slots);
	free(cache);
}

/* FNV-1a over the fields that name an entry. */
static uint32_t slot_of(gkey_cache_t const *cache, gkey_cache_key_t const *key)
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
	return h % cache->n_slots;
}

static bool key_equal(gkey_cache_key_t const *a, gkey_cache_key_t const *b)
{
	return a->identity == b->identity && a->app_id == b->app_id && a->epoch == b->epoch &&
	       a->not_before == b->not_before && a->not_after == b->not_after &&
	       memcmp(a->digest, b->digest, sizeof(a->digest)) == 0;
}

bool gkey_cache_get(gkey_cache_t *cache, gkey_cache_key_t const *key, time_t now,
		    uint8_t *out, size_t out_size, size_t *out_len)
{
	slot_t *s;
	bool hit = false;

	*out_len = 0;
	if (!cache) return false;

	pthread_mutex_lock(&cache->mutex);
	s = &cache->slots[slot_of(cache, key)];
	if (s->used && key_equal(&s->key, key)) {
		if (now >= s->key.not_after) {
			s->used = false;	/* the epoch is over */
		} else if (s->len <= out_size) {
			memcpy(out, s->record, s->len);
			*out_len = s->len;
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
	s = &cache->slots[slot_of(cache, key)];
	s->used = true;
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
