/*
 * fuzz_noded.c - libFuzzer harness for gkey-noded's RA path
 * (node/noded_core.c over libnd): the checks of an RA against the trust
 * anchor and the assembly of parts.
 *
 * The input is an RA as received from fe80::a by fe80::1.  The anchor is
 * the fixed test CA of fuzz_nd_keys.h, so seeds signed with its router
 * key pass; the RA's own Timestamp is taken as the current time.  A
 * verified part goes into one assembly table that lives across inputs;
 * a completed answer is walked part by part, as gkey-noded does.
 *
 * Built with -fsanitize=fuzzer it is a libFuzzer target; with
 * -DGKEY_FUZZ_STANDALONE it replays files (fuzz_standalone.h).  Seeds:
 * corpus/noded (gen_nd_corpus.c).
 */
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "fuzz_nd_keys.h"
#include "nd_msg.h"
#include "noded_core.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct noded_trust trust;
static struct noded_asm_table asms;

static void
init(void)
{
	BIO *b = BIO_new_mem_buf(fuzz_nd_anchor_pem, -1);

	if (b == NULL ||
	    (trust.anchor = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL)
		abort();
	BIO_free(b);
	trust.window = 300;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct in6_addr ar = { { { 0xfe, 0x80, [15] = 0xa } } };
	static const struct in6_addr node = { { { 0xfe, 0x80, [15] = 1 } } };
	static uint64_t clock_ms;
	struct noded_asm *done;
	struct nd_msg m, p;
	char err[NODED_ERRLEN];
	uint64_t now = 0;
	size_t i;

	if (trust.anchor == NULL)
		init();
	if (nd_msg_parse(data, size, &m, NULL, 0) == 0 && m.has_timestamp)
		now = m.timestamp;
	if (noded_ra_check(&trust, data, size, 255, &ar, &node, now,
	    (time_t)(now >> 16), &m, err, sizeof(err)) != NODED_RA_OK)
		return 0;
	if (noded_asm_add(&asms, &ar, &m, ++clock_ms, &done, err,
	    sizeof(err)) != 1)
		return 0;
	for (i = 0; i < done->count; i++)
		if (done->len[i] == 0 || nd_msg_parse(done->pkt[i],
		    done->len[i], &p, NULL, 0) != 0 ||
		    p.part_count != done->count)
			abort();
	noded_asm_drop(done);
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
