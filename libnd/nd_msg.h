/*
 * nd_msg.h - parse and build the Router Solicitations and Router
 * Advertisements of gkey's user-node path (doc/nd.md): RFC 4861 headers
 * and options, the RFC 3971 Nonce and Timestamp options, and the gkey
 * option (type 253) with its sub-types.
 *
 * Pure functions: no sockets, no allocation, no global state.  gkey-ard,
 * gkey-noded, the unit tests and the fuzzers call them directly.
 *
 * Memory: nothing here allocates.  Output buffers are owned by the caller
 * and passed with their size.  A parsed struct nd_msg only *borrows* the
 * caller's receive buffer: its pointers are valid only while that buffer
 * is alive and unchanged.
 *
 * Errors: functions return 0 on success and a negative ND_E_* code on
 * failure.  With an error buffer the caller receives a one-line reason
 * naming the option and its offset, suitable for a rate-limited log line
 * ("gkey Part at offset 704: index 3 above count 2").  nd_strerror() maps
 * a code to a short fixed string.
 *
 * The message is the ICMPv6 message, from its Type octet, without the
 * IPv6 header (what a raw ICMPv6 socket reads and writes).
 */
#ifndef GKEY_ND_MSG_H
#define GKEY_ND_MSG_H

#include <stddef.h>
#include <stdint.h>

/* ICMPv6 types (RFC 4861 section 4). */
#define ND_TYPE_RS		133
#define ND_TYPE_RA		134

#define ND_RS_HDR_LEN		8	/* type code cksum reserved(4) */
#define ND_RA_HDR_LEN		16	/* + hop M|O... lifetime reachable retrans */

/*
 * RFC 6980 / doc/nd.md 1.4: a whole IPv6 packet of at most 1280 octets,
 * so at most 1240 octets of ICMPv6 message after the 40-octet header.
 */
#define ND_IPV6_MIN_MTU		1280
#define ND_IPV6_HDR_LEN		40
#define ND_MSG_MAX		(ND_IPV6_MIN_MTU - ND_IPV6_HDR_LEN)

/* Option types. */
#define ND_OPT_SLLA		1	/* RFC 4861 4.6.1 */
#define ND_OPT_TLLA		2
#define ND_OPT_PREFIX		3	/* RFC 4861 4.6.2 */
#define ND_OPT_MTU		5	/* RFC 4861 4.6.4 */
#define ND_OPT_TIMESTAMP	13	/* RFC 3971 5.3.1 */
#define ND_OPT_NONCE		14	/* RFC 3971 5.3.2 */
#define ND_OPT_RDNSS		25	/* RFC 8106 */
#define ND_OPT_GKEY		253	/* RFC 4727 experiment, doc/nd.md 2 */

/* gkey option layout (doc/nd.md 2.1). */
#define ND_GKEY_HDR_LEN		6	/* type len subtype reserved datalen(2) */

/* gkey sub-types (doc/nd.md 2.2). */
#define ND_GK_CERT		1
#define ND_GK_APP		2
#define ND_GK_RECORD		3
#define ND_GK_REFRESH		4
#define ND_GK_STATUS		5
#define ND_GK_SIGNATURE		6
#define ND_GK_PART		7

#define ND_SIG_LEN		64	/* r || s, 32 octets each */
#define ND_SIG_OPT_LEN		72	/* 6 + 64 + 2 padding */
#define ND_TIMESTAMP_OPT_LEN	16	/* RFC 3971: Length 2 */
#define ND_NONCE_MIN		6	/* octets; then 14, 22, ... */
#define ND_NONCE_MAX		(255 * 8 - 2)
#define ND_APP_MAX		64	/* octets of an application name */
#define ND_APPS_MAX		32	/* radius.md 4: 0..32 GKey-Requested-App */
#define ND_REASON_MAX		255	/* octets of a Status reason we build */

/* Status codes (doc/nd.md 2.2). */
#define ND_STATUS_REFUSED	1
#define ND_STATUS_UNAVAILABLE	2

