// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for eth/vnet: header checks, checksum completion and software
 * GSO (TSO v4/v6, USO v4/v6, UFO v4/v6). The expected checksums were made
 * by scapy (tests/unit/vnet_vectors.py), not by eth/vnet.c. With
 * VNET_PCAP=FILE every frame the module made is also written to FILE, for
 * tshark (tests/integration/vnet_tshark.sh).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eth/vnet.h"

#define TCP 6
#define UDP 17

static struct pool *pool;
static FILE *pcap;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void pcap_write(const uint8_t *f, uint32_t len)
{
	uint32_t rec[4] = { 0, 0, len, len };

	if (!pcap)
		return;
	fwrite(rec, sizeof(rec), 1, pcap);
	fwrite(f, len, 1, pcap);
}

/*
 * The frames of vnet_vectors.py: Ethernet 02::02 <- 02::01, IPv4 10.1.0.1
 * -> 10.1.0.2 (ID 0x1234, TTL 64) or IPv6 fd00::1 -> fd00::2 (hop limit
 * 64), TCP 1000 -> 2000 seq 1 ack 2 window 512 or UDP 1000 -> 2000, then
 * @n payload bytes (i * 7 + 3). Checksums: the IPv4 header's complete,
 * the transport's left partial as a guest leaves it. Returns the length.
 */
static uint32_t build(uint8_t *f, int v6, int proto, uint8_t tcp_flags,
		      uint32_t n, struct pkt_ol *ol)
{
	uint32_t l4 = v6 ? 54 : 34, hl = proto == TCP ? 20 : 8, i, sum;
	uint8_t *ip = f + 14, *th = f + l4;

	memset(f, 0, l4 + hl);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	put16(f + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, hl + n);
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, "\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		memcpy(ip + 24, "\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, 20 + hl + n);
		put16(ip + 4, 0x1234);
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, "\x0a\x01\0\x01\x0a\x01\0\x02", 8);
		put16(ip + 10, vnet_csum_fold(vnet_csum(ip, 20, 0)));
	}
	put16(th, 1000);
	put16(th + 2, 2000);
	if (proto == TCP) {
		th[7] = 1; /* seq */
		th[11] = 2; /* ack */
		th[12] = 0x50;
		th[13] = tcp_flags;
		put16(th + 14, 512);
	} else {
		put16(th + 4, 8 + n);
	}
	for (i = 0; i < n; i++)
		f[l4 + hl + i] = (i * 7 + 3) & 0xff;
	/* the partial checksum: the pseudo-header sum, not inverted */
	sum = v6 ? vnet_csum(ip + 8, 32, 0) : vnet_csum(ip + 12, 8, 0);
	sum += proto + hl + n;
	put16(th + (proto == TCP ? 16 : 6), ~vnet_csum_fold(sum));
	*ol = (struct pkt_ol){
		.flags = VNET_F_NEEDS_CSUM,
		.hdr_len = l4 + hl,
		.csum_start = l4,
		.csum_offset = proto == TCP ? 16 : 6,
	};
	return l4 + hl + n;
}

/* An independent look: the segment's transport checksum verifies. */
static void assert_l4_ok(const uint8_t *f, uint32_t len, int v6, int proto)
{
	uint32_t l4 = v6 ? 54 : 34, sum;

	sum = v6 ? vnet_csum(f + 22, 32, 0) : vnet_csum(f + 26, 8, 0);
	sum += proto + (len - l4);
	assert_int_equal(vnet_csum_fold(vnet_csum(f + l4, len - l4, sum)), 0);
}

static void complete_one(int v6, int proto, uint16_t want)
{
	uint8_t f[256];
	struct pkt_ol ol;
	struct vnet_l34 l;
	uint32_t len = build(f, v6, proto, 0x18, 80, &ol);

	vnet_parse(f, len, &l);
	assert_int_equal(l.proto, proto);
	assert_int_equal(vnet_check(f, len, &ol, &l), VNET_OK);
	vnet_csum_complete(f, len, &ol, &l);
	assert_int_equal(get16(f + ol.csum_start + ol.csum_offset), want);
	assert_false(ol.flags & VNET_F_NEEDS_CSUM);
	pcap_write(f, len);
}

