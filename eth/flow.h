/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The flow cache of IPFIX export (docs/ipfix.md): the flows the engine
 * forwards, keyed by MACs, ethertype, VLAN, ports and the IPv4/IPv6
 * 5-tuple, with packet and byte counts and first/last times.
 *
 * Bounded: a fixed number of entries, a limit per partition; a partition
 * at its limit ends its own least recently seen flow (counted as an
 * overflow), and once the cache is full a partition under its limit takes
 * room from the partition holding the most flows: one tenant cannot keep
 * the others out. A flow ends by idle timeout, by active timeout (at the
 * timer, flow_cache_expire(), or at its next packet: exported, the next
 * packet starts a new record), at a TCP FIN or RST, by pressure or when
 * the cache is flushed. A GSO super-frame counts as the segments it
 * stands for. Ended flows wait in a bounded queue for the exporter;
 * when that queue is full the record is dropped and counted. Frames are
 * never dropped by the cache.
 *
 * One thread at a time (the engine lock): no locking of its own.
 */
#ifndef ETH_FLOW_H
#define ETH_FLOW_H

#include <stdbool.h>
#include <stdint.h>

struct pkt_ol;

/* The egress port of a flooded flow (more than one egress port). */
#define FLOW_PORT_MANY 0xffff
#define FLOW_PARTS_MAX 4096

/* RFC 5102 flowEndReason (IPFIX IE 136). */
enum flow_end {
	FLOW_END_IDLE = 1, /* idle timeout */
	FLOW_END_ACTIVE = 2, /* active timeout */
	FLOW_END_EOF = 3, /* end of flow detected (TCP FIN/RST) */
	FLOW_END_FORCED = 4, /* forced end (export turned off, shutdown) */
	FLOW_END_RESOURCES = 5, /* lack of resources (cache pressure) */
	FLOW_END_MAX
};

/* What identifies a flow; zeroed before filling, so it hashes whole. */
struct flow_key {
	uint8_t src_mac[6], dst_mac[6];
	uint16_t ethertype; /* of the untagged frame */
	uint16_t vlan; /* the partition's VLAN ID, 0: none */
	uint16_t part; /* engine partition index */
	uint16_t in_port, out_port; /* engine port slots; FLOW_PORT_MANY */
	uint8_t ip_version; /* 4, 6, 0: not IP */
	uint8_t proto; /* IP protocol / IPv6 next header */
	uint16_t src_port, dst_port; /* TCP, UDP, SCTP; else 0 */
	uint16_t icmp_type_code; /* ICMP/ICMPv6 type << 8 | code */
	uint8_t src_ip[16], dst_ip[16]; /* IPv4: the first 4 bytes */
	uint8_t pad[2]; /* zero: the key hashes and compares as 8 words */
};

/* Where a flow crossed InfiniBand (an ipoib port); zero when it did not. */
struct flow_ib {
	uint16_t pkey; /* with the full-member bit as the port holds it */
	uint16_t src_lid, dst_lid; /* 0: not known */
	uint32_t src_qpn, dst_qpn; /* 0: not known */
	uint8_t src_gid[16], dst_gid[16]; /* all zero: not known */
};

/* An ended flow, as the exporter takes it. */
struct flow_record {
	struct flow_key key;
	struct flow_ib ib;
	bool has_ib; /* it crossed an ipoib port */
	uint16_t pkey; /* its partition's PKey */
	uint32_t in_ifindex, out_ifindex; /* filled by the engine; 0: none */
	uint8_t end_reason; /* enum flow_end */
	uint8_t tcp_flags; /* OR of the flags seen */
	uint64_t packets;
	uint64_t bytes; /* IP packets' octets (IP header included); L2 payload for non-IP */
	uint64_t l2_bytes; /* Ethernet frame octets, untagged, no FCS */
	uint64_t start_ms,
		end_ms; /* CLOCK_MONOTONIC ms of first and last packet */
};

/* What the engine knows of a frame besides its bytes. */
struct flow_meta {
	uint16_t part;
	uint16_t pkey;
	uint16_t vlan;
	uint16_t in_port, out_port;
	const struct flow_ib *ib; /* NULL: did not cross InfiniBand */
	const struct pkt_ol *ol; /* NULL or no GSO: one packet */
};

struct flow_config {
	unsigned int size; /* entries in all; a power of two is not needed */
	unsigned int part_limit; /* entries one partition may hold */
	unsigned int queue; /* ended records waiting for the exporter */
	uint64_t active_ms, idle_ms;
};

/* Counters of one partition (or of the whole cache). */
struct flow_part_stats {
	uint64_t entries; /* flows in the cache now */
	uint64_t created; /* flows started */
	uint64_t records; /* records queued for the exporter */
	uint64_t dropped; /* records lost: queue full, or no room at all */
	uint64_t overflow; /* new flows at the partition's limit */
	uint64_t ended[FLOW_END_MAX]; /* records by end reason */
};

struct flow_cache;

/* flow_config_defaults - fill @cfg's zero fields with the defaults. */
void flow_config_defaults(struct flow_config *cfg);

/*
 * flow_cache_create - an empty cache as @cfg says (zero fields: defaults,
 * docs/ipfix.md). Returns it, or NULL with errno set.
 */
struct flow_cache *flow_cache_create(const struct flow_config *cfg);

/* flow_cache_destroy - free @fc and its queued records; accepts NULL. */
void flow_cache_destroy(struct flow_cache *fc);

/*
 * flow_cache_observe - account frame @frame (@len bytes, untagged Ethernet)
 * seen at @now_ms to its flow, creating the flow when new. A GSO
 * super-frame (@m->ol) counts as its segments, with their headers in the
 * byte counts. Never fails the frame: without room the record is counted
 * as dropped.
 */
void flow_cache_observe(struct flow_cache *fc, const uint8_t *frame,
			uint32_t len, const struct flow_meta *m,
			uint64_t now_ms);

/*
 * flow_cache_expire - end the flows idle for the idle timeout at @now_ms,
 * and those that started the active timeout ago or more (a packet of such
 * a flow before the timer came ends its record too, in
 * flow_cache_observe()). Returns how many ended.
 */
unsigned int flow_cache_expire(struct flow_cache *fc, uint64_t now_ms);

/* flow_cache_flush - end every flow with @reason (FLOW_END_FORCED). */
void flow_cache_flush(struct flow_cache *fc, enum flow_end reason);

/* flow_cache_flush_part - end partition @part's flows (it went away). */
void flow_cache_flush_part(struct flow_cache *fc, uint16_t part);

/*
 * flow_cache_pop - move at most @max ended records into @out, oldest
 * first. Returns how many.
 */
unsigned int flow_cache_pop(struct flow_cache *fc, struct flow_record *out,
			    unsigned int max);

/* flow_cache_part_stats - the counters of partition @part. */
void flow_cache_part_stats(const struct flow_cache *fc, uint16_t part,
			   struct flow_part_stats *st);

/* flow_cache_stats - the counters summed over partitions. */
void flow_cache_stats(const struct flow_cache *fc, struct flow_part_stats *st);

/* flow_cache_config - the configuration in force (defaults filled in). */
void flow_cache_config(const struct flow_cache *fc, struct flow_config *cfg);

/* flow_end_name - "idle", "active", "eof", "forced", "resources". */
const char *flow_end_name(enum flow_end r);

#endif /* ETH_FLOW_H */
