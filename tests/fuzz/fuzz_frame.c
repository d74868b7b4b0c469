// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: any bytes as a frame through the engine core's whole
 * pipeline (parse, classify, pop/push 802.1Q, learn, look up, send). The
 * first input byte picks the ingress port (access, limited, trunk); the
 * rest is the frame. Checks, beyond no crash/leak/overflow: access ports
 * only ever send untagged frames of their partition, the trunk only frames
 * tagged with a partition's VID, nothing is sent twice to one port, and
 * every buffer returns to the pool.
 *
 * Both paths: where the XDP fast path's program loads (root, BPF), each
 * frame is also run through it first (BPF_PROG_TEST_RUN) with maps as the
 * engine keeps them (its FDB watch fills the program's table). Whatever
 * the program forwards in the kernel, the engine must send to that same
 * one port, byte for byte; what it drops (isolation) the engine must not
 * send anywhere.
 */
#include <linux/bpf.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "eth/frame.h"
#include "eth/xdp_fast.h"
#include "fabricd/engine/engine_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { P_A1, P_A2, P_B1, P_L1, P_T, N_PORTS };

static struct engine_core core;
static struct pool *pool;
static int slots[N_PORTS];
static unsigned int sent[N_PORTS];
static uint8_t last[N_PORTS][2048]; /* the last frame sent to each port */
static uint32_t last_len[N_PORTS];
static int lo; /* the XDP program is loaded: the test run's interface */

static int f_open(struct port *p)
{
	return 0;
}

static int f_rx(struct port *p, struct pkt **pkts, unsigned int n)
{
	return 0;
}

/* Check what the engine sends against the port's role. */
static int f_tx(struct port *p, struct pkt **pkts, unsigned int n)
{
	intptr_t id = (intptr_t)p->priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const uint8_t *f = pkts[i]->data;
		uint16_t type = frame_get_be16(f + 12);

		if (pkts[i]->len < FRAME_ETH_HLEN)
			abort();
		if (id == P_T) {
			uint16_t vid = frame_get_be16(f + 14) & 0xfff;

			if (type != FRAME_TPID_8021Q ||
			    (vid != 20 && vid != 30))
				abort();
		} else if (type == FRAME_TPID_8021Q) {
			abort(); /* access ports get untagged frames only */
		}
		if (id == P_B1 && pkts[i]->part != 1)
			abort();
		if (id != P_B1 && id != P_T && pkts[i]->part != 0)
			abort();
		last_len[id] = pkts[i]->len;
		memcpy(last[id], f, pkts[i]->len);
	}
	sent[id] += n;
	return n;
}

static void f_close(struct port *p)
{
}

static void f_stats(struct port *p, struct port_hw_stats *st)
{
	memset(st, 0, sizeof(*st));
}

static const struct port_ops fuzz_ops = {
	.kind = "fuzz",
	.open = f_open,
	.rx_burst = f_rx,
	.tx_burst = f_tx,
	.close = f_close,
	.stats = f_stats,
};

static void attach(int id, enum ecore_role role, int part, bool limited)
{
	struct port p = { .ops = &fuzz_ops, .fd = -1, .max_payload = 1500 };

	p.name[0] = 'p';
	p.name[1] = '0' + id;
	p.priv = (void *)(intptr_t)id;
	slots[id] = ecore_port_attach(&core, &p, role, part, limited);
	if (slots[id] < 0)
		abort();
}

/* The fast path's view of port @id, as engine_fast.c would set it. */
static void xdp_port(int id)
{
	unsigned int flags = XF_PORT_FAST | XF_PORT_EGRESS;

	flags |= id == P_T ? XF_PORT_TRUNK : 0;
	flags |= id == P_L1 ? XF_PORT_LIMITED : 0;
	if (xdp_fast_port_set(lo, slots[id], core.ports[slots[id]].part, flags))
		abort();
}

/* Load the program (root only); every port's egress is lo. */
static void setup_xdp(void)
{
	int id;

	lo = (int)if_nametoindex("lo");
	if (!lo || xdp_fast_hold()) {
		lo = 0;
		return;
	}
	ecore_rebuild(&core); /* partitions and VIDs into the maps */
	for (id = 0; id < N_PORTS; id++)
		xdp_port(id);
}

