/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reconciler: makes the kernel's links and addresses match a desired
 * set (reconcile_plan.h says which objects it may touch), through libnl-3.
 * Requests are pipelined (many in flight, acks collected per window), and a
 * second netlink socket listens to link and address events so that the
 * daemon reconciles again when someone changes things by hand.
 *
 * Ownership survives restarts through the link alias "fabricd:<partition>"
 * and a state file (JSON, written atomically) listing the addresses fabricd
 * added and the links it is creating.
 */
#ifndef FABRICD_RECONCILE_H
#define FABRICD_RECONCILE_H

#include <stdbool.h>
#include <stdint.h>

#include "fabricd/reconcile/reconcile_plan.h"

struct reconciler;

struct reconcile_stats {
	unsigned int runs; /* reconcile_run() calls */
	unsigned int ops; /* kernel requests sent, all runs */
	unsigned int failed; /* kernel requests refused, all runs */
	unsigned int last_ops; /* requests of the last run */
	unsigned int last_failed;
	uint64_t last_us; /* duration of the last run */
	char last_error[256]; /* "" when the last run had none */
	/* The state file can neither be read nor written: "" when fine. */
	char state_error[512];
	size_t adopted_links, adopted_addrs; /* by the last adopting run */
};

/*
 * reconcile_create - open the netlink sockets and load @state_file (created
 * on first write; a missing file means nothing is owned yet). A file that
 * cannot be read (damaged, another schema) is logged and kept in
 * reconcile_stats()->state_error; it is not overwritten until
 * reconcile_adopt(). Returns the reconciler, or NULL with errno set.
 */
struct reconciler *reconcile_create(const char *state_file);

/*
 * reconcile_adopt - make the next successful run take ownership of kernel
 * objects that match the desired set exactly: links of the desired name,
 * kind, parent and VID/PKey, addresses equal to a desired one (the
 * partition's address on its device). It also ends a state-file error
 * (reconcile_stats()->state_error): the unreadable file is renamed
 * <file>.bad and a new one written.
 */
void reconcile_adopt(struct reconciler *rc);

/* reconcile_destroy - close; leaves the kernel objects in place. NULL ok. */
void reconcile_destroy(struct reconciler *rc);

/* reconcile_event_fd - the descriptor to poll for kernel events. */
int reconcile_event_fd(const struct reconciler *rc);

/*
 * reconcile_handle_events - drain pending kernel events. Returns true when
 * any arrived (or some were lost), i.e. a reconcile is due.
 */
bool reconcile_handle_events(struct reconciler *rc);

/*
 * reconcile_run - make the kernel match @desired and set the status of
 * each desired object. Returns 0 (some objects may still have failed: see
 * their status), -EAGAIN when it just found the kernel has no 802.1Q
 * support (rebuild @desired without VLAN links and run again), or a
 * negative errno when the kernel state could not be read.
 */
int reconcile_run(struct reconciler *rc, struct rc_set *desired);

/*
 * reconcile_vlan_missing - true once creating a VLAN link failed because
 * the kernel lacks 802.1Q; reconcile_vlan_retry() forgets it.
 */
bool reconcile_vlan_missing(const struct reconciler *rc);
void reconcile_vlan_retry(struct reconciler *rc);

const struct reconcile_stats *reconcile_stats(const struct reconciler *rc);

/* reconcile_link_ifindex - ifindex of @name as last read, or 0. */
int reconcile_link_ifindex(const struct reconciler *rc, const char *name);

#endif /* FABRICD_RECONCILE_H */
