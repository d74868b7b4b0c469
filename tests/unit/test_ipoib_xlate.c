// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for ipoib/xlate: Ethernet <-> IPoIB in place. Every expected
 * frame is written out byte by byte from the RFC layouts (RFC 826, 4391,
 * 4861); ICMPv6 checksums were computed independently (Python) and are
 * checked again by tshark in tests/integration/ipoib_tshark.sh.
 *
 * Cast: partition 0x8001 (VLAN 20 when tagged), the gateway's IPoIB address
 * (QPN 0x48), an IB neighbour N (QPN 0x123, 10.20.0.20, fd00:20::20) and an
 * Ethernet host H (52:54:00:12:34:56, 10.20.0.10, fd00:20::10).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "ipoib/xlate.h"

#define GID_L \
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xc9, 0x03, 0, 0xa1, 0xb2, 0xc5
#define GID_N \
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xc9, 0x03, 0, 0xa1, 0x00, 0x01
#define HW_L 0x00, 0x00, 0x00, 0x48, GID_L
#define HW_N 0x00, 0x00, 0x01, 0x23, GID_N
#define HW_N_RC 0x80, 0x00, 0x01, 0x23, GID_N
#define MAC_H 0x52, 0x54, 0x00, 0x12, 0x34, 0x56
#define MAC_N 0x02, 0x00, 0x00, 0x00, 0x01, 0x23 /* fixed_mac() of N */
#define MAC_BC 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define IP4_H 10, 20, 0, 10
#define IP4_N 10, 20, 0, 20
#define IP6_H 0xfd, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10
/* ff02::1:ff00:10, solicited-node address of H */
#define IP6_SN_H 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0x10
#define IP6_N 0xfd, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20
/* ff12:401b:8001::ffff:ffff */
#define MGID_BC                                                           \
	0xff, 0x12, 0x40, 0x1b, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0xff, 0xff, \
		0xff, 0xff
/* ff12:601b:8001::1:ff00:10, solicited-node group of fd00:20::10 */
#define MGID_SN6                                                             \
	0xff, 0x12, 0x60, 0x1b, 0x80, 0x01, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, \
		0x10

/* IPv4 ICMP echo 10.20.0.10 -> 10.20.0.20, 28 bytes */
#define IP4_PING_H_TO_N                                                       \
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x01, 0x66,     \
		0x9b, IP4_H, IP4_N, 0x08, 0x00, 0xf7, 0xfd, 0x00, 0x01, 0x00, \
		0x01
/* the same from N to H */
#define IP4_PING_N_TO_H                                                       \
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x01, 0x66,     \
		0x9b, IP4_N, IP4_H, 0x08, 0x00, 0xf7, 0xfd, 0x00, 0x01, 0x00, \
		0x01

static const uint8_t hw_l[20] = { HW_L };
static const uint8_t hw_n[20] = { HW_N };
static const uint8_t gid_l[16] = { GID_L };
static const uint8_t gid_n[16] = { GID_N };
static const uint8_t mgid_bc[16] = { MGID_BC };

struct fixture {
	struct ipoib_ctx ctx;
	struct ipoib_drop_stats stats;
	struct ipoib_rx_info rx;
	uint8_t mem[512];
	struct ipoib_buf b;
};

/* A derivation tests can write out: 02:00:00 and the QPN. */
static void fixed_mac(uint16_t pkey, const struct ipoib_hwaddr *hw,
		      unsigned int attempt, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0;
	mac[2] = attempt;
	memcpy(mac + 3, hw->raw + 1, 3);
}

static int resolve(void *arg, uint16_t pkey, int family, const uint8_t *addr,
		   uint8_t mac[6])
{
	static const uint8_t ip4[4] = { IP4_H }, ip6[16] = { IP6_H };
	static const uint8_t h[6] = { MAC_H };

	if ((family == AF_INET && !memcmp(addr, ip4, 4)) ||
	    (family == AF_INET6 && !memcmp(addr, ip6, 16))) {
		memcpy(mac, h, 6);
		return 0;
	}
	return -ENOENT;
}

