// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The process-wide instance of the XDP program: a libbpf skeleton
 * (build/gen/xdp_fast.skel.h, made by bpftool from the object clang built)
 * and a table of the interfaces it is attached to; an interface's index in
 * that table is its socket's key in the XSKMAP.
 */
#include "eth/xdp_fast.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_fast.skel.h"

struct xf_if {
	int ifindex; /* 0: free */
	int link_fd;
	struct xdp_fast_if info;
};

static struct {
	struct xf_skel *skel;
	unsigned int users; /* attached interfaces and holds */
	unsigned int gen; /* loads so far */
	struct xf_if ifs[XF_MAX_IFS];
} xf;

static const char *const reason_names[XF_REASON_MAX] = {
	[XF_SLOW_PORT] = "slow_port",
	[XF_SLOW_MULTICAST] = "slow_multicast",
	[XF_SLOW_HEADER] = "slow_header",
	[XF_SLOW_PARTITION] = "slow_partition",
	[XF_SLOW_SRC] = "slow_src",
	[XF_SLOW_DST] = "slow_dst",
	[XF_SLOW_EGRESS] = "slow_egress",
	[XF_DROP_ISOLATION] = "isolation",
	[XF_DROP_NO_HEADROOM] = "no_headroom",
};

const char *xdp_fast_reason_name(enum xf_reason r)
{
	return (unsigned int)r < XF_REASON_MAX ? reason_names[r] : "unknown";
}

static int map_fd(struct bpf_map *m)
{
	return xf.skel ? bpf_map__fd(m) : -ENODEV;
}

/* libbpf's own messages: warnings only, to stderr. */
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

bool xdp_fast_wanted(void)
{
	const char *s = getenv("FABRICD_NO_FASTPATH");

	return !s || !*s || !strcmp(s, "0");
}

int xdp_fast_hold(void)
{
	if (xf.skel) {
		xf.users++;
		return 0;
	}
	libbpf_set_print(print_fn);
	xf.skel = xf_skel__open_and_load();
	if (!xf.skel)
		return errno ? -errno : -EINVAL;
	xf.users = 1;
	if (!++xf.gen)
		xf.gen = 1;
	return 0;
}

void xdp_fast_put(void)
{
	if (!xf.skel || --xf.users)
		return;
	xf_skel__destroy(xf.skel);
	xf.skel = NULL;
}

int xdp_fast_prog_fd(void)
{
	return xf.skel ? bpf_program__fd(xf.skel->progs.fabricd_xdp) : -ENODEV;
}

static struct xf_if *if_find(int ifindex)
{
	unsigned int i;

	for (i = 0; i < XF_MAX_IFS; i++)
		if (xf.ifs[i].ifindex == ifindex)
			return &xf.ifs[i];
	return NULL;
}

/* Driver mode, else generic (skb) mode. Returns a link fd. */
static int link_xdp(int prog_fd, int ifindex, bool *native)
{
	static const uint32_t modes[] = { XDP_FLAGS_DRV_MODE,
					  XDP_FLAGS_SKB_MODE };
	LIBBPF_OPTS(bpf_link_create_opts, o);
	int fd = -EINVAL;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		o.flags = modes[i];
		fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &o);
		*native = modes[i] == XDP_FLAGS_DRV_MODE;
		if (fd >= 0)
			return fd;
		fd = -errno;
	}
	return fd;
}

/* The interface's entry: its socket and no slot (slow path only). */
static int if_enter(struct xf_if *x, int xsk_fd)
{
	struct xf_port p = { .xsk = (uint32_t)(x - xf.ifs),
			     .slot = XF_NO_SLOT };
	uint32_t key = (uint32_t)x->ifindex;
	int ret;

	ret = bpf_map_update_elem(map_fd(xf.skel->maps.xsks), &p.xsk, &xsk_fd,
				  BPF_ANY);
	if (!ret)
		ret = bpf_map_update_elem(map_fd(xf.skel->maps.ports), &key, &p,
					  BPF_ANY);
	return ret ? -errno : 0;
}

