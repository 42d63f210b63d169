/*
 * noded_core.c - the user node's checks, answer assembly and key store.
 * See noded_core.h.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "errbuf.h"
#include "bytes.h"
#include "nd_crypto.h"
#include "noded_core.h"
#include "recline.h"

/* ------------------------------------------------------------ RA */

int
noded_ra_check(const struct noded_trust *t, const uint8_t *pkt, size_t len,
    int hop_limit, const struct in6_addr *src, const struct in6_addr *dst,
    uint64_t now_ts, time_t now, struct nd_msg *m, char *err, size_t errlen)
{
	char why[ND_ERRLEN];
	EVP_PKEY *key;
	X509 *cert = NULL;
	uint64_t age;
	int rc, code;

	if (nd_msg_parse(pkt, len, m, why, sizeof(why)) != 0)
		return gkey_fail(err, errlen, NODED_RA_DROP, "malformed: %s",
		    why);
	if (m->type != ND_TYPE_RA)
		return gkey_fail(err, errlen, NODED_RA_DROP, "not a Router "
		    "Advertisement");
	if (!m->has_gkey)
		return NODED_RA_PLAIN;
	if (hop_limit != 255)
		return gkey_fail(err, errlen, NODED_RA_DROP,
		    "hop limit %d, not 255", hop_limit);
	/* RFC 4861 6.1.2: a router sends from its link-local address. */
	if (!IN6_IS_ADDR_LINKLOCAL(src))
		return gkey_fail(err, errlen, NODED_RA_DROP,
		    "source address is not "
		    "link-local");
	if (nd_msg_require(m, why, sizeof(why)) != 0)
		return gkey_fail(err, errlen, NODED_RA_DROP, "malformed: %s",
		    why);
	age = nd_timestamp_diff(m->timestamp, now_ts);
	if (age > t->window)
		return gkey_fail(err, errlen, NODED_RA_DROP,
		    "timestamp %llu s off, "
		    "outside the %u s window", (unsigned long long)age,
		    t->window);
	if ((key = nd_cert_p256_key(m->cert, m->cert_len, &cert, &code, why,
	    sizeof(why))) == NULL)
		return gkey_fail(err, errlen, NODED_RA_DROP, "AR %s", why);
	rc = nd_ar_cert_check(cert, t->anchor, now, why, sizeof(why));
	if (rc == 0)
		rc = nd_msg_verify(m, key, src->s6_addr, dst->s6_addr, why,
		    sizeof(why));
	EVP_PKEY_free(key);
	X509_free(cert);
	if (rc != 0)
		return gkey_fail(err, errlen, NODED_RA_DROP, "%s", why);
	return NODED_RA_OK;
}

/* ------------------------------------------------------------ assembly */

void
noded_asm_drop(struct noded_asm *a)
{
	a->in_use = 0;
	a->have = 0;
	memset(a->len, 0, sizeof(a->len));
}

void
noded_asm_clear(struct noded_asm_table *t)
{
	size_t i;

	for (i = 0; i < NODED_ASM_MAX; i++)
		noded_asm_drop(&t->a[i]);
}

static size_t
asm_id(const struct nd_msg *m, uint8_t id[32])
{
	if (m->nonce != NULL) {
		size_t n = m->nonce_len < 32 ? m->nonce_len : 32;

		memcpy(id, m->nonce, n);
		return n;
	}
	gkey_put64(id, m->timestamp);
	return 8;
}

static struct noded_asm *
asm_find(struct noded_asm_table *t, const struct in6_addr *src,
    const struct nd_msg *m, const uint8_t *id, size_t id_len)
{
	size_t i;

	for (i = 0; i < NODED_ASM_MAX; i++) {
		struct noded_asm *a = &t->a[i];

		if (a->in_use && a->push == (m->nonce == NULL) &&
		    a->id_len == id_len && memcmp(a->id, id, id_len) == 0 &&
		    memcmp(&a->src, src, sizeof(*src)) == 0)
			return a;
	}
	return NULL;
}

static struct noded_asm *
asm_new(struct noded_asm_table *t)
{
	struct noded_asm *old = &t->a[0];
	size_t i;

	for (i = 0; i < NODED_ASM_MAX; i++) {
		if (!t->a[i].in_use)
			return &t->a[i];
		if (t->a[i].started_ms < old->started_ms)
			old = &t->a[i];
	}
	noded_asm_drop(old);
	return old;
}

