#!/bin/bash
# Usage: bash bench/nd-bench.sh [ITERATIONS]     (as root; default 20)
#
# The attach time of a user node over IPv6 Neighbor Discovery: gkey-noded
# in a network namespace, a veth pair to gkey-ard, which asks the rig's
# FreeRADIUS with rlm_gkey over PostgreSQL.  Each iteration starts a fresh
# gkey-noded (no keys held) and measures from its signed Router
# Solicitation ("RS sent") to its keys cached ("answer from": the records
# verified, opened and the key file written), both as the daemon logs
# them, stamped as the lines arrive.  Side by side, the anchor: the same
# phone's Authorize-Only sent with radclient straight to FreeRADIUS,
# timed from "Sent Access-Request" to "Received Access-Accept" the same
# way, so that the ratio shows what ND, the signatures and the router add.
# Prints the median and p90 of each, the message sizes (the RS with a
# P-256 certificate; the RAs for a phone enrolled in 1, 3 and 8
# applications), and last:
#
#   RESULT nd-attach median_ms=T ratio=R
#
# T is the ND attach median in ms, R = T / the radclient median.
#
# Needs a built tree (bash scripts/build.sh; tests/nd_peer comes from
# `make check` or `make tests/nd_peer`), root and network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-20}
case $iterations in '' | *[!0-9]* | 0) echo "usage: $0 [ITERATIONS]" >&2; exit 2 ;; esac

. tests/rig/standalone.sh
. tests/nd-rig.sh
if [ ! -x "$ND_PEER" ]; then
	echo "nd-bench: $ND_PEER is missing: make tests/nd_peer" >&2
	exit 1
fi
nd_need_netns
rig_init
rig_full_start --no-debug
nd_pki
nd_link

# Phones enrolled in 1, 3 and 8 applications (the rig's phone, sensor and
# sensor2 certificates, all enrolled as kind user).
sql_admin "SELECT gkey.create_application('home-energy')" >/dev/null
apps=""
for i in 1 2 3 4 5 6 7; do
	sql_admin "SELECT gkey.create_application('app-$i')" >/dev/null
	apps="$apps app-$i"
done
enroll phone user home-energy >/dev/null
# shellcheck disable=SC2086
enroll sensor user home-energy app-1 app-2 >/dev/null
# shellcheck disable=SC2086
enroll sensor2 user home-energy $apps >/dev/null

ard ar "rate-per-source 1000 1000
ra-prefix 2001:db8:1::/64"

# stamp: each line of stdin prefixed with the time it arrived (seconds,
# microseconds).
stamp() {
	local l
	while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done
}
# ms_between FILE FIRST-REGEX SECOND-REGEX: milliseconds from the first
# line matching FIRST to the first later one matching SECOND.
ms_between() {
	awk -v a="$2" -v b="$3" '
		t0 == "" && $0 ~ a { t0 = $1; next }
		t0 != "" && $0 ~ b { printf "%.3f\n", ($1 - t0) * 1000; found = 1; exit }
		END { if (!found) exit 1 }' "$1"
}
# stats: "median p90" of the numbers on stdin.
stats() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (NR == 0) exit 1
		p = int(NR * 0.9 + 0.999999); if (p > NR) p = NR
		printf "%.2f %.2f\n", a[int((NR + 1) / 2)], a[p] }'
}

# --- message sizes, from tests/nd_peer (one RS, the RAs it gets back)
echo "== message sizes (octets of IPv6 packet, at most 1280; tests/nd_peer's RS, gkey-ard's RAs)"
for n in 1:phone 3:sensor 8:sensor2; do
	count=${n%%:*} node=${n#*:}
	out=$(in_phone "$ND_PEER" -i "$ND_PH_IF" -c "$RIG_PKI/$node.pem" -k "$RIG_PKI/$node.key" -w 1500)
	got=$(echo "$out" | grep -c '^record ' || true)
	[ "$got" = "$count" ] || rig_fail "$node: $got records, not $count: $out"
	if [ "$count" = 1 ]; then
		echo "   RS from tests/nd_peer, P-256 certificate ($(openssl x509 -in "$RIG_PKI/$node.pem" -outform DER | wc -c)-octet DER): $(echo "$out" | sed -n 's/^rs-size //p')"
	fi
	echo "   RA for $count record(s): $(echo "$out" |
		sed -n 's/^ra part=\([^ ]*\) size=\([0-9]*\) records=\([0-9]*\) .*/part \1 \2 (\3 records)/p' |
		paste -sd ',' | sed 's/,/, /g')"
