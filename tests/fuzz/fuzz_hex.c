/*
 * fuzz_hex.c - libFuzzer harness for the strict hex codec: decoding never
 * overruns, and whatever decodes encodes back to the same text (modulo
 * case).  Build as fuzz_keyrecord.c.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX	256

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	out[OUT_MAX];
	char	back[2 * OUT_MAX + 1];
	size_t	len, i;

	if (gkey_hex_decode((const char *)data, size, out, sizeof(out),
	    &len) != 0)
		return 0;
	if (len * 2 != size)
		abort();
	if (gkey_hex_encode(out, len, back, sizeof(back)) != 0)
		abort();
	for (i = 0; i < size; i++)
		if (tolower(data[i]) != back[i])
			abort();
	/* One octet short of room must fail, not overflow. */
	if (len > 0 && gkey_hex_encode(out, len, back, 2 * len) == 0)
		abort();
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
