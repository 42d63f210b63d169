/*
 * fuzz_keyrecord.c - libFuzzer harness for the key record parser and for
 * opening a record as a node (fixed keys, fixed clock).
 *
 *   clang -fsanitize=fuzzer,address,undefined ...        (libFuzzer)
 *   gcc -DGKEY_FUZZ_STANDALONE -fsanitize=address,undefined ...
 *                                                         (corpus replay)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fuzz_keys.h"
#include "keyrecord.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_keys	keys;
static int		loaded;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gkey_record	rec;
	uint8_t			gk[GKEY_GK_MAX];
	size_t			gk_len;
	char			err[256];

	if (!loaded) {
		if (fuzz_keys_load(&keys) != 0)
			abort();
		loaded = 1;
	}

	if (gkey_record_parse(data, size, &rec, err, sizeof(err)) == 0) {
		/* Whatever parses stays inside the input. */
		if (rec.aad_len + rec.enc_len + rec.ct_len != size ||
		    rec.name + rec.name_len != rec.enc ||
		    rec.ct + rec.ct_len != data + size ||
		    rec.ct_len != rec.gk_len + 16)
			abort();
	} else if (err[0] == '\0' || strlen(err) >= sizeof(err))
		abort();

	/* Open as both nodes: only the matching curve gets to HPKE. */
	if (gkey_record_open(data, size, keys.node_p256, keys.servers, 2,
	    FUZZ_NOW, &rec, gk, sizeof(gk), &gk_len, err, sizeof(err)) == 0 &&
	    (gk_len != 16 && gk_len != 32))
		abort();
	if (gkey_record_open(data, size, keys.node_x25519, keys.servers, 2,
	    FUZZ_NOW, &rec, gk, sizeof(gk), &gk_len, err, sizeof(err)) == 0 &&
	    (gk_len != 16 && gk_len != 32))
		abort();
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
