/*
 * ard_radius.c - Authorize-Only over RADIUS for gkey-ard, on
 * libfreeradius-radius 3.2.1.  See ard_radius.h.
 *
 * The library does the packet work (encoding, the long extended
 * GKey-Certificate, Message-Authenticator, the authenticators); this file
 * keeps the Identifier map, the timers and the fail-over, and copies the
 * records out of a verified reply.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <freeradius/build.h>
#include <freeradius/libradius.h>

#include "ard_radius.h"
#include "errbuf.h"
#include "radattr.h"

#define NIDS			256
#define DEFAULT_TIMEOUT_MS	3000
#define DEFAULT_PORT		1812
#define SERVER_NAME_LEN		(INET6_ADDRSTRLEN + 8)

struct ar_server {
	fr_ipaddr_t	 addr;
	uint16_t	 port;
	char		*secret;
	char		 name[SERVER_NAME_LEN];
};

/* One outstanding request, a talloc context for all it holds. */
struct ar_req {
	RADIUS_PACKET	*packet;
	uint8_t		*cert;
	size_t		 cert_len;
	uint8_t		*cert_sha256;	/* 32 octets, when no cert */
	uint8_t		*state;
	size_t		 state_len;
	char		*apps[ARD_RADIUS_MAX_APPS];
	size_t		 n_apps;
	char		*nas_port_id;
	char		*csid;
	void		*arg;
	size_t		 srv;
	unsigned int	 tries;
	size_t		 servers_tried;
	uint64_t	 deadline;
};

struct ard_radius {
	struct ar_server	 server[ARD_RADIUS_MAX_SERVERS];
	size_t			 nservers;
	size_t			 current;
	int			 fd;
	unsigned int		 timeout_ms;
	unsigned int		 retries;
	char			*nas_identifier;
	ard_radius_cb		 cb;
	struct ar_req		*pending[NIDS];
	unsigned int		 outstanding;
	unsigned int		 next_id;
	char			 err[ARD_RADIUS_ERRLEN];
	struct ard_radius_stats	 st;
};

static const DICT_ATTR *da_cert, *da_app, *da_record, *da_sha;

#define ar_err(r, ...)	gkey_seterr((r)->err, sizeof((r)->err), __VA_ARGS__)

const struct ard_radius_stats *
ard_radius_stats(const struct ard_radius *r)
{
	return &r->st;
}

const char *
ard_radius_error(const struct ard_radius *r)
{
	return r->err;
}

int
ard_radius_fd(const struct ard_radius *r)
{
	return r->fd;
}

unsigned int
ard_radius_outstanding(const struct ard_radius *r)
{
	return r->outstanding;
}

static const DICT_ATTR *
need_attr(const char *name, char *err, size_t errlen)
{
	const DICT_ATTR *da = dict_attrbyname(name);

	if (da == NULL)
		gkey_seterr(err, errlen, "%s is not in the dictionaries", name);
	else if (da->type != (strcmp(name, "GKey-Requested-App") == 0 ?
	    PW_TYPE_STRING : PW_TYPE_OCTETS)) {
		gkey_seterr(err, errlen, "%s has the wrong type in the "
		    "dictionaries", name);
		da = NULL;
	}
	return da;
}

