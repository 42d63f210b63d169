/*
 * das.c - the NAS side of RFC 5176 for gkey's push (doc/coa.md).  See
 * das.h.
 *
 * libfreeradius checks the packet's form (rad_packet_ok), the Request
 * Authenticator and Message-Authenticator (rad_verify), decodes the
 * attributes (rad_decode) and builds the answers (rad_encode, rad_sign);
 * this file keeps the clients, the window, the duplicate cache and the
 * attribute rules of doc/coa.md section 4.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <freeradius/build.h>
#include <freeradius/libradius.h>
#include <freeradius/md5.h>

#include "das.h"
#include "errbuf.h"
#include "utf8.h"

#define AUTH_LEN	16

enum { SLOT_FREE = 0, SLOT_PENDING, SLOT_ANSWERED };

/* One request seen within the window (RFC 5176 2.3, RFC 5080 2.2.2). */
struct das_slot {
	int		 state;
	size_t		 client;
	uint8_t		 id;
	uint8_t		 vector[AUTH_LEN];
	uint64_t	 expires;	/* s since 1970: Event-Timestamp + window */
	uint8_t		 answer[DAS_ANSWER_MAX];
	size_t		 answer_len;
	uint32_t	 error_cause;	/* of the answer */
};

struct das_client {
	struct sockaddr_storage	 addr;
	char			*secret;
};

struct das {
	struct das_client	 client[DAS_CLIENTS_MAX];
	size_t			 n_clients;
	unsigned int		 window;
	char			*nas_identifier;
	int			 require_cert;
	struct das_slot		*slot;
	size_t			 n_slots;
	unsigned int		 cert_attr, cert_vendor;
	unsigned int		 app_attr, app_vendor;
	struct das_stats	 st;
};

const struct das_stats *
das_stats(const struct das *das)
{
	return &das->st;
}

/* An IPv4-mapped IPv6 address as the IPv4 one; anything else as is. */
static void
unmap(const struct sockaddr_storage *in, struct sockaddr_storage *out)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)in;
	struct sockaddr_in *s4 = (struct sockaddr_in *)out;

	*out = *in;
	if (in->ss_family != AF_INET6 ||
	    !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return;
	memset(out, 0, sizeof(*out));
	s4->sin_family = AF_INET;
	s4->sin_port = s6->sin6_port;
	memcpy(&s4->sin_addr, &s6->sin6_addr.s6_addr[12], 4);
}

static int
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return 0;
}

static void
addr_str(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const void *p = ss->ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if ((ss->ss_family != AF_INET && ss->ss_family != AF_INET6) ||
	    inet_ntop(ss->ss_family, p, buf, size) == NULL)
		snprintf(buf, size, "?");
}

static int
find_vendor_attr(const char *name, unsigned int *attr, unsigned int *vendor,
    char *err, size_t errlen)
{
	const DICT_ATTR *da = dict_attrbyname(name);

	if (da == NULL) {
		gkey_seterr(err, errlen, "%s is not in the dictionaries (load "
		    "dictionary.gkey)", name);
		return -1;
	}
	*attr = da->attr;
	*vendor = da->vendor;
	return 0;
}

struct das *
das_new(const struct das_config *cfg, char *err, size_t errlen)
{
	struct das *das;
	size_t i, n;

	if (cfg == NULL || cfg->n_clients < 1 ||
	    cfg->n_clients > DAS_CLIENTS_MAX || cfg->nas_identifier == NULL ||
	    cfg->nas_identifier[0] == '\0' ||
	    strlen(cfg->nas_identifier) > 253) {
		gkey_seterr(err, errlen, "1..%d clients and a NAS-Identifier "
		    "of 1..253 octets are needed", DAS_CLIENTS_MAX);
		return NULL;
	}
	if ((das = calloc(1, sizeof(*das))) == NULL)
		goto oom;
	if (find_vendor_attr("GKey-Cert-SHA256", &das->cert_attr,
	    &das->cert_vendor, err, errlen) != 0 ||
	    find_vendor_attr("GKey-Requested-App", &das->app_attr,
	    &das->app_vendor, err, errlen) != 0) {
		das_free(das);
		return NULL;
	}
	for (i = 0; i < cfg->n_clients; i++) {
		const struct das_client_cfg *c = &cfg->client[i];

		if (c->secret == NULL || c->secret[0] == '\0' ||
		    strlen(c->secret) > DAS_SECRET_MAX ||
		    (c->addr.ss_family != AF_INET &&
		    c->addr.ss_family != AF_INET6)) {
			gkey_seterr(err, errlen, "client %zu: an address and a "
			    "secret of 1..%d octets are needed", i + 1,
			    DAS_SECRET_MAX);
			das_free(das);
			return NULL;
		}
		unmap(&c->addr, &das->client[i].addr);
		if ((das->client[i].secret = strdup(c->secret)) == NULL)
			goto oom;
		das->n_clients++;
	}
	das->window = cfg->window != 0 ? cfg->window : DAS_WINDOW;
	das->require_cert = cfg->require_cert;
	if ((das->nas_identifier = strdup(cfg->nas_identifier)) == NULL)
		goto oom;
	n = cfg->cache_size != 0 ? cfg->cache_size : DAS_CACHE_SIZE;
	if ((das->slot = calloc(n, sizeof(*das->slot))) == NULL)
		goto oom;
	das->n_slots = n;
	return das;
oom:
	das_free(das);
	gkey_seterr(err, errlen, "out of memory");
	return NULL;
}

