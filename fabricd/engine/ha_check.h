/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Whether our gateway may serve a group's partition (engine/ha_group.h):
 * its ipoib port is open (which gives our identity in the group, the
 * port's GID then QPN) and an Ethernet port of the partition has
 * carrier.
 */
#ifndef FABRICD_ENGINE_HA_CHECK_H
#define FABRICD_ENGINE_HA_CHECK_H

#include <stdint.h>

#include "fabricd/engine/ha_group.h"

/* Look at the ports now and tell the state machine; HA_ACT_* to do. */
unsigned int ha_check_eligible(struct engine *e, struct ha_group *g,
			       uint64_t now);

#endif
