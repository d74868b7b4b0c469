// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: any bytes as a frame through the engine core's whole
 * pipeline (parse, classify, pop/push 802.1Q, learn, look up, send). The
 * first input byte picks the ingress port (access, limited, trunk); the
 * rest is the frame. Checks, beyond no crash/leak/overflow: access ports
 * only ever send untagged frames of their partition, the trunk only frames
 * tagged with a partition's VID, nothing is sent twice to one port, and
 * every buffer returns to the pool.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eth/frame.h"
#include "fabricd/engine/engine_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { P_A1, P_A2, P_B1, P_L1, P_T, N_PORTS };

static struct engine_core core;
static struct pool *pool;
static int slots[N_PORTS];
static unsigned int sent[N_PORTS];

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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t now;
	struct pkt *pkts[2];
	unsigned int i, n, before[N_PORTS];
	int in;

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
	ecore_process(&core, slots[in], pkts, n, now += 7);
	if (pool_avail(pool) != 64)
		abort(); /* a buffer leaked */
	for (i = 0; i < N_PORTS; i++)
		if (sent[i] - before[i] > n ||
		    (i == (unsigned int)in && sent[i] != before[i]))
			abort(); /* duplicated, or hairpinned to its source */
	return 0;
}
