/*
 * relayd_ctl.c - the counters, the session listing and the reload check
 * of pana-relayd's control commands.  See relayd_ctl.h.
 *
 * The metric names and labels below are what operators' scripts and
 * Prometheus read (doc/control.md): add new ones, do not rename.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "pana_msg.h"
#include "relayd_ctl.h"

#define N_STATES	(PAA_ST_CLOSED + 1)

static const struct {
	const char	*status;
	const char	*label;
} states[N_STATES] = {
	[PAA_ST_WAIT_PAN] =	{ "wait-pan",	"state=\"wait_pan\"" },
	[PAA_ST_WAIT_AAA] =	{ "wait-aaa",	"state=\"wait_aaa\"" },
	[PAA_ST_WAIT_PAN_C] =	{ "wait-pan-c",	"state=\"wait_pan_c\"" },
	[PAA_ST_OPEN] =		{ "open",	"state=\"open\"" },
	[PAA_ST_CLOSED] =	{ "closed",	"state=\"closed\"" },
};

static const char *const state_status[N_STATES] = {
	"sessions wait-pan", "sessions wait-aaa",
	"sessions wait-pan-c", "sessions open", "sessions closed"
};

const char *
relayd_state_name(enum paa_state st)
{
	return (unsigned int)st < N_STATES ? states[st].status : "?";
}

static void
count_state(void *arg, uint32_t id, const struct paa_session_info *info)
{
	uint64_t *n = arg;

	(void)id;
	if ((unsigned int)info->state < N_STATES)
		n[info->state]++;
}

struct table {
	struct ctl_counter	*c;
	size_t			 n;
};

static void
add(struct table *t, const char *status, const char *metric,
    const char *labels, const char *help, int gauge, uint64_t value)
{
	ctl_counter_add(t->c, RELAYD_COUNTERS_MAX, &t->n, status, metric,
	    labels, help, gauge, value);
}

#define HELP_SESSIONS	"PANA sessions in the PAA's table, by state."
#define HELP_FAILURES	"PANA sessions that ended without success, by " \
			"reason."
#define HELP_DROPS	"PANA datagrams the PAA dropped, by reason."
#define HELP_RELAY	"PANA datagrams the relay forwarded, by direction."
#define HELP_RELAY_DROP	"PANA datagrams the relay dropped, by the side " \
			"they came from."

static void
paa_counters(struct table *t, const struct paa *p)
{
	const struct paa_stats *s = paa_stats(p);
	uint64_t n[N_STATES];
	int i;

	memset(n, 0, sizeof(n));
	paa_session_walk(p, count_state, n);
	for (i = 0; i < N_STATES; i++)
		add(t, state_status[i], "pana_relayd_sessions",
		    states[i].label, HELP_SESSIONS, 1, n[i]);
	add(t, "joins", "pana_relayd_joins_total", NULL,
	    "Authentications completed (PAN[C] with the new key), "
	    "re-authentications included.", 0, s->sessions_open);
	add(t, "sessions created", "pana_relayd_sessions_created_total", NULL,
	    "PANA sessions started by a PCI.", 0, s->sessions_created);
	add(t, "sessions terminated", "pana_relayd_sessions_terminated_total",
	    NULL, "PANA sessions ended by a PTR/PTA exchange.", 0,
	    s->sessions_terminated);
	add(t, "failures rejected", "pana_relayd_failures_total",
	    "reason=\"rejected\"", HELP_FAILURES, 0, s->sessions_rejected);
	add(t, "failures aaa-timeout", "pana_relayd_failures_total",
	    "reason=\"aaa_timeout\"", HELP_FAILURES, 0, s->fail_aaa_timeout);
	add(t, "failures aaa-error", "pana_relayd_failures_total",
	    "reason=\"aaa_error\"", HELP_FAILURES, 0, s->fail_aaa_error);
	add(t, "failures idle", "pana_relayd_failures_total",
	    "reason=\"idle\"", HELP_FAILURES, 0, s->expired_idle);
	add(t, "failures retransmit", "pana_relayd_failures_total",
	    "reason=\"retransmit\"", HELP_FAILURES, 0, s->expired_retransmit);
	add(t, "failures lifetime", "pana_relayd_failures_total",
	    "reason=\"lifetime\"", HELP_FAILURES, 0, s->expired_lifetime);
	add(t, "pana received", "pana_relayd_received_total", NULL,
	    "PANA datagrams the PAA received.", 0, s->rx);
	add(t, "pana retransmits", "pana_relayd_retransmits_total", NULL,
	    "PANA requests the PAA sent again.", 0, s->retransmits);
	add(t, "pana repeats", "pana_relayd_repeats_total", NULL,
	    "Repeated PANA messages answered from the cache or ignored.", 0,
	    s->duplicates);
	add(t, "pings sent", "pana_relayd_pings_sent_total", NULL,
	    "PNR[P] the PAA sent (ping-interval, pana-relayctl ping).", 0,
	    s->pings_sent);
	add(t, "pings answered", "pana_relayd_pings_answered_total", NULL,
	    "PNA[P] answering the PAA's pings.", 0, s->pings_answered);
	add(t, "reauths by paa", "pana_relayd_paa_reauths_total", NULL,
	    "Re-authentications the PAA started (reauth-before, "
	    "pana-relayctl reauth).", 0, s->reauth_by_paa);
	add(t, "address updates", "pana_relayd_address_updates_total", NULL,
	    "Sessions moved to a new PaC address by an authenticated "
	    "message.", 0, s->address_updates);
	add(t, "drops malformed", "pana_relayd_drops_total",
	    "reason=\"malformed\"", HELP_DROPS, 0, s->malformed);
	add(t, "drops unknown-session", "pana_relayd_drops_total",
	    "reason=\"unknown_session\"", HELP_DROPS, 0, s->unknown_session);
	add(t, "drops bad-auth", "pana_relayd_drops_total",
	    "reason=\"bad_auth\"", HELP_DROPS, 0, s->bad_auth);
	add(t, "drops bad-sequence", "pana_relayd_drops_total",
	    "reason=\"bad_sequence\"", HELP_DROPS, 0, s->bad_seq);
	add(t, "drops unexpected", "pana_relayd_drops_total",
	    "reason=\"unexpected\"", HELP_DROPS, 0, s->unexpected);
	add(t, "drops over-cap", "pana_relayd_drops_total",
	    "reason=\"over_cap\"", HELP_DROPS, 0, s->over_cap);
}

static void
radius_counters(struct table *t, const struct relayd_radius_stats *r)
{
	add(t, "radius requests", "pana_relayd_radius_requests_total", NULL,
	    "EAP-Responses sent to RADIUS in an Access-Request.", 0,
	    r->requests);
	add(t, "radius round-trips", "pana_relayd_radius_round_trips_total",
	    NULL, "Access-Requests answered (Accept, Reject or Challenge).", 0,
	    r->round_trips);
	add(t, "radius timeouts", "pana_relayd_radius_timeouts_total", NULL,
	    "Access-Requests no RADIUS server answered, after every retry.",
	    0, r->timeouts);
	add(t, "radius send-errors", "pana_relayd_radius_send_errors_total",
	    NULL, "Access-Requests that could not be started.", 0,
	    r->send_errors);
	add(t, "radius dropped-replies",
	    "pana_relayd_radius_dropped_replies_total", NULL,
	    "RADIUS datagrams dropped: unmatched, unverified or undecodable.",
	    0, r->dropped_replies);
}

static void
relay_counters(struct table *t, const struct relay_stats *r)
{
	add(t, "relay to-paa", "pana_relayd_relay_forwarded_total",
	    "direction=\"to_paa\"", HELP_RELAY, 0, r->from_pac);
	add(t, "relay to-pac", "pana_relayd_relay_forwarded_total",
	    "direction=\"to_pac\"", HELP_RELAY, 0, r->from_paa);
	add(t, "relay drops from-pac", "pana_relayd_relay_drops_total",
	    "from=\"pac\"", HELP_RELAY_DROP, 0, r->dropped_pac);
	add(t, "relay drops from-paa", "pana_relayd_relay_drops_total",
	    "from=\"paa\"", HELP_RELAY_DROP, 0, r->dropped_paa);
}

size_t
relayd_counters(const struct relayd_view *v, struct ctl_counter *c)
{
	struct table t = { c, 0 };

	add(&t, "uptime seconds", "pana_relayd_uptime_seconds", NULL,
	    "Seconds since pana-relayd started.", 1, v->uptime_s);
	add(&t, "reloads", "pana_relayd_reloads_total", NULL,
	    "Configuration reloads applied.", 0, v->reloads);
	add(&t, "reloads refused", "pana_relayd_reload_errors_total", NULL,
	    "Configuration reloads refused; the old configuration stayed.", 0,
	    v->reload_errors);
	if (v->paa != NULL)
		paa_counters(&t, v->paa);
	if (v->radius != NULL)
		radius_counters(&t, v->radius);
	if (v->relay != NULL)
		relay_counters(&t, v->relay);
	if (v->das != NULL) {
		add(&t, "das received", "pana_relayd_das_received_total", NULL,
		    "Datagrams on the DAS port (doc/coa.md).", 0,
		    v->das->io.received);
		add(&t, "das dropped", "pana_relayd_das_dropped_total", NULL,
		    "DAS datagrams discarded without an answer.", 0,
		    v->das->io.dropped);
		add(&t, "das naks", "pana_relayd_das_naks_total", NULL,
		    "CoA-NAKs other than a first 507, and Disconnect-NAKs.", 0,
		    v->das->io.naks);
		add(&t, "das no session", "pana_relayd_das_no_session_total",
		    NULL, "CoA-Requests for a PaC address without an open "
		    "session (503).", 0, v->das->no_session);
		add(&t, "das reauths", "pana_relayd_das_reauths_total", NULL,
		    "Re-authentications started for a CoA-Request.", 0,
		    v->das->reauths);
	}
	if (v->ctl != NULL) {
		add(&t, "control requests", "pana_relayd_control_requests_total",
		    NULL, "Control socket requests answered.", 0,
		    v->ctl->requests);
		add(&t, "control refused", "pana_relayd_control_refused_total",
		    NULL, "Control connections closed: too many clients.", 0,
		    v->ctl->refused);
		add(&t, "control dropped", "pana_relayd_control_dropped_total",
		    NULL, "Control clients dropped: too slow or a socket error.",
		    0, v->ctl->dropped);
	}
	return t.n;
}

/* ------------------------------------------------------------ sessions */

