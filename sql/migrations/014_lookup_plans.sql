-- 014_lookup_plans.sql - the module's lookup at a third of its cost: the
-- functions it calls keep their plans across calls, and issue_keys adds
-- an epoch only when one is missing (doc/sql.md sections 5.1 to 5.3 and
-- 5.7; same names, signatures, results and privileges).
--
-- A LANGUAGE sql function with a SET clause is never inlined, and each
-- call from a new statement parses and plans its body again; a PL/pgSQL
-- function keeps its plans for the session.  The module's connections
-- live long, so the lookup of an identity not in the view (a cold
-- request) cost 1.1 ms of PostgreSQL CPU with 001/002/011's bodies and a
-- third of that with these (bench/radius-bench.sh, cold-1app).
--
-- issue_keys ran its INSERT on every call.  Inserting nothing still fires
-- group_key's statement triggers (010), a quarter of the remaining cost;
-- it now inserts only when a granted application has no key valid now.
-- A concurrent caller that adds the epoch between the check and the
-- INSERT is handled as before, by the primary key (ON CONFLICT).  The
-- INSERT on every call also made every lookup on a read-only server (a
-- standby, a primary fenced with default_transaction_read_only) fail
-- with 25006, which the module takes for a connection to leave
-- (doc/sql.md section 7): issue_keys now raises that error itself, first,
-- so that the module never serves lookups from a server that no longer
-- takes its writes.
--
-- ROWS: the planner's guess for a set-returning function is 1000 rows,
-- which is what the lookup's plan was costed on; one identity has at most
-- one row and a few applications.
--
-- Applied by sql/gkey-migrate inside one transaction, after 013, as a
-- superuser.  CREATE OR REPLACE keeps each function's owner and
-- privileges.  Replaying it changes nothing.  The file has no
-- BEGIN/COMMIT: the runner owns the transaction.

SET LOCAL ROLE gkey_admin;

CREATE OR REPLACE FUNCTION gkey.identity_by_fingerprint(p_fp bytea)
RETURNS TABLE (identity_id bigint, status text, status_reason text,
	not_before timestamptz, not_after timestamptz, spki bytea, kind text)
LANGUAGE plpgsql STABLE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	SELECT i.id, i.status, i.status_reason, i.not_before, i.not_after, i.spki, i.kind
	FROM gkey.identity i
	WHERE i.fingerprint = p_fp;
END
$$;

CREATE OR REPLACE FUNCTION gkey.identity_by_issuer_serial(p_issuer text, p_serial text)
RETURNS TABLE (identity_id bigint, status text, status_reason text,
	not_before timestamptz, not_after timestamptz, spki bytea, kind text)
LANGUAGE plpgsql STABLE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	SELECT i.id, i.status, i.status_reason, i.not_before, i.not_after, i.spki, i.kind
	FROM gkey.identity i
	WHERE i.issuer = p_issuer AND i.serial = lower(p_serial);
END
$$;

-- 002's grant rule, unchanged.
CREATE OR REPLACE FUNCTION gkey.granted_applications(p_identity bigint, p_apps text[])
RETURNS SETOF gkey.application
LANGUAGE plpgsql STABLE ROWS 3
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	SELECT a.*
	FROM gkey.grant g
	JOIN gkey.identity i ON i.id = g.identity_id
	JOIN gkey.application a ON a.id = g.app_id
	WHERE g.identity_id = p_identity
	  AND i.status = 'active'
	  AND (g.expires IS NULL OR g.expires > now())
	  AND (p_apps IS NULL OR cardinality(p_apps) = 0 OR a.name = ANY (p_apps));
END
$$;

-- 002's issue_keys with the INSERT behind the check that it has work, and
-- refusing a read-only transaction as the INSERT did.
CREATE OR REPLACE FUNCTION gkey.issue_keys(p_identity bigint, p_apps text[])
RETURNS TABLE (app_id bigint, app_name text, gk_alg text, epoch integer,
	not_before timestamptz, not_after timestamptz, material bytea)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER ROWS 3
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	IF pg_catalog.current_setting('transaction_read_only')::boolean THEN
		RAISE EXCEPTION 'gkey: issue_keys needs a server that takes writes (this transaction is read-only)'
		    USING ERRCODE = '25006';
	END IF;
	IF EXISTS (SELECT FROM gkey.granted_applications(p_identity, p_apps) a
		   WHERE NOT EXISTS (SELECT FROM gkey.group_key k
				     WHERE k.app_id = a.id AND k.not_before <= now() AND now() < k.not_after)) THEN
		INSERT INTO gkey.group_key (app_id, epoch, not_before, not_after)
		SELECT a.id, coalesce(last.epoch, 0) + 1,
		       least(coalesce(last.not_after, now()), now()), now() + a.key_lifetime
		FROM gkey.granted_applications(p_identity, p_apps) a
		LEFT JOIN LATERAL (SELECT max(k.epoch) AS epoch, max(k.not_after) AS not_after
				   FROM gkey.group_key k WHERE k.app_id = a.id) last ON true
		WHERE NOT EXISTS (SELECT FROM gkey.group_key k
				  WHERE k.app_id = a.id AND k.not_before <= now() AND now() < k.not_after)
		ON CONFLICT ON CONSTRAINT group_key_pkey DO NOTHING;
	END IF;

	RETURN QUERY
	SELECT a.id, a.name, a.gk_alg, k.epoch, k.not_before, k.not_after, k.material
	FROM gkey.granted_applications(p_identity, p_apps) a
	JOIN gkey.group_key k ON k.app_id = a.id
	WHERE k.not_before <= now() AND now() < k.not_after
	ORDER BY a.id, k.epoch;
END
$$;

-- 011's view_stable_until, unchanged but for the language.
CREATE OR REPLACE FUNCTION gkey.view_stable_until(p_identity bigint)
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN least(
		(SELECT min(g.expires) FROM gkey.grant g
		 WHERE g.identity_id = p_identity AND g.expires > now()),
		(SELECT min(k.not_after) FROM gkey.grant g JOIN gkey.group_key k ON k.app_id = g.app_id
		 WHERE g.identity_id = p_identity AND k.not_before <= now() AND now() < k.not_after),
		(SELECT min(k.not_before) FROM gkey.grant g JOIN gkey.group_key k ON k.app_id = g.app_id
		 WHERE g.identity_id = p_identity AND k.not_before > now()),
		(SELECT CASE WHEN i.not_before > now() THEN i.not_before ELSE i.not_after END
		 FROM gkey.identity i WHERE i.id = p_identity));
END
$$;

RESET ROLE;
