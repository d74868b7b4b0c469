/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * OpenSM's headers, in the order they need, for the plugin's sources.
 * (OpenSM pulls in <syslog.h>; lib/log.h's macros are named VLOG_* so that
 * they do not clash with its LOG_ERR and LOG_INFO.)
 */
#ifndef FABRIC_SM_OSM_H
#define FABRIC_SM_OSM_H

#include <opensm/osm_config.h>
#include <complib/cl_passivelock.h>
#include <opensm/osm_db_pack.h>
#include <opensm/osm_event_plugin.h>
#include <opensm/osm_log.h>
#include <opensm/osm_opensm.h>
#include <opensm/osm_partition.h>
#include <opensm/osm_pkey.h>
#include <opensm/osm_version.h>

#endif /* FABRIC_SM_OSM_H */
