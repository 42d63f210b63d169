/*
 * check_eap_tls_peer.c - unit tests for node/eap_tls_peer.c: EAP and
 * EAP-TLS framing, fragment reassembly, and the peer's answers that need
 * no server (Identity, Nak, Start, outgoing fragments, refusals).
 *
 * One behaviour per test; the test names are the specification.  The
 * peer tests use a throw-away P-256 key and self-signed certificate
 * written to a temporary directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "check_main.h"
#include "eap_tls_peer.h"

static struct eap_msg m;
static struct eap_tls_reasm r;
static char err[EAP_TLS_ERRLEN];

/* ------------------------------------------------------------ helpers */

/* An EAP-TLS request: flags, optional TLS Message Length, data. */
static size_t
tls_req(uint8_t *buf, uint8_t id, uint8_t flags, uint32_t tls_len,
    const uint8_t *data, size_t dlen)
{
	size_t	off = EAP_TLS_HDR_LEN, len;

	buf[0] = EAP_CODE_REQUEST;
	buf[1] = id;
	buf[4] = EAP_TYPE_TLS;
	buf[5] = flags;
	if (flags & EAP_TLS_FLAG_L) {
		buf[6] = (uint8_t)(tls_len >> 24);
		buf[7] = (uint8_t)(tls_len >> 16);
		buf[8] = (uint8_t)(tls_len >> 8);
		buf[9] = (uint8_t)tls_len;
		off = EAP_TLS_LHDR_LEN;
	}
	if (dlen > 0)
		memcpy(buf + off, data, dlen);
	len = off + dlen;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	return len;
}

static void
parse_ok(const uint8_t *pkt, size_t len)
{
	ck_assert_msg(eap_tls_parse(pkt, len, &m, err, sizeof(err)) == 0,
	    "parse failed: %s", err);
}

static void
parse_fails(const uint8_t *pkt, size_t len, const char *why)
{
	ck_assert_int_eq(eap_tls_parse(pkt, len, &m, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, why) != NULL, "error '%s' lacks '%s'", err,
	    why);
}

static void
teardown_reasm(void)
{
	eap_tls_reasm_reset(&r);
}

/* ------------------------------------------------------------ parsing */

START_TEST(parse_truncated_header_is_refused)
{
	static const uint8_t p[] = { 1, 1, 0 };

	parse_fails(p, sizeof(p), "truncated");
}
END_TEST

START_TEST(parse_length_beyond_buffer_is_refused)
{
	static const uint8_t p[] = { 1, 7, 0, 9, 13, 0 };

	parse_fails(p, sizeof(p), "exceeds the 6 octets");
}
END_TEST

START_TEST(parse_length_below_header_is_refused)
{
	static const uint8_t p[] = { 1, 7, 0, 3, 13 };

	parse_fails(p, sizeof(p), "shorter than the header");
}
END_TEST

START_TEST(parse_octets_beyond_length_are_padding)
{
	static const uint8_t p[] = { 1, 7, 0, 6, 13, 0x20, 0xaa, 0xbb };

	parse_ok(p, sizeof(p));
	ck_assert_uint_eq(m.type, EAP_TYPE_TLS);
	ck_assert_uint_eq(m.flags, EAP_TLS_FLAG_S);
	ck_assert_uint_eq(m.data_len, 0);
}
END_TEST

START_TEST(parse_success_with_data_is_refused)
{
	static const uint8_t p[] = { 3, 7, 0, 5, 0 };

	parse_fails(p, sizeof(p), "expected 4");
}
END_TEST

START_TEST(parse_unknown_code_is_refused)
{
	static const uint8_t p[] = { 9, 7, 0, 4 };

	parse_fails(p, sizeof(p), "unknown EAP code 9");
}
END_TEST

START_TEST(parse_request_without_type_is_refused)
{
	static const uint8_t p[] = { 1, 7, 0, 4 };

	parse_fails(p, sizeof(p), "without a Type");
}
END_TEST

START_TEST(parse_tls_without_flags_is_refused)
{
	static const uint8_t p[] = { 1, 7, 0, 5, 13 };

	parse_fails(p, sizeof(p), "without flags");
}
END_TEST

START_TEST(parse_l_flag_without_length_is_refused)
{
	static const uint8_t p[] = { 1, 7, 0, 8, 13, 0x80, 0, 0 };

	parse_fails(p, sizeof(p), "no room for the TLS Message Length");
}
END_TEST

