/*
 * hpke.c - RFC 9180 HPKE (base and auth mode, single shot) on OpenSSL 3.0.
 *
 * Names follow the RFC: LabeledExtract, LabeledExpand, ExtractAndExpand,
 * KeySchedule.  HKDF is OpenSSL's EVP_KDF "HKDF" in EXTRACT_ONLY and
 * EXPAND_ONLY modes, so each labeled step is exactly one RFC 5869 step.
 */
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include "aesgcm.h"
#include "hpke.h"
#include "hpke_int.h"

#define NH		32	/* HKDF-SHA256 output, Nh */
#define NSECRET		32	/* Nsecret of both DHKEMs */
#define NDH		32	/* length of one DH output, both curves */
#define NK		16	/* AES-128-GCM key */
#define NN		12	/* AES-128-GCM nonce */
#define P256_SCALAR	32
#define X25519_LEN	32

#define KEM_SUITE_LEN	5	/* "KEM" || I2OSP(kem_id, 2) */
#define HPKE_SUITE_LEN	10	/* "HPKE" || kem || kdf || aead */
#define LABEL_MAX	16	/* longest RFC 9180 label is "shared_secret" */
#define VERSION_LABEL	"HPKE-v1"
#define VERSION_LEN	(sizeof(VERSION_LABEL) - 1)

/* Longest ikm fed to LabeledExtract: the info of the key schedule. */
#define IKM_MAX		GKEY_HPKE_INFO_MAX
/* Longest info fed to LabeledExpand: kem_context in auth mode. */
#define EXPAND_INFO_MAX	(3 * GKEY_HPKE_ENC_MAX)

/* hpke.h says what is shared and who frees. */
struct gkey_hpke_ctx {
	OSSL_LIB_CTX	*libctx;	/* borrowed */
	const char	*propq;		/* borrowed */
	EVP_KDF		*hkdf;
	EVP_CIPHER	*aead;		/* AES-128-GCM */
	EVP_PKEY	*p256_params;	/* P-256 group, no key */
};

void
gkey_hpke_ctx_free(struct gkey_hpke_ctx *hc)
{
	if (hc == NULL)
		return;
	EVP_KDF_free(hc->hkdf);
	EVP_CIPHER_free(hc->aead);
	EVP_PKEY_free(hc->p256_params);
	OPENSSL_free(hc);
}

struct gkey_hpke_ctx *
gkey_hpke_ctx_new(OSSL_LIB_CTX *libctx, const char *propq)
{
	struct gkey_hpke_ctx	*hc;
	EVP_PKEY_CTX		*pctx = NULL;
	int			 ok = 0;

	if ((hc = OPENSSL_zalloc(sizeof(*hc))) == NULL)
		goto done;
	hc->libctx = libctx;
	hc->propq = propq;
	if ((hc->hkdf = EVP_KDF_fetch(libctx, OSSL_KDF_NAME_HKDF,
	    propq)) == NULL ||
	    (hc->aead = EVP_CIPHER_fetch(libctx, "AES-128-GCM",
	    propq)) == NULL)
		goto done;
	if (EVP_CIPHER_get_key_length(hc->aead) != NK)
		goto done;
	/* Domain parameters only: keygen from them skips the name lookup. */
	if ((pctx = EVP_PKEY_CTX_new_from_name(libctx, "EC", propq)) == NULL ||
	    EVP_PKEY_paramgen_init(pctx) != 1 ||
	    EVP_PKEY_CTX_set_group_name(pctx, SN_X9_62_prime256v1) != 1 ||
	    EVP_PKEY_paramgen(pctx, &hc->p256_params) != 1)
		goto done;
	ok = 1;
done:
	EVP_PKEY_CTX_free(pctx);
	if (!ok) {
		gkey_hpke_ctx_free(hc);
		hc = NULL;
		ERR_clear_error();
	}
	return hc;
}

size_t
gkey_kem_enc_len(enum gkey_kem kem)
{
	switch (kem) {
	case GKEY_KEM_P256:
		return 65;
	case GKEY_KEM_X25519:
		return 32;
	}
	return 0;
}

static int
is_p256(EVP_PKEY *pk)
{
	char	name[64];
	size_t	len = 0;
	int	nid;

	if (!EVP_PKEY_is_a(pk, "EC"))
		return 0;
	/* Keys with explicit curve parameters have no group name: refused. */
	if (EVP_PKEY_get_group_name(pk, name, sizeof(name), &len) != 1 ||
	    len == 0 || len >= sizeof(name))
		return 0;
	nid = OBJ_sn2nid(name);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(name);
	return nid == NID_X9_62_prime256v1;
}

/*
 * DER SubjectPublicKeyInfo of a P-256 key up to the point: SEQUENCE {
 * SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (66 octets) }.
 */
const uint8_t gkey_p256_spki_prefix[GKEY_P256_SPKI_PREFIX_LEN] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86,
	0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
	0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x42, 0x00,
};

