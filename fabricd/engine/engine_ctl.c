// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine's control commands (port/add, port/del, port/list, fdb/show,
 * fdb/aging, stats). They run in the control thread and take the engine
 * lock, so the forwarding thread sees a change between two wake-ups.
 * Results are JSON with stable keys; fabricctl prints them.
 */
#include "fabricd/engine/engine_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth/frame.h"
#include "eth/port_netdev.h"
#include "eth/tap_offloads.h"
#include "eth/vnet.h"
#include "ipoib/neigh_ctl.h"
#include "ipoib/port_peer.h"
#include "lib/ctl_server.h"
#include "lib/util.h"

static json_t *counters_json(const struct ecore_counters *c)
{
	json_t *drops = json_object();
	unsigned int i;

	for (i = 0; i < ECORE_DROP_MAX; i++)
		json_object_set_new(drops, ecore_drop_name(i),
				    json_integer(c->drops[i]));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "rx_packets",
			 (json_int_t)c->rx_packets, "rx_bytes",
			 (json_int_t)c->rx_bytes, "tx_packets",
			 (json_int_t)c->tx_packets, "tx_bytes",
			 (json_int_t)c->tx_bytes, "flooded",
			 (json_int_t)c->flooded, "drops", drops);
}

/*
 * A partition's or port's share of the MAC table; @unlimited names a limit
 * of 0 ("shared" for partitions, null for ports).
 */
static json_t *share_json(const struct fdb_share *sh, json_t *unlimited)
{
	json_t *o = json_pack("{s:i, s:i, s:I, s:I}", "entries",
			      (int)sh->entries, "may_hold", (int)sh->max_now,
			      "refused", (json_int_t)sh->refused, "full",
			      (json_int_t)sh->full);

	json_object_set_new(o, "limit",
			    sh->limit ? json_integer(sh->limit) : unlimited);
	return o;
}

static json_t *port_fdb_json(const struct engine *e, unsigned int slot)
{
	struct fdb_share sh;

	fdb_port_share(e->core.fdb, slot, &sh);
	return share_json(&sh, json_null());
}

static json_t *part_fdb_json(const struct engine *e, unsigned int idx)
{
	struct fdb_share sh;

	fdb_part_share(e->core.fdb, idx, &sh);
	return share_json(&sh, json_string("shared"));
}

/* The offloads a port takes whole, by the names ethtool gives them. */
static json_t *offloads_json(uint32_t offloads)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ VNET_TUN_F_CSUM, "tx-checksum" },
		{ VNET_TUN_F_TSO4, "tso4" },
		{ VNET_TUN_F_TSO6, "tso6" },
		{ VNET_TUN_F_TSO_ECN, "tso-ecn" },
		{ VNET_TUN_F_UFO, "ufo" },
		{ VNET_TUN_F_USO4, "uso4" },
		{ VNET_TUN_F_USO6, "uso6" },
	};
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (offloads & names[i].bit)
			json_array_append_new(a, json_string(names[i].name));
	return a;
}

/*
 * The offloads the port's tap negotiated (TUNSETOFFLOAD): fabricd's for a
 * tap it holds, the guest's (through QEMU) for a tap read with AF_PACKET;
 * null for a port on no tap, or closed.
 */
static json_t *tap_offloads_json(const struct ecore_port *ep)
{
	uint32_t ol;

	if (!ep->port.ops)
		return json_null();
	if (!strcmp(ep->kind, "tap"))
		return offloads_json(ep->port.tun_offloads);
	if (!port_netdev_is_tap(ep->port.name) ||
	    tap_offloads_read(ep->port.name, &ol))
		return json_null();
	return offloads_json(ol);
}

static const char *port_role(const struct ecore_port *ep)
{
	return ep->role == ECORE_TRUNK	? "trunk" :
	       ep->role == ECORE_MIRROR ? "mirror" :
					  "access";
}

static const char *port_state(const struct ecore_port *ep)
{
	if (ep->port.ops)
		return "up";
	return ep->refused[0] ? "refused" : "absent";
}