/* 10.30.0.0/16 belongs to another partition. */
static bool src_ok(void *arg, uint16_t pkey, int family, const uint8_t *addr)
{
	return family != AF_INET || addr[0] != 10 || addr[1] != 30;
}

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.ctx.pkey = 0x8001;
	f.ctx.qkey = IPOIB_DEFAULT_QKEY;
	f.ctx.scope = IPOIB_SCOPE_LINK;
	memcpy(f.ctx.local.raw, hw_l, 20);
	f.ctx.neigh = ipoib_neigh_create(64);
	f.ctx.stats = &f.stats;
	f.ctx.now = 100;
	f.ctx.src_ok = src_ok;
	f.ctx.eth_resolve = resolve;
	if (!f.ctx.neigh)
		return -1;
	ipoib_neigh_set_mac_fn(f.ctx.neigh, fixed_mac);
	f.rx.src_qpn = 0x123;
	f.rx.qkey = IPOIB_DEFAULT_QKEY;
	f.rx.pkey = 0x8001;
	memcpy(f.rx.sgid.raw, gid_n, 16);
	memcpy(f.rx.dgid.raw, gid_l, 16);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ipoib_neigh_destroy(f->ctx.neigh);
	return 0;
}

/* Put @len bytes of @frame in the buffer after @headroom bytes. */
static void load(struct fixture *f, const uint8_t *frame, size_t len,
		 uint16_t headroom)
{
	memset(f->mem, 0xee, sizeof(f->mem));
	memcpy(f->mem + headroom, frame, len);
	f->b.data = f->mem + headroom;
	f->b.len = len;
	f->b.headroom = headroom;
	f->b.tailroom = sizeof(f->mem) - headroom - len;
}

/* A UD receive: 40 bytes of (unused) GRH space, then @ipoib. */
static void load_ud(struct fixture *f, const uint8_t *ipoib, size_t len)
{
	uint8_t tmp[400];

	memset(tmp, 0x5a, IPOIB_GRH_LEN);
	memcpy(tmp + IPOIB_GRH_LEN, ipoib, len);
	load(f, tmp, IPOIB_GRH_LEN + len, 0);
}

static void learn_n(struct fixture *f, uint8_t flags)
{
	struct ipoib_hwaddr hw;

	memcpy(hw.raw, hw_n, 20);
	hw.raw[0] = flags;
	assert_int_equal(ipoib_neigh_learn(f->ctx.neigh, 0x8001, &hw, 1, NULL),
			 0);
}

static void assert_buf_consistent(const struct fixture *f)
{
	assert_ptr_equal(f->b.data - f->b.headroom, f->mem);
	assert_int_equal(f->b.headroom + f->b.len + f->b.tailroom,
			 sizeof(f->mem));
}

static void test_ipv4_encap_unicast(void **state)
{
	struct fixture *f = *state;
	const uint8_t frame[60] = { MAC_N, MAC_H, 0x08, 0x00, IP4_PING_H_TO_N };
	const uint8_t want[] = { 0x08, 0x00, 0x00, 0x00, IP4_PING_H_TO_N };
	struct ipoib_tx_info tx;
	uint8_t *payload;

	learn_n(f, 0);
	load(f, frame, sizeof(frame), 64); /* padded to the Ethernet minimum */
	payload = f->b.data + 14;
	assert_int_equal(ipoib_encap(&f->ctx, &f->b, &tx), IPOIB_OK);
	assert_ptr_equal(f->b.data, payload - 4);
	assert_int_equal(f->b.len, sizeof(want)); /* padding trimmed */
	assert_memory_equal(f->b.data, want, sizeof(want));
	assert_memory_equal(tx.dst.raw, hw_n, 20);
	assert_int_equal(tx.vid, 0);
	assert_int_equal(tx.ethertype, 0x0800);
	assert_int_equal(f->b.headroom, 64 + 10);
	assert_buf_consistent(f);
	assert_int_equal(f->stats.count[IPOIB_OK], 1);
}

