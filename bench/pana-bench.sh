#!/bin/bash
# PANA figures, measured in one run on this machine:
#  - full authentication time: RUNS authentications of the sensor with
#    pana-pac (EAP-TLS through the PAA to a private radiusd with rlm_gkey
#    and PostgreSQL, radiusd not in debug mode); the PAA logs each
#    authentication's time from PCI to PAN[C]; prints the median, and the
#    median of the whole pana-pac process (start, authenticate, terminate).
#  - relay throughput: tests/pana_inject bench sends N PCIs through the
#    relay to a sink that answers each, and prints messages per second
#    counted in both directions.
# Usage: bench/pana-bench.sh [RUNS [N]]   Needs a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
n=${2:-200000}

. tests/rig/standalone.sh
make -s tests/pana_inject pana-relayd pana-pac >/dev/null
rig_init
rig_full_start --no-debug --eap
sql_admin "SELECT gkey.create_application('home-energy')" >/dev/null
enroll sensor iot home-energy >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "none"}'; }

PAA_PORT=$(rig_free_port udp)
relayd paa "$(paa_conf "$PAA_PORT" bench-paa)"

: > "$RIG_DIR/process.ms"
for _ in $(seq 1 "$runs"); do
	s=$(date +%s%N)
	pac "$PAA_PORT" sensor --once > /dev/null
	e=$(date +%s%N)
	echo $(( (e - s) / 1000000 )) >> "$RIG_DIR/process.ms"
done
auth=$(sed -n 's/.*authenticated .* \([0-9][0-9]*\) ms$/\1/p' "$RIG_DIR/paa.log" | median)
proc=$(median < "$RIG_DIR/process.ms")
echo "full authentication (PCI to PAN[C], EAP-TLS, $runs runs): median $auth ms at the PAA; whole pana-pac run median $proc ms"

RELAY_PORT=$(rig_free_port udp)
SINK_PORT=$(rig_free_port udp)
relayd relay "role relay
relay-listen 127.0.0.1 $RELAY_PORT
relay-paa 127.0.0.1 $SINK_PORT"
echo "relay throughput: $("$PANA_INJECT" bench "$RELAY_PORT" "$SINK_PORT" "$n")"
