// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabstat fabric: every partition on the fabric with its member ports
 * (membership, LID), and the ports the policy names that the fabric lacks.
 * The ports and their PKey tables come from the SA (NodeRecord and
 * PKeyTableRecord, one record per query, LID by LID up to the switches'
 * LinearFDBTop) or, with --snapshot, from the SM plugin's state snapshot
 * (docs/sm-plugin.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/ib.h"
#include "lib/output.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "tools/diag.h"
#include "tools/diag_sa.h"
#include "tools/fabstat.h"

/* Without switches there is no LinearFDBTop: stop after this many gaps. */
#define LID_SCAN_GAP 64

/* One end port (CA port or switch port 0) and its valid PKeys. */
struct fab_port {
	uint64_t guid;
	uint16_t lid;
	const char *type; /* "ca", "switch", "router" */
	char desc[65];
	uint16_t *pkeys; /* non-zero entries only */
	unsigned int n_pkeys;
};

struct fab {
	struct fab_port *ports;
	size_t n, cap;
	/*
	 * The SA answers an untrusted requester only about ports sharing a
	 * partition with it: unless our port is a full member of the
	 * default partition, ports may be missing from the view.
	 */
	bool partial;
};

static void fab_free(struct fab *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->ports[i].pkeys);
	free(f->ports);
}

static struct fab_port *fab_add(struct fab *f)
{
	struct fab_port *p;

	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 64;

		p = realloc(f->ports, cap * sizeof(*p));
		if (!p)
			return NULL;
		f->ports = p;
		f->cap = cap;
	}
	p = &f->ports[f->n++];
	memset(p, 0, sizeof(*p));
	return p;
}

