// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A gateway group's advertisements (ha_advert.h). The receive handlers
 * run inside a port's rx_burst with the engine locked: they note the
 * sender and step the state machine, and leave what it asks for in
 * ha_group.pending for engine_ha_tick().
 */
#include "fabricd/engine/ha_advert.h"

#include <string.h>

#include "fabricd/engine/ha_announce.h"
#include "fabricd/engine/ha_sync.h"
#include "ipoib/neigh.h"
#include "ipoib/proto.h"
#include "lib/ib.h"
#include "lib/util.h"

static bool same_group(const struct ha_group *g, const struct ha_advert *a)
{
	return !((a->pkey ^ g->pkey) & IB_PKEY_BASE_MASK);
}

/*
 * Another gateway's tables (@a its header). A master that hears a worse
 * one's (a master that stands down passes them on: engine_ha.c) missed
 * its time as master, perhaps all of it (a stall that lost what arrived
 * meanwhile): it announces again, as for its advertisement, the hosts
 * it took from the tables too.
 */
static void state_rx(struct ha_group *g, const struct ha_advert *a,
		     const struct pkt *pkt)
{
	ha_sync_rx(g, pkt->data, pkt->len);
	if (g->fsm.state == HA_MASTER &&
	    ha_fsm_better(g->fsm.prio, g->fsm.id, a->prio, a->id))
		g->pending |= HA_ACT_ANNOUNCE;
}

static void ha_rx(void *arg, const struct ipoib_proto_rx *rx, struct pkt *pkt)
{
	struct engine *e = arg;
	struct ha_advert a;
	struct ha_group *g = ha_group_of_pkey(e, rx->pkey);
	uint64_t now = util_now_ms();

	if (g && pkt->len > 1 && pkt->data[1] == HA_TYPE_STATE) {
		pkt->data[1] = HA_TYPE_ADVERT; /* its header is an advert's */
		if (!ha_fsm_advert_decode(pkt->data, pkt->len, &a) &&
		    same_group(g, &a) && memcmp(a.id, g->fsm.id, HA_ID_LEN))
			state_rx(g, &a, pkt);
	} else if (g && !ha_fsm_advert_decode(pkt->data, pkt->len, &a) &&
		   same_group(g, &a)) {
		g->adverts_rx++;
		ha_group_peer_note(g, &rx->src, &a, now);
		g->pending |= ha_fsm_rx(&g->fsm, &a, now);
	}
	pool_free(pkt);
}

static const struct ipoib_proto_ops ha_proto_ops = {
	.name = "ha",
	.rx = ha_rx,
};

int ha_advert_register(struct engine *e)
{
	return ipoib_proto_register(IPOIB_PROTO_HA, &ha_proto_ops, e);
}

void ha_advert_unregister(void)
{
	ipoib_proto_unregister(IPOIB_PROTO_HA);
}

void ha_advert_id_hwaddr(const uint8_t id[HA_ID_LEN], struct ipoib_hwaddr *hw)
{
	struct ipoib_gid gid;

	memcpy(gid.raw, id, 16);
	ipoib_hwaddr_make(
		hw, 0, (uint32_t)(id[17] << 16 | id[18] << 8 | id[19]), &gid);
}

void ha_advert_eth_rx(void *arg, const struct pkt *pkt)
{
	struct engine *e = arg;
	struct ipoib_hwaddr hw;
	struct ha_advert a;
	struct ha_group *g;
	uint64_t now = util_now_ms();

	if (pkt->part >= ECORE_MAX_PARTS)
		return;
	g = ha_group_of_part(e, e->core.parts[pkt->part].name);
	if (!g || ha_fsm_advert_decode(pkt->data + 14, pkt->len - 14, &a) ||
	    !same_group(g, &a) || !memcmp(a.id, g->fsm.id, HA_ID_LEN))
		return;
	g->adverts_rx_eth++;
	ha_advert_id_hwaddr(a.id, &hw);
	ha_group_peer_note(g, &hw, &a, now);
	g->pending |= ha_fsm_rx(&g->fsm, &a, now);
}

struct pkt *ha_advert_pkt(struct engine *e, struct ha_group *g, uint8_t prio,
			  uint8_t flags)
{
	struct ha_advert a = { .type = HA_TYPE_ADVERT,
			       .prio = prio,
			       .flags = flags,
			       .interval_ms = (uint16_t)e->ha->interval_ms,
			       .pkey = g->pkey };
	struct pkt *pkt = ha_group_kind() ? pool_alloc(e->pool) : NULL;

	if (!pkt)
		return NULL;
	memcpy(a.id, g->fsm.id, HA_ID_LEN);
	memcpy(a.name, e->ha->gw_name, HA_NAME_LEN);
	pkt->len = (uint32_t)ha_fsm_advert_encode(&a, pkt->data, HA_ADVERT_LEN);
	return pkt;
}

bool ha_advert_group_send(struct ha_group *g, struct pkt *pkt)
{
	struct ipoib_hwaddr dst;

	ipoib_proto_group(&dst);
	if (ipoib_proto_send(ha_group_kind(), g->pkey, IPOIB_PROTO_HA, &pkt,
			     &dst, 1) == 1)
		return true;
	pool_free(pkt);
	return false;
}

/*
 * The master's advertisement on the partition's Ethernet side too, from
 * the MAC the group derives for its QP, entering the partition from its
 * ipoib port: when the IB path between the gateways breaks, they still
 * hear each other there, and do not both become master.
 */
static void send_advert_eth(struct engine *e, struct ha_group *g,
			    const struct pkt *adv)
{
	int part = ecore_part_find(&e->core, g->part);
	int slot = part < 0 ? -1 : ha_group_ib_slot(e, part);
	struct ipoib_hwaddr hw;
	struct pkt *pkt;
	uint8_t mac[6];
	bool standby;

	if (slot < 0)
		return;
	ha_advert_id_hwaddr(g->fsm.id, &hw);
	ipoib_neigh_derive_mac(g->pkey, &hw, 0, mac);
	pkt = ha_announce_frame(e, mac, HA_ETHERTYPE, 14 + adv->len);
	if (!pkt)
		return;
	memcpy(pkt->data + 14, adv->data, adv->len);
	standby = e->core.parts[part].standby;
	e->core.parts[part].standby = false; /* a resigning master's too */
	ecore_process(&e->core, (unsigned int)slot, &pkt, 1, util_now_ms());
	e->core.parts[part].standby = standby;
	g->adverts_tx_eth++;
}

void ha_advert_send(struct engine *e, struct ha_group *g, uint8_t prio,
		    uint8_t flags)
{
	struct pkt *pkt = ha_advert_pkt(e, g, prio, flags);

	if (!pkt)
		return;
	if (!(flags & HA_F_BACKUP))
		send_advert_eth(e, g, pkt);
	if (ha_advert_group_send(g, pkt))
		g->adverts_tx++;
}
