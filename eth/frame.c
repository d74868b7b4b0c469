// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "eth/frame.h"

#include <stdio.h>

static const char *const error_names[] = {
	[FRAME_OK] = "ok",
	[FRAME_ERR_RUNT] = "runt",
	[FRAME_ERR_OVERSIZE] = "oversize",
	[FRAME_ERR_BAD_TAG] = "bad_tag",
	[FRAME_ERR_BAD_ETHERTYPE] = "bad_ethertype",
	[FRAME_ERR_BAD_SRC] = "bad_src",
};

const char *frame_error_name(enum frame_error err)
{
	if ((unsigned int)err >= sizeof(error_names) / sizeof(error_names[0]))
		return "unknown";
	return error_names[err];
}

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static bool is_tpid(uint16_t type)
{
	return type == FRAME_TPID_8021Q || type == FRAME_TPID_8021AD ||
	       type == FRAME_TPID_QINQ_OLD;
}

static bool src_ok(const uint8_t *src)
{
	static const uint8_t zero[FRAME_ETH_ALEN];

	return !frame_is_multicast(src) && memcmp(src, zero, FRAME_ETH_ALEN);
}

enum frame_error frame_parse(const uint8_t *data, uint32_t len,
			     uint32_t max_payload, struct frame_info *fi)
{
	uint32_t hlen = FRAME_ETH_HLEN;
	uint16_t type;

	if (len < FRAME_ETH_HLEN)
		return FRAME_ERR_RUNT;
	type = get_be16(data + 12);
	fi->tagged = false;
	fi->tci = 0;
	if (type == FRAME_TPID_8021AD || type == FRAME_TPID_QINQ_OLD)
		return FRAME_ERR_BAD_TAG;
	if (type == FRAME_TPID_8021Q) {
		if (len < FRAME_ETH_HLEN + FRAME_VLAN_HLEN)
			return FRAME_ERR_BAD_TAG;
		fi->tagged = true;
		fi->tci = get_be16(data + 14);
		type = get_be16(data + 16);
		hlen += FRAME_VLAN_HLEN;
		if (is_tpid(type))
			return FRAME_ERR_BAD_TAG;
	}
	if (type > 1500 && type < 0x0600)
		return FRAME_ERR_BAD_ETHERTYPE;
	if (len - hlen > max_payload)
		return FRAME_ERR_OVERSIZE;
	if (!src_ok(data + FRAME_ETH_ALEN))
		return FRAME_ERR_BAD_SRC;
	fi->ethertype = type;
	fi->dst_multicast = frame_is_multicast(data);
	return FRAME_OK;
}

uint8_t *frame_vlan_push(uint8_t *data, uint16_t tci)
{
	uint8_t *n = data - FRAME_VLAN_HLEN;

	memmove(n, data, 2 * FRAME_ETH_ALEN);
	put_be16(n + 12, FRAME_TPID_8021Q);
	put_be16(n + 14, tci);
	return n;
}

uint8_t *frame_vlan_pop(uint8_t *data)
{
	uint8_t *n = data + FRAME_VLAN_HLEN;

	memmove(n, data, 2 * FRAME_ETH_ALEN);
	return n;
}

char *frame_mac_format(uint64_t mac, char *buf, unsigned int len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 (unsigned int)(mac >> 40) & 0xff,
		 (unsigned int)(mac >> 32) & 0xff,
		 (unsigned int)(mac >> 24) & 0xff,
		 (unsigned int)(mac >> 16) & 0xff,
		 (unsigned int)(mac >> 8) & 0xff, (unsigned int)mac & 0xff);
	return buf;
}
