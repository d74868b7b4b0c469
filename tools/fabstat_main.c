// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabstat - ibstat-style diagnostics of a fabricd fabric.
 *
 * Global options come first (as in `ip -j link`), then a command from the
 * table below; a first word that is not a command is a CA name, so
 * `fabstat mlx5_0 1` works like `ibstat mlx5_0 1`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cli.h"
#include "lib/output.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "tools/diag.h"
#include "tools/diag_sa.h"
#include "tools/fabstat.h"
#include "tools/fabstat_doctor.h"

#define DEFAULT_TIMEOUT_MS 1000

/* The parsed command line, beyond struct fabstat_opts. */
struct cmdline {
	struct fabstat_opts o;
	const char *policy_path; /* --policy, NULL: PATHS_POLICY if any */
};

#define C struct cmdline

static const struct cli_opt options[] = {
	{ "json", 'j', NULL, "JSON output with stable keys",
	  CLI_SET_FLAG(C, o.json) },
	{ "policy", CLI_LONG_ONLY, "FILE",
	  "policy for partition names (default " PATHS_POLICY ", if it exists)",
	  CLI_SET_STRING(C, policy_path) },
	{ "snapshot", CLI_LONG_ONLY + 1, "FILE",
	  "fabric: read the SM plugin's state snapshot instead of asking the "
	  "SA",
	  CLI_SET_STRING(C, o.snapshot) },
	{ "ca", CLI_LONG_ONLY + 2, "CA",
	  "fabric: local CA to query the SA through", CLI_SET_STRING(C, o.ca) },
	{ "port", CLI_LONG_ONLY + 3, "N",
	  "fabric: its port (default: the first)",
	  CLI_SET_UINT(C, o.port, 0, 254) },
	{ "sm-key", CLI_LONG_ONLY + 4, "KEY",
	  "SM_Key for SA queries (default " CLI_STR(DIAG_SA_DEFAULT_SM_KEY) ")",
	  CLI_SET_UINT(C, o.sm_key, 0, UINT64_MAX) },
	{ "timeout", 't', "MS",
	  "per-query timeout (default " CLI_STR(DEFAULT_TIMEOUT_MS) ")",
	  CLI_SET_UINT(C, o.timeout_ms, 1, 600000) },
};

#undef C

static int cmd_help(const void *ctx, int argc, char **argv);

static const struct cli_cmd commands[] = {
	{ "ports", "[CA [PORT]]",
	  "local ports like ibstat, with their PKey tables decoded", 0, 2,
	  fabstat_ports },
	{ "fabric", NULL,
	  "partitions on the fabric (SA or --snapshot) and their members", 0, 0,
	  fabstat_fabric },
	{ "doctor", "[-v] [-s SOCKET] [-g GATEWAY] [PARTITION]",
	  "why a partition is down here, with a fix (options: doctor -h)", 0, 6,
	  fabstat_doctor },
	{ "help", NULL, "print this help", 0, 0, cmd_help },
};

static void help_tail(FILE *f)
{
	static const struct cli_cmd none = {
		.name = "(no command)",
		.help = "the same as 'ports'",
	};

	fprintf(f, "Commands:\n");
	cli_print_cmds(f, commands, ARRAY_SIZE(commands));
	cli_print_cmds(f, &none, 1);
	fprintf(f,
		"\n"
		"Exit status: 0 healthy, 1 a problem was found (a port not\n"
		"Active, a policy member missing from the fabric), 2 could not\n"
		"check (no device, no SM, unreadable file, bad arguments).\n"
		"\n"
		"Examples:\n"
		"  fabstat                       every local port\n"
		"  fabstat -j mlx5_0 1           one port, as JSON\n"
		"  fabstat --policy fabric.yaml fabric\n"
		"\n"
		"See fabstat(8).\n");
}

static const struct cli_prog prog = {
	.name = "fabstat",
	.synopsis = "fabstat [OPTIONS] [CA [PORT]]\n"
		    "fabstat [OPTIONS] COMMAND [ARGS...]",
	.about =
		"Show the InfiniBand side of a fabricd fabric: each local port\n"
		"as ibstat shows it plus its PKey table decoded (PKey, full or\n"
		"limited membership, the policy's partition name), and the\n"
		"partitions the subnet manager made with their member ports.",
	CLI_OPTS(options),
	.stop_at_word = true, /* the first word is the command or CA */
	.help_tail = help_tail,
};

static int cmd_help(const void *ctx, int argc, char **argv)
{
	cli_usage(&prog, stdout);
	return DIAG_OK;
}

/*
 * The policy gives partition names. The default file is optional; a file
 * named with --policy must load, or we could not check what was asked.
 */
static int load_policy(const struct cmdline *cl, struct policy **pol)
{
	const char *path = cl->policy_path ? cl->policy_path : PATHS_POLICY;

	*pol = NULL;
	if (!cl->policy_path && access(path, F_OK))
		return 0;
	*pol = policy_load(path, stderr, NULL);
	if (*pol)
		return 0;
	fprintf(stderr, "fabstat: cannot use policy %s: %s\n", path,
		errno == EINVAL ? "it has errors (above)" : strerror(errno));
	return -errno;
}

static bool asks_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

/*
 * Whether @cmd needs a local InfiniBand port before it runs: all but help
 * and a snapshot. doctor checks for itself, after its own arguments.
 */
static bool needs_ib_port(const struct cli_cmd *cmd,
			  const struct fabstat_opts *o)
{
	if (cmd->run == cmd_help || cmd->run == fabstat_doctor)
		return false;
	return cmd->run != fabstat_fabric || !o->snapshot;
}

/*
 * Without an InfiniBand port there is nothing to check: say so in one
 * sentence, before libibumad is asked to open a port (it would print its
 * own warnings) and before a command could report "OK".
 */
static int check_ib_port(const struct cli_cmd *cmd,
			 const struct fabstat_opts *o, int argc, char **argv)
{
	if (!needs_ib_port(cmd, o) || asks_help(argc, argv))
		return 0;
	return diag_require_ib_port(cmd->name, o->ca, o->port);
}

static int run(const struct fabstat_opts *o, int argc, char **argv)
{
	const struct cli_cmd *cmd =
		argc ? cli_cmd_find(commands, ARRAY_SIZE(commands), argv[0]) :
		       NULL;
	int status;

	if (cmd) {
		argc--;
		argv++;
	} else {
		cmd = &commands[0]; /* a CA name, or nothing */
	}
	if (cli_cmd_check(cmd, "[OPTIONS]", argc) ||
	    check_ib_port(cmd, o, argc, argv))
		return DIAG_UNCHECKED;
	out_begin(stdout, o->json);
	status = cmd->run(o, argc, argv);
	if (out_end() && status == DIAG_OK)
		status = DIAG_UNCHECKED;
	return status;
}

int main(int argc, char **argv)
{
	struct cmdline cl = {
		.o.sm_key = DIAG_SA_DEFAULT_SM_KEY,
		.o.timeout_ms = DEFAULT_TIMEOUT_MS,
	};
	struct policy *pol;
	int first, status;

	first = cli_parse(&prog, argc, argv, &cl);
	if (first < 0)
		return first == CLI_EXIT ? DIAG_OK : DIAG_UNCHECKED;
	if (load_policy(&cl, &pol))
		return DIAG_UNCHECKED;
	cl.o.policy = pol;
	status = run(&cl.o, argc - first, argv + first);
	policy_free(pol);
	return status;
}
