/*
 * eap_tls_client.c - a PAA without PANA, for the tests: drives the EAP-TLS
 * peer (node/eap_tls_peer.c) through the RADIUS client
 * (pana-relay/radius_client.c) against a real radiusd.
 *
 *   eap_tls_client --server ADDR:PORT [--server ADDR:PORT] --secret S
 *       --dict-file raddb/dictionary.gkey --ca CA --cert C --key K
 *       [--identity NAME] [--fragment N] [--tls13] [--server-name NAME]
 *       [--timeout MS] [--retries N] [--dict-dir DIR]
 *
 * Prints tls=, rounds=, time_ms=, msk_match=yes|no, records=N and one
 * record=HEX line per GKey-Key-Record.  Exit 0 on Access-Accept with
 * matching MSKs, 2 on Access-Reject (Reply-Message printed), 1 on any
 * error (reason on stderr).  The MSK itself is never printed.  For the
 * final answer, accepted or rejected, it also prints eap_code= (the code
 * of its EAP-Message, 3 Success or 4 Failure; none without one) and
 * mppe_keys=N, the number of MS-MPPE-Send-Key and -Recv-Key attributes
 * on the wire: the RADIUS client decodes them only from an Access-Accept,
 * so they are counted in the datagram itself.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>

#include <openssl/crypto.h>

#include "clock.h"
#include "eap_tls_peer.h"
#include "radius_client.h"

#define PROG		"eap_tls_client"
#define MAX_ROUNDS	64
#define EXIT_REJECT	2

#define RADIUS_HDR_LEN		20
#define RADIUS_MAX_LEN		4096
#define ATTR_VSA		26
#define VENDOR_MICROSOFT	311
#define MS_MPPE_SEND_KEY	16
#define MS_MPPE_RECV_KEY	17

/* The datagram that completed the last request, as received. */
struct wire {
	uint8_t		buf[RADIUS_MAX_LEN];
	size_t		len;
};

struct wait {
	const struct radius_result	*res;
	int				 done;
	struct wire			 wire;
};

static void
on_result(struct radius_session *s, const struct radius_result *res,
    void *arg)
{
	struct wait	*w = arg;

	(void)s;
	w->res = res;
	w->done = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: " PROG " --server ADDR:PORT [--server "
	    "ADDR:PORT] --secret S --dict-file FILE\n"
	    "\t--ca CA --cert CERT --key KEY [--identity NAME] [--fragment N]\n"
	    "\t[--tls13] [--server-name NAME] [--timeout MS] [--retries N]\n"
	    "\t[--dict-dir DIR]\n");
	exit(1);
}

/* "127.0.0.1:1812" or "[::1]:1812"; host is rewritten in place. */
static int
split_hostport(char *arg, const char **host, uint16_t *port)
{
	char		*colon, *end;
	unsigned long	 p;

	if (arg[0] == '[') {
		if ((end = strchr(arg, ']')) == NULL || end[1] != ':')
			return -1;
		*end = '\0';
		*host = arg + 1;
		colon = end + 1;
	} else {
		if ((colon = strrchr(arg, ':')) == NULL)
			return -1;
		*colon = '\0';
		*host = arg;
	}
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || p == 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static unsigned long
number(const char *s, unsigned long max, const char *what)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max) {
		fprintf(stderr, PROG ": bad %s '%s'\n", what, s);
		exit(1);
	}
	return v;
}

/*
 * MS-MPPE-Send-Key and -Recv-Key attributes in a RADIUS datagram, -1 if
 * it is malformed.  Only the lengths are walked: the keys stay encrypted.
 */
static int
count_mppe_keys(const uint8_t *p, size_t len)
{
	size_t		off, alen, voff, vlen;
	uint32_t	vendor;
	int		n = 0;

	if (len < RADIUS_HDR_LEN || (size_t)((p[2] << 8) | p[3]) != len)
		return -1;
	for (off = RADIUS_HDR_LEN; off < len; off += alen) {
		if (len - off < 2 || (alen = p[off + 1]) < 2 ||
		    alen > len - off)
			return -1;
		if (p[off] != ATTR_VSA || alen < 6)
			continue;
		vendor = ((uint32_t)p[off + 2] << 24) |
		    ((uint32_t)p[off + 3] << 16) |
		    ((uint32_t)p[off + 4] << 8) | p[off + 5];
		if (vendor != VENDOR_MICROSOFT)
			continue;
		for (voff = 6; voff < alen; voff += vlen) {
			if (alen - voff < 2 || (vlen = p[off + voff + 1]) < 2 ||
			    vlen > alen - voff)
				return -1;
			if (p[off + voff] == MS_MPPE_SEND_KEY ||
			    p[off + voff] == MS_MPPE_RECV_KEY)
				n++;
		}
	}
	return n;
}

/* eap_code=, mppe_keys= and length= (octets) of the final answer. */
static void
print_wire(const struct radius_result *res, const struct wire *wire)
{
	if (res->eap != NULL && res->eap_len > 0)
		printf("eap_code=%u\n", res->eap[0]);
	else
		printf("eap_code=none\n");
	printf("mppe_keys=%d\n", count_mppe_keys(wire->buf, wire->len));
	printf("length=%zu\n", wire->len);
}

