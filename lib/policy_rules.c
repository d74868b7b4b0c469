// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rules pass of the policy loader: what no single value shows on its
 * own (duplicates, overlapping subnets, addresses outside their subnet,
 * PKey tables that overflow). It runs even when the syntax pass found
 * errors, so one run reports everything; fields that failed are skipped.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

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

static void check_members(struct loader *ld, const struct policy_partition *p)
{
	size_t i, j;

	for (i = 0; i < p->n_members; i++) {
		const struct policy_member *a = &p->members[i];

		for (j = 0; j < i; j++) {
			const struct policy_member *b = &p->members[j];

			if (a->sel != b->sel ||
			    (a->sel == POLICY_SEL_GUID && a->guid != b->guid))
				continue;
			pload_error_at(ld, a->loc,
				       "this member repeats the one at "
				       "line %u; keep one and choose its "
				       "membership there",
				       b->loc.line);
			break;
		}
	}
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

/*
 * A port listed in more partitions than its PKey table holds: report the
 * member entry that first overflows it. "all"/"all_cas" count for every CA
 * port, and on their own as "every CA port".
 */
static void check_pkey_tables(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	unsigned int cap = pol->pkey_table_size, n;
	char g[24];
	size_t i, j, k;

	for (i = 0; i < pol->n_partitions; i++) {
		const struct policy_partition *p = &pol->partitions[i];

		for (j = 0; j < p->n_members; j++) {
			const struct policy_member *m = &p->members[j];
			uint64_t guid = m->sel == POLICY_SEL_GUID ? m->guid : 0;

			if (m->sel == POLICY_SEL_ALL_SWITCHES ||
			    first_selecting(p, guid) != (ssize_t)j)
				continue;
			for (n = 1, k = 0; k <= i; k++) /* 1: the default */
				n += first_selecting(&pol->partitions[k],
						     guid) >= 0;
			if (n != cap + 1)
				continue;
			pload_error_at(ld, m->loc,
				       "%s%s is now in more partitions "
				       "than a PKey table of %u entries "
				       "holds (the default partition "
				       "takes one); drop it from a "
				       "partition or raise "
				       "fabric.pkey_table_size",
				       guid ? "port " : "every CA port",
				       guid ? util_format_guid(guid, g,
							       sizeof(g)) :
					      "",
				       cap);
		}
	}
}

static void check_gateway_addrs(struct loader *ld, size_t gi)
{
	const struct policy_gateway *gw = &ld->pol->gateways[gi];
	const struct policy_loc *locs = ld->glocs[gi].addr_locs;
	char a[64], n[64];
	size_t i, j, k = 0;

	for (i = 0; i < gw->n_addrs; i++) {
		const struct policy_gw_addrs *ga = &gw->addrs[i];

		for (j = 0; j < ga->n_addrs; j++, k++) {
			const struct policy_prefix *addr = &ga->addrs[j];
			const struct policy_prefix *net =
				addr->family == AF_INET ? &ga->partition->ipv4 :
							  &ga->partition->ipv6;

			policy_prefix_format(addr, a, sizeof(a));
			if (!net->family)
				pload_error_at(
					ld, locs[k],
					"gateway address %s: "
					"partition '%s' has no "
					"%s subnet; add '%s:' to "
					"the partition",
					a, ga->partition->name,
					addr->family == AF_INET ? "ipv4" :
								  "ipv6",
					addr->family == AF_INET ? "ipv4" :
								  "ipv6");
			else if (!policy_prefix_contains(net, addr) ||
				 addr->plen < net->plen)
				pload_error_at(ld, locs[k],
					       "gateway address %s is "
					       "outside partition '%s' "
					       "subnet %s; use an "
					       "address inside it",
					       a, ga->partition->name,
					       policy_prefix_format(net, n,
								    sizeof(n)));
		}
	}
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
	}
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

void pload_check_rules(struct loader *ld)
{
	check_partitions(ld);
	check_fdb_limits(ld);
	check_lid_pins(ld);
	check_pkey_tables(ld);
	check_gateways(ld);
	check_ports(ld);
}
