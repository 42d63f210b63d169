/*
 * paa.c - the PANA Authentication Agent state machine (RFC 5191) and its
 * session table.  See paa.h.
 *
 * Everything a peer sends goes through paa_input(): relay envelope off
 * (RFC 6345), full parse (pana_msg_parse), session lookup, source check,
 * AUTH check when the session has a key, sequence number check, and only
 * then the state machine.  Any failure is a counter, a rate-limited log
 * line and a drop.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "pana_crypto.h"
#include "pana_msg.h"
#include "paa.h"
#include "plog.h"

#define PAA_HASH_MIN	256	/* buckets at first; doubled as sessions come */
#define ADDRPORTLEN	PANA_ADDRSTRLEN		/* [addr]:port */
#define WHOLEN		(2 * ADDRPORTLEN + 16)
#define EAP_REQ_ID_LEN	5	/* code, id, length(2), type */
#define COOKIE_KEY_LEN	32
/* The path a cookie is bound to: relayed, then 2 x (af, addr, port). */
#define PATH_LEN	(1 + 2 * (1 + 16 + 2))

/* Algorithms offered in PAR[S], preferred first. */
static const uint32_t prf_offer[] = {
	PANA_PRF_HMAC_SHA2_256, PANA_PRF_HMAC_SHA1
};
static const uint32_t integ_offer[] = {
	PANA_AUTH_HMAC_SHA2_256_128, PANA_AUTH_HMAC_SHA1_160
};

/* Kinds of message the PAA sends, named in the log. */
enum paa_kind {
	PAA_K_PAR_S,		/* PANA-Auth-Request, Start */
	PAA_K_PAR_EAP,		/* PANA-Auth-Request with EAP (no S, no C) */
	PAA_K_PAR_C,		/* PANA-Auth-Request, Complete */
	PAA_K_PAN,		/* PANA-Auth-Answer (to a PaC's PAR) */
	PAA_K_PNA,		/* PANA-Notification-Answer */
	PAA_K_PTA,		/* PANA-Termination-Answer */
	PAA_K_PTR,		/* PANA-Termination-Request */
	PAA_K_PNR,		/* PANA-Notification-Request, ping */
	PAA_K_MAX
};

static const char *const kind_names[PAA_K_MAX] = {
	"par-s", "par-eap", "par-c", "pan", "pna", "pta", "ptr", "pnr"
};

struct stored {
	uint8_t		*buf;
	size_t		 len;
};

struct paa_session {
	LIST_ENTRY(paa_session)	 hash;		/* by Session Identifier */
	LIST_ENTRY(paa_session)	 addr_hash;	/* by PaC address */
	TAILQ_ENTRY(paa_session) all;
	uint32_t		 addr_h;	/* keyed hash of the address */
	int			 relay_ix;	/* cfg.relays[], or -1 */
	/* The timer heap: the earliest time something is due, and where. */
	uint64_t		 due;
	size_t			 heap_ix;
	uint32_t		 id;
	enum paa_state		 state;

	/* Where datagrams go: the PaC itself, or the relay in front of it. */
	struct sockaddr_storage	 peer;
	int			 relayed;
	struct sockaddr_storage	 pac;		/* == peer when direct */
	char			 pac_str[INET6_ADDRSTRLEN];	/* address only */
	char			 who[WHOLEN];	/* for log lines */

	/* Requests sent by the PAA; the outstanding one is retransmitted. */
	uint32_t		 tx_seq;
	struct stored		 req;
	enum paa_kind		 req_kind;
	uint16_t		 req_type;
	int			 req_pending;
	uint64_t		 rt_next;
	uint64_t		 rt_cur;
	unsigned int		 rt_count;

	/* Requests received from the PaC; the last answer is cached. */
	int			 rx_seq_valid;
	uint32_t		 rx_seq;
	struct stored		 ans;
	enum paa_kind		 ans_kind;

	/* Negotiation and key derivation input. */
	uint32_t		 prf_alg;
	uint32_t		 integ_alg;
	struct stored		 i_par;
	struct stored		 i_pan;
	uint8_t			 paa_nonce[PAA_NONCE_LEN];
	uint8_t			 pac_nonce[64];
	size_t			 pac_nonce_len;
	int			 aaa_first;	/* next EAP-Response: first */

	/* The PANA SA. */
	int			 have_key;
	uint32_t		 key_id;
	uint8_t			 key[PANA_AUTH_KEY_MAX];
	size_t			 key_len;
	uint32_t		 lifetime;
	uint64_t		 expires;
	uint64_t		 ping_next;	/* ping-interval; 0: none */
	uint64_t		 reauth_at;	/* reauth-before; 0: none */

	/* The exchange in progress. */
	int			 reauth;
	int			 reject_pending;
	uint32_t		 new_key_id;
	uint8_t			 new_key[PANA_AUTH_KEY_MAX];
	size_t			 new_key_len;
	uint32_t		 new_lifetime;
	unsigned int		 n_records;

	uint64_t		 started;	/* this (re-)authentication */
	uint64_t		 last_active;
	uint64_t		 linger_until;
	void			*aaa_ctx;
	uint64_t		 created;
};

LIST_HEAD(paa_bucket, paa_session);
TAILQ_HEAD(paa_list, paa_session);

struct paa {
	struct paa_config	 cfg;
	struct paa_cb		 cb;
	struct paa_stats	 stats;
	/*
	 * Sessions by Session Identifier and by PaC address (nbuckets each,
	 * a power of two, grown so that a bucket holds about one session),
	 * and a binary min-heap by due time: each event costs O(1) or
	 * O(log n), whatever the number of sessions.
	 */
	struct paa_bucket	*by_id;
	struct paa_bucket	*by_addr;
	size_t			 nbuckets;
	uint8_t			 addr_key[16];	/* SipHash key, random */
	struct paa_session	**heap;
	size_t			 heap_n, heap_cap;
	unsigned int		 relay_n[PAA_RELAYS_MAX]; /* per cfg.relays[] */
	uint64_t		 frees;		/* sessions freed so far */
	struct paa_list		 sessions;
	unsigned int		 n_sessions;
	uint32_t		 next_key_id;
	uint8_t			*obuf;		/* message being built */
	uint8_t			*wbuf;		/* relay envelope */
	/* PAR[S] cookies: [0] the current secret, [1] the one before. */
	uint8_t			 cookie_key[2][COOKIE_KEY_LEN];
	int			 cookie_ready;
	uint64_t		 cookie_next;	/* when [0] is replaced */
};

/* A received message, after the envelope and the parse. */
struct rx {
	const struct sockaddr_storage *from;
	int			 relayed;
	struct sockaddr_storage	 pac;
	const uint8_t		*buf;		/* the PANA message itself */
	size_t			 len;
	struct pana_msg		 m;
	char			 who[WHOLEN];
	/* Not the session's path: taken only if AUTH and sequence hold. */
	int			 moved;
};

static void	session_free(struct paa *, struct paa_session *);
static int	session_move(struct paa *, struct paa_session *,
		    const struct rx *);
static void	reschedule(struct paa *, struct paa_session *);

void
paa_config_defaults(struct paa_config *c)
{
	memset(c, 0, sizeof(*c));
	c->vendor_id = GKEY_VENDOR_ID_DEFAULT;
	c->max_sessions = 4096;
	c->max_per_addr = 8;
	c->max_per_relay = 1024;
	c->idle_timeout_ms = 60 * 1000;
	c->auth_timeout_ms = 10 * 1000;
	c->cookie_rotate_ms = 10 * 1000;
	c->rt_initial_ms = 1000;
	c->rt_max_ms = 30 * 1000;
	c->rt_max_count = 8;
	c->default_lifetime = 3600;
	c->closed_linger_ms = 10 * 1000;
}

/* ------------------------------------------------------------ helpers */

static void
rnd(struct paa *p, void *buf, size_t len)
{
	if (p->cb.random != NULL && p->cb.random(p->cb.arg, buf, len) == 0)
		return;
	if (RAND_bytes(buf, (int)len) != 1)
		/* Not a peer's doing; the daemon checked the RNG at start. */
		abort();
}

/* 16 random bits: the RAND of a retransmission timeout. */
static uint16_t
rand16(struct paa *p)
{
	uint8_t b[2];

	rnd(p, b, sizeof(b));
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void
who_str(const struct sockaddr_storage *from, int relayed,
    const struct sockaddr_storage *pac, char *buf, size_t size)
{
	char f[ADDRPORTLEN], q[ADDRPORTLEN];

	pana_addr_str(from, 1, f, sizeof(f));
	if (!relayed) {
		snprintf(buf, size, "%s", f);
		return;
	}
	pana_addr_str(pac, 1, q, sizeof(q));
	snprintf(buf, size, "%s via relay %s", q, f);
}

/* Same address family, address and port. */
static int
sa_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4, *b4;
	const struct sockaddr_in6 *a6, *b6;

	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	}
	return 0;
}

/* Same address, any port. */
static int
sa_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return 0;
}

/* The configured relay at that address (any port), or NULL. */
static const struct paa_relay_peer *
relay_peer(const struct paa *p, const struct sockaddr_storage *from)
{
	unsigned int i;

	for (i = 0; i < p->cfg.n_relays; i++)
		if (sa_same_host(&p->cfg.relays[i].addr, from))
			return &p->cfg.relays[i];
	return NULL;
}

