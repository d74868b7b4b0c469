// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the XDP fast path program (eth/xdp_fast.bpf.c), run in
 * the kernel with BPF_PROG_TEST_RUN (bpf_prog_test_run_opts()): crafted
 * frames against maps filled as the engine fills them, checking the
 * verdict and the frame that leaves. XDP_PASS is "to the engine" (no
 * AF_XDP socket here), XDP_REDIRECT "forwarded in the kernel". Then
 * random frames, where a redirect is allowed only to the one destination
 * that may be reached. Needs root (BPF); skips without it.
 *
 * Slots: 0 = the ingress (the test run's interface, lo), access in
 * partition A; 1 access in A; 2 access in B; 3 a trunk in both; 4, 5
 * limited members of A.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <cmocka.h>

#include "eth/xdp_fast.h"

#define PART_A 0
#define PART_B 1
#define VID_A 20
#define VID_B 30
#define MAC_SRC 0x020000000001ull /* on slot 0 in A */
#define MAC_A1 0x0200000000a1ull /* slot 1, A */
#define MAC_B 0x0200000000b1ull /* slot 2, B */
#define MAC_T 0x0200000000e1ull /* behind the trunk, A */
#define MAC_L 0x0200000000c1ull /* slot 5, limited in A */
#define MAC_POISON 0x0200000000ffull /* in A's map, but on slot 2 (B) */

static int lo;

static void set_ingress(unsigned int flags, uint16_t part)
{
	assert_int_equal(xdp_fast_port_set(lo, 0, part, flags), 0);
}

static void parts_load(bool a_active)
{
	static struct xf_part parts[XF_MAX_PARTS];
	static uint32_t vids[4096];

	memset(parts, 0, sizeof(parts));
	memset(vids, 0, sizeof(vids));
	parts[PART_A] = (struct xf_part){ .members = 0x3b,
					  .limited = 0x30,
					  .vlan = VID_A,
					  .active = a_active };
	parts[PART_B] =
		(struct xf_part){ .members = 0x0c, .vlan = VID_B, .active = 1 };
	vids[VID_A] = PART_A + 1;
	vids[VID_B] = PART_B + 1;
	assert_int_equal(xdp_fast_parts_load(parts, vids), 0);
}

static int setup(void **state)
{
	unsigned int s;

	lo = (int)if_nametoindex("lo");
	if (!lo || xdp_fast_hold())
		return 0; /* the tests skip */
	/* every slot's egress is lo: XDP_REDIRECT is returned, not sent */
	for (s = 1; s <= 5; s++)
		assert_int_equal(
			xdp_fast_port_set(lo, s, s == 2 ? PART_B : PART_A,
					  XF_PORT_FAST | XF_PORT_EGRESS |
						  (s == 3 ? XF_PORT_TRUNK : 0) |
						  (s >= 4 ? XF_PORT_LIMITED :
							    0)),
			0);
	set_ingress(XF_PORT_FAST, PART_A);
	parts_load(true);
	assert_int_equal(xdp_fast_fdb_set(PART_A, MAC_SRC, 0), 0);
	assert_int_equal(xdp_fast_fdb_set(PART_A, MAC_A1, 1), 0);
	assert_int_equal(xdp_fast_fdb_set(PART_B, MAC_B, 2), 0);
	assert_int_equal(xdp_fast_fdb_set(PART_A, MAC_T, 3), 0);
	assert_int_equal(xdp_fast_fdb_set(PART_B, MAC_T, 3), 0);
	assert_int_equal(xdp_fast_fdb_set(PART_A, MAC_L, 5), 0);
	assert_int_equal(xdp_fast_fdb_set(PART_A, MAC_POISON, 2), 0);
	*state = (void *)1;
	return 0;
}

static int teardown(void **state)
{
	if (*state) {
		xdp_fast_fdb_clear();
		xdp_fast_put();
	}
	return 0;
}

static void put_mac(uint8_t *p, uint64_t mac)
{
	int i;

	for (i = 0; i < 6; i++)
		p[i] = (uint8_t)(mac >> (8 * (5 - i)));
}

/* A frame DST <- SRC, tagged with @vid unless it is -1, @len bytes. */
static size_t frame(uint8_t *f, uint64_t dst, uint64_t src, int vid, size_t len)
{
	size_t o = 12;

	memset(f, 0x5a, len);
	put_mac(f, dst);
	put_mac(f + 6, src);
	if (vid >= 0) {
		f[o++] = 0x81;
		f[o++] = 0x00;
		f[o++] = (uint8_t)(vid >> 8);
		f[o++] = (uint8_t)vid;
	}
	f[o++] = 0x88;
	f[o++] = 0xb5;
	return len;
}

struct result {
	int verdict;
	uint8_t out[2048];
	uint32_t out_len;
};

static struct result run(const uint8_t *f, size_t len)
{
	struct result r = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f,
		    .data_size_in = (uint32_t)len, .data_out = r.out,
		    .data_size_out = sizeof(r.out), .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(xdp_fast_prog_fd(), &o), 0);
	r.verdict = (int)o.retval;
	r.out_len = o.data_size_out;
	return r;
}

