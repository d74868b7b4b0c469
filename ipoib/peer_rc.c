// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ipoib/peer_rc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "ipoib/port_peer.h"
#include "ipoib/proto.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(peer_rc);

#define ETH_HLEN 14
#define MAX_WC 64
#define GSO_NONE 0

enum conn_state { C_FREE, C_CONNECTING, C_UP, C_DRAINING };

/* One peer's connection. */
struct rc_conn {
	enum conn_state state;
	struct ipoib_hwaddr peer; /* its UD address: who it is */
	uint16_t lid;
	struct ibv_qp *qp;
	uint32_t psn; /* our first */
	uint32_t rqpn; /* its QP, once known */
	unsigned int tries;
	uint64_t next_try;
	unsigned int tx_out; /* sends not completed yet */
};

/* A peer we gave up on: UD until @until. */
struct rc_backoff {
	struct ipoib_hwaddr peer;
	uint64_t until;
};

struct peer_rc {
	char name[IF_NAMESIZE];
	struct ipoib_kind *kind;
	uint16_t pkey;
	int epfd;
	struct ipoib_proto_verbs v;
	struct pool *pool; /* receive buffers */
	struct ibv_mr *mr;
	struct ibv_comp_channel *ch;
	struct ibv_cq *rcq, *scq;
	struct ibv_srq *srq;
	unsigned int posted, unacked, tx_out;
	struct rc_conn conns[PEER_MAX_PEERS];
	struct rc_backoff backoff[PEER_MAX_PEERS];
	struct peer_rc_ctl outbox[PEER_RC_OUTBOX];
	unsigned int n_out;
	struct peer_rc_stats st;
};

/* ---- set up and tear down ---- */

static void conn_free(struct peer_rc *rc, struct rc_conn *c)
{
	if (c->qp && ibv_destroy_qp(c->qp))
		VLOG_WARN("%s: destroying RC QP: %s", rc->name,
			  strerror(errno));
	memset(c, 0, sizeof(*c));
}

/* @c to error: its sends complete (flushed), then it is freed. */
static void conn_down(struct peer_rc *rc, struct rc_conn *c, const char *why)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_ERR };

	if (c->state == C_UP)
		rc->st.downs++;
	VLOG_INFO("%s: RC to QPN 0x%06x down (%s)", rc->name,
		  ipoib_hwaddr_qpn(&c->peer), why);
	if (!c->qp || !c->tx_out) {
		conn_free(rc, c);
		return;
	}
	if (ibv_modify_qp(c->qp, &a, IBV_QP_STATE))
		VLOG_WARN("%s: RC QP to error: %s", rc->name, strerror(errno));
	c->state = C_DRAINING;
}

static void drain_sends(struct peer_rc *rc);

void peer_rc_destroy(struct peer_rc *rc)
{
	unsigned int i, tries;

	if (!rc)
		return;
	for (i = 0; i < PEER_MAX_PEERS; i++)
		if (rc->conns[i].state != C_FREE)
			conn_down(rc, &rc->conns[i], "closing");
	for (tries = 0; rc->tx_out && tries < 100; tries++) {
		drain_sends(rc);
		if (rc->tx_out)
			usleep(2000);
	}
	for (i = 0; i < PEER_MAX_PEERS; i++)
		if (rc->conns[i].state != C_FREE)
			conn_free(rc, &rc->conns[i]);
	if (rc->tx_out)
		VLOG_WARN("%s: %u RC sends never completed", rc->name,
			  rc->tx_out);
	if (rc->srq)
		ibv_destroy_srq(rc->srq);
	if (rc->scq)
		ibv_destroy_cq(rc->scq);
	if (rc->rcq) {
		ibv_ack_cq_events(rc->rcq, rc->unacked);
		ibv_destroy_cq(rc->rcq);
	}
	if (rc->ch) {
		epoll_ctl(rc->epfd, EPOLL_CTL_DEL, rc->ch->fd, NULL);
		ibv_destroy_comp_channel(rc->ch);
	}
	if (rc->mr)
		ibv_dereg_mr(rc->mr);
	pool_destroy(rc->pool); /* the buffers posted on the SRQ come back */
	ipoib_proto_verbs_put(rc->kind, &rc->v);
	free(rc);
}