/* Waits for the session's outcome, running the client's timers. */
static int
wait_result(struct radius_client *rc, struct wait *w)
{
	struct pollfd	pfd;
	struct wire	peek;
	ssize_t		got;
	int		n, r;

	while (!w->done) {
		pfd.fd = radius_client_fd(rc);
		pfd.events = POLLIN;
		n = poll(&pfd, 1, radius_client_next_timeout(rc,
		    gkey_now_ms()));
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			return -1;
		}
		if (n > 0 && (pfd.revents & POLLIN)) {
			/* A copy of what radius_client_read() consumes. */
			got = recv(pfd.fd, peek.buf, sizeof(peek.buf),
			    MSG_PEEK | MSG_DONTWAIT);
			peek.len = got > 0 ? (size_t)got : 0;
			r = radius_client_read(rc);
			if (r < 0)
				fprintf(stderr, PROG ": warning: %s\n",
				    radius_client_error(rc));
			if (r == 1)
				w->wire = peek;
		}
		radius_client_timeout(rc, gkey_now_ms());
	}
	return 0;
}

static void
print_hex(const char *label, const uint8_t *p, size_t len)
{
	size_t	i;

	printf("%s=", label);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "server",	 required_argument, NULL, 's' },
		{ "secret",	 required_argument, NULL, 'S' },
		{ "dict-file",	 required_argument, NULL, 'D' },
		{ "dict-dir",	 required_argument, NULL, 'd' },
		{ "ca",		 required_argument, NULL, 'a' },
		{ "cert",	 required_argument, NULL, 'c' },
		{ "key",	 required_argument, NULL, 'k' },
		{ "identity",	 required_argument, NULL, 'i' },
		{ "fragment",	 required_argument, NULL, 'f' },
		{ "server-name", required_argument, NULL, 'n' },
		{ "timeout",	 required_argument, NULL, 't' },
		{ "retries",	 required_argument, NULL, 'r' },
		{ "tls13",	 no_argument,	    NULL, '3' },
		{ NULL, 0, NULL, 0 }
	};
	struct eap_tls_peer_cfg	 pcfg;
	struct radius_client_cfg rcfg;
	struct eap_tls_error	 perr;
	struct eap_tls_peer	*peer = NULL;
	struct radius_client	*rc = NULL;
	struct radius_session	*sess = NULL;
	struct wait		 w;
	struct timespec		 t0, t1;
	const char		*dict_file = NULL;
	const char		*dict_dir = "/usr/share/freeradius";
	const char		*secret = NULL;
	uint8_t			 req[4096], resp[65536];
	uint8_t			 msk[EAP_TLS_MSK_LEN];
	size_t			 req_len, resp_len, i;
	enum eap_tls_rc		 prc;
	char			 err[RADIUS_CLIENT_ERRLEN];
	int			 ch, rounds = 0, ret = 1, match;

	memset(&pcfg, 0, sizeof(pcfg));
	memset(&rcfg, 0, sizeof(rcfg));
	pcfg.identity = "gkey-node";
	rcfg.timeout_ms = 2000;
	rcfg.retries = 2;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (rcfg.nservers == RADIUS_CLIENT_MAX_SERVERS ||
			    split_hostport(optarg,
			    &rcfg.server[rcfg.nservers].host,
			    &rcfg.server[rcfg.nservers].port) != 0) {
				fprintf(stderr, PROG ": bad or extra --server "
				    "'%s'\n", optarg);
				return 1;
			}
			rcfg.nservers++;
			break;
		case 'S': secret = optarg; break;
		case 'D': dict_file = optarg; break;
		case 'd': dict_dir = optarg; break;
		case 'a': pcfg.ca_file = optarg; break;
		case 'c': pcfg.cert_file = optarg; break;
		case 'k': pcfg.key_file = optarg; break;
		case 'i': pcfg.identity = optarg; break;
		case 'n': pcfg.server_name = optarg; break;
		case 'f':
			pcfg.fragment_size = number(optarg, 65535, "fragment");
			break;
		case 't':
			rcfg.timeout_ms = number(optarg, 600000, "timeout");
			break;
		case 'r':
			rcfg.retries = number(optarg, 10, "retries");
			break;
		case '3': pcfg.tls13 = 1; break;
		default: usage();
		}
	}
	if (optind != argc || rcfg.nservers == 0 || secret == NULL ||
	    dict_file == NULL || pcfg.ca_file == NULL ||
	    pcfg.cert_file == NULL || pcfg.key_file == NULL)
		usage();
	for (i = 0; i < rcfg.nservers; i++)
		rcfg.server[i].secret = secret;
	rcfg.nas_identifier = "eap-tls-client";
	rcfg.service_type = 2;		/* Framed-User */
	/* Ask the server for fragments no larger than ours. */
	rcfg.framed_mtu = pcfg.fragment_size != 0 ?
	    (uint32_t)pcfg.fragment_size : EAP_TLS_FRAG_DEFAULT;
	rcfg.cb = on_result;

	if (radius_client_init(dict_dir, dict_file, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if ((peer = eap_tls_peer_new(&pcfg, &perr)) == NULL) {
		fprintf(stderr, PROG ": %s\n", perr.msg);
		return 1;
	}
	if ((rc = radius_client_new(&rcfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		goto done;
	}
	memset(&w, 0, sizeof(w));
	if ((sess = radius_session_new(rc, "2001:db8::e1", &w)) == NULL) {
		fprintf(stderr, PROG ": %s\n", radius_client_error(rc));
		goto done;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* The PAA asks for the identity itself (RFC 3579 2.1). */
	req[0] = EAP_CODE_REQUEST;
	req[1] = 1;
	req[2] = 0;
	req[3] = 5;
	req[4] = EAP_TYPE_IDENTITY;
	req_len = 5;
	for (;;) {
		prc = eap_tls_peer_process(peer, req, req_len, resp,
		    sizeof(resp), &resp_len);
		if (prc == EAP_TLS_PEER_DISCARD) {
			fprintf(stderr, PROG ": peer discarded the request: "
			    "%s\n", eap_tls_peer_error(peer));
			goto done;
		}
		if (prc == EAP_TLS_PEER_FAILURE) {
			fprintf(stderr, PROG ": EAP-TLS failed: %s\n",
			    eap_tls_peer_error(peer));
			/* Let the server see the alert; its answer is moot. */
			if (resp_len > 0) {
				memset(&w, 0, sizeof(w));
				if (radius_client_send(sess, resp, resp_len,
				    gkey_now_ms()) == 0)
					(void)wait_result(rc, &w);
				if (w.done && w.res->outcome == RADIUS_REJECT)
					fprintf(stderr, PROG ": server "
					    "answered Access-Reject\n");
			}
			goto done;
		}
		if (++rounds > MAX_ROUNDS) {
			fprintf(stderr, PROG ": more than %d round trips\n",
			    MAX_ROUNDS);
			goto done;
		}
		memset(&w, 0, sizeof(w));
		if (radius_client_send(sess, resp, resp_len,
		    gkey_now_ms()) != 0) {
			fprintf(stderr, PROG ": %s\n", radius_client_error(rc));
			goto done;
		}
		if (wait_result(rc, &w) != 0)
			goto done;
		if (w.res->outcome == RADIUS_TIMEOUT) {
			fprintf(stderr, PROG ": no answer from any RADIUS "
			    "server\n");
			goto done;
		}
		if (w.res->outcome != RADIUS_CHALLENGE)
			break;
		if (w.res->eap == NULL || w.res->eap_len > sizeof(req)) {
			fprintf(stderr, PROG ": Access-Challenge without a "
			    "usable EAP-Message\n");
			goto done;
		}
		memcpy(req, w.res->eap, w.res->eap_len);
		req_len = w.res->eap_len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	/* Hand the EAP-Success or EAP-Failure to the peer too. */
	if (w.res->eap != NULL)
		prc = eap_tls_peer_process(peer, w.res->eap, w.res->eap_len,
		    resp, sizeof(resp), &resp_len);
	else
		prc = EAP_TLS_PEER_DISCARD;

	if (w.res->outcome == RADIUS_REJECT) {
		printf("result=reject\n");
		printf("reply_message=%s\n", w.res->reply_message != NULL ?
		    w.res->reply_message : "");
		print_wire(w.res, &w.wire);
		ret = EXIT_REJECT;
		goto done;
	}
	if (prc != EAP_TLS_PEER_SUCCESS) {
		fprintf(stderr, PROG ": Access-Accept but the peer did not "
		    "accept an EAP-Success: %s\n", eap_tls_peer_error(peer));
		goto done;
	}
	if (!w.res->has_msk) {
		fprintf(stderr, PROG ": Access-Accept without MS-MPPE keys\n");
		goto done;
	}
	if (eap_tls_peer_msk(peer, msk) != 0) {
		fprintf(stderr, PROG ": %s\n", eap_tls_peer_error(peer));
		goto done;
	}
	match = CRYPTO_memcmp(msk, w.res->msk, sizeof(msk)) == 0;
	OPENSSL_cleanse(msk, sizeof(msk));
	printf("result=accept\n");
	printf("tls=%s\n", eap_tls_peer_tls_version(peer));
	printf("rounds=%d\n", rounds);
	printf("time_ms=%.3f\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	printf("msk_match=%s\n", match ? "yes" : "no");
	print_wire(w.res, &w.wire);
	if (w.res->has_session_timeout)
		printf("session_timeout=%u\n", w.res->session_timeout);
	printf("records=%zu\n", w.res->nrecords);
	for (i = 0; i < w.res->nrecords; i++)
		print_hex("record", w.res->records[i], w.res->record_len[i]);
	if (w.res->records_dropped > 0)
		fprintf(stderr, PROG ": %zu records beyond %d dropped\n",
		    w.res->records_dropped, RADIUS_CLIENT_MAX_RECORDS);
	ret = match ? 0 : 1;
done:
	fflush(stdout);
	radius_session_free(sess);
	radius_client_free(rc);
	eap_tls_peer_free(peer);
	return ret;
}
