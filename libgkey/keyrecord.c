/*
 * keyrecord.c - Key Record v1: parse, seal, open.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hpke.h"
#include "hpke_int.h"
#include "keyrecord.h"
#include "utf8.h"
#include "errbuf.h"
#include "bytes.h"

#define TAG_LEN		GKEY_HPKE_TAG_LEN

static enum gkey_kem
suite_kem(unsigned int suite)
{
	return suite == GKEY_SUITE_P256 ? GKEY_KEM_P256 : GKEY_KEM_X25519;
}

static int
suite_valid(unsigned int suite)
{
	return suite == GKEY_SUITE_P256 || suite == GKEY_SUITE_X25519;
}

size_t
gkey_gk_alg_len(unsigned int gk_alg)
{
	switch (gk_alg) {
	case GKEY_GK_AES128:
		return 16;
	case GKEY_GK_AES256:
		return 32;
	}
	return 0;
}

size_t
gkey_record_len(unsigned int suite, unsigned int gk_alg, size_t name_len)
{
	size_t	gk_len = gkey_gk_alg_len(gk_alg);

	if (!suite_valid(suite) || gk_len == 0 || name_len == 0 ||
	    name_len > GKEY_RECORD_NAME_MAX)
		return 0;
	return GKEY_RECORD_HDR_LEN + name_len +
	    gkey_kem_enc_len(suite_kem(suite)) + gk_len + TAG_LEN;
}

int
gkey_record_name_valid(const uint8_t *s, size_t len)
{
	if (s == NULL || len == 0 || len > GKEY_RECORD_NAME_MAX)
		return 0;
	return gkey_utf8_text_valid(s, len);
}

int
gkey_record_parse(const uint8_t *buf, size_t len, struct gkey_record *out,
    char *err, size_t errlen)
{
	struct gkey_record	r;
	size_t			expect;

	if (buf == NULL || out == NULL) {
		gkey_seterr(err, errlen, "no record");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if (len < GKEY_RECORD_HDR_LEN) {
		gkey_seterr(err, errlen, "record too short (%zu octets, header is "
		    "%d)", len, GKEY_RECORD_HDR_LEN);
		return -1;
	}
	r.version = buf[0];
	r.suite = buf[1];
	r.gk_alg = buf[2];
	r.name_len = buf[3];
	if (r.version != GKEY_RECORD_VERSION) {
		gkey_seterr(err, errlen, "unsupported record version %u",
		    r.version);
		return -1;
	}
	if (!suite_valid(r.suite)) {
		gkey_seterr(err, errlen, "unknown suite %u", r.suite);
		return -1;
	}
	if ((r.gk_len = gkey_gk_alg_len(r.gk_alg)) == 0) {
		gkey_seterr(err, errlen, "unknown GK algorithm %u", r.gk_alg);
		return -1;
	}
	if (r.name_len == 0 || r.name_len > GKEY_RECORD_NAME_MAX) {
		gkey_seterr(err, errlen, "bad application name length %zu",
		    r.name_len);
		return -1;
	}
	expect = gkey_record_len(r.suite, r.gk_alg, r.name_len);
	if (len != expect) {
		gkey_seterr(err, errlen, "bad record length %zu (expected %zu)",
		    len, expect);
		return -1;
	}
	r.app_id = gkey_get32(buf + 4);
	r.epoch = gkey_get32(buf + 8);
	r.not_before = gkey_get64(buf + 12);
	r.not_after = gkey_get64(buf + 20);
	memcpy(r.recipient_id, buf + 28, GKEY_KEY_ID_LEN);
	memcpy(r.sender_id, buf + 36, GKEY_KEY_ID_LEN);
	r.name = buf + GKEY_RECORD_HDR_LEN;
	r.aad_len = GKEY_RECORD_HDR_LEN + r.name_len;
	r.enc = buf + r.aad_len;
	r.enc_len = gkey_kem_enc_len(suite_kem(r.suite));
	r.ct = r.enc + r.enc_len;
	r.ct_len = r.gk_len + TAG_LEN;
	r.len = len;
	if (!gkey_record_name_valid(r.name, r.name_len)) {
		gkey_seterr(err, errlen, "application name is not valid UTF-8 "
		    "text");
		return -1;
	}
	if (r.not_before >= r.not_after) {
		gkey_seterr(err, errlen, "validity period is empty");
		return -1;
	}
	*out = r;
	return 0;
}

int
gkey_key_id(EVP_PKEY *pk, uint8_t id[GKEY_KEY_ID_LEN])
{
	enum gkey_kem	 kem;
	uint8_t		 spki[sizeof(gkey_p256_spki_prefix) + GKEY_HPKE_ENC_MAX];
	uint8_t		 md[EVP_MAX_MD_SIZE], *der = NULL;
	const uint8_t	*prefix;
	unsigned int	 mdlen;
	size_t		 raw_len, prefix_len;
	int		 der_len, ret = -1;

	if (pk == NULL || id == NULL)
		return -1;
	if (gkey_kem_of_pkey(pk, &kem) == 0) {
		/*
		 * One id per P-256 key however its SPKI was encoded
		 * (compressed point, explicit form): hash the canonical
		 * named-curve, uncompressed SPKI, built here.  An X25519
		 * SPKI has one encoding (RFC 8410), the one i2d_PUBKEY()
		 * writes; building it is much cheaper than the encoder.
		 */
		prefix = kem == GKEY_KEM_P256 ? gkey_p256_spki_prefix :
		    gkey_x25519_spki_prefix;
		prefix_len = kem == GKEY_KEM_P256 ? GKEY_P256_SPKI_PREFIX_LEN :
		    GKEY_X25519_SPKI_PREFIX_LEN;
		memcpy(spki, prefix, prefix_len);
		if (gkey_pkey_raw_public(kem, pk, spki + prefix_len,
		    GKEY_HPKE_ENC_MAX, &raw_len) != 0 ||
		    raw_len != gkey_kem_enc_len(kem))
			goto done;
		if (EVP_Digest(spki, prefix_len + raw_len, md, &mdlen,
		    EVP_sha256(), NULL) != 1)
			goto done;
	} else {
		if ((der_len = i2d_PUBKEY(pk, &der)) <= 0)
			goto done;
		if (EVP_Digest(der, (size_t)der_len, md, &mdlen,
		    EVP_sha256(), NULL) != 1)
			goto done;
	}
	if (mdlen < GKEY_KEY_ID_LEN)
		goto done;
	memcpy(id, md, GKEY_KEY_ID_LEN);
	ret = 0;
