/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One print path for text and JSON, after iproute2's json_print: every value
 * is printed through out_*() with a JSON key and a text format, so `-j`
 * output and the text never drift. JSON is built with jansson and written by
 * out_end(); text goes straight to the stream.
 *
 *   out_begin(stdout, json);
 *   out_open_array(NULL);
 *   out_open_object(NULL);
 *   out_string(PRINT_ANY, "name", "%-12s", p->name);
 *   out_uint(PRINT_ANY, "vlan", " vlan %u", p->vlan);
 *   out_nl();
 *   out_close_object();
 *   out_close_array();
 *   out_end();
 */
#ifndef FABRIC_OUTPUT_H
#define FABRIC_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

enum out_type {
	PRINT_TEXT = 1, /* only in text mode */
	PRINT_JSON = 2, /* only in JSON mode */
	PRINT_ANY = 3, /* both */
};

/* out_begin - start a document on @f; @json selects the mode. */
void out_begin(FILE *f, bool json);
/* out_end - write the JSON document (if any) and reset. Returns 0 or -errno. */
int out_end(void);
bool out_is_json(void);

/* Containers: @key names it inside an object, NULL inside an array/top. */
void out_open_object(const char *key);
void out_close_object(void);
void out_open_array(const char *key);
void out_close_array(void);

/* Values; @fmt is the text format (NULL prints nothing in text mode). */
void out_string(enum out_type t, const char *key, const char *fmt,
		const char *value);
void out_uint(enum out_type t, const char *key, const char *fmt,
	      uint64_t value);
void out_int(enum out_type t, const char *key, const char *fmt, int64_t value);
void out_bool(enum out_type t, const char *key, const char *fmt, bool value);
void out_null(enum out_type t, const char *key, const char *fmt);
/* out_json - insert an already built jansson value (steals the reference). */
void out_json(const char *key, json_t *value);

/* Text-only helpers. */
void out_nl(void);
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* FABRIC_OUTPUT_H */
