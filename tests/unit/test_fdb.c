// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for eth/fdb: learning, moves, aging, flush, partitions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eth/fdb.h"

static void test_learn_lookup(void **state)
{
	struct fdb *f = fdb_create(16, 1000);
	struct fdb_stats st;

	assert_int_equal(fdb_lookup(f, 0, 0x020000000001, 0), -ENOENT);
	assert_int_equal(fdb_learn(f, 0, 0x020000000001, 3, 10), FDB_LEARNED);
	assert_int_equal(fdb_learn(f, 0, 0x020000000001, 3, 20), FDB_REFRESHED);
	assert_int_equal(fdb_lookup(f, 0, 0x020000000001, 30), 3);
	/* the same MAC in another partition is another entry */
	assert_int_equal(fdb_lookup(f, 1, 0x020000000001, 30), -ENOENT);
	assert_int_equal(fdb_learn(f, 1, 0x020000000001, 5, 30), FDB_LEARNED);
	assert_int_equal(fdb_lookup(f, 1, 0x020000000001, 30), 5);
	assert_int_equal(fdb_lookup(f, 0, 0x020000000001, 30), 3);
	/* a move */
	assert_int_equal(fdb_learn(f, 0, 0x020000000001, 4, 40), FDB_MOVED);
	assert_int_equal(fdb_lookup(f, 0, 0x020000000001, 40), 4);
	fdb_get_stats(f, &st);
	assert_int_equal(st.learned, 2);
	assert_int_equal(st.moved, 1);
	assert_int_equal(st.entries, 2);
	fdb_destroy(f);
}

static void test_aging(void **state)
{
	struct fdb *f = fdb_create(16, 1000);
	struct fdb_stats st;

	fdb_learn(f, 0, 0xa, 1, 0);
	fdb_learn(f, 0, 0xb, 2, 500);
	assert_int_equal(fdb_lookup(f, 0, 0xa, 999), 1);
	/* expired entries are absent at once, removed by the sweep */
	assert_int_equal(fdb_lookup(f, 0, 0xa, 1000), -ENOENT);
	assert_int_equal(fdb_age(f, 1000), 1);
	assert_int_equal(fdb_lookup(f, 0, 0xb, 1000), 2);
	fdb_set_aging(f, 100);
	assert_int_equal(fdb_get_aging(f), 100);
	assert_int_equal(fdb_age(f, 1000), 1);
	fdb_get_stats(f, &st);
	assert_int_equal(st.aged, 2);
	assert_int_equal(st.entries, 0);
	fdb_destroy(f);
}

static void test_full_and_flush(void **state)
{
	struct fdb *f = fdb_create(4, 1000);
	struct fdb_stats st;
	uint64_t m;

	for (m = 1; m <= 4; m++)
		assert_int_equal(fdb_learn(f, m & 1, m, m, 0), FDB_LEARNED);
	assert_int_equal(fdb_learn(f, 0, 99, 1, 0), -ENOSPC);
	fdb_get_stats(f, &st);
	assert_int_equal(st.full, 1);
	assert_int_equal(fdb_flush(f, 1, FDB_ANY), 2);
	assert_int_equal(fdb_flush(f, FDB_ANY, 4), 1);
	assert_int_equal(fdb_lookup(f, 0, 2, 0), 2);
	assert_int_equal(fdb_flush(f, FDB_ANY, FDB_ANY), 1);
	fdb_destroy(f);
	errno = 0;
	assert_null(fdb_create(0, 1));
	assert_int_equal(errno, EINVAL);
	fdb_destroy(NULL);
}

static void count_entry(void *ctx, const struct fdb_entry *e)
{
	(*(unsigned int *)ctx)++;
}

/* Random learn/flush against a plain array model: deletion must not lose
 * entries that share a probe cluster. */
static void test_against_model(void **state)
{
	enum { N = 512 };
	static int model[N];
	struct fdb *f = fdb_create(N, 1000000);
	unsigned int i, round, seen = 0;

	srand(7);
	memset(model, -1, sizeof(model));
	for (round = 0; round < 20000; round++) {
		unsigned int k = rand() % N;
		uint16_t port = rand() % 60;

		if (rand() % 5) {
			fdb_learn(f, k & 3, 0x020000000000ull + k, port, 1);
			model[k] = port;
		} else if (model[k] >= 0) {
			assert_int_equal(fdb_flush(f, k & 3, model[k]) >= 1, 1);
			for (i = 0; i < N; i++)
				if ((i & 3) == (k & 3) &&
				    model[i] == model[k] && i != k)
					model[i] = -1;
			model[k] = -1;
		}
	}
	for (i = 0; i < N; i++)
		assert_int_equal(fdb_lookup(f, i & 3, 0x020000000000ull + i, 1),
				 model[i] >= 0 ? model[i] : -ENOENT);
	fdb_foreach(f, count_entry, &seen);
	for (i = 0; i < N; i++)
		seen -= model[i] >= 0;
	assert_int_equal(seen, 0);
	fdb_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_lookup),
		cmocka_unit_test(test_aging),
		cmocka_unit_test(test_full_and_flush),
		cmocka_unit_test(test_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
