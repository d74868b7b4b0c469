// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The control protocol (lib/ctl_server.c): request parsing, argument
 * checks, built-ins, handler errors; and lib/ctl.c against a real socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>

#include "lib/ctl_server.h"
#include "lib/ctl.h"

static json_t *call(struct ctl_server *srv, const char *line)
{
	char *reply = ctl_server_handle_line(srv, line, strlen(line));
	json_t *j;

	assert_non_null(reply);
	assert_int_equal(reply[strlen(reply) - 1], '\n');
	j = json_loads(reply, 0, NULL);
	free(reply);
	assert_non_null(j);
	return j;
}

static const char *error_of(json_t *j)
{
	return json_string_value(json_object_get(j, "error"));
}

static int echo(int argc, const char *const argv[], void *aux, json_t **result,
		char **error)
{
	if (argc && !strcmp(argv[0], "fail")) {
		*error = strdup("it failed");
		return -EIO;
	}
	*result = json_pack("{s:i, s:s?}", "argc", argc, "first",
			    argc ? argv[0] : NULL);
	return 0;
}

/* A root-only command answers uid 0 and refuses anyone else with EPERM. */
static void test_root_only(void **state)
{
	struct ctl_server *srv = ctl_server_create(NULL, (gid_t)-1, "9.9");
	const char *req = "{\"id\":1,\"method\":\"echo\",\"params\":[\"a\"]}";
	json_t *j;
	char *r;

	assert_non_null(srv);
	assert_int_equal(
		ctl_server_register(srv, "echo", "[X]", 0, 1, echo, NULL), 0);
	assert_int_equal(ctl_server_set_root_only(srv, "nope"), -ENOENT);
	r = ctl_server_handle_line_as(srv, req, strlen(req), 1000);
	j = json_loads(r, 0, NULL);
	assert_null(error_of(j)); /* not root-only yet */
	json_decref(j);
	free(r);
	assert_int_equal(ctl_server_set_root_only(srv, "echo"), 0);
	r = ctl_server_handle_line_as(srv, req, strlen(req), 1000);
	j = json_loads(r, 0, NULL);
	assert_non_null(error_of(j));
	assert_non_null(strstr(error_of(j), "EPERM"));
	json_decref(j);
	free(r);
	j = call(srv, req); /* root */
	assert_null(error_of(j));
	json_decref(j);
	ctl_server_destroy(srv);
}

static void test_requests(void **state)
{
	struct ctl_server *srv = ctl_server_create(NULL, (gid_t)-1, "9.9");
	json_t *j;

	assert_non_null(srv);
	assert_int_equal(
		ctl_server_register(srv, "echo", "[X]", 0, 1, echo, NULL), 0);
	assert_int_equal(ctl_server_register(srv, "echo", "", 0, 0, echo, NULL),
			 -EEXIST);

	j = call(srv, "{\"id\": 3, \"method\": \"echo\", \"params\": [\"x\"]}");
	assert_null(error_of(j));
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(j, "result"), "first")),
			    "x");
	json_decref(j);

	j = call(srv,
		 "{\"id\": 4, \"method\": \"echo\", \"params\": [\"fail\"]}");
	assert_string_equal(error_of(j), "it failed");
	assert_true(json_is_null(json_object_get(j, "result")));
	json_decref(j);

	j = call(
		srv,
		"{\"id\": 5, \"method\": \"echo\", \"params\": [\"a\", \"b\"]}");
	assert_string_equal(error_of(j), "usage: echo [X]");
	json_decref(j);

	j = call(srv, "{\"id\": 6, \"method\": \"version\"}");
	assert_string_equal(json_string_value(json_object_get(j, "result")),
			    "9.9");
	json_decref(j);

	j = call(srv, "{\"id\": 7, \"method\": \"log/set\", \"params\": "
		      "[\"nosuchmodule:dbg\"]}");
	assert_string_equal(error_of(j), "no log module 'nosuchmodule'");
	json_decref(j);
	ctl_server_destroy(srv);
}

static void test_malformed(void **state)
{
	struct ctl_server *srv = ctl_server_create(NULL, (gid_t)-1, "9.9");
	static const char *const bad[] = {
		"{",
		"[]",
		"\"x\"",
		"{\"id\": 1}",
		"{\"method\": 7}",
		"{\"method\": \"version\", \"params\": \"x\"}",
		"{\"method\": \"version\", \"params\": [null]}",
		"{\"method\": \"nope\"}",
		"{\"method\": \"version\", \"method\": \"version\"}",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = call(srv, bad[i]);

		assert_non_null(error_of(j));
		json_decref(j);
	}
	ctl_server_destroy(srv);
}

static void *serve(void *arg)
{
	struct ctl_server *srv = arg;
	struct pollfd pfd[CTL_SERVER_MAX_POLLFDS];
	int i, n;

	for (i = 0; i < 50; i++) {
		n = ctl_server_pollfds(srv, pfd);
		if (poll(pfd, n, 100) > 0)
			ctl_server_process(srv, pfd, n);
	}
	return NULL;
}

static void test_socket_roundtrip(void **state)
{
	char dir[] = "/tmp/test_ctl.XXXXXX", path[64];
	const char *argv[] = { "hello" };
	struct ctl_server *srv;
	struct ctl_client *c;
	json_t *res = NULL;
	char *error = NULL;
	pthread_t t;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl", dir);
	srv = ctl_server_create(path, (gid_t)-1, "9.9");
	assert_non_null(srv);
	assert_int_equal(
		ctl_server_register(srv, "echo", "[X]", 0, 1, echo, NULL), 0);
	pthread_create(&t, NULL, serve, srv);
	c = ctl_client_open(path, 5000);
	assert_non_null(c);
	assert_int_equal(
		ctl_client_call(c, "echo", 1, argv, 2000, &res, &error), 0);
	assert_string_equal(json_string_value(json_object_get(res, "first")),
			    "hello");
	json_decref(res);
	assert_int_equal(ctl_client_call(c, "nope", 0, NULL, 2000, &res,
					 &error),
			 -EREMOTEIO);
	assert_non_null(error);
	free(error);
	ctl_client_close(c);
	pthread_join(t, NULL);
	ctl_server_destroy(srv);
	assert_int_equal(access(path, F_OK), -1); /* unlinked */
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_root_only),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_socket_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
