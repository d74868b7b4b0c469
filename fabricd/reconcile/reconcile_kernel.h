/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reconciler's kernel half, through libnl-route-3: reading links and
 * addresses into an rc_set, and building the requests that change them.
 * Errors are negative errnos (libnl's NLE_* are converted here).
 */
#ifndef FABRICD_RECONCILE_KERNEL_H
#define FABRICD_RECONCILE_KERNEL_H

#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "fabricd/reconcile/reconcile_plan.h"

/* rc_nle_errno - a libnl NLE_* code (negative or positive) to -errno. */
int rc_nle_errno(int nle);

/*
 * rc_kernel_read_links - dump every link into @actual (links cleared
 * first). A link is marked as fabricd's by its alias, or, when it has none
 * (a crash between create and alias), by its name in @owned.
 * Returns 0 or -errno.
 */
int rc_kernel_read_links(struct nl_sock *sk, struct rc_set *actual,
			 const struct rc_set *owned);

/* rc_kernel_read_addrs - dump every address into @actual (cleared first) */
int rc_kernel_read_addrs(struct nl_sock *sk, struct rc_set *actual);

/*
 * rc_kernel_promote_secondaries - set net.ipv4.conf.@dev.promote_secondaries.
 * Returns 1 when it changed it, 0 when it was on, or a negative errno.
 */
int rc_kernel_promote_secondaries(const char *dev);

/*
 * Request builders; each returns 0 and sets *@msg, or -errno. @ifindex
 * values are the kernel's, looked up by the caller.
 */
int rc_msg_link_add(const struct rc_link *l, int parent_ifindex,
		    struct nl_msg **msg);
/* Set up and alias of an existing link, found by name. */
int rc_msg_link_fix(const struct rc_link *l, struct nl_msg **msg);
int rc_msg_link_del(const struct rc_link *l, struct nl_msg **msg);
int rc_msg_addr(const struct rc_addr *a, int ifindex, bool add,
		struct nl_msg **msg);

#endif /* FABRICD_RECONCILE_KERNEL_H */
