/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The forwarding engine: one switch per partition between access ports (VM
 * taps, veths; untagged) and the gateway's trunk (802.1Q), zero-copy from
 * receive to send (buffer ownership: lib/port.h).
 *
 * Threads: engine_start() runs the forwarding threads (one unless
 * FABRICD_THREADS says more, the ports spread across them). Every other
 * function here is called from the daemon's main or control thread and is
 * safe against them (the engine serialises them internally).
 *
 * Environment: FABRICD_BUSY_POLL=1 makes the forwarding thread poll its
 * ports without sleeping (lower latency, one CPU at 100%); FABRICD_NO_XDP=1
 * keeps netdev ports on AF_PACKET instead of AF_XDP; FABRICD_NO_FASTPATH=1
 * keeps every frame of AF_XDP ports off the XDP fast path (engine_fast.c);
 * FABRICD_THREADS=1, 2 or auto: how many forwarding threads
 * (engine_threads_auto()).
 */
#ifndef FABRICD_ENGINE_H
#define FABRICD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct policy;
struct policy_gateway;
struct ctl_server;
struct engine;

/*
 * engine_create - build an engine from @pol: its partitions, its `ports:`
 * (access ports) and, when @gw is not NULL, @gw->uplink as the trunk. Ports
 * whose interface is missing are listed as absent and retried. Nothing of
 * @pol is kept: the engine copies what it needs, so the caller may free it.
 * Returns the engine (not forwarding yet), or NULL with errno set.
 */
struct engine *engine_create(const struct policy *pol,
			     const struct policy_gateway *gw);

#define ENGINE_THREADS_MAX 2

/*
 * engine_threads_parse - the number of forwarding threads @s asks for:
 * "1".."ENGINE_THREADS_MAX", "auto" (engine_threads_auto()), NULL or ""
 * (1). Returns it, or -EINVAL.
 */
int engine_threads_parse(const char *s);

/*
 * engine_threads_auto - what "auto" picks: 2 when at least
 * ENGINE_THREADS_AUTO_CPUS CPUs are online, else 1 (fabricd(8)).
 */
#define ENGINE_THREADS_AUTO_CPUS 4
unsigned int engine_threads_auto(void);

/*
 * engine_set_threads - run @n (1..ENGINE_THREADS_MAX) forwarding threads
 * instead of what FABRICD_THREADS asked; before engine_start().
 * Returns 0, -EINVAL, or -EBUSY once started.
 */
int engine_set_threads(struct engine *e, unsigned int n);

/*
 * engine_start - start the forwarding threads.
 * Returns 0, -EALREADY when it runs already, or a negative errno.
 */
int engine_start(struct engine *e);

/*
 * engine_apply_policy - switch to a new (already validated) policy: the
 * partitions to carry are those of @pol whose PKey is in @held_pkeys (the
 * PKeys the local IB port really holds; the full-member bit is ignored), or
 * every partition of @pol when @held_pkeys is NULL (an Ethernet-only host).
 * Access ports are added/removed to match @pol's `ports:`; ports added at run
 * time stay unless their partition is gone. Learned MACs of partitions that
 * disappear are flushed. Returns 0 or a negative errno (the old state stays).
 */
int engine_apply_policy(struct engine *e, const struct policy *pol,
			const uint16_t *held_pkeys, size_t n);

/*
 * engine_set_ib - the verbs device @dev and port @port (1-based; 0: 1) on
 * which the next engine_apply_policy() keeps one "ipoib" port per carried
 * partition that has `ipoib: true`; NULL: none (they are removed then).
 * Returns 0 or -EINVAL.
 */
int engine_set_ib(struct engine *e, const char *dev, unsigned int port);

/*
 * engine_register_commands - register the engine's control commands on
 * @srv: port/add, port/del, port/list, fdb/show, fdb/aging, fdb/limit,
 * stats.
 */
void engine_register_commands(struct engine *e, struct ctl_server *srv);

/*
 * engine_register_mirror_commands - mirror/add and mirror/del (root only)
 * and mirror/list on @srv (span_ctl.c; sessions: fabricd/engine/span.h).
 */
void engine_register_mirror_commands(struct engine *e, struct ctl_server *srv);

/*
 * engine_mirror_flush - write out what the pcap mirrors buffered; from the
 * daemon's main loop, without blocking the forwarding thread. Returns
 * whether some mirror writes a file (call again within
 * ENGINE_MIRROR_FLUSH_MS).
 */
#define ENGINE_MIRROR_FLUSH_MS 100
bool engine_mirror_flush(struct engine *e);

/* engine_mirrors_json - the mirror sessions and their counters. */
json_t *engine_mirrors_json(struct engine *e);

/* engine_refused_ports - how many ports fabricd refuses to open. */
unsigned int engine_refused_ports(struct engine *e);

/*
 * engine_stats_json - the reply of the "stats" command: engine, port and
 * partition counters (docs/fabricctl.8), taken under the engine lock.
 * Returns a new reference, or NULL when out of memory.
 */
json_t *engine_stats_json(struct engine *e);

struct flow_config;
struct flow_record;

/*
 * engine_flow_set - observe 1 in @sampling forwarded frames into a flow
 * cache made as @cfg says (NULL: stop observing and free the cache; drain
 * it first). A cache of the same configuration stays, only the sampling
 * changes. Returns 0 or a negative errno (the old state stays).
 */
int engine_flow_set(struct engine *e, const struct flow_config *cfg,
		    uint32_t sampling);

/*
 * engine_flow_drain - end the flows idle at @now_ms (all of them when
 * @flush: export going off), and take at most @max ended records into
 * @out, their interfaces filled in. Takes the engine lock briefly; call it
 * from the main loop, never per packet. Returns how many.
 */
unsigned int engine_flow_drain(struct engine *e, uint64_t now_ms, bool flush,
			       struct flow_record *out, unsigned int max);

/*
 * engine_flow_json - the flow cache's configuration and counters, in all
 * and per partition (name, pkey, entries, created, records, dropped,
 * ended by reason), for "flow/show"; {"enabled": false} when off.
 * Returns a new reference, or NULL when out of memory.
 */
json_t *engine_flow_json(struct engine *e);

/* engine_destroy - stop the forwarding thread, close all ports; accepts NULL. */
void engine_destroy(struct engine *e);

#endif /* FABRICD_ENGINE_H */
