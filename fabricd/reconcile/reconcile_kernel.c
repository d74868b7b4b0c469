// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reading and changing links and addresses with libnl-route-3. */
#include "fabricd/reconcile/reconcile_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vlan.h>

#include "lib/util.h"

#ifndef IFLA_IPOIB_PKEY
#define IFLA_IPOIB_PKEY 1
#endif

int rc_nle_errno(int nle)
{
	static const int map[][2] = {
		{ NLE_NOMEM, ENOMEM },
		{ NLE_AGAIN, EAGAIN },
		{ NLE_EXIST, EEXIST },
		{ NLE_OPNOTSUPP, EOPNOTSUPP },
		{ NLE_OBJ_NOTFOUND, ENOENT },
		{ NLE_PERM, EPERM },
		{ NLE_BUSY, EBUSY },
		{ NLE_INVAL, EINVAL },
		{ NLE_NODEV, ENODEV },
		{ NLE_MSGSIZE, EMSGSIZE },
		{ NLE_NOACCESS, EACCES },
		{ NLE_RANGE, ERANGE },
		{ NLE_BAD_SOCK, EBADF },
		{ NLE_INTR, EINTR },
		{ NLE_AF_NOSUPPORT, EAFNOSUPPORT },
		{ NLE_DUMP_INTR, EINTR },
	};
	size_t i;

	if (nle < 0)
		nle = -nle;
	if (!nle)
		return 0;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i][0] == nle)
			return -map[i][1];
	return -EIO;
}

static uint16_t ipoib_pkey_sysfs(const char *name)
{
	char path[96], *buf = NULL;
	uint64_t v = 0;
	size_t len;

	snprintf(path, sizeof(path), "/sys/class/net/%s/pkey", name);
	if (util_read_file(path, &buf, &len))
		return 0;
	buf[strcspn(buf, "\n")] = '\0';
	util_parse_u64(buf, 0xffff, &v);
	free(buf);
	return (uint16_t)v;
}

static void link_from_nl(struct rtnl_link *nl, struct rc_link *l,
			 const struct rc_set *owned)
{
	const char *type = rtnl_link_get_type(nl);
	const struct rc_link *o;

	memset(l, 0, sizeof(*l));
	util_strlcpy(l->name, rtnl_link_get_name(nl), sizeof(l->name));
	l->ifindex = rtnl_link_get_ifindex(nl);
	l->parent_ifindex = rtnl_link_get_link(nl);
	l->up = rtnl_link_get_flags(nl) & IFF_UP;
	if (type && !strcmp(type, "vlan")) {
		l->kind = RC_LINK_VLAN;
		l->id = (uint16_t)rtnl_link_vlan_get_id(nl);
	} else if (type && !strcmp(type, "ipoib")) {
		l->kind = RC_LINK_IPOIB;
		l->id = ipoib_pkey_sysfs(l->name);
	}
	if (rc_alias_owned(rtnl_link_get_ifalias(nl), l->partition,
			   sizeof(l->partition)))
		l->marked = true;
	else if (l->kind != RC_LINK_OTHER &&
		 (o = rc_set_find_link(owned, l->name)))
		util_strlcpy(l->partition, o->partition, sizeof(l->partition));
}

/* Fill in parent names, once every link is known. */
static void resolve_parents(struct rc_set *actual)
{
	size_t i, j;

	for (i = 0; i < actual->n_links; i++) {
		struct rc_link *l = &actual->links[i];

		if (l->kind == RC_LINK_OTHER || !l->parent_ifindex)
			continue;
		for (j = 0; j < actual->n_links; j++)
			if (actual->links[j].ifindex == l->parent_ifindex)
				util_strlcpy(l->parent, actual->links[j].name,
					     sizeof(l->parent));
	}
}

int rc_kernel_read_links(struct nl_sock *sk, struct rc_set *actual,
			 const struct rc_set *owned)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	struct rc_link l;
	int ret;

	actual->n_links = 0;
	ret = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (ret < 0)
		return rc_nle_errno(ret);
	for (obj = nl_cache_get_first(cache); obj && !ret;
	     obj = nl_cache_get_next(obj)) {
		link_from_nl((struct rtnl_link *)obj, &l, owned);
		ret = rc_set_add_link(actual, &l);
	}
	nl_cache_free(cache);
	resolve_parents(actual);
	return ret;
}

static const char *ifname_of(const struct rc_set *actual, int ifindex,
			     size_t *hint)
{
	size_t i, n = actual->n_links;

	/* Dumps come in ifindex order for both; start where we left off. */
	for (i = 0; i < n; i++) {
		size_t k = (*hint + i) % n;

		if (actual->links[k].ifindex == ifindex) {
			*hint = k;
			return actual->links[k].name;
		}
	}
	return NULL;
}

static int addr_from_nl(struct rtnl_addr *nl, struct rc_addr *a,
			const struct rc_set *actual, size_t *hint)
{
	struct nl_addr *local = rtnl_addr_get_local(nl);
	const char *dev = ifname_of(actual, rtnl_addr_get_ifindex(nl), hint);
	const char *label = rtnl_addr_get_label(nl);
	unsigned int len;

	memset(a, 0, sizeof(*a));
	a->family = rtnl_addr_get_family(nl);
	if (!local || !dev || (a->family != AF_INET && a->family != AF_INET6))
		return -ENOENT;
	len = nl_addr_get_len(local);
	if (len > sizeof(a->addr))
		return -ENOENT;
	memcpy(a->addr, nl_addr_get_binary_addr(local), len);
	a->plen = (uint8_t)rtnl_addr_get_prefixlen(nl);
	util_strlcpy(a->dev, dev, sizeof(a->dev));
	if (label)
		util_strlcpy(a->label, label, sizeof(a->label));
	return 0;
}