/* Post free buffers of the pool on the SRQ, a chain at a time. */
static void srq_refill(struct peer_rc *rc)
{
	struct ibv_recv_wr wr[MAX_WC], *bad;
	struct ibv_sge sge[MAX_WC];
	unsigned int n = 0;
	struct pkt *pkt;

	while (rc->posted + n < PEER_RC_BUFS && n < MAX_WC &&
	       (pkt = pool_alloc(rc->pool))) {
		sge[n] = (struct ibv_sge){
			.addr = (uintptr_t)pkt->data,
			.length = PEER_RC_BUF_SIZE - pkt_headroom(pkt),
			.lkey = rc->mr->lkey,
		};
		wr[n] = (struct ibv_recv_wr){ .wr_id = (uintptr_t)pkt,
					      .sg_list = &sge[n],
					      .num_sge = 1,
					      .next = &wr[n + 1] };
		n++;
	}
	if (!n)
		return;
	wr[n - 1].next = NULL;
	if (ibv_post_srq_recv(rc->srq, wr, &bad)) {
		VLOG_WARN("%s: posting receives: %s", rc->name,
			  strerror(errno));
		for (; bad; bad = bad->next, n--)
			pool_free((struct pkt *)(uintptr_t)bad->wr_id);
	}
	rc->posted += n;
}

/* The verbs objects every connection shares. 0 or a negative errno. */
static int rc_setup(struct peer_rc *rc)
{
	struct ibv_srq_init_attr sa = { .attr = { .max_wr = PEER_RC_BUFS,
						  .max_sge = 1 } };
	struct epoll_event ev = { .events = EPOLLIN };
	size_t len;
	void *base;

	rc->pool = pool_create(PEER_RC_BUFS, PEER_RC_BUF_SIZE,
			       POOL_HEADROOM_DEFAULT);
	if (!rc->pool)
		return -errno;
	pool_set_shared(rc->pool); /* the engine frees from its threads */
	base = pool_region(rc->pool, &len);
	rc->mr = ibv_reg_mr(rc->v.pd, base, len, IBV_ACCESS_LOCAL_WRITE);
	rc->ch = ibv_create_comp_channel(rc->v.ctx);
	if (!rc->mr || !rc->ch)
		return errno ? -errno : -ENOMEM;
	if (fcntl(rc->ch->fd, F_SETFL,
		  fcntl(rc->ch->fd, F_GETFL) | O_NONBLOCK) < 0)
		return -errno;
	rc->rcq = ibv_create_cq(rc->v.ctx, PEER_RC_BUFS, NULL, rc->ch, 0);
	rc->scq = ibv_create_cq(rc->v.ctx, PEER_RC_CQ_DEPTH, NULL, NULL, 0);
	if (!rc->rcq || !rc->scq)
		return errno ? -errno : -ENOMEM;
	rc->srq = ibv_create_srq(rc->v.pd, &sa);
	if (!rc->srq)
		return errno ? -errno : -ENOMEM;
	srq_refill(rc);
	if (!rc->posted || ibv_req_notify_cq(rc->rcq, 0))
		return -ENOBUFS;
	if (epoll_ctl(rc->epfd, EPOLL_CTL_ADD, rc->ch->fd, &ev))
		return -errno;
	return 0;
}

struct peer_rc *peer_rc_create(struct ipoib_kind *k, uint16_t pkey,
			       const char *name, int epfd)
{
	struct peer_rc *rc = calloc(1, sizeof(*rc));
	int ret;

	if (!rc)
		return NULL;
	util_strlcpy(rc->name, name, sizeof(rc->name));
	rc->kind = k;
	rc->pkey = pkey;
	rc->epfd = epfd;
	ret = ipoib_proto_verbs_get(k, pkey, &rc->v);
	if (!ret)
		ret = rc_setup(rc);
	if (ret) {
		VLOG_WARN("%s: no RC connections: %s", name, strerror(-ret));
		peer_rc_destroy(rc);
		errno = -ret;
		return NULL;
	}
	return rc;
}