static int
store(struct stored *s, const uint8_t *buf, size_t len)
{
	uint8_t *n;

	if ((n = malloc(len)) == NULL)
		return -1;
	memcpy(n, buf, len);
	free(s->buf);
	s->buf = n;
	s->len = len;
	return 0;
}

static void
unstore(struct stored *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = 0;
}

/* SipHash-2-4 (Aumasson, Bernstein): a keyed hash of a short input. */
#define ROTL64(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32);	\
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32);	\
} while (0)

static uint64_t
le64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static uint64_t
siphash24(const uint8_t key[16], const uint8_t *in, size_t len)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, b;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	size_t i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	b = (uint64_t)len << 56;
	while (left-- > 0)
		b |= (uint64_t)in[i + left] << (8 * left);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * The bucket of a PaC address (any port).  Keyed, because PaC addresses
 * are the peers' choice: an unkeyed hash would let them fill one bucket.
 */
static uint32_t
addr_hash(const struct paa *p, const struct sockaddr_storage *ss)
{
	uint8_t k[17];

	memset(k, 0, sizeof(k));
	if (ss->ss_family == AF_INET) {
		k[0] = 4;
		memcpy(k + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		k[0] = 6;
		memcpy(k + 1, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		    16);
	}
	return (uint32_t)siphash24(p->addr_key, k, sizeof(k));
}

/* Session Identifiers are MAC output (the cookie): already uniform. */
static size_t
id_bucket(const struct paa *p, uint32_t id)
{
	return (size_t)(id ^ (id >> 16)) & (p->nbuckets - 1);
}

static struct paa_session *
session_find(const struct paa *p, uint32_t id)
{
	struct paa_session *s;

	LIST_FOREACH(s, &p->by_id[id_bucket(p, id)], hash)
		if (s->id == id)
			return s;
	return NULL;
}

/* Twice the buckets, every session re-linked; -1 (tables kept) on ENOMEM. */
static int
tables_grow(struct paa *p)
{
	struct paa_bucket *id, *ad;
	struct paa_session *s;
	size_t i, n = p->nbuckets * 2;

	id = calloc(n, sizeof(*id));
	ad = calloc(n, sizeof(*ad));
	if (id == NULL || ad == NULL) {
		free(id);
		free(ad);
		return -1;
	}
	for (i = 0; i < n; i++) {
		LIST_INIT(&id[i]);
		LIST_INIT(&ad[i]);
	}
	free(p->by_id);
	free(p->by_addr);
	p->by_id = id;
	p->by_addr = ad;
	p->nbuckets = n;
	TAILQ_FOREACH(s, &p->sessions, all) {
		LIST_INSERT_HEAD(&p->by_id[id_bucket(p, s->id)], s, hash);
		LIST_INSERT_HEAD(&p->by_addr[s->addr_h & (n - 1)], s,
		    addr_hash);
	}
	return 0;
}

/* ------------------------------------------------------------ timer heap */

static void
heap_set(struct paa *p, size_t i, struct paa_session *s)
{
	p->heap[i] = s;
	s->heap_ix = i;
}

static void
heap_up(struct paa *p, size_t i)
{
	struct paa_session *s = p->heap[i];

	while (i > 0 && p->heap[(i - 1) / 2]->due > s->due) {
		heap_set(p, i, p->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(p, i, s);
}

static void
heap_down(struct paa *p, size_t i)
{
	struct paa_session *s = p->heap[i];
	size_t c;

	while ((c = 2 * i + 1) < p->heap_n) {
		if (c + 1 < p->heap_n && p->heap[c + 1]->due < p->heap[c]->due)
			c++;
		if (p->heap[c]->due >= s->due)
			break;
		heap_set(p, i, p->heap[c]);
		i = c;
	}
	heap_set(p, i, s);
}

static int
heap_push(struct paa *p, struct paa_session *s)
{
	struct paa_session **n;
	size_t cap;

	if (p->heap_n == p->heap_cap) {
		cap = p->heap_cap == 0 ? PAA_HASH_MIN : p->heap_cap * 2;
		if ((n = reallocarray(p->heap, cap, sizeof(*n))) == NULL)
			return -1;
		p->heap = n;
		p->heap_cap = cap;
	}
	heap_set(p, p->heap_n++, s);
	heap_up(p, s->heap_ix);
	return 0;
}

static void
heap_remove(struct paa *p, struct paa_session *s)
{
	size_t i = s->heap_ix;

	if (--p->heap_n == i)
		return;
	heap_set(p, i, p->heap[p->heap_n]);
	heap_up(p, i);
	heap_down(p, p->heap[i]->heap_ix);
}

/* ------------------------------------------------------------ sending */

/*
 * Put a message on the wire to peer, in a PANA-Relay envelope for the PaC
 * pac when it came through a relay (with the relay AUTH when that relay
 * has a key).  id and who are for the log.
 */
static void
send_path(struct paa *p, const struct sockaddr_storage *peer, int relayed,
    const struct sockaddr_storage *pac, uint32_t id, const char *who,
    enum paa_kind kind, const uint8_t *buf, size_t len)
{
	const struct paa_relay_peer *rp;
	size_t wlen;
	int rc;

	if (relayed) {
		rc = pana_relay_push(buf, len, pac, p->wbuf, PANA_MSG_MAX,
		    &wlen);
		if (rc == 0 && (rp = relay_peer(p, peer)) != NULL &&
		    rp->key_len > 0)
			rc = pana_relay_sign(p->wbuf, &wlen, PANA_MSG_MAX,
			    rp->key, rp->key_len);
		if (rc != 0) {
			log_warnx_rl("session %08x: cannot wrap %s for the "
			    "relay: %s", id, kind_names[kind],
			    pana_strerror(rc));
			return;
		}
		buf = p->wbuf;
		len = wlen;
	}
	log_debug("session %08x: send %s (%zu octets) to %s", id,
	    kind_names[kind], len, who);
	if (p->cb.send(p->cb.arg, peer, buf, len) != 0)
		log_warnx_rl("session %08x: send %s to %s failed", id,
		    kind_names[kind], who);
}

static void
xmit(struct paa *p, struct paa_session *s, enum paa_kind kind,
    const uint8_t *buf, size_t len)
{
	send_path(p, &s->peer, s->relayed, &s->pac, s->id, s->who, kind, buf,
	    len);
}

/*
 * Finish, sign if key != NULL, and send a new request; it becomes the
 * outstanding request, retransmitted until answered.
 */
static int
send_request(struct paa *p, struct paa_session *s, uint64_t now,
    enum paa_kind kind, struct pana_builder *b, const uint8_t *key,
    size_t keylen)
{
	size_t len;
	int rc;

	if ((rc = pana_build_finish(b, &len)) != 0)
		goto fail;
	if (key != NULL &&
	    (rc = pana_auth_sign(s->integ_alg, key, keylen, p->obuf, len)) != 0)
		goto fail;
	if (store(&s->req, p->obuf, len) != 0) {
		rc = PANA_E_NOSPACE;
		goto fail;
	}
	s->req_kind = kind;
	s->req_type = (uint16_t)((p->obuf[6] << 8) | p->obuf[7]);
	s->req_pending = 1;
	s->rt_cur = pana_rt_next(0, p->cfg.rt_initial_ms, p->cfg.rt_max_ms,
	    rand16(p));
	s->rt_next = now + s->rt_cur;
	s->rt_count = 0;
	xmit(p, s, kind, s->req.buf, s->req.len);
	return 0;
 fail:
	log_warnx_rl("session %08x: cannot build %s: %s", s->id,
	    kind_names[kind], pana_strerror(rc));
	return -1;
}

/*
 * Finish, sign when the session has a key (the caller put the AUTH AVP in
 * then, and only then), and send an answer; it is cached for a repeated
 * request.
 */
static void
send_answer(struct paa *p, struct paa_session *s, enum paa_kind kind,
    struct pana_builder *b)
{
	size_t len;
	int rc;

	if ((rc = pana_build_finish(b, &len)) != 0 ||
	    (s->have_key && (rc = pana_auth_sign(s->integ_alg, s->key,
	    s->key_len, p->obuf, len)) != 0)) {
		log_warnx_rl("session %08x: cannot build %s: %s", s->id,
		    kind_names[kind], pana_strerror(rc));
		return;
	}
	if (store(&s->ans, p->obuf, len) != 0) {
		log_warnx_rl("session %08x: out of memory", s->id);
		return;
	}
	s->ans_kind = kind;
	xmit(p, s, kind, s->ans.buf, s->ans.len);
}

/* ------------------------------------------------------------ sessions */

struct paa *
paa_new(const struct paa_config *cfg, const struct paa_cb *cb)
{
	struct paa *p;
	int i;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->cfg = *cfg;
	p->cb = *cb;
	if ((p->obuf = malloc(PANA_MSG_MAX)) == NULL ||
	    (p->wbuf = malloc(PANA_MSG_MAX)) == NULL) {
		free(p->obuf);
		free(p);
		return NULL;
	}
	p->nbuckets = PAA_HASH_MIN;
	if ((p->by_id = calloc(p->nbuckets, sizeof(*p->by_id))) == NULL ||
	    (p->by_addr = calloc(p->nbuckets, sizeof(*p->by_addr))) == NULL) {
		free(p->by_id);
		free(p->obuf);
		free(p->wbuf);
		free(p);
		return NULL;
	}
	for (i = 0; i < (int)p->nbuckets; i++) {
		LIST_INIT(&p->by_id[i]);
		LIST_INIT(&p->by_addr[i]);
	}
	rnd(p, p->addr_key, sizeof(p->addr_key));
	TAILQ_INIT(&p->sessions);
	rnd(p, &p->next_key_id, sizeof(p->next_key_id));
	return p;
}

void
paa_free(struct paa *p)
{
	struct paa_session *s;

	if (p == NULL)
		return;
	while ((s = TAILQ_FIRST(&p->sessions)) != NULL)
		session_free(p, s);
	OPENSSL_cleanse(p->obuf, PANA_MSG_MAX);
	OPENSSL_cleanse(&p->cfg, sizeof(p->cfg));	/* relay keys */
	OPENSSL_cleanse(p->cookie_key, sizeof(p->cookie_key));
	free(p->by_id);
	free(p->by_addr);
	free(p->heap);
	free(p->obuf);
	free(p->wbuf);
	free(p);
}

static void
session_free(struct paa *p, struct paa_session *s)
{
	if (p->cb.aaa_free != NULL)
		p->cb.aaa_free(p->cb.arg, s->id, s->aaa_ctx);
	LIST_REMOVE(s, hash);
	LIST_REMOVE(s, addr_hash);
	heap_remove(p, s);
	if (s->relay_ix >= 0)
		p->relay_n[s->relay_ix]--;
	TAILQ_REMOVE(&p->sessions, s, all);
	p->n_sessions--;
	p->frees++;
	unstore(&s->req);
	unstore(&s->ans);
	unstore(&s->i_par);
	unstore(&s->i_pan);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

/* Sessions of that PaC address (any port): one bucket's walk. */
static unsigned int
sessions_of_host(struct paa *p, const struct sockaddr_storage *pac)
{
	struct paa_session *s;
	unsigned int n = 0;

	LIST_FOREACH(s, &p->by_addr[addr_hash(p, pac) & (p->nbuckets - 1)],
	    addr_hash)
		if (sa_same_host(&s->pac, pac))
			n++;
	return n;
}

/* The index of the relay-peer at that address, or -1. */
static int
relay_index(const struct paa *p, const struct sockaddr_storage *relay)
{
	const struct paa_relay_peer *rp = relay_peer(p, relay);

	return rp == NULL ? -1 : (int)(rp - p->cfg.relays);
}

static unsigned int
sessions_of_relay(struct paa *p, const struct sockaddr_storage *relay)
{
	int i = relay_index(p, relay);

	return i < 0 ? 0 : p->relay_n[i];
}

/* (Re)link s under its PaC address, after s->pac changed. */
static void
addr_link(struct paa *p, struct paa_session *s)
{
	s->addr_h = addr_hash(p, &s->pac);
	LIST_INSERT_HEAD(&p->by_addr[s->addr_h & (p->nbuckets - 1)], s,
	    addr_hash);
}

/* A session for r's path with the Session Identifier and PAR[S] seq. */
static struct paa_session *
session_new(struct paa *p, uint64_t now, const struct rx *r, uint32_t id,
    uint32_t seq)
{
	struct paa_session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->id = id;
	s->peer = *r->from;
	s->relayed = r->relayed;
	s->pac = r->pac;
	pana_addr_str(&s->pac, 0, s->pac_str, sizeof(s->pac_str));
	snprintf(s->who, sizeof(s->who), "%s", r->who);
	s->tx_seq = seq;
	s->last_active = now;
	s->started = now;
	s->created = now;
	s->due = UINT64_MAX;
	if (heap_push(p, s) != 0) {
		free(s);
		return NULL;
	}
	if (p->n_sessions >= p->nbuckets)
		(void)tables_grow(p);	/* longer buckets if no memory */
	LIST_INSERT_HEAD(&p->by_id[id_bucket(p, id)], s, hash);
	addr_link(p, s);
	s->relay_ix = s->relayed ? relay_index(p, &s->peer) : -1;
	if (s->relay_ix >= 0)
		p->relay_n[s->relay_ix]++;
	TAILQ_INSERT_TAIL(&p->sessions, s, all);
	p->n_sessions++;
	p->stats.sessions_created++;
	return s;
}

/* ------------------------------------------------------------ requests */

/* PAR with Nonce and EAP-Request/Identity: starts an EAP exchange. */
static int
start_eap(struct paa *p, struct paa_session *s, uint64_t now)
{
	struct pana_builder b;
	uint8_t eap[EAP_REQ_ID_LEN];

	rnd(p, s->paa_nonce, sizeof(s->paa_nonce));
	s->pac_nonce_len = 0;
	s->aaa_first = 1;
	eap[0] = 1;				/* Request */
	rnd(p, &eap[1], 1);			/* Identifier */
	eap[2] = 0;
	eap[3] = EAP_REQ_ID_LEN;
	eap[4] = 1;				/* Identity */
	s->tx_seq++;
	pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_AUTH,
	    PANA_FLAG_R, s->id, s->tx_seq);
	pana_build_avp(&b, PANA_AVP_NONCE, s->paa_nonce, sizeof(s->paa_nonce));
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, eap, sizeof(eap));
	if (s->have_key)
		pana_build_auth(&b, pana_auth_mac_len(s->integ_alg), NULL);
	s->state = PAA_ST_WAIT_PAN;
	return send_request(p, s, now, PAA_K_PAR_EAP, &b,
	    s->have_key ? s->key : NULL, s->key_len);
}

/* ------------------------------------------------------------ start */

/* The path of a message, as octets: what a cookie is bound to. */
static void
path_bytes(const struct rx *r, uint8_t out[PATH_LEN])
{
	const struct sockaddr_storage *ss[2] = { r->from, &r->pac };
	uint8_t *o = out;
	int i;

	memset(out, 0, PATH_LEN);
	*o++ = (uint8_t)r->relayed;
	for (i = 0; i < 2; i++) {
		if (ss[i]->ss_family == AF_INET) {
			const struct sockaddr_in *a =
			    (const struct sockaddr_in *)ss[i];

			o[0] = 4;
			memcpy(o + 1, &a->sin_addr, 4);
			memcpy(o + 17, &a->sin_port, 2);
		} else if (ss[i]->ss_family == AF_INET6) {
			const struct sockaddr_in6 *a =
			    (const struct sockaddr_in6 *)ss[i];

			o[0] = 6;
			memcpy(o + 1, &a->sin6_addr, 16);
			memcpy(o + 17, &a->sin6_port, 2);
		}
		o += 19;
	}
}

/* Replace the cookie secret every cookie_rotate_ms; keep the last one. */
static void
cookie_rotate(struct paa *p, uint64_t now)
{
	if (!p->cookie_ready) {
		rnd(p, p->cookie_key[0], COOKIE_KEY_LEN);
		rnd(p, p->cookie_key[1], COOKIE_KEY_LEN);
		p->cookie_next = now + p->cfg.cookie_rotate_ms;
		p->cookie_ready = 1;
		return;
	}
	if (now < p->cookie_next)
		return;
	if (now - p->cookie_next >= p->cfg.cookie_rotate_ms)
		rnd(p, p->cookie_key[1], COOKIE_KEY_LEN);  /* both too old */
	else
		memcpy(p->cookie_key[1], p->cookie_key[0], COOKIE_KEY_LEN);
	rnd(p, p->cookie_key[0], COOKIE_KEY_LEN);
	p->cookie_next = now + p->cfg.cookie_rotate_ms;
}

/*
 * The cookie of a path under secret k: the Session Identifier (never 0)
 * and the initial Sequence Number of the PAR[S], as 8 octets
 * big-endian, from HMAC-SHA-256(k, path).  0, or -1.
 */
static int
cookie(const uint8_t *k, const struct rx *r, uint8_t out[8])
{
	uint8_t path[PATH_LEN], mac[32];
	int rc;

	path_bytes(r, path);
	rc = pana_hmac_sha256(k, COOKIE_KEY_LEN, path, sizeof(path), mac);
	if (rc == 0) {
		memcpy(out, mac, 8);
		if ((out[0] | out[1] | out[2] | out[3]) == 0)
			out[3] = 1;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc == 0 ? 0 : -1;
}

static uint32_t
be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/* The PAR[S] of session id, sequence seq, in p->obuf: always the same. */
static int
build_par_s(struct paa *p, uint32_t id, uint32_t seq, size_t *len)
{
	struct pana_builder b;
	size_t i;

	pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_S, id, seq);
	for (i = 0; i < sizeof(prf_offer) / sizeof(prf_offer[0]); i++)
		pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, prf_offer[i]);
	for (i = 0; i < sizeof(integ_offer) / sizeof(integ_offer[0]); i++)
		pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, integ_offer[i]);
	return pana_build_finish(&b, len);
}

