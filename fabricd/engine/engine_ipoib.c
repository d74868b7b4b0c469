// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine's ipoib ports: one per partition the gateway carries (an
 * active partition with `ipoib: true`) on its verbs port, named like the
 * kernel's child links ("mlx5_0.8001", "mlx5_0:2.8001"), attached to the
 * partition as an untagged access port so that frames switch between the
 * Ethernet ports and IPoIB (ipoib/port_ipoib.h).
 *
 * A partition with `peer: true` gets a "peer" port too ("peer.PKEY",
 * ipoib/port_peer.h), its link to the other fabricds of the partition,
 * and its ipoib port joins fabricd's own group as well (proto_group).
 * There the ipoib port translates only on the partition's gateways, the
 * fabricds whose gateway gives the partition a priority: their group
 * elects the one that forwards between the IPoIB hosts and the peer
 * domain (engine_ha.c; the others stand by). On every other fabricd of
 * the partition it carries the peer links only (proto_only: no
 * IPoIB<->Ethernet translation, PORT_F_NO_FORWARD), so exactly one
 * fabricd bridges the two and nothing loops.
 */
#include "fabricd/engine/engine_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipoib/port_ipoib.h"
#include "ipoib/port_peer.h"
#include "lib/ib.h"
#include "lib/log.h"
#include "lib/policy.h"
#include "lib/util.h"

LOG_MODULE(engine);

int engine_set_ib(struct engine *e, const char *dev, unsigned int port)
{
	if (dev && (!*dev || strlen(dev) >= sizeof(e->ib_dev) || port > 254))
		return -EINVAL;
	engine_lock(e);
	util_strlcpy(e->ib_dev, dev ? dev : "", sizeof(e->ib_dev));
	e->ib_port = port ? port : 1;
	engine_unlock(e);
	return 0;
}

/*
 * The PKey partition @pkey is held with (the membership bit as in the
 * port's table); full membership without a table (RoCE, policy only).
 */
static uint16_t held_as(const uint16_t *held, size_t n, uint16_t pkey)
{
	size_t i;

	if (!held)
		return pkey | IB_PKEY_FULL_BIT;
	for (i = 0; i < n; i++)
		if ((held[i] & IB_PKEY_BASE_MASK) == (pkey & IB_PKEY_BASE_MASK))
			return held[i];
	return 0;
}

/* The port name of @pkey: "DEV.PKEY", "DEV:PORT.PKEY". -ENAMETOOLONG. */
static int ipoib_name(const struct engine *e, uint16_t pkey, char *buf,
		      size_t len)
{
	int n;

	if (e->ib_port == 1)
		n = snprintf(buf, len, "%s.%04x", e->ib_dev, pkey);
	else
		n = snprintf(buf, len, "%s:%u.%04x", e->ib_dev, e->ib_port,
			     pkey);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The policy's partition of port @ep if it is carried here, or NULL. */
static const struct policy_partition *carried_part(const struct engine *e,
						   const struct ecore_port *ep,
						   const struct policy *pol)
{
	const struct ecore_part *pt = &e->core.parts[ep->part];
	size_t i;

	if (!e->ib_dev[0] || !pt->used || !pt->active)
		return NULL;
	for (i = 0; i < pol->n_partitions; i++)
		if (!strcmp(pol->partitions[i].name, pt->name))
			return &pol->partitions[i];
	return NULL;
}

/*
 * Does our ipoib port of @pp translate (standard IPoIB, proxy addressing)?
 * Always, but on a peer partition only when our gateway gives it a
 * priority: a member of its gateway group.
 */
static bool translates(const struct engine *e, const struct policy *pol,
		       const struct policy_partition *pp)
{
	const struct policy_gateway *gw;

	if (!pp->peer)
		return true;
	gw = e->gw_name[0] ? policy_find_gateway(pol, e->gw_name) : NULL;
	return gw && policy_gateway_priority(gw, pp);
}

/* Runs open ipoib port @name as @pp wants it (else: reopen it)? */
static bool ipoib_mode_same(const char *name, const struct policy_partition *pp,
			    bool translate)
{
	struct ipoib_kind *k = port_kind_priv(&ipoib_port_ops);
	struct ipoib_port_cfg cfg;

	if (!k || ipoib_port_open_cfg(k, name, &cfg))
		return true;
	return cfg.proto_only == (pp->peer && !translate) &&
	       cfg.proto_group == pp->peer;
}

/* Is the policy ipoib or peer port in @ep still wanted, as it is? */
static bool port_wanted(const struct engine *e, const struct ecore_port *ep,
			const struct policy *pol, const uint16_t *held,
			size_t n)
{
	const struct policy_partition *pp = carried_part(e, ep, pol);
	char name[IF_NAMESIZE];
	uint16_t pkey;

	if (!pp || !pp->ipoib)
		return false;
	pkey = held_as(held, n, pp->pkey);
	if (!strcmp(ep->kind, "peer"))
		return pp->peer && pkey &&
		       !peer_port_name(pkey, name, sizeof(name)) &&
		       !strcmp(name, ep->port.name);
	/* reopened when what it translates or joins changes */
	if (ep->port.ops &&
	    !ipoib_mode_same(ep->port.name, pp, translates(e, pol, pp)))
		return false;
	return !ipoib_name(e, pkey, name, sizeof(name)) &&
	       !strcmp(name, ep->port.name);
}

static void drop_stale_ipoib(struct engine *e, const struct policy *pol,
			     const uint16_t *held, size_t n)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &e->core.ports[i];

		if (ep->used && !ep->runtime &&
		    (!strcmp(ep->kind, "ipoib") || !strcmp(ep->kind, "peer")) &&
		    !port_wanted(e, ep, pol, held, n))
			ecore_port_del(&e->core, i);
	}
}

