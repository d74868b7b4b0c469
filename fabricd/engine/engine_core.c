// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The per-burst pipeline. Inside the engine every frame is kept untagged,
 * its partition and priority bits in the packet's metadata: a tag is popped
 * on ingress (12-byte move) and pushed into the headroom just before a trunk
 * sends. Output is batched per port; access ports send first, then the
 * frames bound for trunks get their tag, then the trunks send, so one
 * buffer serves a flood to both kinds without a copy.
 */
#include "fabricd/engine/engine_core.h"

#include <errno.h>
#include <string.h>

#include "eth/frame.h"
#include "eth/vnet.h"
#include "lib/util.h"

/* pkt->flags bits used by the pipeline. */
enum {
	PKT_TAGGED = 1 << 0, /* the trunk tag has been pushed */
	PKT_SINGLE = 1 << 2, /* goes to exactly one port */
	PKT_SEG = 1 << 3, /* a segment the engine cut: freed after sending */
	PKT_COPY = 1 << 4, /* a copy for a port that keeps buffers */
};

/*
 * A received packet's index in its burst, plus one, in its flags (0: a
 * copy or a segment): what release() needs to know of a packet a port
 * took, read before the port may have given the buffer back.
 */
#define PKT_IDX_SHIFT 8
#define PKT_IDX_MASK (0x3f << PKT_IDX_SHIFT)
_Static_assert(ECORE_BURST < 0x3f, "burst index fits in the flags");

static const char *const drop_names[ECORE_DROP_MAX] = {
	[ECORE_DROP_RUNT] = "runt",
	[ECORE_DROP_OVERSIZE] = "oversize",
	[ECORE_DROP_BAD_TAG] = "bad_tag",
	[ECORE_DROP_BAD_ETHERTYPE] = "bad_ethertype",
	[ECORE_DROP_BAD_SRC] = "bad_src",
	[ECORE_DROP_XDP_PROBE] = "xdp_probe",
	[ECORE_DROP_UNTAGGED] = "untagged",
	[ECORE_DROP_UNKNOWN_VID] = "unknown_vid",
	[ECORE_DROP_NO_PARTITION] = "no_partition",
	[ECORE_DROP_ISOLATION] = "isolation",
	[ECORE_DROP_SAME_PORT] = "same_port",
	[ECORE_DROP_NO_BUFFER] = "no_buffer",
	[ECORE_DROP_TX_FULL] = "tx_full",
	[ECORE_DROP_BAD_VNET_FLAGS] = "bad_vnet_flags",
	[ECORE_DROP_BAD_GSO_TYPE] = "bad_gso_type",
	[ECORE_DROP_BAD_GSO_SIZE] = "bad_gso_size",
	[ECORE_DROP_BAD_HDR_LEN] = "bad_hdr_len",
	[ECORE_DROP_BAD_CSUM_START] = "bad_csum_start",
	[ECORE_DROP_BAD_CSUM_OFFSET] = "bad_csum_offset",
	[ECORE_DROP_GSO_MISMATCH] = "gso_mismatch",
	[ECORE_DROP_GSO_UNCUT] = "gso_uncut",
	[ECORE_DROP_STANDBY] = "standby",
	[ECORE_DROP_HA_PEER] = "ha_peer",
};

static const uint8_t vnet_err_drop[VNET_ERR_MAX] = {
	[VNET_ERR_FLAGS] = ECORE_DROP_BAD_VNET_FLAGS,
	[VNET_ERR_GSO_TYPE] = ECORE_DROP_BAD_GSO_TYPE,
	[VNET_ERR_GSO_SIZE] = ECORE_DROP_BAD_GSO_SIZE,
	[VNET_ERR_HDR_LEN] = ECORE_DROP_BAD_HDR_LEN,
	[VNET_ERR_CSUM_START] = ECORE_DROP_BAD_CSUM_START,
	[VNET_ERR_CSUM_OFFSET] = ECORE_DROP_BAD_CSUM_OFFSET,
	[VNET_ERR_GSO_MISMATCH] = ECORE_DROP_GSO_MISMATCH,
};

static const uint8_t frame_err_drop[] = {
	[FRAME_ERR_RUNT] = ECORE_DROP_RUNT,
	[FRAME_ERR_OVERSIZE] = ECORE_DROP_OVERSIZE,
	[FRAME_ERR_BAD_TAG] = ECORE_DROP_BAD_TAG,
	[FRAME_ERR_BAD_ETHERTYPE] = ECORE_DROP_BAD_ETHERTYPE,
	[FRAME_ERR_BAD_SRC] = ECORE_DROP_BAD_SRC,
	[FRAME_ERR_PROBE] = ECORE_DROP_XDP_PROBE,
};

const char *ecore_drop_name(enum ecore_drop d)
{
	return (unsigned int)d < ECORE_DROP_MAX ? drop_names[d] : "unknown";
}

static inline uint64_t bit(unsigned int i)
{
	return 1ull << i;
}

static void count_drop(struct engine_core *c, struct ecore_port *p,
		       uint16_t part, enum ecore_drop why)
{
	p->c.drops[why]++;
	c->drops[why]++;
	if (part != ECORE_NO_PART)
		c->parts[part].c.drops[why]++;
}

/*
 * What classification needs of the ingress port, read once per burst: the
 * packet stores in between could alias the port's fields.
 */
