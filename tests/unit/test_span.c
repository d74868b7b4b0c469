// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the engine's mirror sessions (fabricd/engine/span.c), on
 * an engine core whose ports are an in-memory driver: who may be a
 * destination, that a mirror port is never a forwarding target, the wire
 * form of copies (a trunk's tag put back, an ipoib port's GRH and IPoIB
 * header in LINKTYPE_IPOIB), snap length, rate limit, tx copies, limits,
 * and that no buffer leaks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fabricd/engine/engine_core.h"
#include "lib/util.h"

#define MAX_SENT 32

struct mem_port {
	unsigned int n_sent;
	uint32_t len[MAX_SENT];
	uint8_t frame[MAX_SENT][128];
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

	for (i = 0; i < n && m->n_sent < MAX_SENT; i++) {
		m->len[m->n_sent] = pkts[i]->len;
		memcpy(m->frame[m->n_sent++], pkts[i]->data,
		       pkts[i]->len < 128 ? pkts[i]->len : 128);
	}
	return n;
}

static void mem_close(struct port *p)
{
}

static const struct port_ops mem_ops = {
	.kind = "mem",
	.open = mem_open,
	.rx_burst = mem_rx,
	.tx_burst = mem_tx,
	.close = mem_close,
};

/* The same driver under the name of the kind whose copies are IPoIB. */
static const struct port_ops ipoib_ops = {
	.kind = "ipoib",
	.open = mem_open,
	.rx_burst = mem_rx,
	.tx_burst = mem_tx,
	.close = mem_close,
};

enum { A1, A2, B1, T, M, I, N_PORTS };

struct fixture {
	struct engine_core c;
	struct pool *pool;
	struct mem_port mp[N_PORTS];
	int slot[N_PORTS];
	int pa, pb;
	char dir[64];
};