static void test_ipv4_encap_vlan_bcast(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[] = { MAC_BC, MAC_H, 0x81, 0x00,		 0x00,
			    0x14,   0x08,  0x00, IP4_PING_H_TO_N };
	const uint8_t want_dst[20] = { 0x00, 0xff, 0xff, 0xff, MGID_BC };
	struct ipoib_tx_info tx;
	uint8_t *payload;

	frame[18 + 19] = 0xff; /* to 10.20.0.255 */
	load(f, frame, sizeof(frame), 64);
	payload = f->b.data + 18;
	assert_int_equal(ipoib_encap(&f->ctx, &f->b, &tx), IPOIB_OK);
	assert_ptr_equal(f->b.data + 4, payload);
	assert_int_equal(f->b.len, 4 + 28);
	assert_memory_equal(tx.dst.raw, want_dst, 20);
	assert_int_equal(tx.vid, 20);
	assert_buf_consistent(f);
}

static void test_ipv4_encap_mcast(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[] = { 0x01, 0x00,	 0x5e, 0x01, 0x02,
			    0x03, MAC_H, 0x08, 0x00, IP4_PING_H_TO_N };
	/* 239.1.2.3: low 28 bits 0x0f010203 */
	const uint8_t want_dst[20] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0x12, 0x40,
				       0x1b, 0x80, 0x01, 0,    0,    0,	   0,
				       0,    0,	   0x0f, 0x01, 0x02, 0x03 };
	struct ipoib_tx_info tx;

	memcpy(frame + 14 + 16, (uint8_t[]){ 239, 1, 2, 3 }, 4);
	load(f, frame, sizeof(frame), 64);
	assert_int_equal(ipoib_encap(&f->ctx, &f->b, &tx), IPOIB_OK);
	assert_memory_equal(tx.dst.raw, want_dst, 20);
}

static void test_ipv4_decap_unicast(void **state)
{
	struct fixture *f = *state;
	const uint8_t ud[] = { 0x08, 0x00, 0x00, 0x00, IP4_PING_N_TO_H };
	const uint8_t want[] = { MAC_H, MAC_N, 0x08, 0x00, IP4_PING_N_TO_H };
	uint8_t mac[6];
	uint8_t *payload;

	load_ud(f, ud, sizeof(ud));
	payload = f->b.data + IPOIB_UD_HDR_LEN;
	assert_int_equal(ipoib_decap(&f->ctx, &f->b, &f->rx), IPOIB_OK);
	assert_ptr_equal(f->b.data, payload - 14);
	assert_ptr_equal(f->b.data, f->mem + 30); /* tail of the GRH space */
	assert_int_equal(f->b.len, sizeof(want));
	assert_memory_equal(f->b.data, want, sizeof(want));
	assert_buf_consistent(f);
	/* the source was learned */
	assert_int_equal(ipoib_neigh_lookup_hw(f->ctx.neigh, 0x8001,
					       (const void *)hw_n, mac),
			 0);
}

static void test_ipv4_decap_vlan_bcast(void **state)
{
	struct fixture *f = *state;
	uint8_t ud[] = { 0x08, 0x00, 0x00, 0x00, IP4_PING_N_TO_H };
	uint8_t want[] = { MAC_BC, MAC_N, 0x81, 0x00,		0x00,
			   0x14,   0x08,  0x00, IP4_PING_N_TO_H };

	ud[4 + 19] = 0xff; /* to 10.20.0.255: no resolution needed */
	want[18 + 19] = 0xff;
	f->ctx.vid = 20;
	memcpy(f->rx.dgid.raw, mgid_bc, 16);
	load_ud(f, ud, sizeof(ud));
	assert_int_equal(ipoib_decap(&f->ctx, &f->b, &f->rx), IPOIB_OK);
	assert_ptr_equal(f->b.data, f->mem + 26);
	assert_int_equal(f->b.len, sizeof(want));
	assert_memory_equal(f->b.data, want, sizeof(want));
}

