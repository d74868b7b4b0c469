/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabricd's own protocols over a partition's IPoIB UD QP.
 *
 * fabricd instances talk to each other inside a partition with IPoIB-framed
 * UD messages (RFC 4391 header: ethertype + 16 reserved bits) whose
 * ethertype is an IEEE 802 local-experimental one: IPOIB_PROTO_PEER (peer
 * links, a distributed switch) and IPOIB_PROTO_HA (gateway HA). They ride on
 * the ipoib port of the partition (ipoib/port_ipoib.h): sent with its PKey
 * and Q_Key, so the HCA keeps them inside the partition. Kernel IPoIB hosts
 * drop these ethertypes, as they should.
 *
 * Receive: the ipoib port hands every frame whose ethertype has a
 * registered handler to that handler instead of translating it to
 * Ethernet; frames of an ethertype without a handler are dropped as
 * before (IPOIB_DROP_ETHERTYPE), our own multicast coming back as
 * IPOIB_DROP_LOOPBACK.
 *
 * Send: ipoib_proto_send() puts frames out on the QP of the open ipoib
 * port of a partition, to the partition's group (every fabricd and IPoIB
 * host of the partition) or to one QP (a sender's address from
 * struct ipoib_proto_rx).
 *
 * Group: an ipoib port that carries peer links (proto_only or
 * proto_group, see ipoib/port_ipoib.h) joins fabricd's own group of the
 * partition,
 * ff12:88b5:PKEY::88b5:1 (ipoib_mgid_proto(), joined as the broadcast group is:
 * SA join, created if missing, on IB; attached on RoCE), so kernel IPoIB
 * hosts never see these frames; other ipoib ports use the partition's
 * broadcast group ff12:401b:PKEY::ffff:ffff (and so do such ports whose
 * join failed, logged). Every multicast destination of fabricd's frames
 * goes to that one group.
 */
#ifndef FABRIC_IPOIB_PROTO_H
#define FABRIC_IPOIB_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "ipoib/wire.h"
#include "lib/pool.h"

#define IPOIB_PROTO_PEER 0x88b5 /* peer links between fabricds */
#define IPOIB_PROTO_HA 0x88b6 /* gateway high availability */
#define IPOIB_PROTO_MAX 8 /* ethertypes registered at once */

struct ipoib_kind;

/* A received frame of one of fabricd's protocols: who sent it, where. */
struct ipoib_proto_rx {
	const char *port; /* the receiving ipoib port, "rxe0.9001" */
	uint16_t pkey; /* the partition's PKey as that port holds it */
	uint16_t ethertype;
	struct ipoib_hwaddr src; /* the sender's QPN + GID: reply there */
	uint16_t slid; /* IB: the sender's LID; RoCE: 0 */
	bool mcast; /* sent to a multicast group, not to our QP */
	uint64_t now; /* the receive burst's util_now_ms(): one clock read */
};

struct ipoib_proto_ops {
	const char *name; /* for logs: "peer", "ha" */
	/*
	 * rx - a frame for the protocol: its payload (what follows the IPoIB
	 * header) at @pkt->data, @pkt->len bytes, with at least
	 * IPOIB_UD_HDR_LEN bytes of headroom. @pkt is the handler's now:
	 * keep it or pool_free() it. Called on the engine's forwarding
	 * thread with the ipoib port locked: be quick, and never call
	 * ipoib_proto_send() from here (queue, then send from your own port
	 * or thread).
	 */
	void (*rx)(void *arg, const struct ipoib_proto_rx *rx, struct pkt *pkt);
};

/*
 * ipoib_proto_register - frames of @ethertype go to @ops->rx(@arg, ...).
 * @ops and @arg must stay valid until ipoib_proto_unregister(). Returns 0,
 * -EINVAL (NULL ops, or IPv4/ARP/IPv6, which are IPoIB's own), -EEXIST
 * (registered already) or -ENOSPC.
 */
int ipoib_proto_register(uint16_t ethertype, const struct ipoib_proto_ops *ops,
			 void *arg);

/*
 * ipoib_proto_unregister - stop handing @ethertype to its handler; when it
 * returns no call of the handler runs any more. Unknown: nothing.
 */
void ipoib_proto_unregister(uint16_t ethertype);

/* ipoib_proto_registered - whether @ethertype has a handler now. */
bool ipoib_proto_registered(uint16_t ethertype);

