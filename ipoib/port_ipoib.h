/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The engine's "ipoib" port: one partition of an InfiniBand (or RoCE) port
 * as an untagged Ethernet access port, over one verbs UD QP (RFC 4391).
 *
 * Name: "DEV[:PORT].PKEY", like the kernel's child links: "mlx5_0.8001",
 * "rxe0:1.8001" (port 1 when omitted). ipoib_port_configure() sets the
 * rest before the engine opens the port.
 *
 * The kind's state (the verbs devices its ports share, the open ports, the
 * configured ones) is a struct ipoib_kind that the program creates and
 * registers with the ops: port_kind_register_priv(&ipoib_port_ops,
 * ipoib_kind_create()) (fabricd does it in fabricd/port_kinds.c); the kind's
 * own calls find it with port_kind_priv(&ipoib_port_ops).
 *
 * Zero copy (lib/port.h): receive buffers are the engine pool's
 * buffers, posted at their first byte; a UD receive (40-byte GRH + IPoIB
 * header + payload) becomes an Ethernet frame by writing the Ethernet
 * header over the GRH space. Sending encapsulates in place and posts the
 * buffer itself, so the port keeps the buffers it sends until their
 * completion (PORT_F_TX_POOL_ONLY). The pool is registered once per
 * device (ibv_reg_mr over pool_region()).
 *
 * InfiniBand: the port must hold the PKey (its index goes into the QP); the
 * broadcast group is joined through the SA (MCMemberRecord), which gives
 * the Q_Key, MLID and MTU; unicast destinations are resolved by PathRecord
 * or learned from received packets. RoCE (rxe): no SA; the broadcast MGID
 * is attached directly and addressing is by GID; the single PKey entry is
 * used and partitions are kept apart by QP, MGID and Q_Key. RoCE v2 sends
 * multicast as IPv6 multicast to the MGID; rxe does not join that IPv6
 * group itself, so the port does (a socket held while it is open).
 *
 * Multicast: only the broadcast group is joined, and every multicast frame
 * (IPv4 and IPv6 groups, ND solicitations) is sent to it; peers accept
 * them by IP destination. Groups other peers send to (IPv6 solicited-node
 * MGIDs of kernel IPoIB hosts) are not joined.
 *
 * IB unicast without a GRH gives only the sender's LID: its GID comes from
 * a LID->GID map learned from multicast receives (which carry a GRH) and
 * from PathRecords; a send to a GID without a known path asks the SA once
 * (synchronously, 100 ms timeout, negative answers kept 1 s).
 */
#ifndef FABRIC_IPOIB_PORT_IPOIB_H
#define FABRIC_IPOIB_PORT_IPOIB_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/pool.h"
#include "lib/port.h"
#include "ipoib/xlate.h"

#define IPOIB_PORT_DEV_MAX 64

/* How one ipoib port is set up; zero fields take the defaults. */
struct ipoib_port_cfg {
	char dev[IPOIB_PORT_DEV_MAX]; /* verbs device, "mlx5_0", "rxe0" */
	uint8_t port_num; /* 1 when 0 */
	uint16_t pkey; /* partition (membership bit as held) */
	uint32_t qkey; /* 0: the group's (IB) or IPOIB_DEFAULT_QKEY */
	int gid_index; /* -1 or 0 with @gid_auto: pick one */
	bool gid_auto; /* RoCE: first RoCE v2 GID that is not IPv4-mapped */
	bool create_group; /* IB: create the broadcast group if missing */
	unsigned int rx_depth; /* receives kept posted (256) */
	unsigned int tx_depth; /* sends in flight (256) */
	unsigned int ah_cache; /* address handles kept (256) */
	unsigned int neigh_size; /* IB neighbours learned (1024) */
	/*
	 * Peer links carry the partition (ipoib/port_peer.h): no
	 * IPoIB<->Ethernet translation, only fabricd's own frames
	 * (ipoib/proto.h); the port sets PORT_F_NO_FORWARD.
	 */
	bool proto_only;
	/*
	 * Join fabricd's own group of the partition (ipoib/proto.h) as well
	 * as the broadcast group: a translating port of a peer partition
	 * (its gateway's). proto_only implies it.
	 */
	bool proto_group;
};

