/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The XDP program of the AF_XDP ports and its maps (eth/xdp_fast.bpf.c),
 * loaded once per process with libbpf (a bpftool skeleton) and attached
 * to every AF_XDP port's interface through a BPF link, so it goes away
 * with the port, even when fabricd dies.
 *
 * The program sends every frame to the port's AF_XDP socket (the engine)
 * unless the engine has turned the fast path on for the port: then known
 * unicast to another fast port of the same partition is forwarded in the
 * kernel (the program's comment says what counts). The engine owns the
 * maps' contents: ports and partitions on every rebuild, the FDB on every
 * learn, move and removal, and reads the per-CPU counters back.
 *
 * One process-wide instance (the program and its maps), held by the ports
 * that use it: xdp_fast_attach() loads it on first use, the last
 * xdp_fast_detach() unloads it. Every other call is a no-op returning
 * -ENODEV while it is not loaded. Callers serialise (the engine lock).
 */
#ifndef ETH_XDP_FAST_H
#define ETH_XDP_FAST_H

#include <stdbool.h>
#include <stdint.h>

#include "eth/frame.h"
#include "eth/xdp_fast_maps.h"

/* How the program runs on one interface. */
struct xdp_fast_if {
	bool native; /* driver mode; else generic (skb) XDP */
	bool zerocopy; /* the AF_XDP socket is bound in zero-copy mode */
};

/*
 * xdp_fast_attach - attach the program to @ifindex (driver mode, else
 * generic) with AF_XDP socket @xsk_fd as its way to the engine; the fast
 * path stays off until xdp_fast_port_set(). @zerocopy records the socket's
 * bind mode. Returns 0 or a negative errno.
 */
int xdp_fast_attach(int ifindex, int xsk_fd, bool zerocopy);

/* xdp_fast_detach - undo xdp_fast_attach() for @ifindex. */
void xdp_fast_detach(int ifindex);

/* xdp_fast_if_get - how @ifindex runs; -ENOENT when not attached. */
int xdp_fast_if_get(int ifindex, struct xdp_fast_if *info);

/*
 * xdp_fast_wanted - whether the fast path may run at all: not when
 * FABRICD_NO_FASTPATH is set (not empty, not "0").
 */
bool xdp_fast_wanted(void);

/*
 * xdp_fast_hold, xdp_fast_put - load the program without attaching it
 * (tests) and let it go again. xdp_fast_hold returns 0 or a negative errno.
 */
int xdp_fast_hold(void);
void xdp_fast_put(void);

/* xdp_fast_prog_fd - the program's descriptor, or -ENODEV. */
int xdp_fast_prog_fd(void);

/*
 * xdp_fast_port_set - attached interface @ifindex is engine slot @slot
 * (@part: an access port's partition; @flags: XF_PORT_*). A port with
 * XF_PORT_EGRESS is also a redirect target. An interface not attached
 * (tests) gets an entry without a socket. Returns 0 or a negative errno.
 */
int xdp_fast_port_set(int ifindex, unsigned int slot, uint16_t part,
		      unsigned int flags);

/*
 * xdp_fast_probe - whether frames XDP redirects to attached interface
 * @ifindex (slot @slot) leave it: one probe frame (frame_probe_build() of
 * eth/frame.h: a host drops it, a fabricd too) is redirected through the
 * devmap and the interface's ethtool counters named *xdp_xmit are read
 * before and after. A veth whose peer has neither XDP nor GRO (no NAPI) drops
 * such frames. Returns 1 (they leave), 0 (they do not), -ENOTSUP when the
 * interface has no such counter, or another negative errno. Leaves @slot
 * in the devmap.
 */
#define XDP_FAST_PROBE_LEN FRAME_PROBE_LEN
int xdp_fast_probe(int ifindex, unsigned int slot);

/* xdp_fast_slot_clear - slot @slot is no redirect target any more. */
void xdp_fast_slot_clear(unsigned int slot);

/*
 * xdp_fast_parts_load - every partition's membership, VLAN and state
 * (@parts: XF_MAX_PARTS entries) and the VID map (@vids: 4096 entries,
 * partition index + 1, 0: none), each in one batch.
 */
int xdp_fast_parts_load(const struct xf_part *parts, const uint32_t *vids);

/*
 * xdp_fast_gen - changes whenever the program and its maps are loaded
 * anew (empty maps); 0 while not loaded.
 */
unsigned int xdp_fast_gen(void);

/* xdp_fast_fdb_set - @mac (48 bits) in @part was learned on @slot. */
int xdp_fast_fdb_set(uint16_t part, uint64_t mac, unsigned int slot);

/* xdp_fast_fdb_del - forget @mac in @part. */
int xdp_fast_fdb_del(uint16_t part, uint64_t mac);

/* xdp_fast_fdb_clear - forget every address. */
void xdp_fast_fdb_clear(void);

/*
 * xdp_fast_fdb_seen - call @fn for every address the program forwarded
 * a frame from, with how many ms ago that was. Returns how many or a
 * negative errno.
 */
int xdp_fast_fdb_seen(void (*fn)(void *ctx, uint16_t part, uint64_t mac,
				 unsigned int slot, uint64_t ago_ms),
		      void *ctx);

/*
 * xdp_fast_counters - slot @slot's counters, added up over the CPUs
 * (XF_MAX_PORTS: frames of interfaces without a slot). Zeroes and
 * -ENODEV while not loaded.
 */
int xdp_fast_counters(unsigned int slot, struct xf_counters *sum);

/* xdp_fast_reason_name - stable key of a reason ("slow_dst"). */
const char *xdp_fast_reason_name(enum xf_reason r);

#endif /* ETH_XDP_FAST_H */
