// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rules pass of the policy loader: what no single value shows on its
 * own (duplicates, overlapping subnets, addresses outside their subnet,
 * PKey tables that overflow). It runs even when the syntax pass found
 * errors, so one run reports everything; fields that failed are skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "lib/ifname.h"
#include "lib/policy_loader.h"
#include "lib/util.h"

/* ---- the rules pass: across values ------------------------------------ */

static void check_partition_pair(struct loader *ld, size_t i, size_t j)
{
	const struct policy_partition *a = &ld->pol->partitions[i];
	const struct policy_partition *b = &ld->pol->partitions[j];
	const struct part_locs *la = &ld->plocs[i], *lb = &ld->plocs[j];
	char buf[64];

	if (a->name && b->name && !strcmp(a->name, b->name))
		pload_error_at(ld, lb->name,
			       "duplicate partition name '%s' (first "
			       "at line %u); rename one",
			       b->name, la->name.line);
	if (a->pkey && a->pkey == b->pkey)
		pload_error_at(ld, lb->pkey,
			       "pkey 0x%04x is already used by "
			       "partition '%s' (line %u); pick another",
			       b->pkey, a->name ? a->name : "?", la->pkey.line);
	if (a->vlan && a->vlan == b->vlan && a->pkey != b->pkey)
		pload_error_at(
			ld, lb->vlan_set ? lb->vlan : lb->pkey,
			"vlan %u is already used by partition '%s' (line %u)"
			"; give this partition its own 'vlan:'",
			b->vlan, a->name ? a->name : "?",
			(la->vlan_set ? la->vlan : la->pkey).line);
	if (policy_prefix_overlap(&a->ipv4, &b->ipv4))
		pload_error_at(ld, lb->ipv4,
			       "ipv4 subnet %s overlaps partition "
			       "'%s' (line %u); tenants need disjoint "
			       "subnets",
			       policy_prefix_format(&b->ipv4, buf, sizeof(buf)),
			       a->name ? a->name : "?", la->ipv4.line);
	if (policy_prefix_overlap(&a->ipv6, &b->ipv6))
		pload_error_at(ld, lb->ipv6,
			       "ipv6 subnet %s overlaps partition "
			       "'%s' (line %u); tenants need disjoint "
			       "subnets",
			       policy_prefix_format(&b->ipv6, buf, sizeof(buf)),
			       a->name ? a->name : "?", la->ipv6.line);
}

/* A member as a sort key: what it selects, then where it is written. */
struct member_key {
	enum policy_selector sel;
	uint64_t guid;
	const char *node; /* POLICY_SEL_NODE's pattern, else "" */
	size_t idx;
};

static int member_key_cmp(const void *x, const void *y)
{
	const struct member_key *a = x, *b = y;

	if (a->sel != b->sel)
		return a->sel < b->sel ? -1 : 1;
	if (a->guid != b->guid)
		return a->guid < b->guid ? -1 : 1;
	if (strcmp(a->node, b->node))
		return strcmp(a->node, b->node);
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Sorted, not pairwise: a partition may hold POLICY_MEMBERS_MAX members. */
static void check_members(struct loader *ld, const struct policy_partition *p)
{
	struct member_key *k = pload_calloc(ld, p->n_members, sizeof(*k));
	size_t i, first = 0;

	for (i = 0; i < p->n_members; i++) {
		k[i].sel = p->members[i].sel;
		k[i].guid = k[i].sel == POLICY_SEL_GUID ? p->members[i].guid :
							  0;
		k[i].node = k[i].sel == POLICY_SEL_NODE && p->members[i].node ?
				    p->members[i].node :
				    "";
		k[i].idx = i;
	}
	qsort(k, p->n_members, sizeof(*k), member_key_cmp);
	for (i = 1; i < p->n_members; i++) {
		if (k[i].sel != k[first].sel || k[i].guid != k[first].guid ||
		    strcmp(k[i].node, k[first].node)) {
			first = i;
			continue;
		}
		pload_error_at(ld, p->members[k[i].idx].loc,
			       "this member repeats the one at "
			       "line %u; keep one and choose its "
			       "membership there",
			       p->members[k[first].idx].loc.line);
	}
	free(k);
}

static void check_partitions(struct loader *ld)
{
	struct policy *pol = ld->pol;
	size_t i, j;

	/* The VLAN defaults to the PKey when that is a valid VID. */
	for (i = 0; i < pol->n_partitions; i++) {
		struct policy_partition *p = &pol->partitions[i];

		if (!ld->plocs[i].vlan_set && p->pkey <= POLICY_VLAN_MAX)
			p->vlan = p->pkey;
	}
	for (i = 0; i < pol->n_partitions; i++) {
		for (j = 0; j < i; j++)
			check_partition_pair(ld, j, i);
		check_members(ld, &pol->partitions[i]);
	}
}

/* Fixed FDB quotas are reserved: together they must fit in the table. */
static void check_fdb_limits(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < pol->n_partitions; i++) {
		sum += pol->partitions[i].fdb_limit;
		if (sum > POLICY_FDB_ENTRIES) {
			pload_error_at(ld, ld->plocs[i].fdb_limit,
				       "the partitions' fdb_limit add up to "
				       "more than fabricd's %u MAC entries "
				       "here; lower them, or leave some "
				       "partitions without one (they share "
				       "what is free)",
				       POLICY_FDB_ENTRIES);
			return;
		}
	}
}

