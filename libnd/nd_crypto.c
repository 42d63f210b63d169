/*
 * nd_crypto.c - signatures and certificate checks of doc/nd.md section 3.
 * See nd_crypto.h.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "errbuf.h"
#include "nd_crypto.h"
#include "x509.h"

/* printf 'gkey nd signature v1' | openssl dgst -sha256, first half. */
const uint8_t nd_sig_tag[ND_SIG_TAG_LEN] = {
	0x4e, 0xe1, 0xe4, 0x56, 0xc4, 0x52, 0xb1, 0xde,
	0xb6, 0xff, 0x2c, 0x99, 0x69, 0xbc, 0x3e, 0xde
};

static const uint8_t zero2[2];

int
nd_key_is_p256(const EVP_PKEY *key)
{
	char name[32];
	size_t n = 0;

	if (key == NULL || !EVP_PKEY_is_a(key, "EC"))
		return 0;
	if (EVP_PKEY_get_group_name(key, name, sizeof(name), &n) != 1)
		return 0;
	return strcmp(name, SN_X9_62_prime256v1) == 0;
}

int
nd_sig_input(const uint8_t src[16], const uint8_t dst[16],
    const uint8_t *msg, size_t signed_len, uint8_t *out, size_t outsize,
    size_t *outlen)
{
	size_t need = ND_SIG_TAG_LEN + 32 + signed_len;

	if (src == NULL || dst == NULL || msg == NULL || out == NULL ||
	    signed_len < 4)
		return ND_E_ARG;
	if (outsize < need)
		return ND_E_NOSPACE;
	memcpy(out, nd_sig_tag, ND_SIG_TAG_LEN);
	memcpy(out + 16, src, 16);
	memcpy(out + 32, dst, 16);
	memcpy(out + 48, msg, signed_len);
	memset(out + 48 + 2, 0, 2);
	*outlen = need;
	return 0;
}

/* Feed the signed data to a DigestSign or DigestVerify context. */
static int
sig_update(EVP_MD_CTX *ctx, int verify, const uint8_t *src,
    const uint8_t *dst, const uint8_t *msg, size_t signed_len)
{
	int (*upd)(EVP_MD_CTX *, const void *, size_t) =
	    verify ? EVP_DigestVerifyUpdate : EVP_DigestSignUpdate;

	return upd(ctx, nd_sig_tag, ND_SIG_TAG_LEN) == 1 &&
	    upd(ctx, src, 16) == 1 && upd(ctx, dst, 16) == 1 &&
	    upd(ctx, msg, 2) == 1 && upd(ctx, zero2, 2) == 1 &&
	    upd(ctx, msg + 4, signed_len - 4) == 1;
}

int
nd_sig_der_to_raw(const uint8_t *der, size_t der_len, uint8_t raw[ND_SIG_LEN])
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	int rc = ND_E_CRYPTO;

	if (der == NULL || der_len > LONG_MAX)
		return ND_E_ARG;
	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL)
		return ND_E_CRYPTO;
	if (p != der + der_len)
		goto finish;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) != 32)
		goto finish;
	rc = 0;
finish:
	ECDSA_SIG_free(sig);
	return rc;
}

int
nd_sig_raw_to_der(const uint8_t raw[ND_SIG_LEN], uint8_t **der,
    size_t *der_len)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *out = NULL;
	int n, rc = ND_E_CRYPTO;

	*der = NULL;
	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(raw, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(raw + 32, 32, NULL)) == NULL)
		goto finish;
	if (ECDSA_SIG_set0(sig, r, s) != 1)
		goto finish;
	r = s = NULL;		/* owned by sig now */
	if ((n = i2d_ECDSA_SIG(sig, &out)) <= 0)
		goto finish;
	*der = out;
	*der_len = (size_t)n;
	rc = 0;
finish:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return rc;
}

int
nd_sign_finish(struct nd_builder *b, EVP_PKEY *key, const uint8_t src[16],
    const uint8_t dst[16], size_t *len)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t der[80], raw[ND_SIG_LEN];
	size_t der_len = sizeof(der);
	int rc;

	if (b->error != 0)
		return b->error;
	if (src == NULL || dst == NULL || len == NULL || b->len < 4)
		return b->error = ND_E_ARG;
	if (!nd_key_is_p256(key))
		return b->error = ND_E_KEY;
	if (nd_build_room(b) < ND_SIG_OPT_LEN)
		return b->error = ND_E_NOSPACE;
	rc = ND_E_CRYPTO;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    !sig_update(ctx, 0, src, dst, b->buf, b->len) ||
	    EVP_DigestSignFinal(ctx, der, &der_len) != 1)
		goto finish;
	if ((rc = nd_sig_der_to_raw(der, der_len, raw)) != 0)
		goto finish;
	if ((rc = nd_build_gkey(b, ND_GK_SIGNATURE, raw, sizeof(raw))) != 0)
		goto finish;
	*len = b->len;
finish:
	EVP_MD_CTX_free(ctx);
	if (rc != 0)
		b->error = rc;
	return rc;
}

