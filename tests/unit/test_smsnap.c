// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the SM plugin's state snapshot (sm-plugin/smsnap.c): the
 * exact JSON that fabstat --snapshot and fabricd read (schema:
 * docs/sm-plugin.md), and its writer thread (sm-plugin/smwriter.c): the
 * newest snapshot wins, stop writes what is queued, the directory is made.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/util.h"
#include "sm-plugin/smsnap.h"
#include "sm-plugin/smwriter.h"

/* A snapshot with a policy of two partitions and two ports. */
static struct smsnap *sample(uint64_t sweep)
{
	struct smsnap *s = calloc(1, sizeof(*s));
	struct smsnap_port *p;

	assert_non_null(s);
	s->time = 1700000000;
	s->sweep = sweep;
	s->sm_guid = 0x0002c90300000001;
	s->policy_file = strdup("/etc/fabricd/fabric.yaml");
	s->fabric = strdup("lab");
	s->in_force = true;
	s->loaded_at = 1699999999;
	s->refused = 2;
	s->parts = calloc(2, sizeof(*s->parts));
	s->n_parts = 2;
	s->parts[0] =
		(struct smsnap_part){ strdup("tenant-a"), 0x0001, true, 2048 };
	s->parts[1] =
		(struct smsnap_part){ strdup("storage"), 0x0010, false, 4096 };
	p = smsnap_add_port(s);
	assert_non_null(p);
	p->node_guid = 0x0002c90300000100;
	p->port_guid = 0x0002c90300000101;
	p->lid = 0x40;
	p->pkey_cap = 128;
	p->port_num = 1;
	p->type = "ca";
	strcpy(p->desc, "gw1 HCA-1");
	assert_int_equal(smsnap_add_pkey(s, 0xffff), 0);
	assert_int_equal(smsnap_add_pkey(s, 0x8001), 0);
	assert_int_equal(smsnap_add_pkey(s, 0x0010), 0);
	assert_int_equal(smsnap_add_pkey(s, 0x0123), 0); /* not in policy */
	p = smsnap_add_port(s);
	assert_non_null(p);
	p->node_guid = p->port_guid = 0x0002c90300000900;
	p->lid = 1;
	p->type = "switch";
	return s;
}

#define SAMPLE_JSON(sweep)                                                    \
	"{\"version\":1,\"time\":1700000000,\"sweep\":" #sweep ","            \
	"\"sm\":{\"port_guid\":\"0x0002c90300000001\",\"state\":\"master\"}," \
	"\"policy\":{\"file\":\"/etc/fabricd/fabric.yaml\","                  \
	"\"in_force\":true,\"fabric\":\"lab\",\"loaded_at\":1699999999,"      \
	"\"refused\":2,\"partitions\":["                                      \
	"{\"name\":\"tenant-a\",\"pkey\":\"0x0001\",\"ipoib\":true,"          \
	"\"mtu\":2048},"                                                      \
	"{\"name\":\"storage\",\"pkey\":\"0x0010\",\"ipoib\":false,"          \
	"\"mtu\":4096}]},"                                                    \
	"\"ports\":["                                                         \
	"{\"node_guid\":\"0x0002c90300000100\","                              \
	"\"port_guid\":\"0x0002c90300000101\",\"port_num\":1,"                \
	"\"node_type\":\"ca\",\"node_desc\":\"gw1 HCA-1\",\"lid\":64,"        \
	"\"pkey_capacity\":128,\"pkeys\":["                                   \
	"{\"pkey\":\"0xffff\",\"membership\":\"full\","                       \
	"\"partition\":\"Default\"},"                                         \
	"{\"pkey\":\"0x8001\",\"membership\":\"full\","                       \
	"\"partition\":\"tenant-a\"},"                                        \
	"{\"pkey\":\"0x0010\",\"membership\":\"limited\","                    \
	"\"partition\":\"storage\"},"                                         \
	"{\"pkey\":\"0x0123\",\"membership\":\"limited\","                    \
	"\"partition\":null}]},"                                              \
	"{\"node_guid\":\"0x0002c90300000900\","                              \
	"\"port_guid\":\"0x0002c90300000900\",\"port_num\":0,"                \
	"\"node_type\":\"switch\",\"node_desc\":\"\",\"lid\":1,"              \
	"\"pkey_capacity\":0,\"pkeys\":[]}]}"

