// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Gateway groups (fabric.yaml(5) priority, gateway_ha): for each partition
 * to which our gateway gives a priority, one VRRP state machine
 * (fabricd/ha_fsm.h) whose advertisements travel as ethertype 0x88B6 on
 * the partition's IPoIB broadcast group (ipoib/proto.h). Losing the PKey
 * loses the ipoib port and with it the advertisements: the group's other
 * gateways take over, which is what a gateway that lost the partition
 * wants.
 *
 * This file holds the groups' life, the policy and the timers; the rest
 * is split by concern: ha_group (state, lookups, peers), ha_advert
 * (election traffic), ha_check (eligibility), ha_sync (the tables the
 * master passes on), ha_announce (what a new master tells both sides),
 * ha_show (ha/show).
 *
 * Everything here runs on the forwarding thread with the engine locked
 * (the receive handler runs inside the ipoib port's rx_burst, so it only
 * steps the state machine and leaves the sending to engine_ha_tick()), or
 * on the control thread with the engine locked (ha/show, stop).
 *
 * While BACKUP (or INIT) the partition stands by: nothing crosses between
 * its Ethernet ports and its ipoib port (ECORE_DROP_STANDBY), and the
 * ipoib port drops IPoIB frames from the group's other gateways (they come
 * from the same Ethernet segment). Becoming MASTER, the gateway announces
 * at once (ha_announce.h).
 */
#include "fabricd/engine/engine_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fabricd/engine/ha_advert.h"
#include "fabricd/engine/ha_announce.h"
#include "fabricd/engine/ha_check.h"
#include "fabricd/engine/ha_group.h"
#include "fabricd/engine/ha_show.h"
#include "fabricd/engine/ha_sync.h"
#include "lib/log.h"
#include "lib/policy.h"
#include "lib/util.h"

LOG_MODULE(ha);

/* ---- the state machine's actions ---- */

static void act(struct engine *e, struct ha_group *g, unsigned int acts,
		uint64_t now, bool known, uint64_t seen)
{
	if (acts & HA_ACT_RESIGN)
		ha_advert_send(e, g, 0, 0);
	if (acts & HA_ACT_MASTER)
		ha_announce_master(e, g, now, known, seen);
	else if (acts & HA_ACT_ANNOUNCE)
		ha_announce_again(e, g, now);
	if (acts & HA_ACT_ADVERT)
		ha_advert_send(e, g, g->fsm.prio, 0);
	if (acts & HA_ACT_BACKUP)
		VLOG_INFO("partition %s: %s (%s)", g->part,
			  ha_fsm_state_name(g->fsm.state),
			  ha_fsm_reason_name(g->fsm.reason));
	ha_group_set_standby(e, g);
}

/*
 * The thread did not run for more than an interval (it wakes every
 * HA_CHECK_MS): a backup whose master-down time passed meanwhile gives the
 * master one more interval (ha_fsm_resumed()), so that a stalled machine
 * does not make it take over from a live master. A master that did not
 * run for two intervals says so: its backups may take over, rightly.
 */
static void resumed(struct engine *e, struct ha_group *g, uint64_t now)
{
	uint64_t due = g->fsm.master_down_at, last = e->ha->last_tick;

	if (g->fsm.state == HA_MASTER &&
	    now - last > 2 * (uint64_t)g->fsm.interval_ms)
		VLOG_RL(&g->rl, LOG_LEVEL_INFO,
			"partition %s: master not run for %llu ms: its "
			"advertisements were late, a backup may take over",
			g->part, (unsigned long long)(now - last));
	ha_fsm_resumed(&g->fsm, last, now);
	if (g->fsm.master_down_at != due && due <= now)
		VLOG_RL(&g->rl, LOG_LEVEL_INFO,
			"partition %s: not run for %llu ms, master not heard "
			"for %llu ms: waiting one more interval",
			g->part, (unsigned long long)(now - last),
			(unsigned long long)(now - g->fsm.master_seen));
}

/*
 * A master that stood down passes its tables to the group once, at once:
 * it announced the Ethernet hosts it learned while master at its own
 * QPN, and a master that came back after a stall does not know them (it
 * announces them again, with the rest: ha_advert.c).
 */
static void handover(struct engine *e, struct ha_group *g)
{
	bool master = g->fsm.state == HA_MASTER;

	if (g->was_master && !master)
		ha_sync_send(e, g);
	g->was_master = master;
}

/* One group's turn at @now; @check: look at ports and carrier too. */
static void tick_group(struct engine *e, struct ha_group *g, uint64_t now,
		       bool check)
{
	unsigned int acts = g->pending;
	bool known;
	uint64_t seen;

	g->pending = 0;
	if (check) {
		acts |= ha_check_eligible(e, g, now);
		ha_group_push_peers(g, now);
	}
	known = g->fsm.master_known;
	seen = g->fsm.master_seen;
	resumed(e, g, now);
	acts |= ha_fsm_tick(&g->fsm, now);
	act(e, g, acts, now, known, seen);
	if (g->fsm.state == HA_BACKUP && now >= g->next_hello) {
		ha_advert_send(e, g, g->fsm.prio, HA_F_BACKUP);
		g->next_hello = now + HA_HELLO_MS;
	}
	ha_announce_tick(e, g, now);
	if (g->fsm.state == HA_MASTER && now >= g->next_sync) {
		ha_sync_send(e, g);
		g->next_sync = now + HA_SYNC_MS;
	}
	handover(e, g);
	ha_sync_apply(g);
}