void
das_free(struct das *das)
{
	size_t i;

	if (das == NULL)
		return;
	for (i = 0; i < das->n_clients; i++) {
		OPENSSL_cleanse(das->client[i].secret,
		    strlen(das->client[i].secret));
		free(das->client[i].secret);
	}
	free(das->nas_identifier);
	free(das->slot);
	free(das);
}

/* ------------------------------------------------------------ answers */

/*
 * A NAK of request (code, id, vector) from client c with error_cause,
 * into out (DAS_ANSWER_MAX octets): CoA-NAK with Service-Type
 * Authorize-Only, or Disconnect-NAK; Message-Authenticator and the
 * Response Authenticator (RFC 5176 3.5) by rad_encode/rad_sign.
 */
static int
build_nak(const struct das_client *c, unsigned int code, uint8_t id,
    const uint8_t *vector, uint32_t error_cause, uint8_t *out,
    size_t *outlen)
{
	static const uint8_t zero_ma[AUTH_LEN];
	uint8_t ma[AUTH_LEN];
	RADIUS_PACKET *req, *rep = NULL;
	VALUE_PAIR *vp;
	int rc = -1;

	if ((req = rad_alloc(NULL, false)) == NULL)
		return -1;
	req->code = code;
	req->id = id;
	memcpy(req->vector, vector, AUTH_LEN);
	if ((rep = rad_alloc(req, false)) == NULL)
		goto done;
	rep->code = code == DAS_CODE_COA_REQUEST ? DAS_CODE_COA_NAK :
	    DAS_CODE_DISCONNECT_NAK;
	rep->id = id;
	if (code == DAS_CODE_COA_REQUEST) {
		if ((vp = fr_pair_afrom_num(rep, PW_SERVICE_TYPE, 0)) == NULL)
			goto done;
		vp->vp_integer = PW_AUTHORIZE_ONLY;
		fr_pair_add(&rep->vps, vp);
	}
	if ((vp = fr_pair_afrom_num(rep, PW_ERROR_CAUSE, 0)) == NULL)
		goto done;
	vp->vp_integer = error_cause;
	fr_pair_add(&rep->vps, vp);
	if ((vp = fr_pair_afrom_num(rep, PW_MESSAGE_AUTHENTICATOR, 0)) == NULL)
		goto done;
	fr_pair_value_memcpy(vp, zero_ma, sizeof(zero_ma));
	fr_pair_add(&rep->vps, vp);
	if (rad_encode(rep, req, c->secret) < 0 || rep->data == NULL ||
	    rep->offset <= 0 || (size_t)rep->offset + 2 + AUTH_LEN >
	    rep->data_len || rep->data_len > DAS_ANSWER_MAX)
		goto done;
	/*
	 * RFC 5176 3.5: the Message-Authenticator of a CoA-NAK or
	 * Disconnect-NAK is computed over the answer with the request's
	 * Request Authenticator in its place, as radclient's rad_verify()
	 * checks it; libfreeradius 3.2's rad_sign() uses 16 zero octets
	 * there for these codes, so the HMAC is done here with the
	 * library's fr_hmac_md5(), and rad_sign() (offset 0: no
	 * Message-Authenticator to do) writes the Response Authenticator.
	 */
	memcpy(rep->data + 4, req->vector, AUTH_LEN);
	memset(rep->data + rep->offset + 2, 0, AUTH_LEN);
	fr_hmac_md5(ma, rep->data, rep->data_len, (const uint8_t *)c->secret,
	    strlen(c->secret));
	memcpy(rep->data + rep->offset + 2, ma, AUTH_LEN);
	rep->offset = 0;
	if (rad_sign(rep, req, c->secret) < 0)
		goto done;
	memcpy(out, rep->data, rep->data_len);
	*outlen = rep->data_len;
	rc = 0;
done:
	talloc_free(req);
	return rc;
}

