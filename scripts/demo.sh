#!/bin/bash
# The gkey demo on one machine: builds gkey, starts a private PostgreSQL,
# a private FreeRADIUS with rlm_gkey and EAP-TLS, a PANA authentication
# agent (PAA) and a PANA relay, all on loopback; creates an application,
# enrolls a phone and a sensor, and shows both receiving the same group
# key, each sealed to its own public key: the phone over IPv6 Neighbor
# Discovery (gkey-noded in a network namespace of its own, a veth pair to
# the access router's side where gkey-ard asks RADIUS), the sensor through
# PANA and EAP-TLS via the relay.  Without network namespaces (not root)
# the phone's access router request is made with radclient instead.
# Everything runs under a temporary directory that is removed at the end
# (RIG_KEEP=1 keeps it), and the namespace and veth pair are deleted, on
# failure too.  With namespaces the demo ends with push on change
# (doc/push.md): gkey-pushd and the DAS of gkey-ard and the PAA
# (doc/coa.md) run from the start; an operator revokes a third node, the
# phone and the sensor get the new epoch pushed, and the phone verifies
# the sensor's next reading under it.
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
# The DAS of the PAA and of gkey-ard, for the push at the end: the key
# server (127.0.0.1) is their das-client.
PAA_DAS_PORT=$(rig_free_port udp)
PAA_DAS_SECRET=$(openssl rand -hex 16)
AR_DAS_PORT=$(rig_free_port udp)
AR_DAS_SECRET=$(openssl rand -hex 16)
relayd paa "$(paa_conf "$PAA_PORT" demo-paa "relay-peer 127.0.0.1 $RELAY_KEY" \
	"das-listen 127.0.0.1 $PAA_DAS_PORT" "das-client 127.0.0.1 $PAA_DAS_SECRET")"
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

# The ND path needs root and working network namespaces.
nd_why=""
if [ "$(id -u)" != 0 ]; then
	nd_why="not running as root"
elif ! command -v ip >/dev/null; then
	nd_why="no ip command"
elif ! ip netns add "gkdemo$$" 2>/dev/null; then
	nd_why="ip netns add does not work here"
else
	ip netns del "gkdemo$$"
fi

if [ -z "$nd_why" ]; then
	. tests/nd-rig.sh
	echo "== the phone joins over IPv6 Neighbor Discovery (gkey-noded -> gkey-ard -> RADIUS)"
	nd_pki
	nd_link
	echo "   a veth pair: $ND_PH_IF in the phone's namespace $ND_NS, $ND_AR_IF on the access router's side"
	ard ar "ra-prefix 2001:db8:1::/64
user nobody
das-listen 127.0.0.1 $AR_DAS_PORT
das-client 127.0.0.1 $AR_DAS_SECRET"
	# gkey-noded drops to nobody; its key file's directory is nobody's.
	mkdir -m 0700 "$RIG_DIR/phone-keys"
	chown nobody "$RIG_DIR/phone-keys"
	noded ph phone "user nobody
key-file $RIG_DIR/phone-keys/keys"
	KEYS_ph=$RIG_DIR/phone-keys/keys
	echo "   gkey-ard on $ND_AR_IF, gkey-noded in $ND_NS; waiting for the phone's key file"
	if ! rig_wait_for_line "$KEYS_ph" '^app=home-energy ' 10 "$PID_ph"; then
		sed 's/^/   gkey-noded: /' "$LOG_ph" >&2
		sed 's/^/   gkey-ard: /' "$LOG_ar" >&2
		echo "== FAILED: gkey-noded got no key" >&2
		exit 1
	fi
	# The exchange as the daemons log it (sed: no match is no output).
	sed -n '/^RS sent/{s/^/   gkey-noded: /;p;q}' "$LOG_ph"
	sed -n '/RS verified\|accepted,/s/^/   gkey-ard:   /p' "$LOG_ar"
	sed -n '/^answer from/s/^/   gkey-noded: /p' "$LOG_ph"
	echo "   the phone's key file ($KEYS_ph):"
	sed 's/^/   /' "$KEYS_ph"
	phone_gk=$(app_gk home-energy < "$KEYS_ph")
