-- 015_push_epochs.sql - the push sender's catch-up: each application's
-- newest epoch, so that gkey-pushd can push the epochs created while it
-- was not listening (doc/push.md section 5, doc/sql.md sections 3 and
-- 5.10).
--
-- A notification reaches only the sessions listening at COMMIT: an epoch
-- created while gkey-pushd is reconnecting sends it nothing.  After every
-- LISTEN it calls gkey.push_epochs() and compares with the epochs it had
-- recorded; an application whose newest epoch is higher is pushed as if
-- its `epoch N E` had arrived.  gkey_push still has no privilege on any
-- table: the function is SECURITY DEFINER and hands out application ids
-- and epoch numbers only, never a name, a key or a validity.
--
-- Applied by sql/gkey-migrate inside one transaction, after 014, as a
-- superuser (gkey_push is 013's role).  Replaying it changes nothing.
-- The file has no BEGIN/COMMIT: the runner owns the transaction.

SET LOCAL ROLE gkey_admin;

-- One row per application that has an epoch, by application id: its
-- highest epoch number, whatever its validity (the epoch a rotation has
-- just inserted is what `epoch N E` announced).  One backward scan of
-- group_key's primary key (app_id, epoch) per application.
CREATE OR REPLACE FUNCTION gkey.push_epochs()
RETURNS TABLE (app_id bigint, epoch integer)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.id, e.epoch
	FROM gkey.application a
	CROSS JOIN LATERAL (
		SELECT g.epoch FROM gkey.group_key g
		WHERE g.app_id = a.id
		ORDER BY g.epoch DESC
		LIMIT 1) e
	ORDER BY a.id
$$;

REVOKE ALL ON FUNCTION gkey.push_epochs() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gkey.push_epochs() TO gkey_push;

RESET ROLE;
