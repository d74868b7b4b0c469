// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabstat [ports] [CA [PORT]]: each local InfiniBand port as ibstat shows
 * it (through libibumad), plus its PKey table decoded. The table is read
 * from the port itself with SMPs, so it shows what the subnet manager
 * really programmed; RoCE ports (no SMPs) fall back to sysfs.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/umad.h>

#include "lib/ib.h"
#include "lib/output.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "tools/diag.h"
#include "tools/fabstat.h"
#include "tools/fabstat_mirror.h"

#define PORT_STATE_ACTIVE 4

/* A port's PKey table and where it was read from. */
struct port_pkeys {
	uint16_t *pkeys;
	unsigned int n;
	const char *source; /* "smp" or "sysfs" */
	unsigned int mtu; /* active MTU in bytes, 0 when unknown */
	unsigned int mtu_cap;
};

const char *fabstat_partition_name(const struct policy *pol, uint16_t pkey)
{
	const struct policy_partition *part;
	uint16_t base = pkey & IB_PKEY_BASE_MASK;

	if (base == IB_PKEY_DEFAULT)
		return "Default";
	if (!pol)
		return NULL;
	part = policy_find_partition_by_pkey(pol, base);
	return part ? part->name : NULL;
}

/* Read the PKey table (and MTU) with SMPs, falling back to sysfs. */
static void read_pkeys(const struct fabstat_opts *o, const umad_port_t *p,
		       struct port_pkeys *pk)
{
	struct diag_smp *smp = NULL;
	static uint16_t table[DIAG_PKEYS_MAX];

	memset(pk, 0, sizeof(*pk));
	if (diag_port_is_ib(p))
		smp = diag_smp_open(p->ca_name, p->portnum, o->timeout_ms);
	if (smp && !diag_smp_pkeys(smp, table, DIAG_PKEYS_MAX, &pk->n)) {
		pk->pkeys = table;
		pk->source = "smp";
		diag_smp_mtu(smp, &pk->mtu, &pk->mtu_cap);
	} else {
		pk->pkeys = p->pkeys;
		pk->n = p->pkeys ? p->pkeys_size : 0;
		pk->source = "sysfs";
	}
	diag_smp_close(smp);
}

static void print_pkey(const struct fabstat_opts *o, unsigned int idx,
		       uint16_t pkey)
{
	const char *name = fabstat_partition_name(o->policy, pkey);
	const struct policy_partition *part;
	char hex[8];

	out_open_object(NULL);
	out_text("\t\t  ");
	out_uint(PRINT_ANY, "index", "%-6u ", idx);
	snprintf(hex, sizeof(hex), "0x%04x", pkey);
	out_string(PRINT_ANY, "pkey", "%-7s ", hex);
	snprintf(hex, sizeof(hex), "0x%04x", pkey & IB_PKEY_BASE_MASK);
	out_string(PRINT_JSON, "base", NULL, hex);
	out_string(PRINT_ANY, "membership", "%-11s ",
		   diag_pkey_membership(pkey));
	out_string(PRINT_ANY, "partition", "%s", name);
	out_nl();
	part = o->policy ?
		       policy_find_partition_by_pkey(o->policy,
						     pkey & IB_PKEY_BASE_MASK) :
		       NULL;
	if (part)
		fabstat_mirror_print(o, part);
	out_close_object();
}

static void print_pkeys(const struct fabstat_opts *o,
			const struct port_pkeys *pk)
{
	unsigned int i;

	out_string(PRINT_JSON, "pkey_source", NULL, pk->source);
	out_uint(PRINT_JSON, "pkey_table_size", NULL, pk->n);
	out_text("\t\tPKeys (%u entries, from %s):\n", pk->n,
		 !strcmp(pk->source, "smp") ? "the port (SMP)" : "sysfs");
	out_text("\t\t  Index  PKey    Membership  Partition\n");
	out_open_array("pkeys");
	for (i = 0; i < pk->n; i++)
		if (pk->pkeys[i] & IB_PKEY_BASE_MASK)
			print_pkey(o, i, pk->pkeys[i]);
	out_close_array();
}

static void print_mtu(const struct port_pkeys *pk)
{
	if (pk->mtu) {
		out_uint(PRINT_ANY, "mtu", "\t\tMTU: %u", pk->mtu);
		out_uint(PRINT_ANY, "mtu_cap", " (capable of %u)", pk->mtu_cap);
		out_nl();
	} else {
		out_null(PRINT_JSON, "mtu", NULL);
	}
}

