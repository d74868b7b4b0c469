// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the engine core: bursts injected into a core whose ports
 * are an in-memory driver (the port ops table at work). Checks partition
 * switching, flooding scope, trunk tagging with PCP, isolation of limited
 * members, learning/moves/aging, drop counters and that forwarding copies
 * no payload.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eth/frame.h"
#include "fabricd/engine/engine_core.h"
#include "fabricd/port_kinds.h"

#define MAX_SENT 64

/* The in-memory driver: records what it was asked to send. */
struct mem_port {
	unsigned int n_sent;
	uint32_t len[MAX_SENT];
	uint8_t frame[MAX_SENT][128];
	const uint8_t *buf[MAX_SENT]; /* the buffer it was sent from */
	unsigned int tx_room; /* frames it accepts per burst */
	struct pkt *kept[MAX_SENT]; /* pool-only ports own what they take */
	unsigned int n_kept;
};

static int mem_open(struct port *p)
{
	return 0;
}

static int mem_rx(struct port *p, struct pkt **pkts, unsigned int n)
{
	return 0;
}

static int mem_tx(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct mem_port *m = p->priv;
	unsigned int i;

	n = n < m->tx_room ? n : m->tx_room;
	for (i = 0; i < n && m->n_sent < MAX_SENT; i++) {
		m->len[m->n_sent] = pkts[i]->len;
		m->buf[m->n_sent] = pkts[i]->data;
		memcpy(m->frame[m->n_sent], pkts[i]->data,
		       pkts[i]->len < 128 ? pkts[i]->len : 128);
		m->n_sent++;
		if (p->flags & PORT_F_TX_POOL_ONLY)
			m->kept[m->n_kept++] = pkts[i];
	}
	return n;
}

static void mem_close(struct port *p)
{
}

static void mem_stats(struct port *p, struct port_hw_stats *st)
{
	memset(st, 0, sizeof(*st));
}

static const struct port_ops mem_ops = {
	.kind = "mem",
	.open = mem_open,
	.rx_burst = mem_rx,
	.tx_burst = mem_tx,
	.close = mem_close,
	.stats = mem_stats,
};

/* The same driver as the engine's "ipoib" kind (a gateway's IB port). */
static const struct port_ops mem_ib_ops = {
	.kind = "ipoib",
	.open = mem_open,
	.rx_burst = mem_rx,
	.tx_burst = mem_tx,
	.close = mem_close,
	.stats = mem_stats,
};

enum { A1, A2, B1, L1, L2, T, IB, N_PORTS };

struct fixture {
	struct engine_core c;
	struct pool *pool;
	struct mem_port mp[N_PORTS + 1];
	int slot[N_PORTS + 1];
	int pa, pb;
};

static int attach(struct fixture *fx, int i, const char *name,
		  enum ecore_role role, int part, bool limited)
{
	struct port p = { .ops = &mem_ops, .fd = -1, .max_payload = 1500 };

