/*
 * ard_core.c - the access router's checks and answers.  See ard_core.h.
 */
#include <sys/types.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "errbuf.h"
#include "ard_core.h"
#include "bytes.h"
#include "keyrecord.h"
#include "nd_crypto.h"

/* ------------------------------------------------------------ RS */

int
ard_rs_check(const uint8_t *pkt, size_t len, int hop_limit,
    const struct in6_addr *src, const struct in6_addr *dst, uint64_t now_ts,
    unsigned int window, struct nd_msg *m, char *err, size_t errlen)
{
	char why[ND_ERRLEN];
	EVP_PKEY *key;
	uint64_t age;
	int rc, code;

	if ((rc = nd_msg_parse(pkt, len, m, why, sizeof(why))) != 0)
		return gkey_fail(err, errlen, ARD_RS_DROP, "malformed: %s",
		    why);
	if (m->type != ND_TYPE_RS)
		return gkey_fail(err, errlen, ARD_RS_DROP, "not a Router "
		    "Solicitation");
	if (!m->has_gkey)
		return ARD_RS_PLAIN;
	/* RFC 4861 6.1.1: an RS that crossed a router is not ours. */
	if (hop_limit != 255)
		return gkey_fail(err, errlen, ARD_RS_DROP,
		    "hop limit %d, not 255", hop_limit);
	if ((rc = nd_msg_require(m, why, sizeof(why))) != 0)
		return gkey_fail(err, errlen, ARD_RS_DROP, "malformed: %s",
		    why);
	age = nd_timestamp_diff(m->timestamp, now_ts);
	if (age > window)
		return gkey_fail(err, errlen, ARD_RS_DROP,
		    "timestamp %llu s off, "
		    "outside the %u s window", (unsigned long long)age, window);
	key = nd_cert_p256_key(m->cert, m->cert_len, NULL, &code, why,
	    sizeof(why));
	if (key == NULL)
		return gkey_fail(err, errlen, ARD_RS_DROP, "%s", why);
	rc = nd_msg_verify(m, key, src->s6_addr, dst->s6_addr, why,
	    sizeof(why));
	EVP_PKEY_free(key);
	if (rc != 0)
		return gkey_fail(err, errlen, ARD_RS_DROP, "%s", why);
	return ARD_RS_OK;
}

/* ------------------------------------------------------------ replay */

int
ard_replay_init(struct ard_replay *r, size_t n)
{
	r->n = n;
	r->slot = calloc(n, sizeof(*r->slot));
	return r->slot != NULL ? 0 : -1;
}

void
ard_replay_free(struct ard_replay *r)
{
	free(r->slot);
	r->slot = NULL;
	r->n = 0;
}

int
ard_replay_seen(struct ard_replay *r, const struct in6_addr *src,
    const uint8_t *nonce, size_t nonce_len, uint64_t now_s,
    unsigned int window)
{
	uint8_t d[32];
	unsigned int dl = 0;
	EVP_MD_CTX *ctx;
	size_t i, free_slot = r->n;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, src->s6_addr, 16) == 1 &&
	    EVP_DigestUpdate(ctx, nonce, nonce_len) == 1 &&
	    EVP_DigestFinal_ex(ctx, d, &dl) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	for (i = 0; i < r->n; i++) {
		if (r->slot[i].expires <= now_s) {
			if (free_slot == r->n)
				free_slot = i;
			continue;
		}
		if (memcmp(r->slot[i].digest, d, 16) == 0)
			return 1;
	}
	if (free_slot == r->n)
		return -1;
	memcpy(r->slot[free_slot].digest, d, 16);
	/* The RS's timestamp may be window seconds ahead of us: twice. */
	r->slot[free_slot].expires = now_s + 2 * (uint64_t)window + 1;
	return 0;
}

/* ------------------------------------------------------------ rates */

int
ard_limits_init(struct ard_limits *l, const struct ard_rate *per_source,
    const struct ard_rate *total, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->per_source = *per_source;
	l->total = *total;
	l->all.tokens = total->burst;
	l->n = n;
	l->src = calloc(n, sizeof(*l->src));
	return l->src != NULL ? 0 : -1;
}

void
ard_limits_free(struct ard_limits *l)
{
	free(l->src);
	l->src = NULL;
	l->n = 0;
}

