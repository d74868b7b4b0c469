/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The list of every port kind fabricd knows, in one place (like rdma-core's
 * libibverbs/all_providers.c): the only file that names eth/ and ipoib/
 * kinds together, so lib/port.c and the engine core stay kind-free.
 */
#ifndef FABRICD_PORT_KINDS_H
#define FABRICD_PORT_KINDS_H

#include <stdbool.h>

/*
 * port_kinds_register - register netdev, tap and ipoib with lib/port, and
 * af_xdp, which netdev ports then try first, unless the environment sets
 * FABRICD_NO_XDP (not empty, not "0"). With @dummy (fabricd --dummy, for
 * tests) the dummy kind is registered too and stands in for netdev, without
 * af_xdp (eth/port_dummy.h). Idempotent; call it at start-up before any
 * thread opens a port. Returns 0 or a negative errno.
 */
int port_kinds_register(bool dummy);

#endif /* FABRICD_PORT_KINDS_H */
