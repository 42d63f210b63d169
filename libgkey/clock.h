/*
 * clock.h - the one monotonic clock of gkey's programs.
 *
 * Timers (retransmissions, lifetimes, the log rate limit) are kept in
 * milliseconds of CLOCK_MONOTONIC, so a change of the wall clock neither
 * fires nor postpones them.  The origin is arbitrary: only differences
 * mean anything.
 */
#ifndef GKEY_CLOCK_H
#define GKEY_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t	gkey_now_ms(void);

#endif /* GKEY_CLOCK_H */
