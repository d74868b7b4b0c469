// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Captures of what ipoib/xlate produces, for an independent dissector:
 *   ipoib.pcap (LINKTYPE_IPOIB, 242): UD buffers, a 40-byte GRH, the 4-byte
 *     IPoIB header and the payload, as sent by encap and as received;
 *   eth.pcap (LINKTYPE_ETHERNET, 1): the Ethernet frames decap makes.
 * With IPOIB_PCAP_DIR set the files are written there and
 * tests/integration/ipoib_tshark.sh lets tshark judge them; without it the
 * same frames are built and the pcap framing is checked in memory.
 * The neighbour MACs come from the default derivation, as in production.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "ipoib/xlate.h"

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_IPOIB 242
#define HEADROOM 128

static const struct ipoib_gid gid_l = { { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x02,
					  0xc9, 0x03, 0, 0xa1, 0xb2, 0xc5 } };
static const struct ipoib_gid gid_n = { { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x02,
					  0xc9, 0x03, 0, 0xa1, 0x00, 0x01 } };
static const uint8_t mac_h[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t ip4_h[4] = { 10, 20, 0, 10 };
static const uint8_t ip4_n[4] = { 10, 20, 0, 20 };
static const uint8_t ip6_h[16] = { 0xfd, 0, 0, 0x20, [15] = 0x10 };
static const uint8_t ip6_n[16] = { 0xfd, 0, 0, 0x20, [15] = 0x20 };
static const uint8_t ip6_sn_h[16] = { 0xff, 0x02, [11] = 0x01,
				      0xff, [15] = 0x10 };
static const uint8_t ip6_sn_n[16] = { 0xff, 0x02, [11] = 0x01,
				      0xff, [15] = 0x20 };

struct cap {
	FILE *ib;
	FILE *eth;
	char *ib_mem;
	char *eth_mem;
	size_t ib_len;
	size_t eth_len;
	unsigned int n_ib;
	unsigned int n_eth;
	struct ipoib_ctx ctx;
	struct ipoib_drop_stats stats;
	uint8_t mem[2048];
	struct ipoib_buf b;
};

static void put32(FILE *f, uint32_t v)
{
	assert_int_equal(fwrite(&v, 4, 1, f), 1);
}

static void put16(FILE *f, uint16_t v)
{
	assert_int_equal(fwrite(&v, 2, 1, f), 1);
}

/* pcap file header, host byte order (readers detect it by the magic). */
static void pcap_header(FILE *f, uint32_t linktype)
{
	put32(f, 0xa1b2c3d4);
	put16(f, 2);
	put16(f, 4);
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, linktype);
}

static void pcap_record(FILE *f, unsigned int n, const uint8_t *p, size_t len)
{
	put32(f, 1700000000 + n);
	put32(f, 0);
	put32(f, len);
	put32(f, len);
	assert_int_equal(fwrite(p, 1, len, f), len);
}

static FILE *open_out(const char *dir, const char *name, char **mem,
		      size_t *len)
{
	char path[4096];
	FILE *f;

	if (!dir)
		return open_memstream(mem, len);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	return f;
}

static int resolve(void *arg, uint16_t pkey, int family, const uint8_t *addr,
		   uint8_t mac[6])
{
	if ((family == AF_INET && !memcmp(addr, ip4_h, 4)) ||
	    (family == AF_INET6 && !memcmp(addr, ip6_h, 16))) {
		memcpy(mac, mac_h, 6);
		return 0;
	}
	return -ENOENT;
}

static int setup(void **state)
{
	static struct cap c;
	const char *dir = getenv("IPOIB_PCAP_DIR");

	memset(&c, 0, sizeof(c));
	c.ib = open_out(dir, "ipoib.pcap", &c.ib_mem, &c.ib_len);
	c.eth = open_out(dir, "eth.pcap", &c.eth_mem, &c.eth_len);
	if (!c.ib || !c.eth)
		return -1;
	pcap_header(c.ib, LINKTYPE_IPOIB);
	pcap_header(c.eth, LINKTYPE_ETHERNET);
	c.ctx.pkey = 0x8001;
	c.ctx.qkey = IPOIB_DEFAULT_QKEY;
	c.ctx.scope = IPOIB_SCOPE_LINK;
	ipoib_hwaddr_make(&c.ctx.local, 0, 0x48, &gid_l);
	c.ctx.neigh = ipoib_neigh_create(16);
	c.ctx.stats = &c.stats;
	c.ctx.eth_resolve = resolve;
	*state = &c;
	return c.ctx.neigh ? 0 : -1;
}

static int teardown(void **state)
{
	struct cap *c = *state;

	fclose(c->ib);
	fclose(c->eth);
	free(c->ib_mem);
	free(c->eth_mem);
	ipoib_neigh_destroy(c->ctx.neigh);
	return 0;
}

static void load(struct cap *c, const uint8_t *p, size_t len, uint16_t head)
{
	memcpy(c->mem + head, p, len);
	c->b.data = c->mem + head;
	c->b.len = len;
	c->b.headroom = head;
	c->b.tailroom = sizeof(c->mem) - head - len;
}

