// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for lib/cli.c: the option table stores what it says, the help
 * it prints (exact text, wrapped to 79 columns), errors, and the command
 * tables.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cli.h"
#include "lib/paths.h"

struct opts {
	bool json;
	const char *socket;
	unsigned int timeout;
	uint64_t key;
	int port;
	int calls; /* CLI_CALL options seen */
};

#define O struct opts

static const struct cli_opt options[] = {
	{ "json", 'j', NULL, "JSON output", CLI_SET_FLAG(O, json) },
	{ "socket", 's', "PATH", "control socket", CLI_SET_STRING(O, socket) },
	{ "timeout", 't', "MS",
	  "how long to wait for an answer from the daemon before giving up, "
	  "in milliseconds (default 5000)",
	  CLI_SET_UINT(O, timeout, 1, 60000) },
	{ "key", CLI_LONG_ONLY, "KEY", "a key",
	  CLI_SET_UINT(O, key, 0, UINT64_MAX) },
	{ "port", 'P', "N", "port\nsecond line",
	  CLI_SET_UINT(O, port, 0, 254) },
	{ "a-very-long-option-name", CLI_LONG_ONLY + 1, "ARGUMENT",
	  "gets a line of its own", .kind = CLI_CALL },
	{ "count", 'c', NULL, "count calls", .kind = CLI_CALL },
};

#undef O

static int parse(void *ctx, const struct cli_opt *opt, const char *arg)
{
	struct opts *o = ctx;

	if (opt->key == 'c' && o->calls == 2)
		return -EINVAL; /* the program said why */
	o->calls++;
	return 0;
}

static void tail(FILE *f)
{
	fprintf(f, "Tail.\n");
}

static const struct cli_prog prog = {
	.name = "prog",
	.synopsis = "prog [OPTIONS] WORD\nprog help",
	.about = "About it.",
	CLI_OPTS(options),
	.stop_at_word = true,
	.parse = parse,
	.help_tail = tail,
};

static const char help_text[] =
	"Usage: prog [OPTIONS] WORD\n"
	"       prog help\n"
	"\n"
	"About it.\n"
	"\n"
	"Options:\n"
	"  -j, --json         JSON output\n"
	"  -s, --socket PATH  control socket\n"
	"  -t, --timeout MS   how long to wait for an answer from the daemon "
	"before\n"
	"                     giving up, in milliseconds (default 5000)\n"
	"      --key KEY      a key\n"
	"  -P, --port N       port\n"
	"                     second line\n"
	"      --a-very-long-option-name ARGUMENT\n"
	"                     gets a line of its own\n"
	"  -c, --count        count calls\n"
	"  -V, --version      print the version and exit\n"
	"  -h, --help         print this help and exit\n"
	"\n"
	"Tail.\n";

static void test_usage(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cli_usage(&prog, f);
	fclose(f);
	assert_string_equal(buf, help_text);
	free(buf);
}

static int parse_argv(struct opts *o, const char *line)
{
	char copy[256], *argv[16];
	int argc = 0;

	strcpy(copy, line);
	for (argv[argc] = strtok(copy, " "); argv[argc];
	     argv[++argc] = strtok(NULL, " "))
		;
	return cli_parse(&prog, argc, argv, o);
}

static void test_store(void **state)
{
	struct opts o = { 0 };
	char *argv[] = { "prog",
			 "-j",
			 "--socket=/s",
			 "-t",
			 "250",
			 "--key",
			 "0xffffffffffffffff",
			 "-P7",
			 "-c",
			 "--a-very-long-option-name",
			 "x",
			 "word",
			 "-j",
			 NULL };

	assert_int_equal(cli_parse(&prog, 13, argv, &o), 11);
	assert_true(o.json);
	assert_string_equal(o.socket, "/s");
	assert_int_equal(o.timeout, 250);
	assert_true(o.key == UINT64_MAX);
	assert_int_equal(o.port, 7);
	assert_int_equal(o.calls, 2);
	assert_string_equal(argv[11], "word"); /* stopped at the word */
}

