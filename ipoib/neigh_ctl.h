/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control command behind `fabricctl neigh show`: the IB neighbours
 * every open ipoib port has learned (hardware address and the MAC that
 * Ethernet hosts see for it), per partition.
 */
#ifndef FABRIC_IPOIB_NEIGH_CTL_H
#define FABRIC_IPOIB_NEIGH_CTL_H

#include <stdint.h>

#include <jansson.h>

struct ctl_server;

/*
 * Maps a partition name to its PKey (0 or -ENOENT) and back (the name, or
 * NULL); both run in the control thread. The daemon answers from its
 * policy.
 */
struct ipoib_neigh_ctl_names {
	int (*pkey_of)(void *arg, const char *name, uint16_t *pkey);
	const char *(*name_of)(void *arg, uint16_t pkey);
	void *arg;
};

/*
 * ipoib_neigh_ctl_register - register "neigh/show [partition NAME]",
 * "peer/list [partition NAME]" (the peers every open peer port has heard,
 * ipoib/port_peer.h) and "ipoib/stats" (the driver counters of every open
 * ipoib port, by name) on @srv. @names (may be NULL: partitions shown by PKey only) must outlive
 * the server. Returns 0 or a negative errno.
 */
int ipoib_neigh_ctl_register(struct ctl_server *srv,
			     const struct ipoib_neigh_ctl_names *names);

/*
 * ipoib_neigh_ctl_show - the reply of neigh/show: a JSON array of
 * neighbours of partition @pkey (IPOIB_PKEY_ANY: all). For tests.
 */
json_t *ipoib_neigh_ctl_show(const struct ipoib_neigh_ctl_names *names,
			     uint16_t pkey);

/*
 * ipoib_peer_ctl_list - the reply of peer/list: a JSON array of the peers
 * of partition @pkey (IPOIB_PKEY_ANY: all), with their counters.
 */
json_t *ipoib_peer_ctl_list(const struct ipoib_neigh_ctl_names *names,
			    uint16_t pkey);

/*
 * ipoib_peer_ann_json - a peer port's announcement counters
 * (ipoib/port_peer.h) as a JSON object.
 */
struct peer_ann_stats;
json_t *ipoib_peer_ann_json(const struct peer_ann_stats *a);

/* ipoib_stats_ctl_show - the reply of ipoib/stats, without its wrapper. */
json_t *ipoib_stats_ctl_show(void);

#endif /* FABRIC_IPOIB_NEIGH_CTL_H */
