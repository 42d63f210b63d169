/*
 * radattr.h - adding an attribute to a libfreeradius-radius 3.2 packet,
 * as the RADIUS clients and DAS peers of gkey build theirs: gkey-pushd's
 * CoA-Request (doc/push.md section 3), the Access-Requests of
 * pana-relayd and gkey-ard (doc/radius.md), bench/radload and the tests.
 *
 * Each returns 0, or -1 when libfreeradius cannot make the pair (an
 * unknown attribute, out of memory; fr_strerror() says which).  The
 * value is copied; the pair belongs to the packet.  vendor 0: an
 * attribute of RFC 2865's space.
 */
#ifndef GKEY_RADATTR_H
#define GKEY_RADATTR_H

#include <stddef.h>
#include <stdint.h>

#include <freeradius/build.h>
#include <freeradius/libradius.h>

/* len octets as they are, whatever the attribute's type. */
int	radattr_octets(RADIUS_PACKET *, unsigned int attr, unsigned int vendor,
	    const void *v, size_t len);
/* A NUL-terminated string. */
int	radattr_string(RADIUS_PACKET *, unsigned int attr, unsigned int vendor,
	    const char *v);
int	radattr_integer(RADIUS_PACKET *, unsigned int attr, unsigned int vendor,
	    uint32_t v);
int	radattr_date(RADIUS_PACKET *, unsigned int attr, uint32_t v);
/* len octets, as a string for a string attribute. */
int	radattr_da(RADIUS_PACKET *, const DICT_ATTR *, const void *v,
	    size_t len);
/* radattr_da() by number; v NULL: the integer instead. */
int	radattr_num(RADIUS_PACKET *, unsigned int attr, unsigned int vendor,
	    const void *v, size_t len, uint32_t integer);

#endif /* GKEY_RADATTR_H */
