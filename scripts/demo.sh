#!/bin/bash
# The gkey demo on one machine: builds gkey, starts a private PostgreSQL
# and a private FreeRADIUS with rlm_gkey on loopback, creates an
# application, enrolls a phone and a sensor, and shows both receiving the
# same group key, each sealed to its own public key. Everything runs
# under a temporary directory that is removed at the end (RIG_KEEP=1
# keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building gkey (installs missing Debian packages first)"
bash scripts/build.sh >/dev/null

export GKEY_SRCDIR=$PWD GKEY_BUILDDIR=$PWD
FREERADIUS=$(command -v freeradius || echo /usr/sbin/freeradius)
RADCLIENT=$(command -v radclient || echo /usr/bin/radclient)
export FREERADIUS RADCLIENT
. tests/rig/common.sh
. tests/rig/pg.sh
. tests/rig/radiusd.sh
. tests/rig/gkey.sh
rig_init

echo "== starting PostgreSQL and FreeRADIUS with rlm_gkey under $RIG_DIR"
rig_full_start --no-debug
echo "   PostgreSQL on 127.0.0.1:$PGPORT, FreeRADIUS on 127.0.0.1:$RADIUS_PORT"

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

echo "== the sensor's keys, asked the same way"
out=$(ask sensor)
echo "$out" | unwrap sensor | sed 's/^/   /'
sensor_gk=$(echo "$out" | gk_of sensor home-energy)

if [ -n "$phone_gk" ] && [ "$phone_gk" = "$sensor_gk" ]; then
	echo "== phone and sensor hold the same home-energy group key"
else
	echo "== MISMATCH: phone and sensor got different keys" >&2
	exit 1
fi
