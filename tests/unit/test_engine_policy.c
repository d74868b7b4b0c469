// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the engine around its core (fabricd/engine/engine.c and
 * engine_ctl.c): the policy mapped onto partitions and ports, held PKeys,
 * reloads, and the control commands through the control server's request
 * path (no socket, no forwarding thread). The interfaces do not exist, so
 * ports stay "absent": what is checked is the configuration, not traffic.
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

#include "lib/ctl_server.h"
#include "fabricd/engine/engine_priv.h"
#include "fabricd/port_kinds.h"
#include "lib/policy.h"

static const char policy_text[] =
	"fabric:\n"
	"  name: t\n"
	"partitions:\n"
	"  - name: tenant-a\n"
	"    pkey: 0x0021\n"
	"    vlan: 20\n"
	"    members:\n"
	"      - { all_cas: true, membership: full }\n"
	"  - name: tenant-b\n"
	"    pkey: 0x0022\n"
	"    vlan: 30\n"
	"    members:\n"
	"      - { all_cas: true, membership: full }\n"
	"gateways:\n"
	"  - name: gw1\n"
	"    uplink: nosuch-up0\n"
	"ports:\n"
	"  - { name: nosuch-va, partition: tenant-a, membership: limited }\n"
	"  - { name: nosuch-vb, partition: tenant-b }\n";

struct fx {
	struct policy *pol;
	struct engine *e;
	struct ctl_server *srv;
	char dir[64];
	char sock[96];
};

static struct policy *load(const char *text)
{
	struct policy *pol =
		policy_load_buffer("t.yaml", text, strlen(text), stderr, NULL);

