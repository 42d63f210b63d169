/*
 * nd_msg.c - parse and build gkey's Router Solicitations and Router
 * Advertisements.  See nd_msg.h for the contract and doc/nd.md for the
 * wire format.
 *
 * Parsing goes the OpenBSD way: check the fixed header, then walk the
 * options with a cursor and the number of octets left, checking each
 * option's Type/Length against what is left, then (for a gkey option) its
 * data length and padding against the option, before reading any of it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "errbuf.h"
#include "nd_msg.h"
#include "bytes.h"

static const char *const nd_errstr[] = {
	[0] = "success",
	[-ND_E_ARG] = "invalid argument",
	[-ND_E_SHORT] = "message shorter than its ICMPv6 header",
	[-ND_E_TYPE] = "not a Router Solicitation or Advertisement",
	[-ND_E_OPT_LEN0] = "option with Length 0",
	[-ND_E_OPT_OVERRUN] = "option overruns the message",
	[-ND_E_DATA_LEN] = "data length beyond the option",
	[-ND_E_PADDING] = "non-zero or non-minimal padding",
	[-ND_E_SIZE] = "option datum has the wrong size",
	[-ND_E_PART] = "bad Part index or count",
	[-ND_E_EMPTY] = "empty Certificate or Key Record",
	[-ND_E_UTF8] = "text is not UTF-8",
	[-ND_E_SIG_NOT_LAST] = "Signature is not the last option",
	[-ND_E_DUP] = "duplicate option",
	[-ND_E_MISSING] = "required option missing",
	[-ND_E_CONFLICT] = "Status together with records or Refresh",
	[-ND_E_TOO_MANY] = "too many Requested Applications",
	[-ND_E_NOSPACE] = "output buffer too small",
	[-ND_E_CRYPTO] = "cryptographic library failure",
	[-ND_E_KEY] = "key is not P-256",
	[-ND_E_BADSIG] = "signature does not verify",
	[-ND_E_CERT] = "certificate refused",
	[-ND_E_VALUE] = "option value out of range",
};

static const char *const gk_name[] = {
	[ND_GK_CERT] = "Certificate",
	[ND_GK_APP] = "Requested Application",
	[ND_GK_RECORD] = "Key Record",
	[ND_GK_REFRESH] = "Refresh",
	[ND_GK_STATUS] = "Status",
	[ND_GK_SIGNATURE] = "Signature",
	[ND_GK_PART] = "Part",
};

const char *
nd_strerror(int code)
{
	const int n = (int)(sizeof(nd_errstr) / sizeof(nd_errstr[0]));

	/* Compare without negating: -INT_MIN would overflow. */
	if (code > 0 || code <= -n || nd_errstr[-code] == NULL)
		return "unknown error";
	return nd_errstr[-code];
}

static const char *
subtype_name(uint8_t st)
{
	if (st < sizeof(gk_name) / sizeof(gk_name[0]) && gk_name[st] != NULL)
		return gk_name[st];
	return "unknown sub-type";
}

int
nd_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (i < len) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1; cp = s[i] & 0x1f; min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2; cp = s[i] & 0x0f; min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3; cp = s[i] & 0x07; min = 0x10000;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

void
nd_opt_iter_init(struct nd_opt_iter *it, const struct nd_msg *m)
{
	it->base = m->buf;
	it->end = m->len;
	it->off = m->hdr_len < m->len ? m->hdr_len : m->len;
}

/*
 * The layout of one option: Type/Length against what is left, and for a
 * gkey option its header, data length and padding against the option.
 * Returns 1 with *o filled, 0 at the end, or an error.
 */
