/*
 * x509.c - certificate facts for enrollment and lookup (see x509.h).
 */
#include <limits.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "x509.h"

X509 *
gkey_x509_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *cert;

	if (!der || len == 0 || len > (size_t)LONG_MAX) return NULL;
	cert = d2i_X509(NULL, &p, (long)len);
	if (cert && p != der + len) {
		/* A certificate followed by anything else is not "the" certificate. */
		X509_free(cert);
		return NULL;
	}
	return cert;
}

int
gkey_x509_fingerprint(const uint8_t *der, size_t len, uint8_t out[GKEY_X509_FP_LEN])
{
	unsigned int n = 0;

	if (!der || len == 0) return -1;
	if (EVP_Digest(der, len, out, &n, EVP_sha256(), NULL) != 1 || n != GKEY_X509_FP_LEN) return -1;
	return 0;
}

int
gkey_x509_fingerprint_cert(const X509 *cert, uint8_t out[GKEY_X509_FP_LEN])
{
	unsigned char *der = NULL;
	int len, rc;

	if (!cert) return -1;
	len = i2d_X509(cert, &der);
	if (len <= 0) return -1;
	rc = gkey_x509_fingerprint(der, (size_t)len, out);
	OPENSSL_free(der);
	return rc;
}

/*
 * X509_NAME_oneline() into a caller's buffer truncates silently; with a NULL
 * buffer it allocates the whole line, so a name that does not fit is seen.
 */
static int
name_oneline(const X509_NAME *name, char *out, size_t out_size)
{
	char *line;
	size_t len;

	if (!name || !out || out_size == 0) return -1;
	out[0] = '\0';
	line = X509_NAME_oneline(name, NULL, 0);
	if (!line) return -1;
	len = strlen(line);
	if (len >= out_size) {
		OPENSSL_free(line);
		return -1;
	}
	memcpy(out, line, len + 1);
	OPENSSL_free(line);
	return 0;
}

int
gkey_x509_issuer(const X509 *cert, char *out, size_t out_size)
{
	if (!cert) return -1;
	return name_oneline(X509_get_issuer_name(cert), out, out_size);
}

int
gkey_x509_subject(const X509 *cert, char *out, size_t out_size)
{
	if (!cert) return -1;
	return name_oneline(X509_get_subject_name(cert), out, out_size);
}

int
gkey_x509_serial_hex(const X509 *cert, char *out, size_t out_size)
{
	static const char digits[] = "0123456789abcdef";
	const ASN1_INTEGER *sn;
	const unsigned char *data;
	int i, len;

	if (!cert || !out || out_size == 0) return -1;
	out[0] = '\0';
	sn = X509_get0_serialNumber(cert);
	if (!sn) return -1;
	data = ASN1_STRING_get0_data(sn);
	len = ASN1_STRING_length(sn);
	if (len <= 0 || !data || (size_t)len > (out_size - 1) / 2) return -1;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return 0;
}

int
gkey_x509_spki_der(const X509 *cert, uint8_t *out, size_t out_size, size_t *out_len)
{
	const X509_PUBKEY *pub;
	unsigned char *p;
	int len;

	if (!cert || !out_len) return -1;
	pub = X509_get_X509_PUBKEY(cert);
	if (!pub) return -1;
	len = i2d_X509_PUBKEY(pub, NULL);
	if (len <= 0) return -1;
	*out_len = (size_t)len;
	if (!out) return 0;
	if ((size_t)len > out_size) return -1;
	p = out;
	if (i2d_X509_PUBKEY(pub, &p) != len) return -1;
	return 0;
}

/* Seconds from 1970-01-01T00:00:00Z to t, without timegm() or the local zone. */
static int
asn1_time_to_epoch(const ASN1_TIME *t, time_t *out)
{
	ASN1_TIME *epoch;
	int days = 0, secs = 0, ok;

	if (!t || ASN1_TIME_check(t) != 1) return -1;
	epoch = ASN1_TIME_set(NULL, 0);
	if (!epoch) return -1;
	ok = ASN1_TIME_diff(&days, &secs, epoch, t);
	ASN1_TIME_free(epoch);
	if (ok != 1) return -1;
	*out = (time_t)days * 86400 + (time_t)secs;
	return 0;
}

int
gkey_x509_validity(const X509 *cert, time_t *not_before, time_t *not_after)
{
	if (!cert || !not_before || !not_after) return -1;
	if (asn1_time_to_epoch(X509_get0_notBefore(cert), not_before) < 0) return -1;
	if (asn1_time_to_epoch(X509_get0_notAfter(cert), not_after) < 0) return -1;
	return 0;
}
