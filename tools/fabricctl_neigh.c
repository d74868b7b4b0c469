// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl neigh: the IB neighbours the gateway's ipoib ports learned and
 * the MAC each one has on the Ethernet side (neigh/show on fabricd).
 */
#include <inttypes.h>
#include <stdio.h>

#include "lib/output.h"
#include "lib/util.h"
#include "tools/fabricctl.h"
#include "tools/fabricctl_ctl.h"

static void print_neigh(json_t *e)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "partition", "%-14s",
		   fctl_json_str(e, "partition", "-"));
	out_string(PRINT_ANY, "pkey", " %s", fctl_json_str(e, "pkey", "-"));
	out_string(PRINT_ANY, "port", " %-15s", fctl_json_str(e, "port", "-"));
	out_string(PRINT_ANY, "mac", " %s", fctl_json_str(e, "mac", "-"));
	fctl_put_uint(e, "qpn", " qpn 0x%06" PRIx64);
	out_string(PRINT_ANY, "gid", " gid %s", fctl_json_str(e, "gid", "-"));
	out_string(PRINT_JSON, "hwaddr", NULL, fctl_json_str(e, "hwaddr", "-"));
	fctl_put_uint(e, "age_ms", " age %" PRIu64 " ms");
	out_nl();
	out_close_object();
}

static int cmd_neigh_show(const void *ctx, int argc, char **argv)
{
	return fctl_show_each(ctx, "neigh/show", argc, argv, print_neigh);
}

static const struct cli_cmd neigh_cmds[] = {
	{ "show", "[partition NAME]",
	  "IB neighbours and the MACs Ethernet hosts see for them", 0, 2,
	  cmd_neigh_show },
};

const struct cli_object fctl_neigh_object = CLI_OBJECT(
	"neigh", "IPoIB neighbours of the gateway (proxy ARP/ND)", neigh_cmds);