START_TEST(parse_oversized_tls_message_length_is_refused)
{
	uint8_t	p[16];
	size_t	n = tls_req(p, 7, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M,
	    EAP_TLS_MAX_MSG + 1, (const uint8_t *)"ab", 2);

	parse_fails(p, n, "out of range");
}
END_TEST

START_TEST(parse_zero_tls_message_length_is_refused)
{
	uint8_t	p[16];
	size_t	n = tls_req(p, 7, EAP_TLS_FLAG_L, 0, NULL, 0);

	parse_fails(p, n, "out of range");
}
END_TEST

START_TEST(parse_fragment_longer_than_tls_message_length_is_refused)
{
	uint8_t	p[16];
	size_t	n = tls_req(p, 7, EAP_TLS_FLAG_L, 2, (const uint8_t *)"abc", 3);

	parse_fails(p, n, "exceeds TLS Message Length 2");
}
END_TEST

START_TEST(parse_reads_tls_length_and_data)
{
	uint8_t	p[16];
	size_t	n = tls_req(p, 9, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 300,
	    (const uint8_t *)"xyz", 3);

	parse_ok(p, n);
	ck_assert_uint_eq(m.id, 9);
	ck_assert_uint_eq(m.tls_len, 300);
	ck_assert_uint_eq(m.data_len, 3);
	ck_assert(memcmp(m.data, "xyz", 3) == 0);
}
END_TEST

/* ------------------------------------------------------------ reassembly */

static int
add(uint8_t flags, uint32_t tls_len, const char *data)
{
	uint8_t	p[64];
	size_t	n = tls_req(p, 1, flags, tls_len, (const uint8_t *)data,
	    strlen(data));

	parse_ok(p, n);
	return eap_tls_reasm_add(&r, &m, err, sizeof(err));
}

START_TEST(reasm_joins_three_fragments)
{
	ck_assert_int_eq(add(EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 9, "abc"), 0);
	ck_assert_int_eq(add(EAP_TLS_FLAG_M, 0, "def"), 0);
	ck_assert_int_eq(add(0, 0, "ghi"), 1);
	ck_assert_uint_eq(r.len, 9);
	ck_assert(memcmp(r.buf, "abcdefghi", 9) == 0);
}
END_TEST

START_TEST(reasm_accepts_length_repeated_in_later_fragments)
{
	ck_assert_int_eq(add(EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 6, "abc"), 0);
	ck_assert_int_eq(add(EAP_TLS_FLAG_L, 6, "def"), 1);
	ck_assert(memcmp(r.buf, "abcdef", 6) == 0);
}
END_TEST

START_TEST(reasm_unfragmented_message_is_complete)
{
	ck_assert_int_eq(add(0, 0, "hello"), 1);
	ck_assert_uint_eq(r.len, 5);
	ck_assert_int_eq(add(EAP_TLS_FLAG_L, 3, "abc"), 1);
	ck_assert_uint_eq(r.len, 3);
}
END_TEST

START_TEST(reasm_first_fragment_without_length_is_refused)
{
	ck_assert_int_eq(add(EAP_TLS_FLAG_M, 0, "abc"), -1);
	ck_assert(strstr(err, "without TLS Message Length") != NULL);
}
END_TEST

START_TEST(reasm_fragments_beyond_declared_length_are_refused)
{
	ck_assert_int_eq(add(EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 5, "abc"), 0);
	ck_assert_int_eq(add(0, 0, "def"), -1);
	ck_assert(strstr(err, "exceed TLS Message Length 5") != NULL);
}
END_TEST

START_TEST(reasm_short_message_is_refused)
{
	ck_assert_int_eq(add(EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 9, "abc"), 0);
	ck_assert_int_eq(add(0, 0, "def"), -1);
	ck_assert(strstr(err, "ends at 6 octets") != NULL);
}
END_TEST

START_TEST(reasm_changed_length_is_refused)
{
	ck_assert_int_eq(add(EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 9, "abc"), 0);
	ck_assert_int_eq(add(EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 10, "def"), -1);
	ck_assert(strstr(err, "changed from 9 to 10") != NULL);
}
END_TEST

START_TEST(reasm_empty_middle_fragment_is_refused)
{
	ck_assert_int_eq(add(EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 9, "abc"), 0);
	ck_assert_int_eq(add(EAP_TLS_FLAG_M, 0, ""), -1);
	ck_assert(strstr(err, "empty EAP-TLS fragment") != NULL);
}
END_TEST

