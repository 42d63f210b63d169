-- The operators' views of the issuance log (migration 008): who holds
-- which epoch of which application (gkey.key_holders) and refusals by
-- reason over a time window (gkey.refusals); neither is the module's.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(18);
\ir helpers.psql

SET ROLE gkey_test_operator;
SELECT gkey.create_application('meter', p_id => 1) \g /dev/null
SELECT gkey.create_application('lamp', p_id => 2) \g /dev/null
CREATE TEMP TABLE v AS SELECT pg_temp.enroll_node(1) AS a, pg_temp.enroll_node(2) AS b;
GRANT SELECT ON v TO PUBLIC;
SELECT gkey.rotate('meter', '0') \g /dev/null
-- a: meter epoch 1 two hours ago, epoch 2 an hour ago; lamp epoch 1.
-- b: meter epoch 1 three hours ago, then refused; a failure is no issue.
INSERT INTO gkey.issuance_log (time, identity_id, fingerprint, app_id, epoch, nas, flow, result, reason)
SELECT now() - t, id, fp, app, ep, nas, 'radius', res, why
FROM v, LATERAL (VALUES
	(interval '2 hours', a, pg_temp.fp(1), 1, 1, 'nas-1', 'issued', NULL),
	(interval '1 hour', a, pg_temp.fp(1), 1, 2, 'nas-2', 'issued', NULL),
	(interval '30 minutes', a, pg_temp.fp(1), 2, 1, 'nas-2', 'issued', NULL),
	(interval '10 minutes', a, pg_temp.fp(1), 2, 1, 'nas-3', 'failed', 'key material does not open'),
	(interval '3 hours', b, pg_temp.fp(2), 1, 1, 'nas-1', 'issued', NULL),
	(interval '20 minutes', b, pg_temp.fp(2), NULL, NULL, 'nas-1', 'refused', 'identity is suspended'),
	(interval '15 minutes', b, pg_temp.fp(2), NULL, NULL, 'nas-1', 'refused', 'identity is suspended'),
	(interval '5 minutes', NULL, pg_temp.fp(9), NULL, NULL, 'nas-1', 'refused', 'unknown certificate'),
	(interval '2 days', NULL, pg_temp.fp(8), NULL, NULL, 'nas-1', 'refused', 'old refusal')
) x(t, id, fp, app, ep, nas, res, why);

SELECT results_eq($$SELECT identity_id, app_name, epoch, pg_temp.rel(last_issued), nas, epoch_current
		   FROM gkey.key_holders ORDER BY identity_id, app_id$$,
	$$SELECT a, 'meter', 2, 'now-01:00:00', 'nas-2', true FROM v
	  UNION ALL SELECT a, 'lamp', 1, 'now-00:30:00', 'nas-2', true FROM v
	  UNION ALL SELECT b, 'meter', 1, 'now-03:00:00', 'nas-1', false FROM v$$,
	'key_holders: the latest issued epoch per identity and application; a failure is not a refresh');
SELECT is((SELECT subject FROM gkey.key_holders k JOIN v ON k.identity_id = v.b),
	'/O=gkey test/CN=node-2', 'key_holders names the identity');
SELECT is((SELECT pg_temp.rel(epoch_not_after) FROM gkey.key_holders k JOIN v ON k.identity_id = v.b),
	'now', 'an epoch superseded by a rotation ends at the rotation');
SELECT set_eq($$SELECT * FROM gkey.key_holders_since('-infinity')$$, $$SELECT * FROM gkey.key_holders$$,
	'key_holders_since(-infinity) is key_holders');
SELECT results_eq($$SELECT identity_id, app_name, epoch FROM gkey.key_holders_since(now() - interval '90 minutes')
		   ORDER BY identity_id, app_id$$,
	$$SELECT a, 'meter', 2 FROM v UNION ALL SELECT a, 'lamp', 1 FROM v$$,
	'key_holders_since: only the holders that refreshed within the window');
SELECT throws_ok($$SELECT * FROM gkey.key_holders_since(NULL)$$, '22023', 'gkey: a start time is required',
	'key_holders_since needs a start time');
SELECT gkey.suspend_identity(b, 'lost') FROM v \g /dev/null
SELECT is((SELECT status FROM gkey.key_holders k JOIN v ON k.identity_id = v.b),
	'suspended', 'key_holders shows the identity''s status now');

SELECT results_eq($$SELECT reason, refusals, identities, fingerprints, pg_temp.rel(first_time), pg_temp.rel(last_time)
		   FROM gkey.refusals(now() - interval '1 hour')$$,
	$$VALUES ('identity is suspended', 2::bigint, 1::bigint, 1::bigint, 'now-00:20:00', 'now-00:15:00'),
	         ('unknown certificate', 1::bigint, 0::bigint, 1::bigint, 'now-00:05:00', 'now-00:05:00')$$,
	'refusals: by reason within the window, most frequent first');
SELECT results_eq($$SELECT reason, refusals FROM gkey.refusals(now() - interval '3 days', now() - interval '1 day')$$,
	$$VALUES ('old refusal', 1::bigint)$$, 'refusals: p_until closes the window');
SELECT is((SELECT count(*) FROM gkey.refusals(now() - interval '1 minute')), 0::bigint,
	'refusals: no row for a quiet window');
SELECT throws_ok($$SELECT * FROM gkey.refusals(NULL)$$, '22023', 'gkey: a start time is required',
	'refusals needs a start time');
RESET ROLE;

SELECT is((SELECT relowner::regrole::text FROM pg_class WHERE oid = 'gkey.key_holders'::regclass), 'gkey_admin',
	'gkey_admin owns key_holders');
SELECT is((SELECT proowner::regrole::text FROM pg_proc WHERE oid = 'gkey.refusals(timestamptz, timestamptz)'::regprocedure),
	'gkey_admin', 'gkey_admin owns refusals');
SET ROLE gkey_radius;
SELECT throws_ok($$SELECT * FROM gkey.key_holders$$, '42501', NULL, 'gkey_radius cannot read key_holders');
SELECT throws_ok($$SELECT * FROM gkey.refusals(now() - interval '1 day')$$, '42501', NULL,
	'gkey_radius cannot call refusals');
SELECT throws_ok($$SELECT * FROM gkey.key_holders_since(now() - interval '1 day')$$, '42501', NULL,
	'gkey_radius cannot call key_holders_since');
RESET ROLE;
SELECT ok(NOT has_table_privilege('public', 'gkey.key_holders', 'SELECT'), 'PUBLIC cannot read key_holders');
SELECT ok(NOT has_function_privilege('public', 'gkey.refusals(timestamptz, timestamptz)', 'EXECUTE'),
	'PUBLIC cannot call refusals');

SELECT * FROM finish();
ROLLBACK;