/* RFC 1071's worked example header, and the four partial checksums. */
static void test_csum(void **state)
{
	static const uint8_t hdr[20] = { 0x45, 0x00, 0x00, 0x73, 0x00,
					 0x00, 0x40, 0x00, 0x40, 0x11,
					 0x00, 0x00, 0xc0, 0xa8, 0x00,
					 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	assert_int_equal(vnet_csum_fold(vnet_csum(hdr, 20, 0)), 0xb861);
	complete_one(0, TCP, 0x5b72);
	complete_one(1, TCP, 0x7572);
	complete_one(0, UDP, 0xad36);
	complete_one(1, UDP, 0xc736);
}

static void test_wire(void **state)
{
	static const uint8_t w[VNET_HDR_LEN] = { 1, 0x81, 66, 0,  0xa8,
						 5, 34,	  0,  16, 0 };
	struct pkt_ol ol;
	uint8_t back[VNET_HDR_LEN];

	vnet_decode(w, &ol);
	assert_int_equal(ol.flags, 1);
	assert_int_equal(ol.gso_type, VNET_GSO_TCPV4 | VNET_GSO_ECN);
	assert_int_equal(ol.hdr_len, 66);
	assert_int_equal(ol.gso_size, 1448);
	assert_int_equal(ol.csum_start, 34);
	assert_int_equal(ol.csum_offset, 16);
	vnet_encode(&ol, back);
	assert_memory_equal(w, back, VNET_HDR_LEN);
}

static enum vnet_error check(const uint8_t *f, uint32_t len,
			     const struct pkt_ol *ol)
{
	struct vnet_l34 l;

	vnet_parse(f, len, &l);
	return vnet_check(f, len, ol, &l);
}

/* Headers that do not match their frame, each with its reason. */
static void test_reject(void **state)
{
	static uint8_t f[4096];
	struct pkt_ol ol, g;
	uint32_t len = build(f, 0, TCP, 0x10, 3000, &ol);

	ol.gso_type = VNET_GSO_TCPV4;
	ol.gso_size = 1000;
	assert_int_equal(check(f, len, &ol), VNET_OK);
	g = ol, g.gso_size = 0;
	assert_int_equal(check(f, len, &g), VNET_ERR_GSO_SIZE);
	g = ol, g.hdr_len = len + 1;
	assert_int_equal(check(f, len, &g), VNET_ERR_HDR_LEN);
	g = ol, g.csum_start = 30;
	assert_int_equal(check(f, len, &g), VNET_ERR_CSUM_START);
	g = ol, g.csum_start = len;
	assert_int_equal(check(f, len, &g), VNET_ERR_CSUM_START);
	g = ol, g.csum_offset = 6;
	assert_int_equal(check(f, len, &g), VNET_ERR_CSUM_OFFSET);
	g = ol, g.gso_type = 0, g.csum_offset = len - 34 - 1;
	assert_int_equal(check(f, len, &g), VNET_ERR_CSUM_OFFSET);
	g = ol, g.gso_type = VNET_GSO_TCPV6;
	assert_int_equal(check(f, len, &g), VNET_ERR_GSO_MISMATCH);
	g = ol, g.gso_type = VNET_GSO_UDP_L4;
	assert_int_equal(check(f, len, &g), VNET_ERR_GSO_MISMATCH);
	g = ol, g.gso_type = 2;
	assert_int_equal(check(f, len, &g), VNET_ERR_GSO_TYPE);
	g = ol, g.gso_type = VNET_GSO_ECN;
	assert_int_equal(check(f, len, &g), VNET_ERR_GSO_TYPE);
	g = ol, g.flags = 0x10 | VNET_F_NEEDS_CSUM;
	assert_int_equal(check(f, len, &g), VNET_ERR_FLAGS);
	g = ol, g.flags = VNET_F_DATA_VALID; /* GRO'd: no partial checksum */
	assert_int_equal(check(f, len, &g), VNET_OK);
	/* a UDP super-frame said to be TCP, and the other way round */
	len = build(f, 1, UDP, 0, 2000, &ol);
	g = ol, g.gso_type = VNET_GSO_TCPV6, g.gso_size = 1000;
	assert_int_equal(check(f, len, &g), VNET_ERR_GSO_MISMATCH);
	g.gso_type = VNET_GSO_UDP_L4;
	assert_int_equal(check(f, len, &g), VNET_OK);
	g.gso_type = VNET_GSO_UDP_L4 | VNET_GSO_ECN;
	assert_int_equal(check(f, len, &g), VNET_ERR_GSO_TYPE);
	/* truncated IP: the checksum field is beyond it */
	g = ol, g.gso_type = VNET_GSO_UDP_L4, g.gso_size = 1000, g.hdr_len = 0;
	assert_int_equal(check(f, 60, &g), VNET_ERR_CSUM_OFFSET);
	/* not IP at all: GSO cannot match */
	f[12] = 0x88, f[13] = 0xb5, g.flags = 0;
	assert_int_equal(check(f, len, &g), VNET_ERR_GSO_MISMATCH);
}

struct want {
	uint16_t ip_csum, l4_csum;
};

/* Cut the frame into segments, checking each against @w. */
static unsigned int segment(uint8_t *f, uint32_t len, struct pkt_ol *ol,
			    uint32_t mtu, struct pkt **out)
{
	struct vnet_seg s;
	struct vnet_l34 l;
	uint64_t copied = 0, sum = 0;
	unsigned int n = 0;

	vnet_parse(f, len, &l);
	assert_int_equal(vnet_check(f, len, ol, &l), VNET_OK);
	assert_int_equal(vnet_seg_start(&s, f, len, ol, &l, mtu, 1920), 0);
	while ((out[n] = vnet_seg_next(&s, pool, &copied))) {
		assert_true(out[n]->len - 14 <= mtu);
		sum += out[n]->len;
		pcap_write(out[n]->data, out[n]->len);
		n++;
	}
	assert_true(vnet_seg_done(&s));
	assert_int_equal(copied, sum);
	return n;
}

static void free_all(struct pkt **p, unsigned int n)
{
	while (n--)
		pool_free(p[n]);
	assert_int_equal(pool_avail(pool), pool_size(pool));
}

static void tso(int v6, uint32_t mtu, const struct want *w, unsigned int nw)
{
	static uint8_t f[4096];
	struct pkt *out[16];
	struct pkt_ol ol;
	uint32_t len = build(f, v6, TCP, 0x99, 3000, &ol); /* CWR PSH ACK FIN */
	unsigned int i, n, l4 = v6 ? 54 : 34, seq = 1;

	ol.gso_type = (v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4) | VNET_GSO_ECN;
	ol.gso_size = 1000;
	n = segment(f, len, &ol, mtu, out);
	assert_int_equal(n, nw);
	for (i = 0; i < n; i++) {
		const uint8_t *s = out[i]->data;
		uint8_t fl = 0x10 | (i ? 0 : 0x80) | (i == n - 1 ? 0x09 : 0);

		assert_int_equal(get32(s + l4 + 4), seq);
		seq += out[i]->len - l4 - 20;
		assert_int_equal(s[l4 + 13], fl);
		if (!v6) {
			assert_int_equal(get16(s + 16), out[i]->len - 14);
			assert_int_equal(get16(s + 18), 0x1234 + i);
			assert_int_equal(get16(s + 24), w[i].ip_csum);
		} else {
			assert_int_equal(get16(s + 18), out[i]->len - 54);
		}
		assert_int_equal(get16(s + l4 + 16), w[i].l4_csum);
		assert_l4_ok(s, out[i]->len, v6, TCP);
	}
	assert_int_equal(seq, 3001);
	free_all(out, n);
}

static void test_tso4(void **state)
{
	static const struct want w[] = { { 20656, 29416 },
					 { 20655, 35998 },
					 { 20654, 42955 } };
	static const struct want w600[] = { { 21056, 47156 },
					    { 21055, 53882 },
					    { 21054, 62018 },
					    { 21053, 4107 },
					    { 21052, 10952 } };

	tso(0, 1500, w, 3);
	tso(0, 640, w600, 5); /* a small egress MTU: 600-byte segments */
}

static void test_tso6(void **state)
{
	static const struct want w[] = { { 0, 36072 },
					 { 0, 42654 },
					 { 0, 49611 } };

	tso(1, 1500, w, 3);
}

static void uso(int v6, const struct want *w)
{
	static uint8_t f[4096];
	struct pkt *out[16];
	struct pkt_ol ol;
	uint32_t len = build(f, v6, UDP, 0, 2500, &ol);
	unsigned int i, n, l4 = v6 ? 54 : 34;

	ol.gso_type = VNET_GSO_UDP_L4;
	ol.gso_size = 1000;
	n = segment(f, len, &ol, 1500, out);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		const uint8_t *s = out[i]->data;

		assert_int_equal(get16(s + l4 + 4), out[i]->len - l4);
		assert_int_equal(out[i]->len - l4 - 8, i < 2 ? 1000 : 500);
		if (!v6)
			assert_int_equal(get16(s + 24), w[i].ip_csum);
		assert_int_equal(get16(s + l4 + 6), w[i].l4_csum);
		assert_l4_ok(s, out[i]->len, v6, UDP);
	}
	free_all(out, n);
}

