/*
 * gkey_listen.h	The change listener of one module instance.
 *
 * A thread with a libpq connection of its own (the module's conninfo,
 * application_name gkey-listen) that runs LISTEN gkey_change and
 * invalidates the view (gkey_view.h) as the notifications of migration
 * 010 say (doc/sql.md section 8):
 *	identity N	that identity's entries
 *	app N		every entry holding an epoch of application N
 *	epoch N E	the same as app N: a new epoch of an application held
 *	all, or anything else	everything
 * (gkey_view_notify parses the payload.)
 * The view is trusted only while the connection listens: from start until
 * the first LISTEN succeeded, and from the moment the connection is found
 * broken until a new one listens, it answers nothing and stores nothing
 * (every request queries). A new connection is tried every second; once
 * it listens the view is flushed (notifications were lost meanwhile) and
 * trusted again. Each change of state is logged once; the connection
 * string never is.
 *
 * A heartbeat bounds how long a silently lost link (no RST: a partition)
 * or a frozen backend goes unnoticed: every heartbeat_ms
 * (listen_heartbeat_ms) the thread sends a Sync message on its connection
 * (pipeline mode, non-blocking: a round trip with no statement, answered
 * by ReadyForQuery after any pending notification), and when its answer
 * has not come one further heartbeat_ms later the connection is taken as
 * lost: bypassed, logged, closed, reconnected as above. So the view is
 * trusted at most about 2 * heartbeat_ms after the last answer proved the
 * connection alive. Notifications that arrive meanwhile are processed as
 * always; the thread never blocks on the connection. TCP keepalives (10 s
 * idle, 3 probes 2 s apart) remain, for a connection given up for dead.
 */
#ifndef GKEY_LISTEN_H
#define GKEY_LISTEN_H

#include "gkey_view.h"

typedef struct gkey_listen gkey_listen_t;

/*
 * Starts the thread, with a heartbeat every heartbeat_ms (> 0). conninfo
 * and name must outlive it. NULL when the thread or its wake-up pipe
 * cannot be made (logged).
 */
gkey_listen_t	*gkey_listen_start(char const *conninfo, char const *name, gkey_view_t *view,
				   uint32_t heartbeat_ms);

/* Wakes the thread, waits for it to end and frees everything. */
void		gkey_listen_stop(gkey_listen_t *l);

#endif /* GKEY_LISTEN_H */
