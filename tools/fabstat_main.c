// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabstat - ibstat-style diagnostics of a fabricd fabric.
 *
 * Global options come first (as in `ip -j link`), then a command from the
 * table below; a first word that is not a command is a CA name, so
 * `fabstat mlx5_0 1` works like `ibstat mlx5_0 1`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/output.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "tools/diag.h"
#include "tools/diag_sa.h"
#include "tools/fabstat.h"
#include "tools/fabstat_doctor.h"

#define DEFAULT_TIMEOUT_MS 1000

static int cmd_help(const struct fabstat_opts *o, int argc, char **argv);

static const struct fabstat_cmd commands[] = {
	{ "ports", "[CA [PORT]]",
	  "local ports like ibstat, with their PKey tables decoded", 0, 2,
	  fabstat_ports },
	{ "fabric", NULL,
	  "partitions on the fabric (SA or --snapshot) and their members", 0, 0,
	  fabstat_fabric },
	{ "doctor", "[PARTITION]",
	  "why a partition is down here, with a fix (see -h)", 0, 6,
	  fabstat_doctor },
	{ "help", NULL, "print this help", 0, 0, cmd_help },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: fabstat [OPTIONS] [CA [PORT]]\n"
		"       fabstat [OPTIONS] COMMAND [ARGS...]\n"
		"\n"
		"Show the InfiniBand side of a fabricd fabric: each local port\n"
		"as ibstat shows it plus its PKey table decoded (PKey, full or\n"
		"limited membership, the policy's partition name), and the\n"
		"partitions the subnet manager made with their member ports.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		char left[40];

		snprintf(left, sizeof(left), "%s %s", commands[i].name,
			 commands[i].args ? commands[i].args : "");
		fprintf(f, "  %-20s %s\n", left, commands[i].help);
	}
	fprintf(f,
		"  (no command)         the same as 'ports'\n"
		"\n"
		"Options:\n"
		"  -j, --json           JSON output with stable keys\n"
		"      --policy FILE    policy for partition names\n"
		"                       (default %s, if it exists)\n"
		"      --snapshot FILE  fabric: read the SM plugin's state\n"
		"                       snapshot instead of asking the SA\n"
		"      --ca CA          fabric: local CA to query the SA through\n"
		"      --port N         fabric: its port (default: the first)\n"
		"      --sm-key KEY     SM_Key for SA queries (default 0x%llx)\n"
		"  -t, --timeout MS     per-query timeout (default %u)\n"
		"  -V, --version        print the version and exit\n"
		"  -h, --help           print this help and exit\n"
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
		"See fabstat(8).\n",
		PATHS_POLICY, (unsigned long long)DIAG_SA_DEFAULT_SM_KEY,
		DEFAULT_TIMEOUT_MS);
}

static int cmd_help(const struct fabstat_opts *o, int argc, char **argv)
{
	usage(stdout);
	return DIAG_OK;
}

static const struct fabstat_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

enum {
	OPT_POLICY = 256,
	OPT_SNAPSHOT,
	OPT_CA,
	OPT_PORT,
	OPT_SM_KEY,
};

/* The parsed command line, beyond struct fabstat_opts. */
struct cmdline {
	const char *policy_path;
	bool policy_given;
};

static int parse_number(const char *opt, const char *s, uint64_t max,
			uint64_t *v)
{
	if (util_parse_u64(s, max, v)) {
		fprintf(stderr, "fabstat: %s: bad number '%s'\n", opt, s);
		return -EINVAL;
	}
	return 0;
}

static int parse_opt(int c, struct fabstat_opts *o, struct cmdline *cl)
{
	uint64_t v;

	switch (c) {
	case 'j':
		o->json = true;
		return 0;
	case OPT_POLICY:
		cl->policy_path = optarg;
		cl->policy_given = true;
		return 0;
	case OPT_SNAPSHOT:
		o->snapshot = optarg;
		return 0;
	case OPT_CA:
		o->ca = optarg;
		return 0;
	case OPT_PORT:
		if (parse_number("--port", optarg, 254, &v))
			return -EINVAL;
		o->port = (int)v;
		return 0;
	case OPT_SM_KEY:
		return parse_number("--sm-key", optarg, UINT64_MAX, &o->sm_key);
	case 't':
		if (parse_number("--timeout", optarg, 600000, &v) || !v)
			return -EINVAL;
		o->timeout_ms = (unsigned int)v;
		return 0;
	case 'V':
		printf("fabstat %s\n", PATHS_VERSION);
		exit(DIAG_OK);
	case 'h':
		usage(stdout);
		exit(DIAG_OK);
	default:
		usage(stderr);
		return -EINVAL;
	}
}

static int parse_opts(int argc, char **argv, struct fabstat_opts *o,
		      struct cmdline *cl)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "snapshot", required_argument, NULL, OPT_SNAPSHOT },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "sm-key", required_argument, NULL, OPT_SM_KEY },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* '+': stop at the first word, the command or CA. */
	while ((c = getopt_long(argc, argv, "+jt:Vh", longopts, NULL)) != -1)
		if (parse_opt(c, o, cl))
			return -EINVAL;
	return optind;
}

/*
 * The policy gives partition names. The default file is optional; a file
 * named with --policy must load, or we could not check what was asked.
 */
static int load_policy(const struct cmdline *cl, struct policy **pol)
{
	*pol = NULL;
	if (!cl->policy_given && access(cl->policy_path, F_OK))
		return 0;
	*pol = policy_load(cl->policy_path, stderr, NULL);
	if (*pol)
		return 0;
	fprintf(stderr, "fabstat: cannot use policy %s: %s\n", cl->policy_path,
		errno == EINVAL ? "it has errors (above)" : strerror(errno));
	return -errno;
}

static int run(const struct fabstat_opts *o, int argc, char **argv)
{
	const struct fabstat_cmd *cmd = argc ? find_cmd(argv[0]) : NULL;
	int nargs, status;

	if (cmd) {
		argc--;
		argv++;
	} else {
		cmd = &commands[0]; /* a CA name, or nothing */
	}
	nargs = argc;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		fprintf(stderr, "fabstat: usage: fabstat [OPTIONS] %s %s\n",
			cmd->name, cmd->args ? cmd->args : "");
		return DIAG_UNCHECKED;
	}
	out_begin(stdout, o->json);
	status = cmd->run(o, nargs, argv);
	if (out_end() && status == DIAG_OK)
		status = DIAG_UNCHECKED;
	return status;
}

int main(int argc, char **argv)
{
	struct fabstat_opts o = {
		.sm_key = DIAG_SA_DEFAULT_SM_KEY,
		.timeout_ms = DEFAULT_TIMEOUT_MS,
	};
	struct cmdline cl = { .policy_path = PATHS_POLICY };
	struct policy *pol;
	int first, status;

	first = parse_opts(argc, argv, &o, &cl);
	if (first < 0)
		return DIAG_UNCHECKED;
	if (load_policy(&cl, &pol))
		return DIAG_UNCHECKED;
	o.policy = pol;
	status = run(&o, argc - first, argv + first);
	policy_free(pol);
	return status;
}