START_TEST(reasm_unfragmented_length_mismatch_is_refused)
{
	ck_assert_int_eq(add(EAP_TLS_FLAG_L, 7, "abc"), -1);
	ck_assert(strstr(err, "TLS Message Length 7 but 3") != NULL);
}
END_TEST

START_TEST(reasm_recovers_after_an_error)
{
	ck_assert_int_eq(add(EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 5, "abc"), 0);
	ck_assert_int_eq(add(0, 0, "defg"), -1);
	ck_assert_int_eq(add(0, 0, "ok"), 1);
	ck_assert(memcmp(r.buf, "ok", 2) == 0);
}
END_TEST

START_TEST(reasm_total_is_capped_at_64k)
{
	struct eap_msg	big;
	uint8_t		chunk[1000];
	int		i, rc = 0;

	memset(chunk, 0x16, sizeof(chunk));
	memset(&big, 0, sizeof(big));
	big.type = EAP_TYPE_TLS;
	big.flags = EAP_TLS_FLAG_L | EAP_TLS_FLAG_M;
	big.tls_len = EAP_TLS_MAX_MSG;
	big.data = chunk;
	big.data_len = sizeof(chunk);
	ck_assert_int_eq(eap_tls_reasm_add(&r, &big, err, sizeof(err)), 0);
	big.flags = EAP_TLS_FLAG_M;
	for (i = 1; i < 70 && rc == 0; i++)
		rc = eap_tls_reasm_add(&r, &big, err, sizeof(err));
	ck_assert_int_eq(rc, -1);
	ck_assert_uint_le(r.cap, EAP_TLS_MAX_MSG);
}
END_TEST

/* ------------------------------------------------------------ the peer */

static char	 dir[] = "/tmp/check_eap_tls.XXXXXX";
static char	 cert_path[64], key_path[64];
static struct eap_tls_peer *peer;
static uint8_t	 resp[2048];
static size_t	 resp_len;

/* Set-up runs outside any test: a failure there stops the run. */
#define need(x) do {							\
	if (!(x)) {							\
		fprintf(stderr, "set-up failed: %s\n", #x);		\
		exit(EXIT_FAILURE);					\
	}								\
} while (0)

static void
write_credentials(void)
{
	EVP_PKEY	*pk = EVP_EC_gen("P-256");
	X509		*x = X509_new();
	FILE		*f;

	need(pk != NULL);
	need(x != NULL);
	need(mkdtemp(dir) != NULL);
	snprintf(cert_path, sizeof(cert_path), "%s/c.pem", dir);
	snprintf(key_path, sizeof(key_path), "%s/k.pem", dir);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pk);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"check", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	need(X509_sign(x, pk, EVP_sha256()) > 0);
	need((f = fopen(cert_path, "w")) != NULL);
	need(PEM_write_X509(f, x) == 1);
	fclose(f);
	need((f = fopen(key_path, "w")) != NULL);
	need(PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) == 1);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(pk);
}

static void
remove_credentials(void)
{
	unlink(cert_path);
	unlink(key_path);
	rmdir(dir);
}

static struct eap_tls_peer *
new_peer(size_t frag)
{
	struct eap_tls_peer_cfg	cfg;
	struct eap_tls_error	e;
	struct eap_tls_peer	*p;

	memset(&cfg, 0, sizeof(cfg));
	cfg.identity = "node-1";
	cfg.ca_file = cert_path;
	cfg.cert_file = cert_path;
	cfg.key_file = key_path;
	cfg.fragment_size = frag;
	cfg.tls13 = 1;
	p = eap_tls_peer_new(&cfg, &e);
	ck_assert_msg(p != NULL, "eap_tls_peer_new: %s", e.msg);
	return p;
}

static void
setup_peer(void)
{
	peer = new_peer(0);
	resp_len = 0;
}

static void
teardown_peer(void)
{
	eap_tls_peer_free(peer);
	peer = NULL;
}

static enum eap_tls_rc
feed(const uint8_t *p, size_t n)
{
	return eap_tls_peer_process(peer, p, n, resp, sizeof(resp), &resp_len);
}

static void
start_handshake(uint8_t id)
{
	uint8_t	p[16];
	size_t	n = tls_req(p, id, EAP_TLS_FLAG_S, 0, NULL, 0);

	ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_CONTINUE);
}

