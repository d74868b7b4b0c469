/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IPoIB wire format (RFC 4391): the 4-byte encapsulation header, the 20-byte
 * IPoIB hardware address, the UD receive layout, partition keys, multicast
 * GIDs, and the reasons a packet is dropped.
 *
 * Pure functions on byte buffers: no I/O, no allocation, no verbs. Multi-byte
 * numbers in the API are host order; GIDs and addresses are wire bytes.
 */
#ifndef FABRIC_IPOIB_WIRE_H
#define FABRIC_IPOIB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPOIB_HDR_LEN 4 /* ethertype + 16 reserved bits */
#define IPOIB_GRH_LEN 40 /* UD receive buffers start with GRH space */
#define IPOIB_UD_HDR_LEN (IPOIB_GRH_LEN + IPOIB_HDR_LEN)
#define IPOIB_GID_LEN 16
#define IPOIB_HWADDR_LEN 20 /* flags(8) + QPN(24) + GID(128) */

#define IPOIB_QPN_MASK 0xffffffu
#define IPOIB_MCAST_QPN 0xffffffu /* QPN of a multicast hardware address */
/* RFC 4755: the sender accepts connected mode (RC); not used by the UD path */
#define IPOIB_HW_FLAG_RC 0x80

/*
 * Q_Key of the IPoIB broadcast group. RFC 4391 leaves it to whoever creates
 * the group; OpenSM (OSM_IPOIB_BROADCAST_MGRP_QKEY) and the Linux stack use
 * 0x00000B1B, and the real value is the one in the broadcast MCMemberRecord.
 */
#define IPOIB_DEFAULT_QKEY 0x00000b1bu

#define IPOIB_PKEY_DEFAULT 0xffff

#define IPOIB_SCOPE_LINK 0x2 /* MGID scope used by IPoIB unless configured */

#define IPOIB_ETHERTYPE_IPV4 0x0800
#define IPOIB_ETHERTYPE_ARP 0x0806
#define IPOIB_ETHERTYPE_IPV6 0x86dd

/* ipoib_ethertype_own - IPv4, ARP or IPv6: what IPoIB itself carries. */
static inline bool ipoib_ethertype_own(uint16_t ethertype)
{
	return ethertype == IPOIB_ETHERTYPE_IPV4 ||
	       ethertype == IPOIB_ETHERTYPE_ARP ||
	       ethertype == IPOIB_ETHERTYPE_IPV6;
}

struct ipoib_gid {
	uint8_t raw[IPOIB_GID_LEN];
};

/* The hardware address exactly as it appears in ARP and ND options. */
struct ipoib_hwaddr {
	uint8_t raw[IPOIB_HWADDR_LEN];
};

/*
 * Why a packet was not translated. Every datapath function returns one;
 * IPOIB_OK (0) means the buffer now holds the translated frame. The names
 * from ipoib_drop_name() are stable counter keys (JSON output).
 */
enum ipoib_drop_reason {
	IPOIB_OK = 0,
	IPOIB_DROP_TRUNCATED, /* shorter than a header says it is */
	IPOIB_DROP_BAD_QKEY, /* Q_Key is not the partition's */
	IPOIB_DROP_BAD_PKEY, /* P_Key of another partition */
	IPOIB_DROP_PKEY_LIMITED, /* limited member to limited member */
	IPOIB_DROP_FOREIGN_MGID, /* multicast GID not of this partition */
	IPOIB_DROP_LOOPBACK, /* our own multicast came back */
	IPOIB_DROP_ETHERTYPE, /* neither IPv4, IPv6 nor ARP */
	IPOIB_DROP_BAD_IPV4,
	IPOIB_DROP_BAD_IPV6,
	IPOIB_DROP_ARP_HWTYPE, /* ARP of a foreign hardware type */
	IPOIB_DROP_ARP_MALFORMED,
	IPOIB_DROP_ND_MALFORMED, /* bad ND option or length */
	IPOIB_DROP_BAD_SRC_HW, /* multicast/zero/our own sender address */
	IPOIB_DROP_SRC_FOREIGN, /* source claims another partition's address */
	IPOIB_DROP_NEIGH_MISS, /* unicast MAC that is no IB neighbour */
	IPOIB_DROP_NEIGH_FULL, /* neighbour table could not learn */
	IPOIB_DROP_NO_ETH_DEST, /* unicast to an Ethernet host not resolved */
	IPOIB_DROP_NO_ROOM, /* not enough headroom or tailroom */
	IPOIB_DROP_PEER_GATEWAY, /* from another gateway of our HA group */
	IPOIB_DROP_MAX,
};

/* Per-reason counters; index with enum ipoib_drop_reason. */
struct ipoib_drop_stats {
	uint64_t count[IPOIB_DROP_MAX];
};

/* ipoib_drop_name - stable lower-case name of @r ("bad_qkey"), "?" if bad. */
const char *ipoib_drop_name(enum ipoib_drop_reason r);

/* ipoib_drop_count - add one to @s for @r and return @r; @s may be NULL. */
enum ipoib_drop_reason ipoib_drop_count(struct ipoib_drop_stats *s,
					enum ipoib_drop_reason r);

/* ipoib_hdr_write - write the IPoIB header for @ethertype at @p (4 bytes). */
void ipoib_hdr_write(uint8_t *p, uint16_t ethertype);

