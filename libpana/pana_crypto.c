/*
 * pana_crypto.c - PANA key derivation and message integrity on OpenSSL 3.0
 * EVP_MAC.  See pana_crypto.h for the contract.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "pana_crypto.h"

/* A piece of HMAC input; lets us MAC a concatenation without copying. */
struct iov {
	const void	*base;
	size_t		 len;
};

#define PRF_MAX_BLOCKS	255	/* the prf+ counter is one octet */
#define PANA_KDF_LABEL	"IETF PANA"

static const char *
prf_digest(uint32_t prf_alg)
{
	switch (prf_alg) {
	case PANA_PRF_HMAC_SHA1:
		return "SHA1";
	case PANA_PRF_HMAC_SHA2_256:
		return "SHA256";
	default:
		return NULL;
	}
}

static const char *
integ_digest(uint32_t integ_alg)
{
	switch (integ_alg) {
	case PANA_AUTH_HMAC_SHA1_160:
		return "SHA1";
	case PANA_AUTH_HMAC_SHA2_256_128:
		return "SHA256";
	default:
		return NULL;
	}
}

size_t
pana_prf_len(uint32_t prf_alg)
{
	switch (prf_alg) {
	case PANA_PRF_HMAC_SHA1:
		return 20;
	case PANA_PRF_HMAC_SHA2_256:
		return 32;
	default:
		return 0;
	}
}

size_t
pana_auth_key_len(uint32_t integ_alg)
{
	switch (integ_alg) {
	case PANA_AUTH_HMAC_SHA1_160:
		return 20;
	case PANA_AUTH_HMAC_SHA2_256_128:
		return 32;
	default:
		return 0;
	}
}

size_t
pana_auth_mac_len(uint32_t integ_alg)
{
	switch (integ_alg) {
	case PANA_AUTH_HMAC_SHA1_160:
		return 20;
	case PANA_AUTH_HMAC_SHA2_256_128:
		return 16;
	default:
		return 0;
	}
}

/*
 * HMAC-<digest>(key, iov[0] | iov[1] | ...) into out, which holds at least
 * EVP_MAX_MD_SIZE octets.  A fresh EVP_MAC_CTX per call keeps this free of
 * global state; PANA computes a handful of MACs per message.
 */
static int
hmac_iov(const char *digest, const uint8_t *key, size_t keylen,
    const struct iov *iov, size_t niov, uint8_t *out, size_t *outlen)
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t i;
	int rc = PANA_E_CRYPTO;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		goto done;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		goto done;
	if (!EVP_MAC_init(ctx, key, keylen, params))
		goto done;
	for (i = 0; i < niov; i++) {
		if (iov[i].len > 0 &&
		    !EVP_MAC_update(ctx, iov[i].base, iov[i].len))
			goto done;
	}
	if (!EVP_MAC_final(ctx, out, outlen, EVP_MAX_MD_SIZE))
		goto done;
	rc = 0;
done:
	/* EVP_MAC_CTX_free() wipes the keyed HMAC state. */
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* prf+ over a seed given in pieces (see pana_prf_plus()). */
static int
prf_plus_iov(uint32_t prf_alg, const uint8_t *key, size_t keylen,
    const struct iov *seed, size_t nseed, uint8_t *out, size_t outlen)
{
	struct iov iov[8];
	uint8_t t[EVP_MAX_MD_SIZE];
	const char *digest;
	size_t hlen, tlen = 0, done = 0, i, n;
	uint8_t counter;
	int rc = 0;

	if ((digest = prf_digest(prf_alg)) == NULL)
		return PANA_E_ALG;
	hlen = pana_prf_len(prf_alg);
	if ((key == NULL && keylen > 0) || out == NULL ||
	    nseed + 2 > sizeof(iov) / sizeof(iov[0]))
		return PANA_E_ARG;
	if (outlen > hlen * PRF_MAX_BLOCKS)
		return PANA_E_ARG;

	for (counter = 1; done < outlen; counter++) {
		/* Tn = prf(K, Tn-1 | S | n); T0 is empty. */
		n = 0;
		iov[n].base = t;
		iov[n++].len = tlen;
		for (i = 0; i < nseed; i++)
			iov[n++] = seed[i];
		iov[n].base = &counter;
		iov[n++].len = 1;
		if ((rc = hmac_iov(digest, key, keylen, iov, n, t, &tlen)) != 0)
			break;
		if (tlen != hlen) {
			rc = PANA_E_CRYPTO;
			break;
		}
		i = outlen - done < tlen ? outlen - done : tlen;
		memcpy(out + done, t, i);
		done += i;
	}
	OPENSSL_cleanse(t, sizeof(t));
	if (rc != 0)
		OPENSSL_cleanse(out, outlen);
	return rc;
}

