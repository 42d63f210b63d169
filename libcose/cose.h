/*
 * cose.h - the application messages of doc/cose-message.md: one tagged
 * COSE_Encrypt0 (RFC 9052) per UDP datagram, AES-CCM-16-64-128/256 with
 * the application's GK, kid = app id || epoch, IV = sender id || sequence
 * number, a 64-message replay window per (kid, sender id).
 *
 * CBOR is encoded and decoded with libcbor, AES-CCM is OpenSSL 3's EVP.
 * Nothing here logs; every refusal is a named enum value.
 */
#ifndef GKEY_COSE_H
#define GKEY_COSE_H

#include <stddef.h>
#include <stdint.h>

#define GKEY_COSE_TAG		16	/* CBOR tag of COSE_Encrypt0 */
#define GKEY_COSE_ALG_128	10	/* AES-CCM-16-64-128 */
#define GKEY_COSE_ALG_256	11	/* AES-CCM-16-64-256 */
#define GKEY_COSE_KID_LEN	8
#define GKEY_COSE_SENDER_LEN	7
#define GKEY_COSE_IV_LEN	13
#define GKEY_COSE_CCM_TAG_LEN	8
#define GKEY_COSE_SEQ_MAX	UINT64_C(0xffffffffffff)	/* 6 octets */
#define GKEY_COSE_WINDOW	64
/* IPv6 minimum MTU less the IPv6 and UDP headers: never fragmented. */
#define GKEY_COSE_MSG_MAX	1232
#define GKEY_COSE_NAME_MAX	64	/* sensor name, octets */
#define GKEY_COSE_UNIT_MAX	32	/* unit, octets */
#define GKEY_COSE_APP_MAX	64	/* application name, as the Key Record */
#define GKEY_COSE_GK_MAX	32

enum gkey_cose_status {
	GKEY_COSE_OK = 0,
	GKEY_COSE_TOO_LARGE,		/* longer than GKEY_COSE_MSG_MAX */
	GKEY_COSE_MALFORMED_CBOR,	/* not one well-formed CBOR item */
	GKEY_COSE_NOT_TAG16,		/* not tagged 16 (COSE_Encrypt0) */
	GKEY_COSE_BAD_STRUCTURE,	/* not [bstr, {4: kid, 5: IV}, bstr] */
	GKEY_COSE_BAD_PROTECTED,	/* protected not exactly a1 01 0a|0b */
	GKEY_COSE_OTHER_LABEL,		/* an unprotected label other than 4, 5 */
	GKEY_COSE_UNKNOWN_KID,		/* no GK for that app id and epoch */
	GKEY_COSE_KEY_NOT_VALID,	/* the GK is outside not_before..not_after */
	GKEY_COSE_ALG_MISMATCH,		/* alg 10 with an AES-256 GK or 11 with AES-128 */
	GKEY_COSE_SEQ_ZERO,		/* sequence number 0 */
	GKEY_COSE_REPLAYED,		/* in the window, already seen */
	GKEY_COSE_TOO_OLD,		/* below the window */
	GKEY_COSE_TAG_MISMATCH,		/* the CCM tag does not verify */
	GKEY_COSE_BAD_PLAINTEXT,	/* verified, but not the sample reading map */
	GKEY_COSE_BAD_ARGUMENT,		/* caller error (seal) */
	GKEY_COSE_INTERNAL		/* out of memory, OpenSSL failure */
};

/* The short name of a status ("unknown kid"), for log lines. */
const char	*gkey_cose_strerror(enum gkey_cose_status st);

/* The plaintext of the sample: {"n": name, "t": time, "v": value, "u": unit}. */
struct gkey_reading {
	char		name[GKEY_COSE_NAME_MAX + 1];
	uint64_t	time;
	int		is_float;	/* v as a float (fvalue), else ivalue */
	int64_t		ivalue;
	double		fvalue;
	char		unit[GKEY_COSE_UNIT_MAX + 1];
};

/* One GK as the key file lists it (libgkey/recline.h's line). */
struct gkey_cose_key {
	char		app[GKEY_COSE_APP_MAX + 1];
	uint32_t	app_id;
	uint32_t	epoch;
	uint64_t	not_before;
	uint64_t	not_after;
	uint8_t		gk[GKEY_COSE_GK_MAX];
	size_t		gk_len;		/* 16 or 32 */
};