/* Encapsulate an Ethernet frame and record it as the UD packet it becomes. */
static void record_encap(struct cap *c, const uint8_t *frame, size_t len)
{
	struct ipoib_tx_info tx;
	struct ipoib_gid dgid;
	uint8_t *grh;

	load(c, frame, len, HEADROOM);
	assert_int_equal(ipoib_encap(&c->ctx, &c->b, &tx), IPOIB_OK);
	ipoib_hwaddr_gid(&tx.dst, &dgid);
	assert_true(c->b.headroom >= IPOIB_GRH_LEN);
	grh = c->b.data - IPOIB_GRH_LEN;
	ipoib_grh_write(grh, c->b.len, &gid_l, &dgid);
	pcap_record(c->ib, c->n_ib++, grh, IPOIB_GRH_LEN + c->b.len);
}

/* Record a UD receive, then decapsulate it and record the Ethernet frame. */
static void record_decap(struct cap *c, const uint8_t *ipoib, size_t len,
			 const struct ipoib_gid *dgid, uint16_t vid)
{
	struct ipoib_rx_info rx = { .src_qpn = 0x123,
				    .qkey = IPOIB_DEFAULT_QKEY,
				    .pkey = 0x8001 };

	rx.sgid = gid_n;
	rx.dgid = *dgid;
	ipoib_grh_write(c->mem, len, &gid_n, dgid);
	memcpy(c->mem + IPOIB_GRH_LEN, ipoib, len);
	pcap_record(c->ib, c->n_ib++, c->mem, IPOIB_GRH_LEN + len);
	c->b.data = c->mem;
	c->b.len = IPOIB_GRH_LEN + len;
	c->b.headroom = 0;
	c->b.tailroom = sizeof(c->mem) - c->b.len;
	c->ctx.vid = vid;
	assert_int_equal(ipoib_decap(&c->ctx, &c->b, &rx), IPOIB_OK);
	pcap_record(c->eth, c->n_eth++, c->b.data, c->b.len);
}

static size_t ip4_ping(uint8_t *p, const uint8_t *src, const uint8_t *dst)
{
	const uint8_t hdr[12] = { 0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1 };
	uint16_t sum;

	memcpy(p, hdr, 12);
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	sum = ipoib_csum_fold(ipoib_l4_csum(p, 20, 0));
	p[10] = sum >> 8;
	p[11] = sum & 0xff;
	memset(p + 20, 0, 8);
	p[20] = 8; /* echo request, id 1 seq 1 */
	p[25] = 1;
	p[27] = 1;
	sum = ipoib_csum_fold(ipoib_l4_csum(p + 20, 8, 0));
	p[22] = sum >> 8;
	p[23] = sum & 0xff;
	return 28;
}

/* An IPv6 ND message @icmp (checksum zero) of @len bytes in @p. */
static size_t ip6_nd(uint8_t *p, const uint8_t *src, const uint8_t *dst,
		     const uint8_t *icmp, size_t len)
{
	uint32_t sum;
	uint16_t cs;

	memset(p, 0, 8);
	p[0] = 0x60;
	p[5] = len;
	p[6] = 58;
	p[7] = 255;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	memcpy(p + 40, icmp, len);
	sum = ipoib_l4_csum(p + 8, 32, 0) + len + 58;
	cs = ipoib_csum_fold(ipoib_l4_csum(p + 40, len, sum));
	p[42] = cs >> 8;
	p[43] = cs & 0xff;
	return 40 + len;
}

static size_t eth_hdr(uint8_t *p, const uint8_t *dst, uint16_t type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, mac_h, 6);
	p[12] = type >> 8;
	p[13] = type & 0xff;
	return 14;
}

static void test_from_ethernet(void **state)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mc6[6] = { 0x33, 0x33, 0xff, 0, 0, 0x20 };
	struct cap *c = *state;
	struct ipoib_hwaddr hw_n;
	uint8_t f[200], icmp[32], mac_n[6];
	size_t n;

	ipoib_hwaddr_make(&hw_n, 0, 0x123, &gid_n);
	assert_int_equal(
		ipoib_neigh_learn(c->ctx.neigh, 0x8001, &hw_n, 1, mac_n), 0);

	/* ping H -> N, unicast to N's derived MAC */
	n = eth_hdr(f, mac_n, IPOIB_ETHERTYPE_IPV4);
	n += ip4_ping(f + n, ip4_h, ip4_n);
	record_encap(c, f, n);

	/* ARP request from H for N, broadcast */
	n = eth_hdr(f, bc, IPOIB_ETHERTYPE_ARP);
	memcpy(f + n, (uint8_t[]){ 0, 1, 8, 0, 6, 4, 0, 1 }, 8);
	memcpy(f + n + 8, mac_h, 6);
	memcpy(f + n + 14, ip4_h, 4);
	memset(f + n + 18, 0, 6);
	memcpy(f + n + 24, ip4_n, 4);
	record_encap(c, f, n + 28);

	/* NS from H for N, with H's MAC as source link-layer address */
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 135;
	memcpy(icmp + 8, ip6_n, 16);
	icmp[24] = 1;
	icmp[25] = 1;
	memcpy(icmp + 26, mac_h, 6);
	n = eth_hdr(f, mc6, IPOIB_ETHERTYPE_IPV6);
	n += ip6_nd(f + n, ip6_h, ip6_sn_n, icmp, 32);
	record_encap(c, f, n);
}

