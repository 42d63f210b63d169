/*
 * rlm_gkey.c	FreeRADIUS module handing out per-application group keys.
 *
 * This file holds only the module glue: configuration, bootstrap,
 * instantiate, detach and the authorize/post-auth callbacks. The
 * decisions are in gkey_issue.c, the database in gkey_db.c, and the
 * cryptography in libgkey.
 */
#include <freeradius/build.h>
RCSID("$Id$")
#include <freeradius/radiusd.h>
#include <freeradius/modules.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "rlm_gkey.h"
#include "hpke.h"
#include "keys.h"

static const CONF_PARSER module_config[] = {
	{ "conninfo", FR_CONF_OFFSET(PW_TYPE_STRING | PW_TYPE_SECRET | PW_TYPE_REQUIRED | PW_TYPE_NOT_EMPTY,
				      rlm_gkey_t, conninfo), NULL },
	{ "query_timeout", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, query_timeout), "2000" },
	{ "kek_file", FR_CONF_OFFSET(PW_TYPE_STRING | PW_TYPE_REQUIRED | PW_TYPE_NOT_EMPTY,
				      rlm_gkey_t, kek_file), NULL },
	{ "kek_next_file", FR_CONF_OFFSET(PW_TYPE_STRING, rlm_gkey_t, kek_next_file), NULL },
	{ "p256_key_file", FR_CONF_OFFSET(PW_TYPE_STRING | PW_TYPE_REQUIRED | PW_TYPE_NOT_EMPTY,
					   rlm_gkey_t, p256_key_file), NULL },
	{ "x25519_key_file", FR_CONF_OFFSET(PW_TYPE_STRING | PW_TYPE_REQUIRED | PW_TYPE_NOT_EMPTY,
					     rlm_gkey_t, x25519_key_file), NULL },
	{ "vendor", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, vendor), "32473" },
	{ "max_lifetime", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, max_lifetime), "86400" },
	{ "max_reply_octets", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, max_reply_octets), "4096" },
	{ "max_records", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, max_records), "16" },
	{ "record_cache_size", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, record_cache_size), "4096" },
	{ "view_size", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, view_size), "100000" },
	{ "view_ttl", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, view_ttl), "300" },
	{ "listen_heartbeat_ms", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, listen_heartbeat_ms), "500" },
	/* The issuance log writer (doc/radius.md, "Issuance log writer"). */
	{ "log_batch", FR_CONF_OFFSET(PW_TYPE_BOOLEAN, rlm_gkey_t, log_batch), "yes" },
	{ "log_batch_max", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, logq_cfg.batch_max), "256" },
	{ "log_batch_wait_us", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, logq_cfg.wait_us), "0" },
	{ "log_queue_max", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, logq_cfg.queue_max), "4096" },
	{ "log_wait_margin", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, log_wait_margin), "1000" },
	CONF_PARSER_TERMINATOR
};

/*
 *	A secret file must be a regular file that neither group nor others
 *	can read or write: a KEK or private key anyone can read is no
 *	secret, and starting with one would hide the mistake.
 */
static int secret_file_check(CONF_SECTION *conf, char const *item, char const *path, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		cf_log_err_cs(conf, "%s \"%s\": %s", item, path, fr_syserror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cf_log_err_cs(conf, "%s \"%s\" is not a regular file", item, path);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		cf_log_err_cs(conf, "%s \"%s\" is accessible by group or others (mode %04o); chmod 0600 it",
			      item, path, (unsigned int) (st.st_mode & 07777));
		return -1;
	}
	return 0;
}

static int kek_load(CONF_SECTION *conf, char const *item, char const *path, uint8_t kek[GKEY_KEK_LEN])
{
	uint8_t buf[GKEY_KEK_LEN + 1];
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cf_log_err_cs(conf, "%s \"%s\": %s", item, path, fr_syserror(errno));
		return -1;
	}
	if (secret_file_check(conf, item, path, fd) < 0) goto finish;

	n = read(fd, buf, sizeof(buf));
	if (n != GKEY_KEK_LEN) {
		cf_log_err_cs(conf, "%s \"%s\" must hold exactly %d octets (openssl rand -out FILE 32)",
			      item, path, GKEY_KEK_LEN);
		goto finish;
	}
	memcpy(kek, buf, GKEY_KEK_LEN);
	rc = 0;

