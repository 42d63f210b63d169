# The ND part of the test rig, sourced by tests/nd*.test after
# tests/rig/common.sh, pg.sh, radiusd.sh and gkey.sh.
#
# nd_need_netns          exits 77 (skip) unless root can make namespaces.
# nd_link                a veth pair: $ND_AR_IF in the root namespace (the
#                        access router's side, where radiusd is reachable
#                        on 127.0.0.1) and $ND_PH_IF in namespace $ND_NS
#                        (the phone); DAD off, both up with link-local
#                        addresses. Removed at cleanup.
# nd_pki                 router PKI under $ND_PKI: ar-ca (the trust
#                        anchor), ar (router certificate, id-kp-sendRouter),
#                        ar-noeku (same CA, no router purpose), rogue-ar
#                        (router purpose, another CA).
# ard NAME CONFIG-LINES  starts gkey-ard ($GKEY_ARD) in the foreground with
#                        the rig's RADIUS server and these extra lines;
#                        sets PID_<NAME> and LOG_<NAME>.
# noded NAME NODE [LINES] starts gkey-noded ($GKEY_NODED) in the phone's
#                        namespace for identity NODE, trusting ar-ca;
#                        sets PID_<NAME>, LOG_<NAME>, KEYS_<NAME>.
# stop PID               TERM, and wait until PID is gone.
# in_phone CMD...        runs CMD in the phone's namespace.
# wait_log FILE REGEX    waits up to 5 s for a line; 1 if it never comes.
# capture FILE, capture_stop  tshark on $ND_AR_IF, started and stopped.

GKEY_ARD=${GKEY_ARD:-$GKEY_BUILDDIR/gkey-ard}
ND_PEER=${ND_PEER:-$GKEY_BUILDDIR/tests/nd_peer}

nd_need_netns() {
	if [ "$(id -u)" != 0 ]; then
		echo "# SKIP: network namespaces need root"
		exit 77
	fi
	probe="gkprobe$$"
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "# SKIP: ip netns add does not work here"
		exit 77
	fi
	ip netns del "$probe"
}

in_phone() {
	ip netns exec "$ND_NS" "$@"
}

nd_link() {
	ND_NS="gkph$$"
	ND_AR_IF="gkar$$"
	ND_PH_IF="gkph$$"
	ip netns add "$ND_NS" || rig_fail "ip netns add"
	rig_register 0 "ip netns del $ND_NS"
	ip link add "$ND_AR_IF" type veth peer name "$ND_PH_IF" || rig_fail "ip link add"
	rig_register 0 "ip link del $ND_AR_IF"
	ip link set "$ND_PH_IF" netns "$ND_NS"
	sysctl -qw "net.ipv6.conf.$ND_AR_IF.accept_dad=0"
	sysctl -qw "net.ipv6.conf.$ND_AR_IF.accept_ra=0"
	in_phone sysctl -qw "net.ipv6.conf.$ND_PH_IF.accept_dad=0"
	# The phone's kernel must not act on the RAs: the test reads them.
	in_phone sysctl -qw "net.ipv6.conf.$ND_PH_IF.accept_ra=0"
	ip link set "$ND_AR_IF" up
	in_phone ip link set lo up
	in_phone ip link set "$ND_PH_IF" up
	for _ in $(seq 1 50); do
		if ip -6 addr show dev "$ND_AR_IF" scope link | grep -q inet6 &&
			in_phone ip -6 addr show dev "$ND_PH_IF" scope link | grep -q inet6 &&
			[ -z "$(ip -6 addr show dev "$ND_AR_IF" tentative)" ] &&
			[ -z "$(in_phone ip -6 addr show dev "$ND_PH_IF" tentative)" ]; then
			return 0
		fi
		sleep 0.1
	done
	rig_fail "no link-local addresses on the veth pair"
}