/* What the XDP fast path did, as its own object. */
static json_t *fast_json(const struct ecore_fast_counters *fc)
{
	json_t *why = json_object();
	const char *name;
	unsigned int i;

	for (i = 0; (name = ecore_fast_reason(i)); i++)
		json_object_set_new(why, name, json_integer(fc->to_engine[i]));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "rx_packets",
			 (json_int_t)fc->rx_packets, "rx_bytes",
			 (json_int_t)fc->rx_bytes, "tx_packets",
			 (json_int_t)fc->tx_packets, "tx_bytes",
			 (json_int_t)fc->tx_bytes, "isolation",
			 (json_int_t)fc->isolation, "no_headroom",
			 (json_int_t)fc->no_headroom, "to_engine", why);
}

/*
 * @c with what the fast path did added in: its frames count as received
 * and sent, its drops under their reasons. The fast path's own figures
 * in *@fc.
 */
static struct ecore_counters merged(const struct engine_core *core,
				    unsigned int slot,
				    const struct ecore_counters *c,
				    struct ecore_fast_counters *fc)
{
	struct ecore_counters m = *c;

	ecore_fast_counters(core, slot, fc);
	m.rx_packets += fc->rx_packets;
	m.rx_bytes += fc->rx_bytes;
	m.tx_packets += fc->tx_packets;
	m.tx_bytes += fc->tx_bytes;
	m.drops[ECORE_DROP_ISOLATION] += fc->isolation;
	m.drops[ECORE_DROP_NO_BUFFER] += fc->no_headroom;
	return m;
}

/* A peer port's announcement counters (ipoib/port_peer.h), or NULL. */
static json_t *peer_ann_json(const struct ecore_port *ep)
{
	struct peer_ann_stats a;

	if (!ep->port.ops || peer_port_ann_stats((struct port *)&ep->port, &a))
		return NULL;
	return ipoib_peer_ann_json(&a);
}

static json_t *port_json(const struct engine *e, const struct ecore_port *ep)
{
	const struct ecore_part *pt =
		ep->role == ECORE_ACCESS ? &e->core.parts[ep->part] : NULL;
	unsigned int slot = (unsigned int)(ep - e->core.ports);
	struct ecore_fast_counters fc;
	struct ecore_counters c = merged(&e->core, slot, &ep->c, &fc);
	json_t *o = counters_json(&c);
	struct port_hw_stats hw;

	port_stats((struct port *)&ep->port, &hw);
	json_object_set_new(o, "name", json_string(ep->port.name));
	json_object_set_new(o, "kind", json_string(ep->kind));
	json_object_set_new(o, "mode",
			    ep->port.ops ? json_string(ep->port.mode) :
					   json_null());
	json_object_set_new(o, "fast_path", json_boolean(ep->fast));
	json_object_set_new(o, "mode_reason",
			    json_string(ecore_fast_why(&e->core, ep)));
	json_object_set_new(o, "xdp", fast_json(&fc));
	json_object_set_new(o, "role", json_string(port_role(ep)));
	json_object_set_new(o, "partition",
			    pt ? json_string(pt->name) : json_null());
	json_object_set_new(o, "membership",
			    json_string(ep->limited ? "limited" : "full"));
	json_object_set_new(o, "state", json_string(port_state(ep)));
	json_object_set_new(o, "error",
			    ep->refused[0] ? json_string(ep->refused) :
			    ep->error	   ? json_string(strerror(-ep->error)) :
					     json_null());
	json_object_set_new(o, "source",
			    json_string(ep->runtime ? "runtime" : "policy"));
	json_object_set_new(o, "kernel_rx_dropped",
			    json_integer(hw.rx_dropped));
	if (!strcmp(ep->kind, "peer"))
		json_object_set_new(o, "peer", peer_ann_json(ep));
	json_object_set_new(
		o, "fdb", port_fdb_json(e, (unsigned int)(ep - e->core.ports)));
	json_object_set_new(o, "offloads", offloads_json(ep->port.offloads));
	json_object_set_new(o, "tap_offloads", tap_offloads_json(ep));
	json_object_set_new(o, "gso_segmented",
			    json_integer(ep->sw.gso_segmented));
	json_object_set_new(o, "gso_segments",
			    json_integer(ep->sw.gso_segments));
	json_object_set_new(o, "csum_completed",
			    json_integer(ep->sw.csum_completed));
	json_object_set_new(o, "bytes_copied",
			    json_integer(ep->sw.bytes_copied));
	return o;
}

