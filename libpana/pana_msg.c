/*
 * pana_msg.c - parse and build PANA (RFC 5191) and PANA relay (RFC 6345)
 * messages.  See pana_msg.h for the contract.
 *
 * Parsing goes the OpenBSD way: check the fixed header, then the declared
 * length against what was received, then walk the AVPs with a cursor and
 * the number of octets left, checking each AVP header and then its value
 * and padding against what is left before reading any of it.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "pana_msg.h"
#include "bytes.h"
#include "errbuf.h"

static const char *const pana_errstr[] = {
	[0] = "success",
	[-PANA_E_ARG] = "invalid argument",
	[-PANA_E_SHORT] = "message shorter than the PANA header",
	[-PANA_E_LENGTH] = "message length does not match the datagram",
	[-PANA_E_RESERVED] = "reserved header field is not zero",
	[-PANA_E_TYPE] = "unknown message type",
	[-PANA_E_AVP_TRUNC] = "truncated AVP header",
	[-PANA_E_AVP_OVERRUN] = "AVP overruns the message",
	[-PANA_E_AVP_UNKNOWN] = "unknown AVP",
	[-PANA_E_AVP_DUP] = "duplicate AVP",
	[-PANA_E_AVP_VALUE] = "AVP value has the wrong size",
	[-PANA_E_MISSING] = "required AVP missing",
	[-PANA_E_NOSPACE] = "output buffer too small",
	[-PANA_E_TOOBIG] = "message would exceed 65535 octets",
	[-PANA_E_ADDR] = "unsupported address family",
	[-PANA_E_RELAY] = "bad PANA-Relay message",
	[-PANA_E_CRYPTO] = "cryptographic library failure",
	[-PANA_E_ALG] = "unsupported algorithm",
	[-PANA_E_AUTH] = "AUTH AVP does not verify",
};

const char *
pana_strerror(int code)
{
	const int n = (int)(sizeof(pana_errstr) / sizeof(pana_errstr[0]));

	/* Compare without negating: -INT_MIN would overflow. */
	if (code > 0 || code <= -n || pana_errstr[-code] == NULL)
		return "unknown error";
	return pana_errstr[-code];
}

int
pana_hdr_parse(const uint8_t *buf, size_t len, struct pana_hdr *hdr,
    char *err, size_t errlen)
{
	struct pana_hdr h;

	if (buf == NULL)
		return gkey_fail(err, errlen, PANA_E_ARG, "no message");
	if (len < PANA_HDR_LEN)
		return gkey_fail(err, errlen, PANA_E_SHORT,
		    "%zu octets, shorter than the %d-octet PANA header",
		    len, PANA_HDR_LEN);
	h.length = gkey_get16(buf + 2);
	if (h.length != len)
		return gkey_fail(err, errlen, PANA_E_LENGTH,
		    "header length %u but %zu octets received", h.length, len);
	/*
	 * RFC 5191 asks receivers to ignore Reserved, but a non-zero value
	 * here is what a pre-RFC draft (which had a version octet) or a
	 * non-PANA datagram on port 716 looks like: drop it.
	 */
	if (gkey_get16(buf) != 0)
		return gkey_fail(err, errlen, PANA_E_RESERVED,
		    "reserved field 0x%04x is not zero", gkey_get16(buf));
	h.flags = gkey_get16(buf + 4);
	h.type = gkey_get16(buf + 6);
	if (h.type == 0 || h.type > PANA_MSG_TYPE_MAX)
		return gkey_fail(err, errlen, PANA_E_TYPE,
		    "unknown message type %u", h.type);
	h.session_id = gkey_get32(buf + 8);
	h.seq = gkey_get32(buf + 12);
	if (hdr != NULL)
		*hdr = h;
	return 0;
}

void
pana_avp_iter_init(struct pana_avp_iter *it, const uint8_t *buf, size_t len)
{
	it->base = buf;
	it->end = len;
	it->off = len < PANA_HDR_LEN ? len : PANA_HDR_LEN;
}

