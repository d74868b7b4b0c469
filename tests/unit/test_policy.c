// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the policy loader: for every rule of fabric.yaml(5) a
 * policy that passes and one that fails, asserting the exact FILE:LINE:COL
 * of the message.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/ib.h"
#include "lib/policy.h"
#include "lib/util.h"

/* Load @yaml as "t.yaml"; the error text goes to *@errs (malloc'ed). */
static struct policy *load(const char *yaml, char **errs, unsigned int *n)
{
	size_t len = 0;
	FILE *f = open_memstream(errs, &len);
	struct policy *pol;

	assert_non_null(f);
	pol = policy_load_buffer("t.yaml", yaml, strlen(yaml), f, n);
	fclose(f);
	return pol;
}

static struct policy *load_ok(const char *yaml)
{
	unsigned int n = 99;
	char *errs = NULL;
	struct policy *pol = load(yaml, &errs, &n);

	if (!pol)
		print_error("unexpected errors:\n%s", errs);
	assert_non_null(pol);
	assert_int_equal(n, 0);
	assert_string_equal(errs, "");
	free(errs);
	return pol;
}

struct bad_case {
	const char *name;
	const char *yaml;
	const char *expect; /* "LINE:COL: error: text" that must be printed */
	unsigned int n_errors;
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	unsigned int n = 0;
	char *errs = NULL, want[512];
	struct policy *pol = load(c->yaml, &errs, &n);

	assert_null(pol);
	snprintf(want, sizeof(want), "t.yaml:%s", c->expect);
	if (!strstr(errs, want))
		print_error("want: %s\ngot:\n%s", want, errs);
	assert_non_null(strstr(errs, want));
	assert_int_equal(n, c->n_errors);
	free(errs);
}

#define PART_HDR "partitions:\n"
#define PART_A "  - name: a\n    pkey: 0x0001\n"

#define HA_PARTS                                                 \
	PART_HDR "  - { name: a, pkey: 0x0001 }\n"               \
		 "  - { name: b, pkey: 0x0002, ipoib: false }\n" \
		 "gateways:\n"

