/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reconciler's state file: which links and addresses fabricd made, so
 * that a restart adopts them (and never claims what others made). JSON:
 *   {"links": [{"name": "eth1.20", "partition": "tenant-a"}],
 *    "addrs": [{"dev": "eth1.20", "addr": "10.20.0.1/24",
 *               "partition": "tenant-a"}]}
 */
#ifndef FABRICD_RECONCILE_STATE_H
#define FABRICD_RECONCILE_STATE_H

#include "fabricd/reconcile/reconcile_plan.h"

/*
 * rc_state_load - read @path into @owned (cleared first). A missing file
 * is an empty state. Returns 0, -EINVAL for a file that is not ours (it is
 * then ignored: nothing is owned), or another negative errno.
 */
int rc_state_load(const char *path, struct rc_set *owned);

/*
 * rc_state_save - write @owned to @path atomically, unless it equals what
 * *@last holds (the text last written, updated here). Returns 0 or -errno.
 */
int rc_state_save(const char *path, const struct rc_set *owned, char **last);

/* rc_addr_parse - "10.20.0.1/24" into @a's family/addr/plen; 0 or -EINVAL */
int rc_addr_parse(const char *s, struct rc_addr *a);

#endif /* FABRICD_RECONCILE_STATE_H */
