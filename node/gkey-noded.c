/*
 * gkey-noded - the user node's agent of gkey's ND path (doc/nd.md): it
 * solicits its access router with signed Router Solicitations, verifies
 * the signed answers against its AR trust anchor, opens the Key Records
 * with its own key and the key server's public keys, and keeps the group
 * keys in a 0600 file for local programs (doc/nd.md section 5), asking
 * again before they run out.
 *
 * This file holds main(), the socket, the timers and the poll() loop;
 * the checks, the assembly of parts and the key store are noded_core.c,
 * the messages libnd, the records libgkey.  After start-up nothing is
 * fatal: every refusal is logged by name and the node keeps the keys it
 * holds that are still valid.
 */
#define _GNU_SOURCE		/* setresuid(2), in6_pktinfo */
#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "keyrecord.h"
#include "clock.h"
#include "daemon.h"
#include "keys.h"
#include "nd_cred.h"
#include "nd_crypto.h"
#include "plog.h"
#include "nd_msg.h"
#include "nd_sock.h"
#include "noded_conf.h"
#include "noded_core.h"

#define RX_BURST	32
#define RX_MAX		4096
#define NONCE_LEN	6

struct noded {
	struct noded_config	 cfg;
	struct noded_trust	 trust;
	unsigned int		 ifindex;
	struct in6_addr		 lladdr;
	int			 fd;
	uint8_t			*cert;
	size_t			 cert_len;

	/* The solicitation in flight, if any. */
	int			 outstanding;
	uint8_t			 nonce[NONCE_LEN];
	uint64_t		 answer_deadline;	/* monotonic ms */
	uint64_t		 next_solicit;		/* monotonic ms */
	uint64_t		 backoff_ms;

	struct noded_asm_table	 asms;
	struct noded_keys	 keys;
	uint8_t			 rx[RX_MAX];
	uint8_t			 tx[ND_MSG_MAX];
};

static struct noded n;

static uint64_t
wall_s(void)
{
	return (uint64_t)time(NULL);
}

static double
random_unit(void)
{
	uint32_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return 0.5;
	return (double)r / 4294967296.0;
}

/* ------------------------------------------------------------ start-up */

static void
load_credentials(void)
{
	char err[PATH_MAX * 2 + 256];
	size_t i;

	if (nd_load_credentials(n.cfg.certificate, n.cfg.private_key,
	    &n.trust.node_key, &n.cert, &n.cert_len, err, sizeof(err)) != 0 ||
	    (n.trust.anchor = nd_read_cert(n.cfg.trust_anchor, err,
	    sizeof(err))) == NULL)
		fatalx("%s", err);
	for (i = 0; i < n.cfg.n_key_servers; i++)
		if ((n.trust.servers[i] = gkey_load_public_key(
		    n.cfg.key_server[i], err, sizeof(err))) == NULL)
			fatalx("%s: %s", n.cfg.key_server[i], err);
	n.trust.n_servers = n.cfg.n_key_servers;
	n.trust.window = n.cfg.timestamp_window;
}

static int
find_lladdr(void)
{
	return nd_lladdr(n.cfg.interface, &n.lladdr);
}

static void
open_icmp(void)
{
	char err[64 + IF_NAMESIZE];

	if ((n.ifindex = if_nametoindex(n.cfg.interface)) == 0)
		fatal("interface %s", n.cfg.interface);
	if ((n.fd = nd_sock_open(n.cfg.interface, n.ifindex, ND_TYPE_RA, 0,
	    err, sizeof(err))) == -1)
		fatal("%s", err);
}

/* ------------------------------------------------------------ keys */

static void
write_keys(void)
{
	char err[NODED_ERRLEN + 4200];

	if (noded_keys_write(&n.keys, n.cfg.key_file, err, sizeof(err)) != 0)
		log_warnx("key file not written: %s", err);
}

static void
expire_keys(void)
{
	int k = noded_keys_expire(&n.keys, wall_s());

	if (k > 0) {
		log_info("%d expired keys removed", k);
		write_keys();
	}
}

