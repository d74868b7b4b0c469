// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Ethernet <-> IPoIB translation in place (see xlate.h). Layouts:
 *   Ethernet ARP (RFC 826, hw 1):  htype ptype hlen=6  plen=4 op
 *                                  sha(6)  spa(4) tha(6)  tpa(4)   28 bytes
 *   IPoIB ARP (RFC 4391 s. 9.1, hw 32): same, hlen=20,
 *                                  sha(20) spa(4) tha(20) tpa(4)   56 bytes
 *   ND link-layer option, Ethernet (RFC 4861): type len=1 mac(6)   8 bytes
 *   ND link-layer option, IPoIB (RFC 4391 s. 8): type len=3
 *                                  reserved(2) hwaddr(20)          24 bytes
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ipoib/xlate.h"
#include "lib/ib.h"

#define ETHERTYPE_VLAN 0x8100
#define IPPROTO_ICMPV6_NUM 58
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define ND_NA 136
#define ND_MAX_OPTS 4096 /* options area copied aside while rewriting */

typedef enum ipoib_drop_reason drop_t;

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];
static const struct ipoib_hwaddr zero_hw;

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

uint32_t ipoib_l4_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += rd16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t ipoib_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Where the buffer's writable space ends. */
static uint8_t *buf_limit(const struct ipoib_buf *b)
{
	return b->data + b->len + b->tailroom;
}

static bool src_allowed(const struct ipoib_ctx *ctx, int family,
			const uint8_t *addr)
{
	return !ctx->src_ok || ctx->src_ok(ctx->arg, ctx->pkey, family, addr);
}

static bool is_ib_neigh_mac(const struct ipoib_ctx *ctx, const uint8_t mac[6])
{
	struct ipoib_hwaddr hw;

	return ctx->neigh &&
	       !ipoib_neigh_lookup_mac(ctx->neigh, ctx->pkey, mac, &hw);
}

/*
 * A MAC seen inside ARP/ND from Ethernet, as IB hosts must see it: unknown
 * (zero/broadcast) stays zero, an IB neighbour's derived MAC becomes that
 * neighbour, anything else is an Ethernet host behind the gateway.
 */
static void mac_to_hw(const struct ipoib_ctx *ctx, const uint8_t mac[6],
		      struct ipoib_hwaddr *hw)
{
	if (!memcmp(mac, zero_mac, 6) || !memcmp(mac, bcast_mac, 6))
		*hw = zero_hw;
	else if (!ctx->neigh ||
		 ipoib_neigh_lookup_mac(ctx->neigh, ctx->pkey, mac, hw))
		*hw = ctx->local;
}

/* An IB hardware address that may name a sender on the wire. */
static bool hw_is_sender(const struct ipoib_ctx *ctx,
			 const struct ipoib_hwaddr *hw, uint32_t src_qpn)
{
	return !ipoib_hwaddr_is_mcast(hw) && ipoib_hwaddr_qpn(hw) &&
	       !ipoib_hwaddr_same_port(hw, &ctx->local) &&
	       ipoib_hwaddr_qpn(hw) == src_qpn;
}

static drop_t learn(const struct ipoib_ctx *ctx, const struct ipoib_hwaddr *hw,
		    uint8_t mac[6])
{
	if (!ctx->neigh ||
	    ipoib_neigh_learn(ctx->neigh, ctx->pkey, hw, ctx->now, mac))
		return IPOIB_DROP_NEIGH_FULL;
	return IPOIB_OK;
}

/* --- IP headers ------------------------------------------------------- */

