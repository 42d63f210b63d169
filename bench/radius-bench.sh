#!/bin/bash
# The key server's benchmark (issue 10), in one run on one machine:
#
#   bench/radius-bench.sh            the full run (about 10 to 20 minutes
#                                    on a 2-core machine, estimated from the
#                                    smoke run's rates; most of it the
#                                    scale part's million identities)
#   bench/radius-bench.sh --smoke    everything tiny, well under a minute
#                                    (tests/bench-smoke.test runs it)
#
# Needs a built tree (bash scripts/build.sh) and freeradius-postgresql
# (scripts/deps.sh). Everything runs on a private PostgreSQL cluster and
# private radiusd instances (tests/rig/), removed at exit. The servers run
# as in production: radiusd without debug, rlm_gkey with its shipped
# configuration (its own durability: synchronous_commit = on for its log
# rows), PostgreSQL with its defaults except port and socket (the rig's
# test-only fsync = off, synchronous_commit = off, full_page_writes = off
# are turned back on).
#
# The load is bench/radload (libfreeradius; Message-Authenticator,
# Service-Type = Authorize-Only, GKey-Cert-SHA256, doc/radius.md
# section 4), WINDOW requests outstanding, bounded in count and time. The
# identities come from bench/gen-identities.sh: mixed P-256 and X25519,
# fingerprints SHA-256("PREFIX<i>"). Workloads, each measured ROUNDS
# times, baseline and rlm_gkey alternating within every round so that
# drift affects both alike:
#
#   files-1app   the same FreeRADIUS answering from `files` alone with one
#                Key Record of an X25519 node (the smaller record: 33
#                octets under P-256's) and Session-Timeout: the baseline
#   warm-1app    rlm_gkey, IDENTITIES identities with one application each,
#                requests spread over all of them, each coming back for the
#                epoch it already holds (a first pass over all of them is
#                made before, as refreshing nodes would have)
#   sql-1app     the anchor operators know: FreeRADIUS's rlm_sql (driver
#                rlm_sql_postgresql) doing one SELECT per request on the
#                same PostgreSQL, from a table of the same fingerprints
#                holding the same reply record
#   files-3app   as files-1app with three records
#   warm-3app    rlm_gkey, IDENTITIES other identities with three
#                applications each
#   cold-1app    rlm_gkey, COLD identities enrolled just before each round
#                and asked once each: every answer a lookup and a fresh
#                seal. bench/seal-bench measures the seal cost in the same
#                round; the bound is RADIUSD_CORES (default: all cores) /
#                that cost.
#
# For each it prints requests/s, p50 and p99 latency, and radiusd's and
# all of the cluster's postgres processes' CPU per request (utime +
# stime from /proc before and after). Then:
#
#   scale        rlm_gkey with record_cache_size = 0 (every request looks
#                its identity up and seals every record: only the size of
#                the database differs) against SCALE_SMALL identities, then
#                after gen-identities has added identities up to
#                SCALE_LARGE, all with SCALE_GRANTS of SCALE_APPS
#                applications (the full run: 1,000 against 1,000,000
#                identities, 10,000 applications, 3,000,000 grants), requests
#                spread over all identities; p99 of each.
#   revoke       two more rlm_gkey servers on the same database, every cache
#                on; radload asks both for one identity again and again, the
#                identity is revoked (gkey.revoke_identity, COMMIT), and the
#                time from the COMMIT (clock_timestamp() just after it) to
#                the first Access-Reject from each is printed.
#   seal-bench   the crypto bound: sealing one Key Record against one key
#                generation and two ECDH derivations, in one process.
#
# It ends with these lines, one figure each (medians over the rounds):
#
#   RESULT warm-1app ratio=R          rps warm-1app / rps files-1app (target >= 0.70)
#   RESULT warm-3app ratio=R          rps warm-3app / rps files-3app (target >= 0.60)
#   RESULT cold-1app ratio=R bound=B  rps cold-1app / B, B = cores / seal cost (target >= 0.70)
#   RESULT seal-p256 ratio=R          seal / primitives, P-256 (target <= 1.3)
#   RESULT seal-x25519 ratio=R        the same for X25519 (target <= 1.3)
#   RESULT scale p99_1M_over_1k=R     p99 at SCALE_LARGE / p99 at SCALE_SMALL (target <= 2)
#   RESULT revoke-visible ms=T        COMMIT to the later first refusal of two servers (target <= 1000)
#
# Settings (environment; full-run default / --smoke default):
#   IDENTITIES=10000/200 REQUESTS=20000/400 (per workload and round)
#   ROUNDS=3/1 WINDOW=32/16 ROUND_SECONDS=60/10 (time bound of each load)
#   COLD=5000/200 SCALE_SMALL=1000/200 SCALE_LARGE=1000000/2000
#   SCALE_APPS=10000/20 SCALE_GRANTS=3/3 SCALE_REQUESTS=10000/300
#   RADIUSD_CORES=$(nproc) COLD_SETTLE=1 (seconds between enrolling a cold
#   round's identities and asking for them)
#   GKEY_BENCH_MODULE_CONF  lines for the gkey { } section of every rlm_gkey
#       server, replacing the shipped items of the same name (default
#       "record_cache_size = 65536", so that the warm set fits), e.g.
#       GKEY_BENCH_MODULE_CONF=$'record_cache_size = 65536\nview_size = 2000000'
#   GKEY_BENCH_SCALE_CONF   lines added after those for the scale server
#       (default "record_cache_size = 0"; add what else turns a cache off)
#   RADIUSD_MAX_SERVERS=32  thread pool max_servers of every radiusd
#       here, the baselines' as rlm_gkey's (tests/rig/radiusd.sh's
#       RIG_MAX_SERVERS); the module pools' max (32, as shipped) is raised
#       to it when larger. 32 is FreeRADIUS's shipped default. The load
#       keeps WINDOW requests outstanding, and an rlm_gkey request holds
#       its thread until its log rows have committed (doc/radius.md
#       section 11): with fewer threads than WINDOW the rest wait in
#       radiusd's queue, a commit carries at most max_servers requests'
#       rows, and the warm rate is bounded by commits per second times
#       max_servers, not by CPU. The test rig's 16 would measure that
#       bound; a server sized for production does not have it.
# The older parts stay apart: bench/log-growth.sh (the log's growth),
# bench/pana-bench.sh, bench/nd-bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=no
case ${1:-} in
--smoke) smoke=yes ;;
'') ;;
*) echo "usage: $0 [--smoke]   (settings: see the comment at the top)" >&2; exit 2 ;;
esac
if [ "$smoke" = yes ]; then
	: "${IDENTITIES:=200}" "${REQUESTS:=400}" "${ROUNDS:=1}" "${WINDOW:=16}" "${ROUND_SECONDS:=10}"
	: "${COLD:=200}" "${SCALE_SMALL:=200}" "${SCALE_LARGE:=2000}" "${SCALE_APPS:=20}"
	: "${SCALE_GRANTS:=3}" "${SCALE_REQUESTS:=300}" "${SEAL_ARGS:=-n 20 -r 3}"
