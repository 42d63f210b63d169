/*
 * radius_client.c - EAP over RADIUS (RFC 3579) for the PAA, on
 * libfreeradius-radius 3.2.1.  See radius_client.h.
 *
 * The library does the packet work: it signs Message-Authenticator,
 * splits EAP-Message at 253 octets and joins it again, checks the
 * Response Authenticator and Message-Authenticator of replies, and
 * decrypts MS-MPPE-Recv-Key/Send-Key with the request's authenticator.
 * This file keeps the sessions, the Identifier map, the timers and the
 * fail-over, and copies results out of the library's packets.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <freeradius/build.h>
#include <freeradius/libradius.h>

#include "radius_client.h"
#include "clock.h"
#include "errbuf.h"
#include "radattr.h"

#define NIDS			256
#define DEFAULT_TIMEOUT_MS	3000
#define DEFAULT_PORT		1812
#define USER_NAME_MAX		253
#define SERVER_NAME_LEN		(INET6_ADDRSTRLEN + 8)

struct rc_server {
	fr_ipaddr_t	 addr;
	uint16_t	 port;
	char		*secret;
	char		 name[SERVER_NAME_LEN];
};

struct radius_client {
	struct rc_server	 server[RADIUS_CLIENT_MAX_SERVERS];
	size_t			 nservers;
	size_t			 current;	/* answered last */
	int			 fd;
	unsigned int		 timeout_ms;
	unsigned int		 retries;
	char			*nas_identifier;
	uint32_t		 framed_mtu;
	uint32_t		 service_type;
	radius_result_cb	 cb;
	struct radius_session	*pending[NIDS];
	unsigned int		 next_id;
	struct radius_session	*sessions;	/* every live session */
	char			 err[RADIUS_CLIENT_ERRLEN];
};

/* A session is a talloc context: everything it holds hangs below it. */
struct radius_session {
	struct radius_client	*rc;
	struct radius_session	*next, *prev;
	void			*arg;
	char			*user_name;
	char			*calling_station_id;
	uint8_t			*state;		/* from the last challenge */
	size_t			 state_len;

	/* The request in flight, if any. */
	RADIUS_PACKET		*req;
	uint8_t			*eap;		/* kept to rebuild on fail-over */
	size_t			 eap_len;
	int			 id;
	size_t			 srv;
	unsigned int		 tries;		/* sent to srv so far */
	size_t			 servers_tried;
	uint64_t		 deadline;

	/* The last result; its buffers live in reply_ctx. */
	TALLOC_CTX		*reply_ctx;
	struct radius_result	 res;
};

#define rc_err(rc, ...)	gkey_seterr((rc)->err, sizeof((rc)->err), __VA_ARGS__)

const char *
radius_client_error(const struct radius_client *rc)
{
	return rc->err;
}

int
radius_client_fd(const struct radius_client *rc)
{
	return rc->fd;
}

int
radius_client_init(const char *dictdir, const char *dict_file, char *err,
    size_t errlen)
{
	char	dcopy[PATH_MAX], bcopy[PATH_MAX];

	if (fr_check_lib_magic(RADIUSD_MAGIC_NUMBER) < 0) {
		gkey_seterr(err, errlen, "libfreeradius-radius does not match the "
		    "headers: %s", fr_strerror());
		return -1;
	}
	if (dict_init(dictdir, "dictionary") < 0) {
		gkey_seterr(err, errlen, "cannot load %s/dictionary: %s", dictdir,
		    fr_strerror());
		return -1;
	}
	if (dict_file != NULL) {
		if (strlen(dict_file) >= sizeof(dcopy)) {
			gkey_seterr(err, errlen, "dictionary path too long");
			return -1;
		}
		/* dict_read() takes a directory and a file name. */
		strcpy(dcopy, dict_file);
		strcpy(bcopy, dict_file);
		if (dict_read(dirname(dcopy), basename(bcopy)) < 0) {
			gkey_seterr(err, errlen, "cannot load %s: %s", dict_file,
			    fr_strerror());
			return -1;
		}
	}
	if (dict_attrbyvalue(GKEY_ATTR_KEY_RECORD, GKEY_VENDOR_ID) == NULL) {
		gkey_seterr(err, errlen, "GKey-Key-Record (vendor %d, attribute %d) "
		    "is not in the dictionaries", GKEY_VENDOR_ID,
		    GKEY_ATTR_KEY_RECORD);
		return -1;
	}
	return 0;
}

