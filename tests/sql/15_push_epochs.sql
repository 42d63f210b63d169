-- gkey.push_epochs (migration 015): each application's newest epoch, what
-- gkey-pushd compares after a reconnection to push the epochs created
-- while it was not listening; gkey_push may call it and still reads no
-- table.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(11);
\ir helpers.psql

-- meter rotated twice (epoch 3), lamp as created (epoch 1), bulk (id 7)
-- rotated once; dark has no epoch left (deleted below by the superuser).
SET ROLE gkey_test_operator;
SELECT gkey.create_application('meter', p_id => 1) \g /dev/null
SELECT gkey.create_application('lamp', p_id => 2) \g /dev/null
SELECT gkey.create_application('bulk', p_id => 7) \g /dev/null
SELECT gkey.create_application('dark', p_id => 4) \g /dev/null
SELECT gkey.rotate('meter') \g /dev/null
SELECT gkey.rotate('meter') \g /dev/null
SELECT gkey.rotate('bulk', '0') \g /dev/null
RESET ROLE;
DELETE FROM gkey.group_key WHERE app_id = 4;

SET ROLE gkey_push;
SELECT results_eq($$SELECT app_id, epoch FROM gkey.push_epochs()$$,
	$$VALUES (1::bigint, 3), (2, 1), (7, 2)$$,
	'push_epochs: the newest epoch of every application that has one, by application id');
RESET ROLE;

-- An epoch whose validity has ended still counts: it is the newest
-- number, the one its `epoch N E` announced.
UPDATE gkey.group_key SET not_before = now() - interval '2 days', not_after = now() - interval '1 day'
WHERE app_id = 2;
SET ROLE gkey_push;
SELECT results_eq($$SELECT epoch FROM gkey.push_epochs() WHERE app_id = 2$$,
	$$VALUES (1)$$, 'an expired newest epoch is still the newest');
RESET ROLE;

-- A rotation is seen at once (here in the same transaction; gkey-pushd
-- asks after its LISTEN, so a later COMMIT reaches it as a notification).
SET ROLE gkey_test_operator;
SELECT gkey.rotate('lamp') \g /dev/null
RESET ROLE;
SET ROLE gkey_push;
SELECT results_eq($$SELECT app_id, epoch FROM gkey.push_epochs()$$,
	$$VALUES (1::bigint, 3), (2, 2), (7, 2)$$, 'a new epoch is the newest at once');
RESET ROLE;
DELETE FROM gkey.application WHERE id = 7;
SET ROLE gkey_push;
SELECT results_eq($$SELECT app_id FROM gkey.push_epochs()$$,
	$$VALUES (1::bigint), (2)$$, 'a deleted application is gone');

-- Still nothing else for gkey_push.
SELECT throws_ok($$SELECT * FROM gkey.group_key$$, '42501', NULL, 'gkey_push still cannot read keys');
SELECT throws_ok($$SELECT * FROM gkey.application$$, '42501', NULL, 'gkey_push cannot read applications');
RESET ROLE;

SET ROLE gkey_radius;
SELECT throws_ok($$SELECT * FROM gkey.push_epochs()$$, '42501', NULL,
	'the module''s role cannot ask for the epochs');
RESET ROLE;
SET ROLE gkey_test_operator;
SELECT lives_ok($$SELECT * FROM gkey.push_epochs()$$, 'an operator (gkey_admin, its owner) can');
RESET ROLE;

SELECT ok(NOT has_function_privilege('public', 'gkey.push_epochs()', 'EXECUTE'),
	'PUBLIC cannot execute push_epochs');
SELECT is((SELECT p.prosecdef AND p.proowner = 'gkey_admin'::regrole FROM pg_proc p
	   WHERE p.oid = 'gkey.push_epochs()'::regprocedure), true,
	'push_epochs is SECURITY DEFINER, owned by gkey_admin');
SELECT is(pg_get_function_result('gkey.push_epochs()'::regprocedure),
	'TABLE(app_id bigint, epoch integer)', 'push_epochs result columns');

SELECT * FROM finish();
ROLLBACK;
