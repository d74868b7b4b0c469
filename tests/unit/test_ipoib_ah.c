// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for ipoib/ah_cache: keys (LID, GID, SL), hits and misses,
 * least-recently-used eviction, and that an evicted handle is destroyed
 * only after the last send that named it completed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipoib/ah_cache.h"

#define MAX_AH 64

struct fake {
	int freed[MAX_AH]; /* how often handle i was destroyed */
	unsigned int n_freed;
};

static struct fake fk;
static int handles[MAX_AH]; /* &handles[i] is AH number i */

static void fake_free(void *arg, void *ah)
{
	struct fake *f = arg;

	f->freed[(int *)ah - handles]++;
	f->n_freed++;
}

static struct ipoib_ah_key lid_key(uint16_t lid, uint8_t sl)
{
	struct ipoib_ah_key k;

	memset(&k, 0, sizeof(k));
	k.dlid = lid;
	k.sl = sl;
	return k;
}

static struct ipoib_ah_key gid_key(uint8_t last)
{
	struct ipoib_ah_key k;

	memset(&k, 0, sizeof(k));
	k.global = 1;
	k.dgid.raw[0] = 0xfe;
	k.dgid.raw[1] = 0x80;
	k.dgid.raw[15] = last;
	return k;
}

static struct ipoib_ah_cache *mk(unsigned int cap)
{
	memset(&fk, 0, sizeof(fk));
	return ipoib_ah_cache_create(cap, fake_free, &fk);
}

static void test_create_bounds(void **state)
{
	errno = 0;
	assert_null(ipoib_ah_cache_create(0, fake_free, &fk));
	assert_int_equal(errno, EINVAL);
	assert_null(
		ipoib_ah_cache_create(IPOIB_AH_CACHE_MAX + 1, fake_free, &fk));
	assert_null(ipoib_ah_cache_create(4, NULL, &fk));
	ipoib_ah_cache_destroy(NULL);
}

static void test_keys(void **state)
{
	struct ipoib_ah_cache *c = mk(8);
	struct ipoib_ah_key a = lid_key(4, 0), b = lid_key(4, 1);
	struct ipoib_ah_key g1 = gid_key(1), g2 = gid_key(2);
	struct ipoib_ah_cache_stats st;

	assert_non_null(c);
	assert_null(ipoib_ah_cache_get(c, &a, 1));
	assert_int_equal(ipoib_ah_cache_put(c, &a, &handles[0], 1), 0);
	assert_int_equal(ipoib_ah_cache_put(c, &b, &handles[1], 1), 0);
	assert_int_equal(ipoib_ah_cache_put(c, &g1, &handles[2], 1), 0);
	assert_int_equal(ipoib_ah_cache_put(c, &g2, &handles[3], 1), 0);
	assert_int_equal(ipoib_ah_cache_put(c, &a, &handles[4], 1), -EEXIST);
	/* same LID, other SL: another handle; GIDs apart by their bytes */
	assert_ptr_equal(ipoib_ah_cache_get(c, &a, 2), &handles[0]);
	assert_ptr_equal(ipoib_ah_cache_get(c, &b, 2), &handles[1]);
	assert_ptr_equal(ipoib_ah_cache_get(c, &g1, 2), &handles[2]);
	assert_ptr_equal(ipoib_ah_cache_get(c, &g2, 2), &handles[3]);
	/* a GID is ignored unless the key is global */
	a.dgid.raw[3] = 7;
	assert_ptr_equal(ipoib_ah_cache_get(c, &a, 2), &handles[0]);
	ipoib_ah_cache_stats(c, &st);
	assert_int_equal(st.cached, 4);
	assert_int_equal(st.hits, 5);
	assert_int_equal(st.misses, 1);
	ipoib_ah_cache_destroy(c);
	assert_int_equal(fk.n_freed, 4);
}

