/*
 * pana_msg.h - parse and build PANA (RFC 5191) and PANA relay (RFC 6345)
 * messages.
 *
 * Pure functions: no sockets, no allocation, no global state.  The daemon,
 * the relay, the PaC, the unit tests and the fuzzers all call them directly.
 *
 * Memory: nothing here allocates.  Every output buffer is owned by the
 * caller and passed with its size.  Parsed structures (struct pana_msg,
 * struct pana_avp) only *borrow* the caller's receive buffer: their
 * pointers are valid only while that buffer is alive and unchanged.
 *
 * Errors: functions return 0 (or a count) on success and a negative
 * PANA_E_* code on failure.  When the caller passes an error buffer it
 * receives a one-line reason with the offset that failed, suitable for a
 * rate-limited log line ("AVP code 42 at offset 16: unknown AVP").
 * pana_strerror() maps a code to a short fixed string.
 *
 * Wire format (all integers big-endian):
 *
 *   header (16):  reserved(2) length(2) flags(2) type(2) session-id(4) seq(4)
 *   AVP (8 or 12 + value + pad):
 *                 code(2) flags(2) length(2) reserved(2) [vendor-id(4)]
 *                 value(length) padding to a 4-octet boundary
 *
 * In PANA, unlike Diameter, the AVP Length counts the Value field only
 * (RFC 5191 section 6.3), so "AVP length shorter than its header" cannot
 * happen; the equivalent failure is a header that is itself truncated.
 */
#ifndef GKEY_PANA_MSG_H
#define GKEY_PANA_MSG_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* UDP port assigned to PANA by IANA (RFC 5191 section 11). */
#define PANA_UDP_PORT		716

#define PANA_HDR_LEN		16
#define PANA_AVP_HDR_LEN	8
#define PANA_AVP_VHDR_LEN	12	/* with Vendor-Id */
#define PANA_MSG_MAX		65535	/* the Length field is 16 bits */

/* Message types (RFC 5191 section 7, RFC 6345 section 5). */
#define PANA_MSG_PCI		1	/* PANA-Client-Initiation */
#define PANA_MSG_AUTH		2	/* PANA-Auth */
#define PANA_MSG_TERM		3	/* PANA-Termination */
#define PANA_MSG_NOTIFY		4	/* PANA-Notification */
#define PANA_MSG_RELAY		5	/* PANA-Relay (RFC 6345) */
#define PANA_MSG_TYPE_MAX	5

/* Header flags (RFC 5191 section 6.2): bit 0 is the most significant. */
#define PANA_FLAG_R		0x8000	/* Request */
#define PANA_FLAG_S		0x4000	/* Start */
#define PANA_FLAG_C		0x2000	/* Complete */
#define PANA_FLAG_A		0x1000	/* re-Authentication */
#define PANA_FLAG_P		0x0800	/* Ping */
#define PANA_FLAG_I		0x0400	/* IP reconfiguration */
#define PANA_FLAG_RESERVED	0x03ff

/* AVP flags (RFC 5191 section 6.3). */
#define PANA_AVP_FLAG_V		0x8000	/* Vendor-Id present */
#define PANA_AVP_FLAG_RESERVED	0x7fff

/* AVP codes (RFC 5191 section 8, RFC 6345 section 5). */
#define PANA_AVP_AUTH		1	/* OctetString */
#define PANA_AVP_EAP_PAYLOAD	2	/* OctetString */
#define PANA_AVP_INTEGRITY_ALG	3	/* Unsigned32, may repeat */
#define PANA_AVP_KEY_ID		4	/* Integer32 */
#define PANA_AVP_NONCE		5	/* OctetString */
#define PANA_AVP_PRF_ALG	6	/* Unsigned32, may repeat */
#define PANA_AVP_RESULT_CODE	7	/* Unsigned32 */
#define PANA_AVP_SESSION_LIFETIME 8	/* Unsigned32, seconds */
#define PANA_AVP_TERM_CAUSE	9	/* Enumerated (32 bits) */
#define PANA_AVP_PAC_INFO	10	/* OctetString: address | port */
#define PANA_AVP_RELAYED_MSG	11	/* OctetString: a PANA message */
#define PANA_AVP_CODE_MAX	11

/* Result-Code values (RFC 5191 section 8.7). */
#define PANA_SUCCESS			0
#define PANA_AUTHENTICATION_REJECTED	1
#define PANA_AUTHORIZATION_REJECTED	2

/* Termination-Cause values (RFC 5191 section 8.9, from Diameter). */
#define PANA_TERM_LOGOUT		1
#define PANA_TERM_ADMINISTRATIVE	4
#define PANA_TERM_SESSION_TIMEOUT	8

/* PRF-Algorithm values: IKEv2 transform type 2 ids. */
#define PANA_PRF_HMAC_SHA1		2
#define PANA_PRF_HMAC_SHA2_256		5

/* Integrity-Algorithm values: IKEv2 transform type 3 ids. */
#define PANA_AUTH_HMAC_SHA1_160		7
#define PANA_AUTH_HMAC_SHA2_256_128	12

