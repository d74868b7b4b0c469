// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine's side of the XDP fast path: it owns the contents of the
 * program's maps (eth/xdp_fast.h). Every FDB change reaches the map at
 * once through the table's watch; ports, partitions and VIDs are pushed
 * whole on every rebuild. A port's fast path is on when it runs on AF_XDP
 * with the program in driver mode and FABRICD_NO_FASTPATH is not set (the
 * rule, measured by make bench-datapath: docs/fabricd.8).
 */
#include "fabricd/engine/engine_core.h"

#include <stdlib.h>
#include <string.h>

#include "eth/xdp_fast.h"
#include "fabricd/engine/span.h"
#include "lib/util.h"

_Static_assert(ECORE_MAX_PORTS <= XF_MAX_PORTS, "a slot fits the maps");
_Static_assert(ECORE_MAX_PARTS <= XF_MAX_PARTS, "a partition fits");
_Static_assert(XF_REASON_MAX - 2 <= 8, "to_engine holds the reasons");

static void watch(void *ctx, uint16_t part, uint64_t mac, int port)
{
	struct engine_core *c = ctx;

	if (port >= 0 && c->learn_fn)
		c->learn_fn(c->peer_arg, part, mac, port);
	if (port >= 0)
		xdp_fast_fdb_set(part, mac, (unsigned int)port);
	else
		xdp_fast_fdb_del(part, mac);
}

void ecore_fast_init(struct engine_core *c)
{
	c->fast_off = !xdp_fast_wanted();
	fdb_set_watch(c->fdb, watch, c);
}

static bool is_xdp(const struct ecore_port *ep)
{
	return ep->used && ep->port.ops && ep->port.ifindex &&
	       !strcmp(ep->port.ops->kind, "af_xdp");
}

/* The directions of port @slot that a mirror session copies. */
static unsigned int mirrored(const struct engine_core *c, unsigned int slot)
{
	if (c->span.parts) /* every frame that enters a partition */
		return SPAN_DIR_BOTH;
	return ((c->span.rx_ports >> slot) & 1 ? SPAN_DIR_RX : 0) |
	       ((c->span.tx_ports >> slot) & 1 ? SPAN_DIR_TX : 0);
}

/* Whether port @ep may take the fast path at all (before the probe). */
static bool candidate(const struct engine_core *c, const struct ecore_port *ep,
		      const struct xdp_fast_if *info)
{
	return !c->fast_off && !c->flows && info->native &&
	       (ep->role == ECORE_ACCESS || ep->role == ECORE_TRUNK);
}

static void sync_port(struct engine_core *c, unsigned int slot)
{
	struct ecore_port *ep = &c->ports[slot];
	struct xdp_fast_if info;
	unsigned int flags = 0;

	ep->fast = ep->fast_egress = false;
	if (!is_xdp(ep) || xdp_fast_if_get(ep->port.ifindex, &info)) {
		xdp_fast_slot_clear(slot);
		return;
	}
	ep->fast = candidate(c, ep, &info);
	if (ep->fast && ep->probe_gen != ep->gen) {
		ep->probe = xdp_fast_probe(ep->port.ifindex, slot);
		ep->probe_gen = ep->gen;
		if (ep->probe == 1) { /* the probe frame left: count it */
			ep->c.tx_packets++;
			ep->c.tx_bytes += XDP_FAST_PROBE_LEN;
		}
	}
	/* a mirrored port's frames go through the engine, which copies them */
	ep->fast_egress = ep->fast && ep->probe == 1 &&
			  !(mirrored(c, slot) & SPAN_DIR_TX);
	ep->fast = ep->fast && !(mirrored(c, slot) & SPAN_DIR_RX);
	if (ep->fast)
		flags |= XF_PORT_FAST;
	if (ep->fast_egress)
		flags |= XF_PORT_EGRESS;
	if (ep->role == ECORE_TRUNK)
		flags |= XF_PORT_TRUNK;
	if (ep->limited)
		flags |= XF_PORT_LIMITED;
	if (!ep->fast_egress)
		xdp_fast_slot_clear(slot);
	xdp_fast_port_set(ep->port.ifindex, slot,
			  ep->role == ECORE_ACCESS ? ep->part : 0, flags);
}

static void sync_parts(struct engine_core *c)
{
	struct xf_part *parts = calloc(XF_MAX_PARTS, sizeof(*parts));
	uint32_t *vids = calloc(4096, sizeof(*vids));
	unsigned int i;

	if (parts && vids) {
		for (i = 0; i < ECORE_MAX_PARTS; i++) {
			const struct ecore_part *pt = &c->parts[i];

			parts[i].members = pt->members;
			parts[i].limited = pt->limited;
			parts[i].vlan = pt->vlan;
			parts[i].active = pt->used && pt->active;
		}
		for (i = 0; i < 4096; i++)
			vids[i] = c->vid_part[i];
		xdp_fast_parts_load(parts, vids);
	}
	free(parts);
	free(vids);
}

static void push_entry(void *ctx, const struct fdb_entry *e)
{
	xdp_fast_fdb_set(e->part, e->mac, e->port);
}

