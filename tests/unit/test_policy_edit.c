// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for text-level policy edits (comments and untouched lines stay
 * byte for byte) and for policy_diff().
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

#include "lib/policy.h"
#include "lib/policy_diff.h"
#include "lib/policy_edit.h"
#include "lib/util.h"

static const char base[] = "# top comment\n"
			   "partitions:\n"
			   "  - name: a        # tenant A\n"
			   "    pkey: 0x0001\n"
			   "    members:\n"
			   "      - { guid: 0x1, membership: full }  # host1\n"
			   "      - { guid: 0x2, membership: limited }\n"
			   "\n"
			   "  # b has no members yet\n"
			   "  - name: b\n"
			   "    pkey: 0x0002\n"
			   "# trailing comment\n"
			   "ports:\n"
			   "  - { name: v0, partition: a }\n";

static struct policy *must_load(const char *text)
{
	struct policy *pol =
		policy_load_buffer("t.yaml", text, strlen(text), stderr, NULL);

	assert_non_null(pol);
	return pol;
}

static void test_add_member_keeps_comments(void **state)
{
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x3,
					POLICY_MEMB_BOTH };
	char *out = NULL, why[256];
	struct policy *pol;

	assert_int_equal(policy_edit_add_member(base, "a", &m, &out, why,
						sizeof(why)),
			 0);
	assert_string_equal(
		out, "# top comment\n"
		     "partitions:\n"
		     "  - name: a        # tenant A\n"
		     "    pkey: 0x0001\n"
		     "    members:\n"
		     "      - { guid: 0x1, membership: full }  # host1\n"
		     "      - { guid: 0x2, membership: limited }\n"
		     "      - { guid: 0x0000000000000003, membership: both }\n"
		     "\n"
		     "  # b has no members yet\n"
		     "  - name: b\n"
		     "    pkey: 0x0002\n"
		     "# trailing comment\n"
		     "ports:\n"
		     "  - { name: v0, partition: a }\n");
	pol = must_load(out);
	assert_int_equal(policy_find_partition(pol, "a")->n_members, 3);
	policy_free(pol);
	free(out);
}

static void test_add_member_new_list(void **state)
{
	struct policy_edit_member m = { POLICY_SEL_ALL_CAS, 0,
					POLICY_MEMB_LIMITED };
	char *out = NULL, why[256];
	struct policy *pol;

	assert_int_equal(policy_edit_add_member(base, "b", &m, &out, why,
						sizeof(why)),
			 0);
	assert_non_null(strstr(out, "    pkey: 0x0002\n"
				    "    members:\n"
				    "      - { all_cas: true, membership: "
				    "limited }\n"
				    "# trailing comment\n"));
	pol = must_load(out);
	assert_int_equal(policy_find_partition(pol, "b")->members[0].sel,
			 POLICY_SEL_ALL_CAS);
	policy_free(pol);
	free(out);
}

static void test_add_member_flow_list(void **state)
{
	const char *in = "partitions:\n  - name: a\n    pkey: 1\n"
			 "    members: [ { guid: 0x1, membership: full } ]\n";
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x2,
					POLICY_MEMB_FULL };
	char *out = NULL, why[256];
	struct policy *pol;

	assert_int_equal(
		policy_edit_add_member(in, "a", &m, &out, why, sizeof(why)), 0);
	pol = must_load(out);
	assert_int_equal(policy_find_partition(pol, "a")->n_members, 2);
	policy_free(pol);
	free(out);
}

static void test_edit_errors(void **state)
{
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x1,
					POLICY_MEMB_FULL };
	struct policy_edit_partition p = { .name = "a",
					   .pkey = 9,
					   .ipoib = -1 };
	char *out = NULL, why[256];

	assert_int_equal(policy_edit_add_member(base, "zz", &m, &out, why,
						sizeof(why)),
			 -ENOENT);
	assert_string_equal(why, "no partition is named 'zz'");
	assert_int_equal(policy_edit_add_member(base, "a", &m, &out, why,
						sizeof(why)),
			 -EEXIST);
	assert_int_equal(policy_edit_add_partition(base, &p, &out, why,
						   sizeof(why)),
			 -EEXIST);
	m.guid = 0x99;
	assert_int_equal(policy_edit_del_member(base, "a", &m, &out, why,
						sizeof(why)),
			 -ENOENT);
	assert_int_equal(policy_edit_del_partition("a: [", "a", &out, why,
						   sizeof(why)),
			 -EINVAL);
	assert_null(out);
}

