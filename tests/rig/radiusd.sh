# Private radiusd for one test run; sourced after tests/rig/common.sh and
# rig_init (and tests/rig/pg.sh when the module needs the database).
#
# radiusd_rig_start NAME [--eap] [--no-debug]
#	Generates a configuration under $RIG_DIR/NAME from the repository's
#	raddb/ (the shipped dictionary, module and virtual server files; only
#	the listen port, file paths and conninfo are rewritten) with the built
#	module first on the library path, starts the server on 127.0.0.1 at a
#	free port and waits until it is ready. Exports RADIUS_PORT_<NAME>,
#	RADIUS_LOG_<NAME>, RADIUS_PID_<NAME>, RADIUS_DIR_<NAME>; the last
#	started also sets RADIUS_PORT, RADIUS_LOG, RADIUS_DIR.
#	Needs: GKEY_SRCDIR, GKEY_BUILDDIR, FREERADIUS, RIG_PKI (tests/mkcerts.sh
#	output), GKEY_RADIUS_DSN (unless set, a dummy that never connects).
#	The module is taken from GKEY_MODULE_DIR (default: the build's .libs;
#	make check points it at the UBSan copy in tests/san/.libs).
# radiusd_rig_config NAME [--eap]   only writes the configuration.
# radiusd_rig_run NAME [--no-debug]  starts a server on a configuration
#	written (and perhaps edited) before, and waits until it is ready.
# radiusd_rig_stop NAME
# RADIUS_SECRET is the shared secret of the 127.0.0.1 client.
# RIG_MAX_SERVERS is every server's thread pool max_servers (default 16;
#	the benchmarks set it for all their servers alike, see
#	bench/radius-bench.sh). A module pool's max must be at least as
#	large: the rig's configurations have 32 (raddb/mods-available/gkey).

RADIUS_SECRET=${RADIUS_SECRET:-gkey-test-secret}
RIG_MAX_SERVERS=${RIG_MAX_SERVERS:-16}

radiusd_rig_config() {
	local name=$1 eap=no a dir port dsn
	shift
	case $RIG_MAX_SERVERS in '' | 0 | *[!0-9]*) rig_fail "RIG_MAX_SERVERS must be a positive number" ;; esac
	for a in "$@"; do
		case $a in
		--eap) eap=yes ;;
		esac
	done
	: "${GKEY_SRCDIR:?}" "${GKEY_BUILDDIR:?}" "${RIG_PKI:?}"
	dir=$RIG_DIR/$name
	mkdir -p "$dir/raddb/mods-enabled" "$dir/raddb/sites-enabled" \
		"$dir/raddb/gkey" "$dir/log" "$dir/run"
	port=$(rig_free_port udp)
	dsn=${GKEY_RADIUS_DSN:-"host=127.0.0.1 port=1 dbname=gkey user=gkey_radius connect_timeout=1"}

	cp "$RIG_PKI/kek.bin" "$RIG_PKI/ks-p256.key" "$RIG_PKI/ks-x25519.key" "$dir/raddb/gkey/"
	chmod 0600 "$dir/raddb/gkey/"*

	cat > "$dir/raddb/radiusd.conf" <<CONF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = $dir/log
raddbdir = $dir/raddb
radacctdir = $dir/log
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
certdir = $RIG_PKI
cadir = $RIG_PKI
run_dir = $dir/run
db_dir = $dir
libdir = ${GKEY_MODULE_DIR:-$GKEY_BUILDDIR/.libs}:/usr/lib/freeradius
pidfile = \${run_dir}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
proxy_requests = no

log {
	destination = stdout
	colourise = no
	file = \${logdir}/radius.log
	syslog_facility = daemon
	stripped_names = no
	auth = no
}

security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}

thread pool {
	start_servers = 4
	max_servers = $RIG_MAX_SERVERS
	min_spare_servers = 2
	max_spare_servers = 8
	max_requests_per_server = 0
}

modules {
	\$INCLUDE mods-enabled/
}

\$INCLUDE clients.conf
\$INCLUDE sites-enabled/
CONF

	printf '$INCLUDE %s/raddb/dictionary.gkey\n' "$GKEY_SRCDIR" > "$dir/raddb/dictionary"

	cat > "$dir/raddb/clients.conf" <<CONF
client localhost {
	ipaddr = 127.0.0.1
	secret = $RADIUS_SECRET
	require_message_authenticator = yes
	nas_type = other
	shortname = localhost
}
CONF

	sed -e "s|^\([[:space:]]*conninfo = \).*|\1\"$dsn\"|" \
		"$GKEY_SRCDIR/raddb/mods-available/gkey" > "$dir/raddb/mods-enabled/gkey"
	sed -e "s|^\([[:space:]]*ipaddr = \)\*|\1127.0.0.1|" \
		-e "s|^\([[:space:]]*port = \)0|\1$port|" \
		"$GKEY_SRCDIR/raddb/sites-available/gkey" > "$dir/raddb/sites-enabled/gkey"

	if [ "$eap" = yes ]; then
		sed -e "s|@PKI@|$RIG_PKI|g" "$GKEY_SRCDIR/tests/rig/eap.conf" \
			> "$dir/raddb/mods-enabled/eap"
	else
		# The virtual server names the eap module; a stand-in keeps the
		# configuration valid where a test does not need EAP.
		printf 'always eap {\n\trcode = noop\n}\n' > "$dir/raddb/mods-enabled/eap"
	fi

	eval "RADIUS_PORT_$name=$port RADIUS_DIR_$name=\$dir RADIUS_LOG_$name=\$dir/radiusd.log"
	export "RADIUS_PORT_$name" "RADIUS_DIR_$name" "RADIUS_LOG_$name"
	RADIUS_PORT=$port RADIUS_DIR=$dir RADIUS_LOG=$dir/radiusd.log
	export RADIUS_PORT RADIUS_DIR RADIUS_LOG RADIUS_SECRET
}

radiusd_rig_start() {
	radiusd_rig_config "$@"
	radiusd_rig_run "$@"
}

radiusd_rig_run() {
	local name=$1 debug=-X a dir pid
	for a in "$@"; do
		if [ "$a" = --no-debug ]; then debug="-f -l stdout"; fi
	done
	dir=$RIG_DIR/$name
	# shellcheck disable=SC2086
	"${FREERADIUS:-freeradius}" $debug -d "$dir/raddb" > "$dir/radiusd.log" 2>&1 &
	pid=$!
	eval "RADIUS_PID_$name=$pid"
	export "RADIUS_PID_$name"
	rig_register "$pid"
	# With -f -l stdout the line has a time stamp in front.
	if ! rig_wait_for_line "$dir/radiusd.log" '(^|: )Ready to process requests$' 20 "$pid"; then
		tail -n 30 "$dir/radiusd.log" >&2
		rig_fail "radiusd $name did not start (log above)"
	fi
}

radiusd_rig_stop() {
	local pid
	eval "pid=\${RADIUS_PID_$1:-}"
	[ -n "$pid" ] && rig_kill_pid "$pid"
	return 0
}
