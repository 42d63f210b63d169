/*
 * seal-bench.c - what sealing one Key Record costs against the public-key
 * primitives it cannot avoid, measured side by side in one process.
 *
 * HPKE Auth mode needs one ephemeral key generation and two ECDH
 * derivations; everything else (HKDF, AES-128-GCM, the header) should be
 * noise next to them.  Each round times N primitive sets and N record
 * seals per curve, alternating which goes first, and the result is the
 * median over rounds of seal / primitives: a ratio, so that a loaded
 * machine slows both sides alike.
 *
 * The seal is what rlm_gkey does per record: seal an AES-128 GK for an
 * 11-octet application name to the enrolled key's SubjectPublicKeyInfo
 * (decoding it included) with the key server's static key, prepared
 * once, and the module's HPKE context (gkey_record_seal_spki()).  The same
 * with d2i_PUBKEY() and the one-shot gkey_record_seal(), as callers
 * without a context do, is measured alongside ("seal-CURVE-oneshot").
 * The
 * primitives are done with the same OpenSSL calls at their cheapest: a
 * key generation context made once, a derivation context per fresh key
 * and one reused for the static key, and no second validation of the
 * peer key (decoding it checked the point is on the curve, which for
 * P-256, of cofactor 1, is all there is to check).
 *
 * Usage: seal-bench [-n ITERATIONS_PER_ROUND] [-r ROUNDS]
 * Prints "RESULT seal-p256 ratio=R ..." and "RESULT seal-x25519 ...",
 * then the same for the one-shot path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hpke.h"
#include "keyrecord.h"

#define MAX_ROUNDS	101
#define APP_NAME	"home-energy"	/* 11 octets, as in the tests */

