/*
 * keyrecord.h - Key Record v1 (doc/key-record.md): a group key sealed by
 * the key server to one node with HPKE Auth mode.
 *
 *  offset size  field (all integers big-endian)
 *   0      1    version = 1
 *   1      1    suite: 1 = DHKEM(P-256), 2 = DHKEM(X25519); both with
 *               HKDF-SHA256, AES-128-GCM, HPKE mode_auth
 *   2      1    GK algorithm: 1 = AES-128 (16 octets), 2 = AES-256 (32)
 *   3      1    n = length of the application name, 1..64
 *   4      4    application id
 *   8      4    epoch
 *  12      8    not_before, seconds since 1970 UTC
 *  20      8    not_after
 *  28      8    recipient key id  (gkey_key_id() of the node's key)
 *  36      8    sender key id     (gkey_key_id() of the key server's key)
 *  44      n    application name, UTF-8
 *  44+n  Nenc   HPKE enc (65 for P-256, 32 for X25519)
 *   ..   GK+16  HPKE ciphertext of the GK
 *
 * HPKE info is GKEY_RECORD_INFO; aad is octets 0 .. 44+n-1.
 *
 * Ownership: EVP_PKEY arguments are borrowed; buffers belong to the caller.
 * err/errlen (err may be NULL) receive a one-line reason on failure,
 * never secret material.  All functions return 0 or -1.
 */
#ifndef GKEY_KEYRECORD_H
#define GKEY_KEYRECORD_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "hpke.h"

#define GKEY_RECORD_VERSION	1
#define GKEY_RECORD_HDR_LEN	44
#define GKEY_RECORD_NAME_MAX	64
#define GKEY_RECORD_INFO	"gkey key record v1"
#define GKEY_KEY_ID_LEN		8
#define GKEY_GK_MAX		32
/* Largest record: longest name, P-256 enc, AES-256 GK. */
#define GKEY_RECORD_MAX_LEN	(GKEY_RECORD_HDR_LEN + GKEY_RECORD_NAME_MAX + \
				    65 + GKEY_GK_MAX + 16)
/*
 * Longest value of a classic RADIUS vendor attribute (255 - 2 - 6): one
 * record travels in one GKey-Key-Record (doc/key-record.md), so
 * GKEY_RECORD_MAX_LEN must not exceed it.
 */
#define GKEY_RADIUS_VSA_VALUE_MAX	247

enum gkey_suite {
	GKEY_SUITE_P256 = 1,
	GKEY_SUITE_X25519 = 2
};

enum gkey_gk_alg {
	GKEY_GK_AES128 = 1,
	GKEY_GK_AES256 = 2
};

/* A parsed record.  name, enc and ct point into the parsed buffer. */
struct gkey_record {
	uint8_t		 version;
	uint8_t		 suite;		/* enum gkey_suite */
	uint8_t		 gk_alg;	/* enum gkey_gk_alg */
	uint32_t	 app_id;
	uint32_t	 epoch;
	uint64_t	 not_before;
	uint64_t	 not_after;
	uint8_t		 recipient_id[GKEY_KEY_ID_LEN];
	uint8_t		 sender_id[GKEY_KEY_ID_LEN];
	const uint8_t	*name;		/* not NUL-terminated */
	size_t		 name_len;
	const uint8_t	*enc;
	size_t		 enc_len;
	const uint8_t	*ct;
	size_t		 ct_len;
	size_t		 aad_len;	/* 44 + n */
	size_t		 gk_len;	/* from gk_alg */
	size_t		 len;		/* whole record */
};

/* What the key server puts in a record's header. */
struct gkey_record_meta {
	uint32_t	 app_id;
	uint32_t	 epoch;
	uint64_t	 not_before;
	uint64_t	 not_after;	/* must be > not_before */
	enum gkey_gk_alg gk_alg;
	const char	*name;		/* UTF-8, 1..64 octets, no controls */
	size_t		 name_len;
};

/* GK length of an algorithm (16, 32), or 0 if unknown. */
size_t	gkey_gk_alg_len(unsigned int gk_alg);

/* Exact record length for these parameters, or 0 if any is invalid. */
size_t	gkey_record_len(unsigned int suite, unsigned int gk_alg,
	    size_t name_len);

/*
 * First 8 octets of SHA-256 over the key's SubjectPublicKeyInfo DER.  For
 * P-256 the SPKI is first put in its canonical form (named curve,
 * uncompressed point) so that every encoding of one key has one id.
 * Works on public and private keys.
 */
int	gkey_key_id(EVP_PKEY *pk, uint8_t id[GKEY_KEY_ID_LEN]);