int
ard_radius_init(const char *dictdir, const char *dict_file, char *err,
    size_t errlen)
{
	char dcopy[PATH_MAX], bcopy[PATH_MAX];

	if (fr_check_lib_magic(RADIUSD_MAGIC_NUMBER) < 0) {
		gkey_seterr(err, errlen, "libfreeradius-radius does not match "
		    "the headers: %s", fr_strerror());
		return -1;
	}
	if (dict_init(dictdir, "dictionary") < 0) {
		gkey_seterr(err, errlen, "cannot load %s/dictionary: %s",
		    dictdir, fr_strerror());
		return -1;
	}
	if (dict_file != NULL && dict_file[0] != '\0') {
		if (strlen(dict_file) >= sizeof(dcopy)) {
			gkey_seterr(err, errlen, "dictionary path too long");
			return -1;
		}
		/* dict_read() takes a directory and a file name. */
		snprintf(dcopy, sizeof(dcopy), "%s", dict_file);
		snprintf(bcopy, sizeof(bcopy), "%s", dict_file);
		if (dict_read(dirname(dcopy), basename(bcopy)) < 0) {
			gkey_seterr(err, errlen, "cannot load %s: %s",
			    dict_file, fr_strerror());
			return -1;
		}
	}
	if ((da_cert = need_attr("GKey-Certificate", err, errlen)) == NULL ||
	    (da_app = need_attr("GKey-Requested-App", err, errlen)) == NULL ||
	    (da_record = need_attr("GKey-Key-Record", err, errlen)) == NULL ||
	    (da_sha = need_attr("GKey-Cert-SHA256", err, errlen)) == NULL)
		return -1;
	return 0;
}

struct ard_radius *
ard_radius_new(const struct ard_radius_cfg *cfg, char *err, size_t errlen)
{
	struct ard_radius *r;
	fr_ipaddr_t any;
	size_t i;
	int fl;

	if (cfg == NULL || cfg->nservers < 1 ||
	    cfg->nservers > ARD_RADIUS_MAX_SERVERS || cfg->cb == NULL ||
	    cfg->nas_identifier == NULL || cfg->nas_identifier[0] == '\0' ||
	    strlen(cfg->nas_identifier) > 253) {
		gkey_seterr(err, errlen, "1 or 2 servers, a NAS-Identifier of "
		    "1..253 octets and a callback are needed");
		return NULL;
	}
	if ((r = talloc_zero(NULL, struct ard_radius)) == NULL) {
		gkey_seterr(err, errlen, "out of memory");
		return NULL;
	}
	r->fd = -1;
	for (i = 0; i < cfg->nservers; i++) {
		const struct ard_radius_server_cfg *sc = &cfg->server[i];
		struct ar_server *s = &r->server[i];
		char a[INET6_ADDRSTRLEN];

		if (sc->host == NULL || sc->secret == NULL ||
		    sc->secret[0] == '\0') {
			gkey_seterr(err, errlen, "server %zu: address and "
			    "secret are required", i + 1);
			goto fail;
		}
		if (fr_pton(&s->addr, sc->host, -1, AF_UNSPEC, false) < 0) {
			gkey_seterr(err, errlen, "server %zu: bad address "
			    "'%s': %s", i + 1, sc->host, fr_strerror());
			goto fail;
		}
		if (i > 0 && s->addr.af != r->server[0].addr.af) {
			gkey_seterr(err, errlen, "servers must share one "
			    "address family");
			goto fail;
		}
		s->port = sc->port != 0 ? sc->port : DEFAULT_PORT;
		if ((s->secret = talloc_strdup(r, sc->secret)) == NULL) {
			gkey_seterr(err, errlen, "out of memory");
			goto fail;
		}
		fr_ntop(a, sizeof(a), &s->addr);
		snprintf(s->name, sizeof(s->name),
		    s->addr.af == AF_INET6 ? "[%s]:%u" : "%s:%u", a, s->port);
	}
	r->nservers = cfg->nservers;
	r->timeout_ms = cfg->timeout_ms != 0 ? cfg->timeout_ms :
	    DEFAULT_TIMEOUT_MS;
	r->retries = cfg->retries;
	r->cb = cfg->cb;
	if ((r->nas_identifier = talloc_strdup(r, cfg->nas_identifier)) ==
	    NULL) {
		gkey_seterr(err, errlen, "out of memory");
		goto fail;
	}
	r->next_id = fr_rand() % NIDS;
	memset(&any, 0, sizeof(any));
	any.af = r->server[0].addr.af;
	any.prefix = any.af == AF_INET6 ? 128 : 32;
	if ((r->fd = fr_socket(&any, 0)) < 0) {
		gkey_seterr(err, errlen, "cannot open the RADIUS socket: %s",
		    fr_strerror());
		goto fail;
	}
	if ((fl = fcntl(r->fd, F_GETFL)) < 0 ||
	    fcntl(r->fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(r->fd, F_SETFD, FD_CLOEXEC) < 0) {
		gkey_seterr(err, errlen, "fcntl on the RADIUS socket: %s",
		    strerror(errno));
		goto fail;
	}
	return r;
fail:
	ard_radius_free(r);
	return NULL;
}

static void
req_free(struct ard_radius *r, int id)
{
	struct ar_req *q = r->pending[id];

	if (q == NULL)
		return;
	r->pending[id] = NULL;
	r->outstanding--;
	talloc_free(q);
}

void
ard_radius_free(struct ard_radius *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < NIDS; i++)
		req_free(r, (int)i);
	if (r->fd >= 0)
		close(r->fd);
	for (i = 0; i < ARD_RADIUS_MAX_SERVERS; i++)
		if (r->server[i].secret != NULL)
			OPENSSL_cleanse(r->server[i].secret,
			    strlen(r->server[i].secret));
	talloc_free(r);
}

