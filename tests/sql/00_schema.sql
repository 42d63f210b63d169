-- The schema's shape: tables, roles, ownership, privileges, the module's
-- function signatures, and that replaying the migration changes nothing.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SELECT plan(46);
\ir helpers.psql

SELECT has_schema('gkey');
-- The log's day partitions (migration 007) come and go: tests/sql/07.
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
	WHERE c.relnamespace = 'gkey'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition),
	ARRAY['application', 'grant', 'group_key', 'identity', 'issuance_log', 'kek_check', 'schema_version'],
	'Schema gkey should have the correct tables (partitions aside)');
SELECT columns_are('gkey', 'application', ARRAY['id', 'name', 'gk_alg', 'key_lifetime',
	'rotation_overlap', 'created', 'leave_grace']);
SELECT columns_are('gkey', 'identity', ARRAY['id', 'fingerprint', 'issuer', 'serial',
	'subject', 'spki', 'not_before', 'not_after', 'kind', 'status', 'status_reason',
	'status_changed', 'created']);
SELECT columns_are('gkey', 'grant', ARRAY['identity_id', 'app_id', 'expires', 'created']);
SELECT columns_are('gkey', 'group_key', ARRAY['app_id', 'epoch', 'not_before', 'not_after',
	'material', 'created']);
SELECT columns_are('gkey', 'issuance_log', ARRAY['id', 'time', 'identity_id', 'fingerprint',
	'app_id', 'epoch', 'nas', 'calling_station', 'flow', 'result', 'reason']);
SELECT col_type_is('gkey', 'identity', 'fingerprint', 'bytea', 'fingerprint is bytea');
SELECT col_type_is('gkey', 'identity', 'spki', 'bytea', 'spki is bytea');
SELECT col_type_is('gkey', 'group_key', 'material', 'bytea', 'material is bytea');
SELECT col_type_is('gkey', 'group_key', 'not_after', 'timestamp with time zone',
	'key validity is timestamptz');
SELECT col_is_null('gkey', 'group_key', 'material', 'material may be NULL until a module fills it');
SELECT col_is_pk('gkey', 'group_key', ARRAY['app_id', 'epoch'], 'group_key is keyed by (app, epoch)');
SELECT col_is_pk('gkey', 'grant', ARRAY['identity_id', 'app_id'], 'one grant per identity and application');
SELECT col_is_unique('gkey', 'identity', ARRAY['fingerprint'], 'fingerprint is unique');
SELECT col_is_unique('gkey', 'identity', ARRAY['issuer', 'serial'], 'issuer + serial is unique');
SELECT col_is_unique('gkey', 'application', ARRAY['name'], 'application name is unique');
SELECT is((SELECT count(*)::int FROM pg_indexes x JOIN pg_class c ON c.oid = format('%I.%I', x.schemaname, x.tablename)::regclass
	WHERE x.schemaname = 'gkey' AND x.indexdef LIKE '% WHERE %' AND NOT c.relispartition),
	5, 'partial indexes: inactive identities, unfilled keys, log by identity, refusals, failures');

-- Roles.
SELECT has_role('gkey_admin');
SELECT has_role('gkey_radius');
SELECT has_role('gkey_push');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'gkey_admin'), false, 'gkey_admin cannot log in');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'gkey_radius'), true, 'gkey_radius can log in');
SELECT isnt_member_of('gkey_admin', ARRAY['gkey_radius'], 'gkey_radius is not an operator');
SELECT schema_owner_is('gkey', 'gkey_admin');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
	   WHERE c.relnamespace = 'gkey'::regnamespace AND c.relowner <> 'gkey_admin'::regrole),
	NULL, 'gkey_admin owns every table, index and sequence');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
	   WHERE p.pronamespace = 'gkey'::regnamespace AND p.proowner <> 'gkey_admin'::regrole),
	NULL, 'gkey_admin owns every function');

-- Privileges: exactly what the module needs.
SELECT set_eq($$
	SELECT c.relname::text, p.priv FROM pg_class c,
	    unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(priv)
	WHERE c.relnamespace = 'gkey'::regnamespace AND c.relkind IN ('r', 'p', 'v')
	  AND has_table_privilege('gkey_radius', c.oid, p.priv)$$,
	$$VALUES ('application', 'SELECT'), ('identity', 'SELECT'), ('grant', 'SELECT'),
		 ('group_key', 'SELECT')$$,
	'gkey_radius: SELECT on the Cert DB and GK DB, no table-wide write');