else
	: "${IDENTITIES:=10000}" "${REQUESTS:=20000}" "${ROUNDS:=3}" "${WINDOW:=32}" "${ROUND_SECONDS:=60}"
	: "${COLD:=5000}" "${SCALE_SMALL:=1000}" "${SCALE_LARGE:=1000000}" "${SCALE_APPS:=10000}"
	: "${SCALE_GRANTS:=3}" "${SCALE_REQUESTS:=10000}" "${SEAL_ARGS:=}"
fi
cores=${RADIUSD_CORES:-$(nproc)}
: "${RADIUSD_MAX_SERVERS:=32}"
RIG_MAX_SERVERS=$RADIUSD_MAX_SERVERS
export RIG_MAX_SERVERS
COLD_SETTLE=${COLD_SETTLE:-1}
module_conf=${GKEY_BENCH_MODULE_CONF-record_cache_size = 65536}
scale_conf=${GKEY_BENCH_SCALE_CONF-record_cache_size = 0}
for v in IDENTITIES REQUESTS ROUNDS WINDOW ROUND_SECONDS COLD SCALE_SMALL SCALE_LARGE \
	SCALE_APPS SCALE_GRANTS SCALE_REQUESTS cores RADIUSD_MAX_SERVERS; do
	case ${!v} in '' | 0 | *[!0-9]*) echo "radius-bench: $v must be a positive number" >&2; exit 2 ;; esac
