// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "eth/tap_offloads.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eth/vnet.h"
#include "lib/util.h"

/* The kernel's feature names for what TUNSETOFFLOAD sets (tun_set_offload). */
static const struct {
	const char *feature;
	uint32_t bits;
} feature_bits[] = {
	{ "tx-checksum-ip-generic", VNET_TUN_F_CSUM },
	{ "tx-tcp-segmentation", VNET_TUN_F_TSO4 },
	{ "tx-tcp6-segmentation", VNET_TUN_F_TSO6 },
	{ "tx-tcp-ecn-segmentation", VNET_TUN_F_TSO_ECN },
	{ "tx-udp-segmentation", VNET_TUN_F_USO4 | VNET_TUN_F_USO6 },
};

static int ethtool(int s, const char *ifname, void *cmd)
{
	struct ifreq ifr = { 0 };

	util_strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	ifr.ifr_data = cmd;
	return ioctl(s, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

/* How many features the kernel names (ETH_SS_FEATURES), or -errno. */
static int n_features(int s, const char *ifname)
{
	union {
		struct ethtool_sset_info hdr;
		uint8_t raw[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
	} si = { .hdr = { .cmd = ETHTOOL_GSSET_INFO,
			  .sset_mask = 1ULL << ETH_SS_FEATURES } };
	int ret = ethtool(s, ifname, &si);

	if (ret)
		return ret;
	return si.hdr.sset_mask ? (int)si.hdr.data[0] : -EOPNOTSUPP;
}

/* Map the active features of @ifname (@n of them) to VNET_TUN_F_*. */
static int read_bits(int s, const char *ifname, unsigned int n, uint32_t *ol)
{
	unsigned int blocks = (n + 31) / 32, i, j;
	struct ethtool_gstrings *names =
		calloc(1, sizeof(*names) + n * ETH_GSTRING_LEN);
	struct ethtool_gfeatures *feat =
		calloc(1, sizeof(*feat) + blocks * sizeof(feat->features[0]));
	int ret = -ENOMEM;

	if (!names || !feat)
		goto out;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_FEATURES;
	names->len = n;
	feat->cmd = ETHTOOL_GFEATURES;
	feat->size = blocks;
	ret = ethtool(s, ifname, names);
	if (!ret)
		ret = ethtool(s, ifname, feat);
	for (i = 0; !ret && i < n; i++) {
		const char *name = (char *)names->data + i * ETH_GSTRING_LEN;

		if (!(feat->features[i / 32].active & (1u << (i % 32))))
			continue;
		for (j = 0; j < ARRAY_SIZE(feature_bits); j++)
			if (!strncmp(name, feature_bits[j].feature,
				     ETH_GSTRING_LEN))
				*ol |= feature_bits[j].bits;
	}
out:
	free(names);
	free(feat);
	return ret;
}

int tap_offloads_read(const char *ifname, uint32_t *ol)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), n, ret;

	*ol = 0;
	if (s < 0)
		return -errno;
	n = n_features(s, ifname);
	ret = n < 0 ? n : read_bits(s, ifname, (unsigned int)n, ol);
	close(s);
	return ret;
}
