// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Shared command-line scaffolding (see cli.h). */
#include "lib/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "lib/paths.h"
#include "lib/util.h"

/* Widest left column before the help moves to a line of its own. */
#define CLI_COLUMN_MAX 26
/* Help lines are wrapped to this many columns. */
#define CLI_LINE_MAX 79

static const struct cli_opt builtin_opts[] = {
	{ "version", 'V', NULL, "print the version and exit",
	  .kind = CLI_CALL },
	{ "help", 'h', NULL, "print this help and exit", .kind = CLI_CALL },
};

static const char *prog_name = "";

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Print @text from column @col, wrapped at word boundaries to CLI_LINE_MAX
 * columns; wrapped lines and those after a '\n' of @text start at @indent.
 */
static void print_wrapped(FILE *f, const char *text, int col, int indent)
{
	while (*text) {
		size_t word = strcspn(text, " \n");

		if (col > indent && col + 1 + (int)word > CLI_LINE_MAX) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		col += fprintf(f, "%.*s", (int)word, text);
		text += word;
		if (*text == '\n') {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		}
		if (*text)
			text++; /* the ' ' or '\n' after the word */
	}
	fputc('\n', f);
}

/*
 * Print @left padded to @width, then @help wrapped in the column after it.
 * A @left too wide for the column gets a line of its own.
 */
static void print_item(FILE *f, const char *left, const char *help, int width)
{
	int len = fprintf(f, "  %s", left);

	if (len > width + 2) {
		fputc('\n', f);
		len = 0;
	}
	fprintf(f, "%*s", width + 4 - len, "");
	print_wrapped(f, help, width + 4, width + 4);
}

static void opt_left(const struct cli_opt *o, char *buf, size_t len)
{
	char s[8] = "   ";

	if (o->key < CLI_LONG_ONLY)
		snprintf(s, sizeof(s), "-%c,", o->key);
	snprintf(buf, len, "%s --%s%s%s", s, o->name, o->arg ? " " : "",
		 o->arg ? o->arg : "");
}

static int opts_width(const struct cli_opt *opts, size_t n, int width)
{
	char left[64];
	size_t i;

	for (i = 0; i < n; i++) {
		int len;

		opt_left(&opts[i], left, sizeof(left));
		len = (int)strlen(left);
		if (len > width && len <= CLI_COLUMN_MAX)
			width = len;
	}
	return width;
}

static void print_opts(FILE *f, const struct cli_opt *opts, size_t n, int width)
{
	char left[64];
	size_t i;

	for (i = 0; i < n; i++) {
		opt_left(&opts[i], left, sizeof(left));
		print_item(f, left, opts[i].help, width);
	}
}

void cli_usage(const struct cli_prog *p, FILE *f)
{
	const char *s = p->synopsis, *nl;
	int width;

	fprintf(f, "Usage: ");
	while ((nl = strchr(s, '\n'))) {
		fprintf(f, "%.*s\n       ", (int)(nl - s), s);
		s = nl + 1;
	}
	fprintf(f, "%s\n\n", s);
	if (p->about)
		fprintf(f, "%s\n\n", p->about);
	width = opts_width(p->opts, p->n_opts, 0);
	width = opts_width(builtin_opts, ARRAY_SIZE(builtin_opts), width);
	fprintf(f, "Options:\n");
	print_opts(f, p->opts, p->n_opts, width);
	print_opts(f, builtin_opts, ARRAY_SIZE(builtin_opts), width);
	if (p->help_tail) {
		fputc('\n', f);
		p->help_tail(f);
	}
}

/* The getopt tables for @p's options and the built-ins. */
static void build_getopt(const struct cli_prog *p, struct option *longopts,
			 char *shortopts)
{
	size_t i, n = 0;

	if (p->stop_at_word)
		*shortopts++ = '+';
	*shortopts++ = ':'; /* report a missing argument as ':' */
	for (i = 0; i < p->n_opts + ARRAY_SIZE(builtin_opts); i++) {
		const struct cli_opt *o = i < p->n_opts ?
						  &p->opts[i] :
						  &builtin_opts[i - p->n_opts];

		longopts[n++] = (struct option){
			.name = o->name,
			.has_arg = o->arg ? required_argument : no_argument,
			.val = o->key,
		};
		if (o->key < CLI_LONG_ONLY) {
			*shortopts++ = (char)o->key;
			if (o->arg)
				*shortopts++ = ':';
		}
	}
	longopts[n] = (struct option){ 0 };
	*shortopts = '\0';
}

