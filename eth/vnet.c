// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * virtio-net header checks, checksum completion and software GSO. The
 * rules follow what the kernel accepts from a tap (virtio_net_hdr_to_skb)
 * and what its GSO produces (tcp_gso_segment, __udp_gso_segment, UFO):
 * hdr_len is only a hint (Linux guests send their linear length there), so
 * segments take their headers from the parsed frame, not from hdr_len.
 */
#include "eth/vnet.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "eth/frame.h"
#include "lib/util.h"

#define TCP_F_FIN 0x01
#define TCP_F_PSH 0x08
#define TCP_F_CWR 0x80
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6
#define IP4_MF 0x2000
#define IP6_HLEN 40
#define IP6_FRAG_HLEN 8
#define IPPROTO_FRAG6 44

static const char *const error_names[VNET_ERR_MAX] = {
	[VNET_OK] = "ok",
	[VNET_ERR_FLAGS] = "bad_vnet_flags",
	[VNET_ERR_GSO_TYPE] = "bad_gso_type",
	[VNET_ERR_GSO_SIZE] = "bad_gso_size",
	[VNET_ERR_HDR_LEN] = "bad_hdr_len",
	[VNET_ERR_CSUM_START] = "bad_csum_start",
	[VNET_ERR_CSUM_OFFSET] = "bad_csum_offset",
	[VNET_ERR_GSO_MISMATCH] = "gso_mismatch",
};

const char *vnet_error_name(enum vnet_error err)
{
	return (unsigned int)err < VNET_ERR_MAX ? error_names[err] : "unknown";
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	util_put_be16(p, v >> 16);
	util_put_be16(p + 2, v & 0xffff);
}

void vnet_decode(const void *wire, struct pkt_ol *ol)
{
	const uint8_t *w = wire;

	ol->flags = w[0];
	ol->gso_type = w[1];
	ol->hdr_len = get_le16(w + 2);
	ol->gso_size = get_le16(w + 4);
	ol->csum_start = get_le16(w + 6);
	ol->csum_offset = get_le16(w + 8);
}

void vnet_encode(const struct pkt_ol *ol, void *wire)
{
	uint8_t *w = wire;

	w[0] = ol->flags;
	w[1] = ol->gso_type;
	put_le16(w + 2, ol->hdr_len);
	put_le16(w + 4, ol->gso_size);
	put_le16(w + 6, ol->csum_start);
	put_le16(w + 8, ol->csum_offset);
}

/* The transport header at @l->l4 of protocol @proto, if it is whole. */
static void parse_l4(const uint8_t *f, struct vnet_l34 *l, uint8_t proto,
		     uint32_t l4)
{
	uint32_t hlen = 8;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return;
	if (proto == IPPROTO_TCP) {
		if (l4 + 20 > l->end)
			return;
		hlen = (f[l4 + 12] >> 4) * 4u;
		if (hlen < 20)
			return;
	}
	if (l4 + hlen > l->end)
		return;
	l->l4 = l4;
	l->l4_hlen = hlen;
	l->proto = proto;
}

static void parse_ip4(const uint8_t *f, uint32_t len, struct vnet_l34 *l)
{
	uint32_t l3 = l->l3, ihl, tot;

	if (l3 + 20 > len || f[l3] >> 4 != 4)
		return;
	ihl = (f[l3] & 0xf) * 4u;
	tot = frame_get_be16(f + l3 + 2);
	if (ihl < 20 || tot < ihl || l3 + tot > len)
		return;
	l->end = l3 + tot;
	if (frame_get_be16(f + l3 + 6) & 0x3fff)
		return; /* a fragment: no transport header to speak of */
	parse_l4(f, l, f[l3 + 9], l3 + ihl);
}

/* IPv6 with the extension headers a guest may put before TCP/UDP. */
static void parse_ip6(const uint8_t *f, uint32_t len, struct vnet_l34 *l)
{
	uint32_t l3 = l->l3, off = l3 + IP6_HLEN;
	uint8_t nh;
	int i;

	if (off > len || f[l3] >> 4 != 6)
		return;
	if (off + frame_get_be16(f + l3 + 4) > len)
		return;
	l->end = off + frame_get_be16(f + l3 + 4);
	l->ipv6 = 1;
	nh = f[l3 + 6];
	for (i = 0; i < 4 && (nh == 0 || nh == 43 || nh == 60); i++) {
		if (off + 8 > l->end)
			return;
		nh = f[off];
		off += (f[off + 1] + 1) * 8u;
	}
	parse_l4(f, l, nh, off);
}

