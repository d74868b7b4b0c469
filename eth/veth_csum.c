// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The peer is found by rtnetlink: IFLA_LINK (its ifindex) and
 * IFLA_LINK_NETNSID (its namespace, as an id of ours). The namespace
 * itself is looked up among /run/netns and /proc/PID/ns/net by asking the
 * kernel each one's id (RTM_GETNSID); a socket made in it asks the peer's
 * tx checksumming (ETHTOOL_GTXCSUM: any of NETIF_F_CSUM_MASK).
 */
#include "eth/veth_csum.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#define WHY_ON                                                              \
	"AF_PACKET with the vnet header: the veth peer may send partial "   \
	"checksums (its tx-checksumming is on), which AF_XDP and the fast " \
	"path cannot carry"
#define WHY_UNKNOWN                                                     \
	"AF_PACKET with the vnet header: cannot tell whether the veth " \
	"peer sends partial checksums (peer or its namespace not found)"
#define WHY_NO_SETNS                                                       \
	"AF_PACKET with the vnet header: cannot tell whether the veth "    \
	"peer sends partial checksums (cannot enter its namespace: needs " \
	"CAP_SYS_ADMIN)"

/* The peer's ifindex and namespace id (-1: ours) of veth @ifname. */
static int veth_peer(const char *ifname, int *peer, int *nsid)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL;
	const char *type;
	int32_t id;
	int ret;

	if (!sk)
		return -ENOMEM;
	ret = nl_connect(sk, NETLINK_ROUTE)		 ? -EIO :
	      rtnl_link_get_kernel(sk, 0, ifname, &link) ? -ENODEV :
							   0;
	nl_socket_free(sk);
	if (ret)
		return ret;
	type = rtnl_link_get_type(link);
	ret = type && !strcmp(type, "veth") ? 1 : 0;
	*peer = rtnl_link_get_link(link);
	*nsid = rtnl_link_get_link_netnsid(link, &id) < 0 ? -1 : id;
	rtnl_link_put(link);
	return ret;
}

/* The id our namespace gives namespace @fd (RTM_GETNSID), or -1. */
static int nsid_of(int nl, int fd)
{
	struct {
		struct nlmsghdr n;
		struct rtgenmsg g;
		char pad[3];
		struct nlattr a;
		uint32_t fd;
	} req = {
		.n = { .nlmsg_len = sizeof(req),
		       .nlmsg_type = RTM_GETNSID,
		       .nlmsg_flags = NLM_F_REQUEST },
		.g = { .rtgen_family = AF_UNSPEC },
		.a = { .nla_len = NLA_HDRLEN + 4, .nla_type = NETNSA_FD },
		.fd = (uint32_t)fd,
	};
	char buf[256];
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct nlattr *a;
	ssize_t len;
	int rem;

	if (send(nl, &req, sizeof(req), 0) < 0)
		return -1;
	len = recv(nl, buf, sizeof(buf), 0);
	if (len < (ssize_t)NLMSG_LENGTH(sizeof(struct rtgenmsg)) ||
	    !NLMSG_OK(n, (unsigned int)len) || n->nlmsg_type != RTM_NEWNSID)
		return -1;
	a = (struct nlattr *)((char *)NLMSG_DATA(n) +
			      NLMSG_ALIGN(sizeof(struct rtgenmsg)));
	rem = (int)n->nlmsg_len - (int)((char *)a - buf);
	for (;
	     rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == NETNSA_NSID)
			return *(int32_t *)((char *)a + NLA_HDRLEN);
	return -1;
}

/* An fd of the namespace in directory @dir (entry/@leaf) with id @nsid. */
static int ns_in(int nl, const char *dir, const char *leaf, int nsid, bool pids)
{
	char path[300];
	struct dirent *de;
	DIR *d = opendir(dir);
	int fd = -1;

	if (!d)
		return -1;
	while (fd < 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    (pids && (de->d_name[0] < '0' || de->d_name[0] > '9')))
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name, leaf);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && nsid_of(nl, fd) != nsid) {
			close(fd);
			fd = -1;
		}
	}
	closedir(d);
	return fd;
}

/* An fd of the namespace our namespace calls @nsid, or -1. */
static int ns_open(int nsid)
{
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct timeval tv = { .tv_sec = 1 };
	int fd;

	if (nl < 0)
		return -1;
	setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	fd = ns_in(nl, "/run/netns", "", nsid, false);
	if (fd < 0)
		fd = ns_in(nl, "/proc", "/ns/net", nsid, true);
	close(nl);
	return fd;
}

/*
 * A datagram socket in namespace @nsid (-1: ours), or -1 (*@why: the
 * reason when it is not "not found").
 */
static int socket_in(int nsid, const char **why)
{
	int ns, self, s;

	if (nsid < 0)
		return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ns = ns_open(nsid);
	if (ns < 0)
		return -1;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	s = -1;
	if (self < 0)
		goto out;
	if (setns(ns, CLONE_NEWNET)) {
		if (errno == EPERM)
			*why = WHY_NO_SETNS;
	} else {
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (setns(self, CLONE_NEWNET))
			abort(); /* never leave the thread in the peer's */
	}
	close(self);
out:
	close(ns);
	return s;
}

/* The tx checksumming of @ifindex in @s's namespace: 1 on, 0 off, -1. */
static int tx_csum(int s, int ifindex)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GTXCSUM };
	struct ifreq ifr = { .ifr_ifindex = ifindex };

	if (ioctl(s, SIOCGIFNAME, &ifr))
		return -1;
	ifr.ifr_data = (void *)&ev;
	if (ioctl(s, SIOCETHTOOL, &ifr))
		return -1;
	return ev.data ? 1 : 0;
}

int veth_csum_partial(const char *ifname, const char **why)
{
	const char *unknown = WHY_UNKNOWN;
	int peer = 0, nsid = -1, s, on = -1;

	if (veth_peer(ifname, &peer, &nsid) <= 0)
		return 0; /* not a veth: the wire's frames are finished */
	s = peer > 0 ? socket_in(nsid, &unknown) : -1;
	if (s >= 0) {
		on = tx_csum(s, peer);
		close(s);
	}
	if (!on)
		return 0;
	*why = on > 0 ? WHY_ON : unknown;
	return 1;
}
