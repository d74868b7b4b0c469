/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * netdev ports: attach to an existing interface by name (a VM's tap made by
 * libvirt, a veth, the physical uplink) through AF_PACKET; where the kind
 * af_xdp is registered and the kernel allows it, port_open() opens the
 * interface through it instead (eth/port_xdp.h). Receive uses an AF_PACKET
 * TPACKET_V3 ring whose frames are lent to the engine in place (no copy),
 * or on a tap recvmmsg() into pool buffers, frame by frame; send uses
 * sendmmsg() straight from the frame's buffer, one system call per burst.
 * Frames carry the virtio-net header both ways. Mode "af_packet+vnet".
 */
#ifndef ETH_PORT_NETDEV_H
#define ETH_PORT_NETDEV_H

#include <stdbool.h>

#include "lib/port.h"

extern const struct port_ops port_netdev_ops;

/*
 * port_netdev_is_tap - true when @ifname is a tun/tap interface (a VM's
 * vNIC): its port reads each frame with its virtio-net header as it comes.
 */
bool port_netdev_is_tap(const char *ifname);

#endif /* ETH_PORT_NETDEV_H */
