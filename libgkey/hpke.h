/*
 * hpke.h - RFC 9180 Hybrid Public Key Encryption, single-shot, built on
 * OpenSSL 3.0 EVP (which has no HPKE API of its own).
 *
 * Supported: mode_base (0) and mode_auth (2); KEM DHKEM(P-256, HKDF-SHA256)
 * (0x0010) and DHKEM(X25519, HKDF-SHA256) (0x0020); KDF HKDF-SHA256
 * (0x0001); AEAD AES-128-GCM (0x0001).  PSK modes, other suites and the
 * secret export interface are not implemented.
 *
 * Ownership: every EVP_PKEY argument is borrowed (never freed, never
 * modified); every buffer belongs to the caller.  The constructors
 * gkey_pkey_from_raw_*() return a new key that the caller frees with
 * EVP_PKEY_free().  Every intermediate secret is wiped before return and
 * on failure no OpenSSL error is left on the thread's error queue (callers
 * such as FreeRADIUS's TLS code inspect that queue).
 *
 * Peer keys are checked once: the recipient key of a seal and the sender
 * key of an open, which the caller made, get OpenSSL's quick check (the
 * point is on the curve); the enc of an open and keys from
 * gkey_pkey_from_spki() are checked as they are decoded.  The
 * derivations do not validate them again, since for P-256 (cofactor 1)
 * a point on the curve is all there is to check.
 */
#ifndef GKEY_HPKE_H
#define GKEY_HPKE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/types.h>

enum gkey_kem {
	GKEY_KEM_P256 = 0x0010,		/* DHKEM(P-256, HKDF-SHA256) */
	GKEY_KEM_X25519 = 0x0020	/* DHKEM(X25519, HKDF-SHA256) */
};

#define GKEY_HPKE_KDF_HKDF_SHA256	0x0001
#define GKEY_HPKE_AEAD_AES128GCM	0x0001

#define GKEY_HPKE_MODE_BASE	0
#define GKEY_HPKE_MODE_AUTH	2

#define GKEY_HPKE_ENC_MAX	65	/* Npk of P-256, uncompressed point */
#define GKEY_HPKE_TAG_LEN	16	/* Nt of AES-128-GCM */
/* Longest info accepted (RFC 9180 asks for at least 64). */
#define GKEY_HPKE_INFO_MAX	512

/* Nenc (= Npk) of a KEM: 65 for P-256, 32 for X25519, 0 if unknown. */
size_t	gkey_kem_enc_len(enum gkey_kem kem);

/*
 * The KEM a key can be used with: an EC key on P-256 (named curve) or an
 * X25519 key.  Returns 0 and sets *kem, or -1 for any other key.
 */
int	gkey_kem_of_pkey(EVP_PKEY *pk, enum gkey_kem *kem);

/*
 * The KEM of a SubjectPublicKeyInfo DER without decoding it when it has
 * the canonical form (named curve P-256 with an uncompressed point, or
 * X25519), else by decoding it. Returns 0 and sets *kem, or -1 for a key
 * of another type or a malformed SPKI.
 */
int	gkey_spki_kem(const uint8_t *der, size_t len, enum gkey_kem *kem);

/* DER prefix of a canonical P-256 SPKI; the 65-octet point follows. */
#define GKEY_P256_SPKI_PREFIX_LEN	26
extern const uint8_t gkey_p256_spki_prefix[GKEY_P256_SPKI_PREFIX_LEN];
/* DER prefix of an X25519 SPKI (RFC 8410); the 32-octet key follows. */
#define GKEY_X25519_SPKI_PREFIX_LEN	12
extern const uint8_t gkey_x25519_spki_prefix[GKEY_X25519_SPKI_PREFIX_LEN];

/*
 * Build a key from its RFC 9180 serialisation: a 32-octet scalar (P-256,
 * must be in [1, n-1]) or 32-octet X25519 private key; a 65-octet
 * uncompressed point (checked to be on the curve) or 32-octet X25519
 * public key.  Returns a new key (caller frees) or NULL.
 */
EVP_PKEY	*gkey_pkey_from_raw_private(enum gkey_kem kem, const uint8_t *sk,
		    size_t sk_len);
EVP_PKEY	*gkey_pkey_from_raw_public(enum gkey_kem kem, const uint8_t *pk,
		    size_t pk_len);

/*
 * SerializePublicKey() of a key (public or private) of the given KEM into
 * out (at least gkey_kem_enc_len(kem) octets).  Returns 0 or -1.
 */
int	gkey_pkey_raw_public(enum gkey_kem kem, EVP_PKEY *pk, uint8_t *out,
	    size_t out_size, size_t *out_len);