	strcpy(p.name, name);
	p.priv = &fx->mp[i];
	p.mode = "mem";
	fx->mp[i].tx_room = MAX_SENT;
	fx->slot[i] = ecore_port_attach(&fx->c, &p, role, part, limited);
	return fx->slot[i];
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_int_equal(port_kinds_register(false), 0);
	fx->pool = pool_create(256, 2048, 128);
	assert_int_equal(ecore_init(&fx->c, fx->pool, 1024, 1000), 0);
	fx->pa = ecore_part_set(&fx->c, "tenant-a", 1, 20, true);
	fx->pb = ecore_part_set(&fx->c, "tenant-b", 2, 30, true);
	assert_true(attach(fx, A1, "a1", ECORE_ACCESS, fx->pa, false) >= 0);
	assert_true(attach(fx, A2, "a2", ECORE_ACCESS, fx->pa, false) >= 0);
	assert_true(attach(fx, B1, "b1", ECORE_ACCESS, fx->pb, false) >= 0);
	assert_true(attach(fx, L1, "l1", ECORE_ACCESS, fx->pa, true) >= 0);
	assert_true(attach(fx, L2, "l2", ECORE_ACCESS, fx->pa, true) >= 0);
	assert_true(attach(fx, T, "t", ECORE_TRUNK, 0, false) >= 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ecore_fini(&fx->c);
	assert_int_equal(pool_avail(fx->pool), 256); /* nothing leaked */
	pool_destroy(fx->pool);
	free(fx);
	return 0;
}

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void mac(uint8_t *m, unsigned int id)
{
	static const uint8_t base[6] = { 0x02, 0, 0, 0, 0, 0 };

	memcpy(m, base, 6);
	m[5] = id;
}

/* Build a frame in a pool buffer: dst, src, optional tag, IPv4, 46 bytes. */
static struct pkt *frame(struct fixture *fx, const uint8_t *dst,
			 unsigned int src, int tci)
{
	struct pkt *p = pool_alloc(fx->pool);
	uint8_t *d = p->data;
	unsigned int off = 12;

	memcpy(d, dst, 6);
	mac(d + 6, src);
	if (tci >= 0) {
		d[off++] = 0x81, d[off++] = 0x00;
		d[off++] = tci >> 8, d[off++] = tci & 0xff;
	}
	d[off++] = 0x08, d[off++] = 0x00;
	memset(d + off, src, 46);
	p->len = off + 46;
	return p;
}

static void inject(struct fixture *fx, int in, struct pkt *p, uint64_t now)
{
	ecore_process(&fx->c, fx->slot[in], &p, 1, now);
}

static void reset_sent(struct fixture *fx)
{
	unsigned int i;

	for (i = 0; i <= N_PORTS; i++)
		fx->mp[i].n_sent = 0;
}

static unsigned int sent(struct fixture *fx, int i)
{
	return fx->mp[i].n_sent;
}

static void test_flood_stays_in_partition(void **state)
{
	struct fixture *fx = *state;
	const uint8_t *f;

	inject(fx, A1, frame(fx, BCAST, 1, -1), 0);
	assert_int_equal(sent(fx, A1), 0);
	assert_int_equal(sent(fx, A2), 1);
	assert_int_equal(sent(fx, L1), 1);
	assert_int_equal(sent(fx, L2), 1);
	assert_int_equal(sent(fx, B1), 0); /* never the other partition */
	assert_int_equal(sent(fx, T), 1);
	/* untagged to access ports, tagged with VID 20 on the trunk */
	assert_int_equal(fx->mp[A2].len[0], 60);
	f = fx->mp[T].frame[0];
	assert_int_equal(fx->mp[T].len[0], 64);
	assert_int_equal(f[12] << 8 | f[13], 0x8100);
	assert_int_equal((f[14] << 8 | f[15]) & 0xfff, 20);
	assert_int_equal(f[16] << 8 | f[17], 0x0800);
	assert_int_equal(fx->c.parts[fx->pa].c.rx_packets, 1);
	assert_int_equal(fx->c.parts[fx->pa].c.tx_packets, 4);
	assert_int_equal(fx->c.parts[fx->pb].c.tx_packets, 0);
}

static void test_trunk_ingress(void **state)
{
	struct fixture *fx = *state;

	/* VID 30 with PCP 5: reaches tenant-b only, untagged */
	inject(fx, T, frame(fx, BCAST, 9, 0xa000 | 30), 0);
	assert_int_equal(sent(fx, B1), 1);
	assert_int_equal(fx->mp[B1].len[0], 60);
	assert_int_equal(fx->mp[B1].frame[0][12], 0x08);
	assert_int_equal(sent(fx, A1) + sent(fx, A2) + sent(fx, L1), 0);
	assert_int_equal(sent(fx, T), 0);
	/* unknown VID, untagged, double tag, tagged on an access port */
	inject(fx, T, frame(fx, BCAST, 9, 99), 0);
	inject(fx, T, frame(fx, BCAST, 9, -1), 0);
	inject(fx, A1, frame(fx, BCAST, 1, 20), 0);
	assert_int_equal(fx->c.drops[ECORE_DROP_UNKNOWN_VID], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_UNTAGGED], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_BAD_TAG], 1);
	assert_int_equal(fx->c.ports[fx->slot[A1]].c.drops[ECORE_DROP_BAD_TAG],
			 1);
	assert_int_equal(sent(fx, B1), 1);
}

static void test_pcp_kept(void **state)
{
	struct fixture *fx = *state;
	const uint8_t *f;

	/* priority-tagged (VID 0) from a VM: accepted, PCP carried */
	inject(fx, A1, frame(fx, BCAST, 1, 0x6000), 0);
	assert_int_equal(sent(fx, A2), 1);
	assert_int_equal(fx->mp[A2].len[0], 60); /* untagged to the VM */
	f = fx->mp[T].frame[0];
	assert_int_equal(f[14] << 8 | f[15], 0x6000 | 20);
}

