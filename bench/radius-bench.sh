#!/bin/bash
# Access-Requests per second: rlm_gkey (with its record cache, and with
# the cache off so that every answer is sealed anew) against the same
# FreeRADIUS answering from its `files` module with a reply of the same
# size, measured side by side in one run (alternating rounds, same
# machine, same radclient load). Prints each round and the ratios of the
# medians.
#
# Usage: bench/radius-bench.sh [REQUESTS_PER_ROUND [ROUNDS [PARALLEL]]]
# Needs a built tree (bash scripts/build.sh). Both servers run without
# debug output.
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-4000}
rounds=${2:-3}
par=${3:-50}

. tests/rig/standalone.sh
rig_init
rig_full_start --no-debug
gkey_port=$RADIUS_PORT

sql_admin "SELECT gkey.create_application('home-energy')" >/dev/null
enroll phone user home-energy >/dev/null

# The baseline: the same server answering every request from `files`
# with one 152-octet record, the size rlm_gkey sends here.
record=$(ask phone | key_record)
[ -n "$record" ] || rig_fail "rlm_gkey gave no record"
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
printf 'DEFAULT Auth-Type := Accept\n\tGKey-Key-Record = 0x%s,\n\tSession-Timeout = 86400\n' "$record" \
	> "$RADIUS_DIR/raddb/mods-config/files/authorize"
printf 'files {\n\tfilename = ${modconfdir}/files/authorize\n}\n' > "$RADIUS_DIR/raddb/mods-enabled/files"
radiusd_rig_run files --no-debug
files_port=$RADIUS_PORT

# rlm_gkey with record_cache_size = 0: every record sealed anew.
radiusd_rig_config nocache
sed -i 's/^\([[:space:]]*record_cache_size = \).*/\10/' "$RADIUS_DIR/raddb/mods-enabled/gkey"
radiusd_rig_run nocache --no-debug
grep -q 'record_cache_size 0' "$RADIUS_LOG" || rig_fail "the cache-less server did not start"
nocache_port=$RADIUS_PORT

# radclient spreads -p only over distinct requests: one file of $par
# identical requests, each sent total/par times.
req=$RIG_DIR/requests
line="Service-Type = Authorize-Only, Message-Authenticator = 0x00, NAS-Identifier = bench, GKey-Certificate = 0x$(der_hex "$RIG_PKI/phone.pem")"
: > "$req"
for _ in $(seq 1 "$par"); do printf '%s\n\n' "$line" >> "$req"; done
count=$(( total / par ))

run() {
	local port=$1 start end ok
	start=$(date +%s.%N)
	"$RADCLIENT" -q -s -c "$count" -p "$par" -t 5 -r 3 -f "$req" -d "$RIG_DIR/main/raddb" \
		"127.0.0.1:$port" auth "$RADIUS_SECRET" > "$RIG_DIR/rc.out" 2>&1 || true
	end=$(date +%s.%N)
	ok=$(sed -n "s/^[[:space:]]*Accepted[[:space:]]*: *\([0-9]*\).*/\1/p" "$RIG_DIR/rc.out" | head -n 1)
	awk -v ok="${ok:-0}" -v s="$start" -v e="$end" 'BEGIN { printf "%d %.1f\n", ok, ok / (e - s) }'
}

echo "requests per round: $(( count * par )), parallel: $par"
g=() n=() f=()
for r in $(seq 1 "$rounds"); do
	set -- $(run "$gkey_port"); g+=("$2"); printf 'round %d rlm_gkey:          %5d accepted, %8.0f req/s\n' "$r" "$1" "$2"
	set -- $(run "$nocache_port"); n+=("$2"); printf 'round %d rlm_gkey, no cache: %5d accepted, %8.0f req/s\n' "$r" "$1" "$2"
	set -- $(run "$files_port"); f+=("$2"); printf 'round %d files:             %5d accepted, %8.0f req/s\n' "$r" "$1" "$2"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
gm=$(median "${g[@]}") nm=$(median "${n[@]}") fm=$(median "${f[@]}")
awk -v g="$gm" -v n="$nm" -v f="$fm" 'BEGIN {
	printf "median rlm_gkey %.0f req/s, rlm_gkey without cache %.0f req/s, files %.0f req/s\n", g, n, f
	printf "ratio rlm_gkey/files %.3f, rlm_gkey without cache/files %.3f\n", g / f, n / f }'
