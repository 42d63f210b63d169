/*
 * gkey-pushd - the key server's push sender (doc/push.md).
 *
 * Listens on the PostgreSQL channel gkey_change (doc/sql.md section 8);
 * on `epoch N E` asks gkey.push_targets(N, recent) (doc/sql.md 5.8) which
 * nodes were served application N lately and through which NAS, and
 * sends each an RFC 5176 CoA-Request "re-authorize this node" (Service-
 * Type Authorize-Only, State, Event-Timestamp, Message-Authenticator,
 * Calling-Station-Id, GKey-Cert-SHA256, GKey-Requested-App).  The NAS
 * fetches the node's new records with its own Access-Request and
 * delivers them over its protected channel; the CoA carries only names.
 *
 * A notification reaches only a session listening at COMMIT: after every
 * LISTEN gkey-pushd asks gkey.push_epochs() (doc/sql.md 5.10) for each
 * application's newest epoch.  The first answer is its baseline; after a
 * reconnection every application whose newest epoch is higher than
 * recorded (by the notifications and the previous answer) is pushed as if
 * its `epoch N E' had arrived.
 *
 * One epoch's pushes are spread over push-window with jitter, every
 * transmission passes one rate gate (push-rate per second), unanswered
 * requests are retransmitted with exponential back-off and then given
 * up (the node's own refresh brings the keys).  libfreeradius encodes,
 * signs and verifies every packet; libpq runs non-blocking in the one
 * poll() loop.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <freeradius/build.h>
#include <freeradius/libradius.h>

#include <libpq-fe.h>

#include "control.h"
#include "daemon.h"
#include "hex.h"
#include "plog.h"
#include "pushd_conf.h"
#include "pushd_core.h"
#include "radattr.h"

#define NIDS			256
#define GKEY_VENDOR		32473
#define GKEY_ATTR_CERT_SHA256	2
#define GKEY_ATTR_REQUESTED_APP	3
#define CONNECT_TIMEOUT_MS	10000
#define MAX_EPOCHS_WAITING	4096
#define MAX_APPS		16384	/* applications whose epoch is recorded */
#define CSID_MAX		253
#define APP_NAME_MAX		64

#define TARGETS_QUERY							\
	"SELECT t.identity_id, encode(t.fingerprint, 'hex'), t.nas, "	\
	"t.calling_station, t.app_name "				\
	"FROM gkey.push_targets($1::bigint, $2::interval) t"
#define EPOCHS_QUERY	"SELECT app_id, epoch FROM gkey.push_epochs()"

/* One epoch's pushes. */
struct batch {
	uint32_t	 app, epoch;
	uint64_t	 started_ms;
	size_t		 targets, skipped, queued, sent, retransmitted;
	size_t		 nak507, acked, not_there, refused, given_up;
	size_t		 remaining;	/* queued or in flight */
	struct batch	*next;
};

struct peer;

struct item {
	struct batch		*b;
	const struct pushd_nas	*nas;
	struct peer		*peer;
	uint64_t		 due_us;
	long long		 identity;
	uint8_t			 fp[32];
	char			 csid[CSID_MAX + 1];
	char			 app_name[APP_NAME_MAX + 1];
	/* In flight. */
	RADIUS_PACKET		*req;
	int			 id;
	unsigned int		 tries;
	uint64_t		 first_us, deadline_us;
};

/* A NAS's address and port: one Identifier space (RFC 5176 2.3). */
struct peer {
	fr_ipaddr_t	 addr;
	uint16_t	 port;
	const char	*secret;
	const char	*name;		/* the first NAS name at this address */
	int		 fd;
	struct item	*pending[NIDS];
	unsigned int	 inflight, next_id;
	struct item	**q;		/* FIFO of queued items */
	size_t		 qhead, qlen, qcap;
};

enum db_state { DB_DOWN, DB_CONNECTING, DB_READY };
enum db_cmd { CMD_NONE, CMD_LISTEN, CMD_EPOCHS, CMD_TARGETS };

struct epoch_ref {
	uint32_t	app, epoch;
};

static struct {
	struct pushd_config	 cfg;
	struct peer		*peers;
	size_t			 n_peers;
	struct peer		**nas_peer;	/* per configured NAS */
	int			 fd4, fd6;
	uint64_t		 gate_us, gap_us;
	uint64_t		 state_counter;
	size_t			 queued_total;
	struct batch		*batches;

	PGconn			*pg;
	enum db_state		 db;
	enum db_cmd		 cmd;
	PostgresPollingStatusType pg_poll;
	uint64_t		 db_at_ms;	/* reconnect, or connect deadline */
	struct epoch_ref	 waiting[MAX_EPOCHS_WAITING];
	size_t			 n_waiting;
	struct epoch_ref	 asking;
	struct pushd_epochs	 epochs;	/* newest known, per application */
	struct pushd_app_epoch	 apps[MAX_APPS];

	/* Totals since start: the shutdown line and the control socket. */
	uint64_t		 t_epochs, t_sent, t_delivered, t_given_up;
	uint64_t		 t_targets, t_skipped, t_retransmitted, t_nak507;
	uint64_t		 t_acked, t_not_there, t_refused, t_dropped;
	uint64_t		 t_db_lost, t_notifies, t_caught_up;
	uint64_t		 started_ms;
	struct ctl_server	*ctl;
} d;

static int	ctl_handle(void *, const struct ctl_request *, struct ctl_buf *,
		    char *, size_t);

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
now_ms(void)
{
	return now_us() / 1000;
}

/* ------------------------------------------------------------ batches */

static void
batch_summary(struct batch *b)
{
	log_info("app %" PRIu32 " epoch %" PRIu32 " done in %" PRIu64 " ms: "
	    "%zu targets, %zu queued, %zu sent, %zu retransmitted, "
	    "%zu delivered (%zu CoA-NAK 507, %zu CoA-ACK), %zu not there "
	    "(503), %zu refused, %zu given up, %zu skipped",
	    b->app, b->epoch, now_ms() - b->started_ms, b->targets, b->queued,
	    b->sent, b->retransmitted, b->nak507 + b->acked, b->nak507,
	    b->acked, b->not_there, b->refused, b->given_up, b->skipped);
}

