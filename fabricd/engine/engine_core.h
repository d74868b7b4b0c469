/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The engine's data plane, without threads or sockets: ports, partitions,
 * the MAC table and the per-burst pipeline (classify, learn, look up,
 * rewrite, send). Unit tests, the fuzz target and the callgrind benchmark
 * drive it directly with injected bursts; fabricd/engine/engine.c runs it in the
 * forwarding thread and serialises changes from the control thread.
 */
#ifndef FABRICD_ENGINE_CORE_H
#define FABRICD_ENGINE_CORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "eth/fdb.h"
#include "fabricd/engine/span.h"
#include "eth/flow.h"
#include "lib/pool.h"
#include "lib/port.h"

#define ECORE_MAX_PORTS 64
#define ECORE_MAX_PARTS 4096 /* one per VLAN ID at most */
#define ECORE_BURST 32
#define ECORE_NAME_MAX 64
#define ECORE_NO_PART UINT16_MAX
/*
 * The MAC addresses an access port (a VM's vNIC) may have learned at once
 * unless set otherwise (fdb_set_port_limit()); trunks have no limit of
 * their own, their partitions' quotas hold.
 */
#define ECORE_ACCESS_FDB_LIMIT 1024

_Static_assert(ECORE_MAX_PARTS <= FDB_MAX_PARTS, "FDB accounts partitions");
_Static_assert(ECORE_MAX_PORTS <= FDB_MAX_PORTS, "FDB accounts ports");

/* Why a frame was dropped. Names: ecore_drop_name(). */
enum ecore_drop {
	ECORE_DROP_RUNT,
	ECORE_DROP_OVERSIZE,
	ECORE_DROP_BAD_TAG, /* truncated/double tag, tagged on an access port */
	ECORE_DROP_BAD_ETHERTYPE,
	ECORE_DROP_BAD_SRC, /* multicast or zero source MAC */
	ECORE_DROP_XDP_PROBE, /* another fabricd's XDP probe (eth/frame.h) */
	ECORE_DROP_UNTAGGED, /* untagged frame on a trunk */
	ECORE_DROP_UNKNOWN_VID, /* VID of no (active) partition */
	ECORE_DROP_NO_PARTITION, /* access port of an inactive partition */
	ECORE_DROP_ISOLATION, /* limited member to limited member */
	ECORE_DROP_SAME_PORT, /* destination learned on the ingress port */
	ECORE_DROP_NO_BUFFER,
	ECORE_DROP_TX_FULL,
	/* a virtio-net header that does not match its frame (eth/vnet.h) */
	ECORE_DROP_BAD_VNET_FLAGS,
	ECORE_DROP_BAD_GSO_TYPE,
	ECORE_DROP_BAD_GSO_SIZE,
	ECORE_DROP_BAD_HDR_LEN,
	ECORE_DROP_BAD_CSUM_START,
	ECORE_DROP_BAD_CSUM_OFFSET,
	ECORE_DROP_GSO_MISMATCH,
	ECORE_DROP_GSO_UNCUT, /* egress cannot take it, cutting failed */
	/* Ethernet <-> IPoIB in a partition whose gateway group has another
	 * master (fabricd/engine/engine_ha.c) */
	ECORE_DROP_STANDBY,
	/* a gateway group's frame (ethertype 0x88B6) from a peer port of a
	 * partition whose group we are not in: fabricd's own, not the VMs' */
	ECORE_DROP_HA_PEER,
	ECORE_DROP_MAX
};

enum ecore_role {
	ECORE_ACCESS, /* untagged, one partition */
	ECORE_TRUNK, /* 802.1Q, every partition that has a VLAN */
	/* a mirror destination (span.h): in no partition, sends only copies */
	ECORE_MIRROR,
};

struct ecore_counters {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t flooded; /* unicast to an unlearned address, flooded */
	uint64_t drops[ECORE_DROP_MAX];
};

/* Offload work the engine did in software for one egress port. */
struct ecore_sw_counters {
	uint64_t gso_segmented; /* super-frames cut for it */
	uint64_t gso_segments; /* segments made of them */
	uint64_t csum_completed; /* partial checksums finished */
	uint64_t bytes_copied; /* into segments */
};

