/*
 * nd_testutil.h - what the ND unit tests share: P-256 keys and X.509
 * certificates made in memory (no files), for check_nd, check_ard and
 * check_noded.
 */
#ifndef GKEY_ND_TESTUTIL_H
#define GKEY_ND_TESTUTIL_H

#include <check.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

struct tcert {
	const char	*cn;
	int		 ca;
	const char	*ku;	/* keyUsage value or NULL */
	const char	*eku;	/* extendedKeyUsage value or NULL */
	long		 from;	/* notBefore, seconds from now */
	long		 to;	/* notAfter, seconds from now */
};

static EVP_PKEY *
t_p256(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

static void
t_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/*
 * A certificate for key, "O=gkey test, CN=s->cn", signed by ikey as
 * issuer (self-signed if NULL); the caller frees it (X509_free).
 */
static X509 *
t_cert(EVP_PKEY *key, const struct tcert *s, X509 *issuer, EVP_PKEY *ikey)
{
	static long serial = 100;
	X509 *x = X509_new();
	X509_NAME *n;

	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), s->from));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), s->to));
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"gkey test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)s->cn, -1, -1, 0);
	ck_assert_int_eq(X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : n), 1);
	ck_assert_int_eq(X509_set_pubkey(x, key), 1);
	t_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints,
	    s->ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (s->ku != NULL)
		t_ext(x, issuer != NULL ? issuer : x, NID_key_usage, s->ku);
	if (s->eku != NULL)
		t_ext(x, issuer != NULL ? issuer : x, NID_ext_key_usage,
		    s->eku);
	ck_assert_int_gt(X509_sign(x, ikey != NULL ? ikey : key,
	    EVP_sha256()), 0);
	return x;
}

static size_t
t_der(X509 *x, uint8_t *out, size_t size)
{
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);

	ck_assert_int_gt(n, 0);
	ck_assert_uint_le((size_t)n, size);
	memcpy(out, p, (size_t)n);
	OPENSSL_free(p);
	return (size_t)n;
}

#endif /* GKEY_ND_TESTUTIL_H */
