/*
 * pana-relayd - PANA Authentication Agent (RFC 5191) and PANA Relay
 * Element (RFC 6345) for gkey: IoT nodes authenticate with EAP-TLS, the
 * PAA carries EAP to FreeRADIUS and hands the nodes their group key
 * records in the final PANA-Auth-Request.
 *
 * This file holds main(), the sockets and the poll() loop (the command
 * line, privilege dropping, detaching and signals are libdaemon's); the
 * PAA state machine is paa.c, the relay relay.c, the messages pana_msg.c,
 * RADIUS radius_client.c, the key server's push (a CoA-Request starting a
 * re-authentication, doc/coa.md) libdas.  Only start-up errors are fatal:
 * after that a bad datagram is a rate-limited warning and a drop.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "clock.h"
#include "control.h"
#include "daemon.h"
#include "das.h"
#include "das_io.h"
#include "relayd_conf.h"
#include "relayd_ctl.h"
#include "paa.h"
#include "pana_msg.h"
#include "plog.h"
#include "radius_client.h"
#include "relay.h"

#define RX_BURST	64	/* datagrams read per socket per wake-up */

enum { FD_PAA, FD_RADIUS, FD_RELAY_PAC, FD_RELAY_PAA, FD_DAS, FD_MAX };

#define DAS_MATCH_MAX	16	/* sessions of one PaC address re-authenticated */

struct daemon {
	struct pr_config	 cfg;
	int			 fd[FD_MAX];
	struct paa		*paa;
	struct radius_client	*rc;
	struct relay_stats	 relay;
	uint8_t			*rxbuf;
	uint8_t			*txbuf;
	/* pana-relayctl: the control socket and what only it shows. */
	struct ctl_server	*ctl;
	struct relayd_radius_stats radius;
	const char		*conffile;
	uint64_t		 started;
	uint64_t		 reloads;
	uint64_t		 reload_errors;
	int			 verbose;	/* -v */
	struct das		*das;		/* NULL: no das-listen */
	struct relayd_das_stats	 das_st;
};

static struct daemon d;

static socklen_t
sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

/* A non-blocking UDP socket bound to ss, or connected to it. */
static int
udp_socket(const struct sockaddr_storage *ss, int do_connect,
    const char *what)
{
	char name[INET6_ADDRSTRLEN + 16];
	int fd, on = 1;

	pana_addr_str(ss, 1, name, sizeof(name));
	fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		fatal("%s: socket", what);
	if (!do_connect) {
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on)) == -1)
			fatal("%s: SO_REUSEADDR", what);
		if (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
		    IPV6_V6ONLY, &on, sizeof(on)) == -1)
			fatal("%s: IPV6_V6ONLY", what);
		if (bind(fd, (const struct sockaddr *)ss, sa_len(ss)) == -1)
			fatal("%s: bind %s", what, name);
	} else if (connect(fd, (const struct sockaddr *)ss, sa_len(ss)) == -1)
		fatal("%s: connect %s", what, name);
	log_info("%s: %s %s", what, do_connect ? "sending to" : "listening on",
	    name);
	return fd;
}

/* ------------------------------------------------------------ PAA glue */

