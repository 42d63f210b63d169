/*
 * fuzz_eap.c - libFuzzer harness for node/eap_tls_peer.c: the EAP
 * and EAP-TLS request parser, fragment reassembly, and the peer that
 * consumes a sequence of requests.
 *
 * Input: one octet choosing the peer's fragment size, then records of a
 * two-octet big-endian length and that many octets, each one EAP packet
 * from the authenticator.  Every packet goes through eap_tls_parse() and
 * a reassembler; the whole sequence also goes through one peer (a fresh
 * P-256 key and self-signed certificate, made once per process), whose
 * responses must be well-formed EAP-Responses no longer than the
 * fragment size.
 *
 * Built with -fsanitize=fuzzer it is a libFuzzer target.  Built with
 * -DGKEY_FUZZ_STANDALONE it has its own main() that replays every file
 * (or every file in every directory) named on the command line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "eap_tls_peer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	dir[] = "/tmp/fuzz_eap.XXXXXX";
static char	cert_path[64], key_path[64];

static void
cleanup(void)
{
	unlink(cert_path);
	unlink(key_path);
	rmdir(dir);
}

/* A throw-away identity; it is also the CA the peer trusts. */
static void
make_credentials(void)
{
	EVP_PKEY	*pk;
	X509		*x;
	FILE		*f;

	if ((pk = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL ||
	    mkdtemp(dir) == NULL)
		abort();
	snprintf(cert_path, sizeof(cert_path), "%s/c.pem", dir);
	snprintf(key_path, sizeof(key_path), "%s/k.pem", dir);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pk);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"fuzz", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (X509_sign(x, pk, EVP_sha256()) <= 0 ||
	    (f = fopen(cert_path, "w")) == NULL)
		abort();
	PEM_write_X509(f, x);
	fclose(f);
	if ((f = fopen(key_path, "w")) == NULL)
		abort();
	PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(pk);
	atexit(cleanup);
}

static void
check_response(const uint8_t *resp, size_t len, size_t frag)
{
	struct eap_msg	m;
	char		err[EAP_TLS_ERRLEN];

	if (len == 0)
		return;
	if (len > frag || eap_tls_parse(resp, len, &m, err, sizeof(err)) != 0 ||
	    m.code != EAP_CODE_RESPONSE || m.len != len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 ready;
	static uint8_t		 resp[EAP_TLS_MAX_MSG];
	struct eap_tls_peer_cfg	 cfg;
	struct eap_tls_error	 e;
	struct eap_tls_reasm	 r;
	struct eap_tls_peer	*peer;
	struct eap_msg		 m;
	const uint8_t		*pkt;
	size_t			 off, len, resp_len;
	char			 err[EAP_TLS_ERRLEN];
	enum eap_tls_rc		 rc;
	uint8_t			 msk[EAP_TLS_MSK_LEN];

	if (!ready) {
		make_credentials();
		ready = 1;
	}
	if (size < 1)
		return 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.identity = "fuzz-node";
	cfg.ca_file = cert_path;
	cfg.cert_file = cert_path;
	cfg.key_file = key_path;
	cfg.fragment_size = EAP_TLS_FRAG_MIN + (size_t)(data[0] % 16) * 100;
	cfg.tls13 = data[0] & 0x80 ? 1 : 0;
	if ((peer = eap_tls_peer_new(&cfg, &e)) == NULL)
		abort();
	memset(&r, 0, sizeof(r));

	for (off = 1; size - off >= 2; off += len) {
		len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		pkt = data + off;

		if (eap_tls_parse(pkt, len, &m, err, sizeof(err)) == 0) {
			/* m.data may be NULL when there is no data. */
			if (m.len > len || (m.data_len > 0 &&
			    (m.data < pkt || m.data_len > len ||
			    m.data > pkt + len - m.data_len)))
				abort();
			if (m.type == EAP_TYPE_TLS &&
			    eap_tls_reasm_add(&r, &m, err, sizeof(err)) == 1 &&
			    (r.len > EAP_TLS_MAX_MSG || r.len > r.cap))
				abort();
		}

		rc = eap_tls_peer_process(peer, pkt, len, resp,
		    cfg.fragment_size, &resp_len);
		check_response(resp, resp_len, cfg.fragment_size);
		if (rc == EAP_TLS_PEER_SUCCESS &&
		    eap_tls_peer_msk(peer, msk) != 0)
			abort();
	}
	(void)eap_tls_peer_on_success(peer);
	eap_tls_reasm_reset(&r);
	eap_tls_peer_free(peer);
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
