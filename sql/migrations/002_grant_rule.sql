-- 002_grant_rule.sql - the grant rule of gkey.issue_keys in one function,
-- gkey.granted_applications, instead of written out twice (doc/sql.md).
--
-- Applied by sql/gkey-migrate inside one transaction, after 001, as a
-- superuser.  CREATE OR REPLACE keeps issue_keys' owner and privileges;
-- its other properties (VOLATILE, SECURITY DEFINER, search_path) are
-- restated exactly as 001 gives them.  The file has no BEGIN/COMMIT: the
-- runner owns the transaction.

-- Created by, and so owned by, gkey_admin; 001's default privileges keep
-- it from PUBLIC.
SET LOCAL ROLE gkey_admin;

-- The applications whose keys the identity may receive now: it is
-- active and holds an unexpired grant for them; with a non-empty p_apps,
-- only those of these names.  Only issue_keys calls it, with its owner's
-- rights: nobody else is granted EXECUTE.
CREATE OR REPLACE FUNCTION gkey.granted_applications(p_identity bigint, p_apps text[])
RETURNS SETOF gkey.application
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.*
	FROM gkey.grant g
	JOIN gkey.identity i ON i.id = g.identity_id
	JOIN gkey.application a ON a.id = g.app_id
	WHERE g.identity_id = p_identity
	  AND i.status = 'active'
	  AND (g.expires IS NULL OR g.expires > now())
	  AND (p_apps IS NULL OR cardinality(p_apps) = 0 OR a.name = ANY (p_apps))
$$;

-- As in 001, with the grant rule taken from granted_applications: every
-- key valid now of every application the identity may receive; an
-- application whose keys all ran out gets its next epoch here, so a missed
-- rotation never stops issuance; concurrent servers converge through the
-- primary key.  The new epoch starts where the last one ended, not at
-- this transaction's now(): a concurrent caller whose transaction began a
-- moment earlier must find it valid too, or it would create yet another
-- epoch.  SECURITY DEFINER because the module's role cannot insert keys.
CREATE OR REPLACE FUNCTION gkey.issue_keys(p_identity bigint, p_apps text[])
RETURNS TABLE (app_id bigint, app_name text, gk_alg text, epoch integer,
	not_before timestamptz, not_after timestamptz, material bytea)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	INSERT INTO gkey.group_key (app_id, epoch, not_before, not_after)
	SELECT a.id, coalesce(last.epoch, 0) + 1,
	       least(coalesce(last.not_after, now()), now()), now() + a.key_lifetime
	FROM gkey.granted_applications(p_identity, p_apps) a
	LEFT JOIN LATERAL (SELECT max(k.epoch) AS epoch, max(k.not_after) AS not_after
			   FROM gkey.group_key k WHERE k.app_id = a.id) last ON true
	WHERE NOT EXISTS (SELECT FROM gkey.group_key k
			  WHERE k.app_id = a.id AND k.not_before <= now() AND now() < k.not_after)
	ON CONFLICT ON CONSTRAINT group_key_pkey DO NOTHING;

	RETURN QUERY
	SELECT a.id, a.name, a.gk_alg, k.epoch, k.not_before, k.not_after, k.material
	FROM gkey.granted_applications(p_identity, p_apps) a
	JOIN gkey.group_key k ON k.app_id = a.id
	WHERE k.not_before <= now() AND now() < k.not_after
	ORDER BY a.id, k.epoch;
END
$$;

RESET ROLE;
