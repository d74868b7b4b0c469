// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for lib/port: the kind registry (no kind is built in), open and
 * close through a kind's ops, the optional stats op, a kind that accelerates
 * another (tried first, fallen back from), a kind's own state.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/port.h"

static int n_open, n_close;

static int fake_open(struct port *p)
{
	n_open++;
	return strcmp(p->name, "fail") ? 0 : -ENODEV;
}

static int fake_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	return 0;
}

static void fake_close(struct port *p)
{
	n_close++;
}

static void fake_stats(struct port *p, struct port_hw_stats *st)
{
	st->rx_dropped = 7;
}

static const struct port_ops fake_ops = {
	.kind = "fake",
	.open = fake_open,
	.rx_burst = fake_burst,
	.tx_burst = fake_burst,
	.close = fake_close,
};

static const struct port_ops fake_stats_ops = {
	.kind = "fake-stats",
	.open = fake_open,
	.rx_burst = fake_burst,
	.tx_burst = fake_burst,
	.close = fake_close,
	.stats = fake_stats,
};

static void test_register(void **state)
{
	struct port_ops other = fake_ops;
	struct port_ops no_close = fake_ops;

	assert_null(port_ops_find("fake")); /* lib/port knows no kind */
	assert_int_equal(port_kind_register(&fake_ops), 0);
	assert_ptr_equal(port_ops_find("fake"), &fake_ops);
	assert_int_equal(port_kind_register(&fake_ops), 0); /* idempotent */
	assert_int_equal(port_kind_register(&other), -EEXIST);
	no_close.kind = "no-close";
	no_close.close = NULL;
	assert_int_equal(port_kind_register(&no_close), -EINVAL);
	assert_null(port_ops_find("no-close"));
	assert_int_equal(port_kind_register(NULL), -EINVAL);
}

static int n_fast_open;

/* Serves "p*" interfaces, fails others like af_xdp does. */
static int fast_open(struct port *p)
{
	n_fast_open++;
	p->fd = 42; /* a failed open must not leak this */
	if (!strcmp(p->name, "gone"))
		return -ENODEV;
	return p->name[0] == 'p' ? 0 : -EOPNOTSUPP;
}

static const struct port_ops slow_ops = {
	.kind = "slow",
	.open = fake_open,
	.rx_burst = fake_burst,
	.tx_burst = fake_burst,
	.close = fake_close,
};

static const struct port_ops fast_ops = {
	.kind = "fast",
	.accelerates = "slow",
	.open = fast_open,
	.rx_burst = fake_burst,
	.tx_burst = fake_burst,
	.close = fake_close,
};

static void test_accelerated_kind(void **state)
{
	struct port p;

	assert_int_equal(port_kind_register(&slow_ops), 0);
	/* not registered yet: slow opens alone */
	assert_int_equal(port_open(&p, &slow_ops, "p0", NULL), 0);
	assert_ptr_equal(p.ops, &slow_ops);
	assert_int_equal(n_fast_open, 0);
	port_close(&p);

	assert_int_equal(port_kind_register(&fast_ops), 0);
	assert_int_equal(port_open(&p, &slow_ops, "p0", NULL), 0);
	assert_ptr_equal(p.ops, &fast_ops);
	assert_string_equal(p.name, "p0");
	port_close(&p);

	/* fast cannot serve it: slow does */
	assert_int_equal(port_open(&p, &slow_ops, "q0", NULL), 0);
	assert_ptr_equal(p.ops, &slow_ops);
	assert_int_equal(p.fd, -1);
	port_close(&p);

	/* no such interface: no fall back, the error stays */
	n_open = 0;
	assert_int_equal(port_open(&p, &slow_ops, "gone", NULL), -ENODEV);
	assert_null(p.ops);
	assert_int_equal(n_open, 0);
	assert_int_equal(n_fast_open, 3);

	/* opening the fast kind by itself works as any kind */
	assert_int_equal(port_open(&p, &fast_ops, "p1", NULL), 0);
	assert_ptr_equal(p.ops, &fast_ops);
	port_close(&p);
}

static void *seen_priv;

static int priv_open(struct port *p)
{
	seen_priv = p->kind_priv;
	return 0;
}

static const struct port_ops priv_ops = {
	.kind = "with-state",
	.open = priv_open,
	.rx_burst = fake_burst,
	.tx_burst = fake_burst,
	.close = fake_close,
};

static void test_kind_priv(void **state)
{
	static int kind_state, other_state;
	struct port p;

	assert_null(port_kind_priv(&priv_ops));
	assert_int_equal(port_open(&p, &priv_ops, "p0", NULL), 0);
	assert_null(seen_priv); /* not registered: no state */
	port_close(&p);

	assert_int_equal(port_kind_register_priv(&priv_ops, &kind_state), 0);
	assert_int_equal(port_kind_register_priv(&priv_ops, &kind_state), 0);
	assert_int_equal(port_kind_register_priv(&priv_ops, &other_state),
			 -EEXIST);
	assert_int_equal(port_kind_register(&priv_ops), -EEXIST);
	assert_ptr_equal(port_kind_priv(&priv_ops), &kind_state);
	assert_null(port_kind_priv(&fake_ops)); /* registered without */
	assert_int_equal(port_open(&p, &priv_ops, "p0", NULL), 0);
	assert_ptr_equal(seen_priv, &kind_state);
	assert_ptr_equal(p.kind_priv, &kind_state);
	port_close(&p);
}

static void test_registry_full(void **state)
{
	static struct port_ops many[PORT_MAX_KINDS];
	static char names[PORT_MAX_KINDS][16];
	int ret = 0;
	size_t i;

	for (i = 0; i < PORT_MAX_KINDS && !ret; i++) {
		many[i] = fake_ops;
		snprintf(names[i], sizeof(names[i]), "k%zu", i);
		many[i].kind = names[i];
		ret = port_kind_register(&many[i]);
	}
	assert_int_equal(ret, -ENOSPC);
	assert_ptr_equal(port_ops_find("fake"), &fake_ops);
}

static void test_open_close_stats(void **state)
{
	struct port p;
	struct port_hw_stats st;

	n_open = n_close = 0;
	assert_int_equal(port_open(&p, &fake_ops, "", NULL), -EINVAL);
	assert_int_equal(port_open(&p, &fake_ops, "fail", NULL), -ENODEV);
	assert_null(p.ops);
	port_close(&p); /* not open: nothing to do */
	assert_int_equal(n_close, 0);

	assert_int_equal(port_open(&p, &fake_ops, "p0", NULL), 0);
	memset(&st, 0xff, sizeof(st));
	port_stats(&p, &st); /* no stats op: zeros */
	assert_int_equal(st.rx_dropped, 0);
	assert_int_equal(st.tx_errors, 0);
	port_close(&p);
	assert_int_equal(n_close, 1);
	assert_int_equal(p.fd, -1);

	assert_int_equal(port_open(&p, &fake_stats_ops, "p1", NULL), 0);
	port_stats(&p, &st);
	assert_int_equal(st.rx_dropped, 7);
	port_close(&p);
	assert_int_equal(n_open, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_accelerated_kind),
		cmocka_unit_test(test_kind_priv),
		cmocka_unit_test(test_registry_full),
		cmocka_unit_test(test_open_close_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
