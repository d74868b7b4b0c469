/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Learning which partitions an IB port really holds: its PKey table, read
 * from the fabric with SMPs (SubnGet(PKeyTable) on a zero-hop directed
 * route, so it works before the port has a LID and under any SM; the
 * reader is lib/ib_smp.h, shared with fabstat), through libibumad/libibmad. Under umad2sim the table comes from ibsim, as the SM
 * programmed it.
 */
#ifndef FABRICD_PKEYS_H
#define FABRICD_PKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PKey entries fabricd keeps; a table larger than this is truncated. */
#define PKEYS_MAX 4096

struct pkeys_port;

/*
 * pkeys_open - open IB port @port (1-based; 0: the first port) of device
 * @dev (NULL: the first device umad lists). Returns the port, or NULL with
 * errno set: ENODEV when the host has no IB device (an Ethernet-only host).
 */
struct pkeys_port *pkeys_open(const char *dev, int port);

/* pkeys_close - release the port; accepts NULL. */
void pkeys_close(struct pkeys_port *p);

/*
 * pkeys_read - read the port's PKey table from the fabric. Fills @out with
 * the valid entries (membership bit included, invalid and default-partition
 * entries left out, duplicates merged keeping the full bit), at most @max.
 * Returns their count, or a negative errno (-EIO when the SMP failed).
 */
int pkeys_read(struct pkeys_port *p, uint16_t *out, size_t max);

/* Identity of the opened port. */
const char *pkeys_dev_name(const struct pkeys_port *p);
int pkeys_port_num(const struct pkeys_port *p);
uint64_t pkeys_port_guid(const struct pkeys_port *p); /* host order */

/*
 * pkeys_ipoib_netdev - find the host's IPoIB netdev for the port (not a
 * child interface), e.g. "ib0". Returns 0 and fills @name, or -ENOENT.
 */
int pkeys_ipoib_netdev(const struct pkeys_port *p, char *name, size_t len);

/*
 * pkeys_is_roce - true when port @port (0: 1) of verbs device @dev has an
 * Ethernet link layer (RoCE, rxe): no SMPs, no PKey table to read.
 */
bool pkeys_is_roce(const char *dev, int port);

/*
 * pkeys_merge - add the entries of PKey table @table (@n_table entries, host
 * order) to @out, which holds *@n entries, up to @max; same filtering as
 * pkeys_read(). Exposed for the unit tests.
 */
void pkeys_merge(const uint16_t *table, size_t n_table, uint16_t *out,
		 size_t max, size_t *n);

#endif /* FABRICD_PKEYS_H */