static int
paa_send(void *arg, const struct sockaddr_storage *to, const uint8_t *buf,
    size_t len)
{
	char name[INET6_ADDRSTRLEN + 16];

	(void)arg;
	if (sendto(d.fd[FD_PAA], buf, len, 0, (const struct sockaddr *)to,
	    sa_len(to)) == -1) {
		pana_addr_str(to, 1, name, sizeof(name));
		log_warnx_rl("sendto %s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

static int
paa_aaa_send(void *arg, const struct paa_aaa_req *q)
{
	struct radius_session *rs = *q->ctx;

	(void)arg;
	/* Each EAP exchange gets a fresh RADIUS session (User-Name, State). */
	if (q->first && rs != NULL) {
		radius_session_free(rs);
		*q->ctx = rs = NULL;
	}
	if (rs == NULL) {
		rs = radius_session_new(d.rc, q->calling_station,
		    (void *)(uintptr_t)q->session_id);
		if (rs == NULL) {
			d.radius.send_errors++;
			log_warnx_rl("session %08x: no RADIUS session: %s",
			    q->session_id, radius_client_error(d.rc));
			return -1;
		}
		*q->ctx = rs;
	}
	if (radius_client_send(rs, q->eap, q->eap_len,
	    gkey_now_ms()) != 0) {
		d.radius.send_errors++;
		log_warnx_rl("session %08x: RADIUS request not sent: %s",
		    q->session_id, radius_client_error(d.rc));
		return -1;
	}
	d.radius.requests++;
	return 0;
}

static void
paa_aaa_free(void *arg, uint32_t session_id, void *ctx)
{
	(void)arg;
	(void)session_id;
	if (ctx != NULL)
		radius_session_free(ctx);
}

static void
radius_result(struct radius_session *rs, const struct radius_result *r,
    void *arg)
{
	struct paa_aaa_result res;
	uint32_t id = (uint32_t)(uintptr_t)arg;

	(void)rs;
	if (r->outcome == RADIUS_TIMEOUT)
		d.radius.timeouts++;
	else
		d.radius.round_trips++;
	memset(&res, 0, sizeof(res));
	switch (r->outcome) {
	case RADIUS_CHALLENGE:
		res.code = PAA_AAA_CHALLENGE;
		break;
	case RADIUS_ACCEPT:
		res.code = PAA_AAA_ACCEPT;
		break;
	case RADIUS_REJECT:
		res.code = PAA_AAA_REJECT;
		break;
	default:
		res.code = PAA_AAA_FAIL;
		break;
	}
	res.eap = r->eap;
	res.eap_len = r->eap_len;
	if (r->has_msk) {
		res.msk = r->msk;
		res.msk_len = sizeof(r->msk);
	}
	res.session_timeout = r->has_session_timeout ? r->session_timeout : 0;
	res.records = r->records;
	res.record_lens = r->record_len;
	res.n_records = r->nrecords;
	res.reply_message = r->reply_message;
	if (r->records_dropped > 0)
		log_warnx_rl("session %08x: %zu key records beyond the maximum "
		    "were dropped", id, r->records_dropped);
	log_debug("session %08x: RADIUS outcome %d from %s", id, r->outcome,
	    r->server != NULL ? r->server : "-");
	paa_aaa_result(d.paa, gkey_now_ms(), id, &res);
}

/* ------------------------------------------------------------ events */

static void
read_paa(void)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;
	int i;

	for (i = 0; i < RX_BURST; i++) {
		fromlen = sizeof(from);
		n = recvfrom(d.fd[FD_PAA], d.rxbuf, PANA_MSG_MAX, 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warnx_rl("recvfrom: %s", strerror(errno));
			return;
		}
		if (from.ss_family != AF_INET && from.ss_family != AF_INET6)
			continue;
		paa_input(d.paa, gkey_now_ms(), &from, d.rxbuf, (size_t)n);
	}
}

static void
read_radius(void)
{
	int i;

	for (i = 0; i < RX_BURST; i++) {
		switch (radius_client_read(d.rc)) {
		case 0:
			return;
		case -1:
			d.radius.dropped_replies++;
			log_warnx_rl("RADIUS reply dropped: %s",
			    radius_client_error(d.rc));
			break;
		default:
			break;
		}
	}
}

/* The key of relay-paa, NULL without one. */
static const uint8_t *
relay_key(void)
{
	return d.cfg.relay_key_len > 0 ? d.cfg.relay_key : NULL;
}

static void
read_relay_pac(void)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	size_t outlen;
	ssize_t n;
	int i;

	for (i = 0; i < RX_BURST; i++) {
		fromlen = sizeof(from);
		n = recvfrom(d.fd[FD_RELAY_PAC], d.rxbuf, PANA_MSG_MAX, 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warnx_rl("relay: recvfrom: %s",
				    strerror(errno));
			return;
		}
		if (relay_from_pac(&d.relay, &from, d.rxbuf, (size_t)n,
		    relay_key(), d.cfg.relay_key_len, d.txbuf, PANA_MSG_MAX,
		    &outlen) != 0)
			continue;
		if (send(d.fd[FD_RELAY_PAA], d.txbuf, outlen, 0) == -1)
			log_warnx_rl("relay: send to the PAA: %s",
			    strerror(errno));
	}
}

static void
read_relay_paa(void)
{
	struct sockaddr_storage pac;
	const uint8_t *inner;
	size_t inner_len;
	ssize_t n;
	int i;

	for (i = 0; i < RX_BURST; i++) {
		/* Connected: only the PAA's datagrams arrive here. */
		n = recv(d.fd[FD_RELAY_PAA], d.rxbuf, PANA_MSG_MAX, 0);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNREFUSED)
				log_warnx_rl("relay: recv from the PAA: %s",
				    strerror(errno));
			if (errno == ECONNREFUSED)
				continue;
			return;
		}
		if (relay_from_paa(&d.relay, d.rxbuf, (size_t)n, relay_key(),
		    d.cfg.relay_key_len, &d.cfg.relay_listen, &pac, &inner,
		    &inner_len) != 0)
			continue;
		if (sendto(d.fd[FD_RELAY_PAC], inner, inner_len, 0,
		    (struct sockaddr *)&pac, sa_len(&pac)) == -1)
			log_warnx_rl("relay: sendto the PaC: %s",
			    strerror(errno));
	}
}