int
pana_avp_next(struct pana_avp_iter *it, struct pana_avp *a, char *err,
    size_t errlen)
{
	const uint8_t *p;
	size_t left, hlen, need;

	if (it->off >= it->end)
		return 0;
	left = it->end - it->off;
	p = it->base + it->off;

	if (left < PANA_AVP_HDR_LEN)
		return gkey_fail(err, errlen, PANA_E_AVP_TRUNC,
		    "AVP header at offset %zu: %zu octets left, need %d",
		    it->off, left, PANA_AVP_HDR_LEN);
	a->code = gkey_get16(p);
	a->flags = gkey_get16(p + 2);
	a->len = gkey_get16(p + 4);
	/* p + 6: Reserved, ignored by the receiver (RFC 5191 6.3). */
	hlen = PANA_AVP_HDR_LEN;
	a->vendor_id = 0;
	if (a->flags & PANA_AVP_FLAG_V) {
		if (left < PANA_AVP_VHDR_LEN)
			return gkey_fail(err, errlen, PANA_E_AVP_TRUNC,
			    "vendor AVP header at offset %zu: %zu octets "
			    "left, need %d", it->off, left, PANA_AVP_VHDR_LEN);
		a->vendor_id = gkey_get32(p + 8);
		hlen = PANA_AVP_VHDR_LEN;
	}
	/* Both terms are at most 65535 + 12 + 3: no overflow. */
	need = hlen + (size_t)a->len + PANA_PAD((size_t)a->len);
	if (need > left)
		return gkey_fail(err, errlen, PANA_E_AVP_OVERRUN,
		    "AVP code %u at offset %zu: value length %u plus padding "
		    "needs %zu octets, %zu left", a->code, it->off, a->len,
		    need, left);
	a->offset = it->off;
	a->value_offset = it->off + hlen;
	a->value = p + hlen;
	it->off += need;
	return 1;
}

/* Check a known non-vendor AVP's value size against its type. */
static int
avp_check_value(const struct pana_avp *a, char *err, size_t errlen)
{
	switch (a->code) {
	case PANA_AVP_INTEGRITY_ALG:
	case PANA_AVP_KEY_ID:
	case PANA_AVP_PRF_ALG:
	case PANA_AVP_RESULT_CODE:
	case PANA_AVP_SESSION_LIFETIME:
	case PANA_AVP_TERM_CAUSE:
		if (a->len != 4)
			return gkey_fail(err, errlen, PANA_E_AVP_VALUE,
			    "AVP code %u at offset %zu: %u-octet value, "
			    "expected 4", a->code, a->offset, a->len);
		break;
	case PANA_AVP_PAC_INFO:
		if (a->len != 4 + 2 && a->len != 16 + 2)
			return gkey_fail(err, errlen, PANA_E_AVP_VALUE,
			    "PaC-Information at offset %zu: %u-octet value, "
			    "expected 6 or 18", a->offset, a->len);
		break;
	case PANA_AVP_RELAYED_MSG:
		if (a->len < PANA_HDR_LEN)
			return gkey_fail(err, errlen, PANA_E_AVP_VALUE,
			    "Relayed-Message at offset %zu: %u octets, "
			    "shorter than a PANA header", a->offset, a->len);
		break;
	default:
		break;
	}
	return 0;
}

int
pana_msg_parse(const uint8_t *buf, size_t len, uint32_t vendor_id,
    struct pana_msg *m, char *err, size_t errlen)
{
	struct pana_avp_iter it;
	struct pana_avp a;
	int rc;

	if (m == NULL)
		return gkey_fail(err, errlen, PANA_E_ARG,
		    "no output structure");
	memset(m, 0, sizeof(*m));
	if ((rc = pana_hdr_parse(buf, len, &m->hdr, err, errlen)) != 0)
		return rc;
	m->buf = buf;
	m->len = len;
	m->vendor_id = vendor_id;

