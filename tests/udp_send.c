/*
 * udp_send - cose.test's resender: sends the contents of FILE as one UDP
 * datagram to ADDR%IFACE port PORT (a captured message, sent again).
 *   udp_send ADDR%IFACE PORT FILE
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in6	to;
	unsigned char		buf[65536];
	char			addr[128], *pct;
	size_t			len;
	FILE			*fp;
	int			s;

	if (argc != 4 || strlen(argv[1]) >= sizeof(addr)) {
		fprintf(stderr, "usage: udp_send ADDR%%IFACE PORT FILE\n");
		return 2;
	}
	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	strcpy(addr, argv[1]);
	if ((pct = strchr(addr, '%')) != NULL) {
		*pct++ = '\0';
		to.sin6_scope_id = if_nametoindex(pct);
	}
	to.sin6_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET6, addr, &to.sin6_addr) != 1) {
		fprintf(stderr, "udp_send: bad address %s\n", argv[1]);
		return 2;
	}
	if ((fp = fopen(argv[3], "rb")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	if ((s = socket(AF_INET6, SOCK_DGRAM, 0)) < 0 ||
	    sendto(s, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) !=
	    (ssize_t)len) {
		perror("udp_send");
		return 1;
	}
	close(s);
	return 0;
}
