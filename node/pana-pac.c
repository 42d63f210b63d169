/*
 * pana-pac - a PANA client (RFC 5191) for IoT nodes: authenticates with
 * EAP-TLS through a PAA, opens the Key Records of the final PANA-Auth
 * exchange and prints one line per group key, in gkey-unwrap's format.
 *
 * main, options and the poll() loop live here; the protocol is pac.c, the
 * EAP method eap_tls_peer.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "clock.h"
#include "eap_tls_peer.h"
#include "hpke.h"
#include "keyrecord.h"
#include "keys.h"
#include "pac.h"
#include "recline.h"

#define PROG			"pana-pac"
#define MAX_SERVERS		8
#define DEFAULT_TIMEOUT_S	30
#define REAUTH_PERCENT		80	/* of the Session-Lifetime */

#define EXIT_FAIL		1
#define EXIT_REJECTED		2

struct eap_adapter {
	struct eap_tls_peer_cfg	 cfg;
	struct eap_tls_peer	*peer;
	char			 err[EAP_TLS_ERRLEN];
};

struct opts {
	const char	*paa;
	const char	*ca;
	const char	*cert;
	const char	*key;
	const char	*servers[MAX_SERVERS];
	size_t		 nservers;
	const char	*identity;
	int		 once;
	long		 reauth;	/* re-authentications to do; -1: forever */
	long		 reauth_after_s; /* -1: at REAUTH_PERCENT of lifetime */
	unsigned int	 rt_ms;
	long		 timeout_s;
	int		 sha1;
	int		 no_piggyback;
	int		 tls12;
	int		 verbose;
	const char	*bind;		/* local address; NULL: any */
	const char	*rebind;	/* move here once open; NULL: stay */
	long		 rebind_after_s;
};

static volatile sig_atomic_t	got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: %s --paa ADDR:PORT --ca CA.pem --cert NODE.pem "
	    "--key NODE.key\n"
	    "       --server KS.pub.pem [--server KS.pub.pem] "
	    "[--identity NAME]\n"
	    "       [--once | --reauth N] [--reauth-after S] [--rt-ms MS] "
	    "[--timeout S]\n"
	    "       [--sha1] [--tls12] [--no-piggyback] [--bind ADDR]\n"
	    "       [--rebind ADDR [--rebind-after S]] [-v]\n", PROG);
}

static void
pac_log(void *arg, int prio, const char *msg)
{
	const struct opts	*o = arg;

	/*
	 * Dropped datagrams (warnings) always show; the reason a session
	 * ended is printed once by exit_code(), so errors only with -v.
	 */
	if (prio == LOG_WARNING || (prio <= LOG_INFO && o->verbose >= 1) ||
	    (prio == LOG_DEBUG && o->verbose >= 2))
		fprintf(stderr, "%s: %s\n", PROG, msg);
}

/* ---- the EAP-TLS peer behind the PaC's method interface ---- */

static int
ad_begin(void *ctx, char *err, size_t errlen)
{
	struct eap_adapter	*a = ctx;
	struct eap_tls_error	 e;

	/* Every (re-)authentication is a new TLS session. */
	eap_tls_peer_free(a->peer);
	if ((a->peer = eap_tls_peer_new(&a->cfg, &e)) == NULL) {
		snprintf(err, errlen, "%s", e.msg);
		return -1;
	}
	return 0;
}

static enum pac_eap_rc
ad_process(void *ctx, const uint8_t *req, size_t len, uint8_t *resp,
    size_t resp_size, size_t *resp_len)
{
	struct eap_adapter	*a = ctx;

	*resp_len = 0;
	if (a->peer == NULL)
		return PAC_EAP_DISCARD;
	switch (eap_tls_peer_process(a->peer, req, len, resp, resp_size,
	    resp_len)) {
	case EAP_TLS_PEER_CONTINUE:
		return PAC_EAP_CONTINUE;
	case EAP_TLS_PEER_SUCCESS_PENDING:
		return PAC_EAP_DONE;
	case EAP_TLS_PEER_SUCCESS:
		return PAC_EAP_SUCCESS;
	case EAP_TLS_PEER_FAILURE:
		return PAC_EAP_FAILURE;
	case EAP_TLS_PEER_DISCARD:
	default:
		return PAC_EAP_DISCARD;
	}
}

static int
ad_msk(void *ctx, uint8_t *msk, size_t size, size_t *len)
{
	struct eap_adapter	*a = ctx;

	if (a->peer == NULL || size < EAP_TLS_MSK_LEN ||
	    eap_tls_peer_msk(a->peer, msk) != 0)
		return -1;
	*len = EAP_TLS_MSK_LEN;
	return 0;
}