/* ---- connections ---- */

static struct rc_conn *conn_find(struct peer_rc *rc,
				 const struct ipoib_hwaddr *peer)
{
	unsigned int i;

	for (i = 0; i < PEER_MAX_PEERS; i++)
		if (rc->conns[i].state != C_FREE &&
		    rc->conns[i].state != C_DRAINING &&
		    !memcmp(&rc->conns[i].peer, peer, sizeof(*peer)))
			return &rc->conns[i];
	return NULL;
}

static struct rc_conn *conn_by_qpn(struct peer_rc *rc, uint32_t qpn)
{
	unsigned int i;

	for (i = 0; i < PEER_MAX_PEERS; i++)
		if (rc->conns[i].qp && rc->conns[i].qp->qp_num == qpn)
			return &rc->conns[i];
	return NULL;
}

static struct rc_backoff *
backoff_find(struct peer_rc *rc, const struct ipoib_hwaddr *peer, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < PEER_MAX_PEERS; i++)
		if (rc->backoff[i].until > now &&
		    !memcmp(&rc->backoff[i].peer, peer, sizeof(*peer)))
			return &rc->backoff[i];
	return NULL;
}

/* Peer @peer stays on UD until @now + PEER_RC_BACKOFF_MS. */
static void backoff_add(struct peer_rc *rc, const struct ipoib_hwaddr *peer,
			uint64_t now)
{
	unsigned int i;

	for (i = 0; i < PEER_MAX_PEERS; i++)
		if (rc->backoff[i].until <= now)
			break;
	if (i == PEER_MAX_PEERS)
		return;
	rc->backoff[i].peer = *peer;
	rc->backoff[i].until = now + PEER_RC_BACKOFF_MS;
}

/* A new QP in INIT for peer @peer in a free slot, or NULL. */
static struct rc_conn *conn_new(struct peer_rc *rc,
				const struct ipoib_hwaddr *peer, uint16_t lid)
{
	struct ibv_qp_init_attr ia = {
		.send_cq = rc->scq,
		.recv_cq = rc->rcq,
		.srq = rc->srq,
		.cap = { .max_send_wr = PEER_RC_SQ_DEPTH, .max_send_sge = 1 },
		.qp_type = IBV_QPT_RC,
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT,
				 .pkey_index = rc->v.pkey_index,
				 .port_num = rc->v.port_num };
	struct rc_conn *c = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < PEER_MAX_PEERS && !c; i++)
		if (rc->conns[i].state == C_FREE)
			c = &rc->conns[i];
	if (!c)
		return NULL;
	c->qp = ibv_create_qp(rc->v.pd, &ia);
	if (!c->qp) {
		VLOG_WARN("%s: RC QP: %s", rc->name, strerror(errno));
		return NULL;
	}
	ret = ibv_modify_qp(c->qp, &a,
			    IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
				    IBV_QP_ACCESS_FLAGS);
	if (ret) {
		VLOG_WARN("%s: RC QP to INIT: %s", rc->name, strerror(ret));
		conn_free(rc, c);
		return NULL;
	}
	if (getrandom(&c->psn, sizeof(c->psn), GRND_NONBLOCK) < 0)
		c->psn = (uint32_t)util_now_ms();
	c->psn &= 0xffffff;
	c->peer = *peer;
	c->lid = lid;
	c->state = C_CONNECTING;
	return c;
}

