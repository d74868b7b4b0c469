/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A bounded cache of address handles, keyed by destination (LID or GID)
 * and service level. Creating an AH is a system call that may resolve an
 * address (RoCE: neighbour discovery), so the datapath keeps the handles it
 * uses; the least recently used one goes when the cache is full.
 *
 * An AH must outlive every send that names it. The cache therefore counts
 * in "send sequence numbers" chosen by the caller: each use records the
 * sequence of the send, an evicted handle whose last send has not completed
 * yet waits on a retire list, and ipoib_ah_cache_reap() frees it once the
 * caller reports that sends up to that number are done.
 *
 * The handles are opaque (void *): the cache calls @free_fn to destroy one,
 * so it works without verbs in unit tests. Not thread safe.
 */
#ifndef FABRIC_IPOIB_AH_CACHE_H
#define FABRIC_IPOIB_AH_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "ipoib/wire.h"

#define IPOIB_AH_CACHE_MAX (1u << 16)

/* Where a UD send goes: what an AH is made of. */
struct ipoib_ah_key {
	uint16_t dlid; /* 0 on RoCE; the MLID for multicast on IB */
	uint8_t sl;
	uint8_t global; /* 1: a GRH with @dgid goes on the wire */
	struct ipoib_gid dgid; /* zero unless @global */
};

struct ipoib_ah_cache;

/* Destroys one handle the cache owns; @arg is ipoib_ah_cache_create's. */
typedef void (*ipoib_ah_free_fn)(void *arg, void *ah);

/*
 * ipoib_ah_cache_create - an empty cache of at most @capacity handles
 * (1..IPOIB_AH_CACHE_MAX). Returns NULL with errno EINVAL or ENOMEM.
 */
struct ipoib_ah_cache *ipoib_ah_cache_create(unsigned int capacity,
					     ipoib_ah_free_fn free_fn,
					     void *arg);

/*
 * ipoib_ah_cache_destroy - free every handle (cached or retired) and the
 * cache; the caller must have no send outstanding. Accepts NULL.
 */
void ipoib_ah_cache_destroy(struct ipoib_ah_cache *c);

/*
 * ipoib_ah_cache_get - the handle for @key, marked as used by send @seq and
 * made most recently used; NULL when not cached.
 */
void *ipoib_ah_cache_get(struct ipoib_ah_cache *c,
			 const struct ipoib_ah_key *key, uint64_t seq);

/* ipoib_ah_cache_has - whether @key is cached (not counted, not moved). */
bool ipoib_ah_cache_has(const struct ipoib_ah_cache *c,
			const struct ipoib_ah_key *key);

/*
 * ipoib_ah_cache_put - cache @ah for @key, used by send @seq. When the
 * cache is full the least recently used handle is evicted: destroyed at
 * once if its last send is done (<= the last reaped sequence), else
 * retired. Returns 0, or -EEXIST when @key is cached already (the caller
 * still owns @ah).
 */
int ipoib_ah_cache_put(struct ipoib_ah_cache *c, const struct ipoib_ah_key *key,
		       void *ah, uint64_t seq);

/*
 * ipoib_ah_cache_reap - every send up to @done_seq has completed: destroy
 * the retired handles no longer in use. Returns how many were destroyed.
 */
unsigned int ipoib_ah_cache_reap(struct ipoib_ah_cache *c, uint64_t done_seq);

/*
 * ipoib_ah_cache_flush - evict every handle (a path or the port changed);
 * in-use ones are retired as on eviction.
 */
void ipoib_ah_cache_flush(struct ipoib_ah_cache *c);

/* Counters, for stats and tests. */
struct ipoib_ah_cache_stats {
	unsigned int cached; /* handles in the cache */
	unsigned int retired; /* evicted, waiting for their sends */
	uint64_t hits, misses, evictions;
};

/* ipoib_ah_cache_stats - fill @st. */
void ipoib_ah_cache_stats(const struct ipoib_ah_cache *c,
			  struct ipoib_ah_cache_stats *st);

#endif /* FABRIC_IPOIB_AH_CACHE_H */
