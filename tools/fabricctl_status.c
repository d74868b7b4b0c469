// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl status, fabricctl partition list|show: what fabricd reports
 * through its control socket, printed through lib/output.h so that text and
 * -j never drift. JSON keys are the daemon's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "lib/output.h"
#include "lib/util.h"
#include "tools/fabricctl.h"
#include "tools/fabricctl_ctl.h"

static const char *jstr(json_t *o, const char *key)
{
	return fctl_json_str(o, key, "-");
}

static void print_ib(json_t *ib)
{
	json_t *pk = json_object_get(ib, "pkeys"), *v;
	size_t i;

	out_open_object("ib");
	bool dev = json_is_string(json_object_get(ib, "device"));

	out_string(PRINT_ANY, "mode", "ib:        %s", jstr(ib, "mode"));
	fctl_put_str(ib, "device", ", %s", NULL);
	out_uint(dev ? PRINT_ANY : PRINT_JSON, "port", "/%" PRIu64,
		 fctl_json_uint(ib, "port"));
	fctl_put_str(ib, "port_guid", ", port GUID %s", NULL);
	out_open_array("pkeys");
	if (dev)
		out_text(", PKeys");
	json_array_foreach(pk, i, v)
		out_string(PRINT_ANY, NULL, " %s", json_string_value(v));
	out_close_array();
	fctl_put_str(ib, "ipoib_netdev", ", IPoIB %s", NULL);
	out_uint(PRINT_JSON, "reads", NULL, fctl_json_uint(ib, "reads"));
	fctl_put_str(ib, "error", "\n  error: %s", NULL);
	fctl_put_str(ib, "note", "\n  note: %s", NULL);
	out_nl();
	out_close_object();
}

/* The members of a reconcile object (status's, or reconcile's reply). */
static void print_reconcile_body(json_t *r)
{
	out_bool(PRINT_JSON, "converged", NULL,
		 json_is_true(json_object_get(r, "converged")));
	out_text("reconcile: %s,",
		 json_is_true(json_object_get(r, "converged")) ?
			 "converged" :
			 "not converged");
	fctl_put_uint(r, "runs", " %" PRIu64 " runs,");
	fctl_put_uint(r, "requests", " %" PRIu64 " requests,");
	fctl_put_uint(r, "failed", " %" PRIu64 " failed;");
	fctl_put_uint(r, "last_requests", " last run %" PRIu64 " requests");
	fctl_put_uint(r, "last_failed", " (%" PRIu64 " failed)");
	fctl_put_uint(r, "last_us", " in %" PRIu64 " us");
	fctl_put_str(r, "last_error", "\n  last error: %s", NULL);
	if (json_is_string(json_object_get(r, "state_error")))
		out_string(PRINT_JSON, "state_error", NULL,
			   jstr(r, "state_error"));
	else
		out_null(PRINT_JSON, "state_error", NULL);
	if (json_is_object(json_object_get(r, "adopted"))) {
		json_t *a = json_object_get(r, "adopted");

		out_open_object("adopted");
		fctl_put_uint(a, "links", "\n  adopted: %" PRIu64 " links");
		fctl_put_uint(a, "addresses", ", %" PRIu64 " addresses");
		out_close_object();
	}
	out_nl();
}

static void print_reconcile(json_t *r)
{
	out_open_object("reconcile");
	print_reconcile_body(r);
	out_close_object();
}

static void print_drift(json_t *drift)
{
	json_t *d;
	size_t i;

	out_open_array("drift");
	json_array_foreach(drift, i, d) {
		out_open_object(NULL);
		out_text("drift:     ");
		fctl_put_str(d, "partition", "%s ", NULL);
		out_string(PRINT_ANY, "pkey", "(PKey %s): ", jstr(d, "pkey"));
		out_string(PRINT_ANY, "drift", "%s", jstr(d, "drift"));
		out_nl();
		out_close_object();
	}
	out_close_array();
}

/* The node_exporter textfile (fabricd --metrics-dir), or null. */
static void print_metrics(json_t *m)
{
	if (!json_is_object(m)) {
		out_null(PRINT_JSON, "metrics", NULL);
		return;
	}
	out_open_object("metrics");
	out_string(PRINT_ANY, "file", "metrics:   %s", jstr(m, "file"));
	fctl_put_uint(m, "interval", " every %" PRIu64 " s");
	fctl_put_uint(m, "writes", ", %" PRIu64 " writes");
	fctl_put_uint(m, "errors", ", %" PRIu64 " failed");
	fctl_put_str(m, "error", "\n  last write: %s", NULL);
	out_nl();
	out_close_object();
}

static void print_status(json_t *st)
{
	json_t *vlan = json_object_get(st, "vlan");
	json_t *parts = json_object_get(st, "partitions");

	out_open_object(NULL);
	out_string(PRINT_ANY, "version", "fabricd %s", jstr(st, "version"));
	fctl_put_uint(st, "pid", " (pid %" PRIu64 ")");
	out_string(PRINT_ANY, "policy", ", policy %s", jstr(st, "policy"));
	out_nl();
	fctl_put_str(st, "policy_error", "policy refused on reload:\n%s\n",
		     NULL);
	fctl_put_str(st, "gateway", "gateway:   %s", NULL);
	fctl_put_str(st, "uplink", ", uplink %s", NULL);
	out_nl();
	print_ib(json_object_get(st, "ib"));
	out_open_object("vlan");
	out_bool(PRINT_ANY, "supported", "802.1Q:    %s",
		 json_is_true(json_object_get(vlan, "supported")));
	fctl_put_str(vlan, "note", " (%s)", NULL);
	out_nl();
	out_close_object();
	out_open_object("partitions");
	fctl_put_uint(parts, "total", "partitions: %" PRIu64);
	fctl_put_uint(parts, "held", ", %" PRIu64 " held");
	fctl_put_uint(parts, "served", ", %" PRIu64 " served");
	out_nl();
	out_close_object();
	print_drift(json_object_get(st, "drift"));
	print_reconcile(json_object_get(st, "reconcile"));
	out_string(PRINT_ANY, "engine", "engine:    %s", jstr(st, "engine"));
	out_nl();
	print_metrics(json_object_get(st, "metrics"));
	out_close_object();
}