const uint8_t gkey_x25519_spki_prefix[GKEY_X25519_SPKI_PREFIX_LEN] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
	0x6e, 0x03, 0x21, 0x00,
};

int
gkey_spki_kem(const uint8_t *der, size_t len, enum gkey_kem *kem)
{
	const uint8_t	*p = der;
	EVP_PKEY	*pk;
	int		 ret;

	if (der == NULL || kem == NULL || len == 0 || len > LONG_MAX)
		return -1;
	if (len == GKEY_P256_SPKI_PREFIX_LEN + 65 &&
	    memcmp(der, gkey_p256_spki_prefix, GKEY_P256_SPKI_PREFIX_LEN) == 0 &&
	    der[GKEY_P256_SPKI_PREFIX_LEN] == 0x04) {
		*kem = GKEY_KEM_P256;
		return 0;
	}
	if (len == GKEY_X25519_SPKI_PREFIX_LEN + 32 &&
	    memcmp(der, gkey_x25519_spki_prefix,
	    GKEY_X25519_SPKI_PREFIX_LEN) == 0) {
		*kem = GKEY_KEM_X25519;
		return 0;
	}
	/* Another encoding or another key type: decode to tell. */
	if ((pk = d2i_PUBKEY(NULL, &p, (long)len)) == NULL) {
		ERR_clear_error();
		return -1;
	}
	ret = (p == der + len) ? gkey_kem_of_pkey(pk, kem) : -1;
	EVP_PKEY_free(pk);
	return ret;
}

int
gkey_kem_of_pkey(EVP_PKEY *pk, enum gkey_kem *kem)
{
	if (pk == NULL || kem == NULL)
		return -1;
	if (EVP_PKEY_is_a(pk, "X25519")) {
		*kem = GKEY_KEM_X25519;
		return 0;
	}
	if (is_p256(pk)) {
		*kem = GKEY_KEM_P256;
		return 0;
	}
	ERR_clear_error();
	return -1;
}

static int
key_is_kem(EVP_PKEY *pk, enum gkey_kem kem)
{
	enum gkey_kem	k;

	return gkey_kem_of_pkey(pk, &k) == 0 && k == kem;
}

/* An EC key on P-256 from its group, optional private scalar and point. */
static EVP_PKEY *
p256_fromdata(OSSL_LIB_CTX *libctx, const char *propq, const BIGNUM *priv,
    const uint8_t *pub, size_t pub_len)
{
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*pctx = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto done;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    SN_X9_62_prime256v1, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, pub_len) != 1)
		goto done;
	if (priv != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1)
		goto done;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto done;
	if ((pctx = EVP_PKEY_CTX_new_from_name(libctx, "EC", propq)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) != 1 ||
	    EVP_PKEY_fromdata(pctx, &pkey, priv != NULL ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, params) != 1) {
		pkey = NULL;
		goto done;
	}
done:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);	/* the secure part is cleared */
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/*
 * EVP_PKEY_fromdata() does not compute the public point of an EC private
 * key, and HPKE needs it (pkSm, pkRm in kem_context), so compute it with
 * the EC_POINT API, which OpenSSL 3.0 has not deprecated.
 */
static EVP_PKEY *
p256_from_private(const uint8_t *sk, size_t sk_len)
{
	EC_GROUP	*group = NULL;
	EC_POINT	*point = NULL;
	BN_CTX		*bnctx = NULL;
	BIGNUM		*priv = NULL;
	EVP_PKEY	*pkey = NULL;
	uint8_t		 pub[65];

	if (sk_len != P256_SCALAR)
		return NULL;
	if ((group = EC_GROUP_new_by_curve_name_ex(NULL, NULL,
	    NID_X9_62_prime256v1)) == NULL ||
	    (bnctx = BN_CTX_secure_new()) == NULL ||
	    (priv = BN_secure_new()) == NULL ||
	    (point = EC_POINT_new(group)) == NULL)
		goto done;
	if (BN_bin2bn(sk, (int)sk_len, priv) == NULL)
		goto done;
	if (BN_is_zero(priv) || BN_cmp(priv, EC_GROUP_get0_order(group)) >= 0)
		goto done;
	if (EC_POINT_mul(group, point, priv, NULL, NULL, bnctx) != 1 ||
	    EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED,
	    pub, sizeof(pub), bnctx) != sizeof(pub))
		goto done;
	pkey = p256_fromdata(NULL, NULL, priv, pub, sizeof(pub));
done:
	BN_clear_free(priv);
	BN_CTX_free(bnctx);
	EC_POINT_free(point);
	EC_GROUP_free(group);
	return pkey;
}

