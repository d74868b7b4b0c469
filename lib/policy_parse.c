// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The syntax pass of the policy loader: the keys of each section. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/ib.h"
#include "lib/policy_loader.h"
#include "lib/util.h"

/* ---- fabric: --------------------------------------------------------- */

static void pin_guid(struct loader *ld, yaml_node_t *v, void *ctx)
{
	pload_guid(ld, v, "port GUID", &((struct policy_lid_pin *)ctx)->guid);
}

static void pin_lid(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct policy_lid_pin *pin = ctx;
	uint64_t lid;
	const char *s = pload_scalar(ld, v, "lid");

	if (!s)
		return;
	if (util_parse_u64(s, UINT64_MAX, &lid)) {
		pload_error(ld, v,
			    "lid '%s' is not a number; write it like 0x0010",
			    s);
		return;
	}
	if (lid < POLICY_LID_MIN || lid > POLICY_LID_MAX) {
		pload_error(ld, v,
			    "lid %s is not a unicast LID; pin a LID in "
			    "0x0001..0xbfff",
			    s);
		return;
	}
	pin->lid = (uint16_t)lid;
}

static const struct key_handler pin_keys[] = {
	{ "guid", true, pin_guid },
	{ "lid", true, pin_lid },
};

static void parse_pin(struct loader *ld, yaml_node_t *item, void *ctx,
		      size_t idx)
{
	struct policy_lid_pin *pin = &ld->pol->lid_pins[idx];

	pin->loc = pload_loc(item);
	pload_mapping(ld, item, "a LID pin", pin_keys, ARRAY_SIZE(pin_keys),
		      pin);
}

static void fabric_name(struct loader *ld, yaml_node_t *v, void *ctx)
{
	pload_name(ld, v, "fabric name", POLICY_NAME_MAX,
		   &ld->pol->fabric_name);
}

static void fabric_pins(struct loader *ld, yaml_node_t *v, void *ctx)
{
	ld->pol->lid_pins = pload_calloc(ld, pload_list_len(v),
					 sizeof(struct policy_lid_pin));
	ld->pol->n_lid_pins = pload_list(ld, v, "lid_pins", parse_pin, NULL);
}

static void fabric_pkey_table(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t n;

	if (!pload_uint(ld, v, "pkey_table_size", 2, 32768, &n))
		ld->pol->pkey_table_size = (unsigned int)n;
}

static const struct key_handler fabric_keys[] = {
	{ "name", false, fabric_name },
	{ "lid_pins", false, fabric_pins },
	{ "pkey_table_size", false, fabric_pkey_table },
};

/* ---- partitions: -------------------------------------------------------- */

struct member_ctx {
	struct policy_member *m;
	unsigned int n_sel;
};

static void member_guid(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct member_ctx *c = ctx;

	c->n_sel++;
	c->m->sel = POLICY_SEL_GUID;
	pload_guid(ld, v, "port GUID", &c->m->guid);
}

static void member_flag(struct loader *ld, yaml_node_t *v, struct member_ctx *c,
			enum policy_selector sel)
{
	const char *name = policy_selector_name(sel);
	bool on;

	c->n_sel++;
	c->m->sel = sel;
	if (pload_bool(ld, v, name, &on))
		return;
	if (!on)
		pload_error(ld, v,
			    "'%s: false' selects no port; remove the entry or "
			    "write '%s: true'",
			    name, name);
}

static void member_all_cas(struct loader *ld, yaml_node_t *v, void *ctx)
{
	member_flag(ld, v, ctx, POLICY_SEL_ALL_CAS);
}

static void member_all_switches(struct loader *ld, yaml_node_t *v, void *ctx)
{
	member_flag(ld, v, ctx, POLICY_SEL_ALL_SWITCHES);
}

static void member_all(struct loader *ld, yaml_node_t *v, void *ctx)
{
	member_flag(ld, v, ctx, POLICY_SEL_ALL);
}