static int verdict(uint64_t dst, uint64_t src, int vid, size_t len)
{
	uint8_t f[2048];

	return run(f, frame(f, dst, src, vid, len)).verdict;
}

#define NEED_BPF()                                     \
	do {                                           \
		if (!*state)                           \
			skip(); /* not root, no BPF */ \
	} while (0)

static uint64_t seen_mac;

static void seen(void *ctx, uint16_t part, uint64_t mac, unsigned int slot,
		 uint64_t ago_ms)
{
	if (part == PART_A && slot == 0 && ago_ms < 10000)
		seen_mac = mac;
}

static void test_known_unicast(void **state)
{
	uint8_t f[128];
	struct result r;

	NEED_BPF();
	r = run(f, frame(f, MAC_A1, MAC_SRC, -1, 64));
	assert_int_equal(r.verdict, XDP_REDIRECT);
	assert_int_equal(r.out_len, 64);
	assert_memory_equal(r.out, f, 64);
	assert_int_equal(verdict(MAC_A1, MAC_SRC, -1, 1514), XDP_REDIRECT);
	/* the source's age restarted: the engine hears of it */
	seen_mac = 0;
	assert_true(xdp_fast_fdb_seen(seen, NULL) >= 1);
	assert_true(seen_mac == MAC_SRC);
}

static void test_to_engine(void **state)
{
	NEED_BPF();
	/* unknown destination: flooded by the engine */
	assert_int_equal(verdict(0x020000000777ull, MAC_SRC, -1, 64), XDP_PASS);
	/* broadcast, multicast */
	assert_int_equal(verdict(0xffffffffffffull, MAC_SRC, -1, 64), XDP_PASS);
	assert_int_equal(verdict(0x01005e000001ull, MAC_SRC, -1, 64), XDP_PASS);
	/* source not learned, or learned on another port: learning */
	assert_int_equal(verdict(MAC_A1, 0x020000000999ull, -1, 64), XDP_PASS);
	assert_int_equal(verdict(MAC_SRC, MAC_A1, -1, 64), XDP_PASS);
	/* multicast or zero source */
	assert_int_equal(verdict(MAC_A1, 0x010000000001ull, -1, 64), XDP_PASS);
	assert_int_equal(verdict(MAC_A1, 0, -1, 64), XDP_PASS);
	/* to its own port */
	assert_int_equal(xdp_fast_fdb_set(PART_A, 0x020000000002ull, 0), 0);
	assert_int_equal(verdict(0x020000000002ull, MAC_SRC, -1, 64), XDP_PASS);
}

static void test_bad_headers(void **state)
{
	uint8_t f[2048];
	size_t n;

	NEED_BPF();
	/* short frames: the kernel runs no program on less than a header
	 * (the test run refuses them too); a header alone goes through */
	frame(f, MAC_A1, MAC_SRC, -1, 64);
	for (n = 14; n < 18; n++)
		assert_int_equal(run(f, n).verdict, XDP_REDIRECT);
	/* oversize */
	assert_int_equal(verdict(MAC_A1, MAC_SRC, -1, 1600), XDP_PASS);
	/* tagged on an access port (VID 20 and priority-tagged VID 0) */
	assert_int_equal(verdict(MAC_A1, MAC_SRC, VID_A, 64), XDP_PASS);
	assert_int_equal(verdict(MAC_A1, MAC_SRC, 0, 64), XDP_PASS);
	/* 802.1ad outer tag; ethertype 1501..1535 */
	frame(f, MAC_A1, MAC_SRC, -1, 64);
	f[12] = 0x88, f[13] = 0xa8;
	assert_int_equal(run(f, 64).verdict, XDP_PASS);
	f[12] = 0x05, f[13] = 0xf0;
	assert_int_equal(run(f, 64).verdict, XDP_PASS);
}

static void test_partitions(void **state)
{
	NEED_BPF();
	/* B's address is not in A */
	assert_int_equal(verdict(MAC_B, MAC_SRC, -1, 64), XDP_PASS);
	/* a poisoned entry: in A's table, on a port of B only. The program
	 * checks the ingress partition's members: never redirected. */
	assert_int_equal(verdict(MAC_POISON, MAC_SRC, -1, 64), XDP_PASS);
	/* a partition not active: all to the engine */
	parts_load(false);
	assert_int_equal(verdict(MAC_A1, MAC_SRC, -1, 64), XDP_PASS);
	parts_load(true);
	/* the ingress not a member of its partition (removed) */
	set_ingress(XF_PORT_FAST, PART_B);
	assert_int_equal(verdict(MAC_A1, MAC_SRC, -1, 64), XDP_PASS);
	/* fast path off on the port */
	set_ingress(0, PART_A);
	assert_int_equal(verdict(MAC_A1, MAC_SRC, -1, 64), XDP_PASS);
	set_ingress(XF_PORT_FAST, PART_A);
}

