// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A new master's announcements on both sides (ha_announce.h). */
#include "fabricd/engine/ha_announce.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fabricd/engine/ha_sync.h"
#include "ipoib/xlate.h"
#include "lib/log.h"

LOG_MODULE(ha);

struct pkt *ha_announce_frame(struct engine *e, const uint8_t *src,
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
	struct pkt *pkt = ha_announce_frame(e, h->mac, 0x0806, 42);
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
 * An unsolicited neighbour advertisement (RFC 4861 7.2.6) of IPv6 host
 * @h: to all nodes, Override set, its MAC as target link-layer address.
 */
static struct pkt *na_frame(struct engine *e, const struct ha_host *h)
{
	static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
	static const uint8_t ip6[8] = { 0x60, 0, 0, 0, 0, 32, 58, 255 };
	struct pkt *pkt = ha_announce_frame(e, h->mac, 0x86dd, 14 + 40 + 32);
	uint8_t *p, *icmp;
	uint32_t sum;

	if (!pkt)
		return NULL;
	p = pkt->data;
	memcpy(p, (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
	memcpy(p + 14, ip6, sizeof(ip6));
	memcpy(p + 14 + 8, h->ip, 16);
	memcpy(p + 14 + 24, all_nodes, 16);
	icmp = p + 14 + 40;
	icmp[0] = 136; /* neighbour advertisement */
	icmp[4] = 0x20; /* Override */
	memcpy(icmp + 8, h->ip, 16);
	icmp[24] = 2; /* target link-layer address, 8 bytes */
	icmp[25] = 1;
	memcpy(icmp + 26, h->mac, 6);
	sum = ipoib_l4_csum(p + 14 + 8, 32, 32 + 58);
	sum = ipoib_csum_fold(ipoib_l4_csum(icmp, 32, sum));
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	return pkt;
}

/* A host's announcement: gratuitous ARP (IPv4) or unsolicited NA. */
static struct pkt *host_frame(struct engine *e, const struct ha_host *h)
{
	return h->family == AF_INET6 ? na_frame(e, h) : garp_frame(e, h);
}

/*
 * IPoIB: a gratuitous ARP or an unsolicited NA for each Ethernet host,
 * through the ipoib port's own send path, which puts our QPN/GID in (and
 * learns the host for IB -> Ethernet unicast).
 */
static unsigned int announce_ib(struct engine *e, struct ha_group *g, int slot)
{
	struct ecore_port *ep = &e->core.ports[slot];
	struct pkt *pkts[ECORE_BURST];
	unsigned int i, n, sent = 0;
	int taken;

	for (i = 0; i < g->n_hosts; i += n) {
		for (n = 0; n < ECORE_BURST && i + n < g->n_hosts; n++) {
			pkts[n] = host_frame(e, &g->hosts[i + n]);
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

/*
 * Ethernet: a frame (ethertype 0x88B6, to broadcast) from each IB
 * neighbour's derived MAC, entering the partition from its ipoib port, so
 * the engine and the Ethernet switches learn those MACs here now. On a
 * partition with peer links, also an announcement of each to the peers
 * (engine_peer_announce()): the FDB tells the peer port only of a MAC that
 * moved here, and a master that comes back after a stall may still have
 * them on its ipoib port, while the gateway that stood in for it
 * announced them, and repeats that with its next hello; ours, later,
 * cancels that repeat and moves them back at every peer.
 */
static unsigned int announce_eth(struct engine *e, struct ha_group *g, int part,
				 int slot, uint64_t now)
{
	struct ha_sync_neigh *nm = ha_sync_neigh_list(g);
	struct pkt *pkts[ECORE_BURST];
	unsigned int i, k, n, sent = 0;

	if (!nm)
		return 0;
	for (i = 0; i < nm->n; i += n) {
		for (n = 0; n < ECORE_BURST && i + n < nm->n; n++) {
			pkts[n] = ha_announce_frame(e, nm->mac[i + n],
						    HA_ETHERTYPE, 60);
			if (!pkts[n])
				break;
		}
		if (!n)
			break;
		for (k = 0; k < n; k++)
			engine_peer_announce(&e->core, (unsigned int)part,
					     nm->mac[i + k]);
		ecore_process(&e->core, (unsigned int)slot, pkts, n, now);
		sent += n;
	}
	free(nm);
	return sent;
}

void ha_announce(struct engine *e, struct ha_group *g, uint64_t now,
		 unsigned int *eth, unsigned int *ib)
{
	int part = ecore_part_find(&e->core, g->part);
	int slot = part < 0 ? -1 : ha_group_ib_slot(e, part);

	*eth = *ib = 0;
	ha_group_set_standby(e, g);
	if (slot >= 0) {
		*eth = announce_eth(e, g, part, slot, now);
		*ib = announce_ib(e, g, slot);
	}
	g->announced += *ib + *eth;
}

void ha_announce_master(struct engine *e, struct ha_group *g, uint64_t now,
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
	ha_announce(e, g, now, &eth, &ib);
	g->announce_left = HA_ANNOUNCE_REPEAT;
	g->next_announce = now + g->fsm.interval_ms;
	VLOG_INFO("partition %s: master (%s); announced %u IB neighbours on "
		  "Ethernet, %u Ethernet hosts on IPoIB",
		  g->part, ha_fsm_reason_name(g->fsm.reason), eth, ib);
}

void ha_announce_again(struct engine *e, struct ha_group *g, uint64_t now)
{
	unsigned int ib, eth;

	ha_announce(e, g, now, &eth, &ib);
	g->reannounced++;
	/* and again later, as a new master: the other's last announcements
	 * may still be on their way, and win over ours where they arrive
	 * later */
	g->announce_left = HA_ANNOUNCE_REPEAT;
	g->next_announce = now + g->fsm.interval_ms;
	VLOG_RL(&g->rl, LOG_LEVEL_INFO,
		"partition %s: another gateway acted as master; "
		"announced %u IB neighbours, %u Ethernet hosts again",
		g->part, eth, ib);
}

void ha_announce_tick(struct engine *e, struct ha_group *g, uint64_t now)
{
	unsigned int ib, eth;

	if (g->fsm.state != HA_MASTER || !g->announce_left ||
	    now < g->next_announce)
		return;
	ha_announce(e, g, now, &eth, &ib);
	g->next_announce = now + 2 * g->fsm.interval_ms;
	g->announce_left--;
}
