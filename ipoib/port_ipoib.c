// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ipoib/port_ipoib.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "ipoib/ah_cache.h"
#include "ipoib/ah_prep.h"
#include "ipoib/neigh.h"
#include "ipoib/proto.h"
#include "ipoib/sa_client.h"
#include "lib/ib.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(ipoib_port);

#define DEPTH_DEFAULT 256
#define AH_CACHE_DEFAULT 256
#define NEIGH_DEFAULT 1024
#define MAX_WC 64
#define IPMAP_SIZE 1024 /* Ethernet hosts by IP address, power of two */
#define PATHMAP_SIZE 1024 /* IB LIDs and GIDs, power of two */
#define PROBE 4
#define NEIGH_MAX_AGE_MS (300 * 1000)
#define PATH_NEG_MS 1000 /* a failed PathRecord query is retried after */
#define SA_TIMEOUT_MS 100
#define ACK_BATCH 64
#define MAX_CONFIGURED 64
#define DEV_MAX_PORTS 8
#define HOUSEKEEP_MS 100 /* async events, neighbour aging */

/* One verbs device with the engine pool registered, shared by partitions. */
struct ipoib_dev {
	struct ipoib_dev *next;
	char name[IPOIB_PORT_DEV_MAX];
	struct pool *pool;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	struct ibv_mr *big_mr; /* the pool's big pool, if it has one */
	unsigned int refs;
	/* bumped by each async event of port N (state, LID, SM, PKeys) */
	uint32_t gen[DEV_MAX_PORTS + 1];
};

/* An Ethernet host that sent into the partition: IB->Ethernet steering. */
struct ip_entry {
	uint8_t family; /* 0: free */
	uint8_t addr[16];
	uint8_t mac[6];
	uint64_t seen;
};

/* IB: a LID and GID known to belong together, with the SL to use. */
struct path_entry {
	struct ipoib_gid gid;
	uint16_t lid; /* 0 with @expires: negative entry */
	uint8_t sl;
	bool used;
	uint64_t expires; /* negative entries only */
};

struct ipoib_port {
	struct ipoib_port *next; /* open ports, for ipoib_port_foreach */
	struct ipoib_kind *kind; /* the kind's state it was opened with */
	char name[IF_NAMESIZE];
	struct ipoib_port_cfg cfg;
	pthread_mutex_t lock; /* datapath vs. control thread readers */
	struct ipoib_dev *dev;
	struct pool *pool;
	unsigned int buf_size;
	struct ibv_comp_channel *ch;
	struct ibv_cq *rcq, *scq;
	struct ibv_qp *qp;
	bool roce, armed, attached;
	uint8_t sgid_index;
	uint16_t pkey_index;
	uint16_t lid;
	unsigned int mtu; /* IPoIB packet bytes (header + payload) */
	struct ipoib_gid gid, mgid;
	struct ipoib_mcmember group; /* IB: the broadcast group's record */
	/*
	 * proto_only, proto_group: fabricd's own group (ipoib_mgid_proto()), where
	 * ipoib_proto_send() sends to "the group"; without it (not joined)
	 * the broadcast group serves
	 */
	struct ipoib_mcmember pgroup;
	bool pattached;
	struct ipoib_sa *sa;
	int mc_sock; /* RoCE: holds the IPv6 membership of the MGID, or -1 */
	struct ipoib_ah_cache *ahc;
	struct ipoib_ah_prep *prep; /* handles made ahead of need, or NULL */
	uint64_t send_seq, done_seq;
	unsigned int rx_posted, tx_out, unacked;
	uint64_t last_age, last_housekeep;
	uint32_t dev_gen; /* dev->gen[port] this port last refreshed at */
	uint32_t gen; /* the kind's open count when it opened */
	struct ipoib_ctx ctx;
	struct ipoib_port_stats st;
	struct port_hw_stats hw;
	/* ipoib_port_set_peer_gws(): frames from these QPs are dropped */
	struct ipoib_hwaddr peer_gws[IPOIB_PEER_GW_MAX];
	unsigned int n_peer_gws;
	struct ip_entry ipmap[IPMAP_SIZE];
	struct path_entry by_lid[PATHMAP_SIZE];
	struct path_entry by_gid[PATHMAP_SIZE];
};

/* The kind's state (port_ipoib.h), given to every open as p->kind_priv. */
struct ipoib_kind {
	pthread_mutex_t lock; /* all below; taken before a port's own lock */
	struct ipoib_dev *devs;
	struct ipoib_port *ports; /* open */
	uint32_t opens; /* ports opened: each its own generation */
	struct {
		char name[IF_NAMESIZE];
		struct ipoib_port_cfg cfg;
	} configured[MAX_CONFIGURED];
};

struct ipoib_kind *ipoib_kind_create(void)
{
	struct ipoib_kind *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	pthread_mutex_init(&k->lock, NULL);
	return k;
}

void ipoib_kind_destroy(struct ipoib_kind *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
}

/* ---- configuration ---- */

int ipoib_port_parse_name(const char *name, struct ipoib_port_cfg *cfg)
{
	const char *dot = strrchr(name, '.'), *colon;
	unsigned long port = 1, pkey;
	size_t dlen;
	char *end;

	memset(cfg, 0, sizeof(*cfg));
	if (!dot || dot == name)
		return -EINVAL;
	pkey = strtoul(dot + 1, &end, 16);
	if (*end || end == dot + 1 || !(pkey & IB_PKEY_BASE_MASK) ||
	    pkey > 0xffff || (pkey & IB_PKEY_BASE_MASK) == IB_PKEY_DEFAULT)
		return -EINVAL;
	colon = memchr(name, ':', (size_t)(dot - name));
	dlen = (size_t)((colon ? colon : dot) - name);
	if (colon) {
		port = strtoul(colon + 1, &end, 10);
		if (end != dot || !port || port > 254)
			return -EINVAL;
	}
	if (!dlen || dlen >= sizeof(cfg->dev))
		return -EINVAL;
	memcpy(cfg->dev, name, dlen);
	cfg->port_num = (uint8_t)port;
	cfg->pkey = (uint16_t)pkey;
	cfg->gid_index = -1;
	cfg->gid_auto = true;
	return 0;
}

