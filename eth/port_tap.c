// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "eth/port_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"

struct tap_priv {
	struct port_hw_stats st;
};

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
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	util_strlcpy(ifr.ifr_name, p->name, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto err_close;
	p->fd = fd;
	p->priv = tp;
	p->mode = "tap";
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

static int tap_rx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	unsigned int room = pool_buf_size(p->pool) - pool_headroom(p->pool);
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct pkt *pkt = pool_alloc(p->pool);
		ssize_t r;

		if (!pkt)
			break;
		r = read(p->fd, pkt->data, room);
		if (r <= 0) {
			pool_free(pkt);
			if (r < 0 && errno != EAGAIN && !i)
				return -errno;
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
		if (write(p->fd, pkts[i]->data, pkts[i]->len) < 0) {
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
