// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The limits pass of the policy loader: what the parts that apply a policy
 * can hold (policy.h, "Limits"; fabric.yaml(5), LIMITS). A policy past a
 * limit is refused at 'policy check' time, at the line that exceeds it,
 * rather than accepted and then half applied.
 */
#include "lib/policy_loader.h"

static void check_partition_count(struct loader *ld)
{
	const struct policy *pol = ld->pol;

	if (pol->n_partitions <= POLICY_PARTITIONS_MAX)
		return;
	pload_error_at(
		ld, pol->partitions[POLICY_PARTITIONS_MAX].loc,
		"partition %u is one too many: fabricd's forwarding engine holds %u partitions (%zu are defined); merge or remove partitions",
		POLICY_PARTITIONS_MAX + 1, POLICY_PARTITIONS_MAX,
		pol->n_partitions);
}

static void check_member_counts(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	size_t i;

	for (i = 0; i < pol->n_partitions; i++) {
		const struct policy_partition *p = &pol->partitions[i];

		if (p->n_members <= POLICY_MEMBERS_MAX)
			continue;
		pload_error_at(
			ld, p->members[POLICY_MEMBERS_MAX].loc,
			"member %u of partition '%s' is one too many: a partition holds at most %u members (the unicast LIDs of a subnet); use 'all_cas: true' or split the partition",
			POLICY_MEMBERS_MAX + 1, p->name ? p->name : "?",
			POLICY_MEMBERS_MAX);
	}
}

/* Every fabricd opens every access port of ports:, next to its uplink. */
static bool check_port_count(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	const unsigned int max = POLICY_ENGINE_PORTS_MAX - 1;

	if (pol->n_ports <= max)
		return true;
	pload_error_at(
		ld, pol->ports[max].loc,
		"access port %u is one too many: fabricd's forwarding engine holds %u ports, one of them the uplink; attach fewer interfaces",
		max + 1, POLICY_ENGINE_PORTS_MAX);
	return false;
}

/* The IPoIB partitions gateway @gw is a member of: one engine port each, two with peer links. */
static size_t ipoib_ports(const struct policy *pol,
			  const struct policy_gateway *gw)
{
	size_t i, n = 0;

	for (i = 0; gw->port_guid && i < pol->n_partitions; i++)
		n += (1u + pol->partitions[i].peer) *
		     (pol->partitions[i].ipoib &&
		      policy_port_memb_bits(&pol->partitions[i],
					    gw->port_guid));
	return n;
}

static void check_gateway_ports(struct loader *ld)
{
	const struct policy *pol = ld->pol;
	size_t i, n_ipoib, need;

	for (i = 0; i < pol->n_gateways; i++) {
		const struct policy_gateway *gw = &pol->gateways[i];

		n_ipoib = ipoib_ports(pol, gw);
		need = 1 + pol->n_ports + n_ipoib;
		if (need <= POLICY_ENGINE_PORTS_MAX)
			continue;
		pload_error_at(
			ld, gw->loc,
			"gateway '%s' would need %zu forwarding engine ports (its uplink, %zu access ports, %zu ports for the IPoIB partitions it is a member of, two where peer: true), but fabricd holds %u; set 'ipoib: false' or 'peer: false' on some partitions or attach fewer interfaces",
			gw->name ? gw->name : "?", need, pol->n_ports, n_ipoib,
			POLICY_ENGINE_PORTS_MAX);
	}
}

void pload_check_limits(struct loader *ld)
{
	check_partition_count(ld);
	check_member_counts(ld);
	if (check_port_count(ld))
		check_gateway_ports(ld);
}
