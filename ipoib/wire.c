// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * IPoIB wire format (RFC 4391): headers, hardware addresses, MGIDs.
 * See wire.h; layouts are written out next to each function.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipoib/wire.h"
#include "lib/ib.h"

static const char *const drop_names[IPOIB_DROP_MAX] = {
	[IPOIB_OK] = "ok",
	[IPOIB_DROP_TRUNCATED] = "truncated",
	[IPOIB_DROP_BAD_QKEY] = "bad_qkey",
	[IPOIB_DROP_BAD_PKEY] = "bad_pkey",
	[IPOIB_DROP_PKEY_LIMITED] = "pkey_limited",
	[IPOIB_DROP_FOREIGN_MGID] = "foreign_mgid",
	[IPOIB_DROP_LOOPBACK] = "loopback",
	[IPOIB_DROP_ETHERTYPE] = "ethertype",
	[IPOIB_DROP_BAD_IPV4] = "bad_ipv4",
	[IPOIB_DROP_BAD_IPV6] = "bad_ipv6",
	[IPOIB_DROP_ARP_HWTYPE] = "arp_hwtype",
	[IPOIB_DROP_ARP_MALFORMED] = "arp_malformed",
	[IPOIB_DROP_ND_MALFORMED] = "nd_malformed",
	[IPOIB_DROP_BAD_SRC_HW] = "bad_src_hw",
	[IPOIB_DROP_SRC_FOREIGN] = "src_foreign",
	[IPOIB_DROP_NEIGH_MISS] = "neigh_miss",
	[IPOIB_DROP_NEIGH_FULL] = "neigh_full",
	[IPOIB_DROP_NO_ETH_DEST] = "no_eth_dest",
	[IPOIB_DROP_NO_ROOM] = "no_room",
	[IPOIB_DROP_PEER_GATEWAY] = "peer_gateway",
};

const char *ipoib_drop_name(enum ipoib_drop_reason r)
{
	if ((unsigned int)r >= IPOIB_DROP_MAX || !drop_names[r])
		return "?";
	return drop_names[r];
}

enum ipoib_drop_reason ipoib_drop_count(struct ipoib_drop_stats *s,
					enum ipoib_drop_reason r)
{
	if (s && (unsigned int)r < IPOIB_DROP_MAX)
		s->count[r]++;
	return r;
}

/* RFC 4391 section 6: | type (16) | reserved (16), zero on send | */
void ipoib_hdr_write(uint8_t *p, uint16_t ethertype)
{
	p[0] = ethertype >> 8;
	p[1] = ethertype & 0xff;
	p[2] = 0;
	p[3] = 0;
}

enum ipoib_drop_reason ipoib_hdr_parse(const uint8_t *p, size_t len,
				       uint16_t *ethertype)
{
	if (len < IPOIB_HDR_LEN)
		return IPOIB_DROP_TRUNCATED;
	*ethertype = (uint16_t)(p[0] << 8 | p[1]);
	return IPOIB_OK;
}

/* RFC 4391 section 9.1.1: | flags (8) | QPN (24) | GID (128) | */
void ipoib_hwaddr_make(struct ipoib_hwaddr *hw, uint8_t flags, uint32_t qpn,
		       const struct ipoib_gid *gid)
{
	hw->raw[0] = flags;
	hw->raw[1] = (qpn >> 16) & 0xff;
	hw->raw[2] = (qpn >> 8) & 0xff;
	hw->raw[3] = qpn & 0xff;
	memcpy(hw->raw + 4, gid->raw, IPOIB_GID_LEN);
}

uint32_t ipoib_hwaddr_qpn(const struct ipoib_hwaddr *hw)
{
	return (uint32_t)hw->raw[1] << 16 | (uint32_t)hw->raw[2] << 8 |
	       hw->raw[3];
}

void ipoib_hwaddr_gid(const struct ipoib_hwaddr *hw, struct ipoib_gid *gid)
{
	memcpy(gid->raw, hw->raw + 4, IPOIB_GID_LEN);
}

uint8_t ipoib_hwaddr_flags(const struct ipoib_hwaddr *hw)
{
	return hw->raw[0];
}

bool ipoib_hwaddr_is_mcast(const struct ipoib_hwaddr *hw)
{
	return ipoib_hwaddr_qpn(hw) == IPOIB_MCAST_QPN;
}

bool ipoib_hwaddr_same_port(const struct ipoib_hwaddr *a,
			    const struct ipoib_hwaddr *b)
{
	return !memcmp(a->raw + 1, b->raw + 1, IPOIB_HWADDR_LEN - 1);
}

char *ipoib_hwaddr_format(const struct ipoib_hwaddr *hw, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < IPOIB_HWADDR_LEN && off + 3 < len; i++)
		off += snprintf(buf + off, len - off, "%s%02x", i ? ":" : "",
				hw->raw[i]);
	return buf;
}

