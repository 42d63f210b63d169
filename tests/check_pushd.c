/*
 * check_pushd.c - unit tests for gkey-pushd's pure parts
 * (pushd/pushd_core.c, pushd/pushd_conf.c): the payload it acts on, the
 * pacing schedule, the rate gate, the back-off arithmetic, what an answer
 * means, the configuration, and the epochs compared after a reconnection.
 *
 * One behaviour per test; the names are the specification.
 */
#include <check.h>

#include "check_main.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "pushd_conf.h"
#include "pushd_core.h"

static char err[PUSHD_CONF_ERRLEN];

/* ------------------------------------------------------------ payload */

START_TEST(epoch_payload_names_app_and_epoch)
{
	uint32_t a = 0, e = 0;

	ck_assert_int_eq(pushd_parse_payload("epoch 7 42", 10, &a, &e), 1);
	ck_assert_uint_eq(a, 7);
	ck_assert_uint_eq(e, 42);
	ck_assert_int_eq(pushd_parse_payload("epoch 4294967295 2147483647",
	    27, &a, &e), 1);
	ck_assert_uint_eq(a, 4294967295U);
	ck_assert_uint_eq(e, 2147483647U);
}
END_TEST

START_TEST(other_payloads_are_ignored)
{
	static const char *no[] = { "app 7", "identity 3", "all", "epoch 7",
	    "epoch 7 ", "epoch  7 1", "epoch 07 1", "epoch 7 0", "epoch 0 1",
	    "epoch 4294967296 1", "epoch 1 2147483648", "epoch 1 2 3",
	    "epoch -1 2", "epoch 1 +2", "Epoch 1 2", "" };
	uint32_t a = 99, e = 99;
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(pushd_parse_payload(no[i], strlen(no[i]), &a,
		    &e) == 0, "'%s' was taken", no[i]);
	ck_assert_uint_eq(a, 99);
	ck_assert_uint_eq(e, 99);
}
END_TEST

START_TEST(payload_is_read_only_within_its_length)
{
	uint32_t a, e;

	/* "epoch 1 2" followed by junk that the length excludes. */
	ck_assert_int_eq(pushd_parse_payload("epoch 1 2999", 9, &a, &e), 1);
	ck_assert_uint_eq(e, 2);
}
END_TEST

/* ------------------------------------------------------------ back-off */

START_TEST(backoff_doubles_from_the_timeout)
{
	ck_assert_uint_eq(pushd_backoff_ms(200, 1), 200);
	ck_assert_uint_eq(pushd_backoff_ms(200, 2), 400);
	ck_assert_uint_eq(pushd_backoff_ms(200, 3), 800);
	ck_assert_uint_eq(pushd_backoff_ms(200, 4), 1600);
}
END_TEST

START_TEST(backoff_is_capped_and_never_overflows)
{
	ck_assert_uint_eq(pushd_backoff_ms(1000, 7), 60000);
	ck_assert_uint_eq(pushd_backoff_ms(1000, 1000), PUSHD_BACKOFF_MAX_MS);
	ck_assert_uint_eq(pushd_backoff_ms(60000, 5), 60000);
	ck_assert_uint_eq(pushd_backoff_ms(4000000000U, 3), 4000000000U);
}
END_TEST

START_TEST(giveup_is_the_sum_of_every_wait)
{
	/* 200 + 400 + 800 + 1600 */
	ck_assert_uint_eq(pushd_giveup_ms(200, 3), 3000);
	ck_assert_uint_eq(pushd_giveup_ms(1000, 0), 1000);
}
END_TEST

/* ------------------------------------------------------------ pacing */

static uint32_t seq;

static uint32_t
counter_rnd(void)
{
	/* A spread of values, not in order. */
	seq = seq * 1103515245U + 12345U;
	return seq;
}

static uint32_t
max_rnd(void)
{
	return UINT32_MAX;
}

