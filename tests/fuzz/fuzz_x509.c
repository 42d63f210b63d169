/*
 * fuzz_x509.c - libFuzzer harness for the certificate path of rlm_gkey and
 * gkey-enroll: a GKey-Certificate value (DER from the network) is parsed
 * and every field the module or the enrollment tool reads is extracted.
 * Nothing may crash or overrun, and each extraction either fails cleanly
 * or yields a NUL-terminated string inside its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hpke.h"
#include "x509.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	X509		*cert;
	EVP_PKEY	*pk;
	uint8_t		 fp[GKEY_X509_FP_LEN], fp2[GKEY_X509_FP_LEN];
	uint8_t		 spki[4096];
	const uint8_t	*p;
	unsigned char	*der;
	int		 der_len;
	char		 name[1024], serial[256];
	size_t		 spki_len;
	time_t		 nb, na;
	enum gkey_kem	 kem;

	/* Any non-empty input has a fingerprint; the empty one is refused. */
	if (gkey_x509_fingerprint(data, size, fp) != 0) {
		if (size != 0)
			abort();
		return 0;
	}
	if ((cert = gkey_x509_from_der(data, size)) == NULL)
		return 0;

	/*
	 * A canonically encoded certificate has one fingerprint whichever
	 * way it is computed (OpenSSL re-encodes a lax input differently).
	 */
	der = NULL;
	der_len = i2d_X509(cert, &der);
	if (der_len > 0 && (size_t)der_len == size &&
	    memcmp(der, data, size) == 0 &&
	    gkey_x509_fingerprint_cert(cert, fp2) == 0 &&
	    memcmp(fp, fp2, sizeof(fp)) != 0)
		abort();
	OPENSSL_free(der);
	if (gkey_x509_issuer(cert, name, sizeof(name)) == 0 &&
	    strlen(name) >= sizeof(name))
		abort();
	if (gkey_x509_subject(cert, name, sizeof(name)) == 0 &&
	    strlen(name) >= sizeof(name))
		abort();
	if (gkey_x509_serial_hex(cert, serial, sizeof(serial)) == 0 &&
	    strlen(serial) >= sizeof(serial))
		abort();
	(void)gkey_x509_validity(cert, &nb, &na);
	if (gkey_x509_spki_der(cert, spki, sizeof(spki), &spki_len) == 0) {
		if (spki_len > sizeof(spki))
			abort();
		/* The module turns the enrolled SPKI into a key for HPKE. */
		p = spki;
		if ((pk = d2i_PUBKEY(NULL, &p, (long)spki_len)) != NULL) {
			(void)gkey_kem_of_pkey(pk, &kem);
			EVP_PKEY_free(pk);
		}
	}
	X509_free(cert);
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
