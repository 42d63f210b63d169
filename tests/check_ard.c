/*
 * check_ard.c - unit tests for gkey-ard's decisions (ard/ard_core.c) and
 * configuration (ard/ard_conf.c): the RS checks, the replay cache, the
 * rate limits, the answer and its parts, the Refresh.
 *
 * One behaviour per test; the names are the specification.
 */
#include <arpa/inet.h>

#include <check.h>

#include "check_main.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ard_conf.h"
#include "ard_core.h"
#include "bytes.h"
#include "keyrecord.h"
#include "nd_crypto.h"
#include "nd_msg.h"
#include "nd_testutil.h"

static const struct tcert NODE = { "phone-1", 0, "digitalSignature",
	"clientAuth", -3600, 86400 };

static struct in6_addr src, dst, ar;
static uint8_t pkt[ND_MSG_MAX];
static size_t len;
static char err[ARD_ERRLEN];
static struct ard_answer answer;

static void
setup(void)
{
	inet_pton(AF_INET6, "fe80::1", &src);
	inet_pton(AF_INET6, "ff02::2", &dst);
	inet_pton(AF_INET6, "fe80::a", &ar);
	err[0] = '\0';
}

static uint64_t
now_ts(void)
{
	return nd_timestamp((uint64_t)time(NULL), 0);
}

/* A signed RS from src to dst with key's self-signed certificate. */
static void
rs(EVP_PKEY *key, uint64_t ts, const uint8_t *nonce)
{
	static const uint8_t n6[6] = { 9, 8, 7, 6, 5, 4 };
	uint8_t der[1024];
	struct nd_builder b;
	X509 *x = t_cert(key, &NODE, NULL, NULL);
	size_t dl = t_der(x, der, sizeof(der));

	nd_build_rs(&b, pkt, sizeof(pkt));
	nd_build_nonce(&b, nonce != NULL ? nonce : n6, 6);
	nd_build_timestamp(&b, ts);
	nd_build_gkey(&b, ND_GK_CERT, der, dl);
	ck_assert_int_eq(nd_sign_finish(&b, key, src.s6_addr, dst.s6_addr,
	    &len), 0);
	X509_free(x);
}

/* ------------------------------------------------------------ RS */

