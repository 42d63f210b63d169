/*
 * gkey_lookup.c	The identity lookup of a request, through the view.
 *
 * With the view off (view_size = 0) this is gkey_db's lookup, filtered
 * by GKey-Requested-App in SQL. With it on, the lookup asks for every
 * application, so that one entry serves every request of that identity,
 * and the requested ones are picked here: gkey.issue_keys filters by
 * exact name (a.name = ANY (p_apps), doc/sql.md section 5.3; the database
 * is UTF8 with a deterministic collation, so that is octet equality) and
 * keeps its order, so the rows left, and so every refusal reason
 * (doc/radius.md section 7), are the same. The caller checks status and
 * validity on the rows as ever. Only found identities are kept: an
 * unknown certificate queries every time (enrollment announces the new
 * identity by its id, which names no fingerprint).
 */
#include <freeradius/build.h>
RCSID("$Id$")
#include <freeradius/radiusd.h>
#include <freeradius/modules.h>

#include <inttypes.h>

#include "rlm_gkey.h"

/* The view hands out const copies that are the request's own. */
#define DECONST(_t, _p) ((_t) (uintptr_t) (_p))

/* The view's copy, allocated under ctx, as gkey_db returns it. */
static gkey_db_rcode_t from_view(TALLOC_CTX *ctx, gkey_view_answer_t const *a, gkey_identity_t *id,
				 gkey_epoch_t **out, size_t *count)
{
	gkey_epoch_t *rows;
	size_t i;

	memset(id, 0, sizeof(*id));
	id->id = a->id;
	id->status = DECONST(char *, a->status);
	id->status_reason = DECONST(char *, a->status_reason);
	id->not_before = a->not_before;
	id->not_after = a->not_after;
	id->spki = DECONST(uint8_t *, a->spki);
	id->spki_len = a->spki_len;
	id->kind = DECONST(char *, a->kind);
	*out = NULL;
	*count = 0;
	if (a->n_epochs == 0) return GKEY_DB_OK;

	rows = talloc_zero_array(ctx, gkey_epoch_t, a->n_epochs);
	if (!rows) return GKEY_DB_ERROR;
	for (i = 0; i < a->n_epochs; i++) {
		gkey_view_epoch_t const *e = &a->epochs[i];

		rows[i].app_id = e->app_id;
		rows[i].app_name = DECONST(char *, e->app_name);
		rows[i].gk_alg = DECONST(char *, e->gk_alg);
		rows[i].epoch = e->epoch;
		rows[i].not_before = e->not_before;
		rows[i].not_after = e->not_after;
		rows[i].material = DECONST(uint8_t *, e->material);
		rows[i].material_len = e->material_len;
	}
	*out = rows;
	*count = a->n_epochs;
	return GKEY_DB_OK;
}

/* A view answer pointing into the lookup's own rows (copied by put). */
static int to_view(TALLOC_CTX *ctx, gkey_identity_t const *id, gkey_epoch_t const *rows, size_t n,
		   gkey_view_answer_t *a)
{
	gkey_view_epoch_t *ep = NULL;
	size_t i;

	if (n > 0) {
		ep = talloc_zero_array(ctx, gkey_view_epoch_t, n);
		if (!ep) return -1;
	}
	for (i = 0; i < n; i++) {
		ep[i].app_id = rows[i].app_id;
		ep[i].app_name = rows[i].app_name;
		ep[i].gk_alg = rows[i].gk_alg;
		ep[i].epoch = rows[i].epoch;
		ep[i].not_before = rows[i].not_before;
		ep[i].not_after = rows[i].not_after;
		ep[i].material = rows[i].material;
		ep[i].material_len = rows[i].material_len;
	}
	a->id = id->id;
	a->status = id->status;
	a->status_reason = id->status_reason;
	a->not_before = id->not_before;
	a->not_after = id->not_after;
	a->spki = id->spki;
	a->spki_len = id->spki_len;
	a->kind = id->kind;
	a->epochs = ep;
	a->n_epochs = n;
	return 0;
}