/* ------------------------------------------------------------ requests */

/* Builds the Access-Request of q for server q->srv and sends it. */
static int
build_and_send(struct ard_radius *r, struct ar_req *q, int id)
{
	static const uint8_t zero_ma[AUTH_VECTOR_LEN];
	struct ar_server *srv = &r->server[q->srv];
	RADIUS_PACKET *p;
	size_t i;
	int rc = 0;

	if (q->packet != NULL)
		rad_free(&q->packet);
	/* true: a fresh random Request Authenticator for every build. */
	if ((p = rad_alloc(q, true)) == NULL) {
		ar_err(r, "out of memory");
		return -1;
	}
	p->code = PW_CODE_ACCESS_REQUEST;
	p->id = id;
	p->sockfd = r->fd;
	p->dst_ipaddr = srv->addr;
	p->dst_port = srv->port;
	rc |= radattr_num(p, PW_SERVICE_TYPE, 0, NULL, 0, PW_AUTHORIZE_ONLY);
	rc |= radattr_num(p, PW_MESSAGE_AUTHENTICATOR, 0, zero_ma,
	    sizeof(zero_ma), 0);
	if (q->cert != NULL)
		rc |= radattr_da(p, da_cert, q->cert, q->cert_len);
	else
		rc |= radattr_da(p, da_sha, q->cert_sha256, 32);
	if (q->state != NULL)
		rc |= radattr_num(p, PW_STATE, 0, q->state, q->state_len, 0);
	for (i = 0; i < q->n_apps; i++)
		rc |= radattr_da(p, da_app, q->apps[i], strlen(q->apps[i]));
	rc |= radattr_num(p, PW_NAS_IDENTIFIER, 0, r->nas_identifier,
	    strlen(r->nas_identifier), 0);
	rc |= radattr_num(p, PW_NAS_PORT_ID, 0, q->nas_port_id,
	    strlen(q->nas_port_id), 0);
	rc |= radattr_num(p, PW_CALLING_STATION_ID, 0, q->csid,
	    strlen(q->csid), 0);
	if (rc != 0) {
		ar_err(r, "cannot build the Access-Request: %s",
		    fr_strerror());
		rad_free(&p);
		return -1;
	}
	q->packet = p;
	q->tries = 1;
	/* A failed send is a lost packet: the timer retransmits. */
	if (rad_send(p, NULL, srv->secret) < 0)
		ar_err(r, "sending to %s: %s", srv->name, fr_strerror());
	return 0;
}

static int
alloc_id(struct ard_radius *r)
{
	unsigned int i, id;

	for (i = 0; i < NIDS; i++) {
		id = (r->next_id + i) % NIDS;
		if (r->pending[id] == NULL) {
			r->next_id = (id + 1) % NIDS;
			return (int)id;
		}
	}
	return -1;
}

