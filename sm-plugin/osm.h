/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * OpenSM's headers, in the order they need, for the plugin's sources.
 * Include this before "lib/log.h": OpenSM pulls in <syslog.h>, whose
 * LOG_ERR and LOG_INFO constants would clash with lib/log.h's macros. The
 * plugin never calls syslog() itself, so the constants are dropped here.
 */
#ifndef FABRIC_SM_OSM_H
#define FABRIC_SM_OSM_H

#include <opensm/osm_config.h>
#include <complib/cl_passivelock.h>
#include <opensm/osm_db_pack.h>
#include <opensm/osm_event_plugin.h>
#include <opensm/osm_log.h>
#include <opensm/osm_opensm.h>
#include <opensm/osm_pkey.h>
#include <opensm/osm_version.h>

#undef LOG_ERR
#undef LOG_INFO

#endif /* FABRIC_SM_OSM_H */
