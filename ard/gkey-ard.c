/*
 * gkey-ard - the access router's side of gkey's user-node path
 * (doc/nd.md): answers signed Router Solicitations carrying a gkey
 * Certificate with signed unicast Router Advertisements carrying the
 * node's Key Records, which it asks the key server for in RADIUS
 * (Authorize-Only, doc/radius.md section 4).
 *
 * It also takes the key server's push (doc/coa.md): a CoA-Request on its
 * DAS port (libdas) for a node it has served makes it ask again for that
 * node, as on the node's own refresh, and send the records in an
 * unsolicited signed RA (doc/nd.md 1.6).
 *
 * This file holds main(), the sockets and the poll()
 * loop; the checks and the answers are ard_core.c, RADIUS ard_radius.c,
 * the configuration ard_conf.c, the messages libnd.  Only start-up
 * errors are fatal: after that a bad packet is a counted, rate-limited
 * warning and a drop.  Plain RSs (no gkey option) are left to radvd.
 */
#define _GNU_SOURCE		/* setresuid(2), in6_pktinfo */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ard_conf.h"
#include "ard_core.h"
#include "ard_radius.h"
#include "control.h"
#include "daemon.h"
#include "clock.h"
#include "das.h"
#include "das_io.h"
#include "keys.h"
#include "nd_cred.h"
#include "nd_crypto.h"
#include "plog.h"
#include "nd_msg.h"
#include "nd_sock.h"

#define RX_BURST	64		/* packets read per wake-up */
#define RX_MAX		4096
#define NONCE_STORE	128		/* longest nonce answered */

enum { FD_ICMP, FD_RADIUS, FD_DAS, FD_MAX };

/* One RS (or push) waiting for RADIUS. */
struct pending {
	int		 in_use;
	int		 push;		/* a CoA's re-authorization: no nonce */
	int		 handle;	/* ard_radius */
	struct in6_addr	 src;
	uint8_t		 nonce[NONCE_STORE];
	size_t		 nonce_len;
	uint8_t		 digest[32];	/* SHA-256 of certificate + apps */
	uint8_t		 fp[32];	/* SHA-256 of the certificate */
};

/*
 * A node this router has served (an Access-Accept with records): what a
 * push needs to reach it.  Bounded (max-sources); the least recently
 * served is forgotten first.
 */
struct served {
	int		 in_use;
	uint8_t		 fp[32];	/* SHA-256 of its certificate */
	struct in6_addr	 src;		/* its last RS source address */
	uint64_t	 last_ms;	/* monotonic */
};

struct stats {
	uint64_t rx, plain, dropped, rate_source, rate_total, replay,
	    busy, table_full, radius_dropped, accept, reject, timeout,
	    ra_sent, send_errors, refreshed;
	/* dropped, by reason */
	uint64_t drop_malformed, drop_source, drop_check, drop_nonce,
	    drop_truncated, drop_nodst;
	uint64_t answers[3];		/* by Status: 0 records, 1, 2 */
	/* the DAS (doc/coa.md) */
	struct das_io_stats das;	/* received, dropped, naks */
	uint64_t das_unknown_node, pushes, push_sent, push_failed;
};

struct daemon {
	struct ard_config	 cfg;
	unsigned int		 ifindex;
	struct in6_addr		 lladdr;
	int			 have_lladdr;
	uint8_t			 mac[16];
	size_t			 mac_len;
	int			 fd[FD_MAX];
	struct ard_radius	*rad;
	EVP_PKEY		*key;
	uint8_t			*cert;
	size_t			 cert_len;
	struct ard_ra_tmpl	 tmpl;
	struct ard_replay	 replay;
	struct ard_limits	 limits;
	struct pending		*pend;
	struct ard_answer	 answer;
	uint8_t			 rx[RX_MAX];
	struct stats		 st;
	struct ctl_server	*ctl;
	uint64_t		 started;	/* ms, monotonic */
	struct das		*das;		/* NULL: no das-listen */
	struct served		*served;	/* max_sources of them */
};

static struct daemon d;

/* ------------------------------------------------------------ start-up */

static void
load_credentials(void)
{
	char err[PATH_MAX * 2 + 256];

	if (nd_load_credentials(d.cfg.certificate, d.cfg.private_key, &d.key,
	    &d.cert, &d.cert_len, err, sizeof(err)) != 0)
		fatalx("%s", err);
}

/* The interface's link-local address: the source of every RA. */
static int
find_lladdr(void)
{
	if (nd_lladdr(d.cfg.interface, &d.lladdr) == 0)
		d.have_lladdr = 1;
	return d.have_lladdr ? 0 : -1;
}

