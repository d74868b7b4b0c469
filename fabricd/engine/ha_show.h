/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A gateway group in the ha/show reply (engine/ha_group.h). */
#ifndef FABRICD_ENGINE_HA_SHOW_H
#define FABRICD_ENGINE_HA_SHOW_H

#include <jansson.h>
#include <stdint.h>

#include "fabricd/engine/ha_group.h"

/* Group @g at @now (monotonic ms) as a JSON object (new reference). */
json_t *ha_show_group(const struct engine *e, const struct ha_group *g,
		      uint64_t now);

#endif
