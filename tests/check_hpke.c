/*
 * check_hpke.c - HPKE against the RFC 9180 Appendix A vectors, and the
 * failures a recipient must see.
 *
 * The vectors are read at run time from $GKEY_VECTORS, or else from
 * $srcdir/tests/vectors/rfc9180.txt (automake sets srcdir; "." if unset).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check_main.h"
#include "hex.h"
#include "hpke.h"

#define MAX_VECTORS	16
#define MAX_FIELD	256
#define MAX_LINE	1024

struct field {
	uint8_t	buf[MAX_FIELD];
	size_t	len;
	int	set;
};

struct vector {
	char		title[128];
	long		mode, kem_id, kdf_id, aead_id;
	struct field	info, skEm, pkRm, skRm, pkSm, skSm, enc, aad, pt, ct;
	struct field	ikmE, ikmR;	/* present in the file, not used */
};

static struct vector	vectors[MAX_VECTORS];
static size_t		nvectors;

static void
vector_path(char *path, size_t size)
{
	const char	*env = getenv("GKEY_VECTORS");
	const char	*srcdir = getenv("srcdir");
	int		 n;

	if (env != NULL && *env != '\0')
		n = snprintf(path, size, "%s", env);
	else
		n = snprintf(path, size, "%s/tests/vectors/rfc9180.txt",
		    srcdir != NULL && *srcdir != '\0' ? srcdir : ".");
	ck_assert_msg(n > 0 && (size_t)n < size, "vector path too long");
}

static int
parse_long(const char *s, long *out)
{
	char	*end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' ? 0 : -1;
}

/* Assign "name = value" to the current vector; -1 on anything unknown. */
static int
assign(struct vector *v, const char *name, const char *value)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} hexfields[] = {
		{ "info", offsetof(struct vector, info) },
		{ "skEm", offsetof(struct vector, skEm) },
		{ "pkRm", offsetof(struct vector, pkRm) },
		{ "skRm", offsetof(struct vector, skRm) },
		{ "pkSm", offsetof(struct vector, pkSm) },
		{ "skSm", offsetof(struct vector, skSm) },
		{ "enc", offsetof(struct vector, enc) },
		{ "aad", offsetof(struct vector, aad) },
		{ "pt", offsetof(struct vector, pt) },
		{ "ct", offsetof(struct vector, ct) },
		{ "ikmE", offsetof(struct vector, ikmE) },
		{ "ikmR", offsetof(struct vector, ikmR) },
	};
	struct field	*f;
	size_t		 i;

	if (strcmp(name, "mode") == 0)
		return parse_long(value, &v->mode);
	if (strcmp(name, "kem_id") == 0)
		return parse_long(value, &v->kem_id);
	if (strcmp(name, "kdf_id") == 0)
		return parse_long(value, &v->kdf_id);
	if (strcmp(name, "aead_id") == 0)
		return parse_long(value, &v->aead_id);
	for (i = 0; i < sizeof(hexfields) / sizeof(hexfields[0]); i++) {
		if (strcmp(name, hexfields[i].name) != 0)
			continue;
		f = (struct field *)((char *)v + hexfields[i].off);
		if (f->set)
			return -1;	/* duplicate */
		if (gkey_hex_decode(value, strlen(value), f->buf,
		    sizeof(f->buf), &f->len) != 0)
			return -1;
		f->set = 1;
		return 0;
	}
	return -1;
}

/*
 * The format: '#' comments, blank lines, "[title]" opening a vector and
 * "name = hex-or-decimal" lines inside one.  Anything else is an error,
 * so a damaged file cannot silently test less.
 */
