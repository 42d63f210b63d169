-- 006_material_length_log_time.sql - gkey.fill_material accepts only a
-- sealed blob of the exact length the application's algorithm gives
-- (version 1, 13 + key length + 16 octets), and issuance log rows always
-- take their time from the database: the module's role may no longer
-- write the time column (doc/sql.md).
--
-- Applied by sql/gkey-migrate inside one transaction, after 005, as a
-- superuser.  CREATE OR REPLACE keeps fill_material's signature, owner
-- and privileges; its other properties (VOLATILE, invoker's rights,
-- search_path) are restated exactly as 001 gives them.  Replaying it
-- changes nothing.  The file has no BEGIN/COMMIT: the runner owns the
-- transaction.

SET LOCAL ROLE gkey_admin;

-- As in 001, after checking p_sealed against the application's
-- algorithm: a blob of another length cannot be a GK of this application
-- sealed in format 1 (doc/sql.md section 2), so it is refused before it
-- could be stored for every server to hand out.
CREATE OR REPLACE FUNCTION gkey.fill_material(p_app bigint, p_epoch integer, p_sealed bytea)
RETURNS bytea
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_material bytea;
	v_alg text;
	v_len integer;
BEGIN
	IF p_sealed IS NULL OR octet_length(p_sealed) = 0 THEN
		RAISE EXCEPTION 'gkey: sealed key material must not be empty'
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

-- The module appends log rows, through log_issuance or directly, but
-- names no id and no time: both come from the database (the identity and
-- DEFAULT now()).
REVOKE INSERT ON gkey.issuance_log FROM gkey_radius;
GRANT INSERT (identity_id, fingerprint, app_id, epoch, nas, calling_station, flow, result, reason)
	ON gkey.issuance_log TO gkey_radius;

RESET ROLE;