struct ingress {
	bool trunk;
	uint16_t part; /* access ports: their partition */
	uint32_t max_payload;
};

static inline bool has_ol(const struct pkt *pkt)
{
	return pkt->ol.flags | pkt->ol.gso_type;
}

/* A frame with offload state: its header must match it. Drop or -1. */
static __attribute__((noinline)) int check_ol(const struct pkt *pkt)
{
	struct vnet_l34 l;
	enum vnet_error err;

	vnet_parse(pkt->data, pkt->len, &l);
	err = vnet_check(pkt->data, pkt->len, &pkt->ol, &l);
	return err ? vnet_err_drop[err] : -1;
}

/* Offsets in the offload state follow a tag pushed (+4) or popped (-4). */
static inline void ol_shift(struct pkt_ol *ol, int by)
{
	if (ol->flags & VNET_F_NEEDS_CSUM)
		ol->csum_start += by;
	if (ol->hdr_len)
		ol->hdr_len += by;
}

/* Map the frame to its partition and untag it. Returns a drop or -1. */
static int classify(struct engine_core *c, const struct ingress ig,
		    struct pkt *pkt)
{
	struct frame_info fi;
	enum frame_error err;
	uint16_t vid, part;
	int drop;

	err = frame_parse(pkt->data, pkt->len,
			  pkt->ol.gso_type ? VNET_MAX_FRAME : ig.max_payload,
			  &fi);
	if (err)
		return frame_err_drop[err];
	if (has_ol(pkt) && (drop = check_ol(pkt)) >= 0)
		return drop;
	vid = fi.tci & FRAME_VID_MASK;
	if (ig.trunk) {
		if (!fi.tagged)
			return ECORE_DROP_UNTAGGED;
		part = c->vid_part[vid];
		if (!part--)
			return ECORE_DROP_UNKNOWN_VID;
	} else {
		if (fi.tagged && vid)
			return ECORE_DROP_BAD_TAG;
		part = ig.part; /* active: checked once per burst */
	}
	pkt->part = part;
	pkt->tci = fi.tci & FRAME_PCP_DEI_MASK;
	if (fi.tagged) {
		pkt->data = frame_vlan_pop(pkt->data);
		pkt->len -= FRAME_VLAN_HLEN;
		ol_shift(&pkt->ol, -FRAME_VLAN_HLEN);
	}
	return -1;
}

/*
 * A received burst on its way through the pipeline: the port it came in on
 * and the totals counted once at the end of the burst.
 */
struct rx_burst {
	struct ecore_port *rxport; /* the port the burst was received on */
	unsigned int in; /* its slot */
	struct ingress ig;
	uint64_t now;
	uint64_t rx_bytes; /* every frame received, dropped or not */
	uint64_t part_packets,
		part_bytes; /* access ports: into their partition */
	uint64_t touched; /* port bitmap: ports with output queued */
	/* The current run of packets of one partition (an access burst is one). */
	uint16_t part;
	const struct ecore_part *pt;
	uint64_t allowed; /* the members rxport may reach in it */
	uint64_t standby; /* IB members kept from it: the partition stands by */
	bool watch; /* the partition's ha_watch, and it does not stand by */
	bool from_peer; /* rxport is a peer port */
};

/* A unicast frame to its own port or across isolation; off the fast path. */
static __attribute__((noinline, cold)) void
drop_unicast(struct engine_core *c, struct ecore_port *rxport,
	     const struct pkt *pkt, bool same_port)
{
	count_drop(c, rxport, pkt->part,
		   same_port ? ECORE_DROP_SAME_PORT : ECORE_DROP_ISOLATION);
}

/* Unicast to an address not learned: it floods, in its partition only. */
static inline void count_flood(struct engine_core *c, struct ecore_port *rxport,
			       uint16_t part)
{
	rxport->c.flooded++;
	c->parts[part].c.flooded++;
}

/* A frame that would have gone to the standby partition's IB port. */
static __attribute__((noinline, cold)) void
withhold(struct engine_core *c, const struct rx_burst *b, const struct pkt *pkt)
{
	count_drop(c, b->rxport, pkt->part, ECORE_DROP_STANDBY);
	if (c->standby_fn)
		c->standby_fn(c->standby_arg, __builtin_ctzll(b->standby), pkt);
}

/*
 * The ports @pkt goes to; learns its source. May drop (returns 0). Uses the
 * run's partition and allowed members, worked out once per run of packets.
 */
static uint64_t lookup(struct engine_core *c, const struct rx_burst *b,
		       struct pkt *pkt)
{
	int out;

	fdb_learn(c->fdb, pkt->part, frame_src_u64(pkt->data), b->in, b->now);
	if (!frame_is_multicast(pkt->data)) {
		out = fdb_lookup(c->fdb, pkt->part, frame_dst_u64(pkt->data),
				 b->now);
		if (out >= 0 && (b->standby & bit(out))) {
			withhold(c, b, pkt);
			return 0;
		}
		if (out >= 0 && (b->allowed & bit(out))) {
			pkt->flags |= PKT_SINGLE;
			return bit(out);
		}
		if (out >= 0 && (b->pt->members & bit(out))) {
			drop_unicast(c, b->rxport, pkt,
				     (unsigned int)out == b->in);
			return 0;
		}
		if (out < 0)
			count_flood(c, b->rxport, pkt->part);
	}
	if (b->standby)
		withhold(c, b, pkt);
	if (!(b->allowed & (b->allowed - 1)))
		pkt->flags |=
			PKT_SINGLE; /* one output: it may keep the buffer */
	return b->allowed;
}

