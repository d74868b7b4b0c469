// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine around its core: the buffer pool, the forwarding thread (epoll
 * by default, busy polling on request), housekeeping (MAC aging, reopening
 * absent ports) and the mapping of the policy onto partitions and ports.
 */
#include "fabricd/engine/engine_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/ib.h"
#include "lib/log.h"
#include "lib/policy.h"
#include "lib/util.h"

/* The policy loader refuses what the engine cannot hold: fabric.yaml(5). */
_Static_assert(ECORE_MAX_PARTS >= POLICY_PARTITIONS_MAX,
	       "the engine holds fewer partitions than the loader admits");
_Static_assert(ECORE_MAX_PORTS >= POLICY_ENGINE_PORTS_MAX,
	       "the engine holds fewer ports than the loader admits");
_Static_assert(ECORE_NAME_MAX > POLICY_NAME_MAX,
	       "the engine's names are shorter than the loader admits");

LOG_MODULE(engine);

#define POOL_BUFS 16384
/* Buffers for super-frames from taps: a burst per tap port in flight. */
#define BIG_POOL_BUFS 256
#define FDB_SIZE POLICY_FDB_ENTRIES
#define EPOLL_TIMEOUT_MS 100
#define AGE_EVERY_MS 1000
#define RETRY_EVERY_MS 1000
#define ROUNDS_PER_WAKE 16

static uint64_t ev_key(unsigned int slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | slot;
}

void engine_sync_epoll(struct engine *e)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &e->core.ports[i];
		int fd = ep->used && ep->port.ops ? ep->port.fd : -1;
		struct epoll_event ev = { .events = EPOLLIN };

		if (fd == e->reg_fd[i] && (fd < 0 || ep->gen == e->reg_gen[i]))
			continue;
		if (e->reg_fd[i] >= 0)
			epoll_ctl(e->epfd, EPOLL_CTL_DEL, e->reg_fd[i], NULL);
		e->reg_fd[i] = -1;
		if (fd < 0)
			continue;
		ev.data.u64 = ev_key(i, ep->gen);
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev))
			VLOG_WARN("port %s: cannot poll it: %s", ep->port.name,
				  strerror(errno));
		e->reg_fd[i] = fd;
		e->reg_gen[i] = ep->gen;
	}
}

/* Receive and forward what port @slot has, a bounded number of bursts. */
static void poll_port(struct engine *e, unsigned int slot, uint64_t now)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 5);
	struct ecore_port *ep = &e->core.ports[slot];
	struct pkt *pkts[ECORE_BURST];
	int round, n;

	for (round = 0; round < ROUNDS_PER_WAKE; round++) {
		n = ep->port.ops->rx_burst(&ep->port, pkts, ECORE_BURST);
		if (n < 0) {
			VLOG_WARN_RL(&rl, "port %s: %s; closed, will retry",
				     ep->port.name, strerror(-n));
			ecore_port_down(&e->core, slot, n);
			engine_sync_epoll(e);
			return;
		}
		if (!n)
			return;
		e->bursts++;
		ecore_process(&e->core, slot, pkts, n, now);
		if (n < ECORE_BURST)
			return;
	}
}

/*
 * Close ports whose interface went away (a VM stopped): AF_XDP sockets get
 * no poll event for it. They are reopened when the name comes back.
 */
static void check_gone(struct engine *e)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 10);
	unsigned int i;
	bool changed = false;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &e->core.ports[i];

		if (!ep->used || !ep->port.ops || !ep->port.ifindex ||
		    (int)if_nametoindex(ep->port.name) == ep->port.ifindex)
			continue;
		VLOG_WARN_RL(&rl, "port %s: interface gone; waiting for it",
			     ep->port.name);
		ecore_port_down(&e->core, i, -ENODEV);
		changed = true;
	}
	if (changed)
		engine_sync_epoll(e);
}

static void housekeeping(struct engine *e, uint64_t now)
{
	unsigned int i;
	bool changed = false;

	if (now - e->last_age_ms >= AGE_EVERY_MS) {
		ecore_fast_refresh(&e->core, now);
		fdb_age(e->core.fdb, now);
		check_gone(e);
		e->last_age_ms = now;
	}
	if (now - e->last_retry_ms < RETRY_EVERY_MS)
		return;
	e->last_retry_ms = now;
	ecore_fast_reprobe(&e->core);
	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &e->core.ports[i];

		if (ep->used && !ep->port.ops && !engine_open_port(e, i)) {
			VLOG_INFO("port %s: open (%s)", ep->port.name,
				  ep->port.mode);
			changed = true;
		}
	}
	if (changed)
		engine_sync_epoll(e);
}