static void
find_mac(int fd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", d.cfg.interface);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) {
		memcpy(d.mac, ifr.ifr_hwaddr.sa_data, 6);
		d.mac_len = 6;
	}
}

static void
open_icmp(void)
{
	char err[64 + IF_NAMESIZE];
	int fd;

	if ((d.ifindex = if_nametoindex(d.cfg.interface)) == 0)
		fatal("interface %s", d.cfg.interface);
	if ((fd = nd_sock_open(d.cfg.interface, d.ifindex, ND_TYPE_RS,
	    ND_SOCK_ALLROUTERS | ND_SOCK_NOLOOP, err, sizeof(err))) == -1)
		fatal("%s", err);
	find_mac(fd);
	d.fd[FD_ICMP] = fd;
	if (find_lladdr() != 0)
		log_warnx("%s has no link-local address yet",
		    d.cfg.interface);
}

static void	radius_result(void *, const struct ard_radius_result *);
static void	start_das(void);

static void
start_radius(void)
{
	struct ard_radius_cfg rc;
	char err[ARD_RADIUS_ERRLEN];
	size_t i;

	if (ard_radius_init(d.cfg.dictdir, d.cfg.dictionary, err,
	    sizeof(err)) != 0)
		fatalx("RADIUS dictionaries: %s", err);
	memset(&rc, 0, sizeof(rc));
	for (i = 0; i < d.cfg.n_radius; i++) {
		rc.server[i].host = d.cfg.radius[i].host;
		rc.server[i].port = d.cfg.radius[i].port;
		rc.server[i].secret = d.cfg.radius[i].secret;
	}
	rc.nservers = d.cfg.n_radius;
	rc.timeout_ms = d.cfg.radius_timeout_ms;
	rc.retries = d.cfg.radius_retries;
	rc.nas_identifier = d.cfg.nas_identifier;
	rc.cb = radius_result;
	if ((d.rad = ard_radius_new(&rc, err, sizeof(err))) == NULL)
		fatalx("RADIUS client: %s", err);
	for (i = 0; i < d.cfg.n_radius; i++)
		log_info("RADIUS server %s port %u", d.cfg.radius[i].host,
		    d.cfg.radius[i].port);
	/* The DAS needs the dictionaries, and copies its secrets. */
	start_das();
	/* The clients keep their own copies. */
	ard_config_clear(&d.cfg);
	d.fd[FD_RADIUS] = ard_radius_fd(d.rad);
}

/* ------------------------------------------------------------ served */

/* Remembers (or refreshes) the node with fingerprint fp at src. */
static void
served_note(const uint8_t *fp, const struct in6_addr *src)
{
	struct served *s, *match = NULL, *free_slot = NULL, *oldest = NULL;
	unsigned int i;

	for (i = 0; i < d.cfg.max_sources && match == NULL; i++) {
		s = &d.served[i];
		if (s->in_use && memcmp(s->fp, fp, 32) == 0)
			match = s;
		else if (!s->in_use) {
			if (free_slot == NULL)
				free_slot = s;
		} else if (oldest == NULL || s->last_ms < oldest->last_ms)
			oldest = s;
	}
	s = match != NULL ? match : free_slot != NULL ? free_slot : oldest;
	if (s == NULL)
		return;
	s->in_use = 1;
	memcpy(s->fp, fp, 32);
	s->src = *src;
	s->last_ms = gkey_now_ms();
}

static struct served *
served_find(const uint8_t *fp)
{
	unsigned int i;

	for (i = 0; i < d.cfg.max_sources; i++)
		if (d.served[i].in_use &&
		    CRYPTO_memcmp(d.served[i].fp, fp, 32) == 0)
			return &d.served[i];
	return NULL;
}

/* ------------------------------------------------------------ answers */

static void
send_answer(const struct in6_addr *to)
{
	char a[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < d.answer.n; i++) {
		/* The source we signed for, on our interface. */
		if (nd_sock_send(d.fd[FD_ICMP], d.ifindex, &d.lladdr, to,
		    d.answer.pkt[i], d.answer.len[i]) == -1) {
			d.st.send_errors++;
			log_warnx_rl("RA to %s: %s", nd_addr_str(to, a,
			    sizeof(a)), strerror(errno));
			continue;
		}
		d.st.ra_sent++;
	}
}

