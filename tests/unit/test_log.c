// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for lib/log.c: per-module levels changed at run time (what
 * the control server's log/set calls), level names, sinks, the stderr
 * line format, and the rate limiter of the datapath's messages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/log.h"

LOG_MODULE(alpha);

/* A second module, as another .c file would declare it. */
static struct log_module beta = { .name = "beta", .level = LOG_LEVEL_INFO };

static char got[2048];

static void sink(void *ctx, const char *module, enum log_level level,
		 const char *msg)
{
	size_t n = strlen(got);

	(*(int *)ctx)++;
	snprintf(got + n, sizeof(got) - n, "%s|%s|%s\n", module,
		 log_level_name(level), msg);
}

static int calls;

static int setup(void **state)
{
	got[0] = '\0';
	calls = 0;
	log_set_sink(sink, &calls);
	log_set_level(NULL, LOG_LEVEL_INFO);
	return 0;
}

static int teardown(void **state)
{
	log_set_sink(NULL, NULL);
	return 0;
}

static void test_levels(void **state)
{
	VLOG_ERR("e %d", 1);
	VLOG_WARN("w");
	VLOG_INFO("i");
	VLOG_DBG("d"); /* below the default level */
	assert_string_equal(got, "alpha|err|e 1\n"
				 "alpha|warn|w\n"
				 "alpha|info|i\n");
	assert_int_equal(calls, 3);
	assert_false(log_enabled(this_log_module, LOG_LEVEL_OFF));
}

static void test_set_level(void **state)
{
	assert_true(log_enabled(&beta, LOG_LEVEL_INFO)); /* registers it */
	assert_int_equal(log_set_level("alpha", LOG_LEVEL_DBG), 0);
	assert_true(log_enabled(this_log_module, LOG_LEVEL_DBG));
	assert_false(log_enabled(&beta, LOG_LEVEL_DBG)); /* only alpha */
	assert_int_equal(log_set_level("beta", LOG_LEVEL_OFF), 0);
	assert_false(log_enabled(&beta, LOG_LEVEL_ERR));
	assert_int_equal(log_set_level("gamma", LOG_LEVEL_DBG), -ENOENT);
	assert_int_equal(log_set_level("all", LOG_LEVEL_WARN), 0);
	assert_false(log_enabled(this_log_module, LOG_LEVEL_INFO));
	assert_true(log_enabled(&beta, LOG_LEVEL_WARN));
	VLOG_INFO("hidden");
	VLOG_WARN("shown");
	assert_string_equal(got, "alpha|warn|shown\n");
}

/* A module that registers after "all" was set takes that level. */
static void test_late_module(void **state)
{
	static struct log_module late = { .name = "late",
					  .level = LOG_LEVEL_INFO };

	assert_int_equal(log_set_level(NULL, LOG_LEVEL_ERR), 0);
	assert_false(log_enabled(&late, LOG_LEVEL_WARN));
	assert_true(log_enabled(&late, LOG_LEVEL_ERR));
}

static void count_module(void *ctx, const struct log_module *mod)
{
	char *names = ctx;

	strcat(names, mod->name);
	strcat(names, " ");
}

static void test_foreach(void **state)
{
	char names[128] = "";

	log_enabled(this_log_module, LOG_LEVEL_ERR);
	log_enabled(&beta, LOG_LEVEL_ERR);
	log_foreach_module(count_module, names);
	assert_non_null(strstr(names, "alpha "));
	assert_non_null(strstr(names, "beta "));
}

static void test_level_names(void **state)
{
	static const char *const names[] = { "off", "err", "warn", "info",
					     "dbg" };
	int i;

	for (i = 0; i <= LOG_LEVEL_DBG; i++) {
		assert_int_equal(log_level_parse(names[i]), i);
		assert_string_equal(log_level_name(i), names[i]);
	}
	assert_int_equal(log_level_parse("debug"), LOG_LEVEL_DBG);
	assert_int_equal(log_level_parse("error"), LOG_LEVEL_ERR);
	assert_int_equal(log_level_parse("warning"), LOG_LEVEL_WARN);
	assert_int_equal(log_level_parse("loud"), -EINVAL);
	assert_int_equal(log_level_parse(""), -EINVAL);
	assert_int_equal(log_level_parse("DBG"), -EINVAL);
	assert_string_equal(log_level_name(LOG_LEVEL_DBG + 1), "?");
}

/* A message longer than the buffer is cut, not overflowed. */
static void test_long_message(void **state)
{
	char big[1500];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	VLOG_ERR("%s", big);
	assert_int_equal(strlen(got), strlen("alpha|err|") + 1023 + 1);
}

/* Without a sink: "module|level|message" lines on stderr. */
static char *stderr_of(void (*fn)(void))
{
	char path[] = "/tmp/test_log.XXXXXX", *buf;
	int fd = mkstemp(path), saved = dup(2);
	long len;
	FILE *f;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	unlink(path);
	return buf;
}

static void log_two(void)
{
	log_set_sink(NULL, NULL);
	VLOG_WARN("disk %s", "full");
	log_set_stderr_timestamps(true);
	VLOG_ERR("stamped");
	log_set_stderr_timestamps(false);
}

static void test_stderr(void **state)
{
	char *out = stderr_of(log_two);
	char *second = strchr(out, '\n') + 1;
	struct tm tm = { 0 };
	char *rest;

	assert_memory_equal(out, "alpha|warn|disk full\n", 21);
	/* 2026-12-01T13:00:00Z alpha|err|stamped */
	rest = strptime(second, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	assert_non_null(rest);
	assert_string_equal(rest, "alpha|err|stamped\n");
	assert_int_equal(calls, 0);
	free(out);
}

static void test_ratelimit_burst(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 3);
	int i;

	for (i = 0; i < 10; i++)
		VLOG_WARN_RL(&rl, "drop %d", i);
	assert_string_equal(got, "alpha|warn|drop 0\n"
				 "alpha|warn|drop 1\n"
				 "alpha|warn|drop 2\n");
	assert_int_equal(rl.dropped, 7);
	/* below the module's level: no token is taken */
	log_set_level("alpha", LOG_LEVEL_ERR);
	rl.tokens = 1;
	VLOG_WARN_RL(&rl, "hidden");
	assert_int_equal(rl.tokens, 1);
	VLOG_ERR_RL(&rl, "last");
	assert_int_equal(rl.tokens, 0);
}

static void test_ratelimit_refill(void **state)
{
	/* 100 per second: 10 ms gives one token back, never more than burst */
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(100, 2);
	struct timespec ts = { 0, 35 * 1000 * 1000 };

	assert_true(log_ratelimit_ok(&rl));
	assert_true(log_ratelimit_ok(&rl));
	assert_false(log_ratelimit_ok(&rl));
	nanosleep(&ts, NULL);
	assert_true(log_ratelimit_ok(&rl));
	assert_true(log_ratelimit_ok(&rl));
	assert_false(log_ratelimit_ok(&rl)); /* 3 refilled, capped at 2 */
	assert_int_equal(rl.dropped, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_level, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_late_module, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_foreach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_long_message, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stderr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ratelimit_burst, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ratelimit_refill, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
