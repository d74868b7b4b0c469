// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * After each SUBNET_UP: check that every port holds the partitions the
 * policy gives it, and export the fabric's state as JSON (schema in
 * docs/sm-plugin.md) for fabstat and fabricctl. Both read the PKey tables as
 * OpenSM holds them once the sweep's Set(PKeyTable) MADs were answered,
 * i.e. what the ports themselves hold.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sm-plugin/osm.h"

#include "lib/log.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "sm-plugin/fabricsm.h"
#include "sm-plugin/smsnap.h"
#include "sm-plugin/smwriter.h"

LOG_MODULE(smstate);

/* Ports named one by one in the log before the rest are only counted. */
#define SMSTATE_FIT_LOG_MAX 20

void smstate_node_desc(const struct osm_node *node, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && i < IB_NODE_DESCRIPTION_SIZE; i++) {
		char ch = (char)node->node_desc.description[i];

		if (!ch)
			break;
		/* JSON strings must be UTF-8; descriptions are free bytes. */
		buf[i] = (ch >= 0x20 && ch < 0x7f) ? ch : '?';
	}
	buf[i] = '\0';
}

static const char *node_type(const osm_node_t *node)
{
	switch (osm_node_get_type(node)) {
	case IB_NODE_TYPE_CA:
		return "ca";
	case IB_NODE_TYPE_SWITCH:
		return "switch";
	case IB_NODE_TYPE_ROUTER:
		return "router";
	default:
		return "unknown";
	}
}

static bool member_matches(const struct policy_member *m, const osm_port_t *p)
{
	uint8_t type = osm_node_get_type(p->p_node);
	char desc[IB_NODE_DESCRIPTION_SIZE + 1];

	switch (m->sel) {
	case POLICY_SEL_GUID:
		return m->guid == cl_ntoh64(p->guid);
	case POLICY_SEL_ALL_CAS:
		return type == IB_NODE_TYPE_CA;
	case POLICY_SEL_ALL_SWITCHES:
		return type == IB_NODE_TYPE_SWITCH;
	case POLICY_SEL_ALL:
		return true;
	case POLICY_SEL_NODE:
		smstate_node_desc(p->p_node, desc, sizeof(desc));
		return m->node && policy_node_match(m->node, desc);
	}
	return false;
}

static bool port_in_partition(const struct policy_partition *part,
			      const osm_port_t *port)
{
	size_t i;

	for (i = 0; i < part->n_members; i++)
		if (member_matches(&part->members[i], port))
			return true;
	return false;
}

/* Calls @fn for every valid entry of the port's PKey table. */
static void foreach_pkey(const osm_port_t *port,
			 void (*fn)(void *ctx, uint16_t pkey), void *ctx)
{
	const osm_pkey_tbl_t *tbl = osm_physp_get_pkey_tbl(port->p_physp);
	const ib_pkey_table_t *block;
	uint16_t b, n_blocks = osm_pkey_tbl_get_num_blocks(tbl);
	uint16_t pkey;
	int i;

	for (b = 0; b < n_blocks; b++) {
		block = osm_pkey_tbl_block_get(tbl, b);
		if (!block)
			continue;
		for (i = 0; i < IB_NUM_PKEY_ELEMENTS_IN_BLOCK; i++) {
			pkey = cl_ntoh16(block->pkey_entry[i]);
			if (pkey & cl_ntoh16(IB_PKEY_BASE_MASK))
				fn(ctx, pkey);
		}
	}
}

struct has_ctx {
	uint16_t base;
	bool found;
};

static void has_cb(void *ctx, uint16_t pkey)
{
	struct has_ctx *h = ctx;

	if ((pkey & cl_ntoh16(IB_PKEY_BASE_MASK)) == h->base)
		h->found = true;
}

static bool port_has_pkey(const osm_port_t *port, uint16_t base)
{
	struct has_ctx h = { .base = base };

	foreach_pkey(port, has_cb, &h);
	return h.found;
}

/*
 * Which partitions a port belongs to, found without scanning every member
 * of every partition for every port (200 partitions x 1000 ports would
 * cost OpenSM's thread milliseconds per sweep): GUID members sorted by
 * GUID, plus the partitions that have a broad selector.
 */
struct fit_index {
	struct fit_guid {
		uint64_t guid;
		uint32_t part;
	} * guids;
	size_t n_guids;
	uint32_t *broad; /* partitions with an all / all_cas / all_switches */
	size_t n_broad;
	uint32_t *seen; /* per partition: stamp of the last port that saw it */
	uint32_t stamp;
};

static int fit_guid_cmp(const void *a, const void *b)
{
	const struct fit_guid *x = a, *y = b;

	if (x->guid != y->guid)
		return x->guid < y->guid ? -1 : 1;
	return (x->part > y->part) - (x->part < y->part);
}

static void fit_index_add(struct fit_index *idx,
			  const struct policy_partition *part, uint32_t i)
{
	bool broad = false;
	size_t j;

	for (j = 0; j < part->n_members; j++) {
		if (part->members[j].sel != POLICY_SEL_GUID) {
			broad = true;
			continue;
		}
		idx->guids[idx->n_guids].guid = part->members[j].guid;
		idx->guids[idx->n_guids++].part = i;
	}
	if (broad)
		idx->broad[idx->n_broad++] = i;
}

