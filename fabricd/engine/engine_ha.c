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
 * Everything here runs on the forwarding thread with the engine locked
 * (the receive handler runs inside the ipoib port's rx_burst, so it only
 * steps the state machine and leaves the sending to engine_ha_tick()), or
 * on the control thread with the engine locked (ha/show, stop).
 *
 * While BACKUP (or INIT) the partition stands by: nothing crosses between
 * its Ethernet ports and its ipoib port (ECORE_DROP_STANDBY), and the
 * ipoib port drops IPoIB frames from the group's other gateways (they come
 * from the same Ethernet segment). Becoming MASTER, the gateway announces
 * at once: on Ethernet a frame from each IB neighbour's derived MAC (the
 * same on every gateway) so that switches move those MACs to it; on IPoIB
 * a gratuitous ARP for each Ethernet host it learned while standing by, so
 * that IB hosts move their ARP entries to its QPN/GID.
 */
#include "fabricd/engine/engine_priv.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fabricd/ha_fsm.h"
#include "ipoib/neigh.h"
#include "ipoib/port_ipoib.h"
#include "ipoib/proto.h"
#include "lib/ctl_server.h"
#include "lib/ib.h"
#include "lib/log.h"
#include "lib/policy.h"
#include "lib/util.h"

LOG_MODULE(ha);

#define HA_GROUPS_MAX 64
#define HA_HOSTS_MAX 256 /* Ethernet hosts announced per partition */
#define HA_NEIGH_MAX 256 /* IB neighbours announced per partition */
#define HA_PEER_AGE_MS 30000 /* a peer gateway not heard for this long */
#define HA_CHECK_MS 20 /* carrier and ipoib port looked at this often */
#define HA_HELLO_MS 1000 /* a backup's hello */
#define HA_SYNC_MS 1000 /* the master's neighbour tables to the backups */
#define HA_ANNOUNCE_REPEAT 2 /* a new master announces 1 + this often */
#define HA_SYNC_NEIGH 48 /* IB neighbours in one state message */
#define HA_SYNC_HOSTS 96 /* Ethernet hosts in one state message */
#define HA_STANDBY_AGE_MS 3500 /* a standby not heard for this long */

struct ha_host {
	uint8_t ip[4];
	uint8_t mac[6];
};

/* Another gateway of the group, as its advertisements say. */
struct ha_peer {
	struct ipoib_hwaddr hw;
	uint64_t seen;
	char name[HA_NAME_LEN];
	uint8_t prio;
	bool backup; /* its last one was a backup's hello */
};

struct ha_group {
	bool used;
	char part[ECORE_NAME_MAX];
	uint16_t pkey; /* 15-bit base */
	struct ha_fsm fsm;
	bool have_port; /* its ipoib port is open: identity known */
	bool carrier; /* an Ethernet port of the partition has carrier */
	unsigned int pending; /* HA_ACT_* from the receive handler */
	struct ha_peer peers[IPOIB_PEER_GW_MAX];
	unsigned int n_peers;
	bool peers_dirty;
	struct ha_host hosts[HA_HOSTS_MAX];
	unsigned int n_hosts, next_host;
	uint64_t next_hello; /* BACKUP */
	uint64_t next_sync; /* MASTER */
	/* IB neighbours the master passed on, for the ipoib port (tick) */
	struct ipoib_hwaddr synced[HA_NEIGH_MAX];
	unsigned int n_synced;
	uint64_t last_failover; /* when we last became master, or 0 */
	enum ha_reason failover_reason;
	uint64_t adverts_tx, adverts_rx, announced, syncs_tx, syncs_rx;
	uint64_t reannounced; /* after another gateway acted as master */
	uint64_t adverts_tx_eth, adverts_rx_eth; /* on the Ethernet side */
	/* a new master announces again, in case the first ones were lost */
	uint64_t next_announce;
	unsigned int announce_left;
	struct log_ratelimit rl;
};