finish:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}

static EVP_PKEY *server_key_load(CONF_SECTION *conf, char const *item, char const *path,
				 enum gkey_kem want)
{
	EVP_PKEY *pk;
	enum gkey_kem kem;
	char err[256];
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cf_log_err_cs(conf, "%s \"%s\": %s", item, path, fr_syserror(errno));
		return NULL;
	}
	if (secret_file_check(conf, item, path, fd) < 0) {
		close(fd);
		return NULL;
	}
	close(fd);

	pk = gkey_load_private_key(path, err, sizeof(err));
	if (!pk) {
		cf_log_err_cs(conf, "%s \"%s\": %s", item, path, err);
		return NULL;
	}
	if (gkey_kem_of_pkey(pk, &kem) < 0 || kem != want) {
		cf_log_err_cs(conf, "%s \"%s\" is not a %s key", item, path,
			      want == GKEY_KEM_P256 ? "P-256" : "X25519");
		EVP_PKEY_free(pk);
		return NULL;
	}
	return pk;
}

static int attr_lookup(CONF_SECTION *conf, char const *name, DICT_ATTR const **out)
{
	*out = dict_attrbyname(name);
	if (!*out) {
		cf_log_err_cs(conf, "Attribute %s is not in the dictionary: include dictionary.gkey "
			      "from ${raddbdir}/dictionary", name);
		return -1;
	}
	return 0;
}

static int mod_bootstrap(CONF_SECTION *conf, void *instance)
{
	rlm_gkey_t *inst = instance;
	int vendor;

	inst->name = cf_section_name2(conf);
	if (!inst->name) inst->name = cf_section_name1(conf);

	if (attr_lookup(conf, "GKey-Certificate", &inst->da_certificate) < 0 ||
	    attr_lookup(conf, "GKey-Cert-SHA256", &inst->da_cert_sha256) < 0 ||
	    attr_lookup(conf, "GKey-Requested-App", &inst->da_requested_app) < 0 ||
	    attr_lookup(conf, "GKey-Key-Record", &inst->da_key_record) < 0 ||
	    attr_lookup(conf, "TLS-Client-Cert-Issuer", &inst->da_tls_issuer) < 0 ||
	    attr_lookup(conf, "TLS-Client-Cert-Serial", &inst->da_tls_serial) < 0) return -1;

	vendor = dict_vendorbyname("GKey");
	if (vendor <= 0 || (uint32_t) vendor != inst->vendor) {
		cf_log_err_cs(conf, "vendor = %u, but dictionary.gkey defines vendor GKey as %d: make them equal",
			      inst->vendor, vendor);
		return -1;
	}
	if (inst->da_key_record->vendor != inst->vendor) {
		cf_log_err_cs(conf, "GKey-Key-Record must be a classic vendor attribute of vendor %u", inst->vendor);
		return -1;
	}
	return 0;
}

