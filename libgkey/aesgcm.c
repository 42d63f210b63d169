/*
 * aesgcm.c - one-shot AES-GCM on OpenSSL EVP.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "aesgcm.h"

static const EVP_CIPHER *
gcm_cipher(size_t key_len)
{
	if (key_len == 16)
		return EVP_aes_128_gcm();
	if (key_len == 32)
		return EVP_aes_256_gcm();
	return NULL;
}

int
gkey_gcm_seal(const uint8_t *key, size_t key_len,
    const uint8_t nonce[GKEY_GCM_NONCE_LEN], const uint8_t *aad,
    size_t aad_len, const uint8_t *pt, size_t pt_len, uint8_t *ct)
{
	return gkey_gcm_seal_with(NULL, key, key_len, nonce, aad, aad_len, pt,
	    pt_len, ct);
}

int
gkey_gcm_seal_with(const EVP_CIPHER *fetched, const uint8_t *key,
    size_t key_len, const uint8_t nonce[GKEY_GCM_NONCE_LEN],
    const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t pt_len,
    uint8_t *ct)
{
	const EVP_CIPHER	*cipher = gcm_cipher(key_len);
	EVP_CIPHER_CTX		*c = NULL;
	int			 outl, finl, ret = -1;

	if (fetched != NULL) {
		if ((size_t)EVP_CIPHER_get_key_length(fetched) != key_len)
			return -1;
		cipher = fetched;
	}
	if (cipher == NULL || key == NULL || nonce == NULL || ct == NULL)
		return -1;
	if ((aad == NULL && aad_len != 0) || (pt == NULL && pt_len != 0))
		return -1;
	if (aad_len > GKEY_GCM_MAX_LEN || pt_len > GKEY_GCM_MAX_LEN)
		return -1;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		goto done;
	/* GCM's default IV length is 12, which is what both users want. */
	if (EVP_EncryptInit_ex2(c, cipher, key, nonce, NULL) != 1)
		goto done;
	if (aad_len != 0 &&
	    EVP_EncryptUpdate(c, NULL, &outl, aad, (int)aad_len) != 1)
		goto done;
	outl = 0;
	if (pt_len != 0 &&
	    (EVP_EncryptUpdate(c, ct, &outl, pt, (int)pt_len) != 1 ||
	    (size_t)outl != pt_len))
		goto done;
	if (EVP_EncryptFinal_ex(c, ct + pt_len, &finl) != 1 || finl != 0)
		goto done;
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GKEY_GCM_TAG_LEN,
	    ct + pt_len) != 1)
		goto done;
	ret = 0;
done:
	EVP_CIPHER_CTX_free(c);	/* wipes the key schedule */
	if (ret != 0)
		ERR_clear_error();
	return ret;
}

int
gkey_gcm_open(const uint8_t *key, size_t key_len,
    const uint8_t nonce[GKEY_GCM_NONCE_LEN], const uint8_t *aad,
    size_t aad_len, const uint8_t *ct, size_t ct_len, uint8_t *pt)
{
	return gkey_gcm_open_with(NULL, key, key_len, nonce, aad, aad_len, ct,
	    ct_len, pt);
}

int
gkey_gcm_open_with(const EVP_CIPHER *fetched, const uint8_t *key,
    size_t key_len, const uint8_t nonce[GKEY_GCM_NONCE_LEN],
    const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len,
    uint8_t *pt)
{
	const EVP_CIPHER	*cipher = gcm_cipher(key_len);
	EVP_CIPHER_CTX		*c = NULL;
	uint8_t			 tag[GKEY_GCM_TAG_LEN];
	size_t			 pt_len;
	int			 outl, finl, ret = -1;

	if (fetched != NULL) {
		if ((size_t)EVP_CIPHER_get_key_length(fetched) != key_len)
			return -1;
		cipher = fetched;
	}
	if (cipher == NULL || key == NULL || nonce == NULL || ct == NULL)
		return -1;
	if (ct_len < GKEY_GCM_TAG_LEN)
		return -1;
	pt_len = ct_len - GKEY_GCM_TAG_LEN;
	if ((pt == NULL && pt_len != 0) || (aad == NULL && aad_len != 0))
		return -1;
	if (aad_len > GKEY_GCM_MAX_LEN || pt_len > GKEY_GCM_MAX_LEN)
		return -1;
	/* EVP takes the expected tag through a non-const pointer. */
	memcpy(tag, ct + pt_len, sizeof(tag));

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		goto done;
	if (EVP_DecryptInit_ex2(c, cipher, key, nonce, NULL) != 1)
		goto done;
	if (aad_len != 0 &&
	    EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aad_len) != 1)
		goto done;
	outl = 0;
	if (pt_len != 0 &&
	    (EVP_DecryptUpdate(c, pt, &outl, ct, (int)pt_len) != 1 ||
	    (size_t)outl != pt_len))
		goto done;
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GKEY_GCM_TAG_LEN,
	    tag) != 1)
		goto done;
	if (EVP_DecryptFinal_ex(c, pt_len != 0 ? pt + pt_len : tag,
	    &finl) != 1 || finl != 0)
		goto done;
	ret = 0;
done:
	EVP_CIPHER_CTX_free(c);
	if (ret != 0) {
		/* Never hand out unauthenticated plaintext. */
		if (pt != NULL && pt_len != 0)
			OPENSSL_cleanse(pt, pt_len);
		ERR_clear_error();
	}
	return ret;
}
