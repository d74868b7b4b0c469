// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Pinned LIDs (fabric.lid_pins).
 *
 * OpenSM's LID manager gives a port the LID its guid2lid table holds for
 * the port's GUID, and never hands out a LID marked in used_lids[] to a port
 * without an entry. So a pin is an entry in that table plus the used mark,
 * made after discovery and before the LID manager runs (HEAVY_SWEEP_DONE);
 * another port that holds the LID, in the table or on the wire, loses its
 * entry and is given a new LID by OpenSM in the same sweep. Because the
 * table is edited in memory on every heavy sweep, pins hold on first
 * bring-up, after a restart, and with an empty or foreign cache directory;
 * OpenSM then saves them to its guid2lid file like any other entry.
 */
#include <errno.h>
#include <stdlib.h>

#include "sm-plugin/osm.h"

#include "lib/log.h"
#include "lib/policy.h"
#include "sm-plugin/fabricsm.h"

LOG_MODULE(smpins);

struct pin_ctx {
	osm_opensm_t *osm;
	const struct policy *pol;
	osm_db_domain_t *g2l;
	uint8_t *used; /* OpenSM's used_lids[] */
	unsigned int n_lids; /* LIDs per end port: 2^LMC */
};

static const struct policy_lid_pin *pin_of_lid(const struct pin_ctx *c,
					       uint16_t lo, uint16_t hi)
{
	const struct policy_lid_pin *pin;
	size_t i;

	for (i = 0; i < c->pol->n_lid_pins; i++) {
		pin = &c->pol->lid_pins[i];
		if (pin->lid >= lo && pin->lid <= hi)
			return pin;
	}
	return NULL;
}

static bool guid_is_pinned(const struct pin_ctx *c, uint64_t guid)
{
	size_t i;

	for (i = 0; i < c->pol->n_lid_pins; i++)
		if (c->pol->lid_pins[i].guid == guid)
			return true;
	return false;
}

static const char *port_desc(osm_opensm_t *osm, uint64_t guid, char *buf,
			     size_t len)
{
	osm_port_t *port = osm_get_port_by_guid(&osm->subn, cl_hton64(guid));

	if (!port || !port->p_node)
		return "not in the fabric";
	smstate_node_desc(port->p_node, buf, len);
	return buf;
}

/* Give up the used marks of [lo, hi] that no pin needs. */
static void release_lids(struct pin_ctx *c, uint16_t lo, uint16_t hi)
{
	uint32_t lid;

	for (lid = lo; lid <= hi && lid <= IB_LID_UCAST_END_HO; lid++)
		if (!pin_of_lid(c, lid, lid))
			c->used[lid] = 0;
}

/* Drop guid2lid entries of unpinned ports that sit on a pinned LID. */
static int evict_table_holders(struct pin_ctx *c)
{
	const struct policy_lid_pin *pin;
	osm_db_guid_elem_t *item;
	uint16_t lo, hi;
	cl_qlist_t guids;
	char desc[IB_NODE_DESCRIPTION_SIZE + 1];
	int n = 0;

	cl_qlist_init(&guids);
	if (osm_db_guid2lid_guids(c->g2l, &guids))
		return -ENOMEM;
	while ((item = (osm_db_guid_elem_t *)cl_qlist_remove_head(&guids)) !=
	       (osm_db_guid_elem_t *)cl_qlist_end(&guids)) {
		if (!guid_is_pinned(c, item->guid) &&
		    !osm_db_guid2lid_get(c->g2l, item->guid, &lo, &hi) &&
		    (pin = pin_of_lid(c, lo, hi))) {
			VLOG_WARN(
				"LID %u is pinned to port 0x%016llx: port 0x%016llx (%s) held it and gets a new LID",
				pin->lid, (unsigned long long)pin->guid,
				(unsigned long long)item->guid,
				port_desc(c->osm, item->guid, desc,
					  sizeof(desc)));
			osm_db_guid2lid_delete(c->g2l, item->guid);
			release_lids(c, lo, hi);
			n++;
		}
		free(item);
	}
	return n;
}