/*
 * gkey's vendor AVPs.  The Vendor-Id is the deployment's RADIUS vendor
 * (dictionary.gkey); 32473 is the RFC 5612 documentation number, so a real
 * deployment should use its own enterprise number.
 */
#define GKEY_VENDOR_ID_DEFAULT		32473
#define GKEY_AVP_KEY_RECORD		1	/* a Key Record v1, doc/pana.md 6 */

/* Error codes, all negative. */
enum pana_error {
	PANA_OK = 0,
	PANA_E_ARG = -1,	/* caller passed a bad argument */
	PANA_E_SHORT = -2,	/* shorter than the 16-octet header */
	PANA_E_LENGTH = -3,	/* header Length disagrees with datagram */
	PANA_E_RESERVED = -4,	/* header Reserved field not zero */
	PANA_E_TYPE = -5,	/* unknown message type */
	PANA_E_AVP_TRUNC = -6,	/* AVP header runs past the message */
	PANA_E_AVP_OVERRUN = -7, /* AVP value+padding runs past the message */
	PANA_E_AVP_UNKNOWN = -8, /* unknown non-vendor AVP code */
	PANA_E_AVP_DUP = -9,	/* single-instance AVP appears twice */
	PANA_E_AVP_VALUE = -10,	/* value has the wrong size for its type */
	PANA_E_MISSING = -11,	/* a required AVP is absent */
	PANA_E_NOSPACE = -12,	/* output buffer too small */
	PANA_E_TOOBIG = -13,	/* result would exceed 65535 octets */
	PANA_E_ADDR = -14,	/* unsupported address family */
	PANA_E_RELAY = -15,	/* bad PANA-Relay envelope */
	PANA_E_CRYPTO = -16,	/* OpenSSL failure (pana_crypto) */
	PANA_E_ALG = -17,	/* unsupported algorithm (pana_crypto) */
	PANA_E_AUTH = -18	/* AUTH value does not verify (pana_crypto) */
};

/* Size of an error buffer that always holds a whole message. */
#define PANA_ERRLEN		128

const char	*pana_strerror(int);

/* Fixed header, in host byte order. */
struct pana_hdr {
	uint16_t	length;
	uint16_t	flags;
	uint16_t	type;
	uint32_t	session_id;
	uint32_t	seq;
};

/* One AVP, pointing into the message it was read from (borrowed). */
struct pana_avp {
	uint16_t	 code;
	uint16_t	 flags;
	uint32_t	 vendor_id;	/* 0 unless PANA_AVP_FLAG_V */
	const uint8_t	*value;
	uint16_t	 len;		/* of value, without padding */
	size_t		 offset;	/* of the AVP header in the message */
	size_t		 value_offset;	/* of the value in the message */
};

/*
 * A validated message.  avp[code] holds the first instance of each known
 * non-vendor AVP (avp[code].value == NULL when absent) and count[code] how
 * many there were; only PRF-Algorithm and Integrity-Algorithm may repeat.
 */
struct pana_msg {
	struct pana_hdr	 hdr;
	const uint8_t	*buf;		/* borrowed: the whole message */
	size_t		 len;
	uint32_t	 vendor_id;	/* gkey vendor id used to parse */
	struct pana_avp	 avp[PANA_AVP_CODE_MAX + 1];
	unsigned int	 count[PANA_AVP_CODE_MAX + 1];
	unsigned int	 n_key_records;
};

/* Cursor over the AVPs of a message: a position and what is left. */
struct pana_avp_iter {
	const uint8_t	*base;		/* start of the message */
	size_t		 off;		/* next AVP header */
	size_t		 end;		/* end of the message */
};

/*
 * Check the fixed header of buf (len octets as received): at least 16
 * octets, Length equal to len, Reserved zero, known message type.  Fills
 * *hdr (may be NULL).  Does not look at the AVPs.
 */
int	pana_hdr_parse(const uint8_t *buf, size_t len, struct pana_hdr *hdr,
	    char *err, size_t errlen);

/*
 * Full validation: the header, then every AVP.  Rejects a truncated AVP
 * header, a value or padding that runs past the message, an unknown
 * non-vendor AVP code (RFC 5191 AVPs carry no M bit, so an AVP this
 * implementation does not know is treated as mandatory and the message is
 * dropped), a duplicate single-instance AVP, and an Unsigned32/Integer32
 * AVP or PaC-Information whose value has the wrong size.  Vendor AVPs of
 * any other vendor, and gkey vendor AVPs with codes other than
 * GKEY_AVP_KEY_RECORD, are checked for bounds and otherwise ignored.
 * Reserved bits in the header flags and AVP flags are ignored, as RFC
 * 5191 asks of a receiver.  On success *m borrows buf.
 */
int	pana_msg_parse(const uint8_t *buf, size_t len, uint32_t vendor_id,
	    struct pana_msg *m, char *err, size_t errlen);

/* The first instance of a known AVP in a parsed message, or NULL. */
const struct pana_avp *pana_msg_avp(const struct pana_msg *m, uint16_t code);

