// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for IPoIB decode and translation: the first input byte
 * picks the direction and options, the rest is an Ethernet frame (encap) or
 * a UD receive (decap, GRH space included). Checks the buffer invariants
 * the engine relies on: on success the frame stays inside the buffer and
 * head + len + tail add up; on a drop data and len are unchanged.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ipoib/xlate.h"

#define HEADROOM 128
#define BUF_SIZE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ipoib_neigh_table *neigh;

static int resolve(void *arg, uint16_t pkey, int family, const uint8_t *addr,
		   uint8_t mac[6])
{
	static const uint8_t m[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	if (addr[0] & 1)
		return -ENOENT;
	memcpy(mac, m, 6);
	return 0;
}

static bool src_ok(void *arg, uint16_t pkey, int family, const uint8_t *addr)
{
	return addr[1] != 30;
}

static void check(const struct ipoib_buf *b, const uint8_t *mem,
		  const uint8_t *data0, uint16_t len0, enum ipoib_drop_reason r)
{
	if (r >= IPOIB_DROP_MAX)
		abort();
	if (r != IPOIB_OK) {
		if (b->data != data0 || b->len != len0)
			abort();
		return;
	}
	if (b->data - b->headroom != mem ||
	    b->headroom + b->len + b->tailroom != BUF_SIZE)
		abort();
}

static void init_ctx(struct ipoib_ctx *ctx, uint8_t sel)
{
	static const struct ipoib_gid gid = { { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0,
						0x02, 0xc9, 0x03, 0, 0xa1, 0xb2,
						0xc5 } };

	if (!neigh)
		neigh = ipoib_neigh_create(64);
	memset(ctx, 0, sizeof(*ctx));
	ctx->pkey = sel & 0x10 ? 0x0001 : 0x8001;
	ctx->qkey = IPOIB_DEFAULT_QKEY;
	ctx->scope = IPOIB_SCOPE_LINK;
	ctx->vid = sel & 0x20 ? 20 : 0;
	ipoib_hwaddr_make(&ctx->local, 0, 0x48, &gid);
	ctx->neigh = neigh;
	ctx->now = sel;
	ctx->src_ok = src_ok;
	ctx->eth_resolve = sel & 0x40 ? NULL : resolve;
}

static void fuzz_decap(const struct ipoib_ctx *ctx, uint8_t sel, uint8_t *mem,
		       const uint8_t *in, size_t n)
{
	struct ipoib_buf b = { mem + HEADROOM, n, HEADROOM,
			       BUF_SIZE - HEADROOM - n };
	struct ipoib_rx_info rx;

	memset(&rx, 0, sizeof(rx));
	rx.qkey = ctx->qkey;
	rx.pkey = sel & 0x80 ? 0x8001 : 0x0001;
	rx.src_qpn = n >= 47 ? (uint32_t)in[44] << 16 | in[45] << 8 | in[46] :
			       0x123;
	if (ipoib_grh_gids(in, n, &rx.sgid, &rx.dgid))
		ipoib_mgid_bcast(&rx.dgid, 0x8001, 2);
	memcpy(b.data, in, n);
	check(&b, mem, b.data, b.len, ipoib_decap(ctx, &b, &rx));
}

static void fuzz_encap(const struct ipoib_ctx *ctx, uint8_t *mem,
		       const uint8_t *in, size_t n)
{
	struct ipoib_buf b = { mem + HEADROOM, n, HEADROOM,
			       BUF_SIZE - HEADROOM - n };
	struct ipoib_tx_info tx;

	memcpy(b.data, in, n);
	check(&b, mem, b.data, b.len, ipoib_encap(ctx, &b, &tx));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[BUF_SIZE];
	struct ipoib_ctx ctx;
	struct ipoib_gid g;
	uint8_t sel;

	if (size < 1 || size - 1 > BUF_SIZE - HEADROOM - 64)
		return 0;
	sel = data[0];
	init_ctx(&ctx, sel);
	if (size >= 17) {
		ipoib_mgid_ipv4(&g, 0x8001, 2, data + 1);
		ipoib_mgid_ipv6(&g, 0x8001, 2, data + 1);
	}
	if (sel & 1)
		fuzz_decap(&ctx, sel, mem, data + 1, size - 1);
	else
		fuzz_encap(&ctx, mem, data + 1, size - 1);
	/* keep the table small and churning */
	if ((sel & 0x0e) == 0x0e)
		ipoib_neigh_age(neigh, sel, 8);
	return 0;
}
