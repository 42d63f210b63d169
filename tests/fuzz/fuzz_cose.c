/*
 * fuzz_cose.c - libFuzzer harness for the receiver's open path of
 * doc/cose-message.md: whatever the datagram, gkey_cose_open() returns a
 * named status without touching memory it does not own, and a reading it
 * accepts is one the same state refuses the second time (replayed).
 * The seed corpus holds sealed messages under the GKs below
 * (tests/fuzz/gen_cose_corpus.c).  Build as fuzz_keyrecord.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cose.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW	UINT64_C(1700000000)

static void
fuzz_keys(struct gkey_cose_keys *keys)
{
	size_t	i;

	memset(keys, 0, sizeof(*keys));
	for (i = 0; i < 2; i++) {
		struct gkey_cose_key *k = &keys->key[i];

		strcpy(k->app, "fuzz");
		k->app_id = 7;
		k->epoch = (uint32_t)(i + 1);
		k->not_before = FUZZ_NOW - 1000;
		k->not_after = FUZZ_NOW + 1000;
		k->gk_len = i == 0 ? 16 : 32;
		memset(k->gk, 0x42 + (int)i, k->gk_len);
	}
	keys->n = 2;
}

#ifndef GKEY_FUZZ_CORPUS_ONLY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gkey_cose_keys	keys;
	static struct gkey_cose_replay	replay;
	struct gkey_reading		r;
	struct gkey_cose_info		info;
	enum gkey_cose_status		st;

	fuzz_keys(&keys);
	memset(&replay, 0, sizeof(replay));
	st = gkey_cose_open(data, size, &keys, &replay, FUZZ_NOW, &r, &info);
	if (gkey_cose_strerror(st) == NULL)
		abort();
	if (st == GKEY_COSE_OK) {
		if (strlen(r.name) > GKEY_COSE_NAME_MAX ||
		    strlen(r.unit) > GKEY_COSE_UNIT_MAX || info.seq == 0)
			abort();
		if (gkey_cose_open(data, size, &keys, &replay, FUZZ_NOW, &r,
		    &info) != GKEY_COSE_REPLAYED)
			abort();
	}
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
#endif
