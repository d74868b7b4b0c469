// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for ipoib/port_ipoib without a verbs device: the buffer
 * bookkeeping of a UD receive turned into an Ethernet frame and back into
 * a send in the same pool buffer (the payload never moves), the GIDs of a
 * receive (IB GRH, RoCE v2 over IPv6 and IPv4), port names, and the error
 * path of open.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "ipoib/port_ipoib.h"
#include "lib/pool.h"
#include "lib/port.h"

#define GID_L \
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xc9, 0x03, 0, 0xa1, 0xb2, 0xc5
#define GID_N \
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xc9, 0x03, 0, 0xa1, 0x00, 0x01
#define MAC_H 0x52, 0x54, 0x00, 0x12, 0x34, 0x56
#define IP4_H 10, 20, 0, 10
#define IP4_N 10, 20, 0, 20
/* IPv4 ICMP echo 10.20.0.20 -> 10.20.0.10, 28 bytes */
#define PING_N_TO_H                                                           \
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x01, 0x66,     \
		0x9b, IP4_N, IP4_H, 0x08, 0x00, 0xf7, 0xfd, 0x00, 0x01, 0x00, \
		0x01

static const uint8_t gid_l[16] = { GID_L };
static const uint8_t gid_n[16] = { GID_N };
static const uint8_t mac_h[6] = { MAC_H };
static const uint8_t ping[28] = { PING_N_TO_H };

struct fixture {
	struct pool *pool;
	struct ipoib_ctx ctx;
	struct ipoib_drop_stats stats;
	struct ipoib_rx_info rx;
	struct ipoib_hwaddr hw_n;
};

static int resolve(void *arg, uint16_t pkey, int family, const uint8_t *addr,
		   uint8_t mac[6])
{
	static const uint8_t h[4] = { IP4_H };

	if (family != AF_INET || memcmp(addr, h, 4))
		return -ENOENT;
	memcpy(mac, mac_h, 6);
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ipoib_gid g;

	f->pool = pool_create(16, POOL_BUF_SIZE_DEFAULT, POOL_HEADROOM_DEFAULT);
	f->ctx.pkey = 0x8001;
	f->ctx.qkey = IPOIB_DEFAULT_QKEY;
	f->ctx.scope = IPOIB_SCOPE_LINK;
	memcpy(g.raw, gid_l, 16);
	ipoib_hwaddr_make(&f->ctx.local, 0, 0x48, &g);
	f->ctx.neigh = ipoib_neigh_create(16);
	f->ctx.stats = &f->stats;
	f->ctx.eth_resolve = resolve;
	f->ctx.now = 1;
	f->rx.src_qpn = 0x123;
	f->rx.qkey = IPOIB_DEFAULT_QKEY;
	f->rx.pkey = 0x8001;
	memcpy(f->rx.sgid.raw, gid_n, 16);
	memcpy(f->rx.dgid.raw, gid_l, 16);
	memcpy(g.raw, gid_n, 16);
	ipoib_hwaddr_make(&f->hw_n, 0, 0x123, &g);
	assert_non_null(f->pool);
	assert_non_null(f->ctx.neigh);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ipoib_neigh_destroy(f->ctx.neigh);
	pool_destroy(f->pool);
	free(f);
	return 0;
}

/* A UD receive as the HCA writes it: GRH, IPoIB header, the ping. */
static uint32_t write_ud(struct fixture *f, struct pkt *pkt)
{
	uint8_t *p = pkt->head;

	ipoib_grh_write(p, IPOIB_HDR_LEN + sizeof(ping), &f->rx.sgid,
			&f->rx.dgid);
	ipoib_hdr_write(p + IPOIB_GRH_LEN, IPOIB_ETHERTYPE_IPV4);
	memcpy(p + IPOIB_UD_HDR_LEN, ping, sizeof(ping));
	return IPOIB_UD_HDR_LEN + sizeof(ping);
}

