// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricctl policy: check and show a policy file without touching anything.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/output.h"
#include "lib/policy.h"
#include "lib/policy_diff.h"
#include "lib/util.h"
#include "tools/fabricctl.h"
#include "tools/prtn_import.h"

static const char *file_arg(const struct fctl_opts *o, int argc, char **argv)
{
	return argc > 0 ? argv[0] : o->policy;
}

/* Load @path, reporting errors on stderr; sets *@code on failure. */
static struct policy *load(const char *path, int *code)
{
	unsigned int n_errors = 0;
	struct policy *pol = policy_load(path, stderr, &n_errors);

	if (pol)
		return pol;
	if (errno == EINVAL) {
		fprintf(stderr, "%s: %u error%s; the policy was not accepted\n",
			path, n_errors, n_errors == 1 ? "" : "s");
		*code = FCTL_REFUSED;
	} else {
		*code = FCTL_UNREACHABLE;
	}
	return NULL;
}

static size_t count_members(const struct policy *pol)
{
	size_t i, n = 0;

	for (i = 0; i < pol->n_partitions; i++)
		n += pol->partitions[i].n_members;
	return n;
}

/* "3 partitions" / "1 partition" in text, a number in JSON. */
static void count(const char *fmt, const char *key, size_t n)
{
	char text[64];

	snprintf(text, sizeof(text), fmt, (uint64_t)n, n == 1 ? "" : "s");
	out_uint(PRINT_JSON, key, NULL, n);
	out_text("%s", text);
}

static int cmd_check(const void *ctx, int argc, char **argv)
{
	const struct fctl_opts *o = ctx;
	const char *path = file_arg(o, argc, argv);
	int code = FCTL_OK;
	struct policy *pol = load(path, &code);
	char warn[512];

	if (!pol)
		return code;
	if (policy_default_warning(pol, warn, sizeof(warn)))
		fprintf(stderr, "%s\n", warn);
	out_begin(stdout, o->json);
	out_open_object(NULL);
	out_string(PRINT_ANY, "file", "%s: ok:", path);
	out_string(PRINT_JSON, "fabric", NULL, pol->fabric_name);
	count(" %" PRIu64 " partition%s,", "partitions", pol->n_partitions);
	count(" %" PRIu64 " member%s,", "members", count_members(pol));
	count(" %" PRIu64 " gateway%s,", "gateways", pol->n_gateways);
	count(" %" PRIu64 " access port%s,", "ports", pol->n_ports);
	count(" %" PRIu64 " pinned LID%s", "lid_pins", pol->n_lid_pins);
	out_nl();
	out_close_object();
	out_end();
	policy_free(pol);
	return FCTL_OK;
}

static void print_hex16(const char *key, const char *fmt, unsigned int v)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "0x%04x", v);
	out_string(PRINT_ANY, key, fmt, buf);
}

static void print_guid(const char *key, const char *fmt, uint64_t guid)
{
	char buf[24];

	out_string(PRINT_ANY, key, fmt,
		   util_format_guid(guid, buf, sizeof(buf)));
}

static void print_prefix(const char *key, const char *fmt,
			 const struct policy_prefix *p)
{
	char buf[64];

	if (p->family)
		out_string(PRINT_ANY, key, fmt,
			   policy_prefix_format(p, buf, sizeof(buf)));
	else
		out_null(PRINT_JSON, key, NULL);
}

static void print_member(const struct policy_member *m)
{
	out_open_object(NULL);
	out_text("    - ");
	out_string(PRINT_ANY, "selector", "%-12s ",
		   policy_selector_name(m->sel));
	if (m->sel == POLICY_SEL_GUID)
		print_guid("guid", "%s ", m->guid);
	else
		out_null(PRINT_JSON, "guid", NULL);
	if (m->sel == POLICY_SEL_NODE)
		out_string(PRINT_ANY, "node", "\"%s\" ", m->node);
	out_string(PRINT_ANY, "membership", "%s",
		   policy_membership_name(m->membership));
	out_nl();
	out_close_object();
}

static void print_partition(const struct policy_partition *p)
{
	size_t i;

	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "partition %s:", p->name);
	print_hex16("pkey", " pkey %s", p->pkey);
	if (p->vlan)
		out_uint(PRINT_ANY, "vlan", " vlan %" PRIu64, p->vlan);
	else
		out_null(PRINT_ANY, "vlan", " vlan %s");
	out_bool(PRINT_ANY, "ipoib", " ipoib %s", p->ipoib);
	out_uint(PRINT_ANY, "mtu", " mtu %" PRIu64, p->mtu);
	out_uint(PRINT_ANY, "sl", " sl %" PRIu64, p->sl);
	if (p->fdb_limit)
		out_uint(PRINT_ANY, "fdb_limit", " fdb_limit %" PRIu64,
			 p->fdb_limit);
	else
		out_null(PRINT_JSON, "fdb_limit", NULL);
	print_prefix("ipv4", " ipv4 %s", &p->ipv4);
	print_prefix("ipv6", " ipv6 %s", &p->ipv6);
	out_nl();
	out_open_array("members");
	for (i = 0; i < p->n_members; i++)
		print_member(&p->members[i]);
	out_close_array();
	out_close_object();
}