EVP_PKEY *
gkey_pkey_from_raw_private(enum gkey_kem kem, const uint8_t *sk,
    size_t sk_len)
{
	EVP_PKEY	*pkey = NULL;

	if (sk == NULL)
		return NULL;
	switch (kem) {
	case GKEY_KEM_P256:
		pkey = p256_from_private(sk, sk_len);
		break;
	case GKEY_KEM_X25519:
		if (sk_len == X25519_LEN)
			pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519",
			    NULL, sk, sk_len);
		break;
	}
	if (pkey == NULL)
		ERR_clear_error();
	return pkey;
}

/*
 * The quick check (the point is on the curve, not at infinity) is the
 * whole check for P-256: its cofactor is 1, so the full one's extra
 * multiplication by the order can only repeat it, at the cost of a
 * scalar multiplication.
 */
static int
p256_public_ok(OSSL_LIB_CTX *libctx, const char *propq, EVP_PKEY *pkey)
{
	EVP_PKEY_CTX	*cctx;
	int		 ok;

	if ((cctx = EVP_PKEY_CTX_new_from_pkey(libctx, pkey, propq)) == NULL)
		return 0;
	ok = EVP_PKEY_public_check_quick(cctx) == 1;
	EVP_PKEY_CTX_free(cctx);
	return ok;
}

/*
 * With a context, a copy of its P-256 parameters gets the point: that
 * reuses the group instead of building one from its name.  Setting the
 * point decodes it, which refuses a point that is not on the curve.
 */
static EVP_PKEY *
p256_public(const struct gkey_hpke_ctx *hc, const uint8_t *pk,
    size_t pk_len)
{
	EVP_PKEY	*pkey;

	if (hc == NULL)
		return p256_fromdata(NULL, NULL, NULL, pk, pk_len);
	if ((pkey = EVP_PKEY_dup(hc->p256_params)) == NULL)
		return NULL;
	if (EVP_PKEY_set1_encoded_public_key(pkey, pk, pk_len) != 1) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return pkey;
}

/* DeserializePublicKey(); hc may be NULL (the default library context). */
static EVP_PKEY *
raw_public(const struct gkey_hpke_ctx *hc, enum gkey_kem kem,
    const uint8_t *pk, size_t pk_len)
{
	OSSL_LIB_CTX	*libctx = hc != NULL ? hc->libctx : NULL;
	const char	*propq = hc != NULL ? hc->propq : NULL;
	EVP_PKEY	*pkey = NULL;

	if (pk == NULL)
		return NULL;
	switch (kem) {
	case GKEY_KEM_P256:
		/* DeserializePublicKey takes the uncompressed form only. */
		if (pk_len != 65 || pk[0] != 0x04)
			break;
		if ((pkey = p256_public(hc, pk, pk_len)) == NULL)
			break;
		/*
		 * Decoding checks the point is on the curve; without a
		 * context (fromdata) be explicit.
		 */
		if (hc == NULL && !p256_public_ok(libctx, propq, pkey)) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		break;
	case GKEY_KEM_X25519:
		if (pk_len == X25519_LEN)
			pkey = EVP_PKEY_new_raw_public_key_ex(libctx, "X25519",
			    propq, pk, pk_len);
		break;
	}
	if (pkey == NULL)
		ERR_clear_error();
	return pkey;
}

EVP_PKEY *
gkey_pkey_from_raw_public(enum gkey_kem kem, const uint8_t *pk,
    size_t pk_len)
{
	return raw_public(NULL, kem, pk, pk_len);
}

EVP_PKEY *
gkey_pkey_from_spki(const struct gkey_hpke_ctx *hc, const uint8_t *der,
    size_t len, enum gkey_kem *kem)
{
	OSSL_LIB_CTX	*libctx = hc != NULL ? hc->libctx : NULL;
	const char	*propq = hc != NULL ? hc->propq : NULL;
	const uint8_t	*p = der;
	EVP_PKEY	*pk;
	enum gkey_kem	 k;

	if (der == NULL || kem == NULL || len == 0 || len > LONG_MAX)
		return NULL;
	if (len == GKEY_P256_SPKI_PREFIX_LEN + 65 &&
	    memcmp(der, gkey_p256_spki_prefix, GKEY_P256_SPKI_PREFIX_LEN) == 0) {
		k = GKEY_KEM_P256;
		pk = raw_public(hc, k, der + GKEY_P256_SPKI_PREFIX_LEN, 65);
	} else if (len == GKEY_X25519_SPKI_PREFIX_LEN + X25519_LEN &&
	    memcmp(der, gkey_x25519_spki_prefix,
	    GKEY_X25519_SPKI_PREFIX_LEN) == 0) {
		k = GKEY_KEM_X25519;
		pk = raw_public(hc, k, der + GKEY_X25519_SPKI_PREFIX_LEN,
		    X25519_LEN);
	} else {
		/* Another encoding (compressed point, ...): decode it. */
		pk = d2i_PUBKEY_ex(NULL, &p, (long)len, libctx, propq);
		if (pk != NULL && (p != der + len ||
		    gkey_kem_of_pkey(pk, &k) != 0)) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
	}
	if (pk == NULL) {
		ERR_clear_error();
		return NULL;
	}
	*kem = k;
	return pk;
}