static json_t *ports_json(const struct engine *e)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if (e->core.ports[i].used)
			json_array_append_new(a,
					      port_json(e, &e->core.ports[i]));
	return a;
}

static int cmd_port_list(int argc, const char *const argv[], void *aux,
			 json_t **result, char **error)
{
	struct engine *e = aux;

	engine_lock(e);
	*result = ports_json(e);
	engine_unlock(e);
	return 0;
}

/*
 * Arguments after IFNAME: partition NAME [limited] | trunk | mirror, then
 * [tap | ipoib]. An ipoib port ("DEV[:PORT].PKEY") carries one partition:
 * never a trunk nor a mirror port (a dedicated mirror destination, in no
 * partition: fabricd/engine/span.h).
 */
struct port_args {
	const char *part;
	bool limited;
	bool trunk;
	bool mirror;
	const char *kind;
};

static int parse_port_args(int argc, const char *const argv[],
			   struct port_args *pa, char **error)
{
	int i = 1;

	memset(pa, 0, sizeof(*pa));
	pa->kind = "netdev";
	if (i < argc && !strcmp(argv[i], "trunk")) {
		pa->trunk = true;
		i++;
	} else if (i < argc && !strcmp(argv[i], "mirror")) {
		pa->mirror = true;
		i++;
	} else if (i + 1 < argc && !strcmp(argv[i], "partition")) {
		pa->part = argv[i + 1];
		i += 2;
	} else {
		return engine_fail(
			error, -EINVAL, "%s",
			"usage: IFNAME (partition NAME [limited] | trunk | "
			"mirror) [tap | ipoib | dummy]");
	}
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "limited") && pa->part)
			pa->limited = true;
		else if (!strcmp(argv[i], "tap") || !strcmp(argv[i], "ipoib") ||
			 !strcmp(argv[i], "dummy"))
			pa->kind = argv[i];
		else
			return engine_fail(error, -EINVAL, "unexpected '%s'",
					   argv[i]);
	}
	if ((pa->trunk || pa->mirror) && !strcmp(pa->kind, "ipoib"))
		return engine_fail(error, -EINVAL, "%s",
				   "an ipoib port carries one partition: use "
				   "partition NAME, not trunk or mirror");
	return 0;
}

static int port_add_locked(struct engine *e, const char *name,
			   const struct port_args *pa, char **error)
{
	int part = 0, slot, ret;

	if (!port_ops_find(pa->kind))
		return engine_fail(
			error, -EINVAL,
			"no port kind '%s' here (dummy needs fabricd "
			"--dummy)",
			pa->kind);
	if (pa->part) {
		part = ecore_part_find(&e->core, pa->part);
		if (part < 0)
			return engine_fail(error, -ENOENT,
					   "no partition '%s' in the policy",
					   pa->part);
	}
	if (ecore_port_find(&e->core, name) >= 0)
		return engine_fail(
			error, -EEXIST,
			"port %s exists; delete it first to change it", name);
	ret = engine_check_port(e, name, pa->kind, ECORE_MAX_PORTS, error);
	if (ret)
		return ret;
	slot = ecore_port_add(&e->core, name, pa->kind,
			      pa->trunk	 ? ECORE_TRUNK :
			      pa->mirror ? ECORE_MIRROR :
					   ECORE_ACCESS,
			      part, pa->limited);
	if (slot < 0)
		return engine_fail(error, slot, "cannot add port %s", name);
	e->core.ports[slot].runtime = true;
	engine_sync_epoll(e);
	return slot;
}

static int cmd_port_add(int argc, const char *const argv[], void *aux,
			json_t **result, char **error)
{
	struct engine *e = aux;
	struct port_args pa;
	int ret;

	ret = parse_port_args(argc, argv, &pa, error);
	if (ret)
		return ret;
	engine_lock(e);
	ret = port_add_locked(e, argv[0], &pa, error);
	if (ret >= 0) {
		*result = port_json(e, &e->core.ports[ret]);
		ret = 0;
	}
	engine_unlock(e);
	return ret;
}

