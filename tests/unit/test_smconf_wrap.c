// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for what the partitions.conf renderer (sm-plugin/smconf.c)
 * does at the limits, and for node-description patterns
 * (lib/policy_node.c): member lists wrapped under OpenSM's line buffer, the
 * default partition from the policy, node selectors resolved against the
 * fabric's ports. test_smconf.c pins down the exact text of small files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "lib/policy.h"
#include "sm-plugin/smconf.h"

static struct policy *load_ok(const char *yaml)
{
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);
	struct policy *pol;

	assert_non_null(f);
	pol = policy_load_buffer("t.yaml", yaml, strlen(yaml), f, NULL);
	fclose(f);
	if (!pol)
		print_error("unexpected errors:\n%s", errs);
	assert_non_null(pol);
	free(errs);
	return pol;
}

/* "partitions:" with one partition NAME of @n GUID members. */
static char *big_policy(const char *name, unsigned int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned int i;

	fprintf(f,
		"partitions:\n  - name: %s\n    pkey: 0x0100\n"
		"    members:\n      - { all_cas: true, membership: limited }\n",
		name);
	for (i = 0; i < n; i++)
		fprintf(f, "      - { guid: 0x%016llx, membership: full }\n",
			0x0002c9ff00000000ull + i);
	fclose(f);
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

/* Every line under @max bytes (newline included); continuation lines of a
 * definition follow a line that ends with ','. */
static void assert_lines(const char *text, size_t max, size_t *n_lines)
{
	const char *p = text, *nl;

	*n_lines = 0;
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true((size_t)(nl - p) + 1 <= max);
		if (*p == '\t')
			assert_int_equal(p[-2], ',');
		(*n_lines)++;
	}
}

static void test_wrap_2000(void **state)
{
	char *yaml = big_policy("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", 2000);
	struct policy *pol = load_ok(yaml);
	struct smconf_opts o = { .line_max = SMCONF_LINE_MAX };
	size_t len, lines;
	char *text = smconf_render(pol, &o, &len);

	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_lines(text, SMCONF_LINE_MAX, &lines);
	assert_true(lines > 2000 / 8);
	assert_int_equal(count(text, "=full"), 2000 + 2); /* + Default, SELF */
	assert_int_equal(count(text, " ;\n"), 2);
	assert_non_null(strstr(text,
			       "\nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn=0x0100, "
			       "ipoib, mtu=4, sl=0 : ALL_CAS=limited, "
			       "0x0002c9ff00000000=full,"));
	assert_non_null(strstr(text, "\t0x0002c9ff000007cf=full ;\n"));
	free(text);
	/* line_max 0: one line per definition, as before the fix. */
	o.line_max = 0;
	text = smconf_render(pol, &o, &len);
	assert_lines(text, 60000, &lines);
	assert_int_equal(lines, 4);
	assert_true(len > 50000);
	free(text);
	policy_free(pol);
	free(yaml);
}

static void test_wrap_sizes(void **state)
{
	static const unsigned int sizes[] = { 0, 1, 7, 8, 9, 150, 170, 200 };
	struct smconf_opts o = { .line_max = 100 };
	struct policy *pol;
	size_t i, len, lines;
	char *yaml, *text;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		yaml = big_policy("p", sizes[i]);
		pol = load_ok(yaml);
		text = smconf_render(pol, &o, &len);
		assert_lines(text, 100, &lines);
		assert_int_equal(count(text, "=full"), sizes[i] + 2);
		assert_int_equal(count(text, "0x0002c9ff"), sizes[i]);
		free(text);
		policy_free(pol);
		free(yaml);
	}
}

static const char *default_line(const char *yaml, char *buf, size_t len)
{
	struct policy *pol = load_ok(yaml);
	struct smconf_opts o = { .line_max = SMCONF_LINE_MAX };
	char *text = smconf_render(pol, &o, &len), *l, *e;

	l = strstr(text, "Default=");
	assert_non_null(l);
	e = strchr(l, '\n');
	snprintf(buf, 128, "%.*s", (int)(e - l), l);
	free(text);
	policy_free(pol);
	return buf;
}

static void test_default_partition(void **state)
{
	char buf[128];

	/* Absent: every CA full, as stock OpenSM without a partition file. */
	assert_string_equal(default_line("partitions: []\n", buf, 128),
			    "Default=0x7fff, ipoib : ALL=full, SELF=full ;");
	assert_string_equal(
		default_line("default_partition: { membership: limited }\n"
			     "partitions: []\n",
			     buf, 128),
		"Default=0x7fff, ipoib : ALL=limited, SELF=full ;");
	assert_string_equal(
		default_line("default_partition: { membership: full, "
			     "mtu: 4096 }\npartitions: []\n",
			     buf, 128),
		"Default=0x7fff, ipoib, mtu=5 : ALL=full, SELF=full ;");
	assert_string_equal(
		default_line("default_partition: { membership: limited, "
			     "ipoib: false }\npartitions: []\n",
			     buf, 128),
		"Default=0x7fff : ALL=limited, SELF=full ;");
}

