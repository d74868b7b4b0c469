// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl - the fabricd administration tool.
 *
 * Parses the global options (lib/cli.h), then dispatches OBJECT COMMAND
 * from the object tables (one per tools/fabricctl_*.c). Full words only: no
 * abbreviations, so scripts keep working when commands are added.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/ctl.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "tools/fabricctl.h"

#define DEFAULT_TIMEOUT_MS 5000

static const struct cli_object *const objects[] = {
	&fctl_policy_object,	&fctl_status_object, &fctl_partition_object,
	&fctl_member_object,	&fctl_port_object,   &fctl_fdb_object,
	&fctl_stats_object,	&fctl_neigh_object,  &fctl_peer_object,
	&fctl_reconcile_object, &fctl_mirror_object, &fctl_flow_object,
	&fctl_ha_object,
};

#define O struct fctl_opts

static const struct cli_opt options[] = {
	{ "json", 'j', NULL, "print JSON (stable keys) instead of text",
	  CLI_SET_FLAG(O, json) },
	{ "pretty", 'p', NULL, "indent JSON output", CLI_SET_FLAG(O, pretty) },
	{ "output", 'o', "FORMAT",
	  "text (default), json (as -j) or prometheus (the Prometheus text "
	  "format; stats only)",
	  CLI_SET_STRING(O, output) },
	{ "socket", 's', "PATH",
	  "fabricd control socket (default " CTL_DEFAULT_SOCKET ")",
	  CLI_SET_STRING(O, socket) },
	{ "policy", CLI_LONG_ONLY, "FILE",
	  "policy file (default " PATHS_POLICY ")", CLI_SET_STRING(O, policy) },
	{ "timeout", 't', "MS",
	  "how long to wait for fabricd or for another edit of the policy "
	  "file (default " CLI_STR(DEFAULT_TIMEOUT_MS) ")",
	  CLI_SET_UINT(O, timeout_ms, 0, 3600000) },
};

#undef O

static void help_tail(FILE *f)
{
	fprintf(f, "Objects:\n");
	cli_print_objects(f, objects, ARRAY_SIZE(objects));
	fprintf(f, "\nExit status: 0 done, 1 refused (validation failed, "
		   "bad arguments),\n2 could not reach fabricd or the file.\n"
		   "See fabricctl(8).\n");
}

static const struct cli_prog prog = {
	.name = "fabricctl",
	.synopsis = "fabricctl [OPTIONS] OBJECT [COMMAND [ARGS...]]\n"
		    "fabricctl OBJECT help",
	.about = "Administer a fabricd fabric: check and edit the policy\n"
		 "(fabric.yaml), and ask the fabricd daemon for its state.",
	CLI_OPTS(options),
	.stop_at_word = true, /* the first word is the object */
	.help_tail = help_tail,
};

static void object_help(const struct cli_object *obj, FILE *f)
{
	static const struct cli_cmd help = { .name = "help",
					     .help = "print this help" };

	fprintf(f,
		"Usage: fabricctl [OPTIONS] %s COMMAND [ARGS...]\n\n"
		"Commands:\n",
		obj->name);
	cli_print_cmds(f, obj->cmds, obj->n_cmds);
	cli_print_cmds(f, &help, 1);
}

/*
 * One output option at @argv[*i] (after the object): -j, -p, -jp, -o F,
 * -oF, --json, --pretty, --output F, --output=F. Returns whether it was
 * one (then *@i is past it); a missing FORMAT is -EINVAL.
 */
static int output_opt(struct fctl_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "-j") || !strcmp(a, "--json"))
		o->json = true;
	else if (!strcmp(a, "-p") || !strcmp(a, "--pretty"))
		o->pretty = true;
	else if (!strcmp(a, "-jp") || !strcmp(a, "-pj"))
		o->json = o->pretty = true;
	else if (!strncmp(a, "--output=", 9))
		o->output = a + 9;
	else if (!strncmp(a, "-o", 2) && a[2])
		o->output = a + 2;
	else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
		if (*i + 1 >= argc) {
			cli_error("option '%s' requires an argument", a);
			return -EINVAL;
		}
		o->output = argv[++*i];
	} else
		return 0;
	(*i)++;
	return 1;
}

