// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabstat doctor, the InfiniBand side (see doctor_ib.h). The SA is asked
 * with SM_Key 0: an untrusted requester gets one record per group, a
 * trusted one gets one per member, and IPoIB groups made by the SM may have
 * none.
 */
#include "tools/doctor_ib.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/ib.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "tools/diag.h"
#include "tools/diag_sa.h"
#include "tools/doctor.h"
#include "tools/doctor_fabricd.h"
#include "tools/fabstat.h"

/* SA MCMemberRecord (IBA 15.2.5.17). */
#define MCMR_ATTR 0x0038
#define MCMR_SIZE 52
#define MCMR_COMP_MGID 0x1
#define MCMR_OFF_MLID 36
#define MCMR_OFF_MTU 38
#define MCMR_OFF_PKEY 40
/* SA PathRecord (IBA 15.2.5.16). */
#define PR_ATTR 0x0035
#define PR_SIZE 64
#define PR_COMP_DGID 0x4
#define PR_OFF_DGID 8
#define PR_OFF_DLID 40
#define PR_OFF_PKEY 50
#define PR_OFF_MTU 54

/* ---- the local port ---- */

static void port_pick(struct doctor_env *e)
{
	json_t *ib = json_object_get(e->fd_status, "ib");
	const char *dev = doctor_fabricd_str(ib, "device");

	if (e->o->ca)
		util_strlcpy(e->ca, e->o->ca, sizeof(e->ca));
	else if (dev)
		util_strlcpy(e->ca, dev, sizeof(e->ca));
	e->port = e->o->port ?
			  e->o->port :
			  (int)json_integer_value(json_object_get(ib, "port"));
}

/* The PKey table and active MTU, with SMPs to the port. */
static void port_read_smp(struct doctor_env *e)
{
	static uint16_t table[DIAG_PKEYS_MAX];
	struct diag_smp *smp;
	unsigned int cap;

	smp = diag_smp_open(e->ca, e->port, e->o->timeout_ms);
	e->ib_err =
		smp ? diag_smp_pkeys(smp, table, DIAG_PKEYS_MAX, &e->n_pkeys) :
		      -errno;
	if (!e->ib_err) {
		e->pkeys = table;
		diag_smp_mtu(smp, &e->port_mtu, &cap);
	}
	diag_smp_close(smp);
}

void doctor_ib_read(struct doctor_env *e)
{
	umad_port_t p;

	port_pick(e);
	if (umad_init() < 0 ||
	    umad_get_port(e->ca[0] ? e->ca : NULL, e->port, &p) < 0) {
		e->ib_err = -ENODEV;
		return;
	}
	util_strlcpy(e->ca, p.ca_name, sizeof(e->ca));
	e->port = p.portnum;
	e->port_guid = be64toh(p.port_guid);
	umad_release_port(&p);
	port_read_smp(e);
	/* SM_Key 0: one MCMemberRecord per group (see the top). */
	e->sa = diag_sa_open(e->ca, e->port, 0, e->o->timeout_ms);
	e->sa_err = e->sa ? 0 : -errno;
}

/* ---- membership ---- */

static void check_policy_member(const struct doctor_env *e,
				struct doctor_part *p)
{
	char guid[24], buf[DOCTOR_TEXT];
	struct doctor_check *c;

	util_format_guid(e->port_guid, guid, sizeof(guid));
	if (p->policy_memb) {
		doctor_add(p, "policy-member", DOCTOR_OK,
			   "port %s: %s in the policy", guid,
			   doctor_memb_name(p->policy_memb));
		return;
	}
	if (!p->addrs)
		return;
	c = doctor_add(
		p, "policy-member", DOCTOR_PROBLEM,
		"gateway %s has addresses in %s, but the policy does not make its port %s a member",
		e->gw->name, p->part->name, guid);
	snprintf(buf, sizeof(buf), "fabricctl member add %s %s full",
		 p->part->name, guid);
	doctor_fix_sm_hup(c, buf);
}

/* The PKey as the port holds it: with the full bit for a full member. */
static unsigned int held_pkey(const struct doctor_part *p)
{
	return p->part->pkey |
	       (p->fabric_memb & POLICY_MEMB_BIT_FULL ? IB_PKEY_FULL_BIT : 0);
}

static void pkey_not_in_policy(struct doctor_part *p)
{
	struct doctor_check *c;

	c = doctor_add(
		p, "pkey", DOCTOR_PROBLEM,
		"the port holds 0x%04x (%s), the policy gives it no membership",
		p->part->pkey, doctor_memb_name(p->fabric_memb));
	doctor_fix_sm_hup(
		c,
		"the SM runs another policy: copy this fabric.yaml to the SM");
}

