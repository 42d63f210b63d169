/*
 * noded_conf.h - gkey-noded's configuration file (gkey-noded.conf(5)).
 *
 * Line-based: "keyword value ...", '#' starts a comment, blank lines are
 * ignored.  Every bad line is an error naming file:line.
 */
#ifndef GKEY_NODED_CONF_H
#define GKEY_NODED_CONF_H

#include <net/if.h>
#include <netinet/in.h>

#include <limits.h>
#include <stddef.h>

#define NODED_CONF_ERRLEN	512
#define NODED_CONF_DEFAULT	"/etc/gkey/gkey-noded.conf"
#define NODED_SERVERS_MAX	4
#define NODED_APPS_MAX		32

struct noded_config {
	char		 interface[IF_NAMESIZE];
	char		 certificate[PATH_MAX];
	char		 private_key[PATH_MAX];
	char		 trust_anchor[PATH_MAX];
	char		 key_server[NODED_SERVERS_MAX][PATH_MAX];
	size_t		 n_key_servers;
	char		 app[NODED_APPS_MAX][65];
	size_t		 n_apps;
	char		 key_file[PATH_MAX];
	struct in6_addr	 solicit_to;		/* default ff02::2 */
	unsigned int	 timestamp_window;	/* seconds */
	unsigned int	 answer_wait_ms;	/* for every part of an answer */
	unsigned int	 retry_initial_ms;	/* back-off start */
	unsigned int	 retry_max_ms;		/* back-off cap */
	unsigned int	 jitter_percent;	/* +- on every schedule */
	char		 user[64];
};

int	noded_config_load(const char *path, struct noded_config *, char *err,
	    size_t errlen);
int	noded_config_parse(const char *text, const char *name,
	    struct noded_config *, char *err, size_t errlen);

#endif /* GKEY_NODED_CONF_H */
