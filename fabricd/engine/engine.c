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

#define KICK_KEY (UINT64_MAX - 1) /* kick_fd's epoll key */
static struct log_ratelimit kick_rl = LOG_RATELIMIT_INIT(1, 10);

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		VLOG_WARN_RL(&kick_rl, "kick: %s", strerror(errno));
}

static uint64_t ev_key(unsigned int slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | slot;
}

/*
 * The thread that polls port @ep in @slot: slot modulo the threads; ports
 * of serial kinds (ecore_port_serial()) all on thread 0.
 */
static unsigned int owner(const struct engine *e, unsigned int slot,
			  const struct ecore_port *ep)
{
	return ecore_port_serial(ep) ? 0 : slot % e->n_threads;
}

static void unregister(struct engine *e, unsigned int slot)
{
	if (e->reg_fd[slot] >= 0)
		epoll_ctl(e->th[e->reg_th[slot]].epfd, EPOLL_CTL_DEL,
			  e->reg_fd[slot], NULL);
	e->reg_fd[slot] = -1;
}

void engine_sync_epoll(struct engine *e)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &e->core.ports[i];
		int fd = ep->used && ep->port.ops ? ep->port.fd : -1;
		struct epoll_event ev = { .events = EPOLLIN };
		unsigned int t = fd < 0 ? 0 : owner(e, i, ep);

		if (fd == e->reg_fd[i] &&
		    (fd < 0 || (ep->gen == e->reg_gen[i] && t == e->reg_th[i])))
			continue;
		unregister(e, i);
		if (fd < 0)
			continue;
		ev.data.u64 = ev_key(i, ep->gen);
		if (epoll_ctl(e->th[t].epfd, EPOLL_CTL_ADD, fd, &ev))
			VLOG_WARN("port %s: cannot poll it: %s", ep->port.name,
				  strerror(errno));
		e->reg_fd[i] = fd;
		e->reg_gen[i] = ep->gen;
		e->reg_th[i] = (uint8_t)t;
	}
}

void engine_lock(struct engine *e)
{
	unsigned int i;

	for (i = 0; i < e->n_threads; i++)
		pthread_mutex_lock(&e->th[i].run);
	pthread_mutex_lock(&e->lock);
}

void engine_unlock(struct engine *e)
{
	unsigned int i;

	pthread_mutex_unlock(&e->lock);
	for (i = e->n_threads; i-- > 0;)
		pthread_mutex_unlock(&e->th[i].run);
}

/*
 * Thread 0, holding its run lock and the core lock: keep the other
 * threads out too (the lock order is run locks by index, then the core
 * lock), to close, open or reconfigure ports. Nothing with one thread.
 */
static void quiesce_others(struct engine *e)
{
	unsigned int i;

	if (e->n_threads == 1)
		return;
	pthread_mutex_unlock(&e->lock);
	for (i = 1; i < e->n_threads; i++)
		pthread_mutex_lock(&e->th[i].run);
	pthread_mutex_lock(&e->lock);
}

static void resume_others(struct engine *e)
{
	unsigned int i;

	for (i = e->n_threads; i-- > 1;)
		pthread_mutex_unlock(&e->th[i].run);
}

/*
 * Port @slot failed with @err on thread @t: thread 0 closes it now (it
 * will be retried); another thread stops polling it and leaves the
 * closing to thread 0, which can keep every thread out.
 */
static void port_failed(struct engine_thread *t, unsigned int slot, int err)
{
	struct engine *e = t->e;

	if (t->id) {
		unregister(e, slot);
		e->downs |= 1ull << slot;
		e->down_err[slot] = err;
		return;
	}
	quiesce_others(e);
	ecore_port_down(&e->core, slot, err);
	engine_sync_epoll(e);
	resume_others(e);
}

/* Thread 0, others kept out: close the ports other threads saw fail. */
static void close_downs(struct engine *e)
{
	while (e->downs) {
		unsigned int slot = __builtin_ctzll(e->downs);

		e->downs &= e->downs - 1;
		ecore_port_down(&e->core, slot, e->down_err[slot]);
	}
	engine_sync_epoll(e);
}

