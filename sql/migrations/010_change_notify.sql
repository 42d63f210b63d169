-- 010_change_notify.sql - every change to what the module answers from
-- (identities, grants, applications, epochs) is announced on the channel
-- gkey_change when its transaction commits, so that key servers can keep
-- in-memory views and invalidate exactly what changed, and a push sender
-- can learn of new epochs (doc/sql.md section 9).
--
-- Payloads (ASCII, one per changed thing; PostgreSQL folds identical
-- payloads of one transaction into one):
--	identity N	identity N changed or was deleted, or one of its grants
--	app N		application N, or one of its epochs, changed or was deleted
--	epoch N E	epoch E of application N was created
--	all		more than 1000 rows changed in one statement: drop everything
--
-- Applied by sql/gkey-migrate inside one transaction, after 009, as a
-- superuser.  Statement-level triggers with transition tables: a bulk load
-- sends at most one notification per statement beyond the bound.  The
-- file has no BEGIN/COMMIT: the runner owns the transaction.

SET LOCAL ROLE gkey_admin;

CREATE OR REPLACE FUNCTION gkey.notify_rows(p_kind text, p_ids bigint[])
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_ids IS NULL THEN
		RETURN;
	END IF;
	IF cardinality(p_ids) > 1000 THEN
		PERFORM pg_notify('gkey_change', 'all');
		RETURN;
	END IF;
	FOREACH v_id IN ARRAY p_ids LOOP
		PERFORM pg_notify('gkey_change', p_kind || ' ' || v_id);
	END LOOP;
END
$$;

-- identity and grant rows name an identity; application and group_key
-- rows an application.  One function per transition table, as PostgreSQL
-- allows a transition table only on a single-event trigger.
CREATE OR REPLACE FUNCTION gkey.notify_new()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	CASE TG_TABLE_NAME
	WHEN 'identity' THEN
		PERFORM gkey.notify_rows('identity', (SELECT array_agg(DISTINCT n.id) FROM new_rows n));
	WHEN 'grant' THEN
		PERFORM gkey.notify_rows('identity', (SELECT array_agg(DISTINCT n.identity_id) FROM new_rows n));
	WHEN 'application' THEN
		PERFORM gkey.notify_rows('app', (SELECT array_agg(DISTINCT n.id) FROM new_rows n));
	WHEN 'group_key' THEN
		IF TG_OP = 'INSERT' THEN
			IF (SELECT count(*) FROM new_rows) > 1000 THEN
				PERFORM pg_notify('gkey_change', 'all');
			ELSE
				PERFORM pg_notify('gkey_change', 'epoch ' || n.app_id || ' ' || n.epoch)
				FROM new_rows n;
			END IF;
		END IF;
		PERFORM gkey.notify_rows('app', (SELECT array_agg(DISTINCT n.app_id) FROM new_rows n));
	END CASE;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION gkey.notify_old()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	CASE TG_TABLE_NAME
	WHEN 'identity' THEN
		PERFORM gkey.notify_rows('identity', (SELECT array_agg(DISTINCT o.id) FROM old_rows o));
	WHEN 'grant' THEN
		PERFORM gkey.notify_rows('identity', (SELECT array_agg(DISTINCT o.identity_id) FROM old_rows o));
	WHEN 'application' THEN
		PERFORM gkey.notify_rows('app', (SELECT array_agg(DISTINCT o.id) FROM old_rows o));
	WHEN 'group_key' THEN
		PERFORM gkey.notify_rows('app', (SELECT array_agg(DISTINCT o.app_id) FROM old_rows o));
	END CASE;
	RETURN NULL;
END
$$;

-- The triggers run with the rights of whoever changed the rows: the
-- module fills material (an UPDATE of group_key), operators do the rest.
-- pg_notify is open to every role anyway, so this grants nothing new.
REVOKE ALL ON FUNCTION gkey.notify_rows(text, bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gkey.notify_rows(text, bigint[]) TO gkey_radius;

DROP TRIGGER IF EXISTS identity_notify_ins ON gkey.identity;
DROP TRIGGER IF EXISTS identity_notify_upd ON gkey.identity;
DROP TRIGGER IF EXISTS identity_notify_del ON gkey.identity;
CREATE TRIGGER identity_notify_ins AFTER INSERT ON gkey.identity
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_new();
CREATE TRIGGER identity_notify_upd AFTER UPDATE ON gkey.identity
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_new();
CREATE TRIGGER identity_notify_del AFTER DELETE ON gkey.identity
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_old();

DROP TRIGGER IF EXISTS grant_notify_ins ON gkey.grant;
DROP TRIGGER IF EXISTS grant_notify_upd ON gkey.grant;
DROP TRIGGER IF EXISTS grant_notify_del ON gkey.grant;
CREATE TRIGGER grant_notify_ins AFTER INSERT ON gkey.grant
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_new();
CREATE TRIGGER grant_notify_upd AFTER UPDATE ON gkey.grant
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_new();
CREATE TRIGGER grant_notify_del AFTER DELETE ON gkey.grant
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_old();

DROP TRIGGER IF EXISTS application_notify_upd ON gkey.application;
DROP TRIGGER IF EXISTS application_notify_del ON gkey.application;
CREATE TRIGGER application_notify_upd AFTER UPDATE ON gkey.application
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_new();
CREATE TRIGGER application_notify_del AFTER DELETE ON gkey.application
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_old();

DROP TRIGGER IF EXISTS group_key_notify_ins ON gkey.group_key;
DROP TRIGGER IF EXISTS group_key_notify_upd ON gkey.group_key;
DROP TRIGGER IF EXISTS group_key_notify_del ON gkey.group_key;
CREATE TRIGGER group_key_notify_ins AFTER INSERT ON gkey.group_key
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_new();
CREATE TRIGGER group_key_notify_upd AFTER UPDATE ON gkey.group_key
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_new();
CREATE TRIGGER group_key_notify_del AFTER DELETE ON gkey.group_key
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION gkey.notify_old();

RESET ROLE;