static void handle_event(struct engine *e, const struct epoll_event *ev,
			 uint64_t now)
{
	unsigned int slot = ev->data.u64 & 0xffffffff;
	uint32_t gen = ev->data.u64 >> 32;
	struct ecore_port *ep;

	if (slot >= ECORE_MAX_PORTS)
		return;
	ep = &e->core.ports[slot];
	if (!ep->used || !ep->port.ops || ep->gen != gen)
		return; /* deleted or reopened since epoll_wait() */
	if ((ev->events & EPOLLERR) && !(ev->events & EPOLLIN)) {
		VLOG_WARN(
			"port %s: error on its descriptor; closed, will retry",
			ep->port.name);
		ecore_port_down(&e->core, slot, -ENETDOWN);
		engine_sync_epoll(e);
		return;
	}
	poll_port(e, slot, now);
}

static void poll_all(struct engine *e, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if (e->core.ports[i].used && e->core.ports[i].port.ops)
			poll_port(e, i, now);
}

/* How long the forwarding thread may sleep: the gateway groups' timers. */
static int sleep_ms(const struct engine *e, uint64_t ha_next)
{
	uint64_t now = util_now_ms();

	if (e->busy_poll)
		return 0;
	if (ha_next <= now)
		return 0;
	return ha_next - now < EPOLL_TIMEOUT_MS ? (int)(ha_next - now) :
						  EPOLL_TIMEOUT_MS;
}

static void *forward_thread(void *arg)
{
	struct engine *e = arg;
	struct epoll_event evs[ECORE_MAX_PORTS + 1];
	uint64_t ha_next = UINT64_MAX;
	bool stop = false;

	while (!stop) {
		int i, n = epoll_wait(e->epfd, evs, ARRAY_SIZE(evs),
				      sleep_ms(e, ha_next));
		uint64_t now = util_now_ms();

		pthread_mutex_lock(&e->lock);
		e->wakeups++;
		for (i = 0; i < n; i++) {
			if (evs[i].data.u64 == UINT64_MAX)
				stop = true;
			else
				handle_event(e, &evs[i], now);
		}
		if (e->busy_poll)
			poll_all(e, now);
		housekeeping(e, now);
		ha_next = engine_ha_tick(e, util_now_ms());
		pthread_mutex_unlock(&e->lock);
	}
	return NULL;
}

int engine_start(struct engine *e)
{
	int ret;

	if (e->running)
		return -EALREADY;
	ret = pthread_create(&e->thread, NULL, forward_thread, e);
	if (ret)
		return -ret;
	pthread_setname_np(e->thread, "fabricd-fwd");
	e->running = true;
	return 0;
}

static bool pkey_held(const uint16_t *held, size_t n, uint16_t pkey)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ib_pkey_base(held[i]) == ib_pkey_base(pkey))
			return true;
	return false;
}

/*
 * The policy's FDB quotas: all shared first, so that a quota moving from
 * one partition to another never adds up to more than the table on the
 * way. Quotas set at run time stay (ecore_part_fdb_limit()).
 */
static void apply_fdb_limits(struct engine *e, const struct policy *pol)
{
	unsigned int i;
	int idx, ret;

	for (i = 0; i < pol->n_partitions; i++) {
		idx = ecore_part_find(&e->core, pol->partitions[i].name);
		ecore_part_fdb_limit(&e->core, idx, FDB_LIMIT_SHARED, false);
	}
	for (i = 0; i < pol->n_partitions; i++) {
		const struct policy_partition *pp = &pol->partitions[i];

		if (!pp->fdb_limit)
			continue;
		idx = ecore_part_find(&e->core, pp->name);
		ret = ecore_part_fdb_limit(&e->core, idx, pp->fdb_limit, false);
		if (ret)
			VLOG_WARN(
				"partition %s: fdb_limit %u not applied (%s): "
				"the quotas set with 'fabricctl fdb limit' "
				"leave too little room; it shares what is "
				"free",
				pp->name, pp->fdb_limit, strerror(-ret));
	}
}