/*
 * One receive of port @ep; with several threads, ports of kinds that
 * share nothing receive under their io lock, the core lock let go.
 */
static int port_rx(struct engine_thread *t, struct ecore_port *ep,
		   struct pkt **pkts)
{
	struct engine *e = t->e;
	pthread_mutex_t *io = &e->io_locks[ep - e->core.ports];
	int n;

	if (e->n_threads == 1 || ecore_port_serial(ep))
		return ep->port.ops->rx_burst(&ep->port, pkts, ECORE_BURST);
	pthread_mutex_unlock(&e->lock);
	pthread_mutex_lock(io);
	n = ep->port.ops->rx_burst(&ep->port, pkts, ECORE_BURST);
	pthread_mutex_unlock(io);
	pthread_mutex_lock(&e->lock);
	return n;
}

/* Receive and forward what port @slot has, a bounded number of bursts. */
static void poll_port(struct engine_thread *t, unsigned int slot, uint64_t now)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 5);
	struct engine *e = t->e;
	struct ecore_port *ep = &e->core.ports[slot];
	struct pkt *pkts[ECORE_BURST];
	int round, n;

	for (round = 0; round < ROUNDS_PER_WAKE; round++) {
		n = port_rx(t, ep, pkts);
		if (n < 0) {
			VLOG_WARN_RL(&rl, "port %s: %s; closed, will retry",
				     ep->port.name, strerror(-n));
			port_failed(t, slot, n);
			return;
		}
		if (!n)
			return;
		e->bursts++;
		ecore_process_ctx(&e->core, &t->ctx, slot, pkts, n, now);
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

/* Reopen absent ports; thread 0 with the others kept out. */
static void retry_ports(struct engine *e)
{
	unsigned int i;
	bool changed = false;

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

/* Thread 0: aging, ports gone, ports to reopen, ports failed elsewhere. */
static void housekeeping(struct engine *e, uint64_t now)
{
	bool age = now - e->last_age_ms >= AGE_EVERY_MS;
	bool retry = now - e->last_retry_ms >= RETRY_EVERY_MS;

	if (!age && !retry && !e->downs)
		return;
	quiesce_others(e);
	if (e->downs)
		close_downs(e);
	if (age) {
		ecore_fast_refresh(&e->core, now);
		fdb_age(e->core.fdb, now);
		check_gone(e);
		e->last_age_ms = now;
	}
	if (retry) {
		e->last_retry_ms = now;
		retry_ports(e);
	}
	resume_others(e);
}

static void handle_event(struct engine_thread *t, const struct epoll_event *ev,
			 uint64_t now)
{
	struct engine *e = t->e;
	unsigned int slot = ev->data.u64 & 0xffffffff;
	uint32_t gen = ev->data.u64 >> 32;
	struct ecore_port *ep;

	if (slot >= ECORE_MAX_PORTS)
		return;
	ep = &e->core.ports[slot];
	if (!ep->used || !ep->port.ops || ep->gen != gen ||
	    (e->downs & (1ull << slot)))
		return; /* deleted, reopened or failed since epoll_wait() */
	if ((ev->events & EPOLLERR) && !(ev->events & EPOLLIN)) {
		VLOG_WARN(
			"port %s: error on its descriptor; closed, will retry",
			ep->port.name);
		port_failed(t, slot, -ENETDOWN);
		return;
	}
	poll_port(t, slot, now);
}

/* Busy polling: every open port of thread @t. */
static void poll_all(struct engine_thread *t, uint64_t now)
{
	struct engine *e = t->e;
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &e->core.ports[i];

		if (ep->used && ep->port.ops && owner(e, i, ep) == t->id &&
		    !(e->downs & (1ull << i)))
			poll_port(t, i, now);
	}
}

/* How long a forwarding thread may sleep: the gateway groups' timers. */
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

static void ha_fn_kick(void *arg, const struct pkt *pkt)
{
	struct engine *e = arg;

	e->ha_fn(arg, pkt);
	e->ha_kick = true;
}

static void standby_fn_kick(void *arg, unsigned int slot, const struct pkt *pkt)
{
	struct engine *e = arg;

	e->standby_fn(arg, slot, pkt);
	e->ha_kick = true;
}

/* Thread @t's wake-up ran a gateway group's handler: wake thread 0. */
static void kick_ha(struct engine_thread *t)
{
	struct engine *e = t->e;
	uint64_t one = 1;

	if (!e->ha_kick)
		return;
	e->ha_kick = false;
	if (t->id && write(e->kick_fd, &one, sizeof(one)) < 0)
		VLOG_WARN_RL(&kick_rl, "cannot wake the first thread: %s",
			     strerror(errno));
}

static void *forward_thread(void *arg)
{
	struct engine_thread *t = arg;
	struct engine *e = t->e;
	struct epoll_event evs[ECORE_MAX_PORTS + 1];
	uint64_t ha_next = UINT64_MAX;
	bool stop = false;

	while (!stop) {
		int i, n = epoll_wait(t->epfd, evs, ARRAY_SIZE(evs),
				      sleep_ms(e, ha_next));
		uint64_t now = util_now_ms();

		pthread_mutex_lock(&t->run);
		pthread_mutex_lock(&e->lock);
		e->wakeups++;
		for (i = 0; i < n; i++) {
			if (evs[i].data.u64 == UINT64_MAX)
				stop = true;
			else if (evs[i].data.u64 == KICK_KEY)
				drain(e->kick_fd);
			else
				handle_event(t, &evs[i], now);
		}
		if (e->busy_poll)
			poll_all(t, now);
		kick_ha(t);
		if (!t->id) {
			housekeeping(e, now);
			ha_next = engine_ha_tick(e, util_now_ms());
		}
		pthread_mutex_unlock(&e->lock);
		pthread_mutex_unlock(&t->run);
	}
	return NULL;
}

int engine_threads_parse(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return 1;
	if (!strcmp(s, "auto"))
		return (int)engine_threads_auto();
	n = strtol(s, &end, 10);
	if (*end || n < 1 || n > ENGINE_THREADS_MAX)
		return -EINVAL;
	return (int)n;
}

unsigned int engine_threads_auto(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus >= ENGINE_THREADS_AUTO_CPUS ? 2 : 1;
}

int engine_set_threads(struct engine *e, unsigned int n)
{
	if (n < 1 || n > ENGINE_THREADS_MAX)
		return -EINVAL;
	if (e->running)
		return -EBUSY;
	pthread_mutex_lock(&e->lock); /* no forwarding thread runs yet */
	e->n_threads = n;
	engine_sync_epoll(e); /* the ports move to their owners */
	pthread_mutex_unlock(&e->lock);
	return 0;
}

/* Several threads: the pool, the ports' io locks, the let-go core lock. */
static void share_core(struct engine *e)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = KICK_KEY };
	unsigned int i;

	if (e->n_threads == 1)
		return;
	if (e->core.standby_arg == e && e->kick_fd >= 0 &&
	    !epoll_ctl(e->th[0].epfd, EPOLL_CTL_ADD, e->kick_fd, &ev)) {
		e->ha_fn = e->core.ha_fn;
		e->standby_fn = e->core.standby_fn;
		if (e->ha_fn)
			e->core.ha_fn = ha_fn_kick;
		if (e->standby_fn)
			e->core.standby_fn = standby_fn_kick;
	}
	pool_set_shared(e->pool);
	e->core.io_locks = e->io_locks;
	for (i = 0; i < e->n_threads; i++)
		e->th[i].ctx.core_lock = &e->lock;
}

