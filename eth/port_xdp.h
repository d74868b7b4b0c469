/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The af_xdp port kind, which accelerates netdev (lib/port.h): port_open()
 * of a netdev port tries it first and falls back to AF_PACKET when its open
 * fails (no AF_XDP, no BPF, more than one receive queue, a tap, a veth whose
 * peer may send partial checksums: eth/veth_csum.h). Mode "af_xdp", or
 * "af_xdp_generic" when the program runs in the kernel's generic (skb) XDP
 * path. The engine's buffer pool is the UMEM, so a frame
 * is received into a pool buffer and sent from it with no copy in user
 * space. The XDP program of eth/xdp_fast.h (libbpf) redirects queue 0 of
 * the interface to the socket, or forwards known unicast in the kernel
 * once the engine turns its fast path on; it is attached through a BPF
 * link, so it goes away with the port, even when fabricd dies.
 * Copy mode (XDP_COPY): the kernel copies between skb/driver and UMEM,
 * which every driver (veth, tap) supports.
 */
#ifndef ETH_PORT_XDP_H
#define ETH_PORT_XDP_H

#include "lib/port.h"

extern const struct port_ops port_xdp_ops;

#endif /* ETH_PORT_XDP_H */
