// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The policy model: look-ups, names and address arithmetic. The YAML loader
 * that builds it is lib/policy_load.c.
 */
#include "lib/policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/ib.h"
#include "lib/util.h"

static void partition_free(struct policy_partition *p)
{
	size_t i;

	for (i = 0; i < p->n_members; i++)
		free(p->members[i].node);
	free(p->name);
	free(p->members);
}

static void gateway_free(struct policy_gateway *gw)
{
	size_t i;

	free(gw->name);
	free(gw->uplink);
	free(gw->ib_device);
	for (i = 0; i < gw->n_addrs; i++)
		free(gw->addrs[i].addrs);
	free(gw->addrs);
	free(gw->prios);
}

void policy_free(struct policy *pol)
{
	size_t i;

	if (!pol)
		return;
	for (i = 0; i < pol->n_partitions; i++)
		partition_free(&pol->partitions[i]);
	for (i = 0; i < pol->n_gateways; i++)
		gateway_free(&pol->gateways[i]);
	for (i = 0; i < pol->n_ports; i++)
		free(pol->ports[i].name);
	free(pol->partitions);
	free(pol->gateways);
	free(pol->ports);
	free(pol->lid_pins);
	free(pol->fabric_name);
	free(pol->metrics.textfile_dir);
	free(pol->flow_export.collector);
	free(pol->file);
	free(pol);
}

const struct policy_partition *policy_find_partition(const struct policy *pol,
						     const char *name)
{
	size_t i;

	/* A name may be NULL while a faulty file is being loaded. */
	for (i = 0; i < pol->n_partitions; i++)
		if (pol->partitions[i].name &&
		    !strcmp(pol->partitions[i].name, name))
			return &pol->partitions[i];
	return NULL;
}

const struct policy_partition *
policy_find_partition_by_pkey(const struct policy *pol, uint16_t pkey)
{
	size_t i;

	pkey &= ~IB_PKEY_FULL_BIT;
	for (i = 0; i < pol->n_partitions; i++)
		if (pol->partitions[i].pkey == pkey)
			return &pol->partitions[i];
	return NULL;
}

const struct policy_partition *
policy_find_partition_by_vlan(const struct policy *pol, uint16_t vlan)
{
	size_t i;

	if (!vlan)
		return NULL;
	for (i = 0; i < pol->n_partitions; i++)
		if (pol->partitions[i].vlan == vlan)
			return &pol->partitions[i];
	return NULL;
}

const struct policy_gateway *policy_find_gateway(const struct policy *pol,
						 const char *name)
{
	size_t i;

	for (i = 0; i < pol->n_gateways; i++)
		if (pol->gateways[i].name &&
		    !strcmp(pol->gateways[i].name, name))
			return &pol->gateways[i];
	return NULL;
}

const struct policy_gw_addrs *
policy_gateway_addrs(const struct policy_gateway *gw,
		     const struct policy_partition *part)
{
	size_t i;

	for (i = 0; i < gw->n_addrs; i++)
		if (gw->addrs[i].partition == part)
			return &gw->addrs[i];
	return NULL;
}

unsigned int policy_gateway_priority(const struct policy_gateway *gw,
				     const struct policy_partition *part)
{
	size_t i;

	for (i = 0; i < gw->n_prios; i++)
		if (gw->prios[i].partition == part)
			return gw->prios[i].priority;
	return 0;
}

bool policy_partition_has_group(const struct policy *pol,
				const struct policy_partition *part)
{
	size_t i;

	for (i = 0; i < pol->n_gateways; i++)
		if (policy_gateway_priority(&pol->gateways[i], part))
			return true;
	return false;
}

/* A node selector is resolved by the SM plugin against node descriptions;
 * by GUID alone it selects nothing. */
bool policy_member_selects(const struct policy_member *m, uint64_t guid)
{
	return m->sel == POLICY_SEL_ALL || m->sel == POLICY_SEL_ALL_CAS ||
	       (m->sel == POLICY_SEL_GUID && m->guid == guid);
}