static void enqueue(struct ecore_ctx *x, uint64_t mask, struct pkt *pkt)
{
	while (mask) {
		struct ecore_txq *q = &x->txq[__builtin_ctzll(mask)];

		mask &= mask - 1;
		q->q[q->n++] = pkt;
		q->ol |= has_ol(pkt);
	}
}

/* The output queue of port @op in @x. */
static inline struct ecore_txq *txq_of(const struct engine_core *c,
				       struct ecore_ctx *x,
				       const struct ecore_port *op)
{
	return &x->txq[op - c->ports];
}

/* A pool copy of @pkt for a port that keeps buffers; NULL if none left. */
static struct pkt *copy_pkt_to(struct engine_core *c, struct pool *to,
			       const struct pkt *pkt)
{
	struct pkt *n;

	if (!to || pkt->len > pool_buf_size(to) - pool_headroom(to))
		return NULL;
	n = pool_alloc(to);
	if (!n)
		return NULL;
	memcpy(n->data, pkt->data, pkt->len);
	n->len = pkt->len;
	n->ol = pkt->ol;
	n->part = pkt->part;
	n->tci = pkt->tci;
	n->in_port = pkt->in_port;
	n->flags = (pkt->flags & PKT_TAGGED) | PKT_COPY;
	c->bytes_copied += pkt->len;
	return n;
}

static struct pkt *copy_pkt(struct engine_core *c, const struct pkt *pkt)
{
	return copy_pkt_to(c, c->pool, pkt);
}

/*
 * A copy of @pkt that port @op may keep: in the engine's pool, or a
 * super-frame (from a port's ring) in the big pool where @op takes those
 * (@big: PORT_F_TX_BIG). NULL when it does not fit or no buffer is free.
 */
static struct pkt *owned_copy(struct engine_core *c, bool big,
			      const struct pkt *pkt)
{
	unsigned int room = pool_buf_size(c->pool) - pool_headroom(c->pool);

	if (big && pkt->len > room)
		return copy_pkt_to(c, pool_big(c->pool), pkt);
	return copy_pkt(c, pkt);
}

/*
 * Give a buffer-keeping port packets it may own: unicast pool packets as
 * they are (of the big pool too where the port takes them,
 * PORT_F_TX_BIG), everything else as a copy. Drops what cannot be copied.
 */
static void prepare_owned(struct engine_core *c, struct ecore_ctx *x,
			  struct ecore_port *op)
{
	struct ecore_txq *q = txq_of(c, x, op);
	bool big = op->port.flags & PORT_F_TX_BIG;
	unsigned int i, n = 0;

	for (i = 0; i < q->n; i++) {
		struct pkt *pkt = q->q[i];
		bool ours =
			pkt->pool == c->pool ||
			(big && pkt->pool && pkt->pool == pool_big(c->pool));

		if (!ours || !(pkt->flags & PKT_SINGLE)) {
			pkt = owned_copy(c, big, pkt);
			if (!pkt) {
				count_drop(c, op, q->q[i]->part,
					   ECORE_DROP_NO_BUFFER);
				continue;
			}
		}
		q->q[n++] = pkt;
	}
	if (n != q->n)
		q->part = ECORE_NO_PART; /* q->bytes is off: recount */
	q->n = n;
}

/* Push the trunk tag once per packet, keeping the ingress priority. */
static void tag_for_trunk(struct engine_core *c, struct ecore_ctx *x,
			  struct ecore_port *op)
{
	struct ecore_txq *q = txq_of(c, x, op);
	unsigned int i, n = 0;
	uint16_t part = ECORE_NO_PART, vlan = 0;
	uint64_t bytes = 0;
	bool mixed = false;

	for (i = 0; i < q->n; i++) {
		struct pkt *pkt = q->q[i];

		if (pkt->part != part) { /* bursts: mostly one */
			mixed |= part != ECORE_NO_PART;
			part = pkt->part;
			vlan = c->parts[part].vlan;
		}
		if (!(pkt->flags & PKT_TAGGED)) {
			if (pkt_headroom(pkt) < FRAME_VLAN_HLEN) {
				count_drop(c, op, pkt->part,
					   ECORE_DROP_NO_BUFFER);
				continue;
			}
			pkt->data = frame_vlan_push(pkt->data, pkt->tci | vlan);
			pkt->len += FRAME_VLAN_HLEN;
			pkt->flags |= PKT_TAGGED;
			ol_shift(&pkt->ol, FRAME_VLAN_HLEN);
		}
		bytes += pkt->len;
		q->q[n++] = pkt;
	}
	q->n = n;
	q->part = mixed ? ECORE_NO_PART : part;
	q->bytes = bytes;
}

/* Add a run of @pkts packets and @bytes bytes to partition @part's tx. */
static inline void count_part_tx(struct engine_core *c, uint16_t part,
				 uint64_t pkts, uint64_t bytes)
{
	if (part != ECORE_NO_PART) {
		c->parts[part].c.tx_packets += pkts;
		c->parts[part].c.tx_bytes += bytes;
	}
}

/*
 * What the engine keeps of the packets it hands a port: a port that keeps
 * buffers may give one back (and another thread take it anew) as soon as
 * tx_burst returns, so nothing of a sent packet is read after it.
 */
