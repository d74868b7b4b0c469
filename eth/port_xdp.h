/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * AF_XDP for netdev ports: the engine's buffer pool is the UMEM, so a frame
 * is received into a pool buffer and sent from it with no copy in user
 * space. A 6-instruction XDP program (loaded with bpf(2), no libbpf)
 * redirects queue 0 of the interface to the socket; it is attached through
 * a BPF link, so it goes away with the port, even when fabricd dies.
 * Copy mode (XDP_COPY): the kernel copies between skb/driver and UMEM,
 * which every driver (veth, tap) supports.
 */
#ifndef ETH_PORT_XDP_H
#define ETH_PORT_XDP_H

#include "lib/port.h"

extern const struct port_ops port_xdp_ops;

/*
 * port_xdp_open - open netdev port @p through AF_XDP; on success @p->ops is
 * &port_xdp_ops. Returns 0 or a negative errno (@p untouched): the caller
 * falls back to AF_PACKET.
 */
int port_xdp_open(struct port *p);

#endif /* ETH_PORT_XDP_H */