static void
load_vectors(void)
{
	char		 path[4096], line[MAX_LINE], *p, *eq, *name, *value, *e;
	struct vector	*cur = NULL;
	FILE		*fp;
	unsigned	 lineno = 0;
	size_t		 len;

	if (nvectors != 0)
		return;
	vector_path(path, sizeof(path));
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "cannot open %s: %s (set GKEY_VECTORS or "
	    "srcdir)", path, strerror(errno));

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		ck_assert_msg(len > 0 && (line[len - 1] == '\n' || feof(fp)),
		    "%s:%u: line too long", path, lineno);
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r' || line[len - 1] == ' '))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (line[0] == '[') {
			ck_assert_msg(line[len - 1] == ']' &&
			    nvectors < MAX_VECTORS, "%s:%u: bad section",
			    path, lineno);
			cur = &vectors[nvectors++];
			memset(cur, 0, sizeof(*cur));
			cur->mode = cur->kem_id = cur->kdf_id =
			    cur->aead_id = -1;
			line[len - 1] = '\0';
			snprintf(cur->title, sizeof(cur->title), "%s",
			    line + 1);
			continue;
		}
		eq = strchr(line, '=');
		ck_assert_msg(cur != NULL && eq != NULL,
		    "%s:%u: expected name = value", path, lineno);
		*eq = '\0';
		name = line;
		for (e = eq; e > name && e[-1] == ' '; e--)
			e[-1] = '\0';
		for (p = eq + 1; *p == ' '; p++)
			;
		value = p;
		ck_assert_msg(assign(cur, name, value) == 0,
		    "%s:%u: bad field %s", path, lineno, name);
	}
	ck_assert_msg(!ferror(fp), "%s: read error", path);
	fclose(fp);
	ck_assert_msg(nvectors > 0, "%s: no vectors", path);
}

/* The vector of this mode and KEM, fully present. */
static const struct vector *
find_vector(long mode, long kem_id)
{
	const struct vector	*v;
	size_t			 i;

	load_vectors();
	for (i = 0; i < nvectors; i++) {
		v = &vectors[i];
		if (v->mode != mode || v->kem_id != kem_id)
			continue;
		ck_assert_int_eq(v->kdf_id, GKEY_HPKE_KDF_HKDF_SHA256);
		ck_assert_int_eq(v->aead_id, GKEY_HPKE_AEAD_AES128GCM);
		ck_assert(v->info.set && v->skEm.set && v->pkRm.set &&
		    v->skRm.set && v->enc.set && v->aad.set && v->pt.set &&
		    v->ct.set);
		if (mode == GKEY_HPKE_MODE_AUTH)
			ck_assert(v->pkSm.set && v->skSm.set);
		return v;
	}
	ck_abort_msg("no vector for mode %ld kem %ld", mode, kem_id);
	return NULL;
}

static EVP_PKEY *
priv(enum gkey_kem kem, const struct field *f)
{
	EVP_PKEY	*pk = gkey_pkey_from_raw_private(kem, f->buf, f->len);

	ck_assert_ptr_nonnull(pk);
	return pk;
}

static EVP_PKEY *
pub(enum gkey_kem kem, const struct field *f)
{
	EVP_PKEY	*pk = gkey_pkey_from_raw_public(kem, f->buf, f->len);

	ck_assert_ptr_nonnull(pk);
	return pk;
}

/* Seal with the vector's ephemeral key gives exactly enc and ct. */
static void
check_seal(long mode, enum gkey_kem kem)
{
	const struct vector	*v = find_vector(mode, kem);
	EVP_PKEY		*pkR = pub(kem, &v->pkRm);
	EVP_PKEY		*skE = priv(kem, &v->skEm);
	EVP_PKEY		*skS = NULL;
	uint8_t			 enc[GKEY_HPKE_ENC_MAX], ct[MAX_FIELD];
	size_t			 enc_len, ct_len;

	if (mode == GKEY_HPKE_MODE_AUTH)
		skS = priv(kem, &v->skSm);
	ck_assert_int_eq(gkey_hpke_seal(kem, pkR, skS, skE, v->info.buf,
	    v->info.len, v->aad.buf, v->aad.len, v->pt.buf, v->pt.len, enc,
	    sizeof(enc), &enc_len, ct, sizeof(ct), &ct_len), 0);
	ck_assert_uint_eq(enc_len, v->enc.len);
	ck_assert_mem_eq(enc, v->enc.buf, enc_len);
	ck_assert_uint_eq(ct_len, v->ct.len);
	ck_assert_mem_eq(ct, v->ct.buf, ct_len);
	EVP_PKEY_free(pkR);
	EVP_PKEY_free(skE);
	EVP_PKEY_free(skS);
}