done:
	OPENSSL_free(der);
	if (ret != 0)
		ERR_clear_error();
	return ret;
}

static int
recipient_suite(EVP_PKEY *pk, unsigned int *suite)
{
	enum gkey_kem	kem;

	if (gkey_kem_of_pkey(pk, &kem) != 0)
		return -1;
	*suite = kem == GKEY_KEM_P256 ? GKEY_SUITE_P256 : GKEY_SUITE_X25519;
	return 0;
}

int
gkey_record_seal(const struct gkey_record_meta *meta, const uint8_t *gk,
    size_t gk_len, EVP_PKEY *recipient, EVP_PKEY *server_key, uint8_t *out,
    size_t out_size, size_t *out_len, char *err, size_t errlen)
{
	struct gkey_hpke_ctx	*hc;
	int			 ret;

	if (out_len != NULL)
		*out_len = 0;
	if ((hc = gkey_hpke_ctx_new(NULL, NULL)) == NULL) {
		gkey_seterr(err, errlen, "cannot set up HPKE");
		return -1;
	}
	ret = gkey_record_seal_ctx(hc, meta, gk, gk_len, recipient, server_key,
	    out, out_size, out_len, err, errlen);
	gkey_hpke_ctx_free(hc);
	return ret;
}

/* The checks of what goes in a header; *need is the record length. */
static int
meta_check(const struct gkey_record_meta *meta, size_t gk_len,
    unsigned int suite, size_t out_size, size_t *need, char *err,
    size_t errlen)
{
	if (gkey_gk_alg_len(meta->gk_alg) == 0 ||
	    gk_len != gkey_gk_alg_len(meta->gk_alg)) {
		gkey_seterr(err, errlen, "GK length %zu does not match GK "
		    "algorithm %u", gk_len, (unsigned int)meta->gk_alg);
		return -1;
	}
	if (!gkey_record_name_valid((const uint8_t *)meta->name,
	    meta->name_len)) {
		gkey_seterr(err, errlen, "application name must be 1..%d octets "
		    "of UTF-8 text", GKEY_RECORD_NAME_MAX);
		return -1;
	}
	if (meta->not_before >= meta->not_after) {
		gkey_seterr(err, errlen, "validity period is empty");
		return -1;
	}
	*need = gkey_record_len(suite, meta->gk_alg, meta->name_len);
	if (out_size < *need) {
		gkey_seterr(err, errlen, "record buffer too small (%zu < %zu)",
		    out_size, *need);
		return -1;
	}
	return 0;
}