/* The value of a 4-octet AVP (Unsigned32, Integer32, Enumerated). */
int	pana_avp_u32(const struct pana_avp *a, uint32_t *v);

/*
 * Walk AVPs with bounds checks.  pana_avp_iter_init() starts after the
 * header of a message whose header has been checked; pana_avp_next()
 * returns 1 and fills *a, 0 at the end, or a negative error for a
 * truncated or overrunning AVP.  Usable on unvalidated input.
 */
void	pana_avp_iter_init(struct pana_avp_iter *it, const uint8_t *buf,
	    size_t len);
int	pana_avp_next(struct pana_avp_iter *it, struct pana_avp *a,
	    char *err, size_t errlen);

/*
 * Iterate over the Key-Record vendor AVPs (Vendor-Id m->vendor_id, code
 * GKEY_AVP_KEY_RECORD) of a parsed message, in order.  Start with
 * pana_avp_iter_init(it, m->buf, m->len).  Returns 1 with *rec and *len
 * pointing into the message, 0 when there are no more.
 */
int	pana_key_record_next(const struct pana_msg *m,
	    struct pana_avp_iter *it, const uint8_t **rec, size_t *len);

/*
 * Locate the single AUTH AVP of a message (validated or not) and return
 * the offset and length of its value.  PANA_E_MISSING if there is none,
 * PANA_E_AVP_DUP if there are two.
 */
int	pana_msg_find_auth(const uint8_t *buf, size_t len, size_t *value_off,
	    size_t *value_len);

/*
 * Message builder.  The caller owns buf; the builder only remembers it.
 * Errors are sticky: after the first failed append every later call fails
 * with the same code, so a sequence of appends can be checked once at
 * pana_build_finish().  A message that failed is never finished.
 */
struct pana_builder {
	uint8_t		*buf;
	size_t		 size;
	size_t		 len;
	int		 error;
};

int	pana_build_start(struct pana_builder *b, uint8_t *buf, size_t size,
	    uint16_t type, uint16_t flags, uint32_t session_id, uint32_t seq);
int	pana_build_avp(struct pana_builder *b, uint16_t code,
	    const void *value, size_t len);
int	pana_build_avp_u32(struct pana_builder *b, uint16_t code, uint32_t v);
int	pana_build_vendor_avp(struct pana_builder *b, uint32_t vendor_id,
	    uint16_t code, const void *value, size_t len);
/*
 * Append an AUTH AVP whose value is mac_len zero octets, to be filled in
 * by pana_auth_sign() after pana_build_finish().  *value_off (may be NULL)
 * receives the offset of the value.
 */
int	pana_build_auth(struct pana_builder *b, size_t mac_len,
	    size_t *value_off);
/* Write the Length field; *len (may be NULL) receives the message size. */
int	pana_build_finish(struct pana_builder *b, size_t *len);

/*
 * RFC 6345 relay.
 *
 * pana_relay_push() wraps the PaC message (whose header is checked, and
 * which must not itself be a PANA-Relay message) into a PANA-Relay message
 * (Session Identifier and Sequence Number zero, no flags) carrying the
 * PaC-Information AVP (IPv4 or IPv6 address, then UDP port, from *pac)
 * and the Relayed-Message AVP.  *outlen receives the size written.
 *
 * pana_relay_pop() checks a PANA-Relay message and returns the PaC's
 * address and port in *pac (sin6_scope_id is 0: a relay talking to a
 * link-local PaC must set it from its interface) and *inner, *inner_len
 * pointing at the relayed message inside buf (borrowed).  The inner
 * message's header is checked; its AVPs are left to whoever handles it.
 */
int	pana_relay_push(const uint8_t *msg, size_t msglen,
	    const struct sockaddr_storage *pac, uint8_t *out, size_t outsize,
	    size_t *outlen);
int	pana_relay_pop(const uint8_t *buf, size_t len,
	    struct sockaddr_storage *pac, const uint8_t **inner,
	    size_t *inner_len, char *err, size_t errlen);

/*
 * For logs: the address of *ss, and with with_port "addr:port" or
 * "[addr]:port" for IPv6; "?" for another family. buf of at least
 * PANA_ADDRSTRLEN octets holds any of them.
 */
#define PANA_ADDRSTRLEN	(INET6_ADDRSTRLEN + 8)
void	pana_addr_str(const struct sockaddr_storage *ss, int with_port,
	    char *buf, size_t size);

/*
 * Retransmission timeout (RFC 5191 section 9, the algorithm of RFC 3315
 * section 14): the first RT = IRT + RAND*IRT (prev 0), then RT =
 * 2*prev + RAND*prev, and when that is above MRT, RT = MRT + RAND*MRT.
 * RAND is uniform in [-0.1, +0.1]; r, a random 16-bit value, maps onto
 * it linearly (0: -0.1, 65535: +0.1).  Milliseconds.
 */
uint64_t	pana_rt_next(uint64_t prev, uint64_t irt, uint64_t mrt,
		    uint16_t r);

/* Octets of padding after a value of len octets. */
#define PANA_PAD(len)	((4 - ((len) & 3)) & 3)

#endif /* GKEY_PANA_MSG_H */