/* ------------------------------------------------------------ duplicates */

static struct das_slot *
slot_find(struct das *das, size_t client, uint8_t id, const uint8_t *vector,
    uint64_t now)
{
	size_t i;

	for (i = 0; i < das->n_slots; i++) {
		struct das_slot *s = &das->slot[i];

		if (s->state != SLOT_FREE && s->expires >= now &&
		    s->client == client && s->id == id &&
		    CRYPTO_memcmp(s->vector, vector, AUTH_LEN) == 0)
			return s;
	}
	return NULL;
}

/* A free or expired slot, or NULL when every one is in use. */
static struct das_slot *
slot_take(struct das *das, uint64_t now)
{
	size_t i;

	for (i = 0; i < das->n_slots; i++)
		if (das->slot[i].state == SLOT_FREE ||
		    das->slot[i].expires < now) {
			memset(&das->slot[i], 0, sizeof(das->slot[i]));
			return &das->slot[i];
		}
	return NULL;
}

/* ------------------------------------------------------------ attributes */

static int
is_attr(const VALUE_PAIR *vp, unsigned int attr, unsigned int vendor)
{
	return vp->da->attr == attr && vp->da->vendor == vendor;
}

/*
 * The attributes of a verified CoA-Request into r; 0, or an Error-Cause
 * with the reason in *why (doc/coa.md section 4: 404, 401, 403, 402, 405
 * in that order).
 */
static uint32_t
parse_coa(const struct das *das, RADIUS_PACKET *p, struct das_request *r,
    const char **why)
{
	VALUE_PAIR *vp;
	vp_cursor_t cur;
	int n_st = 0, n_state = 0, n_csid = 0, n_nasid = 0, n_cert = 0;
	int unsupported = 0, nas_mismatch = 0;
	uint32_t service = 0;

	memset(r, 0, sizeof(*r));
	for (vp = fr_cursor_init(&cur, &p->vps); vp != NULL;
	    vp = fr_cursor_next(&cur)) {
		const DICT_ATTR *da = vp->da;

		if (is_attr(vp, PW_MESSAGE_AUTHENTICATOR, 0) ||
		    is_attr(vp, PW_EVENT_TIMESTAMP, 0))
			continue;	/* checked before */
		if (is_attr(vp, PW_SERVICE_TYPE, 0)) {
			if (da->type != PW_TYPE_INTEGER || n_st++ > 0) {
				*why = "malformed or repeated Service-Type";
				return DAS_EC_INVALID_REQUEST;
			}
			service = vp->vp_integer;
		} else if (is_attr(vp, PW_STATE, 0)) {
			if (vp->vp_length < 1 ||
			    vp->vp_length > DAS_STATE_MAX || n_state++ > 0) {
				*why = "malformed or repeated State";
				return DAS_EC_INVALID_REQUEST;
			}
			memcpy(r->state, vp->vp_octets, vp->vp_length);
			r->state_len = vp->vp_length;
		} else if (is_attr(vp, PW_CALLING_STATION_ID, 0)) {
			if (vp->vp_length < 1 || vp->vp_length > DAS_CSID_MAX ||
			    !gkey_utf8_text_valid(vp->vp_octets,
			    vp->vp_length) || n_csid++ > 0) {
				*why = "malformed or repeated "
				    "Calling-Station-Id (1..253 octets of "
				    "text)";
				return DAS_EC_INVALID_REQUEST;
			}
			memcpy(r->calling_station_id, vp->vp_octets,
			    vp->vp_length);
			r->calling_station_id[vp->vp_length] = '\0';
		} else if (is_attr(vp, PW_NAS_IDENTIFIER, 0)) {
			if (n_nasid++ > 0) {
				*why = "repeated NAS-Identifier";
				return DAS_EC_INVALID_REQUEST;
			}
			if (vp->vp_length != strlen(das->nas_identifier) ||
			    memcmp(vp->vp_octets, das->nas_identifier,
			    vp->vp_length) != 0)
				nas_mismatch = 1;
		} else if (is_attr(vp, das->cert_attr, das->cert_vendor)) {
			if (vp->vp_length != 32 || n_cert++ > 0) {
				*why = "malformed or repeated GKey-Cert-SHA256 "
				    "(32 octets)";
				return DAS_EC_INVALID_REQUEST;
			}
			memcpy(r->cert_sha256, vp->vp_octets, 32);
			r->has_cert = 1;
		} else if (is_attr(vp, das->app_attr, das->app_vendor)) {
			/* doc/radius.md section 7: the name rule. */
			if (vp->vp_length < 1 || vp->vp_length > DAS_APP_MAX ||
			    !gkey_utf8_text_valid(vp->vp_octets,
			    vp->vp_length)) {
				*why = "malformed GKey-Requested-App (1..64 "
				    "octets of UTF-8 text)";
				return DAS_EC_INVALID_REQUEST;
			}
			if (r->n_apps == DAS_MAX_APPS) {
				*why = "more than 32 GKey-Requested-App";
				return DAS_EC_INVALID_REQUEST;
			}
			memcpy(r->app[r->n_apps], vp->vp_octets,
			    vp->vp_length);
			r->app[r->n_apps][vp->vp_length] = '\0';
			r->n_apps++;
		} else
			unsupported = 1;
	}
	if (unsupported) {
		*why = "unsupported attribute";
		return DAS_EC_UNSUPPORTED_ATTRIBUTE;
	}
	if (nas_mismatch) {
		*why = "NAS-Identifier is not ours";
		return DAS_EC_NAS_ID_MISMATCH;
	}
	if (n_st == 0 || n_state == 0 || n_csid == 0 ||
	    (das->require_cert && !r->has_cert)) {
		*why = n_st == 0 ? "no Service-Type" : n_state == 0 ?
		    "no State" : n_csid == 0 ? "no Calling-Station-Id" :
		    "no GKey-Cert-SHA256";
		return DAS_EC_MISSING_ATTRIBUTE;
	}
	if (service != PW_AUTHORIZE_ONLY) {
		*why = "Service-Type is not Authorize-Only";
		return DAS_EC_UNSUPPORTED_SERVICE;
	}
	return 0;
}

