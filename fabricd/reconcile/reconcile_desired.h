/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the Ethernet side should look like: from the policy (Ethernet
 * attributes, the gateway's addresses) and the PKeys the IB port really
 * holds, the desired links and addresses for the reconciler, and a view of
 * each partition (membership on the fabric and in the policy, drift) for
 * status and the log.
 *
 * Per partition held by the port and served by the gateway (it has a VLAN):
 * a VLAN link <uplink>.<vid> marked "fabricd:<partition>" carrying the
 * gateway's addresses (IPv4 labelled <link>:<vid>, IPv6), and an IPoIB child
 * <ibdev>.<pkey> where the host has an IPoIB netdev for the port. Without
 * 802.1Q in the kernel the addresses go on the uplink itself, labelled
 * <uplink>:<vid>, so they stay reachable untagged.
 */
#ifndef FABRICD_RECONCILE_DESIRED_H
#define FABRICD_RECONCILE_DESIRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabricd/reconcile/reconcile_plan.h"
#include "lib/policy.h"

enum rc_memb {
	RC_MEMB_NONE,
	RC_MEMB_LIMITED,
	RC_MEMB_FULL,
};

enum rc_drift {
	RC_DRIFT_NONE,
	RC_DRIFT_NOT_ON_FABRIC, /* the policy makes the port a member */
	RC_DRIFT_NOT_IN_POLICY, /* the port holds it, the policy does not */
	RC_DRIFT_MEMBERSHIP, /* full vs limited differ */
};

struct rc_input {
	const struct policy *pol;
	const struct policy_gateway *gw; /* NULL: no gateway role here */
	uint64_t port_guid; /* the IB port's GUID; 0 when unknown */
	bool fabric; /* @pkeys were read from the fabric */
	const uint16_t *pkeys; /* with the full bit */
	size_t n_pkeys;
	bool vlan_ok; /* the kernel can make 802.1Q links */
	const char *ipoib_parent; /* the port's IPoIB netdev, or NULL */
};

/* One partition as this host sees it. */
struct rc_partition {
	const struct policy_partition *part;
	enum rc_memb fabric_memb; /* from the PKey table (NONE if unread) */
	enum rc_memb policy_memb; /* what the policy gives this port */
	bool held; /* mirrored: on the port (or in the policy, without IB) */
	bool served; /* this gateway mirrors it on Ethernet */
	enum rc_drift drift;
	char vlan_link[IFNAMSIZ]; /* or "" */
	char ipoib_link[IFNAMSIZ]; /* or "" */
	char addr_dev[IFNAMSIZ]; /* where its addresses go, or "" */
};

/*
 * rc_desired_build - fill @desired (cleared first) and @views (an array of
 * pol->n_partitions, allocated by the caller). Returns 0 or -ENOMEM.
 */
int rc_desired_build(const struct rc_input *in, struct rc_set *desired,
		     struct rc_partition *views);

/*
 * rc_unknown_pkeys - copy into @out (room for @max) the PKeys of @in that
 * no partition of the policy has. Returns their count.
 */
size_t rc_unknown_pkeys(const struct rc_input *in, uint16_t *out, size_t max);

const char *rc_memb_name(enum rc_memb m);
const char *rc_drift_name(enum rc_drift d);

#endif /* FABRICD_RECONCILE_DESIRED_H */
