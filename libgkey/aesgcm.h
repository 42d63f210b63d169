/*
 * aesgcm.h - one-shot AES-GCM with a 12-octet nonce and a 16-octet tag,
 * shared by HPKE (AES-128-GCM) and GK sealing at rest (AES-256-GCM).
 * Internal to libgkey.
 */
#ifndef GKEY_AESGCM_H
#define GKEY_AESGCM_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define GKEY_GCM_NONCE_LEN	12
#define GKEY_GCM_TAG_LEN	16
/* Longest plaintext or AAD accepted: the EVP interface takes an int. */
#define GKEY_GCM_MAX_LEN	((size_t)0x7fffff00)

/*
 * key_len is 16 (AES-128) or 32 (AES-256).  Seal writes pt_len octets of
 * ciphertext followed by the tag into ct, which must hold pt_len + 16
 * octets and must not overlap pt.  Open reads ct_len octets (ciphertext
 * and tag) and writes ct_len - 16 octets into pt; on failure that region
 * of pt is wiped.  Both return 0 or -1.
 */
int	gkey_gcm_seal(const uint8_t *key, size_t key_len,
	    const uint8_t nonce[GKEY_GCM_NONCE_LEN],
	    const uint8_t *aad, size_t aad_len,
	    const uint8_t *pt, size_t pt_len, uint8_t *ct);
int	gkey_gcm_open(const uint8_t *key, size_t key_len,
	    const uint8_t nonce[GKEY_GCM_NONCE_LEN],
	    const uint8_t *aad, size_t aad_len,
	    const uint8_t *ct, size_t ct_len, uint8_t *pt);

/*
 * The same with a cipher the caller fetched once (EVP_CIPHER_fetch
 * "AES-128-GCM" or "AES-256-GCM", borrowed; its key length must be
 * key_len), which saves the implicit fetch of every call.  NULL picks
 * the cipher from key_len as above.
 */
int	gkey_gcm_seal_with(const EVP_CIPHER *cipher, const uint8_t *key,
	    size_t key_len, const uint8_t nonce[GKEY_GCM_NONCE_LEN],
	    const uint8_t *aad, size_t aad_len,
	    const uint8_t *pt, size_t pt_len, uint8_t *ct);
int	gkey_gcm_open_with(const EVP_CIPHER *cipher, const uint8_t *key,
	    size_t key_len, const uint8_t nonce[GKEY_GCM_NONCE_LEN],
	    const uint8_t *aad, size_t aad_len,
	    const uint8_t *ct, size_t ct_len, uint8_t *pt);

#endif /* GKEY_AESGCM_H */
