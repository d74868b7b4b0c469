// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl objects of the forwarding engine: port (add, del, list), fdb
 * (show, aging) and stats. Each command is one call to fabricd; the reply is
 * printed through lib/output.h, so text and -j output come from one path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/output.h"
#include "lib/prom.h"
#include "lib/util.h"
#include "tools/fabricctl.h"
#include "tools/fabricctl_ctl.h"

static const char *jstr(const json_t *o, const char *key)
{
	return fctl_json_str(o, key, "-");
}

static uint64_t drops_total(const json_t *drops)
{
	const char *k;
	json_t *v;
	uint64_t n = 0;

	json_object_foreach((json_t *)drops, k, v)
		n += json_integer_value(v);
	return n;
}

/* Drop counters: all in JSON, the non-zero ones in text. */
static void print_drops(const json_t *drops)
{
	const char *k;
	json_t *v;

	out_open_object("drops");
	json_object_foreach((json_t *)drops, k, v) {
		uint64_t n = json_integer_value(v);

		if (out_is_json())
			out_uint(PRINT_JSON, k, NULL, n);
		else if (n)
			out_text(" %s=%" PRIu64, k, n);
	}
	out_close_object();
}

static void print_counters(const json_t *o)
{
	fctl_put_uint(o, "rx_packets", " rx %" PRIu64);
	fctl_put_uint(o, "rx_bytes", "/%" PRIu64 "B");
	fctl_put_uint(o, "tx_packets", " tx %" PRIu64);
	fctl_put_uint(o, "tx_bytes", "/%" PRIu64 "B");
	fctl_put_uint(o, "flooded", " flooded %" PRIu64);
	out_uint(PRINT_TEXT, NULL, " drops %" PRIu64,
		 drops_total(json_object_get(o, "drops")));
	print_drops(json_object_get(o, "drops"));
}

/*
 * A partition's or port's share of the MAC table (fdb/limit, stats): its
 * limit is a number, "shared" (partitions) or null (ports: none).
 */
static void print_share(const json_t *sh)
{
	const json_t *lim = json_object_get(sh, "limit");

	out_open_object("fdb");
	fctl_put_uint(sh, "entries", " fdb %" PRIu64);
	if (json_is_integer(lim))
		fctl_put_uint(sh, "limit", "/%" PRIu64);
	else if (json_is_string(lim))
		out_string(PRINT_ANY, "limit", "/%s", jstr(sh, "limit"));
	else
		out_null(PRINT_ANY, "limit", "/none");
	fctl_put_uint(sh, "may_hold", " (may hold %" PRIu64 ")");
	fctl_put_uint(sh, "refused", " refused %" PRIu64);
	fctl_put_uint(sh, "full", " full %" PRIu64);
	out_close_object();
}

/* A list of offload names as "LABEL a,b,c" ("none" when empty); not an
 * array (null): nothing in text. */
static void print_names(const char *key, const char *label, json_t *a)
{
	json_t *v;
	size_t i;

	if (out_is_json()) {
		out_json(key, json_incref(a ? a : json_null()));
		return;
	}
	if (!json_is_array(a))
		return;
	out_text(" %s ", label);
	json_array_foreach(a, i, v)
		out_text("%s%s", i ? "," : "", json_string_value(v));
	if (!json_array_size(a))
		out_text("none");
}

/*
 * Offloads the port takes whole, those its tap negotiated (TUNSETOFFLOAD),
 * and the work done where it cannot.
 */
static void print_offloads(const json_t *p)
{
	print_names("offloads", "offloads", json_object_get(p, "offloads"));
	print_names("tap_offloads", "tap-offloads",
		    json_object_get(p, "tap_offloads"));
	fctl_put_uint(p, "gso_segmented", " gso-cut %" PRIu64);
	fctl_put_uint(p, "gso_segments", "/%" PRIu64 " segs");
	fctl_put_uint(p, "csum_completed", " csum-done %" PRIu64);
	fctl_put_uint(p, "bytes_copied", " copied %" PRIu64 "B");
}

/* What the XDP fast path did: forwarded in the kernel, handed over. */
static void print_xdp(const json_t *x)
{
	const json_t *why = json_object_get(x, "to_engine"), *v;
	const char *k;
	uint64_t to_engine = 0;

	if (!x)
		return;
	if (out_is_json()) {
		out_json("xdp", json_incref((json_t *)x));
		return;
	}
	json_object_foreach((json_t *)why, k, v)
		to_engine += (uint64_t)json_integer_value(v);
	out_text(" xdp-fwd rx %" PRIu64 " tx %" PRIu64 " isolation %" PRIu64
		 " to-engine %" PRIu64,
		 fctl_json_uint(x, "rx_packets"),
		 fctl_json_uint(x, "tx_packets"),
		 fctl_json_uint(x, "isolation"), to_engine);
}