/*
 * Write the header and seal after it, meta_check() passed and out holds
 * need octets.  pkRm and pkSm: the serialised keys if the caller has
 * them (then recipient was built from pkRm and checked), else NULL.
 */
static int
seal_record(const struct gkey_hpke_ctx *hc,
    const struct gkey_record_meta *meta, const uint8_t *gk, size_t gk_len,
    unsigned int suite, EVP_PKEY *recipient, const uint8_t *pkRm,
    const uint8_t rid[GKEY_KEY_ID_LEN], EVP_PKEY *server_key,
    const uint8_t *pkSm, const uint8_t sid[GKEY_KEY_ID_LEN], uint8_t *out,
    size_t need, size_t *out_len, char *err, size_t errlen)
{
	enum gkey_kem	kem = suite_kem(suite);
	size_t		n = meta->name_len, npk, off, enc_len, ct_len;
	int		rc;

	npk = gkey_kem_enc_len(kem);
	off = GKEY_RECORD_HDR_LEN + n;
	out[0] = GKEY_RECORD_VERSION;
	out[1] = (uint8_t)suite;
	out[2] = (uint8_t)meta->gk_alg;
	out[3] = (uint8_t)n;
	gkey_put32(out + 4, meta->app_id);
	gkey_put32(out + 8, meta->epoch);
	gkey_put64(out + 12, meta->not_before);
	gkey_put64(out + 20, meta->not_after);
	memcpy(out + 28, rid, GKEY_KEY_ID_LEN);
	memcpy(out + 36, sid, GKEY_KEY_ID_LEN);
	memcpy(out + GKEY_RECORD_HDR_LEN, meta->name, n);

	/* need <= out_size, so enc and ct fit exactly after the header. */
	if (pkRm != NULL && pkSm != NULL)
		rc = gkey_hpke_seal_prepared(hc, kem, recipient, pkRm,
		    server_key, pkSm, (const uint8_t *)GKEY_RECORD_INFO,
		    sizeof(GKEY_RECORD_INFO) - 1, out, off, gk, gk_len,
		    out + off, npk, &enc_len, out + off + npk,
		    gk_len + TAG_LEN, &ct_len);
	else
		rc = gkey_hpke_seal_ctx(hc, kem, recipient, server_key, NULL,
		    (const uint8_t *)GKEY_RECORD_INFO,
		    sizeof(GKEY_RECORD_INFO) - 1, out, off, gk, gk_len,
		    out + off, npk, &enc_len, out + off + npk,
		    gk_len + TAG_LEN, &ct_len);
	if (rc != 0) {
		OPENSSL_cleanse(out, need);
		gkey_seterr(err, errlen, "HPKE seal failed");
		return -1;
	}
	if (off + enc_len + ct_len != need) {
		OPENSSL_cleanse(out, need);
		gkey_seterr(err, errlen, "internal error: record length");
		return -1;
	}
	*out_len = need;
	return 0;
}

