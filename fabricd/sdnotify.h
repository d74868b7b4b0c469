/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabricd under systemd (Type=notify, WatchdogSec=): readiness, reloads,
 * shutdown and watchdog pings through libsystemd's sd_notify(). Outside
 * systemd (no $NOTIFY_SOCKET) every call does nothing.
 */
#ifndef FABRICD_SDNOTIFY_H
#define FABRICD_SDNOTIFY_H

#include <stdint.h>

/* The states fabricd tells the service manager about. */
enum sdnotify_state {
	SDNOTIFY_READY, /* started: control socket up, first reconcile done */
	SDNOTIFY_RELOADING, /* SIGHUP: re-reading the policy */
	SDNOTIFY_STOPPING, /* SIGTERM/SIGINT: shutting down */
};

/*
 * sdnotify_state - tell the state, with @status as the service's STATUS=
 * line (NULL: none).
 */
void sdnotify_state(enum sdnotify_state state, const char *status);

/*
 * sdnotify_watchdog_ms - how often to ping: half of WatchdogSec= in ms,
 * 0 when the watchdog is off.
 */
uint64_t sdnotify_watchdog_ms(void);

/* sdnotify_ping - WATCHDOG=1: the main loop is alive. */
void sdnotify_ping(void);

#endif /* FABRICD_SDNOTIFY_H */
