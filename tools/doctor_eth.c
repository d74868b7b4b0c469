// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabstat doctor, the Ethernet side (see doctor_eth.h): links through
 * sysfs, addresses through getifaddrs.
 */
#include "tools/doctor_eth.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/ib.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "tools/diag.h"
#include "tools/doctor.h"
#include "tools/fabstat.h"

#define IPOIB_HDR_LEN 4 /* RFC 4391 encapsulation header */

/* ---- the kernel ---- */

struct link {
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

static void link_read(const char *dev, struct link *l)
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

/* getifaddrs() names an IPv4 address by its label. */
const char *doctor_eth_addr_holder(const struct ifaddrs *ifa,
				   const struct policy_prefix *a)
{
	const struct ifaddrs *i;

	for (i = ifa; i; i = i->ifa_next)
		if (ifa_matches(i, a))
			return i->ifa_name;
	return NULL;
}

bool doctor_eth_ipoib_link(uint16_t base, char *out, size_t len)
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
		    (v & IB_PKEY_BASE_MASK) != base || v == 0xffff)
			continue;
		util_strlcpy(out, i->ifa_name, len);
		found = true;
	}
	freeifaddrs(all);
	return found;
}

void doctor_eth_vlan_link(const char *uplink, unsigned int vid, char *out)
{
	char suffix[8];

	snprintf(suffix, sizeof(suffix), "%u", vid);
	util_link_name(out, uplink, suffix);
}

const char *doctor_eth_oper_state(const char *dev)
{
	static char buf[16];
	char name[IFNAMSIZ];
	struct link l;

	util_strlcpy(name, dev, sizeof(name));
	name[strcspn(name, ":")] = '\0';
	link_read(name, &l);
	util_strlcpy(buf, l.exists ? l.oper : "absent", sizeof(buf));
	return buf;
}

/* 802.1Q links, or addresses on the uplink itself (as fabricd does). */
void doctor_eth_read(struct doctor_env *e)
{
	json_t *sup = json_object_get(json_object_get(e->fd_status, "vlan"),
				      "supported");

	if (json_is_boolean(sup))
		e->vlan_mode = json_is_true(sup);
	else
		e->vlan_mode = !access("/proc/net/vlan/config", F_OK);
	if (getifaddrs(&e->ifa))
		e->ifa = NULL;
}

/* ---- the checks ---- */

