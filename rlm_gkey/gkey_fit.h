/*
 * gkey_fit.h	Which Key Records fit into one Access-Accept.
 *
 * A RADIUS packet holds at most 4096 octets (RFC 2865 section 3), and
 * FreeRADIUS's encoder silently stops at the first attribute that does
 * not fit, dropping it and everything after it. Every epoch valid now of
 * every application would make an answer grow without bound while an
 * operator rotates within the overlap, so the module decides beforehand
 * which records go (doc/radius.md section 6.1). No FreeRADIUS headers,
 * so tests/check_fit.c drives it directly.
 */
#ifndef GKEY_FIT_H
#define GKEY_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One candidate record. */
typedef struct gkey_fit_rec {
	uint32_t	app_id;
	uint32_t	epoch;
	size_t		octets;		/* on the wire: the whole attribute, header included */
} gkey_fit_rec_t;

/*
 * Chooses at most max of the records of recs[0..n) to send in room
 * octets (a NAS may pass on no more: pana-relayd's limit). recs must be
 * in the order application, then epoch ascending (the lookup's order):
 * each application's records are one run, its newest epoch last.
 *
 * In rounds: in each, every application still open (in the order of
 * recs) takes its newest epoch not taken yet if that fits in what is
 * left; an application whose next record does not fit, or that has none
 * left, is closed, and never sends an older epoch than one it left out;
 * the rounds end when max are chosen. So every application gets its
 * newest epoch before any gets a second, and what is left out is each
 * application's oldest epochs.
 *
 * The first round must fit whole: when the newest epoch of some
 * application does not fit, or there are more applications than max,
 * nothing is chosen. Sets send[i] (n entries)
 * for the records chosen, clears the others; returns how many were
 * chosen: 0 for none (n == 0 or the first round did not fit).
 */
size_t gkey_fit_select(gkey_fit_rec_t const *recs, size_t n, size_t room, size_t max, bool *send);

#endif /* GKEY_FIT_H */
