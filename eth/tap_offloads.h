/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The offloads a tap's reader negotiated (TUNSETOFFLOAD), read back from
 * the kernel: TUNSETOFFLOAD turns them into the tap interface's features
 * (tx-checksum-ip-generic, tx-tcp-segmentation, ...), which ethtool reads
 * as well. For a tap QEMU holds, they are what the guest's virtio-net
 * accepted; for one fabricd holds, what fabricd asked for and got.
 */
#ifndef ETH_TAP_OFFLOADS_H
#define ETH_TAP_OFFLOADS_H

#include <stdint.h>

/*
 * tap_offloads_read - the VNET_TUN_F_* (eth/vnet.h) that tap @ifname has
 * negotiated, into *@ol (USO4 and USO6 share one feature: both or none;
 * UFO has none any more). Returns 0, -ENODEV, or another -errno.
 */
int tap_offloads_read(const char *ifname, uint32_t *ol);

#endif /* ETH_TAP_OFFLOADS_H */
