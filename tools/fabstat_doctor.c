// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabstat doctor [PARTITION]: the answer to "why is ib0.8021 / eth1.20
 * down?". For each partition of the policy it cross-checks, on this host:
 *
 *   policy-member  the policy makes this gateway's port a member when the
 *                  gateway has addresses in the partition
 *   pkey           the port's PKey table (read with SMPs from the port)
 *                  holds the partition with the policy's membership
 *   broadcast-group  the SA has the IPoIB broadcast group
 *                  ff12:401b:PPPP::ffff:ffff (MCMemberRecord)
 *   group-mtu      the group's MTU is the policy's
 *   port-mtu       the port's active MTU can carry the group's
 *   mtu-budget     the Ethernet side (VLAN link or uplink) takes what
 *                  IPoIB delivers (IB MTU - 4 bytes)
 *   uplink, vlan-link, address   the links exist and are up, the
 *                  gateway's addresses are on them (sysfs, getifaddrs)
 *   datapath       fabricd's forwarding engine has the trunk port
 *   fabricd        fabricd runs, and agrees with what we see
 *
 * One verdict per partition; a fix for each problem. The checks live in
 * tools/doctor_ib.c, tools/doctor_eth.c and tools/doctor_fabricd.c; this
 * file runs them and prints the verdicts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cli.h"
#include "lib/ctl.h"
#include "lib/output.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "tools/diag.h"
#include "tools/diag_sa.h"
#include "tools/doctor.h"
#include "tools/doctor_eth.h"
#include "tools/doctor_fabricd.h"
#include "tools/doctor_ib.h"
#include "tools/fabstat.h"
#include "tools/fabstat_doctor.h"

static const char *const result_names[] = {
	[DOCTOR_OK] = "ok",
	[DOCTOR_SKIPPED] = "skipped",
	[DOCTOR_UNCHECKED] = "unchecked",
	[DOCTOR_PROBLEM] = "problem",
};

/* ---- the checks, one partition at a time ---- */

static void check_ethernet(const struct doctor_env *e, struct doctor_part *p)
{
	bool uplink_ok;

	if (!e->gw || !e->gw->uplink || !p->part->vlan)
		return;
	if (!p->served) {
		if (p->addrs)
			doctor_add(
				p, "uplink", DOCTOR_SKIPPED,
				"the port does not hold 0x%04x, and fabricd mirrors only what it holds",
				p->part->pkey);
		return;
	}
	uplink_ok = doctor_eth_check(e, p);
	doctor_fabricd_check(e, p, uplink_ok);
}

/* Applies here at all: the port or the gateway takes part in it. */
static bool relevant(const struct doctor_part *p)
{
	return p->policy_memb || p->fabric_memb || p->addrs;
}

static void examine(const struct doctor_env *e, struct doctor_part *p)
{
	uint16_t base = p->part->pkey;

	p->policy_memb =
		e->port_guid ? policy_port_memb_bits(p->part, e->port_guid) : 0;
	p->fabric_memb =
		e->pkeys ? policy_pkey_memb_bits(e->pkeys, e->n_pkeys, base) :
			   0;
	p->addrs = e->gw ? policy_gateway_addrs(e->gw, p->part) : NULL;
	/* As fabricd decides: a partition the port holds, with a VLAN. */
	p->served = e->gw && e->gw->uplink && p->part->vlan && p->fabric_memb;
	p->fd_part = e->fd_err ? NULL :
				 doctor_fabricd_partition(e, p->part->name);
	if (!relevant(p))
		return;
	doctor_ib_check(e, p);
	check_ethernet(e, p);
}

/* ---- output ---- */

static enum doctor_result verdict(const struct doctor_part *p)
{
	enum doctor_result v = DOCTOR_OK;
	unsigned int i;

	for (i = 0; i < p->n_checks; i++)
		if (p->checks[i].result != DOCTOR_SKIPPED)
			v = MAX(v, p->checks[i].result);
	return v;
}

static const char *verdict_name(const struct doctor_part *p)
{
	if (!relevant(p))
		return "not-here";
	return verdict(p) == DOCTOR_PROBLEM   ? "problem" :
	       verdict(p) == DOCTOR_UNCHECKED ? "unchecked" :
						"ok";
}