START_TEST(jitter_is_sorted_and_inside_the_window)
{
	uint64_t off[1000];
	size_t i;

	seq = 1;
	pushd_jitter(off, 1000, 500, counter_rnd);
	for (i = 0; i < 1000; i++) {
		ck_assert_uint_lt(off[i], 500000);
		if (i > 0)
			ck_assert_uint_le(off[i - 1], off[i]);
	}
	/* Spread: the first and last tenth of the window are used. */
	ck_assert_uint_lt(off[0], 50000);
	ck_assert_uint_gt(off[999], 450000);
}
END_TEST

START_TEST(largest_random_value_stays_below_the_window)
{
	uint64_t off[3];

	pushd_jitter(off, 3, 500, max_rnd);
	ck_assert_uint_eq(off[2], 499999);
}
END_TEST

START_TEST(no_window_means_no_jitter)
{
	uint64_t off[4] = { 9, 9, 9, 9 };

	seq = 1;
	pushd_jitter(off, 4, 0, counter_rnd);
	ck_assert_uint_eq(off[0] + off[1] + off[2] + off[3], 0);
}
END_TEST

START_TEST(rate_gap_rounds_up)
{
	ck_assert_uint_eq(pushd_rate_gap_us(100), 10000);
	ck_assert_uint_eq(pushd_rate_gap_us(2000), 500);
	ck_assert_uint_eq(pushd_rate_gap_us(3), 333334);
}
END_TEST

START_TEST(spread_is_the_window_or_the_rate_whichever_is_longer)
{
	/* 10,000 nodes at 2000/s: 5 s; 200 at 100/s: 1.99 s; a few: 0.5 s. */
	ck_assert_uint_eq(pushd_spread_ms(10000, 500, 2000), 5000);
	ck_assert_uint_eq(pushd_spread_ms(200, 500, 100), 1990);
	ck_assert_uint_eq(pushd_spread_ms(10, 500, 2000), 500);
	ck_assert_uint_eq(pushd_spread_ms(0, 500, 2000), 0);
	ck_assert_uint_eq(pushd_spread_ms(1, 0, 1), 0);
}
END_TEST

START_TEST(gate_spaces_transmissions_by_the_gap)
{
	uint64_t next = 0, t = 1000000, sent = 0, last = 0;

	/* Ask every 100 us for 1 s at 2000/s: 2000 pass, 500 us apart. */
	for (; t < 2000000; t += 100)
		if (pushd_gate_take(&next, t, 500)) {
			if (sent > 0)
				ck_assert_uint_ge(t - last, 500);
			last = t;
			sent++;
		}
	ck_assert_uint_eq(sent, 2000);
}
END_TEST

START_TEST(idle_gate_grants_no_burst)
{
	uint64_t next = 0;

	ck_assert_int_eq(pushd_gate_take(&next, 5000000, 10000), 1);
	/* Idle for 10 s, then two at once: the second waits a gap. */
	ck_assert_int_eq(pushd_gate_take(&next, 15000000, 10000), 1);
	ck_assert_int_eq(pushd_gate_take(&next, 15000000, 10000), 0);
	ck_assert_uint_eq(next, 15010000);
	ck_assert_int_eq(pushd_gate_take(&next, 15010000, 10000), 1);
}
END_TEST

START_TEST(late_gate_keeps_its_schedule)
{
	uint64_t next = 1000;

	/* Woken 300 us late with a 1000 us gap: the next slot stays 2000. */
	ck_assert_int_eq(pushd_gate_take(&next, 1300, 1000), 1);
	ck_assert_uint_eq(next, 2000);
}
END_TEST

/* ------------------------------------------------------------ answers */

START_TEST(nak_507_and_ack_are_delivered)
{
	ck_assert_int_eq(pushd_classify(45, 507), PUSHD_DELIVERED);
	ck_assert_int_eq(pushd_classify(44, 0), PUSHD_DELIVERED);
}
END_TEST