static void print_port(const json_t *p)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "%-15s", jstr(p, "name"));
	out_string(PRINT_ANY, "kind", " %-6s", jstr(p, "kind"));
	out_string(PRINT_ANY, "mode", " %-9s", jstr(p, "mode"));
	out_string(PRINT_ANY, "role", " %-6s", jstr(p, "role"));
	out_string(PRINT_ANY, "partition", " %-12s", jstr(p, "partition"));
	out_string(PRINT_ANY, "membership", " %-7s", jstr(p, "membership"));
	out_string(PRINT_ANY, "state", " %-7s", jstr(p, "state"));
	out_string(PRINT_ANY, "source", " %-7s", jstr(p, "source"));
	fctl_put_str(p, "error", " (%s)", NULL);
	print_counters(p);
	fctl_put_uint(p, "kernel_rx_dropped", " kernel-drops %" PRIu64);
	print_share(json_object_get(p, "fdb"));
	print_offloads(p);
	if (json_object_get(p, "fast_path")) {
		out_bool(PRINT_ANY, "fast_path", " fast-path %s",
			 json_is_true(json_object_get(p, "fast_path")));
		out_string(PRINT_ANY, "mode_reason", " (%s)",
			   jstr(p, "mode_reason"));
		print_xdp(json_object_get(p, "xdp"));
	}
	fctl_put_peer_ann(p, "peer", "peer");
	out_nl();
	out_close_object();
}

static void print_ports(json_t *arr)
{
	size_t i;

	if (!out_is_json() && json_array_size(arr))
		out_text("%-15s %-6s %-9s %-6s %-12s %-7s %-7s %-7s counters\n",
			 "NAME", "KIND", "MODE", "ROLE", "PARTITION", "MEMBER",
			 "STATE", "SOURCE");
	out_open_array(NULL);
	for (i = 0; i < json_array_size(arr); i++)
		print_port(json_array_get(arr, i));
	out_close_array();
}

static int cmd_port_list(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "port/list", 0, argv, print_ports);
}

/* port show NAME: the one port of port/list named so. */
static const char *show_name;
static bool show_found;

static void print_one_port(json_t *arr)
{
	json_t *one = json_array(), *p;
	size_t i;

	json_array_foreach(arr, i, p)
		if (!strcmp(jstr(p, "name"), show_name))
			json_array_append(one, p);
	show_found = json_array_size(one);
	if (show_found && out_is_json()) {
		out_json(NULL, json_incref(json_array_get(one, 0)));
	} else if (show_found) {
		print_ports(one);
	}
	json_decref(one);
}

static int cmd_port_show(const void *ctx, int argc, char **argv)
{
	int ret;

	show_name = argv[0];
	ret = fctl_show(ctx, "port/list", 0, argv, print_one_port);
	if (!ret && !show_found) {
		fprintf(stderr,
			"fabricctl: port %s: no such port "
			"(fabricctl port list shows them)\n",
			show_name);
		return FCTL_REFUSED;
	}
	return ret;
}

/* port/add answers with the new port: print it as a one-row list. */
static void print_added(json_t *port)
{
	json_t *one = json_array();

	json_array_append(one, port);
	print_ports(one);
	json_decref(one);
}

static int cmd_port_add(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "port/add", argc, argv, print_added);
}

static int cmd_port_del(const void *ctx, int argc, char **argv)
{
	const struct fctl_opts *o = ctx;
	json_t *res;
	int ret =
		fctl_call(o, "port/del", argc, (const char *const *)argv, &res);

	json_decref(ret ? NULL : res);
	return ret;
}

static void print_injected(json_t *res)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "port", "%s: ", fctl_json_str(res, "port", ""));
	fctl_put_uint(res, "frames", "injected %" PRIu64 "\n");
	out_close_object();
}

static int cmd_port_inject(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "port/inject", argc, argv, print_injected);
}

/* One frame a line, in hex, as sent; JSON: an array of strings. */
static void print_captured(json_t *frames)
{
	size_t i;

	out_open_array(NULL);
	for (i = 0; i < json_array_size(frames); i++)
		out_string(PRINT_ANY, NULL, "%s\n",
			   json_string_value(json_array_get(frames, i)));
	out_close_array();
}

static int cmd_port_capture(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "port/capture", argc, argv, print_captured);
}

