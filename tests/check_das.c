/*
 * check_das.c - unit tests of libdas (doc/coa.md): CoA-Requests signed
 * with libfreeradius as a key server's push sender would, through
 * das_input(), and the answers verified as the sender would.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <freeradius/build.h>
#include <freeradius/libradius.h>

#include "check_main.h"
#include "das.h"
#include "radattr.h"

#define SECRET		"das-test-secret"
#define NASID		"ar1"
#define NOW		1700000000u

static const uint8_t fp[32] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20
};

/* What a test request carries; a field of 0 / NULL leaves it out. */
struct req {
	unsigned int	 code;
	int		 id;
	const char	*secret;
	int		 no_ma;
	int		 service;	/* -1: none */
	const char	*state;
	int		 no_ts;
	uint32_t	 ts;
	const char	*csid;
	const char	*nasid;
	const uint8_t	*cert;
	size_t		 cert_len;
	const char	*apps[3];
	size_t		 n_apps;
	int		 extra_attr;	/* e.g. Filter-Id */
};

static struct das *das;
static struct sockaddr_storage from, stranger;
static uint8_t pkt[4096];
static size_t pkt_len;
static RADIUS_PACKET *last;

static void
def(struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->code = PW_CODE_COA_REQUEST;
	r->id = 7;
	r->secret = SECRET;
	r->service = PW_AUTHORIZE_ONLY;
	r->state = "gkey-push:1:2:3";
	r->ts = NOW;
	r->csid = "2001:db8::1";
	r->cert = fp;
	r->cert_len = sizeof(fp);
}

static void
add_num(RADIUS_PACKET *p, unsigned int attr, unsigned int vendor,
    const void *v, size_t len, uint32_t integer)
{
	ck_assert_int_eq(radattr_num(p, attr, vendor, v, len, integer), 0);
}

/* Encodes and signs r into pkt as libfreeradius's client side would. */
static void
build(const struct req *r)
{
	static const uint8_t zero[16];
	const DICT_ATTR *cert = dict_attrbyname("GKey-Cert-SHA256");
	const DICT_ATTR *app = dict_attrbyname("GKey-Requested-App");
	size_t i;

	ck_assert_ptr_nonnull(cert);
	ck_assert_ptr_nonnull(app);
	if (last != NULL)
		rad_free(&last);
	last = rad_alloc(NULL, true);
	ck_assert_ptr_nonnull(last);
	last->code = r->code;
	last->id = r->id;
	if (!r->no_ma)
		add_num(last, PW_MESSAGE_AUTHENTICATOR, 0, zero, 16, 0);
	if (r->service >= 0)
		add_num(last, PW_SERVICE_TYPE, 0, NULL, 0, r->service);
	if (r->state != NULL)
		add_num(last, PW_STATE, 0, r->state, strlen(r->state), 0);
	if (!r->no_ts) {
		VALUE_PAIR *vp = fr_pair_afrom_num(last, PW_EVENT_TIMESTAMP,
		    0);

		ck_assert_ptr_nonnull(vp);
		vp->vp_date = r->ts;
		fr_pair_add(&last->vps, vp);
	}
	if (r->csid != NULL)
		add_num(last, PW_CALLING_STATION_ID, 0, r->csid,
		    strlen(r->csid), 0);
	if (r->nasid != NULL)
		add_num(last, PW_NAS_IDENTIFIER, 0, r->nasid,
		    strlen(r->nasid), 0);
	if (r->cert != NULL)
		add_num(last, cert->attr, cert->vendor, r->cert, r->cert_len,
		    0);
	for (i = 0; i < r->n_apps; i++)
		add_num(last, app->attr, app->vendor, r->apps[i],
		    strlen(r->apps[i]), 0);
	if (r->extra_attr)
		add_num(last, 11, 0, "filter", 6, 0);	/* Filter-Id */
	ck_assert_int_ge(rad_encode(last, NULL, r->secret), 0);
	ck_assert_int_ge(rad_sign(last, NULL, r->secret), 0);
	ck_assert_uint_le(last->data_len, sizeof(pkt));
	/* The Request Authenticator as sent: what an answer is over. */
	memcpy(last->vector, last->data + 4, 16);
	memcpy(pkt, last->data, last->data_len);
	pkt_len = last->data_len;
}

static enum das_verdict
send_req(const struct req *r, struct das_result *res)
{
	build(r);
	return das_input(das, pkt, pkt_len, &from, NOW, res);
}

/*
 * The answer verifies under the secret against the request sent (the
 * Response Authenticator and Message-Authenticator) and says code, cause.
 */