START_TEST(nak_503_means_not_there)
{
	ck_assert_int_eq(pushd_classify(45, 503), PUSHD_NOT_THERE);
}
END_TEST

START_TEST(other_naks_are_refusals)
{
	ck_assert_int_eq(pushd_classify(45, 0), PUSHD_REFUSED);
	ck_assert_int_eq(pushd_classify(45, 401), PUSHD_REFUSED);
	ck_assert_int_eq(pushd_classify(45, 403), PUSHD_REFUSED);
	ck_assert_int_eq(pushd_classify(45, 506), PUSHD_REFUSED);
	ck_assert_int_eq(pushd_classify(41, 507), PUSHD_REFUSED);
	ck_assert_str_eq(pushd_cause_name(403), "NAS Identification Mismatch");
	ck_assert_str_eq(pushd_cause_name(9999), "unknown");
}
END_TEST

static size_t
packet(uint8_t *p, const uint8_t *attrs, size_t alen)
{
	memset(p, 0, 20);
	p[0] = 45;
	p[2] = (uint8_t)((20 + alen) >> 8);
	p[3] = (uint8_t)(20 + alen);
	memcpy(p + 20, attrs, alen);
	return 20 + alen;
}

START_TEST(one_message_authenticator_is_found)
{
	uint8_t p[128], a[24] = { 101, 6, 0, 0, 1, 251, 80, 18 };

	ck_assert_int_eq(pushd_has_one_ma(p, packet(p, a, 24)), 1);
	ck_assert_int_eq(pushd_has_one_ma(p, packet(p, a, 6)), 0);
}
END_TEST

START_TEST(two_or_short_message_authenticators_are_refused)
{
	uint8_t p[128], two[36] = { 80, 18 }, bad[10] = { 80, 10 };

	two[18] = 80;
	two[19] = 18;
	ck_assert_int_eq(pushd_has_one_ma(p, packet(p, two, 36)), 0);
	ck_assert_int_eq(pushd_has_one_ma(p, packet(p, bad, 10)), 0);
}
END_TEST

START_TEST(attribute_overrunning_the_packet_is_refused)
{
	uint8_t p[128], a[20] = { 80, 18 };
	size_t n;

	a[18] = 1;
	a[19] = 9;	/* 9 octets, 2 left */
	n = packet(p, a, 20);
	ck_assert_int_eq(pushd_has_one_ma(p, n), 0);
	/* Length field beyond the datagram. */
	p[3] = (uint8_t)(n + 1);
	ck_assert_int_eq(pushd_has_one_ma(p, n), 0);
	ck_assert_int_eq(pushd_has_one_ma(p, 19), 0);
}
END_TEST

/*
 * A CoA-NAK with Error-Cause 507 and a Message-Authenticator over
 * vector (the request's authenticator, or zeros), then its Response
 * Authenticator over req, as a DAS computes them.
 */
static size_t
signed_nak(uint8_t *p, const uint8_t *req, const uint8_t *vector,
    const char *secret)
{
	uint8_t a[24] = { 101, 6, 0, 0, 1, 251, 80, 18 }, mac[64];
	unsigned int mlen, dlen;
	size_t n = packet(p, a, 24);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	memcpy(p + 4, vector, 16);
	HMAC(EVP_md5(), secret, (int)strlen(secret), p, n, mac, &mlen);
	memcpy(p + 28, mac, 16);
	memcpy(p + 4, req, 16);
	EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
	EVP_DigestUpdate(ctx, p, n);
	EVP_DigestUpdate(ctx, secret, strlen(secret));
	EVP_DigestFinal_ex(ctx, mac, &dlen);
	EVP_MD_CTX_free(ctx);
	memcpy(p + 4, mac, 16);
	return n;
}

static const uint8_t REQ[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
	14, 15, 16 };
static const uint8_t ZERO[16];

