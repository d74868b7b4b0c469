// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * AF_PACKET TPACKET_V3 netdev port. The kernel fills whole blocks of the
 * receive ring; a block is handed back (TP_STATUS_KERNEL) only on the
 * rx_burst after the one that lent its last frame, so lent frames stay
 * valid while the engine works on them. The kernel strips the outer VLAN
 * tag into metadata before packet sockets see a frame: it is written back
 * in front of the frame (PACKET_RESERVE keeps room) so the engine sees the
 * frame as it was on the wire.
 *
 * AF_PACKET ports read and write the virtio-net header (PACKET_VNET_HDR):
 * the partial checksums and whole super-frames of the VMs and containers
 * behind them travel with their metadata ("af_packet+vnet" in status).
 * AF_XDP cannot carry it, so a tap made by a hypervisor (QEMU, libvirt),
 * whose guest's virtio-net keeps checksum offload and TSO on, always runs
 * AF_PACKET.
 */
#include "eth/port_netdev.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eth/frame.h"
#include "eth/vnet.h"
#include "lib/util.h"

#define RING_BLOCK_SIZE (1u << 18)
#define RING_BLOCK_NR 16
#define RING_FRAME_SIZE 2048
#define RING_RESERVE 16
#define RING_TOV_MS 1
#define NETDEV_MAX_BURST 64
#define HDR3_LEN                                      \
	(TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) + \
	 sizeof(struct sockaddr_ll))

struct netdev_priv {
	int txfd; /* send-only socket, kept out of epoll (no wake-ups) */
	uint8_t *ring;
	size_t ring_len;
	unsigned int cur; /* block being read */
	unsigned int left; /* frames left in it; 0: not started */
	struct tpacket3_hdr *next; /* next frame in it */
	unsigned int n_done; /* blocks finished, to hand back */
	unsigned int done[RING_BLOCK_NR];
	struct pkt lent[NETDEV_MAX_BURST];
	struct mmsghdr msgs[NETDEV_MAX_BURST];
	struct iovec iovs[NETDEV_MAX_BURST][2]; /* virtio-net header, frame */
	struct port_hw_stats st;
	uint8_t hdrs[NETDEV_MAX_BURST][VNET_HDR_LEN];
	struct direct_rx *direct; /* taps: no ring (see direct_rx_burst) */
};

/* Everything: the kernel segments below us for a tap that cannot take it. */
#define NETDEV_VNET_OFFLOADS                                     \
	(VNET_TUN_F_CSUM | VNET_TUN_F_TSO4 | VNET_TUN_F_TSO6 |   \
	 VNET_TUN_F_TSO_ECN | VNET_TUN_F_UFO | VNET_TUN_F_USO4 | \
	 VNET_TUN_F_USO6)

/*
 * A tap's receive side without the ring: a TPACKET_V3 block reaches us
 * when it is full or after its 1 ms timeout, and a VM's TCP stalls on that
 * latency. recvmmsg() hands over each frame as it comes, into buffers of
 * the big pool (a super-frame is up to 64 KiB); the tag the kernel took
 * off comes back in the auxiliary data.
 */
#define DIRECT_BURST 16

struct direct_rx {
	struct pool *pool;
	struct pkt
		*bufs[DIRECT_BURST]; /* taken from the pool, kept when unused */
	struct mmsghdr msgs[DIRECT_BURST];
	struct iovec iovs[DIRECT_BURST][2];
	uint8_t hdrs[DIRECT_BURST][VNET_HDR_LEN];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} cmsgs[DIRECT_BURST];
};

static struct tpacket_block_desc *block(struct netdev_priv *np, unsigned int i)
{
	return (struct tpacket_block_desc *)(np->ring +
					     (size_t)i * RING_BLOCK_SIZE);
}

static int set_int(int fd, int opt, int val)
{
	return setsockopt(fd, SOL_PACKET, opt, &val, sizeof(val)) ? -errno : 0;
}