static void
refill(struct ard_bucket *b, const struct ard_rate *r, uint64_t now)
{
	if (now > b->last_ms) {
		b->tokens += (double)(now - b->last_ms) * r->per_second /
		    1000.0;
		if (b->tokens > r->burst)
			b->tokens = r->burst;
	}
	b->last_ms = now;
}

static struct ard_source *
source_of(struct ard_limits *l, const struct in6_addr *a, uint64_t now)
{
	struct ard_source *lru = NULL;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->src[i].in_use &&
		    memcmp(&l->src[i].addr, a, sizeof(*a)) == 0)
			return &l->src[i];
		if (lru == NULL || !l->src[i].in_use ||
		    (lru->in_use && l->src[i].used_ms < lru->used_ms))
			lru = &l->src[i];
	}
	/* A new source takes a free slot or the least recently used one. */
	memset(lru, 0, sizeof(*lru));
	lru->in_use = 1;
	lru->addr = *a;
	lru->b.tokens = l->per_source.burst;
	lru->b.last_ms = now;
	return lru;
}

int
ard_limits_take(struct ard_limits *l, const struct in6_addr *a,
    uint64_t now)
{
	struct ard_source *s = source_of(l, a, now);

	s->used_ms = now;
	refill(&s->b, &l->per_source, now);
	refill(&l->all, &l->total, now);
	if (s->b.tokens < 1.0)
		return 1;
	if (l->all.tokens < 1.0)
		return 2;
	s->b.tokens -= 1.0;
	l->all.tokens -= 1.0;
	return 0;
}

/* ------------------------------------------------------------ RA */

int
ard_ra_tmpl_init(struct ard_ra_tmpl *t, const struct ard_config *c,
    const uint8_t *mac, size_t mac_len, const uint8_t *cert,
    size_t cert_len, char *err, size_t errlen)
{
	struct nd_builder b;
	uint8_t v[30], scratch[ND_RS_HDR_LEN + ARD_STD_OPTS_MAX];
	size_t i;

	memset(t, 0, sizeof(*t));
	t->hdr = c->ra;
	t->cert = cert;
	t->cert_len = cert_len;
	/* Build the options behind a throw-away RS header, keep the options. */
	nd_build_rs(&b, scratch, sizeof(scratch));
	if (c->ra_slla && mac != NULL && mac_len > 0)
		nd_build_opt(&b, ND_OPT_SLLA, mac, mac_len);
	if (c->ra_mtu != 0) {
		memset(v, 0, 2);
		gkey_put32(v + 2, c->ra_mtu);
		nd_build_opt(&b, ND_OPT_MTU, v, 6);
	}
	for (i = 0; i < c->n_prefix; i++) {
		const struct ard_prefix *p = &c->prefix[i];

		v[0] = p->len;
		v[1] = p->flags;
		gkey_put32(v + 2, p->valid);
		gkey_put32(v + 6, p->preferred);
		memset(v + 10, 0, 4);
		memcpy(v + 14, p->addr.s6_addr, 16);
		nd_build_opt(&b, ND_OPT_PREFIX, v, 30);
	}
	if (c->n_rdnss > 0) {
		uint8_t r[6 + 16 * ARD_RDNSS_MAX];

		memset(r, 0, 2);
		gkey_put32(r + 2, c->rdnss_lifetime);
		for (i = 0; i < c->n_rdnss; i++)
			memcpy(r + 6 + 16 * i, c->rdnss[i].s6_addr, 16);
		nd_build_opt(&b, ND_OPT_RDNSS, r, 6 + 16 * c->n_rdnss);
	}
	if (b.error != 0)
		return gkey_fail(err, errlen, -1, "RA options: %s",
		    nd_strerror(b.error));
	t->std_len = b.len - ND_RS_HDR_LEN;
	memcpy(t->std, scratch + ND_RS_HDR_LEN, t->std_len);
	return 0;
}

/* Octets of one RA before any record: everything but the records. */
static size_t
fixed_size(const struct ard_ra_tmpl *t, const struct ard_answer_in *in)
{
	size_t n = ND_RA_HDR_LEN + t->std_len + ND_TIMESTAMP_OPT_LEN +
	    nd_gkey_opt_size(t->cert_len) + nd_gkey_opt_size(2) +
	    ND_SIG_OPT_LEN;

	if (in->nonce != NULL)
		n += 2 + in->nonce_len;
	if (in->status != 0)
		n += nd_gkey_opt_size(1 + (in->reason != NULL ?
		    strlen(in->reason) : 0));
	else
		n += nd_gkey_opt_size(4);
	return n;
}