static int
opt_next(struct nd_opt_iter *it, struct nd_opt *o, char *err, size_t errlen)
{
	const uint8_t *p;
	size_t left, i, pad;

	if (it->off >= it->end)
		return 0;
	left = it->end - it->off;
	p = it->base + it->off;
	if (left < 2)
		return gkey_fail(err, errlen, ND_E_OPT_OVERRUN,
		    "option header at offset %zu: %zu octet left, need 2",
		    it->off, left);
	o->type = p[0];
	o->subtype = 0;
	o->offset = it->off;
	o->optlen = (size_t)p[1] * 8;
	if (o->optlen == 0)
		return gkey_fail(err, errlen, ND_E_OPT_LEN0,
		    "option type %u at offset %zu: Length 0", o->type, it->off);
	if (o->optlen > left)
		return gkey_fail(err, errlen, ND_E_OPT_OVERRUN,
		    "option type %u at offset %zu: %zu octets, %zu left",
		    o->type, it->off, o->optlen, left);
	o->data = p + 2;
	o->len = o->optlen - 2;
	if (o->type == ND_OPT_GKEY) {
		/* optlen >= 8 > ND_GKEY_HDR_LEN: the header is there. */
		o->subtype = p[2];
		o->len = gkey_get16(p + 4);
		o->data = p + ND_GKEY_HDR_LEN;
		if (ND_GKEY_HDR_LEN + o->len > o->optlen)
			return gkey_fail(err, errlen, ND_E_DATA_LEN,
			    "gkey %s at offset %zu: data length %zu beyond "
			    "the %zu-octet option", subtype_name(o->subtype),
			    it->off, o->len, o->optlen);
		pad = o->optlen - ND_GKEY_HDR_LEN - o->len;
		if (pad >= 8)
			return gkey_fail(err, errlen, ND_E_PADDING,
			    "gkey %s at offset %zu: %zu octets of padding, "
			    "fewer than 8 expected", subtype_name(o->subtype),
			    it->off, pad);
		for (i = 0; i < pad; i++)
			if (o->data[o->len + i] != 0)
				return gkey_fail(err, errlen, ND_E_PADDING,
				    "gkey %s at offset %zu: padding octet %zu "
				    "is 0x%02x, not zero",
				    subtype_name(o->subtype), it->off, i,
				    o->data[o->len + i]);
	}
	it->off += o->optlen;
	return 1;
}

int
nd_opt_next(struct nd_opt_iter *it, struct nd_opt *o)
{
	int rc = opt_next(it, o, NULL, 0);

	return rc < 0 ? 0 : rc;
}

static int
dup_fail(char *err, size_t errlen, const char *name, size_t off)
{
	return gkey_fail(err, errlen, ND_E_DUP,
	    "%s at offset %zu: appears twice", name, off);
}

static int
parse_std(struct nd_msg *m, const struct nd_opt *o, char *err, size_t errlen)
{
	switch (o->type) {
	case ND_OPT_SLLA:
		if (m->slla == NULL) {
			m->slla = o->data;
			m->slla_len = o->len;
		}
		break;
	case ND_OPT_NONCE:
		if (m->nonce != NULL)
			return dup_fail(err, errlen, "Nonce", o->offset);
		if (o->len < ND_NONCE_MIN)
			return gkey_fail(err, errlen, ND_E_SIZE,
			    "Nonce at offset %zu: %zu octets, at least %d",
			    o->offset, o->len, ND_NONCE_MIN);
		m->nonce = o->data;
		m->nonce_len = o->len;
		break;
	case ND_OPT_TIMESTAMP:
		if (m->has_timestamp)
			return dup_fail(err, errlen, "Timestamp", o->offset);
		if (o->optlen != ND_TIMESTAMP_OPT_LEN)
			return gkey_fail(err, errlen, ND_E_SIZE,
			    "Timestamp at offset %zu: %zu octets, not %d",
			    o->offset, o->optlen, ND_TIMESTAMP_OPT_LEN);
		/* o->data + 0..5: Reserved, ignored (RFC 3971 5.3.1). */
		m->has_timestamp = 1;
		m->timestamp = gkey_get64(o->data + 6);
		break;
	default:
		break;
	}
	return 0;
}

