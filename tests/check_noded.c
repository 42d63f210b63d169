/*
 * check_noded.c - unit tests for gkey-noded's decisions
 * (node/noded_core.c) and configuration (node/noded_conf.c): the RA
 * checks against the trust anchor, the assembly of parts, the key store
 * and its file, and the schedule.
 *
 * One behaviour per test; the names are the specification.
 */
#include <sys/stat.h>
#include <arpa/inet.h>

#include <check.h>

#include "check_main.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nd_crypto.h"
#include "nd_msg.h"
#include "nd_testutil.h"
#include "noded_conf.h"
#include "noded_core.h"

static const struct tcert CA = { "Routers CA", 1,
	"critical,keyCertSign,cRLSign", NULL, -3600, 86400 };
static const struct tcert AR = { "ar-1", 0, "digitalSignature",
	"sendRouter", -3600, 86400 };

static struct in6_addr ar, node;
static uint8_t pkt[ND_MSG_MAX];
static size_t len;
static char err[NODED_ERRLEN];
static EVP_PKEY *cak, *ark;
static X509 *ca, *arc;
static struct noded_trust trust;

static void
setup(void)
{
	inet_pton(AF_INET6, "fe80::a", &ar);
	inet_pton(AF_INET6, "fe80::1", &node);
	cak = t_p256();
	ark = t_p256();
	ca = t_cert(cak, &CA, NULL, NULL);
	arc = t_cert(ark, &AR, ca, cak);
	memset(&trust, 0, sizeof(trust));
	trust.anchor = ca;
	trust.window = 300;
	err[0] = '\0';
}

static void
teardown(void)
{
	X509_free(arc);
	X509_free(ca);
	EVP_PKEY_free(ark);
	EVP_PKEY_free(cak);
}

static uint64_t
now_ts(void)
{
	return nd_timestamp((uint64_t)time(NULL), 0);
}

/* An RA part from ar to node signed by key for certificate cert. */
static void
ra(X509 *cert, EVP_PKEY *key, const uint8_t *nonce, uint8_t idx,
    uint8_t count, uint64_t ts)
{
	static const struct nd_ra_hdr h = { 64, 0, 1800, 0, 0 };
	static const uint8_t rec[120] = { 1 };
	uint8_t der[1024];
	size_t dl = t_der(cert, der, sizeof(der));
	struct nd_builder b;

	nd_build_ra(&b, pkt, sizeof(pkt), &h);
	if (nonce != NULL)
		nd_build_nonce(&b, nonce, 6);
	nd_build_timestamp(&b, ts);
	nd_build_gkey(&b, ND_GK_CERT, der, dl);
	nd_build_part(&b, idx, count);
	nd_build_gkey(&b, ND_GK_RECORD, rec, sizeof(rec));
	nd_build_refresh(&b, 600);
	ck_assert_int_eq(nd_sign_finish(&b, key, ar.s6_addr, node.s6_addr,
	    &len), 0);
}

static const uint8_t nonce1[6] = { 1, 1, 1, 1, 1, 1 };
static const uint8_t nonce2[6] = { 2, 2, 2, 2, 2, 2 };

static int
check(int hop)
{
	struct nd_msg m;

	return noded_ra_check(&trust, pkt, len, hop, &ar, &node, now_ts(),
	    time(NULL), &m, err, sizeof(err));
}

/* ------------------------------------------------------------ RA */

START_TEST(ra_from_a_trusted_router_passes)
{
	ra(arc, ark, nonce1, 1, 1, now_ts());
	ck_assert_int_eq(check(255), NODED_RA_OK);
}
END_TEST

START_TEST(ra_with_hop_limit_254_is_ignored)
{
	ra(arc, ark, nonce1, 1, 1, now_ts());
	ck_assert_int_eq(check(254), NODED_RA_DROP);
	ck_assert_str_eq(err, "hop limit 254, not 255");
}
END_TEST

