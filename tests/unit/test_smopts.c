// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the SM plugin's option parser (event_plugin_options in
 * opensm.conf, fabricsm_opts_parse() in sm-plugin/fabricsm.c): defaults,
 * separators, the last value winning, log=LEVEL, and the exact error for
 * each kind of bad option.
 *
 * The plugin's other modules call five functions that live in the opensm
 * binary itself (not in libopensm), which a unit test cannot link. They are
 * stand-ins below that fail the test if anything calls them: option
 * parsing never does.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/log.h"
#include "lib/paths.h"
#include "sm-plugin/osm.h"
#include "sm-plugin/fabricsm.h"
#include "sm-plugin/smconf.h"

int osm_db_guid2lid_guids(osm_db_domain_t *d, cl_qlist_t *l)
{
	fail_msg("osm_db_guid2lid_guids called");
	return -1;
}

int osm_db_guid2lid_get(osm_db_domain_t *d, uint64_t g, uint16_t *lo,
			uint16_t *hi)
{
	fail_msg("osm_db_guid2lid_get called");
	return -1;
}

int osm_db_guid2lid_set(osm_db_domain_t *d, uint64_t g, uint16_t lo,
			uint16_t hi)
{
	fail_msg("osm_db_guid2lid_set called");
	return -1;
}

int osm_db_guid2lid_delete(osm_db_domain_t *d, uint64_t g)
{
	fail_msg("osm_db_guid2lid_delete called");
	return -1;
}

osm_port_t *osm_get_port_by_guid(osm_subn_t const *s, ib_net64_t g)
{
	fail_msg("osm_get_port_by_guid called");
	return NULL;
}

LOG_MODULE(test_smopts);

/* What the parser logged, one message per line. */
static char logged[1024];

static void capture(void *ctx, const char *module, enum log_level level,
		    const char *msg)
{
	size_t n = strlen(logged);

	snprintf(logged + n, sizeof(logged) - n, "%s|%s|%s\n", module,
		 log_level_name(level), msg);
}

static int setup(void **state)
{
	logged[0] = '\0';
	log_set_sink(capture, NULL);
	log_set_level(NULL, LOG_LEVEL_INFO);
	return 0;
}

static int teardown(void **state)
{
	log_set_sink(NULL, NULL);
	return 0;
}

static void test_defaults(void **state)
{
	struct fabricsm_opts o;

	assert_int_equal(fabricsm_opts_parse(NULL, &o), 0);
	assert_string_equal(o.policy, PATHS_POLICY);
	assert_string_equal(o.state, PATHS_SM_STATE);
	fabricsm_opts_free(&o);
	assert_null(o.policy);
	assert_int_equal(fabricsm_opts_parse("", &o), 0);
	assert_string_equal(o.policy, PATHS_POLICY);
	fabricsm_opts_free(&o);
	assert_string_equal(logged, "");
}

static void test_separators(void **state)
{
	struct fabricsm_opts o;

	assert_int_equal(
		fabricsm_opts_parse("policy=/a.yaml,state=/s.json", &o), 0);
	assert_string_equal(o.policy, "/a.yaml");
	assert_string_equal(o.state, "/s.json");
	fabricsm_opts_free(&o);
	assert_int_equal(fabricsm_opts_parse(" state=/t \tpolicy=/b, ", &o), 0);
	assert_string_equal(o.policy, "/b");
	assert_string_equal(o.state, "/t");
	fabricsm_opts_free(&o);
	/* the last one wins; '=' in a value is kept */
	assert_int_equal(fabricsm_opts_parse("policy=/x policy=/y=z", &o), 0);
	assert_string_equal(o.policy, "/y=z");
	assert_string_equal(o.state, PATHS_SM_STATE);
	assert_int_equal(o.line_max, SMCONF_LINE_MAX); /* the default */
	fabricsm_opts_free(&o);
	assert_int_equal(fabricsm_opts_parse("line_max=0", &o), 0);
	assert_int_equal(o.line_max, 0);
	fabricsm_opts_free(&o);
	assert_int_equal(fabricsm_opts_parse("line_max=1023", &o), 0);
	assert_int_equal(o.line_max, 1023);
	fabricsm_opts_free(&o);
	assert_string_equal(logged, "");
}

static void test_log_level(void **state)
{
	struct fabricsm_opts o;

	assert_false(log_enabled(this_log_module, LOG_LEVEL_DBG));
	assert_int_equal(fabricsm_opts_parse("log=dbg", &o), 0);
	fabricsm_opts_free(&o);
	assert_true(log_enabled(this_log_module, LOG_LEVEL_DBG));
	assert_int_equal(fabricsm_opts_parse("log=err", &o), 0);
	fabricsm_opts_free(&o);
	assert_false(log_enabled(this_log_module, LOG_LEVEL_WARN));
	assert_true(log_enabled(this_log_module, LOG_LEVEL_ERR));
}

struct bad_case {
	const char *opts;
	const char *logged; /* the exact message */
};

static const struct bad_case bad_cases[] = {
	{ "policy", "fabricsm|err|event_plugin_options: \"policy\" needs a "
		    "value (policy=PATH,state=PATH)\n" },
	{ "state=", "fabricsm|err|event_plugin_options: \"state=\" needs a "
		    "value (policy=PATH,state=PATH)\n" },
	{ "policy=/a,polcy=/b",
	  "fabricsm|err|event_plugin_options: unknown option \"polcy\"; "
	  "known: policy=PATH, state=PATH, log=LEVEL, line_max=N\n" },
	{ "log=loud", "fabricsm|err|event_plugin_options: log=loud: use off, "
		      "err, warn, info or dbg\n" },
	{ "line_max=99", "fabricsm|err|event_plugin_options: line_max=99: use "
			 "100..1023, or 0 (no wrapping: tests only)\n" },
	{ "line_max=4096", "fabricsm|err|event_plugin_options: line_max=4096: "
			   "use 100..1023, or 0 (no wrapping: tests only)\n" },
};

static void test_bad(void **state)
{
	struct fabricsm_opts o;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		logged[0] = '\0';
		assert_int_equal(fabricsm_opts_parse(bad_cases[i].opts, &o),
				 -EINVAL);
		/* filled either way, so that one free serves both */
		assert_non_null(o.policy);
		assert_non_null(o.state);
		fabricsm_opts_free(&o);
		assert_string_equal(logged, bad_cases[i].logged);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_separators, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_log_level, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad, setup, teardown),
	};

	return cmocka_run_group_tests_name("smopts", tests, NULL, NULL);
}
