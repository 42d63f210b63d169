/*
 * gkey_issue.c	Deciding and building a node's Key Records.
 *
 * One call of gkey_issue() handles one request: it identifies the node
 * (by certificate or fingerprint for access routers, by the EAP-TLS
 * client certificate's issuer and serial in post-auth), checks its
 * status and validity, fetches the epochs of its applications valid now,
 * creates missing key material race-free, chooses the records that fit
 * into the Access-Accept (gkey_fit.h), seals one Key Record per chosen
 * epoch to the node's enrolled key and logs every decision.
 */
#include <freeradius/build.h>
RCSID("$Id$")
#include <freeradius/radiusd.h>
#include <freeradius/modules.h>


#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "rlm_gkey.h"
#include "gkey_fit.h"
#include "gkseal.h"
#include "hpke.h"
#include "keyrecord.h"
#include "utf8.h"
#include "x509.h"

#define MAX_REQUESTED_APPS 32

typedef struct issue_ctx {
	rlm_gkey_t const	*inst;
	REQUEST			*request;
	gkey_flow_t		flow;
	gkey_db_t		db;		/* reconnects replace db.conn */
	bool			have_fp;
	uint8_t			fp[32];
	int64_t			identity;
	char const		*nas;
	char const		*calling;
	char			nas_addr[INET6_ADDRSTRLEN];

	char const		*apps[MAX_REQUESTED_APPS];	/* GKey-Requested-App */
	size_t			n_apps;
	gkey_epoch_t		*rows;		/* the identity's epochs valid now */
	size_t			n_rows;
	gkey_log_entry_t	*pending;	/* n_rows: the records' log rows */
	size_t			n_pending;
} issue_ctx_t;

/* The log row of one decision about this request. */
static void log_entry(issue_ctx_t const *c, gkey_log_entry_t *e, uint32_t app_id, uint32_t epoch,
		      char const *result, char const *reason)
{
	*e = (gkey_log_entry_t) {
		.identity = c->identity,
		.fingerprint = c->have_fp ? c->fp : NULL,
		.app_id = app_id,
		.epoch = epoch,
		.nas = c->nas,
		.calling = c->calling,
		.flow = (c->flow == GKEY_FLOW_EAP) ? "eap" : "radius",
		.result = result,
		.reason = reason,
	};
}

/*
 *	Logs the request's rows, all of them before its reply: through the
 *	log writer in one batch, with one wait (doc/radius.md section 11),
 *	or a row of its own each with log_batch = no.
 */
static rlm_rcode_t log_rows(issue_ctx_t *c, gkey_log_entry_t const *rows, size_t n)
{
	REQUEST *request = c->request;
	char err[256];
	size_t i;

	if (c->inst->logq) {
		if (gkey_logq_log_rows(c->inst->logq, rows, n, err, sizeof(err)) < 0) {
			RERROR("Cannot write the issuance log: %s", err);
			return RLM_MODULE_FAIL;
		}
		return RLM_MODULE_OK;
	}
	for (i = 0; i < n; i++) {
		if (gkey_db_log(&c->db, &rows[i]) != GKEY_DB_OK) {
			RERROR("Cannot write the issuance log");
			return RLM_MODULE_FAIL;
		}
	}
	return RLM_MODULE_OK;
}

static rlm_rcode_t log_decision(issue_ctx_t *c, uint32_t app_id, uint32_t epoch,
				char const *result, char const *reason)
{
	gkey_log_entry_t e;

	log_entry(c, &e, app_id, epoch, result, reason);
	return log_rows(c, &e, 1);
}

/* Keeps the row of one record's decision, logged with the others at the end. */
static void log_pending(issue_ctx_t *c, uint32_t app_id, uint32_t epoch, char const *result,
			char const *reason)
{
	log_entry(c, &c->pending[c->n_pending++], app_id, epoch, result, reason);
}

/*
 *	A refusal: logged, then Access-Reject with the reason. If the log
 *	cannot be written the request fails instead, so nothing goes
 *	unrecorded.
 */
static rlm_rcode_t refuse(issue_ctx_t *c, char const *reason)
{
	REQUEST *request = c->request;
	REDEBUG("Refused: %s", reason);
	if (log_decision(c, 0, 0, "refused", reason) != RLM_MODULE_OK) return RLM_MODULE_FAIL;

	/*
	 *	In post-auth the reply still holds the EAP-TLS session keys
	 *	and EAP-Success: the site's Post-Auth-Type REJECT replaces
	 *	them with an EAP-Failure (doc/radius.md), not this module.
	 */
	pair_make_reply("Reply-Message", reason, T_OP_ADD);
	return RLM_MODULE_REJECT;
}

