-- gkey.log_issuance_batch (migration 012): the module's log writer appends
-- many rows in one statement.  Each row is checked as log_issuance checks
-- its one (the table's checks, 23514), a bad row fails the batch, the
-- arrays must agree in length (22023), the rows land in their day's
-- partition with the database's time, and only gkey_radius may call it.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(21);
\ir helpers.psql

-- One batch of n rows: (identity, fp, app, epoch, nas, calling, flow, result, reason).
CREATE FUNCTION pg_temp.batch(p_id bigint[], p_fp bytea[], p_app bigint[], p_epoch integer[],
	p_flow text[], p_result text[], p_reason text[]) RETURNS integer
LANGUAGE sql AS $$
	SELECT gkey.log_issuance_batch(p_id, p_fp, p_app, p_epoch,
		array_fill('ar-b'::text, ARRAY[cardinality(p_flow)]),
		array_fill(NULL::text, ARRAY[cardinality(p_flow)]), p_flow, p_result, p_reason)
$$;
-- The log rows of the NAS ar-b, as "result/reason/flow/app/epoch" in id order.
CREATE FUNCTION pg_temp.rows() RETURNS text
LANGUAGE sql AS $$
	SELECT string_agg(concat_ws('/', l.result, coalesce(l.reason, '-'), l.flow,
		coalesce(l.app_id::text, '-'), coalesce(l.epoch::text, '-')), ' ' ORDER BY l.id)
	FROM gkey.issuance_log l WHERE l.nas = 'ar-b'
$$;
GRANT EXECUTE ON FUNCTION pg_temp.batch(bigint[], bytea[], bigint[], integer[], text[], text[], text[]),
	pg_temp.rows() TO PUBLIC;

SET ROLE gkey_test_operator;
SELECT lives_ok($$SELECT gkey.maintain_log()$$, 'today''s partition exists');
RESET ROLE;

SET ROLE gkey_radius;
SELECT is(pg_temp.batch(ARRAY[7, NULL, 8]::bigint[], ARRAY[pg_temp.fp(1), NULL, pg_temp.fp(2)],
	ARRAY[101, NULL, 102]::bigint[], ARRAY[1, NULL, 3], ARRAY['radius', 'radius', 'eap'],
	ARRAY['issued', 'refused', 'failed'], ARRAY[NULL, 'revoked', 'key material does not open']),
	3, 'gkey_radius logs three rows in one call, which returns 3');
RESET ROLE;
SELECT is(pg_temp.rows(), 'issued/-/radius/101/1 refused/revoked/radius/-/- failed/key material does not open/eap/102/3',
	'the rows are there, in the arrays'' order, with every column');
SELECT is((SELECT count(*) FROM gkey.issuance_log WHERE nas = 'ar-b' AND identity_id = 7
	AND fingerprint = pg_temp.fp(1) AND calling_station IS NULL), 1::bigint,
	'identity, fingerprint and NULLs travel as given');
SELECT is((SELECT count(DISTINCT time) FROM gkey.issuance_log WHERE nas = 'ar-b'), 1::bigint,
	'all rows of the batch have one time');
SELECT is((SELECT min(time) FROM gkey.issuance_log WHERE nas = 'ar-b'), now(),
	'the time is the database''s (the transaction''s start)');
SELECT is((SELECT string_agg(DISTINCT l.tableoid::regclass::text, ',') FROM gkey.issuance_log l WHERE l.nas = 'ar-b'),
	'gkey.issuance_log_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD'),
	'the rows land in today''s partition');

SET ROLE gkey_radius;
SELECT is(pg_temp.batch('{}', '{}', '{}', '{}', '{}', '{}', '{}'), 0, 'an empty batch writes nothing');
-- The checks of log_issuance (tests/sql/02), one bad row among good ones.
SELECT throws_ok($$SELECT pg_temp.batch(ARRAY[1, 1]::bigint[], ARRAY[NULL, NULL]::bytea[], ARRAY[5, NULL]::bigint[],
	ARRAY[1, NULL], ARRAY['radius', 'radius'], ARRAY['issued', 'failed'], ARRAY[NULL, 'x'])$$,
	'23514', NULL, 'a failed row that names no application and epoch fails the batch');