/* Driver counters beyond enum ipoib_drop_reason, for stats and tests. */
struct ipoib_port_stats {
	uint64_t rx_packets, tx_packets;
	uint64_t rx_wc_errors; /* receive completions in error */
	uint64_t tx_wc_errors;
	uint64_t rx_no_gid; /* IB unicast from a LID of unknown GID */
	uint64_t tx_no_path; /* no path to the destination GID */
	uint64_t tx_ah_errors; /* ibv_create_ah failed */
	uint64_t tx_too_big; /* larger than the path MTU */
	uint64_t rx_no_buffer; /* pool empty: receive not reposted */
	uint64_t refreshes; /* port events handled (paths, AHs, group) */
	uint64_t rx_proto; /* fabricd frames handed to their handler */
	uint64_t tx_proto; /* fabricd frames sent (ipoib_proto_send) */
	uint64_t rx_untranslated; /* proto_only: IPoIB frames not carried */
	/* batching: tx_packets / tx_posts frames per ibv_post_send() call,
	 * rx completions / rx_polls per receive burst that found any */
	uint64_t tx_posts, rx_polls;
	struct ipoib_drop_stats drops;
};

extern const struct port_ops ipoib_port_ops;

struct ipoib_kind;

/*
 * ipoib_kind_create - empty state for the ipoib kind, to register with
 * port_kind_register_priv(). Returns NULL with errno set.
 */
struct ipoib_kind *ipoib_kind_create(void);

/* ipoib_kind_destroy - free @k, which has no open port; accepts NULL. */
void ipoib_kind_destroy(struct ipoib_kind *k);

/*
 * ipoib_port_parse_name - fill @cfg with the defaults and what @name
 * ("DEV[:PORT].PKEY") says. Returns 0 or -EINVAL.
 */
int ipoib_port_parse_name(const char *name, struct ipoib_port_cfg *cfg);

/*
 * ipoib_port_configure - use @cfg (copied) when port @name of kind state @k
 * is opened, in place of what the name alone says; NULL forgets it.
 * Returns 0, -EINVAL, -ENOSPC (too many configured ports).
 */
int ipoib_port_configure(struct ipoib_kind *k, const char *name,
			 const struct ipoib_port_cfg *cfg);

/*
 * ipoib_port_open_cfg - the configuration open port @name of @k runs
 * with, into *@cfg. Returns 0 or -ENOENT (not open).
 */
int ipoib_port_open_cfg(struct ipoib_kind *k, const char *name,
			struct ipoib_port_cfg *cfg);

/*
 * ipoib_port_rx_frame - the receive bookkeeping: @pkt's buffer holds a UD
 * receive of @byte_len bytes at its first byte; set pkt->data/len to it and
 * translate it in place (ipoib_decap). On IPOIB_OK @pkt holds the Ethernet
 * frame, its payload where the receive put it.
 */
enum ipoib_drop_reason ipoib_port_rx_frame(const struct ipoib_ctx *ctx,
					   struct pkt *pkt, uint32_t byte_len,
					   unsigned int buf_size,
					   const struct ipoib_rx_info *rx);

/*
 * ipoib_port_tx_frame - the send bookkeeping: translate the Ethernet frame
 * in @pkt (of a @buf_size buffer) in place (ipoib_encap) and fill @tx; on
 * IPOIB_OK pkt->data/len are what to post.
 */
enum ipoib_drop_reason ipoib_port_tx_frame(const struct ipoib_ctx *ctx,
					   struct pkt *pkt,
					   unsigned int buf_size,
					   struct ipoib_tx_info *tx);