int
gkey_pkey_raw_public(enum gkey_kem kem, EVP_PKEY *pk, uint8_t *out,
    size_t out_size, size_t *out_len)
{
	BIGNUM	*x = NULL, *y = NULL;
	size_t	 len;
	int	 ret = -1;

	if (pk == NULL || out == NULL || out_len == NULL ||
	    !key_is_kem(pk, kem) || out_size < gkey_kem_enc_len(kem))
		return -1;

	switch (kem) {
	case GKEY_KEM_X25519:
		len = out_size;
		if (EVP_PKEY_get_raw_public_key(pk, out, &len) != 1 ||
		    len != X25519_LEN)
			goto done;
		break;
	case GKEY_KEM_P256:
		/*
		 * The encoded point follows the key's conversion form: most
		 * keys have the uncompressed one, which is one conversion
		 * from the internal form instead of one per coordinate.
		 */
		len = 0;
		if (EVP_PKEY_get_octet_string_param(pk,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, out_size,
		    &len) == 1 && len == 65 && out[0] == 0x04)
			break;
		/*
		 * Else ("compressed", as for keys read from such a SPKI)
		 * build the uncompressed point from the coordinates.
		 */
		ERR_clear_error();
		if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X,
		    &x) != 1 ||
		    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y,
		    &y) != 1)
			goto done;
		out[0] = 0x04;
		if (BN_bn2binpad(x, out + 1, 32) != 32 ||
		    BN_bn2binpad(y, out + 33, 32) != 32)
			goto done;
		len = 65;
		break;
	default:
		goto done;
	}
	*out_len = len;
	ret = 0;
done:
	BN_free(x);
	BN_free(y);
	if (ret != 0)
		ERR_clear_error();
	return ret;
}

/* DH(sk, pk): the X25519 output or the P-256 x-coordinate, 32 octets. */
static int
dh(const struct gkey_hpke_ctx *hc, enum gkey_kem kem, EVP_PKEY *sk,
    EVP_PKEY *pk, uint8_t out[NDH])
{
	static const uint8_t	 zero[NDH];
	EVP_PKEY_CTX		*ctx;
	size_t			 len = NDH;
	int			 ret = -1;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(hc->libctx, sk,
	    hc->propq)) == NULL)
		return -1;
	/* The peer was checked once by peer_ok(): not again per DH. */
	if (EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, pk, 0) != 1 ||
	    EVP_PKEY_derive(ctx, out, &len) != 1 || len != NDH)
		goto done;
	/* RFC 9180 7.1.4: an all-zero X25519 output must abort. */
	if (kem == GKEY_KEM_X25519 && CRYPTO_memcmp(out, zero, NDH) == 0)
		goto done;
	ret = 0;
done:
	EVP_PKEY_CTX_free(ctx);
	if (ret != 0)
		OPENSSL_cleanse(out, NDH);
	return ret;
}

/* The peer key of both DHs of a seal or open is a point on the curve. */
static int
peer_ok(const struct gkey_hpke_ctx *hc, enum gkey_kem kem, EVP_PKEY *pk)
{
	/* Every 32-octet string is an X25519 public key (RFC 7748). */
	return kem != GKEY_KEM_P256 || p256_public_ok(hc->libctx, hc->propq,
	    pk);
}

/*
 * The HKDF context of one seal or open, its digest set once: naming the
 * digest is a method lookup, which the seven HKDF steps of a seal then
 * do not repeat.  The caller frees it with kdf_free().
 */
static EVP_KDF_CTX *
kdf_new(const struct gkey_hpke_ctx *hc)
{
	EVP_KDF_CTX	*kctx;
	OSSL_PARAM	 params[2];
	char		 digest[] = "SHA256";

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((kctx = EVP_KDF_CTX_new(hc->hkdf)) == NULL)
		return NULL;
	if (EVP_KDF_CTX_set_params(kctx, params) != 1) {
		EVP_KDF_CTX_free(kctx);
		return NULL;
	}
	return kctx;
}

static void
kdf_free(EVP_KDF_CTX *kctx)
{
	EVP_KDF_CTX_free(kctx);		/* clears its copy of the key */
}

/*
 * One HKDF step: mode is EVP_KDF_HKDF_MODE_EXTRACT_ONLY or _EXPAND_ONLY.
 * kctx keeps what earlier steps set, so every step sets the key and the
 * salt (extract reads it) and expand sets the info, which replaces the
 * earlier one; extract ignores the info and expand the salt.
 */
