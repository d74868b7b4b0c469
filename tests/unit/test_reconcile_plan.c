// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The reconciler's diff (fabricd/reconcile/reconcile_plan.c), the desired state it
 * is fed (reconcile_desired.c), the state file and the PKey block parser:
 * what fabricd may touch, what it adopts, what it leaves alone.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "fabricd/pkeys.h"
#include "fabricd/reconcile/reconcile_desired.h"
#include "fabricd/reconcile/reconcile_plan.h"
#include "fabricd/reconcile/reconcile_state.h"
#include "lib/policy.h"
#include "lib/util.h"

static struct rc_link mklink(const char *name, enum rc_link_kind kind,
			     const char *parent, uint16_t id, const char *part)
{
	struct rc_link l;

	memset(&l, 0, sizeof(l));
	util_strlcpy(l.name, name, sizeof(l.name));
	l.kind = kind;
	util_strlcpy(l.parent, parent, sizeof(l.parent));
	l.id = id;
	util_strlcpy(l.partition, part, sizeof(l.partition));
	l.up = true;
	l.marked = part[0] != '\0';
	return l;
}

static struct rc_addr mkaddr(const char *dev, const char *cidr,
			     const char *part)
{
	struct rc_addr a;

	memset(&a, 0, sizeof(a));
	util_strlcpy(a.dev, dev, sizeof(a.dev));
	assert_int_equal(rc_addr_parse(cidr, &a), 0);
	util_strlcpy(a.partition, part, sizeof(a.partition));
	return a;
}

static void add_link(struct rc_set *s, struct rc_link l)
{
	assert_int_equal(rc_set_add_link(s, &l), 0);
}

static void add_addr(struct rc_set *s, struct rc_addr a)
{
	assert_int_equal(rc_set_add_addr(s, &a), 0);
}

static size_t count_ops(const struct rc_plan *p, enum rc_op_type t)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_ops; i++)
		n += p->ops[i].type == t;
	return n;
}

struct fixture {
	struct rc_set desired, actual, owned;
	struct rc_plan plan;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	/* The kernel: the uplink and a loopback, not ours. */
	add_link(&f->actual, mklink("lo", RC_LINK_OTHER, "", 0, ""));
	add_link(&f->actual, mklink("eth1", RC_LINK_OTHER, "", 0, ""));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rc_set_clear(&f->desired);
	rc_set_clear(&f->actual);
	rc_set_clear(&f->owned);
	rc_plan_clear(&f->plan);
	free(f);
	return 0;
}

static void plan(struct fixture *f)
{
	assert_int_equal(
		rc_plan_build(&f->desired, &f->actual, &f->owned, &f->plan), 0);
}