static const struct bad_case bad_cases[] = {
	{ "ha_priority_range",
	  HA_PARTS "  - { name: g1, uplink: e1, priority: { a: 255 } }\n",
	  "5:44: error: priority 255 is out of range", 1 },
	{ "ha_priority_zero",
	  HA_PARTS "  - { name: g1, uplink: e1, priority: { a: 0 } }\n",
	  "5:44: error: priority 0 is out of range", 1 },
	{ "ha_priority_unknown_partition",
	  HA_PARTS "  - { name: g1, uplink: e1, priority: { c: 100 } }\n",
	  "5:41: error: no partition is named 'c'", 1 },
	{ "ha_priority_not_mapping",
	  HA_PARTS "  - { name: g1, uplink: e1, priority: 100 }\n",
	  "5:39: error: priority must map partition names", 1 },
	{ "ha_priority_no_ipoib",
	  HA_PARTS "  - { name: g1, uplink: e1, priority: { b: 100 } }\n",
	  "5:41: error: partition 'b' has 'ipoib: false'", 1 },
	{ "ha_interval_range",
	  HA_PARTS "  - { name: g1, uplink: e1 }\n"
		   "gateway_ha: { advert_interval_ms: 5 }\n",
	  "6:35: error: advert_interval_ms 5 is out of range", 1 },
	{ "ha_unknown_key",
	  HA_PARTS "  - { name: g1, uplink: e1 }\n"
		   "gateway_ha: { preempt_hold: 5 }\n",
	  "6:15: error: unknown key 'preempt_hold' in gateway_ha", 1 },
	{ "yaml_syntax", "partitions:\n  - name: a\n   pkey: 1\n",
	  "3:4: error: YAML syntax", 1 },
	{ "empty", "", "1:1: error: the policy is empty", 1 },
	{ "root_not_mapping", "- a\n", "1:1: error: the policy must be a map",
	  1 },
	{ "missing_partitions", "fabric: { name: x }\n",
	  "1:1: error: the policy lacks the required key 'partitions'", 1 },
	{ "unknown_key_hint", PART_HDR PART_A "    memebrs: []\n",
	  "4:5: error: unknown key 'memebrs' in a partition; did you mean "
	  "'members'?",
	  1 },
	{ "unknown_key_root", PART_HDR PART_A "frobnicate: 1\n",
	  "4:1: error: unknown key 'frobnicate' in the policy; see", 1 },
	{ "duplicate_key", PART_HDR PART_A "    pkey: 0x0002\n",
	  "4:5: error: duplicate key 'pkey' in a partition", 1 },
	{ "missing_pkey", PART_HDR "  - name: a\n",
	  "2:5: error: a partition lacks the required key 'pkey'", 1 },
	{ "duplicate_name", PART_HDR PART_A "  - name: a\n    pkey: 2\n",
	  "4:11: error: duplicate partition name 'a' (first at line 2)", 1 },
	{ "duplicate_pkey_fullbit",
	  PART_HDR PART_A "  - name: b\n    pkey: 0x8001\n",
	  "5:11: error: pkey 0x0001 is already used by partition 'a'", 1 },
	{ "pkey_zero", PART_HDR "  - name: a\n    pkey: 0x0000\n",
	  "3:11: error: pkey 0x0000 is the invalid PKey", 1 },
	{ "pkey_full_zero", PART_HDR "  - name: a\n    pkey: 0x8000\n",
	  "3:11: error: pkey 0x8000 is the invalid PKey", 1 },
	{ "pkey_default_7fff", PART_HDR "  - name: a\n    pkey: 0x7fff\n",
	  "3:11: error: pkey 0x7fff is the default partition", 1 },
	{ "pkey_default_ffff", PART_HDR "  - name: a\n    pkey: 0xffff\n",
	  "3:11: error: pkey 0xffff is the default partition", 1 },
	{ "pkey_range", PART_HDR "  - name: a\n    pkey: 0x10000\n",
	  "3:11: error: pkey 0x10000 is out of range", 1 },
	{ "pkey_nan", PART_HDR "  - name: a\n    pkey: one\n",
	  "3:11: error: pkey 'one' is not a number", 1 },
	{ "vlan_zero", PART_HDR PART_A "    vlan: 0\n",
	  "4:11: error: vlan 0 is out of range; use 1..4094", 1 },
	{ "vlan_4095", PART_HDR PART_A "    vlan: 4095\n",
	  "4:11: error: vlan 4095 is out of range; use 1..4094", 1 },
	{ "duplicate_vlan",
	  PART_HDR PART_A "    vlan: 7\n"
			  "  - name: b\n    pkey: 2\n"
			  "    vlan: 7\n",
	  "7:11: error: vlan 7 is already used by partition 'a' (line 4)", 1 },
	{ "duplicate_vlan_default",
	  PART_HDR PART_A "    vlan: 2\n"
			  "  - name: b\n"
			  "    pkey: 2\n",
	  "6:11: error: vlan 2 is already used by partition 'a' (line 4); "
	  "give this partition its own 'vlan:'",
	  1 },
	{ "mtu_code", PART_HDR PART_A "    mtu: 5\n",
	  "4:10: error: mtu 5 is not an InfiniBand MTU; write bytes", 1 },
	{ "mtu_odd", PART_HDR PART_A "    mtu: 1500\n",
	  "4:10: error: mtu 1500 is not an InfiniBand MTU", 1 },
	{ "fdb_limit_zero", PART_HDR PART_A "    fdb_limit: 0\n",
	  "4:16: error: fdb_limit 0 is out of range; use 1..65536", 1 },
	{ "fdb_limit_range", PART_HDR PART_A "    fdb_limit: 65537\n",
	  "4:16: error: fdb_limit 65537 is out of range; use 1..65536", 1 },
	{ "fdb_limit_sum",
	  PART_HDR PART_A "    fdb_limit: 40000\n"
			  "  - name: b\n    pkey: 2\n    fdb_limit: 30000\n",
	  "7:16: error: the partitions' fdb_limit add up to more than "
	  "fabricd's 65536 MAC entries",
	  1 },
	{ "port_fdb_limit_range",
	  PART_HDR PART_A "ports:\n  - { name: v0, partition: a, "
			  "fdb_limit: 70000 }\n",
	  "5:42: error: fdb_limit 70000 is out of range; use 0..65536", 1 },
	{ "sl_range", PART_HDR PART_A "    sl: 16\n",
	  "4:9: error: sl 16 is out of range; use 0..15", 1 },
	{ "ipoib_bool", PART_HDR PART_A "    ipoib: maybe\n",
	  "4:12: error: ipoib must be true or false, not 'maybe'", 1 },
	{ "peer_bool", PART_HDR PART_A "    peer: yes please\n",
	  "4:11: error: peer must be true or false, not 'yes please'", 1 },
	{ "peer_without_ipoib",
	  PART_HDR PART_A "    ipoib: false\n    peer: true\n",
	  "5:11: error: peer links ride on the partition's IPoIB group: 'peer: "
	  "true' needs 'ipoib: true'",
	  1 },
	{ "name_chars", PART_HDR "  - name: 'a b'\n    pkey: 1\n",
	  "2:11: error: partition name 'a b' has the character ' '", 1 },
	{ "overlap_v4",
	  PART_HDR PART_A "    ipv4: 10.20.0.0/16\n"
			  "  - name: b\n    pkey: 2\n"
			  "    ipv4: 10.20.5.0/24\n",
	  "7:11: error: ipv4 subnet 10.20.5.0/24 overlaps partition 'a' "
	  "(line 4)",
	  1 },
	{ "overlap_v6",
	  PART_HDR PART_A "    ipv6: fd00::/48\n"
			  "  - name: b\n    pkey: 2\n"
			  "    ipv6: fd00:0:0:1::/64\n",
	  "7:11: error: ipv6 subnet fd00:0:0:1::/64 overlaps partition 'a'",
	  1 },
	{ "subnet_host_bits", PART_HDR PART_A "    ipv4: 10.20.0.1/24\n",
	  "4:11: error: ipv4 subnet 10.20.0.1/24 has host bits set; did you "
	  "mean 10.20.0.0/24?",
	  1 },
	{ "subnet_family", PART_HDR PART_A "    ipv4: fd00::/64\n",
	  "4:11: error: ipv4 subnet 'fd00::/64' is not an IPv4 address", 1 },
	{ "subnet_plen", PART_HDR PART_A "    ipv4: 10.0.0.0/33\n",
	  "4:11: error: ipv4 subnet '10.0.0.0/33' needs a prefix length", 1 },
	{ "guid_malformed",
	  PART_HDR PART_A
	  "    members:\n      - { guid: 0x12g4, membership: full }\n",
	  "5:17: error: malformed port GUID '0x12g4'", 1 },
	{ "guid_too_long",
	  PART_HDR PART_A
	  "    members:\n      - { guid: 0x00112233445566778, membership: "
	  "full }\n",
	  "5:17: error: malformed port GUID '0x00112233445566778'", 1 },
	{ "membership_unknown",
	  PART_HDR PART_A
	  "    members:\n      - { guid: 0x1, membership: half }\n",
	  "5:34: error: membership 'half' is unknown; use full, limited or "
	  "both",
	  1 },
	{ "membership_missing",
	  PART_HDR PART_A "    members:\n      - { guid: 0x1 }\n",
	  "5:9: error: a member lacks the required key 'membership'", 1 },
	{ "member_no_selector",
	  PART_HDR PART_A "    members:\n      - { membership: full }\n",
	  "5:9: error: a member needs one of guid, node, all_cas", 1 },
	{ "member_node_bad_range",
	  PART_HDR PART_A
	  "    members:\n      - { node: \"cn[9-1]\", membership: full }\n",
	  "5:17: error: node pattern 'cn[9-1]': a bracket holds numbers", 1 },
	{ "member_node_repeat",
	  PART_HDR PART_A "    members:\n"
			  "      - { node: \"cn*\", membership: full }\n"
			  "      - { node: \"cn*\", membership: limited }\n",
	  "6:9: error: this member repeats the one at line 5", 1 },
	{ "name_opensm_max",
	  "partitions:\n  - name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
	  "    pkey: 0x1\n",
	  "2:11: error: partition name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is 32 "
	  "characters; OpenSM keeps 31",
	  1 },
	{ "default_both",
	  "default_partition: { membership: both }\npartitions: []\n",
	  "1:34: error: membership 'both' is unknown; use full, limited", 1 },
	{ "default_unknown_key",
	  "default_partition: { membership: full, pkey: 0x7fff }\n"
	  "partitions: []\n",
	  "1:40: error: unknown key 'pkey'", 1 },
	{ "member_two_selectors",
	  PART_HDR PART_A
	  "    members:\n      - { all: true, guid: 0x1, membership: full }\n",
	  "5:9: error: a member takes only one of guid", 1 },
	{ "member_all_false",
	  PART_HDR PART_A
	  "    members:\n      - { all_cas: false, membership: full }\n",
	  "5:20: error: 'all_cas: false' selects no port", 1 },
	{ "member_repeat",
	  PART_HDR PART_A
	  "    members:\n      - { guid: 0x1, membership: full }\n"
	  "      - { guid: 0x01, membership: limited }\n",
	  "6:9: error: this member repeats the one at line 5", 1 },
	{ "lid_pin_range",
	  "fabric:\n  lid_pins:\n"
	  "    - { guid: 0x1, lid: 0xc000 }\n" PART_HDR PART_A,
	  "3:25: error: lid 0xc000 is not a unicast LID", 1 },
	{ "lid_pin_zero",
	  "fabric:\n  lid_pins:\n"
	  "    - { guid: 0x1, lid: 0 }\n" PART_HDR PART_A,
	  "3:25: error: lid 0 is not a unicast LID", 1 },
	{ "lid_pin_dup_lid",
	  "fabric:\n  lid_pins:\n"
	  "    - { guid: 0x1, lid: 0x10 }\n"
	  "    - { guid: 0x2, lid: 16 }\n" PART_HDR PART_A,
	  "4:7: error: lid 0x0010 is pinned twice (also at line 3)", 1 },
	{ "lid_pin_dup_guid",
	  "fabric:\n  lid_pins:\n"
	  "    - { guid: 0x1, lid: 0x10 }\n"
	  "    - { guid: 0x1, lid: 0x11 }\n" PART_HDR PART_A,
	  "4:7: error: port 0x0000000000000001 is pinned twice", 1 },
	{ "pkey_table_full",
	  "fabric: { pkey_table_size: 3 }\n" PART_HDR
	  "  - { name: a, pkey: 1, members: [ { guid: 0x1, "
	  "membership: full } ] }\n"
	  "  - { name: b, pkey: 2, members: [ { guid: 0x1, "
	  "membership: full } ] }\n"
	  "  - { name: c, pkey: 3, members: [ { guid: 0x2, "
	  "membership: full }, { guid: 0x1, membership: "
	  "full } ] }\n",
	  "5:69: error: port 0x0000000000000001 is now in more partitions "
	  "than a PKey table of 3 entries holds",
	  1 },
	{ "pkey_table_all_cas",
	  "fabric: { pkey_table_size: 2 }\n" PART_HDR
	  "  - { name: a, pkey: 1, members: [ { all_cas: "
	  "true, membership: full } ] }\n"
	  "  - { name: b, pkey: 2, members: [ { all: "
	  "true, membership: limited } ] }\n",
	  "4:36: error: every CA port is now in more partitions", 1 },
	{ "gw_addr_outside",
	  PART_HDR PART_A "    ipv4: 10.20.0.0/24\n"
			  "gateways:\n  - name: g\n"
			  "    uplink: eth1\n"
			  "    addresses: { a: [10.30.0.1/24] "
			  "}\n",
	  "8:22: error: gateway address 10.30.0.1/24 is outside partition "
	  "'a' subnet 10.20.0.0/24",
	  1 },
	{ "gw_addr_no_subnet",
	  PART_HDR PART_A "gateways:\n  - name: g\n"
			  "    uplink: eth1\n"
			  "    addresses: { a: ['fd00::1/64'] "
			  "}\n",
	  "7:22: error: gateway address fd00::1/64: partition 'a' has no "
	  "ipv6 subnet",
	  1 },
	{ "gw_unknown_partition",
	  PART_HDR PART_A "gateways:\n  - name: g\n"
			  "    uplink: eth1\n"
			  "    addresses: { z: [] }\n",
	  "7:18: error: no partition is named 'z'", 1 },
	{ "gw_uplink_missing", PART_HDR PART_A "gateways:\n  - name: g\n",
	  "5:5: error: a gateway lacks the required key 'uplink'", 1 },
	{ "gw_uplink_name",
	  PART_HDR PART_A "gateways:\n  - name: g\n"
			  "    uplink: averyveryverylongname\n",
	  "6:13: error: uplink 'averyveryverylongname' is not a Linux "
	  "interface name",
	  1 },
	/* Interface names the kernel refuses, and the loopback (issue 10). */
	{ "gw_uplink_lo",
	  PART_HDR PART_A "gateways:\n  - name: g\n    uplink: lo\n",
	  "6:13: error: uplink 'lo' is the loopback interface", 1 },
	{ "gw_uplink_dotdot_slash",
	  PART_HDR PART_A "gateways:\n  - name: g\n    uplink: ../../etc\n",
	  "6:13: error: uplink '../../etc' is not a Linux interface name "
	  "(1 to 15 characters, not '.' or '..', no '/', ':' or blanks)",
	  1 },
	{ "port_name_lo",
	  PART_HDR PART_A "ports:\n  - { name: lo, partition: a }\n",
	  "5:13: error: port name 'lo' is the loopback interface: frames sent "
	  "on it come back; name an Ethernet interface",
	  1 },
	{ "port_name_dotdot",
	  PART_HDR PART_A "ports:\n  - { name: .., partition: a }\n",
	  "5:13: error: port name '..' is not a Linux interface name", 1 },
	{ "port_name_dot",
	  PART_HDR PART_A "ports:\n  - { name: ., partition: a }\n",
	  "5:13: error: port name '.' is not a Linux interface name", 1 },
	{ "port_name_newline",
	  PART_HDR PART_A "ports:\n  - { name: \"v\\n0\", partition: a }\n",
	  "5:13: error: port name 'v\n0' is not a Linux interface name", 1 },
	{ "port_name_16",
	  PART_HDR PART_A
	  "ports:\n  - { name: abcdefghijklmnop, partition: a }\n",
	  "5:13: error: port name 'abcdefghijklmnop' is not a Linux interface "
	  "name",
	  1 },
	{ "port_name_empty",
	  PART_HDR PART_A "ports:\n  - { name: '', partition: a }\n",
	  "5:13: error: port name '' is not a Linux interface name", 1 },
	{ "gw_duplicate",
	  PART_HDR PART_A "gateways:\n  - { name: g, uplink: e1 }\n"
			  "  - { name: g, uplink: e2 }\n",
	  "6:13: error: duplicate gateway name 'g' (first at line 5)", 1 },
	{ "port_unknown_partition",
	  PART_HDR PART_A "ports:\n  - { name: vnet0, partition: b }\n",
	  "5:31: error: no partition is named 'b'", 1 },
	{ "port_membership_both",
	  PART_HDR PART_A
	  "ports:\n  - { name: vnet0, partition: a, membership: both }\n",
	  "5:46: error: membership 'both' is unknown; use full, limited", 1 },
	{ "port_duplicate",
	  PART_HDR PART_A "ports:\n  - { name: v0, partition: a }\n"
			  "  - { name: v0, partition: a }\n",
	  "6:5: error: port 'v0' is already attached at line 5", 1 },
	/* Taps fabricd makes (create: tap, issue 12). */
	{ "port_create_unknown",
	  PART_HDR PART_A "ports:\n  - { name: v0, partition: a, "
			  "create: tun }\n",
	  "5:39: error: create 'tun' is unknown; fabricd makes 'tap'", 1 },
	{ "port_owner_unknown",
	  PART_HDR PART_A "ports:\n  - { name: v0, partition: a, "
			  "create: tap, owner: no-such-user-x }\n",
	  "5:51: error: owner 'no-such-user-x' is no user on this host; "
	  "name one that 'getent passwd' lists, or give its number",
	  1 },
	{ "port_group_unknown",
	  PART_HDR PART_A "ports:\n  - { name: v0, partition: a, "
			  "create: tap, group: no-such-group-x }\n",
	  "5:51: error: group 'no-such-group-x' is no group on this host", 1 },
	{ "port_owner_range",
	  PART_HDR PART_A "ports:\n  - { name: v0, partition: a, "
			  "create: tap, owner: 4294967295 }\n",
	  "5:51: error: owner 4294967295 is out of range; use 0..4294967294",
	  1 },
	{ "port_queues_range",
	  PART_HDR PART_A "ports:\n  - { name: v0, partition: a, "
			  "create: tap, queues: 0 }\n",
	  "5:52: error: queues 0 is out of range; use 1..256", 1 },
	{ "port_tap_keys_without_create",
	  PART_HDR PART_A "ports:\n  - { name: v0, partition: a, "
			  "queues: 2 }\n",
	  "5:39: error: owner, group and queues are for a tap fabricd makes; "
	  "add 'create: tap' to this port",
	  1 },
	{ "metrics_relative",
	  PART_HDR PART_A "metrics: { textfile_dir: prom }\n",
	  "4:26: error: textfile_dir 'prom' is not an absolute path", 1 },
	{ "metrics_interval",
	  PART_HDR PART_A "metrics:\n  textfile_dir: /p\n  interval: 0\n",
	  "6:13: error: interval 0 is out of range; use 1..86400", 1 },
	{ "metrics_no_dir", PART_HDR PART_A "metrics: { interval: 5 }\n",
	  "4:10: error: metrics lacks the required key 'textfile_dir'", 1 },
	{ "metrics_unknown",
	  PART_HDR PART_A "metrics: { textfile_dir: /p, "
			  "dir: /q }\n",
	  "4:30: error: unknown key 'dir' in metrics", 1 },
	{ "flow_collector",
	  PART_HDR PART_A "flow_export: { collector: 192.0.2.10 }\n",
	  "4:27: error: collector '192.0.2.10' is not HOST:PORT", 1 },
	{ "flow_collector_v6",
	  PART_HDR PART_A "flow_export: { collector: '2001:db8::1:4739' }\n",
	  "4:27: error: collector '2001:db8::1:4739' is not HOST:PORT", 1 },
	{ "flow_sampling",
	  PART_HDR PART_A "flow_export:\n  collector: h:1\n  sampling: 0\n",
	  "6:13: error: sampling 0 is out of range; use 1..1000000", 1 },
	{ "flow_idle",
	  PART_HDR PART_A "flow_export:\n  collector: h:1\n"
			  "  active_timeout: 10\n  idle_timeout: 20\n",
	  "7:17: error: idle_timeout 20 is longer than active_timeout 10", 1 },
	{ "flow_cache_size",
	  PART_HDR PART_A "flow_export:\n  collector: h:1\n  cache_size: 63\n",
	  "6:15: error: cache_size 63 is out of range; use 64..1048576", 1 },
	{ "flow_partition_share",
	  PART_HDR PART_A "flow_export:\n  collector: h:1\n"
			  "  partition_share: 101\n",
	  "6:20: error: partition_share 101 is out of range; use 1..100", 1 },
	{ "flow_no_collector", PART_HDR PART_A "flow_export: { sampling: 5 }\n",
	  "4:14: error: flow_export lacks the required key 'collector'", 1 },
	{ "three_errors",
	  PART_HDR PART_A "    vlan: 9999\n"
			  "  - name: b\n    pkey: 0x0001\n"
			  "    mtu: 9000\n",
	  "4:11: error: vlan 9999 is out of range", 3 },
};

