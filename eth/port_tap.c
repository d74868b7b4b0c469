// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "eth/port_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "eth/vnet.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(tap);

/* What the engine honours from the workload: it segments whatever the
 * egress cannot take. USO is newer than some kernels: tried, then left. */
#define TAP_RX_OFFLOADS                                        \
	(VNET_TUN_F_CSUM | VNET_TUN_F_TSO4 | VNET_TUN_F_TSO6 | \
	 VNET_TUN_F_TSO_ECN | VNET_TUN_F_USO4 | VNET_TUN_F_USO6)
#define TAP_TX_OFFLOADS (TAP_RX_OFFLOADS | VNET_TUN_F_UFO)

struct tap_priv {
	struct port_hw_stats st;
	struct pool *rx_pool; /* the big pool when there is one */
};

/* Tell the kernel which offloads we take; returns those it accepted. */
static uint32_t tap_set_offloads(struct port *p, int fd)
{
	unsigned int want = TAP_RX_OFFLOADS;
	int sz = VNET_HDR_LEN;

	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0)
		return 0;
	if (!pool_big(p->pool)) /* super-frames would not fit a buffer */
		want = VNET_TUN_F_CSUM;
	if (ioctl(fd, TUNSETOFFLOAD, want) < 0) {
		want &= ~(VNET_TUN_F_USO4 | VNET_TUN_F_USO6);
		if (ioctl(fd, TUNSETOFFLOAD, want) < 0)
			return 0;
	}
	return want;
}

/* Bring the interface up and read its MTU; the tap works without either. */
static void tap_setup_link(struct port *p)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	util_strlcpy(ifr.ifr_name, p->name, sizeof(ifr.ifr_name));
	if (!ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (!ioctl(s, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		p->max_payload = ifr.ifr_mtu;
	close(s);
}

static int tap_open(struct port *p)
{
	struct ifreq ifr = { 0 };
	struct tap_priv *tp;
	int fd;

	tp = calloc(1, sizeof(*tp));
	if (!tp)
		return -ENOMEM;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		goto err_free;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	util_strlcpy(ifr.ifr_name, p->name, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto err_close;
	p->fd = fd;
	p->priv = tp;
	p->mode = "tap+vnet";
	tp->rx_pool = pool_big(p->pool) ? pool_big(p->pool) : p->pool;
	p->tun_offloads = tap_set_offloads(p, fd);
	if (p->tun_offloads)
		p->offloads = TAP_TX_OFFLOADS;
	else
		VLOG_WARN("port %s: cannot set the tap's offloads: %s", p->name,
			  strerror(errno));
	/* ifindex stays 0: the tap may move to the workload's namespace;
	 * its descriptor reports the tap's end by itself. */
	tap_setup_link(p);
	return 0;

err_close:
	close(fd);
err_free:
	free(tp);
	return -errno;
}

/*
 * Read one frame behind its virtio-net header. Returns the frame length,
 * 0 when there is none, or -errno.
 */
static ssize_t tap_read(struct port *p, struct pkt *pkt, unsigned int room)
{
	uint8_t hdr[VNET_HDR_LEN];
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { pkt->data, room } };
	ssize_t r = readv(p->fd, iov, 2);

	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (r < VNET_HDR_LEN)
		return 0;
	vnet_decode(hdr, &pkt->ol);
	return r - VNET_HDR_LEN;
}

static int tap_rx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct tap_priv *tp = p->priv;
	struct pool *pool = tp->rx_pool;
	unsigned int room = pool_buf_size(pool) - pool_headroom(pool);
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct pkt *pkt = pool_alloc(pool);
		ssize_t r;

		if (!pkt)
			break;
		r = tap_read(p, pkt, room);
		if (r <= 0) {
			pool_free(pkt);
			if (r < 0 && !i)
				return r;
			break;
		}
		pkt->len = r;
		pkts[i] = pkt;
	}
	return i;
}

static int tap_tx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct tap_priv *tp = p->priv;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint8_t hdr[VNET_HDR_LEN];
		struct iovec iov[2] = { { hdr, sizeof(hdr) },
					{ pkts[i]->data, pkts[i]->len } };

		vnet_encode(&pkts[i]->ol, hdr);
		if (writev(p->fd, iov, 2) < 0) {
			if (errno != EAGAIN)
				tp->st.tx_errors++;
			break;
		}
	}
	return i;
}

static void tap_close(struct port *p)
{
	if (p->fd >= 0)
		close(p->fd);
	free(p->priv);
	p->priv = NULL;
}

static void tap_stats(struct port *p, struct port_hw_stats *st)
{
	struct tap_priv *tp = p->priv;

	*st = tp->st;
}

const struct port_ops port_tap_ops = {
	.kind = "tap",
	.open = tap_open,
	.rx_burst = tap_rx_burst,
	.tx_burst = tap_tx_burst,
	.close = tap_close,
	.stats = tap_stats,
};