/*
 * ipoib_rx_gids - source and destination GIDs of a UD receive from the 40
 * bytes in front of it: an IB GRH or RoCE v2 IPv6 header (same layout), or
 * for RoCE v2 over IPv4 the IPv4 header in its last 20 bytes (GIDs are the
 * IPv4-mapped addresses). Returns 0 or -EINVAL.
 */
int ipoib_rx_gids(const uint8_t *grh, struct ipoib_gid *sgid,
		  struct ipoib_gid *dgid);

/*
 * ipoib_port_send_raw - ipoib_proto_send() (ipoib/proto.h) without its
 * argument checks: write the IPoIB header for @ethertype in front of each
 * frame and post it on the QP of the open port of partition @pkey.
 */
int ipoib_port_send_raw(struct ipoib_kind *k, uint16_t pkey, uint16_t ethertype,
			struct pkt **pkts, const struct ipoib_hwaddr *dst,
			unsigned int n);

/* ipoib_port_raw_info - ipoib_proto_mtu() (ipoib/proto.h). */
int ipoib_port_raw_info(struct ipoib_kind *k, uint16_t pkey,
			struct ipoib_hwaddr *local);

struct ipoib_proto_verbs;

/* ipoib_port_verbs_get/_put/_gen - ipoib_proto_verbs_*() (ipoib/proto.h). */
int ipoib_port_verbs_get(struct ipoib_kind *k, uint16_t pkey,
			 struct ipoib_proto_verbs *v);
void ipoib_port_verbs_put(struct ipoib_kind *k, void *dev);
int64_t ipoib_port_verbs_gen(struct ipoib_kind *k, uint16_t pkey);

#define IPOIB_PEER_GW_MAX 8

/*
 * ipoib_port_set_peer_gws - the QPs (@n of them, at most
 * IPOIB_PEER_GW_MAX) of the other gateways of partition @pkey's HA group:
 * the port of that partition drops every IPoIB frame they send
 * (IPOIB_DROP_PEER_GATEWAY), since it came from the Ethernet segment that
 * this gateway serves too; fabricd's own frames (ipoib/proto.h) still
 * reach their handler. Returns 0 or -ENODEV (no open port of @pkey).
 */
int ipoib_port_set_peer_gws(struct ipoib_kind *k, uint16_t pkey,
			    const struct ipoib_hwaddr *gws, unsigned int n);

/*
 * ipoib_port_neigh_add - learn the @n IB neighbours @hws in partition
 * @pkey's port as if they had sent (another gateway of the HA group passed
 * them on), so that this gateway translates for them at once when it
 * becomes master. On RoCE it also has their address handles made on a
 * helper thread (ipoib/ah_prep.h) and put into its AH cache: the first
 * frames of a new master do not wait in the kernel's address resolution.
 * Returns how many were learned, or -ENODEV.
 */
int ipoib_port_neigh_add(struct ipoib_kind *k, uint16_t pkey,
			 const struct ipoib_hwaddr *hws, unsigned int n);

/* What ipoib_port_foreach shows of one open port. */
struct ipoib_port_view {
	const char *name;
	uint16_t pkey;
	uint32_t qkey;
	bool roce;
	struct ipoib_hwaddr local; /* our QPN + GID */
	uint16_t mlid;
	unsigned int mtu; /* payload bytes the port carries */
	const struct ipoib_neigh_table *neigh;
	const struct ipoib_port_stats *stats;
};

/*
 * ipoib_port_foreach - call @fn for each port of @k that is open, with the
 * port locked (the datapath waits): @fn must be quick and must not keep
 * pointers. For `neigh show` and stats.
 */
void ipoib_port_foreach(struct ipoib_kind *k,
			void (*fn)(void *arg, const struct ipoib_port_view *v),
			void *arg);

#endif /* FABRIC_IPOIB_PORT_IPOIB_H */
