// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ipoib/port_peer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "ipoib/proto.h"
#include "lib/ib.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(peer_port);

#define QLEN 1024 /* frames received, waiting for the engine; power of two */
#define ETH_HLEN 14
#define ANN_MAX 256 /* our announcements waiting to be sent */
#define MOVED_MAX 256 /* peers' announced MACs waiting for the engine */
#define ANN_PER_MSG 64 /* MACs in one announcement */

/* A MAC to announce (or withdraw) to the peers. */
struct peer_ann {
	uint8_t mac[6];
	bool withdraw;
};

struct peer_port {
	struct peer_port *next; /* the kind's open ports */
	struct peer_kind *kind;
	char name[IF_NAMESIZE];
	uint16_t pkey; /* 15-bit base */
	pthread_mutex_t lock; /* queue, table, counters */
	int efd; /* readable while frames wait (and @woken) */
	bool woken; /* efd written, not read yet */
	int tfd; /* timerfd: hello and aging every PEER_HELLO_MS */
	uint64_t hello_next; /* read tfd from then on even with frames */
	int pfd; /* epoll of both: the port's fd */
	struct pool *pool; /* the engine's: hellos */
	unsigned int head, tail; /* queue: [tail, head) */
	struct pkt *q[QLEN];
	struct peer_table *tab;
	struct peer_counters part;
	uint64_t tx_flood, tx_unicast, tx_no_port;
	struct ipoib_hwaddr local;
	unsigned int mtu;
	uint64_t aging_ms; /* MACs not heard of go after */
	/* ours, waiting for rx_burst; the last sent, again with a hello */
	struct peer_ann ann[ANN_MAX], again[ANN_MAX];
	unsigned int n_ann, n_again;
	/* MACs peers announced, for the engine's table (learn_fn) */
	uint8_t moved[MOVED_MAX][6];
	unsigned int n_moved;
	uint64_t announced, withdrawn; /* MACs sent as such, repeats too */
	uint64_t ann_dropped; /* not announced: too many waiting */
	uint64_t moved_dropped; /* peers' MACs not moved: MOVED_MAX waiting */
	uint64_t repeats_cancelled; /* repeats not sent: a peer announced it since */
};

struct peer_kind {
	pthread_mutex_t lock; /* ports, registered */
	struct ipoib_kind *ipoib;
	struct peer_port *ports;
	/*
	 * The 0x88B5 handler, from the first open to peer_kind_destroy():
	 * frames of partitions without a peer port are freed.
	 */
	bool registered;
	void (*learn_fn)(void *arg, const struct port *p, const uint8_t mac[6]);
	void *learn_arg;
};

struct peer_kind *peer_kind_create(struct ipoib_kind *ipoib)
{
	struct peer_kind *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	pthread_mutex_init(&k->lock, NULL);
	k->ipoib = ipoib;
	return k;
}