START_TEST(peer_answers_identity_request)
{
	static const uint8_t p[] = { 1, 42, 0, 5, 1 };

	ck_assert_int_eq(feed(p, sizeof(p)), EAP_TLS_PEER_CONTINUE);
	ck_assert_uint_eq(resp_len, 11);
	ck_assert(memcmp(resp, "\x02\x2a\x00\x0b\x01node-1", 11) == 0);
}
END_TEST

START_TEST(peer_naks_other_methods_with_tls)
{
	static const uint8_t md5[] = { 1, 3, 0, 6, 4, 0 };

	ck_assert_int_eq(feed(md5, sizeof(md5)), EAP_TLS_PEER_CONTINUE);
	ck_assert_uint_eq(resp_len, 6);
	ck_assert(memcmp(resp, "\x02\x03\x00\x06\x03\x0d", 6) == 0);
}
END_TEST

START_TEST(peer_discards_truncated_packet)
{
	static const uint8_t p[] = { 1, 3, 0, 40, 13, 0x20 };

	ck_assert_int_eq(feed(p, sizeof(p)), EAP_TLS_PEER_DISCARD);
	ck_assert_uint_eq(resp_len, 0);
	ck_assert(strstr(eap_tls_peer_error(peer), "exceeds") != NULL);
}
END_TEST

START_TEST(peer_discards_other_method_during_handshake)
{
	static const uint8_t md5[] = { 1, 9, 0, 6, 4, 0 };

	start_handshake(8);
	ck_assert_int_eq(feed(md5, sizeof(md5)), EAP_TLS_PEER_DISCARD);
}
END_TEST

START_TEST(peer_answers_start_with_client_hello)
{
	start_handshake(5);
	ck_assert_uint_gt(resp_len, EAP_TLS_HDR_LEN + 5);
	ck_assert_uint_eq(resp[0], EAP_CODE_RESPONSE);
	ck_assert_uint_eq(resp[1], 5);
	ck_assert_uint_eq((size_t)(resp[2] << 8 | resp[3]), resp_len);
	ck_assert_uint_eq(resp[4], EAP_TYPE_TLS);
	ck_assert_uint_eq(resp[5], 0);		/* fits: no L, no M */
	ck_assert_uint_eq(resp[6], 0x16);	/* TLS handshake record */
	ck_assert_uint_eq(resp[11], 0x01);	/* ClientHello */
}
END_TEST

START_TEST(peer_fragments_client_hello_and_waits_for_acks)
{
	uint8_t	p[16], hello[4096];
	size_t	n, total, got = 0;
	int	frags = 0;

	eap_tls_peer_free(peer);
	peer = new_peer(EAP_TLS_FRAG_MIN);
	n = tls_req(p, 1, EAP_TLS_FLAG_S, 0, NULL, 0);
	ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_CONTINUE);
	ck_assert_uint_eq(resp_len, EAP_TLS_FRAG_MIN);
	ck_assert_uint_eq(resp[5], EAP_TLS_FLAG_L | EAP_TLS_FLAG_M);
	total = (size_t)resp[6] << 24 | (size_t)resp[7] << 16 |
	    (size_t)resp[8] << 8 | resp[9];
	ck_assert_uint_le(total, sizeof(hello));
	memcpy(hello, resp + EAP_TLS_LHDR_LEN, resp_len - EAP_TLS_LHDR_LEN);
	got = resp_len - EAP_TLS_LHDR_LEN;
	while (got < total) {
		n = tls_req(p, (uint8_t)(2 + frags), 0, 0, NULL, 0);
		ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_CONTINUE);
		ck_assert_uint_le(resp_len, EAP_TLS_FRAG_MIN);
		ck_assert_uint_eq(resp[5] & EAP_TLS_FLAG_L, 0);
		memcpy(hello + got, resp + EAP_TLS_HDR_LEN,
		    resp_len - EAP_TLS_HDR_LEN);
		got += resp_len - EAP_TLS_HDR_LEN;
		frags++;
		ck_assert_int_eq((resp[5] & EAP_TLS_FLAG_M) != 0, got < total);
	}
	ck_assert_uint_eq(got, total);
	ck_assert_uint_eq(hello[0], 0x16);
	ck_assert_uint_eq((size_t)(hello[3] << 8 | hello[4]) + 5, total);
}
END_TEST