static drop_t ipv4_check(const struct ipoib_ctx *ctx, const uint8_t *ip,
			 uint16_t avail, uint16_t *len)
{
	uint16_t tot;

	if (avail < 20)
		return IPOIB_DROP_TRUNCATED;
	if ((ip[0] >> 4) != 4 || (ip[0] & 0x0f) < 5)
		return IPOIB_DROP_BAD_IPV4;
	tot = rd16(ip + 2);
	if (tot < (ip[0] & 0x0f) * 4)
		return IPOIB_DROP_BAD_IPV4;
	if (tot > avail)
		return IPOIB_DROP_TRUNCATED;
	if (!src_allowed(ctx, AF_INET, ip + 12))
		return IPOIB_DROP_SRC_FOREIGN;
	*len = tot;
	return IPOIB_OK;
}

static drop_t ipv6_check(const struct ipoib_ctx *ctx, const uint8_t *ip,
			 uint16_t avail, uint16_t *len)
{
	if (avail < 40)
		return IPOIB_DROP_TRUNCATED;
	if ((ip[0] >> 4) != 6)
		return IPOIB_DROP_BAD_IPV6;
	if (40 + rd16(ip + 4) > avail)
		return IPOIB_DROP_TRUNCATED;
	if (!src_allowed(ctx, AF_INET6, ip + 8))
		return IPOIB_DROP_SRC_FOREIGN;
	*len = 40 + rd16(ip + 4);
	return IPOIB_OK;
}

/* --- IPv6 neighbour discovery ----------------------------------------- */

static uint16_t nd_fixed_len(uint8_t type)
{
	switch (type) {
	case 133: /* router solicitation */
		return 8;
	case 134: /* router advertisement */
		return 16;
	case 135: /* neighbour solicitation */
	case 136: /* neighbour advertisement */
		return 24;
	case 137: /* redirect */
		return 40;
	}
	return 0;
}

static bool is_nd(const uint8_t *ip6, uint16_t l3len)
{
	return ip6[6] == IPPROTO_ICMPV6_NUM && l3len > 40 &&
	       nd_fixed_len(ip6[40]);
}

static uint16_t icmp6_csum(const uint8_t *ip6, const uint8_t *icmp,
			   uint16_t len)
{
	uint32_t sum = ipoib_l4_csum(ip6 + 8, 32, 0);

	sum += len + IPPROTO_ICMPV6_NUM;
	return ipoib_csum_fold(ipoib_l4_csum(icmp, len, sum));
}

/* Does this option carry the sender's own address (vs. a redirect's)? */
static bool nd_opt_is_own(uint8_t icmp_type, uint8_t opt_type)
{
	return opt_type == ND_OPT_SLLA || icmp_type == ND_NA;
}

struct nd_rw {
	const struct ipoib_ctx *ctx;
	const struct ipoib_rx_info *rx; /* NULL towards IB */
	uint8_t icmp_type;
	uint8_t *w; /* where the next option is written */
	uint8_t *limit;
};

static drop_t nd_opt_to_ib(struct nd_rw *rw, const uint8_t *opt, uint16_t len)
{
	struct ipoib_hwaddr hw;

	if (len != 8)
		return IPOIB_DROP_ND_MALFORMED;
	if (rw->w + 24 > rw->limit)
		return IPOIB_DROP_NO_ROOM;
	if (nd_opt_is_own(rw->icmp_type, opt[0])) {
		if (is_ib_neigh_mac(rw->ctx, opt + 2) || (opt[2] & 1))
			return IPOIB_DROP_BAD_SRC_HW;
		hw = rw->ctx->local;
	} else {
		mac_to_hw(rw->ctx, opt + 2, &hw);
	}
	rw->w[0] = opt[0];
	rw->w[1] = 3;
	rw->w[2] = 0;
	rw->w[3] = 0;
	memcpy(rw->w + 4, hw.raw, IPOIB_HWADDR_LEN);
	rw->w += 24;
	return IPOIB_OK;
}

