-- 007_log_partitions.sql - the issuance log partitioned by day (UTC) on
-- its time column, a default partition so that an insert never fails for
-- want of one, and gkey.maintain_log for cron: it creates the days ahead,
-- drops the days past retention and moves rows that landed in the default
-- partition into their day (doc/sql.md).
--
-- Applied by sql/gkey-migrate inside one transaction, after 006, as a
-- superuser.  The existing table is converted in place: every row is
-- copied, with its id and time, into the partitioned table that takes
-- its name, its identity sequence goes on from the highest id, and the
-- module's privileges of 006 (INSERT of every column but id and time, no
-- SELECT) are granted again on the new table.  The copy holds an ACCESS
-- EXCLUSIVE lock on the log for the transaction: module inserts wait for
-- it.  Replaying it changes nothing: the conversion runs only while the
-- log is an ordinary table.  The file has no BEGIN/COMMIT: the runner
-- owns the transaction.

SET LOCAL ROLE gkey_admin;

-- The partition for the UTC day p_day, gkey.issuance_log_pYYYYMMDD,
-- created unless it exists.  Returns its name when it created it, NULL
-- when it existed.  Created by the caller and given to gkey_admin, so
-- the partitions stay gkey_admin's whoever runs the maintenance; like
-- every table of the schema, not readable by gkey_radius.  Fails with
-- PostgreSQL's check_violation (23514) if the default partition holds
-- rows of that day: gkey.maintain_log moves them first.
CREATE OR REPLACE FUNCTION gkey.log_partition(p_day date)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_name text := 'issuance_log_p' || to_char(p_day, 'YYYYMMDD');
BEGIN
	IF p_day IS NULL THEN
		RAISE EXCEPTION 'gkey: a day is required'
		    USING ERRCODE = '22023';
	END IF;
	IF to_regclass(format('gkey.%I', v_name)) IS NOT NULL THEN
		RETURN NULL;
	END IF;
	EXECUTE format('CREATE TABLE gkey.%I PARTITION OF gkey.issuance_log FOR VALUES FROM (%L) TO (%L)',
		v_name, (p_day::timestamp AT TIME ZONE 'UTC')::text,
		((p_day + 1)::timestamp AT TIME ZONE 'UTC')::text);
	EXECUTE format('ALTER TABLE gkey.%I OWNER TO gkey_admin', v_name);
	EXECUTE format('REVOKE ALL ON gkey.%I FROM PUBLIC', v_name);
	RETURN v_name;
END
$$;

-- Conversion of the ordinary table of 001..006.
DO $convert$
DECLARE
	v_day date;
	v_max bigint;
BEGIN
	IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = 'gkey.issuance_log'::regclass) <> 'r' THEN
		RETURN;
	END IF;
	LOCK TABLE gkey.issuance_log IN ACCESS EXCLUSIVE MODE;
	ALTER TABLE gkey.issuance_log RENAME TO issuance_log_unpartitioned;
	-- As 001 and 004 define it, but the primary key must hold the
	-- partition key: (id, time).  id stays unique: only the identity
	-- gives it.
	CREATE TABLE gkey.issuance_log (
		id		bigint GENERATED ALWAYS AS IDENTITY,
		time		timestamptz NOT NULL DEFAULT now(),
		identity_id	bigint,
		fingerprint	bytea CONSTRAINT issuance_log_fingerprint_check
				CHECK (octet_length(fingerprint) = 32),
		app_id		bigint CONSTRAINT issuance_log_app_id_check
				CHECK (app_id BETWEEN 1 AND 4294967295),
		epoch		integer CONSTRAINT issuance_log_epoch_check CHECK (epoch >= 1),
		nas		text,
		calling_station	text,
		flow		text NOT NULL CONSTRAINT issuance_log_flow_check
				CHECK (flow IN ('radius', 'eap')),
		result		text NOT NULL,
		reason		text,
		CONSTRAINT issuance_log_result_check
			CHECK (result IN ('issued', 'refused', 'failed')),
		CONSTRAINT issuance_log_issued_names_key
			CHECK (result = 'refused' OR (app_id IS NOT NULL AND epoch IS NOT NULL))
	) PARTITION BY RANGE (time);
	CREATE TABLE gkey.issuance_log_default PARTITION OF gkey.issuance_log DEFAULT;
	-- A partition for every day the old rows fall on, and today and the
	-- week ahead; the first gkey.maintain_log applies the retention.
	FOR v_day IN
		SELECT DISTINCT (o.time AT TIME ZONE 'UTC')::date FROM gkey.issuance_log_unpartitioned o
		UNION
		SELECT d::date FROM generate_series((now() AT TIME ZONE 'UTC')::date,
			(now() AT TIME ZONE 'UTC')::date + 7, interval '1 day') d
	LOOP
		PERFORM gkey.log_partition(v_day);
	END LOOP;
	INSERT INTO gkey.issuance_log OVERRIDING SYSTEM VALUE
	SELECT o.id, o.time, o.identity_id, o.fingerprint, o.app_id, o.epoch, o.nas,
	       o.calling_station, o.flow, o.result, o.reason
	FROM gkey.issuance_log_unpartitioned o;
	SELECT max(o.id) INTO v_max FROM gkey.issuance_log_unpartitioned o;
	-- Its indexes and identity sequence go with it.
	DROP TABLE gkey.issuance_log_unpartitioned;
	EXECUTE format('ALTER SEQUENCE %s RENAME TO issuance_log_id_seq',
		pg_get_serial_sequence('gkey.issuance_log', 'id'));
	IF v_max IS NOT NULL THEN
		PERFORM setval('gkey.issuance_log_id_seq', v_max);
	END IF;
	ALTER TABLE gkey.issuance_log ADD CONSTRAINT issuance_log_pkey PRIMARY KEY (id, time);
	CREATE INDEX issuance_log_time_idx ON gkey.issuance_log (time);
	CREATE INDEX issuance_log_identity_idx
		ON gkey.issuance_log (identity_id, time) WHERE identity_id IS NOT NULL;
	CREATE INDEX issuance_log_refused_idx
		ON gkey.issuance_log (time) WHERE result = 'refused';
	CREATE INDEX issuance_log_failed_idx
		ON gkey.issuance_log (time) WHERE result = 'failed';
	-- The privileges of 001 and 006, on the new table.
	REVOKE ALL ON gkey.issuance_log, gkey.issuance_log_default FROM PUBLIC;
	REVOKE ALL ON SEQUENCE gkey.issuance_log_id_seq FROM PUBLIC;
	GRANT INSERT (identity_id, fingerprint, app_id, epoch, nas, calling_station, flow, result, reason)
		ON gkey.issuance_log TO gkey_radius;
	GRANT USAGE ON SEQUENCE gkey.issuance_log_id_seq TO gkey_radius;
