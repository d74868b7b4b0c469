/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared helpers of the diagnostics (fabstat), in the spirit of
 * infiniband-diags' ibdiag_common: names and human units for InfiniBand
 * codes, and SMP queries to a local port through libibmad.
 */
#ifndef FABRIC_DIAG_H
#define FABRIC_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/ib.h"

/* Exit statuses every diagnostic uses. */
enum diag_status {
	DIAG_OK = 0, /* checked, healthy */
	DIAG_PROBLEM = 1, /* checked, found a problem */
	DIAG_UNCHECKED = 2, /* could not check (no device, no SA, bad args) */
};

/* The largest PKey table we read: NodeInfo.PartitionCap is 16 bits. */
#define DIAG_PKEYS_MAX 65536

/* diag_port_state_name - "Down", "Initializing", "Armed", "Active"... */
const char *diag_port_state_name(unsigned int state);
/* diag_phys_state_name - "Sleep", "Polling", "Disabled", "LinkUp"... */
const char *diag_phys_state_name(unsigned int phys_state);
/* diag_node_type_name - "CA", "Switch", "Router", or "?". */
const char *diag_node_type_name(unsigned int type);

/*
 * diag_rate_format - a libibumad port rate (Gb/s, with 2 meaning 2.5) as
 * "2.5 Gb/s" or "100 Gb/s" into @buf. Returns @buf.
 */
char *diag_rate_format(unsigned int rate, char *buf, size_t len);
/* diag_pkey_membership - "full" or "limited" from the PKey's top bit. */
const char *diag_pkey_membership(uint16_t pkey);

/* A local port, opened for SMPs (libibmad). */
struct diag_smp;

/*
 * diag_smp_open - open port @port of CA @ca (NULL/0: the first) for SMP
 * queries; @timeout_ms bounds each query. Returns NULL with errno set.
 */
struct diag_smp *diag_smp_open(const char *ca, int port,
			       unsigned int timeout_ms);
/* diag_smp_close - release; accepts NULL. */
void diag_smp_close(struct diag_smp *smp);

/*
 * diag_smp_pkeys - read the local port's PKey table from the port itself
 * (lib/ib_smp.h: NodeInfo.PartitionCap, then each PKeyTable block). Fills @pkeys with up
 * to @max entries, all of them, zeros included; *@n gets the table size.
 * Returns 0, or -EIO when the port does not answer.
 */
int diag_smp_pkeys(struct diag_smp *smp, uint16_t *pkeys, unsigned int max,
		   unsigned int *n);

/*
 * diag_smp_mtu - the local port's active (neighbour) MTU and its MTU
 * capability, in bytes, from PortInfo. Returns 0 or -EIO.
 */
int diag_smp_mtu(struct diag_smp *smp, unsigned int *active, unsigned int *cap);

#endif /* FABRIC_DIAG_H */
