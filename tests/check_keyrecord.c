/*
 * check_keyrecord.c - Key Record v1 (doc/key-record.md): what the key
 * server seals, what a node accepts, and what the parser refuses.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check_main.h"
#include "hpke.h"
#include "keyrecord.h"

#define APP_ID		0x01020304u
#define EPOCH		42u
#define NOT_BEFORE	1700000000u
#define NOT_AFTER	1700086400u
#define NOW		1700000100u

static const char	name16[] = "hvac-floor-3-abc";	/* 16 octets */

struct world {
	enum gkey_kem	 kem;
	EVP_PKEY	*node;		/* node private key */
	EVP_PKEY	*node_pub;	/* its public half, as enrolled */
	EVP_PKEY	*server;	/* key server private key */
	EVP_PKEY	*server_pub;	/* what nodes hold */
	uint8_t		 gk[GKEY_GK_MAX];
	size_t		 gk_len;
	uint8_t		 rec[GKEY_RECORD_MAX_LEN];
	size_t		 rec_len;
};

static EVP_PKEY *
keygen(enum gkey_kem kem)
{
	EVP_PKEY	*pk = kem == GKEY_KEM_P256 ?
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256") :
	    EVP_PKEY_Q_keygen(NULL, NULL, "X25519");

	ck_assert_ptr_nonnull(pk);
	return pk;
}

/* The public half only, through SPKI DER, as a node or database has it. */
static EVP_PKEY *
public_of(EVP_PKEY *pk)
{
	uint8_t		*der = NULL;
	const uint8_t	*p;
	EVP_PKEY	*pub;
	int		 len = i2d_PUBKEY(pk, &der);

	ck_assert_int_gt(len, 0);
	p = der;
	pub = d2i_PUBKEY(NULL, &p, len);
	ck_assert_ptr_nonnull(pub);
	OPENSSL_free(der);
	return pub;
}

static void
meta_default(struct gkey_record_meta *m, enum gkey_gk_alg alg)
{
	memset(m, 0, sizeof(*m));
	m->app_id = APP_ID;
	m->epoch = EPOCH;
	m->not_before = NOT_BEFORE;
	m->not_after = NOT_AFTER;
	m->gk_alg = alg;
	m->name = name16;
	m->name_len = strlen(name16);
}

static void
world_init(struct world *w, enum gkey_kem kem, enum gkey_gk_alg alg)
{
	struct gkey_record_meta	m;
	char			err[128] = "";
	size_t			i;

	memset(w, 0, sizeof(*w));
	w->kem = kem;
	w->node = keygen(kem);
	w->node_pub = public_of(w->node);
	w->server = keygen(kem);
	w->server_pub = public_of(w->server);
	w->gk_len = gkey_gk_alg_len(alg);
	for (i = 0; i < w->gk_len; i++)
		w->gk[i] = (uint8_t)(0xa0 + i);
	meta_default(&m, alg);
	ck_assert_msg(gkey_record_seal(&m, w->gk, w->gk_len, w->node_pub,
	    w->server, w->rec, sizeof(w->rec), &w->rec_len, err,
	    sizeof(err)) == 0, "seal: %s", err);
}

static void
world_free(struct world *w)
{
	EVP_PKEY_free(w->node);
	EVP_PKEY_free(w->node_pub);
	EVP_PKEY_free(w->server);
	EVP_PKEY_free(w->server_pub);
}

/* Open w's record (or buf) as w's node; returns the error, "" if none. */
static const char *
open_as(struct world *w, const uint8_t *buf, size_t len, EVP_PKEY *node,
    EVP_PKEY *server, uint64_t now)
{
	static char		 err[256];
	EVP_PKEY		*servers[1] = { server };
	struct gkey_record	 rec;
	uint8_t			 gk[GKEY_GK_MAX];
	size_t			 gk_len;

	err[0] = '\0';
	if (gkey_record_open(buf, len, node, servers, 1, now, &rec, gk,
	    sizeof(gk), &gk_len, err, sizeof(err)) != 0) {
		ck_assert_msg(err[0] != '\0', "failure without a reason");
		ck_assert_uint_eq(gk_len, 0);
		return err;
	}
	ck_assert_uint_eq(gk_len, w->gk_len);
	ck_assert_mem_eq(gk, w->gk, gk_len);
	return "";
}

static const struct {
	enum gkey_kem		kem;
	enum gkey_gk_alg	alg;
} combos[] = {
	{ GKEY_KEM_P256, GKEY_GK_AES128 },
	{ GKEY_KEM_P256, GKEY_GK_AES256 },
	{ GKEY_KEM_X25519, GKEY_GK_AES128 },
	{ GKEY_KEM_X25519, GKEY_GK_AES256 },
};

static const enum gkey_kem kems[] = { GKEY_KEM_P256, GKEY_KEM_X25519 };