/* ------------------------------------------------------------ input */

static enum das_verdict
discard(struct das *das, struct das_result *res, const char *why)
{
	das->st.discarded++;
	res->verdict = DAS_DISCARD;
	res->reason = why;
	return DAS_DISCARD;
}

/* A NAK, remembered in slot s (when not NULL) for duplicates. */
static enum das_verdict
answer_nak(struct das *das, struct das_result *res, struct das_slot *s,
    unsigned int code, uint32_t ec, const char *why)
{
	if (build_nak(&das->client[res->client_idx], code, res->id,
	    res->vector, ec, res->answer, &res->answer_len) != 0) {
		if (s != NULL)
			s->state = SLOT_FREE;
		return discard(das, res, "cannot build the answer");
	}
	if (s != NULL) {
		memcpy(s->answer, res->answer, res->answer_len);
		s->answer_len = res->answer_len;
		s->error_cause = ec;
		s->state = SLOT_ANSWERED;
	}
	das->st.naks++;
	res->verdict = DAS_ANSWER;
	res->error_cause = ec;
	res->reason = why;
	return DAS_ANSWER;
}

static const char *
packet_fault(decode_fail_t f)
{
	switch (f) {
	case DECODE_FAIL_MA_MISSING:
		return "no Message-Authenticator";
	case DECODE_FAIL_MA_INVALID_LENGTH:
		return "Message-Authenticator of the wrong length";
	case DECODE_FAIL_UNKNOWN_PACKET_CODE:
		return "unknown RADIUS code";
	default:
		return "malformed RADIUS packet";
	}
}

