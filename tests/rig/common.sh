# Shared part of the private test rig; sourced by tests/rig/*.sh and tests.
#
# rig_init            creates $RIG_DIR (mode 0755, under $TMPDIR or /tmp) and
#                     installs a trap that stops every registered PID and
#                     removes the directory on exit, failure or interrupt.
# rig_register PID CMD  stop PID at cleanup by running CMD (default: kill -TERM
#                     and wait up to 10 s, then kill -KILL).
# rig_free_port [udp|tcp]  prints a loopback port nobody listens on.
# rig_fail MSG        prints MSG on stderr and exits 1 (cleanup runs).
# rig_wait_until SECONDS WHAT CMD [ARG...]
#                     runs CMD every 50 ms until it succeeds; after SECONDS
#                     (a decimal like 0.5 is fine) says on stderr that it
#                     gave up waiting for WHAT and returns 1.
# rig_wait_for_line FILE PATTERN SECONDS [PID]
#                     waits until a line of FILE matches the extended
#                     regular expression PATTERN (anchor it to match a
#                     whole line); returns 1 with a message naming FILE and
#                     PATTERN after SECONDS, or as soon as PID has exited.

RIG_STOPS=""

rig_fail() {
	echo "rig: $*" >&2
	exit 1
}

rig_kill_pid() {
	local pid=$1
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
	local status=$? cmd
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
	local proto=${1:-tcp} port
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

# The clock (date +%s%N) SECONDS, a decimal number, from now.  Call it as
# rig_deadline VAR SECONDS: it fails the test on a bad number, which it
# could not do from a command substitution.
rig_deadline() {
	local ns
	case $2 in
	'' | . | *[!0-9.]* | *.*.*) rig_fail "not a number of seconds: '$2'" ;;
	esac
	ns=$(awk -v s="$2" 'BEGIN { printf "%.0f\n", s * 1e9 }')
	printf -v "$1" '%s' "$(( $(date +%s%N) + ns ))"
}

rig_wait_until() {
	local seconds=$1 what=$2 deadline
	shift 2
	rig_deadline deadline "$seconds"
	until "$@"; do
		if [ "$(date +%s%N)" -ge "$deadline" ]; then
			echo "rig: gave up after $seconds s waiting for $what" >&2
			return 1
		fi
		sleep 0.05
	done
}

rig_wait_for_line() {
	local file=$1 pattern=$2 seconds=$3 pid=${4:-} deadline
	rig_deadline deadline "$seconds"
	until grep -Eq -- "$pattern" "$file" 2>/dev/null; do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			# It may have written the line just before it exited.
			grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
			echo "rig: process $pid exited before a line matching '$pattern' appeared in $file" >&2
			return 1
		fi
		if [ "$(date +%s%N)" -ge "$deadline" ]; then
			echo "rig: no line matching '$pattern' in $file after $seconds s" >&2
			return 1
		fi
		sleep 0.05
	done
}