static void member_node(struct loader *ld, yaml_node_t *v, void *ctx)
{
	const char *s = pload_scalar(ld, v, "node pattern"), *why = NULL;
	struct member_ctx *c = ctx;

	c->n_sel++;
	c->m->sel = POLICY_SEL_NODE;
	if (!s)
		return;
	if (strlen(s) > POLICY_NODE_PATTERN_MAX)
		pload_error(ld, v, "node pattern is longer than %d characters",
			    POLICY_NODE_PATTERN_MAX);
	else if (policy_node_pattern_check(s, &why))
		pload_error(ld, v, "node pattern '%s': %s", s, why);
	else
		c->m->node = pload_strdup(ld, s);
}

static void member_membership(struct loader *ld, yaml_node_t *v, void *ctx)
{
	pload_membership(ld, v, true,
			 &((struct member_ctx *)ctx)->m->membership);
}

static const struct key_handler member_keys[] = {
	{ "guid", false, member_guid },
	{ "all_cas", false, member_all_cas },
	{ "all_switches", false, member_all_switches },
	{ "all", false, member_all },
	{ "node", false, member_node },
	{ "membership", true, member_membership },
};

static void parse_member(struct loader *ld, yaml_node_t *item, void *ctx,
			 size_t idx)
{
	struct policy_partition *p = ctx;
	struct member_ctx c = { .m = &p->members[idx] };

	c.m->loc = pload_loc(item);
	pload_mapping(ld, item, "a member", member_keys,
		      ARRAY_SIZE(member_keys), &c);
	if (item->type != YAML_MAPPING_NODE)
		return;
	if (!c.n_sel)
		pload_error(ld, item,
			    "a member needs one of guid, node, all_cas, "
			    "all_switches or all");
	else if (c.n_sel > 1)
		pload_error(ld, item,
			    "a member takes only one of guid, node, "
			    "all_cas, all_switches and all; write one "
			    "entry each");
}

struct part_ctx {
	struct policy_partition *p;
	struct part_locs *l;
};

static void part_name(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;

	c->l->name = pload_loc(v);
	pload_name(ld, v, "partition name", POLICY_NAME_MAX, &c->p->name);
}

static void part_pkey(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;
	const char *s = pload_scalar(ld, v, "pkey");
	uint64_t k;

	c->l->pkey = pload_loc(v);
	if (!s)
		return;
	if (util_parse_u64(s, UINT64_MAX, &k)) {
		pload_error(ld, v,
			    "pkey '%s' is not a number; write it like 0x0001",
			    s);
	} else if (k > 0xffff) {
		pload_error(ld, v,
			    "pkey %s is out of range; a PKey is 0x0001..0x7ffe "
			    "(or 0x8001..0xfffe with the full-member bit)",
			    s);
	} else if ((k & IB_PKEY_BASE_MASK) == 0) {
		pload_error(ld, v,
			    "pkey %s is the invalid PKey; pick 0x0001..0x7ffe",
			    s);
	} else if ((k & IB_PKEY_BASE_MASK) == IB_PKEY_DEFAULT) {
		pload_error(ld, v,
			    "pkey %s is the default partition, which OpenSM "
			    "always keeps; pick 0x0001..0x7ffe",
			    s);
	} else {
		c->p->pkey = (uint16_t)(k & IB_PKEY_BASE_MASK);
	}
}

static void part_vlan(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;
	uint64_t vid;

	c->l->vlan = pload_loc(v);
	c->l->vlan_set = true;
	if (!pload_uint(ld, v, "vlan", POLICY_VLAN_MIN, POLICY_VLAN_MAX, &vid))
		c->p->vlan = (uint16_t)vid;
}

static void part_ipoib(struct loader *ld, yaml_node_t *v, void *ctx)
{
	pload_bool(ld, v, "ipoib", &((struct part_ctx *)ctx)->p->ipoib);
}

