/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tap ports: fabricd creates the tap (or attaches to a persistent one) and
 * holds its file descriptor; the network interface side goes to the
 * workload (a container, a namespace). Frames are read into and written
 * from pool buffers: the kernel copies, user space never does.
 */
#ifndef ETH_PORT_TAP_H
#define ETH_PORT_TAP_H

#include "lib/port.h"

extern const struct port_ops port_tap_ops;

#endif /* ETH_PORT_TAP_H */
