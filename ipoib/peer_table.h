/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The peer port's state for one partition (ipoib/port_peer.h): the other
 * fabricds heard in it (peers, by QPN + GID) and the remote MAC addresses
 * learned from their frames, each pointing to its peer, with aging.
 *
 * Bounded: at most @max_peers peers and @max_macs MACs (the partition's
 * limit: every partition has its own table, so one partition cannot evict
 * another's entries), at most @peer_macs of them behind one peer. A MAC
 * that does not fit is not learned (frames to it are flooded to the
 * partition's group) and the refusal is counted on the peer; live entries
 * are never evicted to make room.
 *
 * No locking and no I/O: the caller serialises.
 */
#ifndef FABRIC_IPOIB_PEER_TABLE_H
#define FABRIC_IPOIB_PEER_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ipoib/wire.h"

/* Why the peer port dropped or did not learn. Names: peer_drop_name(). */
enum peer_drop {
	PEER_DROP_RUNT, /* shorter than a peer header and an Ethernet header */
	PEER_DROP_BAD_HEADER, /* unknown version or type */
	PEER_DROP_BAD_SRC, /* multicast or zero source MAC */
	PEER_DROP_QUEUE_FULL, /* the engine did not keep up */
	PEER_DROP_PEER_LIMIT, /* MAC not learned: the peer's limit */
	PEER_DROP_PART_LIMIT, /* MAC not learned: the partition's limit */
	PEER_DROP_NO_ROOM, /* not enough headroom to encapsulate */
	PEER_DROP_MAX
};

/* Counters of one peer (or, for what has no peer, of the partition). */
struct peer_counters {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes; /* unicast to it */
	uint64_t hellos; /* its hellos received */
	/* over its RC connection (ipoib/peer_rc.h), also in the above */
	uint64_t rc_rx_packets, rc_rx_bytes, rc_rx_whole;
	uint64_t rc_tx_packets, rc_tx_bytes, rc_tx_whole; /* whole: GSO */
	uint64_t announced, withdrawn; /* MACs it announced / withdrew */
	uint64_t drops[PEER_DROP_MAX];
};

struct peer_info {
	struct ipoib_hwaddr addr; /* its QPN + GID */
	uint16_t lid; /* IB: its LID; RoCE: 0 */
	uint64_t first_seen, last_seen; /* ms */
	unsigned int macs; /* learned behind it now */
	struct peer_counters c;
};

struct peer_table;

/*
 * peer_table_create - an empty table for @max_peers peers and @max_macs
 * MACs, @peer_macs of them per peer (0: @max_macs). NULL with errno set.
 */
struct peer_table *peer_table_create(unsigned int max_peers,
				     unsigned int max_macs,
				     unsigned int peer_macs);

/* peer_table_destroy - free @t; accepts NULL. */
void peer_table_destroy(struct peer_table *t);

/*
 * peer_table_peer - the peer at @addr, heard at @now (added if new and
 * @add). Returns NULL when unknown (and not added) or the table is full.
 */
struct peer_info *peer_table_peer(struct peer_table *t,
				  const struct ipoib_hwaddr *addr, uint16_t lid,
				  bool add, uint64_t now);

/* peer_table_find - the peer at @addr, or NULL; not "heard" (no refresh). */
struct peer_info *peer_table_find(struct peer_table *t,
				  const struct ipoib_hwaddr *addr);

/*
 * peer_table_learn - @mac is behind peer @p (of this table) at @now: learn,
 * refresh or move it. Returns 0, or PEER_DROP_PEER_LIMIT /
 * PEER_DROP_PART_LIMIT when it did not fit (counted on @p), or
 * PEER_DROP_BAD_SRC for a multicast or zero MAC.
 */
int peer_table_learn(struct peer_table *t, const uint8_t mac[6],
		     struct peer_info *p, uint64_t now);

/* peer_table_lookup - the peer @mac is behind, or NULL. */
struct peer_info *peer_table_lookup(struct peer_table *t, const uint8_t mac[6]);

/*
 * peer_table_forget_mac - forget @mac (it showed up on a local port).
 * Returns true when it was known.
 */
bool peer_table_forget_mac(struct peer_table *t, const uint8_t mac[6]);

/*
 * peer_table_age - forget MACs not heard of for @max_age_ms, and peers not
 * heard from (frames or hellos) for @dead_ms with every MAC behind them
 * (withdrawn: the peer is gone). Returns how many MACs went.
 */
unsigned int peer_table_age(struct peer_table *t, uint64_t now,
			    uint64_t max_age_ms, uint64_t dead_ms);

/* peer_table_flush - forget every MAC and peer. */
void peer_table_flush(struct peer_table *t);

/* peer_table_macs - MACs learned now. */
unsigned int peer_table_macs(const struct peer_table *t);

/* What peer_table_foreach_mac shows of one entry. */
struct peer_mac_view {
	uint8_t mac[6];
	const struct peer_info *peer;
	uint64_t age_ms;
};

/* peer_table_foreach_peer - call @fn for each peer. */
void peer_table_foreach_peer(const struct peer_table *t,
			     void (*fn)(void *arg, const struct peer_info *p),
			     void *arg);

/* peer_table_foreach_mac - call @fn for each MAC, with its age at @now. */
void peer_table_foreach_mac(const struct peer_table *t, uint64_t now,
			    void (*fn)(void *arg,
				       const struct peer_mac_view *v),
			    void *arg);

/* peer_drop_name - stable key of @d ("peer_limit"), "?" if bad. */
const char *peer_drop_name(enum peer_drop d);

#endif /* FABRIC_IPOIB_PEER_TABLE_H */
