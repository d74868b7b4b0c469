// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for ipoib/sa_client's wire formats: MCMemberRecord and
 * PathRecord byte-exact per IBA 15.2.5.17 / 15.2.5.16 (hand-made vectors
 * and OpenSM's own record layouts and setters from <iba/ib_types.h>),
 * the SA MAD header, and SA status to errno.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <iba/ib_types.h>

#include "ipoib/sa_client.h"

static const uint8_t mgid_8001[16] = { 0xff, 0x12, 0x40, 0x1b, 0x80, 0x01,
				       0,    0,	   0,	 0,    0,    0,
				       0xff, 0xff, 0xff, 0xff };
static const uint8_t gid_gw1[16] = { 0xfe, 0x80, 0,    0,    0, 0, 0,	 0,
				     0x00, 0x02, 0xc9, 0x03, 0, 0, 0x01, 0x01 };
static const uint8_t gid_h1[16] = { 0xfe, 0x80, 0,    0,    0, 0, 0,	0,
				    0x00, 0x02, 0xc9, 0x03, 0, 0, 0x02, 0x01 };

static struct ipoib_mcmember sample_mcm(void)
{
	struct ipoib_mcmember m = {
		.qkey = 0x00000b1b,
		.mlid = 0xc001,
		.mtu_sel = 2,
		.mtu = 4,
		.tclass = 0x12,
		.pkey = 0x8001,
		.rate_sel = 2,
		.rate = 3,
		.plt_sel = 2,
		.plt = 0x12,
		.sl = 5,
		.flow_label = 0xabcde,
		.hop_limit = 0x40,
		.scope = 2,
		.join_state = 1,
	};

	memcpy(m.mgid.raw, mgid_8001, 16);
	memcpy(m.port_gid.raw, gid_gw1, 16);
	return m;
}

/* The IBA layout, written out by hand. */
static void test_mcmember_bytes(void **state)
{
	static const uint8_t tail[] = {
		0x00, 0x00, 0x0b, 0x1b, /* Q_Key */
		0xc0, 0x01, /* MLID */
		0x84, /* MTUSelector 2 (exactly), MTU 4 (2048) */
		0x12, /* TClass */
		0x80, 0x01, /* P_Key */
		0x83, /* RateSelector 2, Rate 3 */
		0x92, /* PacketLifeTimeSelector 2, PacketLifeTime 0x12 */
		0x5a, 0xbc, 0xde, 0x40, /* SL 5, FlowLabel 0xabcde, HopLimit */
		0x21, /* Scope 2 (link), JoinState 1 (full member) */
		0x80, 0x00, 0x00, /* ProxyJoin (first bit), reserved */
	};
	struct ipoib_mcmember m = sample_mcm(), back;
	uint8_t out[IPOIB_SA_MCMEMBER_LEN], again[IPOIB_SA_MCMEMBER_LEN];

	m.proxy_join = 1;
	memset(out, 0xaa, sizeof(out));
	ipoib_sa_mcmember_pack(&m, out);
	assert_memory_equal(out, mgid_8001, 16);
	assert_memory_equal(out + 16, gid_gw1, 16);
	assert_int_equal(sizeof(tail), IPOIB_SA_MCMEMBER_LEN - 32);
	assert_memory_equal(out + 32, tail, sizeof(tail));
	ipoib_sa_mcmember_unpack(out, &back);
	assert_int_equal(back.qkey, m.qkey);
	assert_int_equal(back.flow_label, m.flow_label);
	assert_int_equal(back.sl, 5);
	assert_int_equal(back.proxy_join, 1);
	ipoib_sa_mcmember_pack(&back, again);
	assert_memory_equal(again, out, sizeof(out));
}

/* The same record built with OpenSM's struct and setters. */
static void test_mcmember_opensm(void **state)
{
	struct ipoib_mcmember m = sample_mcm();
	uint8_t out[IPOIB_SA_MCMEMBER_LEN];
	ib_member_rec_t r;

	memset(&r, 0, sizeof(r));
	memcpy(r.mgid.raw, mgid_8001, 16);
	memcpy(r.port_gid.raw, gid_gw1, 16);
	r.qkey = htonl(0xb1b);
	r.mlid = htons(0xc001);
	r.mtu = 0x84;
	r.tclass = 0x12;
	r.pkey = htons(0x8001);
	r.rate = 0x83;
	r.pkt_life = 0x92;
	r.sl_flow_hop = ib_member_set_sl_flow_hop(5, 0xabcde, 0x40);
	r.scope_state = ib_member_set_scope_state(2, 1);
	assert_int_equal(offsetof(ib_member_rec_t, scope_state), 48);
	ipoib_sa_mcmember_pack(&m, out);
	assert_memory_equal(out, &r, IPOIB_SA_MCMEMBER_LEN);
}

static struct ipoib_path sample_path(void)
{
	struct ipoib_path p = {
		.service_id = 0x0102030405060708ULL,
		.dlid = 4,
		.slid = 3,
		.raw_traffic = 0,
		.flow_label = 0x12345,
		.hop_limit = 0xff,
		.tclass = 0x21,
		.reversible = 1,
		.numb_path = 1,
		.pkey = 0x8001,
		.qos_class = 0xabc,
		.sl = 7,
		.mtu_sel = 2,
		.mtu = 4,
		.rate_sel = 2,
		.rate = 6,
		.plt_sel = 2,
		.plt = 0x13,
		.preference = 9,
	};

	memcpy(p.dgid.raw, gid_h1, 16);
	memcpy(p.sgid.raw, gid_gw1, 16);
	return p;
}

static void test_path_bytes(void **state)
{
	static const uint8_t head[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t tail[] = {
		0x00, 0x04, /* DLID */
		0x00, 0x03, /* SLID */
		0x01, 0x23, 0x45, 0xff, /* RawTraffic 0, FlowLabel, HopLimit */
		0x21, /* TClass */
		0x81, /* Reversible, NumbPath 1 */
		0x80, 0x01, /* P_Key */
		0xab, 0xc7, /* QoSClass 0xabc, SL 7 */
		0x84, 0x86, 0x93, /* MTU, Rate, PacketLifeTime with selectors */
		0x09, /* Preference */
		0,    0,    0,	  0,	0, 0,
	};
	struct ipoib_path p = sample_path(), back;
	uint8_t out[IPOIB_SA_PATH_LEN], again[IPOIB_SA_PATH_LEN];

	memset(out, 0xaa, sizeof(out));
	ipoib_sa_path_pack(&p, out);
	assert_memory_equal(out, head, 8);
	assert_memory_equal(out + 8, gid_h1, 16);
	assert_memory_equal(out + 24, gid_gw1, 16);
	assert_int_equal(sizeof(tail), IPOIB_SA_PATH_LEN - 40);
	assert_memory_equal(out + 40, tail, sizeof(tail));
	ipoib_sa_path_unpack(out, &back);
	assert_int_equal(back.qos_class, 0xabc);
	assert_int_equal(back.sl, 7);
	assert_int_equal(back.flow_label, 0x12345);
	assert_true(back.service_id == p.service_id);
	ipoib_sa_path_pack(&back, again);
	assert_memory_equal(again, out, sizeof(out));

	p.raw_traffic = 1;
	ipoib_sa_path_pack(&p, out);
	assert_int_equal(out[44], 0x81);
}

static void test_path_opensm(void **state)
{
	struct ipoib_path p = sample_path();
	uint8_t out[IPOIB_SA_PATH_LEN];
	ib_gid_t dgid, sgid;
	ib_path_rec_t r;

	memcpy(dgid.raw, gid_h1, 16);
	memcpy(sgid.raw, gid_gw1, 16);
	memset(&r, 0, sizeof(r));
	ib_path_rec_init_local(&r, &dgid, &sgid, htons(4), htons(3), 1,
			       htons(0x8001), 7, 0xabc, 2, 4, 2, 6, 2, 0x13, 9);
	r.service_id = htobe64(0x0102030405060708ULL);
	r.hop_flow_raw = htonl(0x12345u << 8 | 0xff);
	r.tclass = 0x21;
	r.num_path |= 0x80; /* reversible */
	ipoib_sa_path_pack(&p, out);
	assert_memory_equal(out, &r, IPOIB_SA_PATH_LEN);
	assert_int_equal(ib_path_rec_sl(&r), 7);
	assert_int_equal(ib_path_rec_qos_class(&r), 0xabc);
}

static void test_mad_header(void **state)
{
	uint8_t mad[IPOIB_SA_MAD_LEN], rec[IPOIB_SA_MCMEMBER_LEN] = { 0x5a };
	static const uint8_t hdr[] = {
		0x01, 0x03, 0x02, 0x02, /* base version, SA class, v2, Set */
		0x00, 0x00, 0x00, 0x00, /* status, class specific */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* TID */
		0x00, 0x38, 0x00, 0x00, /* MCMemberRecord, reserved */
		0x00, 0x00, 0x00, 0x00, /* attribute modifier */
	};

	assert_int_equal(ipoib_sa_mad_build(mad, IPOIB_SA_METHOD_SET,
					    IPOIB_SA_ATTR_MCMEMBER,
					    0x1122334455667788ULL, 1, 0x10083,
					    rec, sizeof(rec)),
			 0);
	assert_memory_equal(mad, hdr, sizeof(hdr));
	/* RMPP header 24..35 zero, SM_Key at 36, comp mask at 48 */
	assert_int_equal(mad[24], 0);
	assert_int_equal(mad[43], 1);
	assert_int_equal(mad[53], 0x01);
	assert_int_equal(mad[54], 0x00);
	assert_int_equal(mad[55], 0x83);
	assert_int_equal(mad[56], 0x5a);
	assert_int_equal(ipoib_sa_mad_build(mad, 1, 0x35, 1, 0, 0, rec, 201),
			 -EINVAL);
}

static void test_status(void **state)
{
	uint8_t mad[IPOIB_SA_MAD_LEN] = { 0 };
	static const struct {
		uint8_t hi, lo;
		int err;
	} v[] = {
		{ 0, 0, 0 },
		{ 0x01, 0, -ENOMEM },
		{ 0x02, 0, -EINVAL },
		{ 0x03, 0, -ENOENT },
		{ 0x04, 0, -E2BIG },
		{ 0x05, 0, -EINVAL },
		{ 0x06, 0, -EINVAL },
		{ 0x07, 0, -EACCES },
		{ 0x00, 0x1c, -EINVAL },
		{ 0x00, 0x01, -EPROTO },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		mad[4] = v[i].hi;
		mad[5] = v[i].lo;
		assert_int_equal(ipoib_sa_mad_status(mad), v[i].err);
	}
}

/* The component masks are IBA's bit numbers. */
static void test_comp_masks(void **state)
{
	assert_int_equal(IPOIB_MCM_MGID, be64toh(IB_MCR_COMPMASK_MGID));
	assert_int_equal(IPOIB_MCM_PORT_GID, be64toh(IB_MCR_COMPMASK_PORT_GID));
	assert_int_equal(IPOIB_MCM_QKEY, be64toh(IB_MCR_COMPMASK_QKEY));
	assert_int_equal(IPOIB_MCM_PKEY, be64toh(IB_MCR_COMPMASK_PKEY));
	assert_int_equal(IPOIB_MCM_SL, be64toh(IB_MCR_COMPMASK_SL));
	assert_int_equal(IPOIB_MCM_FLOW_LABEL, be64toh(IB_MCR_COMPMASK_FLOW));
	assert_int_equal(IPOIB_MCM_SCOPE, be64toh(IB_MCR_COMPMASK_SCOPE));
	assert_int_equal(IPOIB_MCM_JOIN_STATE,
			 be64toh(IB_MCR_COMPMASK_JOIN_STATE));
	assert_int_equal(IPOIB_PR_DGID, be64toh(IB_PR_COMPMASK_DGID));
	assert_int_equal(IPOIB_PR_SGID, be64toh(IB_PR_COMPMASK_SGID));
	assert_int_equal(IPOIB_PR_PKEY, be64toh(IB_PR_COMPMASK_PKEY));
	assert_int_equal(IPOIB_PR_REVERSIBLE,
			 be64toh(IB_PR_COMPMASK_REVERSIBLE));
	assert_int_equal(IPOIB_PR_NUMB_PATH, be64toh(IB_PR_COMPMASK_NUMBPATH));
	assert_int_equal(IPOIB_SA_ATTR_MCMEMBER,
			 ntohs(IB_MAD_ATTR_MCMEMBER_RECORD));
	assert_int_equal(IPOIB_SA_ATTR_PATH, ntohs(IB_MAD_ATTR_PATH_RECORD));
	assert_int_equal(IPOIB_SA_METHOD_DELETE, IB_MAD_METHOD_DELETE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcmember_bytes),
		cmocka_unit_test(test_mcmember_opensm),
		cmocka_unit_test(test_path_bytes),
		cmocka_unit_test(test_path_opensm),
		cmocka_unit_test(test_mad_header),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_comp_masks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