static drop_t nd_opt_to_eth(struct nd_rw *rw, const uint8_t *opt, uint16_t len)
{
	struct ipoib_hwaddr hw;
	uint8_t mac[6];
	drop_t r;

	if (len != 24)
		return IPOIB_DROP_ND_MALFORMED;
	memcpy(hw.raw, opt + 4, IPOIB_HWADDR_LEN);
	if (ipoib_hwaddr_same_port(&hw, &rw->ctx->local))
		return IPOIB_OK; /* the gateway itself: leave the option out */
	if (ipoib_hwaddr_is_mcast(&hw) || !ipoib_hwaddr_qpn(&hw))
		return IPOIB_DROP_ND_MALFORMED;
	if (nd_opt_is_own(rw->icmp_type, opt[0]) &&
	    !hw_is_sender(rw->ctx, &hw, rw->rx->src_qpn))
		return IPOIB_DROP_BAD_SRC_HW;
	r = learn(rw->ctx, &hw, mac);
	if (r)
		return r;
	rw->w[0] = opt[0];
	rw->w[1] = 1;
	memcpy(rw->w + 2, mac, 6);
	rw->w += 8;
	return IPOIB_OK;
}

static drop_t nd_opts(struct nd_rw *rw, const uint8_t *opts, uint16_t n)
{
	uint16_t off = 0, olen;
	drop_t r;

	while (off < n) {
		if (n - off < 2 || !opts[off + 1] ||
		    opts[off + 1] * 8 > n - off)
			return IPOIB_DROP_ND_MALFORMED;
		olen = opts[off + 1] * 8;
		if (opts[off] == ND_OPT_SLLA || opts[off] == ND_OPT_TLLA) {
			r = rw->rx ? nd_opt_to_eth(rw, opts + off, olen) :
				     nd_opt_to_ib(rw, opts + off, olen);
			if (r)
				return r;
		} else {
			if (rw->w + olen > rw->limit)
				return IPOIB_DROP_NO_ROOM;
			memcpy(rw->w, opts + off, olen);
			rw->w += olen;
		}
		off += olen;
	}
	return IPOIB_OK;
}

/*
 * Rewrite the link-layer options of the ND message after IPv6 header @ip6
 * (checksum verified first), fix the payload length and checksum, and
 * return the new L3 length in *@l3len. @rx is NULL towards IB.
 */
static drop_t nd_rewrite(const struct ipoib_ctx *ctx,
			 const struct ipoib_rx_info *rx, uint8_t *ip6,
			 uint8_t *limit, uint16_t *l3len)
{
	uint8_t tmp[ND_MAX_OPTS];
	uint8_t *icmp = ip6 + 40;
	uint16_t len = rd16(ip6 + 4), fixed = nd_fixed_len(icmp[0]);
	struct nd_rw rw = { ctx, rx, icmp[0], icmp + fixed, limit };
	drop_t r;

	if (len < fixed || len - fixed > ND_MAX_OPTS ||
	    icmp6_csum(ip6, icmp, len))
		return IPOIB_DROP_ND_MALFORMED;
	memcpy(tmp, icmp + fixed, len - fixed);
	r = nd_opts(&rw, tmp, len - fixed);
	if (r)
		return r;
	len = rw.w - icmp;
	wr16(ip6 + 4, len);
	wr16(icmp + 2, 0);
	wr16(icmp + 2, icmp6_csum(ip6, icmp, len));
	*l3len = 40 + len;
	return IPOIB_OK;
}

/* --- Ethernet -> IPoIB ------------------------------------------------- */

struct eth_hdr {
	const uint8_t *dst;
	uint16_t type;
	uint16_t vid;
	uint16_t hlen;
};

static drop_t eth_parse(const struct ipoib_buf *b, struct eth_hdr *eh)
{
	if (b->len < IPOIB_ETH_HLEN)
		return IPOIB_DROP_TRUNCATED;
	eh->dst = b->data;
	eh->type = rd16(b->data + 12);
	eh->vid = 0;
	eh->hlen = IPOIB_ETH_HLEN;
	if (eh->type != ETHERTYPE_VLAN)
		return IPOIB_OK;
	if (b->len < IPOIB_VLAN_HLEN)
		return IPOIB_DROP_TRUNCATED;
	eh->vid = rd16(b->data + 14) & 0x0fff;
	eh->type = rd16(b->data + 16);
	eh->hlen = IPOIB_VLAN_HLEN;
	return IPOIB_OK;
}

