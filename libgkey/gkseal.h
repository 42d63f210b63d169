/*
 * gkseal.h - group key material sealed at rest (the GK DB's material
 * column): AES-256-GCM under a 32-octet key-encryption key (KEK) that only
 * the key server holds.
 *
 * Blob format, version 1:
 *
 *   offset size     field
 *    0      1       version = 1
 *    1      12      nonce, random per seal
 *   13      len     AES-256-GCM ciphertext of the GK
 *   13+len  16      GCM tag
 *
 * AAD = application id (4 octets, big-endian) || epoch (4 octets,
 * big-endian), so a blob copied to another application or epoch row does
 * not open.  The version octet is not in the AAD: it selects the format,
 * and any other value is refused.
 *
 * All functions return 0 or -1; the caller owns every buffer.
 */
#ifndef GKEY_GKSEAL_H
#define GKEY_GKSEAL_H

#include <stddef.h>
#include <stdint.h>

#define GKEY_GKSEAL_VERSION	1
#define GKEY_KEK_LEN		32
#define GKEY_GKSEAL_NONCE_LEN	12
#define GKEY_GKSEAL_TAG_LEN	16
#define GKEY_GKSEAL_OVERHEAD	(1 + GKEY_GKSEAL_NONCE_LEN + \
				    GKEY_GKSEAL_TAG_LEN)
/* Largest GK sealed (room for future algorithms). */
#define GKEY_GKSEAL_GK_MAX	64
#define GKEY_GKSEAL_MAX_LEN	(GKEY_GKSEAL_OVERHEAD + GKEY_GKSEAL_GK_MAX)

/*
 * Seal gk[0..gk_len) (1..64 octets) into out (out_size >= gk_len + 29).
 * *out_len = gk_len + 29.
 */
int	gkey_gk_seal(const uint8_t kek[GKEY_KEK_LEN], uint32_t app_id,
	    uint32_t epoch, const uint8_t *gk, size_t gk_len, uint8_t *out,
	    size_t out_size, size_t *out_len);

/*
 * Open a blob sealed for (app_id, epoch).  Fails on a wrong version, a
 * length outside 30..93, a wrong KEK, AAD or any altered octet, or a GK
 * longer than gk_size; then gk holds nothing secret.
 */
int	gkey_gk_open(const uint8_t kek[GKEY_KEK_LEN], uint32_t app_id,
	    uint32_t epoch, const uint8_t *blob, size_t blob_len, uint8_t *gk,
	    size_t gk_size, size_t *gk_len);

/*
 * The KEK's check value: HMAC-SHA256(KEK, GKEY_KEK_CHECK_LABEL).  It is
 * stored in the database (gkey.kek_check) so that a key server started
 * with another deployment's KEK notices before it seals anything; it
 * reveals nothing about the KEK.
 */
#define GKEY_KEK_CHECK_LABEL	"gkey kek check v1"
#define GKEY_KEK_CHECK_LEN	32
int	gkey_kek_check(const uint8_t kek[GKEY_KEK_LEN],
	    uint8_t out[GKEY_KEK_CHECK_LEN]);

/* len (1..64) octets of fresh key material from RAND_priv_bytes(). */
int	gkey_gk_generate(uint8_t *gk, size_t len);

#endif /* GKEY_GKSEAL_H */