/* Error codes, all negative. */
enum nd_error {
	ND_OK = 0,
	ND_E_ARG = -1,		/* caller passed a bad argument */
	ND_E_SHORT = -2,	/* shorter than the ICMPv6 header */
	ND_E_TYPE = -3,		/* not an RS or RA, or code not 0 */
	ND_E_OPT_LEN0 = -4,	/* option Length 0 */
	ND_E_OPT_OVERRUN = -5,	/* option runs past the message */
	ND_E_DATA_LEN = -6,	/* gkey data length beyond the option */
	ND_E_PADDING = -7,	/* non-zero or non-minimal padding */
	ND_E_SIZE = -8,		/* fixed-size datum of the wrong size */
	ND_E_PART = -9,		/* Part index 0, count 0 or index > count */
	ND_E_EMPTY = -10,	/* empty Certificate or Key Record */
	ND_E_UTF8 = -11,	/* text is not UTF-8 */
	ND_E_SIG_NOT_LAST = -12, /* an option follows the Signature */
	ND_E_DUP = -13,		/* single-instance option twice */
	ND_E_MISSING = -14,	/* a required option is absent */
	ND_E_CONFLICT = -15,	/* Status together with records or Refresh */
	ND_E_TOO_MANY = -16,	/* more Requested Applications than 32 */
	ND_E_NOSPACE = -17,	/* output buffer too small */
	ND_E_CRYPTO = -18,	/* OpenSSL failure */
	ND_E_KEY = -19,		/* key is not P-256 */
	ND_E_BADSIG = -20,	/* signature does not verify */
	ND_E_CERT = -21,	/* certificate refused (nd_crypto.h) */
	ND_E_VALUE = -22	/* Refresh 0 or Status code 0 */
};

/* Size of an error buffer that always holds a whole reason. */
#define ND_ERRLEN		160

const char	*nd_strerror(int);

/* One option, pointing into the message it was read from (borrowed). */
struct nd_opt {
	uint8_t		 type;
	uint8_t		 subtype;	/* gkey options only */
	const uint8_t	*data;		/* body: after Type/Length, or gkey data */
	size_t		 len;		/* of data, without padding */
	size_t		 offset;	/* of the option in the message */
	size_t		 optlen;	/* Length * 8 */
};

/* Cursor over the options of a message: a position and what is left. */
struct nd_opt_iter {
	const uint8_t	*base;
	size_t		 off;		/* next option */
	size_t		 end;		/* end of the message */
};

/*
 * A validated message.  Single-instance options are recorded once; the
 * repeated ones (Requested Application, Key Record) are counted and
 * walked again with nd_opt_next().  has_gkey says whether any gkey option
 * was present: an RS without one is a plain RS (doc/nd.md 1.2: ignored).
 */
struct nd_msg {
	const uint8_t	*buf;		/* borrowed: the whole message */
	size_t		 len;
	uint8_t		 type;		/* ND_TYPE_RS or ND_TYPE_RA */
	size_t		 hdr_len;

	/* RA header fields (type ND_TYPE_RA only), host order. */
	uint8_t		 cur_hop_limit;
	uint8_t		 ra_flags;
	uint16_t	 router_lifetime;
	uint32_t	 reachable_time;
	uint32_t	 retrans_timer;

	const uint8_t	*slla;		/* Source Link-Layer Address body */
	size_t		 slla_len;
	const uint8_t	*nonce;
	size_t		 nonce_len;
	int		 has_timestamp;
	uint64_t	 timestamp;	/* RFC 3971: seconds << 16 | 1/64K */

	int		 has_gkey;
	const uint8_t	*cert;
	size_t		 cert_len;
	unsigned int	 n_apps;	/* RS */
	unsigned int	 n_records;	/* RA */
	int		 has_refresh;
	uint32_t	 refresh;
	int		 has_status;
	uint8_t		 status;
	const uint8_t	*reason;	/* UTF-8, not NUL-terminated */
	size_t		 reason_len;
	int		 has_part;
	uint8_t		 part_index;
	uint8_t		 part_count;
	const uint8_t	*sig;		/* ND_SIG_LEN octets */
	size_t		 sig_offset;	/* of the Signature option: signed length */
};