else
	echo "== network namespaces unavailable ($nd_why):"
	echo "   the phone's access router request is made with radclient instead"
	out=$(ask phone)
	echo "$out" | grep -E 'Received|GKey-Key-Record|Session-Timeout' | sed 's/^/   /'
	echo "   the phone opens its record with its private key:"
	echo "$out" | unwrap phone | sed 's/^/   /'
	phone_gk=$(echo "$out" | gk_of phone home-energy)
fi

echo "== the sensor joins with PANA and EAP-TLS through the relay (pana-pac)"
if [ -z "$nd_why" ]; then
	# It stays running: the push at the end re-authenticates its session.
	PAC_OUT_sensor=$RIG_DIR/sensor.pac.out
	pac "$RELAY_PORT" sensor > "$PAC_OUT_sensor" 2> "$RIG_DIR/sensor.pac.err" &
	sensor_sh=$!
	rig_register "$sensor_sh"
	rig_wait_for_line "$PAC_OUT_sensor" '^app=home-energy ' 20 "$sensor_sh" ||
		rig_fail "the sensor did not join: $(cat "$RIG_DIR/sensor.pac.err")"
	# pac is a function: $sensor_sh is the subshell, pana-pac its child.
	sensor_pid=$(pgrep -P "$sensor_sh" | head -n 1)
	[ -n "$sensor_pid" ] && rig_register "$sensor_pid"
	out=$(cat "$PAC_OUT_sensor")
else
	out=$(pac "$RELAY_PORT" sensor --once)
fi
echo "$out" | sed 's/^/   /'
grep -h 'authenticated' "$RIG_DIR/paa.log" | sed 's/^/   PAA: /'
sensor_gk=$(echo "$out" | app_gk home-energy)

echo "   phone:  gk=${phone_gk:-(none)}"
echo "   sensor: gk=${sensor_gk:-(none)}"
if [ -n "$phone_gk" ] && [ "$phone_gk" = "$sensor_gk" ]; then
	echo "== phone and sensor hold the same home-energy group key"
else
	echo "== MISMATCH: phone and sensor got different keys" >&2
	exit 1
fi

# The GK in use: the sensor seals a reading under it (COSE_Encrypt0,
# doc/cose-message.md) with the key lines pana-pac printed, and the phone
# opens it with the key lines its own path gave it.
echo "== the sensor sends a reading sealed under the GK; the phone reads it"
printf '%s\n' "$out" > "$RIG_DIR/sensor.keys"
if [ -z "$nd_why" ]; then
	phone_keys=$KEYS_ph
else
	phone_keys=$RIG_DIR/phone.keys
	ask phone | unwrap phone > "$phone_keys"
fi
cose_port=$(rig_free_port udp)
"$GKEY_BUILDDIR/gkey-reader" --keys "$phone_keys" --port "$cose_port" \
	> "$RIG_DIR/reader.out" 2> "$RIG_DIR/reader.err" &
rig_register $!
rig_wait_for_line "$RIG_DIR/reader.err" '^gkey-reader: listening on port' 5 "$!" ||
	rig_fail "gkey-reader did not start: $(cat "$RIG_DIR/reader.err")"
"$GKEY_BUILDDIR/gkey-sensor" --keys "$RIG_DIR/sensor.keys" --app home-energy \
	--cert "$RIG_PKI/sensor.pem" --state "$RIG_DIR/sensor.seq" \
	--to "[::1]:$cose_port" --name sensor-1 --value 21.5 --unit Cel --once |
	sed 's/^/   sensor: /' || rig_fail "gkey-sensor could not send its reading"
if ! rig_wait_for_line "$RIG_DIR/reader.out" '^reading from ' 5; then
	sed 's/^/   gkey-reader: /' "$RIG_DIR/reader.err" >&2
	echo "== FAILED: the phone read no reading" >&2
	exit 1