static drop_t arp_to_ib(const struct ipoib_ctx *ctx, uint8_t *arp,
			uint16_t avail, uint8_t *limit, uint16_t *l3len)
{
	struct ipoib_hwaddr tha;
	uint8_t out[IPOIB_ARP_IB_LEN];
	uint16_t op;

	if (avail < IPOIB_ARP_ETH_LEN)
		return IPOIB_DROP_TRUNCATED;
	if (rd16(arp) != IPOIB_ARPHRD_ETHER)
		return IPOIB_DROP_ARP_HWTYPE;
	op = rd16(arp + 6);
	if (rd16(arp + 2) != IPOIB_ETHERTYPE_IPV4 || arp[4] != 6 ||
	    arp[5] != 4 || (op != 1 && op != 2))
		return IPOIB_DROP_ARP_MALFORMED;
	if ((arp[8] & 1) || is_ib_neigh_mac(ctx, arp + 8))
		return IPOIB_DROP_BAD_SRC_HW;
	if (!src_allowed(ctx, AF_INET, arp + 14))
		return IPOIB_DROP_SRC_FOREIGN;
	if (arp + IPOIB_ARP_IB_LEN > limit)
		return IPOIB_DROP_NO_ROOM;
	mac_to_hw(ctx, arp + 18, &tha);
	wr16(out, IPOIB_ARPHRD_INFINIBAND);
	wr16(out + 2, IPOIB_ETHERTYPE_IPV4);
	out[4] = IPOIB_HWADDR_LEN;
	out[5] = 4;
	wr16(out + 6, op);
	memcpy(out + 8, ctx->local.raw, IPOIB_HWADDR_LEN);
	memcpy(out + 28, arp + 14, 4);
	memcpy(out + 32, tha.raw, IPOIB_HWADDR_LEN);
	memcpy(out + 52, arp + 24, 4);
	memcpy(arp, out, sizeof(out));
	*l3len = IPOIB_ARP_IB_LEN;
	return IPOIB_OK;
}

static drop_t tx_dest(const struct ipoib_ctx *ctx, const struct eth_hdr *eh,
		      const uint8_t *l3, struct ipoib_tx_info *tx)
{
	struct ipoib_gid mgid;

	if (!(eh->dst[0] & 1)) {
		if (!ctx->neigh || ipoib_neigh_lookup_mac(ctx->neigh, ctx->pkey,
							  eh->dst, &tx->dst))
			return IPOIB_DROP_NEIGH_MISS;
		return IPOIB_OK;
	}
	if (eh->type == IPOIB_ETHERTYPE_IPV4 && (l3[16] & 0xf0) == 0xe0)
		ipoib_mgid_ipv4(&mgid, ctx->pkey, ctx->scope, l3 + 16);
	else if (eh->type == IPOIB_ETHERTYPE_IPV6 && l3[24] == 0xff)
		ipoib_mgid_ipv6(&mgid, ctx->pkey, ctx->scope, l3 + 24);
	else
		ipoib_mgid_bcast(&mgid, ctx->pkey, ctx->scope);
	ipoib_hwaddr_make(&tx->dst, 0, IPOIB_MCAST_QPN, &mgid);
	return IPOIB_OK;
}

static drop_t l3_to_ib(const struct ipoib_ctx *ctx, const struct eth_hdr *eh,
		       uint8_t *l3, uint16_t avail, uint8_t *limit,
		       uint16_t *l3len)
{
	drop_t r;

	switch (eh->type) {
	case IPOIB_ETHERTYPE_IPV4:
		return ipv4_check(ctx, l3, avail, l3len);
	case IPOIB_ETHERTYPE_IPV6:
		r = ipv6_check(ctx, l3, avail, l3len);
		if (r || !is_nd(l3, *l3len))
			return r;
		return nd_rewrite(ctx, NULL, l3, limit, l3len);
	case IPOIB_ETHERTYPE_ARP:
		return arp_to_ib(ctx, l3, avail, limit, l3len);
	}
	return IPOIB_DROP_ETHERTYPE;
}

