/*
 * pushd_core.c - the pure parts of gkey-pushd.  See pushd_core.h and
 * doc/push.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "pushd_core.h"

#define RADIUS_HDR	20
#define ATTR_MA		80
#define CODE_COA_ACK	44
#define CODE_COA_NAK	45

/* Decimal digits s[0..len), no leading zero, 1..max, into *v. */
static int
parse_dec(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t	n = 0;
	size_t		i;

	if (len == 0 || len > 10 || (s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (n < 1 || n > max)
		return -1;
	*v = n;
	return 0;
}

int
pushd_parse_payload(const char *s, size_t len, uint32_t *app,
    uint32_t *epoch)
{
	static const char	 kw[] = "epoch ";
	const char		*sp;
	uint64_t		 a, e;

	if (s == NULL || len <= sizeof(kw) - 1 ||
	    memcmp(s, kw, sizeof(kw) - 1) != 0)
		return 0;
	s += sizeof(kw) - 1;
	len -= sizeof(kw) - 1;
	if ((sp = memchr(s, ' ', len)) == NULL)
		return 0;
	if (parse_dec(s, (size_t)(sp - s), 4294967295ULL, &a) != 0 ||
	    parse_dec(sp + 1, len - (size_t)(sp - s) - 1, 2147483647ULL,
	    &e) != 0)
		return 0;
	*app = (uint32_t)a;
	*epoch = (uint32_t)e;
	return 1;
}

uint32_t
pushd_backoff_ms(uint32_t timeout_ms, unsigned int try)
{
	uint64_t	w = timeout_ms;
	unsigned int	i;

	if (w >= PUSHD_BACKOFF_MAX_MS)
		return timeout_ms;
	for (i = 1; i < try && w < PUSHD_BACKOFF_MAX_MS; i++)
		w *= 2;
	return w > PUSHD_BACKOFF_MAX_MS ? PUSHD_BACKOFF_MAX_MS : (uint32_t)w;
}

uint64_t
pushd_giveup_ms(uint32_t timeout_ms, unsigned int retries)
{
	uint64_t	t = 0;
	unsigned int	i;

	for (i = 1; i <= retries + 1; i++)
		t += pushd_backoff_ms(timeout_ms, i);
	return t;
}

uint64_t
pushd_rate_gap_us(uint32_t rate)
{
	return rate == 0 ? 0 : (1000000 + rate - 1) / rate;
}

uint64_t
pushd_spread_ms(size_t n, uint32_t window_ms, uint32_t rate)
{
	uint64_t	paced;

	if (n == 0)
		return 0;
	paced = ((uint64_t)(n - 1) * pushd_rate_gap_us(rate) + 999) / 1000;
	return paced > window_ms ? paced : window_ms;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void
pushd_jitter(uint64_t *off, size_t n, uint32_t window_ms,
    uint32_t (*rnd)(void))
{
	uint64_t	w = (uint64_t)window_ms * 1000;
	size_t		i;

	for (i = 0; i < n; i++)
		/* A 32-bit value scaled into [0, w): no modulo bias to speak of. */
		off[i] = w == 0 ? 0 : ((uint64_t)rnd() * w) >> 32;
	qsort(off, n, sizeof(off[0]), cmp_u64);
}

int
pushd_gate_take(uint64_t *next_us, uint64_t now_us, uint64_t gap_us)
{
	if (*next_us > now_us)
		return 0;
	/*
	 * Idle for more than a gap: start from now, so that an idle gate
	 * grants no burst; late by less: keep the schedule.
	 */
	if (now_us - *next_us > gap_us)
		*next_us = now_us;
	*next_us += gap_us;
	return 1;
}

enum pushd_outcome
pushd_classify(unsigned int code, uint32_t error_cause)
{
	if (code == CODE_COA_ACK)
		return PUSHD_DELIVERED;
	if (code == CODE_COA_NAK && error_cause == PUSHD_EC_REQUEST_INITIATED)
		return PUSHD_DELIVERED;
	if (code == CODE_COA_NAK && error_cause == PUSHD_EC_SESSION_NOT_FOUND)
		return PUSHD_NOT_THERE;
	return PUSHD_REFUSED;
}

const char *
pushd_cause_name(uint32_t c)
{
	switch (c) {
	case 0:					return "no Error-Cause";
	case PUSHD_EC_UNSUPPORTED_ATTRIBUTE:	return "Unsupported Attribute";
	case PUSHD_EC_MISSING_ATTRIBUTE:	return "Missing Attribute";
	case PUSHD_EC_NAS_ID_MISMATCH:		return "NAS Identification Mismatch";
	case PUSHD_EC_INVALID_REQUEST:		return "Invalid Request";
	case 405:				return "Unsupported Service";
	case 406:				return "Unsupported Extension";
	case 407:				return "Invalid Attribute Value";
	case 501:				return "Administratively Prohibited";
	case 502:				return "Request Not Routable (Proxy)";
	case PUSHD_EC_SESSION_NOT_FOUND:	return "Session Context Not Found";
	case 504:				return "Session Context Not Removable";
	case 505:				return "Other Proxy Processing Error";
	case PUSHD_EC_RESOURCES_UNAVAILABLE:	return "Resources Unavailable";
	case PUSHD_EC_REQUEST_INITIATED:	return "Request Initiated";
	case 508:				return "Multiple Session Selection Unsupported";
	default:				return "unknown";
	}
}

/* The offset of the one Message-Authenticator of pkt, or 0. */
static size_t
ma_offset(const uint8_t *pkt, size_t len)
{
	size_t	off, plen, n = 0, at = 0;

	if (pkt == NULL || len < RADIUS_HDR)
		return 0;
	plen = (size_t)pkt[2] << 8 | pkt[3];
	if (plen < RADIUS_HDR || plen > len)
		return 0;
	for (off = RADIUS_HDR; off < plen; off += pkt[off + 1]) {
		if (plen - off < 2 || pkt[off + 1] < 2 ||
		    pkt[off + 1] > plen - off)
			return 0;
		if (pkt[off] == ATTR_MA) {
			if (pkt[off + 1] != 18)
				return 0;
			at = off;
			n++;
		}
	}
	return n == 1 ? at : 0;
}

int
pushd_has_one_ma(const uint8_t *pkt, size_t len)
{
	return ma_offset(pkt, len) != 0;
}

#define ANSWER_MAX	4096

static int
hmac_is(const uint8_t *msg, size_t len, const char *secret,
    const uint8_t *want)
{
	uint8_t		mac[EVP_MAX_MD_SIZE];
	unsigned int	mlen = 0;

	if (HMAC(EVP_md5(), secret, (int)strlen(secret), msg, len, mac,
	    &mlen) == NULL || mlen != 16)
		return 0;
	return CRYPTO_memcmp(mac, want, 16) == 0;
}

enum pushd_ma_form
pushd_answer_auth(const uint8_t *pkt, size_t len, const uint8_t req_auth[16],
    const char *secret)
{
	uint8_t			 buf[ANSWER_MAX], md[EVP_MAX_MD_SIZE], ma[16];
	unsigned int		 mdlen = 0;
	size_t			 at, plen;
	enum pushd_ma_form	 form = PUSHD_MA_BAD;
	EVP_MD_CTX		*ctx;

	if (secret == NULL || (at = ma_offset(pkt, len)) == 0)
		return PUSHD_MA_BAD;
	plen = (size_t)pkt[2] << 8 | pkt[3];
	if (plen > sizeof(buf))
		return PUSHD_MA_BAD;
	memcpy(buf, pkt, plen);
	/* Response Authenticator: the request's in its place, then secret. */
	memcpy(buf + 4, req_auth, 16);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return PUSHD_MA_BAD;
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, buf, plen) != 1 ||
	    EVP_DigestUpdate(ctx, secret, strlen(secret)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 16 ||
	    CRYPTO_memcmp(md, pkt + 4, 16) != 0) {
		EVP_MD_CTX_free(ctx);
		return PUSHD_MA_BAD;
	}
	EVP_MD_CTX_free(ctx);
	/* Message-Authenticator: its own value zeroed, either vector. */
	memcpy(ma, buf + at + 2, 16);
	memset(buf + at + 2, 0, 16);
	if (hmac_is(buf, plen, secret, ma))
		form = PUSHD_MA_RFC;
	else {
		memset(buf + 4, 0, 16);
		if (hmac_is(buf, plen, secret, ma))
			form = PUSHD_MA_ZERO;
	}
	OPENSSL_cleanse(buf, plen);
	return form;
}

int
pushd_parse_seconds_ms(const char *s, uint32_t max_ms, uint32_t *ms)
{
	uint64_t	v = 0;
	int		frac = -1, digits = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (frac >= 0 || digits == 0)
				return -1;
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		if (frac >= 0 && ++frac > 3)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (++digits > 12)
			return -1;
	}
	if (frac == 0)
		return -1;	/* "2." */
	for (frac = frac < 0 ? 0 : frac; frac < 3; frac++)
		v *= 10;
	if (v > max_ms)
		return -1;
	*ms = (uint32_t)v;
	return 0;
}

void
pushd_epochs_init(struct pushd_epochs *t, struct pushd_app_epoch *store,
    size_t cap)
{
	t->e = store;
	t->n = 0;
	t->cap = cap;
	t->limit = cap > 0 ? UINT32_MAX : 0;
	t->known = 0;
}

/* The index of app in t, or of the first entry above it. */
static size_t
epochs_find(const struct pushd_epochs *t, uint32_t app)
{
	size_t	lo = 0, hi = t->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->e[mid].app < app)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t
pushd_epochs_get(const struct pushd_epochs *t, uint32_t app)
{
	size_t	i = epochs_find(t, app);

	return i < t->n && t->e[i].app == app ? t->e[i].epoch : 0;
}

int
pushd_epochs_note(struct pushd_epochs *t, uint32_t app, uint32_t epoch)
{
	struct pushd_app_epoch	*x;
	size_t			 i = epochs_find(t, app);

	if (i < t->n && t->e[i].app == app) {
		x = &t->e[i];
		if (x->caught != 0 && x->caught == epoch) {
			x->caught = 0;
			return 0;
		}
		x->caught = 0;
		if (epoch > x->epoch)
			x->epoch = epoch;
		return 1;
	}
	if (app > t->limit)
		return 1;
	if (t->n == t->cap) {
		/*
		 * Full: the highest application stops being recorded, so
		 * that everything up to the limit still is.
		 */
		if (i == t->n) {
			t->limit = app - 1;
			return 1;
		}
		t->limit = t->e[t->n - 1].app - 1;
		t->n--;
	}
	memmove(t->e + i + 1, t->e + i, (t->n - i) * sizeof(t->e[0]));
	t->e[i].app = app;
	t->e[i].epoch = epoch;
	t->e[i].caught = 0;
	t->n++;
	return 1;
}

static int
cmp_app(const void *a, const void *b)
{
	uint32_t	x = ((const struct pushd_app_epoch *)a)->app;
	uint32_t	y = ((const struct pushd_app_epoch *)b)->app;

	return x < y ? -1 : x > y;
}

size_t
pushd_epochs_merge(struct pushd_epochs *t, struct pushd_app_epoch *rows,
    size_t n, struct pushd_app_epoch *up)
{
	size_t	i, j = 0, m = 0, k = 0;
	int	behind;

	if (n > 0)
		qsort(rows, n, sizeof(rows[0]), cmp_app);
	/* One row per application, its highest epoch. */
	for (i = 0; i < n; i++) {
		if (m > 0 && rows[m - 1].app == rows[i].app) {
			if (rows[i].epoch > rows[m - 1].epoch)
				rows[m - 1].epoch = rows[i].epoch;
			continue;
		}
		rows[m++] = rows[i];
	}
	for (i = 0; i < m; i++) {
		rows[i].caught = 0;
		while (j < t->n && t->e[j].app < rows[i].app)
			j++;
		if (j < t->n && t->e[j].app == rows[i].app) {
			behind = rows[i].epoch > t->e[j].epoch;
			/*
			 * A notification read before this answer but committed
			 * after its snapshot: the higher epoch stays recorded.
			 */
			if (!behind && t->e[j].epoch > rows[i].epoch)
				rows[i].epoch = t->e[j].epoch;
		} else
			behind = rows[i].app <= t->limit;
		if (behind && t->known) {
			rows[i].caught = rows[i].epoch;
			up[k] = rows[i];
			up[k++].caught = 0;
		}
	}
	t->n = m < t->cap ? m : t->cap;
	if (t->n > 0)
		memcpy(t->e, rows, t->n * sizeof(t->e[0]));
	if (m > t->cap)
		t->limit = t->cap > 0 ? t->e[t->cap - 1].app : 0;
	else
		t->limit = UINT32_MAX;
	t->known = 1;
	return k;
}
