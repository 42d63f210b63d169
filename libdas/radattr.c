/*
 * radattr.c - attributes added to a libfreeradius-radius packet.  See
 * radattr.h.
 */
#include "radattr.h"

int
radattr_octets(RADIUS_PACKET *p, unsigned int attr, unsigned int vendor,
    const void *v, size_t len)
{
	VALUE_PAIR *vp;

	if ((vp = fr_pair_afrom_num(p, attr, vendor)) == NULL)
		return -1;
	fr_pair_value_memcpy(vp, v, len);
	fr_pair_add(&p->vps, vp);
	return 0;
}

int
radattr_string(RADIUS_PACKET *p, unsigned int attr, unsigned int vendor,
    const char *v)
{
	VALUE_PAIR *vp;

	if ((vp = fr_pair_afrom_num(p, attr, vendor)) == NULL)
		return -1;
	fr_pair_value_strcpy(vp, v);
	fr_pair_add(&p->vps, vp);
	return 0;
}

int
radattr_integer(RADIUS_PACKET *p, unsigned int attr, unsigned int vendor,
    uint32_t v)
{
	VALUE_PAIR *vp;

	if ((vp = fr_pair_afrom_num(p, attr, vendor)) == NULL)
		return -1;
	vp->vp_integer = v;
	fr_pair_add(&p->vps, vp);
	return 0;
}

int
radattr_date(RADIUS_PACKET *p, unsigned int attr, uint32_t v)
{
	VALUE_PAIR *vp;

	if ((vp = fr_pair_afrom_num(p, attr, 0)) == NULL)
		return -1;
	vp->vp_date = v;
	fr_pair_add(&p->vps, vp);
	return 0;
}

static void
set_value(VALUE_PAIR *vp, const void *v, size_t len)
{
	if (vp->da->type == PW_TYPE_STRING)
		fr_pair_value_bstrncpy(vp, v, len);
	else
		fr_pair_value_memcpy(vp, v, len);
}

int
radattr_da(RADIUS_PACKET *p, const DICT_ATTR *da, const void *v, size_t len)
{
	VALUE_PAIR *vp;

	if ((vp = fr_pair_afrom_da(p, da)) == NULL)
		return -1;
	set_value(vp, v, len);
	fr_pair_add(&p->vps, vp);
	return 0;
}

int
radattr_num(RADIUS_PACKET *p, unsigned int attr, unsigned int vendor,
    const void *v, size_t len, uint32_t integer)
{
	VALUE_PAIR *vp;

	if (v == NULL)
		return radattr_integer(p, attr, vendor, integer);
	if ((vp = fr_pair_afrom_num(p, attr, vendor)) == NULL)
		return -1;
	set_value(vp, v, len);
	fr_pair_add(&p->vps, vp);
	return 0;
}
