/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The engine's insides, shared by engine.c (threads, policy) and
 * engine_ctl.c (control commands). Not for other modules.
 */
#ifndef FABRICD_ENGINE_PRIV_H
#define FABRICD_ENGINE_PRIV_H

#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>

#include "eth/tap_persist.h"
#include "fabricd/engine/engine.h"
#include "fabricd/engine/engine_core.h"
#include "lib/policy.h"

struct engine_ha;

/* A forwarding thread (docs/HACKING.md, "Forwarding threads"). */
struct engine_thread {
	struct engine *e;
	unsigned int id; /* 0 also runs housekeeping and the HA timers */
	pthread_t thread;
	/* held while the thread works on a wake-up: engine_lock() takes all */
	pthread_mutex_t run;
	int epfd; /* the ports it polls, and stop_fd */
	struct ecore_ctx ctx;
};

struct engine {
	/*
	 * The core lock: held by a forwarding thread while it works on a
	 * wake-up, except while one of its ports receives or sends (with
	 * several threads); taken with every thread's run lock by
	 * engine_lock() to read or change anything below.
	 */
	pthread_mutex_t lock;
	struct engine_core core;
	struct pool *pool;
	struct pool *big_pool; /* super-frames read from taps; may be NULL */
	unsigned int n_threads; /* 1..ENGINE_THREADS_MAX */
	struct engine_thread th[ENGINE_THREADS_MAX];
	/* several threads: per port slot, around its driver's calls */
	pthread_mutex_t io_locks[ECORE_MAX_PORTS];
	/* ports whose driver failed on a thread but 0, closed by thread 0 */
	uint64_t downs;
	int down_err[ECORE_MAX_PORTS];
	int stop_fd; /* eventfd: wakes the forwarding threads to stop */
	/*
	 * Several threads: the gateway groups' handlers run on any thread
	 * and leave work for engine_ha_tick() on thread 0; kick_fd (in its
	 * epoll set) wakes it for that. The handlers, wrapped.
	 */
	int kick_fd;
	bool ha_kick;
	void (*ha_fn)(void *arg, const struct pkt *pkt);
	void (*standby_fn)(void *arg, unsigned int slot, const struct pkt *pkt);
	bool running;
	bool busy_poll; /* spin on rx_burst instead of sleeping in epoll */
	bool eth_only; /* partitions from the policy alone (no IB port) */
	char gw_name[ECORE_NAME_MAX]; /* our gateway in the policy, or "" */
	char uplink[IF_NAMESIZE]; /* its trunk interface, or "" */
	char ib_dev[64]; /* verbs device of the ipoib ports, or "": none */
	unsigned int ib_port; /* its port number, 1-based */
	int reg_fd[ECORE_MAX_PORTS]; /* descriptor registered with epoll */
	uint32_t reg_gen[ECORE_MAX_PORTS]; /* port generation registered */
	uint8_t reg_th[ECORE_MAX_PORTS]; /* the thread whose epoll has it */
	/* the policy's taps that fabricd makes (create: tap) */
	struct tap_persist taps[POLICY_ENGINE_PORTS_MAX];
	size_t n_taps;
	uint64_t last_age_ms;
	uint64_t last_retry_ms;
	uint64_t wakeups;
	uint64_t bursts;
	struct flow_cache *flows; /* IPFIX export's cache, NULL: off */
	uint32_t flow_sampling;
	struct engine_ha *ha; /* gateway groups (engine_ha.c) */
};

/*
 * engine_lock - keep every forwarding thread out (each thread's run lock,
 * then the core lock): what the control thread does before it reads or
 * changes the engine. engine_unlock - let them go on.
 */
void engine_lock(struct engine *e);
void engine_unlock(struct engine *e);

/*
 * engine_fail - @ret, with the message of @fmt in *@error (malloc'ed; NULL
 * when out of memory).
 */
