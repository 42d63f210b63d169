-- 011_view_stable_until.sql - the instant until which the module's lookup
-- of one identity cannot change by the passing of time alone, so that a
-- key server may keep that answer in memory (doc/sql.md section 5.7,
-- doc/radius.md section 10).
--
-- Applied by sql/gkey-migrate inside one transaction, after 010, as a
-- superuser.  The file has no BEGIN/COMMIT: the runner owns the transaction.

SET LOCAL ROLE gkey_admin;

-- What issue_keys (5.3) returns for the identity changes with time only
-- when a grant expires, an epoch it returns ends, an epoch of a granted
-- application that lies in the future begins, or the enrolled
-- certificate's validity begins or ends (checked by the module, but an
-- answer kept across that instant would be kept for nothing).  The
-- earliest of these that is still to come, or NULL when none is.  Every
-- other change is a row change, announced on gkey_change (010).  Grants
-- are taken whatever the identity's status: reinstating it is a row
-- change too.  STABLE, with the caller's rights: gkey_radius reads these
-- tables anyway.
CREATE OR REPLACE FUNCTION gkey.view_stable_until(p_identity bigint)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT least(
		(SELECT min(g.expires) FROM gkey.grant g
		 WHERE g.identity_id = p_identity AND g.expires > now()),
		(SELECT min(k.not_after) FROM gkey.grant g JOIN gkey.group_key k ON k.app_id = g.app_id
		 WHERE g.identity_id = p_identity AND k.not_before <= now() AND now() < k.not_after),
		(SELECT min(k.not_before) FROM gkey.grant g JOIN gkey.group_key k ON k.app_id = g.app_id
		 WHERE g.identity_id = p_identity AND k.not_before > now()),
		(SELECT CASE WHEN i.not_before > now() THEN i.not_before ELSE i.not_after END
		 FROM gkey.identity i WHERE i.id = p_identity))
$$;

REVOKE ALL ON FUNCTION gkey.view_stable_until(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gkey.view_stable_until(bigint) TO gkey_radius;

RESET ROLE;
