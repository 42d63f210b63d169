-- The module's five functions, called as gkey_radius the way rlm_gkey calls
-- them.  Fixtures are made by an operator first.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(57);
\ir helpers.psql

SET ROLE gkey_test_operator;
SELECT gkey.create_application('alpha', p_id => 101) \g /dev/null
SELECT gkey.create_application('beta', 'aes-256', p_id => 102) \g /dev/null
SELECT gkey.create_application('gamma', p_id => 103) \g /dev/null
SELECT gkey.create_application('delta', p_id => 104) \g /dev/null
SELECT gkey.create_application('epsilon', p_id => 105) \g /dev/null
CREATE TEMP TABLE n AS
SELECT pg_temp.enroll_node(1, 'user') AS phone, pg_temp.enroll_node(2) AS sensor,
       pg_temp.enroll_node(3) AS suspended, pg_temp.enroll_node(4) AS revoked,
       pg_temp.enroll_node(5) AS lapsed, pg_temp.enroll_node(10) AS hexserial;
GRANT SELECT ON n TO PUBLIC;
-- Suspended before its grant: suspending rotates what it holds
-- (06_leave.sql), and these fixtures want every application at epoch 1.
SELECT gkey.suspend_identity(suspended, 'battery swap') FROM n \g /dev/null
-- Granted in reverse order: issue_keys orders by application id.
SELECT gkey.grant(phone, 'beta'), gkey.grant(phone, 'alpha'), gkey.grant(sensor, 'gamma'),
       gkey.grant(suspended, 'alpha'), gkey.grant(revoked, 'epsilon'), gkey.grant(lapsed, 'delta')
FROM n \g /dev/null
SELECT gkey.revoke_identity(revoked, 'stolen') FROM n \g /dev/null
-- An expired grant (grant() itself refuses a past expiry).
UPDATE gkey.grant SET expires = now() - interval '1 second' WHERE identity_id = (SELECT lapsed FROM n);
-- gamma's only key ran out yesterday and nobody rotated it.
UPDATE gkey.group_key SET not_before = now() - interval '3 days', not_after = now() - interval '1 day'
WHERE app_id = 103;
-- delta's too (only an expired grant for it).
UPDATE gkey.group_key SET not_before = now() - interval '3 days', not_after = now() - interval '1 day'
WHERE app_id = 104;
RESET ROLE;

SET ROLE gkey_radius;

-- identity_by_fingerprint
SELECT results_eq($$SELECT * FROM gkey.identity_by_fingerprint(pg_temp.fp(1))$$,
	$$SELECT id, status, status_reason, not_before, not_after, spki, kind FROM gkey.identity
	  WHERE fingerprint = pg_temp.fp(1)$$, 'identity_by_fingerprint returns the identity''s row');
SELECT is((SELECT (identity_id, status, kind)::text FROM gkey.identity_by_fingerprint(pg_temp.fp(1))),
	format('(%s,active,user)', (SELECT phone FROM n)), 'identity_by_fingerprint: id, status and kind');
SELECT is((SELECT spki FROM gkey.identity_by_fingerprint(pg_temp.fp(2))), pg_temp.spki(2),
	'identity_by_fingerprint returns the enrolled SPKI');
SELECT is_empty($$SELECT * FROM gkey.identity_by_fingerprint(pg_temp.fp(99))$$,
	'identity_by_fingerprint: no row for an unknown certificate');
SELECT is_empty($$SELECT * FROM gkey.identity_by_fingerprint(NULL)$$, 'identity_by_fingerprint: no row for NULL');
SELECT is((SELECT (status, status_reason)::text FROM gkey.identity_by_fingerprint(pg_temp.fp(3))),
	'(suspended,"battery swap")', 'identity_by_fingerprint shows a suspension and its reason');
SELECT is((SELECT (status, status_reason)::text FROM gkey.identity_by_fingerprint(pg_temp.fp(4))),
	'(revoked,stolen)', 'identity_by_fingerprint shows a revocation and its reason');

