# The whole push chain (doc/push.md, doc/coa.md) for tests/push.test and
# bench/push-bench.sh; sourced after tests/rig/common.sh, pg.sh,
# radiusd.sh, gkey.sh and tests/nd-rig.sh, after rig_init and
# nd_need_netns.
#
# push_rig_start    PKI, PostgreSQL, radiusd "main" with rlm_gkey and
#                   EAP-TLS (PUSH_RADIUS_FLAGS, default --no-debug: threaded,
#                   as in production); application
#                   home-energy; phone, sensor and sensor2 enrolled (ids in
#                   ID_phone, ID_sensor, ID_sensor2); gkey-ard "ar"
#                   (NAS-Identifier ar-test) with das-listen on
#                   127.0.0.1:$AR_DAS_PORT and gkey-noded "ph" (the phone)
#                   in its namespace over the veth pair; pana-relayd "paa"
#                   as PAA (NAS-Identifier pana-paa) on 127.0.0.1:$PAA_PORT
#                   with das-listen on 127.0.0.1:$PAA_DAS_PORT; two pana-pac
#                   that stay running: the sensor from 127.0.0.1 (output in
#                   $PAC_OUT_sensor) and sensor2, the third node, from
#                   127.0.0.2 ($PAC_OUT_sensor2); all three hold the key.
#                   Both DAS take 127.0.0.1 (the key server) as das-client,
#                   each with its own secret ($AR_DAS_SECRET,
#                   $PAA_DAS_SECRET).
# pushd_start NAME [LINE...]  gkey-pushd as role gkey_push with a `nas`
#                   line for each NAS under the name the issuance log
#                   records (their NAS-Identifier: ar-test and pana-paa,
#                   or $PUSH_AR_NAS and $PUSH_PAA_NAS), then LINEs; its log is
#                   $LOG_<NAME> (-d -v: one line per CoA-Request), control
#                   socket $RIG_DIR/NAME.sock.
# push_commit SQL   runs SQL in a transaction; prints its (one-value)
#                   result and the wall clock in ms right after COMMIT
#                   returned to the client (date +%s%3N in the same psql,
#                   \! after COMMIT): "VALUE MS".
# push_watch_start  polls the phone's key file and both pana-pac outputs
#                   every 5 ms; $PUSH_WATCH gets "MS NAME EPOCH" lines
#                   (NAME ph, sensor, sensor2) whenever a node's epoch of
#                   home-energy grows.
# push_cap_start    a capture socket on lo and the AR's veth; $PUSH_CAP
#                   gets one line per datagram (tests/push-tools.py), the
#                   CoA-Requests to either DAS in full hex.
# epoch_of NAME     the highest home-energy epoch node NAME shows now.
# first_at NAME EPOCH  the ms at which NAME first showed EPOCH or more.

PUSH_TOOLS="python3 $GKEY_SRCDIR/tests/push-tools.py"
GKEY_PUSHD=${GKEY_PUSHD:-$GKEY_BUILDDIR/gkey-pushd}
GKEY_PUSHDCTL=${GKEY_PUSHDCTL:-$GKEY_BUILDDIR/gkey-pushdctl}
GKEY_ARDCTL=${GKEY_ARDCTL:-$GKEY_BUILDDIR/gkey-ardctl}
PANA_RELAYCTL=${PANA_RELAYCTL:-$GKEY_BUILDDIR/pana-relayctl}

push_rig_start() {
	# shellcheck disable=SC2086
	rig_full_start --eap ${PUSH_RADIUS_FLAGS:---no-debug}
	nd_pki
	nd_link
	sql_admin "SELECT gkey.create_application('home-energy')" >/dev/null
	ID_phone=$(enroll phone user home-energy)
	ID_sensor=$(enroll sensor iot home-energy)
	ID_sensor2=$(enroll sensor2 iot home-energy)
	[ -n "$ID_phone" ] && [ -n "$ID_sensor" ] && [ -n "$ID_sensor2" ] ||
		rig_fail "enrollment printed no identity id"

	AR_DAS_PORT=$(rig_free_port udp)
	AR_DAS_SECRET=ar-das-$$-$(openssl rand -hex 12)
	ard ar "das-listen 127.0.0.1 $AR_DAS_PORT
das-client 127.0.0.1 $AR_DAS_SECRET
control-socket $RIG_DIR/ar.sock"
	noded ph phone
	rig_wait_for_line "$KEYS_ph" '^app=home-energy ' 10 "$PID_ph" ||
		rig_fail "no key for the phone: $(tail -n 3 "$LOG_ph")"

	PAA_PORT=$(rig_free_port udp)
	PAA_DAS_PORT=$(rig_free_port udp)
	PAA_DAS_SECRET=paa-das-$$-$(openssl rand -hex 12)
	RELAYD_FLAGS=${RELAYD_FLAGS:--d -v}
	relayd paa "$(paa_conf "$PAA_PORT" pana-paa "das-listen 127.0.0.1 $PAA_DAS_PORT" \
		"das-client 127.0.0.1 $PAA_DAS_SECRET" "control-socket $RIG_DIR/paa.sock")"
	push_pac sensor 127.0.0.1
	push_pac sensor2 127.0.0.2
}

