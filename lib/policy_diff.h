/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What changes between two policies, and where it applies: on the fabric
 * (the SM plugin: PKeys, memberships, broadcast groups, LIDs), on gateways
 * (fabricd: VLAN links, addresses) or on hosts (access ports).
 */
#ifndef FABRIC_POLICY_DIFF_H
#define FABRIC_POLICY_DIFF_H

#include "lib/policy.h"

enum policy_change {
	POLICY_ADDED,
	POLICY_REMOVED,
	POLICY_CHANGED,
};

struct policy_diff_item {
	const char *object; /* partition, member, lid_pin, gateway, port */
	const char *name; /* the partition, gateway or port it belongs to */
	const char *key; /* field, member selector, address partition */
	enum policy_change change;
	const char *old_value, *new_value; /* NULL when not applicable */
	const char *scope; /* "fabric", "gateways", "fabric,gateways", "hosts" */
};

typedef void (*policy_diff_fn)(void *ctx, const struct policy_diff_item *it);

/*
 * policy_diff - call @fn for every difference from @old to @new, in policy
 * order. Returns the number of differences.
 */
unsigned int policy_diff(const struct policy *old, const struct policy *new,
			 policy_diff_fn fn, void *ctx);

const char *policy_change_name(enum policy_change c);

#endif /* FABRIC_POLICY_DIFF_H */