/* Payload bytes never move: Ethernet -> IPoIB -> (UD loop) -> Ethernet. */
static void test_payload_never_moves(void **state)
{
	struct fixture *f = *state;
	const uint8_t frame[] = { MAC_N, MAC_H, 0x08, 0x00, IP4_PING_H_TO_N };
	const uint8_t l3[] = { IP4_PING_H_TO_N };
	struct ipoib_tx_info tx;
	uint8_t *payload;

	learn_n(f, 0);
	load(f, frame, sizeof(frame), 64);
	payload = f->b.data + 14;
	assert_int_equal(ipoib_encap(&f->ctx, &f->b, &tx), IPOIB_OK);
	assert_ptr_equal(f->b.data + 4, payload);
	/* as if received back on a UD QP: GRH space in front, same buffer */
	f->b.data -= IPOIB_GRH_LEN;
	f->b.len += IPOIB_GRH_LEN;
	f->b.headroom -= IPOIB_GRH_LEN;
	f->rx.src_qpn = 0x777; /* not our own QP */
	f->ctx.eth_resolve = NULL;
	memcpy(f->rx.dgid.raw, mgid_bc, 16);
	payload[19] = 0xff; /* broadcast, resolved without the hook */
	assert_int_equal(ipoib_decap(&f->ctx, &f->b, &f->rx), IPOIB_OK);
	assert_ptr_equal(f->b.data + 14, payload);
	assert_memory_equal(payload, l3, 19);
	assert_buf_consistent(f);
}

static void test_arp_request_to_ib(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	const uint8_t frame[] = {
		MAC_BC, MAC_H, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, /* request */
		MAC_H, IP4_H, 0, 0, 0, 0, 0, 0, IP4_N,
	};
	/* clang-format on */
	/* clang-format off */
	const uint8_t want[] = {
		0x08, 0x06, 0x00, 0x00, /* IPoIB header */
		0x00, 0x20, 0x08, 0x00, 0x14, 0x04, 0x00, 0x01, /* hw 32 */
		HW_L, IP4_H, /* the gateway stands for H */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		IP4_N,
	};
	/* clang-format on */
	const uint8_t want_dst[20] = { 0x00, 0xff, 0xff, 0xff, MGID_BC };
	struct ipoib_tx_info tx;
	uint8_t *l3;

	load(f, frame, sizeof(frame), 64);
	l3 = f->b.data + 14;
	assert_int_equal(ipoib_encap(&f->ctx, &f->b, &tx), IPOIB_OK);
	assert_ptr_equal(f->b.data + 4, l3);
	assert_int_equal(f->b.len, 60);
	assert_int_equal(sizeof(want), 60);
	assert_memory_equal(f->b.data, want, sizeof(want));
	assert_memory_equal(tx.dst.raw, want_dst, 20);
	assert_buf_consistent(f);
}

static void test_arp_reply_to_ib(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	const uint8_t frame[] = {
		MAC_N, MAC_H, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, /* reply */
		MAC_H, IP4_H, MAC_N, IP4_N,
	};
	/* clang-format on */
	const uint8_t
		want[] = {
			0x08, 0x06,  0x00,    0x00,  0x00, 0x20,
			0x08, 0x00,  0x14,    0x04,  0x00, 0x02,
			HW_L, IP4_H, HW_N_RC, IP4_N, /* flags as N announced them */
		};
	struct ipoib_tx_info tx;

	learn_n(f, 0x80);
	load(f, frame, sizeof(frame), 64);
	assert_int_equal(ipoib_encap(&f->ctx, &f->b, &tx), IPOIB_OK);
	assert_int_equal(f->b.len, sizeof(want));
	assert_memory_equal(f->b.data, want, sizeof(want));
	assert_true(ipoib_hwaddr_same_port(&tx.dst, (const void *)hw_n));
}

