-- The issuance log partitioned by day (migration 007): gkey.maintain_log
-- creates the days ahead, drops the days past retention and empties the
-- default partition; the module's privileges are those of 006.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(27);
\ir helpers.psql

-- The partitions of the log, as "name name ..." in order.
CREATE FUNCTION pg_temp.parts() RETURNS text
LANGUAGE sql AS $$
	SELECT string_agg(c.relname, ' ' ORDER BY c.relname)
	FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'gkey.issuance_log'::regclass
$$;
-- The name of the day partition d days from today (UTC).
CREATE FUNCTION pg_temp.day(d integer) RETURNS text
LANGUAGE sql AS $$
	SELECT 'issuance_log_p' || to_char((now() AT TIME ZONE 'UTC')::date + d, 'YYYYMMDD')
$$;
-- Which partition holds the log rows of that reason.
CREATE FUNCTION pg_temp.where_is(p_reason text) RETURNS text
LANGUAGE sql AS $$
	SELECT string_agg(l.tableoid::regclass::text, ',') FROM gkey.issuance_log l WHERE l.reason = p_reason
$$;
GRANT EXECUTE ON FUNCTION pg_temp.parts(), pg_temp.day(integer), pg_temp.where_is(text) TO PUBLIC;

SELECT is((SELECT relkind::text FROM pg_class WHERE oid = 'gkey.issuance_log'::regclass), 'p',
	'the issuance log is a partitioned table');
SELECT is((SELECT pg_get_partkeydef('gkey.issuance_log'::regclass)), 'RANGE ("time")',
	'partitioned by range of its time column');
SELECT ok(pg_temp.parts() LIKE '%issuance_log_default%', 'it has a default partition');

SET ROLE gkey_test_operator;
SELECT lives_ok($$SELECT gkey.maintain_log()$$, 'an operator runs gkey.maintain_log');
SELECT ok((SELECT bool_and(to_regclass('gkey.' || pg_temp.day(d)) IS NOT NULL) FROM generate_series(0, 7) d),
	'today and the 7 days ahead have a partition');
SELECT is((SELECT count(*) FROM gkey.maintain_log()), 0::bigint, 'a second run has nothing to do');
SELECT results_eq($$SELECT action, partition, rows FROM gkey.maintain_log(p_ahead => 9)$$,
	$$VALUES ('created', pg_temp.day(8), 0::bigint), ('created', pg_temp.day(9), 0::bigint)$$,
	'p_ahead 9 creates days 8 and 9');
SELECT is((SELECT count(*) FROM pg_class c WHERE c.relname ~ '^issuance_log_p[0-9]{8}$'
	AND c.relowner <> 'gkey_admin'::regrole), 0::bigint,
	'every day partition is owned by gkey_admin, whoever ran the maintenance');

-- A row of a day without partition lands in the default partition.
INSERT INTO gkey.issuance_log (time, flow, result, reason)
VALUES (now() - interval '10 days', 'radius', 'refused', 'ten days ago'),
       (now() - interval '100 days', 'radius', 'refused', 'past retention');
SELECT is(pg_temp.where_is('ten days ago'), 'gkey.issuance_log_default',
	'a row of a day without partition lands in the default partition');
SELECT results_eq($$SELECT action, partition, rows FROM gkey.maintain_log()$$,
	$$VALUES ('expired', 'issuance_log_default', 1::bigint),
	         ('created', pg_temp.day(-10), 0::bigint),
	         ('moved', pg_temp.day(-10), 1::bigint)$$,
	'maintain_log deletes the default partition''s row past retention and moves the other into a new partition');
SELECT is(pg_temp.where_is('ten days ago'), 'gkey.' || pg_temp.day(-10), 'the row is in its day''s partition');
SELECT is((SELECT count(*) FROM gkey.issuance_log_default), 0::bigint, 'the default partition is empty');
SELECT is(pg_temp.where_is('past retention'), NULL, 'the row past retention is gone');

-- Retention drops whole days.
SELECT is(gkey.log_partition(((now() AT TIME ZONE 'UTC')::date - 100)), pg_temp.day(-100),
	'log_partition creates the partition of a day');
SELECT is(gkey.log_partition(((now() AT TIME ZONE 'UTC')::date - 100)), NULL,
	'and returns NULL when it exists');
INSERT INTO gkey.issuance_log (time, flow, result, reason)
VALUES (now() - interval '100 days', 'radius', 'refused', 'old day');
SELECT is((SELECT count(*) FROM gkey.maintain_log(p_retention => '200 days')), 0::bigint,
	'with 200 days of retention a 100-day-old partition stays');
SELECT is(pg_temp.where_is('old day'), 'gkey.' || pg_temp.day(-100), 'and its row with it');
SELECT results_eq($$SELECT action, partition, rows FROM gkey.maintain_log(p_retention => '90 days')$$,
	$$VALUES ('dropped', pg_temp.day(-100), NULL::bigint)$$,
	'with 90 days the 100-day-old partition is dropped');
SELECT is(to_regclass('gkey.' || pg_temp.day(-100)), NULL, 'the partition is gone');
SELECT is(pg_temp.where_is('ten days ago'), 'gkey.' || pg_temp.day(-10), 'a day within retention stays');
SELECT throws_ok($$SELECT gkey.maintain_log(p_retention => '0')$$, '22023',
	'gkey: log retention must be positive', 'retention must be positive');
SELECT throws_ok($$SELECT gkey.maintain_log(p_ahead => -1)$$, '22023',
	'gkey: days ahead must be 0 to 366, got -1', 'days ahead must not be negative');
RESET ROLE;

-- The module's role: append through the parent only, read nothing.
SET ROLE gkey_radius;
SELECT gkey.log_issuance(NULL, NULL, NULL, NULL, 'nas', 'cs', 'radius', 'refused', 'module row');
SELECT throws_ok(format('SELECT count(*) FROM gkey.%I', pg_temp.day(0)), '42501', NULL,
	'gkey_radius cannot read a partition');
SELECT throws_ok(format($$INSERT INTO gkey.%I (flow, result) VALUES ('radius', 'refused')$$, pg_temp.day(0)),
	'42501', NULL, 'gkey_radius cannot insert into a partition directly');
SELECT throws_ok($$SELECT gkey.maintain_log()$$, '42501', NULL, 'gkey_radius cannot run the maintenance');
SELECT throws_ok($$SELECT gkey.log_partition(current_date)$$, '42501', NULL, 'gkey_radius cannot create partitions');
RESET ROLE;
SELECT is(pg_temp.where_is('module row'), 'gkey.' || pg_temp.day(0),
	'the module''s row lands in today''s partition');

SELECT * FROM finish();
ROLLBACK;
