// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for ipoib/neigh: derived MACs (locally administered, stable,
 * unique), lookups both ways per partition, collisions, bounds and aging.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipoib/neigh.h"

static struct ipoib_hwaddr hw_of(uint32_t qpn, uint8_t last)
{
	struct ipoib_gid gid = { { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x02,
				   0xc9, 0x03, 0x00, 0xa1, 0xb2, last } };
	struct ipoib_hwaddr hw;

	ipoib_hwaddr_make(&hw, 0, qpn, &gid);
	return hw;
}

static void test_create(void **state)
{
	errno = 0;
	assert_null(ipoib_neigh_create(0));
	assert_int_equal(errno, EINVAL);
	assert_null(ipoib_neigh_create((1u << 20) + 1));
	ipoib_neigh_destroy(NULL);
}

static void test_learn_lookup(void **state)
{
	struct ipoib_neigh_table *t = ipoib_neigh_create(16);
	struct ipoib_hwaddr a = hw_of(0x48, 1), got;
	uint8_t mac[6], mac2[6];

	assert_non_null(t);
	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &a, 1, mac), 0);
	/* locally administered (bit 1), unicast (bit 0 clear) */
	assert_int_equal(mac[0] & 0x03, 0x02);
	assert_int_equal(ipoib_neigh_count(t), 1);

	/* both ways; membership bit does not matter */
	assert_int_equal(ipoib_neigh_lookup_hw(t, 0x0001, &a, mac2), 0);
	assert_memory_equal(mac, mac2, 6);
	assert_int_equal(ipoib_neigh_lookup_mac(t, 0x8001, mac, &got), 0);
	assert_memory_equal(got.raw, a.raw, 20);
	/* not in another partition */
	assert_int_equal(ipoib_neigh_lookup_mac(t, 0x8002, mac, &got), -ENOENT);
	assert_int_equal(ipoib_neigh_lookup_hw(t, 0x8002, &a, mac2), -ENOENT);

	/* learning again keeps the entry and the MAC, refreshes flags */
	a.raw[0] = IPOIB_HW_FLAG_RC;
	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &a, 2, mac2), 0);
	assert_memory_equal(mac, mac2, 6);
	assert_int_equal(ipoib_neigh_count(t), 1);
	assert_int_equal(ipoib_neigh_lookup_mac(t, 0x8001, mac, &got), 0);
	assert_int_equal(got.raw[0], IPOIB_HW_FLAG_RC);

	assert_int_equal(ipoib_neigh_remove(t, 0x8001, &a), 0);
	assert_int_equal(ipoib_neigh_remove(t, 0x8001, &a), -ENOENT);
	assert_int_equal(ipoib_neigh_lookup_mac(t, 0x8001, mac, &got), -ENOENT);
	ipoib_neigh_destroy(t);
}

static void test_stable_and_distinct(void **state)
{
	struct ipoib_neigh_table *t1 = ipoib_neigh_create(8);
	struct ipoib_neigh_table *t2 = ipoib_neigh_create(8);
	struct ipoib_hwaddr a = hw_of(0x48, 1), b = hw_of(0x49, 1);
	uint8_t m1[6], m2[6], m3[6], m4[6];

	/* same neighbour, another table (restart, other gateway): same MAC */
	assert_int_equal(ipoib_neigh_learn(t1, 0x8001, &a, 1, m1), 0);
	assert_int_equal(ipoib_neigh_learn(t2, 0x8001, &a, 9, m2), 0);
	assert_memory_equal(m1, m2, 6);
	/* relearned after removal: same MAC */
	ipoib_neigh_remove(t1, 0x8001, &a);
	assert_int_equal(ipoib_neigh_learn(t1, 0x8001, &a, 3, m2), 0);
	assert_memory_equal(m1, m2, 6);
	/* other QPN, or same QP in another partition: another MAC */
	assert_int_equal(ipoib_neigh_learn(t1, 0x8001, &b, 3, m3), 0);
	assert_memory_not_equal(m1, m3, 6);
	assert_int_equal(ipoib_neigh_learn(t1, 0x8002, &a, 3, m4), 0);
	assert_memory_not_equal(m1, m4, 6);
	assert_int_equal(ipoib_neigh_count(t1), 3);
	ipoib_neigh_destroy(t1);
	ipoib_neigh_destroy(t2);
}

static void test_invalid(void **state)
{
	struct ipoib_neigh_table *t = ipoib_neigh_create(4);
	struct ipoib_hwaddr mc = hw_of(IPOIB_MCAST_QPN, 1);
	struct ipoib_hwaddr qp0 = hw_of(0, 1), a = hw_of(0x48, 1);

	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &mc, 1, NULL), -EINVAL);
	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &qp0, 1, NULL), -EINVAL);
	assert_int_equal(ipoib_neigh_learn(t, 0x8000, &a, 1, NULL), -EINVAL);
	assert_int_equal(ipoib_neigh_count(t), 0);
	ipoib_neigh_destroy(t);
}

