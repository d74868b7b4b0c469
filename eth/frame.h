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
};

/* What frame_parse() found. */
struct frame_info {
	bool tagged; /* an outer 802.1Q tag is present */
	uint16_t tci; /* its TCI (PCP, DEI, VID); 0 when untagged */
	uint16_t ethertype; /* inner ethertype or 802.3 length */
	bool dst_multicast; /* group address (broadcast included) */
};

/*
 * frame_parse - check the @len bytes at @data as an Ethernet frame whose
 * payload (after the header and an optional tag) may hold at most
 * @max_payload bytes. Fills @fi. Returns FRAME_OK or a frame_error.
 */
enum frame_error frame_parse(const uint8_t *data, uint32_t len,
			     uint32_t max_payload, struct frame_info *fi);

/* frame_error_name - short stable name ("runt", "bad_tag", ...). */
const char *frame_error_name(enum frame_error err);

/*
 * frame_vlan_push - insert an 802.1Q tag with @tci after the addresses of
 * the frame at @data. The caller guarantees 4 bytes of headroom.
 * Returns the new start of the frame (@data - 4).
 */
uint8_t *frame_vlan_push(uint8_t *data, uint16_t tci);

/*
 * frame_vlan_pop - remove the outer tag of the tagged frame at @data (at
 * least 18 bytes). Returns the new start of the frame (@data + 4).
 */
uint8_t *frame_vlan_pop(uint8_t *data);

/* frame_is_multicast - true for a group (multicast/broadcast) address. */
static inline bool frame_is_multicast(const uint8_t *mac)
{
	return mac[0] & 1;
}

/* frame_mac_to_u64 - the 48-bit address in the low bits, for hashing. */
static inline uint64_t frame_mac_to_u64(const uint8_t *mac)
{
	return (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 |
	       (uint64_t)mac[2] << 24 | (uint64_t)mac[3] << 16 |
	       (uint64_t)mac[4] << 8 | mac[5];
}

/* frame_mac_format - "52:54:00:12:34:56" into @buf (at least 18 bytes). */
char *frame_mac_format(uint64_t mac, char *buf, unsigned int len);

#endif /* ETH_FRAME_H */
