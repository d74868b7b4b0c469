// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib-tool: drives the ipoib modules from the integration tests.
 *
 *   ipoib-tool sa-join  CA|- PORT PKEY [create]   join the broadcast group
 *   ipoib-tool sa-leave CA|- PORT PKEY            leave it
 *   ipoib-tool sa-path  CA|- PORT PKEY DGID       PathRecord to DGID
 *   ipoib-tool gw -s SOCK -P NAME:PKEY... -a NAME:IFNAME... [-q QKEY]
 *                 -i NAME:IBPORT...
 *
 * "gw" is a bare gateway for tests that need what fabricd does not offer
 * (a wrong Q_Key, -q): an engine core (fabricd/engine/engine_core.h) with access
 * ports on netdevs (-a) and ipoib ports (-i, "rxe0.8001"), one thread,
 * serving neigh/show and gw/stats on the control socket SOCK until SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ctl_server.h"
#include "fabricd/engine/engine_core.h"
#include "fabricd/port_kinds.h"
#include "ipoib/neigh_ctl.h"
#include "ipoib/port_ipoib.h"
#include "ipoib/sa_client.h"
#include "lib/ib.h"
#include "lib/util.h"

#define MAX_PARTS 8

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* A PKey in hex, with or without 0x, as in "rxe0.8001". */
static int parse_pkey(const char *s, uint16_t *pkey)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || *end || end == s || v > 0xffff || !(v & IB_PKEY_BASE_MASK))
		return -EINVAL;
	*pkey = (uint16_t)v;
	return 0;
}

static struct ipoib_sa *sa_open_args(char **argv, uint16_t *pkey)
{
	const char *ca = strcmp(argv[0], "-") ? argv[0] : NULL;
	struct ipoib_sa *sa;

	if (parse_pkey(argv[2], pkey)) {
		fprintf(stderr, "ipoib-tool: bad PKey %s\n", argv[2]);
		return NULL;
	}
	sa = ipoib_sa_open(ca, atoi(argv[1]), 500);
	if (!sa)
		fprintf(stderr, "ipoib-tool: SA: %s\n", strerror(errno));
	return sa;
}

static void print_gid(const char *key, const struct ipoib_gid *g)
{
	char buf[INET6_ADDRSTRLEN];

	printf(" %s %s", key, inet_ntop(AF_INET6, g->raw, buf, sizeof(buf)));
}

static int cmd_sa_join(int argc, char **argv)
{
	struct ipoib_mcmember m;
	struct ipoib_sa *sa;
	uint16_t pkey;
	int ret;

	sa = sa_open_args(argv, &pkey);
	if (!sa)
		return 1;
	ret = ipoib_sa_join_bcast(sa, pkey, IPOIB_SCOPE_LINK,
				  argc > 3 && !strcmp(argv[3], "create"),
				  IPOIB_DEFAULT_QKEY, &m);
	if (ret) {
		fprintf(stderr, "ipoib-tool: join: %s\n", strerror(-ret));
	} else {
		printf("mlid 0x%04x qkey 0x%08x mtu %u sl %u pkey 0x%04x "
		       "join_state %u",
		       m.mlid, m.qkey, m.mtu, m.sl, m.pkey, m.join_state);
		print_gid("mgid", &m.mgid);
		print_gid("port_gid", &m.port_gid);
		printf("\n");
	}
	ipoib_sa_close(sa);
	return ret ? 1 : 0;
}

static int cmd_sa_leave(int argc, char **argv)
{
	struct ipoib_gid mgid;
	struct ipoib_sa *sa;
	uint16_t pkey;
	int ret;

	sa = sa_open_args(argv, &pkey);
	if (!sa)
		return 1;
	ipoib_mgid_bcast(&mgid, pkey, IPOIB_SCOPE_LINK);
	ret = ipoib_sa_leave(sa, &mgid);
	if (ret)
		fprintf(stderr, "ipoib-tool: leave: %s\n", strerror(-ret));
	ipoib_sa_close(sa);
	return ret ? 1 : 0;
}

static int cmd_sa_path(int argc, char **argv)
{
	struct ipoib_gid dgid;
	struct ipoib_path pr;
	struct ipoib_sa *sa;
	uint16_t pkey;
	int ret;

	if (inet_pton(AF_INET6, argv[3], dgid.raw) != 1) {
		fprintf(stderr, "ipoib-tool: bad GID %s\n", argv[3]);
		return 2;
	}
	sa = sa_open_args(argv, &pkey);
	if (!sa)
		return 1;
	ret = ipoib_sa_path(sa, &dgid, pkey, &pr);
	if (ret) {
		fprintf(stderr, "ipoib-tool: path: %s\n", strerror(-ret));
	} else {
		printf("dlid %u slid %u sl %u mtu %u pkey 0x%04x", pr.dlid,
		       pr.slid, pr.sl, pr.mtu, pr.pkey);
		print_gid("dgid", &pr.dgid);
		print_gid("sgid", &pr.sgid);
		printf("\n");
	}
	ipoib_sa_close(sa);
	return ret ? 1 : 0;
}

