// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricd's XDP program, attached to every AF_XDP port (eth/xdp_fast.h).
 * Known unicast between Ethernet ports of one partition is forwarded here,
 * in the kernel: the destination is looked up in the FDB map the engine
 * keeps in step with its own table, checked against the ingress port's
 * partition and membership (a limited member never reaches another), the
 * 802.1Q tag pushed or popped, and the frame redirected through the
 * devmap. Everything else goes to the engine's AF_XDP socket, as before
 * the fast path: new or moved source MACs, broadcast, multicast, unknown
 * unicast, frames whose header the engine must judge, ports without the
 * fast path. A map entry alone never lets a frame cross partitions: the
 * program checks that the destination slot is a member of the partition
 * the ingress port (or the frame's VID on a trunk) belongs to.
 *
 * Built with clang -target bpf; loaded with libbpf (a skeleton).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "eth/xdp_fast_maps.h"

#define VLAN_HLEN 4
#define VID_MASK 0x0fff
/* The largest payload the fast path forwards (a 1500-byte MTU). */
#define MAX_PAYLOAD 1500

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XF_MAX_IFS + 1); /* the last: XF_NO_XSK */
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XF_MAX_IFS);
	__type(key, __u32); /* ifindex */
	__type(value, struct xf_port);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct xf_egress);
} egress SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, XF_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_MAX_PARTS);
	__type(key, __u32);
	__type(value, struct xf_part);
} parts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32); /* VID */
	__type(value, __u32); /* partition index + 1; 0: none */
} vids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XF_FDB_SIZE);
	__type(key, struct xf_fdb_key);
	__type(value, struct xf_fdb_val);
} fdb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XF_MAX_PORTS + 1); /* the last: no slot */
	__type(key, __u32);
	__type(value, struct xf_fwd);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XF_REASON_KEYS);
	__type(key, __u32);
	__type(value, __u64);
} reasons SEC(".maps");

static __always_inline struct xf_fwd *counters_of(__u32 slot)
{
	__u32 k = slot < XF_MAX_PORTS ? slot : XF_MAX_PORTS;

	return bpf_map_lookup_elem(&counters, &k);
}

static __always_inline void count_reason(__u32 slot, enum xf_reason why)
{
	__u32 k = (slot < XF_MAX_PORTS ? slot : XF_MAX_PORTS) * XF_REASON_MAX +
		  why;
	__u64 *c = bpf_map_lookup_elem(&reasons, &k);

	if (c)
		(*c)++;
}

/* To the engine: the port's AF_XDP socket, else the kernel's stack. */
static __always_inline int slow(struct xdp_md *ctx, const struct xf_port *p,
				__u32 slot, enum xf_reason why)
{
	count_reason(slot, why);
	/* the socket is bound to queue 0 (ports have one queue) */
	if (!p || ctx->rx_queue_index)
		return XDP_PASS;
	return bpf_redirect_map(&xsks, p->xsk, XDP_PASS);
}

static __always_inline int drop(__u32 slot, enum xf_reason why)
{
	count_reason(slot, why);
	return XDP_DROP;
}

static __always_inline int is_multicast(const __u8 *mac)
{
	return mac[0] & 1;
}

static __always_inline int is_zero(const __u8 *mac)
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/* What the parse found: the partition, and whether the frame is tagged. */
struct rx {
	__u16 part;
	__u8 tagged;
};

/* Header checks the engine would make; anything odd goes to it. */
static __always_inline int parse(const struct xf_port *p, void *data, void *end,
				 struct rx *rx)
{
	struct ethhdr *eth = data;
	__be16 type;

	if ((void *)(eth + 1) > end)
		return XF_SLOW_HEADER;
	if (is_multicast(eth->h_dest))
		return XF_SLOW_MULTICAST;
	if (is_multicast(eth->h_source) || is_zero(eth->h_source))
		return XF_SLOW_HEADER;
	type = eth->h_proto;
	rx->tagged = type == bpf_htons(ETH_P_8021Q);
	if (!!rx->tagged != !!(p->flags & XF_PORT_TRUNK))
		return XF_SLOW_HEADER; /* untagged trunk, tagged access */
	if (rx->tagged) {
		__u16 *vh = data + ETH_HLEN;
		__u32 vid, *pp;
		__u16 inner;

		if ((void *)(vh + 2) > end)
			return XF_SLOW_HEADER;
		inner = bpf_ntohs(vh[1]);
		if (inner == ETH_P_8021Q || inner == ETH_P_8021AD ||
		    inner == 0x9100 || (inner > 1500 && inner < 0x0600))
			return XF_SLOW_HEADER;
		vid = bpf_ntohs(vh[0]) & VID_MASK;
		pp = bpf_map_lookup_elem(&vids, &vid);
		if (!pp || !*pp || *pp > XF_MAX_PARTS)
			return XF_SLOW_PARTITION;
		rx->part = *pp - 1;
		/* the payload after the tag, as the engine measures it */
		return data + ETH_HLEN + VLAN_HLEN + MAX_PAYLOAD < end ?
			       XF_SLOW_HEADER :
			       -1;
	}
	type = bpf_ntohs(type);
	if (type == ETH_P_8021AD || type == 0x9100 ||
	    (type > 1500 && type < 0x0600))
		return XF_SLOW_HEADER;
	rx->part = p->part;
	return data + ETH_HLEN + MAX_PAYLOAD < end ? XF_SLOW_HEADER : -1;
}