/*
 * Full validation per doc/nd.md 2.3: the ICMPv6 header (type RS or RA,
 * code 0), then every option with a cursor and the octets left.  Drops
 * the message on Length 0, overrun, a gkey data length beyond its option,
 * non-zero or non-minimal padding, a Nonce shorter than 6 octets, a
 * Timestamp, Refresh, Part or Signature of the wrong size, a bad Part, an
 * empty Certificate or Key Record, text that is not UTF-8 (or holds NUL),
 * an option after the Signature, and the duplicates doc/nd.md lists.
 * Sub-types of the other message and unknown sub-types are only checked
 * for layout.  Does not require any option: see nd_msg_require().
 * The ICMPv6 checksum is not looked at (the kernel checks it).
 */
int	nd_msg_parse(const uint8_t *buf, size_t len, struct nd_msg *m,
	    char *err, size_t errlen);

/*
 * The options a gkey message needs once it has any gkey option: Nonce
 * (RS; an RA without one is a push, doc/nd.md 1.6), Timestamp,
 * Certificate and Signature; in an RA also Part, and either Status
 * (Part 1 of 1, no records, no Refresh) or at least one Key Record with a
 * Refresh.  Call after nd_msg_parse() succeeded with has_gkey set.
 */
int	nd_msg_require(const struct nd_msg *m, char *err, size_t errlen);

/* The options of m, in order (nd_opt_next returns 1, 0 at the end). */
void	nd_opt_iter_init(struct nd_opt_iter *it, const struct nd_msg *m);
int	nd_opt_next(struct nd_opt_iter *it, struct nd_opt *o);

/* Strict UTF-8 (no overlong forms, surrogates or NUL); 1 if valid. */
int	nd_utf8_valid(const uint8_t *s, size_t len);

/* RA header fields to build; flags is the M|O|... octet as sent. */
struct nd_ra_hdr {
	uint8_t		 cur_hop_limit;
	uint8_t		 flags;
	uint16_t	 router_lifetime;
	uint32_t	 reachable_time;
	uint32_t	 retrans_timer;
};

/*
 * Builder: start, append options, then nd_sign_finish() (nd_crypto.h)
 * appends the Signature.  Errors are sticky: after the first failure
 * every call returns the same code and nothing more is written.  The
 * buffer is at most min(size, ND_MSG_MAX) octets long; the Checksum is
 * left zero for the kernel to fill.
 */
struct nd_builder {
	uint8_t		*buf;
	size_t		 size;
	size_t		 len;
	int		 error;
};

int	nd_build_rs(struct nd_builder *b, uint8_t *buf, size_t size);
int	nd_build_ra(struct nd_builder *b, uint8_t *buf, size_t size,
	    const struct nd_ra_hdr *h);
/* A standard option: body after Type/Length, zero-padded to 8 octets. */
int	nd_build_opt(struct nd_builder *b, uint8_t type, const uint8_t *body,
	    size_t len);
int	nd_build_nonce(struct nd_builder *b, const uint8_t *nonce, size_t len);
int	nd_build_timestamp(struct nd_builder *b, uint64_t ts);
/* A gkey option of any sub-type with data[0..len). */
int	nd_build_gkey(struct nd_builder *b, uint8_t subtype,
	    const uint8_t *data, size_t len);
int	nd_build_refresh(struct nd_builder *b, uint32_t seconds);
int	nd_build_status(struct nd_builder *b, uint8_t code,
	    const char *reason);
int	nd_build_part(struct nd_builder *b, uint8_t index, uint8_t count);
/* Octets a gkey option with len octets of data takes on the wire. */
size_t	nd_gkey_opt_size(size_t len);
/* Octets still free in the builder. */
size_t	nd_build_room(const struct nd_builder *b);

/* RFC 3971 timestamp of a struct timespec-like pair. */
uint64_t nd_timestamp(uint64_t sec, uint32_t nsec);
/* The RFC 3971 timestamp of the wall clock (CLOCK_REALTIME) now. */
uint64_t nd_timestamp_now(void);
/* |a - b| of two RFC 3971 timestamps, in whole seconds (rounded up). */
uint64_t nd_timestamp_diff(uint64_t a, uint64_t b);

#endif /* GKEY_ND_MSG_H */