/* Open with the vector's recipient (and sender) key gives pt. */
static void
check_open(long mode, enum gkey_kem kem)
{
	const struct vector	*v = find_vector(mode, kem);
	EVP_PKEY		*skR = priv(kem, &v->skRm);
	EVP_PKEY		*pkS = NULL;
	uint8_t			 pt[MAX_FIELD], raw[GKEY_HPKE_ENC_MAX];
	size_t			 pt_len, raw_len;

	/* The private key derives the vector's public key. */
	ck_assert_int_eq(gkey_pkey_raw_public(kem, skR, raw, sizeof(raw),
	    &raw_len), 0);
	ck_assert_uint_eq(raw_len, v->pkRm.len);
	ck_assert_mem_eq(raw, v->pkRm.buf, raw_len);
	if (mode == GKEY_HPKE_MODE_AUTH)
		pkS = pub(kem, &v->pkSm);
	ck_assert_int_eq(gkey_hpke_open(kem, skR, pkS, v->info.buf,
	    v->info.len, v->aad.buf, v->aad.len, v->enc.buf, v->enc.len,
	    v->ct.buf, v->ct.len, pt, sizeof(pt), &pt_len), 0);
	ck_assert_uint_eq(pt_len, v->pt.len);
	ck_assert_mem_eq(pt, v->pt.buf, pt_len);
	EVP_PKEY_free(skR);
	EVP_PKEY_free(pkS);
}

START_TEST(test_a11_base_x25519_seal_matches_vector)
{
	check_seal(GKEY_HPKE_MODE_BASE, GKEY_KEM_X25519);
}
END_TEST

START_TEST(test_a11_base_x25519_open_matches_vector)
{
	check_open(GKEY_HPKE_MODE_BASE, GKEY_KEM_X25519);
}
END_TEST

START_TEST(test_a31_base_p256_seal_matches_vector)
{
	check_seal(GKEY_HPKE_MODE_BASE, GKEY_KEM_P256);
}
END_TEST

START_TEST(test_a31_base_p256_open_matches_vector)
{
	check_open(GKEY_HPKE_MODE_BASE, GKEY_KEM_P256);
}
END_TEST

START_TEST(test_a13_auth_x25519_seal_matches_vector)
{
	check_seal(GKEY_HPKE_MODE_AUTH, GKEY_KEM_X25519);
}
END_TEST

START_TEST(test_a13_auth_x25519_open_matches_vector)
{
	check_open(GKEY_HPKE_MODE_AUTH, GKEY_KEM_X25519);
}
END_TEST

START_TEST(test_a33_auth_p256_seal_matches_vector)
{
	check_seal(GKEY_HPKE_MODE_AUTH, GKEY_KEM_P256);
}
END_TEST

START_TEST(test_a33_auth_p256_open_matches_vector)
{
	check_open(GKEY_HPKE_MODE_AUTH, GKEY_KEM_P256);
}
END_TEST

START_TEST(test_vector_file_has_exactly_four_vectors)
{
	load_vectors();
	ck_assert_uint_eq(nvectors, 4);
}
END_TEST

static const enum gkey_kem kems[] = { GKEY_KEM_P256, GKEY_KEM_X25519 };

static EVP_PKEY *
keygen(enum gkey_kem kem)
{
	EVP_PKEY	*pk = kem == GKEY_KEM_P256 ?
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256") :
	    EVP_PKEY_Q_keygen(NULL, NULL, "X25519");

	ck_assert_ptr_nonnull(pk);
	return pk;
}