/*
 * A context for many seals and opens: the OpenSSL methods HPKE needs,
 * fetched once (EVP_KDF "HKDF", EVP_CIPHER "AES-128-GCM") and the P-256
 * domain parameters ephemeral keys are generated from, so that a call
 * does not look them up again.
 *
 * Thread safety: gkey_hpke_ctx_new() fills the context and nothing
 * modifies it afterwards.  It holds only fetched methods and a
 * parameters-only EVP_PKEY, which OpenSSL 3.0 refcounts and allows many
 * threads to use at once, so one context may serve every thread of a
 * process concurrently (rlm_gkey keeps one per module instance).  What
 * may not be shared (EVP_PKEY_CTX, EVP_KDF_CTX, EVP_CIPHER_CTX) is made
 * per call from it; making them is cheap once the methods are fetched.
 *
 * Ownership: libctx (NULL: the default library context) and propq
 * (NULL: none) must outlive the context.  The caller frees the context
 * with gkey_hpke_ctx_free() (NULL is allowed) once no call using it is
 * running.  Returns NULL on failure.
 */
struct gkey_hpke_ctx;

struct gkey_hpke_ctx	*gkey_hpke_ctx_new(OSSL_LIB_CTX *libctx,
			    const char *propq);
void			 gkey_hpke_ctx_free(struct gkey_hpke_ctx *ctx);

/*
 * A public key of either KEM from its SubjectPublicKeyInfo DER: the
 * canonical forms (P-256 named curve with an uncompressed point, X25519)
 * are taken apart without OpenSSL's decoder, which is the costly part
 * of d2i_PUBKEY(); the point is checked as gkey_pkey_from_raw_public()
 * does.  Other encodings go through d2i_PUBKEY().  Returns a new key
 * (caller frees) of a supported KEM, its KEM in *kem, or NULL.  ctx may
 * be NULL.
 */
EVP_PKEY	*gkey_pkey_from_spki(const struct gkey_hpke_ctx *ctx,
		    const uint8_t *der, size_t len, enum gkey_kem *kem);

/*
 * gkey_hpke_seal() and gkey_hpke_open() with a context (see above); the
 * single-shot functions below make a context for the one call.
 */
int	gkey_hpke_seal_ctx(const struct gkey_hpke_ctx *ctx, enum gkey_kem kem,
	    EVP_PKEY *pkR, EVP_PKEY *skS, EVP_PKEY *skE,
	    const uint8_t *info, size_t info_len,
	    const uint8_t *aad, size_t aad_len,
	    const uint8_t *pt, size_t pt_len,
	    uint8_t *enc, size_t enc_size, size_t *enc_len,
	    uint8_t *ct, size_t ct_size, size_t *ct_len);
int	gkey_hpke_open_ctx(const struct gkey_hpke_ctx *ctx, enum gkey_kem kem,
	    EVP_PKEY *skR, EVP_PKEY *pkS,
	    const uint8_t *info, size_t info_len,
	    const uint8_t *aad, size_t aad_len,
	    const uint8_t *enc, size_t enc_len,
	    const uint8_t *ct, size_t ct_len,
	    uint8_t *pt, size_t pt_size, size_t *pt_len);

/*
 * Single-shot seal (RFC 9180 5.2, sequence number 0).
 *
 * pkR: recipient public key.  skS: NULL for mode_base, else the sender's
 * private key for mode_auth.  skE: NULL to generate a fresh ephemeral key
 * (the only correct choice outside of test vectors).  All keys must belong
 * to kem.  info (at most GKEY_HPKE_INFO_MAX octets) and aad may be empty.
 * Writes enc (enc_size >= gkey_kem_enc_len(kem)) and ct = ciphertext ||
 * tag (ct_size >= pt_len + 16; must not overlap pt).
 * Returns 0, or -1 on any error.
 */
int	gkey_hpke_seal(enum gkey_kem kem, EVP_PKEY *pkR, EVP_PKEY *skS,
	    EVP_PKEY *skE,
	    const uint8_t *info, size_t info_len,
	    const uint8_t *aad, size_t aad_len,
	    const uint8_t *pt, size_t pt_len,
	    uint8_t *enc, size_t enc_size, size_t *enc_len,
	    uint8_t *ct, size_t ct_size, size_t *ct_len);

/*
 * Single-shot open.  skR: recipient private key.  pkS: NULL for
 * mode_base, else the expected sender's public key (mode_auth).  Writes
 * ct_len - 16 octets of plaintext into pt (pt_size must allow it; must not
 * overlap ct).  Returns 0, or -1 on any error including an invalid enc or
 * a failed authentication; then nothing of the plaintext is left in pt.
 */
int	gkey_hpke_open(enum gkey_kem kem, EVP_PKEY *skR, EVP_PKEY *pkS,
	    const uint8_t *info, size_t info_len,
	    const uint8_t *aad, size_t aad_len,
	    const uint8_t *enc, size_t enc_len,
	    const uint8_t *ct, size_t ct_len,
	    uint8_t *pt, size_t pt_size, size_t *pt_len);

#endif /* GKEY_HPKE_H */