int engine_start(struct engine *e)
{
	static const char *const names[] = { "fabricd-fwd", "fabricd-fwd1" };
	unsigned int i;
	int ret;

	if (e->running)
		return -EALREADY;
	share_core(e);
	for (i = 0; i < e->n_threads; i++) {
		ret = pthread_create(&e->th[i].thread, NULL, forward_thread,
				     &e->th[i]);
		if (ret)
			break;
		pthread_setname_np(e->th[i].thread, names[i]);
	}
	if (i < e->n_threads) { /* the started ones see stop_fd */
		uint64_t one = 1;

		if (write(e->stop_fd, &one, sizeof(one)) < 0)
			VLOG_ERR("cannot stop the forwarding threads: %s",
				 strerror(errno));
		while (i-- > 0)
			pthread_join(e->th[i].thread, NULL);
		return -ret;
	}
	VLOG_INFO("%u forwarding thread%s", e->n_threads,
		  e->n_threads > 1 ? "s" : "");
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

	engine_lock(e);
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
	engine_unlock(e);
	return ret;
}

static void engine_close_fds(struct engine *e)
{
	unsigned int i;

	for (i = 0; i < ENGINE_THREADS_MAX; i++)
		if (e->th[i].epfd >= 0)
			close(e->th[i].epfd);
	if (e->stop_fd >= 0)
		close(e->stop_fd);
	if (e->kick_fd >= 0)
		close(e->kick_fd);
}