static int cmd_port_del(int argc, const char *const argv[], void *aux,
			json_t **result, char **error)
{
	struct engine *e = aux;
	int slot;

	engine_lock(e);
	slot = ecore_port_find(&e->core, argv[0]);
	if (slot >= 0) {
		ecore_port_del(&e->core, slot);
		engine_sync_epoll(e);
	}
	engine_unlock(e);
	if (slot < 0)
		return engine_fail(error, -ENOENT, "no port %s", argv[0]);
	*result = NULL;
	return 0;
}

struct fdb_dump {
	const struct engine *e;
	json_t *arr;
	int part; /* FDB_ANY or the partition asked for */
	uint64_t now;
};

/*
 * The peer a MAC learned on peer port @ep is behind: {gid, qpn, lid}, or
 * null (not a peer port, or not in its table).
 */
static json_t *fdb_peer_json(const struct ecore_port *ep, uint64_t mac64)
{
	struct peer_kind *k = port_kind_priv(&peer_port_ops);
	struct ipoib_gid gid;
	struct peer_info p;
	uint8_t mac[6];
	char g[48];
	int i;

	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)(mac64 >> (40 - 8 * i));
	if (strcmp(ep->kind, "peer") || !k ||
	    peer_kind_mac_peer(k, ep->port.name, mac, &p))
		return json_null();
	ipoib_hwaddr_gid(&p.addr, &gid);
	return json_pack("{s:s, s:I, s:i}", "gid",
			 ipoib_gid_format(&gid, g, sizeof(g)), "qpn",
			 (json_int_t)ipoib_hwaddr_qpn(&p.addr), "lid",
			 (int)p.lid);
}

static void fdb_entry_json(void *ctx, const struct fdb_entry *fe)
{
	struct fdb_dump *d = ctx;
	const struct ecore_part *pt = &d->e->core.parts[fe->part];
	const struct ecore_port *ep = &d->e->core.ports[fe->port];
	char mac[18];

	if (d->part != FDB_ANY && fe->part != d->part)
		return;
	frame_mac_format(fe->mac, mac, sizeof(mac));
	json_array_append_new(
		d->arr, json_pack("{s:s, s:i, s:s, s:s, s:I, s:o}", "partition",
				  pt->name, "vlan", pt->vlan, "mac", mac,
				  "port", ep->port.name, "age_ms",
				  (json_int_t)(d->now > fe->seen_ms ?
						       d->now - fe->seen_ms :
						       0),
				  "peer", fdb_peer_json(ep, fe->mac)));
}

static int cmd_fdb_show(int argc, const char *const argv[], void *aux,
			json_t **result, char **error)
{
	struct engine *e = aux;
	struct fdb_dump d = { .e = e, .part = FDB_ANY };

	if (argc == 1 || (argc == 2 && strcmp(argv[0], "partition")))
		return engine_fail(error, -EINVAL, "%s",
				   "usage: [partition NAME]");
	engine_lock(e);
	/* what the fast path forwarded counts as seen */
	ecore_fast_refresh(&e->core, util_now_ms());
	if (argc == 2)
		d.part = ecore_part_find(&e->core, argv[1]);
	if (d.part == -ENOENT) {
		engine_unlock(e);
		return engine_fail(error, -ENOENT, "no partition '%s'",
				   argv[1]);
	}
	d.arr = json_array();
	d.now = util_now_ms();
	/* Entries past their age wait for the next sweep: age them now. */
	fdb_age(e->core.fdb, d.now);
	fdb_foreach(e->core.fdb, fdb_entry_json, &d);
	engine_unlock(e);
	*result = d.arr;
	return 0;
}

