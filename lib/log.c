// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const level_names[] = {
	[LOG_LEVEL_OFF] = "off",   [LOG_LEVEL_ERR] = "err",
	[LOG_LEVEL_WARN] = "warn", [LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DBG] = "dbg",
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_module *modules;
static log_sink_fn sink;
static void *sink_ctx;
static bool timestamps;
/* A level set for "all" before a module registered applies to it too. */
static int default_level = -1;

static void log_register(struct log_module *mod)
{
	pthread_mutex_lock(&log_lock);
	if (!mod->registered) {
		if (default_level >= 0)
			mod->level = default_level;
		mod->next = modules;
		modules = mod;
		mod->registered = true;
	}
	pthread_mutex_unlock(&log_lock);
}

bool log_enabled(struct log_module *mod, enum log_level level)
{
	if (!mod->registered)
		log_register(mod);
	return level != LOG_LEVEL_OFF && level <= mod->level;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool log_ratelimit_ok(struct log_ratelimit *rl)
{
	uint64_t now = now_ms();
	uint64_t refill = (now - rl->last_ms) * rl->rate / 1000;

	if (refill) {
		rl->tokens = rl->tokens + refill > rl->burst ?
				     rl->burst :
				     rl->tokens + (unsigned int)refill;
		rl->last_ms = now;
	}
	if (!rl->tokens) {
		rl->dropped++;
		return false;
	}
	rl->tokens--;
	return true;
}

static void emit_stderr(const char *module, enum log_level level,
			const char *msg)
{
	char stamp[32] = "";

	if (timestamps) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	}
	fprintf(stderr, "%s%s|%s|%s\n", stamp, module, level_names[level], msg);
}

void log_vmsg(struct log_module *mod, enum log_level level, const char *fmt,
	      va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	pthread_mutex_lock(&log_lock);
	if (sink)
		sink(sink_ctx, mod->name, level, buf);
	else
		emit_stderr(mod->name, level, buf);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(struct log_module *mod, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(mod, level, fmt, ap);
	va_end(ap);
}

int log_set_level(const char *name, enum log_level level)
{
	bool all = !name || !strcmp(name, "all");
	int ret = all ? 0 : -ENOENT;
	struct log_module *m;

	pthread_mutex_lock(&log_lock);
	if (all)
		default_level = level;
	for (m = modules; m; m = m->next) {
		if (all || !strcmp(m->name, name)) {
			m->level = level;
			ret = 0;
		}
	}
	pthread_mutex_unlock(&log_lock);
	return ret;
}

int log_level_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (!strcmp(s, level_names[i]))
			return (int)i;
	if (!strcmp(s, "debug"))
		return LOG_LEVEL_DBG;
	if (!strcmp(s, "error"))
		return LOG_LEVEL_ERR;
	if (!strcmp(s, "warning"))
		return LOG_LEVEL_WARN;
	return -EINVAL;
}

const char *log_level_name(enum log_level level)
{
	return level <= LOG_LEVEL_DBG ? level_names[level] : "?";
}

void log_set_sink(log_sink_fn fn, void *ctx)
{
	pthread_mutex_lock(&log_lock);
	sink = fn;
	sink_ctx = ctx;
	pthread_mutex_unlock(&log_lock);
}

void log_set_stderr_timestamps(bool on)
{
	timestamps = on;
}

void log_foreach_module(void (*fn)(void *ctx, const struct log_module *mod),
			void *ctx)
{
	struct log_module *m;

	pthread_mutex_lock(&log_lock);
	for (m = modules; m; m = m->next)
		fn(ctx, m);
	pthread_mutex_unlock(&log_lock);
}