	assert_non_null(pol);
	return pol;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(port_kinds_register(false), 0);
	f->pol = load(policy_text);
	f->e = engine_create(f->pol, policy_find_gateway(f->pol, "gw1"));
	assert_non_null(f->e);
	strcpy(f->dir, "/tmp/test-engine-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/ctl", f->dir);
	f->srv = ctl_server_create(f->sock, (gid_t)-1, "test");
	assert_non_null(f->srv);
	engine_register_commands(f->e, f->srv);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ctl_server_destroy(f->srv);
	engine_destroy(f->e);
	policy_free(f->pol);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Call @method with @params (a JSON array text); returns the reply. */
static json_t *call(struct fx *f, const char *method, const char *params)
{
	char line[512], *reply;
	json_t *r;

	snprintf(line, sizeof(line),
		 "{\"id\": 1, \"method\": \"%s\", \"params\": %s}", method,
		 params);
	reply = ctl_server_handle_line(f->srv, line, strlen(line));
	assert_non_null(reply);
	r = json_loads(reply, 0, NULL);
	free(reply);
	assert_non_null(r);
	return r;
}

static const json_t *find_named(const json_t *arr, const char *name)
{
	size_t i;
	json_t *o;

	json_array_foreach((json_t *)arr, i, o)
		if (!strcmp(json_string_value(json_object_get(o, "name")),
			    name))
			return o;
	return NULL;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_policy_ports(void **state)
{
	struct fx *f = *state;
	json_t *r = call(f, "port/list", "[]");
	const json_t *res = json_object_get(r, "result"), *p;

	assert_int_equal(json_array_size(res), 3);
	p = find_named(res, "nosuch-up0");
	assert_non_null(p);
	assert_string_equal(str(p, "role"), "trunk");
	assert_string_equal(str(p, "state"), "absent");
	assert_string_equal(str(p, "source"), "policy");
	assert_non_null(str(p, "error")); /* why it is absent */
	p = find_named(res, "nosuch-va");
	assert_string_equal(str(p, "role"), "access");
	assert_string_equal(str(p, "partition"), "tenant-a");
	assert_string_equal(str(p, "membership"), "limited");
	p = find_named(res, "nosuch-vb");
	assert_string_equal(str(p, "membership"), "full");
	json_decref(r);
}

static void test_held_pkeys(void **state)
{
	struct fx *f = *state;
	const uint16_t held[] = { 0x8022 }; /* full bit set: same partition */
	json_t *r;
	const json_t *parts;

	assert_int_equal(engine_apply_policy(f->e, f->pol, held, 1), 0);
	r = call(f, "stats", "[]");
	parts = json_object_get(json_object_get(r, "result"), "partitions");
	assert_false(json_is_true(
		json_object_get(find_named(parts, "tenant-a"), "active")));
	assert_true(json_is_true(
		json_object_get(find_named(parts, "tenant-b"), "active")));
	assert_string_equal(
		str(json_object_get(r, "result"), "partitions_from"), "ib");
	json_decref(r);
	/* an Ethernet-only host: the policy alone */
	assert_int_equal(engine_apply_policy(f->e, f->pol, NULL, 0), 0);
	r = call(f, "stats", "[]");
	assert_string_equal(
		str(json_object_get(r, "result"), "partitions_from"), "policy");
	json_decref(r);
}

static void test_reload(void **state)
{
	struct fx *f = *state;
	struct policy *pol2;
	const json_t *res;
	json_t *r;
	char *text = strdup(policy_text);

	char rt[IF_NAMESIZE], params[64];

	/*
	 * A run-time port in tenant-a stays across a reload that keeps it.
	 * A tap: port/add wants a netdev port's interface to exist, a tap
	 * fabricd makes (as root; else it stays absent, which is as good).
	 */
	snprintf(rt, sizeof(rt), "rt%d", (int)getpid());
	snprintf(params, sizeof(params),
		 "[\"%s\", \"partition\", \"tenant-a\", \"tap\"]", rt);
	r = call(f, "port/add", params);
	assert_true(json_is_null(json_object_get(r, "error")));
	json_decref(r);
	/* the new policy drops nosuch-vb and moves nosuch-va to full */
	*strstr(text, "  - { name: nosuch-vb") = '\0';
	strcpy(strstr(text, "limited }"), "full }\n");
	pol2 = load(text);
	assert_int_equal(engine_apply_policy(f->e, pol2, NULL, 0), 0);
	policy_free(f->pol);
	f->pol = pol2;
	r = call(f, "port/list", "[]");
	res = json_object_get(r, "result");
	assert_null(find_named(res, "nosuch-vb"));
	assert_string_equal(str(find_named(res, "nosuch-va"), "membership"),
			    "full");
	assert_string_equal(str(find_named(res, rt), "source"), "runtime");
	json_decref(r);
	free(text);
}

static void expect_error(struct fx *f, const char *method, const char *params,
			 const char *needle)
{
	json_t *r = call(f, method, params);
	const char *err = str(r, "error");

	assert_non_null(err);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
	json_decref(r);
}

static void test_command_errors(void **state)
{
	struct fx *f = *state;
	json_t *r;

	expect_error(f, "port/add", "[\"x0\", \"partition\", \"nope\"]",
		     "no partition 'nope'");
	expect_error(f, "port/add", "[\"x0\", \"bogus\"]", "usage");
	expect_error(f, "port/add",
		     "[\"nosuch-va\", \"partition\", \"tenant-a\"]", "exists");
	expect_error(f, "port/add", "[\"x0\", \"trunk\", \"limited\"]",
		     "unexpected 'limited'");
	expect_error(f, "port/add", "[\"../x0\", \"trunk\"]",
		     "not an interface name");
	expect_error(f, "port/add", "[\"lo\", \"trunk\"]", "loopback");
	expect_error(f, "port/add", "[\"nosuch-x0\", \"trunk\"]",
		     "no interface nosuch-x0");
	expect_error(f, "port/del", "[\"x0\"]", "no port x0");
	expect_error(f, "fdb/show", "[\"partition\", \"nope\"]",
		     "no partition");
	expect_error(f, "fdb/show", "[\"tenant-a\"]", "usage");
	expect_error(f, "fdb/aging", "[\"soon\"]", "milliseconds");
	r = call(f, "fdb/aging", "[\"1500\"]");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(r, "result"), "aging_ms")),
			 1500);
	json_decref(r);
	r = call(f, "fdb/show", "[]");
	assert_true(json_is_array(json_object_get(r, "result")));
	assert_int_equal(json_array_size(json_object_get(r, "result")), 0);
	json_decref(r);
	r = call(f, "port/del", "[\"nosuch-va\"]");
	assert_true(json_is_null(json_object_get(r, "error")));
	json_decref(r);
}

static void test_stats_keys(void **state)
{
	struct fx *f = *state;
	static const char *const keys[] = {
		"partitions_from", "poll_mode", "bytes_copied", "pool", "fdb",
		"drops",	   "ports",	"partitions",
	};
	static const char *const drops[] = {
		"runt",	     "oversize",  "bad_tag", "unknown_vid",
		"isolation", "no_buffer", "tx_full",
	};
	json_t *r = call(f, "stats", "[]");
	const json_t *res = json_object_get(r, "result");
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_non_null(json_object_get(res, keys[i]));
	for (i = 0; i < sizeof(drops) / sizeof(drops[0]); i++)
		assert_non_null(json_object_get(json_object_get(res, "drops"),
						drops[i]));
	assert_int_equal(
		json_integer_value(json_object_get(res, "bytes_copied")), 0);
	json_decref(r);
}