void vnet_parse(const uint8_t *f, uint32_t len, struct vnet_l34 *l)
{
	uint32_t l3 = FRAME_ETH_HLEN;
	uint16_t type;

	memset(l, 0, sizeof(*l));
	if (len < FRAME_ETH_HLEN)
		return;
	type = frame_get_be16(f + 12);
	if (type == FRAME_TPID_8021Q) {
		if (len < FRAME_ETH_HLEN + FRAME_VLAN_HLEN)
			return;
		type = frame_get_be16(f + 16);
		l3 += FRAME_VLAN_HLEN;
	}
	l->l3 = l3;
	if (type == 0x0800)
		parse_ip4(f, len, l);
	else if (type == 0x86dd)
		parse_ip6(f, len, l);
	if (!l->end)
		memset(l, 0, sizeof(*l));
}

/* A GSO type the packet @l really is, and its checksum field offset. */
static bool gso_matches(uint8_t type, const struct vnet_l34 *l)
{
	switch (type) {
	case VNET_GSO_TCPV4:
		return l->proto == IPPROTO_TCP && !l->ipv6;
	case VNET_GSO_TCPV6:
		return l->proto == IPPROTO_TCP && l->ipv6;
	case VNET_GSO_UDP:
	case VNET_GSO_UDP_L4:
		return l->proto == IPPROTO_UDP;
	}
	return false;
}

static enum vnet_error check_csum(const struct pkt_ol *ol,
				  const struct vnet_l34 *l, uint32_t len)
{
	uint32_t end = l->end ? l->end : len;

	if (ol->csum_start < (l->l3 ? l->l3 : FRAME_ETH_HLEN) ||
	    ol->csum_start >= end)
		return VNET_ERR_CSUM_START;
	if ((uint32_t)ol->csum_start + ol->csum_offset + 2 > end)
		return VNET_ERR_CSUM_OFFSET;
	return VNET_OK;
}

/*
 * GSO: a partial checksum must be the transport's, as the kernel insists.
 * Without one (a GRO'd frame the kernel verified) the type must still fit.
 */
static enum vnet_error check_gso(const struct pkt_ol *ol,
				 const struct vnet_l34 *l)
{
	uint8_t type = ol->gso_type & ~VNET_GSO_ECN;

	if (!gso_matches(type, l))
		return VNET_ERR_GSO_MISMATCH;
	if ((ol->gso_type & VNET_GSO_ECN) && l->proto != IPPROTO_TCP)
		return VNET_ERR_GSO_TYPE;
	if (!(ol->flags & VNET_F_NEEDS_CSUM))
		return VNET_OK; /* GRO'd (DATA_VALID): cutting sums from scratch */
	if (ol->csum_start != l->l4)
		return VNET_ERR_CSUM_START;
	if (ol->csum_offset !=
	    (l->proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF))
		return VNET_ERR_CSUM_OFFSET;
	return VNET_OK;
}

enum vnet_error vnet_check(const uint8_t *f, uint32_t len,
			   const struct pkt_ol *ol, const struct vnet_l34 *l)
{
	uint8_t type = ol->gso_type & ~VNET_GSO_ECN;
	enum vnet_error err;

	if (ol->flags & ~(VNET_F_NEEDS_CSUM | VNET_F_DATA_VALID))
		return VNET_ERR_FLAGS;
	if (type != VNET_GSO_NONE && type != VNET_GSO_TCPV4 &&
	    type != VNET_GSO_TCPV6 && type != VNET_GSO_UDP &&
	    type != VNET_GSO_UDP_L4)
		return VNET_ERR_GSO_TYPE;
	if (type == VNET_GSO_NONE && ol->gso_type)
		return VNET_ERR_GSO_TYPE; /* ECN alone */
	if (ol->hdr_len > len)
		return VNET_ERR_HDR_LEN;
	if (ol->flags & VNET_F_NEEDS_CSUM) {
		err = check_csum(ol, l, len);
		if (err)
			return err;
	}
	if (type == VNET_GSO_NONE)
		return VNET_OK;
	if (!ol->gso_size)
		return VNET_ERR_GSO_SIZE;
	return check_gso(ol, l);
}

