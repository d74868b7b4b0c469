// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for eth/flow: keys of IPv4, IPv6 and non-IP frames, counts,
 * idle and active timeouts, TCP end, per-partition limits and pressure,
 * a full export queue (records dropped and counted), flush.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eth/flow.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