/* ------------------------------------------------------------ push */

/* The open sessions of one PaC address (paa_session_walk). */
struct das_match {
	const char	*addr;
	uint32_t	 id[DAS_MATCH_MAX];
	size_t		 n;
	size_t		 total;
};

static void
das_match_one(void *arg, uint32_t id, const struct paa_session_info *si)
{
	struct das_match *m = arg;
	char a[INET6_ADDRSTRLEN + 16];

	if (si->state != PAA_ST_OPEN)
		return;
	/* The address as the PAA's Access-Requests name it. */
	pana_addr_str(&si->pac, 0, a, sizeof(a));
	if (strcmp(a, m->addr) != 0)
		return;
	m->total++;
	if (m->n < DAS_MATCH_MAX)
		m->id[m->n++] = id;
}

/*
 * A verified CoA-Request (doc/coa.md section 5): a PAA-initiated
 * re-authentication of every open session of that PaC address, whose new
 * EAP-TLS run brings the new records.  The Error-Cause to answer with.
 */
static uint32_t
das_reauth(void *arg, const struct das_request *c, const char *client)
{
	struct das_match m;
	size_t i;

	(void)arg;
	memset(&m, 0, sizeof(m));
	m.addr = c->calling_station_id;
	paa_session_walk(d.paa, das_match_one, &m);
	if (m.n == 0) {
		d.das_st.no_session++;
		log_info("DAS %s: push for %s: no open session", client,
		    m.addr);
		return DAS_EC_SESSION_NOT_FOUND;
	}
	for (i = 0; i < m.n; i++) {
		if (paa_reauth(d.paa, gkey_now_ms(), m.id[i]) == 0) {
			d.das_st.reauths++;
			log_info("session %08x: re-authentication for the "
			    "key server's push (DAS %s)", m.id[i], client);
		} else
			log_info("session %08x: push: busy, not "
			    "re-authenticated now", m.id[i]);
	}
	if (m.total > m.n)
		log_warnx_rl("DAS %s: push for %s: %zu sessions, only %d "
		    "re-authenticated", client, m.addr, m.total,
		    DAS_MATCH_MAX);
	return DAS_EC_REQUEST_INITIATED;
}

static void
read_das(void)
{
	das_io_read(d.das, d.fd[FD_DAS], d.rxbuf, PANA_MSG_MAX, das_reauth,
	    NULL, &d.das_st.io);
}