/*
 * Is name[0..len) an acceptable application name: 1..64 octets of
 * well-formed UTF-8 (no overlong forms, surrogates or code points above
 * U+10FFFF) without C0 control characters (NUL included) or DEL.
 */
int	gkey_record_name_valid(const uint8_t *name, size_t len);

/*
 * Strict structural parse, no cryptography.  Refuses a short header, a
 * version other than 1, an unknown suite or GK algorithm, n outside
 * 1..64, a total length other than the exact one the header implies, an
 * invalid name, and not_before >= not_after.  On success *out points into
 * buf, which must outlive it.
 */
int	gkey_record_parse(const uint8_t *buf, size_t len,
	    struct gkey_record *out, char *err, size_t errlen);

/*
 * Seal gk (gk_len must match meta->gk_alg) to recipient (P-256 or X25519
 * public key; anything else fails with "unsupported key type") from
 * server_key (the key server's private key on the same curve).  Writes the
 * record into out (out_size >= gkey_record_len(), at most
 * GKEY_RECORD_MAX_LEN) and its length into *out_len.
 */
int	gkey_record_seal(const struct gkey_record_meta *meta,
	    const uint8_t *gk, size_t gk_len, EVP_PKEY *recipient,
	    EVP_PKEY *server_key, uint8_t *out, size_t out_size,
	    size_t *out_len, char *err, size_t errlen);

/*
 * gkey_record_seal() with an HPKE context (hpke.h: made once, shared by
 * every thread); gkey_record_seal() makes one for the one call.
 */
int	gkey_record_seal_ctx(const struct gkey_hpke_ctx *hctx,
	    const struct gkey_record_meta *meta,
	    const uint8_t *gk, size_t gk_len, EVP_PKEY *recipient,
	    EVP_PKEY *server_key, uint8_t *out, size_t out_size,
	    size_t *out_len, char *err, size_t errlen);

/*
 * A key server's static key made ready once for many seals: its KEM,
 * serialised public key and key id, which gkey_record_seal_spki() would
 * otherwise compute for every record.  key is borrowed (never freed): it
 * must outlive the struct.  Filled once, then only read, so threads may
 * share it.  gkey_record_sender_init() returns 0, or -1 for a key of no
 * supported KEM.
 */
struct gkey_record_sender {
	EVP_PKEY	*key;
	enum gkey_kem	 kem;
	uint8_t		 pub[GKEY_HPKE_ENC_MAX];
	uint8_t		 id[GKEY_KEY_ID_LEN];
};

int	gkey_record_sender_init(struct gkey_record_sender *sender,
	    EVP_PKEY *server_key);

/*
 * gkey_record_seal_ctx() to the node enrolled with the SubjectPublicKeyInfo
 * DER spki[0..spki_len), decoded here with gkey_pkey_from_spki(); the
 * record is the same.  A canonical SPKI (named curve P-256 with an
 * uncompressed point, or X25519) is the fast case: the serialised key and
 * the key id come straight from its octets.  Fails with "unsupported key
 * type" for an SPKI that does not decode to a P-256 or X25519 key, and
 * with "no key server key for the recipient's key type" when sender is
 * of the other KEM.
 */
int	gkey_record_seal_spki(const struct gkey_hpke_ctx *hctx,
	    const struct gkey_record_meta *meta,
	    const uint8_t *gk, size_t gk_len,
	    const uint8_t *spki, size_t spki_len,
	    const struct gkey_record_sender *sender,
	    uint8_t *out, size_t out_size, size_t *out_len,
	    char *err, size_t errlen);

/*
 * Open a record as the node: parse it, check that the recipient key id is
 * node_key's ("record is for another node (recipient key id mismatch)"),
 * pick the key-server key whose id is the sender key id from servers[0..
 * nservers) ("unknown sender key"), HPKE-open it ("record authentication
 * failed"), then check not_before <= now < not_after ("record not yet
 * valid", "record expired").  Validity is checked after authentication so
 * that the reason given is about a header the key server really wrote.
 *
 * On success the GK is in gk[0..*gk_len) (gk_size >= 32 is always enough)
 * and, if rec is not NULL, the parsed header in *rec (pointing into buf).
 * On failure gk holds nothing secret.
 */
int	gkey_record_open(const uint8_t *buf, size_t len, EVP_PKEY *node_key,
	    EVP_PKEY *const *servers, size_t nservers, uint64_t now,
	    struct gkey_record *rec, uint8_t *gk, size_t gk_size,
	    size_t *gk_len, char *err, size_t errlen);

#endif /* GKEY_KEYRECORD_H */
