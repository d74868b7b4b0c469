// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Mirror sessions (see span.h). The datapath side builds each copy as up
 * to three parts (an iovec) so that nothing is copied twice: a trunk's
 * frame received untagged by classification gets its tag back between the
 * MAC addresses and the rest; an ipoib port's frame becomes a GRH and an
 * IPoIB header (the port's wire_header op fills in the GIDs) followed by
 * the Ethernet payload, as the UD buffer holds it.
 */
#include "fabricd/engine/span.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eth/frame.h"
#include "fabricd/engine/engine_core.h"
#include "ipoib/wire.h" /* constants only: no link to the ipoib layer */
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(span);

static int span_fail(char **error, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int span_fail(char **error, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(error, fmt, ap) < 0)
		*error = NULL;
	va_end(ap);
	return ret;
}

const char *span_dir_name(unsigned int dir)
{
	return dir == SPAN_DIR_RX ? "rx" : dir == SPAN_DIR_TX ? "tx" : "both";
}

int span_find(const struct engine_core *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < SPAN_MAX_SESSIONS; i++)
		if (c->span.s[i].used && !strcmp(c->span.s[i].name, name))
			return (int)i;
	return -ENOENT;
}

/* Recompute what the datapath tests: source bitmaps, partitions, count. */
static void span_rebuild(struct span *sp)
{
	unsigned int i;

	sp->rx_ports = sp->tx_ports = 0;
	sp->parts = false;
	sp->n = 0;
	for (i = 0; i < SPAN_MAX_SESSIONS; i++) {
		const struct span_session *s = &sp->s[i];

		if (!s->used)
			continue;
		sp->n++;
		if (s->src_port < 0)
			sp->parts = true;
		else if (s->dir & SPAN_DIR_RX)
			sp->rx_ports |= 1ull << s->src_port;
		if (s->src_port >= 0 && (s->dir & SPAN_DIR_TX))
			sp->tx_ports |= 1ull << s->src_port;
	}
}

static bool valid_name(const char *name)
{
	size_t i, n = strlen(name);

	if (!n || n >= SPAN_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!(name[i] >= 'a' && name[i] <= 'z') &&
		    !(name[i] >= 'A' && name[i] <= 'Z') &&
		    !(name[i] >= '0' && name[i] <= '9') &&
		    !strchr("-_.", name[i]))
			return false;
	return true;
}

/* The source of @cfg into @s. */
static int set_source(const struct engine_core *c, const struct span_cfg *cfg,
		      struct span_session *s, char **error)
{
	int idx;

	if (cfg->src_part) {
		idx = ecore_part_find(c, cfg->src_part);
		if (idx < 0)
			return span_fail(error, -ENOENT, "no partition '%s'",
					 cfg->src_part);
		if (cfg->dir && cfg->dir != SPAN_DIR_RX)
			return span_fail(
				error, -EINVAL, "%s",
				"a partition mirror copies each frame once, as "
				"it enters the partition: rx|tx|both are for "
				"ports");
		s->src_part = (uint16_t)idx;
		s->dir = SPAN_DIR_RX;
		return 0;
	}
	idx = ecore_port_find(c, cfg->src_port);
	if (idx < 0)
		return span_fail(error, -ENOENT, "no port %s", cfg->src_port);
	if (c->ports[idx].role == ECORE_MIRROR)
		return span_fail(error, -EINVAL,
				 "port %s is a mirror port: it carries no "
				 "traffic of its own to mirror",
				 cfg->src_port);
	s->src_port = idx;
	s->dir = cfg->dir ? cfg->dir : SPAN_DIR_BOTH;
	s->ipoib = !strcmp(c->ports[idx].kind, "ipoib");
	return 0;
}