static void
answer_is(const struct das_result *res, unsigned int code, uint32_t cause)
{
	RADIUS_PACKET *a;
	VALUE_PAIR *vp;

	ck_assert_uint_gt(res->answer_len, 20);
	a = rad_alloc(NULL, false);
	ck_assert_ptr_nonnull(a);
	a->data = talloc_memdup(a, res->answer, res->answer_len);
	a->data_len = res->answer_len;
	ck_assert(rad_packet_ok(a, 1, NULL));
	ck_assert_uint_eq(a->code, code);
	ck_assert_int_eq(a->id, last->id);
	ck_assert_msg(rad_verify(a, last, SECRET) == 0, "%s", fr_strerror());
	ck_assert_int_eq(rad_decode(a, last, SECRET), 0);
	vp = fr_pair_find_by_num(a->vps, PW_ERROR_CAUSE, 0, TAG_ANY);
	ck_assert_ptr_nonnull(vp);
	ck_assert_uint_eq(vp->vp_integer, cause);
	vp = fr_pair_find_by_num(a->vps, PW_SERVICE_TYPE, 0, TAG_ANY);
	if (code == PW_CODE_COA_NAK) {
		ck_assert_ptr_nonnull(vp);
		ck_assert_uint_eq(vp->vp_integer, PW_AUTHORIZE_ONLY);
	} else
		ck_assert_ptr_null(vp);
	/* The same bytes under another secret do not verify. */
	ck_assert_int_ne(rad_verify(a, last, "another secret"), 0);
	rad_free(&a);
}

static void
setup(void)
{
	struct das_config cfg;
	struct sockaddr_in *s4;
	const char *src = getenv("GKEY_SRCDIR");
	char dir[4096], err[DAS_ERRLEN];

	if (dict_attrbyname("GKey-Cert-SHA256") == NULL) {
		ck_assert_int_eq(dict_init("/usr/share/freeradius",
		    "dictionary"), 0);
		snprintf(dir, sizeof(dir), "%s/raddb", src != NULL ? src :
		    ".");
		ck_assert_msg(dict_read(dir, "dictionary.gkey") == 0, "%s",
		    fr_strerror());
	}
	memset(&from, 0, sizeof(from));
	s4 = (struct sockaddr_in *)&from;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(40000);
	inet_pton(AF_INET, "192.0.2.10", &s4->sin_addr);
	stranger = from;
	inet_pton(AF_INET, "192.0.2.11",
	    &((struct sockaddr_in *)&stranger)->sin_addr);
	memset(&cfg, 0, sizeof(cfg));
	cfg.client[0].addr = from;
	cfg.client[0].secret = SECRET;
	cfg.n_clients = 1;
	cfg.window = 300;
	cfg.nas_identifier = NASID;
	cfg.require_cert = 1;
	cfg.cache_size = 4;
	das = das_new(&cfg, err, sizeof(err));
	ck_assert_msg(das != NULL, "%s", err);
}

static void
teardown(void)
{
	das_free(das);
	das = NULL;
	if (last != NULL)
		rad_free(&last);
}

START_TEST(good_request_acts)
{
	struct das_result res;
	struct req r;

	def(&r);
	r.nasid = NASID;
	r.apps[0] = "lights";
	r.apps[1] = "d\xc3\xa9j\xc3\xa0";
	r.n_apps = 2;
	ck_assert_int_eq(send_req(&r, &res), DAS_ACT);
	ck_assert_str_eq(res.req.calling_station_id, "2001:db8::1");
	ck_assert_int_eq(res.req.has_cert, 1);
	ck_assert_mem_eq(res.req.cert_sha256, fp, 32);
	ck_assert_uint_eq(res.req.state_len, strlen(r.state));
	ck_assert_mem_eq(res.req.state, r.state, res.req.state_len);
	ck_assert_uint_eq(res.req.n_apps, 2);
	ck_assert_str_eq(res.req.app[0], "lights");
	ck_assert_str_eq(res.req.app[1], r.apps[1]);
	ck_assert_uint_eq(res.req.event_timestamp, NOW);
	ck_assert_int_eq(das_answer(das, &res, DAS_EC_REQUEST_INITIATED), 0);
	answer_is(&res, PW_CODE_COA_NAK, DAS_EC_REQUEST_INITIATED);
	ck_assert_uint_eq(das_stats(das)->acted, 1);
}
END_TEST

