// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for eth/flow: keys of IPv4, IPv6 and non-IP frames, counts,
 * idle and active timeouts, TCP end, per-partition limits and pressure,
 * a full export queue (records dropped and counted), flush; a flood in one
 * partition against the others, the active timeout by the timer, GSO
 * super-frames counted as their segments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eth/flow.h"
#include "eth/vnet.h"
#include "lib/pool.h"
#include "lib/util.h"

/* An Ethernet + IPv4 + UDP (or TCP) frame of @len bytes. */
static uint32_t v4_frame(uint8_t *f, uint32_t len, uint8_t proto,
			 uint8_t src_last, uint16_t sport, uint8_t tcp_flags)
{
	uint32_t ip_len = len - 14;

	memset(f, 0, len);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00",
	       14);
	f[14] = 0x45;
	f[16] = ip_len >> 8;
	f[17] = ip_len & 0xff;
	f[23] = proto;
	memcpy(f + 26, "\x0a\x00\x00", 3);
	f[29] = src_last;
	memcpy(f + 30, "\x0a\x00\x00\x63", 4);
	f[34] = sport >> 8;
	f[35] = sport & 0xff;
	f[37] = 53;
	if (proto == 6)
		f[34 + 13] = tcp_flags;
	return len;
}

static uint32_t v6_frame(uint8_t *f, uint32_t len)
{
	uint32_t pl = len - 14 - 40;

	memset(f, 0, len);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x86\xdd",
	       14);
	f[14] = 0x60;
	f[18] = pl >> 8;
	f[19] = pl & 0xff;
	f[20] = 17;
	f[22] = 0xfd;
	f[37] = 1;
	f[38] = 0xfd;
	f[53] = 2;
	f[55] = 7; /* sport 7 */
	f[57] = 9; /* dport 9 */
	return len;
}

static const struct flow_meta meta0 = { .part = 0,
					.vlan = 20,
					.in_port = 1,
					.out_port = 2 };

static struct flow_cache *mk(unsigned int size, unsigned int limit,
			     unsigned int queue)
{
	struct flow_config cfg = { .size = size,
				   .part_limit = limit,
				   .queue = queue,
				   .active_ms = 60000,
				   .idle_ms = 15000 };
	struct flow_cache *fc = flow_cache_create(&cfg);

	assert_non_null(fc);
	return fc;
}

static void test_ipv4_counts(void **state)
{
	struct flow_cache *fc = mk(64, 0, 0);
	struct flow_record r[4];
	uint8_t f[200];
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		flow_cache_observe(fc, f, v4_frame(f, 100, 17, 1, 1000, 0),
				   &meta0, 1000 + i);
	flow_cache_observe(fc, f, v4_frame(f, 60, 17, 2, 1000, 0), &meta0,
			   1010);
	assert_int_equal(flow_cache_pop(fc, r, 4), 0);
	flow_cache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(flow_cache_pop(fc, r, 4), 2);
	assert_int_equal(r[0].key.ip_version, 4);
	assert_int_equal(r[0].key.proto, 17);
	assert_int_equal(r[0].key.src_port, 1000);
	assert_int_equal(r[0].key.dst_port, 53);
	assert_int_equal(r[0].key.vlan, 20);
	assert_int_equal(r[0].key.in_port, 1);
	assert_int_equal(r[0].key.out_port, 2);
	assert_int_equal(r[0].key.ethertype, 0x0800);
	assert_memory_equal(r[0].key.src_ip, "\x0a\x00\x00\x01", 4);
	assert_int_equal(r[0].packets, 5);
	assert_int_equal(r[0].bytes, 5 * 86);
	assert_int_equal(r[0].l2_bytes, 5 * 100);
	assert_int_equal(r[0].start_ms, 1000);
	assert_int_equal(r[0].end_ms, 1004);
	assert_int_equal(r[0].end_reason, FLOW_END_FORCED);
	assert_int_equal(r[1].packets, 1);
	assert_int_equal(r[1].bytes, 46);
	flow_cache_destroy(fc);
}

