/*
 * gkey_listen.c	The change listener of one module instance (see
 *			gkey_listen.h).
 */
#include <freeradius/build.h>
RCSID("$Id$")
#include <freeradius/radiusd.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "gkey_db.h"
#include "gkey_listen.h"

#define RETRY_MS	1000

struct gkey_listen {
	char const	*conninfo;
	char const	*name;
	gkey_view_t	*view;
	int		heartbeat_ms;	/* listen_heartbeat_ms */
	int		wake[2];	/* written by gkey_listen_stop */
	pthread_t	thread;
	PGconn		*pg;
	bool		logged_down;	/* the current outage has been logged */
	bool		logged_unknown;	/* an unknown payload, on this connection */
};

/* libpq's last message without its trailing newline. */
static void pg_message(PGconn *pg, char *buf, size_t len)
{
	char const *msg = pg ? PQerrorMessage(pg) : NULL;
	size_t n;

	strlcpy(buf, (msg && *msg) ? msg : "unknown error", len);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
}

/* Waits ms milliseconds or until woken; true when woken (stop). */
static bool wait_or_stop(gkey_listen_t *l, int ms)
{
	struct pollfd p = { .fd = l->wake[0], .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

/* CLOCK_MONOTONIC in milliseconds. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define READ_ONLY_WHY	"it takes no writes (a standby, or default_transaction_read_only), so the " \
			"changes are made elsewhere; reconnecting to the server that takes them"

/* detail NULL: libpq's last message. */
static void went_down_why(gkey_listen_t *l, char const *what, char const *detail)
{
	char msg[256];

	/* Untrusted first: from now on every request queries. */
	gkey_view_set_trusted(l->view, false);
	if (detail) strlcpy(msg, detail, sizeof(msg));
	else pg_message(l->pg, msg, sizeof(msg));
	if (!l->logged_down) {
		ERROR("rlm_gkey (%s): change listener %s: %s; the view is bypassed (every request "
		      "queries) until it listens again", l->name, what, msg);
		l->logged_down = true;
	}
	if (l->pg) PQfinish(l->pg);
	l->pg = NULL;
}

static void went_down(gkey_listen_t *l, char const *what)
{
	went_down_why(l, what, NULL);
}

/*
 *	A connection of our own. libpq takes the keywords in order, a later
 *	one overriding an earlier: the connect timeout and keepalives are
 *	defaults the connection string (dbname, expanded) may override; the
 *	name, by which operators (and tests) tell it from the pool's, is not.
 */
static bool listen_connect(gkey_listen_t *l)
{
	static char const *keys[] = { "connect_timeout", "keepalives", "keepalives_idle",
				      "keepalives_interval", "keepalives_count", "dbname",
				      "application_name", NULL };
	char const *values[] = { "5", "1", "10", "2", "3", l->conninfo, "gkey-listen", NULL };
	PGresult *res;

	l->pg = PQconnectdbParams(keys, values, 1);
	if (!l->pg || PQstatus(l->pg) != CONNECTION_OK) {
		went_down(l, "cannot connect");
		return false;
	}
	if (gkey_db_session_read_only(l->pg)) {
		went_down_why(l, "is on a read-only server", READ_ONLY_WHY);
		return false;
	}
	res = PQexec(l->pg, "LISTEN gkey_change");
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		went_down(l, "LISTEN failed");
		return false;
	}
	PQclear(res);
	if (PQsetnonblocking(l->pg, 1) != 0) {
		went_down(l, "cannot make the connection non-blocking");
		return false;
	}
	/*
	 *	Pipeline mode for the heartbeat: a Sync message alone is a round
	 *	trip with no statement (nothing logged, no transaction, and
	 *	pg_stat_activity still shows LISTEN gkey_change), answered by
	 *	ReadyForQuery, which the backend sends only after the
	 *	notifications it has pending.
	 */
	if (PQenterPipelineMode(l->pg) != 1) {
		went_down(l, "cannot enter pipeline mode");
		return false;
	}

	/*
	 *	Listening: whatever changed before is in the database, and
	 *	every later change will be announced. The flush drops what was
	 *	kept before (it may have missed notifications). The sealed-record
	 *	cache needs no flush: its key holds the epoch's validity and a
	 *	digest of the enrolled key and the stored material, all as a
	 *	fresh lookup returns them, so a record sealed from an old answer
	 *	is never found for a new one (gkey_cache.h).
	 */
	gkey_view_set_trusted(l->view, true);
	INFO("rlm_gkey (%s): change listener listening on gkey_change%s", l->name,
	     l->logged_down ? " again; the view is in use again" : "; the view is in use");
	l->logged_down = false;
	l->logged_unknown = false;
	return true;
}

/*
 *	The heartbeat's answers, if any arrived (never blocks: only what
 *	PQconsumeInput already read). False when the connection failed.
 */
static bool heartbeat_results(gkey_listen_t *l, bool *outstanding)
{
	PGresult *res;

	while (*outstanding && !PQisBusy(l->pg)) {
		res = PQgetResult(l->pg);
		if (!res) break;	/* not expected after a lone Sync */
		switch (PQresultStatus(res)) {
		case PGRES_PIPELINE_SYNC:
			*outstanding = false;
			break;
		default:
			/* An ErrorResponse: the backend is going (e.g. terminated). */
			PQclear(res);
			went_down(l, "lost its connection");
			return false;
		}
		PQclear(res);
	}
	return true;
}

/*
 *	Until the connection breaks (false) or stop is asked (true).
 *
 *	Every heartbeat_ms a Sync goes out; if its answer has not come one
 *	further heartbeat_ms later, the connection is taken as lost (a
 *	silently lost link or a frozen backend: TCP keepalives do not see
 *	the latter at all). So the view is trusted at most about two
 *	heartbeats after the last proof that notifications still arrive.
 */
static bool listen_run(gkey_listen_t *l)
{
	struct pollfd p[2];
	PGnotify *n;
	bool outstanding = false, flushing = false;
	int64_t now, sent_at = 0, next_beat = now_ms() + l->heartbeat_ms;
	int timeout, rc;
	char why[128];

	for (;;) {
		now = now_ms();
		if (outstanding && now - sent_at >= l->heartbeat_ms) {
			snprintf(why, sizeof(why), "no answer to its heartbeat within %d ms", l->heartbeat_ms);
			went_down_why(l, "lost its connection", why);
			return false;
		}
		if (!outstanding && now >= next_beat) {
			if (PQpipelineSync(l->pg) != 1) {
				went_down(l, "lost its connection");
				return false;
			}
			outstanding = true;
			sent_at = now;
			next_beat = now + l->heartbeat_ms;
			flushing = true;	/* PQflush below says whether it all went */
		}
		if (flushing) {
			rc = PQflush(l->pg);
			if (rc < 0) {
				went_down(l, "lost its connection");
				return false;
			}
			flushing = rc > 0;
		}
		timeout = (int)((outstanding ? sent_at + l->heartbeat_ms : next_beat) - now);
		if (timeout < 0) timeout = 0;

		p[0].fd = l->wake[0];
		p[0].events = POLLIN;
		p[1].fd = PQsocket(l->pg);
		p[1].events = POLLIN | (flushing ? POLLOUT : 0);
		p[0].revents = p[1].revents = 0;
		if (p[1].fd < 0) {
			went_down(l, "lost its connection");
			return false;
		}
		rc = poll(p, 2, timeout);
		if (rc < 0) {
			if (errno == EINTR) continue;
			went_down(l, "poll failed");
			return false;
		}
		if (p[0].revents) return true;
		if (!(p[1].revents & ~POLLOUT)) continue;	/* writable only: flushed above */

		if (PQconsumeInput(l->pg) != 1 || PQstatus(l->pg) != CONNECTION_OK) {
			went_down(l, "lost its connection");
			return false;
		}
		while ((n = PQnotifies(l->pg)) != NULL) {
			gkey_view_note_t what = gkey_view_notify(l->view, n->extra);

			/* Any role may notify: logged once per connection, not per payload. */
			if (what == GKEY_VIEW_NOTE_UNKNOWN && !l->logged_unknown) {
				WARN("rlm_gkey (%s): unknown gkey_change payload (%zu octets); the view is "
				     "emptied on each (logged once per connection)", l->name, strlen(n->extra));
				l->logged_unknown = true;
			}
			PQfreemem(n);
		}
		if (!heartbeat_results(l, &outstanding)) return false;
		/*
		 *	Fenced (default_transaction_read_only, reported to libpq
		 *	at the next ReadyForQuery: the heartbeat's) or a standby:
		 *	the changes are made on another server now, and this one
		 *	will announce none of them.
		 */
		if (gkey_db_session_read_only(l->pg)) {
			went_down_why(l, "is on a read-only server", READ_ONLY_WHY);
			return false;
		}
	}
}

static void *listen_thread(void *arg)
{
	gkey_listen_t *l = arg;

	for (;;) {
		if (listen_connect(l)) {
			if (listen_run(l)) break;
		}
		if (wait_or_stop(l, RETRY_MS)) break;
	}
	gkey_view_set_trusted(l->view, false);
	if (l->pg) PQfinish(l->pg);
	l->pg = NULL;
	return NULL;
}

gkey_listen_t *gkey_listen_start(char const *conninfo, char const *name, gkey_view_t *view,
				 uint32_t heartbeat_ms)
{
	gkey_listen_t *l;
	int rc;

	l = calloc(1, sizeof(*l));
	if (!l) {
		ERROR("rlm_gkey (%s): out of memory", name);
		return NULL;
	}
	l->conninfo = conninfo;
	l->name = name;
	l->view = view;
	l->heartbeat_ms = (int)heartbeat_ms;
	l->wake[0] = l->wake[1] = -1;
	if (pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		ERROR("rlm_gkey (%s): cannot make the change listener's pipe: %s", name, fr_syserror(errno));
		free(l);
		return NULL;
	}
	rc = pthread_create(&l->thread, NULL, listen_thread, l);
	if (rc != 0) {
		ERROR("rlm_gkey (%s): cannot start the change listener: %s", name, fr_syserror(rc));
		close(l->wake[0]);
		close(l->wake[1]);
		free(l);
		return NULL;
	}
	return l;
}

void gkey_listen_stop(gkey_listen_t *l)
{
	char c = 'x';

	if (!l) return;
	if (write(l->wake[1], &c, 1) != 1) {
		ERROR("rlm_gkey (%s): cannot wake the change listener: %s", l->name, fr_syserror(errno));
	}
	pthread_join(l->thread, NULL);
	close(l->wake[0]);
	close(l->wake[1]);
	free(l);
}