static void test_three_errors_located(void **state)
{
	const char *yaml = PART_HDR PART_A "    vlan: 9999\n"
					   "  - name: b\n    pkey: 0x0001\n"
					   "    mtu: 9000\n";
	unsigned int n = 0;
	char *errs = NULL;

	assert_null(load(yaml, &errs, &n));
	assert_int_equal(n, 3);
	assert_string_equal(
		errs,
		"t.yaml:4:11: error: vlan 9999 is out of range; use 1..4094\n"
		"t.yaml:6:11: error: pkey 0x0001 is already used by partition "
		"'a' (line 3); pick another\n"
		"t.yaml:7:10: error: mtu 9000 is not an InfiniBand MTU; write "
		"bytes: 256, 512, 1024, 2048 or 4096\n");
	free(errs);
}

static void test_full_policy(void **state)
{
	struct policy *pol = load_ok(
		"fabric:\n  name: lab\n  lid_pins:\n"
		"    - { guid: 0x0002c90300a1b2c4, lid: 0x0010 }\n"
		"partitions:\n"
		"  - name: tenant-a\n    pkey: 0x8001\n    ipoib: true\n"
		"    mtu: 4096\n    ipv4: 10.20.0.0/24\n    ipv6: fd00:20::/64\n"
		"    members:\n"
		"      - { guid: 0x0002c90300a1b2c4, membership: full }\n"
		"      - { guid: '0002:c903:00a1:b2c5', membership: both }\n"
		"      - { all_cas: true, membership: limited }\n"
		"    peer: true\n"
		"  - name: big\n    pkey: 0x5000\n    ipoib: false\n"
		"gateways:\n  - name: gw1\n    port_guid: 0x0002c90300a1b2c5\n"
		"    uplink: eth1\n"
		"    addresses: { tenant-a: [10.20.0.1/24, \"fd00:20::1/64\"] }\n"
		"ports:\n  - { name: vnet0, partition: tenant-a, "
		"membership: limited }\n");
	const struct policy_partition *a, *big;
	const struct policy_gateway *gw;

	assert_string_equal(pol->fabric_name, "lab");
	assert_int_equal(pol->n_lid_pins, 1);
	assert_int_equal(pol->lid_pins[0].lid, 0x10);
	assert_true(pol->lid_pins[0].guid == 0x0002c90300a1b2c4ull);
	a = policy_find_partition(pol, "tenant-a");
	assert_non_null(a);
	assert_int_equal(a->pkey, 0x0001); /* full bit normalised away */
	assert_int_equal(a->vlan, 1); /* defaults to the pkey */
	assert_int_equal(a->mtu, 4096);
	assert_int_equal(a->n_members, 3);
	assert_true(a->members[1].guid == 0x0002c90300a1b2c5ull);
	assert_int_equal(a->members[1].membership, POLICY_MEMB_BOTH);
	assert_int_equal(a->members[2].sel, POLICY_SEL_ALL_CAS);
	assert_int_equal(a->members[2].loc.line, 15);
	assert_int_equal(a->members[2].loc.col, 9);
	big = policy_find_partition_by_pkey(pol, 0xd000);
	assert_ptr_equal(big, policy_find_partition(pol, "big"));
	assert_int_equal(big->vlan, 0); /* 0x5000 is no VID: not mirrored */
	assert_false(big->ipoib);
	assert_true(a->peer);
	assert_false(big->peer); /* off unless asked for */
	assert_int_equal(big->mtu, POLICY_MTU_DEFAULT);
	assert_ptr_equal(policy_find_partition_by_vlan(pol, 1), a);
	gw = policy_find_gateway(pol, "gw1");
	assert_non_null(gw);
	assert_string_equal(gw->uplink, "eth1");
	assert_non_null(policy_gateway_addrs(gw, a));
	assert_int_equal(policy_gateway_addrs(gw, a)->n_addrs, 2);
	assert_null(policy_gateway_addrs(gw, big));
	assert_int_equal(pol->n_ports, 1);
	assert_ptr_equal(pol->ports[0].partition, a);
	assert_int_equal(pol->ports[0].membership, POLICY_MEMB_LIMITED);
	assert_null(pol->metrics.textfile_dir);
	policy_free(pol);
}

