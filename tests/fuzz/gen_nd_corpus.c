/*
 * gen_nd_corpus.c - writes the ND seed corpus for fuzz_nd.c: a signed RS
 * with a real P-256 certificate (signed for fe80::1 -> ff02::2, the
 * addresses the harness verifies with), RAs with records, a Status RA,
 * and a few messages the parser must refuse.  Run from the source tree:
 *
 *   cc -Ilibgkey -Ilibnd -Itests/fuzz libnd/nd_msg.c libnd/nd_crypto.c \
 *       libgkey/x509.c libgkey/errbuf.c tests/fuzz/gen_nd_corpus.c -lcrypto \
 *       -o gen_nd_corpus
 *   ./gen_nd_corpus tests/fuzz/corpus/nd tests/fuzz/corpus/noded
 *
 * With a second directory it also writes the RAs of corpus/noded,
 * signed with the fixed router key of fuzz_nd_keys.h for fe80::a ->
 * fe80::1 (what fuzz_noded.c verifies with): one answer in one part, one
 * in two, a Status and a push.
 *
 * The output differs on each run (fresh keys); the committed files are
 * one such run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fuzz_nd_keys.h"
#include "gen_put.h"

#include "nd_crypto.h"
#include "nd_msg.h"

static const uint8_t src[16] = { 0xfe, 0x80, [15] = 0x01 };
static const uint8_t dst[16] = { 0xff, 0x02, [15] = 0x02 };
static const uint8_t nonce[6] = { 1, 2, 3, 4, 5, 6 };
static const uint8_t slla[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t ar_src[16] = { 0xfe, 0x80, [15] = 0x0a };
static const uint8_t node_dst[16] = { 0xfe, 0x80, [15] = 0x01 };

static void
check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", what, nd_strerror(rc));
		exit(1);
	}
}

static size_t
self_signed(EVP_PKEY *k, uint8_t *out)
{
	X509 *x = X509_new();
	unsigned char *p = out;
	int n;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"phone-fuzz", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	n = i2d_X509(x, &p);
	X509_free(x);
	if (n <= 0)
		exit(1);
	return (size_t)n;
}

/* RAs signed with the fixed router key, for corpus/noded. */
static void
noded_seeds(const char *dir)
{
	static const struct nd_ra_hdr h = { 64, 0, 1800, 0, 0 };
	static uint8_t buf[ND_MSG_MAX], rec[152], der[1024];
	struct nd_builder b;
	unsigned char *p = der;
	EVP_PKEY *k;
	X509 *x;
	BIO *bio;
	size_t len, dl;
	int part, n;

	outdir = dir;
	bio = BIO_new_mem_buf(fuzz_nd_ar_cert_pem, -1);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	bio = BIO_new_mem_buf(fuzz_nd_ar_key_pem, -1);
	k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL || k == NULL || (n = i2d_X509(x, &p)) <= 0)
		exit(1);
	dl = (size_t)n;
	memset(rec, 0x5a, sizeof(rec));
	/* One nonce per answer: parts of one answer share theirs. */
	for (part = 0; part <= 2; part++) {
		uint8_t an[6] = { 7, 7, 7, 7, 7, (uint8_t)(part > 0) };

		check(nd_build_ra(&b, buf, sizeof(buf), &h), "ra");
		nd_build_nonce(&b, an, sizeof(an));
		nd_build_timestamp(&b, nd_timestamp(1800000000, 0));
		nd_build_gkey(&b, ND_GK_CERT, der, dl);
		nd_build_part(&b, part == 0 ? 1 : (uint8_t)part,
		    part == 0 ? 1 : 2);
		nd_build_gkey(&b, ND_GK_RECORD, rec, sizeof(rec));
		nd_build_refresh(&b, 600);
		check(nd_sign_finish(&b, k, ar_src, node_dst, &len), "sign");
		put(part == 0 ? "valid-ra-1of1" : part == 1 ? "valid-ra-1of2" :
		    "valid-ra-2of2", buf, len);
	}
	check(nd_build_ra(&b, buf, sizeof(buf), &h), "status");
	nd_build_nonce(&b, slla, sizeof(slla));
	nd_build_timestamp(&b, nd_timestamp(1800000000, 0));
	nd_build_gkey(&b, ND_GK_CERT, der, dl);
	nd_build_part(&b, 1, 1);
	nd_build_status(&b, ND_STATUS_UNAVAILABLE, "key server unavailable");
	check(nd_sign_finish(&b, k, ar_src, node_dst, &len), "sign");
	put("valid-ra-status2", buf, len);
	check(nd_build_ra(&b, buf, sizeof(buf), &h), "push");
	nd_build_timestamp(&b, nd_timestamp(1800000000, 0));
	nd_build_gkey(&b, ND_GK_CERT, der, dl);
	nd_build_part(&b, 1, 1);
	nd_build_gkey(&b, ND_GK_RECORD, rec, sizeof(rec));
	nd_build_refresh(&b, 600);
	check(nd_sign_finish(&b, k, ar_src, node_dst, &len), "sign");
	put("valid-ra-push", buf, len);
	buf[40] ^= 1;
	put("bad-ra-push-tampered", buf, len);
	X509_free(x);
	EVP_PKEY_free(k);
}