unsigned int policy_port_memb_bits(const struct policy_partition *part,
				   uint64_t guid)
{
	unsigned int m = 0;
	size_t i;

	for (i = 0; i < part->n_members; i++) {
		const struct policy_member *mb = &part->members[i];

		if (!policy_member_selects(mb, guid))
			continue;
		if (mb->membership != POLICY_MEMB_LIMITED)
			m |= POLICY_MEMB_BIT_FULL;
		if (mb->membership != POLICY_MEMB_FULL)
			m |= POLICY_MEMB_BIT_LIMITED;
	}
	return m;
}

unsigned int policy_pkey_memb_bits(const uint16_t *pkeys, size_t n,
				   uint16_t base)
{
	unsigned int m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if ((pkeys[i] & ~IB_PKEY_FULL_BIT) == base)
			m |= pkeys[i] & IB_PKEY_FULL_BIT ?
				     POLICY_MEMB_BIT_FULL :
				     POLICY_MEMB_BIT_LIMITED;
	return m;
}

const char *policy_membership_name(enum policy_membership m)
{
	switch (m) {
	case POLICY_MEMB_FULL:
		return "full";
	case POLICY_MEMB_LIMITED:
		return "limited";
	case POLICY_MEMB_BOTH:
		return "both";
	}
	return "?";
}

const char *policy_selector_name(enum policy_selector s)
{
	switch (s) {
	case POLICY_SEL_GUID:
		return "guid";
	case POLICY_SEL_ALL_CAS:
		return "all_cas";
	case POLICY_SEL_ALL_SWITCHES:
		return "all_switches";
	case POLICY_SEL_ALL:
		return "all";
	case POLICY_SEL_NODE:
		return "node";
	}
	return "?";
}

char *policy_prefix_format(const struct policy_prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "";

	if (!p->family) {
		util_strlcpy(buf, "", len);
		return buf;
	}
	inet_ntop(p->family, p->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, p->plen);
	return buf;
}

/* Do the first @plen bits of @a and @b agree? */
static bool prefix_bits_equal(const uint8_t *a, const uint8_t *b,
			      unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (memcmp(a, b, full))
		return false;
	if (!rest)
		return true;
	return !((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest)));
}

bool policy_default_warning(const struct policy *pol, char *buf, size_t len)
{
	const struct policy_loc *l = &pol->dflt.loc;

	if (!pol->n_partitions || pol->dflt.membership != POLICY_MEMB_FULL)
		return false;
	if (!pol->dflt.set)
		l = &pol->partitions[0].loc;
	snprintf(
		buf, len,
		"%s:%u:%u: warning: tenants can meet in the default partition: "
		"every CA is a full member of 0x7fff%s; write "
		"'default_partition: { membership: limited }' to keep "
		"tenants apart",
		pol->file ? pol->file : "", l->line, l->col,
		pol->dflt.set ? "" : " (no default_partition: key)");
	return true;
}

bool policy_prefix_contains(const struct policy_prefix *net,
			    const struct policy_prefix *addr)
{
	if (!net->family || net->family != addr->family)
		return false;
	return prefix_bits_equal(net->addr, addr->addr, net->plen);
}

bool policy_prefix_overlap(const struct policy_prefix *a,
			   const struct policy_prefix *b)
{
	if (!a->family || a->family != b->family)
		return false;
	return prefix_bits_equal(a->addr, b->addr, MIN(a->plen, b->plen));
}

int policy_parse_hostport(const char *s, char *host, size_t hlen,
			  unsigned int *port)
{
	const char *colon, *h = s;
	size_t n;
	uint64_t p;

	if (s[0] == '[') {
		colon = strstr(s, "]:");
		h = s + 1;
		n = colon ? (size_t)(colon - h) : 0;
		colon = colon ? colon + 1 : NULL;
	} else {
		colon = strrchr(s, ':');
		n = colon ? (size_t)(colon - s) : 0;
		if (colon && memchr(s, ':', n))
			return -EINVAL; /* a bare IPv6 address: needs [] */
	}
	if (!colon || !n || n >= hlen || util_parse_u64(colon + 1, 65535, &p) ||
	    !p)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (unsigned int)p;
	return 0;
}
