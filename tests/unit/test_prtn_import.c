// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for `fabricctl policy import` (tools/prtn_import.c): OpenSM's
 * partition file syntax read as OpenSM reads it, checked on the policy the
 * import writes (loaded back with policy_load_buffer()), and the refusals
 * with their lines. tests/integration/policy_import.sh runs files both
 * ways through OpenSM itself.
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

#include "lib/policy.h"
#include "tools/prtn_import.h"

#define DFLT "Default=0x7fff, ipoib : ALL=limited, SELF=full ;\n"

struct run {
	int ret;
	char *yaml;
	char err[4096];
	struct policy *pol;
};

/* import @text (written to a temp file named t.conf in messages' place) */
static void import(struct run *r, const char *text, uint64_t sm_guid)
{
	struct prtn_import_opts o = { .sm_guid = sm_guid };
	char path[] = "/tmp/prtn-import-XXXXXX";
	FILE *err = fmemopen(r->err, sizeof(r->err), "w");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(r, 0, offsetof(struct run, err));
	r->ret = prtn_import(path, &o, err, &r->yaml);
	fclose(err);
	unlink(path);
	if (!r->ret)
		r->pol = policy_load_buffer("imported", r->yaml,
					    strlen(r->yaml), stderr, NULL);
}

static void assert_imported(const struct run *r)
{
	if (r->ret)
		fail_msg("import failed (%d):\n%s", r->ret, r->err);
}

static void done(struct run *r)
{
	policy_free(r->pol);
	free(r->yaml);
}

static const struct policy_partition *part(const struct run *r, uint16_t pkey)
{
	const struct policy_partition *p;

	assert_non_null(r->pol);
	p = policy_find_partition_by_pkey(r->pol, pkey);
	assert_non_null(p);
	return p;
}

static void assert_member(const struct policy_partition *p, size_t i,
			  enum policy_selector sel, uint64_t guid,
			  enum policy_membership m)
{
	assert_true(i < p->n_members);
	assert_int_equal(p->members[i].sel, sel);
	if (sel == POLICY_SEL_GUID)
		assert_int_equal(p->members[i].guid, guid);
	assert_int_equal(p->members[i].membership, m);
}

static void test_merge_defmember_abbrev(void **state)
{
	struct run r;
	const struct policy_partition *p;

	import(&r,
	       DFLT
	       "a=0x21,ipoib,defmember=full: ALL_S=b, 0x1, 0x2=limi, 0x3=l;\n"
	       "a=0x8021: 0x3=f ;\n"
	       "b = 0x22 , i , m = 5 , sl = 2 : NONE, A, 12=both ;\n",
	       0);
	assert_imported(&r);
	p = part(&r, 0x21);
	assert_string_equal(p->name, "a");
	assert_true(p->ipoib);
	assert_int_equal(p->n_members, 4);
	assert_member(p, 0, POLICY_SEL_ALL_SWITCHES, 0, POLICY_MEMB_BOTH);
	assert_member(p, 1, POLICY_SEL_GUID, 1, POLICY_MEMB_FULL);
	assert_member(p, 2, POLICY_SEL_GUID, 2, POLICY_MEMB_LIMITED);
	assert_member(p, 3, POLICY_SEL_GUID, 3, POLICY_MEMB_FULL);
	p = part(&r, 0x22);
	assert_int_equal(p->mtu, 4096);
	assert_int_equal(p->sl, 2);
	assert_int_equal(p->n_members, 2);
	/* "A" is ALL; the GUID after it wins */
	assert_member(p, 0, POLICY_SEL_ALL, 0, POLICY_MEMB_LIMITED);
	assert_member(p, 1, POLICY_SEL_GUID, 12, POLICY_MEMB_BOTH);
	done(&r);
}

static void test_generated_pkeys_and_names(void **state)
{
	struct run r;

	import(&r,
	       DFLT "alpha: 0x1=full;\n"
		    "beta, ipoib: 0x2;\n"
		    "alpha: 0x3=full;\n" /* by name: the same partition */
		    "=0x3: 0x4;\n" /* an explicit 0x0003: not generated */
		    "gamma: 0x5;\n",
	       0);
	assert_imported(&r);
	assert_string_equal(part(&r, 1)->name, "alpha");
	assert_int_equal(part(&r, 1)->n_members, 2);
	assert_false(part(&r, 1)->ipoib);
	assert_string_equal(part(&r, 2)->name, "beta");
	assert_true(part(&r, 2)->ipoib);
	assert_string_equal(part(&r, 3)->name, "0003");
	assert_string_equal(part(&r, 4)->name, "gamma");
	done(&r);
}

static void test_selector_overrides(void **state)
{
	struct run r;
	const struct policy_partition *p;

	import(&r,
	       DFLT "p=0x41: 0x1=full, 0x2, ALL=limited, 0x3=full,"
		    " ALL_CAS=full, ALL_CAS=full;\n",
	       0);
	assert_imported(&r);
	p = part(&r, 0x41);
	/* ALL took 0x1 and 0x2; 0x3 (full) before ALL_CAS=full stays */
	assert_int_equal(p->n_members, 3);
	assert_member(p, 0, POLICY_SEL_ALL, 0, POLICY_MEMB_LIMITED);
	assert_member(p, 1, POLICY_SEL_ALL_CAS, 0, POLICY_MEMB_FULL);
	assert_member(p, 2, POLICY_SEL_GUID, 3, POLICY_MEMB_FULL);
	done(&r);
}

