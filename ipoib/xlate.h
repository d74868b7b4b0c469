/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * In-place translation at the gateway between Ethernet frames (14 bytes, or
 * 18 with an 802.1Q tag) and IPoIB packets (RFC 4391), in one buffer:
 *
 *   Ethernet -> IPoIB (ipoib_encap): the 4-byte IPoIB header is written
 *     right before the L3 payload, over the tail of the Ethernet header.
 *   UD receive -> Ethernet (ipoib_decap): the buffer starts with 40 bytes
 *     of GRH space and the 4-byte IPoIB header; the Ethernet header is
 *     written over the tail of that space, right before the payload.
 *
 * IPv4 and IPv6 payloads never move. ARP is rewritten (28 bytes on Ethernet,
 * 56 on IPoIB) and IPv6 neighbour discovery has its link-layer address
 * options rewritten (8 <-> 24 bytes) with the ICMPv6 checksum recomputed;
 * both stay at the same L3 offset and grow or shrink at their tail.
 *
 * Proxy addressing: Ethernet hosts see one derived MAC per IB neighbour
 * (ipoib/neigh.h); IB hosts see the gateway's own IPoIB address for every
 * Ethernet host, so unicast from IB to Ethernet is steered by destination IP
 * through the caller's eth_resolve hook.
 *
 * Every function returns enum ipoib_drop_reason and counts it in
 * ctx->stats; on a drop the buffer content is unspecified (the frame must
 * be discarded) but b->data and b->len are unchanged.
 */
#ifndef FABRIC_IPOIB_XLATE_H
#define FABRIC_IPOIB_XLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ipoib/neigh.h"
#include "ipoib/wire.h"

#define IPOIB_ETH_HLEN 14
#define IPOIB_VLAN_HLEN 18
#define IPOIB_ARP_ETH_LEN 28 /* 8 + 2 * (6 + 4) */
#define IPOIB_ARP_IB_LEN 56 /* 8 + 2 * (20 + 4) */
#define IPOIB_ARPHRD_ETHER 1
#define IPOIB_ARPHRD_INFINIBAND 32

/*
 * A frame in a buffer: the engine's buffer type adapts to this. data may
 * move back into headroom or forward; head/tailroom follow it.
 */
struct ipoib_buf {
	uint8_t *data; /* first byte of the frame */
	uint16_t len; /* bytes of frame at data */
	uint16_t headroom; /* writable bytes before data */
	uint16_t tailroom; /* writable bytes after data + len */
};

/* One partition as the gateway serves it. */
struct ipoib_ctx {
	uint16_t pkey; /* P_Key our port holds (membership bit included) */
	uint32_t qkey; /* the broadcast group's Q_Key */
	uint8_t scope; /* MGID scope, IPOIB_SCOPE_LINK unless configured */
	uint16_t vid; /* 802.1Q VID written by decap; 0 writes no tag */
	struct ipoib_hwaddr local; /* the gateway's UD QPN + port GID */
	struct ipoib_neigh_table *neigh;
	struct ipoib_drop_stats *stats; /* may be NULL */
	uint64_t now; /* neighbour time stamp, set once per burst */
	/*
	 * src_ok (may be NULL: all allowed): may a host of partition @pkey
	 * use source address @addr (4 bytes for AF_INET, 16 for AF_INET6)?
	 * False drops the packet as IPOIB_DROP_SRC_FOREIGN.
	 */
	bool (*src_ok)(void *arg, uint16_t pkey, int family,
		       const uint8_t *addr);
	/*
	 * eth_resolve (may be NULL: unicast IB -> Ethernet is dropped): MAC
	 * of the Ethernet host that owns @addr in partition @pkey; 0 or
	 * -ENOENT (dropped as IPOIB_DROP_NO_ETH_DEST).
	 */
	int (*eth_resolve)(void *arg, uint16_t pkey, int family,
			   const uint8_t *addr, uint8_t mac[6]);
	void *arg; /* passed to the hooks */
};

/*
 * What the UD completion tells about a received packet. On InfiniBand the
 * QP itself filters Q_Key and P_Key; pass ctx's values unless the real ones
 * are known (raw capture, simulation). sgid/dgid come from the GRH
 * (ipoib_grh_gids) or, without one, from the caller's path data.
 */
struct ipoib_rx_info {
	uint32_t src_qpn; /* ibv_wc.src_qp */
	uint32_t qkey;
	uint16_t pkey;
	struct ipoib_gid sgid;
	struct ipoib_gid dgid; /* an MGID when sent to a multicast group */
};

/* Where an encapsulated packet must be sent. */
struct ipoib_tx_info {
	/* unicast: the neighbour's QPN + GID; multicast: QPN 0xffffff + MGID */
	struct ipoib_hwaddr dst;
	uint16_t vid; /* 802.1Q VID of the Ethernet frame, 0 if untagged */
	uint16_t ethertype;
};

/*
 * ipoib_encap - turn the Ethernet frame in @b into an IPoIB packet (header
 * + payload) in place and say where it goes in @tx. The caller has picked
 * @ctx from the frame's port/VID (tx->vid reports the tag it saw).
 * Ethernet padding after an IPv4/IPv6 packet is trimmed. ARP needs up to 28
 * bytes of tailroom, ND 16 per link-layer option.
 */
enum ipoib_drop_reason ipoib_encap(const struct ipoib_ctx *ctx,
				   struct ipoib_buf *b,
				   struct ipoib_tx_info *tx);

/*
 * ipoib_decap - validate the UD receive in @b (GRH space + IPoIB header +
 * payload) against @ctx and @rx and turn it into an Ethernet frame in place
 * (tagged with ctx->vid if set). Learns the source IB neighbour.
 */
enum ipoib_drop_reason ipoib_decap(const struct ipoib_ctx *ctx,
				   struct ipoib_buf *b,
				   const struct ipoib_rx_info *rx);

/*
 * ipoib_l4_csum - the Internet checksum of @len bytes at @p folded into
 * @sum (host order partial sum, start with 0); exported for ND users and
 * tests. ipoib_csum_fold finishes it.
 */
uint32_t ipoib_l4_csum(const uint8_t *p, size_t len, uint32_t sum);
uint16_t ipoib_csum_fold(uint32_t sum);

#endif /* FABRIC_IPOIB_XLATE_H */