static void fit_index_free(struct fit_index *idx)
{
	free(idx->guids);
	free(idx->broad);
	free(idx->seen);
}

static int fit_index_build(struct fit_index *idx, const struct policy *pol)
{
	size_t i, n = 0;

	memset(idx, 0, sizeof(*idx));
	for (i = 0; i < pol->n_partitions; i++)
		n += pol->partitions[i].n_members;
	idx->guids = calloc(n + 1, sizeof(*idx->guids));
	idx->broad = calloc(pol->n_partitions + 1, sizeof(*idx->broad));
	idx->seen = calloc(pol->n_partitions + 1, sizeof(*idx->seen));
	if (!idx->guids || !idx->broad || !idx->seen) {
		fit_index_free(idx);
		return -ENOMEM;
	}
	for (i = 0; i < pol->n_partitions; i++)
		fit_index_add(idx, &pol->partitions[i], (uint32_t)i);
	qsort(idx->guids, idx->n_guids, sizeof(*idx->guids), fit_guid_cmp);
	return 0;
}

/* Partition names, "a (0x0001), b (0x0002)", counted past the buffer. */
struct mlist {
	char buf[768];
	size_t used, n;
};

struct missing {
	struct fabricsm *sm;
	struct mlist nofit; /* OpenSM holds the port in it: the table is full */
	struct mlist notheld; /* OpenSM does not hold the port in it at all */
};

static void mlist_add(struct mlist *l, const struct policy_partition *part)
{
	if (l->used < sizeof(l->buf))
		l->used += snprintf(l->buf + l->used, sizeof(l->buf) - l->used,
				    "%s%s (0x%04x)", l->n ? ", " : "",
				    part->name, part->pkey);
	l->n++;
}

/* Does OpenSM's partition table hold @port in partition @pkey? */
static bool osm_holds(struct fabricsm *sm, uint16_t pkey,
		      const osm_port_t *port)
{
	cl_qmap_t *tbl = &sm->osm->subn.prtn_pkey_tbl;
	cl_map_item_t *it = cl_qmap_get(tbl, cl_hton16(pkey));
	osm_prtn_t *p = (osm_prtn_t *)it;

	return it != cl_qmap_end(tbl) &&
	       (cl_map_get(&p->full_guid_tbl, port->guid) ||
		cl_map_get(&p->part_guid_tbl, port->guid));
}

/* Notes partition @i as missing on @port unless the port holds its key. */
static void fit_consider(struct fit_index *idx, const struct policy *pol,
			 uint32_t i, const osm_port_t *port, struct missing *m)
{
	const struct policy_partition *part = &pol->partitions[i];

	if (idx->seen[i] == idx->stamp)
		return;
	idx->seen[i] = idx->stamp;
	if (port_has_pkey(port, part->pkey))
		return;
	mlist_add(osm_holds(m->sm, part->pkey, port) ? &m->nofit : &m->notheld,
		  part);
}

