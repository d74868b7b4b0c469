/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* fabricctl's side of the control socket: one call, errors reported. */
#ifndef FABRICCTL_CTL_H
#define FABRICCTL_CTL_H

#include <jansson.h>
#include <stdint.h>

#include "tools/fabricctl.h"

/*
 * fctl_call - call @method with @argc string @argv on fabricd's control
 * socket (@o->socket, @o->timeout_ms). On success returns FCTL_OK and sets
 * *@result (a new reference). Otherwise prints why on stderr and returns
 * FCTL_UNREACHABLE (no daemon, no permission, time-out) or FCTL_REFUSED
 * (the daemon answered with an error).
 */
int fctl_call(const struct fctl_opts *o, const char *method, int argc,
	      const char *const argv[], json_t **result);

/*
 * fctl_show - call @method as fctl_call() does and print the reply with
 * @print between out_begin() and out_end() (JSON with -j). Returns
 * fctl_call()'s code, or FCTL_UNREACHABLE when the output could not be
 * written.
 */
int fctl_show(const struct fctl_opts *o, const char *method, int argc,
	      char **argv, void (*print)(json_t *reply));

/*
 * fctl_show_each - fctl_show() for a reply that is an array: prints it as
 * one (a JSON array with -j), each element with @print_one.
 */
int fctl_show_each(const struct fctl_opts *o, const char *method, int argc,
		   char **argv, void (*print_one)(json_t *elem));

/* fctl_json_str - the string at @key of @obj, or @dflt. */
const char *fctl_json_str(const json_t *obj, const char *key, const char *dflt);

/* fctl_json_uint - the integer at @key of @obj, or 0. */
uint64_t fctl_json_uint(const json_t *obj, const char *key);

/*
 * fctl_put_str - print the string at @key of @obj under the same key: JSON,
 * or text with printf format @fmt. When there is none (absent, JSON null):
 * JSON null, and in text @null_fmt with "-" (nothing when it is NULL).
 */
void fctl_put_str(const json_t *obj, const char *key, const char *fmt,
		  const char *null_fmt);

/*
 * fctl_put_uint - print the integer at @key of @obj (0 when absent) under
 * the same key: JSON, or text with printf format @fmt.
 */
void fctl_put_uint(const json_t *obj, const char *key, const char *fmt);

/*
 * fctl_put_peer_ann - a peer port's announcement counters, object @key of
 * @obj (nothing when absent): JSON, or text on a line of their own that
 * starts with @label.
 */
void fctl_put_peer_ann(const json_t *obj, const char *key, const char *label);

#endif /* FABRICCTL_CTL_H */
