/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Per-module logging with levels that can change at run time (like OVS vlog).
 * The macros are VLOG_*, not LOG_*, so that files which include <syslog.h>
 * (OpenSM's headers do) can use both.
 *
 *   LOG_MODULE(reconcile);            once, at file scope in a .c
 *   VLOG_INFO("link %s created", name);
 *   VLOG_ERR_RL(&rl, "drop: %s", why); rate limited, for the datapath
 */
#ifndef FABRIC_LOG_H
#define FABRIC_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_OFF,
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DBG,
};

struct log_module {
	const char *name;
	enum log_level level;
	struct log_module *next; /* registry, linked at first use */
	bool registered;
};

/* A token bucket: at most @burst messages, refilled at @rate per second. */
struct log_ratelimit {
	unsigned int rate;
	unsigned int burst;
	unsigned int tokens;
	uint64_t last_ms;
	unsigned int dropped; /* messages suppressed since the last one shown */
};

#define LOG_RATELIMIT_INIT(rate_, burst_)                              \
	{                                                              \
		.rate = (rate_), .burst = (burst_), .tokens = (burst_) \
	}

#define LOG_MODULE(mod)                               \
	static struct log_module log_module_##mod = { \
		.name = #mod, .level = LOG_LEVEL_INFO \
	};                                            \
	static struct log_module *const this_log_module = &log_module_##mod

#define VLOG_AT(lvl, ...)                                           \
	do {                                                        \
		if (log_enabled(this_log_module, lvl))              \
			log_msg(this_log_module, lvl, __VA_ARGS__); \
	} while (0)
#define VLOG_ERR(...) VLOG_AT(LOG_LEVEL_ERR, __VA_ARGS__)
#define VLOG_WARN(...) VLOG_AT(LOG_LEVEL_WARN, __VA_ARGS__)
#define VLOG_INFO(...) VLOG_AT(LOG_LEVEL_INFO, __VA_ARGS__)
#define VLOG_DBG(...) VLOG_AT(LOG_LEVEL_DBG, __VA_ARGS__)
#define VLOG_RL(rl, lvl, ...)                                                  \
	do {                                                                   \
		if (log_enabled(this_log_module, lvl) && log_ratelimit_ok(rl)) \
			log_msg(this_log_module, lvl, __VA_ARGS__);            \
	} while (0)
#define VLOG_WARN_RL(rl, ...) VLOG_RL(rl, LOG_LEVEL_WARN, __VA_ARGS__)
#define VLOG_ERR_RL(rl, ...) VLOG_RL(rl, LOG_LEVEL_ERR, __VA_ARGS__)

/* A sink receives every message that passes the level check. */
typedef void (*log_sink_fn)(void *ctx, const char *module, enum log_level level,
			    const char *msg);

/* log_enabled - true when @mod logs at @level; registers @mod on first use. */
bool log_enabled(struct log_module *mod, enum log_level level);

/* log_msg - format and emit one message (no trailing newline needed). */
void log_msg(struct log_module *mod, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(struct log_module *mod, enum log_level level, const char *fmt,
	      va_list ap);

/* log_ratelimit_ok - take a token from @rl; false when it is empty. */
bool log_ratelimit_ok(struct log_ratelimit *rl);

/*
 * log_set_level - set the level of module @name, or of every module when
 * @name is NULL or "all"; the default for modules not registered yet too.
 * Returns 0, or -ENOENT when no module has that name.
 */
int log_set_level(const char *name, enum log_level level);

/* log_level_parse - "off|err|warn|info|dbg" to a level; -EINVAL if unknown. */
int log_level_parse(const char *s);
const char *log_level_name(enum log_level level);

/*
 * log_set_sink - send messages to @fn instead of stderr; NULL restores
 * stderr. Used by the SM plugin to write into OpenSM's log.
 */
void log_set_sink(log_sink_fn fn, void *ctx);

/* log_set_stderr_timestamps - prefix stderr lines with a time stamp. */
void log_set_stderr_timestamps(bool on);

/* log_foreach_module - call @fn for every registered module. */
void log_foreach_module(void (*fn)(void *ctx, const struct log_module *mod),
			void *ctx);

#endif /* FABRIC_LOG_H */
