// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Where a detached fabricd logs: syslog, mapping lib/log.h's levels. */
#include <syslog.h>

#include "fabricd/daemon_priv.h"

void daemon_syslog_open(void)
{
	openlog("fabricd", LOG_PID, LOG_DAEMON);
}

void daemon_syslog(int level, const char *module, const char *msg)
{
	/* lib/log.h levels: off, err, warn, info, dbg. */
	static const int prio[] = { LOG_DEBUG, LOG_ERR, LOG_WARNING, LOG_INFO,
				    LOG_DEBUG };

	if (level < 0 || level > 4)
		level = 0;
	syslog(prio[level], "%s: %s", module, msg);
}
