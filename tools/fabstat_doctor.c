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
 * The SA is asked with SM_Key 0 (an untrusted requester gets one record per
 * group, a trusted one gets one per member, and IPoIB groups made by the SM
 * may have none). One verdict per partition; a fix for each problem.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/umad.h>
#include <jansson.h>

#include "lib/ctl.h"
#include "lib/output.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "tools/diag.h"
#include "tools/diag_sa.h"
#include "tools/fabstat.h"
#include "tools/fabstat_doctor.h"

#define DOC_MAX_CHECKS 16
#define DOC_TEXT 256
#define CTL_TIMEOUT_MS 2000
#define IPOIB_HDR_LEN 4 /* RFC 4391 encapsulation header */

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

/* Membership bits, as a port's PKey table can hold them. */
#define MEMB_FULL 1u
#define MEMB_LIMITED 2u
#define MEMB_BOTH 3u

enum doc_result {
	DOC_OK,
	DOC_SKIPPED, /* does not apply here */
	DOC_UNCHECKED, /* applies, but could not be checked */
	DOC_PROBLEM,
};

static const char *const result_names[] = {
	[DOC_OK] = "ok",
	[DOC_SKIPPED] = "skipped",
	[DOC_UNCHECKED] = "unchecked",
	[DOC_PROBLEM] = "problem",
};

struct doc_check {
	const char *id; /* stable: "pkey", "broadcast-group", ... */
	enum doc_result result;
	char detail[DOC_TEXT]; /* what was seen, or the problem */
	char fix[DOC_TEXT]; /* one command line, problems only */
};

/* One partition under examination. */
struct doc_part {
	const struct policy_partition *part;
	unsigned int policy_memb; /* MEMB_* the policy gives our port */
	unsigned int fabric_memb; /* MEMB_* our port's PKey table holds */
	const struct policy_gw_addrs *addrs; /* the gateway's, or NULL */
	bool served; /* mirrored on Ethernet by this gateway */
	unsigned int group_mtu; /* broadcast group MTU, 0 when unknown */
	char eth_dev[IFNAMSIZ]; /* where the addresses belong */
	json_t *fd_part; /* fabricd's view (borrowed), or NULL */
	struct doc_check checks[DOC_MAX_CHECKS];
	unsigned int n_checks;
};

/* What is gathered once per run. */
struct doc_env {
	const struct fabstat_opts *o;
	const char *socket;
	const char *gw_name; /* --gateway */
	bool verbose;
	const struct policy_gateway *gw;
	const char *gw_how; /* how the gateway was found */
	/* The local InfiniBand port. */
	char ca[UMAD_CA_NAME_LEN];
	int port;
	uint64_t port_guid;
	int ib_err; /* 0, or why the port could not be read */
	uint16_t *pkeys;
	unsigned int n_pkeys;
	unsigned int port_mtu; /* active MTU, bytes */
	struct diag_sa *sa;
	int sa_err;
	/* fabricd. */
	int fd_err; /* 0 when it answered */
	json_t *fd_status, *fd_parts, *fd_ports;
	char fd_ports_err[DOC_TEXT]; /* why port/list failed */
	/* The kernel. */
	bool vlan_mode; /* 802.1Q links, else addresses on the uplink */
	struct ifaddrs *ifa;
};

/* ---- small helpers ---- */

static const char *memb_name(unsigned int m)
{
	switch (m) {
	case MEMB_FULL:
		return "full";
	case MEMB_LIMITED:
		return "limited";
	case MEMB_BOTH:
		return "both";
	}
	return "none";
}

static unsigned int policy_memb_bits(enum policy_membership m)
{
	return m == POLICY_MEMB_FULL	? MEMB_FULL :
	       m == POLICY_MEMB_LIMITED ? MEMB_LIMITED :
					  MEMB_BOTH;
}

/* The membership the policy gives CA port @guid in @part. */
static unsigned int policy_memb(const struct policy_partition *part,
				uint64_t guid)
{
	unsigned int m = 0;
	size_t i;

	for (i = 0; i < part->n_members; i++) {
		const struct policy_member *mb = &part->members[i];

		if (mb->sel == POLICY_SEL_ALL_SWITCHES ||
		    (mb->sel == POLICY_SEL_GUID && mb->guid != guid))
			continue;
		m |= policy_memb_bits(mb->membership);
	}
	return m;
}

static unsigned int table_memb(const uint16_t *pkeys, unsigned int n,
			       uint16_t base)
{
	unsigned int i, m = 0;

	for (i = 0; i < n; i++)
		if ((pkeys[i] & DIAG_PKEY_BASE_MASK) == base)
			m |= pkeys[i] & DIAG_PKEY_FULL ? MEMB_FULL :
							 MEMB_LIMITED;
	return m;
}

