/*
 * das_io.c - a NAS's DAS socket (gkey-ard, pana-relayd).  See das_io.h
 * and doc/coa.md sections 5 and 7.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "das.h"
#include "das_conf.h"
#include "das_io.h"
#include "plog.h"

struct das *
das_io_new(const struct das_settings *s, const char *nas_identifier,
    int require_cert)
{
	struct das_config dc;
	struct das *das;
	char err[DAS_ERRLEN];
	size_t i;

	if (!s->have_listen)
		return NULL;
	memset(&dc, 0, sizeof(dc));
	for (i = 0; i < s->n_clients; i++) {
		dc.client[i].addr = s->client[i].addr;
		dc.client[i].secret = s->client[i].secret;
	}
	dc.n_clients = s->n_clients;
	dc.window = s->window;
	dc.nas_identifier = nas_identifier;
	dc.require_cert = require_cert;
	if ((das = das_new(&dc, err, sizeof(err))) == NULL)
		fatalx("DAS: %s", err);
	return das;
}

static void
das_io_send(int fd, const struct sockaddr_storage *to, socklen_t tolen,
    const struct das_result *res)
{
	if (sendto(fd, res->answer, res->answer_len, 0,
	    (const struct sockaddr *)to, tolen) == -1)
		log_warnx_rl("DAS %s: sendto: %s", res->client,
		    strerror(errno));
}

static void
das_io_one(struct das *das, int fd, const uint8_t *pkt, size_t len,
    const struct sockaddr_storage *from, socklen_t fromlen, das_io_act act,
    void *arg, struct das_io_stats *st)
{
	struct das_result res;
	uint32_t ec;

	switch (das_input(das, pkt, len, from, (uint64_t)time(NULL), &res)) {
	case DAS_DISCARD:
		st->dropped++;
		log_warnx_rl("DAS %s: request dropped: %s", res.client,
		    res.reason);
		break;
	case DAS_ANSWER:
		st->naks++;
		log_warnx_rl("DAS %s: NAK %u: %s", res.client,
		    (unsigned int)res.error_cause, res.reason);
		das_io_send(fd, from, fromlen, &res);
		break;
	case DAS_ACT:
		ec = act(arg, &res.req, res.client);
		if (das_answer(das, &res, ec) != 0) {
			log_warnx_rl("DAS %s: cannot build the answer",
			    res.client);
			break;
		}
		if (ec != DAS_EC_REQUEST_INITIATED)
			st->naks++;
		das_io_send(fd, from, fromlen, &res);
		break;
	}
}

void
das_io_read(struct das *das, int fd, uint8_t *buf, size_t size,
    das_io_act act, void *arg, struct das_io_stats *st)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;
	int i;

	for (i = 0; i < DAS_IO_BURST; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, size, 0, (struct sockaddr *)&from,
		    &fromlen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warnx_rl("DAS: recvfrom: %s",
				    strerror(errno));
			return;
		}
		st->received++;
		das_io_one(das, fd, buf, (size_t)n, &from, fromlen, act, arg,
		    st);
	}
}
