// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The node_exporter textfile (see metrics.h). */
#include "fabricd/metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/prom.h"
#include "lib/util.h"

LOG_MODULE(metrics);

struct metrics {
	char *dir;
	char *path; /* DIR/fabricd.prom */
	unsigned int interval_s;
	uint64_t due_ms;
	uint64_t writes, errors;
	int error; /* of the last write, 0 when it worked */
};

struct metrics *metrics_create(const char *dir, unsigned int interval_s)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->dir = strdup(dir);
	if (!m->dir || asprintf(&m->path, "%s/%s", dir, PROM_TEXTFILE) < 0) {
		free(m->dir);
		free(m);
		errno = ENOMEM;
		return NULL;
	}
	m->interval_s = interval_s ? interval_s : METRICS_DEFAULT_INTERVAL_S;
	m->due_ms = util_now_ms();
	return m;
}

void metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	free(m->dir);
	free(m->path);
	free(m);
}

bool metrics_is(const struct metrics *m, const char *dir,
		unsigned int interval_s)
{
	return !strcmp(m->dir, dir) && m->interval_s == interval_s;
}

uint64_t metrics_due_ms(const struct metrics *m)
{
	return m->due_ms;
}

static int write_text(const struct metrics *m, const json_t *stats)
{
	json_t *none = stats ? NULL : json_object();
	size_t len = 0;
	char *text = prom_stats_text(stats ? stats : none, &len);
	int ret;

	json_decref(none);
	if (!text)
		return -errno;
	ret = util_write_file_atomic(m->path, text, len, 0644);
	free(text);
	return ret;
}

int metrics_write(struct metrics *m, const json_t *stats)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 3);
	int ret = write_text(m, stats);

	m->due_ms = util_now_ms() + (uint64_t)m->interval_s * 1000;
	if (ret) {
		m->errors++;
		VLOG_WARN_RL(&rl,
			     "cannot write the metrics to %s: %s; forwarding "
			     "goes on, fix the directory (--metrics-dir)",
			     m->path, strerror(-ret));
	} else {
		if (m->error)
			VLOG_INFO("metrics written to %s again", m->path);
		m->writes++;
	}
	m->error = ret;
	return ret;
}

json_t *metrics_status_json(const struct metrics *m)
{
	return json_pack("{s:s, s:i, s:I, s:I, s:s?}", "file", m->path,
			 "interval", (int)m->interval_s, "writes",
			 (json_int_t)m->writes, "errors", (json_int_t)m->errors,
			 "error", m->error ? strerror(-m->error) : NULL);
}
