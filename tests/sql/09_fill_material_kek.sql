-- gkey.fill_material since 009: it stores nothing unless the caller's KEK
-- check value is the stored one, so a key server left with the KEK from
-- before a rotation cannot write; the old three-argument form refuses.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(9);
\ir helpers.psql

SET ROLE gkey_test_operator;
SELECT gkey.create_application('kek-a', p_id => 301) \g /dev/null
RESET ROLE;
INSERT INTO gkey.kek_check (one, check_value) VALUES (true, sha256('kek A'))
	ON CONFLICT (one) DO UPDATE SET check_value = EXCLUDED.check_value;

SET ROLE gkey_radius;
SELECT throws_ok($$SELECT gkey.fill_material(301, 1, pg_temp.sealed(170))$$, 'GK002',
	'gkey: fill_material needs the caller''s KEK check value since migration 009: upgrade rlm_gkey',
	'the three-argument form (a module older than 009) refuses');
SELECT throws_ok($$SELECT gkey.fill_material(301, 1, pg_temp.sealed(170), sha256('kek B'))$$, 'GK001',
	'gkey: the caller''s KEK is not the one this database''s key material is sealed under (gkey.kek_check); nothing stored',
	'a caller with another KEK''s check value is refused');
SELECT throws_ok($$SELECT gkey.fill_material(301, 1, pg_temp.sealed(170), '\x01')$$, '22023',
	'gkey: a KEK check value is 32 octets (HMAC-SHA256), got 1', 'a check value must be 32 octets');
SELECT throws_ok($$SELECT gkey.fill_material(301, 1, pg_temp.sealed(170), NULL)$$, '22023',
	'gkey: a KEK check value is 32 octets (HMAC-SHA256), got 0', 'the check value must be given');
RESET ROLE;
SELECT is((SELECT material FROM gkey.group_key WHERE app_id = 301 AND epoch = 1), NULL,
	'nothing was stored by the refused calls');
SET ROLE gkey_radius;
SELECT is(gkey.fill_material(301, 1, pg_temp.sealed(170), sha256('kek A')), pg_temp.sealed(170),
	'with the stored check value the material is stored');
RESET ROLE;

-- A rotation replaces the check value: the old KEK's holder may no longer
-- write, not even to return what is stored.
UPDATE gkey.kek_check SET check_value = sha256('kek B');
SET ROLE gkey_test_operator;
SELECT gkey.rotate('kek-a', '0') \g /dev/null
RESET ROLE;
SET ROLE gkey_radius;
SELECT throws_ok($$SELECT gkey.fill_material(301, 2, pg_temp.sealed(187), sha256('kek A'))$$, 'GK001', NULL,
	'after a rotation the old KEK''s check value is refused');
SELECT is(gkey.fill_material(301, 2, pg_temp.sealed(187), sha256('kek B')), pg_temp.sealed(187),
	'and the new one''s accepted');
RESET ROLE;
DELETE FROM gkey.kek_check;
SET ROLE gkey_radius;
SELECT throws_ok($$SELECT gkey.fill_material(301, 3, pg_temp.sealed(170), sha256('kek B'))$$, 'GK001', NULL,
	'material but no check value: refused (the connection check stores one first)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