static int
parse_text(const struct nd_opt *o, const uint8_t *s, size_t len,
    char *err, size_t errlen)
{
	if (!nd_utf8_valid(s, len))
		return gkey_fail(err, errlen, ND_E_UTF8,
		    "gkey %s at offset %zu: text is not UTF-8",
		    subtype_name(o->subtype), o->offset);
	return 0;
}

static int
parse_size(const struct nd_opt *o, size_t want, char *err, size_t errlen)
{
	if (o->len != want)
		return gkey_fail(err, errlen, ND_E_SIZE,
		    "gkey %s at offset %zu: %zu octets of data, not %zu",
		    subtype_name(o->subtype), o->offset, o->len, want);
	return 0;
}

/* The sub-types both messages carry. */
static int
parse_gkey_common(struct nd_msg *m, const struct nd_opt *o, char *err,
    size_t errlen)
{
	int rc;

	switch (o->subtype) {
	case ND_GK_CERT:
		if (m->cert != NULL)
			return dup_fail(err, errlen, "gkey Certificate",
			    o->offset);
		if (o->len == 0)
			return gkey_fail(err, errlen, ND_E_EMPTY,
			    "gkey Certificate at offset %zu: empty", o->offset);
		m->cert = o->data;
		m->cert_len = o->len;
		break;
	case ND_GK_SIGNATURE:
		if ((rc = parse_size(o, ND_SIG_LEN, err, errlen)) != 0)
			return rc;
		m->sig = o->data;
		m->sig_offset = o->offset;
		break;
	default:
		break;
	}
	return 0;
}

static int
parse_gkey_rs(struct nd_msg *m, const struct nd_opt *o, char *err,
    size_t errlen)
{
	int rc;

	if (o->subtype != ND_GK_APP)
		return parse_gkey_common(m, o, err, errlen);
	if (o->len == 0 || o->len > ND_APP_MAX)
		return gkey_fail(err, errlen, ND_E_SIZE,
		    "gkey Requested Application at offset %zu: %zu octets, "
		    "need 1..%d", o->offset, o->len, ND_APP_MAX);
	if ((rc = parse_text(o, o->data, o->len, err, errlen)) != 0)
		return rc;
	if (m->n_apps == ND_APPS_MAX)
		return gkey_fail(err, errlen, ND_E_TOO_MANY,
		    "gkey Requested Application at offset %zu: more than %d",
		    o->offset, ND_APPS_MAX);
	m->n_apps++;
	return 0;
}

static int
parse_gkey_ra(struct nd_msg *m, const struct nd_opt *o, char *err,
    size_t errlen)
{
	int rc;

	switch (o->subtype) {
	case ND_GK_RECORD:
		if (o->len == 0)
			return gkey_fail(err, errlen, ND_E_EMPTY,
			    "gkey Key Record at offset %zu: empty", o->offset);
		m->n_records++;
		break;
	case ND_GK_REFRESH:
		if (m->has_refresh)
			return dup_fail(err, errlen, "gkey Refresh", o->offset);
		if ((rc = parse_size(o, 4, err, errlen)) != 0)
			return rc;
		m->refresh = gkey_get32(o->data);
		if (m->refresh == 0)
			return gkey_fail(err, errlen, ND_E_VALUE,
			    "gkey Refresh at offset %zu: 0 seconds", o->offset);
		m->has_refresh = 1;
		break;
	case ND_GK_STATUS:
		if (m->has_status)
			return dup_fail(err, errlen, "gkey Status", o->offset);
		if (o->len < 1)
			return gkey_fail(err, errlen, ND_E_SIZE,
			    "gkey Status at offset %zu: no code", o->offset);
		if (o->data[0] == 0)
			return gkey_fail(err, errlen, ND_E_VALUE,
			    "gkey Status at offset %zu: code 0", o->offset);
		if ((rc = parse_text(o, o->data + 1, o->len - 1, err,
		    errlen)) != 0)
			return rc;
		m->has_status = 1;
		m->status = o->data[0];
		m->reason = o->data + 1;
		m->reason_len = o->len - 1;
		break;
	case ND_GK_PART:
		if (m->has_part)
			return dup_fail(err, errlen, "gkey Part", o->offset);
		if ((rc = parse_size(o, 2, err, errlen)) != 0)
			return rc;
		if (o->data[0] == 0 || o->data[1] == 0 ||
		    o->data[0] > o->data[1])
			return gkey_fail(err, errlen, ND_E_PART,
			    "gkey Part at offset %zu: index %u of count %u",
			    o->offset, o->data[0], o->data[1]);
		m->has_part = 1;
		m->part_index = o->data[0];
		m->part_count = o->data[1];
		break;
	default:
		return parse_gkey_common(m, o, err, errlen);
	}
	return 0;
}