static const struct cli_opt *find_opt(const struct cli_prog *p, int key)
{
	size_t i;

	for (i = 0; i < p->n_opts; i++)
		if (p->opts[i].key == key)
			return &p->opts[i];
	return NULL;
}

/* Say what is wrong with the option just read by getopt_long(). */
static void bad_option(int c, char **argv)
{
	const char *word = argv[optind - 1];

	if (c == ':')
		cli_error("option '%s' needs an argument", word);
	else if (optopt && word[0] == '-' && word[1] != '-')
		cli_error("unknown option '-%c'", optopt);
	else
		cli_error("unknown option '%s'", word);
}

/* Do what option @o says with @arg. Returns 0 or a negative errno. */
static int store(const struct cli_prog *p, const struct cli_opt *o,
		 const char *arg, void *ctx)
{
	char *field = (char *)ctx + o->offset;
	uint64_t v;

	switch (o->kind) {
	case CLI_FLAG:
		*(bool *)field = true;
		return 0;
	case CLI_STRING:
		*(const char **)field = arg;
		return 0;
	case CLI_UINT:
		if (cli_u64(o, arg, o->min, o->max, &v))
			return -EINVAL;
		if (o->size == sizeof(uint32_t))
			*(uint32_t *)field = (uint32_t)v;
		else
			*(uint64_t *)field = v;
		return 0;
	case CLI_CALL:
		break;
	}
	return p->parse(ctx, o, arg);
}

static int one_option(const struct cli_prog *p, int c, char **argv, void *ctx)
{
	const struct cli_opt *o;

	switch (c) {
	case 'h':
		cli_usage(p, stdout);
		return CLI_EXIT;
	case 'V':
		printf("%s %s\n", p->name, PATHS_VERSION);
		return CLI_EXIT;
	case '?':
	case ':':
		bad_option(c, argv);
		return CLI_USAGE;
	}
	o = find_opt(p, c);
	if (!o || store(p, o, o->arg ? optarg : NULL, ctx))
		return CLI_USAGE;
	return 0;
}

int cli_parse(const struct cli_prog *p, int argc, char **argv, void *ctx)
{
	size_t n = p->n_opts + ARRAY_SIZE(builtin_opts);
	struct option longopts[n + 1];
	char shortopts[3 * n + 3];
	int c, ret;

	prog_name = p->name;
	build_getopt(p, longopts, shortopts);
	opterr = 0;
	optind = 0; /* full reset: a program (or test) may parse twice */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ret = one_option(p, c, argv, ctx);
		if (ret == CLI_USAGE)
			fprintf(stderr, "Try '%s --help'.\n", p->name);
		if (ret)
			return ret;
	}
	return optind;
}

int cli_u64(const struct cli_opt *opt, const char *s, uint64_t min,
	    uint64_t max, uint64_t *v)
{
	if (!util_parse_u64(s, max, v) && *v >= min)
		return 0;
	cli_error("--%s: '%s' is not a number from %llu to %llu", opt->name, s,
		  (unsigned long long)min, (unsigned long long)max);
	return -EINVAL;
}

const struct cli_cmd *cli_cmd_find(const struct cli_cmd *cmds, size_t n,
				   const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

const struct cli_object *cli_object_find(const struct cli_object *const *objs,
					 size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(objs[i]->name, name))
			return objs[i];
	return NULL;
}

int cli_cmd_check(const struct cli_cmd *cmd, const char *prefix, int argc)
{
	if (argc >= cmd->min_args && argc <= cmd->max_args)
		return 0;
	cli_error("usage: %s %s %s %s", prog_name, prefix, cmd->name,
		  cmd->args ? cmd->args : "");
	return -EINVAL;
}

void cli_print_cmds(FILE *f, const struct cli_cmd *cmds, size_t n)
{
	char left[128];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(left, sizeof(left), "%s%s%s", cmds[i].name,
			 cmds[i].args ? " " : "",
			 cmds[i].args ? cmds[i].args : "");
		print_item(f, left, cmds[i].help, 20);
	}
}

void cli_print_objects(FILE *f, const struct cli_object *const *objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		print_item(f, objs[i]->name, objs[i]->help, 12);
}