struct ecore_part {
	bool used; /* slot holds a partition of the policy */
	bool active; /* carried here (held PKey, or Ethernet-only host) */
	char name[ECORE_NAME_MAX];
	uint16_t pkey;
	uint16_t vlan; /* 0: not on the trunk */
	uint64_t members; /* port bitmap: its access ports and the trunks */
	uint64_t limited; /* the members attached as limited */
	bool fdb_limit_runtime; /* quota set from the control socket */
	/* another gateway of its group forwards it: nothing crosses between
	 * its Ethernet ports and its IB ports (ECORE_DROP_STANDBY) */
	bool standby;
	bool ha_watch; /* has a gateway group: ARP to its IB port to standby_fn */
	struct ecore_counters c;
};

#define ECORE_REFUSED_MAX 192

struct ecore_port {
	struct port port; /* the driver; port.ops NULL while not open */
	bool used;
	bool runtime; /* added from the control socket, not the policy */
	enum ecore_role role;
	char kind[16]; /* port_ops kind to open it with */
	uint16_t part; /* access ports: partition index */
	bool limited;
	uint64_t iso_mask; /* all ones when limited: masks limited members */
	int error; /* last open error (negative errno), 0 */
	bool fdb_limit_runtime; /* learning limit set from the control socket */
	uint32_t gen; /* bumped on every reuse of the slot and open */
	struct ecore_counters c;
	struct ecore_sw_counters sw;
	/* why fabricd will not open it (engine_check.c), or "" */
	char refused[ECORE_REFUSED_MAX];
	bool fast; /* known unicast from it stays in the kernel (XDP) */
	bool fast_egress; /* ...and to it: XDP redirects to it arrive */
	int probe; /* xdp_fast_probe() at open: 1, 0 or a negative errno */
	uint32_t probe_gen; /* gen the probe was made for; 0: none yet */
};

/* What one burst queues for one port (struct ecore_ctx). */
struct ecore_txq {
	bool ol; /* a queued frame has offload state: see send_port() */
	unsigned int n;
	/* trunks: the queue's one partition (ECORE_NO_PART: mixed), bytes */
	uint16_t part;
	uint64_t bytes;
	struct pkt *q[ECORE_BURST];
};

/*
 * A forwarding thread's scratch: the output queues of the burst it is
 * working on and which of its packets ports took. Each thread has its own, so that a thread may
 * let go of the core lock while a port sends (@core_lock).
 */
struct ecore_ctx {
	struct ecore_txq txq[ECORE_MAX_PORTS];
	/* the received packets of this burst a port took (bit: index) */
	uint32_t given;
	/*
	 * The lock the caller holds around ecore_process_ctx(), released
	 * while a port of a kind without shared state sends (under its
	 * io_lock); NULL: one thread, nothing is released or taken.
	 */
	pthread_mutex_t *core_lock;
};

struct engine_core {
	struct pool *pool;
	struct fdb *fdb;
	struct ecore_port ports[ECORE_MAX_PORTS];
	struct ecore_part parts[ECORE_MAX_PARTS];
	uint16_t vid_part[4096]; /* VID -> partition index + 1; 0: none */
	uint64_t trunks; /* port bitmap */
	uint64_t ib_ports; /* port bitmap: the "ipoib" ones (HA, IB flows) */
	uint64_t peer_ports; /* port bitmap: the "peer" ones (HA frames) */
	/*
	 * standby_fn (may be NULL): a frame from Ethernet that a standby
	 * partition keeps from its IB port @slot, or an ARP frame that a
	 * partition with ha_watch sends there; the frame stays the core's
	 * (the HA code learns the Ethernet hosts from it).
	 */
	void (*standby_fn)(void *arg, unsigned int slot, const struct pkt *pkt);
	void *standby_arg;
	/*
	 * ha_fn (may be NULL): a frame of ethertype 0x88B6 (fabricd HA) from
	 * an Ethernet port of a partition with ha_watch, untagged, its
	 * partition in pkt->part; it is consumed (not forwarded), the frame
	 * stays the core's. Gateways of a group hear each other's
	 * advertisements on Ethernet too.
	 */
	void (*ha_fn)(void *arg, const struct pkt *pkt);
	/*
	 * learn_fn (may be NULL): the FDB learned @mac on port @port in
	 * @part, new or moved there (refreshes are not told); forget_fn (may
	 * be NULL): port @slot goes down or away, its MACs not flushed yet.
	 * Peer links announce and withdraw with them (engine_peer.c).
	 */
	void (*learn_fn)(void *arg, uint16_t part, uint64_t mac, int port);
	void (*forget_fn)(void *arg, unsigned int slot);
	void *peer_arg;
	uint64_t bytes_copied; /* payload bytes the engine copied */
	uint64_t drops[ECORE_DROP_MAX]; /* all ports */
	struct ecore_ctx ctx; /* ecore_process()'s: one forwarding thread */
	/*
	 * Several forwarding threads: one lock per port slot, held around
	 * every call into a port's driver that the core lock does not cover
	 * (ecore_port_tx()); NULL with one thread.
	 */
	pthread_mutex_t *io_locks;
	struct span span; /* mirror sessions */
	/* IPFIX export (eth/flow.h): NULL when off */
	struct flow_cache *flows;
	uint32_t flow_every; /* sample 1 in this many forwarded frames */
	uint32_t flow_skip; /* forwarded frames until the next sample */
	bool fast_off; /* the XDP fast path is off for every port */
	unsigned int fast_gen; /* xdp_fast_gen() the maps were filled for */
};

