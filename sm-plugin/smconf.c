// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * partitions.conf from the policy. Syntax: OpenSM's doc/partition-config.txt
 *   Name=PKEY[,ipoib[,mtu=N,sl=N]] : MEMBER=full|limited|both, ... ;
 * A definition runs until its ';' and may span lines: long member lists are
 * wrapped after a ',' (OpenSM reads each line into a fixed buffer).
 */
#include "sm-plugin/smconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ib.h"
#include "lib/policy.h"
#include "lib/util.h"

/* One definition being written: where its current line stands. */
struct defn {
	FILE *f;
	size_t col; /* bytes on the current line so far */
	size_t max; /* longest line, newline included; 0: no wrapping */
	bool first; /* no member written yet */
};

static const char *selector_keyword(enum policy_selector sel)
{
	switch (sel) {
	case POLICY_SEL_ALL:
		return "ALL";
	case POLICY_SEL_ALL_CAS:
		return "ALL_CAS";
	case POLICY_SEL_ALL_SWITCHES:
		return "ALL_SWITCHES";
	case POLICY_SEL_GUID:
	case POLICY_SEL_NODE:
		break;
	}
	return NULL;
}

static const char *membership_keyword(enum policy_membership m)
{
	switch (m) {
	case POLICY_MEMB_FULL:
		return "full";
	case POLICY_MEMB_BOTH:
		return "both";
	case POLICY_MEMB_LIMITED:
		break;
	}
	return "limited";
}

static void defn_start(struct defn *d, FILE *f, size_t max, const char *head)
{
	d->f = f;
	d->max = max;
	d->first = true;
	d->col = strlen(head);
	fputs(head, f);
}

/* One member: on this line if it and the closing " ;" fit, else on the
 * next, after the ',' that lets OpenSM carry the definition on. */
static void defn_member(struct defn *d, const char *sel,
			enum policy_membership m)
{
	char tok[64];
	size_t n;

	n = (size_t)snprintf(tok, sizeof(tok), "%s=%s", sel,
			     membership_keyword(m));
	if (d->max && !d->first && d->col + 2 + n + 3 > d->max) {
		fputs(",\n\t", d->f);
		d->col = 1;
	} else {
		fputs(d->first ? " " : ", ", d->f);
		d->col += d->first ? 1 : 2;
	}
	fputs(tok, d->f);
	d->col += n;
	d->first = false;
}

static void defn_end(struct defn *d)
{
	fputs(" ;\n", d->f);
}

static void defn_guid(struct defn *d, uint64_t guid, enum policy_membership m)
{
	char g[24];

	snprintf(g, sizeof(g), "0x%016llx", (unsigned long long)guid);
	defn_member(d, g, m);
}

size_t smconf_node_next(const struct smconf_opts *o,
			const struct policy_member *m, size_t from)
{
	for (; from < o->n_ports; from++)
		if (m->node && o->ports[from].desc &&
		    policy_node_match(m->node, o->ports[from].desc))
			return from;
	return o->n_ports;
}

/* Members with selector class @sel (node selectors resolved to GUIDs). */
static void put_members(struct defn *d, const struct policy_partition *part,
			const struct smconf_opts *o, enum policy_selector sel)
{
	const struct policy_member *m;
	size_t i, k;

	for (i = 0; i < part->n_members; i++) {
		m = &part->members[i];
		if (sel == POLICY_SEL_GUID && m->sel == POLICY_SEL_GUID)
			defn_guid(d, m->guid, m->membership);
		else if (sel == POLICY_SEL_NODE && m->sel == POLICY_SEL_NODE)
			for (k = smconf_node_next(o, m, 0); k < o->n_ports;
			     k = smconf_node_next(o, m, k + 1))
				defn_guid(d, o->ports[k].guid, m->membership);
		else if (sel == POLICY_SEL_ALL && selector_keyword(m->sel))
			defn_member(d, selector_keyword(m->sel), m->membership);
	}
}

/* OpenSM's parser stops names at its delimiters. The loader allows none of
 * them in a name; should one get through, it still cannot break the line. */
static void put_name(char *buf, size_t len, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = strchr("=,:;# \t\n\"", name[i]) ? '_' : name[i];
	buf[i] = '\0';
}

static void put_partition(FILE *f, const struct policy_partition *part,
			  const struct smconf_opts *o)
{
	char head[160];
	struct defn d;
	size_t n;

	put_name(head, 64, part->name);
	n = strlen(head);
	n += (size_t)snprintf(head + n, sizeof(head) - n, "=0x%04x",
			      part->pkey);
	if (part->ipoib)
		n += (size_t)snprintf(head + n, sizeof(head) - n,
				      ", ipoib, mtu=%u, sl=%u",
				      ib_mtu_code(part->mtu), part->sl);
	snprintf(head + n, sizeof(head) - n, " :");
	defn_start(&d, f, o->line_max, head);
	put_members(&d, part, o, POLICY_SEL_ALL);
	put_members(&d, part, o, POLICY_SEL_NODE);
	put_members(&d, part, o, POLICY_SEL_GUID);
	defn_end(&d);
}

/* The default partition: every port in the policy's membership (full when
 * the policy does not say, as stock OpenSM without a partition file), the
 * SM's own port always full so that every port reaches the SA. */
static void put_default(FILE *f, const struct policy_default *dflt)
{
	fputs("Default=0x7fff", f);
	if (dflt->ipoib)
		fputs(", ipoib", f);
	if (dflt->ipoib && dflt->mtu)
		fprintf(f, ", mtu=%u", ib_mtu_code(dflt->mtu));
	fprintf(f, " : ALL=%s, SELF=full ;\n",
		dflt->membership == POLICY_MEMB_LIMITED ? "limited" : "full");
}

char *smconf_render(const struct policy *pol, const struct smconf_opts *o,
		    size_t *len)
{
	char *buf = NULL;
	size_t i;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fprintf(f, "%s from %s; do not edit.\n", SMCONF_MARKER,
		pol->file ? pol->file : "(memory)");
	fputs("# The plugin rewrites this file whenever the policy changes.\n",
	      f);
	put_default(f, &pol->dflt);
	for (i = 0; i < pol->n_partitions; i++)
		put_partition(f, &pol->partitions[i], o);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

bool smconf_is_ours(const char *path)
{
	char line[64] = "";
	bool ours;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT;
	ours = fgets(line, sizeof(line), f) &&
	       !strncmp(line, SMCONF_MARKER, strlen(SMCONF_MARKER));
	fclose(f);
	return ours;
}

int smconf_write(const char *path, const char *text, size_t len)
{
	size_t old_len;
	char *old;
	int same, ret;

	if (!util_read_file(path, &old, &old_len)) {
		same = old_len == len && !memcmp(old, text, len);
		free(old);
		if (same)
			return 0;
	}
	ret = util_write_file_atomic(path, text, len, 0644);
	return ret < 0 ? ret : 1;
}