static int cmd_fdb_aging(int argc, const char *const argv[], void *aux,
			 json_t **result, char **error)
{
	struct engine *e = aux;
	uint64_t ms;

	if (argc == 1 && util_parse_u64(argv[0], 86400000, &ms))
		return engine_fail(error, -EINVAL, "'%s': want milliseconds",
				   argv[0]);
	engine_lock(e);
	if (argc == 1)
		fdb_set_aging(e->core.fdb, ms);
	*result = json_pack("{s:I}", "aging_ms",
			    (json_int_t)fdb_get_aging(e->core.fdb));
	engine_unlock(e);
	return 0;
}

/* "N", or @none ("shared", "none"): 0. Returns 0 or -EINVAL, said. */
static int parse_limit(const char *s, const char *none, unsigned int *limit,
		       char **error)
{
	uint64_t v;

	if (!strcmp(s, none)) {
		*limit = 0;
		return 0;
	}
	if (util_parse_u64(s, UINT32_MAX, &v) || !v)
		return engine_fail(error, -EINVAL,
				   "'%s': want a number of entries or '%s'", s,
				   none);
	*limit = (unsigned int)v;
	return 0;
}

/* fdb/limit partition NAME [N|shared]: lock held. */
static int part_limit_locked(struct engine *e, int argc,
			     const char *const argv[], json_t **result,
			     char **error)
{
	int idx = ecore_part_find(&e->core, argv[1]), ret;
	unsigned int limit;

	if (idx < 0)
		return engine_fail(error, -ENOENT, "no partition '%s'",
				   argv[1]);
	if (argc == 3) {
		if (parse_limit(argv[2], "shared", &limit, error))
			return -EINVAL;
		ret = ecore_part_fdb_limit(&e->core, idx, limit, true);
		if (ret == -ENOSPC || ret == -EINVAL)
			return engine_fail(
				error, ret,
				"%s: the fixed quotas would add up to "
				"more than the MAC table holds "
				"(fabricctl stats: fdb size)",
				argv[2]);
	}
	*result = part_fdb_json(e, idx);
	json_object_set_new(*result, "partition", json_string(argv[1]));
	return 0;
}

/* fdb/limit port IFNAME [N|none]: lock held. */
static int port_limit_locked(struct engine *e, int argc,
			     const char *const argv[], json_t **result,
			     char **error)
{
	int slot = ecore_port_find(&e->core, argv[1]);
	unsigned int limit;

	if (slot < 0)
		return engine_fail(error, -ENOENT, "no port %s", argv[1]);
	if (argc == 3) {
		if (parse_limit(argv[2], "none", &limit, error))
			return -EINVAL;
		fdb_set_port_limit(e->core.fdb, slot, limit);
		e->core.ports[slot].fdb_limit_runtime = true;
	}
	*result = port_fdb_json(e, slot);
	json_object_set_new(*result, "port", json_string(argv[1]));
	return 0;
}

static int cmd_fdb_limit(int argc, const char *const argv[], void *aux,
			 json_t **result, char **error)
{
	struct engine *e = aux;
	int ret;

	if (strcmp(argv[0], "partition") && strcmp(argv[0], "port"))
		return engine_fail(error, -EINVAL, "%s",
				   "usage: (partition NAME [N | shared]) | "
				   "(port IFNAME [N | none])");
	engine_lock(e);
	if (!strcmp(argv[0], "partition"))
		ret = part_limit_locked(e, argc, argv, result, error);
	else
		ret = port_limit_locked(e, argc, argv, result, error);
	engine_unlock(e);
	return ret;
}