/*
 * PCI: answered with the PAR[S] of this path's cookie, and forgotten
 * (RFC 5191 section 4.1 and its security considerations): a flood of
 * PCIs costs a MAC and a datagram each, and no memory.  A repeated PCI
 * gets the same PAR[S] while the secret lasts.
 */
static void
handle_pci(struct paa *p, uint64_t now, struct rx *r)
{
	uint8_t c[8];
	size_t len;

	if (r->m.hdr.session_id != 0 || r->m.hdr.seq != 0 ||
	    (r->m.hdr.flags & PANA_FLAG_R)) {
		p->stats.malformed++;
		log_warnx_rl("malformed PCI from %s: session id 0x%08x, sequence %u, "
		    "flags 0x%04x (must be 0, 0, no R): dropped", r->who,
		    r->m.hdr.session_id, r->m.hdr.seq, r->m.hdr.flags);
		return;
	}
	cookie_rotate(p, now);
	if (cookie(p->cookie_key[0], r, c) != 0 ||
	    build_par_s(p, be32(c), be32(c + 4), &len) != 0) {
		log_warnx_rl("PCI from %s: cannot build PAR[S]", r->who);
		return;
	}
	p->stats.pci_answered++;
	log_debug("PCI from %s answered with PAR[S] for session %08x, no "
	    "state kept", r->who, be32(c));
	send_path(p, r->from, r->relayed, &r->pac, be32(c), r->who,
	    PAA_K_PAR_S, p->obuf, len);
}