static void check_lid_pins(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	char g[24];
	size_t i, j;

	for (i = 0; i < pol->n_lid_pins; i++) {
		const struct policy_lid_pin *a = &pol->lid_pins[i];

		for (j = 0; j < i; j++) {
			const struct policy_lid_pin *b = &pol->lid_pins[j];

			if (a->lid && a->lid == b->lid)
				pload_error_at(ld, a->loc,
					       "lid 0x%04x is pinned twice "
					       "(also at line %u); a LID "
					       "belongs to one port",
					       a->lid, b->loc.line);
			else if (a->guid && a->guid == b->guid)
				pload_error_at(ld, a->loc,
					       "port %s is pinned twice "
					       "(also at line %u); keep one "
					       "pin",
					       util_format_guid(a->guid, g,
								sizeof(g)),
					       b->loc.line);
		}
	}
}

/*
 * Index of the first member of @p that puts port @guid (0: "every CA port")
 * into it, or -1.
 */
static ssize_t first_selecting(const struct policy_partition *p, uint64_t guid)
{
	size_t j;

	for (j = 0; j < p->n_members; j++)
		if (policy_member_selects(&p->members[j], guid))
			return (ssize_t)j;
	return -1;
}

static void pkey_table_error(struct loader *ld, struct policy_loc loc,
			     uint64_t guid, unsigned int cap)
{
	char g[24];

	pload_error_at(ld, loc,
		       "%s%s is now in more partitions "
		       "than a PKey table of %u entries "
		       "holds (the default partition "
		       "takes one); drop it from a "
		       "partition or raise "
		       "fabric.pkey_table_size",
		       guid ? "port " : "every CA port",
		       guid ? util_format_guid(guid, g, sizeof(g)) : "", cap);
}

/* A member that names a port by GUID, as a sort key. */
struct guid_ref {
	uint64_t guid;
	size_t part, member;
};

static int guid_ref_cmp(const void *x, const void *y)
{
	const struct guid_ref *a = x, *b = y;

	if (a->guid != b->guid)
		return a->guid < b->guid ? -1 : 1;
	if (a->part != b->part)
		return a->part < b->part ? -1 : 1;
	return a->member < b->member ? -1 : a->member > b->member;
}

/* Per partition: its first "all"/"all_cas" member, and such partitions. */
struct all_count {
	ssize_t first_all; /* -1: none */
	unsigned int n_all; /* partitions up to this one that have one */
};

/*
 * "every CA port" overflows at the partition whose all/all_cas member
 * makes the count reach the table. Returns the per-partition counts.
 */