int ipoib_port_configure(struct ipoib_kind *k, const char *name,
			 const struct ipoib_port_cfg *cfg)
{
	int i, slot = -1, ret = 0;

	if (!*name || strlen(name) >= IF_NAMESIZE)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	for (i = 0; i < MAX_CONFIGURED; i++) {
		if (!strcmp(k->configured[i].name, name)) {
			slot = i;
			break;
		}
		if (slot < 0 && !k->configured[i].name[0])
			slot = i;
	}
	if (slot < 0)
		ret = -ENOSPC;
	else if (!cfg)
		k->configured[slot].name[0] = '\0';
	else {
		util_strlcpy(k->configured[slot].name, name, IF_NAMESIZE);
		k->configured[slot].cfg = *cfg;
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

int ipoib_port_open_cfg(struct ipoib_kind *k, const char *name,
			struct ipoib_port_cfg *cfg)
{
	struct ipoib_port *ip;
	int ret = -ENOENT;

	pthread_mutex_lock(&k->lock);
	for (ip = k->ports; ip; ip = ip->next)
		if (!strcmp(ip->name, name)) {
			*cfg = ip->cfg;
			ret = 0;
			break;
		}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

/*
 * The configuration of port @name, with defaults filled in; @k locked.
 * Returns 0 or -EINVAL (not configured, and the name does not parse).
 */
static int port_cfg_locked(const struct ipoib_kind *k, const char *name,
			   struct ipoib_port_cfg *cfg)
{
	int i, ret = ipoib_port_parse_name(name, cfg);

	for (i = 0; i < MAX_CONFIGURED; i++)
		if (!strcmp(k->configured[i].name, name)) {
			*cfg = k->configured[i].cfg;
			ret = 0;
		}
	if (ret)
		return ret;
	if (!cfg->port_num)
		cfg->port_num = 1;
	if (!cfg->rx_depth)
		cfg->rx_depth = DEPTH_DEFAULT;
	if (!cfg->tx_depth)
		cfg->tx_depth = DEPTH_DEFAULT;
	if (!cfg->ah_cache)
		cfg->ah_cache = AH_CACHE_DEFAULT;
	if (!cfg->neigh_size)
		cfg->neigh_size = NEIGH_DEFAULT;
	return 0;
}

/* ---- buffer bookkeeping (pure) ---- */

enum ipoib_drop_reason ipoib_port_rx_frame(const struct ipoib_ctx *ctx,
					   struct pkt *pkt, uint32_t byte_len,
					   unsigned int buf_size,
					   const struct ipoib_rx_info *rx)
{
	struct ipoib_buf b;
	enum ipoib_drop_reason r;

	if (byte_len > buf_size || byte_len > UINT16_MAX)
		return ipoib_drop_count(ctx->stats, IPOIB_DROP_TRUNCATED);
	pkt->data = pkt->head;
	pkt->len = byte_len;
	b.data = pkt->data;
	b.len = (uint16_t)byte_len;
	b.headroom = 0;
	b.tailroom = (uint16_t)(buf_size - byte_len);
	r = ipoib_decap(ctx, &b, rx);
	if (r == IPOIB_OK) {
		pkt->data = b.data;
		pkt->len = b.len;
	}
	return r;
}

enum ipoib_drop_reason ipoib_port_tx_frame(const struct ipoib_ctx *ctx,
					   struct pkt *pkt,
					   unsigned int buf_size,
					   struct ipoib_tx_info *tx)
{
	unsigned int head = pkt_headroom(pkt);
	struct ipoib_buf b;
	enum ipoib_drop_reason r;

	if (head + pkt->len > buf_size || pkt->len > UINT16_MAX)
		return ipoib_drop_count(ctx->stats, IPOIB_DROP_NO_ROOM);
	b.data = pkt->data;
	b.len = (uint16_t)pkt->len;
	b.headroom = (uint16_t)head;
	b.tailroom = (uint16_t)(buf_size - head - pkt->len);
	r = ipoib_encap(ctx, &b, tx);
	if (r == IPOIB_OK) {
		pkt->data = b.data;
		pkt->len = b.len;
	}
	return r;
}

int ipoib_rx_gids(const uint8_t *grh, struct ipoib_gid *sgid,
		  struct ipoib_gid *dgid)
{
	const uint8_t *ip4 = grh + IPOIB_GRH_LEN - 20;

	if (!ipoib_grh_gids(grh, IPOIB_GRH_LEN, sgid, dgid))
		return 0;
	if (ip4[0] >> 4 != 4)
		return -EINVAL;
	memset(sgid, 0, sizeof(*sgid));
	memset(dgid, 0, sizeof(*dgid));
	sgid->raw[10] = sgid->raw[11] = 0xff;
	dgid->raw[10] = dgid->raw[11] = 0xff;
	memcpy(sgid->raw + 12, ip4 + 12, 4);
	memcpy(dgid->raw + 12, ip4 + 16, 4);
	return 0;
}

/* ---- Ethernet hosts by IP (eth_resolve) ---- */

static uint32_t addr_hash(int family, const uint8_t *addr)
{
	unsigned int i, n = family == AF_INET ? 4 : 16;
	uint32_t h = 2166136261u ^ (uint32_t)family;

	for (i = 0; i < n; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h ^ (h >> 13);
}

static struct ip_entry *ip_find(struct ipoib_port *ip, int family,
				const uint8_t *addr, bool add)
{
	unsigned int n = family == AF_INET ? 4 : 16, i;
	uint32_t h = addr_hash(family, addr);
	struct ip_entry *victim = NULL;

	for (i = 0; i < PROBE; i++) {
		struct ip_entry *e = &ip->ipmap[(h + i) & (IPMAP_SIZE - 1)];

		if (e->family == family && !memcmp(e->addr, addr, n))
			return e;
		if (!victim || !e->family ||
		    (victim->family && e->seen < victim->seen))
			victim = e;
	}
	if (!add)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->family = (uint8_t)family;
	memcpy(victim->addr, addr, n);
	return victim;
}

static void ip_learn(struct ipoib_port *ip, int family, const uint8_t *addr,
		     const uint8_t *mac)
{
	static const uint8_t zero[16];
	struct ip_entry *e;

	if (!memcmp(addr, zero, family == AF_INET ? 4 : 16) || (mac[0] & 1))
		return;
	e = ip_find(ip, family, addr, true);
	memcpy(e->mac, mac, 6);
	e->seen = ip->ctx.now;
}

/* Learn the sender of an Ethernet frame on its way to IB. */
static void learn_src(struct ipoib_port *ip, const struct pkt *pkt)
{
	const uint8_t *f = pkt->data;
	unsigned int off = IPOIB_ETH_HLEN;
	uint16_t et;

	if (pkt->len < IPOIB_ETH_HLEN)
		return;
	et = (uint16_t)(f[12] << 8 | f[13]);
	if (et == 0x8100 && pkt->len >= IPOIB_VLAN_HLEN) {
		et = (uint16_t)(f[16] << 8 | f[17]);
		off = IPOIB_VLAN_HLEN;
	}
	if (et == IPOIB_ETHERTYPE_IPV4 && pkt->len >= off + 20)
		ip_learn(ip, AF_INET, f + off + 12, f + 6);
	else if (et == IPOIB_ETHERTYPE_IPV6 && pkt->len >= off + 40)
		ip_learn(ip, AF_INET6, f + off + 8, f + 6);
	else if (et == IPOIB_ETHERTYPE_ARP && pkt->len >= off + 28)
		ip_learn(ip, AF_INET, f + off + 14, f + off + 8);
}

static int eth_resolve(void *arg, uint16_t pkey, int family,
		       const uint8_t *addr, uint8_t mac[6])
{
	struct ip_entry *e = ip_find(arg, family, addr, false);

	if (!e)
		return -ENOENT;
	memcpy(mac, e->mac, 6);
	return 0;
}

/* ---- IB paths: LID <-> GID ---- */

static struct path_entry *path_by_lid(struct ipoib_port *ip, uint16_t lid)
{
	return &ip->by_lid[lid & (PATHMAP_SIZE - 1)];
}

static struct path_entry *path_by_gid(struct ipoib_port *ip,
				      const struct ipoib_gid *gid)
{
	uint32_t h = 2166136261u;
	unsigned int i;

	for (i = 0; i < IPOIB_GID_LEN; i++)
		h = (h ^ gid->raw[i]) * 16777619u;
	return &ip->by_gid[(h ^ (h >> 15)) & (PATHMAP_SIZE - 1)];
}

static void path_learn(struct ipoib_port *ip, const struct ipoib_gid *gid,
		       uint16_t lid, uint8_t sl)
{
	struct path_entry *a = path_by_lid(ip, lid), *b = path_by_gid(ip, gid);

	if (!lid || ipoib_gid_is_mcast(gid))
		return;
	a->gid = b->gid = *gid;
	a->lid = b->lid = lid;
	a->sl = b->sl = sl;
	a->used = b->used = true;
	a->expires = b->expires = 0;
}

/* DLID and SL of @gid: learned, else asked of the SA (negative cached). */
static int path_resolve(struct ipoib_port *ip, const struct ipoib_gid *gid,
			uint16_t *lid, uint8_t *sl)
{
	struct path_entry *e = path_by_gid(ip, gid);
	struct ipoib_path pr;
	bool known = e->used && !memcmp(e->gid.raw, gid->raw, IPOIB_GID_LEN);

	if (known && e->lid) {
		*lid = e->lid;
		*sl = e->sl;
		return 0;
	}
	if ((known && ip->ctx.now < e->expires) || !ip->sa)
		return -EHOSTUNREACH;
	if (ipoib_sa_path(ip->sa, gid, ip->ctx.pkey, &pr) || !pr.dlid) {
		e->gid = *gid;
		e->lid = 0;
		e->used = true;
		e->expires = ip->ctx.now + PATH_NEG_MS;
		return -EHOSTUNREACH;
	}
	path_learn(ip, gid, pr.dlid, pr.sl);
	*lid = pr.dlid;
	*sl = pr.sl;
	return 0;
}

/* ---- devices ---- */

static struct ibv_context *open_device(const char *name)
{
	struct ibv_device **list = ibv_get_device_list(NULL);
	struct ibv_context *ctx = NULL;
	int i;

	if (!list)
		return NULL;
	errno = ENODEV;
	for (i = 0; list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), name)) {
			ctx = ibv_open_device(list[i]);
			break;
		}
	ibv_free_device_list(list);
	return ctx;
}

/* Release what dev_open() took; accepts a device opened halfway. */
static void dev_close(struct ipoib_dev *d)
{
	if (d->big_mr)
		ibv_dereg_mr(d->big_mr);
	if (d->mr)
		ibv_dereg_mr(d->mr);
	if (d->pd)
		ibv_dealloc_pd(d->pd);
	if (d->ctx)
		ibv_close_device(d->ctx);
	free(d);
}

/* Open device @d->name and register @d->pool on it. 0 or a negative errno. */
static int dev_open(struct ipoib_dev *d)
{
	size_t len;
	void *base;
	int flags;

	d->ctx = open_device(d->name);
	if (!d->ctx)
		return -ENODEV;
	flags = fcntl(d->ctx->async_fd, F_GETFL);
	if (flags < 0 ||
	    fcntl(d->ctx->async_fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	d->pd = ibv_alloc_pd(d->ctx);
	if (!d->pd)
		return errno ? -errno : -ENOMEM;
	base = pool_region(d->pool, &len);
	d->mr = ibv_reg_mr(d->pd, base, len, IBV_ACCESS_LOCAL_WRITE);
	if (!d->mr)
		return errno ? -errno : -ENOMEM;
	if (!pool_big(d->pool))
		return 0;
	/* super-frames leave from there whole (peer links over RC) */
	base = pool_region(pool_big(d->pool), &len);
	d->big_mr = ibv_reg_mr(d->pd, base, len, IBV_ACCESS_LOCAL_WRITE);
	if (!d->big_mr)
		return errno ? -errno : -ENOMEM;
	return 0;
}

/* Drop a reference; the last one closes the device. Accepts NULL. */
static void dev_put(struct ipoib_kind *k, struct ipoib_dev *d)
{
	struct ipoib_dev **pp;

	if (!d || --d->refs)
		return;
	for (pp = &k->devs; *pp != d; pp = &(*pp)->next)
		;
	*pp = d->next;
	dev_close(d);
}

/*
 * The device @name with @pool registered on it into *@out, opened on first
 * use, with a reference taken; @k locked. Returns 0 or a negative errno.
 */
static int dev_get(struct ipoib_kind *k, const char *name, struct pool *pool,
		   struct ipoib_dev **out)
{
	struct ipoib_dev *d;
	int ret;

	for (d = k->devs; d; d = d->next)
		if (!strcmp(d->name, name) && d->pool == pool) {
			d->refs++;
			*out = d;
			return 0;
		}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	util_strlcpy(d->name, name, sizeof(d->name));
	d->pool = pool;
	ret = dev_open(d);
	if (ret) {
		dev_close(d);
		return ret;
	}
	d->refs = 1;
	d->next = k->devs;
	k->devs = d;
	*out = d;
	return 0;
}

/* ---- port setup ---- */

static int find_pkey_index(struct ipoib_port *ip, int tbl_len)
{
	uint16_t want = ip->cfg.pkey & IB_PKEY_BASE_MASK;
	int i, found = -1;
	__be16 pk;

	for (i = 0; i < tbl_len; i++) {
		if (ibv_query_pkey(ip->dev->ctx, ip->cfg.port_num, i, &pk))
			break;
		if ((be16toh(pk) & IB_PKEY_BASE_MASK) != want)
			continue;
		if (found < 0 || (be16toh(pk) & IB_PKEY_FULL_BIT)) {
			found = i;
			ip->ctx.pkey = be16toh(pk);
		}
	}
	return found;
}

static bool gid_v4_mapped(const union ibv_gid *g)
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(g->raw, pre, sizeof(pre));
}

/* RoCE: the first RoCE v2 GID that is not IPv4-mapped (see the header). */
static int pick_gid(struct ipoib_port *ip, int tbl_len)
{
	struct ibv_gid_entry ent;
	int i;

	if (!ip->roce || !ip->cfg.gid_auto)
		return ip->cfg.gid_index > 0 ? ip->cfg.gid_index : 0;
	for (i = 0; i < tbl_len; i++) {
		if (ibv_query_gid_ex(ip->dev->ctx, ip->cfg.port_num, i, &ent,
				     0))
			continue;
		if (ent.gid_type == IBV_GID_TYPE_ROCE_V2 &&
		    !gid_v4_mapped(&ent.gid) && ent.gid.global.interface_id)
			return i;
	}
	return -ENOENT;
}

static int port_identity(struct ipoib_port *ip)
{
	struct ibv_port_attr pa;
	union ibv_gid g;
	int idx;

	idx = ibv_query_port(ip->dev->ctx, ip->cfg.port_num, &pa);
	if (idx)
		return -idx; /* a positive errno */
	if (pa.state != IBV_PORT_ACTIVE)
		return -ENETDOWN;
	ip->roce = pa.link_layer == IBV_LINK_LAYER_ETHERNET;
	ip->lid = pa.lid;
	ip->mtu = 128u << pa.active_mtu;
	ip->ctx.pkey = ip->cfg.pkey;
	idx = find_pkey_index(ip, pa.pkey_tbl_len);
	if (idx < 0 && !ip->roce)
		return -ENOENT; /* the SM has not given us the partition */
	ip->pkey_index = idx < 0 ? 0 : (uint16_t)idx;
	if (ip->roce)
		ip->ctx.pkey = ip->cfg.pkey; /* only the logical PKey */
	idx = pick_gid(ip, pa.gid_tbl_len);
	if (idx < 0)
		return -EADDRNOTAVAIL; /* no usable GID: link without IPv6? */
	ip->sgid_index = (uint8_t)idx;
	if (ibv_query_gid(ip->dev->ctx, ip->cfg.port_num, idx, &g))
		return -errno;
	memcpy(ip->gid.raw, g.raw, IPOIB_GID_LEN);
	return 0;
}

/* IB: join the broadcast group through the SA; it gives Q_Key and MLID. */
static int join_group(struct ipoib_port *ip)
{
	int ret;

	ipoib_mgid_bcast(&ip->mgid, ip->ctx.pkey, IPOIB_SCOPE_LINK);
	ip->ctx.qkey = ip->cfg.qkey ? ip->cfg.qkey : IPOIB_DEFAULT_QKEY;
	if (ip->roce)
		return 0;
	ip->sa = ipoib_sa_open(ip->cfg.dev, ip->cfg.port_num, SA_TIMEOUT_MS);
	if (!ip->sa)
		return -errno;
	ret = ipoib_sa_join_bcast(ip->sa, ip->ctx.pkey, IPOIB_SCOPE_LINK,
				  ip->cfg.create_group, ip->ctx.qkey,
				  &ip->group);
	if (ret) {
		VLOG_WARN(
			"%s: joining the broadcast group failed: %s (is the partition set up with ipoib in the SM?)",
			ip->name, strerror(-ret));
		return ret;
	}
	ip->ctx.qkey = ip->group.qkey;
	if (ip->group.mtu >= 1 && ip->group.mtu <= 5)
		ip->mtu = MIN(ip->mtu, 128u << ip->group.mtu);
	return 0;
}

static int qp_create(struct ipoib_port *ip)
{
	struct ibv_qp_init_attr ia = {
		.send_cq = ip->scq,
		.recv_cq = ip->rcq,
		.cap = { .max_send_wr = ip->cfg.tx_depth,
			 .max_recv_wr = ip->cfg.rx_depth,
			 .max_send_sge = 1,
			 .max_recv_sge = 1 },
		.qp_type = IBV_QPT_UD,
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT,
				 .pkey_index = ip->pkey_index,
				 .port_num = ip->cfg.port_num,
				 .qkey = ip->ctx.qkey };
	int ret;

	ip->qp = ibv_create_qp(ip->dev->pd, &ia);
	if (!ip->qp)
		return -errno;
	/* ibv_modify_qp returns a positive errno */
	ret = ibv_modify_qp(ip->qp, &a,
			    IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
				    IBV_QP_QKEY);
	if (ret)
		return -ret;
	a.qp_state = IBV_QPS_RTR;
	ret = ibv_modify_qp(ip->qp, &a, IBV_QP_STATE);
	if (ret)
		return -ret;
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = 0;
	ret = ibv_modify_qp(ip->qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN);
	return -ret;
}

/*
 * RoCE v2 carries multicast as IPv6 multicast to the MGID. rxe attaches the
 * MGID's MAC to the netdev but does not join the IPv6 group, and the IPv6
 * input drops multicast of groups nobody joined: join it on the netdev of
 * our GID, with a socket kept for the port's life.
 */
static int roce_join_ip6(struct ipoib_port *ip, const struct ipoib_gid *mgid)
{
	struct ipv6_mreq mr = { 0 };
	char path[160], ndev[IF_NAMESIZE + 1] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path),
		 "/sys/class/infiniband/%s/ports/%u/gid_attrs/ndevs/%u",
		 ip->cfg.dev, ip->cfg.port_num, ip->sgid_index);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, ndev, sizeof(ndev) - 1);
	close(fd);
	if (n <= 0)
		return -ENODEV;
	ndev[strcspn(ndev, "\n")] = '\0';
	memcpy(&mr.ipv6mr_multiaddr, mgid->raw, IPOIB_GID_LEN);
	mr.ipv6mr_interface = if_nametoindex(ndev);
	if (!mr.ipv6mr_interface)
		return -ENODEV;
	if (ip->mc_sock < 0)
		ip->mc_sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ip->mc_sock < 0)
		return -errno;
	if (setsockopt(ip->mc_sock, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
		       sizeof(mr)))
		return -errno;
	return 0;
}

