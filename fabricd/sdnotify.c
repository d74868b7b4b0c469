// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fabricd's side of systemd's notify protocol; see sdnotify.h. */
#include "fabricd/sdnotify.h"

#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "lib/log.h"

LOG_MODULE(sdnotify);

static const char *const state_line[] = {
	[SDNOTIFY_READY] = "READY=1",
	[SDNOTIFY_RELOADING] = "RELOADING=1",
	[SDNOTIFY_STOPPING] = "STOPPING=1",
};

void sdnotify_state(enum sdnotify_state state, const char *status)
{
	char msg[256];
	int ret;

	snprintf(msg, sizeof(msg), "%s%s%s", state_line[state],
		 status ? "\nSTATUS=" : "", status ? status : "");
	ret = sd_notify(0, msg);
	if (ret < 0)
		VLOG_WARN("cannot notify systemd (%s): %s", state_line[state],
			  strerror(-ret));
}

uint64_t sdnotify_watchdog_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return usec / 2000 ?: 1;
}

void sdnotify_ping(void)
{
	sd_notify(0, "WATCHDOG=1");
}