/* INIT -> RTR -> RTS towards the peer's QP @rqpn starting at @rpsn. */
static int conn_connect(struct peer_rc *rc, struct rc_conn *c, uint32_t rqpn,
			uint32_t rpsn)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_RTR,
		.path_mtu = rc->v.path_mtu,
		.dest_qp_num = rqpn,
		.rq_psn = rpsn,
		.max_dest_rd_atomic = 1,
		.min_rnr_timer = 1, /* 0.01 ms: buffers come back soon */
		.ah_attr = { .dlid = c->lid,
			     .port_num = rc->v.port_num,
			     .is_global = rc->v.roce },
	};
	int ret;

	if (rc->v.roce) {
		memcpy(a.ah_attr.grh.dgid.raw, c->peer.raw + 4, 16);
		a.ah_attr.grh.sgid_index = rc->v.sgid_index;
		a.ah_attr.grh.hop_limit = 1;
	}
	ret = ibv_modify_qp(c->qp, &a,
			    IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
				    IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
				    IBV_QP_MAX_DEST_RD_ATOMIC |
				    IBV_QP_MIN_RNR_TIMER);
	if (ret)
		return -ret;
	a.qp_state = IBV_QPS_RTS;
	/*
	 * 67 ms, 6 retries: a dead peer's QP errs in ~0.5 s (with 7, rxe
	 * gave no error in the 100 s after the peer was killed)
	 */
	a.timeout = 14;
	a.retry_cnt = 6;
	a.rnr_retry = 7;
	a.sq_psn = c->psn;
	a.max_rd_atomic = 1;
	ret = ibv_modify_qp(c->qp, &a,
			    IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
				    IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
				    IBV_QP_MAX_QP_RD_ATOMIC);
	if (ret)
		return -ret;
	c->rqpn = rqpn;
	c->state = C_UP;
	rc->st.ups++;
	VLOG_INFO("%s: RC up to QPN 0x%06x (RC QP 0x%06x -> 0x%06x)", rc->name,
		  ipoib_hwaddr_qpn(&c->peer), c->qp->qp_num, rqpn);
	return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Queue a request or accept of @c for the UD path. */
static void ctl_queue(struct peer_rc *rc, const struct rc_conn *c, uint8_t type)
{
	struct peer_rc_ctl *m;

	if (rc->n_out == PEER_RC_OUTBOX)
		return; /* a request goes again at the next tick */
	m = &rc->outbox[rc->n_out++];
	m->dst = c->peer;
	m->type = type;
	put_be32(m->body, c->qp->qp_num);
	put_be32(m->body + 4, c->psn);
	put_be32(m->body + 8, type == PEER_TYPE_RC_ACCEPT ? c->rqpn : 0);
	if (type == PEER_TYPE_RC_REQ)
		rc->st.connects++;
	else
		rc->st.accepts++;
}

unsigned int peer_rc_outbox(struct peer_rc *rc, struct peer_rc_ctl *out,
			    unsigned int max)
{
	unsigned int n = MIN(max, rc->n_out);

	memcpy(out, rc->outbox, n * sizeof(*out));
	memmove(rc->outbox, rc->outbox + n, (rc->n_out - n) * sizeof(*out));
	rc->n_out -= n;
	return n;
}

enum peer_transport peer_rc_transport(const struct peer_rc *rc,
				      const struct peer_info *p)
{
	struct rc_conn *c = rc ? conn_find((struct peer_rc *)rc, &p->addr) :
				 NULL;

	if (!c)
		return PEER_TRANSPORT_UD;
	return c->state == C_UP ? PEER_TRANSPORT_RC : PEER_TRANSPORT_CONNECTING;
}

enum peer_transport peer_rc_want(struct peer_rc *rc, struct peer_info *p,
				 uint64_t now)
{
	struct rc_conn *c = conn_find(rc, &p->addr);

	if (c)
		return c->state == C_UP ? PEER_TRANSPORT_RC :
					  PEER_TRANSPORT_CONNECTING;
	if (backoff_find(rc, &p->addr, now))
		return PEER_TRANSPORT_UD;
	c = conn_new(rc, &p->addr, p->lid);
	if (!c)
		return PEER_TRANSPORT_UD;
	c->tries = 1;
	c->next_try = now + PEER_HELLO_MS;
	ctl_queue(rc, c, PEER_TYPE_RC_REQ);
	return PEER_TRANSPORT_CONNECTING;
}