static void part_peer(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;

	c->l->peer = pload_loc(v);
	pload_bool(ld, v, "peer", &c->p->peer);
}

/* An MTU in bytes into *@out; a located error when it is no IB MTU. */
static void parse_mtu(struct loader *ld, yaml_node_t *v, unsigned int *out)
{
	uint64_t mtu;

	if (pload_uint(ld, v, "mtu", 0, UINT32_MAX, &mtu))
		return;
	if (!ib_mtu_code((unsigned int)mtu)) {
		pload_error(ld, v,
			    "mtu %llu is not an InfiniBand MTU; write bytes: "
			    "256, 512, 1024, 2048 or 4096",
			    (unsigned long long)mtu);
		return;
	}
	*out = (unsigned int)mtu;
}

static void part_mtu(struct loader *ld, yaml_node_t *v, void *ctx)
{
	parse_mtu(ld, v, &((struct part_ctx *)ctx)->p->mtu);
}

static void part_sl(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t sl;

	if (!pload_uint(ld, v, "sl", 0, 15, &sl))
		((struct part_ctx *)ctx)->p->sl = (unsigned int)sl;
}

static void part_fdb_limit(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;
	uint64_t n;

	c->l->fdb_limit = pload_loc(v);
	if (!pload_uint(ld, v, "fdb_limit", 1, POLICY_FDB_ENTRIES, &n))
		c->p->fdb_limit = (unsigned int)n;
}

static void part_ipv4(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;

	c->l->ipv4 = pload_loc(v);
	pload_subnet(ld, v, "ipv4 subnet", AF_INET, &c->p->ipv4);
}

static void part_ipv6(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct part_ctx *c = ctx;

	c->l->ipv6 = pload_loc(v);
	pload_subnet(ld, v, "ipv6 subnet", AF_INET6, &c->p->ipv6);
}

static void part_members(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct policy_partition *p = ((struct part_ctx *)ctx)->p;

	p->members = pload_calloc(ld, pload_list_len(v), sizeof(*p->members));
	p->n_members = pload_list(ld, v, "members", parse_member, p);
}

static const struct key_handler part_keys[] = {
	{ "name", true, part_name },
	{ "pkey", true, part_pkey },
	{ "vlan", false, part_vlan },
	{ "ipoib", false, part_ipoib },
	{ "peer", false, part_peer },
	{ "mtu", false, part_mtu },
	{ "sl", false, part_sl },
	{ "ipv4", false, part_ipv4 },
	{ "ipv6", false, part_ipv6 },
	{ "members", false, part_members },
	{ "fdb_limit", false, part_fdb_limit },
};

static void parse_partition(struct loader *ld, yaml_node_t *item, void *ctx,
			    size_t idx)
{
	struct part_ctx c = { &ld->pol->partitions[idx], &ld->plocs[idx] };

	c.p->loc = pload_loc(item);
	c.p->ipoib = true;
	c.p->mtu = POLICY_MTU_DEFAULT;
	pload_mapping(ld, item, "a partition", part_keys, ARRAY_SIZE(part_keys),
		      &c);
	if (c.p->peer && !c.p->ipoib)
		pload_error_at(
			ld, c.l->peer,
			"peer links ride on the partition's IPoIB group: 'peer: true' needs 'ipoib: true'");
}

/* ---- gateways: ---------------------------------------------------------- */

struct gw_ctx {
	struct policy_gateway *gw;
	struct gw_locs *l;
	size_t n_locs;
};

static const struct policy_partition *resolve_partition(struct loader *ld,
							yaml_node_t *v)
{
	const char *s = pload_scalar(ld, v, "partition name");
	const struct policy_partition *p;

	if (!s)
		return NULL;
	p = policy_find_partition(ld->pol, s);
	if (!p)
		pload_error(ld, v,
			    "no partition is named '%s'; define it under "
			    "'partitions:' or fix the name",
			    s);
	return p;
}

