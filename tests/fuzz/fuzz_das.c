/*
 * fuzz_das.c - libFuzzer harness for libdas (doc/coa.md): every datagram
 * that reaches gkey-ard's or pana-relayd's DAS port.
 *
 * The input is a datagram from the configured client (fuzz_das.h) at a
 * fixed clock; a request that passes is answered (507) and sent again,
 * which must give the cached answer without acting.  The dictionaries
 * are FreeRADIUS's (/usr/share/freeradius) and $GKEY_SRCDIR/raddb's
 * dictionary.gkey (./raddb without GKEY_SRCDIR).
 *
 * Built with -fsanitize=fuzzer it is a libFuzzer target; with
 * -DGKEY_FUZZ_STANDALONE it replays files (fuzz_standalone.h).  Seeds:
 * corpus/das (gen_das_corpus.c).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <freeradius/build.h>
#include <freeradius/libradius.h>

#include "das.h"
#include "fuzz_das.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
load_dictionaries(void)
{
	const char *src = getenv("GKEY_SRCDIR");
	char dir[4096];

	if (dict_init("/usr/share/freeradius", "dictionary") != 0)
		abort();
	snprintf(dir, sizeof(dir), "%s/raddb", src != NULL ? src : ".");
	if (dict_read(dir, "dictionary.gkey") != 0) {
		fprintf(stderr, "fuzz_das: %s\n", fr_strerror());
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	struct das_config cfg;
	struct sockaddr_in *s4;
	struct sockaddr_storage from;
	struct das_result res, again;
	struct das *das;
	char err[DAS_ERRLEN];

	if (!loaded) {
		load_dictionaries();
		loaded = 1;
	}
	memset(&from, 0, sizeof(from));
	s4 = (struct sockaddr_in *)&from;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(3799);
	if (inet_pton(AF_INET, FUZZ_DAS_CLIENT, &s4->sin_addr) != 1)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.client[0].addr = from;
	cfg.client[0].secret = FUZZ_DAS_SECRET;
	cfg.n_clients = 1;
	cfg.nas_identifier = FUZZ_DAS_NASID;
	cfg.require_cert = 1;
	cfg.cache_size = 4;
	if ((das = das_new(&cfg, err, sizeof(err))) == NULL)
		abort();
	switch (das_input(das, data, size, &from, FUZZ_DAS_NOW, &res)) {
	case DAS_ACT:
		if (res.req.state_len == 0 ||
		    res.req.calling_station_id[0] == '\0' || !res.req.has_cert)
			abort();
		if (das_answer(das, &res, DAS_EC_REQUEST_INITIATED) != 0)
			abort();
		/* FALLTHROUGH */
	case DAS_ANSWER:
		if (res.answer_len < 20 || res.answer_len > DAS_ANSWER_MAX)
			abort();
		if (das_input(das, data, size, &from, FUZZ_DAS_NOW, &again) ==
		    DAS_ACT)
			abort();
		break;
	case DAS_DISCARD:
		if (res.reason == NULL)
			abort();
		break;
	}
	das_free(das);
	return 0;
}

#ifdef GKEY_FUZZ_STANDALONE
#include "fuzz_standalone.h"
#endif