/* Whether our UD address is below @peer's: our request wins. */
static bool we_lead(const struct peer_rc *rc, const struct ipoib_hwaddr *peer)
{
	return memcmp(&rc->v.local, peer, sizeof(*peer)) < 0;
}

/* A connect request of @p for its QP @rqpn from @rpsn. */
static void rx_req(struct peer_rc *rc, struct peer_info *p, uint32_t rqpn,
		   uint32_t rpsn)
{
	struct rc_conn *c = conn_find(rc, &p->addr);

	if (c && c->state == C_UP && c->rqpn == rqpn) {
		ctl_queue(rc, c, PEER_TYPE_RC_ACCEPT); /* ours was lost */
		return;
	}
	if (c && c->state == C_CONNECTING && we_lead(rc, &p->addr))
		return; /* it accepts ours */
	if (c && c->state == C_UP)
		conn_down(rc, c, "peer reconnects");
	if (!c || c->state != C_CONNECTING)
		c = conn_new(rc, &p->addr, p->lid);
	if (!c)
		return;
	if (conn_connect(rc, c, rqpn, rpsn)) {
		rc->st.failures++;
		conn_down(rc, c, "connect failed");
		return;
	}
	ctl_queue(rc, c, PEER_TYPE_RC_ACCEPT);
}

void peer_rc_rx_ctl(struct peer_rc *rc, struct peer_info *p, uint8_t type,
		    const uint8_t *body, uint64_t now)
{
	uint32_t qpn = get_be32(body) & 0xffffff;
	uint32_t psn = get_be32(body + 4) & 0xffffff;
	struct rc_conn *c;

	(void)now;
	if (type == PEER_TYPE_RC_REQ) {
		rx_req(rc, p, qpn, psn);
		return;
	}
	c = conn_find(rc, &p->addr);
	if (!c || c->state != C_CONNECTING ||
	    (get_be32(body + 8) & 0xffffff) != c->qp->qp_num)
		return; /* stale */
	if (conn_connect(rc, c, qpn, psn)) {
		rc->st.failures++;
		conn_down(rc, c, "connect failed");
	}
}

bool peer_rc_stale(const struct peer_rc *rc)
{
	return ipoib_proto_verbs_gen(rc->kind, rc->pkey) != (int64_t)rc->v.gen;
}

unsigned int peer_rc_outbox_len(const struct peer_rc *rc)
{
	return rc->n_out;
}

void peer_rc_tick(struct peer_rc *rc, struct peer_table *tab, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < PEER_MAX_PEERS; i++) {
		struct rc_conn *c = &rc->conns[i];

		if (c->state == C_FREE || c->state == C_DRAINING)
			continue;
		if (!peer_table_find(tab, &c->peer)) {
			conn_down(rc, c, "peer gone");
		} else if (c->state == C_CONNECTING && now >= c->next_try) {
			if (c->tries++ >= PEER_RC_TRIES) {
				rc->st.failures++;
				backoff_add(rc, &c->peer, now);
				conn_down(rc, c, "no answer");
				continue;
			}
			c->next_try = now + PEER_HELLO_MS;
			ctl_queue(rc, c, PEER_TYPE_RC_REQ);
		}
	}
}

/* ---- datapath ---- */

