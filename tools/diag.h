/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared helpers of the diagnostics (fabstat), in the spirit of
 * infiniband-diags' ibdiag_common: names and human units for InfiniBand
 * codes, and SMP queries to a local port through libibmad.
 */
#ifndef FABRIC_DIAG_H
#define FABRIC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <infiniband/umad.h>

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

/*
 * diag_ca_names - the local CAs' names into @names (at most @max); 0 when
 * there is none (libibumad makes up a default name when sysfs has no
 * device: that one is not counted). Prints nothing.
 */
int diag_ca_names(char names[][UMAD_CA_NAME_LEN], int max);

/*
 * diag_port_is_ib - whether @p has the InfiniBand link layer (libibumad
 * says "IB" when sysfs has no link_layer file, as under umad2sim).
 */
bool diag_port_is_ib(const umad_port_t *p);

/*
 * diag_ib_port_check - whether this host has an InfiniBand port: port
 * @port (0: any) of CA @ca (NULL: any) with the InfiniBand link layer.
 * Reads sysfs through libibumad without opening a umad device, so it
 * prints nothing (libibumad's "ibwarn" lines come from opening one).
 * Returns 0, or -ENODEV and a clause for the operator in @why (what is
 * missing, what there is instead).
 */
int diag_ib_port_check(const char *ca, int port, char *why, size_t len);

/*
 * diag_require_ib_port - diag_ib_port_check() for command @cmd of fabstat:
 * without a port, prints the one sentence on stderr. Commands call it after
 * their own arguments are checked, so a usage error is reported as such.
 * Returns 0 or -ENODEV.
 */
int diag_require_ib_port(const char *cmd, const char *ca, int port);

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