static void test_learning_unicast(void **state)
{
	struct fixture *fx = *state;
	uint8_t m2[6];

	mac(m2, 2);
	/* unknown unicast floods */
	inject(fx, A1, frame(fx, m2, 1, -1), 0);
	assert_int_equal(sent(fx, A2) + sent(fx, T), 2);
	reset_sent(fx);
	/* A2 answers: learned, then A1 -> A2 goes to A2 only */
	inject(fx, A2, frame(fx, (uint8_t[]){ 2, 0, 0, 0, 0, 1 }, 2, -1), 0);
	assert_int_equal(sent(fx, A1), 1);
	assert_int_equal(sent(fx, T) + sent(fx, L1), 0);
	reset_sent(fx);
	inject(fx, A1, frame(fx, m2, 1, -1), 0);
	assert_int_equal(sent(fx, A2), 1);
	assert_int_equal(sent(fx, T) + sent(fx, L1) + sent(fx, L2), 0);
	/* the same MAC learned in tenant-b does not leak */
	reset_sent(fx);
	inject(fx, B1, frame(fx, m2, 7, -1), 0);
	assert_int_equal(sent(fx, A2), 0);
	assert_int_equal(sent(fx, T), 1);
	assert_int_equal(
		(fx->mp[T].frame[0][14] << 8 | fx->mp[T].frame[0][15]) & 0xfff,
		30);
	/* no payload was copied by the engine */
	assert_int_equal(fx->c.bytes_copied, 0);
}

static void test_move_and_aging(void **state)
{
	struct fixture *fx = *state;
	uint8_t m2[6];

	mac(m2, 2);
	inject(fx, A2, frame(fx, BCAST, 2, -1), 0);
	reset_sent(fx);
	inject(fx, A1, frame(fx, m2, 1, -1), 10);
	assert_int_equal(sent(fx, A2), 1);
	/* MAC 2 moves behind the trunk */
	inject(fx, T, frame(fx, BCAST, 2, 20), 20);
	reset_sent(fx);
	inject(fx, A1, frame(fx, m2, 1, -1), 30);
	assert_int_equal(sent(fx, A2), 0);
	assert_int_equal(sent(fx, T), 1);
	/* after the aging time it is unknown again: flooded */
	reset_sent(fx);
	inject(fx, A1, frame(fx, m2, 1, -1), 1020);
	assert_int_equal(sent(fx, A2), 1);
	assert_int_equal(sent(fx, T), 1);
	/* a frame back to where it came from is filtered */
	inject(fx, A2, frame(fx, BCAST, 2, -1), 1030);
	reset_sent(fx);
	inject(fx, A2, frame(fx, m2, 5, -1), 1030);
	assert_int_equal(fx->c.drops[ECORE_DROP_SAME_PORT], 1);
}

static void test_limited_isolation(void **state)
{
	struct fixture *fx = *state;
	uint8_t ml2[6], ma1[6];

	mac(ml2, 0x22);
	mac(ma1, 1);
	/* L1 floods: full members and the trunk, never L2 */
	inject(fx, L1, frame(fx, BCAST, 0x11, -1), 0);
	assert_int_equal(sent(fx, L2), 0);
	assert_int_equal(sent(fx, A1) + sent(fx, A2) + sent(fx, T), 3);
	/* L2 learned; unicast L1 -> L2 dropped for isolation */
	inject(fx, L2, frame(fx, BCAST, 0x22, -1), 0);
	assert_int_equal(sent(fx, L1), 0);
	reset_sent(fx);
	inject(fx, L1, frame(fx, ml2, 0x11, -1), 0);
	assert_int_equal(sent(fx, L2), 0);
	assert_int_equal(fx->c.drops[ECORE_DROP_ISOLATION], 1);
	assert_int_equal(fx->c.parts[fx->pa].c.drops[ECORE_DROP_ISOLATION], 1);
	/* limited to full works both ways */
	inject(fx, A1, frame(fx, BCAST, 1, -1), 0);
	reset_sent(fx);
	inject(fx, L1, frame(fx, ma1, 0x11, -1), 0);
	assert_int_equal(sent(fx, A1), 1);
	inject(fx, A1, frame(fx, ml2, 1, -1), 0);
	assert_int_equal(sent(fx, L2), 1);
}

