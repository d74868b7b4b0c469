/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reconciler's state file: which links and addresses fabricd made, so
 * that a restart adopts them (and never claims what others made). JSON:
 *   {"schema": "fabricd.reconcile/1",
 *    "links": [{"name": "eth1.20", "partition": "tenant-a"}],
 *    "addrs": [{"dev": "eth1.20", "addr": "10.20.0.1/24",
 *               "partition": "tenant-a"}]}
 */
#ifndef FABRICD_RECONCILE_STATE_H
#define FABRICD_RECONCILE_STATE_H

#include "fabricd/reconcile/reconcile_plan.h"

/* The "schema" of the files this version writes. */
#define RC_STATE_SCHEMA "fabricd.reconcile/1"

/*
 * rc_state_load - read @path into @owned (cleared first). A missing file
 * is an empty state. Returns 0; -EBADMSG for a damaged file, -EPROTO for
 * one of another schema (not fabricd's, or a newer one), another negative
 * errno when it cannot be read; @why (@len bytes) then says what is wrong
 * and @owned is empty.
 */
int rc_state_load(const char *path, struct rc_set *owned, char *why,
		  size_t len);

/*
 * rc_state_save - write @owned to @path atomically, unless it equals what
 * *@last holds (the text last written, updated here). Returns 0 or -errno.
 */
int rc_state_save(const char *path, const struct rc_set *owned, char **last);

/* rc_addr_parse - "10.20.0.1/24" into @a's family/addr/plen; 0 or -EINVAL */
int rc_addr_parse(const char *s, struct rc_addr *a);

#endif /* FABRICD_RECONCILE_STATE_H */
