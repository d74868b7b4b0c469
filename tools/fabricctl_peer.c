// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl peer: the other fabricds each peer port hears in its partition
 * (peer/list on fabricd), with the MACs learned behind them and counters.
 */
#include <inttypes.h>
#include <stdio.h>

#include "lib/output.h"
#include "lib/util.h"
#include "tools/fabricctl.h"
#include "tools/fabricctl_ctl.h"

/* Drop counters: all in JSON, those above zero in text. */
static void print_drops(json_t *drops)
{
	const char *k;
	json_t *v;

	out_open_object("drops");
	json_object_foreach(drops, k, v) {
		if (!json_integer_value(v) && !out_is_json())
			continue;
		out_text(" %s", k);
		out_uint(PRINT_ANY, k, " %" PRIu64,
			 (uint64_t)json_integer_value(v));
	}
	out_close_object();
}

/* The peer's transport and what crossed its RC connection. */
static void print_rc(json_t *e)
{
	json_t *rc = json_object_get(e, "rc");

	out_string(PRINT_ANY, "transport", "\n    transport %s",
		   fctl_json_str(e, "transport", "ud"));
	if (!rc)
		return;
	out_open_object("rc");
	fctl_put_uint(rc, "rx_packets", " rc rx %" PRIu64);
	fctl_put_uint(rc, "rx_bytes", " (%" PRIu64 " bytes,");
	fctl_put_uint(rc, "rx_whole", " %" PRIu64 " super-frames)");
	fctl_put_uint(rc, "tx_packets", " tx %" PRIu64);
	fctl_put_uint(rc, "tx_bytes", " (%" PRIu64 " bytes,");
	fctl_put_uint(rc, "tx_whole", " %" PRIu64 " super-frames)");
	out_close_object();
}

static void print_peer(json_t *e)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "partition", "%-14s",
		   fctl_json_str(e, "partition", "-"));
	out_string(PRINT_ANY, "pkey", " %s", fctl_json_str(e, "pkey", "-"));
	out_string(PRINT_ANY, "port", " %-10s", fctl_json_str(e, "port", "-"));
	fctl_put_uint(e, "qpn", " qpn 0x%06" PRIx64);
	out_string(PRINT_ANY, "gid", " gid %s", fctl_json_str(e, "gid", "-"));
	fctl_put_uint(e, "lid", " lid %" PRIu64);
	fctl_put_uint(e, "macs", " macs %" PRIu64);
	fctl_put_uint(e, "age_ms", " age %" PRIu64 " ms");
	out_uint(PRINT_JSON, "up_ms", NULL, fctl_json_uint(e, "up_ms"));
	fctl_put_uint(e, "rx_packets", "\n    rx %" PRIu64);
	fctl_put_uint(e, "rx_bytes", " (%" PRIu64 " bytes)");
	fctl_put_uint(e, "tx_packets", " tx %" PRIu64);
	fctl_put_uint(e, "tx_bytes", " (%" PRIu64 " bytes)");
	fctl_put_uint(e, "hellos", " hellos %" PRIu64);
	fctl_put_uint(e, "announced", " announced %" PRIu64);
	fctl_put_uint(e, "withdrawn", " withdrawn %" PRIu64);
	print_drops(json_object_get(e, "drops"));
	fctl_put_peer_ann(e, "port_ann", "port");
	print_rc(e);
	out_nl();
	out_close_object();
}

static int cmd_peer_list(const void *ctx, int argc, char **argv)
{
	return fctl_show_each(ctx, "peer/list", argc, argv, print_peer);
}

static const struct cli_cmd peer_cmds[] = {
	{ "list", "[partition NAME]",
	  "fabricds heard on the peer links, MACs behind them, counters", 0, 2,
	  cmd_peer_list },
};

const struct cli_object fctl_peer_object = CLI_OBJECT(
	"peer", "peer links to other fabricds (partitions with peer: true)",
	peer_cmds);