struct tx_snap {
	uint32_t len[ECORE_BURST];
	uint16_t part[ECORE_BURST];
	uint16_t flags[ECORE_BURST];
};

/* Count what a port sent and drop what it would not take. */
static void count_sent(struct engine_core *c, struct ecore_port *op,
		       const struct ecore_txq *q, const struct tx_snap *t,
		       unsigned int sent)
{
	uint64_t bytes = 0;
	unsigned int i;

	if (op->role == ECORE_ACCESS) { /* one partition: count once */
		for (i = 0; i < sent; i++)
			bytes += t->len[i];
		c->parts[op->part].c.tx_packets += sent;
		c->parts[op->part].c.tx_bytes += bytes;
	} else if (sent == q->n && q->part != ECORE_NO_PART) {
		bytes = q->bytes; /* all sent, one partition */
		count_part_tx(c, q->part, sent, bytes);
	} else { /* trunks: per partition, by runs of the same one */
		uint16_t part = ECORE_NO_PART;
		uint64_t run_pkts = 0, run_bytes = 0;

		for (i = 0; i < sent; i++) {
			if (t->part[i] != part) {
				count_part_tx(c, part, run_pkts, run_bytes);
				bytes += run_bytes;
				part = t->part[i];
				run_pkts = run_bytes = 0;
			}
			run_pkts++;
			run_bytes += t->len[i];
		}
		count_part_tx(c, part, run_pkts, run_bytes);
		bytes += run_bytes;
	}
	op->c.tx_packets += sent;
	op->c.tx_bytes += bytes;
	for (i = sent; i < q->n; i++)
		count_drop(c, op, t->part[i], ECORE_DROP_TX_FULL);
}

int ecore_port_tx(struct engine_core *c, struct ecore_port *ep,
		  struct pkt **pkts, unsigned int n, pthread_mutex_t *drop)
{
	pthread_mutex_t *io;
	int sent;

	if (!c->io_locks || ecore_port_serial(ep))
		return ep->port.ops->tx_burst(&ep->port, pkts, n);
	io = &c->io_locks[ep - c->ports];
	if (drop)
		pthread_mutex_unlock(drop);
	pthread_mutex_lock(io);
	sent = ep->port.ops->tx_burst(&ep->port, pkts, n);
	pthread_mutex_unlock(io);
	if (drop)
		pthread_mutex_lock(drop);
	return sent;
}

/*
 * After a send: a port that keeps buffers owns what it took (a received
 * packet is marked in x->given for release()); the engine frees the
 * copies and segments nobody keeps.
 */
static void after_send(struct ecore_ctx *x, const struct ecore_txq *q,
		       const struct tx_snap *t, unsigned int sent, bool keeps)
{
	unsigned int i;

	for (i = 0; i < q->n; i++) {
		uint16_t f = t->flags[i];

		if (i < sent && keeps) {
			if (f & PKT_IDX_MASK)
				x->given |= 1u << (((f & PKT_IDX_MASK) >>
						    PKT_IDX_SHIFT) -
						   1);
			continue; /* the port's now: not touched again */
		}
		if (f & (PKT_SEG | PKT_COPY))
			pool_free(q->q[i]);
	}
}

static void send_txq(struct engine_core *c, struct ecore_ctx *x,
		     struct ecore_port *op)
{
	struct ecore_txq *q = txq_of(c, x, op);
	bool keeps = op->port.flags & PORT_F_TX_POOL_ONLY;
	struct tx_snap t;
	unsigned int i;
	int sent;

	if (keeps)
		prepare_owned(c, x, op);
	if (!q->n)
		return;
	if (c->span.n)
		span_tx(c, (unsigned int)(op - c->ports), q->q, q->n);
	for (i = 0; i < q->n; i++) {
		t.len[i] = q->q[i]->len;
		t.part[i] = q->q[i]->part;
		t.flags[i] = q->q[i]->flags;
	}
	sent = ecore_port_tx(c, op, q->q, q->n, x->core_lock);
	sent = sent < 0 ? 0 : MIN(sent, (int)q->n);
	count_sent(c, op, q, &t, (unsigned int)sent);
	after_send(x, q, &t, (unsigned int)sent, keeps);
	q->n = 0;
}

/* GSO type -> the offload bits an egress needs to take it whole. */
static uint32_t gso_needs(uint8_t gso_type, uint8_t ipv6)
{
	switch (gso_type & ~VNET_GSO_ECN) {
	case VNET_GSO_TCPV4:
		return VNET_TUN_F_TSO4;
	case VNET_GSO_TCPV6:
		return VNET_TUN_F_TSO6;
	case VNET_GSO_UDP:
		return VNET_TUN_F_UFO;
	}
	return ipv6 ? VNET_TUN_F_USO6 : VNET_TUN_F_USO4;
}

/* Send the segments' queue (send_txq() frees the segments not kept). */
static void send_seg_txq(struct engine_core *c, struct ecore_ctx *x,
			 struct ecore_port *op)
{
	txq_of(c, x, op)->part = ECORE_NO_PART; /* count_sent: by runs */
	send_txq(c, x, op);
}

static void queue_out(struct engine_core *c, struct ecore_ctx *x,
		      struct ecore_port *op, struct pkt *pkt)
{
	struct ecore_txq *q = txq_of(c, x, op);

