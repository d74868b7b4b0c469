/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The datapath contract: ports behind one ops table, like rdma-core's
 * verbs_context_ops or OVS's netdev_class. A port moves frames between the
 * engine and one interface: a netdev (AF_PACKET / AF_XDP), a tap fabricd
 * created, an IPoIB UD QP. This layer knows no kind: each kind is a
 * struct port_ops that the program registers with port_kind_register() at
 * start-up (fabricd does it in fabricd/port_kinds.c), as OVS's
 * netdev_register_provider() does.
 *
 * Ops: kind, open, rx_burst, tx_burst and close are required (never NULL);
 * stats, wire_header, tx_offloads and accelerates may be NULL (port_stats()
 * then reports zeros).
 *
 * A kind may keep state of its own (devices its ports share, the ports it
 * has open, what was configured for them): the program creates it and
 * registers it with the kind (port_kind_register_priv()); every open gets
 * it as @p->kind_priv, and the kind's own configuration and status calls
 * find it with port_kind_priv(). No kind needs process-wide globals.
 *
 * A kind may accelerate another: af_xdp opens the same interfaces as netdev,
 * faster, where the kernel and the interface allow it. port_open() with
 * netdev's ops tries af_xdp first and falls back to netdev when af_xdp's open
 * fails, so the choice stays with whoever registers the kinds.
 *
 * Buffer ownership (see lib/pool.h), step by step:
 * - rx_burst fills packets either from the engine's pool (port->pool): the
 *   caller owns them and frees them with pool_free(); or by lending frames of
 *   the port's own receive ring (pkt->pool NULL): the port keeps owning them
 *   and they stay valid until the next rx_burst on the same port. Every
 *   packet has at least PORT_MIN_HEADROOM bytes of headroom, so a VLAN tag
 *   can be pushed.
 * - tx_burst sends the frames as they are. Without PORT_F_TX_POOL_ONLY the
 *   port must be done with the buffers when it returns: the caller keeps
 *   owning every packet and frees or rewrites it afterwards. A port that
 *   sends asynchronously from the buffer (AF_XDP, verbs) sets
 *   PORT_F_TX_POOL_ONLY and gets only pool packets: ownership of each packet
 *   it accepts (the first n of the return value) passes to the port, which
 *   frees it when the send completes; the caller still owns the rest.
 * - close releases every buffer the port still holds.
 */
#ifndef LIB_PORT_H
#define LIB_PORT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/pool.h"

#define PORT_MIN_HEADROOM 8

/* Port capability flags. */
enum {
	PORT_F_TX_POOL_ONLY = 1 << 0, /* tx keeps buffers: pool packets only */
	/*
	 * The engine forwards nothing to it (no member of its partition's
	 * floods): a port that only carries traffic of another port, as an
	 * ipoib port that only carries peer links (ipoib/port_peer.h).
	 */
	PORT_F_NO_FORWARD = 1 << 1,
	/*
	 * With PORT_F_TX_POOL_ONLY: it also keeps packets of the pool's big
	 * pool (pool_big()), super-frames it sends whole (a peer port over
	 * RC); without, the engine copies those into its pool, and drops
	 * what does not fit.
	 */
	PORT_F_TX_BIG = 1 << 2,
};

/* Counters kept by the driver or the kernel below it. */
struct port_hw_stats {
	uint64_t rx_dropped; /* frames the kernel dropped: ring full */
	uint64_t tx_errors; /* send calls that failed */
};

struct port;

