/*
 * hex.h - strict hexadecimal encoding and decoding.
 *
 * No allocation: the caller owns every buffer.
 */
#ifndef GKEY_HEX_H
#define GKEY_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write the lower-case hex of in[0..len) and a terminating NUL into out.
 * out_size must be at least 2 * len + 1.  Returns 0, or -1 (out untouched
 * beyond out[0] = '\0' when out_size > 0) if it does not fit.
 */
int	gkey_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size);

/*
 * Decode exactly in_len characters of hex (either case, no prefix, no
 * separators, no whitespace) into out.  Fails (-1) on an odd length, any
 * non-hex character (including NUL) or more than out_size decoded octets.
 * On success *out_len is in_len / 2.  On failure out may hold a partial
 * result; callers decoding secrets must wipe it.
 */
int	gkey_hex_decode(const char *in, size_t in_len, uint8_t *out,
	    size_t out_size, size_t *out_len);

#endif /* GKEY_HEX_H */
