/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A token bucket counting whole events (frames) per second, for the
 * datapath: integer arithmetic only, no clock of its own (the caller passes
 * the time in milliseconds), no locking (one user thread).
 */
#ifndef LIB_TBUCKET_H
#define LIB_TBUCKET_H

#include <stdbool.h>
#include <stdint.h>

#define TBUCKET_RATE_MAX 10000000u /* events per second */

struct tbucket {
	uint64_t rate; /* events per second */
	uint64_t cap; /* bucket size, in thousandths of an event */
	uint64_t tokens; /* in thousandths of an event */
	uint64_t last_ms; /* when tokens were last added */
};

/*
 * tbucket_init - @rate events per second (1..TBUCKET_RATE_MAX), at most
 * @burst (0: @rate, i.e. one second's worth) at once; the bucket starts
 * full at @now_ms.
 */
void tbucket_init(struct tbucket *tb, uint32_t rate, uint32_t burst,
		  uint64_t now_ms);

/*
 * tbucket_take - whether one event may pass at @now_ms; takes its token
 * when it may. A clock that goes back adds nothing.
 */
bool tbucket_take(struct tbucket *tb, uint64_t now_ms);

#endif /* LIB_TBUCKET_H */
