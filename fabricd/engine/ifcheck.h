/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the kernel says about a network interface before fabricd makes it a
 * port of its engine: its link type, loopback or not, and its veth peer
 * (rtnetlink, in fabricd's own namespace). Its name: lib/ifname.h.
 */
#ifndef FABRICD_ENGINE_IFCHECK_H
#define FABRICD_ENGINE_IFCHECK_H

#include <stdbool.h>

/* One interface, as RTM_GETLINK answers. */
struct ifcheck_info {
	int ifindex;
	unsigned int arptype; /* ARPHRD_* */
	bool loopback; /* IFF_LOOPBACK */
	bool veth;
	int peer_ifindex; /* veth peer in this namespace; 0: none or elsewhere */
};

/*
 * ifcheck_query - fill @info for interface @name. Returns 0, -ENODEV when
 * there is no such interface, or another negative errno.
 */
int ifcheck_query(const char *name, struct ifcheck_info *info);

#endif /* FABRICD_ENGINE_IFCHECK_H */
