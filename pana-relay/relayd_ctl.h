/*
 * relayd_ctl.h - what pana-relayd's control commands show and check:
 * the table of counters behind `status' and `metrics', the `sessions'
 * listing, and which configuration changes a reload refuses.  Without
 * sockets, so the unit tests drive it with the PAA harness.
 */
#ifndef GKEY_RELAYD_CTL_H
#define GKEY_RELAYD_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "control.h"
#include "ctl_proto.h"
#include "das_io.h"
#include "paa.h"
#include "relay.h"
#include "relayd_conf.h"

/* The daemon's own RADIUS counters, kept around radius_client. */
struct relayd_radius_stats {
	uint64_t	requests;	/* EAP-Responses sent on */
	uint64_t	round_trips;	/* answered: accept, reject, challenge */
	uint64_t	timeouts;	/* no server answered */
	uint64_t	send_errors;	/* not sent (see the log) */
	uint64_t	dropped_replies; /* unmatched, unverified, undecodable */
};

/* The key server's push (doc/coa.md), kept around libdas. */
struct relayd_das_stats {
	struct das_io_stats io;		/* received, dropped, naks */
	uint64_t	no_session;	/* 503: no open session of that PaC */
	uint64_t	reauths;	/* re-authentications started */
};

/* Everything the counters are taken from; NULL for a role not run. */
struct relayd_view {
	const struct paa			*paa;
	const struct relay_stats		*relay;
	const struct relayd_radius_stats	*radius;
	const struct relayd_das_stats		*das;	/* NULL: no DAS */
	const struct ctl_stats			*ctl;
	uint64_t				 uptime_s;
	uint64_t				 reloads;
	uint64_t				 reload_errors;
};

#define RELAYD_COUNTERS_MAX	64

/* Fills c (RELAYD_COUNTERS_MAX entries); returns how many. */
size_t	relayd_counters(const struct relayd_view *, struct ctl_counter *c);

/* The state names `sessions' and the counters use. */
const char *relayd_state_name(enum paa_state);

/*
 * One line per session: ID PAC STATE AGE LIFETIME-LEFT VIA, after a
 * header line.  -1 if the reply is full (the rest are counted in a last
 * line).
 */
int	relayd_sessions(const struct paa *, uint64_t now, struct ctl_buf *);

/*
 * 0 if every keyword that needs a restart is the same in old and new, or
 * -1 with "KEYWORD changed: restart pana-relayd to apply it" in err.
 */
int	relayd_reload_check(const struct pr_config *old,
	    const struct pr_config *new, char *err, size_t errlen);

#endif /* GKEY_RELAYD_CTL_H */