static void gw_name(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct gw_ctx *c = ctx;

	c->l->name = pload_loc(v);
	pload_name(ld, v, "gateway name", POLICY_NAME_MAX, &c->gw->name);
}

static void gw_port_guid(struct loader *ld, yaml_node_t *v, void *ctx)
{
	pload_guid(ld, v, "port GUID", &((struct gw_ctx *)ctx)->gw->port_guid);
}

/* Interface names: those the kernel takes, not the loopback. */
static void get_ifname(struct loader *ld, yaml_node_t *v, const char *what,
		       char **out)
{
	const char *s = pload_scalar(ld, v, what);

	if (s && !pload_check_ifname(ld, v, what, s))
		*out = pload_strdup(ld, s);
}

static void gw_uplink(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_ifname(ld, v, "uplink", &((struct gw_ctx *)ctx)->gw->uplink);
}

static void gw_ib_device(struct loader *ld, yaml_node_t *v, void *ctx)
{
	pload_name(ld, v, "ib_device", POLICY_NAME_MAX,
		   &((struct gw_ctx *)ctx)->gw->ib_device);
}

static void gw_ib_port(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t port;

	if (!pload_uint(ld, v, "ib_port", 1, 254, &port))
		((struct gw_ctx *)ctx)->gw->ib_port = (unsigned int)port;
}

static void gw_one_addr(struct loader *ld, yaml_node_t *item, void *ctx,
			size_t idx)
{
	struct gw_ctx *c = ctx;
	struct policy_gw_addrs *ga = &c->gw->addrs[c->gw->n_addrs];

	if (!pload_prefix(ld, item, "gateway address", 0, -1,
			  &ga->addrs[ga->n_addrs])) {
		c->l->addr_locs[c->n_locs] = pload_loc(item);
		ga->n_addrs++;
		c->n_locs++;
	}
}

static void gw_addresses(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct gw_ctx *c = ctx;
	yaml_node_pair_t *pair;
	size_t n = 0, total = 0;

	if (v->type != YAML_MAPPING_NODE) {
		pload_error(ld, v,
			    "addresses must map partition names to address "
			    "lists, like '{ tenant-a: [10.20.0.1/24] }'");
		return;
	}
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++, n++)
		total += pload_list_len(
			yaml_document_get_node(&ld->doc, pair->value));
	c->gw->addrs = pload_calloc(ld, n, sizeof(*c->gw->addrs));
	c->l->addr_locs = pload_calloc(ld, total, sizeof(struct policy_loc));
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pair->key);
		yaml_node_t *l = yaml_document_get_node(&ld->doc, pair->value);
		struct policy_gw_addrs *ga = &c->gw->addrs[c->gw->n_addrs];

		ga->partition = resolve_partition(ld, k);
		if (!ga->partition)
			continue;
		if (policy_gateway_addrs(c->gw, ga->partition)) {
			pload_error(ld, k,
				    "partition '%s' appears twice in this "
				    "gateway's addresses; merge the lists",
				    ga->partition->name);
			continue;
		}
		ga->addrs =
			pload_calloc(ld, pload_list_len(l), sizeof(*ga->addrs));
		pload_list(ld, l, "a partition's gateway addresses",
			   gw_one_addr, c);
		c->gw->n_addrs++;
	}
}