/* Whether the PAN[S] echoes a cookie of this path, current or last. */
static int
cookie_ok(struct paa *p, uint64_t now, const struct rx *r)
{
	uint8_t got[8], want[8];
	int i, ok = 0;

	cookie_rotate(p, now);
	got[0] = (uint8_t)(r->m.hdr.session_id >> 24);
	got[1] = (uint8_t)(r->m.hdr.session_id >> 16);
	got[2] = (uint8_t)(r->m.hdr.session_id >> 8);
	got[3] = (uint8_t)r->m.hdr.session_id;
	got[4] = (uint8_t)(r->m.hdr.seq >> 24);
	got[5] = (uint8_t)(r->m.hdr.seq >> 16);
	got[6] = (uint8_t)(r->m.hdr.seq >> 8);
	got[7] = (uint8_t)r->m.hdr.seq;
	for (i = 0; i < 2; i++)
		if (cookie(p->cookie_key[i], r, want) == 0 &&
		    CRYPTO_memcmp(got, want, sizeof(got)) == 0)
			ok = 1;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

static int
offered(const uint32_t *list, size_t n, uint32_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return 1;
	return 0;
}

static void
unexpected(struct paa *p, struct paa_session *s, const struct rx *r,
    const char *why)
{
	p->stats.unexpected++;
	log_warnx_rl("session %08x: %s from %s: %s: dropped", s->id,
	    r->m.hdr.type == PANA_MSG_AUTH ? "PANA-Auth" :
	    r->m.hdr.type == PANA_MSG_TERM ? "PANA-Termination" :
	    "PANA-Notification", r->who, why);
}

/* The PaC's choice of algorithms in a PAN[S]: NULL, or why not. */
static const char *
check_pan_s(const struct rx *r, uint32_t *prf, uint32_t *integ)
{
	if (r->m.count[PANA_AVP_PRF_ALG] != 1 ||
	    r->m.count[PANA_AVP_INTEGRITY_ALG] != 1 ||
	    pana_avp_u32(&r->m.avp[PANA_AVP_PRF_ALG], prf) != 0 ||
	    pana_avp_u32(&r->m.avp[PANA_AVP_INTEGRITY_ALG], integ) != 0)
		return "without exactly one PRF-Algorithm and one "
		    "Integrity-Algorithm";
	if (!offered(prf_offer, 2, *prf) || !offered(integ_offer, 2, *integ))
		return "chose an algorithm not offered";
	if (pana_msg_avp(&r->m, PANA_AVP_AUTH) != NULL)
		return "with AUTH before any key";
	/* An EAP-Payload is ignored: the PAR[S] carried no EAP-Request. */
	return NULL;
}

/* Whether the caps leave room for a session on r's path; logs if not. */
static int
room_for(struct paa *p, const struct rx *r)
{
	if (p->n_sessions >= p->cfg.max_sessions) {
		log_warnx_rl("PAN[S] from %s dropped: %u sessions, the "
		    "maximum", r->who, p->n_sessions);
		goto full;
	}
	if (r->relayed &&
	    sessions_of_relay(p, r->from) >= p->cfg.max_per_relay) {
		log_warnx_rl("PAN[S] from %s dropped: %u sessions through "
		    "that relay, the maximum", r->who, p->cfg.max_per_relay);
		goto full;
	}
	if (sessions_of_host(p, &r->pac) >= p->cfg.max_per_addr) {
		log_warnx_rl("PAN[S] from %s dropped: %u sessions for that "
		    "address, the maximum", r->who, p->cfg.max_per_addr);
		goto full;
	}
	return 1;
 full:
	p->stats.over_cap++;
	return 0;
}

/*
 * PAN[S] for no session yet: if it echoes this path's cookie, the PaC saw
 * our PAR[S]; only now is a session created, with that PAR[S] (rebuilt
 * octet for octet) and this PAN[S] as I_PAR and I_PAN.
 */
static void
start_session(struct paa *p, uint64_t now, struct rx *r)
{
	struct paa_session *s;
	const char *why;
	uint32_t prf, integ;
	size_t len;

	if (!cookie_ok(p, now, r)) {
		p->stats.bad_cookie++;
		log_warnx_rl("PAN[S] from %s for session %08x sequence %u: "
		    "not the cookie of a PAR[S] sent to it (forged, or "
		    "older than the cookie secret): dropped", r->who,
		    r->m.hdr.session_id, r->m.hdr.seq);
		return;
	}
	if ((why = check_pan_s(r, &prf, &integ)) != NULL) {
		p->stats.unexpected++;
		log_warnx_rl("PAN[S] from %s %s: dropped", r->who, why);
		return;
	}
	if (!room_for(p, r))
		return;
	if ((s = session_new(p, now, r, r->m.hdr.session_id,
	    r->m.hdr.seq)) == NULL) {
		log_warnx_rl("PAN[S] from %s dropped: out of memory", r->who);
		return;
	}
	if (build_par_s(p, s->id, s->tx_seq, &len) != 0 ||
	    store(&s->i_par, p->obuf, len) != 0 ||
	    store(&s->i_pan, r->buf, r->len) != 0) {
		session_free(p, s);
		return;
	}
	s->prf_alg = prf;
	s->integ_alg = integ;
	log_info("session %08x: started by %s, PRF %u, integrity %u", s->id,
	    s->who, prf, integ);
	if (start_eap(p, s, now) != 0)
		session_free(p, s);
	else
		reschedule(p, s);
}

/*
 * A PAN[S] again for a session it started (the PAR[S] was sent twice,
 * or the PaC started over from the same address and port while the
 * cookie secret lasted): the first EAP PAR, if still unanswered, is sent
 * again.  1 if it was one.
 */
static int
repeated_pan_s(struct paa *p, struct paa_session *s, const struct rx *r)
{
	if (r->m.hdr.type != PANA_MSG_AUTH ||
	    (r->m.hdr.flags & (PANA_FLAG_R | PANA_FLAG_S)) != PANA_FLAG_S ||
	    s->have_key || s->i_pan.len != r->len ||
	    memcmp(s->i_pan.buf, r->buf, r->len) != 0)
		return 0;
	p->stats.duplicates++;
	if (s->req_pending && s->state == PAA_ST_WAIT_PAN &&
	    s->pac_nonce_len == 0) {
		log_debug("session %08x: repeated PAN[S] from %s, first EAP "
		    "PAR sent again", s->id, r->who);
		xmit(p, s, s->req_kind, s->req.buf, s->req.len);
	} else
		log_debug("session %08x: repeated PAN[S] from %s ignored",
		    s->id, r->who);
	return 1;
}

/* An EAP packet's own Length field (RFC 3748 section 4), for the log. */
static unsigned int
eap_length(const uint8_t *eap, size_t len)
{
	return len >= 4 ? (unsigned int)(eap[2] << 8 | eap[3]) : 0;
}

/*
 * Carry the PaC's EAP-Response, from its PAN or its own PAR, to the AAA
 * server.  The session is freed if that cannot start.
 */
static void
to_aaa(struct paa *p, struct paa_session *s, const struct pana_avp *eap)
{
	struct paa_aaa_req q;

	memset(&q, 0, sizeof(q));
	q.session_id = s->id;
	q.eap = eap->value;
	q.eap_len = eap->len;
	q.calling_station = s->pac_str;
	q.reauth = s->reauth;
	q.first = s->aaa_first;
	q.ctx = &s->aaa_ctx;
	s->aaa_first = 0;
	s->state = PAA_ST_WAIT_AAA;
	log_debug("session %08x: EAP-Payload of %u octets, EAP Length %u, "
	    "to the AAA server", s->id, (unsigned int)eap->len,
	    eap_length(eap->value, eap->len));
	if (p->cb.aaa_send(p->cb.arg, &q) != 0) {
		log_warnx_rl("session %08x: cannot reach the AAA server", s->id);
		p->stats.fail_aaa_error++;
		session_free(p, s);
	}
}

/* PAN to a PAR carrying EAP: the EAP-Response goes to the AAA server. */
static void
handle_pan_eap(struct paa *p, struct paa_session *s, struct rx *r)
{
	const struct pana_avp *nonce, *eap;

	nonce = pana_msg_avp(&r->m, PANA_AVP_NONCE);
	eap = pana_msg_avp(&r->m, PANA_AVP_EAP_PAYLOAD);
	if (s->pac_nonce_len == 0) {
		if (nonce == NULL || nonce->len < 16 || nonce->len > 64) {
			unexpected(p, s, r, "first PAN of the EAP exchange "
			    "without a 16..64-octet Nonce");
			return;
		}
		memcpy(s->pac_nonce, nonce->value, nonce->len);
		s->pac_nonce_len = nonce->len;
	} else if (nonce != NULL) {
		unexpected(p, s, r, "a second Nonce in one EAP exchange");
		return;
	}
	s->req_pending = 0;
	if (eap == NULL || eap->len == 0) {
		/*
		 * RFC 5609 WAIT_PAN_OR_PAR: the PaC acknowledged without
		 * piggybacking; its EAP-Response comes in a PAR of its own.
		 */
		log_debug("session %08x: PAN without EAP-Payload: waiting for "
		    "the PaC's PAR", s->id);
		return;
	}
	to_aaa(p, s, eap);
}

/*
 * PAR from the PaC with its EAP-Response (RFC 5191 section 4.3, RFC 5609
 * WAIT_PAN_OR_PAR): answer PAN, take it as the answer to the PAA's PAR
 * too (RtxTimerStop), and carry the EAP-Response to the AAA server.
 * check_request() has checked the state, the flags and the AVPs.
 */
static void
handle_par(struct paa *p, struct paa_session *s, struct rx *r)
{
	struct pana_builder b;

	pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_AUTH, 0, s->id,
	    r->m.hdr.seq);
	if (s->have_key)
		pana_build_auth(&b, pana_auth_mac_len(s->integ_alg), NULL);
	send_answer(p, s, PAA_K_PAN, &b);
	if (s->req_pending)
		log_debug("session %08x: the PaC's PAR answers the PAR %u too",
		    s->id, s->tx_seq);
	s->req_pending = 0;
	to_aaa(p, s, pana_msg_avp(&r->m, PANA_AVP_EAP_PAYLOAD));
}