END
$convert$;

-- Log maintenance, for cron next to gkey.rotate_all_due: creates the
-- partitions of today and the p_ahead days after it, moves the rows the
-- default partition holds into partitions of their day (a day past
-- retention: deletes them), and drops every day partition that ends
-- p_retention or longer ago.  One row per thing done: (action,
-- partition, rows) with action 'created', 'moved' (rows moved out of
-- the default partition into that day's), 'expired' (rows of the
-- default partition past retention, deleted) or 'dropped' (rows: NULL,
-- not counted).  Runs on any number of servers at once: an advisory lock
-- makes them take turns.
CREATE OR REPLACE FUNCTION gkey.maintain_log(p_retention interval DEFAULT '90 days',
	p_ahead integer DEFAULT 7)
RETURNS TABLE (action text, partition text, rows bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_today date := (now() AT TIME ZONE 'UTC')::date;
	v_cutoff timestamptz;
	v_day date;
	v_name text;
	v_rows bigint;
	v_part record;
BEGIN
	IF p_retention IS NULL OR p_retention <= interval '0' THEN
		RAISE EXCEPTION 'gkey: log retention must be positive'
		    USING ERRCODE = '22023';
	END IF;
	IF p_ahead IS NULL OR p_ahead NOT BETWEEN 0 AND 366 THEN
		RAISE EXCEPTION 'gkey: days ahead must be 0 to 366, got %', p_ahead
		    USING ERRCODE = '22023';
	END IF;
	v_cutoff := now() - p_retention;
	PERFORM pg_advisory_xact_lock(hashtext('gkey.maintain_log'));

	-- Rows that found no partition of their day: past retention they go,
	-- else they move to a partition made for their day.
	DELETE FROM gkey.issuance_log_default d WHERE d.time < v_cutoff;
	GET DIAGNOSTICS v_rows = ROW_COUNT;
	IF v_rows > 0 THEN
		action := 'expired'; partition := 'issuance_log_default'; rows := v_rows;
		RETURN NEXT;
	END IF;
	FOR v_day IN
		SELECT DISTINCT (d.time AT TIME ZONE 'UTC')::date FROM gkey.issuance_log_default d ORDER BY 1
	LOOP
		CREATE TEMP TABLE IF NOT EXISTS gkey_maintain_moving
			(LIKE gkey.issuance_log) ON COMMIT DROP;
		WITH moved AS (
			DELETE FROM gkey.issuance_log_default d
			WHERE d.time >= (v_day::timestamp AT TIME ZONE 'UTC')
			  AND d.time < ((v_day + 1)::timestamp AT TIME ZONE 'UTC')
			RETURNING d.*)
		INSERT INTO gkey_maintain_moving SELECT * FROM moved;
		GET DIAGNOSTICS v_rows = ROW_COUNT;
		v_name := gkey.log_partition(v_day);
		IF v_name IS NOT NULL THEN
			action := 'created'; partition := v_name; rows := 0;
			RETURN NEXT;
		END IF;
		INSERT INTO gkey.issuance_log OVERRIDING SYSTEM VALUE
		SELECT * FROM gkey_maintain_moving;
		TRUNCATE gkey_maintain_moving;
		action := 'moved'; partition := 'issuance_log_p' || to_char(v_day, 'YYYYMMDD'); rows := v_rows;
		RETURN NEXT;
	END LOOP;

	FOR v_day IN
		SELECT d::date FROM generate_series(v_today, v_today + p_ahead, interval '1 day') d
	LOOP
		v_name := gkey.log_partition(v_day);
		IF v_name IS NOT NULL THEN
			action := 'created'; partition := v_name; rows := 0;
			RETURN NEXT;
		END IF;
	END LOOP;

	-- Day partitions, by their name: what log_partition made.
	FOR v_part IN
		SELECT c.relname,
		       (to_date(substr(c.relname, 15), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' AS ends
		FROM pg_catalog.pg_inherits i
		JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'gkey.issuance_log'::regclass
		  AND c.relname ~ '^issuance_log_p[0-9]{8}$'
		ORDER BY c.relname
	LOOP
		IF v_part.ends <= v_cutoff THEN
			EXECUTE format('DROP TABLE gkey.%I', v_part.relname);
			action := 'dropped'; partition := v_part.relname; rows := NULL;
			RETURN NEXT;
		END IF;
	END LOOP;
END
$$;

RESET ROLE;