#define GKEY_COSE_KEYS_MAX	64
struct gkey_cose_keys {
	struct gkey_cose_key	key[GKEY_COSE_KEYS_MAX];
	size_t			n;
};

/*
 * The replay state of a receiver, kept apart from the keys so that a
 * re-read key file does not reopen the windows.  When full, the entry
 * updated longest ago is reused (its sender's window restarts: a sample
 * trade-off, see doc/cose-message.md section 3).
 */
#define GKEY_COSE_REPLAY_MAX	256
struct gkey_cose_window {
	uint8_t		kid[GKEY_COSE_KID_LEN];
	uint8_t		sender[GKEY_COSE_SENDER_LEN];
	uint64_t	top;		/* highest sequence number accepted */
	uint64_t	bitmap;		/* bit i: top - i seen */
	uint64_t	used;		/* tick of the last update, 0 = free */
};
struct gkey_cose_replay {
	struct gkey_cose_window	w[GKEY_COSE_REPLAY_MAX];
	uint64_t		tick;
};

/* What open() tells besides the reading. */
struct gkey_cose_info {
	uint32_t	app_id;
	uint32_t	epoch;
	uint8_t		sender[GKEY_COSE_SENDER_LEN];
	uint64_t	seq;
	const struct gkey_cose_key *key;	/* in the store passed to open() */
};

/*
 * Seal reading with key (its gk_len picks alg 10 or 11) under IV
 * sender || seq into out[0..out_size).  seq must be 1..GKEY_COSE_SEQ_MAX
 * and never repeat under one GK: that is the caller's state.  Returns
 * GKEY_COSE_OK and *out_len, or a status.
 */
enum gkey_cose_status gkey_cose_seal(const struct gkey_reading *reading,
	    const struct gkey_cose_key *key,
	    const uint8_t sender[GKEY_COSE_SENDER_LEN], uint64_t seq,
	    uint8_t *out, size_t out_size, size_t *out_len);

/*
 * Open one datagram with the GKs of keys, checked against and recorded in
 * replay (only once the tag verifies), at time now (seconds since 1970).
 * Returns GKEY_COSE_OK with *reading and *info filled, or the refusal;
 * info is filled as far as it was read (zero otherwise).
 */
enum gkey_cose_status gkey_cose_open(const uint8_t *msg, size_t len,
	    const struct gkey_cose_keys *keys, struct gkey_cose_replay *replay,
	    uint64_t now, struct gkey_reading *reading,
	    struct gkey_cose_info *info);

/* The kid of an app id and epoch. */
void	gkey_cose_kid(uint32_t app_id, uint32_t epoch,
	    uint8_t kid[GKEY_COSE_KID_LEN]);

/*
 * The sender id: the first 7 octets of SHA-256 of spki[0..len), the DER
 * SubjectPublicKeyInfo.  Returns 0 or -1.
 */
int	gkey_cose_sender_id(const uint8_t *spki, size_t len,
	    uint8_t sender[GKEY_COSE_SENDER_LEN]);

/*
 * Parse one key line ("app=NAME id=N epoch=N not_before=T not_after=T
 * gk=HEX", as libgkey/recline.h prints it) into *key.  Returns 0, or -1
 * (key then holds nothing secret).
 */
int	gkey_cose_key_parse(const char *line, size_t len,
	    struct gkey_cose_key *key);

/*
 * Read the key lines of path into *keys (lines that do not parse are
 * counted in *bad if bad is not NULL).  Returns 0 or -1 with errno.
 */
int	gkey_cose_keys_load(const char *path, struct gkey_cose_keys *keys,
	    size_t *bad);

/*
 * The key a sender uses for application app (by name): the highest epoch
 * whose validity covers now.  NULL if there is none.
 */
const struct gkey_cose_key *gkey_cose_keys_current(
	    const struct gkey_cose_keys *keys, const char *app, uint64_t now);

/* Wipe every GK of keys. */
void	gkey_cose_keys_clear(struct gkey_cose_keys *keys);

#endif /* GKEY_COSE_H */