static const char *
ad_error(void *ctx)
{
	struct eap_adapter	*a = ctx;

	return a->peer != NULL ? eap_tls_peer_error(a->peer) : a->err;
}

static const struct pac_eap_ops eap_tls_ops = {
	ad_begin, ad_process, ad_msk, ad_error
};

/* ---- set-up ---- */

static int
parse_long(const char *s, long min, long max, long *v)
{
	char	*end;
	long	 n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

/* "host:port", "[v6]:port" or "v4:port"; a connected UDP socket. */
/* Bind fd to the numeric address local (port 0) of family af; 0 or -1. */
static int
bind_local(int fd, int af, const char *local)
{
	struct addrinfo	 hints, *res = NULL;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = af;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	if ((rc = getaddrinfo(local, "0", &hints, &res)) != 0) {
		fprintf(stderr, "%s: local address %s: %s\n", PROG, local,
		    gai_strerror(rc));
		return -1;
	}
	rc = bind(fd, res->ai_addr, res->ai_addrlen);
	if (rc == -1)
		fprintf(stderr, "%s: bind %s: %s\n", PROG, local,
		    strerror(errno));
	freeaddrinfo(res);
	return rc == -1 ? -1 : 0;
}

/*
 * A UDP socket connected to the PAA at spec (ADDR:PORT), bound to the
 * numeric address local first unless local is NULL.  The fd, or -1.
 */
static int
open_socket(const char *spec, const char *local)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 host[256];
	const char	*port, *colon;
	size_t		 hlen;
	int		 fd = -1, rc, bind_failed = 0;

	if (spec[0] == '[') {
		if ((colon = strstr(spec, "]:")) == NULL) {
			fprintf(stderr, "%s: --paa %s: want [ADDR]:PORT\n",
			    PROG, spec);
			return -1;
		}
		hlen = (size_t)(colon - spec - 1);
		port = colon + 2;
		spec++;
	} else {
		if ((colon = strrchr(spec, ':')) == NULL ||
		    memchr(spec, ':', (size_t)(colon - spec)) != NULL) {
			fprintf(stderr, "%s: --paa %s: want ADDR:PORT "
			    "([ADDR]:PORT for IPv6)\n", PROG, spec);
			return -1;
		}
		hlen = (size_t)(colon - spec);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host) || *port == '\0') {
		fprintf(stderr, "%s: --paa: bad address or port\n", PROG);
		return -1;
	}
	memcpy(host, spec, hlen);
	host[hlen] = '\0';

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		fprintf(stderr, "%s: %s port %s: %s\n", PROG, host, port,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1)
			continue;
		if (local != NULL && bind_local(fd, ai->ai_family, local) != 0) {
			close(fd);
			fd = -1;
			bind_failed = 1;	/* said why */
			break;
		}
		/* Connected: the kernel drops datagrams from anyone else. */
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd == -1 && !bind_failed)
		fprintf(stderr, "%s: %s port %s: %s\n", PROG, host, port,
		    strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/*
 * --rebind: the node's address changed.  A socket from the new address
 * replaces *fd, and a ping from there (a new request under the PANA SA:
 * the PAA takes a new address only from such a message, doc/pana.md
 * section 4.4) tells the PAA; *ping_at is when to try the ping (now, or
 * again while another request of ours is outstanding).  0 or -1.
 */
static int
rebind(int *fd, const struct opts *o, uint64_t now, uint64_t *ping_at)
{
	int nfd;

	if ((nfd = open_socket(o->paa, o->rebind)) == -1)
		return -1;
	close(*fd);
	*fd = nfd;
	*ping_at = now;
	if (o->verbose > 0)
		fprintf(stderr, "%s: moved to %s, telling the PAA with a "
		    "ping\n", PROG, o->rebind);
	return 0;
}

/* The certificate's subject CN, the default EAP identity. */
static int
cert_cn(const char *path, char *out, size_t size)
{
	FILE	*fp;
	X509	*x;
	int	 n = -1;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL)
		return -1;
	n = X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, out, (int)size);
	X509_free(x);
	return n > 0 ? 0 : -1;
}

/* ---- the loop ---- */