struct engine_ha {
	struct ha_group g[HA_GROUPS_MAX];
	unsigned int interval_ms, hold_ms;
	char gw_name[HA_NAME_LEN];
	bool registered;
	int sock; /* for SIOCGIFFLAGS */
	uint64_t last_check;
};

static struct ipoib_kind *ha_kind(void)
{
	return port_kind_priv(&ipoib_port_ops);
}

static struct ha_group *group_of_part(struct engine *e, const char *part)
{
	unsigned int i;

	for (i = 0; i < HA_GROUPS_MAX; i++)
		if (e->ha->g[i].used && !strcmp(e->ha->g[i].part, part))
			return &e->ha->g[i];
	return NULL;
}

static struct ha_group *group_of_pkey(struct engine *e, uint16_t pkey)
{
	unsigned int i;

	for (i = 0; i < HA_GROUPS_MAX; i++)
		if (e->ha->g[i].used &&
		    !((e->ha->g[i].pkey ^ pkey) & IB_PKEY_BASE_MASK))
			return &e->ha->g[i];
	return NULL;
}

/* ---- receive (the ipoib port's rx_burst, engine locked) ---- */

static void peer_note(struct ha_group *g, const struct ipoib_hwaddr *hw,
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

static void host_learn(struct ha_group *g, const uint8_t *ip,
		       const uint8_t *mac);

/* A backup takes the master's tables: hosts now, neighbours at the tick. */
static void state_rx(struct ha_group *g, const uint8_t *p, size_t len)
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
		host_learn(g, q, q + 4);
}

static void ha_rx(void *arg, const struct ipoib_proto_rx *rx, struct pkt *pkt)
{
	struct engine *e = arg;
	struct ha_advert a;
	struct ha_group *g = group_of_pkey(e, rx->pkey);
	uint64_t now = util_now_ms();

	if (g && pkt->len > 1 && pkt->data[1] == HA_TYPE_STATE) {
		pkt->data[1] = HA_TYPE_ADVERT; /* its header is an advert's */
		if (!ha_fsm_advert_decode(pkt->data, pkt->len, &a) &&
		    !((a.pkey ^ g->pkey) & IB_PKEY_BASE_MASK) &&
		    memcmp(a.id, g->fsm.id, HA_ID_LEN))
			state_rx(g, pkt->data, pkt->len);
	} else if (g && !ha_fsm_advert_decode(pkt->data, pkt->len, &a) &&
		   !((a.pkey ^ g->pkey) & IB_PKEY_BASE_MASK)) {
		g->adverts_rx++;
		peer_note(g, &rx->src, &a, now);
		g->pending |= ha_fsm_rx(&g->fsm, &a, now);
	}
	pool_free(pkt);
}

/* The QP address an advertisement's identity names (GID, QPN). */
static void id_hwaddr(const uint8_t id[HA_ID_LEN], struct ipoib_hwaddr *hw)
{
	struct ipoib_gid gid;

	memcpy(gid.raw, id, 16);
	ipoib_hwaddr_make(
		hw, 0, (uint32_t)(id[17] << 16 | id[18] << 8 | id[19]), &gid);
}

/* ecore's ha_fn: an advertisement that came over Ethernet. */
static void ha_eth_rx(void *arg, const struct pkt *pkt)
{
	struct engine *e = arg;
	struct ipoib_hwaddr hw;
	struct ha_advert a;
	struct ha_group *g;
	uint64_t now = util_now_ms();

	if (pkt->part >= ECORE_MAX_PARTS)
		return;
	g = group_of_part(e, e->core.parts[pkt->part].name);
	if (!g || ha_fsm_advert_decode(pkt->data + 14, pkt->len - 14, &a) ||
	    (a.pkey ^ g->pkey) & IB_PKEY_BASE_MASK ||
	    !memcmp(a.id, g->fsm.id, HA_ID_LEN))
		return;
	g->adverts_rx_eth++;
	id_hwaddr(a.id, &hw);
	peer_note(g, &hw, &a, now);
	g->pending |= ha_fsm_rx(&g->fsm, &a, now);
}