	if (q->n == ECORE_BURST)
		send_seg_txq(c, x, op);
	q->q[q->n++] = pkt;
}

/* Cut super-frame @pkt for @op into pool buffers and queue the segments. */
static void segment_out(struct engine_core *c, struct ecore_ctx *x,
			struct ecore_port *op, struct pkt *pkt,
			const struct vnet_l34 *l)
{
	unsigned int room = pool_buf_size(c->pool) - pool_headroom(c->pool);
	uint64_t copied = 0;
	struct vnet_seg s;
	struct pkt *seg;

	if (vnet_seg_start(&s, pkt->data, pkt->len, &pkt->ol, l,
			   op->port.max_payload, room)) {
		count_drop(c, op, pkt->part, ECORE_DROP_GSO_UNCUT);
		return;
	}
	while ((seg = vnet_seg_next(&s, c->pool, &copied))) {
		seg->part = pkt->part;
		seg->tci = pkt->tci;
		seg->in_port = pkt->in_port;
		seg->flags = (pkt->flags & PKT_TAGGED) | PKT_SEG | PKT_SINGLE;
		queue_out(c, x, op, seg);
		op->sw.gso_segments++;
	}
	if (!vnet_seg_done(&s))
		count_drop(c, op, pkt->part, ECORE_DROP_NO_BUFFER);
	op->sw.gso_segmented++;
	op->sw.bytes_copied += copied;
	c->bytes_copied += copied;
}

/* The offloads @op takes whole for @pkt (port_ops.tx_offloads). */
static uint32_t offloads_for(struct ecore_port *op, const struct pkt *pkt)
{
	if (op->port.ops && op->port.ops->tx_offloads)
		return op->port.ops->tx_offloads(&op->port, pkt);
	return op->port.offloads;
}

/* Give @op what it can send: complete checksums, cut super-frames. */
static void offload_out(struct engine_core *c, struct ecore_ctx *x,
			struct ecore_port *op, struct pkt *pkt)
{
	uint32_t can = offloads_for(op, pkt);
	struct vnet_l34 l;

	vnet_parse(pkt->data, pkt->len, &l);
	if (pkt->ol.gso_type && !(can & gso_needs(pkt->ol.gso_type, l.ipv6)))
		return segment_out(c, x, op, pkt, &l);
	if ((pkt->ol.flags & VNET_F_NEEDS_CSUM) && !(can & VNET_TUN_F_CSUM)) {
		vnet_csum_complete(pkt->data, pkt->len, &pkt->ol, &l);
		op->sw.csum_completed++;
	}
	queue_out(c, x, op, pkt);
}

/*
 * Send @op's queue. Frames with offload state take the slow path: each
 * goes whole where the port can take it, else completed or segmented.
 */
static void send_port(struct engine_core *c, struct ecore_ctx *x,
		      struct ecore_port *op)
{
	struct ecore_txq *q = txq_of(c, x, op);
	struct pkt *in[ECORE_BURST];
	unsigned int i, n = q->n;

	if (!q->ol)
		return send_txq(c, x, op);
	q->ol = false;
	memcpy(in, q->q, n * sizeof(in[0]));
	q->n = 0;
	for (i = 0; i < n; i++) {
		if (has_ol(in[i]))
			offload_out(c, x, op, in[i]);
		else
			queue_out(c, x, op, in[i]);
	}
	send_seg_txq(c, x, op);
}

static void flush(struct engine_core *c, struct ecore_ctx *x, uint64_t touched)
{
	uint64_t m = touched & ~c->trunks;

	while (m) {
		send_port(c, x, &c->ports[__builtin_ctzll(m)]);
		m &= m - 1;
	}
	m = touched & c->trunks;
	while (m) {
		struct ecore_port *op = &c->ports[__builtin_ctzll(m)];

		tag_for_trunk(c, x, op);
		send_port(c, x, op);
		m &= m - 1;
	}
}

static void release(struct ecore_ctx *x, struct pkt **pkts, unsigned int n)
{
	unsigned int i;

	if (!x->given) {
		for (i = 0; i < n; i++)
			pool_free(pkts[i]);
		return;
	}
	for (i = 0; i < n; i++)
		if (!(x->given & (1u << i)))
			pool_free(pkts[i]);
	x->given = 0;
}

/* Drop a whole burst for one reason (access port of an inactive partition). */
static void drop_burst(struct engine_core *c, struct ecore_ctx *x,
		       struct ecore_port *rxport, struct pkt **pkts,
		       unsigned int n, uint16_t part, enum ecore_drop why)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		rxport->c.rx_bytes += pkts[i]->len;
		pkts[i]->flags = 0;
		count_drop(c, rxport, part, why);
	}
	rxport->c.rx_packets += n;
	release(x, pkts, n);
}

/* A burst received on port @in at @now, before its first packet. */
static struct rx_burst rx_burst_start(struct engine_core *c, unsigned int in,
				      uint64_t now)
{
	struct ecore_port *rxport = &c->ports[in];

	return (struct rx_burst){
		.rxport = rxport,
		.in = in,
		.ig = { .trunk = rxport->role == ECORE_TRUNK,
			.part = rxport->part,
			.max_payload = rxport->port.max_payload },
		.now = now,
		.part = ECORE_NO_PART,
		.from_peer = (c->peer_ports & bit(in)) != 0,
	};
}

