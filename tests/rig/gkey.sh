# Helpers for the integration tests and the demo; sourced after
# tests/rig/common.sh, pg.sh and radiusd.sh.
#
# rig_full_start [radiusd options]  PKI, PostgreSQL, radiusd "main".
# sql_admin SQL                     runs SQL as the database owner, prints
#                                   unaligned tuples only; fails on error.
# enroll NODE KIND [APP...]         enrolls $RIG_PKI/NODE.pem, prints the id.
# der_hex FILE.pem                  the certificate's DER in hex.
# cert_sha256 FILE.pem              SHA-256 of the DER in hex.
# ask NODE [ATTR = VALUE ...]       an Authorize-Only request for NODE's
#                                   certificate to radiusd "main"
#                                   (RADIUS_PORT); prints radclient -x.
#                                   ASK_BY_FP=1 sends GKey-Cert-SHA256
#                                   instead (radclient's parser takes no
#                                   value longer than about 1000 characters,
#                                   too short for an RSA certificate).
# ask_raw PORT ATTRS                radclient with exactly ATTRS.
# unwrap NODE [--now T]             opens the records on stdin with NODE's key.
# gk_of NODE APP < radclient output  the GK hex of APP (newest epoch).
# key_record < radclient output     the hex of the first GKey-Key-Record.
# app_gk APP < key lines            the GK hex of APP from gkey-unwrap's or
#                                   pana-pac's "app=APP ... gk=HEX" lines:
#                                   the last one, the newest epoch; prints
#                                   nothing if there is none.
# paa_conf PORT NAS-ID [LINE...]    a pana-relayd configuration for a PAA on
#                                   127.0.0.1:PORT that asks radiusd "main"
#                                   (RADIUS_PORT) with the shipped
#                                   dictionary, then each LINE.
# relayd NAME CONFIG-LINES          starts pana-relayd ($PANA_RELAYD, flags
#                                   $RELAYD_FLAGS, default -d) with that
#                                   configuration, waits until it runs;
#                                   sets PID_<NAME> and LOG_<NAME>.
# pac PORT NODE [OPTION...]         one pana-pac ($PANA_PAC) run for NODE's
#                                   certificate against 127.0.0.1:PORT,
#                                   trusting the rig's CA and both key
#                                   servers, with $PAC_FLAGS and then the
#                                   OPTIONs (a later --ca, --timeout or
#                                   --rt-ms overrides an earlier one).
# ok/not_ok MSG                     TAP-style lines; not_ok fails the test.

GKEY_UNWRAP=${GKEY_UNWRAP:-$GKEY_BUILDDIR/gkey-unwrap}
GKEY_ENROLL=${GKEY_ENROLL:-$GKEY_BUILDDIR/gkey-enroll}
PANA_RELAYD=${PANA_RELAYD:-$GKEY_BUILDDIR/pana-relayd}
PANA_PAC=${PANA_PAC:-$GKEY_BUILDDIR/pana-pac}
PANA_INJECT=${PANA_INJECT:-$GKEY_BUILDDIR/tests/pana_inject}

ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	exit 1
}

rig_full_start() {
	RIG_PKI=$RIG_DIR/pki
	export RIG_PKI
	"$GKEY_SRCDIR/tests/mkcerts.sh" "$RIG_PKI" >/dev/null
	pg_rig_start
	radiusd_rig_start main "$@"
}

sql_admin() {
	psql "$GKEY_ADMIN_DSN" -X -q -v ON_ERROR_STOP=1 -At -c "$1"
}

enroll() {
	local node=$1 kind=$2 args="" a
	shift 2
	for a in "$@"; do args="$args --app $a"; done
	# shellcheck disable=SC2086
	"$GKEY_ENROLL" -d "$GKEY_ADMIN_DSN" --kind "$kind" $args "$RIG_PKI/$node.pem" |
		sed -n 's/^enrolled identity \([0-9]*\).*/\1/p'
}

der_hex() {
	openssl x509 -in "$1" -outform DER | od -An -v -tx1 | tr -d ' \n'
}

cert_sha256() {
	openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1
}

ask_raw() {
	local port=$1 attrs=$2
	printf '%s\n' "$attrs" |
		"$RADCLIENT" -x -d "$RADIUS_DIR/raddb" -t 3 -r 1 "127.0.0.1:$port" auth "$RADIUS_SECRET" 2>&1
}

# Prints radclient's output; the exit status is radclient's.
ask() {
	local node=$1 attrs a
	shift
	attrs="Service-Type = Authorize-Only, Message-Authenticator = 0x00, NAS-Identifier = ar-test, Calling-Station-Id = \"2001:db8::$node\""
	if [ -n "${ASK_BY_FP:-}" ]; then
		attrs="$attrs, GKey-Cert-SHA256 = 0x$(cert_sha256 "$RIG_PKI/$node.pem")"
	else
		attrs="$attrs, GKey-Certificate = 0x$(der_hex "$RIG_PKI/$node.pem")"
	fi
	for a in "$@"; do attrs="$attrs, $a"; done
	ask_raw "${ASK_PORT:-$RADIUS_PORT}" "$attrs"
}

unwrap() {
	local node=$1
	shift
	"$GKEY_UNWRAP" --key "$RIG_PKI/$node.key" --server "$RIG_PKI/ks-p256.pub.pem" \
		--server "$RIG_PKI/ks-x25519.pub.pem" "$@"
}

gk_of() {
	unwrap "$1" | app_gk "$2"
}

# It reads all its input, so that whatever writes it never gets a SIGPIPE
# (which pipefail would turn into a failure).
key_record() {
	awk '!found && match($0, /GKey-Key-Record = 0x[0-9a-f]+/) {
		print substr($0, RSTART + 20, RLENGTH - 20)
		found = 1
	}'
}

# One sed, so that no match is no output rather than a failed pipeline.
app_gk() {
	sed -n "s/^app=$1 .* gk=\([0-9a-f]*\)\$/\1/p" | tail -n 1
}

paa_conf() {
	local port=$1 nas=$2
	shift 2
	printf '%s\n' "role paa" \
		"paa-listen 127.0.0.1 $port" \
		"radius-server 127.0.0.1:$RADIUS_PORT $RADIUS_SECRET" \
		"radius-dictionary $GKEY_SRCDIR/raddb/dictionary.gkey" \
		"nas-identifier $nas" \
		"$@"
}

relayd() {
	local name=$1 conf=$RIG_DIR/$1.conf log=$RIG_DIR/$1.log pid
	printf '%s\n' "$2" > "$conf"
	chmod 0600 "$conf"	# it holds the RADIUS secret
	# shellcheck disable=SC2086
	"$PANA_RELAYD" ${RELAYD_FLAGS:--d} -f "$conf" > "$log" 2>&1 &
	pid=$!
	rig_register "$pid"
	eval "PID_$name=$pid LOG_$name=\$log"
	if ! rig_wait_for_line "$log" '^started \((PAA|relay|PAA and relay)\)$' 5 "$pid"; then
		cat "$log" >&2
		rig_fail "pana-relayd $name did not start (log above)"
	fi
}

pac() {
	local port=$1 node=$2
	shift 2
	# shellcheck disable=SC2086
	"$PANA_PAC" --paa "127.0.0.1:$port" --ca "$RIG_PKI/ca.pem" \
		--cert "$RIG_PKI/$node.pem" --key "$RIG_PKI/$node.key" \
		--server "$RIG_PKI/ks-p256.pub.pem" --server "$RIG_PKI/ks-x25519.pub.pem" \
		${PAC_FLAGS:-} "$@"
}