static drop_t encap(const struct ipoib_ctx *ctx, struct ipoib_buf *b,
		    struct ipoib_tx_info *tx)
{
	struct eth_hdr eh;
	uint8_t *l3, *p;
	uint16_t l3len;
	drop_t r;

	r = eth_parse(b, &eh);
	if (r)
		return r;
	l3 = b->data + eh.hlen;
	r = l3_to_ib(ctx, &eh, l3, b->len - eh.hlen, buf_limit(b), &l3len);
	if (r)
		return r;
	r = tx_dest(ctx, &eh, l3, tx);
	if (r)
		return r;
	tx->vid = eh.vid;
	tx->ethertype = eh.type;
	p = l3 - IPOIB_HDR_LEN;
	ipoib_hdr_write(p, eh.type);
	b->tailroom = buf_limit(b) - (l3 + l3len);
	b->headroom += p - b->data;
	b->data = p;
	b->len = IPOIB_HDR_LEN + l3len;
	return IPOIB_OK;
}

enum ipoib_drop_reason ipoib_encap(const struct ipoib_ctx *ctx,
				   struct ipoib_buf *b,
				   struct ipoib_tx_info *tx)
{
	return ipoib_drop_count(ctx->stats, encap(ctx, b, tx));
}

/* --- UD receive -> Ethernet -------------------------------------------- */

static drop_t rx_check(const struct ipoib_ctx *ctx, const struct ipoib_buf *b,
		       const struct ipoib_rx_info *rx)
{
	struct ipoib_gid lgid;
	uint16_t pkey;
	drop_t r;

	if (b->len < IPOIB_UD_HDR_LEN)
		return IPOIB_DROP_TRUNCATED;
	if (rx->qkey != ctx->qkey)
		return IPOIB_DROP_BAD_QKEY;
	r = ipoib_pkey_match(rx->pkey, ctx->pkey);
	if (r)
		return r;
	if (ipoib_gid_is_mcast(&rx->dgid) &&
	    (ipoib_mgid_pkey(&rx->dgid, &pkey) ||
	     ((pkey | IB_PKEY_FULL_BIT) != (ctx->pkey | IB_PKEY_FULL_BIT))))
		return IPOIB_DROP_FOREIGN_MGID;
	ipoib_hwaddr_gid(&ctx->local, &lgid);
	if (rx->src_qpn == ipoib_hwaddr_qpn(&ctx->local) &&
	    !memcmp(&lgid, &rx->sgid, sizeof(lgid)))
		return IPOIB_DROP_LOOPBACK;
	return IPOIB_OK;
}

/* MAC of the packet's IB source; learned when new. */
static drop_t rx_src_mac(const struct ipoib_ctx *ctx,
			 const struct ipoib_rx_info *rx, uint8_t mac[6])
{
	struct ipoib_hwaddr hw;

	ipoib_hwaddr_make(&hw, 0, rx->src_qpn, &rx->sgid);
	if (ctx->neigh &&
	    !ipoib_neigh_lookup_hw(ctx->neigh, ctx->pkey, &hw, mac))
		return IPOIB_OK;
	return learn(ctx, &hw, mac);
}