static void print_gateway(const struct policy_gateway *gw)
{
	size_t i, j;
	char buf[64];

	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "gateway %s:", gw->name);
	if (gw->port_guid)
		print_guid("port_guid", " port %s", gw->port_guid);
	else
		out_null(PRINT_JSON, "port_guid", NULL);
	out_string(PRINT_ANY, "uplink", " uplink %s", gw->uplink);
	out_string(PRINT_ANY, "ib_device", " ib_device %s", gw->ib_device);
	out_uint(PRINT_ANY, "ib_port", " ib_port %" PRIu64, gw->ib_port);
	out_nl();
	out_open_object("addresses");
	for (i = 0; i < gw->n_addrs; i++) {
		const struct policy_gw_addrs *ga = &gw->addrs[i];

		out_open_array(ga->partition->name);
		out_text("    %s:", ga->partition->name);
		for (j = 0; j < ga->n_addrs; j++)
			out_string(PRINT_ANY, NULL, " %s",
				   policy_prefix_format(&ga->addrs[j], buf,
							sizeof(buf)));
		out_nl();
		out_close_array();
	}
	out_close_object();
	out_close_object();
}

static void print_port(const struct policy_port *port)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "port %s:", port->name);
	out_string(PRINT_ANY, "partition", " partition %s",
		   port->partition->name);
	out_string(PRINT_ANY, "membership", " %s",
		   policy_membership_name(port->membership));
	if (port->fdb_limit >= 0)
		out_uint(PRINT_ANY, "fdb_limit", " fdb_limit %" PRIu64,
			 (uint64_t)port->fdb_limit);
	else
		out_null(PRINT_JSON, "fdb_limit", NULL);
	out_nl();
	out_close_object();
}

static void print_pins(const struct policy *pol)
{
	size_t i;

	out_open_array("lid_pins");
	for (i = 0; i < pol->n_lid_pins; i++) {
		out_open_object(NULL);
		print_guid("guid", "lid pin %s", pol->lid_pins[i].guid);
		print_hex16("lid", " -> lid %s", pol->lid_pins[i].lid);
		out_nl();
		out_close_object();
	}
	out_close_array();
}

/* metrics: (fabricd's textfile), or null. */
static void print_metrics(const struct policy_metrics *m)
{
	if (!m->textfile_dir) {
		out_null(PRINT_JSON, "metrics", NULL);
		return;
	}
	out_open_object("metrics");
	out_string(PRINT_ANY, "textfile_dir", "metrics to %s", m->textfile_dir);
	out_uint(PRINT_ANY, "interval", " every %" PRIu64 " s", m->interval);
	out_nl();
	out_close_object();
}

/* The default partition, as in force (OpenSM's MTU shows as 0). */
static void print_default(const struct policy_default *d)
{
	out_open_object("default_partition");
	out_string(PRINT_ANY, "membership", "default partition 0x7fff: %s",
		   policy_membership_name(d->membership));
	out_bool(PRINT_ANY, "ipoib", " ipoib %s", d->ipoib);
	out_uint(PRINT_ANY, "mtu", " mtu %" PRIu64, d->mtu);
	out_bool(PRINT_JSON, "set", NULL, d->set);
	if (!d->set)
		out_text(" (no default_partition: key)");
	out_nl();
	out_close_object();
}

static int cmd_show(const void *ctx, int argc, char **argv)
{
	const struct fctl_opts *o = ctx;
	int code = FCTL_OK;
	struct policy *pol = load(file_arg(o, argc, argv), &code);
	size_t i;

	if (!pol)
		return code;
	out_begin(stdout, o->json);
	out_open_object(NULL);
	out_string(PRINT_ANY, "fabric", "fabric %s", pol->fabric_name);
	out_uint(PRINT_ANY, "pkey_table_size", " (pkey table %" PRIu64 ")",
		 pol->pkey_table_size);
	out_nl();
	print_pins(pol);
	print_default(&pol->dflt);
	out_open_array("partitions");
	for (i = 0; i < pol->n_partitions; i++)
		print_partition(&pol->partitions[i]);
	out_close_array();
	out_open_array("gateways");
	for (i = 0; i < pol->n_gateways; i++)
		print_gateway(&pol->gateways[i]);
	out_close_array();
	out_open_array("ports");
	for (i = 0; i < pol->n_ports; i++)
		print_port(&pol->ports[i]);
	out_close_array();
	print_metrics(&pol->metrics);
	out_close_object();
	out_end();
	policy_free(pol);
	return FCTL_OK;
}