int xdp_fast_attach(int ifindex, int xsk_fd, bool zerocopy)
{
	struct xf_if *x = if_find(0);
	int ret;

	if (!x || if_find(ifindex))
		return x ? -EEXIST : -ENOSPC;
	ret = xdp_fast_hold();
	if (ret)
		return ret;
	x->ifindex = ifindex;
	x->info.zerocopy = zerocopy;
	ret = if_enter(x, xsk_fd);
	if (!ret) {
		x->link_fd =
			link_xdp(xdp_fast_prog_fd(), ifindex, &x->info.native);
		ret = x->link_fd < 0 ? x->link_fd : 0;
	}
	if (ret) {
		x->link_fd = -1;
		xdp_fast_detach(ifindex);
	}
	return ret;
}

void xdp_fast_detach(int ifindex)
{
	struct xf_if *x = ifindex ? if_find(ifindex) : NULL;
	uint32_t key = (uint32_t)ifindex, idx;

	if (!x)
		return;
	idx = (uint32_t)(x - xf.ifs);
	if (x->link_fd >= 0)
		close(x->link_fd);
	bpf_map_delete_elem(map_fd(xf.skel->maps.ports), &key);
	bpf_map_delete_elem(map_fd(xf.skel->maps.xsks), &idx);
	memset(x, 0, sizeof(*x));
	xdp_fast_put();
}

int xdp_fast_if_get(int ifindex, struct xdp_fast_if *info)
{
	struct xf_if *x = ifindex ? if_find(ifindex) : NULL;

	if (!x)
		return -ENOENT;
	*info = x->info;
	return 0;
}

static int update(struct bpf_map *m, const void *key, const void *val)
{
	int fd = map_fd(m);

	if (fd < 0)
		return fd;
	return bpf_map_update_elem(fd, key, val, BPF_ANY) ? -errno : 0;
}

int xdp_fast_port_set(int ifindex, unsigned int slot, uint16_t part,
		      unsigned int flags)
{
	struct xf_egress eg = { .ifindex = (uint32_t)ifindex,
				.flags = (uint8_t)flags };
	uint32_t key = (uint32_t)ifindex, s = slot;
	struct xf_port p;
	int ret;

	if (!xf.skel)
		return -ENODEV;
	if (slot >= XF_MAX_PORTS)
		return -EINVAL;
	if (bpf_map_lookup_elem(map_fd(xf.skel->maps.ports), &key, &p))
		p.xsk = XF_NO_XSK; /* not attached (tests): no socket */
	p.slot = slot;
	p.part = part;
	p.flags = (uint8_t)flags;
	ret = update(xf.skel->maps.ports, &key, &p);
	if (!ret)
		ret = update(xf.skel->maps.egress, &s, &eg);
	if (!ret && (flags & XF_PORT_EGRESS))
		ret = update(xf.skel->maps.devs, &s, &key);
	return ret;
}

/* ETHTOOL_GSSET_INFO: how many statistics @ifr's interface has. */
static int stats_count(int s, struct ifreq *ifr)
{
	uint64_t buf[4] = { 0 }; /* the header and one length */
	struct ethtool_sset_info *si = (struct ethtool_sset_info *)buf;

	si->cmd = ETHTOOL_GSSET_INFO;
	si->sset_mask = 1ull << ETH_SS_STATS;
	ifr->ifr_data = (void *)si;
	if (ioctl(s, SIOCETHTOOL, ifr) || !si->sset_mask)
		return -ENOTSUP;
	return (int)si->data[0];
}

/* Whether statistic @name counts XDP frames sent (not their errors). */
static bool is_xmit(const char *name)
{
	size_t n = strnlen(name, ETH_GSTRING_LEN);

	return n >= 8 && !memcmp(name + n - 8, "xdp_xmit", 8);
}

