/*
 * gkseal.c - group key material sealed at rest under the KEK.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "aesgcm.h"
#include "gkseal.h"

static void
make_aad(uint8_t aad[8], uint32_t app_id, uint32_t epoch)
{
	aad[0] = (uint8_t)(app_id >> 24);
	aad[1] = (uint8_t)(app_id >> 16);
	aad[2] = (uint8_t)(app_id >> 8);
	aad[3] = (uint8_t)app_id;
	aad[4] = (uint8_t)(epoch >> 24);
	aad[5] = (uint8_t)(epoch >> 16);
	aad[6] = (uint8_t)(epoch >> 8);
	aad[7] = (uint8_t)epoch;
}

int
gkey_gk_seal(const uint8_t kek[GKEY_KEK_LEN], uint32_t app_id,
    uint32_t epoch, const uint8_t *gk, size_t gk_len, uint8_t *out,
    size_t out_size, size_t *out_len)
{
	uint8_t	aad[8];

	if (out_len != NULL)
		*out_len = 0;
	if (kek == NULL || gk == NULL || out == NULL || out_len == NULL)
		return -1;
	if (gk_len == 0 || gk_len > GKEY_GKSEAL_GK_MAX ||
	    out_size < gk_len + GKEY_GKSEAL_OVERHEAD)
		return -1;

	out[0] = GKEY_GKSEAL_VERSION;
	/* A random 96-bit nonce: a KEK seals far fewer than 2^32 keys. */
	if (RAND_bytes(out + 1, GKEY_GKSEAL_NONCE_LEN) != 1) {
		ERR_clear_error();
		return -1;
	}
	make_aad(aad, app_id, epoch);
	if (gkey_gcm_seal(kek, GKEY_KEK_LEN, out + 1, aad, sizeof(aad), gk,
	    gk_len, out + 1 + GKEY_GKSEAL_NONCE_LEN) != 0) {
		OPENSSL_cleanse(out, gk_len + GKEY_GKSEAL_OVERHEAD);
		return -1;
	}
	*out_len = gk_len + GKEY_GKSEAL_OVERHEAD;
	return 0;
}

int
gkey_gk_open(const uint8_t kek[GKEY_KEK_LEN], uint32_t app_id,
    uint32_t epoch, const uint8_t *blob, size_t blob_len, uint8_t *gk,
    size_t gk_size, size_t *gk_len)
{
	uint8_t	aad[8], pt[GKEY_GKSEAL_GK_MAX];
	size_t	len;

	if (gk_len != NULL)
		*gk_len = 0;
	if (kek == NULL || blob == NULL || gk == NULL || gk_len == NULL)
		return -1;
	if (blob_len <= GKEY_GKSEAL_OVERHEAD ||
	    blob_len > GKEY_GKSEAL_MAX_LEN || blob[0] != GKEY_GKSEAL_VERSION)
		return -1;
	len = blob_len - GKEY_GKSEAL_OVERHEAD;
	if (len > gk_size)
		return -1;

	make_aad(aad, app_id, epoch);
	/* Decrypt into a local buffer so gk never sees unverified data. */
	if (gkey_gcm_open(kek, GKEY_KEK_LEN, blob + 1, aad, sizeof(aad),
	    blob + 1 + GKEY_GKSEAL_NONCE_LEN,
	    blob_len - 1 - GKEY_GKSEAL_NONCE_LEN, pt) != 0)
		return -1;
	memcpy(gk, pt, len);
	OPENSSL_cleanse(pt, sizeof(pt));
	*gk_len = len;
	return 0;
}

int
gkey_gk_generate(uint8_t *gk, size_t len)
{
	if (gk == NULL || len == 0 || len > GKEY_GKSEAL_GK_MAX)
		return -1;
	if (RAND_priv_bytes(gk, (int)len) != 1) {
		OPENSSL_cleanse(gk, len);
		ERR_clear_error();
		return -1;
	}
	return 0;
}

int
gkey_kek_check(const uint8_t kek[GKEY_KEK_LEN], uint8_t out[GKEY_KEK_CHECK_LEN])
{
	unsigned int	len = 0;

	if (kek == NULL || out == NULL)
		return -1;
	if (HMAC(EVP_sha256(), kek, GKEY_KEK_LEN,
	    (const unsigned char *)GKEY_KEK_CHECK_LABEL,
	    sizeof(GKEY_KEK_CHECK_LABEL) - 1, out, &len) == NULL ||
	    len != GKEY_KEK_CHECK_LEN) {
		ERR_clear_error();
		OPENSSL_cleanse(out, GKEY_KEK_CHECK_LEN);
		return -1;
	}
	return 0;
}