static int port_add_pkey(struct fab_port *p, uint16_t pkey)
{
	uint16_t *v;

	if (!(pkey & IB_PKEY_BASE_MASK))
		return 0;
	v = realloc(p->pkeys, (p->n_pkeys + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->pkeys = v;
	p->pkeys[p->n_pkeys++] = pkey;
	return 0;
}

/* ---- source 1: the SA ---- */

static const char *type_name(uint8_t t)
{
	return t == 2 ? "switch" : t == 3 ? "router" : "ca";
}

static int sa_port_pkeys(struct diag_sa *sa, const struct diag_node_rec *nr,
			 struct fab_port *p)
{
	uint16_t block[IB_PKEYS_PER_BLOCK];
	uint8_t port = nr->node_type == 2 ? 0 : nr->local_port;
	unsigned int b, i;
	int ret;

	for (b = 0; b * IB_PKEYS_PER_BLOCK < nr->partition_cap; b++) {
		ret = diag_sa_pkey_block(sa, nr->lid, port, (uint16_t)b, block);
		if (ret)
			return ret;
		for (i = 0; i < IB_PKEYS_PER_BLOCK; i++) {
			ret = port_add_pkey(p, block[i]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Add the port at @lid; -ENOENT when no port has that base LID. */
static int sa_add_lid(struct diag_sa *sa, uint16_t lid, struct fab *f)
{
	struct diag_node_rec nr;
	struct fab_port *p;
	int ret;

	ret = diag_sa_node_by_lid(sa, lid, &nr);
	if (ret)
		return ret;
	p = fab_add(f);
	if (!p)
		return -ENOMEM;
	p->guid = nr.port_guid;
	p->lid = nr.lid;
	p->type = type_name(nr.node_type);
	util_strlcpy(p->desc, nr.desc, sizeof(p->desc));
	return sa_port_pkeys(sa, &nr, p);
}

static int sa_walk(struct diag_sa *sa, struct fab *f)
{
	int top = diag_sa_top_lid(sa), ret, gap = 0;
	unsigned int lid;

	if (top < 0 && top != -ENOENT)
		return top;
	for (lid = 1; lid <= 0xbfff; lid++) {
		if (top > 0 && lid > (unsigned int)top)
			break;
		ret = sa_add_lid(sa, (uint16_t)lid, f);
		if (ret == -ENOENT) {
			if (top <= 0 && ++gap > LID_SCAN_GAP)
				break;
			continue;
		}
		if (ret)
			return ret;
		gap = 0;
	}
	return 0;
}

/* True when the local port holds the default partition as a full member. */
static bool local_full_default(const struct fabstat_opts *o)
{
	static uint16_t pkeys[DIAG_PKEYS_MAX];
	struct diag_smp *smp = diag_smp_open(o->ca, o->port, o->timeout_ms);
	unsigned int n = 0, i;
	bool full = false;

	if (smp && !diag_smp_pkeys(smp, pkeys, DIAG_PKEYS_MAX, &n))
		for (i = 0; i < n; i++)
			full |= pkeys[i] == 0xffff;
	diag_smp_close(smp);
	return full;
}

static int load_from_sa(const struct fabstat_opts *o, struct fab *f)
{
	struct diag_sa *sa;
	int ret;

	f->partial = !local_full_default(o);
	if (f->partial)
		fprintf(stderr,
			"fabstat: warning: this port is not a full member of "
			"the default partition, so the SA shows only the "
			"ports that share a partition with it; run on the SM's "
			"node or use --snapshot for the whole fabric\n");

	sa = diag_sa_open(o->ca, o->port, o->sm_key, o->timeout_ms);
	if (!sa) {
		fprintf(stderr, "fabstat: cannot query the SA through %s: %s\n",
			o->ca ? o->ca : "the first local port",
			errno == ENETDOWN ? "the port has no SM yet" :
					    strerror(errno));
		return -errno;
	}
	ret = sa_walk(sa, f);
	diag_sa_close(sa);
	if (ret == -ETIMEDOUT)
		fprintf(stderr, "fabstat: the SA did not answer; is the SM "
				"running? (the SA drops queries with a wrong "
				"--sm-key without a word)\n");
	else if (ret)
		fprintf(stderr, "fabstat: SA query failed: %s%s\n",
			strerror(-ret),
			ret == -EACCES ? " (wrong --sm-key?)" : "");
	return ret;
}

/* ---- source 2: the SM plugin's snapshot ---- */

static int snap_port(json_t *jp, struct fab *f)
{
	struct fab_port *p = fab_add(f);
	const char *guid = NULL, *type = "ca", *desc = "", *hex;
	json_t *pkeys = NULL, *jk;
	int lid = 0;
	size_t i;
	uint64_t v;

	if (!p || json_unpack(jp, "{s:s, s?s, s?s, s?i, s?o}", "port_guid",
			      &guid, "node_type", &type, "node_desc", &desc,
			      "lid", &lid, "pkeys", &pkeys))
		return -EINVAL;
	if (util_parse_guid(guid, &p->guid))
		return -EINVAL;
	p->lid = (uint16_t)lid;
	p->type = !strcmp(type, "switch") ? "switch" :
		  !strcmp(type, "router") ? "router" :
					    "ca";
	util_strlcpy(p->desc, desc, sizeof(p->desc));
	json_array_foreach(pkeys, i, jk) {
		if (json_unpack(jk, "{s:s}", "pkey", &hex) ||
		    util_parse_u64(hex, 0xffff, &v) ||
		    port_add_pkey(p, (uint16_t)v))
			return -EINVAL;
	}
	return 0;
}

static int load_from_snapshot(const char *path, struct fab *f)
{
	json_error_t jerr;
	json_t *root, *ports, *jp;
	size_t i;
	int ret = 0;

	root = json_load_file(path, 0, &jerr);
	if (!root) {
		fprintf(stderr, "fabstat: %s:%d:%d: %s\n", path, jerr.line,
			jerr.column, jerr.text);
		return -EINVAL;
	}
	ports = json_object_get(root, "ports");
	if (!json_is_array(ports)) {
		fprintf(stderr,
			"fabstat: %s: no \"ports\" array; is it an "
			"SM plugin snapshot?\n",
			path);
		ret = -EINVAL;
	}
	json_array_foreach(ports, i, jp) {
		ret = snap_port(jp, f);
		if (ret) {
			fprintf(stderr, "fabstat: %s: bad port #%zu\n", path,
				i);
			break;
		}
	}
	json_decref(root);
	return ret;
}

/* ---- analysis and output ---- */

/* Membership bits of @p in partition @base: 1 full, 2 limited. */
static unsigned int port_memb(const struct fab_port *p, uint16_t base)
{
	return policy_pkey_memb_bits(p->pkeys, p->n_pkeys, base);
}

static const char *memb_name(unsigned int m)
{
	return m == 3 ? "both" : m == 1 ? "full" : "limited";
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The distinct partition bases on the fabric, sorted, into *@out. */
static size_t fab_bases(const struct fab *f, uint16_t **out)
{
	static bool seen[IB_PKEY_BASE_MASK + 1];
	uint16_t *v = NULL, base;
	size_t i, n = 0;
	unsigned int k;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < f->n; i++)
		for (k = 0; k < f->ports[i].n_pkeys; k++)
			seen[f->ports[i].pkeys[k] & IB_PKEY_BASE_MASK] = true;
	for (k = 1; k <= IB_PKEY_BASE_MASK; k++) {
		if (!seen[k])
			continue;
		base = (uint16_t)k;
		uint16_t *nv = realloc(v, (n + 1) * sizeof(*v));

		if (!nv)
			break;
		v = nv;
		v[n++] = base;
	}
	qsort(v, n, sizeof(*v), cmp_u16);
	*out = v;
	return n;
}

/* Does member @m of the policy put port @p in its partition? */
static bool member_matches(const struct policy_member *m,
			   const struct fab_port *p)
{
	switch (m->sel) {
	case POLICY_SEL_GUID:
		return m->guid == p->guid;
	case POLICY_SEL_NODE:
		return m->node && policy_node_match(m->node, p->desc);
	case POLICY_SEL_ALL_CAS:
		return !strcmp(p->type, "ca");
	case POLICY_SEL_ALL_SWITCHES:
		return !strcmp(p->type, "switch");
	case POLICY_SEL_ALL:
		return true;
	}
	return false;
}

/*
 * The policy member that gave port @p partition @part, as OpenSM applies
 * them (a port's own GUID line last, so it wins; then node selectors; then
 * broad ones), written like the policy: "guid", "node \"cn0*\"", "all_cas".
 * "-" when the policy does not name the port (or there is no policy).
 */
static const char *selector_of(const struct policy_partition *part,
			       const struct fab_port *p, char *buf, size_t len)
{
	static const enum policy_selector order[] = {
		POLICY_SEL_GUID, POLICY_SEL_NODE, POLICY_SEL_ALL_CAS,
		POLICY_SEL_ALL_SWITCHES, POLICY_SEL_ALL
	};
	const struct policy_member *m;
	size_t i, j;

	for (i = 0; part && i < sizeof(order) / sizeof(order[0]); i++)
		for (j = 0; j < part->n_members; j++) {
			m = &part->members[j];
			if (m->sel != order[i] || !member_matches(m, p))
				continue;
			if (m->sel == POLICY_SEL_NODE)
				snprintf(buf, len, "node \"%s\"", m->node);
			else
				snprintf(buf, len, "%s",
					 policy_selector_name(m->sel));
			return buf;
		}
	return "-";
}

static void print_member(const struct fab_port *p, unsigned int m,
			 const struct policy_partition *part, uint16_t base)
{
	char buf[24], sel[POLICY_NODE_PATTERN_MAX + 8];

	out_open_object(NULL);
	out_text("    ");
	out_uint(PRINT_ANY, "lid", "%-6u ", p->lid);
	out_string(PRINT_ANY, "port_guid", "%-19s ",
		   util_format_guid(p->guid, buf, sizeof(buf)));
	out_string(PRINT_ANY, "membership", "%-10s ", memb_name(m));
	out_string(PRINT_ANY, "node_type", "%-7s ", p->type);
	out_string(PRINT_ANY, "selector", "%-16s ",
		   base == IB_PKEY_BASE_MASK ?
			   "default" :
			   selector_of(part, p, sel, sizeof(sel)));
	out_string(PRINT_ANY, "node_desc", "%s", p->desc);
	out_nl();
	out_close_object();
}

static size_t count_members(const struct fab *f, uint16_t base)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		n += port_memb(&f->ports[i], base) != 0;
	return n;
}

static void print_partition(const struct fabstat_opts *o, const struct fab *f,
			    uint16_t base)
{
	const struct policy_partition *part =
		o->policy ? policy_find_partition_by_pkey(o->policy, base) :
			    NULL;
	char hex[8];
	size_t i;
	unsigned int m;

	snprintf(hex, sizeof(hex), "0x%04x", base);
	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "%-16s ",
		   fabstat_partition_name(o->policy, base));
	out_string(PRINT_ANY, "pkey", "pkey %s ", hex);
	out_uint(PRINT_ANY, "n_members", "members %zu", count_members(f, base));
	out_nl();
	out_text("    LID    Port GUID           Membership Type    "
		 "Selector         Node\n");
	out_open_array("members");
	for (i = 0; i < f->n; i++) {
		m = port_memb(&f->ports[i], base);
		if (m)
			print_member(&f->ports[i], m, part, base);
	}
	out_close_array();
	out_close_object();
}

static const struct fab_port *fab_find(const struct fab *f, uint64_t guid)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->ports[i].guid == guid)
			return &f->ports[i];
	return NULL;
}

/* Why @m of @part is not satisfied on the fabric, or NULL when it is. */
static const char *member_problem(const struct fab *f,
				  const struct policy_partition *part,
				  const struct policy_member *m)
{
	const struct fab_port *p = fab_find(f, m->guid);
	unsigned int have;

	if (!p)
		return f->partial ? "port not seen (partial view)" :
				    "port not on the fabric";
	have = port_memb(p, part->pkey);
	if (!have)
		return "port lacks the pkey";
	if (m->membership == POLICY_MEMB_FULL && !(have & 1))
		return "limited instead of full";
	if (m->membership == POLICY_MEMB_LIMITED && !(have & 2))
		return "full instead of limited";
	if (m->membership == POLICY_MEMB_BOTH && have != 3)
		return "not both full and limited";
	return NULL;
}

static void print_missing_one(const struct policy_partition *part,
			      const struct policy_member *m, const char *why)
{
	char buf[24];

	out_open_object(NULL);
	out_text("    ");
	out_string(PRINT_ANY, "partition", "%-16s ", part->name);
	snprintf(buf, sizeof(buf), "0x%04x", part->pkey);
	out_string(PRINT_ANY, "pkey", "%s ", buf);
	out_string(PRINT_ANY, "port_guid", "%s ",
		   util_format_guid(m->guid, buf, sizeof(buf)));
	out_string(PRINT_ANY, "membership", "%-8s ",
		   policy_membership_name(m->membership));
	out_string(PRINT_ANY, "problem", "%s", why);
	out_nl();
	out_close_object();
}

/* Policy members (named by GUID) the fabric lacks; returns how many. */
static size_t print_missing(const struct policy *pol, const struct fab *f)
{
	const struct policy_partition *part;
	const char *why;
	size_t i, j, n = 0;

	out_open_array("missing");
	for (i = 0; pol && i < pol->n_partitions; i++) {
		part = &pol->partitions[i];
		for (j = 0; j < part->n_members; j++) {
			if (part->members[j].sel != POLICY_SEL_GUID)
				continue;
			why = member_problem(f, part, &part->members[j]);
			if (!why)
				continue;
			if (!n++)
				out_text("\nMissing (the policy names them, "
					 "the fabric lacks them):\n");
			print_missing_one(part, &part->members[j], why);
		}
	}
	out_close_array();
	return n;
}

static int cmp_lid(const void *a, const void *b)
{
	const struct fab_port *x = a, *y = b;

	if (x->lid != y->lid)
		return (int)x->lid - (int)y->lid;
	return x->guid < y->guid ? -1 : x->guid > y->guid;
}

static int print_fabric(const struct fabstat_opts *o, struct fab *f)
{
	uint16_t *bases;
	size_t n, i, missing;

	/* The same order whatever the source: by LID. */
	qsort(f->ports, f->n, sizeof(*f->ports), cmp_lid);
	n = fab_bases(f, &bases);
	out_open_object(NULL);
	out_string(PRINT_JSON, "source", NULL, o->snapshot ? "snapshot" : "sa");
	out_bool(PRINT_JSON, "complete", NULL, !f->partial);
	out_uint(PRINT_ANY, "n_ports", "%zu ports, ", f->n);
	out_uint(PRINT_ANY, "n_partitions", "%zu partitions\n\n", n);
	out_open_array("partitions");
	for (i = 0; i < n; i++)
		print_partition(o, f, bases[i]);
	out_close_array();
	missing = print_missing(o->policy, f);
	out_close_object();
	free(bases);
	return missing ? DIAG_PROBLEM : DIAG_OK;
}

int fabstat_fabric(const void *ctx, int argc, char **argv)
{
	const struct fabstat_opts *o = ctx;
	struct fab f = { 0 };
	int ret, status = DIAG_UNCHECKED;

	if (o->snapshot)
		ret = load_from_snapshot(o->snapshot, &f);
	else
		ret = load_from_sa(o, &f);
	if (!ret)
		status = print_fabric(o, &f);
	fab_free(&f);
	return status;
}
