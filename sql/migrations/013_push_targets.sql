-- 013_push_targets.sql - the push sender's role and its one function:
-- which nodes to tell about a new epoch, and through which NAS
-- (doc/push.md, doc/sql.md sections 3 and 5.8).
--
-- gkey_push is the role of gkey-pushd: it LISTENs on gkey_change
-- (migration 010) and, on `epoch N E`, calls gkey.push_targets(N, recent).
-- It has no privilege on any table: the function is SECURITY DEFINER and
-- hands out only identity id, fingerprint, NAS, Calling-Station-Id, flow
-- and the application's name, never an SPKI, a key or a log row.
--
-- Applied by sql/gkey-migrate inside one transaction, after 010, as a
-- superuser (it creates a cluster role).  Replaying it changes nothing.
-- The file has no BEGIN/COMMIT: the runner owns the transaction.

DO $roles$
BEGIN
	-- gkey-pushd's role.  Its password is set by the operator.
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'gkey_push') THEN
		CREATE ROLE gkey_push LOGIN;
	END IF;
END
$roles$;

SET LOCAL ROLE gkey_admin;

GRANT USAGE ON SCHEMA gkey TO gkey_push;

-- Every identity that may hold application p_app's key now (active,
-- within its certificate's validity, an unexpired grant) and was issued
-- one of its records within p_since, with the NAS, Calling-Station-Id and
-- flow of its latest `issued` row for that application.  The log is
-- searched per granted identity through issuance_log_identity_idx
-- (identity_id, time), backwards from now, in the day partitions that
-- p_since reaches only (migration 007): the first `issued` row of the
-- application ends the search.  No index of its own: see doc/sql.md 5.7.
CREATE OR REPLACE FUNCTION gkey.push_targets(p_app bigint, p_since interval)
RETURNS TABLE (identity_id bigint, fingerprint bytea, nas text, calling_station text,
	flow text, app_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_from timestamptz;
BEGIN
	IF p_app IS NULL THEN
		RAISE EXCEPTION 'gkey: an application id is required'
		    USING ERRCODE = '22023';
	END IF;
	IF p_since IS NULL OR p_since <= interval '0' THEN
		RAISE EXCEPTION 'gkey: the push window must be positive, got %', p_since
		    USING ERRCODE = '22023';
	END IF;
	v_from := now() - p_since;
	RETURN QUERY
	SELECT i.id, i.fingerprint, l.nas, l.calling_station, l.flow, a.name
	FROM gkey.application a
	JOIN gkey.grant g ON g.app_id = a.id
	JOIN gkey.identity i ON i.id = g.identity_id
	CROSS JOIN LATERAL (
		SELECT x.nas, x.calling_station, x.flow
		FROM gkey.issuance_log x
		WHERE x.identity_id = i.id AND x.app_id = a.id AND x.result = 'issued'
		  AND x.time >= v_from
		ORDER BY x.time DESC, x.id DESC
		LIMIT 1) l
	WHERE a.id = p_app
	  AND (g.expires IS NULL OR g.expires > now())
	  AND i.status = 'active'
	  AND i.not_before <= now() AND i.not_after > now()
	ORDER BY l.nas, i.id;
END
$$;

REVOKE ALL ON FUNCTION gkey.push_targets(bigint, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gkey.push_targets(bigint, interval) TO gkey_push;

RESET ROLE;
