-- gkey.view_stable_until (migration 011): the instant until which the
-- module's lookup of an identity cannot change by time alone, which the
-- module's view keeps an answer at most until (doc/sql.md section 5.7).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(9);
\ir helpers.psql
SET ROLE gkey_test_operator;

SELECT gkey.create_application('v1', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('v2', 'aes-128', '2 days', '1 hour') \g /dev/null
SELECT gkey.create_application('other', 'aes-128', '1 hour', '10 minutes') \g /dev/null
CREATE TEMP TABLE r AS SELECT pg_temp.enroll_node(1) AS a, pg_temp.enroll_node(2) AS b,
	pg_temp.enroll_node(3) AS c;
GRANT SELECT ON r TO PUBLIC;
SELECT gkey.grant(a, 'v1'), gkey.grant(a, 'v2'), gkey.grant(c, 'other') FROM r \g /dev/null

SET ROLE gkey_radius;
-- The epochs valid now are made by the first lookup, as the module's is.
SELECT count(*) FROM gkey.issue_keys((SELECT a FROM r), NULL) \g /dev/null
SELECT is(pg_temp.rel(gkey.view_stable_until((SELECT a FROM r))), 'now+1 day',
	'the earliest end of the epochs valid now');
SELECT is(gkey.view_stable_until((SELECT b FROM r)), (SELECT not_after FROM gkey.identity WHERE id = (SELECT b FROM r)),
	'no grant: the certificate''s notAfter');
SELECT is(gkey.view_stable_until(-1), NULL, 'no such identity: NULL');

SET ROLE gkey_test_operator;
UPDATE gkey.grant SET expires = now() + interval '5 hours'
	WHERE identity_id = (SELECT a FROM r) AND app_id = (SELECT id FROM gkey.application WHERE name = 'v2');
SET ROLE gkey_radius;
SELECT is(pg_temp.rel(gkey.view_stable_until((SELECT a FROM r))), 'now+05:00:00',
	'a grant that expires earlier');

SET ROLE gkey_test_operator;
UPDATE gkey.grant SET expires = now() - interval '1 second'
	WHERE identity_id = (SELECT a FROM r) AND app_id = (SELECT id FROM gkey.application WHERE name = 'v2');
INSERT INTO gkey.group_key (app_id, epoch, not_before, not_after)
	SELECT id, 2, now() + interval '3 hours', now() + interval '2 days' FROM gkey.application WHERE name = 'v1';
SET ROLE gkey_radius;
SELECT is(pg_temp.rel(gkey.view_stable_until((SELECT a FROM r))), 'now+03:00:00',
	'a future epoch''s start; an expired grant does not count');

SET ROLE gkey_test_operator;
UPDATE gkey.identity SET not_before = now() + interval '2 hours', not_after = now() + interval '2 years'
	WHERE id = (SELECT b FROM r);
SET ROLE gkey_radius;
SELECT is(pg_temp.rel(gkey.view_stable_until((SELECT b FROM r))), 'now+02:00:00',
	'a certificate not yet valid: its notBefore');

-- Other identities' grants and applications do not count.
SELECT count(*) FROM gkey.issue_keys((SELECT c FROM r), NULL) \g /dev/null
SELECT is(pg_temp.rel(gkey.view_stable_until((SELECT c FROM r))), 'now+01:00:00',
	'c: its own application''s epoch');
SELECT is(pg_temp.rel(gkey.view_stable_until((SELECT a FROM r))), 'now+03:00:00',
	'a: unchanged by c''s application');

SET ROLE gkey_test_operator;
SELECT gkey.suspend_identity((SELECT c FROM r), 'test') \g /dev/null
SET ROLE gkey_radius;
SELECT ok(gkey.view_stable_until((SELECT c FROM r)) IS NOT NULL,
	'a suspended identity''s grants still count (reinstating is a row change)');

SELECT * FROM finish();
ROLLBACK;