static uint32_t lkey_of(const struct peer_rc *rc, const struct pkt *pkt)
{
	if (pkt->pool == rc->v.pool)
		return rc->v.lkey;
	if (rc->v.big && pkt->pool == rc->v.big)
		return rc->v.big_lkey;
	if (pkt->pool == rc->pool)
		return rc->mr->lkey;
	return 0;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8, p[1] = v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The RC header of @pkt in front of it. */
static void hdr_push(struct pkt *pkt)
{
	uint8_t *h;

	pkt->data -= PEER_RC_HDR_LEN;
	pkt->len += PEER_RC_HDR_LEN;
	h = pkt->data;
	h[0] = PEER_VERSION;
	h[1] = PEER_TYPE_RC_FRAME;
	h[2] = h[3] = 0;
	h[4] = pkt->ol.flags;
	h[5] = pkt->ol.gso_type;
	put_be16(h + 6, pkt->ol.hdr_len);
	put_be16(h + 8, pkt->ol.gso_size);
	put_be16(h + 10, pkt->ol.csum_start);
	put_be16(h + 12, pkt->ol.csum_offset);
	h[14] = h[15] = 0;
}

/* @pkt into @wr/@sge, or false (dropped, counted, freed). */
static bool tx_wr(struct peer_rc *rc, struct pkt *pkt, struct ibv_send_wr *wr,
		  struct ibv_sge *sge)
{
	uint32_t lkey = lkey_of(rc, pkt);

	if (!lkey || pkt_headroom(pkt) < PEER_RC_HDR_LEN) {
		rc->st.drops_pool++;
		pool_free(pkt);
		return false;
	}
	if (pkt->len > PEER_RC_MAX_FRAME) { /* the peer could not take it */
		rc->st.drops_big++;
		pool_free(pkt);
		return false;
	}
	hdr_push(pkt);
	*sge = (struct ibv_sge){ .addr = (uintptr_t)pkt->data,
				 .length = pkt->len,
				 .lkey = lkey };
	*wr = (struct ibv_send_wr){ .wr_id = (uintptr_t)pkt,
				    .sg_list = sge,
				    .num_sge = 1,
				    .opcode = IBV_WR_SEND,
				    .send_flags = IBV_SEND_SIGNALED };
	return true;
}

static void count_tx(struct peer_rc *rc, struct peer_info *p,
		     const struct pkt *pkt)
{
	uint32_t len = pkt->len - PEER_RC_HDR_LEN;
	bool whole = pkt->ol.gso_type != GSO_NONE;

	rc->st.tx_packets++;
	rc->st.tx_bytes += len;
	rc->st.tx_whole += whole;
	p->c.rc_tx_packets++;
	p->c.rc_tx_bytes += len;
	p->c.rc_tx_whole += whole;
}

unsigned int peer_rc_send(struct peer_rc *rc, struct peer_info *p,
			  struct pkt **pkts, unsigned int n)
{
	struct ibv_send_wr wr[MAX_WC], *bad = NULL;
	struct ibv_sge sge[MAX_WC];
	struct rc_conn *c = conn_find(rc, &p->addr);
	unsigned int i, m = 0;

	n = MIN(n, MAX_WC);
	drain_sends(rc); /* polling a CQ costs no system call */
	for (i = 0; i < n; i++) {
		if (!c || c->state != C_UP) {
			rc->st.drops_down++;
			pool_free(pkts[i]);
		} else if (c->tx_out + m >= PEER_RC_SQ_DEPTH ||
			   rc->tx_out + m >= PEER_RC_CQ_DEPTH) {
			rc->st.drops_full++;
			pool_free(pkts[i]);
		} else if (tx_wr(rc, pkts[i], &wr[m], &sge[m])) {
			if (m)
				wr[m - 1].next = &wr[m];
			m++;
		}
	}
	if (!m)
		return 0;
	if (ibv_post_send(c->qp, wr, &bad)) {
		VLOG_WARN("%s: RC send: %s", rc->name, strerror(errno));
		for (; bad; bad = bad->next, m--) {
			rc->st.errors++;
			pool_free((struct pkt *)(uintptr_t)bad->wr_id);
		}
	}
	for (i = 0; i < m; i++)
		count_tx(rc, p, (struct pkt *)(uintptr_t)wr[i].wr_id);
	c->tx_out += m;
	rc->tx_out += m;
	return m;
}

/* One send completion: free its frame; an error takes the QP down. */
static void tx_done(struct peer_rc *rc, const struct ibv_wc *wc)
{
	struct rc_conn *c = conn_by_qpn(rc, wc->qp_num);

	pool_free((struct pkt *)(uintptr_t)wc->wr_id);
	rc->tx_out--;
	if (!c)
		return;
	c->tx_out--;
	if (wc->status != IBV_WC_SUCCESS && c->state == C_UP) {
		VLOG_WARN("%s: RC send to QPN 0x%06x: %s: back to UD", rc->name,
			  ipoib_hwaddr_qpn(&c->peer),
			  ibv_wc_status_str(wc->status));
		rc->st.errors++;
		backoff_add(rc, &c->peer, util_now_ms());
		conn_down(rc, c, "send failed");
	}
	if (c->state == C_DRAINING && !c->tx_out)
		conn_free(rc, c);
}

static void drain_sends(struct peer_rc *rc)
{
	struct ibv_wc wc[MAX_WC];
	int i, n;

	while (rc->tx_out && (n = ibv_poll_cq(rc->scq, MAX_WC, wc)) > 0)
		for (i = 0; i < n; i++)
			tx_done(rc, &wc[i]);
}

/* The RC header of a received message: offload state into @pkt. */
static bool hdr_pull(struct pkt *pkt)
{
	const uint8_t *h = pkt->data;

	if (pkt->len < PEER_RC_HDR_LEN + ETH_HLEN || h[0] != PEER_VERSION ||
	    h[1] != PEER_TYPE_RC_FRAME)
		return false;
	pkt->ol.flags = h[4];
	pkt->ol.gso_type = h[5];
	pkt->ol.hdr_len = get_be16(h + 6);
	pkt->ol.gso_size = get_be16(h + 8);
	pkt->ol.csum_start = get_be16(h + 10);
	pkt->ol.csum_offset = get_be16(h + 12);
	pkt->data += PEER_RC_HDR_LEN;
	pkt->len -= PEER_RC_HDR_LEN;
	return true;
}

/* One receive completion into @pkts[*k]; false: dropped. */
static bool rx_one(struct peer_rc *rc, const struct ibv_wc *wc, struct pkt *pkt,
		   struct ipoib_hwaddr *from, uint16_t *lid)
{
	struct rc_conn *c = conn_by_qpn(rc, wc->qp_num);

	rc->posted--;
	if (wc->status != IBV_WC_SUCCESS || !c) {
		pool_free(pkt);
		return false;
	}
	pkt->len = wc->byte_len;
	if (!hdr_pull(pkt)) {
		rc->st.drops_bad++;
		pool_free(pkt);
		return false;
	}
	*from = c->peer;
	*lid = c->lid;
	rc->st.rx_packets++;
	rc->st.rx_bytes += pkt->len;
	rc->st.rx_whole += pkt->ol.gso_type != GSO_NONE;
	return true;
}

/* Take the channel's event and arm the CQ again. */
static void rx_arm(struct peer_rc *rc)
{
	struct ibv_cq *cq;
	void *cq_ctx;

	if (ibv_get_cq_event(rc->ch, &cq, &cq_ctx))
		return; /* nothing new: EAGAIN */
	if (++rc->unacked >= MAX_WC) {
		ibv_ack_cq_events(rc->rcq, rc->unacked);
		rc->unacked = 0;
	}
	if (ibv_req_notify_cq(rc->rcq, 0))
		VLOG_WARN("%s: arming the RC CQ failed", rc->name);
}

unsigned int peer_rc_rx(struct peer_rc *rc, struct pkt **pkts,
			struct ipoib_hwaddr *from, uint16_t *lid,
			unsigned int n)
{
	struct ibv_wc wc[MAX_WC];
	unsigned int k = 0;
	int i, got;

	drain_sends(rc);
	rx_arm(rc);
	got = ibv_poll_cq(rc->rcq, (int)MIN(n, MAX_WC), wc);
	for (i = 0; i < got; i++) {
		struct pkt *pkt = (struct pkt *)(uintptr_t)wc[i].wr_id;

		if (rx_one(rc, &wc[i], pkt, &from[k], &lid[k]))
			pkts[k++] = pkt;
	}
	srq_refill(rc);
	return k;
}

void peer_rc_stats(const struct peer_rc *rc, struct peer_rc_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (!rc)
		return;
	*st = rc->st;
	for (i = 0; i < PEER_MAX_PEERS; i++) {
		st->conns += rc->conns[i].state != C_FREE;
		st->up += rc->conns[i].state == C_UP;
	}
}