static int
copy_request(struct ar_req *q, const struct ard_request *in)
{
	size_t i;

	if ((in->cert != NULL &&
	    (q->cert = talloc_memdup(q, in->cert, in->cert_len)) == NULL) ||
	    (in->cert == NULL && (q->cert_sha256 = talloc_memdup(q,
	    in->cert_sha256, 32)) == NULL) ||
	    (in->state != NULL && (q->state = talloc_memdup(q, in->state,
	    in->state_len)) == NULL) ||
	    (q->nas_port_id = talloc_strdup(q, in->nas_port_id)) == NULL ||
	    (q->csid = talloc_strdup(q, in->calling_station_id)) == NULL)
		return -1;
	q->cert_len = in->cert_len;
	q->state_len = in->state_len;
	for (i = 0; i < in->n_apps; i++)
		if ((q->apps[i] = talloc_strndup(q, (const char *)in->apps[i],
		    in->app_len[i])) == NULL)
			return -1;
	q->n_apps = in->n_apps;
	q->arg = in->arg;
	return 0;
}

int
ard_radius_send(struct ard_radius *r, const struct ard_request *in,
    uint64_t now)
{
	struct ar_req *q;
	int id;

	if (in == NULL || (in->cert == NULL && in->cert_sha256 == NULL) ||
	    (in->cert != NULL && in->cert_len == 0) ||
	    (in->state != NULL && (in->state_len < 1 ||
	    in->state_len > 253)) ||
	    in->n_apps > ARD_RADIUS_MAX_APPS || in->nas_port_id == NULL ||
	    in->calling_station_id == NULL) {
		ar_err(r, "bad request");
		return -1;
	}
	if ((id = alloc_id(r)) < 0) {
		ar_err(r, "all %d RADIUS identifiers are in use", NIDS);
		return -1;
	}
	if ((q = talloc_zero(r, struct ar_req)) == NULL ||
	    copy_request(q, in) != 0) {
		talloc_free(q);
		ar_err(r, "out of memory");
		return -1;
	}
	q->srv = r->current;
	q->servers_tried = 1;
	if (build_and_send(r, q, id) != 0) {
		talloc_free(q);
		return -1;
	}
	q->deadline = now + r->timeout_ms;
	r->pending[id] = q;
	r->outstanding++;
	r->st.requests++;
	return id;
}

void
ard_radius_cancel(struct ard_radius *r, int id)
{
	if (id >= 0 && id < NIDS)
		req_free(r, id);
}

/* ------------------------------------------------------------ replies */

static void
fill_result(struct ard_radius_result *res, RADIUS_PACKET *reply)
{
	VALUE_PAIR *vp;
	vp_cursor_t c;

	res->outcome = reply->code == PW_CODE_ACCESS_ACCEPT ? ARD_ACCEPT :
	    ARD_REJECT;
	if ((vp = fr_pair_find_by_num(reply->vps, PW_REPLY_MESSAGE, 0,
	    TAG_ANY)) != NULL)
		res->reply_message = vp->vp_strvalue;
	if (res->outcome != ARD_ACCEPT)
		return;
	if ((vp = fr_pair_find_by_num(reply->vps, PW_SESSION_TIMEOUT, 0,
	    TAG_ANY)) != NULL) {
		res->has_session_timeout = 1;
		res->session_timeout = vp->vp_integer;
	}
	for (vp = fr_cursor_init(&c, &reply->vps); vp != NULL;
	    vp = fr_cursor_next(&c)) {
		if (vp->da != da_record || vp->vp_length == 0)
			continue;
		if (res->n_records == ARD_RADIUS_MAX_RECORDS) {
			res->records_dropped++;
			continue;
		}
		res->records[res->n_records] = vp->vp_octets;
		res->record_len[res->n_records] = vp->vp_length;
		res->n_records++;
	}
}