static void
answer(struct pending *p, const struct ard_radius_result *r)
{
	struct ard_answer_in in;
	struct timespec ts;
	char a[INET6_ADDRSTRLEN], err[ARD_ERRLEN];

	memset(&in, 0, sizeof(in));
	in.nonce = p->push ? NULL : p->nonce;
	in.nonce_len = p->push ? 0 : p->nonce_len;
	in.timestamp = nd_timestamp_now();
	clock_gettime(CLOCK_REALTIME, &ts);
	nd_addr_str(&p->src, a, sizeof(a));
	switch (r->outcome) {
	case ARD_ACCEPT:
		d.st.accept++;
		if (r->n_records == 0) {
			in.status = ND_STATUS_REFUSED;
			in.reason = "no keys";
			break;
		}
		in.records = r->records;
		in.record_len = r->record_len;
		in.n_records = r->n_records;
		in.refresh = ard_refresh(r->has_session_timeout,
		    r->session_timeout, r->records, r->record_len,
		    r->n_records, (uint64_t)ts.tv_sec);
		if (r->records_dropped > 0)
			log_warnx_rl("%s: %zu records beyond %d dropped", a,
			    r->records_dropped, ARD_RADIUS_MAX_RECORDS);
		break;
	case ARD_REJECT:
		d.st.reject++;
		in.status = ND_STATUS_REFUSED;
		in.reason = r->reply_message != NULL ? r->reply_message :
		    "refused";
		break;
	default:
		d.st.timeout++;
		in.status = ND_STATUS_UNAVAILABLE;
		in.reason = "key server unavailable";
		break;
	}
	if (p->push && (r->outcome != ARD_ACCEPT || r->n_records == 0)) {
		/* Nothing to push; the node asks at its Refresh time. */
		d.st.push_failed++;
		log_warnx_rl("%s: push: %s, nothing sent", a,
		    r->outcome == ARD_ACCEPT ? "no records" :
		    r->outcome == ARD_REJECT ? "refused" :
		    "key server unavailable");
		return;
	}
	if (r->outcome == ARD_ACCEPT && r->n_records > 0)
		served_note(p->fp, &p->src);
	if (!d.have_lladdr && find_lladdr() != 0) {
		log_warnx_rl("%s: no link-local address on %s, no answer",
		    a, d.cfg.interface);
		return;
	}
	if (ard_answer_build(&d.tmpl, &in, d.key, &d.lladdr, &p->src,
	    &d.answer, err, sizeof(err)) != 0) {
		log_warnx_rl("%s: cannot answer: %s", a, err);
		/* e.g. a Reply-Message that is not UTF-8: say less. */
		if (in.status != ND_STATUS_REFUSED || r->reply_message == NULL)
			return;
		in.reason = "refused";
		if (ard_answer_build(&d.tmpl, &in, d.key, &d.lladdr, &p->src,
		    &d.answer, err, sizeof(err)) != 0)
			return;
	}
	if (in.status <= ND_STATUS_UNAVAILABLE)
		d.st.answers[in.status]++;
	log_info("%s: %s%s, %zu records in %zu RAs", a, p->push ? "push: " :
	    "", r->outcome == ARD_ACCEPT ? "accepted" :
	    r->outcome == ARD_REJECT ? "refused" : "key server unavailable",
	    in.n_records, d.answer.n);
	if (p->push)
		d.st.push_sent++;
	send_answer(&p->src);
}

static void
radius_result(void *arg, const struct ard_radius_result *r)
{
	struct pending *p = &d.pend[(uintptr_t)arg];

	if (!p->in_use)
		return;
	answer(p, r);
	OPENSSL_cleanse(p, sizeof(*p));
}

/* ------------------------------------------------------------ RS */

static void
request_digest(const struct nd_msg *m, uint8_t out[32])
{
	struct nd_opt_iter it;
	struct nd_opt o;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;

	memset(out, 0, 32);
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto finish;
	EVP_DigestUpdate(ctx, m->cert, m->cert_len);
	nd_opt_iter_init(&it, m);
	while (nd_opt_next(&it, &o))
		if (o.type == ND_OPT_GKEY && o.subtype == ND_GK_APP)
			EVP_DigestUpdate(ctx, o.data - 2, o.len + 2);
	EVP_DigestFinal_ex(ctx, out, &n);
finish:
	EVP_MD_CTX_free(ctx);
}

static struct pending *
pending_of(const struct in6_addr *src, struct pending **free_slot)
{
	unsigned int i;

	*free_slot = NULL;
	for (i = 0; i < d.cfg.max_pending; i++) {
		if (d.pend[i].in_use &&
		    memcmp(&d.pend[i].src, src, sizeof(*src)) == 0)
			return &d.pend[i];
		if (!d.pend[i].in_use && *free_slot == NULL)
			*free_slot = &d.pend[i];
	}
	return NULL;
}