static int setup_ring(int fd, struct netdev_priv *np)
{
	struct tpacket_req3 req = {
		.tp_block_size = RING_BLOCK_SIZE,
		.tp_block_nr = RING_BLOCK_NR,
		.tp_frame_size = RING_FRAME_SIZE,
		.tp_frame_nr =
			RING_BLOCK_SIZE / RING_FRAME_SIZE * RING_BLOCK_NR,
		.tp_retire_blk_tov = RING_TOV_MS,
	};
	int ret;

	ret = set_int(fd, PACKET_VERSION, TPACKET_V3);
	if (!ret)
		ret = set_int(fd, PACKET_RESERVE, RING_RESERVE);
	if (ret)
		return ret;
	if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return -errno;
	np->ring_len = (size_t)RING_BLOCK_SIZE * RING_BLOCK_NR;
	np->ring = mmap(NULL, np->ring_len, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_LOCKED | MAP_POPULATE, fd, 0);
	if (np->ring == MAP_FAILED)
		np->ring = mmap(NULL, np->ring_len, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0);
	if (np->ring == MAP_FAILED) {
		np->ring = NULL;
		return -errno;
	}
	return 0;
}

static int bind_promisc(int fd, int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	struct packet_mreq mr = {
		.mr_ifindex = ifindex,
		.mr_type = PACKET_MR_PROMISC,
	};

	/* Our own sends and the host's are not input. */
	set_int(fd, PACKET_IGNORE_OUTGOING, 1);
	set_int(fd, PACKET_QDISC_BYPASS, 1);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)))
		return -errno;
	return 0;
}

/*
 * A second socket for sending: freeing each sent skb wakes the sender's
 * wait queue, and the receive socket's has our epoll on it.
 */