/* Print one port; returns DIAG_PROBLEM when it is not Active. */
static int print_port(const struct fabstat_opts *o, const umad_port_t *p)
{
	struct port_pkeys pk;
	char buf[32];

	read_pkeys(o, p, &pk);
	out_open_object(NULL);
	out_uint(PRINT_ANY, "port", "\tPort %u:\n", (unsigned int)p->portnum);
	out_string(PRINT_ANY, "state", "\t\tState: %s\n",
		   diag_port_state_name(p->state));
	out_string(PRINT_ANY, "phys_state", "\t\tPhysical state: %s\n",
		   diag_phys_state_name(p->phys_state));
	out_string(PRINT_ANY, "rate", "\t\tRate: %s\n",
		   diag_rate_format(p->rate, buf, sizeof(buf)));
	out_uint(PRINT_JSON, "rate_mbps", NULL, ib_rate_mbps(p->rate));
	print_mtu(&pk);
	out_uint(PRINT_ANY, "lid", "\t\tBase lid: %u\n", p->base_lid);
	out_uint(PRINT_ANY, "lmc", "\t\tLMC: %u\n", p->lmc);
	out_uint(PRINT_ANY, "sm_lid", "\t\tSM lid: %u\n", p->sm_lid);
	snprintf(buf, sizeof(buf), "0x%08x", be32toh(p->capmask));
	out_string(PRINT_ANY, "capability_mask", "\t\tCapability mask: %s\n",
		   buf);
	out_string(PRINT_ANY, "port_guid", "\t\tPort GUID: %s\n",
		   util_format_guid(be64toh(p->port_guid), buf, sizeof(buf)));
	out_string(PRINT_ANY, "link_layer", "\t\tLink layer: %s\n",
		   p->link_layer);
	print_pkeys(o, &pk);
	out_close_object();
	return p->state == PORT_STATE_ACTIVE ? DIAG_OK : DIAG_PROBLEM;
}

static void print_ca_head(const umad_ca_t *ca)
{
	char buf[32];

	out_string(PRINT_ANY, "ca", "CA '%s'\n", ca->ca_name);
	out_string(PRINT_ANY, "ca_type", "\tCA type: %s\n", ca->ca_type);
	out_uint(PRINT_ANY, "num_ports", "\tNumber of ports: %u\n",
		 (unsigned int)ca->numports);
	out_string(PRINT_ANY, "fw_ver", "\tFirmware version: %s\n", ca->fw_ver);
	out_string(PRINT_ANY, "hw_ver", "\tHardware version: %s\n", ca->hw_ver);
	out_string(PRINT_ANY, "node_guid", "\tNode GUID: %s\n",
		   util_format_guid(be64toh(ca->node_guid), buf, sizeof(buf)));
	out_string(PRINT_ANY, "system_guid", "\tSystem image GUID: %s\n",
		   util_format_guid(be64toh(ca->system_guid), buf,
				    sizeof(buf)));
}

/* Print CA @name, all its ports or only @port (> 0). */
static int print_ca(const struct fabstat_opts *o, const char *name, int port)
{
	umad_ca_t ca;
	int i, ret, n = 0, status = DIAG_OK;

	if (umad_get_ca(name, &ca) < 0) {
		fprintf(stderr, "fabstat: cannot read CA '%s'\n", name);
		return DIAG_UNCHECKED;
	}
	out_open_object(NULL);
	print_ca_head(&ca);
	out_open_array("ports");
	for (i = 0; i < UMAD_CA_MAX_PORTS; i++) {
		if (!ca.ports[i] || (port && ca.ports[i]->portnum != port))
			continue;
		ret = print_port(o, ca.ports[i]);
		status = MAX(status, ret);
		n++;
	}
	out_close_array();
	out_close_object();
	umad_release_ca(&ca);
	if (port && !n) {
		fprintf(stderr, "fabstat: CA '%s' has no port %d\n", name,
			port);
		return DIAG_UNCHECKED;
	}
	return status;
}

static int find_ca(char names[][UMAD_CA_NAME_LEN], int n, const char *want)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], want))
			return i;
	return -1;
}

static int parse_port_arg(const char *s, int *port)
{
	uint64_t v;

	if (util_parse_u64(s, UMAD_CA_MAX_PORTS - 1, &v)) {
		fprintf(stderr, "fabstat: bad port number '%s'\n", s);
		return -EINVAL;
	}
	*port = (int)v;
	return 0;
}

int fabstat_ports(const void *ctx, int argc, char **argv)
{
	const struct fabstat_opts *o = ctx;
	char names[UMAD_MAX_DEVICES][UMAD_CA_NAME_LEN];
	int n, i, ret, port = 0, status = DIAG_OK;

	if (argc > 1 && parse_port_arg(argv[1], &port))
		return DIAG_UNCHECKED;
	n = diag_ca_names(names, UMAD_MAX_DEVICES);
	if (!n) /* gone since main()'s check */
		return DIAG_UNCHECKED;
	if (argc > 0 && find_ca(names, n, argv[0]) < 0) {
		fprintf(stderr,
			"fabstat: no CA named '%s'; try one of:", argv[0]);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", names[i]);
		fputc('\n', stderr);
		return DIAG_UNCHECKED;
	}
	out_open_array(NULL);
	for (i = 0; i < n; i++)
		if (argc == 0 || !strcmp(names[i], argv[0])) {
			ret = print_ca(o, names[i], port);
			status = MAX(status, ret);
		}
	out_close_array();
	return status;
}