static void test_arp_reply_to_eth(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	const uint8_t ud[] = {
		0x08, 0x06, 0x00, 0x00,
		0x00, 0x20, 0x08, 0x00, 0x14, 0x04, 0x00, 0x02,
		HW_N_RC, IP4_N, HW_L, IP4_H,
	};
	/* clang-format on */
	/* clang-format off */
	const uint8_t want[] = {
		MAC_H, MAC_N, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
		MAC_N, IP4_N, MAC_H, IP4_H,
	};
	/* clang-format on */
	struct ipoib_hwaddr got;
	const uint8_t mac_n[6] = { MAC_N };

	load_ud(f, ud, sizeof(ud));
	assert_int_equal(ipoib_decap(&f->ctx, &f->b, &f->rx), IPOIB_OK);
	assert_ptr_equal(f->b.data, f->mem + 30);
	assert_int_equal(f->b.len, 42);
	assert_memory_equal(f->b.data, want, sizeof(want));
	assert_buf_consistent(f);
	/* learned with the connected-mode flag it announced */
	assert_int_equal(
		ipoib_neigh_lookup_mac(f->ctx.neigh, 0x8001, mac_n, &got), 0);
	assert_int_equal(got.raw[0], 0x80);
}

static void test_arp_request_to_eth(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	const uint8_t ud[] = {
		0x08, 0x06, 0x00, 0x00,
		0x00, 0x20, 0x08, 0x00, 0x14, 0x04, 0x00, 0x01,
		HW_N, IP4_N,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		IP4_H,
	};
	/* clang-format on */
	/* clang-format off */
	const uint8_t want[] = {
		MAC_BC, MAC_N, 0x81, 0x00, 0x00, 0x14, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		MAC_N, IP4_N, 0, 0, 0, 0, 0, 0, IP4_H,
	};
	/* clang-format on */

	f->ctx.vid = 20;
	f->ctx.eth_resolve = NULL; /* a broadcast request needs none */
	memcpy(f->rx.dgid.raw, mgid_bc, 16);
	load_ud(f, ud, sizeof(ud));
	assert_int_equal(ipoib_decap(&f->ctx, &f->b, &f->rx), IPOIB_OK);
	assert_int_equal(f->b.len, sizeof(want));
	assert_memory_equal(f->b.data, want, sizeof(want));
}

/* IPv6 header: payload length @plen, next header 58, hop limit 255. */
#define IP6_HDR(plen, ...) 0x60, 0, 0, 0, 0, (plen), 58, 255, __VA_ARGS__

static void test_nd_ns_to_eth(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	const uint8_t ud[] = {
		0x86, 0xdd, 0x00, 0x00,
		IP6_HDR(48, IP6_N, IP6_SN_H),
		135, 0, 0x35, 0xbf, 0, 0, 0, 0, IP6_H, /* NS for H */
		1, 3, 0, 0, HW_N_RC, /* source link-layer option, IPoIB */
	};
	/* clang-format on */
	/* clang-format off */
	const uint8_t want[] = {
		0x33, 0x33, 0xff, 0x00, 0x00, 0x10, MAC_N, 0x86, 0xdd,
		IP6_HDR(32, IP6_N, IP6_SN_H),
		135, 0, 0x7b, 0xfa, 0, 0, 0, 0, IP6_H,
		1, 1, MAC_N, /* source link-layer option, Ethernet */
	};
	/* clang-format on */
	const uint8_t mgid[16] = { MGID_SN6 };
	uint8_t *l3;

	memcpy(f->rx.dgid.raw, mgid, 16);
	load_ud(f, ud, sizeof(ud));
	l3 = f->b.data + IPOIB_UD_HDR_LEN;
	assert_int_equal(ipoib_decap(&f->ctx, &f->b, &f->rx), IPOIB_OK);
	assert_ptr_equal(f->b.data + 14, l3);
	assert_int_equal(f->b.len, sizeof(want));
	assert_memory_equal(f->b.data, want, sizeof(want));
	assert_buf_consistent(f);
}