int
pana_prf_plus(uint32_t prf_alg, const uint8_t *key, size_t keylen,
    const uint8_t *seed, size_t seedlen, uint8_t *out, size_t outlen)
{
	struct iov s;

	if (seed == NULL && seedlen > 0)
		return PANA_E_ARG;
	s.base = seed;
	s.len = seedlen;
	return prf_plus_iov(prf_alg, key, keylen, &s, 1, out, outlen);
}

int
pana_auth_key_derive(uint32_t prf_alg, uint32_t integ_alg,
    const struct pana_kdf_input *in, uint8_t *key, size_t keysize,
    size_t *keylen)
{
	struct iov seed[6];
	uint8_t keyid[4];
	size_t len;
	int rc;

	if (in == NULL || key == NULL || keylen == NULL ||
	    in->msk == NULL || in->msk_len == 0 ||
	    in->i_par == NULL || in->i_pan == NULL ||
	    (in->pac_nonce == NULL && in->pac_nonce_len > 0) ||
	    (in->paa_nonce == NULL && in->paa_nonce_len > 0))
		return PANA_E_ARG;
	if (pana_prf_len(prf_alg) == 0 ||
	    (len = pana_auth_key_len(integ_alg)) == 0)
		return PANA_E_ALG;
	if (keysize < len)
		return PANA_E_NOSPACE;

	keyid[0] = (uint8_t)(in->key_id >> 24);
	keyid[1] = (uint8_t)(in->key_id >> 16);
	keyid[2] = (uint8_t)(in->key_id >> 8);
	keyid[3] = (uint8_t)in->key_id;

	seed[0].base = PANA_KDF_LABEL;
	seed[0].len = sizeof(PANA_KDF_LABEL) - 1;	/* no NUL */
	seed[1].base = in->i_par;
	seed[1].len = in->i_par_len;
	seed[2].base = in->i_pan;
	seed[2].len = in->i_pan_len;
	seed[3].base = in->pac_nonce;
	seed[3].len = in->pac_nonce_len;
	seed[4].base = in->paa_nonce;
	seed[4].len = in->paa_nonce_len;
	seed[5].base = keyid;
	seed[5].len = sizeof(keyid);

	rc = prf_plus_iov(prf_alg, in->msk, in->msk_len, seed, 6, key, len);
	*keylen = rc == 0 ? len : 0;
	return rc;
}

int
pana_auth_compute(uint32_t integ_alg, const uint8_t *key, size_t keylen,
    const uint8_t *msg, size_t len, size_t auth_off, uint8_t *mac)
{
	static const uint8_t zeros[PANA_AUTH_MAC_MAX];
	uint8_t full[EVP_MAX_MD_SIZE];
	struct iov iov[3];
	const char *digest;
	size_t maclen, fulllen;
	int rc;

	if ((digest = integ_digest(integ_alg)) == NULL)
		return PANA_E_ALG;
	maclen = pana_auth_mac_len(integ_alg);
	if (key == NULL || keylen == 0 || msg == NULL || mac == NULL ||
	    auth_off > len || len - auth_off < maclen)
		return PANA_E_ARG;

	/* The message with the AUTH value read as zeros, without copying. */
	iov[0].base = msg;
	iov[0].len = auth_off;
	iov[1].base = zeros;
	iov[1].len = maclen;
	iov[2].base = msg + auth_off + maclen;
	iov[2].len = len - auth_off - maclen;

	rc = hmac_iov(digest, key, keylen, iov, 3, full, &fulllen);
	if (rc == 0 && fulllen < maclen)
		rc = PANA_E_CRYPTO;
	if (rc == 0)
		memcpy(mac, full, maclen);	/* truncate */
	OPENSSL_cleanse(full, sizeof(full));
	return rc;
}