/*
 * ipoib_hdr_parse - read the IPoIB header at @p of @len bytes into
 * *@ethertype; the reserved bits are ignored as RFC 4391 asks.
 * Returns IPOIB_OK or IPOIB_DROP_TRUNCATED.
 */
enum ipoib_drop_reason ipoib_hdr_parse(const uint8_t *p, size_t len,
				       uint16_t *ethertype);

/* ipoib_hwaddr_make - fill @hw from @flags, the low 24 bits of @qpn, @gid. */
void ipoib_hwaddr_make(struct ipoib_hwaddr *hw, uint8_t flags, uint32_t qpn,
		       const struct ipoib_gid *gid);

/* ipoib_hwaddr_qpn - the 24-bit QPN of @hw. */
uint32_t ipoib_hwaddr_qpn(const struct ipoib_hwaddr *hw);

/* ipoib_hwaddr_gid - copy the GID of @hw into @gid. */
void ipoib_hwaddr_gid(const struct ipoib_hwaddr *hw, struct ipoib_gid *gid);

/* ipoib_hwaddr_flags - the first (flags) byte of @hw. */
uint8_t ipoib_hwaddr_flags(const struct ipoib_hwaddr *hw);

/* ipoib_hwaddr_is_mcast - true for a multicast address (QPN 0xffffff). */
bool ipoib_hwaddr_is_mcast(const struct ipoib_hwaddr *hw);

/*
 * ipoib_hwaddr_same_port - true when @a and @b name the same QP (QPN and
 * GID equal); the flags byte is not compared.
 */
bool ipoib_hwaddr_same_port(const struct ipoib_hwaddr *a,
			    const struct ipoib_hwaddr *b);

/* ipoib_hwaddr_format - "80:00:00:48:fe:80:..." into @buf (>= 60 bytes). */
char *ipoib_hwaddr_format(const struct ipoib_hwaddr *hw, char *buf, size_t len);

/* ipoib_gid_format - "fe80:0000:...:b2c5" (8 groups) into @buf (>= 40). */
char *ipoib_gid_format(const struct ipoib_gid *gid, char *buf, size_t len);

/* ipoib_gid_is_mcast - true when @gid is a multicast GID (ff00::/8). */
bool ipoib_gid_is_mcast(const struct ipoib_gid *gid);

/*
 * ipoib_pkey_match - the IB P_Key check: same 15-bit base, not the invalid
 * base 0, and at least one side a full member. Returns IPOIB_OK,
 * IPOIB_DROP_BAD_PKEY or IPOIB_DROP_PKEY_LIMITED.
 */
enum ipoib_drop_reason ipoib_pkey_match(uint16_t a, uint16_t b);

/*
 * ipoib_mgid_bcast - the IPv4 broadcast MGID of partition @pkey:
 * ff1S:401b:PPPP:0000:0000:0000:ffff:ffff, S = @scope, PPPP = @pkey with the
 * full-member bit set (members of either kind join the same group).
 */
void ipoib_mgid_bcast(struct ipoib_gid *mgid, uint16_t pkey, uint8_t scope);

/*
 * ipoib_mgid_proto - the MGID of fabricd's own group of partition @pkey for
 * the protocols of ipoib/proto.h: ff1S:88b5:PPPP:0000:0000:0000:88b5:0001,
 * derived as the broadcast MGID is, with fabricd's peer-link ethertype as
 * the signature in place of IPv4's 401b (full-member bit set in PPPP).
 */
void ipoib_mgid_proto(struct ipoib_gid *mgid, uint16_t pkey, uint8_t scope);

/*
 * ipoib_mgid_ipv4 - the MGID of IPv4 multicast group @addr (4 bytes, network
 * order): ff1S:401b:PPPP::<low 28 bits of @addr>. Returns 0, or -EINVAL when
 * @addr is not in 224.0.0.0/4.
 */
int ipoib_mgid_ipv4(struct ipoib_gid *mgid, uint16_t pkey, uint8_t scope,
		    const uint8_t addr[4]);

/*
 * ipoib_mgid_ipv6 - the MGID of IPv6 multicast group @addr (16 bytes):
 * ff1S:601b:PPPP: followed by the low 80 bits of @addr. Returns 0, or
 * -EINVAL when @addr is not in ff00::/8.
 */
int ipoib_mgid_ipv6(struct ipoib_gid *mgid, uint16_t pkey, uint8_t scope,
		    const uint8_t addr[16]);

/*
 * ipoib_mgid_pkey - if @mgid is an IPoIB MGID (ff1S:401b or ff1S:601b),
 * store its P_Key in *@pkey and return 0; -EINVAL otherwise.
 */
int ipoib_mgid_pkey(const struct ipoib_gid *mgid, uint16_t *pkey);

/*
 * ipoib_grh_gids - copy the source and destination GIDs out of a 40-byte IB
 * GRH (as a UD receive with IBV_WC_GRH holds it). Either pointer may be
 * NULL. Returns 0, or -EINVAL when @len is short or the version is not 6.
 */
int ipoib_grh_gids(const uint8_t *grh, size_t len, struct ipoib_gid *sgid,
		   struct ipoib_gid *dgid);

/*
 * ipoib_grh_write - write a 40-byte GRH (version 6, next header 0x1b, hop
 * limit 1) for a @paylen-byte IB payload; used for tests and captures.
 */
void ipoib_grh_write(uint8_t *grh, uint16_t paylen,
		     const struct ipoib_gid *sgid,
		     const struct ipoib_gid *dgid);

#endif /* FABRIC_IPOIB_WIRE_H */
