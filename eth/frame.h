/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Ethernet frame parsing and 802.1Q tag push/pop, in place. Nothing here
 * allocates or copies a payload: tags are pushed into the headroom in front
 * of the frame and popped by moving the 12 address bytes.
 */
#ifndef ETH_FRAME_H
#define ETH_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define FRAME_ETH_ALEN 6
#define FRAME_ETH_HLEN 14
#define FRAME_VLAN_HLEN 4
#define FRAME_TPID_8021Q 0x8100
#define FRAME_TPID_8021AD 0x88a8
#define FRAME_TPID_QINQ_OLD 0x9100
#define FRAME_VID_MASK 0x0fff
#define FRAME_PCP_DEI_MASK 0xf000

/* Why a frame is refused; 0 means accepted. */
enum frame_error {
	FRAME_OK = 0,
	FRAME_ERR_RUNT, /* shorter than its Ethernet (and tag) header */
	FRAME_ERR_OVERSIZE, /* payload above the port's limit */
	FRAME_ERR_BAD_TAG, /* truncated, double (QinQ) or S-tag */
	FRAME_ERR_BAD_ETHERTYPE, /* 1501..1535: neither length nor type */
	FRAME_ERR_BAD_SRC, /* multicast or all-zero source address */
	FRAME_ERR_PROBE, /* an XDP redirect probe (FRAME_PROBE_SIG) */
};

/* What frame_parse() found. */
struct frame_info {
	bool tagged; /* an outer 802.1Q tag is present */
	uint16_t tci; /* its TCI (PCP, DEI, VID); 0 when untagged */
	uint16_t ethertype; /* inner ethertype or 802.3 length */
	bool dst_multicast; /* group address (broadcast included) */
};

/*
 * The XDP redirect probe, the frame xdp_fast_probe() (eth/xdp_fast.h)
 * sends out of a port to see whether XDP redirects leave it: untagged,
 * to 02:00:00:00:00:00 from 02:00:00:00:00:01 (frame_probe_build()),
 * ethertype FRAME_PROBE_TYPE, the payload beginning
 * with FRAME_PROBE_SIG, zeros to FRAME_PROBE_LEN. The ethertype is the
 * IEEE 802 local experimental one that hosts drop, the same number as
 * fabricd's peer links over IPoIB (ipoib/proto.h), which never travel on
 * Ethernet; the signature tells the probe from any other frame of that
 * type, and its first byte ('f') is no peer header version. A fabricd
 * that receives a probe (another fabricd's, on a link between the two)
 * drops it, FRAME_ERR_PROBE, rather than learn its source and flood it.
 */
#define FRAME_PROBE_TYPE 0x88b5
#define FRAME_PROBE_SIG "fabricd-xdp-probe"
#define FRAME_PROBE_SIG_LEN (sizeof(FRAME_PROBE_SIG) - 1)
#define FRAME_PROBE_LEN 60

/* frame_probe_build - the probe frame into @f (FRAME_PROBE_LEN bytes). */
void frame_probe_build(uint8_t *f);

/* frame_error_name - short stable name ("runt", "bad_tag", ...). */
const char *frame_error_name(enum frame_error err);

/* Move the 12 address bytes by register loads: no library call. */
static inline void frame_move_addrs(uint8_t *to, const uint8_t *from)
{
	uint64_t a;
	uint32_t b;

	memcpy(&a, from, 8);
	memcpy(&b, from + 8, 4);
	memcpy(to, &a, 8);
	memcpy(to + 8, &b, 4);
}

/*
 * frame_vlan_push - insert an 802.1Q tag with @tci after the addresses of
 * the frame at @data. The caller guarantees 4 bytes of headroom.
 * Returns the new start of the frame (@data - 4).
 */
static inline uint8_t *frame_vlan_push(uint8_t *data, uint16_t tci)
{
	uint8_t *n = data - FRAME_VLAN_HLEN;

	frame_move_addrs(n, data);
	n[12] = FRAME_TPID_8021Q >> 8;
	n[13] = FRAME_TPID_8021Q & 0xff;
	n[14] = tci >> 8;
	n[15] = tci & 0xff;
	return n;
}

/*
 * frame_vlan_pop - remove the outer tag of the tagged frame at @data (at
 * least 18 bytes). Returns the new start of the frame (@data + 4).
 */
