/*
 * gkey_cache.h	A bounded cache of sealed Key Records.
 *
 * Sealing a record (HPKE) is most of the module's CPU time, and a node
 * that refreshes its keys gets the same GK epoch again and again. A
 * record sealed once to the node's enrolled key may be sent again
 * unchanged: it holds nothing new. The cache maps (identity, application,
 * epoch, validity, digest of the enrolled key and the stored sealed GK) to
 * the sealed record, so anything the database changes about the record
 * misses: a new epoch, a rotation shortening one, other key material
 * (a restored database), another enrolled key. The identity's status and
 * grants are still checked on every request, on the lookup's answer (from
 * the database, or the view that notifications keep fresh, gkey_view.h),
 * so a suspended or revoked node is never answered from here.
 *
 * Set-associative: a fixed number of slots in sets of up to
 * GKEY_CACHE_WAYS, an entry may go in any slot of the set its key hashes
 * to, and a new entry takes a free slot of its set or else replaces the
 * set's least recently used one; an entry is dropped once its epoch ends.
 * (Direct-mapped, one slot per key, a warm set of 0.6 of the slots lost
 * a quarter of its entries to collisions; in sets of 8, 2 %.)
 * One mutex guards the table (the module is thread-safe). No FreeRADIUS
 * headers, so unit tests drive it directly.
 */
#ifndef GKEY_CACHE_H
#define GKEY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct gkey_cache gkey_cache_t;

typedef struct gkey_cache_key {
	int64_t		identity;
	uint32_t	app_id;
	uint32_t	epoch;
	time_t		not_before;
	time_t		not_after;
	uint8_t		digest[32];	/* SHA-256(SPKI DER || sealed GK blob) */
} gkey_cache_key_t;

#define GKEY_CACHE_WAYS 8

/* slots > 0; returns NULL on allocation failure. Free with gkey_cache_free. */
gkey_cache_t	*gkey_cache_alloc(uint32_t slots);
void		gkey_cache_free(gkey_cache_t *cache);

/*
 * Copies the record for key into out (out_size octets) and returns true,
 * or returns false on a miss, an expired entry (now >= not_after) or a
 * too small buffer.
 */
bool		gkey_cache_get(gkey_cache_t *cache, gkey_cache_key_t const *key, time_t now,
			       uint8_t *out, size_t out_size, size_t *out_len);

/* Stores a copy of the record (at most GKEY_CACHE_RECORD_MAX octets). */
#define GKEY_CACHE_RECORD_MAX 256
void		gkey_cache_put(gkey_cache_t *cache, gkey_cache_key_t const *key,
			       uint8_t const *record, size_t len);

/* Drops every entry. */
void		gkey_cache_flush(gkey_cache_t *cache);

/* Hits and misses since allocation, for statistics and tests. */
void		gkey_cache_stats(gkey_cache_t *cache, uint64_t *hits, uint64_t *misses);

#endif /* GKEY_CACHE_H */