START_TEST(test_auth_open_with_wrong_sender_key_fails)
{
	enum gkey_kem	 kem = kems[_i];
	const struct vector *v = find_vector(GKEY_HPKE_MODE_AUTH, kem);
	EVP_PKEY	*skR = priv(kem, &v->skRm);
	EVP_PKEY	*other = keygen(kem);
	uint8_t		 pt[MAX_FIELD];
	size_t		 pt_len = 99;

	ck_assert_int_eq(gkey_hpke_open(kem, skR, other, v->info.buf,
	    v->info.len, v->aad.buf, v->aad.len, v->enc.buf, v->enc.len,
	    v->ct.buf, v->ct.len, pt, sizeof(pt), &pt_len), -1);
	ck_assert_uint_eq(pt_len, 0);
	EVP_PKEY_free(skR);
	EVP_PKEY_free(other);
}
END_TEST

START_TEST(test_auth_record_does_not_open_in_base_mode)
{
	enum gkey_kem	 kem = kems[_i];
	const struct vector *v = find_vector(GKEY_HPKE_MODE_AUTH, kem);
	EVP_PKEY	*skR = priv(kem, &v->skRm);
	uint8_t		 pt[MAX_FIELD];
	size_t		 pt_len;

	ck_assert_int_eq(gkey_hpke_open(kem, skR, NULL, v->info.buf,
	    v->info.len, v->aad.buf, v->aad.len, v->enc.buf, v->enc.len,
	    v->ct.buf, v->ct.len, pt, sizeof(pt), &pt_len), -1);
	EVP_PKEY_free(skR);
}
END_TEST

START_TEST(test_any_flipped_ciphertext_bit_fails)
{
	enum gkey_kem	 kem = kems[_i];
	const struct vector *v = find_vector(GKEY_HPKE_MODE_AUTH, kem);
	EVP_PKEY	*skR = priv(kem, &v->skRm);
	EVP_PKEY	*pkS = pub(kem, &v->pkSm);
	uint8_t		 ct[MAX_FIELD], pt[MAX_FIELD];
	size_t		 pt_len, bit, i;

	for (bit = 0; bit < 8 * v->ct.len; bit++) {
		memcpy(ct, v->ct.buf, v->ct.len);
		ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		memset(pt, 0xa5, sizeof(pt));
		ck_assert_int_eq(gkey_hpke_open(kem, skR, pkS, v->info.buf,
		    v->info.len, v->aad.buf, v->aad.len, v->enc.buf,
		    v->enc.len, ct, v->ct.len, pt, sizeof(pt), &pt_len), -1);
		/* No unauthenticated plaintext is left behind. */
		for (i = 0; i < v->ct.len - 16; i++)
			ck_assert_uint_eq(pt[i], 0);
	}
	EVP_PKEY_free(skR);
	EVP_PKEY_free(pkS);
}
END_TEST