done

# --- the attach time over ND: a fresh gkey-noded each time
kdir=$RIG_DIR/bench-keys
mkdir -m 0700 "$kdir"
conf=$RIG_DIR/bench-noded.conf
cat > "$conf" <<CONF
interface $ND_PH_IF
certificate $RIG_PKI/phone.pem
private-key $RIG_PKI/phone.key
trust-anchor $ND_PKI/ar-ca.pem
key-server $RIG_PKI/ks-p256.pub.pem
key-server $RIG_PKI/ks-x25519.pub.pem
key-file $kdir/keys
answer-wait-ms 1500
CONF
nd_ms=()
echo "== attach over ND: gkey-noded's RS to its keys cached, $iterations runs"
for i in $(seq 1 "$iterations"); do
	rm -f "$kdir/keys"
	log=$RIG_DIR/bench-noded.$i.log
	ip netns exec "$ND_NS" "$GKEY_NODED" -d -v -f "$conf" 2> >(stamp > "$log") &
	pid=$!
	rig_register "$pid"
	if ! rig_wait_for_line "$log" ' answer from ' 10 "$pid"; then
		cat "$log" >&2
		rig_fail "gkey-noded got no answer in run $i"
	fi
	rig_kill_pid "$pid"
	wait "$pid" 2>/dev/null || true
	grep -q '^app=home-energy ' "$kdir/keys" || rig_fail "run $i: no key in the key file"
	nd_ms+=("$(ms_between "$log" ' RS sent ' ' answer from ')")
done

# --- the anchor: the same Authorize-Only through radclient, straight
rc_ms=()
# radclient's stdout to a pipe is block-buffered: line-buffer it, so
# that each line is stamped when radclient prints it.
rc_lb=$RIG_DIR/radclient-lb
printf '#!/bin/sh\nexec stdbuf -oL -eL %s "$@"\n' "$RADCLIENT" > "$rc_lb"
chmod +x "$rc_lb"
echo "== anchor: the phone's Authorize-Only with radclient to FreeRADIUS, $iterations runs"
for i in $(seq 1 "$iterations"); do
	log=$RIG_DIR/bench-rc.$i.log
	RADCLIENT=$rc_lb ask phone 2>&1 | stamp > "$log"
	grep -q 'Received Access-Accept' "$log" || { cat "$log" >&2; rig_fail "radclient run $i: no Access-Accept"; }
	rc_ms+=("$(ms_between "$log" 'Sent Access-Request' 'Received Access-Accept')")
done

rs=$(sed -n 's/.* RS sent (\([0-9]*\) octets).*/\1/p' "$RIG_DIR/bench-noded.1.log" | head -n 1)
echo "   gkey-noded's RS (P-256 certificate): $(( rs + 40 )) octets of IPv6 packet ($rs of ICMPv6)"
read -r nd_med nd_p90 <<EOF
$(printf '%s\n' "${nd_ms[@]}" | stats)
EOF
read -r rc_med rc_p90 <<EOF
$(printf '%s\n' "${rc_ms[@]}" | stats)
EOF
echo "   ND attach (RS -> keys cached): median $nd_med ms, p90 $nd_p90 ms"
echo "   radclient Authorize-Only:       median $rc_med ms, p90 $rc_p90 ms"
ratio=$(awk -v a="$nd_med" -v b="$rc_med" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "inf" }')
echo "RESULT nd-attach median_ms=$nd_med ratio=$ratio"
