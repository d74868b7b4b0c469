// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/tbucket.h"

#define MILLI 1000u

void tbucket_init(struct tbucket *tb, uint32_t rate, uint32_t burst,
		  uint64_t now_ms)
{
	if (!rate)
		rate = 1;
	if (rate > TBUCKET_RATE_MAX)
		rate = TBUCKET_RATE_MAX;
	tb->rate = rate;
	tb->cap = (uint64_t)(burst ? burst : rate) * MILLI;
	tb->tokens = tb->cap;
	tb->last_ms = now_ms;
}

bool tbucket_take(struct tbucket *tb, uint64_t now_ms)
{
	/* rate events/s = rate thousandths of an event per millisecond */
	if (now_ms > tb->last_ms) {
		uint64_t dt = now_ms - tb->last_ms, add;

		/* a full bucket takes at most burst/rate s: cap dt (overflow) */
		add = (dt > 1000000 ? 1000000 : dt) * tb->rate;

		tb->tokens = add >= tb->cap - tb->tokens ? tb->cap :
							   tb->tokens + add;
		tb->last_ms = now_ms;
	}
	if (tb->tokens < MILLI)
		return false;
	tb->tokens -= MILLI;
	return true;
}