/* Port @name of @kind in partition @pp, unless it is there already. */
static void add_port(struct engine *e, const struct policy_partition *pp,
		     const char *name, const char *kind)
{
	int part, slot;

	if (ecore_port_find(&e->core, name) >= 0)
		return;
	part = ecore_part_find(&e->core, pp->name);
	if (part < 0)
		return;
	slot = ecore_port_add(&e->core, name, kind, ECORE_ACCESS, part, false);
	if (slot >= 0 && !strcmp(kind, "peer")) /* every remote VM of it */
		fdb_set_port_limit(e->core.fdb, (unsigned int)slot,
				   PEER_PART_MACS);
	if (slot < 0)
		VLOG_ERR("port %s: %s", name, strerror(-slot));
	else if (!e->core.ports[slot].port.ops)
		VLOG_WARN("port %s: cannot open it (%s); retrying", name,
			  strerror(-e->core.ports[slot].error));
	else
		VLOG_INFO("port %s: partition %s over %s (%s)", name, pp->name,
			  strcmp(kind, "peer") ? "IPoIB" : "peer links",
			  e->core.ports[slot].port.mode);
}

#define PEER_RX_DEPTH 2048 /* receives an ipoib port of peer links keeps */

/* The ipoib port translates, or carries the peer links only, or both. */
static void configure_ipoib(const char *name, bool peer, bool translate)
{
	struct ipoib_kind *k = port_kind_priv(&ipoib_port_ops);
	struct ipoib_port_cfg cfg;

	if (!k || ipoib_port_parse_name(name, &cfg))
		return;
	cfg.proto_only = peer && !translate;
	cfg.proto_group = peer;
	/*
	 * UD drops what finds no receive posted, and a VM's TCP window
	 * arrives at once, cut into MTU-sized frames: keep more posted
	 */
	if (peer)
		cfg.rx_depth = PEER_RX_DEPTH;
	if (ipoib_port_configure(k, name, &cfg))
		VLOG_WARN("port %s: too many configured ipoib ports", name);
}

static void add_ipoib_port(struct engine *e, const struct policy *pol,
			   const struct policy_partition *pp, uint16_t pkey)
{
	char name[IF_NAMESIZE];

	if (ipoib_name(e, pkey, name, sizeof(name))) {
		VLOG_ERR(
			"partition %s: no ipoib port: \"%s.%04x\" is longer than %d characters; rename the IB device",
			pp->name, e->ib_dev, pkey, IF_NAMESIZE - 1);
		return;
	}
	configure_ipoib(name, pp->peer, translates(e, pol, pp));
	add_port(e, pp, name, "ipoib");
	if (pp->peer && !peer_port_name(pkey, name, sizeof(name)))
		add_port(e, pp, name, "peer");
}

void engine_sync_ipoib(struct engine *e, const struct policy *pol,
		       const uint16_t *held, size_t n)
{
	size_t i;

	drop_stale_ipoib(e, pol, held, n);
	if (!e->ib_dev[0])
		return;
	for (i = 0; i < pol->n_partitions; i++) {
		const struct policy_partition *pp = &pol->partitions[i];
		uint16_t pkey = held_as(held, n, pp->pkey);
		int part = ecore_part_find(&e->core, pp->name);

		if (pp->ipoib && pkey && part >= 0 &&
		    e->core.parts[part].active)
			add_ipoib_port(e, pol, pp, pkey);
	}
}
