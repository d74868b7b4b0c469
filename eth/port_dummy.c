// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dummy ports: frames from and to the control socket (see port_dummy.h). */
#include "eth/port_dummy.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/ctl_server.h"
#include "lib/util.h"

struct dummy_frame {
	struct dummy_frame *next;
	uint32_t len;
	uint8_t data[];
};

/* A FIFO of frames. */
struct dummy_queue {
	struct dummy_frame *head, **tail;
	unsigned int n;
};

struct dummy {
	struct dummy *next; /* in the list of open dummy ports */
	struct port *port;
	pthread_mutex_t lock; /* guards the queues and the counters */
	struct dummy_queue rx; /* injected, waiting for rx_burst */
	struct dummy_queue tx; /* sent by the engine, waiting for capture */
	int efd; /* eventfd, readable while @rx holds frames */
	struct port_hw_stats st; /* rx_dropped: queue full or frame too big;
				  * tx_errors: not kept, capture queue full */
};

/* The kind's state: its open ports, for port/inject and port/capture. */
struct port_dummy_kind {
	pthread_mutex_t lock; /* guards @ports */
	struct dummy *ports;
};

struct port_dummy_kind *port_dummy_kind_create(void)
{
	struct port_dummy_kind *k = calloc(1, sizeof(*k));

	if (k)
		pthread_mutex_init(&k->lock, NULL);
	return k;
}

void port_dummy_kind_destroy(struct port_dummy_kind *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
}

static void queue_init(struct dummy_queue *q)
{
	q->head = NULL;
	q->tail = &q->head;
	q->n = 0;
}

static void queue_push(struct dummy_queue *q, struct dummy_frame *f)
{
	f->next = NULL;
	*q->tail = f;
	q->tail = &f->next;
	q->n++;
}

static struct dummy_frame *queue_pop(struct dummy_queue *q)
{
	struct dummy_frame *f = q->head;

	if (!f)
		return NULL;
	q->head = f->next;
	if (!q->head)
		q->tail = &q->head;
	q->n--;
	return f;
}

static void queue_clear(struct dummy_queue *q)
{
	struct dummy_frame *f;

	while ((f = queue_pop(q)))
		free(f);
}

static struct dummy_frame *frame_new(const void *data, size_t len)
{
	struct dummy_frame *f = malloc(sizeof(*f) + len);

	if (f) {
		f->len = (uint32_t)len;
		memcpy(f->data, data, len);
	}
	return f;
}

static int dummy_open(struct port *p)
{
	struct port_dummy_kind *k = p->kind_priv;
	struct dummy *d;

	if (!k)
		return -EINVAL; /* registered without its state */
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->efd < 0) {
		free(d);
		return -errno;
	}
	pthread_mutex_init(&d->lock, NULL);
	queue_init(&d->rx);
	queue_init(&d->tx);
	d->port = p;
	p->priv = d;
	p->fd = d->efd;
	p->mode = "dummy";
	pthread_mutex_lock(&k->lock);
	d->next = k->ports;
	k->ports = d;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

/* Copy the next injected frame into a pool packet; NULL when none fits. */
static struct pkt *dummy_rx_one(struct port *p, struct dummy *d)
{
	unsigned int room = pool_buf_size(p->pool) - pool_headroom(p->pool);
	struct dummy_frame *f;
	struct pkt *pkt;

	while (d->rx.head && d->rx.head->len > room) {
		free(queue_pop(&d->rx));
		d->st.rx_dropped++;
	}
	if (!d->rx.head)
		return NULL;
	pkt = pool_alloc(p->pool);
	if (!pkt)
		return NULL;
	f = queue_pop(&d->rx);
	memcpy(pkt->data, f->data, f->len);
	pkt->len = f->len;
	free(f);
	return pkt;
}

static int dummy_rx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct dummy *d = p->priv;
	unsigned int i;
	uint64_t v;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < n; i++) {
		pkts[i] = dummy_rx_one(p, d);
		if (!pkts[i])
			break;
	}
	/* Empty: quiet the descriptor until the next inject. EAGAIN means
	 * it is quiet already; an eventfd has no other error to report. */
	if (!d->rx.n && read(d->efd, &v, sizeof(v)) < 0)
		v = 0;
	pthread_mutex_unlock(&d->lock);
	return (int)i;
}

/* Keep a copy of every frame sent, for port/capture; the caller keeps the
 * packets. */
static int dummy_tx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct dummy *d = p->priv;
	struct dummy_frame *f;
	unsigned int i;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < n; i++) {
		f = d->tx.n < PORT_DUMMY_MAX_QUEUE ?
			    frame_new(pkts[i]->data, pkts[i]->len) :
			    NULL;
		if (f)
			queue_push(&d->tx, f);
		else
			d->st.tx_errors++;
	}
	pthread_mutex_unlock(&d->lock);
	return (int)n;
}

