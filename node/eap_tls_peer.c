/*
 * eap_tls_peer.c - EAP-TLS peer (RFC 5216, RFC 9190) on OpenSSL memory
 * BIOs.  See eap_tls_peer.h for the interface.
 *
 * Flow, as FreeRADIUS drives it (TLS 1.2 in five round trips, 1.3 in six):
 *   Request/Identity        -> Response/Identity
 *   Request/TLS Start       -> ClientHello
 *   server flight (frags)   -> acks, then the client flight (frags)
 *   TLS 1.2: server Finished -> empty response (SUCCESS_PENDING)
 *   TLS 1.3: tickets + 0x00 commitment -> empty response (SUCCESS_PENDING)
 *   Success
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "eap_tls_peer.h"
#include "errbuf.h"
#include "bytes.h"

/* Groups offered, P-256 first so a prime256v1-only server needs no HRR. */
#define PEER_GROUPS		"P-256:X25519:P-384"
#define IDENTITY_MAX		253	/* it becomes the RADIUS User-Name */

/* RFC 5216 section 2.3 and RFC 9190 section 2.3. */
#define MSK_LABEL_TLS12		"client EAP encryption"
#define MSK_LABEL_TLS13		"EXPORTER_EAP_TLS_Key_Material"
#define EXPORT_LEN		128	/* MSK (64) + EMSK (64) */

enum peer_state {
	PS_START,	/* waiting for EAP-TLS Start */
	PS_HANDSHAKE,	/* TLS handshake running */
	PS_COMMIT,	/* TLS 1.3 handshake done, waiting for the 0x00 octet */
	PS_KEYS,	/* keys ready, waiting for EAP-Success */
	PS_DONE,	/* EAP-Success accepted */
	PS_FAILED
};

struct eap_tls_peer {
	SSL_CTX			*ctx;
	SSL			*ssl;
	BIO			*rbio;	/* owned by ssl */
	BIO			*wbio;	/* owned by ssl */
	char			*identity;
	size_t			 identity_len;
	size_t			 frag_size;
	enum peer_state		 state;

	struct eap_tls_reasm	 in;

	/* TLS data waiting to be sent, in fragments. */
	uint8_t			*out;
	size_t			 out_len;
	size_t			 out_off;

	/* Last response, resent for a repeated request (RFC 3748 4.1). */
	uint8_t			*last;
	size_t			 last_len;
	enum eap_tls_rc		 last_rc;
	uint8_t			 last_id;
	int			 have_last;

	char			 err[EAP_TLS_ERRLEN];
};

/* ------------------------------------------------------------ framing */

