// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/port.h"

#include <errno.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(port);

/* Registered once at start-up, before any thread looks kinds up. */
static struct {
	const struct port_ops *ops;
	void *priv;
} port_kinds[PORT_MAX_KINDS];
static unsigned int n_port_kinds;

/* The registry slot of kind @kind, or -1. */
static int kind_index(const char *kind)
{
	unsigned int i;

	for (i = 0; i < n_port_kinds; i++)
		if (!strcmp(port_kinds[i].ops->kind, kind))
			return (int)i;
	return -1;
}

int port_kind_register_priv(const struct port_ops *ops, void *priv)
{
	int i;

	if (!ops || !ops->kind || !ops->open || !ops->rx_burst ||
	    !ops->tx_burst || !ops->close)
		return -EINVAL;
	i = kind_index(ops->kind);
	if (i >= 0 && port_kinds[i].ops == ops && port_kinds[i].priv == priv)
		return 0; /* again, as it was */
	if (i >= 0)
		return -EEXIST;
	if (n_port_kinds >= ARRAY_SIZE(port_kinds))
		return -ENOSPC;
	port_kinds[n_port_kinds].ops = ops;
	port_kinds[n_port_kinds].priv = priv;
	n_port_kinds++;
	return 0;
}

int port_kind_register(const struct port_ops *ops)
{
	return port_kind_register_priv(ops, NULL);
}

void *port_kind_priv(const struct port_ops *ops)
{
	int i = kind_index(ops->kind);

	return i >= 0 && port_kinds[i].ops == ops ? port_kinds[i].priv : NULL;
}

const struct port_ops *port_ops_find(const char *kind)
{
	int i = kind_index(kind);

	return i >= 0 ? port_kinds[i].ops : NULL;
}

/* Open @p with exactly @ops; @name is valid. */
static int open_as(struct port *p, const struct port_ops *ops, const char *name,
		   struct pool *pool)
{
	int ret;

	memset(p, 0, sizeof(*p));
	util_strlcpy(p->name, name, sizeof(p->name));
	p->ops = ops;
	p->kind_priv = port_kind_priv(ops);
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
		if (port_kinds[i].ops->accelerates &&
		    !strcmp(port_kinds[i].ops->accelerates, ops->kind))
			return port_kinds[i].ops;
	return NULL;
}

int port_open(struct port *p, const struct port_ops *ops, const char *name,
	      struct pool *pool)
{
	const struct port_ops *fast = accelerator_of(ops);
	const char *why = NULL;
	int ret;

	if (strlen(name) >= sizeof(p->name) || !*name) {
		memset(p, 0, sizeof(*p));
		return -EINVAL;
	}
	if (fast) {
		ret = open_as(p, fast, name, pool);
		if (!ret || ret == -ENODEV) /* no interface: no kind opens it */
			return ret;
		why = p->mode_why;
		VLOG_INFO("port %s: %s not available (%s); using %s", name,
			  fast->kind, why ? why : strerror(-ret), ops->kind);
	}
	ret = open_as(p, ops, name, pool);
	if (!ret && why)
		p->mode_why = why;
	return ret;
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
