// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A gateway group as ha/show shows it (ha_show.h). */
#include "fabricd/engine/ha_show.h"

#include <time.h>

static json_t *time_json(uint64_t then, uint64_t now)
{
	time_t t = time(NULL) - (time_t)((now - then) / 1000);
	struct tm tm;
	char buf[32];

	if (!then)
		return json_null();
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/*
 * The masters: we when master, and the group's gateways whose last
 * advertisement (a master's) is younger than the master-down interval.
 * More than one: two gateways forward the partition.
 */
static json_t *masters_json(const struct engine *e, const struct ha_group *g,
			    uint64_t now)
{
	unsigned int i, md = ha_fsm_master_down_ms(g->fsm.interval_ms, 1);
	json_t *a = json_array();

	if (g->fsm.state == HA_MASTER)
		json_array_append_new(a, json_string(e->ha->gw_name));
	for (i = 0; i < g->n_peers; i++)
		if (!g->peers[i].backup && g->peers[i].prio &&
		    now - g->peers[i].seen < md)
			json_array_append_new(a, json_string(g->peers[i].name));
	return a;
}

/* The standbys: the group's backups heard lately, and we when backup. */
static json_t *standbys_json(const struct engine *e, const struct ha_group *g,
			     uint64_t now)
{
	json_t *a = json_array();
	unsigned int i;

	if (g->fsm.state == HA_BACKUP)
		json_array_append_new(a, json_string(e->ha->gw_name));
	for (i = 0; i < g->n_peers; i++)
		if (g->peers[i].backup &&
		    now - g->peers[i].seen < HA_STANDBY_AGE_MS)
			json_array_append_new(a, json_string(g->peers[i].name));
	return a;
}

static void set_int(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

/* The group's counters and timers. */
static void counters_json(json_t *o, const struct ha_group *g)
{
	set_int(o, "failovers", g->fsm.failovers);
	json_object_set_new(o, "eligible", json_boolean(g->fsm.eligible));
	json_object_set_new(o, "carrier", json_boolean(g->carrier));
	set_int(o, "adverts_tx", g->adverts_tx);
	set_int(o, "adverts_rx", g->adverts_rx);
	set_int(o, "announced", g->announced);
	set_int(o, "syncs_tx", g->syncs_tx);
	set_int(o, "syncs_rx", g->syncs_rx);
	set_int(o, "hosts", g->n_hosts);
	set_int(o, "adverts_tx_eth", g->adverts_tx_eth);
	set_int(o, "adverts_rx_eth", g->adverts_rx_eth);
	set_int(o, "reannounced", g->reannounced);
	set_int(o, "advert_interval_ms", g->fsm.interval_ms);
	set_int(o, "preempt_hold_ms", g->fsm.hold_ms);
}

/* Since when in this state, and the last failover. */
static void times_json(json_t *o, const struct ha_group *g, uint64_t now)
{
	const struct ha_fsm *f = &g->fsm;

	json_object_set_new(o, "since", time_json(f->since, now));
	set_int(o, "since_ms", now - f->since);
	set_int(o, "since_mono_ms", f->since);
	json_object_set_new(o, "reason",
			    json_string(ha_fsm_reason_name(f->reason)));
	json_object_set_new(o, "last_failover",
			    time_json(g->last_failover, now));
	set_int(o, "last_failover_mono_ms", g->last_failover);
	json_object_set_new(o, "last_failover_reason",
			    g->last_failover ? json_string(ha_fsm_reason_name(
						       g->failover_reason)) :
					       json_null());
}

json_t *ha_show_group(const struct engine *e, const struct ha_group *g,
		      uint64_t now)
{
	const struct ha_fsm *f = &g->fsm;
	const char *active = f->state == HA_MASTER ? e->ha->gw_name :
			     f->master_known	   ? f->master_name :
						     NULL;
	json_t *o = json_object();

	json_object_set_new(o, "partition", json_string(g->part));
	json_object_set_new(o, "pkey", json_sprintf("0x%04x", g->pkey));
	json_object_set_new(o, "state",
			    json_string(ha_fsm_state_name(f->state)));
	json_object_set_new(o, "priority", json_integer(f->prio));
	json_object_set_new(o, "active",
			    active ? json_string(active) : json_null());
	json_object_set_new(o, "standbys", standbys_json(e, g, now));
	json_object_set_new(o, "masters", masters_json(e, g, now));
	times_json(o, g, now);
	counters_json(o, g);
	return o;
}
