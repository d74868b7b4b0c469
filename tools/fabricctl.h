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
	const char *socket; /* -s: fabricd's control socket */
	const char *policy; /* --policy: the policy file */
	int timeout_ms; /* -t: how long to wait for fabricd */
};

struct fctl_cmd {
	const char *name;
	const char *args; /* usage of the arguments, for help */
	const char *help; /* one line */
	int min_args, max_args;
	/* Returns one of the FCTL_* exit codes. */
	int (*run)(const struct fctl_opts *o, int argc, char **argv);
};

struct fctl_object {
	const char *name;
	const char *help;
	const struct fctl_cmd *cmds; /* the first is the default command */
	size_t n_cmds;
};

extern const struct fctl_object fctl_policy_object;
extern const struct fctl_object fctl_status_object; /* fabricctl_status.c */
extern const struct fctl_object fctl_partition_object; /* fabricctl_status.c */
extern const struct fctl_object fctl_partition_edit_object;
extern const struct fctl_object fctl_member_object;
extern const struct fctl_object fctl_port_object; /* fabricctl_engine.c */
extern const struct fctl_object fctl_fdb_object;
extern const struct fctl_object fctl_stats_object;
extern const struct fctl_object fctl_neigh_object; /* fabricctl_neigh.c */

#endif /* FABRICCTL_H */