struct curve {
	const char	*name;		/* for the RESULT line */
	enum gkey_kem	 kem;
	EVP_PKEY	*server;	/* key server's static private key */
	EVP_PKEY	*node;		/* node's public key */
	uint8_t		*spki;		/* node's SPKI DER, as enrolled */
	int		 spki_len;
	EVP_PKEY_CTX	*gen;		/* keygen context, made once */
	EVP_PKEY_CTX	*stat;		/* derive context of the static key */
	struct gkey_record_sender sender;	/* server, prepared once */
};

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void
die(const char *what)
{
	fprintf(stderr, "seal-bench: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static EVP_PKEY *
keygen(enum gkey_kem kem)
{
	EVP_PKEY	*pk = kem == GKEY_KEM_P256 ?
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256") :
	    EVP_PKEY_Q_keygen(NULL, NULL, "X25519");

	if (pk == NULL)
		die("key generation");
	return pk;
}

static void
curve_init(struct curve *c, const char *name, enum gkey_kem kem)
{
	EVP_PKEY	*node_priv;
	const uint8_t	*p;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->kem = kem;
	c->server = keygen(kem);
	node_priv = keygen(kem);
	c->spki = NULL;
	if ((c->spki_len = i2d_PUBKEY(node_priv, &c->spki)) <= 0)
		die("i2d_PUBKEY");
	p = c->spki;
	if ((c->node = d2i_PUBKEY(NULL, &p, c->spki_len)) == NULL)
		die("d2i_PUBKEY");
	EVP_PKEY_free(node_priv);
	if (gkey_record_sender_init(&c->sender, c->server) != 0)
		die("gkey_record_sender_init");

	if ((c->gen = EVP_PKEY_CTX_new_from_pkey(NULL, c->server,
	    NULL)) == NULL || EVP_PKEY_keygen_init(c->gen) != 1)
		die("keygen context");
	if ((c->stat = EVP_PKEY_CTX_new_from_pkey(NULL, c->server,
	    NULL)) == NULL || EVP_PKEY_derive_init(c->stat) != 1)
		die("derive context");
}

static void
curve_free(struct curve *c)
{
	EVP_PKEY_CTX_free(c->gen);
	EVP_PKEY_CTX_free(c->stat);
	EVP_PKEY_free(c->server);
	EVP_PKEY_free(c->node);
	OPENSSL_free(c->spki);
}

/* One key generation and two derivations, at their cheapest. */
static void
primitives_once(struct curve *c)
{
	EVP_PKEY	*eph = NULL;
	EVP_PKEY_CTX	*d;
	uint8_t		 z[64];
	size_t		 len;

	if (EVP_PKEY_generate(c->gen, &eph) != 1)
		die("EVP_PKEY_generate");
	if ((d = EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL)) == NULL ||
	    EVP_PKEY_derive_init(d) != 1 ||
	    EVP_PKEY_derive_set_peer_ex(d, c->node, 0) != 1 ||
	    (len = sizeof(z), EVP_PKEY_derive(d, z, &len)) != 1)
		die("ephemeral derive");
	EVP_PKEY_CTX_free(d);
	len = sizeof(z);
	if (EVP_PKEY_derive_set_peer_ex(c->stat, c->node, 0) != 1 ||
	    EVP_PKEY_derive(c->stat, z, &len) != 1)
		die("static derive");
	OPENSSL_cleanse(z, sizeof(z));
	EVP_PKEY_free(eph);
}

static struct gkey_hpke_ctx	*hpke;

/*
 * One Key Record, as rlm_gkey seals it per request (oneshot = 0) or as a
 * caller without a context would (oneshot = 1).
 */
static void
seal_once(struct curve *c, int oneshot, const uint8_t *gk, uint8_t *out,
    size_t *out_len)
{
	struct gkey_record_meta	 meta;
	EVP_PKEY		*recipient;
	const uint8_t		*p = c->spki;
	char			 err[128];
	int			 rc;

	memset(&meta, 0, sizeof(meta));
	meta.app_id = 7;
	meta.epoch = 3;
	meta.not_before = 1700000000;
	meta.not_after = 1700086400;
	meta.gk_alg = GKEY_GK_AES128;
	meta.name = APP_NAME;
	meta.name_len = sizeof(APP_NAME) - 1;
	if (oneshot) {
		if ((recipient = d2i_PUBKEY(NULL, &p, c->spki_len)) == NULL)
			die("d2i_PUBKEY");
		rc = gkey_record_seal(&meta, gk, 16, recipient, c->server, out,
		    GKEY_RECORD_MAX_LEN, out_len, err, sizeof(err));
		EVP_PKEY_free(recipient);
	} else
		rc = gkey_record_seal_spki(hpke, &meta, gk, 16, c->spki,
		    (size_t)c->spki_len, &c->sender, out, GKEY_RECORD_MAX_LEN,
		    out_len, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "seal-bench: %s\n", err);
		exit(1);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
time_primitives(struct curve *c, int n)
{
	double	t0 = now_us();
	int	i;

	for (i = 0; i < n; i++)
		primitives_once(c);
	return (now_us() - t0) / n;
}

static double
time_seal(struct curve *c, int oneshot, int n, const uint8_t *gk)
{
	uint8_t	rec[GKEY_RECORD_MAX_LEN];
	size_t	len;
	double	t0 = now_us();
	int	i;

	for (i = 0; i < n; i++)
		seal_once(c, oneshot, gk, rec, &len);
	if (len != gkey_record_len(c->kem == GKEY_KEM_P256 ? GKEY_SUITE_P256 :
	    GKEY_SUITE_X25519, GKEY_GK_AES128, sizeof(APP_NAME) - 1))
		die("record length");
	return (now_us() - t0) / n;
}

int
main(int argc, char **argv)
{
	static struct curve	curves[2];
	/* [curve][0: with the context, 1: one-shot] */
	double			prim[2][MAX_ROUNDS], seal[2][2][MAX_ROUNDS];
	double			ratio[2][2][MAX_ROUNDS];
	uint8_t			gk[16];
	int			n = 1000, rounds = 11, opt, r, k, o;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: seal-bench [-n ITERATIONS] "
			    "[-r ROUNDS]\n");
			return 2;
		}
	}
	if (n < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "seal-bench: -n >= 1, 1 <= -r <= %d\n",
		    MAX_ROUNDS);
		return 2;
	}
	memset(gk, 0x5a, sizeof(gk));
	if ((hpke = gkey_hpke_ctx_new(NULL, NULL)) == NULL)
		die("gkey_hpke_ctx_new");
	curve_init(&curves[0], "p256", GKEY_KEM_P256);
	curve_init(&curves[1], "x25519", GKEY_KEM_X25519);

	/* Warm-up: first fetches, page faults, CPU frequency. */
	for (k = 0; k < 2; k++) {
		(void)time_primitives(&curves[k], n / 10 + 1);
		(void)time_seal(&curves[k], 0, n / 10 + 1, gk);
		(void)time_seal(&curves[k], 1, n / 10 + 1, gk);
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 2; k++) {
			/* Alternate the order so neither side runs warmer. */
			if (r % 2 == 0) {
				prim[k][r] = time_primitives(&curves[k], n);
				seal[k][0][r] = time_seal(&curves[k], 0, n, gk);
				seal[k][1][r] = time_seal(&curves[k], 1, n, gk);
			} else {
				seal[k][1][r] = time_seal(&curves[k], 1, n, gk);
				seal[k][0][r] = time_seal(&curves[k], 0, n, gk);
				prim[k][r] = time_primitives(&curves[k], n);
			}
			for (o = 0; o < 2; o++)
				ratio[k][o][r] = seal[k][o][r] / prim[k][r];
		}
	}

	printf("%d rounds of %d iterations, OpenSSL %s\n", rounds, n,
	    OpenSSL_version(OPENSSL_VERSION_STRING));
	for (o = 0; o < 2; o++) {
		for (k = 0; k < 2; k++) {
			double	rm = median(ratio[k][o], rounds);
			double	sm = median(seal[k][o], rounds);
			double	pm = median(prim[k], rounds);

			printf("RESULT seal-%s%s ratio=%.2f seal_us=%.1f "
			    "primitives_us=%.1f\n", curves[k].name,
			    o ? "-oneshot" : "", rm, sm, pm);
		}
	}
	curve_free(&curves[0]);
	curve_free(&curves[1]);
	gkey_hpke_ctx_free(hpke);
	return 0;
}
