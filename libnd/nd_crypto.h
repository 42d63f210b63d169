/*
 * nd_crypto.h - the signature and trust rules of doc/nd.md section 3:
 * what is signed, ECDSA P-256 signing and verification with the 64-octet
 * r || s encoding, the node certificate's key check (the AR) and the AR
 * certificate's check against a trust anchor (the node).
 *
 * OpenSSL 3 EVP and X509 APIs only; no global state.  Errors as in
 * nd_msg.h: 0 or a negative ND_E_* code, with a one-line reason in err.
 * Nothing here logs or keeps a private key.
 */
#ifndef GKEY_ND_CRYPTO_H
#define GKEY_ND_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "nd_msg.h"

/* SHA-256("gkey nd signature v1"), first 16 octets (doc/nd.md 3.1). */
#define ND_SIG_TAG_LEN		16
extern const uint8_t nd_sig_tag[ND_SIG_TAG_LEN];

/* 1 if key is an EC key on P-256 (prime256v1), else 0. */
int	nd_key_is_p256(const EVP_PKEY *key);

/*
 * The octets signed (doc/nd.md 3.1) into out: tag, src, dst, then
 * msg[0..signed_len) with the Checksum (octets 2-3) zeroed.  *outlen is
 * 48 + signed_len.  For tests and tools; signing streams the same data.
 */
int	nd_sig_input(const uint8_t src[16], const uint8_t dst[16],
	    const uint8_t *msg, size_t signed_len, uint8_t *out,
	    size_t outsize, size_t *outlen);

/*
 * Append the Signature option to the message in b, made with key (a
 * P-256 private key) over src, dst and everything built so far.  On
 * success *len is the whole message length.  The builder error stays set
 * on failure.
 */
int	nd_sign_finish(struct nd_builder *b, EVP_PKEY *key,
	    const uint8_t src[16], const uint8_t dst[16], size_t *len);

/*
 * Verify the Signature of a parsed message (m->sig set) with key (a P-256
 * public key) for the given addresses.  ND_E_BADSIG when it does not
 * verify.
 */
int	nd_msg_verify(const struct nd_msg *m, EVP_PKEY *key,
	    const uint8_t src[16], const uint8_t dst[16], char *err,
	    size_t errlen);

/* r || s (64 octets) <-> DER ECDSA-Sig-Value. */
int	nd_sig_der_to_raw(const uint8_t *der, size_t der_len,
	    uint8_t raw[ND_SIG_LEN]);
int	nd_sig_raw_to_der(const uint8_t raw[ND_SIG_LEN], uint8_t **der,
	    size_t *der_len);	/* *der: OPENSSL_free() */

/*
 * Parse a certificate DER (exactly len octets) and return its public key
 * when that is P-256: a new reference the caller frees with
 * EVP_PKEY_free().  *cert (may be NULL) receives the parsed certificate,
 * freed by the caller with X509_free().  NULL with ND_E_CERT or ND_E_KEY
 * in *code (may be NULL) and a reason in err.
 */
EVP_PKEY *nd_cert_p256_key(const uint8_t *der, size_t len, X509 **cert,
	    int *code, char *err, size_t errlen);

/*
 * doc/nd.md 3.2: cert (the AR's) is equal to anchor (pinned) or issued
 * directly by it (issuer name = anchor subject, signature verifies under
 * the anchor key, anchor a CA by basicConstraints and within its
 * validity); cert within its validity at now, without an unhandled
 * critical extension, digitalSignature in keyUsage when present,
 * id-kp-sendRouter in extendedKeyUsage, P-256 key.  ND_E_CERT with the
 * reason otherwise.
 */
int	nd_ar_cert_check(X509 *cert, X509 *anchor, time_t now, char *err,
	    size_t errlen);

#endif /* GKEY_ND_CRYPTO_H */
