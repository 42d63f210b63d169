-- What gkey_radius, the FreeRADIUS module's role, may and may not do.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(42);
\ir helpers.psql

SET ROLE gkey_test_operator;
SELECT gkey.create_application('hvac', p_id => 7) \g /dev/null
CREATE TEMP TABLE n AS SELECT pg_temp.enroll_node(1) AS node;
GRANT SELECT ON n TO PUBLIC;
SELECT gkey.grant(node, 'hvac') FROM n \g /dev/null
SELECT gkey.rotate('hvac') \g /dev/null
RESET ROLE;

SET ROLE gkey_radius;
-- Reading the Cert DB and GK DB.
SELECT lives_ok($$SELECT * FROM gkey.identity$$, 'gkey_radius can read identity');
SELECT lives_ok($$SELECT * FROM gkey.grant$$, 'gkey_radius can read grant');
SELECT lives_ok($$SELECT * FROM gkey.application$$, 'gkey_radius can read application');
SELECT lives_ok($$SELECT * FROM gkey.group_key$$, 'gkey_radius can read group_key');

-- The Cert DB is read-only for it.
SELECT throws_ok($$UPDATE gkey.identity SET status = 'active'$$, '42501', NULL, 'gkey_radius cannot update identity');
SELECT throws_ok($$DELETE FROM gkey.identity$$, '42501', NULL, 'gkey_radius cannot delete identities');
SELECT throws_ok($$INSERT INTO gkey.identity (fingerprint, issuer, serial, subject, spki, not_before, not_after, kind)
	VALUES (pg_temp.fp(9), '/CN=x', '09', '/CN=x', pg_temp.spki(9), now(), now() + interval '1 day', 'iot')$$,
	'42501', NULL, 'gkey_radius cannot enroll by inserting');
SELECT throws_ok($$UPDATE gkey.grant SET expires = NULL$$, '42501', NULL, 'gkey_radius cannot update grants');
SELECT throws_ok($$DELETE FROM gkey.grant$$, '42501', NULL, 'gkey_radius cannot delete grants');
SELECT throws_ok($$INSERT INTO gkey.grant (identity_id, app_id) SELECT node, 7 FROM n$$, '42501', NULL,
	'gkey_radius cannot grant by inserting');
SELECT throws_ok($$UPDATE gkey.application SET key_lifetime = '1 year'$$, '42501', NULL, 'gkey_radius cannot change applications');

-- The GK DB: material only, once.
SELECT throws_ok($$UPDATE gkey.group_key SET not_after = now() + interval '10 years'$$, '42501', NULL,
	'gkey_radius cannot extend a key''s validity');
SELECT throws_ok($$INSERT INTO gkey.group_key (app_id, epoch, not_before, not_after) VALUES (7, 99, now(), now() + interval '1 day')$$,
	'42501', NULL, 'gkey_radius cannot insert keys directly');
SELECT throws_ok($$DELETE FROM gkey.group_key$$, '42501', NULL, 'gkey_radius cannot delete keys');
SELECT is(gkey.fill_material(7, 2, pg_temp.sealed(2), pg_temp.kc()), pg_temp.sealed(2), 'gkey_radius fills an empty epoch');
SELECT is(gkey.fill_material(7, 2, pg_temp.sealed(4), pg_temp.kc()), pg_temp.sealed(2), 'a second fill of the same epoch returns the first');
SELECT throws_ok($$UPDATE gkey.group_key SET material = '\x0506' WHERE app_id = 7 AND epoch = 2$$, '55000',
	'gkey: key material of application 7 epoch 2 is already set',
	'gkey_radius cannot overwrite material, not even with a direct UPDATE');
SELECT throws_ok($$UPDATE gkey.group_key SET material = NULL WHERE app_id = 7 AND epoch = 2$$, '55000',
	'gkey: key material of application 7 epoch 2 is already set', 'gkey_radius cannot clear material');
SELECT lives_ok($$UPDATE gkey.group_key SET material = '\x0708' WHERE app_id = 7 AND epoch = 1 AND material IS NULL$$,
	'gkey_radius may fill empty material with a conditional UPDATE');