/* ---- gw ---- */

struct gw {
	struct engine_core *core;
	struct pool *pool;
	unsigned int n_parts;
	char part_name[MAX_PARTS][ECORE_NAME_MAX];
	uint16_t part_pkey[MAX_PARTS];
	uint32_t qkey; /* -q: Q_Key of the ipoib ports that follow, 0: default */
	struct ipoib_neigh_ctl_names names;
};

static int gw_part_index(struct gw *g, const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < g->n_parts; i++)
		if (strlen(g->part_name[i]) == len &&
		    !strncmp(g->part_name[i], name, len))
			return ecore_part_find(g->core, g->part_name[i]);
	return -ENOENT;
}

static int gw_pkey_of(void *arg, const char *name, uint16_t *pkey)
{
	struct gw *g = arg;
	unsigned int i;

	for (i = 0; i < g->n_parts; i++)
		if (!strcmp(g->part_name[i], name)) {
			*pkey = g->part_pkey[i];
			return 0;
		}
	return -ENOENT;
}

static const char *gw_name_of(void *arg, uint16_t pkey)
{
	struct gw *g = arg;
	unsigned int i;

	for (i = 0; i < g->n_parts; i++)
		if (!((g->part_pkey[i] ^ pkey) & IB_PKEY_BASE_MASK))
			return g->part_name[i];
	return NULL;
}

static int gw_add_part(struct gw *g, const char *arg)
{
	const char *colon = strchr(arg, ':');
	uint16_t pkey;
	size_t len;

	if (!colon || g->n_parts == MAX_PARTS || parse_pkey(colon + 1, &pkey))
		return -EINVAL;
	len = MIN((size_t)(colon - arg), (size_t)ECORE_NAME_MAX - 1);
	memcpy(g->part_name[g->n_parts], arg, len);
	g->part_name[g->n_parts][len] = '\0';
	g->part_pkey[g->n_parts] = pkey;
	g->n_parts++;
	return ecore_part_set(g->core, g->part_name[g->n_parts - 1], pkey, 0,
			      true) < 0 ?
		       -ENOSPC :
		       0;
}

/* -a PART:IFNAME (netdev access port) or -i PART:IBPORT (ipoib port). */
static int gw_add_port(struct gw *g, const char *arg, bool ib)
{
	const char *colon = strchr(arg, ':');
	struct port p;
	int part, ret;

	if (!colon)
		return -EINVAL;
	part = gw_part_index(g, arg, (size_t)(colon - arg));
	if (part < 0)
		return part;
	if (!ib) {
		ret = ecore_port_add(g->core, colon + 1, "netdev", ECORE_ACCESS,
				     (unsigned int)part, false);
		return ret < 0 ? ret : -g->core->ports[ret].error;
	}
	if (g->qkey) {
		struct ipoib_port_cfg cfg;

		ret = ipoib_port_parse_name(colon + 1, &cfg);
		cfg.qkey = g->qkey;
		if (!ret)
			ret = ipoib_port_configure(
				port_kind_priv(&ipoib_port_ops), colon + 1,
				&cfg);
		if (ret)
			return ret;
	}
	ret = port_open(&p, &ipoib_port_ops, colon + 1, g->pool);
	if (ret)
		return ret;
	ret = ecore_port_attach(g->core, &p, ECORE_ACCESS, (unsigned int)part,
				false);
	if (ret < 0)
		port_close(&p);
	return ret < 0 ? ret : 0;
}

static void ipoib_stats_json(void *arg, const struct ipoib_port_view *v)
{
	const struct ipoib_port_stats *st = v->stats;
	json_t *drops = json_object();
	unsigned int i;

	for (i = 1; i < IPOIB_DROP_MAX; i++)
		if (st->drops.count[i])
			json_object_set_new(drops, ipoib_drop_name(i),
					    json_integer(st->drops.count[i]));
	json_object_set_new(
		arg, v->name,
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			  "rx_packets", (json_int_t)st->rx_packets,
			  "tx_packets", (json_int_t)st->tx_packets,
			  "rx_wc_errors", (json_int_t)st->rx_wc_errors,
			  "tx_wc_errors", (json_int_t)st->tx_wc_errors,
			  "tx_no_path", (json_int_t)st->tx_no_path,
			  "tx_ah_errors", (json_int_t)st->tx_ah_errors,
			  "tx_too_big", (json_int_t)st->tx_too_big,
			  "rx_no_buffer", (json_int_t)st->rx_no_buffer,
			  "refreshes", (json_int_t)st->refreshes, "drops",
			  drops));
}