START_TEST(peer_fails_on_data_instead_of_ack)
{
	uint8_t	p[16];
	size_t	n;

	eap_tls_peer_free(peer);
	peer = new_peer(EAP_TLS_FRAG_MIN);
	start_handshake(1);
	n = tls_req(p, 2, 0, 0, (const uint8_t *)"\x16\x03\x03", 3);
	ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_FAILURE);
	ck_assert(strstr(eap_tls_peer_error(peer), "instead of "
	    "acknowledging") != NULL);
}
END_TEST

START_TEST(peer_acks_incoming_fragment)
{
	uint8_t	p[16];
	size_t	n;

	start_handshake(1);
	n = tls_req(p, 2, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 100,
	    (const uint8_t *)"\x16\x03\x03", 3);
	ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_CONTINUE);
	ck_assert_uint_eq(resp_len, EAP_TLS_HDR_LEN);
	ck_assert(memcmp(resp, "\x02\x02\x00\x06\x0d\x00", 6) == 0);
}
END_TEST

START_TEST(peer_fails_on_bad_reassembly)
{
	uint8_t	p[16];
	size_t	n;

	start_handshake(1);
	n = tls_req(p, 2, EAP_TLS_FLAG_M, 0, (const uint8_t *)"abc", 3);
	ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_FAILURE);
	ck_assert(strstr(eap_tls_peer_error(peer), "without TLS Message "
	    "Length") != NULL);
}
END_TEST

START_TEST(peer_fails_on_garbage_tls)
{
	uint8_t	p[32];
	size_t	n;

	start_handshake(1);
	n = tls_req(p, 2, 0, 0, (const uint8_t *)"not a TLS record!", 17);
	ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_FAILURE);
	ck_assert(strstr(eap_tls_peer_error(peer), "TLS handshake failed") !=
	    NULL);
}
END_TEST

START_TEST(peer_repeats_response_to_duplicate_request)
{
	uint8_t	p[16], first[2048];
	size_t	n, first_len;

	n = tls_req(p, 4, EAP_TLS_FLAG_S, 0, NULL, 0);
	ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_CONTINUE);
	memcpy(first, resp, resp_len);
	first_len = resp_len;
	ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_CONTINUE);
	ck_assert_uint_eq(resp_len, first_len);
	ck_assert(memcmp(resp, first, first_len) == 0);
}
END_TEST

START_TEST(peer_refuses_tls_before_start)
{
	uint8_t	p[16];
	size_t	n = tls_req(p, 2, 0, 0, (const uint8_t *)"\x16", 1);

	ck_assert_int_eq(feed(p, n), EAP_TLS_PEER_FAILURE);
	ck_assert(strstr(eap_tls_peer_error(peer), "before EAP-TLS Start") !=
	    NULL);
}
END_TEST

START_TEST(peer_refuses_early_success)
{
	static const uint8_t success[] = { 3, 2, 0, 4 };
	uint8_t	msk[EAP_TLS_MSK_LEN];

	start_handshake(1);
	ck_assert_int_eq(feed(success, sizeof(success)), EAP_TLS_PEER_FAILURE);
	ck_assert(strstr(eap_tls_peer_error(peer), "EAP-Success during") !=
	    NULL);
	ck_assert_int_eq(eap_tls_peer_msk(peer, msk), -1);
	ck_assert_int_eq(eap_tls_peer_on_success(peer), -1);
}
END_TEST

START_TEST(peer_reports_failure)
{
	static const uint8_t failure[] = { 4, 2, 0, 4 };

	ck_assert_int_eq(feed(failure, sizeof(failure)), EAP_TLS_PEER_FAILURE);
	ck_assert(strstr(eap_tls_peer_error(peer), "EAP-Failure") != NULL);
}
END_TEST

START_TEST(peer_refuses_small_response_buffer)
{
	static const uint8_t p[] = { 1, 42, 0, 5, 1 };
	uint8_t	small[16];

	ck_assert_int_eq(eap_tls_peer_process(peer, p, sizeof(p), small,
	    sizeof(small), &resp_len), EAP_TLS_PEER_FAILURE);
	ck_assert_uint_eq(resp_len, 0);
}
END_TEST

START_TEST(peer_new_reports_missing_ca)
{
	struct eap_tls_peer_cfg	cfg;
	struct eap_tls_error	e;

	memset(&cfg, 0, sizeof(cfg));
	cfg.identity = "n";
	cfg.ca_file = "/nonexistent/ca.pem";
	cfg.cert_file = cert_path;
	cfg.key_file = key_path;
	ck_assert_ptr_null(eap_tls_peer_new(&cfg, &e));
	ck_assert(strstr(e.msg, "cannot load CA file") != NULL);
	ck_assert(strstr(e.msg, "/nonexistent/ca.pem") != NULL);
}
END_TEST

