/*
 * fuzz_nd.c - libFuzzer harness for libnd (nd_msg.c, nd_crypto.c): the
 * RS/RA parser both gkey-ard and gkey-noded run on every packet.
 *
 * Parses the input as an ICMPv6 message, checks the required options,
 * walks every option (each must lie inside the input), verifies the
 * Signature with the Certificate's key when both are there, and rebuilds
 * the message option by option with the builder: a message the parser
 * accepts must be rebuilt to the same length and parse again with the
 * same counts.
 *
 * Built with -fsanitize=fuzzer it is a libFuzzer target; with
 * -DGKEY_FUZZ_STANDALONE it replays files (fuzz_standalone.h).  Seeds in
 * corpus/nd are written by tests/fuzz/gen_nd_corpus.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "nd_crypto.h"
#include "nd_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t src[16] = { 0xfe, 0x80, [15] = 0x01 };
static const uint8_t dst[16] = { 0xff, 0x02, [15] = 0x02 };

static void
rebuild(const struct nd_msg *m)
{
	static uint8_t out[ND_MSG_MAX];
	struct nd_builder b;
	struct nd_opt_iter it;
	struct nd_opt o;
	struct nd_msg m2;
	struct nd_ra_hdr h = { m->cur_hop_limit, m->ra_flags,
		m->router_lifetime, m->reachable_time, m->retrans_timer };
	int rc;

	if (m->len > ND_MSG_MAX)
		return;
	rc = m->type == ND_TYPE_RS ? nd_build_rs(&b, out, sizeof(out)) :
	    nd_build_ra(&b, out, sizeof(out), &h);
	if (rc != 0)
		abort();
	nd_opt_iter_init(&it, m);
	while (nd_opt_next(&it, &o) == 1) {
		if (o.data < m->buf || o.data + o.len > m->buf + m->len)
			abort();
		if (o.type == ND_OPT_GKEY)
			rc = nd_build_gkey(&b, o.subtype, o.data, o.len);
		else
			rc = nd_build_opt(&b, o.type, o.data, o.len);
		if (rc != 0)
			abort();
	}
	if (b.len != m->len)
		abort();
	if (nd_msg_parse(out, b.len, &m2, NULL, 0) != 0 ||
	    m2.n_apps != m->n_apps || m2.n_records != m->n_records ||
	    m2.has_status != m->has_status || m2.has_part != m->has_part ||
	    (m2.sig == NULL) != (m->sig == NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_msg m;
	EVP_PKEY *key;
	char err[ND_ERRLEN];

	if (nd_msg_parse(data, size, &m, err, sizeof(err)) != 0)
		return 0;
	if (m.sig != NULL && m.sig_offset + ND_SIG_OPT_LEN != size)
		abort();
	rebuild(&m);
	if (!m.has_gkey || nd_msg_require(&m, err, sizeof(err)) != 0)
		return 0;
	key = nd_cert_p256_key(m.cert, m.cert_len, NULL, NULL, err,
	    sizeof(err));
	if (key != NULL) {
		(void)nd_msg_verify(&m, key, src, dst, err, sizeof(err));
		EVP_PKEY_free(key);
	}
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