/* A destination port must be a dedicated mirror port: tenants stay apart. */
static int set_dest_port(const struct engine_core *c,
			 const struct span_cfg *cfg, struct span_session *s,
			 char **error)
{
	int idx = ecore_port_find(c, cfg->dst_port);
	const struct ecore_port *ep;

	if (idx < 0)
		return span_fail(error, -ENOENT,
				 "no port %s; add it first with: fabricctl "
				 "port add %s mirror",
				 cfg->dst_port, cfg->dst_port);
	ep = &c->ports[idx];
	if (ep->role != ECORE_MIRROR)
		return span_fail(
			error, -EPERM,
			"port %s is %s%s: a mirror would carry one tenant's "
			"frames to another tenant's port. A destination "
			"must be a dedicated mirror port in no partition: "
			"fabricctl port add IFNAME mirror",
			cfg->dst_port,
			ep->role == ECORE_TRUNK ? "a trunk" :
						  "a port of partition ",
			ep->role == ECORE_TRUNK ? "" : c->parts[ep->part].name);
	s->dst_port = idx;
	s->ipoib = false; /* a mirror port sends Ethernet frames */
	return 0;
}

static int set_dest_pcap(const struct span_cfg *cfg, struct span_session *s,
			 char **error)
{
	uint32_t want = s->ipoib ? PCAPW_LINKTYPE_IPOIB :
				   PCAPW_LINKTYPE_ETHERNET;

	if (!cfg->pcap_w || cfg->pcap_linktype != want)
		return span_fail(error, -EAGAIN,
				 "port %s changed while %s was opened; "
				 "try again",
				 cfg->src_port, cfg->pcap);
	s->pcap = cfg->pcap_w;
	util_strlcpy(s->path, cfg->pcap, sizeof(s->path));
	return 0;
}

static int check_cfg(const struct engine_core *c, const struct span_cfg *cfg,
		     char **error)
{
	if (!valid_name(cfg->name))
		return span_fail(
			error, -EINVAL,
			"mirror name '%s': 1 to %d of A-Z a-z 0-9 - _ .",
			cfg->name, SPAN_NAME_MAX - 1);
	if (span_find(c, cfg->name) >= 0)
		return span_fail(error, -EEXIST,
				 "mirror %s exists; delete it first",
				 cfg->name);
	if (c->span.n >= SPAN_MAX_SESSIONS)
		return span_fail(error, -ENOSPC,
				 "%d mirror sessions at most (fabricctl "
				 "mirror del NAME)",
				 SPAN_MAX_SESSIONS);
	if (!cfg->src_port == !cfg->src_part || !cfg->dst_port == !cfg->pcap)
		return span_fail(error, -EINVAL, "%s",
				 "want one source and one destination");
	if (cfg->snaplen > PCAPW_SNAPLEN_MAX || cfg->rate > SPAN_RATE_MAX)
		return span_fail(error, -EINVAL,
				 "snaplen is 1..%u, rate 1..%u frames/s",
				 PCAPW_SNAPLEN_MAX, SPAN_RATE_MAX);
	if (cfg->pcap &&
	    (cfg->pcap[0] != '/' || strlen(cfg->pcap) >= SPAN_PATH_MAX))
		return span_fail(error, -EINVAL,
				 "pcap file '%s': want an absolute path "
				 "(shorter than %d)",
				 cfg->pcap, SPAN_PATH_MAX);
	return 0;
}

static unsigned int free_slot(const struct engine_core *c)
{
	unsigned int i;

	for (i = 0; i < SPAN_MAX_SESSIONS && c->span.s[i].used; i++)
		;
	return i;
}

/* A session for @cfg in @s, all but its pcap file. */
static int session_new(const struct engine_core *c, const struct span_cfg *cfg,
		       struct span_session *s, char **error)
{
	int ret = check_cfg(c, cfg, error);