/*
 *	A text attribute of the request as the issuance log gets it: as
 *	sent when it is text (UTF-8 without controls), else every octet that
 *	is not, and every backslash, as \xNN, so that PostgreSQL accepts it
 *	and nothing is cut at a NUL. NULL when absent or out of memory.
 */
static char const *request_text(REQUEST *request, TALLOC_CTX *ctx, unsigned int attr)
{
	VALUE_PAIR *vp = fr_pair_find_by_num(request->packet->vps, attr, 0, TAG_ANY);
	uint8_t const *p;
	char *out;
	size_t n;

	if (!vp) return NULL;
	p = (uint8_t const *) vp->vp_strvalue;
	if (gkey_utf8_text_valid(p, vp->vp_length) && !memchr(p, '\\', vp->vp_length)) return vp->vp_strvalue;

	out = talloc_array(ctx, char, GKEY_TEXT_ESCAPED_SIZE(vp->vp_length));
	if (!out || gkey_text_escape(p, vp->vp_length, out, GKEY_TEXT_ESCAPED_SIZE(vp->vp_length), &n) < 0) {
		talloc_free(out);
		return NULL;
	}
	RWDEBUG("%s is not UTF-8 text; logged as \"%s\"", vp->da->name, out);
	return out;
}

/*
 *	Access-router flow: the node is named by GKey-Certificate and/or
 *	GKey-Cert-SHA256. Returns UPDATED when an identity was found (filled
 *	into *id, its epochs into c->rows), or the final rcode.
 */
static rlm_rcode_t identify_by_certificate(issue_ctx_t *c, TALLOC_CTX *ctx, gkey_identity_t *id)
{
	REQUEST *request = c->request;
	rlm_gkey_t const *inst = c->inst;
	VALUE_PAIR *cert_vp, *fp_vp;
	X509 *cert = NULL;
	gkey_db_rcode_t rcode;
	rlm_rcode_t rc;

	cert_vp = fr_pair_find_by_da(request->packet->vps, inst->da_certificate, TAG_ANY);
	fp_vp = fr_pair_find_by_da(request->packet->vps, inst->da_cert_sha256, TAG_ANY);

	if (fp_vp) {
		if (fp_vp->vp_length != 32) return refuse(c, "malformed GKey-Cert-SHA256");
		memcpy(c->fp, fp_vp->vp_octets, 32);
		c->have_fp = true;
	}

	if (cert_vp) {
		uint8_t fp[32];

		if (gkey_x509_fingerprint(cert_vp->vp_octets, cert_vp->vp_length, fp) < 0) {
			return refuse(c, "malformed certificate");
		}
		if (c->have_fp && (CRYPTO_memcmp(fp, c->fp, 32) != 0)) {
			return refuse(c, "certificate does not match GKey-Cert-SHA256");
		}
		memcpy(c->fp, fp, 32);
		c->have_fp = true;
	}

	if (!c->have_fp) return refuse(c, "no GKey-Certificate or GKey-Cert-SHA256");

	rcode = gkey_lookup_by_fingerprint(inst, ctx, &c->db, c->fp, c->apps, c->n_apps,
					   id, &c->rows, &c->n_rows);
	if (rcode == GKEY_DB_OK) {
		rc = RLM_MODULE_UPDATED;
		goto finish;
	}
	if (rcode != GKEY_DB_NOTFOUND) {
		RERROR("Identity lookup failed");
		rc = RLM_MODULE_FAIL;
		goto finish;
	}

	/*
	 *	Unknown fingerprint. Only now is the certificate parsed (a
	 *	known fingerprint is byte for byte the enrolled certificate,
	 *	checked at enrollment). If it names an enrolled issuer and
	 *	serial, it is another certificate than the one enrolled
	 *	(re-issued or forged): say so.
	 */
	if (cert_vp) {
		uint8_t const *p = cert_vp->vp_octets;
		char issuer[512], serial[128];
		gkey_identity_t other;

		cert = d2i_X509(NULL, &p, cert_vp->vp_length);
		if (!cert || p != cert_vp->vp_octets + cert_vp->vp_length) {
			rc = refuse(c, "malformed certificate");
			goto finish;
		}
		if (gkey_x509_issuer(cert, issuer, sizeof(issuer)) == 0 &&
		    gkey_x509_serial_hex(cert, serial, sizeof(serial)) == 0) {
			rcode = gkey_db_identity_by_issuer_serial(ctx, &c->db, issuer, serial, &other);
			if (rcode == GKEY_DB_OK) {
				rc = refuse(c, "certificate does not match the enrolled one");
				goto finish;
			}
			if (rcode != GKEY_DB_NOTFOUND) {
				RERROR("Identity lookup failed");
				rc = RLM_MODULE_FAIL;
				goto finish;
			}
		}
	}
	rc = refuse(c, "unknown certificate");

finish:
	X509_free(cert);
	return rc;
}