	pana_avp_iter_init(&it, buf, len);
	while ((rc = pana_avp_next(&it, &a, err, errlen)) == 1) {
		if (a.flags & PANA_AVP_FLAG_V) {
			/* Other vendors' AVPs are skipped, ours counted. */
			if (a.vendor_id == vendor_id &&
			    a.code == GKEY_AVP_KEY_RECORD)
				m->n_key_records++;
			continue;
		}
		if (a.code == 0 || a.code > PANA_AVP_CODE_MAX)
			return gkey_fail(err, errlen, PANA_E_AVP_UNKNOWN,
			    "AVP code %u at offset %zu: unknown AVP", a.code,
			    a.offset);
		if ((rc = avp_check_value(&a, err, errlen)) != 0)
			return rc;
		if (m->count[a.code] > 0 && a.code != PANA_AVP_PRF_ALG &&
		    a.code != PANA_AVP_INTEGRITY_ALG)
			return gkey_fail(err, errlen, PANA_E_AVP_DUP,
			    "AVP code %u at offset %zu: duplicate of the one "
			    "at offset %zu", a.code, a.offset,
			    m->avp[a.code].offset);
		if (m->count[a.code]++ == 0)
			m->avp[a.code] = a;
	}
	if (rc < 0)
		return rc;
	return 0;
}

const struct pana_avp *
pana_msg_avp(const struct pana_msg *m, uint16_t code)
{
	if (m == NULL || code == 0 || code > PANA_AVP_CODE_MAX ||
	    m->count[code] == 0)
		return NULL;
	return &m->avp[code];
}

int
pana_avp_u32(const struct pana_avp *a, uint32_t *v)
{
	if (a == NULL || a->value == NULL || a->len != 4 || v == NULL)
		return PANA_E_AVP_VALUE;
	*v = gkey_get32(a->value);
	return 0;
}

int
pana_key_record_next(const struct pana_msg *m, struct pana_avp_iter *it,
    const uint8_t **rec, size_t *len)
{
	struct pana_avp a;

	while (pana_avp_next(it, &a, NULL, 0) == 1) {
		if ((a.flags & PANA_AVP_FLAG_V) == 0 ||
		    a.vendor_id != m->vendor_id ||
		    a.code != GKEY_AVP_KEY_RECORD)
			continue;
		*rec = a.value;
		*len = a.len;
		return 1;
	}
	return 0;
}

int
pana_msg_find_auth(const uint8_t *buf, size_t len, size_t *value_off,
    size_t *value_len)
{
	struct pana_avp_iter it;
	struct pana_avp a;
	int rc, found = 0;

	if ((rc = pana_hdr_parse(buf, len, NULL, NULL, 0)) != 0)
		return rc;
	pana_avp_iter_init(&it, buf, len);
	while ((rc = pana_avp_next(&it, &a, NULL, 0)) == 1) {
		if ((a.flags & PANA_AVP_FLAG_V) || a.code != PANA_AVP_AUTH)
			continue;
		if (found)
			return PANA_E_AVP_DUP;
		found = 1;
		if (value_off != NULL)
			*value_off = a.value_offset;
		if (value_len != NULL)
			*value_len = a.len;
	}
	if (rc < 0)
		return rc;
	return found ? 0 : PANA_E_MISSING;
}

/*
 * Builder.
 */

static int
build_fail(struct pana_builder *b, int code)
{
	if (b->error == 0)
		b->error = code;
	return b->error;
}

int
pana_build_start(struct pana_builder *b, uint8_t *buf, size_t size,
    uint16_t type, uint16_t flags, uint32_t session_id, uint32_t seq)
{
	if (b == NULL)
		return PANA_E_ARG;
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->size = size;
	if (buf == NULL || type == 0 || type > PANA_MSG_TYPE_MAX ||
	    (flags & PANA_FLAG_RESERVED) != 0)
		return build_fail(b, PANA_E_ARG);
	if (size < PANA_HDR_LEN)
		return build_fail(b, PANA_E_NOSPACE);
	gkey_put16(buf, 0);
	gkey_put16(buf + 2, PANA_HDR_LEN);
	gkey_put16(buf + 4, flags);
	gkey_put16(buf + 6, type);
	gkey_put32(buf + 8, session_id);
	gkey_put32(buf + 12, seq);
	b->len = PANA_HDR_LEN;
	return 0;
}