static void test_nd_na_to_ib(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	const uint8_t frame[] = {
		MAC_N, MAC_H, 0x86, 0xdd,
		IP6_HDR(32, IP6_H, IP6_N),
		136, 0, 0x97, 0x44, 0x60, 0, 0, 0, IP6_H, /* NA S|O */
		2, 1, MAC_H, /* target link-layer option */
	};
	/* clang-format on */
	/* clang-format off */
	const uint8_t want[] = {
		0x86, 0xdd, 0x00, 0x00,
		IP6_HDR(48, IP6_H, IP6_N),
		136, 0, 0xa2, 0xb9, 0x60, 0, 0, 0, IP6_H,
		2, 3, 0, 0, HW_L, /* the gateway stands for H */
	};
	/* clang-format on */
	struct ipoib_tx_info tx;
	uint8_t *l3;

	learn_n(f, 0);
	load(f, frame, sizeof(frame), 64);
	l3 = f->b.data + 14;
	assert_int_equal(ipoib_encap(&f->ctx, &f->b, &tx), IPOIB_OK);
	assert_ptr_equal(f->b.data + 4, l3);
	assert_int_equal(f->b.len, sizeof(want));
	assert_memory_equal(f->b.data, want, sizeof(want));
	assert_memory_equal(tx.dst.raw, hw_n, 20);
	assert_buf_consistent(f);
}

/* Each bad input dropped with its reason, buffer pointers untouched. */
static void expect_rx_drop(struct fixture *f, const uint8_t *ud, size_t len,
			   enum ipoib_drop_reason want)
{
	uint8_t *data;

	load_ud(f, ud, len);
	data = f->b.data;
	assert_int_equal(ipoib_decap(&f->ctx, &f->b, &f->rx), want);
	if (want == IPOIB_OK)
		return;
	assert_ptr_equal(f->b.data, data);
	assert_int_equal(f->b.len, IPOIB_GRH_LEN + len);
}

static void test_rx_drops(void **state)
{
	struct fixture *f = *state;
	const uint8_t ping[] = { 0x08, 0x00, 0x00, 0x00, IP4_PING_N_TO_H };
	uint8_t bad[sizeof(ping)];
	int i;

	expect_rx_drop(f, ping, 3, IPOIB_DROP_TRUNCATED);
	f->rx.qkey = 0x80010000;
	expect_rx_drop(f, ping, sizeof(ping), IPOIB_DROP_BAD_QKEY);
	f->rx.qkey = IPOIB_DEFAULT_QKEY;
	f->rx.pkey = 0x8002;
	expect_rx_drop(f, ping, sizeof(ping), IPOIB_DROP_BAD_PKEY);
	f->rx.pkey = 0x0001;
	f->ctx.pkey = 0x0001;
	expect_rx_drop(f, ping, sizeof(ping), IPOIB_DROP_PKEY_LIMITED);
	f->ctx.pkey = 0x8001;
	/* a limited member may talk to our full membership */
	expect_rx_drop(f, ping, sizeof(ping), IPOIB_OK);
	f->rx.pkey = 0x8001;

	ipoib_mgid_bcast(&f->rx.dgid, 0x8002, 2);
	expect_rx_drop(f, ping, sizeof(ping), IPOIB_DROP_FOREIGN_MGID);
	memcpy(f->rx.dgid.raw, gid_l, 16);

	f->rx.src_qpn = 0x48;
	memcpy(f->rx.sgid.raw, gid_l, 16);
	expect_rx_drop(f, ping, sizeof(ping), IPOIB_DROP_LOOPBACK);
	f->rx.src_qpn = 0x123;
	memcpy(f->rx.sgid.raw, gid_n, 16);

	memcpy(bad, ping, sizeof(ping));
	bad[0] = 0x88; /* LLDP */
	bad[1] = 0xcc;
	expect_rx_drop(f, bad, sizeof(bad), IPOIB_DROP_ETHERTYPE);
	memcpy(bad, ping, sizeof(ping));
	bad[4] = 0x55;
	expect_rx_drop(f, bad, sizeof(bad), IPOIB_DROP_BAD_IPV4);
	bad[4] = 0x45;
	bad[7] = 0x40; /* total length 64 > 28 */
	expect_rx_drop(f, bad, sizeof(bad), IPOIB_DROP_TRUNCATED);
	memcpy(bad, ping, sizeof(ping));
	bad[4 + 13] = 30; /* from 10.30.0.20: another partition's subnet */
	expect_rx_drop(f, bad, sizeof(bad), IPOIB_DROP_SRC_FOREIGN);
	memcpy(bad, ping, sizeof(ping));
	bad[4 + 19] = 99; /* to 10.20.0.99, no Ethernet host has it */
	expect_rx_drop(f, bad, sizeof(bad), IPOIB_DROP_NO_ETH_DEST);

	for (i = IPOIB_DROP_BAD_QKEY; i <= IPOIB_DROP_BAD_IPV4; i++)
		assert_int_equal(f->stats.count[i], 1);
	assert_int_equal(f->stats.count[IPOIB_DROP_TRUNCATED], 2);
	assert_int_equal(f->stats.count[IPOIB_DROP_SRC_FOREIGN], 1);
	assert_int_equal(f->stats.count[IPOIB_DROP_NO_ETH_DEST], 1);
	assert_int_equal(f->stats.count[IPOIB_OK], 1);
}