int
gkey_record_seal_ctx(const struct gkey_hpke_ctx *hc,
    const struct gkey_record_meta *meta, const uint8_t *gk, size_t gk_len,
    EVP_PKEY *recipient, EVP_PKEY *server_key, uint8_t *out,
    size_t out_size, size_t *out_len, char *err, size_t errlen)
{
	unsigned int	suite, server_suite;
	size_t		need;
	uint8_t		rid[GKEY_KEY_ID_LEN], sid[GKEY_KEY_ID_LEN];

	if (out_len != NULL)
		*out_len = 0;
	if (hc == NULL || meta == NULL || gk == NULL || recipient == NULL ||
	    server_key == NULL || out == NULL || out_len == NULL) {
		gkey_seterr(err, errlen, "missing argument");
		return -1;
	}
	if (recipient_suite(recipient, &suite) != 0) {
		gkey_seterr(err, errlen, "unsupported key type");
		return -1;
	}
	if (recipient_suite(server_key, &server_suite) != 0 ||
	    server_suite != suite) {
		gkey_seterr(err, errlen, "no key server key for the recipient's "
		    "key type");
		return -1;
	}
	if (meta_check(meta, gk_len, suite, out_size, &need, err, errlen) != 0)
		return -1;
	if (gkey_key_id(recipient, rid) != 0 ||
	    gkey_key_id(server_key, sid) != 0) {
		gkey_seterr(err, errlen, "cannot compute key id");
		return -1;
	}
	return seal_record(hc, meta, gk, gk_len, suite, recipient, NULL, rid,
	    server_key, NULL, sid, out, need, out_len, err, errlen);
}

int
gkey_record_sender_init(struct gkey_record_sender *s, EVP_PKEY *server_key)
{
	size_t	len;

	if (s == NULL)
		return -1;
	memset(s, 0, sizeof(*s));
	if (server_key == NULL || gkey_kem_of_pkey(server_key, &s->kem) != 0 ||
	    gkey_pkey_raw_public(s->kem, server_key, s->pub, sizeof(s->pub),
	    &len) != 0 || len != gkey_kem_enc_len(s->kem) ||
	    gkey_key_id(server_key, s->id) != 0) {
		memset(s, 0, sizeof(*s));
		return -1;
	}
	s->key = server_key;
	return 0;
}

int
gkey_record_seal_spki(const struct gkey_hpke_ctx *hc,
    const struct gkey_record_meta *meta, const uint8_t *gk, size_t gk_len,
    const uint8_t *spki, size_t spki_len,
    const struct gkey_record_sender *sender, uint8_t *out, size_t out_size,
    size_t *out_len, char *err, size_t errlen)
{
	EVP_PKEY	*recipient = NULL;
	enum gkey_kem	 kem;
	unsigned int	 suite;
	const uint8_t	*pkRm = NULL;
	uint8_t		 rid[GKEY_KEY_ID_LEN], md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	size_t		 need, prefix_len;
	int		 ret = -1;

	if (out_len != NULL)
		*out_len = 0;
	if (hc == NULL || meta == NULL || gk == NULL || spki == NULL ||
	    sender == NULL || sender->key == NULL || out == NULL ||
	    out_len == NULL) {
		gkey_seterr(err, errlen, "missing argument");
		return -1;
	}
	if ((recipient = gkey_pkey_from_spki(hc, spki, spki_len,
	    &kem)) == NULL) {
		gkey_seterr(err, errlen, "unsupported key type");
		return -1;
	}
	suite = kem == GKEY_KEM_P256 ? GKEY_SUITE_P256 : GKEY_SUITE_X25519;
	if (sender->kem != kem) {
		gkey_seterr(err, errlen, "no key server key for the recipient's "
		    "key type");
		goto done;
	}
	if (meta_check(meta, gk_len, suite, out_size, &need, err, errlen) != 0)
		goto done;

	/*
	 * A canonical SPKI (the form gkey_pkey_from_spki() takes apart)
	 * holds the serialised key, and is what the key id hashes; any
	 * other encoding goes the long way.
	 */
	prefix_len = kem == GKEY_KEM_P256 ? GKEY_P256_SPKI_PREFIX_LEN :
	    GKEY_X25519_SPKI_PREFIX_LEN;
	if (spki_len == prefix_len + gkey_kem_enc_len(kem) &&
	    memcmp(spki, kem == GKEY_KEM_P256 ? gkey_p256_spki_prefix :
	    gkey_x25519_spki_prefix, prefix_len) == 0) {
		if (EVP_Digest(spki, spki_len, md, &mdlen, EVP_sha256(),
		    NULL) != 1 || mdlen < GKEY_KEY_ID_LEN) {
			ERR_clear_error();
			gkey_seterr(err, errlen, "cannot compute key id");
			goto done;
		}
		memcpy(rid, md, GKEY_KEY_ID_LEN);
		pkRm = spki + prefix_len;
	} else if (gkey_key_id(recipient, rid) != 0) {
		gkey_seterr(err, errlen, "cannot compute key id");
		goto done;
	}
	ret = seal_record(hc, meta, gk, gk_len, suite, recipient, pkRm, rid,
	    sender->key, pkRm != NULL ? sender->pub : NULL, sender->id, out,
	    need, out_len, err, errlen);
done:
	EVP_PKEY_free(recipient);
	return ret;
}

