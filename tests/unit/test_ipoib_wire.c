// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for ipoib/wire: the IPoIB header, hardware addresses, P_Key
 * matching and multicast GIDs, against bytes written out by hand from
 * RFC 4391 (and the layouts the Linux IPoIB driver puts on the wire).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipoib/wire.h"

/* fe80::0002:c903:00a1:b2c5, a port GID of the policy examples */
static const struct ipoib_gid port_gid = { {
	0xfe,
	0x80,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x02,
	0xc9,
	0x03,
	0x00,
	0xa1,
	0xb2,
	0xc5,
} };

static void test_header(void **state)
{
	uint8_t p[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	const uint8_t want_v4[4] = { 0x08, 0x00, 0x00, 0x00 };
	const uint8_t want_v6[4] = { 0x86, 0xdd, 0x00, 0x00 };
	uint16_t type = 0;

	ipoib_hdr_write(p, IPOIB_ETHERTYPE_IPV4);
	assert_memory_equal(p, want_v4, 4);
	ipoib_hdr_write(p, IPOIB_ETHERTYPE_IPV6);
	assert_memory_equal(p, want_v6, 4);

	/* reserved bits are ignored on receipt */
	p[2] = 0x12;
	p[3] = 0x34;
	assert_int_equal(ipoib_hdr_parse(p, 4, &type), IPOIB_OK);
	assert_int_equal(type, 0x86dd);
	assert_int_equal(ipoib_hdr_parse(p, 3, &type), IPOIB_DROP_TRUNCATED);
}

static void test_hwaddr(void **state)
{
	const uint8_t want[20] = {
		0x80, 0x00, 0x04, 0x48, /* RC flag, QPN 0x000448 */
		0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x02, 0xc9, 0x03, 0x00, 0xa1, 0xb2, 0xc5,
	};
	struct ipoib_hwaddr hw, other;
	struct ipoib_gid gid;
	char buf[64];

	ipoib_hwaddr_make(&hw, IPOIB_HW_FLAG_RC, 0x12000448, &port_gid);
	assert_memory_equal(hw.raw, want, 20);
	assert_int_equal(ipoib_hwaddr_qpn(&hw), 0x448);
	assert_int_equal(ipoib_hwaddr_flags(&hw), 0x80);
	ipoib_hwaddr_gid(&hw, &gid);
	assert_memory_equal(gid.raw, port_gid.raw, 16);
	assert_false(ipoib_hwaddr_is_mcast(&hw));

	/* same QP with other flags is the same port; other QPN is not */
	ipoib_hwaddr_make(&other, 0, 0x448, &port_gid);
	assert_true(ipoib_hwaddr_same_port(&hw, &other));
	ipoib_hwaddr_make(&other, 0x80, 0x449, &port_gid);
	assert_false(ipoib_hwaddr_same_port(&hw, &other));

	assert_string_equal(ipoib_hwaddr_format(&hw, buf, sizeof(buf)),
			    "80:00:04:48:fe:80:00:00:00:00:00:00:00:02:c9:03:"
			    "00:a1:b2:c5");
	/* a short buffer is never overrun and stays terminated */
	assert_string_equal(ipoib_hwaddr_format(&hw, buf, 8), "80:00");
}

static void test_pkey_match(void **state)
{
	assert_int_equal(ipoib_pkey_match(0x8001, 0x8001), IPOIB_OK);
	assert_int_equal(ipoib_pkey_match(0x0001, 0x8001), IPOIB_OK);
	assert_int_equal(ipoib_pkey_match(0x8001, 0x0001), IPOIB_OK);
	assert_int_equal(ipoib_pkey_match(0x0001, 0x0001),
			 IPOIB_DROP_PKEY_LIMITED);
	assert_int_equal(ipoib_pkey_match(0x8002, 0x8001), IPOIB_DROP_BAD_PKEY);
	assert_int_equal(ipoib_pkey_match(0x8000, 0x8000), IPOIB_DROP_BAD_PKEY);
	assert_int_equal(ipoib_pkey_match(0xffff, 0x7fff), IPOIB_OK);
}

static void test_mgid_bcast(void **state)
{
	/* ff12:401b:8001:0000:0000:0000:ffff:ffff */
	const uint8_t want[16] = { 0xff, 0x12, 0x40, 0x1b, 0x80, 0x01,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0xff, 0xff, 0xff, 0xff };
	/* the default partition, site-local scope 5 */
	const uint8_t want_def[16] = { 0xff, 0x15, 0x40, 0x1b, 0xff, 0xff,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				       0xff, 0xff, 0xff, 0xff };
	struct ipoib_gid g;
	uint16_t pkey = 0;

	/* a limited member joins the group of the full-member P_Key */
	ipoib_mgid_bcast(&g, 0x0001, IPOIB_SCOPE_LINK);
	assert_memory_equal(g.raw, want, 16);
	ipoib_mgid_bcast(&g, 0x8001, IPOIB_SCOPE_LINK);
	assert_memory_equal(g.raw, want, 16);
	ipoib_mgid_bcast(&g, 0x7fff, 5);
	assert_memory_equal(g.raw, want_def, 16);

	assert_int_equal(ipoib_mgid_pkey(&g, &pkey), 0);
	assert_int_equal(pkey, 0xffff);
	assert_true(ipoib_gid_is_mcast(&g));
	assert_false(ipoib_gid_is_mcast(&port_gid));
	assert_int_equal(ipoib_mgid_pkey(&port_gid, &pkey), -EINVAL);
}

static void test_mgid_proto(void **state)
{
	/* ff12:88b5:9001:0000:0000:0000:88b5:0001 */
	const uint8_t want[16] = { 0xff, 0x12, 0x88, 0xb5, 0x90, 0x01,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x88, 0xb5, 0x00, 0x01 };
	struct ipoib_gid g, b;
	uint16_t pkey = 0;
	char buf[48];

	memset(&g, 0xaa, sizeof(g));
	ipoib_mgid_proto(&g, 0x1001, IPOIB_SCOPE_LINK);
	assert_memory_equal(g.raw, want, 16);
	ipoib_mgid_proto(&g, 0x9001, IPOIB_SCOPE_LINK);
	assert_memory_equal(g.raw, want, 16);
	assert_true(ipoib_gid_is_mcast(&g));
	/* not an IPoIB group: decap's checks never take it for one */
	assert_int_equal(ipoib_mgid_pkey(&g, &pkey), -EINVAL);
	ipoib_mgid_bcast(&b, 0x9001, IPOIB_SCOPE_LINK);
	assert_memory_not_equal(g.raw, b.raw, 16);
	assert_string_equal(ipoib_gid_format(&g, buf, sizeof(buf)),
			    "ff12:88b5:9001:0000:0000:0000:88b5:0001");
	assert_true(ipoib_ethertype_own(0x0800));
	assert_false(ipoib_ethertype_own(0x88b5));
}

static void test_mgid_ipv4(void **state)
{
	/* 239.129.2.3 = 0xef810203: low 28 bits 0x0f810203 */
	const uint8_t addr[4] = { 239, 129, 2, 3 };
	const uint8_t want[16] = { 0xff, 0x12, 0x40, 0x1b, 0x80, 0x14,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x0f, 0x81, 0x02, 0x03 };
	const uint8_t ucast[4] = { 10, 20, 0, 1 };
	struct ipoib_gid g;
	uint16_t pkey = 0;

	assert_int_equal(ipoib_mgid_ipv4(&g, 0x0014, 2, addr), 0);
	assert_memory_equal(g.raw, want, 16);
	assert_int_equal(ipoib_mgid_pkey(&g, &pkey), 0);
	assert_int_equal(pkey, 0x8014);
	assert_int_equal(ipoib_mgid_ipv4(&g, 0x0014, 2, ucast), -EINVAL);
}

static void test_mgid_ipv6(void **state)
{
	/* ff02::1:ff00:1 (solicited-node of ::1) */
	const uint8_t addr[16] = { 0xff, 0x02, 0, 0, 0,	   0, 0, 0,
				   0,	 0,    0, 1, 0xff, 0, 0, 1 };
	/* ff12:601b:8001: + low 80 bits 0000:0000:0001:ff00:0001 */
	const uint8_t want[16] = { 0xff, 0x12, 0x60, 0x1b, 0x80, 0x01,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
				   0xff, 0x00, 0x00, 0x01 };
	struct ipoib_gid g;

	assert_int_equal(ipoib_mgid_ipv6(&g, 0x8001, 2, addr), 0);
	assert_memory_equal(g.raw, want, 16);
	assert_int_equal(ipoib_mgid_ipv6(&g, 0x8001, 2, port_gid.raw), -EINVAL);
}

static void test_grh(void **state)
{
	const uint8_t want_head[8] = { 0x60, 0, 0, 0, 0x01, 0x02, 0x1b, 1 };
	struct ipoib_gid s, d, mg;
	uint8_t grh[40];

	ipoib_mgid_bcast(&mg, 0x8001, 2);
	ipoib_grh_write(grh, 0x102, &port_gid, &mg);
	assert_memory_equal(grh, want_head, 8);
	assert_memory_equal(grh + 8, port_gid.raw, 16);
	assert_memory_equal(grh + 24, mg.raw, 16);
	assert_int_equal(ipoib_grh_gids(grh, 40, &s, &d), 0);
	assert_memory_equal(s.raw, port_gid.raw, 16);
	assert_memory_equal(d.raw, mg.raw, 16);
	assert_int_equal(ipoib_grh_gids(grh, 39, &s, &d), -EINVAL);
	grh[0] = 0x40;
	assert_int_equal(ipoib_grh_gids(grh, 40, &s, NULL), -EINVAL);
}

static void test_drop_names(void **state)
{
	struct ipoib_drop_stats st;
	int i, j;

	memset(&st, 0, sizeof(st));
	assert_string_equal(ipoib_drop_name(IPOIB_DROP_BAD_QKEY), "bad_qkey");
	assert_string_equal(ipoib_drop_name(IPOIB_DROP_MAX), "?");
	/* every reason has a distinct name */
	for (i = 0; i < IPOIB_DROP_MAX; i++) {
		assert_string_not_equal(ipoib_drop_name(i), "?");
		for (j = 0; j < i; j++)
			assert_string_not_equal(ipoib_drop_name(i),
						ipoib_drop_name(j));
	}
	assert_int_equal(ipoib_drop_count(&st, IPOIB_DROP_TRUNCATED),
			 IPOIB_DROP_TRUNCATED);
	ipoib_drop_count(&st, IPOIB_DROP_TRUNCATED);
	ipoib_drop_count(NULL, IPOIB_DROP_TRUNCATED);
	assert_int_equal(st.count[IPOIB_DROP_TRUNCATED], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_hwaddr),
		cmocka_unit_test(test_pkey_match),
		cmocka_unit_test(test_mgid_bcast),
		cmocka_unit_test(test_mgid_proto),
		cmocka_unit_test(test_mgid_ipv4),
		cmocka_unit_test(test_mgid_ipv6),
		cmocka_unit_test(test_grh),
		cmocka_unit_test(test_drop_names),
	};

	return cmocka_run_group_tests_name("ipoib_wire", tests, NULL, NULL);
}