done
# The module pools' max (32 in raddb/mods-available/gkey and below) is at least max_servers.
pool_max=$(( RADIUSD_MAX_SERVERS > 32 ? RADIUSD_MAX_SERVERS : 32 ))
[ "$SCALE_LARGE" -gt "$SCALE_SMALL" ] || { echo "radius-bench: SCALE_LARGE must exceed SCALE_SMALL" >&2; exit 2; }
[ "$SCALE_GRANTS" -le "$SCALE_APPS" ] || { echo "radius-bench: SCALE_GRANTS must not exceed SCALE_APPS" >&2; exit 2; }

RADLOAD=${RADLOAD:-$PWD/bench/radload}
SEAL_BENCH=${SEAL_BENCH:-$PWD/bench/seal-bench}
[ -x "$RADLOAD" ] && [ -x "$SEAL_BENCH" ] || make -s bench/radload bench/seal-bench >/dev/null
[ -f /usr/lib/freeradius/rlm_sql_postgresql.so ] ||
	{ echo "radius-bench: rlm_sql_postgresql is missing: install freeradius-postgresql (scripts/deps.sh)" >&2; exit 1; }
GEN=$PWD/bench/gen-identities.sh

. tests/rig/standalone.sh
rig_init
RIG_PKI=$RIG_DIR/pki
export RIG_PKI
tests/mkcerts.sh "$RIG_PKI" >/dev/null
pg_rig_start
# PostgreSQL's own defaults for durability, not the rig's test settings.
# Connections for two servers at a time (main and sql; scale; rv1 and rv2,
# each stopped when its part is over), each its pool's max, the log writer
# and the listener: the rig's 100 unless RADIUSD_MAX_SERVERS needs more.
pg_conns=$(( 2 * (pool_max + 2) + 20 > 100 ? 2 * (pool_max + 2) + 20 : 100 ))
pg_rig_psql -c 'ALTER SYSTEM SET fsync = on' -c 'ALTER SYSTEM SET synchronous_commit = on' \
	-c 'ALTER SYSTEM SET full_page_writes = on' -c "ALTER SYSTEM SET max_connections = $pg_conns" >/dev/null
pg_rig_restart
[ "$(pg_rig_psql -At -c 'SHOW fsync')" = on ] || rig_fail "PostgreSQL did not take fsync = on"
echo "PostgreSQL $(pg_rig_psql -At -c 'SHOW server_version'):" \
	"$(pg_rig_psql -At -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
		WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections')")"
echo "module settings added: $(printf '%s' "$module_conf" | tr '\n' ';'); scale server also: $(printf '%s' "$scale_conf" | tr '\n' ';')"
secret=$RIG_DIR/secret
printf '%s\n' "$RADIUS_SECRET" > "$secret"
chmod 0600 "$secret"
res=$RIG_DIR/results
mkdir -p "$res"
ticks=$(getconf CLK_TCK)

echo "radius-bench: $([ "$smoke" = yes ] && echo smoke || echo full) run, $(nproc) cores, IDENTITIES=$IDENTITIES REQUESTS=$REQUESTS ROUNDS=$ROUNDS WINDOW=$WINDOW RADIUSD_MAX_SERVERS=$RADIUSD_MAX_SERVERS COLD=$COLD SCALE=$SCALE_SMALL/$SCALE_LARGE identities, $SCALE_APPS applications, $SCALE_GRANTS grants each"