static inline uint8_t *frame_vlan_pop(uint8_t *data)
{
	uint8_t *n = data + FRAME_VLAN_HLEN;

	frame_move_addrs(n, data);
	return n;
}

/* frame_is_multicast - true for a group (multicast/broadcast) address. */
static inline bool frame_is_multicast(const uint8_t *mac)
{
	return mac[0] & 1;
}

/* frame_mac_to_u64 - the 48-bit address in the low bits, for hashing. */
static inline uint64_t frame_mac_to_u64(const uint8_t *mac)
{
	uint64_t v = 0;

	memcpy(&v, mac, FRAME_ETH_ALEN);
	return __builtin_bswap64(v) >> 16;
}

/*
 * frame_dst_u64 / frame_src_u64 - the addresses of a frame (at least 14
 * bytes long) as frame_mac_to_u64() gives them, by one 8-byte load each.
 */
static inline uint64_t frame_dst_u64(const uint8_t *frame)
{
	uint64_t v;

	memcpy(&v, frame, 8);
	return __builtin_bswap64(v) >> 16;
}

static inline uint64_t frame_src_u64(const uint8_t *frame)
{
	uint64_t v;

	memcpy(&v, frame + 6, 8);
	return __builtin_bswap64(v) >> 16;
}

/* frame_mac_format - "52:54:00:12:34:56" into @buf (at least 18 bytes). */
char *frame_mac_format(uint64_t mac, char *buf, unsigned int len);

/* Parsing helpers, inline: the engine calls them once per frame. */
static inline uint16_t frame_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline bool frame_is_tpid(uint16_t type)
{
	return type == FRAME_TPID_8021Q || type == FRAME_TPID_8021AD ||
	       type == FRAME_TPID_QINQ_OLD;
}

static inline bool frame_src_ok(const uint8_t *frame)
{
	return frame_src_u64(frame) && !frame_is_multicast(frame + 6);
}

/*
 * frame_is_probe - whether the untagged frame of ethertype @type at @data
 * (@len bytes) is an XDP redirect probe (FRAME_PROBE_SIG).
 */
static inline bool frame_is_probe(const uint8_t *data, uint32_t len,
				  uint16_t type)
{
	return type == FRAME_PROBE_TYPE &&
	       len >= FRAME_ETH_HLEN + FRAME_PROBE_SIG_LEN &&
	       !memcmp(data + FRAME_ETH_HLEN, FRAME_PROBE_SIG,
		       FRAME_PROBE_SIG_LEN);
}

/*
 * frame_parse - check the @len bytes at @data as an Ethernet frame whose
 * payload (after the header and an optional tag) may hold at most
 * @max_payload bytes. Fills @fi. Returns FRAME_OK or a frame_error.
 */
static inline enum frame_error frame_parse(const uint8_t *data, uint32_t len,
					   uint32_t max_payload,
					   struct frame_info *fi)
{
	uint32_t hlen = FRAME_ETH_HLEN;
	uint16_t type;

	if (len < FRAME_ETH_HLEN)
		return FRAME_ERR_RUNT;
	type = frame_get_be16(data + 12);
	fi->tagged = false;
	fi->tci = 0;
	if (type == FRAME_TPID_8021AD || type == FRAME_TPID_QINQ_OLD)
		return FRAME_ERR_BAD_TAG;
	if (type == FRAME_TPID_8021Q) {
		if (len < FRAME_ETH_HLEN + FRAME_VLAN_HLEN)
			return FRAME_ERR_BAD_TAG;
		fi->tagged = true;
		fi->tci = frame_get_be16(data + 14);
		type = frame_get_be16(data + 16);
		hlen += FRAME_VLAN_HLEN;
		if (frame_is_tpid(type))
			return FRAME_ERR_BAD_TAG;
	}
	if (type > 1500 && type < 0x0600)
		return FRAME_ERR_BAD_ETHERTYPE;
	if (len - hlen > max_payload)
		return FRAME_ERR_OVERSIZE;
	if (!frame_src_ok(data))
		return FRAME_ERR_BAD_SRC;
	if (!fi->tagged && frame_is_probe(data, len, type))
		return FRAME_ERR_PROBE;
	fi->ethertype = type;
	fi->dst_multicast = frame_is_multicast(data);
	return FRAME_OK;
}

#endif /* ETH_FRAME_H */
