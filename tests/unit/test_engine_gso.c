// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the engine core's offload path: a VM's super-frame and
 * partial checksums go whole to ports that take them (vnet ports) and are
 * cut or completed for those that do not (a plain port, a smaller MTU, an
 * 802.1Q trunk); headers that do not match their frame are dropped with a
 * reason; every buffer returns to its pool.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eth/flow.h"
#include "eth/frame.h"
#include "eth/vnet.h"
#include "fabricd/engine/engine_core.h"

#define MAX_SENT 16
#define ALL_OFFLOADS                                             \
	(VNET_TUN_F_CSUM | VNET_TUN_F_TSO4 | VNET_TUN_F_TSO6 |   \
	 VNET_TUN_F_TSO_ECN | VNET_TUN_F_UFO | VNET_TUN_F_USO4 | \
	 VNET_TUN_F_USO6)

/* What a port was given: lengths, offload state, and whether the TCP
 * checksum of a finished frame verifies (checked while the buffer lives). */
struct sent {
	unsigned int n;
	uint32_t len[MAX_SENT];
	struct pkt_ol ol[MAX_SENT];
	bool csum_ok[MAX_SENT];
	uint16_t tci[MAX_SENT];
};

static bool tcp_ok(const uint8_t *f, uint32_t len)
{
	struct vnet_l34 l;
	uint32_t sum, tl;

	vnet_parse(f, len, &l);
	if (l.proto != 6)
		return false;
	tl = l.end - l.l4;
	sum = vnet_csum(f + l.l3 + 12, 8, 0) + 6 + tl;
	return vnet_csum_fold(vnet_csum(f + l.l4, tl, sum)) == 0 &&
	       vnet_csum_fold(vnet_csum(f + l.l3, 20, 0)) == 0;
}

static int m_open(struct port *p)
{
	return 0;
}

static int m_rx(struct port *p, struct pkt **pkts, unsigned int n)
{
	return 0;
}

static int m_tx(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct sent *s = p->priv;
	unsigned int i;

	for (i = 0; i < n && s->n < MAX_SENT; i++, s->n++) {
		const uint8_t *f = pkts[i]->data;

		s->len[s->n] = pkts[i]->len;
		s->ol[s->n] = pkts[i]->ol;
		s->csum_ok[s->n] = !(pkts[i]->ol.flags & VNET_F_NEEDS_CSUM) &&
				   tcp_ok(f, pkts[i]->len);
		s->tci[s->n] = frame_get_be16(f + 12) == FRAME_TPID_8021Q ?
				       frame_get_be16(f + 14) :
				       0;
	}
	return n;
}

static void m_close(struct port *p)
{
}

static const struct port_ops m_ops = {
	.kind = "mem",
	.open = m_open,
	.rx_burst = m_rx,
	.tx_burst = m_tx,
	.close = m_close,
};

/* The MAC port D takes super-frames for (a peer behind a connection). */
static const uint8_t whole_mac[6] = { 2, 0, 0, 0, 0, 9 };

/* Port D: every offload for frames to whole_mac, none for the rest. */
static uint32_t d_tx_offloads(struct port *p, const struct pkt *pkt)
{
	return memcmp(pkt->data, whole_mac, 6) ? 0 : ALL_OFFLOADS;
}

static const struct port_ops d_ops = {
	.kind = "mem-dst",
	.open = m_open,
	.rx_burst = m_rx,
	.tx_burst = m_tx,
	.close = m_close,
	.tx_offloads = d_tx_offloads,
};

/*
 * V1, V2: VM ports (all offloads); P: plain; S: plain, MTU 600; T trunk;
 * D: offloads by destination (d_ops)
 */
enum { V1, V2, P, S, T, D, N_PORTS };

struct fixture {
	struct engine_core c;
	struct pool *pool, *big;
	struct sent sent[N_PORTS];
	int slot[N_PORTS];
};

static void attach(struct fixture *fx, int i, uint32_t offloads, uint32_t mtu,
		   enum ecore_role role)
{
	struct port p = { .ops = &m_ops, .fd = -1, .max_payload = mtu };