struct port_ops {
	const char *kind; /* "netdev", "tap", ... */
	/*
	 * The kind this one is tried before, on the same interfaces (see
	 * above); NULL: none. Its open returns -ENODEV when the interface
	 * does not exist (port_open() gives up) and another errno when it
	 * cannot serve this one (port_open() falls back).
	 */
	const char *accelerates;
	/*
	 * open - attach to (or create) interface @p->name, set @p->fd (polled
	 * for input; -1 when the port must be polled busily), @p->mode and
	 * @p->max_payload. Returns 0 or a negative errno.
	 */
	int (*open)(struct port *p);
	/* rx_burst - receive up to @n frames. Returns how many, or -errno. */
	int (*rx_burst)(struct port *p, struct pkt **pkts, unsigned int n);
	/* tx_burst - send up to @n frames. Returns how many were taken. */
	int (*tx_burst)(struct port *p, struct pkt **pkts, unsigned int n);
	/* close - release everything open() took; the interface stays. */
	void (*close)(struct port *p);
	/* stats - the driver's own counters. May be NULL. */
	void (*stats)(struct port *p, struct port_hw_stats *st);
	/*
	 * wire_header - for captures (mirrors): the link header that
	 * Ethernet frame @pkt has on the port's own wire, received (@tx
	 * false) or about to be sent, written to @hdr (@len bytes of room)
	 * in place of its Ethernet header. Returns its length, 0 when it
	 * cannot say. Forwarding thread, outside rx_burst and tx_burst.
	 * May be NULL (the wire carries Ethernet).
	 */
	unsigned int (*wire_header)(struct port *p, const struct pkt *pkt,
				    bool tx, uint8_t *hdr, unsigned int len);
	/*
	 * tx_offloads - the VNET_TUN_F_* the port takes whole for frame
	 * @pkt (Ethernet header at @pkt->data), when that depends on where
	 * the frame goes (a peer port: super-frames whole over a connection
	 * to the destination's peer, cut for datagrams). The engine asks
	 * once per frame with offload state, on the forwarding thread,
	 * before tx_burst; the answer must hold until that tx_burst. NULL:
	 * @p->offloads for every frame.
	 */
	uint32_t (*tx_offloads)(struct port *p, const struct pkt *pkt);
};

struct port {
	const struct port_ops *ops;
	char name[IF_NAMESIZE];
	struct pool *pool; /* the engine's pool, for rx buffers */
	void *priv; /* the driver's state */
	void *kind_priv; /* the kind's state (port_kind_register_priv()) */
	int fd; /* readable when frames wait; -1: poll busily */
	const char *mode; /* how it runs, for status: "af_packet", "tap" */
	/*
	 * Why the kind that accelerates this one declined it (a static
	 * string, kept across port_open()'s fall back), for status; or NULL.
	 */
	const char *mode_why;
	uint32_t flags; /* PORT_F_* */
	uint32_t max_payload; /* largest payload after the Ethernet header */
	/*
	 * VNET_TUN_F_* (eth/vnet.h) the port sends as they are: partial
	 * checksums, super-frames of each GSO type. 0: plain frames only,
	 * the engine completes and segments for it. A port that sets any
	 * also fills pkt->ol on receive (it reads the virtio-net header).
	 */
	uint32_t offloads;
	/*
	 * A tap whose descriptor the port holds (the tap kind): the
	 * VNET_TUN_F_* its TUNSETOFFLOAD got, what the kernel hands it whole.
	 */
	uint32_t tun_offloads;
	int ifindex; /* of the interface it is attached to; 0: unknown */
};

/* The most kinds one program registers. */
#define PORT_MAX_KINDS 16

/*
 * port_kind_register - make @ops findable by its kind name. @ops must stay
 * valid for the life of the program. Returns 0, -EEXIST (a kind of that name
 * is registered already; registering the same @ops twice is 0), -EINVAL or
 * -ENOSPC.
 */
int port_kind_register(const struct port_ops *ops);

/*
 * port_kind_register_priv - port_kind_register() with @priv, the kind's own
 * state, given to each open as @p->kind_priv. @priv stays the caller's and
 * must outlive every port of the kind. Registering the same @ops again with
 * another @priv is -EEXIST.
 */
int port_kind_register_priv(const struct port_ops *ops, void *priv);

/* port_kind_priv - the state registered with @ops, or NULL. */
void *port_kind_priv(const struct port_ops *ops);

/* port_ops_find - the registered ops of @kind ("netdev", ...), or NULL. */
const struct port_ops *port_ops_find(const char *kind);

/*
 * port_open - set up @p for interface @name with @ops and open it, through
 * a registered kind that accelerates @ops's kind first if there is one (then
 * @p->ops is that kind's). Returns 0 or a negative errno (then @p is closed).
 */
int port_open(struct port *p, const struct port_ops *ops, const char *name,
	      struct pool *pool);

/* port_close - close an open port; accepts one that is not open. */
void port_close(struct port *p);

/* port_stats - the driver's counters of open port @p; zeros without any. */
void port_stats(struct port *p, struct port_hw_stats *st);

#endif /* LIB_PORT_H */