START_TEST(answer_signed_as_rfc_5176_says_verifies)
{
	uint8_t p[128];
	size_t n = signed_nak(p, REQ, REQ, "s3cret");

	ck_assert_int_eq(pushd_answer_auth(p, n, REQ, "s3cret"), PUSHD_MA_RFC);
}
END_TEST

START_TEST(answer_signed_over_zeros_verifies_as_such)
{
	uint8_t p[128];
	size_t n = signed_nak(p, REQ, ZERO, "s3cret");

	ck_assert_int_eq(pushd_answer_auth(p, n, REQ, "s3cret"), PUSHD_MA_ZERO);
}
END_TEST

START_TEST(answer_with_another_secret_or_request_is_refused)
{
	uint8_t p[128], other[16] = { 0xff };
	size_t n = signed_nak(p, REQ, REQ, "s3cret");

	ck_assert_int_eq(pushd_answer_auth(p, n, REQ, "S3cret"), PUSHD_MA_BAD);
	ck_assert_int_eq(pushd_answer_auth(p, n, other, "s3cret"), PUSHD_MA_BAD);
	/* One flipped bit of the Error-Cause. */
	p[25] ^= 1;
	ck_assert_int_eq(pushd_answer_auth(p, n, REQ, "s3cret"), PUSHD_MA_BAD);
}
END_TEST

START_TEST(answer_with_good_response_auth_but_bad_ma_is_refused)
{
	uint8_t p[128], mac[64];
	unsigned int dlen;
	size_t n = signed_nak(p, REQ, REQ, "s3cret");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	/* A forged MA with the Response Authenticator recomputed. */
	p[30] ^= 1;
	memcpy(p + 4, REQ, 16);
	EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
	EVP_DigestUpdate(ctx, p, n);
	EVP_DigestUpdate(ctx, "s3cret", 6);
	EVP_DigestFinal_ex(ctx, mac, &dlen);
	EVP_MD_CTX_free(ctx);
	memcpy(p + 4, mac, 16);
	ck_assert_int_eq(pushd_answer_auth(p, n, REQ, "s3cret"), PUSHD_MA_BAD);
}
END_TEST

/* ------------------------------------------------------------ config */

START_TEST(seconds_take_up_to_three_decimals)
{
	uint32_t ms;

	ck_assert_int_eq(pushd_parse_seconds_ms("0.5", 3600000, &ms), 0);
	ck_assert_uint_eq(ms, 500);
	ck_assert_int_eq(pushd_parse_seconds_ms("2", 3600000, &ms), 0);
	ck_assert_uint_eq(ms, 2000);
	ck_assert_int_eq(pushd_parse_seconds_ms("1.125", 3600000, &ms), 0);
	ck_assert_uint_eq(ms, 1125);
	ck_assert_int_eq(pushd_parse_seconds_ms("0", 3600000, &ms), 0);
	ck_assert_uint_eq(ms, 0);
	ck_assert_int_eq(pushd_parse_seconds_ms("1.2345", 3600000, &ms), -1);
	ck_assert_int_eq(pushd_parse_seconds_ms("2.", 3600000, &ms), -1);
	ck_assert_int_eq(pushd_parse_seconds_ms(".5", 3600000, &ms), -1);
	ck_assert_int_eq(pushd_parse_seconds_ms("1e3", 3600000, &ms), -1);
	ck_assert_int_eq(pushd_parse_seconds_ms("3601", 3600000, &ms), -1);
	ck_assert_int_eq(pushd_parse_seconds_ms("", 3600000, &ms), -1);
}
END_TEST