START_TEST(ra_from_a_global_address_is_ignored)
{
	struct nd_msg m;
	struct in6_addr g;

	inet_pton(AF_INET6, "2001:db8::a", &g);
	ra(arc, ark, nonce1, 1, 1, now_ts());
	ck_assert_int_eq(noded_ra_check(&trust, pkt, len, 255, &g, &node,
	    now_ts(), time(NULL), &m, err, sizeof(err)), NODED_RA_DROP);
	ck_assert_str_eq(err, "source address is not link-local");
}
END_TEST

START_TEST(ra_outside_the_timestamp_window_is_ignored)
{
	ra(arc, ark, nonce1, 1, 1, now_ts() - ((uint64_t)600 << 16));
	ck_assert_int_eq(check(255), NODED_RA_DROP);
	ck_assert_str_eq(err, "timestamp 600 s off, outside the 300 s window");
}
END_TEST

START_TEST(ra_from_a_router_of_another_ca_is_ignored)
{
	EVP_PKEY *ok = t_p256(), *rk = t_p256();
	struct tcert os = CA;
	X509 *oca, *rc;

	os.cn = "Other CA";
	oca = t_cert(ok, &os, NULL, NULL);
	rc = t_cert(rk, &AR, oca, ok);
	ra(rc, rk, nonce1, 1, 1, now_ts());
	ck_assert_int_eq(check(255), NODED_RA_DROP);
	ck_assert_str_eq(err, "AR certificate is not issued by the trust "
	    "anchor (issuer name differs)");
	X509_free(rc);
	X509_free(oca);
	EVP_PKEY_free(ok);
	EVP_PKEY_free(rk);
}
END_TEST

START_TEST(ra_from_a_node_certificate_is_ignored)
{
	EVP_PKEY *nk = t_p256();
	struct tcert ns = AR;
	X509 *nc;

	ns.eku = "clientAuth";
	nc = t_cert(nk, &ns, ca, cak);
	ra(nc, nk, nonce1, 1, 1, now_ts());
	ck_assert_int_eq(check(255), NODED_RA_DROP);
	ck_assert_str_eq(err, "AR certificate lacks id-kp-sendRouter in "
	    "extendedKeyUsage");
	X509_free(nc);
	EVP_PKEY_free(nk);
}
END_TEST

START_TEST(ra_with_a_changed_byte_is_ignored)
{
	ra(arc, ark, nonce1, 1, 1, now_ts());
	pkt[len - ND_SIG_OPT_LEN - 20] ^= 0x40;
	ck_assert_int_eq(check(255), NODED_RA_DROP);
	ck_assert_str_eq(err, "signature does not verify");
}
END_TEST

