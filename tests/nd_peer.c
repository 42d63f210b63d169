/*
 * nd_peer.c - a test node for nd.test: sends one gkey Router
 * Solicitation (doc/nd.md 1.1) on an interface, honest or forged on
 * request, and prints what comes back, so the test can check gkey-ard
 * from outside.  Not installed.
 *
 *   nd_peer -i IF -c CERT.pem -k KEY.pem [-a APP]... [-w MS] [-t ADDR]
 *           [-H HOPS] [-n NONCEHEX] [-s SKEW] [-B] [-P] [-M]
 *
 *   -B  flip a bit of the signature        -P  plain RS (no gkey option)
 *   -M  append a malformed option (Length 0)   -s  timestamp skew in s
 *   -n  this nonce (hex, 6+8k octets)      -H  hop limit (default 255)
 *   -S  sign with this key instead of -k's (a certificate whose own key
 *       cannot sign an RS, e.g. Ed25519, still reaches the AR's check)
 *
 * With -R it plays a (possibly forged) access router instead: it waits
 * up to -w ms for one gkey RS, then answers its source with RAs signed
 * with -k for certificate -c, echoing the nonce, carrying the records
 * given with -r HEX, -p per RA (default all in one):
 *
 *   -T  flip a bit in a record of part 1 after signing
 *   -D  leave out the last part           -M  a Length 0 option, signed
 *   -Z  Status 1 "no keys" instead of records
 *   -U  no Nonce: an unsolicited answer (a push, doc/nd.md 1.6)
 *
 * Output, one line each: "rs-size N", then for every RA received
 * "ra part=I/N size=N records=N refresh=N status=C reason=TEXT sig=ok|bad"
 * and "record HEX" for every Key Record.  An RA that does not parse is
 * "ra malformed: REASON".
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "keys.h"

#define GKEY_REC_HEX_MAX	512
#include "nd_crypto.h"
#include "nd_msg.h"
#include "nd_sock.h"

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "nd_peer: %s\n", what);
	exit(2);
}

static size_t
hex_decode(const char *s, uint8_t *out, size_t size)
{
	size_t n = strlen(s) / 2, i;
	unsigned int b;

	if (strlen(s) % 2 != 0 || n > size)
		die("bad hex");
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			die("bad hex");
		out[i] = (uint8_t)b;
	}
	return n;
}

static void
print_ra(const uint8_t *buf, size_t len, const struct in6_addr *src,
    const struct in6_addr *dst)
{
	struct nd_msg m;
	struct nd_opt_iter it;
	struct nd_opt o;
	EVP_PKEY *key;
	char err[ND_ERRLEN];
	size_t i;
	int sig = -1;

	if (nd_msg_parse(buf, len, &m, err, sizeof(err)) != 0 ||
	    (m.has_gkey && nd_msg_require(&m, err, sizeof(err)) != 0)) {
		printf("ra malformed: %s\n", err);
		return;
	}
	if (m.cert != NULL && m.sig != NULL &&
	    (key = nd_cert_p256_key(m.cert, m.cert_len, NULL, NULL, NULL,
	    0)) != NULL) {
		sig = nd_msg_verify(&m, key, src->s6_addr, dst->s6_addr, NULL,
		    0);
		EVP_PKEY_free(key);
	}
	printf("ra part=%u/%u size=%zu records=%u refresh=%u status=%u "
	    "reason=%.*s hop=%u lifetime=%u nonce=", m.part_index,
	    m.part_count, len + 40, m.n_records, m.refresh, m.status,
	    (int)m.reason_len, m.reason != NULL ? (const char *)m.reason : "",
	    m.cur_hop_limit, m.router_lifetime);
	for (i = 0; i < m.nonce_len; i++)
		printf("%02x", m.nonce[i]);
	printf(" sig=%s\n", sig == 0 ? "ok" : "bad");
	nd_opt_iter_init(&it, &m);
	while (nd_opt_next(&it, &o))
		if (o.type == ND_OPT_GKEY && o.subtype == ND_GK_RECORD) {
			printf("record ");
			for (i = 0; i < o.len; i++)
				printf("%02x", o.data[i]);
			printf("\n");
		}
}

struct fake_ar {
	const char	*ifname;
	unsigned int	 ifindex;
	const struct in6_addr *src;
	EVP_PKEY	*key;
	const uint8_t	*cert;
	size_t		 cert_len;
	uint8_t		(*recs)[GKEY_REC_HEX_MAX];
	const size_t	*rec_len;
	size_t		 n_recs, per_part;
	int		 tamper, drop_last, bad_opt, status_only, push;
	long		 wait_ms;
};

static int
raw_socket(const char *ifname, int type)
{
	struct icmp6_filter filt;
	int fd, on = 1, hops = 255;

	if ((fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)) == -1)
		die("raw socket (root needed)");
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(type, &filt);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt,
	    sizeof(filt)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
	    sizeof(hops)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname)) == -1)
		die("socket options");
	if (type == ND_TYPE_RS) {
		struct ipv6_mreq mreq;

		memset(&mreq, 0, sizeof(mreq));
		inet_pton(AF_INET6, "ff02::2", &mreq.ipv6mr_multiaddr);
		mreq.ipv6mr_interface = if_nametoindex(ifname);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq,
		    sizeof(mreq)) == -1 && errno != EADDRINUSE)
			die("joining ff02::2");
	}
	return fd;
}

static void
send_from(int fd, unsigned int ifindex, const struct in6_addr *src,
    const struct in6_addr *dst, const uint8_t *buf, size_t len)
{
	if (nd_sock_send(fd, ifindex, src, dst, buf, len) == -1)
		die(strerror(errno));
}

/* Waits for one gkey RS and answers it as f says. */
static int
fake_ar(const struct fake_ar *f)
{
	static uint8_t rx[4096], pkt[ND_MSG_MAX];
	static const struct nd_ra_hdr h = { 64, 0, 1800, 0, 0 };
	struct sockaddr_in6 from;
	struct timespec ts;
	struct nd_msg m;
	struct nd_builder b;
	struct pollfd p;
	size_t parts, i, j, len, first;
	ssize_t r;
	int fd = raw_socket(f->ifname, ND_TYPE_RS), rc;
	socklen_t fl;

	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		if (poll(&p, 1, (int)f->wait_ms) <= 0)
			die("no RS came");
		fl = sizeof(from);
		if ((r = recvfrom(fd, rx, sizeof(rx), 0,
		    (struct sockaddr *)&from, &fl)) <= 0)
			die("recvfrom");
		if (nd_msg_parse(rx, (size_t)r, &m, NULL, 0) == 0 &&
		    m.has_gkey && m.nonce != NULL)
			break;
	}
	parts = f->status_only || f->n_recs == 0 ? 1 :
	    (f->n_recs + f->per_part - 1) / f->per_part;
	for (i = 0; i < parts; i++) {
		if (f->drop_last && parts > 1 && i == parts - 1)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		nd_build_ra(&b, pkt, sizeof(pkt), &h);
		if (!f->push)
			nd_build_nonce(&b, m.nonce, m.nonce_len);
		nd_build_timestamp(&b, nd_timestamp((uint64_t)ts.tv_sec,
		    (uint32_t)ts.tv_nsec));
		nd_build_gkey(&b, ND_GK_CERT, f->cert, f->cert_len);
		nd_build_part(&b, (uint8_t)(i + 1), (uint8_t)parts);
		if (f->status_only)
			nd_build_status(&b, ND_STATUS_REFUSED, "no keys");
		else {
			first = i * f->per_part;
			for (j = first; j < f->n_recs && j < first +
			    f->per_part; j++)
				nd_build_gkey(&b, ND_GK_RECORD, f->recs[j],
				    f->rec_len[j]);
			nd_build_refresh(&b, 3600);
		}
		if (f->bad_opt && nd_build_room(&b) >= 8) {
			memset(pkt + b.len, 0, 8);
			pkt[b.len] = ND_OPT_MTU;
			b.len += 8;
		}
		if ((rc = nd_sign_finish(&b, f->key, f->src->s6_addr,
		    from.sin6_addr.s6_addr, &len)) != 0)
			die(nd_strerror(rc));
		if (f->tamper && i == 0 && !f->status_only)
			/* A byte inside the part's last record. */
			pkt[len - ND_SIG_OPT_LEN - 16 - 20] ^= 0x01;
		send_from(fd, f->ifindex, f->src, &from.sin6_addr, pkt, len);
		printf("sent part %zu/%zu size %zu\n", i + 1, parts, len + 40);
	}
	close(fd);
	return 0;
}