/* Partitions: update those of @pol, forget the others. */
static int apply_partitions(struct engine *e, const struct policy *pol,
			    const uint16_t *held, size_t n)
{
	bool seen[ECORE_MAX_PARTS] = { false };
	unsigned int i;

	for (i = 0; i < pol->n_partitions; i++) {
		const struct policy_partition *pp = &pol->partitions[i];
		bool active = !held || pkey_held(held, n, pp->pkey);
		int idx = ecore_part_set(&e->core, pp->name, pp->pkey, pp->vlan,
					 active);

		if (idx < 0)
			return idx;
		seen[idx] = true;
	}
	for (i = 0; i < ECORE_MAX_PARTS; i++)
		if (e->core.parts[i].used && !seen[i])
			ecore_part_remove(&e->core, i);
	apply_fdb_limits(e, pol);
	return 0;
}

static const struct policy_port *find_pol_port(const struct policy *pol,
					       const char *name)
{
	size_t i;

	for (i = 0; i < pol->n_ports; i++)
		if (!strcmp(pol->ports[i].name, name))
			return &pol->ports[i];
	return NULL;
}

/* Policy access ports that are gone or changed are removed. */
static void drop_stale_ports(struct engine *e, const struct policy *pol)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &e->core.ports[i];
		const struct policy_port *pp;

		if (!ep->used || ep->runtime || !strcmp(ep->kind, "ipoib") ||
		    !strcmp(ep->kind, "peer"))
			continue; /* ipoib, peer: engine_sync_ipoib() */
		if (ep->role == ECORE_TRUNK) {
			if (strcmp(ep->port.name, e->uplink))
				ecore_port_del(&e->core, i);
			continue;
		}
		pp = find_pol_port(pol, ep->port.name);
		if (!pp ||
		    ecore_part_find(&e->core, pp->partition->name) !=
			    ep->part ||
		    ep->limited != (pp->membership == POLICY_MEMB_LIMITED))
			ecore_port_del(&e->core, i);
	}
}

/*
 * Add policy port @name and open it if engine_open_port() lets it; say
 * once why it cannot be opened (a refusal says itself).
 */
static void add_policy_port(struct engine *e, const char *name,
			    enum ecore_role role, unsigned int part,
			    bool limited)
{
	int slot =
		ecore_port_new(&e->core, name, "netdev", role, part, limited);

	if (slot < 0) {
		VLOG_ERR("port %s: %s", name, strerror(-slot));
		return;
	}
	engine_open_port(e, slot);
	if (!e->core.ports[slot].port.ops && !e->core.ports[slot].refused[0])
		VLOG_WARN("port %s: cannot open it (%s); retrying every %u s: "
			  "create the interface or fix the policy",
			  name, strerror(-e->core.ports[slot].error),
			  RETRY_EVERY_MS / 1000);
}

/*
 * Taps fabricd makes whose ports are open already: owner and group as
 * the policy has them now (closed ones are made when they are opened).
 */
static void make_open_taps(struct engine *e)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &e->core.ports[i];
		char *why = NULL;

		if (ep->used && ep->port.ops && engine_make_tap(e, i, &why))
			VLOG_WARN("port %s: %s", ep->port.name,
				  why ? why : "cannot fix its tap");
		free(why);
	}
}

static void add_policy_ports(struct engine *e, const struct policy *pol)
{
	size_t i;
	int part;

	if (e->uplink[0] && ecore_port_find(&e->core, e->uplink) < 0)
		add_policy_port(e, e->uplink, ECORE_TRUNK, 0, false);
	for (i = 0; i < pol->n_ports; i++) {
		const struct policy_port *pp = &pol->ports[i];

		if (ecore_port_find(&e->core, pp->name) >= 0)
			continue;
		part = ecore_part_find(&e->core, pp->partition->name);
		add_policy_port(e, pp->name, ECORE_ACCESS, part,
				pp->membership == POLICY_MEMB_LIMITED);
	}
}

/* The policy ports' learning limits, unless set at run time. */
static void apply_port_limits(struct engine *e, const struct policy *pol)
{
	size_t i;
	int slot;

	for (i = 0; i < pol->n_ports; i++) {
		const struct policy_port *pp = &pol->ports[i];

		slot = ecore_port_find(&e->core, pp->name);
		if (slot < 0 || e->core.ports[slot].fdb_limit_runtime)
			continue;
		fdb_set_port_limit(e->core.fdb, slot,
				   pp->fdb_limit >= 0 ?
					   (unsigned int)pp->fdb_limit :
					   ECORE_ACCESS_FDB_LIMIT);
	}
}

