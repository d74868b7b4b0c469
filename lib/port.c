// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/port.h"

#include <errno.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(port);

/* Registered once at start-up, before any thread looks kinds up. */
static const struct port_ops *port_kinds[PORT_MAX_KINDS];
static unsigned int n_port_kinds;

int port_kind_register(const struct port_ops *ops)
{
	const struct port_ops *old;

	if (!ops || !ops->kind || !ops->open || !ops->rx_burst ||
	    !ops->tx_burst || !ops->close)
		return -EINVAL;
	old = port_ops_find(ops->kind);
	if (old)
		return old == ops ? 0 : -EEXIST;
	if (n_port_kinds >= ARRAY_SIZE(port_kinds))
		return -ENOSPC;
	port_kinds[n_port_kinds++] = ops;
	return 0;
}

const struct port_ops *port_ops_find(const char *kind)
{
	unsigned int i;

	for (i = 0; i < n_port_kinds; i++)
		if (!strcmp(port_kinds[i]->kind, kind))
			return port_kinds[i];
	return NULL;
}

/* Open @p with exactly @ops; @name is valid. */
static int open_as(struct port *p, const struct port_ops *ops, const char *name,
		   struct pool *pool)
{
	int ret;

	memset(p, 0, sizeof(*p));
	util_strlcpy(p->name, name, sizeof(p->name));
	p->ops = ops;
	p->pool = pool;
	p->fd = -1;
	p->max_payload = 1500;
	ret = ops->open(p);
	if (ret) {
		p->ops = NULL;
		p->fd = -1;
		return ret;
	}
	return 0;
}

/* The registered kind that accelerates @ops's, or NULL. */
static const struct port_ops *accelerator_of(const struct port_ops *ops)
{
	unsigned int i;

	for (i = 0; i < n_port_kinds; i++)
		if (port_kinds[i]->accelerates &&
		    !strcmp(port_kinds[i]->accelerates, ops->kind))
			return port_kinds[i];
	return NULL;
}

int port_open(struct port *p, const struct port_ops *ops, const char *name,
	      struct pool *pool)
{
	const struct port_ops *fast = accelerator_of(ops);
	int ret;

	if (strlen(name) >= sizeof(p->name) || !*name) {
		memset(p, 0, sizeof(*p));
		return -EINVAL;
	}
	if (fast) {
		ret = open_as(p, fast, name, pool);
		if (!ret || ret == -ENODEV) /* no interface: no kind opens it */
			return ret;
		VLOG_INFO("port %s: %s not available (%s); using %s", name,
			  fast->kind, strerror(-ret), ops->kind);
	}
	return open_as(p, ops, name, pool);
}

void port_close(struct port *p)
{
	if (!p->ops)
		return;
	p->ops->close(p);
	p->ops = NULL;
	p->fd = -1;
}

void port_stats(struct port *p, struct port_hw_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (p->ops && p->ops->stats)
		p->ops->stats(p, st);
}
