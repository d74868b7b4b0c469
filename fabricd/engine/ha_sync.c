// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A gateway group's tables and the master's state messages to the
 * backups (ha_sync.h). A state message is an advertisement's header with
 * type HA_TYPE_STATE, then the neighbour and IPv4 host counts (16 bits
 * each, big-endian), the neighbours' 20-byte IPoIB addresses, the IPv4
 * hosts' address and MAC (10 bytes each), and, when there are any, the
 * IPv6 host count (16 bits) and their address and MAC (22 bytes each): a
 * receiver that knows no IPv6 section ignores it.
 */
#include "fabricd/engine/ha_sync.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fabricd/engine/ha_advert.h"
#include "ipoib/neigh.h"
#include "lib/ib.h"
#include "lib/util.h"

#define HA_SYNC_NEIGH 48 /* IB neighbours in one state message */
#define HA_SYNC_HOSTS 48 /* IPv4 Ethernet hosts in one state message */
#define HA_SYNC_HOSTS6 20 /* IPv6 Ethernet hosts in one state message */
#define HA_HOST4_LEN 10
#define HA_HOST6_LEN 22

static unsigned int addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Not a host's address: unspecified, multicast, IPv4 loopback. */
static bool not_host(int family, const uint8_t *ip)
{
	static const uint8_t zero[16];

	if (!memcmp(ip, zero, addr_len(family)))
		return true;
	return family == AF_INET6 ? ip[0] == 0xff :
				    ip[0] >= 224 || ip[0] == 127;
}

/* The index of host @ip in @g's table, or -1. */
static int host_find(const struct ha_group *g, int family, const uint8_t *ip)
{
	unsigned int i, len = addr_len(family);

	for (i = 0; i < g->n_hosts; i++)
		if (g->hosts[i].family == family &&
		    !memcmp(g->hosts[i].ip, ip, len))
			return (int)i;
	return -1;
}