static void pkey_missing(struct doctor_part *p)
{
	struct doctor_check *c;

	c = doctor_add(p, "pkey", DOCTOR_PROBLEM,
		       "the port's PKey table lacks 0x%04x (policy: %s)",
		       p->part->pkey, doctor_memb_name(p->policy_memb));
	doctor_fix_sm_hup(
		c,
		"check that OpenSM loads libfabricsm.so with this policy (its partitions.conf names the port)");
}

static void pkey_differs(const struct doctor_env *e, struct doctor_part *p)
{
	char guid[24], buf[DOCTOR_TEXT];
	struct doctor_check *c;

	c = doctor_add(p, "pkey", DOCTOR_PROBLEM,
		       "the port holds 0x%04x as %s, the policy says %s",
		       held_pkey(p), doctor_memb_name(p->fabric_memb),
		       doctor_memb_name(p->policy_memb));
	util_format_guid(e->port_guid, guid, sizeof(guid));
	snprintf(
		buf, sizeof(buf),
		"the SM's policy differs: fabricctl member del %s %s && fabricctl member add %s %s %s on the SM",
		p->part->name, guid, p->part->name, guid,
		doctor_memb_name(p->policy_memb));
	doctor_fix_sm_hup(c, buf);
}

static void check_pkey(const struct doctor_env *e, struct doctor_part *p)
{
	if (e->ib_err) {
		doctor_add(p, "pkey", DOCTOR_UNCHECKED,
			   "cannot read the PKey table of %s: %s",
			   e->ca[0] ? e->ca : "the local port",
			   strerror(-e->ib_err));
		return;
	}
	if (!p->policy_memb) {
		if (p->fabric_memb)
			pkey_not_in_policy(p);
		return;
	}
	if (!p->fabric_memb)
		pkey_missing(p);
	else if (p->fabric_memb != p->policy_memb)
		pkey_differs(e, p);
	else
		doctor_add(p, "pkey", DOCTOR_OK, "0x%04x %s", held_pkey(p),
			   doctor_memb_name(p->fabric_memb));
}

/* ---- the IPoIB broadcast group ---- */

/* IPv4 broadcast MGID of a partition (RFC 4391): ff12:401b:PPPP::ffff:ffff */
static void bcast_mgid(uint16_t pkey, uint8_t *mgid)
{
	memset(mgid, 0, 16);
	mgid[0] = 0xff;
	mgid[1] = 0x12;
	mgid[2] = 0x40;
	mgid[3] = 0x1b;
	mgid[4] = (uint8_t)((pkey | IB_PKEY_FULL_BIT) >> 8);
	mgid[5] = (uint8_t)pkey;
	memset(mgid + 12, 0xff, 4);
}

/* The broadcast group as the SA describes it. */
struct group {
	uint16_t mlid;
	uint16_t pkey;
	unsigned int mtu; /* bytes */
	const char *via; /* the SA record that showed it */
};

/* Where an SA record that shows a group keeps the group's fields. */
struct group_rec {
	const char *name;
	uint16_t attr;
	size_t size;
	uint64_t comp_mgid; /* component mask: the MGID */
	size_t off_mgid, off_mlid, off_mtu, off_pkey;
};

static const struct group_rec mcmr_rec = {
	.name = "MCMemberRecord",
	.attr = MCMR_ATTR,
	.size = MCMR_SIZE,
	.comp_mgid = MCMR_COMP_MGID,
	.off_mgid = 0,
	.off_mlid = MCMR_OFF_MLID,
	.off_mtu = MCMR_OFF_MTU,
	.off_pkey = MCMR_OFF_PKEY,
};

/* A PathRecord to the MGID: OpenSM fills it from the group. */
static const struct group_rec path_rec = {
	.name = "PathRecord",
	.attr = PR_ATTR,
	.size = PR_SIZE,
	.comp_mgid = PR_COMP_DGID,
	.off_mgid = PR_OFF_DGID,
	.off_mlid = PR_OFF_DLID,
	.off_mtu = PR_OFF_MTU,
	.off_pkey = PR_OFF_PKEY,
};