/* rx -> Ethernet -> tx, in one buffer: the payload stays where it is. */
static void test_payload_stays_rx_to_tx(void **state)
{
	struct fixture *f = *state;
	struct pkt *pkt = pool_alloc(f->pool);
	unsigned int bs = pool_buf_size(f->pool);
	struct ipoib_tx_info tx;
	uint8_t *payload, mac_n[6];

	assert_non_null(pkt);
	payload = pkt->head + IPOIB_UD_HDR_LEN;
	assert_int_equal(ipoib_port_rx_frame(&f->ctx, pkt, write_ud(f, pkt), bs,
					     &f->rx),
			 IPOIB_OK);
	/* the Ethernet header sits over the tail of the GRH space */
	assert_ptr_equal(pkt->data, payload - 14);
	assert_int_equal(pkt->len, 14 + sizeof(ping));
	assert_memory_equal(pkt->data, mac_h, 6);
	assert_int_equal(ipoib_neigh_lookup_hw(f->ctx.neigh, 0x8001, &f->hw_n,
					       mac_n),
			 0);
	assert_memory_equal(pkt->data + 6, mac_n, 6);
	assert_memory_equal(payload, ping, sizeof(ping));
	assert_true(pkt_headroom(pkt) >= PORT_MIN_HEADROOM);

	/* the Ethernet host answers in the same buffer: swap the addresses */
	memcpy(pkt->data, mac_n, 6);
	memcpy(pkt->data + 6, mac_h, 6);
	memcpy(payload + 12, (const uint8_t[]){ IP4_H }, 4);
	memcpy(payload + 16, (const uint8_t[]){ IP4_N }, 4);
	assert_int_equal(ipoib_port_tx_frame(&f->ctx, pkt, bs, &tx), IPOIB_OK);
	assert_ptr_equal(pkt->data, payload - IPOIB_HDR_LEN);
	assert_int_equal(pkt->len, IPOIB_HDR_LEN + sizeof(ping));
	assert_int_equal(pkt->data[0] << 8 | pkt->data[1], 0x0800);
	assert_memory_equal(tx.dst.raw, f->hw_n.raw, IPOIB_HWADDR_LEN);
	assert_int_equal(ipoib_hwaddr_qpn(&tx.dst), 0x123);
	pool_free(pkt);
}

/* A frame received on an Ethernet port (data at the pool's headroom). */
static void test_tx_from_pool_headroom(void **state)
{
	struct fixture *f = *state;
	struct pkt *pkt = pool_alloc(f->pool);
	unsigned int bs = pool_buf_size(f->pool);
	uint8_t *payload = pkt->data + 14, mac_n[6];
	struct ipoib_tx_info tx;

	assert_int_equal(
		ipoib_neigh_learn(f->ctx.neigh, 0x8001, &f->hw_n, 1, mac_n), 0);
	memcpy(pkt->data, mac_n, 6);
	memcpy(pkt->data + 6, mac_h, 6);
	pkt->data[12] = 0x08;
	pkt->data[13] = 0x00;
	memcpy(payload, ping, sizeof(ping));
	pkt->len = 14 + sizeof(ping);
	assert_int_equal(ipoib_port_tx_frame(&f->ctx, pkt, bs, &tx), IPOIB_OK);
	assert_ptr_equal(pkt->data, payload - IPOIB_HDR_LEN);
	assert_memory_equal(payload, ping, sizeof(ping));
	/* a frame claiming more than the buffer holds is refused untouched */
	pkt->data = pkt->head + 100;
	pkt->len = bs;
	assert_int_equal(ipoib_port_tx_frame(&f->ctx, pkt, bs, &tx),
			 IPOIB_DROP_NO_ROOM);
	assert_ptr_equal(pkt->data, pkt->head + 100);
	pool_free(pkt);
}

static void test_rx_bad_length(void **state)
{
	struct fixture *f = *state;
	struct pkt *pkt = pool_alloc(f->pool);
	unsigned int bs = pool_buf_size(f->pool);
	uint8_t *data = pkt->data;

	assert_int_equal(ipoib_port_rx_frame(&f->ctx, pkt, bs + 1, bs, &f->rx),
			 IPOIB_DROP_TRUNCATED);
	assert_ptr_equal(pkt->data, data);
	assert_int_equal(ipoib_port_rx_frame(&f->ctx, pkt, 20, bs, &f->rx),
			 IPOIB_DROP_TRUNCATED);
	assert_int_equal(f->stats.count[IPOIB_DROP_TRUNCATED], 2);
	pool_free(pkt);
}