uint64_t engine_ha_tick(struct engine *e, uint64_t now)
{
	uint64_t next = UINT64_MAX, t;
	bool check = now - e->ha->last_check >= HA_CHECK_MS;
	unsigned int i;

	if (check)
		e->ha->last_check = now;
	for (i = 0; i < HA_GROUPS_MAX; i++) {
		struct ha_group *g = &e->ha->g[i];

		if (!g->used)
			continue;
		tick_group(e, g, now, check);
		t = ha_fsm_next(&g->fsm);
		next = t < next ? t : next;
	}
	e->ha->last_tick = now;
	if (next != UINT64_MAX && e->ha->last_check + HA_CHECK_MS < next)
		next = e->ha->last_check + HA_CHECK_MS;
	return next;
}

/* ---- policy ---- */

static struct ha_group *group_add(struct engine *e, const char *part)
{
	unsigned int i;

	for (i = 0; i < HA_GROUPS_MAX; i++)
		if (!e->ha->g[i].used) {
			memset(&e->ha->g[i], 0, sizeof(e->ha->g[i]));
			e->ha->g[i].used = true;
			e->ha->g[i].rl =
				(struct log_ratelimit)LOG_RATELIMIT_INIT(1, 5);
			util_strlcpy(e->ha->g[i].part, part,
				     sizeof(e->ha->g[i].part));
			return &e->ha->g[i];
		}
	return NULL;
}

static void group_del(struct engine *e, struct ha_group *g, uint64_t now)
{
	int part = ecore_part_find(&e->core, g->part);

	act(e, g, ha_fsm_stop(&g->fsm, now), now, false, 0);
	if (part >= 0) {
		e->core.parts[part].standby = false;
		e->core.parts[part].ha_watch = false;
	}
	if (ha_group_kind())
		ipoib_port_set_peer_gws(ha_group_kind(), g->pkey, NULL, 0);
	g->used = false;
}

/* Our priority in @pp's group, 0: none (not a gateway, not a member). */
static unsigned int our_priority(const struct engine *e,
				 const struct policy *pol,
				 const struct policy_partition *pp)
{
	const struct policy_gateway *gw =
		e->gw_name[0] ? policy_find_gateway(pol, e->gw_name) : NULL;

	return gw && pp->ipoib ? policy_gateway_priority(gw, pp) : 0;
}

static void apply_one(struct engine *e, const struct policy *pol,
		      const struct policy_partition *pp, uint64_t now)
{
	unsigned int prio = our_priority(e, pol, pp);
	struct ha_group *g = ha_group_of_part(e, pp->name);
	static const uint8_t none[HA_ID_LEN];

	if (!prio) {
		if (g)
			group_del(e, g, now);
		return;
	}
	if (!g) {
		g = group_add(e, pp->name);
		if (!g) {
			VLOG_ERR("partition %s: no room for its gateway group "
				 "(%d at most)",
				 pp->name, HA_GROUPS_MAX);
			return;
		}
		ha_fsm_init(&g->fsm, (uint8_t)prio, none,
			    pol->ha.advert_interval_ms,
			    pol->ha.preempt_hold_ms);
	} else {
		g->pending |= ha_fsm_configure(&g->fsm, (uint8_t)prio,
					       pol->ha.advert_interval_ms,
					       pol->ha.preempt_hold_ms, now);
	}
	g->pkey = pp->pkey;
	ha_group_set_standby(e, g);
}

void engine_ha_apply(struct engine *e, const struct policy *pol)
{
	uint64_t now = util_now_ms();
	unsigned int i;
	size_t j;

	e->ha->interval_ms = pol->ha.advert_interval_ms;
	e->ha->hold_ms = pol->ha.preempt_hold_ms;
	for (i = 0; i < HA_GROUPS_MAX; i++)
		if (e->ha->g[i].used &&
		    !policy_find_partition(pol, e->ha->g[i].part))
			group_del(e, &e->ha->g[i], now);
	for (j = 0; j < pol->n_partitions; j++)
		apply_one(e, pol, &pol->partitions[j], now);
	e->ha->last_check = 0; /* look at ports and carrier at once */
}

/* ---- life ---- */

int engine_ha_create(struct engine *e)
{
	int ret;

	e->ha = calloc(1, sizeof(*e->ha));
	if (!e->ha)
		return -ENOMEM;
	e->ha->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	util_strlcpy(e->ha->gw_name, e->gw_name, sizeof(e->ha->gw_name));
	e->core.standby_fn = ha_sync_standby_frame;
	e->core.ha_fn = ha_advert_eth_rx;
	e->core.standby_arg = e;
	ret = ha_advert_register(e);
	if (ret)
		VLOG_WARN("gateway groups: cannot receive advertisements (%s)",
			  strerror(-ret));
	e->ha->registered = !ret;
	return 0;
}

void engine_ha_stop(struct engine *e)
{
	uint64_t now = util_now_ms();
	unsigned int i;

	if (!e->ha)
		return;
	pthread_mutex_lock(&e->lock);
	for (i = 0; i < HA_GROUPS_MAX; i++)
		if (e->ha->g[i].used)
			group_del(e, &e->ha->g[i], now);
	pthread_mutex_unlock(&e->lock);
	if (e->ha->registered)
		ha_advert_unregister();
	e->ha->registered = false;
}

void engine_ha_destroy(struct engine *e)
{
	if (!e->ha)
		return;
	engine_ha_stop(e);
	if (e->ha->sock >= 0)
		close(e->ha->sock);
	free(e->ha);
	e->ha = NULL;
}

int engine_ha_show(struct engine *e, json_t **result)
{
	uint64_t now = util_now_ms();
	json_t *a = json_array();
	unsigned int i;

	pthread_mutex_lock(&e->lock);
	for (i = 0; i < HA_GROUPS_MAX; i++)
		if (e->ha && e->ha->g[i].used)
			json_array_append_new(a, ha_show_group(e, &e->ha->g[i],
							       now));
	pthread_mutex_unlock(&e->lock);
	*result = a;
	return 0;
}