static int open_tx(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = 0, /* receives nothing */
		.sll_ifindex = ifindex,
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	set_int(fd, PACKET_QDISC_BYPASS, 1);
	if (set_int(fd, PACKET_VNET_HDR, 1) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

static void read_mtu(struct port *p, int fd)
{
	struct ifreq ifr = { 0 };

	util_strlcpy(ifr.ifr_name, p->name, sizeof(ifr.ifr_name));
	if (!ioctl(fd, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		p->max_payload = ifr.ifr_mtu;
}

bool port_netdev_is_tap(const char *ifname)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", ifname);
	return !access(path, F_OK);
}

/* Frames with their virtio-net header: from a tap one by one, else a ring. */
static int setup_rx(int fd, struct port *p, struct netdev_priv *np)
{
	struct pool *big = pool_big(p->pool);
	int ret = set_int(fd, PACKET_VNET_HDR, 1);

	if (ret || !port_netdev_is_tap(p->name))
		return ret ? ret : setup_ring(fd, np);
	ret = set_int(fd, PACKET_AUXDATA, 1);
	if (ret)
		return ret;
	np->direct = calloc(1, sizeof(*np->direct));
	if (!np->direct)
		return -ENOMEM;
	np->direct->pool = big ? big : p->pool;
	return 0;
}

static int netdev_open(struct port *p)
{
	struct netdev_priv *np;
	int fd, ret, ifindex = if_nametoindex(p->name);

	if (!ifindex)
		return -ENODEV;
	np = calloc(1, sizeof(*np));
	if (!np)
		return -ENOMEM;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto err_free;
	}
	ret = setup_rx(fd, p, np);
	if (ret)
		goto err_close;
	ret = bind_promisc(fd, ifindex);
	if (ret)
		goto err_unmap;
	np->txfd = open_tx(ifindex);
	if (np->txfd < 0) {
		ret = np->txfd;
		goto err_unmap;
	}
	read_mtu(p, fd);
	p->ifindex = ifindex;
	p->fd = fd;
	p->priv = np;
	p->mode = "af_packet+vnet";
	p->offloads = NETDEV_VNET_OFFLOADS;
	return 0;

err_unmap:
	if (np->ring)
		munmap(np->ring, np->ring_len);
err_close:
	close(fd);
err_free:
	free(np->direct);
	free(np);
	return ret;
}

/* Hand the blocks finished in the previous burst back to the kernel. */
static void release_blocks(struct netdev_priv *np)
{
	unsigned int i;

	for (i = 0; i < np->n_done; i++) {
		__atomic_store_n(&block(np, np->done[i])->hdr.bh1.block_status,
				 TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	}
	np->n_done = 0;
}

/* Start the next block if the kernel has filled it. */
static bool next_block(struct netdev_priv *np)
{
	struct tpacket_block_desc *bd = block(np, np->cur);

	if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
	      TP_STATUS_USER))
		return false;
	np->left = bd->hdr.bh1.num_pkts;
	np->next = (struct tpacket3_hdr *)((uint8_t *)bd +
					   bd->hdr.bh1.offset_to_first_pkt);
	return true;
}

/* Finish the current block once its last frame is taken. */
static void end_frame(struct netdev_priv *np)
{
	if (--np->left)
		return;
	np->done[np->n_done++] = np->cur;
	np->cur = (np->cur + 1) % RING_BLOCK_NR;
}

/* Put back in front of @pkt the tag the kernel took off into metadata. */
static void restore_tag(struct pkt *pkt, uint16_t tci, uint16_t tpid)
{
	if (pkt->len < 12)
		return;
	pkt->data = frame_vlan_push(pkt->data, tci);
	pkt->data[12] = tpid >> 8;
	pkt->data[13] = tpid & 0xff;
	pkt->len += FRAME_VLAN_HLEN;
	if (pkt->ol.flags &
	    VNET_F_NEEDS_CSUM) /* offsets of the tagless frame */
		pkt->ol.csum_start += FRAME_VLAN_HLEN;
	if (pkt->ol.hdr_len)
		pkt->ol.hdr_len += FRAME_VLAN_HLEN;
}

/* Lend the frame of @h as @pkt, restoring a tag the kernel took off. */
static bool lend_frame(struct netdev_priv *np, struct tpacket3_hdr *h,
		       struct pkt *pkt)
{
	uint16_t tpid = FRAME_TPID_8021Q;

	pkt->head = (uint8_t *)h + HDR3_LEN;
	pkt->data = (uint8_t *)h + h->tp_mac;
	pkt->len = h->tp_snaplen;
	pkt->pool = NULL;
	pkt->idx = POOL_IDX_NONE;
	pkt->ol = (struct pkt_ol){ 0 };
	if (h->tp_snaplen < h->tp_len)
		return false;
	/* the kernel wrote it just in front of the frame */
	vnet_decode(pkt->data - VNET_HDR_LEN, &pkt->ol);
	if (h->tp_status & TP_STATUS_VLAN_TPID_VALID)
		tpid = h->hv1.tp_vlan_tpid;
	if (h->tp_status & TP_STATUS_VLAN_VALID)
		restore_tag(pkt, h->hv1.tp_vlan_tci, tpid);
	return true;
}

/* Fill the receive slots that have no buffer; returns how many are ready. */
static unsigned int direct_arm(struct direct_rx *d, unsigned int n)
{
	unsigned int i, room = pool_buf_size(d->pool) - pool_headroom(d->pool);

	for (i = 0; i < n; i++) {
		struct msghdr *m = &d->msgs[i].msg_hdr;

		if (!d->bufs[i] && !(d->bufs[i] = pool_alloc(d->pool)))
			break;
		memset(m, 0, sizeof(*m));
		d->iovs[i][0] = (struct iovec){ d->hdrs[i], VNET_HDR_LEN };
		d->iovs[i][1] = (struct iovec){ d->bufs[i]->data, room };
		m->msg_iov = d->iovs[i];
		m->msg_iovlen = 2;
		m->msg_control = d->cmsgs[i].buf;
		m->msg_controllen = sizeof(d->cmsgs[i].buf);
	}
	return i;
}

/* Take received slot @i as a packet; false when it is not a whole frame. */
static bool direct_take(struct direct_rx *d, unsigned int i, struct pkt *pkt)
{
	struct msghdr *m = &d->msgs[i].msg_hdr;
	struct cmsghdr *c;

	if (d->msgs[i].msg_len < VNET_HDR_LEN || (m->msg_flags & MSG_TRUNC))
		return false;
	pkt->len = d->msgs[i].msg_len - VNET_HDR_LEN;
	vnet_decode(d->hdrs[i], &pkt->ol);
	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		const struct tpacket_auxdata *a = (void *)CMSG_DATA(c);

		if (c->cmsg_level == SOL_PACKET &&
		    c->cmsg_type == PACKET_AUXDATA &&
		    (a->tp_status & TP_STATUS_VLAN_VALID))
			restore_tag(pkt, a->tp_vlan_tci,
				    a->tp_status & TP_STATUS_VLAN_TPID_VALID ?
					    a->tp_vlan_tpid :
					    FRAME_TPID_8021Q);
	}
	return true;
}