/* Append one AVP; value may be NULL to write len zero octets. */
static int
build_avp(struct pana_builder *b, uint16_t code, uint16_t flags,
    uint32_t vendor_id, const void *value, size_t len)
{
	size_t hlen, need;
	uint8_t *p;

	if (b == NULL)
		return PANA_E_ARG;
	if (b->error != 0)
		return b->error;
	if (len > 0xffff || (value == NULL && len > 0 && code != PANA_AVP_AUTH))
		return build_fail(b, PANA_E_ARG);
	hlen = (flags & PANA_AVP_FLAG_V) ? PANA_AVP_VHDR_LEN : PANA_AVP_HDR_LEN;
	need = hlen + len + PANA_PAD(len);
	if (need > PANA_MSG_MAX - b->len)
		return build_fail(b, PANA_E_TOOBIG);
	if (need > b->size - b->len)
		return build_fail(b, PANA_E_NOSPACE);

	p = b->buf + b->len;
	gkey_put16(p, code);
	gkey_put16(p + 2, flags);
	gkey_put16(p + 4, (uint16_t)len);
	gkey_put16(p + 6, 0);
	if (flags & PANA_AVP_FLAG_V)
		gkey_put32(p + 8, vendor_id);
	if (value != NULL)
		memcpy(p + hlen, value, len);
	else
		memset(p + hlen, 0, len);
	memset(p + hlen + len, 0, PANA_PAD(len));
	b->len += need;
	return 0;
}

int
pana_build_avp(struct pana_builder *b, uint16_t code, const void *value,
    size_t len)
{
	if (b != NULL && code == 0)
		return build_fail(b, PANA_E_ARG);
	return build_avp(b, code, 0, 0, value, len);
}

int
pana_build_avp_u32(struct pana_builder *b, uint16_t code, uint32_t v)
{
	uint8_t val[4];

	gkey_put32(val, v);
	return pana_build_avp(b, code, val, sizeof(val));
}

int
pana_build_vendor_avp(struct pana_builder *b, uint32_t vendor_id,
    uint16_t code, const void *value, size_t len)
{
	if (b != NULL && vendor_id == 0)
		return build_fail(b, PANA_E_ARG);
	return build_avp(b, code, PANA_AVP_FLAG_V, vendor_id, value, len);
}

int
pana_build_auth(struct pana_builder *b, size_t mac_len, size_t *value_off)
{
	size_t off;
	int rc;

	if (b == NULL)
		return PANA_E_ARG;
	if (mac_len == 0)
		return build_fail(b, PANA_E_ARG);
	off = b->len + PANA_AVP_HDR_LEN;
	if ((rc = build_avp(b, PANA_AVP_AUTH, 0, 0, NULL, mac_len)) != 0)
		return rc;
	if (value_off != NULL)
		*value_off = off;
	return 0;
}

int
pana_build_finish(struct pana_builder *b, size_t *len)
{
	if (b == NULL)
		return PANA_E_ARG;
	if (b->error != 0)
		return b->error;
	gkey_put16(b->buf + 2, (uint16_t)b->len);
	if (len != NULL)
		*len = b->len;
	return 0;
}

/*
 * RFC 6345 relay.
 */

int
pana_relay_push(const uint8_t *msg, size_t msglen,
    const struct sockaddr_storage *pac, uint8_t *out, size_t outsize,
    size_t *outlen)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	struct pana_builder b;
	struct pana_hdr h;
	uint8_t info[16 + 2];
	size_t infolen;
	int rc;

	if (msg == NULL || pac == NULL || out == NULL || outlen == NULL)
		return PANA_E_ARG;
	if ((rc = pana_hdr_parse(msg, msglen, &h, NULL, 0)) != 0)
		return rc;
	/* One level of relaying only: a relay in a relay would loop. */
	if (h.type == PANA_MSG_RELAY)
		return PANA_E_RELAY;

	/* PaC-Information: the address, then the UDP port. */
	switch (pac->ss_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)pac;
		memcpy(info, &sin->sin_addr, 4);
		memcpy(info + 4, &sin->sin_port, 2);
		infolen = 4 + 2;
		break;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)pac;
		memcpy(info, &sin6->sin6_addr, 16);
		memcpy(info + 16, &sin6->sin6_port, 2);
		infolen = 16 + 2;
		break;
	default:
		return PANA_E_ADDR;
	}

	pana_build_start(&b, out, outsize, PANA_MSG_RELAY, 0, 0, 0);
	pana_build_avp(&b, PANA_AVP_PAC_INFO, info, infolen);
	pana_build_avp(&b, PANA_AVP_RELAYED_MSG, msg, msglen);
	return pana_build_finish(&b, outlen);
}