static void test_rx_gids(void **state)
{
	struct ipoib_gid s, d, gs, gd;
	uint8_t grh[40] = { 0 };
	uint8_t *ip4 = grh + 20;

	memcpy(gs.raw, gid_n, 16);
	memcpy(gd.raw, gid_l, 16);
	/* IB GRH, or a RoCE v2 IPv6 header: the same places */
	ipoib_grh_write(grh, 100, &gs, &gd);
	assert_int_equal(ipoib_rx_gids(grh, &s, &d), 0);
	assert_memory_equal(s.raw, gid_n, 16);
	assert_memory_equal(d.raw, gid_l, 16);
	/* RoCE v2 over IPv4: the IPv4 header in the last 20 bytes */
	memset(grh, 0, sizeof(grh));
	ip4[0] = 0x45;
	memcpy(ip4 + 12, (const uint8_t[]){ 192, 168, 7, 1 }, 4);
	memcpy(ip4 + 16, (const uint8_t[]){ 192, 168, 7, 2 }, 4);
	assert_int_equal(ipoib_rx_gids(grh, &s, &d), 0);
	assert_memory_equal(s.raw,
			    ((const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						0xff, 0xff, 192, 168, 7, 1 }),
			    16);
	assert_int_equal(d.raw[15], 2);
	/* neither */
	memset(grh, 0, sizeof(grh));
	assert_int_equal(ipoib_rx_gids(grh, &s, &d), -EINVAL);
}

static void test_parse_name(void **state)
{
	struct ipoib_port_cfg c;

	assert_int_equal(ipoib_port_parse_name("rxe0.8001", &c), 0);
	assert_string_equal(c.dev, "rxe0");
	assert_int_equal(c.port_num, 1);
	assert_int_equal(c.pkey, 0x8001);
	assert_int_equal(ipoib_port_parse_name("mlx5_0:2.0002", &c), 0);
	assert_string_equal(c.dev, "mlx5_0");
	assert_int_equal(c.port_num, 2);
	assert_int_equal(c.pkey, 0x0002);
	assert_int_equal(ipoib_port_parse_name("a.b.8001", &c), 0);
	assert_string_equal(c.dev, "a.b");
	assert_int_equal(ipoib_port_parse_name("rxe0", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name(".8001", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name("rxe0.", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name("rxe0.8001x", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name("rxe0.0000", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name("rxe0.8000", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name("rxe0.ffff", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name("rxe0.10001", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name("rxe0:0.8001", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name("rxe0:x.8001", &c), -EINVAL);
	assert_int_equal(ipoib_port_parse_name(":1.8001", &c), -EINVAL);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	struct ipoib_port_cfg c;
	struct ipoib_kind *k = ipoib_kind_create();
	struct port p;

	assert_string_equal(ipoib_port_ops.kind, "ipoib");
	/* without the kind's state (not registered with it) */
	assert_int_equal(port_open(&p, &ipoib_port_ops, "rxe0.8001", f->pool),
			 -EINVAL);
	assert_non_null(k);
	assert_int_equal(port_kind_register_priv(&ipoib_port_ops, k), 0);
	assert_ptr_equal(port_kind_priv(&ipoib_port_ops), k);
	assert_int_equal(port_open(&p, &ipoib_port_ops, "nodev", f->pool),
			 -EINVAL);
	assert_null(p.ops);
	/* no such verbs device (this host has none at all) */
	assert_int_equal(port_open(&p, &ipoib_port_ops, "nosuch9.8001",
				   f->pool),
			 -ENODEV);
	assert_int_equal(pool_avail(f->pool), pool_size(f->pool));
	/* a configured name need not parse */
	assert_int_equal(ipoib_port_parse_name("nosuch9:3.8002", &c), 0);
	assert_int_equal(ipoib_port_configure(k, "uplink-ib", &c), 0);
	assert_int_equal(port_open(&p, &ipoib_port_ops, "uplink-ib", f->pool),
			 -ENODEV);
	assert_int_equal(ipoib_port_configure(k, "uplink-ib", NULL), 0);
	assert_int_equal(port_open(&p, &ipoib_port_ops, "uplink-ib", f->pool),
			 -EINVAL);
	assert_int_equal(ipoib_port_configure(k, "", &c), -EINVAL);
	assert_int_equal(ipoib_port_configure(k, "0123456789abcdef", &c),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_payload_stays_rx_to_tx,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_from_pool_headroom,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_bad_length, setup,
						teardown),
		cmocka_unit_test(test_rx_gids),
		cmocka_unit_test(test_parse_name),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