static int
flush_output(struct pac *pac, int fd)
{
	uint8_t	buf[PAC_OUT_MAX];
	size_t	len;

	while (pac_output(pac, buf, sizeof(buf), &len) == 1) {
		if (send(fd, buf, len, 0) == -1 && errno != ECONNREFUSED &&
		    errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "%s: send: %s\n", PROG,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* One line per record; -1 if any did not open. */
static int
print_records(const struct pac *pac)
{
	const struct pac_record	*r;
	char			 line[GKEY_RECORD_LINE_MAX];
	size_t			 i, n = pac_record_count(pac);
	int			 ret = 0;

	if (n == 0) {
		fprintf(stderr, "%s: the PAA sent no key record\n", PROG);
		return -1;
	}
	for (i = 0; i < n; i++) {
		r = pac_record(pac, i);
		if (!r->ok) {
			fprintf(stderr, "%s: key record %zu: %s\n", PROG,
			    i + 1, r->err);
			ret = -1;
			continue;
		}
		if (gkey_record_line(&r->hdr, r->gk, r->gk_len, line,
		    sizeof(line)) != 0) {
			fprintf(stderr, "%s: key record %zu: cannot format "
			    "it\n", PROG, i + 1);
			ret = -1;
			continue;
		}
		printf("%s\n", line);
		OPENSSL_cleanse(line, sizeof(line));
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: standard output: %s\n", PROG,
		    strerror(errno));
		ret = -1;
	}
	return ret;
}

static int
exit_code(const struct pac *pac, int failed)
{
	switch (pac_state(pac)) {
	case PAC_ST_CLOSED:
		return failed ? EXIT_FAIL : 0;
	case PAC_ST_REJECTED:
		if (pac_local_eap_failure(pac)) {
			fprintf(stderr, "%s: %s\n", PROG, pac_error(pac));
			return EXIT_FAIL;
		}
		fprintf(stderr, "%s: authentication rejected\n", PROG);
		return EXIT_REJECTED;
	case PAC_ST_FAILED:
		fprintf(stderr, "%s: %s\n", PROG, pac_error(pac));
		return EXIT_FAIL;
	default:
		return EXIT_FAIL;
	}
}

static int
run(struct pac *pac, int *fdp, const struct opts *o,
    const struct eap_adapter *ad)
{
	struct pollfd	 pfd;
	uint8_t		 buf[PANA_MSG_MAX];
	uint64_t	 now, deadline, reauth_at = 0, rebind_at = 0;
	uint64_t	 ping_at = 0;
	int		 fd = *fdp, rebound = 0;
	int64_t		 t, wait;
	long		 reauths_left = o->reauth;
	const char	*waiting = "authentication";
	ssize_t		 n;
	unsigned int	 ev;
	int		 failed = 0, closing = 0;

	now = gkey_now_ms();
	deadline = now + (uint64_t)o->timeout_s * 1000;
	if (pac_start(pac, now) != 0 || flush_output(pac, fd) != 0)
		return exit_code(pac, 1);

	for (;;) {
		enum pac_state	st = pac_state(pac);

		/* The last answer (PAN[C] to a reject, PTA) goes out first. */
		if (flush_output(pac, fd) != 0)
			return EXIT_FAIL;
		if (st == PAC_ST_CLOSED || st == PAC_ST_REJECTED ||
		    st == PAC_ST_FAILED)
			return exit_code(pac, failed);

		now = gkey_now_ms();
		if (got_signal && !closing) {
			got_signal = 0;
			if (pac_terminate(pac, now) != 0) {
				fprintf(stderr, "%s: interrupted before the "
				    "session was open\n", PROG);
				return EXIT_FAIL;
			}
			closing = 1;
			waiting = "termination";
			deadline = now + (uint64_t)o->timeout_s * 1000;
		}
		if (deadline != 0 && now >= deadline) {
			fprintf(stderr, "%s: timed out after %ld s waiting "
			    "for %s\n", PROG, o->timeout_s, waiting);
			return EXIT_FAIL;
		}
		if (reauth_at != 0 && now >= reauth_at &&
		    pac_state(pac) == PAC_ST_OPEN) {
			if (pac_reauth(pac, now) == 0) {
				reauth_at = 0;
				waiting = "re-authentication";
				deadline = now + (uint64_t)o->timeout_s * 1000;
			} else
				reauth_at = now + 1000;	/* busy: retry */
		}
		if (rebind_at != 0 && now >= rebind_at &&
		    pac_state(pac) == PAC_ST_OPEN) {
			rebind_at = 0;
			if (rebind(fdp, o, now, &ping_at) != 0)
				return EXIT_FAIL;
			fd = *fdp;
		}
		if (ping_at != 0 && now >= ping_at &&
		    pac_state(pac) == PAC_ST_OPEN)
			ping_at = pac_ping(pac, now) == 0 ? 0 : now + 200;
		if (flush_output(pac, fd) != 0)
			return EXIT_FAIL;

		wait = deadline != 0 ? (int64_t)(deadline - now) : -1;
		if (rebind_at != 0 || ping_at != 0) {
			t = rebind_at != 0 ? (int64_t)rebind_at : (int64_t)ping_at;
			t = t > (int64_t)now ? t - (int64_t)now : 0;
			wait = wait < 0 || t < wait ? t : wait;
		}
		if (reauth_at != 0) {
			t = reauth_at > now ? (int64_t)(reauth_at - now) : 0;
			wait = wait < 0 || t < wait ? t : wait;
		}
		t = pac_next_timeout(pac, now);
		if (t >= 0 && (wait < 0 || t < wait))
			wait = t;
		if (wait > INT_MAX)
			wait = INT_MAX;

		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)wait) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", PROG,
			    strerror(errno));
			return EXIT_FAIL;
		}
		now = gkey_now_ms();
		if (pfd.revents & (POLLIN | POLLERR)) {
			n = recv(fd, buf, sizeof(buf), 0);
			if (n >= 0)
				pac_input(pac, buf, (size_t)n, now);
			else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNREFUSED) {
				fprintf(stderr, "%s: recv: %s\n", PROG,
				    strerror(errno));
				return EXIT_FAIL;
			}
			/* ECONNREFUSED: no PAA yet; the PCI is retried. */
		}
		pac_timeout(pac, now);

		ev = pac_events(pac);
		if (ev & PAC_EV_AUTHENTICATED) {
			deadline = 0;
			if (o->verbose > 0)
				fprintf(stderr, "%s: EAP-TLS with %s, key id "
				    "%" PRIu32 ", Session-Lifetime %" PRIu32
				    " s\n", PROG,
				    eap_tls_peer_tls_version(ad->peer),
				    pac_key_id(pac), pac_session_lifetime(pac));
			if (print_records(pac) != 0)
				failed = 1;
			if (o->rebind != NULL && !rebound) {
				rebound = 1;
				rebind_at = now +
				    (uint64_t)o->rebind_after_s * 1000;
			}
			if (failed || o->once || reauths_left == 0) {
				if (pac_terminate(pac, now) != 0)
					return EXIT_FAIL;
				closing = 1;
				waiting = "termination";
				deadline = now + (uint64_t)o->timeout_s * 1000;
			} else {
				uint64_t lt = pac_session_lifetime(pac);

				if (reauths_left > 0)
					reauths_left--;
				if (o->reauth_after_s >= 0)
					reauth_at = now +
					    (uint64_t)o->reauth_after_s * 1000;
				else if (lt > 0)
					reauth_at = now + lt * 1000 *
					    REAUTH_PERCENT / 100;
				else if (o->reauth >= 0)
					reauth_at = now;   /* asked for */
				else
					reauth_at = 0;	/* nothing expires */
			}
		}
	}
}