static void
batch_release(struct batch *b)
{
	struct batch	**pp;

	if (b->remaining > 0)
		return;
	batch_summary(b);
	for (pp = &d.batches; *pp != NULL; pp = &(*pp)->next)
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	free(b);
}

static void
item_done(struct item *it)
{
	struct batch	*b = it->b;

	if (it->req != NULL)
		rad_free(&it->req);
	free(it);
	d.queued_total--;
	b->remaining--;
	batch_release(b);
}

/* ------------------------------------------------------------ RADIUS */

static int
alloc_id(struct peer *pr)
{
	unsigned int	i, id;

	for (i = 0; i < NIDS; i++) {
		id = (pr->next_id + i) % NIDS;
		if (pr->pending[id] == NULL) {
			pr->next_id = (id + 1) % NIDS;
			return (int)id;
		}
	}
	return -1;
}

/* The CoA-Request of doc/push.md section 3 for it, Identifier id. */
static RADIUS_PACKET *
build_coa(struct item *it, int id)
{
	static const uint8_t	 zero_ma[AUTH_VECTOR_LEN];
	struct peer		*pr = it->peer;
	RADIUS_PACKET		*p;
	char			 state[64];
	int			 n;

	if ((p = rad_alloc(NULL, true)) == NULL)
		return NULL;
	p->code = PW_CODE_COA_REQUEST;
	p->id = id;
	p->sockfd = pr->fd;
	p->dst_ipaddr = pr->addr;
	p->dst_port = pr->port;
	n = snprintf(state, sizeof(state), "gkey-push:%" PRIu32 ":%" PRIu32
	    ":%" PRIu64, it->b->app, it->b->epoch, ++d.state_counter);
	if (n < 0 || (size_t)n >= sizeof(state) ||
	    radattr_integer(p, PW_SERVICE_TYPE, 0, PW_AUTHORIZE_ONLY) != 0 ||
	    radattr_octets(p, PW_STATE, 0, (const uint8_t *)state,
	    (size_t)n) != 0 ||
	    radattr_date(p, PW_EVENT_TIMESTAMP, (uint32_t)time(NULL)) != 0 ||
	    radattr_octets(p, PW_MESSAGE_AUTHENTICATOR, 0, zero_ma,
	    sizeof(zero_ma)) != 0 ||
	    (!it->nas->name_is_address &&
	    radattr_string(p, PW_NAS_IDENTIFIER, 0, it->nas->name) != 0) ||
	    radattr_string(p, PW_CALLING_STATION_ID, 0, it->csid) != 0 ||
	    radattr_octets(p, GKEY_ATTR_CERT_SHA256, GKEY_VENDOR, it->fp,
	    sizeof(it->fp)) != 0 ||
	    radattr_string(p, GKEY_ATTR_REQUESTED_APP, GKEY_VENDOR,
	    it->app_name) != 0) {
		rad_free(&p);
		return NULL;
	}
	return p;
}

/* The first transmission of the head of pr's queue. */
static void
send_head(struct peer *pr, uint64_t now)
{
	struct item	*it = pr->q[pr->qhead];
	int		 id;

	if ((id = alloc_id(pr)) < 0)
		return;
	pr->qhead++;
	pr->qlen--;
	if ((it->req = build_coa(it, id)) == NULL) {
		log_warnx("app %" PRIu32 " epoch %" PRIu32 ": cannot build the "
		    "CoA-Request for identity %lld: %s", it->b->app,
		    it->b->epoch, it->identity, fr_strerror());
		it->b->refused++;
		d.t_refused++;
		item_done(it);
		return;
	}
	it->id = id;
	it->tries = 1;
	it->first_us = now;
	it->deadline_us = now + (uint64_t)pushd_backoff_ms(d.cfg.timeout_ms,
	    1) * 1000;
	pr->pending[id] = it;
	pr->inflight++;
	it->b->sent++;
	d.t_sent++;
	/* A failed send is a lost packet: the timer retransmits. */
	if (rad_send(it->req, NULL, pr->secret) < 0)
		log_warnx_rl("sending to %s: %s", pr->name, fr_strerror());
	log_debug("CoA-Request id %d to %s for identity %lld (app %" PRIu32
	    " epoch %" PRIu32 ")", id, it->nas->name, it->identity,
	    it->b->app, it->b->epoch);
}

static void
unpend(struct item *it)
{
	struct peer	*pr = it->peer;

	if (pr->pending[it->id] == it) {
		pr->pending[it->id] = NULL;
		pr->inflight--;
	}
}

/* Retransmissions and give-ups of pr's requests due by now. */
static void
peer_timers(struct peer *pr, uint64_t now)
{
	struct item	*it;
	unsigned int	 i;

	if (pr->inflight == 0)
		return;
	for (i = 0; i < NIDS; i++) {
		if ((it = pr->pending[i]) == NULL || it->deadline_us > now)
			continue;
		if (it->tries > d.cfg.retries) {
			log_warnx_rl("gave up on identity %lld at %s (app %"
			    PRIu32 " epoch %" PRIu32 ") after %u tries in %"
			    PRIu64 " ms: left to its refresh", it->identity,
			    it->nas->name, it->b->app, it->b->epoch, it->tries,
			    (now - it->first_us) / 1000);
			it->b->given_up++;
			d.t_given_up++;
			unpend(it);
			item_done(it);
			continue;
		}
		if (!pushd_gate_take(&d.gate_us, now, d.gap_us))
			return;
		it->tries++;
		it->deadline_us = now +
		    (uint64_t)pushd_backoff_ms(d.cfg.timeout_ms, it->tries) *
		    1000;
		it->b->retransmitted++;
		d.t_retransmitted++;
		/* rad_send() resends the bytes it encoded: same Identifier
		 * and Request Authenticator (RFC 5080 2.2.1). */
		if (rad_send(it->req, NULL, pr->secret) < 0)
			log_warnx_rl("resending to %s: %s", pr->name,
			    fr_strerror());
		log_debug("retransmission %u of CoA-Request id %d to %s after %"
		    PRIu64 " ms", it->tries - 1, it->id, it->nas->name,
		    (now - it->first_us) / 1000);
	}
}

