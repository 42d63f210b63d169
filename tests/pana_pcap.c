/*
 * pana_pcap.c - write PANA messages built with pana_msg.c into a classic
 * pcap file (raw IPv4, UDP port 716), so that an independent dissector
 * (tshark, see pana-tshark.test) can check our encoding; optionally also
 * write them, with deliberately broken variants, as a fuzzing seed corpus.
 *
 * usage: pana_pcap out.pcap [corpus-dir]
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pana_crypto.h"
#include "pana_msg.h"

#define LINKTYPE_RAW	101	/* packets start with the IP header */

struct msg {
	const char	*name;
	uint8_t		 buf[1024];
	size_t		 len;
	const char	*src, *dst;	/* IPv4 endpoints of the datagram */
};

static struct msg msgs[16];
static size_t nmsgs;

static void
die(const char *what, int rc)
{
	fprintf(stderr, "pana_pcap: %s: %s\n", what, pana_strerror(rc));
	exit(1);
}

static struct msg *
add(const char *name, const char *src, const char *dst)
{
	struct msg *m;

	if (nmsgs == sizeof(msgs) / sizeof(msgs[0])) {
		fprintf(stderr, "pana_pcap: too many messages\n");
		exit(1);
	}
	m = &msgs[nmsgs++];
	m->name = name;
	m->src = src;
	m->dst = dst;
	return m;
}

static void
finish(struct pana_builder *b, struct msg *m)
{
	int rc;

	if ((rc = pana_build_finish(b, &m->len)) != 0)
		die(m->name, rc);
}

#define PAC	"192.0.2.10"
#define RELAY	"192.0.2.2"
#define PAA	"192.0.2.1"
#define SID	0x2a0b1c01

