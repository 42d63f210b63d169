/*
 * nd_sock.c - the ICMPv6 raw sockets of the ND programs.  See nd_sock.h.
 */
#define _GNU_SOURCE		/* in6_pktinfo */

#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <arpa/inet.h>

#include <errno.h>
#include <ifaddrs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nd_sock.h"

static int
set_options(int fd, int type, int flags)
{
	struct icmp6_filter filt;
	int on = 1, hops = 255, off = 0;

	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(type, &filt);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt,
	    sizeof(filt)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
	    sizeof(on)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
	    sizeof(hops)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops,
	    sizeof(hops)) == -1)
		return -1;
	if ((flags & ND_SOCK_NOLOOP) && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_MULTICAST_LOOP, &off, sizeof(off)) == -1)
		return -1;
	return 0;
}

/* ff02::2: joined by the kernel only when forwarding is on. */
static int
join_allrouters(int fd, unsigned int ifindex)
{
	struct ipv6_mreq mreq;

	memset(&mreq, 0, sizeof(mreq));
	if (inet_pton(AF_INET6, "ff02::2", &mreq.ipv6mr_multiaddr) != 1)
		return -1;
	mreq.ipv6mr_interface = ifindex;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq,
	    sizeof(mreq)) == -1 && errno != EADDRINUSE)
		return -1;
	return 0;
}

int
nd_sock_open(const char *ifname, unsigned int ifindex, int type, int flags,
    char *err, size_t errlen)
{
	int fd, saved;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ICMPV6);
	if (fd == -1) {
		saved = errno;
		snprintf(err, errlen, "raw ICMPv6 socket");
		errno = saved;
		return -1;
	}
	if (set_options(fd, type, flags) != 0)
		snprintf(err, errlen, "ICMPv6 socket options");
	else if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname)) == -1)
		snprintf(err, errlen, "SO_BINDTODEVICE %s", ifname);
	else if ((flags & ND_SOCK_ALLROUTERS) &&
	    join_allrouters(fd, ifindex) != 0)
		snprintf(err, errlen, "joining ff02::2 on %s", ifname);
	else
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
nd_sock_send(int fd, unsigned int ifindex, const struct in6_addr *src,
    const struct in6_addr *dst, const void *buf, size_t len)
{
	struct sockaddr_in6 to;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cm;
	struct in6_pktinfo pi;
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;

	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	to.sin6_addr = *dst;
	to.sin6_scope_id = ifindex;
	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_name = &to;
	msg.msg_namelen = sizeof(to);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof(cbuf.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memset(&pi, 0, sizeof(pi));
	pi.ipi6_addr = *src;
	pi.ipi6_ifindex = ifindex;
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	return sendmsg(fd, &msg, 0) == -1 ? -1 : 0;
}

/* The destination address and hop limit from the ancillary data. */
static int
ancillary(struct msghdr *msg, struct nd_rx *rx)
{
	struct cmsghdr *cm;
	struct in6_pktinfo pi;
	int have_dst = 0;

	rx->hop = -1;
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != IPPROTO_IPV6)
			continue;
		if (cm->cmsg_type == IPV6_HOPLIMIT &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&rx->hop, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len == CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			rx->dst = pi.ipi6_addr;
			have_dst = 1;
		}
	}
	return have_dst;
}

int
nd_sock_recv(int fd, void *buf, size_t size, struct nd_rx *rx)
{
	struct msghdr msg;
	struct iovec iov;
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				    CMSG_SPACE(sizeof(int))];
	} cbuf;
	ssize_t n;

	memset(rx, 0, sizeof(*rx));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = size;
	msg.msg_name = &rx->from;
	msg.msg_namelen = sizeof(rx->from);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof(cbuf.buf);
	if ((n = recvmsg(fd, &msg, 0)) == -1)
		return errno == EAGAIN || errno == EINTR ? ND_RX_NONE :
		    ND_RX_ERROR;
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return ND_RX_TRUNC;
	if (!ancillary(&msg, rx) || msg.msg_namelen < sizeof(rx->from))
		return ND_RX_NODST;
	rx->len = (size_t)n;
	return ND_RX_OK;
}

int
nd_lladdr(const char *ifname, struct in6_addr *out)
{
	struct ifaddrs *ifa, *i;
	const struct sockaddr_in6 *s6;
	int rc = -1;

	if (getifaddrs(&ifa) != 0)
		return -1;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(i->ifa_name, ifname) != 0)
			continue;
		s6 = (const struct sockaddr_in6 *)i->ifa_addr;
		if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr)) {
			*out = s6->sin6_addr;
			rc = 0;
			break;
		}
	}
	freeifaddrs(ifa);
	return rc;
}

const char *
nd_addr_str(const struct in6_addr *addr, char *buf, size_t size)
{
	/* glibc prints RFC 5952 text: lower case, longest zero run. */
	if (inet_ntop(AF_INET6, addr, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}
