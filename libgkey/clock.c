/*
 * clock.c - see clock.h.
 */
#include <stdlib.h>
#include <time.h>

#include "clock.h"

uint64_t
gkey_now_ms(void)
{
	struct timespec	ts;

	/*
	 * This fails only where there is no monotonic clock at all; every
	 * timer would then be wrong, so stop rather than carry on.
	 */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		abort();
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
