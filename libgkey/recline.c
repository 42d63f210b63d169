/*
 * recline.c - the one-line text form of an opened Key Record.
 */
/* gmtime_r() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "hex.h"
#include "recline.h"

void
gkey_format_time(uint64_t t, char *buf, size_t size)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (size == 0)
		return;
	if ((uint64_t)tt == t && tt >= 0 && gmtime_r(&tt, &tm) != NULL &&
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) != 0)
		return;
	snprintf(buf, size, "%" PRIu64, t);
}

int
gkey_record_line(const struct gkey_record *rec, const uint8_t *gk,
    size_t gk_len, char *out, size_t out_size)
{
	char	gkhex[2 * GKEY_GK_MAX + 1], nb[32], na[32];
	size_t	i;
	int	n, ret = -1;

	if (out_size == 0)
		return -1;
	out[0] = '\0';
	if (rec == NULL || gk == NULL || gk_len > GKEY_GK_MAX ||
	    rec->name == NULL || rec->name_len > GKEY_RECORD_NAME_MAX)
		return -1;
	/* gkey_record_parse() refuses these already; a line must stay one. */
	for (i = 0; i < rec->name_len; i++)
		if (rec->name[i] < 0x20 || rec->name[i] == 0x7f)
			return -1;
	if (gkey_hex_encode(gk, gk_len, gkhex, sizeof(gkhex)) != 0)
		goto done;
	gkey_format_time(rec->not_before, nb, sizeof(nb));
	gkey_format_time(rec->not_after, na, sizeof(na));
	n = snprintf(out, out_size, "app=%.*s id=%" PRIu32 " epoch=%" PRIu32
	    " not_before=%s not_after=%s gk=%s", (int)rec->name_len,
	    (const char *)rec->name, rec->app_id, rec->epoch, nb, na, gkhex);
	if (n < 0 || (size_t)n >= out_size) {
		OPENSSL_cleanse(out, out_size);
		out[0] = '\0';
		goto done;
	}
	ret = 0;
done:
	OPENSSL_cleanse(gkhex, sizeof(gkhex));
	return ret;
}
