/*
 * rlm_gkey.c	FreeRADIUS module handing out per-application group keys.
 *
 * This file holds only the module glue: configuration, bootstrap,
 * instantiate, detach and the authorize/post-auth callbacks.
 */
#include <freeradius/build.h>
RCSID("$Id$")
#include <freeradius/radiusd.h>
#include <freeradius/modules.h>

typedef struct rlm_gkey_t {
	char const	*name;
	char const	*conninfo;
	char const	*kek_file;
	char const	*p256_key_file;
	char const	*x25519_key_file;
	uint32_t	vendor;
	uint32_t	max_lifetime;
} rlm_gkey_t;

static const CONF_PARSER module_config[] = {
	{ "conninfo", FR_CONF_OFFSET(PW_TYPE_STRING | PW_TYPE_SECRET | PW_TYPE_REQUIRED | PW_TYPE_NOT_EMPTY, rlm_gkey_t, conninfo), NULL },
	{ "kek_file", FR_CONF_OFFSET(PW_TYPE_FILE_INPUT | PW_TYPE_REQUIRED, rlm_gkey_t, kek_file), NULL },
	{ "p256_key_file", FR_CONF_OFFSET(PW_TYPE_FILE_INPUT | PW_TYPE_REQUIRED, rlm_gkey_t, p256_key_file), NULL },
	{ "x25519_key_file", FR_CONF_OFFSET(PW_TYPE_FILE_INPUT | PW_TYPE_REQUIRED, rlm_gkey_t, x25519_key_file), NULL },
	{ "vendor", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, vendor), "32473" },
	{ "max_lifetime", FR_CONF_OFFSET(PW_TYPE_INTEGER, rlm_gkey_t, max_lifetime), "86400" },
	CONF_PARSER_TERMINATOR
};

static int mod_instantiate(CONF_SECTION *conf, void *instance)
{
	rlm_gkey_t *inst = instance;

	inst->name = cf_section_name2(conf);
	if (!inst->name) inst->name = cf_section_name1(conf);

	INFO("rlm_gkey (%s): vendor %u, max_lifetime %u s, kek_file %s",
	     inst->name, inst->vendor, inst->max_lifetime, inst->kek_file);
	return 0;
}

static rlm_rcode_t CC_HINT(nonnull) mod_authorize(UNUSED void *instance, UNUSED REQUEST *request)
{
	return RLM_MODULE_NOOP;
}

static rlm_rcode_t CC_HINT(nonnull) mod_post_auth(UNUSED void *instance, UNUSED REQUEST *request)
{
	return RLM_MODULE_NOOP;
}

extern module_t rlm_gkey;
module_t rlm_gkey = {
	.magic		= RLM_MODULE_INIT,
	.name		= "gkey",
	.type		= RLM_TYPE_THREAD_SAFE,
	.inst_size	= sizeof(rlm_gkey_t),
	.config		= module_config,
	.instantiate	= mod_instantiate,
	.methods = {
		[MOD_AUTHORIZE]	= mod_authorize,
		[MOD_POST_AUTH]	= mod_post_auth,
	},
};
