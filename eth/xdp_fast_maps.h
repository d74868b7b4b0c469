/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The maps shared by the XDP program (eth/xdp_fast.bpf.c) and its loader
 * (eth/xdp_fast.c): plain fixed-size types, read by both sides. Slots are
 * the engine's port slots (0..XF_MAX_PORTS-1), partitions its partition
 * indices.
 */
#ifndef ETH_XDP_FAST_MAPS_H
#define ETH_XDP_FAST_MAPS_H

#include <linux/types.h>

#define XF_MAX_PORTS 64
#define XF_MAX_PARTS 4096
#define XF_MAX_IFS 256 /* interfaces with the program attached */
#define XF_FDB_SIZE 65536

/* ports: ifindex -> what the program needs of the ingress port. */
struct xf_port {
	__u32 xsk; /* index of its AF_XDP socket in `xsks` */
	__u32 slot; /* engine slot; XF_NO_SLOT: not in the engine (yet) */
	__u16 part; /* access ports: partition index */
	__u8 flags; /* XF_PORT_* */
	__u8 pad;
};

#define XF_NO_SLOT 0xffffffffu
#define XF_NO_XSK XF_MAX_IFS /* never holds a socket: to the stack */
#define XF_PORT_FAST 0x01 /* known unicast may stay in the kernel */
#define XF_PORT_TRUNK 0x02 /* 802.1Q, partitions by VID */
#define XF_PORT_LIMITED 0x04 /* a limited member of its partition */
#define XF_PORT_EGRESS 0x08 /* XDP redirects to it arrive (probed) */

/* egress: slot -> how to send to it (the devmap holds its ifindex). */
struct xf_egress {
	__u32 ifindex;
	__u8 flags; /* XF_PORT_EGRESS | XF_PORT_TRUNK */
	__u8 pad[3];
};

/* parts: partition index -> membership; vids: VID -> partition + 1. */
struct xf_part {
	__u64 members; /* slot bitmap */
	__u64 limited; /* limited members */
	__u16 vlan; /* 0: not on trunks */
	__u8 active;
	__u8 pad[5];
};

/* fdb: (MAC, partition) -> slot; seen_ns is refreshed by the program. */
struct xf_fdb_key {
	__u8 mac[6];
	__u16 part;
};

struct xf_fdb_val {
	__u32 slot;
	__u32 pad;
	__u64 seen_ns; /* bpf_ktime_get_coarse_ns() of a frame from it, 0: none */
};

/* Why a frame went to user space or was dropped in the kernel. */
enum xf_reason {
	XF_SLOW_PORT, /* ingress port without the fast path */
	XF_SLOW_MULTICAST, /* broadcast or multicast destination */
	XF_SLOW_HEADER, /* short, odd tag, oversize, bad source: engine says */
	XF_SLOW_PARTITION, /* no (active) partition for it */
	XF_SLOW_SRC, /* source not learned on this port (learning) */
	XF_SLOW_DST, /* destination not learned (flood) */
	XF_SLOW_EGRESS, /* destination port not a fast member (or own port) */
	XF_DROP_ISOLATION, /* limited to limited: dropped in the kernel */
	XF_DROP_NO_HEADROOM, /* no room to push the tag */
	XF_REASON_MAX
};

/* counters: per CPU, per slot (XF_MAX_PORTS: no slot). */
struct xf_fwd {
	__u64 rx_packets, rx_bytes; /* forwarded in the kernel, as received */
	__u64 tx_packets, tx_bytes; /* redirected to this slot */
};

/*
 * reasons: per CPU, key slot * XF_REASON_MAX + reason (a map of its own:
 * a variable index into a map value is pointer arithmetic, which the
 * verifier refuses without CAP_PERFMON).
 */
#define XF_REASON_KEYS ((XF_MAX_PORTS + 1) * XF_REASON_MAX)

/* What xdp_fast_counters() adds up for one slot. */
struct xf_counters {
	__u64 rx_packets, rx_bytes;
	__u64 tx_packets, tx_bytes;
	__u64 reason[XF_REASON_MAX];
};

#endif /* ETH_XDP_FAST_MAPS_H */