struct listing {
	struct ctl_buf	*b;
	uint64_t	 now;
	unsigned int	 left_out;
};

static void
list_one(void *arg, uint32_t id, const struct paa_session_info *info)
{
	struct listing *l = arg;
	char pac[PANA_ADDRSTRLEN], via[PANA_ADDRSTRLEN], left[24];
	uint64_t age;

	pana_addr_str(&info->pac, 1, pac, sizeof(pac));
	if (info->relayed)
		pana_addr_str(&info->peer, 1, via, sizeof(via));
	else
		snprintf(via, sizeof(via), "-");
	age = l->now > info->created ? (l->now - info->created) / 1000 : 0;
	if (!info->have_key)
		snprintf(left, sizeof(left), "-");
	else
		snprintf(left, sizeof(left), "%llu", (unsigned long long)
		    (info->expires > l->now ? (info->expires - l->now) / 1000 :
		    0));
	if (l->b->full || ctl_buf_printf(l->b, "%08x %-24s %-10s %8llu %8s "
	    "%s\n", id, pac, relayd_state_name(info->state),
	    (unsigned long long)age, left, via) != 0)
		l->left_out++;
}

int
relayd_sessions(const struct paa *p, uint64_t now, struct ctl_buf *b)
{
	struct listing l = { b, now, 0 };

	if (ctl_buf_printf(b, "%-8s %-24s %-10s %8s %8s %s\n", "ID", "PAC",
	    "STATE", "AGE", "LEFT", "VIA") != 0)
		return -1;
	paa_session_walk(p, list_one, &l);
	if (l.left_out == 0)
		return 0;
	/* Room for the last line: the limit is far above one line. */
	b->full = 0;
	while (b->len > 0 && b->len + 64 > b->max) {
		b->len--;
		while (b->len > 0 && b->buf[b->len - 1] != '\n')
			b->len--;
	}
	b->buf[b->len] = '\0';
	(void)ctl_buf_printf(b, "# %u more sessions not listed\n",
	    l.left_out);
	return 0;
}