/*
 * Start a run of packets of partition @part: the members the ingress port
 * may reach in it are all but itself, and not the limited ones when it is
 * limited itself.
 */
static void start_part_run(struct engine_core *c, struct rx_burst *b,
			   uint16_t part)
{
	b->part = part;
	b->pt = &c->parts[part];
	b->allowed = b->pt->members & ~bit(b->in) &
		     ~(b->pt->limited & b->rxport->iso_mask);
	b->standby = b->pt->standby ? b->allowed & c->ib_ports : 0;
	b->allowed &= ~b->standby;
	b->watch = b->pt->ha_watch && !b->pt->standby;
}

/* Count what entered a partition: once per burst on an access port. */
static inline void count_part_rx(struct engine_core *c, struct rx_burst *b,
				 const struct pkt *pkt)
{
	if (!b->ig.trunk) {
		b->part_packets++;
		b->part_bytes += pkt->len;
		return;
	}
	c->parts[pkt->part].c.rx_packets++;
	c->parts[pkt->part].c.rx_bytes += pkt->len;
}

/* A sampled forwarded frame into the flow cache; off the fast path. */
static __attribute__((noinline)) void flow_sample(struct engine_core *c,
						  const struct rx_burst *b,
						  const struct pkt *pkt,
						  uint64_t out)
{
	const struct ecore_part *pt = &c->parts[pkt->part];
	struct flow_ib ib;
	struct flow_meta m = {
		.part = pkt->part,
		.pkey = pt->pkey,
		.vlan = pt->vlan,
		.in_port = (uint16_t)b->in,
		.out_port = out & (out - 1) ? FLOW_PORT_MANY :
					      (uint16_t)__builtin_ctzll(out),
	};

	c->flow_skip = c->flow_every;
	if (pkt->ol.gso_type)
		m.ol = &pkt->ol; /* a super-frame: counted as its segments */
	if (c->ib_ports & (out | bit(b->in))) {
		memset(&ib, 0, sizeof(ib));
		ib.pkey = pt->pkey;
		m.ib = &ib;
	}
	flow_cache_observe(c->flows, pkt->data, pkt->len, &m, b->now);
}

/* An ARP frame to the IB port of a partition with a gateway group. */
static inline bool unlikely_watch(const struct engine_core *c,
				  const struct rx_burst *b, uint64_t out,
				  const struct pkt *pkt)
{
	return __builtin_expect(b->watch, 0) && (out & c->ib_ports) &&
	       c->standby_fn && pkt->len >= 42 && pkt->data[12] == 0x08 &&
	       pkt->data[13] == 0x06;
}

/* A gateway group's advertisement from Ethernet (not from the IB port). */
static inline bool unlikely_ha(const struct engine_core *c,
			       const struct rx_burst *b, const struct pkt *pkt)
{
	return __builtin_expect(b->pt->ha_watch, 0) && c->ha_fn &&
	       !(c->ib_ports & bit(b->in)) && pkt->len >= 14 &&
	       pkt->data[12] == 0x88 && pkt->data[13] == 0xb6;
}

/*
 * A gateway group's frame (advertisement or announcement) that another
 * fabricd's engine flooded into the peer links, in a partition whose group
 * we are not in (members consume it: unlikely_ha()). It has moved its
 * source MAC here (lookup() learned it: an announcement's job); it goes
 * no further, to the VMs least of all.
 */
static inline bool unlikely_peer_ha(const struct rx_burst *b,
				    const struct pkt *pkt)
{
	return __builtin_expect(b->from_peer, 0) && pkt->data[12] == 0x88 &&
	       pkt->data[13] == 0xb6;
}

/* Classify, learn and look up one received frame; queue it on its ports. */
static void forward_one(struct engine_core *c, struct ecore_ctx *x,
			struct rx_burst *b, struct pkt *pkt, unsigned int idx)
{
	uint64_t out;
	int drop;

	b->rx_bytes += pkt->len;
	pkt->flags = (uint16_t)((idx + 1) << PKT_IDX_SHIFT);
	pkt->in_port = b->in;
	drop = classify(c, b->ig, pkt);
	if (drop >= 0) {
		count_drop(c, b->rxport, ECORE_NO_PART, drop);
		return;
	}
	count_part_rx(c, b, pkt);
	if (c->span.n)
		span_rx(c, b->in, pkt);
	if (pkt->part != b->part)
		start_part_run(c, b, pkt->part);
	if (unlikely_ha(c, b, pkt)) {
		c->ha_fn(c->standby_arg, pkt);
		return;
	}
	out = lookup(c, b, pkt);
	if (unlikely_peer_ha(b, pkt)) {
		count_drop(c, b->rxport, pkt->part, ECORE_DROP_HA_PEER);
		return;
	}
	if (c->flows && out && !--c->flow_skip)
		flow_sample(c, b, pkt, out);
	if (unlikely_watch(c, b, out, pkt))
		c->standby_fn(c->standby_arg,
			      __builtin_ctzll(out & c->ib_ports), pkt);
	enqueue(x, out, pkt);
	b->touched |= out;
}

/* Add the burst's receive totals to its port and an access port's partition. */
static void count_rx(struct engine_core *c, const struct rx_burst *b,
		     unsigned int n)
{
	if (!b->ig.trunk) {
		c->parts[b->ig.part].c.rx_packets += b->part_packets;
		c->parts[b->ig.part].c.rx_bytes += b->part_bytes;
	}
	b->rxport->c.rx_packets += n;
	b->rxport->c.rx_bytes += b->rx_bytes;
}