static int mod_instantiate(CONF_SECTION *conf, void *instance)
{
	rlm_gkey_t *inst = instance;
	void *conn;

	FR_INTEGER_BOUND_CHECK("query_timeout", inst->query_timeout, >=, 100);
	FR_INTEGER_BOUND_CHECK("query_timeout", inst->query_timeout, <=, 60000);
	FR_INTEGER_BOUND_CHECK("max_lifetime", inst->max_lifetime, >=, 60);
	FR_INTEGER_BOUND_CHECK("max_lifetime", inst->max_lifetime, <=, 31 * 86400);
	/* RFC 2865 section 3: no RADIUS packet is longer than 4096 octets. */
	FR_INTEGER_BOUND_CHECK("max_reply_octets", inst->max_reply_octets, >=, 64);
	FR_INTEGER_BOUND_CHECK("max_reply_octets", inst->max_reply_octets, <=, MAX_PACKET_LEN);
	/* More than 34 records (117 octets each at least, after the 20-octet header) never fit in 4096 octets. */
	FR_INTEGER_BOUND_CHECK("max_records", inst->max_records, >=, 1);
	FR_INTEGER_BOUND_CHECK("max_records", inst->max_records, <=, 64);
	FR_INTEGER_BOUND_CHECK("record_cache_size", inst->record_cache_size, <=, 1000000);
	FR_INTEGER_BOUND_CHECK("view_size", inst->view_size, <=, 10000000);
	FR_INTEGER_BOUND_CHECK("view_ttl", inst->view_ttl, >=, 1);
	FR_INTEGER_BOUND_CHECK("view_ttl", inst->view_ttl, <=, 86400);
	FR_INTEGER_BOUND_CHECK("listen_heartbeat_ms", inst->listen_heartbeat_ms, >=, 100);
	FR_INTEGER_BOUND_CHECK("listen_heartbeat_ms", inst->listen_heartbeat_ms, <=, 10000);
	FR_INTEGER_BOUND_CHECK("log_batch_max", inst->logq_cfg.batch_max, >=, 1);
	FR_INTEGER_BOUND_CHECK("log_batch_max", inst->logq_cfg.batch_max, <=, 10000);
	FR_INTEGER_BOUND_CHECK("log_batch_wait_us", inst->logq_cfg.wait_us, <=, 100000);
	FR_INTEGER_BOUND_CHECK("log_queue_max", inst->logq_cfg.queue_max, >=, inst->logq_cfg.batch_max);
	FR_INTEGER_BOUND_CHECK("log_queue_max", inst->logq_cfg.queue_max, <=, 1000000);
	FR_INTEGER_BOUND_CHECK("log_wait_margin", inst->log_wait_margin, >=, 100);
	FR_INTEGER_BOUND_CHECK("log_wait_margin", inst->log_wait_margin, <=, 60000);

	/*
	 *	The KEKs: kek_file's, and kek_next_file's for an online
	 *	rotation (doc/sql.md 6.4). Which one is current is the
	 *	database's to say (its check value), on every connection.
	 */
	inst->keks = talloc_zero(inst, gkey_keks_t);
	if (!inst->keks || pthread_mutex_init(&inst->keks->mutex, NULL) != 0) {
		talloc_free(inst->keks);
		inst->keks = NULL;
		cf_log_err_cs(conf, "Out of memory");
		return -1;
	}
	inst->keks->n = 1;
	inst->keks->file[0] = inst->kek_file;
	if (kek_load(conf, "kek_file", inst->kek_file, inst->keks->kek[0]) < 0) return -1;
	if (inst->kek_next_file && *inst->kek_next_file) {
		inst->keks->file[1] = inst->kek_next_file;
		if (kek_load(conf, "kek_next_file", inst->kek_next_file, inst->keks->kek[1]) < 0) return -1;
		inst->keks->n = 2;
		if (CRYPTO_memcmp(inst->keks->kek[0], inst->keks->kek[1], GKEY_KEK_LEN) == 0) {
			cf_log_err_cs(conf, "kek_next_file \"%s\" holds the same KEK as kek_file", inst->kek_next_file);
			return -1;
		}
	}
	for (int i = 0; i < inst->keks->n; i++) {
		if (gkey_kek_check(inst->keks->kek[i], inst->keks->check[i]) < 0) {
			cf_log_err_cs(conf, "Cannot compute the check value of %s \"%s\"",
				      i ? "kek_next_file" : "kek_file", inst->keks->file[i]);
			return -1;
		}
	}

	inst->p256_key = server_key_load(conf, "p256_key_file", inst->p256_key_file, GKEY_KEM_P256);
	if (!inst->p256_key) return -1;
	inst->x25519_key = server_key_load(conf, "x25519_key_file", inst->x25519_key_file, GKEY_KEM_X25519);
	if (!inst->x25519_key) return -1;

	/*
	 *	Everything a seal can prepare is prepared here, so that a
	 *	request does no method lookup and no key conversion beyond
	 *	the node's own key.
	 */
	inst->hpke = gkey_hpke_ctx_new(NULL, NULL);
	if (!inst->hpke) {
		cf_log_err_cs(conf, "Cannot set up HPKE (OpenSSL has no HKDF, AES-128-GCM or P-256?)");
		return -1;
	}
	if (gkey_record_sender_init(&inst->p256_sender, inst->p256_key) < 0 ||
	    gkey_record_sender_init(&inst->x25519_sender, inst->x25519_key) < 0) {
		cf_log_err_cs(conf, "Cannot compute the public keys of p256_key_file and x25519_key_file");
		return -1;
	}

	if (inst->record_cache_size > 0) {
		/*
		 *	The record cache's key digest (gkey_issue.c): SHA-256
		 *	fetched once, not implicitly by every EVP_DigestInit
		 *	(OpenSSL 3 looks a legacy EVP_sha256() up under a lock
		 *	each time: doc/radius.md section 10).
		 */
		inst->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
		if (!inst->sha256) {
			cf_log_err_cs(conf, "Cannot fetch SHA-256 from OpenSSL");
			return -1;
		}
		inst->cache = gkey_cache_alloc(inst->record_cache_size);
		if (!inst->cache) {
			cf_log_err_cs(conf, "Cannot allocate a record cache of %u entries", inst->record_cache_size);
			return -1;
		}
	}

	inst->db.conninfo = inst->conninfo;
	inst->db.query_timeout = inst->query_timeout;
	inst->db.name = inst->name;
	inst->db.keks = inst->keks;
	inst->pool = fr_connection_pool_module_init(conf, &inst->db, gkey_db_conn_create, NULL, NULL);
	if (!inst->pool) return -1;

	/*
	 *	The log writer: its own connection, made at its first batch
	 *	(doc/radius.md, "Issuance log writer").
	 */
	if (inst->log_batch) {
		char err[128];

		inst->log_writer.cfg = &inst->db;
		inst->logq_cfg.timeout_ms = inst->query_timeout + inst->log_wait_margin;
		inst->logq = gkey_logq_start(&inst->logq_cfg, gkey_db_log_batch, &inst->log_writer,
					     err, sizeof(err));
		if (!inst->logq) {
			cf_log_err_cs(conf, "Cannot set up the issuance log writer: %s", err);
			return -1;
		}
	}

	/*
	 *	Check the KEK now if the database is reachable: a server
	 *	started with another deployment's KEK must not start. If it is
	 *	not reachable the server starts anyway (as with start = 0) and
	 *	every connection made later is checked before it is used.
	 */
	conn = fr_connection_get(inst->pool);
	if (conn) fr_connection_release(inst->pool, conn);
	if (inst->db.kek_mismatch) {
		cf_log_err_cs(conf, "kek_file \"%s\": this KEK does not belong to this database "
			      "(gkey.kek_check, doc/sql.md)%s", inst->kek_file,
			      inst->keks->n > 1 ? ", nor does kek_next_file's" : "");
		return -1;
	}
	if (!conn) WARN("rlm_gkey (%s): no usable database connection at start-up (see above); "
			"the KEK is checked on every connection made later, before its first use", inst->name);

	/*
	 *	The view starts untrusted: requests query until the listener
	 *	listens (gkey_listen.h).
	 */
	if (inst->view_size > 0) {
		inst->view = gkey_view_alloc(inst->view_size, inst->view_ttl);
		if (!inst->view) {
			cf_log_err_cs(conf, "Cannot allocate a view of %u entries", inst->view_size);
			return -1;
		}
		inst->listen = gkey_listen_start(inst->conninfo, inst->name, inst->view,
					         inst->listen_heartbeat_ms);
		if (!inst->listen) return -1;
	}

	INFO("rlm_gkey (%s): view_size %u, view_ttl %u s, listen_heartbeat_ms %u", inst->name,
	     inst->view_size, inst->view_ttl, inst->listen_heartbeat_ms);
	if (inst->logq) INFO("rlm_gkey (%s): issuance log in batches of up to %u rows, waiting %u us for them, "
			     "%u rows queued at most, a request waiting %u ms at most", inst->name,
			     inst->logq_cfg.batch_max, inst->logq_cfg.wait_us, inst->logq_cfg.queue_max,
			     inst->logq_cfg.timeout_ms);
	INFO("rlm_gkey (%s): vendor %u, max_lifetime %u s, max_reply_octets %u, max_records %u, "
	     "query_timeout %u ms, record_cache_size %u, kek_file %s%s%s%s",
	     inst->name, inst->vendor, inst->max_lifetime, inst->max_reply_octets, inst->max_records,
	     inst->query_timeout, inst->record_cache_size,
	     inst->kek_file, inst->keks->n > 1 ? ", kek_next_file " : "",
	     inst->keks->n > 1 ? inst->kek_next_file : "",
	     inst->keks->cur == 1 ? " (current: the database's check value is kek_next_file's)" : "");
	return 0;
}

