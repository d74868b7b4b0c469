// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * AF_XDP netdev port. Every port registers the whole pool region as its
 * own UMEM, so offsets are the same in all of them and a buffer received on
 * one port can be queued on another's TX ring as it is. Ownership: buffers
 * on the fill, RX, TX and completion rings belong to the kernel; the port
 * allocates them from the pool for the fill ring and frees them from the
 * completion ring.
 */
#include "eth/port_xdp.h"

#include <dirent.h>
#include <errno.h>
#include <linux/if_xdp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eth/port_netdev.h"
#include "eth/veth_csum.h"
#include "eth/xdp_fast.h"
#include "lib/util.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define XDP_RING_SIZE 1024u
#define XDP_MAX_BURST 64

/* One single-producer single-consumer ring shared with the kernel. */
struct xring {
	uint32_t *producer;
	uint32_t *consumer;
	void *descs;
	uint32_t mask;
	void *map; /* the mmap()ed area */
	size_t map_len;
};

struct xdp_priv {
	int ifindex; /* the program is attached: xdp_fast_detach() it */
	struct xring rx, tx, fill, comp;
	struct port_hw_stats st;
};

static int ring_map(int fd, struct xring *r, const struct xdp_ring_offset *o,
		    size_t desc_size, off_t pgoff)
{
	r->map_len = o->desc + XDP_RING_SIZE * desc_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	r->producer = (uint32_t *)((char *)r->map + o->producer);
	r->consumer = (uint32_t *)((char *)r->map + o->consumer);
	r->descs = (char *)r->map + o->desc;
	r->mask = XDP_RING_SIZE - 1;
	return 0;
}

static void ring_unmap(struct xring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
}

static int set_ring(int fd, int opt)
{
	unsigned int n = XDP_RING_SIZE;

	return setsockopt(fd, SOL_XDP, opt, &n, sizeof(n)) ? -errno : 0;
}

static int umem_setup(int fd, struct pool *pool)
{
	struct xdp_umem_reg mr = { 0 };
	size_t len;

	mr.addr = (uintptr_t)pool_region(pool, &len);
	mr.len = len;
	mr.chunk_size = pool_buf_size(pool);
	mr.headroom = pool_headroom(pool);
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)))
		return -errno;
	if (set_ring(fd, XDP_UMEM_FILL_RING) ||
	    set_ring(fd, XDP_UMEM_COMPLETION_RING) ||
	    set_ring(fd, XDP_RX_RING) || set_ring(fd, XDP_TX_RING))
		return -errno;
	return 0;
}

static int rings_map(int fd, struct xdp_priv *xp)
{
	struct xdp_mmap_offsets off;
	socklen_t len = sizeof(off);
	int ret;

	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len))
		return -errno;
	ret = ring_map(fd, &xp->rx, &off.rx, sizeof(struct xdp_desc),
		       XDP_PGOFF_RX_RING);
	if (!ret)
		ret = ring_map(fd, &xp->tx, &off.tx, sizeof(struct xdp_desc),
			       XDP_PGOFF_TX_RING);
	if (!ret)
		ret = ring_map(fd, &xp->fill, &off.fr, sizeof(uint64_t),
			       XDP_UMEM_PGOFF_FILL_RING);
	if (!ret)
		ret = ring_map(fd, &xp->comp, &off.cr, sizeof(uint64_t),
			       XDP_UMEM_PGOFF_COMPLETION_RING);
	return ret;
}

/* Keep the fill ring full of free pool buffers. */
static void refill(struct port *p, struct xdp_priv *xp)
{
	struct xring *r = &xp->fill;
	uint32_t prod = *r->producer;
	uint32_t cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	uint64_t *addrs = r->descs;

	while (prod - cons < XDP_RING_SIZE) {
		struct pkt *pkt;

		/* A quarter of the pool stays for other ports and copies. */
		if (pool_avail(p->pool) < pool_size(p->pool) / 4)
			break;
		pkt = pool_alloc(p->pool);
		if (!pkt)
			break;
		addrs[prod & r->mask] = pool_buf_offset(p->pool, pkt);
		prod++;
	}
	__atomic_store_n(r->producer, prod, __ATOMIC_RELEASE);
}