# ---- servers
# gkey_conf FILE LINES: LINES (item = value) into the gkey { } section,
# each replacing the shipped item of that name.
gkey_conf() {
	local file=$1 lines=$2 line name
	[ -n "$lines" ] || return 0
	while IFS= read -r line; do
		line=${line#"${line%%[![:space:]]*}"}
		[ -n "$line" ] || continue
		name=${line%%[[:space:]=]*}
		case $name in '' | *[!a-z0-9_]*) rig_fail "not a module setting: '$line'" ;; esac
		awk -v name="$name" -v line="$line" '
			$0 ~ "^\t" name "[ \t]*=" { next }
			{ print }
			!done && /^gkey \{/ { print "\t" line; done = 1 }' "$file" > "$file.new"
		mv "$file.new" "$file"
	done <<< "$lines"
}

# gkey_server NAME [LINES]: an rlm_gkey radiusd with the module settings.
gkey_server() {
	radiusd_rig_config "$1"
	sed -i "s/^\t\tmax = 32\$/\t\tmax = $pool_max/" "$RADIUS_DIR/raddb/mods-enabled/gkey"
	grep -q "^		max = $pool_max\$" "$RADIUS_DIR/raddb/mods-enabled/gkey" ||
		rig_fail "no pool max to set in raddb/mods-available/gkey"
	gkey_conf "$RADIUS_DIR/raddb/mods-enabled/gkey" "$module_conf"
	gkey_conf "$RADIUS_DIR/raddb/mods-enabled/gkey" "${2:-}"
	radiusd_rig_run "$1" --no-debug
}

gkey_server main
main_port=$RADIUS_PORT main_pid=$RADIUS_PID_main
grep -o 'rlm_gkey (gkey): .*' "$RADIUS_LOG" | head -n 1

# ---- identities
"$GEN" -d "$GKEY_ADMIN_DSN" -p w1- -n "$IDENTITIES" -a bench-app -A 3 -g 1
"$GEN" -d "$GKEY_ADMIN_DSN" -p w3- -n "$IDENTITIES" -a bench-app -A 3 -g 3
"$GEN" -d "$GKEY_ADMIN_DSN" -p rv- -n 1 -a rv-app -A 1 -g 1 >/dev/null

# radload PORT ARGS...: one bounded load against 127.0.0.1:PORT.
radload() {
	local port=$1
	shift
	"$RADLOAD" -s "127.0.0.1:$port" -x "$secret" -D "$GKEY_SRCDIR/raddb/dictionary.gkey" \
		-w "$WINDOW" -T "$ROUND_SECONDS" "$@"
}
field() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" <<< "$2"; }

# The first pass: every warm identity once, so that the group keys exist
# and each node holds its epoch, as refreshing nodes do.
for p in w1- w3-; do
	out=$(radload "$main_port" -g "$p:1:$IDENTITIES" -n "$IDENTITIES")
	[ "$(field accepted "$out")" = "$IDENTITIES" ] || rig_fail "first pass over $p: $out"
done

# ---- the baseline: files, with replies of the same size
fp_hex() { printf '%s' "$1" | openssl dgst -sha256 -r | cut -d' ' -f1; }
records_of() {
	ask_raw "$main_port" "Service-Type = Authorize-Only, Message-Authenticator = 0x00, NAS-Identifier = bench, GKey-Cert-SHA256 = 0x$(fp_hex "$1")" |
		awk 'match($0, /GKey-Key-Record = 0x[0-9a-f]+/) { print substr($0, RSTART + 20, RLENGTH - 20) }'
}
mapfile -t rec1 < <(records_of w1-1)
mapfile -t rec3 < <(records_of w3-1)
[ "${#rec1[@]}" = 1 ] && [ "${#rec3[@]}" = 3 ] || rig_fail "rlm_gkey gave ${#rec1[@]} and ${#rec3[@]} records, not 1 and 3"
echo "reply records: ${#rec1[0]} hex digits each (X25519 node)"

radiusd_rig_config files
cat > "$RADIUS_DIR/raddb/sites-enabled/gkey" <<SITE
server files {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $RADIUS_PORT
	}
	authorize {
		files
	}
	authenticate {
	}
}
SITE
mkdir -p "$RADIUS_DIR/raddb/mods-config/files"
{
	printf 'DEFAULT NAS-Identifier == "bench-3app", Auth-Type := Accept\n'
	printf '\tGKey-Key-Record = 0x%s,\n\tGKey-Key-Record += 0x%s,\n\tGKey-Key-Record += 0x%s,\n\tSession-Timeout = 86400\n\n' "${rec3[@]}"
	printf 'DEFAULT Auth-Type := Accept\n\tGKey-Key-Record = 0x%s,\n\tSession-Timeout = 86400\n' "${rec1[0]}"
} > "$RADIUS_DIR/raddb/mods-config/files/authorize"
printf 'files {\n\tfilename = ${modconfdir}/files/authorize\n}\n' > "$RADIUS_DIR/raddb/mods-enabled/files"
radiusd_rig_run files --no-debug
files_port=$RADIUS_PORT files_pid=$RADIUS_PID_files