static void test_render(void **state)
{
	struct smsnap *s = sample(7);
	char *text = smsnap_render(s);

	assert_non_null(text);
	assert_string_equal(text, SAMPLE_JSON(7));
	free(text);
	smsnap_free(s);
}

/* No policy in force: "fabric" is null, no partitions, no ports: []. */
static void test_render_empty(void **state)
{
	struct smsnap *s = calloc(1, sizeof(*s));
	char *text;

	s->policy_file = strdup("p.yaml");
	text = smsnap_render(s);
	assert_string_equal(
		text, "{\"version\":1,\"time\":0,\"sweep\":0,"
		      "\"sm\":{\"port_guid\":\"0x0000000000000000\","
		      "\"state\":\"master\"},"
		      "\"policy\":{\"file\":\"p.yaml\",\"in_force\":false,"
		      "\"fabric\":null,\"loaded_at\":0,\"refused\":0,"
		      "\"partitions\":[]},\"ports\":[]}");
	free(text);
	smsnap_free(s);
}

/* Ports and PKeys grow past the first allocation; a PKey needs a port. */
static void test_grow(void **state)
{
	struct smsnap *s = calloc(1, sizeof(*s));
	size_t i;

	assert_int_equal(smsnap_add_pkey(s, 0xffff), -ENOMEM);
	for (i = 0; i < 300; i++) {
		assert_non_null(smsnap_add_port(s));
		assert_int_equal(smsnap_add_pkey(s, (uint16_t)i), 0);
		assert_int_equal(smsnap_add_pkey(s, (uint16_t)(i | 0x8000)), 0);
	}
	assert_int_equal(s->n_ports, 300);
	assert_int_equal(s->n_pkeys, 600);
	assert_int_equal(s->ports[299].first_pkey, 598);
	assert_int_equal(s->ports[299].n_pkeys, 2);
	assert_int_equal(s->pkeys[599], 299 | 0x8000);
	smsnap_free(s);
	smsnap_free(NULL);
}

static char dir[] = "/tmp/test_smsnap.XXXXXX";

/* The writer makes the directory, and stop writes the newest snapshot. */
static void test_writer(void **state)
{
	struct smwriter *w;
	char path[96], *got;
	size_t len;

	snprintf(path, sizeof(path), "%s/a/b/state.json", dir);
	w = smwriter_start(path);
	assert_non_null(w);
	smwriter_submit(w, sample(1));
	smwriter_submit(w, sample(2));
	smwriter_submit(w, sample(3));
	smwriter_stop(w);
	assert_int_equal(util_read_file(path, &got, &len), 0);
	assert_int_equal(len, strlen(SAMPLE_JSON(3)));
	assert_memory_equal(got, SAMPLE_JSON(3), len);
	free(got);
	smwriter_stop(NULL);
}

/* A path that cannot be written leaves nothing and does not hang. */
static void test_writer_bad_path(void **state)
{
	struct smwriter *w;
	char path[96];

	snprintf(path, sizeof(path), "%s/file", dir);
	assert_int_equal(util_write_file_atomic(path, "x", 1, 0644), 0);
	snprintf(path, sizeof(path), "%s/file/state.json", dir);
	w = smwriter_start(path);
	assert_non_null(w);
	smwriter_submit(w, sample(1));
	smwriter_stop(w);
	assert_int_equal(access(path, F_OK), -1);
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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_empty),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_bad_path),
	};

	return cmocka_run_group_tests_name("smsnap", tests, setup_dir,
					   teardown_dir);
}