static const struct ipoib_proto_ops ha_proto_ops = {
	.name = "ha",
	.rx = ha_rx,
};

/* ---- Ethernet hosts, learned while standing by ---- */

static void host_learn(struct ha_group *g, const uint8_t *ip,
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

/* ecore's standby_fn: an (untagged) frame kept from the ipoib port. */
static void ha_standby_frame(void *arg, unsigned int slot,
			     const struct pkt *pkt)
{
	struct engine *e = arg;
	const uint8_t *f = pkt->data;
	struct ha_group *g;
	uint16_t type;

	if (pkt->len < 42 || pkt->part >= ECORE_MAX_PARTS)
		return;
	g = group_of_part(e, e->core.parts[pkt->part].name);
	if (!g)
		return;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x0800)
		host_learn(g, f + 14 + 12, f + 6);
	else if (type == 0x0806)
		host_learn(g, f + 14 + 14, f + 14 + 8);
}

/* ---- sending ---- */

/* A buffer holding an advertisement's header; NULL: none. */
static struct pkt *advert_pkt(struct engine *e, struct ha_group *g,
			      uint8_t prio, uint8_t flags)
{
	struct ha_advert a = { .type = HA_TYPE_ADVERT,
			       .prio = prio,
			       .flags = flags,
			       .interval_ms = (uint16_t)e->ha->interval_ms,
			       .pkey = g->pkey };
	struct pkt *pkt = ha_kind() ? pool_alloc(e->pool) : NULL;

	if (!pkt)
		return NULL;
	memcpy(a.id, g->fsm.id, HA_ID_LEN);
	memcpy(a.name, e->ha->gw_name, HA_NAME_LEN);
	pkt->len = (uint32_t)ha_fsm_advert_encode(&a, pkt->data, HA_ADVERT_LEN);
	return pkt;
}

/* Send @pkt to the partition's group; true when the port took it. */
static bool group_send(struct ha_group *g, struct pkt *pkt)
{
	struct ipoib_hwaddr dst;

	ipoib_proto_group(&dst);
	if (ipoib_proto_send(ha_kind(), g->pkey, IPOIB_PROTO_HA, &pkt, &dst,
			     1) == 1)
		return true;
	pool_free(pkt);
	return false;
}

static struct pkt *eth_frame(struct engine *e, const uint8_t *src,
			     uint16_t type, unsigned int len);
static int ib_slot(const struct engine *e, int part);

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
	int slot = part < 0 ? -1 : ib_slot(e, part);
	struct ipoib_hwaddr hw;
	struct pkt *pkt;
	uint8_t mac[6];
	bool standby;

	if (slot < 0)
		return;
	id_hwaddr(g->fsm.id, &hw);
	ipoib_neigh_derive_mac(g->pkey, &hw, 0, mac);
	pkt = eth_frame(e, mac, HA_ETHERTYPE, 14 + adv->len);
	if (!pkt)
		return;
	memcpy(pkt->data + 14, adv->data, adv->len);
	standby = e->core.parts[part].standby;
	e->core.parts[part].standby = false; /* a resigning master's too */
	ecore_process(&e->core, (unsigned int)slot, &pkt, 1, util_now_ms());
	e->core.parts[part].standby = standby;
	g->adverts_tx_eth++;
}

static void send_advert(struct engine *e, struct ha_group *g, uint8_t prio,
			uint8_t flags)
{
	struct pkt *pkt = advert_pkt(e, g, prio, flags);

	if (!pkt)
		return;
	if (!(flags & HA_F_BACKUP))
		send_advert_eth(e, g, pkt);
	if (group_send(g, pkt))
		g->adverts_tx++;
}

/* The slot of the partition's ipoib port, or -1. */
static int ib_slot(const struct engine *e, int part)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if ((e->core.ib_ports >> i & 1) &&
		    e->core.ports[i].part == part)
			return (int)i;
	return -1;
}

