# Private PostgreSQL 15 cluster for tests; source after tests/rig/common.sh
# and rig_init.
#
# pg_rig_start    first call: initdb under $RIG_DIR/pg (trust auth, UTF8),
#                 listen on 127.0.0.1 at a free port with the socket in
#                 $RIG_DIR/pgsock, start, create database gkey, run
#                 sql/gkey-migrate and register the stop with rig_register.
#                 Later calls (after pg_rig_stop) start the same cluster on
#                 the same port.
#                 Exports PGHOST PGPORT PGDATABASE=gkey PGUSER=postgres,
#                 GKEY_ADMIN_DSN (superuser postgres) and GKEY_RADIUS_DSN
#                 (role gkey_radius), and GKEY_PG_LOG (the server log).
# pg_rig_stop     fast shutdown, waits until it is down.
# pg_rig_restart  stop, then start again on the same port.
# pg_rig_crash    immediate shutdown (pg_ctl -m immediate): what a crash
#                 leaves, recovered from the WAL at the next pg_rig_start.
# pg_rig_psql ARGS  psql as the superuser, ON_ERROR_STOP, no psqlrc.
# pg_rig_bare_start NAME  a second, empty cluster (see below).
# pg_rig_standby_start NAME [--async]  a streaming-replication standby of
#                 the rig's cluster (see below).
# pg_rig_promote NAME  promotes that standby (see below).
#
# The source tree is found from $GKEY_SRCDIR, else automake's $srcdir
# (possibly relative), else two levels above this file.  The server
# binaries are in $PG_BINDIR (default /usr/lib/postgresql/15/bin).

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

pg_rig_srcdir() {
	local d=${GKEY_SRCDIR:-${srcdir:-}}
	if [ -z "$d" ] && [ -n "${BASH_SOURCE:-}" ]; then
		d=$(dirname "${BASH_SOURCE[0]}")/../..
	fi
	(cd "${d:-.}" && pwd)
}

# Server commands run as postgres: initdb refuses root.
pg_rig_as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_rig_psql() {
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$GKEY_ADMIN_DSN" "$@"
}

pg_rig_start() {
	[ -n "${RIG_DIR:-}" ] || rig_fail "pg_rig_start: call rig_init first"
	PG_RIG_DATA=$RIG_DIR/pg
	PG_RIG_SOCK=$RIG_DIR/pgsock
	GKEY_PG_LOG=$RIG_DIR/pg.log
	export GKEY_PG_LOG
	if [ ! -f "$PG_RIG_DATA/PG_VERSION" ]; then
		pg_rig_init || return 1
		return 0
	fi
	pg_rig_ctl_start
}

# Starts the initialised cluster and waits until it accepts connections;
# pg_rig_ctl_try returns 1 instead of failing the test.
pg_rig_ctl_try() {
	pg_rig_as_postgres "$PG_BINDIR/pg_ctl" -w -s -D "$PG_RIG_DATA" -l "$GKEY_PG_LOG" start \
		>/dev/null 2>&1
}

pg_rig_ctl_start() {
	pg_rig_ctl_try && return 0
	tail -n 20 "$GKEY_PG_LOG" >&2
	rig_fail "PostgreSQL did not start; see $GKEY_PG_LOG"
}

