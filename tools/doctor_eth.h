/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabstat doctor and `fabstat ports`, the Ethernet side: the kernel's links
 * (sysfs) and addresses (getifaddrs), named as fabricd names what it makes,
 * and the checks of a partition's uplink, VLAN link, MTU and addresses.
 */
#ifndef FABRIC_DOCTOR_ETH_H
#define FABRIC_DOCTOR_ETH_H

#include <ifaddrs.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct doctor_env;
struct doctor_part;
struct policy_prefix;

/*
 * doctor_eth_read - into @e: whether fabricd makes 802.1Q links (as its
 * status says, else whether the kernel has 802.1Q) and the host's
 * addresses. Call after fabricd was asked.
 */
void doctor_eth_read(struct doctor_env *e);

/*
 * doctor_eth_addr_holder - the device that holds address @a (for IPv4 its
 * label, "up0:20"), from the list @ifa, or NULL.
 */
const char *doctor_eth_addr_holder(const struct ifaddrs *ifa,
				   const struct policy_prefix *a);

/*
 * doctor_eth_ipoib_link - the netdev whose IPoIB PKey (sysfs "pkey") is
 * partition @base's, into @out. Returns false when there is none.
 */
bool doctor_eth_ipoib_link(uint16_t base, char *out, size_t len);

/* doctor_eth_vlan_link - fabricd's VLAN link name "<uplink>.<vid>". */
void doctor_eth_vlan_link(const char *uplink, unsigned int vid, char *out);

/*
 * doctor_eth_oper_state - the kernel's operstate of @dev ("up", "down",
 * or "absent"); an IPv4 label "up0:20" names up0. Returns a static buffer.
 */
const char *doctor_eth_oper_state(const char *dev);

/*
 * doctor_eth_check - the Ethernet checks of a partition this gateway
 * serves: uplink, vlan-link, mtu-budget and address. Sets p->eth_dev.
 * Returns false when the uplink is missing or down.
 */
bool doctor_eth_check(const struct doctor_env *e, struct doctor_part *p);

#endif /* FABRIC_DOCTOR_ETH_H */
