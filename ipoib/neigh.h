/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IPoIB neighbour table: each IB neighbour (QPN + GID) of a partition gets a
 * derived, stable, locally administered unicast MAC, so that Ethernet hosts
 * see one MAC per IB neighbour. Lookups go both ways (hardware address to
 * MAC, MAC to hardware address).
 *
 * The MAC is a hash of (partition, QPN, GID): the same neighbour gets the
 * same MAC after aging out, after a restart, and on every gateway. A MAC is
 * unique in the whole table (not only per partition), so a MAC never names
 * neighbours of two partitions; on a collision the next hash is tried.
 *
 * Bounded: when full, learning evicts the entry seen longest ago. Time is
 * whatever unit the caller uses consistently (e.g. util_now_ms()).
 * Not thread safe: one table per datapath thread, or a lock around it.
 */
#ifndef FABRIC_IPOIB_NEIGH_H
#define FABRIC_IPOIB_NEIGH_H

#include <stdint.h>

#include "ipoib/wire.h"

#define IPOIB_NEIGH_MAC_TRIES 8 /* hashes tried before -EADDRINUSE */
#define IPOIB_PKEY_ANY 0 /* for ipoib_neigh_foreach: every partition */

struct ipoib_neigh_table;

struct ipoib_neigh_entry {
	uint16_t pkey; /* 15-bit partition base, membership bit cleared */
	struct ipoib_hwaddr hw; /* flags as last learned */
	uint8_t mac[6];
	uint64_t first_seen;
	uint64_t last_seen;
};

/*
 * A MAC derivation: fill @mac for the @attempt-th try (0, 1, ...). Only
 * tests replace the default (ipoib_neigh_derive_mac), to force collisions.
 */
typedef void (*ipoib_neigh_mac_fn)(uint16_t pkey, const struct ipoib_hwaddr *hw,
				   unsigned int attempt, uint8_t mac[6]);

/*
 * ipoib_neigh_derive_mac - the default derivation: FNV-1a over the
 * partition base, QPN, GID and @attempt; the first octet has the locally
 * administered bit set and the multicast bit clear.
 */
void ipoib_neigh_derive_mac(uint16_t pkey, const struct ipoib_hwaddr *hw,
			    unsigned int attempt, uint8_t mac[6]);

/*
 * ipoib_neigh_create - a table of at most @capacity entries (1..1<<20).
 * Returns NULL and sets errno (EINVAL, ENOMEM) on failure.
 */
struct ipoib_neigh_table *ipoib_neigh_create(unsigned int capacity);

/* ipoib_neigh_destroy - free @t; NULL is accepted. */
void ipoib_neigh_destroy(struct ipoib_neigh_table *t);

/* ipoib_neigh_set_mac_fn - replace the MAC derivation; NULL restores it. */
void ipoib_neigh_set_mac_fn(struct ipoib_neigh_table *t, ipoib_neigh_mac_fn fn);

/*
 * ipoib_neigh_learn - find or add neighbour @hw of partition @pkey, mark it
 * seen at @now, update its flags, and copy its MAC to @mac (may be NULL).
 * Returns 0, -EINVAL for a multicast or zero-QPN address, -EADDRINUSE when
 * every MAC tried is taken. May evict the least recently seen entry.
 */
int ipoib_neigh_learn(struct ipoib_neigh_table *t, uint16_t pkey,
		      const struct ipoib_hwaddr *hw, uint64_t now,
		      uint8_t mac[6]);

/*
 * ipoib_neigh_lookup_hw - MAC of neighbour @hw in partition @pkey.
 * Returns 0, or -ENOENT.
 */
int ipoib_neigh_lookup_hw(const struct ipoib_neigh_table *t, uint16_t pkey,
			  const struct ipoib_hwaddr *hw, uint8_t mac[6]);

/*
 * ipoib_neigh_lookup_mac - hardware address behind @mac in partition @pkey.
 * Returns 0, or -ENOENT (also when @mac belongs to another partition).
 */
int ipoib_neigh_lookup_mac(const struct ipoib_neigh_table *t, uint16_t pkey,
			   const uint8_t mac[6], struct ipoib_hwaddr *hw);

/* ipoib_neigh_remove - forget @hw in @pkey. Returns 0 or -ENOENT. */
int ipoib_neigh_remove(struct ipoib_neigh_table *t, uint16_t pkey,
		       const struct ipoib_hwaddr *hw);

/*
 * ipoib_neigh_age - remove entries not seen for more than @max_age before
 * @now. Returns how many were removed.
 */
unsigned int ipoib_neigh_age(struct ipoib_neigh_table *t, uint64_t now,
			     uint64_t max_age);

/* ipoib_neigh_count - number of entries in @t. */
unsigned int ipoib_neigh_count(const struct ipoib_neigh_table *t);

/*
 * ipoib_neigh_foreach - call @fn for each entry of partition @pkey (or all
 * with IPOIB_PKEY_ANY), for `neigh show`; @fn must not change @t.
 */
void ipoib_neigh_foreach(const struct ipoib_neigh_table *t, uint16_t pkey,
			 void (*fn)(void *ctx,
				    const struct ipoib_neigh_entry *e),
			 void *ctx);

#endif /* FABRIC_IPOIB_NEIGH_H */
