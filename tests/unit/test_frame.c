// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for eth/frame: parsing, bad input, 802.1Q push/pop. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eth/frame.h"

static const uint8_t dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };

/* A frame: dst, src, then @n 16-bit words (types/tags), then @pay bytes. */
static uint32_t build(uint8_t *f, const uint16_t *w, int n, uint32_t pay)
{
	uint32_t len = 12;
	int i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	for (i = 0; i < n; i++) {
		f[len++] = w[i] >> 8;
		f[len++] = w[i] & 0xff;
	}
	memset(f + len, 0xab, pay);
	return len + pay;
}

static void test_untagged(void **state)
{
	uint8_t f[1600] = { 0 };
	struct frame_info fi;
	uint32_t len = build(f, (uint16_t[]){ 0x0800 }, 1, 46);

	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_OK);
	assert_false(fi.tagged);
	assert_int_equal(fi.ethertype, 0x0800);
	assert_true(fi.dst_multicast);
	/* 802.3 length field is fine */
	len = build(f, (uint16_t[]){ 46 }, 1, 46);
	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_OK);
}

static void test_tagged(void **state)
{
	uint8_t f[1600] = { 0 };
	struct frame_info fi;
	uint32_t len = build(f, (uint16_t[]){ 0x8100, 0xa014, 0x0806 }, 3, 28);

	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_OK);
	assert_true(fi.tagged);
	assert_int_equal(fi.tci, 0xa014);
	assert_int_equal(fi.ethertype, 0x0806);
}

static void test_bad_input(void **state)
{
	uint8_t f[1600] = { 0 };
	struct frame_info fi;
	uint32_t len;

	assert_int_equal(frame_parse(f, 0, 1500, &fi), FRAME_ERR_RUNT);
	assert_int_equal(frame_parse(f, 13, 1500, &fi), FRAME_ERR_RUNT);
	/* truncated tag */
	len = build(f, (uint16_t[]){ 0x8100, 0x0014 }, 2, 0);
	assert_int_equal(frame_parse(f, len - 1, 1500, &fi), FRAME_ERR_BAD_TAG);
	/* double tag, S-tag, old QinQ */
	len = build(f, (uint16_t[]){ 0x8100, 0x0014, 0x8100, 0x15, 0x800 }, 5,
		    40);
	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_ERR_BAD_TAG);
	len = build(f, (uint16_t[]){ 0x88a8, 0x0014, 0x0800 }, 3, 40);
	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_ERR_BAD_TAG);
	len = build(f, (uint16_t[]){ 0x8100, 0x0014, 0x9100 }, 3, 40);
	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_ERR_BAD_TAG);
	/* garbage ethertype */
	len = build(f, (uint16_t[]){ 0x05ff }, 1, 40);
	assert_int_equal(frame_parse(f, len, 1500, &fi),
			 FRAME_ERR_BAD_ETHERTYPE);
	/* oversize, tagged and not */
	len = build(f, (uint16_t[]){ 0x0800 }, 1, 1501);
	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_ERR_OVERSIZE);
	assert_int_equal(frame_parse(f, len - 1, 1500, &fi), FRAME_OK);
	len = build(f, (uint16_t[]){ 0x8100, 1, 0x0800 }, 3, 1500);
	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_OK);
	assert_int_equal(frame_parse(f, len + 1, 1500, &fi),
			 FRAME_ERR_OVERSIZE);
	/* multicast and zero source */
	len = build(f, (uint16_t[]){ 0x0800 }, 1, 40);
	f[6] = 0x01;
	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_ERR_BAD_SRC);
	memset(f + 6, 0, 6);
	assert_int_equal(frame_parse(f, len, 1500, &fi), FRAME_ERR_BAD_SRC);
	assert_string_equal(frame_error_name(FRAME_ERR_BAD_TAG), "bad_tag");
	assert_string_equal(frame_error_name(99), "unknown");
}

static void test_push_pop(void **state)
{
	uint8_t buf[256], orig[100];
	uint8_t *f = buf + 64, *t;
	uint32_t len = build(f, (uint16_t[]){ 0x0800 }, 1, 60);
	struct frame_info fi;

	memcpy(orig, f, len);
	t = frame_vlan_push(f, 0xe000 | 20);
	assert_ptr_equal(t, f - 4);
	assert_int_equal(frame_parse(t, len + 4, 1500, &fi), FRAME_OK);
	assert_true(fi.tagged);
	assert_int_equal(fi.tci, 0xe014); /* PCP 7, VID 20 */
	assert_memory_equal(t, orig, 12);
	assert_memory_equal(t + 16, orig + 12, len - 12);
	f = frame_vlan_pop(t);
	assert_memory_equal(f, orig, len);
}

static void test_mac(void **state)
{
	char buf[18];
	uint8_t m[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

	assert_string_equal(frame_mac_format(frame_mac_to_u64(m), buf,
					     sizeof(buf)),
			    "52:54:00:12:34:56");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untagged),
		cmocka_unit_test(test_tagged),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_push_pop),
		cmocka_unit_test(test_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
