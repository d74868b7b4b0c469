// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for eth/port_dummy: injected frames come out of rx_burst in
 * order and byte for byte, the descriptor is readable exactly while frames
 * wait, sent frames are captured through the control commands, queues are
 * bounded and counted, and a closed port is gone. Also lib/util's hex
 * helpers the commands use.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eth/port_dummy.h"
#include "lib/ctl_server.h"
#include "lib/pool.h"
#include "lib/util.h"

/* The kind's state, registered once for every test. */
static struct port_dummy_kind *kind;

static bool readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

struct fixture {
	struct pool *pool;
	struct port port;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->pool = pool_create(512, 2048, 128);
	if (!f->pool || port_open(&f->port, &port_dummy_ops, "d0", f->pool))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	port_close(&f->port);
	pool_destroy(f->pool);
	free(f);
	return 0;
}

static void test_open(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(f->port.mode, "dummy");
	assert_true(f->port.fd >= 0);
	assert_int_equal(f->port.ifindex, 0); /* no interface to watch */
	assert_false(readable(f->port.fd));
	assert_string_equal(port_dummy_netdev_ops.kind, "netdev");
	assert_ptr_equal(port_dummy_netdev_ops.rx_burst,
			 port_dummy_ops.rx_burst);
	assert_ptr_equal(f->port.kind_priv, kind);
	assert_int_equal(port_dummy_register_commands(NULL, NULL), -EINVAL);
}

/* Registered without the kind's state, the kind refuses to open. */
static void test_no_kind_state(void **state)
{
	struct fixture *f = *state;
	struct port p;

	assert_int_equal(port_kind_register(&port_dummy_netdev_ops), 0);
	assert_int_equal(port_open(&p, &port_dummy_netdev_ops, "d2", f->pool),
			 -EINVAL);
	assert_null(p.ops);
}

static void test_rx_in_order(void **state)
{
	struct fixture *f = *state;
	struct pkt *pkts[4];
	uint8_t a[60], b[1514];
	int n;

	memset(a, 0xaa, sizeof(a));
	memset(b, 0xbb, sizeof(b));
	assert_int_equal(port_dummy_inject(kind, "d0", a, sizeof(a)), 0);
	assert_int_equal(port_dummy_inject(kind, "d0", b, sizeof(b)), 0);
	assert_true(readable(f->port.fd));
	n = f->port.ops->rx_burst(&f->port, pkts, 1);
	assert_int_equal(n, 1);
	assert_int_equal(pkts[0]->len, 60);
	assert_memory_equal(pkts[0]->data, a, 60);
	assert_true(pkt_headroom(pkts[0]) >= PORT_MIN_HEADROOM);
	assert_true(readable(f->port.fd)); /* one still waits */
	pool_free(pkts[0]);
	n = f->port.ops->rx_burst(&f->port, pkts, 4);
	assert_int_equal(n, 1);
	assert_int_equal(pkts[0]->len, 1514);
	assert_memory_equal(pkts[0]->data, b, 1514);
	pool_free(pkts[0]);
	assert_false(readable(f->port.fd));
	assert_int_equal(f->port.ops->rx_burst(&f->port, pkts, 4), 0);
	assert_int_equal(pool_avail(f->pool), pool_size(f->pool));
}

static void test_rx_limits(void **state)
{
	struct fixture *f = *state;
	struct port_hw_stats st;
	struct pkt *pkts[32];
	uint8_t big[2048] = { 0 };
	int i, n, total = 0;

	assert_int_equal(port_dummy_inject(kind, "d0", big, 0), -EMSGSIZE);
	assert_int_equal(port_dummy_inject(kind, "d0", big,
					   PORT_DUMMY_MAX_FRAME + 1),
			 -EMSGSIZE);
	assert_int_equal(port_dummy_inject(kind, "nosuch", big, 60), -ENODEV);
	/* bigger than a pool buffer: dropped at receive, counted */
	assert_int_equal(port_dummy_inject(kind, "d0", big, sizeof(big)), 0);
	for (i = 0; i < PORT_DUMMY_MAX_QUEUE - 1; i++)
		assert_int_equal(port_dummy_inject(kind, "d0", big, 64), 0);
	assert_int_equal(port_dummy_inject(kind, "d0", big, 64), -ENOBUFS);
	while ((n = f->port.ops->rx_burst(&f->port, pkts, 32)) > 0) {
		total += n;
		for (i = 0; i < n; i++)
			pool_free(pkts[i]);
	}
	assert_int_equal(total, PORT_DUMMY_MAX_QUEUE - 1);
	port_stats(&f->port, &st);
	assert_int_equal(st.rx_dropped, 2); /* the big one, the full queue */
	assert_false(readable(f->port.fd));
}

/* Run control command @line on a server with the dummy commands. */
static json_t *call(const char *line)
{
	struct ctl_server *srv;
	json_t *reply;
	char *out, path[64] = "/tmp/test_port_dummy.XXXXXX";

	assert_non_null(mkdtemp(path));
	strcat(path, "/ctl");
	srv = ctl_server_create(path, (gid_t)-1, "test");
	assert_non_null(srv);
	assert_int_equal(port_dummy_register_commands(srv, kind), 0);
	out = ctl_server_handle_line(srv, line, strlen(line));
	reply = json_loads(out, 0, NULL);
	assert_non_null(reply);
	free(out);
	ctl_server_destroy(srv);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	return reply;
}