/* Run cli_parse on @line; returns its result and what it said. */
static int parse_err(const char *line, char **err)
{
	struct opts o = { .calls = 2 };
	size_t len = 0;
	FILE *saved = stderr;
	int ret;

	stderr = open_memstream(err, &len);
	ret = parse_argv(&o, line);
	fclose(stderr);
	stderr = saved;
	return ret;
}

struct bad_case {
	const char *line;
	const char *err;
};

static const struct bad_case bad_cases[] = {
	{ "prog --nope", "prog: unknown option '--nope'\n" },
	{ "prog -x", "prog: unknown option '-x'\n" },
	{ "prog -s", "prog: option '-s' needs an argument\n" },
	{ "prog --socket", "prog: option '--socket' needs an argument\n" },
	{ "prog -t 0", "prog: --timeout: '0' is not a number from 1 to "
		       "60000\n" },
	{ "prog -t 60001", "prog: --timeout: '60001' is not a number from 1 "
			   "to 60000\n" },
	{ "prog --port=-1", "prog: --port: '-1' is not a number from 0 to "
			    "254\n" },
	{ "prog --json=1", "prog: unknown option '--json=1'\n" },
	{ "prog -c", "" }, /* parse() refused: it says why itself */
};

static void test_errors(void **state)
{
	size_t i;
	char *err, want[128];

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		assert_int_equal(parse_err(bad_cases[i].line, &err), CLI_USAGE);
		snprintf(want, sizeof(want), "%sTry 'prog --help'.\n",
			 bad_cases[i].err);
		assert_string_equal(err, want);
		free(err);
	}
}

static void test_help_version(void **state)
{
	struct opts o = { 0 };
	char *argv[] = { "prog", "-j", "--version", NULL };

	FILE *saved = stdout;
	char *out = NULL;
	size_t len = 0;

	stdout = open_memstream(&out, &len);
	assert_int_equal(parse_argv(&o, "prog -h"), CLI_EXIT);
	assert_int_equal(cli_parse(&prog, 3, argv, &o), CLI_EXIT);
	fclose(stdout);
	stdout = saved;
	assert_true(o.json);
	/* the help, then the version, both on stdout */
	assert_int_equal(strlen(out),
			 strlen(help_text) +
				 strlen("prog " PATHS_VERSION "\n"));
	assert_memory_equal(out, help_text, strlen(help_text));
	assert_string_equal(out + strlen(help_text),
			    "prog " PATHS_VERSION "\n");
	free(out);
}

static int run_a(const void *ctx, int argc, char **argv)
{
	return 10 + argc;
}

static const struct cli_cmd cmds[] = {
	{ "list", NULL, "list them", 0, 0, run_a },
	{ "add", "NAME [VALUE]", "add one", 1, 2, run_a },
};

static const struct cli_object obj = CLI_OBJECT("thing", "things", cmds);
static const struct cli_object *const objs[] = { &obj };

static void test_cmds(void **state)
{
	const struct cli_cmd *c;
	char *buf = NULL, *err = NULL;
	size_t len = 0, elen = 0;
	FILE *f, *saved = stderr;

	assert_int_equal(obj.n_cmds, 2);
	assert_ptr_equal(cli_object_find(objs, 1, "thing"), &obj);
	assert_null(cli_object_find(objs, 1, "thin"));
	c = cli_cmd_find(cmds, 2, "add");
	assert_ptr_equal(c, &cmds[1]);
	assert_null(cli_cmd_find(cmds, 2, "ad"));
	assert_int_equal(cli_cmd_check(c, "thing", 1), 0);
	assert_int_equal(cli_cmd_check(c, "thing", 2), 0);
	stderr = open_memstream(&err, &elen);
	assert_int_equal(cli_cmd_check(c, "thing", 3), -EINVAL);
	fclose(stderr);
	stderr = saved;
	assert_string_equal(err, "prog: usage: prog thing add NAME [VALUE]\n");
	free(err);

	f = open_memstream(&buf, &len);
	cli_print_cmds(f, cmds, 2);
	cli_print_objects(f, objs, 1);
	fclose(f);
	assert_string_equal(buf, "  list                  list them\n"
				 "  add NAME [VALUE]      add one\n"
				 "  thing         things\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_cmds),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
