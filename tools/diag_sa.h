/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small Subnet Administration client over libibumad, for the
 * diagnostics. It sends SubnAdmGet (one record) queries with an SM_Key, as
 * OpenSM answers PKeyTableRecord queries only to trusted requesters.
 * Multi-record answers need RMPP, which umad2sim (the simulated fabric)
 * does not carry, so callers walk the fabric one record at a time.
 */
#ifndef FABRIC_DIAG_SA_H
#define FABRIC_DIAG_SA_H

#include <stddef.h>
#include <stdint.h>

/* SA attributes (IBA 15.2.5) and their record sizes in bytes. */
#define DIAG_SA_ATTR_NODE_RECORD 0x0011
#define DIAG_SA_ATTR_SWITCH_INFO_RECORD 0x0014
#define DIAG_SA_ATTR_PKEY_TABLE_RECORD 0x0033
#define DIAG_SA_NODE_RECORD_SIZE 108
#define DIAG_SA_SWITCH_INFO_RECORD_SIZE 24
#define DIAG_SA_PKEY_TABLE_RECORD_SIZE 72
/* The SA data area of one MAD: the most one record may take. */
#define DIAG_SA_DATA_SIZE 200

/* OpenSM's default sa_key / sm_key. */
#define DIAG_SA_DEFAULT_SM_KEY 0x1

/* A NodeRecord, decoded. */
struct diag_node_rec {
	uint16_t lid;
	uint8_t node_type; /* 1 CA, 2 switch, 3 router */
	uint8_t num_ports;
	uint8_t local_port; /* port the record's LID belongs to */
	uint16_t partition_cap; /* PKey table entries */
	uint64_t node_guid;
	uint64_t port_guid;
	char desc[65]; /* NodeDescription, NUL-terminated */
};

struct diag_sa;

/*
 * diag_sa_open - open port @port of CA @ca (NULL/0: the first) for SA
 * queries to the port's SM. @sm_key goes into every request; @timeout_ms
 * bounds each query. Returns NULL with errno set: ENODEV (no such port),
 * ENETDOWN (port has no SM LID yet), or libibumad's error.
 */
struct diag_sa *diag_sa_open(const char *ca, int port, uint64_t sm_key,
			     unsigned int timeout_ms);
/* diag_sa_close - release; accepts NULL. */
void diag_sa_close(struct diag_sa *sa);

/*
 * diag_sa_get - one SubnAdmGet: @rec (@len bytes, at most
 * DIAG_SA_DATA_SIZE) is the template whose fields @comp_mask selects, and
 * receives the answer. Returns 0, -ENOENT when no record matches, -E2BIG
 * when several do, -ETIMEDOUT, -EACCES (SM_Key refused), -EPROTO on other
 * SA errors, or another negative errno from libibumad.
 */
int diag_sa_get(struct diag_sa *sa, uint16_t attr, uint64_t comp_mask,
		void *rec, size_t len);

/* diag_sa_node_by_lid - the NodeRecord of the port with base LID @lid. */
int diag_sa_node_by_lid(struct diag_sa *sa, uint16_t lid,
			struct diag_node_rec *out);

/*
 * diag_sa_pkey_block - PKeyTableRecord: block @block of port @port of the
 * node at @lid, 32 PKeys in host order into @pkeys.
 */
int diag_sa_pkey_block(struct diag_sa *sa, uint16_t lid, uint8_t port,
		       uint16_t block, uint16_t *pkeys);

/*
 * diag_sa_top_lid - the highest unicast LID the SM routes (a switch's
 * LinearFDBTop, from the first SwitchInfoRecord), or -ENOENT when the
 * fabric has no switch.
 */
int diag_sa_top_lid(struct diag_sa *sa);

#endif /* FABRIC_DIAG_SA_H */