/* Does the port join fabricd's own group of its partition? */
static bool wants_proto_group(const struct ipoib_port *ip)
{
	return ip->cfg.proto_only || ip->cfg.proto_group;
}

/*
 * proto_only, proto_group: join fabricd's own group of the partition (IB: through the
 * SA, created like the broadcast group if missing; RoCE: attached, and
 * its IPv6 group joined). On failure the broadcast group serves (logged).
 */
static void join_proto_group(struct ipoib_port *ip)
{
	struct ipoib_mcmember like = ip->group;
	union ibv_gid mgid;
	int ret = 0;

	ipoib_mgid_proto(&like.mgid, ip->ctx.pkey, IPOIB_SCOPE_LINK);
	like.pkey = ip->ctx.pkey;
	like.qkey = ip->ctx.qkey;
	like.scope = IPOIB_SCOPE_LINK;
	if (!ip->roce && ip->sa)
		ret = ipoib_sa_join_group(ip->sa, &like, true, &ip->pgroup);
	else
		ip->pgroup = like;
	memcpy(mgid.raw, like.mgid.raw, IPOIB_GID_LEN);
	if (!ret)
		ret = -ibv_attach_mcast(ip->qp, &mgid, ip->pgroup.mlid);
	if (!ret && ip->roce)
		ret = roce_join_ip6(ip, &like.mgid);
	ip->pattached = !ret;
	if (!ret) {
		char g[48];

		VLOG_INFO("%s: fabricd's group %s (MLID %u)", ip->name,
			  ipoib_gid_format(&like.mgid, g, sizeof(g)),
			  ip->pgroup.mlid);
	} else {
		VLOG_WARN(
			"%s: fabricd's group not joined (%s): peer links use the broadcast group",
			ip->name, strerror(-ret));
	}
}