static void test_ipv6_and_l2(void **state)
{
	struct flow_cache *fc = mk(64, 0, 0);
	struct flow_record r[4];
	uint8_t f[200];

	(void)state;
	flow_cache_observe(fc, f, v6_frame(f, 120), &meta0, 5);
	flow_cache_observe(fc, f, v6_frame(f, 120), &meta0, 6);
	memset(f, 0, 60);
	f[12] = 0x08;
	f[13] = 0x06; /* ARP */
	flow_cache_observe(fc, f, 60, &meta0, 7);
	flow_cache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(flow_cache_pop(fc, r, 4), 2);
	assert_int_equal(r[0].key.ip_version, 6);
	assert_int_equal(r[0].key.src_port, 7);
	assert_int_equal(r[0].key.dst_port, 9);
	assert_int_equal(r[0].key.src_ip[15], 1);
	assert_int_equal(r[0].key.dst_ip[15], 2);
	assert_int_equal(r[0].packets, 2);
	assert_int_equal(r[0].bytes, 2 * 106);
	assert_int_equal(r[1].key.ip_version, 0);
	assert_int_equal(r[1].key.ethertype, 0x0806);
	assert_int_equal(r[1].bytes, 46);
	flow_cache_destroy(fc);
}

static void test_timeouts(void **state)
{
	struct flow_cache *fc = mk(64, 0, 0);
	struct flow_part_stats st;
	struct flow_record r[4];
	uint8_t f[200];

	(void)state;
	v4_frame(f, 100, 17, 1, 1000, 0);
	flow_cache_observe(fc, f, 100, &meta0, 0);
	flow_cache_observe(fc, f, 100, &meta0, 59999);
	/* the active timeout: the old record goes, the new one starts */
	flow_cache_observe(fc, f, 100, &meta0, 60000);
	assert_int_equal(flow_cache_pop(fc, r, 4), 1);
	assert_int_equal(r[0].end_reason, FLOW_END_ACTIVE);
	assert_int_equal(r[0].packets, 2);
	assert_int_equal(flow_cache_expire(fc, 74999), 0);
	assert_int_equal(flow_cache_expire(fc, 75000), 1);
	assert_int_equal(flow_cache_pop(fc, r, 4), 1);
	assert_int_equal(r[0].end_reason, FLOW_END_IDLE);
	assert_int_equal(r[0].packets, 1);
	assert_int_equal(r[0].start_ms, 60000);
	flow_cache_part_stats(fc, 0, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.created, 1);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.ended[FLOW_END_IDLE], 1);
	assert_int_equal(st.ended[FLOW_END_ACTIVE], 1);
	flow_cache_destroy(fc);
}

static void test_tcp_end(void **state)
{
	struct flow_cache *fc = mk(64, 0, 0);
	struct flow_record r[4];
	uint8_t f[200];

	(void)state;
	flow_cache_observe(fc, f, v4_frame(f, 80, 6, 1, 4000, 0x02), &meta0, 1);
	flow_cache_observe(fc, f, v4_frame(f, 80, 6, 1, 4000, 0x11), &meta0, 2);
	assert_int_equal(flow_cache_pop(fc, r, 4), 1);
	assert_int_equal(r[0].end_reason, FLOW_END_EOF);
	assert_int_equal(r[0].packets, 2);
	assert_int_equal(r[0].tcp_flags, 0x13);
	flow_cache_destroy(fc);
}

/* Partition 0 at its limit evicts its own oldest; partition 1 keeps room. */
static void test_pressure(void **state)
{
	struct flow_cache *fc = mk(8, 4, 0);
	struct flow_meta m1 = meta0;
	struct flow_part_stats st0, st1;
	struct flow_record r[16];
	uint8_t f[200];
	int i;

	(void)state;
	m1.part = 1;
	for (i = 0; i < 6; i++)
		flow_cache_observe(fc, f, v4_frame(f, 64, 17, i, 1, 0), &meta0,
				   i);
	for (i = 0; i < 3; i++)
		flow_cache_observe(fc, f, v4_frame(f, 64, 17, i, 1, 0), &m1,
				   10 + i);
	flow_cache_part_stats(fc, 0, &st0);
	flow_cache_part_stats(fc, 1, &st1);
	assert_int_equal(st0.entries, 4);
	assert_int_equal(st0.ended[FLOW_END_RESOURCES], 2);
	assert_int_equal(st1.entries, 3);
	assert_int_equal(st1.dropped, 0);
	assert_int_equal(flow_cache_pop(fc, r, 16), 2);
	assert_int_equal(r[0].key.src_ip[3], 0); /* the oldest went first */
	assert_int_equal(r[1].key.src_ip[3], 1);
	flow_cache_destroy(fc);
}