/* An Ethernet frame of @len bytes from @src to broadcast, type @type. */
static struct pkt *eth_frame(struct engine *e, const uint8_t *src,
			     uint16_t type, unsigned int len)
{
	struct pkt *pkt = pool_alloc(e->pool);

	if (!pkt)
		return NULL;
	memset(pkt->data, 0, len);
	memset(pkt->data, 0xff, 6);
	memcpy(pkt->data + 6, src, 6);
	pkt->data[12] = (uint8_t)(type >> 8);
	pkt->data[13] = (uint8_t)type;
	pkt->len = len;
	return pkt;
}

/* A gratuitous ARP request of Ethernet host @h (its IP, its MAC). */
static struct pkt *garp_frame(struct engine *e, const struct ha_host *h)
{
	static const uint8_t hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	struct pkt *pkt = eth_frame(e, h->mac, 0x0806, 42);
	uint8_t *arp;

	if (!pkt)
		return NULL;
	arp = pkt->data + 14;
	memcpy(arp, hdr, sizeof(hdr));
	memcpy(arp + 8, h->mac, 6);
	memcpy(arp + 14, h->ip, 4);
	memcpy(arp + 24, h->ip, 4);
	return pkt;
}

/*
 * IPoIB: a gratuitous ARP for each Ethernet host, through the ipoib port's
 * own send path, which puts our QPN/GID in (and learns the host for
 * IB -> Ethernet unicast).
 */
static unsigned int announce_ib(struct engine *e, struct ha_group *g, int slot)
{
	struct ecore_port *ep = &e->core.ports[slot];
	struct pkt *pkts[ECORE_BURST];
	unsigned int i, n, sent = 0;
	int taken;

	for (i = 0; i < g->n_hosts; i += n) {
		for (n = 0; n < ECORE_BURST && i + n < g->n_hosts; n++) {
			pkts[n] = garp_frame(e, &g->hosts[i + n]);
			if (!pkts[n])
				break;
		}
		if (!n)
			break;
		taken = ep->port.ops->tx_burst(&ep->port, pkts, n);
		taken = taken < 0 ? 0 : taken;
		sent += (unsigned int)taken;
		while ((unsigned int)taken < n)
			pool_free(pkts[taken++]);
	}
	return sent;
}

/* The IB neighbours of one partition, from its ipoib port's table. */
struct neigh_list {
	uint16_t pkey;
	struct ipoib_hwaddr hw[HA_NEIGH_MAX];
	uint8_t mac[HA_NEIGH_MAX][6];
	unsigned int n;
};

static void neigh_one(void *ctx, const struct ipoib_neigh_entry *ne)
{
	struct neigh_list *nl = ctx;

	if (nl->n < HA_NEIGH_MAX) {
		nl->hw[nl->n] = ne->hw;
		memcpy(nl->mac[nl->n++], ne->mac, 6);
	}
}

static void neigh_port(void *ctx, const struct ipoib_port_view *v)
{
	struct neigh_list *nl = ctx;

	if (!((v->pkey ^ nl->pkey) & IB_PKEY_BASE_MASK))
		ipoib_neigh_foreach(v->neigh, nl->pkey & IB_PKEY_BASE_MASK,
				    neigh_one, nl);
}

/* The neighbours of @g's partition (malloc'ed), or NULL. */
static struct neigh_list *neigh_list(const struct ha_group *g)
{
	struct neigh_list *nl = ha_kind() ? calloc(1, sizeof(*nl)) : NULL;

	if (!nl)
		return NULL;
	nl->pkey = g->pkey;
	ipoib_port_foreach(ha_kind(), neigh_port, nl);
	return nl;
}

/*
 * Ethernet: a frame (ethertype 0x88B6, to broadcast) from each IB
 * neighbour's derived MAC, entering the partition from its ipoib port, so
 * the engine and the Ethernet switches learn those MACs here now.
 */
