/*
 * pushd_conf.h - gkey-pushd's configuration file (gkey-pushd.conf(5)),
 * parsed with libdaemon/conf.c.
 */
#ifndef GKEY_PUSHD_CONF_H
#define GKEY_PUSHD_CONF_H

#include <stddef.h>
#include <stdint.h>

#define PUSHD_CONF_DEFAULT	"/etc/gkey/gkey-pushd.conf"
#define PUSHD_CONF_ERRLEN	512
#define PUSHD_NAS_MAX		1024
#define PUSHD_NAS_NAME_MAX	253	/* a NAS-Identifier */
#define PUSHD_SECRET_MAX	128
#define PUSHD_CONNINFO_MAX	1024

struct pushd_nas {
	char		name[PUSHD_NAS_NAME_MAX + 1];
	char		host[64];	/* numeric IPv4 or IPv6 */
	uint16_t	port;
	char		secret[PUSHD_SECRET_MAX + 1];
	/* NAME is an address (the log's source-address form): no NAS-Identifier. */
	int		name_is_address;
};

struct pushd_config {
	char		 conninfo[PUSHD_CONNINFO_MAX + 1];
	unsigned int	 recent;		/* seconds */
	unsigned int	 retries;
	unsigned int	 timeout_ms;
	uint32_t	 window_ms;
	unsigned int	 rate;			/* CoA-Requests per second */
	unsigned int	 reconnect_s;
	unsigned int	 max_queue;
	char		 dictdir[256];
	char		 dictionary[256];
	char		 user[64];
	char		 control_socket[108];	/* sun_path; "" = none */
	struct pushd_nas *nas;			/* n_nas of them */
	size_t		 n_nas;
};

/* 0, or -1 with "file:line: message" in err (and c cleared). */
int	pushd_config_load(const char *path, struct pushd_config *c, char *err,
	    size_t errlen);
int	pushd_config_parse(const char *text, const char *name,
	    struct pushd_config *c, char *err, size_t errlen);
/* Wipes the secrets and the conninfo, frees the NAS table. */
void	pushd_config_clear(struct pushd_config *c);
/* The configured NAS of that name, or NULL. */
const struct pushd_nas *pushd_config_nas(const struct pushd_config *c,
	    const char *name);

#endif /* GKEY_PUSHD_CONF_H */
