// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * partitions.conf from the policy. Syntax: OpenSM's doc/partition-config.txt
 *   Name=PKEY[,ipoib[,mtu=N,sl=N]] : MEMBER=full|limited|both, ... ;
 */
#include "sm-plugin/smconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ib.h"
#include "lib/policy.h"
#include "lib/util.h"

/* The default partition, kept on every port: limited for all, so tenants
 * cannot reach each other through it, full for the SM so that every port
 * can still reach the SA. */
#define SMCONF_DEFAULT_LINE "Default=0x7fff, ipoib : ALL=limited, SELF=full ;\n"

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

/* OpenSM's parser stops names at its delimiters; keep names readable but
 * never let one break the line. */
static void put_name(FILE *f, const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		fputc(strchr("=,:;# \t\n\"", *p) ? '_' : *p, f);
}

static void put_members(FILE *f, const struct policy_partition *part,
			bool guids, bool *first)
{
	const struct policy_member *m;
	size_t i;

	for (i = 0; i < part->n_members; i++) {
		m = &part->members[i];
		if ((m->sel == POLICY_SEL_GUID) != guids)
			continue;
		fputs(*first ? " " : ", ", f);
		*first = false;
		if (guids)
			fprintf(f, "0x%016llx", (unsigned long long)m->guid);
		else
			fputs(selector_keyword(m->sel), f);
		fprintf(f, "=%s", membership_keyword(m->membership));
	}
}

static void put_partition(FILE *f, const struct policy_partition *part)
{
	bool first = true;

	put_name(f, part->name);
	fprintf(f, "=0x%04x", part->pkey);
	if (part->ipoib)
		fprintf(f, ", ipoib, mtu=%u, sl=%u", ib_mtu_code(part->mtu),
			part->sl);
	fputs(" :", f);
	put_members(f, part, false, &first);
	put_members(f, part, true, &first);
	fputs(" ;\n", f);
}

char *smconf_render(const struct policy *pol, size_t *len)
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
	fputs(SMCONF_DEFAULT_LINE, f);
	for (i = 0; i < pol->n_partitions; i++)
		put_partition(f, &pol->partitions[i]);
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
