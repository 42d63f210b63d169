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
 * string never is. TCP keepalives (10 s idle, 3 probes 2 s apart) bound
 * how long a silently lost link goes unnoticed; view_ttl bounds the rest.
 */
#ifndef GKEY_LISTEN_H
#define GKEY_LISTEN_H

#include "gkey_view.h"

typedef struct gkey_listen gkey_listen_t;

/*
 * Starts the thread. conninfo and name must outlive it. NULL when the
 * thread or its wake-up pipe cannot be made (logged).
 */
gkey_listen_t	*gkey_listen_start(char const *conninfo, char const *name, gkey_view_t *view);

/* Wakes the thread, waits for it to end and frees everything. */
void		gkey_listen_stop(gkey_listen_t *l);

#endif /* GKEY_LISTEN_H */