# push_pac NODE ADDRESS: a pana-pac for NODE from ADDRESS that stays
# running (no --once); its key lines in $PAC_OUT_<NODE>, its PID in
# PAC_PID_<NODE>.
push_pac() {
	local node=$1 out=$RIG_DIR/$1.pac.out pid
	PAC_FLAGS="--rt-ms 200 --timeout 60" pac "$PAA_PORT" "$node" --bind "$2" -v >"$out" 2>&1 &
	pid=$!
	rig_register "$pid"
	rig_wait_for_line "$out" '^app=home-energy ' 20 "$pid" ||
		rig_fail "pana-pac $node did not authenticate: $(cat "$out")"
	# pac is a function: $pid is the subshell, pana-pac its child.
	eval "PAC_OUT_$node=\$out PAC_PID_$node=\$(pgrep -P \$pid | head -n 1)"
	eval "[ -n \"\$PAC_PID_$node\" ]" || rig_fail "no pana-pac process under $pid"
	eval "rig_register \$PAC_PID_$node"
}

pushd_start() {
	local name=$1 conf=$RIG_DIR/$1.conf log=$RIG_DIR/$1.log pid
	shift
	{
		echo "database \"host=127.0.0.1 port=$PGPORT dbname=gkey user=gkey_push\""
		echo "radius-dictdir /usr/share/freeradius"
		echo "radius-dictionary $GKEY_SRCDIR/raddb/dictionary.gkey"
		echo "nas ${PUSH_AR_NAS:-ar-test} 127.0.0.1 $AR_DAS_PORT $AR_DAS_SECRET"
		echo "nas ${PUSH_PAA_NAS:-pana-paa} 127.0.0.1 $PAA_DAS_PORT $PAA_DAS_SECRET"
		echo "control-socket $RIG_DIR/$name.sock"
		printf '%s\n' "$@"
	} >"$conf"
	chmod 0600 "$conf"	# it holds the DAS secrets
	"$GKEY_PUSHD" -d -v -f "$conf" >"$log" 2>&1 &
	pid=$!
	rig_register "$pid"
	eval "PID_$name=$pid LOG_$name=\$log"
	rig_wait_for_line "$log" 'database connected, listening on gkey_change' 10 "$pid" ||
		rig_fail "gkey-pushd $name did not connect: $(cat "$log")"
}

push_commit() {
	psql "$GKEY_ADMIN_DSN" -X -q -v ON_ERROR_STOP=1 -At -c BEGIN -c "$1" -c COMMIT \
		-c '\! date +%s%3N' | tr '\n' ' ' | sed 's/ $/\n/'
}

push_watch_start() {
	PUSH_WATCH=$RIG_DIR/push.watch
	$PUSH_TOOLS watch "$PUSH_WATCH" home-energy "ph=$KEYS_ph" \
		"sensor=$PAC_OUT_sensor" "sensor2=$PAC_OUT_sensor2" &
	rig_register $!
	rig_wait_until 5 "the watcher" test -e "$PUSH_WATCH.ready" || rig_fail "the watcher did not start"
}

push_cap_start() {
	PUSH_CAP=$RIG_DIR/push.cap
	$PUSH_TOOLS cap "$PUSH_CAP" "$AR_DAS_PORT,$PAA_DAS_PORT" lo "$ND_AR_IF" &
	rig_register $!
	rig_wait_until 5 "the capture socket" test -e "$PUSH_CAP.ready" ||
		rig_fail "the capture socket did not start"
}

epoch_of() {
	local f
	case $1 in
	ph) f=$KEYS_ph ;;
	*) eval "f=\$PAC_OUT_$1" ;;
	esac
	sed -n 's/^app=home-energy .* epoch=\([0-9]*\) .*/\1/p' "$f" | sort -n | tail -n 1
}

first_at() {
	awk -v n="$1" -v e="$2" '$2 == n && $3 >= e { print $1; exit }' "$PUSH_WATCH"
}
