// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl ha: the gateway groups this gateway is in, per partition: its
 * state, the active gateway, the standbys, since when, the last failover
 * and why (ha/show on fabricd).
 */
#include <inttypes.h>
#include <stdio.h>

#include "lib/output.h"
#include "lib/util.h"
#include "tools/fabricctl.h"
#include "tools/fabricctl_ctl.h"

/* Counters and timers that only -j prints, in the order it prints them. */
static const char *const times_json[] = {
	"since_ms",
	"since_mono_ms",
	"last_failover_mono_ms",
};
static const char *const counters_json[] = {
	"adverts_tx",	      "adverts_rx",	 "adverts_tx_eth",
	"adverts_rx_eth",     "announced",	 "syncs_tx",
	"syncs_rx",	      "hosts",		 "reannounced",
	"advert_interval_ms", "preempt_hold_ms",
};

static void put_json_uints(json_t *e, const char *const *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out_uint(PRINT_JSON, keys[i], NULL, fctl_json_uint(e, keys[i]));
}

/* "a,b" in text (after @label), the array @key in JSON. */
static void print_names(json_t *e, const char *key, const char *label)
{
	json_t *a = json_object_get(e, key), *s;
	size_t i;

	if (out_is_json()) {
		out_json(key, json_incref(a ? a : json_array()));
		return;
	}
	out_text("%s", label);
	if (!json_array_size(a))
		out_text("-");
	json_array_foreach(a, i, s)
		out_text("%s%s", i ? "," : "", json_string_value(s));
}

static void print_group(json_t *e)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "partition", "%-14s",
		   fctl_json_str(e, "partition", "-"));
	out_string(PRINT_ANY, "pkey", " %s", fctl_json_str(e, "pkey", "-"));
	out_string(PRINT_ANY, "state", " %-6s", fctl_json_str(e, "state", "-"));
	fctl_put_uint(e, "priority", " prio %" PRIu64);
	fctl_put_str(e, "active", " active %s", " active %s");
	print_names(e, "standbys", " standbys ");
	fctl_put_str(e, "since", " since %s", " since %s");
	put_json_uints(e, times_json, ARRAY_SIZE(times_json));
	out_string(PRINT_ANY, "reason", " (%s)",
		   fctl_json_str(e, "reason", "-"));
	fctl_put_str(e, "last_failover", " last failover %s",
		     " last failover %s");
	fctl_put_str(e, "last_failover_reason", " (%s)", " (%s)");
	fctl_put_uint(e, "failovers", " failovers %" PRIu64);
	print_names(e, "masters", " masters ");
	out_bool(PRINT_JSON, "eligible", NULL,
		 json_is_true(json_object_get(e, "eligible")));
	out_bool(PRINT_JSON, "carrier", NULL,
		 json_is_true(json_object_get(e, "carrier")));
	put_json_uints(e, counters_json, ARRAY_SIZE(counters_json));
	out_nl();
	out_close_object();
}

static int cmd_ha_show(const void *ctx, int argc, char **argv)
{
	return fctl_show_each(ctx, "ha/show", argc, argv, print_group);
}

static const struct cli_cmd ha_cmds[] = {
	{ "show", "",
	  "per partition: state, active gateway, standbys, since when, last "
	  "failover and why",
	  0, 0, cmd_ha_show },
};

const struct cli_object fctl_ha_object = CLI_OBJECT(
	"ha", "gateway groups: one active gateway per partition", ha_cmds);
