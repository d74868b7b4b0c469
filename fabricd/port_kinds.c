// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "fabricd/port_kinds.h"

#include <stdlib.h>
#include <string.h>

#include "eth/port_netdev.h"
#include "eth/port_tap.h"
#include "eth/port_xdp.h"
#include "ipoib/port_ipoib.h"
#include "lib/port.h"
#include "lib/util.h"

static const struct port_ops *const port_kinds[] = {
	&port_netdev_ops,
	&port_tap_ops,
	&ipoib_port_ops,
};

/* AF_XDP unless FABRICD_NO_XDP is set (to compare, or to work around). */
static bool want_xdp(void)
{
	const char *s = getenv("FABRICD_NO_XDP");

	return !s || !*s || !strcmp(s, "0");
}

int port_kinds_register(void)
{
	size_t i;
	int ret;

	if (want_xdp()) {
		ret = port_kind_register(&port_xdp_ops);
		if (ret)
			return ret;
	}
	for (i = 0; i < ARRAY_SIZE(port_kinds); i++) {
		ret = port_kind_register(port_kinds[i]);
		if (ret)
			return ret;
	}
	return 0;
}
