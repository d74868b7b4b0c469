/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Whether a veth's peer may hand us partial checksums. A network stack
 * with tx-checksumming on (a container or namespace with default
 * offloads, another fabricd's AF_PACKET trunk) sends its TCP and UDP
 * segments through a veth as CHECKSUM_PARTIAL skbs; AF_XDP and XDP
 * redirect drop that state, so the far host gets unfinished checksums.
 * AF_PACKET with the virtio-net header carries it (eth/vnet.h). With tx
 * checksumming off on the peer, the kernel finishes every checksum before
 * the veth: such a peer is safe for AF_XDP and the fast path.
 */
#ifndef ETH_VETH_CSUM_H
#define ETH_VETH_CSUM_H

/*
 * veth_csum_partial - may the peer of interface @ifname (in our network
 * namespace) send partial checksums? 0: no (not a veth, or its peer's tx
 * checksumming is off); 1: yes, or it cannot be found out (the peer or its
 * namespace not found): then *@why says which, for status.
 */
int veth_csum_partial(const char *ifname, const char **why);

#endif /* ETH_VETH_CSUM_H */