/* Find the AUTH value and check its length for integ_alg. */
static int
auth_locate(uint32_t integ_alg, const uint8_t *msg, size_t len,
    size_t *off, size_t *maclen)
{
	size_t vlen;
	int rc;

	if ((*maclen = pana_auth_mac_len(integ_alg)) == 0)
		return PANA_E_ALG;
	if ((rc = pana_msg_find_auth(msg, len, off, &vlen)) != 0)
		return rc;
	if (vlen != *maclen)
		return PANA_E_AVP_VALUE;
	return 0;
}

int
pana_auth_sign(uint32_t integ_alg, const uint8_t *key, size_t keylen,
    uint8_t *msg, size_t len)
{
	uint8_t mac[PANA_AUTH_MAC_MAX];
	size_t off, maclen;
	int rc;

	if ((rc = auth_locate(integ_alg, msg, len, &off, &maclen)) != 0)
		return rc;
	if ((rc = pana_auth_compute(integ_alg, key, keylen, msg, len, off,
	    mac)) == 0)
		memcpy(msg + off, mac, maclen);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int
pana_auth_verify(uint32_t integ_alg, const uint8_t *key, size_t keylen,
    const uint8_t *msg, size_t len)
{
	uint8_t mac[PANA_AUTH_MAC_MAX];
	size_t off, maclen;
	int rc;

	if ((rc = auth_locate(integ_alg, msg, len, &off, &maclen)) != 0)
		return rc;
	if ((rc = pana_auth_compute(integ_alg, key, keylen, msg, len, off,
	    mac)) == 0 && CRYPTO_memcmp(mac, msg + off, maclen) != 0)
		rc = PANA_E_AUTH;
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int
pana_relay_sign(uint8_t *msg, size_t *len, size_t size, const uint8_t *key,
    size_t keylen)
{
	struct pana_hdr h;
	uint8_t *a;
	size_t n;
	int rc;

	if (msg == NULL || len == NULL)
		return PANA_E_ARG;
	if ((rc = pana_hdr_parse(msg, *len, &h, NULL, 0)) != 0)
		return rc;
	if (h.type != PANA_MSG_RELAY)
		return PANA_E_RELAY;
	if (pana_msg_find_auth(msg, *len, NULL, NULL) != PANA_E_MISSING)
		return PANA_E_AVP_DUP;
	n = *len + PANA_RELAY_AUTH_OVERHEAD;
	if (n > size || n > PANA_MSG_MAX)
		return PANA_E_NOSPACE;
	/* AUTH AVP: code 1, no flags, length 16, reserved 0, then zeros. */
	a = msg + *len;
	memset(a, 0, PANA_RELAY_AUTH_OVERHEAD);
	a[1] = PANA_AVP_AUTH;
	a[5] = PANA_RELAY_AUTH_OVERHEAD - 8;
	msg[2] = (uint8_t)(n >> 8);
	msg[3] = (uint8_t)n;
	if ((rc = pana_auth_sign(PANA_RELAY_AUTH_ALG, key, keylen, msg,
	    n)) != 0) {
		/* Leave the message as it was. */
		msg[2] = (uint8_t)(*len >> 8);
		msg[3] = (uint8_t)*len;
		return rc;
	}
	*len = n;
	return 0;
}

int
pana_relay_verify(const uint8_t *msg, size_t len, const uint8_t *key,
    size_t keylen)
{
	struct pana_hdr h;
	int rc;

	if ((rc = pana_hdr_parse(msg, len, &h, NULL, 0)) != 0)
		return rc;
	if (h.type != PANA_MSG_RELAY)
		return PANA_E_RELAY;
	return pana_auth_verify(PANA_RELAY_AUTH_ALG, key, keylen, msg, len);
}

int
pana_hmac_sha256(const uint8_t *key, size_t keylen, const uint8_t *data,
    size_t len, uint8_t mac[32])
{
	struct iov iov[1];
	uint8_t out[EVP_MAX_MD_SIZE];
	size_t outlen = 0;
	int rc;

	iov[0].base = data;
	iov[0].len = len;
	if ((rc = hmac_iov("SHA256", key, keylen, iov, 1, out, &outlen)) == 0 &&
	    outlen != 32)
		rc = PANA_E_CRYPTO;
	if (rc == 0)
		memcpy(mac, out, 32);
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}
