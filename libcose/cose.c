/*
 * cose.c - seal and open the COSE_Encrypt0 application messages of
 * doc/cose-message.md.  libcbor builds and reads every CBOR item; OpenSSL
 * does AES-CCM with an 8-octet tag and a 13-octet nonce (L = 2).
 */
#include <string.h>

#include <cbor.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cose.h"

/* The only two protected headers: {1: 10} and {1: 11}, deterministic. */
static const uint8_t prot_128[] = { 0xa1, 0x01, 0x0a };
static const uint8_t prot_256[] = { 0xa1, 0x01, 0x0b };
#define PROT_LEN	3

/* Enc_structure: 83 68 "Encrypt0" 43 a1 01 0a 40 is 15 octets. */
#define AAD_MAX		32

#define COSE_LABEL_KID	4
#define COSE_LABEL_IV	5

const char *
gkey_cose_strerror(enum gkey_cose_status st)
{
	switch (st) {
	case GKEY_COSE_OK:		return "ok";
	case GKEY_COSE_TOO_LARGE:	return "too large";
	case GKEY_COSE_MALFORMED_CBOR:	return "malformed CBOR";
	case GKEY_COSE_NOT_TAG16:	return "not tag 16";
	case GKEY_COSE_BAD_STRUCTURE:	return "wrong structure";
	case GKEY_COSE_BAD_PROTECTED:	return "protected header not a1 01 0a or a1 01 0b";
	case GKEY_COSE_OTHER_LABEL:	return "other header label";
	case GKEY_COSE_UNKNOWN_KID:	return "unknown kid";
	case GKEY_COSE_KEY_NOT_VALID:	return "GK not valid now";
	case GKEY_COSE_ALG_MISMATCH:	return "alg does not match the GK";
	case GKEY_COSE_SEQ_ZERO:	return "sequence number 0";
	case GKEY_COSE_REPLAYED:	return "replayed";
	case GKEY_COSE_TOO_OLD:		return "too old for the window";
	case GKEY_COSE_TAG_MISMATCH:	return "tag does not verify";
	case GKEY_COSE_BAD_PLAINTEXT:	return "plaintext not a reading";
	case GKEY_COSE_BAD_ARGUMENT:	return "bad argument";
	case GKEY_COSE_INTERNAL:	return "internal error";
	}
	return "unknown status";
}

void
gkey_cose_kid(uint32_t app_id, uint32_t epoch, uint8_t kid[GKEY_COSE_KID_LEN])
{
	int	i;

	for (i = 0; i < 4; i++) {
		kid[i] = (uint8_t)(app_id >> (24 - 8 * i));
		kid[4 + i] = (uint8_t)(epoch >> (24 - 8 * i));
	}
}

