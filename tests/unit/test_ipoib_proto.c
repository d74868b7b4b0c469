// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for ipoib/proto: the ethertype registry (register, refuse,
 * deliver, unregister) and the send helper's checks, which need no verbs
 * device. Sending itself runs on rxe in tests/integration/peer_*.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipoib/port_ipoib.h"
#include "ipoib/proto.h"
#include "lib/pool.h"

struct seen {
	unsigned int calls;
	struct ipoib_proto_rx rx;
	uint32_t len;
	uint8_t first;
};

static void record(void *arg, const struct ipoib_proto_rx *rx, struct pkt *pkt)
{
	struct seen *s = arg;

	s->calls++;
	s->rx = *rx;
	s->len = pkt->len;
	s->first = pkt->data[0];
	pool_free(pkt);
}

static const struct ipoib_proto_ops rec_ops = { .name = "rec", .rx = record };

static void test_register(void **state)
{
	struct seen a = { 0 }, b = { 0 };
	unsigned int i;

	assert_int_equal(ipoib_proto_register(IPOIB_PROTO_PEER, &rec_ops, &a),
			 0);
	assert_true(ipoib_proto_registered(IPOIB_PROTO_PEER));
	assert_false(ipoib_proto_registered(IPOIB_PROTO_HA));
	assert_int_equal(ipoib_proto_register(IPOIB_PROTO_PEER, &rec_ops, &b),
			 -EEXIST);
	/* IPoIB's own ethertypes, none, no ops: refused */
	assert_int_equal(ipoib_proto_register(IPOIB_ETHERTYPE_IPV4, &rec_ops,
					      &b),
			 -EINVAL);
	assert_int_equal(ipoib_proto_register(IPOIB_ETHERTYPE_ARP, &rec_ops,
					      &b),
			 -EINVAL);
	assert_int_equal(ipoib_proto_register(IPOIB_ETHERTYPE_IPV6, &rec_ops,
					      &b),
			 -EINVAL);
	assert_int_equal(ipoib_proto_register(0, &rec_ops, &b), -EINVAL);
	assert_int_equal(ipoib_proto_register(IPOIB_PROTO_HA, NULL, &b),
			 -EINVAL);
	assert_false(ipoib_proto_registered(IPOIB_ETHERTYPE_IPV4));
	/* the table is bounded */
	for (i = 1; i < IPOIB_PROTO_MAX; i++)
		assert_int_equal(ipoib_proto_register((uint16_t)(0x9000 + i),
						      &rec_ops, &b),
				 0);
	assert_int_equal(ipoib_proto_register(IPOIB_PROTO_HA, &rec_ops, &b),
			 -ENOSPC);
	for (i = 1; i < IPOIB_PROTO_MAX; i++)
		ipoib_proto_unregister((uint16_t)(0x9000 + i));
	assert_int_equal(ipoib_proto_register(IPOIB_PROTO_HA, &rec_ops, &b), 0);
	ipoib_proto_unregister(IPOIB_PROTO_HA);
	ipoib_proto_unregister(IPOIB_PROTO_PEER);
	ipoib_proto_unregister(0x1234); /* unknown: nothing */
	assert_false(ipoib_proto_registered(IPOIB_PROTO_PEER));
}

static void test_deliver(void **state)
{
	struct pool *pool = pool_create(4, 2048, 128);
	struct seen a = { 0 };
	struct ipoib_proto_rx rx = { .port = "rxe0.9001",
				     .pkey = 0x9001,
				     .ethertype = IPOIB_PROTO_PEER,
				     .slid = 7,
				     .mcast = true };
	struct pkt *pkt;

	assert_non_null(pool);
	pkt = pool_alloc(pool);
	assert_non_null(pkt);
	pkt->data[0] = 0xab;
	pkt->len = 60;
	/* nobody registered: the caller keeps the packet */
	assert_false(ipoib_proto_deliver(&rx, pkt));
	assert_int_equal(ipoib_proto_register(IPOIB_PROTO_PEER, &rec_ops, &a),
			 0);
	/* another ethertype, or IPoIB's own: not delivered */
	rx.ethertype = IPOIB_PROTO_HA;
	assert_false(ipoib_proto_deliver(&rx, pkt));
	rx.ethertype = IPOIB_ETHERTYPE_IPV4;
	assert_false(ipoib_proto_deliver(&rx, pkt));
	assert_int_equal(a.calls, 0);
	rx.ethertype = IPOIB_PROTO_PEER;
	assert_true(ipoib_proto_deliver(&rx, pkt));
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.len, 60);
	assert_int_equal(a.first, 0xab);
	assert_string_equal(a.rx.port, "rxe0.9001");
	assert_int_equal(a.rx.slid, 7);
	assert_true(a.rx.mcast);
	assert_int_equal(pool_avail(pool), 4); /* the handler freed it */
	ipoib_proto_unregister(IPOIB_PROTO_PEER);
	pkt = pool_alloc(pool);
	assert_false(ipoib_proto_deliver(&rx, pkt));
	assert_int_equal(a.calls, 1);
	pool_free(pkt);
	pool_destroy(pool);
}

static void test_send_checks(void **state)
{
	struct ipoib_kind *k = ipoib_kind_create();
	struct pool *pool = pool_create(4, 2048, 128);
	struct ipoib_hwaddr dst;
	struct pkt *pkt;

	assert_non_null(k);
	assert_non_null(pool);
	ipoib_proto_group(&dst);
	assert_true(ipoib_hwaddr_is_mcast(&dst));
	pkt = pool_alloc(pool);
	pkt->len = 60;
	/* no open ipoib port of that partition */
	assert_int_equal(ipoib_proto_send(k, 0x9001, IPOIB_PROTO_PEER, &pkt,
					  &dst, 1),
			 -ENODEV);
	assert_int_equal(ipoib_proto_mtu(k, 0x9001, NULL), -ENODEV);
	/* IPoIB's own ethertypes are not sent this way */
	assert_int_equal(ipoib_proto_send(k, 0x9001, IPOIB_ETHERTYPE_IPV4, &pkt,
					  &dst, 1),
			 -EINVAL);
	assert_int_equal(ipoib_proto_send(NULL, 0x9001, IPOIB_PROTO_PEER, &pkt,
					  &dst, 1),
			 -EINVAL);
	/* no room for the IPoIB header */
	pkt->data = pkt->head + 2;
	assert_int_equal(ipoib_proto_send(k, 0x9001, IPOIB_PROTO_PEER, &pkt,
					  &dst, 1),
			 -EINVAL);
	pool_free(pkt);
	assert_int_equal(pool_avail(pool), 4);
	pool_destroy(pool);
	ipoib_kind_destroy(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_deliver),
		cmocka_unit_test(test_send_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
