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
#include <linux/if_tun.h>

#include "ipoib/peer_rc.h"
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
/* what a peer port takes whole for a destination over RC (peer_rc.h) */
#define RC_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

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
	struct peer_rc *rc; /* connections; NULL: UD only */
	uint64_t now; /* the last receive burst's clock */
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
	    p[1] > PEER_TYPE_RC_ACCEPT)
		return PEER_DROP_BAD_HEADER; /* PEER_TYPE_RC_FRAME: RC only */
	if (p[1] == PEER_TYPE_FRAME && len < PEER_HDR_LEN + ETH_HLEN)
		return PEER_DROP_RUNT;
	if ((p[1] == PEER_TYPE_ANNOUNCE || p[1] == PEER_TYPE_WITHDRAW) &&
	    len < PEER_HDR_LEN + 6)
		return PEER_DROP_RUNT;
	if (p[1] >= PEER_TYPE_RC_REQ && len < PEER_HDR_LEN + PEER_RC_CTL_LEN)
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

/* FABRICD_PEER_RC=0 in the environment: UD only (to compare). */
static bool rc_wanted(void)
{
	const char *s = getenv("FABRICD_PEER_RC");

	return !s || strcmp(s, "0");
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

/* A connect request or accept: to the connections; answers wake us. */
static void rx_rc_ctl(struct peer_port *pp, struct peer_info *p,
		      const struct pkt *pkt, uint8_t type, uint64_t now)
{
	peer_rc_rx_ctl(pp->rc, p, type, pkt->data + PEER_HDR_LEN, now);
	if (peer_rc_outbox_len(pp->rc) && eventfd_write(pp->efd, 1))
		VLOG_WARN("%s: eventfd: %s", pp->name, strerror(errno));
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
	if (type >= PEER_TYPE_RC_REQ) {
		if (p && pp->rc)
			rx_rc_ctl(pp, p, pkt, type, now);
		return false;
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
	peer_rc_destroy(pp->rc);
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
	pp->rc = rc_wanted() ?
			 peer_rc_create(k->ipoib, pkey, p->name, pp->pfd) :
			 NULL;
	ret = port_link(k, pp);
	if (ret) {
		port_free(pp);
		return ret;
	}
	p->priv = pp;
	p->fd = pp->pfd;
	p->mode = pp->rc ? "peer-rc" : "peer-ud";
	/* super-frames from the big pool leave whole over RC */
	p->flags = PORT_F_TX_POOL_ONLY | PORT_F_TX_BIG;
	p->max_payload = (uint32_t)mtu - PEER_HDR_LEN - ETH_HLEN;
	/*
	 * What it takes whole over RC: peer_tx_offloads() says per frame;
	 * the engine cuts super-frames to max_payload for UD
	 */
	p->offloads = pp->rc ? RC_OFFLOADS : 0;
	VLOG_INFO("%s: peer links of partition 0x%04x, %d bytes per UD frame%s",
		  p->name, pkey, mtu - PEER_HDR_LEN,
		  pp->rc ? ", RC to each peer with super-frames whole" : "");
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
 * The connections' second: drop them all when the ipoib port was reopened
 * (made again on the new one), else retries and dead peers; locked.
 */
static void rc_tick(struct peer_port *pp, uint64_t now)
{
	if (pp->rc && peer_rc_stale(pp->rc)) {
		peer_rc_destroy(pp->rc);
		pp->rc = NULL;
	}
	if (!pp->rc && rc_wanted() &&
	    ipoib_proto_verbs_gen(pp->kind->ipoib, pp->pkey) >= 0)
		pp->rc = peer_rc_create(pp->kind->ipoib, pp->pkey, pp->name,
					pp->pfd);
	if (pp->rc)
		peer_rc_tick(pp->rc, pp->tab, now);
}

/* Connect requests and accepts waiting, over UD (out of the lock). */
static void send_rc_ctl(struct peer_port *pp)
{
	struct peer_rc_ctl m[16];
	unsigned int i, n;
	struct pkt *pkt;

	pthread_mutex_lock(&pp->lock);
	n = pp->rc ? peer_rc_outbox(pp->rc, m, ARRAY_SIZE(m)) : 0;
	pthread_mutex_unlock(&pp->lock);
	for (i = 0; i < n; i++) {
		pkt = pool_alloc(pp->pool);
		if (!pkt)
			return;
		peer_hdr_write(pkt->data, m[i].type);
		memcpy(pkt->data + PEER_HDR_LEN, m[i].body, PEER_RC_CTL_LEN);
		pkt->len = PEER_HDR_LEN + PEER_RC_CTL_LEN;
		if (ipoib_proto_send(pp->kind->ipoib, pp->pkey,
				     IPOIB_PROTO_PEER, &pkt, &m[i].dst, 1) != 1)
			pool_free(pkt);
	}
}

/*
 * Frames received over RC into @pkts (after the UD queue's), learned as
 * those are; locked. Returns how many; the port's fd stays readable when
 * more may wait.
 */
static unsigned int rx_rc(struct peer_port *pp, struct pkt **pkts,
			  unsigned int n)
{
	struct ipoib_hwaddr from[64];
	unsigned int i, k, m = 0;
	struct peer_info *p;
	uint16_t lid[64];

	n = MIN(n, ARRAY_SIZE(from));
	k = peer_rc_rx(pp->rc, pkts, from, lid, n);
	if (k == n && eventfd_write(pp->efd, 1))
		VLOG_WARN("%s: eventfd: %s", pp->name, strerror(errno));
	for (i = 0; i < k; i++) {
		struct pkt *pkt = pkts[i];

		p = peer_table_peer(pp->tab, &from[i], lid[i], true, pp->now);
		if (p && peer_table_learn(pp->tab, pkt->data + 6, p, pp->now) ==
				 PEER_DROP_BAD_SRC) {
			p->c.drops[PEER_DROP_BAD_SRC]++;
			pool_free(pkt);
			continue;
		}
		if (p) {
			p->c.rx_packets++;
			p->c.rx_bytes += pkt->len;
			p->c.rc_rx_packets++;
			p->c.rc_rx_bytes += pkt->len;
			p->c.rc_rx_whole += pkt->ol.gso_type != 0;
		}
		pkts[m++] = pkt;
	}
	return m;
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
	rc_tick(pp, now);
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
	pp->now = util_now_ms();
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
	if (pp->rc && k < n)
		k += rx_rc(pp, pkts + k, n - k);
	pthread_mutex_unlock(&pp->lock);
	exchange_macs(p, pp, rx_timer(pp, empty) != 0);
	send_rc_ctl(pp);
	return (int)k;
}

/*
 * Frame @pkt to its peer or to the group, header written: its destination
 * into @dst. False: dropped (freed).
 */
/*
 * A frame for UD in another pool than the engine's (the big pool: a tap's
 * frame, PORT_F_TX_BIG), copied into it: the ipoib port sends from there
 * only. Returns the frame to send, or NULL (dropped, counted, freed).
 */
static struct pkt *ud_buffer(struct peer_port *pp, struct pkt *pkt)
{
	struct pkt *c;

	if (pkt->pool == pp->pool)
		return pkt;
	c = pkt->len <= pool_buf_size(pp->pool) - pool_headroom(pp->pool) ?
		    pool_alloc(pp->pool) :
		    NULL;
	if (c) {
		memcpy(c->data, pkt->data, pkt->len);
		c->len = pkt->len;
	} else {
		pp->part.drops[PEER_DROP_NO_ROOM]++;
	}
	pool_free(pkt);
	return c;
}

static bool tx_prepare(struct peer_port *pp, struct pkt **pktp,
		       struct ipoib_hwaddr *dst, struct peer_info **rc)
{
	struct pkt *pkt = *pktp;
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
	*rc = NULL;
	if (p) {
		*dst = p->addr;
		p->c.tx_packets++;
		p->c.tx_bytes += pkt->len;
		pp->tx_unicast++;
		if (pp->rc &&
		    peer_rc_want(pp->rc, p, pp->now) == PEER_TRANSPORT_RC) {
			*rc = p; /* peer_rc_send() writes its header */
			return true;
		}
	} else {
		ipoib_proto_group(dst);
		pp->tx_flood++;
	}
	pkt = *pktp = ud_buffer(pp, pkt);
	if (!pkt)
		return false;
	pkt->data -= PEER_HDR_LEN;
	pkt->len += PEER_HDR_LEN;
	peer_hdr_write(pkt->data, PEER_TYPE_FRAME);
	return true;
drop:
	pool_free(pkt);
	return false;
}

/* Frames @pkts[0..@n) over RC to peers @to[i], by runs of one peer. */
static void send_rc(struct peer_port *pp, struct pkt **pkts,
		    struct peer_info **to, unsigned int n)
{
	unsigned int i = 0, j;

	while (i < n) {
		for (j = i + 1; j < n && to[j] == to[i]; j++)
			;
		peer_rc_send(pp->rc, to[i], pkts + i, j - i);
		i = j;
	}
}

/*
 * The offloads the port takes whole for @pkt: RC_OFFLOADS when it goes to
 * a peer whose connection is up, none otherwise (UD: the engine cuts).
 */
static uint32_t peer_tx_offloads(struct port *p, const struct pkt *pkt)
{
	struct peer_port *pp = p->priv;
	struct peer_info *peer;
	uint32_t ol = 0;

	if (!pp || !pp->rc || pkt->len < ETH_HLEN || (pkt->data[0] & 1) ||
	    pkt->len > PEER_RC_MAX_FRAME)
		return 0;
	pthread_mutex_lock(&pp->lock);
	peer = pp->rc ? peer_table_lookup(pp->tab, pkt->data) : NULL;
	if (peer && peer_rc_want(pp->rc, peer, pp->now) == PEER_TRANSPORT_RC)
		ol = RC_OFFLOADS;
	pthread_mutex_unlock(&pp->lock);
	return ol;
}

/*
 * Every frame is taken: sent, or dropped and counted (the ipoib port's
 * queue full, or no ipoib port: tx_no_port).
 */
static int peer_tx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct peer_port *pp = p->priv;
	struct peer_info *to[64], *rc;
	struct ipoib_hwaddr dst[64];
	struct pkt *out[64], *rco[64];
	unsigned int i, m = 0, r = 0;
	bool ctl;
	int sent;

	n = MIN(n, ARRAY_SIZE(out));
	pthread_mutex_lock(&pp->lock);
	for (i = 0; i < n; i++) {
		if (!tx_prepare(pp, &pkts[i], &dst[m], &rc))
			continue;
		if (rc) {
			to[r] = rc;
			rco[r++] = pkts[i];
		} else {
			out[m++] = pkts[i];
		}
	}
	if (r)
		send_rc(pp, rco, to, r);
	ctl = pp->rc && peer_rc_outbox_len(pp->rc);
	pthread_mutex_unlock(&pp->lock);
	if (ctl)
		send_rc_ctl(pp);
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
		v.rc = pp->rc;
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
	.tx_offloads = peer_tx_offloads,
};