START_TEST(duplicate_gets_same_answer)
{
	struct das_result res, again;
	struct req r;

	def(&r);
	ck_assert_int_eq(send_req(&r, &res), DAS_ACT);
	ck_assert_int_eq(das_answer(das, &res, DAS_EC_REQUEST_INITIATED), 0);
	/* The same datagram again: the cached answer, no act. */
	ck_assert_int_eq(das_input(das, pkt, pkt_len, &from, NOW + 10,
	    &again), DAS_ANSWER);
	ck_assert_int_eq(again.duplicate, 1);
	ck_assert_uint_eq(again.error_cause, DAS_EC_REQUEST_INITIATED);
	ck_assert_uint_eq(again.answer_len, res.answer_len);
	ck_assert_mem_eq(again.answer, res.answer, res.answer_len);
	answer_is(&again, PW_CODE_COA_NAK, DAS_EC_REQUEST_INITIATED);
	ck_assert_uint_eq(das_stats(das)->acted, 1);
	ck_assert_uint_eq(das_stats(das)->duplicates, 1);
	/* Another Identifier is another request. */
	r.id = 8;
	ck_assert_int_eq(send_req(&r, &res), DAS_ACT);
}
END_TEST

START_TEST(cache_full_is_506)
{
	struct das_result res;
	struct req r;
	int i;

	def(&r);
	for (i = 0; i < 4; i++) {
		r.id = i;
		ck_assert_int_eq(send_req(&r, &res), DAS_ACT);
		ck_assert_int_eq(das_answer(das, &res,
		    DAS_EC_REQUEST_INITIATED), 0);
	}
	r.id = 9;
	ck_assert_int_eq(send_req(&r, &res), DAS_ANSWER);
	answer_is(&res, PW_CODE_COA_NAK, DAS_EC_RESOURCES_UNAVAILABLE);
	/* After the window the slots are free again. */
	ck_assert_int_eq(das_input(das, pkt, pkt_len, &from, NOW + 301, &res),
	    DAS_DISCARD);
	r.ts = NOW + 302;
	build(&r);
	ck_assert_int_eq(das_input(das, pkt, pkt_len, &from, NOW + 302, &res),
	    DAS_ACT);
}
END_TEST

START_TEST(wrong_secret_discarded)
{
	struct das_result res;
	struct req r;

	def(&r);
	r.secret = "not the secret";
	ck_assert_int_eq(send_req(&r, &res), DAS_DISCARD);
	ck_assert_ptr_nonnull(strstr(res.reason, "Authenticator"));
	ck_assert_uint_eq(das_stats(das)->bad_authenticator, 1);
}
END_TEST

START_TEST(missing_ma_discarded)
{
	struct das_result res;
	struct req r;

	def(&r);
	r.no_ma = 1;
	ck_assert_int_eq(send_req(&r, &res), DAS_DISCARD);
	ck_assert_str_eq(res.reason, "no Message-Authenticator");
}
END_TEST

START_TEST(wrong_ma_discarded)
{
	struct das_result res;
	struct req r;
	size_t i;

	def(&r);
	build(&r);
	/* Message-Authenticator is the first attribute: 20 + 2. */
	ck_assert_uint_eq(pkt[20], PW_MESSAGE_AUTHENTICATOR);
	for (i = 0; i < 16; i++)
		pkt[22 + i] ^= 0x5a;
	ck_assert_int_eq(das_input(das, pkt, pkt_len, &from, NOW, &res),
	    DAS_DISCARD);
	ck_assert_uint_eq(das_stats(das)->bad_authenticator, 1);
	/* And a flipped Request Authenticator alone. */
	build(&r);
	pkt[4] ^= 1;
	ck_assert_int_eq(das_input(das, pkt, pkt_len, &from, NOW, &res),
	    DAS_DISCARD);
	ck_assert_uint_eq(das_stats(das)->bad_authenticator, 2);
}
END_TEST

START_TEST(unknown_client_discarded)
{
	struct das_result res;
	struct req r;

	def(&r);
	build(&r);
	ck_assert_int_eq(das_input(das, pkt, pkt_len, &stranger, NOW, &res),
	    DAS_DISCARD);
	ck_assert_str_eq(res.client, "192.0.2.11");
	ck_assert_uint_eq(das_stats(das)->unknown_client, 1);
}
END_TEST

START_TEST(window_both_sides)
{
	struct das_result res;
	struct req r;

	def(&r);
	r.ts = NOW - 301;
	ck_assert_int_eq(send_req(&r, &res), DAS_DISCARD);
	r.ts = NOW + 301;
	ck_assert_int_eq(send_req(&r, &res), DAS_DISCARD);
	ck_assert_uint_eq(das_stats(das)->outside_window, 2);
	r.ts = NOW - 300;
	ck_assert_int_eq(send_req(&r, &res), DAS_ACT);
	r.ts = NOW + 300;
	r.id = 9;
	ck_assert_int_eq(send_req(&r, &res), DAS_ACT);
}
END_TEST

