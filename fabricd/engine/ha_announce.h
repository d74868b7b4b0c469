/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a gateway that takes a partition over tells both sides
 * (engine/ha_group.h): on Ethernet a frame from each IB neighbour's
 * derived MAC (the same on every gateway) so that switches move those
 * MACs to it; on IPoIB a gratuitous ARP for each Ethernet host, so that
 * IB hosts move their ARP entries to its QPN/GID.
 */
#ifndef FABRICD_ENGINE_HA_ANNOUNCE_H
#define FABRICD_ENGINE_HA_ANNOUNCE_H

#include <stdbool.h>
#include <stdint.h>

#include "fabricd/engine/ha_group.h"

/* An Ethernet frame of @len bytes from @src to broadcast, type @type. */
struct pkt *ha_announce_frame(struct engine *e, const uint8_t *src,
			      uint16_t type, unsigned int len);

/* Announce on both sides; how many frames in *@eth and *@ib. */
void ha_announce(struct engine *e, struct ha_group *g, uint64_t now,
		 unsigned int *eth, unsigned int *ib);

/*
 * ha_announce_master - we became master at @now: announce, and again
 * HA_ANNOUNCE_REPEAT times. @master_known, @master_seen: whether and when
 * we last heard the old master (for the log).
 */
void ha_announce_master(struct engine *e, struct ha_group *g, uint64_t now,
			bool master_known, uint64_t master_seen);

/* Another gateway acted as master: take the neighbours back. */
void ha_announce_again(struct engine *e, struct ha_group *g, uint64_t now);

/* The repeats a new master still owes, when due. */
void ha_announce_tick(struct engine *e, struct ha_group *g, uint64_t now);

#endif
