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
	[FRAME_ERR_PROBE] = "xdp_probe",
};

/* Locally administered unicast addresses no interface should hold. */
static const uint8_t probe_dst[FRAME_ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0 };
static const uint8_t probe_src[FRAME_ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };

void frame_probe_build(uint8_t *f)
{
	memset(f, 0, FRAME_PROBE_LEN);
	memcpy(f, probe_dst, FRAME_ETH_ALEN);
	memcpy(f + FRAME_ETH_ALEN, probe_src, FRAME_ETH_ALEN);
	f[12] = FRAME_PROBE_TYPE >> 8;
	f[13] = FRAME_PROBE_TYPE & 0xff;
	memcpy(f + FRAME_ETH_HLEN, FRAME_PROBE_SIG, FRAME_PROBE_SIG_LEN);
}

const char *frame_error_name(enum frame_error err)
{
	if ((unsigned int)err >= sizeof(error_names) / sizeof(error_names[0]))
		return "unknown";
	return error_names[err];
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