START_TEST(test_round_trip_gives_the_gk_and_header)
{
	struct world		 w;
	struct gkey_record	 rec;
	EVP_PKEY		*servers[1];
	uint8_t			 gk[GKEY_GK_MAX];
	size_t			 gk_len;
	char			 err[128] = "";

	world_init(&w, combos[_i].kem, combos[_i].alg);
	servers[0] = w.server_pub;
	ck_assert_msg(gkey_record_open(w.rec, w.rec_len, w.node, servers, 1,
	    NOW, &rec, gk, sizeof(gk), &gk_len, err, sizeof(err)) == 0,
	    "open: %s", err);
	ck_assert_uint_eq(gk_len, gkey_gk_alg_len(combos[_i].alg));
	ck_assert_mem_eq(gk, w.gk, gk_len);
	ck_assert_uint_eq(rec.app_id, APP_ID);
	ck_assert_uint_eq(rec.epoch, EPOCH);
	ck_assert_uint_eq(rec.not_before, NOT_BEFORE);
	ck_assert_uint_eq(rec.not_after, NOT_AFTER);
	ck_assert_uint_eq(rec.gk_alg, combos[_i].alg);
	ck_assert_uint_eq(rec.name_len, strlen(name16));
	ck_assert_mem_eq(rec.name, name16, rec.name_len);
	world_free(&w);
}
END_TEST

START_TEST(test_record_sizes_match_the_design)
{
	struct world	w;

	world_init(&w, GKEY_KEM_P256, GKEY_GK_AES128);
	ck_assert_uint_eq(w.rec_len, 157);
	ck_assert_uint_eq(gkey_record_len(GKEY_SUITE_P256, GKEY_GK_AES128,
	    16), 157);
	world_free(&w);
	world_init(&w, GKEY_KEM_X25519, GKEY_GK_AES128);
	ck_assert_uint_eq(w.rec_len, 124);
	ck_assert_uint_eq(gkey_record_len(GKEY_SUITE_X25519, GKEY_GK_AES128,
	    16), 124);
	world_free(&w);
	/* The largest record still fits one vendor attribute. */
	ck_assert_uint_le(GKEY_RECORD_MAX_LEN, GKEY_RADIUS_VSA_VALUE_MAX);
}
END_TEST

START_TEST(test_header_fields_are_big_endian_at_their_offsets)
{
	struct world	 w;
	uint8_t		*der = NULL, md[32], id[8];
	unsigned int	 mdlen;
	int		 len;

	world_init(&w, kems[_i], GKEY_GK_AES128);
	ck_assert_uint_eq(w.rec[0], 1);
	ck_assert_uint_eq(w.rec[1], kems[_i] == GKEY_KEM_P256 ? 1 : 2);
	ck_assert_uint_eq(w.rec[2], 1);
	ck_assert_uint_eq(w.rec[3], 16);
	ck_assert_mem_eq(w.rec + 4, "\x01\x02\x03\x04", 4);
	ck_assert_mem_eq(w.rec + 8, "\x00\x00\x00\x2a", 4);
	ck_assert_mem_eq(w.rec + 12, "\x00\x00\x00\x00\x65\x53\xf1\x00", 8);
	ck_assert_mem_eq(w.rec + 20, "\x00\x00\x00\x00\x65\x55\x42\x80", 8);
	/* Recipient id: SHA-256 of the enrolled SPKI DER, first 8 octets. */
	len = i2d_PUBKEY(w.node_pub, &der);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(EVP_Digest(der, (size_t)len, md, &mdlen,
	    EVP_sha256(), NULL), 1);
	ck_assert_mem_eq(w.rec + 28, md, 8);
	OPENSSL_free(der);
	ck_assert_int_eq(gkey_key_id(w.server_pub, id), 0);
	ck_assert_mem_eq(w.rec + 36, id, 8);
	ck_assert_mem_eq(w.rec + 44, name16, 16);
	world_free(&w);
}
END_TEST

START_TEST(test_key_id_is_the_same_for_private_and_public_key)
{
	EVP_PKEY	*k = keygen(kems[_i]), *pub = public_of(k);
	uint8_t		 a[8], b[8];

	ck_assert_int_eq(gkey_key_id(k, a), 0);
	ck_assert_int_eq(gkey_key_id(pub, b), 0);
	ck_assert_mem_eq(a, b, 8);
	EVP_PKEY_free(k);
	EVP_PKEY_free(pub);
}
END_TEST

