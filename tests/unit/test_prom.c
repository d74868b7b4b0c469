// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for lib/prom.c, the "stats" reply as Prometheus text: exact
 * output of engine, port and partition families; label values escaped
 * (backslash, quote, newline); null and non-numeric values give no sample;
 * empty replies print nothing; a failed write is reported.
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

#include "lib/prom.h"

/* The text of @json (a stats reply in JSON); the caller frees it. */
static char *render(const char *json)
{
	json_error_t err;
	json_t *stats = json_loads(json, JSON_DECODE_ANY, &err);
	size_t len = 12345;
	char *text;

	assert_non_null(stats);
	text = prom_stats_text(stats, &len);
	json_decref(stats);
	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	return text;
}

#define assert_render(json, expect)                \
	do {                                       \
		char *got_ = render(json);         \
		assert_string_equal(got_, expect); \
		free(got_);                        \
	} while (0)

static void test_empty(void **state)
{
	assert_render("{}", "");
	assert_render("{\"ports\": [], \"partitions\": []}", "");
	assert_render("null", "");
	assert_render("[]", "");
	assert_render("{\"ports\": {}, \"partitions\": [1, \"x\"]}", "");
}

static void test_engine(void **state)
{
	assert_render(
		"{\"running\": true, \"wakeups\": 7, \"drops\": {\"runt\": 1,"
		" \"tx_full\": 0}, \"fdb\": {\"learned\": 2, \"full\": 3,"
		" \"port_limit\": 4, \"size\": 64}}",
		"# HELP fabricd_engine_running 1 while the forwarding thread "
		"runs\n"
		"# TYPE fabricd_engine_running gauge\n"
		"fabricd_engine_running 1\n"
		"# HELP fabricd_engine_wakeups_total wake-ups of the forwarding "
		"thread\n"
		"# TYPE fabricd_engine_wakeups_total counter\n"
		"fabricd_engine_wakeups_total 7\n"
		"# HELP fabricd_engine_drops_total frames dropped by the engine, "
		"by reason\n"
		"# TYPE fabricd_engine_drops_total counter\n"
		"fabricd_engine_drops_total{reason=\"runt\"} 1\n"
		"fabricd_engine_drops_total{reason=\"tx_full\"} 0\n"
		"# HELP fabricd_fdb_size_entries entries the MAC table holds\n"
		"# TYPE fabricd_fdb_size_entries gauge\n"
		"fabricd_fdb_size_entries 64\n"
		"# HELP fabricd_fdb_learned_total MAC addresses learned\n"
		"# TYPE fabricd_fdb_learned_total counter\n"
		"fabricd_fdb_learned_total 2\n"
		"# HELP fabricd_fdb_not_learned_total MAC addresses not learned, "
		"by reason (full: table full, part_limit: partition quota, "
		"port_limit: port limit)\n"
		"# TYPE fabricd_fdb_not_learned_total counter\n"
		"fabricd_fdb_not_learned_total{reason=\"full\"} 3\n"
		"fabricd_fdb_not_learned_total{reason=\"port_limit\"} 4\n");
}

/* Grep-like: whether @text has the line @line. */
static void assert_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p++;
	}
	fail_msg("no line '%s' in:\n%s", line, text);
}

static void assert_no(const char *text, const char *what)
{
	if (strstr(text, what))
		fail_msg("'%s' should not be in:\n%s", what, text);
}