static void print_problems(const struct doctor_part *p)
{
	const struct doctor_check *c;
	unsigned int i, n = 0;

	out_open_array("problems");
	for (i = 0; i < p->n_checks; i++) {
		c = &p->checks[i];
		if (c->result != DOCTOR_PROBLEM)
			continue;
		out_open_object(NULL);
		out_text(n++ ? "    also: " : "PROBLEM: ");
		out_string(PRINT_JSON, "check", NULL, c->id);
		out_string(PRINT_ANY, "problem", "%s\n", c->detail);
		out_string(PRINT_ANY, "fix", "    fix: %s\n", c->fix);
		out_close_object();
	}
	out_close_array();
}

static void print_checks(const struct doctor_env *e,
			 const struct doctor_part *p)
{
	const struct doctor_check *c;
	unsigned int i;

	out_open_array("checks");
	for (i = 0; i < p->n_checks; i++) {
		c = &p->checks[i];
		if (!e->verbose && !out_is_json())
			continue;
		out_open_object(NULL);
		out_text("    ");
		out_string(PRINT_ANY, "result", "%-9s ",
			   result_names[c->result]);
		out_string(PRINT_ANY, "check", "%-15s ", c->id);
		out_string(PRINT_ANY, "detail", "%s\n", c->detail);
		out_close_object();
	}
	out_close_array();
}

static void print_part(const struct doctor_env *e, const struct doctor_part *p)
{
	const char *v = verdict_name(p);
	char pkey[8];

	snprintf(pkey, sizeof(pkey), "0x%04x", p->part->pkey);
	out_open_object(NULL);
	out_string(PRINT_ANY, "partition", "%s: ", p->part->name);
	out_string(PRINT_JSON, "pkey", NULL, pkey);
	out_uint(PRINT_JSON, "vlan", NULL, p->part->vlan);
	out_string(PRINT_JSON, "verdict", NULL, v);
	if (!strcmp(v, "ok"))
		out_text("OK\n");
	else if (!strcmp(v, "not-here"))
		out_text("OK (this port takes no part in it)\n");
	else if (!strcmp(v, "unchecked"))
		out_text("UNCHECKED: %s\n", p->checks[0].detail);
	print_problems(p);
	print_checks(e, p);
	out_close_object();
}

static void print_head(const struct doctor_env *e)
{
	char guid[24];

	util_format_guid(e->port_guid, guid, sizeof(guid));
	out_string(PRINT_ANY, "gateway", "# gateway %s",
		   e->gw ? e->gw->name : NULL);
	out_string(PRINT_JSON, "gateway_from", NULL, e->gw ? e->gw_how : NULL);
	if (e->ib_err) {
		out_null(PRINT_JSON, "port_guid", NULL);
		out_text(", no InfiniBand port (%s)", strerror(-e->ib_err));
	} else {
		out_string(PRINT_ANY, "ca", ", port %s", e->ca);
		out_uint(PRINT_ANY, "port", "/%u", (unsigned int)e->port);
		out_string(PRINT_ANY, "port_guid", " %s", guid);
		out_uint(PRINT_ANY, "port_mtu", " (mtu %u)", e->port_mtu);
	}
	out_bool(PRINT_JSON, "fabricd", NULL, !e->fd_err);
	out_text(", fabricd %s", e->fd_err ? "not running" : "running");
	out_string(PRINT_JSON, "socket", NULL, e->socket);
	out_string(PRINT_ANY, "ethernet", ", %s\n",
		   e->vlan_mode ? "802.1q" : "uplink-aliases");
}

/* ---- the command ---- */

struct doc_args {
	const char *socket;
	const char *gateway;
	const char *partition;
	bool verbose;
};

#define A struct doc_args

static const struct cli_opt doctor_opts[] = {
	{ "verbose", 'v', NULL, "every check with its result",
	  CLI_SET_FLAG(A, verbose) },
	{ "socket", 's', "PATH",
	  "fabricd's control socket (default $FABRICD_CTL_SOCKET, else " CTL_DEFAULT_SOCKET
	  ")",
	  CLI_SET_STRING(A, socket) },
	{ "gateway", 'g', "NAME",
	  "this host's gateway in the policy (default: fabricd's, else the "
	  "one with this port's GUID, else the one named like the host)",
	  CLI_SET_STRING(A, gateway) },
};

#undef A

static void doctor_help_tail(FILE *f)
{
	fprintf(f, "Exit status: 0 healthy, 1 a problem was found, 2 could "
		   "not check.\nSee fabstat(8).\n");
}