SELECT set_eq($$
	SELECT a.attname::text FROM pg_attribute a
	WHERE a.attrelid = 'gkey.issuance_log'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	  AND has_column_privilege('gkey_radius', a.attrelid, a.attnum, 'INSERT')$$,
	ARRAY['identity_id', 'fingerprint', 'app_id', 'epoch', 'nas', 'calling_station', 'flow', 'result', 'reason'],
	'gkey_radius may insert log rows, but not their id or time');
SELECT set_eq($$
	SELECT c.relname::text, a.attname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
	WHERE c.relnamespace = 'gkey'::regnamespace AND c.relkind IN ('r', 'p', 'v') AND a.attnum > 0
	  AND NOT a.attisdropped AND has_column_privilege('gkey_radius', c.oid, a.attnum, 'UPDATE')$$,
	$$VALUES ('group_key', 'material')$$,
	'gkey_radius may update only group_key.material');
SELECT set_eq($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'gkey'::regnamespace
	  AND has_function_privilege('gkey_radius', p.oid, 'EXECUTE')$$,
	ARRAY['gkey.identity_by_fingerprint(bytea)',
	      'gkey.identity_by_issuer_serial(text,text)',
	      'gkey.issue_keys(bigint,text[])',
	      'gkey.fill_material(bigint,integer,bytea)',
	      'gkey.fill_material(bigint,integer,bytea,bytea)',
	      'gkey.log_issuance(bigint,bytea,bigint,integer,text,text,text,text,text)',
	      'gkey.log_issuance_batch(bigint[],bytea[],bigint[],integer[],text[],text[],text[],text[],text[])',
	      'gkey.kek_check(bytea,boolean)',
	      'gkey.notify_rows(text,bigint[])',
	      'gkey.view_stable_until(bigint)'],
	'gkey_radius may execute exactly the module functions (fill_material''s old form refuses)');
SELECT ok(has_sequence_privilege('gkey_radius', 'gkey.issuance_log_id_seq', 'USAGE'),
	'gkey_radius may use the log''s sequence');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
	   WHERE p.pronamespace = 'gkey'::regnamespace
	     AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) x WHERE x.grantee = 0))),
	NULL, 'no gkey function is executable by PUBLIC');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
	   WHERE c.relnamespace = 'gkey'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
	     AND EXISTS (SELECT FROM aclexplode(c.relacl) x WHERE x.grantee = 0)),
	NULL, 'no gkey table, view or sequence is accessible to PUBLIC');
SELECT ok(NOT has_schema_privilege('public', 'gkey', 'USAGE'), 'PUBLIC cannot use schema gkey');

-- The module's calls: names, argument types and result columns, in order.
SELECT is(pg_get_function_result('gkey.identity_by_fingerprint(bytea)'::regprocedure),
	'TABLE(identity_id bigint, status text, status_reason text, not_before timestamp with time zone, not_after timestamp with time zone, spki bytea, kind text)',
	'identity_by_fingerprint result columns');
SELECT is(pg_get_function_result('gkey.identity_by_issuer_serial(text,text)'::regprocedure),
	'TABLE(identity_id bigint, status text, status_reason text, not_before timestamp with time zone, not_after timestamp with time zone, spki bytea, kind text)',
	'identity_by_issuer_serial result columns');
SELECT is(pg_get_function_result('gkey.issue_keys(bigint,text[])'::regprocedure),
	'TABLE(app_id bigint, app_name text, gk_alg text, epoch integer, not_before timestamp with time zone, not_after timestamp with time zone, material bytea)',
	'issue_keys result columns');
SELECT function_returns('gkey', 'fill_material', ARRAY['bigint', 'integer', 'bytea', 'bytea'], 'bytea');
SELECT function_returns('gkey', 'log_issuance',
	ARRAY['bigint', 'bytea', 'bigint', 'integer', 'text', 'text', 'text', 'text', 'text'], 'void');
