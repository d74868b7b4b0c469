// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fabricd - parse the command line and run the daemon (fabricd/daemon.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fabricd/daemon.h"
#include "fabricd/port_kinds.h"
#include "lib/ctl.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fabricd [OPTIONS]\n"
		"\n"
		"The fabricd gateway daemon. Reads the fabric policy, learns which\n"
		"partitions (PKeys) its InfiniBand port really holds from the\n"
		"fabric, and mirrors each one on Ethernet: a VLAN link\n"
		"<uplink>.<vid> carrying the gateway's addresses, and an IPoIB\n"
		"child link where the host has an IPoIB netdev. Only objects it\n"
		"made (link alias \"fabricd:<partition>\", state file) are ever\n"
		"changed or removed.\n"
		"\n"
		"Options:\n"
		"  -c, --policy FILE      policy file (default %s)\n"
		"  -g, --gateway NAME     act as this gateway of the policy\n"
		"                         (default: the gateway named like the "
		"host)\n"
		"  -d, --ib-dev DEV       IB device (default: the gateway's "
		"ib_device,\n"
		"                         else the first one)\n"
		"  -P, --ib-port N        IB port, 1-based (default: the "
		"gateway's, else 1)\n"
		"      --no-ib            Ethernet-only host: partitions from "
		"the policy\n"
		"      --no-engine        control plane only: no forwarding "
		"engine\n"
		"  -S, --state-dir DIR    state directory (default %s)\n"
		"  -s, --ctl-socket PATH  control socket (default %s)\n"
		"      --ctl-group GROUP  group allowed on the control socket\n"
		"  -p, --pid-file PATH    pid/lock file (default %s)\n"
		"      --poll-ms MS       PKey table re-read interval (default "
		"%d)\n"
		"  -f, --foreground       do not detach; log to stderr\n"
		"  -v, --verbose          log debug messages\n"
		"  -V, --version          print the version and exit\n"
		"  -h, --help             print this help and exit\n"
		"\n"
		"Signals: SIGTERM/SIGINT stop it (links and addresses stay); "
		"SIGHUP\n"
		"reloads the policy (a bad one is refused with its errors and "
		"the\n"
		"last good one stays in force). Control: fabricctl status,\n"
		"fabricctl partition list. See fabricd(8).\n",
		PATHS_POLICY, PATHS_STATE_DIR, CTL_DEFAULT_SOCKET,
		PATHS_PID_FILE, FABRICD_DEFAULT_POLL_MS);
}

enum { OPT_NO_IB = 256, OPT_CTL_GROUP, OPT_POLL_MS, OPT_NO_ENGINE };

static const struct option longopts[] = {
	{ "policy", required_argument, NULL, 'c' },
	{ "gateway", required_argument, NULL, 'g' },
	{ "ib-dev", required_argument, NULL, 'd' },
	{ "ib-port", required_argument, NULL, 'P' },
	{ "no-ib", no_argument, NULL, OPT_NO_IB },
	{ "no-engine", no_argument, NULL, OPT_NO_ENGINE },
	{ "state-dir", required_argument, NULL, 'S' },
	{ "ctl-socket", required_argument, NULL, 's' },
	{ "ctl-group", required_argument, NULL, OPT_CTL_GROUP },
	{ "pid-file", required_argument, NULL, 'p' },
	{ "poll-ms", required_argument, NULL, OPT_POLL_MS },
	{ "foreground", no_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int number(const char *opt, const char *s, uint64_t max, uint64_t *v)
{
	if (!util_parse_u64(s, max, v))
		return 0;
	fprintf(stderr, "fabricd: %s: '%s' is not a number up to %llu\n", opt,
		s, (unsigned long long)max);
	return -1;
}

/* Returns 0 to run, 1 to exit successfully, -1 on a usage error. */
static int parse_opt(int c, struct daemon_opts *o)
{
	uint64_t v;

	switch (c) {
	case 'c':
		o->policy_file = optarg;
		break;
	case 'g':
		o->gateway = optarg;
		break;
	case 'd':
		o->ib_dev = optarg;
		break;
	case 'P':
		if (number("--ib-port", optarg, 254, &v))
			return -1;
		o->ib_port = (int)v;
		break;
	case OPT_NO_IB:
		o->no_ib = true;
		break;
	case OPT_NO_ENGINE:
		o->no_engine = true;
		break;
	case 'S':
		o->state_dir = optarg;
		break;
	case 's':
		o->ctl_socket = optarg;
		break;
	case OPT_CTL_GROUP:
		o->ctl_group = optarg;
		break;
	case 'p':
		o->pid_file = optarg;
		break;
	case OPT_POLL_MS:
		if (number("--poll-ms", optarg, 3600000, &v) || v < 10)
			return -1;
		o->poll_ms = (unsigned int)v;
		break;
	case 'f':
		o->foreground = true;
		break;
	case 'v':
		log_set_level(NULL, LOG_LEVEL_DBG);
		break;
	case 'V':
		printf("fabricd %s\n", PATHS_VERSION);
		return 1;
	case 'h':
		usage(stdout);
		return 1;
	default:
		return -1;
	}
	return 0;
}

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
	int c, ret;

	while ((c = getopt_long(argc, argv, "c:g:d:P:S:s:p:fvVh", longopts,
				NULL)) != -1) {
		ret = parse_opt(c, &o);
		if (ret) {
			if (ret < 0)
				fprintf(stderr, "Try 'fabricd --help'.\n");
			return ret < 0 ? 2 : 0;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"fabricd: unexpected argument '%s'; try "
			"'fabricd --help'\n",
			argv[optind]);
		return 2;
	}
	make_absolute(&o);
	log_set_stderr_timestamps(true);
	ret = port_kinds_register();
	if (ret) {
		fprintf(stderr, "fabricd: cannot register the port kinds: %s\n",
			strerror(-ret));
		return 1;
	}
	return daemon_run(&o);
}