int
gkey_cose_sender_id(const uint8_t *spki, size_t len,
    uint8_t sender[GKEY_COSE_SENDER_LEN])
{
	uint8_t		md[32];
	unsigned int	mdlen = 0;

	if (spki == NULL || len == 0 ||
	    EVP_Digest(spki, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return -1;
	memcpy(sender, md, GKEY_COSE_SENDER_LEN);
	return 0;
}

static void
make_iv(const uint8_t sender[GKEY_COSE_SENDER_LEN], uint64_t seq,
    uint8_t iv[GKEY_COSE_IV_LEN])
{
	int	i;

	memcpy(iv, sender, GKEY_COSE_SENDER_LEN);
	for (i = 0; i < 6; i++)
		iv[GKEY_COSE_SENDER_LEN + i] = (uint8_t)(seq >> (40 - 8 * i));
}

/* ------------------------------------------------------------ CBOR building */

/* An unsigned integer in its shortest form (libcbor keeps the width). */
static cbor_item_t *
build_uint(uint64_t v)
{
	if (v <= UINT8_MAX)
		return cbor_build_uint8((uint8_t)v);
	if (v <= UINT16_MAX)
		return cbor_build_uint16((uint16_t)v);
	if (v <= UINT32_MAX)
		return cbor_build_uint32((uint32_t)v);
	return cbor_build_uint64(v);
}

static cbor_item_t *
build_int(int64_t v)
{
	uint64_t	n;

	if (v >= 0)
		return build_uint((uint64_t)v);
	n = (uint64_t)(-(v + 1));	/* CBOR major type 1 holds -1 - v */
	if (n <= UINT8_MAX)
		return cbor_build_negint8((uint8_t)n);
	if (n <= UINT16_MAX)
		return cbor_build_negint16((uint16_t)n);
	if (n <= UINT32_MAX)
		return cbor_build_negint32((uint32_t)n);
	return cbor_build_negint64(n);
}

/* Adds k: v to map and drops the caller's references; NULLs fail. */
static int
map_put(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
	bool	ok = false;

	if (k != NULL && v != NULL)
		ok = cbor_map_add(map, (struct cbor_pair){ .key = k, .value = v });
	if (k != NULL)
		cbor_decref(&k);
	if (v != NULL)
		cbor_decref(&v);
	return ok ? 0 : -1;
}

/* Appends it to array and drops the caller's reference; NULL fails. */
static int
array_put(cbor_item_t *array, cbor_item_t *it)
{
	bool	ok;

	if (it == NULL)
		return -1;
	ok = cbor_array_push(array, it);
	cbor_decref(&it);
	return ok ? 0 : -1;
}

/* Serializes item into out; 0 with *len, -1 if it does not fit. */
static int
serialize(cbor_item_t *item, uint8_t *out, size_t size, size_t *len)
{
	if (item == NULL)
		return -1;
	*len = cbor_serialize(item, out, size);
	return *len == 0 ? -1 : 0;
}

static int
encode_reading(const struct gkey_reading *r, uint8_t *out, size_t size,
    size_t *len)
{
	cbor_item_t	*map;
	int		 ret = -1;

	if ((map = cbor_new_definite_map(4)) == NULL)
		return -1;
	if (map_put(map, cbor_build_string("n"), cbor_build_stringn(r->name,
	    strnlen(r->name, sizeof(r->name)))) != 0 ||
	    map_put(map, cbor_build_string("t"), build_uint(r->time)) != 0 ||
	    map_put(map, cbor_build_string("v"), r->is_float ?
	    cbor_build_float8(r->fvalue) : build_int(r->ivalue)) != 0 ||
	    map_put(map, cbor_build_string("u"), cbor_build_stringn(r->unit,
	    strnlen(r->unit, sizeof(r->unit)))) != 0)
		goto done;
	ret = serialize(map, out, size, len);
done:
	cbor_decref(&map);
	return ret;
}

/* The protected header {1: alg}, built and serialized by libcbor. */
static int
encode_protected(uint64_t alg, uint8_t *out, size_t size, size_t *len)
{
	cbor_item_t	*map;
	int		 ret = -1;

	if ((map = cbor_new_definite_map(1)) == NULL)
		return -1;
	if (map_put(map, build_uint(1), build_uint(alg)) == 0)
		ret = serialize(map, out, size, len);
	cbor_decref(&map);
	return ret;
}

/* RFC 9052 section 5.3: Enc_structure ["Encrypt0", protected, h'']. */
static int
encode_aad(const uint8_t *prot, size_t prot_len, uint8_t *out, size_t size,
    size_t *len)
{
	cbor_item_t	*a;
	int		 ret = -1;

	if ((a = cbor_new_definite_array(3)) == NULL)
		return -1;
	if (array_put(a, cbor_build_string("Encrypt0")) == 0 &&
	    array_put(a, cbor_build_bytestring(prot, prot_len)) == 0 &&
	    array_put(a, cbor_build_bytestring(NULL, 0)) == 0)
		ret = serialize(a, out, size, len);
	cbor_decref(&a);
	return ret;
}

static int
encode_message(const uint8_t *prot, size_t prot_len,
    const uint8_t kid[GKEY_COSE_KID_LEN], const uint8_t iv[GKEY_COSE_IV_LEN],
    const uint8_t *ct, size_t ct_len, uint8_t *out, size_t size, size_t *len)
{
	cbor_item_t	*a, *hdr = NULL, *tag = NULL;
	int		 ret = -1;

	if ((a = cbor_new_definite_array(3)) == NULL)
		return -1;
	if ((hdr = cbor_new_definite_map(2)) == NULL ||
	    map_put(hdr, build_uint(COSE_LABEL_KID),
	    cbor_build_bytestring(kid, GKEY_COSE_KID_LEN)) != 0 ||
	    map_put(hdr, build_uint(COSE_LABEL_IV),
	    cbor_build_bytestring(iv, GKEY_COSE_IV_LEN)) != 0)
		goto done;
	if (array_put(a, cbor_build_bytestring(prot, prot_len)) != 0 ||
	    !cbor_array_push(a, hdr) ||
	    array_put(a, cbor_build_bytestring(ct, ct_len)) != 0)
		goto done;
	if ((tag = cbor_build_tag(GKEY_COSE_TAG, a)) == NULL)
		goto done;
	ret = serialize(tag, out, size, len);
done:
	if (tag != NULL)
		cbor_decref(&tag);
	if (hdr != NULL)
		cbor_decref(&hdr);
	cbor_decref(&a);
	return ret;
}

/* ------------------------------------------------------------ AES-CCM */

static const EVP_CIPHER *
ccm_cipher(size_t gk_len)
{
	if (gk_len == 16)
		return EVP_aes_128_ccm();
	if (gk_len == 32)
		return EVP_aes_256_ccm();
	return NULL;
}

/* out gets pt_len octets of ciphertext and then the 8-octet tag. */
static int
ccm_seal(const struct gkey_cose_key *key, const uint8_t iv[GKEY_COSE_IV_LEN],
    const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len,
    uint8_t *out)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n, ret = -1;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_EncryptInit_ex(ctx, ccm_cipher(key->gk_len), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, GKEY_COSE_IV_LEN, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, GKEY_COSE_CCM_TAG_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key->gk, iv) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &n, NULL, (int)pt_len) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &n, pt, (int)pt_len) != 1 ||
	    (size_t)n != pt_len ||
	    EVP_EncryptFinal_ex(ctx, out + pt_len, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, GKEY_COSE_CCM_TAG_LEN,
	    out + pt_len) != 1)
		goto done;
	ret = 0;
done:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* 0 and pt[0..ct_len - 8), 1 if the tag does not verify, -1 on trouble. */
static int
ccm_open(const struct gkey_cose_key *key, const uint8_t iv[GKEY_COSE_IV_LEN],
    const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len,
    uint8_t *pt)
{
	EVP_CIPHER_CTX	*ctx;
	size_t		 len = ct_len - GKEY_COSE_CCM_TAG_LEN;
	uint8_t		 tag[GKEY_COSE_CCM_TAG_LEN];
	int		 n, ret = -1;

	memcpy(tag, ct + len, sizeof(tag));
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_DecryptInit_ex(ctx, ccm_cipher(key->gk_len), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, GKEY_COSE_IV_LEN, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, sizeof(tag), tag) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key->gk, iv) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, NULL, (int)len) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1)
		goto done;
	/* CCM checks the tag in this last update. */
	if (EVP_DecryptUpdate(ctx, pt, &n, ct, (int)len) != 1) {
		OPENSSL_cleanse(pt, len);
		ret = 1;
		goto done;
	}
	ret = 0;
done:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* ------------------------------------------------------------ seal */

enum gkey_cose_status
gkey_cose_seal(const struct gkey_reading *reading,
    const struct gkey_cose_key *key, const uint8_t sender[GKEY_COSE_SENDER_LEN],
    uint64_t seq, uint8_t *out, size_t out_size, size_t *out_len)
{
	uint8_t			 pt[GKEY_COSE_MSG_MAX], ct[GKEY_COSE_MSG_MAX];
	uint8_t			 prot[8], aad[AAD_MAX], kid[GKEY_COSE_KID_LEN];
	uint8_t			 iv[GKEY_COSE_IV_LEN];
	size_t			 pt_len, prot_len, aad_len, len;
	enum gkey_cose_status	 st = GKEY_COSE_BAD_ARGUMENT;

	*out_len = 0;
	if (reading == NULL || key == NULL || ccm_cipher(key->gk_len) == NULL ||
	    seq == 0 || seq > GKEY_COSE_SEQ_MAX)
		return GKEY_COSE_BAD_ARGUMENT;
	if (encode_reading(reading, pt, sizeof(pt) - GKEY_COSE_CCM_TAG_LEN,
	    &pt_len) != 0)
		goto done;	/* too long for one datagram */
	st = GKEY_COSE_INTERNAL;
	if (encode_protected(key->gk_len == 16 ? GKEY_COSE_ALG_128 :
	    GKEY_COSE_ALG_256, prot, sizeof(prot), &prot_len) != 0 ||
	    encode_aad(prot, prot_len, aad, sizeof(aad), &aad_len) != 0)
		goto done;
	gkey_cose_kid(key->app_id, key->epoch, kid);
	make_iv(sender, seq, iv);
	if (ccm_seal(key, iv, aad, aad_len, pt, pt_len, ct) != 0)
		goto done;
	if (encode_message(prot, prot_len, kid, iv, ct,
	    pt_len + GKEY_COSE_CCM_TAG_LEN, out, out_size < GKEY_COSE_MSG_MAX ?
	    out_size : GKEY_COSE_MSG_MAX, &len) != 0) {
		st = GKEY_COSE_TOO_LARGE;
		goto done;
	}
	*out_len = len;
	st = GKEY_COSE_OK;
done:
	OPENSSL_cleanse(pt, sizeof(pt));
	return st;
}