static int
hkdf(EVP_KDF_CTX *kctx, int mode, const uint8_t *salt,
    size_t salt_len, const uint8_t *key, size_t key_len, const uint8_t *info,
    size_t info_len, uint8_t *out, size_t out_len)
{
	static const uint8_t	 zero_salt[NH];
	OSSL_PARAM		 params[5], *p = params;

	if (mode == EVP_KDF_HKDF_MODE_EXPAND_ONLY && info_len == 0)
		return -1;	/* every LabeledExpand has an info */
	/* An absent salt is HashLen zeros (RFC 5869 2.2). */
	if (salt_len == 0) {
		salt = zero_salt;
		salt_len = sizeof(zero_salt);
	}
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)key, key_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, salt_len);
	if (info_len != 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
		    (void *)info, info_len);
	*p = OSSL_PARAM_construct_end();

	if (EVP_KDF_derive(kctx, out, out_len, params) != 1) {
		OPENSSL_cleanse(out, out_len);
		return -1;
	}
	return 0;
}

/* LabeledExtract(salt, label, ikm) into prk[NH]. */
static int
labeled_extract(EVP_KDF_CTX *kctx, const uint8_t *suite,
    size_t suite_len, const uint8_t *salt, size_t salt_len, const char *label,
    const uint8_t *ikm, size_t ikm_len, uint8_t prk[NH])
{
	uint8_t	buf[VERSION_LEN + HPKE_SUITE_LEN + LABEL_MAX + IKM_MAX];
	size_t	label_len = strlen(label), off = 0;
	int	ret;

	if (suite_len > HPKE_SUITE_LEN || label_len > LABEL_MAX ||
	    ikm_len > IKM_MAX || (ikm == NULL && ikm_len != 0))
		return -1;
	memcpy(buf + off, VERSION_LABEL, VERSION_LEN);
	off += VERSION_LEN;
	memcpy(buf + off, suite, suite_len);
	off += suite_len;
	memcpy(buf + off, label, label_len);
	off += label_len;
	if (ikm_len != 0)
		memcpy(buf + off, ikm, ikm_len);
	off += ikm_len;

	ret = hkdf(kctx, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len, buf, off,
	    NULL, 0, prk, NH);
	OPENSSL_cleanse(buf, off);	/* ikm may be a DH output */
	return ret;
}

/* LabeledExpand(prk, label, info, L) into out[L]. */
static int
labeled_expand(EVP_KDF_CTX *kctx, const uint8_t *suite,
    size_t suite_len, const uint8_t prk[NH], const char *label,
    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	uint8_t	buf[2 + VERSION_LEN + HPKE_SUITE_LEN + LABEL_MAX +
		    EXPAND_INFO_MAX];
	size_t	label_len = strlen(label), off = 0;

	if (suite_len > HPKE_SUITE_LEN || label_len > LABEL_MAX ||
	    info_len > EXPAND_INFO_MAX || out_len > 0xffff ||
	    (info == NULL && info_len != 0))
		return -1;
	buf[off++] = (uint8_t)(out_len >> 8);
	buf[off++] = (uint8_t)out_len;
	memcpy(buf + off, VERSION_LABEL, VERSION_LEN);
	off += VERSION_LEN;
	memcpy(buf + off, suite, suite_len);
	off += suite_len;
	memcpy(buf + off, label, label_len);
	off += label_len;
	if (info_len != 0)
		memcpy(buf + off, info, info_len);
	off += info_len;

	return hkdf(kctx, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, prk, NH, buf, off,
	    out, out_len);
}

/* ExtractAndExpand(dh, kem_context) of DHKEM (RFC 9180 4.1). */
static int
extract_and_expand(EVP_KDF_CTX *kctx, enum gkey_kem kem,
    const uint8_t *dhv, size_t dh_len, const uint8_t *kem_context,
    size_t kem_context_len, uint8_t shared_secret[NSECRET])
{
	uint8_t	suite[KEM_SUITE_LEN] = { 'K', 'E', 'M',
		    (uint8_t)(kem >> 8), (uint8_t)kem };
	uint8_t	eae_prk[NH];
	int	ret = -1;

	if (labeled_extract(kctx, suite, sizeof(suite), NULL, 0, "eae_prk", dhv,
	    dh_len, eae_prk) != 0)
		goto done;
	if (labeled_expand(kctx, suite, sizeof(suite), eae_prk, "shared_secret",
	    kem_context, kem_context_len, shared_secret, NSECRET) != 0)
		goto done;
	ret = 0;
done:
	OPENSSL_cleanse(eae_prk, sizeof(eae_prk));
	return ret;
}

/*
 * KeySchedule<ROLE>() without PSK (RFC 9180 5.1): key and base_nonce.
 * The exporter secret is not derived: nothing here exports.
 */
