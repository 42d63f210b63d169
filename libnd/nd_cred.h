/*
 * nd_cred.h - the credentials gkey-ard and gkey-noded start with: a PEM
 * certificate and the P-256 private key that matches it.
 *
 * Memory: what is returned belongs to the caller: an X509 (X509_free), an
 * EVP_PKEY (EVP_PKEY_free), the certificate's DER (OPENSSL_free).  On an
 * error nothing is returned and err (errlen octets) says why, naming the
 * file, for the caller's fatalx("%s", err).
 */
#ifndef GKEY_ND_CRED_H
#define GKEY_ND_CRED_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The first PEM certificate in path, or NULL. */
X509	*nd_read_cert(const char *path, char *err, size_t errlen);

/*
 * The certificate in cert_path as DER (*der, *der_len) and the P-256
 * private key in key_path that matches it (*key).  0, or -1.
 */
int	 nd_load_credentials(const char *cert_path, const char *key_path,
	    EVP_PKEY **key, uint8_t **der, size_t *der_len, char *err,
	    size_t errlen);

#endif /* GKEY_ND_CRED_H */