/*
 * ipoib_proto_deliver - for the ipoib port's receive path: give @pkt
 * (payload at @pkt->data) to the handler of @rx->ethertype. Returns true
 * when a handler took it, false when there is none (@pkt is still the
 * caller's).
 */
bool ipoib_proto_deliver(const struct ipoib_proto_rx *rx, struct pkt *pkt);

/* ipoib_proto_group - set @dst to "the partition's group". */
void ipoib_proto_group(struct ipoib_hwaddr *dst);

/*
 * ipoib_proto_send - send @n frames of @ethertype into partition @pkey
 * (the 15-bit base decides; the membership bit is ignored) from the ipoib
 * port of kind state @k that serves it. Frame i goes to @dst[i]: a QP's
 * address (QPN + GID, as struct ipoib_proto_rx's src) or the group
 * (ipoib_proto_group()). Each frame is the payload at @pkts[i]->data: a
 * buffer of the engine's pool (the one the port was opened with, it is
 * registered with the device) with at least IPOIB_HDR_LEN bytes of
 * headroom, where the IPoIB header is written.
 *
 * Frames taken (the first @return) are the port's: it frees them when the
 * send completes, or at once when it drops one (longer than the UD MTU,
 * see ipoib_proto_mtu(); no path; counted in the port's stats). The rest
 * (the send queue is full) stay the caller's. Returns how many were taken,
 * or -ENODEV (no open ipoib port of that partition), -EINVAL.
 */
int ipoib_proto_send(struct ipoib_kind *k, uint16_t pkey, uint16_t ethertype,
		     struct pkt **pkts, const struct ipoib_hwaddr *dst,
		     unsigned int n);

/*
 * ipoib_proto_mtu - the largest payload one frame of partition @pkey
 * carries (the UD MTU less the IPoIB header, or what the pool's receive
 * buffers hold after GRH and IPoIB header if that is less), and the port's
 * address (QPN + GID) in *@local when not NULL. Returns it, or -ENODEV.
 */
int ipoib_proto_mtu(struct ipoib_kind *k, uint16_t pkey,
		    struct ipoib_hwaddr *local);

/*
 * What a connection of fabricd's own (an RC QP of the peer links,
 * ipoib/peer_rc.h) needs of the partition's ipoib port: its device,
 * protection domain and port, the partition's PKey index (an RC QP made on
 * it carries the partition's PKey: the HCA keeps it inside), the GID
 * index, and the keys of the registered pools (the engine's and its big
 * pool: frames sent from them need no copy).
 *
 * @gen changes each time an ipoib port opens: a holder whose @gen is no
 * longer ipoib_proto_verbs_gen()'s drops what it made on the old port
 * (its PKey index or GID may have changed) and gets the device again.
 */
struct ibv_context;
struct ibv_pd;

struct ipoib_proto_verbs {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	uint8_t port_num;
	uint16_t pkey_index;
	uint8_t sgid_index;
	bool roce; /* RoCE: address by GID (GRH); IB: by LID */
	uint16_t lid; /* IB: ours */
	uint8_t path_mtu; /* enum ibv_mtu of the port's active MTU */
	struct ipoib_hwaddr local; /* the ipoib port's QPN + GID */
	const struct pool *pool, *big; /* registered: big NULL if none */
	uint32_t lkey, big_lkey;
	uint32_t gen;
	void *dev; /* the device reference: for ipoib_proto_verbs_put() */
};

/*
 * ipoib_proto_verbs_get - fill *@v for the open ipoib port of partition
 * @pkey and take a reference on its device: the context, PD and memory
 * registrations stay valid until ipoib_proto_verbs_put(), even when that
 * port closes. Returns 0, -ENODEV (no open ipoib port) or -EINVAL.
 */
int ipoib_proto_verbs_get(struct ipoib_kind *k, uint16_t pkey,
			  struct ipoib_proto_verbs *v);

/* ipoib_proto_verbs_put - drop the reference of *@v; accepts one never got. */
void ipoib_proto_verbs_put(struct ipoib_kind *k, struct ipoib_proto_verbs *v);

/*
 * ipoib_proto_verbs_gen - the generation of the open ipoib port of @pkey
 * (compare with ipoib_proto_verbs.gen), or -ENODEV when none is open.
 */
int64_t ipoib_proto_verbs_gen(struct ipoib_kind *k, uint16_t pkey);

#endif /* FABRIC_IPOIB_PROTO_H */
