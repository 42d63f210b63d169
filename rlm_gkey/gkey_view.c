/*
 * gkey_view.c	An in-memory view of the module's identity lookups
 *		(see gkey_view.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "gkey_view.h"

void (*gkey_view_wiped_hook)(uint8_t const *material, size_t len);

struct entry;

/* An entry's place in the list of one application it holds epochs of. */
typedef struct app_link {
	struct entry		*e;
	struct app_link		*prev;
	struct app_link		*next;
	struct app_head		*head;		/* NULL: not linked */
} app_link_t;

/* The entries holding epochs of one application. */
typedef struct app_head {
	uint32_t		app_id;
	app_link_t		*first;
	struct app_head		*next;		/* hash chain */
} app_head_t;

#define APP_BUCKETS 1024

typedef struct entry {
	struct entry		*hnext;		/* hash chain of the name */
	struct entry		*id_next;	/* hash chain of the identity id */
	struct entry		*prev;		/* LRU list: towards the most recent */
	struct entry		*next;		/* towards the least recent */
	uint64_t		hash;
	uint8_t			*key;
	size_t			key_len;
	time_t			expires;
	gkey_view_answer_t	a;		/* pointers into the entry's children */
	app_link_t		*links;		/* one per distinct application */
	size_t			n_links;
} entry_t;

/*
 *	Three indexes over the entries, all under the mutex: the name (for
 *	lookups), the identity id and the applications (for invalidation),
 *	so that a notification touches only the entries it names.
 */
struct gkey_view {
	pthread_mutex_t		mutex;
	uint32_t		size;
	uint32_t		ttl;
	uint32_t		n;
	uint64_t		mask;		/* buckets - 1, of both tables */
	entry_t			**buckets;
	entry_t			**id_buckets;
	app_head_t		*app_buckets[APP_BUCKETS];
	entry_t			*head;		/* most recently used */
	entry_t			*tail;		/* least recently used */
	uint64_t		seed;
	uint64_t		gen;
	bool			trusted;
	gkey_view_stats_t	stats;
};

static uint64_t id_hash(gkey_view_t const *v, int64_t id)
{
	return (((uint64_t) id * 0x9e3779b97f4a7c15ULL) >> 17) & v->mask;
}

static size_t app_hash(uint32_t app_id)
{
	return (size_t) ((app_id * 0x9e3779b1U) >> 22) & (APP_BUCKETS - 1);
}

static app_head_t *app_find(gkey_view_t const *v, uint32_t app_id)
{
	app_head_t *h;

	for (h = v->app_buckets[app_hash(app_id)]; h; h = h->next) {
		if (h->app_id == app_id) return h;
	}
	return NULL;
}

void gkey_view_key_fp(gkey_view_key_t *key, uint8_t const fp[32])
{
	key->data[0] = 'F';
	memcpy(key->data + 1, fp, 32);
	key->len = 33;
}

int gkey_view_key_issuer_serial(gkey_view_key_t *key, char const *issuer, char const *serial)
{
	size_t il = strlen(issuer), sl = strlen(serial);

	/* 'S' issuer NUL serial: the NUL keeps ("ab", "c") and ("a", "bc") apart. */
	if (il + sl + 2 > sizeof(key->data)) return -1;
	key->data[0] = 'S';
	memcpy(key->data + 1, issuer, il);
	key->data[1 + il] = '\0';
	memcpy(key->data + 2 + il, serial, sl);
	key->len = il + sl + 2;
	return 0;
}

