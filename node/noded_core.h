/*
 * noded_core.h - the user node's decisions (doc/nd.md sections 1.4-1.6, 3
 * and 4), without sockets: the checks of a received RA, the assembly of
 * an answer from its parts, the key store and its file, and the
 * schedule of the next solicitation.
 *
 * Pure functions over caller-owned state; gkey-noded.c does the I/O.
 * Nothing here logs: every refusal comes back with a one-line reason.
 *
 * Secrets: the key store holds group keys.  noded_keys_clear() and every
 * removal wipe them (OPENSSL_cleanse); no reason string holds one.
 */
#ifndef GKEY_NODED_CORE_H
#define GKEY_NODED_CORE_H

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "keyrecord.h"
#include "nd_msg.h"

#define NODED_ERRLEN		ND_ERRLEN
#define NODED_PARTS_MAX		24
#define NODED_ASM_MAX		4
#define NODED_KEYS_MAX		64
#define NODED_SERVERS_MAX_KEYS	4

/* What the node trusts and holds (borrowed references). */
struct noded_trust {
	X509		*anchor;			/* AR trust anchor */
	EVP_PKEY	*node_key;			/* our private key */
	EVP_PKEY	*servers[NODED_SERVERS_MAX_KEYS];	/* key server */
	size_t		 n_servers;
	unsigned int	 window;			/* seconds */
};

enum noded_ra_verdict {
	NODED_RA_OK = 0,
	NODED_RA_PLAIN = 1,	/* no gkey option: an ordinary RA */
	NODED_RA_DROP = -1	/* refused: reason in err */
};

/*
 * One received RA: hop limit 255, the codec's rules and required options,
 * the timestamp within the window of now_ts (RFC 3971 form), the AR
 * certificate against the anchor at now (nd_ar_cert_check) and the
 * signature for src -> dst.  On NODED_RA_OK *m borrows pkt.
 */
int	noded_ra_check(const struct noded_trust *, const uint8_t *pkt,
	    size_t len, int hop_limit, const struct in6_addr *src,
	    const struct in6_addr *dst, uint64_t now_ts, time_t now,
	    struct nd_msg *m, char *err, size_t errlen);

/* One answer being assembled: verified parts from one source and nonce. */
struct noded_asm {
	int		 in_use;
	int		 push;		/* no nonce: grouped by Timestamp */
	struct in6_addr	 src;
	uint8_t		 id[32];	/* the nonce, or the timestamp */
	size_t		 id_len;
	uint8_t		 count;
	uint8_t		 have;		/* parts held */
	uint64_t	 started_ms;
	uint8_t		 pkt[NODED_PARTS_MAX][ND_MSG_MAX];
	size_t		 len[NODED_PARTS_MAX];
};

struct noded_asm_table {
	struct noded_asm a[NODED_ASM_MAX];
};

/*
 * Adds a verified part (m borrows a buffer that is copied).  Returns 1
 * when it completes its answer (*done is the assembly; the caller reads
 * it, then noded_asm_drop()), 0 when stored or a duplicate, -1 when the
 * part contradicts the parts held (another count) or cannot be held.
 * The oldest assembly gives way to a new one when the table is full.
 */
int	noded_asm_add(struct noded_asm_table *, const struct in6_addr *src,
	    const struct nd_msg *m, uint64_t now_ms, struct noded_asm **done,
	    char *err, size_t errlen);
void	noded_asm_drop(struct noded_asm *);
void	noded_asm_clear(struct noded_asm_table *);

/* A group key the node holds. */
struct noded_key {
	int		 in_use;
	struct gkey_record hdr;		/* name points at name[] */
	uint8_t		 name[GKEY_RECORD_NAME_MAX];
	uint8_t		 gk[GKEY_GK_MAX];
	size_t		 gk_len;
};

struct noded_keys {
	struct noded_key k[NODED_KEYS_MAX];
};

/*
 * Stores an opened record.  With newer_only (a push) it is taken only
 * when its epoch is above every epoch held for its application id.
 * Returns 1 stored (new), 0 already held or not newer, -1 store full.
 */
int	noded_keys_put(struct noded_keys *, const struct gkey_record *rec,
	    const uint8_t *gk, size_t gk_len, int newer_only);
/* Removes (and wipes) keys whose not_after has passed; returns how many. */
int	noded_keys_expire(struct noded_keys *, uint64_t now);
size_t	noded_keys_count(const struct noded_keys *);
/* Earliest not_after of the keys held, or 0 when none. */
uint64_t noded_keys_earliest(const struct noded_keys *);
void	noded_keys_clear(struct noded_keys *);
/*
 * Writes every key, ordered by application id then epoch, one line each
 * in the form of recline.h, to path atomically (path.tmp, mode 0600,
 * fsync, rename).  0, or -1 with a reason.
 */
int	noded_keys_write(const struct noded_keys *, const char *path,
	    char *err, size_t errlen);

/*
 * Seconds until the next solicitation after an answer with records:
 * Refresh, or 80 % of the time to the earliest not_after, whichever is
 * first, at least 1.
 */
uint64_t noded_next_refresh(uint32_t refresh, uint64_t earliest_not_after,
	    uint64_t now);
/* v spread by +- percent using the random value r in [0, 1). */
uint64_t noded_jitter(uint64_t v, unsigned int percent, double r);

#endif /* GKEY_NODED_CORE_H */