static enum das_verdict
check(struct das *das, RADIUS_PACKET *p, const uint8_t *pkt, size_t len,
    uint64_t now, struct das_result *res)
{
	struct das_client *c;
	struct das_slot *s;
	VALUE_PAIR *ts;
	decode_fail_t fault = DECODE_FAIL_NONE;
	const char *why = NULL;
	uint32_t ec;
	int64_t skew;

	c = &das->client[res->client_idx];
	if (len > MAX_PACKET_LEN)
		return discard(das, res, "longer than 4096 octets");
	if ((p->data = talloc_memdup(p, pkt, len > 0 ? len : 1)) == NULL)
		return discard(das, res, "out of memory");
	p->data_len = len;
	/* 1: Message-Authenticator required (doc/coa.md section 3). */
	if (!rad_packet_ok(p, 1, &fault))
		return discard(das, res, packet_fault(fault));
	if (p->code != DAS_CODE_COA_REQUEST &&
	    p->code != DAS_CODE_DISCONNECT_REQUEST)
		return discard(das, res, "neither CoA-Request nor "
		    "Disconnect-Request");
	res->id = (uint8_t)p->id;
	memcpy(res->vector, p->vector, AUTH_LEN);
	if (rad_verify(p, NULL, c->secret) != 0) {
		das->st.bad_authenticator++;
		return discard(das, res, "bad Request Authenticator or "
		    "Message-Authenticator (wrong secret?)");
	}
	if (rad_decode(p, NULL, c->secret) != 0)
		return discard(das, res, "attributes do not decode");
	ts = fr_pair_find_by_num(p->vps, PW_EVENT_TIMESTAMP, 0, TAG_ANY);
	if (ts == NULL || ts->da->type != PW_TYPE_DATE ||
	    fr_pair_find_by_num(ts->next, PW_EVENT_TIMESTAMP, 0,
	    TAG_ANY) != NULL)
		return discard(das, res, "no Event-Timestamp, a malformed or "
		    "a repeated one");
	skew = (int64_t)now - (int64_t)ts->vp_date;
	if (skew > (int64_t)das->window || -skew > (int64_t)das->window) {
		das->st.outside_window++;
		return discard(das, res, "Event-Timestamp outside the window");
	}
	if ((s = slot_find(das, res->client_idx, res->id, res->vector,
	    now)) != NULL) {
		das->st.duplicates++;
		if (s->state != SLOT_ANSWERED)
			return discard(das, res, "duplicate of a request "
			    "being handled");
		memcpy(res->answer, s->answer, s->answer_len);
		res->answer_len = s->answer_len;
		res->error_cause = s->error_cause;
		res->duplicate = 1;
		res->verdict = DAS_ANSWER;
		res->reason = "duplicate: the earlier answer again";
		return DAS_ANSWER;
	}
	if ((s = slot_take(das, now)) == NULL)
		return answer_nak(das, res, NULL, p->code,
		    DAS_EC_RESOURCES_UNAVAILABLE, "duplicate cache full");
	s->state = SLOT_PENDING;
	s->client = res->client_idx;
	s->id = res->id;
	memcpy(s->vector, res->vector, AUTH_LEN);
	s->expires = (uint64_t)ts->vp_date + das->window;
	res->slot = (size_t)(s - das->slot);
	if (p->code == DAS_CODE_DISCONNECT_REQUEST)
		return answer_nak(das, res, s, p->code,
		    DAS_EC_UNSUPPORTED_EXTENSION,
		    "Disconnect-Request: not supported");
	if ((ec = parse_coa(das, p, &res->req, &why)) != 0)
		return answer_nak(das, res, s, p->code, ec, why);
	res->req.event_timestamp = ts->vp_date;
	das->st.acted++;
	res->verdict = DAS_ACT;
	res->reason = "re-authorization requested";
	return DAS_ACT;
}

enum das_verdict
das_input(struct das *das, const uint8_t *pkt, size_t len,
    const struct sockaddr_storage *from, uint64_t now_s,
    struct das_result *res)
{
	struct sockaddr_storage src;
	RADIUS_PACKET *p;
	enum das_verdict v;
	size_t i;

	memset(res, 0, sizeof(*res));
	das->st.rx++;
	unmap(from, &src);
	addr_str(&src, res->client, sizeof(res->client));
	for (i = 0; i < das->n_clients; i++)
		if (same_addr(&src, &das->client[i].addr))
			break;
	if (i == das->n_clients) {
		das->st.unknown_client++;
		return discard(das, res, "not from a das-client address");
	}
	res->client_idx = i;
	if ((p = rad_alloc(NULL, false)) == NULL)
		return discard(das, res, "out of memory");
	v = check(das, p, pkt, len, now_s, res);
	rad_free(&p);
	return v;
}

int
das_answer(struct das *das, struct das_result *res, uint32_t error_cause)
{
	struct das_slot *s;

	if (res->verdict != DAS_ACT || res->slot >= das->n_slots)
		return -1;
	s = &das->slot[res->slot];
	if (build_nak(&das->client[res->client_idx], DAS_CODE_COA_REQUEST,
	    res->id, res->vector, error_cause, res->answer,
	    &res->answer_len) != 0) {
		s->state = SLOT_FREE;
		return -1;
	}
	if (s->state == SLOT_PENDING && s->id == res->id &&
	    CRYPTO_memcmp(s->vector, res->vector, AUTH_LEN) == 0) {
		memcpy(s->answer, res->answer, res->answer_len);
		s->answer_len = res->answer_len;
		s->error_cause = error_cause;
		s->state = SLOT_ANSWERED;
	}
	if (error_cause != DAS_EC_REQUEST_INITIATED)
		das->st.naks++;
	res->error_cause = error_cause;
	return 0;
}