/* After the dictionaries are loaded; das_new() copies the secrets. */
static void
start_das(void)
{
	size_t i;

	/* No GKey-Cert-SHA256 needed: the PAA finds sessions by address. */
	if ((d.das = das_io_new(&d.cfg.das, d.cfg.nas_identifier, 0)) == NULL)
		return;
	for (i = 0; i < d.cfg.das.n_clients; i++)
		OPENSSL_cleanse(d.cfg.das.client[i].secret,
		    sizeof(d.cfg.das.client[i].secret));
	d.fd[FD_DAS] = udp_socket(&d.cfg.das.listen, 0, "DAS");
}

/* ------------------------------------------------------------ start-up */

static void
start_paa(void)
{
	struct radius_client_cfg rcfg;
	struct paa_cb cb;
	char err[RADIUS_CLIENT_ERRLEN];
	size_t i;

	if (radius_client_init(d.cfg.dictdir, d.cfg.dictionary, err,
	    sizeof(err)) != 0)
		fatalx("RADIUS dictionaries: %s", err);
	memset(&rcfg, 0, sizeof(rcfg));
	for (i = 0; i < d.cfg.n_radius; i++) {
		rcfg.server[i].host = d.cfg.radius[i].host;
		rcfg.server[i].port = d.cfg.radius[i].port;
		rcfg.server[i].secret = d.cfg.radius[i].secret;
	}
	rcfg.nservers = d.cfg.n_radius;
	rcfg.timeout_ms = d.cfg.radius_timeout_ms;
	rcfg.retries = d.cfg.radius_retries;
	rcfg.nas_identifier = d.cfg.nas_identifier;
	rcfg.framed_mtu = d.cfg.framed_mtu;
	rcfg.cb = radius_result;
	if ((d.rc = radius_client_new(&rcfg, err, sizeof(err))) == NULL)
		fatalx("RADIUS client: %s", err);
	/* The client keeps its own copies; ours are no longer needed. */
	for (i = 0; i < d.cfg.n_radius; i++) {
		log_info("RADIUS server %s port %u", d.cfg.radius[i].host,
		    d.cfg.radius[i].port);
		OPENSSL_cleanse(d.cfg.radius[i].secret,
		    sizeof(d.cfg.radius[i].secret));
	}
	d.fd[FD_RADIUS] = radius_client_fd(d.rc);

	memset(&cb, 0, sizeof(cb));
	cb.send = paa_send;
	cb.aaa_send = paa_aaa_send;
	cb.aaa_free = paa_aaa_free;
	if ((d.paa = paa_new(&d.cfg.paa, &cb)) == NULL)
		fatalx("out of memory");
	/* The PAA keeps its own copy of the relay keys. */
	for (i = 0; i < d.cfg.paa.n_relays; i++)
		OPENSSL_cleanse(d.cfg.paa.relays[i].key,
		    sizeof(d.cfg.paa.relays[i].key));
	d.fd[FD_PAA] = udp_socket(&d.cfg.paa_listen, 0, "PAA");
	start_das();
}

static void
start_relay(void)
{
	d.fd[FD_RELAY_PAC] = udp_socket(&d.cfg.relay_listen, 0, "relay");
	d.fd[FD_RELAY_PAA] = udp_socket(&d.cfg.relay_paa, 1, "relay");
}