static void test_uso(void **state)
{
	static const struct want w4[] = { { 20657, 49548 },
					  { 20656, 57002 },
					  { 21155, 27634 } };
	static const struct want w6[] = { { 0, 56204 },
					  { 0, 63658 },
					  { 0, 34290 } };

	uso(0, w4);
	uso(1, w6);
}

/* UFO: IP fragments of one datagram, its UDP checksum in the first. */
static void ufo(int v6, uint16_t dg_csum, const struct want *w)
{
	static uint8_t f[4096];
	struct pkt *out[16];
	struct pkt_ol ol;
	uint32_t len = build(f, v6, UDP, 0, 2500, &ol);
	unsigned int i, n, off = 0, l4 = v6 ? 62 : 34;

	ol.gso_type = VNET_GSO_UDP;
	ol.gso_size = 1000;
	n = segment(f, len, &ol, 1500, out);
	assert_int_equal(n, 3);
	assert_int_equal(get16(out[0]->data + l4 + 6), dg_csum);
	for (i = 0; i < n; i++) {
		const uint8_t *s = out[i]->data;
		uint16_t fo;

		if (v6) {
			assert_int_equal(s[20], 44);
			assert_int_equal(s[54], UDP);
			fo = get16(s + 56);
			assert_int_equal(fo & ~7, off);
			assert_int_equal(fo & 1, i < n - 1);
			assert_int_equal(get32(s + 58),
					 get32(out[0]->data + 58));
		} else {
			fo = get16(s + 20);
			assert_int_equal(get16(s + 18), 0x1234);
			assert_int_equal((fo & 0x1fff) * 8, off);
			assert_int_equal(!!(fo & 0x2000), i < n - 1);
			assert_int_equal(get16(s + 24), w[i].ip_csum);
		}
		off += out[i]->len - l4;
	}
	assert_int_equal(off, 2508);
	free_all(out, n);
}