uint32_t vnet_csum(const uint8_t *p, uint32_t len, uint32_t sum)
{
	uint64_t s = sum;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t vnet_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Store a finished checksum; 0 is sent as 0xffff (UDP's rule, harmless). */
static void store_csum(uint8_t *at, uint32_t sum)
{
	uint16_t c = vnet_csum_fold(sum);

	util_put_be16(at, c ? c : 0xffff);
}

void vnet_csum_complete(uint8_t *f, uint32_t len, struct pkt_ol *ol,
			const struct vnet_l34 *l)
{
	uint32_t end = l->end ? l->end : len;
	uint32_t sum = vnet_csum(f + ol->csum_start, end - ol->csum_start, 0);

	store_csum(f + ol->csum_start + ol->csum_offset, sum);
	ol->flags &= ~VNET_F_NEEDS_CSUM;
}

/* The pseudo-header sum of the IP packet at @l3 for @l4_len bytes. */
static uint32_t pseudo_sum(const uint8_t *f, const struct vnet_l34 *l,
			   uint8_t proto, uint32_t l4_len)
{
	uint32_t sum;

	if (l->ipv6)
		sum = vnet_csum(f + l->l3 + 8, 32, 0);
	else
		sum = vnet_csum(f + l->l3 + 12, 8, 0);
	return sum + proto + (l4_len >> 16) + (l4_len & 0xffff);
}

int vnet_seg_start(struct vnet_seg *s, const uint8_t *f, uint32_t len,
		   const struct pkt_ol *ol, const struct vnet_l34 *l,
		   uint32_t mtu, uint32_t room)
{
	uint32_t l3_hlen, max, ext;

	memset(s, 0, sizeof(*s));
	s->f = f;
	s->len = len;
	s->l = *l;
	s->type = ol->gso_type & ~VNET_GSO_ECN;
	if (s->type == VNET_GSO_NONE || !l->l4)
		return -EINVAL;
	if (s->type == VNET_GSO_UDP) { /* UFO: the UDP header is payload */
		if (l->ipv6 && l->l4 != l->l3 + IP6_HLEN)
			return -EINVAL; /* no fragment header after options */
		s->hlen = l->l4;
		l3_hlen = l->l4 - l->l3 + (l->ipv6 ? IP6_FRAG_HLEN : 0);
	} else {
		s->hlen = l->l4 + l->l4_hlen;
		l3_hlen = s->hlen - l->l3;
	}
	ext = s->type == VNET_GSO_UDP && l->ipv6 ? IP6_FRAG_HLEN : 0;
	max = mtu > l3_hlen ? mtu - l3_hlen : 0;
	if (room < s->hlen + ext)
		return -EINVAL;
	max = MIN(max, room - s->hlen - ext);
	s->mss = MIN((uint32_t)ol->gso_size, max);
	if (s->type == VNET_GSO_UDP)
		s->mss &= ~7u; /* fragment offsets count 8-byte units */
	if (!s->mss || l->end < s->hlen)
		return -EINVAL;
	if (s->type == VNET_GSO_UDP) {
		uint32_t ul = l->end - l->l4;

		s->sum = pseudo_sum(f, l, IPPROTO_UDP, ul);
		s->sum = vnet_csum(f + l->l4, UDP_CSUM_OFF, s->sum);
		s->sum = vnet_csum(f + l->l4 + 8, ul - 8, s->sum);
		s->frag_id = util_get_be32(f + l->l3 + 8) ^
			     util_get_be32(f + l->l3 + 36) ^ (uint32_t)l->end;
	}
	return 0;
}

bool vnet_seg_done(const struct vnet_seg *s)
{
	return s->n && s->off >= s->l.end - s->hlen;
}

/* Lengths and IDs of the IP header of a segment of @ip_len bytes. */
static void fix_ip(uint8_t *d, const struct vnet_seg *s, uint32_t ip_len)
{
	uint8_t *ip = d + s->l.l3;

	if (s->l.ipv6) {
		util_put_be16(ip + 4, ip_len - IP6_HLEN);
		return;
	}
	util_put_be16(ip + 2, ip_len);
	if (s->type != VNET_GSO_UDP) /* fragments share the datagram's ID */
		util_put_be16(ip + 4,
			      frame_get_be16(s->f + s->l.l3 + 4) + s->n);
	ip[10] = ip[11] = 0;
	store_csum(ip + 10, vnet_csum(ip, (ip[0] & 0xf) * 4u, 0));
}

/* TSO: sequence number and flags of segment n, then its checksum. */
static void fix_tcp(uint8_t *d, const struct vnet_seg *s, uint32_t pay,
		    bool last)
{
	uint8_t *th = d + s->l.l4;
	uint32_t tl = s->l.l4_hlen + pay;

	put_be32(th + 4, util_get_be32(s->f + s->l.l4 + 4) + s->off);
	if (s->n)
		th[13] &= ~TCP_F_CWR;
	if (!last)
		th[13] &= ~(TCP_F_FIN | TCP_F_PSH);
	th[16] = th[17] = 0;
	store_csum(th + 16,
		   vnet_csum(th, tl, pseudo_sum(d, &s->l, IPPROTO_TCP, tl)));
}

static void fix_udp(uint8_t *d, const struct vnet_seg *s, uint32_t pay)
{
	uint8_t *uh = d + s->l.l4;
	uint32_t ul = 8 + pay;

	util_put_be16(uh + 4, ul);
	uh[6] = uh[7] = 0;
	store_csum(uh + 6,
		   vnet_csum(uh, ul, pseudo_sum(d, &s->l, IPPROTO_UDP, ul)));
}

/* UFO: an IP fragment; the first one carries the finished UDP header. */
static uint32_t fix_frag(uint8_t *d, const struct vnet_seg *s, uint32_t pay,
			 bool last)
{
	uint8_t *ip = d + s->l.l3;
	uint16_t fo = (s->off >> 3) | (last ? 0 : IP4_MF);

	if (s->l.ipv6) { /* a fragment header goes in front of the payload */
		uint8_t *fh = d + s->hlen;

		fh[0] = ip[6];
		fh[1] = 0;
		util_put_be16(fh + 2, (s->off & ~7u) | !last);
		put_be32(fh + 4, s->frag_id);
		ip[6] = IPPROTO_FRAG6;
	} else {
		util_put_be16(ip + 6, (frame_get_be16(ip + 6) & 0x4000) | fo);
	}
	return s->l.ipv6 ? IP6_FRAG_HLEN : 0;
}

struct pkt *vnet_seg_next(struct vnet_seg *s, struct pool *pool,
			  uint64_t *copied)
{
	uint32_t total = s->l.end - s->hlen, pay, ext = 0;
	struct pkt *p;
	bool last;

	if (vnet_seg_done(s))
		return NULL;
	p = pool_alloc(pool);
	if (!p)
		return NULL;
	pay = MIN(s->mss, total - s->off);
	last = s->off + pay >= total;
	memcpy(p->data, s->f, s->hlen);
	if (s->type == VNET_GSO_UDP)
		ext = fix_frag(p->data, s, pay, last);
	memcpy(p->data + s->hlen + ext, s->f + s->hlen + s->off, pay);
	p->len = s->hlen + ext + pay;
	if (s->type == VNET_GSO_UDP && !s->off) /* over the partial one */
		store_csum(p->data + s->hlen + ext + UDP_CSUM_OFF, s->sum);
	fix_ip(p->data, s, p->len - s->l.l3);
	if (s->type == VNET_GSO_TCPV4 || s->type == VNET_GSO_TCPV6)
		fix_tcp(p->data, s, pay, last);
	else if (s->type == VNET_GSO_UDP_L4)
		fix_udp(p->data, s, pay);
	*copied += p->len;
	s->off += pay;
	s->n++;
	return p;
}
