/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The engine's "peer" port: one per partition with `peer: true`, the
 * partition's link to the other fabricds that serve it, so that the
 * partition is one Ethernet broadcast domain across hypervisors.
 *
 * Name: "peer.PKEY" ("peer.9001"). It rides on the open ipoib port of the
 * same partition (ipoib/proto.h): until that port is open the peer port
 * does not open (-EAGAIN; the engine retries).
 *
 * Wire: an IPoIB-framed UD message of ethertype IPOIB_PROTO_PEER (0x88B5)
 * sent with the partition's PKey and Q_Key, holding a 4-byte peer header
 * (version 1, type, 2 reserved bytes) and, for type 1, the Ethernet frame
 * whole: MACs, VLAN tag and priority as the engine sent it.
 *
 *   | GRH (40) | IPoIB hdr 88b5 0000 | 01 01 0000 | Ethernet frame ... |
 *   | GRH (40) | IPoIB hdr 88b5 0000 | 01 02 0000 |   (hello)
 *   | GRH (40) | IPoIB hdr 88b5 0000 | 01 03 0000 | MAC | MAC ... |
 *   | GRH (40) | IPoIB hdr 88b5 0000 | 01 04 0000 | MAC | MAC ... |
 *
 * VM moves: a MAC that the engine learns on a local port (new, or moved
 * there: a VM that came from another hypervisor, its first frame) is
 * announced to the group (type 3, "behind me now"; sent at once and
 * again with the next hello), so every peer moves it to this one at once,
 * whatever that frame was (a unicast reaches one peer only). The MACs of
 * a local port that goes (removed, or its interface gone) are withdrawn
 * (type 4, "no longer behind me"): a peer forgets each that it has
 * behind the sender, and floods to it until it shows up elsewhere. A peer
 * that receives an announcement also moves the MAC to its peer port in
 * the engine's table (peer_kind_set_learn()), so a stale local entry (the
 * VM's old vNIC, still attached) is left at once.
 *
 * Liveness: every peer port sends a hello to the group every
 * PEER_HELLO_MS; a peer heard from neither by frame nor by hello for
 * PEER_DEAD_MS is gone, and every MAC learned behind it is withdrawn
 * (frames to them are flooded until they show up elsewhere).
 *
 * Where to: a frame to a unicast MAC learned from a peer goes to that
 * peer over its RC connection when one is up (ipoib/peer_rc.h: made on the
 * first unicast, through connect request and accept, types 5 and 6), else
 * to the peer's UD QP (QPN + GID); broadcast, multicast and unknown unicast
 * go to the partition's group: fabricd's own, ff12:88b5:PKEY::88b5:1
 * (ipoib/proto.h). Over RC a TSO super-frame crosses whole with its
 * offload state (type 7): the port's tx_offloads tells the engine, per
 * frame, TSO4/TSO6/ECN/CSUM for a destination over RC and nothing for the
 * rest, so the engine segments only for UD (eth/vnet.h); max_payload is
 * the UD MTU less the three headers. FABRICD_PEER_RC=0: UD only.
 *
 * Limits: PEER_MAX_PEERS peers and RC connections per partition,
 * PEER_PART_MACS remote MACs (PEER_PEER_MACS behind one peer), one shared
 * receive queue of PEER_RC_BUFS buffers of PEER_RC_BUF_SIZE bytes per
 * port, PEER_RC_SQ_DEPTH sends in flight per connection.
 *
 * Receive: the sender's source MAC is learned for the sending peer
 * (ipoib/peer_table.h: bounded per peer and per partition, aging), the
 * frame is queued for the engine, which reads it from the port like any
 * other (its fd is an epoll fd over an eventfd, readable while frames
 * wait, and a timerfd that makes it readable every second for aging).
 *
 * Aging: remote MACs not heard of are forgotten after
 * PEER_AGING_MS_DEFAULT, or FABRICD_PEER_AGING_MS from the environment.
 */
#ifndef FABRIC_IPOIB_PORT_PEER_H
#define FABRIC_IPOIB_PORT_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "ipoib/peer_table.h"
#include "lib/port.h"

#define PEER_HDR_LEN 4
#define PEER_VERSION 1
#define PEER_TYPE_FRAME 1 /* an Ethernet frame follows */
#define PEER_TYPE_HELLO 2 /* nothing follows: "I am here" */
#define PEER_TYPE_ANNOUNCE 3 /* MACs follow: "behind me now" */
#define PEER_TYPE_WITHDRAW 4 /* MACs follow: "no longer behind me" */
#define PEER_HELLO_MS 1000
#define PEER_DEAD_MS 4000
#define PEER_AGING_MS_DEFAULT (300 * 1000)
#define PEER_MAX_PEERS 256 /* fabricds heard in one partition */
#define PEER_PART_MACS 4096 /* remote MACs learned in one partition */
#define PEER_PEER_MACS 1024 /* remote MACs behind one peer */

