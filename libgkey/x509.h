/*
 * x509.h - the certificate facts gkey stores and looks up: SHA-256
 * fingerprint, issuer and subject in X509_NAME_oneline() form, serial in
 * lower-case hex, SubjectPublicKeyInfo DER and validity.
 *
 * The forms match what FreeRADIUS 3.2 puts in TLS-Client-Cert-Issuer and
 * TLS-Client-Cert-Serial after EAP-TLS (src/main/tls.c, cbtls_verify), so
 * an identity enrolled from a PEM file is found again from an EAP-TLS
 * session.
 *
 * Pure functions over OpenSSL objects: no global state, no I/O.  They
 * write into buffers the caller owns and never truncate: a result that
 * does not fit is an error.  Every function returns 0 on success and -1 on
 * failure.
 */
#ifndef GKEY_X509_H
#define GKEY_X509_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#define GKEY_X509_FP_LEN	32

/*
 * Parse exactly len octets of DER into a certificate; trailing octets are
 * an error.  Returns a new X509 the caller frees with X509_free(), or NULL.
 */
X509	*gkey_x509_from_der(const uint8_t *der, size_t len);

/* SHA-256 of the certificate DER (what `openssl x509 -fingerprint -sha256` shows). */
int	gkey_x509_fingerprint(const uint8_t *der, size_t len, uint8_t out[GKEY_X509_FP_LEN]);

/* The same, from a parsed certificate (hashes its DER encoding). */
int	gkey_x509_fingerprint_cert(const X509 *cert, uint8_t out[GKEY_X509_FP_LEN]);

/*
 * Issuer / subject as X509_NAME_oneline() prints them, e.g.
 * "/O=gkey test/CN=gkey Devices CA", NUL-terminated in out.
 */
int	gkey_x509_issuer(const X509 *cert, char *out, size_t out_size);
int	gkey_x509_subject(const X509 *cert, char *out, size_t out_size);

/*
 * Serial number: two lower-case hex digits per octet of the INTEGER's
 * magnitude, leading zero octets kept as encoded ("1001" for 0x1001,
 * "0100" for 0x0100), exactly as FreeRADIUS prints TLS-Client-Cert-Serial.
 * The sign of a (non-conforming) negative serial is lost, as there.
 */
int	gkey_x509_serial_hex(const X509 *cert, char *out, size_t out_size);

/*
 * SubjectPublicKeyInfo DER.  With out == NULL only *out_len is set (the
 * size to allocate).  Otherwise out_size must be at least that size.
 */
int	gkey_x509_spki_der(const X509 *cert, uint8_t *out, size_t out_size, size_t *out_len);

/* notBefore / notAfter as seconds since 1970 UTC. */
int	gkey_x509_validity(const X509 *cert, time_t *not_before, time_t *not_after);

#endif /* GKEY_X509_H */
