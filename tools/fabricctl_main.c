// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl - the fabricd administration tool.
 *
 * Parses the global options, then dispatches OBJECT COMMAND from the object
 * tables (one per tools/fabricctl_*.c). Full words only: no abbreviations,
 * so scripts keep working when commands are added.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ctl.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "tools/fabricctl.h"

/*
 * An object may be served by several tables (policy-file edits and daemon
 * queries of "partition" live in different files): commands are looked up
 * across every table of that name, the first table's first is the default.
 */
static const struct fctl_object *const objects[] = {
	&fctl_policy_object,	&fctl_status_object,
	&fctl_partition_object, &fctl_partition_edit_object,
	&fctl_member_object,	&fctl_port_object,
	&fctl_fdb_object,	&fctl_stats_object,
	&fctl_neigh_object,
};

static bool seen_before(size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(objects[j]->name, objects[i]->name))
			return true;
	return false;
}

static void usage_objects(FILE *f)
{
	size_t i;

	fprintf(f, "Objects:\n");
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!seen_before(i))
			fprintf(f, "  %-12s %s\n", objects[i]->name,
				objects[i]->help);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fabricctl [OPTIONS] OBJECT [COMMAND [ARGS...]]\n"
		"       fabricctl OBJECT help\n"
		"\n"
		"Administer a fabricd fabric: check and edit the policy\n"
		"(fabric.yaml), and ask the fabricd daemon for its state.\n"
		"\n"
		"Options:\n"
		"  -j, --json          print JSON (stable keys) instead of text\n"
		"  -p, --pretty        indent JSON output\n"
		"  -s, --socket PATH   fabricd control socket (default %s)\n"
		"      --policy FILE   policy file (default %s)\n"
		"  -t, --timeout MS    how long to wait for fabricd (default 5000)\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n"
		"\n",
		CTL_DEFAULT_SOCKET, PATHS_POLICY);
	usage_objects(f);
	fprintf(f, "\nExit status: 0 done, 1 refused (validation failed), "
		   "2 could not reach fabricd or the file.\n"
		   "See fabricctl(8).\n");
}

static void object_help(const char *name, FILE *f)
{
	size_t i, j;

	fprintf(f,
		"Usage: fabricctl [OPTIONS] %s COMMAND [ARGS...]\n\n"
		"Commands:\n",
		name);
	for (i = 0; i < ARRAY_SIZE(objects); i++) {
		const struct fctl_object *obj = objects[i];

		for (j = 0; obj && j < obj->n_cmds && !strcmp(obj->name, name);
		     j++)
			fprintf(f, "  %s %s\n      %s\n", obj->cmds[j].name,
				obj->cmds[j].args ? obj->cmds[j].args : "",
				obj->cmds[j].help);
	}
	fprintf(f, "  help\n      print this help\n");
}

static const struct fctl_object *find_object(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!strcmp(objects[i]->name, name))
			return objects[i];
	return NULL;
}

static const struct fctl_cmd *find_cmd(const char *obj, const char *name)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(objects); i++) {
		if (strcmp(objects[i]->name, obj))
			continue;
		for (j = 0; j < objects[i]->n_cmds; j++)
			if (!strcmp(objects[i]->cmds[j].name, name))
				return &objects[i]->cmds[j];
	}
	return NULL;
}

static int dispatch(const struct fctl_opts *o, int argc, char **argv)
{
	const struct fctl_object *obj = find_object(argv[0]);
	const struct fctl_cmd *cmd;
	int nargs;

	if (!obj) {
		fprintf(stderr, "fabricctl: unknown object '%s'\n", argv[0]);
		usage_objects(stderr);
		return FCTL_REFUSED;
	}
	if (argc > 1 && !strcmp(argv[1], "help")) {
		object_help(obj->name, stdout);
		return FCTL_OK;
	}
	cmd = argc > 1 ? find_cmd(obj->name, argv[1]) : &obj->cmds[0];
	if (!cmd) {
		fprintf(stderr, "fabricctl: %s: unknown command '%s'\n",
			obj->name, argv[1]);
		object_help(obj->name, stderr);
		return FCTL_REFUSED;
	}
	nargs = argc > 1 ? argc - 2 : 0;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		fprintf(stderr, "fabricctl: usage: fabricctl %s %s %s\n",
			obj->name, cmd->name, cmd->args ? cmd->args : "");
		return FCTL_REFUSED;
	}
	return cmd->run(o, nargs, argc > 1 ? argv + 2 : argv + argc);
}

enum { OPT_POLICY = 256 };

static int parse_opts(int argc, char **argv, struct fctl_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* '+': stop at the first non-option, the object name. */
	while ((c = getopt_long(argc, argv, "+jps:t:Vh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->pretty = true;
			break;
		case 's':
			o->socket = optarg;
			break;
		case OPT_POLICY:
			o->policy = optarg;
			break;
		case 't':
			o->timeout_ms = atoi(optarg);
			break;
		case 'V':
			printf("fabricctl %s\n", PATHS_VERSION);
			exit(FCTL_OK);
		case 'h':
			usage(stdout);
			exit(FCTL_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct fctl_opts o = {
		.socket = CTL_DEFAULT_SOCKET,
		.policy = PATHS_POLICY,
		.timeout_ms = 5000,
	};
	int first = parse_opts(argc, argv, &o);

	if (first < 0)
		return FCTL_REFUSED;
	if (first >= argc) {
		usage(stderr);
		return FCTL_REFUSED;
	}
	if (!strcmp(argv[first], "help")) {
		usage(stdout);
		return FCTL_OK;
	}
	return dispatch(&o, argc - first, argv + first);
}
