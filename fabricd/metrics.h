/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabricd's counters for Prometheus' node_exporter: every interval, the
 * "stats" reply rendered by lib/prom.h replaces DIR/fabricd.prom
 * atomically (temporary file, fsync, rename), so the textfile collector
 * never reads half a file. A failed write is counted, shown in status and
 * logged (rate-limited); it never touches forwarding, which runs in the
 * engine's own thread.
 */
#ifndef FABRICD_METRICS_H
#define FABRICD_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "lib/policy.h"

/* Used when asked for an interval of 0. */
#define METRICS_DEFAULT_INTERVAL_S POLICY_METRICS_INTERVAL_DEFAULT

struct metrics;

/*
 * metrics_create - write to @dir/fabricd.prom every @interval_s seconds;
 * the first write is due at once. Returns NULL with errno set.
 */
struct metrics *metrics_create(const char *dir, unsigned int interval_s);

/* metrics_is - whether @m writes to @dir every @interval_s seconds. */
bool metrics_is(const struct metrics *m, const char *dir,
		unsigned int interval_s);

/* metrics_destroy - free @m (the file stays); accepts NULL. */
void metrics_destroy(struct metrics *m);

/* metrics_due_ms - when the next write is due (util_now_ms() clock). */
uint64_t metrics_due_ms(const struct metrics *m);

/*
 * metrics_write - render @stats (a "stats" reply; NULL: no engine, an
 * empty file) and replace the file; schedules the next write. Returns 0 or
 * the negative errno, which is also kept for metrics_status_json().
 */
int metrics_write(struct metrics *m, const json_t *stats);

/*
 * metrics_status_json - {file, interval, writes, errors, error}: the
 * file, the interval in seconds, writes done and failed, the last write's
 * error or null. A new reference.
 */
json_t *metrics_status_json(const struct metrics *m);

#endif /* FABRICD_METRICS_H */