static void test_rx_arp_drops(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	uint8_t ud[] = {
		0x08, 0x06, 0x00, 0x00,
		0x00, 0x20, 0x08, 0x00, 0x14, 0x04, 0x00, 0x02,
		HW_N, IP4_N, HW_L, IP4_H,
	};
	/* clang-format on */

	expect_rx_drop(f, ud, sizeof(ud), IPOIB_OK);
	ud[5] = 0x01; /* Ethernet ARP arriving over IPoIB */
	expect_rx_drop(f, ud, sizeof(ud), IPOIB_DROP_ARP_HWTYPE);
	ud[5] = 0x20;
	ud[8] = 6; /* hlen 6 with hw type 32 */
	expect_rx_drop(f, ud, sizeof(ud), IPOIB_DROP_ARP_MALFORMED);
	ud[8] = 20;
	expect_rx_drop(f, ud, sizeof(ud) - 1, IPOIB_DROP_TRUNCATED);
	ud[12 + 3] = 0x24; /* sender QPN is not the packet's source QP */
	expect_rx_drop(f, ud, sizeof(ud), IPOIB_DROP_BAD_SRC_HW);
	ud[12 + 3] = 0x23;
	ud[12 + 20 + 1] = 30; /* sender IP of another partition */
	expect_rx_drop(f, ud, sizeof(ud), IPOIB_DROP_SRC_FOREIGN);
	ud[12 + 20 + 1] = 20;
	ud[12 + 24 + 20 + 3] = 99; /* reply for an unknown Ethernet host */
	expect_rx_drop(f, ud, sizeof(ud), IPOIB_DROP_NO_ETH_DEST);
}

static void test_rx_nd_drops(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	uint8_t ud[] = {
		0x86, 0xdd, 0x00, 0x00,
		IP6_HDR(48, IP6_N, IP6_SN_H),
		135, 0, 0x35, 0xbf, 0, 0, 0, 0, IP6_H,
		1, 3, 0, 0, HW_N_RC,
	};
	/* clang-format on */

	expect_rx_drop(f, ud, sizeof(ud), IPOIB_OK);
	ud[4 + 40 + 4] = 0x80; /* reserved bits: checksum now wrong */
	expect_rx_drop(f, ud, sizeof(ud), IPOIB_DROP_ND_MALFORMED);
	ud[4 + 40 + 4] = 0x00;
	ud[4 + 40 + 25] = 0; /* option length 0 (checksum wrong too) */
	expect_rx_drop(f, ud, sizeof(ud), IPOIB_DROP_ND_MALFORMED);
	ud[4 + 40 + 25] = 3;
	ud[4] = 0x40; /* IPv4 version in an IPv6 packet */
	expect_rx_drop(f, ud, sizeof(ud), IPOIB_DROP_BAD_IPV6);
}

