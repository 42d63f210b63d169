/*
 * gen_cose_corpus.c - writes the seed corpus of fuzz_cose.c: messages
 * sealed under its two GKs (AES-128 epoch 1, AES-256 epoch 2), one under
 * an epoch it does not hold, and a few broken ones.
 *
 *   cc -Ilibcose -Ilibgkey -Itests/fuzz tests/fuzz/gen_cose_corpus.c \
 *       libcose/cose.c libcose/cose_keys.c libgkey/hex.c -lcbor -lcrypto \
 *       -o gen && ./gen tests/fuzz/corpus/cose
 */
#include <stdio.h>
#include <string.h>

#define GKEY_FUZZ_CORPUS_ONLY
#include "fuzz_cose.c"

static void
put(const char *dir, const char *name, const uint8_t *m, size_t len)
{
	char	path[512];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL || fwrite(m, 1, len, fp) != len) {
		perror(path);
		exit(1);
	}
	fclose(fp);
}

int
main(int argc, char **argv)
{
	static const uint8_t sender[GKEY_COSE_SENDER_LEN] = { 1, 2, 3, 4, 5, 6, 7 };
	struct gkey_cose_keys	keys;
	struct gkey_cose_key	other;
	struct gkey_reading	r;
	uint8_t			m[GKEY_COSE_MSG_MAX];
	size_t			len;

	if (argc != 2)
		return 2;
	fuzz_keys(&keys);
	memset(&r, 0, sizeof(r));
	strcpy(r.name, "sensor-1");
	r.time = FUZZ_NOW;
	r.ivalue = 21;
	strcpy(r.unit, "Cel");
	if (gkey_cose_seal(&r, &keys.key[0], sender, 1, m, sizeof(m), &len))
		return 1;
	put(argv[1], "aes128-int", m, len);
	m[len - 1] ^= 1;
	put(argv[1], "aes128-bad-tag", m, len);
	put(argv[1], "aes128-truncated", m, len / 2);
	r.is_float = 1;
	r.fvalue = 21.5;
	if (gkey_cose_seal(&r, &keys.key[1], sender, 0x123456789aULL, m,
	    sizeof(m), &len))
		return 1;
	put(argv[1], "aes256-float", m, len);
	other = keys.key[0];
	other.epoch = 9;
	if (gkey_cose_seal(&r, &other, sender, 1, m, sizeof(m), &len))
		return 1;
	put(argv[1], "unknown-kid", m, len);
	return 0;
}