/*
 * When the PAA pings an open session and re-authenticates it by itself:
 * ping-interval after now, and reauth-before (at most half the lifetime)
 * before the lifetime ends.  0 means never.
 */
static void
schedule_open(struct paa *p, uint64_t now, struct paa_session *s)
{
	uint64_t life = (uint64_t)s->lifetime * 1000, lead;

	s->ping_next = p->cfg.ping_interval_ms != 0 ?
	    now + p->cfg.ping_interval_ms : 0;
	s->reauth_at = 0;
	if (p->cfg.reauth_before_ms != 0) {
		lead = p->cfg.reauth_before_ms < life / 2 ?
		    p->cfg.reauth_before_ms : life / 2;
		s->reauth_at = s->expires - lead;
	}
}

static void
open_session(struct paa *p, uint64_t now, struct paa_session *s)
{
	OPENSSL_cleanse(s->key, sizeof(s->key));
	memcpy(s->key, s->new_key, s->new_key_len);
	s->key_len = s->new_key_len;
	s->key_id = s->new_key_id;
	OPENSSL_cleanse(s->new_key, sizeof(s->new_key));
	s->new_key_len = 0;
	s->have_key = 1;
	s->lifetime = s->new_lifetime;
	s->expires = now + (uint64_t)s->lifetime * 1000;
	s->state = PAA_ST_OPEN;
	p->stats.sessions_open++;
	log_info("session %08x: %sauthenticated %s: key id %u, lifetime %u s, "
	    "%u key records, %llu ms", s->id, s->reauth ? "re-" : "", s->who,
	    s->key_id, s->lifetime, s->n_records,
	    (unsigned long long)(now - s->started));
	s->reauth = 0;
	schedule_open(p, now, s);
}

/* PAN[C]: success installs the new key, rejection ends the session. */
static void
handle_pan_c(struct paa *p, uint64_t now, struct paa_session *s,
    struct rx *r)
{
	const struct pana_avp *kid;
	uint32_t v;

	if (!(r->m.hdr.flags & PANA_FLAG_C)) {
		unexpected(p, s, r, "answer to PAR[C] without the C flag");
		return;
	}
	if (s->reject_pending) {
		s->req_pending = 0;
		p->stats.sessions_rejected++;
		log_info("session %08x: %s rejected, session removed", s->id,
		    s->who);
		session_free(p, s);
		return;
	}
	/* AUTH was checked with the new key by the caller. */
	kid = pana_msg_avp(&r->m, PANA_AVP_KEY_ID);
	if (kid == NULL || pana_avp_u32(kid, &v) != 0 || v != s->new_key_id) {
		unexpected(p, s, r, "PAN[C] without the Key-Id sent");
		return;
	}
	s->req_pending = 0;
	open_session(p, now, s);
}

/* PNR: ping, or the PaC asking to re-authenticate. */
static void
handle_pnr(struct paa *p, uint64_t now, struct paa_session *s, struct rx *r)
{
	struct pana_builder b;
	uint16_t flags = r->m.hdr.flags & (PANA_FLAG_A | PANA_FLAG_P);

	pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_NOTIFY, flags,
	    s->id, r->m.hdr.seq);
	if (s->have_key)
		pana_build_auth(&b, pana_auth_mac_len(s->integ_alg), NULL);
	send_answer(p, s, PAA_K_PNA, &b);
	if (!(flags & PANA_FLAG_A))
		return;
	if (s->state != PAA_ST_OPEN) {
		log_debug("session %08x: re-authentication already under way",
		    s->id);
		return;
	}
	log_info("session %08x: re-authentication requested by %s", s->id,
	    s->who);
	s->reauth = 1;
	s->started = now;
	if (start_eap(p, s, now) != 0)
		session_free(p, s);
}

/* PTR from the PaC: answer and keep the answer a while for repeats. */
static void
handle_ptr(struct paa *p, uint64_t now, struct paa_session *s, struct rx *r)
{
	struct pana_builder b;
	uint32_t cause = 0;

	(void)pana_avp_u32(pana_msg_avp(&r->m, PANA_AVP_TERM_CAUSE), &cause);
	pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_TERM, 0, s->id,
	    r->m.hdr.seq);
	pana_build_auth(&b, pana_auth_mac_len(s->integ_alg), NULL);
	send_answer(p, s, PAA_K_PTA, &b);
	if (s->state != PAA_ST_CLOSED) {
		log_info("session %08x: terminated by %s, cause %u", s->id,
		    s->who, cause);
		p->stats.sessions_terminated++;
		if (p->cb.aaa_free != NULL)
			p->cb.aaa_free(p->cb.arg, s->id, s->aaa_ctx);
		s->aaa_ctx = NULL;
	}
	s->state = PAA_ST_CLOSED;
	s->req_pending = 0;
	s->linger_until = now + p->cfg.closed_linger_ms;
}

/* ------------------------------------------------------------ input */

/*
 * RFC 6345 makes the PAA trust what a relay says about the PaC; only the
 * configured relays are believed, and those with a key only when their
 * relay AUTH verifies.  0 to go on, -1 (logged, counted) to drop.
 */
static int
relay_trusted(struct paa *p, const struct sockaddr_storage *from,
    const uint8_t *buf, size_t len)
{
	const struct paa_relay_peer *rp;
	const char *why;
	char f[ADDRPORTLEN];
	int rc;

	if ((rp = relay_peer(p, from)) == NULL)
		why = "not from a relay-peer";
	else if (rp->key_len == 0) {
		if (pana_msg_find_auth(buf, len, NULL, NULL) == PANA_E_MISSING)
			return 0;
		why = "relay AUTH, but no key for this relay-peer";
	} else if ((rc = pana_relay_verify(buf, len, rp->key,
	    rp->key_len)) == 0)
		return 0;
	else if (rc == PANA_E_AUTH)
		why = "relay AUTH does not verify";
	else if (rc == PANA_E_MISSING)
		why = "no relay AUTH";
	else
		why = pana_strerror(rc);
	p->stats.untrusted_relay++;
	pana_addr_str(from, 1, f, sizeof(f));
	log_warnx_rl("PANA-Relay from %s (%zu octets): %s: dropped", f, len,
	    why);
	return -1;
}

static int
unwrap(struct paa *p, const struct sockaddr_storage *from,
    const uint8_t *buf, size_t len, struct rx *r)
{
	struct pana_hdr h;
	char err[PANA_ERRLEN], f[ADDRPORTLEN];
	int rc;

	memset(r, 0, sizeof(*r));
	r->from = from;
	if ((rc = pana_hdr_parse(buf, len, &h, err, sizeof(err))) == 0 &&
	    h.type == PANA_MSG_RELAY) {
		/* The envelope first: the relay AUTH walk needs sane AVPs. */
		rc = pana_relay_pop(buf, len, &r->pac, &r->buf, &r->len, err,
		    sizeof(err));
		r->relayed = 1;
		if (rc == 0 && relay_trusted(p, from, buf, len) != 0)
			return -1;
	} else if (rc == 0) {
		r->pac = *from;
		r->buf = buf;
		r->len = len;
	}
	if (rc == 0)
		rc = pana_msg_parse(r->buf, r->len, p->cfg.vendor_id, &r->m,
		    err, sizeof(err));
	if (rc != 0) {
		p->stats.malformed++;
		pana_addr_str(from, 1, f, sizeof(f));
		log_warnx_rl("malformed %smessage from %s (%zu octets): %s: "
		    "dropped", r->relayed ? "relayed " : "", f, len, err);
		return -1;
	}
	who_str(from, r->relayed, &r->pac, r->who, sizeof(r->who));
	return 0;
}