/* Keeps the rows of the requested applications, in their order. */
static void filter_apps(gkey_epoch_t *rows, size_t *count, char const * const *apps, size_t n_apps)
{
	size_t i, j, k = 0;

	if (n_apps == 0) return;
	for (i = 0; i < *count; i++) {
		for (j = 0; j < n_apps; j++) {
			if (strcmp(rows[i].app_name, apps[j]) == 0) break;
		}
		if (j == n_apps) continue;
		if (k != i) rows[k] = rows[i];
		k++;
	}
	*count = k;
}

/* fp, or else issuer and serial, names the identity. */
static gkey_db_rcode_t view_lookup(rlm_gkey_t const *inst, TALLOC_CTX *ctx, gkey_db_t *db,
				   uint8_t const *fp, char const *issuer, char const *serial,
				   char const * const *apps, size_t n_apps,
				   gkey_identity_t *id, gkey_epoch_t **out, size_t *count)
{
	REQUEST *request = db->request;
	gkey_view_key_t key;
	gkey_view_answer_t a;
	gkey_db_rcode_t rcode;
	time_t now = time(NULL), stable_until;
	uint64_t gen = 0;
	bool keyed = true;

	if (fp) {
		gkey_view_key_fp(&key, fp);
	} else {
		keyed = (gkey_view_key_issuer_serial(&key, issuer, serial) == 0);
	}

	if (keyed) {
		switch (gkey_view_get(inst->view, &key, now, ctx, &a, &gen)) {
		case 1:
			rcode = from_view(ctx, &a, id, out, count);
			if (rcode != GKEY_DB_OK) return rcode;
			RDEBUG2("Identity %" PRId64 " from the view", id->id);
			filter_apps(*out, count, apps, n_apps);
			return GKEY_DB_OK;
		case 0:
			break;
		default:
			RERROR("Out of memory copying from the view");
			return GKEY_DB_ERROR;
		}
	}

	rcode = fp ? gkey_db_view_lookup_by_fingerprint(ctx, db, fp, id, out, count, &stable_until) :
		     gkey_db_view_lookup_by_issuer_serial(ctx, db, issuer, serial, id, out, count, &stable_until);
	if (rcode != GKEY_DB_OK) return rcode;

	if (keyed) {
		if (to_view(ctx, id, *out, *count, &a) < 0 ||
		    gkey_view_put(inst->view, gen, &key, now, stable_until, &a) < 0) {
			RWDEBUG("Out of memory: the answer is not kept in the view");
		}
	}
	filter_apps(*out, count, apps, n_apps);
	return GKEY_DB_OK;
}

gkey_db_rcode_t gkey_lookup_by_fingerprint(rlm_gkey_t const *inst, TALLOC_CTX *ctx, gkey_db_t *db,
					   uint8_t const fp[32], char const * const *apps, size_t n_apps,
					   gkey_identity_t *id, gkey_epoch_t **out, size_t *count)
{
	if (!inst->view) return gkey_db_lookup_by_fingerprint(ctx, db, fp, apps, n_apps, id, out, count);
	return view_lookup(inst, ctx, db, fp, NULL, NULL, apps, n_apps, id, out, count);
}

gkey_db_rcode_t gkey_lookup_by_issuer_serial(rlm_gkey_t const *inst, TALLOC_CTX *ctx, gkey_db_t *db,
					     char const *issuer, char const *serial,
					     char const * const *apps, size_t n_apps,
					     gkey_identity_t *id, gkey_epoch_t **out, size_t *count)
{
	if (!inst->view) {
		return gkey_db_lookup_by_issuer_serial(ctx, db, issuer, serial, apps, n_apps, id, out, count);
	}
	return view_lookup(inst, ctx, db, NULL, issuer, serial, apps, n_apps, id, out, count);
}