static int
key_schedule(EVP_KDF_CTX *kctx, enum gkey_kem kem, uint8_t mode,
    const uint8_t shared_secret[NSECRET], const uint8_t *info,
    size_t info_len, uint8_t key[NK], uint8_t base_nonce[NN])
{
	uint8_t	suite[HPKE_SUITE_LEN] = { 'H', 'P', 'K', 'E',
		    (uint8_t)(kem >> 8), (uint8_t)kem,
		    0, GKEY_HPKE_KDF_HKDF_SHA256,
		    0, GKEY_HPKE_AEAD_AES128GCM };
	uint8_t	context[1 + NH + NH];
	uint8_t	secret[NH];
	int	ret = -1;

	context[0] = mode;
	if (labeled_extract(kctx, suite, sizeof(suite), NULL, 0, "psk_id_hash",
	    NULL, 0, context + 1) != 0 ||
	    labeled_extract(kctx, suite, sizeof(suite), NULL, 0, "info_hash",
	    info, info_len, context + 1 + NH) != 0)
		goto done;
	if (labeled_extract(kctx, suite, sizeof(suite), shared_secret, NSECRET,
	    "secret", NULL, 0, secret) != 0)
		goto done;
	if (labeled_expand(kctx, suite, sizeof(suite), secret, "key", context,
	    sizeof(context), key, NK) != 0 ||
	    labeled_expand(kctx, suite, sizeof(suite), secret, "base_nonce",
	    context, sizeof(context), base_nonce, NN) != 0)
		goto done;
	ret = 0;
done:
	OPENSSL_cleanse(secret, sizeof(secret));
	if (ret != 0) {
		OPENSSL_cleanse(key, NK);
		OPENSSL_cleanse(base_nonce, NN);
	}
	return ret;
}

