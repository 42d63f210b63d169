/*
 * pana_inject - hostile datagrams for tests/pana.test.
 *
 *   pana_inject send PORT KIND...
 *	sends one crafted datagram per KIND to 127.0.0.1:PORT:
 *	short       a 10-octet datagram (shorter than the header)
 *	length      a header whose Length says more than was sent
 *	overrun     an AVP whose value runs past the message
 *	unknown     a PNR carrying an unknown AVP (code 99)
 *	pci-id      a PCI with a non-zero session id
 *	session     a well-formed PNR for a session nobody has
 *	relay-bad   a PANA-Relay whose Relayed-Message is truncated
 *
 *   pana_inject proxy LISTEN-PORT PAA-PORT
 *	a UDP proxy between one PaC and the PAA on 127.0.0.1 that forwards
 *	everything both ways and, before forwarding each PaC message that
 *	carries AUTH, sends the PAA: (1) a copy with one octet of an AVP
 *	value flipped, (2) a copy with another session id, and (3) stale
 *	replays: the PaC's previous answer when this one is an answer, and
 *	the request before the previous one when this is a request.  On
 *	SIGTERM, or after 30 s without traffic, it prints
 *	"tampered=N unknown=N replayed=N forwarded=N" and exits.
 *
 *   pana_inject proxy LISTEN-PORT PAA-PORT drop KIND:N...
 *	a lossy proxy instead: forwards everything unchanged except the
 *	first N messages of each KIND, in either direction, which it
 *	swallows, printing for each
 *	"dropped KIND I of N from WHO: session XXXXXXXX seq S"
 *	(WHO is "the PAA" or the PaC's ADDR:PORT).  The kind comes from
 *	libpana's parser: pci, par-s (PAR with S), par-c (PAR with C, not
 *	S), par-eap (any other PAR carrying EAP-Payload), par (any other
 *	PAR), pan, pnr, pna, ptr, pta; a KIND may repeat (the N add up).
 *	On SIGTERM, or after 30 s without traffic, it prints
 *	"dropped=N forwarded=N" and exits.
 *
 *	Both proxies first print "proxy on 127.0.0.1:LISTEN-PORT to the PAA
 *	at 127.0.0.1:PAA-PORT" once they listen, and write stdout a line at
 *	a time.  The PAA answers to the address a message came from, so the
 *	proxy talks to it from one socket per PaC, a new one (and the old
 *	one closed) whenever a message comes from another PaC address: one
 *	PaC at a time.  Messages through a relay are not looked into: put
 *	the proxy between the PaC and the PAA.
 *
 *   pana_inject bench RELAY-PORT SINK-PORT N
 *	relay throughput: listens on SINK-PORT (configure the relay's
 *	relay-paa there), sends N PCIs to the relay at RELAY-PORT with at
 *	most 64 in flight, answers each PANA-Relay that reaches the sink
 *	with a PANA-Relay back to the relay (a PAR for the PaC), counts the
 *	ones that come back, and prints "relayed=N seconds=S msgs_per_s=R"
 *	where N counts both directions.
 *
 *   pana_inject flood PAA-PORT N SECONDS SOURCES
 *	a PCI flood: sends N PCIs to the PAA on 127.0.0.1:PAA-PORT, spread
 *	evenly over SECONDS, from SOURCES addresses 127.1.X.Y (Y 1..250,
 *	then X on; every 127/8 address is local) in turn, each PCI from a
 *	fresh UDP port (a new socket), as a flood of new PaCs looks; what
 *	comes back before a socket is closed is read and dropped.  Prints
 *	"flood: sent=N failed=F answers=A sources=K seconds=S".
 *
 * Messages are built with pana_msg.c, so they are exactly what a
 * misbehaving peer would send, not what the daemon's parser expects.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pana_msg.h"

#define HISTORY	64

static volatile sig_atomic_t quit;

static void
on_term(int sig)
{
	(void)sig;
	quit = 1;
}

static void
loopback(struct sockaddr_in *sin, unsigned long port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons((uint16_t)port);
}

static size_t
craft(const char *kind, uint8_t *buf, size_t size)
{
	struct pana_builder b;
	struct sockaddr_storage pac;
	uint8_t inner[64];
	size_t len = 0, ilen;

	if (strcmp(kind, "short") == 0) {
		memset(buf, 0, 10);
		return 10;
	}
	if (strcmp(kind, "length") == 0) {
		pana_build_start(&b, buf, size, PANA_MSG_NOTIFY, PANA_FLAG_R,
		    0x01020304, 7);
		pana_build_finish(&b, &len);
		buf[2] = 0;
		buf[3] = 100;		/* claims 100 octets, 16 sent */
		return len;
	}
	if (strcmp(kind, "overrun") == 0) {
		pana_build_start(&b, buf, size, PANA_MSG_NOTIFY, PANA_FLAG_R,
		    0x01020304, 7);
		pana_build_avp(&b, PANA_AVP_NONCE, "0123456789abcdef", 16);
		pana_build_finish(&b, &len);
		buf[PANA_HDR_LEN + 4] = 0;
		buf[PANA_HDR_LEN + 5] = 200;	/* value length 200 of 16 */
		return len;
	}
	if (strcmp(kind, "unknown") == 0) {
		pana_build_start(&b, buf, size, PANA_MSG_NOTIFY, PANA_FLAG_R,
		    0x01020304, 7);
		pana_build_avp(&b, 99, "abcd", 4);
		pana_build_finish(&b, &len);
		return len;
	}
	if (strcmp(kind, "pci-id") == 0) {
		pana_build_start(&b, buf, size, PANA_MSG_PCI, 0, 0x01020304, 0);
		pana_build_finish(&b, &len);
		return len;
	}
	if (strcmp(kind, "session") == 0) {
		pana_build_start(&b, buf, size, PANA_MSG_NOTIFY,
		    PANA_FLAG_R | PANA_FLAG_P, 0x0badcafe, 7);
		pana_build_auth(&b, 16, NULL);
		pana_build_finish(&b, &len);
		return len;
	}
	if (strcmp(kind, "relay-bad") == 0) {
		pana_build_start(&b, inner, sizeof(inner), PANA_MSG_PCI, 0, 0,
		    0);
		pana_build_finish(&b, &ilen);
		memset(&pac, 0, sizeof(pac));
		loopback((struct sockaddr_in *)&pac, 4000);
		if (pana_relay_push(inner, ilen, &pac, buf, size, &len) != 0)
			return 0;
		buf[len - ilen + 3] = 200;	/* inner Length: 200 */
		return len;
	}
	return 0;
}