/* Which key protects this message; NULL when it must carry no AUTH. */
static const uint8_t *
rx_key(const struct paa_session *s, const struct rx *r, size_t *keylen)
{
	if (s->state == PAA_ST_WAIT_PAN_C && !s->reject_pending &&
	    r->m.hdr.type == PANA_MSG_AUTH &&
	    !(r->m.hdr.flags & PANA_FLAG_R) &&
	    (r->m.hdr.flags & PANA_FLAG_C)) {
		*keylen = s->new_key_len;
		return s->new_key;
	}
	if (s->have_key) {
		*keylen = s->key_len;
		return s->key;
	}
	*keylen = 0;
	return NULL;
}

/* PNA[P] to the PAA's ping: the PaC is alive; the next ping is due. */
static void
handle_pna(struct paa *p, uint64_t now, struct paa_session *s,
    const struct rx *r)
{
	if ((r->m.hdr.flags & (PANA_FLAG_A | PANA_FLAG_P)) != PANA_FLAG_P) {
		unexpected(p, s, r, "answer to a ping without only the P flag");
		return;
	}
	s->req_pending = 0;
	p->stats.pings_answered++;
	log_debug("session %08x: ping answered by %s", s->id, s->who);
	s->ping_next = p->cfg.ping_interval_ms != 0 ?
	    now + p->cfg.ping_interval_ms : 0;
}

static void
handle_answer(struct paa *p, uint64_t now, struct paa_session *s,
    struct rx *r)
{
	if (r->m.hdr.seq != s->tx_seq) {
		p->stats.bad_seq++;
		log_warnx_rl("session %08x: answer from %s with sequence %u, "
		    "expected %u (stale or future): dropped", s->id, r->who,
		    r->m.hdr.seq, s->tx_seq);
		return;
	}
	if (!s->req_pending) {
		/* The answer to a retransmission, already handled. */
		p->stats.duplicates++;
		log_debug("session %08x: repeated answer %u from %s ignored",
		    s->id, r->m.hdr.seq, r->who);
		return;
	}
	if (r->m.hdr.type != s->req_type) {
		unexpected(p, s, r, "answer of the wrong type");
		return;
	}
	if (r->moved && session_move(p, s, r) != 0)
		return;
	s->last_active = now;
	switch (s->req_kind) {
	case PAA_K_PAR_EAP:
		handle_pan_eap(p, s, r);
		break;
	case PAA_K_PAR_C:
		handle_pan_c(p, now, s, r);
		break;
	case PAA_K_PNR:
		handle_pna(p, now, s, r);
		break;
	case PAA_K_PTR:
		log_info("session %08x: termination acknowledged by %s",
		    s->id, s->who);
		p->stats.sessions_terminated++;
		session_free(p, s);
		break;
	default:
		unexpected(p, s, r, "answer to nothing outstanding");
		break;
	}
}

/*
 * Whether the PaC may send this request now; NULL if so, else why not.
 * RFC 5609: a PAR carrying the EAP-Response is taken while an EAP
 * exchange waits for one (WAIT_PAN_OR_PAR), a ping in any state; a
 * re-authentication request and a termination need the PANA SA (RFC 5191
 * sections 4.3 and 4.4 protect them with AUTH).
 */
static const char *
check_request(const struct paa_session *s, const struct rx *r)
{
	const struct pana_avp *eap;
	uint16_t flags = r->m.hdr.flags;

	switch (r->m.hdr.type) {
	case PANA_MSG_AUTH:
		if (flags & (PANA_FLAG_S | PANA_FLAG_C))
			return "PAR from the PaC with the S or C flag";
		if (s->state != PAA_ST_WAIT_PAN)
			return "PAR from the PaC outside an EAP exchange";
		if (s->pac_nonce_len == 0)
			return "PAR from the PaC before its PAN with the Nonce";
		if (pana_msg_avp(&r->m, PANA_AVP_NONCE) != NULL)
			return "a second Nonce in one EAP exchange";
		eap = pana_msg_avp(&r->m, PANA_AVP_EAP_PAYLOAD);
		if (eap == NULL || eap->len == 0)
			return "PAR from the PaC without EAP-Payload";
		return NULL;
	case PANA_MSG_NOTIFY:
		if ((flags & (PANA_FLAG_A | PANA_FLAG_P)) ==
		    (PANA_FLAG_A | PANA_FLAG_P))
			return "PNR with both A and P";
		if (!(flags & PANA_FLAG_P) && !s->have_key)
			return "request before authentication";
		return NULL;
	case PANA_MSG_TERM:
		if (!s->have_key)
			return "request before authentication";
		return NULL;
	default:
		return "request not handled by this PAA";
	}
}

/*
 * The PaC's IP address changed (doc/pana.md section 4.4): the session's
 * PaC address and port become those of an authenticated, fresh message
 * (AUTH verified, a new request or the answer to the outstanding one),
 * within max-sessions-per-address.  0, or -1 (logged) to drop it.
 */
static int
session_move(struct paa *p, struct paa_session *s, const struct rx *r)
{
	char old[WHOLEN];

	if (!sa_same_host(&s->pac, &r->pac) &&
	    sessions_of_host(p, &r->pac) >= p->cfg.max_per_addr) {
		p->stats.over_cap++;
		log_warnx_rl("session %08x: address update from %s to %s "
		    "refused: %u sessions for that address, the maximum: "
		    "dropped", s->id, s->who, r->who, p->cfg.max_per_addr);
		return -1;
	}
	snprintf(old, sizeof(old), "%s", s->who);
	s->peer = *r->from;
	s->pac = r->pac;
	LIST_REMOVE(s, addr_hash);
	addr_link(p, s);
	pana_addr_str(&s->pac, 0, s->pac_str, sizeof(s->pac_str));
	snprintf(s->who, sizeof(s->who), "%s", r->who);
	p->stats.address_updates++;
	log_info("session %08x: PaC address changed from %s to %s (AUTH "
	    "verified)", s->id, old, s->who);
	return 0;
}

static void
handle_request(struct paa *p, uint64_t now, struct paa_session *s,
    struct rx *r)
{
	const char *why;

	if (s->rx_seq_valid && r->m.hdr.seq == s->rx_seq && r->moved) {
		/* A replay from elsewhere must not move the session. */
		unexpected(p, s, r, "repeated request from a new address");
		return;
	}
	if (s->rx_seq_valid && r->m.hdr.seq == s->rx_seq) {
		p->stats.duplicates++;
		log_debug("session %08x: repeated request %u from %s, "
		    "answer sent again", s->id, r->m.hdr.seq, r->who);
		if (s->ans.buf != NULL)
			xmit(p, s, s->ans_kind, s->ans.buf, s->ans.len);
		return;
	}
	if (s->state == PAA_ST_CLOSED) {
		unexpected(p, s, r, "session terminated");
		return;
	}
	if (s->rx_seq_valid && r->m.hdr.seq != s->rx_seq + 1) {
		p->stats.bad_seq++;
		log_warnx_rl("session %08x: request from %s with sequence %u, "
		    "expected %u (stale or future): dropped", s->id, r->who,
		    r->m.hdr.seq, s->rx_seq + 1);
		return;
	}
	if ((why = check_request(s, r)) != NULL) {
		unexpected(p, s, r, why);
		return;
	}
	if (r->moved && session_move(p, s, r) != 0)
		return;
	s->rx_seq_valid = 1;
	s->rx_seq = r->m.hdr.seq;
	s->last_active = now;
	switch (r->m.hdr.type) {
	case PANA_MSG_AUTH:
		handle_par(p, s, r);
		break;
	case PANA_MSG_NOTIFY:
		handle_pnr(p, now, s, r);
		break;
	default:
		handle_ptr(p, now, s, r);
		break;
	}
}

/*
 * Whether a message on another path than the session's may move it: only
 * with a PANA SA (AUTH will be checked), the same way in (direct, or the
 * same relay) and not while the session lingers closed.
 */
static int
may_move(const struct paa_session *s, const struct rx *r)
{
	if (!s->have_key || s->state == PAA_ST_CLOSED ||
	    s->relayed != r->relayed)
		return 0;
	return !r->relayed || sa_equal(&s->peer, r->from);
}

void
paa_input(struct paa *p, uint64_t now, const struct sockaddr_storage *from,
    const uint8_t *buf, size_t len)
{
	struct paa_session *s;
	struct rx r;
	const uint8_t *key;
	size_t keylen;
	uint64_t frees;
	int rc;

	p->stats.rx++;
	if (unwrap(p, from, buf, len, &r) != 0)
		return;
	if (r.m.hdr.type == PANA_MSG_PCI) {
		handle_pci(p, now, &r);
		return;
	}
	if ((s = session_find(p, r.m.hdr.session_id)) == NULL &&
	    r.m.hdr.type == PANA_MSG_AUTH &&
	    (r.m.hdr.flags & (PANA_FLAG_R | PANA_FLAG_S)) == PANA_FLAG_S) {
		start_session(p, now, &r);
		return;
	}
	if (s == NULL) {
		p->stats.unknown_session++;
		log_warnx_rl("message type %u from %s for unknown session "
		    "%08x: dropped", r.m.hdr.type, r.who, r.m.hdr.session_id);
		return;
	}
	if ((s->relayed != r.relayed || !sa_equal(&s->peer, from) ||
	    !sa_equal(&s->pac, &r.pac)) && !(r.moved = may_move(s, &r))) {
		p->stats.unexpected++;
		log_warnx_rl("session %08x: message from %s, but the session "
		    "belongs to %s: dropped", s->id, r.who, s->who);
		return;
	}
	if (repeated_pan_s(p, s, &r))
		return;
	key = rx_key(s, &r, &keylen);
	if (key != NULL) {
		rc = pana_auth_verify(s->integ_alg, key, keylen, r.buf, r.len);
		if (rc != 0 && r.moved) {
			p->stats.bad_auth++;
			log_warnx_rl("session %08x: message from %s, a new "
			    "address for %s, without a valid AUTH: dropped",
			    s->id, r.who, s->who);
			return;
		}
		if (rc != 0) {
			p->stats.bad_auth++;
			log_warnx_rl("session %08x: message type %u sequence %u "
			    "from %s: AUTH %s: dropped", s->id, r.m.hdr.type,
			    r.m.hdr.seq, r.who, rc == PANA_E_AUTH ?
			    "does not verify" : pana_strerror(rc));
			return;
		}
	} else if (pana_msg_avp(&r.m, PANA_AVP_AUTH) != NULL) {
		p->stats.bad_auth++;
		log_warnx_rl("session %08x: AUTH from %s before any key: "
		    "dropped", s->id, r.who);
		return;
	}
	frees = p->frees;
	if (r.m.hdr.flags & PANA_FLAG_R)
		handle_request(p, now, s, &r);
	else
		handle_answer(p, now, s, &r);
	if (p->frees == frees)
		reschedule(p, s);
}