static int verbs_setup(struct ipoib_port *ip)
{
	struct ibv_context *ctx = ip->dev->ctx;
	union ibv_gid mgid;
	int ret;

	ip->ch = ibv_create_comp_channel(ctx);
	if (!ip->ch)
		return -errno;
	if (fcntl(ip->ch->fd, F_SETFL, fcntl(ip->ch->fd, F_GETFL) | O_NONBLOCK))
		return -errno;
	ip->rcq = ibv_create_cq(ctx, (int)ip->cfg.rx_depth, NULL, ip->ch, 0);
	ip->scq = ibv_create_cq(ctx, (int)ip->cfg.tx_depth, NULL, NULL, 0);
	if (!ip->rcq || !ip->scq)
		return -errno;
	ret = qp_create(ip);
	if (ret)
		return ret;
	memcpy(mgid.raw, ip->mgid.raw, IPOIB_GID_LEN);
	ret = ibv_attach_mcast(ip->qp, &mgid, ip->group.mlid);
	if (ret)
		return -ret;
	ip->attached = true;
	ret = ip->roce ? roce_join_ip6(ip, &ip->mgid) : 0;
	if (!ret && wants_proto_group(ip))
		join_proto_group(ip);
	return ret;
}

/* Post up to MAX_WC receives, each a whole pool buffer from its head. */
static unsigned int rx_post_batch(struct ipoib_port *ip)
{
	struct ibv_recv_wr wr[MAX_WC], *bad;
	struct ibv_sge sge[MAX_WC];
	unsigned int n = 0;

	while (ip->rx_posted + n < ip->cfg.rx_depth && n < MAX_WC) {
		struct pkt *pkt = pool_alloc(ip->pool);

		if (!pkt) {
			ip->st.rx_no_buffer++;
			break;
		}
		sge[n].addr = (uintptr_t)pkt->head;
		sge[n].length = ip->buf_size;
		sge[n].lkey = ip->dev->mr->lkey;
		wr[n].wr_id = (uintptr_t)pkt;
		wr[n].sg_list = &sge[n];
		wr[n].num_sge = 1;
		wr[n].next = NULL;
		if (n)
			wr[n - 1].next = &wr[n];
		n++;
	}
	if (n && ibv_post_recv(ip->qp, wr, &bad)) {
		for (; bad; bad = bad->next, n--)
			pool_free((struct pkt *)(uintptr_t)bad->wr_id);
	}
	ip->rx_posted += n;
	return n;
}

/* Keep rx_depth receives posted (as far as the pool allows). */
static void rx_refill(struct ipoib_port *ip)
{
	while (rx_post_batch(ip) == MAX_WC)
		;
}

static void ah_free(void *arg, void *ah)
{
	ibv_destroy_ah(ah);
}

static void port_init_ctx(struct ipoib_port *ip)
{
	ipoib_hwaddr_make(&ip->ctx.local, 0, ip->qp->qp_num, &ip->gid);
	ip->ctx.scope = IPOIB_SCOPE_LINK;
	ip->ctx.vid = 0; /* an access port: untagged frames */
	ip->ctx.stats = &ip->st.drops;
	ip->ctx.eth_resolve = eth_resolve;
	ip->ctx.arg = ip;
	ip->ctx.now = util_now_ms();
}

/*
 * Bring @ip up on its device: identity (PKey index, GID), the broadcast
 * group, the verbs objects, posted receives. Returns 0 or a negative errno;
 * what it set up before an error stays for port_teardown().
 */
static int port_setup(struct ipoib_port *ip)
{
	int ret;

	ret = port_identity(ip);
	if (ret)
		return ret;
	ret = join_group(ip);
	if (ret)
		return ret;
	ret = verbs_setup(ip);
	if (ret)
		return ret;
	ip->ahc = ipoib_ah_cache_create(ip->cfg.ah_cache, ah_free, NULL);
	ip->ctx.neigh = ipoib_neigh_create(ip->cfg.neigh_size);
	if (!ip->ahc || !ip->ctx.neigh)
		return -ENOMEM;
	port_init_ctx(ip);
	ip->dev_gen = ip->dev->gen[MIN(ip->cfg.port_num, DEV_MAX_PORTS)];
	rx_refill(ip);
	if (!ip->rx_posted)
		return -ENOBUFS;
	if (ibv_req_notify_cq(ip->rcq, 0))
		return -EIO;
	ip->armed = true;
	return 0;
}

/* ---- teardown ---- */

static void drain_cq(struct ibv_cq *cq, unsigned int *out)
{
	struct ibv_wc wc[MAX_WC];
	int i, n;

	while ((n = ibv_poll_cq(cq, MAX_WC, wc)) > 0)
		for (i = 0; i < n; i++, (*out)--)
			pool_free((struct pkt *)(uintptr_t)wc[i].wr_id);
}

/* Flush the QP's work requests and give their buffers back to the pool. */
static void qp_flush(struct ipoib_port *ip)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_ERR };
	uint64_t deadline = util_now_ms() + 1000;

	if (ibv_modify_qp(ip->qp, &a, IBV_QP_STATE))
		return;
	/* flushed work requests complete in error: take their buffers back */
	while ((ip->rx_posted || ip->tx_out) && util_now_ms() < deadline) {
		drain_cq(ip->rcq, &ip->rx_posted);
		drain_cq(ip->scq, &ip->tx_out);
	}
	if (ip->rx_posted || ip->tx_out)
		VLOG_WARN("%s: %u receive and %u send buffers not flushed",
			  ip->name, ip->rx_posted, ip->tx_out);
}

/*
 * Undo port_setup() as far as it got, and drop the device; the kind locked.
 * The port itself stays for port_destroy().
 */