static void
wipe_str(char *s)
{
	if (s != NULL)
		OPENSSL_cleanse(s, strlen(s));
}

struct radius_client *
radius_client_new(const struct radius_client_cfg *cfg, char *err,
    size_t errlen)
{
	struct radius_client	*rc;
	fr_ipaddr_t		 any;
	size_t			 i;
	int			 fl;

	if (cfg == NULL || cfg->nservers < 1 ||
	    cfg->nservers > RADIUS_CLIENT_MAX_SERVERS) {
		gkey_seterr(err, errlen, "1 to %d RADIUS servers are needed",
		    RADIUS_CLIENT_MAX_SERVERS);
		return NULL;
	}
	if (cfg->nas_identifier == NULL || cfg->nas_identifier[0] == '\0' ||
	    strlen(cfg->nas_identifier) > 253) {
		gkey_seterr(err, errlen, "NAS-Identifier must be 1..253 octets");
		return NULL;
	}
	if (cfg->cb == NULL) {
		gkey_seterr(err, errlen, "no result callback");
		return NULL;
	}
	if (cfg->service_type > 2) {
		gkey_seterr(err, errlen, "Service-Type must be Login-User (1) or "
		    "Framed-User (2)");
		return NULL;
	}
	if ((rc = talloc_zero(NULL, struct radius_client)) == NULL) {
		gkey_seterr(err, errlen, "out of memory");
		return NULL;
	}
	rc->fd = -1;
	for (i = 0; i < cfg->nservers; i++) {
		const struct radius_server_cfg	*sc = &cfg->server[i];
		struct rc_server		*s = &rc->server[i];
		char				 a[INET6_ADDRSTRLEN];

		if (sc->host == NULL || sc->secret == NULL ||
		    sc->secret[0] == '\0') {
			gkey_seterr(err, errlen, "server %zu: address and secret "
			    "are required", i + 1);
			goto fail;
		}
		if (fr_pton(&s->addr, sc->host, -1, AF_UNSPEC, false) < 0) {
			gkey_seterr(err, errlen, "server %zu: bad address '%s': %s",
			    i + 1, sc->host, fr_strerror());
			goto fail;
		}
		if (i > 0 && s->addr.af != rc->server[0].addr.af) {
			gkey_seterr(err, errlen, "servers must share one address "
			    "family");
			goto fail;
		}
		s->port = sc->port != 0 ? sc->port : DEFAULT_PORT;
		if ((s->secret = talloc_strdup(rc, sc->secret)) == NULL) {
			gkey_seterr(err, errlen, "out of memory");
			goto fail;
		}
		fr_ntop(a, sizeof(a), &s->addr);
		snprintf(s->name, sizeof(s->name),
		    s->addr.af == AF_INET6 ? "[%s]:%u" : "%s:%u", a, s->port);
	}
	rc->nservers = cfg->nservers;
	rc->timeout_ms = cfg->timeout_ms != 0 ? cfg->timeout_ms :
	    DEFAULT_TIMEOUT_MS;
	rc->retries = cfg->retries;
	rc->framed_mtu = cfg->framed_mtu;
	rc->service_type = cfg->service_type != 0 ? cfg->service_type :
	    PW_FRAMED_USER;
	rc->cb = cfg->cb;
	if ((rc->nas_identifier = talloc_strdup(rc,
	    cfg->nas_identifier)) == NULL) {
		gkey_seterr(err, errlen, "out of memory");
		goto fail;
	}
	rc->next_id = fr_rand() % NIDS;

	memset(&any, 0, sizeof(any));
	any.af = rc->server[0].addr.af;
	any.prefix = any.af == AF_INET6 ? 128 : 32;
	if ((rc->fd = fr_socket(&any, 0)) < 0) {
		gkey_seterr(err, errlen, "cannot open the RADIUS socket: %s",
		    fr_strerror());
		goto fail;
	}
	if ((fl = fcntl(rc->fd, F_GETFL)) < 0 ||
	    fcntl(rc->fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(rc->fd, F_SETFD, FD_CLOEXEC) < 0) {
		gkey_seterr(err, errlen, "fcntl on the RADIUS socket: %s",
		    strerror(errno));
		goto fail;
	}
	return rc;
fail:
	radius_client_free(rc);
	return NULL;
}

/* ------------------------------------------------------------ sessions */

static void
result_clear(struct radius_session *s)
{
	OPENSSL_cleanse(s->res.msk, sizeof(s->res.msk));
	memset(&s->res, 0, sizeof(s->res));
	TALLOC_FREE(s->reply_ctx);
}

static void
release_id(struct radius_session *s)
{
	if (s->req == NULL)
		return;
	if (s->rc->pending[s->id] == s)
		s->rc->pending[s->id] = NULL;
	rad_free(&s->req);
	TALLOC_FREE(s->eap);
	s->eap_len = 0;
}

struct radius_session *
radius_session_new(struct radius_client *rc, const char *csid, void *arg)
{
	struct radius_session	*s;

	if ((s = talloc_zero(NULL, struct radius_session)) == NULL) {
		rc_err(rc, "out of memory");
		return NULL;
	}
	s->rc = rc;
	s->arg = arg;
	if (csid != NULL && (strlen(csid) > 253 ||
	    (s->calling_station_id = talloc_strdup(s, csid)) == NULL)) {
		rc_err(rc, "Calling-Station-Id too long or out of memory");
		talloc_free(s);
		return NULL;
	}
	s->next = rc->sessions;
	if (rc->sessions != NULL)
		rc->sessions->prev = s;
	rc->sessions = s;
	return s;
}

void
radius_session_free(struct radius_session *s)
{
	if (s == NULL)
		return;
	release_id(s);
	result_clear(s);
	if (s->state != NULL)
		OPENSSL_cleanse(s->state, s->state_len);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		s->rc->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	talloc_free(s);
}

int
radius_session_set_user_name(struct radius_session *s, const char *name)
{
	char	*n;

	if (name == NULL || name[0] == '\0' || strlen(name) > USER_NAME_MAX) {
		rc_err(s->rc, "User-Name must be 1..%d octets", USER_NAME_MAX);
		return -1;
	}
	if ((n = talloc_strdup(s, name)) == NULL) {
		rc_err(s->rc, "out of memory");
		return -1;
	}
	talloc_free(s->user_name);
	s->user_name = n;
	return 0;
}

void
radius_client_free(struct radius_client *rc)
{
	size_t	i;

	if (rc == NULL)
		return;
	while (rc->sessions != NULL)
		radius_session_free(rc->sessions);
	if (rc->fd >= 0)
		close(rc->fd);
	for (i = 0; i < RADIUS_CLIENT_MAX_SERVERS; i++)
		wipe_str(rc->server[i].secret);
	talloc_free(rc);
}

/* ------------------------------------------------------------ requests */

/* Builds the Access-Request for s->eap to server s->srv and sends it. */
static int
build_and_send(struct radius_session *s)
{
	static const uint8_t	 zero_ma[AUTH_VECTOR_LEN];
	struct radius_client	*rc = s->rc;
	struct rc_server	*srv = &rc->server[s->srv];
	RADIUS_PACKET		*p;

	if (s->req != NULL)
		rad_free(&s->req);
	/* true: a fresh random Request Authenticator for every build. */
	if ((p = rad_alloc(s, true)) == NULL) {
		rc_err(rc, "out of memory");
		return -1;
	}
	p->code = PW_CODE_ACCESS_REQUEST;
	p->id = s->id;
	p->sockfd = rc->fd;
	p->dst_ipaddr = srv->addr;
	p->dst_port = srv->port;
	if (radattr_string(p, PW_USER_NAME, 0, s->user_name) != 0 ||
	    radattr_octets(p, PW_EAP_MESSAGE, 0, s->eap, s->eap_len) != 0 ||
	    (s->state != NULL &&
	    radattr_octets(p, PW_STATE, 0, s->state, s->state_len) != 0) ||
	    radattr_octets(p, PW_MESSAGE_AUTHENTICATOR, 0, zero_ma,
	    sizeof(zero_ma)) != 0 ||
	    radattr_string(p, PW_NAS_IDENTIFIER, 0, rc->nas_identifier) != 0 ||
	    (s->calling_station_id != NULL &&
	    radattr_string(p, PW_CALLING_STATION_ID, 0,
	    s->calling_station_id) != 0) ||
	    (rc->framed_mtu != 0 &&
	    radattr_integer(p, PW_FRAMED_MTU, 0, rc->framed_mtu) != 0) ||
	    radattr_integer(p, PW_SERVICE_TYPE, 0, rc->service_type) != 0) {
		rc_err(rc, "cannot build the Access-Request: %s",
		    fr_strerror());
		rad_free(&p);
		return -1;
	}
	s->req = p;
	s->tries = 1;
	/*
	 * A failed send is a lost packet: the timer retransmits and fails
	 * over as if the server had not answered.
	 */
	if (rad_send(p, NULL, srv->secret) < 0)
		rc_err(rc, "sending to %s: %s", srv->name, fr_strerror());
	return 0;
}

static int
alloc_id(struct radius_client *rc)
{
	unsigned int	i, id;

	for (i = 0; i < NIDS; i++) {
		id = (rc->next_id + i) % NIDS;
		if (rc->pending[id] == NULL) {
			rc->next_id = (id + 1) % NIDS;
			return (int)id;
		}
	}
	return -1;
}

/* The identity in an EAP-Response/Identity, as the default User-Name. */
static void
user_name_from_eap(struct radius_session *s, const uint8_t *eap, size_t len)
{
	size_t	elen, n, i;
	char	name[USER_NAME_MAX + 1];

	if (len < 5 || eap[0] != 2 || eap[4] != 1)
		return;
	elen = (size_t)eap[2] << 8 | eap[3];
	if (elen < 6 || elen > len || elen - 5 > USER_NAME_MAX)
		return;
	n = elen - 5;
	for (i = 0; i < n; i++)
		if (eap[5 + i] == '\0')
			return;
	memcpy(name, eap + 5, n);
	name[n] = '\0';
	(void)radius_session_set_user_name(s, name);
}

int
radius_client_send(struct radius_session *s, const uint8_t *eap, size_t len,
    uint64_t now)
{
	struct radius_client	*rc = s->rc;
	int			 id;

	if (s->req != NULL) {
		rc_err(rc, "a request is already outstanding for this session");
		return -1;
	}
	if (eap == NULL || len < 4 || len > RADIUS_CLIENT_EAP_MAX) {
		rc_err(rc, "EAP message of %zu octets (4..%d)", len,
		    RADIUS_CLIENT_EAP_MAX);
		return -1;
	}
	/* Relay only what is an EAP-Response whose Length is what we got. */
	if (eap[0] != 2 || ((size_t)eap[2] << 8 | eap[3]) != len) {
		rc_err(rc, "not an EAP-Response of %zu octets", len);
		return -1;
	}
	if (s->user_name == NULL)
		user_name_from_eap(s, eap, len);
	if (s->user_name == NULL) {
		rc_err(rc, "no User-Name: the first EAP message must be a "
		    "Response/Identity");
		return -1;
	}
	if ((id = alloc_id(rc)) < 0) {
		rc_err(rc, "all %d RADIUS identifiers are in use", NIDS);
		return -1;
	}
	result_clear(s);
	if ((s->eap = talloc_memdup(s, eap, len)) == NULL) {
		rc_err(rc, "out of memory");
		return -1;
	}
	s->eap_len = len;
	s->id = id;
	s->srv = rc->current;
	s->servers_tried = 1;
	if (build_and_send(s) != 0) {
		TALLOC_FREE(s->eap);
		return -1;
	}
	rc->pending[id] = s;
	s->deadline = now + rc->timeout_ms;
	return 0;
}

/* ------------------------------------------------------------ replies */

static void
wipe_mppe(RADIUS_PACKET *reply)
{
	VALUE_PAIR	*vp;
	vp_cursor_t	 c;

	for (vp = fr_cursor_init(&c, &reply->vps); vp != NULL;
	    vp = fr_cursor_next(&c))
		if (vp->da->vendor == VENDORPEC_MICROSOFT &&
		    vp->da->type == PW_TYPE_OCTETS && vp->vp_length > 0)
			OPENSSL_cleanse(vp->data.ptr, vp->vp_length);
}

/*
 * EAP-Message is "concat" in the dictionary, so rad_decode() joins
 * consecutive fragments into one pair.  RFC 3579 3.1 requires them to be
 * consecutive; a second pair means a server broke that rule, and its
 * reply is dropped rather than guessed at.
 */
static int
eap_message_ok(RADIUS_PACKET *reply)
{
	vp_cursor_t	 c;
	int		 n = 0;

	/* The first next_by_num() starts at the cursor's first pair. */
	fr_cursor_init(&c, &reply->vps);
	while (fr_cursor_next_by_num(&c, PW_EAP_MESSAGE, 0, TAG_ANY) != NULL)
		n++;
	return n <= 1;
}

/* Copies what the PAA needs out of a verified, decoded reply. */
static int
fill_result(struct radius_session *s, RADIUS_PACKET *reply)
{
	struct radius_result	*res = &s->res;
	VALUE_PAIR		*vp, *recv, *send;
	vp_cursor_t		 c;
	uint8_t			*p;

	if ((s->reply_ctx = talloc_new(s)) == NULL)
		return -1;
	res->server = s->rc->server[s->srv].name;
	switch (reply->code) {
	case PW_CODE_ACCESS_ACCEPT:	res->outcome = RADIUS_ACCEPT; break;
	case PW_CODE_ACCESS_REJECT:	res->outcome = RADIUS_REJECT; break;
	default:			res->outcome = RADIUS_CHALLENGE; break;
	}

	/* One pair: rad_decode() joined the fragments (eap_message_ok()). */
	if ((vp = fr_pair_find_by_num(reply->vps, PW_EAP_MESSAGE, 0,
	    TAG_ANY)) != NULL && vp->vp_length > 0) {
		if ((p = talloc_memdup(s->reply_ctx, vp->vp_octets,
		    vp->vp_length)) == NULL)
			return -1;
		res->eap = p;
		res->eap_len = vp->vp_length;
	}

	/* State belongs to the conversation only while it continues. */
	if (s->state != NULL) {
		OPENSSL_cleanse(s->state, s->state_len);
		TALLOC_FREE(s->state);
		s->state_len = 0;
	}
	if (res->outcome == RADIUS_CHALLENGE &&
	    (vp = fr_pair_find_by_num(reply->vps, PW_STATE, 0,
	    TAG_ANY)) != NULL && vp->vp_length > 0) {
		if ((s->state = talloc_memdup(s, vp->vp_octets,
		    vp->vp_length)) == NULL)
			return -1;
		s->state_len = vp->vp_length;
	}

	if ((vp = fr_pair_find_by_num(reply->vps, PW_REPLY_MESSAGE, 0,
	    TAG_ANY)) != NULL) {
		if ((res->reply_message = talloc_strndup(s->reply_ctx,
		    vp->vp_strvalue, vp->vp_length)) == NULL)
			return -1;
	}
	if (res->outcome != RADIUS_ACCEPT)
		return 0;

	recv = fr_pair_find_by_num(reply->vps, PW_MSCHAP_MPPE_RECV_KEY,
	    VENDORPEC_MICROSOFT, TAG_ANY);
	send = fr_pair_find_by_num(reply->vps, PW_MSCHAP_MPPE_SEND_KEY,
	    VENDORPEC_MICROSOFT, TAG_ANY);
	if (recv != NULL && send != NULL &&
	    recv->vp_length == RADIUS_CLIENT_MSK_LEN / 2 &&
	    send->vp_length == RADIUS_CLIENT_MSK_LEN / 2) {
		memcpy(res->msk, recv->vp_octets, RADIUS_CLIENT_MSK_LEN / 2);
		memcpy(res->msk + RADIUS_CLIENT_MSK_LEN / 2, send->vp_octets,
		    RADIUS_CLIENT_MSK_LEN / 2);
		res->has_msk = 1;
	}
	if ((vp = fr_pair_find_by_num(reply->vps, PW_SESSION_TIMEOUT, 0,
	    TAG_ANY)) != NULL) {
		res->has_session_timeout = 1;
		res->session_timeout = vp->vp_integer;
	}
	for (vp = fr_cursor_init(&c, &reply->vps); vp != NULL;
	    vp = fr_cursor_next(&c)) {
		if (vp->da->vendor != GKEY_VENDOR_ID ||
		    vp->da->attr != GKEY_ATTR_KEY_RECORD ||
		    vp->da->type != PW_TYPE_OCTETS)
			continue;
		if (res->nrecords == RADIUS_CLIENT_MAX_RECORDS) {
			res->records_dropped++;
			continue;
		}
		if ((p = talloc_memdup(s->reply_ctx, vp->vp_octets,
		    vp->vp_length)) == NULL)
			return -1;
		res->records[res->nrecords] = p;
		res->record_len[res->nrecords] = vp->vp_length;
		res->nrecords++;
	}
	return 0;
}

int
radius_client_read(struct radius_client *rc)
{
	RADIUS_PACKET		*reply;
	struct radius_session	*s;
	struct rc_server	*srv;
	uint8_t			 peek;
	char			 a[INET6_ADDRSTRLEN];
	int			 ret = -1;

	if (recv(rc->fd, &peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		/* e.g. ECONNREFUSED from an ICMP error: consumed, retry. */
		rc_err(rc, "RADIUS socket: %s", strerror(errno));
		return -1;
	}
	/* 1: the reply must carry Message-Authenticator (Blast-RADIUS). */
	if ((reply = rad_recv(NULL, rc->fd, 1)) == NULL) {
		rc_err(rc, "dropped a RADIUS datagram: %s", fr_strerror());
		return -1;
	}
	fr_ntop(a, sizeof(a), &reply->src_ipaddr);
	s = rc->pending[reply->id];
	if (s == NULL) {
		rc_err(rc, "dropped a reply from %s port %u: no request with "
		    "Identifier %d", a, reply->src_port, reply->id);
		goto done;
	}
	srv = &rc->server[s->srv];
	if (fr_ipaddr_cmp(&reply->src_ipaddr, &srv->addr) != 0 ||
	    reply->src_port != srv->port) {
		rc_err(rc, "dropped a reply from %s port %u: Identifier %d "
		    "was sent to %s", a, reply->src_port, reply->id,
		    srv->name);
		goto done;
	}
	if (reply->code != PW_CODE_ACCESS_ACCEPT &&
	    reply->code != PW_CODE_ACCESS_REJECT &&
	    reply->code != PW_CODE_ACCESS_CHALLENGE) {
		rc_err(rc, "dropped a reply from %s: code %u is not an answer "
		    "to an Access-Request", srv->name, reply->code);
		goto done;
	}
	if (rad_verify(reply, s->req, srv->secret) != 0) {
		rc_err(rc, "dropped a reply from %s: %s", srv->name,
		    fr_strerror());
		goto done;
	}
	if (rad_decode(reply, s->req, srv->secret) != 0) {
		rc_err(rc, "dropped a reply from %s: cannot decode: %s",
		    srv->name, fr_strerror());
		goto done;
	}
	if (!eap_message_ok(reply)) {
		rc_err(rc, "dropped a reply from %s: EAP-Message attributes "
		    "not consecutive (RFC 3579 3.1)", srv->name);
		goto done;
	}

	release_id(s);
	rc->current = s->srv;
	if (fill_result(s, reply) != 0) {
		/* Out of memory: report it as no answer rather than lose it. */
		result_clear(s);
		s->res.outcome = RADIUS_TIMEOUT;
		rc_err(rc, "out of memory copying a reply from %s", srv->name);
	}
	wipe_mppe(reply);
	rad_free(&reply);
	rc->cb(s, &s->res, s->arg);	/* may free s */
	return 1;
done:
	wipe_mppe(reply);
	rad_free(&reply);
	return ret;
}

/* ------------------------------------------------------------ timers */

int
radius_client_next_timeout(const struct radius_client *rc, uint64_t now)
{
	uint64_t	first = UINT64_MAX;
	unsigned int	i;

	for (i = 0; i < NIDS; i++)
		if (rc->pending[i] != NULL && rc->pending[i]->deadline < first)
			first = rc->pending[i]->deadline;
	if (first == UINT64_MAX)
		return -1;
	if (first <= now)
		return 0;
	return first - now > INT_MAX ? INT_MAX : (int)(first - now);
}

int
radius_client_timeout(struct radius_client *rc, uint64_t now)
{
	struct radius_session	*s;
	struct rc_server	*srv;
	unsigned int		 i;
	int			 n = 0;

	for (i = 0; i < NIDS; i++) {
		if ((s = rc->pending[i]) == NULL || s->deadline > now)
			continue;
		s->deadline = now + rc->timeout_ms;
		if (s->tries <= rc->retries) {
			srv = &rc->server[s->srv];
			s->tries++;
			/* rad_send() resends the bytes it encoded. */
			if (rad_send(s->req, NULL, srv->secret) < 0)
				rc_err(rc, "resending to %s: %s", srv->name,
				    fr_strerror());
			continue;
		}
		if (s->servers_tried < rc->nservers) {
			s->srv = (s->srv + 1) % rc->nservers;
			s->servers_tried++;
			rc->current = s->srv;
			if (build_and_send(s) == 0)
				continue;
		}
		release_id(s);
		result_clear(s);
		s->res.outcome = RADIUS_TIMEOUT;
		n++;
		rc->cb(s, &s->res, s->arg);	/* may free s */
	}
	return n;
}

/* ------------------------------------------------------------ reload */

static void
servers_wipe(struct rc_server *srv, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		wipe_str(srv[i].secret);
		TALLOC_FREE(srv[i].secret);
	}
}

/* Where the request of s goes on: its server's new index, or -1. */
static int
same_server(const struct radius_client *rc, const struct radius_session *s,
    const struct rc_server *srv, size_t n)
{
	const struct rc_server	*old = &rc->server[s->srv];
	size_t			 i;

	for (i = 0; i < n; i++)
		if (fr_ipaddr_cmp(&srv[i].addr, &old->addr) == 0 &&
		    srv[i].port == old->port &&
		    strcmp(srv[i].secret, old->secret) == 0)
			return (int)i;
	return -1;
}

int
radius_client_reconfigure(struct radius_client *rc,
    const struct radius_client_cfg *cfg, char *err, size_t errlen)
{
	struct rc_server	 srv[RADIUS_CLIENT_MAX_SERVERS];
	struct radius_session	*s;
	char			*nas = NULL, a[INET6_ADDRSTRLEN];
	int			 where[NIDS];
	size_t			 i;

	memset(srv, 0, sizeof(srv));
	if (cfg->nservers < 1 || cfg->nservers > RADIUS_CLIENT_MAX_SERVERS) {
		gkey_seterr(err, errlen, "1 to %d RADIUS servers are needed",
		    RADIUS_CLIENT_MAX_SERVERS);
		return -1;
	}
	if (cfg->nas_identifier == NULL || cfg->nas_identifier[0] == '\0' ||
	    strlen(cfg->nas_identifier) > 253) {
		gkey_seterr(err, errlen, "NAS-Identifier must be 1..253 octets");
		return -1;
	}
	for (i = 0; i < cfg->nservers; i++) {
		const struct radius_server_cfg	*sc = &cfg->server[i];

		if (sc->host == NULL || sc->secret == NULL ||
		    sc->secret[0] == '\0') {
			gkey_seterr(err, errlen, "server %zu: address and secret "
			    "are required", i + 1);
			goto fail;
		}
		if (fr_pton(&srv[i].addr, sc->host, -1, AF_UNSPEC, false) < 0) {
			gkey_seterr(err, errlen, "server %zu: bad address '%s': %s",
			    i + 1, sc->host, fr_strerror());
			goto fail;
		}
		if (srv[i].addr.af != rc->server[0].addr.af) {
			gkey_seterr(err, errlen, "server %zu: another address "
			    "family than the RADIUS socket's (restart to "
			    "change it)", i + 1);
			goto fail;
		}
		srv[i].port = sc->port != 0 ? sc->port : DEFAULT_PORT;
		if ((srv[i].secret = talloc_strdup(rc, sc->secret)) == NULL) {
			gkey_seterr(err, errlen, "out of memory");
			goto fail;
		}
		fr_ntop(a, sizeof(a), &srv[i].addr);
		snprintf(srv[i].name, sizeof(srv[i].name),
		    srv[i].addr.af == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		    srv[i].port);
	}
	if ((nas = talloc_strdup(rc, cfg->nas_identifier)) == NULL) {
		gkey_seterr(err, errlen, "out of memory");
		goto fail;
	}

	/* Nothing can fail from here on. */
	for (i = 0; i < NIDS; i++)
		where[i] = rc->pending[i] != NULL ?
		    same_server(rc, rc->pending[i], srv, cfg->nservers) : -1;
	servers_wipe(rc->server, rc->nservers);
	memcpy(rc->server, srv, sizeof(srv));
	rc->nservers = cfg->nservers;
	if (rc->current >= rc->nservers)
		rc->current = 0;
	talloc_free(rc->nas_identifier);
	rc->nas_identifier = nas;
	rc->timeout_ms = cfg->timeout_ms != 0 ? cfg->timeout_ms :
	    DEFAULT_TIMEOUT_MS;
	rc->retries = cfg->retries;
	rc->framed_mtu = cfg->framed_mtu;

	for (i = 0; i < NIDS; i++) {
		if ((s = rc->pending[i]) == NULL)
			continue;
		if (where[i] >= 0) {
			s->srv = (size_t)where[i];
			continue;
		}
		s->srv = 0;
		s->servers_tried = 1;
		s->deadline = gkey_now_ms() + rc->timeout_ms;
		if (build_and_send(s) == 0)
			continue;
		release_id(s);
		result_clear(s);
		s->res.outcome = RADIUS_TIMEOUT;
		rc->cb(s, &s->res, s->arg);	/* may free s */
	}
	return 0;
fail:
	servers_wipe(srv, RADIUS_CLIENT_MAX_SERVERS);
	return -1;
}
