/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabstat - ibstat-style diagnostics of a fabricd fabric. The commands
 * live in tools/fabstat_*.c and are dispatched from the table in
 * tools/fabstat_main.c; each returns an enum diag_status exit code.
 */
#ifndef FABRIC_FABSTAT_H
#define FABRIC_FABSTAT_H

#include <stdbool.h>
#include <stdint.h>

struct policy;

/* Global options, parsed before the command (as in `ip -j link`). */
struct fabstat_opts {
	bool json;
	const struct policy *policy; /* NULL when no policy was found */
	const char *snapshot; /* SM plugin state snapshot, or NULL */
	const char *ca; /* --ca: local CA for fabric queries, NULL: first */
	int port; /* --port: its port, 0: first active */
	uint64_t sm_key; /* SA SM_Key for trusted queries */
	unsigned int timeout_ms; /* per MAD */
};

/*
 * The commands take the struct fabstat_opts as @ctx (a struct cli_cmd's
 * run) and return an enum diag_status exit code.
 *
 * fabstat_ports - `fabstat [ports] [CA [PORT]]`: local ports and PKeys.
 */
int fabstat_ports(const void *ctx, int argc, char **argv);

/* fabstat_fabric - `fabstat fabric`: partitions and their member ports. */
int fabstat_fabric(const void *ctx, int argc, char **argv);

/*
 * fabstat_partition_name - the policy's name for @pkey (either membership
 * bit), "Default" for the default partition, or NULL when unknown.
 */
const char *fabstat_partition_name(const struct policy *pol, uint16_t pkey);

#endif /* FABRIC_FABSTAT_H */
