/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fabricd daemon: pid lock, signals, the policy (reload keeps the last
 * good one), the IB port's PKeys (polled), the reconciler and the control
 * socket, driven by one poll() loop in the main thread, which is also the
 * "control thread" in which ctl_server handlers run.
 */
#ifndef FABRICD_DAEMON_H
#define FABRICD_DAEMON_H

#include <stdbool.h>

#define FABRICD_DEFAULT_POLL_MS 2000

struct daemon_opts {
	const char *policy_file;
	const char *gateway; /* NULL: the gateway named like the host */
	const char *ib_dev; /* NULL: the gateway's, else the first device */
	int ib_port; /* 0: the gateway's, else the first port */
	bool no_ib; /* Ethernet-only: never look for an IB port */
	bool no_engine; /* control plane only: no forwarding engine */
	bool dummy; /* tests: netdev ports are dummy ports (port/inject) */
	const char *state_dir;
	const char *ctl_socket;
	const char *ctl_group; /* NULL: the daemon's group */
	const char *pid_file;
	bool foreground;
	unsigned int poll_ms; /* PKey table re-read interval */
	const char *metrics_dir; /* NULL: no node_exporter textfile */
	unsigned int metrics_interval; /* seconds between writes; 0: policy's */
	const char *threads_arg; /* --threads as given, NULL: none */
	int threads; /* forwarding threads; 0: FABRICD_THREADS, else 1 */
};

/*
 * daemon_run - run fabricd until SIGTERM/SIGINT. Without @o->foreground it
 * detaches first (the parent exits once the daemon is up, with its status).
 * Returns the process exit status: 0 after a clean shutdown, 1 when it
 * could not start (the reason is logged).
 */
int daemon_run(const struct daemon_opts *o);

#endif /* FABRICD_DAEMON_H */
