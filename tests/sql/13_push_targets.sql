-- gkey.push_targets (migration 013): the nodes gkey-pushd tells about a
-- new epoch, and gkey_push, the role that may ask and nothing else.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(20);
\ir helpers.psql

SET ROLE gkey_test_operator;
SELECT gkey.create_application('meter', p_id => 1) \g /dev/null
SELECT gkey.create_application('lamp', p_id => 2) \g /dev/null
-- n1 active and granted; n2 revoked; n3 suspended; n4 granted lamp only;
-- n5 grant expired; n6 served two days ago; n7 certificate expired; n8
-- only a failure and a refusal lately; n9 granted, never served.
CREATE TEMP TABLE v AS SELECT n, pg_temp.enroll_node(n) AS id FROM generate_series(1, 9) n;
GRANT SELECT ON v TO PUBLIC;
SELECT gkey.grant(id, 'meter') FROM v WHERE n <> 4 \g /dev/null
SELECT gkey.grant(id, 'lamp') FROM v WHERE n IN (1, 4) \g /dev/null
RESET ROLE;

-- Log rows as the module writes them (time set here by the superuser).
INSERT INTO gkey.issuance_log (time, identity_id, fingerprint, app_id, epoch, nas, calling_station, flow, result, reason)
SELECT now() - t, v.id, pg_temp.fp(v.n), app, 1, nas, cs, flow, res, why
FROM v JOIN (VALUES
	(1, interval '3 hours', 1, 'ar-1', '2001:db8::1', 'radius', 'issued', NULL),
	(1, interval '20 minutes', 1, 'ar-2', '2001:db8::1:1', 'radius', 'issued', NULL),
	(1, interval '10 minutes', 2, 'ar-3', '2001:db8::3', 'radius', 'issued', NULL),
	(1, interval '5 minutes', 1, 'ar-4', '2001:db8::4', 'radius', 'failed', 'key material does not open'),
	(2, interval '1 hour', 1, 'paa-1', '192.0.2.2', 'eap', 'issued', NULL),
	(3, interval '1 hour', 1, 'paa-1', '192.0.2.3', 'eap', 'issued', NULL),
	(4, interval '1 hour', 1, 'paa-1', '192.0.2.4', 'eap', 'issued', NULL),
	(4, interval '1 hour', 2, 'paa-1', '192.0.2.4', 'eap', 'issued', NULL),
	(5, interval '1 hour', 1, 'paa-1', '192.0.2.5', 'eap', 'issued', NULL),
	(6, interval '2 days', 1, 'paa-2', '192.0.2.6', 'eap', 'issued', NULL),
	(7, interval '1 hour', 1, 'paa-1', '192.0.2.7', 'eap', 'issued', NULL),
	(8, interval '2 days', 1, 'paa-1', '192.0.2.8', 'eap', 'issued', NULL),
	(8, interval '1 hour', 1, 'paa-3', '192.0.2.8', 'eap', 'failed', 'key material does not open'),
	(8, interval '30 minutes', NULL, 'paa-3', '192.0.2.8', 'eap', 'refused', 'identity is suspended')
) x(n, t, app, nas, cs, flow, res, why) ON x.n = v.n;
UPDATE gkey.grant SET expires = now() - interval '1 minute'
WHERE identity_id = (SELECT id FROM v WHERE n = 5) AND app_id = 1;
UPDATE gkey.identity SET not_before = now() - interval '2 years', not_after = now() - interval '1 second'
WHERE id = (SELECT id FROM v WHERE n = 7);
SET ROLE gkey_test_operator;
SELECT gkey.revoke_identity(id, 'stolen') FROM v WHERE n = 2 \g /dev/null
SELECT gkey.suspend_identity(id, 'lost') FROM v WHERE n = 3 \g /dev/null
RESET ROLE;

