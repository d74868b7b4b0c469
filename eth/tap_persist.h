/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Taps fabricd makes for a hypervisor to open (the policy's create: tap):
 * persistent, with the virtio-net header, multi-queue when asked, owned by
 * a user and group, so that QEMU opens them unprivileged with
 * `-netdev tap,ifname=NAME,script=no,downscript=no[,queues=N]`. fabricd
 * holds no queue of its own: it reads the tap's interface side (AF_PACKET,
 * the netdev kind), which sees the frames of every queue.
 *
 * Ownership survives a crash: a tap fabricd made carries the alias
 * "fabricd-tap" (set before it is made persistent: a crash earlier leaves
 * nothing, the tap dies with the descriptor), so the next start adopts it
 * or, when the policy no longer lists it, removes it.
 */
#ifndef ETH_TAP_PERSIST_H
#define ETH_TAP_PERSIST_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define TAP_PERSIST_ALIAS "fabricd-tap"

/* One tap as the policy wants it. */
struct tap_persist {
	char name[IF_NAMESIZE];
	long uid; /* owner; -1: none (root only) */
	long gid; /* group; -1: none */
	unsigned int queues; /* 1: single queue, more: IFF_MULTI_QUEUE */
};

/*
 * tap_persist_ensure - make tap @t exist as described: create it (up,
 * marked, persistent) or adopt the one fabricd made before, setting its
 * owner and group when they differ, and making it again when its queue
 * mode differs. Returns 0; -EEXIST when an interface of that name is not a
 * tap fabricd made (it is left alone); -EBUSY when the owner of a
 * single-queue tap that a VM holds cannot change until it lets go; or
 * another -errno.
 */
int tap_persist_ensure(const struct tap_persist *t);

/*
 * tap_persist_remove - delete tap @name if fabricd made it, as libvirt
 * does when a domain stops: a VM that still holds it loses the device.
 * Returns 0, -ENOENT (no such tap), -EPERM (not fabricd's), or another
 * -errno.
 */
int tap_persist_remove(const char *name);

/*
 * tap_persist_sweep - tap_persist_remove() every tap fabricd made that
 * @keep (@n taps) does not list. Returns how many it removed.
 */
int tap_persist_sweep(const struct tap_persist *keep, size_t n);

/* tap_persist_owned - true when @name is a tap fabricd made. */
bool tap_persist_owned(const char *name);

#endif /* ETH_TAP_PERSIST_H */