int
ard_radius_read(struct ard_radius *r)
{
	struct ard_radius_result res;
	RADIUS_PACKET *reply;
	struct ar_req *q;
	struct ar_server *srv;
	uint8_t peek;
	char a[INET6_ADDRSTRLEN];
	void *arg;
	int ret = -1;

	if (recv(r->fd, &peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		/* e.g. ECONNREFUSED from an ICMP error: consumed. */
		ar_err(r, "RADIUS socket: %s", strerror(errno));
		return -1;
	}
	/* 0: FreeRADIUS 3.2.1 puts no Message-Authenticator in these. */
	if ((reply = rad_recv(NULL, r->fd, 0)) == NULL) {
		ar_err(r, "dropped a RADIUS datagram: %s", fr_strerror());
		return -1;
	}
	fr_ntop(a, sizeof(a), &reply->src_ipaddr);
	if ((q = r->pending[reply->id]) == NULL) {
		ar_err(r, "dropped a reply from %s port %u: no request with "
		    "Identifier %d", a, reply->src_port, reply->id);
		goto finish;
	}
	srv = &r->server[q->srv];
	if (fr_ipaddr_cmp(&reply->src_ipaddr, &srv->addr) != 0 ||
	    reply->src_port != srv->port) {
		ar_err(r, "dropped a reply from %s port %u: Identifier %d "
		    "was sent to %s", a, reply->src_port, reply->id,
		    srv->name);
		goto finish;
	}
	if (reply->code != PW_CODE_ACCESS_ACCEPT &&
	    reply->code != PW_CODE_ACCESS_REJECT) {
		ar_err(r, "dropped a reply from %s: code %u", srv->name,
		    reply->code);
		goto finish;
	}
	if (rad_verify(reply, q->packet, srv->secret) != 0 ||
	    rad_decode(reply, q->packet, srv->secret) != 0) {
		ar_err(r, "dropped a reply from %s: %s", srv->name,
		    fr_strerror());
		goto finish;
	}
	memset(&res, 0, sizeof(res));
	res.server = srv->name;
	fill_result(&res, reply);
	r->current = q->srv;
	r->st.round_trips++;
	arg = q->arg;
	req_free(r, reply->id);
	r->cb(arg, &res);
	ret = 1;
finish:
	rad_free(&reply);
	return ret;
}

/* ------------------------------------------------------------ timers */

int
ard_radius_next_timeout(const struct ard_radius *r, uint64_t now)
{
	uint64_t first = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < NIDS; i++)
		if (r->pending[i] != NULL && r->pending[i]->deadline < first)
			first = r->pending[i]->deadline;
	if (first == UINT64_MAX)
		return -1;
	if (first <= now)
		return 0;
	return first - now > INT_MAX ? INT_MAX : (int)(first - now);
}

int
ard_radius_timeout(struct ard_radius *r, uint64_t now)
{
	struct ard_radius_result res;
	struct ar_req *q;
	struct ar_server *srv;
	unsigned int i;
	void *arg;
	int n = 0;

	for (i = 0; i < NIDS; i++) {
		if ((q = r->pending[i]) == NULL || q->deadline > now)
			continue;
		q->deadline = now + r->timeout_ms;
		if (q->tries <= r->retries) {
			srv = &r->server[q->srv];
			q->tries++;
			r->st.retransmits++;
			/* rad_send() resends the bytes it encoded. */
			if (rad_send(q->packet, NULL, srv->secret) < 0)
				ar_err(r, "resending to %s: %s", srv->name,
				    fr_strerror());
			continue;
		}
		if (q->servers_tried < r->nservers) {
			q->srv = (q->srv + 1) % r->nservers;
			q->servers_tried++;
			r->st.failovers++;
			r->current = q->srv;
			if (build_and_send(r, q, (int)i) == 0)
				continue;
		}
		arg = q->arg;
		req_free(r, (int)i);
		memset(&res, 0, sizeof(res));
		res.outcome = ARD_TIMEOUT;
		r->st.timeouts++;
		n++;
		r->cb(arg, &res);
	}
	return n;
}
