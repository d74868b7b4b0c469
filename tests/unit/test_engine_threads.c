// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine core driven by two forwarding threads at once, as fabricd
 * runs it with FABRICD_THREADS=2 (docs/HACKING.md, "Forwarding threads"):
 * each thread its own ports and scratch (struct ecore_ctx), the core lock
 * let go while a port sends under its io lock, one shared pool. Both
 * threads learn thousands of source addresses and send known unicast,
 * unknown unicast and broadcast across partitions with limited members,
 * while a third thread flushes the table. The in-memory driver checks
 * every frame it is given against isolation; some of its ports keep the
 * buffers they send and give them back at their next call, on whichever
 * thread (as AF_XDP completions do). At the end no frame crossed,
 * the counters add up to what was injected and no buffer leaked. Built
 * with ASan (make tests) and with ThreadSanitizer (make tsan).
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fabricd/engine/engine_core.h"

#define POOL_N 1024
/* bursts per thread; ENGINE_THREADS_ROUNDS sets it (the TSan run) */
#define ROUNDS_DEFAULT 20000
static unsigned int rounds = ROUNDS_DEFAULT;
#define BURST 16
#define MACS_PER_PORT 700 /* sources each port learns, over and over */

enum { A1, A2, L1, L2, B1, B2, T, N_PORTS };

/* partition index (0: a, 1: b; -1: the trunk, in both) and limited */
static const int port_part[N_PORTS] = { 0, 0, 0, 0, 1, 1, -1 };
static const bool port_limited[N_PORTS] = { [L1] = true, [L2] = true };
/* the ports each thread receives on (the trunk only sends) */
static const int owned[2][3] = { { A1, L1, B1 }, { A2, L2, B2 } };

struct mem_port {
	unsigned int idx; /* A1.. */
	uint64_t sent; /* frames accepted */
	uint64_t crossed; /* frames that must not have come here */
	/* ports that keep buffers (PORT_F_TX_POOL_ONLY, as AF_XDP): what the
	 * last send took, freed by the next call, whichever thread makes it */
	struct pkt *kept[ECORE_BURST];
	unsigned int n_kept;
};

/* The ports that keep the buffers they send, as AF_XDP ports do. */
static const bool port_keeps[N_PORTS] = { [A2] = true, [B1] = true, [T] = true };

/* A keeping port completes its last send: the buffers go back. */
static void complete(struct mem_port *m)
{
	while (m->n_kept)
		pool_free(m->kept[--m->n_kept]);
}

struct fixture {
	struct engine_core c;
	struct pool *pool;
	pthread_mutex_t lock; /* the core lock */
	pthread_mutex_t io[ECORE_MAX_PORTS];
	struct ecore_ctx ctx[2];
	struct mem_port mp[N_PORTS];
	int slot[N_PORTS];
	int part[2];
	uint64_t injected[2];
	bool stop;
};

/* Whether a frame from port @from may reach port @to. */
static bool may_reach(unsigned int from, unsigned int to)
{
	if (from == to)
		return false;
	if (port_part[from] >= 0 && port_part[to] >= 0 &&
	    port_part[from] != port_part[to])
		return false;
	return !(port_limited[from] && port_limited[to]);
}

static int mem_tx(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct mem_port *m = p->priv;
	unsigned int i;

	complete(m);
	for (i = 0; i < n; i++) {
		unsigned int from = pkts[i]->data[8]; /* src 02:00:FROM:.. */

		if (from >= N_PORTS || !may_reach(from, m->idx))
			m->crossed++;
		if (p->flags & PORT_F_TX_POOL_ONLY)
			m->kept[m->n_kept++] = pkts[i];
	}
	m->sent += n;
	sched_yield(); /* a wide window: the other thread runs meanwhile */
	return (int)n;
}

static int mem_nop(struct port *p)
{
	return 0;
}

static int mem_rx(struct port *p, struct pkt **pkts, unsigned int n)
{
	return 0;
}

static void mem_close(struct port *p)
{
}

static const struct port_ops mem_ops = {
	.kind = "mem",
	.open = mem_nop,
	.rx_burst = mem_rx,
	.tx_burst = mem_tx,
	.close = mem_close,
};

static void mac(uint8_t *m, unsigned int port, unsigned int n)
{
	m[0] = 0x02;
	m[1] = 0;
	m[2] = (uint8_t)port;
	m[3] = 0;
	m[4] = (uint8_t)(n >> 8);
	m[5] = (uint8_t)n;
}

/* Frame @i of a round from port @in: unicast to any port, or broadcast. */
static struct pkt *frame(struct fixture *fx, unsigned int in, unsigned int i,
			 unsigned int r)
{
	struct pkt *pkt = pool_alloc(fx->pool);
	unsigned int to = (i * 7 + r) % N_PORTS;

	if (!pkt)
		return NULL;
	memset(pkt->data, 0, 64);
	if ((i + r) % 5 == 0)
		memset(pkt->data, 0xff, 6);
	else
		mac(pkt->data, to, (r + i) % MACS_PER_PORT);
	mac(pkt->data + 6, in, (r * BURST + i) % MACS_PER_PORT);
	pkt->data[12] = 0x08;
	pkt->len = 64;
	return pkt;
}