/* Every thread's epoll set, each with the stop eventfd. */
static int engine_init_fds(struct engine *e)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		e->reg_fd[i] = -1;
	for (i = 0; i < ENGINE_THREADS_MAX; i++)
		e->th[i].epfd = -1;
	e->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->stop_fd < 0 || e->kick_fd < 0)
		ret = -errno;
	for (i = 0; !ret && i < ENGINE_THREADS_MAX; i++) {
		e->th[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (e->th[i].epfd < 0 ||
		    epoll_ctl(e->th[i].epfd, EPOLL_CTL_ADD, e->stop_fd, &ev))
			ret = -errno;
	}
	if (ret)
		engine_close_fds(e);
	return ret;
}

/* The threads' run locks, the io locks; the count from FABRICD_THREADS. */
static int engine_init_threads(struct engine *e)
{
	int n = engine_threads_parse(getenv("FABRICD_THREADS"));
	unsigned int i;

	if (n < 0) {
		VLOG_ERR("FABRICD_THREADS=%s: want 1 to %u or auto",
			 getenv("FABRICD_THREADS"), ENGINE_THREADS_MAX);
		return n;
	}
	e->n_threads = (unsigned int)n;
	for (i = 0; i < ENGINE_THREADS_MAX; i++) {
		e->th[i].e = e;
		e->th[i].id = i;
		pthread_mutex_init(&e->th[i].run, NULL);
	}
	for (i = 0; i < ECORE_MAX_PORTS; i++)
		pthread_mutex_init(&e->io_locks[i], NULL);
	return 0;
}

static void engine_fini_threads(struct engine *e)
{
	unsigned int i;

	for (i = 0; i < ENGINE_THREADS_MAX; i++)
		pthread_mutex_destroy(&e->th[i].run);
	for (i = 0; i < ECORE_MAX_PORTS; i++)
		pthread_mutex_destroy(&e->io_locks[i]);
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
	ret = engine_init_threads(e);
	if (ret)
		goto err_pool;
	ret = ecore_init(&e->core, e->pool, FDB_SIZE, FDB_AGING_MS_DEFAULT);
	if (ret)
		goto err_pool;
	ret = engine_init_fds(e);
	if (ret)
		goto err_core;
	ret = engine_ha_create(e);
	if (ret)
		goto err_fds;
	engine_peer_attach(e);
	ret = engine_apply_policy(e, pol, NULL, 0);
	if (ret)
		goto err_fds;
	return e;

err_fds:
	engine_peer_detach(e);
	engine_ha_destroy(e);
	engine_close_fds(e);
err_core:
	ecore_fini(&e->core);
err_pool:
	engine_fini_threads(e);
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
	unsigned int i;

	if (!e)
		return;
	engine_ha_stop(e); /* masters resign while the ports are open */
	if (e->running) {
		if (write(e->stop_fd, &one, sizeof(one)) < 0)
			VLOG_ERR("cannot stop the forwarding threads: %s",
				 strerror(errno));
		for (i = 0; i < e->n_threads; i++)
			pthread_join(e->th[i].thread, NULL);
	}
	engine_peer_detach(e);
	ecore_fini(&e->core);
	flow_cache_destroy(e->flows);
	engine_ha_destroy(e);
	engine_close_fds(e);
	engine_fini_threads(e);
	pool_destroy(e->pool);
	pool_destroy(e->big_pool);
	pthread_mutex_destroy(&e->lock);
	free(e);
}
