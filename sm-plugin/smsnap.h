/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The state snapshot as plain data: captured from OpenSM's subnet in the
 * SM thread (a copy, cheap), turned into JSON by the writer thread (the
 * expensive part), so that OpenSM never waits for serialisation.
 * Schema of the JSON: docs/sm-plugin.md.
 */
#ifndef FABRIC_SMSNAP_H
#define FABRIC_SMSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMSNAP_VERSION 1
#define SMSNAP_DESC_LEN 64 /* IB_NODE_DESCRIPTION_SIZE */

struct smsnap_port {
	uint64_t node_guid;
	uint64_t port_guid;
	uint16_t lid;
	uint16_t pkey_cap; /* PartitionCap of its node */
	uint8_t port_num;
	const char *type; /* "ca", "switch", ... (static string) */
	char desc[SMSNAP_DESC_LEN + 1]; /* printable ASCII */
	size_t first_pkey; /* its entries: pkeys[first_pkey ..] */
	size_t n_pkeys;
};

struct smsnap_part {
	char *name;
	uint16_t pkey; /* 15-bit base */
	bool ipoib;
	unsigned int mtu;
};

struct smsnap {
	int64_t time; /* Unix seconds */
	uint64_t sweep;
	uint64_t sm_guid;
	char *policy_file;
	char *fabric; /* NULL when no policy is in force */
	bool in_force;
	uint64_t loaded_at;
	unsigned int refused;
	struct smsnap_part *parts;
	size_t n_parts;
	struct smsnap_port *ports;
	size_t n_ports, cap_ports;
	uint16_t *pkeys; /* all ports' valid PKey entries, with bit 15 */
	size_t n_pkeys, cap_pkeys;
};

/* smsnap_add_port - append a zeroed port; NULL when out of memory. */
struct smsnap_port *smsnap_add_port(struct smsnap *s);

/* smsnap_add_pkey - append a PKey entry to the last port; 0 or -ENOMEM. */
int smsnap_add_pkey(struct smsnap *s, uint16_t pkey);

/*
 * smsnap_render - the snapshot as compact JSON text. Returns a malloc'ed
 * string, or NULL when out of memory.
 */
char *smsnap_render(const struct smsnap *s);

/* smsnap_free - release a snapshot and everything it holds; accepts NULL. */
void smsnap_free(struct smsnap *s);

#endif /* FABRIC_SMSNAP_H */
