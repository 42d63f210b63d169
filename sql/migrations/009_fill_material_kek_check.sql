-- 009_fill_material_kek_check.sql - gkey.fill_material takes the caller's
-- KEK check value and stores nothing unless it is the database's current
-- one (gkey.kek_check), so that a key server still holding the KEK from
-- before an online rotation (gkey-rekek --online) can never store
-- material sealed under it (doc/sql.md 5.4, 6.4).
--
-- Applied by sql/gkey-migrate inside one transaction, after 008, as a
-- superuser.  The three-argument form keeps its signature, owner and
-- grant but now always refuses (SQLSTATE GK002): a module older than this
-- migration still reads and hands out stored keys but cannot write.  The
-- four-argument form has the properties 006 gives fill_material (VOLATILE,
-- invoker's rights, search_path).  Replaying it changes nothing.  The
-- file has no BEGIN/COMMIT: the runner owns the transaction.

SET LOCAL ROLE gkey_admin;

CREATE OR REPLACE FUNCTION gkey.fill_material(p_app bigint, p_epoch integer, p_sealed bytea)
RETURNS bytea
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'gkey: fill_material needs the caller''s KEK check value since migration 009: upgrade rlm_gkey'
	    USING ERRCODE = 'GK002';
END
$$;

-- As in 006, after checking that p_kek_check is the stored check value.
-- The row lock on the epoch comes first: it conflicts with gkey-rekek's
-- EXCLUSIVE lock on group_key, so either the rotation waits for this
-- transaction to end (and then re-seals what it stored), or this waits for
-- the rotation to commit and then sees its new check value and refuses.
CREATE OR REPLACE FUNCTION gkey.fill_material(p_app bigint, p_epoch integer, p_sealed bytea, p_kek_check bytea)
RETURNS bytea
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_material bytea;
	v_alg text;
	v_len integer;
	v_check bytea;
BEGIN
	IF p_sealed IS NULL OR octet_length(p_sealed) = 0 THEN
		RAISE EXCEPTION 'gkey: sealed key material must not be empty'
		    USING ERRCODE = '22023';
	END IF;
	IF p_kek_check IS NULL OR octet_length(p_kek_check) <> 32 THEN
		RAISE EXCEPTION 'gkey: a KEK check value is 32 octets (HMAC-SHA256), got %',
		    coalesce(octet_length(p_kek_check), 0)
		    USING ERRCODE = '22023';
	END IF;
	SELECT a.gk_alg INTO v_alg FROM gkey.application a WHERE a.id = p_app;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'gkey: no key for application % epoch %', p_app, p_epoch
		    USING ERRCODE = 'P0002';
	END IF;
	-- version (1) || nonce (12) || ciphertext (key length) || tag (16)
	v_len := 1 + 12 + CASE v_alg WHEN 'aes-128' THEN 16 WHEN 'aes-256' THEN 32 END + 16;
	IF v_len IS NULL OR octet_length(p_sealed) <> v_len THEN
		RAISE EXCEPTION 'gkey: sealed key material of application % (%) must be % octets, got %',
		    p_app, v_alg, v_len, octet_length(p_sealed)
		    USING ERRCODE = '22023';
	END IF;
	IF get_byte(p_sealed, 0) <> 1 THEN
		RAISE EXCEPTION 'gkey: sealed key material has format version %, not 1', get_byte(p_sealed, 0)
		    USING ERRCODE = '22023';
	END IF;
	PERFORM FROM gkey.group_key k WHERE k.app_id = p_app AND k.epoch = p_epoch FOR UPDATE;
	-- A new statement, after the lock: a rotation committed meanwhile is seen.
	SELECT c.check_value INTO v_check FROM gkey.kek_check(p_kek_check) c;
	IF v_check IS NULL OR v_check <> p_kek_check THEN
		RAISE EXCEPTION 'gkey: the caller''s KEK is not the one this database''s key material is sealed under (gkey.kek_check); nothing stored'
		    USING ERRCODE = 'GK001';
	END IF;
	UPDATE gkey.group_key k SET material = p_sealed
	WHERE k.app_id = p_app AND k.epoch = p_epoch AND k.material IS NULL;
	-- A new statement, so a concurrent winner's committed row is visible.
	SELECT k.material INTO v_material
	FROM gkey.group_key k WHERE k.app_id = p_app AND k.epoch = p_epoch;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'gkey: no key for application % epoch %', p_app, p_epoch
		    USING ERRCODE = 'P0002';
	END IF;
	RETURN v_material;
END
$$;

REVOKE ALL ON FUNCTION gkey.fill_material(bigint, integer, bytea, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gkey.fill_material(bigint, integer, bytea, bytea) TO gkey_radius;

RESET ROLE;