/* Look @mac up in partition @part. */
static __always_inline struct xf_fdb_val *fdb_find(const __u8 *mac, __u16 part)
{
	struct xf_fdb_key k = { .part = part };

	__builtin_memcpy(k.mac, mac, 6);
	return bpf_map_lookup_elem(&fdb, &k);
}

/* Both MAC addresses, from @from to the overlapping @to. */
static __always_inline void move_macs(void *to, const void *from)
{
	__u8 macs[12];

	__builtin_memcpy(macs, from, 12);
	__builtin_memcpy(to, macs, 12);
}

/* Tag for a trunk egress, untag for an access one; 0 or a reason. */
static __always_inline int retag(struct xdp_md *ctx, const struct rx *rx,
				 const struct xf_egress *eg,
				 const struct xf_part *pt)
{
	int out_trunk = !!(eg->flags & XF_PORT_TRUNK);
	void *data, *end;

	if (rx->tagged == out_trunk)
		return 0; /* access -> access; trunk -> trunk: one VID */
	if (out_trunk) {
		__u16 *vh;

		if (bpf_xdp_adjust_head(ctx, -VLAN_HLEN))
			return XF_DROP_NO_HEADROOM;
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		if (data + ETH_HLEN + VLAN_HLEN > end)
			return XF_DROP_NO_HEADROOM;
		move_macs(data, data + VLAN_HLEN);
		vh = data + 12;
		vh[0] = bpf_htons(ETH_P_8021Q);
		vh[1] = bpf_htons(pt->vlan & VID_MASK);
		return 0;
	}
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + ETH_HLEN + VLAN_HLEN > end)
		return XF_SLOW_HEADER;
	move_macs(data + VLAN_HLEN, data);
	if (bpf_xdp_adjust_head(ctx, VLAN_HLEN))
		return XF_SLOW_HEADER;
	return 0;
}

/*
 * Refresh the source's age at most once a second (one write per flow).
 * The coarse clock (CLOCK_MONOTONIC at the last tick): bpf_ktime_get_ns()
 * reads the clocksource on every frame, 8% of the fast path's cycles in a
 * profile here (read_tsc under a hypervisor); ageing needs seconds.
 */
static __always_inline void touch(struct xf_fdb_val *v)
{
	__u64 now = bpf_ktime_get_coarse_ns();

	if (now - v->seen_ns > 1000000000ull)
		v->seen_ns = now;
}

static __always_inline void count_fwd(__u32 in, __u32 out, __u64 len)
{
	struct xf_fwd *c = counters_of(in);

	if (c) {
		c->rx_packets++;
		c->rx_bytes += len;
	}
	c = counters_of(out);
	if (c) {
		c->tx_packets++;
		c->tx_bytes += len;
	}
}

SEC("xdp")
int fabricd_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 ifindex = ctx->ingress_ifindex, slot, out;
	struct xf_fdb_val *src, *dst;
	const struct xf_egress *eg;
	const struct xf_part *pt;
	const struct xf_port *p;
	struct ethhdr *eth = data;
	__u64 len;
	struct rx rx = { 0 };
	int why;

	p = bpf_map_lookup_elem(&ports, &ifindex);
	if (!p)
		return slow(ctx, p, XF_NO_SLOT, XF_SLOW_PORT);
	slot = p->slot;
	if (!(p->flags & XF_PORT_FAST) || slot >= XF_MAX_PORTS)
		return slow(ctx, p, slot, XF_SLOW_PORT);
	why = parse(p, data, end, &rx);
	if (why >= 0)
		return slow(ctx, p, slot, why);
	pt = bpf_map_lookup_elem(&parts, &(__u32){ rx.part });
	if (!pt || !pt->active || !(pt->members & (1ull << slot)))
		return slow(ctx, p, slot, XF_SLOW_PARTITION);
	src = fdb_find(eth->h_source, rx.part);
	if (!src || src->slot != slot)
		return slow(ctx, p, slot, XF_SLOW_SRC);
	dst = fdb_find(eth->h_dest, rx.part);
	if (!dst)
		return slow(ctx, p, slot, XF_SLOW_DST);
	out = dst->slot;
	/* the ingress partition's own members only: a map entry cannot
	 * lead elsewhere; to itself: the engine counts it */
	if (out >= XF_MAX_PORTS || out == slot ||
	    !(pt->members & (1ull << out)))
		return slow(ctx, p, slot, XF_SLOW_EGRESS);
	if ((p->flags & XF_PORT_LIMITED) && (pt->limited & (1ull << out)))
		return drop(slot, XF_DROP_ISOLATION);
	eg = bpf_map_lookup_elem(&egress, &out);
	if (!eg || !(eg->flags & XF_PORT_EGRESS))
		return slow(ctx, p, slot, XF_SLOW_EGRESS);
	touch(src);
	/* a helper, not end - data: without CAP_PERFMON (fabricd's unit) the
	 * verifier refuses pointer - pointer */
	len = bpf_xdp_get_buff_len(ctx);
	why = retag(ctx, &rx, eg, pt);
	if (why == XF_DROP_NO_HEADROOM)
		return drop(slot, why);
	if (why)
		return slow(ctx, p, slot, why);
	count_fwd(slot, out, len);
	return bpf_redirect_map(&devs, out, 0);
}

/* The slot xdp_fast_probe() redirects to (set by the loader). */
__u32 probe_slot;

/* A probe frame, run with BPF_F_TEST_XDP_LIVE_FRAMES: really sent. */
SEC("xdp")
int fabricd_probe(struct xdp_md *ctx)
{
	return bpf_redirect_map(&devs, probe_slot, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