static unsigned int announce_eth(struct engine *e, struct ha_group *g, int slot,
				 uint64_t now)
{
	struct neigh_list *nm = neigh_list(g);
	struct pkt *pkts[ECORE_BURST];
	unsigned int i, n, sent = 0;

	if (!nm)
		return 0;
	for (i = 0; i < nm->n; i += n) {
		for (n = 0; n < ECORE_BURST && i + n < nm->n; n++) {
			pkts[n] =
				eth_frame(e, nm->mac[i + n], HA_ETHERTYPE, 60);
			if (!pkts[n])
				break;
		}
		if (!n)
			break;
		ecore_process(&e->core, (unsigned int)slot, pkts, n, now);
		sent += n;
	}
	free(nm);
	return sent;
}

/* One state message: neighbours @nb[0..@nn), hosts @h[0..@nh). */
static void send_state(struct engine *e, struct ha_group *g,
		       const struct ipoib_hwaddr *nb, unsigned int nn,
		       const struct ha_host *h, unsigned int nh)
{
	struct pkt *pkt = advert_pkt(e, g, g->fsm.prio, 0);
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
	if (group_send(g, pkt))
		g->syncs_tx++;
}

/*
 * The master's tables to the backups: its IB neighbours and the Ethernet
 * hosts it knows, so that a new master announces them at once.
 */