SET ROLE gkey_push;
SELECT results_eq($$SELECT t.identity_id, t.fingerprint, t.nas, t.calling_station, t.flow, t.app_name
		   FROM gkey.push_targets(1, '1 day') t$$,
	$$SELECT id, pg_temp.fp(1), 'ar-2', '2001:db8::1:1', 'radius', 'meter' FROM v WHERE n = 1$$,
	'push_targets: only the active, valid, granted identity served lately, through its latest NAS');
SELECT results_eq($$SELECT v.n, t.nas FROM gkey.push_targets(1, '3 days') t JOIN v ON v.id = t.identity_id$$,
	$$VALUES (1, 'ar-2'), (6, 'paa-2'), (8, 'paa-1')$$,
	'a wider window reaches the identities served days ago, by NAS; a failure or refusal is not a service');
SELECT results_eq($$SELECT v.n, t.nas, t.calling_station, t.app_name FROM gkey.push_targets(2, '1 day') t
		   JOIN v ON v.id = t.identity_id$$,
	$$VALUES (1, 'ar-3', '2001:db8::3', 'lamp'), (4, 'paa-1', '192.0.2.4', 'lamp')$$,
	'each application has its own latest NAS');
SELECT is((SELECT count(*)::int FROM gkey.push_targets(1, '15 minutes')), 0,
	'nobody served within the window: no targets');
SELECT is((SELECT count(*)::int FROM gkey.push_targets(99, '1 day')), 0, 'an unknown application has no targets');
SELECT throws_ok($$SELECT * FROM gkey.push_targets(1, NULL)$$, '22023',
	'gkey: the push window must be positive, got <NULL>', 'the window is required');
SELECT throws_ok($$SELECT * FROM gkey.push_targets(1, '-1 hour')$$, '22023', NULL, 'the window must be positive');
SELECT throws_ok($$SELECT * FROM gkey.push_targets(NULL, '1 hour')$$, '22023',
	'gkey: an application id is required', 'the application is required');

-- Nothing else for gkey_push.
SELECT throws_ok($$SELECT * FROM gkey.identity$$, '42501', NULL, 'gkey_push cannot read identities');
SELECT throws_ok($$SELECT * FROM gkey.issuance_log$$, '42501', NULL, 'gkey_push cannot read the log');
SELECT throws_ok($$SELECT * FROM gkey.group_key$$, '42501', NULL, 'gkey_push cannot read keys');
SELECT throws_ok($$SELECT * FROM gkey.issue_keys((SELECT id FROM v WHERE n = 1), NULL)$$, '42501', NULL,
	'gkey_push cannot issue keys');
SELECT throws_ok($$SELECT gkey.rotate('meter')$$, '42501', NULL, 'gkey_push cannot rotate');
SELECT lives_ok($$LISTEN gkey_change$$, 'gkey_push can listen for changes');
RESET ROLE;

SET ROLE gkey_radius;
SELECT throws_ok($$SELECT * FROM gkey.push_targets(1, '1 day')$$, '42501', NULL,
	'the module''s role cannot ask for push targets');
RESET ROLE;

SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'gkey_push'), true, 'gkey_push can log in');
SELECT isnt_member_of('gkey_admin', ARRAY['gkey_push'], 'gkey_push is not an operator');
SELECT set_eq($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'gkey'::regnamespace
	  AND has_function_privilege('gkey_push', p.oid, 'EXECUTE')$$,
	ARRAY['gkey.push_epochs()', 'gkey.push_targets(bigint,interval)'],
	'gkey_push may execute push_targets and push_epochs (migration 015) only');
SELECT is((SELECT count(*)::int FROM pg_class c, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p(priv)
	   WHERE c.relnamespace = 'gkey'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
	     AND has_table_privilege('gkey_push', c.oid, p.priv)), 0,
	'gkey_push has no privilege on any table, view or sequence');
SELECT is(pg_get_function_result('gkey.push_targets(bigint,interval)'::regprocedure),
	'TABLE(identity_id bigint, fingerprint bytea, nas text, calling_station text, flow text, app_name text)',
	'push_targets result columns');

SELECT * FROM finish();
ROLLBACK;
