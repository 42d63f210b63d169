/*
 * fuzz_pana_msg.c - libFuzzer harness for libpana/pana_msg.c.
 *
 * Parses the input as a PANA message, walks every AVP, iterates the key
 * records, locates and checks the AUTH AVP, pops it as a PANA-Relay
 * message and, when that works, pushes the inner message back and checks
 * that the round trip is exact.
 *
 * Built with -fsanitize=fuzzer it is a libFuzzer target.  Built with
 * -DGKEY_FUZZ_STANDALONE (and -Itests/fuzz) it gets the main() of
 * fuzz_standalone.h, which replays every file (or every file in every
 * directory) named on the command line, so `make check` can replay the
 * seed corpus under ASan/UBSan with gcc.
 *
 * Seeds in corpus/pana: valid-* and bad-* are written by
 * `tests/pana_pcap x.pcap DIR`; fuzz-* were found by libFuzzer (merged).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pana_crypto.h"
#include "pana_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_relay(const uint8_t *data, size_t size)
{
	static uint8_t out[PANA_MSG_MAX];
	struct sockaddr_storage pac;
	const uint8_t *inner;
	size_t inner_len, outlen;
	char err[PANA_ERRLEN];

	if (pana_relay_pop(data, size, &pac, &inner, &inner_len, err,
	    sizeof(err)) != 0)
		return;
	if (inner < data || inner + inner_len > data + size)
		abort();
	if (pana_relay_push(inner, inner_len, &pac, out, sizeof(out),
	    &outlen) != 0)
		abort();
	/* pop(push(x)) == x; push(pop(m)) re-encodes PaC-Information only. */
	if (pana_relay_pop(out, outlen, &pac, &inner, &inner_len, err,
	    sizeof(err)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = { 1, 2, 3 };
	struct pana_msg m;
	struct pana_avp_iter it;
	struct pana_avp a;
	const uint8_t *rec;
	size_t reclen, off, alen;
	unsigned int n = 0;
	char err[PANA_ERRLEN];

	/* The iterator alone must be safe on anything. */
	pana_avp_iter_init(&it, data, size);
	while (pana_avp_next(&it, &a, err, sizeof(err)) == 1)
		if (a.value + a.len > data + size)
			abort();

	if (pana_msg_parse(data, size, GKEY_VENDOR_ID_DEFAULT, &m, err,
	    sizeof(err)) == 0) {
		pana_avp_iter_init(&it, m.buf, m.len);
		while (pana_key_record_next(&m, &it, &rec, &reclen) == 1) {
			if (rec + reclen > data + size)
				abort();
			n++;
		}
		if (n != m.n_key_records)
			abort();
		if (pana_msg_find_auth(data, size, &off, &alen) == 0) {
			if (off + alen > size)
				abort();
			(void)pana_auth_verify(PANA_AUTH_HMAC_SHA2_256_128, key,
			    sizeof(key), data, size);
		}
	}
	check_relay(data, size);
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
