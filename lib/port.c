// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/port.h"

#include <errno.h>
#include <string.h>

#include "eth/port_netdev.h"
#include "eth/port_tap.h"
#include "ipoib/port_ipoib.h"
#include "lib/util.h"

static const struct port_ops *const port_kinds[] = {
	&port_netdev_ops,
	&port_tap_ops,
	&ipoib_port_ops,
};

const struct port_ops *port_ops_find(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(port_kinds); i++)
		if (!strcmp(port_kinds[i]->kind, kind))
			return port_kinds[i];
	return NULL;
}

int port_open(struct port *p, const struct port_ops *ops, const char *name,
	      struct pool *pool)
{
	int ret;

	memset(p, 0, sizeof(*p));
	if (strlen(name) >= sizeof(p->name) || !*name)
		return -EINVAL;
	util_strlcpy(p->name, name, sizeof(p->name));
	p->ops = ops;
	p->pool = pool;
	p->fd = -1;
	p->max_payload = 1500;
	ret = ops->open(p);
	if (ret) {
		p->ops = NULL;
		return ret;
	}
	return 0;
}

void port_close(struct port *p)
{
	if (!p->ops)
		return;
	p->ops->close(p);
	p->ops = NULL;
	p->fd = -1;
}