static int gw_stats_cmd(int argc, const char *const argv[], void *aux,
			json_t **result, char **error)
{
	struct gw *g = aux;
	json_t *o = json_object();
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		const struct ecore_port *ep = &g->core->ports[i];

		if (!ep->used)
			continue;
		json_object_set_new(o, ep->port.name,
				    json_pack("{s:I, s:I, s:b}", "rx_packets",
					      (json_int_t)ep->c.rx_packets,
					      "tx_packets",
					      (json_int_t)ep->c.tx_packets,
					      "up", ep->port.ops != NULL));
	}
	json_object_set_new(o, "ipoib", json_object());
	ipoib_port_foreach(port_kind_priv(&ipoib_port_ops), ipoib_stats_json,
			   json_object_get(o, "ipoib"));
	*result = o;
	return 0;
}

static void gw_poll_ports(struct gw *g)
{
	struct pkt *pkts[ECORE_BURST];
	unsigned int i;
	int n, round;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &g->core->ports[i];

		if (!ep->used || !ep->port.ops)
			continue;
		for (round = 0; round < 8; round++) {
			n = ep->port.ops->rx_burst(&ep->port, pkts,
						   ECORE_BURST);
			if (n <= 0)
				break;
			ecore_process(g->core, i, pkts, (unsigned int)n,
				      util_now_ms());
			if (n < ECORE_BURST)
				break;
		}
	}
}

static void gw_run(struct gw *g, struct ctl_server *srv)
{
	struct pollfd pfd[CTL_SERVER_MAX_POLLFDS + ECORE_MAX_PORTS];
	unsigned int i;
	int n, m;

	while (!stop) {
		n = ctl_server_pollfds(srv, pfd);
		m = n;
		for (i = 0; i < ECORE_MAX_PORTS; i++) {
			struct ecore_port *ep = &g->core->ports[i];

			if (ep->used && ep->port.ops && ep->port.fd >= 0) {
				pfd[m].fd = ep->port.fd;
				pfd[m++].events = POLLIN;
			}
		}
		if (poll(pfd, (nfds_t)m, 20) < 0 && errno != EINTR)
			break;
		gw_poll_ports(g);
		ctl_server_process(srv, pfd, n);
	}
}

static int gw_setup(struct gw *g, int argc, char **argv, const char **sock)
{
	int c, ret = 0;

	optind = 1;
	while (!ret && (c = getopt(argc, argv, "s:P:a:i:q:")) != -1) {
		if (c == 's')
			*sock = optarg;
		else if (c == 'q')
			g->qkey = (uint32_t)strtoul(optarg, NULL, 0);
		else if (c == 'P')
			ret = gw_add_part(g, optarg);
		else if (c == 'a' || c == 'i')
			ret = gw_add_port(g, optarg, c == 'i');
		else
			ret = -EINVAL;
		if (ret)
			fprintf(stderr, "ipoib-tool gw: -%c %s: %s\n", c,
				optarg ? optarg : "", strerror(-ret));
	}
	return ret;
}

static int cmd_gw(int argc, char **argv)
{
	struct gw g = { 0 };
	struct ctl_server *srv = NULL;
	const char *sock = NULL;
	int ret = 1;

	g.pool =
		pool_create(4096, POOL_BUF_SIZE_DEFAULT, POOL_HEADROOM_DEFAULT);
	g.core = calloc(1, sizeof(*g.core));
	if (!g.pool || !g.core || ecore_init(g.core, g.pool, 4096, 300000))
		goto out;
	g.names = (struct ipoib_neigh_ctl_names){ gw_pkey_of, gw_name_of, &g };
	if (gw_setup(&g, argc, argv, &sock) || !sock)
		goto out_core;
	srv = ctl_server_create(sock, (gid_t)-1, "ipoib-tool");
	if (!srv || ipoib_neigh_ctl_register(srv, &g.names) ||
	    ctl_server_register(srv, "gw/stats", "", 0, 0, gw_stats_cmd, &g))
		goto out_core;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("ready\n");
	fflush(stdout);
	gw_run(&g, srv);
	ret = 0;
out_core:
	ctl_server_destroy(srv);
	ecore_fini(g.core);
out:
	free(g.core);
	pool_destroy(g.pool);
	return ret;
}

static const struct {
	const char *name;
	int min_args;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "sa-join", 3, cmd_sa_join },
	{ "sa-leave", 3, cmd_sa_leave },
	{ "sa-path", 4, cmd_sa_path },
	{ "gw", 0, cmd_gw },
};

int main(int argc, char **argv)
{
	size_t i;

	if (port_kinds_register(false))
		return 1;
	for (i = 0; argc > 1 && i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			if (argc - 2 < cmds[i].min_args)
				break;
			if (cmds[i].fn == cmd_gw)
				return cmd_gw(argc - 1, argv + 1);
			return cmds[i].fn(argc - 2, argv + 2);
		}
	fprintf(stderr,
		"usage: ipoib-tool sa-join|sa-leave CA|- PORT PKEY "
		"[create] | sa-path CA|- PORT PKEY DGID |\n"
		"       gw -s SOCK -P NAME:PKEY -a NAME:IF -i NAME:IB\n");
	return 2;
}