/* Sum of @s's statistics whose names is_xmit() likes; -ENOTSUP: none. */
static int64_t sum_xmit(int s, struct ifreq *ifr, int n)
{
	struct ethtool_gstrings *gs;
	struct ethtool_stats *st;
	int64_t sum = -ENOTSUP;
	int i;

	gs = calloc(1, sizeof(*gs) + (size_t)n * ETH_GSTRING_LEN);
	st = calloc(1, sizeof(*st) + (size_t)n * sizeof(uint64_t));
	if (!gs || !st)
		goto out;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = (uint32_t)n;
	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = (uint32_t)n;
	ifr->ifr_data = (void *)gs;
	if (ioctl(s, SIOCETHTOOL, ifr))
		goto out;
	ifr->ifr_data = (void *)st;
	if (ioctl(s, SIOCETHTOOL, ifr))
		goto out;
	for (i = 0; i < n; i++)
		if (is_xmit((char *)gs->data + i * ETH_GSTRING_LEN))
			sum = (sum < 0 ? 0 : sum) + (int64_t)st->data[i];
out:
	free(gs);
	free(st);
	return sum;
}

/* The frames XDP has sent out of @ifindex so far, or a negative errno. */
static int64_t xmit_count(int ifindex)
{
	struct ifreq ifr = { 0 };
	int64_t ret = -ENODEV;
	int s, n;

	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -ENODEV;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	n = stats_count(s, &ifr);
	ret = n > 0 ? sum_xmit(s, &ifr, n) : -ENOTSUP;
	close(s);
	return ret;
}

int xdp_fast_probe(int ifindex, unsigned int slot)
{
	uint8_t frame[XDP_FAST_PROBE_LEN];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 1,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	uint32_t s = slot, key = (uint32_t)ifindex;
	int64_t before, after;
	int ret;

	if (!xf.skel)
		return -ENODEV;
	frame_probe_build(frame);
	ret = update(xf.skel->maps.devs, &s, &key);
	if (ret)
		return ret;
	before = xmit_count(ifindex);
	if (before < 0)
		return (int)before;
	xf.skel->bss->probe_slot = slot;
	if (bpf_prog_test_run_opts(
		    bpf_program__fd(xf.skel->progs.fabricd_probe), &o))
		return -errno;
	after = xmit_count(ifindex);
	if (after < 0)
		return (int)after;
	return after > before;
}

void xdp_fast_slot_clear(unsigned int slot)
{
	struct xf_egress eg = { 0 };
	uint32_t s = slot;

	if (!xf.skel || slot >= XF_MAX_PORTS)
		return;
	update(xf.skel->maps.egress, &s, &eg);
	bpf_map_delete_elem(map_fd(xf.skel->maps.devs), &s);
}

/* Keys 0..@n-1 of array map @m from @vals, in one call. */
static int load_array(struct bpf_map *m, const void *vals, uint32_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t *keys = calloc(n, sizeof(*keys)), i, count = n;
	int ret;

	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		keys[i] = i;
	ret = bpf_map_update_batch(map_fd(m), keys, vals, &count, &o);
	free(keys);
	return ret ? -errno : 0;
}

int xdp_fast_parts_load(const struct xf_part *parts, const uint32_t *vids)
{
	int ret;

	if (!xf.skel)
		return -ENODEV;
	ret = load_array(xf.skel->maps.parts, parts, XF_MAX_PARTS);
	return ret ? ret : load_array(xf.skel->maps.vids, vids, 4096);
}

unsigned int xdp_fast_gen(void)
{
	return xf.skel ? xf.gen : 0;
}

static struct xf_fdb_key fdb_key_of(uint16_t part, uint64_t mac)
{
	struct xf_fdb_key k = { .part = part };
	int i;

	for (i = 0; i < 6; i++)
		k.mac[i] = (uint8_t)(mac >> (8 * (5 - i)));
	return k;
}

