// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "fabricd/port_kinds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eth/port_dummy.h"
#include "eth/port_netdev.h"
#include "eth/port_tap.h"
#include "eth/port_xdp.h"
#include "ipoib/port_ipoib.h"
#include "ipoib/port_peer.h"
#include "lib/port.h"
#include "lib/util.h"

/* The kinds without state of their own. */
static const struct port_ops *const port_kinds[] = {
	&port_netdev_ops,
	&port_tap_ops,
};

/* AF_XDP unless FABRICD_NO_XDP is set (to compare, or to work around). */
static bool want_xdp(void)
{
	const char *s = getenv("FABRICD_NO_XDP");

	return !s || !*s || !strcmp(s, "0");
}

/* ipoib with its state, made once: it lives as long as the program. */
static int register_ipoib(void)
{
	struct ipoib_kind *k;
	int ret;

	if (port_kind_priv(&ipoib_port_ops))
		return 0; /* registered already */
	k = ipoib_kind_create();
	if (!k)
		return -errno;
	ret = port_kind_register_priv(&ipoib_port_ops, k);
	if (ret)
		ipoib_kind_destroy(k);
	return ret;
}

/* peer, on the ipoib kind's state: it lives as long as the program. */
static int register_peer(void)
{
	struct peer_kind *k;
	int ret;

	if (port_kind_priv(&peer_port_ops))
		return 0; /* registered already */
	k = peer_kind_create(port_kind_priv(&ipoib_port_ops));
	if (!k)
		return -errno;
	ret = port_kind_register_priv(&peer_port_ops, k);
	if (ret)
		peer_kind_destroy(k);
	return ret;
}

/*
 * --dummy: the dummy kind under its own name and under netdev's, one state
 * for both, so that port/inject finds every dummy port.
 */
static int register_dummy(void)
{
	struct port_dummy_kind *k;
	int ret;

	if (port_kind_priv(&port_dummy_ops))
		return 0; /* registered already */
	k = port_dummy_kind_create();
	if (!k)
		return -errno;
	ret = port_kind_register_priv(&port_dummy_ops, k);
	if (ret) {
		port_dummy_kind_destroy(k);
		return ret;
	}
	/* @k is the registered kind's now: it lives as long as the program */
	return port_kind_register_priv(&port_dummy_netdev_ops, k);
}

int port_kinds_register(bool dummy)
{
	size_t i;
	int ret;

	if (dummy) {
		ret = register_dummy();
		if (ret)
			return ret;
	} else if (want_xdp()) {
		ret = port_kind_register(&port_xdp_ops);
		if (ret)
			return ret;
	}
	for (i = 0; i < ARRAY_SIZE(port_kinds); i++) {
		if (dummy && port_kinds[i] == &port_netdev_ops)
			continue; /* the dummy kind is netdev */
		ret = port_kind_register(port_kinds[i]);
		if (ret)
			return ret;
	}
	ret = register_ipoib();
	return ret ? ret : register_peer();
}
