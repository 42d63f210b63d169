#!/bin/bash
# The gkey demo on one machine: builds gkey, starts a private PostgreSQL,
# a private FreeRADIUS with rlm_gkey and EAP-TLS, a PANA authentication
# agent (PAA) and a PANA relay, all on loopback; creates an application,
# enrolls a phone and a sensor, and shows both receiving the same group
# key: the phone through its access router's RADIUS request, the sensor
# through PANA and EAP-TLS via the relay, each sealed to its own public
# key. Everything runs under a temporary directory that is removed at the
# end (RIG_KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building gkey (installs missing Debian packages first)"
bash scripts/build.sh >/dev/null

. tests/rig/standalone.sh
rig_init

echo "== starting PostgreSQL and FreeRADIUS with rlm_gkey and EAP-TLS under $RIG_DIR"
rig_full_start --no-debug --eap
echo "   PostgreSQL on 127.0.0.1:$PGPORT, FreeRADIUS on 127.0.0.1:$RADIUS_PORT"

PAA_PORT=$(rig_free_port udp)
RELAY_PORT=$(rig_free_port udp)
# The PAA takes PANA-Relay only from this relay, with this relay key.
RELAY_KEY=$(openssl rand -hex 16)
relayd paa "$(paa_conf "$PAA_PORT" demo-paa "relay-peer 127.0.0.1 $RELAY_KEY")"
relayd relay "role relay
relay-listen 127.0.0.1 $RELAY_PORT
relay-paa 127.0.0.1 $PAA_PORT $RELAY_KEY"
echo "   PANA: PAA on 127.0.0.1:$PAA_PORT, relay on 127.0.0.1:$RELAY_PORT"

echo "== creating the application home-energy and enrolling two certificates"
sql_admin "SELECT gkey.create_application('home-energy')" >/dev/null
enroll phone user home-energy >/dev/null
enroll sensor iot home-energy >/dev/null
psql "$GKEY_ADMIN_DSN" -X -q -c "SELECT a.id, a.name, a.gk_alg, a.key_lifetime FROM gkey.application a"
psql "$GKEY_ADMIN_DSN" -X -q -c "SELECT i.id, i.kind, i.subject, i.issuer, i.serial, i.status, a.name AS application
	FROM gkey.identity i JOIN gkey.grant g ON g.identity_id = i.id JOIN gkey.application a ON a.id = g.app_id ORDER BY i.id"

echo "== the phone's access router asks for its keys (radclient, Service-Type = Authorize-Only)"
out=$(ask phone)
echo "$out" | grep -E 'Received|GKey-Key-Record|Session-Timeout' | sed 's/^/   /'
echo "   the phone opens its record with its private key:"
echo "$out" | unwrap phone | sed 's/^/   /'
phone_gk=$(echo "$out" | gk_of phone home-energy)

echo "== the sensor joins with PANA and EAP-TLS through the relay (pana-pac)"
out=$(pac "$RELAY_PORT" sensor --once)
echo "$out" | sed 's/^/   /'
grep -h 'authenticated' "$RIG_DIR/paa.log" | sed 's/^/   PAA: /'
sensor_gk=$(echo "$out" | app_gk home-energy)

if [ -n "$phone_gk" ] && [ "$phone_gk" = "$sensor_gk" ]; then
	echo "== phone and sensor hold the same home-energy group key"
else
	echo "== MISMATCH: phone and sensor got different keys" >&2
	exit 1
fi
