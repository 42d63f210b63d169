#!/bin/bash
# Usage: bash bench/push-bench.sh [--smoke] [ROTATIONS]   (as root; default 60)
#
# Push on change end to end (doc/push.md, doc/coa.md), every part real:
# the chain of tests/rig/push.sh (PostgreSQL, radiusd with rlm_gkey and
# EAP-TLS, gkey-pushd, gkey-ard with gkey-noded, the phone, in a network
# namespace over a veth pair, pana-relayd as PAA with two pana-pac that
# stay running: sensor and sensor2).  ROTATIONS times an operator's
# `SELECT gkey.rotate('home-energy', interval '0')`, 1.5 s apart
# (PUSH_BENCH_GAP), each pushed to all three nodes: 3 pushes a rotation,
# 180 with the default. The grace of 0 ends the previous epoch at the
# rotation. With the application's own overlap (1 hour) every epoch of
# the run would stay valid and be sent again in each answer, which then
# outgrows a RADIUS packet (4096 octets) after about twenty rotations;
# with a grace shorter than the gap but above 0 the answer's
# Session-Timeout (the earliest not_after, doc/radius.md section 6) ends
# the PANA sessions before the next push.
# gkey-pushd runs with its defaults (push-window 0.5 s, which spreads the
# pushes of a rotation at random over it; PUSH_BENCH_WINDOW sets another).
#
# Latency of one push: from the rotation's COMMIT, taken as the client's
# wall clock right after COMMIT returned (date +%s%3N run by the same psql
# after COMMIT: the NOTIFY leaves at COMMIT, a little before that), to the
# first time the node shows the new epoch: the phone's key file (written
# by gkey-noded with rename), a pana-pac's output (its key lines), both
# polled every 5 ms by tests/push-tools.py.  Printed per path (nd: the
# phone; pana: the sensors) and overall: p50, p99 and max, and last
#
#   RESULT push p50_ms=X p99_ms=Y n=N
#
# Sizes: a capture socket on lo and the AR's veth (tests/push-tools.py
# cap) sees every datagram of the run after set-up; printed as
# "SIZE <message> <octets> ...": CoA-Request and CoA-NAK (to/from each
# DAS), the AR's re-fetch Access-Request and Access-Accept, the
# unsolicited RA, and per PANA re-authentication its PANA messages and the
# PAA's RADIUS exchange (count and octets).  --smoke: 3 rotations.
# The 1 s target is not judged here; a missed push (none within 5 s) fails
# the run.
set -euo pipefail
cd "$(dirname "$0")/.."
rotations=60
if [ "${1:-}" = --smoke ]; then rotations=3; shift; fi
rotations=${1:-$rotations}
case $rotations in '' | *[!0-9]* | 0) echo "usage: $0 [--smoke] [ROTATIONS]" >&2; exit 2 ;; esac
gap_ms=$(awk -v g="${PUSH_BENCH_GAP:-1.5}" 'BEGIN { printf "%d\n", g * 1000 }')

. tests/rig/standalone.sh
. tests/nd-rig.sh
. tests/rig/push.sh
command -v python3 >/dev/null || { echo "push-bench: python3 is needed" >&2; exit 1; }
nd_need_netns
rig_init
RELAYD_FLAGS="-d"
push_rig_start
pushd_start pushd ${PUSH_BENCH_WINDOW:+"push-window $PUSH_BENCH_WINDOW"}
push_watch_start
push_cap_start
echo "push-bench: $rotations rotations, ${gap_ms} ms apart; pushes to ph (ND), sensor, sensor2 (PANA)"

lat=$RIG_DIR/latency
: >"$lat"
missed=0
for i in $(seq 1 "$rotations"); do
	set -- $(push_commit "SELECT gkey.rotate('home-energy', interval '0')")
	e=$1 t0=$2
	for n in ph sensor sensor2; do
		until t=$(first_at "$n" "$e") && [ -n "$t" ]; do
			if [ $(( $(date +%s%3N) - t0 )) -ge 5000 ]; then
				echo "push-bench: rotation $i: $n did not show epoch $e within 5 s" >&2
				missed=$((missed + 1))
				t=""
				break
			fi
			sleep 0.02
		done
		if [ -n "$t" ]; then
			case $n in ph) path=nd ;; *) path=pana ;; esac
			echo "$path $n $e $((t - t0))" >>"$lat"
		fi
	done
	left=$(( gap_ms - ($(date +%s%3N) - t0) ))
	[ "$left" -le 0 ] || sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f\n", l / 1000 }')"
done
sleep 1	# the last answers into the capture