int
nd_msg_verify(const struct nd_msg *m, EVP_PKEY *key, const uint8_t src[16],
    const uint8_t dst[16], char *err, size_t errlen)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc, v;

	if (m == NULL || m->sig == NULL || src == NULL || dst == NULL ||
	    m->sig_offset < 4)
		return gkey_fail(err, errlen, ND_E_ARG,
		    "no Signature to verify");
	if (!nd_key_is_p256(key))
		return gkey_fail(err, errlen, ND_E_KEY, "key is not P-256");
	if ((rc = nd_sig_raw_to_der(m->sig, &der, &der_len)) != 0)
		return gkey_fail(err, errlen, rc,
		    "cannot encode the signature");
	rc = ND_E_CRYPTO;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    !sig_update(ctx, 1, src, dst, m->buf, m->sig_offset)) {
		gkey_fail(err, errlen, rc, "cannot start the verification");
		goto finish;
	}
	v = EVP_DigestVerifyFinal(ctx, der, der_len);
	if (v != 1) {
		rc = gkey_fail(err, errlen, ND_E_BADSIG,
		    "signature does not verify");
		goto finish;
	}
	rc = 0;
finish:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return rc;
}

EVP_PKEY *
nd_cert_p256_key(const uint8_t *der, size_t len, X509 **cert, int *code,
    char *err, size_t errlen)
{
	X509 *x;
	EVP_PKEY *key = NULL;
	int c = ND_E_CERT;

	if (cert != NULL)
		*cert = NULL;
	if ((x = gkey_x509_from_der(der, len)) == NULL) {
		gkey_fail(err, errlen, c, "certificate is not one DER X.509 "
		    "certificate");
		goto finish;
	}
	if ((key = X509_get_pubkey(x)) == NULL) {
		gkey_fail(err, errlen, c, "certificate key cannot be decoded");
		goto finish;
	}
	if (!nd_key_is_p256(key)) {
		c = gkey_fail(err, errlen, ND_E_KEY, "certificate key is not "
		    "P-256");
		EVP_PKEY_free(key);
		key = NULL;
		goto finish;
	}
	c = 0;
	if (cert != NULL) {
		*cert = x;
		x = NULL;
	}
finish:
	ERR_clear_error();
	X509_free(x);
	if (code != NULL)
		*code = c;
	return key;
}

/* notBefore <= now < notAfter. */
static int
within_validity(X509 *x, time_t now, const char *who, char *err,
    size_t errlen)
{
	time_t t = now;

	if (X509_cmp_time(X509_get0_notBefore(x), &t) >= 0)
		return gkey_fail(err, errlen, ND_E_CERT, "%s is not yet valid",
		    who);
	if (X509_cmp_time(X509_get0_notAfter(x), &t) <= 0)
		return gkey_fail(err, errlen, ND_E_CERT, "%s has expired", who);
	return 0;
}

static int
has_send_router(X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	int i, found = 0;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	if (eku == NULL)
		return 0;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) ==
		    NID_sendRouter)
			found = 1;
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

/* The anchor as an issuer: a CA, in its validity, that signed cert. */
static int
issued_by(X509 *cert, X509 *anchor, time_t now, char *err, size_t errlen)
{
	uint32_t flags = X509_get_extension_flags(anchor);
	EVP_PKEY *akey;
	int rc;

	if (X509_NAME_cmp(X509_get_issuer_name(cert),
	    X509_get_subject_name(anchor)) != 0)
		return gkey_fail(err, errlen, ND_E_CERT,
		    "AR certificate is not "
		    "issued by the trust anchor (issuer name differs)");
	if ((flags & EXFLAG_INVALID) || !(flags & EXFLAG_CA))
		return gkey_fail(err, errlen, ND_E_CERT,
		    "trust anchor is not a CA "
		    "(basicConstraints)");
	if ((flags & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(anchor) & KU_KEY_CERT_SIGN))
		return gkey_fail(err, errlen, ND_E_CERT,
		    "trust anchor keyUsage "
		    "lacks keyCertSign");
	if ((rc = within_validity(anchor, now, "trust anchor", err,
	    errlen)) != 0)
		return rc;
	if ((akey = X509_get0_pubkey(anchor)) == NULL ||
	    X509_verify(cert, akey) != 1)
		return gkey_fail(err, errlen, ND_E_CERT,
		    "AR certificate signature "
		    "does not verify under the trust anchor key");
	return 0;
}

int
nd_ar_cert_check(X509 *cert, X509 *anchor, time_t now, char *err,
    size_t errlen)
{
	uint32_t flags;
	int rc;

	if (cert == NULL || anchor == NULL)
		return gkey_fail(err, errlen, ND_E_ARG,
		    "no certificate or anchor");
	flags = X509_get_extension_flags(cert);
	if (flags & EXFLAG_INVALID) {
		rc = gkey_fail(err, errlen, ND_E_CERT, "AR certificate has an "
		    "undecodable extension");
		goto finish;
	}
	if (X509_cmp(cert, anchor) != 0 &&
	    (rc = issued_by(cert, anchor, now, err, errlen)) != 0)
		goto finish;
	if ((rc = within_validity(cert, now, "AR certificate", err,
	    errlen)) != 0)
		goto finish;
	rc = ND_E_CERT;
	if (flags & EXFLAG_CRITICAL) {
		gkey_fail(err, errlen, rc, "AR certificate has an unhandled "
		    "critical extension");
		goto finish;
	}
	if ((flags & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE)) {
		gkey_fail(err, errlen, rc, "AR certificate keyUsage lacks "
		    "digitalSignature");
		goto finish;
	}
	if (!(flags & EXFLAG_XKUSAGE) || !has_send_router(cert)) {
		gkey_fail(err, errlen, rc,
		    "AR certificate lacks id-kp-sendRouter "
		    "in extendedKeyUsage");
		goto finish;
	}
	if (!nd_key_is_p256(X509_get0_pubkey(cert))) {
		rc = gkey_fail(err, errlen, ND_E_KEY,
		    "AR certificate key is not "
		    "P-256");
		goto finish;
	}
	rc = 0;
finish:
	ERR_clear_error();
	return rc;
}