int
eap_tls_parse(const uint8_t *pkt, size_t len, struct eap_msg *m, char *err,
    size_t errlen)
{
	size_t	off;

	memset(m, 0, sizeof(*m));
	if (pkt == NULL || len < EAP_HDR_LEN) {
		gkey_seterr(err, errlen, "truncated EAP packet: %zu octets, the "
		    "header needs %d", pkt == NULL ? 0 : len, EAP_HDR_LEN);
		return -1;
	}
	m->code = pkt[0];
	m->id = pkt[1];
	m->len = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (m->len < EAP_HDR_LEN) {
		gkey_seterr(err, errlen, "EAP Length %u is shorter than the header",
		    m->len);
		return -1;
	}
	if (m->len > len) {
		gkey_seterr(err, errlen, "EAP Length %u exceeds the %zu octets "
		    "received", m->len, len);
		return -1;
	}

	switch (m->code) {
	case EAP_CODE_SUCCESS:
	case EAP_CODE_FAILURE:
		if (m->len != EAP_HDR_LEN) {
			gkey_seterr(err, errlen, "EAP-%s with Length %u, expected 4",
			    m->code == EAP_CODE_SUCCESS ? "Success" : "Failure",
			    m->len);
			return -1;
		}
		return 0;
	case EAP_CODE_REQUEST:
	case EAP_CODE_RESPONSE:
		break;
	default:
		gkey_seterr(err, errlen, "unknown EAP code %u", m->code);
		return -1;
	}

	if (m->len < EAP_HDR_LEN + 1) {
		gkey_seterr(err, errlen, "EAP %s without a Type",
		    m->code == EAP_CODE_REQUEST ? "Request" : "Response");
		return -1;
	}
	m->type = pkt[4];
	off = EAP_HDR_LEN + 1;
	if (m->type == EAP_TYPE_TLS) {
		if (m->len < EAP_TLS_HDR_LEN) {
			gkey_seterr(err, errlen, "EAP-TLS packet without flags");
			return -1;
		}
		m->flags = pkt[5];
		off = EAP_TLS_HDR_LEN;
		if (m->flags & EAP_TLS_FLAG_L) {
			if (m->len < EAP_TLS_LHDR_LEN) {
				gkey_seterr(err, errlen, "EAP-TLS L flag set but "
				    "Length %u leaves no room for the TLS "
				    "Message Length", m->len);
				return -1;
			}
			m->tls_len = gkey_get32(pkt + EAP_TLS_HDR_LEN);
			off = EAP_TLS_LHDR_LEN;
			if (m->tls_len == 0 || m->tls_len > EAP_TLS_MAX_MSG) {
				gkey_seterr(err, errlen, "TLS Message Length %u out "
				    "of range 1..%d", m->tls_len,
				    EAP_TLS_MAX_MSG);
				return -1;
			}
			if (m->len - off > m->tls_len) {
				gkey_seterr(err, errlen, "EAP-TLS fragment of %zu "
				    "octets exceeds TLS Message Length %u",
				    m->len - off, m->tls_len);
				return -1;
			}
		}
	}
	m->data = pkt + off;
	m->data_len = m->len - off;
	return 0;
}

void
eap_tls_reasm_reset(struct eap_tls_reasm *r)
{
	if (r->buf != NULL) {
		OPENSSL_cleanse(r->buf, r->cap);
		free(r->buf);
	}
	memset(r, 0, sizeof(*r));
}

/* Makes room for need octets in total; the old buffer is wiped. */
static int
reasm_reserve(struct eap_tls_reasm *r, size_t need, char *err, size_t errlen)
{
	uint8_t	*nb;

	if (need > EAP_TLS_MAX_MSG) {
		gkey_seterr(err, errlen, "TLS message of %zu octets exceeds the "
		    "%d-octet limit", need, EAP_TLS_MAX_MSG);
		return -1;
	}
	if (need <= r->cap)
		return 0;
	if ((nb = malloc(need)) == NULL) {
		gkey_seterr(err, errlen, "out of memory reassembling %zu octets",
		    need);
		return -1;
	}
	if (r->buf != NULL) {
		memcpy(nb, r->buf, r->len);
		OPENSSL_cleanse(r->buf, r->cap);
		free(r->buf);
	}
	r->buf = nb;
	r->cap = need;
	return 0;
}

