// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * engine-driver: a stand-in for fabricd in the datapath tests and the
 * benchmark, until the daemon runs the engine itself. It loads a policy,
 * creates the engine (as gateway -g, Ethernet-only), serves the engine's
 * control commands on -s and forwards until SIGTERM/SIGINT.
 *
 * Usage: engine-driver -c POLICY [-g GATEWAY] -s SOCKET
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fabricd/ctl_server.h"
#include "fabricd/engine.h"
#include "lib/policy.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void serve(struct ctl_server *srv)
{
	struct pollfd pfd[CTL_SERVER_MAX_POLLFDS];

	while (!stop) {
		int n = ctl_server_pollfds(srv, pfd);

		if (poll(pfd, n, 200) > 0)
			ctl_server_process(srv, pfd, n);
	}
}

int main(int argc, char **argv)
{
	const char *policy = NULL, *gwname = NULL, *sock = NULL;
	const struct policy_gateway *gw = NULL;
	struct ctl_server *srv;
	struct policy *pol;
	struct engine *e;
	int c;

	while ((c = getopt(argc, argv, "c:g:s:")) != -1) {
		if (c == 'c')
			policy = optarg;
		else if (c == 'g')
			gwname = optarg;
		else if (c == 's')
			sock = optarg;
		else
			return 2;
	}
	if (!policy || !sock) {
		fprintf(stderr,
			"usage: engine-driver -c POLICY [-g GW] -s SOCK\n");
		return 2;
	}
	pol = policy_load(policy, stderr, NULL);
	if (!pol)
		return 1;
	if (gwname && !(gw = policy_find_gateway(pol, gwname))) {
		fprintf(stderr, "engine-driver: no gateway %s\n", gwname);
		return 1;
	}
	e = engine_create(pol, gw);
	srv = ctl_server_create(sock, (gid_t)-1, "engine-driver");
	if (!e || !srv) {
		fprintf(stderr, "engine-driver: %s\n", strerror(errno));
		return 1;
	}
	engine_register_commands(e, srv);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (engine_start(e))
		return 1;
	serve(srv);
	engine_destroy(e);
	ctl_server_destroy(srv);
	policy_free(pol);
	return 0;
}
