#!/bin/bash
# Does the module's work slow down as the issuance log grows? Times the
# two statements rlm_gkey runs on every request, as the module's role and
# through pgbench custom scripts: the identity lookup with issue_keys
# (gkey_lookup_by_fp in rlm_gkey/gkey_db.c) and the log insert
# (gkey_log, gkey.log_issuance), first on an empty log, then after filling
# the log's day partitions with N million rows (generate_series, spread
# over the last DAYS days, indexed and analysed), and prints the mean
# latencies and their ratios, after / before (1.0: no slower), and how
# long the operators' views take on the full log:
#
#   RESULT log-growth rows=R lookup_ratio=X insert_ratio=Y
#
# The fill costs about a minute and some 250 MB of disk per million rows
# on this kind of machine; on a shared machine keep N to a few. The
# private cluster is removed at exit.
#
# Usage: bench/log-growth.sh [N_MILLION_ROWS [SECONDS [DAYS]]]
#        default 10 million rows (a day's log of a large deployment),
#        3 rounds of 10 s per measurement (the median counts), 30 days. N may be a decimal (0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
millions=${1:-10}
secs=${2:-10}
days=${3:-30}
rows=$(awk -v m="$millions" 'BEGIN { printf "%d", m * 1000000 }')
[ "$rows" -gt 0 ] || { echo "usage: $0 [N_MILLION_ROWS [SECONDS [DAYS]]]" >&2; exit 2; }
identities=1000

. tests/rig/standalone.sh
rig_init
pg_rig_start
PGBENCH=${PGBENCH:-$PG_BINDIR/pgbench}

# A thousand enrolled identities, each granted the application, and its
# material filled, as after the first request of each.
pg_rig_psql -At <<SQL >/dev/null
SELECT gkey.create_application('bench', p_id => 1);
SELECT gkey.enroll(sha256(('bench-' || n)::bytea), '/CN=bench CA', to_hex(4096 + n), '/CN=bench-' || n,
	'\x3059301306072a8648ce3d020106082a8648ce3d03010703420004'::bytea
	    || sha256(('x' || n)::bytea) || sha256(('y' || n)::bytea),
	now() - interval '1 day', now() + interval '1 year', 'iot')
FROM generate_series(1, $identities) n;
INSERT INTO gkey.grant (identity_id, app_id) SELECT id, 1 FROM gkey.identity;
UPDATE gkey.group_key SET material = '\x01' || decode(repeat('ab', 44), 'hex') WHERE app_id = 1;
SQL

# The module's statements, with a random one of the identities each time.
cat >"$RIG_DIR/lookup.sql" <<SQL
\set n random(1, $identities)
SELECT i.identity_id, i.status, i.spki, k.app_id, k.epoch, k.material
FROM gkey.identity_by_fingerprint(sha256(('bench-' || :n)::bytea)) i
LEFT JOIN LATERAL gkey.issue_keys(i.identity_id, NULL::text[]) k ON true
ORDER BY k.app_id, k.epoch;
SQL
cat >"$RIG_DIR/insert.sql" <<SQL
\set n random(1, $identities)
SELECT gkey.log_issuance(:n, sha256(('bench-' || :n)::bytea), 1, 1, 'nas-bench', '02-00-00-00-00-01',
	'radius', 'issued', NULL);
SQL

# measure SCRIPT: the median of 3 rounds of one client's mean latency in
# ms over SECONDS (the machine is shared: one round may be unlucky).
measure() {
	local i
	# A second's warm-up first: caches and the first connection's cost.
	"$PGBENCH" -n -M prepared -c 1 -j 1 -T 1 -f "$RIG_DIR/$1" \
		-h 127.0.0.1 -p "$PGPORT" -U gkey_radius gkey >/dev/null 2>&1
	for i in 1 2 3; do
		"$PGBENCH" -n -M prepared -c 1 -j 1 -T "$secs" -f "$RIG_DIR/$1" \
			-h 127.0.0.1 -p "$PGPORT" -U gkey_radius gkey 2>"$RIG_DIR/pgbench.err" \
			| awk '/^latency average/ { print $4 }'
	done | sort -n | sed -n 2p
}
log_rows() { pg_rig_psql -At -c 'SELECT count(*) FROM gkey.issuance_log'; }

# The past days' partitions exist before the first measurement, so that
# before and after differ only in the rows.
pg_rig_psql -q -c "SELECT gkey.log_partition((now() AT TIME ZONE 'UTC')::date - d) FROM generate_series(1, $days) d" \
	-c 'VACUUM ANALYZE' >/dev/null
lookup0=$(measure lookup.sql)
insert0=$(measure insert.sql)
echo "before: log rows $(log_rows) in $(pg_rig_psql -At -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'gkey.issuance_log'::regclass") partitions, lookup ${lookup0} ms, insert ${insert0} ms"

# The fill: one INSERT per day, into that day's partition.
start=$(date +%s)
per_day=$((rows / days))
pg_rig_psql -q <<SQL
SET client_min_messages = warning;
SELECT format(\$f\$INSERT INTO gkey.issuance_log (time, identity_id, fingerprint, app_id, epoch, nas,
		calling_station, flow, result, reason)
	SELECT ((now() AT TIME ZONE 'UTC')::date - %s)::timestamp AT TIME ZONE 'UTC' + g * interval '86399 seconds' / %s,
	       1 + mod(g, $identities), sha256(('bench-' || 1 + mod(g, $identities))::bytea),
	       CASE WHEN mod(g, 50) = 0 THEN NULL ELSE 1 END, CASE WHEN mod(g, 50) = 0 THEN NULL ELSE 1 END,
	       'nas-bench', '02-00-00-00-00-01', 'radius',
	       CASE WHEN mod(g, 50) = 0 THEN 'refused' ELSE 'issued' END,
	       CASE WHEN mod(g, 50) = 0 THEN 'identity is revoked' END
	FROM generate_series(1, %s) g\$f\$, d, $per_day, $per_day)
FROM generate_series(1, $days) d \\gexec
VACUUM ANALYZE gkey.issuance_log;
CHECKPOINT;
SQL
echo "fill: $(log_rows) rows in $(( $(date +%s) - start )) s, log $(pg_rig_psql -At -c \
	"SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'gkey.issuance_log'::regclass")"

lookup1=$(measure lookup.sql)
insert1=$(measure insert.sql)
echo "after: log rows $(log_rows), lookup ${lookup1} ms, insert ${insert1} ms"
# The operators' views (migration 008) read the log: how long they take
# at this size (no module request waits on them).
views() {
	pg_rig_psql -At <<SQL | awk '/^Time:/ { printf "%s%s ms", sep, $2; sep = ", " } END { print "" }'
\\timing on
SELECT count(*) FROM gkey.key_holders;
SELECT count(*) FROM gkey.key_holders_since(now() - interval '2 days');
SELECT count(*) FROM gkey.refusals(now() - interval '1 hour');
SELECT count(*) FROM gkey.refusals(now() - interval '$days days');
SQL
}
echo "operator views: key_holders, key_holders_since 2 days, refusals of the last hour, of $days days: $(views)"
awk -v r="$rows" -v l0="$lookup0" -v l1="$lookup1" -v i0="$insert0" -v i1="$insert1" \
	'BEGIN { printf "RESULT log-growth rows=%d lookup_ratio=%.2f insert_ratio=%.2f\n", r, l1 / l0, i1 / i0 }'