SELECT throws_ok($$SELECT pg_temp.batch(ARRAY[NULL, NULL]::bigint[], ARRAY[NULL, NULL]::bytea[], ARRAY[NULL, NULL]::bigint[],
	ARRAY[NULL, NULL]::integer[], ARRAY['radius', 'pana'], ARRAY['refused', 'refused'], ARRAY['x', 'x'])$$,
	'23514', NULL, 'an unknown flow fails the batch');
SELECT throws_ok($$SELECT pg_temp.batch(ARRAY[NULL]::bigint[], ARRAY[NULL]::bytea[], ARRAY[NULL]::bigint[],
	ARRAY[NULL]::integer[], ARRAY['eap'], ARRAY['maybe'], ARRAY['x'])$$,
	'23514', NULL, 'an unknown result fails the batch');
SELECT throws_ok($$SELECT pg_temp.batch(ARRAY[1]::bigint[], ARRAY[NULL]::bytea[], ARRAY[NULL]::bigint[],
	ARRAY[NULL]::integer[], ARRAY['eap'], ARRAY['issued'], ARRAY[NULL])$$,
	'23514', NULL, 'an issued row that names no application and epoch fails the batch');
SELECT throws_ok($$SELECT pg_temp.batch(ARRAY[NULL]::bigint[], ARRAY['\x01']::bytea[], ARRAY[NULL]::bigint[],
	ARRAY[NULL]::integer[], ARRAY['eap'], ARRAY['refused'], ARRAY['x'])$$,
	'23514', NULL, 'a malformed fingerprint fails the batch');
SELECT throws_ok($$SELECT pg_temp.batch(ARRAY[NULL]::bigint[], ARRAY[NULL]::bytea[], ARRAY[0]::bigint[],
	ARRAY[1], ARRAY['eap'], ARRAY['issued'], ARRAY[NULL])$$,
	'23514', NULL, 'application 0 fails the batch');
-- The arrays must agree.
SELECT throws_ok($$SELECT pg_temp.batch(ARRAY[NULL, NULL]::bigint[], ARRAY[NULL]::bytea[], ARRAY[NULL]::bigint[],
	ARRAY[NULL]::integer[], ARRAY['eap'], ARRAY['refused'], ARRAY['x'])$$,
	'22023', 'gkey: log_issuance_batch''s arrays must be one-dimensional and of one length',
	'arrays of different lengths are refused');
SELECT throws_ok($$SELECT gkey.log_issuance_batch('{{1}}', '{{NULL}}', '{{NULL}}', '{{NULL}}', '{{a}}', '{{NULL}}',
	'{{eap}}', '{{refused}}', '{{x}}')$$,
	'22023', 'gkey: log_issuance_batch''s arrays must be one-dimensional and of one length',
	'two-dimensional arrays are refused');
SELECT throws_ok($$SELECT gkey.log_issuance_batch(NULL, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')$$,
	'22023', 'gkey: log_issuance_batch takes an array (possibly of NULLs) for every column',
	'a NULL array is refused');
SELECT throws_ok($$INSERT INTO gkey.issuance_log (time, flow, result) VALUES (now() - interval '1 day', 'radius', 'refused')$$,
	'42501', NULL, 'gkey_radius still cannot name a row''s time');
RESET ROLE;
SELECT is(pg_temp.rows(), 'issued/-/radius/101/1 refused/revoked/radius/-/- failed/key material does not open/eap/102/3',
	'no failed batch left a row');

-- Only the module's role (and the owner) may call it.
SELECT ok(has_function_privilege('gkey_radius',
	'gkey.log_issuance_batch(bigint[],bytea[],bigint[],integer[],text[],text[],text[],text[],text[])', 'EXECUTE'),
	'gkey_radius may execute log_issuance_batch');
SELECT ok(NOT has_function_privilege('public',
	'gkey.log_issuance_batch(bigint[],bytea[],bigint[],integer[],text[],text[],text[],text[],text[])', 'EXECUTE'),
	'PUBLIC may not');

SELECT * FROM finish();
ROLLBACK;