	p.name[0] = 'p';
	p.name[1] = '0' + i;
	p.priv = &fx->sent[i];
	p.mode = "mem";
	p.offloads = offloads;
	if (i == D)
		p.ops = &d_ops;
	fx->slot[i] = ecore_port_attach(&fx->c, &p, role, 0, false);
	assert_true(fx->slot[i] >= 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	fx->pool = pool_create(256, 2048, 128);
	fx->big = pool_create(8, POOL_BUF_SIZE_MAX, 128);
	assert_non_null(fx->big);
	pool_set_big(fx->pool, fx->big);
	assert_int_equal(ecore_init(&fx->c, fx->pool, 1024, 1000), 0);
	assert_int_equal(ecore_part_set(&fx->c, "a", 1, 20, true), 0);
	attach(fx, V1, ALL_OFFLOADS, 1500, ECORE_ACCESS);
	attach(fx, V2, ALL_OFFLOADS, 1500, ECORE_ACCESS);
	attach(fx, P, 0, 1500, ECORE_ACCESS);
	attach(fx, S, 0, 600, ECORE_ACCESS);
	attach(fx, T, 0, 1500, ECORE_TRUNK);
	attach(fx, D, 0, 1500, ECORE_ACCESS);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ecore_fini(&fx->c);
	assert_int_equal(pool_avail(fx->pool), 256);
	assert_int_equal(pool_avail(fx->big), 8);
	pool_destroy(fx->pool);
	pool_destroy(fx->big);
	free(fx);
	return 0;
}

/*
 * A guest's TCP/IPv4 frame in a big buffer: @pay bytes, the checksum left
 * partial; a super-frame of @gso-byte segments when @gso is set. @tci >= 0
 * puts an 802.1Q tag in (as a trunk would receive it).
 */
static struct pkt *guest_frame(struct fixture *fx, uint32_t pay, uint16_t gso,
			       int tci)
{
	struct pkt *p = pool_alloc(fx->big);
	uint8_t *f = p->data, *ip;
	uint32_t l3 = tci >= 0 ? 18 : 14, i, sum;

	memset(f, 0, l3 + 40);
	memcpy(f, "\x02\0\0\0\0\x09\x02\0\0\0\0\x01", 12);
	if (tci >= 0) {
		f[12] = 0x81, f[14] = tci >> 8, f[15] = tci & 0xff;
		f[16] = 0x08;
	} else {
		f[12] = 0x08;
	}
	ip = f + l3;
	ip[0] = 0x45, ip[8] = 64, ip[9] = 6;
	ip[2] = (40 + pay) >> 8, ip[3] = (40 + pay) & 0xff;
	memcpy(ip + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
	sum = vnet_csum_fold(vnet_csum(ip, 20, 0));
	ip[10] = sum >> 8, ip[11] = sum & 0xff;
	ip[32] = 0x50, ip[33] = 0x18; /* TCP: header length, PSH ACK */
	for (i = 0; i < pay; i++)
		f[l3 + 40 + i] = i * 13;
	sum = ~vnet_csum_fold(vnet_csum(ip + 12, 8, 0) + 6 + 20 + pay);
	ip[36] = (sum >> 8) & 0xff, ip[37] = sum & 0xff;
	p->len = l3 + 40 + pay;
	p->ol = (struct pkt_ol){ .flags = VNET_F_NEEDS_CSUM,
				 .csum_start = l3 + 20,
				 .csum_offset = 16 };
	if (gso) {
		p->ol.gso_type = VNET_GSO_TCPV4;
		p->ol.gso_size = gso;
		p->ol.hdr_len = l3 + 40;
	}
	return p;
}

static void inject(struct fixture *fx, int in, struct pkt *p)
{
	ecore_process(&fx->c, fx->slot[in], &p, 1, 0);
}

static const struct ecore_sw_counters *sw(struct fixture *fx, int i)
{
	return &fx->c.ports[fx->slot[i]].sw;
}

/* One super-frame flooded: whole to V2, cut for P, S and the trunk. */
static void test_super_frame(void **state)
{
	struct fixture *fx = *state;
	struct sent *v2 = &fx->sent[V2], *p = &fx->sent[P];
	struct sent *s = &fx->sent[S], *t = &fx->sent[T];
	unsigned int i;

	inject(fx, V1, guest_frame(fx, 3000, 1000, -1));
	assert_int_equal(v2->n, 1);
	assert_int_equal(v2->len[0], 3054);
	assert_int_equal(v2->ol[0].gso_type, VNET_GSO_TCPV4);
	assert_int_equal(v2->ol[0].gso_size, 1000);
	assert_int_equal(p->n, 3);
	assert_int_equal(s->n, 6); /* MTU 600: 560-byte segments */
	assert_int_equal(t->n, 3);
	for (i = 0; i < 3; i++) {
		assert_true(p->csum_ok[i]);
		assert_int_equal(p->ol[i].gso_type, 0);
		assert_true(t->csum_ok[i]);
		assert_int_equal(t->tci[i] & 0xfff, 20);
		assert_int_equal(t->len[i], 1058);
	}
	for (i = 0; i < 6; i++) {
		assert_true(s->csum_ok[i]);
		assert_true(s->len[i] - 14 <= 600);
	}
	assert_int_equal(sw(fx, P)->gso_segmented, 1);
	assert_int_equal(sw(fx, P)->gso_segments, 3);
	assert_int_equal(sw(fx, S)->gso_segments, 6);
	assert_int_equal(sw(fx, V2)->gso_segmented, 0);
	assert_int_equal(sw(fx, V2)->bytes_copied, 0);
	assert_int_equal(sw(fx, P)->bytes_copied, 3 * 54 + 3000);
	assert_int_equal(fx->c.bytes_copied, sw(fx, P)->bytes_copied +
						     sw(fx, S)->bytes_copied +
						     sw(fx, T)->bytes_copied);
}

/*
 * IPFIX: the flow cache counts a super-frame as the segments a router
 * after the VM's NIC sees (3 of 1000 bytes), whatever each port is given.
 */
static void test_flow_counts_segments(void **state)
{
	struct fixture *fx = *state;
	struct flow_config cfg = { .size = 16 };
	struct flow_cache *fc = flow_cache_create(&cfg);
	struct flow_record r;

	assert_non_null(fc);
	ecore_flow_set(&fx->c, fc, 1);
	inject(fx, V1, guest_frame(fx, 3000, 1000, -1));
	ecore_flow_set(&fx->c, NULL, 0);
	flow_cache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(flow_cache_pop(fc, &r, 1), 1);
	assert_int_equal(r.packets, 3);
	assert_int_equal(r.bytes, 3 * 40 + 3000);
	assert_int_equal(r.l2_bytes, 3 * 54 + 3000);
	flow_cache_destroy(fc);
}

/*
 * Offloads by destination (port_ops.tx_offloads): port D takes the
 * super-frame to whole_mac whole and gets the one to another MAC cut, its
 * checksum completed; the engine asks per frame.
 */
static void test_offloads_per_destination(void **state)
{
	struct fixture *fx = *state;
	struct sent *d = &fx->sent[D];
	struct pkt *p;
	unsigned int i;

	inject(fx, V1, guest_frame(fx, 3000, 1000, -1)); /* to whole_mac */
	assert_int_equal(d->n, 1);
	assert_int_equal(d->len[0], 3054);
	assert_int_equal(d->ol[0].gso_type, VNET_GSO_TCPV4);
	assert_int_equal(sw(fx, D)->gso_segmented, 0);
	p = guest_frame(fx, 3000, 1000, -1);
	p->data[5] = 0x0a; /* another destination */
	inject(fx, V1, p);
	assert_int_equal(d->n, 4);
	for (i = 1; i < 4; i++) {
		assert_int_equal(d->ol[i].gso_type, 0);
		assert_true(d->csum_ok[i]);
		assert_int_equal(d->len[i], 1054);
	}
	assert_int_equal(sw(fx, D)->gso_segmented, 1);
	assert_int_equal(sw(fx, D)->gso_segments, 3);
	assert_int_equal(fx->sent[V2].n, 2); /* whole both times */
	assert_int_equal(sw(fx, V2)->gso_segmented, 0);
}

/* A partial checksum: whole to V2, completed once in place for the rest. */
static void test_partial_csum(void **state)
{
	struct fixture *fx = *state;

	inject(fx, V1, guest_frame(fx, 200, 0, -1));
	assert_int_equal(fx->sent[V2].n, 1);
	assert_true(fx->sent[V2].ol[0].flags & VNET_F_NEEDS_CSUM);
	assert_int_equal(fx->sent[P].n, 1);
	assert_true(fx->sent[P].csum_ok[0]);
	assert_true(fx->sent[S].csum_ok[0]);
	assert_true(fx->sent[T].csum_ok[0]);
	assert_int_equal(sw(fx, P)->csum_completed, 1);
	assert_int_equal(sw(fx, S)->csum_completed, 0); /* done already */
	assert_int_equal(fx->c.bytes_copied, 0);
}

/* A tagged frame's offsets follow the tag off and on again. */
static void test_tag_shifts_offsets(void **state)
{
	struct fixture *fx = *state;

	inject(fx, T, guest_frame(fx, 3000, 1000, 20));
	assert_int_equal(fx->sent[V1].n, 1);
	assert_int_equal(fx->sent[V1].ol[0].csum_start, 34);
	assert_int_equal(fx->sent[V1].ol[0].hdr_len, 54);
	assert_int_equal(fx->sent[P].n, 3);
	assert_true(fx->sent[P].csum_ok[2]);
}

/* Headers that do not match their frame: dropped with a reason. */
static void test_bad_headers(void **state)
{
	struct fixture *fx = *state;
	struct pkt *p;
	unsigned int i;

	p = guest_frame(fx, 3000, 1000, -1);
	p->ol.gso_size = 0;
	inject(fx, V1, p);
	p = guest_frame(fx, 3000, 1000, -1);
	p->ol.csum_start = 20;
	inject(fx, V1, p);
	p = guest_frame(fx, 3000, 1000, -1);
	p->ol.gso_type = VNET_GSO_TCPV6;
	inject(fx, V1, p);
	p = guest_frame(fx, 3000, 1000, -1);
	p->ol.hdr_len = 4000;
	inject(fx, V1, p);
	p = guest_frame(fx, 3000, 0, -1); /* oversize without GSO */
	inject(fx, V1, p);
	assert_int_equal(fx->c.drops[ECORE_DROP_BAD_GSO_SIZE], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_BAD_CSUM_START], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_GSO_MISMATCH], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_BAD_HDR_LEN], 1);
	assert_int_equal(fx->c.drops[ECORE_DROP_OVERSIZE], 1);
	for (i = 0; i < N_PORTS; i++)
		assert_int_equal(fx->sent[i].n, 0);
}

#define T_(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_super_frame),
		T_(test_flow_counts_segments),
		T_(test_offloads_per_destination),
		T_(test_partial_csum),
		T_(test_tag_shifts_offsets),
		T_(test_bad_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