bool ipoib_gid_is_mcast(const struct ipoib_gid *gid)
{
	return gid->raw[0] == 0xff;
}

enum ipoib_drop_reason ipoib_pkey_match(uint16_t a, uint16_t b)
{
	uint16_t base = a & IB_PKEY_BASE_MASK;

	if (!base || base != (b & IB_PKEY_BASE_MASK))
		return IPOIB_DROP_BAD_PKEY;
	if (!((a | b) & IB_PKEY_FULL_BIT))
		return IPOIB_DROP_PKEY_LIMITED;
	return IPOIB_OK;
}

/*
 * The common MGID prefix, RFC 4391 section 4:
 * | ff | 1S | signature (16) | P_Key (16) | 80 bits group |
 */
static void mgid_prefix(struct ipoib_gid *mgid, uint16_t sig, uint16_t pkey,
			uint8_t scope)
{
	pkey |= IB_PKEY_FULL_BIT;
	memset(mgid->raw, 0, sizeof(mgid->raw));
	mgid->raw[0] = 0xff;
	mgid->raw[1] = 0x10 | (scope & 0x0f);
	mgid->raw[2] = sig >> 8;
	mgid->raw[3] = sig & 0xff;
	mgid->raw[4] = pkey >> 8;
	mgid->raw[5] = pkey & 0xff;
}

void ipoib_mgid_bcast(struct ipoib_gid *mgid, uint16_t pkey, uint8_t scope)
{
	mgid_prefix(mgid, 0x401b, pkey, scope);
	memset(mgid->raw + 12, 0xff, 4);
}

void ipoib_mgid_proto(struct ipoib_gid *mgid, uint16_t pkey, uint8_t scope)
{
	mgid_prefix(mgid, 0x88b5, pkey, scope);
	/* low 32 bits 88b5:0001: RoCE v2's MAC 33:33:88:b5:00:01, not
	 * all-nodes' 33:33:00:00:00:01 */
	mgid->raw[12] = 0x88;
	mgid->raw[13] = 0xb5;
	mgid->raw[15] = 1;
}

int ipoib_mgid_ipv4(struct ipoib_gid *mgid, uint16_t pkey, uint8_t scope,
		    const uint8_t addr[4])
{
	if ((addr[0] & 0xf0) != 0xe0)
		return -EINVAL;
	mgid_prefix(mgid, 0x401b, pkey, scope);
	mgid->raw[12] = addr[0] & 0x0f;
	memcpy(mgid->raw + 13, addr + 1, 3);
	return 0;
}

int ipoib_mgid_ipv6(struct ipoib_gid *mgid, uint16_t pkey, uint8_t scope,
		    const uint8_t addr[16])
{
	if (addr[0] != 0xff)
		return -EINVAL;
	mgid_prefix(mgid, 0x601b, pkey, scope);
	memcpy(mgid->raw + 6, addr + 6, 10);
	return 0;
}

int ipoib_mgid_pkey(const struct ipoib_gid *mgid, uint16_t *pkey)
{
	const uint8_t *g = mgid->raw;

	if (g[0] != 0xff || (g[1] & 0xf0) != 0x10 || g[3] != 0x1b ||
	    (g[2] != 0x40 && g[2] != 0x60))
		return -EINVAL;
	*pkey = (uint16_t)(g[4] << 8 | g[5]);
	return 0;
}

/* IBA 8.3.1: | ver (4) tclass (8) flow (20) | paylen | nxthdr | hoplmt | */
int ipoib_grh_gids(const uint8_t *grh, size_t len, struct ipoib_gid *sgid,
		   struct ipoib_gid *dgid)
{
	if (len < IPOIB_GRH_LEN || (grh[0] >> 4) != 6)
		return -EINVAL;
	if (sgid)
		memcpy(sgid->raw, grh + 8, IPOIB_GID_LEN);
	if (dgid)
		memcpy(dgid->raw, grh + 24, IPOIB_GID_LEN);
	return 0;
}

void ipoib_grh_write(uint8_t *grh, uint16_t paylen,
		     const struct ipoib_gid *sgid, const struct ipoib_gid *dgid)
{
	memset(grh, 0, 8);
	grh[0] = 0x60;
	grh[4] = paylen >> 8;
	grh[5] = paylen & 0xff;
	grh[6] = 0x1b; /* next header: IBA transport */
	grh[7] = 1;
	memcpy(grh + 8, sgid->raw, IPOIB_GID_LEN);
	memcpy(grh + 24, dgid->raw, IPOIB_GID_LEN);
}

char *ipoib_gid_format(const struct ipoib_gid *gid, char *buf, size_t len)
{
	size_t i, n = 0;
	int r;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < IPOIB_GID_LEN && n < len; i += 2) {
		r = snprintf(buf + n, len - n, "%s%02x%02x", i ? ":" : "",
			     gid->raw[i], gid->raw[i + 1]);
		if (r < 0)
			break;
		n += (size_t)r;
	}
	return buf;
}