int
main(int argc, char *argv[])
{
	static const struct nd_ra_hdr h = { 64, 0, 1800, 0, 0 };
	static uint8_t cert[1024], buf[ND_MSG_MAX], rec[152];
	struct nd_builder b;
	EVP_PKEY *k;
	size_t cl, len;

	if (argc != 2 && argc != 3)
		return 2;
	outdir = argv[1];
	k = EVP_EC_gen("P-256");
	cl = self_signed(k, cert);
	memset(rec, 0x5a, sizeof(rec));

	check(nd_build_rs(&b, buf, sizeof(buf)), "rs");
	nd_build_opt(&b, ND_OPT_SLLA, slla, sizeof(slla));
	nd_build_nonce(&b, nonce, sizeof(nonce));
	nd_build_timestamp(&b, nd_timestamp(1700000000, 0));
	nd_build_gkey(&b, ND_GK_CERT, cert, cl);
	nd_build_gkey(&b, ND_GK_APP, (const uint8_t *)"home-energy", 11);
	check(nd_sign_finish(&b, k, src, dst, &len), "rs sign");
	put("valid-rs", buf, len);
	buf[len - 1] ^= 1;
	put("bad-rs-signature", buf, len);
	put("bad-rs-truncated", buf, len - 3);

	check(nd_build_ra(&b, buf, sizeof(buf), &h), "ra");
	nd_build_opt(&b, ND_OPT_SLLA, slla, sizeof(slla));
	nd_build_nonce(&b, nonce, sizeof(nonce));
	nd_build_timestamp(&b, nd_timestamp(1700000001, 0));
	nd_build_gkey(&b, ND_GK_CERT, cert, cl);
	nd_build_part(&b, 1, 2);
	nd_build_gkey(&b, ND_GK_RECORD, rec, sizeof(rec));
	nd_build_gkey(&b, ND_GK_RECORD, rec, sizeof(rec));
	nd_build_refresh(&b, 3600);
	check(nd_sign_finish(&b, k, src, dst, &len), "ra sign");
	put("valid-ra-records", buf, len);

	check(nd_build_ra(&b, buf, sizeof(buf), &h), "status");
	nd_build_nonce(&b, nonce, sizeof(nonce));
	nd_build_timestamp(&b, nd_timestamp(1700000001, 0));
	nd_build_gkey(&b, ND_GK_CERT, cert, cl);
	nd_build_part(&b, 1, 1);
	nd_build_status(&b, ND_STATUS_REFUSED, "unknown certificate");
	check(nd_sign_finish(&b, k, src, dst, &len), "status sign");
	put("valid-ra-status", buf, len);

	check(nd_build_rs(&b, buf, sizeof(buf)), "plain");
	nd_build_opt(&b, ND_OPT_SLLA, slla, sizeof(slla));
	put("valid-rs-plain", buf, b.len);
	buf[9] = 0;
	put("bad-rs-length0", buf, b.len);
	EVP_PKEY_free(k);
	if (argc == 3)
		noded_seeds(argv[2]);
	return 0;
}