/* create: tap with its owner, group (names or numbers) and queues. */
static void test_port_tap(void **state)
{
	struct policy *pol = load_ok(
		PART_HDR PART_A
		"ports:\n  - { name: v0, partition: a, create: tap, "
		"owner: root, group: 0, queues: 4 }\n"
		"  - { name: v1, partition: a, create: tap, owner: 4242 }\n"
		"  - { name: v2, partition: a }\n");

	assert_true(pol->ports[0].tap.create);
	assert_int_equal(pol->ports[0].tap.uid, 0);
	assert_int_equal(pol->ports[0].tap.gid, 0);
	assert_int_equal(pol->ports[0].tap.queues, 4);
	assert_int_equal(pol->ports[1].tap.uid, 4242);
	assert_int_equal(pol->ports[1].tap.gid, -1);
	assert_int_equal(pol->ports[1].tap.queues, 1);
	assert_false(pol->ports[2].tap.create);
	policy_free(pol);
}

static void test_metrics(void **state)
{
	struct policy *pol = load_ok(PART_HDR PART_A
				     "metrics:\n  textfile_dir: /var/lib/p\n"
				     "  interval: 60\n");

	assert_string_equal(pol->metrics.textfile_dir, "/var/lib/p");
	assert_int_equal(pol->metrics.interval, 60);
	assert_int_equal(pol->metrics.loc.line, 5);
	policy_free(pol);
	pol = load_ok(PART_HDR PART_A "metrics: { textfile_dir: /p }\n");
	assert_int_equal(pol->metrics.interval,
			 POLICY_METRICS_INTERVAL_DEFAULT);
	policy_free(pol);
}