-- identity_by_issuer_serial (enroll_node: serial = hex(4096 + n))
SELECT results_eq($$SELECT * FROM gkey.identity_by_issuer_serial('/O=gkey test/CN=gkey Devices CA', '1002')$$,
	$$SELECT * FROM gkey.identity_by_fingerprint(pg_temp.fp(2))$$,
	'identity_by_issuer_serial finds the identity by TLS-Client-Cert-Issuer and -Serial');
SELECT is((SELECT identity_id FROM gkey.identity_by_issuer_serial('/O=gkey test/CN=gkey Devices CA', '1001')),
	(SELECT phone FROM n), 'identity_by_issuer_serial returns the id');
SELECT isnt_empty($$SELECT * FROM gkey.identity_by_issuer_serial('/O=gkey test/CN=gkey Devices CA', '100A')$$,
	'identity_by_issuer_serial compares the serial case-insensitively');
SELECT is_empty($$SELECT * FROM gkey.identity_by_issuer_serial('/O=gkey test/CN=gkey Devices CA', '01002')$$,
	'identity_by_issuer_serial: a leading zero makes another serial');
SELECT is_empty($$SELECT * FROM gkey.identity_by_issuer_serial('/O=rogue/CN=Rogue CA', '1002')$$,
	'identity_by_issuer_serial: the same serial from another issuer is not the identity');
SELECT is_empty($$SELECT * FROM gkey.identity_by_issuer_serial('/O=gkey test/CN=gkey devices ca', '1002')$$,
	'identity_by_issuer_serial: the issuer compares exactly');

-- issue_keys
SELECT is(pg_temp.issued((SELECT phone FROM n)), 'alpha:1 beta:1', 'issue_keys: every granted application, ordered by id');
SELECT results_eq(format($$SELECT * FROM gkey.issue_keys(%s, NULL)$$, (SELECT phone FROM n)),
	$$SELECT a.id, a.name, a.gk_alg, k.epoch, k.not_before, k.not_after, k.material
	  FROM gkey.application a JOIN gkey.group_key k ON k.app_id = a.id WHERE a.name IN ('alpha', 'beta')
	  ORDER BY a.id$$, 'issue_keys: id, name, algorithm, epoch, validity and (still NULL) material');
SELECT is(pg_temp.issued((SELECT phone FROM n), '{}'), 'alpha:1 beta:1', 'issue_keys: an empty list means all granted');
SELECT is(pg_temp.issued((SELECT phone FROM n), '{beta}'), 'beta:1', 'issue_keys: filtered by name');
SELECT is(pg_temp.issued((SELECT phone FROM n), '{beta,alpha,nosuch}'), 'alpha:1 beta:1',
	'issue_keys: unknown names in the list are ignored');
SELECT is(pg_temp.issued((SELECT phone FROM n), '{gamma}'), '', 'issue_keys: nothing for an application not granted');
SELECT is(pg_temp.issued((SELECT suspended FROM n)), '', 'issue_keys: nothing for a suspended identity');
SELECT is(pg_temp.issued((SELECT revoked FROM n)), '', 'issue_keys: nothing for a revoked identity');
SELECT is(pg_temp.issued((SELECT lapsed FROM n)), '', 'issue_keys: nothing for an expired grant');
SELECT is(pg_temp.issued(-1), '', 'issue_keys: nothing for an unknown identity');
RESET ROLE;
SELECT is(pg_temp.epochs('delta'), '1:now-3 days..now-1 days',
	'issue_keys made no epoch for an application only an expired grant names');
SET ROLE gkey_radius;
SELECT is(pg_temp.issued((SELECT sensor FROM n)), 'gamma:2',
	'issue_keys: an application whose key ran out gets its next epoch');
SELECT is(pg_temp.issued((SELECT sensor FROM n)), 'gamma:2', 'issue_keys: asking again creates no further epoch');
-- Read-only (a standby, a fenced primary): refused with 25006, which the
-- module takes for a connection to leave, also with no epoch to add
-- (doc/sql.md sections 5.3 and 7.1).
SAVEPOINT read_only;
SET LOCAL transaction_read_only = on;
SELECT throws_ok(format($$SELECT * FROM gkey.issue_keys(%s, NULL)$$, (SELECT phone FROM n)), '25006', NULL,
	'issue_keys: a read-only transaction is refused, though every granted application has its epoch');
