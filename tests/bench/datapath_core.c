// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * engine-bench: the engine core on a synthetic burst loop, no I/O. Two
 * access ports and a trunk with a null driver; bursts of 32 learned-unicast
 * frames access -> access and access -> trunk (tag push). Run under
 * callgrind with --toggle-collect=ecore_process to count the instructions
 * per forwarded packet (tests/bench/datapath.sh does).
 *
 * Usage: engine-bench [BURSTS [SCENARIO [SAMPLING]]]   SCENARIO: both
 * (default), access (access -> access only) or trunk (access -> trunk
 * only); SAMPLING N > 0: IPFIX flow cache on, 1 in N frames observed
 * (eth/flow.h). Prints the packets forwarded per scenario.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth/flow.h"
#include "fabricd/engine/engine_core.h"

static int null_open(struct port *p)
{
	return 0;
}

static int null_rx(struct port *p, struct pkt **pkts, unsigned int n)
{
	return 0;
}

static int null_tx(struct port *p, struct pkt **pkts, unsigned int n)
{
	return n;
}

static void null_close(struct port *p)
{
}

static void null_stats(struct port *p, struct port_hw_stats *st)
{
	memset(st, 0, sizeof(*st));
}

static const struct port_ops null_ops = {
	.kind = "null",
	.open = null_open,
	.rx_burst = null_rx,
	.tx_burst = null_tx,
	.close = null_close,
	.stats = null_stats,
};

static int attach(struct engine_core *c, const char *name, enum ecore_role role,
		  int part)
{
	struct port p = { .ops = &null_ops, .fd = -1, .max_payload = 1500 };

	snprintf(p.name, sizeof(p.name), "%s", name);
	return ecore_port_attach(c, &p, role, part, false);
}

static void fill(struct pkt *p, unsigned int dst, unsigned int src)
{
	static const uint8_t hdr[14] = { 2, 0, 0, 0, 0, 0, 2,
					 0, 0, 0, 0, 0, 8, 0 };

	p->data = p->head + 128;
	memcpy(p->data, hdr, sizeof(hdr));
	p->data[5] = dst;
	p->data[11] = src;
	p->len = 60;
}

/* Forward @bursts bursts from @in to the MAC learned on another port. */
static unsigned long run(struct engine_core *c, int in, unsigned int dst,
			 unsigned long bursts)
{
	struct pkt *pkts[ECORE_BURST];
	unsigned long b, n = 0;
	unsigned int i;

	for (b = 0; b < bursts; b++) {
		for (i = 0; i < ECORE_BURST; i++) {
			pkts[i] = pool_alloc(c->pool);
			fill(pkts[i], dst, 1 + i % 8);
		}
		/* the clock ticks once per ms: ~1000 bursts of 1 us */
		ecore_process(c, in, pkts, ECORE_BURST, b >> 10);
		n += ECORE_BURST;
	}
	return n;
}

int main(int argc, char **argv)
{
	unsigned long bursts = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000;
	const char *which = argc > 2 ? argv[2] : "both";
	unsigned long sampling = argc > 3 ? strtoul(argv[3], NULL, 0) : 0;
	struct flow_cache *fc = NULL;
	struct engine_core c;
	struct pool *pool = pool_create(1024, 2048, 128);
	struct pkt *p;
	int a1, a2, t, part;

	if (!pool || ecore_init(&c, pool, 4096, 1u << 30))
		return 1;
	part = ecore_part_set(&c, "bench", 1, 20, true);
	a1 = attach(&c, "a1", ECORE_ACCESS, part);
	a2 = attach(&c, "a2", ECORE_ACCESS, part);
	t = attach(&c, "t", ECORE_TRUNK, 0);
	/* teach the table where MACs 0x40 (a2) and 0x50 (trunk) live */
	p = pool_alloc(pool);
	fill(p, 0xff, 0x40);
	ecore_process(&c, a2, &p, 1, 0);
	p = pool_alloc(pool);
	fill(p, 0xff, 0x50);
	memmove(p->data - 4, p->data, 12);
	p->data -= 4;
	p->data[12] = 0x81, p->data[13] = 0, p->data[14] = 0, p->data[15] = 20;
	p->len += 4;
	ecore_process(&c, t, &p, 1, 0);
	if (sampling) {
		fc = flow_cache_create(&(struct flow_config){ 0 });
		if (!fc)
			return 1;
		ecore_flow_set(&c, fc, (uint32_t)sampling);
	}
	if (strcmp(which, "trunk"))
		printf("access->access %lu packets\n",
		       run(&c, a1, 0x40, bursts));
	if (strcmp(which, "access"))
		printf("access->trunk %lu packets\n",
		       run(&c, a1, 0x50, bursts));
	printf("copied %lu bytes, tx %lu+%lu\n", (unsigned long)c.bytes_copied,
	       (unsigned long)c.ports[a2].c.tx_packets,
	       (unsigned long)c.ports[t].c.tx_packets);
	ecore_fini(&c);
	flow_cache_destroy(fc);
	pool_destroy(pool);
	return 0;
}
