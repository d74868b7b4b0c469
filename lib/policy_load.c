// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The policy loader: libyaml's document API gives every node its position,
 * so each error can name FILE:LINE:COL. Loading goes in two passes: the
 * syntax pass (policy_parse.c) turns nodes into the model and reports what
 * is wrong with each value on its own; the rules pass (policy_rules.c) looks
 * across values (duplicates, overlaps, references, table sizes). Every error
 * is reported, not only the first, in file order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/policy_loader.h"
#include "lib/util.h"

void pload_error_at(struct loader *ld, struct policy_loc l, const char *fmt,
		    ...)
{
	struct perror *e;
	va_list ap;

	ld->n_errors++;
	e = realloc(ld->errors, ld->n_errors * sizeof(*e));
	if (!e) {
		perror("policy");
		exit(2);
	}
	ld->errors = e;
	e = &ld->errors[ld->n_errors - 1];
	e->loc = l;
	e->seq = ld->n_errors;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static int perror_cmp(const void *a, const void *b)
{
	const struct perror *x = a, *y = b;

	if (x->loc.line != y->loc.line)
		return x->loc.line < y->loc.line ? -1 : 1;
	if (x->loc.col != y->loc.col)
		return x->loc.col < y->loc.col ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

/* Print the errors in file order, as a compiler would. */
static void flush_errors(struct loader *ld)
{
	unsigned int i;

	if (ld->errors)
		qsort(ld->errors, ld->n_errors, sizeof(*ld->errors),
		      perror_cmp);
	for (i = 0; ld->err && i < ld->n_errors; i++)
		fprintf(ld->err, "%s:%u:%u: error: %s\n", ld->file,
			ld->errors[i].loc.line, ld->errors[i].loc.col,
			ld->errors[i].msg);
	free(ld->errors);
	ld->errors = NULL;
}

void *pload_calloc(struct loader *ld, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		perror("policy");
		exit(2);
	}
	return p;
}

char *pload_strdup(struct loader *ld, const char *s)
{
	char *p = strdup(s);

	if (!p) {
		perror("policy");
		exit(2);
	}
	return p;
}

/* ---- entry points ----------------------------------------------------- */

static void report_yaml_error(struct loader *ld, yaml_parser_t *p)
{
	struct policy_loc l = { p->problem_mark.line + 1,
				p->problem_mark.column + 1 };

	pload_error_at(ld, l,
		       "YAML syntax: %s%s%s; check the indentation and quoting",
		       p->problem ? p->problem : "malformed document",
		       p->context ? " " : "", p->context ? p->context : "");
}

static bool load_document(struct loader *ld, const void *buf, size_t len)
{
	yaml_parser_t parser;
	bool ok = true;

	if (!yaml_parser_initialize(&parser)) {
		pload_error_at(ld, (struct policy_loc){ 1, 1 },
			       "out of memory");
		return false;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &ld->doc)) {
		report_yaml_error(ld, &parser);
		ok = false;
	}
	yaml_parser_delete(&parser);
	return ok;
}

struct policy *policy_load_buffer(const char *name, const void *buf, size_t len,
				  FILE *err, unsigned int *n_errors)
{
	struct loader ld = { .file = name, .err = err };
	yaml_node_t *root;
	struct policy *pol = NULL;

	if (len > POLICY_FILE_MAX) {
		pload_error_at(&ld, (struct policy_loc){ 1, 1 },
			       "the policy is larger than %s; split it or "
			       "shorten it",
			       POLICY_FILE_MAX_TEXT);
		goto out;
	}
	if (!load_document(&ld, buf, len))
		goto out;
	ld.pol = pload_calloc(&ld, 1, sizeof(*ld.pol));
	ld.pol->file = pload_strdup(&ld, name);
	ld.pol->pkey_table_size = POLICY_PKEY_TABLE_DEFAULT;
	ld.pol->metrics.interval = POLICY_METRICS_INTERVAL_DEFAULT;
	ld.pol->flow_export.sampling = 1;
	ld.pol->flow_export.active_timeout = POLICY_FLOW_ACTIVE_DEFAULT;
	ld.pol->flow_export.idle_timeout = POLICY_FLOW_IDLE_DEFAULT;
	ld.pol->flow_export.cache_size = POLICY_FLOW_CACHE_DEFAULT;
	ld.pol->flow_export.partition_share = POLICY_FLOW_SHARE_DEFAULT;
	ld.pol->ha.advert_interval_ms = POLICY_HA_INTERVAL_DEFAULT;
	ld.pol->ha.preempt_hold_ms = POLICY_HA_HOLD_DEFAULT;
	ld.pol->dflt.membership = POLICY_MEMB_FULL; /* as stock OpenSM */
	ld.pol->dflt.ipoib = true;
	root = yaml_document_get_root_node(&ld.doc);
	if (!root)
		pload_error_at(
			&ld, (struct policy_loc){ 1, 1 },
			"the policy is empty; it needs at least 'partitions:'");
	else
		pload_parse_root(&ld, root);
	if (root) {
		pload_check_limits(&ld);
		pload_check_rules(&ld);
	}
	yaml_document_delete(&ld.doc);
	pload_free_locs(&ld);
	pol = ld.pol;
	if (ld.n_errors) {
		policy_free(pol);
		pol = NULL;
	}
out:
	flush_errors(&ld);
	if (n_errors)
		*n_errors = ld.n_errors;
	if (!pol)
		errno = EINVAL;
	return pol;
}

int policy_read_file(const char *path, char **buf, size_t *len)
{
	return util_read_file_max(path, POLICY_FILE_MAX, buf, len);
}

const char *policy_read_error(int err)
{
	if (err == -ENOTSUP)
		return "not a regular file (a FIFO, device, socket or "
		       "directory); point the policy path at a plain file";
	if (err == -EFBIG)
		return "larger than " POLICY_FILE_MAX_TEXT ", the largest "
		       "policy file (see LIMITS in fabric.yaml(5))";
	return strerror(-err);
}

struct policy *policy_load(const char *path, FILE *err, unsigned int *n_errors)
{
	struct policy *pol;
	char *buf;
	size_t len;
	int ret;

	if (n_errors)
		*n_errors = 0;
	ret = policy_read_file(path, &buf, &len);
	if (ret) {
		if (err)
			fprintf(err, "%s: error: cannot read the policy: %s\n",
				path, policy_read_error(ret));
		if (n_errors)
			*n_errors = 1;
		errno = -ret;
		return NULL;
	}
	pol = policy_load_buffer(path, buf, len, err, n_errors);
	ret = errno;
	free(buf);
	errno = ret;
	return pol;
}
