/*
 * check_ctl.c - unit tests for pana-relayd's control protocol
 * (libdaemon/ctl_proto.c) and what the commands show
 * (pana-relay/relayd_ctl.c), without sockets: requests are parsed from
 * strings, replies built into buffers, and the counters taken from a PAA
 * in the environment of paa_harness.c.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "control.h"
#include "ctl_proto.h"
#include "paa_harness.h"
#include "pana_msg.h"
#include "relayd_conf.h"
#include "relayd_ctl.h"
#include "plog.h"

static int
parse(const char *line, struct ctl_request *req, char *err, size_t errlen)
{
	return ctl_parse_request(line, strlen(line), req, err, errlen);
}

/* The error of a request that must be refused. */
static const char *
refused(const char *line)
{
	static char err[CTL_ERRLEN];
	struct ctl_request req;

	ck_assert_msg(parse(line, &req, err, sizeof(err)) == -1,
	    "'%s' was accepted", line);
	return err;
}

START_TEST(test_parse_every_command)
{
	struct ctl_request r;
	char err[CTL_ERRLEN];

	ck_assert_int_eq(parse("status", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, CTL_CMD_STATUS);
	ck_assert_int_eq(parse("sessions\r", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, CTL_CMD_SESSIONS);
	ck_assert_int_eq(parse("  reload  ", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, CTL_CMD_RELOAD);
	ck_assert_int_eq(parse("metrics", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, CTL_CMD_METRICS);
	ck_assert_int_eq(parse("terminate\t0123ABcd", &r, err, sizeof(err)),
	    0);
	ck_assert_int_eq(r.cmd, CTL_CMD_TERMINATE);
	ck_assert_uint_eq(r.session_id, 0x0123abcd);
	ck_assert_int_eq(parse("terminate 7", &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.session_id, 7);
	ck_assert_int_eq(parse("ping 5e1c02a7", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, CTL_CMD_PING);
	ck_assert_uint_eq(r.session_id, 0x5e1c02a7);
	ck_assert_int_eq(parse("reauth 1", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.cmd, CTL_CMD_REAUTH);
	ck_assert_uint_eq(r.session_id, 1);
}
END_TEST

START_TEST(test_parse_refusals_say_why)
{
	char big[CTL_REQUEST_MAX + 2];

	ck_assert_str_eq(refused(""), "empty request");
	ck_assert_str_eq(refused("   "), "empty request");
	ck_assert_str_eq(refused("status now"),
	    "status takes 0 arguments, not 1");
	ck_assert_str_eq(refused("terminate"),
	    "terminate takes 1 argument, not 0");
	ck_assert_str_eq(refused("terminate 1 2"),
	    "terminate takes 1 argument, not 2");
	ck_assert_str_eq(refused("a b c d"), "too many words");
	ck_assert_str_eq(refused("terminate xyz"), "terminate: 'xyz' is not "
	    "a session id (1 to 8 hex digits, not 0)");
	ck_assert_str_eq(refused("terminate 123456789"), "terminate: "
	    "'123456789' is not a session id (1 to 8 hex digits, not 0)");
	ck_assert_str_eq(refused("terminate 0"), "terminate: '0' is not a "
	    "session id (1 to 8 hex digits, not 0)");
	ck_assert_str_eq(refused("ping"), "ping takes 1 argument, not 0");
	ck_assert_str_eq(refused("reauth zz"), "reauth: 'zz' is not a "
	    "session id (1 to 8 hex digits, not 0)");
	ck_assert_str_eq(refused("STATUS"), "unknown command 'STATUS'");
	ck_assert_str_eq(refused("stat\x1bus"),
	    "unprintable octet 0x1b at offset 4");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_str_eq(refused(big), "request longer than 256 octets");
	/* Only 32 octets of an unknown word come back. */
	big[40] = '\0';
	ck_assert_str_eq(refused(big),
	    "unknown command 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
}
END_TEST

START_TEST(test_parse_nul_in_request)
{
	struct ctl_request r;
	char err[CTL_ERRLEN];

	ck_assert_int_eq(ctl_parse_request("status\0x", 8, &r, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "unprintable octet 0x00 at offset 6");
}
END_TEST

START_TEST(test_buf_never_grows_past_its_maximum)
{
	struct ctl_buf b;

	ctl_buf_init(&b, 10);
	ck_assert_int_eq(ctl_buf_printf(&b, "%s", "12345"), 0);
	ck_assert_int_eq(ctl_buf_printf(&b, "%s", "67890"), 0);
	ck_assert_int_eq(ctl_buf_printf(&b, "%s", "x"), -1);
	ck_assert(b.full);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_str_eq(b.buf, "1234567890");
	ctl_buf_reset(&b);
	ck_assert_int_eq(ctl_buf_printf(&b, "ok"), 0);
	ck_assert_str_eq(b.buf, "ok");
	ctl_buf_free(&b);
}
END_TEST

static const struct ctl_counter two_states[] = {
	{ "sessions open", "pana_relayd_sessions", "state=\"open\"",
	    "Sessions.", 1, 3 },
	{ "sessions closed", "pana_relayd_sessions", "state=\"closed\"",
	    "Sessions.", 1, 0 },
	{ "joins", "pana_relayd_joins_total", NULL, "Joins.", 0, 12 },
};

START_TEST(test_status_lines)
{
	struct ctl_buf b;

	ctl_buf_init(&b, 4096);
	ck_assert_int_eq(ctl_render_status(&b, two_states, 3), 0);
	ck_assert_str_eq(b.buf, "sessions open: 3\nsessions closed: 0\n"
	    "joins: 12\n");
	ctl_buf_free(&b);
}
END_TEST

START_TEST(test_metrics_exposition_format)
{
	struct ctl_buf b;

	ctl_buf_init(&b, 4096);
	ck_assert_int_eq(ctl_render_metrics(&b, two_states, 3), 0);
	ck_assert_str_eq(b.buf,
	    "# HELP pana_relayd_sessions Sessions.\n"
	    "# TYPE pana_relayd_sessions gauge\n"
	    "pana_relayd_sessions{state=\"open\"} 3\n"
	    "pana_relayd_sessions{state=\"closed\"} 0\n"
	    "# HELP pana_relayd_joins_total Joins.\n"
	    "# TYPE pana_relayd_joins_total counter\n"
	    "pana_relayd_joins_total 12\n");
	ctl_buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------ the PAA */

static struct paa_harness h;

static void __attribute__((noreturn))
harness_fail(const char *why)
{
	ck_abort_msg("harness: %s", why);
	abort();
}

static void
setup(void)
{
	ph_init(&h, harness_fail);
	ph_start(&h, 0x2468ace0, 1000000);
}

static void
teardown(void)
{
	ph_stop(&h);
}

/*
 * A session from ip:port: PCI, then the PAN[S] that echoes the PAR[S]
 * (the PAA keeps no state before it, doc/pana.md 4.1.1).  The session then
 * waits for the PAN to its first EAP PAR.
 */
static void
session_from(const char *ip, uint16_t port)
{
	struct sockaddr_storage from;
	struct pana_builder b;
	struct pana_msg m;
	const struct ph_sent *o;
	uint8_t buf[128];
	size_t len;

	ph_addr(&h, &from, ip, port);
	ph_clear_sent(&h);
	ck_assert_int_eq(pana_build_start(&b, buf, sizeof(buf), PANA_MSG_PCI,
	    0, 0, 0), 0);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ph_input(&h, &from, buf, len);
	o = ph_last(&h);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(pana_msg_parse(o->buf, o->len, GKEY_VENDOR_ID_DEFAULT,
	    &m, NULL, 0), 0);
	ck_assert_uint_eq(m.hdr.flags, PANA_FLAG_R | PANA_FLAG_S);
	ck_assert_int_eq(pana_build_start(&b, buf, sizeof(buf), PANA_MSG_AUTH,
	    PANA_FLAG_S, m.hdr.session_id, m.hdr.seq), 0);
	pana_build_avp_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA2_256);
	pana_build_avp_u32(&b, PANA_AVP_INTEGRITY_ALG,
	    PANA_AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(pana_build_finish(&b, &len), 0);
	ph_input(&h, &from, buf, len);
	ph_clear_sent(&h);
}

static uint64_t
counter(const struct ctl_counter *c, size_t n, const char *status)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(c[i].status, status) == 0)
			return c[i].value;
	ck_abort_msg("no counter '%s'", status);
	return 0;
}

START_TEST(test_counters_from_the_paa)
{
	struct ctl_counter c[RELAYD_COUNTERS_MAX];
	struct relayd_radius_stats rs = { 5, 4, 1, 0, 2 };
	struct relay_stats rl = { 7, 6, 1, 0 };
	struct relayd_view v;
	struct sockaddr_storage from;
	size_t n;

	session_from("192.0.2.10", 40000);
	session_from("192.0.2.11", 40000);
	ph_addr(&h, &from, "192.0.2.12", 1);
	ph_input(&h, &from, (const uint8_t *)"short", 5);
	memset(&v, 0, sizeof(v));
	v.paa = h.paa;
	v.radius = &rs;
	v.relay = &rl;
	v.uptime_s = 42;
	n = relayd_counters(&v, c);
	ck_assert_uint_eq(counter(c, n, "sessions wait-pan"), 2);
	ck_assert_uint_eq(counter(c, n, "sessions open"), 0);
	ck_assert_uint_eq(counter(c, n, "sessions created"), 2);
	ck_assert_uint_eq(counter(c, n, "drops malformed"), 1);
	ck_assert_uint_eq(counter(c, n, "pana received"), 5);
	ck_assert_uint_eq(counter(c, n, "radius round-trips"), 4);
	ck_assert_uint_eq(counter(c, n, "radius timeouts"), 1);
	ck_assert_uint_eq(counter(c, n, "radius dropped-replies"), 2);
	ck_assert_uint_eq(counter(c, n, "relay to-paa"), 7);
	ck_assert_uint_eq(counter(c, n, "relay to-pac"), 6);
	ck_assert_uint_eq(counter(c, n, "relay drops from-pac"), 1);
	ck_assert_uint_eq(counter(c, n, "uptime seconds"), 42);
}
END_TEST

/* Samples of one metric name come together, after its HELP and TYPE. */
START_TEST(test_metrics_of_the_paa_are_well_formed)
{
	struct ctl_counter c[RELAYD_COUNTERS_MAX];
	struct relayd_radius_stats rs;
	struct relay_stats rl;
	struct relayd_view v;
	struct ctl_buf b;
	regex_t sample, comment;
	char *line, *save, seen[RELAYD_COUNTERS_MAX][64];
	size_t n, i, nseen = 0;

	memset(&rs, 0, sizeof(rs));
	memset(&rl, 0, sizeof(rl));
	memset(&v, 0, sizeof(v));
	v.paa = h.paa;
	v.radius = &rs;
	v.relay = &rl;
	n = relayd_counters(&v, c);
	ck_assert_uint_lt(n, RELAYD_COUNTERS_MAX);
	ctl_buf_init(&b, CTL_REPLY_MAX);
	ck_assert_int_eq(ctl_render_metrics(&b, c, n), 0);
	ck_assert_int_eq(regcomp(&sample, "^pana_relayd_[a-z_]+"
	    "(\\{[a-z_]+=\"[a-z_]+\"\\})? [0-9]+$", REG_EXTENDED), 0);
	ck_assert_int_eq(regcomp(&comment, "^# (HELP pana_relayd_[a-z_]+ .+|"
	    "TYPE pana_relayd_[a-z_]+ (counter|gauge))$", REG_EXTENDED), 0);
	for (line = strtok_r(b.buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(regexec(&sample, line, 0, NULL, 0) == 0 ||
		    regexec(&comment, line, 0, NULL, 0) == 0, "bad line '%s'",
		    line);
		if (strncmp(line, "# TYPE ", 7) != 0)
			continue;
		for (i = 0; i < nseen; i++)
			ck_assert_msg(strncmp(seen[i], line + 7,
			    strcspn(line + 7, " ")) != 0 ||
			    strlen(seen[i]) != strcspn(line + 7, " "),
			    "TYPE twice: '%s'", line);
		snprintf(seen[nseen++], sizeof(seen[0]), "%.*s",
		    (int)strcspn(line + 7, " "), line + 7);
	}
	regfree(&sample);
	regfree(&comment);
	ctl_buf_free(&b);
}
END_TEST

START_TEST(test_sessions_listing)
{
	struct ctl_buf b;

	session_from("192.0.2.10", 40000);
	ph_advance(&h, 3000);
	ctl_buf_init(&b, CTL_REPLY_MAX);
	ck_assert_int_eq(relayd_sessions(h.paa, h.now, &b), 0);
	ck_assert_msg(strncmp(b.buf, "ID       PAC", 12) == 0, "%s", b.buf);
	ck_assert_msg(strstr(b.buf, "192.0.2.10:40000") != NULL, "%s", b.buf);
	ck_assert_msg(strstr(b.buf, " wait-pan ") != NULL, "%s", b.buf);
	ck_assert_msg(strstr(b.buf, "        3        - -\n") != NULL, "%s",
	    b.buf);
	ctl_buf_free(&b);
}
END_TEST

START_TEST(test_sessions_listing_bounded)
{
	struct ctl_buf b;
	int i;

	h.cfg.max_per_addr = 100;
	paa_set_config(h.paa, &h.cfg);
	for (i = 0; i < 20; i++)
		session_from("192.0.2.10", (uint16_t)(40000 + i));
	ctl_buf_init(&b, 600);
	ck_assert_int_eq(relayd_sessions(h.paa, h.now, &b), 0);
	ck_assert_uint_le(b.len, 600);
	ck_assert_msg(strstr(b.buf, " more sessions not listed\n") != NULL,
	    "%s", b.buf);
	ctl_buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------ reload */

static void
conf(struct pr_config *c, const char *extra)
{
	char text[1024], err[CONFIG_ERRLEN];

	snprintf(text, sizeof(text), "role paa\npaa-listen 127.0.0.1 716\n"
	    "radius-server 127.0.0.1 s3cret\nnas-identifier paa-1\n%s", extra);
	ck_assert_msg(config_parse(text, "t.conf", c, err, sizeof(err)) == 0,
	    "%s", err);
}

START_TEST(test_reload_check)
{
	struct pr_config o, n;
	char err[CONFIG_ERRLEN];

	conf(&o, "");
	conf(&n, "nas-identifier paa-2\n");
	ck_assert_int_eq(relayd_reload_check(&o, &n, err, sizeof(err)), 0);
	conf(&n, "max-sessions 5\nradius-timeout-ms 100\n");
	ck_assert_int_eq(relayd_reload_check(&o, &n, err, sizeof(err)), 0);
	conf(&n, "radius-server ::1 other\n");
	ck_assert_int_eq(relayd_reload_check(&o, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(config_parse("role paa\npaa-listen 127.0.0.1 717\n"
	    "radius-server 127.0.0.1 s3cret\nnas-identifier paa-1\n", "t.conf",
	    &n, err, sizeof(err)), 0);
	ck_assert_int_eq(relayd_reload_check(&o, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "paa-listen changed: restart pana-relayd to "
	    "apply it");
	conf(&n, "control-socket /run/x.sock\n");
	ck_assert_int_eq(relayd_reload_check(&o, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "control-socket changed: restart pana-relayd "
	    "to apply it");
	conf(&n, "user nobody\n");
	ck_assert_int_eq(relayd_reload_check(&o, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "user changed: restart pana-relayd to apply it");
	conf(&n, "role relay\nrelay-listen 127.0.0.1 1\nrelay-paa 127.0.0.1 2\n");
	ck_assert_int_eq(relayd_reload_check(&o, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "role changed: restart pana-relayd to apply it");
}
END_TEST

/* ------------------------------------------------------------ the socket */

static char dir[64];

static void
sock_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	log_silence(1);
}

static void
sock_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	log_silence(0);
}

static int
hello(void *arg, const struct ctl_request *req, struct ctl_buf *b,
    char *err, size_t errlen)
{
	(void)arg;
	if (req->cmd == CTL_CMD_RELOAD) {
		snprintf(err, errlen, "not today");
		return -1;
	}
	/* More than a socket buffer holds: for a client that does not read. */
	if (req->cmd == CTL_CMD_METRICS) {
		while (b->len < (1u << 20))
			if (ctl_buf_printf(b, "%0127d\n", 0) != 0)
				return -1;
		return 0;
	}
	return ctl_buf_printf(b, "hello %d\n", (int)req->cmd);
}

static int
client(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ck_assert_int_ne(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Runs the server's side of poll() a few times, as the daemon's loop. */
static void
pump(struct ctl_server *cs, uint64_t now)
{
	struct pollfd pfd[CTL_POLLFDS];
	size_t n;
	int i;

	for (i = 0; i < 10; i++) {
		n = ctl_server_pollfds(cs, pfd, CTL_POLLFDS);
		if (poll(pfd, n, 20) <= 0)
			continue;
		ctl_server_events(cs, pfd, n, now);
	}
}

/* The whole reply, up to the server's close. */
static void
reply(struct ctl_server *cs, int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	pump(cs, 1000);
	while ((n = recv(fd, buf + len, size - 1 - len, MSG_DONTWAIT)) > 0)
		len += (size_t)n;
	/* Closed; with a reset if the server left part of a request unread. */
	ck_assert_msg(n == 0 || (n == -1 && errno == ECONNRESET),
	    "recv: %zd, %s", n, strerror(errno));
	buf[len] = '\0';
}

START_TEST(test_socket_answers_and_closes)
{
	struct ctl_server *cs;
	struct stat st;
	char path[128], err[CTL_ERRLEN], buf[256];
	int fd;

	snprintf(path, sizeof(path), "%s/c.sock", dir);
	cs = ctl_server_open(path, hello, NULL, err, sizeof(err));
	ck_assert_msg(cs != NULL, "%s", err);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0600);

	fd = client(path);
	ck_assert_int_eq(send(fd, "sessions\n", 9, 0), 9);
	reply(cs, fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ok\nhello 1\n");
	close(fd);

	fd = client(path);
	ck_assert_int_eq(send(fd, "reload\n", 7, 0), 7);
	reply(cs, fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "error: not today\n");
	close(fd);

	/* Unterminated, then the end of the stream. */
	fd = client(path);
	ck_assert_int_eq(send(fd, "bogus", 5, 0), 5);
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	reply(cs, fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "error: unknown command 'bogus'\n");
	close(fd);
	ck_assert_uint_eq(ctl_server_stats(cs)->requests, 3);

	ctl_server_close(cs);
	ck_assert_int_eq(lstat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_socket_path_in_use)
{
	struct ctl_server *cs, *cs2;
	struct sockaddr_un sun;
	char path[96], file[96], stale[96], err[CTL_ERRLEN], want[512];
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "%s/c.sock", dir);
	ck_assert_ptr_nonnull(cs = ctl_server_open(path, hello, NULL, err,
	    sizeof(err)));
	ck_assert_ptr_null(ctl_server_open(path, hello, NULL, err,
	    sizeof(err)));
	snprintf(want, sizeof(want), "control socket %s: another process "
	    "answers on it (is the daemon already running?)", path);
	ck_assert_str_eq(err, want);
	ctl_server_close(cs);

	snprintf(file, sizeof(file), "%s/file", dir);
	ck_assert_ptr_nonnull(fp = fopen(file, "w"));
	fclose(fp);
	ck_assert_ptr_null(ctl_server_open(file, hello, NULL, err,
	    sizeof(err)));
	snprintf(want, sizeof(want), "control socket %s: exists and is not a "
	    "socket: not removed", file);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(access(file, F_OK), 0);

	/* A socket nobody listens on any more is replaced. */
	snprintf(stale, sizeof(stale), "%s/stale", dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", stale);
	ck_assert_int_ne(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	cs2 = ctl_server_open(stale, hello, NULL, err, sizeof(err));
	ck_assert_msg(cs2 != NULL, "%s", err);
	ctl_server_close(cs2);
}
END_TEST

START_TEST(test_socket_bounds)
{
	struct ctl_server *cs;
	char path[128], err[CTL_ERRLEN], buf[512], big[CTL_REQUEST_MAX + 10];
	int fd[CTL_MAX_CLIENTS + 1], i;

	snprintf(path, sizeof(path), "%s/c.sock", dir);
	ck_assert_ptr_nonnull(cs = ctl_server_open(path, hello, NULL, err,
	    sizeof(err)));
	ck_assert_int_eq(ctl_server_timer(cs, 1000), -1);
	for (i = 0; i <= CTL_MAX_CLIENTS; i++)
		fd[i] = client(path);
	pump(cs, 1000);
	ck_assert_uint_eq(ctl_server_stats(cs)->refused, 1);
	ck_assert_int_eq(ctl_server_timer(cs, 1000), CTL_CLIENT_MS);
	ck_assert_int_eq(ctl_server_timer(cs, 1000 + CTL_CLIENT_MS - 1), 1);
	ck_assert_uint_eq(ctl_server_stats(cs)->dropped, 0);
	ck_assert_int_eq(ctl_server_timer(cs, 1000 + CTL_CLIENT_MS), -1);
	ck_assert_uint_eq(ctl_server_stats(cs)->dropped, CTL_MAX_CLIENTS);
	for (i = 0; i <= CTL_MAX_CLIENTS; i++) {
		ck_assert_int_eq(recv(fd[i], buf, sizeof(buf), 0), 0);
		close(fd[i]);
	}

	memset(big, 'x', sizeof(big));
	fd[0] = client(path);
	ck_assert_int_eq(send(fd[0], big, sizeof(big), 0), (ssize_t)sizeof(big));
	reply(cs, fd[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "error: request longer than 256 octets\n");
	close(fd[0]);
	ctl_server_close(cs);
}
END_TEST

/* Out of descriptors, the listener is left out of poll() for a while. */
START_TEST(test_socket_accept_paused_without_descriptors)
{
	struct ctl_server *cs;
	struct sockaddr_un sun;
	struct pollfd pfd[CTL_POLLFDS];
	struct rlimit rl;
	char path[96], err[CTL_ERRLEN], buf[64];
	int fd, lowest;

	snprintf(path, sizeof(path), "%s/c.sock", dir);
	ck_assert_ptr_nonnull(cs = ctl_server_open(path, hello, NULL, err,
	    sizeof(err)));
	ck_assert_int_ne(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_ne(lowest = dup(0), -1);
	close(lowest);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = (rlim_t)lowest;		/* no descriptor is left */
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	pump(cs, 1000);
	ck_assert_uint_eq(ctl_server_pollfds(cs, pfd, CTL_POLLFDS), 1);
	ck_assert_int_eq(pfd[0].fd, -1);
	ck_assert_int_eq(ctl_server_timer(cs, 1500), 500);
	rl.rlim_cur = rl.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(ctl_server_timer(cs, 2000), -1);
	ck_assert_uint_eq(ctl_server_pollfds(cs, pfd, CTL_POLLFDS), 1);
	ck_assert_int_ne(pfd[0].fd, -1);
	ck_assert_int_eq(send(fd, "status\n", 7, 0), 7);
	reply(cs, fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ok\nhello 0\n");
	close(fd);
	ctl_server_close(cs);
}
END_TEST

START_TEST(test_socket_client_that_does_not_read_is_dropped)
{
	struct ctl_server *cs;
	char path[96], err[CTL_ERRLEN], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/c.sock", dir);
	ck_assert_ptr_nonnull(cs = ctl_server_open(path, hello, NULL, err,
	    sizeof(err)));
	fd = client(path);
	ck_assert_int_eq(send(fd, "metrics\n", 8, 0), 8);
	pump(cs, 1000);
	/* The reply is half sent; the server waits without blocking. */
	ck_assert_int_eq(ctl_server_timer(cs, 1000 + CTL_CLIENT_MS - 1), 1);
	ck_assert_uint_eq(ctl_server_stats(cs)->dropped, 0);
	ck_assert_int_eq(ctl_server_timer(cs, 1000 + CTL_CLIENT_MS), -1);
	ck_assert_uint_eq(ctl_server_stats(cs)->dropped, 1);
	/* What was sent can be read, then the end. */
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	ck_assert_int_eq(n, 0);
	close(fd);
	ctl_server_close(cs);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("protocol");

	tcase_add_test(tc, test_parse_every_command);
	tcase_add_test(tc, test_parse_refusals_say_why);
	tcase_add_test(tc, test_parse_nul_in_request);
	tcase_add_test(tc, test_buf_never_grows_past_its_maximum);
	tcase_add_test(tc, test_status_lines);
	tcase_add_test(tc, test_metrics_exposition_format);
	tcase_add_test(tc, test_reload_check);
	suite_add_tcase(s, tc);

	tc = tcase_create("counters");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_counters_from_the_paa);
	tcase_add_test(tc, test_metrics_of_the_paa_are_well_formed);
	tcase_add_test(tc, test_sessions_listing);
	tcase_add_test(tc, test_sessions_listing_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("socket");
	tcase_add_checked_fixture(tc, sock_setup, sock_teardown);
	tcase_add_test(tc, test_socket_answers_and_closes);
	tcase_add_test(tc, test_socket_path_in_use);
	tcase_add_test(tc, test_socket_bounds);
	tcase_add_test(tc, test_socket_client_that_does_not_read_is_dropped);
	tcase_add_test(tc, test_socket_accept_paused_without_descriptors);
	suite_add_tcase(s, tc);
	return s;
}
