-- 012_log_batch.sql - the issuance log written in batches: rlm_gkey's log
-- writer (doc/radius.md, "Issuance log writer") appends the rows of many
-- requests in one statement and one commit, gkey.log_issuance_batch, so
-- that the log costs one round trip and one WAL flush per batch rather
-- than per row (doc/sql.md 5.9).
--
-- Applied by sql/gkey-migrate inside one transaction, in order after the
-- earlier migrations, as a superuser.  Replaying it changes nothing.  The file has no
-- BEGIN/COMMIT: the runner owns the transaction.

SET LOCAL ROLE gkey_admin;

-- One array per column of gkey.log_issuance, in its order; element i of
-- every array is row i.  The arrays must be one-dimensional and of one
-- length (22023 otherwise: unnest would pad the short ones with NULLs);
-- each row is checked as log_issuance's is, by the table's own checks
-- (23514), and one bad row fails the whole batch.  Invoker's rights, as
-- log_issuance: the rows' id and time come from the database.  Returns
-- the number of rows written.
CREATE OR REPLACE FUNCTION gkey.log_issuance_batch(p_identity bigint[], p_fingerprint bytea[],
	p_app bigint[], p_epoch integer[], p_nas text[], p_calling text[], p_flow text[],
	p_result text[], p_reason text[])
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_n integer := cardinality(p_flow);
	v_rows integer;
BEGIN
	IF p_identity IS NULL OR p_fingerprint IS NULL OR p_app IS NULL OR p_epoch IS NULL
	   OR p_nas IS NULL OR p_calling IS NULL OR p_flow IS NULL OR p_result IS NULL
	   OR p_reason IS NULL THEN
		RAISE EXCEPTION 'gkey: log_issuance_batch takes an array (possibly of NULLs) for every column'
		    USING ERRCODE = '22023';
	END IF;
	IF coalesce(array_ndims(p_flow), 1) <> 1
	   OR cardinality(p_identity) <> v_n OR cardinality(p_fingerprint) <> v_n
	   OR cardinality(p_app) <> v_n OR cardinality(p_epoch) <> v_n
	   OR cardinality(p_nas) <> v_n OR cardinality(p_calling) <> v_n
	   OR cardinality(p_result) <> v_n OR cardinality(p_reason) <> v_n
	   OR coalesce(array_ndims(p_identity), 1) <> 1 OR coalesce(array_ndims(p_fingerprint), 1) <> 1
	   OR coalesce(array_ndims(p_app), 1) <> 1 OR coalesce(array_ndims(p_epoch), 1) <> 1
	   OR coalesce(array_ndims(p_nas), 1) <> 1 OR coalesce(array_ndims(p_calling), 1) <> 1
	   OR coalesce(array_ndims(p_result), 1) <> 1 OR coalesce(array_ndims(p_reason), 1) <> 1 THEN
		RAISE EXCEPTION 'gkey: log_issuance_batch''s arrays must be one-dimensional and of one length'
		    USING ERRCODE = '22023';
	END IF;
	INSERT INTO gkey.issuance_log (identity_id, fingerprint, app_id, epoch, nas,
		calling_station, flow, result, reason)
	SELECT u.identity_id, u.fingerprint, u.app_id, u.epoch, u.nas, u.calling, u.flow, u.result,
		u.reason
	FROM unnest(p_identity, p_fingerprint, p_app, p_epoch, p_nas, p_calling, p_flow, p_result,
		p_reason) AS u(identity_id, fingerprint, app_id, epoch, nas, calling, flow, result, reason);
	GET DIAGNOSTICS v_rows = ROW_COUNT;
	RETURN v_rows;
END
$$;

REVOKE ALL ON FUNCTION gkey.log_issuance_batch(bigint[], bytea[], bigint[], integer[], text[], text[],
	text[], text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gkey.log_issuance_batch(bigint[], bytea[], bigint[], integer[], text[], text[],
	text[], text[], text[]) TO gkey_radius;

RESET ROLE;