static void port_teardown(struct ipoib_port *ip)
{
	union ibv_gid mgid;

	if (ip->qp) {
		if (ip->attached) {
			memcpy(mgid.raw, ip->mgid.raw, IPOIB_GID_LEN);
			ibv_detach_mcast(ip->qp, &mgid, ip->group.mlid);
		}
		if (ip->pattached) {
			memcpy(mgid.raw, ip->pgroup.mgid.raw, IPOIB_GID_LEN);
			ibv_detach_mcast(ip->qp, &mgid, ip->pgroup.mlid);
		}
		qp_flush(ip);
		ibv_destroy_qp(ip->qp);
	}
	ipoib_ah_prep_destroy(ip->prep);
	ipoib_ah_cache_destroy(ip->ahc);
	if (ip->sa && ip->group.mlid)
		ipoib_sa_leave(ip->sa, &ip->mgid);
	if (ip->sa && ip->pattached && ip->pgroup.mlid)
		ipoib_sa_leave(ip->sa, &ip->pgroup.mgid);
	ipoib_sa_close(ip->sa);
	if (ip->rcq) {
		if (ip->unacked)
			ibv_ack_cq_events(ip->rcq, ip->unacked);
		ibv_destroy_cq(ip->rcq);
	}
	if (ip->scq)
		ibv_destroy_cq(ip->scq);
	if (ip->ch)
		ibv_destroy_comp_channel(ip->ch);
	ipoib_neigh_destroy(ip->ctx.neigh);
	if (ip->mc_sock >= 0)
		close(ip->mc_sock);
	dev_put(ip->kind, ip->dev);
}

/* A port for @p, nothing set up yet. Returns NULL when out of memory. */
static struct ipoib_port *port_alloc(const struct port *p)
{
	struct ipoib_port *ip = calloc(1, sizeof(*ip));

	if (!ip)
		return NULL;
	ip->kind = p->kind_priv;
	pthread_mutex_init(&ip->lock, NULL);
	ip->mc_sock = -1;
	util_strlcpy(ip->name, p->name, sizeof(ip->name));
	ip->pool = p->pool;
	ip->buf_size = pool_buf_size(p->pool);
	return ip;
}

static void port_destroy(struct ipoib_port *ip)
{
	pthread_mutex_destroy(&ip->lock);
	free(ip);
}

/* ---- port ops ---- */

/* Give the engine the open port @ip: its fd, mode and payload size. */
static void port_publish(struct port *p, struct ipoib_port *ip)
{
	p->priv = ip;
	p->fd = ip->ch->fd;
	p->mode = ip->roce ? "ud-roce" : "ud-ib";
	p->flags = PORT_F_TX_POOL_ONLY;
	if (ip->cfg.proto_only)
		p->flags |= PORT_F_NO_FORWARD;
	p->max_payload =
		MIN(ip->buf_size - IPOIB_UD_HDR_LEN, ip->mtu - IPOIB_HDR_LEN);
	if (ip->buf_size < ip->mtu + IPOIB_GRH_LEN)
		VLOG_WARN(
			"%s: %u-byte pool buffers hold IPoIB packets of %u bytes, the path carries %u: peers with a larger IPoIB MTU lose packets (use 4096-byte buffers)",
			ip->name, ip->buf_size, ip->buf_size - IPOIB_GRH_LEN,
			ip->mtu);
	VLOG_INFO(
		"%s: QPN 0x%06x pkey 0x%04x (index %u) qkey 0x%08x mtu %u%s%s",
		ip->name, ip->qp->qp_num, ip->ctx.pkey, ip->pkey_index,
		ip->ctx.qkey, p->max_payload, ip->roce ? " (RoCE)" : "",
		ip->cfg.proto_only  ? ", peer links only" :
		ip->cfg.proto_group ? ", IPoIB and peer links" :
				      "");
}

/*
 * Configuration, device, QP and group in one critical section of the
 * kind's lock (its devices and its open ports change together). Without
 * the kind's state (ops not registered with ipoib_kind_create()'s) -EINVAL.
 */
static int ipoib_open(struct port *p)
{
	struct ipoib_kind *k = p->kind_priv;
	struct ipoib_port *ip;
	int ret;

	if (!k)
		return -EINVAL;
	ip = port_alloc(p);
	if (!ip)
		return -ENOMEM;
	pthread_mutex_lock(&k->lock);
	ret = port_cfg_locked(k, p->name, &ip->cfg);
	if (ret)
		goto err_unlock;
	ret = dev_get(k, ip->cfg.dev, p->pool, &ip->dev);
	if (ret)
		goto err_unlock;
	ret = port_setup(ip);
	if (ret)
		goto err_teardown;
	ip->next = k->ports;
	k->ports = ip;
	ip->gen = ++k->opens;
	pthread_mutex_unlock(&k->lock);
	port_publish(p, ip);
	return 0;

err_teardown:
	port_teardown(ip);
err_unlock:
	pthread_mutex_unlock(&k->lock);
	port_destroy(ip);
	return ret;
}

/* Read the device's async events without blocking (all its ports). */
static void dev_poll_events(struct ipoib_dev *d)
{
	struct ibv_async_event ev;

	while (!ibv_get_async_event(d->ctx, &ev)) {
		switch (ev.event_type) {
		case IBV_EVENT_PORT_ACTIVE:
		case IBV_EVENT_PORT_ERR:
		case IBV_EVENT_LID_CHANGE:
		case IBV_EVENT_PKEY_CHANGE:
		case IBV_EVENT_SM_CHANGE:
		case IBV_EVENT_CLIENT_REREGISTER:
		case IBV_EVENT_GID_CHANGE:
			if (ev.element.port_num <= DEV_MAX_PORTS)
				d->gen[ev.element.port_num]++;
			break;
		default:
			break;
		}
		ibv_ack_async_event(&ev);
	}
}

/* IB: join the broadcast group again (an SM restarted or moved). */
static void rejoin_group(struct ipoib_port *ip)
{
	struct ipoib_mcmember rec;
	union ibv_gid mgid;

	ipoib_sa_close(ip->sa);
	ip->sa = ipoib_sa_open(ip->cfg.dev, ip->cfg.port_num, SA_TIMEOUT_MS);
	if (!ip->sa ||
	    ipoib_sa_join_bcast(ip->sa, ip->ctx.pkey, IPOIB_SCOPE_LINK,
				ip->cfg.create_group, ip->ctx.qkey, &rec)) {
		VLOG_WARN("%s: rejoining the broadcast group failed", ip->name);
		return;
	}
	if (rec.mlid != ip->group.mlid) {
		memcpy(mgid.raw, ip->mgid.raw, IPOIB_GID_LEN);
		ibv_detach_mcast(ip->qp, &mgid, ip->group.mlid);
		ip->group = rec;
		ip->attached = !ibv_attach_mcast(ip->qp, &mgid, rec.mlid);
	}
	if (!wants_proto_group(ip))
		return;
	if (ip->pattached) {
		memcpy(mgid.raw, ip->pgroup.mgid.raw, IPOIB_GID_LEN);
		ibv_detach_mcast(ip->qp, &mgid, ip->pgroup.mlid);
	}
	join_proto_group(ip);
}

/*
 * The port changed (state, LID, SM, PKeys, GIDs): forget paths and address
 * handles, and on IB join the broadcast group again, as the SM asks after
 * a client reregister.
 */
static void port_refresh(struct ipoib_port *ip)
{
	struct ibv_port_attr pa;

	ip->st.refreshes++;
	memset(ip->by_lid, 0, sizeof(ip->by_lid));
	memset(ip->by_gid, 0, sizeof(ip->by_gid));
	ipoib_ah_cache_flush(ip->ahc);
	if (ibv_query_port(ip->dev->ctx, ip->cfg.port_num, &pa))
		return;
	ip->lid = pa.lid;
	VLOG_INFO("%s: port event: state %s, LID %u", ip->name,
		  ibv_port_state_str(pa.state), pa.lid);
	if (!ip->roce && pa.state == IBV_PORT_ACTIVE)
		rejoin_group(ip);
}

/* A handle made ahead of need goes into the cache (it made its own). */
static void prep_collected(void *arg, const struct ipoib_ah_key *key,
			   struct ibv_ah *ah)
{
	struct ipoib_port *ip = arg;

	if (ipoib_ah_cache_put(ip->ahc, key, ah, ip->done_seq))
		ibv_destroy_ah(ah);
}

/* Every HOUSEKEEP_MS: device events, neighbour aging, prepared handles. */
static void housekeep(struct ipoib_port *ip)
{
	uint32_t gen;

	if (ip->ctx.now - ip->last_housekeep < HOUSEKEEP_MS)
		return;
	ip->last_housekeep = ip->ctx.now;
	dev_poll_events(ip->dev);
	if (ip->prep)
		ipoib_ah_prep_collect(ip->prep, prep_collected, ip);
	gen = ip->dev->gen[MIN(ip->cfg.port_num, DEV_MAX_PORTS)];
	if (gen != ip->dev_gen) {
		ip->dev_gen = gen;
		port_refresh(ip);
	}
	if (ip->ctx.now - ip->last_age > NEIGH_MAX_AGE_MS / 10) {
		ipoib_neigh_age(ip->ctx.neigh, ip->ctx.now, NEIGH_MAX_AGE_MS);
		ip->last_age = ip->ctx.now;
	}
}

