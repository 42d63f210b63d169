-- 008_operator_views.sql - operators' views of the issuance log: who
-- holds which epoch of which application and when it last refreshed
-- (gkey.key_holders, and gkey.key_holders_since for a recent window),
-- and refusals by reason over a time window
-- (gkey.refusals), doc/sql.md.
--
-- Applied by sql/gkey-migrate inside one transaction, after 007, as a
-- superuser.  Owned by gkey_admin; gkey_radius can neither read the
-- view nor call the function (the log is append-only for it).  Replaying
-- it changes nothing.  The file has no BEGIN/COMMIT: the runner owns the
-- transaction.

SET LOCAL ROLE gkey_admin;

-- The latest issued row of every identity x application the log still
-- holds (the retention of gkey.maintain_log bounds how far back it
-- looks): the epoch the identity was last given, when, through which
-- NAS, and whether that epoch is still valid.  An identity or
-- application deleted since shows with a NULL subject or name.
CREATE OR REPLACE VIEW gkey.key_holders AS
SELECT h.identity_id, i.subject, i.status, h.app_id, a.name AS app_name, h.epoch,
       h.time AS last_issued, h.nas, h.calling_station, h.flow,
       k.not_after AS epoch_not_after,
       coalesce(k.not_before <= now() AND now() < k.not_after, false) AS epoch_current
FROM (SELECT DISTINCT ON (l.identity_id, l.app_id)
	     l.identity_id, l.app_id, l.epoch, l.time, l.nas, l.calling_station, l.flow
      FROM gkey.issuance_log l
      WHERE l.result = 'issued' AND l.identity_id IS NOT NULL
      ORDER BY l.identity_id, l.app_id, l.time DESC, l.id DESC) h
LEFT JOIN gkey.identity i ON i.id = h.identity_id
LEFT JOIN gkey.application a ON a.id = h.app_id
LEFT JOIN gkey.group_key k ON k.app_id = h.app_id AND k.epoch = h.epoch;

-- key_holders for the holders that refreshed since p_since: only the
-- partitions from p_since on are read, so on a large log an operator asks
-- for the last key lifetime or two (every active node refreshes within
-- its Session-Timeout) in milliseconds instead of seconds.
CREATE OR REPLACE FUNCTION gkey.key_holders_since(p_since timestamptz)
RETURNS SETOF gkey.key_holders
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF p_since IS NULL THEN
		RAISE EXCEPTION 'gkey: a start time is required'
		    USING ERRCODE = '22023';
	END IF;
	RETURN QUERY
	SELECT h.identity_id, i.subject, i.status, h.app_id, a.name, h.epoch,
	       h.time, h.nas, h.calling_station, h.flow, k.not_after,
	       coalesce(k.not_before <= now() AND now() < k.not_after, false)
	FROM (SELECT DISTINCT ON (l.identity_id, l.app_id)
		     l.identity_id, l.app_id, l.epoch, l.time, l.nas, l.calling_station, l.flow
	      FROM gkey.issuance_log l
	      WHERE l.result = 'issued' AND l.identity_id IS NOT NULL AND l.time >= p_since
	      ORDER BY l.identity_id, l.app_id, l.time DESC, l.id DESC) h
	LEFT JOIN gkey.identity i ON i.id = h.identity_id
	LEFT JOIN gkey.application a ON a.id = h.app_id
	LEFT JOIN gkey.group_key k ON k.app_id = h.app_id AND k.epoch = h.epoch;
END
$$;

-- Refusals from p_since up to p_until (default: now) by reason, most
-- frequent first: how many, of how many distinct identities (unknown
-- certificates have none) and certificates, first and last time.
-- Invoker's rights: the caller reads the log with gkey_admin's rights.
CREATE OR REPLACE FUNCTION gkey.refusals(p_since timestamptz, p_until timestamptz DEFAULT NULL)
RETURNS TABLE (reason text, refusals bigint, identities bigint, fingerprints bigint,
	first_time timestamptz, last_time timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	IF p_since IS NULL THEN
		RAISE EXCEPTION 'gkey: a start time is required'
		    USING ERRCODE = '22023';
	END IF;
	RETURN QUERY
	SELECT l.reason, count(*), count(DISTINCT l.identity_id), count(DISTINCT l.fingerprint),
	       min(l.time), max(l.time)
	FROM gkey.issuance_log l
	WHERE l.result = 'refused' AND l.time >= p_since AND l.time <= coalesce(p_until, now())
	GROUP BY l.reason
	ORDER BY count(*) DESC, l.reason;
END
$$;

REVOKE ALL ON gkey.key_holders FROM PUBLIC;

RESET ROLE;