void ecore_process_ctx(struct engine_core *c, struct ecore_ctx *x,
		       unsigned int in, struct pkt **pkts, unsigned int n,
		       uint64_t now_ms)
{
	struct rx_burst b = rx_burst_start(c, in, now_ms);
	unsigned int i;

	if (b.rxport->role == ECORE_MIRROR ||
	    (!b.ig.trunk && !c->parts[b.ig.part].active))
		return drop_burst(c, x, b.rxport, pkts, n, ECORE_NO_PART,
				  ECORE_DROP_NO_PARTITION);
	if (!b.ig.trunk && c->parts[b.ig.part].standby &&
	    (c->ib_ports & bit(in)))
		return drop_burst(c, x, b.rxport, pkts, n, b.ig.part,
				  ECORE_DROP_STANDBY);
	for (i = 0; i < n; i++)
		forward_one(c, x, &b, pkts[i], i);
	count_rx(c, &b, n);
	flush(c, x, b.touched);
	if (c->span.n_q)
		span_send(c);
	release(x, pkts, n);
}

void ecore_process(struct engine_core *c, unsigned int in, struct pkt **pkts,
		   unsigned int n, uint64_t now_ms)
{
	ecore_process_ctx(c, &c->ctx, in, pkts, n, now_ms);
}

/* Configuration: called with the forwarding thread kept out. */

int ecore_init(struct engine_core *c, struct pool *pool, unsigned int fdb_size,
	       uint64_t aging_ms)
{
	memset(c, 0, sizeof(*c));
	c->pool = pool;
	c->fdb = fdb_create(fdb_size, aging_ms);
	if (!c->fdb)
		return -errno;
	ecore_fast_init(c);
	return 0;
}

void ecore_fini(struct engine_core *c)
{
	unsigned int i;

	span_fini(c);
	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if (c->ports[i].used)
			ecore_port_del(c, i);
	fdb_destroy(c->fdb);
	c->fdb = NULL;
}

int ecore_part_find(const struct engine_core *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PARTS; i++)
		if (c->parts[i].used && !strcmp(c->parts[i].name, name))
			return i;
	return -ENOENT;
}

static int part_alloc(struct engine_core *c)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PARTS; i++)
		if (!c->parts[i].used)
			return i;
	return -ENOSPC;
}

int ecore_part_set(struct engine_core *c, const char *name, uint16_t pkey,
		   uint16_t vlan, bool active)
{
	int idx = ecore_part_find(c, name);
	struct ecore_part *pt;

	if (idx < 0) {
		idx = part_alloc(c);
		if (idx < 0)
			return idx;
		pt = &c->parts[idx];
		memset(pt, 0, sizeof(*pt));
		pt->used = true;
		util_strlcpy(pt->name, name, sizeof(pt->name));
		fdb_set_part_limit(c->fdb, idx, FDB_LIMIT_SHARED);
	}
	pt = &c->parts[idx];
	if (pt->active && (!active || pt->vlan != vlan))
		fdb_flush(c->fdb, idx, FDB_ANY);
	pt->pkey = pkey;
	pt->vlan = vlan & FRAME_VID_MASK;
	pt->active = active;
	return idx;
}

void ecore_flow_set(struct engine_core *c, struct flow_cache *fc,
		    uint32_t every)
{
	bool was = c->flows;

	c->flows = fc;
	c->flow_every = every ? every : 1;
	c->flow_skip = c->flow_every;
	if (was != !!fc) /* export observes in the engine: fast path off */
		ecore_fast_sync(c);
}

void ecore_part_remove(struct engine_core *c, unsigned int idx)
{
	unsigned int i;

	if (c->flows)
		flow_cache_flush_part(c->flows, (uint16_t)idx);
	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if (c->ports[i].used && c->ports[i].role == ECORE_ACCESS &&
		    c->ports[i].part == idx)
			ecore_port_del(c, i);
	span_part_gone(c, idx);
	fdb_flush(c->fdb, idx, FDB_ANY);
	fdb_set_part_limit(c->fdb, idx, FDB_LIMIT_SHARED);
	memset(&c->parts[idx], 0, sizeof(c->parts[idx]));
}

int ecore_part_fdb_limit(struct engine_core *c, unsigned int idx,
			 unsigned int limit, bool runtime)
{
	struct ecore_part *pt;
	int ret;

	if (idx >= ECORE_MAX_PARTS || !c->parts[idx].used)
		return -ENOENT;
	pt = &c->parts[idx];
	if (pt->fdb_limit_runtime && !runtime)
		return 0;
	ret = fdb_set_part_limit(c->fdb, idx, limit);
	if (!ret)
		pt->fdb_limit_runtime |= runtime;
	return ret;
}

int ecore_port_find(const struct engine_core *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if (c->ports[i].used && !strcmp(c->ports[i].port.name, name))
			return i;
	return -ENOENT;
}

/* Claim a free slot for @name with its role; the port is not open yet. */
static int port_slot_new(struct engine_core *c, const char *name,
			 enum ecore_role role, unsigned int part, bool limited)
{
	struct ecore_port *ep;
	unsigned int i;
	uint32_t gen;