/* The MTU IPoIB delivers: its child link's, else the IB MTU - 4. */
static unsigned int ipoib_mtu(const struct doctor_env *e,
			      const struct doctor_part *p, char *why,
			      size_t len)
{
	char dev[IFNAMSIZ];
	struct link l;
	unsigned int ib;

	if (doctor_eth_ipoib_link(p->part->pkey, dev, sizeof(dev))) {
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

static void check_mtu_budget(const struct doctor_env *e, struct doctor_part *p)
{
	struct link l;
	struct doctor_check *c;
	unsigned int need;
	char why[64];

	link_read(p->eth_dev, &l);
	if (!l.exists)
		return;
	need = ipoib_mtu(e, p, why, sizeof(why));
	if (l.mtu >= need) {
		doctor_add(p, "mtu-budget", DOCTOR_OK,
			   "%s MTU %u >= IPoIB %u (%s)", p->eth_dev, l.mtu,
			   need, why);
		return;
	}
	c = doctor_add(
		p, "mtu-budget", DOCTOR_PROBLEM,
		"%s's MTU %u is below IPoIB's %u (%s): larger packets from InfiniBand are dropped",
		p->eth_dev, l.mtu, need, why);
	if (strcmp(p->eth_dev, e->gw->uplink))
		doctor_fix(
			c,
			"ip link set dev %s mtu %u && ip link set dev %s mtu %u",
			e->gw->uplink, need, p->eth_dev, need);
	else
		doctor_fix(c, "ip link set dev %s mtu %u", p->eth_dev, need);
}

/* Link @dev must exist and be up; @what: "uplink", "vlan-link". */
static bool check_link(struct doctor_part *p, const char *what, const char *dev,
		       const char *fix_missing)
{
	struct link l;
	struct doctor_check *c;

	link_read(dev, &l);
	if (!l.exists) {
		c = doctor_add(p, what, DOCTOR_PROBLEM, "%s does not exist",
			       dev);
		doctor_fix(c, "%s", fix_missing);
		return false;
	}
	if (!l.up) {
		c = doctor_add(p, what, DOCTOR_PROBLEM, "%s is down (%s)", dev,
			       l.oper);
		doctor_fix(c, "ip link set dev %s up", dev);
		return false;
	}
	doctor_add(p, what, DOCTOR_OK, "%s up, mtu %u", dev, l.mtu);
	return true;
}

/* The uplink, then the VLAN link; false when the uplink is unusable. */
static bool check_links(const struct doctor_env *e, struct doctor_part *p)
{
	char buf[DOCTOR_TEXT], vlan[IFNAMSIZ];

	snprintf(buf, sizeof(buf), "fix 'uplink: %s' of gateway %s in %s",
		 e->gw->uplink, e->gw->name, e->o->policy->file);
	if (!check_link(p, "uplink", e->gw->uplink, buf))
		return false;
	if (!e->vlan_mode) {
		doctor_add(
			p, "vlan-link", DOCTOR_SKIPPED,
			"no 802.1Q in this kernel: the addresses go on %s (label %s:%u)",
			e->gw->uplink, e->gw->uplink, p->part->vlan);
		return true;
	}
	doctor_eth_vlan_link(e->gw->uplink, p->part->vlan, vlan);
	util_strlcpy(p->eth_dev, vlan, sizeof(p->eth_dev));
	check_link(p, "vlan-link", vlan,
		   e->fd_err ? "start fabricd (it re-creates what it owns)" :
			       "fabricctl call reconcile");
	return true;
}

static void addr_problem(const struct doctor_env *e, struct doctor_part *p,
			 const struct policy_prefix *a, const char *where)
{
	struct doctor_check *c;
	char buf[64], label[IFNAMSIZ + 8] = "";

	policy_prefix_format(a, buf, sizeof(buf));
	if (a->family == AF_INET)
		snprintf(label, sizeof(label), " label %s:%u", p->eth_dev,
			 p->part->vlan);
	if (where)
		c = doctor_add(p, "address", DOCTOR_PROBLEM,
			       "%s is on %s, not on %s", buf, where,
			       p->eth_dev);
	else
		c = doctor_add(p, "address", DOCTOR_PROBLEM,
			       "%s is missing on %s", buf, p->eth_dev);
	if (e->fd_err)
		doctor_fix(c,
			   "start fabricd, or by hand: ip addr add %s dev %s%s",
			   buf, p->eth_dev, label);
	else
		doctor_fix(
			c,
			"fabricctl call reconcile (or: ip addr add %s dev %s%s)",
			buf, p->eth_dev, label);
}

/* The holder is right when it is the device or one of its labels. */
static bool holder_is(const char *holder, const char *dev)
{
	size_t n = strlen(dev);

	return !strncmp(holder, dev, n) &&
	       (holder[n] == '\0' || holder[n] == ':');
}

static void check_addrs(const struct doctor_env *e, struct doctor_part *p)
{
	const char *holder;
	size_t i, ok = 0;

	for (i = 0; p->addrs && i < p->addrs->n_addrs; i++) {
		const struct policy_prefix *a = &p->addrs->addrs[i];

		holder = doctor_eth_addr_holder(e->ifa, a);
		if (!holder || !holder_is(holder, p->eth_dev)) {
			addr_problem(e, p, a, holder);
			continue;
		}
		ok++;
	}
	if (ok && ok == p->addrs->n_addrs)
		doctor_add(p, "address", DOCTOR_OK, "%zu address%s on %s", ok,
			   ok == 1 ? "" : "es", p->eth_dev);
}

bool doctor_eth_check(const struct doctor_env *e, struct doctor_part *p)
{
	bool uplink_ok;

	util_strlcpy(p->eth_dev, e->gw->uplink, sizeof(p->eth_dev));
	uplink_ok = check_links(e, p);
	check_mtu_budget(e, p);
	check_addrs(e, p);
	return uplink_ok;
}