static const struct cli_cmd port_cmds[] = {
	{ "list", NULL, "list the forwarding engine's ports and counters", 0, 0,
	  cmd_port_list },
	{ "show", "IFNAME", "one port: counters, offloads and software GSO", 1,
	  1, cmd_port_show },
	{ "add",
	  "IFNAME (partition NAME [limited] | trunk | mirror) [tap | ipoib | "
	  "dummy]",
	  "attach an interface (tap: create a tap) at run time; mirror: a "
	  "dedicated mirror destination in no partition",
	  2, 5, cmd_port_add },
	{ "del", "IFNAME", "detach a port (the interface stays)", 1, 1,
	  cmd_port_del },
	{ "inject", "PORT HEXFRAME...",
	  "tests (fabricd --dummy): receive frames on dummy port PORT", 2, 64,
	  cmd_port_inject },
	{ "capture", "PORT",
	  "tests (fabricd --dummy): the frames sent on dummy port PORT since "
	  "the last capture",
	  1, 1, cmd_port_capture },
};

const struct cli_object fctl_port_object = CLI_OBJECT(
	"port", "ports of the forwarding engine (fabricd)", port_cmds);

/* A remote entry's peer (a peer port's): "peer GID qpn 0x..." */
static void print_fdb_peer(json_t *p)
{
	if (!json_is_object(p)) {
		out_null(PRINT_JSON, "peer", NULL);
		return;
	}
	out_open_object("peer");
	out_string(PRINT_ANY, "gid", " peer %s", fctl_json_str(p, "gid", "-"));
	fctl_put_uint(p, "qpn", " qpn 0x%06" PRIx64);
	fctl_put_uint(p, "lid", " lid %" PRIu64);
	out_close_object();
}

static void print_fdb(json_t *res)
{
	json_t *e;
	size_t i;

	out_open_array(NULL);
	json_array_foreach(res, i, e) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "partition", "%-14s",
			   jstr(e, "partition"));
		fctl_put_uint(e, "vlan", " vlan %-4" PRIu64);
		out_string(PRINT_ANY, "mac", " %s", jstr(e, "mac"));
		out_string(PRINT_ANY, "port", " %-15s", jstr(e, "port"));
		fctl_put_uint(e, "age_ms", " age %" PRIu64 " ms");
		print_fdb_peer(json_object_get(e, "peer"));
		out_nl();
		out_close_object();
	}
	out_close_array();
}

static int cmd_fdb_show(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "fdb/show", argc, argv, print_fdb);
}

static void print_aging(json_t *res)
{
	out_open_object(NULL);
	fctl_put_uint(res, "aging_ms", "aging %" PRIu64 " ms\n");
	out_close_object();
}

static int cmd_fdb_aging(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "fdb/aging", argc, argv, print_aging);
}

static void print_limit(json_t *res)
{
	const char *part = json_string_value(json_object_get(res, "partition"));

	out_open_object(NULL);
	if (part)
		out_string(PRINT_ANY, "partition", "partition %s:", part);
	else
		out_string(PRINT_ANY, "port", "port %s:", jstr(res, "port"));
	print_share(res);
	out_nl();
	out_close_object();
}

static int cmd_fdb_limit(const void *ctx, int argc, char **argv)
{
	return fctl_show(ctx, "fdb/limit", argc, argv, print_limit);
}

static const struct cli_cmd fdb_cmds[] = {
	{ "show", "[partition NAME]", "learned MAC addresses", 0, 2,
	  cmd_fdb_show },
	{ "aging", "[MS]", "show or set the MAC aging time", 0, 1,
	  cmd_fdb_aging },
	{ "limit", "(partition NAME [N|shared]) | (port IFNAME [N|none])",
	  "show or set a partition's quota or a port's learning limit", 2, 3,
	  cmd_fdb_limit },
};

const struct cli_object fctl_fdb_object = CLI_OBJECT(
	"fdb", "the forwarding engine's MAC learning table", fdb_cmds);

static void print_engine_fdb(const json_t *fdb)
{
	out_open_object("fdb");
	fctl_put_uint(fdb, "entries", "fdb: %" PRIu64 " entries");
	fctl_put_uint(fdb, "size", " of %" PRIu64);
	fctl_put_uint(fdb, "reserved", " (%" PRIu64 " free kept for quotas)");
	fctl_put_uint(fdb, "learned", ", %" PRIu64 " learned");
	fctl_put_uint(fdb, "moved", ", %" PRIu64 " moved");
	fctl_put_uint(fdb, "aged", ", %" PRIu64 " aged");
	fctl_put_uint(fdb, "full", "\nfdb not learned: %" PRIu64 " table full");
	fctl_put_uint(fdb, "part_limit", ", %" PRIu64 " partition quota");
	fctl_put_uint(fdb, "port_limit", ", %" PRIu64 " port limit\n");
	out_close_object();
}

