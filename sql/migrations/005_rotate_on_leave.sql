-- 005_rotate_on_leave.sql - a fresh key on every leave: revoke_grant and
-- suspend_identity rotate every application the identity leaves, as
-- revoke_identity does, with the application's new leave_grace (default
-- 0) as grace (doc/sql.md).
--
-- Applied by sql/gkey-migrate inside one transaction, after 004, as a
-- superuser.  CREATE OR REPLACE keeps the functions' signatures, owner
-- and privileges; their other properties (VOLATILE, invoker's rights,
-- search_path) are restated exactly as 001 gives them.  Replaying it
-- changes nothing.  The file has no BEGIN/COMMIT: the runner owns the
-- transaction.

SET LOCAL ROLE gkey_admin;

-- How long the epochs a leaving node holds stay valid for the others
-- after the rotation its leaving causes.  0: the node cannot read
-- anything protected after it left.
ALTER TABLE gkey.application ADD COLUMN IF NOT EXISTS leave_grace interval NOT NULL DEFAULT '0'
	CONSTRAINT application_leave_grace_check CHECK (leave_grace >= interval '0');

-- The grant goes, and the application is rotated: the node keeps only
-- keys for what was protected before.
CREATE OR REPLACE FUNCTION gkey.revoke_grant(p_identity bigint, p_app text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_app gkey.application;
BEGIN
	SELECT * INTO v_app FROM gkey.application a WHERE a.name = p_app FOR NO KEY UPDATE;
	DELETE FROM gkey.grant g
	WHERE g.app_id = v_app.id AND g.identity_id = p_identity;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'gkey: identity % holds no grant for "%"', p_identity, p_app
		    USING ERRCODE = 'P0002';
	END IF;
	PERFORM gkey.rotate_locked(v_app, v_app.leave_grace);
END
$$;

-- active -> suspended, and every application it holds a grant for,
-- expired grants included (it may still hold a key issued before the
-- grant expired), is rotated.  The applications are locked in id order,
-- as rotate_all_due and revoke_identity lock them.
CREATE OR REPLACE FUNCTION gkey.suspend_identity(p_identity bigint, p_reason text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v gkey.identity;
	v_app gkey.application;
BEGIN
	IF p_reason IS NULL OR btrim(p_reason) = '' THEN
		RAISE EXCEPTION 'gkey: a reason is required'
		    USING ERRCODE = '22023';
	END IF;
	v := gkey.lock_identity(p_identity);
	IF v.status <> 'active' THEN
		RAISE EXCEPTION 'gkey: identity % is %, not active', p_identity, v.status
		    USING ERRCODE = '55000';
	END IF;
	UPDATE gkey.identity i
	SET status = 'suspended', status_reason = p_reason, status_changed = now()
	WHERE i.id = p_identity;
	FOR v_app IN
		SELECT a.* FROM gkey.application a
		WHERE a.id IN (SELECT g.app_id FROM gkey.grant g WHERE g.identity_id = p_identity)
		ORDER BY a.id FOR NO KEY UPDATE
	LOOP
		PERFORM gkey.rotate_locked(v_app, v_app.leave_grace);
	END LOOP;
END
$$;

RESET ROLE;