	if (ret)
		return ret;
	*s = (struct span_session){ .src_port = -1,
				    .src_part = ECORE_NO_PART,
				    .dst_port = -1 };
	util_strlcpy(s->name, cfg->name, sizeof(s->name));
	s->snaplen = cfg->snaplen ? cfg->snaplen : SPAN_SNAPLEN_DEFAULT;
	s->rate = cfg->rate ? cfg->rate : SPAN_RATE_DEFAULT;
	ret = set_source(c, cfg, s, error);
	if (!ret && cfg->dst_port)
		ret = set_dest_port(c, cfg, s, error);
	return ret;
}

int span_check(const struct engine_core *c, const struct span_cfg *cfg,
	       char **error)
{
	struct span_session s;
	int ret = session_new(c, cfg, &s, error);

	if (ret || cfg->dst_port)
		return ret;
	return s.ipoib ? PCAPW_LINKTYPE_IPOIB : PCAPW_LINKTYPE_ETHERNET;
}

int span_add(struct engine_core *c, const struct span_cfg *cfg, char **error)
{
	struct span_session s;
	unsigned int i;
	int ret;

	ret = session_new(c, cfg, &s, error);
	if (!ret && cfg->pcap)
		ret = set_dest_pcap(cfg, &s, error);
	if (ret)
		return ret;
	tbucket_init(&s.tb, s.rate, 0, util_now_ms());
	s.used = true;
	i = free_slot(c);
	c->span.s[i] = s;
	span_rebuild(&c->span);
	ecore_fast_sync(c); /* a mirrored port leaves the XDP fast path */
	VLOG_INFO("mirror %s started", s.name);
	return (int)i;
}

static void stop(struct engine_core *c, unsigned int i, const char *why)
{
	struct span_session *s = &c->span.s[i];

	VLOG_INFO("mirror %s stopped%s", s->name, why);
	s->used = false;
	span_rebuild(&c->span);
	ecore_fast_sync(c);
	/* written out and closed by span_flush(), not under the lock */
	if (s->pcap && c->span.n_closing < SPAN_MAX_SESSIONS)
		c->span.closing[c->span.n_closing++] = s->pcap;
	else
		pcapw_close(s->pcap); /* many stops between two flushes */
	memset(s, 0, sizeof(*s));
}

int span_del(struct engine_core *c, const char *name)
{
	int i = span_find(c, name);

	if (i < 0)
		return i;
	stop(c, (unsigned int)i, "");
	return 0;
}

void span_port_gone(struct engine_core *c, unsigned int slot)
{
	unsigned int i;

	for (i = 0; i < SPAN_MAX_SESSIONS; i++)
		if (c->span.s[i].used && (c->span.s[i].src_port == (int)slot ||
					  c->span.s[i].dst_port == (int)slot))
			stop(c, i, ": its port was removed");
}

void span_part_gone(struct engine_core *c, unsigned int idx)
{
	unsigned int i;

	for (i = 0; i < SPAN_MAX_SESSIONS; i++)
		if (c->span.s[i].used && c->span.s[i].src_part == idx)
			stop(c, i, ": its partition was removed");
}

void span_fini(struct engine_core *c)
{
	unsigned int i;

	for (i = 0; i < SPAN_MAX_SESSIONS; i++)
		if (c->span.s[i].used)
			stop(c, i, "");
	span_flush(c);
}

bool span_flush(struct engine_core *c)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 5);
	bool any = false;
	unsigned int i;

	while (c->span.n_closing)
		pcapw_close(c->span.closing[--c->span.n_closing]);
	for (i = 0; i < SPAN_MAX_SESSIONS; i++) {
		struct span_session *s = &c->span.s[i];
		long r;

		if (!s->used || !s->pcap)
			continue;
		any = true;
		r = pcapw_flush(s->pcap);
		if (r < 0) {
			s->write_errors++;
			VLOG_WARN_RL(&rl, "mirror %s: writing %s: %s", s->name,
				     s->path, strerror((int)-r));
		}
	}
	return any;
}

/* Datapath. */