static void tx_error(struct ipoib_port *ip, const struct ibv_wc *wc)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 5);

	ip->st.tx_wc_errors++;
	VLOG_WARN_RL(&rl, "%s: send failed: %s (vendor error 0x%x)", ip->name,
		     ibv_wc_status_str(wc->status), wc->vendor_err);
}

/* Reclaim the buffers of completed sends; retire address handles. */
static void tx_reap(struct ipoib_port *ip)
{
	struct ibv_wc wc[MAX_WC];
	int i, n;

	while (ip->tx_out && (n = ibv_poll_cq(ip->scq, MAX_WC, wc)) > 0) {
		for (i = 0; i < n; i++) {
			if (wc[i].status != IBV_WC_SUCCESS)
				tx_error(ip, &wc[i]);
			pool_free((struct pkt *)(uintptr_t)wc[i].wr_id);
		}
		ip->tx_out -= (unsigned int)n;
		ip->done_seq += (unsigned int)n;
		ipoib_ah_cache_reap(ip->ahc, ip->done_seq);
	}
}

/* Source/destination GIDs of a receive; on IB learn the sender's LID. */
static int rx_addr(struct ipoib_port *ip, const struct ibv_wc *wc,
		   const uint8_t *grh, struct ipoib_rx_info *rx)
{
	struct path_entry *e;

	if ((wc->wc_flags & IBV_WC_GRH) &&
	    !ipoib_rx_gids(grh, &rx->sgid, &rx->dgid)) {
		if (!ip->roce)
			path_learn(ip, &rx->sgid, wc->slid, wc->sl);
		return 0;
	}
	if (ip->roce)
		return -EINVAL;
	/* native IB unicast carries no GRH: the GID comes from the LID */
	e = path_by_lid(ip, wc->slid);
	if (!e->used || e->lid != wc->slid) {
		ip->st.rx_no_gid++;
		return -ENOENT;
	}
	rx->sgid = e->gid;
	rx->dgid = ip->gid;
	return 0;
}

/*
 * One of fabricd's own frames (ipoib/proto.h) goes to its handler; our own
 * multicast coming back is dropped. Returns true when @pkt was taken
 * (handed on or freed), false when it is IPoIB's (or nobody's: decap
 * drops it).
 */
static bool rx_proto(struct ipoib_port *ip, const struct ibv_wc *wc,
		     struct pkt *pkt, const struct ipoib_rx_info *rx)
{
	struct ipoib_proto_rx prx = { .port = ip->name,
				      .pkey = ip->ctx.pkey,
				      .now = ip->ctx.now };

	if (wc->byte_len < IPOIB_UD_HDR_LEN ||
	    ipoib_hdr_parse(pkt->head + IPOIB_GRH_LEN, IPOIB_HDR_LEN,
			    &prx.ethertype) ||
	    !ipoib_proto_registered(prx.ethertype))
		return false;
	ipoib_hwaddr_make(&prx.src, 0, rx->src_qpn, &rx->sgid);
	if (ipoib_hwaddr_same_port(&prx.src, &ip->ctx.local)) {
		ipoib_drop_count(&ip->st.drops, IPOIB_DROP_LOOPBACK);
		pool_free(pkt);
		return true;
	}
	prx.slid = ip->roce ? 0 : wc->slid;
	prx.mcast = ipoib_gid_is_mcast(&rx->dgid);
	pkt->data = pkt->head + IPOIB_UD_HDR_LEN;
	pkt->len = wc->byte_len - IPOIB_UD_HDR_LEN;
	if (!ipoib_proto_deliver(&prx, pkt))
		return false; /* unregistered meanwhile */
	ip->st.rx_proto++;
	return true;
}

/* Did another gateway of our HA group send it (from its Ethernet)? */
static bool from_peer_gw(const struct ipoib_port *ip,
			 const struct ipoib_rx_info *rx)
{
	struct ipoib_hwaddr src;
	unsigned int i;

	ipoib_hwaddr_make(&src, 0, rx->src_qpn, &rx->sgid);
	for (i = 0; i < ip->n_peer_gws; i++)
		if (ipoib_hwaddr_same_port(&src, &ip->peer_gws[i]))
			return true;
	return false;
}

static bool rx_one(struct ipoib_port *ip, const struct ibv_wc *wc)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 5);
	struct pkt *pkt = (struct pkt *)(uintptr_t)wc->wr_id;
	struct ipoib_rx_info rx;

	if (wc->status != IBV_WC_SUCCESS) {
		ip->st.rx_wc_errors++;
		if (wc->status != IBV_WC_WR_FLUSH_ERR)
			VLOG_WARN_RL(&rl, "%s: receive failed: %s", ip->name,
				     ibv_wc_status_str(wc->status));
		goto drop;
	}
	rx.src_qpn = wc->src_qp;
	rx.qkey = ip->ctx.qkey; /* the QP filtered Q_Key and P_Key */
	rx.pkey = ip->ctx.pkey;
	if (rx_addr(ip, wc, pkt->head, &rx))
		goto drop;
	if (rx_proto(ip, wc, pkt, &rx))
		return false; /* a handler's, or dropped */
	if (ip->cfg.proto_only) {
		ip->st.rx_untranslated++;
		goto drop;
	}
	if (ip->n_peer_gws && from_peer_gw(ip, &rx)) {
		ipoib_drop_count(&ip->st.drops, IPOIB_DROP_PEER_GATEWAY);
		goto drop;
	}
	if (ipoib_port_rx_frame(&ip->ctx, pkt, wc->byte_len, ip->buf_size,
				&rx) != IPOIB_OK)
		goto drop;
	ip->st.rx_packets++;
	return true;
drop:
	pool_free(pkt);
	return false;
}

/*
 * Poll up to @n receives. The channel's event is consumed and the CQ
 * re-armed only when the CQ runs dry, so the port's fd stays readable
 * while completions wait.
 */
static int rx_poll(struct ipoib_port *ip, struct ibv_wc *wc, int n)
{
	struct ibv_cq *cq;
	void *cq_ctx;
	int got, more;

	got = ibv_poll_cq(ip->rcq, n, wc);
	if (got < 0 || got == n)
		return got;
	if (!ibv_get_cq_event(ip->ch, &cq, &cq_ctx)) {
		ip->armed = false;
		if (++ip->unacked >= ACK_BATCH) {
			ibv_ack_cq_events(ip->rcq, ip->unacked);
			ip->unacked = 0;
		}
	}
	if (ip->armed)
		return got;
	if (ibv_req_notify_cq(ip->rcq, 0))
		return -EIO;
	ip->armed = true;
	more = ibv_poll_cq(ip->rcq, n - got, wc + got);
	return more < 0 ? more : got + more;
}

static int ipoib_rx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct ipoib_port *ip = p->priv;
	struct ibv_wc wc[MAX_WC];
	int i, got, k = 0;

	pthread_mutex_lock(&ip->lock);
	tx_reap(ip);
	got = rx_poll(ip, wc, (int)MIN(n, MAX_WC));
	if (got < 0) {
		pthread_mutex_unlock(&ip->lock);
		return -EIO;
	}
	ip->ctx.now = util_now_ms();
	ip->rx_posted -= (unsigned int)got;
	ip->st.rx_polls += got > 0;
	for (i = 0; i < got; i++)
		if (rx_one(ip, &wc[i]))
			pkts[k++] = (struct pkt *)(uintptr_t)wc[i].wr_id;
	rx_refill(ip);
	housekeep(ip);
	pthread_mutex_unlock(&ip->lock);
	return k;
}

/* Where @tx goes, as an AH cache key. Returns 0 or -EHOSTUNREACH. */
static int tx_ah_key(struct ipoib_port *ip, const struct ipoib_tx_info *tx,
		     struct ipoib_ah_key *key)
{
	memset(key, 0, sizeof(*key));
	if (ipoib_hwaddr_is_mcast(&tx->dst)) {
		const struct ipoib_mcmember *g = &ip->group;

		/* fabricd's frames to its group, if joined; every other
		 * multicast to the broadcast group (see header) */
		key->dgid = ip->mgid;
		if (ip->pattached && tx->ethertype &&
		    !ipoib_ethertype_own(tx->ethertype)) {
			g = &ip->pgroup;
			key->dgid = ip->pgroup.mgid;
		}
		key->dlid = g->mlid;
		key->sl = g->sl;
		key->global = 1;
		return 0;
	}
	ipoib_hwaddr_gid(&tx->dst, &key->dgid);
	if (ip->roce) {
		key->global = 1;
		return 0;
	}
	if (path_resolve(ip, &key->dgid, &key->dlid, &key->sl)) {
		ip->st.tx_no_path++;
		return -EHOSTUNREACH;
	}
	memset(&key->dgid, 0, sizeof(key->dgid)); /* no GRH in the subnet */
	return 0;
}