static void
shutdown_log(void)
{
	const struct paa_stats *s;

	if (d.paa != NULL) {
		s = paa_stats(d.paa);
		log_info("PAA: %llu datagrams, %llu authenticated, %llu "
		    "rejected, %llu malformed, %llu unknown session, %llu bad "
		    "AUTH, %llu bad sequence, %llu repeats, %llu over the "
		    "caps, %llu from untrusted relays, %llu PCIs answered "
		    "without state, %llu bad cookies, %llu retransmissions",
		    (unsigned long long)s->rx,
		    (unsigned long long)s->sessions_open,
		    (unsigned long long)s->sessions_rejected,
		    (unsigned long long)s->malformed,
		    (unsigned long long)s->unknown_session,
		    (unsigned long long)s->bad_auth,
		    (unsigned long long)s->bad_seq,
		    (unsigned long long)s->duplicates,
		    (unsigned long long)s->over_cap,
		    (unsigned long long)s->untrusted_relay,
		    (unsigned long long)s->pci_answered,
		    (unsigned long long)s->bad_cookie,
		    (unsigned long long)s->retransmits);
	}
	if (d.cfg.role_relay)
		log_info("relay: %llu to the PAA, %llu to PaCs, %llu dropped",
		    (unsigned long long)d.relay.from_pac,
		    (unsigned long long)d.relay.from_paa,
		    (unsigned long long)(d.relay.dropped_pac +
		    d.relay.dropped_paa));
}

/* ------------------------------------------------------------ control */

/*
 * Re-reads the configuration file and applies what can change at run
 * time; anything else (relayd_reload_check()) refuses the whole reload
 * and the running configuration stays.  0, or -1 with a reason in err.
 */
static int
reload(char *err, size_t errlen)
{
	struct pr_config n;
	struct radius_client_cfg rcfg;
	size_t i;
	uint8_t relay_key_new[sizeof(n.relay_key)];
	int rc = -1;

	if (config_load(d.conffile, &n, err, errlen) != 0) {
		/*
		 * After daemon_drop_privileges() the file may no longer be
		 * ours.
		 */
		if (access(d.conffile, R_OK) != 0 && errno == EACCES)
			snprintf(err, errlen, "%s: not readable by the user "
			    "pana-relayd runs as (uid %u): make it readable "
			    "by that user or restart", d.conffile,
			    (unsigned int)geteuid());
		d.reload_errors++;
		return -1;
	}
	if (relayd_reload_check(&d.cfg, &n, err, errlen) != 0)
		goto done;
	if (d.paa != NULL) {
		memset(&rcfg, 0, sizeof(rcfg));
		for (i = 0; i < n.n_radius; i++) {
			rcfg.server[i].host = n.radius[i].host;
			rcfg.server[i].port = n.radius[i].port;
			rcfg.server[i].secret = n.radius[i].secret;
		}
		rcfg.nservers = n.n_radius;
		rcfg.timeout_ms = n.radius_timeout_ms;
		rcfg.retries = n.radius_retries;
		rcfg.nas_identifier = n.nas_identifier;
		rcfg.framed_mtu = n.framed_mtu;
		if (radius_client_reconfigure(d.rc, &rcfg, err, errlen) != 0)
			goto done;
		paa_set_config(d.paa, &n.paa);
	}
	/*
	 * The RADIUS client and the PAA keep their own copies of their
	 * secrets; the relay role signs with the configuration's relay-paa
	 * key, which must survive the wipe.
	 */
	memcpy(relay_key_new, n.relay_key, sizeof(relay_key_new));
	config_clear(&n);
	OPENSSL_cleanse(d.cfg.relay_key, sizeof(d.cfg.relay_key));
	d.cfg = n;
	memcpy(d.cfg.relay_key, relay_key_new, sizeof(d.cfg.relay_key));
	OPENSSL_cleanse(relay_key_new, sizeof(relay_key_new));
	d.reloads++;
	log_set_debug(d.verbose || d.cfg.log_debug);
	log_info("reloaded %s", d.conffile);
	rc = 0;
 done:
	config_clear(&n);
	if (rc != 0)
		d.reload_errors++;
	return rc;
}

