// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricd's IB port (see daemon_priv.h): where partitions come from (the
 * port's PKey table, or the policy alone), with every call into the IB
 * stack made by the pkeys_async worker, so that an IB stack that never
 * answers cannot stop the main loop (signals, control socket). An open or a
 * read that takes longer than DAEMON_IB_STUCK_MS is reported.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fabricd/daemon_priv.h"
#include "fabricd/pkeys_async.h"
#include "lib/log.h"
#include "lib/policy.h"
#include "lib/util.h"

LOG_MODULE(ib);

const char *daemon_ib_wanted(const struct daemon *d, int *port)
{
	const char *dev = d->o->ib_dev;

	*port = d->o->ib_port;
	if (!dev && d->gw && d->gw->ib_device)
		dev = d->gw->ib_device;
	if (!*port && d->gw && d->gw->ib_port)
		*port = (int)d->gw->ib_port;
	return dev;
}

/* "mlx5_0/1", or "(first device)/1" for the one umad lists first. */
static const char *wanted_name(const struct daemon *d, char *buf, size_t len)
{
	int port;
	const char *dev = daemon_ib_wanted(d, &port);

	snprintf(buf, len, "%s/%d", dev ? dev : "(first device)",
		 port ? port : 1);
	return buf;
}

/* Set d->ib_error to @msg (printf-style); logged when it changed. */
static void ib_fail(struct daemon *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ib_fail(struct daemon *d, const char *fmt, ...)
{
	char msg[sizeof(d->ib_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(msg, d->ib_error))
		VLOG_ERR("%s", msg);
	util_strlcpy(d->ib_error, msg, sizeof(d->ib_error));
}

void daemon_ib_start(struct daemon *d)
{
	int port;
	const char *dev = daemon_ib_wanted(d, &port);
	char name[96];

	if (d->o->no_ib) {
		d->ib = DAEMON_IB_NONE;
	} else {
		d->ib = DAEMON_IB_WAITING;
		d->pka = pkeys_async_open(dev, port);
		if (!d->pka)
			ib_fail(d, "cannot start opening IB port %s: %s",
				wanted_name(d, name, sizeof(name)),
				strerror(errno));
	}
}

/* The port is open: say what it is, and read its table at once. */
static void ib_opened(struct daemon *d)
{
	const struct pkeys_port *pk = pkeys_async_port(d->pka);

	d->pk = pk;
	d->ib_error[0] = '\0';
	if (d->gw && d->gw->port_guid &&
	    d->gw->port_guid != pkeys_port_guid(pk))
		VLOG_WARN(
			"gateway %s has port_guid 0x%016llx in the policy, but %s/%d is 0x%016llx; using the PKeys of %s/%d (fix the policy or --ib-dev)",
			d->gw->name, (unsigned long long)d->gw->port_guid,
			pkeys_dev_name(pk), pkeys_port_num(pk),
			(unsigned long long)pkeys_port_guid(pk),
			pkeys_dev_name(pk), pkeys_port_num(pk));
	if (!pkeys_ipoib_netdev(pk, d->ipoib_parent, sizeof(d->ipoib_parent)))
		VLOG_INFO("IPoIB netdev %s serves the port", d->ipoib_parent);
	pkeys_async_read(d->pka);
}

/*
 * Partitions come from the policy alone (no IB device, or a RoCE port):
 * the engine takes them at the reconcile that is now due.
 */
static bool ib_none(struct daemon *d)
{
	pkeys_async_close(d->pka);
	d->pka = NULL;
	d->ib = DAEMON_IB_NONE;
	d->engine_dirty = true;
	return true;
}

/* The named port is RoCE (no SM, no PKey table). */
static bool ib_roce(struct daemon *d)
{
	char name[96];

	d->roce = true;
	VLOG_INFO(
		"%s is RoCE (no SM, no PKey table): partitions come from the policy",
		wanted_name(d, name, sizeof(name)));
	return ib_none(d);
}

/*
 * The open failed: no IB device at all (none asked for) means the policy
 * alone, with a reconcile due; anything else is retried at the next poll.
 */
static bool ib_open_failed(struct daemon *d, int err)
{
	int port;
	const char *dev = daemon_ib_wanted(d, &port);
	char name[96];

	if (err == -ENODEV && !dev) {
		VLOG_INFO(
			"no InfiniBand device: partitions come from the policy alone");
		return ib_none(d);
	}
	pkeys_async_close(d->pka);
	d->pka = NULL;
	ib_fail(d, "cannot open IB port %s: %s; retrying",
		wanted_name(d, name, sizeof(name)), strerror(-err));
	return false;
}

static void log_pkey_changes(const struct daemon *d, const uint16_t *pk,
			     size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < d->n_pkeys && d->pkeys[j] != pk[i]; j++)
			;
		if (j == d->n_pkeys)
			VLOG_INFO("port now holds PKey 0x%04x", pk[i]);
	}
	for (j = 0; j < d->n_pkeys; j++) {
		for (i = 0; i < n && pk[i] != d->pkeys[j]; i++)
			;
		if (i == n)
			VLOG_INFO("port no longer holds PKey 0x%04x",
				  d->pkeys[j]);
	}
}