/* FNV-1a over a random seed: names are not chosen to collide on purpose. */
static uint64_t key_hash(gkey_view_t const *v, uint8_t const *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL ^ v->seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static int entry_destructor(entry_t *e)
{
	size_t i;

	for (i = 0; i < e->a.n_epochs; i++) {
		gkey_view_epoch_t const *ep = &e->a.epochs[i];

		if (!ep->material) continue;
		OPENSSL_cleanse((void *) ep->material, ep->material_len);
		if (gkey_view_wiped_hook) gkey_view_wiped_hook(ep->material, ep->material_len);
	}
	return 0;
}

/* Moves *p past len octets of src copied there; returns where they went. */
static void *carve(uint8_t **p, void const *src, size_t len)
{
	void *at = *p;

	if (len) memcpy(at, src, len);
	*p += len;
	return at;
}

static char const *carve_str(uint8_t **p, char const *src)
{
	return carve(p, src, strlen(src) + 1);
}

/*
 *	A deep copy of src into *dst, in one talloc chunk under ctx (one
 *	allocation, not one per string: about 700 octets for an entry with
 *	one epoch instead of 1.7 KiB), followed by n_links app_link_t and
 *	key_len octets of room for the caller (*links, *key). Returns the
 *	chunk, NULL when out of memory.
 */
static void *answer_copy(TALLOC_CTX *ctx, gkey_view_answer_t const *src, gkey_view_answer_t *dst,
			 size_t n_links, app_link_t **links, size_t key_len, uint8_t **key)
{
	size_t i, size;
	uint8_t *chunk, *p;
	gkey_view_epoch_t *ep;

	/* The arrays first: their elements are multiples of 8 octets. */
	size = src->n_epochs * sizeof(gkey_view_epoch_t) + n_links * sizeof(app_link_t) +
	       strlen(src->status) + strlen(src->status_reason) + strlen(src->kind) + 3 +
	       src->spki_len + key_len;
	for (i = 0; i < src->n_epochs; i++) {
		size += strlen(src->epochs[i].app_name) + strlen(src->epochs[i].gk_alg) + 2;
		if (src->epochs[i].material) size += src->epochs[i].material_len;
	}
	chunk = talloc_zero_size(ctx, size ? size : 1);
	if (!chunk) return NULL;

	p = chunk;
	ep = (gkey_view_epoch_t *) (void *) p;
	p += src->n_epochs * sizeof(gkey_view_epoch_t);
	if (links) *links = n_links ? (app_link_t *) (void *) p : NULL;
	p += n_links * sizeof(app_link_t);

	*dst = *src;
	dst->status = carve_str(&p, src->status);
	dst->status_reason = carve_str(&p, src->status_reason);
	dst->kind = carve_str(&p, src->kind);
	dst->spki = carve(&p, src->spki, src->spki_len);
	for (i = 0; i < src->n_epochs; i++) {
		gkey_view_epoch_t const *s = &src->epochs[i];

		ep[i] = *s;
		ep[i].app_name = carve_str(&p, s->app_name);
		ep[i].gk_alg = carve_str(&p, s->gk_alg);
		if (s->material) ep[i].material = carve(&p, s->material, s->material_len);
	}
	dst->epochs = src->n_epochs ? ep : NULL;
	if (key) *key = carve(&p, NULL, 0);
	return chunk;
}

gkey_view_t *gkey_view_alloc(uint32_t size, uint32_t ttl)
{
	gkey_view_t *v;
	uint64_t buckets = 1;

	if (size == 0 || ttl == 0) return NULL;
	v = calloc(1, sizeof(*v));
	if (!v) return NULL;
	while (buckets < size && buckets < (1ULL << 31)) buckets <<= 1;
	v->buckets = calloc(buckets, sizeof(*v->buckets));
	v->id_buckets = calloc(buckets, sizeof(*v->id_buckets));
	if (!v->buckets || !v->id_buckets || pthread_mutex_init(&v->mutex, NULL) != 0) {
		free(v->buckets);
		free(v->id_buckets);
		free(v);
		return NULL;
	}
	v->mask = buckets - 1;
	v->size = size;
	v->ttl = ttl;
	if (RAND_bytes((unsigned char *) &v->seed, sizeof(v->seed)) != 1) v->seed = (uint64_t) time(NULL);
	return v;
}

static void lru_unlink(gkey_view_t *v, entry_t *e)
{
	if (e->prev) e->prev->next = e->next;
	else v->head = e->next;
	if (e->next) e->next->prev = e->prev;
	else v->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push(gkey_view_t *v, entry_t *e)
{
	e->prev = NULL;
	e->next = v->head;
	if (v->head) v->head->prev = e;
	v->head = e;
	if (!v->tail) v->tail = e;
}

static void app_unlink(gkey_view_t *v, app_link_t *l)
{
	app_head_t *h = l->head, **pp;

	if (!h) return;
	if (l->prev) l->prev->next = l->next;
	else h->first = l->next;
	if (l->next) l->next->prev = l->prev;
	l->prev = l->next = NULL;
	l->head = NULL;
	if (h->first) return;

	/* The application's last entry: its head goes too. */
	for (pp = &v->app_buckets[app_hash(h->app_id)]; *pp && *pp != h; pp = &(*pp)->next);
	if (*pp) *pp = h->next;
	free(h);
}

/* Links e into the list of each application it holds; -1 when out of memory. */
static int app_link_all(gkey_view_t *v, entry_t *e)
{
	size_t i;

	for (i = 0; i < e->n_links; i++) {
		app_link_t *l = &e->links[i];
		uint32_t app_id = e->a.epochs[0].app_id;
		app_head_t *h;
		size_t j, k = 0;

		/* The i-th distinct application, in the order of the epochs. */
		for (j = 0; j < e->a.n_epochs; j++) {
			if (j > 0 && e->a.epochs[j].app_id == e->a.epochs[j - 1].app_id) continue;
			if (k++ == i) {
				app_id = e->a.epochs[j].app_id;
				break;
			}
		}
		h = app_find(v, app_id);
		if (!h) {
			h = calloc(1, sizeof(*h));
			if (!h) return -1;
			h->app_id = app_id;
			h->next = v->app_buckets[app_hash(app_id)];
			v->app_buckets[app_hash(app_id)] = h;
		}
		l->e = e;
		l->head = h;
		l->prev = NULL;
		l->next = h->first;
		if (h->first) h->first->prev = l;
		h->first = l;
	}
	return 0;
}

/* Unlinks e from every index and the LRU list, and frees it (wiping its material). */
static void entry_drop(gkey_view_t *v, entry_t *e)
{
	entry_t **pp = &v->buckets[e->hash & v->mask];
	size_t i;

	while (*pp && *pp != e) pp = &(*pp)->hnext;
	if (*pp) *pp = e->hnext;
	for (pp = &v->id_buckets[id_hash(v, e->a.id)]; *pp && *pp != e; pp = &(*pp)->id_next);
	if (*pp) *pp = e->id_next;
	for (i = 0; i < e->n_links; i++) app_unlink(v, &e->links[i]);
	lru_unlink(v, e);
	v->n--;
	talloc_free(e);
}

static entry_t *entry_find(gkey_view_t *v, uint64_t h, uint8_t const *key, size_t len)
{
	entry_t *e;

	for (e = v->buckets[h & v->mask]; e; e = e->hnext) {
		if (e->hash == h && e->key_len == len && memcmp(e->key, key, len) == 0) return e;
	}
	return NULL;
}

static void drop_all(gkey_view_t *v)
{
	while (v->tail) {
		entry_drop(v, v->tail);
		v->stats.invalidated++;
	}
}

void gkey_view_free(gkey_view_t *v)
{
	if (!v) return;
	drop_all(v);
	pthread_mutex_destroy(&v->mutex);
	free(v->buckets);
	free(v->id_buckets);
	free(v);
}

int gkey_view_get(gkey_view_t *v, gkey_view_key_t const *key, time_t now,
		  TALLOC_CTX *ctx, gkey_view_answer_t *out, uint64_t *gen)
{
	uint64_t h = key_hash(v, key->data, key->len);
	void *copy;
	entry_t *e;
	int rc = 0;

	pthread_mutex_lock(&v->mutex);
	*gen = v->gen;
	if (!v->trusted) goto finish;
	e = entry_find(v, h, key->data, key->len);
	if (!e) goto finish;
	if (now >= e->expires) {
		entry_drop(v, e);
		goto finish;
	}
	copy = answer_copy(ctx, &e->a, out, 0, NULL, 0, NULL);
	if (!copy) {
		rc = -1;
		goto finish;
	}
	lru_unlink(v, e);
	lru_push(v, e);
	rc = 1;

finish:
	if (rc == 1) v->stats.hits++;
	else v->stats.misses++;
	pthread_mutex_unlock(&v->mutex);
	return rc;
}

int gkey_view_put(gkey_view_t *v, uint64_t gen, gkey_view_key_t const *key, time_t now,
		  time_t stable_until, gkey_view_answer_t const *answer)
{
	uint64_t h = key_hash(v, key->data, key->len);
	time_t expires = now + (time_t) v->ttl;
	entry_t *e, *old;
	size_t i;

	if (stable_until > 0 && stable_until < expires) expires = stable_until;
	for (i = 0; i < answer->n_epochs; i++) {
		if (answer->epochs[i].not_after < expires) expires = answer->epochs[i].not_after;
	}
	if (expires <= now) return 0;

	/* Copied before taking the lock; dropped if the generation moved. */
	e = talloc_zero(NULL, entry_t);
	if (!e) return -1;
	for (i = 0; i < answer->n_epochs; i++) {
		if (i == 0 || answer->epochs[i].app_id != answer->epochs[i - 1].app_id) e->n_links++;
	}
	if (!answer_copy(e, answer, &e->a, e->n_links, &e->links, key->len, &e->key)) {
		talloc_free(e);
		return -1;
	}
	/* Only now: the destructor wipes what the copy holds. */
	talloc_set_destructor(e, entry_destructor);
	memcpy(e->key, key->data, key->len);
	e->key_len = key->len;
	e->hash = h;
	e->expires = expires;

	pthread_mutex_lock(&v->mutex);
	if (!v->trusted || gen != v->gen) {
		pthread_mutex_unlock(&v->mutex);
		talloc_free(e);
		return 0;
	}
	old = entry_find(v, h, key->data, key->len);
	if (old) entry_drop(v, old);
	while (v->n >= v->size && v->tail) {
		entry_drop(v, v->tail);
		v->stats.evicted++;
	}
	e->hnext = v->buckets[h & v->mask];
	v->buckets[h & v->mask] = e;
	e->id_next = v->id_buckets[id_hash(v, e->a.id)];
	v->id_buckets[id_hash(v, e->a.id)] = e;
	lru_push(v, e);
	v->n++;
	if (app_link_all(v, e) < 0) {
		entry_drop(v, e);
		pthread_mutex_unlock(&v->mutex);
		return -1;
	}
	v->stats.stored++;
	pthread_mutex_unlock(&v->mutex);
	return 1;
}

void gkey_view_invalidate_identity(gkey_view_t *v, int64_t id)
{
	entry_t *e, *next;

	pthread_mutex_lock(&v->mutex);
	v->gen++;
	for (e = v->id_buckets[id_hash(v, id)]; e; e = next) {
		next = e->id_next;
		if (e->a.id != id) continue;
		entry_drop(v, e);
		v->stats.invalidated++;
	}
	pthread_mutex_unlock(&v->mutex);
}

void gkey_view_invalidate_app(gkey_view_t *v, uint32_t app_id)
{
	app_head_t *h;

	pthread_mutex_lock(&v->mutex);
	v->gen++;
	/* The head goes with the application's last entry. */
	while ((h = app_find(v, app_id)) != NULL) {
		entry_drop(v, h->first->e);
		v->stats.invalidated++;
	}
	pthread_mutex_unlock(&v->mutex);
}

void gkey_view_flush(gkey_view_t *v)
{
	pthread_mutex_lock(&v->mutex);
	v->gen++;
	drop_all(v);
	pthread_mutex_unlock(&v->mutex);
}

void gkey_view_set_trusted(gkey_view_t *v, bool trusted)
{
	pthread_mutex_lock(&v->mutex);
	v->gen++;
	drop_all(v);
	v->trusted = trusted;
	pthread_mutex_unlock(&v->mutex);
}

bool gkey_view_trusted(gkey_view_t *v)
{
	bool t;

	pthread_mutex_lock(&v->mutex);
	t = v->trusted;
	pthread_mutex_unlock(&v->mutex);
	return t;
}

void gkey_view_stats(gkey_view_t *v, gkey_view_stats_t *out)
{
	pthread_mutex_lock(&v->mutex);
	*out = v->stats;
	out->entries = v->n;
	pthread_mutex_unlock(&v->mutex);
}

/*
 *	A decimal number without sign, leading zero or blank, at most max;
 *	*p moves past it. -1 when there is none.
 */
static int parse_dec(char const **p, uint64_t max, uint64_t *out)
{
	char const *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9')) return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (uint64_t) (*s - '0')) / 10) return -1;
		v = v * 10 + (uint64_t) (*s - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

gkey_view_note_t gkey_view_notify(gkey_view_t *v, char const *payload)
{
	char const *p = payload;
	uint64_t a, b;

	if (strncmp(p, "identity ", 9) == 0) {
		p += 9;
		if (parse_dec(&p, INT64_MAX, &a) == 0 && *p == '\0' && a > 0) {
			gkey_view_invalidate_identity(v, (int64_t) a);
			return GKEY_VIEW_NOTE_IDENTITY;
		}
	} else if (strncmp(p, "app ", 4) == 0) {
		p += 4;
		if (parse_dec(&p, UINT32_MAX, &a) == 0 && *p == '\0' && a > 0) {
			gkey_view_invalidate_app(v, (uint32_t) a);
			return GKEY_VIEW_NOTE_APP;
		}
	} else if (strncmp(p, "epoch ", 6) == 0) {
		/* A new epoch of application N: whoever holds N must see it. */
		p += 6;
		if (parse_dec(&p, UINT32_MAX, &a) == 0 && a > 0 && *p++ == ' ' &&
		    parse_dec(&p, INT32_MAX, &b) == 0 && *p == '\0') {
			gkey_view_invalidate_app(v, (uint32_t) a);
			return GKEY_VIEW_NOTE_EPOCH;
		}
	} else if (strcmp(p, "all") == 0) {
		gkey_view_flush(v);
		return GKEY_VIEW_NOTE_ALL;
	}
	gkey_view_flush(v);
	return GKEY_VIEW_NOTE_UNKNOWN;
}
