// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the SM plugin's partitions.conf renderer and writer
 * (sm-plugin/smconf.c): the exact text OpenSM reads for a policy, and the
 * rules for overwriting the file.
 *
 * Each rendering case is a policy and the whole expected file; add a case
 * to render_cases[] to pin down a new behaviour. render() is the one place
 * that calls smconf_render().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/policy.h"
#include "lib/util.h"
#include "sm-plugin/smconf.h"

#define HEADER                                                        \
	SMCONF_MARKER " from t.yaml; do not edit.\n"                  \
		      "# The plugin rewrites this file whenever the " \
		      "policy changes.\n"                             \
		      "Default=0x7fff, ipoib : ALL=full, SELF=full ;\n"

static struct policy *load(const char *yaml)
{
	unsigned int n = 0;
	struct policy *pol =
		policy_load_buffer("t.yaml", yaml, strlen(yaml), stderr, &n);

	assert_non_null(pol);
	assert_int_equal(n, 0);
	return pol;
}

/* The rendered text of @pol; the test fails when it cannot be made. */
static char *render(const struct policy *pol)
{
	struct smconf_opts o = { .line_max = SMCONF_LINE_MAX };
	size_t len = 0;
	char *text = smconf_render(pol, &o, &len);

	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	return text;
}

struct render_case {
	const char *name;
	const char *yaml;
	const char *expect; /* the whole file */
};

static const struct render_case render_cases[] = {
	{ "no partitions: the default partition only", "partitions: []\n",
	  HEADER },
	{ "ipoib partition: base pkey, mtu code, sl; selectors before GUIDs",
	  "partitions:\n"
	  "  - name: tenant-a\n"
	  "    pkey: 0x8001\n"
	  "    mtu: 2048\n"
	  "    sl: 3\n"
	  "    members:\n"
	  "      - { guid: 0x0002c90300000101, membership: full }\n"
	  "      - { all_switches: true, membership: both }\n"
	  "      - { guid: 0x0002c90300000301, membership: limited }\n",
	  HEADER "tenant-a=0x0001, ipoib, mtu=4, sl=3 : ALL_SWITCHES=both, "
		 "0x0002c90300000101=full, 0x0002c90300000301=limited ;\n" },
	{ "no ipoib: no flags; every selector keyword; order kept",
	  "partitions:\n"
	  "  - name: storage\n"
	  "    pkey: 0x0010\n"
	  "    ipoib: false\n"
	  "    members:\n"
	  "      - { all_cas: true, membership: limited }\n"
	  "      - { all: true, membership: full }\n"
	  "  - name: b.2\n"
	  "    pkey: 0x7ffe\n"
	  "    mtu: 4096\n"
	  "    members:\n"
	  "      - { guid: 0x1, membership: both }\n",
	  HEADER
	  "storage=0x0010 : ALL_CAS=limited, ALL=full ;\n"
	  "b.2=0x7ffe, ipoib, mtu=5, sl=0 : 0x0000000000000001=both ;\n" },
};

static void test_render(void **state)
{
	const struct render_case *c = *state;
	struct policy *pol = load(c->yaml);
	char *text = render(pol);

	assert_string_equal(text, c->expect);
	free(text);
	policy_free(pol);
}

/* A name the loader would refuse still cannot break OpenSM's parser. */
static void test_render_name_delimiters(void **state)
{
	struct policy *pol =
		load("partitions:\n"
		     "  - name: x\n"
		     "    pkey: 2\n"
		     "    ipoib: false\n"
		     "    members: [{ all: true, membership: full }]\n");
	char *text;

	free(pol->partitions[0].name);
	pol->partitions[0].name = strdup("a=b,c:d;e#f g\"h");
	text = render(pol);
	assert_string_equal(text,
			    HEADER "a_b_c_d_e_f_g_h=0x0002 : ALL=full ;\n");
	free(text);
	policy_free(pol);
}

/* The header names the policy file. */
static void test_render_names_file(void **state)
{
	const char *want = SMCONF_MARKER
		" from /etc/fabricd/fabric.yaml; do not edit.\n";
	struct policy *pol = load("partitions: []\n");
	char *text;

	free(pol->file);
	pol->file = strdup("/etc/fabricd/fabric.yaml");
	text = render(pol);
	assert_memory_equal(text, want, strlen(want));
	free(text);
	policy_free(pol);
}

static char dir[] = "/tmp/test_smconf.XXXXXX";

static void write_text(const char *path, const char *text)
{
	assert_int_equal(util_write_file_atomic(path, text, strlen(text), 0644),
			 0);
}

static void test_is_ours(void **state)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/partitions.conf", dir);
	unlink(path);
	assert_true(smconf_is_ours(path)); /* absent: ours to create */
	write_text(path,
		   SMCONF_MARKER " from x; do not edit.\nA=0x1 : ALL ;\n");
	assert_true(smconf_is_ours(path));
	write_text(path, "Default=0x7fff : ALL, SELF=full ;\n");
	assert_false(smconf_is_ours(path)); /* hand-written: never touched */
	write_text(path, "");
	assert_false(smconf_is_ours(path));
	/* a directory cannot be read as the file: not ours */
	assert_false(smconf_is_ours(dir));
}

static void test_write(void **state)
{
	const char *a = SMCONF_MARKER "\nA=0x1 : ALL=full ;\n";
	const char *b = SMCONF_MARKER "\nB=0x2 : ALL=full ;\n";
	char path[64], *got;
	size_t len;

	snprintf(path, sizeof(path), "%s/w.conf", dir);
	unlink(path);
	assert_int_equal(smconf_write(path, a, strlen(a)), 1);
	assert_int_equal(smconf_write(path, a, strlen(a)), 0); /* unchanged */
	assert_int_equal(smconf_write(path, b, strlen(b)), 1);
	assert_int_equal(util_read_file(path, &got, &len), 0);
	assert_int_equal(len, strlen(b));
	assert_memory_equal(got, b, len);
	free(got);
	/* a prefix of the old text is a change too */
	assert_int_equal(smconf_write(path, b, strlen(b) - 1), 1);
	snprintf(path, sizeof(path), "%s/no/such/dir/w.conf", dir);
	assert_true(smconf_write(path, a, strlen(a)) < 0);
}

static int setup_dir(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(render_cases) + 4];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(render_cases); i++)
		tests[n++] = (struct CMUnitTest){
			.name = render_cases[i].name,
			.test_func = test_render,
			.initial_state = (void *)&render_cases[i],
		};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
		test_render_name_delimiters);
	tests[n++] =
		(struct CMUnitTest)cmocka_unit_test(test_render_names_file);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_is_ours);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_write);
	return _cmocka_run_group_tests("smconf", tests, n, setup_dir,
				       teardown_dir);
}
