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

	/* shared quota: partition 1 takes half of the free table */
	assert_int_equal(fdb_learn(f, 1, 1, 1, 0), FDB_LEARNED);
	assert_int_equal(fdb_learn(f, 1, 3, 3, 0), FDB_LEARNED);
	assert_int_equal(fdb_learn(f, 1, 5, 3, 0), -EDQUOT);
	/* a fixed quota set late is backed only by what is free */
	assert_int_equal(fdb_set_part_limit(f, 0, 4), 0);
	assert_int_equal(fdb_learn(f, 0, 2, 2, 0), FDB_LEARNED);
	assert_int_equal(fdb_learn(f, 0, 4, 4, 0), FDB_LEARNED);
	assert_int_equal(fdb_learn(f, 0, 99, 1, 0), -ENOSPC);
	fdb_get_stats(f, &st);
	assert_int_equal(st.full, 1);
	assert_int_equal(st.part_limit, 1);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.reserved, 2);
	assert_int_equal(fdb_flush(f, 1, FDB_ANY), 2);
	assert_int_equal(fdb_flush(f, FDB_ANY, 4), 1);
	assert_int_equal(fdb_lookup(f, 0, 2, 0), 2);
	assert_int_equal(fdb_flush(f, FDB_ANY, FDB_ANY), 1);
	fdb_get_stats(f, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.reserved, 4);
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

/*
 * Finding 7 of issue 10: one partition sending random source MACs must not
 * fill the table for the others. With the default (shared) quota a
 * partition holds at most what is still free, so after the flood half the
 * table is left and a quiet partition still learns all its hosts.
 */
static void test_partition_flood_leaves_room(void **state)
{
	struct fdb *f = fdb_create(1024, 1000);
	struct fdb_stats st;
	unsigned int refused = 0;
	uint64_t m;

	for (m = 0; m < 10000; m++)
		if (fdb_learn(f, 1, 0x020000000000ull + m * 7919, 1, 0) < 0)
			refused++;
	fdb_get_stats(f, &st);
	assert_true(refused > 0);
	assert_true(st.entries <= 512);
	for (m = 0; m < 100; m++)
		assert_int_equal(fdb_learn(f, 2, 0x0200000b0000ull + m, 2, 0),
				 FDB_LEARNED);
	for (m = 0; m < 100; m++)
		assert_int_equal(fdb_lookup(f, 2, 0x0200000b0000ull + m, 0), 2);
	fdb_destroy(f);
}

/* Fixed quotas are reserved: shared partitions cannot take that room. */
static void test_fixed_quota(void **state)
{
	struct fdb *f = fdb_create(100, 1000);
	struct fdb_share sh;
	struct fdb_stats st;
	uint64_t m;

	assert_int_equal(fdb_set_part_limit(f, 3, 60), 0);
	assert_int_equal(fdb_set_part_limit(f, 4, 41), -ENOSPC);
	assert_int_equal(fdb_set_part_limit(f, 4, 101), -EINVAL);
	assert_int_equal(fdb_set_part_limit(f, FDB_MAX_PARTS, 1), -EINVAL);
	for (m = 0; m < 1000; m++)
		fdb_learn(f, 1, 0x020000000000ull + m, 1, 0);
	fdb_part_share(f, 1, &sh);
	assert_int_equal(sh.entries, 20); /* half of the 40 not reserved */
	assert_int_equal(sh.refused, 980);
	assert_int_equal(sh.limit, FDB_LIMIT_SHARED);
	assert_int_equal(sh.max_now, 20);
	for (m = 0; m < 100; m++)
		fdb_learn(f, 3, 0x020000000000ull + m, 2, 0);
	fdb_part_share(f, 3, &sh);
	assert_int_equal(sh.entries, 60);
	assert_int_equal(sh.limit, 60);
	assert_int_equal(sh.refused, 40);
	assert_int_equal(sh.full, 0);
	fdb_get_stats(f, &st);
	assert_int_equal(st.entries, 80);
	assert_int_equal(st.reserved, 0);
	assert_int_equal(st.part_limit, 1020);
	/* a third partition still has the last 20 free: it learns 10 */
	for (m = 0; m < 100; m++)
		fdb_learn(f, 5, 0x020000000000ull + m, 3, 0);
	fdb_part_share(f, 5, &sh);
	assert_int_equal(sh.entries, 10);
	/* aging gives the room back */
	assert_int_equal(fdb_age(f, 5000), 90);
	fdb_get_stats(f, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.reserved, 60);
	/* back to shared: nothing reserved */
	assert_int_equal(fdb_set_part_limit(f, 3, FDB_LIMIT_SHARED), 0);
	fdb_get_stats(f, &st);
	assert_int_equal(st.reserved, 0);
	fdb_destroy(f);
}

