/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dummy ports, for tests (after Open vSwitch's netdev-dummy): a port with no
 * interface behind it. Frames reach it through the control socket
 * (port/inject PORT HEXFRAME...) and what the engine sends on it is kept
 * until read back (port/capture PORT), so the whole daemon (switching,
 * isolation, counters, port add/del) runs as an ordinary user, without
 * namespaces or root.
 *
 * fabricd registers the kind only with --dummy, and then also under the
 * name "netdev" (port_dummy_netdev_ops), so that the policy's ports and the
 * uplink open as dummy ports too (OVS's --enable-dummy=override).
 *
 * The kind's state (struct port_dummy_kind, registered with the kind: see
 * port_kind_register_priv()) lists its open ports, so that the control
 * commands find them by name. Threads: the forwarding thread receives and
 * sends; the control thread injects and captures. Each port has its own
 * lock, taken after the kind's.
 */
#ifndef ETH_PORT_DUMMY_H
#define ETH_PORT_DUMMY_H

#include "lib/port.h"

struct ctl_server;
struct port_dummy_kind;

/* Frames a port holds at most in each direction; more are dropped. */
#define PORT_DUMMY_MAX_QUEUE 256
/* The largest frame port/inject takes, in bytes. */
#define PORT_DUMMY_MAX_FRAME 9216

extern const struct port_ops port_dummy_ops; /* kind "dummy" */
extern const struct port_ops port_dummy_netdev_ops; /* the same, "netdev" */

/*
 * port_dummy_kind_create - the kind's state, to register with both ops.
 * Returns it, or NULL with errno set.
 */
struct port_dummy_kind *port_dummy_kind_create(void);

/* port_dummy_kind_destroy - free it once no port is open; accepts NULL. */
void port_dummy_kind_destroy(struct port_dummy_kind *k);

/*
 * port_dummy_inject - queue the @len bytes of @frame for reception on @k's
 * open port @name. Returns 0, -ENODEV when no dummy port of that name is
 * open, -EMSGSIZE, or -ENOBUFS when its queue is full (counted as
 * rx_dropped).
 */
int port_dummy_inject(struct port_dummy_kind *k, const char *name,
		      const void *frame, size_t len);

/*
 * port_dummy_register_commands - register port/inject and port/capture for
 * @k's ports on @srv. Returns 0 or a negative errno (-EINVAL: @k NULL).
 */
int port_dummy_register_commands(struct ctl_server *srv,
				 struct port_dummy_kind *k);

#endif /* ETH_PORT_DUMMY_H */