static int
ctl_status(struct ctl_buf *b, int metrics)
{
	struct ctl_counter c[RELAYD_COUNTERS_MAX];
	struct relayd_view v;
	size_t n;

	memset(&v, 0, sizeof(v));
	v.paa = d.paa;
	v.radius = d.paa != NULL ? &d.radius : NULL;
	v.das = d.das != NULL ? &d.das_st : NULL;
	v.relay = d.cfg.role_relay ? &d.relay : NULL;
	v.ctl = ctl_server_stats(d.ctl);
	v.uptime_s = (gkey_now_ms() - d.started) / 1000;
	v.reloads = d.reloads;
	v.reload_errors = d.reload_errors;
	n = relayd_counters(&v, c);
	if (metrics)
		return ctl_render_metrics(b, c, n);
	if (ctl_buf_printf(b, "roles: %s%s%s\nconfiguration: %s\n",
	    d.cfg.role_paa ? "paa" : "",
	    d.cfg.role_paa && d.cfg.role_relay ? " " : "",
	    d.cfg.role_relay ? "relay" : "", d.conffile) != 0)
		return -1;
	if (ctl_buf_printf(b, "log-level: %s\n",
	    d.verbose || d.cfg.log_debug ? "debug" : "info") != 0)
		return -1;
	/* The caps as the PAA has them, not as the file says. */
	if (d.paa != NULL && ctl_buf_printf(b, "nas-identifier: %s\n"
	    "max-sessions: %u\nmax-sessions-per-address: %u\n",
	    d.cfg.nas_identifier, paa_get_config(d.paa)->max_sessions,
	    paa_get_config(d.paa)->max_per_addr) != 0)
		return -1;
	return ctl_render_status(b, c, n);
}

/* ping ID: a PNR[P] to the PaC; its PNA[P] is logged. */
static int
ctl_ping(uint32_t id, struct ctl_buf *b, char *err, size_t errlen)
{
	int rc;

	if ((rc = paa_ping(d.paa, gkey_now_ms(), id)) != 0) {
		snprintf(err, errlen, rc == -2 ? "session %08x has a request "
		    "outstanding" : "no open session %08x", id);
		return -1;
	}
	log_info("session %08x: ping requested on the control socket", id);
	return ctl_buf_printf(b, "session %08x: ping sent\n", id);
}

/* reauth ID: a PAR opening a new EAP exchange (RFC 5191 section 4.3). */
static int
ctl_reauth(uint32_t id, struct ctl_buf *b, char *err, size_t errlen)
{
	if (paa_reauth(d.paa, gkey_now_ms(), id) != 0) {
		snprintf(err, errlen, "no open session %08x", id);
		return -1;
	}
	return ctl_buf_printf(b, "session %08x: re-authentication started\n",
	    id);
}

static int
ctl_handle(void *arg, const struct ctl_request *req, struct ctl_buf *b,
    char *err, size_t errlen)
{
	(void)arg;
	switch (req->cmd) {
	case CTL_CMD_STATUS:
		return ctl_status(b, 0);
	case CTL_CMD_METRICS:
		return ctl_status(b, 1);
	case CTL_CMD_RELOAD:
		return reload(err, errlen);
	case CTL_CMD_SESSIONS:
	case CTL_CMD_TERMINATE:
	case CTL_CMD_PING:
	case CTL_CMD_REAUTH:
		break;
	}
	if (d.paa == NULL) {
		snprintf(err, errlen, "this pana-relayd is not a PAA");
		return -1;
	}
	if (req->cmd == CTL_CMD_SESSIONS)
		return relayd_sessions(d.paa, gkey_now_ms(), b);
	if (req->cmd == CTL_CMD_PING)
		return ctl_ping(req->session_id, b, err, errlen);
	if (req->cmd == CTL_CMD_REAUTH)
		return ctl_reauth(req->session_id, b, err, errlen);
	if (paa_terminate(d.paa, gkey_now_ms(), req->session_id,
	    PANA_TERM_ADMINISTRATIVE) != 0) {
		snprintf(err, errlen, "no open session %08x", req->session_id);
		return -1;
	}
	log_info("session %08x: termination requested on the control socket",
	    req->session_id);
	return ctl_buf_printf(b, "session %08x: termination requested\n",
	    req->session_id);
}