/* A copy of the parts in @iov (@n of them) for session @s. */
static void mirror_one(struct engine_core *c, struct span_session *s,
		       const struct iovec *iov, unsigned int n,
		       const struct timespec *ts, uint64_t now_ms)
{
	uint32_t len = 0, cut;
	unsigned int i;

	if (!tbucket_take(&s->tb, now_ms)) {
		s->dropped_rate++;
		return;
	}
	for (i = 0; i < n; i++)
		len += (uint32_t)iov[i].iov_len;
	cut = len < s->snaplen ? len : s->snaplen;
	if (s->pcap) {
		if (pcapw_put(s->pcap, ts, iov, n)) {
			s->dropped_error++;
			return;
		}
	} else {
		struct pkt *p = NULL;

		if (c->span.n_q < SPAN_QUEUE &&
		    cut <= pool_buf_size(c->pool) - pool_headroom(c->pool))
			p = pool_alloc(c->pool);
		if (!p) {
			s->dropped_error++;
			return;
		}
		for (i = 0, p->len = 0; i < n && p->len < cut; i++) {
			uint32_t part =
				MIN((uint32_t)iov[i].iov_len, cut - p->len);

			memcpy(p->data + p->len, iov[i].iov_base, part);
			p->len += part;
		}
		c->span.q[c->span.n_q] = p;
		c->span.q_port[c->span.n_q++] = (uint8_t)s->dst_port;
	}
	s->mirrored++;
	s->mirrored_bytes += cut;
}

/*
 * The UD buffer's header of @pkt of ipoib port @p into @hdr: the port's
 * own (wire_header, with the GIDs), or one with zero GIDs: a GRH (version
 * 6, next header BTH 0x1b, hop limit 1) and the IPoIB header.
 */
static void ud_header(struct port *p, const struct pkt *pkt, bool tx,
		      uint8_t *hdr)
{
	if (p && p->ops && p->ops->wire_header &&
	    p->ops->wire_header(p, pkt, tx, hdr, IPOIB_UD_HDR_LEN) ==
		    IPOIB_UD_HDR_LEN)
		return;
	memset(hdr, 0, IPOIB_UD_HDR_LEN);
	hdr[0] = 0x60;
	util_put_be16(hdr + 4,
		      (uint16_t)(pkt->len - FRAME_ETH_HLEN + IPOIB_HDR_LEN));
	hdr[6] = 0x1b;
	hdr[7] = 1;
	memcpy(hdr + IPOIB_GRH_LEN, pkt->data + 12, 2);
}

/* The wire form of a frame of port @p, as parts; returns how many. */
static unsigned int frame_parts(const struct engine_core *c,
				const struct span_session *s, struct port *p,
				const struct pkt *pkt, bool tx, bool retag,
				uint8_t *hdr, struct iovec *iov)
{
	if (s->ipoib && pkt->len >= FRAME_ETH_HLEN) {
		/* the UD buffer: GRH, IPoIB header, then the payload */
		ud_header(p, pkt, tx, hdr);
		iov[0] = (struct iovec){ hdr, IPOIB_UD_HDR_LEN };
		iov[1] = (struct iovec){ pkt->data + FRAME_ETH_HLEN,
					 pkt->len - FRAME_ETH_HLEN };
		return 2;
	}
	if (retag && pkt->len >= 2 * FRAME_ETH_ALEN) {
		uint16_t tci = pkt->tci | c->parts[pkt->part].vlan;

		util_put_be16(hdr, FRAME_TPID_8021Q);
		util_put_be16(hdr + 2, tci);
		iov[0] = (struct iovec){ pkt->data, 2 * FRAME_ETH_ALEN };
		iov[1] = (struct iovec){ hdr, FRAME_VLAN_HLEN };
		iov[2] = (struct iovec){ pkt->data + 2 * FRAME_ETH_ALEN,
					 pkt->len - 2 * FRAME_ETH_ALEN };
		return 3;
	}
	iov[0] = (struct iovec){ pkt->data, pkt->len };
	return 1;
}