/* ------------------------------------------------------------ open */

/* What the outer structure holds, pointing into libcbor's items. */
struct parsed {
	const uint8_t	*prot;
	size_t		 prot_len;
	const uint8_t	*kid;
	const uint8_t	*iv;
	const uint8_t	*ct;
	size_t		 ct_len;
};

static int
is_bstr(const cbor_item_t *it)
{
	return cbor_isa_bytestring(it) && cbor_bytestring_is_definite(it);
}

/* The unprotected map: exactly {4: bstr(8), 5: bstr(13)}, in any order. */
static enum gkey_cose_status
parse_unprotected(const cbor_item_t *map, struct parsed *p)
{
	struct cbor_pair	*pair;
	size_t			 i, n;
	uint64_t		 label;

	if (!cbor_isa_map(map) || !cbor_map_is_definite(map))
		return GKEY_COSE_BAD_STRUCTURE;
	n = cbor_map_size(map);
	pair = cbor_map_handle(map);
	for (i = 0; i < n; i++) {
		if (!cbor_isa_uint(pair[i].key))
			return GKEY_COSE_OTHER_LABEL;
		label = cbor_get_int(pair[i].key);
		if (label == COSE_LABEL_KID && p->kid == NULL) {
			if (!is_bstr(pair[i].value) ||
			    cbor_bytestring_length(pair[i].value) != GKEY_COSE_KID_LEN)
				return GKEY_COSE_BAD_STRUCTURE;
			p->kid = cbor_bytestring_handle(pair[i].value);
		} else if (label == COSE_LABEL_IV && p->iv == NULL) {
			if (!is_bstr(pair[i].value) ||
			    cbor_bytestring_length(pair[i].value) != GKEY_COSE_IV_LEN)
				return GKEY_COSE_BAD_STRUCTURE;
			p->iv = cbor_bytestring_handle(pair[i].value);
		} else if (label == COSE_LABEL_KID || label == COSE_LABEL_IV) {
			return GKEY_COSE_BAD_STRUCTURE;	/* a duplicate */
		} else {
			return GKEY_COSE_OTHER_LABEL;
		}
	}
	if (p->kid == NULL || p->iv == NULL)
		return GKEY_COSE_BAD_STRUCTURE;
	return GKEY_COSE_OK;
}

/*
 * libcbor's cbor_load() allocates an array's or a map's declared size
 * before it reads the items, so a 6-octet datagram could ask for
 * gigabytes.  A first pass with libcbor's streaming decoder refuses a
 * count larger than the octets left (each item takes one at least).
 */
struct scan {
	size_t	left;
	int	bad;
};

static void
scan_array(void *ctx, size_t n)
{
	struct scan	*sc = ctx;

	if (n > sc->left)
		sc->bad = 1;
}

static void
scan_map(void *ctx, size_t n)
{
	struct scan	*sc = ctx;

	if (n > sc->left / 2)
		sc->bad = 1;
}