static void
ask_radius(const struct nd_msg *m, const struct in6_addr *src,
    const char *srcs)
{
	struct ard_request q;
	struct pending *p, *slot;
	struct nd_opt_iter it;
	struct nd_opt o;
	uint8_t digest[32];
	int h;

	request_digest(m, digest);
	if ((p = pending_of(src, &slot)) != NULL && p->push) {
		/* The node's own request supersedes a push to it. */
		ard_radius_cancel(d.rad, p->handle);
		OPENSSL_cleanse(p, sizeof(*p));
		log_debug("%s: RS while a push to it is with RADIUS: the push "
		    "is dropped, the RS answered", srcs);
		slot = p;
		p = NULL;
	}
	if (p != NULL) {
		/*
		 * The node asked again while RADIUS is busy: answer the
		 * newest nonce if it is the same request, else drop.
		 */
		if (CRYPTO_memcmp(p->digest, digest, 32) != 0) {
			d.st.busy++;
			log_warnx_rl("%s: RS dropped: another request from "
			    "this address is waiting for RADIUS", srcs);
			return;
		}
		memcpy(p->nonce, m->nonce, m->nonce_len);
		p->nonce_len = m->nonce_len;
		d.st.refreshed++;
		return;
	}
	if (slot == NULL) {
		d.st.table_full++;
		log_warnx_rl("%s: RS dropped: %u RADIUS requests "
		    "outstanding", srcs, d.cfg.max_pending);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.cert = m->cert;
	q.cert_len = m->cert_len;
	nd_opt_iter_init(&it, m);
	while (nd_opt_next(&it, &o) && q.n_apps < ARD_RADIUS_MAX_APPS)
		if (o.type == ND_OPT_GKEY && o.subtype == ND_GK_APP) {
			q.apps[q.n_apps] = o.data;
			q.app_len[q.n_apps++] = o.len;
		}
	q.nas_port_id = d.cfg.interface;
	q.calling_station_id = srcs;
	q.arg = (void *)(uintptr_t)(slot - d.pend);
	if ((h = ard_radius_send(d.rad, &q, gkey_now_ms())) < 0) {
		d.st.table_full++;
		log_warnx_rl("%s: RADIUS request not sent: %s", srcs,
		    ard_radius_error(d.rad));
		return;
	}
	slot->in_use = 1;
	slot->push = 0;
	slot->handle = h;
	slot->src = *src;
	memcpy(slot->nonce, m->nonce, m->nonce_len);
	slot->nonce_len = m->nonce_len;
	memcpy(slot->digest, digest, 32);
	if (EVP_Digest(m->cert, m->cert_len, slot->fp, NULL, EVP_sha256(),
	    NULL) != 1)
		memset(slot->fp, 0, sizeof(slot->fp));
	log_debug("%s: RS verified, asking RADIUS (%zu applications)",
	    srcs, q.n_apps);
}

static void
handle_rs(size_t len, const struct in6_addr *src, const struct in6_addr *dst,
    int hop_limit)
{
	struct nd_msg m;
	struct timespec ts;
	char srcs[INET6_ADDRSTRLEN], err[ARD_ERRLEN];
	int rc;

	d.st.rx++;
	nd_addr_str(src, srcs, sizeof(srcs));
	if (nd_msg_parse(d.rx, len, &m, err, sizeof(err)) != 0) {
		d.st.dropped++;
		d.st.drop_malformed++;
		log_warnx_rl("%s: RS dropped: malformed: %s", srcs, err);
		return;
	}
	if (!m.has_gkey) {
		d.st.plain++;
		return;
	}
	/* RFC 4861 6.2.6: an RS from :: gets multicast RAs, not ours. */
	if (IN6_IS_ADDR_UNSPECIFIED(src) || IN6_IS_ADDR_MULTICAST(src)) {
		d.st.dropped++;
		d.st.drop_source++;
		log_warnx_rl("%s: RS dropped: no unicast answer possible to "
		    "this source", srcs);
		return;
	}
	/* Rate limits before the signature: verification is the cost. */
	switch (ard_limits_take(&d.limits, src, gkey_now_ms())) {
	case 1:
		d.st.rate_source++;
		log_warnx_rl("%s: RS dropped: over the per-source rate",
		    srcs);
		return;
	case 2:
		d.st.rate_total++;
		log_warnx_rl("%s: RS dropped: over the total rate", srcs);
		return;
	default:
		break;
	}
	rc = ard_rs_check(d.rx, len, hop_limit, src, dst, nd_timestamp_now(),
	    d.cfg.timestamp_window, &m, err, sizeof(err));
	if (rc != ARD_RS_OK) {
		d.st.dropped++;
		d.st.drop_check++;
		log_warnx_rl("%s: RS dropped: %s", srcs, err);
		return;
	}
	if (m.nonce_len > NONCE_STORE) {
		d.st.dropped++;
		d.st.drop_nonce++;
		log_warnx_rl("%s: RS dropped: nonce of %zu octets, at most "
		    "%d", srcs, m.nonce_len, NONCE_STORE);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	rc = ard_replay_seen(&d.replay, src, m.nonce, m.nonce_len,
	    (uint64_t)ts.tv_sec, d.cfg.timestamp_window);
	if (rc != 0) {
		d.st.replay++;
		log_warnx_rl("%s: RS dropped: %s", srcs, rc > 0 ?
		    "nonce already seen from this source" :
		    "replay cache full");
		return;
	}
	ask_radius(&m, src, srcs);
}

static void
read_icmp(void)
{
	struct nd_rx rx;
	int i, rc;

	for (i = 0; i < RX_BURST; i++) {
		rc = nd_sock_recv(d.fd[FD_ICMP], d.rx, sizeof(d.rx), &rx);
		if (rc == ND_RX_NONE)
			return;
		if (rc == ND_RX_ERROR) {
			log_warnx_rl("recvmsg: %s", strerror(errno));
			return;
		}
		if (rc == ND_RX_TRUNC) {
			d.st.dropped++;
			d.st.drop_truncated++;
			log_warnx_rl("RS dropped: truncated on receipt");
			continue;
		}
		if (rc == ND_RX_NODST) {
			d.st.dropped++;
			d.st.drop_nodst++;
			log_warnx_rl("RS dropped: no destination address");
			continue;
		}
		handle_rs(rx.len, &rx.from.sin6_addr, &rx.dst, rx.hop);
	}
}

static void
read_radius(void)
{
	int i;

	for (i = 0; i < RX_BURST; i++) {
		switch (ard_radius_read(d.rad)) {
		case 0:
			return;
		case -1:
			d.st.radius_dropped++;
			log_warnx_rl("RADIUS reply dropped: %s",
			    ard_radius_error(d.rad));
			break;
		default:
			break;
		}
	}
}

/* ------------------------------------------------------------ push */

/*
 * A verified CoA-Request (doc/coa.md section 5): the node's
 * Access-Request as on its own refresh, by fingerprint, with the CoA's
 * State and applications.  Returns the Error-Cause to answer with.
 */
static uint32_t
push_node(void *arg, const struct das_request *c, const char *client)
{
	struct ard_request q;
	struct pending *p, *slot;
	struct served *n;
	char a[INET6_ADDRSTRLEN];
	size_t i;
	int h;

	(void)arg;

	if ((n = served_find(c->cert_sha256)) == NULL) {
		d.st.das_unknown_node++;
		log_info("DAS %s: push for %s: no such node served here",
		    client, c->calling_station_id);
		return DAS_EC_SESSION_NOT_FOUND;
	}
	nd_addr_str(&n->src, a, sizeof(a));
	if (strcmp(a, c->calling_station_id) != 0)
		log_debug("DAS %s: push for %s: the node's last RS came from "
		    "%s, pushing there", client, c->calling_station_id, a);
	if ((p = pending_of(&n->src, &slot)) != NULL) {
		/* Its own request is with RADIUS: that answer is newer. */
		log_info("DAS %s: push for %s: a request is already with "
		    "RADIUS", client, a);
		return DAS_EC_REQUEST_INITIATED;
	}
	if (slot == NULL) {
		d.st.table_full++;
		log_warnx_rl("DAS %s: push for %s: %u RADIUS requests "
		    "outstanding", client, a, d.cfg.max_pending);
		return DAS_EC_RESOURCES_UNAVAILABLE;
	}
	memset(&q, 0, sizeof(q));
	q.cert_sha256 = n->fp;
	q.state = c->state;
	q.state_len = c->state_len;
	for (i = 0; i < c->n_apps; i++) {
		q.apps[i] = (const uint8_t *)c->app[i];
		q.app_len[i] = strlen(c->app[i]);
	}
	q.n_apps = c->n_apps;
	q.nas_port_id = d.cfg.interface;
	q.calling_station_id = a;
	q.arg = (void *)(uintptr_t)(slot - d.pend);
	if ((h = ard_radius_send(d.rad, &q, gkey_now_ms())) < 0) {
		d.st.table_full++;
		log_warnx_rl("DAS %s: push for %s: RADIUS request not sent: %s",
		    client, a, ard_radius_error(d.rad));
		return DAS_EC_RESOURCES_UNAVAILABLE;
	}
	memset(slot, 0, sizeof(*slot));
	slot->in_use = 1;
	slot->push = 1;
	slot->handle = h;
	slot->src = n->src;
	memcpy(slot->fp, n->fp, 32);
	d.st.pushes++;
	log_info("DAS %s: push for %s: asking RADIUS (%zu applications)",
	    client, a, c->n_apps);
	return DAS_EC_REQUEST_INITIATED;
}

static void
read_das(void)
{
	das_io_read(d.das, d.fd[FD_DAS], d.rx, sizeof(d.rx), push_node, NULL,
	    &d.st.das);
}

/* The DAS socket and state; before the configuration's secrets go. */
static void
start_das(void)
{
	const struct sockaddr_storage *ss = &d.cfg.das.listen;
	char a[INET6_ADDRSTRLEN];
	int fd, on = 1;

	if ((d.das = das_io_new(&d.cfg.das, d.cfg.nas_identifier, 1)) == NULL)
		return;
	fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		fatal("DAS: socket");
	if (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		fatal("DAS: IPV6_V6ONLY");
	if (bind(fd, (const struct sockaddr *)ss, ss->ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) == -1)
		fatal("DAS: bind");
	d.fd[FD_DAS] = fd;
	inet_ntop(ss->ss_family, ss->ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)ss)->sin_addr, a,
	    sizeof(a));
	log_info("DAS listening on %s port %u, %zu clients, window %u s", a,
	    ss->ss_family == AF_INET6 ?
	    ntohs(((const struct sockaddr_in6 *)ss)->sin6_port) :
	    ntohs(((const struct sockaddr_in *)ss)->sin_port),
	    d.cfg.das.n_clients, d.cfg.das.window);
}

/* ------------------------------------------------------------ control */

#define ARD_COUNTERS_MAX	48

static unsigned int
pending_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < d.cfg.max_pending; i++)
		if (d.pend[i].in_use)
			n++;
	return n;
}