static void attach(struct fixture *fx, int i, const char *name,
		   const struct port_ops *ops, enum ecore_role role, int part)
{
	struct port p = { .ops = ops, .fd = -1, .max_payload = 1500 };

	strcpy(p.name, name);
	p.priv = &fx->mp[i];
	p.mode = "mem";
	fx->slot[i] = ecore_port_attach(&fx->c, &p, role, part, false);
	assert_true(fx->slot[i] >= 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	fx->pool = pool_create(256, 2048, 128);
	assert_int_equal(ecore_init(&fx->c, fx->pool, 1024, 1000), 0);
	fx->pa = ecore_part_set(&fx->c, "tenant-a", 1, 20, true);
	fx->pb = ecore_part_set(&fx->c, "tenant-b", 2, 30, true);
	attach(fx, A1, "a1", &mem_ops, ECORE_ACCESS, fx->pa);
	attach(fx, A2, "a2", &mem_ops, ECORE_ACCESS, fx->pa);
	attach(fx, B1, "b1", &mem_ops, ECORE_ACCESS, fx->pb);
	attach(fx, T, "t", &mem_ops, ECORE_TRUNK, 0);
	attach(fx, M, "m", &mem_ops, ECORE_MIRROR, 0);
	attach(fx, I, "ib0.8001", &ipoib_ops, ECORE_ACCESS, fx->pa);
	strcpy(fx->dir, "/tmp/test_span.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	ecore_fini(&fx->c);
	assert_int_equal(pool_avail(fx->pool), 256); /* no copy leaked */
	pool_destroy(fx->pool);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* A broadcast frame from MAC 02:..:@src, optionally tagged, @pay bytes. */
static struct pkt *frame(struct fixture *fx, unsigned int src, int tci,
			 unsigned int pay)
{
	struct pkt *p = pool_alloc(fx->pool);
	uint8_t *d = p->data;
	unsigned int off = 12;

	memset(d, 0xff, 6);
	memcpy(d + 6, (uint8_t[]){ 2, 0, 0, 0, 0, (uint8_t)src }, 6);
	if (tci >= 0) {
		d[off++] = 0x81, d[off++] = 0x00;
		d[off++] = tci >> 8, d[off++] = tci & 0xff;
	}
	d[off++] = 0x08, d[off++] = 0x00;
	memset(d + off, 0x5a, pay);
	p->len = off + pay;
	return p;
}

static void inject(struct fixture *fx, int in, struct pkt *p)
{
	ecore_process(&fx->c, fx->slot[in], &p, 1, 0);
}

static int add(struct fixture *fx, const struct span_cfg *cfg)
{
	char *error = NULL;
	int ret = span_add(&fx->c, cfg, &error);

	if (ret < 0)
		assert_non_null(error);
	free(error);
	return ret;
}

static void test_destinations(void **state)
{
	struct fixture *fx = *state;
	struct span_cfg cfg = { .name = "s", .src_port = "a1" };
	char name[16];
	int i;

	cfg.dst_port = "a2"; /* same partition, not a mirror port */
	assert_int_equal(add(fx, &cfg), -EPERM);
	cfg.dst_port = "b1"; /* another tenant's port */
	assert_int_equal(add(fx, &cfg), -EPERM);
	cfg.dst_port = "t";
	assert_int_equal(add(fx, &cfg), -EPERM);
	cfg.dst_port = "nope";
	assert_int_equal(add(fx, &cfg), -ENOENT);
	cfg.dst_port = "m";
	cfg.src_port = "m"; /* a mirror port has nothing to mirror */
	assert_int_equal(add(fx, &cfg), -EINVAL);
	cfg.src_port = NULL;
	cfg.src_part = "tenant-a";
	cfg.dir = SPAN_DIR_TX; /* partitions have no direction */
	assert_int_equal(add(fx, &cfg), -EINVAL);
	cfg.dir = 0;
	cfg.name = "bad name";
	assert_int_equal(add(fx, &cfg), -EINVAL);
	for (i = 0; i < SPAN_MAX_SESSIONS; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		cfg.name = name;
		assert_true(add(fx, &cfg) >= 0);
	}
	assert_int_equal(add(fx, &cfg), -EEXIST);
	cfg.name = "one-more";
	assert_int_equal(add(fx, &cfg), -ENOSPC);
	assert_int_equal(span_del(&fx->c, "s3"), 0);
	assert_int_equal(span_del(&fx->c, "s3"), -ENOENT);
	assert_true(add(fx, &cfg) >= 0);
}

static void test_mirror_port_is_no_target(void **state)
{
	struct fixture *fx = *state;
	struct span_cfg cfg = { .name = "p",
				.src_part = "tenant-a",
				.dst_port = "m" };

	inject(fx, A1, frame(fx, 1, -1, 46));
	assert_int_equal(fx->mp[M].n_sent, 0); /* floods skip it */
	assert_int_equal(fx->mp[A2].n_sent, 1);
	assert_true(add(fx, &cfg) >= 0);
	inject(fx, A1, frame(fx, 1, -1, 46));
	inject(fx, B1, frame(fx, 3, -1, 46)); /* tenant-b: not copied */
	inject(fx, T, frame(fx, 9, 20, 46)); /* enters tenant-a: copied */
	assert_int_equal(fx->mp[M].n_sent, 2);
	assert_int_equal(fx->mp[M].len[1], 60); /* untagged: partition view */
	assert_int_equal(fx->c.span.s[0].mirrored, 2);
	/* what the mirror port receives goes nowhere */
	inject(fx, M, frame(fx, 7, -1, 46));
	assert_int_equal(fx->mp[A2].n_sent, 3);
	assert_int_equal(
		fx->c.ports[fx->slot[M]].c.drops[ECORE_DROP_NO_PARTITION], 1);
	/* removing the partition stops its session */
	ecore_part_remove(&fx->c, fx->pa);
	assert_int_equal(fx->c.span.n, 0);
}

static void test_trunk_tag_and_snaplen(void **state)
{
	struct fixture *fx = *state;
	struct span_cfg cfg = { .name = "t",
				.src_port = "t",
				.dir = SPAN_DIR_RX,
				.dst_port = "m",
				.snaplen = 20 };
	const uint8_t *f;

	assert_true(add(fx, &cfg) >= 0);
	inject(fx, T, frame(fx, 9, 0xa000 | 30, 100));
	assert_int_equal(fx->mp[B1].n_sent, 1);
	assert_int_equal(fx->mp[M].n_sent, 1);
	assert_int_equal(fx->mp[M].len[0], 20);
	f = fx->mp[M].frame[0];
	assert_int_equal(f[11], 9); /* source MAC */
	assert_int_equal(f[12] << 8 | f[13], 0x8100); /* tag put back */
	assert_int_equal(f[14] << 8 | f[15], 0xa000 | 30); /* PCP and VID */
	assert_int_equal(f[16] << 8 | f[17], 0x0800);
	assert_int_equal(fx->c.span.s[0].mirrored_bytes, 20);
}

static void test_tx_and_rate(void **state)
{
	struct fixture *fx = *state;
	struct span_cfg cfg = { .name = "tx",
				.src_port = "a2",
				.dir = SPAN_DIR_TX,
				.dst_port = "m",
				.rate = 3 };
	struct pkt *burst[10];
	int i;

	assert_true(add(fx, &cfg) >= 0);
	for (i = 0; i < 10; i++)
		burst[i] = frame(fx, 1, -1, 46);
	ecore_process(&fx->c, fx->slot[A1], burst, 10, 0);
	assert_int_equal(fx->mp[A2].n_sent, 10);
	/* the bucket holds one second's worth: 3 (a 4th if a tick passed) */
	assert_true(fx->mp[M].n_sent == 3 || fx->mp[M].n_sent == 4);
	assert_int_equal(fx->c.span.s[0].mirrored, fx->mp[M].n_sent);
	assert_int_equal(fx->c.span.s[0].dropped_rate, 10 - fx->mp[M].n_sent);
	inject(fx, B1, frame(fx, 3, -1, 46)); /* not sent on a2 */
	assert_int_equal(
		fx->c.span.s[0].mirrored + fx->c.span.s[0].dropped_rate, 10);
}

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void test_ipoib_pcap(void **state)
{
	struct fixture *fx = *state;
	char path[96];
	struct span_cfg cfg = { .name = "ib",
				.src_port = "ib0.8001",
				.dir = SPAN_DIR_RX,
				.pcap = path };
	const uint8_t *r;
	uint8_t *d;
	size_t len;

	snprintf(path, sizeof(path), "%s/ib.pcap", fx->dir);
	assert_int_equal(span_check(&fx->c, &cfg, NULL), 242);
	cfg.pcap_w = pcapw_open(path, 242, 65535, 0);
	assert_int_equal(add(fx, &cfg), -EAGAIN); /* link type not said */
	cfg.pcap_linktype = 242;
	assert_true(add(fx, &cfg) >= 0);
	inject(fx, I, frame(fx, 5, -1, 46));
	assert_true(span_flush(&fx->c));
	assert_int_equal(span_del(&fx->c, "ib"), 0);
	assert_int_equal(fx->c.span.n_closing, 1); /* not closed under lock */
	assert_false(span_flush(&fx->c));
	assert_int_equal(fx->c.span.n_closing, 0);
	assert_int_equal(util_read_file(path, (char **)&d, &len), 0);
	assert_int_equal(len, 24 + 16 + 40 + 4 + 46);
	assert_int_equal(u32(d + 20), 242); /* LINKTYPE_IPOIB */
	assert_int_equal(u32(d + 24 + 8), 90); /* caplen */
	r = d + 40;
	assert_int_equal(r[0], 0x60); /* GRH: version 6 */
	assert_int_equal(r[4] << 8 | r[5], 50); /* PayLen: IPoIB hdr + 46 */
	assert_int_equal(r[6], 0x1b); /* next header: BTH */
	assert_int_equal(r[40] << 8 | r[41], 0x0800); /* IPoIB: EtherType */
	assert_int_equal(r[42] | r[43], 0);
	assert_int_equal(r[44], 0x5a); /* the payload */
	free(d);
	/* the same port to a mirror port: Ethernet frames */
	cfg.pcap = NULL;
	cfg.dst_port = "m";
	assert_true(add(fx, &cfg) >= 0);
	inject(fx, I, frame(fx, 5, -1, 46));
	assert_int_equal(fx->mp[M].len[0], 60);
	/* deleting the source port stops the session */
	ecore_port_del(&fx->c, fx->slot[I]);
	assert_int_equal(fx->c.span.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_destinations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mirror_port_is_no_target,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_trunk_tag_and_snaplen,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_and_rate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipoib_pcap, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