static void print_engine(const json_t *r)
{
	const json_t *pool = json_object_get(r, "pool");
	const json_t *fdb = json_object_get(r, "fdb");

	out_string(PRINT_ANY, "partitions_from", "partitions from: %s\n",
		   jstr(r, "partitions_from"));
	out_string(PRINT_ANY, "poll_mode", "poll mode: %s",
		   jstr(r, "poll_mode"));
	out_uint(PRINT_ANY, "threads", ", forwarding threads: %" PRIu64,
		 fctl_json_uint(r, "threads"));
	out_bool(PRINT_ANY, "running", ", running: %s",
		 json_is_true(json_object_get(r, "running")));
	fctl_put_uint(r, "wakeups", ", %" PRIu64 " wake-ups");
	fctl_put_uint(r, "bursts", ", %" PRIu64 " bursts\n");
	fctl_put_uint(r, "bytes_copied", "bytes copied: %" PRIu64 "\n");
	out_open_object("pool");
	fctl_put_uint(pool, "buffers", "pool: %" PRIu64 " buffers");
	fctl_put_uint(pool, "free", ", %" PRIu64 " free");
	fctl_put_uint(pool, "buf_size", ", %" PRIu64 " bytes each");
	out_bool(PRINT_ANY, "hugepages", ", hugepages: %s\n",
		 json_is_true(json_object_get(pool, "hugepages")));
	out_close_object();
	print_engine_fdb(fdb);
	out_text("drops:");
	print_drops(json_object_get(r, "drops"));
	out_nl();
	if (json_object_get(r, "xdp")) {
		out_text("fast path:");
		print_xdp(json_object_get(r, "xdp"));
		out_nl();
	}
}

/* A partition's IPFIX flow cache counters (stats); absent: export off. */
static void print_flow(const json_t *fl)
{
	if (!json_is_object(fl))
		return;
	out_open_object("flow");
	fctl_put_uint(fl, "entries", " flows %" PRIu64);
	fctl_put_uint(fl, "overflow", " flow-overflow %" PRIu64);
	fctl_put_uint(fl, "dropped", " flow-records-dropped %" PRIu64);
	out_close_object();
}

static void print_partition(const json_t *p)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "%-14s", jstr(p, "name"));
	fctl_put_uint(p, "pkey", " pkey 0x%04" PRIx64);
	fctl_put_uint(p, "vlan", " vlan %-4" PRIu64);
	out_bool(PRINT_ANY, "active", " active %s",
		 json_is_true(json_object_get(p, "active")));
	print_counters(p);
	print_share(json_object_get(p, "fdb"));
	print_flow(json_object_get(p, "flow"));
	out_nl();
	out_close_object();
}

static void print_stats(json_t *res)
{
	json_t *p;
	size_t i;

	out_open_object(NULL);
	print_engine(res);
	out_text("\nports:\n");
	out_open_array("ports");
	json_array_foreach(json_object_get(res, "ports"), i, p) {
		print_port(p);
	}
	out_close_array();
	out_text("\npartitions:\n");
	out_open_array("partitions");
	json_array_foreach(json_object_get(res, "partitions"), i, p) {
		print_partition(p);
	}
	out_close_array();
	p = json_object_get(res, "mirrors");
	if (json_array_size(p))
		out_text("\nmirrors:\n");
	fctl_print_mirrors("mirrors", p); /* NULL: an empty array */
	out_close_object();
}

/* stats -o prometheus: the same reply, as Prometheus text (lib/prom.h). */
static int show_prometheus(const struct fctl_opts *o)
{
	json_t *res = NULL;
	int ret = fctl_call(o, "stats", 0, NULL, &res);

	if (ret)
		return ret;
	ret = prom_write_stats(stdout, res);
	json_decref(res);
	if (fflush(stdout) || ret) {
		cli_error("cannot write the output: %s", strerror(EIO));
		return FCTL_UNREACHABLE;
	}
	return FCTL_OK;
}

static int cmd_stats(const void *ctx, int argc, char **argv)
{
	const struct fctl_opts *o = ctx;

	if (o->prometheus)
		return show_prometheus(o);
	return fctl_show(ctx, "stats", 0, argv, print_stats);
}

static const struct cli_cmd stats_cmds[] = {
	{ "show", NULL, "engine, port and partition counters", 0, 0,
	  cmd_stats },
};

const struct cli_object fctl_stats_object = CLI_OBJECT(
	"stats", "forwarding engine counters (drops by reason, bytes copied)",
	stats_cmds);