int
pana_relay_pop(const uint8_t *buf, size_t len, struct sockaddr_storage *pac,
    const uint8_t **inner, size_t *inner_len, char *err, size_t errlen)
{
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;
	const struct pana_avp *info, *rm;
	struct pana_msg m;
	struct pana_hdr ih;
	int rc;

	if (pac == NULL || inner == NULL || inner_len == NULL)
		return gkey_fail(err, errlen, PANA_E_ARG,
		    "no output arguments");
	/* The vendor id does not matter: the relay ignores vendor AVPs. */
	if ((rc = pana_msg_parse(buf, len, 0, &m, err, errlen)) != 0)
		return rc;
	if (m.hdr.type != PANA_MSG_RELAY)
		return gkey_fail(err, errlen, PANA_E_RELAY,
		    "message type %u is not PANA-Relay", m.hdr.type);
	if (m.hdr.session_id != 0 || m.hdr.seq != 0)
		return gkey_fail(err, errlen, PANA_E_RELAY,
		    "PANA-Relay with session id 0x%08x, sequence %u "
		    "(both must be zero)", m.hdr.session_id, m.hdr.seq);
	if ((info = pana_msg_avp(&m, PANA_AVP_PAC_INFO)) == NULL)
		return gkey_fail(err, errlen, PANA_E_MISSING,
		    "PANA-Relay without PaC-Information");
	if ((rm = pana_msg_avp(&m, PANA_AVP_RELAYED_MSG)) == NULL)
		return gkey_fail(err, errlen, PANA_E_MISSING,
		    "PANA-Relay without Relayed-Message");
	if ((rc = pana_hdr_parse(rm->value, rm->len, &ih, err, errlen)) != 0)
		return rc;
	if (ih.type == PANA_MSG_RELAY)
		return gkey_fail(err, errlen, PANA_E_RELAY,
		    "PANA-Relay nested in PANA-Relay");

	memset(pac, 0, sizeof(*pac));
	if (info->len == 4 + 2) {
		sin = (struct sockaddr_in *)pac;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, info->value, 4);
		memcpy(&sin->sin_port, info->value + 4, 2);
	} else {
		/* avp_check_value() allowed only 6 or 18 octets. */
		sin6 = (struct sockaddr_in6 *)pac;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, info->value, 16);
		memcpy(&sin6->sin6_port, info->value + 16, 2);
	}
	*inner = rm->value;
	*inner_len = rm->len;
	return 0;
}

void
pana_addr_str(const struct sockaddr_storage *ss, int with_port, char *buf,
    size_t size)
{
	char		 a[INET6_ADDRSTRLEN];
	const void	*p;
	uint16_t	 port;

	if (ss->ss_family == AF_INET6) {
		p = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	} else if (ss->ss_family == AF_INET) {
		p = &((const struct sockaddr_in *)ss)->sin_addr;
		port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	} else {
		snprintf(buf, size, "?");
		return;
	}
	if (inet_ntop(ss->ss_family, p, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	if (!with_port)
		snprintf(buf, size, "%s", a);
	else
		snprintf(buf, size, ss->ss_family == AF_INET6 ? "[%s]:%u" :
		    "%s:%u", a, port);
}

/* RAND*base, RAND = (2r - 65535) / 655350, in [-0.1, +0.1]. */
static int64_t
rt_rand(int64_t base, uint16_t r)
{
	return base * (2 * (int64_t)r - 65535) / 655350;
}

uint64_t
pana_rt_next(uint64_t prev, uint64_t irt, uint64_t mrt, uint16_t r)
{
	int64_t p, rt;

	/* Bounded well below INT64_MAX / 131070: no overflow below. */
	if (irt > UINT32_MAX)
		irt = UINT32_MAX;
	if (mrt > UINT32_MAX)
		mrt = UINT32_MAX;
	if (prev > UINT32_MAX)
		prev = UINT32_MAX;
	if (prev == 0)
		return (uint64_t)((int64_t)irt + rt_rand((int64_t)irt, r));
	p = (int64_t)prev;
	rt = 2 * p + rt_rand(p, r);
	if (rt > (int64_t)mrt)
		rt = (int64_t)mrt + rt_rand((int64_t)mrt, r);
	return (uint64_t)rt;
}