# ---- the anchor: rlm_sql, one SELECT per request, same PostgreSQL
pg_rig_psql -q <<SQL
SET client_min_messages = warning;
CREATE ROLE bench_sql LOGIN;
CREATE TABLE public.bench_sql (fp text PRIMARY KEY, record text NOT NULL);
INSERT INTO public.bench_sql
	SELECT encode(sha256(convert_to('w1-' || i, 'UTF8')), 'hex'), '${rec1[0]}'
	FROM generate_series(1, $IDENTITIES) i;
ANALYZE public.bench_sql;
REVOKE ALL ON public.bench_sql FROM PUBLIC;
GRANT SELECT ON public.bench_sql TO bench_sql;
SQL
radiusd_rig_config sql
cat > "$RADIUS_DIR/raddb/mods-enabled/sql" <<MOD
sql {
	driver = "rlm_sql_postgresql"
	dialect = "postgresql"
	server = "127.0.0.1"
	port = $PGPORT
	login = "bench_sql"
	radius_db = "gkey"
	read_clients = no
	pool {
		start = 4
		min = 4
		max = $pool_max
		spare = 4
		uses = 0
		lifetime = 0
		idle_timeout = 60
	}
}
MOD
cat > "$RADIUS_DIR/raddb/sites-enabled/gkey" <<SITE
server sql {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $RADIUS_PORT
	}
	authorize {
		update control {
			&Tmp-String-0 := "%{sql:SELECT record FROM public.bench_sql WHERE fp = '%{hex:&GKey-Cert-SHA256}'}"
		}
		if (&control:Tmp-String-0 && &control:Tmp-String-0 != "") {
			update reply {
				&GKey-Key-Record := "0x%{control:Tmp-String-0}"
				&Session-Timeout := 86400
			}
			update control {
				&Auth-Type := Accept
			}
		}
		else {
			update control {
				&Auth-Type := Reject
			}
		}
	}
	authenticate {
	}
}
SITE
radiusd_rig_run sql --no-debug
sql_port=$RADIUS_PORT sql_pid=$RADIUS_PID_sql
# Their first pass too: threads and connection pools grown before rounds.
for port in "$files_port" "$sql_port"; do
	out=$(radload "$port" -g "w1-:1:$IDENTITIES" -n "$IDENTITIES")
	[ "$(field accepted "$out")" = "$IDENTITIES" ] || rig_fail "first pass on port $port: $out"
done