/*
 * What gkey-ard counts, for `status' and `metrics' (doc/control.md):
 * one table, so that both show the same values.
 */
static size_t
ard_counters(struct ctl_counter *c, size_t max)
{
	const struct ard_radius_stats *rs = ard_radius_stats(d.rad);
	const struct ctl_stats *cs = ctl_server_stats(d.ctl);
	size_t n = 0;

#define C(st, me, la, he, ga, va)					\
	ctl_counter_add(c, max, &n, (st), (me), (la), (he), (ga), (va))
#define DROP(st, la, va)						\
	C(st, "gkey_ard_rs_dropped_total", "reason=\"" la "\"",	\
	    "Signed RSs dropped without an answer, by reason.", 0, va)

	C("uptime seconds", "gkey_ard_uptime_seconds", NULL,
	    "Seconds since gkey-ard started.", 1,
	    (gkey_now_ms() - d.started) / 1000);
	C("RS received", "gkey_ard_rs_received_total", NULL,
	    "Router Solicitations received.", 0, d.st.rx);
	C("RS plain", "gkey_ard_rs_plain_total", NULL,
	    "RSs without a gkey option, left to radvd.", 0, d.st.plain);
	DROP("RS dropped malformed", "malformed", d.st.drop_malformed);
	DROP("RS dropped truncated", "truncated", d.st.drop_truncated);
	DROP("RS dropped no destination", "no_destination",
	    d.st.drop_nodst);
	DROP("RS dropped source", "source", d.st.drop_source);
	DROP("RS dropped checks", "check", d.st.drop_check);
	DROP("RS dropped nonce too long", "nonce_length", d.st.drop_nonce);
	DROP("RS dropped replay", "replay", d.st.replay);
	DROP("RS dropped rate per source", "rate_source",
	    d.st.rate_source);
	DROP("RS dropped rate total", "rate_total", d.st.rate_total);
	DROP("RS dropped busy", "busy", d.st.busy);
	DROP("RS dropped pending full", "pending_full", d.st.table_full);
	C("RS refreshed", "gkey_ard_rs_refreshed_total", NULL,
	    "RSs that renewed the nonce of a request waiting for RADIUS.", 0,
	    d.st.refreshed);
	C("RADIUS requests", "gkey_ard_radius_requests_total", NULL,
	    "Access-Requests sent (first try).", 0, rs->requests);
	C("RADIUS retransmits", "gkey_ard_radius_retransmits_total", NULL,
	    "Access-Requests sent again to the same server.", 0,
	    rs->retransmits);
	C("RADIUS fail-overs", "gkey_ard_radius_failovers_total", NULL,
	    "Requests moved to the next RADIUS server.", 0, rs->failovers);
	C("RADIUS round trips", "gkey_ard_radius_round_trips_total", NULL,
	    "Verified replies to an outstanding request.", 0,
	    rs->round_trips);
	C("RADIUS time-outs", "gkey_ard_radius_timeouts_total", NULL,
	    "Requests no RADIUS server answered.", 0, rs->timeouts);
	C("RADIUS replies dropped", "gkey_ard_radius_replies_dropped_total",
	    NULL, "RADIUS datagrams dropped (unknown, forged, bad code).",
	    0, d.st.radius_dropped);
	C("RADIUS pending", "gkey_ard_radius_pending", NULL,
	    "RSs waiting for RADIUS.", 1, pending_count());
	C("RADIUS accepts", "gkey_ard_radius_results_total",
	    "result=\"accept\"", "Outcomes of Access-Requests.", 0,
	    d.st.accept);
	C("RADIUS rejects", "gkey_ard_radius_results_total",
	    "result=\"reject\"", "Outcomes of Access-Requests.", 0,
	    d.st.reject);
	C("RADIUS unanswered", "gkey_ard_radius_results_total",
	    "result=\"timeout\"", "Outcomes of Access-Requests.", 0,
	    d.st.timeout);
	C("answers status 0", "gkey_ard_answers_total", "status=\"0\"",
	    "Answers built, by Status (0 records, 1 refused, 2 "
	    "unavailable).", 0, d.st.answers[0]);
	C("answers status 1", "gkey_ard_answers_total", "status=\"1\"",
	    "Answers built, by Status (0 records, 1 refused, 2 "
	    "unavailable).", 0, d.st.answers[1]);
	C("answers status 2", "gkey_ard_answers_total", "status=\"2\"",
	    "Answers built, by Status (0 records, 1 refused, 2 "
	    "unavailable).", 0, d.st.answers[2]);
	C("RA sent", "gkey_ard_ra_sent_total", NULL,
	    "Router Advertisements (answer parts) sent.", 0, d.st.ra_sent);
	C("RA send errors", "gkey_ard_ra_send_errors_total", NULL,
	    "Router Advertisements the socket refused.", 0,
	    d.st.send_errors);
	C("DAS received", "gkey_ard_das_received_total", NULL,
	    "Datagrams on the DAS port (doc/coa.md).", 0, d.st.das.received);
	C("DAS dropped", "gkey_ard_das_dropped_total", NULL,
	    "DAS datagrams discarded without an answer.", 0,
	    d.st.das.dropped);
	C("DAS NAKs", "gkey_ard_das_naks_total", NULL,
	    "CoA-NAKs other than 507 (and Disconnect-NAKs) sent.", 0,
	    d.st.das.naks);
	C("DAS unknown node", "gkey_ard_das_unknown_node_total", NULL,
	    "CoA-Requests for a node not served here (503).", 0,
	    d.st.das_unknown_node);
	C("pushes", "gkey_ard_pushes_total", NULL,
	    "Access-Requests sent for a CoA-Request.", 0, d.st.pushes);
	C("pushes sent", "gkey_ard_pushes_sent_total", NULL,
	    "Pushes whose records went out in unsolicited RAs.", 0,
	    d.st.push_sent);
	C("pushes failed", "gkey_ard_pushes_failed_total", NULL,
	    "Pushes refused or unanswered by the key server.", 0,
	    d.st.push_failed);
	C("log lines suppressed", "gkey_ard_log_suppressed_total", NULL,
	    "Warnings not logged by the rate limit.", 0,
	    log_rl_suppressed());
	C("control requests", "gkey_ard_control_requests_total", NULL,
	    "Control socket requests answered.", 0, cs->requests);
	C("control refused", "gkey_ard_control_refused_total", NULL,
	    "Control connections refused (too many clients).", 0,
	    cs->refused);
	C("control dropped", "gkey_ard_control_dropped_total", NULL,
	    "Control connections dropped (time-out or error).", 0,
	    cs->dropped);
#undef DROP
#undef C
	return n;
}

