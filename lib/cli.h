/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Command-line scaffolding shared by fabricctl, fabstat and fabricd, in the
 * spirit of infiniband-diags' ibdiag_common and iproute2's rdma/ tables:
 *
 * - one option table (struct cli_opt) drives getopt_long() and prints the
 *   options part of --help, so the two cannot drift; -h/--help and
 *   -V/--version are built in;
 * - one command table type (struct cli_cmd), grouped by object
 *   (struct cli_object) for `PROG OBJECT COMMAND ARGS` grammars, checks the
 *   number of arguments and prints the commands part of the help.
 *
 * Messages go to stderr prefixed with the program name; the caller maps
 * the results to its own exit codes.
 */
#ifndef FABRIC_CLI_H
#define FABRIC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Stringify a numeric default for an option's help text. */
#define CLI_STR(x) CLI_STR_(x)
#define CLI_STR_(x) #x

/* Keys of options without a short letter start here. */
#define CLI_LONG_ONLY 256

/* What an option does with its argument. */
enum cli_kind {
	CLI_CALL, /* call the program's parse() */
	CLI_FLAG, /* set the bool at offset to true */
	CLI_STRING, /* point the const char * at offset to the argument */
	CLI_UINT, /* parse a number in [min, max] into the unsigned field */
};

/*
 * One option: `-k, --name ARG  help`. Most options only store into the
 * program's options struct (the ctx of cli_parse()): say where with
 * CLI_SET_FLAG/CLI_SET_STRING/CLI_SET_UINT; the rest are CLI_CALL.
 */
struct cli_opt {
	const char *name; /* long name, without the dashes */
	int key; /* short letter, or CLI_LONG_ONLY + n for none */
	const char *arg; /* argument name in the help; NULL: takes none */
	const char *help; /* meaning; wrapped, '\n' forces a new line */
	enum cli_kind kind;
	size_t offset; /* of the field in ctx (not for CLI_CALL) */
	size_t size; /* CLI_UINT: of the field, 4 or 8 bytes */
	uint64_t min, max; /* CLI_UINT: the range accepted */
};

#define CLI_SET_FLAG(type, field) \
	.kind = CLI_FLAG, .offset = offsetof(type, field)
#define CLI_SET_STRING(type, field) \
	.kind = CLI_STRING, .offset = offsetof(type, field)
#define CLI_SET_UINT(type, field, lo, hi)                  \
	.kind = CLI_UINT, .offset = offsetof(type, field), \
	.size = sizeof(((type *)0)->field), .min = (lo), .max = (hi)

/* A program: its help text and its option table. */
struct cli_prog {
	const char *name; /* for messages: "fabricctl" */
	const char *synopsis; /* usage lines after "Usage: ", '\n' between */
	const char *about; /* paragraph after the synopsis, or NULL */
	const struct cli_opt *opts; /* without -h and -V: they are built in */
	size_t n_opts;
	bool stop_at_word; /* options only before the first word (getopt '+') */
	/*
	 * Act on one CLI_CALL option (@arg NULL when it takes none); NULL
	 * when the program has none. Returns 0, or a negative errno after
	 * saying why on stderr.
	 */
	int (*parse)(void *ctx, const struct cli_opt *opt, const char *arg);
	/* Print what follows the options in --help (commands, exit status). */
	void (*help_tail)(FILE *f);
};

/* .opts and .n_opts of a struct cli_prog from an array of options. */
#define CLI_OPTS(table) \
	.opts = (table), .n_opts = sizeof(table) / sizeof((table)[0])

/* Results of cli_parse() besides the index of the first word. */
enum {
	CLI_EXIT = -1, /* --help or --version was printed: exit 0 */
	CLI_USAGE = -2, /* a usage error was printed: exit with a failure */
};

/*
 * cli_parse - parse the options of @argv by @p's table, storing into @ctx
 * or calling p->parse. Returns the index of the first non-option word;
 * CLI_EXIT after printing the help or "PROG PATHS_VERSION" on stdout; or
 * CLI_USAGE after printing what is wrong and "Try 'PROG --help'." on
 * stderr.
 */
int cli_parse(const struct cli_prog *p, int argc, char **argv, void *ctx);

/* cli_usage - print @p's full help (synopsis, about, options, tail). */
void cli_usage(const struct cli_prog *p, FILE *f);

/*
 * cli_u64 - parse @s as a number in [@min, @max] for option @opt. Returns 0,
 * or -EINVAL after saying "PROG: --OPT: 'S' is not a number from MIN to
 * MAX" on stderr.
 */
int cli_u64(const struct cli_opt *opt, const char *s, uint64_t min,
	    uint64_t max, uint64_t *v);

/*
 * cli_error - print "PROG: " and the formatted message and a newline on
 * stderr (PROG: the program cli_parse() last parsed for).
 */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One command: `[OBJECT] NAME ARGS`. */
struct cli_cmd {
	const char *name;
	const char *args; /* synopsis of its arguments, NULL if none */
	const char *help; /* one line */
	int min_args, max_args;
	/*
	 * Run with the program's options @ctx and the arguments after the
	 * command name; returns the program's exit code.
	 */
	int (*run)(const void *ctx, int argc, char **argv);
};

/* An object and all of its commands; the first is the default. */
struct cli_object {
	const char *name;
	const char *help; /* one line */
	const struct cli_cmd *cmds;
	size_t n_cmds;
};

#define CLI_OBJECT(obj_name, obj_help, table)                      \
	{                                                          \
		.name = obj_name, .help = obj_help, .cmds = table, \
		.n_cmds = sizeof(table) / sizeof((table)[0]),      \
	}

/* cli_cmd_find - the command named @name in @cmds, or NULL. */
const struct cli_cmd *cli_cmd_find(const struct cli_cmd *cmds, size_t n,
				   const char *name);

/* cli_object_find - the object named @name in @objs, or NULL. */
const struct cli_object *cli_object_find(const struct cli_object *const *objs,
					 size_t n, const char *name);

/*
 * cli_cmd_check - 0 when @argc arguments fit @cmd, else -EINVAL after
 * printing "PROG: usage: PROG PREFIX NAME ARGS" on stderr (@prefix: the
 * words before the command name, e.g. "[OPTIONS]" or "partition").
 */
int cli_cmd_check(const struct cli_cmd *cmd, const char *prefix, int argc);

/* cli_print_cmds - list @cmds with their arguments and help, aligned. */
void cli_print_cmds(FILE *f, const struct cli_cmd *cmds, size_t n);

/* cli_print_objects - list @objs's names and help, aligned. */
void cli_print_objects(FILE *f, const struct cli_object *const *objs, size_t n);

#endif /* FABRIC_CLI_H */
