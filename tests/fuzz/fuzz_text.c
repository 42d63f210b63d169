/*
 * fuzz_text.c - libFuzzer harness for the escaping of RADIUS text for the
 * issuance log: whatever the octets, the result is text, it decodes back
 * to exactly the input (nothing lost, nothing cut), text without a
 * backslash comes out unchanged, and a buffer one octet too small fails
 * instead of overflowing.  Build as fuzz_keyrecord.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IN_MAX	1024

static int
unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	out[GKEY_TEXT_ESCAPED_SIZE(IN_MAX)];
	static uint8_t	back[IN_MAX];
	size_t		len, i, j = 0;

	if (size > IN_MAX)
		return 0;
	if (gkey_text_escape(data, size, out, sizeof(out), &len) != 0)
		abort();
	if (strlen(out) != len || !gkey_utf8_text_valid((const uint8_t *)out, len))
		abort();
	for (i = 0; i < len; j++) {
		if (j >= size)
			abort();
		if (out[i] == '\\') {
			if (len - i < 4 || out[i + 1] != 'x')
				abort();
			back[j] = (uint8_t)(unhex(out[i + 2]) << 4 | unhex(out[i + 3]));
			i += 4;
		} else
			back[j] = (uint8_t)out[i++];
	}
	if (j != size || memcmp(back, data, size) != 0)
		abort();
	if (gkey_utf8_text_valid(data, size) && memchr(data, '\\', size) == NULL &&
	    (len != size || memcmp(out, data, size) != 0))
		abort();
	/* Exactly the room it needs succeeds; one less fails. */
	if (gkey_text_escape(data, size, out, len + 1, &len) != 0)
		abort();
	if (gkey_text_escape(data, size, out, len, &i) == 0)
		abort();
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
