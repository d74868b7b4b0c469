// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Did OpenSM take the partition file the plugin wrote? OpenSM parses it in
 * the PKey manager right after HEAVY_SWEEP_DONE; when its parser fails it
 * logs "PARSE ERROR" and falls back to its defaults (every port a full
 * member of 0x7fff only): every partition is gone, fabric-wide. So after
 * each sweep that parsed a file of ours (at SUBNET_UP) the plugin checks
 * both what OpenSM logged since the write and what it holds in its
 * partition table (subn->prtn_pkey_tbl) for the PKeys it asked for; if
 * OpenSM did not take the file, the last good file goes back, a heavy
 * sweep is forced, and osm.log says why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm-plugin/osm.h"

#include "lib/policy.h"
#include "lib/util.h"
#include "sm-plugin/fabricsm.h"
#include "sm-plugin/smconf.h"

/* How much of osm.log one check reads at most (one sweep's worth). */
#define SMVERIFY_LOG_READ_MAX (8u << 20)

/* OpenSM's log file, or NULL when it logs to stdout/syslog. */
static const char *osm_log_path(const struct fabricsm *sm)
{
	const char *f = sm->osm->subn.opt.log_file;

	return f && *f == '/' ? f : NULL;
}

static long log_size(struct fabricsm *sm)
{
	const char *path = osm_log_path(sm);
	struct stat st;

	if (sm->osm->log.out_port)
		fflush(sm->osm->log.out_port);
	if (!path || stat(path, &st))
		return -1;
	return (long)st.st_size;
}

void smverify_mark(struct fabricsm *sm)
{
	sm->log_mark = log_size(sm);
}

/* Keeps the first line of OpenSM's partition parser errors in @cause. */
static void scan_line(const char *line, char *cause, size_t len, bool *failed)
{
	const char *p = strstr(line, "PARSE ERROR");

	if (strstr(line, "Partition configuration in error"))
		*failed = true;
	if (!p || cause[0] ||
	    (!strstr(line, "parse_part_conf") &&
	     !strstr(line, "mgroup_create") && !strstr(line, "prtn_config")))
		return;
	*failed = true;
	snprintf(cause, len, "OpenSM logged \"%.*s\"", (int)strcspn(p, "\n"),
		 p);
}

/* What OpenSM logged about the partition file since smverify_mark(). */
static bool log_says_failed(struct fabricsm *sm, char *cause, size_t len)
{
	long end = log_size(sm), from = sm->log_mark;
	bool failed = false;
	char line[1024];
	long read = 0;
	FILE *f;

	if (end < 0 || from < 0)
		return false;
	f = fopen(osm_log_path(sm), "r");
	if (!f)
		return false;
	if (from > end) /* rotated */
		from = 0;
	if (!fseek(f, from, SEEK_SET))
		while (read < SMVERIFY_LOG_READ_MAX &&
		       fgets(line, sizeof(line), f)) {
			read += (long)strlen(line);
			scan_line(line, cause, len, &failed);
		}
	fclose(f);
	return failed;
}

static osm_prtn_t *prtn_of(struct fabricsm *sm, uint16_t pkey)
{
	cl_qmap_t *tbl = &sm->osm->subn.prtn_pkey_tbl;
	cl_map_item_t *it = cl_qmap_get(tbl, cl_hton16(pkey));

	return it == cl_qmap_end(tbl) ? NULL : (osm_prtn_t *)it;
}

/* Is port @guid, present on the fabric, in OpenSM's partition @pkey? */
static bool holds_port(struct fabricsm *sm, uint16_t pkey, uint64_t guid)
{
	ib_net64_t g = cl_hton64(guid);
	osm_prtn_t *p;

	if (!osm_get_port_by_guid(&sm->osm->subn, g))
		return true; /* not on the fabric: nothing to hold */
	p = prtn_of(sm, pkey);
	return p && (cl_map_get(&p->full_guid_tbl, g) ||
		     cl_map_get(&p->part_guid_tbl, g));
}

/* Is a member of @part missing from OpenSM's table? @guid: which port (0:
 * the whole partition is missing). */
static bool part_missing(struct fabricsm *sm,
			 const struct policy_partition *part,
			 const struct smconf_opts *o, uint64_t *guid)
{
	const struct policy_member *m;
	size_t i, k;

	for (i = 0; i < part->n_members; i++) {
		m = &part->members[i];
		*guid = 0;
		if ((m->sel == POLICY_SEL_ALL ||
		     m->sel == POLICY_SEL_ALL_CAS) &&
		    !prtn_of(sm, part->pkey))
			return true;
		*guid = m->guid;
		if (m->sel == POLICY_SEL_GUID &&
		    !holds_port(sm, part->pkey, m->guid))
			return true;
		if (m->sel != POLICY_SEL_NODE)
			continue;
		for (k = smconf_node_next(o, m, 0); k < o->n_ports;
		     k = smconf_node_next(o, m, k + 1)) {
			*guid = o->ports[k].guid;
			if (!holds_port(sm, part->pkey, *guid))
				return true;
		}
	}
	return false;
}

/* OpenSM's partition table against the policy the file was written for. */
static bool tables_differ(struct fabricsm *sm, const struct smconf_opts *o,
			  char *cause, size_t len)
{
	const struct policy *pol = sm->pol;
	bool what = false;
	osm_prtn_t *dflt;
	uint64_t guid = 0;
	size_t i;

	CL_PLOCK_ACQUIRE(&sm->osm->lock);
	dflt = prtn_of(sm, 0x7fff);
	if (pol->dflt.membership == POLICY_MEMB_LIMITED && dflt &&
	    cl_map_count(&dflt->full_guid_tbl) > 1)
		snprintf(cause, len,
			 "OpenSM made %zu ports full members of "
			 "the default partition, which the file makes limited",
			 (size_t)cl_map_count(&dflt->full_guid_tbl));
	for (i = 0; !cause[0] && i < pol->n_partitions; i++) {
		what = part_missing(sm, &pol->partitions[i], o, &guid);
		if (what && guid)
			snprintf(cause, len,
				 "OpenSM does not hold port "
				 "0x%016llx in partition %s (0x%04x)",
				 (unsigned long long)guid,
				 pol->partitions[i].name,
				 pol->partitions[i].pkey);
		else if (what)
			snprintf(cause, len,
				 "OpenSM holds no partition %s "
				 "(0x%04x)",
				 pol->partitions[i].name,
				 pol->partitions[i].pkey);
	}
	CL_PLOCK_RELEASE(&sm->osm->lock);
	return cause[0] != '\0';
}

int smverify_check(struct fabricsm *sm, const struct smconf_opts *o,
		   char *cause, size_t len)
{
	bool failed;

	cause[0] = '\0';
	failed = log_says_failed(sm, cause, len);
	if (!failed && sm->conf_state == SMCONF_STATE_POLICY && sm->pol)
		failed = tables_differ(sm, o, cause, len);
	if (failed && !cause[0])
		snprintf(cause, len,
			 "OpenSM logged \"Partition configuration "
			 "in error\"");
	return failed ? -EPROTO : 0;
}
