/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SMP queries to a local InfiniBand port through libibmad, shared by fabricd
 * (fabricd/pkeys.c) and fabstat (tools/diag.c): each is one SubnGet on a
 * zero-hop directed route, so it works before the port has a LID and under
 * any SM (under umad2sim, ibsim answers). A program that calls them links
 * -libumad -libmad; the others do not pull lib/ib_smp.o in.
 */
#ifndef LIB_IB_SMP_H
#define LIB_IB_SMP_H

#include <stdint.h>

/* The data of one SMP (libibmad's IB_SMP_DATA_SIZE). */
#define IB_SMP_DATA_BYTES 64

struct ibmad_port;

/*
 * ib_smp_open - open port @port (0: the first) of CA @ca (NULL: the first)
 * for SMPs. Returns the libibmad port (close it with ib_smp_close()), or
 * NULL with errno set.
 */
struct ibmad_port *ib_smp_open(const char *ca, int port);

/* ib_smp_close - release a port ib_smp_open() returned; accepts NULL. */
void ib_smp_close(struct ibmad_port *mad);

/*
 * ib_smp_get - SubnGet(@attr, modifier @mod) of the local port into @buf
 * (IB_SMP_DATA_BYTES), waiting at most @timeout_ms. Returns 0 or -EIO.
 */
int ib_smp_get(struct ibmad_port *mad, unsigned int timeout_ms,
	       unsigned int attr, unsigned int mod, uint8_t *buf);

/*
 * ib_smp_partition_cap - the size of the local port's PKey table
 * (NodeInfo.PartitionCap; 0 when the port reports none) into *@cap.
 * Returns 0 or -EIO.
 */
int ib_smp_partition_cap(struct ibmad_port *mad, unsigned int timeout_ms,
			 unsigned int *cap);

/*
 * ib_smp_pkey_table - read the first @n entries of the local port's PKey
 * table, block by block (IB_PKEYS_PER_BLOCK entries each), into @pkeys in
 * host order, every entry as it is (invalid ones, the membership bit).
 * @n is at most the table size (ib_smp_partition_cap()). Returns 0 or -EIO.
 */
int ib_smp_pkey_table(struct ibmad_port *mad, unsigned int timeout_ms,
		      uint16_t *pkeys, unsigned int n);

#endif /* LIB_IB_SMP_H */
