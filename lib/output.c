// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/output.h"

#include <errno.h>
#include <stdarg.h>

#define OUT_MAX_DEPTH 32

static struct {
	FILE *f;
	bool json;
	json_t *root;
	json_t *stack[OUT_MAX_DEPTH];
	int depth;
} out;

void out_begin(FILE *f, bool json)
{
	out.f = f;
	out.json = json;
	out.root = NULL;
	out.depth = 0;
}

bool out_is_json(void)
{
	return out.json;
}

int out_end(void)
{
	int ret = 0;

	if (out.json && out.root) {
		if (json_dumpf(out.root, out.f,
			       JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) < 0)
			ret = -EIO;
		fputc('\n', out.f);
	}
	json_decref(out.root);
	out.root = NULL;
	out.depth = 0;
	if (fflush(out.f))
		ret = -errno;
	return ret;
}

/* Put @v into the current container (or make it the document). */
static void json_put(const char *key, json_t *v)
{
	json_t *top;

	if (!v)
		return;
	if (!out.depth) {
		json_decref(out.root);
		out.root = v;
		return;
	}
	top = out.stack[out.depth - 1];
	if (json_is_array(top))
		json_array_append_new(top, v);
	else
		json_object_set_new(top, key ? key : "", v);
}

static void open_container(const char *key, json_t *c)
{
	if (!out.json) {
		json_decref(c);
		return;
	}
	json_incref(c);
	json_put(key, c);
	if (out.depth < OUT_MAX_DEPTH)
		out.stack[out.depth++] = c;
	json_decref(c);
}

void out_open_object(const char *key)
{
	open_container(key, json_object());
}

void out_open_array(const char *key)
{
	open_container(key, json_array());
}

static void close_container(void)
{
	if (out.json && out.depth > 0)
		out.depth--;
}

void out_close_object(void)
{
	close_container();
}

void out_close_array(void)
{
	close_container();
}

static bool want(enum out_type t)
{
	return out.json ? (t & PRINT_JSON) : (t & PRINT_TEXT);
}

#define TEXT_PRINT(fmt, v)                      \
	do {                                    \
		if (fmt)                        \
			fprintf(out.f, fmt, v); \
	} while (0)

void out_string(enum out_type t, const char *key, const char *fmt,
		const char *value)
{
	if (!want(t))
		return;
	if (out.json)
		json_put(key, value ? json_string(value) : json_null());
	else
		TEXT_PRINT(fmt, value ? value : "-");
}

void out_uint(enum out_type t, const char *key, const char *fmt, uint64_t value)
{
	if (!want(t))
		return;
	if (out.json)
		json_put(key, json_integer((json_int_t)value));
	else
		TEXT_PRINT(fmt, value);
}

void out_int(enum out_type t, const char *key, const char *fmt, int64_t value)
{
	if (!want(t))
		return;
	if (out.json)
		json_put(key, json_integer(value));
	else
		TEXT_PRINT(fmt, value);
}

void out_bool(enum out_type t, const char *key, const char *fmt, bool value)
{
	if (!want(t))
		return;
	if (out.json)
		json_put(key, json_boolean(value));
	else
		TEXT_PRINT(fmt, value ? "yes" : "no");
}

void out_null(enum out_type t, const char *key, const char *fmt)
{
	if (!want(t))
		return;
	if (out.json)
		json_put(key, json_null());
	else
		TEXT_PRINT(fmt, "-");
}

void out_json(const char *key, json_t *value)
{
	if (out.json)
		json_put(key, value);
	else
		json_decref(value);
}

void out_nl(void)
{
	if (!out.json)
		fputc('\n', out.f);
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (out.json)
		return;
	va_start(ap, fmt);
	vfprintf(out.f, fmt, ap);
	va_end(ap);
}
