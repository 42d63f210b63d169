# Shared part of the private test rig; sourced by tests/rig/*.sh and tests.
#
# rig_init            creates $RIG_DIR (mode 0755, under $TMPDIR or /tmp) and
#                     installs a trap that stops every registered PID and
#                     removes the directory on exit, failure or interrupt.
# rig_register PID CMD  stop PID at cleanup by running CMD (default: kill -TERM
#                     and wait up to 10 s, then kill -KILL).
# rig_free_port [udp|tcp]  prints a loopback port nobody listens on.
# rig_fail MSG        prints MSG on stderr and exits 1 (cleanup runs).

RIG_STOPS=""

rig_fail() {
	echo "rig: $*" >&2
	exit 1
}

rig_kill_pid() {
	pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

rig_cleanup() {
	status=$?
	trap - EXIT INT TERM
	set +e
	# Run the stop commands in reverse order of registration.
	if [ -n "$RIG_STOPS" ]; then
		printf '%s\n' "$RIG_STOPS" | tac | while IFS= read -r cmd; do
			if [ -n "$cmd" ]; then
				eval "$cmd" >/dev/null 2>&1
			fi
		done
	fi
	if [ -n "${RIG_DIR:-}" ] && [ -d "$RIG_DIR" ]; then
		if [ -n "${RIG_KEEP:-}" ]; then
			echo "rig: kept $RIG_DIR" >&2
		else
			rm -rf "$RIG_DIR"
		fi
	fi
	exit "$status"
}

rig_register() {
	if [ $# -ge 2 ]; then
		RIG_STOPS="$RIG_STOPS
$2"
	else
		RIG_STOPS="$RIG_STOPS
rig_kill_pid $1"
	fi
}

rig_init() {
	RIG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gkey-rig.XXXXXX") || rig_fail "cannot create a temporary directory"
	# PostgreSQL runs as the postgres user and must reach its data directory.
	chmod 0755 "$RIG_DIR"
	trap rig_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	export RIG_DIR
}

rig_free_port() {
	proto=${1:-tcp}
	for _ in $(seq 1 200); do
		port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
		if [ "$proto" = udp ]; then
			ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && continue
		else
			ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && continue
		fi
		echo "$port"
		return 0
	done
	rig_fail "no free $proto port found"
}