/* The attributes of the address handle for @key. */
static void ah_attr(const struct ipoib_port *ip, const struct ipoib_ah_key *key,
		    struct ibv_ah_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->port_num = ip->cfg.port_num;
	a->dlid = key->dlid;
	a->sl = key->sl;
	a->is_global = key->global;
	memcpy(a->grh.dgid.raw, key->dgid.raw, IPOIB_GID_LEN);
	a->grh.sgid_index = ip->sgid_index;
	a->grh.hop_limit = ip->roce ? 64 : 1;
}

/* The address handle for @tx's destination, from the cache or created. */
static struct ibv_ah *tx_ah(struct ipoib_port *ip,
			    const struct ipoib_tx_info *tx, uint64_t seq)
{
	struct ibv_ah_attr a;
	struct ipoib_ah_key key;
	struct ibv_ah *ah;

	if (tx_ah_key(ip, tx, &key))
		return NULL;
	ah = ipoib_ah_cache_get(ip->ahc, &key, seq);
	if (ah)
		return ah;
	ah_attr(ip, &key, &a);
	ah = ibv_create_ah(ip->dev->pd, &a);
	if (!ah || ipoib_ah_cache_put(ip->ahc, &key, ah, seq)) {
		if (ah)
			ibv_destroy_ah(ah);
		ip->st.tx_ah_errors++;
		return NULL;
	}
	return ah;
}

/* The work request sending @pkt as it is to @tx->dst; false: no AH. */
static bool tx_wr(struct ipoib_port *ip, const struct ipoib_tx_info *tx,
		  struct pkt *pkt, struct ibv_send_wr *wr, struct ibv_sge *sge,
		  uint64_t seq)
{
	memset(wr, 0, sizeof(*wr));
	wr->wr.ud.ah = tx_ah(ip, tx, seq);
	if (!wr->wr.ud.ah)
		return false;
	wr->wr.ud.remote_qpn = ipoib_hwaddr_qpn(&tx->dst);
	wr->wr.ud.remote_qkey = ip->ctx.qkey;
	wr->wr_id = (uintptr_t)pkt;
	wr->opcode = IBV_WR_SEND;
	wr->send_flags = IBV_SEND_SIGNALED;
	wr->sg_list = sge;
	wr->num_sge = 1;
	sge->addr = (uintptr_t)pkt->data;
	sge->length = pkt->len;
	sge->lkey = ip->dev->mr->lkey;
	return true;
}

/* Translate @pkt and fill its work request; false: dropped (and freed). */
static bool tx_one(struct ipoib_port *ip, struct pkt *pkt,
		   struct ibv_send_wr *wr, struct ibv_sge *sge, uint64_t seq)
{
	struct ipoib_tx_info tx;

	learn_src(ip, pkt);
	if (ipoib_port_tx_frame(&ip->ctx, pkt, ip->buf_size, &tx) != IPOIB_OK)
		goto drop;
	if (pkt->len > ip->mtu) {
		ip->st.tx_too_big++;
		goto drop;
	}
	if (tx_wr(ip, &tx, pkt, wr, sge, seq))
		return true;
drop:
	pool_free(pkt);
	return false;
}

/* Post the chain @wr[0..@k); buffers of what the QP refused are freed. */
static void tx_post(struct ipoib_port *ip, struct ibv_send_wr *wr,
		    unsigned int k)
{
	struct ibv_send_wr *bad = NULL;
	unsigned int i;

	if (!k)
		return;
	for (i = 0; i + 1 < k; i++)
		wr[i].next = &wr[i + 1];
	ip->st.tx_posts++;
	if (ibv_post_send(ip->qp, wr, &bad)) {
		for (; bad; bad = bad->next, k--) {
			pool_free((struct pkt *)(uintptr_t)bad->wr_id);
			ip->hw.tx_errors++;
		}
	}
	ip->tx_out += k;
	ip->send_seq += k;
	ip->st.tx_packets += k;
}

static int ipoib_tx_burst(struct port *p, struct pkt **pkts, unsigned int n)
{
	struct ipoib_port *ip = p->priv;
	struct ibv_send_wr wr[MAX_WC];
	struct ibv_sge sge[MAX_WC];
	unsigned int i, k = 0;

	pthread_mutex_lock(&ip->lock);
	ip->ctx.now = util_now_ms();
	housekeep(ip);
	tx_reap(ip);
	for (i = 0; i < n; i++) {
		if (ip->cfg.proto_only) { /* PORT_F_NO_FORWARD: none come */
			pool_free(pkts[i]);
			continue;
		}
		if (k == MAX_WC || ip->tx_out + k >= ip->cfg.tx_depth) {
			tx_post(ip, wr, k);
			k = 0;
			tx_reap(ip);
			if (ip->tx_out >= ip->cfg.tx_depth)
				break; /* the rest is the engine's (tx_full) */
		}
		if (tx_one(ip, pkts[i], &wr[k], &sge[k], ip->send_seq + k + 1))
			k++;
	}
	tx_post(ip, wr, k);
	pthread_mutex_unlock(&ip->lock);
	return (int)i;
}

/* The open port of partition @pkey (its 15-bit base); @k locked. */
static struct ipoib_port *port_by_pkey(struct ipoib_kind *k, uint16_t pkey)
{
	struct ipoib_port *ip;

	for (ip = k->ports; ip; ip = ip->next)
		if (!((ip->ctx.pkey ^ pkey) & IB_PKEY_BASE_MASK))
			return ip;
	return NULL;
}

/* Frame @pkt of @ethertype to @dst into @wr; false: dropped (freed). */
static bool raw_one(struct ipoib_port *ip, uint16_t ethertype, struct pkt *pkt,
		    const struct ipoib_hwaddr *dst, struct ibv_send_wr *wr,
		    struct ibv_sge *sge, uint64_t seq)
{
	struct ipoib_tx_info tx = { .dst = *dst, .ethertype = ethertype };

	if (pkt->pool != ip->pool || pkt_headroom(pkt) < IPOIB_HDR_LEN) {
		ipoib_drop_count(&ip->st.drops, IPOIB_DROP_NO_ROOM);
		goto drop;
	}
	pkt->data -= IPOIB_HDR_LEN;
	pkt->len += IPOIB_HDR_LEN;
	ipoib_hdr_write(pkt->data, ethertype);
	if (pkt->len > ip->mtu) {
		ip->st.tx_too_big++;
		goto drop;
	}
	if (!tx_wr(ip, &tx, pkt, wr, sge, seq))
		goto drop;
	return true;
drop:
	pool_free(pkt);
	return false;
}

int ipoib_port_send_raw(struct ipoib_kind *k, uint16_t pkey, uint16_t ethertype,
			struct pkt **pkts, const struct ipoib_hwaddr *dst,
			unsigned int n)
{
	struct ibv_send_wr wr[MAX_WC];
	struct ibv_sge sge[MAX_WC];
	struct ipoib_port *ip;
	unsigned int i, m = 0;

	pthread_mutex_lock(&k->lock);
	ip = port_by_pkey(k, pkey);
	if (!ip) {
		pthread_mutex_unlock(&k->lock);
		return -ENODEV;
	}
	pthread_mutex_lock(&ip->lock);
	ip->ctx.now = util_now_ms();
	tx_reap(ip);
	/* one chain per MAX_WC frames, as ipoib_tx_burst() */
	for (i = 0; i < n; i++) {
		if (m == MAX_WC || ip->tx_out + m >= ip->cfg.tx_depth) {
			tx_post(ip, wr, m);
			ip->st.tx_proto += m;
			m = 0;
			tx_reap(ip);
			if (ip->tx_out >= ip->cfg.tx_depth)
				break; /* the rest stays the caller's */
		}
		if (raw_one(ip, ethertype, pkts[i], &dst[i], &wr[m], &sge[m],
			    ip->send_seq + m + 1))
			m++;
	}
	tx_post(ip, wr, m);
	ip->st.tx_proto += m;
	pthread_mutex_unlock(&ip->lock);
	pthread_mutex_unlock(&k->lock);
	return (int)i;
}