static json_t *parts_json(const struct engine *e)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PARTS; i++) {
		const struct ecore_part *pt = &e->core.parts[i];
		json_t *o, *fl;

		if (!pt->used)
			continue;
		o = counters_json(&pt->c);
		json_object_set_new(o, "name", json_string(pt->name));
		json_object_set_new(o, "pkey", json_integer(pt->pkey));
		json_object_set_new(o, "vlan", json_integer(pt->vlan));
		json_object_set_new(o, "active", json_boolean(pt->active));
		json_object_set_new(o, "fdb", part_fdb_json(e, i));
		fl = engine_flow_part_json_locked(e, (uint16_t)i);
		if (fl) /* IPFIX export on: its flow cache */
			json_object_set_new(o, "flow", fl);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *engine_json(const struct engine *e)
{
	struct fdb_stats fs;
	json_t *drops = json_object();
	unsigned int i;

	struct ecore_fast_counters fc;
	struct ecore_counters c = { 0 };
	json_t *o;

	memcpy(c.drops, e->core.drops, sizeof(c.drops));
	c = merged(&e->core, ECORE_MAX_PORTS, &c, &fc);
	fdb_get_stats(e->core.fdb, &fs);
	for (i = 0; i < ECORE_DROP_MAX; i++)
		json_object_set_new(drops, ecore_drop_name(i),
				    json_integer(c.drops[i]));
	o = json_pack("{s:s, s:s, s:b, s:I, s:{s:i, s:i, s:i, s:b}, "
		      "s:{s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I}, "
		      "s:o, s:I, s:I}",
		      "partitions_from", e->eth_only ? "policy" : "ib",
		      "poll_mode", e->busy_poll ? "busy-poll" : "epoll",
		      "running", e->running, "bytes_copied",
		      (json_int_t)e->core.bytes_copied, "pool", "buffers",
		      (int)pool_size(e->pool), "free", (int)pool_avail(e->pool),
		      "buf_size", (int)pool_buf_size(e->pool), "hugepages",
		      pool_hugepages(e->pool), "fdb", "size",
		      (int)fdb_max_entries(e->core.fdb), "entries",
		      (int)fs.entries, "reserved", (int)fs.reserved, "learned",
		      (json_int_t)fs.learned, "moved", (json_int_t)fs.moved,
		      "aged", (json_int_t)fs.aged, "full", (json_int_t)fs.full,
		      "part_limit", (json_int_t)fs.part_limit, "port_limit",
		      (json_int_t)fs.port_limit, "drops", drops, "wakeups",
		      (json_int_t)e->wakeups, "bursts", (json_int_t)e->bursts);
	json_object_set_new(o, "threads", json_integer(e->n_threads));
	json_object_set_new(o, "xdp", fast_json(&fc));
	return o;
}

json_t *engine_stats_json(struct engine *e)
{
	json_t *o;

	engine_lock(e);
	o = engine_json(e);
	json_object_set_new(o, "ports", ports_json(e));
	json_object_set_new(o, "partitions", parts_json(e));
	json_object_set_new(o, "mirrors", engine_mirrors_json_locked(e));
	engine_unlock(e);
	return o;
}

static int cmd_stats(int argc, const char *const argv[], void *aux,
		     json_t **result, char **error)
{
	*result = engine_stats_json(aux);
	return *result ? 0 : -ENOMEM;
}

struct engine_cmd {
	const char *name;
	const char *usage;
	int min_args, max_args;
	ctl_handler_fn fn;
};

static int cmd_ha_show(int argc, const char *const argv[], void *aux,
		       json_t **result, char **error)
{
	return engine_ha_show(aux, result);
}

static const struct engine_cmd engine_cmds[] = {
	{ "port/add",
	  "IFNAME (partition NAME [limited] | trunk | mirror) "
	  "[tap | ipoib | dummy]",
	  2, 5, cmd_port_add },
	{ "port/del", "IFNAME", 1, 1, cmd_port_del },
	{ "port/list", "", 0, 0, cmd_port_list },
	{ "fdb/show", "[partition NAME]", 0, 2, cmd_fdb_show },
	{ "fdb/aging", "[MS]", 0, 1, cmd_fdb_aging },
	{ "fdb/limit",
	  "(partition NAME [N | shared]) | (port IFNAME [N | none])", 2, 3,
	  cmd_fdb_limit },
	{ "stats", "", 0, 0, cmd_stats },
	{ "ha/show", "", 0, 0, cmd_ha_show },
};

void engine_register_commands(struct engine *e, struct ctl_server *srv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(engine_cmds); i++)
		ctl_server_register(srv, engine_cmds[i].name,
				    engine_cmds[i].usage,
				    engine_cmds[i].min_args,
				    engine_cmds[i].max_args, engine_cmds[i].fn,
				    e);
	engine_register_mirror_commands(e, srv);
}