static void test_del_and_add_partition(void **state)
{
	struct policy_edit_partition p = { .name = "c",
					   .pkey = 3,
					   .vlan = 30,
					   .ipoib = 0,
					   .mtu = 4096,
					   .ipv4 = "10.3.0.0/24",
					   .ipv6 = "fd00:3::/64" };
	char *out = NULL, *out2 = NULL, why[256];
	struct policy *pol;
	const struct policy_partition *c;

	assert_int_equal(policy_edit_del_partition(base, "a", &out, why,
						   sizeof(why)),
			 -0);
	assert_null(strstr(out, "tenant A"));
	assert_non_null(strstr(out, "# top comment\npartitions:\n\n"
				    "  # b has no members yet\n  - name: b\n"));
	assert_int_equal(
		policy_edit_add_partition(out, &p, &out2, why, sizeof(why)), 0);
	/* the port still names the deleted partition: the loader refuses */
	assert_null(
		policy_load_buffer("t.yaml", out2, strlen(out2), NULL, NULL));
	free(out2);
	free(out);
	assert_int_equal(
		policy_edit_add_partition(base, &p, &out, why, sizeof(why)), 0);
	pol = must_load(out);
	c = policy_find_partition(pol, "c");
	assert_non_null(c);
	assert_int_equal(c->vlan, 30);
	assert_int_equal(c->mtu, 4096);
	assert_false(c->ipoib);
	assert_int_equal(c->ipv6.plen, 64);
	policy_free(pol);
	free(out);
}

static void test_del_last_member(void **state)
{
	const char *in =
		"partitions:\n  - name: a\n    pkey: 1\n"
		"    members:\n      - { guid: 0x1, membership: full }\n"
		"# end\n";
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x1,
					POLICY_MEMB_FULL };
	char *out = NULL, why[256];

	assert_int_equal(
		policy_edit_del_member(in, "a", &m, &out, why, sizeof(why)), 0);
	assert_string_equal(out, "partitions:\n  - name: a\n    pkey: 1\n"
				 "    members: []\n# end\n");
	free(out);
}

/* ---- YAML anchors and aliases: edited correctly or refused -------------- */

static const char aliased[] = "partitions:\n"
			      "  - name: a\n"
			      "    pkey: 1\n"
			      "    members:\n"
			      "      - &gw { guid: 0x1, membership: full }\n"
			      "      - { guid: 0x2, membership: full }\n"
			      "  - name: b\n"
			      "    pkey: 2\n"
			      "    members:\n"
			      "      - { guid: 0x3, membership: full }\n"
			      "      - *gw\n";

static void test_alias_member_del(void **state)
{
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x1,
					POLICY_MEMB_FULL };
	char *out = NULL, why[256];

	/* the alias entry goes, the anchored entry in 'a' stays */
	assert_int_equal(policy_edit_del_member(aliased, "b", &m, &out, why,
						sizeof(why)),
			 0);
	assert_string_equal(out, "partitions:\n"
				 "  - name: a\n"
				 "    pkey: 1\n"
				 "    members:\n"
				 "      - &gw { guid: 0x1, membership: full }\n"
				 "      - { guid: 0x2, membership: full }\n"
				 "  - name: b\n"
				 "    pkey: 2\n"
				 "    members:\n"
				 "      - { guid: 0x3, membership: full }\n");
	free(out);
	out = NULL;
	/* deleting the anchor would break the alias: refused, located */
	assert_int_equal(policy_edit_del_member(aliased, "a", &m, &out, why,
						sizeof(why)),
			 -ENOTSUP);
	assert_null(out);
	assert_non_null(strstr(why, "5:9: "));
	assert_non_null(strstr(why, "'*gw' at 11:9"));
}

static void test_alias_last_member_del(void **state)
{
	const char *in = "partitions:\n"
			 "  - name: a\n"
			 "    pkey: 1\n"
			 "    members:\n"
			 "      - &gw { guid: 0x1, membership: full }\n"
			 "  - name: b\n"
			 "    pkey: 2\n"
			 "    members:\n"
			 "      - *gw\n"
			 "# end\n";
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x1,
					POLICY_MEMB_FULL };
	char *out = NULL, why[256];

	assert_int_equal(
		policy_edit_del_member(in, "b", &m, &out, why, sizeof(why)), 0);
	assert_string_equal(out, "partitions:\n"
				 "  - name: a\n"
				 "    pkey: 1\n"
				 "    members:\n"
				 "      - &gw { guid: 0x1, membership: full }\n"
				 "  - name: b\n"
				 "    pkey: 2\n"
				 "    members: []\n"
				 "# end\n");
	free(out);
}

