/*
 * rlm_gkey.h	State shared by the files of rlm_gkey.
 */
#ifndef RLM_GKEY_H
#define RLM_GKEY_H

#include <openssl/evp.h>

#include "gkey_cache.h"
#include "gkey_db.h"
#include "gkey_listen.h"
#include "gkey_view.h"
#include "gkseal.h"
#include "hpke.h"
#include "keyrecord.h"

typedef struct rlm_gkey_t {
	char const		*name;

	/* Configuration. */
	char const		*conninfo;
	uint32_t		query_timeout;
	char const		*kek_file;
	char const		*kek_next_file;	/* optional: the KEK of an online rotation */
	char const		*p256_key_file;
	char const		*x25519_key_file;
	uint32_t		vendor;
	uint32_t		max_lifetime;
	uint32_t		max_reply_octets;	/* the largest Access-Accept (gkey_fit.h) */
	uint32_t		max_records;	/* the most GKey-Key-Record in one */
	uint32_t		record_cache_size;
	uint32_t		view_size;	/* 0: no view */
	uint32_t		view_ttl;
	uint32_t		listen_heartbeat_ms;	/* the listener's heartbeat (gkey_listen.h) */
	bool			log_batch;	/* the log writer (gkey_logq.h), or a row per query */
	gkey_logq_config_t	logq_cfg;	/* log_batch_max, log_batch_wait_us, log_queue_max */
	uint32_t		log_wait_margin;	/* ms a request waits beyond query_timeout */

	/* Loaded in instantiate, freed in detach. */
	gkey_keks_t		*keks;		/* kek_file's and kek_next_file's */
	EVP_PKEY		*p256_key;
	EVP_PKEY		*x25519_key;
	/*
	 *	HPKE methods fetched once, and the two keys' public halves
	 *	and key ids computed once: all only read after instantiate,
	 *	so every request thread uses them at once (hpke.h).
	 */
	struct gkey_hpke_ctx	*hpke;
	struct gkey_record_sender p256_sender;
	struct gkey_record_sender x25519_sender;
	gkey_db_config_t	db;
	fr_connection_pool_t	*pool;
	gkey_cache_t		*cache;		/* NULL: caching off */
	EVP_MD			*sha256;	/* with the cache: its key digest */
	gkey_view_t		*view;		/* NULL: view off */
	gkey_listen_t		*listen;	/* with the view */
	gkey_db_log_writer_t	log_writer;	/* the log writer's connection */
	gkey_logq_t		*logq;		/* NULL: log_batch = no */

	/* Dictionary attributes, looked up once in bootstrap. */
	DICT_ATTR const		*da_certificate;
	DICT_ATTR const		*da_cert_sha256;
	DICT_ATTR const		*da_requested_app;
	DICT_ATTR const		*da_key_record;
	DICT_ATTR const		*da_tls_issuer;
	DICT_ATTR const		*da_tls_serial;
} rlm_gkey_t;

/* How the node reached us: an access router's request or EAP-TLS. */
typedef enum {
	GKEY_FLOW_RADIUS = 0,
	GKEY_FLOW_EAP
} gkey_flow_t;

/*
 * The identity lookups of a request (gkey_lookup.c): through the view
 * when it is on, else gkey_db's; same contract as gkey_db_lookup_*.
 */
gkey_db_rcode_t gkey_lookup_by_fingerprint(rlm_gkey_t const *inst, TALLOC_CTX *ctx, gkey_db_t *db,
					   uint8_t const fp[32], char const * const *apps, size_t n_apps,
					   gkey_identity_t *id, gkey_epoch_t **out, size_t *count);
gkey_db_rcode_t gkey_lookup_by_issuer_serial(rlm_gkey_t const *inst, TALLOC_CTX *ctx, gkey_db_t *db,
					     char const *issuer, char const *serial,
					     char const * const *apps, size_t n_apps,
					     gkey_identity_t *id, gkey_epoch_t **out, size_t *count);

rlm_rcode_t gkey_issue(rlm_gkey_t const *inst, REQUEST *request, gkey_flow_t flow);

#endif /* RLM_GKEY_H */
