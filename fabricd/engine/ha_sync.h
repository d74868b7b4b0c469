/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A gateway group's tables (engine/ha_group.h): the Ethernet hosts learned
 * while standing by, the partition's IB neighbours, and the state
 * messages (HA_TYPE_STATE) in which the master passes both to the
 * backups, so that a new master announces them at once.
 */
#ifndef FABRICD_ENGINE_HA_SYNC_H
#define FABRICD_ENGINE_HA_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "fabricd/engine/ha_group.h"

/* The IB neighbours of one partition, from its ipoib port's table. */
struct ha_sync_neigh {
	uint16_t pkey;
	struct ipoib_hwaddr hw[HA_NEIGH_MAX];
	uint8_t mac[HA_NEIGH_MAX][6];
	unsigned int n;
};

/* The IB neighbours of @g's partition (malloc'ed), or NULL. */
struct ha_sync_neigh *ha_sync_neigh_list(const struct ha_group *g);

/*
 * Learn (or move) Ethernet host @ip (4 bytes for AF_INET, 16 for
 * AF_INET6) at @mac; unspecified, multicast and loopback addresses are
 * not hosts.
 */
void ha_sync_host_learn(struct ha_group *g, int family, const uint8_t *ip,
			const uint8_t *mac);

/* ecore's standby_fn: learn the sender of a frame kept from IPoIB. */
void ha_sync_standby_frame(void *arg, unsigned int slot, const struct pkt *pkt);

/*
 * A backup takes the state message @p (@len bytes) of its master; a
 * master takes the Ethernet hosts it does not know from that of a gateway
 * that stands down.
 */
void ha_sync_rx(struct ha_group *g, const uint8_t *p, size_t len);

/*
 * The master's tables to the backups, in as many messages as needed; also
 * once from a master that stands down, to the new one.
 */
void ha_sync_send(struct engine *e, struct ha_group *g);

/*
 * A backup: what the master passed on goes into the ipoib port, which
 * makes their address handles ahead of need (ipoib_port_neigh_add()).
 */
void ha_sync_apply(struct ha_group *g);

#endif