static void test_isolation(void **state)
{
	NEED_BPF();
	assert_int_equal(xdp_fast_fdb_set(PART_A, MAC_SRC, 4), 0);
	assert_int_equal(xdp_fast_port_set(lo, 4, PART_A,
					   XF_PORT_FAST | XF_PORT_LIMITED),
			 0);
	/* limited -> limited: dropped in the kernel */
	assert_int_equal(verdict(MAC_L, MAC_SRC, -1, 64), XDP_DROP);
	/* limited -> full: forwarded */
	assert_int_equal(verdict(MAC_A1, MAC_SRC, -1, 64), XDP_REDIRECT);
	assert_int_equal(xdp_fast_port_set(lo, 0, PART_A, XF_PORT_FAST), 0);
	assert_int_equal(xdp_fast_fdb_set(PART_A, MAC_SRC, 0), 0);
	/* full -> limited: forwarded */
	assert_int_equal(verdict(MAC_L, MAC_SRC, -1, 64), XDP_REDIRECT);
}

static void test_tags(void **state)
{
	uint8_t f[128];
	struct result r;
	size_t n;

	NEED_BPF();
	/* access -> trunk: the partition's tag pushed */
	r = run(f, frame(f, MAC_T, MAC_SRC, -1, 64));
	assert_int_equal(r.verdict, XDP_REDIRECT);
	assert_int_equal(r.out_len, 68);
	assert_memory_equal(r.out, f, 12);
	assert_int_equal(r.out[12], 0x81);
	assert_int_equal(r.out[13], 0x00);
	assert_int_equal((r.out[14] << 8 | r.out[15]) & 0xfff, VID_A);
	assert_memory_equal(r.out + 16, f + 12, 64 - 12);
	/* trunk -> access: popped */
	assert_int_equal(
		xdp_fast_port_set(lo, 0, 0, XF_PORT_FAST | XF_PORT_TRUNK), 0);
	r = run(f, frame(f, MAC_A1, MAC_SRC, VID_A, 68));
	assert_int_equal(r.verdict, XDP_REDIRECT);
	assert_int_equal(r.out_len, 64);
	assert_memory_equal(r.out, f, 12);
	assert_memory_equal(r.out + 12, f + 16, 64 - 12);
	/* VID B: the destination is looked up in B, where it is not */
	assert_int_equal(verdict(MAC_A1, MAC_SRC, VID_B, 68), XDP_PASS);
	/* unknown VID, untagged on a trunk, double tag */
	assert_int_equal(verdict(MAC_A1, MAC_SRC, 99, 68), XDP_PASS);
	assert_int_equal(verdict(MAC_A1, MAC_SRC, -1, 64), XDP_PASS);
	frame(f, MAC_A1, MAC_SRC, VID_A, 72);
	f[16] = 0x81, f[17] = 0x00;
	assert_int_equal(run(f, 72).verdict, XDP_PASS);
	/* a tag cut short */
	frame(f, MAC_A1, MAC_SRC, VID_A, 72);
	for (n = 14; n < 18; n++)
		assert_int_equal(run(f, n).verdict, XDP_PASS);
	set_ingress(XF_PORT_FAST, PART_A);
}

/*
 * Random frames from the learned source: whatever the bytes, a redirect
 * only ever goes to the one full member of A the destination names.
 */
static void test_random_frames(void **state)
{
	static const uint64_t dsts[] = { MAC_A1, MAC_B, MAC_POISON,
					 MAC_L,	 MAC_T, 0xffffffffffffull };
	uint8_t f[256];
	unsigned int i, redirected = 0;

	NEED_BPF();
	srand(17);
	for (i = 0; i < 20000; i++) {
		size_t len = 14 + (size_t)rand() % (sizeof(f) - 14), j;
		uint64_t dst = dsts[(unsigned int)rand() % 6];
		struct result r;

		for (j = 0; j < len; j++)
			f[j] = (uint8_t)rand();
		if (rand() % 4) { /* mostly well-formed addresses */
			put_mac(f, dst);
			put_mac(f + 6, MAC_SRC);
		}
		r = run(f, len);
		assert_true(r.verdict == XDP_PASS ||
			    r.verdict == XDP_REDIRECT || r.verdict == XDP_DROP);
		if (r.verdict != XDP_PASS) {
			uint64_t d = 0;

			for (j = 0; j < 6; j++)
				d = d << 8 | f[j];
			/* A's members the access port may reach */
			assert_true(d == MAC_A1 || d == MAC_T || d == MAC_L);
			redirected++;
		}
	}
	assert_true(redirected > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_unicast),
		cmocka_unit_test(test_to_engine),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_partitions),
		cmocka_unit_test(test_isolation),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_random_frames),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