static void expect_tx_drop(struct fixture *f, const uint8_t *frame, size_t len,
			   uint16_t tailroom, enum ipoib_drop_reason want)
{
	struct ipoib_tx_info tx;
	uint8_t *data;

	load(f, frame, len, 64);
	f->b.tailroom = tailroom;
	data = f->b.data;
	assert_int_equal(ipoib_encap(&f->ctx, &f->b, &tx), want);
	if (want == IPOIB_OK)
		return;
	assert_ptr_equal(f->b.data, data);
	assert_int_equal(f->b.len, len);
}

static void test_tx_drops(void **state)
{
	struct fixture *f = *state;
	/* clang-format off */
	uint8_t arp[] = {
		MAC_BC, MAC_H, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		MAC_H, IP4_H, 0, 0, 0, 0, 0, 0, IP4_N,
	};
	/* clang-format on */
	uint8_t ping[] = { MAC_N, MAC_H, 0x08, 0x00, IP4_PING_H_TO_N };

	expect_tx_drop(f, arp, 13, 100, IPOIB_DROP_TRUNCATED);
	expect_tx_drop(f, arp, sizeof(arp), 27, IPOIB_DROP_NO_ROOM);
	expect_tx_drop(f, arp, sizeof(arp), 28, IPOIB_OK);
	arp[15] = 6; /* IEEE 802 hardware type */
	expect_tx_drop(f, arp, sizeof(arp), 100, IPOIB_DROP_ARP_HWTYPE);
	arp[15] = 1;
	arp[21] = 9; /* opcode 9 */
	expect_tx_drop(f, arp, sizeof(arp), 100, IPOIB_DROP_ARP_MALFORMED);
	arp[21] = 1;
	arp[29] = 30; /* sender IP of another partition */
	expect_tx_drop(f, arp, sizeof(arp), 100, IPOIB_DROP_SRC_FOREIGN);
	arp[29] = 20;
	learn_n(f, 0);
	memcpy(arp + 22, (uint8_t[]){ MAC_N }, 6); /* claims N's MAC */
	expect_tx_drop(f, arp, sizeof(arp), 100, IPOIB_DROP_BAD_SRC_HW);

	ping[0] = 0x0a; /* unicast MAC that is no IB neighbour */
	expect_tx_drop(f, ping, sizeof(ping), 100, IPOIB_DROP_NEIGH_MISS);
	ping[12] = 0x88;
	ping[13] = 0xa8; /* QinQ */
	expect_tx_drop(f, ping, sizeof(ping), 100, IPOIB_DROP_ETHERTYPE);
}

static void constant_mac(uint16_t pkey, const struct ipoib_hwaddr *hw,
			 unsigned int attempt, uint8_t mac[6])
{
	fixed_mac(pkey, hw, 0, mac);
	mac[5] = 1;
}

static void test_neigh_full(void **state)
{
	struct fixture *f = *state;
	const uint8_t ping[] = { 0x08, 0x00, 0x00, 0x00, IP4_PING_N_TO_H };

	ipoib_neigh_set_mac_fn(f->ctx.neigh, constant_mac);
	expect_rx_drop(f, ping, sizeof(ping), IPOIB_OK);
	f->rx.src_qpn = 0x124; /* every MAC it could get is taken */
	expect_rx_drop(f, ping, sizeof(ping), IPOIB_DROP_NEIGH_FULL);
	assert_int_equal(f->stats.count[IPOIB_DROP_NEIGH_FULL], 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ipv4_encap_unicast),
		T(test_ipv4_encap_vlan_bcast),
		T(test_ipv4_encap_mcast),
		T(test_ipv4_decap_unicast),
		T(test_ipv4_decap_vlan_bcast),
		T(test_payload_never_moves),
		T(test_arp_request_to_ib),
		T(test_arp_reply_to_ib),
		T(test_arp_reply_to_eth),
		T(test_arp_request_to_eth),
		T(test_nd_ns_to_eth),
		T(test_nd_na_to_ib),
		T(test_rx_drops),
		T(test_rx_arp_drops),
		T(test_rx_nd_drops),
		T(test_tx_drops),
		T(test_neigh_full),
	};

	return cmocka_run_group_tests_name("ipoib_xlate", tests, NULL, NULL);
}