static void *fwd(void *arg)
{
	struct fixture *fx = ((void **)arg)[0];
	unsigned int t = (unsigned int)(uintptr_t)((void **)arg)[1];
	struct pkt *pkts[BURST];
	unsigned int r, i, k, n;

	for (r = 0; r < rounds; r++) {
		unsigned int in = (unsigned int)owned[t][r % 3];

		for (n = 0, i = 0; i < BURST; i++)
			if ((pkts[n] = frame(fx, in, i, r)))
				n++;
		fx->injected[t] += n;
		pthread_mutex_lock(&fx->lock);
		ecore_process_ctx(&fx->c, &fx->ctx[t],
				  (unsigned int)fx->slot[in], pkts, n, r);
		pthread_mutex_unlock(&fx->lock);
		for (k = 0; k < 3 && r % 64 == 0; k++)
			sched_yield();
	}
	return NULL;
}

/* The control side: flush partition a's table now and then. */
static void *flusher(void *arg)
{
	struct fixture *fx = arg;
	bool stop = false;

	while (!stop) {
		pthread_mutex_lock(&fx->lock);
		fdb_flush(fx->c.fdb, (uint16_t)fx->part[0], FDB_ANY);
		stop = fx->stop;
		pthread_mutex_unlock(&fx->lock);
		usleep(300); /* the table fills again in between */
	}
	return NULL;
}

static void setup_core(struct fixture *fx)
{
	static const char *const names[N_PORTS] = { "a1", "a2", "l1", "l2",
						    "b1", "b2", "t" };
	unsigned int i;

	fx->pool = pool_create(POOL_N, 2048, 128);
	assert_non_null(fx->pool);
	pool_set_shared(fx->pool);
	assert_int_equal(ecore_init(&fx->c, fx->pool, 4096, 1000000), 0);
	fx->part[0] = ecore_part_set(&fx->c, "tenant-a", 1, 20, true);
	fx->part[1] = ecore_part_set(&fx->c, "tenant-b", 2, 30, true);
	for (i = 0; i < N_PORTS; i++) {
		struct port p = { .ops = &mem_ops,
				  .fd = -1,
				  .max_payload = 1500 };

		strcpy(p.name, names[i]);
		fx->mp[i].idx = i;
		p.priv = &fx->mp[i];
		p.mode = "mem";
		p.flags = port_keeps[i] ? PORT_F_TX_POOL_ONLY : 0;
		fx->slot[i] = ecore_port_attach(
			&fx->c, &p, i == T ? ECORE_TRUNK : ECORE_ACCESS,
			(unsigned int)
				fx->part[port_part[i] < 0 ? 0 : port_part[i]],
			port_limited[i]);
		assert_true(fx->slot[i] >= 0);
		fdb_set_port_limit(fx->c.fdb, (unsigned int)fx->slot[i],
				   MACS_PER_PORT);
	}
	pthread_mutex_init(&fx->lock, NULL);
	for (i = 0; i < ECORE_MAX_PORTS; i++)
		pthread_mutex_init(&fx->io[i], NULL);
	fx->c.io_locks = fx->io;
	fx->ctx[0].core_lock = fx->ctx[1].core_lock = &fx->lock;
}

static void test_two_threads(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	void *args[2][2] = { { fx, (void *)0 }, { fx, (void *)1 } };
	pthread_t th[2], fl;
	uint64_t rx = 0, sent = 0, counted = 0, drops = 0;
	struct fdb_stats fs;
	unsigned int i;

	(void)state;
	assert_non_null(fx);
	setup_core(fx);
	assert_int_equal(pthread_create(&fl, NULL, flusher, fx), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, fwd, args[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&fx->lock);
	fx->stop = true;
	pthread_mutex_unlock(&fx->lock);
	pthread_join(fl, NULL);

	for (i = 0; i < N_PORTS; i++) {
		const struct ecore_port *ep = &fx->c.ports[fx->slot[i]];

		assert_int_equal(fx->mp[i].crossed, 0);
		rx += ep->c.rx_packets;
		sent += fx->mp[i].sent;
		counted += ep->c.tx_packets;
	}
	for (i = 0; i < ECORE_DROP_MAX; i++)
		drops += fx->c.drops[i];
	assert_int_equal(rx, fx->injected[0] + fx->injected[1]);
	assert_true(rx > 2 * rounds);
	assert_int_equal(counted, sent); /* every send counted once */
	assert_true(sent > rx); /* floods went out, not only unicast */
	/* limited to limited refused; unicast back to its own port dropped;
	 * nothing else (no buffer ran out, nothing was lost in a send) */
	assert_true(fx->c.drops[ECORE_DROP_ISOLATION] > 0);
	assert_int_equal(fx->c.drops[ECORE_DROP_ISOLATION] +
				 fx->c.drops[ECORE_DROP_SAME_PORT],
			 drops);
	fdb_get_stats(fx->c.fdb, &fs);
	assert_true(fs.learned >
		    2 * MACS_PER_PORT); /* relearned after flushes */
	for (i = 0; i < N_PORTS; i++)
		complete(&fx->mp[i]);
	ecore_fini(&fx->c);
	assert_int_equal(pool_avail(fx->pool), POOL_N); /* nothing leaked */
	pool_destroy(fx->pool);
	free(fx);
}

int main(void)
{
	const char *r = getenv("ENGINE_THREADS_ROUNDS");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads),
	};

	if (r && atoi(r) > 0)
		rounds = (unsigned int)atoi(r);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
