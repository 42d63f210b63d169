/*
 * gen_corpus.c - writes the key record seed corpus: records the fuzzer's
 * node opens (both curves, both GK algorithms) and a few that it must
 * refuse.  Run from the source tree:
 *
 *   cc -Ilibgkey -Itests/fuzz libgkey/[a-z]*.c tests/fuzz/gen_corpus.c
 *       -lcrypto -o gen_corpus; ./gen_corpus tests/fuzz/corpus/keyrecord
 *
 * The output differs on each run (fresh ephemeral keys); the committed
 * files are one such run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fuzz_keys.h"
#include "keyrecord.h"
#include "gen_put.h"

static size_t
seal(EVP_PKEY *node, EVP_PKEY *server, enum gkey_gk_alg alg,
    const char *name, uint64_t nb, uint64_t na, uint8_t *out)
{
	struct gkey_record_meta	m;
	uint8_t			gk[32];
	size_t			len;
	char			err[256];

	memset(gk, 0x5a, sizeof(gk));
	memset(&m, 0, sizeof(m));
	m.app_id = 7;
	m.epoch = 1;
	m.not_before = nb;
	m.not_after = na;
	m.gk_alg = alg;
	m.name = name;
	m.name_len = strlen(name);
	if (gkey_record_seal(&m, gk, gkey_gk_alg_len(alg), node, server, out,
	    GKEY_RECORD_MAX_LEN, &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "seal: %s\n", err);
		exit(1);
	}
	return len;
}

int
main(int argc, char *argv[])
{
	struct fuzz_keys	 k;
	EVP_PKEY		*rogue;
	uint8_t			 r[GKEY_RECORD_MAX_LEN + 1];
	size_t			 len;
	const uint64_t		 nb = FUZZ_NOW - 100, na = FUZZ_NOW + 86400;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	outdir = argv[1];
	if (fuzz_keys_load(&k) != 0)
		return 1;

	len = seal(k.node_p256, k.servers[0], GKEY_GK_AES128,
	    "hvac-floor-3-abc", nb, na, r);
	put("valid-p256-aes128", r, len);
	len = seal(k.node_p256, k.servers[0], GKEY_GK_AES256, "home-energy",
	    nb, na, r);
	put("valid-p256-aes256", r, len);
	len = seal(k.node_x25519, k.servers[1], GKEY_GK_AES128,
	    "hvac-floor-3-abc", nb, na, r);
	put("valid-x25519-aes128", r, len);
	len = seal(k.node_x25519, k.servers[1], GKEY_GK_AES256,
	    "K\xc3\xbc" "che-\xe2\x82\xac", nb, na, r);
	put("valid-x25519-aes256-utf8", r, len);

	len = seal(k.node_x25519, k.servers[1], GKEY_GK_AES128, "old",
	    nb - 86400, nb, r);
	put("expired-x25519", r, len);
	len = seal(k.node_p256, k.servers[0], GKEY_GK_AES128, "future",
	    na, na + 86400, r);
	put("not-yet-valid-p256", r, len);

	if ((rogue = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL)
		return 1;
	len = seal(k.node_x25519, rogue, GKEY_GK_AES128, "rogue", nb, na, r);
	put("unknown-sender-x25519", r, len);
	EVP_PKEY_free(rogue);

	len = seal(k.node_p256, k.servers[0], GKEY_GK_AES128, "tampered",
	    nb, na, r);
	r[len - 1] ^= 0x01;
	put("bad-tag-p256", r, len);
	put("truncated-header", r, 43);
	r[0] = 2;
	put("version-2", r, len);
	r[0] = 1;
	r[len] = 0;
	put("one-octet-long", r, len + 1);

	EVP_PKEY_free(k.node_p256);
	EVP_PKEY_free(k.node_x25519);
	EVP_PKEY_free(k.servers[0]);
	EVP_PKEY_free(k.servers[1]);
	return 0;
}
