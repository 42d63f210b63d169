/*
 * utf8.c - strict UTF-8 for names and log text.
 */
#include <string.h>

#include "utf8.h"

size_t
gkey_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
	size_t		n, k;
	uint32_t	c, min;

	if (s == NULL || len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 1;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 2;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 3;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;	/* continuation or 0xf8..0xff */
	if (n > len - 1)
		return 0;	/* truncated sequence */
	for (k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;	/* overlong, too large, surrogate */
	*cp = c;
	return n + 1;
}

/* One text character at s: its length, or 0 (invalid, control, DEL). */
static size_t
text_char(const uint8_t *s, size_t len)
{
	uint32_t	cp;
	size_t		n;

	n = gkey_utf8_decode(s, len, &cp);
	/* C0 controls and DEL would break logs and output. */
	if (n == 0 || cp < 0x20 || cp == 0x7f)
		return 0;
	return n;
}

int
gkey_utf8_text_valid(const uint8_t *s, size_t len)
{
	size_t	i = 0, n;

	if (s == NULL)
		return len == 0;
	while (i < len) {
		n = text_char(s + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
gkey_text_escape(const uint8_t *s, size_t len, char *out, size_t out_size,
    size_t *out_len)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i = 0, o = 0, n;

	if (out_len != NULL)
		*out_len = 0;
	if (out == NULL || out_size == 0 || (s == NULL && len > 0))
		return -1;
	while (i < len) {
		n = text_char(s + i, len - i);
		if (n == 0 || s[i] == '\\') {
			if (out_size - o < 5)
				goto toosmall;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 0x0f];
			i++;
			continue;
		}
		if (out_size - o < n + 1)
			goto toosmall;
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	if (out_len != NULL)
		*out_len = o;
	return 0;

toosmall:
	out[0] = '\0';
	return -1;
}
