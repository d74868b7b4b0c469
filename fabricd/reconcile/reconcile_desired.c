// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The desired Ethernet state of a gateway (see reconcile_desired.h). */
#include "fabricd/reconcile/reconcile_desired.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/ib.h"
#include "lib/util.h"

_Static_assert(RC_PART_NAME_MAX > POLICY_NAME_MAX,
	       "owned objects keep shorter partition names than the loader "
	       "admits");

static enum rc_memb memb_of(unsigned int bits)
{
	return bits & POLICY_MEMB_BIT_FULL    ? RC_MEMB_FULL :
	       bits & POLICY_MEMB_BIT_LIMITED ? RC_MEMB_LIMITED :
						RC_MEMB_NONE;
}

/* The membership the policy gives port @guid (a CA port) in @part. */
static enum rc_memb policy_memb(const struct policy_partition *part,
				uint64_t guid)
{
	return memb_of(policy_port_memb_bits(part, guid));
}

static enum rc_memb fabric_memb(const struct rc_input *in, uint16_t pkey)
{
	return memb_of(policy_pkey_memb_bits(in->pkeys, in->n_pkeys, pkey));
}

static void classify(const struct rc_input *in,
		     const struct policy_partition *part,
		     struct rc_partition *v)
{
	memset(v, 0, sizeof(*v));
	v->part = part;
	v->policy_memb = in->port_guid ? policy_memb(part, in->port_guid) :
					 RC_MEMB_FULL;
	if (in->fabric) {
		v->fabric_memb = fabric_memb(in, part->pkey);
		v->held = v->fabric_memb != RC_MEMB_NONE;
		if (v->policy_memb && !v->fabric_memb)
			v->drift = RC_DRIFT_NOT_ON_FABRIC;
		else if (!v->policy_memb && v->fabric_memb)
			v->drift = RC_DRIFT_NOT_IN_POLICY;
		else if (v->policy_memb != v->fabric_memb)
			v->drift = RC_DRIFT_MEMBERSHIP;
	} else {
		v->held = v->policy_memb != RC_MEMB_NONE;
	}
	v->served = v->held && in->gw && in->gw->uplink && part->vlan;
}

static int add_links(const struct rc_input *in, struct rc_partition *v,
		     struct rc_set *desired)
{
	struct rc_link l;
	char suffix[8];
	int ret = 0;

	memset(&l, 0, sizeof(l));
	util_strlcpy(l.partition, v->part->name, sizeof(l.partition));
	util_strlcpy(v->addr_dev, in->gw->uplink, sizeof(v->addr_dev));
	if (in->vlan_ok) {
		snprintf(suffix, sizeof(suffix), "%u", v->part->vlan);
		util_link_name(l.name, in->gw->uplink, suffix);
		l.kind = RC_LINK_VLAN;
		util_strlcpy(l.parent, in->gw->uplink, sizeof(l.parent));
		l.id = v->part->vlan;
		util_strlcpy(v->vlan_link, l.name, sizeof(v->vlan_link));
		util_strlcpy(v->addr_dev, l.name, sizeof(v->addr_dev));
		ret = rc_set_add_link(desired, &l);
	}
	if (!ret && in->ipoib_parent) {
		l.id = v->part->pkey |
		       (v->fabric_memb == RC_MEMB_LIMITED ? 0 :
							    IB_PKEY_FULL_BIT);
		snprintf(suffix, sizeof(suffix), "%04x", l.id);
		util_link_name(l.name, in->ipoib_parent, suffix);
		l.kind = RC_LINK_IPOIB;
		util_strlcpy(l.parent, in->ipoib_parent, sizeof(l.parent));
		util_strlcpy(v->ipoib_link, l.name, sizeof(v->ipoib_link));
		ret = rc_set_add_link(desired, &l);
	}
	return ret;
}

/* IPv4 alias label "<dev>:<vid>", when it fits in a link name. */
static void set_label(struct rc_addr *a, unsigned int vlan)
{
	char label[IFNAMSIZ + 16];

	snprintf(label, sizeof(label), "%s:%u", a->dev, vlan);
	if (strlen(label) < sizeof(a->label))
		util_strlcpy(a->label, label, sizeof(a->label));
}

static int add_addrs(const struct rc_input *in, const struct rc_partition *v,
		     struct rc_set *desired)
{
	const struct policy_gw_addrs *ga =
		policy_gateway_addrs(in->gw, v->part);
	struct rc_addr a;
	size_t i;
	int ret = 0;

	for (i = 0; ga && i < ga->n_addrs && !ret; i++) {
		const struct policy_prefix *p = &ga->addrs[i];

		memset(&a, 0, sizeof(a));
		util_strlcpy(a.dev, v->addr_dev, sizeof(a.dev));
		a.family = p->family;
		memcpy(a.addr, p->addr, sizeof(a.addr));
		a.plen = p->plen;
		util_strlcpy(a.partition, v->part->name, sizeof(a.partition));
		if (a.family == AF_INET)
			set_label(&a, v->part->vlan);
		ret = rc_set_add_addr(desired, &a);
	}
	return ret;
}

int rc_desired_build(const struct rc_input *in, struct rc_set *desired,
		     struct rc_partition *views)
{
	size_t i;
	int ret = 0;

	desired->n_links = desired->n_addrs = 0;
	for (i = 0; i < in->pol->n_partitions && !ret; i++) {
		struct rc_partition *v = &views[i];

		classify(in, &in->pol->partitions[i], v);
		if (!v->served)
			continue;
		ret = add_links(in, v, desired);
		if (!ret)
			ret = add_addrs(in, v, desired);
	}
	return ret;
}

size_t rc_unknown_pkeys(const struct rc_input *in, uint16_t *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < in->n_pkeys && n < max; i++)
		if (!policy_find_partition_by_pkey(in->pol,
						   ib_pkey_base(in->pkeys[i])))
			out[n++] = in->pkeys[i];
	return n;
}

const char *rc_memb_name(enum rc_memb m)
{
	static const char *const names[] = {
		[RC_MEMB_NONE] = "none",
		[RC_MEMB_LIMITED] = "limited",
		[RC_MEMB_FULL] = "full",
	};

	return m < ARRAY_SIZE(names) ? names[m] : "?";
}

const char *rc_drift_name(enum rc_drift d)
{
	static const char *const names[] = {
		[RC_DRIFT_NONE] = "none",
		[RC_DRIFT_NOT_ON_FABRIC] = "policy-member-not-on-fabric",
		[RC_DRIFT_NOT_IN_POLICY] = "on-fabric-not-in-policy",
		[RC_DRIFT_MEMBERSHIP] = "membership-differs",
	};

	return d < ARRAY_SIZE(names) ? names[d] : "?";
}
