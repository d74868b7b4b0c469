/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Address handles made ahead of need, on a helper thread of their own.
 *
 * On RoCE, ibv_create_ah() has the kernel resolve the destination GID's
 * MAC through the IP neighbour table (ND for an IPv6 GID) and waits for it
 * inside the system call: up to 2 s, and in a veth testbed about 1 s even
 * when the answer came at once (the kernel's address request misses the
 * neighbour event that arrived while the solicitation was being sent).
 * A forwarding thread must not wait there; a backup gateway therefore has
 * the handles of the IB neighbours its master passed on made here, before
 * it takes over, and collects them into its AH cache.
 *
 * The owner (one ipoib port) calls request and collect from one thread;
 * the helper only creates handles. Not for the datapath's misses: a frame
 * cannot wait for the helper.
 */
#ifndef FABRIC_IPOIB_AH_PREP_H
#define FABRIC_IPOIB_AH_PREP_H

#include <infiniband/verbs.h>

#include "ipoib/ah_cache.h"

#define IPOIB_AH_PREP_MAX 256 /* handles asked for and not collected */

struct ipoib_ah_prep;

/*
 * ipoib_ah_prep_create - a helper making handles on @pd. Returns NULL and
 * sets errno (ENOMEM, or the error of pthread_create).
 */
struct ipoib_ah_prep *ipoib_ah_prep_create(struct ibv_pd *pd);

/*
 * ipoib_ah_prep_destroy - stop the helper (waits for the handle it is
 * making, up to the kernel's resolution time-out), destroy the handles not
 * collected, free. Accepts NULL.
 */
void ipoib_ah_prep_destroy(struct ipoib_ah_prep *p);

/*
 * ipoib_ah_prep_request - have the handle @attr made for @key. Returns 0
 * (queued, or already queued, being made or made), -ENOSPC when
 * IPOIB_AH_PREP_MAX are outstanding.
 */
int ipoib_ah_prep_request(struct ipoib_ah_prep *p,
			  const struct ipoib_ah_key *key,
			  const struct ibv_ah_attr *attr);

/* What collect hands over: the owner now owns @ah. */
typedef void (*ipoib_ah_prep_fn)(void *arg, const struct ipoib_ah_key *key,
				 struct ibv_ah *ah);

/*
 * ipoib_ah_prep_collect - call @fn for each handle made since the last
 * call (without the helper's lock held). Returns how many.
 */
unsigned int ipoib_ah_prep_collect(struct ipoib_ah_prep *p, ipoib_ah_prep_fn fn,
				   void *arg);

/* Counters: handles made, failed, and the longest creation in ms. */
struct ipoib_ah_prep_stats {
	uint64_t made, failed;
	uint64_t max_ms;
};

void ipoib_ah_prep_stats(struct ipoib_ah_prep *p,
			 struct ipoib_ah_prep_stats *st);

#endif /* FABRIC_IPOIB_AH_PREP_H */