static void test_flow_export(void **state)
{
	struct policy *pol = load_ok(PART_HDR PART_A
				     "flow_export:\n  collector: "
				     "'[2001:db8::10]:4739'\n"
				     "  sampling: 100\n  active_timeout: 30\n"
				     "  observation_domain: 7\n");
	char host[64];
	unsigned int port;

	assert_string_equal(pol->flow_export.collector, "[2001:db8::10]:4739");
	assert_int_equal(pol->flow_export.sampling, 100);
	assert_int_equal(pol->flow_export.active_timeout, 30);
	assert_int_equal(pol->flow_export.idle_timeout,
			 POLICY_FLOW_IDLE_DEFAULT);
	assert_int_equal(pol->flow_export.observation_domain, 7);
	assert_int_equal(pol->flow_export.cache_size,
			 POLICY_FLOW_CACHE_DEFAULT);
	assert_int_equal(pol->flow_export.partition_share,
			 POLICY_FLOW_SHARE_DEFAULT);
	assert_int_equal(policy_parse_hostport(pol->flow_export.collector, host,
					       sizeof(host), &port),
			 0);
	assert_string_equal(host, "2001:db8::10");
	assert_int_equal(port, 4739);
	policy_free(pol);
	pol = load_ok(PART_HDR PART_A);
	assert_null(pol->flow_export.collector);
	policy_free(pol);
	pol = load_ok(PART_HDR PART_A "flow_export: { collector: h:1, "
				      "cache_size: 1048576, partition_share: "
				      "100 }\n");
	assert_int_equal(pol->flow_export.cache_size, 1048576);
	assert_int_equal(pol->flow_export.partition_share, 100);
	policy_free(pol);
	assert_int_equal(policy_parse_hostport("h:0", host, 64, &port),
			 -EINVAL);
	assert_int_equal(policy_parse_hostport("h:", host, 64, &port), -EINVAL);
	assert_int_equal(
		policy_parse_hostport("c.example:4739", host, 64, &port), 0);
	assert_string_equal(host, "c.example");
}

