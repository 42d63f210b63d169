/*
 * pana_crypto.h - PANA key derivation and message integrity (RFC 5191
 * sections 5.3 and 5.4) on OpenSSL 3.0 EVP_MAC (HMAC).
 *
 * Supported suites: PRF_HMAC_SHA2_256 with AUTH_HMAC_SHA2_256_128 (gkey's
 * preferred suite) and PRF_HMAC_SHA1 with AUTH_HMAC_SHA1_160 (the RFC 5191
 * mandatory suite).  The PRF and integrity algorithms are chosen
 * independently, as PANA negotiates them separately.
 *
 * Memory: no function allocates anything the caller must free.  Keys are
 * written into caller buffers; the caller owns them and must wipe them
 * with OPENSSL_cleanse() when done.  Intermediate key material inside
 * these functions is wiped before they return, on every path.
 *
 * Return values: 0 on success, a negative PANA_E_* code (pana_msg.h) on
 * failure.  PANA_E_AUTH means "does not verify" and nothing else.
 */
#ifndef GKEY_PANA_CRYPTO_H
#define GKEY_PANA_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "pana_msg.h"

/* Largest PANA_AUTH_KEY and AUTH value of the supported suites. */
#define PANA_AUTH_KEY_MAX	32
#define PANA_AUTH_MAC_MAX	20

/* Output size of the PRF (20 or 32), 0 if the algorithm is unsupported. */
size_t	pana_prf_len(uint32_t prf_alg);

/*
 * PANA_AUTH_KEY length for an integrity algorithm, 0 if unsupported:
 * 20 for AUTH_HMAC_SHA1_160 (RFC 4595), 32 for AUTH_HMAC_SHA2_256_128
 * (RFC 4868).
 */
size_t	pana_auth_key_len(uint32_t integ_alg);

/*
 * Length of the AUTH AVP value, 0 if unsupported: 20 for
 * AUTH_HMAC_SHA1_160, 16 for AUTH_HMAC_SHA2_256_128 (truncated).
 */
size_t	pana_auth_mac_len(uint32_t integ_alg);

/*
 * prf+ of IKEv2 (RFC 5996 section 2.13):
 *   T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), out = T1 | T2 | ...
 * at most 255 blocks.  out receives outlen octets.
 */
int	pana_prf_plus(uint32_t prf_alg, const uint8_t *key, size_t keylen,
	    const uint8_t *seed, size_t seedlen, uint8_t *out, size_t outlen);

/*
 * Inputs of the PANA_AUTH_KEY derivation (RFC 5191 section 5.3):
 *
 *   PANA_AUTH_KEY = prf+(MSK, "IETF PANA" | I_PAR | I_PAN |
 *                             PaC_nonce | PAA_nonce | Key_ID)
 *
 * i_par/i_pan: the whole initial PANA-Auth-Request and PANA-Auth-Answer
 * (the ones with the S flag, header and AVPs, as first sent: not a
 * retransmission); pac_nonce/paa_nonce: the values of the Nonce AVPs of
 * the first PANA-Auth-Answer and PANA-Auth-Request of this
 * (re-)authentication; key_id: the Key-Id AVP value, written big-endian as
 * on the wire.  All pointers are borrowed.
 */
struct pana_kdf_input {
	const uint8_t	*msk;
	size_t		 msk_len;
	const uint8_t	*i_par;
	size_t		 i_par_len;
	const uint8_t	*i_pan;
	size_t		 i_pan_len;
	const uint8_t	*pac_nonce;
	size_t		 pac_nonce_len;
	const uint8_t	*paa_nonce;
	size_t		 paa_nonce_len;
	uint32_t	 key_id;
};

/*
 * Derive PANA_AUTH_KEY with prf_alg, sized for integ_alg.  key must hold
 * keysize >= pana_auth_key_len(integ_alg) octets; *keylen receives the
 * length written.
 */
int	pana_auth_key_derive(uint32_t prf_alg, uint32_t integ_alg,
	    const struct pana_kdf_input *in, uint8_t *key, size_t keysize,
	    size_t *keylen);

/*
 * AUTH value of a message (RFC 5191 section 5.4): HMAC over the whole
 * message with the AUTH AVP value taken as zeros, truncated for integ_alg.
 * auth_off is the offset of the AUTH value in msg; the message itself is
 * not modified.  mac must hold pana_auth_mac_len(integ_alg) octets.
 */
int	pana_auth_compute(uint32_t integ_alg, const uint8_t *key,
	    size_t keylen, const uint8_t *msg, size_t len, size_t auth_off,
	    uint8_t *mac);

/*
 * Fill in the AUTH AVP of a finished message (built with pana_build_auth()
 * with pana_auth_mac_len(integ_alg) octets).  The message must contain
 * exactly one AUTH AVP of the right length.
 */
int	pana_auth_sign(uint32_t integ_alg, const uint8_t *key, size_t keylen,
	    uint8_t *msg, size_t len);

/*
 * Verify the AUTH AVP of a received message in constant time.  Returns 0
 * when it verifies, PANA_E_AUTH when it does not, PANA_E_MISSING or
 * PANA_E_AVP_DUP when there is no single AUTH AVP, PANA_E_AVP_VALUE when
 * its length is wrong for integ_alg.
 */
int	pana_auth_verify(uint32_t integ_alg, const uint8_t *key,
	    size_t keylen, const uint8_t *msg, size_t len);

/* HMAC-SHA-256(key, data) into mac (32 octets).  0 or PANA_E_CRYPTO. */
int	pana_hmac_sha256(const uint8_t *key, size_t keylen,
	    const uint8_t *data, size_t len, uint8_t mac[32]);

/*
 * Relay AUTH (gkey profile, doc/pana.md section 3.1): RFC 6345 leaves the
 * relay-PAA hop to IPsec; a relay and a PAA that share a relay key instead
 * end every PANA-Relay message with an AUTH AVP (code 1, 16 octets):
 * HMAC-SHA-256 keyed with the relay key over the whole PANA-Relay message
 * with that value taken as zeros, truncated to 128 bits (that is,
 * AUTH_HMAC_SHA2_256_128 with the relay key).
 */
#define PANA_RELAY_AUTH_ALG	PANA_AUTH_HMAC_SHA2_256_128
#define PANA_RELAY_AUTH_OVERHEAD 24	/* AVP header 8, value 16 */

/*
 * Append the relay AUTH to the finished PANA-Relay message msg (*len
 * octets in a buffer of size) and fill it in; *len grows by
 * PANA_RELAY_AUTH_OVERHEAD.  0, or PANA_E_NOSPACE, PANA_E_RELAY (not a
 * PANA-Relay message), PANA_E_AVP_DUP (it has an AUTH already).
 */
int	pana_relay_sign(uint8_t *msg, size_t *len, size_t size,
	    const uint8_t *key, size_t keylen);

/* Verify the relay AUTH of a PANA-Relay message: as pana_auth_verify(). */
int	pana_relay_verify(const uint8_t *msg, size_t len, const uint8_t *key,
	    size_t keylen);

#endif /* GKEY_PANA_CRYPTO_H */