static void test_ports(void **state)
{
	char *t = render(
		"{\"ports\": [{\"name\": \"r1\", \"kind\": \"netdev\","
		" \"role\": \"access\", \"partition\": \"red\","
		" \"state\": \"up\", \"rx_packets\": 5, \"drops\": {\"runt\": 2},"
		" \"fdb\": {\"limit\": null, \"entries\": 1}},"
		" {\"name\": \"t1\", \"kind\": \"tap\", \"role\": \"trunk\","
		" \"partition\": null, \"state\": \"absent\","
		" \"rx_packets\": 9223372036854775807,"
		" \"fdb\": {\"limit\": 8}}]}");

	assert_line(t, "# TYPE fabricd_port_rx_packets_total counter");
	assert_line(t, "fabricd_port_rx_packets_total{port=\"r1\","
		       "kind=\"netdev\"} 5");
	assert_line(t, "fabricd_port_rx_packets_total{port=\"t1\","
		       "kind=\"tap\"} 9223372036854775807");
	assert_line(t, "fabricd_port_drops_total{port=\"r1\",kind=\"netdev\","
		       "reason=\"runt\"} 2");
	assert_line(t, "fabricd_port_up{port=\"r1\",kind=\"netdev\"} 1");
	assert_line(t, "fabricd_port_up{port=\"t1\",kind=\"tap\"} 0");
	assert_line(t, "fabricd_port_info{port=\"t1\",kind=\"tap\","
		       "role=\"trunk\",partition=\"\",membership=\"\","
		       "mode=\"\",state=\"absent\",source=\"\"} 1");
	assert_line(t, "fabricd_port_fdb_limit_entries{port=\"t1\","
		       "kind=\"tap\"} 8");
	/* no limit (null): no sample, and the header only once */
	assert_no(t, "fabricd_port_fdb_limit_entries{port=\"r1\"");
	assert_no(t, "fabricd_port_fdb_entries{port=\"t1\"");
	assert_int_equal(strstr(t, "# TYPE fabricd_port_up") -
					 strstr(t, "# TYPE fabricd_port_info") >
				 0,
			 1);
	free(t);
}

static void test_partitions(void **state)
{
	assert_render(
		"{\"partitions\": [{\"name\": \"red\", \"pkey\": 17,"
		" \"vlan\": 11, \"active\": false,"
		" \"fdb\": {\"limit\": \"shared\", \"refused\": 0}}]}",
		"# HELP fabricd_partition_info a partition of the engine "
		"(value 1), its PKey and VLAN\n"
		"# TYPE fabricd_partition_info gauge\n"
		"fabricd_partition_info{partition=\"red\",pkey=\"17\","
		"vlan=\"11\"} 1\n"
		"# HELP fabricd_partition_active 1 when the partition forwards "
		"(its PKey is on the IB port)\n"
		"# TYPE fabricd_partition_active gauge\n"
		"fabricd_partition_active{partition=\"red\"} 0\n"
		"# HELP fabricd_partition_fdb_refused_total MAC addresses not "
		"learned in the partition (its limit reached)\n"
		"# TYPE fabricd_partition_fdb_refused_total counter\n"
		"fabricd_partition_fdb_refused_total{partition=\"red\"} 0\n");
}

static void test_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	prom_escape_label(f, "a\\b\"c\nd");
	prom_escape_label(f, "");
	prom_escape_label(f, "plain {x=1}, 'y'");
	fclose(f);
	assert_string_equal(buf, "a\\\\b\\\"c\\nd"
				 "plain {x=1}, 'y'");
	free(buf);

	assert_render("{\"partitions\": [{\"name\": \"r\\\\e\\\"d\\n\","
		      " \"active\": true}]}",
		      "# HELP fabricd_partition_info a partition of the engine "
		      "(value 1), its PKey and VLAN\n"
		      "# TYPE fabricd_partition_info gauge\n"
		      "fabricd_partition_info{partition=\"r\\\\e\\\"d\\n\","
		      "pkey=\"\",vlan=\"\"} 1\n"
		      "# HELP fabricd_partition_active 1 when the partition "
		      "forwards (its PKey is on the IB port)\n"
		      "# TYPE fabricd_partition_active gauge\n"
		      "fabricd_partition_active{partition=\"r\\\\e\\\"d\\n\"} "
		      "1\n");
}

static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/null", "r");
	json_t *stats = json_pack("{s:i}", "wakeups", 1);

	assert_non_null(f);
	assert_int_equal(prom_write_stats(f, stats), -EIO);
	fclose(f);
	json_decref(stats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_engine),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_partitions),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