START_TEST(minimal_config_gets_the_defaults)
{
	struct pushd_config c;

	ck_assert_int_eq(pushd_config_parse(
	    "database \"host=127.0.0.1 dbname=gkey user=gkey_push\"\n"
	    "nas ar-1 192.0.2.1 s3cret\n", "t.conf", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.conninfo, "host=127.0.0.1 dbname=gkey user=gkey_push");
	ck_assert_uint_eq(c.recent, 86400);
	ck_assert_uint_eq(c.window_ms, 500);
	ck_assert_uint_eq(c.rate, 2000);
	ck_assert_uint_eq(c.retries, 3);
	ck_assert_uint_eq(c.timeout_ms, 1000);
	ck_assert_uint_eq(c.n_nas, 1);
	ck_assert_uint_eq(c.nas[0].port, 3799);
	ck_assert_int_eq(c.nas[0].name_is_address, 0);
	pushd_config_clear(&c);
}
END_TEST

START_TEST(nas_named_by_its_address_sends_no_nas_identifier)
{
	struct pushd_config c;

	ck_assert_int_eq(pushd_config_parse(
	    "database dbname=gkey\n"
	    "nas 2001:db8::1 2001:db8::1 4000 s3cret\n"
	    "push-window 0.25\npush-rate 100\n", "t.conf", &c, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.nas[0].name_is_address, 1);
	ck_assert_uint_eq(c.nas[0].port, 4000);
	ck_assert_uint_eq(c.window_ms, 250);
	ck_assert_uint_eq(c.rate, 100);
	ck_assert_ptr_nonnull(pushd_config_nas(&c, "2001:db8::1"));
	ck_assert_ptr_null(pushd_config_nas(&c, "ar-9"));
	pushd_config_clear(&c);
}
END_TEST

START_TEST(bad_line_is_named_by_file_and_line)
{
	struct pushd_config c;

	ck_assert_int_eq(pushd_config_parse("database dbname=gkey\n"
	    "nas ar-1 192.0.2.1 s\npush-window fast\n", "t.conf", &c, err,
	    sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "t.conf:3: push-window", 21) == 0, "%s",
	    err);
	ck_assert_int_eq(pushd_config_parse("database dbname=gkey\n"
	    "nas ar-1 nowhere s\n", "t.conf", &c, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "t.conf:2: nas ar-1", 18) == 0, "%s", err);
}
END_TEST

START_TEST(bad_nas_line_does_not_show_the_secret)
{
	struct pushd_config c;

	ck_assert_int_eq(pushd_config_parse("database dbname=gkey\n"
	    "nas ar-1 192.0.2.1 99999 topsecret\n", "t.conf", &c, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(strstr(err, "topsecret"));
	ck_assert_int_eq(pushd_config_parse("database password=hunter2\n"
	    "nas ar-1 192.0.2.1 1 2 3 4\n", "t.conf", &c, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(strstr(err, "hunter2"));
	ck_assert_ptr_null(strstr(err, "4"));
}
END_TEST

START_TEST(config_without_database_or_nas_is_refused)
{
	struct pushd_config c;

	ck_assert_int_eq(pushd_config_parse("nas ar-1 192.0.2.1 s\n", "t.conf",
	    &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "t.conf: no database");
	ck_assert_int_eq(pushd_config_parse("database dbname=gkey\n", "t.conf",
	    &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "t.conf: no nas");
	ck_assert_int_eq(pushd_config_parse("database \"dbname=gkey\n"
	    "nas a 192.0.2.1 s\n", "t.conf", &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "t.conf:1: database: unbalanced double quote");
}
END_TEST

START_TEST(nas_configured_twice_is_refused)
{
	struct pushd_config c;

	ck_assert_int_eq(pushd_config_parse("database dbname=gkey\n"
	    "nas a 192.0.2.1 s\nnas a 192.0.2.2 s\n", "t.conf", &c, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t.conf:3: nas: 'a' is configured twice");
}
END_TEST

START_TEST(control_socket_is_off_unless_configured_and_absolute)
{
	struct pushd_config c;

	ck_assert_int_eq(pushd_config_parse("database dbname=gkey\n"
	    "nas a 192.0.2.1 s\n", "t.conf", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.control_socket, "");
	pushd_config_clear(&c);
	ck_assert_int_eq(pushd_config_parse("database dbname=gkey\n"
	    "nas a 192.0.2.1 s\ncontrol-socket /run/p.sock\n", "t.conf", &c,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(c.control_socket, "/run/p.sock");
	pushd_config_clear(&c);
	ck_assert_int_eq(pushd_config_parse("database dbname=gkey\n"
	    "nas a 192.0.2.1 s\ncontrol-socket run/p.sock\n", "t.conf", &c,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "t.conf:3: control-socket: 'run/p.sock' is not "
	    "an absolute path");
}
END_TEST

/* ------------------------------------------------------------ catch-up */

/* rows from "app:epoch" pairs, in the order given. */
static size_t
rows_of(struct pushd_app_epoch *r, const uint32_t (*pairs)[2], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		r[i].app = pairs[i][0];
		r[i].epoch = pairs[i][1];
		r[i].caught = 99;
	}
	return n;
}

#define ROWS(r, ...) rows_of((r), (const uint32_t [][2]){ __VA_ARGS__ }, \
	sizeof((const uint32_t [][2]){ __VA_ARGS__ }) / sizeof(uint32_t [2]))

START_TEST(first_answer_is_only_the_baseline)
{
	struct pushd_app_epoch store[8], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 8);
	ck_assert_int_eq(t.known, 0);
	n = ROWS(r, { 2, 1 }, { 1, 3 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 0);
	ck_assert_int_eq(t.known, 1);
	ck_assert_uint_eq(pushd_epochs_get(&t, 1), 3);
	ck_assert_uint_eq(pushd_epochs_get(&t, 2), 1);
	ck_assert_uint_eq(pushd_epochs_get(&t, 3), 0);
}
END_TEST

START_TEST(reconnect_catches_up_higher_epochs_and_new_applications)
{
	struct pushd_app_epoch store[8], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 8);
	n = ROWS(r, { 1, 3 }, { 2, 1 }, { 4, 7 });
	pushd_epochs_merge(&t, r, n, up);
	/* Unsorted, as an answer need not be: 1 rotated, 5 created. */
	n = ROWS(r, { 5, 1 }, { 4, 7 }, { 2, 1 }, { 1, 4 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 2);
	ck_assert_uint_eq(up[0].app, 1);
	ck_assert_uint_eq(up[0].epoch, 4);
	ck_assert_uint_eq(up[1].app, 5);
	ck_assert_uint_eq(up[1].epoch, 1);
	ck_assert_uint_eq(pushd_epochs_get(&t, 1), 4);
	ck_assert_uint_eq(pushd_epochs_get(&t, 5), 1);
	/* The same answer again: nothing more to catch up. */
	n = ROWS(r, { 5, 1 }, { 4, 7 }, { 2, 1 }, { 1, 4 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 0);
}
END_TEST

START_TEST(notified_epoch_is_not_caught_up_again)
{
	struct pushd_app_epoch store[8], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 8);
	n = ROWS(r, { 1, 3 });
	pushd_epochs_merge(&t, r, n, up);
	ck_assert_int_eq(pushd_epochs_note(&t, 1, 4), 1);
	ck_assert_int_eq(pushd_epochs_note(&t, 6, 1), 1);
	ck_assert_uint_eq(pushd_epochs_get(&t, 1), 4);
	n = ROWS(r, { 1, 4 }, { 6, 1 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 0);
}
END_TEST

START_TEST(late_notification_of_a_caught_up_epoch_is_not_pushed_twice)
{
	struct pushd_app_epoch store[8], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 8);
	n = ROWS(r, { 1, 3 });
	pushd_epochs_merge(&t, r, n, up);
	n = ROWS(r, { 1, 5 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 1);
	/* Committed between LISTEN and the answer: both saw epoch 5. */
	ck_assert_int_eq(pushd_epochs_note(&t, 1, 5), 0);
	ck_assert_int_eq(pushd_epochs_note(&t, 1, 6), 1);
	ck_assert_uint_eq(pushd_epochs_get(&t, 1), 6);
}
END_TEST

START_TEST(notification_after_the_answers_snapshot_stays_recorded)
{
	struct pushd_app_epoch store[8], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 8);
	n = ROWS(r, { 1, 3 });
	pushd_epochs_merge(&t, r, n, up);
	ck_assert_int_eq(pushd_epochs_note(&t, 1, 6), 1);
	n = ROWS(r, { 1, 5 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 0);
	ck_assert_uint_eq(pushd_epochs_get(&t, 1), 6);
}
END_TEST

START_TEST(application_gone_from_the_answer_is_forgotten)
{
	struct pushd_app_epoch store[8], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 8);
	n = ROWS(r, { 1, 3 }, { 2, 9 });
	pushd_epochs_merge(&t, r, n, up);
	n = ROWS(r, { 1, 3 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 0);
	ck_assert_uint_eq(pushd_epochs_get(&t, 2), 0);
	/* Made again with the same id: a new application. */
	n = ROWS(r, { 1, 3 }, { 2, 1 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 1);
	ck_assert_uint_eq(up[0].app, 2);
	ck_assert_uint_eq(up[0].epoch, 1);
}
END_TEST

START_TEST(duplicate_rows_count_as_the_highest_epoch)
{
	struct pushd_app_epoch store[8], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 8);
	n = ROWS(r, { 1, 2 });
	pushd_epochs_merge(&t, r, n, up);
	n = ROWS(r, { 1, 4 }, { 1, 3 }, { 1, 1 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 1);
	ck_assert_uint_eq(up[0].epoch, 4);
	ck_assert_uint_eq(t.n, 1);
}
END_TEST

START_TEST(full_table_records_the_lowest_applications_only)
{
	struct pushd_app_epoch store[2], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 2);
	n = ROWS(r, { 3, 1 }, { 1, 1 }, { 2, 1 });
	pushd_epochs_merge(&t, r, n, up);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(t.limit, 2);
	/* 2 rotated; 3 rotated and 4 created, but neither is recorded. */
	n = ROWS(r, { 1, 1 }, { 2, 2 }, { 3, 5 }, { 4, 1 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 1);
	ck_assert_uint_eq(up[0].app, 2);
	ck_assert_uint_eq(up[0].epoch, 2);
	/* Fewer applications again: everything is recorded. */
	n = ROWS(r, { 1, 1 }, { 3, 5 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 0);
	ck_assert_uint_eq(t.limit, UINT32_MAX);
}
END_TEST

START_TEST(notification_on_a_full_table_drops_the_highest_application)
{
	struct pushd_app_epoch store[2], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 2);
	n = ROWS(r, { 1, 1 }, { 5, 1 });
	pushd_epochs_merge(&t, r, n, up);
	ck_assert_int_eq(pushd_epochs_note(&t, 3, 1), 1);
	ck_assert_uint_eq(pushd_epochs_get(&t, 3), 1);
	ck_assert_uint_eq(pushd_epochs_get(&t, 5), 0);
	ck_assert_uint_eq(t.limit, 4);
	/* Above every recorded one: pushed, not recorded. */
	ck_assert_int_eq(pushd_epochs_note(&t, 4, 1), 1);
	ck_assert_uint_eq(t.limit, 3);
	ck_assert_int_eq(pushd_epochs_note(&t, 9, 1), 1);
	ck_assert_uint_eq(t.n, 2);
	/* 4 and 5 are above the limit: not caught up, not taken for new. */
	n = ROWS(r, { 1, 1 }, { 3, 1 }, { 4, 2 }, { 5, 2 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 0);
}
END_TEST

START_TEST(notification_before_the_first_answer_makes_no_catch_up)
{
	struct pushd_app_epoch store[8], r[8], up[8];
	struct pushd_epochs t;
	size_t n;

	pushd_epochs_init(&t, store, 8);
	ck_assert_int_eq(pushd_epochs_note(&t, 1, 2), 1);
	n = ROWS(r, { 1, 2 }, { 2, 5 });
	ck_assert_uint_eq(pushd_epochs_merge(&t, r, n, up), 0);
	ck_assert_uint_eq(pushd_epochs_get(&t, 2), 5);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("pushd");
	TCase *p = tcase_create("payload"), *b = tcase_create("backoff");
	TCase *g = tcase_create("pacing"), *a = tcase_create("answers");
	TCase *c = tcase_create("config"), *u = tcase_create("catch-up");

	tcase_add_test(p, epoch_payload_names_app_and_epoch);
	tcase_add_test(p, other_payloads_are_ignored);
	tcase_add_test(p, payload_is_read_only_within_its_length);
	suite_add_tcase(s, p);

	tcase_add_test(b, backoff_doubles_from_the_timeout);
	tcase_add_test(b, backoff_is_capped_and_never_overflows);
	tcase_add_test(b, giveup_is_the_sum_of_every_wait);
	suite_add_tcase(s, b);

	tcase_add_test(g, jitter_is_sorted_and_inside_the_window);
	tcase_add_test(g, largest_random_value_stays_below_the_window);
	tcase_add_test(g, no_window_means_no_jitter);
	tcase_add_test(g, rate_gap_rounds_up);
	tcase_add_test(g, spread_is_the_window_or_the_rate_whichever_is_longer);
	tcase_add_test(g, gate_spaces_transmissions_by_the_gap);
	tcase_add_test(g, idle_gate_grants_no_burst);
	tcase_add_test(g, late_gate_keeps_its_schedule);
	suite_add_tcase(s, g);

	tcase_add_test(a, nak_507_and_ack_are_delivered);
	tcase_add_test(a, nak_503_means_not_there);
	tcase_add_test(a, other_naks_are_refusals);
	tcase_add_test(a, one_message_authenticator_is_found);
	tcase_add_test(a, two_or_short_message_authenticators_are_refused);
	tcase_add_test(a, attribute_overrunning_the_packet_is_refused);
	tcase_add_test(a, answer_signed_as_rfc_5176_says_verifies);
	tcase_add_test(a, answer_signed_over_zeros_verifies_as_such);
	tcase_add_test(a, answer_with_another_secret_or_request_is_refused);
	tcase_add_test(a, answer_with_good_response_auth_but_bad_ma_is_refused);
	suite_add_tcase(s, a);

	tcase_add_test(c, seconds_take_up_to_three_decimals);
	tcase_add_test(c, minimal_config_gets_the_defaults);
	tcase_add_test(c, nas_named_by_its_address_sends_no_nas_identifier);
	tcase_add_test(c, bad_line_is_named_by_file_and_line);
	tcase_add_test(c, bad_nas_line_does_not_show_the_secret);
	tcase_add_test(c, config_without_database_or_nas_is_refused);
	tcase_add_test(c, nas_configured_twice_is_refused);
	tcase_add_test(c, control_socket_is_off_unless_configured_and_absolute);
	suite_add_tcase(s, c);

	tcase_add_test(u, first_answer_is_only_the_baseline);
	tcase_add_test(u, reconnect_catches_up_higher_epochs_and_new_applications);
	tcase_add_test(u, notified_epoch_is_not_caught_up_again);
	tcase_add_test(u, late_notification_of_a_caught_up_epoch_is_not_pushed_twice);
	tcase_add_test(u, notification_after_the_answers_snapshot_stays_recorded);
	tcase_add_test(u, application_gone_from_the_answer_is_forgotten);
	tcase_add_test(u, duplicate_rows_count_as_the_highest_epoch);
	tcase_add_test(u, full_table_records_the_lowest_applications_only);
	tcase_add_test(u, notification_on_a_full_table_drops_the_highest_application);
	tcase_add_test(u, notification_before_the_first_answer_makes_no_catch_up);
	suite_add_tcase(s, u);
	return s;
}
