/*
 * fuzz_ard.c - libFuzzer harness for gkey-ard's RS path (ard/ard_core.c
 * over libnd): what the access router does with every packet a node can
 * send before it asks RADIUS.
 *
 * The input is an RS as received from fe80::1 to ff02::2.  Its own
 * Timestamp is taken as the current time, so that the window passes and
 * inputs reach the certificate and signature checks; a verified RS then
 * goes through the replay cache.  The same input is also checked with
 * hop limit 64, which must never pass.
 *
 * Built with -fsanitize=fuzzer it is a libFuzzer target; with
 * -DGKEY_FUZZ_STANDALONE it replays files (fuzz_standalone.h).  Seeds:
 * corpus/nd (gen_nd_corpus.c).
 */
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ard_core.h"
#include "nd_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ard_replay replay;
	static const struct in6_addr src = { { { 0xfe, 0x80, [15] = 1 } } };
	static const struct in6_addr dst = { { { 0xff, 0x02, [15] = 2 } } };
	struct nd_msg m;
	char err[ARD_ERRLEN];
	uint64_t now = 0;

	if (replay.slot == NULL && ard_replay_init(&replay, 64) != 0)
		abort();
	if (nd_msg_parse(data, size, &m, NULL, 0) == 0 && m.has_timestamp)
		now = m.timestamp;
	if (ard_rs_check(data, size, 64, &src, &dst, now, 300, &m, err,
	    sizeof(err)) == ARD_RS_OK)
		abort();
	if (ard_rs_check(data, size, 255, &src, &dst, now, 300, &m, err,
	    sizeof(err)) != ARD_RS_OK)
		return 0;
	if (m.nonce == NULL || m.cert == NULL || m.sig == NULL)
		abort();
	(void)ard_replay_seen(&replay, &src, m.nonce, m.nonce_len, 1000, 300);
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