static void test_bad_frames_counted(void **state)
{
	struct fixture *fx = *state;
	struct pkt *p;

	p = frame(fx, BCAST, 1, -1);
	p->len = 10;
	inject(fx, A1, p, 0);
	p = frame(fx, BCAST, 1, -1);
	p->len = 1515;
	inject(fx, A1, p, 0);
	p = frame(fx, BCAST, 1, -1);
	p->data[12] = 0x05, p->data[13] = 0xff;
	inject(fx, A1, p, 0);
	p = frame(fx, BCAST, 1, -1);
	p->data[6] = 0x01; /* multicast source */
	inject(fx, A1, p, 0);
	assert_int_equal(fx->c.drops[ECORE_DROP_RUNT], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_OVERSIZE], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_BAD_ETHERTYPE], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_BAD_SRC], 1);
	assert_int_equal(fx->c.ports[fx->slot[A1]].c.rx_packets, 4);
	assert_int_equal(sent(fx, A2) + sent(fx, T), 0);
}

static void test_tx_full_and_burst(void **state)
{
	struct fixture *fx = *state;
	struct pkt *burst[ECORE_BURST];
	unsigned int i;

	fx->mp[A2].tx_room = 3;
	for (i = 0; i < ECORE_BURST; i++)
		burst[i] = frame(fx, BCAST, 1, -1);
	ecore_process(&fx->c, fx->slot[A1], burst, ECORE_BURST, 0);
	assert_int_equal(sent(fx, A2), 3);
	assert_int_equal(sent(fx, T), ECORE_BURST);
	assert_int_equal(fx->c.drops[ECORE_DROP_TX_FULL], ECORE_BURST - 3);
	assert_int_equal(fx->c.ports[fx->slot[A2]].c.tx_packets, 3);
	assert_int_equal(fx->c.ports[fx->slot[A2]].c.drops[ECORE_DROP_TX_FULL],
			 ECORE_BURST - 3);
	/* zero copy: the trunk sent from the very buffers received */
	for (i = 0; i < ECORE_BURST; i++)
		assert_ptr_equal(fx->mp[T].buf[i], burst[i]->data);
	assert_int_equal(fx->c.bytes_copied, 0);
}

static unsigned int n_standby_fn, n_ha_fn, standby_slot;

static void count_standby(void *arg, unsigned int slot, const struct pkt *pkt)
{
	n_standby_fn++;
	standby_slot = slot;
}

static void count_ha(void *arg, const struct pkt *pkt)
{
	n_ha_fn++;
}

/* A partition whose gateway group has another master stands by. */
static void test_standby(void **state)
{
	struct fixture *fx = *state;
	struct port p = { .ops = &mem_ib_ops, .fd = -1, .max_payload = 1500 };
	struct pkt *f;

	strcpy(p.name, "rxe0.8001");
	p.priv = &fx->mp[IB];
	fx->mp[IB].tx_room = MAX_SENT;
	fx->slot[IB] =
		ecore_port_attach(&fx->c, &p, ECORE_ACCESS, fx->pa, false);
	assert_true(fx->slot[IB] >= 0);
	fx->c.standby_fn = count_standby;
	fx->c.ha_fn = count_ha;
	n_standby_fn = n_ha_fn = 0;
	/* master: Ethernet <-> IB both ways */
	inject(fx, A1, frame(fx, BCAST, 1, -1), 0);
	assert_int_equal(sent(fx, IB), 1);
	inject(fx, IB, frame(fx, BCAST, 9, -1), 0);
	assert_int_equal(sent(fx, A1), 1);
	/* standby: nothing crosses, Ethernet to Ethernet still does */
	fx->c.parts[fx->pa].standby = true;
	fx->c.parts[fx->pa].ha_watch = true;
	reset_sent(fx);
	inject(fx, A1, frame(fx, BCAST, 1, -1), 0);
	assert_int_equal(sent(fx, IB), 0);
	assert_int_equal(sent(fx, A2), 1);
	assert_int_equal(n_standby_fn, 1);
	assert_int_equal(standby_slot, fx->slot[IB]);
	reset_sent(fx);
	inject(fx, IB, frame(fx, BCAST, 9, -1), 0);
	assert_int_equal(sent(fx, A1) + sent(fx, A2) + sent(fx, T), 0);
	/* unicast to an IB neighbour learned while master: kept too */
	f = frame(fx, BCAST, 1, -1);
	mac(f->data, 9);
	inject(fx, A2, f, 0);
	assert_int_equal(sent(fx, IB), 0);
	assert_int_equal(n_standby_fn, 2);
	assert_int_equal(fx->c.parts[fx->pa].c.drops[ECORE_DROP_STANDBY], 3);
	assert_string_equal(ecore_drop_name(ECORE_DROP_STANDBY), "standby");
	/* another gateway's advertisement from Ethernet: consumed */
	f = frame(fx, BCAST, 7, -1);
	f->data[12] = 0x88;
	f->data[13] = 0xb6;
	reset_sent(fx);
	inject(fx, A1, f, 0);
	assert_int_equal(n_ha_fn, 1);
	assert_int_equal(sent(fx, A2) + sent(fx, IB) + sent(fx, T), 0);
	/* without a group it is an ordinary frame */
	fx->c.parts[fx->pa].standby = false;
	fx->c.parts[fx->pa].ha_watch = false;
	f = frame(fx, BCAST, 7, -1);
	f->data[12] = 0x88;
	f->data[13] = 0xb6;
	inject(fx, A1, f, 0);
	assert_int_equal(n_ha_fn, 1);
	assert_int_equal(sent(fx, A2), 1);
	assert_int_equal(sent(fx, IB), 1);
}

