// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl flow: IPFIX export (docs/ipfix.md). `flow export COLLECTOR
 * [sampling N] ...|off` sets it up at run time, `flow show` prints the
 * flow cache's occupancy and the exported and dropped records, in all and
 * per partition. One print path for text and -j (lib/output.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "lib/output.h"
#include "tools/fabricctl.h"
#include "tools/fabricctl_ctl.h"

static void print_settings(const json_t *x)
{
	if (!json_is_object(x)) {
		out_null(PRINT_ANY, "export", "export: off\n");
		return;
	}
	out_open_object("export");
	out_string(PRINT_ANY, "collector", "export: to %s",
		   fctl_json_str(x, "collector", "-"));
	fctl_put_uint(x, "sampling", " sampling 1:%" PRIu64);
	fctl_put_uint(x, "active_timeout", " active %" PRIu64 " s");
	fctl_put_uint(x, "idle_timeout", " idle %" PRIu64 " s");
	fctl_put_uint(x, "observation_domain", " domain %" PRIu64);
	fctl_put_uint(x, "cache_size", " cache %" PRIu64);
	fctl_put_uint(x, "partition_share", " (%" PRIu64 "%% per partition)");
	out_bool(PRINT_ANY, "runtime", " (set at run time: %s)\n",
		 json_is_true(json_object_get(x, "runtime")));
	out_close_object();
}

/* A cache's or partition's counters; text shows the non-zero end reasons. */
static void print_counts(const json_t *c)
{
	const json_t *ended = json_object_get(c, "ended");
	const char *k;
	json_t *v;

	fctl_put_uint(c, "entries", " flows %" PRIu64);
	fctl_put_uint(c, "created", " created %" PRIu64);
	fctl_put_uint(c, "records", " records %" PRIu64);
	fctl_put_uint(c, "dropped", " dropped %" PRIu64);
	fctl_put_uint(c, "overflow", " overflow %" PRIu64);
	out_open_object("ended");
	json_object_foreach((json_t *)ended, k, v) {
		if (out_is_json())
			out_uint(PRINT_JSON, k, NULL, json_integer_value(v));
		else if (json_integer_value(v))
			out_text(" %s=%" PRIu64, k,
				 (uint64_t)json_integer_value(v));
	}
	out_close_object();
	out_nl();
}

static void print_cache(const json_t *c)
{
	json_t *p;
	size_t i;

	out_open_object("cache");
	out_bool(PRINT_ANY, "enabled", "cache: enabled %s",
		 json_is_true(json_object_get(c, "enabled")));
	if (!json_is_true(json_object_get(c, "enabled"))) {
		out_nl();
		out_close_object();
		return;
	}
	fctl_put_uint(c, "size", " size %" PRIu64);
	fctl_put_uint(c, "partition_limit", " per partition %" PRIu64);
	fctl_put_uint(c, "sampling", " sampling 1:%" PRIu64 "\n  all:");
	print_counts(c);
	out_open_array("partitions");
	json_array_foreach(json_object_get(c, "partitions"), i, p) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "name", "  %-14s",
			   fctl_json_str(p, "name", "-"));
		fctl_put_uint(p, "pkey", " pkey 0x%04" PRIx64);
		print_counts(p);
		out_close_object();
	}
	out_close_array();
	out_close_object();
}

static void print_flow(json_t *r)
{
	out_open_object(NULL);
	print_settings(json_object_get(r, "export"));
	fctl_put_uint(r, "exported", "exported %" PRIu64 " records");
	fctl_put_uint(r, "template_sends",
		      ", templates sent %" PRIu64 " times");
	fctl_put_uint(r, "export_errors", ", %" PRIu64 " errors\n");
	fctl_put_str(r, "error", "error: %s\n", NULL);
	print_cache(json_object_get(r, "cache"));
	out_close_object();
}

static int cmd_flow_export(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "flow/export", argc, argv, print_flow);
}

static int cmd_flow_show(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "flow/show", 0, argv, print_flow);
}

static const struct cli_cmd flow_cmds[] = {
	{ "export",
	  "COLLECTOR [sampling N] [active_timeout S] [idle_timeout S] "
	  "[observation_domain N] [cache_size N] [partition_share P] | off",
	  "export flows over IPFIX/UDP to HOST:PORT, or stop", 1, 13,
	  cmd_flow_export },
	{ "show", NULL,
	  "flow cache occupancy, exported and dropped records, per partition",
	  0, 0, cmd_flow_show },
};

const struct cli_object fctl_flow_object = CLI_OBJECT(
	"flow", "IPFIX flow export of the forwarding engine", flow_cmds);
