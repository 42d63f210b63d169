/*
 * eap_tls_peer.h - an EAP peer for EAP-TLS (RFC 5216, RFC 9190) on
 * OpenSSL memory BIOs.
 *
 * Event-driven and transport-free: the caller (the PaC's PANA state
 * machine, or a test) hands in each EAP-Request it receives and sends back
 * the EAP-Response written into its own buffer.  No sockets, no threads,
 * no global state of its own.
 *
 * Memory: eap_tls_peer_new() allocates the peer; eap_tls_peer_free() wipes
 * (OPENSSL_cleanse) and frees everything it holds, TLS keys included.  The
 * caller owns every buffer it passes in.  Strings in the configuration are
 * copied, so the configuration need not outlive the call.
 *
 * Errors: eap_tls_peer_error() returns a one-line reason for the last
 * FAILURE or DISCARD; it never contains key material.
 *
 * The framing layer (eap_tls_parse() and struct eap_tls_reasm) is exposed
 * so the unit tests and the fuzzer can drive it without a TLS context.
 */
#ifndef GKEY_EAP_TLS_PEER_H
#define GKEY_EAP_TLS_PEER_H

#include <stddef.h>
#include <stdint.h>

/* EAP codes (RFC 3748 section 4). */
#define EAP_CODE_REQUEST	1
#define EAP_CODE_RESPONSE	2
#define EAP_CODE_SUCCESS	3
#define EAP_CODE_FAILURE	4

/* EAP method types (RFC 3748 section 5, RFC 5216). */
#define EAP_TYPE_IDENTITY	1
#define EAP_TYPE_NOTIFICATION	2
#define EAP_TYPE_NAK		3
#define EAP_TYPE_TLS		13

/* EAP-TLS flags (RFC 5216 section 3.1). */
#define EAP_TLS_FLAG_L		0x80	/* TLS Message Length included */
#define EAP_TLS_FLAG_M		0x40	/* more fragments */
#define EAP_TLS_FLAG_S		0x20	/* EAP-TLS start */

#define EAP_HDR_LEN		4	/* code, identifier, length */
#define EAP_TLS_HDR_LEN		6	/* + type, flags */
#define EAP_TLS_LHDR_LEN	10	/* + TLS Message Length */

/* Largest TLS message (set of records) the peer reassembles. */
#define EAP_TLS_MAX_MSG		65536

#define EAP_TLS_FRAG_DEFAULT	1000	/* longest EAP-Response sent */
#define EAP_TLS_FRAG_MIN	64

#define EAP_TLS_MSK_LEN		64
#define EAP_TLS_ERRLEN		256

/* A parsed EAP packet; the pointers borrow the caller's buffer. */
struct eap_msg {
	uint8_t		 code;
	uint8_t		 id;
	uint16_t	 len;		/* EAP Length field (octets used) */
	uint8_t		 type;		/* 0 for Success/Failure */
	uint8_t		 flags;		/* EAP-TLS only */
	uint32_t	 tls_len;	/* EAP-TLS with L only */
	const uint8_t	*data;		/* type-data (after flags/length for TLS) */
	size_t		 data_len;
};

/*
 * Parses one EAP packet of len octets.  Checks the header, the Length
 * field against len (octets beyond Length are link padding and ignored,
 * RFC 3748 section 4.1), Success/Failure length, and for EAP-TLS the flags
 * octet, the TLS Message Length when L is set (present, not above
 * EAP_TLS_MAX_MSG, not below this fragment's data) and M without L.
 * Returns 0, or -1 with a reason in err.
 */
int	eap_tls_parse(const uint8_t *pkt, size_t len, struct eap_msg *m,
	    char *err, size_t errlen);

/*
 * Reassembly of one incoming TLS message from EAP-TLS fragments.  Owns
 * buf (wiped on reset).  eap_tls_reasm_add() returns 1 when the message is
 * complete (buf/len hold it until the next add or reset), 0 when more
 * fragments are expected, -1 on an inconsistency (reason in err).
 */
struct eap_tls_reasm {
	uint8_t		*buf;
	size_t		 len;
	size_t		 cap;
	uint32_t	 expect;	/* declared TLS Message Length, 0: none */
	int		 active;	/* a fragmented message is in progress */
};

int	eap_tls_reasm_add(struct eap_tls_reasm *, const struct eap_msg *,
	    char *err, size_t errlen);
void	eap_tls_reasm_reset(struct eap_tls_reasm *);

struct eap_tls_peer_cfg {
	const char	*identity;	/* EAP-Response/Identity; required */
	const char	*ca_file;	/* trust anchors for the server (PEM) */
	const char	*cert_file;	/* client certificate chain (PEM) */
	const char	*key_file;	/* client private key (PEM) */
	const char	*server_name;	/* NULL: any name the CA vouches for */
	size_t		 fragment_size;	/* longest EAP-Response; 0: default */
	int		 tls13;		/* 0: TLS 1.2 only, 1: 1.2 or 1.3 */
};

struct eap_tls_error {
	char		 msg[EAP_TLS_ERRLEN];
};

enum eap_tls_rc {
	/* Send the response (*resp_len octets) and wait for the next request. */
	EAP_TLS_PEER_CONTINUE,
	/*
	 * Send the response; the TLS handshake is complete (for TLS 1.3 the
	 * commitment message has arrived), the MSK can be exported, and an
	 * EAP-Success is expected next.
	 */
	EAP_TLS_PEER_SUCCESS_PENDING,
	/* An EAP-Success was accepted (process() only); nothing to send. */
	EAP_TLS_PEER_SUCCESS,
	/*
	 * Authentication failed; see eap_tls_peer_error().  *resp_len may be
	 * non-zero: a TLS alert for the server, worth sending once.
	 */
	EAP_TLS_PEER_FAILURE,
	/*
	 * The packet was malformed or not meant for this peer and was
	 * silently discarded (RFC 3748 section 4.1); nothing to send, the
	 * state is unchanged.  The reason is in eap_tls_peer_error().
	 */
	EAP_TLS_PEER_DISCARD
};

struct eap_tls_peer;

/* Returns a peer, or NULL with a reason in err (files, keys, CA). */
struct eap_tls_peer *eap_tls_peer_new(const struct eap_tls_peer_cfg *,
	    struct eap_tls_error *err);

/*
 * Handles one EAP packet from the authenticator (Request, Success or
 * Failure).  A repeated Request (same Identifier as the last one answered)
 * gets the same response again.  resp must hold fragment_size octets.
 */
enum eap_tls_rc eap_tls_peer_process(struct eap_tls_peer *,
	    const uint8_t *eap_req, size_t len,
	    uint8_t *resp, size_t resp_size, size_t *resp_len);

/*
 * An EAP-Success arrived (outside process(), e.g. signalled by PANA).
 * Returns 0 if the handshake had completed, else -1: an early Success is
 * refused (RFC 5216 section 2.1.1) and the peer fails.
 */
int	eap_tls_peer_on_success(struct eap_tls_peer *);

/* Exports the MSK (RFC 5216 / RFC 9190).  0 on success, -1 if not ready. */
int	eap_tls_peer_msk(struct eap_tls_peer *, uint8_t msk[EAP_TLS_MSK_LEN]);

/* "TLSv1.2" / "TLSv1.3" once negotiated, else "none". */
const char *eap_tls_peer_tls_version(const struct eap_tls_peer *);

const char *eap_tls_peer_error(const struct eap_tls_peer *);

void	eap_tls_peer_free(struct eap_tls_peer *);

#endif /* GKEY_EAP_TLS_PEER_H */