static struct all_count *count_all_members(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	struct all_count *ac = pload_calloc(ld, pol->n_partitions, sizeof(*ac));
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < pol->n_partitions; i++) {
		ac[i].first_all = first_selecting(&pol->partitions[i], 0);
		n += ac[i].first_all >= 0;
		ac[i].n_all = n;
		if (ac[i].first_all >= 0 && n == pol->pkey_table_size)
			pkey_table_error(
				ld,
				pol->partitions[i].members[ac[i].first_all].loc,
				0, pol->pkey_table_size);
	}
	return ac;
}

static struct guid_ref *collect_guid_refs(struct loader *ld, size_t *n)
{
	const struct policy *pol = ld->pol;
	struct guid_ref *r;
	size_t i, j, total = 0;

	for (i = 0; i < pol->n_partitions; i++)
		total += pol->partitions[i].n_members;
	r = pload_calloc(ld, total, sizeof(*r));
	for (*n = 0, i = 0; i < pol->n_partitions; i++) {
		const struct policy_partition *p = &pol->partitions[i];

		for (j = 0; j < p->n_members; j++)
			if (p->members[j].sel == POLICY_SEL_GUID &&
			    p->members[j].guid)
				r[(*n)++] =
					(struct guid_ref){ p->members[j].guid,
							   i, j };
	}
	qsort(r, *n, sizeof(*r), guid_ref_cmp);
	return r;
}

/*
 * A port listed in more partitions than its PKey table holds: report the
 * member entry that first overflows it. "all"/"all_cas" count for every CA
 * port, and on their own as "every CA port". Sorted by GUID rather than
 * compared pairwise, so that large policies load fast.
 */
static void check_pkey_tables(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	struct all_count *ac = count_all_members(ld);
	size_t i, n_refs, own = 0;
	struct guid_ref *r = collect_guid_refs(ld, &n_refs);

	for (i = 0; i < n_refs; i++) {
		const struct guid_ref *x = &r[i];

		if (i && x->guid != r[i - 1].guid)
			own = 0; /* a new port */
		else if (i && x->part == r[i - 1].part)
			continue; /* the same port again in one partition */
		own += ac[x->part].first_all < 0;
		/* the first entry of the partition that selects the port */
		if (ac[x->part].first_all >= 0 &&
		    (size_t)ac[x->part].first_all < x->member)
			continue;
		if (1 + ac[x->part].n_all + own == pol->pkey_table_size + 1)
			pkey_table_error(
				ld,
				pol->partitions[x->part].members[x->member].loc,
				x->guid, pol->pkey_table_size);
	}
	free(r);
	free(ac);
}

/* The subnet of partition @p that an address of @family belongs in. */
static const struct policy_prefix *subnet_of(const struct policy_partition *p,
					     int family)
{
	return family == AF_INET ? &p->ipv4 : &p->ipv6;
}

static const char *family_key(int family)
{
	return family == AF_INET ? "ipv4" : "ipv6";
}

/* One gateway address, written at @loc, against its partition's subnet. */
static void check_gateway_addr(struct loader *ld,
			       const struct policy_partition *part,
			       const struct policy_prefix *addr,
			       struct policy_loc loc)
{
	const struct policy_prefix *net = subnet_of(part, addr->family);
	const char *key = family_key(addr->family);
	char a[64], n[64];

	policy_prefix_format(addr, a, sizeof(a));
	if (!net->family)
		pload_error_at(ld, loc,
			       "gateway address %s: partition '%s' has no %s "
			       "subnet; add '%s:' to the partition",
			       a, part->name, key, key);
	else if (!policy_prefix_contains(net, addr) || addr->plen < net->plen)
		pload_error_at(ld, loc,
			       "gateway address %s is outside partition '%s' "
			       "subnet %s; use an address inside it",
			       a, part->name,
			       policy_prefix_format(net, n, sizeof(n)));
}

/*
 * Every address of gateway @gi. The parser keeps one location per address,
 * in the order of the partitions and then of their addresses.
 */
