/*
 * nd_sock.h - the ICMPv6 raw sockets of gkey-ard and gkey-noded (and the
 * test peer): opening one for a single ND message type on an interface,
 * sending with a chosen link-local source, receiving with the destination
 * address and hop limit, and finding the interface's link-local address.
 *
 * Memory: nothing here allocates (nd_lladdr() frees what getifaddrs(3)
 * returned).  Buffers are the caller's and only borrowed for the call;
 * the caller owns and closes the socket.
 */
#ifndef GKEY_ND_SOCK_H
#define GKEY_ND_SOCK_H

#include <sys/types.h>
#include <netinet/in.h>

#include <stddef.h>

/* nd_sock_open() flags. */
#define ND_SOCK_ALLROUTERS	0x01	/* join ff02::2 (an access router) */
#define ND_SOCK_NOLOOP		0x02	/* no multicast loopback */

/*
 * A non-blocking raw ICMPv6 socket bound to ifname (SO_BINDTODEVICE)
 * passing only ICMPv6 type, reporting the destination address and the
 * hop limit of what arrives, and sending with hop limit 255 (RFC 4861).
 * The fd, or -1 with errno set and what failed in err (for
 * "fatal("%s", err)": "raw ICMPv6 socket", "ICMPv6 socket options",
 * "SO_BINDTODEVICE IFNAME", "joining ff02::2 on IFNAME").
 */
int	nd_sock_open(const char *ifname, unsigned int ifindex, int type,
	    int flags, char *err, size_t errlen);

/*
 * One datagram to dst on ifindex with source address src (what the
 * signature covers).  0, or -1 with errno set.
 */
int	nd_sock_send(int fd, unsigned int ifindex, const struct in6_addr *src,
	    const struct in6_addr *dst, const void *buf, size_t len);

/* What nd_sock_recv() learnt of a datagram besides its octets. */
struct nd_rx {
	struct sockaddr_in6	from;
	struct in6_addr		dst;
	int			hop;	/* -1: not reported */
	size_t			len;
};

#define ND_RX_OK	0	/* rx filled in */
#define ND_RX_NONE	1	/* nothing waiting (EAGAIN, EINTR) */
#define ND_RX_ERROR	(-1)	/* recvmsg(2) failed: errno */
#define ND_RX_TRUNC	(-2)	/* datagram or ancillary data truncated */
#define ND_RX_NODST	(-3)	/* no destination address reported */

/* One datagram into buf[size]; one of ND_RX_*. */
int	nd_sock_recv(int fd, void *buf, size_t size, struct nd_rx *);

/*
 * A link-local address of ifname into *out: 0, or -1 (none, or
 * getifaddrs(3) failed) with *out untouched.
 */
int	nd_lladdr(const char *ifname, struct in6_addr *out);

/*
 * addr as RFC 5952 text in buf[size] (INET6_ADDRSTRLEN fits any), or "?";
 * returns buf, for log lines.
 */
const char *nd_addr_str(const struct in6_addr *addr, char *buf, size_t size);

#endif /* GKEY_ND_SOCK_H */