static void print_change(void *ctx, const struct policy_diff_item *it)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "object", "%s", it->object);
	out_string(PRINT_ANY, "name", " %s", it->name);
	if (it->key)
		out_string(PRINT_ANY, "key", " %s", it->key);
	else
		out_null(PRINT_JSON, "key", NULL);
	out_string(PRINT_ANY, "change", ": %s", policy_change_name(it->change));
	if (it->change == POLICY_CHANGED) {
		out_string(PRINT_ANY, "old", " %s", it->old_value);
		out_string(PRINT_ANY, "new", " -> %s", it->new_value);
	} else {
		out_string(PRINT_ANY, "old", it->old_value ? " (%s)" : NULL,
			   it->old_value);
		out_string(PRINT_ANY, "new", it->new_value ? " (%s)" : NULL,
			   it->new_value);
	}
	out_string(PRINT_ANY, "applies_to", "  [%s]", it->scope);
	out_nl();
	out_close_object();
}

static int cmd_diff(const void *ctx, int argc, char **argv)
{
	const struct fctl_opts *o = ctx;
	int code = FCTL_OK;
	struct policy *a = load(argv[0], &code), *b = NULL;
	unsigned int n;

	if (a)
		b = load(argv[1], &code);
	if (!b) {
		policy_free(a);
		return code;
	}
	out_begin(stdout, o->json);
	out_open_array(NULL);
	n = policy_diff(a, b, print_change, NULL);
	out_close_array();
	if (!n)
		out_text("no change\n");
	out_end();
	policy_free(a);
	policy_free(b);
	return FCTL_OK;
}

/* policy import's own options, after the word "import". */
struct import_args {
	struct prtn_import_opts io;
	const char *out; /* NULL: standard output */
};

#define A struct import_args
static const struct cli_opt import_opts[] = {
	{ "guid2lid", CLI_LONG_ONLY + 1, "FILE",
	  "OpenSM's guid2lid table: pin every port's LID (fabric.lid_pins)",
	  CLI_SET_STRING(A, io.guid2lid) },
	{ "sm-guid", CLI_LONG_ONLY + 2, "GUID",
	  "the SM's port GUID, for SELF outside the default partition",
	  CLI_SET_UINT(A, io.sm_guid, 1, UINT64_MAX) },
	{ "output", 'o', "FILE", "write the policy to FILE, not to stdout",
	  CLI_SET_STRING(A, out) },
};
#undef A

static const struct cli_prog import_prog = {
	.name = "fabricctl policy import",
	.synopsis = "fabricctl policy import PARTITIONS.CONF [--guid2lid FILE] "
		    "[--sm-guid GUID] [-o FILE]",
	.about = "Turn OpenSM's partition file into an equivalent policy; "
		 "what the policy\ncannot hold is refused with its line. "
		 "See fabricctl(8).",
	CLI_OPTS(import_opts),
};

/* @argv follows the word "import", which getopt takes as the program name. */
static int import_parse(int argc, char **argv, struct import_args *a,
			const char **in)
{
	int first = cli_parse(&import_prog, argc + 1, argv - 1, a);

	if (first < 0)
		return first == CLI_EXIT ? 1 : -EINVAL;
	if (first != argc) {
		cli_error(first > argc ? "which partitions.conf?" :
					 "one partitions.conf only");
		return -EINVAL;
	}
	*in = argv[first - 1];
	return 0;
}

static int import_write(const char *in, const char *out, const char *yaml)
{
	int ret;

	if (out)
		ret = util_write_file_atomic(out, yaml, strlen(yaml), 0644);
	else
		ret = fputs(yaml, stdout) < 0 ? -EIO : 0;
	if (ret < 0)
		fprintf(stderr, "%s: %s\n", out ? out : "stdout",
			strerror(-ret));
	else if (out)
		fprintf(stderr, "%s: imported into %s\n", in, out);
	return ret < 0 ? FCTL_UNREACHABLE : FCTL_OK;
}

static int cmd_import(const void *ctx, int argc, char **argv)
{
	struct import_args a = { .out = NULL };
	const char *in = NULL;
	char *yaml = NULL;
	int ret = import_parse(argc, argv, &a, &in);

	if (ret)
		return ret > 0 ? FCTL_OK : FCTL_REFUSED;
	ret = prtn_import(in, &a.io, stderr, &yaml);
	if (ret == -EINVAL) {
		fprintf(stderr, "%s: not imported; nothing written\n", in);
		return FCTL_REFUSED;
	}
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", in, strerror(-ret));
		return FCTL_UNREACHABLE;
	}
	ret = import_write(in, a.out, yaml);
	free(yaml);
	return ret;
}

static const struct cli_cmd policy_cmds[] = {
	{ "check", "[FILE]", "validate a policy; print a summary or the errors",
	  0, 1, cmd_check },
	{ "show", "[FILE]", "print the normalised policy (-j: as JSON)", 0, 1,
	  cmd_show },
	{ "diff", "OLD NEW",
	  "what would change on the fabric and on gateways from OLD to NEW", 2,
	  2, cmd_diff },
	{ "import",
	  "PARTITIONS.CONF [--guid2lid FILE] [--sm-guid GUID] [-o FILE]",
	  "turn OpenSM's partition file into an equivalent policy", 1, 7,
	  cmd_import },
};

const struct cli_object fctl_policy_object = CLI_OBJECT(
	"policy", "check, show and diff policies; import partitions.conf",
	policy_cmds);