/*
 *	EAP-TLS flow: FreeRADIUS has verified the client certificate and
 *	copied its issuer and serial into the request.
 */
static rlm_rcode_t identify_by_tls(issue_ctx_t *c, TALLOC_CTX *ctx, gkey_identity_t *id)
{
	REQUEST *request = c->request;
	rlm_gkey_t const *inst = c->inst;
	VALUE_PAIR *issuer, *serial;
	gkey_db_rcode_t rcode;

	issuer = fr_pair_find_by_da(request->packet->vps, inst->da_tls_issuer, TAG_ANY);
	serial = fr_pair_find_by_da(request->packet->vps, inst->da_tls_serial, TAG_ANY);
	if (!issuer || !serial) {
		/* Not EAP-TLS with a client certificate: not ours to judge. */
		RDEBUG2("No TLS-Client-Cert-Issuer/-Serial, nothing to do");
		return RLM_MODULE_NOOP;
	}

	rcode = gkey_lookup_by_issuer_serial(inst, ctx, &c->db, issuer->vp_strvalue, serial->vp_strvalue,
					     c->apps, c->n_apps, id, &c->rows, &c->n_rows);
	if (rcode == GKEY_DB_NOTFOUND) return refuse(c, "unknown certificate");
	if (rcode != GKEY_DB_OK) {
		RERROR("Identity lookup failed");
		return RLM_MODULE_FAIL;
	}
	return RLM_MODULE_UPDATED;	/* found */
}

/* Status and validity of the enrolled certificate. */
static char const *identity_refusal(gkey_identity_t const *id, time_t now)
{
	if (strcmp(id->status, "revoked") == 0) return "identity revoked";
	if (strcmp(id->status, "suspended") == 0) return "identity suspended";
	if (strcmp(id->status, "active") != 0) return "identity not active";
	if (now < id->not_before) return "certificate not yet valid";
	if (now >= id->not_after) return "certificate expired";
	return NULL;
}

/*
 *	The plaintext GK of one epoch into gk (GKEY_GK_MAX octets): the
 *	stored material opened with the KEK, or, when none is stored yet,
 *	a fresh key offered to the database, which keeps the first one any
 *	server stored. Returns 0, GK_NOT_OPENED when the stored material
 *	does not open under the KEK (damaged, or written by someone else
 *	with the module's role; logged), or -1 for any other failure
 *	(logged).
 */