int
main(int argc, char *argv[])
{
	static const struct option	longopts[] = {
		{ "paa",	  required_argument, NULL, 'p' },
		{ "ca",		  required_argument, NULL, 'a' },
		{ "cert",	  required_argument, NULL, 'c' },
		{ "key",	  required_argument, NULL, 'k' },
		{ "server",	  required_argument, NULL, 's' },
		{ "identity",	  required_argument, NULL, 'i' },
		{ "once",	  no_argument,	     NULL, 'o' },
		{ "reauth",	  required_argument, NULL, 'r' },
		{ "reauth-after", required_argument, NULL, 'R' },
		{ "rt-ms",	  required_argument, NULL, 'm' },
		{ "timeout",	  required_argument, NULL, 't' },
		{ "sha1",	  no_argument,	     NULL, '1' },
		{ "no-piggyback", no_argument,	     NULL, 'n' },
		{ "tls12",	  no_argument,	     NULL, '2' },
		{ "bind",	  required_argument, NULL, 'b' },
		{ "rebind",	  required_argument, NULL, 'B' },
		{ "rebind-after", required_argument, NULL, 'A' },
		{ "verbose",	  no_argument,	     NULL, 'v' },
		{ "help",	  no_argument,	     NULL, 'h' },
		{ NULL,		  0,		     NULL, 0 }
	};
	struct opts		 o;
	struct eap_adapter	 ad;
	struct pac_cfg		 cfg;
	struct pac		*pac = NULL;
	struct sigaction	 sa;
	EVP_PKEY		*node = NULL, *servers[MAX_SERVERS];
	enum gkey_kem		 kem;
	char			 err[512], cn[256];
	size_t			 i;
	long			 v;
	int			 ch, fd = -1, rc = EXIT_FAIL, have_reauth = 0;

	memset(&o, 0, sizeof(o));
	memset(&ad, 0, sizeof(ad));
	memset(servers, 0, sizeof(servers));
	o.reauth = -1;
	o.reauth_after_s = -1;
	o.timeout_s = DEFAULT_TIMEOUT_S;

	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			o.paa = optarg;
			break;
		case 'a':
			o.ca = optarg;
			break;
		case 'c':
			o.cert = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 's':
			if (o.nservers == MAX_SERVERS) {
				fprintf(stderr, "%s: at most %d --server\n",
				    PROG, MAX_SERVERS);
				goto done;
			}
			o.servers[o.nservers++] = optarg;
			break;
		case 'i':
			o.identity = optarg;
			break;
		case 'o':
			o.once = 1;
			break;
		case 'r':
			if (parse_long(optarg, 0, 1000000, &o.reauth) != 0) {
				fprintf(stderr, "%s: --reauth wants a count\n",
				    PROG);
				goto done;
			}
			have_reauth = 1;
			break;
		case 'R':
			if (parse_long(optarg, 0, 86400 * 365,
			    &o.reauth_after_s) != 0) {
				fprintf(stderr, "%s: --reauth-after wants "
				    "seconds\n", PROG);
				goto done;
			}
			break;
		case 'm':
			if (parse_long(optarg, 1, 600000, &v) != 0) {
				fprintf(stderr, "%s: --rt-ms wants 1..600000\n",
				    PROG);
				goto done;
			}
			o.rt_ms = (unsigned int)v;
			break;
		case 't':
			if (parse_long(optarg, 1, 86400, &o.timeout_s) != 0) {
				fprintf(stderr, "%s: --timeout wants 1..86400 "
				    "seconds\n", PROG);
				goto done;
			}
			break;
		case '1':
			o.sha1 = 1;
			break;
		case 'n':
			o.no_piggyback = 1;
			break;
		case '2':
			o.tls12 = 1;
			break;
		case 'b':
			o.bind = optarg;
			break;
		case 'B':
			o.rebind = optarg;
			break;
		case 'A':
			if (parse_long(optarg, 0, 86400, &o.rebind_after_s) != 0) {
				fprintf(stderr, "%s: --rebind-after wants "
				    "0..86400 seconds\n", PROG);
				goto done;
			}
			break;
		case 'v':
			o.verbose++;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto done;
		default:
			usage(stderr);
			goto done;
		}
	}
	if (optind != argc || o.paa == NULL || o.ca == NULL ||
	    o.cert == NULL || o.key == NULL || o.nservers == 0) {
		usage(stderr);
		goto done;
	}
	if (o.once && have_reauth) {
		fprintf(stderr, "%s: --once and --reauth exclude each other\n",
		    PROG);
		goto done;
	}

	if ((node = gkey_load_private_key(o.key, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		goto done;
	}
	if (gkey_kem_of_pkey(node, &kem) != 0) {
		fprintf(stderr, "%s: %s: unsupported key type for key "
		    "records (P-256 or X25519 needed)\n", PROG, o.key);
		goto done;
	}
	for (i = 0; i < o.nservers; i++)
		if ((servers[i] = gkey_load_public_key(o.servers[i], err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "%s: %s\n", PROG, err);
			goto done;
		}
	if (o.identity == NULL) {
		if (cert_cn(o.cert, cn, sizeof(cn)) != 0) {
			fprintf(stderr, "%s: %s: no subject common name; "
			    "give --identity\n", PROG, o.cert);
			goto done;
		}
		o.identity = cn;
	}

	ad.cfg.identity = o.identity;
	ad.cfg.ca_file = o.ca;
	ad.cfg.cert_file = o.cert;
	ad.cfg.key_file = o.key;
	ad.cfg.tls13 = !o.tls12;
	/* Check the files now rather than after the first PANA round. */
	if (ad_begin(&ad, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		goto done;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.eap = &eap_tls_ops;
	cfg.eap_ctx = &ad;
	cfg.sha1_only = o.sha1;
	cfg.no_piggyback = o.no_piggyback;
	cfg.rt_init_ms = o.rt_ms;
	cfg.node_key = node;
	cfg.servers = servers;
	cfg.nservers = o.nservers;
	cfg.log = pac_log;
	cfg.log_arg = &o;
	if ((pac = pac_new(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		goto done;
	}

	if ((fd = open_socket(o.paa, o.bind)) == -1)
		goto done;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	rc = run(pac, &fd, &o, &ad);
done:
	if (fd != -1)
		close(fd);
	pac_free(pac);
	eap_tls_peer_free(ad.peer);
	EVP_PKEY_free(node);
	for (i = 0; i < MAX_SERVERS; i++)
		EVP_PKEY_free(servers[i]);
	return rc;
}