/* The same driver as the engine's "peer" kind (links to other fabricds). */
static const struct port_ops mem_peer_ops = {
	.kind = "peer",
	.open = mem_open,
	.rx_burst = mem_rx,
	.tx_burst = mem_tx,
	.close = mem_close,
	.stats = mem_stats,
};

/*
 * A gateway group's frame (0x88B6) from a peer port, in a partition whose
 * group we are not in: its source is learned, it goes nowhere. Other
 * frames from the peer port flood as usual.
 */
static void test_peer_ha(void **state)
{
	struct fixture *fx = *state;
	struct port p = { .ops = &mem_peer_ops, .fd = -1, .max_payload = 1500 };
	const int P = N_PORTS;
	struct pkt *f;

	strcpy(p.name, "peer.0001");
	p.priv = &fx->mp[P];
	fx->mp[P].tx_room = MAX_SENT;
	fx->slot[P] =
		ecore_port_attach(&fx->c, &p, ECORE_ACCESS, fx->pa, false);
	assert_true(fx->slot[P] >= 0);
	f = frame(fx, BCAST, 7, -1);
	f->data[12] = 0x88;
	f->data[13] = 0xb6;
	inject(fx, P, f, 0);
	assert_int_equal(sent(fx, A1) + sent(fx, A2) + sent(fx, T), 0);
	assert_int_equal(fx->c.parts[fx->pa].c.drops[ECORE_DROP_HA_PEER], 1);
	assert_string_equal(ecore_drop_name(ECORE_DROP_HA_PEER), "ha_peer");
	/* its source moved to the peer port: unicast to it goes there */
	f = frame(fx, BCAST, 1, -1);
	mac(f->data, 7);
	inject(fx, A1, f, 0);
	assert_int_equal(sent(fx, P), 1);
	assert_int_equal(sent(fx, A2) + sent(fx, T), 0);
	/* anything else from the peer port floods */
	inject(fx, P, frame(fx, BCAST, 8, -1), 0);
	assert_int_equal(sent(fx, A1), 1);
	assert_int_equal(sent(fx, A2), 1);
	/* 0x88B6 from a VM's port is not the peer links' business */
	f = frame(fx, BCAST, 1, -1);
	f->data[12] = 0x88;
	f->data[13] = 0xb6;
	inject(fx, A1, f, 0);
	assert_int_equal(sent(fx, A2), 2);
}

static void test_inactive_partition(void **state)
{
	struct fixture *fx = *state;

	ecore_part_set(&fx->c, "tenant-b", 2, 30, false);
	ecore_rebuild(&fx->c);
	inject(fx, B1, frame(fx, BCAST, 7, -1), 0);
	inject(fx, T, frame(fx, BCAST, 9, 30), 0);
	assert_int_equal(fx->c.drops[ECORE_DROP_NO_PARTITION], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_UNKNOWN_VID], 1);
	assert_int_equal(sent(fx, T) + sent(fx, B1), 0);
}

static void test_pool_only_port(void **state)
{
	struct fixture *fx = *state;
	uint8_t m9[6];
	unsigned int i;

	/* a buffer-keeping port (like AF_XDP/verbs) in tenant-a */
	assert_true(attach(fx, N_PORTS, "x", ECORE_ACCESS, fx->pa, false) >= 0);
	fx->c.ports[fx->slot[N_PORTS]].port.flags = PORT_F_TX_POOL_ONLY;
	/* a flood needs a copy for it (one buffer, several senders) */
	inject(fx, A1, frame(fx, BCAST, 1, -1), 0);
	assert_int_equal(sent(fx, N_PORTS), 1);
	assert_int_equal(fx->c.bytes_copied, 60);
	/* learned unicast hands the buffer over: no copy */
	inject(fx, N_PORTS, frame(fx, BCAST, 9, -1), 0);
	mac(m9, 9);
	inject(fx, A1, frame(fx, m9, 1, -1), 0);
	assert_int_equal(sent(fx, N_PORTS), 2);
	assert_int_equal(fx->c.bytes_copied, 60);
	for (i = 0; i < fx->mp[N_PORTS].n_kept; i++)
		pool_free(fx->mp[N_PORTS].kept[i]);
}