static int
ctl_handle(void *arg, const struct ctl_request *req, struct ctl_buf *b,
    char *err, size_t errlen)
{
	struct ctl_counter c[ARD_COUNTERS_MAX];

	(void)arg;
	if (req->cmd == CTL_CMD_STATUS && ctl_buf_printf(b, "interface: %s\n"
	    "nas-identifier: %s\nradius-servers: %zu\n", d.cfg.interface,
	    d.cfg.nas_identifier, d.cfg.n_radius) != 0)
		return -1;
	return ctl_answer_counters("gkey-ard", req, c,
	    ard_counters(c, ARD_COUNTERS_MAX), b, err, errlen);
}

static void
shutdown_log(void)
{
	log_info("%llu RSs, %llu plain, %llu dropped (checks), %llu "
	    "replayed, %llu over the source rate, %llu over the total rate, "
	    "%llu busy, %llu table full; RADIUS %llu accepted, %llu refused, "
	    "%llu unanswered, %llu replies dropped; %llu RAs sent, %llu send "
	    "errors, %llu lines suppressed",
	    (unsigned long long)d.st.rx, (unsigned long long)d.st.plain,
	    (unsigned long long)d.st.dropped, (unsigned long long)d.st.replay,
	    (unsigned long long)d.st.rate_source,
	    (unsigned long long)d.st.rate_total,
	    (unsigned long long)d.st.busy, (unsigned long long)d.st.table_full,
	    (unsigned long long)d.st.accept, (unsigned long long)d.st.reject,
	    (unsigned long long)d.st.timeout,
	    (unsigned long long)d.st.radius_dropped,
	    (unsigned long long)d.st.ra_sent,
	    (unsigned long long)d.st.send_errors,
	    (unsigned long long)log_rl_suppressed());
}

