/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A gateway group's election traffic (engine/ha_group.h): VRRP-style
 * advertisements (fabricd/ha_fsm.h), ethertype 0x88B6 on the partition's
 * IPoIB broadcast group (ipoib/proto.h), and the master's on the
 * partition's Ethernet side too, so that gateways whose IB path to each
 * other broke still hear each other there.
 */
#ifndef FABRICD_ENGINE_HA_ADVERT_H
#define FABRICD_ENGINE_HA_ADVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "fabricd/engine/ha_group.h"

/*
 * ha_advert_register - receive advertisements and state messages on every
 * ipoib port (the receive handler only steps the state machines and
 * leaves the sending to the tick). 0 or a negative errno.
 */
int ha_advert_register(struct engine *e);
void ha_advert_unregister(void);

/* ecore's ha_fn: an advertisement that came over Ethernet. */
void ha_advert_eth_rx(void *arg, const struct pkt *pkt);

/* A buffer holding an advertisement's header; NULL: none. */
struct pkt *ha_advert_pkt(struct engine *e, struct ha_group *g, uint8_t prio,
			  uint8_t flags);

/* Send @pkt (consumed) to the partition's group; true when sent. */
bool ha_advert_group_send(struct ha_group *g, struct pkt *pkt);

/* Advertise priority @prio with @flags (HA_F_BACKUP: a backup's hello). */
void ha_advert_send(struct engine *e, struct ha_group *g, uint8_t prio,
		    uint8_t flags);

/* The QP address an advertisement's identity names (GID, QPN). */
void ha_advert_id_hwaddr(const uint8_t id[HA_ID_LEN], struct ipoib_hwaddr *hw);

#endif
