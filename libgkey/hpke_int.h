/*
 * hpke_int.h - HPKE entry points for the rest of libgkey only.
 */
#ifndef GKEY_HPKE_INT_H
#define GKEY_HPKE_INT_H

#include "hpke.h"

/*
 * gkey_hpke_seal_ctx() in mode_auth with a fresh ephemeral key, for a
 * caller that already holds the serialised public keys: pkRm of pkR and
 * pkSm of skS (gkey_kem_enc_len(kem) octets each; they must be those of
 * the keys, nothing checks it), and whose pkR was built from pkRm by
 * gkey_pkey_from_spki() or gkey_pkey_from_raw_public(), which checked
 * the point.  Saves three public-key conversions and a check per seal.
 */
int	gkey_hpke_seal_prepared(const struct gkey_hpke_ctx *ctx,
	    enum gkey_kem kem, EVP_PKEY *pkR, const uint8_t *pkRm,
	    EVP_PKEY *skS, const uint8_t *pkSm,
	    const uint8_t *info, size_t info_len,
	    const uint8_t *aad, size_t aad_len,
	    const uint8_t *pt, size_t pt_len,
	    uint8_t *enc, size_t enc_size, size_t *enc_len,
	    uint8_t *ct, size_t ct_size, size_t *ct_len);

#endif /* GKEY_HPKE_INT_H */