static void check_gateway_addrs(struct loader *ld, size_t gi)
{
	const struct policy_gateway *gw = &ld->pol->gateways[gi];
	const struct policy_loc *loc = ld->glocs[gi].addr_locs;
	size_t i, j;

	for (i = 0; i < gw->n_addrs; i++) {
		const struct policy_gw_addrs *ga = &gw->addrs[i];

		for (j = 0; j < ga->n_addrs; j++)
			check_gateway_addr(ld, ga->partition, &ga->addrs[j],
					   *loc++);
	}
}

/* HA advertisements ride on the partition's IPoIB broadcast group. */
static void check_gateway_prios(struct loader *ld, size_t gi)
{
	const struct policy_gateway *gw = &ld->pol->gateways[gi];
	size_t i;

	for (i = 0; i < gw->n_prios; i++)
		if (!gw->prios[i].partition->ipoib)
			pload_error_at(ld, gw->prios[i].loc,
				       "partition '%s' has 'ipoib: false': "
				       "its gateways elect their master over "
				       "its IPoIB broadcast group; set "
				       "'ipoib: true' or drop the priority",
				       gw->prios[i].partition->name);
}

static void check_gateways(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	char g[24];
	size_t i, j;

	for (i = 0; i < pol->n_gateways; i++) {
		const struct policy_gateway *a = &pol->gateways[i];

		for (j = 0; j < i; j++) {
			const struct policy_gateway *b = &pol->gateways[j];

			if (a->name && b->name && !strcmp(a->name, b->name))
				pload_error_at(
					ld, ld->glocs[i].name,
					"duplicate gateway name '%s' (first at "
					"line %u); rename one",
					a->name, ld->glocs[j].name.line);
			else if (a->port_guid && a->port_guid == b->port_guid)
				pload_error_at(ld, a->loc,
					       "port %s is already gateway "
					       "'%s' (line %u); one port, "
					       "one gateway",
					       util_format_guid(a->port_guid, g,
								sizeof(g)),
					       b->name ? b->name : "?",
					       b->loc.line);
		}
		check_gateway_addrs(ld, i);
		check_gateway_prios(ld, i);
	}
}

int pload_check_ifname(struct loader *ld, yaml_node_t *n, const char *what,
		       const char *s)
{
	if (!ifname_valid(s)) {
		pload_error(
			ld, n,
			"%s '%s' is not a Linux interface name (" IFNAME_RULES
			")",
			what, s);
		return -EINVAL;
	}
	if (!strcmp(s, IFNAME_LOOPBACK)) {
		pload_error(ld, n,
			    "%s '%s' " IFNAME_LOOPBACK_WHY
			    "; name an Ethernet interface (ip -br link)",
			    what, s);
		return -EINVAL;
	}
	return 0;
}

static void check_ports(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	size_t i, j;

	for (i = 0; i < pol->n_ports; i++) {
		const struct policy_port *a = &pol->ports[i];

		for (j = 0; j < i && a->name; j++) {
			const struct policy_port *b = &pol->ports[j];

			if (b->name && !strcmp(a->name, b->name)) {
				pload_error_at(ld, a->loc,
					       "port '%s' is already "
					       "attached at line %u; an "
					       "interface belongs to one "
					       "partition",
					       a->name, b->loc.line);
				break;
			}
		}
	}
}

/*
 * Limits of the stock OpenSM's partition file that no single value shows:
 * a partition's name is kept in 32 bytes (osm_prtn_t.name), so a longer one
 * is cut and two partitions could carry one name in OpenSM's log.
 */
static void check_opensm_limits(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	size_t i, len;

	for (i = 0; i < pol->n_partitions; i++) {
		const char *name = pol->partitions[i].name;

		len = name ? strlen(name) : 0;
		if (len > POLICY_PART_NAME_MAX)
			pload_error_at(ld, ld->plocs[i].name,
				       "partition name '%s' is %zu characters; "
				       "OpenSM keeps %d: shorten it",
				       name, len, POLICY_PART_NAME_MAX);
	}
}

void pload_check_rules(struct loader *ld)
{
	check_opensm_limits(ld);
	check_partitions(ld);
	check_fdb_limits(ld);
	check_lid_pins(ld);
	check_pkey_tables(ld);
	check_gateways(ld);
	check_ports(ld);
}