static void test_alias_add_after_alias(void **state)
{
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x4,
					POLICY_MEMB_FULL };
	char *out = NULL, why[256];

	assert_int_equal(policy_edit_add_member(aliased, "b", &m, &out, why,
						sizeof(why)),
			 0);
	assert_non_null(
		strstr(out, "      - *gw\n"
			    "      - { guid: 0x0000000000000004, membership: "
			    "full }\n"));
	free(out);
}

static const char shared_list[] = "partitions:\n"
				  "  - name: a\n"
				  "    pkey: 1\n"
				  "    members: &common\n"
				  "      - { guid: 0x1, membership: full }\n"
				  "      - { guid: 0x2, membership: full }\n"
				  "  - name: b\n"
				  "    pkey: 2\n"
				  "    members: *common\n";

static void test_alias_shared_list(void **state)
{
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x1,
					POLICY_MEMB_FULL };
	const char *const parts[] = { "a", "b" };
	char *out = NULL, why[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		assert_int_equal(policy_edit_del_member(shared_list, parts[i],
							&m, &out, why,
							sizeof(why)),
				 -ENOTSUP);
		assert_null(out);
		assert_non_null(strstr(why, "9:14"));
		m.guid = 0x3;
		assert_int_equal(policy_edit_add_member(shared_list, parts[i],
							&m, &out, why,
							sizeof(why)),
				 -ENOTSUP);
		assert_null(out);
		m.guid = 0x1;
	}
}

static void test_alias_partition_del(void **state)
{
	char *out = NULL, why[256];

	/* 'b' holds only an alias: it goes, 'a' stays as it was */
	assert_int_equal(policy_edit_del_partition(aliased, "b", &out, why,
						   sizeof(why)),
			 0);
	assert_string_equal(out, "partitions:\n"
				 "  - name: a\n"
				 "    pkey: 1\n"
				 "    members:\n"
				 "      - &gw { guid: 0x1, membership: full }\n"
				 "      - { guid: 0x2, membership: full }\n");
	free(out);
	out = NULL;
	/* 'a' holds the anchor that 'b' uses */
	assert_int_equal(policy_edit_del_partition(aliased, "a", &out, why,
						   sizeof(why)),
			 -ENOTSUP);
	assert_null(out);
	assert_non_null(strstr(why, "'*gw' at 11:9"));
}

/* ---- line endings, comments, non-ASCII text ----------------------------- */

static void test_crlf_stays_crlf(void **state)
{
	const char *in = "partitions:\r\n"
			 "  - name: a\r\n"
			 "    pkey: 1\r\n"
			 "    members:\r\n"
			 "      - { guid: 0x1, membership: full }\r\n"
			 "  - name: b\r\n"
			 "    pkey: 2\r\n";
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x2,
					POLICY_MEMB_FULL };
	char *out = NULL, *out2 = NULL, why[256];

	assert_int_equal(
		policy_edit_add_member(in, "a", &m, &out, why, sizeof(why)), 0);
	assert_string_equal(
		out,
		"partitions:\r\n"
		"  - name: a\r\n"
		"    pkey: 1\r\n"
		"    members:\r\n"
		"      - { guid: 0x1, membership: full }\r\n"
		"      - { guid: 0x0000000000000002, membership: full }\r\n"
		"  - name: b\r\n"
		"    pkey: 2\r\n");
	assert_int_equal(policy_edit_add_member(out, "b", &m, &out2, why,
						sizeof(why)),
			 0);
	assert_string_equal(
		out2 + strlen(out),
		"    members:\r\n"
		"      - { guid: 0x0000000000000002, membership: full }\r\n");
	free(out2);
	free(out);
}

