// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "fabricd/engine/ifcheck.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

static void fill_info(struct rtnl_link *link, struct ifcheck_info *info)
{
	const char *type = rtnl_link_get_type(link);
	int32_t nsid;

	memset(info, 0, sizeof(*info));
	info->ifindex = rtnl_link_get_ifindex(link);
	info->arptype = rtnl_link_get_arptype(link);
	info->loopback = rtnl_link_get_flags(link) & IFF_LOOPBACK;
	info->veth = type && !strcmp(type, "veth");
	/* IFLA_LINK_NETNSID: the peer lives in another namespace. */
	if (info->veth && rtnl_link_get_link_netnsid(link, &nsid) < 0)
		info->peer_ifindex = rtnl_link_get_link(link);
}

int ifcheck_query(const char *name, struct ifcheck_info *info)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL;
	int ret;

	if (!sk)
		return -ENOMEM;
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (ret) {
		ret = -EIO;
		goto out;
	}
	ret = rtnl_link_get_kernel(sk, 0, name, &link);
	if (ret == -NLE_OBJ_NOTFOUND || ret == -NLE_NODEV) {
		ret = -ENODEV;
		goto out;
	}
	if (ret) {
		ret = -EIO;
		goto out;
	}
	fill_info(link, info);
	rtnl_link_put(link);
out:
	nl_socket_free(sk);
	return ret;
}