static void test_from_infiniband(void **state)
{
	struct cap *c = *state;
	struct ipoib_hwaddr hw_n;
	struct ipoib_gid mgid;
	uint8_t p[200], icmp[48];
	size_t n;

	ipoib_hwaddr_make(&hw_n, IPOIB_HW_FLAG_RC, 0x123, &gid_n);

	/* ping N -> H, unicast to the gateway */
	ipoib_hdr_write(p, IPOIB_ETHERTYPE_IPV4);
	n = 4 + ip4_ping(p + 4, ip4_n, ip4_h);
	record_decap(c, p, n, &gid_l, 0);

	/* ARP reply from N to H (which it saw as the gateway), VLAN 20 */
	ipoib_hdr_write(p, IPOIB_ETHERTYPE_ARP);
	memcpy(p + 4, (uint8_t[]){ 0, 32, 8, 0, 20, 4, 0, 2 }, 8);
	memcpy(p + 12, hw_n.raw, 20);
	memcpy(p + 32, ip4_n, 4);
	memcpy(p + 36, c->ctx.local.raw, 20);
	memcpy(p + 56, ip4_h, 4);
	record_decap(c, p, 60, &gid_l, 20);

	/* NS from N for H, to the solicited-node group */
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 135;
	memcpy(icmp + 8, ip6_h, 16);
	icmp[24] = 1;
	icmp[25] = 3;
	memcpy(icmp + 28, hw_n.raw, 20);
	ipoib_hdr_write(p, IPOIB_ETHERTYPE_IPV6);
	n = 4 + ip6_nd(p + 4, ip6_n, ip6_sn_h, icmp, 48);
	assert_int_equal(ipoib_mgid_ipv6(&mgid, 0x8001, 2, ip6_sn_h), 0);
	record_decap(c, p, n, &mgid, 0);
}

/*
 * A negative control for the checker: an IPoIB ARP cut short, which a
 * dissector must call malformed (bad.pcap, only with IPOIB_PCAP_DIR).
 */
static void test_negative_control(void **state)
{
	const char *dir = getenv("IPOIB_PCAP_DIR");
	uint8_t p[IPOIB_GRH_LEN + 4 + 30];
	char *mem = NULL;
	size_t len = 0;
	FILE *f;

	f = open_out(dir, "bad.pcap", &mem, &len);
	assert_non_null(f);
	pcap_header(f, LINKTYPE_IPOIB);
	ipoib_grh_write(p, sizeof(p) - IPOIB_GRH_LEN, &gid_n, &gid_l);
	ipoib_hdr_write(p + IPOIB_GRH_LEN, IPOIB_ETHERTYPE_ARP);
	memset(p + IPOIB_GRH_LEN + 4, 0, 30);
	p[IPOIB_GRH_LEN + 5] = 32;
	p[IPOIB_GRH_LEN + 6] = 8;
	p[IPOIB_GRH_LEN + 8] = 20;
	p[IPOIB_GRH_LEN + 9] = 4;
	p[IPOIB_GRH_LEN + 11] = 1;
	pcap_record(f, 0, p, sizeof(p));
	fclose(f);
	free(mem);
}

/* The pcap framing itself: header, then records back to back. */
static void test_pcap_framing(void **state)
{
	struct cap *c = *state;
	uint32_t magic, lt;

	fflush(c->ib);
	fflush(c->eth);
	assert_int_equal(c->n_ib, 6);
	assert_int_equal(c->n_eth, 3);
	if (!c->ib_mem)
		return; /* written to IPOIB_PCAP_DIR for tshark */
	memcpy(&magic, c->ib_mem, 4);
	memcpy(&lt, c->ib_mem + 20, 4);
	assert_int_equal(magic, 0xa1b2c3d4);
	assert_int_equal(lt, LINKTYPE_IPOIB);
	memcpy(&lt, c->eth_mem + 20, 4);
	assert_int_equal(lt, LINKTYPE_ETHERNET);
	/* 3 encaps and 3 receives of 32, 60 and 92 IPoIB bytes */
	assert_int_equal(c->ib_len, 24 + 6 * (16 + 40) + 2 * (32 + 60 + 92));
	/* 42 + 46 (tagged ARP) + 86 Ethernet bytes */
	assert_int_equal(c->eth_len, 24 + 3 * 16 + 42 + 46 + 86);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_ethernet),
		cmocka_unit_test(test_from_infiniband),
		cmocka_unit_test(test_pcap_framing),
		cmocka_unit_test(test_negative_control),
	};

	return cmocka_run_group_tests_name("ipoib_pcap", tests, setup,
					   teardown);
}