pg_rig_init() {
	local tries
	mkdir -p "$PG_RIG_DATA" "$PG_RIG_SOCK"
	touch "$GKEY_PG_LOG"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$PG_RIG_DATA" "$PG_RIG_SOCK" "$GKEY_PG_LOG"
	fi
	chmod 0700 "$PG_RIG_DATA"
	pg_rig_as_postgres "$PG_BINDIR/initdb" -D "$PG_RIG_DATA" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 >"$RIG_DIR/initdb.log" 2>&1 \
		|| rig_fail "initdb failed; see $RIG_DIR/initdb.log"
	PGPORT=$(rig_free_port tcp)
	# Settings go into the configuration file so a restart keeps them.
	cat >>"$PG_RIG_DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PG_RIG_SOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
log_min_messages = warning
log_min_error_statement = error
EOF
	PGHOST=127.0.0.1
	PGDATABASE=gkey
	PGUSER=postgres
	GKEY_ADMIN_DSN="host=127.0.0.1 port=$PGPORT dbname=gkey user=postgres"
	GKEY_RADIUS_DSN="host=127.0.0.1 port=$PGPORT dbname=gkey user=gkey_radius"
	export PGHOST PGPORT PGDATABASE PGUSER GKEY_ADMIN_DSN GKEY_RADIUS_DSN
	# Another process may take the free port before the server binds it:
	# then take another one, up to three times.
	tries=1
	until pg_rig_ctl_try; do
		if [ "$tries" -ge 3 ] || ! grep -q 'could not bind\|Address already in use' "$GKEY_PG_LOG"; then
			tail -n 20 "$GKEY_PG_LOG" >&2
			rig_fail "PostgreSQL did not start; see $GKEY_PG_LOG"
		fi
		tries=$((tries + 1))
		PGPORT=$(rig_free_port tcp)
		sed -i "s/^port = .*/port = $PGPORT/" "$PG_RIG_DATA/postgresql.conf"
		GKEY_ADMIN_DSN="host=127.0.0.1 port=$PGPORT dbname=gkey user=postgres"
		GKEY_RADIUS_DSN="host=127.0.0.1 port=$PGPORT dbname=gkey user=gkey_radius"
	done
	rig_register "$(head -1 "$PG_RIG_DATA/postmaster.pid")" pg_rig_stop
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
		-d "host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres" \
		-c 'CREATE DATABASE gkey' || rig_fail "cannot create database gkey"
	"$(pg_rig_srcdir)/sql/gkey-migrate" -q -d "$GKEY_ADMIN_DSN" \
		|| rig_fail "gkey-migrate failed"
}

pg_rig_stop() {
	pg_rig_as_postgres "$PG_BINDIR/pg_ctl" -m fast -w -s -D "$PG_RIG_DATA" stop
}

pg_rig_restart() {
	pg_rig_stop || rig_fail "PostgreSQL did not stop"
	pg_rig_start
}

pg_rig_crash() {
	pg_rig_as_postgres "$PG_BINDIR/pg_ctl" -m immediate -w -s -D "$PG_RIG_DATA" stop
}

# pg_rig_bare_start NAME  a second, empty cluster under $RIG_DIR/NAME (same
#                 settings as the rig's, database gkey created, no schema,
#                 no roles beyond postgres), started on a free port and
#                 registered for the stop. Sets PG_BARE_PORT_<NAME> and
#                 PG_BARE_DSN_<NAME> (superuser postgres, database gkey).
pg_rig_bare_start() {
	local name=$1 data=$RIG_DIR/$1 sock=$RIG_DIR/$1.sock log=$RIG_DIR/$1.log port
	mkdir -p "$data" "$sock"
	touch "$log"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$data" "$sock" "$log"
	fi
	chmod 0700 "$data"
	pg_rig_as_postgres "$PG_BINDIR/initdb" -D "$data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 >"$RIG_DIR/$name.initdb.log" 2>&1 \
		|| rig_fail "initdb of $name failed; see $RIG_DIR/$name.initdb.log"
	port=$(rig_free_port tcp)
	cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
CONF
	pg_rig_as_postgres "$PG_BINDIR/pg_ctl" -w -s -D "$data" -l "$log" start >/dev/null \
		|| rig_fail "PostgreSQL $name did not start; see $log"
	rig_register "$(head -1 "$data/postmaster.pid")" \
		"pg_rig_as_postgres $PG_BINDIR/pg_ctl -m fast -w -s -D $data stop"
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
		-d "host=127.0.0.1 port=$port dbname=postgres user=postgres" \
		-c 'CREATE DATABASE gkey' || rig_fail "cannot create database gkey in $name"
	eval "PG_BARE_PORT_$name=\$port PG_BARE_DSN_$name=\"host=127.0.0.1 port=\$port dbname=gkey user=postgres\""
}