/* Destination MAC of an IP packet from IB, by its destination address. */
static drop_t ip_dst_mac(const struct ipoib_ctx *ctx,
			 const struct ipoib_rx_info *rx, int family,
			 const uint8_t *dst, uint8_t mac[6])
{
	static const uint8_t v4mc[3] = { 0x01, 0x00, 0x5e };

	if (family == AF_INET && (dst[0] & 0xf0) == 0xe0) {
		memcpy(mac, v4mc, 3);
		mac[3] = dst[1] & 0x7f;
		memcpy(mac + 4, dst + 2, 2);
	} else if (family == AF_INET6 && dst[0] == 0xff) {
		mac[0] = 0x33;
		mac[1] = 0x33;
		memcpy(mac + 2, dst + 12, 4);
	} else if (family == AF_INET && ipoib_gid_is_mcast(&rx->dgid)) {
		memcpy(mac, bcast_mac, 6);
	} else if (!ctx->eth_resolve ||
		   ctx->eth_resolve(ctx->arg, ctx->pkey, family, dst, mac)) {
		return IPOIB_DROP_NO_ETH_DEST;
	}
	return IPOIB_OK;
}

static drop_t arp_ib_check(const struct ipoib_ctx *ctx,
			   const struct ipoib_rx_info *rx, const uint8_t *arp,
			   uint16_t avail, struct ipoib_hwaddr *sha)
{
	uint16_t op;

	if (avail < 8)
		return IPOIB_DROP_TRUNCATED;
	if (rd16(arp) != IPOIB_ARPHRD_INFINIBAND)
		return IPOIB_DROP_ARP_HWTYPE;
	op = rd16(arp + 6);
	if (rd16(arp + 2) != IPOIB_ETHERTYPE_IPV4 ||
	    arp[4] != IPOIB_HWADDR_LEN || arp[5] != 4 || (op != 1 && op != 2))
		return IPOIB_DROP_ARP_MALFORMED;
	if (avail < IPOIB_ARP_IB_LEN)
		return IPOIB_DROP_TRUNCATED;
	memcpy(sha->raw, arp + 8, IPOIB_HWADDR_LEN);
	if (!hw_is_sender(ctx, sha, rx->src_qpn))
		return IPOIB_DROP_BAD_SRC_HW;
	if (!src_allowed(ctx, AF_INET, arp + 28))
		return IPOIB_DROP_SRC_FOREIGN;
	return IPOIB_OK;
}

/* The Ethernet target MAC for an IPoIB ARP target address @tha. */
static drop_t arp_tha_mac(const struct ipoib_ctx *ctx, const uint8_t *tha,
			  const uint8_t *tpa, uint8_t mac[6])
{
	struct ipoib_hwaddr hw;

	memcpy(hw.raw, tha, IPOIB_HWADDR_LEN);
	memcpy(mac, zero_mac, 6);
	if (!memcmp(&hw, &zero_hw, sizeof(hw)))
		return IPOIB_OK;
	if (ipoib_hwaddr_same_port(&hw, &ctx->local)) {
		if (!ctx->eth_resolve ||
		    ctx->eth_resolve(ctx->arg, ctx->pkey, AF_INET, tpa, mac))
			return IPOIB_DROP_NO_ETH_DEST;
		return IPOIB_OK;
	}
	if (ctx->neigh)
		ipoib_neigh_lookup_hw(ctx->neigh, ctx->pkey, &hw, mac);
	return IPOIB_OK;
}

static drop_t arp_to_eth(const struct ipoib_ctx *ctx,
			 const struct ipoib_rx_info *rx, uint8_t *arp,
			 uint16_t avail, uint8_t smac[6], uint8_t dmac[6])
{
	struct ipoib_hwaddr sha;
	uint8_t out[IPOIB_ARP_ETH_LEN], tmac[6];
	drop_t r;

	r = arp_ib_check(ctx, rx, arp, avail, &sha);
	if (!r)
		r = learn(ctx, &sha, smac);
	if (!r)
		r = arp_tha_mac(ctx, arp + 32, arp + 52, tmac);
	if (!r && !ipoib_gid_is_mcast(&rx->dgid))
		r = ip_dst_mac(ctx, rx, AF_INET, arp + 52, dmac);
	if (r)
		return r;
	if (ipoib_gid_is_mcast(&rx->dgid))
		memcpy(dmac, bcast_mac, 6);
	wr16(out, IPOIB_ARPHRD_ETHER);
	wr16(out + 2, IPOIB_ETHERTYPE_IPV4);
	out[4] = 6;
	out[5] = 4;
	memcpy(out + 6, arp + 6, 2);
	memcpy(out + 8, smac, 6);
	memcpy(out + 14, arp + 28, 4);
	memcpy(out + 18, tmac, 6);
	memcpy(out + 24, arp + 52, 4);
	memcpy(arp, out, sizeof(out));
	return IPOIB_OK;
}

