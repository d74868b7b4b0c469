// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for lib/tbucket: burst, refill, cap, a clock that goes back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/tbucket.h"

/* How many of @tries events pass at @now. */
static unsigned int take_n(struct tbucket *tb, unsigned int tries, uint64_t now)
{
	unsigned int n = 0;

	while (tries--)
		n += tbucket_take(tb, now);
	return n;
}

static void test_burst_is_one_second(void **state)
{
	struct tbucket tb;

	tbucket_init(&tb, 10, 0, 1000);
	assert_int_equal(take_n(&tb, 100, 1000), 10);
	assert_false(tbucket_take(&tb, 1000));
}

static void test_refill(void **state)
{
	struct tbucket tb;

	tbucket_init(&tb, 10, 0, 0);
	assert_int_equal(take_n(&tb, 10, 0), 10);
	assert_int_equal(take_n(&tb, 10, 99), 0); /* 0.99 of a token */
	assert_int_equal(take_n(&tb, 10, 100), 1);
	assert_int_equal(take_n(&tb, 10, 550), 4); /* 4.5 tokens */
	assert_int_equal(take_n(&tb, 10, 600), 1); /* the half, plus .5 */
}

static void test_cap_and_burst(void **state)
{
	struct tbucket tb;

	tbucket_init(&tb, 1000, 5, 0);
	assert_int_equal(take_n(&tb, 100, 0), 5);
	/* an hour idle fills the bucket, no more */
	assert_int_equal(take_n(&tb, 100, 3600 * 1000ull), 5);
	/* rates over the maximum are clamped, 0 is one per second */
	tbucket_init(&tb, UINT32_MAX, 1, 0);
	assert_int_equal(tb.rate, TBUCKET_RATE_MAX);
	tbucket_init(&tb, 0, 0, 0);
	assert_int_equal(take_n(&tb, 5, 0), 1);
}

static void test_clock_back(void **state)
{
	struct tbucket tb;

	tbucket_init(&tb, 100, 0, 5000);
	assert_int_equal(take_n(&tb, 200, 5000), 100);
	assert_int_equal(take_n(&tb, 10, 1000), 0); /* back: nothing added */
	assert_int_equal(take_n(&tb, 10, 5010), 1);
	/* a huge jump does not overflow */
	assert_int_equal(take_n(&tb, 200, UINT64_MAX / 2), 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_is_one_second),
		cmocka_unit_test(test_refill),
		cmocka_unit_test(test_cap_and_burst),
		cmocka_unit_test(test_clock_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