int ipoib_port_raw_info(struct ipoib_kind *k, uint16_t pkey,
			struct ipoib_hwaddr *local)
{
	struct ipoib_port *ip;
	int ret = -ENODEV;

	pthread_mutex_lock(&k->lock);
	ip = port_by_pkey(k, pkey);
	if (ip) {
		pthread_mutex_lock(&ip->lock);
		ret = (int)MIN(ip->buf_size - IPOIB_UD_HDR_LEN,
			       ip->mtu - IPOIB_HDR_LEN);
		if (local)
			*local = ip->ctx.local;
		pthread_mutex_unlock(&ip->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

/* *@v of open port @ip, with a reference on its device; @k locked. */
static void verbs_fill(struct ipoib_port *ip, struct ipoib_proto_verbs *v)
{
	struct ipoib_dev *d = ip->dev;

	memset(v, 0, sizeof(*v));
	v->ctx = d->ctx;
	v->pd = d->pd;
	v->port_num = ip->cfg.port_num;
	v->pkey_index = ip->pkey_index;
	v->sgid_index = ip->sgid_index;
	v->roce = ip->roce;
	v->lid = ip->lid;
	v->path_mtu = (uint8_t)(__builtin_ctz(ip->mtu) - 7); /* 256: 1 */
	v->local = ip->ctx.local;
	v->pool = d->pool;
	v->lkey = d->mr->lkey;
	if (d->big_mr) {
		v->big = pool_big(d->pool);
		v->big_lkey = d->big_mr->lkey;
	}
	v->gen = ip->gen;
	v->dev = d;
	d->refs++;
}

int ipoib_port_verbs_get(struct ipoib_kind *k, uint16_t pkey,
			 struct ipoib_proto_verbs *v)
{
	struct ipoib_port *ip;
	int ret = -ENODEV;

	pthread_mutex_lock(&k->lock);
	ip = port_by_pkey(k, pkey);
	if (ip) {
		verbs_fill(ip, v);
		ret = 0;
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

void ipoib_port_verbs_put(struct ipoib_kind *k, void *dev)
{
	pthread_mutex_lock(&k->lock);
	dev_put(k, dev);
	pthread_mutex_unlock(&k->lock);
}

int64_t ipoib_port_verbs_gen(struct ipoib_kind *k, uint16_t pkey)
{
	struct ipoib_port *ip;
	int64_t ret = -ENODEV;

	pthread_mutex_lock(&k->lock);
	ip = port_by_pkey(k, pkey);
	if (ip)
		ret = ip->gen;
	pthread_mutex_unlock(&k->lock);
	return ret;
}

int ipoib_port_set_peer_gws(struct ipoib_kind *k, uint16_t pkey,
			    const struct ipoib_hwaddr *gws, unsigned int n)
{
	struct ipoib_port *ip;

	pthread_mutex_lock(&k->lock);
	ip = port_by_pkey(k, pkey);
	if (ip) {
		pthread_mutex_lock(&ip->lock);
		ip->n_peer_gws = MIN(n, IPOIB_PEER_GW_MAX);
		memcpy(ip->peer_gws, gws, ip->n_peer_gws * sizeof(*gws));
		pthread_mutex_unlock(&ip->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return ip ? 0 : -ENODEV;
}

/* RoCE: have the handle of neighbour @hw made ahead of need. */
static int prep_one(struct ipoib_port *ip, const struct ipoib_hwaddr *hw)
{
	struct ipoib_ah_key key;
	struct ibv_ah_attr a;

	memset(&key, 0, sizeof(key));
	key.global = 1;
	ipoib_hwaddr_gid(hw, &key.dgid);
	if (ipoib_ah_cache_has(ip->ahc, &key))
		return 0;
	if (!ip->prep)
		ip->prep = ipoib_ah_prep_create(ip->dev->pd);
	if (!ip->prep)
		return -errno;
	ah_attr(ip, &key, &a);
	return ipoib_ah_prep_request(ip->prep, &key, &a);
}

int ipoib_port_neigh_add(struct ipoib_kind *k, uint16_t pkey,
			 const struct ipoib_hwaddr *hws, unsigned int n)
{
	struct ipoib_port *ip;
	unsigned int i;
	int ret = 0;

	pthread_mutex_lock(&k->lock);
	ip = port_by_pkey(k, pkey);
	if (!ip)
		ret = -ENODEV;
	else {
		pthread_mutex_lock(&ip->lock);
		for (i = 0; i < n; i++) {
			if (ipoib_hwaddr_same_port(&hws[i], &ip->ctx.local) ||
			    ipoib_neigh_learn(ip->ctx.neigh, ip->ctx.pkey,
					      &hws[i], util_now_ms(), NULL))
				continue;
			ret++;
			if (ip->roce)
				prep_one(ip, &hws[i]);
		}
		pthread_mutex_unlock(&ip->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

static void ipoib_close(struct port *p)
{
	struct ipoib_port *ip = p->priv, **pp;
	struct ipoib_kind *k;

	if (!ip)
		return;
	k = ip->kind;
	pthread_mutex_lock(&k->lock);
	for (pp = &k->ports; *pp; pp = &(*pp)->next)
		if (*pp == ip) {
			*pp = ip->next;
			break;
		}
	port_teardown(ip);
	pthread_mutex_unlock(&k->lock);
	port_destroy(ip);
	p->priv = NULL;
}

static void ipoib_stats(struct port *p, struct port_hw_stats *st)
{
	struct ipoib_port *ip = p->priv;

	pthread_mutex_lock(&ip->lock);
	*st = ip->hw;
	st->rx_dropped = ip->st.rx_no_buffer + ip->st.rx_wc_errors;
	st->tx_errors += ip->st.tx_wc_errors;
	pthread_mutex_unlock(&ip->lock);
}

void ipoib_port_foreach(struct ipoib_kind *k,
			void (*fn)(void *arg, const struct ipoib_port_view *v),
			void *arg)
{
	struct ipoib_port_view v;
	struct ipoib_port *ip;

	pthread_mutex_lock(&k->lock);
	for (ip = k->ports; ip; ip = ip->next) {
		pthread_mutex_lock(&ip->lock);
		v.name = ip->name;
		v.pkey = ip->ctx.pkey;
		v.qkey = ip->ctx.qkey;
		v.roce = ip->roce;
		v.local = ip->ctx.local;
		v.mlid = ip->group.mlid;
		v.mtu = ip->mtu - IPOIB_HDR_LEN;
		v.neigh = ip->ctx.neigh;
		v.stats = &ip->st;
		fn(arg, &v);
		pthread_mutex_unlock(&ip->lock);
	}
	pthread_mutex_unlock(&k->lock);
}

/*
 * A mirror's view of @pkt on the IB wire: the UD buffer's GRH (our GID and
 * the neighbour's, found by its MAC, or the broadcast MGID; zero when not
 * known) and the IPoIB header; the payload follows the Ethernet header.
 */
static unsigned int ipoib_wire_header(struct port *p, const struct pkt *pkt,
				      bool tx, uint8_t *hdr, unsigned int len)
{
	struct ipoib_port *ip = p->priv;
	struct ipoib_gid local, peer = { { 0 } }, group;
	struct ipoib_hwaddr hw;
	bool mc = pkt->data[0] & 1;

	if (len < IPOIB_UD_HDR_LEN || pkt->len < 14)
		return 0;
	pthread_mutex_lock(&ip->lock);
	local = ip->gid;
	group = ip->mgid;
	if (!ipoib_neigh_lookup_mac(ip->ctx.neigh, ip->ctx.pkey,
				    pkt->data + (tx ? 0 : 6), &hw))
		memcpy(peer.raw, hw.raw + 4, IPOIB_GID_LEN);
	pthread_mutex_unlock(&ip->lock);
	ipoib_grh_write(hdr, (uint16_t)(pkt->len - 14 + IPOIB_HDR_LEN),
			tx ? &local : &peer,
			mc ? &group :
			tx ? &peer :
			     &local);
	ipoib_hdr_write(hdr + IPOIB_GRH_LEN, util_get_be16(pkt->data + 12));
	return IPOIB_UD_HDR_LEN;
}

const struct port_ops ipoib_port_ops = {
	.kind = "ipoib",
	.open = ipoib_open,
	.rx_burst = ipoib_rx_burst,
	.tx_burst = ipoib_tx_burst,
	.close = ipoib_close,
	.stats = ipoib_stats,
	.wire_header = ipoib_wire_header,
};
