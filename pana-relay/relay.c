/*
 * relay.c - the PANA Relay Element (RFC 6345).  See relay.h.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "pana_crypto.h"
#include "pana_msg.h"
#include "plog.h"
#include "relay.h"

int
relay_from_pac(struct relay_stats *st, const struct sockaddr_storage *pac,
    const uint8_t *buf, size_t len, const uint8_t *key, size_t keylen,
    uint8_t *out, size_t outsize, size_t *outlen)
{
	struct pana_msg m;
	char err[PANA_ERRLEN], who[INET6_ADDRSTRLEN + 16];
	int rc;

	/*
	 * The whole message is checked, not only its header, so garbage
	 * stops here instead of reaching the PAA.  Vendor AVPs of any vendor
	 * pass (the vendor id 0 matches none).
	 */
	if ((rc = pana_msg_parse(buf, len, 0, &m, err, sizeof(err))) != 0)
		goto drop;
	if (m.hdr.type == PANA_MSG_RELAY) {
		snprintf(err, sizeof(err), "PANA-Relay from the PaC side");
		goto drop;
	}
	if ((rc = pana_relay_push(buf, len, pac, out, outsize, outlen)) != 0 ||
	    (key != NULL && (rc = pana_relay_sign(out, outlen, outsize, key,
	    keylen)) != 0)) {
		snprintf(err, sizeof(err), "cannot wrap: %s",
		    pana_strerror(rc));
		goto drop;
	}
	st->from_pac++;
	return 0;
 drop:
	st->dropped_pac++;
	pana_addr_str(pac, 1, who, sizeof(who));
	log_warnx_rl("relay: datagram from PaC %s (%zu octets): %s: dropped",
	    who, len, err);
	return -1;
}

/* The relay AUTH of a message from the PAA: 0, or -1 with why in err. */
static int
paa_auth_ok(const uint8_t *buf, size_t len, const uint8_t *key,
    size_t keylen, char *err, size_t errlen)
{
	int rc;

	if (key == NULL) {
		if (pana_msg_find_auth(buf, len, NULL, NULL) == PANA_E_MISSING)
			return 0;
		snprintf(err, errlen, "relay AUTH, but this relay has no key");
		return -1;
	}
	if ((rc = pana_relay_verify(buf, len, key, keylen)) == 0)
		return 0;
	snprintf(err, errlen, "%s", rc == PANA_E_AUTH ?
	    "relay AUTH does not verify" : rc == PANA_E_MISSING ?
	    "no relay AUTH" : pana_strerror(rc));
	return -1;
}

/*
 * PaC-Information has no room for an IPv6 scope (RFC 6345): a link-local
 * PaC is on the link of the relay's IoT side, so it takes the scope
 * (interface) of relay-listen, which must then have one.  0, or -1 with
 * why in err.
 */
static int
set_scope(struct sockaddr_storage *pac, const struct sockaddr_storage *iot,
    char *err, size_t errlen)
{
	struct sockaddr_in6 *p6 = (struct sockaddr_in6 *)pac;
	const struct sockaddr_in6 *i6 = (const struct sockaddr_in6 *)iot;

	if (pac->ss_family != AF_INET6 ||
	    !IN6_IS_ADDR_LINKLOCAL(&p6->sin6_addr))
		return 0;
	if (iot->ss_family != AF_INET6 || i6->sin6_scope_id == 0) {
		snprintf(err, errlen, "link-local PaC, but relay-listen names "
		    "no interface (ADDRESS%%IF)");
		return -1;
	}
	p6->sin6_scope_id = i6->sin6_scope_id;
	return 0;
}

int
relay_from_paa(struct relay_stats *st, const uint8_t *buf, size_t len,
    const uint8_t *key, size_t keylen, const struct sockaddr_storage *iot,
    struct sockaddr_storage *pac, const uint8_t **inner, size_t *inner_len)
{
	char err[PANA_ERRLEN];
	uint16_t port;

	/* The envelope is checked first: the AUTH walk needs sane AVPs. */
	if (pana_relay_pop(buf, len, pac, inner, inner_len, err,
	    sizeof(err)) != 0)
		goto drop;
	if (paa_auth_ok(buf, len, key, keylen, err, sizeof(err)) != 0)
		goto drop;
	port = pac->ss_family == AF_INET ?
	    ((struct sockaddr_in *)pac)->sin_port :
	    ((struct sockaddr_in6 *)pac)->sin6_port;
	if (pac->ss_family != iot->ss_family) {
		snprintf(err, sizeof(err), "PaC-Information of another "
		    "address family than the PaC side");
		goto drop;
	}
	if (port == 0) {
		snprintf(err, sizeof(err), "PaC-Information with port 0");
		goto drop;
	}
	if (set_scope(pac, iot, err, sizeof(err)) != 0)
		goto drop;
	st->from_paa++;
	return 0;
 drop:
	st->dropped_paa++;
	log_warnx_rl("relay: datagram from the PAA (%zu octets): %s: dropped",
	    len, err);
	return -1;
}
