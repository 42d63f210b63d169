#!/bin/bash
# Access-Requests per second: rlm_gkey (with its record cache, and with
# the cache off so that every answer is sealed anew) against the same
# FreeRADIUS answering from its `files` module with a reply of the same
# size, measured side by side in one run (alternating rounds, same
# machine, same radclient load). Prints each round and the ratios of the
# medians.
#
# Needs a built tree (bash scripts/build.sh). Both servers run without
# debug output.
#
# Then the cold workload: COLD_IDENTITIES identities enrolled at once
# (alternately P-256 and X25519 keys, one application each), each asked
# once per round by fingerprint from the cache-less server, so that every
# answer is a lookup and a fresh seal. It prints requests per second and
# "RESULT cold-1app ratio=R bound=B": B is what sealing alone would allow,
# RADIUSD_CORES (default: all cores) divided by the mean seal cost that
# bench/seal-bench measures in the same run, and R the measured rate over
# B. radclient shares the cores, so R well below 1 is expected here.
#
# Usage: bench/radius-bench.sh [REQUESTS_PER_ROUND [ROUNDS [PARALLEL
#        [COLD_IDENTITIES]]]]
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-4000}
rounds=${2:-3}
par=${3:-50}
cold=${4:-2000}
cores=${RADIUSD_CORES:-$(nproc)}
[ -x bench/seal-bench ] || make -s bench/seal-bench >/dev/null

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

# ---- cold: many identities, every answer sealed anew
# One statement enrolls them all through the shipped functions; the keys
# are real (the seal needs them), the certificates behind the
# fingerprints are not (the module looks identities up by fingerprint).
spki_hex() {
	openssl genpkey "$@" 2>/dev/null | openssl pkey -pubout -outform DER | od -An -v -tx1 | tr -d ' \n'
}
p256_spki=$(spki_hex -algorithm EC -pkeyopt ec_paramgen_curve:P-256)
x25519_spki=$(spki_hex -algorithm X25519)
sql_admin "SELECT count(gkey.grant(gkey.enroll(sha256(convert_to('cold-' || i, 'UTF8')), 'CN=cold bench',
		to_hex(i), 'CN=cold-' || i,
		CASE WHEN i % 2 = 0 THEN '\\x$p256_spki'::bytea ELSE '\\x$x25519_spki'::bytea END,
		now() - interval '1 day', now() + interval '365 days', 'iot'), 'home-energy'))
	FROM generate_series(1, $cold) AS i" >/dev/null
cold_req=$RIG_DIR/cold-requests
sql_admin "SELECT encode(sha256(convert_to('cold-' || i, 'UTF8')), 'hex') FROM generate_series(1, $cold) AS i" |
	while read -r fp; do
		printf 'Service-Type = Authorize-Only, Message-Authenticator = 0x00, NAS-Identifier = bench, GKey-Cert-SHA256 = 0x%s\n\n' "$fp"
	done > "$cold_req"

cold_run() {
	local start end ok
	start=$(date +%s.%N)
	"$RADCLIENT" -q -s -c 1 -p "$par" -t 5 -r 3 -f "$cold_req" -d "$RIG_DIR/main/raddb" \
		"127.0.0.1:$nocache_port" auth "$RADIUS_SECRET" > "$RIG_DIR/rc.out" 2>&1 || true
	end=$(date +%s.%N)
	ok=$(sed -n "s/^[[:space:]]*Accepted[[:space:]]*: *\([0-9]*\).*/\1/p" "$RIG_DIR/rc.out" | head -n 1)
	awk -v ok="${ok:-0}" -v s="$start" -v e="$end" 'BEGIN { printf "%d %.1f\n", ok, ok / (e - s) }'
}

echo "cold: $cold identities (P-256 and X25519), one application, parallel: $par"
c=() s=()
for r in $(seq 1 "$rounds"); do
	set -- $(cold_run); c+=("$2")
	printf 'round %d cold, no cache:    %5d accepted, %8.0f req/s\n' "$r" "$1" "$2"
	[ "$1" -eq "$cold" ] || rig_fail "cold round $r: $1 of $cold accepted"
	# The seal cost in the same run, between the rounds (P-256 and X25519).
	seal=$(bench/seal-bench -n 200 -r 3 | awk '/^RESULT seal-(p256|x25519) / {
		for (i = 1; i <= NF; i++) if ($i ~ /^seal_us=/) { sub(/seal_us=/, "", $i); t += $i; n++ } }
		END { if (n == 2) printf "%.1f", t / n }')
	[ -n "$seal" ] || rig_fail "bench/seal-bench printed no seal cost"
	s+=("$seal")
	printf 'round %d seal (mean of both curves): %.1f us\n' "$r" "$seal"
done
cm=$(median "${c[@]}") sm=$(median "${s[@]}")
awk -v c="$cm" -v s="$sm" -v k="$cores" 'BEGIN {
	b = k * 1e6 / s
	printf "median cold %.0f req/s; seal %.1f us on %d cores bounds it at %.0f req/s\n", c, s, k, b
	printf "RESULT cold-1app ratio=%.3f bound=%.0f\n", c / b, b }'