int
eap_tls_reasm_add(struct eap_tls_reasm *r, const struct eap_msg *m,
    char *err, size_t errlen)
{
	int	more = (m->flags & EAP_TLS_FLAG_M) != 0;
	int	lflag = (m->flags & EAP_TLS_FLAG_L) != 0;

	if (!r->active) {
		r->len = 0;
		r->expect = 0;
		if (more) {
			/* RFC 5216 3.1: L MUST be set on the first fragment. */
			if (!lflag) {
				gkey_seterr(err, errlen, "first EAP-TLS fragment "
				    "(M flag) without TLS Message Length");
				return -1;
			}
			if (m->data_len == 0 || m->data_len >= m->tls_len) {
				gkey_seterr(err, errlen, "first EAP-TLS fragment "
				    "carries %zu of %u octets", m->data_len,
				    m->tls_len);
				return -1;
			}
			if (reasm_reserve(r, m->tls_len, err, errlen) != 0)
				return -1;
			memcpy(r->buf, m->data, m->data_len);
			r->len = m->data_len;
			r->expect = m->tls_len;
			r->active = 1;
			return 0;
		}
		if (lflag && m->tls_len != m->data_len) {
			gkey_seterr(err, errlen, "TLS Message Length %u but %zu "
			    "octets in an unfragmented message", m->tls_len,
			    m->data_len);
			return -1;
		}
		if (reasm_reserve(r, m->data_len, err, errlen) != 0)
			return -1;
		if (m->data_len != 0)
			memcpy(r->buf, m->data, m->data_len);
		r->len = m->data_len;
		return 1;
	}

	if (lflag && m->tls_len != r->expect) {
		gkey_seterr(err, errlen, "TLS Message Length changed from %u to %u "
		    "between fragments", r->expect, m->tls_len);
		goto fail;
	}
	if (m->data_len == 0) {
		gkey_seterr(err, errlen, "empty EAP-TLS fragment after %zu of %u "
		    "octets", r->len, r->expect);
		goto fail;
	}
	if (m->data_len > r->expect - r->len) {
		gkey_seterr(err, errlen, "EAP-TLS fragments exceed TLS Message "
		    "Length %u", r->expect);
		goto fail;
	}
	memcpy(r->buf + r->len, m->data, m->data_len);
	r->len += m->data_len;
	if (more) {
		if (r->len == r->expect) {
			gkey_seterr(err, errlen, "M flag set but all %u octets of "
			    "the TLS message received", r->expect);
			goto fail;
		}
		return 0;
	}
	if (r->len != r->expect) {
		gkey_seterr(err, errlen, "last EAP-TLS fragment ends at %zu octets, "
		    "TLS Message Length is %u", r->len, r->expect);
		goto fail;
	}
	r->active = 0;
	return 1;
fail:
	r->active = 0;
	r->len = 0;
	return -1;
}

/* ------------------------------------------------------------ peer */

static const char *
state_name(enum peer_state s)
{
	switch (s) {
	case PS_START:		return "waiting for EAP-TLS Start";
	case PS_HANDSHAKE:	return "TLS handshake";
	case PS_COMMIT:		return "waiting for the TLS 1.3 commitment";
	case PS_KEYS:		return "waiting for EAP-Success";
	case PS_DONE:		return "done";
	case PS_FAILED:		return "failed";
	}
	return "?";
}

static void	peer_err(struct eap_tls_peer *, const char *, ...)
	    __attribute__((__format__(__printf__, 2, 3)));