static int
parse_header(const uint8_t *buf, size_t len, struct nd_msg *m, char *err,
    size_t errlen)
{
	if (buf[0] != ND_TYPE_RS && buf[0] != ND_TYPE_RA)
		return gkey_fail(err, errlen, ND_E_TYPE, "ICMPv6 type %u",
		    buf[0]);
	if (buf[1] != 0)
		return gkey_fail(err, errlen, ND_E_TYPE,
		    "ICMPv6 code %u, not 0", buf[1]);
	m->type = buf[0];
	m->hdr_len = m->type == ND_TYPE_RS ? ND_RS_HDR_LEN : ND_RA_HDR_LEN;
	if (len < m->hdr_len)
		return gkey_fail(err, errlen, ND_E_SHORT,
		    "%zu octets, shorter than the %zu-octet header", len,
		    m->hdr_len);
	if (m->type == ND_TYPE_RA) {
		m->cur_hop_limit = buf[4];
		m->ra_flags = buf[5];
		m->router_lifetime = gkey_get16(buf + 6);
		m->reachable_time = gkey_get32(buf + 8);
		m->retrans_timer = gkey_get32(buf + 12);
	}
	return 0;
}

int
nd_msg_parse(const uint8_t *buf, size_t len, struct nd_msg *m, char *err,
    size_t errlen)
{
	struct nd_opt_iter it;
	struct nd_opt o;
	int rc;

	if (m == NULL)
		return gkey_fail(err, errlen, ND_E_ARG, "no result");
	memset(m, 0, sizeof(*m));
	if (buf == NULL)
		return gkey_fail(err, errlen, ND_E_ARG, "no message");
	if (len < 4)
		return gkey_fail(err, errlen, ND_E_SHORT,
		    "%zu octets, shorter than an ICMPv6 header", len);
	if ((rc = parse_header(buf, len, m, err, errlen)) != 0)
		return rc;
	m->buf = buf;
	m->len = len;
	nd_opt_iter_init(&it, m);
	for (;;) {
		if (m->sig != NULL && it.off < it.end)
			return gkey_fail(err, errlen, ND_E_SIG_NOT_LAST,
			    "option at offset %zu follows the Signature at "
			    "offset %zu", it.off, m->sig_offset);
		if ((rc = opt_next(&it, &o, err, errlen)) <= 0)
			break;
		if (o.type != ND_OPT_GKEY)
			rc = parse_std(m, &o, err, errlen);
		else {
			m->has_gkey = 1;
			rc = m->type == ND_TYPE_RS ?
			    parse_gkey_rs(m, &o, err, errlen) :
			    parse_gkey_ra(m, &o, err, errlen);
		}
		if (rc != 0)
			break;
	}
	if (rc < 0)
		return rc;
	if (m->has_status && (m->n_records > 0 || m->has_refresh))
		return gkey_fail(err, errlen, ND_E_CONFLICT,
		    "Status %u with %u Key Records%s", m->status,
		    m->n_records, m->has_refresh ? " and a Refresh" : "");
	return 0;
}