int xdp_fast_fdb_set(uint16_t part, uint64_t mac, unsigned int slot)
{
	struct xf_fdb_key k = fdb_key_of(part, mac);
	struct xf_fdb_val v = { .slot = slot };

	if (!xf.skel)
		return -ENODEV;
	return update(xf.skel->maps.fdb, &k, &v);
}

int xdp_fast_fdb_del(uint16_t part, uint64_t mac)
{
	struct xf_fdb_key k = fdb_key_of(part, mac);

	if (!xf.skel)
		return -ENODEV;
	return bpf_map_delete_elem(map_fd(xf.skel->maps.fdb), &k) ? -errno : 0;
}

void xdp_fast_fdb_clear(void)
{
	struct xf_fdb_key k;
	int fd = map_fd(xf.skel ? xf.skel->maps.fdb : NULL);

	if (fd < 0)
		return;
	while (!bpf_map_get_next_key(fd, NULL, &k))
		if (bpf_map_delete_elem(fd, &k))
			break;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t key_mac(const struct xf_fdb_key *k)
{
	uint64_t mac = 0;
	int i;

	for (i = 0; i < 6; i++)
		mac = mac << 8 | k->mac[i];
	return mac;
}

#define SEEN_BATCH 256

int xdp_fast_fdb_seen(void (*fn)(void *ctx, uint16_t part, uint64_t mac,
				 unsigned int slot, uint64_t ago_ms),
		      void *ctx)
{
	static struct xf_fdb_key keys[SEEN_BATCH];
	static struct xf_fdb_val vals[SEEN_BATCH];
	int fd = map_fd(xf.skel ? xf.skel->maps.fdb : NULL), n = 0, ret;
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint64_t now = mono_ns();
	struct xf_fdb_key next;
	void *in = NULL;
	uint32_t count, i;

	if (fd < 0)
		return fd;
	do { /* ENOENT: the last batch */
		count = SEEN_BATCH;
		ret = bpf_map_lookup_batch(fd, in, &next, keys, vals, &count,
					   &o);
		ret = ret ? -errno : 0;
		for (i = 0; i < count && (!ret || ret == -ENOENT); i++) {
			if (!vals[i].seen_ns)
				continue;
			fn(ctx, keys[i].part, key_mac(&keys[i]), vals[i].slot,
			   now > vals[i].seen_ns ?
				   (now - vals[i].seen_ns) / 1000000 :
				   0);
			n++;
		}
		in = &next;
	} while (!ret);
	return ret == -ENOENT ? n : ret;
}

/* Percpu map @m's value at @key (@size bytes a CPU), summed as u64s. */
static int sum_percpu(struct bpf_map *m, uint32_t key, uint64_t *sum, size_t n)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t *per;
	size_t j;

	if (ncpu <= 0)
		return -EINVAL;
	per = calloc((size_t)ncpu * n, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd(m), &key, per)) {
		free(per);
		return -errno;
	}
	for (i = 0; i < ncpu; i++)
		for (j = 0; j < n; j++)
			sum[j] += per[(size_t)i * n + j];
	free(per);
	return 0;
}

int xdp_fast_counters(unsigned int slot, struct xf_counters *sum)
{
	uint64_t fwd[4] = { 0 };
	unsigned int r;
	int ret;

	_Static_assert(sizeof(struct xf_fwd) == sizeof(fwd), "4 counters");
	memset(sum, 0, sizeof(*sum));
	if (!xf.skel)
		return -ENODEV;
	if (slot > XF_MAX_PORTS)
		return -EINVAL;
	ret = sum_percpu(xf.skel->maps.counters, slot, fwd, 4);
	for (r = 0; !ret && r < XF_REASON_MAX; r++) {
		uint64_t n = 0;

		ret = sum_percpu(xf.skel->maps.reasons,
				 slot * XF_REASON_MAX + r, &n, 1);
		sum->reason[r] = n;
	}
	sum->rx_packets = fwd[0];
	sum->rx_bytes = fwd[1];
	sum->tx_packets = fwd[2];
	sum->tx_bytes = fwd[3];
	return ret;
}
