/*
 * relay.h - the PANA Relay Element (RFC 6345) of pana-relayd, without
 * sockets.  Stateless: nothing is remembered between datagrams.
 *
 *   PaC --PANA--> relay --PANA-Relay(PaC-Information, Relayed-Message)--> PAA
 *   PaC <--PANA-- relay <--PANA-Relay(PaC-Information, Relayed-Message)-- PAA
 *
 * relay_from_pac() checks a datagram from the IoT side (a complete, well
 * formed PANA message that is not itself a PANA-Relay) and wraps it.
 * relay_from_paa() checks a PANA-Relay message from the PAA and returns
 * the PaC's address and the message to send there.  iot is the relay's
 * IoT-side address (relay-listen): the PaC must be of its family, and a
 * link-local IPv6 PaC (PaC-Information carries no scope) is reached on
 * the interface of iot, which must then name one ("fe80::1%eth0",
 * "::%eth0"); otherwise the message is dropped.  Anything else is
 * counted, logged (rate-limited) and dropped; both return 0 to send, -1
 * to drop.
 *
 * With a relay key (key != NULL, keylen octets, shared with the PAA's
 * relay-peer line) relay_from_pac() appends the relay AUTH
 * (pana_relay_sign()) and relay_from_paa() drops a message whose relay
 * AUTH is missing or wrong; without one, a message carrying an AUTH is
 * dropped.
 *
 * Memory: out is the caller's, of outsize octets; *inner borrows buf; the
 * key is borrowed.
 */
#ifndef GKEY_RELAY_H
#define GKEY_RELAY_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

struct relay_stats {
	uint64_t	from_pac;	/* wrapped and sent to the PAA */
	uint64_t	from_paa;	/* unwrapped and sent to a PaC */
	uint64_t	dropped_pac;	/* bad datagram from the IoT side */
	uint64_t	dropped_paa;	/* bad datagram from the PAA, or its
					   relay AUTH missing or wrong */
};

int	relay_from_pac(struct relay_stats *, const struct sockaddr_storage *pac,
	    const uint8_t *buf, size_t len, const uint8_t *key, size_t keylen,
	    uint8_t *out, size_t outsize, size_t *outlen);
int	relay_from_paa(struct relay_stats *, const uint8_t *buf, size_t len,
	    const uint8_t *key, size_t keylen,
	    const struct sockaddr_storage *iot, struct sockaddr_storage *pac,
	    const uint8_t **inner, size_t *inner_len);

#endif /* GKEY_RELAY_H */