static const struct cli_prog doctor_prog = {
	.name = "fabstat doctor",
	.synopsis = "fabstat [OPTIONS] doctor [-v] [-s SOCKET] [-g GATEWAY] "
		    "[PARTITION]",
	.about =
		"Why is a partition (ib0.8001, eth1.20) not working on this "
		"host? For each\npartition of the policy: the port's PKey and "
		"membership, the IPoIB\nbroadcast group and its MTU, the MTU "
		"budget between IPoIB and Ethernet,\nthe uplink, VLAN link and "
		"addresses, the datapath port, and fabricd.\nOne verdict per "
		"partition; a fix for each problem.",
	CLI_OPTS(doctor_opts),
	.help_tail = doctor_help_tail,
};

/*
 * Options may come before or after the partition. @argv follows the word
 * "doctor" in main's argv, which getopt takes as the program name.
 * Returns 0, 1 when help was printed, or -EINVAL.
 */
static int parse_args(int argc, char **argv, struct doc_args *a)
{
	int first = cli_parse(&doctor_prog, argc + 1, argv - 1, a);

	if (first < 0)
		return first == CLI_EXIT ? 1 : -EINVAL;
	if (first < argc + 1)
		a->partition = argv[first - 1];
	if (first + 1 < argc + 1) {
		cli_error("unexpected '%s'", argv[first]);
		return -EINVAL;
	}
	return 0;
}

static int env_init(struct doctor_env *e, const struct doc_args *a)
{
	e->socket = a->socket ? a->socket : doctor_fabricd_socket();
	e->gw_name = a->gateway;
	e->verbose = a->verbose;
	doctor_fabricd_read(e);
	doctor_ib_read(e);
	if (doctor_env_gateway(e)) {
		fprintf(stderr,
			"fabstat: doctor: the policy has no gateway '%s'\n",
			a->gateway);
		return -ENOENT;
	}
	doctor_eth_read(e);
	return 0;
}

static void env_free(struct doctor_env *e)
{
	diag_sa_close(e->sa);
	json_decref(e->fd_status);
	json_decref(e->fd_parts);
	json_decref(e->fd_ports);
	json_decref(e->fd_ha);
	if (e->ifa)
		freeifaddrs(e->ifa);
}

static int run_parts(const struct doctor_env *e, const char *only)
{
	const struct policy *pol = e->o->policy;
	enum doctor_result worst = DOCTOR_OK;
	struct doctor_part *p;
	size_t i;

	p = calloc(1, sizeof(*p));
	if (!p)
		return DIAG_UNCHECKED;
	out_open_array("partitions");
	for (i = 0; i < pol->n_partitions; i++) {
		if (only && strcmp(only, pol->partitions[i].name))
			continue;
		memset(p, 0, sizeof(*p));
		p->part = &pol->partitions[i];
		examine(e, p);
		if (relevant(p))
			worst = MAX(worst, verdict(p));
		print_part(e, p);
	}
	out_close_array();
	free(p);
	return worst == DOCTOR_PROBLEM	 ? DIAG_PROBLEM :
	       worst == DOCTOR_UNCHECKED ? DIAG_UNCHECKED :
					   DIAG_OK;
}

int fabstat_doctor(const void *ctx, int argc, char **argv)
{
	const struct fabstat_opts *o = ctx;
	struct doc_args a = { 0 };
	struct doctor_env e = { .o = o };
	int ret, status = DIAG_UNCHECKED;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret > 0 ? DIAG_OK : DIAG_UNCHECKED;
	if (!o->policy) {
		fprintf(stderr,
			"fabstat: doctor needs the policy: give --policy FILE\n");
		return DIAG_UNCHECKED;
	}
	if (a.partition && !policy_find_partition(o->policy, a.partition)) {
		fprintf(stderr, "fabstat: doctor: no partition '%s' in %s\n",
			a.partition, o->policy->file);
		return DIAG_UNCHECKED;
	}
	if (diag_require_ib_port("doctor", o->ca, o->port))
		return DIAG_UNCHECKED;
	if (!env_init(&e, &a)) {
		out_open_object(NULL);
		print_head(&e);
		status = run_parts(&e, a.partition);
		out_string(PRINT_JSON, "verdict", NULL,
			   status == DIAG_OK	  ? "ok" :
			   status == DIAG_PROBLEM ? "problem" :
						    "unchecked");
		out_close_object();
	}
	env_free(&e);
	return status;
}