static void test_gateway_ha(void **state)
{
	struct policy *pol = load_ok(
		HA_PARTS "  - { name: g1, uplink: e1, priority: { a: 200 } }\n"
			 "  - { name: g2, uplink: e1, priority: { a: 100 } }\n"
			 "  - { name: g3, uplink: e1 }\n"
			 "gateway_ha: { advert_interval_ms: 50, "
			 "preempt_hold_ms: 0 }\n");
	const struct policy_partition *a = policy_find_partition(pol, "a");
	const struct policy_partition *b = policy_find_partition(pol, "b");

	assert_int_equal(policy_gateway_priority(policy_find_gateway(pol, "g1"),
						 a),
			 200);
	assert_int_equal(policy_gateway_priority(policy_find_gateway(pol, "g2"),
						 a),
			 100);
	assert_int_equal(
		policy_gateway_priority(policy_find_gateway(pol, "g3"), a), 0);
	assert_int_equal(pol->gateways[0].prios[0].loc.line, 5);
	assert_true(policy_partition_has_group(pol, a));
	assert_false(policy_partition_has_group(pol, b));
	assert_int_equal(pol->ha.advert_interval_ms, 50);
	assert_int_equal(pol->ha.preempt_hold_ms, 0);
	policy_free(pol);
	pol = load_ok(HA_PARTS "  - { name: g1, uplink: e1 }\n");
	assert_int_equal(pol->ha.advert_interval_ms,
			 POLICY_HA_INTERVAL_DEFAULT);
	assert_int_equal(pol->ha.preempt_hold_ms, POLICY_HA_HOLD_DEFAULT);
	policy_free(pol);
}

