/*
 * recline.h - the one-line text form of an opened Key Record, shared by
 * gkey-unwrap and pana-pac so that both print exactly the same thing:
 *
 *   app=NAME id=N epoch=N not_before=YYYY-MM-DDTHH:MM:SSZ
 *   not_after=YYYY-MM-DDTHH:MM:SSZ gk=HEX
 *
 * (one line, no trailing newline).  A time that does not fit a struct tm
 * is printed as the plain number of seconds.
 *
 * The line holds the group key: the caller owns out and must wipe it with
 * OPENSSL_cleanse() once written.  Never pass it to a log function.
 */
#ifndef GKEY_RECLINE_H
#define GKEY_RECLINE_H

#include <stddef.h>
#include <stdint.h>

#include "keyrecord.h"

/* Large enough for any record: 64-octet name, 32-octet GK. */
#define GKEY_RECORD_LINE_MAX	256

/* ISO 8601 UTC ("2025-01-31T12:00:00Z") or the number of seconds. */
void	gkey_format_time(uint64_t t, char *buf, size_t size);

/*
 * Format rec (as parsed by gkey_record_open()) and gk[0..gk_len) into
 * out.  Returns 0, or -1 if out_size is too small, gk_len exceeds
 * GKEY_GK_MAX or the name holds a control character (out is then empty
 * and holds nothing secret).
 */
int	gkey_record_line(const struct gkey_record *rec, const uint8_t *gk,
	    size_t gk_len, char *out, size_t out_size);

#endif /* GKEY_RECLINE_H */
