/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabricctl: one grammar, `fabricctl [-j] [-s SOCKET] OBJECT COMMAND [ARGS]`,
 * dispatched from tables. Each object lives in its own tools/fabricctl_*.c
 * and is listed in fabricctl_main.c.
 */
#ifndef FABRICCTL_H
#define FABRICCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/cli.h"

/* Exit codes every command keeps to. */
enum {
	FCTL_OK = 0, /* done */
	FCTL_REFUSED = 1, /* refused: validation failed, problem found */
	FCTL_UNREACHABLE = 2, /* could not reach fabricd or the file */
};

/* Global options, parsed before the object. */
struct fctl_opts {
	bool json; /* -j: JSON output */
	bool pretty; /* -p: indented JSON */
	bool prometheus; /* -o prometheus: Prometheus text (stats only) */
	const char *output; /* -o: text, json or prometheus */
	const char *socket; /* -s: fabricd's control socket */
	const char *policy; /* --policy: the policy file */
	int timeout_ms; /* -t: how long to wait for fabricd */
};

/* The objects (tools/fabricctl_*.c), listed in fabricctl_main.c. */
extern const struct cli_object fctl_policy_object;
extern const struct cli_object fctl_status_object; /* fabricctl_status.c */
extern const struct cli_object fctl_partition_object; /* fabricctl_status.c */
extern const struct cli_object fctl_reconcile_object; /* fabricctl_status.c */
extern const struct cli_object fctl_member_object;
extern const struct cli_object fctl_port_object; /* fabricctl_engine.c */
extern const struct cli_object fctl_fdb_object;
extern const struct cli_object fctl_stats_object;
extern const struct cli_object fctl_neigh_object; /* fabricctl_neigh.c */
extern const struct cli_object fctl_mirror_object; /* fabricctl_span.c */
extern const struct cli_object fctl_flow_object; /* fabricctl_flow.c */
extern const struct cli_object fctl_peer_object; /* fabricctl_peer.c */
extern const struct cli_object fctl_ha_object; /* fabricctl_ha.c */

/*
 * fctl_partition_add, fctl_partition_del - `partition add|del`: edit the
 * policy file (tools/fabricctl_edit.c). Return an FCTL_* exit code.
 */
int fctl_partition_add(const void *ctx, int argc, char **argv);
int fctl_partition_del(const void *ctx, int argc, char **argv);

/*
 * fctl_print_mirrors - mirror sessions (a mirror/list reply, or the
 * "mirrors" of stats) as an array at @key (NULL: none) of the output
 * (tools/fabricctl_span.c).
 */
struct json_t;
void fctl_print_mirrors(const char *key, const struct json_t *sessions);

#endif /* FABRICCTL_H */