/* ------------------------------------------------------------ solicit */

static void
schedule(uint64_t delay_ms, const char *why)
{
	uint64_t d = noded_jitter(delay_ms, n.cfg.jitter_percent,
	    random_unit());

	n.next_solicit = gkey_now_ms() + d;
	log_debug("next solicitation in %llu ms (%s)",
	    (unsigned long long)d, why);
}

static void
back_off(const char *why)
{
	schedule(n.backoff_ms, why);
	n.backoff_ms *= 2;
	if (n.backoff_ms > n.cfg.retry_max_ms)
		n.backoff_ms = n.cfg.retry_max_ms;
}

static int
build_rs(size_t *len)
{
	struct nd_builder b;
	size_t i;
	int rc;

	nd_build_rs(&b, n.tx, sizeof(n.tx));
	nd_build_nonce(&b, n.nonce, NONCE_LEN);
	nd_build_timestamp(&b, nd_timestamp_now());
	nd_build_gkey(&b, ND_GK_CERT, n.cert, n.cert_len);
	for (i = 0; i < n.cfg.n_apps; i++)
		nd_build_gkey(&b, ND_GK_APP, (const uint8_t *)n.cfg.app[i],
		    strlen(n.cfg.app[i]));
	rc = nd_sign_finish(&b, n.trust.node_key, n.lladdr.s6_addr,
	    n.cfg.solicit_to.s6_addr, len);
	if (rc != 0)
		log_warnx("cannot build the RS: %s", nd_strerror(rc));
	return rc;
}

static void
solicit(void)
{
	size_t len;

	if (find_lladdr() != 0) {
		log_warnx("%s has no link-local address yet",
		    n.cfg.interface);
		back_off("no link-local address");
		return;
	}
	/* A fresh nonce, timestamp and signature every time (doc 1.1). */
	if (RAND_bytes(n.nonce, NONCE_LEN) != 1 || build_rs(&len) != 0) {
		back_off("no RS");
		return;
	}
	/* From the source we signed for. */
	if (nd_sock_send(n.fd, n.ifindex, &n.lladdr, &n.cfg.solicit_to, n.tx,
	    len) == -1) {
		log_warn("RS on %s", n.cfg.interface);
		back_off("send failed");
		return;
	}
	n.outstanding = 1;
	n.answer_deadline = gkey_now_ms() + n.cfg.answer_wait_ms;
	n.next_solicit = UINT64_MAX;
	noded_asm_clear(&n.asms);
	log_debug("RS sent (%zu octets)", len);
}

/* ------------------------------------------------------------ answers */

/* Opens every record of one verified part; returns how many were new. */
static int
open_records(const uint8_t *pkt, size_t len, const char *from, int push,
    uint64_t *earliest, int *opened)
{
	struct nd_msg m;
	struct nd_opt_iter it;
	struct nd_opt o;
	struct gkey_record rec;
	uint8_t gk[GKEY_GK_MAX];
	size_t gk_len = 0;
	char err[256];
	int added = 0, rc;
	unsigned int i = 0;

	if (nd_msg_parse(pkt, len, &m, NULL, 0) != 0)
		return 0;
	nd_opt_iter_init(&it, &m);
	while (nd_opt_next(&it, &o)) {
		if (o.type != ND_OPT_GKEY || o.subtype != ND_GK_RECORD)
			continue;
		i++;
		if (gkey_record_open(o.data, o.len, n.trust.node_key,
		    n.trust.servers, n.trust.n_servers, wall_s(), &rec, gk,
		    sizeof(gk), &gk_len, err, sizeof(err)) != 0) {
			log_warnx("record %u of part %u from %s refused: %s",
			    i, m.part_index, from, err);
			continue;
		}
		(*opened)++;
		if (*earliest == 0 || rec.not_after < *earliest)
			*earliest = rec.not_after;
		rc = noded_keys_put(&n.keys, &rec, gk, gk_len, push);
		OPENSSL_cleanse(gk, sizeof(gk));
		if (rc < 0)
			log_warnx("key store full: app %.*s epoch %u not kept",
			    (int)rec.name_len, (const char *)rec.name,
			    rec.epoch);
		else if (rc > 0) {
			added++;
			log_info("key app=%.*s id=%u epoch=%u from %s",
			    (int)rec.name_len, (const char *)rec.name,
			    rec.app_id, rec.epoch, from);
		}
	}
	return added;
}