int
nd_msg_require(const struct nd_msg *m, char *err, size_t errlen)
{
	const char *missing = NULL;

	if (m->type == ND_TYPE_RS && m->nonce == NULL)
		missing = "Nonce";
	else if (!m->has_timestamp)
		missing = "Timestamp";
	else if (m->cert == NULL)
		missing = "gkey Certificate";
	else if (m->sig == NULL)
		missing = "gkey Signature";
	else if (m->type == ND_TYPE_RA && !m->has_part)
		missing = "gkey Part";
	else if (m->type == ND_TYPE_RA && !m->has_status &&
	    m->n_records == 0)
		missing = "gkey Key Record or Status";
	else if (m->type == ND_TYPE_RA && !m->has_status && !m->has_refresh)
		missing = "gkey Refresh";
	if (missing != NULL)
		return gkey_fail(err, errlen, ND_E_MISSING, "no %s", missing);
	if (m->has_status && (m->part_index != 1 || m->part_count != 1))
		return gkey_fail(err, errlen, ND_E_CONFLICT,
		    "Status in Part %u of %u, not 1 of 1", m->part_index,
		    m->part_count);
	return 0;
}

/* ------------------------------------------------------------ building */

static size_t
build_limit(const struct nd_builder *b)
{
	return b->size < ND_MSG_MAX ? b->size : ND_MSG_MAX;
}

size_t
nd_build_room(const struct nd_builder *b)
{
	size_t lim = build_limit(b);

	return b->error != 0 || b->len > lim ? 0 : lim - b->len;
}

size_t
nd_gkey_opt_size(size_t len)
{
	return (ND_GKEY_HDR_LEN + len + 7) & ~(size_t)7;
}

static int
build_start(struct nd_builder *b, uint8_t *buf, size_t size, size_t hlen)
{
	b->buf = buf;
	b->size = size;
	b->len = 0;
	b->error = 0;
	if (buf == NULL)
		return b->error = ND_E_ARG;
	if (build_limit(b) < hlen)
		return b->error = ND_E_NOSPACE;
	memset(buf, 0, hlen);
	b->len = hlen;
	return 0;
}

int
nd_build_rs(struct nd_builder *b, uint8_t *buf, size_t size)
{
	int rc;

	if ((rc = build_start(b, buf, size, ND_RS_HDR_LEN)) != 0)
		return rc;
	buf[0] = ND_TYPE_RS;
	return 0;
}

int
nd_build_ra(struct nd_builder *b, uint8_t *buf, size_t size,
    const struct nd_ra_hdr *h)
{
	int rc;

	if (h == NULL)
		return b->error = ND_E_ARG;
	if ((rc = build_start(b, buf, size, ND_RA_HDR_LEN)) != 0)
		return rc;
	buf[0] = ND_TYPE_RA;
	buf[4] = h->cur_hop_limit;
	buf[5] = h->flags;
	gkey_put16(buf + 6, h->router_lifetime);
	gkey_put32(buf + 8, h->reachable_time);
	gkey_put32(buf + 12, h->retrans_timer);
	return 0;
}

/* Reserve total octets, zeroed; NULL (and a sticky error) if no room. */
static uint8_t *
build_reserve(struct nd_builder *b, size_t total)
{
	uint8_t *p;

	if (b->error != 0)
		return NULL;
	if (total > nd_build_room(b)) {
		b->error = ND_E_NOSPACE;
		return NULL;
	}
	p = b->buf + b->len;
	memset(p, 0, total);
	b->len += total;
	return p;
}

int
nd_build_opt(struct nd_builder *b, uint8_t type, const uint8_t *body,
    size_t len)
{
	size_t total = (2 + len + 7) & ~(size_t)7;
	uint8_t *p;

	if (b->error != 0)
		return b->error;
	if ((body == NULL && len > 0) || total / 8 > 255)
		return b->error = ND_E_ARG;
	if ((p = build_reserve(b, total)) == NULL)
		return b->error;
	p[0] = type;
	p[1] = (uint8_t)(total / 8);
	if (len > 0)
		memcpy(p + 2, body, len);
	return 0;
}

