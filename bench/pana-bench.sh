#!/bin/bash
# PANA figures, measured in one run on this machine:
#  - full authentication time: RUNS authentications of the sensor with
#    pana-pac (EAP-TLS through the PAA to a private radiusd with rlm_gkey
#    and PostgreSQL, radiusd not in debug mode); the PAA logs each
#    authentication's time from PAN[S] to PAN[C]; prints the median, and the
#    median of the whole pana-pac process (start, authenticate, terminate).
#  - the join against bare EAP-TLS: in the same loop, one run each time,
#    eap_tls_client (tests/eap_tls_client.c: the same EAP-TLS peer and
#    RADIUS client, no PANA) authenticates the same sensor certificate
#    straight to the same radiusd; prints both medians side by side and
#    their ratio (PANA join at the PAA / bare EAP-TLS), target <= 1.5.
#    The PAA's time runs from the PAN[S] that creates the session (the
#    start is stateless, doc/pana.md 4.1.1) to PAN[C]; eap_tls_client's
#    from its first Access-Request to the Access-Accept.
#  - relay throughput: tests/pana_inject bench sends N PCIs through the
#    relay to a sink that answers each, and prints messages per second
#    counted in both directions.
# Usage: bench/pana-bench.sh [RUNS [N]]   Needs a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
n=${2:-200000}

. tests/rig/standalone.sh
make -s tests/pana_inject pana-relayd pana-pac eap_tls_client >/dev/null
rig_init
rig_full_start --no-debug --eap
sql_admin "SELECT gkey.create_application('home-energy')" >/dev/null
enroll sensor iot home-energy >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "none"}'; }

PAA_PORT=$(rig_free_port udp)
relayd paa "$(paa_conf "$PAA_PORT" bench-paa)"

eap_tls() {
	./eap_tls_client --server "127.0.0.1:$RADIUS_PORT" --secret "$RADIUS_SECRET" \
		--dict-file raddb/dictionary.gkey --ca "$RIG_PKI/ca.pem" --tls13 \
		--identity sensor --cert "$RIG_PKI/sensor.pem" --key "$RIG_PKI/sensor.key"
}

: > "$RIG_DIR/process.ms"
: > "$RIG_DIR/eap.ms"
for _ in $(seq 1 "$runs"); do
	s=$(date +%s%N)
	pac "$PAA_PORT" sensor --once > /dev/null
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 )) >> "$RIG_DIR/process.ms"
	eap_tls | sed -n 's/^time_ms=//p' >> "$RIG_DIR/eap.ms"
done
auth=$(sed -n 's/.*authenticated .* \([0-9][0-9]*\) ms$/\1/p' "$RIG_DIR/paa.log" | median)
proc=$(median < "$RIG_DIR/process.ms")
eap=$(median < "$RIG_DIR/eap.ms")
[ "$(wc -l < "$RIG_DIR/eap.ms")" = "$runs" ] || { echo "eap_tls_client failed" >&2; exit 1; }
echo "full PANA join (EAP-TLS, $runs runs): median $auth ms at the PAA (PAN[S] to PAN[C], ms resolution); whole pana-pac run median $proc ms"
echo "bare EAP-TLS over RADIUS (eap_tls_client, same certificate and server, $runs runs): median $eap ms"
echo "RESULT join ratio=$(awk -v a="$auth" -v b="$eap" 'BEGIN { printf "%.2f", a / b }') pana_ms=$auth eap_tls_ms=$eap target=1.5"

RELAY_PORT=$(rig_free_port udp)
SINK_PORT=$(rig_free_port udp)
relayd relay "role relay
relay-listen 127.0.0.1 $RELAY_PORT
relay-paa 127.0.0.1 $SINK_PORT"
echo "relay throughput: $("$PANA_INJECT" bench "$RELAY_PORT" "$SINK_PORT" "$n")"
