/*
 * relayd_conf.h - pana-relayd's configuration file.
 *
 * Line-based: "keyword value ...", '#' starts a comment, blank lines are
 * ignored.  Every bad line is an error naming file:line; the daemon does
 * not start with one.  Keywords: see pana-relayd.conf(5) and the table in
 * relayd_conf.c.
 *
 * Memory: struct pr_config is a plain value; config_clear() wipes the
 * RADIUS secrets and the relay keys (OPENSSL_cleanse).  Secrets are
 * never written to an error message.
 */
#ifndef GKEY_RELAYD_CONF_H
#define GKEY_RELAYD_CONF_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "das_conf.h"
#include "paa.h"

#define CONFIG_ERRLEN		512
#define CONFIG_SECRET_MAX	128
#define CONFIG_RADIUS_MAX	2
#define CONFIG_DEFAULT_PATH	"/etc/gkey/pana-relayd.conf"
#define CONFIG_CTL_PATH_MAX	108	/* sun_path of struct sockaddr_un */

struct config_radius {
	char		host[INET6_ADDRSTRLEN + 8];	/* numeric */
	uint16_t	port;
	char		secret[CONFIG_SECRET_MAX + 1];
};

struct pr_config {
	int			role_paa;
	int			role_relay;

	struct sockaddr_storage	paa_listen;
	int			have_paa_listen;
	struct sockaddr_storage	relay_listen;
	int			have_relay_listen;
	struct sockaddr_storage	relay_paa;
	int			have_relay_paa;
	uint8_t			relay_key[PAA_RELAY_KEY_MAX];	/* relay-paa */
	size_t			relay_key_len;	/* 0: no relay AUTH */

	struct config_radius	radius[CONFIG_RADIUS_MAX];
	size_t			n_radius;
	char			dictdir[PATH_MAX];
	char			dictionary[PATH_MAX];
	char			nas_identifier[254];
	unsigned int		radius_timeout_ms;
	unsigned int		radius_retries;
	uint32_t		framed_mtu;

	char			user[64];

	struct paa_config	paa;

	/* pana-relayctl's Unix socket; "" when off.  Restart to change. */
	char			control_socket[CONFIG_CTL_PATH_MAX];
	/* log-level debug: as -v; applied again by a reload. */
	int			log_debug;

	/* The key server's push (doc/coa.md): das-listen, das-client. */
	struct das_settings	das;
};

/* Defaults, then the file.  0, or -1 with "file:line: reason" in err. */
int	config_load(const char *path, struct pr_config *, char *err,
	    size_t errlen);
/* Same, from a string (for the tests); name is used in messages. */
int	config_parse(const char *text, const char *name, struct pr_config *,
	    char *err, size_t errlen);
void	config_clear(struct pr_config *);

/* "ADDR PORT" into a sockaddr; numeric only.  0 or -1. */
int	config_sockaddr(const char *addr, const char *port,
	    struct sockaddr_storage *);

#endif /* GKEY_RELAYD_CONF_H */
