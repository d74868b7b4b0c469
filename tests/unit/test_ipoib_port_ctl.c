// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for ipoib/neigh_ctl: neigh/show on a control server without
 * sockets (ctl_server_handle_line): arguments, partition names, the empty
 * answer when no ipoib port is open.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/ctl_server.h"
#include "ipoib/neigh_ctl.h"
#include "ipoib/neigh.h"
#include "lib/ib.h"

static int pkey_of(void *arg, const char *name, uint16_t *pkey)
{
	if (strcmp(name, "tenant-a"))
		return -ENOENT;
	*pkey = 0x8001;
	return 0;
}

static const char *name_of(void *arg, uint16_t pkey)
{
	return (pkey & IB_PKEY_BASE_MASK) == 1 ? "tenant-a" : NULL;
}

static const struct ipoib_neigh_ctl_names names = { pkey_of, name_of, NULL };

/* One request; returns the reply's "result" or "error" as JSON text. */
static char *call(struct ctl_server *srv, const char *req, const char *key)
{
	char *reply = ctl_server_handle_line(srv, req, strlen(req));
	json_t *o = json_loads(reply, 0, NULL);
	char *out;

	assert_non_null(o);
	out = json_dumps(json_object_get(o, key), JSON_ENCODE_ANY);
	json_decref(o);
	free(reply);
	return out;
}

static void test_neigh_show(void **state)
{
	struct ctl_server *srv = ctl_server_create(NULL, (gid_t)-1, "t");
	char *s;

	assert_non_null(srv);
	assert_int_equal(ipoib_neigh_ctl_register(srv, &names), 0);
	assert_int_equal(ipoib_neigh_ctl_register(srv, &names), -EEXIST);
	s = call(srv, "{\"id\":1,\"method\":\"neigh/show\",\"params\":[]}",
		 "result");
	assert_string_equal(s, "[]");
	free(s);
	s = call(srv,
		 "{\"id\":2,\"method\":\"neigh/show\",\"params\":"
		 "[\"partition\",\"tenant-a\"]}",
		 "result");
	assert_string_equal(s, "[]");
	free(s);
	s = call(srv,
		 "{\"id\":3,\"method\":\"neigh/show\",\"params\":"
		 "[\"partition\",\"nope\"]}",
		 "error");
	assert_non_null(strstr(s, "no partition 'nope'"));
	free(s);
	s = call(srv,
		 "{\"id\":4,\"method\":\"neigh/show\",\"params\":"
		 "[\"bogus\",\"x\"]}",
		 "error");
	assert_non_null(strstr(s, "usage"));
	free(s);
	ctl_server_destroy(srv);
}

static void test_show_without_names(void **state)
{
	struct ctl_server *srv = ctl_server_create(NULL, (gid_t)-1, "t");
	char *s;
	json_t *a = ipoib_neigh_ctl_show(NULL, IPOIB_PKEY_ANY);

	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	assert_int_equal(ipoib_neigh_ctl_register(srv, NULL), 0);
	s = call(srv,
		 "{\"id\":1,\"method\":\"neigh/show\",\"params\":"
		 "[\"partition\",\"tenant-a\"]}",
		 "error");
	assert_non_null(strstr(s, "no partition"));
	free(s);
	ctl_server_destroy(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_neigh_show),
		cmocka_unit_test(test_show_without_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
