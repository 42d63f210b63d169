/*
 * hex.c - strict hexadecimal encoding and decoding.
 */
#include "hex.h"

static const char hexdigits[] = "0123456789abcdef";

/* Value of one hex digit, or -1.  No locale: isxdigit() is not used. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
gkey_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	size_t	i;

	if (out == NULL || out_size == 0)
		return -1;
	out[0] = '\0';
	if (in == NULL && len != 0)
		return -1;
	/* 2 * len + 1 <= out_size, written so that it cannot overflow. */
	if (len > (out_size - 1) / 2)
		return -1;

	for (i = 0; i < len; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return 0;
}

int
gkey_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t out_size,
    size_t *out_len)
{
	size_t	i;
	int	hi, lo;

	if (out_len != NULL)
		*out_len = 0;
	if (in == NULL || out_len == NULL || (out == NULL && out_size != 0))
		return -1;
	if (in_len % 2 != 0 || in_len / 2 > out_size)
		return -1;

	for (i = 0; i < in_len / 2; i++) {
		hi = hexval(in[2 * i]);
		lo = hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)((hi << 4) | lo);
	}
	*out_len = in_len / 2;
	return 0;
}
