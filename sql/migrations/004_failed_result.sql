-- 004_failed_result.sql - the issuance log records a third result,
-- 'failed': an application left out of an Access-Accept because its
-- stored key material does not open under the module's KEK (damaged, or
-- written by someone with the module's role), doc/sql.md.
--
-- Applied by sql/gkey-migrate inside one transaction, after 003, as a
-- superuser.  Replaying it changes nothing.  The file has no
-- BEGIN/COMMIT: the runner owns the transaction.

SET LOCAL ROLE gkey_admin;

-- A 'failed' row names the application and epoch, as an 'issued' one
-- does (issuance_log_issued_names_key allows only 'refused' without).
ALTER TABLE gkey.issuance_log DROP CONSTRAINT IF EXISTS issuance_log_result_check;
ALTER TABLE gkey.issuance_log ADD CONSTRAINT issuance_log_result_check
	CHECK (result IN ('issued', 'refused', 'failed'));

-- Operators look for failures as for refusals.
CREATE INDEX IF NOT EXISTS issuance_log_failed_idx
	ON gkey.issuance_log (time) WHERE result = 'failed';

RESET ROLE;