static void
build_all(void)
{
	static const uint8_t eap_id_req[] = { 1, 1, 0, 5, 1 };
	static const uint8_t eap_id_resp[] = { 2, 1, 0, 10, 1,
	    'n', 'o', 'd', 'e', '1' };
	static const uint8_t eap_tls_start[] = { 1, 2, 0, 6, 13, 0x20 };
	static const uint8_t eap_success[] = { 3, 3, 0, 4 };
	static const uint8_t record[44 + 4 + 32 + 32] = { 1, 2, 1, 4 };
	uint8_t nonce_pac[16], nonce_paa[16], key[32];
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct pana_builder b;
	struct msg *m, *pci, *pan;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(nonce_pac); i++) {
		nonce_pac[i] = (uint8_t)(0x10 + i);
		nonce_paa[i] = (uint8_t)(0x30 + i);
	}
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0x80 + i);

	pci = m = add("pci", PAC, PAA);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_PCI, 0, 0, 0);
	finish(&b, m);

	m = add("par-start", PAA, PAC);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_S, SID, 1);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA1);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG,
	    PANA_AUTH_HMAC_SHA2_256_128);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG, PANA_AUTH_HMAC_SHA1_160);
	finish(&b, m);

	pan = m = add("pan-start", PAC, PAA);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_AUTH,
	    PANA_FLAG_S, SID, 1);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG,
	    PANA_AUTH_HMAC_SHA2_256_128);
	finish(&b, m);

	m = add("par-nonce-eap", PAA, PAC);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_AUTH,
	    PANA_FLAG_R, SID, 2);
	pana_build_avp(&b, PANA_AVP_NONCE, nonce_paa, sizeof(nonce_paa));
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG,
	    PANA_AUTH_HMAC_SHA2_256_128);
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, eap_id_req,
	    sizeof(eap_id_req));
	finish(&b, m);

	m = add("pan-nonce-eap", PAC, PAA);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_AUTH, 0, SID, 2);
	pana_build_avp(&b, PANA_AVP_NONCE, nonce_pac, sizeof(nonce_pac));
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, eap_id_resp,
	    sizeof(eap_id_resp));
	finish(&b, m);

	m = add("par-eap-tls", PAA, PAC);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_AUTH,
	    PANA_FLAG_R, SID, 3);
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, eap_tls_start,
	    sizeof(eap_tls_start));
	finish(&b, m);

	m = add("par-complete", PAA, PAC);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_AUTH,
	    PANA_FLAG_R | PANA_FLAG_C, SID, 4);
	pana_build_avp_u32(&b, PANA_AVP_RESULT_CODE, PANA_SUCCESS);
	pana_build_avp(&b, PANA_AVP_EAP_PAYLOAD, eap_success,
	    sizeof(eap_success));
	pana_build_avp_u32(&b, PANA_AVP_KEY_ID, 0x00000001);
	pana_build_avp_u32(&b, PANA_AVP_SESSION_LIFETIME, 3600);
	pana_build_vendor_avp(&b, GKEY_VENDOR_ID_DEFAULT, GKEY_AVP_KEY_RECORD,
	    record, sizeof(record));
	pana_build_auth(&b, 16, NULL);
	finish(&b, m);
	if ((rc = pana_auth_sign(PANA_AUTH_HMAC_SHA2_256_128, key, sizeof(key),
	    m->buf, m->len)) != 0)
		die(m->name, rc);

	m = add("pan-complete", PAC, PAA);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_AUTH,
	    PANA_FLAG_C, SID, 4);
	pana_build_avp_u32(&b, PANA_AVP_KEY_ID, 0x00000001);
	pana_build_auth(&b, 16, NULL);
	finish(&b, m);
	if ((rc = pana_auth_sign(PANA_AUTH_HMAC_SHA2_256_128, key, sizeof(key),
	    m->buf, m->len)) != 0)
		die(m->name, rc);

	m = add("relay-ipv4-pci", RELAY, PAA);
	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(40001);
	inet_pton(AF_INET, PAC, &sin->sin_addr);
	if ((rc = pana_relay_push(pci->buf, pci->len, &ss, m->buf,
	    sizeof(m->buf), &m->len)) != 0)
		die(m->name, rc);

	m = add("relay-ipv6-pan", RELAY, PAA);
	memset(&ss, 0, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(PANA_UDP_PORT);
	inet_pton(AF_INET6, "2001:db8::10", &sin6->sin6_addr);
	if ((rc = pana_relay_push(pan->buf, pan->len, &ss, m->buf,
	    sizeof(m->buf), &m->len)) != 0)
		die(m->name, rc);

	m = add("pnr-ping", PAA, PAC);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_NOTIFY,
	    PANA_FLAG_R | PANA_FLAG_P, SID, 5);
	pana_build_auth(&b, 16, NULL);
	finish(&b, m);
	pana_auth_sign(PANA_AUTH_HMAC_SHA2_256_128, key, sizeof(key), m->buf,
	    m->len);

	m = add("ptr-logout", PAC, PAA);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_TERM,
	    PANA_FLAG_R, SID, 6);
	pana_build_avp_u32(&b, PANA_AVP_TERM_CAUSE, PANA_TERM_LOGOUT);
	pana_build_auth(&b, 16, NULL);
	finish(&b, m);
	pana_auth_sign(PANA_AUTH_HMAC_SHA2_256_128, key, sizeof(key), m->buf,
	    m->len);

	m = add("pta", PAA, PAC);
	pana_build_start(&b, m->buf, sizeof(m->buf), PANA_MSG_TERM, 0, SID, 6);
	finish(&b, m);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One datagram: IPv4 header, UDP header with checksum, payload. */
