/*
 * keys.c - loading keys from PEM files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "keys.h"
#include "errbuf.h"

/* Refuse to prompt: an encrypted key fails to load instead. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/*
 * Read a whole (small) file into a memory BIO.  The buffer may hold a
 * private key, so it is wiped once the BIO is done with it: the caller
 * passes it back to read_file_free().
 */
static BIO *
read_file(const char *path, uint8_t **bufp, size_t *lenp, char *err,
    size_t errlen)
{
	FILE	*fp;
	uint8_t	*buf;
	size_t	 len;
	BIO	*bio;

	*bufp = NULL;
	*lenp = 0;
	if (path == NULL) {
		gkey_seterr(err, errlen, "no key file given");
		return NULL;
	}
	if ((fp = fopen(path, "rb")) == NULL) {
		gkey_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = OPENSSL_secure_malloc(GKEY_PEM_MAX + 1)) == NULL) {
		fclose(fp);
		gkey_seterr(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	len = fread(buf, 1, GKEY_PEM_MAX + 1, fp);
	if (ferror(fp)) {
		gkey_seterr(err, errlen, "%s: read error", path);
		goto fail;
	}
	if (len > GKEY_PEM_MAX) {
		gkey_seterr(err, errlen, "%s: larger than %d octets", path,
		    GKEY_PEM_MAX);
		goto fail;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		gkey_seterr(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	fclose(fp);
	*bufp = buf;
	*lenp = len;
	return bio;
fail:
	fclose(fp);
	OPENSSL_secure_clear_free(buf, GKEY_PEM_MAX + 1);
	return NULL;
}

static void
read_file_free(BIO *bio, uint8_t *buf)
{
	BIO_free(bio);
	if (buf != NULL)
		OPENSSL_secure_clear_free(buf, GKEY_PEM_MAX + 1);
}

/* The deepest OpenSSL reason, for the error message; clears the queue. */
static const char *
ossl_reason(void)
{
	unsigned long	 e = ERR_peek_last_error();
	const char	*r = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r != NULL ? r : "no PEM key found";
}

EVP_PKEY *
gkey_load_private_key(const char *path, char *err, size_t errlen)
{
	EVP_PKEY	*pk;
	uint8_t		*buf;
	size_t		 len;
	unsigned long	 e;
	BIO		*bio;

	if ((bio = read_file(path, &buf, &len, err, errlen)) == NULL)
		return NULL;
	pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (pk == NULL) {
		e = ERR_peek_last_error();
		if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
		    ERR_GET_REASON(e) == PEM_R_BAD_PASSWORD_READ) {
			ERR_clear_error();
			gkey_seterr(err, errlen, "%s: encrypted private keys are "
			    "not supported", path);
		} else
			gkey_seterr(err, errlen, "%s: no PRIVATE KEY PEM block "
			    "or unreadable key (%s)", path, ossl_reason());
	}
	read_file_free(bio, buf);
	return pk;
}

/* A new key holding only the public half of pk. */
static EVP_PKEY *
public_part(EVP_PKEY *pk)
{
	uint8_t		*der = NULL;
	const uint8_t	*p;
	EVP_PKEY	*pub = NULL;
	int		 len;

	if ((len = i2d_PUBKEY(pk, &der)) <= 0)
		return NULL;
	p = der;
	pub = d2i_PUBKEY(NULL, &p, len);
	OPENSSL_free(der);
	return pub;
}

EVP_PKEY *
gkey_load_public_key(const char *path, char *err, size_t errlen)
{
	EVP_PKEY	*pk = NULL, *priv;
	X509		*cert;
	uint8_t		*buf;
	size_t		 len;
	BIO		*bio;

	if ((bio = read_file(path, &buf, &len, err, errlen)) == NULL)
		return NULL;

	if ((pk = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL)) != NULL)
		goto done;
	ERR_clear_error();
	(void)BIO_reset(bio);
	if ((cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) !=
	    NULL) {
		pk = X509_get_pubkey(cert);
		X509_free(cert);
		if (pk == NULL)
			gkey_seterr(err, errlen, "%s: certificate key unreadable "
			    "(%s)", path, ossl_reason());
		goto done;
	}
	ERR_clear_error();
	(void)BIO_reset(bio);
	if ((priv = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
	    NULL)) != NULL) {
		pk = public_part(priv);
		EVP_PKEY_free(priv);
		if (pk == NULL)
			gkey_seterr(err, errlen, "%s: cannot take the public part "
			    "of the private key (%s)", path, ossl_reason());
		goto done;
	}
	ERR_clear_error();
	gkey_seterr(err, errlen, "%s: no PUBLIC KEY, CERTIFICATE or PRIVATE KEY "
	    "PEM block", path);
done:
	ERR_clear_error();
	read_file_free(bio, buf);
	return pk;
}