static void dummy_close(struct port *p)
{
	struct port_dummy_kind *k = p->kind_priv;
	struct dummy *d = p->priv, **pp;

	pthread_mutex_lock(&k->lock);
	for (pp = &k->ports; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	pthread_mutex_unlock(&k->lock);
	queue_clear(&d->rx);
	queue_clear(&d->tx);
	close(d->efd);
	pthread_mutex_destroy(&d->lock);
	free(d);
	p->priv = NULL;
}

static void dummy_stats(struct port *p, struct port_hw_stats *st)
{
	struct dummy *d = p->priv;

	pthread_mutex_lock(&d->lock);
	*st = d->st;
	pthread_mutex_unlock(&d->lock);
}

#define DUMMY_OPS(kind_name)                                            \
	{                                                               \
		.kind = kind_name, .open = dummy_open,                  \
		.rx_burst = dummy_rx_burst, .tx_burst = dummy_tx_burst, \
		.close = dummy_close, .stats = dummy_stats,             \
	}

const struct port_ops port_dummy_ops = DUMMY_OPS("dummy");
const struct port_ops port_dummy_netdev_ops = DUMMY_OPS("netdev");

/* @k's open port @name, or NULL. Called with @k->lock held, which keeps it
 * from closing. */
static struct dummy *find_locked(struct port_dummy_kind *k, const char *name)
{
	struct dummy *d;

	for (d = k->ports; d; d = d->next)
		if (!strcmp(d->port->name, name))
			return d;
	return NULL;
}

int port_dummy_inject(struct port_dummy_kind *k, const char *name,
		      const void *frame, size_t len)
{
	struct dummy_frame *f = NULL;
	struct dummy *d;
	uint64_t one = 1;
	int ret = -ENODEV;

	if (!len || len > PORT_DUMMY_MAX_FRAME)
		return -EMSGSIZE;
	pthread_mutex_lock(&k->lock);
	d = find_locked(k, name);
	if (d) {
		pthread_mutex_lock(&d->lock);
		ret = -ENOBUFS;
		if (d->rx.n < PORT_DUMMY_MAX_QUEUE)
			f = frame_new(frame, len);
		if (f) {
			queue_push(&d->rx, f);
			ret = write(d->efd, &one, sizeof(one)) < 0 ? -errno : 0;
		} else {
			d->st.rx_dropped++;
		}
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

/* Take every captured frame of port @name as a JSON array of hex strings. */
static int capture(struct port_dummy_kind *k, const char *name, json_t **result)
{
	struct dummy_frame *f;
	struct dummy *d;
	char *hex;

	pthread_mutex_lock(&k->lock);
	d = find_locked(k, name);
	if (!d) {
		pthread_mutex_unlock(&k->lock);
		return -ENODEV;
	}
	*result = json_array();
	pthread_mutex_lock(&d->lock);
	while ((f = queue_pop(&d->tx))) {
		hex = util_hex_encode(f->data, f->len);
		json_array_append_new(*result,
				      hex ? json_string(hex) : json_null());
		free(hex);
		free(f);
	}
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_unlock(&k->lock);
	return 0;
}

static int fail(char **error, int ret, const char *what, const char *arg)
{
	if (asprintf(error, "%s '%s'", what, arg) < 0)
		*error = NULL;
	return ret;
}

static int cmd_inject(int argc, const char *const argv[], void *aux,
		      json_t **result, char **error)
{
	uint8_t *buf;
	size_t len;
	int i, ret = 0;

	for (i = 1; i < argc && !ret; i++) {
		ret = util_hex_decode(argv[i], &buf, &len);
		if (ret)
			return fail(error, ret, "not a frame in hex:", argv[i]);
		ret = port_dummy_inject(aux, argv[0], buf, len);
		free(buf);
	}
	if (ret == -ENODEV)
		return fail(error, ret, "no dummy port", argv[0]);
	if (ret == -EMSGSIZE)
		return fail(error, ret, "frame too long or empty for", argv[0]);
	if (ret == -ENOBUFS)
		return fail(error, ret, "receive queue full on", argv[0]);
	if (ret)
		return fail(error, ret, strerror(-ret), argv[0]);
	*result = json_pack("{s:s, s:i}", "port", argv[0], "frames", argc - 1);
	return 0;
}

static int cmd_capture(int argc, const char *const argv[], void *aux,
		       json_t **result, char **error)
{
	int ret = capture(aux, argv[0], result);

	return ret ? fail(error, ret, "no dummy port", argv[0]) : 0;
}

int port_dummy_register_commands(struct ctl_server *srv,
				 struct port_dummy_kind *k)
{
	int ret;

	if (!k)
		return -EINVAL;
	ret = ctl_server_register(srv, "port/inject", "PORT HEXFRAME...", 2, 64,
				  cmd_inject, k);
	if (!ret)
		ret = ctl_server_register(srv, "port/capture", "PORT", 1, 1,
					  cmd_capture, k);
	return ret;
}
