// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine's side of IPFIX export (docs/ipfix.md): the flow cache the
 * forwarding thread fills (ecore_flow_set()), drained and shown from the
 * main thread under the engine lock.
 */
#include "fabricd/engine/engine_priv.h"

#include <errno.h>
#include <string.h>

#include "eth/flow.h"
#include "ipoib/port_ipoib.h"
#include "lib/port.h"

static bool same_config(const struct flow_cache *fc,
			const struct flow_config *want)
{
	struct flow_config have, w = *want;

	flow_cache_config(fc, &have);
	flow_config_defaults(&w);
	return have.size == w.size && have.part_limit == w.part_limit &&
	       have.queue == w.queue && have.active_ms == w.active_ms &&
	       have.idle_ms == w.idle_ms;
}

int engine_flow_set(struct engine *e, const struct flow_config *cfg,
		    uint32_t sampling)
{
	struct flow_cache *fc = NULL, *old;

	engine_lock(e);
	if (cfg && e->flows && same_config(e->flows, cfg)) {
		e->flow_sampling = sampling;
		ecore_flow_set(&e->core, e->flows, sampling);
		engine_unlock(e);
		return 0;
	}
	engine_unlock(e);
	if (cfg && !(fc = flow_cache_create(cfg)))
		return -errno;
	engine_lock(e);
	old = e->flows;
	e->flows = fc;
	e->flow_sampling = fc ? sampling : 0;
	ecore_flow_set(&e->core, fc, sampling);
	engine_unlock(e);
	flow_cache_destroy(old);
	return 0;
}

static uint32_t slot_ifindex(const struct engine *e, uint16_t slot)
{
	const struct ecore_port *ep;

	if (slot >= ECORE_MAX_PORTS)
		return 0; /* FLOW_PORT_MANY: flooded */
	ep = &e->core.ports[slot];
	return ep->used && ep->port.ifindex > 0 ? (uint32_t)ep->port.ifindex :
						  0;
}

/* A batch of records and the engine they came from, for fill_ib(). */
struct ib_batch {
	const struct engine *e;
	struct flow_record *r;
	unsigned int n;
};

static const char *slot_name(const struct engine *e, uint16_t slot)
{
	if (slot >= ECORE_MAX_PORTS || !e->core.ports[slot].used)
		return "";
	return e->core.ports[slot].port.name;
}

/* One side of a flow through ipoib port @v: the neighbour behind @mac. */
static void ib_remote(const struct ipoib_port_view *v, const uint8_t mac[6],
		      uint32_t *qpn, uint8_t gid[16])
{
	struct ipoib_hwaddr hw;
	struct ipoib_gid g;

	if (ipoib_neigh_lookup_mac(v->neigh, v->pkey, mac, &hw))
		return; /* not known (broadcast, aged out): stays 0 */
	*qpn = ipoib_hwaddr_qpn(&hw);
	ipoib_hwaddr_gid(&hw, &g);
	memcpy(gid, g.raw, 16);
}

static void ib_local(const struct ipoib_port_view *v, uint32_t *qpn,
		     uint8_t gid[16])
{
	struct ipoib_gid g;

	*qpn = ipoib_hwaddr_qpn(&v->local);
	ipoib_hwaddr_gid(&v->local, &g);
	memcpy(gid, g.raw, 16);
}

/*
 * The IB side of the batch's flows through ipoib port @v: its PKey, our QP
 * and GID on one side, the neighbour's (from the MAC derived for it,
 * ipoib/neigh.h) on the other. LIDs are not in the view: they stay 0.
 */
static void fill_ib(void *arg, const struct ipoib_port_view *v)
{
	struct ib_batch *b = arg;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		struct flow_record *r = &b->r[i];
		struct flow_ib *ib = &r->ib;
		bool in = !strcmp(slot_name(b->e, r->key.in_port), v->name);

		if (!r->has_ib ||
		    (!in && strcmp(slot_name(b->e, r->key.out_port), v->name)))
			continue;
		if (in) {
			ib_remote(v, r->key.src_mac, &ib->src_qpn, ib->src_gid);
			ib_local(v, &ib->dst_qpn, ib->dst_gid);
		} else {
			ib_local(v, &ib->src_qpn, ib->src_gid);
			ib_remote(v, r->key.dst_mac, &ib->dst_qpn, ib->dst_gid);
		}
	}
}

static void fill_ib_batch(const struct engine *e, struct flow_record *r,
			  unsigned int n)
{
	struct ipoib_kind *k = port_kind_priv(&ipoib_port_ops);
	struct ib_batch b = { .e = e, .r = r, .n = n };
	unsigned int i;

	for (i = 0; i < n && !r[i].has_ib; i++)
		;
	if (k && i < n)
		ipoib_port_foreach(k, fill_ib, &b);
}

unsigned int engine_flow_drain(struct engine *e, uint64_t now_ms, bool flush,
			       struct flow_record *out, unsigned int max)
{
	unsigned int n = 0, i;

	engine_lock(e);
	if (e->flows) {
		if (flush)
			flow_cache_flush(e->flows, FLOW_END_FORCED);
		else
			flow_cache_expire(e->flows, now_ms);
		n = flow_cache_pop(e->flows, out, max);
		for (i = 0; i < n; i++) {
			out[i].in_ifindex = slot_ifindex(e, out[i].key.in_port);
			out[i].out_ifindex =
				slot_ifindex(e, out[i].key.out_port);
		}
		fill_ib_batch(e, out, n);
	}
	engine_unlock(e);
	return n;
}

static json_t *ended_json(const struct flow_part_stats *st)
{
	json_t *o = json_object();
	unsigned int r;

	for (r = 1; r < FLOW_END_MAX; r++)
		json_object_set_new(o, flow_end_name(r),
				    json_integer((json_int_t)st->ended[r]));
	return o;
}

static json_t *stats_json(const struct flow_part_stats *st)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "entries",
			 (json_int_t)st->entries, "created",
			 (json_int_t)st->created, "records",
			 (json_int_t)st->records, "dropped",
			 (json_int_t)st->dropped, "overflow",
			 (json_int_t)st->overflow, "ended", ended_json(st));
}

json_t *engine_flow_part_json_locked(const struct engine *e, uint16_t part)
{
	struct flow_part_stats st;

	if (!e->flows || part >= FLOW_PARTS_MAX)
		return NULL;
	flow_cache_part_stats(e->flows, part, &st);
	return stats_json(&st);
}

static json_t *parts_json(const struct engine *e)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PARTS && i < FLOW_PARTS_MAX; i++) {
		const struct ecore_part *pt = &e->core.parts[i];
		json_t *o;

		if (!pt->used)
			continue;
		o = engine_flow_part_json_locked(e, (uint16_t)i);
		json_object_set_new(o, "name", json_string(pt->name));
		json_object_set_new(o, "pkey", json_integer(pt->pkey));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *engine_flow_json(struct engine *e)
{
	struct flow_part_stats st;
	struct flow_config cfg;
	json_t *o;

	engine_lock(e);
	if (!e->flows) {
		engine_unlock(e);
		return json_pack("{s:b}", "enabled", 0);
	}
	flow_cache_config(e->flows, &cfg);
	flow_cache_stats(e->flows, &st);
	o = stats_json(&st);
	json_object_set_new(o, "enabled", json_true());
	json_object_set_new(o, "sampling", json_integer(e->flow_sampling));
	json_object_set_new(o, "size", json_integer(cfg.size));
	json_object_set_new(o, "partition_limit", json_integer(cfg.part_limit));
	json_object_set_new(o, "partitions", parts_json(e));
	engine_unlock(e);
	return o;
}
