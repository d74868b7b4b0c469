// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What may be a port of the engine, whoever asks: `port add`, the policy's
 * uplink and access ports when they are added, and every port the engine
 * reopens when its interface comes back. A refused port stays closed with
 * its reason, and is checked again at every retry.
 */
#include "fabricd/engine/engine_priv.h"

#include <errno.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth/port_netdev.h"
#include "fabricd/engine/ifcheck.h"
#include "lib/ifname.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(engine);

int engine_fail(char **error, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(error, fmt, ap) < 0)
		*error = NULL;
	va_end(ap);
	return ret;
}

/*
 * Whether interface @name can be a @kind port: a valid name, an Ethernet
 * interface that exists (a tap may be made by fabricd), not the loopback.
 * ipoib ports name a verbs device, dummy ports have no interface: their
 * names only are checked, a dummy's as an interface's.
 */
static int check_iface(const char *name, const char *kind,
		       struct ifcheck_info *in, char **error)
{
	int ret;

	memset(in, 0, sizeof(*in));
	if (!strcmp(kind, "ipoib") || !strcmp(kind, "peer"))
		return 0;
	if (!ifname_valid(name))
		return engine_fail(
			error, -EINVAL,
			"'%s' is not an interface name (" IFNAME_RULES ")",
			name);
	if (!strcmp(kind, "dummy"))
		return 0;
	ret = ifcheck_query(name, in);
	if (ret == -ENODEV && !strcmp(kind, "tap"))
		return 0; /* fabricd makes it */
	if (ret == -ENODEV)
		return engine_fail(error, ret,
				   "no interface %s here; create it first (or "
				   "add 'tap' to have fabricd make a tap)",
				   name);
	if (ret)
		return engine_fail(error, ret,
				   "cannot look at interface %s: %s", name,
				   strerror(-ret));
	if (in->loopback || in->arptype == ARPHRD_LOOPBACK)
		return engine_fail(error, -EINVAL, "%s " IFNAME_LOOPBACK_WHY,
				   name);
	if (in->arptype != ARPHRD_ETHER)
		return engine_fail(error, -EINVAL,
				   "%s is not an Ethernet interface (link type "
				   "%u); the engine switches Ethernet frames",
				   name, in->arptype);
	return 0;
}

/*
 * A port whose veth peer is a port already would send every frame through
 * the kernel straight back into the engine (a loop). The ports that count:
 * the others, not refused, open or in an earlier slot (the uplink, added
 * first, wins over its peer). @slot: the port's own, or ECORE_MAX_PORTS.
 */
static int check_peer(const struct engine *e, const char *name,
		      unsigned int slot, const struct ifcheck_info *in,
		      char **error)
{
	unsigned int i;

	if (!in->peer_ifindex)
		return 0;
	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		const struct ecore_port *ep = &e->core.ports[i];

		if (i == slot || !ep->used || ep->refused[0] ||
		    (!ep->port.ops && i > slot) ||
		    (int)if_nametoindex(ep->port.name) != in->peer_ifindex)
			continue;
		return engine_fail(
			error, -ELOOP,
			"%s is the veth peer of %s, %s port already: frames "
			"would loop through the kernel back into the engine",
			name, ep->port.name,
			ep->role == ECORE_TRUNK ? "a trunk" : "an access");
	}
	return 0;
}

int engine_check_port(const struct engine *e, const char *name,
		      const char *kind, unsigned int slot, char **error)
{
	struct ifcheck_info in;
	int ret;

	*error = NULL;
	ret = check_iface(name, kind, &in, error);
	if (!ret)
		ret = check_peer(e, name, slot, &in, error);
	return ret;
}

/* Say why port @slot is refused, when the reason is new. */
static void refuse(struct ecore_port *ep, int err, const char *why)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 10);

	ep->error = err;
	if (!strcmp(ep->refused, why))
		return;
	util_strlcpy(ep->refused, why, sizeof(ep->refused));
	VLOG_WARN_RL(&rl,
		     "port %s: refused, not opened: %s (checked again every "
		     "second; fix the interface or the policy)",
		     ep->port.name, why);
}

int engine_open_port(struct engine *e, unsigned int slot)
{
	struct ecore_port *ep = &e->core.ports[slot];
	char *why = NULL;
	int ret;

	if (ep->port.ops)
		return 0;
	ret = engine_check_port(e, ep->port.name, ep->kind, slot, &why);
	if (ret && ret != -ENODEV) {
		refuse(ep, ret, why ? why : strerror(-ret));
		free(why);
		return ret;
	}
	free(why);
	why = NULL;
	ret = engine_make_tap(e, slot, &why);
	if (ret) {
		refuse(ep, ret, why ? why : strerror(-ret));
		free(why);
		return ret;
	}
	ep->refused[0] = '\0';
	return ecore_port_retry(&e->core, slot);
}

static const struct tap_persist *find_tap(const struct engine *e,
					  const char *name)
{
	size_t i;

	for (i = 0; i < e->n_taps; i++)
		if (!strcmp(e->taps[i].name, name))
			return &e->taps[i];
	return NULL;
}

int engine_make_tap(struct engine *e, unsigned int slot, char **why)
{
	const struct ecore_port *ep = &e->core.ports[slot];
	const struct tap_persist *t = ep->runtime ? NULL :
						    find_tap(e, ep->port.name);
	int ret;

	*why = NULL;
	if (!t || port_ops_find("netdev") != &port_netdev_ops)
		return 0; /* --dummy: no interfaces are made */
	ret = tap_persist_ensure(t);
	if (ret == -EEXIST)
		return engine_fail(why, ret,
				   "an interface %s exists that fabricd did "
				   "not make; it is left alone: delete it, or "
				   "drop 'create: tap' from the port",
				   t->name);
	if (ret)
		return engine_fail(why, ret, "cannot make tap %s: %s", t->name,
				   strerror(-ret));
	return 0;
}

void engine_sync_taps(struct engine *e, const struct policy *pol)
{
	size_t i;
	int n;

	e->n_taps = 0;
	for (i = 0; i < pol->n_ports && e->n_taps < ARRAY_SIZE(e->taps); i++) {
		const struct policy_port *pp = &pol->ports[i];
		struct tap_persist *t = &e->taps[e->n_taps];

		if (!pp->tap.create)
			continue;
		util_strlcpy(t->name, pp->name, sizeof(t->name));
		t->uid = pp->tap.uid;
		t->gid = pp->tap.gid;
		t->queues = pp->tap.queues;
		e->n_taps++;
	}
	if (port_ops_find("netdev") != &port_netdev_ops)
		return;
	n = tap_persist_sweep(e->taps, e->n_taps);
	if (n)
		VLOG_INFO("removed %d tap%s fabricd made that the policy no "
			  "longer lists",
			  n, n > 1 ? "s" : "");
}

unsigned int engine_refused_ports(struct engine *e)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&e->lock);
	for (i = 0; i < ECORE_MAX_PORTS; i++)
		n += e->core.ports[i].used && e->core.ports[i].refused[0];
	pthread_mutex_unlock(&e->lock);
	return n;
}