/* New transmissions, round robin over the peers, as the gate allows. */
static void
send_due(uint64_t now)
{
	struct peer	*pr;
	size_t		 i;
	int		 progress = 1;

	while (progress) {
		progress = 0;
		for (i = 0; i < d.n_peers; i++) {
			pr = &d.peers[i];
			if (pr->qlen == 0 || pr->inflight >= NIDS ||
			    pr->q[pr->qhead]->due_us > now)
				continue;
			if (!pushd_gate_take(&d.gate_us, now, d.gap_us))
				return;
			send_head(pr, now);
			progress = 1;
		}
	}
}

static void
peer_compact(struct peer *pr)
{
	if (pr->qhead > 0 && (pr->qlen == 0 || pr->qhead > pr->qcap / 2)) {
		memmove(pr->q, pr->q + pr->qhead, pr->qlen * sizeof(*pr->q));
		pr->qhead = 0;
	}
}

static int
peer_push(struct peer *pr, struct item *it)
{
	struct item	**grown;
	size_t		  cap;

	peer_compact(pr);
	if (pr->qhead + pr->qlen == pr->qcap) {
		cap = pr->qcap == 0 ? 64 : pr->qcap * 2;
		if ((grown = realloc(pr->q, cap * sizeof(*grown))) == NULL)
			return -1;
		pr->q = grown;
		pr->qcap = cap;
	}
	pr->q[pr->qhead + pr->qlen++] = it;
	return 0;
}

static struct peer *
peer_from(fr_ipaddr_t *a, uint16_t port)
{
	size_t	i;

	for (i = 0; i < d.n_peers; i++)
		if (d.peers[i].port == port &&
		    fr_ipaddr_cmp(&d.peers[i].addr, a) == 0)
			return &d.peers[i];
	return NULL;
}