static void test_from_scratch(void **state)
{
	struct fixture *f = *state;

	add_link(&f->desired,
		 mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a"));
	add_addr(&f->desired, mkaddr("eth1.20", "10.20.0.1/24", "tenant-a"));
	add_addr(&f->desired, mkaddr("eth1.20", "fd00:20::1/64", "tenant-a"));
	plan(f);
	assert_int_equal(f->plan.n_ops, 3);
	assert_int_equal(count_ops(&f->plan, RC_OP_LINK_ADD), 1);
	assert_int_equal(count_ops(&f->plan, RC_OP_ADDR_ADD), 2);
	assert_int_equal(f->desired.links[0].status, RC_ST_PENDING);
}

static void test_idempotent_adopt(void **state)
{
	struct fixture *f = *state;

	add_link(&f->desired,
		 mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a"));
	add_addr(&f->desired, mkaddr("eth1.20", "10.20.0.1/24", "tenant-a"));
	add_link(&f->actual,
		 mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a"));
	add_addr(&f->actual, mkaddr("eth1.20", "10.20.0.1/24", ""));
	add_addr(&f->owned, mkaddr("eth1.20", "10.20.0.1/24", "tenant-a"));
	plan(f);
	assert_int_equal(f->plan.n_ops, 0); /* no flap */
	assert_int_equal(f->desired.links[0].status, RC_ST_OK);
	assert_int_equal(f->desired.addrs[0].status, RC_ST_OK);
}

static void test_unmarked_owned_link_gets_alias(void **state)
{
	struct fixture *f = *state;
	struct rc_link crashed =
		mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a");

	crashed.marked = false; /* created, died before setting the alias */
	add_link(&f->desired,
		 mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a"));
	add_link(&f->actual, crashed);
	plan(f);
	assert_int_equal(f->plan.n_ops, 1);
	assert_int_equal(f->plan.ops[0].type, RC_OP_LINK_FIX);
}

static void test_foreign_address_left_alone(void **state)
{
	struct fixture *f = *state;

	add_addr(&f->desired, mkaddr("eth1", "10.20.0.1/24", "tenant-a"));
	add_addr(&f->actual, mkaddr("eth1", "10.20.0.1/24", ""));
	add_addr(&f->actual, mkaddr("eth1", "10.20.0.77/24", ""));
	plan(f);
	/* Present but not ours: not added, not claimed, not deleted. */
	assert_int_equal(f->plan.n_ops, 0);
	assert_int_equal(f->desired.addrs[0].status, RC_ST_FOREIGN);
}

static void test_owned_stale_removed(void **state)
{
	struct fixture *f = *state;

	add_addr(&f->actual, mkaddr("eth1", "10.30.0.1/24", ""));
	add_addr(&f->actual, mkaddr("eth1", "10.30.0.99/24", ""));
	add_addr(&f->owned, mkaddr("eth1", "10.30.0.1/24", "tenant-b"));
	plan(f);
	assert_int_equal(f->plan.n_ops, 1);
	assert_int_equal(f->plan.ops[0].type, RC_OP_ADDR_DEL);
	assert_true(rc_set_subnet_shared(&f->actual, &f->owned.addrs[0]));
}

static void test_owned_link_removed_with_addrs(void **state)
{
	struct fixture *f = *state;

	add_link(&f->actual,
		 mklink("eth1.30", RC_LINK_VLAN, "eth1", 30, "tenant-b"));
	add_addr(&f->actual, mkaddr("eth1.30", "10.30.0.1/24", ""));
	add_addr(&f->owned, mkaddr("eth1.30", "10.30.0.1/24", "tenant-b"));
	plan(f);
	/* The link goes, its address with it: one op. */
	assert_int_equal(f->plan.n_ops, 1);
	assert_int_equal(f->plan.ops[0].type, RC_OP_LINK_DEL);
}

static void test_foreign_link_never_deleted(void **state)
{
	struct fixture *f = *state;
	struct rc_link evil = mklink("eth0", RC_LINK_OTHER, "", 0, "x");

	add_link(&f->actual, mklink("eth1.99", RC_LINK_VLAN, "eth1", 99, ""));
	add_link(&f->actual, evil); /* alias says ours, but we never make it */
	plan(f);
	assert_int_equal(f->plan.n_ops, 0);
}

static void test_conflict(void **state)
{
	struct fixture *f = *state;

	add_link(&f->desired,
		 mklink("eth1.40", RC_LINK_VLAN, "eth1", 40, "tenant-c"));
	add_addr(&f->desired, mkaddr("eth1.40", "10.40.0.1/24", "tenant-c"));
	add_link(&f->actual, mklink("eth1.40", RC_LINK_VLAN, "eth1", 41, ""));
	plan(f);
	assert_int_equal(f->plan.n_ops, 0);
	assert_int_equal(f->desired.links[0].status, RC_ST_CONFLICT);
	assert_int_equal(f->desired.addrs[0].status, RC_ST_CONFLICT);
}

/*
 * Adopting (fabricctl reconcile --adopt): a foreign link that matches the
 * desired one exactly is fixed (alias) and OK, so are the addresses on it;
 * one that differs (VID) stays a conflict; a foreign address equal to a
 * desired one becomes OK (owned after the run); other foreign addresses
 * are left alone.
 */
static void test_adopt(void **state)
{
	struct fixture *f = *state;

	add_link(&f->desired,
		 mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a"));
	add_link(&f->desired,
		 mklink("eth1.40", RC_LINK_VLAN, "eth1", 40, "tenant-c"));
	add_addr(&f->desired, mkaddr("eth1.20", "10.20.0.1/24", "tenant-a"));
	add_addr(&f->desired, mkaddr("eth1", "10.30.0.1/24", "tenant-b"));
	add_link(&f->actual, mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, ""));
	add_link(&f->actual, mklink("eth1.40", RC_LINK_VLAN, "eth1", 41, ""));
	add_addr(&f->actual, mkaddr("eth1.20", "10.20.0.1/24", ""));
	add_addr(&f->actual, mkaddr("eth1", "10.30.0.1/24", ""));
	add_addr(&f->actual, mkaddr("eth1", "10.30.0.9/24", ""));

	plan(f); /* without adopt: foreign and conflicts */
	assert_int_equal(f->plan.n_ops, 0);
	assert_int_equal(f->desired.links[0].status, RC_ST_CONFLICT);
	assert_int_equal(f->desired.addrs[1].status, RC_ST_FOREIGN);

	f->plan.adopt = true;
	plan(f);
	assert_int_equal(f->plan.adopted_links, 1);
	assert_int_equal(f->plan.adopted_addrs, 2);
	assert_int_equal(f->plan.n_ops, 1);
	assert_int_equal(count_ops(&f->plan, RC_OP_LINK_FIX), 1);
	assert_int_equal(f->desired.links[0].status, RC_ST_OK);
	assert_int_equal(f->desired.links[1].status, RC_ST_CONFLICT);
	assert_int_equal(f->desired.addrs[0].status, RC_ST_OK);
	assert_int_equal(f->desired.addrs[1].status, RC_ST_OK);
}

static void test_changed_vid_recreated(void **state)
{
	struct fixture *f = *state;

	add_link(&f->desired,
		 mklink("eth1.20", RC_LINK_VLAN, "eth1", 21, "tenant-a"));
	add_addr(&f->desired, mkaddr("eth1.20", "10.20.0.1/24", "tenant-a"));
	add_link(&f->actual,
		 mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a"));
	add_addr(&f->actual, mkaddr("eth1.20", "10.20.0.1/24", ""));
	add_addr(&f->owned, mkaddr("eth1.20", "10.20.0.1/24", "tenant-a"));
	plan(f);
	assert_int_equal(count_ops(&f->plan, RC_OP_LINK_DEL), 1);
	assert_int_equal(count_ops(&f->plan, RC_OP_LINK_ADD), 1);
	assert_int_equal(count_ops(&f->plan, RC_OP_ADDR_ADD), 1);
	assert_int_equal(count_ops(&f->plan, RC_OP_ADDR_DEL), 0);
}

static void test_no_parent(void **state)
{
	struct fixture *f = *state;

	add_link(&f->desired,
		 mklink("eth9.20", RC_LINK_VLAN, "eth9", 20, "tenant-a"));
	add_addr(&f->desired, mkaddr("eth9.20", "10.20.0.1/24", "tenant-a"));
	plan(f);
	assert_int_equal(f->plan.n_ops, 0);
	assert_int_equal(f->desired.links[0].status, RC_ST_NO_PARENT);
	assert_int_equal(f->desired.addrs[0].status, RC_ST_NO_PARENT);
}

static void test_down_link_brought_up(void **state)
{
	struct fixture *f = *state;
	struct rc_link down =
		mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a");

	down.up = false;
	add_link(&f->desired,
		 mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a"));
	add_link(&f->actual, down);
	plan(f);
	assert_int_equal(f->plan.n_ops, 1);
	assert_int_equal(f->plan.ops[0].type, RC_OP_LINK_FIX);
}

/* Thousands of objects: the hashed look-ups agree with the linear ones. */
static void test_large_sets(void **state)
{
	struct fixture *f = *state;
	char name[IFNAMSIZ], cidr[32];
	int i;

	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "eth1.%d", 100 + i);
		snprintf(cidr, sizeof(cidr), "10.%d.%d.1/24", i / 256, i % 256);
		add_link(&f->desired,
			 mklink(name, RC_LINK_VLAN, "eth1", 100 + i, "p"));
		add_addr(&f->desired, mkaddr(name, cidr, "p"));
		if (i % 2)
			continue; /* odd ones are missing in the kernel */
		add_link(&f->actual,
			 mklink(name, RC_LINK_VLAN, "eth1", 100 + i, "p"));
		add_addr(&f->actual, mkaddr(name, cidr, ""));
		add_addr(&f->owned, mkaddr(name, cidr, "p"));
	}
	plan(f);
	assert_int_equal(count_ops(&f->plan, RC_OP_LINK_ADD), 1000);
	assert_int_equal(count_ops(&f->plan, RC_OP_ADDR_ADD), 1000);
	assert_int_equal(f->plan.n_ops, 2000);
	assert_non_null(rc_set_find_link(&f->actual, "eth1.100"));
	assert_null(rc_set_find_link(&f->actual, "eth1.101"));
	/* Adding invalidates the index. */
	add_link(&f->actual, mklink("eth1.101", RC_LINK_VLAN, "eth1", 101, ""));
	assert_non_null(rc_set_find_link(&f->actual, "eth1.101"));
}

static void test_alias(void **state)
{
	char part[RC_PART_NAME_MAX];

	assert_true(rc_alias_owned("fabricd:tenant-a", part, sizeof(part)));
	assert_string_equal(part, "tenant-a");
	assert_false(rc_alias_owned("fabricd:", part, sizeof(part)));
	assert_false(rc_alias_owned("uplink to core", part, sizeof(part)));
	assert_false(rc_alias_owned(NULL, part, sizeof(part)));
}

static void test_state_roundtrip(void **state)
{
	char path[] = "/tmp/test_reconcile_state.XXXXXX";
	struct rc_set a = { 0 }, b = { 0 };
	char *last = NULL, why[256];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	add_link(&a, mklink("eth1.20", RC_LINK_VLAN, "eth1", 20, "tenant-a"));
	add_addr(&a, mkaddr("eth1.20", "fd00:20::1/64", "tenant-a"));
	assert_int_equal(rc_state_save(path, &a, &last), 0);
	assert_int_equal(rc_state_load(path, &b, why, sizeof(why)), 0);
	assert_int_equal(b.n_links, 1);
	assert_string_equal(b.links[0].partition, "tenant-a");
	assert_int_equal(b.n_addrs, 1);
	assert_non_null(rc_set_find_addr(&b, &a.addrs[0]));
	assert_int_equal(rc_state_save(path, &a, &last), 0); /* unchanged */
	unlink(path);
	assert_int_equal(rc_state_load(path, &b, why, sizeof(why)),
			 0); /* missing: empty */
	assert_int_equal(b.n_addrs, 0);
	free(last);
	rc_set_clear(&a);
	rc_set_clear(&b);
}

/* Write @text to @path and load it; returns what rc_state_load() says. */
static int load_text(const char *path, const char *text, struct rc_set *b,
		     char *why, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return rc_state_load(path, b, why, len);
}

static void test_state_damaged(void **state)
{
	char path[] = "/tmp/test_reconcile_state.XXXXXX";
	struct rc_set b = { 0 };
	char why[256];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(load_text(path, "{\"links\": [], \"addrs\": [", &b,
				   why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "line 1"));
	assert_int_equal(load_text(path, "{\"version\": 7, \"objects\": []}",
				   &b, why, sizeof(why)),
			 -EPROTO);
	assert_int_equal(load_text(path,
				   "{\"schema\": \"other/2\", \"links\": [], "
				   "\"addrs\": []}",
				   &b, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "other/2"));
	assert_int_equal(load_text(path, "{\"links\": [{}], \"addrs\": []}", &b,
				   why, sizeof(why)),
			 -EBADMSG);
	/* Files of fabricd 0.1 have no schema key: still read. */
	assert_int_equal(load_text(path,
				   "{\"links\": [], \"addrs\": [{\"dev\": "
				   "\"up0\", \"addr\": \"10.0.0.1/24\", "
				   "\"partition\": \"p0\"}]}",
				   &b, why, sizeof(why)),
			 0);
	assert_int_equal(b.n_addrs, 1);
	rc_set_clear(&b);
	unlink(path);
}

static void test_pkey_block(void **state)
{
	uint16_t table[32] = { 0x8021, 0x0022, 0x7fff, 0xffff, 0x0000, 0x0021 };
	uint16_t out[8];
	size_t n = 0;

	pkeys_merge(table, 32, out, 8, &n);
	/* 0x8021 + 0x0021 merge (full wins), defaults and zero dropped. */
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0x8021);
	assert_int_equal(out[1], 0x0022);
}

static const char policy_text[] =
	"fabric: { name: t }\n"
	"partitions:\n"
	"  - name: a\n"
	"    pkey: 0x0021\n"
	"    vlan: 20\n"
	"    ipv4: 10.20.0.0/24\n"
	"    members: [ { guid: 0x0002c90300000101, membership: full } ]\n"
	"  - name: b\n"
	"    pkey: 0x0022\n"
	"    vlan: 30\n"
	"    ipv4: 10.30.0.0/24\n"
	"    members: [ { guid: 0x0002c90300000201, membership: full } ]\n"
	"gateways:\n"
	"  - name: gw1\n"
	"    port_guid: 0x0002c90300000101\n"
	"    uplink: eth1\n"
	"    addresses: { a: [10.20.0.1/24], b: [10.30.0.1/24] }\n";

static void test_desired_fabric_wins(void **state)
{
	struct policy *pol = policy_load_buffer(
		"t.yaml", policy_text, strlen(policy_text), NULL, NULL);
	uint16_t pkeys[] = { 0x0022 }; /* fabric: b (limited), not a */
	struct rc_partition views[2];
	struct rc_set d = { 0 };
	struct rc_input in = {
		.port_guid = 0x0002c90300000101,
		.fabric = true,
		.pkeys = pkeys,
		.n_pkeys = 1,
		.vlan_ok = true,
	};

	assert_non_null(pol);
	in.pol = pol;
	in.gw = policy_find_gateway(pol, "gw1");
	assert_int_equal(rc_desired_build(&in, &d, views), 0);
	assert_false(views[0].held);
	assert_int_equal(views[0].drift, RC_DRIFT_NOT_ON_FABRIC);
	assert_true(views[1].held);
	assert_int_equal(views[1].fabric_memb, RC_MEMB_LIMITED);
	assert_int_equal(views[1].drift, RC_DRIFT_NOT_IN_POLICY);
	assert_int_equal(d.n_links, 1);
	assert_string_equal(d.links[0].name, "eth1.30");
	assert_int_equal(d.links[0].id, 30);
	assert_int_equal(d.n_addrs, 1);
	assert_string_equal(d.addrs[0].dev, "eth1.30");
	assert_string_equal(d.addrs[0].label, "eth1.30:30");

	/* An IPoIB netdev for the port: a child per held PKey, membership
	 * bit as the port holds it (b is limited). */
	in.ipoib_parent = "ib0";
	assert_int_equal(rc_desired_build(&in, &d, views), 0);
	assert_int_equal(d.n_links, 2);
	assert_string_equal(d.links[1].name, "ib0.0022");
	assert_int_equal(d.links[1].kind, RC_LINK_IPOIB);
	assert_int_equal(d.links[1].id, 0x0022);
	assert_string_equal(d.links[1].parent, "ib0");
	assert_string_equal(views[1].ipoib_link, "ib0.0022");
	in.ipoib_parent = NULL;

	/* No 802.1Q: the addresses go on the uplink, labelled by VID. */
	in.vlan_ok = false;
	assert_int_equal(rc_desired_build(&in, &d, views), 0);
	assert_int_equal(d.n_links, 0);
	assert_string_equal(d.addrs[0].dev, "eth1");
	assert_string_equal(d.addrs[0].label, "eth1:30");

	/* No IB port: the policy alone says what the port holds. */
	in.fabric = false;
	in.n_pkeys = 0;
	assert_int_equal(rc_desired_build(&in, &d, views), 0);
	assert_true(views[0].held);
	assert_false(views[1].held);
	assert_int_equal(views[0].drift, RC_DRIFT_NONE);
	rc_set_clear(&d);
	policy_free(pol);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_from_scratch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idempotent_adopt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_unmarked_owned_link_gets_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_address_left_alone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_owned_stale_removed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_owned_link_removed_with_addrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_link_never_deleted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_vid_recreated,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_parent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_down_link_brought_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_sets, setup,
						teardown),
		cmocka_unit_test(test_alias),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_damaged),
		cmocka_unit_test(test_pkey_block),
		cmocka_unit_test(test_desired_fabric_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