int
nd_build_nonce(struct nd_builder *b, const uint8_t *nonce, size_t len)
{
	if (b->error != 0)
		return b->error;
	/* 6, 14, 22, ...: the option is then a multiple of 8 unpadded. */
	if (len < ND_NONCE_MIN || (len + 2) % 8 != 0)
		return b->error = ND_E_ARG;
	return nd_build_opt(b, ND_OPT_NONCE, nonce, len);
}

int
nd_build_timestamp(struct nd_builder *b, uint64_t ts)
{
	uint8_t body[14];

	memset(body, 0, 6);
	gkey_put64(body + 6, ts);
	return nd_build_opt(b, ND_OPT_TIMESTAMP, body, sizeof(body));
}

int
nd_build_gkey(struct nd_builder *b, uint8_t subtype, const uint8_t *data,
    size_t len)
{
	size_t total;
	uint8_t *p;

	if (b->error != 0)
		return b->error;
	if ((data == NULL && len > 0) || len > 0xffff)
		return b->error = ND_E_ARG;
	total = nd_gkey_opt_size(len);
	if (total / 8 > 255)
		return b->error = ND_E_ARG;
	if ((p = build_reserve(b, total)) == NULL)
		return b->error;
	p[0] = ND_OPT_GKEY;
	p[1] = (uint8_t)(total / 8);
	p[2] = subtype;
	gkey_put16(p + 4, (uint16_t)len);
	if (len > 0)
		memcpy(p + ND_GKEY_HDR_LEN, data, len);
	return 0;
}

int
nd_build_refresh(struct nd_builder *b, uint32_t seconds)
{
	uint8_t v[4];

	gkey_put32(v, seconds);
	return nd_build_gkey(b, ND_GK_REFRESH, v, sizeof(v));
}

int
nd_build_status(struct nd_builder *b, uint8_t code, const char *reason)
{
	uint8_t v[1 + ND_REASON_MAX];
	size_t n = reason != NULL ? strlen(reason) : 0;

	if (b->error != 0)
		return b->error;
	/* Cut an over-long reason at a UTF-8 character boundary. */
	if (n > ND_REASON_MAX) {
		n = ND_REASON_MAX;
		while (n > 0 && ((uint8_t)reason[n] & 0xc0) == 0x80)
			n--;
	}
	if (code == 0 || !nd_utf8_valid((const uint8_t *)reason, n))
		return b->error = ND_E_ARG;
	v[0] = code;
	if (n > 0)
		memcpy(v + 1, reason, n);
	return nd_build_gkey(b, ND_GK_STATUS, v, 1 + n);
}

int
nd_build_part(struct nd_builder *b, uint8_t index, uint8_t count)
{
	uint8_t v[2];

	if (b->error != 0)
		return b->error;
	if (index == 0 || count == 0 || index > count)
		return b->error = ND_E_ARG;
	v[0] = index;
	v[1] = count;
	return nd_build_gkey(b, ND_GK_PART, v, sizeof(v));
}

/* ------------------------------------------------------------ time */

uint64_t
nd_timestamp(uint64_t sec, uint32_t nsec)
{
	uint64_t frac = ((uint64_t)nsec << 16) / 1000000000u;

	return (sec & 0xffffffffffffULL) << 16 | (frac & 0xffff);
}

uint64_t
nd_timestamp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return nd_timestamp((uint64_t)ts.tv_sec, (uint32_t)ts.tv_nsec);
}

uint64_t
nd_timestamp_diff(uint64_t a, uint64_t b)
{
	uint64_t d = a > b ? a - b : b - a;

	return (d >> 16) + ((d & 0xffff) != 0);
}
