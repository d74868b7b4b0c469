// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A gateway group's lookups and its view of the other gateways
 * (ha_group.h).
 */
#include "fabricd/engine/ha_group.h"

#include <string.h>

#include "lib/ib.h"
#include "lib/port.h"

struct ipoib_kind *ha_group_kind(void)
{
	return port_kind_priv(&ipoib_port_ops);
}

struct ha_group *ha_group_of_part(struct engine *e, const char *part)
{
	unsigned int i;

	for (i = 0; i < HA_GROUPS_MAX; i++)
		if (e->ha->g[i].used && !strcmp(e->ha->g[i].part, part))
			return &e->ha->g[i];
	return NULL;
}

struct ha_group *ha_group_of_pkey(struct engine *e, uint16_t pkey)
{
	unsigned int i;

	for (i = 0; i < HA_GROUPS_MAX; i++)
		if (e->ha->g[i].used &&
		    !((e->ha->g[i].pkey ^ pkey) & IB_PKEY_BASE_MASK))
			return &e->ha->g[i];
	return NULL;
}

int ha_group_ib_slot(const struct engine *e, int part)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if ((e->core.ib_ports >> i & 1) &&
		    e->core.ports[i].part == part)
			return (int)i;
	return -1;
}

void ha_group_peer_note(struct ha_group *g, const struct ipoib_hwaddr *hw,
			const struct ha_advert *a, uint64_t now)
{
	unsigned int i, old = 0;
	struct ha_peer *p = NULL;

	for (i = 0; i < g->n_peers && !p; i++) {
		if (ipoib_hwaddr_same_port(&g->peers[i].hw, hw))
			p = &g->peers[i];
		else if (g->peers[i].seen < g->peers[old].seen)
			old = i;
	}
	if (!p) {
		i = g->n_peers < IPOIB_PEER_GW_MAX ? g->n_peers++ : old;
		p = &g->peers[i];
		p->hw = *hw;
		g->peers_dirty = true;
	}
	p->seen = now;
	p->prio = a->prio;
	p->backup = a->flags & HA_F_BACKUP;
	memcpy(p->name, a->name, HA_NAME_LEN);
}

void ha_group_push_peers(struct ha_group *g, uint64_t now)
{
	struct ipoib_hwaddr hw[IPOIB_PEER_GW_MAX];
	unsigned int i, n = 0;

	for (i = 0; i < g->n_peers; i++)
		if (now - g->peers[i].seen < HA_PEER_AGE_MS)
			hw[n++] = g->peers[i].hw;
		else
			g->peers_dirty = true;
	if (!g->peers_dirty || !ha_group_kind())
		return;
	for (i = 0; i < n; i++)
		g->peers[i].hw = hw[i];
	g->n_peers = n;
	if (!ipoib_port_set_peer_gws(ha_group_kind(), g->pkey, hw, n))
		g->peers_dirty = false;
}

void ha_group_set_standby(struct engine *e, struct ha_group *g)
{
	int part = ecore_part_find(&e->core, g->part);

	if (part >= 0) {
		e->core.parts[part].standby = g->fsm.state != HA_MASTER;
		e->core.parts[part].ha_watch = true;
	}
}