/*
 * ecore_init - an empty core using @pool for buffers, with an FDB of
 * @fdb_size entries aging after @aging_ms. Returns 0 or a negative errno.
 */
int ecore_init(struct engine_core *c, struct pool *pool, unsigned int fdb_size,
	       uint64_t aging_ms);

/* ecore_fini - close every port and free the FDB. */
void ecore_fini(struct engine_core *c);

/*
 * ecore_process - run one received burst of @n (<= ECORE_BURST) packets of
 * port @in through the pipeline at time @now_ms. Every packet is sent or
 * dropped and counted; all of them are released before it returns.
 */
void ecore_process(struct engine_core *c, unsigned int in, struct pkt **pkts,
		   unsigned int n, uint64_t now_ms);

/*
 * ecore_process_ctx - ecore_process() with the scratch @x of the calling
 * forwarding thread; with x->core_lock set, the core lock is let go while
 * a port sends (several forwarding threads: fabricd/engine/engine.c).
 */
void ecore_process_ctx(struct engine_core *c, struct ecore_ctx *x,
		       unsigned int in, struct pkt **pkts, unsigned int n,
		       uint64_t now_ms);

/*
 * ecore_port_serial - whether calls into port @ep's driver stay under the
 * core lock with several forwarding threads: kinds whose ports share state
 * (p->kind_priv: ipoib, peer, dummy) and whose receive path calls back
 * into the engine (the gateway groups' handler). Other kinds are called
 * under their slot's io lock only.
 */
static inline bool ecore_port_serial(const struct ecore_port *ep)
{
	return ep->port.kind_priv != NULL;
}

/*
 * ecore_port_tx - send @n packets of @pkts on port @ep, as its tx_burst;
 * with several threads under its io lock (not for serial ports), the core
 * lock @drop (may be NULL) let go meanwhile. Returns what tx_burst does.
 */
int ecore_port_tx(struct engine_core *c, struct ecore_port *ep,
		  struct pkt **pkts, unsigned int n, pthread_mutex_t *drop);

/*
 * ecore_part_set - create or update partition @name. Returns its index
 * (stable for the partition's life), or -ENOSPC.
 */
int ecore_part_set(struct engine_core *c, const char *name, uint16_t pkey,
		   uint16_t vlan, bool active);

/* ecore_part_remove - forget partition @idx, its ports and its MACs. */
void ecore_part_remove(struct engine_core *c, unsigned int idx);

/*
 * ecore_part_fdb_limit - partition @idx may hold @limit MAC addresses
 * (FDB_LIMIT_SHARED: its share of what is free). @runtime: set from the
 * control socket; such a quota stays until the partition leaves, the
 * policy's (@runtime false) does not replace it. Returns 0 or
 * fdb_set_part_limit()'s error.
 */
int ecore_part_fdb_limit(struct engine_core *c, unsigned int idx,
			 unsigned int limit, bool runtime);