#define GK_NOT_OPENED (-2)
static int epoch_gk(issue_ctx_t *c, TALLOC_CTX *ctx, gkey_epoch_t *e, size_t gk_len,
		    uint8_t *gk)
{
	REQUEST *request = c->request;
	rlm_gkey_t const *inst = c->inst;
	uint8_t const *blob = e->material;
	size_t blob_len = e->material_len;
	uint8_t *stored = NULL;
	size_t stored_len, out_len;
	uint8_t kek[GKEY_KEK_LEN], check[32];
	bool retried = false;
	int rc = -1;

again:
	gkey_keks_get(inst->keks, kek, check);
	if (!blob) {
		uint8_t sealed[GKEY_GKSEAL_MAX_LEN];
		size_t sealed_len;

		if (gkey_gk_generate(gk, gk_len) < 0 ||
		    gkey_gk_seal(kek, e->app_id, e->epoch, gk, gk_len,
				 sealed, sizeof(sealed), &sealed_len) < 0) {
			RERROR("Cannot generate key material for application %u epoch %u", e->app_id, e->epoch);
			goto finish;
		}
		OPENSSL_cleanse(gk, gk_len);

		/*
		 *	The database stores it only if our KEK is its current
		 *	one (SQLSTATE GK001 otherwise): after an online
		 *	rotation, switch to kek_next_file and seal again, once.
		 */
		if (gkey_db_fill_material(ctx, &c->db, e->app_id, e->epoch, sealed, sealed_len, check,
					  &stored, &stored_len) != GKEY_DB_OK) {
			if (!retried && gkey_db_kek_stale(&c->db) &&
			    gkey_db_kek_refresh(&c->db, inst->keks, inst->name, check) == 1) {
				retried = true;
				goto again;
			}
			RERROR("Cannot store key material of application %u epoch %u", e->app_id, e->epoch);
			goto finish;
		}
		/* From now on the epoch's material is what the database holds. */
		e->material = stored;
		e->material_len = stored_len;
		stored = NULL;
		blob = e->material;
		blob_len = e->material_len;
	}

	if (gkey_gk_open(kek, e->app_id, e->epoch, blob, blob_len,
			 gk, GKEY_GK_MAX, &out_len) < 0 || out_len != gk_len) {
		OPENSSL_cleanse(gk, GKEY_GK_MAX);
		/*
		 *	Read before, or after, an online rotation that this
		 *	server has, or has not, followed yet: the other KEK
		 *	opens it. Opening stores nothing, so either may open;
		 *	the database then says which one is current.
		 */
		if (inst->keks->n > 1) {
			gkey_keks_get_other(inst->keks, kek);
			if (gkey_gk_open(kek, e->app_id, e->epoch, blob, blob_len,
					 gk, GKEY_GK_MAX, &out_len) == 0 && out_len == gk_len) {
				if (!retried) (void) gkey_db_kek_refresh(&c->db, inst->keks, inst->name, check);
				rc = 0;
				goto finish;
			}
			OPENSSL_cleanse(gk, GKEY_GK_MAX);
		}
		RERROR("Stored key material of application %u epoch %u does not open under the KEK",
			e->app_id, e->epoch);
		rc = GK_NOT_OPENED;
		goto finish;
	}
	rc = 0;

finish:
	OPENSSL_cleanse(kek, sizeof(kek));
	talloc_free(stored);
	return rc;
}

static int gk_alg_of(char const *name)
{
	if (strcmp(name, "aes-128") == 0) return GKEY_GK_AES128;
	if (strcmp(name, "aes-256") == 0) return GKEY_GK_AES256;
	return -1;
}

/* Code, Identifier, Length, Authenticator (RFC 2865 section 3). */
#define RADIUS_HEADER_OCTETS 20
/* Type, Length, Vendor-Id, Vendor-Type, Vendor-Length (doc/radius.md 2.2). */
#define VSA_HDR_LEN 8
/* Message-Authenticator: Type, Length and 16 octets (RFC 3579 section 3.2). */
#define MSG_AUTH_OCTETS 18
/* Session-Timeout: Type, Length and a 4-octet integer. */
#define SESSION_TIMEOUT_OCTETS 6

/*
 *	The octets one epoch's GKey-Key-Record takes in the packet, known
 *	before sealing: a record's length follows from its suite, GK
 *	algorithm and name (doc/key-record.md). An unknown algorithm counts
 *	as the longest record (add_record refuses it anyway).
 */
static size_t record_octets(gkey_epoch_t const *e, enum gkey_kem kem)
{
	size_t len = 0;
	int alg = gk_alg_of(e->gk_alg);

	if (alg >= 0) len = gkey_record_len(kem == GKEY_KEM_P256 ? GKEY_SUITE_P256 : GKEY_SUITE_X25519,
					    alg, strlen(e->app_name));
	if (len == 0) len = GKEY_RECORD_MAX_LEN;
	return VSA_HDR_LEN + len;
}

/*
 *	What names a sealed record in the cache: the epoch as the database
 *	has it now, and a digest of the enrolled key, the stored sealed GK,
 *	and the application's name and GK algorithm (both inside the
 *	record), so that any change to one of them misses.
 */
