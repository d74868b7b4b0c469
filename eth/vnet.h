/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The virtio-net header (struct virtio_net_hdr) that taps with IFF_VNET_HDR
 * and AF_PACKET sockets with PACKET_VNET_HDR put in front of each frame: it
 * says that a frame's checksum is partial (to be completed from csum_start,
 * stored at csum_start + csum_offset) and that it is a GSO super-frame to
 * be cut into gso_size pieces. The engine keeps that state in the packet's
 * offload metadata (struct pkt_ol); this module checks it against the frame
 * (a header that does not match its frame is refused with a reason),
 * completes partial checksums (RFC 1071) and segments super-frames in
 * software for an egress that cannot take them: TSO over IPv4 and IPv6,
 * USO (UDP_L4: a datagram per segment) and UFO (IP fragments), the way the
 * kernel's GSO does.
 */
#ifndef ETH_VNET_H
#define ETH_VNET_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/pool.h"

/* The wire header: 10 bytes, little-endian (virtio 1.0, x86 legacy). */
#define VNET_HDR_LEN 10

/* flags */
#define VNET_F_NEEDS_CSUM 1
#define VNET_F_DATA_VALID 2
/* gso_type */
#define VNET_GSO_NONE 0
#define VNET_GSO_TCPV4 1
#define VNET_GSO_UDP 3 /* UFO: IP fragments of one datagram */
#define VNET_GSO_TCPV6 4
#define VNET_GSO_UDP_L4 5 /* USO: one datagram per segment */
#define VNET_GSO_ECN 0x80

/* tap offloads (TUNSETOFFLOAD); USO bits are newer than some headers */
#define VNET_TUN_F_CSUM 0x01
#define VNET_TUN_F_TSO4 0x02
#define VNET_TUN_F_TSO6 0x04
#define VNET_TUN_F_TSO_ECN 0x08
#define VNET_TUN_F_UFO 0x10
#define VNET_TUN_F_USO4 0x20
#define VNET_TUN_F_USO6 0x40

/* Largest frame a super-frame may be: 64 KiB of IP plus its headers. */
#define VNET_MAX_FRAME (65535 + 18)

/* Why a header was refused; 0 means it matches its frame. */
enum vnet_error {
	VNET_OK = 0,
	VNET_ERR_FLAGS, /* unknown flag bits */
	VNET_ERR_GSO_TYPE, /* unknown GSO type, ECN without TCP */
	VNET_ERR_GSO_SIZE, /* GSO type with gso_size 0 */
	VNET_ERR_HDR_LEN, /* hdr_len beyond the frame */
	VNET_ERR_CSUM_START, /* csum_start outside the packet */
	VNET_ERR_CSUM_OFFSET, /* checksum field beyond the packet */
	VNET_ERR_GSO_MISMATCH, /* GSO type disagrees with the packet */
	VNET_ERR_MAX
};

/* Where the layers of a frame are, as vnet_parse() found them. */
struct vnet_l34 {
	uint16_t l3; /* IP header offset; 0 when not IP */
	uint16_t l4; /* TCP/UDP header offset; 0 when none (or a fragment) */
	uint16_t l4_hlen; /* TCP header length, or 8 for UDP */
	uint32_t end; /* end of the IP packet (Ethernet padding excluded) */
	uint8_t ipv6; /* 1 for IPv6 */
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP when l4 is set */
};

/* vnet_error_name - stable short name ("bad_csum_start", ...). */
const char *vnet_error_name(enum vnet_error err);

/* vnet_decode / vnet_encode - the wire header <-> @ol (VNET_HDR_LEN). */
void vnet_decode(const void *wire, struct pkt_ol *ol);
void vnet_encode(const struct pkt_ol *ol, void *wire);

/*
 * vnet_parse - find the IP and TCP/UDP headers of the Ethernet frame at
 * @f (@len bytes, optionally 802.1Q tagged). Fills @l; fields of layers
 * that are absent or malformed are 0. Never fails.
 */
void vnet_parse(const uint8_t *f, uint32_t len, struct vnet_l34 *l);

/*
 * vnet_check - check offload state @ol against the frame it came with
 * (@f, @len), whose layers are @l. Returns VNET_OK or why it is refused.
 */
enum vnet_error vnet_check(const uint8_t *f, uint32_t len,
			   const struct pkt_ol *ol, const struct vnet_l34 *l);

/*
 * vnet_csum - the RFC 1071 sum of @len bytes at @p added to @sum, not
 * folded; vnet_csum_fold folds it into the 16-bit one's complement.
 */
uint32_t vnet_csum(const uint8_t *p, uint32_t len, uint32_t sum);
uint16_t vnet_csum_fold(uint32_t sum);

/*
 * vnet_csum_complete - finish the partial checksum of the frame at @f
 * (checked by vnet_check) in place and clear NEEDS_CSUM in @ol.
 */
void vnet_csum_complete(uint8_t *f, uint32_t len, struct pkt_ol *ol,
			const struct vnet_l34 *l);

/*
 * Software segmentation of a checked super-frame, one segment at a time
 * (a 64 KiB frame cut at a small MSS is more segments than a burst).
 */
struct vnet_seg {
	const uint8_t *f; /* the super-frame */
	uint32_t len;
	struct vnet_l34 l;
	uint8_t type; /* gso_type without ECN */
	uint16_t hlen; /* headers copied into every segment */
	uint32_t mss; /* payload bytes per segment */
	uint32_t off; /* payload bytes already cut */
	uint32_t n; /* segments made */
	uint32_t sum; /* UFO: the whole datagram's UDP checksum */
	uint32_t frag_id; /* UFO over IPv6: the fragment header's id */
};

/*
 * vnet_seg_start - prepare cutting the frame @f/@len (its state @ol passed
 * vnet_check) into segments whose IP packets hold at most @mtu bytes and
 * whose frames fit in @room bytes. Returns 0, or -EINVAL when the GSO type
 * needs no cutting or headers leave no room for a payload.
 */
int vnet_seg_start(struct vnet_seg *s, const uint8_t *f, uint32_t len,
		   const struct pkt_ol *ol, const struct vnet_l34 *l,
		   uint32_t mtu, uint32_t room);

/*
 * vnet_seg_next - the next segment in a buffer of @pool, complete with
 * lengths, IDs, sequence numbers, flags and checksums; NULL when all are
 * made (or @pool is empty: then vnet_seg_done() stays false). Adds the
 * bytes copied to *@copied.
 */
struct pkt *vnet_seg_next(struct vnet_seg *s, struct pool *pool,
			  uint64_t *copied);

/* vnet_seg_done - true once the whole payload has been cut. */
bool vnet_seg_done(const struct vnet_seg *s);

#endif /* ETH_VNET_H */