static void test_self(void **state)
{
	struct run r;

	import(&r, DFLT "p=0x41: SELF=full;\n", 0);
	assert_int_equal(r.ret, -EINVAL);
	if (!strstr(r.err, ":2:9: error: SELF"))
		fail_msg("%s", r.err);
	import(&r, DFLT "p=0x41: SELF=full;\n", 0x77);
	assert_imported(&r);
	assert_member(part(&r, 0x41), 0, POLICY_SEL_GUID, 0x77,
		      POLICY_MEMB_FULL);
	done(&r);
}

static void test_comments(void **state)
{
	struct run r;

	import(&r,
	       "# head\n\n# default\n" DFLT "# before p\n"
	       "p=0x41: # on the header\n"
	       "  0x1=full, # first\n"
	       "  # before 0x2\n"
	       "  0x2 ;\n"
	       "# tail\n",
	       0);
	assert_imported(&r);
	assert_non_null(strstr(r.yaml, "\n# head\n"));
	assert_non_null(strstr(r.yaml, "# default\n"));
	assert_non_null(strstr(r.yaml, "  # before p\n  - name: p   # on the "
				       "header\n"));
	assert_non_null(strstr(r.yaml, "membership: full }   # first\n"));
	assert_non_null(strstr(r.yaml, "      # before 0x2\n      - { guid: "
				       "0x0000000000000002"));
	assert_non_null(strstr(r.yaml, "# tail\n"));
	assert_true(strstr(r.yaml, "# tail") > strstr(r.yaml, "0x2"));
	done(&r);
}

/* Each refusal names its line and column. */
static void test_refusals(void **state)
{
	static const struct {
		const char *line, *where, *why;
	} cases[] = {
		{ "p=0x41, indx0 : 0x1 ;\n", ":2:9:", "indx0" },
		{ "p=0x41, ipoib, rate=6 : 0x1 ;\n", ":2:16:", "rate=6" },
		{ "p=0x41, ipoib, scope=5 : 0x1 ;\n", ":2:16:", "scope" },
		{ "p=0x41, ipoib, Q_Key=7 : 0x1 ;\n", ":2:16:", "Q_Key=7" },
		{ "p=0x41, ipoib, TC=1 : 0x1 ;\n", ":2:16:", "TClass" },
		{ "p=0x41, ipoib, Flow=1 : 0x1 ;\n", ":2:16:", "FlowLabel" },
		{ "p=0x41, ipob : 0x1 ;\n", ":2:9:", "unknown flag" },
		{ "p=0x41 : ALL_ROUTERS ;\n", ":2:10:", "ALL_ROUTERS" },
		{ "p=0x41 : 0x1=fulll ;\n", ":2:14:", "fulll" },
		{ "p=0x41 : xyz ;\n", ":2:10:", "no port GUID" },
		{ "p=0x41 :\n mgid=ff12::1\n 0x1;\n", ":3:2:", "mgid" },
		{ "p=0x41 : 0x1=full, ALL_CAS ;\n", ":2:20:", "listed before" },
		{ "p=0x41 : 0x1\n;\n", ":3:1:", "';' first on a line" },
		{ "p=0x41 0x1 ;\n", ":2:1:", "no ':'" },
		{ "p=0x41, sl=3 : 0x1 ;\n", ":2:", "sl=3 without ipoib" },
		{ "p=0x41,ipoib: 0x1; p=0x41,ipoib,mtu=5: 0x2;\n",
		  ":2:", "already has its IPoIB group" },
		{ "Default=0x7fff: 0x1=full;\n",
		  ":2:17:", "default partition" },
	};
	struct run r;
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), DFLT "%s", cases[i].line);
		import(&r, text, 0);
		if (r.ret != -EINVAL || !strstr(r.err, cases[i].where) ||
		    !strstr(r.err, cases[i].why))
			fail_msg("case %zu (%s): ret %d, errors:\n%s", i,
				 cases[i].line, r.ret, r.err);
		assert_null(r.yaml);
	}
}

/* The default partition: onto default_partition, or refused. */
static void test_default_partition(void **state)
{
	struct run r;

	import(&r, "p=0x41: 0x1;\n", 0);
	assert_imported(&r);
	assert_true(r.pol->dflt.set);
	assert_int_equal(r.pol->dflt.membership, POLICY_MEMB_LIMITED);
	assert_false(r.pol->dflt.ipoib);
	done(&r);
	import(&r, "Default=0x7fff,ipoib,mtu=5: ALL=full;\n", 0);
	assert_imported(&r);
	assert_int_equal(r.pol->dflt.membership, POLICY_MEMB_FULL);
	assert_true(r.pol->dflt.ipoib);
	assert_int_equal(r.pol->dflt.mtu, 4096);
	done(&r);
	import(&r, "Default=0x7fff: ALL, ALL_SWITCHES=full;\n", 0);
	assert_int_equal(r.ret, -EINVAL);
	assert_non_null(strstr(r.err, "CA ports limited, switches full"));
	import(&r, "Default=0x7fff: ALL=limited;\n", 0);
	assert_int_equal(r.ret, -EINVAL);
	assert_non_null(strstr(r.err, "the SM's port limited"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_defmember_abbrev),
		cmocka_unit_test(test_generated_pkeys_and_names),
		cmocka_unit_test(test_selector_overrides),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_default_partition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