int
gkey_record_open(const uint8_t *buf, size_t len, EVP_PKEY *node_key,
    EVP_PKEY *const *servers, size_t nservers, uint64_t now,
    struct gkey_record *rec, uint8_t *gk, size_t gk_size, size_t *gk_len,
    char *err, size_t errlen)
{
	struct gkey_record	r;
	EVP_PKEY		*sender = NULL;
	unsigned int		 suite, ssuite;
	uint8_t			 own[GKEY_KEY_ID_LEN], sid[GKEY_KEY_ID_LEN];
	uint8_t			 pt[GKEY_GK_MAX];
	size_t			 i, pt_len = 0;
	char			 perr[128];
	int			 ret = -1;

	if (gk_len != NULL)
		*gk_len = 0;
	if (rec != NULL)
		memset(rec, 0, sizeof(*rec));
	if (node_key == NULL || (servers == NULL && nservers != 0) ||
	    gk == NULL || gk_len == NULL) {
		gkey_seterr(err, errlen, "missing argument");
		return -1;
	}
	if (gkey_record_parse(buf, len, &r, perr, sizeof(perr)) != 0) {
		gkey_seterr(err, errlen, "malformed record: %s", perr);
		return -1;
	}
	if (gk_size < r.gk_len) {
		gkey_seterr(err, errlen, "GK buffer too small");
		return -1;
	}
	if (recipient_suite(node_key, &suite) != 0) {
		gkey_seterr(err, errlen, "unsupported key type");
		return -1;
	}
	if (gkey_key_id(node_key, own) != 0) {
		gkey_seterr(err, errlen, "cannot compute key id");
		return -1;
	}
	if (CRYPTO_memcmp(own, r.recipient_id, GKEY_KEY_ID_LEN) != 0 ||
	    suite != r.suite) {
		gkey_seterr(err, errlen, "record is for another node "
		    "(recipient key id mismatch)");
		return -1;
	}
	for (i = 0; i < nservers && sender == NULL; i++) {
		if (servers[i] == NULL ||
		    recipient_suite(servers[i], &ssuite) != 0 ||
		    ssuite != r.suite || gkey_key_id(servers[i], sid) != 0)
			continue;
		if (memcmp(sid, r.sender_id, GKEY_KEY_ID_LEN) == 0)
			sender = servers[i];
	}
	if (sender == NULL) {
		gkey_seterr(err, errlen, "unknown sender key");
		return -1;
	}
	if (gkey_hpke_open(suite_kem(r.suite), node_key, sender,
	    (const uint8_t *)GKEY_RECORD_INFO, sizeof(GKEY_RECORD_INFO) - 1,
	    buf, r.aad_len, r.enc, r.enc_len, r.ct, r.ct_len, pt, sizeof(pt),
	    &pt_len) != 0) {
		gkey_seterr(err, errlen, "record authentication failed");
		goto done;
	}
	if (pt_len != r.gk_len) {
		/* Cannot happen: the parser fixed ct_len from gk_alg. */
		gkey_seterr(err, errlen, "GK length does not match its algorithm");
		goto done;
	}
	if (now < r.not_before) {
		gkey_seterr(err, errlen, "record not yet valid");
		goto done;
	}
	if (now >= r.not_after) {
		gkey_seterr(err, errlen, "record expired");
		goto done;
	}
	memcpy(gk, pt, pt_len);
	*gk_len = pt_len;
	if (rec != NULL)
		*rec = r;
	ret = 0;
done:
	OPENSSL_cleanse(pt, sizeof(pt));
	return ret;
}