/* priority: { PARTITION: N }: the gateway's place in each group. */
static void gw_priority(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct policy_gateway *gw = ((struct gw_ctx *)ctx)->gw;
	yaml_node_pair_t *pair;
	uint64_t prio;

	if (v->type != YAML_MAPPING_NODE) {
		pload_error(ld, v,
			    "priority must map partition names to priorities, "
			    "like '{ tenant-a: 200, tenant-b: 100 }'");
		return;
	}
	gw->prios = pload_calloc(ld,
				 (size_t)(v->data.mapping.pairs.top -
					  v->data.mapping.pairs.start),
				 sizeof(*gw->prios));
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&ld->doc, pair->key);
		yaml_node_t *n = yaml_document_get_node(&ld->doc, pair->value);
		struct policy_gw_prio *gp = &gw->prios[gw->n_prios];

		gp->partition = resolve_partition(ld, k);
		if (!gp->partition ||
		    pload_uint(ld, n, "priority", POLICY_HA_PRIO_MIN,
			       POLICY_HA_PRIO_MAX, &prio))
			continue;
		if (policy_gateway_priority(gw, gp->partition)) {
			pload_error(ld, k,
				    "partition '%s' appears twice in this "
				    "gateway's priority; keep one",
				    gp->partition->name);
			continue;
		}
		gp->priority = (unsigned int)prio;
		gp->loc = pload_loc(k);
		gw->n_prios++;
	}
}

static const struct key_handler gw_keys[] = {
	{ "name", true, gw_name },
	{ "port_guid", false, gw_port_guid },
	{ "uplink", true, gw_uplink },
	{ "ib_device", false, gw_ib_device },
	{ "ib_port", false, gw_ib_port },
	{ "addresses", false, gw_addresses },
	{ "priority", false, gw_priority },
};

static void parse_gateway(struct loader *ld, yaml_node_t *item, void *ctx,
			  size_t idx)
{
	struct gw_ctx c = { &ld->pol->gateways[idx], &ld->glocs[idx], 0 };

	c.gw->loc = pload_loc(item);
	pload_mapping(ld, item, "a gateway", gw_keys, ARRAY_SIZE(gw_keys), &c);
}

/* ---- ports: ------------------------------------------------------------- */

/* A port being parsed, and where its tap keys stand (checked together). */
struct port_ctx {
	struct policy_port *port;
	yaml_node_t *tap_key; /* the first of owner:, group:, queues: */
};

static void port_name(struct loader *ld, yaml_node_t *v, void *ctx)
{
	get_ifname(ld, v, "port name", &((struct port_ctx *)ctx)->port->name);
}

static void port_partition(struct loader *ld, yaml_node_t *v, void *ctx)
{
	((struct port_ctx *)ctx)->port->partition = resolve_partition(ld, v);
}

static void port_membership(struct loader *ld, yaml_node_t *v, void *ctx)
{
	pload_membership(ld, v, false,
			 &((struct port_ctx *)ctx)->port->membership);
}

static void port_fdb_limit(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t n;

	if (!pload_uint(ld, v, "fdb_limit", 0, POLICY_FDB_ENTRIES, &n))
		((struct port_ctx *)ctx)->port->fdb_limit = (int)n;
}

static void port_create(struct loader *ld, yaml_node_t *v, void *ctx)
{
	const char *s = pload_scalar(ld, v, "create");

	if (!s)
		return;
	if (strcmp(s, "tap")) {
		pload_error(ld, v,
			    "create '%s' is unknown; fabricd makes 'tap' "
			    "(leave create: out for an interface made by "
			    "someone else)",
			    s);
		return;
	}
	((struct port_ctx *)ctx)->port->tap.create = true;
}

static void tap_key_seen(struct port_ctx *pc, yaml_node_t *v)
{
	if (!pc->tap_key)
		pc->tap_key = v;
}

/* owner: or group: of a tap: a name on this host or a number. */
static void port_id(struct loader *ld, yaml_node_t *v, struct port_ctx *pc,
		    bool group)
{
	const char *what = group ? "group" : "owner";
	const char *s = pload_scalar(ld, v, what);
	int ret;

	tap_key_seen(pc, v);
	if (!s)
		return;
	ret = util_lookup_id(s, group,
			     group ? &pc->port->tap.gid : &pc->port->tap.uid);
	if (ret == -EINVAL)
		pload_error(ld, v, "%s %s is out of range; use 0..%u", what, s,
			    UINT32_MAX - 1);
	else if (ret)
		pload_error(ld, v,
			    "%s '%s' is no %s on this host; name one that "
			    "'getent %s' lists, or give its number",
			    what, s, group ? "group" : "user",
			    group ? "group" : "passwd");
}

