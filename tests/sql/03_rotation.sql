-- Rotation: overlap and grace, rotate_all_due, and revocation rotating
-- every application the revoked identity held.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(26);
\ir helpers.psql
SET ROLE gkey_test_operator;

SELECT gkey.create_application('hvac', 'aes-128', '1 day', '1 hour') \g /dev/null
CREATE TEMP TABLE n AS SELECT pg_temp.enroll_node(1) AS node;
GRANT SELECT ON n TO PUBLIC;
SELECT gkey.grant(node, 'hvac') FROM n \g /dev/null

-- rotate with the application's overlap: old and new are both valid.
SELECT is(gkey.rotate('hvac'), 2, 'rotate returns the new epoch');
SELECT is(pg_temp.epochs('hvac'), '1:now..now+01:00:00 2:now..now+1 day',
	'rotate: the new epoch runs a lifetime from now, the old one ends after the overlap');
SET ROLE gkey_radius;
SELECT is(pg_temp.issued((SELECT node FROM n)), 'hvac:1 hvac:2', 'during the overlap both epochs are issued');
SET ROLE gkey_test_operator;

-- rotate with an explicit grace of 0: only the new epoch is valid.
SELECT is(gkey.rotate('hvac', '0'), 3, 'rotate with grace 0');
SELECT is(pg_temp.epochs('hvac'), '1:now..now 2:now..now 3:now..now+1 day',
	'grace 0 ends every running epoch now');
SET ROLE gkey_radius;
SELECT is(pg_temp.issued((SELECT node FROM n)), 'hvac:3', 'after grace 0 only the new epoch is issued');
SET ROLE gkey_test_operator;

-- A grace longer than what is left never extends an epoch.
SELECT is(gkey.rotate('hvac', '1 year'), 4, 'rotate with a grace longer than the lifetime');
SELECT is(pg_temp.epochs('hvac'), '1:now..now 2:now..now 3:now..now+1 day 4:now..now+1 day',
	'the old epoch keeps its own end when the grace is longer');
SELECT is(gkey.rotate('hvac', '10 minutes'), 5, 'rotate with a 10-minute grace');
SELECT is(pg_temp.epochs('hvac'), '1:now..now 2:now..now 3:now..now+00:10:00 4:now..now+00:10:00 5:now..now+1 day',
	'every epoch still running ends after the grace');
SET ROLE gkey_radius;
SELECT is(pg_temp.issued((SELECT node FROM n)), 'hvac:3 hvac:4 hvac:5', 'issue_keys returns every epoch valid now, by epoch');
SET ROLE gkey_test_operator;

-- rotate_all_due: due when the newest epoch's end minus the overlap is reached.
SELECT gkey.create_application('fresh', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('due', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('boundary', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('notyet', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('lapsed', 'aes-128', '1 day', '1 hour') \g /dev/null
UPDATE gkey.group_key SET not_before = now() - interval '1 day', not_after = now() + interval '30 minutes'
WHERE app_id = (SELECT id FROM gkey.application WHERE name = 'due');
UPDATE gkey.group_key SET not_before = now() - interval '1 day', not_after = now() + interval '1 hour'
WHERE app_id = (SELECT id FROM gkey.application WHERE name = 'boundary');
UPDATE gkey.group_key SET not_before = now() - interval '1 day', not_after = now() + interval '61 minutes'
WHERE app_id = (SELECT id FROM gkey.application WHERE name = 'notyet');
UPDATE gkey.group_key SET not_before = now() - interval '3 days', not_after = now() - interval '2 days'
WHERE app_id = (SELECT id FROM gkey.application WHERE name = 'lapsed');
-- hvac's newest epoch (5) runs a day: not due.
SELECT is(gkey.rotate_all_due(), 3, 'rotate_all_due rotates the three due applications');
SELECT is(pg_temp.epochs('due'), '1:now-1 days..now+00:30:00 2:now..now+1 day',
	'a due application gets a new epoch; the old keeps its end inside the overlap');
SELECT is(pg_temp.epochs('boundary'), '1:now-1 days..now+01:00:00 2:now..now+1 day',
	'an application exactly at end minus overlap is due');
SELECT is(pg_temp.epochs('lapsed'), '1:now-3 days..now-2 days 2:now..now+1 day',
	'an application whose keys all ran out is due');
SELECT is(pg_temp.epochs('notyet'), '1:now-1 days..now+01:01:00', 'an application a minute before its due time is not rotated');
SELECT is(pg_temp.epochs('fresh'), '1:now..now+1 day', 'a fresh application is not rotated');
SELECT is(gkey.rotate_all_due(), 0, 'rotate_all_due right again rotates nothing');

-- revoke_identity rotates every application the identity held.
SELECT gkey.create_application('a1', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('a2', 'aes-256', '2 days', '1 hour') \g /dev/null
SELECT gkey.create_application('a3', 'aes-128', '1 day', '1 hour') \g /dev/null
SELECT gkey.create_application('other', 'aes-128', '1 day', '1 hour') \g /dev/null
CREATE TEMP TABLE r AS SELECT pg_temp.enroll_node(2) AS thief, pg_temp.enroll_node(3) AS peer,
	pg_temp.enroll_node(4) AS slow;
GRANT SELECT ON r TO PUBLIC;
SELECT gkey.grant(thief, 'a1'), gkey.grant(thief, 'a2'), gkey.grant(thief, 'a3'),
       gkey.grant(peer, 'a1'), gkey.grant(peer, 'other'), gkey.grant(slow, 'other')
FROM r \g /dev/null
-- An expired grant still counts: the thief may hold a3's current key.
UPDATE gkey.grant SET expires = now() - interval '1 hour'
WHERE identity_id = (SELECT thief FROM r) AND app_id = (SELECT id FROM gkey.application WHERE name = 'a3');
SELECT is(gkey.revoke_identity((SELECT thief FROM r), 'stolen'), 3,
	'revoke_identity rotates the three applications the identity held');
SELECT is(concat_ws(' | ', pg_temp.epochs('a1'), pg_temp.epochs('a2'), pg_temp.epochs('a3')),
	'1:now..now 2:now..now+1 day | 1:now..now 2:now..now+2 days | 1:now..now 2:now..now+1 day',
	'each held application: new epoch from now, the old one ended now (default grace 0)');
SELECT is(pg_temp.epochs('other'), '1:now..now+1 day', 'an application the identity did not hold is untouched');
SET ROLE gkey_radius;
SELECT is(pg_temp.issued((SELECT peer FROM r)), 'a1:2 other:1', 'a peer now gets only the new epoch of a1');
SELECT is(pg_temp.issued((SELECT thief FROM r)), '', 'the revoked identity gets nothing');
SET ROLE gkey_test_operator;
SELECT is(gkey.revoke_identity((SELECT slow FROM r), 'decommissioned', '15 minutes'), 1,
	'revoke_identity with a grace');
SELECT is(pg_temp.epochs('other'), '1:now..now+00:15:00 2:now..now+1 day', 'the old epoch ends after the grace');
SET ROLE gkey_radius;
SELECT is(pg_temp.issued((SELECT peer FROM r), '{other}'), 'other:1 other:2', 'during the grace a peer gets both epochs');

SELECT * FROM finish();
ROLLBACK;