extern const struct port_ops peer_port_ops;

struct peer_kind;
struct ipoib_kind;
struct peer_rc;

/*
 * peer_kind_create - state for the peer kind, riding on the ipoib kind's
 * @ipoib; register it with port_kind_register_priv(). NULL with errno.
 */
struct peer_kind *peer_kind_create(struct ipoib_kind *ipoib);

/* peer_kind_destroy - free @k, which has no open port; accepts NULL. */
void peer_kind_destroy(struct peer_kind *k);

/*
 * peer_port_name - "peer.PKEY" of partition @pkey (its 15-bit base) into
 * @buf. Returns 0 or -ENAMETOOLONG.
 */
int peer_port_name(uint16_t pkey, char *buf, size_t len);

/*
 * peer_hdr_parse - check the peer header at @p (@len bytes: the header,
 * and for a frame an Ethernet header too); its type into *@type. Returns 0
 * or PEER_DROP_RUNT / PEER_DROP_BAD_HEADER.
 */
int peer_hdr_parse(const uint8_t *p, uint32_t len, uint8_t *type);

/* peer_hdr_write - the 4-byte header of a message of @type at @p. */
void peer_hdr_write(uint8_t *p, uint8_t type);

/*
 * peer_port_announce - MAC @mac is behind us now (learned on a local port
 * of the partition of peer port @p), or, with @withdraw, no longer (its
 * port went): tell the peers, from @p's next receive call (its fd wakes).
 * Forgets @mac in @p's own table. Returns 0, -ENOBUFS (too many waiting,
 * counted) or -EINVAL (not an open peer port).
 */
int peer_port_announce(struct port *p, const uint8_t mac[6], bool withdraw);

/*
 * peer_kind_set_learn - @fn(@arg, port, mac) for each MAC a peer
 * announced, from that peer port's rx_burst (the engine moves the MAC to
 * the port). NULL: none.
 */
void peer_kind_set_learn(struct peer_kind *k,
			 void (*fn)(void *arg, const struct port *p,
				    const uint8_t mac[6]),
			 void *arg);

/*
 * What a peer port counts of its announcements: MACs @announced and
 * @withdrawn to the peers (repeats too); @ann_dropped, ours not announced
 * (256 were waiting to be sent); @moved_dropped, MACs peers announced that
 * were not moved to the peer port in the engine's table (256 were waiting
 * for the engine): frames to them follow the old entry until it moves or
 * ages; @repeats_cancelled, our repeats (with the next hello) not sent
 * because a peer announced the MAC after us.
 */
struct peer_ann_stats {
	uint64_t announced, withdrawn, ann_dropped, moved_dropped;
	uint64_t repeats_cancelled;
};

/*
 * peer_port_ann_stats - peer port @p's announcement counters into *@st.
 * Returns 0 or -EINVAL (not an open peer port).
 */
int peer_port_ann_stats(struct port *p, struct peer_ann_stats *st);

/* What peer_kind_foreach shows of one open peer port, locked. */
struct peer_port_view {
	const char *name;
	uint16_t pkey;
	struct ipoib_hwaddr local; /* the ipoib port's QPN + GID */
	unsigned int mtu; /* UD payload bytes */
	uint64_t now;
	const struct peer_table *table;
	const struct peer_counters *part; /* drops without a peer */
	uint64_t tx_flood, tx_unicast, tx_no_port;
	struct peer_ann_stats ann; /* the port's own announcements */
	const struct peer_rc *rc; /* its connections (peer_rc.h), or NULL */
};

/*
 * peer_kind_foreach - call @fn for each open peer port of @k with the port
 * locked (the datapath waits): be quick, keep no pointers.
 */
void peer_kind_foreach(struct peer_kind *k,
		       void (*fn)(void *arg, const struct peer_port_view *v),
		       void *arg);

/*
 * peer_kind_mac_peer - the peer that port @port_name of @k has learned @mac
 * behind, copied into *@out. Returns 0 or -ENOENT.
 */
int peer_kind_mac_peer(struct peer_kind *k, const char *port_name,
		       const uint8_t mac[6], struct peer_info *out);

#endif /* FABRIC_IPOIB_PORT_PEER_H */
