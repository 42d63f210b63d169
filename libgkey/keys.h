/*
 * keys.h - loading keys from PEM files.
 *
 * Both loaders return a new EVP_PKEY that the caller frees with
 * EVP_PKEY_free(), or NULL with a one-line reason in err (err may be
 * NULL).  Encrypted private keys are refused rather than prompting for a
 * passphrase: these keys are read by daemons.  Key types are not
 * restricted here; callers check them (gkey_kem_of_pkey()).
 */
#ifndef GKEY_KEYS_H
#define GKEY_KEYS_H

#include <stddef.h>

#include <openssl/evp.h>

/* Largest PEM file read. */
#define GKEY_PEM_MAX	(64 * 1024)

/* A private key from a PEM file (PKCS#8, or "EC PRIVATE KEY"). */
EVP_PKEY	*gkey_load_private_key(const char *path, char *err,
		    size_t errlen);

/*
 * A public key from a PEM file holding a PUBLIC KEY, a certificate (its
 * subject key) or a private key (only its public part is kept), tried in
 * that order on the first matching PEM block.
 */
EVP_PKEY	*gkey_load_public_key(const char *path, char *err,
		    size_t errlen);

#endif /* GKEY_KEYS_H */