void ecore_fast_sync(struct engine_core *c)
{
	unsigned int gen = xdp_fast_gen(), i;

	if (!gen)
		return; /* no AF_XDP port: nothing loaded */
	for (i = 0; i < ECORE_MAX_PORTS; i++)
		sync_port(c, i);
	sync_parts(c);
	if (gen != c->fast_gen) { /* new maps: fill them */
		xdp_fast_fdb_clear();
		fdb_foreach(c->fdb, push_entry, NULL);
		c->fast_gen = gen;
	}
}

void ecore_fast_reprobe(struct engine_core *c)
{
	bool again = false;
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &c->ports[i];

		if (ep->fast && !ep->fast_egress && ep->probe == 0) {
			ep->probe_gen = 0;
			again = true;
		}
	}
	if (again)
		ecore_fast_sync(c);
}

struct refresh_ctx {
	struct engine_core *c;
	uint64_t now_ms;
};

static void refresh_one(void *ctx, uint16_t part, uint64_t mac,
			unsigned int slot, uint64_t ago_ms)
{
	struct refresh_ctx *rc = ctx;

	if (slot < ECORE_MAX_PORTS && ago_ms < rc->now_ms)
		fdb_refresh(rc->c->fdb, part, mac, (uint16_t)slot,
			    rc->now_ms - ago_ms);
}

void ecore_fast_refresh(struct engine_core *c, uint64_t now_ms)
{
	struct refresh_ctx rc = { c, now_ms };

	if (xdp_fast_gen())
		xdp_fast_fdb_seen(refresh_one, &rc);
}

static void add_counters(struct ecore_fast_counters *fc,
			 const struct xf_counters *x)
{
	unsigned int i;

	fc->rx_packets += x->rx_packets;
	fc->rx_bytes += x->rx_bytes;
	fc->tx_packets += x->tx_packets;
	fc->tx_bytes += x->tx_bytes;
	fc->isolation += x->reason[XF_DROP_ISOLATION];
	fc->no_headroom += x->reason[XF_DROP_NO_HEADROOM];
	for (i = 0; i <= XF_SLOW_EGRESS; i++)
		fc->to_engine[i] += x->reason[i];
}

void ecore_fast_counters(const struct engine_core *c, unsigned int slot,
			 struct ecore_fast_counters *fc)
{
	struct xf_counters x;
	unsigned int i;

	memset(fc, 0, sizeof(*fc));
	if (!xdp_fast_gen())
		return;
	if (slot < ECORE_MAX_PORTS) {
		if (!xdp_fast_counters(slot, &x))
			add_counters(fc, &x);
		return;
	}
	for (i = 0; i <= XF_MAX_PORTS; i++)
		if (!xdp_fast_counters(i, &x))
			add_counters(fc, &x);
}

const char *ecore_fast_reason(unsigned int i)
{
	return i <= XF_SLOW_EGRESS ? xdp_fast_reason_name(i) : NULL;
}

const char *ecore_fast_why(const struct engine_core *c,
			   const struct ecore_port *ep)
{
	struct xdp_fast_if info;

	if (!ep->port.ops)
		return "not open";
	if (!strcmp(ep->kind, "tap"))
		return "fast path off: a tap's frames carry virtio-net offload "
		       "state (GSO, checksums) for the engine";
	if (!strcmp(ep->kind, "ipoib"))
		return "fast path off: IPoIB frames are translated by the "
		       "engine";
	if (!is_xdp(ep) && ep->port.mode_why)
		return ep->port.mode_why;
	if (!is_xdp(ep))
		return strcmp(ep->kind, "netdev") ?
			       "fast path off: not an Ethernet netdev port" :
			       "fast path off: AF_PACKET, AF_XDP not possible "
			       "here (more than one queue, no BPF, a tap, or "
			       "FABRICD_NO_XDP)";
	if (c->fast_off)
		return "fast path off: FABRICD_NO_FASTPATH is set";
	if (c->flows)
		return "fast path off: IPFIX flow export observes frames in "
		       "the engine";
	if (xdp_fast_if_get(ep->port.ifindex, &info) || !info.native)
		return "fast path off: XDP runs in generic (skb) mode here";
	if (ep->role != ECORE_ACCESS && ep->role != ECORE_TRUNK)
		return "fast path off: a mirror port";
	if (mirrored(c, (unsigned int)(ep - c->ports)))
		return "fast path off for what a mirror session copies: "
		       "through the engine";
	if (ep->probe < 0)
		return "fast path from it only: cannot measure XDP redirect to "
		       "it (no xdp_xmit counter); AF_XDP copy mode";
	if (!ep->probe)
		return "fast path from it only, measured: XDP redirect to it "
		       "fails (veth peer without NAPI: ethtool -K PEER gro "
		       "on); AF_XDP copy mode";
	return info.zerocopy ? "fast path on, measured (probe frame redirected "
			       "at open); AF_XDP zero-copy for the rest" :
			       "fast path on, measured (probe frame redirected "
			       "at open); AF_XDP copy mode for the rest";
}