fi
sed 's/^/   phone: /' "$RIG_DIR/reader.out"
echo "== the phone verified the sensor's reading under the GK both obtained by their own paths"

[ -z "$nd_why" ] || exit 0

# Push on change: the operator revokes a third node that holds the key;
# gkey-pushd, told by PostgreSQL, asks gkey-ard and the PAA (CoA-Request)
# to re-authorize the phone and the sensor, which then hold the new epoch.
echo "== push on change: an operator revokes a third node, gkey-pushd pushes the new epoch"
. tests/rig/push.sh
sensor2=$(enroll sensor2 iot home-energy)
PAC_OUT_sensor2=$RIG_DIR/sensor2.pac.out
pac "$RELAY_PORT" sensor2 --bind 127.0.0.2 --once > "$PAC_OUT_sensor2" ||
	rig_fail "the third node (sensor2) did not join"
e0=$(epoch_of sensor2)
echo "   sensor2 (identity $sensor2) joined through the relay; it holds epoch $e0, as the phone and the sensor do"
PUSH_AR_NAS=ar-test PUSH_PAA_NAS=demo-paa pushd_start pushd "push-window 0.2"
push_watch_start
echo "   gkey-pushd listens on gkey_change; the operator calls gkey.revoke_identity($sensor2, 'lost')"
set -- $(push_commit "SELECT gkey.revoke_identity($sensor2, 'lost')")
t0=$2
e1=$(sql_admin "SELECT max(g.epoch) FROM gkey.group_key g JOIN gkey.application a ON a.id = g.app_id WHERE a.name = 'home-energy'")
if ! rig_wait_until 5 "epoch $e1 at phone and sensor" sh -c \
	"[ -n \"\$(awk '\$2 == \"ph\" && \$3 >= $e1' '$PUSH_WATCH')\" ] && [ -n \"\$(awk '\$2 == \"sensor\" && \$3 >= $e1' '$PUSH_WATCH')\" ]"; then
	sed 's/^/   gkey-pushd: /' "$LOG_pushd" >&2
	echo "== FAILED: the new epoch $e1 was not pushed to both" >&2
	exit 1
fi
rig_wait_for_line "$LOG_pushd" "epoch $e1 done in" 5 "$PID_pushd" || true
sed -n "/epoch $e1 done in/s/^/   gkey-pushd: /p" "$LOG_pushd"
echo "   phone:  epoch $e1 pushed $(( $(first_at ph "$e1") - t0 )) ms after the COMMIT (gkey-ard, unsolicited signed RA)"
echo "   sensor: epoch $e1 pushed $(( $(first_at sensor "$e1") - t0 )) ms after the COMMIT (PAA-initiated PANA re-authentication)"
echo "   sensor2 (revoked): no push, still at epoch $(epoch_of sensor2)"

echo "== the sensor's next reading under epoch $e1; the phone reads it"
cat "$PAC_OUT_sensor" > "$RIG_DIR/sensor.keys"
"$GKEY_BUILDDIR/gkey-sensor" --keys "$RIG_DIR/sensor.keys" --app home-energy \
	--cert "$RIG_PKI/sensor.pem" --state "$RIG_DIR/sensor.seq" \
	--to "[::1]:$cose_port" --name sensor-1 --value 22 --unit Cel --once |
	sed 's/^/   sensor: /' || rig_fail "gkey-sensor could not send its reading"
if ! rig_wait_until 5 "a reading under epoch $e1" grep -q "^reading from .* epoch=$e1 " "$RIG_DIR/reader.out"; then
	sed 's/^/   gkey-reader: /' "$RIG_DIR/reader.err" >&2
	echo "== FAILED: the phone read no reading under epoch $e1" >&2
	exit 1
fi
grep "^reading from .* epoch=$e1 " "$RIG_DIR/reader.out" | sed 's/^/   phone: /'
echo "== the phone verified the sensor's reading under epoch $e1, pushed to both after the revocation"