/* Full: the least recently used goes, at once when its sends are done. */
static void test_lru_eviction(void **state)
{
	struct ipoib_ah_cache *c = mk(3);
	struct ipoib_ah_key k[4];
	struct ipoib_ah_cache_stats st;
	int i;

	for (i = 0; i < 4; i++)
		k[i] = lid_key((uint16_t)(10 + i), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(ipoib_ah_cache_put(c, &k[i], &handles[i], 0),
				 0);
	assert_non_null(ipoib_ah_cache_get(c, &k[0], 0)); /* 1 is LRU now */
	assert_int_equal(ipoib_ah_cache_put(c, &k[3], &handles[3], 0), 0);
	assert_int_equal(fk.freed[1], 1); /* seq 0 <= done 0: destroyed */
	assert_null(ipoib_ah_cache_get(c, &k[1], 0));
	assert_non_null(ipoib_ah_cache_get(c, &k[0], 0));
	assert_non_null(ipoib_ah_cache_get(c, &k[2], 0));
	assert_non_null(ipoib_ah_cache_get(c, &k[3], 0));
	ipoib_ah_cache_stats(c, &st);
	assert_int_equal(st.cached, 3);
	assert_int_equal(st.evictions, 1);
	ipoib_ah_cache_destroy(c);
	assert_int_equal(fk.n_freed, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(fk.freed[i], 1);
}

/* An evicted handle that a send in flight uses waits for its completion. */
static void test_retire_until_done(void **state)
{
	struct ipoib_ah_cache *c = mk(1);
	struct ipoib_ah_key a = lid_key(1, 0), b = lid_key(2, 0);
	struct ipoib_ah_cache_stats st;

	assert_int_equal(ipoib_ah_cache_put(c, &a, &handles[0], 5), 0);
	assert_non_null(ipoib_ah_cache_get(c, &a, 7)); /* send 7 uses it */
	assert_int_equal(ipoib_ah_cache_put(c, &b, &handles[1], 8), 0);
	assert_int_equal(fk.freed[0], 0);
	ipoib_ah_cache_stats(c, &st);
	assert_int_equal(st.retired, 1);
	assert_int_equal(ipoib_ah_cache_reap(c, 6), 0);
	assert_int_equal(fk.freed[0], 0);
	assert_int_equal(ipoib_ah_cache_reap(c, 7), 1);
	assert_int_equal(fk.freed[0], 1);
	assert_int_equal(ipoib_ah_cache_reap(c, 9), 0);
	/* reaping moves the done mark: later evictions free at once */
	assert_int_equal(ipoib_ah_cache_put(c, &a, &handles[2], 8), 0);
	assert_int_equal(fk.freed[1], 1);
	ipoib_ah_cache_stats(c, &st);
	assert_int_equal(st.retired, 0);
	ipoib_ah_cache_destroy(c);
	assert_int_equal(fk.n_freed, 3);
}

static void test_flush_and_destroy(void **state)
{
	struct ipoib_ah_cache *c = mk(16);
	struct ipoib_ah_cache_stats st;
	struct ipoib_ah_key k;
	int i;

	for (i = 0; i < 10; i++) {
		k = gid_key((uint8_t)i);
		assert_int_equal(
			ipoib_ah_cache_put(c, &k, &handles[i], (uint64_t)i), 0);
	}
	assert_int_equal(ipoib_ah_cache_reap(c, 4), 0);
	ipoib_ah_cache_flush(c); /* 0..4 done: freed; 5..9 retired */
	assert_int_equal(fk.n_freed, 5);
	ipoib_ah_cache_stats(c, &st);
	assert_int_equal(st.cached, 0);
	assert_int_equal(st.retired, 5);
	k = gid_key(3);
	assert_null(ipoib_ah_cache_get(c, &k, 11));
	/* the slots are reusable */
	assert_int_equal(ipoib_ah_cache_put(c, &k, &handles[20], 11), 0);
	ipoib_ah_cache_destroy(c); /* everything, retired ones too */
	assert_int_equal(fk.n_freed, 11);
	for (i = 0; i < 10; i++)
		assert_int_equal(fk.freed[i], 1);
}

/* Many keys through a small cache: never more than its capacity. */
static void test_churn(void **state)
{
	struct ipoib_ah_cache *c = mk(8);
	struct ipoib_ah_cache_stats st;
	struct ipoib_ah_key k;
	uint64_t seq = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		k = lid_key((uint16_t)(1 + i % 37), (uint8_t)(i % 3));
		if (!ipoib_ah_cache_get(c, &k, ++seq))
			assert_int_equal(
				ipoib_ah_cache_put(c, &k, &handles[i % MAX_AH],
						   seq),
				0);
		if (i % 5 == 0)
			ipoib_ah_cache_reap(c, seq - 2);
		ipoib_ah_cache_stats(c, &st);
		assert_true(st.cached <= 8);
		assert_true(st.retired <= 3);
	}
	ipoib_ah_cache_stats(c, &st);
	assert_int_equal(st.hits + st.misses, 1000);
	ipoib_ah_cache_reap(c, seq);
	ipoib_ah_cache_stats(c, &st);
	assert_int_equal(st.retired, 0);
	ipoib_ah_cache_destroy(c);
	assert_int_equal(fk.n_freed, st.misses);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_bounds),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_retire_until_done),
		cmocka_unit_test(test_flush_and_destroy),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