/* The group by record @r: 0, -ENOENT, or another negative errno. */
static int group_by(const struct doctor_env *e, const struct group_rec *r,
		    const uint8_t *mgid, struct group *g)
{
	uint8_t rec[PR_SIZE > MCMR_SIZE ? PR_SIZE : MCMR_SIZE] = { 0 };
	int ret;

	memcpy(rec + r->off_mgid, mgid, 16);
	ret = diag_sa_get(e->sa, r->attr, r->comp_mgid, rec, r->size);
	if (ret)
		return ret;
	g->mlid = util_get_be16(rec + r->off_mlid);
	g->pkey = util_get_be16(rec + r->off_pkey);
	g->mtu = ib_mtu_bytes(rec[r->off_mtu] & 0x3f);
	g->via = r->name;
	return 0;
}

/*
 * Find the group. OpenSM with allow_both_pkeys keys a port's PKeys by
 * their full value but looks up the group's by its base, so it hides the
 * MCMemberRecord from the partition's full members: ask for a PathRecord
 * to the MGID too, which OpenSM builds from the group without that check.
 */
static int query_group(const struct doctor_env *e, const uint8_t *mgid,
		       struct group *g)
{
	int ret = group_by(e, &mcmr_rec, mgid, g);

	return ret == -ENOENT ? group_by(e, &path_rec, mgid, g) : ret;
}

static void group_missing(struct doctor_part *p, const char *mgid)
{
	struct doctor_check *c;

	c = doctor_add(p, "broadcast-group", DOCTOR_PROBLEM,
		       "the SA has no IPoIB broadcast group %s%s", mgid,
		       p->part->ipoib ? "" : " (the policy says ipoib: false)");
	if (p->part->ipoib)
		doctor_fix_sm_hup(
			c,
			"check that OpenSM loads libfabricsm.so with this policy (partitions.conf: 'ipoib')");
	else
		doctor_fix(
			c,
			"set 'ipoib: true' for %s in the SM's fabric.yaml; then kill -HUP $(pidof opensm)",
			p->part->name);
}

static void check_group(const struct doctor_env *e, struct doctor_part *p)
{
	struct group g;
	uint8_t mgid[16];
	char str[48];
	int ret;

	if (!p->part->ipoib && !p->served)
		return;
	if (e->sa_err) {
		doctor_add(p, "broadcast-group", DOCTOR_UNCHECKED,
			   "cannot reach the SA: %s", strerror(-e->sa_err));
		return;
	}
	bcast_mgid(p->part->pkey, mgid);
	inet_ntop(AF_INET6, mgid, str, sizeof(str));
	ret = query_group(e, mgid, &g);
	if (ret == -ENOENT) {
		group_missing(p, str);
	} else if (ret) {
		doctor_add(p, "broadcast-group", DOCTOR_UNCHECKED,
			   "SA query for %s: %s", str, strerror(-ret));
	} else {
		p->group_mtu = g.mtu;
		doctor_add(p, "broadcast-group", DOCTOR_OK,
			   "%s mlid 0x%04x pkey 0x%04x mtu %u (%s)", str,
			   g.mlid, g.pkey, g.mtu, g.via);
	}
}

/* ---- MTUs ---- */

static void check_group_mtu(struct doctor_part *p)
{
	struct doctor_check *c;

	if (p->group_mtu == p->part->mtu) {
		doctor_add(p, "group-mtu", DOCTOR_OK, "%u, as the policy says",
			   p->group_mtu);
		return;
	}
	c = doctor_add(p, "group-mtu", DOCTOR_PROBLEM,
		       "the broadcast group's MTU is %u, the policy says %u",
		       p->group_mtu, p->part->mtu);
	doctor_fix(
		c,
		"the SM runs another policy: set 'mtu: %u' for %s in the SM's fabric.yaml; then restart OpenSM (a group keeps its MTU)",
		p->part->mtu, p->part->name);
}

static void check_port_mtu(const struct doctor_env *e, struct doctor_part *p)
{
	struct doctor_check *c;

	if (e->port_mtu >= p->group_mtu) {
		doctor_add(p, "port-mtu", DOCTOR_OK, "port %u >= group %u",
			   e->port_mtu, p->group_mtu);
		return;
	}
	c = doctor_add(
		p, "port-mtu", DOCTOR_PROBLEM,
		"the port's active MTU %u is below the group's %u: IPoIB cannot join",
		e->port_mtu, p->group_mtu);
	doctor_fix(
		c,
		"set 'mtu: %u' for %s in fabric.yaml (or fix the link's MTU); then restart OpenSM",
		e->port_mtu, p->part->name);
}

void doctor_ib_check(const struct doctor_env *e, struct doctor_part *p)
{
	if (e->gw)
		check_policy_member(e, p);
	check_pkey(e, p);
	check_group(e, p);
	if (!p->group_mtu)
		return;
	check_group_mtu(p);
	if (e->port_mtu)
		check_port_mtu(e, p);
}