void ha_sync_host_learn(struct ha_group *g, int family, const uint8_t *ip,
			const uint8_t *mac)
{
	unsigned int i, len = addr_len(family);
	int at;

	if (mac[0] & 1 || not_host(family, ip))
		return;
	at = host_find(g, family, ip);
	if (at >= 0) {
		memcpy(g->hosts[at].mac, mac, 6);
		return;
	}
	if (g->n_hosts < HA_HOSTS_MAX)
		i = g->n_hosts++;
	else
		i = g->next_host++ % HA_HOSTS_MAX;
	memset(&g->hosts[i], 0, sizeof(g->hosts[i]));
	g->hosts[i].family = (uint8_t)family;
	memcpy(g->hosts[i].ip, ip, len);
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
		ha_sync_host_learn(g, AF_INET, f + 14 + 12, f + 6);
	else if (type == 0x0806)
		ha_sync_host_learn(g, AF_INET, f + 14 + 14, f + 14 + 8);
	else if (type == 0x86dd && pkt->len >= 14 + 40)
		ha_sync_host_learn(g, AF_INET6, f + 14 + 8, f + 6);
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

static unsigned int rd16(const uint8_t *p)
{
	return (unsigned int)(p[0] << 8 | p[1]);
}

static uint8_t *wr16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

/*
 * A host in another gateway's state message. A backup takes it; a master
 * (one that came back while another stood in, and hears its tables as it
 * stands down) takes only hosts it does not know, its own being fresher:
 * the other announced them at its QPN while master.
 */
static void synced_host(struct ha_group *g, int family, const uint8_t *ip,
			const uint8_t *mac)
{
	if (g->fsm.state != HA_MASTER || host_find(g, family, ip) < 0)
		ha_sync_host_learn(g, family, ip, mac);
}

/* The IPv6 section at @q (@left bytes), if there is a whole one. */
static void hosts6_rx(struct ha_group *g, const uint8_t *q, size_t left)
{
	unsigned int n, i;

	if (left < 2)
		return;
	n = rd16(q);
	if (left < 2 + (size_t)n * HA_HOST6_LEN)
		return;
	for (i = 0, q += 2; i < n; i++, q += HA_HOST6_LEN)
		synced_host(g, AF_INET6, q, q + 16);
}

void ha_sync_rx(struct ha_group *g, const uint8_t *p, size_t len)
{
	const uint8_t *q = p + HA_ADVERT_LEN + 4;
	unsigned int nn, nh, i;
	size_t need;

	if (len < HA_ADVERT_LEN + 4)
		return;
	nn = rd16(p + HA_ADVERT_LEN);
	nh = rd16(p + HA_ADVERT_LEN + 2);
	need = HA_ADVERT_LEN + 4 + nn * IPOIB_HWADDR_LEN + nh * HA_HOST4_LEN;
	if (len < need)
		return;
	g->syncs_rx++;
	for (i = 0; i < nn; i++, q += IPOIB_HWADDR_LEN)
		if (g->n_synced < HA_NEIGH_MAX && g->fsm.state != HA_MASTER)
			memcpy(g->synced[g->n_synced++].raw, q,
			       IPOIB_HWADDR_LEN);
	for (i = 0; i < nh; i++, q += HA_HOST4_LEN)
		synced_host(g, AF_INET, q, q + 4);
	hosts6_rx(g, q, len - need);
}

/* What one state message carries: slices of the tables. */
struct sync_msg {
	const struct ipoib_hwaddr *nb;
	const struct ha_host *const *h4, *const *h6;
	unsigned int nn, n4, n6;
};

/* Write hosts @h[0..@n), each address of @alen bytes then its MAC. */
static uint8_t *put_hosts(uint8_t *p, const struct ha_host *const *h,
			  unsigned int n, unsigned int alen)
{
	unsigned int i;

	for (i = 0; i < n; i++, p += alen + 6) {
		memcpy(p, h[i]->ip, alen);
		memcpy(p + alen, h[i]->mac, 6);
	}
	return p;
}

static void send_state(struct engine *e, struct ha_group *g,
		       const struct sync_msg *m)
{
	struct pkt *pkt = ha_advert_pkt(e, g, g->fsm.prio, 0);
	uint8_t *p;
	unsigned int i;

	if (!pkt)
		return;
	p = pkt->data;
	p[1] = HA_TYPE_STATE;
	p = wr16(p + HA_ADVERT_LEN, m->nn);
	p = wr16(p, m->n4);
	for (i = 0; i < m->nn; i++, p += IPOIB_HWADDR_LEN)
		memcpy(p, m->nb[i].raw, IPOIB_HWADDR_LEN);
	p = put_hosts(p, m->h4, m->n4, 4);
	if (m->n6)
		p = put_hosts(wr16(p, m->n6), m->h6, m->n6, 16);
	pkt->len = (uint32_t)(p - pkt->data);
	if (ha_advert_group_send(g, pkt))
		g->syncs_tx++;
}

/* The group's hosts by family, into @h4 (*@n4) and @h6 (*@n6). */
static void hosts_split(const struct ha_group *g, const struct ha_host **h4,
			unsigned int *n4, const struct ha_host **h6,
			unsigned int *n6)
{
	unsigned int i;

	*n4 = *n6 = 0;
	for (i = 0; i < g->n_hosts; i++)
		if (g->hosts[i].family == AF_INET6)
			h6[(*n6)++] = &g->hosts[i];
		else
			h4[(*n4)++] = &g->hosts[i];
}

void ha_sync_send(struct engine *e, struct ha_group *g)
{
	const struct ha_host *h4[HA_HOSTS_MAX], *h6[HA_HOSTS_MAX];
	struct ha_sync_neigh *nh = ha_sync_neigh_list(g);
	unsigned int i = 0, j = 0, k = 0, n4, n6;
	struct sync_msg m;

	if (!nh)
		return;
	hosts_split(g, h4, &n4, h6, &n6);
	do {
		m.nb = nh->hw + i;
		m.h4 = h4 + j;
		m.h6 = h6 + k;
		m.nn = MIN(nh->n - i, HA_SYNC_NEIGH);
		m.n4 = MIN(n4 - j, HA_SYNC_HOSTS);
		m.n6 = MIN(n6 - k, HA_SYNC_HOSTS6);
		send_state(e, g, &m);
		i += m.nn;
		j += m.n4;
		k += m.n6;
	} while (i < nh->n || j < n4 || k < n6);
	free(nh);
}

void ha_sync_apply(struct ha_group *g)
{
	if (!g->n_synced || !ha_group_kind())
		return;
	ipoib_port_neigh_add(ha_group_kind(), g->pkey, g->synced, g->n_synced);
	g->n_synced = 0;
}
