// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the peer port's state (ipoib/peer_table) and wire header
 * (ipoib/port_peer): learning, moves, the per-peer and per-partition
 * limits (a full table refuses, it never evicts), aging, and deletion in
 * the open-addressed MAC table under churn, against a plain model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipoib/peer_table.h"
#include "ipoib/peer_rc.h"
#include "ipoib/port_peer.h"

static struct ipoib_hwaddr addr(uint32_t qpn)
{
	struct ipoib_gid gid = { { 0xfe, 0x80, [15] = (uint8_t)qpn } };
	struct ipoib_hwaddr hw;

	ipoib_hwaddr_make(&hw, 0, qpn, &gid);
	return hw;
}

static void mac_of(unsigned int i, uint8_t mac[6])
{
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = (uint8_t)(i >> 24);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

static void test_learn_move(void **state)
{
	struct peer_table *t = peer_table_create(4, 16, 8);
	struct ipoib_hwaddr a1 = addr(0x11), a2 = addr(0x12);
	struct peer_info *p1, *p2;
	uint8_t mac[6], bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t zero[6] = { 0 };

	assert_non_null(t);
	assert_null(peer_table_peer(t, &a1, 0, false, 0)); /* not added */
	p1 = peer_table_peer(t, &a1, 7, true, 100);
	p2 = peer_table_peer(t, &a2, 0, true, 100);
	assert_non_null(p1);
	assert_non_null(p2);
	assert_ptr_equal(peer_table_peer(t, &a1, 0, true, 150), p1);
	assert_int_equal(p1->lid, 7);
	assert_int_equal(p1->last_seen, 150);
	/* finding a peer (its RC connection's check) does not hear it */
	assert_ptr_equal(peer_table_find(t, &a1), p1);
	assert_int_equal(p1->last_seen, 150);
	assert_null(peer_table_find(t, &(struct ipoib_hwaddr){ { 0 } }));
	mac_of(1, mac);
	assert_int_equal(peer_table_learn(t, mac, p1, 200), 0);
	assert_ptr_equal(peer_table_lookup(t, mac), p1);
	assert_int_equal(p1->macs, 1);
	/* the VM moved behind another hypervisor */
	assert_int_equal(peer_table_learn(t, mac, p2, 300), 0);
	assert_ptr_equal(peer_table_lookup(t, mac), p2);
	assert_int_equal(p1->macs, 0);
	assert_int_equal(p2->macs, 1);
	assert_int_equal(peer_table_macs(t), 1);
	/* no multicast or zero sources */
	assert_int_equal(peer_table_learn(t, bcast, p1, 300),
			 PEER_DROP_BAD_SRC);
	assert_int_equal(peer_table_learn(t, zero, p1, 300), PEER_DROP_BAD_SRC);
	assert_true(peer_table_forget_mac(t, mac));
	assert_false(peer_table_forget_mac(t, mac));
	assert_null(peer_table_lookup(t, mac));
	assert_int_equal(p2->macs, 0);
	peer_table_destroy(t);
}

static void test_limits(void **state)
{
	struct peer_table *t = peer_table_create(2, 10, 6);
	struct ipoib_hwaddr a1 = addr(1), a2 = addr(2), a3 = addr(3);
	struct peer_info *p1, *p2;
	uint8_t mac[6];
	unsigned int i;

	p1 = peer_table_peer(t, &a1, 0, true, 0);
	p2 = peer_table_peer(t, &a2, 0, true, 0);
	assert_null(peer_table_peer(t, &a3, 0, true, 0)); /* 2 peers at most */
	for (i = 0; i < 6; i++) {
		mac_of(i, mac);
		assert_int_equal(peer_table_learn(t, mac, p1, 1), 0);
	}
	/* the peer's limit: refused, counted on it */
	mac_of(6, mac);
	assert_int_equal(peer_table_learn(t, mac, p1, 1), PEER_DROP_PEER_LIMIT);
	assert_int_equal(p1->c.drops[PEER_DROP_PEER_LIMIT], 1);
	assert_null(peer_table_lookup(t, mac));
	/* refreshing a known MAC is no new entry */
	mac_of(0, mac);
	assert_int_equal(peer_table_learn(t, mac, p1, 2), 0);
	for (i = 100; i < 104; i++) {
		mac_of(i, mac);
		assert_int_equal(peer_table_learn(t, mac, p2, 1), 0);
	}
	/* the partition's limit (10): the next is refused, nothing evicted */
	mac_of(104, mac);
	assert_int_equal(peer_table_learn(t, mac, p2, 1), PEER_DROP_PART_LIMIT);
	assert_int_equal(p2->c.drops[PEER_DROP_PART_LIMIT], 1);
	assert_int_equal(peer_table_macs(t), 10);
	for (i = 0; i < 6; i++) {
		mac_of(i, mac);
		assert_ptr_equal(peer_table_lookup(t, mac), p1);
	}
	peer_table_destroy(t);
}

static void test_aging(void **state)
{
	struct peer_table *t = peer_table_create(4, 64, 0);
	struct ipoib_hwaddr a1 = addr(1), a2 = addr(2);
	struct peer_info *p1, *p2;
	uint8_t mac[6];
	unsigned int i;

	p1 = peer_table_peer(t, &a1, 0, true, 0);
	p2 = peer_table_peer(t, &a2, 0, true, 0);
	for (i = 0; i < 20; i++) {
		mac_of(i, mac);
		assert_int_equal(peer_table_learn(t, mac, i < 10 ? p1 : p2,
						  i % 2 ? 1000 : 5000),
				 0);
	}
	p2->last_seen = 5000;
	/* at 7000 with 3000 ms: the ten heard at 1000 go */
	assert_int_equal(peer_table_age(t, 7000, 3000, 100000), 10);
	assert_int_equal(peer_table_macs(t), 10);
	for (i = 0; i < 20; i++) {
		mac_of(i, mac);
		if (i % 2)
			assert_null(peer_table_lookup(t, mac));
		else
			assert_non_null(peer_table_lookup(t, mac));
	}
	/* later: every MAC goes, then the silent peer p1 (p2 heard at 6000) */
	p1->last_seen = 0;
	p2->last_seen = 6000;
	assert_int_equal(peer_table_age(t, 8500, 3000, 100000), 10);
	assert_null(peer_table_peer(t, &a1, 0, false, 8500));
	assert_non_null(peer_table_peer(t, &a2, 0, false, 8500));
	/* a dead peer: its fresh MACs are withdrawn with it */
	mac_of(50, mac);
	assert_int_equal(peer_table_learn(t, mac, p2, 12000), 0);
	/* p2 was last heard at 8500 (the lookup above) */
	assert_int_equal(peer_table_age(t, 12400, 3000, 4000), 0);
	assert_int_equal(peer_table_age(t, 12501, 3000, 4000), 1);
	assert_null(peer_table_lookup(t, mac));
	assert_null(peer_table_peer(t, &a2, 0, false, 12501));
	p2 = peer_table_peer(t, &a2, 0, true, 12501);
	assert_non_null(p2);
	peer_table_flush(t);
	assert_null(peer_table_peer(t, &a2, 0, false, 8500));
	peer_table_destroy(t);
}

/* Random learn/forget against a plain array: deletions keep every probe. */
static void test_churn(void **state)
{
	enum { N = 200, ROUNDS = 20000 };
	struct peer_table *t = peer_table_create(2, N, 2 * N);
	struct ipoib_hwaddr a1 = addr(1);
	struct peer_info *p = peer_table_peer(t, &a1, 0, true, 0);
	bool model[N * 3] = { false };
	unsigned int i, n = 0, r;
	uint8_t mac[6];

	srand(7);
	for (i = 0; i < ROUNDS; i++) {
		r = (unsigned int)rand() % (N * 3);
		mac_of(r * 2654435761u, mac);
		if (rand() % 2) {
			int ret = peer_table_learn(t, mac, p, i);

			if (!model[r] && n < N) {
				assert_int_equal(ret, 0);
				model[r] = true;
				n++;
			} else if (!model[r]) {
				assert_int_equal(ret, PEER_DROP_PART_LIMIT);
			}
		} else {
			assert_int_equal(peer_table_forget_mac(t, mac),
					 model[r]);
			if (model[r])
				n--;
			model[r] = false;
		}
	}
	for (r = 0; r < N * 3; r++) {
		mac_of(r * 2654435761u, mac);
		assert_int_equal(peer_table_lookup(t, mac) != NULL, model[r]);
	}
	assert_int_equal(peer_table_macs(t), n);
	assert_int_equal(p->macs, n);
	peer_table_destroy(t);
}

static void test_header(void **state)
{
	uint8_t f[PEER_HDR_LEN + 14] = { 0 }, type = 0;

	peer_hdr_write(f, PEER_TYPE_FRAME);
	assert_int_equal(f[0], PEER_VERSION);
	assert_int_equal(f[1], PEER_TYPE_FRAME);
	assert_int_equal(peer_hdr_parse(f, sizeof(f), &type), 0);
	assert_int_equal(type, PEER_TYPE_FRAME);
	/* a frame needs an Ethernet header, a hello nothing */
	assert_int_equal(peer_hdr_parse(f, sizeof(f) - 1, &type),
			 PEER_DROP_RUNT);
	peer_hdr_write(f, PEER_TYPE_HELLO);
	assert_int_equal(peer_hdr_parse(f, PEER_HDR_LEN, &type), 0);
	assert_int_equal(type, PEER_TYPE_HELLO);
	assert_int_equal(peer_hdr_parse(f, PEER_HDR_LEN - 1, &type),
			 PEER_DROP_RUNT);
	/* announcements and withdrawals: at least one MAC */
	peer_hdr_write(f, PEER_TYPE_ANNOUNCE);
	assert_int_equal(peer_hdr_parse(f, PEER_HDR_LEN + 6, &type), 0);
	assert_int_equal(type, PEER_TYPE_ANNOUNCE);
	assert_int_equal(peer_hdr_parse(f, PEER_HDR_LEN + 5, &type),
			 PEER_DROP_RUNT);
	peer_hdr_write(f, PEER_TYPE_WITHDRAW);
	assert_int_equal(peer_hdr_parse(f, PEER_HDR_LEN + 12, &type), 0);
	assert_int_equal(type, PEER_TYPE_WITHDRAW);
	/* RC connect request and accept (peer_rc.h): 12 bytes */
	peer_hdr_write(f, PEER_TYPE_RC_REQ);
	assert_int_equal(
		peer_hdr_parse(f, PEER_HDR_LEN + PEER_RC_CTL_LEN, &type), 0);
	assert_int_equal(type, PEER_TYPE_RC_REQ);
	peer_hdr_write(f, PEER_TYPE_RC_ACCEPT);
	assert_int_equal(peer_hdr_parse(f, PEER_HDR_LEN + PEER_RC_CTL_LEN - 1,
					&type),
			 PEER_DROP_RUNT);
	/* a frame with offload state travels over RC only, never UD */
	f[1] = PEER_TYPE_RC_FRAME;
	assert_int_equal(peer_hdr_parse(f, sizeof(f), &type),
			 PEER_DROP_BAD_HEADER);
	f[1] = 0;
	assert_int_equal(peer_hdr_parse(f, sizeof(f), &type),
			 PEER_DROP_BAD_HEADER);
	f[1] = PEER_TYPE_FRAME;
	f[0] = 2;
	assert_int_equal(peer_hdr_parse(f, sizeof(f), &type),
			 PEER_DROP_BAD_HEADER);
	f[0] = PEER_VERSION;
	f[1] = 9;
	assert_int_equal(peer_hdr_parse(f, sizeof(f), &type),
			 PEER_DROP_BAD_HEADER);
	assert_string_equal(peer_drop_name(PEER_DROP_PEER_LIMIT), "peer_limit");
	assert_string_equal(peer_drop_name(PEER_DROP_MAX), "?");
}

static void test_names(void **state)
{
	char buf[16];

	assert_int_equal(peer_port_name(0x9001, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "peer.1001");
	assert_int_equal(peer_port_name(0x1001, buf, 6), -ENAMETOOLONG);
	assert_null(peer_table_create(0, 10, 0));
	assert_int_equal(errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_move),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_aging),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