/* A port's learning limit holds inside its partition's quota. */
static void test_port_limit(void **state)
{
	struct fdb *f = fdb_create(1000, 1000);
	struct fdb_share sh;
	struct fdb_stats st;
	uint64_t m;

	assert_int_equal(fdb_set_port_limit(f, 7, 3), 0);
	assert_int_equal(fdb_set_port_limit(f, FDB_MAX_PORTS, 3), -EINVAL);
	for (m = 1; m <= 3; m++)
		assert_int_equal(fdb_learn(f, 0, m, 7, 0), FDB_LEARNED);
	assert_int_equal(fdb_learn(f, 0, 4, 7, 0), -ENOBUFS);
	/* the partition's other ports still learn */
	assert_int_equal(fdb_learn(f, 0, 4, 8, 0), FDB_LEARNED);
	/* a move onto the full port forgets the address */
	assert_int_equal(fdb_learn(f, 0, 4, 7, 1), -ENOBUFS);
	assert_int_equal(fdb_lookup(f, 0, 4, 1), -ENOENT);
	/* a move off it makes room */
	assert_int_equal(fdb_learn(f, 0, 1, 8, 1), FDB_MOVED);
	assert_int_equal(fdb_learn(f, 0, 5, 7, 1), FDB_LEARNED);
	fdb_port_share(f, 7, &sh);
	assert_int_equal(sh.entries, 3);
	assert_int_equal(sh.limit, 3);
	assert_int_equal(sh.refused, 2);
	fdb_port_share(f, 8, &sh);
	assert_int_equal(sh.entries, 1);
	assert_int_equal(sh.limit, FDB_LIMIT_NONE);
	fdb_get_stats(f, &st);
	assert_int_equal(st.port_limit, 2);
	assert_int_equal(st.entries, 4);
	assert_int_equal(fdb_flush(f, FDB_ANY, 7), 3);
	fdb_port_share(f, 7, &sh);
	assert_int_equal(sh.entries, 0);
	assert_int_equal(fdb_learn(f, 0, 1, FDB_MAX_PORTS, 2), -EINVAL);
	assert_int_equal(fdb_learn(f, FDB_MAX_PARTS, 1, 1, 2), -EINVAL);
	fdb_destroy(f);
}

/* The watch: the last event and how many. */
static struct {
	unsigned int n;
	uint16_t part;
	uint64_t mac;
	int port;
} ev;

static void on_change(void *ctx, uint16_t part, uint64_t mac, int port)
{
	ev.n++;
	ev.part = part;
	ev.mac = mac;
	ev.port = port;
}

static void test_watch_and_refresh(void **state)
{
	struct fdb *f = fdb_create(16, 1000);

	fdb_set_watch(f, on_change, NULL);
	assert_int_equal(fdb_learn(f, 2, 0x020000000001, 3, 10), FDB_LEARNED);
	assert_int_equal(ev.n, 1);
	assert_int_equal(ev.part, 2);
	assert_true(ev.mac == 0x020000000001);
	assert_int_equal(ev.port, 3);
	/* refreshes are not reported */
	assert_int_equal(fdb_learn(f, 2, 0x020000000001, 3, 20), FDB_REFRESHED);
	assert_int_equal(ev.n, 1);
	assert_int_equal(fdb_learn(f, 2, 0x020000000001, 4, 30), FDB_MOVED);
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.port, 4);
	/* seen elsewhere (the fast path): its age restarts from then */
	assert_int_equal(fdb_refresh(f, 2, 0x020000000001, 3, 900), -ENOENT);
	assert_int_equal(fdb_refresh(f, 2, 0x020000000001, 4, 900), 0);
	assert_int_equal(fdb_refresh(f, 2, 0x020000000001, 4, 500), 0);
	assert_int_equal(fdb_age(f, 1500), 0);
	assert_int_equal(fdb_lookup(f, 2, 0x020000000001, 1500), 4);
	/* removals: aging, flush */
	assert_int_equal(fdb_age(f, 1900), 1);
	assert_int_equal(ev.n, 3);
	assert_int_equal(ev.port, -1);
	assert_int_equal(fdb_learn(f, 5, 0x020000000002, 1, 2000), FDB_LEARNED);
	assert_int_equal(fdb_flush(f, 5, FDB_ANY), 1);
	assert_int_equal(ev.n, 5);
	assert_int_equal(ev.port, -1);
	assert_true(ev.mac == 0x020000000002);
	fdb_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_lookup),
		cmocka_unit_test(test_aging),
		cmocka_unit_test(test_full_and_flush),
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_partition_flood_leaves_room),
		cmocka_unit_test(test_fixed_quota),
		cmocka_unit_test(test_port_limit),
		cmocka_unit_test(test_watch_and_refresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