static int
build_part(const struct ard_ra_tmpl *t, const struct ard_answer_in *in,
    size_t first, size_t count, uint8_t index, uint8_t total, EVP_PKEY *key,
    const struct in6_addr *src, const struct in6_addr *dst, uint8_t *out,
    size_t *len)
{
	struct nd_builder b;
	size_t i;

	nd_build_ra(&b, out, ND_MSG_MAX, &t->hdr);
	if (t->std_len > 0 && nd_build_room(&b) >= t->std_len) {
		memcpy(out + b.len, t->std, t->std_len);
		b.len += t->std_len;
	} else if (t->std_len > 0)
		return ND_E_NOSPACE;
	if (in->nonce != NULL)
		nd_build_nonce(&b, in->nonce, in->nonce_len);
	nd_build_timestamp(&b, in->timestamp);
	nd_build_gkey(&b, ND_GK_CERT, t->cert, t->cert_len);
	nd_build_part(&b, index, total);
	if (in->status != 0)
		nd_build_status(&b, in->status, in->reason);
	else {
		for (i = first; i < first + count; i++)
			nd_build_gkey(&b, ND_GK_RECORD, in->records[i],
			    in->record_len[i]);
		nd_build_refresh(&b, in->refresh);
	}
	return nd_sign_finish(&b, key, src->s6_addr, dst->s6_addr, len);
}

int
ard_answer_build(const struct ard_ra_tmpl *t, const struct ard_answer_in *in,
    EVP_PKEY *key, const struct in6_addr *src, const struct in6_addr *dst,
    struct ard_answer *out, char *err, size_t errlen)
{
	size_t fixed = fixed_size(t, in), room, used, i, first[ARD_MAX_PARTS],
	    count[ARD_MAX_PARTS], n = 0;
	int rc;

	out->n = 0;
	if (fixed >= ND_MSG_MAX)
		return gkey_fail(err, errlen, -1, "RA without records is %zu "
		    "octets, over %d", fixed, ND_MSG_MAX);
	room = ND_MSG_MAX - fixed;
	if (in->status != 0 || in->n_records == 0) {
		first[0] = count[0] = 0;
		n = 1;
	}
	for (i = 0, used = room + 1; in->status == 0 && i < in->n_records;
	    i++) {
		size_t need = nd_gkey_opt_size(in->record_len[i]);

		if (need > room)
			return gkey_fail(err, errlen, -1,
			    "record %zu of %zu octets "
			    "does not fit an RA", i + 1, in->record_len[i]);
		if (used + need > room) {
			if (n == ARD_MAX_PARTS)
				return gkey_fail(err, errlen, -1,
				    "answer needs more "
				    "than %d parts", ARD_MAX_PARTS);
			first[n] = i;
			count[n] = 0;
			used = 0;
			n++;
		}
		count[n - 1]++;
		used += need;
	}
	for (i = 0; i < n; i++) {
		rc = build_part(t, in, first[i], count[i], (uint8_t)(i + 1),
		    (uint8_t)n, key, src, dst, out->pkt[i], &out->len[i]);
		if (rc != 0)
			return gkey_fail(err, errlen, -1,
			    "building part %zu: %s", i + 1, nd_strerror(rc));
	}
	out->n = n;
	return 0;
}

uint32_t
ard_refresh(int has_st, uint32_t st, const uint8_t *const *records,
    const size_t *record_len, size_t n, uint64_t now)
{
	struct gkey_record rec;
	uint64_t earliest = UINT64_MAX, r;
	size_t i;

	if (has_st && st > 0)
		return st;
	for (i = 0; i < n; i++)
		if (gkey_record_parse(records[i], record_len[i], &rec, NULL,
		    0) == 0 && rec.not_after < earliest)
			earliest = rec.not_after;
	if (earliest == UINT64_MAX)
		return 3600;
	if (earliest <= now)
		return 1;
	r = (earliest - now) * 8 / 10;
	if (r < 1)
		r = 1;
	return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}