int
noded_asm_add(struct noded_asm_table *t, const struct in6_addr *src,
    const struct nd_msg *m, uint64_t now_ms, struct noded_asm **done,
    char *err, size_t errlen)
{
	struct noded_asm *a;
	uint8_t id[32];
	size_t id_len = asm_id(m, id);
	unsigned int idx = m->part_index;

	*done = NULL;
	if (m->part_count > NODED_PARTS_MAX || m->len > ND_MSG_MAX)
		return gkey_fail(err, errlen, -1, "part %u of %u: more than %d "
		    "parts or too long", m->part_index, m->part_count,
		    NODED_PARTS_MAX);
	if ((a = asm_find(t, src, m, id, id_len)) == NULL) {
		a = asm_new(t);
		a->in_use = 1;
		a->push = m->nonce == NULL;
		a->src = *src;
		memcpy(a->id, id, id_len);
		a->id_len = id_len;
		a->count = m->part_count;
		a->started_ms = now_ms;
	}
	if (a->count != m->part_count) {
		noded_asm_drop(a);
		return gkey_fail(err, errlen, -1,
		    "part %u says %u parts, an earlier "
		    "part said %u", m->part_index, m->part_count, a->count);
	}
	if (a->len[idx - 1] == 0) {
		memcpy(a->pkt[idx - 1], m->buf, m->len);
		a->len[idx - 1] = m->len;
		a->have++;
	}
	if (a->have == a->count) {
		*done = a;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ keys */

static void
key_wipe(struct noded_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int
noded_keys_put(struct noded_keys *ks, const struct gkey_record *rec,
    const uint8_t *gk, size_t gk_len, int newer_only)
{
	struct noded_key *slot = NULL;
	size_t i;

	if (gk_len > GKEY_GK_MAX || rec->name_len > GKEY_RECORD_NAME_MAX)
		return -1;
	for (i = 0; i < NODED_KEYS_MAX; i++) {
		struct noded_key *k = &ks->k[i];

		if (!k->in_use) {
			if (slot == NULL)
				slot = k;
			continue;
		}
		if (k->hdr.app_id != rec->app_id)
			continue;
		if (k->hdr.epoch == rec->epoch)
			return 0;
		if (newer_only && k->hdr.epoch > rec->epoch)
			return 0;
	}
	if (slot == NULL)
		return -1;
	slot->in_use = 1;
	slot->hdr = *rec;
	memcpy(slot->name, rec->name, rec->name_len);
	slot->hdr.name = slot->name;
	slot->hdr.enc = slot->hdr.ct = NULL;
	memcpy(slot->gk, gk, gk_len);
	slot->gk_len = gk_len;
	return 1;
}

int
noded_keys_expire(struct noded_keys *ks, uint64_t now)
{
	size_t i;
	int n = 0;

	for (i = 0; i < NODED_KEYS_MAX; i++)
		if (ks->k[i].in_use && ks->k[i].hdr.not_after <= now) {
			key_wipe(&ks->k[i]);
			n++;
		}
	return n;
}

size_t
noded_keys_count(const struct noded_keys *ks)
{
	size_t i, n = 0;

	for (i = 0; i < NODED_KEYS_MAX; i++)
		n += ks->k[i].in_use != 0;
	return n;
}

uint64_t
noded_keys_earliest(const struct noded_keys *ks)
{
	uint64_t e = 0;
	size_t i;

	for (i = 0; i < NODED_KEYS_MAX; i++)
		if (ks->k[i].in_use && (e == 0 || ks->k[i].hdr.not_after < e))
			e = ks->k[i].hdr.not_after;
	return e;
}

void
noded_keys_clear(struct noded_keys *ks)
{
	OPENSSL_cleanse(ks, sizeof(*ks));
}

static int
key_cmp(const void *a, const void *b)
{
	const struct noded_key *x = *(const struct noded_key *const *)a;
	const struct noded_key *y = *(const struct noded_key *const *)b;

	if (x->hdr.app_id != y->hdr.app_id)
		return x->hdr.app_id < y->hdr.app_id ? -1 : 1;
	if (x->hdr.epoch != y->hdr.epoch)
		return x->hdr.epoch < y->hdr.epoch ? -1 : 1;
	return 0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
noded_keys_write(const struct noded_keys *ks, const char *path, char *err,
    size_t errlen)
{
	const struct noded_key *sorted[NODED_KEYS_MAX];
	char tmp[4096 + 8], line[GKEY_RECORD_LINE_MAX + 1];
	size_t i, n = 0;
	int fd, rc = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return gkey_fail(err, errlen, -1, "%s: path too long", path);
	for (i = 0; i < NODED_KEYS_MAX; i++)
		if (ks->k[i].in_use)
			sorted[n++] = &ks->k[i];
	qsort(sorted, n, sizeof(sorted[0]), key_cmp);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0)
		return gkey_fail(err, errlen, -1, "%s: %s", tmp,
		    strerror(errno));
	for (i = 0; i < n; i++) {
		if (gkey_record_line(&sorted[i]->hdr, sorted[i]->gk,
		    sorted[i]->gk_len, line, sizeof(line) - 1) != 0)
			continue;
		strcat(line, "\n");
		if (write_all(fd, line, strlen(line)) != 0) {
			gkey_fail(err, errlen, -1, "%s: %s", tmp,
			    strerror(errno));
			goto finish;
		}
	}
	if (fsync(fd) != 0) {
		gkey_fail(err, errlen, -1, "%s: %s", tmp, strerror(errno));
		goto finish;
	}
	rc = 0;
finish:
	OPENSSL_cleanse(line, sizeof(line));
	close(fd);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = gkey_fail(err, errlen, -1, "rename to %s: %s", path,
		    strerror(errno));
	if (rc != 0)
		(void)unlink(tmp);
	return rc;
}

/* ------------------------------------------------------------ schedule */

uint64_t
noded_next_refresh(uint32_t refresh, uint64_t earliest, uint64_t now)
{
	uint64_t r = refresh > 0 ? refresh : UINT64_MAX, e;

	if (earliest > now) {
		e = (earliest - now) * 8 / 10;
		if (e < r)
			r = e;
	} else if (earliest != 0)
		r = 1;
	if (r == UINT64_MAX)
		r = 3600;
	return r < 1 ? 1 : r;
}

uint64_t
noded_jitter(uint64_t v, unsigned int percent, double r)
{
	double span = (double)v * percent / 100.0;
	double x = (double)v - span + 2.0 * span * r;

	return x < 1.0 ? 1 : (uint64_t)x;
}
