/*
 * utf8.h - strict UTF-8 for names and log text.
 *
 * One decoder serves the application-name rule of Key Records
 * (gkey_record_name_valid) and the module's checks of RADIUS text
 * attributes. No allocation: the caller owns every buffer.
 */
#ifndef GKEY_UTF8_H
#define GKEY_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The length (1..4) of the well-formed UTF-8 sequence that starts s[0..len)
 * and its code point in *cp; 0 when it is none: an empty input, a stray
 * continuation octet, 0xf8..0xff, a truncated sequence, an overlong form,
 * a surrogate or a code point above U+10FFFF.
 */
size_t	gkey_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

/*
 * Is s[0..len) text: well-formed UTF-8 without C0 controls (NUL
 * included) or DEL? The empty string is text.
 */
int	gkey_utf8_text_valid(const uint8_t *s, size_t len);

/* Room gkey_text_escape needs for len octets, the NUL included. */
#define GKEY_TEXT_ESCAPED_SIZE(len)	(4 * (len) + 1)

/*
 * Write s[0..len) as text into out, NUL-terminated: a sequence that
 * gkey_utf8_text_valid accepts is copied, and every other octet (invalid
 * UTF-8, a control, NUL) and every backslash is written as \xNN
 * (lower-case hex), so the original octets can always be told from the
 * result and nothing is cut short. out_size >= GKEY_TEXT_ESCAPED_SIZE(len)
 * always suffices. Returns the number of characters written (without the
 * NUL), or -1 if out_size is too small (out then holds "" when out_size >
 * 0). Returns 0 for len 0.
 */
int	gkey_text_escape(const uint8_t *s, size_t len, char *out,
	    size_t out_size, size_t *out_len);

#endif /* GKEY_UTF8_H */
