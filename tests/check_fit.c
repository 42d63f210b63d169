/*
 * check_fit.c - which Key Records fit into one Access-Accept
 * (rlm_gkey/gkey_fit.c, doc/radius.md section 6.1).
 */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "gkey_fit.h"

/* 8 (VSA header) + 144: a P-256 record of a 3-octet name with an AES-128 GK. */
#define REC 152
/* No bound on the count: more than ever fit. */
#define ANY 64

/* "A:e" for every record sent, in recs' order, e.g. "1:3 1:4 2:7". */
static char const *sent(gkey_fit_rec_t const *recs, size_t n, bool const *send)
{
	static char buf[512];
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!send[i]) continue;
		off += (size_t) snprintf(buf + off, sizeof(buf) - off, "%s%u:%u", off ? " " : "",
					 recs[i].app_id, recs[i].epoch);
	}
	return buf;
}

START_TEST(everything_is_sent_when_it_fits)
{
	gkey_fit_rec_t recs[] = { { 1, 1, REC }, { 1, 2, REC }, { 2, 5, REC } };
	bool send[3];

	ck_assert_uint_eq(gkey_fit_select(recs, 3, 3 * REC, ANY, send), 3);
	ck_assert_str_eq(sent(recs, 3, send), "1:1 1:2 2:5");
}
END_TEST

START_TEST(the_oldest_epochs_are_left_out)
{
	gkey_fit_rec_t recs[40];
	bool send[40];
	uint32_t i;

	for (i = 0; i < 40; i++) recs[i] = (gkey_fit_rec_t) { 7, i + 1, REC };
	/* 4096 - 20 (header) - 18 (Message-Authenticator) - 6 (Session-Timeout). */
	ck_assert_uint_eq(gkey_fit_select(recs, 40, 4096 - 44, ANY, send), 26);
	for (i = 0; i < 14; i++) ck_assert_msg(!send[i], "epoch %u sent", i + 1);
	for (i = 14; i < 40; i++) ck_assert_msg(send[i], "epoch %u left out", i + 1);
}
END_TEST

START_TEST(every_application_gets_its_newest_epoch_before_any_gets_a_second)
{
	gkey_fit_rec_t recs[] = {
		{ 1, 1, REC }, { 1, 2, REC }, { 1, 3, REC }, { 1, 4, REC },
		{ 2, 10, REC }, { 2, 11, REC }, { 2, 12, REC },
		{ 3, 1, REC },
	};
	bool send[8];

	/* Round 1: 1:4 2:12 3:1; round 2: 1:3 2:11; then room for one: 1:2. */
	ck_assert_uint_eq(gkey_fit_select(recs, 8, 6 * REC + REC / 2, ANY, send), 6);
	ck_assert_str_eq(sent(recs, 8, send), "1:2 1:3 1:4 2:11 2:12 3:1");
}
END_TEST

START_TEST(nothing_is_chosen_when_a_newest_epoch_does_not_fit)
{
	gkey_fit_rec_t recs[] = { { 1, 1, REC }, { 1, 2, REC }, { 2, 1, REC } };
	bool send[3] = { true, true, true };

	/* Room for one record: application 1's newest fits, 2's no longer: all or nothing. */
	ck_assert_uint_eq(gkey_fit_select(recs, 3, 2 * REC - 1, ANY, send), 0);
	ck_assert(!send[0] && !send[1] && !send[2]);
	ck_assert_uint_eq(gkey_fit_select(recs, 3, REC - 1, ANY, send), 0);
	ck_assert(!send[0] && !send[1] && !send[2]);
	ck_assert_uint_eq(gkey_fit_select(recs, 3, 0, ANY, send), 0);
}
END_TEST

START_TEST(an_application_sends_no_epoch_older_than_one_it_left_out)
{
	/* Epoch 1 would fit where epoch 2 did not: a gap would be worse than the cut. */
	gkey_fit_rec_t recs[] = { { 1, 1, 50 }, { 1, 2, 100 }, { 1, 3, 100 } };
	bool send[3];

	ck_assert_uint_eq(gkey_fit_select(recs, 3, 190, ANY, send), 1);
	ck_assert_str_eq(sent(recs, 3, send), "1:3");
}
END_TEST

START_TEST(a_closed_application_leaves_its_room_to_the_others)
{
	/* Application 1's records are long; 2's second one still fits. */
	gkey_fit_rec_t recs[] = { { 1, 1, 229 }, { 1, 2, 229 }, { 2, 1, 117 }, { 2, 2, 117 } };
	bool send[4];

	ck_assert_uint_eq(gkey_fit_select(recs, 4, 229 + 117 + 200, ANY, send), 3);
	ck_assert_str_eq(sent(recs, 4, send), "1:2 2:1 2:2");
}
END_TEST

START_TEST(exactly_full_is_full)
{
	gkey_fit_rec_t recs[] = { { 1, 1, REC }, { 1, 2, REC }, { 1, 3, REC } };
	bool send[3];

	ck_assert_uint_eq(gkey_fit_select(recs, 3, 2 * REC, ANY, send), 2);
	ck_assert_str_eq(sent(recs, 3, send), "1:2 1:3");
	ck_assert_uint_eq(gkey_fit_select(recs, 3, 3 * REC, ANY, send), 3);
}
END_TEST

START_TEST(at_most_max_records_are_chosen_newest_first)
{
	gkey_fit_rec_t recs[] = {
		{ 1, 1, REC }, { 1, 2, REC }, { 1, 3, REC },
		{ 2, 1, REC }, { 2, 2, REC }, { 2, 3, REC },
	};
	bool send[6];

	ck_assert_uint_eq(gkey_fit_select(recs, 6, 4096, 3, send), 3);
	ck_assert_str_eq(sent(recs, 6, send), "1:2 1:3 2:3");
	ck_assert_uint_eq(gkey_fit_select(recs, 6, 4096, 2, send), 2);
	ck_assert_str_eq(sent(recs, 6, send), "1:3 2:3");
}
END_TEST

START_TEST(more_applications_than_max_records_is_nothing)
{
	gkey_fit_rec_t recs[] = { { 1, 1, REC }, { 2, 1, REC }, { 3, 1, REC } };
	bool send[3];

	ck_assert_uint_eq(gkey_fit_select(recs, 3, 4096, 2, send), 0);
	ck_assert(!send[0] && !send[1] && !send[2]);
	ck_assert_uint_eq(gkey_fit_select(recs, 3, 4096, 3, send), 3);
}
END_TEST

START_TEST(no_records_none_chosen)
{
	bool send[1] = { true };

	ck_assert_uint_eq(gkey_fit_select(NULL, 0, 4096, ANY, send), 0);
	ck_assert(send[0]);	/* n entries: none touched */
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("gkey_fit");
	TCase *tc = tcase_create("fit");

	tcase_add_test(tc, everything_is_sent_when_it_fits);
	tcase_add_test(tc, the_oldest_epochs_are_left_out);
	tcase_add_test(tc, every_application_gets_its_newest_epoch_before_any_gets_a_second);
	tcase_add_test(tc, nothing_is_chosen_when_a_newest_epoch_does_not_fit);
	tcase_add_test(tc, an_application_sends_no_epoch_older_than_one_it_left_out);
	tcase_add_test(tc, a_closed_application_leaves_its_room_to_the_others);
	tcase_add_test(tc, exactly_full_is_full);
	tcase_add_test(tc, at_most_max_records_are_chosen_newest_first);
	tcase_add_test(tc, more_applications_than_max_records_is_nothing);
	tcase_add_test(tc, no_records_none_chosen);
	suite_add_tcase(s, tc);
	return s;
}