static void
complete(struct noded_asm *a)
{
	struct nd_msg m;
	char from[INET6_ADDRSTRLEN];
	uint64_t earliest = 0;
	uint32_t refresh = 0;
	size_t i;
	int added = 0, opened = 0;

	nd_addr_str(&a->src, from, sizeof(from));
	/* Part 1 says whether this is a Status (doc 1.5: always 1 of 1). */
	if (nd_msg_parse(a->pkt[0], a->len[0], &m, NULL, 0) != 0)
		goto finish;
	if (m.has_status) {
		if (a->push)
			goto finish;
		n.outstanding = 0;
		if (m.status == ND_STATUS_UNAVAILABLE)
			log_warnx("AR %s: key server unavailable: %.*s",
			    from, (int)m.reason_len, (const char *)m.reason);
		else
			log_warnx("AR %s: refused: %.*s", from,
			    (int)m.reason_len, (const char *)m.reason);
		back_off("status");
		goto finish;
	}
	for (i = 0; i < a->count; i++) {
		if (nd_msg_parse(a->pkt[i], a->len[i], &m, NULL, 0) != 0)
			continue;
		if (refresh == 0 || m.refresh < refresh)
			refresh = m.refresh;
		added += open_records(a->pkt[i], a->len[i], from, a->push,
		    &earliest, &opened);
	}
	if (added > 0)
		write_keys();
	if (a->push) {
		log_info("push from %s: %d new keys", from, added);
		goto finish;
	}
	n.outstanding = 0;
	if (opened == 0) {
		log_warnx("AR %s: no record could be opened", from);
		back_off("no record");
		goto finish;
	}
	n.backoff_ms = n.cfg.retry_initial_ms;
	log_info("answer from %s: %u parts, %d records opened, %d new, "
	    "refresh %u s", from, a->count, opened, added, refresh);
	schedule(noded_next_refresh(refresh, earliest, wall_s()) * 1000,
	    "refresh");
finish:
	noded_asm_drop(a);
	/* Other ARs' parts for this nonce are not wanted any more. */
	if (!n.outstanding)
		noded_asm_clear(&n.asms);
}

static void
handle_ra(size_t len, const struct in6_addr *src, const struct in6_addr *dst,
    int hop)
{
	struct nd_msg m;
	struct noded_asm *done;
	char from[INET6_ADDRSTRLEN], err[NODED_ERRLEN];
	int rc;

	nd_addr_str(src, from, sizeof(from));
	rc = noded_ra_check(&n.trust, n.rx, len, hop, src, dst,
	    nd_timestamp_now(), (time_t)wall_s(), &m, err, sizeof(err));
	if (rc == NODED_RA_PLAIN)
		return;
	if (rc != NODED_RA_OK) {
		log_warnx_rl("RA from %s ignored: %s", from, err);
		return;
	}
	if (m.nonce != NULL && (!n.outstanding || m.nonce_len != NONCE_LEN ||
	    CRYPTO_memcmp(m.nonce, n.nonce, NONCE_LEN) != 0)) {
		log_debug("RA from %s ignored: its nonce answers no "
		    "outstanding RS", from);
		return;
	}
	if (noded_asm_add(&n.asms, src, &m, gkey_now_ms(), &done, err,
	    sizeof(err)) < 0) {
		log_warnx_rl("RA from %s ignored: %s", from, err);
		return;
	}
	if (done != NULL)
		complete(done);
}

