// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: a virtio-net header and a frame, as a guest hands them
 * to a tap. Input: 10 header bytes, 2 bytes picking the egress MTU, then
 * the frame. A header that passes vnet_check() must be safe to act on:
 * completing the checksum writes inside the frame, and cutting a
 * super-frame gives segments that fit the MTU and the buffer, carry the
 * whole payload once, and leak no buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eth/vnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ROOM 1920

static struct pool *pool;

static void cut(const uint8_t *f, uint32_t len, const struct pkt_ol *ol,
		const struct vnet_l34 *l, uint32_t mtu)
{
	struct pkt *segs[256];
	struct vnet_seg s;
	uint64_t copied = 0, bytes = 0;
	unsigned int n = 0;

	if (vnet_seg_start(&s, f, len, ol, l, mtu, ROOM))
		return;
	while (n < 256 && (segs[n] = vnet_seg_next(&s, pool, &copied))) {
		if (segs[n]->len > ROOM || segs[n]->len - l->l3 > mtu)
			abort(); /* does not fit the egress */
		bytes += segs[n]->len;
		n++;
	}
	if (bytes != copied)
		abort();
	while (n)
		pool_free(segs[--n]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t f[4096];
	struct pkt_ol ol;
	struct vnet_l34 l;
	uint32_t len, mtu;

	if (!pool && !(pool = pool_create(256, 2048, 128)))
		abort();
	if (size < VNET_HDR_LEN + 2 || size > VNET_HDR_LEN + 2 + sizeof(f))
		return 0;
	vnet_decode(data, &ol);
	mtu = 68 + (data[10] << 8 | data[11]) % 9000;
	len = size - VNET_HDR_LEN - 2;
	memcpy(f, data + VNET_HDR_LEN + 2, len);
	vnet_parse(f, len, &l);
	if (l.end > len || l.l4 + l.l4_hlen > l.end)
		abort(); /* the parser pointed outside the frame */
	if (vnet_check(f, len, &ol, &l))
		return 0;
	if (ol.gso_type)
		cut(f, len, &ol, &l, mtu);
	if (ol.flags & VNET_F_NEEDS_CSUM)
		vnet_csum_complete(f, len, &ol, &l);
	if (pool_avail(pool) != 256)
		abort();
	return 0;
}
