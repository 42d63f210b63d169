/*
 * ard_conf.h - gkey-ard's configuration file (gkey-ard.conf(5)).
 *
 * Line-based: "keyword value ...", '#' starts a comment, blank lines are
 * ignored.  Every bad line is an error naming file:line; the daemon does
 * not start with one.
 *
 * Memory: struct ard_config is a plain value; ard_config_clear() wipes the
 * RADIUS secrets (OPENSSL_cleanse).  Secrets never appear in an error.
 */
#ifndef GKEY_ARD_CONF_H
#define GKEY_ARD_CONF_H

#include <sys/types.h>
#include <netinet/in.h>
#include <net/if.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "das_conf.h"
#include "nd_msg.h"

#define ARD_CONF_ERRLEN		512
#define ARD_CONF_DEFAULT	"/etc/gkey/gkey-ard.conf"
#define ARD_SECRET_MAX		128
#define ARD_RADIUS_MAX		2
#define ARD_PREFIX_MAX		4
#define ARD_RDNSS_MAX		3
#define ARD_CTL_PATH_MAX	108	/* sun_path of struct sockaddr_un */

struct ard_radius_server {
	char		host[INET6_ADDRSTRLEN + 8];	/* numeric */
	uint16_t	port;
	char		secret[ARD_SECRET_MAX + 1];
};

/* A Prefix Information option (RFC 4861 4.6.2). */
struct ard_prefix {
	struct in6_addr	addr;
	uint8_t		len;
	uint8_t		flags;		/* L 0x80, A 0x40 */
	uint32_t	valid;
	uint32_t	preferred;
};

struct ard_rate {
	unsigned int	per_second;
	unsigned int	burst;
};

struct ard_config {
	char			 interface[IF_NAMESIZE];
	char			 certificate[PATH_MAX];
	char			 private_key[PATH_MAX];

	struct ard_radius_server radius[ARD_RADIUS_MAX];
	size_t			 n_radius;
	char			 dictdir[PATH_MAX];
	char			 dictionary[PATH_MAX];
	char			 nas_identifier[254];
	unsigned int		 radius_timeout_ms;
	unsigned int		 radius_retries;

	unsigned int		 timestamp_window;	/* seconds */
	unsigned int		 max_pending;		/* RADIUS requests */
	unsigned int		 max_sources;		/* tracked sources */
	struct ard_rate		 rate_source;
	struct ard_rate		 rate_total;

	/* What the router advertises on the link (RFC 4861 4.2). */
	struct nd_ra_hdr	 ra;
	int			 ra_slla;
	uint32_t		 ra_mtu;		/* 0: no MTU option */
	struct ard_prefix	 prefix[ARD_PREFIX_MAX];
	size_t			 n_prefix;
	struct in6_addr		 rdnss[ARD_RDNSS_MAX];
	size_t			 n_rdnss;
	uint32_t		 rdnss_lifetime;

	char			 user[64];
	char			 control_socket[ARD_CTL_PATH_MAX]; /* "": none */

	/* The key server's push (doc/coa.md): das-listen, das-client. */
	struct das_settings	 das;
};

/* Defaults, then the file.  0, or -1 with "file:line: reason" in err. */
int	ard_config_load(const char *path, struct ard_config *, char *err,
	    size_t errlen);
/* The same from a string (tests); name is used in messages. */
int	ard_config_parse(const char *text, const char *name,
	    struct ard_config *, char *err, size_t errlen);
void	ard_config_clear(struct ard_config *);

#endif /* GKEY_ARD_CONF_H */