/* Buffers the kernel has sent go back to the pool. */
static void drain_completions(struct port *p, struct xdp_priv *xp)
{
	struct xring *r = &xp->comp;
	uint32_t cons = *r->consumer;
	uint32_t prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
	uint64_t *addrs = r->descs;

	for (; cons != prod; cons++) {
		struct pkt *pkt =
			pool_pkt_at(p->pool, addrs[cons & r->mask], 0);

		if (pkt)
			pool_free(pkt);
	}
	__atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
}

static int bind_socket(int fd, int ifindex)
{
	struct sockaddr_xdp sx = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = ifindex,
		.sxdp_queue_id = 0,
		.sxdp_flags = XDP_COPY,
	};

	return bind(fd, (struct sockaddr *)&sx, sizeof(sx)) ? -errno : 0;
}

/* The AF_XDP socket on queue 0 of @ifindex, in the map. 0 or -errno. */
static int xsk_setup(struct port *p, struct xdp_priv *xp, int ifindex)
{
	int fd, ret;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = umem_setup(fd, p->pool);
	if (ret)
		goto err_close;
	ret = rings_map(fd, xp);
	if (ret)
		goto err_close;
	p->fd = fd;
	refill(p, xp);
	ret = bind_socket(fd, ifindex);
	if (ret)
		goto err_unset;
	return 0;

err_unset:
	p->fd = -1;
err_close:
	close(fd);
	return ret;
}

static void read_mtu(struct port *p)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	util_strlcpy(ifr.ifr_name, p->name, sizeof(ifr.ifr_name));
	if (!ioctl(s, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		p->max_payload = ifr.ifr_mtu;
	close(s);
}

static void xdp_release(struct port *p, struct xdp_priv *xp);

/*
 * The program redirects queue 0 only: frames on other queues would reach
 * the host stack instead of the switch. Multi-queue interfaces use
 * AF_PACKET, which sees them all.
 */
static int rx_queues(const char *ifname)
{
	char path[96];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return 1;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "rx-", 3);
	closedir(d);
	return n ? n : 1;
}

/*
 * Without the fast path (FABRICD_NO_FASTPATH, or generic XDP, where the
 * program runs on skbs), an AF_XDP socket in copy mode copies every frame
 * into user space as AF_PACKET does: there the default is what measured
 * faster. make bench-datapath, fabricd-xdp-slow (AF_XDP copy mode, fast
 * path off) over fabricd-afpacket on veth, medians of 3 rounds: frames
 * from a host's stack (trafgen) 0.90x and 0.90x at 64 B, 0.92x and 1.10x
 * at 1514 B in the two runs of session 3; 0.42x, 0.63x at 64 B and 0.51x,
 * 0.63x at 1514 B in two runs of session 4; xdp_frames (xdpgen) 0.55x,
 * 0.47x at 64 B and 0.67x, 0.16x at 1514 B. FABRICD_XDP_COPY=1 keeps
 * AF_XDP (to measure it again). Whether the port declines, and why.
 */
static bool copy_declines(const struct xdp_fast_if *info, const char **why)
{
	const char *s = getenv("FABRICD_XDP_COPY");

	if (info->zerocopy || (s && *s && strcmp(s, "0")))
		return false;
	if (!info->native)
		*why = "AF_PACKET: XDP would run in generic (skb) mode here, "
		       "without the fast path, and AF_PACKET measured faster "
		       "than AF_XDP copy mode (make bench-datapath)";
	else if (!xdp_fast_wanted())
		*why = "AF_PACKET: the fast path is off (FABRICD_NO_FASTPATH), "
		       "and AF_PACKET measured faster than AF_XDP copy mode "
		       "(make bench-datapath)";
	else
		return false;
	return true;
}

/*
 * Map, program, socket, then the program's link to the interface; on an
 * error xdp_release() undoes what was made. -EOPNOTSUPP where one queue
 * would not see every frame.
 */