/* cbor_load() of exactly one item filling buf[0..len), or NULL. */
static cbor_item_t *
load_one(const uint8_t *buf, size_t len)
{
	struct cbor_callbacks		cb = cbor_empty_callbacks;
	struct cbor_decoder_result	dr;
	struct cbor_load_result		res;
	struct scan			sc = { 0, 0 };
	cbor_item_t			*item;
	size_t				off = 0;

	cb.array_start = scan_array;
	cb.map_start = scan_map;
	while (off < len) {
		sc.left = len - off;
		dr = cbor_stream_decode(buf + off, len - off, &cb, &sc);
		if (dr.status != CBOR_DECODER_FINISHED || dr.read == 0 || sc.bad)
			return NULL;
		off += dr.read;
	}
	if ((item = cbor_load(buf, len, &res)) == NULL)
		return NULL;
	if (res.error.code != CBOR_ERR_NONE || res.read != len) {
		cbor_decref(&item);
		return NULL;
	}
	return item;
}

/*
 * The head of a leading tag (RFC 8949 major type 6): 0 with its value
 * and length, or -1 if msg does not start with one.  libcbor 0.8 (Debian
 * 12) refuses tags 6..20 in their one-octet form, 16 among them (fixed
 * in libcbor 0.9), so the tag head is read here and the tagged item by
 * libcbor.
 */
static int
tag_head(const uint8_t *msg, size_t len, uint64_t *value, size_t *head)
{
	size_t	n, i;

	if (len < 1 || (msg[0] >> 5) != 6)
		return -1;
	if ((msg[0] & 0x1f) < 24) {
		*value = msg[0] & 0x1f;
		*head = 1;
		return 0;
	}
	if ((msg[0] & 0x1f) > 27)
		return -1;	/* reserved or indefinite: malformed */
	n = (size_t)1 << ((msg[0] & 0x1f) - 24);
	if (len < 1 + n)
		return -1;
	*value = 0;
	for (i = 0; i < n; i++)
		*value = *value << 8 | msg[1 + i];
	*head = 1 + n;
	return 0;
}

/* 16([protected, unprotected, ciphertext]); *root gets libcbor's item. */
static enum gkey_cose_status
parse_outer(const uint8_t *msg, size_t len, cbor_item_t **root,
    struct parsed *p)
{
	cbor_item_t		**a;
	uint64_t		  tag;
	size_t			  head;
	enum gkey_cose_status	  st;

	if (tag_head(msg, len, &tag, &head) != 0) {
		/* Well-formed but untagged, or not CBOR at all. */
		if ((*root = load_one(msg, len)) == NULL)
			return GKEY_COSE_MALFORMED_CBOR;
		return GKEY_COSE_NOT_TAG16;
	}
	if (tag != GKEY_COSE_TAG)
		return GKEY_COSE_NOT_TAG16;
	if ((*root = load_one(msg + head, len - head)) == NULL)
		return GKEY_COSE_MALFORMED_CBOR;
	st = GKEY_COSE_BAD_STRUCTURE;
	if (!cbor_isa_array(*root) || !cbor_array_is_definite(*root) ||
	    cbor_array_size(*root) != 3)
		return st;
	a = cbor_array_handle(*root);
	if (!is_bstr(a[0]) || !is_bstr(a[2]))
		return st;
	/* Checked as sent (section 2), before anything else is believed. */
	p->prot = cbor_bytestring_handle(a[0]);
	p->prot_len = cbor_bytestring_length(a[0]);
	if (p->prot_len != PROT_LEN ||
	    (memcmp(p->prot, prot_128, PROT_LEN) != 0 &&
	    memcmp(p->prot, prot_256, PROT_LEN) != 0))
		return GKEY_COSE_BAD_PROTECTED;
	if ((st = parse_unprotected(a[1], p)) != GKEY_COSE_OK)
		return st;
	p->ct = cbor_bytestring_handle(a[2]);
	p->ct_len = cbor_bytestring_length(a[2]);
	if (p->ct_len <= GKEY_COSE_CCM_TAG_LEN)
		return GKEY_COSE_BAD_STRUCTURE;
	return GKEY_COSE_OK;
}

static const struct gkey_cose_key *
find_key(const struct gkey_cose_keys *keys, uint32_t app_id, uint32_t epoch)
{
	size_t	i;

	for (i = 0; i < keys->n; i++)
		if (keys->key[i].app_id == app_id && keys->key[i].epoch == epoch)
			return &keys->key[i];
	return NULL;
}