static void
peer_err(struct eap_tls_peer *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

/*
 * Appends OpenSSL's first queued reason (and a certificate verification
 * failure, which is what users need to see) to what, then clears the queue.
 */
static void
ossl_err(char *buf, size_t len, SSL *ssl, const char *what)
{
	unsigned long	 e = ERR_get_error();
	const char	*reason = e != 0 ? ERR_reason_error_string(e) : NULL;
	long		 vr = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;

	if (reason == NULL && e != 0)
		reason = "unknown OpenSSL error";
	if (vr != X509_V_OK)
		snprintf(buf, len, "%s: %s (server certificate: %s)", what,
		    reason != NULL ? reason : "failed",
		    X509_verify_cert_error_string(vr));
	else
		snprintf(buf, len, "%s: %s", what,
		    reason != NULL ? reason : "failed");
	ERR_clear_error();
}

struct eap_tls_peer *
eap_tls_peer_new(const struct eap_tls_peer_cfg *cfg, struct eap_tls_error *err)
{
	struct eap_tls_peer	*p;
	struct eap_tls_error	 ignored;
	char			*e;
	size_t			 el;

	if (err == NULL)
		err = &ignored;
	e = err->msg;
	el = sizeof(err->msg);
	e[0] = '\0';

	if (cfg == NULL || cfg->identity == NULL || cfg->ca_file == NULL ||
	    cfg->cert_file == NULL || cfg->key_file == NULL) {
		gkey_seterr(e, el, "identity, CA, certificate and key are required");
		return NULL;
	}
	if (strlen(cfg->identity) > IDENTITY_MAX) {
		gkey_seterr(e, el, "identity longer than %d octets", IDENTITY_MAX);
		return NULL;
	}
	if (cfg->fragment_size != 0 && (cfg->fragment_size <
	    EAP_TLS_FRAG_MIN || cfg->fragment_size > UINT16_MAX)) {
		gkey_seterr(e, el, "fragment size %zu out of range %d..%d",
		    cfg->fragment_size, EAP_TLS_FRAG_MIN, UINT16_MAX);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		gkey_seterr(e, el, "out of memory");
		return NULL;
	}
	p->frag_size = cfg->fragment_size != 0 ? cfg->fragment_size :
	    EAP_TLS_FRAG_DEFAULT;
	if (p->frag_size < EAP_HDR_LEN + 1 + strlen(cfg->identity)) {
		gkey_seterr(e, el, "fragment size %zu cannot carry the identity",
		    p->frag_size);
		goto fail;
	}
	if ((p->identity = strdup(cfg->identity)) == NULL ||
	    (p->last = malloc(p->frag_size)) == NULL) {
		gkey_seterr(e, el, "out of memory");
		goto fail;
	}
	p->identity_len = strlen(p->identity);

	ERR_clear_error();
	if ((p->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		ossl_err(e, el, NULL, "SSL_CTX_new");
		goto fail;
	}
	if (!SSL_CTX_set_min_proto_version(p->ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(p->ctx,
	    cfg->tls13 ? TLS1_3_VERSION : TLS1_2_VERSION)) {
		ossl_err(e, el, NULL, "cannot set the TLS versions");
		goto fail;
	}
	SSL_CTX_set_options(p->ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET);
	if (!SSL_CTX_set1_groups_list(p->ctx, PEER_GROUPS)) {
		ossl_err(e, el, NULL, "cannot set groups " PEER_GROUPS);
		goto fail;
	}
	if (!SSL_CTX_load_verify_locations(p->ctx, cfg->ca_file, NULL)) {
		ossl_err(e, el, NULL, "cannot load CA file");
		gkey_seterr(e + strlen(e), el - strlen(e), " (%s)", cfg->ca_file);
		goto fail;
	}
	SSL_CTX_set_verify(p->ctx, SSL_VERIFY_PEER, NULL);
	if (!SSL_CTX_use_certificate_chain_file(p->ctx, cfg->cert_file)) {
		ossl_err(e, el, NULL, "cannot load certificate");
		gkey_seterr(e + strlen(e), el - strlen(e), " (%s)", cfg->cert_file);
		goto fail;
	}
	if (!SSL_CTX_use_PrivateKey_file(p->ctx, cfg->key_file,
	    SSL_FILETYPE_PEM)) {
		ossl_err(e, el, NULL, "cannot load private key");
		gkey_seterr(e + strlen(e), el - strlen(e), " (%s)", cfg->key_file);
		goto fail;
	}
	if (!SSL_CTX_check_private_key(p->ctx)) {
		ossl_err(e, el, NULL, "private key does not match certificate");
		goto fail;
	}

	if ((p->ssl = SSL_new(p->ctx)) == NULL ||
	    (p->rbio = BIO_new(BIO_s_mem())) == NULL ||
	    (p->wbio = BIO_new(BIO_s_mem())) == NULL) {
		BIO_free(p->rbio);
		p->rbio = NULL;
		ossl_err(e, el, NULL, "cannot create the TLS session");
		goto fail;
	}
	/* An empty read BIO means "not yet", not end of file. */
	BIO_set_mem_eof_return(p->rbio, -1);
	SSL_set_bio(p->ssl, p->rbio, p->wbio);
	SSL_set_connect_state(p->ssl);
	if (cfg->server_name != NULL) {
		SSL_set_hostflags(p->ssl,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (!SSL_set1_host(p->ssl, cfg->server_name)) {
			ossl_err(e, el, NULL, "cannot set the server name");
			goto fail;
		}
	}
	p->state = PS_START;
	return p;
fail:
	eap_tls_peer_free(p);
	return NULL;
}

void
eap_tls_peer_free(struct eap_tls_peer *p)
{
	if (p == NULL)
		return;
	SSL_free(p->ssl);	/* frees both BIOs; OpenSSL wipes its keys */
	SSL_CTX_free(p->ctx);
	eap_tls_reasm_reset(&p->in);
	if (p->out != NULL) {
		OPENSSL_cleanse(p->out, p->out_len);
		free(p->out);
	}
	if (p->last != NULL) {
		OPENSSL_cleanse(p->last, p->frag_size);
		free(p->last);
	}
	if (p->identity != NULL) {
		OPENSSL_cleanse(p->identity, p->identity_len);
		free(p->identity);
	}
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

const char *
eap_tls_peer_error(const struct eap_tls_peer *p)
{
	return p->err;
}

const char *
eap_tls_peer_tls_version(const struct eap_tls_peer *p)
{
	if (p->state == PS_START || p->ssl == NULL ||
	    !SSL_is_init_finished(p->ssl))
		return "none";
	return SSL_get_version(p->ssl);
}

static void
put_hdr(uint8_t *resp, uint8_t id, size_t len, uint8_t type)
{
	resp[0] = EAP_CODE_RESPONSE;
	resp[1] = id;
	resp[2] = (uint8_t)(len >> 8);
	resp[3] = (uint8_t)len;
	resp[4] = type;
}

/* Moves whatever TLS wrote into the outgoing buffer. */
static int
drain_wbio(struct eap_tls_peer *p)
{
	size_t	 pending = BIO_ctrl_pending(p->wbio);
	uint8_t	*nb;
	int	 n;

	if (pending == 0)
		return 0;
	if (p->out_off == p->out_len) {
		p->out_len = p->out_off = 0;
	}
	if (pending > EAP_TLS_MAX_MSG - p->out_len) {
		peer_err(p, "TLS produced more than %d octets",
		    EAP_TLS_MAX_MSG);
		return -1;
	}
	if ((nb = malloc(p->out_len + pending)) == NULL) {
		peer_err(p, "out of memory");
		return -1;
	}
	if (p->out != NULL) {
		memcpy(nb, p->out, p->out_len);
		OPENSSL_cleanse(p->out, p->out_len);
		free(p->out);
	}
	p->out = nb;
	n = BIO_read(p->wbio, p->out + p->out_len, (int)pending);
	if (n < 0 || (size_t)n != pending) {
		peer_err(p, "short read from the TLS write buffer");
		return -1;
	}
	p->out_len += pending;
	return 0;
}

/* Marks the peer failed and, if TLS queued an alert, frames it. */
static enum eap_tls_rc
fail_tls(struct eap_tls_peer *p, uint8_t id, uint8_t *resp, size_t *resp_len)
{
	size_t	n;

	p->state = PS_FAILED;
	*resp_len = 0;
	if (drain_wbio(p) == 0 && p->out_len > p->out_off &&
	    p->out_len - p->out_off <= p->frag_size - EAP_TLS_HDR_LEN) {
		n = p->out_len - p->out_off;
		put_hdr(resp, id, EAP_TLS_HDR_LEN + n, EAP_TYPE_TLS);
		resp[5] = 0;
		memcpy(resp + EAP_TLS_HDR_LEN, p->out + p->out_off, n);
		*resp_len = EAP_TLS_HDR_LEN + n;
	}
	p->out_off = p->out_len;
	return EAP_TLS_PEER_FAILURE;
}

/* Frames the next fragment of pending output, or an empty ack. */
static enum eap_tls_rc
send_pending(struct eap_tls_peer *p, uint8_t id, uint8_t *resp,
    size_t *resp_len)
{
	size_t	remaining, hdr, chunk;
	uint8_t	flags = 0;
	int	first, more;

	if (p->out_off >= p->out_len) {
		put_hdr(resp, id, EAP_TLS_HDR_LEN, EAP_TYPE_TLS);
		resp[5] = 0;
		*resp_len = EAP_TLS_HDR_LEN;
		return p->state == PS_KEYS ? EAP_TLS_PEER_SUCCESS_PENDING :
		    EAP_TLS_PEER_CONTINUE;
	}
	remaining = p->out_len - p->out_off;
	first = p->out_off == 0;
	more = remaining > p->frag_size - EAP_TLS_HDR_LEN;
	hdr = first && more ? EAP_TLS_LHDR_LEN : EAP_TLS_HDR_LEN;
	chunk = remaining;
	if (chunk > p->frag_size - hdr) {
		chunk = p->frag_size - hdr;
		more = 1;
	}
	if (first && more)
		flags = EAP_TLS_FLAG_L | EAP_TLS_FLAG_M;
	else if (more)
		flags = EAP_TLS_FLAG_M;
	put_hdr(resp, id, hdr + chunk, EAP_TYPE_TLS);
	resp[5] = flags;
	if (hdr == EAP_TLS_LHDR_LEN) {
		resp[6] = (uint8_t)(p->out_len >> 24);
		resp[7] = (uint8_t)(p->out_len >> 16);
		resp[8] = (uint8_t)(p->out_len >> 8);
		resp[9] = (uint8_t)p->out_len;
	}
	memcpy(resp + hdr, p->out + p->out_off, chunk);
	*resp_len = hdr + chunk;
	p->out_off += chunk;
	if (more)
		return EAP_TLS_PEER_CONTINUE;
	OPENSSL_cleanse(p->out, p->out_len);
	p->out_len = p->out_off = 0;
	return p->state == PS_KEYS ? EAP_TLS_PEER_SUCCESS_PENDING :
	    EAP_TLS_PEER_CONTINUE;
}

/*
 * Reads application data after the handshake.  In TLS 1.3 the only data
 * allowed is the one-octet 0x00 commitment message (RFC 9190 2.5); after
 * it, or in TLS 1.2, any data, close_notify or alert is a failure.
 */
static int
read_after_handshake(struct eap_tls_peer *p)
{
	uint8_t	buf[16];
	int	n, e;

	for (;;) {
		ERR_clear_error();
		n = SSL_read(p->ssl, buf, sizeof(buf));
		if (n > 0) {
			if (p->state == PS_COMMIT && n == 1 && buf[0] == 0) {
				p->state = PS_KEYS;
				continue;
			}
			OPENSSL_cleanse(buf, sizeof(buf));
			peer_err(p, "unexpected application data (%d octets) "
			    "from the server", n);
			return -1;
		}
		e = SSL_get_error(p->ssl, n);
		if (e == SSL_ERROR_WANT_READ)
			return 0;
		if (e == SSL_ERROR_ZERO_RETURN) {
			peer_err(p, "server closed the TLS session (%s)",
			    state_name(p->state));
			return -1;
		}
		ossl_err(p->err, sizeof(p->err), p->ssl, "TLS failed");
		return -1;
	}
}

/* Runs TLS on whatever is in the read BIO.  0, or -1 with p->err set. */
static int
tls_step(struct eap_tls_peer *p)
{
	int	r, e;

	if (p->state == PS_HANDSHAKE) {
		ERR_clear_error();
		r = SSL_do_handshake(p->ssl);
		if (r != 1) {
			e = SSL_get_error(p->ssl, r);
			if (e == SSL_ERROR_WANT_READ)
				return 0;
			ossl_err(p->err, sizeof(p->err), p->ssl,
			    "TLS handshake failed");
			return -1;
		}
		p->state = SSL_version(p->ssl) >= TLS1_3_VERSION ? PS_COMMIT :
		    PS_KEYS;
		/* TLS 1.2 has nothing after Finished; 1.3 may. */
		if (p->state == PS_KEYS && BIO_ctrl_pending(p->rbio) == 0)
			return 0;
	}
	return read_after_handshake(p);
}

static enum eap_tls_rc
tls_request(struct eap_tls_peer *p, const struct eap_msg *m, uint8_t *resp,
    size_t *resp_len)
{
	char	why[EAP_TLS_ERRLEN];
	int	r;

	if (m->flags & EAP_TLS_FLAG_S) {
		if (p->state != PS_START) {
			peer_err(p, "EAP-TLS Start during %s",
			    state_name(p->state));
			return fail_tls(p, m->id, resp, resp_len);
		}
		p->state = PS_HANDSHAKE;
		if (tls_step(p) != 0 || drain_wbio(p) != 0)
			return fail_tls(p, m->id, resp, resp_len);
		return send_pending(p, m->id, resp, resp_len);
	}
	if (p->state == PS_START) {
		peer_err(p, "EAP-TLS request before EAP-TLS Start");
		return fail_tls(p, m->id, resp, resp_len);
	}

	/* While our message is going out, the server only acknowledges. */
	if (p->out_off < p->out_len) {
		if (m->data_len != 0 || (m->flags & EAP_TLS_FLAG_M)) {
			peer_err(p, "server sent TLS data instead of "
			    "acknowledging a fragment");
			return fail_tls(p, m->id, resp, resp_len);
		}
		return send_pending(p, m->id, resp, resp_len);
	}

	r = eap_tls_reasm_add(&p->in, m, why, sizeof(why));
	if (r < 0) {
		peer_err(p, "%s", why);
		return fail_tls(p, m->id, resp, resp_len);
	}
	if (r == 0)
		return send_pending(p, m->id, resp, resp_len);	/* ack */
	if (p->in.len == 0) {
		peer_err(p, "empty EAP-TLS request during %s",
		    state_name(p->state));
		return fail_tls(p, m->id, resp, resp_len);
	}
	r = BIO_write(p->rbio, p->in.buf, (int)p->in.len);
	if (r < 0 || (size_t)r != p->in.len) {
		peer_err(p, "cannot queue %zu octets for TLS", p->in.len);
		return fail_tls(p, m->id, resp, resp_len);
	}
	if (tls_step(p) != 0 || drain_wbio(p) != 0)
		return fail_tls(p, m->id, resp, resp_len);
	return send_pending(p, m->id, resp, resp_len);
}

int
eap_tls_peer_on_success(struct eap_tls_peer *p)
{
	if (p->state == PS_KEYS || p->state == PS_DONE) {
		p->state = PS_DONE;
		return 0;
	}
	if (p->state != PS_FAILED)
		peer_err(p, "EAP-Success during %s refused",
		    state_name(p->state));
	p->state = PS_FAILED;
	return -1;
}

enum eap_tls_rc
eap_tls_peer_process(struct eap_tls_peer *p, const uint8_t *req, size_t len,
    uint8_t *resp, size_t resp_size, size_t *resp_len)
{
	struct eap_msg	m;
	enum eap_tls_rc	rc;
	char		why[EAP_TLS_ERRLEN];

	*resp_len = 0;
	if (resp == NULL || resp_size < p->frag_size) {
		peer_err(p, "response buffer of %zu octets is smaller than "
		    "the fragment size %zu", resp == NULL ? 0 : resp_size,
		    p->frag_size);
		return EAP_TLS_PEER_FAILURE;
	}
	if (eap_tls_parse(req, len, &m, why, sizeof(why)) != 0) {
		peer_err(p, "%s", why);
		return EAP_TLS_PEER_DISCARD;
	}

	switch (m.code) {
	case EAP_CODE_SUCCESS:
		return eap_tls_peer_on_success(p) == 0 ? EAP_TLS_PEER_SUCCESS :
		    EAP_TLS_PEER_FAILURE;
	case EAP_CODE_FAILURE:
		if (p->state != PS_FAILED)
			peer_err(p, "EAP-Failure received during %s",
			    state_name(p->state));
		p->state = PS_FAILED;
		return EAP_TLS_PEER_FAILURE;
	case EAP_CODE_RESPONSE:
		peer_err(p, "EAP-Response sent to the peer");
		return EAP_TLS_PEER_DISCARD;
	}

	if (p->state == PS_FAILED)
		return EAP_TLS_PEER_FAILURE;
	if (p->state == PS_DONE) {
		peer_err(p, "EAP-Request after EAP-Success");
		return EAP_TLS_PEER_DISCARD;
	}
	if (p->have_last && m.id == p->last_id) {
		memcpy(resp, p->last, p->last_len);
		*resp_len = p->last_len;
		return p->last_rc;
	}

	switch (m.type) {
	case EAP_TYPE_IDENTITY:
		/* May come at any time; the answer does not change state. */
		put_hdr(resp, m.id, EAP_HDR_LEN + 1 + p->identity_len,
		    EAP_TYPE_IDENTITY);
		memcpy(resp + EAP_HDR_LEN + 1, p->identity, p->identity_len);
		*resp_len = EAP_HDR_LEN + 1 + p->identity_len;
		rc = EAP_TLS_PEER_CONTINUE;
		break;
	case EAP_TYPE_NOTIFICATION:
		put_hdr(resp, m.id, EAP_HDR_LEN + 1, EAP_TYPE_NOTIFICATION);
		*resp_len = EAP_HDR_LEN + 1;
		rc = EAP_TLS_PEER_CONTINUE;
		break;
	case EAP_TYPE_TLS:
		rc = tls_request(p, &m, resp, resp_len);
		break;
	case EAP_TYPE_NAK:
		peer_err(p, "EAP-Request of type Nak");
		return EAP_TLS_PEER_DISCARD;
	default:
		if (p->state != PS_START) {
			peer_err(p, "EAP type %u requested during %s",
			    m.type, state_name(p->state));
			return EAP_TLS_PEER_DISCARD;
		}
		/* Legacy Nak: we only do EAP-TLS (RFC 3748 5.3.1). */
		put_hdr(resp, m.id, EAP_HDR_LEN + 2, EAP_TYPE_NAK);
		resp[5] = EAP_TYPE_TLS;
		*resp_len = EAP_HDR_LEN + 2;
		rc = EAP_TLS_PEER_CONTINUE;
		break;
	}

	memcpy(p->last, resp, *resp_len);
	p->last_len = *resp_len;
	p->last_rc = rc;
	p->last_id = m.id;
	p->have_last = 1;
	return rc;
}

int
eap_tls_peer_msk(struct eap_tls_peer *p, uint8_t msk[EAP_TLS_MSK_LEN])
{
	static const uint8_t	tls13_ctx[1] = { EAP_TYPE_TLS };
	uint8_t			km[EXPORT_LEN];
	int			ok;

	if (p->state != PS_KEYS && p->state != PS_DONE) {
		peer_err(p, "no MSK during %s", state_name(p->state));
		return -1;
	}
	ERR_clear_error();
	/*
	 * Export MSK||EMSK in one call: TLS 1.3's exporter output depends
	 * on the length asked for.
	 */
	if (SSL_version(p->ssl) >= TLS1_3_VERSION)
		ok = SSL_export_keying_material(p->ssl, km, sizeof(km),
		    MSK_LABEL_TLS13, strlen(MSK_LABEL_TLS13), tls13_ctx,
		    sizeof(tls13_ctx), 1);
	else
		ok = SSL_export_keying_material(p->ssl, km, sizeof(km),
		    MSK_LABEL_TLS12, strlen(MSK_LABEL_TLS12), NULL, 0, 0);
	if (ok != 1) {
		OPENSSL_cleanse(km, sizeof(km));
		ossl_err(p->err, sizeof(p->err), NULL, "key export failed");
		return -1;
	}
	memcpy(msk, km, EAP_TLS_MSK_LEN);
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}