/* Each rule's passing side, next to its failing case above. */
static void test_rules_pass(void **state)
{
	static const char *const ok[] = {
		/* pkey bounds */
		PART_HDR "  - { name: a, pkey: 0x7ffe }\n"
			 "  - { name: b, pkey: 0xfffd, vlan: 5 }\n"
			 "  - { name: c, pkey: 2 }\n",
		/* vlan bounds; explicit vlan frees the default */
		PART_HDR "  - { name: a, pkey: 1, vlan: 4094 }\n"
			 "  - { name: b, pkey: 2, vlan: 1 }\n",
		/* adjacent subnets do not overlap; v4 vs v6 never do */
		PART_HDR "  - { name: a, pkey: 1, ipv4: 10.0.0.0/25, "
			 "ipv6: 'fd00::/64' }\n"
			 "  - { name: b, pkey: 2, ipv4: 10.0.0.128/25, "
			 "ipv6: 'fd00:0:0:1::/64' }\n",
		/* lid pin bounds */
		"fabric: { lid_pins: [ { guid: 0x1, lid: 1 }, "
		"{ guid: 0x2, lid: 0xbfff } ] }\n" PART_HDR PART_A,
		/* pkey table exactly full */
		"fabric: { pkey_table_size: 3 }\n" PART_HDR
		"  - { name: a, pkey: 1, members: [ { guid: 0x1, "
		"membership: full } ] }\n"
		"  - { name: b, pkey: 2, members: [ { guid: 0x1, "
		"membership: full }, { all_switches: true, membership: full "
		"} ] }\n"
		"  - { name: c, pkey: 3, members: [ { guid: 0x2, "
		"membership: full } ] }\n",
		/* gateway address at the subnet's edge */
		PART_HDR PART_A "    ipv4: 10.20.0.0/24\n"
				"gateways:\n  - { name: g, uplink: eth1.7, "
				"addresses: { a: [10.20.0.254/24] } }\n",
		/* every MTU, in bytes */
		PART_HDR "  - { name: a, pkey: 1, mtu: 256 }\n"
			 "  - { name: b, pkey: 2, mtu: 512 }\n"
			 "  - { name: c, pkey: 3, mtu: 1024 }\n"
			 "  - { name: d, pkey: 4, mtu: 2048 }\n"
			 "  - { name: e, pkey: 5, mtu: 4096 }\n",
		/* interface names close to the refused ones: 15 characters,
		 * "lo0", "lo.5", dots and dashes */
		PART_HDR PART_A
		"gateways:\n  - { name: g, uplink: lo0 }\n"
		"ports:\n  - { name: abcdefghijklmno, "
		"partition: a }\n  - { name: lo.5, partition: a }\n"
		"  - { name: ..x, partition: a }\n",
		/* fixed FDB quotas filling the table exactly */
		PART_HDR "  - { name: a, pkey: 1, fdb_limit: 65535 }\n"
			 "  - { name: b, pkey: 2, fdb_limit: 1 }\n"
			 "  - { name: c, pkey: 3 }\n",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		policy_free(load_ok(ok[i]));
}

static void test_file_errors(void **state)
{
	unsigned int n = 0;
	char *errs = NULL;
	size_t len;
	FILE *f = open_memstream(&errs, &len);

	assert_null(policy_load("/nonexistent/fabric.yaml", f, &n));
	fclose(f);
	assert_int_equal(n, 1);
	assert_non_null(strstr(errs, "/nonexistent/fabric.yaml: error: "
				     "cannot read the policy"));
	free(errs);
}

static void test_prefix_helpers(void **state)
{
	struct policy_prefix net = { .family = AF_INET,
				     .addr = { 10, 20, 0, 0 },
				     .plen = 16 };
	struct policy_prefix in = { .family = AF_INET,
				    .addr = { 10, 20, 255, 1 },
				    .plen = 24 };
	struct policy_prefix out = { .family = AF_INET,
				     .addr = { 10, 21, 0, 1 },
				     .plen = 24 };
	char buf[64];

	assert_true(policy_prefix_contains(&net, &in));
	assert_false(policy_prefix_contains(&net, &out));
	assert_true(policy_prefix_overlap(&net, &in));
	assert_false(policy_prefix_overlap(&in, &out));
	assert_string_equal(policy_prefix_format(&in, buf, sizeof(buf)),
			    "10.20.255.1/24");
	assert_int_equal(ib_mtu_code(4096), 5);
	assert_int_equal(ib_mtu_code(256), 1);
	assert_int_equal(ib_mtu_code(1500), 0);
}

static void test_util_parse(void **state)
{
	uint64_t v;

	assert_int_equal(util_parse_u64("0x8001", 0xffff, &v), 0);
	assert_int_equal(v, 0x8001);
	assert_int_equal(util_parse_u64("010", 100, &v), 0);
	assert_int_equal(v, 10); /* never octal */
	assert_int_equal(util_parse_u64("09", 100, &v), 0);
	assert_int_equal(util_parse_u64("-1", 100, &v), -EINVAL);
	assert_int_equal(util_parse_u64("0x", 100, &v), -EINVAL);
	assert_int_equal(util_parse_u64("101", 100, &v), -ERANGE);
	assert_int_equal(util_parse_guid("0002:c903:00a1:b2c4", &v), 0);
	assert_true(v == 0x0002c90300a1b2c4ull);
	assert_int_equal(util_parse_guid("0002:c903:00a1", &v), -EINVAL);
	assert_int_equal(util_parse_guid("0x", &v), -EINVAL);
	assert_int_equal(util_edit_distance("memebrs", "members"), 2);
}

/* ---- limits: each accepted at the limit, refused one past it ---------- */

/* A policy text built by printf-like steps (open_memstream). */
struct gen {
	char *text;
	size_t len;
	FILE *f;
};

static void gen_open(struct gen *g)
{
	g->text = NULL;
	g->f = open_memstream(&g->text, &g->len);
	assert_non_null(g->f);
}

static char *gen_close(struct gen *g)
{
	fclose(g->f);
	return g->text;
}

/* @n partitions p1..pN with pkeys 1..N; line of partition i: i + 1. */
static char *gen_partitions(unsigned int n)
{
	struct gen g;
	unsigned int i;

	gen_open(&g);
	fprintf(g.f, "partitions:\n");
	for (i = 1; i <= n; i++)
		fprintf(g.f, "  - { name: p%u, pkey: %u }\n", i, i);
	return gen_close(&g);
}

/* Load @text, expect no error (@want NULL) or @want among the errors. */
static void expect_load(char *text, const char *want)
{
	unsigned int n = 0;
	char *errs = NULL;
	struct policy *pol = load(text, &errs, &n);

	if (!want) {
		if (!pol)
			print_error("unexpected errors:\n%.2000s", errs);
		assert_non_null(pol);
	} else {
		if (!strstr(errs, want))
			print_error("want: %s\ngot:\n%.2000s", want, errs);
		assert_null(pol);
		assert_non_null(strstr(errs, want));
		assert_int_equal(n, 1);
	}
	policy_free(pol);
	free(errs);
	free(text);
}

static void test_limit_partitions(void **state)
{
	char want[256];

	expect_load(gen_partitions(POLICY_PARTITIONS_MAX), NULL);
	snprintf(want, sizeof(want),
		 "t.yaml:%u:5: error: partition %u is one too many: fabricd's "
		 "forwarding engine holds %u partitions",
		 POLICY_PARTITIONS_MAX + 2, POLICY_PARTITIONS_MAX + 1,
		 POLICY_PARTITIONS_MAX);
	expect_load(gen_partitions(POLICY_PARTITIONS_MAX + 1), want);
}

static char *gen_members(unsigned int n)
{
	struct gen g;
	unsigned int i;

	gen_open(&g);
	fprintf(g.f, "partitions:\n  - name: a\n    pkey: 1\n    members:\n");
	for (i = 1; i <= n; i++)
		fprintf(g.f, "      - { guid: 0x%x, membership: full }\n", i);
	return gen_close(&g);
}

static void test_limit_members(void **state)
{
	char want[256];

	expect_load(gen_members(POLICY_MEMBERS_MAX), NULL);
	snprintf(want, sizeof(want),
		 "t.yaml:%u:9: error: member %u of partition 'a' is one too "
		 "many: a partition holds at most %u members",
		 POLICY_MEMBERS_MAX + 5, POLICY_MEMBERS_MAX + 1,
		 POLICY_MEMBERS_MAX);
	expect_load(gen_members(POLICY_MEMBERS_MAX + 1), want);
}

/* One partition, one gateway; names of @len characters where @which. */
static char *gen_names(const char *which, size_t len)
{
	char name[256];
	struct gen g;

	memset(name, 'n', len);
	name[len] = '\0';
	gen_open(&g);
	fprintf(g.f,
		"fabric:\n  name: %s\n"
		"partitions:\n  - { name: %s, pkey: 1 }\n"
		"gateways:\n  - { name: %s, uplink: eth0, ib_device: %s }\n",
		!strcmp(which, "fabric") ? name : "f",
		!strcmp(which, "partition") ? name : "p",
		!strcmp(which, "gateway") ? name : "g",
		!strcmp(which, "ib_device") ? name : "mlx5_0");
	return gen_close(&g);
}

static void test_limit_names(void **state)
{
	static const struct {
		const char *which, *want;
		unsigned int max;
	} c[] = {
		{ "fabric", "t.yaml:2:9: error: fabric name", POLICY_NAME_MAX },
		/* OpenSM keeps 31 characters of a partition's name */
		{ "partition", "t.yaml:4:13: error: partition name",
		  POLICY_PART_NAME_MAX },
		{ "gateway", "t.yaml:6:13: error: gateway name",
		  POLICY_NAME_MAX },
		{ "ib_device", "t.yaml:6:", POLICY_NAME_MAX },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		expect_load(gen_names(c[i].which, c[i].max), NULL);
		expect_load(gen_names(c[i].which, c[i].max + 1), c[i].want);
	}
}

/* @n access ports, and @n_ipoib IPoIB partitions that gateway gw joins. */
static char *gen_ports(unsigned int n, unsigned int n_ipoib)
{
	struct gen g;
	unsigned int i;

	gen_open(&g);
	fprintf(g.f, "partitions:\n  - { name: a, pkey: 1, ipoib: false }\n");
	for (i = 0; i < n_ipoib; i++)
		fprintf(g.f,
			"  - { name: i%u, pkey: %u, members: [ { guid: 0x77, "
			"membership: full } ] }\n",
			i, i + 2);
	fprintf(g.f, "gateways:\n  - { name: gw, port_guid: 0x77, "
		     "uplink: eth0 }\n");
	fprintf(g.f, "ports:\n");
	for (i = 1; i <= n; i++)
		fprintf(g.f, "  - { name: v%u, partition: a }\n", i);
	return gen_close(&g);
}

static void test_limit_ports(void **state)
{
	unsigned int max = POLICY_ENGINE_PORTS_MAX - 1; /* and the uplink */
	char want[256];

	expect_load(gen_ports(max, 0), NULL);
	snprintf(want, sizeof(want),
		 "t.yaml:%u:5: error: access port %u is one too many", max + 6,
		 max + 1);
	expect_load(gen_ports(max + 1, 0), want);
	/* the IPoIB partitions of a gateway take engine ports too */
	expect_load(gen_ports(max - 10, 10), NULL);
	snprintf(want, sizeof(want),
		 "t.yaml:15:5: error: gateway 'gw' would need %u forwarding "
		 "engine ports",
		 POLICY_ENGINE_PORTS_MAX + 1);
	expect_load(gen_ports(max - 10, 11), want);
}

static void test_limit_file_size(void **state)
{
	const char head[] = "partitions:\n  - { name: a, pkey: 1 }\n#";
	char *text = malloc(POLICY_FILE_MAX + 2);
	unsigned int n = 0;
	struct policy *pol;

	assert_non_null(text);
	memset(text, '#', POLICY_FILE_MAX + 1);
	memcpy(text, head, strlen(head));
	text[POLICY_FILE_MAX - 1] = '\n';
	pol = policy_load_buffer("t.yaml", text, POLICY_FILE_MAX, NULL, &n);
	assert_non_null(pol);
	policy_free(pol);
	text[POLICY_FILE_MAX] = '\n';
	assert_null(policy_load_buffer("t.yaml", text, POLICY_FILE_MAX + 1,
				       NULL, &n));
	assert_int_equal(n, 1);
	free(text);
}

/* A FIFO with no writer and a device: refused at once, never a hang. */
static void test_read_not_regular(void **state)
{
	char dir[] = "/tmp/test_policy.XXXXXX", fifo[64];
	unsigned int n = 0;
	char *errs = NULL;
	size_t len;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo.yaml", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(20); /* a hang kills the test instead of blocking it */
	f = open_memstream(&errs, &len);
	assert_null(policy_load(fifo, f, &n));
	assert_int_equal(errno, ENOTSUP);
	assert_null(policy_load("/dev/zero", f, &n));
	assert_int_equal(errno, ENOTSUP);
	fclose(f);
	alarm(0);
	assert_non_null(strstr(errs, "fifo.yaml: error: cannot read the "
				     "policy: not a regular file"));
	assert_non_null(strstr(errs, "/dev/zero: error: cannot read the "
				     "policy: not a regular file"));
	free(errs);
	unlink(fifo);
	rmdir(dir);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(bad_cases) + 16];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		struct CMUnitTest t = { .name = bad_cases[i].name,
					.test_func = test_bad,
					.initial_state =
						(void *)&bad_cases[i] };
		tests[n++] = t;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_full_policy);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_metrics);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_flow_export);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_port_tap);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_gateway_ha);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_rules_pass);
	tests[n++] =
		(struct CMUnitTest)cmocka_unit_test(test_three_errors_located);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_file_errors);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_prefix_helpers);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_util_parse);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_limit_partitions);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_limit_members);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_limit_names);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_limit_ports);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_limit_file_size);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_read_not_regular);
	return _cmocka_run_group_tests("policy", tests, n, NULL, NULL);
}
