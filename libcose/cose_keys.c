/*
 * cose_keys.c - the GKs a sender or receiver holds, read from key lines
 * (libgkey/recline.h): the file gkey-noded keeps, or what pana-pac and
 * gkey-unwrap print.
 */
/* timegm() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cose.h"
#include "hex.h"

#define LINE_MAX_LEN	512

/* A decimal number without sign or leading junk, up to max. */
static int
parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) or plain seconds, as gkey_format_time(). */
static int
parse_time(const char *s, size_t len, uint64_t *out)
{
	char		buf[24];
	struct tm	tm;
	const char	*end;
	time_t		t;

	if (parse_uint(s, len, UINT64_MAX, out) == 0)
		return 0;
	if (len != 20)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(&tm, 0, sizeof(tm));
	end = strptime(buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0' || (t = timegm(&tm)) == (time_t)-1 ||
	    t < 0)
		return -1;
	*out = (uint64_t)t;
	return 0;
}

/*
 * The value of "name=" at field[0..len), or NULL.  Fields after the
 * application name hold no space, so the line is cut from the right.
 */
static const char *
field(const char *f, size_t len, const char *name, size_t *vlen)
{
	size_t	n = strlen(name);

	if (len < n || memcmp(f, name, n) != 0)
		return NULL;
	*vlen = len - n;
	return f + n;
}

int
gkey_cose_key_parse(const char *line, size_t len, struct gkey_cose_key *key)
{
	static const char *const names[5] = { " id=", " epoch=",
	    " not_before=", " not_after=", " gk=" };
	const char	*start[5], *v, *end = line + len;
	size_t		 vlen, flen, i;
	uint64_t	 n;
	int		 k;

	memset(key, 0, sizeof(*key));
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		end = line + --len;
	/* The last five spaces start the five fields after the name. */
	v = end;
	for (k = 4; k >= 0; k--) {
		while (v > line && v[-1] != ' ')
			v--;
		if (v == line)
			return -1;
		start[k] = --v;
	}
	if ((size_t)(start[0] - line) < 4 || memcmp(line, "app=", 4) != 0 ||
	    (size_t)(start[0] - line) - 4 > GKEY_COSE_APP_MAX ||
	    start[0] - line == 4)
		return -1;
	for (i = 4; line + i < start[0]; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			return -1;
	memcpy(key->app, line + 4, (size_t)(start[0] - line) - 4);
	for (k = 0; k < 5; k++) {
		flen = (size_t)((k < 4 ? start[k + 1] : end) - start[k]);
		if ((v = field(start[k], flen, names[k], &vlen)) == NULL)
			goto fail;
		switch (k) {
		case 0:
		case 1:
			if (parse_uint(v, vlen, UINT32_MAX, &n) != 0)
				goto fail;
			if (k == 0)
				key->app_id = (uint32_t)n;
			else
				key->epoch = (uint32_t)n;
			break;
		case 2:
		case 3:
			if (parse_time(v, vlen, k == 2 ? &key->not_before :
			    &key->not_after) != 0)
				goto fail;
			break;
		case 4:
			if ((vlen != 32 && vlen != 64) ||
			    gkey_hex_decode(v, vlen, key->gk, sizeof(key->gk),
			    &key->gk_len) != 0)
				goto fail;
			break;
		}
	}
	return 0;
fail:
	OPENSSL_cleanse(key, sizeof(*key));
	return -1;
}

int
gkey_cose_keys_load(const char *path, struct gkey_cose_keys *keys,
    size_t *bad)
{
	char			 line[LINE_MAX_LEN];
	struct gkey_cose_key	 k;
	FILE			*fp;
	size_t			 len;
	int			 ret = -1, e;

	gkey_cose_keys_clear(keys);
	if (bad != NULL)
		*bad = 0;
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		len = strlen(line);
		if (len == 0 || line[0] == '\n' || line[0] == '#')
			continue;
		if (keys->n < GKEY_COSE_KEYS_MAX &&
		    gkey_cose_key_parse(line, len, &k) == 0) {
			keys->key[keys->n++] = k;
		} else if (bad != NULL) {
			(*bad)++;
		}
	}
	ret = ferror(fp) ? -1 : 0;
	e = errno;
	OPENSSL_cleanse(line, sizeof(line));
	OPENSSL_cleanse(&k, sizeof(k));
	fclose(fp);
	if (ret != 0) {
		gkey_cose_keys_clear(keys);
		errno = e;
	}
	return ret;
}

const struct gkey_cose_key *
gkey_cose_keys_current(const struct gkey_cose_keys *keys, const char *app,
    uint64_t now)
{
	const struct gkey_cose_key	*best = NULL;
	size_t				 i;

	for (i = 0; i < keys->n; i++) {
		const struct gkey_cose_key *k = &keys->key[i];

		if (strcmp(k->app, app) != 0 || now < k->not_before ||
		    now > k->not_after)
			continue;
		if (best == NULL || k->epoch > best->epoch)
			best = k;
	}
	return best;
}

void
gkey_cose_keys_clear(struct gkey_cose_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
}