static void
read_icmp(void)
{
	struct nd_rx rx;
	int i, rc;

	for (i = 0; i < RX_BURST; i++) {
		rc = nd_sock_recv(n.fd, n.rx, sizeof(n.rx), &rx);
		if (rc == ND_RX_NONE)
			return;
		if (rc == ND_RX_ERROR) {
			log_warnx_rl("recvmsg: %s", strerror(errno));
			return;
		}
		if (rc == ND_RX_TRUNC) {
			log_warnx_rl("RA ignored: truncated on receipt");
			continue;
		}
		if (rc == ND_RX_NODST) {
			log_warnx_rl("RA ignored: no destination address");
			continue;
		}
		handle_ra(rx.len, &rx.from.sin6_addr, &rx.dst, rx.hop);
	}
}

/* ------------------------------------------------------------ loop */

static void
timers(void)
{
	uint64_t t = gkey_now_ms();
	size_t i, have = 0, count = 0;

	if (n.outstanding && t >= n.answer_deadline) {
		for (i = 0; i < NODED_ASM_MAX; i++)
			if (n.asms.a[i].in_use && !n.asms.a[i].push) {
				have = n.asms.a[i].have;
				count = n.asms.a[i].count;
			}
		if (count > 0)
			log_warnx("answer incomplete after %u ms (%zu of %zu "
			    "parts): asking again", n.cfg.answer_wait_ms, have,
			    count);
		else
			log_warnx("no answer after %u ms: asking again",
			    n.cfg.answer_wait_ms);
		n.outstanding = 0;
		noded_asm_clear(&n.asms);
		back_off("no answer");
	}
	if (!n.outstanding && t >= n.next_solicit)
		solicit();
}

static int
poll_timeout(void)
{
	uint64_t t = gkey_now_ms(), next;

	next = n.outstanding ? n.answer_deadline : n.next_solicit;
	if (next <= t)
		return 0;
	/* Wake at least every second to drop expired keys. */
	return next - t > 1000 ? 1000 : (int)(next - t);
}

static void
loop(void)
{
	struct pollfd pfd;

	while (!daemon_quit) {
		if (daemon_hup) {
			daemon_hup = 0;
			log_info("SIGHUP: soliciting now");
			n.outstanding = 0;
			n.next_solicit = 0;
			n.backoff_ms = n.cfg.retry_initial_ms;
		}
		timers();
		pfd.fd = n.fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, poll_timeout()) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd.revents & POLLIN)
			read_icmp();
		expire_keys();
	}
}

int
main(int argc, char *argv[])
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct daemon_args args;
	char err[NODED_CONF_ERRLEN];
	size_t i;

	daemon_args(argc, argv, "gkey-noded", NODED_CONF_DEFAULT, &args);
	log_init(1, args.verbose, "gkey-noded");
	if (noded_config_load(args.conffile, &n.cfg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (args.noaction) {
		fprintf(stderr, "configuration OK\n");
		return 0;
	}
	if (RAND_status() != 1)
		fatalx("the random number generator is not seeded");
	load_credentials();
	open_icmp();
	daemon_drop_privileges(n.cfg.user);
	write_keys();
	daemon_detach(args.foreground, args.verbose, "gkey-noded");
	daemon_signals(sigs, sizeof(sigs) / sizeof(sigs[0]));
	n.backoff_ms = n.cfg.retry_initial_ms;
	n.next_solicit = 0;
	log_info("started (interface %s, %zu-octet certificate)",
	    n.cfg.interface, n.cert_len);
	loop();
	log_info("stopping with %zu keys", noded_keys_count(&n.keys));
	noded_keys_clear(&n.keys);
	close(n.fd);
	EVP_PKEY_free(n.trust.node_key);
	for (i = 0; i < n.trust.n_servers; i++)
		EVP_PKEY_free(n.trust.servers[i]);
	X509_free(n.trust.anchor);
	OPENSSL_free(n.cert);
	return 0;
}
