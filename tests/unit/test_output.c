// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for lib/output.c, the one print path for text and JSON: the
 * same calls give the text and the JSON document, empty results print
 * [] or {}, PRINT_TEXT/PRINT_JSON values appear in one mode only, and a
 * failed write is reported.
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

#include "lib/output.h"

/* Run @print in @json mode and return what it wrote (malloc'ed). */
static char *capture(bool json, void (*print)(void))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	out_begin(f, json);
	assert_int_equal(out_is_json(), json);
	print();
	assert_int_equal(out_end(), 0);
	fclose(f);
	return buf;
}

#define assert_output(json, print, expect)         \
	do {                                       \
		char *got_ = capture(json, print); \
		assert_string_equal(got_, expect); \
		free(got_);                        \
	} while (0)

/* Two ports, as a command would print them. */
static void print_ports(void)
{
	static const struct {
		const char *name, *partition;
		unsigned int vlan;
		int64_t delta;
		bool up;
	} ports[] = { { "vnet0", "tenant-a", 20, -3, true },
		      { "vnet1", NULL, 0, 7, false } };
	size_t i;

	out_open_array(NULL);
	for (i = 0; i < 2; i++) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "name", "%-6s", ports[i].name);
		out_string(PRINT_ANY, "partition", " %s", ports[i].partition);
		out_uint(PRINT_ANY, "vlan", " vlan %u", ports[i].vlan);
		out_int(PRINT_ANY, "delta", " %+lld", ports[i].delta);
		out_bool(PRINT_ANY, "up", " up %s", ports[i].up);
		out_null(PRINT_ANY, "peer", " peer %s");
		out_text(" (%zu)", i);
		out_nl();
		out_close_object();
	}
	out_close_array();
}

static void test_same_calls_text_and_json(void **state)
{
	assert_output(false, print_ports,
		      "vnet0  tenant-a vlan 20 -3 up yes peer - (0)\n"
		      "vnet1  - vlan 0 +7 up no peer - (1)\n");
	assert_output(true, print_ports,
		      "[{\"name\": \"vnet0\", \"partition\": \"tenant-a\", "
		      "\"vlan\": 20, \"delta\": -3, \"up\": true, "
		      "\"peer\": null}, "
		      "{\"name\": \"vnet1\", \"partition\": null, \"vlan\": 0, "
		      "\"delta\": 7, \"up\": false, \"peer\": null}]\n");
}

static void print_empty_array(void)
{
	out_open_array(NULL);
	out_close_array();
}

static void print_empty_object(void)
{
	out_open_object(NULL);
	out_close_object();
}

/* An object holding an empty list and an empty object. */
static void print_empty_members(void)
{
	out_open_object(NULL);
	out_open_array("ports");
	out_close_array();
	out_open_object("stats");
	out_close_object();
	out_close_object();
}

static void test_empty(void **state)
{
	assert_output(true, print_empty_array, "[]\n");
	assert_output(true, print_empty_object, "{}\n");
	assert_output(true, print_empty_members,
		      "{\"ports\": [], \"stats\": {}}\n");
	assert_output(false, print_empty_array, "");
	assert_output(false, print_empty_members, "");
}

static void print_modes(void)
{
	out_open_object(NULL);
	out_string(PRINT_TEXT, "t", "text-only %s\n", "a");
	out_string(PRINT_JSON, "j", "never printed %s\n", "b");
	out_uint(PRINT_ANY, "n", NULL, 5); /* no text format: JSON only */
	out_json("raw", json_pack("{s:i}", "x", 1));
	out_close_object();
}

static void test_modes(void **state)
{
	assert_output(false, print_modes, "text-only a\n");
	assert_output(true, print_modes,
		      "{\"j\": \"b\", \"n\": 5, \"raw\": {\"x\": 1}}\n");
}

/* A scalar is a document too; a key in an array is ignored. */
static void print_scalar(void)
{
	out_uint(PRINT_ANY, "aging", "%llu ms\n", 300000);
}

static void print_keys_in_array(void)
{
	out_open_array("ignored");
	out_string(PRINT_ANY, "k", "%s\n", "v");
	out_close_array();
}

static void test_scalars(void **state)
{
	assert_output(false, print_scalar, "300000 ms\n");
	assert_output(true, print_scalar, "300000\n");
	assert_output(true, print_keys_in_array, "[\"v\"]\n");
}

/* Nothing printed in JSON mode: no document, not even a newline. */
static void print_nothing(void)
{
}

static void test_nothing(void **state)
{
	assert_output(true, print_nothing, "");
	assert_output(false, print_nothing, "");
}

/* A full disk is reported by out_end(), so that commands exit non-zero. */
static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		skip();
	out_begin(f, true);
	print_empty_object();
	assert_int_equal(out_end(), -ENOSPC);
	out_begin(f, false);
	out_text("%s\n", "text");
	assert_int_equal(out_end(), -ENOSPC);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_calls_text_and_json),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