int
main(int argc, char *argv[])
{
	static uint8_t pkt[ND_MSG_MAX], rx[4096];
	const char *ifname = NULL, *certf = NULL, *keyf = NULL, *apps[40];
	const char *to = "ff02::2", *signf = NULL;
	struct sockaddr_in6 from;
	struct in6_addr src, dst;
	struct nd_builder b;
	struct icmp6_filter filt;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cm;
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[256];
	} cbuf;
	struct timespec ts;
	uint8_t nonce[64], slla[6] = { 2, 0, 0, 0, 0, 1 };
	unsigned char *der = NULL;
	size_t nonce_len = 6, len;
	long skew = 0, wait_ms = 3000;
	int ch, n_apps = 0, hops = 255, bad_sig = 0, plain = 0, bad_opt = 0;
	int nonce_given = 0, ar_mode = 0, tamper = 0, drop_last = 0;
	int status_only = 0, push = 0;
	static uint8_t recs[24][GKEY_REC_HEX_MAX];
	size_t rec_len[24], n_recs = 0, per_part = 24;
	int fd, i, derlen = 0, rc;
	unsigned int ifindex;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	FILE *fp;
	char err[256];

	while ((ch = getopt(argc, argv, "i:c:k:a:w:t:H:n:s:S:BPMRr:p:TDZU")) != -1) {
		switch (ch) {
		case 'i': ifname = optarg; break;
		case 'c': certf = optarg; break;
		case 'k': keyf = optarg; break;
		case 'a':
			if (n_apps == 40)
				die("too many -a");
			apps[n_apps++] = optarg;
			break;
		case 'w': wait_ms = atol(optarg); break;
		case 't': to = optarg; break;
		case 'H': hops = atoi(optarg); break;
		case 'n': nonce_len = hex_decode(optarg, nonce, sizeof(nonce));
			nonce_given = 1;
			break;
		case 's': skew = atol(optarg); break;
		case 'S': signf = optarg; break;
		case 'B': bad_sig = 1; break;
		case 'P': plain = 1; break;
		case 'M': bad_opt = 1; break;
		case 'R': ar_mode = 1; break;
		case 'r':
			if (n_recs == 24)
				die("too many -r");
			rec_len[n_recs] = hex_decode(optarg, recs[n_recs],
			    sizeof(recs[0]));
			n_recs++;
			break;
		case 'p': per_part = (size_t)atoi(optarg); break;
		case 'T': tamper = 1; break;
		case 'D': drop_last = 1; break;
		case 'Z': status_only = 1; break;
		case 'U': push = 1; break;
		default: die("bad usage");
		}
	}
	if (ifname == NULL || (!plain && (certf == NULL || keyf == NULL)))
		die("usage: nd_peer -i IF -c CERT -k KEY ...");
	if ((ifindex = if_nametoindex(ifname)) == 0 ||
	    nd_lladdr(ifname, &src) != 0)
		die("interface has no link-local address");
	if (inet_pton(AF_INET6, to, &dst) != 1)
		die("bad -t");
	if (!plain) {
		if ((fp = fopen(certf, "r")) == NULL ||
		    (x = PEM_read_X509(fp, NULL, NULL, NULL)) == NULL)
			die("cannot read the certificate");
		fclose(fp);
		if ((derlen = i2d_X509(x, &der)) <= 0)
			die("cannot encode the certificate");
		if ((key = gkey_load_private_key(signf != NULL ? signf : keyf,
		    err, sizeof(err))) ==
		    NULL)
			die(err);
	}
	if (!nonce_given && RAND_bytes(nonce, 6) != 1)
		die("RAND_bytes");
	if (ar_mode) {
		struct fake_ar f = { ifname, ifindex, &src, key, der,
			(size_t)derlen, recs, rec_len, n_recs, per_part,
			tamper, drop_last, bad_opt, status_only, push, wait_ms };

		rc = fake_ar(&f);
		OPENSSL_free(der);
		X509_free(x);
		EVP_PKEY_free(key);
		return rc;
	}

	clock_gettime(CLOCK_REALTIME, &ts);
	nd_build_rs(&b, pkt, sizeof(pkt));
	nd_build_opt(&b, ND_OPT_SLLA, slla, sizeof(slla));
	if (!plain) {
		nd_build_nonce(&b, nonce, nonce_len);
		nd_build_timestamp(&b, nd_timestamp((uint64_t)(ts.tv_sec +
		    skew), (uint32_t)ts.tv_nsec));
		nd_build_gkey(&b, ND_GK_CERT, der, (size_t)derlen);
		for (i = 0; i < n_apps; i++)
			nd_build_gkey(&b, ND_GK_APP, (const uint8_t *)apps[i],
			    strlen(apps[i]));
		if (bad_opt && nd_build_room(&b) >= 8) {
			/* An SLLA with Length 0, signed like the rest. */
			memset(pkt + b.len, 0, 8);
			pkt[b.len] = ND_OPT_SLLA;
			b.len += 8;
		}
		if ((rc = nd_sign_finish(&b, key, src.s6_addr, dst.s6_addr,
		    &len)) != 0)
			die(nd_strerror(rc));
		if (bad_sig)
			pkt[len - 3] ^= 0x01;	/* s, before the padding */
	} else
		len = b.len;
	printf("rs-size %zu\n", len + 40);

	fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd == -1)
		die("raw socket (root needed)");
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(ND_TYPE_RA, &filt);
	i = 1;
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt,
	    sizeof(filt)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &i, sizeof(i)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops,
	    sizeof(hops)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
	    sizeof(hops)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname)) == -1)
		die("socket options");

	send_from(fd, ifindex, &src, &dst, pkt, len);

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, (int)wait_ms) <= 0)
			break;
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = rx;
		iov.iov_len = sizeof(rx);
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		if ((n = recvmsg(fd, &msg, 0)) <= 0)
			break;
		dst = src;
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		    cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == IPPROTO_IPV6 &&
			    cm->cmsg_type == IPV6_PKTINFO)
				dst = ((struct in6_pktinfo *)
				    CMSG_DATA(cm))->ipi6_addr;
		print_ra(rx, (size_t)n, &from.sin6_addr, &dst);
		fflush(stdout);
	}
	close(fd);
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(key);
	return 0;
}