static struct gkey_cose_window *
find_window(struct gkey_cose_replay *r, const uint8_t *kid,
    const uint8_t *sender)
{
	size_t	i;

	for (i = 0; i < GKEY_COSE_REPLAY_MAX; i++)
		if (r->w[i].used != 0 &&
		    memcmp(r->w[i].kid, kid, GKEY_COSE_KID_LEN) == 0 &&
		    memcmp(r->w[i].sender, sender, GKEY_COSE_SENDER_LEN) == 0)
			return &r->w[i];
	return NULL;
}

/* RFC 4303 section 3.4.3, with a 64-bit bitmap; w NULL is a new sender. */
static enum gkey_cose_status
window_check(const struct gkey_cose_window *w, uint64_t seq)
{
	uint64_t	diff;

	if (w == NULL || seq > w->top)
		return GKEY_COSE_OK;
	diff = w->top - seq;
	if (diff >= GKEY_COSE_WINDOW)
		return GKEY_COSE_TOO_OLD;
	if (w->bitmap & (UINT64_C(1) << diff))
		return GKEY_COSE_REPLAYED;
	return GKEY_COSE_OK;
}

static void
window_update(struct gkey_cose_replay *r, struct gkey_cose_window *w,
    const uint8_t *kid, const uint8_t *sender, uint64_t seq)
{
	uint64_t	shift;
	size_t		i;

	if (w == NULL) {
		/* A free entry, or the one updated longest ago. */
		w = &r->w[0];
		for (i = 1; i < GKEY_COSE_REPLAY_MAX && w->used != 0; i++)
			if (r->w[i].used < w->used)
				w = &r->w[i];
		memcpy(w->kid, kid, GKEY_COSE_KID_LEN);
		memcpy(w->sender, sender, GKEY_COSE_SENDER_LEN);
		w->top = seq;
		w->bitmap = 1;
	} else if (seq > w->top) {
		shift = seq - w->top;
		w->bitmap = shift >= GKEY_COSE_WINDOW ? 0 : w->bitmap << shift;
		w->bitmap |= 1;
		w->top = seq;
	} else {
		w->bitmap |= UINT64_C(1) << (w->top - seq);
	}
	w->used = ++r->tick;
}

static int
text_copy(const cbor_item_t *it, char *out, size_t size)
{
	size_t	len;

	if (!cbor_isa_string(it) || !cbor_string_is_definite(it))
		return -1;
	len = cbor_string_length(it);
	if (len >= size || memchr(cbor_string_handle(it), '\0', len) != NULL)
		return -1;
	memcpy(out, cbor_string_handle(it), len);
	out[len] = '\0';
	return 0;
}

static int
value_copy(const cbor_item_t *it, struct gkey_reading *r)
{
	uint64_t	n;

	if (cbor_isa_uint(it)) {
		if ((n = cbor_get_int(it)) > INT64_MAX)
			return -1;
		r->ivalue = (int64_t)n;
	} else if (cbor_isa_negint(it)) {
		if ((n = cbor_get_int(it)) > INT64_MAX)
			return -1;
		r->ivalue = -1 - (int64_t)n;
	} else if (cbor_isa_float_ctrl(it) && !cbor_float_ctrl_is_ctrl(it)) {
		r->is_float = 1;
		r->fvalue = cbor_float_get_float(it);
	} else {
		return -1;
	}
	return 0;
}

/*
 * The sample map: "n", "t", "v", "u" once each, with their types; other
 * keys are the application's and are skipped.
 */