void peer_kind_destroy(struct peer_kind *k)
{
	if (!k)
		return;
	if (k->registered)
		ipoib_proto_unregister(IPOIB_PROTO_PEER);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

int peer_port_name(uint16_t pkey, char *buf, size_t len)
{
	int n = snprintf(buf, len, "peer.%04x", pkey & IB_PKEY_BASE_MASK);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The PKey base of "peer.PKEY", or 0 when @name is not one. */
static uint16_t parse_name(const char *name)
{
	unsigned long v;
	char *end;

	if (strncmp(name, "peer.", 5) || !name[5])
		return 0;
	v = strtoul(name + 5, &end, 16);
	if (*end || v > 0xffff)
		return 0;
	v &= IB_PKEY_BASE_MASK;
	return v == IB_PKEY_DEFAULT ? 0 : (uint16_t)v;
}

int peer_hdr_parse(const uint8_t *p, uint32_t len, uint8_t *type)
{
	if (len < PEER_HDR_LEN)
		return PEER_DROP_RUNT;
	if (p[0] != PEER_VERSION || p[1] < PEER_TYPE_FRAME ||
	    p[1] > PEER_TYPE_WITHDRAW)
		return PEER_DROP_BAD_HEADER;
	if (p[1] == PEER_TYPE_FRAME && len < PEER_HDR_LEN + ETH_HLEN)
		return PEER_DROP_RUNT;
	if (p[1] >= PEER_TYPE_ANNOUNCE && len < PEER_HDR_LEN + 6)
		return PEER_DROP_RUNT;
	*type = p[1];
	return 0;
}

void peer_hdr_write(uint8_t *p, uint8_t type)
{
	p[0] = PEER_VERSION;
	p[1] = type;
	p[2] = p[3] = 0;
}

static uint64_t aging_ms(void)
{
	const char *s = getenv("FABRICD_PEER_AGING_MS");
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return PEER_AGING_MS_DEFAULT;
	v = strtoull(s, &end, 10);
	return *end || !v ? PEER_AGING_MS_DEFAULT : v;
}

/* ---- receive: the ipoib port's handler ---- */

/* The open port of partition @pkey; @k locked. */
static struct peer_port *port_by_pkey(struct peer_kind *k, uint16_t pkey)
{
	struct peer_port *pp;

	for (pp = k->ports; pp; pp = pp->next)
		if (!((pp->pkey ^ pkey) & IB_PKEY_BASE_MASK))
			return pp;
	return NULL;
}

/*
 * A peer announced @mac after we did: our repeat of it with the next
 * hello would pull it back here (a gateway that stood down, a VM that
 * moved on): drop it. Locked.
 */
static void again_forget(struct peer_port *pp, const uint8_t mac[6])
{
	unsigned int i;

	for (i = 0; i < pp->n_again; i++)
		if (!pp->again[i].withdraw &&
		    !memcmp(pp->again[i].mac, mac, 6)) {
			pp->again[i] = pp->again[--pp->n_again];
			pp->repeats_cancelled++;
			return;
		}
}

/*
 * A peer's announcement or withdrawal of the MACs in @pkt: move them to
 * it (and on to the engine), or forget those it has them behind; locked.
 */
static void rx_macs(struct peer_port *pp, struct peer_info *p,
		    const struct pkt *pkt, uint8_t type)
{
	const uint8_t *mac = pkt->data + PEER_HDR_LEN;
	uint32_t i, n = (pkt->len - PEER_HDR_LEN) / 6;

	for (i = 0; i < n; i++, mac += 6) {
		if (type == PEER_TYPE_WITHDRAW) {
			p->c.withdrawn++;
			if (peer_table_lookup(pp->tab, mac) == p)
				peer_table_forget_mac(pp->tab, mac);
			continue;
		}
		p->c.announced++;
		again_forget(pp, mac);
		if (peer_table_learn(pp->tab, mac, p, util_now_ms()))
			continue;
		if (pp->n_moved == MOVED_MAX) {
			pp->moved_dropped++;
			continue;
		}
		memcpy(pp->moved[pp->n_moved++], mac, 6);
		if (pp->n_moved == 1 && eventfd_write(pp->efd, 1))
			VLOG_WARN("%s: eventfd: %s", pp->name, strerror(errno));
	}
}

/* Check, learn and queue one frame; false: dropped (the caller frees). */
static bool rx_frame(struct peer_port *pp, const struct ipoib_proto_rx *rx,
		     struct pkt *pkt, uint64_t now)
{
	struct peer_info *p;
	uint8_t type = 0;
	int r = peer_hdr_parse(pkt->data, pkt->len, &type);

	p = peer_table_peer(pp->tab, &rx->src, rx->slid, true, now);
	if (r) {
		(p ? &p->c : &pp->part)->drops[r]++;
		return false;
	}
	if (type == PEER_TYPE_HELLO) {
		if (p)
			p->c.hellos++;
		return false; /* heard: nothing to queue */
	}
	if (type != PEER_TYPE_FRAME) {
		if (p)
			rx_macs(pp, p, pkt, type);
		return false;
	}
	pkt->data += PEER_HDR_LEN;
	pkt->len -= PEER_HDR_LEN;
	if (!p) { /* too many peers: carried, not learned */
		pp->part.drops[PEER_DROP_PART_LIMIT]++;
	} else {
		r = peer_table_learn(pp->tab, pkt->data + 6, p, now);
		if (r == PEER_DROP_BAD_SRC) {
			p->c.drops[r]++;
			return false;
		}
		p->c.rx_packets++;
		p->c.rx_bytes += pkt->len;
	}
	if (pp->head - pp->tail >= QLEN) {
		(p ? &p->c : &pp->part)->drops[PEER_DROP_QUEUE_FULL]++;
		return false;
	}
	pp->q[pp->head++ & (QLEN - 1)] = pkt;
	return true;
}

static void peer_rx(void *arg, const struct ipoib_proto_rx *rx, struct pkt *pkt)
{
	struct peer_kind *k = arg;
	struct peer_port *pp;
	bool queued = false;

	pthread_mutex_lock(&k->lock);
	pp = port_by_pkey(k, rx->pkey);
	if (pp) {
		pthread_mutex_lock(&pp->lock);
		queued = rx_frame(pp, rx, pkt, rx->now);
		/* one eventfd write per wake, not per frame (under the lock:
		 * peer_rx_burst() reads it when it empties the queue) */
		if (queued && !pp->woken) {
			pp->woken = true;
			if (eventfd_write(pp->efd, 1))
				VLOG_WARN("%s: eventfd: %s", pp->name,
					  strerror(errno));
		}
		pthread_mutex_unlock(&pp->lock);
	}
	pthread_mutex_unlock(&k->lock);
	if (!queued)
		pool_free(pkt);
}

static const struct ipoib_proto_ops peer_proto_ops = {
	.name = "peer",
	.rx = peer_rx,
};

/* ---- port ops ---- */

static void port_free(struct peer_port *pp)
{
	while (pp->tail != pp->head)
		pool_free(pp->q[pp->tail++ & (QLEN - 1)]);
	if (pp->pfd >= 0)
		close(pp->pfd);
	if (pp->tfd >= 0)
		close(pp->tfd);
	if (pp->efd >= 0)
		close(pp->efd);
	peer_table_destroy(pp->tab);
	pthread_mutex_destroy(&pp->lock);
	free(pp);
}

/* The port's fd: readable when frames wait or a hello is due. */
static int port_fds(struct peer_port *pp)
{
	struct itimerspec its = {
		.it_interval = { .tv_nsec = PEER_HELLO_MS * 1000000L },
		.it_value = { .tv_nsec = PEER_HELLO_MS * 1000000L },
	};
	struct epoll_event ev = { .events = EPOLLIN };

	its.it_interval.tv_sec = its.it_interval.tv_nsec / 1000000000L;
	its.it_interval.tv_nsec %= 1000000000L;
	its.it_value = its.it_interval;
	pp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pp->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	pp->pfd = epoll_create1(EPOLL_CLOEXEC);
	if (pp->efd < 0 || pp->tfd < 0 || pp->pfd < 0 ||
	    timerfd_settime(pp->tfd, 0, &its, NULL) ||
	    epoll_ctl(pp->pfd, EPOLL_CTL_ADD, pp->efd, &ev) ||
	    epoll_ctl(pp->pfd, EPOLL_CTL_ADD, pp->tfd, &ev))
		return -errno;
	return 0;
}

static struct peer_port *port_alloc(const struct port *p, uint16_t pkey)
{
	struct peer_port *pp = calloc(1, sizeof(*pp));

	if (!pp)
		return NULL;
	pthread_mutex_init(&pp->lock, NULL);
	pp->kind = p->kind_priv;
	pp->pkey = pkey;
	util_strlcpy(pp->name, p->name, sizeof(pp->name));
	pp->aging_ms = aging_ms();
	pp->pool = p->pool;
	pp->efd = pp->tfd = pp->pfd = -1;
	pp->tab = peer_table_create(PEER_MAX_PEERS, PEER_PART_MACS,
				    PEER_PEER_MACS);
	if (!pp->tab || port_fds(pp)) {
		port_free(pp);
		return NULL;
	}
	return pp;
}

/* Join the kind's open ports (and register the handler with the first). */
static int port_link(struct peer_kind *k, struct peer_port *pp)
{
	int ret = 0;

	pthread_mutex_lock(&k->lock);
	if (port_by_pkey(k, pp->pkey)) {
		ret = -EEXIST;
	} else if (!k->registered) {
		ret = ipoib_proto_register(IPOIB_PROTO_PEER, &peer_proto_ops,
					   k);
		k->registered = !ret;
	}
	if (!ret) {
		pp->next = k->ports;
		k->ports = pp;
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

static int peer_open(struct port *p)
{
	struct peer_kind *k = p->kind_priv;
	uint16_t pkey = parse_name(p->name);
	struct ipoib_hwaddr local;
	struct peer_port *pp;
	int mtu, ret;

	if (!k || !k->ipoib || !pkey)
		return -EINVAL;
	mtu = ipoib_proto_mtu(k->ipoib, pkey, &local);
	if (mtu < 0)
		return -EAGAIN; /* the partition's ipoib port is not open yet */
	if (mtu <= PEER_HDR_LEN + ETH_HLEN)
		return -EMSGSIZE;
	pp = port_alloc(p, pkey);
	if (!pp)
		return -ENOMEM;
	pp->mtu = (unsigned int)mtu;
	pp->local = local;
	ret = port_link(k, pp);
	if (ret) {
		port_free(pp);
		return ret;
	}
	p->priv = pp;
	p->fd = pp->pfd;
	p->mode = "peer-ud";
	p->flags = PORT_F_TX_POOL_ONLY;
	p->max_payload = (uint32_t)mtu - PEER_HDR_LEN - ETH_HLEN;
	p->offloads = 0; /* the engine cuts super-frames to max_payload */
	VLOG_INFO("%s: peer links of partition 0x%04x, %d bytes per frame",
		  p->name, pkey, mtu - PEER_HDR_LEN);
	return 0;
}

/* @pkt to the partition's group (out of the port's lock); false: not. */
static bool send_group(struct peer_port *pp, struct pkt *pkt)
{
	struct ipoib_hwaddr dst;

	ipoib_proto_group(&dst);
	if (ipoib_proto_send(pp->kind->ipoib, pp->pkey, IPOIB_PROTO_PEER, &pkt,
			     &dst, 1) == 1)
		return true;
	pool_free(pkt);
	return false;
}

/* A hello to the partition's group (out of the port's lock). */
static void send_hello(struct peer_port *pp)
{
	struct pkt *pkt = pool_alloc(pp->pool);

	if (!pkt)
		return;
	pkt->len = PEER_HDR_LEN;
	peer_hdr_write(pkt->data, PEER_TYPE_HELLO);
	send_group(pp, pkt);
}

/*
 * The MACs of @a[0..@n) that are withdrawals (@withdraw) or announcements
 * to the group, ANN_PER_MSG to a message. Returns how many went out.
 */
static unsigned int send_macs(struct peer_port *pp, const struct peer_ann *a,
			      unsigned int n, bool withdraw)
{
	unsigned int i = 0, k, sent = 0,
		     max = MIN(ANN_PER_MSG, (pp->mtu - PEER_HDR_LEN) / 6);
	struct pkt *pkt;

	while (i < n) {
		pkt = pool_alloc(pp->pool);
		if (!pkt)
			break;
		for (k = 0; i < n && k < max; i++)
			if (a[i].withdraw == withdraw)
				memcpy(pkt->data + PEER_HDR_LEN + 6 * k++,
				       a[i].mac, 6);
		pkt->len = PEER_HDR_LEN + 6 * k;
		peer_hdr_write(pkt->data, withdraw ? PEER_TYPE_WITHDRAW :
						     PEER_TYPE_ANNOUNCE);
		if (k && send_group(pp, pkt))
			sent += k;
		else if (!k)
			pool_free(pkt);
	}
	return sent;
}

/*
 * MAC announcements both ways, out of the port's lock: the peers' to the
 * engine (learn_fn), ours to the peers; on a @tick the last ones again.
 */
static void exchange_macs(struct port *p, struct peer_port *pp, bool tick)
{
	struct peer_ann out[2 * ANN_MAX];
	uint8_t moved[MOVED_MAX][6];
	unsigned int i, n = 0, n_moved;
	struct peer_kind *k = pp->kind;

	pthread_mutex_lock(&pp->lock);
	n_moved = pp->n_moved;
	memcpy(moved, pp->moved, n_moved * 6);
	pp->n_moved = 0;
	if (tick) {
		n = pp->n_again;
		memcpy(out, pp->again, n * sizeof(*out));
		pp->n_again = 0;
	}
	memcpy(out + n, pp->ann, pp->n_ann * sizeof(*out));
	n += pp->n_ann;
	i = MIN(pp->n_ann, ANN_MAX - pp->n_again); /* sent again at a tick */
	memcpy(pp->again + pp->n_again, pp->ann, i * sizeof(*out));
	pp->n_again += i;
	pp->n_ann = 0;
	pthread_mutex_unlock(&pp->lock);
	for (i = 0; i < n_moved && k->learn_fn; i++)
		k->learn_fn(k->learn_arg, p, moved[i]);
	if (!n)
		return;
	i = send_macs(pp, out, n, false);
	n = send_macs(pp, out, n, true);
	pthread_mutex_lock(&pp->lock);
	pp->announced += i;
	pp->withdrawn += n;
	pthread_mutex_unlock(&pp->lock);
}

int peer_port_announce(struct port *p, const uint8_t mac[6], bool withdraw)
{
	struct peer_port *pp = p->priv;
	unsigned int i;
	int ret = 0;

	if (p->ops != &peer_port_ops || !pp)
		return -EINVAL;
	pthread_mutex_lock(&pp->lock);
	if (!withdraw)
		peer_table_forget_mac(pp->tab, mac); /* it is here now */
	for (i = 0; i < pp->n_ann; i++)
		if (!memcmp(pp->ann[i].mac, mac, 6))
			break;
	if (i == ANN_MAX) {
		pp->ann_dropped++;
		ret = -ENOBUFS;
	} else {
		memcpy(pp->ann[i].mac, mac, 6);
		pp->ann[i].withdraw = withdraw;
		if (i == pp->n_ann && !pp->n_ann++)
			(void)eventfd_write(pp->efd, 1);
	}
	pthread_mutex_unlock(&pp->lock);
	return ret;
}

void peer_kind_set_learn(struct peer_kind *k,
			 void (*fn)(void *arg, const struct port *p,
				    const uint8_t mac[6]),
			 void *arg)
{
	pthread_mutex_lock(&k->lock);
	k->learn_fn = fn;
	k->learn_arg = arg;
	pthread_mutex_unlock(&k->lock);
}

/*
 * The hello timer, read only when it may be what woke us: the queue was
 * empty, or the hello is due by the clock (no read() per burst of frames).
 * Returns the timer's expirations read (0: none due).
 */
static uint64_t rx_timer(struct peer_port *pp, bool empty)
{
	uint64_t ticks = 0, now = util_now_ms();

	if (!empty && now < pp->hello_next)
		return 0;
	if (read(pp->tfd, &ticks, sizeof(ticks)) <= 0 || !ticks)
		return 0; /* EAGAIN: not due yet */
	pp->hello_next = now + PEER_HELLO_MS;
	pthread_mutex_lock(&pp->lock);
	peer_table_age(pp->tab, now, pp->aging_ms, PEER_DEAD_MS);
	pthread_mutex_unlock(&pp->lock);
	send_hello(pp);
	return ticks;
}

static int peer_rx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct peer_port *pp = p->priv;
	unsigned int k = 0;
	eventfd_t v;
	bool empty;

	pthread_mutex_lock(&pp->lock);
	empty = pp->tail == pp->head;
	while (k < n && pp->tail != pp->head)
		pkts[k++] = pp->q[pp->tail++ & (QLEN - 1)];
	/*
	 * Queue emptied: clear the eventfd if we wrote it, or if something
	 * else woke us (an empty queue at entry: the timer, or another
	 * writer of efd); else more is to come and it stays readable
	 */
	if (pp->tail == pp->head && (pp->woken || empty)) {
		(void)eventfd_read(pp->efd, &v);
		pp->woken = false;
	}
	pthread_mutex_unlock(&pp->lock);
	exchange_macs(p, pp, rx_timer(pp, empty) != 0);
	return (int)k;
}

/*
 * Frame @pkt to its peer or to the group, header written: its destination
 * into @dst. False: dropped (freed).
 */
static bool tx_prepare(struct peer_port *pp, struct pkt *pkt,
		       struct ipoib_hwaddr *dst)
{
	struct peer_info *p;

	if (pkt->len < ETH_HLEN) {
		pp->part.drops[PEER_DROP_RUNT]++;
		goto drop;
	}
	if (pkt_headroom(pkt) < PEER_HDR_LEN + IPOIB_HDR_LEN) {
		pp->part.drops[PEER_DROP_NO_ROOM]++;
		goto drop;
	}
	p = (pkt->data[0] & 1) ? NULL : peer_table_lookup(pp->tab, pkt->data);
	if (p) {
		*dst = p->addr;
		p->c.tx_packets++;
		p->c.tx_bytes += pkt->len;
		pp->tx_unicast++;
	} else {
		ipoib_proto_group(dst);
		pp->tx_flood++;
	}
	pkt->data -= PEER_HDR_LEN;
	pkt->len += PEER_HDR_LEN;
	peer_hdr_write(pkt->data, PEER_TYPE_FRAME);
	return true;
drop:
	pool_free(pkt);
	return false;
}

/*
 * Every frame is taken: sent, or dropped and counted (the ipoib port's
 * queue full, or no ipoib port: tx_no_port).
 */
static int peer_tx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct peer_port *pp = p->priv;
	struct ipoib_hwaddr dst[64];
	struct pkt *out[64];
	unsigned int i, m = 0;
	int sent;

	n = MIN(n, ARRAY_SIZE(out));
	pthread_mutex_lock(&pp->lock);
	for (i = 0; i < n; i++)
		if (tx_prepare(pp, pkts[i], &dst[m]))
			out[m++] = pkts[i];
	pthread_mutex_unlock(&pp->lock);
	sent = m ? ipoib_proto_send(pp->kind->ipoib, pp->pkey, IPOIB_PROTO_PEER,
				    out, dst, m) :
		   0;
	if (sent < 0)
		sent = 0;
	if ((unsigned int)sent < m) {
		pthread_mutex_lock(&pp->lock);
		pp->tx_no_port += m - (unsigned int)sent;
		pthread_mutex_unlock(&pp->lock);
		for (i = (unsigned int)sent; i < m; i++)
			pool_free(out[i]);
	}
	return (int)n;
}

static void peer_close(struct port *p)
{
	struct peer_port *pp = p->priv, **pq;
	struct peer_kind *k;

	if (!pp)
		return;
	k = pp->kind;
	pthread_mutex_lock(&k->lock);
	for (pq = &k->ports; *pq; pq = &(*pq)->next)
		if (*pq == pp) {
			*pq = pp->next;
			break;
		}
	pthread_mutex_unlock(&k->lock);
	port_free(pp);
	p->priv = NULL;
}

static void peer_stats(struct port *p, struct port_hw_stats *st)
{
	struct peer_port *pp = p->priv;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&pp->lock);
	st->rx_dropped = pp->part.drops[PEER_DROP_QUEUE_FULL];
	st->tx_errors = pp->tx_no_port;
	pthread_mutex_unlock(&pp->lock);
}

/* The announcement counters of @pp; locked. */
static void ann_stats(const struct peer_port *pp, struct peer_ann_stats *st)
{
	st->announced = pp->announced;
	st->withdrawn = pp->withdrawn;
	st->ann_dropped = pp->ann_dropped;
	st->moved_dropped = pp->moved_dropped;
	st->repeats_cancelled = pp->repeats_cancelled;
}

int peer_port_ann_stats(struct port *p, struct peer_ann_stats *st)
{
	struct peer_port *pp = p->priv;

	if (p->ops != &peer_port_ops || !pp)
		return -EINVAL;
	pthread_mutex_lock(&pp->lock);
	ann_stats(pp, st);
	pthread_mutex_unlock(&pp->lock);
	return 0;
}

void peer_kind_foreach(struct peer_kind *k,
		       void (*fn)(void *arg, const struct peer_port_view *v),
		       void *arg)
{
	struct peer_port_view v;
	struct peer_port *pp;

	pthread_mutex_lock(&k->lock);
	for (pp = k->ports; pp; pp = pp->next) {
		pthread_mutex_lock(&pp->lock);
		v.name = pp->name;
		v.pkey = pp->pkey;
		v.local = pp->local;
		v.mtu = pp->mtu;
		v.now = util_now_ms();
		v.table = pp->tab;
		v.part = &pp->part;
		v.tx_flood = pp->tx_flood;
		v.tx_unicast = pp->tx_unicast;
		v.tx_no_port = pp->tx_no_port;
		ann_stats(pp, &v.ann);
		fn(arg, &v);
		pthread_mutex_unlock(&pp->lock);
	}
	pthread_mutex_unlock(&k->lock);
}

int peer_kind_mac_peer(struct peer_kind *k, const char *port_name,
		       const uint8_t mac[6], struct peer_info *out)
{
	struct peer_port *pp;
	struct peer_info *p;
	int ret = -ENOENT;

	pthread_mutex_lock(&k->lock);
	for (pp = k->ports; pp; pp = pp->next) {
		if (strcmp(pp->name, port_name))
			continue;
		pthread_mutex_lock(&pp->lock);
		p = peer_table_lookup(pp->tab, mac);
		if (p) {
			*out = *p;
			ret = 0;
		}
		pthread_mutex_unlock(&pp->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

const struct port_ops peer_port_ops = {
	.kind = "peer",
	.open = peer_open,
	.rx_burst = peer_rx_burst,
	.tx_burst = peer_tx_burst,
	.close = peer_close,
	.stats = peer_stats,
};