START_TEST(test_any_flipped_enc_bit_fails)
{
	enum gkey_kem	 kem = kems[_i];
	const struct vector *v = find_vector(GKEY_HPKE_MODE_AUTH, kem);
	EVP_PKEY	*skR = priv(kem, &v->skRm);
	EVP_PKEY	*pkS = pub(kem, &v->pkSm);
	uint8_t		 enc[GKEY_HPKE_ENC_MAX], pt[MAX_FIELD];
	size_t		 pt_len, bit;

	for (bit = 0; bit < 8 * v->enc.len; bit++) {
		memcpy(enc, v->enc.buf, v->enc.len);
		enc[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_eq(gkey_hpke_open(kem, skR, pkS, v->info.buf,
		    v->info.len, v->aad.buf, v->aad.len, enc, v->enc.len,
		    v->ct.buf, v->ct.len, pt, sizeof(pt), &pt_len), -1);
	}
	EVP_PKEY_free(skR);
	EVP_PKEY_free(pkS);
}
END_TEST

START_TEST(test_wrong_aad_or_info_fails)
{
	enum gkey_kem	 kem = kems[_i];
	const struct vector *v = find_vector(GKEY_HPKE_MODE_AUTH, kem);
	EVP_PKEY	*skR = priv(kem, &v->skRm);
	EVP_PKEY	*pkS = pub(kem, &v->pkSm);
	uint8_t		 pt[MAX_FIELD];
	size_t		 pt_len;

	ck_assert_int_eq(gkey_hpke_open(kem, skR, pkS, v->info.buf,
	    v->info.len, v->aad.buf, v->aad.len - 1, v->enc.buf, v->enc.len,
	    v->ct.buf, v->ct.len, pt, sizeof(pt), &pt_len), -1);
	ck_assert_int_eq(gkey_hpke_open(kem, skR, pkS, v->info.buf,
	    v->info.len - 1, v->aad.buf, v->aad.len, v->enc.buf, v->enc.len,
	    v->ct.buf, v->ct.len, pt, sizeof(pt), &pt_len), -1);
	EVP_PKEY_free(skR);
	EVP_PKEY_free(pkS);
}
END_TEST

START_TEST(test_fresh_ephemeral_round_trip)
{
	enum gkey_kem	 kem = kems[_i];
	EVP_PKEY	*r = keygen(kem), *s = keygen(kem);
	const uint8_t	 msg[] = "group key", aad[] = "hdr", info[] = "i";
	uint8_t		 enc1[GKEY_HPKE_ENC_MAX], enc2[GKEY_HPKE_ENC_MAX];
	uint8_t		 ct[64], pt[64];
	size_t		 enc_len, ct_len, pt_len;

	ck_assert_int_eq(gkey_hpke_seal(kem, r, s, NULL, info, sizeof(info),
	    aad, sizeof(aad), msg, sizeof(msg), enc1, sizeof(enc1), &enc_len,
	    ct, sizeof(ct), &ct_len), 0);
	ck_assert_uint_eq(enc_len, gkey_kem_enc_len(kem));
	ck_assert_int_eq(gkey_hpke_open(kem, r, s, info, sizeof(info), aad,
	    sizeof(aad), enc1, enc_len, ct, ct_len, pt, sizeof(pt), &pt_len),
	    0);
	ck_assert_uint_eq(pt_len, sizeof(msg));
	ck_assert_mem_eq(pt, msg, pt_len);
	/* A second seal uses another ephemeral key. */
	ck_assert_int_eq(gkey_hpke_seal(kem, r, s, NULL, info, sizeof(info),
	    aad, sizeof(aad), msg, sizeof(msg), enc2, sizeof(enc2), &enc_len,
	    ct, sizeof(ct), &ct_len), 0);
	ck_assert_mem_ne(enc1, enc2, enc_len);
	EVP_PKEY_free(r);
	EVP_PKEY_free(s);
}
END_TEST

START_TEST(test_short_output_buffers_are_refused)
{
	enum gkey_kem	 kem = kems[_i];
	EVP_PKEY	*r = keygen(kem);
	const uint8_t	 msg[20] = { 0 };
	uint8_t		 enc[GKEY_HPKE_ENC_MAX], ct[64], pt[64];
	size_t		 enc_len, ct_len, pt_len;
	size_t		 npk = gkey_kem_enc_len(kem);

	ck_assert_int_eq(gkey_hpke_seal(kem, r, NULL, NULL, NULL, 0, NULL, 0,
	    msg, sizeof(msg), enc, npk - 1, &enc_len, ct, sizeof(ct),
	    &ct_len), -1);
	ck_assert_int_eq(gkey_hpke_seal(kem, r, NULL, NULL, NULL, 0, NULL, 0,
	    msg, sizeof(msg), enc, sizeof(enc), &enc_len, ct,
	    sizeof(msg) + 15, &ct_len), -1);
	ck_assert_int_eq(gkey_hpke_seal(kem, r, NULL, NULL, NULL, 0, NULL, 0,
	    msg, sizeof(msg), enc, sizeof(enc), &enc_len, ct, sizeof(ct),
	    &ct_len), 0);
	ck_assert_int_eq(gkey_hpke_open(kem, r, NULL, NULL, 0, NULL, 0, enc,
	    enc_len, ct, ct_len, pt, sizeof(msg) - 1, &pt_len), -1);
	ck_assert_int_eq(gkey_hpke_open(kem, r, NULL, NULL, 0, NULL, 0, enc,
	    enc_len - 1, ct, ct_len, pt, sizeof(pt), &pt_len), -1);
	ck_assert_int_eq(gkey_hpke_open(kem, r, NULL, NULL, 0, NULL, 0, enc,
	    enc_len, ct, 15, pt, sizeof(pt), &pt_len), -1);
	EVP_PKEY_free(r);
}
END_TEST

START_TEST(test_keys_of_another_kem_are_refused)
{
	EVP_PKEY	*p256 = keygen(GKEY_KEM_P256);
	EVP_PKEY	*x = keygen(GKEY_KEM_X25519);
	EVP_PKEY	*ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY	*p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	enum gkey_kem	 kem;
	uint8_t		 enc[GKEY_HPKE_ENC_MAX], ct[64];
	size_t		 enc_len, ct_len;

	ck_assert_ptr_nonnull(ed);
	ck_assert_ptr_nonnull(p384);
	ck_assert_int_eq(gkey_kem_of_pkey(p256, &kem), 0);
	ck_assert_int_eq(kem, GKEY_KEM_P256);
	ck_assert_int_eq(gkey_kem_of_pkey(x, &kem), 0);
	ck_assert_int_eq(kem, GKEY_KEM_X25519);
	ck_assert_int_eq(gkey_kem_of_pkey(ed, &kem), -1);
	ck_assert_int_eq(gkey_kem_of_pkey(p384, &kem), -1);
	/* Auth mode with a sender on the other curve. */
	ck_assert_int_eq(gkey_hpke_seal(GKEY_KEM_P256, p256, x, NULL, NULL, 0,
	    NULL, 0, NULL, 0, enc, sizeof(enc), &enc_len, ct, sizeof(ct),
	    &ct_len), -1);
	ck_assert_int_eq(gkey_hpke_seal(GKEY_KEM_X25519, p256, NULL, NULL,
	    NULL, 0, NULL, 0, NULL, 0, enc, sizeof(enc), &enc_len, ct,
	    sizeof(ct), &ct_len), -1);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(x);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(p384);
}
END_TEST

START_TEST(test_invalid_raw_keys_are_refused)
{
	uint8_t	zero[32] = { 0 }, ff[32], point[65];

	memset(ff, 0xff, sizeof(ff));
	/* Scalars 0 and >= n are not P-256 private keys. */
	ck_assert_ptr_null(gkey_pkey_from_raw_private(GKEY_KEM_P256, zero,
	    32));
	ck_assert_ptr_null(gkey_pkey_from_raw_private(GKEY_KEM_P256, ff, 32));
	ck_assert_ptr_null(gkey_pkey_from_raw_private(GKEY_KEM_X25519, ff,
	    31));
	/* A point not on the curve, a compressed point, a short point. */
	memset(point, 0x01, sizeof(point));
	point[0] = 0x04;
	ck_assert_ptr_null(gkey_pkey_from_raw_public(GKEY_KEM_P256, point,
	    65));
	point[0] = 0x02;
	ck_assert_ptr_null(gkey_pkey_from_raw_public(GKEY_KEM_P256, point,
	    33));
	ck_assert_ptr_null(gkey_pkey_from_raw_public(GKEY_KEM_X25519, point,
	    33));
}
END_TEST

/* SPKI DER of a fresh key; *len set; caller frees with OPENSSL_free. */
static uint8_t *
spki_of(EVP_PKEY *pk, size_t *len)
{
	uint8_t	*der = NULL;
	int	 n = i2d_PUBKEY(pk, &der);

	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	return der;
}

START_TEST(test_spki_kem_tells_p256_and_x25519_without_decoding)
{
	EVP_PKEY	*p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY	*x = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	enum gkey_kem	 kem;
	uint8_t		*der;
	size_t		 len;

	der = spki_of(p256, &len);
	ck_assert_int_eq(gkey_spki_kem(der, len, &kem), 0);
	ck_assert_int_eq(kem, GKEY_KEM_P256);
	OPENSSL_free(der);
	der = spki_of(x, &len);
	ck_assert_int_eq(gkey_spki_kem(der, len, &kem), 0);
	ck_assert_int_eq(kem, GKEY_KEM_X25519);
	OPENSSL_free(der);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(x);
}
END_TEST

START_TEST(test_spki_kem_decodes_other_encodings_and_refuses_other_keys)
{
	EVP_PKEY	*p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY	*ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY	*p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	enum gkey_kem	 kem;
	uint8_t		*der, garbage[91];
	size_t		 len;

	/* A compressed point takes the decoding path and is still P-256. */
	ck_assert_int_eq(EVP_PKEY_set_utf8_string_param(p256,
	    OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"), 1);
	der = spki_of(p256, &len);
	ck_assert_uint_lt(len, 91);
	ck_assert_int_eq(gkey_spki_kem(der, len, &kem), 0);
	ck_assert_int_eq(kem, GKEY_KEM_P256);
	OPENSSL_free(der);

	der = spki_of(ed, &len);
	ck_assert_int_eq(gkey_spki_kem(der, len, &kem), -1);
	OPENSSL_free(der);
	der = spki_of(p384, &len);
	ck_assert_int_eq(gkey_spki_kem(der, len, &kem), -1);
	OPENSSL_free(der);

	memset(garbage, 0x30, sizeof(garbage));
	ck_assert_int_eq(gkey_spki_kem(garbage, sizeof(garbage), &kem), -1);
	ck_assert_int_eq(gkey_spki_kem(garbage, 0, &kem), -1);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(p384);
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("hpke");
	TCase	*tc;

	tc = tcase_create("rfc9180-vectors");
	tcase_add_test(tc, test_vector_file_has_exactly_four_vectors);
	tcase_add_test(tc, test_a11_base_x25519_seal_matches_vector);
	tcase_add_test(tc, test_a11_base_x25519_open_matches_vector);
	tcase_add_test(tc, test_a31_base_p256_seal_matches_vector);
	tcase_add_test(tc, test_a31_base_p256_open_matches_vector);
	tcase_add_test(tc, test_a13_auth_x25519_seal_matches_vector);
	tcase_add_test(tc, test_a13_auth_x25519_open_matches_vector);
	tcase_add_test(tc, test_a33_auth_p256_seal_matches_vector);
	tcase_add_test(tc, test_a33_auth_p256_open_matches_vector);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_auth_open_with_wrong_sender_key_fails,
	    0, 2);
	tcase_add_loop_test(tc, test_auth_record_does_not_open_in_base_mode,
	    0, 2);
	tcase_add_loop_test(tc, test_any_flipped_ciphertext_bit_fails, 0, 2);
	tcase_add_loop_test(tc, test_any_flipped_enc_bit_fails, 0, 2);
	tcase_add_loop_test(tc, test_wrong_aad_or_info_fails, 0, 2);
	tcase_add_loop_test(tc, test_fresh_ephemeral_round_trip, 0, 2);
	tcase_add_loop_test(tc, test_short_output_buffers_are_refused, 0, 2);
	tcase_add_test(tc, test_keys_of_another_kem_are_refused);
	tcase_add_test(tc, test_invalid_raw_keys_are_refused);
	tcase_add_test(tc, test_spki_kem_tells_p256_and_x25519_without_decoding);
	tcase_add_test(tc, test_spki_kem_decodes_other_encodings_and_refuses_other_keys);
	suite_add_tcase(s, tc);
	return s;
}
