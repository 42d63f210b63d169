/*
 * gkey_fit.c	Which Key Records fit into one Access-Accept (gkey_fit.h).
 */
#include "gkey_fit.h"

/* The end of the run of recs[start]'s application: the index after its newest epoch. */
static size_t run_end(gkey_fit_rec_t const *recs, size_t n, size_t start)
{
	size_t end = start + 1;

	while (end < n && recs[end].app_id == recs[start].app_id) end++;
	return end;
}

size_t gkey_fit_select(gkey_fit_rec_t const *recs, size_t n, size_t room, size_t max, bool *send)
{
	size_t i, start, end, used = 0, chosen = 0, round, taken;

	for (i = 0; i < n; i++) send[i] = false;

	/* Round 0: every application's newest epoch, all or nothing. */
	for (start = 0; start < n; start = end) {
		end = run_end(recs, n, start);
		if (chosen == max || recs[end - 1].octets > room - used) {
			for (i = 0; i < n; i++) send[i] = false;
			return 0;
		}
		send[end - 1] = true;
		used += recs[end - 1].octets;
		chosen++;
	}

	/*
	 *	Round r offers each application its r-th epoch from the
	 *	newest. An application is still open when it sent its offer
	 *	of the round before: that is all the state there is, so no
	 *	allocation.
	 */
	for (round = 1; chosen < max; round++) {
		taken = 0;
		for (start = 0; start < n && chosen < max; start = end) {
			end = run_end(recs, n, start);
			if (end - start <= round) continue;		/* none left */
			if (!send[end - round]) continue;		/* closed */
			i = end - 1 - round;
			if (recs[i].octets > room - used) continue;	/* closes it */
			send[i] = true;
			used += recs[i].octets;
			chosen++;
			taken++;
		}
		if (taken == 0) break;
	}
	return chosen;
}