struct rx_l2 {
	uint8_t src[6];
	uint8_t dst[6];
};

static drop_t l3_to_eth(const struct ipoib_ctx *ctx,
			const struct ipoib_rx_info *rx, uint16_t type,
			uint8_t *l3, uint16_t avail, uint16_t *l3len,
			struct rx_l2 *l2)
{
	drop_t r;

	switch (type) {
	case IPOIB_ETHERTYPE_IPV4:
		r = ipv4_check(ctx, l3, avail, l3len);
		if (!r)
			r = ip_dst_mac(ctx, rx, AF_INET, l3 + 16, l2->dst);
		return r ? r : rx_src_mac(ctx, rx, l2->src);
	case IPOIB_ETHERTYPE_IPV6:
		r = ipv6_check(ctx, l3, avail, l3len);
		if (!r)
			r = ip_dst_mac(ctx, rx, AF_INET6, l3 + 24, l2->dst);
		if (!r && is_nd(l3, *l3len))
			r = nd_rewrite(ctx, rx, l3, l3 + *l3len, l3len);
		return r ? r : rx_src_mac(ctx, rx, l2->src);
	case IPOIB_ETHERTYPE_ARP:
		*l3len = IPOIB_ARP_ETH_LEN;
		return arp_to_eth(ctx, rx, l3, avail, l2->src, l2->dst);
	}
	return IPOIB_DROP_ETHERTYPE;
}

static void write_eth(const struct ipoib_ctx *ctx, struct ipoib_buf *b,
		      uint8_t *l3, uint16_t l3len, const struct rx_l2 *l2,
		      uint16_t type)
{
	uint16_t hlen = ctx->vid ? IPOIB_VLAN_HLEN : IPOIB_ETH_HLEN;
	uint8_t *p = l3 - hlen, *limit = buf_limit(b);

	memcpy(p, l2->dst, 6);
	memcpy(p + 6, l2->src, 6);
	if (ctx->vid) {
		wr16(p + 12, ETHERTYPE_VLAN);
		wr16(p + 14, ctx->vid & 0x0fff);
	}
	wr16(p + hlen - 2, type);
	b->headroom += p - b->data;
	b->data = p;
	b->len = hlen + l3len;
	b->tailroom = limit - (p + b->len);
}

static drop_t decap(const struct ipoib_ctx *ctx, struct ipoib_buf *b,
		    const struct ipoib_rx_info *rx)
{
	uint8_t *l3 = b->data + IPOIB_UD_HDR_LEN;
	struct rx_l2 l2;
	uint16_t type, l3len;
	drop_t r;

	r = rx_check(ctx, b, rx);
	if (!r)
		r = ipoib_hdr_parse(b->data + IPOIB_GRH_LEN,
				    b->len - IPOIB_GRH_LEN, &type);
	if (!r)
		r = l3_to_eth(ctx, rx, type, l3, b->len - IPOIB_UD_HDR_LEN,
			      &l3len, &l2);
	if (r)
		return r;
	write_eth(ctx, b, l3, l3len, &l2, type);
	return IPOIB_OK;
}

enum ipoib_drop_reason ipoib_decap(const struct ipoib_ctx *ctx,
				   struct ipoib_buf *b,
				   const struct ipoib_rx_info *rx)
{
	return ipoib_drop_count(ctx->stats, decap(ctx, b, rx));
}
