// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * VM moves on peer-linked partitions (ipoib/port_peer.h): the engine's
 * side of the announcements. A MAC the FDB learns on a local port (any but
 * the peer port: a VM's vNIC, the uplink, the gateway's ipoib port) of a
 * partition with a peer port, new or moved there, is announced to the
 * peers; the MACs of a local port that goes down or away are withdrawn; a
 * MAC a peer announces moves to the peer port in the FDB (from a stale
 * local entry too). All of it runs on the forwarding thread with the
 * engine locked (the FDB's watch, a port's removal, the peer port's
 * rx_burst), or on the control thread with the engine locked (removal).
 */
#include "fabricd/engine/engine_priv.h"

#include <string.h>

#include "eth/frame.h"
#include "ipoib/port_peer.h"
#include "lib/util.h"

static bool is_peer(const struct ecore_port *ep)
{
	return ep->used && !strcmp(ep->kind, "peer");
}

/* The open peer port of partition @part, or NULL. */
static struct port *peer_port_of(struct engine_core *c, unsigned int part)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if (is_peer(&c->ports[i]) && c->ports[i].port.ops &&
		    c->ports[i].part == part)
			return &c->ports[i].port;
	return NULL;
}

static void mac_bytes(uint64_t v, uint8_t mac[6])
{
	int i;

	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)(v >> (40 - 8 * i));
}

/* The FDB learned @mac on @slot (new or moved): announce a local one. */
static void learned(void *arg, uint16_t part, uint64_t mac, int slot)
{
	struct engine_core *c = arg;
	struct port *pp;
	uint8_t m[6];

	if (slot < 0 || slot >= ECORE_MAX_PORTS || part >= ECORE_MAX_PARTS ||
	    is_peer(&c->ports[slot]))
		return;
	pp = peer_port_of(c, part);
	if (!pp)
		return;
	mac_bytes(mac, m);
	peer_port_announce(pp, m, false);
}

struct withdraw_ctx {
	struct engine_core *c;
	unsigned int slot;
};

static void withdraw_one(void *arg, const struct fdb_entry *fe)
{
	struct withdraw_ctx *w = arg;
	struct port *pp;
	uint8_t m[6];

	if (fe->port != w->slot || !(pp = peer_port_of(w->c, fe->part)))
		return;
	mac_bytes(fe->mac, m);
	peer_port_announce(pp, m, true);
}

/* Port @slot goes down or away: withdraw the MACs behind it. */
static void forget(void *arg, unsigned int slot)
{
	struct withdraw_ctx w = { .c = arg, .slot = slot };

	if (slot < ECORE_MAX_PORTS && !is_peer(&w.c->ports[slot]))
		fdb_foreach(w.c->fdb, withdraw_one, &w);
}

/* A peer announced @mac: it is behind peer port @p now. */
static void peer_learn(void *arg, const struct port *p, const uint8_t mac[6])
{
	struct engine_core *c = arg;
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if (&c->ports[i].port == p && is_peer(&c->ports[i]))
			fdb_learn(c->fdb, c->ports[i].part,
				  frame_mac_to_u64(mac), (uint16_t)i,
				  util_now_ms());
}

void engine_peer_announce(struct engine_core *c, unsigned int part,
			  const uint8_t mac[6])
{
	struct port *pp = part < ECORE_MAX_PARTS ? peer_port_of(c, part) : NULL;

	if (pp)
		peer_port_announce(pp, mac, false);
}

void engine_peer_attach(struct engine *e)
{
	struct peer_kind *k = port_kind_priv(&peer_port_ops);

	e->core.learn_fn = learned;
	e->core.forget_fn = forget;
	e->core.peer_arg = &e->core;
	if (k)
		peer_kind_set_learn(k, peer_learn, &e->core);
}

void engine_peer_detach(struct engine *e)
{
	struct peer_kind *k = port_kind_priv(&peer_port_ops);

	if (k)
		peer_kind_set_learn(k, NULL, NULL);
	e->core.learn_fn = NULL;
	e->core.forget_fn = NULL;
}
