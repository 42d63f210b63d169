/*
 * das_conf.c - the das-* lines of the NAS daemons.  See das_conf.h.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conf.h"
#include "das_conf.h"

int
das_conf_is_keyword(const char *kw)
{
	return strcmp(kw, "das-listen") == 0 ||
	    strcmp(kw, "das-client") == 0 || strcmp(kw, "das-window") == 0;
}

/* A numeric IPv4 or IPv6 address with port into ss; 0 or -1. */
static int
parse_addr(const char *s, unsigned long port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return -1;
}

int
das_conf_line(struct conf_ctx *x, struct das_settings *d, char **t, int n)
{
	struct das_conf_client *c;
	unsigned long port = DAS_CONF_PORT, v;

	(void)n;
	if (strcmp(t[0], "das-listen") == 0) {
		if (d->have_listen)
			return conf_bad(x, "das-listen given twice");
		if (t[2] != NULL && conf_number(x, "das-listen port", t[2], 1, 65535,
		    &port) != 0)
			return -1;
		if (parse_addr(t[1], port, &d->listen) != 0)
			return conf_bad(x, "das-listen: '%s' is not a numeric "
			    "address", t[1]);
		d->have_listen = 1;
		return 0;
	}
	if (strcmp(t[0], "das-window") == 0) {
		if (conf_number(x, t[0], t[1], 1, 3600, &v) != 0)
			return -1;
		d->window = (unsigned int)v;
		return 0;
	}
	if (d->n_clients >= DAS_CONF_CLIENTS)
		return conf_bad(x, "das-client: at most %d clients",
		    DAS_CONF_CLIENTS);
	c = &d->client[d->n_clients];
	if (parse_addr(t[1], 0, &c->addr) != 0)
		return conf_bad(x, "das-client: '%s' is not a numeric address",
		    t[1]);
	/* Say nothing about the secret but its length. */
	if (strlen(t[2]) < 1 || strlen(t[2]) > DAS_CONF_SECRET_MAX)
		return conf_bad(x, "das-client: secret of %zu octets, not "
		    "1..%d", strlen(t[2]), DAS_CONF_SECRET_MAX);
	snprintf(c->secret, sizeof(c->secret), "%s", t[2]);
	d->n_clients++;
	return 0;
}

int
das_conf_finish(struct conf_ctx *x, struct das_settings *d)
{
	if (d->window == 0)
		d->window = DAS_CONF_WINDOW;
	if (d->have_listen && d->n_clients == 0)
		return conf_bad(x, "das-listen needs at least one das-client");
	if (!d->have_listen && d->n_clients > 0)
		return conf_bad(x, "das-client needs das-listen");
	return 0;
}

void
das_conf_clear(struct das_settings *d)
{
	size_t i;

	for (i = 0; i < DAS_CONF_CLIENTS; i++)
		OPENSSL_cleanse(d->client[i].secret,
		    sizeof(d->client[i].secret));
}