/* A full queue: records are dropped and counted; observing goes on. */
static void test_queue_full(void **state)
{
	struct flow_cache *fc = mk(16, 0, 2);
	struct flow_part_stats st;
	struct flow_record r[16];
	uint8_t f[200];
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		flow_cache_observe(fc, f, v4_frame(f, 64, 17, i, 1, 0), &meta0,
				   i);
	flow_cache_flush(fc, FLOW_END_FORCED);
	flow_cache_stats(fc, &st);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.dropped, 3);
	assert_int_equal(st.entries, 0);
	assert_int_equal(flow_cache_pop(fc, r, 16), 2);
	flow_cache_observe(fc, f, v4_frame(f, 64, 17, 9, 1, 0), &meta0, 9);
	flow_cache_flush_part(fc, 0);
	assert_int_equal(flow_cache_pop(fc, r, 16), 1);
	flow_cache_destroy(fc);
}

/* The IB view of a flow travels with its record. */
static void test_ib(void **state)
{
	struct flow_cache *fc = mk(16, 0, 0);
	struct flow_ib ib = { .pkey = 0x8001, .src_qpn = 0x48 };
	struct flow_meta m = meta0;
	struct flow_record r[2];
	uint8_t f[200];

	(void)state;
	m.ib = &ib;
	flow_cache_observe(fc, f, v4_frame(f, 64, 17, 1, 1, 0), &m, 1);
	flow_cache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(flow_cache_pop(fc, r, 2), 1);
	assert_true(r[0].has_ib);
	assert_int_equal(r[0].ib.pkey, 0x8001);
	assert_int_equal(r[0].ib.src_qpn, 0x48);
	assert_string_equal(flow_end_name(FLOW_END_RESOURCES), "resources");
	flow_cache_destroy(fc);
}

/*
 * A flood in partition 0 cannot crowd out the others: each partition may
 * hold its share, and once the cache is full a partition under its share
 * takes room from the partition holding the most flows. Partition 0 at
 * its limit ends its own oldest flow and counts an overflow.
 */
static void test_crowd_out(void **state)
{
	struct flow_cache *fc = mk(8, 6, 0);
	struct flow_part_stats st[3];
	struct flow_meta m = meta0;
	uint8_t f[200];
	int i, p;

	(void)state;
	for (i = 0; i < 20; i++) /* the flood: 20 distinct 5-tuples */
		flow_cache_observe(fc, f, v4_frame(f, 64, 17, 1, i, 0), &meta0,
				   i);
	for (p = 1; p <= 2; p++) { /* then two flows in each other tenant */
		m.part = p;
		for (i = 0; i < 2; i++)
			flow_cache_observe(fc, f, v4_frame(f, 64, 17, 2, i, 0),
					   &m, 100 + i);
	}
	for (p = 0; p < 3; p++)
		flow_cache_part_stats(fc, p, &st[p]);
	for (p = 1; p <= 2; p++) {
		assert_int_equal(st[p].entries, 2);
		assert_int_equal(st[p].created, 2);
		assert_int_equal(st[p].overflow, 0);
		assert_int_equal(st[p].dropped, 0);
	}
	assert_int_equal(st[0].overflow, 14); /* 20 - its limit 6 */
	assert_int_equal(st[0].entries, 4); /* 2 taken by each tenant */
	assert_int_equal(st[0].ended[FLOW_END_RESOURCES], 16); /* 14 + 2 */
	flow_cache_destroy(fc);
}

/* The timer ends a flow at its active timeout, without a next packet. */
static void test_active_timer(void **state)
{
	struct flow_cache *fc = mk(64, 0, 0);
	struct flow_record r[4];
	uint8_t f[200];
	uint64_t t;

	(void)state;
	v4_frame(f, 100, 17, 1, 1000, 0);
	flow_cache_observe(fc, f, 100, &meta0, 0);
	flow_cache_observe(fc, f, 100, &meta0, 10000);
	flow_cache_observe(fc, f, 100, &meta0, 50000); /* pauses < 15 s */
	assert_int_equal(flow_cache_expire(fc, 59999), 0);
	assert_int_equal(flow_cache_expire(fc, 60000), 1);
	assert_int_equal(flow_cache_pop(fc, r, 4), 1);
	assert_int_equal(r[0].end_reason, FLOW_END_ACTIVE);
	assert_int_equal(r[0].packets, 3);
	assert_int_equal(r[0].start_ms, 0);
	assert_int_equal(r[0].end_ms, 50000);
	/* the next packet starts a new record; it runs on, pausing */
	for (t = 61000; t < 121000; t += 12000)
		flow_cache_observe(fc, f, 100, &meta0, t);
	assert_int_equal(flow_cache_expire(fc, 120999), 0);
	assert_int_equal(flow_cache_expire(fc, 121000), 1);
	assert_int_equal(flow_cache_pop(fc, r, 4), 1);
	assert_int_equal(r[0].end_reason, FLOW_END_ACTIVE);
	assert_int_equal(r[0].start_ms, 61000);
	assert_int_equal(r[0].packets, 5);
	flow_cache_destroy(fc);
}