/* A derivation that collides on purpose: attempt n gives 02:..:0n+1. */
static void colliding_mac(uint16_t pkey, const struct ipoib_hwaddr *hw,
			  unsigned int attempt, uint8_t mac[6])
{
	const uint8_t m[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(attempt + 1) };

	memcpy(mac, m, 6);
}

static void constant_mac(uint16_t pkey, const struct ipoib_hwaddr *hw,
			 unsigned int attempt, uint8_t mac[6])
{
	colliding_mac(pkey, hw, 0, mac);
}

static void test_collision(void **state)
{
	struct ipoib_neigh_table *t = ipoib_neigh_create(8);
	struct ipoib_hwaddr a = hw_of(0x48, 1), b = hw_of(0x49, 1);
	struct ipoib_hwaddr c = hw_of(0x50, 1), got;
	const uint8_t want_a[6] = { 0x02, 0, 0, 0, 0, 1 };
	const uint8_t want_b[6] = { 0x02, 0, 0, 0, 0, 2 };
	uint8_t mac[6];

	ipoib_neigh_set_mac_fn(t, colliding_mac);
	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &a, 1, mac), 0);
	assert_memory_equal(mac, want_a, 6);
	/* collides even across partitions: a MAC names one partition */
	assert_int_equal(ipoib_neigh_learn(t, 0x8002, &b, 1, mac), 0);
	assert_memory_equal(mac, want_b, 6);
	assert_int_equal(ipoib_neigh_lookup_mac(t, 0x8002, want_b, &got), 0);
	assert_memory_equal(got.raw, b.raw, 20);
	assert_int_equal(ipoib_neigh_lookup_mac(t, 0x8001, want_a, &got), 0);
	assert_memory_equal(got.raw, a.raw, 20);

	ipoib_neigh_set_mac_fn(t, constant_mac);
	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &c, 1, mac), -EADDRINUSE);
	ipoib_neigh_set_mac_fn(t, NULL);
	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &c, 1, mac), 0);
	assert_int_equal(ipoib_neigh_count(t), 3);
	ipoib_neigh_destroy(t);
}

static void test_bounded(void **state)
{
	struct ipoib_neigh_table *t = ipoib_neigh_create(2);
	struct ipoib_hwaddr a = hw_of(0x48, 1), b = hw_of(0x49, 1);
	struct ipoib_hwaddr c = hw_of(0x50, 1);
	uint8_t mac[6];

	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &a, 1, NULL), 0);
	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &b, 2, NULL), 0);
	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &a, 3, NULL), 0);
	/* full: the entry seen longest ago (b) makes room */
	assert_int_equal(ipoib_neigh_learn(t, 0x8001, &c, 4, NULL), 0);
	assert_int_equal(ipoib_neigh_count(t), 2);
	assert_int_equal(ipoib_neigh_lookup_hw(t, 0x8001, &b, mac), -ENOENT);
	assert_int_equal(ipoib_neigh_lookup_hw(t, 0x8001, &a, mac), 0);
	assert_int_equal(ipoib_neigh_lookup_hw(t, 0x8001, &c, mac), 0);
	ipoib_neigh_destroy(t);
}

static void count_cb(void *ctx, const struct ipoib_neigh_entry *e)
{
	(*(int *)ctx)++;
}

static void test_age_foreach(void **state)
{
	struct ipoib_neigh_table *t = ipoib_neigh_create(64);
	struct ipoib_hwaddr hw;
	uint8_t mac[6];
	int i, n;

	for (i = 0; i < 40; i++) {
		hw = hw_of(0x100 + i, 7);
		assert_int_equal(ipoib_neigh_learn(t, i < 30 ? 0x8001 : 0x8002,
						   &hw, i, NULL),
				 0);
	}
	n = 0;
	ipoib_neigh_foreach(t, 0x0001, count_cb, &n);
	assert_int_equal(n, 30);
	n = 0;
	ipoib_neigh_foreach(t, IPOIB_PKEY_ANY, count_cb, &n);
	assert_int_equal(n, 40);
	/* seen at 0..9 is older than 20 at time 30 */
	assert_int_equal(ipoib_neigh_age(t, 30, 20), 10);
	assert_int_equal(ipoib_neigh_count(t), 30);
	hw = hw_of(0x100, 7);
	assert_int_equal(ipoib_neigh_lookup_hw(t, 0x8001, &hw, mac), -ENOENT);
	hw = hw_of(0x100 + 10, 7);
	assert_int_equal(ipoib_neigh_lookup_hw(t, 0x8001, &hw, mac), 0);
	assert_int_equal(ipoib_neigh_age(t, 1000, 0), 30);
	assert_int_equal(ipoib_neigh_count(t), 0);
	ipoib_neigh_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_learn_lookup),
		cmocka_unit_test(test_stable_and_distinct),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_collision),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_age_foreach),
	};

	return cmocka_run_group_tests_name("ipoib_neigh", tests, NULL, NULL);
}