static void test_del_takes_its_comment(void **state)
{
	const char *in = "partitions:\n"
			 "  - name: a\n"
			 "    pkey: 1\n"
			 "    members:\n"
			 "      # the login node\n"
			 "      - { guid: 0x1, membership: full }\n"
			 "        # (moved here in May)\n"
			 "      # the storage node\n"
			 "      - { guid: 0x2, membership: full }\n"
			 "\n"
			 "  # partition b: the lab\n"
			 "  - name: b\n"
			 "    pkey: 2\n"
			 "    # nobody yet\n"
			 "# end\n";
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x1,
					POLICY_MEMB_FULL };
	char *out = NULL, why[256];

	assert_int_equal(
		policy_edit_del_member(in, "a", &m, &out, why, sizeof(why)), 0);
	assert_string_equal(out, "partitions:\n"
				 "  - name: a\n"
				 "    pkey: 1\n"
				 "    members:\n"
				 "      # the storage node\n"
				 "      - { guid: 0x2, membership: full }\n"
				 "\n"
				 "  # partition b: the lab\n"
				 "  - name: b\n"
				 "    pkey: 2\n"
				 "    # nobody yet\n"
				 "# end\n");
	free(out);
	assert_int_equal(
		policy_edit_del_partition(in, "b", &out, why, sizeof(why)), 0);
	assert_string_equal(out, "partitions:\n"
				 "  - name: a\n"
				 "    pkey: 1\n"
				 "    members:\n"
				 "      # the login node\n"
				 "      - { guid: 0x1, membership: full }\n"
				 "        # (moved here in May)\n"
				 "      # the storage node\n"
				 "      - { guid: 0x2, membership: full }\n"
				 "\n"
				 "# end\n");
	free(out);
}

static void test_utf8_comment(void **state)
{
	/* libyaml counts characters; 40 two-byte ones shift a line's worth */
#define E40 "éééééééééééééééééééééééééééééééééééééééé"
	const char *in = "# Zürich " E40 "\n"
			 "partitions:\n"
			 "  - name: a   # ünïcode\n"
			 "    pkey: 1\n"
			 "    members:\n"
			 "      - { guid: 0x1, membership: full }\n"
			 "      - { guid: 0x2, membership: full }\n"
			 "      - { guid: 0x3, membership: full }\n";
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x3,
					POLICY_MEMB_FULL };
	char *out = NULL, why[256];

	assert_int_equal(
		policy_edit_del_member(in, "a", &m, &out, why, sizeof(why)), 0);
	assert_string_equal(out, "# Zürich " E40 "\n"
				 "partitions:\n"
				 "  - name: a   # ünïcode\n"
				 "    pkey: 1\n"
				 "    members:\n"
				 "      - { guid: 0x1, membership: full }\n"
				 "      - { guid: 0x2, membership: full }\n");
	free(out);
	m.guid = 0x4;
	assert_int_equal(
		policy_edit_add_member(in, "a", &m, &out, why, sizeof(why)), 0);
	assert_string_equal(
		out + strlen(in) -
			strlen("      - { guid: 0x3, membership: "
			       "full }\n"),
		"      - { guid: 0x3, membership: full }\n"
		"      - { guid: 0x0000000000000004, membership: full }\n");
	free(out);
#undef E40
}

/* libyaml skips a byte order mark without counting it. */
static void test_utf8_bom(void **state)
{
	const char *in = "\xef\xbb\xbfpartitions:\n"
			 "  - name: a\n"
			 "    pkey: 1\n"
			 "    members: [ { guid: 0x1, membership: full } ]\n";
	struct policy_edit_member m = { POLICY_SEL_GUID, 0x2,
					POLICY_MEMB_FULL };
	char *out = NULL, why[256];

	assert_int_equal(
		policy_edit_add_member(in, "a", &m, &out, why, sizeof(why)), 0);
	assert_string_equal(out,
			    "\xef\xbb\xbfpartitions:\n"
			    "  - name: a\n"
			    "    pkey: 1\n"
			    "    members: [ { guid: 0x1, membership: full } , "
			    "{ guid: 0x0000000000000002, membership: full "
			    "} ]\n");
	free(out);
}

struct collected {
	char lines[16][160];
	unsigned int n;
};

static void collect(void *ctx, const struct policy_diff_item *it)
{
	struct collected *c = ctx;

	if (c->n < 16)
		snprintf(c->lines[c->n++], sizeof(c->lines[0]),
			 "%s %s %s %s %s>%s [%s]", it->object, it->name,
			 it->key ? it->key : "-",
			 policy_change_name(it->change),
			 it->old_value ? it->old_value : "-",
			 it->new_value ? it->new_value : "-", it->scope);
}