# pg_rig_standby_start NAME [--async]
#                 a hot standby of the rig's cluster (pg_rig_start first)
#                 under $RIG_DIR/NAME: pg_basebackup -R over a replication
#                 connection, its own free port and socket directory,
#                 cluster_name = NAME (the application_name its WAL
#                 receiver gives the primary), started and registered for
#                 the stop. Then, unless --async, the primary's
#                 synchronous_standby_names becomes NAME (ALTER SYSTEM:
#                 the standby's copy of the configuration, taken before,
#                 does not have it, so once promoted it waits for nobody),
#                 and it waits until pg_stat_replication shows NAME as
#                 sync (--async: as streaming). Sets PG_STANDBY_PORT_<NAME>,
#                 PG_STANDBY_DATA_<NAME>, PG_STANDBY_LOG_<NAME> and
#                 PG_STANDBY_DSN_<NAME> (superuser postgres, database gkey).
# pg_rig_standby_state NAME SYNC_STATE: true when the primary streams to
# NAME with that sync_state.
pg_rig_standby_state() {
	[ "$(pg_rig_psql -At -c "SELECT state || ' ' || sync_state FROM pg_stat_replication WHERE application_name = '$1'")" = "streaming $2" ]
}

pg_rig_standby_start() {
	local name=$1 mode=${2:-} data=$RIG_DIR/$1 sock=$RIG_DIR/$1.sock log=$RIG_DIR/$1.log port want
	[ -n "${PG_RIG_DATA:-}" ] || rig_fail "pg_rig_standby_start: call pg_rig_start first"
	mkdir -p "$data" "$sock"
	touch "$log"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$data" "$sock" "$log"
	fi
	chmod 0700 "$data"
	pg_rig_as_postgres "$PG_BINDIR/pg_basebackup" -D "$data" -R -X stream -c fast \
		-d "host=127.0.0.1 port=$PGPORT user=postgres" >"$RIG_DIR/$name.basebackup.log" 2>&1 \
		|| rig_fail "pg_basebackup for $name failed; see $RIG_DIR/$name.basebackup.log"
	port=$(rig_free_port tcp)
	# Later lines win over the primary's copied port and socket directory.
	cat >>"$data/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '$sock'
cluster_name = '$name'
hot_standby = on
CONF
	if ! pg_rig_as_postgres "$PG_BINDIR/pg_ctl" -w -s -D "$data" -l "$log" start >/dev/null; then
		# rig_free_port cannot reserve the port: another test may have
		# taken it meanwhile. Once more on another.
		grep -q 'could not bind' "$log" || { tail -n 5 "$log" >&2; rig_fail "PostgreSQL standby $name did not start; see $log"; }
		port=$(rig_free_port tcp)
		echo "port = $port" >>"$data/postgresql.conf"
		pg_rig_as_postgres "$PG_BINDIR/pg_ctl" -w -s -D "$data" -l "$log" start >/dev/null \
			|| { tail -n 5 "$log" >&2; rig_fail "PostgreSQL standby $name did not start; see $log"; }
	fi
	rig_register "$(head -1 "$data/postmaster.pid")" \
		"pg_rig_as_postgres $PG_BINDIR/pg_ctl -m fast -w -s -D $data stop"
	want=sync
	if [ "$mode" = --async ]; then
		want=async
	else
		pg_rig_psql -c "ALTER SYSTEM SET synchronous_standby_names = '\"$name\"'" \
			-c 'SELECT pg_reload_conf()' >/dev/null \
			|| rig_fail "cannot make $name the synchronous standby"
	fi
	rig_wait_until 20 "standby $name streaming as $want" pg_rig_standby_state "$name" "$want" \
		|| rig_fail "standby $name is not streaming as $want; see $log"
	eval "PG_STANDBY_PORT_$name=\$port PG_STANDBY_DATA_$name=\$data PG_STANDBY_LOG_$name=\$log"
	eval "PG_STANDBY_DSN_$name=\"host=127.0.0.1 port=\$port dbname=gkey user=postgres\""
}

# pg_rig_promote NAME  promotes the standby NAME (pg_ctl promote, waiting
#                 until it takes writes). It changes no DSN variable: the
#                 caller points GKEY_ADMIN_DSN at PG_STANDBY_DSN_<NAME>.
pg_rig_promote() {
	local data
	eval "data=\${PG_STANDBY_DATA_$1:-}"
	[ -n "$data" ] || rig_fail "pg_rig_promote: no standby $1"
	pg_rig_as_postgres "$PG_BINDIR/pg_ctl" -w -s -D "$data" promote >/dev/null
}