START_TEST(signed_rs_in_window_passes)
{
	EVP_PKEY *k = t_p256();
	struct nd_msg m;

	rs(k, now_ts(), NULL);
	ck_assert_int_eq(ard_rs_check(pkt, len, 255, &src, &dst, now_ts(),
	    300, &m, err, sizeof(err)), ARD_RS_OK);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(rs_with_hop_limit_64_is_dropped)
{
	EVP_PKEY *k = t_p256();
	struct nd_msg m;

	rs(k, now_ts(), NULL);
	ck_assert_int_eq(ard_rs_check(pkt, len, 64, &src, &dst, now_ts(),
	    300, &m, err, sizeof(err)), ARD_RS_DROP);
	ck_assert_str_eq(err, "hop limit 64, not 255");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(rs_301_seconds_old_is_dropped)
{
	EVP_PKEY *k = t_p256();
	struct nd_msg m;
	uint64_t now = now_ts();

	rs(k, now - ((uint64_t)301 << 16), NULL);
	ck_assert_int_eq(ard_rs_check(pkt, len, 255, &src, &dst, now, 300, &m,
	    err, sizeof(err)), ARD_RS_DROP);
	ck_assert_str_eq(err, "timestamp 301 s off, outside the 300 s window");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(rs_from_the_future_is_dropped)
{
	EVP_PKEY *k = t_p256();
	struct nd_msg m;
	uint64_t now = now_ts();

	rs(k, now + ((uint64_t)400 << 16), NULL);
	ck_assert_int_eq(ard_rs_check(pkt, len, 255, &src, &dst, now, 300, &m,
	    err, sizeof(err)), ARD_RS_DROP);
	ck_assert_str_eq(err, "timestamp 400 s off, outside the 300 s window");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(rs_signed_for_another_source_is_dropped)
{
	EVP_PKEY *k = t_p256();
	struct nd_msg m;

	rs(k, now_ts(), NULL);
	ck_assert_int_eq(ard_rs_check(pkt, len, 255, &ar, &dst, now_ts(),
	    300, &m, err, sizeof(err)), ARD_RS_DROP);
	ck_assert_str_eq(err, "signature does not verify");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(plain_rs_is_not_ours)
{
	struct nd_builder b;
	struct nd_msg m;
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };

	nd_build_rs(&b, pkt, sizeof(pkt));
	nd_build_opt(&b, ND_OPT_SLLA, mac, 6);
	ck_assert_int_eq(ard_rs_check(pkt, b.len, 255, &src, &dst, now_ts(),
	    300, &m, err, sizeof(err)), ARD_RS_PLAIN);
}
END_TEST

/* ------------------------------------------------------------ replay */

START_TEST(nonce_seen_twice_from_one_source_is_a_replay)
{
	struct ard_replay r;
	static const uint8_t n[6] = { 1, 2, 3, 4, 5, 6 };

	ck_assert_int_eq(ard_replay_init(&r, 16), 0);
	ck_assert_int_eq(ard_replay_seen(&r, &src, n, 6, 1000, 300), 0);
	ck_assert_int_eq(ard_replay_seen(&r, &src, n, 6, 1100, 300), 1);
	ard_replay_free(&r);
}
END_TEST

START_TEST(same_nonce_from_another_source_is_not_a_replay)
{
	struct ard_replay r;
	static const uint8_t n[6] = { 1, 2, 3, 4, 5, 6 };

	ck_assert_int_eq(ard_replay_init(&r, 16), 0);
	ck_assert_int_eq(ard_replay_seen(&r, &src, n, 6, 1000, 300), 0);
	ck_assert_int_eq(ard_replay_seen(&r, &ar, n, 6, 1000, 300), 0);
	ard_replay_free(&r);
}
END_TEST

START_TEST(nonce_is_forgotten_after_twice_the_window)
{
	struct ard_replay r;
	static const uint8_t n[6] = { 1, 2, 3, 4, 5, 6 };

	ck_assert_int_eq(ard_replay_init(&r, 16), 0);
	ck_assert_int_eq(ard_replay_seen(&r, &src, n, 6, 1000, 300), 0);
	ck_assert_int_eq(ard_replay_seen(&r, &src, n, 6, 1600, 300), 1);
	ck_assert_int_eq(ard_replay_seen(&r, &src, n, 6, 1601, 300), 0);
	ard_replay_free(&r);
}
END_TEST

START_TEST(full_replay_cache_refuses_instead_of_forgetting)
{
	struct ard_replay r;
	uint8_t n[6] = { 0 };
	int i;

	ck_assert_int_eq(ard_replay_init(&r, 16), 0);
	for (i = 0; i < 16; i++) {
		n[0] = (uint8_t)i;
		ck_assert_int_eq(ard_replay_seen(&r, &src, n, 6, 1000, 300), 0);
	}
	n[0] = 99;
	ck_assert_int_eq(ard_replay_seen(&r, &src, n, 6, 1000, 300), -1);
	n[0] = 0;
	ck_assert_int_eq(ard_replay_seen(&r, &src, n, 6, 1000, 300), 1);
	ard_replay_free(&r);
}
END_TEST

/* ------------------------------------------------------------ rates */

START_TEST(source_over_its_burst_is_limited_then_refilled)
{
	struct ard_limits l;
	struct ard_rate ps = { 1, 3 }, tot = { 100, 100 };
	int i;

	ck_assert_int_eq(ard_limits_init(&l, &ps, &tot, 16), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(ard_limits_take(&l, &src, 1000), 0);
	ck_assert_int_eq(ard_limits_take(&l, &src, 1000), 1);
	ck_assert_int_eq(ard_limits_take(&l, &ar, 1000), 0);
	ck_assert_int_eq(ard_limits_take(&l, &src, 2000), 0);
	ck_assert_int_eq(ard_limits_take(&l, &src, 2000), 1);
	ard_limits_free(&l);
}
END_TEST

START_TEST(total_rate_limits_every_source_together)
{
	struct ard_limits l;
	struct ard_rate ps = { 10, 10 }, tot = { 1, 2 };
	struct in6_addr a = src;

	ck_assert_int_eq(ard_limits_init(&l, &ps, &tot, 16), 0);
	ck_assert_int_eq(ard_limits_take(&l, &a, 1000), 0);
	a.s6_addr[15] = 2;
	ck_assert_int_eq(ard_limits_take(&l, &a, 1000), 0);
	a.s6_addr[15] = 3;
	ck_assert_int_eq(ard_limits_take(&l, &a, 1000), 2);
	ard_limits_free(&l);
}
END_TEST

START_TEST(source_table_forgets_the_least_recently_used)
{
	struct ard_limits l;
	struct ard_rate ps = { 1, 1 }, tot = { 1000, 1000 };
	struct in6_addr a = src;
	int i;

	ck_assert_int_eq(ard_limits_init(&l, &ps, &tot, 16), 0);
	ck_assert_int_eq(ard_limits_take(&l, &src, 1000), 0);
	ck_assert_int_eq(ard_limits_take(&l, &src, 1000), 1);
	for (i = 0; i < 16; i++) {
		a.s6_addr[14] = (uint8_t)(i + 1);
		ck_assert_int_eq(ard_limits_take(&l, &a, 1001 + i), 0);
	}
	/* src was evicted: it starts again with a full bucket. */
	ck_assert_int_eq(ard_limits_take(&l, &src, 1100), 0);
	ard_limits_free(&l);
}
END_TEST

/* ------------------------------------------------------------ answers */

static struct ard_ra_tmpl tmpl;
static uint8_t fake_cert[420];
static uint8_t recs[8][200];
static const uint8_t *recp[8];
static size_t recl[8];

/* The template of doc/nd.md 1.4: SLLA, a 420-octet AR certificate. */
static void
tmpl_setup(void)
{
	struct ard_config c;
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0xa };
	size_t i;

	setup();
	memset(&c, 0, sizeof(c));
	c.ra.cur_hop_limit = 64;
	c.ra.router_lifetime = 1800;
	c.ra_slla = 1;
	memset(fake_cert, 0x30, sizeof(fake_cert));
	ck_assert_int_eq(ard_ra_tmpl_init(&tmpl, &c, mac, 6, fake_cert,
	    sizeof(fake_cert), err, sizeof(err)), 0);
	for (i = 0; i < 8; i++) {
		memset(recs[i], (int)i + 1, sizeof(recs[i]));
		recp[i] = recs[i];
		recl[i] = 157;
	}
}

static void
build(size_t n_records, uint8_t status, const char *reason, EVP_PKEY *k)
{
	static const uint8_t nonce[6] = { 1, 2, 3, 4, 5, 6 };
	struct ard_answer_in in;

	memset(&in, 0, sizeof(in));
	in.nonce = nonce;
	in.nonce_len = 6;
	in.timestamp = now_ts();
	in.status = status;
	in.reason = reason;
	in.records = recp;
	in.record_len = recl;
	in.n_records = n_records;
	in.refresh = 3600;
	ck_assert_int_eq(ard_answer_build(&tmpl, &in, k, &ar, &src, &answer,
	    err, sizeof(err)), 0);
}

START_TEST(three_records_of_157_octets_fit_one_ra)
{
	EVP_PKEY *k = t_p256();

	build(3, 0, NULL, k);
	ck_assert_uint_eq(answer.n, 1);
	ck_assert_uint_le(answer.len[0] + ND_IPV6_HDR_LEN, ND_IPV6_MIN_MTU);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(four_records_of_157_octets_take_two_parts)
{
	EVP_PKEY *k = t_p256();
	struct nd_msg m;
	size_t i, total = 0;

	build(4, 0, NULL, k);
	ck_assert_uint_eq(answer.n, 2);
	for (i = 0; i < answer.n; i++) {
		ck_assert_int_eq(nd_msg_parse(answer.pkt[i], answer.len[i], &m,
		    err, sizeof(err)), 0);
		ck_assert_int_eq(nd_msg_require(&m, err, sizeof(err)), 0);
		ck_assert_uint_eq(m.part_index, i + 1);
		ck_assert_uint_eq(m.part_count, 2);
		ck_assert_uint_eq(m.refresh, 3600);
		ck_assert_uint_eq(m.nonce_len, 6);
		ck_assert_uint_eq(m.cur_hop_limit, 64);
		ck_assert_int_eq(nd_msg_verify(&m, k, ar.s6_addr, src.s6_addr,
		    err, sizeof(err)), 0);
		total += m.n_records;
	}
	ck_assert_uint_eq(total, 4);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(status_answer_is_part_1_of_1_without_records)
{
	EVP_PKEY *k = t_p256();
	struct nd_msg m;

	build(3, ND_STATUS_REFUSED, "unknown certificate", k);
	ck_assert_uint_eq(answer.n, 1);
	ck_assert_int_eq(nd_msg_parse(answer.pkt[0], answer.len[0], &m, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(nd_msg_require(&m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.n_records, 0);
	ck_assert_int_eq(m.has_refresh, 0);
	ck_assert_uint_eq(m.status, ND_STATUS_REFUSED);
	ck_assert_mem_eq(m.reason, "unknown certificate", 19);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(record_too_big_for_any_ra_fails_the_answer)
{
	EVP_PKEY *k = t_p256();
	static const uint8_t nonce[6];
	static uint8_t big[1000];
	const uint8_t *bp = big;
	size_t bl = sizeof(big);
	struct ard_answer_in in;

	memset(&in, 0, sizeof(in));
	in.nonce = nonce;
	in.nonce_len = 6;
	in.records = &bp;
	in.record_len = &bl;
	in.n_records = 1;
	in.refresh = 1;
	ck_assert_int_eq(ard_answer_build(&tmpl, &in, k, &ar, &src, &answer,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "record 1 of 1000 octets does not fit an RA");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(refresh_is_the_session_timeout)
{
	ck_assert_uint_eq(ard_refresh(1, 7200, NULL, NULL, 0, 1000), 7200);
}
END_TEST

START_TEST(refresh_without_session_timeout_is_80_percent_of_not_after)
{
	uint8_t r[GKEY_RECORD_MAX_LEN];
	const uint8_t *rp = r;
	size_t rl = 44 + 1 + 65 + 32;

	/* A structurally valid P-256 record: name "a", AES-128 GK. */
	memset(r, 0, sizeof(r));
	r[0] = 1; r[1] = 1; r[2] = 1; r[3] = 1;
	gkey_put64(r + 12, 0);
	gkey_put64(r + 20, 2000);
	r[44] = 'a';
	ck_assert_uint_eq(ard_refresh(0, 0, &rp, &rl, 1, 1000), 800);
	ck_assert_uint_eq(ard_refresh(1, 0, &rp, &rl, 1, 1999), 1);
}
END_TEST

/* ------------------------------------------------------------ config */

static const char *minimal =
    "interface eth1\ncertificate /c.pem\nprivate-key /c.key\n"
    "radius-server 192.0.2.1 s3cret\nnas-identifier ar-1\n";

START_TEST(minimal_config_gets_the_defaults)
{
	struct ard_config c;

	ck_assert_int_eq(ard_config_parse(minimal, "t", &c, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(c.timestamp_window, 300);
	ck_assert_uint_eq(c.radius[0].port, 1812);
	ck_assert_uint_eq(c.ra.cur_hop_limit, 64);
	ck_assert_uint_eq(c.ra.router_lifetime, 1800);
	ck_assert_uint_eq(c.max_pending, 64);
	ard_config_clear(&c);
}
END_TEST

START_TEST(prefix_line_sets_lifetimes_and_flags)
{
	struct ard_config c;
	char text[512];

	snprintf(text, sizeof(text), "%sra-prefix 2001:db8:1::/64 valid 600 "
	    "preferred 300 no-autonomous\n", minimal);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_prefix, 1);
	ck_assert_uint_eq(c.prefix[0].len, 64);
	ck_assert_uint_eq(c.prefix[0].valid, 600);
	ck_assert_uint_eq(c.prefix[0].preferred, 300);
	ck_assert_uint_eq(c.prefix[0].flags, 0x80);
}
END_TEST

START_TEST(bad_line_is_named_by_file_and_line)
{
	struct ard_config c;
	char text[512];

	snprintf(text, sizeof(text), "%sra-mtu 900\n", minimal);
	ck_assert_int_eq(ard_config_parse(text, "ard.conf", &c, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "ard.conf:6: ra-mtu: 900 is out of range "
	    "1280..65535");
}
END_TEST

START_TEST(bad_radius_line_does_not_show_the_secret)
{
	struct ard_config c;

	ck_assert_int_eq(ard_config_parse("radius-server host.example "
	    "topsecret\n", "t", &c, err, sizeof(err)), -1);
	ck_assert_ptr_null(strstr(err, "topsecret"));
	ck_assert_str_eq(err, "t:1: radius-server: 'host.example' is not a "
	    "numeric address");
}
END_TEST

START_TEST(config_without_interface_is_refused)
{
	struct ard_config c;

	ck_assert_int_eq(ard_config_parse("nas-identifier x\n", "t", &c, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t: no interface");
}
END_TEST

START_TEST(das_lines)
{
	struct ard_config c;
	const struct sockaddr_in6 *l;
	const struct sockaddr_in *cl;
	char text[1024];

	ck_assert_int_eq(ard_config_parse(minimal, "t", &c, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.das.have_listen, 0);
	ck_assert_uint_eq(c.das.window, 300);
	snprintf(text, sizeof(text), "%sdas-listen 2001:db8::1\n"
	    "das-client 192.0.2.10 push-secret\ndas-window 60\n", minimal);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)), 0);
	l = (const struct sockaddr_in6 *)&c.das.listen;
	ck_assert_int_eq(l->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(l->sin6_port), 3799);
	ck_assert_uint_eq(c.das.n_clients, 1);
	cl = (const struct sockaddr_in *)&c.das.client[0].addr;
	ck_assert_int_eq(cl->sin_family, AF_INET);
	ck_assert_str_eq(c.das.client[0].secret, "push-secret");
	ck_assert_uint_eq(c.das.window, 60);
	ard_config_clear(&c);
	ck_assert_str_eq(c.das.client[0].secret, "");

	snprintf(text, sizeof(text), "%sdas-client 192.0.2.10 s3cr3t\n",
	    minimal);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "t: das-client needs das-listen");
	snprintf(text, sizeof(text), "%sdas-listen 192.0.2.1 3799\n", minimal);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "t: das-listen needs at least one das-client");
	snprintf(text, sizeof(text), "%sdas-listen 192.0.2.1\n"
	    "das-client host.example s3cr3t\n", minimal);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "not a numeric address"));
	ck_assert_ptr_null(strstr(err, "s3cr3t"));
	snprintf(text, sizeof(text), "%sdas-listen 192.0.2.1 0\n", minimal);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)),
	    -1);
}
END_TEST

START_TEST(control_socket_is_off_unless_configured)
{
	struct ard_config c;
	char text[512];

	ck_assert_int_eq(ard_config_parse(minimal, "t", &c, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(c.control_socket, "");
	snprintf(text, sizeof(text), "%scontrol-socket /run/gkey-ard/a.sock\n",
	    minimal);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.control_socket, "/run/gkey-ard/a.sock");
	ard_config_clear(&c);
}
END_TEST

START_TEST(control_socket_must_be_absolute_and_fit_sun_path)
{
	struct ard_config c;
	char text[512], path[ARD_CTL_PATH_MAX + 1];

	snprintf(text, sizeof(text), "%scontrol-socket a.sock\n", minimal);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "t:6: control-socket: 'a.sock' is not an "
	    "absolute path");
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(text, sizeof(text), "%scontrol-socket %s\n", minimal, path);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "t:6: control-socket: longer than 107 octets");
	/* 107 octets fit. */
	path[sizeof(path) - 2] = '\0';
	snprintf(text, sizeof(text), "%scontrol-socket %s\n", minimal, path);
	ck_assert_int_eq(ard_config_parse(text, "t", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.control_socket, path);
	ard_config_clear(&c);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("ard");
	TCase *r = tcase_create("rs"), *p = tcase_create("replay-rate");
	TCase *a = tcase_create("answer"), *c = tcase_create("config");

	tcase_add_checked_fixture(r, setup, NULL);
	tcase_add_test(r, signed_rs_in_window_passes);
	tcase_add_test(r, rs_with_hop_limit_64_is_dropped);
	tcase_add_test(r, rs_301_seconds_old_is_dropped);
	tcase_add_test(r, rs_from_the_future_is_dropped);
	tcase_add_test(r, rs_signed_for_another_source_is_dropped);
	tcase_add_test(r, plain_rs_is_not_ours);
	suite_add_tcase(s, r);

	tcase_add_checked_fixture(p, setup, NULL);
	tcase_add_test(p, nonce_seen_twice_from_one_source_is_a_replay);
	tcase_add_test(p, same_nonce_from_another_source_is_not_a_replay);
	tcase_add_test(p, nonce_is_forgotten_after_twice_the_window);
	tcase_add_test(p, full_replay_cache_refuses_instead_of_forgetting);
	tcase_add_test(p, source_over_its_burst_is_limited_then_refilled);
	tcase_add_test(p, total_rate_limits_every_source_together);
	tcase_add_test(p, source_table_forgets_the_least_recently_used);
	suite_add_tcase(s, p);

	tcase_add_checked_fixture(a, tmpl_setup, NULL);
	tcase_add_test(a, three_records_of_157_octets_fit_one_ra);
	tcase_add_test(a, four_records_of_157_octets_take_two_parts);
	tcase_add_test(a, status_answer_is_part_1_of_1_without_records);
	tcase_add_test(a, record_too_big_for_any_ra_fails_the_answer);
	tcase_add_test(a, refresh_is_the_session_timeout);
	tcase_add_test(a,
	    refresh_without_session_timeout_is_80_percent_of_not_after);
	suite_add_tcase(s, a);

	tcase_add_checked_fixture(c, setup, NULL);
	tcase_add_test(c, minimal_config_gets_the_defaults);
	tcase_add_test(c, prefix_line_sets_lifetimes_and_flags);
	tcase_add_test(c, bad_line_is_named_by_file_and_line);
	tcase_add_test(c, bad_radius_line_does_not_show_the_secret);
	tcase_add_test(c, config_without_interface_is_refused);
	tcase_add_test(c, control_socket_is_off_unless_configured);
	tcase_add_test(c, das_lines);
	tcase_add_test(c, control_socket_must_be_absolute_and_fit_sun_path);
	suite_add_tcase(s, c);
	return s;
}