/* ------------------------------------------------------------ reload */

static int
differs(const void *a, const void *b, size_t len, const char *kw, char *err,
    size_t errlen)
{
	if (memcmp(a, b, len) == 0)
		return 0;
	snprintf(err, errlen, "%s changed: restart pana-relayd to apply it",
	    kw);
	return -1;
}

static int	das_reload_check(const struct das_settings *,
		    const struct das_settings *, char *, size_t);

int
relayd_reload_check(const struct pr_config *o, const struct pr_config *n,
    char *err, size_t errlen)
{
	if (differs(&o->role_paa, &n->role_paa, sizeof(int), "role", err,
	    errlen) != 0 ||
	    differs(&o->role_relay, &n->role_relay, sizeof(int), "role", err,
	    errlen) != 0 ||
	    differs(&o->paa_listen, &n->paa_listen, sizeof(o->paa_listen),
	    "paa-listen", err, errlen) != 0 ||
	    differs(&o->relay_listen, &n->relay_listen,
	    sizeof(o->relay_listen), "relay-listen", err, errlen) != 0 ||
	    differs(&o->relay_paa, &n->relay_paa, sizeof(o->relay_paa),
	    "relay-paa", err, errlen) != 0 ||
	    differs(o->dictdir, n->dictdir, sizeof(o->dictdir),
	    "radius-dictdir", err, errlen) != 0 ||
	    differs(o->dictionary, n->dictionary, sizeof(o->dictionary),
	    "radius-dictionary", err, errlen) != 0 ||
	    differs(o->user, n->user, sizeof(o->user), "user", err,
	    errlen) != 0 ||
	    differs(o->control_socket, n->control_socket,
	    sizeof(o->control_socket), "control-socket", err, errlen) != 0)
		return -1;
	return das_reload_check(&o->das, &n->das, err, errlen);
}

/*
 * The DAS is set up once (doc/coa.md section 6): its address, its
 * clients' addresses and its window must stay.  The running
 * configuration holds no secrets any more, so a changed das-client
 * secret alone is not seen: it needs a restart too.
 */
static int
das_reload_check(const struct das_settings *o, const struct das_settings *n,
    char *err, size_t errlen)
{
	size_t i;
	int same = o->have_listen == n->have_listen &&
	    o->n_clients == n->n_clients && o->window == n->window &&
	    (!o->have_listen || memcmp(&o->listen, &n->listen,
	    sizeof(o->listen)) == 0);

	for (i = 0; same && i < o->n_clients; i++)
		same = memcmp(&o->client[i].addr, &n->client[i].addr,
		    sizeof(o->client[i].addr)) == 0;
	if (same)
		return 0;
	snprintf(err, errlen, "das-listen, das-client or das-window changed: "
	    "restart pana-relayd to apply it");
	return -1;
}