static void port_owner(struct loader *ld, yaml_node_t *v, void *ctx)
{
	port_id(ld, v, ctx, false);
}

static void port_group(struct loader *ld, yaml_node_t *v, void *ctx)
{
	port_id(ld, v, ctx, true);
}

static void port_queues(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct port_ctx *pc = ctx;
	uint64_t n;

	tap_key_seen(pc, v);
	if (!pload_uint(ld, v, "queues", 1, POLICY_TAP_QUEUES_MAX, &n))
		pc->port->tap.queues = (unsigned int)n;
}

static const struct key_handler port_keys[] = {
	{ "name", true, port_name },
	{ "partition", true, port_partition },
	{ "membership", false, port_membership },
	{ "fdb_limit", false, port_fdb_limit },
	{ "create", false, port_create },
	{ "owner", false, port_owner },
	{ "group", false, port_group },
	{ "queues", false, port_queues },
};

static void parse_port(struct loader *ld, yaml_node_t *item, void *ctx,
		       size_t idx)
{
	struct policy_port *port = &ld->pol->ports[idx];
	struct port_ctx pc = { .port = port };

	port->loc = pload_loc(item);
	port->membership = POLICY_MEMB_FULL;
	port->fdb_limit = -1;
	port->tap.uid = -1;
	port->tap.gid = -1;
	port->tap.queues = 1;
	pload_mapping(ld, item, "an access port", port_keys,
		      ARRAY_SIZE(port_keys), &pc);
	if (pc.tap_key && !port->tap.create)
		pload_error(ld, pc.tap_key,
			    "owner, group and queues are for a tap fabricd "
			    "makes; add 'create: tap' to this port");
}

/* ---- metrics: ----------------------------------------------------------- */

static void metrics_dir(struct loader *ld, yaml_node_t *v, void *ctx)
{
	const char *s = pload_scalar(ld, v, "textfile_dir");

	if (!s)
		return;
	if (s[0] != '/' || strlen(s) >= 4096) {
		pload_error(ld, v,
			    "textfile_dir '%s' is not an absolute path; name "
			    "node_exporter's textfile directory, e.g. "
			    "/var/lib/prometheus/node-exporter",
			    s);
		return;
	}
	ld->pol->metrics.textfile_dir = pload_strdup(ld, s);
}

static void metrics_interval(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t n;

	if (!pload_uint(ld, v, "interval", 1, POLICY_METRICS_INTERVAL_MAX, &n))
		ld->pol->metrics.interval = (unsigned int)n;
}

static const struct key_handler metrics_keys[] = {
	{ "textfile_dir", true, metrics_dir },
	{ "interval", false, metrics_interval },
};

static void root_metrics(struct loader *ld, yaml_node_t *v, void *ctx)
{
	ld->pol->metrics.loc = pload_loc(v);
	pload_mapping(ld, v, "metrics", metrics_keys, ARRAY_SIZE(metrics_keys),
		      NULL);
}

/* ---- flow_export: ------------------------------------------------------- */

static void flow_collector(struct loader *ld, yaml_node_t *v, void *ctx)
{
	const char *s = pload_scalar(ld, v, "collector");
	char host[256];
	unsigned int port;

	if (!s)
		return;
	if (policy_parse_hostport(s, host, sizeof(host), &port)) {
		pload_error(ld, v,
			    "collector '%s' is not HOST:PORT; write the "
			    "collector's address and UDP port, e.g. "
			    "192.0.2.10:4739 or [2001:db8::10]:4739",
			    s);
		return;
	}
	ld->pol->flow_export.collector = pload_strdup(ld, s);
}