START_TEST(ra_signed_by_another_key_is_ignored)
{
	EVP_PKEY *k = t_p256();

	ra(arc, k, nonce1, 1, 1, now_ts());
	ck_assert_int_eq(check(255), NODED_RA_DROP);
	ck_assert_str_eq(err, "signature does not verify");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(plain_ra_is_left_alone)
{
	struct nd_builder b;
	static const struct nd_ra_hdr h = { 64, 0, 1800, 0, 0 };

	nd_build_ra(&b, pkt, sizeof(pkt), &h);
	len = b.len;
	ck_assert_int_eq(check(255), NODED_RA_PLAIN);
}
END_TEST

/* ------------------------------------------------------------ assembly */

static int
add(struct noded_asm_table *t, struct noded_asm **done, uint64_t now)
{
	struct nd_msg m;

	ck_assert_int_eq(nd_msg_parse(pkt, len, &m, err, sizeof(err)), 0);
	return noded_asm_add(t, &ar, &m, now, done, err, sizeof(err));
}

START_TEST(parts_complete_in_any_order)
{
	static struct noded_asm_table t;
	struct noded_asm *done;

	noded_asm_clear(&t);
	ra(arc, ark, nonce1, 3, 3, now_ts());
	ck_assert_int_eq(add(&t, &done, 1), 0);
	ra(arc, ark, nonce1, 1, 3, now_ts());
	ck_assert_int_eq(add(&t, &done, 2), 0);
	ra(arc, ark, nonce1, 2, 3, now_ts());
	ck_assert_int_eq(add(&t, &done, 3), 1);
	ck_assert_ptr_nonnull(done);
	ck_assert_uint_eq(done->have, 3);
	ck_assert_uint_gt(done->len[0], 0);
}
END_TEST

START_TEST(a_part_twice_does_not_complete_the_answer)
{
	static struct noded_asm_table t;
	struct noded_asm *done;

	noded_asm_clear(&t);
	ra(arc, ark, nonce1, 1, 2, now_ts());
	ck_assert_int_eq(add(&t, &done, 1), 0);
	ck_assert_int_eq(add(&t, &done, 2), 0);
	ck_assert_ptr_null(done);
}
END_TEST

START_TEST(parts_of_another_nonce_are_another_answer)
{
	static struct noded_asm_table t;
	struct noded_asm *done;

	noded_asm_clear(&t);
	ra(arc, ark, nonce1, 1, 2, now_ts());
	ck_assert_int_eq(add(&t, &done, 1), 0);
	ra(arc, ark, nonce2, 2, 2, now_ts());
	ck_assert_int_eq(add(&t, &done, 2), 0);
	ck_assert_ptr_null(done);
}
END_TEST

START_TEST(a_part_with_another_count_drops_the_answer)
{
	static struct noded_asm_table t;
	struct noded_asm *done;

	noded_asm_clear(&t);
	ra(arc, ark, nonce1, 1, 2, now_ts());
	ck_assert_int_eq(add(&t, &done, 1), 0);
	ra(arc, ark, nonce1, 2, 3, now_ts());
	ck_assert_int_eq(add(&t, &done, 2), -1);
	ck_assert_str_eq(err, "part 2 says 3 parts, an earlier part said 2");
}
END_TEST

/* ------------------------------------------------------------ keys */

static struct gkey_record
rec(uint32_t app, uint32_t epoch, uint64_t not_after, const char *name)
{
	struct gkey_record r;

	memset(&r, 0, sizeof(r));
	r.app_id = app;
	r.epoch = epoch;
	r.not_before = 1000;
	r.not_after = not_after;
	r.name = (const uint8_t *)name;
	r.name_len = strlen(name);
	return r;
}

static const uint8_t gk[16] = { 0xaa, 0xbb };

START_TEST(new_epoch_is_kept_beside_the_old_one)
{
	static struct noded_keys ks;
	struct gkey_record r1 = rec(1, 1, 5000, "home"), r2 = rec(1, 2, 6000,
	    "home");

	noded_keys_clear(&ks);
	ck_assert_int_eq(noded_keys_put(&ks, &r1, gk, 16, 0), 1);
	ck_assert_int_eq(noded_keys_put(&ks, &r2, gk, 16, 0), 1);
	ck_assert_int_eq(noded_keys_put(&ks, &r1, gk, 16, 0), 0);
	ck_assert_uint_eq(noded_keys_count(&ks), 2);
	ck_assert_uint_eq(noded_keys_earliest(&ks), 5000);
}
END_TEST

START_TEST(pushed_record_is_taken_only_for_a_newer_epoch)
{
	static struct noded_keys ks;
	struct gkey_record r2 = rec(1, 2, 6000, "home"), r1 = rec(1, 1, 5000,
	    "home"), r3 = rec(1, 3, 7000, "home");

	noded_keys_clear(&ks);
	ck_assert_int_eq(noded_keys_put(&ks, &r2, gk, 16, 0), 1);
	ck_assert_int_eq(noded_keys_put(&ks, &r1, gk, 16, 1), 0);
	ck_assert_int_eq(noded_keys_put(&ks, &r3, gk, 16, 1), 1);
	ck_assert_uint_eq(noded_keys_count(&ks), 2);
}
END_TEST

START_TEST(expired_keys_are_removed_and_wiped)
{
	static struct noded_keys ks;
	struct gkey_record r1 = rec(1, 1, 5000, "home"), r2 = rec(2, 1, 9000,
	    "lights");
	size_t i;

	noded_keys_clear(&ks);
	noded_keys_put(&ks, &r1, gk, 16, 0);
	noded_keys_put(&ks, &r2, gk, 16, 0);
	ck_assert_int_eq(noded_keys_expire(&ks, 5000), 1);
	ck_assert_uint_eq(noded_keys_count(&ks), 1);
	for (i = 0; i < NODED_KEYS_MAX; i++)
		if (!ks.k[i].in_use)
			ck_assert_uint_eq(ks.k[i].gk[0], 0);
}
END_TEST

START_TEST(key_file_is_0600_and_ordered_by_app_then_epoch)
{
	static struct noded_keys ks;
	struct gkey_record a2 = rec(2, 1, 9000, "lights"), a1e2 = rec(1, 2,
	    9000, "home"), a1e1 = rec(1, 1, 9000, "home");
	char dir[] = "/tmp/check_noded.XXXXXX", path[64], line[3][256];
	struct stat st;
	FILE *fp;
	int i;

	noded_keys_clear(&ks);
	noded_keys_put(&ks, &a2, gk, 16, 0);
	noded_keys_put(&ks, &a1e2, gk, 16, 0);
	noded_keys_put(&ks, &a1e1, gk, 16, 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keys", dir);
	ck_assert_int_eq(noded_keys_write(&ks, path, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	for (i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(fgets(line[i], sizeof(line[i]), fp));
	ck_assert_ptr_null(fgets(line[0], sizeof(line[0]), fp));
	fclose(fp);
	ck_assert_ptr_eq(strstr(line[1], "app=home id=1 epoch=2 "), line[1]);
	ck_assert_ptr_eq(strstr(line[2], "app=lights id=2 epoch=1 "), line[2]);
	ck_assert_str_eq(line[0], "app=home id=1 epoch=1 "
	    "not_before=1970-01-01T00:16:40Z not_after=1970-01-01T02:30:00Z "
	    "gk=aabb0000000000000000000000000000\n");
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ------------------------------------------------------------ schedule */

START_TEST(next_refresh_is_refresh_when_sooner)
{
	ck_assert_uint_eq(noded_next_refresh(600, 100000, 1000), 600);
}
END_TEST

START_TEST(next_refresh_is_80_percent_of_not_after_when_sooner)
{
	ck_assert_uint_eq(noded_next_refresh(86400, 2000, 1000), 800);
}
END_TEST

START_TEST(jitter_stays_within_its_percent)
{
	ck_assert_uint_eq(noded_jitter(1000, 10, 0.0), 900);
	ck_assert_uint_eq(noded_jitter(1000, 10, 0.5), 1000);
	ck_assert_uint_le(noded_jitter(1000, 10, 0.999999), 1100);
	ck_assert_uint_eq(noded_jitter(1000, 0, 0.9), 1000);
}
END_TEST

/* ------------------------------------------------------------ config */

START_TEST(config_needs_a_trust_anchor)
{
	struct noded_config c;

	ck_assert_int_eq(noded_config_parse("interface wlan0\n"
	    "certificate /c\nprivate-key /k\nkey-server /s\nkey-file /f\n",
	    "n.conf", &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "n.conf: no trust-anchor");
}
END_TEST

START_TEST(config_refuses_an_app_name_over_64_octets)
{
	struct noded_config c;
	char text[256];

	snprintf(text, sizeof(text), "request-app %065d\n", 0);
	ck_assert_int_eq(noded_config_parse(text, "n.conf", &c, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "n.conf:1: request-app: 1..64 octets of UTF-8");
}
END_TEST

/* Each bad line is refused with its file:line and the same words. */
START_TEST(config_refuses_bad_lines_with_file_and_line)
{
	static const struct {
		const char	*text;
		const char	*err;
	} t[] = {
		{ "# comment\n\ninterface\n",
		    "n.conf:3: interface takes one argument" },
		{ "interface a b\n", "n.conf:1: interface takes one argument" },
		{ "bogus 1\n", "n.conf:1: unknown keyword 'bogus'" },
		{ "a b c d e\n", "n.conf:1: too many words" },
		{ "timestamp-window 0\n",
		    "n.conf:1: timestamp-window: 0 is out of range 1..3600" },
		{ "jitter-percent 5x\n",
		    "n.conf:1: jitter-percent: '5x' is not a number" },
		{ "retry-max-ms -1\n",
		    "n.conf:1: retry-max-ms: '-1' is not a number" },
		{ "interface abcdefghijklmnop\n",
		    "n.conf:1: interface: longer than 15 octets" },
		{ "solicit-to ff02::zz\n",
		    "n.conf:1: solicit-to: 'ff02::zz' is not an IPv6 address" },
	};
	struct noded_config c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(noded_config_parse(t[i].text, "n.conf", &c,
		    err, sizeof(err)), -1);
		ck_assert_str_eq(err, t[i].err);
	}
}
END_TEST

START_TEST(config_takes_strings_and_numbers_from_the_table)
{
	struct noded_config c;

	ck_assert_int_eq(noded_config_parse("interface wlan0 # the radio\n"
	    "certificate /c\nprivate-key /k\ntrust-anchor /t\n"
	    "key-server /s1\nkey-server /s2\nkey-file /f\nuser gkey\n"
	    "answer-wait-ms 100\njitter-percent 50\n",
	    "n.conf", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.interface, "wlan0");
	ck_assert_str_eq(c.trust_anchor, "/t");
	ck_assert_str_eq(c.key_server[1], "/s2");
	ck_assert_uint_eq(c.n_key_servers, 2);
	ck_assert_str_eq(c.user, "gkey");
	ck_assert_uint_eq(c.answer_wait_ms, 100);
	ck_assert_uint_eq(c.jitter_percent, 50);
	ck_assert_uint_eq(c.timestamp_window, 300);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("noded");
	TCase *r = tcase_create("ra"), *a = tcase_create("assembly");
	TCase *k = tcase_create("keys"), *c = tcase_create("schedule-config");

	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(r, ra_from_a_trusted_router_passes);
	tcase_add_test(r, ra_with_hop_limit_254_is_ignored);
	tcase_add_test(r, ra_from_a_global_address_is_ignored);
	tcase_add_test(r, ra_outside_the_timestamp_window_is_ignored);
	tcase_add_test(r, ra_from_a_router_of_another_ca_is_ignored);
	tcase_add_test(r, ra_from_a_node_certificate_is_ignored);
	tcase_add_test(r, ra_with_a_changed_byte_is_ignored);
	tcase_add_test(r, ra_signed_by_another_key_is_ignored);
	tcase_add_test(r, plain_ra_is_left_alone);
	suite_add_tcase(s, r);

	tcase_add_checked_fixture(a, setup, teardown);
	tcase_add_test(a, parts_complete_in_any_order);
	tcase_add_test(a, a_part_twice_does_not_complete_the_answer);
	tcase_add_test(a, parts_of_another_nonce_are_another_answer);
	tcase_add_test(a, a_part_with_another_count_drops_the_answer);
	suite_add_tcase(s, a);

	tcase_add_test(k, new_epoch_is_kept_beside_the_old_one);
	tcase_add_test(k, pushed_record_is_taken_only_for_a_newer_epoch);
	tcase_add_test(k, expired_keys_are_removed_and_wiped);
	tcase_add_test(k, key_file_is_0600_and_ordered_by_app_then_epoch);
	suite_add_tcase(s, k);

	tcase_add_test(c, next_refresh_is_refresh_when_sooner);
	tcase_add_test(c, next_refresh_is_80_percent_of_not_after_when_sooner);
	tcase_add_test(c, jitter_stays_within_its_percent);
	tcase_add_test(c, config_needs_a_trust_anchor);
	tcase_add_test(c, config_refuses_an_app_name_over_64_octets);
	tcase_add_test(c, config_refuses_bad_lines_with_file_and_line);
	tcase_add_test(c, config_takes_strings_and_numbers_from_the_table);
	suite_add_tcase(s, c);
	return s;
}
