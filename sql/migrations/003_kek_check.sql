-- 003_kek_check.sql - the KEK check value: which KEK this database's key
-- material is sealed under, so that a key server started with another
-- KEK refuses to start instead of sealing new material nobody else can
-- open (doc/sql.md).
--
-- Applied by sql/gkey-migrate inside one transaction, after 002, as a
-- superuser.  The file has no BEGIN/COMMIT: the runner owns the
-- transaction.

-- Created by, and so owned by, gkey_admin; 001's default privileges keep
-- the function from PUBLIC.
SET LOCAL ROLE gkey_admin;

-- One row: HMAC-SHA256(KEK, "gkey kek check v1"), which says nothing
-- about the KEK itself.  Written once, by the first key server that
-- starts; the module's role has no privilege on the table, only the
-- function below.  An operator who re-seals every key under a new KEK
-- replaces it (doc/sql.md).
CREATE TABLE IF NOT EXISTS gkey.kek_check (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	check_value	bytea NOT NULL CHECK (octet_length(check_value) = 32),
	created		timestamptz NOT NULL DEFAULT now(),
	created_by	text NOT NULL DEFAULT session_user
);

-- The stored check value, after storing p_check if there is none yet and
-- the deployment is empty: no key material sealed under any KEK.  A
-- database that already holds material but no check value (one older than
-- this migration) gets one sealed blob back instead, for the caller to
-- open with its KEK: only after it opened does the caller call again with
-- p_verified, and its check value is stored.  Rows:
--   (stored check value, NULL, NULL, NULL)   compare with your own
--   (NULL, app_id, epoch, material)          open it, then call with p_verified
-- SECURITY DEFINER because the module's role can neither read nor write
-- the table; insert-once like fill_material's write-once material.
CREATE OR REPLACE FUNCTION gkey.kek_check(p_check bytea, p_verified boolean DEFAULT false)
RETURNS TABLE (check_value bytea, app_id bigint, epoch integer, material bytea)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	IF p_check IS NULL OR octet_length(p_check) <> 32 THEN
		RAISE EXCEPTION 'gkey: a KEK check value is 32 octets (HMAC-SHA256), got %',
		    coalesce(octet_length(p_check), 0)
		    USING ERRCODE = '22023';
	END IF;
	-- Two servers starting at once on an empty deployment: the
	-- primary key lets one insert, the other then reads its row.
	IF p_verified OR NOT EXISTS (SELECT FROM gkey.group_key k WHERE k.material IS NOT NULL) THEN
		INSERT INTO gkey.kek_check (one, check_value) VALUES (true, p_check)
		ON CONFLICT (one) DO NOTHING;
	END IF;
	RETURN QUERY SELECT c.check_value, NULL::bigint, NULL::integer, NULL::bytea
		FROM gkey.kek_check c;
	IF NOT FOUND THEN
		RETURN QUERY SELECT NULL::bytea, k.app_id, k.epoch, k.material
			FROM gkey.group_key k WHERE k.material IS NOT NULL
			ORDER BY k.app_id, k.epoch LIMIT 1;
	END IF;
END
$$;

REVOKE ALL ON gkey.kek_check FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gkey.kek_check(bytea, boolean) TO gkey_radius;

RESET ROLE;
