// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fabricd - parse the command line and run the daemon (fabricd/daemon.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fabricd/daemon.h"
#include "fabricd/engine/engine.h"
#include "fabricd/port_kinds.h"
#include "lib/cli.h"
#include "lib/ctl.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/prom.h"
#include "lib/util.h"

#define D struct daemon_opts

static const struct cli_opt options[] = {
	{ "policy", 'c', "FILE", "policy file (default " PATHS_POLICY ")",
	  CLI_SET_STRING(D, policy_file) },
	{ "gateway", 'g', "NAME",
	  "act as this gateway of the policy (default: the gateway named like "
	  "the host)",
	  CLI_SET_STRING(D, gateway) },
	{ "ib-dev", 'd', "DEV",
	  "IB device (default: the gateway's ib_device, else the first one)",
	  CLI_SET_STRING(D, ib_dev) },
	{ "ib-port", 'P', "N",
	  "IB port, 1-based (default: the gateway's, else 1)",
	  CLI_SET_UINT(D, ib_port, 0, 254) },
	{ "no-ib", CLI_LONG_ONLY, NULL,
	  "Ethernet-only host: partitions from the policy",
	  CLI_SET_FLAG(D, no_ib) },
	{ "no-engine", CLI_LONG_ONLY + 1, NULL,
	  "control plane only: no forwarding engine",
	  CLI_SET_FLAG(D, no_engine) },
	{ "dummy", CLI_LONG_ONLY + 4, NULL,
	  "tests only: the policy's ports and the uplink are dummy ports, fed "
	  "and read through the control socket (fabricctl port inject, port "
	  "capture); no interface is touched",
	  CLI_SET_FLAG(D, dummy) },
	{ "state-dir", 'S', "DIR",
	  "state directory (default " PATHS_STATE_DIR ")",
	  CLI_SET_STRING(D, state_dir) },
	{ "ctl-socket", 's', "PATH",
	  "control socket (default " CTL_DEFAULT_SOCKET ")",
	  CLI_SET_STRING(D, ctl_socket) },
	{ "ctl-group", CLI_LONG_ONLY + 2, "GROUP",
	  "group allowed on the control socket", CLI_SET_STRING(D, ctl_group) },
	{ "pid-file", 'p', "PATH", "pid/lock file (default " PATHS_PID_FILE ")",
	  CLI_SET_STRING(D, pid_file) },
	{ "poll-ms", CLI_LONG_ONLY + 3, "MS",
	  "PKey table re-read interval (default " CLI_STR(
		  FABRICD_DEFAULT_POLL_MS) ")",
	  CLI_SET_UINT(D, poll_ms, 10, 3600000) },
	{ "metrics-dir", CLI_LONG_ONLY + 5, "DIR",
	  "write the counters in the Prometheus text format to "
	  "DIR/" PROM_TEXTFILE " (node_exporter's textfile directory), "
	  "replaced atomically (default: the policy's metrics.textfile_dir)",
	  CLI_SET_STRING(D, metrics_dir) },
	{ "metrics-interval", CLI_LONG_ONLY + 6, "SEC",
	  "seconds between two writes of the metrics file (default: the "
	  "policy's metrics.interval, else " CLI_STR(
		  POLICY_METRICS_INTERVAL_DEFAULT) ")",
	  CLI_SET_UINT(D, metrics_interval, 1, POLICY_METRICS_INTERVAL_MAX) },
	{ "threads", CLI_LONG_ONLY + 7, "N",
	  "forwarding threads: 1, 2 or auto (2 with at least " CLI_STR(
		  ENGINE_THREADS_AUTO_CPUS) " CPUs online; default: "
					    "FABRICD_THREADS, else 1)",
	  CLI_SET_STRING(D, threads_arg) },
	{ "foreground", 'f', NULL, "do not detach; log to stderr",
	  CLI_SET_FLAG(D, foreground) },
	{ "verbose", 'v', NULL, "log debug messages", .kind = CLI_CALL },
};

#undef D

/* The one option that acts: -v. */
static int parse_opt(void *ctx, const struct cli_opt *opt, const char *arg)
{
	log_set_level(NULL, LOG_LEVEL_DBG);
	return 0;
}

static void help_tail(FILE *f)
{
	fprintf(f,
		"Signals: SIGTERM/SIGINT stop it (links and addresses stay); "
		"SIGHUP\nreloads the policy (a bad one is refused with its "
		"errors and the\nlast good one stays in force). Control: "
		"fabricctl status,\nfabricctl partition list; after a lost or "
		"damaged state file,\nfabricctl reconcile --adopt. See "
		"fabricd(8).\n");
}

static const struct cli_prog prog = {
	.name = "fabricd",
	.synopsis = "fabricd [OPTIONS]",
	.about =
		"The fabricd gateway daemon. Reads the fabric policy, learns "
		"which\npartitions (PKeys) its InfiniBand port really holds "
		"from the\nfabric, and mirrors each one on Ethernet: a VLAN "
		"link\n<uplink>.<vid> carrying the gateway's addresses, and an "
		"IPoIB\nchild link where the host has an IPoIB netdev. Only "
		"objects it\nmade (link alias \"fabricd:<partition>\", state "
		"file) are ever\nchanged or removed.",
	CLI_OPTS(options),
	.parse = parse_opt,
	.help_tail = help_tail,
};

/*
 * Make @path absolute: a detached daemon runs in /, and SIGHUP re-reads the
 * policy from there. The result is leaked on purpose (lives as long as we).
 */
static const char *absolute(const char *path)
{
	char cwd[4096], *abs;

	if (!path || path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return path;
	if (asprintf(&abs, "%s/%s", cwd, path) < 0)
		return path;
	return abs;
}

static void make_absolute(struct daemon_opts *o)
{
	o->policy_file = absolute(o->policy_file);
	o->state_dir = absolute(o->state_dir);
	o->ctl_socket = absolute(o->ctl_socket);
	o->pid_file = absolute(o->pid_file);
	o->metrics_dir = absolute(o->metrics_dir);
}

int main(int argc, char **argv)
{
	struct daemon_opts o = {
		.policy_file = PATHS_POLICY,
		.state_dir = PATHS_STATE_DIR,
		.ctl_socket = CTL_DEFAULT_SOCKET,
		.pid_file = PATHS_PID_FILE,
		.poll_ms = FABRICD_DEFAULT_POLL_MS,
	};
	int ret, first = cli_parse(&prog, argc, argv, &o);

	if (first < 0)
		return first == CLI_EXIT ? 0 : 2;
	if (first < argc) {
		cli_error("unexpected argument '%s'; try 'fabricd --help'",
			  argv[first]);
		return 2;
	}
	if (o.threads_arg) {
		o.threads = engine_threads_parse(o.threads_arg);
		if (o.threads < 0 || !*o.threads_arg) {
			cli_error("--threads '%s': want 1 to %u or auto",
				  o.threads_arg, ENGINE_THREADS_MAX);
			return 2;
		}
	}
	make_absolute(&o);
	log_set_stderr_timestamps(true);
	ret = port_kinds_register(o.dummy);
	if (ret) {
		fprintf(stderr, "fabricd: cannot register the port kinds: %s\n",
			strerror(-ret));
		return 1;
	}
	return daemon_run(&o);
}
