// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP redirect probe (eth/frame.h, sent by eth/xdp_fast.c) and
 * fabricd's peer links (ipoib/port_peer.h) share ethertype 0x88B5: no
 * frame of one is ever taken for the other. frame_parse() refuses the
 * probe (FRAME_ERR_PROBE) and nothing else of that ethertype: not the
 * probe of old (zeros after the type), not a peer-link message carried
 * in an Ethernet frame, not a probe cut short or one byte off. The peer
 * header parser refuses the probe's payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eth/frame.h"
#include "ipoib/port_peer.h"
#include "ipoib/proto.h"

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac_b[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

static enum frame_error parse(const uint8_t *f, uint32_t len)
{
	struct frame_info fi;

	return frame_parse(f, len, 1500, &fi);
}

static void test_probe_refused(void **state)
{
	uint8_t f[FRAME_PROBE_LEN];

	(void)state;
	frame_probe_build(f);
	assert_int_equal(f[12] << 8 | f[13], FRAME_PROBE_TYPE);
	assert_int_equal(FRAME_PROBE_TYPE, IPOIB_PROTO_PEER);
	assert_memory_equal(f + FRAME_ETH_HLEN, "fabricd-xdp-probe", 17);
	assert_int_equal(parse(f, sizeof(f)), FRAME_ERR_PROBE);
	assert_string_equal(frame_error_name(FRAME_ERR_PROBE), "xdp_probe");
}

/* Frames of the probe's ethertype that are no probe: forwarded. */
static void test_other_88b5_frames(void **state)
{
	uint8_t f[FRAME_PROBE_LEN];
	unsigned int i;

	(void)state;
	frame_probe_build(f);
	memset(f + FRAME_ETH_HLEN, 0, sizeof(f) - FRAME_ETH_HLEN);
	assert_int_equal(parse(f, sizeof(f)), FRAME_OK); /* the old probe */
	for (i = FRAME_ETH_HLEN; i < sizeof(f); i++)
		f[i] = (uint8_t)i;
	assert_int_equal(parse(f, sizeof(f)), FRAME_OK);
	frame_probe_build(f);
	f[FRAME_ETH_HLEN + FRAME_PROBE_SIG_LEN - 1] ^= 1; /* one byte off */
	assert_int_equal(parse(f, sizeof(f)), FRAME_OK);
	frame_probe_build(f); /* cut within the signature */
	assert_int_equal(parse(f, FRAME_ETH_HLEN + FRAME_PROBE_SIG_LEN - 1),
			 FRAME_OK);
	frame_probe_build(f);
	f[13] ^= 0x03; /* 0x88b6: another ethertype */
	assert_int_equal(parse(f, sizeof(f)), FRAME_OK);
}

/* A peer-link message (header, the frame it carries) in an Ethernet frame. */
static void test_peer_message_no_probe(void **state)
{
	static const uint8_t types[] = { PEER_TYPE_FRAME, PEER_TYPE_HELLO };
	uint8_t f[128] = { 0 }, *m = f + FRAME_ETH_HLEN;
	uint8_t type;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(types); i++) {
		frame_probe_build(f);
		memset(m, 0, sizeof(f) - FRAME_ETH_HLEN);
		peer_hdr_write(m, types[i]);
		memcpy(m + PEER_HDR_LEN, mac_a, 6);
		memcpy(m + PEER_HDR_LEN + 6, mac_b, 6);
		assert_int_equal(peer_hdr_parse(m, 64, &type), 0);
		assert_int_equal(type, types[i]);
		assert_int_equal(parse(f, FRAME_ETH_HLEN + 64), FRAME_OK);
		assert_false(frame_is_probe(f, FRAME_ETH_HLEN + 64,
					    FRAME_PROBE_TYPE));
	}
}

/* The probe's payload, were it to reach a peer port, is no peer message. */
static void test_probe_no_peer_message(void **state)
{
	uint8_t f[FRAME_PROBE_LEN], type = 0;

	(void)state;
	frame_probe_build(f);
	assert_int_not_equal(f[FRAME_ETH_HLEN], PEER_VERSION);
	assert_int_equal(peer_hdr_parse(f + FRAME_ETH_HLEN,
					sizeof(f) - FRAME_ETH_HLEN, &type),
			 PEER_DROP_BAD_HEADER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_refused),
		cmocka_unit_test(test_other_88b5_frames),
		cmocka_unit_test(test_peer_message_no_probe),
		cmocka_unit_test(test_probe_no_peer_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
