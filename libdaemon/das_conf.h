/*
 * das_conf.h - the configuration lines of a NAS's Dynamic Authorization
 * Server (doc/coa.md section 6), shared by gkey-ard.conf(5) and
 * pana-relayd.conf(5):
 *
 *	das-listen ADDRESS [PORT]	(PORT 3799 by default)
 *	das-client ADDRESS SECRET	(repeatable, up to DAS_CONF_CLIENTS)
 *	das-window SECONDS		(1..3600, 300 by default)
 *
 * Numeric addresses only.  Without das-listen there is no DAS.  Secrets
 * never appear in an error; das_conf_clear() wipes them.
 */
#ifndef GKEY_DAS_CONF_H
#define GKEY_DAS_CONF_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

#include "conf.h"

#define DAS_CONF_CLIENTS	4
#define DAS_CONF_SECRET_MAX	128
#define DAS_CONF_PORT		3799
#define DAS_CONF_WINDOW		300

struct das_conf_client {
	struct sockaddr_storage	addr;
	char			secret[DAS_CONF_SECRET_MAX + 1];
};

struct das_settings {
	struct sockaddr_storage	listen;		/* with its port */
	int			have_listen;
	struct das_conf_client	client[DAS_CONF_CLIENTS];
	size_t			n_clients;
	unsigned int		window;		/* 0 until set: see finish */
};

/* Is t[0] one of the das-* keywords? */
int	das_conf_is_keyword(const char *);
/* One das-* line (t[0] the keyword, n words with it); 0 or -1. */
int	das_conf_line(struct conf_ctx *, struct das_settings *, char **t,
	    int n);
/* After the file: the defaults, and das-client needs das-listen. */
int	das_conf_finish(struct conf_ctx *, struct das_settings *);
void	das_conf_clear(struct das_settings *);

#endif /* GKEY_DAS_CONF_H */
