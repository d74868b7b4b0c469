// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fabricctl's control socket client helpers (see fabricctl_ctl.h). */
#include "tools/fabricctl_ctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ctl.h"
#include "lib/output.h"

static void explain_open(const struct fctl_opts *o, int err)
{
	if (err == ETIMEDOUT) {
		fprintf(stderr,
			"fabricctl: fabricd at %s accepted no connection within %d ms (stuck or overloaded? see its log; -t sets the timeout)\n",
			o->socket, o->timeout_ms);
		return;
	}
	fprintf(stderr, "fabricctl: cannot reach fabricd at %s: %s", o->socket,
		strerror(err));
	if (err == ENOENT || err == ECONNREFUSED)
		fprintf(stderr, " (is fabricd running? see -s)");
	else if (err == EACCES || err == EPERM)
		fprintf(stderr,
			" (run as root or as a member of the socket's group)");
	fputc('\n', stderr);
}

int fctl_call(const struct fctl_opts *o, const char *method, int argc,
	      const char *const argv[], json_t **result)
{
	struct ctl_client *c = ctl_client_open(o->socket, o->timeout_ms);
	char *error = NULL;
	int ret;

	if (!c) {
		explain_open(o, errno);
		return FCTL_UNREACHABLE;
	}
	ret = ctl_client_call(c, method, argc, argv, o->timeout_ms, result,
			      &error);
	ctl_client_close(c);
	if (ret == -EREMOTEIO) {
		bool denied = error && !strncmp(error, "permission denied", 17);

		fprintf(stderr, "fabricctl: fabricd: %s\n",
			error ? error : "error");
		free(error);
		return denied ? FCTL_UNREACHABLE : FCTL_REFUSED;
	}
	free(error);
	if (ret == -ETIMEDOUT) {
		fprintf(stderr,
			"fabricctl: %s: fabricd at %s did not answer within %d ms (stuck or overloaded? see its log; -t sets the timeout)\n",
			method, o->socket, o->timeout_ms);
		return FCTL_UNREACHABLE;
	}
	if (ret) {
		fprintf(stderr, "fabricctl: %s on %s: %s\n", method, o->socket,
			strerror(-ret));
		return FCTL_UNREACHABLE;
	}
	return FCTL_OK;
}

/* One of @print (the whole reply) and @print_one (each of an array). */
static int show(const struct fctl_opts *o, const char *method, int argc,
		char **argv, void (*print)(json_t *reply),
		void (*print_one)(json_t *elem))
{
	json_t *res = NULL, *e;
	size_t i;
	int ret = fctl_call(o, method, argc, (const char *const *)argv, &res);

	if (ret)
		return ret;
	out_begin(stdout, o->json);
	if (print) {
		print(res);
	} else {
		out_open_array(NULL);
		json_array_foreach(res, i, e)
			print_one(e);
		out_close_array();
	}
	json_decref(res);
	return out_end() ? FCTL_UNREACHABLE : FCTL_OK;
}

int fctl_show(const struct fctl_opts *o, const char *method, int argc,
	      char **argv, void (*print)(json_t *reply))
{
	return show(o, method, argc, argv, print, NULL);
}

int fctl_show_each(const struct fctl_opts *o, const char *method, int argc,
		   char **argv, void (*print_one)(json_t *elem))
{
	return show(o, method, argc, argv, NULL, print_one);
}

const char *fctl_json_str(const json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : dflt;
}

uint64_t fctl_json_uint(const json_t *obj, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(obj, key));
}

void fctl_put_str(const json_t *obj, const char *key, const char *fmt,
		  const char *null_fmt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (s)
		out_string(PRINT_ANY, key, fmt, s);
	else
		out_null(null_fmt ? PRINT_ANY : PRINT_JSON, key, null_fmt);
}

void fctl_put_uint(const json_t *obj, const char *key, const char *fmt)
{
	out_uint(PRINT_ANY, key, fmt, fctl_json_uint(obj, key));
}

void fctl_put_peer_ann(const json_t *obj, const char *key, const char *label)
{
	const json_t *a = json_object_get(obj, key);

	if (!json_is_object(a))
		return;
	out_open_object(key);
	out_text("\n    %s:", label);
	fctl_put_uint(a, "announced", " announced %" PRIu64);
	fctl_put_uint(a, "withdrawn", " withdrawn %" PRIu64);
	fctl_put_uint(a, "ann_dropped", " ann_dropped %" PRIu64);
	fctl_put_uint(a, "moved_dropped", " moved_dropped %" PRIu64);
	fctl_put_uint(a, "repeats_cancelled", " repeats_cancelled %" PRIu64);
	out_close_object();
}