/* One datagram from fd: an answer, or dropped with a reason. */
static int
read_answer(int fd)
{
	RADIUS_PACKET	*reply;
	struct peer	*pr;
	struct item	*it;
	VALUE_PAIR	*vp;
	enum pushd_ma_form form;
	uint32_t	 cause = 0;
	uint8_t		 peek;
	char		 a[INET6_ADDRSTRLEN];

	if (recv(fd, &peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		/* e.g. ECONNREFUSED from an ICMP error: consumed. */
		log_warnx_rl("CoA socket: %s", strerror(errno));
		return 1;
	}
	/* 1: an answer without Message-Authenticator is dropped. */
	if ((reply = rad_recv(NULL, fd, 1)) == NULL) {
		d.t_dropped++;
		log_warnx_rl("dropped a datagram: %s", fr_strerror());
		return 1;
	}
	fr_ntop(a, sizeof(a), &reply->src_ipaddr);
	if ((pr = peer_from(&reply->src_ipaddr, reply->src_port)) == NULL) {
		d.t_dropped++;
		log_warnx_rl("dropped a datagram from %s port %u: no such NAS",
		    a, reply->src_port);
		goto done;
	}
	if ((it = pr->pending[reply->id]) == NULL) {
		d.t_dropped++;
		log_warnx_rl("dropped an answer from %s: no request with "
		    "Identifier %d", pr->name, reply->id);
		goto done;
	}
	if (reply->code != PW_CODE_COA_ACK && reply->code != PW_CODE_COA_NAK) {
		d.t_dropped++;
		log_warnx_rl("dropped an answer from %s: code %u is not "
		    "CoA-ACK or CoA-NAK", pr->name, reply->code);
		goto done;
	}
	if (!pushd_has_one_ma(reply->data, reply->data_len)) {
		d.t_dropped++;
		log_warnx_rl("dropped an answer from %s: no single "
		    "Message-Authenticator", pr->name);
		goto done;
	}
	/*
	 * The Response Authenticator and the Message-Authenticator, on the
	 * octets as received.  The RFC 5176 form is checked by rad_verify()
	 * as well; the form libfreeradius 3.2's rad_sign() gives CoA-ACK and
	 * CoA-NAK (over zeros, doc/push.md 4.1) is one rad_verify() refuses.
	 */
	form = pushd_answer_auth(reply->data, reply->data_len, it->req->vector,
	    pr->secret);
	if (form == PUSHD_MA_BAD || (form == PUSHD_MA_RFC &&
	    rad_verify(reply, it->req, pr->secret) != 0)) {
		d.t_dropped++;
		log_warnx_rl("dropped an answer from %s: Response "
		    "Authenticator or Message-Authenticator does not verify",
		    pr->name);
		goto done;
	}
	if (rad_decode(reply, it->req, pr->secret) != 0) {
		d.t_dropped++;
		log_warnx_rl("dropped an answer from %s: cannot decode: %s",
		    pr->name, fr_strerror());
		goto done;
	}
	if ((vp = fr_pair_find_by_num(reply->vps, PW_ERROR_CAUSE, 0,
	    TAG_ANY)) != NULL)
		cause = vp->vp_integer;

	unpend(it);
	switch (pushd_classify(reply->code, cause)) {
	case PUSHD_DELIVERED:
		if (reply->code == PW_CODE_COA_ACK) {
			it->b->acked++;
			d.t_acked++;
		} else {
			it->b->nak507++;
			d.t_nak507++;
		}
		d.t_delivered++;
		log_debug("%s takes identity %lld (%s)", it->nas->name,
		    it->identity, reply->code == PW_CODE_COA_ACK ? "CoA-ACK" :
		    "CoA-NAK Request Initiated");
		break;
	case PUSHD_NOT_THERE:
		it->b->not_there++;
		d.t_not_there++;
		log_debug("%s has no identity %lld (CoA-NAK Session Context "
		    "Not Found)", it->nas->name, it->identity);
		break;
	case PUSHD_REFUSED:
		it->b->refused++;
		d.t_refused++;
		log_warnx_rl("%s refused the push of identity %lld: CoA-NAK "
		    "Error-Cause %" PRIu32 " (%s)", it->nas->name,
		    it->identity, cause, pushd_cause_name(cause));
		break;
	}
	item_done(it);
done:
	rad_free(&reply);
	return 1;
}

/* ------------------------------------------------------------ targets */

static struct item *
item_from_row(PGresult *r, int row, struct batch *b, const char **why)
{
	struct item	*it;
	const char	*id, *fp, *nas, *csid, *app;
	size_t		 len;
	char		*end;

	id = PQgetvalue(r, row, 0);
	fp = PQgetvalue(r, row, 1);
	nas = PQgetisnull(r, row, 2) ? NULL : PQgetvalue(r, row, 2);
	csid = PQgetisnull(r, row, 3) ? NULL : PQgetvalue(r, row, 3);
	app = PQgetvalue(r, row, 4);
	if (nas == NULL) {
		*why = "the log names no NAS";
		return NULL;
	}
	if (csid == NULL || csid[0] == '\0' || strlen(csid) > CSID_MAX) {
		*why = "the log has no usable Calling-Station-Id";
		return NULL;
	}
	if (strlen(app) > APP_NAME_MAX) {
		*why = "application name too long";
		return NULL;
	}
	if ((it = calloc(1, sizeof(*it))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	if (gkey_hex_decode(fp, strlen(fp), it->fp, sizeof(it->fp), &len) !=
	    0 || len != sizeof(it->fp)) {
		free(it);
		*why = "bad fingerprint";
		return NULL;
	}
	it->identity = strtoll(id, &end, 10);
	it->b = b;
	snprintf(it->csid, sizeof(it->csid), "%s", csid);
	snprintf(it->app_name, sizeof(it->app_name), "%s", app);
	return it;
}

static uint32_t
rnd32(void)
{
	return fr_rand();
}

/* The targets of one epoch, queued with their jittered due times. */
static void
queue_targets(PGresult *r, uint32_t app, uint32_t epoch)
{
	struct batch		*b;
	struct item		*it;
	const struct pushd_nas	*nas;
	const char		*why;
	uint64_t		*off = NULL, now = now_us();
	size_t			 i, n = (size_t)PQntuples(r), k = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		log_warnx("app %" PRIu32 " epoch %" PRIu32 ": out of memory, "
		    "left to the nodes' refresh", app, epoch);
		return;
	}
	b->app = app;
	b->epoch = epoch;
	b->started_ms = now / 1000;
	b->targets = n;
	b->remaining = 1;	/* held until every target is queued */
	b->next = d.batches;
	d.batches = b;
	d.t_epochs++;
	if (n > 0 && (off = calloc(n, sizeof(*off))) == NULL) {
		log_warnx("app %" PRIu32 " epoch %" PRIu32 ": out of memory for "
		    "%zu targets, left to the nodes' refresh", app, epoch, n);
		b->skipped = n;
		n = 0;
	}
	if (n > 0)
		pushd_jitter(off, n, d.cfg.window_ms, rnd32);
	for (i = 0; i < n; i++) {
		nas = PQgetisnull(r, (int)i, 2) ? NULL :
		    pushd_config_nas(&d.cfg, PQgetvalue(r, (int)i, 2));
		if (nas == NULL && !PQgetisnull(r, (int)i, 2)) {
			b->skipped++;
			log_warnx_rl("app %" PRIu32 " epoch %" PRIu32 ": skipped "
			    "identity %s: NAS '%s' is not configured", app,
			    epoch, PQgetvalue(r, (int)i, 0),
			    PQgetvalue(r, (int)i, 2));
			continue;
		}
		if (d.queued_total >= d.cfg.max_queue) {
			b->skipped++;
			log_warnx_rl("app %" PRIu32 " epoch %" PRIu32 ": skipped "
			    "identity %s: %u pushes queued already", app, epoch,
			    PQgetvalue(r, (int)i, 0), d.cfg.max_queue);
			continue;
		}
		if ((it = item_from_row(r, (int)i, b, &why)) == NULL) {
			b->skipped++;
			log_warnx_rl("app %" PRIu32 " epoch %" PRIu32 ": skipped "
			    "identity %s: %s", app, epoch,
			    PQgetvalue(r, (int)i, 0), why);
			continue;
		}
		it->nas = nas;
		it->peer = d.nas_peer[nas - d.cfg.nas];
		it->due_us = now + off[k++];
		if (peer_push(it->peer, it) != 0) {
			free(it);
			b->skipped++;
			log_warnx_rl("app %" PRIu32 " epoch %" PRIu32 ": out of "
			    "memory queueing a push", app, epoch);
			continue;
		}
		b->queued++;
		b->remaining++;
		d.queued_total++;
	}
	free(off);
	log_info("app %" PRIu32 " epoch %" PRIu32 ": %zu targets, %zu queued, "
	    "%zu skipped, spread over %" PRIu64 " ms (push-window %" PRIu32
	    " ms, push-rate %u/s)", app, epoch, b->targets, b->queued,
	    b->skipped, pushd_spread_ms(b->queued, d.cfg.window_ms,
	    d.cfg.rate), d.cfg.window_ms, d.cfg.rate);
	d.t_targets += b->targets;
	d.t_skipped += b->skipped;
	b->remaining--;
	batch_release(b);
}

/* ------------------------------------------------------------ database */

static void
db_lost(const char *what)
{
	char	msg[256];
	size_t	l;

	snprintf(msg, sizeof(msg), "%s", d.pg != NULL ?
	    PQerrorMessage(d.pg) : "out of memory");
	l = strlen(msg);
	while (l > 0 && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
		msg[--l] = '\0';
	for (l = 0; msg[l] != '\0'; l++)
		if (msg[l] == '\n')
			msg[l] = ' ';
	log_warnx("database %s: %s; reconnecting in %u s (epochs created "
	    "until then are caught up after it)", what, msg,
	    d.cfg.reconnect_s);
	/* The epochs known but not asked for yet wait for the next session. */
	if (d.cmd == CMD_TARGETS) {
		if (d.n_waiting == MAX_EPOCHS_WAITING)
			log_warnx("app %" PRIu32 " epoch %" PRIu32 ": targets "
			    "not read and %d epochs wait already, left to the "
			    "nodes' refresh", d.asking.app, d.asking.epoch,
			    MAX_EPOCHS_WAITING);
		else {
			memmove(d.waiting + 1, d.waiting, d.n_waiting++ *
			    sizeof(d.waiting[0]));
			d.waiting[0] = d.asking;
		}
	}
	if (d.n_waiting > 0)
		log_warnx("%zu epochs wait for the reconnection", d.n_waiting);
	PQfinish(d.pg);
	d.pg = NULL;
	d.db = DB_DOWN;
	d.t_db_lost++;
	d.cmd = CMD_NONE;
	d.db_at_ms = now_ms() + (uint64_t)d.cfg.reconnect_s * 1000;
}

/* The server's notices and errors (a FATAL before it closes) to the log. */
static void
db_notice(void *arg, const char *msg)
{
	char	line[256];
	size_t	l;

	(void)arg;
	snprintf(line, sizeof(line), "%s", msg);
	for (l = strlen(line); l > 0 && (line[l - 1] == '\n' ||
	    line[l - 1] == ' '); l--)
		line[l - 1] = '\0';
	log_info("database says: %s", line);
}

static void
db_start(void)
{
	const char	*kw[] = { "dbname", "fallback_application_name", NULL };
	const char	*val[] = { d.cfg.conninfo, "gkey-pushd", NULL };

	d.pg = PQconnectStartParams(kw, val, 1);
	if (d.pg == NULL || PQstatus(d.pg) == CONNECTION_BAD) {
		db_lost("connection failed");
		return;
	}
	PQsetNoticeProcessor(d.pg, db_notice, NULL);
	d.db = DB_CONNECTING;
	d.pg_poll = PGRES_POLLING_WRITING;
	d.db_at_ms = now_ms() + CONNECT_TIMEOUT_MS;
}

static void
db_ask_next(void)
{
	char		 app[16], since[32];
	const char	*params[2] = { app, since };

	if (d.db != DB_READY || d.cmd != CMD_NONE || d.n_waiting == 0)
		return;
	d.asking = d.waiting[0];
	memmove(d.waiting, d.waiting + 1, --d.n_waiting * sizeof(d.waiting[0]));
	snprintf(app, sizeof(app), "%" PRIu32, d.asking.app);
	snprintf(since, sizeof(since), "%u seconds", d.cfg.recent);
	if (!PQsendQueryParams(d.pg, TARGETS_QUERY, 2, NULL, params, NULL,
	    NULL, 0)) {
		db_lost("query failed");
		return;
	}
	d.cmd = CMD_TARGETS;
}

/* After LISTEN: each application's newest epoch (doc/sql.md 5.10). */
static void
db_ask_epochs(void)
{
	if (!PQsendQueryParams(d.pg, EPOCHS_QUERY, 0, NULL, NULL, NULL, NULL,
	    0)) {
		db_lost("query failed");
		return;
	}
	d.cmd = CMD_EPOCHS;
}

/* Queues an epoch for its targets query; 0 when the queue is full (logged). */
static int
wait_epoch(uint32_t app, uint32_t epoch)
{
	if (d.n_waiting == MAX_EPOCHS_WAITING) {
		log_warnx_rl("app %" PRIu32 " epoch %" PRIu32 ": %d epochs wait "
		    "already, left to the nodes' refresh", app, epoch,
		    MAX_EPOCHS_WAITING);
		return 0;
	}
	d.waiting[d.n_waiting].app = app;
	d.waiting[d.n_waiting++].epoch = epoch;
	return 1;
}

/*
 * A caught-up epoch is asked for as a notification's is; an epoch of the
 * same application still waiting (kept from the lost session) is raised
 * to it rather than asked for twice.
 */
static void
queue_caught_up(uint32_t app, uint32_t epoch)
{
	size_t	i;

	for (i = 0; i < d.n_waiting; i++)
		if (d.waiting[i].app == app) {
			if (epoch > d.waiting[i].epoch)
				d.waiting[i].epoch = epoch;
			return;
		}
	(void)wait_epoch(app, epoch);
}

/* The answer of gkey.push_epochs(): the baseline, or what to catch up. */
static void
epochs_result(PGresult *r)
{
	struct pushd_app_epoch	*rows, *up;
	size_t			 i, n = (size_t)PQntuples(r), m = 0, k;
	unsigned long long	 app, epoch;
	char			*end;
	int			 first = !d.epochs.known;

	rows = calloc(n > 0 ? n : 1, sizeof(*rows));
	up = calloc(n > 0 ? n : 1, sizeof(*up));
	if (rows == NULL || up == NULL) {
		log_warnx("out of memory for the newest epochs of %zu "
		    "applications: epochs created while disconnected are "
		    "left to the nodes' refresh", n);
		goto done;
	}
	for (i = 0; i < n; i++) {
		errno = 0;
		app = strtoull(PQgetvalue(r, (int)i, 0), &end, 10);
		if (errno != 0 || *end != '\0' || app < 1 || app > UINT32_MAX)
			continue;
		errno = 0;
		epoch = strtoull(PQgetvalue(r, (int)i, 1), &end, 10);
		if (errno != 0 || *end != '\0' || epoch < 1 || epoch > INT32_MAX)
			continue;
		rows[m].app = (uint32_t)app;
		rows[m++].epoch = (uint32_t)epoch;
	}
	k = pushd_epochs_merge(&d.epochs, rows, m, up);
	if (d.epochs.limit != UINT32_MAX)
		log_warnx("%zu applications, more than the %d recorded: epochs "
		    "of applications above id %" PRIu32 " created while "
		    "disconnected are left to the nodes' refresh", m, MAX_APPS,
		    d.epochs.limit);
	for (i = 0; i < k; i++) {
		log_info("caught up: app %" PRIu32 " epoch %" PRIu32 " created "
		    "while disconnected", up[i].app, up[i].epoch);
		queue_caught_up(up[i].app, up[i].epoch);
		d.t_caught_up++;
	}
	if (first)
		log_info("recorded the newest epochs of %zu applications", m);
	else
		log_info("after the reconnection: %zu of %zu applications had "
		    "an epoch created while disconnected", k, m);
done:
	free(rows);
	free(up);
}

static void
db_notifies(void)
{
	PGnotify	*n;
	uint32_t	 app, epoch;

	while ((n = PQnotifies(d.pg)) != NULL) {
		if (strcmp(n->relname, "gkey_change") == 0 &&
		    pushd_parse_payload(n->extra, strlen(n->extra), &app,
		    &epoch)) {
			if (!pushd_epochs_note(&d.epochs, app, epoch))
				log_debug("app %" PRIu32 " epoch %" PRIu32
				    ": pushed already by the catch-up", app,
				    epoch);
			else if (wait_epoch(app, epoch)) {
				d.t_notifies++;
				log_debug("new epoch %" PRIu32 " of app %"
				    PRIu32, epoch, app);
			}
		}
		PQfreemem(n);
	}
}

/* Every result of the command in flight, once it is complete. */
static void
db_results(void)
{
	PGresult	*r;
	const char	*msg;
	enum db_cmd	 done;
	int		 failed = 0;

	while (d.cmd != CMD_NONE && !PQisBusy(d.pg)) {
		if ((r = PQgetResult(d.pg)) == NULL) {
			done = d.cmd;
			d.cmd = CMD_NONE;
			if (done == CMD_LISTEN && !failed) {
				d.db = DB_READY;
				log_info("database connected, listening on "
				    "gkey_change");
				db_ask_epochs();
			}
			break;
		}
		switch (PQresultStatus(r)) {
		case PGRES_COMMAND_OK:
			break;
		case PGRES_TUPLES_OK:
			if (d.cmd == CMD_TARGETS)
				queue_targets(r, d.asking.app, d.asking.epoch);
			else if (d.cmd == CMD_EPOCHS)
				epochs_result(r);
			break;
		default:
			failed = 1;
			msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
			if (msg == NULL)
				msg = "unknown error";
			if (d.cmd == CMD_TARGETS)
				log_warnx("app %" PRIu32 " epoch %" PRIu32
				    ": gkey.push_targets failed: %s", d.asking.app,
				    d.asking.epoch, msg);
			else if (d.cmd == CMD_EPOCHS)
				log_warnx("gkey.push_epochs failed: %s: epochs "
				    "created while disconnected are left to the "
				    "nodes' refresh", msg);
			else
				log_warnx("LISTEN gkey_change failed: %s", msg);
			break;
		}
		PQclear(r);
	}
	if (failed && d.db != DB_READY) {
		db_lost("LISTEN failed");
		return;
	}
	db_ask_next();
}

static void
db_connecting(void)
{
	d.pg_poll = PQconnectPoll(d.pg);
	switch (d.pg_poll) {
	case PGRES_POLLING_FAILED:
		db_lost("connection failed");
		return;
	case PGRES_POLLING_OK:
		if (PQsetnonblocking(d.pg, 1) != 0 ||
		    !PQsendQuery(d.pg, "LISTEN gkey_change")) {
			db_lost("LISTEN failed");
			return;
		}
		/* Still connecting: READY once LISTEN is done. */
		d.cmd = CMD_LISTEN;
		break;
	default:
		break;
	}
}

static void
db_input(void)
{
	if (!PQconsumeInput(d.pg) || PQstatus(d.pg) == CONNECTION_BAD) {
		db_lost("connection lost");
		return;
	}
	db_notifies();
	db_results();
	if (d.pg != NULL && PQstatus(d.pg) == CONNECTION_BAD)
		db_lost("connection lost");
}

/* ------------------------------------------------------------ setup */

static int
open_socket(int af)
{
	fr_ipaddr_t	any;
	int		fd, fl;

	memset(&any, 0, sizeof(any));
	any.af = af;
	any.prefix = af == AF_INET6 ? 128 : 32;
	if ((fd = fr_socket(&any, 0)) < 0)
		fatalx("cannot open the CoA socket: %s", fr_strerror());
	if ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		fatal("fcntl on the CoA socket");
	return fd;
}

static void
setup(void)
{
	struct pushd_nas	*n;
	struct peer		*pr;
	fr_ipaddr_t		 a;
	size_t			 i;
	char			 dcopy[sizeof(d.cfg.dictionary)];
	char			*slash;

	if (fr_check_lib_magic(RADIUSD_MAGIC_NUMBER) < 0)
		fatalx("libfreeradius-radius does not match the headers: %s",
		    fr_strerror());
	if (dict_init(d.cfg.dictdir, "dictionary") < 0)
		fatalx("cannot load %s/dictionary: %s", d.cfg.dictdir,
		    fr_strerror());
	snprintf(dcopy, sizeof(dcopy), "%s", d.cfg.dictionary);
	if ((slash = strrchr(dcopy, '/')) == NULL)
		fatalx("radius-dictionary: '%s' is not a path", dcopy);
	*slash = '\0';
	if (dict_read(dcopy[0] != '\0' ? dcopy : "/", slash + 1) < 0)
		fatalx("cannot load %s: %s", d.cfg.dictionary, fr_strerror());
	if (dict_attrbyvalue(GKEY_ATTR_CERT_SHA256, GKEY_VENDOR) == NULL ||
	    dict_attrbyvalue(GKEY_ATTR_REQUESTED_APP, GKEY_VENDOR) == NULL)
		fatalx("GKey-Cert-SHA256 and GKey-Requested-App (vendor %d) "
		    "are not in the dictionaries", GKEY_VENDOR);

	d.fd4 = d.fd6 = -1;
	if ((d.peers = calloc(d.cfg.n_nas, sizeof(*d.peers))) == NULL ||
	    (d.nas_peer = calloc(d.cfg.n_nas, sizeof(*d.nas_peer))) == NULL)
		fatalx("out of memory");
	for (i = 0; i < d.cfg.n_nas; i++) {
		n = &d.cfg.nas[i];
		if (fr_pton(&a, n->host, -1, AF_UNSPEC, false) < 0)
			fatalx("nas %s: bad address '%s': %s", n->name, n->host,
			    fr_strerror());
		if ((pr = peer_from(&a, n->port)) != NULL) {
			if (strcmp(pr->secret, n->secret) != 0)
				fatalx("nas %s: same address and port as %s but "
				    "another secret", n->name, pr->name);
		} else {
			pr = &d.peers[d.n_peers++];
			pr->addr = a;
			pr->port = n->port;
			pr->secret = n->secret;
			pr->name = n->name;
			pr->next_id = fr_rand() % NIDS;
			if (a.af == AF_INET6) {
				if (d.fd6 < 0)
					d.fd6 = open_socket(AF_INET6);
				pr->fd = d.fd6;
			} else {
				if (d.fd4 < 0)
					d.fd4 = open_socket(AF_INET);
				pr->fd = d.fd4;
			}
		}
		d.nas_peer[i] = pr;
	}
	d.gap_us = pushd_rate_gap_us(d.cfg.rate);
	d.gate_us = 0;
	d.started_ms = now_ms();
	pushd_epochs_init(&d.epochs, d.apps, MAX_APPS);
	/* Before dropping root: the socket's directory may be root's. */
	d.ctl = ctl_server_start(d.cfg.control_socket, ctl_handle, NULL);
}

/* ------------------------------------------------------------ control */

#define PUSHD_COUNTERS_MAX	32

static size_t
inflight_count(void)
{
	size_t	i, n = 0;

	for (i = 0; i < d.n_peers; i++)
		n += d.peers[i].inflight;
	return n;
}

/* What `status' and `metrics' show: one table, the same values. */
static size_t
pushd_counters(struct ctl_counter *c, size_t max)
{
	const struct ctl_stats	*cs = ctl_server_stats(d.ctl);
	size_t			 n = 0;

#define C(st, me, la, he, ga, va)					\
	ctl_counter_add(c, max, &n, (st), (me), (la), (he), (ga), (va))
#define R(st, la, va)							\
	C(st, "gkey_pushd_results_total", "result=\"" la "\"",		\
	    "Pushes by outcome.", 0, va)

	C("uptime seconds", "gkey_pushd_uptime_seconds", NULL,
	    "Seconds since gkey-pushd started.", 1,
	    (now_ms() - d.started_ms) / 1000);
	C("database connected", "gkey_pushd_database_connected", NULL,
	    "1 while the database connection is up and listening.", 1,
	    d.db == DB_READY);
	C("database connections lost", "gkey_pushd_database_lost_total",
	    NULL, "Database connections lost or failed.", 0, d.t_db_lost);
	C("epochs notified", "gkey_pushd_epochs_notified_total", NULL,
	    "epoch payloads received on gkey_change.", 0, d.t_notifies);
	C("epochs caught up", "gkey_pushd_epochs_caught_up_total", NULL,
	    "Epochs created while disconnected, found after reconnecting.",
	    0, d.t_caught_up);
	C("epochs pushed", "gkey_pushd_epochs_total", NULL,
	    "Epochs whose targets were read.", 0, d.t_epochs);
	C("targets", "gkey_pushd_targets_total", NULL,
	    "Targets gkey.push_targets returned.", 0, d.t_targets);
	C("targets skipped", "gkey_pushd_skipped_total", NULL,
	    "Targets not pushed (unknown NAS, no Calling-Station-Id, queue "
	    "full).", 0, d.t_skipped);
	C("CoA-Requests sent", "gkey_pushd_sent_total", NULL,
	    "CoA-Requests sent (first transmission).", 0, d.t_sent);
	C("CoA-Requests retransmitted", "gkey_pushd_retransmits_total",
	    NULL, "CoA-Requests sent again.", 0, d.t_retransmitted);
	R("delivered 507", "nak_507", d.t_nak507);
	R("delivered ACK", "ack", d.t_acked);
	R("not there 503", "nak_503", d.t_not_there);
	R("refused", "refused", d.t_refused);
	R("given up", "given_up", d.t_given_up);
	C("answers dropped", "gkey_pushd_answers_dropped_total", NULL,
	    "Datagrams dropped (unknown, forged, bad code).", 0,
	    d.t_dropped);
	C("queued", "gkey_pushd_queued", NULL,
	    "Pushes queued or in flight.", 1, d.queued_total);
	C("in flight", "gkey_pushd_in_flight", NULL,
	    "CoA-Requests waiting for an answer.", 1, inflight_count());
	C("log lines suppressed", "gkey_pushd_log_suppressed_total", NULL,
	    "Warnings not logged by the rate limit.", 0,
	    log_rl_suppressed());
	C("control requests", "gkey_pushd_control_requests_total", NULL,
	    "Control socket requests answered.", 0, cs->requests);
	C("control refused", "gkey_pushd_control_refused_total", NULL,
	    "Control connections refused (too many clients).", 0,
	    cs->refused);
	C("control dropped", "gkey_pushd_control_dropped_total", NULL,
	    "Control connections dropped (time-out or error).", 0,
	    cs->dropped);
#undef R
#undef C
	return n;
}

static int
ctl_handle(void *arg, const struct ctl_request *req, struct ctl_buf *b,
    char *err, size_t errlen)
{
	struct ctl_counter	c[PUSHD_COUNTERS_MAX];

	(void)arg;
	if (req->cmd == CTL_CMD_STATUS && ctl_buf_printf(b, "nas: %zu\n"
	    "push-window-ms: %" PRIu32 "\npush-rate: %u\n", d.cfg.n_nas,
	    d.cfg.window_ms, d.cfg.rate) != 0)
		return -1;
	return ctl_answer_counters("gkey-pushd", req, c,
	    pushd_counters(c, PUSHD_COUNTERS_MAX), b, err, errlen);
}

/* ------------------------------------------------------------ loop */

static int
next_timeout(uint64_t now)
{
	uint64_t	 first = UINT64_MAX, t;
	struct peer	*pr;
	size_t		 i;
	unsigned int	 k;

	for (i = 0; i < d.n_peers; i++) {
		pr = &d.peers[i];
		if (pr->qlen > 0 && pr->inflight < NIDS) {
			t = pr->q[pr->qhead]->due_us;
			if (t < d.gate_us)
				t = d.gate_us;
			if (t < first)
				first = t;
		}
		if (pr->inflight == 0)
			continue;
		for (k = 0; k < NIDS; k++) {
			if (pr->pending[k] == NULL)
				continue;
			t = pr->pending[k]->deadline_us;
			/* A retransmission also waits for the gate. */
			if (pr->pending[k]->tries <= d.cfg.retries &&
			    t < d.gate_us)
				t = d.gate_us;
			if (t < first)
				first = t;
		}
	}
	if (d.db == DB_DOWN || d.db == DB_CONNECTING) {
		t = d.db_at_ms * 1000;
		if (t < first)
			first = t;
	}
	if (first == UINT64_MAX)
		return -1;
	if (first <= now)
		return 0;
	t = (first - now + 999) / 1000;
	return t > INT_MAX ? INT_MAX : (int)t;
}

static void
loop(void)
{
	struct pollfd	pfd[3 + CTL_POLLFDS];
	int		npfd, i, fd_pg, timeout;
	uint64_t	now;
	size_t		k, nctl;

	db_start();
	while (!daemon_quit) {
		now = now_us();
		if (d.db == DB_DOWN && now / 1000 >= d.db_at_ms)
			db_start();
		else if (d.db == DB_CONNECTING && d.cmd == CMD_NONE &&
		    now / 1000 >= d.db_at_ms) {
			db_lost("connection timed out");
		}
		for (k = 0; k < d.n_peers; k++)
			peer_timers(&d.peers[k], now);
		send_due(now);

		npfd = 0;
		fd_pg = -1;
		if (d.fd4 >= 0) {
			pfd[npfd].fd = d.fd4;
			pfd[npfd++].events = POLLIN;
		}
		if (d.fd6 >= 0) {
			pfd[npfd].fd = d.fd6;
			pfd[npfd++].events = POLLIN;
		}
		if (d.pg != NULL && (fd_pg = PQsocket(d.pg)) >= 0) {
			pfd[npfd].fd = fd_pg;
			pfd[npfd].events = POLLIN;
			if (d.db == DB_CONNECTING && d.cmd == CMD_NONE &&
			    d.pg_poll == PGRES_POLLING_WRITING)
				pfd[npfd].events = POLLOUT;
			else if (d.cmd != CMD_NONE && PQflush(d.pg) == 1)
				pfd[npfd].events |= POLLOUT;
			npfd++;
		}
		timeout = next_timeout(now_us());
		nctl = ctl_server_prepare(d.ctl, pfd + npfd, &timeout,
		    now_ms());
		if (poll(pfd, (nfds_t)npfd + nctl, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		for (i = 0; i < npfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == fd_pg && d.pg != NULL) {
				if (d.db == DB_CONNECTING && d.cmd == CMD_NONE)
					db_connecting();
				else
					db_input();
				continue;
			}
			while (read_answer(pfd[i].fd) > 0)
				;
		}
		ctl_server_dispatch(d.ctl, pfd + npfd, nctl, now_ms());
	}
}

static void
shutdown_log(void)
{
	log_info("exiting: %" PRIu64 " epochs, %" PRIu64 " CoA-Requests "
	    "sent, %" PRIu64 " delivered, %" PRIu64 " given up", d.t_epochs,
	    d.t_sent, d.t_delivered, d.t_given_up);
}

int
main(int argc, char *argv[])
{
	static const int	sigs[] = { SIGINT, SIGTERM };
	struct daemon_args	args;
	char			err[PUSHD_CONF_ERRLEN];

	daemon_args(argc, argv, "gkey-pushd", PUSHD_CONF_DEFAULT, &args);
	log_init(1, args.verbose, "gkey-pushd");
	if (pushd_config_load(args.conffile, &d.cfg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (args.noaction) {
		fprintf(stderr, "configuration OK\n");
		pushd_config_clear(&d.cfg);
		return 0;
	}
	setup();
	daemon_drop_privileges(d.cfg.user);
	daemon_detach(args.foreground, args.verbose, "gkey-pushd");
	daemon_signals(sigs, sizeof(sigs) / sizeof(sigs[0]));
	log_info("started: %zu NAS, %zu addresses, push-window %" PRIu32
	    " ms, push-rate %u/s, recent %u s, timeout %u ms, %u retries "
	    "(gives up after %" PRIu64 " ms)", d.cfg.n_nas, d.n_peers,
	    d.cfg.window_ms, d.cfg.rate, d.cfg.recent, d.cfg.timeout_ms,
	    d.cfg.retries, pushd_giveup_ms(d.cfg.timeout_ms, d.cfg.retries));
	loop();
	shutdown_log();
	if (d.pg != NULL)
		PQfinish(d.pg);
	ctl_server_close(d.ctl);
	pushd_config_clear(&d.cfg);
	return 0;
}