# ---- measuring
# CPU ticks (utime + stime) of each PID, "PID TICKS" lines.
cpu_of() {
	local p s
	for p in "$@"; do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		s=${s##*) }
		awk -v p="$p" '{ print p, $12 + $13 }' <<< "$s"
	done
}
# The cluster: the postmaster and all its children (backends, walwriter...).
pg_pids() {
	local pm
	pm=$(head -n 1 "$PG_RIG_DATA/postmaster.pid")
	echo "$pm" $(pgrep -P "$pm")
}
# cpu_delta BEFORE AFTER: ticks spent between the two cpu_of lists; a
# process born in between counts whole, one gone counts nothing more.
cpu_delta() {
	awk 'NR == FNR { b[$1] = $2; next } { d += $2 - ($1 in b ? b[$1] : 0) } END { print d + 0 }' \
		<(printf '%s\n' "$1") <(printf '%s\n' "$2")
}

# measure WORKLOAD ROUND PID PORT RADLOAD-ARGS...: one load, its line, and
# "rps p50 p99 radiusd_us pg_us" appended to $res/WORKLOAD.
measure() {
	local w=$1 r=$2 pid=$3 port=$4 r0 p0 r1 p1 out n
	shift 4
	# shellcheck disable=SC2046	# one PID a word
	r0=$(cpu_of "$pid") p0=$(cpu_of $(pg_pids))
	out=$(radload "$port" "$@") || rig_fail "$w round $r: radload failed: $out"
	# shellcheck disable=SC2046
	r1=$(cpu_of "$pid") p1=$(cpu_of $(pg_pids))
	n=$(field answered "$out")
	[ "$(field accepted "$out")" = "$n" ] && [ "$n" -gt 0 ] || rig_fail "$w round $r: not every answer an Access-Accept: $out"
	awk -v w="$w" -v r="$r" -v n="$n" -v rps="$(field rps "$out")" -v p50="$(field p50_us "$out")" \
		-v p99="$(field p99_us "$out")" -v rc="$(cpu_delta "$r0" "$r1")" -v pc="$(cpu_delta "$p0" "$p1")" -v hz="$ticks" \
		-v to="$(field timeouts "$out")" -v recs="$(field records "$out")" 'BEGIN {
		ru = rc / hz * 1e6 / n; pu = pc / hz * 1e6 / n
		printf "round %d %-10s %7d answered %7d records %3d timeouts %8.0f req/s  p50 %7d us  p99 %7d us  radiusd %6.0f us/req  postgres %6.0f us/req\n", r, w, n, recs, to, rps, p50, p99, ru, pu
		printf "%s %s %s %s %s\n", rps, p50, p99, ru, pu >> (ENVIRON["res"] "/" w) }'
}
export res
median_col() {	# median_col WORKLOAD COLUMN
	awk -v c="$2" '{ print $c }' "$res/$1" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
summary() {
	printf '%-10s median %8.0f req/s  p50 %7.0f us  p99 %7.0f us  radiusd %6.0f us/req  postgres %6.0f us/req\n' \
		"$1" "$(median_col "$1" 1)" "$(median_col "$1" 2)" "$(median_col "$1" 3)" "$(median_col "$1" 4)" "$(median_col "$1" 5)"
}

for r in $(seq 1 "$ROUNDS"); do
	measure files-1app "$r" "$files_pid" "$files_port" -g "w1-:1:$IDENTITIES" -n "$REQUESTS"
	measure warm-1app "$r" "$main_pid" "$main_port" -g "w1-:1:$IDENTITIES" -n "$REQUESTS"
	measure sql-1app "$r" "$sql_pid" "$sql_port" -g "w1-:1:$IDENTITIES" -n "$REQUESTS"
	measure files-3app "$r" "$files_pid" "$files_port" -g "w3-:1:$IDENTITIES" -n "$REQUESTS" -N bench-3app
	measure warm-3app "$r" "$main_pid" "$main_port" -g "w3-:1:$IDENTITIES" -n "$REQUESTS"
done

# ---- cold: fresh identities every round, each asked once
: > "$res/seal"
for r in $(seq 1 "$ROUNDS"); do
	"$GEN" -d "$GKEY_ADMIN_DSN" -p "cold$r-" -n "$COLD" -a bench-app -A 3 -g 1 >/dev/null
	# A moment for a server that follows the changes (LISTEN) to take
	# them in before the round.
	sleep "$COLD_SETTLE"
	measure cold-1app "$r" "$main_pid" "$main_port" -g "cold$r-:1:$COLD" -n "$COLD"
	# The seal cost in the same round (mean of both curves).
	seal=$("$SEAL_BENCH" -n 200 -r 3 | awk '/^RESULT seal-(p256|x25519) / {
		for (i = 1; i <= NF; i++) if ($i ~ /^seal_us=/) { sub(/seal_us=/, "", $i); t += $i; n++ } }
		END { if (n == 2) printf "%.1f", t / n }')
	[ -n "$seal" ] || rig_fail "bench/seal-bench printed no seal cost"
	echo "$seal" >> "$res/seal"
	printf 'round %d seal cost (mean of P-256 and X25519): %.1f us\n' "$r" "$seal"
done

echo "medians over $ROUNDS rounds:"
for w in files-1app warm-1app sql-1app files-3app warm-3app cold-1app; do summary "$w"; done
f1=$(median_col files-1app 1) g1=$(median_col warm-1app 1) s1=$(median_col sql-1app 1)
f3=$(median_col files-3app 1) g3=$(median_col warm-3app 1) c1=$(median_col cold-1app 1)
seal=$(sort -g "$res/seal" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
awk -v f1="$f1" -v g1="$g1" -v s1="$s1" -v f3="$f3" -v g3="$g3" 'BEGIN {
	printf "warm-1app/files-1app %.3f, sql-1app/files-1app %.3f (the rlm_sql anchor), warm-1app/sql-1app %.3f, warm-3app/files-3app %.3f\n",
		g1 / f1, s1 / f1, g1 / s1, g3 / f3 }'
bound=$(awk -v s="$seal" -v k="$cores" 'BEGIN { printf "%.0f", k * 1e6 / s }')
echo "cold: seal $seal us on $cores cores bounds it at $bound req/s"

# ---- scale: the same requests against SCALE_SMALL, then SCALE_LARGE identities
# The servers measured so far give their connections back first.
for s in main files sql; do radiusd_rig_stop "$s"; done
gkey_server scale "$scale_conf"
scale_port=$RADIUS_PORT scale_pid=$RADIUS_PID_scale
grep -o 'rlm_gkey (gkey): .*' "$RADIUS_LOG" | head -n 1
"$GEN" -d "$GKEY_ADMIN_DSN" -p s- -n "$SCALE_SMALL" -a scale-app -A "$SCALE_APPS" -g "$SCALE_GRANTS"
# The first identities cover every application: their first requests make
# the group keys, outside the measurement.
cover=$(( (SCALE_APPS + SCALE_GRANTS - 1) / SCALE_GRANTS ))
[ "$cover" -le "$SCALE_SMALL" ] || cover=$SCALE_SMALL
radload "$scale_port" -g "s-:1:$cover" -n "$cover" >/dev/null
# The same warm-up as before the large part: the connection pool grown.
radload "$scale_port" -g "s-:1:$SCALE_SMALL" -n "$SCALE_REQUESTS" >/dev/null
for r in $(seq 1 "$ROUNDS"); do
	measure "scale-$SCALE_SMALL" "$r" "$scale_pid" "$scale_port" -g "s-:1:$SCALE_SMALL" -n "$SCALE_REQUESTS"
done
t0=$(date +%s)
"$GEN" -d "$GKEY_ADMIN_DSN" -p s- -s $((SCALE_SMALL + 1)) -n $((SCALE_LARGE - SCALE_SMALL)) \
	-a scale-app -A "$SCALE_APPS" -g "$SCALE_GRANTS"
pg_rig_psql -q -c 'CHECKPOINT' >/dev/null
echo "scale: $SCALE_LARGE identities, $(pg_rig_psql -At -c 'SELECT count(*) FROM gkey.grant') grants in the database ($(( $(date +%s) - t0 )) s to load)"
# Every application's group key made (the first identities cover them
# all), then a warm-up spread over all identities.
cover=$(( (SCALE_APPS + SCALE_GRANTS - 1) / SCALE_GRANTS ))
[ "$cover" -le "$SCALE_LARGE" ] || cover=$SCALE_LARGE
radload "$scale_port" -g "s-:1:$cover" -n "$cover" >/dev/null
radload "$scale_port" -g "s-:1:$SCALE_LARGE" -n "$SCALE_REQUESTS" >/dev/null
for r in $(seq 1 "$ROUNDS"); do
	measure "scale-$SCALE_LARGE" "$r" "$scale_pid" "$scale_port" -g "s-:1:$SCALE_LARGE" -n "$SCALE_REQUESTS"
done
summary "scale-$SCALE_SMALL"
summary "scale-$SCALE_LARGE"
scale=$(awk -v a="$(median_col "scale-$SCALE_LARGE" 3)" -v b="$(median_col "scale-$SCALE_SMALL" 3)" \
	'BEGIN { printf "%.3f", a / b }')

# ---- revoke: two servers, every cache on; COMMIT to the first refusal on each
radiusd_rig_stop scale
gkey_server rv1
rv1_port=$RADIUS_PORT
gkey_server rv2
rv2_port=$RADIUS_PORT
commit=$RIG_DIR/commit
"$RADLOAD" -s "127.0.0.1:$rv1_port" -s "127.0.0.1:$rv2_port" -x "$secret" \
	-D "$GKEY_SRCDIR/raddb/dictionary.gkey" -g rv-:1:1 -W "$commit" -T 30 \
	> "$RIG_DIR/watch.out" 2> "$RIG_DIR/watch.err" &
watch=$!
rig_register "$watch"
rig_wait_for_line "$RIG_DIR/watch.err" '^radload: accepted by every server$' 20 "$watch" ||
	rig_fail "radload watch: $(cat "$RIG_DIR/watch.err")"
sleep 0.2	# both servers answering the identity from their caches
pg_rig_psql -At > "$commit.tmp" <<SQL
BEGIN;
SELECT gkey.revoke_identity(gkey.identity_id(sha256(convert_to('rv-1', 'UTF8'))), 'radius-bench revoke') \\g /dev/null
COMMIT;
SELECT extract(epoch FROM clock_timestamp());
SQL
mv "$commit.tmp" "$commit"
wait "$watch" || rig_fail "radload watch failed: $(cat "$RIG_DIR/watch.err")"
cat "$RIG_DIR/watch.out"
revoke=$(sed -n 's/^revoke-visible ms=\([0-9.-]*\)$/\1/p' "$RIG_DIR/watch.out")
[ -n "$revoke" ] || rig_fail "radload watch printed no revoke-visible line"

# ---- the crypto bound
# shellcheck disable=SC2086
sealout=$("$SEAL_BENCH" $SEAL_ARGS) || rig_fail "bench/seal-bench failed"
printf '%s\n' "$sealout" | sed 's/^RESULT /seal-bench: /'
seal_ratio() { printf '%s\n' "$sealout" | sed -n "s/^RESULT seal-$1 ratio=\([0-9.]*\) .*/\1/p"; }

awk -v f1="$f1" -v g1="$g1" -v f3="$f3" -v g3="$g3" -v c1="$c1" -v b="$bound" 'BEGIN {
	printf "RESULT warm-1app ratio=%.3f\n", g1 / f1
	printf "RESULT warm-3app ratio=%.3f\n", g3 / f3
	printf "RESULT cold-1app ratio=%.3f bound=%d\n", c1 / b, b }'
echo "RESULT seal-p256 ratio=$(seal_ratio p256)"
echo "RESULT seal-x25519 ratio=$(seal_ratio x25519)"
echo "RESULT scale p99_1M_over_1k=$scale"
echo "RESULT revoke-visible ms=$revoke"