SELECT is((SELECT string_agg(encode(material, 'hex'), ',' ORDER BY epoch) FROM gkey.group_key WHERE app_id = 7),
	'0708,' || encode(pg_temp.sealed(2), 'hex'), 'the stored material is what was filled first');

-- The log is append-only.
SELECT lives_ok($$INSERT INTO gkey.issuance_log (flow, result, reason) VALUES ('radius', 'refused', 'direct')$$,
	'gkey_radius can insert log rows directly');
SELECT lives_ok($$SELECT gkey.log_issuance(NULL, NULL, 7, 1, 'nas', 'cs', 'radius', 'issued', NULL)$$,
	'gkey_radius can log through log_issuance');
SELECT throws_ok($$INSERT INTO gkey.issuance_log (time, flow, result, reason) VALUES ('2000-01-01', 'radius', 'refused', 'backdated')$$,
	'42501', NULL, 'gkey_radius cannot choose a log row''s time');
SELECT throws_ok($$INSERT INTO gkey.issuance_log (id, flow, result, reason) OVERRIDING SYSTEM VALUE VALUES (1, 'radius', 'refused', 'x')$$,
	'42501', NULL, 'gkey_radius cannot choose a log row''s id');
SELECT throws_ok($$UPDATE gkey.issuance_log SET result = 'issued'$$, '42501', NULL, 'gkey_radius cannot update log rows');
SELECT throws_ok($$DELETE FROM gkey.issuance_log$$, '42501', NULL, 'gkey_radius cannot delete log rows');
SELECT throws_ok($$TRUNCATE gkey.issuance_log$$, '42501', NULL, 'gkey_radius cannot truncate the log');
SELECT throws_ok($$SELECT count(*) FROM gkey.issuance_log$$, '42501', NULL, 'gkey_radius cannot read the log back');
RESET ROLE;
SELECT is((SELECT count(*) FROM gkey.issuance_log WHERE time = now()), 2::bigint,
	'both rows the module wrote carry the database''s time');
SET ROLE gkey_radius;

-- No operator function.
SELECT throws_ok($$SELECT gkey.create_application('x')$$, '42501', NULL, 'gkey_radius cannot create applications');
SELECT throws_ok($$SELECT gkey.enroll(pg_temp.fp(9), '/CN=x', '09', '/CN=x', pg_temp.spki(9), now(), now() + interval '1 day', 'iot')$$,
	'42501', NULL, 'gkey_radius cannot enroll');
SELECT throws_ok($$SELECT gkey.grant(node, 'hvac') FROM n$$, '42501', NULL, 'gkey_radius cannot grant');
SELECT throws_ok($$SELECT gkey.revoke_grant(node, 'hvac') FROM n$$, '42501', NULL, 'gkey_radius cannot revoke grants');
SELECT throws_ok($$SELECT gkey.suspend_identity(node, 'x') FROM n$$, '42501', NULL, 'gkey_radius cannot suspend');
SELECT throws_ok($$SELECT gkey.reinstate_identity(node) FROM n$$, '42501', NULL, 'gkey_radius cannot reinstate');
SELECT throws_ok($$SELECT gkey.revoke_identity(node, 'x') FROM n$$, '42501', NULL, 'gkey_radius cannot revoke');
SELECT throws_ok($$SELECT gkey.rotate('hvac')$$, '42501', NULL, 'gkey_radius cannot rotate');
SELECT throws_ok($$SELECT gkey.rotate_all_due()$$, '42501', NULL, 'gkey_radius cannot rotate_all_due');
SELECT throws_ok($$SELECT gkey.identity_id(pg_temp.fp(1))$$, '42501', NULL, 'gkey_radius cannot call identity_id');
SELECT throws_ok($$SELECT gkey.lock_application('hvac')$$, '42501', NULL, 'gkey_radius cannot call the internal helpers');

-- Nor anything else in the schema.
SELECT throws_ok($$SELECT * FROM gkey.schema_version$$, '42501', NULL, 'gkey_radius cannot read schema_version');
SELECT throws_ok($$CREATE TABLE gkey.mine (x int)$$, '42501', NULL, 'gkey_radius cannot create objects in gkey');

SELECT * FROM finish();
ROLLBACK;