static void flow_uint(struct loader *ld, yaml_node_t *v, const char *what,
		      uint64_t min, uint64_t max, unsigned int *out)
{
	uint64_t n;

	if (!pload_uint(ld, v, what, min, max, &n))
		*out = (unsigned int)n;
}

static void flow_sampling(struct loader *ld, yaml_node_t *v, void *ctx)
{
	flow_uint(ld, v, "sampling", 1, POLICY_FLOW_SAMPLING_MAX,
		  &ld->pol->flow_export.sampling);
}

static void flow_active(struct loader *ld, yaml_node_t *v, void *ctx)
{
	flow_uint(ld, v, "active_timeout", 1, POLICY_FLOW_TIMEOUT_MAX,
		  &ld->pol->flow_export.active_timeout);
}

static void flow_idle(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct policy_flow_export *fe = &ld->pol->flow_export;

	flow_uint(ld, v, "idle_timeout", 1, POLICY_FLOW_TIMEOUT_MAX,
		  &fe->idle_timeout);
	*(struct policy_loc *)ctx = pload_loc(v);
}

static void flow_domain(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t n;

	if (!pload_uint(ld, v, "observation_domain", 0, UINT32_MAX, &n))
		ld->pol->flow_export.observation_domain = (uint32_t)n;
}

static void flow_cache_size(struct loader *ld, yaml_node_t *v, void *ctx)
{
	flow_uint(ld, v, "cache_size", POLICY_FLOW_CACHE_MIN,
		  POLICY_FLOW_CACHE_MAX, &ld->pol->flow_export.cache_size);
}

static void flow_share(struct loader *ld, yaml_node_t *v, void *ctx)
{
	flow_uint(ld, v, "partition_share", 1, 100,
		  &ld->pol->flow_export.partition_share);
}

static const struct key_handler flow_keys[] = {
	{ "collector", true, flow_collector },
	{ "sampling", false, flow_sampling },
	{ "active_timeout", false, flow_active },
	{ "idle_timeout", false, flow_idle },
	{ "observation_domain", false, flow_domain },
	{ "cache_size", false, flow_cache_size },
	{ "partition_share", false, flow_share },
};

static void root_flow_export(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct policy_flow_export *fe = &ld->pol->flow_export;
	struct policy_loc idle_loc = pload_loc(v);

	fe->loc = pload_loc(v);
	pload_mapping(ld, v, "flow_export", flow_keys, ARRAY_SIZE(flow_keys),
		      &idle_loc);
	if (fe->idle_timeout > fe->active_timeout)
		pload_error_at(ld, idle_loc,
			       "idle_timeout %u is longer than active_timeout "
			       "%u; make it at most the active timeout",
			       fe->idle_timeout, fe->active_timeout);
}

/* ---- gateway_ha: -------------------------------------------------------- */

static void ha_interval(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t n;

	if (!pload_uint(ld, v, "advert_interval_ms", POLICY_HA_INTERVAL_MIN,
			POLICY_HA_INTERVAL_MAX, &n))
		ld->pol->ha.advert_interval_ms = (unsigned int)n;
}

static void ha_hold(struct loader *ld, yaml_node_t *v, void *ctx)
{
	uint64_t n;

	if (!pload_uint(ld, v, "preempt_hold_ms", 0, POLICY_HA_HOLD_MAX, &n))
		ld->pol->ha.preempt_hold_ms = (unsigned int)n;
}

static const struct key_handler ha_keys[] = {
	{ "advert_interval_ms", false, ha_interval },
	{ "preempt_hold_ms", false, ha_hold },
};

static void root_ha(struct loader *ld, yaml_node_t *v, void *ctx)
{
	ld->pol->ha.loc = pload_loc(v);
	pload_mapping(ld, v, "gateway_ha", ha_keys, ARRAY_SIZE(ha_keys), NULL);
}

