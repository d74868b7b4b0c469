// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for lib/pool: geometry, exhaustion, reuse, headroom. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/pool.h"

static void test_bad_geometry(void **state)
{
	errno = 0;
	assert_null(pool_create(0, 2048, 128));
	assert_int_equal(errno, EINVAL);
	assert_null(pool_create(16, 3000, 128)); /* not a power of two */
	assert_null(pool_create(16, 2048, 2048)); /* no room for a frame */
	pool_destroy(NULL);
}

static void test_alloc_all(void **state)
{
	struct pool *p = pool_create(64, 2048, 128);
	struct pkt *pkts[64];
	size_t len;
	uint8_t *region;
	unsigned int i;

	assert_non_null(p);
	region = pool_region(p, &len);
	assert_true(len >= 64 * 2048);
	assert_int_equal(pool_size(p), 64);
	for (i = 0; i < 64; i++) {
		pkts[i] = pool_alloc(p);
		assert_non_null(pkts[i]);
		assert_int_equal(pkt_headroom(pkts[i]), 128);
		assert_int_equal(pkts[i]->len, 0);
		/* inside the one region, on its own buffer */
		assert_true(pkts[i]->head >= region);
		assert_true(pkts[i]->head + 2048 <= region + len);
		assert_int_equal((pkts[i]->head - region) % 2048, 0);
		assert_int_equal(pool_offset(p, pkts[i]),
				 (uint64_t)(pkts[i]->data - region));
		memset(pkts[i]->data, i, 2048 - 128);
	}
	assert_int_equal(pool_avail(p), 0);
	assert_null(pool_alloc(p));
	for (i = 0; i < 64; i++)
		assert_int_equal(pkts[i]->data[2048 - 129], (uint8_t)i);
	for (i = 0; i < 64; i++)
		pool_free(pkts[i]);
	assert_int_equal(pool_avail(p), 64);
	pool_destroy(p);
}

static void test_lifo_and_reset(void **state)
{
	struct pool *p = pool_create(8, 2048, 128);
	struct pkt *a, *b;

	a = pool_alloc(p);
	a->data -= 4; /* a pushed tag */
	a->len = 60;
	a->flags = 3;
	pool_free(a);
	b = pool_alloc(p);
	assert_ptr_equal(a, b); /* the warm buffer comes back first */
	assert_int_equal(pkt_headroom(b), 128);
	assert_int_equal(b->len, 0);
	assert_int_equal(b->flags, 0);
	pool_free(b);
	pool_destroy(p);
}

/* AF_XDP hands back offsets: they must lead to the same descriptors. */
static void test_offsets(void **state)
{
	struct pool *p = pool_create(8, 2048, 128);
	struct pkt *a = pool_alloc(p), *b;
	uint64_t off = pool_buf_offset(p, a);

	assert_int_equal(off % 2048, 0);
	assert_int_equal(pool_offset(p, a), off + 128);
	b = pool_pkt_at(p, off + 384, 60);
	assert_ptr_equal(a, b);
	assert_int_equal(pkt_headroom(b), 384);
	assert_int_equal(b->len, 60);
	assert_null(pool_pkt_at(p, 8 * 2048, 0)); /* outside the region */
	assert_null(pool_pkt_at(p, off + 2000, 100)); /* past its buffer */
	pool_free(a);
	assert_int_equal(pool_avail(p), 8);
	pool_destroy(p);
}

static void test_borrowed_free(void **state)
{
	uint8_t buf[64];
	struct pkt lent = { .data = buf + 8, .head = buf, .pool = NULL };

	pool_free(&lent); /* a lent frame is not the pool's: no-op */
	assert_int_equal(pkt_headroom(&lent), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_geometry),
		cmocka_unit_test(test_alloc_all),
		cmocka_unit_test(test_lifo_and_reset),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_borrowed_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