SELECT function_returns('gkey', 'log_issuance_batch',
	ARRAY['bigint[]', 'bytea[]', 'bigint[]', 'integer[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]'],
	'integer');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
	   WHERE p.pronamespace = 'gkey'::regnamespace AND p.prosecdef),
	ARRAY['issue_keys', 'kek_check', 'push_epochs', 'push_targets'],
	'issue_keys, kek_check, push_epochs and push_targets are the only SECURITY DEFINER functions');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
	   WHERE p.pronamespace = 'gkey'::regnamespace
	     AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)),
	NULL, 'every gkey function runs with a fixed search_path');

-- Idempotence: replaying the migrations leaves catalog and version rows as
-- they were (gkey-migrate itself is run twice by sql.test).
CREATE FUNCTION pg_temp.catalog_digest() RETURNS text LANGUAGE sql AS $$
SELECT md5(concat_ws('|',
	(SELECT string_agg(pg_get_functiondef(p.oid) || coalesce(p.proacl::text, '') || p.proowner::regrole,
		'|' ORDER BY p.oid::regprocedure::text)
	 FROM pg_proc p WHERE p.pronamespace = 'gkey'::regnamespace),
	(SELECT string_agg(c.relname || c.relkind::text || coalesce(c.relacl::text, '') || c.relowner::regrole,
		'|' ORDER BY c.relname)
	 FROM pg_class c WHERE c.relnamespace = 'gkey'::regnamespace),
	(SELECT string_agg(a.attrelid::regclass || a.attname || format_type(a.atttypid, a.atttypmod)
		|| a.attnotnull || coalesce(a.attacl::text, ''), '|' ORDER BY a.attrelid::regclass::text, a.attnum)
	 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	 WHERE c.relnamespace = 'gkey'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped),
	(SELECT string_agg(conname || pg_get_constraintdef(oid), '|' ORDER BY conrelid::regclass::text, conname)
	 FROM pg_constraint WHERE connamespace = 'gkey'::regnamespace),
	(SELECT string_agg(tgname || pg_get_triggerdef(oid), '|' ORDER BY tgname)
	 FROM pg_trigger WHERE tgrelid = 'gkey.group_key'::regclass AND NOT tgisinternal),
	(SELECT string_agg(defaclrole::regrole || defaclobjtype::text || defaclacl::text, '|' ORDER BY defaclrole, defaclobjtype)
	 FROM pg_default_acl),
	(SELECT string_agg(rolname || rolcanlogin, '|' ORDER BY rolname) FROM pg_roles
	 WHERE rolname LIKE 'gkey\_%'),
	(SELECT nspacl::text FROM pg_namespace WHERE nspname = 'gkey')))
$$;
CREATE TEMP TABLE before_replay AS
SELECT (SELECT array_agg(version || ':' || name ORDER BY version) FROM gkey.schema_version) AS versions,
       pg_temp.catalog_digest() AS digest;
SET client_min_messages = warning;
\ir ../../sql/migrations/001_schema.sql
\ir ../../sql/migrations/002_grant_rule.sql
\ir ../../sql/migrations/003_kek_check.sql
\ir ../../sql/migrations/004_failed_result.sql
\ir ../../sql/migrations/005_rotate_on_leave.sql
\ir ../../sql/migrations/006_material_length_log_time.sql
\ir ../../sql/migrations/007_log_partitions.sql
\ir ../../sql/migrations/008_operator_views.sql
\ir ../../sql/migrations/009_fill_material_kek_check.sql
\ir ../../sql/migrations/010_change_notify.sql
\ir ../../sql/migrations/011_view_stable_until.sql
\ir ../../sql/migrations/012_log_batch.sql
\ir ../../sql/migrations/013_push_targets.sql
\ir ../../sql/migrations/014_lookup_plans.sql
\ir ../../sql/migrations/015_push_epochs.sql
RESET client_min_messages;
SELECT is(current_user::text, session_user::text, 'the migration resets the role it set');
SELECT is((SELECT array_agg(version || ':' || name ORDER BY version) FROM gkey.schema_version),
	(SELECT versions FROM before_replay), 'replay leaves schema_version as it was');
SELECT is(pg_temp.catalog_digest(), (SELECT digest FROM before_replay),
	'replay leaves tables, functions, privileges and roles as they were');

SELECT * FROM finish();
ROLLBACK;
