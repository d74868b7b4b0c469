/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* fabricd's state, shared by daemon.c and its control commands. */
#ifndef FABRICD_DAEMON_PRIV_H
#define FABRICD_DAEMON_PRIV_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "fabricd/daemon.h"
#include "fabricd/pkeys.h"
#include "fabricd/pkeys_async.h"
#include "fabricd/reconcile/reconcile.h"
#include "fabricd/reconcile/reconcile_desired.h"
#include "ipoib/neigh_ctl.h"

struct ctl_server;
struct engine;
struct metrics;
struct daemon_flow;

enum daemon_ib {
	DAEMON_IB_NONE, /* no IB port: partitions from the policy alone */
	DAEMON_IB_WAITING, /* a port, but its PKeys were never read yet */
	DAEMON_IB_OK, /* PKeys read from the fabric */
};

struct daemon {
	const struct daemon_opts *o;
	struct policy *pol; /* the last good policy */
	const struct policy_gateway *gw; /* in @pol; NULL: not a gateway */
	char *reload_error; /* errors of the last refused reload, or NULL */
	unsigned int reloads, reloads_refused;

	enum daemon_ib ib;
	struct pkeys_async *pka; /* the IB worker; NULL: none, or retry */
	const struct pkeys_port *pk; /* the open port (the worker's) */
	struct pkeys_async_result ib_result; /* the last one taken */
	uint16_t pkeys[PKEYS_MAX]; /* last read, with the full bit */
	size_t n_pkeys;
	unsigned int pkey_reads;
	uint64_t pkeys_read_ms; /* when they were last read */
	char ib_error[160]; /* "" when the last read worked */
	char ipoib_parent[IFNAMSIZ]; /* "" when the port has no IPoIB netdev */
	bool roce; /* the verbs port is RoCE: DAEMON_IB_NONE, no PKeys */
	struct ipoib_neigh_ctl_names neigh_names; /* for neigh/show */

	struct rc_set desired;
	struct rc_partition *views; /* one per policy partition */
	struct reconciler *rc;
	int rc_ret; /* result of the last reconcile */
	bool converged; /* every desired object is present */
	uint64_t drift_sig; /* what log_drift() logged last */

	struct ctl_server *ctl;
	struct engine *engine; /* NULL: --no-engine, or it failed */
	bool mirror_pcap; /* a mirror writes a pcap file: flush it often */
	struct metrics *metrics; /* NULL: no --metrics-dir */
	struct daemon_flow *flow; /* IPFIX export (daemon_flow.c) */
	char engine_error[160]; /* "" when it runs fine */
	bool engine_dirty; /* policy or PKeys changed since engine_sync() */
	int sigfd;
	int lock_fd;
	bool stop;
	uint64_t next_poll_ms; /* next PKey read */
	uint64_t reconcile_at_ms; /* pending reconcile, 0 when none */
	uint64_t last_reconcile_ms;
	uint64_t watchdog_ms; /* systemd watchdog ping interval, 0: off */
	uint64_t next_ping_ms;
};

/* An IB open or PKey read taking longer than this is reported. */
#define DAEMON_IB_STUCK_MS 10000

/*
 * The IB port (daemon_ib.c). daemon_ib_start() decides where partitions
 * come from (--no-ib, RoCE: the policy; else the port, opened by a worker);
 * daemon_ib_poll() (every --poll-ms) asks for a PKey read, retries a failed
 * open and reports a stuck one; daemon_ib_handle() takes a result when
 * daemon_ib_fd() (-1: none) polls readable, and returns true when a
 * reconcile is due; daemon_ib_stop() releases it.
 */
const char *daemon_ib_wanted(const struct daemon *d, int *port);
void daemon_ib_start(struct daemon *d);
void daemon_ib_poll(struct daemon *d);
int daemon_ib_fd(const struct daemon *d);
bool daemon_ib_handle(struct daemon *d);
void daemon_ib_stop(struct daemon *d);

/* Logging to syslog once detached (daemon_syslog.c); @level: log.h's. */
void daemon_syslog_open(void);
void daemon_syslog(int level, const char *module, const char *msg);

/*
 * daemon_ctl_register - add status, partitions, reconcile, reload and
 * neigh/show (the ipoib ports' neighbours).
 */
int daemon_ctl_register(struct daemon *d);

/*
 * IPFIX export (daemon_flow.c): daemon_flow_register() adds flow/export
 * and flow/show; daemon_flow_apply() follows the policy's flow_export:
 * (a change of it replaces what `fabricctl flow export` set);
 * daemon_flow_run() drains the flow cache when daemon_flow_due_ms() is
 * reached; daemon_flow_stop() exports what is left and closes.
 */
int daemon_flow_register(struct daemon *d);
void daemon_flow_apply(struct daemon *d);
uint64_t daemon_flow_due_ms(const struct daemon *d);
void daemon_flow_run(struct daemon *d, uint64_t now);
void daemon_flow_stop(struct daemon *d);

/* daemon_reconcile - rebuild the desired state and reconcile now. */
int daemon_reconcile(struct daemon *d);

/*
 * daemon_reload - load the policy file again; on errors keep the current
 * one and return -EINVAL (d->reload_error says where). 0 on success.
 */
int daemon_reload(struct daemon *d);

#endif /* FABRICD_DAEMON_PRIV_H */