/*
 * The timer's clock read before a frame the forwarding thread saw later:
 * the flow is young, not ended (now - last would wrap around).
 */
static void test_clock_behind(void **state)
{
	struct flow_cache *fc = mk(64, 0, 0);
	uint8_t f[200];

	(void)state;
	v4_frame(f, 100, 17, 1, 1000, 0);
	flow_cache_observe(fc, f, 100, &meta0, 5000);
	assert_int_equal(flow_cache_expire(fc, 4999), 0);
	flow_cache_observe(fc, f, 100, &meta0, 4998); /* the other thread */
	assert_int_equal(flow_cache_expire(fc, 4997), 0);
	flow_cache_flush(fc, FLOW_END_FORCED);
	flow_cache_destroy(fc);
}

/*
 * A GSO super-frame counts as the segments a router after the VM's NIC
 * sees: cut by eth/vnet's own segmentation and compared.
 */
static void gso_case(uint8_t type, uint16_t gso_size, uint32_t len)
{
	struct flow_cache *fc = mk(64, 0, 0);
	struct pool *pool = pool_create(64, 4096, 0);
	struct pkt_ol ol = { .flags = 0,
			     .gso_type = type,
			     .gso_size = gso_size };
	struct flow_meta m = meta0;
	uint64_t pkts = 0, l2 = 0, l3 = 0, copied = 0;
	struct flow_record r;
	struct vnet_l34 l;
	struct vnet_seg s;
	static uint8_t f[65536];
	struct pkt *seg;

	assert_non_null(pool);
	v4_frame(f, len, type == VNET_GSO_UDP_L4 ? 17 : 6, 1, 1000, 0x10);
	if (type != VNET_GSO_UDP_L4)
		f[34 + 12] = 5 << 4; /* TCP data offset: 20 bytes */
	else
		util_put_be16(f + 34 + 4, (uint16_t)(len - 34));
	vnet_parse(f, len, &l);
	assert_int_equal(vnet_check(f, len, &ol, &l), VNET_OK);
	assert_int_equal(vnet_seg_start(&s, f, len, &ol, &l, 9000, 4096), 0);
	while ((seg = vnet_seg_next(&s, pool, &copied))) {
		pkts++;
		l2 += seg->len;
		l3 += seg->len - 14;
		pool_free(seg);
	}
	assert_true(vnet_seg_done(&s));
	m.ol = &ol;
	flow_cache_observe(fc, f, len, &m, 1);
	flow_cache_flush(fc, FLOW_END_FORCED);
	assert_int_equal(flow_cache_pop(fc, &r, 1), 1);
	assert_int_equal(r.packets, pkts);
	assert_int_equal(r.l2_bytes, l2);
	assert_int_equal(r.bytes, l3);
	pool_destroy(pool);
	flow_cache_destroy(fc);
}

static void test_gso(void **state)
{
	(void)state;
	gso_case(VNET_GSO_TCPV4, 1448, 14 + 20 + 20 + 3 * 1448 + 100);
	gso_case(VNET_GSO_TCPV4, 1000, 14 + 20 + 20 + 5 * 1000);
	gso_case(VNET_GSO_UDP_L4, 1200, 14 + 20 + 8 + 7 * 1200 + 1);
	gso_case(VNET_GSO_TCPV4, 1448, 14 + 20 + 20 + 1000); /* one segment */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_counts),
		cmocka_unit_test(test_ipv6_and_l2),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_tcp_end),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_ib),
		cmocka_unit_test(test_crowd_out),
		cmocka_unit_test(test_active_timer),
		cmocka_unit_test(test_clock_behind),
		cmocka_unit_test(test_gso),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