	if (!*name || strlen(name) >= IF_NAMESIZE)
		return -EINVAL;
	if (role == ECORE_ACCESS &&
	    (part >= ECORE_MAX_PARTS || !c->parts[part].used))
		return -ENOENT;
	if (ecore_port_find(c, name) >= 0)
		return -EEXIST;
	for (i = 0; i < ECORE_MAX_PORTS && c->ports[i].used; i++)
		;
	if (i == ECORE_MAX_PORTS)
		return -ENOSPC;
	ep = &c->ports[i];
	gen = ep->gen + 1;
	memset(ep, 0, sizeof(*ep));
	ep->gen = gen;
	ep->used = true;
	ep->role = role;
	ep->part = role == ECORE_ACCESS ? part : ECORE_NO_PART;
	ep->limited = role == ECORE_ACCESS && limited;
	ep->iso_mask = ep->limited ? ~0ull : 0;
	util_strlcpy(ep->port.name, name, sizeof(ep->port.name));
	ep->port.fd = -1;
	fdb_set_port_limit(c->fdb, i,
			   role == ECORE_ACCESS ? ECORE_ACCESS_FDB_LIMIT :
						  FDB_LIMIT_NONE);
	return i;
}

int ecore_port_new(struct engine_core *c, const char *name, const char *kind,
		   enum ecore_role role, unsigned int part, bool limited)
{
	int slot;

	if (!port_ops_find(kind))
		return -EINVAL;
	slot = port_slot_new(c, name, role, part, limited);
	if (slot < 0)
		return slot;
	util_strlcpy(c->ports[slot].kind, kind, sizeof(c->ports[slot].kind));
	return slot;
}

int ecore_port_add(struct engine_core *c, const char *name, const char *kind,
		   enum ecore_role role, unsigned int part, bool limited)
{
	int slot = ecore_port_new(c, name, kind, role, part, limited);

	if (slot >= 0)
		ecore_port_retry(c, slot);
	return slot;
}

int ecore_port_attach(struct engine_core *c, const struct port *p,
		      enum ecore_role role, unsigned int part, bool limited)
{
	int slot = port_slot_new(c, p->name, role, part, limited);

	if (slot < 0)
		return slot;
	c->ports[slot].port = *p;
	util_strlcpy(c->ports[slot].kind, p->ops->kind,
		     sizeof(c->ports[slot].kind));
	ecore_rebuild(c);
	return slot;
}

int ecore_port_retry(struct engine_core *c, unsigned int slot)
{
	struct ecore_port *ep = &c->ports[slot];
	char name[IF_NAMESIZE];

	if (ep->port.ops)
		return 0;
	util_strlcpy(name, ep->port.name, sizeof(name));
	ep->error =
		port_open(&ep->port, port_ops_find(ep->kind), name, c->pool);
	util_strlcpy(ep->port.name, name, sizeof(ep->port.name));
	if (!ep->error)
		ep->gen++; /* a new descriptor: pollers must re-register */
	ecore_rebuild(c);
	return ep->error;
}

void ecore_port_down(struct engine_core *c, unsigned int slot, int err)
{
	struct ecore_port *ep = &c->ports[slot];

	if (c->forget_fn)
		c->forget_fn(c->peer_arg, slot);
	port_close(&ep->port);
	ep->error = err;
	fdb_flush(c->fdb, FDB_ANY, slot);
	ecore_rebuild(c);
}

void ecore_port_del(struct engine_core *c, unsigned int slot)
{
	struct ecore_port *ep = &c->ports[slot];

	span_port_gone(c, slot);
	if (c->forget_fn)
		c->forget_fn(c->peer_arg, slot);
	port_close(&ep->port);
	ep->used = false;
	fdb_flush(c->fdb, FDB_ANY, slot);
	ecore_rebuild(c);
}

static void rebuild_members(struct engine_core *c)
{
	unsigned int i, j;

	for (i = 0; i < ECORE_MAX_PORTS; i++) {
		struct ecore_port *ep = &c->ports[i];

		if (!ep->used || !ep->port.ops ||
		    (ep->port.flags & PORT_F_NO_FORWARD))
			continue;
		if (!strcmp(ep->kind, "ipoib"))
			c->ib_ports |= bit(i);
		if (!strcmp(ep->kind, "peer"))
			c->peer_ports |= bit(i);
		if (ep->role == ECORE_TRUNK) {
			c->trunks |= bit(i);
			for (j = 0; j < ECORE_MAX_PARTS; j++)
				if (c->parts[j].active && c->parts[j].vlan)
					c->parts[j].members |= bit(i);
			continue;
		}
		if (ep->role == ECORE_MIRROR)
			continue; /* never a forwarding target */
		c->parts[ep->part].members |= bit(i);
		if (ep->limited)
			c->parts[ep->part].limited |= bit(i);
	}
}

void ecore_rebuild(struct engine_core *c)
{
	unsigned int j;

	c->trunks = 0;
	c->ib_ports = 0;
	c->peer_ports = 0;
	memset(c->vid_part, 0, sizeof(c->vid_part));
	for (j = 0; j < ECORE_MAX_PARTS; j++) {
		struct ecore_part *pt = &c->parts[j];

		pt->members = 0;
		pt->limited = 0;
		if (pt->used && pt->active && pt->vlan)
			c->vid_part[pt->vlan] = j + 1;
	}
	rebuild_members(c);
	ecore_fast_sync(c);
}