/* ------------------------------------------------------------ AAA */

static void
aaa_accept(struct paa *p, uint64_t now, struct paa_session *s,
    const struct paa_aaa_result *res)
{
	struct pana_kdf_input in;
	struct pana_builder b;
	size_t i;
	int rc;

	if (res->msk == NULL || res->msk_len < 32) {
		log_warnx_rl("session %08x: Access-Accept without an MSK: "
		    "session removed", s->id);
		p->stats.fail_aaa_error++;
		session_free(p, s);
		return;
	}
	if (res->n_records > PAA_RECORDS_MAX) {
		log_warnx_rl("session %08x: %zu key records, more than %d: "
		    "session removed", s->id, res->n_records,
		    PAA_RECORDS_MAX);
		p->stats.fail_aaa_error++;
		session_free(p, s);
		return;
	}
	if (++p->next_key_id == 0)
		p->next_key_id = 1;
	s->new_key_id = p->next_key_id;
	memset(&in, 0, sizeof(in));
	in.msk = res->msk;
	in.msk_len = res->msk_len;
	in.i_par = s->i_par.buf;
	in.i_par_len = s->i_par.len;
	in.i_pan = s->i_pan.buf;
	in.i_pan_len = s->i_pan.len;
	in.pac_nonce = s->pac_nonce;
	in.pac_nonce_len = s->pac_nonce_len;
	in.paa_nonce = s->paa_nonce;
	in.paa_nonce_len = sizeof(s->paa_nonce);
	in.key_id = s->new_key_id;
	rc = pana_auth_key_derive(s->prf_alg, s->integ_alg, &in, s->new_key,
	    sizeof(s->new_key), &s->new_key_len);
	if (rc != 0) {
		log_warnx_rl("session %08x: key derivation failed: %s", s->id,
		    pana_strerror(rc));
		p->stats.fail_aaa_error++;
		session_free(p, s);
		return;
	}
	s->new_lifetime = res->session_timeout != 0 ? res->session_timeout :
	    p->cfg.default_lifetime;
	s->n_records = (unsigned int)res->n_records;
	s->reject_pending = 0;

	s->tx_seq++;
	pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_C, s->id, s->tx_seq);
	pana_build_avp_u32(&b, PANA_AVP_RESULT_CODE, PANA_SUCCESS);
	if (res->eap != NULL && res->eap_len > 0)
		pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, res->eap,
		    res->eap_len);
	pana_build_avp_u32(&b, PANA_AVP_KEY_ID, s->new_key_id);
	pana_build_avp_u32(&b, PANA_AVP_SESSION_LIFETIME, s->new_lifetime);
	for (i = 0; i < res->n_records; i++)
		pana_build_vendor_avp(&b, p->cfg.vendor_id,
		    GKEY_AVP_KEY_RECORD, res->records[i], res->record_lens[i]);
	pana_build_auth(&b, pana_auth_mac_len(s->integ_alg), NULL);
	s->state = PAA_ST_WAIT_PAN_C;
	if (send_request(p, s, now, PAA_K_PAR_C, &b, s->new_key,
	    s->new_key_len) != 0)
		session_free(p, s);
}

static void
aaa_reject(struct paa *p, uint64_t now, struct paa_session *s,
    const struct paa_aaa_result *res)
{
	struct pana_builder b;

	log_info("session %08x: %s refused by the AAA server%s%s%s", s->id,
	    s->who, res->reply_message != NULL ? " (\"" : "",
	    res->reply_message != NULL ? res->reply_message : "",
	    res->reply_message != NULL ? "\")" : "");
	s->reject_pending = 1;
	s->tx_seq++;
	pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_C, s->id, s->tx_seq);
	pana_build_avp_u32(&b, PANA_AVP_RESULT_CODE,
	    PANA_AUTHENTICATION_REJECTED);
	if (res->eap != NULL && res->eap_len > 0)
		pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, res->eap,
		    res->eap_len);
	if (s->have_key)
		pana_build_auth(&b, pana_auth_mac_len(s->integ_alg), NULL);
	s->state = PAA_ST_WAIT_PAN_C;
	if (send_request(p, s, now, PAA_K_PAR_C, &b,
	    s->have_key ? s->key : NULL, s->key_len) != 0)
		session_free(p, s);
}

static void
aaa_result(struct paa *p, uint64_t now, uint32_t session_id,
    const struct paa_aaa_result *res)
{
	struct paa_session *s;
	struct pana_builder b;

	if ((s = session_find(p, session_id)) == NULL ||
	    s->state != PAA_ST_WAIT_AAA) {
		log_debug("AAA answer for session %08x, which no longer waits "
		    "for one: ignored", session_id);
		return;
	}
	s->last_active = now;
	if (res->eap != NULL)
		log_debug("session %08x: EAP-Message of %zu octets, EAP Length "
		    "%u, from the AAA server", s->id, res->eap_len,
		    eap_length(res->eap, res->eap_len));
	switch (res->code) {
	case PAA_AAA_CHALLENGE:
		if (res->eap == NULL || res->eap_len == 0) {
			log_warnx_rl("session %08x: Access-Challenge without "
			    "EAP-Message: session removed", s->id);
			p->stats.fail_aaa_error++;
			session_free(p, s);
			return;
		}
		s->tx_seq++;
		pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_AUTH,
		    PANA_FLAG_R, s->id, s->tx_seq);
		pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, res->eap,
		    res->eap_len);
		if (s->have_key)
			pana_build_auth(&b, pana_auth_mac_len(s->integ_alg),
			    NULL);
		s->state = PAA_ST_WAIT_PAN;
		if (send_request(p, s, now, PAA_K_PAR_EAP, &b,
		    s->have_key ? s->key : NULL, s->key_len) != 0)
			session_free(p, s);
		break;
	case PAA_AAA_ACCEPT:
		aaa_accept(p, now, s, res);
		break;
	case PAA_AAA_REJECT:
		aaa_reject(p, now, s, res);
		break;
	case PAA_AAA_FAIL:
	default:
		if (s->reauth) {
			log_warnx_rl("session %08x: no AAA server answered; "
			    "re-authentication abandoned, the current key "
			    "stays until the lifetime ends", s->id);
			s->reauth = 0;
			s->state = PAA_ST_OPEN;
			/* Pings go on; no second re-authentication. */
			s->ping_next = p->cfg.ping_interval_ms != 0 ?
			    now + p->cfg.ping_interval_ms : 0;
			return;
		}
		log_warnx_rl("session %08x: no AAA server answered: session "
		    "removed", s->id);
		p->stats.fail_aaa_timeout++;
		session_free(p, s);
		break;
	}
}

/* The session's deadlines moved, unless it is gone. */
static void
reschedule_id(struct paa *p, uint32_t session_id)
{
	struct paa_session *s;

	if ((s = session_find(p, session_id)) != NULL)
		reschedule(p, s);
}

void
paa_aaa_result(struct paa *p, uint64_t now, uint32_t session_id,
    const struct paa_aaa_result *res)
{
	aaa_result(p, now, session_id, res);
	reschedule_id(p, session_id);
}

/* ------------------------------------------------------------ timers */

static int
terminate(struct paa *p, uint64_t now, uint32_t session_id, uint32_t cause)
{
	struct paa_session *s;
	struct pana_builder b;

	if ((s = session_find(p, session_id)) == NULL ||
	    s->state != PAA_ST_OPEN)
		return -1;
	s->tx_seq++;
	pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_TERM,
	    PANA_FLAG_R, s->id, s->tx_seq);
	pana_build_avp_u32(&b, PANA_AVP_TERM_CAUSE, cause);
	pana_build_auth(&b, pana_auth_mac_len(s->integ_alg), NULL);
	return send_request(p, s, now, PAA_K_PTR, &b, s->key, s->key_len);
}

