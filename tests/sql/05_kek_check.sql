-- gkey.kek_check: the KEK check value is stored once, by the module's
-- role, only on an empty deployment or after the caller says a stored
-- blob opened under its KEK; the role cannot touch the table itself.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(12);
\ir helpers.psql

SET ROLE gkey_radius;
SELECT throws_ok($$SELECT * FROM gkey.kek_check('\x01'::bytea)$$, '22023',
	'gkey: a KEK check value is 32 octets (HMAC-SHA256), got 1', 'a check value must be 32 octets');
SELECT is((SELECT (c.check_value = sha256('kek A') AND c.app_id IS NULL AND c.material IS NULL)
	   FROM gkey.kek_check(sha256('kek A')) c),
	true, 'the first server on an empty deployment stores its check value');
SELECT is((SELECT c.check_value FROM gkey.kek_check(sha256('kek B')) c), sha256('kek A'),
	'a server with another KEK gets the stored value back, not its own');
SELECT is((SELECT c.check_value FROM gkey.kek_check(sha256('kek B'), true) c), sha256('kek A'),
	'p_verified does not replace a stored value');
SELECT throws_ok($$SELECT * FROM gkey.kek_check$$, '42501', NULL, 'gkey_radius cannot read the table');
SELECT throws_ok($$UPDATE gkey.kek_check SET check_value = sha256('kek B')$$, '42501', NULL,
	'gkey_radius cannot replace the check value');
SELECT throws_ok($$DELETE FROM gkey.kek_check$$, '42501', NULL, 'gkey_radius cannot delete the check value');
RESET ROLE;
SELECT is((SELECT count(*) FROM gkey.kek_check), 1::bigint, 'one row');

-- A deployment older than the check value: material but no row.
DELETE FROM gkey.kek_check;
SET ROLE gkey_test_operator;
SELECT gkey.create_application('old', p_id => 201) \g /dev/null
RESET ROLE;
-- Stored before 009, when fill_material took no check value.
UPDATE gkey.group_key SET material = pg_temp.sealed(170) WHERE app_id = 201 AND epoch = 1;
SET ROLE gkey_radius;
SELECT is((SELECT (c.check_value IS NULL AND c.app_id = 201 AND c.epoch = 1 AND c.material = pg_temp.sealed(170))
	   FROM gkey.kek_check(sha256('kek A')) c), true, 'with material but no check value: a sample blob instead, nothing stored');
RESET ROLE;
SELECT is((SELECT count(*) FROM gkey.kek_check), 0::bigint, 'nothing stored before the caller verified');
SET ROLE gkey_radius;
SELECT is((SELECT c.check_value FROM gkey.kek_check(sha256('kek A'), true) c), sha256('kek A'),
	'after the sample opened, p_verified stores the check value');
SELECT is((SELECT c.check_value FROM gkey.kek_check(sha256('kek C')) c), sha256('kek A'),
	'and it is kept from then on');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
