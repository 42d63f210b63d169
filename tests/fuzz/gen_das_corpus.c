/*
 * gen_das_corpus.c - writes the seed corpus of fuzz_das.c: CoA-Requests
 * signed with the harness's secret at its clock (fuzz_das.h), one that
 * acts and others that each take another answer, and a few the DAS must
 * discard.  Run from the source tree:
 *
 *   cc -I/var/cache/gkey/freeradius-headers -Itests/fuzz \
 *       tests/fuzz/gen_das_corpus.c -L/usr/lib/freeradius \
 *       -Wl,-rpath,/usr/lib/freeradius -lfreeradius-radius -ltalloc \
 *       -o gen_das_corpus
 *   ./gen_das_corpus tests/fuzz/corpus/das
 *
 * The Request Authenticators are random: each run writes other bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <freeradius/build.h>
#include <freeradius/libradius.h>

#include "fuzz_das.h"
#include "gen_put.h"

static const uint8_t fp[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
	14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
	31, 32 };

enum { F_NO_MA = 1, F_NO_TS = 2, F_OLD_TS = 4, F_BAD_SECRET = 8,
	F_DISCONNECT = 16, F_SHORT_CERT = 32, F_NO_STATE = 64, F_BAD_APP = 128,
	F_SERVICE = 256, F_NASID = 512, F_EXTRA = 1024 };

static void
add(RADIUS_PACKET *p, unsigned int attr, unsigned int vendor, const void *v,
    size_t len, uint32_t n)
{
	VALUE_PAIR *vp = fr_pair_afrom_num(p, attr, vendor);

	if (vp == NULL)
		exit(1);
	if (v == NULL)
		vp->vp_integer = n;
	else if (vp->da->type == PW_TYPE_STRING)
		fr_pair_value_bstrncpy(vp, v, len);
	else
		fr_pair_value_memcpy(vp, v, len);
	fr_pair_add(&p->vps, vp);
}

static void
gen(const char *name, int flags)
{
	static const uint8_t zero[16];
	const DICT_ATTR *cert = dict_attrbyname("GKey-Cert-SHA256");
	const DICT_ATTR *app = dict_attrbyname("GKey-Requested-App");
	RADIUS_PACKET *p = rad_alloc(NULL, true);
	VALUE_PAIR *vp;

	if (p == NULL || cert == NULL || app == NULL)
		exit(1);
	p->code = flags & F_DISCONNECT ? PW_CODE_DISCONNECT_REQUEST :
	    PW_CODE_COA_REQUEST;
	p->id = 42;
	if (!(flags & F_NO_MA))
		add(p, PW_MESSAGE_AUTHENTICATOR, 0, zero, 16, 0);
	add(p, PW_SERVICE_TYPE, 0, NULL, 0, flags & F_SERVICE ? 1 :
	    PW_AUTHORIZE_ONLY);
	if (!(flags & F_NO_STATE))
		add(p, PW_STATE, 0, "gkey-push:3:7:1", 15, 0);
	if (!(flags & F_NO_TS)) {
		if ((vp = fr_pair_afrom_num(p, PW_EVENT_TIMESTAMP, 0)) == NULL)
			exit(1);
		vp->vp_date = flags & F_OLD_TS ? FUZZ_DAS_NOW - 1000 :
		    FUZZ_DAS_NOW;
		fr_pair_add(&p->vps, vp);
	}
	add(p, PW_NAS_IDENTIFIER, 0, flags & F_NASID ? "ar9" : FUZZ_DAS_NASID,
	    3, 0);
	add(p, PW_CALLING_STATION_ID, 0, "2001:db8::1", 11, 0);
	add(p, cert->attr, cert->vendor, fp, flags & F_SHORT_CERT ? 31 : 32, 0);
	add(p, app->attr, app->vendor, "lights", 6, 0);
	if (flags & F_BAD_APP)
		add(p, app->attr, app->vendor, "x\x01y", 3, 0);
	if (flags & F_EXTRA)
		add(p, 11, 0, "filter", 6, 0);
	if (rad_encode(p, NULL, flags & F_BAD_SECRET ? "wrong" :
	    FUZZ_DAS_SECRET) < 0 || rad_sign(p, NULL, flags & F_BAD_SECRET ?
	    "wrong" : FUZZ_DAS_SECRET) < 0)
		exit(1);
	put(name, p->data, p->data_len);
	if (flags == 0) {
		put("truncated", p->data, p->data_len - 5);
		put("header-only", p->data, 20);
	}
	rad_free(&p);
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_das_corpus DIR\n");
		return 2;
	}
	outdir = argv[1];
	if (dict_init("/usr/share/freeradius", "dictionary") != 0 ||
	    dict_read("raddb", "dictionary.gkey") != 0) {
		fprintf(stderr, "%s\n", fr_strerror());
		return 1;
	}
	gen("coa-good", 0);
	gen("coa-no-ma", F_NO_MA);
	gen("coa-no-timestamp", F_NO_TS);
	gen("coa-old-timestamp", F_OLD_TS);
	gen("coa-wrong-secret", F_BAD_SECRET);
	gen("disconnect", F_DISCONNECT);
	gen("coa-short-cert", F_SHORT_CERT);
	gen("coa-no-state", F_NO_STATE);
	gen("coa-bad-app", F_BAD_APP);
	gen("coa-service-framed", F_SERVICE);
	gen("coa-other-nas", F_NASID);
	gen("coa-filter-id", F_EXTRA);
	return 0;
}