static int cache_key(rlm_gkey_t const *inst, gkey_cache_key_t *key, int64_t identity,
		     gkey_epoch_t const *e, gkey_identity_t const *id)
{
	EVP_MD_CTX *md;
	int ok;

	memset(key, 0, sizeof(*key));
	key->identity = identity;
	key->app_id = e->app_id;
	key->epoch = e->epoch;
	key->not_before = e->not_before;
	key->not_after = e->not_after;

	md = EVP_MD_CTX_new();
	if (!md) return -1;
	ok = EVP_DigestInit_ex(md, inst->sha256, NULL) == 1 &&
	     EVP_DigestUpdate(md, id->spki, id->spki_len) == 1 &&
	     EVP_DigestUpdate(md, e->material, e->material_len) == 1 &&
	     EVP_DigestUpdate(md, e->app_name, strlen(e->app_name) + 1) == 1 &&
	     EVP_DigestUpdate(md, e->gk_alg, strlen(e->gk_alg) + 1) == 1 &&
	     EVP_DigestFinal_ex(md, key->digest, NULL) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

static rlm_rcode_t reply_record(issue_ctx_t *c, gkey_epoch_t const *e, uint8_t const *record,
				size_t record_len, bool cached)
{
	REQUEST *request = c->request;
	VALUE_PAIR *vp;

	vp = fr_pair_afrom_da(request->reply, c->inst->da_key_record);
	if (!vp) {
		RERROR("Out of memory adding GKey-Key-Record");
		return RLM_MODULE_FAIL;
	}
	fr_pair_value_memcpy(vp, record, record_len);
	fr_pair_add(&request->reply->vps, vp);
	RDEBUG2("Issued %s epoch %u (%zu octets%s)", e->app_name, e->epoch, record_len,
		cached ? ", from the record cache" : "");
	log_pending(c, e->app_id, e->epoch, "issued", NULL);
	return RLM_MODULE_OK;
}

/*
 *	Seal one epoch into a GKey-Key-Record reply attribute. Returns OK
 *	(added, its log row pending), NOOP when this application's stored
 *	material does not open (a "failed" row pending; the node's other
 *	applications are still issued) or FAIL.
 */
static rlm_rcode_t add_record(issue_ctx_t *c, TALLOC_CTX *ctx, gkey_epoch_t *e,
			      gkey_identity_t const *id, enum gkey_kem kem)
{
	REQUEST *request = c->request;
	rlm_gkey_t const *inst = c->inst;
	struct gkey_record_meta meta;
	gkey_cache_key_t key;
	uint8_t gk[GKEY_GK_MAX];
	uint8_t record[GKEY_RECORD_MAX_LEN];
	size_t gk_len, record_len;
	char err[128];
	int alg;
	bool keyed = false;
	rlm_rcode_t rc = RLM_MODULE_FAIL;

	alg = gk_alg_of(e->gk_alg);
	if (alg < 0) {
		RERROR("Application %u has unknown GK algorithm \"%s\"", e->app_id, e->gk_alg);
		return RLM_MODULE_FAIL;
	}
	gk_len = gkey_gk_alg_len(alg);

	/* Material not stored yet means no record was ever sealed for it. */
	if (inst->cache && e->material) {
		keyed = (cache_key(inst, &key, c->identity, e, id) == 0);
		/*
		 *	Its length is the one reckoned: the key names the enrolled
		 *	key (the suite), the GK algorithm and the name, and only a
		 *	record of the reckoned length is ever put (below).
		 */
		if (keyed && gkey_cache_get(inst->cache, &key, time(NULL), record, sizeof(record), &record_len)) {
			return reply_record(c, e, record, record_len, true);
		}
	}

	switch (epoch_gk(c, ctx, e, gk_len, gk)) {
	case 0:
		break;
	case GK_NOT_OPENED:
		log_pending(c, e->app_id, e->epoch, "failed", "key material does not open");
		return RLM_MODULE_NOOP;
	default:
		return RLM_MODULE_FAIL;
	}

	memset(&meta, 0, sizeof(meta));
	meta.app_id = e->app_id;
	meta.epoch = e->epoch;
	meta.not_before = (uint64_t) e->not_before;
	meta.not_after = (uint64_t) e->not_after;
	meta.gk_alg = alg;
	meta.name = e->app_name;
	meta.name_len = strlen(e->app_name);

	/*
	 *	The enrolled SPKI is decoded per record: in its canonical form
	 *	(what enrollment stores) that is a point check, about 14 us for
	 *	P-256 and 3 us for X25519 here against 150 and 80 us for
	 *	d2i_PUBKEY(), a tenth of a seal or less: not worth a cache.
	 */
	if (gkey_record_seal_spki(inst->hpke, &meta, gk, gk_len, id->spki, id->spki_len,
				  (kem == GKEY_KEM_P256) ? &inst->p256_sender : &inst->x25519_sender,
				  record, sizeof(record), &record_len, err, sizeof(err)) < 0) {
		RERROR("Cannot seal the record of application %u epoch %u: %s", e->app_id, e->epoch, err);
		goto finish;
	}
	if (record_len > GKEY_RADIUS_VSA_VALUE_MAX) {
		RERROR("Record of application %u is %zu octets, more than one attribute holds",
			e->app_id, record_len);
		goto finish;
	}
	/* The room was reckoned with this length: a longer one could overflow the packet. */
	if (VSA_HDR_LEN + record_len != record_octets(e, kem)) {
		RERROR("Record of application %u is %zu octets, not the %zu its room was reckoned for",
			e->app_id, record_len, record_octets(e, kem) - VSA_HDR_LEN);
		goto finish;
	}

	if (inst->cache) {
		if (!keyed) keyed = (cache_key(inst, &key, c->identity, e, id) == 0);
		if (keyed) gkey_cache_put(inst->cache, &key, record, record_len);
	}
	rc = reply_record(c, e, record, record_len, false);

finish:
	OPENSSL_cleanse(gk, sizeof(gk));
	return rc;
}

/*
 *	The octets of the Access-Accept that are not this module's records:
 *	the header, what the reply holds already, encoded as rad_encode()
 *	will encode it (in post-auth: EAP-Message, Message-Authenticator,
 *	the MS-MPPE keys, User-Name, Proxy-State), and what is added after
 *	the module runs: a Message-Authenticator (RFC 3579 section 3.2; newer
 *	FreeRADIUS 3.2 releases add one to every reply), the request's
 *	Proxy-State (copied after authorize, before post-auth) and the
 *	Session-Timeout set below. Attributes the virtual server adds later
 *	are the operator's margin: max_reply_octets (doc/radius.md 6.1).
 */
static size_t reply_overhead(REQUEST *request)
{
	uint8_t buf[MAX_PACKET_LEN];
	char const *secret = (request->client && request->client->secret) ? request->client->secret : "";
	VALUE_PAIR const *vp, *next;
	bool have_ma = false, have_ps = false, have_st = false;
	size_t used = RADIUS_HEADER_OCTETS;
	int len;

	for (vp = request->reply->vps; vp; vp = next) {
		next = vp->next;
		/* What rad_encode() skips: internal attributes, empty values. */
		if (vp->da->vendor == 0 && (vp->da->attr & 0xffff) >= 256 &&
		    !vp->da->flags.extended && !vp->da->flags.long_extended) continue;
		if (vp->vp_length == 0 && (vp->da->vendor != 0 ||
		    (vp->da->attr != PW_CHARGEABLE_USER_IDENTITY && vp->da->attr != PW_MESSAGE_AUTHENTICATOR))) continue;
		if (vp->da->vendor == 0) {
			if (vp->da->attr == PW_MESSAGE_AUTHENTICATOR) have_ma = true;
			if (vp->da->attr == PW_PROXY_STATE) have_ps = true;
			if (vp->da->attr == PW_SESSION_TIMEOUT) have_st = true;
		}
		next = vp;
		len = rad_vp2attr(request->reply, request->packet, secret, &next, buf, sizeof(buf));
		/* It could not be encoded here: count it as long as it can be. */
		if (len <= 0) len = sizeof(buf);
		/* It may have encoded several (a TLV, a concatenated value): next is past them. */
		if (next == vp) next = vp->next;
		used += (size_t) len;
	}
	if (!have_ma) used += MSG_AUTH_OCTETS;
	if (!have_ps) {
		for (vp = request->packet->vps; vp; vp = vp->next) {
			if (vp->da->vendor == 0 && vp->da->attr == PW_PROXY_STATE) used += 2 + vp->vp_length;
		}
	}
	if (!have_st) used += SESSION_TIMEOUT_OCTETS;
	return used;
}

/* The lookup's order, which gkey_fit_select needs: application, then epoch. */
static int epoch_order(void const *a, void const *b)
{
	gkey_epoch_t const *x = a, *y = b;

	if (x->app_id != y->app_id) return (x->app_id < y->app_id) ? -1 : 1;
	if (x->epoch != y->epoch) return (x->epoch < y->epoch) ? -1 : 1;
	return 0;
}

/*
 *	Keeps in c->rows only the epochs whose records fit into the
 *	Access-Accept (gkey_fit.h), max_records of them at most: each
 *	application's newest first, round by round; the oldest are left
 *	out, with one WARN line naming them. Nothing is sealed or logged for
 *	what is left out. Returns OK, or the refusal "reply too large" when
 *	not even the newest epoch of every application fits.
 */
static rlm_rcode_t choose_records(issue_ctx_t *c, TALLOC_CTX *ctx, enum gkey_kem kem)
{
	REQUEST *request = c->request;
	rlm_gkey_t const *inst = c->inst;
	gkey_fit_rec_t *recs;
	bool *send;
	size_t i, j, start, overhead, room, chosen, n_apps = 0;
	char left[1024];
	size_t off = 0;

	qsort(c->rows, c->n_rows, sizeof(c->rows[0]), epoch_order);
	recs = talloc_array(ctx, gkey_fit_rec_t, c->n_rows);
	send = talloc_array(ctx, bool, c->n_rows);
	if (!recs || !send) {
		RERROR("Out of memory");
		return RLM_MODULE_FAIL;
	}
	for (i = 0; i < c->n_rows; i++) {
		recs[i] = (gkey_fit_rec_t) {
			.app_id = c->rows[i].app_id,
			.epoch = c->rows[i].epoch,
			.octets = record_octets(&c->rows[i], kem),
		};
		if (i == 0 || recs[i].app_id != recs[i - 1].app_id) n_apps++;
	}
	overhead = reply_overhead(request);
	room = (inst->max_reply_octets > overhead) ? inst->max_reply_octets - overhead : 0;

	chosen = gkey_fit_select(recs, c->n_rows, room, inst->max_records, send);
	if (chosen == 0 && n_apps > inst->max_records) {
		ERROR("rlm_gkey (%s): (%u) %zu %s applications, more than max_records = %u: refused",
		      inst->name, request->number, n_apps, c->n_apps ? "requested" : "granted", inst->max_records);
		return refuse(c, "reply too large");
	}
	if (chosen == 0) {
		ERROR("rlm_gkey (%s): (%u) the newest epochs of the %s applications do not fit into an "
		      "Access-Accept of max_reply_octets = %u (%zu octets are other attributes, %zu left for "
		      "GKey-Key-Record): refused", inst->name, request->number,
		      c->n_apps ? "requested" : "granted", inst->max_reply_octets, overhead, room);
		return refuse(c, "reply too large");
	}
	if (chosen == c->n_rows) return RLM_MODULE_OK;

	/*
	 *	What each application leaves out is its oldest epochs, one run
	 *	from its first row to the first one sent: named by range. No
	 *	key material, only names and numbers.
	 */
	left[0] = '\0';
	for (start = 0; start < c->n_rows; start = j) {
		size_t k;

		for (j = start; j < c->n_rows && recs[j].app_id == recs[start].app_id; j++);
		for (k = start; k < j && !send[k]; k++);
		if (k == start || off >= sizeof(left)) continue;
		if (k - start == 1) {
			off += snprintf(left + off, sizeof(left) - off, "%s%s epoch %u", off ? ", " : "",
					c->rows[start].app_name, recs[start].epoch);
		} else {
			off += snprintf(left + off, sizeof(left) - off, "%s%s epochs %u..%u (%zu)",
					off ? ", " : "", c->rows[start].app_name, recs[start].epoch,
					recs[k - 1].epoch, k - start);
		}
	}
	WARN("rlm_gkey (%s): (%u) %zu of %zu records fit into an Access-Accept of max_records = %u, "
	     "max_reply_octets = %u (%zu octets are other attributes); left out, oldest first: %s",
	     inst->name, request->number, chosen, c->n_rows, inst->max_records, inst->max_reply_octets,
	     overhead, left);

	for (i = 0, j = 0; i < c->n_rows; i++) {
		if (!send[i]) continue;
		if (j != i) c->rows[j] = c->rows[i];
		j++;
	}
	c->n_rows = j;
	return RLM_MODULE_OK;
}

static void set_session_timeout(issue_ctx_t *c, gkey_epoch_t const *rows, size_t n, time_t now)
{
	REQUEST *request = c->request;
	time_t earliest = rows[0].not_after;
	uint32_t timeout;
	size_t i;
	VALUE_PAIR *vp;

	for (i = 1; i < n; i++) {
		if (rows[i].not_after < earliest) earliest = rows[i].not_after;
	}
	timeout = (earliest - now > (time_t) c->inst->max_lifetime) ?
		  c->inst->max_lifetime : (uint32_t) (earliest - now);
	if (timeout == 0) timeout = 1;

	vp = pair_make_reply("Session-Timeout", NULL, T_OP_SET);
	if (vp) vp->vp_integer = timeout;
}

rlm_rcode_t gkey_issue(rlm_gkey_t const *inst, REQUEST *request, gkey_flow_t flow)
{
	issue_ctx_t ctx_s = { .inst = inst, .request = request, .flow = flow };
	issue_ctx_t *c = &ctx_s;
	TALLOC_CTX *ctx;
	gkey_identity_t id;
	size_t i, n_issued = 0;
	char const *why;
	enum gkey_kem kem;
	rlm_rcode_t rc;
	time_t now = time(NULL);
	vp_cursor_t cursor;
	VALUE_PAIR *vp;

	/*
	 *	The audit log names the NAS by NAS-Identifier, or else by
	 *	the address the request came from.
	 */
	ctx = talloc_new(request);
	if (!ctx) return RLM_MODULE_FAIL;

	c->nas = request_text(request, ctx, PW_NAS_IDENTIFIER);
	if (!c->nas) c->nas = ip_ntoh(&request->packet->src_ipaddr, c->nas_addr, sizeof(c->nas_addr));
	c->calling = request_text(request, ctx, PW_CALLING_STATION_ID);

	/* The pooled connection is taken at the first statement, if any. */
	c->db.pool = inst->pool;
	c->db.request = request;
	c->db.conn = NULL;

	for (vp = fr_cursor_init(&cursor, &request->packet->vps);
	     vp;
	     vp = fr_cursor_next(&cursor)) {
		if (vp->da != inst->da_requested_app) continue;
		if (c->n_apps == MAX_REQUESTED_APPS) {
			rc = refuse(c, "too many GKey-Requested-App");
			goto finish;
		}
		/*
		 *	Checked before any SQL sees it: invalid UTF-8 would
		 *	fail the query, and a NUL would cut the name short.
		 *	What breaks the name rule of key records (1..64
		 *	octets of UTF-8 text) can name no application.
		 */
		if (!gkey_record_name_valid((uint8_t const *) vp->vp_strvalue, vp->vp_length)) {
			rc = refuse(c, "malformed application name");
			goto finish;
		}
		c->apps[c->n_apps++] = vp->vp_strvalue;
	}

	/* One round trip: the identity and, if active, its keys. */
	rc = (flow == GKEY_FLOW_EAP) ? identify_by_tls(c, ctx, &id) : identify_by_certificate(c, ctx, &id);
	if (rc != RLM_MODULE_UPDATED) goto finish;
	c->identity = id.id;

	why = identity_refusal(&id, now);
	if (why) {
		rc = refuse(c, why);
		goto finish;
	}

	if (gkey_spki_kem(id.spki, id.spki_len, &kem) < 0) {
		rc = refuse(c, "unsupported key type");
		goto finish;
	}

	if (c->n_rows == 0) {
		rc = refuse(c, c->n_apps ? "no authorised application among those requested" :
					  "no authorised application");
		goto finish;
	}

	/*
	 *	What does not fit into one RADIUS packet is left out before
	 *	anything is sealed, so the reply never outgrows it and no row
	 *	is logged for a record not sent.
	 */
	rc = choose_records(c, ctx, kem);
	if (rc != RLM_MODULE_OK) goto finish;

	/*
	 *	An application whose material does not open is left out; the
	 *	others are issued. Session-Timeout covers only what was issued.
	 *	If nothing could be issued it is a server fault (no answer),
	 *	not a refusal. Every record's row is logged at the end, all in
	 *	one batch with one wait (doc/radius.md section 11), also when
	 *	the request fails after some: as when each was logged at once.
	 */
	c->pending = talloc_array(ctx, gkey_log_entry_t, c->n_rows);
	if (!c->pending) {
		RERROR("Out of memory");
		rc = RLM_MODULE_FAIL;
		goto finish;
	}
	for (i = 0; i < c->n_rows; i++) {
		rc = add_record(c, ctx, &c->rows[i], &id, kem);
		if (rc == RLM_MODULE_NOOP) continue;
		if (rc != RLM_MODULE_OK) break;
		if (n_issued != i) c->rows[n_issued] = c->rows[i];
		n_issued++;
	}
	if (c->n_pending > 0 && log_rows(c, c->pending, c->n_pending) != RLM_MODULE_OK) rc = RLM_MODULE_FAIL;
	if (rc != RLM_MODULE_OK && rc != RLM_MODULE_NOOP) goto finish;
	if (n_issued == 0) {
		RERROR("No key material of this identity's applications opens under the KEK");
		rc = RLM_MODULE_FAIL;
		goto finish;
	}
	set_session_timeout(c, c->rows, n_issued, now);
	rc = RLM_MODULE_UPDATED;

finish:
	/* A failed request must not leave a half-filled reply. */
	if (rc == RLM_MODULE_FAIL) fr_pair_delete_by_da(&request->reply->vps, inst->da_key_record);
	if (c->db.conn) fr_connection_release(inst->pool, c->db.conn);
	talloc_free(ctx);
	return rc;
}