# stats LABEL < ms values: "LABEL p50 p99 max n" (nearest rank)
stats() {
	sort -n | awk -v label="$1" '{ v[++n] = $1 } END {
		if (n == 0) { print label, "n=0"; exit }
		p50 = v[int((n * 50 + 99) / 100)]; p99 = v[int((n * 99 + 99) / 100)]
		printf "%s p50_ms=%d p99_ms=%d max_ms=%d n=%d\n", label, p50, p99, v[n], n }'
}
echo "LATENCY (COMMIT returned to the node showing the new epoch)"
awk '$1 == "nd" { print $4 }' "$lat" | stats "  nd   (phone, gkey-ard, unsolicited RA)  "
awk '$1 == "pana" { print $4 }' "$lat" | stats "  pana (sensors, PAA re-authentication)"
awk '{ print $4 }' "$lat" | stats "  all                                     "

# Sizes from the capture (tests/push-tools.py cap line formats).
awk -v ard="$AR_DAS_PORT" -v pdas="$PAA_DAS_PORT" -v rad="$RADIUS_PORT" -v paa="$PAA_PORT" \
	-v arif="$ND_AR_IF" -v pushes_ar="$(awk '$1 == "nd"' "$lat" | wc -l)" \
	-v pushes_paa="$(awk '$1 == "pana"' "$lat" | wc -l)" '
function add(name, len) { cnt[name]++; sum[name] += len; vals[name, cnt[name]] = len }
function med(name,   n, i, j, t, a) {
	n = cnt[name]; for (i = 1; i <= n; i++) a[i] = vals[name, i]
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return a[int((n + 1) / 2)]
}
$3 == "udp" {
	code = substr($9, 1, 2)
	if ($7 == ard && code == "2b") add("coa-request-to-ar", $8)
	else if ($7 == pdas && code == "2b") add("coa-request-to-paa", $8)
	else if ($5 == ard && code == "2d") add("coa-nak-from-ar", $8)
	else if ($5 == pdas && code == "2d") add("coa-nak-from-paa", $8)
	else if ($7 == rad && code == "01") { who[$5] = ($10 == "ar-test") ? "ar" : "paa"; add(who[$5] "-access-request", $8) }
	else if ($5 == rad && ($7 in who)) {
		c = (code == "02") ? "access-accept" : (code == "0b") ? "access-challenge" : (code == "03") ? "access-reject" : "answer-" code
		add(who[$7] "-" c, $8)
	} else if ($5 == paa || $7 == paa) {
		flags = substr($9, 9, 4); type = substr($9, 13, 4)
		n = (type == "0002") ? "auth" : (type == "0004") ? "notification" : (type == "0001") ? "client-initiation" : (type == "0003") ? "termination" : "type-" type
		add("pana-" n ((substr(flags, 1, 1) ~ /[89a-f]/) ? "-request" : "-answer"), $8)
		add("pana-all", $8)
	}
}
$3 == "icmp6" && $2 == arif && $6 == 134 && $5 !~ /^ff02::/ { add("ra-unsolicited", $7) }
END {
	printf "SIZES (UDP payload or ICMPv6 message, octets; median of n)\n"
	split("coa-request-to-ar coa-nak-from-ar ar-access-request ar-access-accept ra-unsolicited " \
	      "coa-request-to-paa coa-nak-from-paa pana-auth-request pana-auth-answer " \
	      "paa-access-request paa-access-challenge paa-access-accept", order, " ")
	for (k = 1; k in order; k++) if (cnt[order[k]] > 0)
		printf "SIZE %s %d n=%d\n", order[k], med(order[k]), cnt[order[k]]
	for (k in cnt) if (k !~ /^(coa-|ar-access-(request|accept)$|ra-unsolicited$|pana-auth-|paa-access-(request|challenge|accept)$|pana-all$)/)
		printf "SIZE %s %d n=%d\n", k, med(k), cnt[k]
	if (pushes_ar > 0)
		printf "SIZE ra-per-push %d messages=%.1f\n", sum["ra-unsolicited"] / pushes_ar, cnt["ra-unsolicited"] / pushes_ar
	if (pushes_paa > 0) {
		printf "SIZE pana-reauth-per-push %d messages=%.1f\n", sum["pana-all"] / pushes_paa, cnt["pana-all"] / pushes_paa
		r = cnt["paa-access-request"] + cnt["paa-access-challenge"] + cnt["paa-access-accept"]
		o = sum["paa-access-request"] + sum["paa-access-challenge"] + sum["paa-access-accept"]
		printf "SIZE paa-radius-per-push %d messages=%.1f\n", o / pushes_paa, r / pushes_paa
	}
}' "$PUSH_CAP"

grep -h "done in" "$LOG_pushd" | tail -n 1 | sed 's/^/pushd: last epoch: /'
set -- $(awk '{ print $4 }' "$lat" | stats x)
echo "RESULT push ${2} ${3} ${5}"
if [ "$missed" -gt 0 ]; then
	echo "push-bench: $missed pushes missed" >&2
	exit 1
fi