START_TEST(peer_new_refuses_tiny_fragment_size)
{
	struct eap_tls_peer_cfg	cfg;
	struct eap_tls_error	e;

	memset(&cfg, 0, sizeof(cfg));
	cfg.identity = "n";
	cfg.ca_file = cert_path;
	cfg.cert_file = cert_path;
	cfg.key_file = key_path;
	cfg.fragment_size = 10;
	ck_assert_ptr_null(eap_tls_peer_new(&cfg, &e));
	ck_assert(strstr(e.msg, "fragment size 10") != NULL);
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("eap_tls_peer");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, parse_truncated_header_is_refused);
	tcase_add_test(tc, parse_length_beyond_buffer_is_refused);
	tcase_add_test(tc, parse_length_below_header_is_refused);
	tcase_add_test(tc, parse_octets_beyond_length_are_padding);
	tcase_add_test(tc, parse_success_with_data_is_refused);
	tcase_add_test(tc, parse_unknown_code_is_refused);
	tcase_add_test(tc, parse_request_without_type_is_refused);
	tcase_add_test(tc, parse_tls_without_flags_is_refused);
	tcase_add_test(tc, parse_l_flag_without_length_is_refused);
	tcase_add_test(tc, parse_oversized_tls_message_length_is_refused);
	tcase_add_test(tc, parse_zero_tls_message_length_is_refused);
	tcase_add_test(tc,
	    parse_fragment_longer_than_tls_message_length_is_refused);
	tcase_add_test(tc, parse_reads_tls_length_and_data);
	suite_add_tcase(s, tc);

	tc = tcase_create("reassembly");
	tcase_add_checked_fixture(tc, NULL, teardown_reasm);
	tcase_add_test(tc, reasm_joins_three_fragments);
	tcase_add_test(tc, reasm_accepts_length_repeated_in_later_fragments);
	tcase_add_test(tc, reasm_unfragmented_message_is_complete);
	tcase_add_test(tc, reasm_first_fragment_without_length_is_refused);
	tcase_add_test(tc, reasm_fragments_beyond_declared_length_are_refused);
	tcase_add_test(tc, reasm_short_message_is_refused);
	tcase_add_test(tc, reasm_changed_length_is_refused);
	tcase_add_test(tc, reasm_empty_middle_fragment_is_refused);
	tcase_add_test(tc, reasm_unfragmented_length_mismatch_is_refused);
	tcase_add_test(tc, reasm_recovers_after_an_error);
	tcase_add_test(tc, reasm_total_is_capped_at_64k);
	suite_add_tcase(s, tc);

	tc = tcase_create("peer");
	/* Once for the case, in the runner: the tests only read the files. */
	tcase_add_unchecked_fixture(tc, write_credentials, remove_credentials);
	tcase_add_checked_fixture(tc, setup_peer, teardown_peer);
	tcase_add_test(tc, peer_answers_identity_request);
	tcase_add_test(tc, peer_naks_other_methods_with_tls);
	tcase_add_test(tc, peer_discards_truncated_packet);
	tcase_add_test(tc, peer_discards_other_method_during_handshake);
	tcase_add_test(tc, peer_answers_start_with_client_hello);
	tcase_add_test(tc, peer_fragments_client_hello_and_waits_for_acks);
	tcase_add_test(tc, peer_fails_on_data_instead_of_ack);
	tcase_add_test(tc, peer_acks_incoming_fragment);
	tcase_add_test(tc, peer_fails_on_bad_reassembly);
	tcase_add_test(tc, peer_fails_on_garbage_tls);
	tcase_add_test(tc, peer_repeats_response_to_duplicate_request);
	tcase_add_test(tc, peer_refuses_tls_before_start);
	tcase_add_test(tc, peer_refuses_early_success);
	tcase_add_test(tc, peer_reports_failure);
	tcase_add_test(tc, peer_refuses_small_response_buffer);
	tcase_add_test(tc, peer_new_reports_missing_ca);
	tcase_add_test(tc, peer_new_refuses_tiny_fragment_size);
	suite_add_tcase(s, tc);
	return s;
}