/* Finds the policy partitions @port should hold but does not. */
static size_t missing_partitions(struct fit_index *idx,
				 const struct policy *pol,
				 const osm_port_t *port, struct missing *m)
{
	struct fit_guid key = { .guid = cl_ntoh64(port->guid) };
	size_t lo = 0, hi = idx->n_guids, mid, i;

	m->nofit.used = m->nofit.n = m->notheld.used = m->notheld.n = 0;
	m->nofit.buf[0] = m->notheld.buf[0] = '\0';
	idx->stamp++;
	while (lo < hi) { /* first GUID member >= the port's GUID */
		mid = lo + (hi - lo) / 2;
		if (fit_guid_cmp(&idx->guids[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < idx->n_guids && idx->guids[i].guid == key.guid; i++)
		fit_consider(idx, pol, idx->guids[i].part, port, m);
	for (i = 0; i < idx->n_broad; i++)
		if (port_in_partition(&pol->partitions[idx->broad[i]], port))
			fit_consider(idx, pol, idx->broad[i], port, m);
	return m->nofit.n + m->notheld.n;
}

/* A port that lacks partitions, with the real cause: a PKey table too
 * small, or OpenSM not holding the port in the partition at all (its
 * partition file was refused, or is not the policy's). */
static void log_missing(const struct fabricsm *sm, const osm_port_t *port,
			const struct missing *m)
{
	char desc[IB_NODE_DESCRIPTION_SIZE + 1];
	unsigned int cap = cl_ntoh16(port->p_node->node_info.partition_cap);
	unsigned long long guid = cl_ntoh64(port->guid);

	smstate_node_desc(port->p_node, desc, sizeof(desc));
	if (m->nofit.n)
		VLOG_WARN(
			"port 0x%016llx (%s): %zu partition(s) did not fit in "
			"its PKey table of %u entries: %s; give the port "
			"fewer partitions or set fabric.pkey_table_size to "
			"%u",
			guid, desc, m->nofit.n, cap, m->nofit.buf, cap);
	if (m->notheld.n)
		VLOG_WARN("port 0x%016llx (%s): %zu partition(s) of the policy "
			  "are not applied: %s; OpenSM did not put the port in "
			  "them: %s",
			  guid, desc, m->notheld.n, m->notheld.buf,
			  sm->conf_cause[0] ? sm->conf_cause :
					      "see OpenSM's errors above");
}

unsigned int smstate_check_fit(struct fabricsm *sm)
{
	cl_qmap_t *tbl = &sm->osm->subn.port_guid_tbl;
	struct missing *m = calloc(1, sizeof(*m));
	struct fit_index idx;
	unsigned int bad = 0;
	osm_port_t *port;

	if (!m || fit_index_build(&idx, sm->pol) < 0) {
		free(m);
		return 0;
	}
	m->sm = sm;
	CL_PLOCK_ACQUIRE(&sm->osm->lock);
	for (port = (osm_port_t *)cl_qmap_head(tbl);
	     port != (osm_port_t *)cl_qmap_end(tbl);
	     port = (osm_port_t *)cl_qmap_next(&port->map_item)) {
		if (!missing_partitions(&idx, sm->pol, port, m))
			continue;
		if (++bad <= SMSTATE_FIT_LOG_MAX)
			log_missing(sm, port, m);
	}
	CL_PLOCK_RELEASE(&sm->osm->lock);
	fit_index_free(&idx);
	free(m);
	if (bad > SMSTATE_FIT_LOG_MAX)
		VLOG_WARN("%u ports in all lack partitions of the policy", bad);
	return bad;
}

static void snap_pkey_cb(void *ctx, uint16_t pkey)
{
	struct smsnap *s = ctx;

	/* Out of memory: the port is shown with fewer keys, not lost. */
	smsnap_add_pkey(s, pkey);
}

static int snap_port(struct smsnap *s, const osm_port_t *port)
{
	const osm_node_t *node = port->p_node;
	struct smsnap_port *p = smsnap_add_port(s);

	if (!p)
		return -ENOMEM;
	p->node_guid = cl_ntoh64(osm_node_get_node_guid(node));
	p->port_guid = cl_ntoh64(port->guid);
	p->port_num = osm_physp_get_port_num(port->p_physp);
	p->type = node_type(node);
	p->lid = cl_ntoh16(osm_port_get_base_lid(port));
	p->pkey_cap = cl_ntoh16(node->node_info.partition_cap);
	smstate_node_desc(node, p->desc, sizeof(p->desc));
	foreach_pkey(port, snap_pkey_cb, s);
	return 0;
}

static int snap_ports(struct smsnap *s, const struct fabricsm *sm)
{
	const cl_qmap_t *tbl = &sm->osm->subn.port_guid_tbl;
	const osm_port_t *port;
	int ret = 0;

	for (port = (const osm_port_t *)cl_qmap_head(tbl);
	     !ret && port != (const osm_port_t *)cl_qmap_end(tbl);
	     port = (const osm_port_t *)cl_qmap_next(&port->map_item))
		ret = snap_port(s, port);
	return ret;
}

static int snap_policy(struct smsnap *s, const struct fabricsm *sm)
{
	const struct policy *pol = sm->pol;
	size_t i;

	s->policy_file = strdup(sm->opts.policy);
	s->in_force = pol != NULL;
	s->loaded_at = sm->loaded_at;
	s->refused = sm->refused;
	if (!s->policy_file)
		return -ENOMEM;
	if (!pol)
		return 0;
	s->fabric = pol->fabric_name ? strdup(pol->fabric_name) : NULL;
	s->parts = calloc(pol->n_partitions + 1, sizeof(*s->parts));
	if (!s->parts)
		return -ENOMEM;
	for (i = 0; i < pol->n_partitions; i++, s->n_parts++) {
		s->parts[i].name = strdup(pol->partitions[i].name);
		if (!s->parts[i].name)
			return -ENOMEM;
		s->parts[i].pkey = pol->partitions[i].pkey;
		s->parts[i].ipoib = pol->partitions[i].ipoib;
		s->parts[i].mtu = pol->partitions[i].mtu;
	}
	return 0;
}

/* Copies what the snapshot shows; the writer thread does the rest. */
static struct smsnap *snap_capture(const struct fabricsm *sm)
{
	struct smsnap *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return NULL;
	s->time = (int64_t)time(NULL);
	s->sweep = sm->sweeps;
	s->sm_guid = cl_ntoh64(sm->osm->subn.sm_port_guid);
	ret = snap_policy(s, sm);
	if (!ret) {
		CL_PLOCK_ACQUIRE(&sm->osm->lock);
		ret = snap_ports(s, sm);
		CL_PLOCK_RELEASE(&sm->osm->lock);
	}
	if (ret) {
		smsnap_free(s);
		return NULL;
	}
	return s;
}

int smstate_write(struct fabricsm *sm)
{
	struct smsnap *s = snap_capture(sm);

	if (!s)
		return -ENOMEM;
	smwriter_submit(sm->writer, s);
	return 0;
}