static void test_default_warning(void **state)
{
	struct policy *pol;
	char buf[512];

	pol = load_ok("partitions: []\n");
	assert_false(policy_default_warning(pol, buf, sizeof(buf)));
	policy_free(pol);
	pol = load_ok("partitions:\n  - { name: a, pkey: 1 }\n");
	assert_true(policy_default_warning(pol, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "t.yaml:2:5: warning: tenants can meet"));
	policy_free(pol);
	pol = load_ok("default_partition: { membership: limited }\n"
		      "partitions:\n  - { name: a, pkey: 1 }\n");
	assert_false(policy_default_warning(pol, buf, sizeof(buf)));
	policy_free(pol);
}

static void test_node_selectors(void **state)
{
	static const struct smconf_port ports[] = {
		{ 0x11, "cn001 HCA-1" }, { 0x12, "cn002 HCA-1" },
		{ 0x13, "cn010 HCA-1" }, { 0x14, "gw1" },
		{ 0x15, NULL },
	};
	struct policy *pol = load_ok(
		"partitions:\n  - name: a\n    pkey: 0x1\n    ipoib: false\n"
		"    members:\n"
		"      - { guid: 0x99, membership: full }\n"
		"      - { node: \"cn[001-002] *\", membership: limited }\n"
		"      - { all_switches: true, membership: full }\n");
	struct smconf_opts o = { .line_max = 100,
				 .ports = ports,
				 .n_ports = 5 };
	size_t len;
	char *text = smconf_render(pol, &o, &len);

	assert_non_null(strstr(text, "a=0x0001 : ALL_SWITCHES=full, "
				     "0x0000000000000011=limited, "
				     "0x0000000000000012=limited,\n"
				     "\t0x0000000000000099=full ;\n"));
	assert_int_equal(
		smconf_node_next(&o, &pol->partitions[0].members[1], 2), 5);
	free(text);
	policy_free(pol);
}

static void test_node_match(void **state)
{
	const char *why = NULL;

	assert_true(policy_node_match("cn0*", "cn007"));
	assert_false(policy_node_match("cn0*", "cn107"));
	assert_true(policy_node_match("cn[001-128]", "cn001"));
	assert_true(policy_node_match("cn[001-128]", "cn128"));
	assert_false(policy_node_match("cn[001-128]", "cn129"));
	assert_false(policy_node_match("cn[001-128]", "cn1"));
	assert_false(policy_node_match("cn[001-128]", "cn0011"));
	assert_true(policy_node_match("cn[1-16]", "cn16"));
	assert_false(policy_node_match("cn[1-16]", "cn016"));
	assert_true(policy_node_match("cn[1-3,7,10-12]x", "cn11x"));
	assert_false(policy_node_match("cn[1-3,7,10-12]x", "cn9x"));
	assert_true(policy_node_match("cn[001-128]*", "cn042 mlx5_0"));
	assert_true(policy_node_match("r[1-2]n[01-18]", "r2n07"));
	assert_true(policy_node_match("h?", "h8"));
	assert_false(policy_node_match("h?", "h10"));
	assert_false(policy_node_match("h1", "h10"));
	assert_true(policy_node_match("*", ""));
	/* Exponential for a plain backtracking matcher; quick here. */
	assert_false(policy_node_match(
		"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(policy_node_match("[0-9][0-9][0-9][0-9][0-9][0-9]x",
				       "1234567890123456789012345678901234"));
	assert_int_equal(policy_node_pattern_check("cn[001-128]*", &why), 0);
	assert_int_equal(policy_node_pattern_check("cn[a-z]", &why), -EINVAL);
	assert_int_equal(policy_node_pattern_check("cn[5-1]", &why), -EINVAL);
	assert_int_equal(policy_node_pattern_check("cn[1-5", &why), -EINVAL);
	assert_int_equal(policy_node_pattern_check("cn]", &why), -EINVAL);
	assert_int_equal(policy_node_pattern_check("", &why), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_2000),
		cmocka_unit_test(test_wrap_sizes),
		cmocka_unit_test(test_default_partition),
		cmocka_unit_test(test_default_warning),
		cmocka_unit_test(test_node_selectors),
		cmocka_unit_test(test_node_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