static void test_ufo(void **state)
{
	static const struct want w4[] = { { 12473, 0 },
					  { 12348, 0 },
					  { 20907, 0 } };

	ufo(0, 0x4be6, w4);
	ufo(1, 0x65e6, NULL);
}

/* The pool running dry mid-way: the cutter stops, and resumes. */
static void test_seg_no_buffer(void **state)
{
	static uint8_t f[4096];
	struct pkt *held[64], *p;
	struct pkt_ol ol;
	struct vnet_seg s;
	struct vnet_l34 l;
	uint64_t copied = 0;
	uint32_t len = build(f, 0, TCP, 0x10, 3000, &ol);
	unsigned int i, n = pool_avail(pool);

	ol.gso_type = VNET_GSO_TCPV4;
	ol.gso_size = 1000;
	vnet_parse(f, len, &l);
	assert_int_equal(vnet_seg_start(&s, f, len, &ol, &l, 1500, 1920), 0);
	for (i = 0; i < n; i++)
		held[i] = pool_alloc(pool);
	assert_null(vnet_seg_next(&s, pool, &copied));
	assert_false(vnet_seg_done(&s));
	pool_free(held[0]);
	p = vnet_seg_next(&s, pool, &copied);
	assert_non_null(p);
	assert_int_equal(get32(p->data + 38), 1);
	pool_free(p);
	for (i = 1; i < n; i++)
		pool_free(held[i]);
	/* headers alone above the room: refused up front */
	assert_int_equal(vnet_seg_start(&s, f, len, &ol, &l, 1500, 40),
			 -EINVAL);
	ol.gso_type = 0;
	assert_int_equal(vnet_seg_start(&s, f, len, &ol, &l, 1500, 1920),
			 -EINVAL);
}

static int setup(void **state)
{
	const char *path = getenv("VNET_PCAP");

	pool = pool_create(64, 2048, 128);
	if (path) {
		static const uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0,
						0,	    65535,	1 };

		pcap = fopen(path, "w");
		if (!pcap)
			return -1;
		fwrite(gh, sizeof(gh), 1, pcap);
	}
	return pool ? 0 : -1;
}

static int teardown(void **state)
{
	if (pcap)
		fclose(pcap);
	pool_destroy(pool);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum),
		cmocka_unit_test(test_wire),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_tso4),
		cmocka_unit_test(test_tso6),
		cmocka_unit_test(test_uso),
		cmocka_unit_test(test_ufo),
		cmocka_unit_test(test_seg_no_buffer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