int engine_fail(char **error, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * engine_check_port - whether interface @name may be a @kind port next to
 * the engine's others (engine_check.c): a valid name, Ethernet, not the
 * loopback, not the veth peer of a port. @slot: its own slot, or
 * ECORE_MAX_PORTS for a port not added yet. Returns 0, -ENODEV when there
 * is no such interface (yet), or another negative errno; the reason in
 * *@error (malloc'ed) on failure. Lock held.
 */
int engine_check_port(const struct engine *e, const char *name,
		      const char *kind, unsigned int slot, char **error);

/*
 * engine_open_port - open port @slot if engine_check_port() lets it; a
 * refused port stays closed, its reason in ports[slot].refused, logged
 * (rate-limited) when it changes. Returns 0 or a negative errno. Lock held.
 */
int engine_open_port(struct engine *e, unsigned int slot);

/*
 * engine_flow_part_json_locked - partition @part's flow cache counters
 * (the stats reply's "flow"), or NULL when export is off. Engine lock held.
 */
json_t *engine_flow_part_json_locked(const struct engine *e, uint16_t part);

/* engine_mirrors_json_locked - engine_mirrors_json(), lock held. */
json_t *engine_mirrors_json_locked(const struct engine *e);

/*
 * engine_make_tap - make or adopt the tap of policy port @slot if the
 * policy has fabricd make it (create: tap); 0 for every other port.
 * Returns 0 or a negative errno, the reason in *@why (malloc'ed). Lock held.
 */
int engine_make_tap(struct engine *e, unsigned int slot, char **why);

/*
 * engine_sync_taps - take the policy's create: tap ports into e->taps,
 * remove the taps fabricd made that it no longer lists, make or adopt
 * the others (engine_check.c). Lock held.
 */
void engine_sync_taps(struct engine *e, const struct policy *pol);

/* engine_sync_epoll - register the open ports' descriptors; lock held. */
void engine_sync_epoll(struct engine *e);

/*
 * engine_sync_ipoib - add and remove the policy's ipoib ports: one per
 * active partition of @pol with `ipoib: true`, on e->ib_dev, with the PKey
 * as @held (@n entries) has it (NULL: full member). Lock held, partitions
 * applied first (engine_ipoib.c).
 */
void engine_sync_ipoib(struct engine *e, const struct policy *pol,
		       const uint16_t *held, size_t n);

/*
 * Gateway groups (engine_ha.c). engine_ha_create: the state, the 0x88B6
 * handler; 0 or -ENOMEM. engine_ha_apply: the groups of @pol for our
 * gateway (lock held, after the ipoib ports). engine_ha_tick: timers and
 * what the receive handler left to do, on the forwarding thread (lock
 * held); returns when it wants to run next (UINT64_MAX: no group).
 * engine_ha_stop: masters resign (takes the lock); engine_ha_destroy: stop
 * and free. engine_ha_show: the ha/show reply (takes the lock).
 */
int engine_ha_create(struct engine *e);
void engine_ha_apply(struct engine *e, const struct policy *pol);
uint64_t engine_ha_tick(struct engine *e, uint64_t now);
void engine_ha_stop(struct engine *e);
void engine_ha_destroy(struct engine *e);
int engine_ha_show(struct engine *e, json_t **result);

/*
 * Peer links' MAC announcements (engine_peer.c): engine_peer_attach hooks
 * them into the core and the peer kind; engine_peer_detach unhooks.
 */
void engine_peer_attach(struct engine *e);
void engine_peer_detach(struct engine *e);

/*
 * engine_peer_announce - tell the peers of partition @part that @mac is
 * behind us now (its peer port's announcement), whether or not the FDB
 * saw it move: a gateway group's new master for the IB neighbours' MACs.
 * Nothing when the partition has no open peer port.
 */
void engine_peer_announce(struct engine_core *c, unsigned int part,
			  const uint8_t mac[6]);

#endif /* FABRICD_ENGINE_PRIV_H */