static int mod_detach(void *instance)
{
	rlm_gkey_t *inst = instance;

	/* The listener first: it writes into the view. */
	gkey_listen_stop(inst->listen);
	inst->listen = NULL;
	gkey_view_free(inst->view);
	inst->view = NULL;
	/* Writes (or fails) what is queued before anything goes. */
	gkey_logq_stop(inst->logq);
	inst->logq = NULL;
	gkey_db_log_writer_close(&inst->log_writer);
	fr_connection_pool_free(inst->pool);
	inst->pool = NULL;
	gkey_cache_free(inst->cache);
	inst->cache = NULL;
	EVP_MD_free(inst->sha256);
	inst->sha256 = NULL;
	/* The senders borrow the keys: cleared first, then the keys freed. */
	memset(&inst->p256_sender, 0, sizeof(inst->p256_sender));
	memset(&inst->x25519_sender, 0, sizeof(inst->x25519_sender));
	gkey_hpke_ctx_free(inst->hpke);
	inst->hpke = NULL;
	EVP_PKEY_free(inst->p256_key);
	EVP_PKEY_free(inst->x25519_key);
	inst->p256_key = NULL;
	inst->x25519_key = NULL;
	if (inst->keks) {
		OPENSSL_cleanse(inst->keks->kek, sizeof(inst->keks->kek));
		pthread_mutex_destroy(&inst->keks->mutex);
		talloc_free(inst->keks);
		inst->keks = NULL;
	}
	return 0;
}