static const json_t *port_named(struct fx *f, json_t **r, const char *name)
{
	*r = call(f, "port/list", "[]");
	return find_named(json_object_get(*r, "result"), name);
}

static size_t count_kind(struct fx *f, const char *kind)
{
	json_t *r = call(f, "port/list", "[]"), *o;
	size_t i, n = 0;

	json_array_foreach(json_object_get(r, "result"), i, o) {
		if (!strcmp(str(o, "kind"), kind))
			n++;
	}
	json_decref(r);
	return n;
}

/* A gateway with a verbs port: one ipoib port per carried partition. */
static void test_ipoib_ports(void **state)
{
	struct fx *f = *state;
	const uint16_t held[] = { 0x8021, 0x0022 }, held_b[] = { 0x8022 };
	const json_t *p;
	json_t *r;

	assert_int_equal(engine_set_ib(f->e, "nodev9", 1), 0);
	assert_int_equal(engine_apply_policy(f->e, f->pol, held, 2), 0);
	assert_int_equal(count_kind(f, "ipoib"), 2);
	p = port_named(f, &r, "nodev9.8021");
	assert_non_null(p);
	assert_string_equal(str(p, "partition"), "tenant-a");
	assert_string_equal(str(p, "role"), "access");
	assert_string_equal(str(p, "source"), "policy");
	assert_string_equal(str(p, "state"), "absent"); /* no such device */
	json_decref(r);
	/* held as a limited member: the name says so, like ib0.0022 */
	p = port_named(f, &r, "nodev9.0022");
	assert_non_null(p);
	assert_string_equal(str(p, "partition"), "tenant-b");
	json_decref(r);
	/* the same again changes nothing; a PKey that goes takes its port */
	assert_int_equal(engine_apply_policy(f->e, f->pol, held, 2), 0);
	assert_int_equal(count_kind(f, "ipoib"), 2);
	assert_int_equal(engine_apply_policy(f->e, f->pol, held_b, 1), 0);
	assert_int_equal(count_kind(f, "ipoib"), 1);
	assert_null(port_named(f, &r, "nodev9.8021"));
	json_decref(r);
	/* port 2: "DEV:PORT.PKEY"; the access ports stay */
	assert_int_equal(engine_set_ib(f->e, "nodev9", 2), 0);
	assert_int_equal(engine_apply_policy(f->e, f->pol, held_b, 1), 0);
	assert_non_null(port_named(f, &r, "nodev9:2.8022"));
	json_decref(r);
	assert_int_equal(count_kind(f, "netdev"), 3);
	/* no verbs port: none; policy only (RoCE): every partition, full */
	assert_int_equal(engine_set_ib(f->e, NULL, 0), 0);
	assert_int_equal(engine_apply_policy(f->e, f->pol, held_b, 1), 0);
	assert_int_equal(count_kind(f, "ipoib"), 0);
	assert_int_equal(engine_set_ib(f->e, "nodev9", 0), 0);
	assert_int_equal(engine_apply_policy(f->e, f->pol, NULL, 0), 0);
	assert_non_null(port_named(f, &r, "nodev9.8021"));
	json_decref(r);
	assert_non_null(port_named(f, &r, "nodev9.8022"));
	json_decref(r);
	assert_int_equal(engine_set_ib(f->e, "", 1), -EINVAL);
}

static void test_port_add_ipoib(void **state)
{
	struct fx *f = *state;
	const json_t *p;
	json_t *r;

	expect_error(f, "port/add", "[\"x0.8021\", \"trunk\", \"ipoib\"]",
		     "one partition");
	r = call(f, "port/add",
		 "[\"x0.8021\", \"partition\", \"tenant-a\", \"ipoib\"]");
	assert_true(json_is_null(json_object_get(r, "error")));
	json_decref(r);
	p = port_named(f, &r, "x0.8021");
	assert_non_null(p);
	assert_string_equal(str(p, "kind"), "ipoib");
	assert_string_equal(str(p, "source"), "runtime");
	json_decref(r);
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_policy_ports),	 T_(test_held_pkeys),
		T_(test_reload),	 T_(test_command_errors),
		T_(test_stats_keys),	 T_(test_ipoib_ports),
		T_(test_port_add_ipoib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