static struct doc_check *doc_add(struct doc_part *p, const char *id,
				 enum doc_result r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Record check @id with result @r and a detail; returns it (for a fix). */
static struct doc_check *doc_add(struct doc_part *p, const char *id,
				 enum doc_result r, const char *fmt, ...)
{
	static struct doc_check overflow;
	struct doc_check *c;
	va_list ap;

	c = p->n_checks < DOC_MAX_CHECKS ? &p->checks[p->n_checks++] :
					   &overflow;
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->result = r;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return c;
}

static void doc_fix(struct doc_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void doc_fix(struct doc_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->fix, sizeof(c->fix), fmt, ap);
	va_end(ap);
}

static bool has_problem(const struct doc_part *p)
{
	unsigned int i;

	for (i = 0; i < p->n_checks; i++)
		if (p->checks[i].result == DOC_PROBLEM)
			return true;
	return false;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- the kernel: links through sysfs, addresses through getifaddrs ---- */

struct doc_link {
	bool exists;
	bool up; /* administratively up and operationally up (or unknown) */
	char oper[16];
	unsigned int mtu;
};

static int sysfs_read(const char *dev, const char *attr, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, attr);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void link_read(const char *dev, struct doc_link *l)
{
	char buf[32];
	uint64_t v = 0;

	memset(l, 0, sizeof(*l));
	if (!dev || !dev[0] ||
	    sysfs_read(dev, "operstate", l->oper, sizeof(l->oper)))
		return;
	l->exists = true;
	if (!sysfs_read(dev, "mtu", buf, sizeof(buf)) &&
	    !util_parse_u64(buf, UINT32_MAX, &v))
		l->mtu = (unsigned int)v;
	if (!sysfs_read(dev, "flags", buf, sizeof(buf)))
		util_parse_u64(buf, UINT32_MAX, &v);
	l->up = (v & IFF_UP) &&
		(!strcmp(l->oper, "up") || !strcmp(l->oper, "unknown"));
}

static unsigned int mask_plen(const struct sockaddr *sa)
{
	const uint8_t *b;
	unsigned int n, i, plen = 0;

	if (sa->sa_family == AF_INET) {
		b = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		n = 4;
	} else {
		b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++)
		plen += (unsigned int)__builtin_popcount(b[i]);
	return plen;
}

static bool ifa_matches(const struct ifaddrs *i, const struct policy_prefix *a)
{
	const void *addr;

	if (!i->ifa_addr || i->ifa_addr->sa_family != a->family ||
	    !i->ifa_netmask)
		return false;
	if (a->family == AF_INET)
		addr = &((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
	else
		addr = ((const struct sockaddr_in6 *)i->ifa_addr)
			       ->sin6_addr.s6_addr;
	return !memcmp(addr, a->addr, a->family == AF_INET ? 4 : 16) &&
	       mask_plen(i->ifa_netmask) == a->plen;
}

/*
 * The device (for IPv4, the label: "up0:20") that holds address @a, or
 * NULL. getifaddrs() names an IPv4 address by its label.
 */
static const char *addr_holder(const struct doc_env *e,
			       const struct policy_prefix *a)
{
	const struct ifaddrs *i;

	for (i = e->ifa; i; i = i->ifa_next)
		if (ifa_matches(i, a))
			return i->ifa_name;
	return NULL;
}

/* The netdev whose IPoIB PKey (sysfs "pkey") is @pkey's, into @out. */
static bool ipoib_link_find(uint16_t base, char *out, size_t len)
{
	const struct ifaddrs *i;
	struct ifaddrs *all;
	char buf[16];
	uint64_t v;
	bool found = false;

	if (getifaddrs(&all))
		return false;
	for (i = all; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET)
			continue;
		if (sysfs_read(i->ifa_name, "pkey", buf, sizeof(buf)) ||
		    util_parse_u64(buf, 0xffff, &v) ||
		    (v & DIAG_PKEY_BASE_MASK) != base || v == 0xffff)
			continue;
		util_strlcpy(out, i->ifa_name, len);
		found = true;
	}
	freeifaddrs(all);
	return found;
}

/* fabricd's VLAN link name: "<uplink>.<vid>", cut to fit IFNAMSIZ. */
static void vlan_link_name(const char *uplink, unsigned int vid, char *out)
{
	char suffix[8];
	int room;

	snprintf(suffix, sizeof(suffix), "%u", vid);
	room = IFNAMSIZ - 1 - (int)strlen(suffix) - 1;
	snprintf(out, IFNAMSIZ, "%.*s.%s", room, uplink, suffix);
}

/* ---- fabricd ---- */

/* fabricd's control socket: $FABRICD_CTL_SOCKET, else the default. */
static const char *default_socket(void)
{
	const char *s = getenv("FABRICD_CTL_SOCKET");

	return s && s[0] ? s : CTL_DEFAULT_SOCKET;
}

static int fd_call(struct ctl_client *c, const char *method, json_t **res,
		   char *err, size_t len)
{
	char *msg = NULL;
	int ret;

	*res = NULL;
	ret = ctl_client_call(c, method, 0, NULL, CTL_TIMEOUT_MS, res, &msg);
	if (ret && err)
		snprintf(err, len, "%s", msg ? msg : strerror(-ret));
	free(msg);
	return ret;
}

/* Ask fabricd for its status, partitions and datapath ports. */
static void env_fabricd(struct doc_env *e)
{
	struct ctl_client *c = ctl_client_open(e->socket);

	if (!c) {
		e->fd_err = -errno;
		return;
	}
	e->fd_err = fd_call(c, "status", &e->fd_status, NULL, 0);
	if (!e->fd_err)
		e->fd_err = fd_call(c, "partitions", &e->fd_parts, NULL, 0);
	if (!e->fd_err && fd_call(c, "port/list", &e->fd_ports, e->fd_ports_err,
				  sizeof(e->fd_ports_err)))
		e->fd_ports = NULL;
	ctl_client_close(c);
}

static json_t *fd_partition(const struct doc_env *e, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(e->fd_parts, i,
			   v) if (jstr(v, "name") &&
				  !strcmp(jstr(v, "name"), name)) return v;
	return NULL;
}

/* ---- the InfiniBand port ---- */

static void env_port_pick(struct doc_env *e)
{
	json_t *ib = json_object_get(e->fd_status, "ib");
	const char *dev = jstr(ib, "device");

	if (e->o->ca)
		util_strlcpy(e->ca, e->o->ca, sizeof(e->ca));
	else if (dev)
		util_strlcpy(e->ca, dev, sizeof(e->ca));
	e->port = e->o->port ?
			  e->o->port :
			  (int)json_integer_value(json_object_get(ib, "port"));
}

static void env_ib(struct doc_env *e)
{
	static uint16_t table[DIAG_PKEYS_MAX];
	struct diag_smp *smp;
	umad_port_t p;
	unsigned int cap;

	env_port_pick(e);
	if (umad_init() < 0 ||
	    umad_get_port(e->ca[0] ? e->ca : NULL, e->port, &p) < 0) {
		e->ib_err = -ENODEV;
		return;
	}
	util_strlcpy(e->ca, p.ca_name, sizeof(e->ca));
	e->port = p.portnum;
	e->port_guid = be64toh(p.port_guid);
	umad_release_port(&p);
	smp = diag_smp_open(e->ca, e->port, e->o->timeout_ms);
	e->ib_err =
		smp ? diag_smp_pkeys(smp, table, DIAG_PKEYS_MAX, &e->n_pkeys) :
		      -errno;
	if (!e->ib_err) {
		e->pkeys = table;
		diag_smp_mtu(smp, &e->port_mtu, &cap);
	}
	diag_smp_close(smp);
	/* SM_Key 0: one MCMemberRecord per group (see the top). */
	e->sa = diag_sa_open(e->ca, e->port, 0, e->o->timeout_ms);
	e->sa_err = e->sa ? 0 : -errno;
}

/* The gateway: --gateway, fabricd's, our port's, or the host's name. */
static int env_gateway(struct doc_env *e)
{
	const struct policy *pol = e->o->policy;
	const char *name = jstr(e->fd_status, "gateway");
	char host[256] = "";
	size_t i;

	if (e->gw_name) {
		e->gw = policy_find_gateway(pol, e->gw_name);
		e->gw_how = "--gateway";
		return e->gw ? 0 : -ENOENT;
	}
	if (name && (e->gw = policy_find_gateway(pol, name))) {
		e->gw_how = "fabricd";
		return 0;
	}
	for (i = 0; e->port_guid && i < pol->n_gateways; i++)
		if (pol->gateways[i].port_guid == e->port_guid) {
			e->gw = &pol->gateways[i];
			e->gw_how = "port GUID";
			return 0;
		}
	gethostname(host, sizeof(host) - 1);
	e->gw = policy_find_gateway(pol, host);
	e->gw_how = "host name";
	return 0;
}

/* 802.1Q links, or addresses on the uplink itself (as fabricd does). */
static void env_vlan_mode(struct doc_env *e)
{
	json_t *sup = json_object_get(json_object_get(e->fd_status, "vlan"),
				      "supported");

	if (json_is_boolean(sup))
		e->vlan_mode = json_is_true(sup);
	else
		e->vlan_mode = !access("/proc/net/vlan/config", F_OK);
}

static void env_free(struct doc_env *e)
{
	diag_sa_close(e->sa);
	json_decref(e->fd_status);
	json_decref(e->fd_parts);
	json_decref(e->fd_ports);
	if (e->ifa)
		freeifaddrs(e->ifa);
}

/* ---- the checks, one partition at a time ---- */

static void fix_sm_hup(struct doc_check *c, const char *first)
{
	doc_fix(c, "%s; then kill -HUP $(pidof opensm)", first);
}

static void check_policy_member(const struct doc_env *e, struct doc_part *p)
{
	char guid[24], buf[DOC_TEXT];
	struct doc_check *c;

	util_format_guid(e->port_guid, guid, sizeof(guid));
	if (p->policy_memb) {
		doc_add(p, "policy-member", DOC_OK, "port %s: %s in the policy",
			guid, memb_name(p->policy_memb));
		return;
	}
	if (!p->addrs)
		return;
	c = doc_add(p, "policy-member", DOC_PROBLEM,
		    "gateway %s has addresses in %s, but the policy does not "
		    "make its port %s a member",
		    e->gw->name, p->part->name, guid);
	snprintf(buf, sizeof(buf), "fabricctl member add %s %s full",
		 p->part->name, guid);
	fix_sm_hup(c, buf);
}

static void fix_membership(const struct doc_env *e, const struct doc_part *p,
			   struct doc_check *c)
{
	char guid[24], buf[DOC_TEXT];

	util_format_guid(e->port_guid, guid, sizeof(guid));
	snprintf(buf, sizeof(buf),
		 "the SM's policy differs: fabricctl member del %s %s && "
		 "fabricctl member add %s %s %s on the SM",
		 p->part->name, guid, p->part->name, guid,
		 memb_name(p->policy_memb));
	fix_sm_hup(c, buf);
}

static void check_pkey(const struct doc_env *e, struct doc_part *p)
{
	uint16_t base = p->part->pkey;
	struct doc_check *c;

	if (e->ib_err) {
		doc_add(p, "pkey", DOC_UNCHECKED,
			"cannot read the PKey table of %s: %s",
			e->ca[0] ? e->ca : "the local port",
			strerror(-e->ib_err));
		return;
	}
	if (!p->policy_memb && p->fabric_memb) {
		c = doc_add(p, "pkey", DOC_PROBLEM,
			    "the port holds 0x%04x (%s), the policy gives it "
			    "no membership",
			    base, memb_name(p->fabric_memb));
		fix_sm_hup(c, "the SM runs another policy: copy this "
			      "fabric.yaml to the SM");
		return;
	}
	if (!p->policy_memb)
		return;
	if (!p->fabric_memb) {
		c = doc_add(p, "pkey", DOC_PROBLEM,
			    "the port's PKey table lacks 0x%04x (policy: %s)",
			    base, memb_name(p->policy_memb));
		fix_sm_hup(c,
			   "check that OpenSM loads libfabricsm.so with this "
			   "policy (its partitions.conf names the port)");
	} else if (p->fabric_memb != p->policy_memb) {
		c = doc_add(p, "pkey", DOC_PROBLEM,
			    "the port holds 0x%04x as %s, the policy says %s",
			    base | (p->fabric_memb & MEMB_FULL ? 0x8000 : 0),
			    memb_name(p->fabric_memb),
			    memb_name(p->policy_memb));
		fix_membership(e, p, c);
	} else {
		doc_add(p, "pkey", DOC_OK, "0x%04x %s",
			base | (p->fabric_memb & MEMB_FULL ? 0x8000 : 0),
			memb_name(p->fabric_memb));
	}
}

/* IPv4 broadcast MGID of a partition (RFC 4391): ff12:401b:PPPP::ffff:ffff */
static void bcast_mgid(uint16_t pkey, uint8_t *mgid)
{
	memset(mgid, 0, 16);
	mgid[0] = 0xff;
	mgid[1] = 0x12;
	mgid[2] = 0x40;
	mgid[3] = 0x1b;
	mgid[4] = (uint8_t)((pkey | DIAG_PKEY_FULL) >> 8);
	mgid[5] = (uint8_t)pkey;
	memset(mgid + 12, 0xff, 4);
}

/* The broadcast group as the SA describes it. */
struct doc_group {
	uint16_t mlid;
	uint16_t pkey;
	unsigned int mtu; /* bytes */
	const char *via; /* the SA record that showed it */
};

/* MCMemberRecord by MGID: 0, -ENOENT, or another negative errno. */
static int group_by_mcmr(const struct doc_env *e, const uint8_t *mgid,
			 struct doc_group *g)
{
	uint8_t rec[MCMR_SIZE] = { 0 };
	int ret;

	memcpy(rec, mgid, 16);
	ret = diag_sa_get(e->sa, MCMR_ATTR, MCMR_COMP_MGID, rec, sizeof(rec));
	if (ret)
		return ret;
	g->mlid = (uint16_t)(rec[MCMR_OFF_MLID] << 8 | rec[MCMR_OFF_MLID + 1]);
	g->pkey = (uint16_t)(rec[MCMR_OFF_PKEY] << 8 | rec[MCMR_OFF_PKEY + 1]);
	g->mtu = diag_mtu_bytes(rec[MCMR_OFF_MTU] & 0x3f);
	g->via = "MCMemberRecord";
	return 0;
}

/* PathRecord to the MGID (OpenSM fills it from the group). */
static int group_by_path(const struct doc_env *e, const uint8_t *mgid,
			 struct doc_group *g)
{
	uint8_t rec[PR_SIZE] = { 0 };
	int ret;

	memcpy(rec + PR_OFF_DGID, mgid, 16);
	ret = diag_sa_get(e->sa, PR_ATTR, PR_COMP_DGID, rec, sizeof(rec));
	if (ret)
		return ret;
	g->mlid = (uint16_t)(rec[PR_OFF_DLID] << 8 | rec[PR_OFF_DLID + 1]);
	g->pkey = (uint16_t)(rec[PR_OFF_PKEY] << 8 | rec[PR_OFF_PKEY + 1]);
	g->mtu = diag_mtu_bytes(rec[PR_OFF_MTU] & 0x3f);
	g->via = "PathRecord";
	return 0;
}

/*
 * Find the group. OpenSM with allow_both_pkeys keys a port's PKeys by
 * their full value but looks up the group's by its base, so it hides the
 * MCMemberRecord from the partition's full members: ask for a PathRecord
 * to the MGID too, which OpenSM builds from the group without that check.
 */
static int query_group(const struct doc_env *e, const uint8_t *mgid,
		       struct doc_group *g)
{
	int ret = group_by_mcmr(e, mgid, g);

	return ret == -ENOENT ? group_by_path(e, mgid, g) : ret;
}

static void group_missing(struct doc_part *p, const char *mgid)
{
	struct doc_check *c;

	c = doc_add(p, "broadcast-group", DOC_PROBLEM,
		    "the SA has no IPoIB broadcast group %s%s", mgid,
		    p->part->ipoib ? "" : " (the policy says ipoib: false)");
	if (p->part->ipoib)
		fix_sm_hup(c, "check that OpenSM loads libfabricsm.so with "
			      "this policy (partitions.conf: 'ipoib')");
	else
		doc_fix(c,
			"set 'ipoib: true' for %s in the SM's fabric.yaml; "
			"then kill -HUP $(pidof opensm)",
			p->part->name);
}

static void check_group(const struct doc_env *e, struct doc_part *p)
{
	struct doc_group g;
	uint8_t mgid[16];
	char str[48];
	int ret;

	if (!p->part->ipoib && !p->served)
		return;
	if (e->sa_err) {
		doc_add(p, "broadcast-group", DOC_UNCHECKED,
			"cannot reach the SA: %s", strerror(-e->sa_err));
		return;
	}
	bcast_mgid(p->part->pkey, mgid);
	inet_ntop(AF_INET6, mgid, str, sizeof(str));
	ret = query_group(e, mgid, &g);
	if (ret == -ENOENT) {
		group_missing(p, str);
		return;
	}
	if (ret) {
		doc_add(p, "broadcast-group", DOC_UNCHECKED,
			"SA query for %s: %s", str, strerror(-ret));
		return;
	}
	p->group_mtu = g.mtu;
	doc_add(p, "broadcast-group", DOC_OK,
		"%s mlid 0x%04x pkey 0x%04x mtu %u (%s)", str, g.mlid, g.pkey,
		g.mtu, g.via);
}

static void check_group_mtu(const struct doc_env *e, struct doc_part *p)
{
	struct doc_check *c;

	if (!p->group_mtu)
		return;
	if (p->group_mtu == p->part->mtu) {
		doc_add(p, "group-mtu", DOC_OK, "%u, as the policy says",
			p->group_mtu);
	} else {
		c = doc_add(p, "group-mtu", DOC_PROBLEM,
			    "the broadcast group's MTU is %u, the policy says "
			    "%u",
			    p->group_mtu, p->part->mtu);
		doc_fix(c,
			"the SM runs another policy: set 'mtu: %u' for %s in "
			"the SM's fabric.yaml; then restart OpenSM (a group "
			"keeps its MTU)",
			p->part->mtu, p->part->name);
	}
	if (!e->port_mtu)
		return;
	if (e->port_mtu >= p->group_mtu) {
		doc_add(p, "port-mtu", DOC_OK, "port %u >= group %u",
			e->port_mtu, p->group_mtu);
		return;
	}
	c = doc_add(p, "port-mtu", DOC_PROBLEM,
		    "the port's active MTU %u is below the group's %u: IPoIB "
		    "cannot join",
		    e->port_mtu, p->group_mtu);
	doc_fix(c,
		"set 'mtu: %u' for %s in fabric.yaml (or fix the link's MTU); "
		"then restart OpenSM",
		e->port_mtu, p->part->name);
}

/* The MTU IPoIB delivers: its child link's, else the IB MTU - 4. */
static unsigned int ipoib_mtu(const struct doc_env *e, const struct doc_part *p,
			      char *why, size_t len)
{
	char dev[IFNAMSIZ];
	struct doc_link l;
	unsigned int ib;

	if (ipoib_link_find(p->part->pkey, dev, sizeof(dev))) {
		link_read(dev, &l);
		snprintf(why, len, "%s's MTU", dev);
		return l.mtu;
	}
	ib = p->group_mtu ? p->group_mtu : p->part->mtu;
	if (e->port_mtu && e->port_mtu < ib)
		ib = e->port_mtu;
	snprintf(why, len, "IB MTU %u - %u", ib, IPOIB_HDR_LEN);
	return ib - IPOIB_HDR_LEN;
}

static void check_mtu_budget(const struct doc_env *e, struct doc_part *p)
{
	struct doc_link l;
	struct doc_check *c;
	unsigned int need;
	char why[64];

	link_read(p->eth_dev, &l);
	if (!l.exists)
		return;
	need = ipoib_mtu(e, p, why, sizeof(why));
	if (l.mtu >= need) {
		doc_add(p, "mtu-budget", DOC_OK, "%s MTU %u >= IPoIB %u (%s)",
			p->eth_dev, l.mtu, need, why);
		return;
	}
	c = doc_add(p, "mtu-budget", DOC_PROBLEM,
		    "%s's MTU %u is below IPoIB's %u (%s): larger packets "
		    "from InfiniBand are dropped",
		    p->eth_dev, l.mtu, need, why);
	if (strcmp(p->eth_dev, e->gw->uplink))
		doc_fix(c,
			"ip link set dev %s mtu %u && ip link set dev %s "
			"mtu %u",
			e->gw->uplink, need, p->eth_dev, need);
	else
		doc_fix(c, "ip link set dev %s mtu %u", p->eth_dev, need);
}

/* Link @dev must exist and be up; @what: "uplink", "vlan-link". */
static bool check_link(struct doc_part *p, const char *what, const char *dev,
		       const char *fix_missing)
{
	struct doc_link l;
	struct doc_check *c;

	link_read(dev, &l);
	if (!l.exists) {
		c = doc_add(p, what, DOC_PROBLEM, "%s does not exist", dev);
		doc_fix(c, "%s", fix_missing);
		return false;
	}
	if (!l.up) {
		c = doc_add(p, what, DOC_PROBLEM, "%s is down (%s)", dev,
			    l.oper);
		doc_fix(c, "ip link set dev %s up", dev);
		return false;
	}
	doc_add(p, what, DOC_OK, "%s up, mtu %u", dev, l.mtu);
	return true;
}

static const char *restore_fix(const struct doc_env *e)
{
	return e->fd_err ? "start fabricd (it re-creates what it owns)" :
			   "fabricctl call reconcile";
}

/* The uplink, then the VLAN link; false when the uplink is unusable. */
static bool check_links(const struct doc_env *e, struct doc_part *p)
{
	char buf[DOC_TEXT], vlan[IFNAMSIZ];

	snprintf(buf, sizeof(buf), "fix 'uplink: %s' of gateway %s in %s",
		 e->gw->uplink, e->gw->name, e->o->policy->file);
	if (!check_link(p, "uplink", e->gw->uplink, buf))
		return false;
	if (!e->vlan_mode) {
		doc_add(p, "vlan-link", DOC_SKIPPED,
			"no 802.1Q in this kernel: the addresses go on %s "
			"(label %s:%u)",
			e->gw->uplink, e->gw->uplink, p->part->vlan);
		return true;
	}
	vlan_link_name(e->gw->uplink, p->part->vlan, vlan);
	util_strlcpy(p->eth_dev, vlan, sizeof(p->eth_dev));
	check_link(p, "vlan-link", vlan, restore_fix(e));
	return true;
}

static void addr_problem(const struct doc_env *e, struct doc_part *p,
			 const struct policy_prefix *a, const char *where)
{
	struct doc_check *c;
	char buf[64], label[IFNAMSIZ + 8] = "";

	policy_prefix_format(a, buf, sizeof(buf));
	if (a->family == AF_INET)
		snprintf(label, sizeof(label), " label %s:%u", p->eth_dev,
			 p->part->vlan);
	if (where)
		c = doc_add(p, "address", DOC_PROBLEM, "%s is on %s, not on %s",
			    buf, where, p->eth_dev);
	else
		c = doc_add(p, "address", DOC_PROBLEM, "%s is missing on %s",
			    buf, p->eth_dev);
	if (e->fd_err)
		doc_fix(c, "start fabricd, or by hand: ip addr add %s dev %s%s",
			buf, p->eth_dev, label);
	else
		doc_fix(c,
			"fabricctl call reconcile (or: ip addr add %s dev "
			"%s%s)",
			buf, p->eth_dev, label);
}

/* The holder is right when it is the device or one of its labels. */
static bool holder_is(const char *holder, const char *dev)
{
	size_t n = strlen(dev);

	return !strncmp(holder, dev, n) &&
	       (holder[n] == '\0' || holder[n] == ':');
}

static void check_addrs(const struct doc_env *e, struct doc_part *p)
{
	const char *holder;
	size_t i, ok = 0;

	for (i = 0; p->addrs && i < p->addrs->n_addrs; i++) {
		const struct policy_prefix *a = &p->addrs->addrs[i];

		holder = addr_holder(e, a);
		if (!holder || !holder_is(holder, p->eth_dev)) {
			addr_problem(e, p, a, holder);
			continue;
		}
		ok++;
	}
	if (ok && ok == p->addrs->n_addrs)
		doc_add(p, "address", DOC_OK, "%zu address%s on %s", ok,
			ok == 1 ? "" : "es", p->eth_dev);
}

static json_t *fd_port(const struct doc_env *e, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(e->fd_ports, i,
			   v) if (jstr(v, "name") &&
				  !strcmp(jstr(v, "name"), name)) return v;
	return NULL;
}

static void check_datapath(const struct doc_env *e, struct doc_part *p)
{
	const char *up = e->gw->uplink;
	struct doc_check *c;
	json_t *port;

	if (e->fd_err)
		return;
	if (!e->fd_ports) {
		doc_add(p, "datapath", DOC_SKIPPED,
			"fabricd has no datapath (port/list: %s)",
			e->fd_ports_err);
		return;
	}
	port = fd_port(e, up);
	if (!port) {
		c = doc_add(p, "datapath", DOC_PROBLEM,
			    "fabricd's datapath has no trunk port %s", up);
		doc_fix(c, "fabricctl port add %s trunk", up);
	} else if (strcmp(jstr(port, "state") ?: "", "up")) {
		c = doc_add(p, "datapath", DOC_PROBLEM,
			    "datapath port %s is %s (%s)", up,
			    jstr(port, "state") ?: "?",
			    jstr(port, "error") ?: "no error");
		doc_fix(c,
			"fabricctl port del %s && fabricctl port add %s "
			"trunk",
			up, up);
	} else {
		doc_add(p, "datapath", DOC_OK, "trunk port %s up", up);
	}
}

static void check_fabricd_running(const struct doc_env *e, struct doc_part *p)
{
	struct doc_check *c;

	if (!e->fd_err) {
		doc_add(p, "fabricd", DOC_OK, "pid %lld",
			(long long)json_integer_value(
				json_object_get(e->fd_status, "pid")));
		return;
	}
	c = doc_add(p, "fabricd", DOC_PROBLEM,
		    "fabricd is not running (%s: %s)", e->socket,
		    strerror(-e->fd_err));
	doc_fix(c,
		"systemctl start fabricd (or: fabricd --policy %s "
		"--gateway %s)",
		e->o->policy->file, e->gw->name);
}

static const char *fd_memb(const struct doc_part *p)
{
	return jstr(p->fd_part, "membership") ?: "?";
}

/* fabricd's view of the partition against ours. */
static void check_fabricd_agrees(const struct doc_env *e, struct doc_part *p)
{
	const char *state = jstr(p->fd_part, "state") ?: "?";
	struct doc_check *c;
	char pkey[8];

	if (e->fd_err)
		return;
	snprintf(pkey, sizeof(pkey), "0x%04x", p->part->pkey);
	if (!p->fd_part || strcmp(jstr(p->fd_part, "pkey") ?: "", pkey) ||
	    json_integer_value(json_object_get(p->fd_part, "vlan")) !=
		    p->part->vlan) {
		c = doc_add(p, "fabricd-agrees", DOC_PROBLEM,
			    "fabricd's policy (%s) differs for %s",
			    jstr(e->fd_status, "policy") ?: "?", p->part->name);
		doc_fix(c, "kill -HUP %lld (fabricd re-reads its policy)",
			(long long)json_integer_value(
				json_object_get(e->fd_status, "pid")));
	} else if (!e->ib_err &&
		   strcmp(fd_memb(p), memb_name(p->fabric_memb))) {
		c = doc_add(p, "fabricd-agrees", DOC_PROBLEM,
			    "fabricd sees membership %s, the port holds %s",
			    fd_memb(p), memb_name(p->fabric_memb));
		doc_fix(c, "fabricctl status (ib.error), then kill -HUP %lld",
			(long long)json_integer_value(
				json_object_get(e->fd_status, "pid")));
	} else if (strcmp(state, "ready") && p->served && !has_problem(p)) {
		c = doc_add(p, "fabricd-agrees", DOC_PROBLEM,
			    "fabricd reports %s as %s", p->part->name, state);
		doc_fix(c, "fabricctl partition show %s; see fabricd's log",
			p->part->name);
	} else {
		doc_add(p, "fabricd-agrees", DOC_OK, "%s, membership %s", state,
			fd_memb(p));
	}
}

static void check_ethernet(const struct doc_env *e, struct doc_part *p)
{
	bool uplink_ok;

	if (!e->gw || !e->gw->uplink || !p->part->vlan)
		return;
	if (!p->served) {
		if (p->addrs)
			doc_add(p, "uplink", DOC_SKIPPED,
				"the port does not hold 0x%04x, and fabricd "
				"mirrors only what it holds",
				p->part->pkey);
		return;
	}
	util_strlcpy(p->eth_dev, e->gw->uplink, sizeof(p->eth_dev));
	uplink_ok = check_links(e, p);
	check_mtu_budget(e, p);
	check_addrs(e, p);
	/* A datapath port on a dead uplink is down too: say it once. */
	if (uplink_ok)
		check_datapath(e, p);
	check_fabricd_running(e, p);
	check_fabricd_agrees(e, p);
}

/* Applies here at all: the port or the gateway takes part in it. */
static bool relevant(const struct doc_part *p)
{
	return p->policy_memb || p->fabric_memb || p->addrs;
}

static void examine(const struct doc_env *e, struct doc_part *p)
{
	uint16_t base = p->part->pkey;

	p->policy_memb = e->port_guid ? policy_memb(p->part, e->port_guid) : 0;
	p->fabric_memb = e->pkeys ? table_memb(e->pkeys, e->n_pkeys, base) : 0;
	p->addrs = e->gw ? policy_gateway_addrs(e->gw, p->part) : NULL;
	/* As fabricd decides: a partition the port holds, with a VLAN. */
	p->served = e->gw && e->gw->uplink && p->part->vlan && p->fabric_memb;
	p->fd_part = e->fd_err ? NULL : fd_partition(e, p->part->name);
	if (!relevant(p))
		return;
	if (e->gw)
		check_policy_member(e, p);
	check_pkey(e, p);
	check_group(e, p);
	check_group_mtu(e, p);
	check_ethernet(e, p);
}

/* ---- output ---- */

static enum doc_result verdict(const struct doc_part *p)
{
	enum doc_result v = DOC_OK;
	unsigned int i;

	for (i = 0; i < p->n_checks; i++)
		if (p->checks[i].result != DOC_SKIPPED)
			v = MAX(v, p->checks[i].result);
	return v;
}

static const char *verdict_name(const struct doc_part *p)
{
	if (!relevant(p))
		return "not-here";
	return verdict(p) == DOC_PROBLEM   ? "problem" :
	       verdict(p) == DOC_UNCHECKED ? "unchecked" :
					     "ok";
}

static void print_problems(const struct doc_part *p)
{
	const struct doc_check *c;
	unsigned int i, n = 0;

	out_open_array("problems");
	for (i = 0; i < p->n_checks; i++) {
		c = &p->checks[i];
		if (c->result != DOC_PROBLEM)
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

static void print_checks(const struct doc_env *e, const struct doc_part *p)
{
	const struct doc_check *c;
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

static void print_part(const struct doc_env *e, const struct doc_part *p)
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

static void print_head(const struct doc_env *e)
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

static void doctor_usage(FILE *f)
{
	fprintf(f,
		"Usage: fabstat [OPTIONS] doctor [-v] [-s SOCKET] [-g GATEWAY] "
		"[PARTITION]\n"
		"\n"
		"Why is a partition (ib0.8001, eth1.20) not working on this "
		"host? For each\n"
		"partition of the policy: the port's PKey and membership, the "
		"IPoIB\n"
		"broadcast group and its MTU, the MTU budget between IPoIB and "
		"Ethernet,\n"
		"the uplink, VLAN link and addresses, the datapath port, and "
		"fabricd.\n"
		"One verdict per partition; a fix for each problem.\n"
		"\n"
		"  -v, --verbose        every check with its result\n"
		"  -s, --socket PATH    fabricd's control socket (default "
		"$FABRICD_CTL_SOCKET,\n"
		"                       else %s)\n"
		"  -g, --gateway NAME   this host's gateway in the policy\n"
		"                       (default: fabricd's, else the one with "
		"this port's GUID,\n"
		"                       else the one named like the host)\n"
		"\n"
		"Exit status: 0 healthy, 1 a problem was found, 2 could not "
		"check.\n"
		"See fabstat(8).\n",
		CTL_DEFAULT_SOCKET);
}

/* Returns 0, 1 when help was asked for, or -EINVAL. */
static int parse_args(int argc, char **argv, struct doc_args *a)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			doctor_usage(stdout);
			return 1;
		}
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			a->verbose = true;
		else if ((!strcmp(argv[i], "-s") ||
			  !strcmp(argv[i], "--socket")) &&
			 i + 1 < argc)
			a->socket = argv[++i];
		else if ((!strcmp(argv[i], "-g") ||
			  !strcmp(argv[i], "--gateway")) &&
			 i + 1 < argc)
			a->gateway = argv[++i];
		else if (argv[i][0] != '-' && !a->partition)
			a->partition = argv[i];
		else
			goto bad;
	}
	return 0;
bad:
	fprintf(stderr, "fabstat: doctor: unexpected '%s'\n", argv[i]);
	doctor_usage(stderr);
	return -EINVAL;
}

static int env_init(struct doc_env *e, const struct doc_args *a)
{
	e->socket = a->socket ? a->socket : default_socket();
	e->gw_name = a->gateway;
	e->verbose = a->verbose;
	env_fabricd(e);
	env_ib(e);
	if (env_gateway(e)) {
		fprintf(stderr,
			"fabstat: doctor: the policy has no gateway "
			"'%s'\n",
			a->gateway);
		return -ENOENT;
	}
	env_vlan_mode(e);
	if (getifaddrs(&e->ifa))
		e->ifa = NULL;
	return 0;
}

static int run_parts(const struct doc_env *e, const char *only)
{
	const struct policy *pol = e->o->policy;
	enum doc_result worst = DOC_OK;
	struct doc_part *p;
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
	return worst == DOC_PROBLEM   ? DIAG_PROBLEM :
	       worst == DOC_UNCHECKED ? DIAG_UNCHECKED :
					DIAG_OK;
}

int fabstat_doctor(const struct fabstat_opts *o, int argc, char **argv)
{
	struct doc_args a = { 0 };
	struct doc_env e = { .o = o };
	int ret, status = DIAG_UNCHECKED;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret > 0 ? DIAG_OK : DIAG_UNCHECKED;
	if (!o->policy) {
		fprintf(stderr, "fabstat: doctor needs the policy: give "
				"--policy FILE\n");
		return DIAG_UNCHECKED;
	}
	if (a.partition && !policy_find_partition(o->policy, a.partition)) {
		fprintf(stderr, "fabstat: doctor: no partition '%s' in %s\n",
			a.partition, o->policy->file);
		return DIAG_UNCHECKED;
	}
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

/* ---- what fabricd mirrors, for `fabstat ports` ---- */

static struct doc_env mirror_env;
static bool mirror_loaded;

static void mirror_load(const struct fabstat_opts *o)
{
	struct doc_env *e = &mirror_env;
	umad_port_t p;

	mirror_loaded = true;
	e->o = o;
	e->socket = default_socket();
	env_fabricd(e);
	if (umad_get_port(o->ca, o->port, &p) >= 0) {
		e->port_guid = be64toh(p.port_guid);
		umad_release_port(&p);
	}
	env_gateway(e);
	env_vlan_mode(e);
	if (getifaddrs(&e->ifa))
		e->ifa = NULL;
}

/* The kernel's operstate of @dev (an IPv4 label "up0:20" names up0). */
static const char *oper_state(const char *dev)
{
	static char buf[16];
	char name[IFNAMSIZ];
	struct doc_link l;

	util_strlcpy(name, dev, sizeof(name));
	name[strcspn(name, ":")] = '\0';
	link_read(name, &l);
	util_strlcpy(buf, l.exists ? l.oper : "absent", sizeof(buf));
	return buf;
}

/* One link or address of fabricd's reply, with the kernel's state. */
static void mirror_obj(json_t *v, const char *name_key, const char *dev_key)
{
	const char *name = jstr(v, name_key) ?: "?";
	const char *dev = dev_key ? jstr(v, dev_key) ?: "?" : name;

	out_open_object(NULL);
	out_string(PRINT_ANY, name_key, " %s", name);
	if (dev_key)
		out_string(PRINT_ANY, dev_key, " on %s", dev);
	out_string(PRINT_ANY, "status", " %s", jstr(v, "status") ?: "?");
	out_string(PRINT_ANY, "oper_state", "/%s;", oper_state(dev));
	out_close_object();
}

static void mirror_from_fabricd(json_t *fp)
{
	json_t *v;
	size_t i;

	out_string(PRINT_ANY, "state", " %s;", jstr(fp, "state") ?: "?");
	out_open_array("links");
	json_array_foreach(json_object_get(fp, "links"), i, v)
		mirror_obj(v, "name", NULL);
	out_close_array();
	out_open_array("addresses");
	json_array_foreach(json_object_get(fp, "addresses"), i, v)
		mirror_obj(v, "address", "dev");
	out_close_array();
}

/* Without fabricd: what it would have made, as the kernel has it. */
static void mirror_from_kernel(const struct policy_partition *part)
{
	const struct doc_env *e = &mirror_env;
	const struct policy_gw_addrs *ga = policy_gateway_addrs(e->gw, part);
	char dev[IFNAMSIZ], buf[64];
	const char *holder;
	size_t i;

	out_string(PRINT_ANY, "state", " %s;", "fabricd-not-running");
	out_open_array("links");
	if (e->vlan_mode)
		vlan_link_name(e->gw->uplink, part->vlan, dev);
	if (e->vlan_mode || ipoib_link_find(part->pkey, dev, sizeof(dev))) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "name", " %s", dev);
		out_string(PRINT_ANY, "oper_state", "/%s;", oper_state(dev));
		out_close_object();
	}
	out_close_array();
	out_open_array("addresses");
	for (i = 0; ga && i < ga->n_addrs; i++) {
		holder = addr_holder(e, &ga->addrs[i]);
		out_open_object(NULL);
		out_string(PRINT_ANY, "address", " %s",
			   policy_prefix_format(&ga->addrs[i], buf,
						sizeof(buf)));
		out_string(PRINT_ANY, "dev", " on %s", holder ?: "nothing");
		out_string(PRINT_ANY, "oper_state", "/%s;",
			   holder ? oper_state(holder) : "missing");
		out_close_object();
	}
	out_close_array();
}

void fabstat_mirror_print(const struct fabstat_opts *o,
			  const struct policy_partition *part)
{
	const struct doc_env *e = &mirror_env;
	json_t *fp;

	if (!mirror_loaded)
		mirror_load(o);
	if (!e->gw || !e->gw->uplink || !part->vlan)
		return;
	fp = e->fd_err ? NULL : fd_partition(e, part->name);
	out_open_object("mirror");
	out_text("\t\t\t ");
	out_string(PRINT_ANY, "source",
		   "mirror (%s):", fp ? "fabricd" : "kernel");
	if (fp)
		mirror_from_fabricd(fp);
	else
		mirror_from_kernel(part);
	out_nl();
	out_close_object();
}
