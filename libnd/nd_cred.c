/*
 * nd_cred.c - the ND daemons' certificate and key.  See nd_cred.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "keys.h"
#include "nd_cred.h"
#include "nd_crypto.h"

X509 *
nd_read_cert(const char *path, char *err, size_t errlen)
{
	X509 *x;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL)
		snprintf(err, errlen, "%s: no PEM certificate", path);
	return x;
}

int
nd_load_credentials(const char *cert_path, const char *key_path,
    EVP_PKEY **key, uint8_t **der, size_t *der_len, char *err,
    size_t errlen)
{
	char why[256];
	unsigned char *p = NULL;
	EVP_PKEY *k = NULL;
	X509 *x;
	int n, rc = -1;

	*key = NULL;
	*der = NULL;
	*der_len = 0;
	if ((x = nd_read_cert(cert_path, err, errlen)) == NULL)
		return -1;
	if ((k = gkey_load_private_key(key_path, why, sizeof(why))) == NULL)
		snprintf(err, errlen, "%s: %s", key_path, why);
	else if (!nd_key_is_p256(k))
		snprintf(err, errlen, "%s: the key is not P-256", key_path);
	else if (X509_check_private_key(x, k) != 1)
		snprintf(err, errlen, "%s does not match %s", key_path,
		    cert_path);
	else if ((n = i2d_X509(x, &p)) <= 0)
		snprintf(err, errlen, "%s: cannot encode", cert_path);
	else {
		*key = k;
		k = NULL;
		*der = p;
		*der_len = (size_t)n;
		rc = 0;
	}
	EVP_PKEY_free(k);
	X509_free(x);
	return rc;
}