ROLLBACK TO SAVEPOINT read_only;
RESET ROLE;
SELECT is(pg_temp.epochs('gamma'), '1:now-3 days..now-1 days 2:now-1 days..now+1 day',
	'the new epoch takes over when the last one ended and lasts a lifetime from now');
SELECT is((SELECT material FROM gkey.group_key WHERE app_id = 103 AND epoch = 2), NULL,
	'the new epoch has no material yet');
SET ROLE gkey_radius;

-- fill_material
SELECT is(gkey.fill_material(101, 1, pg_temp.sealed(170), pg_temp.kc()), pg_temp.sealed(170), 'fill_material stores the first sealed key and returns it');
SELECT is(gkey.fill_material(101, 1, pg_temp.sealed(187), pg_temp.kc()), pg_temp.sealed(170), 'fill_material returns the stored key, not a second one');
SELECT is((SELECT material FROM gkey.group_key WHERE app_id = 101 AND epoch = 1), pg_temp.sealed(170),
	'the first key stays stored');
SELECT is((SELECT material FROM gkey.issue_keys((SELECT phone FROM n), '{alpha}')), pg_temp.sealed(170),
	'issue_keys returns the stored material');
SELECT throws_ok($$SELECT gkey.fill_material(101, 9, pg_temp.sealed(170), pg_temp.kc())$$, 'P0002',
	'gkey: no key for application 101 epoch 9', 'fill_material refuses an epoch that does not exist');
SELECT throws_ok($$SELECT gkey.fill_material(999, 1, pg_temp.sealed(170), pg_temp.kc())$$, 'P0002',
	'gkey: no key for application 999 epoch 1', 'fill_material refuses an application that does not exist');
-- The sealed length follows the application's algorithm: 45 octets for
-- aes-128 (alpha), 61 for aes-256 (beta).
SELECT throws_ok($$SELECT gkey.fill_material(102, 1, pg_temp.sealed(170), pg_temp.kc())$$, '22023',
	'gkey: sealed key material of application 102 (aes-256) must be 61 octets, got 45',
	'fill_material refuses an aes-128-sized blob for an aes-256 application');
SELECT throws_ok($$SELECT gkey.fill_material(103, 2, pg_temp.sealed(170, 32), pg_temp.kc())$$, '22023',
	'gkey: sealed key material of application 103 (aes-128) must be 45 octets, got 61',
	'fill_material refuses an aes-256-sized blob for an aes-128 application');
SELECT throws_ok($$SELECT gkey.fill_material(103, 2, '\xaaaa', pg_temp.kc())$$, '22023',
	'gkey: sealed key material of application 103 (aes-128) must be 45 octets, got 2',
	'fill_material refuses a short blob');
SELECT throws_ok($$SELECT gkey.fill_material(103, 2, '\x02'::bytea || substr(pg_temp.sealed(170), 2), pg_temp.kc())$$, '22023',
	'gkey: sealed key material has format version 2, not 1', 'fill_material refuses another format version');
SELECT is(gkey.fill_material(102, 1, pg_temp.sealed(204, 32), pg_temp.kc()), pg_temp.sealed(204, 32),
	'fill_material stores a 61-octet blob for an aes-256 application');
SELECT throws_ok($$SELECT gkey.fill_material(102, 1, NULL, pg_temp.kc())$$, '22023',
	'gkey: sealed key material must not be empty', 'fill_material refuses NULL');
SELECT throws_ok($$SELECT gkey.fill_material(102, 1, '', pg_temp.kc())$$, '22023',
	'gkey: sealed key material must not be empty', 'fill_material refuses an empty value');

-- log_issuance
SELECT lives_ok(format($$SELECT gkey.log_issuance(%s, pg_temp.fp(1), 101, 1, 'ar-1', '2001:db8::1',
	'radius', 'issued', NULL)$$, (SELECT phone FROM n)), 'log_issuance records an issued key');
