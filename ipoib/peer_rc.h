/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The peer port's connections (ipoib/port_peer.h): one reliable-connected
 * QP per peer that a unicast frame goes to, made on the partition's PKey
 * index (the HCA keeps it inside the partition), so that a VM's TSO
 * super-frame crosses whole in one message with its offload state, and the
 * receiving fabricd hands it to the VM whole.
 *
 * Connect: over the partition's UD QP, a connect request (PEER_TYPE_RC_REQ:
 * our RC QPN and first PSN) to the peer's UD address learned from its
 * hellos and frames, answered by an accept (PEER_TYPE_RC_ACCEPT: its QPN
 * and PSN and the QPN it answers). Both ask at once: the side whose UD
 * address (QPN + GID, bytewise) is lower keeps its own request and ignores
 * the other's; the higher one accepts. Requests go again every
 * PEER_HELLO_MS, PEER_RC_TRIES times, then the peer stays on UD for
 * PEER_RC_BACKOFF_MS.
 *
 * Receive: the RC QPs of a peer port share one shared receive queue of
 * PEER_RC_BUFS buffers of PEER_RC_BUF_SIZE bytes from a pool of the port's
 * own, registered with the device (the engine's big pool is shared with
 * the taps); its completion channel's fd joins the port's epoll fd.
 *
 * Send: frames leave from where they are (the engine's pool and its big
 * pool are registered by the ipoib port, ipoib/proto.h), with the 16-byte
 * header below in their headroom:
 *
 *   | 01 07 0000 | flags gso_type hdr_len gso_size csum_start csum_off | frame |
 *
 * (struct pkt_ol, 16-bit fields big-endian). The receiver checks the frame
 * against it (the engine's classification, vnet_check()): a peer is not
 * trusted.
 *
 * Down: a peer dead (PEER_DEAD_MS), a send that fails (the QP in error:
 * retries exceeded), the ipoib port reopened (its generation changed) or
 * the port closing: the QP goes to error and is destroyed when its sends
 * have completed; the peer is back on UD, and connects again on its next
 * unicast after PEER_RC_BACKOFF_MS (a failure) or at once (dead, reopen).
 *
 * Bounded: at most PEER_MAX_PEERS connections per peer port (one per
 * peer), PEER_RC_SQ_DEPTH sends in flight on each and PEER_RC_CQ_DEPTH in
 * all; frames beyond are dropped and counted (rc_full).
 *
 * No locking: the peer port calls every function with its lock held.
 */
#ifndef FABRIC_IPOIB_PEER_RC_H
#define FABRIC_IPOIB_PEER_RC_H

#include <stdbool.h>
#include <stdint.h>

#include "ipoib/peer_table.h"
#include "ipoib/wire.h"
#include "lib/pool.h"

#define PEER_TYPE_RC_REQ 5 /* 12 bytes: QPN, PSN, 0 */
#define PEER_TYPE_RC_ACCEPT 6 /* 12 bytes: QPN, PSN, the QPN it accepts */
#define PEER_TYPE_RC_FRAME 7 /* over RC only: offload state, a frame */
#define PEER_RC_CTL_LEN 12
#define PEER_RC_HDR_LEN 16
/*
 * Receive buffers per peer port: an SRQ that runs dry makes the senders
 * wait for an RNR NAK retry. make bench-peer, 64-byte frames/s: 4,557 with
 * 64 buffers, 9,663 with 256, 20,075 with 512 (the UD path: 23,119).
 */
#define PEER_RC_BUFS 512
#define PEER_RC_BUF_SIZE (64u << 10)
/* The largest frame a receive buffer holds; the engine cuts larger ones. */
#define PEER_RC_MAX_FRAME \
	(PEER_RC_BUF_SIZE - POOL_HEADROOM_DEFAULT - PEER_RC_HDR_LEN)
#define PEER_RC_TRIES 5
#define PEER_RC_BACKOFF_MS 10000
#define PEER_RC_SQ_DEPTH 256
#define PEER_RC_CQ_DEPTH 4096
#define PEER_RC_OUTBOX 64 /* control messages waiting to be sent */

/* What a peer's transport is, for peer_info.transport and status. */
enum peer_transport {
	PEER_TRANSPORT_UD,
	PEER_TRANSPORT_CONNECTING,
	PEER_TRANSPORT_RC,
};

/* A control message to send over UD (peer_rc_outbox()). */
struct peer_rc_ctl {
	struct ipoib_hwaddr dst;
	uint8_t type; /* PEER_TYPE_RC_REQ or _ACCEPT */
	uint8_t body[PEER_RC_CTL_LEN];
};

struct peer_rc;
struct ipoib_kind;

/*
 * peer_rc_create - the connections of peer port @name of partition @pkey,
 * on the ipoib port of kind @k; the completion channel's fd joins epoll
 * fd @epfd. NULL with errno set (ENODEV: no ipoib port open).
 */
struct peer_rc *peer_rc_create(struct ipoib_kind *k, uint16_t pkey,
			       const char *name, int epfd);

/* peer_rc_destroy - tear every connection down and free @rc; NULL ok. */
void peer_rc_destroy(struct peer_rc *rc);

/* peer_rc_transport - what frames to peer @p travel on now. */
enum peer_transport peer_rc_transport(const struct peer_rc *rc,
				      const struct peer_info *p);

/*
 * peer_rc_stale - whether the ipoib port @rc was made on is gone or was
 * reopened: then destroy @rc and create it again.
 */
bool peer_rc_stale(const struct peer_rc *rc);

/* peer_rc_outbox_len - control messages waiting for peer_rc_outbox(). */
unsigned int peer_rc_outbox_len(const struct peer_rc *rc);

/*
 * peer_rc_want - a unicast frame goes to @p: start connecting to it unless
 * connected, connecting, backing off or full (the request is queued, see
 * peer_rc_outbox()). Returns its transport now.
 */
enum peer_transport peer_rc_want(struct peer_rc *rc, struct peer_info *p,
				 uint64_t now);

/*
 * peer_rc_send - send @pkts[0..@n) to @p over its connection, which is up
 * (peer_rc_transport()); each needs PEER_RC_HDR_LEN bytes of headroom.
 * Every frame is taken: sent (freed when the send completes) or dropped
 * and counted. Returns how many were posted.
 */
unsigned int peer_rc_send(struct peer_rc *rc, struct peer_info *p,
			  struct pkt **pkts, unsigned int n);

/*
 * peer_rc_rx_ctl - a connect request or accept (@type, @body of
 * PEER_RC_CTL_LEN bytes) from peer @p over UD: connect, answer (queued).
 */
void peer_rc_rx_ctl(struct peer_rc *rc, struct peer_info *p, uint8_t type,
		    const uint8_t *body, uint64_t now);

/*
 * peer_rc_rx - up to @n frames received over the connections into @pkts
 * (the port's own pool: offload state in pkt->ol, data at the Ethernet
 * header), the sending peer's UD address of each into @from[i]. Also reaps
 * send completions. Returns how many.
 */
unsigned int peer_rc_rx(struct peer_rc *rc, struct pkt **pkts,
			struct ipoib_hwaddr *from, uint16_t *lid,
			unsigned int n);

/*
 * peer_rc_tick - every PEER_HELLO_MS: requests again, give up on those
 * tried PEER_RC_TRIES times, drop connections of peers gone from @tab.
 */
void peer_rc_tick(struct peer_rc *rc, struct peer_table *tab, uint64_t now);

/*
 * peer_rc_outbox - move up to @max control messages waiting into @out (to
 * send over UD, out of the port's lock). Returns how many.
 */
unsigned int peer_rc_outbox(struct peer_rc *rc, struct peer_rc_ctl *out,
			    unsigned int max);

/* The port's RC counters, for status (ipoib/stats, fabricctl peer list). */
struct peer_rc_stats {
	uint64_t tx_packets, tx_bytes, tx_whole; /* whole: super-frames */
	uint64_t rx_packets, rx_bytes, rx_whole;
	uint64_t connects, accepts, ups, downs, failures, errors;
	uint64_t drops_full, drops_pool, drops_bad, drops_down, drops_big;
	unsigned int conns, up;
};

/* peer_rc_stats - the port's counters into *@st. */
void peer_rc_stats(const struct peer_rc *rc, struct peer_rc_stats *st);

#endif /* FABRIC_IPOIB_PEER_RC_H */
