// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "fabricd/port_kinds.h"

#include "eth/port_netdev.h"
#include "eth/port_tap.h"
#include "ipoib/port_ipoib.h"
#include "lib/port.h"
#include "lib/util.h"

static const struct port_ops *const port_kinds[] = {
	&port_netdev_ops,
	&port_tap_ops,
	&ipoib_port_ops,
};

int port_kinds_register(void)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(port_kinds); i++) {
		ret = port_kind_register(port_kinds[i]);
		if (ret)
			return ret;
	}
	return 0;
}