static size_t
datagram(const struct msg *m, uint16_t id, uint8_t *pkt)
{
	uint8_t pseudo[12];
	size_t udplen = 8 + m->len, iplen = 20 + udplen;
	uint16_t ck;

	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	put16(pkt + 2, (uint16_t)iplen);
	put16(pkt + 4, id);
	pkt[6] = 0x40;			/* don't fragment */
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	inet_pton(AF_INET, m->src, pkt + 12);
	inet_pton(AF_INET, m->dst, pkt + 16);
	put16(pkt + 10, fold(sum16(pkt, 20, 0)));

	put16(pkt + 20, PANA_UDP_PORT);
	put16(pkt + 22, PANA_UDP_PORT);
	put16(pkt + 24, (uint16_t)udplen);
	memcpy(pkt + 28, m->buf, m->len);

	memcpy(pseudo, pkt + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	put16(pseudo + 10, (uint16_t)udplen);
	ck = fold(sum16(pkt + 20, udplen, sum16(pseudo, 12, 0)));
	put16(pkt + 26, ck == 0 ? 0xffff : ck);
	return iplen;
}

static void
xwrite(FILE *f, const void *p, size_t n, const char *path)
{
	if (fwrite(p, 1, n, f) != n) {
		fprintf(stderr, "pana_pcap: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void
write_pcap(const char *path)
{
	/* Classic pcap, native byte order: the magic tells readers which. */
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, network;
	} gh = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, LINKTYPE_RAW };
	struct {
		uint32_t sec, usec, incl, orig;
	} rh;
	uint8_t pkt[28 + sizeof(msgs[0].buf)];
	size_t i, n;
	FILE *f;

	if ((f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "pana_pcap: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	xwrite(f, &gh, sizeof(gh), path);
	for (i = 0; i < nmsgs; i++) {
		n = datagram(&msgs[i], (uint16_t)(i + 1), pkt);
		rh.sec = 1700000000 + (uint32_t)i;
		rh.usec = 0;
		rh.incl = rh.orig = (uint32_t)n;
		xwrite(f, &rh, sizeof(rh), path);
		xwrite(f, pkt, n, path);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "pana_pcap: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void
write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "pana_pcap: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	xwrite(f, p, n, path);
	if (fclose(f) != 0) {
		fprintf(stderr, "pana_pcap: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Every message, then broken variants of a few, as seed inputs. */
static void
write_corpus(const char *dir)
{
	uint8_t bad[1024];
	char name[64];
	const struct msg *c = NULL, *r = NULL;
	size_t i;

	for (i = 0; i < nmsgs; i++) {
		snprintf(name, sizeof(name), "valid-%02zu-%s", i, msgs[i].name);
		write_file(dir, name, msgs[i].buf, msgs[i].len);
		if (strcmp(msgs[i].name, "par-complete") == 0)
			c = &msgs[i];
		if (strcmp(msgs[i].name, "relay-ipv4-pci") == 0)
			r = &msgs[i];
	}
	if (c == NULL || r == NULL)
		return;

	write_file(dir, "bad-short-header", c->buf, 15);
	write_file(dir, "bad-length", c->buf, c->len - 4);
	memcpy(bad, c->buf, c->len);
	bad[0] = 1;
	write_file(dir, "bad-reserved", bad, c->len);
	memcpy(bad, c->buf, c->len);
	put16(bad + 16, 42);			/* first AVP code */
	write_file(dir, "bad-unknown-avp", bad, c->len);
	memcpy(bad, c->buf, c->len);
	put16(bad + 16 + 4, 0x1000);		/* first AVP length */
	write_file(dir, "bad-avp-overrun", bad, c->len);
	/* Header, then a vendor AVP header cut after 8 octets. */
	memcpy(bad, c->buf, 16);
	memcpy(bad + 16, "\x00\x01\x80\x00\x00\x04\x00\x00", 8);
	put16(bad + 2, 24);
	write_file(dir, "bad-vendor-truncated", bad, 24);
	memcpy(bad, r->buf, r->len);
	bad[16 + 8 + 6 + 2 + 8 + 3] = 5;	/* inner length */
	write_file(dir, "bad-relay-inner-length", bad, r->len);
}

int
main(int argc, char *argv[])
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pana_pcap out.pcap [corpus-dir]\n");
		return 2;
	}
	build_all();
	write_pcap(argv[1]);
	if (argc == 3)
		write_corpus(argv[2]);
	printf("%zu\n", nmsgs);
	return 0;
}