START_TEST(missing_timestamp_discarded)
{
	struct das_result res;
	struct req r;

	def(&r);
	r.no_ts = 1;
	ck_assert_int_eq(send_req(&r, &res), DAS_DISCARD);
	ck_assert_ptr_nonnull(strstr(res.reason, "Event-Timestamp"));
}
END_TEST

static void
nak_for(struct req *r, uint32_t cause)
{
	struct das_result res;

	ck_assert_int_eq(send_req(r, &res), DAS_ANSWER);
	ck_assert_uint_eq(res.error_cause, cause);
	answer_is(&res, PW_CODE_COA_NAK, cause);
}

START_TEST(missing_attributes_402)
{
	struct req r;

	def(&r);
	r.csid = NULL;
	nak_for(&r, DAS_EC_MISSING_ATTRIBUTE);
	def(&r);
	r.id = 8;
	r.state = NULL;
	nak_for(&r, DAS_EC_MISSING_ATTRIBUTE);
	def(&r);
	r.id = 9;
	r.service = -1;
	nak_for(&r, DAS_EC_MISSING_ATTRIBUTE);
	def(&r);
	r.id = 10;
	r.cert = NULL;
	nak_for(&r, DAS_EC_MISSING_ATTRIBUTE);
}
END_TEST

START_TEST(service_type_405)
{
	struct req r;

	def(&r);
	r.service = 8;		/* Authenticate-Only */
	nak_for(&r, DAS_EC_UNSUPPORTED_SERVICE);
}
END_TEST

START_TEST(nas_identifier_403)
{
	struct req r;

	def(&r);
	r.nasid = "ar2";
	nak_for(&r, DAS_EC_NAS_ID_MISMATCH);
}
END_TEST

START_TEST(malformed_404)
{
	struct req r;

	def(&r);
	r.cert_len = 31;
	nak_for(&r, DAS_EC_INVALID_REQUEST);
	def(&r);
	r.id = 8;
	r.apps[0] = "bad\x01name";
	r.n_apps = 1;
	nak_for(&r, DAS_EC_INVALID_REQUEST);
	def(&r);
	r.id = 9;
	r.apps[0] = "\xc0\xaf";		/* overlong */
	r.n_apps = 1;
	nak_for(&r, DAS_EC_INVALID_REQUEST);
	def(&r);
	r.id = 10;
	r.csid = "a\x7f";
	nak_for(&r, DAS_EC_INVALID_REQUEST);
}
END_TEST

START_TEST(unsupported_attribute_401)
{
	struct req r;

	def(&r);
	r.extra_attr = 1;
	nak_for(&r, DAS_EC_UNSUPPORTED_ATTRIBUTE);
}
END_TEST

START_TEST(disconnect_nak_406)
{
	struct das_result res;
	struct req r;

	def(&r);
	r.code = PW_CODE_DISCONNECT_REQUEST;
	ck_assert_int_eq(send_req(&r, &res), DAS_ANSWER);
	answer_is(&res, PW_CODE_DISCONNECT_NAK, DAS_EC_UNSUPPORTED_EXTENSION);
}
END_TEST

START_TEST(other_codes_and_garbage_discarded)
{
	struct das_result res;
	struct req r;

	def(&r);
	r.code = PW_CODE_ACCOUNTING_REQUEST;
	ck_assert_int_eq(send_req(&r, &res), DAS_DISCARD);
	def(&r);
	build(&r);
	/* Truncated: the Length field says more than arrived. */
	ck_assert_int_eq(das_input(das, pkt, pkt_len - 1, &from, NOW, &res),
	    DAS_DISCARD);
	ck_assert_int_eq(das_input(das, pkt, 3, &from, NOW, &res),
	    DAS_DISCARD);
	ck_assert_int_eq(das_input(das, pkt, 0, &from, NOW, &res),
	    DAS_DISCARD);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("das");
	TCase *tc = tcase_create("das");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_request_acts);
	tcase_add_test(tc, duplicate_gets_same_answer);
	tcase_add_test(tc, cache_full_is_506);
	tcase_add_test(tc, wrong_secret_discarded);
	tcase_add_test(tc, missing_ma_discarded);
	tcase_add_test(tc, wrong_ma_discarded);
	tcase_add_test(tc, unknown_client_discarded);
	tcase_add_test(tc, window_both_sides);
	tcase_add_test(tc, missing_timestamp_discarded);
	tcase_add_test(tc, missing_attributes_402);
	tcase_add_test(tc, service_type_405);
	tcase_add_test(tc, nas_identifier_403);
	tcase_add_test(tc, malformed_404);
	tcase_add_test(tc, unsupported_attribute_401);
	tcase_add_test(tc, disconnect_nak_406);
	tcase_add_test(tc, other_codes_and_garbage_discarded);
	suite_add_tcase(s, tc);
	return s;
}