/*
 * Enough (source, nonce) slots that the cache cannot fill at the total
 * rate: a verified RS costs a token and stays 2 * window + 1 seconds.
 */
static size_t
replay_size(const struct ard_config *c)
{
	uint64_t n = (uint64_t)c->rate_total.per_second *
	    (2 * (uint64_t)c->timestamp_window + 1) + c->rate_total.burst;

	if (n < 64)
		n = 64;
	return n > 1000000 ? 1000000 : (size_t)n;
}

static void
setup(void)
{
	char err[ARD_ERRLEN];

	if (RAND_status() != 1)
		fatalx("the random number generator is not seeded");
	d.fd[FD_ICMP] = d.fd[FD_RADIUS] = d.fd[FD_DAS] = -1;
	load_credentials();
	open_icmp();
	if (ard_ra_tmpl_init(&d.tmpl, &d.cfg, d.mac, d.mac_len, d.cert,
	    d.cert_len, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (ard_replay_init(&d.replay, replay_size(&d.cfg)) != 0 ||
	    ard_limits_init(&d.limits, &d.cfg.rate_source, &d.cfg.rate_total,
	    d.cfg.max_sources) != 0 ||
	    (d.pend = calloc(d.cfg.max_pending, sizeof(*d.pend))) == NULL ||
	    (d.served = calloc(d.cfg.max_sources, sizeof(*d.served))) == NULL)
		fatalx("out of memory");
	start_radius();
	d.started = gkey_now_ms();
	/* Before dropping root: the socket's directory may be root's. */
	d.ctl = ctl_server_start(d.cfg.control_socket, ctl_handle, NULL);
}

static void
loop(void)
{
	struct pollfd pfd[FD_MAX + CTL_POLLFDS];
	size_t nctl;
	int i, timeout;

	while (!daemon_quit) {
		for (i = 0; i < FD_MAX; i++) {
			pfd[i].fd = d.fd[i];
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		timeout = ard_radius_next_timeout(d.rad, gkey_now_ms());
		nctl = ctl_server_prepare(d.ctl, pfd + FD_MAX, &timeout,
		    gkey_now_ms());
		if (poll(pfd, FD_MAX + nctl, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[FD_ICMP].revents & POLLIN)
			read_icmp();
		if (pfd[FD_RADIUS].revents & POLLIN)
			read_radius();
		if (d.fd[FD_DAS] != -1 && (pfd[FD_DAS].revents & POLLIN))
			read_das();
		ard_radius_timeout(d.rad, gkey_now_ms());
		ctl_server_dispatch(d.ctl, pfd + FD_MAX, nctl, gkey_now_ms());
	}
}

int
main(int argc, char *argv[])
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct daemon_args args;
	char err[ARD_CONF_ERRLEN];

	daemon_args(argc, argv, "gkey-ard", ARD_CONF_DEFAULT, &args);
	log_init(1, args.verbose, "gkey-ard");
	if (ard_config_load(args.conffile, &d.cfg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (args.noaction) {
		fprintf(stderr, "configuration OK\n");
		ard_config_clear(&d.cfg);
		return 0;
	}
	setup();
	daemon_drop_privileges(d.cfg.user);
	daemon_detach(args.foreground, args.verbose, "gkey-ard");
	daemon_signals(sigs, sizeof(sigs) / sizeof(sigs[0]));
	log_info("started (interface %s, %zu-octet certificate)",
	    d.cfg.interface, d.cert_len);
	loop();
	shutdown_log();
	ctl_server_close(d.ctl);
	ard_radius_free(d.rad);
	ard_replay_free(&d.replay);
	ard_limits_free(&d.limits);
	das_free(d.das);
	if (d.fd[FD_DAS] != -1)
		close(d.fd[FD_DAS]);
	free(d.pend);
	free(d.served);
	EVP_PKEY_free(d.key);
	OPENSSL_free(d.cert);
	return 0;
}