int rc_kernel_read_addrs(struct nl_sock *sk, struct rc_set *actual)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	struct rc_addr a;
	size_t hint = 0;
	int ret;

	actual->n_addrs = 0;
	ret = rtnl_addr_alloc_cache(sk, &cache);
	if (ret < 0)
		return rc_nle_errno(ret);
	for (obj = nl_cache_get_first(cache); obj && !ret;
	     obj = nl_cache_get_next(obj))
		if (!addr_from_nl((struct rtnl_addr *)obj, &a, actual, &hint))
			ret = rc_set_add_addr(actual, &a);
	nl_cache_free(cache);
	return ret;
}

/* IPoIB children: libnl 3.7 has no ipoib link type, so build it here. */
static int msg_ipoib_add(const struct rc_link *l, int parent_ifindex,
			 struct nl_msg **msg)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	struct nlattr *info, *data;
	struct nl_msg *m;

	m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(m, IFLA_IFNAME, l->name) < 0 ||
	    nla_put_u32(m, IFLA_LINK, parent_ifindex) < 0 ||
	    !(info = nla_nest_start(m, IFLA_LINKINFO)) ||
	    nla_put_string(m, IFLA_INFO_KIND, "ipoib") < 0 ||
	    !(data = nla_nest_start(m, IFLA_INFO_DATA)) ||
	    nla_put_u16(m, IFLA_IPOIB_PKEY, l->id) < 0) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	nla_nest_end(m, data);
	nla_nest_end(m, info);
	*msg = m;
	return 0;
}

int rc_msg_link_add(const struct rc_link *l, int parent_ifindex,
		    struct nl_msg **msg)
{
	struct rtnl_link *nl;
	int ret;

	if (l->kind == RC_LINK_IPOIB)
		return msg_ipoib_add(l, parent_ifindex, msg);
	nl = rtnl_link_vlan_alloc();
	if (!nl)
		return -ENOMEM;
	rtnl_link_set_name(nl, l->name);
	rtnl_link_set_link(nl, parent_ifindex);
	rtnl_link_vlan_set_id(nl, l->id);
	rtnl_link_set_flags(nl, IFF_UP);
	ret = rtnl_link_build_add_request(nl, NLM_F_CREATE | NLM_F_EXCL, msg);
	rtnl_link_put(nl);
	return rc_nle_errno(ret);
}

int rc_msg_link_fix(const struct rc_link *l, struct nl_msg **msg)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	char alias[sizeof(RC_ALIAS_PREFIX) + RC_PART_NAME_MAX];
	struct nl_msg *m;

	snprintf(alias, sizeof(alias), RC_ALIAS_PREFIX "%s", l->partition);
	m = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(m, IFLA_IFNAME, l->name) < 0 ||
	    nla_put_string(m, IFLA_IFALIAS, alias) < 0) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	*msg = m;
	return 0;
}

int rc_msg_link_del(const struct rc_link *l, struct nl_msg **msg)
{
	struct rtnl_link *nl = rtnl_link_alloc();
	int ret;

	if (!nl)
		return -ENOMEM;
	rtnl_link_set_ifindex(nl, l->ifindex);
	ret = rtnl_link_build_delete_request(nl, msg);
	rtnl_link_put(nl);
	return rc_nle_errno(ret);
}

int rc_msg_addr(const struct rc_addr *a, int ifindex, bool add,
		struct nl_msg **msg)
{
	struct rtnl_addr *nl = rtnl_addr_alloc();
	struct nl_addr *local;
	int ret = -ENOMEM;

	if (!nl)
		return -ENOMEM;
	local = nl_addr_build(a->family, a->addr,
			      a->family == AF_INET ? 4 : 16);
	if (!local)
		goto out;
	nl_addr_set_prefixlen(local, a->plen);
	rtnl_addr_set_ifindex(nl, ifindex);
	rtnl_addr_set_family(nl, a->family);
	ret = rtnl_addr_set_local(nl, local);
	if (!ret && add && a->family == AF_INET && a->label[0])
		ret = rtnl_addr_set_label(nl, a->label);
	if (!ret)
		rtnl_addr_set_prefixlen(nl, a->plen);
	if (!ret)
		ret = add ? rtnl_addr_build_add_request(
				    nl, NLM_F_CREATE | NLM_F_EXCL, msg) :
			    rtnl_addr_build_delete_request(nl, 0, msg);
	nl_addr_put(local);
out:
	rtnl_addr_put(nl);
	return rc_nle_errno(ret);
}

int rc_kernel_promote_secondaries(const char *dev)
{
	char path[128], *buf = NULL;
	size_t len;
	int ret;

	snprintf(path, sizeof(path),
		 "/proc/sys/net/ipv4/conf/%s/promote_secondaries", dev);
	ret = util_read_file(path, &buf, &len);
	if (ret)
		return ret;
	ret = buf[0] == '1' ? 0 : 1;
	free(buf);
	if (ret) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		if (write(fd, "1\n", 2) != 2)
			ret = -errno;
		close(fd);
	}
	return ret;
}