/*
 *	Access routers: Service-Type = Authorize-Only on behalf of a node.
 */
static rlm_rcode_t CC_HINT(nonnull) mod_authorize(void *instance, REQUEST *request)
{
	VALUE_PAIR *vp;

	vp = fr_pair_find_by_num(request->packet->vps, PW_SERVICE_TYPE, 0, TAG_ANY);
	if (!vp || vp->vp_integer != PW_AUTHORIZE_ONLY) {
		RDEBUG2("Not an Authorize-Only request");
		return RLM_MODULE_NOOP;
	}
	return gkey_issue(instance, request, GKEY_FLOW_RADIUS);
}

/*
 *	PANA authentication agents: EAP-TLS has succeeded, add the keys.
 */
static rlm_rcode_t CC_HINT(nonnull) mod_post_auth(void *instance, REQUEST *request)
{
	if (request->reply->code != PW_CODE_ACCESS_ACCEPT) return RLM_MODULE_NOOP;
	return gkey_issue(instance, request, GKEY_FLOW_EAP);
}

extern module_t rlm_gkey;
module_t rlm_gkey = {
	.magic		= RLM_MODULE_INIT,
	.name		= "gkey",
	.type		= RLM_TYPE_THREAD_SAFE,
	.inst_size	= sizeof(rlm_gkey_t),
	.config		= module_config,
	.bootstrap	= mod_bootstrap,
	.instantiate	= mod_instantiate,
	.detach		= mod_detach,
	.methods = {
		[MOD_AUTHORIZE]	= mod_authorize,
		[MOD_POST_AUTH]	= mod_post_auth,
	},
};
