-- A fresh key on every leave: revoke_grant and suspend_identity rotate
-- every application the identity leaves, with the application's
-- leave_grace (default 0), as revoke_identity does.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(19);
\ir helpers.psql
SET ROLE gkey_test_operator;

SELECT gkey.create_application('l1', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('l2', 'aes-256', '2 days', '1 hour') \g /dev/null
SELECT gkey.create_application('l3', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('slow', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('untouched', 'aes-128', '1 day', '1 hour') \g /dev/null
CREATE TEMP TABLE r AS SELECT pg_temp.enroll_node(1) AS leaver, pg_temp.enroll_node(2) AS peer,
	pg_temp.enroll_node(3) AS sleeper;
GRANT SELECT ON r TO PUBLIC;
SELECT gkey.grant(leaver, 'l1'), gkey.grant(leaver, 'slow'), gkey.grant(peer, 'l1'),
       gkey.grant(peer, 'l2'), gkey.grant(peer, 'slow'), gkey.grant(peer, 'untouched'),
       gkey.grant(sleeper, 'l2'), gkey.grant(sleeper, 'l3'), gkey.grant(sleeper, 'slow')
FROM r \g /dev/null

SELECT is((SELECT leave_grace FROM gkey.application WHERE name = 'l1'), interval '0',
	'an application''s leave_grace is 0 unless set');
SELECT throws_ok($$UPDATE gkey.application SET leave_grace = '-1 second' WHERE name = 'l1'$$, '23514', NULL,
	'leave_grace must not be negative');
UPDATE gkey.application SET leave_grace = '10 minutes' WHERE name = 'slow';

-- revoke_grant
SELECT lives_ok($$SELECT gkey.revoke_grant((SELECT leaver FROM r), 'l1')$$, 'revoke_grant');
SELECT is(pg_temp.epochs('l1'), '1:now..now 2:now..now+1 day',
	'revoke_grant rotates the application: a new epoch, the old one ended now (leave_grace 0)');
SELECT is(pg_temp.epochs('untouched'), '1:now..now+1 day', 'other applications are untouched');
SET ROLE gkey_radius;
SELECT is(pg_temp.issued((SELECT peer FROM r), '{l1}'), 'l1:2', 'the others get only the new epoch');
SELECT is(pg_temp.issued((SELECT leaver FROM r), '{l1}'), '', 'the node that left gets nothing of it');
SET ROLE gkey_test_operator;
SELECT lives_ok($$SELECT gkey.revoke_grant((SELECT leaver FROM r), 'slow')$$, 'revoke_grant with a leave_grace');
SELECT is(pg_temp.epochs('slow'), '1:now..now+00:10:00 2:now..now+1 day',
	'the old epoch ends after the application''s leave_grace');
SELECT throws_ok($$SELECT gkey.revoke_grant((SELECT leaver FROM r), 'l1')$$, 'P0002',
	format('gkey: identity %s holds no grant for "l1"', (SELECT leaver FROM r)),
	'revoke_grant still refuses a grant that is not there');
SELECT is(pg_temp.epochs('l1'), '1:now..now 2:now..now+1 day', 'and a refused revoke_grant rotates nothing');

-- suspend_identity: every application it holds, an expired grant included.
UPDATE gkey.grant SET expires = now() - interval '1 hour'
WHERE identity_id = (SELECT sleeper FROM r) AND app_id = (SELECT id FROM gkey.application WHERE name = 'l3');
SELECT lives_ok($$SELECT gkey.suspend_identity((SELECT sleeper FROM r), 'battery swap')$$, 'suspend_identity');
SELECT is(concat_ws(' | ', pg_temp.epochs('l2'), pg_temp.epochs('l3')),
	'1:now..now 2:now..now+2 days | 1:now..now 2:now..now+1 day',
	'suspend_identity rotates every application it held, the expired grant''s too');
SELECT is(pg_temp.epochs('slow'), '1:now..now+00:10:00 2:now..now+00:10:00 3:now..now+1 day',
	'with each application''s leave_grace');
SELECT is(pg_temp.epochs('untouched'), '1:now..now+1 day', 'an application it did not hold is untouched');
SET ROLE gkey_radius;
SELECT is(pg_temp.issued((SELECT peer FROM r), '{l2}'), 'l2:2', 'the others get the new epoch');
SELECT is(pg_temp.issued((SELECT sleeper FROM r)), '', 'the suspended identity gets nothing');
SET ROLE gkey_test_operator;
SELECT throws_ok($$SELECT gkey.suspend_identity((SELECT sleeper FROM r), 'again')$$, '55000',
	format('gkey: identity %s is suspended, not active', (SELECT sleeper FROM r)),
	'suspend_identity still refuses an identity that is not active');
SELECT gkey.reinstate_identity(sleeper) FROM r \g /dev/null
SET ROLE gkey_radius;
SELECT is(pg_temp.issued((SELECT sleeper FROM r), '{l2}'), 'l2:2',
	'reinstated, it gets the epoch made after it left, never the one it may still hold');

SELECT * FROM finish();
ROLLBACK;
