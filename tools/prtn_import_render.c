// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The policy text `fabricctl policy import` writes from what the partition
 * file said: the default partition, then one partition entry per PKey with
 * its selectors before its GUIDs (the order the plugin writes them back to
 * OpenSM in), each comment next to what it stood next to.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "tools/prtn_import_priv.h"

static unsigned int mtu_bytes(unsigned int code)
{
	return 128u << code;
}

/* Comment lines, each "INDENT# text". */
static void comments(FILE *f, const char *indent, const char *block)
{
	const char *p = block, *nl;

	while (p && *p) {
		nl = strchrnul(p, '\n');
		fprintf(f, "%s#%s%.*s\n", indent, nl > p ? " " : "",
			(int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

/* One comment at the end of a line, several joined. */
static void end_comment(FILE *f, const char *block)
{
	const char *p;

	if (!block) {
		fputc('\n', f);
		return;
	}
	fputs("   # ", f);
	for (p = block; *p; p++)
		fputs(*p == '\n' ? "; " : (char[]){ *p, 0 }, f);
	fputc('\n', f);
}

/*
 * The default partition (0x7fff), as policy.default_partition holds it:
 * every port (switches included) one membership, the SM's port full, an
 * IPoIB group with OpenSM's defaults but for its MTU, or none. OpenSM
 * without a Default line: every port limited, the SM full, no group.
 */
void pi_check_default(struct pi_file *pf)
{
	const struct pi_part *d = &pf->parts[0];
	unsigned int line = pf->have_default_line ? d->line : 1;

	if (d->dflt_ca != d->dflt_sw || d->dflt_sm != POLICY_MEMB_FULL)
		pi_error(pf, line, 0,
			 "the default partition (0x7fff) makes CA ports %s, "
			 "switches %s and the SM's port %s members; the "
			 "policy's default_partition gives every port one "
			 "membership and the SM's port full",
			 policy_membership_name(d->dflt_ca),
			 policy_membership_name(d->dflt_sw),
			 policy_membership_name(d->dflt_sm));
	if (d->sl)
		pi_error(pf, line, 0,
			 "the default partition (0x7fff) has sl=%u; the "
			 "policy's default_partition has no sl",
			 d->sl);
}

static void render_default(FILE *f, const struct pi_file *pf)
{
	const struct pi_part *d = &pf->parts[0];

	comments(f, "", d->before);
	if (pf->have_default_line)
		fprintf(f, "# line %u of %s\n", d->line, pf->path);
	else
		fprintf(f,
			"# %s has no Default line: OpenSM then makes every "
			"port a limited\n# member and creates no IPoIB "
			"group for it\n",
			pf->path);
	fputs("default_partition:", f);
	end_comment(f, d->after);
	fprintf(f, "  membership: %s\n", policy_membership_name(d->dflt_ca));
	fprintf(f, "  ipoib: %s\n", d->ipoib ? "true" : "false");
	if (d->ipoib)
		fprintf(f, "  mtu: %u\n", mtu_bytes(d->mtu));
}

static void render_member(FILE *f, const struct pi_member *m)
{
	char g[24];

	comments(f, "      ", m->before);
	if (m->sel == POLICY_SEL_GUID)
		fprintf(f, "      - { guid: %s, membership: %s }",
			util_format_guid(m->guid, g, sizeof(g)),
			policy_membership_name(m->memb));
	else
		fprintf(f, "      - { %s: true, membership: %s }",
			policy_selector_name(m->sel),
			policy_membership_name(m->memb));
	end_comment(f, m->after);
}

/* A name the policy takes: its characters, unique among the partitions. */
static void policy_name(const struct pi_file *pf, size_t i, char *out,
			size_t len)
{
	const struct pi_part *p = &pf->parts[i];
	char *c;
	size_t j;

	snprintf(out, len, "%s", p->name);
	for (c = out; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("-_.", *c))
			*c = '_';
	for (j = 1; j < i; j++)
		if (!strcmp(pf->parts[j].name, p->name))
			break;
	if (j < i)
		snprintf(out + strlen(out), len - strlen(out), "-%04x",
			 p->pkey);
}

static void render_part(FILE *f, const struct pi_file *pf, size_t i)
{
	const struct pi_part *p = &pf->parts[i];
	char name[PI_NAME_MAX + 8];
	bool sel;
	size_t j;

	policy_name(pf, i, name, sizeof(name));
	fputc('\n', f);
	comments(f, "  ", p->before);
	if (strcmp(name, p->name))
		fprintf(f, "  # OpenSM's name: %s\n", p->name);
	fprintf(f, "  - name: %s", name);
	end_comment(f, p->after);
	fprintf(f, "    pkey: 0x%04x\n", p->pkey);
	fprintf(f, "    ipoib: %s\n", p->ipoib ? "true" : "false");
	if (p->ipoib || p->mtu != PI_MTU_DEFAULT)
		fprintf(f, "    mtu: %u\n", mtu_bytes(p->mtu));
	if (p->sl)
		fprintf(f, "    sl: %u\n", p->sl);
	fputs(p->n ? "    members:\n" : "    members: []\n", f);
	for (sel = true;; sel = false) {
		for (j = 0; j < p->n; j++)
			if ((p->m[j].sel != POLICY_SEL_GUID) == sel)
				render_member(f, &p->m[j]);
		if (!sel)
			break;
	}
}

static void render_pins(FILE *f, const struct pi_file *pf)
{
	char g[24];
	size_t i;

	fputs("fabric:\n  # from OpenSM's guid2lid table: every port keeps "
	      "its LID\n  lid_pins:\n",
	      f);
	for (i = 0; i < pf->n_pins; i++)
		fprintf(f, "    - { guid: %s, lid: 0x%04x }\n",
			util_format_guid(pf->pins[i].guid, g, sizeof(g)),
			pf->pins[i].lid);
	fputc('\n', f);
}

char *pi_render(const struct pi_file *pf)
{
	char *buf = NULL;
	size_t len, i;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f,
		"# Imported from %s by fabricctl policy import; see "
		"fabric.yaml(5).\n",
		pf->path);
	if (pf->head) {
		fputc('\n', f);
		comments(f, "", pf->head);
	}
	fputc('\n', f);
	render_default(f, pf);
	fputc('\n', f);
	if (pf->n_pins)
		render_pins(f, pf);
	fputs(pf->n_parts > 1 ? "partitions:\n" : "partitions: []\n", f);
	for (i = 1; i < pf->n_parts; i++)
		render_part(f, pf, i);
	if (pf->tail) {
		fputc('\n', f);
		comments(f, "", pf->tail);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