static int direct_rx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct netdev_priv *np = p->priv;
	struct direct_rx *d = np->direct;
	unsigned int i, k = 0;
	int r;

	n = direct_arm(d, MIN(n, DIRECT_BURST));
	if (!n)
		return 0;
	r = recvmmsg(p->fd, d->msgs, n, MSG_DONTWAIT, NULL);
	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	for (i = 0; i < (unsigned int)r; i++) {
		struct pkt *pkt = d->bufs[i];

		d->bufs[i] = NULL;
		if (direct_take(d, i, pkt)) {
			pkts[k++] = pkt;
		} else {
			pool_free(pkt);
			np->st.rx_dropped++;
		}
	}
	return k;
}

static int netdev_rx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct netdev_priv *np = p->priv;
	unsigned int i = 0;

	if (np->direct)
		return direct_rx_burst(p, pkts, n);

	release_blocks(np);
	n = MIN(n, NETDEV_MAX_BURST);
	while (i < n) {
		struct tpacket3_hdr *h;

		/* Finished blocks wait for the next call: never wrap onto them. */
		if (np->n_done >= RING_BLOCK_NR / 2)
			break;
		if (!np->left && !next_block(np))
			break;
		if (!np->left) { /* an empty block */
			np->left = 1;
			end_frame(np);
			continue;
		}
		h = np->next;
		np->next = (struct tpacket3_hdr *)((uint8_t *)h +
						   h->tp_next_offset);
		if (lend_frame(np, h, &np->lent[i]))
			pkts[i] = &np->lent[i], i++;
		else
			np->st.rx_dropped++;
		end_frame(np);
	}
	return i;
}

static int netdev_tx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct netdev_priv *np = p->priv;
	unsigned int i;
	int sent;

	n = MIN(n, NETDEV_MAX_BURST);
	for (i = 0; i < n; i++) {
		struct msghdr *m = &np->msgs[i].msg_hdr;
		struct iovec *iov = np->iovs[i];

		memset(m, 0, sizeof(*m));
		vnet_encode(&pkts[i]->ol, np->hdrs[i]);
		iov[0].iov_base = np->hdrs[i];
		iov[0].iov_len = VNET_HDR_LEN;
		iov[1].iov_base = pkts[i]->data;
		iov[1].iov_len = pkts[i]->len;
		m->msg_iov = iov;
		m->msg_iovlen = 2;
	}
	sent = sendmmsg(np->txfd, np->msgs, n, MSG_DONTWAIT);
	if (sent < 0) {
		if (errno != EAGAIN && errno != ENOBUFS)
			np->st.tx_errors++;
		return 0;
	}
	return sent;
}

static void netdev_close(struct port *p)
{
	struct netdev_priv *np = p->priv;

	if (np && np->direct) {
		unsigned int i;

		for (i = 0; i < DIRECT_BURST; i++)
			if (np->direct->bufs[i])
				pool_free(np->direct->bufs[i]);
		free(np->direct);
	}
	if (np) {
		if (np->ring)
			munmap(np->ring, np->ring_len);
		close(np->txfd);
	}
	if (p->fd >= 0)
		close(p->fd);
	free(np);
	p->priv = NULL;
}

static void netdev_stats(struct port *p, struct port_hw_stats *st)
{
	struct netdev_priv *np = p->priv;
	struct tpacket_stats_v3 ks;
	socklen_t len = sizeof(ks);

	/* The kernel resets its counters on every read: accumulate. */
	if (!getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len))
		np->st.rx_dropped += ks.tp_drops;
	*st = np->st;
}

const struct port_ops port_netdev_ops = {
	.kind = "netdev",
	.open = netdev_open,
	.rx_burst = netdev_rx_burst,
	.tx_burst = netdev_tx_burst,
	.close = netdev_close,
	.stats = netdev_stats,
};