static int cmd_status(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "status", 0, NULL, print_status);
}

/* Partitions. */

static void print_objects(json_t *p, const char *key, const char *name_key,
			  const char *fmt)
{
	json_t *arr = json_object_get(p, key), *v, *val;
	const char *k;
	size_t i;

	out_open_array(key);
	json_array_foreach(arr, i, v) {
		out_open_object(NULL);
		out_string(PRINT_ANY, name_key, fmt, jstr(v, name_key));
		out_string(PRINT_ANY, "status", "(%s)", jstr(v, "status"));
		json_object_foreach(v, k, val) {
			if (!strcmp(k, name_key) || !strcmp(k, "status"))
				continue;
			if (json_is_integer(val))
				out_int(PRINT_JSON, k, NULL,
					json_integer_value(val));
			else if (json_is_string(val))
				out_string(PRINT_JSON, k, NULL,
					   json_string_value(val));
			else
				out_null(PRINT_JSON, k, NULL);
		}
		out_close_object();
	}
	if (!json_array_size(arr))
		out_text(" -");
	out_close_array();
}

static void print_partition(json_t *p)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "%-16s", jstr(p, "name"));
	out_string(PRINT_ANY, "pkey", " %-6s", jstr(p, "pkey"));
	fctl_put_uint(p, "vlan", " %-4" PRIu64);
	out_string(PRINT_ANY, "membership", " %-7s", jstr(p, "membership"));
	out_string(PRINT_JSON, "policy_membership", NULL,
		   jstr(p, "policy_membership"));
	out_bool(PRINT_JSON, "held", NULL,
		 json_is_true(json_object_get(p, "held")));
	out_bool(PRINT_JSON, "served", NULL,
		 json_is_true(json_object_get(p, "served")));
	out_string(PRINT_ANY, "state", " %-10s", jstr(p, "state"));
	out_string(PRINT_ANY, "drift", " %s", jstr(p, "drift"));
	out_text("\n    links:");
	print_objects(p, "links", "name", " %s");
	out_text("\n    addresses:");
	print_objects(p, "addresses", "address", " %s");
	out_nl();
	out_close_object();
}

static void print_partitions(json_t *res)
{
	json_t *p;
	size_t i;

	out_open_array(NULL);
	if (json_array_size(res))
		out_text("%-16s %-6s %-4s %-7s %-10s %s\n", "NAME", "PKEY",
			 "VLAN", "MEMBER", "STATE", "DRIFT");
	json_array_foreach(res, i, p)
		print_partition(p);
	out_close_array();
}

static int list_partitions(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "partitions", argc, argv, print_partitions);
}

static void print_reconcile_reply(json_t *r)
{
	out_open_object(NULL);
	print_reconcile_body(r);
	out_close_object();
}

static int cmd_reconcile(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "reconcile", 0, argv, print_reconcile_reply);
}

static int cmd_adopt(const void *ctx, int argc, char **argv)
{
	char *adopt[] = { "adopt" };

	return fctl_show(ctx, "reconcile", 1, adopt, print_reconcile_reply);
}

static const struct cli_cmd reconcile_cmds[] = {
	{ "run", NULL, "reconcile now (links and addresses)", 0, 0,
	  cmd_reconcile },
	{ "--adopt", NULL,
	  "reconcile, taking ownership of the links and addresses that match "
	  "the policy exactly (after a lost or damaged state file)",
	  0, 0, cmd_adopt },
	{ "adopt", NULL, "the same as --adopt", 0, 0, cmd_adopt },
};

const struct cli_object fctl_reconcile_object = CLI_OBJECT(
	"reconcile", "reconcile now; --adopt takes ownership of what matches",
	reconcile_cmds);

static const struct cli_cmd status_cmds[] = {
	{ "show", NULL, "fabricd's state: IB port, PKeys, drift, reconciler", 0,
	  0, cmd_status },
};

const struct cli_object fctl_status_object =
	CLI_OBJECT("status", "fabricd's state (ask the daemon)", status_cmds);

/* One table: the daemon's view (list, show) and the policy edits. */
static const struct cli_cmd partition_cmds[] = {
	{ "list", NULL, "partitions as fabricd mirrors them (ask the daemon)",
	  0, 0, list_partitions },
	{ "show", "NAME", "one partition as fabricd mirrors it", 1, 1,
	  list_partitions },
	{ "add",
	  "NAME pkey PKEY [vlan VID] [mtu BYTES] [ipoib yes|no] [ipv4 NET] "
	  "[ipv6 NET]",
	  "add a partition to the policy file", 3, 13, fctl_partition_add },
	{ "del", "NAME", "delete a partition from the policy file", 1, 1,
	  fctl_partition_del },
};

const struct cli_object fctl_partition_object = CLI_OBJECT(
	"partition",
	"partitions: list/show what fabricd mirrors; add/del edit the policy",
	partition_cmds);