static void set_uplink(struct engine *e, const struct policy *pol)
{
	const struct policy_gateway *gw =
		e->gw_name[0] ? policy_find_gateway(pol, e->gw_name) : NULL;

	util_strlcpy(e->uplink, gw && gw->uplink ? gw->uplink : "",
		     sizeof(e->uplink));
}

int engine_apply_policy(struct engine *e, const struct policy *pol,
			const uint16_t *held_pkeys, size_t n)
{
	int ret;

	pthread_mutex_lock(&e->lock);
	ret = apply_partitions(e, pol, held_pkeys, n);
	if (!ret) {
		e->eth_only = !held_pkeys;
		set_uplink(e, pol);
		drop_stale_ports(e, pol);
		engine_sync_taps(e, pol);
		make_open_taps(e);
		add_policy_ports(e, pol);
		apply_port_limits(e, pol);
		engine_sync_ipoib(e, pol, held_pkeys, n);
		ecore_rebuild(&e->core);
		engine_ha_apply(e, pol);
		engine_sync_epoll(e);
	}
	pthread_mutex_unlock(&e->lock);
	return ret;
}

static int engine_init_fds(struct engine *e)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		e->reg_fd[i] = -1;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		return -errno;
	e->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->stop_fd < 0 ||
	    epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->stop_fd, &ev)) {
		int ret = -errno;

		if (e->stop_fd >= 0)
			close(e->stop_fd);
		close(e->epfd);
		return ret;
	}
	return 0;
}

struct engine *engine_create(const struct policy *pol,
			     const struct policy_gateway *gw)
{
	struct engine *e = calloc(1, sizeof(*e));
	const char *bp = getenv("FABRICD_BUSY_POLL");
	int ret;

	if (!e)
		return NULL;
	pthread_mutex_init(&e->lock, NULL);
	e->busy_poll = bp && *bp && strcmp(bp, "0");
	if (gw)
		util_strlcpy(e->gw_name, gw->name, sizeof(e->gw_name));
	e->pool = pool_create(POOL_BUFS, POOL_BUF_SIZE_DEFAULT,
			      POOL_HEADROOM_DEFAULT);
	if (!e->pool)
		goto err_free;
	e->big_pool = pool_create(BIG_POOL_BUFS, POOL_BUF_SIZE_MAX,
				  POOL_HEADROOM_DEFAULT);
	if (!e->big_pool)
		VLOG_WARN("no buffers for super-frames (%s): taps will "
			  "not take TSO",
			  strerror(errno));
	pool_set_big(e->pool, e->big_pool);
	ret = ecore_init(&e->core, e->pool, FDB_SIZE, FDB_AGING_MS_DEFAULT);
	if (ret)
		goto err_pool;
	ret = engine_init_fds(e);
	if (ret)
		goto err_core;
	ret = engine_ha_create(e);
	if (ret)
		goto err_fds;
	ret = engine_apply_policy(e, pol, NULL, 0);
	if (ret)
		goto err_fds;
	return e;

err_fds:
	engine_ha_destroy(e);
	close(e->stop_fd);
	close(e->epfd);
err_core:
	ecore_fini(&e->core);
err_pool:
	pool_destroy(e->big_pool);
	pool_destroy(e->pool);
	free(e);
	errno = -ret;
	return NULL;
err_free:
	free(e);
	return NULL;
}

void engine_destroy(struct engine *e)
{
	uint64_t one = 1;

	if (!e)
		return;
	engine_ha_stop(e); /* masters resign while the ports are open */
	if (e->running) {
		if (write(e->stop_fd, &one, sizeof(one)) < 0)
			VLOG_ERR("cannot stop the forwarding thread: %s",
				 strerror(errno));
		pthread_join(e->thread, NULL);
	}
	ecore_fini(&e->core);
	flow_cache_destroy(e->flows);
	engine_ha_destroy(e);
	close(e->stop_fd);
	close(e->epfd);
	pool_destroy(e->pool);
	pool_destroy(e->big_pool);
	pthread_mutex_destroy(&e->lock);
	free(e);
}