/* PNR[P] from the PAA under the current key; -1 if it cannot be built. */
static int
send_ping(struct paa *p, uint64_t now, struct paa_session *s)
{
	struct pana_builder b;

	s->tx_seq++;
	pana_build_start(&b, p->obuf, PANA_MSG_MAX, PANA_MSG_NOTIFY,
	    PANA_FLAG_R | PANA_FLAG_P, s->id, s->tx_seq);
	pana_build_auth(&b, pana_auth_mac_len(s->integ_alg), NULL);
	if (send_request(p, s, now, PAA_K_PNR, &b, s->key, s->key_len) != 0)
		return -1;
	p->stats.pings_sent++;
	s->ping_next = 0;
	log_debug("session %08x: ping sent to %s", s->id, s->who);
	return 0;
}

/* Whether the PAA may start a request of its own on s now. */
static int
idle_open(const struct paa_session *s)
{
	return s->state == PAA_ST_OPEN && !s->req_pending;
}

/* Whether the PAA may start a re-authentication of s now. */
static int
reauth_possible(const struct paa_session *s)
{
	return s->state == PAA_ST_OPEN &&
	    (!s->req_pending || s->req_kind == PAA_K_PNR);
}

/*
 * RFC 5609 REAUTH: NONCE_SENT unset, EAP restarted; the PAR with the new
 * Nonce and EAP-Request/Identity replaces an outstanding ping.  The
 * session is freed, and -1 returned, if that PAR cannot be built.
 */
static int
start_reauth(struct paa *p, uint64_t now, struct paa_session *s,
    const char *why)
{
	log_info("session %08x: re-authentication of %s started by the PAA "
	    "(%s)", s->id, s->who, why);
	p->stats.reauth_by_paa++;
	s->reauth = 1;
	s->started = now;
	s->reauth_at = 0;
	s->ping_next = 0;
	if (start_eap(p, s, now) != 0) {
		session_free(p, s);
		return -1;
	}
	return 0;
}

int
paa_terminate(struct paa *p, uint64_t now, uint32_t session_id,
    uint32_t cause)
{
	int rc = terminate(p, now, session_id, cause);

	reschedule_id(p, session_id);
	return rc;
}

static int
ping(struct paa *p, uint64_t now, uint32_t session_id)
{
	struct paa_session *s;

	if ((s = session_find(p, session_id)) == NULL ||
	    s->state != PAA_ST_OPEN)
		return -1;
	if (!idle_open(s))
		return -2;
	return send_ping(p, now, s);
}

int
paa_ping(struct paa *p, uint64_t now, uint32_t session_id)
{
	int rc = ping(p, now, session_id);

	reschedule_id(p, session_id);
	return rc;
}

int
paa_reauth(struct paa *p, uint64_t now, uint32_t session_id)
{
	struct paa_session *s;
	int rc;

	if ((s = session_find(p, session_id)) == NULL ||
	    !reauth_possible(s))
		return -1;
	rc = start_reauth(p, now, s, "operator request");
	reschedule_id(p, session_id);
	return rc;
}

/*
 * The PAA's own requests on an open session: re-authentication, ping.
 * 1 if one was started (or the session freed trying), else 0.
 */
static int
open_timer(struct paa *p, uint64_t now, struct paa_session *s)
{
	if (s->reauth_at != 0 && now >= s->reauth_at && reauth_possible(s)) {
		(void)start_reauth(p, now, s, "its lifetime ends soon");
		return 1;
	}
	if (s->ping_next != 0 && now >= s->ping_next && idle_open(s)) {
		(void)send_ping(p, now, s);
		return 1;
	}
	return 0;
}

static void
session_timer(struct paa *p, uint64_t now, struct paa_session *s)
{
	if (s->state == PAA_ST_CLOSED) {
		if (now >= s->linger_until)
			session_free(p, s);
		return;
	}
	if (s->have_key && now >= s->expires) {
		p->stats.sessions_expired++;
		p->stats.expired_lifetime++;
		log_info("session %08x: lifetime of %s ended without "
		    "re-authentication: session removed", s->id, s->who);
		session_free(p, s);
		return;
	}
	if (!s->have_key && now - s->started >= p->cfg.auth_timeout_ms) {
		p->stats.sessions_expired++;
		log_info("session %08x: %s did not complete authentication "
		    "within %llu ms: session removed", s->id, s->who,
		    (unsigned long long)p->cfg.auth_timeout_ms);
		session_free(p, s);
		return;
	}
	if (s->state != PAA_ST_OPEN && !s->reauth &&
	    now - s->last_active >= p->cfg.idle_timeout_ms) {
		p->stats.sessions_expired++;
		p->stats.expired_idle++;
		log_info("session %08x: %s idle for %llu s before completing: "
		    "session removed", s->id, s->who,
		    (unsigned long long)(now - s->last_active) / 1000);
		session_free(p, s);
		return;
	}
	/* A new request of the PAA's, or the session gone: done. */
	if (s->state == PAA_ST_OPEN && open_timer(p, now, s))
		return;
	if (!s->req_pending || now < s->rt_next)
		return;
	if (s->rt_count >= p->cfg.rt_max_count) {
		p->stats.sessions_expired++;
		p->stats.expired_retransmit++;
		log_info("session %08x: no answer from %s to %s after %u "
		    "retransmissions: session removed", s->id, s->who,
		    kind_names[s->req_kind], s->rt_count);
		session_free(p, s);
		return;
	}
	s->rt_count++;
	s->rt_cur = pana_rt_next(s->rt_cur, p->cfg.rt_initial_ms,
	    p->cfg.rt_max_ms, rand16(p));
	s->rt_next = now + s->rt_cur;
	p->stats.retransmits++;
	log_debug("session %08x: retransmitting %s (%u)", s->id,
	    kind_names[s->req_kind], s->rt_count);
	xmit(p, s, s->req_kind, s->req.buf, s->req.len);
}

static uint64_t
at_most(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The earliest time session_timer() has something to do for s. */
static uint64_t
session_due(const struct paa *p, const struct paa_session *s)
{
	uint64_t next = UINT64_MAX;

	if (s->state == PAA_ST_CLOSED)
		return s->linger_until;
	if (s->have_key)
		next = at_most(next, s->expires);
	if (s->state != PAA_ST_OPEN && !s->reauth)
		next = at_most(next, s->last_active + p->cfg.idle_timeout_ms);
	if (!s->have_key)
		next = at_most(next, s->started + p->cfg.auth_timeout_ms);
	if (s->req_pending)
		next = at_most(next, s->rt_next);
	if (s->reauth_at != 0 && reauth_possible(s))
		next = at_most(next, s->reauth_at);
	if (s->ping_next != 0 && idle_open(s))
		next = at_most(next, s->ping_next);
	return next;
}

/* After anything that moves s's deadlines: its place in the heap. */
static void
reschedule(struct paa *p, struct paa_session *s)
{
	s->due = session_due(p, s);
	heap_up(p, s->heap_ix);
	heap_down(p, s->heap_ix);
}

/*
 * Run what is due, earliest first: O(log n) per session due, nothing for
 * the others.  A session whose timer ran without effect (its deadline is
 * not yet there after all) goes back at least a millisecond later, so
 * that one call always ends.
 */
void
paa_timer(struct paa *p, uint64_t now)
{
	struct paa_session *s;
	uint64_t frees;

	while (p->heap_n > 0 && (s = p->heap[0])->due <= now) {
		frees = p->frees;
		session_timer(p, now, s);
		if (p->frees != frees)
			continue;
		s->due = session_due(p, s);
		if (s->due <= now)
			s->due = now + 1;
		heap_down(p, s->heap_ix);
	}
}

int64_t
paa_next_timeout(const struct paa *p, uint64_t now)
{
	uint64_t next;

	if (p->heap_n == 0 || (next = p->heap[0]->due) == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int64_t)(next - now);
}

/* ------------------------------------------------------------ inspection */

const struct paa_stats *
paa_stats(const struct paa *p)
{
	return &p->stats;
}

unsigned int
paa_session_count(const struct paa *p)
{
	return p->n_sessions;
}

int
paa_session_info(const struct paa *p, uint32_t id,
    struct paa_session_info *info)
{
	const struct paa_session *s;

	if ((s = session_find(p, id)) == NULL)
		return -1;
	memset(info, 0, sizeof(*info));
	info->state = s->state;
	info->relayed = s->relayed;
	info->have_key = s->have_key;
	info->key_id = s->key_id;
	info->prf_alg = s->prf_alg;
	info->integ_alg = s->integ_alg;
	info->lifetime = s->lifetime;
	info->tx_seq = s->tx_seq;
	info->pac = s->pac;
	info->peer = s->peer;
	info->created = s->created;
	info->expires = s->expires;
	return 0;
}

void
paa_session_walk(const struct paa *p, void (*fn)(void *, uint32_t,
    const struct paa_session_info *), void *arg)
{
	const struct paa_session *s;
	struct paa_session_info info;

	TAILQ_FOREACH(s, &p->sessions, all)
		if (paa_session_info(p, s->id, &info) == 0)
			fn(arg, s->id, &info);
}

void
paa_set_config(struct paa *p, const struct paa_config *cfg)
{
	struct paa_session *s;

	p->cfg = *cfg;
	/* Relay indices and timeouts may change: one walk, at reload only. */
	memset(p->relay_n, 0, sizeof(p->relay_n));
	TAILQ_FOREACH(s, &p->sessions, all) {
		s->relay_ix = s->relayed ? relay_index(p, &s->peer) : -1;
		if (s->relay_ix >= 0)
			p->relay_n[s->relay_ix]++;
		reschedule(p, s);
	}
}

const struct paa_config *
paa_get_config(const struct paa *p)
{
	return &p->cfg;
}