static void sync_tables(struct engine *e, struct ha_group *g)
{
	struct neigh_list *nh = neigh_list(g);
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

/* A backup: what the master passed on goes into the ipoib port. */
static void apply_synced(struct ha_group *g)
{
	if (!g->n_synced || !ha_kind())
		return;
	ipoib_port_neigh_add(ha_kind(), g->pkey, g->synced, g->n_synced);
	g->n_synced = 0;
}

/* ---- the state machine's actions ---- */

static void set_standby(struct engine *e, struct ha_group *g)
{
	int part = ecore_part_find(&e->core, g->part);

	if (part >= 0) {
		e->core.parts[part].standby = g->fsm.state != HA_MASTER;
		e->core.parts[part].ha_watch = true;
	}
}

/* Announce the neighbours on both sides; how many in *@eth and *@ib. */
static void announce(struct engine *e, struct ha_group *g, uint64_t now,
		     unsigned int *eth, unsigned int *ib)
{
	int part = ecore_part_find(&e->core, g->part);
	int slot = part < 0 ? -1 : ib_slot(e, part);

	*eth = *ib = 0;
	set_standby(e, g);
	if (slot >= 0) {
		*eth = announce_eth(e, g, slot, now);
		*ib = announce_ib(e, g, slot);
	}
	g->announced += *ib + *eth;
}

static void became_master(struct engine *e, struct ha_group *g, uint64_t now,
			  bool master_known, uint64_t master_seen)
{
	unsigned int ib, eth;

	if (master_known && g->fsm.reason == HA_R_MASTER_DOWN)
		VLOG_INFO("partition %s: the master (%s) last heard %llu ms "
			  "ago",
			  g->part, g->fsm.master_name,
			  (unsigned long long)(now - master_seen));
	g->last_failover = now;
	g->failover_reason = g->fsm.reason;
	announce(e, g, now, &eth, &ib);
	g->announce_left = HA_ANNOUNCE_REPEAT;
	g->next_announce = now + g->fsm.interval_ms;
	VLOG_INFO("partition %s: master (%s); announced %u IB neighbours on "
		  "Ethernet, %u Ethernet hosts on IPoIB",
		  g->part, ha_fsm_reason_name(g->fsm.reason), eth, ib);
}

/* Another gateway acted as master: take the neighbours back. */
static void announce_again(struct engine *e, struct ha_group *g, uint64_t now)
{
	unsigned int ib, eth;

	announce(e, g, now, &eth, &ib);
	g->reannounced++;
	VLOG_RL(&g->rl, LOG_LEVEL_INFO,
		"partition %s: another gateway acted as master; "
		"announced %u IB neighbours, %u Ethernet hosts again",
		g->part, eth, ib);
}

static void act(struct engine *e, struct ha_group *g, unsigned int acts,
		uint64_t now, bool known, uint64_t seen)
{
	if (acts & HA_ACT_RESIGN)
		send_advert(e, g, 0, 0);
	if (acts & HA_ACT_MASTER)
		became_master(e, g, now, known, seen);
	else if (acts & HA_ACT_ANNOUNCE)
		announce_again(e, g, now);
	if (acts & HA_ACT_ADVERT)
		send_advert(e, g, g->fsm.prio, 0);
	if (acts & HA_ACT_BACKUP)
		VLOG_INFO("partition %s: %s (%s)", g->part,
			  ha_fsm_state_name(g->fsm.state),
			  ha_fsm_reason_name(g->fsm.reason));
	set_standby(e, g);
}

/* ---- eligibility: the ipoib port and the Ethernet side's carrier ---- */

static bool if_running(int sock, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	util_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	return sock >= 0 && !ioctl(sock, SIOCGIFFLAGS, &ifr) &&
	       (ifr.ifr_flags & IFF_RUNNING);
}

static bool eth_carrier(const struct engine *e, int part)
{
	uint64_t eth = e->core.parts[part].members & ~e->core.ib_ports;
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if ((eth >> i & 1) &&
		    if_running(e->ha->sock, e->core.ports[i].port.name))
			return true;
	return false;
}

/* Our identity in the group: the GID, then the QPN, of its ipoib port. */
static bool port_identity(struct ha_group *g, uint8_t id[HA_ID_LEN])
{
	struct ipoib_hwaddr hw;
	struct ipoib_gid gid;
	uint32_t qpn;

	if (!ha_kind() || ipoib_proto_mtu(ha_kind(), g->pkey, &hw) < 0)
		return false;
	ipoib_hwaddr_gid(&hw, &gid);
	qpn = ipoib_hwaddr_qpn(&hw);
	memcpy(id, gid.raw, 16);
	id[16] = 0;
	id[17] = (uint8_t)(qpn >> 16);
	id[18] = (uint8_t)(qpn >> 8);
	id[19] = (uint8_t)qpn;
	return true;
}

static unsigned int check_eligible(struct engine *e, struct ha_group *g,
				   uint64_t now)
{
	int part = ecore_part_find(&e->core, g->part);
	uint8_t id[HA_ID_LEN];
	bool port = part >= 0 && port_identity(g, id);

	if (port && memcmp(id, g->fsm.id, HA_ID_LEN)) {
		/* a new QP (reopened): a new identity */
		memcpy(g->fsm.id, id, HA_ID_LEN);
	}
	g->have_port = port;
	g->carrier = part >= 0 && eth_carrier(e, part);
	return ha_fsm_set_eligible(&g->fsm, g->have_port && g->carrier, now);
}

static void push_peers(struct engine *e, struct ha_group *g, uint64_t now)
{
	struct ipoib_hwaddr hw[IPOIB_PEER_GW_MAX];
	unsigned int i, n = 0;

	for (i = 0; i < g->n_peers; i++)
		if (now - g->peers[i].seen < HA_PEER_AGE_MS)
			hw[n++] = g->peers[i].hw;
		else
			g->peers_dirty = true;
	if (!g->peers_dirty || !ha_kind())
		return;
	for (i = 0; i < n; i++)
		g->peers[i].hw = hw[i];
	g->n_peers = n;
	if (!ipoib_port_set_peer_gws(ha_kind(), g->pkey, hw, n))
		g->peers_dirty = false;
}

uint64_t engine_ha_tick(struct engine *e, uint64_t now)
{
	uint64_t next = UINT64_MAX, t, seen;
	bool check = now - e->ha->last_check >= HA_CHECK_MS, known;
	unsigned int i, acts, eth, ib;

	if (check)
		e->ha->last_check = now;
	for (i = 0; i < HA_GROUPS_MAX; i++) {
		struct ha_group *g = &e->ha->g[i];

		if (!g->used)
			continue;
		acts = g->pending;
		g->pending = 0;
		if (check) {
			acts |= check_eligible(e, g, now);
			push_peers(e, g, now);
		}
		known = g->fsm.master_known;
		seen = g->fsm.master_seen;
		acts |= ha_fsm_tick(&g->fsm, now);
		act(e, g, acts, now, known, seen);
		if (g->fsm.state == HA_BACKUP && now >= g->next_hello) {
			send_advert(e, g, g->fsm.prio, HA_F_BACKUP);
			g->next_hello = now + HA_HELLO_MS;
		}
		if (g->fsm.state == HA_MASTER && g->announce_left &&
		    now >= g->next_announce) {
			announce(e, g, now, &eth, &ib);
			g->next_announce = now + 2 * g->fsm.interval_ms;
			g->announce_left--;
		}
		if (g->fsm.state == HA_MASTER && now >= g->next_sync) {
			sync_tables(e, g);
			g->next_sync = now + HA_SYNC_MS;
		}
		apply_synced(g);
		t = ha_fsm_next(&g->fsm);
		next = t < next ? t : next;
	}
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
	if (ha_kind())
		ipoib_port_set_peer_gws(ha_kind(), g->pkey, NULL, 0);
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
	struct ha_group *g = group_of_part(e, pp->name);
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
	set_standby(e, g);
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
	e->core.standby_fn = ha_standby_frame;
	e->core.ha_fn = ha_eth_rx;
	e->core.standby_arg = e;
	ret = ipoib_proto_register(IPOIB_PROTO_HA, &ha_proto_ops, e);
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
		ipoib_proto_unregister(IPOIB_PROTO_HA);
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

/* ---- ha/show ---- */

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

static json_t *group_json(const struct engine *e, const struct ha_group *g,
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
	json_object_set_new(o, "since", time_json(f->since, now));
	json_object_set_new(o, "since_ms",
			    json_integer((json_int_t)(now - f->since)));
	json_object_set_new(o, "since_mono_ms",
			    json_integer((json_int_t)f->since));
	json_object_set_new(o, "reason",
			    json_string(ha_fsm_reason_name(f->reason)));
	json_object_set_new(o, "last_failover",
			    time_json(g->last_failover, now));
	json_object_set_new(o, "last_failover_mono_ms",
			    json_integer((json_int_t)g->last_failover));
	json_object_set_new(o, "last_failover_reason",
			    g->last_failover ? json_string(ha_fsm_reason_name(
						       g->failover_reason)) :
					       json_null());
	json_object_set_new(o, "failovers", json_integer(f->failovers));
	json_object_set_new(o, "eligible", json_boolean(f->eligible));
	json_object_set_new(o, "carrier", json_boolean(g->carrier));
	json_object_set_new(o, "adverts_tx",
			    json_integer((json_int_t)g->adverts_tx));
	json_object_set_new(o, "adverts_rx",
			    json_integer((json_int_t)g->adverts_rx));
	json_object_set_new(o, "announced",
			    json_integer((json_int_t)g->announced));
	json_object_set_new(o, "syncs_tx",
			    json_integer((json_int_t)g->syncs_tx));
	json_object_set_new(o, "syncs_rx",
			    json_integer((json_int_t)g->syncs_rx));
	json_object_set_new(o, "hosts", json_integer(g->n_hosts));
	json_object_set_new(o, "adverts_tx_eth",
			    json_integer((json_int_t)g->adverts_tx_eth));
	json_object_set_new(o, "adverts_rx_eth",
			    json_integer((json_int_t)g->adverts_rx_eth));
	json_object_set_new(o, "reannounced",
			    json_integer((json_int_t)g->reannounced));
	json_object_set_new(o, "advert_interval_ms",
			    json_integer(f->interval_ms));
	json_object_set_new(o, "preempt_hold_ms", json_integer(f->hold_ms));
	return o;
}

int engine_ha_show(struct engine *e, json_t **result)
{
	uint64_t now = util_now_ms();
	json_t *a = json_array();
	unsigned int i;

	pthread_mutex_lock(&e->lock);
	for (i = 0; i < HA_GROUPS_MAX; i++)
		if (e->ha && e->ha->g[i].used)
			json_array_append_new(a,
					      group_json(e, &e->ha->g[i], now));
	pthread_mutex_unlock(&e->lock);
	*result = a;
	return 0;
}