static int
decode_reading(const uint8_t *pt, size_t len, struct gkey_reading *r)
{
	struct cbor_pair	*pair;
	cbor_item_t		*map;
	const unsigned char	*k;
	size_t			 i, n;
	unsigned		 seen = 0, bit;
	int			 ret = -1;

	memset(r, 0, sizeof(*r));
	if ((map = load_one(pt, len)) == NULL)
		return -1;
	if (!cbor_isa_map(map) || !cbor_map_is_definite(map))
		goto done;
	n = cbor_map_size(map);
	pair = cbor_map_handle(map);
	for (i = 0; i < n; i++) {
		if (!cbor_isa_string(pair[i].key) ||
		    !cbor_string_is_definite(pair[i].key) ||
		    cbor_string_length(pair[i].key) != 1)
			continue;
		k = cbor_string_handle(pair[i].key);
		bit = k[0] == 'n' ? 1 : k[0] == 't' ? 2 : k[0] == 'v' ? 4 :
		    k[0] == 'u' ? 8 : 0;
		if (bit == 0)
			continue;
		if (seen & bit)
			goto done;
		seen |= bit;
		if ((bit == 1 && text_copy(pair[i].value, r->name,
		    sizeof(r->name)) != 0) ||
		    (bit == 2 && !cbor_isa_uint(pair[i].value)) ||
		    (bit == 4 && value_copy(pair[i].value, r) != 0) ||
		    (bit == 8 && text_copy(pair[i].value, r->unit,
		    sizeof(r->unit)) != 0))
			goto done;
		if (bit == 2)
			r->time = cbor_get_int(pair[i].value);
	}
	if (seen == 15)
		ret = 0;
done:
	cbor_decref(&map);
	return ret;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

enum gkey_cose_status
gkey_cose_open(const uint8_t *msg, size_t len,
    const struct gkey_cose_keys *keys, struct gkey_cose_replay *replay,
    uint64_t now, struct gkey_reading *reading, struct gkey_cose_info *info)
{
	struct parsed			 p;
	cbor_item_t			*root = NULL;
	struct gkey_cose_window		*w;
	const struct gkey_cose_key	*key;
	uint8_t				 aad[AAD_MAX], pt[GKEY_COSE_MSG_MAX];
	size_t				 aad_len, i;
	enum gkey_cose_status		 st;
	int				 r;

	memset(&p, 0, sizeof(p));
	memset(info, 0, sizeof(*info));
	memset(reading, 0, sizeof(*reading));
	if (len > GKEY_COSE_MSG_MAX)
		return GKEY_COSE_TOO_LARGE;
	if ((st = parse_outer(msg, len, &root, &p)) != GKEY_COSE_OK)
		goto done;
	info->app_id = be32(p.kid);
	info->epoch = be32(p.kid + 4);
	memcpy(info->sender, p.iv, GKEY_COSE_SENDER_LEN);
	for (i = 0; i < 6; i++)
		info->seq = info->seq << 8 | p.iv[GKEY_COSE_SENDER_LEN + i];
	if ((key = find_key(keys, info->app_id, info->epoch)) == NULL) {
		st = GKEY_COSE_UNKNOWN_KID;
		goto done;
	}
	info->key = key;
	if (now < key->not_before || now > key->not_after) {
		st = GKEY_COSE_KEY_NOT_VALID;
		goto done;
	}
	if ((p.prot[2] == GKEY_COSE_ALG_128) != (key->gk_len == 16)) {
		st = GKEY_COSE_ALG_MISMATCH;
		goto done;
	}
	if (info->seq == 0) {
		st = GKEY_COSE_SEQ_ZERO;
		goto done;
	}
	/* Cheap refusals first; the window itself moves only after the tag. */
	w = find_window(replay, p.kid, info->sender);
	if ((st = window_check(w, info->seq)) != GKEY_COSE_OK)
		goto done;
	st = GKEY_COSE_INTERNAL;
	if (encode_aad(p.prot, p.prot_len, aad, sizeof(aad), &aad_len) != 0)
		goto done;
	if ((r = ccm_open(key, p.iv, aad, aad_len, p.ct, p.ct_len, pt)) != 0) {
		if (r == 1)
			st = GKEY_COSE_TAG_MISMATCH;
		goto done;
	}
	window_update(replay, w, p.kid, info->sender, info->seq);
	st = GKEY_COSE_OK;
	if (decode_reading(pt, p.ct_len - GKEY_COSE_CCM_TAG_LEN, reading) != 0) {
		memset(reading, 0, sizeof(*reading));
		st = GKEY_COSE_BAD_PLAINTEXT;
	}
done:
	OPENSSL_cleanse(pt, sizeof(pt));
	if (root != NULL)
		cbor_decref(&root);
	return st;
}