static void test_diff(void **state)
{
	struct policy *a = must_load(
		"partitions:\n"
		"  - { name: a, pkey: 1, mtu: 2048, members: [ { guid: 0x1, "
		"membership: full }, { guid: 0x2, membership: full } ] }\n"
		"  - { name: gone, pkey: 2 }\n");
	struct policy *b = must_load(
		"partitions:\n"
		"  - { name: a, pkey: 1, mtu: 4096, members: [ { guid: 0x1, "
		"membership: limited }, { all: true, membership: limited } ] "
		"}\n"
		"  - { name: new, pkey: 3 }\n");
	struct collected c = { .n = 0 };

	assert_int_equal(policy_diff(a, b, collect, &c), 6);
	assert_string_equal(c.lines[0],
			    "partition gone - removed pkey 0x0002 "
			    "vlan 2, 0 members>- [fabric,gateways]");
	assert_string_equal(c.lines[1], "partition a mtu changed 2048>4096 "
					"[fabric]");
	assert_string_equal(c.lines[2], "member a 0x0000000000000002 removed "
					"full>- [fabric]");
	assert_string_equal(c.lines[3], "member a 0x0000000000000001 changed "
					"full>limited [fabric]");
	assert_string_equal(c.lines[4], "member a all added ->limited "
					"[fabric]");
	assert_string_equal(c.lines[5], "partition new - added -"
					">pkey 0x0003 vlan 3, 0 members "
					"[fabric,gateways]");
	c.n = 0;
	assert_int_equal(policy_diff(b, b, collect, &c), 0);
	policy_free(a);
	policy_free(b);
}

/* flow_export: one line, the whole setting before and after. */
static void test_diff_flow_export(void **state)
{
	struct policy *a = must_load("partitions:\n  - { name: a, pkey: 1 }\n");
	struct policy *b = must_load("partitions:\n  - { name: a, pkey: 1 }\n"
				     "flow_export: { collector: 'h:4739', "
				     "sampling: 10 }\n");
	struct collected c = { .n = 0 };

	assert_int_equal(policy_diff(a, b, collect, &c), 1);
	assert_string_equal(c.lines[0],
			    "flow_export collector - changed none>h:4739 "
			    "sampling 10 active 60 s idle 15 s domain 0 "
			    "cache 65536 flows, 25% per partition [hosts]");
	c.n = 0;
	assert_int_equal(policy_diff(b, b, collect, &c), 0);
	policy_free(a);
	policy_free(b);
}

/* Gateway groups: a gateway's priorities and the timers. */
static void test_diff_ha(void **state)
{
	struct policy *a = must_load(
		"partitions:\n  - { name: a, pkey: 1 }\n"
		"gateways:\n  - { name: g, uplink: e1, priority: { a: 200 } }\n");
	struct policy *b = must_load(
		"partitions:\n  - { name: a, pkey: 1 }\n"
		"gateway_ha: { advert_interval_ms: 50 }\n"
		"gateways:\n  - { name: g, uplink: e1, priority: { a: 100 } }\n");
	struct collected c = { .n = 0 };

	assert_int_equal(policy_diff(a, b, collect, &c), 2);
	assert_string_equal(c.lines[0], "gateway g priority changed "
					"a:200>a:100 [gateways]");
	assert_string_equal(c.lines[1],
			    "gateway_ha timers - changed advert_interval_ms "
			    "100, preempt_hold_ms 3000>advert_interval_ms 50, "
			    "preempt_hold_ms 3000 [gateways]");
	policy_free(a);
	policy_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_member_keeps_comments),
		cmocka_unit_test(test_diff_ha),
		cmocka_unit_test(test_add_member_new_list),
		cmocka_unit_test(test_add_member_flow_list),
		cmocka_unit_test(test_edit_errors),
		cmocka_unit_test(test_del_and_add_partition),
		cmocka_unit_test(test_del_last_member),
		cmocka_unit_test(test_alias_member_del),
		cmocka_unit_test(test_alias_last_member_del),
		cmocka_unit_test(test_alias_add_after_alias),
		cmocka_unit_test(test_alias_shared_list),
		cmocka_unit_test(test_alias_partition_del),
		cmocka_unit_test(test_crlf_stays_crlf),
		cmocka_unit_test(test_del_takes_its_comment),
		cmocka_unit_test(test_utf8_comment),
		cmocka_unit_test(test_utf8_bom),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_flow_export),
	};

	return cmocka_run_group_tests_name("policy_edit", tests, NULL, NULL);
}