/*
 * Output options may follow the object and its arguments too (`stats -o
 * prometheus`), except for a command with options of its own
 * (`policy import ... -o FILE`); `--` ends them. Removes them from @argv;
 * returns the new argc or -EINVAL.
 */
static int trailing_output_opts(struct fctl_opts *o, int argc, char **argv)
{
	int i = 1, n = 1, r;

	while (i < argc) {
		if (!strcmp(argv[i], "--")) {
			for (i++; i < argc; i++)
				argv[n++] = argv[i];
			break;
		}
		r = output_opt(o, argc, argv, &i);
		if (r < 0)
			return r;
		if (!r)
			argv[n++] = argv[i++];
	}
	return n;
}

static int output_format(struct fctl_opts *o);

/*
 * Whether @cmd parses options of its own (`policy import ... -o FILE`): its
 * synopsis lists them ("[-o FILE]", "[--sm-guid GUID]").
 */
static bool cmd_has_own_opts(const struct cli_cmd *cmd)
{
	return cmd && cmd->args && strstr(cmd->args, "[-");
}

static int dispatch(struct fctl_opts *o, int argc, char **argv)
{
	const struct cli_object *obj =
		cli_object_find(objects, ARRAY_SIZE(objects), argv[0]);
	const struct cli_cmd *cmd =
		obj && argc > 1 ?
			cli_cmd_find(obj->cmds, obj->n_cmds, argv[1]) :
			NULL;

	if (!cmd_has_own_opts(cmd))
		argc = trailing_output_opts(o, argc, argv);
	if (argc < 0 || output_format(o))
		return FCTL_REFUSED;
	if (!obj) {
		cli_error("unknown object '%s'", argv[0]);
		help_tail(stderr);
		return FCTL_REFUSED;
	}
	if (o->prometheus && obj != &fctl_stats_object) {
		cli_error("-o prometheus: only 'stats' prints Prometheus text");
		return FCTL_REFUSED;
	}
	if (argc > 1 && !strcmp(argv[1], "help")) {
		object_help(obj, stdout);
		return FCTL_OK;
	}
	cmd = argc > 1 ? cli_cmd_find(obj->cmds, obj->n_cmds, argv[1]) :
			 &obj->cmds[0];
	if (!cmd) {
		cli_error("%s: unknown command '%s'", obj->name, argv[1]);
		object_help(obj, stderr);
		return FCTL_REFUSED;
	}
	if (argc > 1) {
		argc--;
		argv++;
	}
	if (cli_cmd_check(cmd, obj->name, argc - 1))
		return FCTL_REFUSED;
	return cmd->run(o, argc - 1, argv + 1);
}

/* -o FORMAT: text, json or prometheus. Returns 0 or -EINVAL, said. */
static int output_format(struct fctl_opts *o)
{
	if (!o->output || !strcmp(o->output, "text"))
		return 0;
	if (!strcmp(o->output, "json"))
		o->json = true;
	else if (!strcmp(o->output, "prometheus"))
		o->prometheus = true;
	else {
		cli_error("--output: '%s' is not text, json or prometheus",
			  o->output);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct fctl_opts o = {
		.socket = CTL_DEFAULT_SOCKET,
		.policy = PATHS_POLICY,
		.timeout_ms = DEFAULT_TIMEOUT_MS,
	};
	int first = cli_parse(&prog, argc, argv, &o);

	if (first < 0)
		return first == CLI_EXIT ? FCTL_OK : FCTL_REFUSED;
	if (output_format(&o))
		return FCTL_REFUSED;
	if (first >= argc) {
		cli_usage(&prog, stderr);
		return FCTL_REFUSED;
	}
	if (!strcmp(argv[first], "help")) {
		cli_usage(&prog, stdout);
		return FCTL_OK;
	}
	return dispatch(&o, argc - first, argv + first);
}