/* A table read finished; returns true when the PKeys changed. */
static bool ib_read_done(struct daemon *d, const struct pkeys_async_result *r)
{
	if (r->err) {
		ib_fail(d,
			"cannot read the PKey table of %s/%d: %s; keeping the last known partitions",
			pkeys_dev_name(d->pk), pkeys_port_num(d->pk),
			strerror(-r->err));
		return false;
	}
	d->ib_error[0] = '\0';
	d->pkey_reads++;
	d->pkeys_read_ms = util_now_ms();
	if (d->ib == DAEMON_IB_OK && r->n_pkeys == d->n_pkeys &&
	    !memcmp(r->pkeys, d->pkeys, r->n_pkeys * sizeof(*r->pkeys)))
		return false;
	log_pkey_changes(d, r->pkeys, r->n_pkeys);
	d->engine_dirty = true;
	memcpy(d->pkeys, r->pkeys, r->n_pkeys * sizeof(*r->pkeys));
	d->n_pkeys = r->n_pkeys;
	d->ib = DAEMON_IB_OK;
	return true;
}

int daemon_ib_fd(const struct daemon *d)
{
	return d->pka ? pkeys_async_fd(d->pka) : -1;
}

bool daemon_ib_handle(struct daemon *d)
{
	struct pkeys_async_result *r = &d->ib_result;

	if (!d->pka || !pkeys_async_result(d->pka, r))
		return false;
	if (r->op == PKEYS_ASYNC_READ)
		return ib_read_done(d, r);
	if (r->err)
		return ib_open_failed(d, r->err);
	if (r->roce)
		return ib_roce(d);
	ib_opened(d);
	return false;
}

/* An open or read that has run too long: say what to check. */
static bool ib_stuck(struct daemon *d)
{
	enum pkeys_async_op op;
	uint64_t ms = pkeys_async_busy_ms(d->pka, &op);
	char name[96];

	if (ms < DAEMON_IB_STUCK_MS)
		return false;
	ib_fail(d,
		"IB port %s: no answer from the IB stack for %llu s while %s (check 'ibstat', that the umad device /dev/infiniband/umad* answers, and that the subnet manager or ibsim runs); still waiting",
		wanted_name(d, name, sizeof(name)),
		(unsigned long long)(DAEMON_IB_STUCK_MS / 1000),
		op == PKEYS_ASYNC_OPEN ? "opening it" :
					 "reading its PKey table");
	return true;
}

void daemon_ib_poll(struct daemon *d)
{
	if (d->ib == DAEMON_IB_NONE)
		return;
	if (!d->pka)
		daemon_ib_start(d); /* the last open failed: again */
	else if (!ib_stuck(d))
		pkeys_async_read(d->pka); /* -EBUSY: one is under way */
}

void daemon_ib_stop(struct daemon *d)
{
	char name[96];
	enum pkeys_async_op op;

	if (d->pka && pkeys_async_busy_ms(d->pka, &op) >= DAEMON_IB_STUCK_MS)
		VLOG_WARN("IB port %s still does not answer; leaving it",
			  wanted_name(d, name, sizeof(name)));
	pkeys_async_close(d->pka);
	d->pka = NULL;
	d->pk = NULL;
}
