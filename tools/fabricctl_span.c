// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl mirror (add, del, list): port mirroring sessions of the
 * forwarding engine (fabricd/engine/span.h). fabricd checks that the
 * caller is root (SO_PEERCRED) before it adds or deletes one; this side
 * only makes a relative pcap FILE absolute, since fabricd runs elsewhere.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/output.h"
#include "tools/fabricctl.h"
#include "tools/fabricctl_ctl.h"

static void print_session(json_t *s)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "%-12s", fctl_json_str(s, "name", "-"));
	out_string(PRINT_ANY, "source", " %s", fctl_json_str(s, "source", "-"));
	out_string(PRINT_ANY, "from", " %s", fctl_json_str(s, "from", "-"));
	out_string(PRINT_ANY, "direction", " %s",
		   fctl_json_str(s, "direction", "-"));
	out_string(PRINT_ANY, "to", " -> %s", fctl_json_str(s, "to", "-"));
	out_string(PRINT_ANY, "destination", " %s",
		   fctl_json_str(s, "destination", "-"));
	if (json_is_integer(json_object_get(s, "linktype")))
		fctl_put_uint(s, "linktype", " linktype %" PRIu64);
	else
		out_null(PRINT_JSON, "linktype", NULL);
	fctl_put_uint(s, "snaplen", " snaplen %" PRIu64);
	fctl_put_uint(s, "rate", " rate %" PRIu64 "/s");
	fctl_put_uint(s, "mirrored", "\n    mirrored %" PRIu64);
	fctl_put_uint(s, "mirrored_bytes", "/%" PRIu64 "B");
	fctl_put_uint(s, "dropped_rate", " dropped: rate %" PRIu64);
	fctl_put_uint(s, "dropped_error", " error %" PRIu64);
	fctl_put_uint(s, "write_errors", " write_errors %" PRIu64 "\n");
	out_close_object();
}

void fctl_print_mirrors(const char *key, const json_t *sessions)
{
	json_t *s;
	size_t i;

	out_open_array(key);
	json_array_foreach((json_t *)sessions, i, s) {
		print_session(s);
	}
	out_close_array();
}

static void print_sessions(json_t *res)
{
	fctl_print_mirrors(NULL, res);
}

/* mirror/add answers with the new session: print it as a one-row list. */
static void print_added(json_t *s)
{
	json_t *one = json_array();

	json_array_append(one, s);
	print_sessions(one);
	json_decref(one);
}

/* The argument after "pcap", made absolute against our directory. */
static int absolute_pcap(int argc, char **argv, char *buf, size_t len)
{
	char cwd[PATH_MAX];
	int i;

	for (i = 0; i + 1 < argc; i++) {
		if (strcmp(argv[i], "pcap") || argv[i + 1][0] == '/')
			continue;
		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(buf, len, "%s/%s", cwd, argv[i + 1]) >= (int)len) {
			cli_error("mirror: cannot make %s absolute",
				  argv[i + 1]);
			return -EINVAL;
		}
		argv[i + 1] = buf;
		return 0;
	}
	return 0;
}

static int cmd_add(const void *ctx, int argc, char **argv)
{
	char path[PATH_MAX];

	if (absolute_pcap(argc, argv, path, sizeof(path)))
		return FCTL_REFUSED;
	return fctl_show(ctx, "mirror/add", argc, argv, print_added);
}

static int cmd_del(const void *ctx, int argc, char **argv)
{
	json_t *res;
	int ret = fctl_call(ctx, "mirror/del", argc, (const char *const *)argv,
			    &res);

	json_decref(ret ? NULL : res);
	return ret;
}

static int cmd_list(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "mirror/list", 0, argv, print_sessions);
}

static const struct cli_cmd mirror_cmds[] = {
	{ "list", NULL, "mirror sessions and their counters", 0, 0, cmd_list },
	{ "add",
	  "NAME from (PORT | partition NAME) [rx | tx | both] to (PORT | pcap "
	  "FILE) [snaplen N] [rate N]",
	  "root only: copy a port's or a partition's frames to a mirror port "
	  "or a pcap file",
	  5, 11, cmd_add },
	{ "del", "NAME", "root only: stop a mirror session (its file stays)", 1,
	  1, cmd_del },
};

const struct cli_object fctl_mirror_object = CLI_OBJECT(
	"mirror", "port mirroring: copies of frames to a port or a pcap file",
	mirror_cmds);