SELECT lives_ok($$SELECT gkey.log_issuance(NULL, pg_temp.fp(99), NULL, NULL, 'ar-1', NULL,
	'radius', 'refused', 'unknown certificate')$$, 'log_issuance records a refusal of an unknown certificate');
SELECT lives_ok(format($$SELECT gkey.log_issuance(%s, NULL, NULL, NULL, 'paa-1', NULL,
	'eap', 'refused', 'revoked')$$, (SELECT revoked FROM n)), 'log_issuance records an EAP refusal');
SELECT lives_ok(format($$SELECT gkey.log_issuance(%s, pg_temp.fp(1), 102, 1, 'ar-1', NULL,
	'radius', 'failed', 'key material does not open')$$, (SELECT phone FROM n)),
	'log_issuance records an application that failed');
SELECT throws_ok($$SELECT gkey.log_issuance(1, NULL, NULL, NULL, NULL, NULL, 'radius', 'failed', 'x')$$,
	'23514', NULL, 'log_issuance refuses a failed row that names no application and epoch');
SELECT throws_ok($$SELECT gkey.log_issuance(NULL, NULL, NULL, NULL, NULL, NULL, 'pana', 'refused', 'x')$$,
	'23514', NULL, 'log_issuance refuses an unknown flow');
SELECT throws_ok($$SELECT gkey.log_issuance(NULL, NULL, NULL, NULL, NULL, NULL, 'eap', 'maybe', 'x')$$,
	'23514', NULL, 'log_issuance refuses an unknown result');
SELECT throws_ok($$SELECT gkey.log_issuance(1, NULL, NULL, NULL, NULL, NULL, 'eap', 'issued', NULL)$$,
	'23514', NULL, 'log_issuance refuses an issued row that names no application and epoch');
SELECT throws_ok($$SELECT gkey.log_issuance(NULL, '\x01', NULL, NULL, NULL, NULL, 'eap', 'refused', 'x')$$,
	'23514', NULL, 'log_issuance refuses a malformed fingerprint');
RESET ROLE;
SELECT results_eq($$SELECT identity_id, fingerprint, app_id, epoch, nas, calling_station, flow, result, reason,
		time = now() FROM gkey.issuance_log ORDER BY id$$,
	format($$VALUES (%s::bigint, pg_temp.fp(1), 101::bigint, 1, 'ar-1', '2001:db8::1', 'radius', 'issued', NULL::text, true),
		(NULL, pg_temp.fp(99), NULL, NULL, 'ar-1', NULL, 'radius', 'refused', 'unknown certificate', true),
		(%s, NULL, NULL, NULL, 'paa-1', NULL, 'eap', 'refused', 'revoked', true),
		(%1$s, pg_temp.fp(1), 102, 1, 'ar-1', NULL, 'radius', 'failed', 'key material does not open', true)$$,
		(SELECT phone FROM n), (SELECT revoked FROM n)),
	'the log holds exactly the four rows, as given, timestamped');

-- granted_applications: the grant rule issue_keys applies, for its owner only.
CREATE FUNCTION pg_temp.granted(p_identity bigint, p_apps text[] DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(string_agg(a.name, ' ' ORDER BY a.id), '')
	FROM gkey.granted_applications(p_identity, p_apps) a
$$;
SELECT is(pg_temp.granted((SELECT phone FROM n)), 'alpha beta',
	'granted_applications: the applications the identity holds a grant for');
SELECT is(pg_temp.granted((SELECT phone FROM n), '{beta,nosuch}'), 'beta',
	'granted_applications: only those asked for by name');
SELECT is(pg_temp.granted((SELECT suspended FROM n)), '',
	'granted_applications: nothing for an identity that is not active');
SELECT is(pg_temp.granted((SELECT lapsed FROM n)), '', 'granted_applications: nothing for an expired grant');
SET ROLE gkey_radius;
SELECT throws_ok($$SELECT * FROM gkey.granted_applications(1, NULL)$$, '42501', NULL,
	'gkey_radius cannot call granted_applications, only issue_keys');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
