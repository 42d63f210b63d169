/*
 * gkey_view.h	An in-memory view of the module's identity lookups.
 *
 * Every request names its node by certificate fingerprint (access
 * routers) or by issuer and serial (EAP-TLS), and the module's one lookup
 * returns the identity row and the epochs valid now of every application
 * it holds a grant for (gkey.issue_keys, doc/sql.md section 5.3). The
 * view keeps that answer, for all applications, under the name it was
 * asked by, so a node asking again is answered without a round trip; the
 * caller still checks status, validity and the requested applications on
 * the copy it gets, exactly as on a fresh answer.
 *
 * An entry is used only while:
 *	- its answer cannot have changed by time alone: it expires at the
 *	  instant the database named (gkey.view_stable_until, doc/sql.md
 *	  section 5.7, and every returned epoch's end), and at the latest
 *	  ttl seconds after it was stored;
 *	- no change notification named it: the listener (gkey_listen.h)
 *	  invalidates by identity, by application or everything;
 *	- the view is trusted: while the listener is not listening, nothing
 *	  is answered and nothing is stored.
 *
 * A lookup that missed reads the generation before its query and stores
 * its answer only if no invalidation came in between (the generation is
 * bumped by every invalidation and by every change of trust): an answer
 * the database gave before a change whose notification was processed
 * while the query ran is never stored.
 *
 * Bounded: at most size entries, the least recently used one evicted
 * first. A hash table over the name, a doubly linked LRU list, and two
 * indexes for invalidation (identity id -> its entries, application id ->
 * the entries holding its epochs), so a notification touches only what
 * it names; all under one mutex (the module is thread-safe). Entries hold
 * their own copies (talloc); the sealed key material is wiped when an
 * entry goes. No FreeRADIUS headers, so unit tests drive it directly.
 */
#ifndef GKEY_VIEW_H
#define GKEY_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <talloc.h>

typedef struct gkey_view gkey_view_t;

/* One epoch, as gkey.issue_keys returns it (material may be NULL). */
typedef struct gkey_view_epoch {
	uint32_t	app_id;
	char const	*app_name;
	char const	*gk_alg;
	uint32_t	epoch;
	time_t		not_before;
	time_t		not_after;
	uint8_t const	*material;
	size_t		material_len;
} gkey_view_epoch_t;

/* The identity and its epochs (all applications). */
typedef struct gkey_view_answer {
	int64_t			id;
	char const		*status;
	char const		*status_reason;
	time_t			not_before;
	time_t			not_after;
	uint8_t const		*spki;
	size_t			spki_len;
	char const		*kind;
	gkey_view_epoch_t const	*epochs;
	size_t			n_epochs;
} gkey_view_answer_t;

/* What names an entry: a fingerprint, or an issuer and serial. */
#define GKEY_VIEW_KEY_MAX 768
typedef struct gkey_view_key {
	uint8_t		data[GKEY_VIEW_KEY_MAX];
	size_t		len;
} gkey_view_key_t;

/* The key of a fingerprint (32 octets). */
void		gkey_view_key_fp(gkey_view_key_t *key, uint8_t const fp[32]);
/* The key of an issuer and serial; -1 when they are too long to cache. */
int		gkey_view_key_issuer_serial(gkey_view_key_t *key, char const *issuer, char const *serial);

/*
 * size > 0 entries, ttl > 0 seconds. The view starts untrusted. NULL on
 * allocation failure.
 */
gkey_view_t	*gkey_view_alloc(uint32_t size, uint32_t ttl);
void		gkey_view_free(gkey_view_t *view);

/*
 * Looks key up. On a hit (trusted, present, now before its expiry) fills
 * *out with a copy allocated under ctx and returns 1; returns 0 on a
 * miss, -1 when out of memory. Either way *gen is the generation to pass
 * to gkey_view_put after the query that follows a miss.
 */
int		gkey_view_get(gkey_view_t *view, gkey_view_key_t const *key, time_t now,
			      TALLOC_CTX *ctx, gkey_view_answer_t *out, uint64_t *gen);

/*
 * Stores a copy of the answer under key, to expire at the earliest of
 * stable_until (0: none given), every epoch's not_after and now + ttl.
 * Nothing is stored when the view is untrusted, when gen is not the
 * current generation, or when the answer would already have expired.
 * Returns 1 when stored, 0 when not, -1 when out of memory.
 */
int		gkey_view_put(gkey_view_t *view, uint64_t gen, gkey_view_key_t const *key, time_t now,
			      time_t stable_until, gkey_view_answer_t const *answer);

/* Drop every entry of identity id / holding an epoch of app_id / all. */
void		gkey_view_invalidate_identity(gkey_view_t *view, int64_t id);
void		gkey_view_invalidate_app(gkey_view_t *view, uint32_t app_id);
void		gkey_view_flush(gkey_view_t *view);

/*
 * Applies one gkey_change payload (doc/sql.md section 8): "identity N",
 * "app N", "epoch N E" (as app N), "all"; anything else, malformed or
 * out of range flushes everything. Returns what it did.
 */
typedef enum {
	GKEY_VIEW_NOTE_IDENTITY = 0,
	GKEY_VIEW_NOTE_APP,
	GKEY_VIEW_NOTE_EPOCH,
	GKEY_VIEW_NOTE_ALL,
	GKEY_VIEW_NOTE_UNKNOWN		/* flushed too */
} gkey_view_note_t;

gkey_view_note_t gkey_view_notify(gkey_view_t *view, char const *payload);

/*
 * Untrusted: flushes and answers nothing until trusted again. Trusted:
 * flushes too (what was kept may have missed notifications), then
 * answers. Both bump the generation.
 */
void		gkey_view_set_trusted(gkey_view_t *view, bool trusted);
bool		gkey_view_trusted(gkey_view_t *view);

typedef struct gkey_view_stats {
	uint64_t	hits;
	uint64_t	misses;
	uint64_t	stored;
	uint64_t	evicted;	/* by the size bound */
	uint64_t	invalidated;	/* by a notification or a flush */
	uint32_t	entries;
} gkey_view_stats_t;

void		gkey_view_stats(gkey_view_t *view, gkey_view_stats_t *out);

/*
 * For tests: when set, called with every wiped copy of material just
 * before its memory is freed.
 */
extern void	(*gkey_view_wiped_hook)(uint8_t const *material, size_t len);

#endif /* GKEY_VIEW_H */