static EVP_PKEY *
generate_ephemeral(const struct gkey_hpke_ctx *hc, enum gkey_kem kem)
{
	EVP_PKEY_CTX	*gctx = NULL;
	EVP_PKEY	*pkey = NULL;

	switch (kem) {
	case GKEY_KEM_P256:
		gctx = EVP_PKEY_CTX_new_from_pkey(hc->libctx, hc->p256_params,
		    hc->propq);
		break;
	case GKEY_KEM_X25519:
		gctx = EVP_PKEY_CTX_new_from_name(hc->libctx, "X25519",
		    hc->propq);
		break;
	}
	if (gctx == NULL || EVP_PKEY_keygen_init(gctx) != 1 ||
	    EVP_PKEY_generate(gctx, &pkey) != 1) {
		EVP_PKEY_free(pkey);	/* NULL unless generate half-failed */
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(gctx);
	return pkey;
}

/* Common argument checks of seal and open. */
static int
check_common(const uint8_t *info, size_t info_len, const uint8_t *aad,
    size_t aad_len)
{
	if ((info == NULL && info_len != 0) || info_len > GKEY_HPKE_INFO_MAX)
		return -1;
	if ((aad == NULL && aad_len != 0) || aad_len > GKEY_GCM_MAX_LEN)
		return -1;
	return 0;
}

static int	seal_core(const struct gkey_hpke_ctx *, enum gkey_kem,
		    EVP_PKEY *, const uint8_t *, int, EVP_PKEY *,
		    const uint8_t *, EVP_PKEY *, const uint8_t *, size_t,
		    const uint8_t *, size_t, const uint8_t *, size_t,
		    uint8_t *, size_t, size_t *, uint8_t *, size_t, size_t *);

int
gkey_hpke_seal(enum gkey_kem kem, EVP_PKEY *pkR, EVP_PKEY *skS,
    EVP_PKEY *skE, const uint8_t *info, size_t info_len, const uint8_t *aad,
    size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *enc,
    size_t enc_size, size_t *enc_len, uint8_t *ct, size_t ct_size,
    size_t *ct_len)
{
	struct gkey_hpke_ctx	*hc;
	int			 ret;

	if (enc_len != NULL)
		*enc_len = 0;
	if (ct_len != NULL)
		*ct_len = 0;
	if ((hc = gkey_hpke_ctx_new(NULL, NULL)) == NULL)
		return -1;
	ret = gkey_hpke_seal_ctx(hc, kem, pkR, skS, skE, info, info_len, aad,
	    aad_len, pt, pt_len, enc, enc_size, enc_len, ct, ct_size, ct_len);
	gkey_hpke_ctx_free(hc);
	return ret;
}

int
gkey_hpke_seal_ctx(const struct gkey_hpke_ctx *hc, enum gkey_kem kem,
    EVP_PKEY *pkR, EVP_PKEY *skS, EVP_PKEY *skE, const uint8_t *info,
    size_t info_len, const uint8_t *aad, size_t aad_len, const uint8_t *pt,
    size_t pt_len, uint8_t *enc, size_t enc_size, size_t *enc_len,
    uint8_t *ct, size_t ct_size, size_t *ct_len)
{
	return seal_core(hc, kem, pkR, NULL, 0, skS, NULL, skE, info,
	    info_len, aad, aad_len, pt, pt_len, enc, enc_size, enc_len, ct,
	    ct_size, ct_len);
}

int
gkey_hpke_seal_prepared(const struct gkey_hpke_ctx *hc, enum gkey_kem kem,
    EVP_PKEY *pkR, const uint8_t *pkRm, EVP_PKEY *skS, const uint8_t *pkSm,
    const uint8_t *info, size_t info_len, const uint8_t *aad,
    size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *enc,
    size_t enc_size, size_t *enc_len, uint8_t *ct, size_t ct_size,
    size_t *ct_len)
{
	if (pkRm == NULL || skS == NULL || pkSm == NULL)
		return -1;
	return seal_core(hc, kem, pkR, pkRm, 1, skS, pkSm, NULL, info,
	    info_len, aad, aad_len, pt, pt_len, enc, enc_size, enc_len, ct,
	    ct_size, ct_len);
}

/*
 * pkRm, pkSm: the serialised public keys when the caller has them
 * (else NULL: computed here); pkR_checked: pkR was made by raw_public().
 */
static int
seal_core(const struct gkey_hpke_ctx *hc, enum gkey_kem kem, EVP_PKEY *pkR,
    const uint8_t *pkRm, int pkR_checked, EVP_PKEY *skS, const uint8_t *pkSm,
    EVP_PKEY *skE, const uint8_t *info, size_t info_len, const uint8_t *aad,
    size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *enc,
    size_t enc_size, size_t *enc_len, uint8_t *ct, size_t ct_size,
    size_t *ct_len)
{
	EVP_PKEY	*eph = NULL;
	EVP_KDF_CTX	*kctx = NULL;
	uint8_t		 dhv[2 * NDH], kem_context[3 * GKEY_HPKE_ENC_MAX];
	uint8_t		 shared_secret[NSECRET], key[NK], base_nonce[NN];
	size_t		 npk = gkey_kem_enc_len(kem), len, off = 0, dh_len;
	uint8_t		 mode;
	int		 ret = -1;

	if (hc == NULL || npk == 0 || pkR == NULL || enc == NULL ||
	    enc_len == NULL || ct == NULL || ct_len == NULL)
		return -1;
	*enc_len = 0;
	*ct_len = 0;
	if (check_common(info, info_len, aad, aad_len) != 0 ||
	    (pt == NULL && pt_len != 0) || pt_len > GKEY_GCM_MAX_LEN)
		return -1;
	if (enc_size < npk || ct_size < pt_len + GKEY_HPKE_TAG_LEN)
		return -1;
	if (!key_is_kem(pkR, kem) || (skS != NULL && !key_is_kem(skS, kem)) ||
	    (skE != NULL && !key_is_kem(skE, kem)))
		return -1;
	mode = skS != NULL ? GKEY_HPKE_MODE_AUTH : GKEY_HPKE_MODE_BASE;

	if (!pkR_checked && !peer_ok(hc, kem, pkR))
		goto done;
	if (skE == NULL) {
		if ((eph = generate_ephemeral(hc, kem)) == NULL)
			goto done;
		skE = eph;
	}

	/* kem_context = enc || pkRm (|| pkSm) */
	if (gkey_pkey_raw_public(kem, skE, kem_context, npk, &len) != 0)
		goto done;
	off += len;
	if (pkRm != NULL)
		memcpy(kem_context + off, pkRm, npk);
	else if (gkey_pkey_raw_public(kem, pkR, kem_context + off, npk,
	    &len) != 0)
		goto done;
	off += npk;
	if (skS != NULL) {
		if (pkSm != NULL)
			memcpy(kem_context + off, pkSm, npk);
		else if (gkey_pkey_raw_public(kem, skS, kem_context + off, npk,
		    &len) != 0)
			goto done;
		off += npk;
	}

	/* dh = DH(skE, pkR) (|| DH(skS, pkR)) */
	if (dh(hc, kem, skE, pkR, dhv) != 0)
		goto done;
	dh_len = NDH;
	if (skS != NULL) {
		if (dh(hc, kem, skS, pkR, dhv + NDH) != 0)
			goto done;
		dh_len += NDH;
	}

	if ((kctx = kdf_new(hc)) == NULL)
		goto done;
	if (extract_and_expand(kctx, kem, dhv, dh_len, kem_context, off,
	    shared_secret) != 0)
		goto done;
	if (key_schedule(kctx, kem, mode, shared_secret, info, info_len, key,
	    base_nonce) != 0)
		goto done;
	/* Sequence number 0: the nonce is base_nonce itself. */
	if (gkey_gcm_seal_with(hc->aead, key, NK, base_nonce, aad, aad_len,
	    pt, pt_len, ct) != 0)
		goto done;

	memcpy(enc, kem_context, npk);
	*enc_len = npk;
	*ct_len = pt_len + GKEY_HPKE_TAG_LEN;
	ret = 0;
done:
	OPENSSL_cleanse(dhv, sizeof(dhv));
	OPENSSL_cleanse(shared_secret, sizeof(shared_secret));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(base_nonce, sizeof(base_nonce));
	kdf_free(kctx);
	EVP_PKEY_free(eph);
	if (ret != 0)
		ERR_clear_error();
	return ret;
}

int
gkey_hpke_open(enum gkey_kem kem, EVP_PKEY *skR, EVP_PKEY *pkS,
    const uint8_t *info, size_t info_len, const uint8_t *aad, size_t aad_len,
    const uint8_t *enc, size_t enc_len, const uint8_t *ct, size_t ct_len,
    uint8_t *pt, size_t pt_size, size_t *pt_len)
{
	struct gkey_hpke_ctx	*hc;
	int			 ret;

	if (pt_len != NULL)
		*pt_len = 0;
	if ((hc = gkey_hpke_ctx_new(NULL, NULL)) == NULL)
		return -1;
	ret = gkey_hpke_open_ctx(hc, kem, skR, pkS, info, info_len, aad,
	    aad_len, enc, enc_len, ct, ct_len, pt, pt_size, pt_len);
	gkey_hpke_ctx_free(hc);
	return ret;
}

int
gkey_hpke_open_ctx(const struct gkey_hpke_ctx *hc, enum gkey_kem kem,
    EVP_PKEY *skR, EVP_PKEY *pkS, const uint8_t *info, size_t info_len,
    const uint8_t *aad, size_t aad_len, const uint8_t *enc, size_t enc_len,
    const uint8_t *ct, size_t ct_len, uint8_t *pt, size_t pt_size,
    size_t *pt_len)
{
	EVP_PKEY	*pkE = NULL;
	EVP_KDF_CTX	*kctx = NULL;
	uint8_t		 dhv[2 * NDH], kem_context[3 * GKEY_HPKE_ENC_MAX];
	uint8_t		 shared_secret[NSECRET], key[NK], base_nonce[NN];
	size_t		 npk = gkey_kem_enc_len(kem), len, off = 0, dh_len;
	uint8_t		 mode;
	int		 ret = -1;

	if (hc == NULL || npk == 0 || skR == NULL || enc == NULL ||
	    ct == NULL || pt_len == NULL)
		return -1;
	*pt_len = 0;
	if (check_common(info, info_len, aad, aad_len) != 0)
		return -1;
	if (enc_len != npk || ct_len < GKEY_HPKE_TAG_LEN ||
	    ct_len - GKEY_HPKE_TAG_LEN > GKEY_GCM_MAX_LEN ||
	    pt_size < ct_len - GKEY_HPKE_TAG_LEN ||
	    (pt == NULL && ct_len != GKEY_HPKE_TAG_LEN))
		return -1;
	if (!key_is_kem(skR, kem) || (pkS != NULL && !key_is_kem(pkS, kem)))
		return -1;
	mode = pkS != NULL ? GKEY_HPKE_MODE_AUTH : GKEY_HPKE_MODE_BASE;

	/* raw_public() checks pkE; pkS is checked here. */
	if ((pkE = raw_public(hc, kem, enc, enc_len)) == NULL)
		goto done;
	if (pkS != NULL && !peer_ok(hc, kem, pkS))
		goto done;

	memcpy(kem_context, enc, npk);
	off = npk;
	if (gkey_pkey_raw_public(kem, skR, kem_context + off, npk, &len) != 0)
		goto done;
	off += len;
	if (pkS != NULL) {
		if (gkey_pkey_raw_public(kem, pkS, kem_context + off, npk,
		    &len) != 0)
			goto done;
		off += len;
	}

	/* dh = DH(skR, pkE) (|| DH(skR, pkS)) */
	if (dh(hc, kem, skR, pkE, dhv) != 0)
		goto done;
	dh_len = NDH;
	if (pkS != NULL) {
		if (dh(hc, kem, skR, pkS, dhv + NDH) != 0)
			goto done;
		dh_len += NDH;
	}

	if ((kctx = kdf_new(hc)) == NULL)
		goto done;
	if (extract_and_expand(kctx, kem, dhv, dh_len, kem_context, off,
	    shared_secret) != 0)
		goto done;
	if (key_schedule(kctx, kem, mode, shared_secret, info, info_len, key,
	    base_nonce) != 0)
		goto done;
	if (gkey_gcm_open_with(hc->aead, key, NK, base_nonce, aad, aad_len,
	    ct, ct_len, pt) != 0)
		goto done;

	*pt_len = ct_len - GKEY_HPKE_TAG_LEN;
	ret = 0;
done:
	OPENSSL_cleanse(dhv, sizeof(dhv));
	OPENSSL_cleanse(shared_secret, sizeof(shared_secret));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(base_nonce, sizeof(base_nonce));
	kdf_free(kctx);
	EVP_PKEY_free(pkE);
	if (ret != 0)
		ERR_clear_error();
	return ret;
}