static int
do_send(int argc, char *argv[])
{
	struct sockaddr_in to;
	uint8_t buf[512];
	size_t len;
	int fd, i;

	if (argc < 2)
		return 2;
	loopback(&to, strtoul(argv[0], NULL, 10));
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return 1;
	for (i = 1; i < argc; i++) {
		if ((len = craft(argv[i], buf, sizeof(buf))) == 0) {
			fprintf(stderr, "pana_inject: unknown kind %s\n",
			    argv[i]);
			return 2;
		}
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&to,
		    sizeof(to)) == -1) {
			perror("sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}

struct saved {
	uint8_t	*buf;
	size_t	 len;
};

/*
 * The kinds a lossy proxy can swallow, named as pana-relayd's logs name
 * them.  A PAR is "par-s" with the S flag, else "par-c" with the C flag,
 * else "par-eap" when it carries EAP-Payload.
 */
enum kind {
	K_PCI, K_PAR_S, K_PAR_EAP, K_PAR_C, K_PAR, K_PAN, K_PNR, K_PNA,
	K_PTR, K_PTA, NKINDS
};
static const char *const kinds[NKINDS] = {
	[K_PCI] = "pci", [K_PAR_S] = "par-s", [K_PAR_EAP] = "par-eap",
	[K_PAR_C] = "par-c", [K_PAR] = "par", [K_PAN] = "pan",
	[K_PNR] = "pnr", [K_PNA] = "pna", [K_PTR] = "ptr", [K_PTA] = "pta"
};

/* The kind of a PANA message, or -1 if libpana does not parse it. */
static int
kind_of(const uint8_t *buf, size_t len)
{
	struct pana_msg m;
	int req;

	/* Whichever vendor the PAA uses, other vendors' AVPs are skipped. */
	if (pana_msg_parse(buf, len, GKEY_VENDOR_ID_DEFAULT, &m, NULL, 0) != 0)
		return -1;
	req = (m.hdr.flags & PANA_FLAG_R) != 0;
	switch (m.hdr.type) {
	case PANA_MSG_PCI:
		return K_PCI;
	case PANA_MSG_AUTH:
		if (!req)
			return K_PAN;
		if (m.hdr.flags & PANA_FLAG_S)
			return K_PAR_S;
		if (m.hdr.flags & PANA_FLAG_C)
			return K_PAR_C;
		if (pana_msg_avp(&m, PANA_AVP_EAP_PAYLOAD) != NULL)
			return K_PAR_EAP;
		return K_PAR;
	case PANA_MSG_NOTIFY:
		return req ? K_PNR : K_PNA;
	case PANA_MSG_TERM:
		return req ? K_PTR : K_PTA;
	}
	return -1;
}

/* "KIND:N" into drop[]; 0, or -1 (with a message) if it is not one. */
static int
parse_drop(const char *arg, unsigned long drop[NKINDS])
{
	const char *colon;
	char *end;
	unsigned long n;
	int k;

	if ((colon = strchr(arg, ':')) != NULL) {
		errno = 0;
		n = strtoul(colon + 1, &end, 10);
		for (k = 0; k < NKINDS; k++) {
			if (strlen(kinds[k]) != (size_t)(colon - arg) ||
			    strncmp(arg, kinds[k], (size_t)(colon - arg)) != 0)
				continue;
			if (errno != 0 || end == colon + 1 || *end != '\0' ||
			    n == 0 || n > 1000000)
				break;
			drop[k] += n;
			return 0;
		}
	}
	fprintf(stderr, "pana_inject: bad drop %s (want KIND:N, N 1..1000000, "
	    "KIND one of pci par-s par-eap par-c par pan pnr pna ptr pta)\n",
	    arg);
	return -1;
}

/*
 * Swallow this message if it is of a kind still to be dropped, with a line
 * on stdout saying so; returns 1 if it was swallowed.
 */
static int
lossy(const uint8_t *buf, size_t len, const char *from,
    unsigned long drop[NKINDS], unsigned long dropped[NKINDS])
{
	struct pana_hdr h;
	int k;

	if ((k = kind_of(buf, len)) < 0 || dropped[k] == drop[k])
		return 0;
	dropped[k]++;
	(void)pana_hdr_parse(buf, len, &h, NULL, 0);
	printf("dropped %s %lu of %lu from %s: session %08x seq %u\n",
	    kinds[k], dropped[k], drop[k], from, h.session_id, h.seq);
	return 1;
}

/*
 * A socket towards the PAA for the PaC at *pac.  The PAA answers to the
 * address a message came from, so each PaC needs its own: when another PaC
 * shows up, the previous one's socket is closed (one PaC at a time).
 */
static int
upstream_for(const struct sockaddr_in *pac, const struct sockaddr_in *paa,
    struct sockaddr_in *cur, int *have_pac, int *up)
{
	if (*have_pac && cur->sin_addr.s_addr == pac->sin_addr.s_addr &&
	    cur->sin_port == pac->sin_port)
		return 0;
	if (*up != -1)
		close(*up);
	*have_pac = 0;
	if ((*up = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(*up, (const struct sockaddr *)paa, sizeof(*paa)) == -1) {
		perror("pana_inject: upstream socket");
		return -1;
	}
	*cur = *pac;
	*have_pac = 1;
	return 0;
}

static int
do_proxy(int argc, char *argv[])
{
	struct sockaddr_in lst, paa, pac, from;
	struct pollfd pfd[2];
	struct pana_hdr h;
	struct pana_avp_iter it;
	struct pana_avp a;
	struct saved hist[HISTORY], last = { NULL, 0 };
	static uint8_t buf[PANA_MSG_MAX], copy[PANA_MSG_MAX];
	unsigned long drop[NKINDS] = { 0 }, dropped[NKINDS] = { 0 }, ndrop = 0;
	char who[INET_ADDRSTRLEN + 8];
	socklen_t fl;
	size_t off, alen, nhist = 0;
	ssize_t n;
	unsigned long tampered = 0, unknown = 0, replayed = 0, fwd = 0;
	int down, up = -1, have_pac = 0, r, tamper, i, k;

	if (argc < 2 || (argc > 2 && strcmp(argv[2], "drop") != 0) ||
	    argc == 3)
		return 2;
	for (i = 3; i < argc; i++)
		if (parse_drop(argv[i], drop) != 0)
			return 2;
	/* Without a drop list it is the tampering proxy. */
	tamper = argc == 2;
	loopback(&lst, strtoul(argv[0], NULL, 10));
	loopback(&paa, strtoul(argv[1], NULL, 10));
	down = socket(AF_INET, SOCK_DGRAM, 0);
	if (down == -1 ||
	    bind(down, (struct sockaddr *)&lst, sizeof(lst)) == -1) {
		perror("pana_inject: socket");
		return 1;
	}
	signal(SIGTERM, on_term);
	/* Lines go to a file the test polls: one write per line. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("proxy on 127.0.0.1:%s to the PAA at 127.0.0.1:%s\n", argv[0],
	    argv[1]);
	pfd[0].fd = down;
	pfd[0].events = pfd[1].events = POLLIN;
	while (!quit) {
		pfd[1].fd = up;		/* poll ignores -1 */
		pfd[1].revents = 0;
		if ((r = poll(pfd, 2, 30000)) == 0)
			break;
		if (r == -1)
			continue;
		if (pfd[1].revents & POLLIN) {
			n = recv(up, buf, sizeof(buf), 0);
			if (n > 0 && have_pac && !lossy(buf, (size_t)n,
			    "the PAA", drop, dropped)) {
				sendto(down, buf, (size_t)n, 0,
				    (struct sockaddr *)&pac, sizeof(pac));
				fwd++;
			}
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		fl = sizeof(from);
		n = recvfrom(down, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl);
		if (n <= 0)
			continue;
		if (upstream_for(&from, &paa, &pac, &have_pac, &up) != 0)
			return 1;
		if (!tamper) {
			snprintf(who, sizeof(who), "%s:%u",
			    inet_ntoa(from.sin_addr), ntohs(from.sin_port));
			if (!lossy(buf, (size_t)n, who, drop, dropped)) {
				send(up, buf, (size_t)n, 0);
				fwd++;
			}
			continue;
		}
		if (pana_hdr_parse(buf, (size_t)n, &h, NULL, 0) == 0 &&
		    pana_msg_find_auth(buf, (size_t)n, &off, &alen) == 0) {
			/* (1) one octet of the first AVP value flipped */
			memcpy(copy, buf, (size_t)n);
			pana_avp_iter_init(&it, copy, (size_t)n);
			if (pana_avp_next(&it, &a, NULL, 0) == 1 && a.len > 0) {
				copy[a.value_offset + a.len - 1] ^= 0x01;
				send(up, copy, (size_t)n, 0);
				tampered++;
			}
			/* (2) the same message for an unknown session */
			memcpy(copy, buf, (size_t)n);
			copy[8] ^= 0x80;
			send(up, copy, (size_t)n, 0);
			unknown++;
			/*
			 * (3) a stale answer: the PaC's previous answer,
			 * when this one is an answer too (in the same
			 * exchange, so its AUTH still verifies) ...
			 */
			if (!(h.flags & PANA_FLAG_R) && last.buf != NULL &&
			    !(last.buf[4] & 0x80)) {
				send(up, last.buf, last.len, 0);
				replayed++;
			}
			free(last.buf);
			if ((last.buf = malloc((size_t)n)) != NULL) {
				memcpy(last.buf, buf, (size_t)n);
				last.len = (size_t)n;
			}
			/* ... and a stale request, two requests ago. */
			if (h.flags & PANA_FLAG_R) {
				if (nhist >= 2) {
					send(up, hist[nhist - 2].buf,
					    hist[nhist - 2].len, 0);
					replayed++;
				}
				if (nhist < HISTORY &&
				    (hist[nhist].buf = malloc((size_t)n)) !=
				    NULL) {
					memcpy(hist[nhist].buf, buf, (size_t)n);
					hist[nhist++].len = (size_t)n;
				}
			}
		}
		send(up, buf, (size_t)n, 0);
		fwd++;
	}
	if (tamper)
		printf("tampered=%lu unknown=%lu replayed=%lu forwarded=%lu\n",
		    tampered, unknown, replayed, fwd);
	else {
		for (k = 0; k < NKINDS; k++)
			ndrop += dropped[k];
		printf("dropped=%lu forwarded=%lu\n", ndrop, fwd);
	}
	free(last.buf);
	while (nhist > 0)
		free(hist[--nhist].buf);
	if (up != -1)
		close(up);
	close(down);
	return 0;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
do_bench(int argc, char *argv[])
{
	struct sockaddr_in relay, sink, from;
	struct sockaddr_storage pac;
	struct pana_builder b;
	struct pollfd pfd[2];
	static uint8_t buf[PANA_MSG_MAX], par[64], out[256];
	const uint8_t *inner;
	socklen_t fl;
	size_t len, plen, olen, ilen;
	unsigned long n, sent = 0, up = 0, back = 0, lost = 0;
	double t0, t;
	ssize_t r;
	int pacfd, sinkfd;

	if (argc != 3)
		return 2;
	loopback(&relay, strtoul(argv[0], NULL, 10));
	loopback(&sink, strtoul(argv[1], NULL, 10));
	n = strtoul(argv[2], NULL, 10);
	pacfd = socket(AF_INET, SOCK_DGRAM, 0);
	sinkfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (pacfd == -1 || sinkfd == -1 ||
	    bind(sinkfd, (struct sockaddr *)&sink, sizeof(sink)) == -1 ||
	    connect(pacfd, (struct sockaddr *)&relay, sizeof(relay)) == -1) {
		perror("pana_inject: socket");
		return 1;
	}
	pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI, 0, 0, 0);
	pana_build_finish(&b, &len);
	pana_build_start(&b, par, sizeof(par), PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_S, 1, 1);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_finish(&b, &plen);
	pfd[0].fd = sinkfd;
	pfd[1].fd = pacfd;
	pfd[0].events = pfd[1].events = POLLIN;
	t0 = mono();
	while (back + lost < n) {
		while (sent < n && sent - back - lost < 64) {
			send(pacfd, buf, len, 0);
			sent++;
		}
		if (poll(pfd, 2, 200) == 0) {
			/* Whatever is still in flight was lost. */
			lost = sent - back;
			continue;
		}
		if (pfd[0].revents & POLLIN) {
			fl = sizeof(from);
			r = recvfrom(sinkfd, out, sizeof(out), 0,
			    (struct sockaddr *)&from, &fl);
			if (r > 0 && pana_relay_pop(out, (size_t)r, &pac,
			    &inner, &ilen, NULL, 0) == 0) {
				up++;
				if (pana_relay_push(par, plen, &pac, out,
				    sizeof(out), &olen) == 0)
					sendto(sinkfd, out, olen, 0,
					    (struct sockaddr *)&from, fl);
			}
		}
		if (pfd[1].revents & POLLIN) {
			r = recv(pacfd, out, sizeof(out), 0);
			if (r == (ssize_t)plen)
				back++;
		}
	}
	t = mono() - t0;
	printf("relayed=%lu seconds=%.3f msgs_per_s=%.0f lost=%lu\n",
	    up + back, t, (double)(up + back) / t, lost);
	return 0;
}

#define FLOOD_MAX_SOURCES	1000
#define FLOOD_BATCH		100	/* PCIs between two looks at the clock */

/* Read and drop what the PAA sent a flood socket; how many. */
static unsigned long
flood_drain(int fd)
{
	uint8_t buf[2048];
	unsigned long got = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		got++;
	return got;
}

/* A socket on source address i, port chosen by the kernel; -1 on error. */
static int
flood_socket(unsigned long i)
{
	struct sockaddr_in src;
	int fd;

	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f010000UL | (uint32_t)(i / 250) << 8 |
	    (uint32_t)(1 + i % 250));
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
do_flood(int argc, char **argv)
{
	static int fds[FLOOD_MAX_SOURCES];
	struct sockaddr_in paa;
	struct pana_builder b;
	uint8_t pci[PANA_HDR_LEN];
	unsigned long n, secs, nsrc, i, k, sent = 0, failed = 0, answers = 0;
	size_t len;
	double t0, due;
	int rc = 1;

	if (argc != 4)
		return 2;
	n = strtoul(argv[1], NULL, 10);
	secs = strtoul(argv[2], NULL, 10);
	nsrc = strtoul(argv[3], NULL, 10);
	if (n == 0 || secs == 0 || nsrc == 0 || nsrc > FLOOD_MAX_SOURCES)
		return 2;
	loopback(&paa, strtoul(argv[0], NULL, 10));
	pana_build_start(&b, pci, sizeof(pci), PANA_MSG_PCI, 0, 0, 0);
	if (pana_build_finish(&b, &len) != 0)
		return 1;
	for (i = 0; i < nsrc; i++)
		fds[i] = -1;
	t0 = mono();
	while (sent + failed < n) {
		/* Where the schedule says we should be by now. */
		due = (mono() - t0) / (double)secs * (double)n;
		if ((double)(sent + failed) >= due) {
			usleep(1000);
			continue;
		}
		for (i = 0; i < FLOOD_BATCH && sent + failed < n; i++) {
			k = (sent + failed) % nsrc;
			/* A new port each time: a new PaC to the PAA. */
			if (fds[k] != -1) {
				answers += flood_drain(fds[k]);
				close(fds[k]);
			}
			if ((fds[k] = flood_socket(k)) == -1) {
				perror("pana_inject: flood socket");
				goto done;
			}
			if (sendto(fds[k], pci, len, MSG_DONTWAIT,
			    (struct sockaddr *)&paa, sizeof(paa)) ==
			    (ssize_t)len)
				sent++;
			else
				failed++;
		}
	}
	usleep(200000);
	for (i = 0; i < nsrc; i++)
		if (fds[i] != -1)
			answers += flood_drain(fds[i]);
	printf("flood: sent=%lu failed=%lu answers=%lu sources=%lu "
	    "seconds=%.2f\n", sent, failed, answers, nsrc, mono() - t0);
	rc = 0;
 done:
	for (i = 0; i < nsrc; i++)
		if (fds[i] != -1)
			close(fds[i]);
	return rc;
}

int
main(int argc, char *argv[])
{
	int rc = 2;

	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		rc = do_send(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "proxy") == 0)
		rc = do_proxy(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "bench") == 0)
		rc = do_bench(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "flood") == 0)
		rc = do_flood(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr, "usage: pana_inject send PORT KIND...\n"
		    "       pana_inject proxy LISTEN-PORT PAA-PORT "
		    "[drop KIND:N...]\n"
		    "       pana_inject bench RELAY-PORT SINK-PORT N\n"
		    "       pana_inject flood PAA-PORT N SECONDS SOURCES\n");
	return rc;
}