static void test_port_del_flushes(void **state)
{
	struct fixture *fx = *state;
	uint8_t m2[6];

	mac(m2, 2);
	inject(fx, A2, frame(fx, BCAST, 2, -1), 0);
	ecore_port_del(&fx->c, fx->slot[A2]);
	assert_int_equal(ecore_port_find(&fx->c, "a2"), -ENOENT);
	reset_sent(fx);
	inject(fx, A1, frame(fx, m2, 1, -1), 0);
	assert_int_equal(sent(fx, A2), 0);
	assert_int_equal(sent(fx, T), 1); /* unknown again: flooded */
	assert_int_equal(ecore_port_add(&fx->c, "a1", "netdev", ECORE_ACCESS,
					fx->pa, false),
			 -EEXIST);
	assert_int_equal(ecore_port_add(&fx->c, "zz", "bogus", ECORE_ACCESS,
					fx->pa, false),
			 -EINVAL);
}

/* Learning limits and quotas in the engine; floods to unknown MACs counted. */
static void test_fdb_limits(void **state)
{
	struct fixture *fx = *state;
	struct fdb_share sh;
	uint8_t m[6];
	unsigned int i;

	fdb_port_share(fx->c.fdb, fx->slot[A1], &sh);
	assert_int_equal(sh.limit, ECORE_ACCESS_FDB_LIMIT);
	fdb_port_share(fx->c.fdb, fx->slot[T], &sh);
	assert_int_equal(sh.limit, FDB_LIMIT_NONE);
	fdb_set_port_limit(fx->c.fdb, fx->slot[A1], 3);
	for (i = 1; i <= 5; i++)
		inject(fx, A1, frame(fx, BCAST, 0x10 + i, -1), 0);
	fdb_port_share(fx->c.fdb, fx->slot[A1], &sh);
	assert_int_equal(sh.entries, 3);
	assert_int_equal(sh.refused, 2);
	/* unicast to an address not learned floods, counted */
	mac(m, 0x99);
	inject(fx, B1, frame(fx, m, 3, -1), 0);
	assert_int_equal(fx->c.parts[fx->pb].c.flooded, 1);
	assert_int_equal(fx->c.ports[fx->slot[B1]].c.flooded, 1);
	assert_int_equal(fx->c.parts[fx->pa].c.flooded, 0);
	/* known unicast does not count */
	mac(m, 0x11);
	inject(fx, A2, frame(fx, m, 2, -1), 0);
	assert_int_equal(fx->c.parts[fx->pa].c.flooded, 0);
	/* a runtime quota wins over the policy's, until the partition goes */
	assert_int_equal(ecore_part_fdb_limit(&fx->c, fx->pa, 10, true), 0);
	assert_int_equal(ecore_part_fdb_limit(&fx->c, fx->pa, 20, false), 0);
	fdb_part_share(fx->c.fdb, fx->pa, &sh);
	assert_int_equal(sh.limit, 10);
	assert_int_equal(ecore_part_fdb_limit(&fx->c, 4000, 10, true), -ENOENT);
	ecore_part_remove(&fx->c, fx->pa);
	fx->pa = ecore_part_set(&fx->c, "tenant-c", 3, 40, true);
	fdb_part_share(fx->c.fdb, fx->pa, &sh);
	assert_int_equal(sh.limit, FDB_LIMIT_SHARED);
	assert_int_equal(sh.entries, 0);
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_flood_stays_in_partition),
		T_(test_trunk_ingress),
		T_(test_pcp_kept),
		T_(test_learning_unicast),
		T_(test_move_and_aging),
		T_(test_limited_isolation),
		T_(test_bad_frames_counted),
		T_(test_tx_full_and_burst),
		T_(test_inactive_partition),
		T_(test_standby),
		T_(test_peer_ha),
		T_(test_pool_only_port),
		T_(test_port_del_flushes),
		T_(test_fdb_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