int
main(int argc, char *argv[])
{
	struct pollfd pfd[FD_MAX + CTL_POLLFDS];
	size_t nctl;
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct daemon_args args;
	char err[CONFIG_ERRLEN];
	int64_t t;
	int ch, i, verbose, timeout;

	daemon_args(argc, argv, "pana-relayd", CONFIG_DEFAULT_PATH, &args);

	/* Start-up errors go to stderr whatever the mode. */
	log_init(1, args.verbose, "pana-relayd");
	if (config_load(args.conffile, &d.cfg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	d.verbose = args.verbose;
	verbose = args.verbose || d.cfg.log_debug;
	log_set_debug(verbose);
	if (args.noaction) {
		fprintf(stderr, "configuration OK\n");
		config_clear(&d.cfg);
		return 0;
	}
	if (RAND_status() != 1)
		fatalx("the random number generator is not seeded");
	for (i = 0; i < FD_MAX; i++)
		d.fd[i] = -1;
	if ((d.rxbuf = malloc(PANA_MSG_MAX)) == NULL ||
	    (d.txbuf = malloc(PANA_MSG_MAX)) == NULL)
		fatalx("out of memory");

	if (d.cfg.role_paa)
		start_paa();
	if (d.cfg.role_relay)
		start_relay();
	d.conffile = args.conffile;
	d.started = gkey_now_ms();
	/* Before dropping root: the socket's directory may be root's. */
	d.ctl = ctl_server_start(d.cfg.control_socket, ctl_handle, NULL);
	daemon_drop_privileges(d.cfg.user);
	daemon_detach(args.foreground, verbose, "pana-relayd");
	daemon_signals(sigs, sizeof(sigs) / sizeof(sigs[0]));
	log_info("started (%s%s%s)", d.cfg.role_paa ? "PAA" : "",
	    d.cfg.role_paa && d.cfg.role_relay ? " and " : "",
	    d.cfg.role_relay ? "relay" : "");

	while (!daemon_quit) {
		if (daemon_hup) {
			daemon_hup = 0;
			if (reload(err, sizeof(err)) != 0)
				log_warnx("SIGHUP: reload refused: %s", err);
		}
		timeout = -1;
		if (d.paa != NULL) {
			t = paa_next_timeout(d.paa, gkey_now_ms());
			if (t >= 0)
				timeout = t > INT32_MAX ? INT32_MAX : (int)t;
			ch = radius_client_next_timeout(d.rc,
			    gkey_now_ms());
			if (ch >= 0 && (timeout < 0 || ch < timeout))
				timeout = ch;
		}
		nctl = ctl_server_prepare(d.ctl, pfd + FD_MAX, &timeout,
		    gkey_now_ms());
		for (i = 0; i < FD_MAX; i++) {
			pfd[i].fd = d.fd[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, FD_MAX + nctl, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[FD_PAA].revents & (POLLIN | POLLERR))
			read_paa();
		if (pfd[FD_RADIUS].revents & (POLLIN | POLLERR))
			read_radius();
		if (pfd[FD_RELAY_PAC].revents & (POLLIN | POLLERR))
			read_relay_pac();
		if (pfd[FD_RELAY_PAA].revents & (POLLIN | POLLERR))
			read_relay_paa();
		if (d.das != NULL && (pfd[FD_DAS].revents & (POLLIN | POLLERR)))
			read_das();
		if (d.paa != NULL) {
			radius_client_timeout(d.rc, gkey_now_ms());
			paa_timer(d.paa, gkey_now_ms());
		}
		ctl_server_dispatch(d.ctl, pfd + FD_MAX, nctl, gkey_now_ms());
	}

	log_info("terminating on signal");
	shutdown_log();
	ctl_server_close(d.ctl);
	das_free(d.das);
	paa_free(d.paa);
	radius_client_free(d.rc);
	for (i = 0; i < FD_MAX; i++)
		if (d.fd[i] != -1 && i != FD_RADIUS)
			close(d.fd[i]);
	config_clear(&d.cfg);
	free(d.rxbuf);
	free(d.txbuf);
	return 0;
}
