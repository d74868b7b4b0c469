// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ipoib-bench: the engine's UD message rate over two ipoib ports.
 *
 *   ipoib-bench -a rxe0.8001 -b rxe1.8001 -s SIZE [-t SECONDS]
 *
 * Two engine cores, one thread each, like two gateways: A has a generator
 * port and the ipoib port -a; B has the ipoib port -b and a sink port.
 * The generator first resolves the sink's address with ARP through both
 * translations (it learns the MAC B's IB neighbour has on A), then sends
 * IPv4/UDP frames whose UD message (IPoIB header + IP packet) is SIZE
 * bytes; A switches them to its ipoib port, which encapsulates in place
 * and posts the pool buffer. B's ipoib port receives into pool buffers,
 * decapsulates in place and B switches them to the sink, which counts.
 * Prints the messages the sink got per second over the measured window.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fabricd/engine/engine_core.h"
#include "ipoib/port_ipoib.h"
#include "lib/util.h"

#define POOL_BUFS 8192
#define BUF_SIZE 4096 /* a 2048-byte UD message + GRH fits */

static const uint8_t mac_gen[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_sink[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t ip_gen[4] = { 10, 99, 0, 1 };
static const uint8_t ip_sink[4] = { 10, 99, 0, 2 };

struct side {
	struct engine_core core;
	struct pool *pool;
	const char *ib_name;
	pthread_t thread;
	int err;
};

/* Shared between the generator, the sink and main. */
static struct {
	unsigned int size; /* UD message bytes */
	_Atomic int resolved; /* the generator knows the sink's MAC */
	uint8_t dst_mac[6];
	_Atomic uint64_t generated, delivered, arp_replies;
	_Atomic int stop;
	uint8_t reply[64]; /* ARP reply the sink sends next, if len */
	_Atomic unsigned int reply_len;
} g;

static void put_arp(uint8_t *f, uint16_t op, const uint8_t *smac,
		    const uint8_t *sip, const uint8_t *tmac, const uint8_t *tip)
{
	memcpy(f,
	       op == 1 ?
		       (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } :
		       tmac,
	       6);
	memcpy(f + 6, smac, 6);
	memcpy(f + 12, (const uint8_t[]){ 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0 },
	       9);
	f[21] = (uint8_t)op;
	memcpy(f + 22, smac, 6);
	memcpy(f + 28, sip, 4);
	memcpy(f + 32, tmac, 6);
	memcpy(f + 38, tip, 4);
}

/* IPv4/UDP headers for a UD message of g.size bytes (checksum 0: none). */
static void put_udp(uint8_t *f)
{
	unsigned int iplen = g.size - IPOIB_HDR_LEN;
	uint32_t sum = 0;
	int i;

	memcpy(f, g.dst_mac, 6);
	memcpy(f + 6, mac_gen, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, 0, 28);
	f[14] = 0x45;
	f[16] = (uint8_t)(iplen >> 8);
	f[17] = (uint8_t)iplen;
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, ip_gen, 4);
	memcpy(f + 30, ip_sink, 4);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(f[14 + i] << 8 | f[15 + i]);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
	f[24] = (uint8_t)(sum >> 8);
	f[25] = (uint8_t)sum;
	f[34] = 0x30;
	f[35] = 0x39;
	f[36] = 0x30;
	f[37] = 0x39;
	f[38] = (uint8_t)((iplen - 20) >> 8);
	f[39] = (uint8_t)(iplen - 20);
}

static int gen_rx(struct port *p, struct pkt **pkts, unsigned int n)
{
	unsigned int i;

	if (!g.resolved) {
		struct pkt *pkt;
		static uint64_t last;
		uint64_t now = util_now_ms();

		if (now - last < 200 || !(pkt = pool_alloc(p->pool)))
			return 0;
		last = now;
		put_arp(pkt->data, 1, mac_gen, ip_gen, (const uint8_t[6]){ 0 },
			ip_sink);
		pkt->len = 60;
		pkts[0] = pkt;
		return 1;
	}
	for (i = 0; i < n && pool_avail(p->pool) > POOL_BUFS / 4; i++) {
		pkts[i] = pool_alloc(p->pool);
		put_udp(pkts[i]->data);
		pkts[i]->len = 14 + g.size - IPOIB_HDR_LEN;
	}
	g.generated += i;
	return (int)i;
}

/* The generator's side receives the ARP reply. */
static int gen_tx(struct port *p, struct pkt **pkts, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const uint8_t *f = pkts[i]->data;

		if (pkts[i]->len >= 42 && f[12] == 0x08 && f[13] == 0x06 &&
		    f[21] == 2 && !memcmp(f + 28, ip_sink, 4)) {
			memcpy(g.dst_mac, f + 22, 6);
			g.resolved = 1;
		}
	}
	return (int)n;
}

static int sink_rx(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct pkt *pkt;

	if (!g.reply_len || !(pkt = pool_alloc(p->pool)))
		return 0;
	memcpy(pkt->data, g.reply, g.reply_len);
	pkt->len = g.reply_len;
	g.reply_len = 0;
	pkts[0] = pkt;
	return 1;
}

static int sink_tx(struct port *p, struct pkt **pkts, unsigned int n)
{
	unsigned int i, udp = 0;

	for (i = 0; i < n; i++) {
		const uint8_t *f = pkts[i]->data;

		if (f[12] == 0x08 && f[13] == 0x00) {
			udp++;
		} else if (f[12] == 0x08 && f[13] == 0x06 && f[21] == 1 &&
			   !memcmp(f + 38, ip_sink, 4) && !g.reply_len) {
			put_arp(g.reply, 2, mac_sink, ip_sink, f + 22, f + 28);
			g.reply_len = 60;
			g.arp_replies++;
		}
	}
	g.delivered += udp;
	return (int)n;
}

static int fake_open(struct port *p)
{
	p->max_payload = BUF_SIZE - POOL_HEADROOM_DEFAULT - 64;
	p->mode = "bench";
	return 0;
}

static void fake_close(struct port *p)
{
}

static void fake_stats(struct port *p, struct port_hw_stats *st)
{
	memset(st, 0, sizeof(*st));
}

static const struct port_ops gen_ops = {
	.kind = "gen",
	.open = fake_open,
	.rx_burst = gen_rx,
	.tx_burst = gen_tx,
	.close = fake_close,
	.stats = fake_stats,
};

static const struct port_ops sink_ops = {
	.kind = "sink",
	.open = fake_open,
	.rx_burst = sink_rx,
	.tx_burst = sink_tx,
	.close = fake_close,
	.stats = fake_stats,
};

static int attach(struct side *s, const struct port_ops *ops, const char *name)
{
	struct port p;
	int ret = port_open(&p, ops, name, s->pool);

	if (ret)
		return ret;
	ret = ecore_port_attach(&s->core, &p, ECORE_ACCESS, 0, false);
	if (ret < 0)
		port_close(&p);
	return ret < 0 ? ret : 0;
}

/* The ipoib kind's state, registered on first use; both sides share it. */
static struct ipoib_kind *ipoib_kind(void)
{
	struct ipoib_kind *k = port_kind_priv(&ipoib_port_ops);

	if (k)
		return k;
	k = ipoib_kind_create();
	if (k && port_kind_register_priv(&ipoib_port_ops, k)) {
		ipoib_kind_destroy(k);
		return NULL;
	}
	return k;
}

static int side_init(struct side *s, const struct port_ops *ops,
		     const char *fake)
{
	struct ipoib_port_cfg cfg;
	struct ipoib_kind *k;
	int ret;

	s->pool = pool_create(POOL_BUFS, BUF_SIZE, POOL_HEADROOM_DEFAULT);
	if (!s->pool || ecore_init(&s->core, s->pool, 1024, 300000))
		return -ENOMEM;
	if (ecore_part_set(&s->core, "bench", 0x8001, 0, true) < 0)
		return -ENOSPC;
	k = ipoib_kind();
	if (!k)
		return -ENOMEM;
	ret = ipoib_port_parse_name(s->ib_name, &cfg);
	if (ret)
		return ret;
	cfg.rx_depth = 1024;
	cfg.tx_depth = 512;
	ret = ipoib_port_configure(k, s->ib_name, &cfg);
	if (!ret)
		ret = attach(s, &ipoib_port_ops, s->ib_name);
	if (!ret)
		ret = attach(s, ops, fake);
	return ret;
}

/* Busy-poll every port of @s, like the engine with busy polling on. */
static void *side_run(void *arg)
{
	struct side *s = arg;
	struct pkt *pkts[ECORE_BURST];
	unsigned int i;
	int n;

	while (!g.stop) {
		for (i = 0; i < ECORE_MAX_PORTS; i++) {
			struct ecore_port *ep = &s->core.ports[i];

			if (!ep->used || !ep->port.ops)
				continue;
			n = ep->port.ops->rx_burst(&ep->port, pkts,
						   ECORE_BURST);
			if (n > 0)
				ecore_process(&s->core, i, pkts,
					      (unsigned int)n, util_now_ms());
		}
	}
	return NULL;
}

static void report(unsigned int secs, uint64_t d0, uint64_t g0, double dt)
{
	uint64_t d = g.delivered - d0, gen = g.generated - g0;

	printf("ipoib-bench: size %u: %llu messages in %.2f s: %.0f msg/s "
	       "(generated %.0f/s)\n",
	       g.size, (unsigned long long)d, dt, d / dt, gen / dt);
}

static int measure(unsigned int secs)
{
	uint64_t t0, d0, g0, deadline = util_now_ms() + 20000;

	while (!g.delivered && util_now_ms() < deadline)
		usleep(10000);
	if (!g.delivered) {
		fprintf(stderr,
			"ipoib-bench: nothing delivered (resolved %d, ARP "
			"replies %llu)\n",
			g.resolved, (unsigned long long)g.arp_replies);
		return 1;
	}
	usleep(500000); /* warm up */
	t0 = util_now_ms();
	d0 = g.delivered;
	g0 = g.generated;
	sleep(secs);
	report(secs, d0, g0, (double)(util_now_ms() - t0) / 1000.0);
	return 0;
}

int main(int argc, char **argv)
{
	static struct side a, b;
	unsigned int secs = 5;
	int c, ret;

	g.size = 64;
	while ((c = getopt(argc, argv, "a:b:s:t:")) != -1) {
		if (c == 'a')
			a.ib_name = optarg;
		else if (c == 'b')
			b.ib_name = optarg;
		else if (c == 's')
			g.size = (unsigned int)atoi(optarg);
		else if (c == 't')
			secs = (unsigned int)atoi(optarg);
	}
	if (!a.ib_name || !b.ib_name || g.size < 48 || g.size > 4000) {
		fprintf(stderr, "usage: ipoib-bench -a IBPORT -b IBPORT "
				"[-s 48..4000] [-t SECONDS]\n");
		return 2;
	}
	if ((ret = side_init(&a, &gen_ops, "gen")) ||
	    (ret = side_init(&b, &sink_ops, "sink"))) {
		fprintf(stderr, "ipoib-bench: setup: %s\n", strerror(-ret));
		return 1;
	}
	pthread_create(&a.thread, NULL, side_run, &a);
	pthread_create(&b.thread, NULL, side_run, &b);
	ret = measure(secs);
	g.stop = 1;
	pthread_join(a.thread, NULL);
	pthread_join(b.thread, NULL);
	ecore_fini(&a.core);
	ecore_fini(&b.core);
	return ret;
}