static void test_commands(void **state)
{
	struct fixture *f = *state;
	struct pkt *pkts[4];
	char *text;
	json_t *r;
	int n;

	r = call("{\"id\":1,\"method\":\"port/inject\",\"params\":[\"d0\","
		 "\"ffffffffffff\",\"02:00:00:00:00:01.0800\"]}");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r, "result"), "port")),
			    "d0");
	json_decref(r);
	n = f->port.ops->rx_burst(&f->port, pkts, 4);
	assert_int_equal(n, 2);
	assert_int_equal(pkts[1]->len, 8);
	assert_memory_equal(pkts[1]->data, "\x02\0\0\0\0\x01\x08\0", 8);
	/* send both back out: capture returns them in hex, then nothing */
	assert_int_equal(f->port.ops->tx_burst(&f->port, pkts, 2), 2);
	pool_free(pkts[0]);
	pool_free(pkts[1]);
	r = call("{\"id\":2,\"method\":\"port/capture\",\"params\":[\"d0\"]}");
	text = json_dumps(json_object_get(r, "result"), JSON_COMPACT);
	assert_string_equal(text, "[\"ffffffffffff\",\"0200000000010800\"]");
	free(text);
	json_decref(r);
	r = call("{\"id\":3,\"method\":\"port/capture\",\"params\":[\"d0\"]}");
	assert_int_equal(json_array_size(json_object_get(r, "result")), 0);
	json_decref(r);
	r = call("{\"id\":4,\"method\":\"port/inject\",\"params\":[\"d0\","
		 "\"fff\"]}");
	assert_string_equal(json_string_value(json_object_get(r, "error")),
			    "not a frame in hex: 'fff'");
	json_decref(r);
	r = call("{\"id\":5,\"method\":\"port/capture\",\"params\":[\"d9\"]}");
	assert_string_equal(json_string_value(json_object_get(r, "error")),
			    "no dummy port 'd9'");
	json_decref(r);
}

static void test_tx_bounded(void **state)
{
	struct fixture *f = *state;
	struct port_hw_stats st;
	struct pkt *pkt = pool_alloc(f->pool);
	json_t *r;
	int i;

	pkt->len = 14;
	memset(pkt->data, 1, 14);
	for (i = 0; i < PORT_DUMMY_MAX_QUEUE + 3; i++)
		assert_int_equal(f->port.ops->tx_burst(&f->port, &pkt, 1), 1);
	pool_free(pkt);
	port_stats(&f->port, &st);
	assert_int_equal(st.tx_errors, 3);
	r = call("{\"id\":1,\"method\":\"port/capture\",\"params\":[\"d0\"]}");
	assert_int_equal(json_array_size(json_object_get(r, "result")),
			 PORT_DUMMY_MAX_QUEUE);
	json_decref(r);
}

/* Two ports: frames go to the named one; a closed port is gone. */
static void test_two_ports_and_close(void **state)
{
	struct fixture *f = *state;
	struct port other;
	struct pkt *pkts[2];

	assert_int_equal(port_open(&other, &port_dummy_ops, "d1", f->pool), 0);
	assert_int_equal(port_dummy_inject(kind, "d1", "\x01\x02", 2), 0);
	assert_false(readable(f->port.fd));
	assert_true(readable(other.fd));
	assert_int_equal(other.ops->rx_burst(&other, pkts, 2), 1);
	pool_free(pkts[0]);
	assert_int_equal(port_dummy_inject(kind, "d1", "\x01", 1), 0);
	port_close(&other); /* the queued frame goes with it */
	assert_int_equal(port_dummy_inject(kind, "d1", "\x01", 1), -ENODEV);
	assert_int_equal(port_dummy_inject(kind, "d0", "\x01", 1), 0);
}

static void test_hex(void **state)
{
	uint8_t *buf;
	size_t len;
	char *hex;

	assert_int_equal(util_hex_decode("00ff7A", &buf, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "\x00\xff\x7a", 3);
	hex = util_hex_encode(buf, len);
	assert_string_equal(hex, "00ff7a");
	free(hex);
	free(buf);
	assert_int_equal(util_hex_decode("", &buf, &len), 0);
	assert_int_equal(len, 0);
	free(buf);
	assert_int_equal(util_hex_decode("0", &buf, &len), -EINVAL);
	assert_int_equal(util_hex_decode("0g", &buf, &len), -EINVAL);
	assert_int_equal(util_hex_decode(":00", &buf, &len), -EINVAL);
	assert_int_equal(util_hex_decode("0:0", &buf, &len), -EINVAL);
	assert_int_equal(util_hex_decode("00::11", &buf, &len), 0);
	assert_int_equal(len, 2);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_kind_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rx_in_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rx_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_ports_and_close, setup,
						teardown),
		cmocka_unit_test(test_hex),
	};

	kind = port_dummy_kind_create();
	if (!kind || port_kind_register_priv(&port_dummy_ops, kind))
		return 1;
	return cmocka_run_group_tests_name("port_dummy", tests, NULL, NULL);
}
