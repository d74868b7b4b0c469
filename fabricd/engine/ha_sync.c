// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A gateway group's tables and the master's state messages to the
 * backups (ha_sync.h). A state message is an advertisement's header with
 * type HA_TYPE_STATE, then the neighbour and host counts (16 bits each,
 * big-endian), the neighbours' 20-byte IPoIB addresses and the hosts'
 * IPv4 address and MAC (10 bytes each).
 */
#include "fabricd/engine/ha_sync.h"

#include <stdlib.h>
#include <string.h>

#include "fabricd/engine/ha_advert.h"
#include "ipoib/neigh.h"
#include "lib/ib.h"
#include "lib/util.h"

#define HA_SYNC_NEIGH 48 /* IB neighbours in one state message */
#define HA_SYNC_HOSTS 96 /* Ethernet hosts in one state message */

void ha_sync_host_learn(struct ha_group *g, const uint8_t *ip,
			const uint8_t *mac)
{
	unsigned int i;

	if (mac[0] & 1 || !(ip[0] | ip[1] | ip[2] | ip[3]))
		return;
	for (i = 0; i < g->n_hosts; i++)
		if (!memcmp(g->hosts[i].ip, ip, 4)) {
			memcpy(g->hosts[i].mac, mac, 6);
			return;
		}
	if (g->n_hosts < HA_HOSTS_MAX)
		i = g->n_hosts++;
	else
		i = g->next_host++ % HA_HOSTS_MAX;
	memcpy(g->hosts[i].ip, ip, 4);
	memcpy(g->hosts[i].mac, mac, 6);
}

void ha_sync_standby_frame(void *arg, unsigned int slot, const struct pkt *pkt)
{
	struct engine *e = arg;
	const uint8_t *f = pkt->data;
	struct ha_group *g;
	uint16_t type;

	if (pkt->len < 42 || pkt->part >= ECORE_MAX_PARTS)
		return;
	g = ha_group_of_part(e, e->core.parts[pkt->part].name);
	if (!g)
		return;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x0800)
		ha_sync_host_learn(g, f + 14 + 12, f + 6);
	else if (type == 0x0806)
		ha_sync_host_learn(g, f + 14 + 14, f + 14 + 8);
}

static void neigh_one(void *ctx, const struct ipoib_neigh_entry *ne)
{
	struct ha_sync_neigh *nl = ctx;

	if (nl->n < HA_NEIGH_MAX) {
		nl->hw[nl->n] = ne->hw;
		memcpy(nl->mac[nl->n++], ne->mac, 6);
	}
}

static void neigh_port(void *ctx, const struct ipoib_port_view *v)
{
	struct ha_sync_neigh *nl = ctx;

	if (!((v->pkey ^ nl->pkey) & IB_PKEY_BASE_MASK))
		ipoib_neigh_foreach(v->neigh, nl->pkey & IB_PKEY_BASE_MASK,
				    neigh_one, nl);
}

struct ha_sync_neigh *ha_sync_neigh_list(const struct ha_group *g)
{
	struct ha_sync_neigh *nl = ha_group_kind() ? calloc(1, sizeof(*nl)) :
						     NULL;

	if (!nl)
		return NULL;
	nl->pkey = g->pkey;
	ipoib_port_foreach(ha_group_kind(), neigh_port, nl);
	return nl;
}

void ha_sync_rx(struct ha_group *g, const uint8_t *p, size_t len)
{
	unsigned int nn, nh, i;
	const uint8_t *q = p + HA_ADVERT_LEN + 4;

	if (len < HA_ADVERT_LEN + 4 || g->fsm.state == HA_MASTER)
		return;
	nn = (unsigned int)(p[HA_ADVERT_LEN] << 8 | p[HA_ADVERT_LEN + 1]);
	nh = (unsigned int)(p[HA_ADVERT_LEN + 2] << 8 | p[HA_ADVERT_LEN + 3]);
	if (len < HA_ADVERT_LEN + 4 + nn * IPOIB_HWADDR_LEN + nh * 10)
		return;
	g->syncs_rx++;
	for (i = 0; i < nn; i++, q += IPOIB_HWADDR_LEN)
		if (g->n_synced < HA_NEIGH_MAX)
			memcpy(g->synced[g->n_synced++].raw, q,
			       IPOIB_HWADDR_LEN);
	for (i = 0; i < nh; i++, q += 10)
		ha_sync_host_learn(g, q, q + 4);
}

/* One state message: neighbours @nb[0..@nn), hosts @h[0..@nh). */
static void send_state(struct engine *e, struct ha_group *g,
		       const struct ipoib_hwaddr *nb, unsigned int nn,
		       const struct ha_host *h, unsigned int nh)
{
	struct pkt *pkt = ha_advert_pkt(e, g, g->fsm.prio, 0);
	uint8_t *p;
	unsigned int i;

	if (!pkt)
		return;
	p = pkt->data;
	p[1] = HA_TYPE_STATE;
	p[HA_ADVERT_LEN] = (uint8_t)(nn >> 8);
	p[HA_ADVERT_LEN + 1] = (uint8_t)nn;
	p[HA_ADVERT_LEN + 2] = (uint8_t)(nh >> 8);
	p[HA_ADVERT_LEN + 3] = (uint8_t)nh;
	p += HA_ADVERT_LEN + 4;
	for (i = 0; i < nn; i++, p += IPOIB_HWADDR_LEN)
		memcpy(p, nb[i].raw, IPOIB_HWADDR_LEN);
	for (i = 0; i < nh; i++, p += 10) {
		memcpy(p, h[i].ip, 4);
		memcpy(p + 4, h[i].mac, 6);
	}
	pkt->len = (uint32_t)(p - pkt->data);
	if (ha_advert_group_send(g, pkt))
		g->syncs_tx++;
}

void ha_sync_send(struct engine *e, struct ha_group *g)
{
	struct ha_sync_neigh *nh = ha_sync_neigh_list(g);
	unsigned int i = 0, j = 0, a, b;

	if (!nh)
		return;
	while (i < nh->n || j < g->n_hosts || (!i && !j)) {
		a = MIN(nh->n - i, HA_SYNC_NEIGH);
		b = MIN(g->n_hosts - j, HA_SYNC_HOSTS);
		send_state(e, g, nh->hw + i, a, g->hosts + j, b);
		i += a;
		j += b;
		if (!a && !b)
			break;
	}
	free(nh);
}

void ha_sync_apply(struct ha_group *g)
{
	if (!g->n_synced || !ha_group_kind())
		return;
	ipoib_port_neigh_add(ha_group_kind(), g->pkey, g->synced, g->n_synced);
	g->n_synced = 0;
}