static int xdp_open(struct port *p)
{
	int ifindex = if_nametoindex(p->name), ret;
	struct xdp_fast_if info = { 0 };
	struct xdp_priv *xp;

	if (!ifindex)
		return -ENODEV;
	/* taps: AF_XDP carries no virtio-net header (partial checksums, TSO) */
	if (rx_queues(p->name) > 1 || port_netdev_is_tap(p->name))
		return -EOPNOTSUPP;
	/* AF_XDP and the fast path would lose the peer's partial checksums */
	if (veth_csum_partial(p->name, &p->mode_why))
		return -EOPNOTSUPP;
	xp = calloc(1, sizeof(*xp));
	if (!xp)
		return -ENOMEM;
	ret = xsk_setup(p, xp, ifindex);
	if (ret)
		goto err_release;
	ret = xdp_fast_attach(ifindex, p->fd, false);
	if (ret < 0)
		goto err_release;
	xp->ifindex = ifindex;
	xdp_fast_if_get(ifindex, &info);
	ret = copy_declines(&info, &p->mode_why) ? -EOPNOTSUPP : 0;
	if (ret)
		goto err_release;
	p->priv = xp;
	/* generic: the XDP program runs on skbs, after the driver */
	p->mode = info.native ? "af_xdp" : "af_xdp_generic";
	p->flags |= PORT_F_TX_POOL_ONLY;
	p->ifindex = ifindex;
	read_mtu(p);
	return 0;

err_release:
	xdp_release(p, xp);
	return ret;
}

static int xdp_rx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct xdp_priv *xp = p->priv;
	struct xring *r = &xp->rx;
	uint32_t cons = *r->consumer, i;
	uint32_t prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
	struct xdp_desc *d = r->descs;

	drain_completions(p, xp);
	for (i = 0; i < n && cons != prod; cons++) {
		struct xdp_desc *x = &d[cons & r->mask];
		struct pkt *pkt = pool_pkt_at(p->pool, x->addr, x->len);

		if (pkt)
			pkts[i++] = pkt;
	}
	__atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
	refill(p, xp);
	return i;
}

static int xdp_tx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct xdp_priv *xp = p->priv;
	struct xring *r = &xp->tx;
	uint32_t prod = *r->producer, i;
	uint32_t cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	struct xdp_desc *d = r->descs;

	drain_completions(p, xp);
	for (i = 0; i < n && prod - cons < XDP_RING_SIZE; i++, prod++) {
		d[prod & r->mask].addr = pool_offset(p->pool, pkts[i]);
		d[prod & r->mask].len = pkts[i]->len;
		d[prod & r->mask].options = 0;
	}
	__atomic_store_n(r->producer, prod, __ATOMIC_RELEASE);
	if (i && sendto(p->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
		xp->st.tx_errors++;
	return i;
}

/* Return what the rings still hold to the pool (not what is in flight). */
static void rings_free(struct port *p, struct xdp_priv *xp)
{
	struct xring *r = &xp->fill;
	uint64_t *addrs = r->descs;
	uint32_t i;

	if (xp->comp.map) /* not mapped when setup failed early */
		drain_completions(p, xp);
	if (r->map)
		for (i = *r->consumer; i != *r->producer; i++)
			pool_free(pool_pkt_at(p->pool, addrs[i & r->mask], 0));
	r = &xp->rx;
	if (r->map)
		for (i = *r->consumer; i != *r->producer; i++)
			pool_free(pool_pkt_at(
				p->pool,
				((struct xdp_desc *)r->descs)[i & r->mask].addr,
				0));
}

static void xdp_release(struct port *p, struct xdp_priv *xp)
{
	if (xp->ifindex)
		xdp_fast_detach(xp->ifindex);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	rings_free(p, xp);
	ring_unmap(&xp->rx);
	ring_unmap(&xp->tx);
	ring_unmap(&xp->fill);
	ring_unmap(&xp->comp);
	free(xp);
}

static void xdp_close(struct port *p)
{
	xdp_release(p, p->priv);
	p->priv = NULL;
}

static void xdp_stats(struct port *p, struct port_hw_stats *st)
{
	struct xdp_priv *xp = p->priv;
	struct xdp_statistics xs;
	socklen_t len = sizeof(xs);

	*st = xp->st;
	if (!getsockopt(p->fd, SOL_XDP, XDP_STATISTICS, &xs, &len))
		st->rx_dropped += xs.rx_dropped + xs.rx_ring_full;
}

const struct port_ops port_xdp_ops = {
	.kind = "af_xdp",
	.accelerates = "netdev",
	.open = xdp_open,
	.rx_burst = xdp_rx_burst,
	.tx_burst = xdp_tx_burst,
	.close = xdp_close,
	.stats = xdp_stats,
};