static uint64_t xdp_tx(int id)
{
	struct xf_counters c;

	xdp_fast_counters(slots[id], &c);
	return c.tx_packets;
}

/*
 * Run the frame through the XDP program as arriving on port @in. Returns
 * its verdict; *@to the port it forwarded to, the frame in @out.
 */
static int xdp_run(int in, const uint8_t *f, size_t len, int *to, uint8_t *out,
		   uint32_t *out_len)
{
	uint64_t before[N_PORTS];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f,
		    .data_size_in = (uint32_t)len, .data_out = out,
		    .data_size_out = 2048, .repeat = 1);
	int id;

	xdp_port(in);
	for (id = 0; id < N_PORTS; id++)
		before[id] = xdp_tx(id);
	if (bpf_prog_test_run_opts(xdp_fast_prog_fd(), &o))
		return -1; /* shorter than a header: never run */
	*to = -1;
	for (id = 0; id < N_PORTS; id++)
		if (xdp_tx(id) != before[id])
			*to = id;
	*out_len = o.data_size_out;
	return (int)o.retval;
}

/* What the engine did must be what the program did in the kernel. */
static void check_same(int verdict, int to, const uint8_t *out,
		       uint32_t out_len, const unsigned int *before)
{
	int id;

	if (verdict == XDP_REDIRECT && to < 0)
		abort();
	for (id = 0; id < N_PORTS; id++) {
		unsigned int got = sent[id] - before[id];

		if (verdict == XDP_DROP && got)
			abort(); /* dropped in the kernel, sent by the engine */
		if (verdict != XDP_REDIRECT)
			continue;
		if ((id == to) != (got > 0))
			abort(); /* forwarded elsewhere than the engine would */
		if (id == to &&
		    (last_len[id] != out_len || memcmp(last[id], out, out_len)))
			abort(); /* another frame (tag) than the engine's */
	}
}

static void setup(void)
{
	int a, b;

	pool = pool_create(64, 2048, 128);
	if (!pool || ecore_init(&core, pool, 64, 1000))
		abort();
	a = ecore_part_set(&core, "a", 1, 20, true);
	b = ecore_part_set(&core, "b", 2, 30, true);
	attach(P_A1, ECORE_ACCESS, a, false);
	attach(P_A2, ECORE_ACCESS, a, false);
	attach(P_B1, ECORE_ACCESS, b, false);
	attach(P_L1, ECORE_ACCESS, a, true);
	attach(P_T, ECORE_TRUNK, 0, false);
	setup_xdp();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t now;
	struct pkt *pkts[2];
	unsigned int i, n, before[N_PORTS];
	static uint8_t out[2048];
	uint32_t out_len = 0;
	int in, verdict = -1, to = -1;

	if (!pool)
		setup();
	if (size < 1 || size > 1 + 1600)
		return 0;
	in = data[0] % N_PORTS;
	/* the same frame twice in one burst: learning, then switching */
	n = data[0] & 0x80 ? 2 : 1;
	for (i = 0; i < n; i++) {
		pkts[i] = pool_alloc(pool);
		memcpy(pkts[i]->data, data + 1, size - 1);
		pkts[i]->len = size - 1;
	}
	memcpy(before, sent, sizeof(before));
	now += 7;
	if (lo) { /* both paths, on the same table */
		fdb_age(core.fdb, now);
		verdict = xdp_run(in, data + 1, size - 1, &to, out, &out_len);
	}
	ecore_process(&core, slots[in], pkts, n, now);
	if (pool_avail(pool) != 64)
		abort(); /* a buffer leaked */
	for (i = 0; i < N_PORTS; i++)
		if (sent[i] - before[i] > n ||
		    (i == (unsigned int)in && sent[i] != before[i]))
			abort(); /* duplicated, or hairpinned to its source */
	if (lo)
		check_same(verdict, to, out, out_len, before);
	return 0;
}