/* ecore_part_find - index of partition @name, or -ENOENT. */
int ecore_part_find(const struct engine_core *c, const char *name);

/*
 * ecore_port_add - add port @name of @kind ("netdev", "tap") with @role
 * (@part and @limited for access ports) and try to open it; a port that
 * fails to open stays, with its error, to be retried by ecore_port_retry().
 * Returns the slot, -EEXIST, -ENOSPC, -EINVAL (unknown kind).
 */
int ecore_port_add(struct engine_core *c, const char *name, const char *kind,
		   enum ecore_role role, unsigned int part, bool limited);

/* ecore_port_del - close and remove the port in @slot, flush its MACs. */
void ecore_port_del(struct engine_core *c, unsigned int slot);

/* ecore_port_find - slot of port @name, or -ENOENT. */
int ecore_port_find(const struct engine_core *c, const char *name);

/*
 * ecore_port_attach - add an already opened port @p (a test or custom
 * driver) as ecore_port_add() would. Returns the slot or a negative errno.
 */
int ecore_port_attach(struct engine_core *c, const struct port *p,
		      enum ecore_role role, unsigned int part, bool limited);

/*
 * ecore_port_new - add port @name as ecore_port_add() does, without opening
 * it: ecore_port_retry() does. Returns the slot or a negative errno.
 */
int ecore_port_new(struct engine_core *c, const char *name, const char *kind,
		   enum ecore_role role, unsigned int part, bool limited);

/* ecore_port_retry - try to open port @slot again. 0 or a negative errno. */
int ecore_port_retry(struct engine_core *c, unsigned int slot);

/* ecore_port_down - close an open port after a fatal error; kept absent. */
void ecore_port_down(struct engine_core *c, unsigned int slot, int err);

/* ecore_rebuild - recompute membership bitmaps and the VID map. */
void ecore_rebuild(struct engine_core *c);

/*
 * ecore_flow_set - observe 1 in @every forwarded frames into @fc (NULL:
 * none; the caller owns it). The sample is decided by a countdown before
 * any parsing or hashing.
 */
void ecore_flow_set(struct engine_core *c, struct flow_cache *fc,
		    uint32_t every);

/*
 * The XDP fast path (engine_fast.c, eth/xdp_fast.h): known unicast
 * between AF_XDP ports in driver mode is forwarded in the kernel. The core
 * keeps the program's maps in step: its FDB on every change (a watch on
 * the table), ports and partitions on every ecore_rebuild().
 */

/* ecore_fast_init - watch the FDB; called by ecore_init(). */
void ecore_fast_init(struct engine_core *c);

/* ecore_fast_sync - push ports and partitions (and the FDB when new). */
void ecore_fast_sync(struct engine_core *c);

/*
 * ecore_fast_reprobe - probe again the ports XDP could not redirect to
 * (their veth peer may have got NAPI since); push what changed.
 */
void ecore_fast_reprobe(struct engine_core *c);

/*
 * ecore_fast_refresh - restart the age of the addresses the fast path
 * forwarded frames from, so they do not age out while in use. @now_ms as
 * the engine's clock (CLOCK_MONOTONIC).
 */
void ecore_fast_refresh(struct engine_core *c, uint64_t now_ms);

/* What the fast path did for one port (or, @slot ECORE_MAX_PORTS, all). */
struct ecore_fast_counters {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t isolation; /* dropped in the kernel: limited to limited */
	uint64_t no_headroom; /* dropped in the kernel: no room for the tag */
	uint64_t to_engine[8]; /* frames handed to the engine, by reason */
};

/* ecore_fast_counters - the per-CPU counters of @slot, added up. */
void ecore_fast_counters(const struct engine_core *c, unsigned int slot,
			 struct ecore_fast_counters *fc);

/* ecore_fast_reason - name of to_engine[@i], NULL past the last. */
const char *ecore_fast_reason(unsigned int i);

/* ecore_fast_why - why port @ep runs as it does, for `port list`. */
const char *ecore_fast_why(const struct engine_core *c,
			   const struct ecore_port *ep);

/* ecore_drop_name - stable key of a drop reason ("runt", "tx_full"). */
const char *ecore_drop_name(enum ecore_drop d);

#endif /* FABRICD_ENGINE_CORE_H */