static void clock_now(struct timespec *ts, uint64_t *now_ms)
{
	struct timespec mono;

	clock_gettime(CLOCK_REALTIME, ts);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &mono);
	*now_ms = (uint64_t)mono.tv_sec * 1000 + mono.tv_nsec / 1000000;
}

void span_rx(struct engine_core *c, unsigned int in, const struct pkt *pkt)
{
	bool port = c->span.rx_ports & (1ull << in);
	uint8_t hdr[IPOIB_UD_HDR_LEN];
	struct iovec iov[3];
	struct timespec ts;
	uint64_t now_ms;
	unsigned int i, n;

	if (!port && !c->span.parts)
		return;
	clock_now(&ts, &now_ms);
	for (i = 0; i < SPAN_MAX_SESSIONS; i++) {
		struct span_session *s = &c->span.s[i];

		if (!s->used)
			continue;
		if (s->src_port == (int)in && (s->dir & SPAN_DIR_RX))
			n = frame_parts(c, s, &c->ports[in].port, pkt, false,
					c->ports[in].role == ECORE_TRUNK, hdr,
					iov);
		else if (s->src_part == pkt->part)
			n = frame_parts(c, s, NULL, pkt, false, false, hdr,
					iov);
		else
			continue;
		mirror_one(c, s, iov, n, &ts, now_ms);
	}
}

void span_tx(struct engine_core *c, unsigned int out, struct pkt *const *pkts,
	     unsigned int n)
{
	uint8_t hdr[IPOIB_UD_HDR_LEN];
	struct iovec iov[3];
	struct timespec ts;
	uint64_t now_ms;
	unsigned int i, j, k;

	if (!(c->span.tx_ports & (1ull << out)))
		return;
	clock_now(&ts, &now_ms);
	for (i = 0; i < SPAN_MAX_SESSIONS; i++) {
		struct span_session *s = &c->span.s[i];

		if (!s->used || s->src_port != (int)out ||
		    !(s->dir & SPAN_DIR_TX))
			continue;
		for (j = 0; j < n; j++) {
			k = frame_parts(c, s, &c->ports[out].port, pkts[j],
					true, false, hdr, iov);
			mirror_one(c, s, iov, k, &ts, now_ms);
		}
	}
}

/* Send the queued copies for port @slot; the rest of the queue stays. */
static void send_to(struct engine_core *c, unsigned int slot)
{
	struct ecore_port *op = &c->ports[slot];
	struct pkt *out[SPAN_QUEUE];
	unsigned int i, n = 0, keep = 0;
	uint64_t bytes = 0;
	int sent = 0;

	for (i = 0; i < c->span.n_q; i++) {
		if (c->span.q_port[i] == slot)
			out[n++] = c->span.q[i];
		else {
			c->span.q_port[keep] = c->span.q_port[i];
			c->span.q[keep++] = c->span.q[i];
		}
	}
	c->span.n_q = keep;
	if (op->port.ops)
		sent = ecore_port_tx(c, op, out, n, NULL);
	sent = sent < 0 ? 0 : MIN((unsigned int)sent, n);
	for (i = 0; i < (unsigned int)sent; i++)
		bytes += out[i]->len;
	op->c.tx_packets += (unsigned int)sent;
	op->c.tx_bytes += bytes;
	op->c.drops[ECORE_DROP_TX_FULL] += n - (unsigned int)sent;
	c->drops[ECORE_DROP_TX_FULL] += n - (unsigned int)sent;
	/* a port that keeps buffers owns the ones it took */
	for (i = (op->port.flags & PORT_F_TX_POOL_ONLY) ? (unsigned int)sent :
							  0;
	     i < n; i++)
		pool_free(out[i]);
}

void span_send(struct engine_core *c)
{
	while (c->span.n_q)
		send_to(c, c->span.q_port[0]);
}