START_TEST(test_key_id_ignores_p256_point_compression)
{
	EVP_PKEY	*k = keygen(GKEY_KEM_P256), *compressed;
	uint8_t		 a[8], b[8], *der = NULL;
	const uint8_t	*p;
	int		 len;

	ck_assert_int_eq(gkey_key_id(k, a), 0);
	ck_assert_int_eq(EVP_PKEY_set_utf8_string_param(k,
	    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
	len = i2d_PUBKEY(k, &der);
	ck_assert_int_eq(len, 59);	/* 26 octets of SPKI + 33 */
	p = der;
	compressed = d2i_PUBKEY(NULL, &p, len);
	ck_assert_ptr_nonnull(compressed);
	ck_assert_int_eq(gkey_key_id(compressed, b), 0);
	ck_assert_mem_eq(a, b, 8);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	EVP_PKEY_free(compressed);
}
END_TEST

START_TEST(test_every_single_bit_flip_makes_open_fail)
{
	struct world	w;
	uint8_t		copy[GKEY_RECORD_MAX_LEN];
	size_t		bit;

	world_init(&w, kems[_i], GKEY_GK_AES128);
	for (bit = 0; bit < 8 * w.rec_len; bit++) {
		memcpy(copy, w.rec, w.rec_len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_msg(*open_as(&w, copy, w.rec_len, w.node,
		    w.server_pub, NOW) != '\0', "flip of bit %zu opened",
		    bit);
	}
	world_free(&w);
}
END_TEST

START_TEST(test_truncated_or_extended_record_fails)
{
	struct world	w;
	uint8_t		copy[GKEY_RECORD_MAX_LEN + 1];
	size_t		l;

	world_init(&w, kems[_i], GKEY_GK_AES128);
	memcpy(copy, w.rec, w.rec_len);
	copy[w.rec_len] = 0;
	for (l = 0; l < w.rec_len; l++)
		ck_assert_str_ne(open_as(&w, copy, l, w.node, w.server_pub,
		    NOW), "");
	ck_assert_str_ne(open_as(&w, copy, w.rec_len + 1, w.node,
	    w.server_pub, NOW), "");
	world_free(&w);
}
END_TEST

START_TEST(test_wrong_recipient_is_refused)
{
	struct world	 w;
	EVP_PKEY	*other;

	world_init(&w, kems[_i], GKEY_GK_AES128);
	other = keygen(kems[_i]);
	ck_assert_str_eq(open_as(&w, w.rec, w.rec_len, other, w.server_pub,
	    NOW), "record is for another node (recipient key id mismatch)");
	EVP_PKEY_free(other);
	world_free(&w);
}
END_TEST

START_TEST(test_record_for_the_other_curve_is_refused)
{
	struct world	 w;
	EVP_PKEY	*other;

	world_init(&w, kems[_i], GKEY_GK_AES128);
	other = keygen(kems[1 - _i]);
	ck_assert_str_eq(open_as(&w, w.rec, w.rec_len, other, w.server_pub,
	    NOW), "record is for another node (recipient key id mismatch)");
	EVP_PKEY_free(other);
	world_free(&w);
}
END_TEST

START_TEST(test_unknown_sender_is_refused)
{
	struct world	 w;
	EVP_PKEY	*other;

	world_init(&w, kems[_i], GKEY_GK_AES128);
	other = keygen(kems[_i]);
	ck_assert_str_eq(open_as(&w, w.rec, w.rec_len, w.node, other, NOW),
	    "unknown sender key");
	EVP_PKEY_free(other);
	world_free(&w);
}
END_TEST

START_TEST(test_sender_is_found_among_several_server_keys)
{
	struct world	 w;
	EVP_PKEY	*servers[4];
	uint8_t		 gk[GKEY_GK_MAX];
	size_t		 gk_len;
	char		 err[128] = "";

	world_init(&w, kems[_i], GKEY_GK_AES128);
	servers[0] = NULL;
	servers[1] = keygen(GKEY_KEM_P256);
	servers[2] = keygen(GKEY_KEM_X25519);
	servers[3] = w.server_pub;
	ck_assert_msg(gkey_record_open(w.rec, w.rec_len, w.node, servers, 4,
	    NOW, NULL, gk, sizeof(gk), &gk_len, err, sizeof(err)) == 0,
	    "open: %s", err);
	ck_assert_mem_eq(gk, w.gk, gk_len);
	EVP_PKEY_free(servers[1]);
	EVP_PKEY_free(servers[2]);
	world_free(&w);
}
END_TEST

START_TEST(test_no_server_keys_means_unknown_sender)
{
	struct world	w;
	uint8_t		gk[GKEY_GK_MAX];
	size_t		gk_len;
	char		err[128] = "";

	world_init(&w, kems[_i], GKEY_GK_AES128);
	ck_assert_int_eq(gkey_record_open(w.rec, w.rec_len, w.node, NULL, 0,
	    NOW, NULL, gk, sizeof(gk), &gk_len, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown sender key");
	world_free(&w);
}
END_TEST

START_TEST(test_expired_record_is_refused)
{
	struct world	w;

	world_init(&w, kems[_i], GKEY_GK_AES128);
	ck_assert_str_eq(open_as(&w, w.rec, w.rec_len, w.node, w.server_pub,
	    NOT_AFTER - 1), "");
	ck_assert_str_eq(open_as(&w, w.rec, w.rec_len, w.node, w.server_pub,
	    NOT_AFTER), "record expired");
	ck_assert_str_eq(open_as(&w, w.rec, w.rec_len, w.node, w.server_pub,
	    UINT64_MAX), "record expired");
	world_free(&w);
}
END_TEST

START_TEST(test_not_yet_valid_record_is_refused)
{
	struct world	w;

	world_init(&w, kems[_i], GKEY_GK_AES128);
	ck_assert_str_eq(open_as(&w, w.rec, w.rec_len, w.node, w.server_pub,
	    NOT_BEFORE), "");
	ck_assert_str_eq(open_as(&w, w.rec, w.rec_len, w.node, w.server_pub,
	    NOT_BEFORE - 1), "record not yet valid");
	ck_assert_str_eq(open_as(&w, w.rec, w.rec_len, w.node, w.server_pub,
	    0), "record not yet valid");
	world_free(&w);
}
END_TEST

/* Seal to a recipient of this type; returns the error. */
static const char *
seal_to(EVP_PKEY *recipient, EVP_PKEY *server)
{
	static char		err[256];
	struct gkey_record_meta	m;
	uint8_t			gk[16] = { 0 }, out[GKEY_RECORD_MAX_LEN];
	size_t			len = 99;

	err[0] = '\0';
	meta_default(&m, GKEY_GK_AES128);
	if (gkey_record_seal(&m, gk, sizeof(gk), recipient, server, out,
	    sizeof(out), &len, err, sizeof(err)) == 0)
		return "";
	ck_assert_uint_eq(len, 0);
	return err;
}

START_TEST(test_rsa_recipient_is_refused_as_unsupported_key_type)
{
	EVP_PKEY	*rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
			    (size_t)1024);
	EVP_PKEY	*server = keygen(GKEY_KEM_P256);

	ck_assert_ptr_nonnull(rsa);
	ck_assert_str_eq(seal_to(rsa, server), "unsupported key type");
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(server);
}
END_TEST

START_TEST(test_ed25519_recipient_is_refused_as_unsupported_key_type)
{
	EVP_PKEY	*ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY	*server = keygen(GKEY_KEM_X25519);

	ck_assert_ptr_nonnull(ed);
	ck_assert_str_eq(seal_to(ed, server), "unsupported key type");
	EVP_PKEY_free(ed);
	EVP_PKEY_free(server);
}
END_TEST

START_TEST(test_p384_recipient_is_refused_as_unsupported_key_type)
{
	EVP_PKEY	*p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	EVP_PKEY	*server = keygen(GKEY_KEM_P256);

	ck_assert_ptr_nonnull(p384);
	ck_assert_str_eq(seal_to(p384, server), "unsupported key type");
	EVP_PKEY_free(p384);
	EVP_PKEY_free(server);
}
END_TEST

START_TEST(test_server_key_of_the_other_curve_is_refused)
{
	EVP_PKEY	*node = keygen(kems[_i]);
	EVP_PKEY	*server = keygen(kems[1 - _i]);

	ck_assert_str_eq(seal_to(node, server),
	    "no key server key for the recipient's key type");
	EVP_PKEY_free(node);
	EVP_PKEY_free(server);
}
END_TEST

START_TEST(test_seal_refuses_gk_of_the_wrong_length)
{
	struct gkey_record_meta	 m;
	EVP_PKEY		*node = keygen(GKEY_KEM_X25519);
	EVP_PKEY		*server = keygen(GKEY_KEM_X25519);
	uint8_t			 gk[32] = { 0 }, out[GKEY_RECORD_MAX_LEN];
	size_t			 len;
	char			 err[128];

	meta_default(&m, GKEY_GK_AES128);
	ck_assert_int_eq(gkey_record_seal(&m, gk, 32, node, server, out,
	    sizeof(out), &len, err, sizeof(err)), -1);
	meta_default(&m, GKEY_GK_AES256);
	ck_assert_int_eq(gkey_record_seal(&m, gk, 16, node, server, out,
	    sizeof(out), &len, err, sizeof(err)), -1);
	EVP_PKEY_free(node);
	EVP_PKEY_free(server);
}
END_TEST

START_TEST(test_seal_refuses_bad_names_periods_and_short_buffers)
{
	struct gkey_record_meta	 m;
	EVP_PKEY		*node = keygen(GKEY_KEM_X25519);
	EVP_PKEY		*server = keygen(GKEY_KEM_X25519);
	uint8_t			 gk[16] = { 0 }, out[GKEY_RECORD_MAX_LEN];
	char			 longname[66], err[128];
	size_t			 len;

	memset(longname, 'a', sizeof(longname));
	meta_default(&m, GKEY_GK_AES128);
	m.name_len = 0;
	ck_assert_int_eq(gkey_record_seal(&m, gk, 16, node, server, out,
	    sizeof(out), &len, err, sizeof(err)), -1);
	m.name = longname;
	m.name_len = 65;
	ck_assert_int_eq(gkey_record_seal(&m, gk, 16, node, server, out,
	    sizeof(out), &len, err, sizeof(err)), -1);
	m.name_len = 64;
	ck_assert_int_eq(gkey_record_seal(&m, gk, 16, node, server, out,
	    sizeof(out), &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, 44 + 64 + 32 + 32);
	meta_default(&m, GKEY_GK_AES128);
	m.not_after = m.not_before;
	ck_assert_int_eq(gkey_record_seal(&m, gk, 16, node, server, out,
	    sizeof(out), &len, err, sizeof(err)), -1);
	meta_default(&m, GKEY_GK_AES128);
	ck_assert_int_eq(gkey_record_seal(&m, gk, 16, node, server, out, 123,
	    &len, err, sizeof(err)), -1);
	ck_assert_int_eq(gkey_record_seal(&m, gk, 16, node, server, out, 124,
	    &len, err, sizeof(err)), 0);
	EVP_PKEY_free(node);
	EVP_PKEY_free(server);
}
END_TEST

/* --- the parser: a valid X25519 record, altered one way per test --- */

static uint8_t	prec[GKEY_RECORD_MAX_LEN + 8];
static size_t	prec_len;

static void
parser_setup(void)
{
	struct world	w;

	world_init(&w, GKEY_KEM_X25519, GKEY_GK_AES128);
	memcpy(prec, w.rec, w.rec_len);
	prec_len = w.rec_len;
	world_free(&w);
}

static void
assert_parse_fails(const uint8_t *buf, size_t len, const char *reason)
{
	struct gkey_record	r;
	char			err[128] = "";

	ck_assert_int_eq(gkey_record_parse(buf, len, &r, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, reason) != NULL, "reason \"%s\", expected "
	    "\"%s\"", err, reason);
}

/* Replace the name with name[0..n) and fix the length to match. */
static size_t
with_name(uint8_t *buf, const char *name, size_t n)
{
	size_t	tail = prec_len - 44 - 16;

	memcpy(buf, prec, 44);
	buf[3] = (uint8_t)n;
	memcpy(buf + 44, name, n);
	memcpy(buf + 44 + n, prec + 44 + 16, tail);
	return 44 + n + tail;
}

START_TEST(test_parse_accepts_the_valid_record)
{
	struct gkey_record	r;
	char			err[128] = "";

	ck_assert_msg(gkey_record_parse(prec, prec_len, &r, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.suite, GKEY_SUITE_X25519);
	ck_assert_uint_eq(r.enc_len, 32);
	ck_assert_uint_eq(r.ct_len, 32);
	ck_assert_ptr_eq(r.name, prec + 44);
	ck_assert_ptr_eq(r.enc, prec + 60);
	ck_assert_ptr_eq(r.ct, prec + 92);
	ck_assert_uint_eq(r.aad_len, 60);
}
END_TEST

START_TEST(test_parse_rejects_short_header)
{
	assert_parse_fails(prec, 43, "too short");
	assert_parse_fails(prec, 0, "too short");
}
END_TEST

START_TEST(test_parse_rejects_version_other_than_1)
{
	prec[0] = 2;
	assert_parse_fails(prec, prec_len, "version");
	prec[0] = 0;
	assert_parse_fails(prec, prec_len, "version");
}
END_TEST

START_TEST(test_parse_rejects_unknown_suite)
{
	prec[1] = 0;
	assert_parse_fails(prec, prec_len, "suite");
	prec[1] = 3;
	assert_parse_fails(prec, prec_len, "suite");
}
END_TEST

START_TEST(test_parse_rejects_unknown_gk_algorithm)
{
	prec[2] = 0;
	assert_parse_fails(prec, prec_len, "GK algorithm");
	prec[2] = 3;
	assert_parse_fails(prec, prec_len, "GK algorithm");
}
END_TEST

START_TEST(test_parse_rejects_empty_name)
{
	uint8_t	buf[sizeof(prec)];
	size_t	len = with_name(buf, "", 0);

	assert_parse_fails(buf, len, "name length");
}
END_TEST

START_TEST(test_parse_rejects_name_longer_than_64)
{
	uint8_t	buf[sizeof(prec) + 64];
	char	name[65];
	size_t	len;

	memset(name, 'a', sizeof(name));
	memcpy(buf, prec, 44);
	buf[3] = 65;
	memcpy(buf + 44, name, 65);
	memcpy(buf + 44 + 65, prec + 60, prec_len - 60);
	len = 44 + 65 + prec_len - 60;
	assert_parse_fails(buf, len, "name length");
}
END_TEST

START_TEST(test_parse_rejects_record_one_octet_short_or_long)
{
	assert_parse_fails(prec, prec_len - 1, "length");
	prec[prec_len] = 0;
	assert_parse_fails(prec, prec_len + 1, "length");
}
END_TEST

START_TEST(test_parse_rejects_gk_algorithm_not_matching_length)
{
	prec[2] = GKEY_GK_AES256;	/* would need 16 more octets */
	assert_parse_fails(prec, prec_len, "length");
}
END_TEST

START_TEST(test_parse_rejects_invalid_utf8_names)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
	} bad[] = {
		{ "ab\xc3(", 4 },		/* bad continuation */
		{ "ab\xc3", 3 },		/* truncated */
		{ "\xc0\x80", 2 },		/* overlong NUL */
		{ "\xe0\x80\xaf", 3 },		/* overlong '/' */
		{ "\xed\xa0\x80", 3 },		/* surrogate */
		{ "\xf4\x90\x80\x80", 4 },	/* above U+10FFFF */
		{ "\x80x", 2 },			/* lone continuation */
		{ "\xff", 1 },
	};
	uint8_t	buf[sizeof(prec)];
	size_t	i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = with_name(buf, bad[i].bytes, bad[i].len);
		assert_parse_fails(buf, len, "UTF-8");
	}
}
END_TEST

START_TEST(test_parse_rejects_name_containing_nul)
{
	uint8_t	buf[sizeof(prec)];
	size_t	len = with_name(buf, "ab\0cd", 5);

	assert_parse_fails(buf, len, "UTF-8");
}
END_TEST

START_TEST(test_parse_rejects_name_containing_control_characters)
{
	uint8_t	buf[sizeof(prec)];
	size_t	len;

	len = with_name(buf, "ab\ncd", 5);
	assert_parse_fails(buf, len, "UTF-8");
	len = with_name(buf, "ab\x7f", 3);
	assert_parse_fails(buf, len, "UTF-8");
}
END_TEST

START_TEST(test_parse_accepts_multibyte_utf8_name)
{
	struct gkey_record	r;
	uint8_t			buf[sizeof(prec)];
	/* "Küche-€-𝄞": 2-, 3- and 4-octet sequences. */
	static const char	name[] = "K\xc3\xbc" "che-\xe2\x82\xac-"
				    "\xf0\x9d\x84\x9e";
	size_t			len = with_name(buf, name, sizeof(name) - 1);
	char			err[128] = "";

	ck_assert_msg(gkey_record_parse(buf, len, &r, err, sizeof(err)) == 0,
	    "%s", err);
}
END_TEST

START_TEST(test_parse_rejects_empty_validity_period)
{
	memcpy(prec + 20, prec + 12, 8);	/* not_after = not_before */
	assert_parse_fails(prec, prec_len, "validity");
}
END_TEST

START_TEST(test_parse_rejects_not_before_after_not_after)
{
	uint8_t	tmp[8];

	memcpy(tmp, prec + 12, 8);
	memcpy(prec + 12, prec + 20, 8);
	memcpy(prec + 20, tmp, 8);
	assert_parse_fails(prec, prec_len, "validity");
}
END_TEST

START_TEST(test_open_reports_parser_reason)
{
	struct world	w;
	const char	*err;

	world_init(&w, GKEY_KEM_P256, GKEY_GK_AES128);
	w.rec[0] = 9;
	err = open_as(&w, w.rec, w.rec_len, w.node, w.server_pub, NOW);
	ck_assert_str_eq(err, "malformed record: unsupported record "
	    "version 9");
	world_free(&w);
}
END_TEST

/* ---- sealing with a shared context, as rlm_gkey does ---- */

/* The SPKI DER of a key, as the database holds it; caller frees. */
static uint8_t *
spki_of(EVP_PKEY *pk, size_t *len)
{
	uint8_t	*der = NULL;
	int	 n = i2d_PUBKEY(pk, &der);

	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	return der;
}

/* Seal w's GK with seal_spki into out; returns the error, "" if none. */
static const char *
seal_spki_as(struct world *w, const struct gkey_hpke_ctx *hc,
    const uint8_t *spki, size_t spki_len, EVP_PKEY *server, uint8_t *out,
    size_t *out_len)
{
	static char			err[128];
	struct gkey_record_meta		m;
	struct gkey_record_sender	sender;

	err[0] = '\0';
	ck_assert_int_eq(gkey_record_sender_init(&sender, server), 0);
	meta_default(&m, GKEY_GK_AES128);
	if (gkey_record_seal_spki(hc, &m, w->gk, w->gk_len, spki, spki_len,
	    &sender, out, GKEY_RECORD_MAX_LEN, out_len, err,
	    sizeof(err)) != 0) {
		ck_assert_msg(err[0] != '\0', "failure without a reason");
		ck_assert_uint_eq(*out_len, 0);
	}
	return err;
}

START_TEST(test_seal_spki_opens_and_has_the_one_shot_header)
{
	struct gkey_hpke_ctx	*hc = gkey_hpke_ctx_new(NULL, NULL);
	struct world		 w;
	uint8_t			 rec[GKEY_RECORD_MAX_LEN], *spki;
	size_t			 rec_len = 0, spki_len;

	ck_assert_ptr_nonnull(hc);
	world_init(&w, kems[_i], GKEY_GK_AES128);
	spki = spki_of(w.node_pub, &spki_len);
	ck_assert_str_eq(seal_spki_as(&w, hc, spki, spki_len, w.server, rec,
	    &rec_len), "");
	/* Same length and header (ids included) as the one-shot seal. */
	ck_assert_uint_eq(rec_len, w.rec_len);
	ck_assert_mem_eq(rec, w.rec, GKEY_RECORD_HDR_LEN + strlen(name16));
	ck_assert_str_eq(open_as(&w, rec, rec_len, w.node, w.server_pub, NOW),
	    "");
	OPENSSL_free(spki);
	world_free(&w);
	gkey_hpke_ctx_free(hc);
}
END_TEST

START_TEST(test_seal_spki_takes_a_compressed_p256_spki)
{
	struct gkey_hpke_ctx	*hc = gkey_hpke_ctx_new(NULL, NULL);
	struct world		 w;
	uint8_t			 rec[GKEY_RECORD_MAX_LEN], *spki;
	size_t			 rec_len = 0, spki_len;

	ck_assert_ptr_nonnull(hc);
	world_init(&w, GKEY_KEM_P256, GKEY_GK_AES128);
	ck_assert_int_eq(EVP_PKEY_set_utf8_string_param(w.node_pub,
	    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
	spki = spki_of(w.node_pub, &spki_len);
	ck_assert_uint_eq(spki_len, 59);
	ck_assert_str_eq(seal_spki_as(&w, hc, spki, spki_len, w.server, rec,
	    &rec_len), "");
	ck_assert_mem_eq(rec, w.rec, GKEY_RECORD_HDR_LEN + strlen(name16));
	ck_assert_str_eq(open_as(&w, rec, rec_len, w.node, w.server_pub, NOW),
	    "");
	OPENSSL_free(spki);
	world_free(&w);
	gkey_hpke_ctx_free(hc);
}
END_TEST

START_TEST(test_seal_spki_refuses_a_sender_of_the_other_curve)
{
	struct gkey_hpke_ctx	*hc = gkey_hpke_ctx_new(NULL, NULL);
	struct world		 w;
	EVP_PKEY		*other;
	uint8_t			 rec[GKEY_RECORD_MAX_LEN], *spki;
	size_t			 rec_len = 1, spki_len;

	ck_assert_ptr_nonnull(hc);
	world_init(&w, kems[_i], GKEY_GK_AES128);
	other = keygen(kems[_i] == GKEY_KEM_P256 ? GKEY_KEM_X25519 :
	    GKEY_KEM_P256);
	spki = spki_of(w.node_pub, &spki_len);
	ck_assert_str_eq(seal_spki_as(&w, hc, spki, spki_len, other, rec,
	    &rec_len), "no key server key for the recipient's key type");
	OPENSSL_free(spki);
	EVP_PKEY_free(other);
	world_free(&w);
	gkey_hpke_ctx_free(hc);
}
END_TEST

START_TEST(test_seal_spki_refuses_an_off_curve_or_malformed_spki)
{
	struct gkey_hpke_ctx	*hc = gkey_hpke_ctx_new(NULL, NULL);
	struct world		 w;
	uint8_t			 rec[GKEY_RECORD_MAX_LEN], *spki;
	size_t			 rec_len = 1, spki_len;

	ck_assert_ptr_nonnull(hc);
	world_init(&w, GKEY_KEM_P256, GKEY_GK_AES128);
	spki = spki_of(w.node_pub, &spki_len);
	/* The last octet of y changed: no longer a point on the curve. */
	spki[spki_len - 1] ^= 0x01;
	ck_assert_str_eq(seal_spki_as(&w, hc, spki, spki_len, w.server, rec,
	    &rec_len), "unsupported key type");
	rec_len = 1;
	ck_assert_str_eq(seal_spki_as(&w, hc, spki, spki_len - 1, w.server,
	    rec, &rec_len), "unsupported key type");
	OPENSSL_free(spki);
	world_free(&w);
	gkey_hpke_ctx_free(hc);
}
END_TEST

START_TEST(test_seal_ctx_record_opens)
{
	struct gkey_hpke_ctx	*hc = gkey_hpke_ctx_new(NULL, NULL);
	struct gkey_record_meta	 m;
	struct world		 w;
	uint8_t			 rec[GKEY_RECORD_MAX_LEN];
	size_t			 rec_len;
	char			 err[128] = "";

	ck_assert_ptr_nonnull(hc);
	world_init(&w, kems[_i], GKEY_GK_AES128);
	meta_default(&m, GKEY_GK_AES128);
	ck_assert_msg(gkey_record_seal_ctx(hc, &m, w.gk, w.gk_len, w.node_pub,
	    w.server, rec, sizeof(rec), &rec_len, err, sizeof(err)) == 0,
	    "seal: %s", err);
	ck_assert_mem_eq(rec, w.rec, GKEY_RECORD_HDR_LEN + strlen(name16));
	ck_assert_str_eq(open_as(&w, rec, rec_len, w.node, w.server_pub, NOW),
	    "");
	world_free(&w);
	gkey_hpke_ctx_free(hc);
}
END_TEST

/* One context and sender shared by threads, as rlm_gkey's threads do. */
#define THREADS		4
#define SEALS_PER_THREAD	25

struct shared_seal {
	const struct gkey_hpke_ctx	*hc;
	const struct gkey_record_sender	*sender;
	struct world			*w;
	const uint8_t			*spki;
	size_t				 spki_len;
	uint8_t				 rec[SEALS_PER_THREAD][GKEY_RECORD_MAX_LEN];
	size_t				 rec_len[SEALS_PER_THREAD];
	int				 failed;
};

static void *
seal_many(void *arg)
{
	struct shared_seal	*t = arg;
	struct gkey_record_meta	 m;
	char			 err[128];
	int			 i;

	meta_default(&m, GKEY_GK_AES128);
	for (i = 0; i < SEALS_PER_THREAD; i++)
		if (gkey_record_seal_spki(t->hc, &m, t->w->gk, t->w->gk_len,
		    t->spki, t->spki_len, t->sender, t->rec[i],
		    GKEY_RECORD_MAX_LEN, &t->rec_len[i], err,
		    sizeof(err)) != 0)
			t->failed++;
	return NULL;
}

START_TEST(test_one_context_serves_many_threads_at_once)
{
	struct gkey_hpke_ctx		*hc = gkey_hpke_ctx_new(NULL, NULL);
	struct gkey_record_sender	 sender;
	static struct shared_seal	 t[THREADS];
	pthread_t			 tid[THREADS];
	struct world			 w;
	uint8_t				*spki;
	size_t				 spki_len;
	int				 i, j;

	ck_assert_ptr_nonnull(hc);
	world_init(&w, kems[_i], GKEY_GK_AES128);
	ck_assert_int_eq(gkey_record_sender_init(&sender, w.server), 0);
	spki = spki_of(w.node_pub, &spki_len);
	for (i = 0; i < THREADS; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].hc = hc;
		t[i].sender = &sender;
		t[i].w = &w;
		t[i].spki = spki;
		t[i].spki_len = spki_len;
		ck_assert_int_eq(pthread_create(&tid[i], NULL, seal_many,
		    &t[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
	for (i = 0; i < THREADS; i++) {
		ck_assert_int_eq(t[i].failed, 0);
		for (j = 0; j < SEALS_PER_THREAD; j++)
			ck_assert_str_eq(open_as(&w, t[i].rec[j],
			    t[i].rec_len[j], w.node, w.server_pub, NOW), "");
	}
	OPENSSL_free(spki);
	world_free(&w);
	gkey_hpke_ctx_free(hc);
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("keyrecord");
	TCase	*tc;

	tc = tcase_create("seal-open");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_round_trip_gives_the_gk_and_header, 0, 4);
	tcase_add_test(tc, test_record_sizes_match_the_design);
	tcase_add_loop_test(tc,
	    test_header_fields_are_big_endian_at_their_offsets, 0, 2);
	tcase_add_loop_test(tc,
	    test_key_id_is_the_same_for_private_and_public_key, 0, 2);
	tcase_add_test(tc, test_key_id_ignores_p256_point_compression);
	tcase_add_loop_test(tc, test_every_single_bit_flip_makes_open_fail,
	    0, 2);
	tcase_add_loop_test(tc, test_truncated_or_extended_record_fails, 0, 2);
	tcase_add_loop_test(tc, test_wrong_recipient_is_refused, 0, 2);
	tcase_add_loop_test(tc, test_record_for_the_other_curve_is_refused,
	    0, 2);
	tcase_add_loop_test(tc, test_unknown_sender_is_refused, 0, 2);
	tcase_add_loop_test(tc, test_sender_is_found_among_several_server_keys,
	    0, 2);
	tcase_add_loop_test(tc, test_no_server_keys_means_unknown_sender,
	    0, 2);
	tcase_add_loop_test(tc, test_expired_record_is_refused, 0, 2);
	tcase_add_loop_test(tc, test_not_yet_valid_record_is_refused, 0, 2);
	tcase_add_test(tc,
	    test_rsa_recipient_is_refused_as_unsupported_key_type);
	tcase_add_test(tc,
	    test_ed25519_recipient_is_refused_as_unsupported_key_type);
	tcase_add_test(tc,
	    test_p384_recipient_is_refused_as_unsupported_key_type);
	tcase_add_loop_test(tc, test_server_key_of_the_other_curve_is_refused,
	    0, 2);
	tcase_add_test(tc, test_seal_refuses_gk_of_the_wrong_length);
	tcase_add_test(tc,
	    test_seal_refuses_bad_names_periods_and_short_buffers);
	tcase_add_test(tc, test_open_reports_parser_reason);
	suite_add_tcase(s, tc);

	tc = tcase_create("context");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc,
	    test_seal_spki_opens_and_has_the_one_shot_header, 0, 2);
	tcase_add_test(tc, test_seal_spki_takes_a_compressed_p256_spki);
	tcase_add_loop_test(tc,
	    test_seal_spki_refuses_a_sender_of_the_other_curve, 0, 2);
	tcase_add_test(tc,
	    test_seal_spki_refuses_an_off_curve_or_malformed_spki);
	tcase_add_loop_test(tc, test_seal_ctx_record_opens, 0, 2);
	tcase_add_loop_test(tc,
	    test_one_context_serves_many_threads_at_once, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("parser");
	tcase_add_checked_fixture(tc, parser_setup, NULL);
	tcase_add_test(tc, test_parse_accepts_the_valid_record);
	tcase_add_test(tc, test_parse_rejects_short_header);
	tcase_add_test(tc, test_parse_rejects_version_other_than_1);
	tcase_add_test(tc, test_parse_rejects_unknown_suite);
	tcase_add_test(tc, test_parse_rejects_unknown_gk_algorithm);
	tcase_add_test(tc, test_parse_rejects_empty_name);
	tcase_add_test(tc, test_parse_rejects_name_longer_than_64);
	tcase_add_test(tc, test_parse_rejects_record_one_octet_short_or_long);
	tcase_add_test(tc, test_parse_rejects_gk_algorithm_not_matching_length);
	tcase_add_test(tc, test_parse_rejects_invalid_utf8_names);
	tcase_add_test(tc, test_parse_rejects_name_containing_nul);
	tcase_add_test(tc,
	    test_parse_rejects_name_containing_control_characters);
	tcase_add_test(tc, test_parse_accepts_multibyte_utf8_name);
	tcase_add_test(tc, test_parse_rejects_empty_validity_period);
	tcase_add_test(tc, test_parse_rejects_not_before_after_not_after);
	suite_add_tcase(s, tc);
	return s;
}