/* ---- the document ------------------------------------------------------- */

static void root_fabric(struct loader *ld, yaml_node_t *v, void *ctx)
{
	pload_mapping(ld, v, "fabric", fabric_keys, ARRAY_SIZE(fabric_keys),
		      NULL);
}

static void root_partitions(struct loader *ld, yaml_node_t *v, void *ctx)
{
	size_t n = pload_list_len(v);

	ld->pol->partitions = pload_calloc(ld, n, sizeof(*ld->pol->partitions));
	ld->plocs = pload_calloc(ld, n, sizeof(*ld->plocs));
	ld->pol->n_partitions =
		pload_list(ld, v, "partitions", parse_partition, NULL);
}

/* ---- default_partition: ---------------------------------------------- */

static void dflt_membership(struct loader *ld, yaml_node_t *v, void *ctx)
{
	struct policy_default *d = &ld->pol->dflt;

	d->loc = pload_loc(v);
	pload_membership(ld, v, false, &d->membership);
}

static void dflt_ipoib(struct loader *ld, yaml_node_t *v, void *ctx)
{
	pload_bool(ld, v, "ipoib", &ld->pol->dflt.ipoib);
}

static void dflt_mtu(struct loader *ld, yaml_node_t *v, void *ctx)
{
	parse_mtu(ld, v, &ld->pol->dflt.mtu);
}

static const struct key_handler dflt_keys[] = {
	{ "membership", true, dflt_membership },
	{ "ipoib", false, dflt_ipoib },
	{ "mtu", false, dflt_mtu },
};

static void root_default(struct loader *ld, yaml_node_t *v, void *ctx)
{
	ld->pol->dflt.set = true;
	ld->pol->dflt.loc = pload_loc(v);
	pload_mapping(ld, v, "default_partition", dflt_keys,
		      ARRAY_SIZE(dflt_keys), NULL);
}

/* Gateways and ports refer to partitions: parse them once those exist. */
static void root_gateways(struct loader *ld, yaml_node_t *v, void *ctx)
{
	ld->gateways_node = v;
}

static void root_ports(struct loader *ld, yaml_node_t *v, void *ctx)
{
	ld->ports_node = v;
}

static const struct key_handler root_keys[] = {
	{ "fabric", false, root_fabric },
	{ "default_partition", false, root_default },
	{ "partitions", true, root_partitions },
	{ "gateways", false, root_gateways },
	{ "ports", false, root_ports },
	{ "metrics", false, root_metrics },
	{ "flow_export", false, root_flow_export },
	{ "gateway_ha", false, root_ha },
};

void pload_parse_root(struct loader *ld, yaml_node_t *root)
{
	yaml_node_t *v;
	size_t n;

	pload_mapping(ld, root, "the policy", root_keys, ARRAY_SIZE(root_keys),
		      NULL);
	v = ld->gateways_node;
	if (v) {
		n = pload_list_len(v);
		ld->pol->gateways =
			pload_calloc(ld, n, sizeof(*ld->pol->gateways));
		ld->glocs = pload_calloc(ld, n, sizeof(*ld->glocs));
		ld->pol->n_gateways =
			pload_list(ld, v, "gateways", parse_gateway, NULL);
	}
	v = ld->ports_node;
	if (v) {
		ld->pol->ports = pload_calloc(ld, pload_list_len(v),
					      sizeof(*ld->pol->ports));
		ld->pol->n_ports = pload_list(ld, v, "ports", parse_port, NULL);
	}
	if (!ld->pol->fabric_name)
		ld->pol->fabric_name = pload_strdup(ld, "fabric");
}

void pload_free_locs(struct loader *ld)
{
	size_t i;

	for (i = 0; ld->glocs && i < ld->pol->n_gateways; i++)
		free(ld->glocs[i].addr_locs);
	free(ld->glocs);
	free(ld->plocs);
}