/* Ports carrying a pinned LID on the wire without a table entry lose it
 * through the used mark alone; say so, since their LID will change. */
static int log_wire_holders(struct pin_ctx *c)
{
	cl_qmap_t *tbl = &c->osm->subn.port_guid_tbl;
	const struct policy_lid_pin *pin;
	uint16_t lo, hi, lid;
	osm_port_t *port;
	uint64_t guid;
	char desc[IB_NODE_DESCRIPTION_SIZE + 1];
	int n = 0;

	for (port = (osm_port_t *)cl_qmap_head(tbl);
	     port != (osm_port_t *)cl_qmap_end(tbl);
	     port = (osm_port_t *)cl_qmap_next(&port->map_item)) {
		guid = cl_ntoh64(port->guid);
		lid = cl_ntoh16(osm_port_get_base_lid(port));
		if (!lid || guid_is_pinned(c, guid) ||
		    !osm_db_guid2lid_get(c->g2l, guid, &lo, &hi))
			continue;
		pin = pin_of_lid(c, lid, lid);
		if (!pin)
			continue;
		VLOG_WARN(
			"LID %u is pinned to port 0x%016llx: port 0x%016llx (%s) carries it and gets a new LID",
			lid, (unsigned long long)pin->guid,
			(unsigned long long)guid,
			port_desc(c->osm, guid, desc, sizeof(desc)));
		n++;
	}
	return n;
}

static unsigned int lids_of(const struct pin_ctx *c, uint64_t guid)
{
	osm_port_t *port;

	port = osm_get_port_by_guid(&c->osm->subn, cl_hton64(guid));
	/* A switch's port 0 takes one LID unless lmc_esp0 says otherwise. */
	if (port && port->p_node && port->p_node->sw &&
	    !c->osm->subn.opt.lmc_esp0)
		return 1;
	return c->n_lids;
}

static void set_pin(struct pin_ctx *c, const struct policy_lid_pin *pin)
{
	unsigned int n = lids_of(c, pin->guid);
	uint16_t lo, hi, last = (uint16_t)(pin->lid + n - 1);
	uint32_t lid;

	if ((pin->lid & (n - 1)) || last > IB_LID_UCAST_END_HO) {
		VLOG_ERR(
			"%s:%u:%u: LID pin %u for 0x%016llx does not fit LMC %u (needs a multiple of %u); not pinned",
			c->pol->file, pin->loc.line, pin->loc.col, pin->lid,
			(unsigned long long)pin->guid, c->osm->subn.opt.lmc, n);
		return;
	}
	if (!osm_db_guid2lid_get(c->g2l, pin->guid, &lo, &hi)) {
		if (lo == pin->lid && hi == last)
			goto mark;
		release_lids(c, lo, hi);
	}
	osm_db_guid2lid_set(c->g2l, pin->guid, pin->lid, last);
	VLOG_INFO("LID %u pinned to port 0x%016llx", pin->lid,
		  (unsigned long long)pin->guid);
mark:
	for (lid = pin->lid; lid <= last; lid++)
		c->used[lid] = 1;
}

int smpins_apply(struct fabricsm *sm)
{
	osm_opensm_t *osm = sm->osm;
	struct pin_ctx c = {
		.osm = osm,
		.pol = sm->pol,
		.g2l = osm->sm.lid_mgr.p_g2l,
		.used = osm->sm.lid_mgr.used_lids,
		.n_lids = 1u << osm->subn.opt.lmc,
	};
	int n, m;
	size_t i;

	if (!sm->pol->n_lid_pins)
		return 0;
	if (!c.g2l)
		return -ENOENT;
	CL_PLOCK_EXCL_ACQUIRE(&osm->lock);
	n = log_wire_holders(&c);
	m = evict_table_holders(&c);
	for (i = 0; i < sm->pol->n_lid_pins; i++)
		set_pin(&c, &sm->pol->lid_pins[i]);
	CL_PLOCK_RELEASE(&osm->lock);
	return m < 0 ? m : n + m;
}