nd_pki() {
	ND_PKI=$RIG_DIR/ndpki
	mkdir -p "$ND_PKI"
	(
		cd "$ND_PKI" || exit 1
		umask 077
		key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
		ca() {
			key "$1"
			openssl req -new -x509 -key "$1.key" -out "$1.pem" -days 3650 -subj "$2" \
				-addext basicConstraints=critical,CA:TRUE \
				-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
		}
		leaf() {
			# $1 name, $2 subject, $3 issuer, $4 extendedKeyUsage or ""
			key "$1"
			openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
			printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n' > "$1.ext"
			[ -n "$4" ] && printf 'extendedKeyUsage=%s\n' "$4" >> "$1.ext"
			openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" \
				-set_serial "0x$(openssl rand -hex 8)" -days 825 \
				-extfile "$1.ext" -out "$1.pem" 2>/dev/null
			rm -f "$1.csr" "$1.ext"
		}
		ca ar-ca "/O=gkey test/CN=gkey Routers CA"
		ca rogue-ar-ca "/O=rogue/CN=Rogue Routers CA"
		leaf ar "/O=gkey test/CN=ar-1" ar-ca 1.3.6.1.5.5.7.3.23
		leaf ar-noeku "/O=gkey test/CN=ar-2" ar-ca serverAuth
		leaf rogue-ar "/O=rogue/CN=ar-1" rogue-ar-ca 1.3.6.1.5.5.7.3.23
	) || rig_fail "cannot create the router PKI"
}

ard() {
	name=$1
	conf="$RIG_DIR/$name.conf"
	log="$RIG_DIR/$name.log"
	cat > "$conf" <<CONF
interface $ND_AR_IF
certificate ${ARD_CERT:-$ND_PKI/ar.pem}
private-key ${ARD_KEY:-$ND_PKI/ar.key}
radius-server 127.0.0.1:${ARD_RADIUS_PORT:-$RADIUS_PORT} $RADIUS_SECRET
radius-dictionary $GKEY_SRCDIR/raddb/dictionary.gkey
nas-identifier ar-test
radius-timeout-ms 300
radius-retries 1
$2
CONF
	chmod 0600 "$conf"
	"$GKEY_ARD" -d -v -f "$conf" > "$log" 2>&1 &
	pid=$!
	rig_register "$pid"
	eval "PID_$name=$pid LOG_$name=\$log"
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; rig_fail "gkey-ard $name exited"; }
		grep -q '^started (' "$log" 2>/dev/null && return 0
		sleep 0.05
	done
	cat "$log" >&2
	rig_fail "gkey-ard $name did not start"
}

wait_log() {
	for _ in $(seq 1 50); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

GKEY_NODED=${GKEY_NODED:-$GKEY_BUILDDIR/gkey-noded}

# noded NAME NODE [CONFIG-LINES]: gkey-noded in the phone's namespace for
# identity NODE of the rig's PKI, trusting ar-ca; keys in
# $RIG_DIR/NAME.keys.  Sets PID_<NAME>, LOG_<NAME>, KEYS_<NAME>.
noded() {
	name=$1 node=$2
	conf="$RIG_DIR/$name.conf"
	log="$RIG_DIR/$name.log"
	keys="$RIG_DIR/$name.keys"
	cat > "$conf" <<CONF
interface $ND_PH_IF
certificate $RIG_PKI/$node.pem
private-key $RIG_PKI/$node.key
trust-anchor ${NODED_ANCHOR:-$ND_PKI/ar-ca.pem}
key-server $RIG_PKI/ks-p256.pub.pem
key-server $RIG_PKI/ks-x25519.pub.pem
key-file $keys
answer-wait-ms 1500
retry-initial-ms 500
retry-max-ms 2000
${3:-}
CONF
	# Not through in_phone: $! must be the daemon, not a subshell.
	ip netns exec "$ND_NS" "$GKEY_NODED" -d -v -f "$conf" > "$log" 2>&1 &
	pid=$!
	rig_register "$pid"
	eval "PID_$name=$pid LOG_$name=\$log KEYS_$name=\$keys"
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; rig_fail "gkey-noded $name exited"; }
		grep -q '^started (' "$log" 2>/dev/null && return 0
		sleep 0.05
	done
	cat "$log" >&2
	rig_fail "gkey-noded $name did not start"
}

# stop PID: TERM and wait until it is gone.
stop() {
	rig_kill_pid "$1"
}

# capture FILE: tshark on $ND_AR_IF into FILE, once it is capturing;
# sets CAPTURE_PID.  capture_stop waits until the file is complete.
capture() {
	tshark -q -i "$ND_AR_IF" -f icmp6 -w "$1" > "$1.log" 2>&1 &
	CAPTURE_PID=$!
	rig_register "$CAPTURE_PID"
	wait_log "$1.log" 'Capture started' || wait_log "$1.log" 'Capture started' ||
		rig_fail "tshark did not start: $(cat "$1.log")"
}
capture_stop() {
	# dumpcap hands packets to tshark in batches: let the last one land.
	sleep 1
	kill -INT "$CAPTURE_PID" 2>/dev/null || true
	for _ in $(seq 1 50); do kill -0 "$CAPTURE_PID" 2>/dev/null || break; sleep 0.1; done
}
