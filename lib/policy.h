/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fabric policy (fabric.yaml): one validated in-memory model read by the
 * SM plugin, fabricd and the tools. See docs/fabric.yaml.5 for the format.
 */
#ifndef FABRIC_POLICY_H
#define FABRIC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define POLICY_PKEY_MIN 0x0001
#define POLICY_PKEY_MAX 0x7ffe
#define POLICY_VLAN_MIN 1
#define POLICY_VLAN_MAX 4094
#define POLICY_LID_MIN 0x0001
#define POLICY_LID_MAX 0xbfff
#define POLICY_MTU_DEFAULT 2048
/*
 * fabricd's MAC table (entries): each partition's fdb_limit, and all of
 * them added up, fit in it.
 */
#define POLICY_FDB_ENTRIES 65536
/* Entries in a port's PKey table unless fabric.pkey_table_size says less. */
#define POLICY_PKEY_TABLE_DEFAULT 128

/*
 * Limits: each is enforced when the policy is loaded (policy check, the SM
 * plugin, fabricd), with the FILE:LINE:COL that exceeds it, and stated in
 * fabric.yaml(5), LIMITS.
 */
#define POLICY_FILE_MAX (16u << 20) /* bytes in a policy file */
#define POLICY_FILE_MAX_TEXT "16 MiB"
/* partitions: fabricd's forwarding engine has a slot for each */
#define POLICY_PARTITIONS_MAX 4096
/* members of one partition: a subnet has at most 0xbfff unicast LIDs */
#define POLICY_MEMBERS_MAX 49151
/* names of the fabric, partitions, gateways and IB devices, in bytes */
#define POLICY_NAME_MAX 63
/* partition names: OpenSM keeps 31 characters (osm_prtn_t.name) */
#define POLICY_PART_NAME_MAX 31
/* Linux interface names (uplinks, access ports): IFNAMSIZ - 1 */
#define POLICY_IFNAME_MAX 15
/*
 * ports of fabricd's forwarding engine: a gateway's uplink, every access
 * port of ports: and an IPoIB port for each IPoIB partition it is in
 */
#define POLICY_ENGINE_PORTS_MAX 64

/*
 * policy_read_file - read policy file @path into a NUL-terminated malloc'ed
 * buffer: a regular file of at most POLICY_FILE_MAX bytes, opened without
 * blocking, so that a FIFO or a device can neither hang nor bloat the
 * reader. Returns 0, -ENOTSUP (not a regular file), -EFBIG (too large) or the
 * errno of opening/reading it; policy_read_error() says it in words.
 */
int policy_read_file(const char *path, char **buf, size_t *len);

/* policy_read_error - a sentence for a policy_read_file() error @err. */
const char *policy_read_error(int err);

/* Where a value stands in its file; line and column count from 1. */
struct policy_loc {
	unsigned int line;
	unsigned int col;
};

enum policy_membership {
	POLICY_MEMB_FULL,
	POLICY_MEMB_LIMITED,
	POLICY_MEMB_BOTH, /* OpenSM "both": full and limited entries */
};

enum policy_selector {
	POLICY_SEL_GUID, /* one port, by port GUID */
	POLICY_SEL_ALL_CAS, /* every channel adapter port */
	POLICY_SEL_ALL_SWITCHES, /* every switch (port 0) */
	POLICY_SEL_ALL, /* every port */
	POLICY_SEL_NODE, /* the ports of nodes whose description matches */
};

/* Longest node-description pattern (a description holds 64 bytes). */
#define POLICY_NODE_PATTERN_MAX 128

/* An IPv4 or IPv6 address with a prefix length. */
struct policy_prefix {
	int family; /* AF_INET, AF_INET6, or 0 when absent */
	uint8_t addr[16]; /* network byte order; IPv4 uses the first 4 */
	uint8_t plen;
};

struct policy_member {
	enum policy_selector sel;
	uint64_t guid; /* POLICY_SEL_GUID only; host byte order */
	char *node; /* POLICY_SEL_NODE only: the pattern (policy_node_match) */
	enum policy_membership membership;
	struct policy_loc loc;
};

struct policy_partition {
	char *name;
	uint16_t pkey; /* 15-bit base, full-member bit cleared */
	uint16_t vlan; /* 1..4094, or 0: not mirrored on Ethernet */
	bool ipoib; /* create the IPoIB broadcast group */
	bool peer; /* peer links between fabricds (needs ipoib) */
	unsigned int mtu; /* bytes: 256, 512, 1024, 2048 or 4096 */
	unsigned int sl; /* service level of the broadcast group, 0..15 */
	unsigned int fdb_limit; /* MACs fabricd learns in it; 0: a share */
	struct policy_prefix ipv4; /* family 0 when absent */
	struct policy_prefix ipv6;
	struct policy_member *members;
	size_t n_members;
	struct policy_loc loc;
};

struct policy_lid_pin {
	uint64_t guid; /* port GUID */
	uint16_t lid;
	struct policy_loc loc;
};

/* The addresses a gateway holds in one partition. */
struct policy_gw_addrs {
	const struct policy_partition *partition;
	struct policy_prefix *addrs; /* host address with prefix length */
	size_t n_addrs;
};

/*
 * HA (gateway groups): the gateways that give a partition a priority form
 * its group; the one with the highest priority forwards between Ethernet
 * and IPoIB for it (fabricd/ha.h, VRRP's model, RFC 5798).
 */
#define POLICY_HA_PRIO_MIN 1
#define POLICY_HA_PRIO_MAX 254
#define POLICY_HA_INTERVAL_DEFAULT 100 /* ms between advertisements */
#define POLICY_HA_INTERVAL_MIN 10
#define POLICY_HA_INTERVAL_MAX 10000
#define POLICY_HA_HOLD_DEFAULT 3000 /* ms a returning master waits */
#define POLICY_HA_HOLD_MAX 600000

/* A gateway's priority in one partition's group. */
struct policy_gw_prio {
	const struct policy_partition *partition;
	unsigned int priority; /* POLICY_HA_PRIO_MIN..MAX */
	struct policy_loc loc;
};

/* gateway_ha: the timers every group uses. */
struct policy_ha {
	unsigned int advert_interval_ms;
	unsigned int preempt_hold_ms;
	struct policy_loc loc;
};

struct policy_gateway {
	char *name;
	uint64_t port_guid; /* 0 when the gateway has no IB port */
	char *uplink; /* Ethernet trunk interface name */
	char *ib_device; /* verbs device name, or NULL */
	unsigned int ib_port; /* 1-based verbs port number, 0 when unset */
	struct policy_gw_addrs *addrs;
	size_t n_addrs;
	struct policy_gw_prio *prios; /* priority: { PARTITION: N } */
	size_t n_prios;
	struct policy_loc loc;
};

/* Queues of a tap fabricd makes: the kernel's MAX_TAP_QUEUES. */
#define POLICY_TAP_QUEUES_MAX 256

/*
 * A tap fabricd makes for a hypervisor to open (create: tap): persistent,
 * with the virtio-net header, owned by @uid/@gid (-1: root only).
 */
struct policy_tap {
	bool create; /* create: tap */
	long uid; /* owner:, resolved; -1 when absent */
	long gid; /* group:, resolved; -1 when absent */
	unsigned int queues; /* 1: single queue; more: IFF_MULTI_QUEUE */
};

/* An access port on this host (a VM tap, a veth). */
struct policy_port {
	char *name;
	const struct policy_partition *partition;
	enum policy_membership membership; /* FULL or LIMITED */
	int fdb_limit; /* MACs it may teach fabricd; 0: no limit, -1: default */
	struct policy_tap tap;
	struct policy_loc loc;
};

/* metrics: fabricd's node_exporter textfile (fabricd --metrics-dir wins). */
struct policy_metrics {
	char *textfile_dir; /* absolute; NULL when the policy has no metrics: */
	unsigned int interval; /* seconds between writes, 1..86400 */
	struct policy_loc loc;
};

/* Bounds of metrics.interval (seconds). */
#define POLICY_METRICS_INTERVAL_DEFAULT 15
#define POLICY_METRICS_INTERVAL_MAX 86400

/*
 * flow_export: IPFIX export of the flows fabricd forwards (docs/ipfix.md;
 * `fabricctl flow export` overrides it until the next reload changes it).
 */
struct policy_flow_export {
	char *collector; /* "HOST:PORT" (UDP); NULL: no flow_export: key */
	unsigned int
		sampling; /* 1-in-N forwarded frames, 1..POLICY_FLOW_SAMPLING_MAX */
	unsigned int active_timeout; /* seconds */
	unsigned int idle_timeout; /* seconds, at most active_timeout */
	uint32_t observation_domain; /* IPFIX observation domain ID */
	unsigned int cache_size; /* flows the cache holds */
	unsigned int partition_share; /* percent of it one partition may hold */
	struct policy_loc loc;
};

#define POLICY_FLOW_SAMPLING_MAX 1000000
#define POLICY_FLOW_ACTIVE_DEFAULT 60
#define POLICY_FLOW_IDLE_DEFAULT 15
#define POLICY_FLOW_TIMEOUT_MAX 86400
#define POLICY_FLOW_CACHE_DEFAULT 65536
#define POLICY_FLOW_CACHE_MIN 64
#define POLICY_FLOW_CACHE_MAX 1048576 /* about 200 MiB */
#define POLICY_FLOW_SHARE_DEFAULT 25

/*
 * policy_parse_hostport - split "HOST:PORT" or "[IPV6]:PORT" into @host
 * (@hlen bytes) and @port (1..65535). Returns 0 or -EINVAL.
 */
int policy_parse_hostport(const char *s, char *host, size_t hlen,
			  unsigned int *port);

/*
 * The default partition (0x7fff): every CA's membership. Absent from the
 * file, every CA is a full member with an IPoIB broadcast group, as stock
 * OpenSM without a partition file.
 */
struct policy_default {
	bool set; /* default_partition: is in the file */
	enum policy_membership membership; /* FULL or LIMITED */
	bool ipoib;
	unsigned int mtu; /* bytes; 0: OpenSM's default (2048) */
	struct policy_loc loc; /* of the key, or of membership: */
};

struct policy {
	char *file; /* path it was read from */
	struct policy_default dflt;
	char *fabric_name;
	unsigned int pkey_table_size;
	struct policy_lid_pin *lid_pins;
	size_t n_lid_pins;
	struct policy_partition *partitions;
	size_t n_partitions;
	struct policy_gateway *gateways;
	size_t n_gateways;
	struct policy_port *ports;
	size_t n_ports;
	struct policy_metrics metrics;
	struct policy_flow_export flow_export;
	struct policy_ha ha;
};

/*
 * policy_load - read and validate a policy file.
 * @path: file to read.
 * @err: where located errors are printed, gcc-style
 *       ("FILE:LINE:COL: error: what; how to fix"), one per line, all of them;
 *       NULL to stay silent.
 * @n_errors: if not NULL, receives the number of errors found.
 *
 * Returns the policy, or NULL with errno set: EINVAL when the file has
 * errors, or the errno of opening/reading it.
 */
struct policy *policy_load(const char *path, FILE *err, unsigned int *n_errors);

/*
 * policy_load_buffer - like policy_load(), from memory; @name is used in
 * messages as the file name.
 */
struct policy *policy_load_buffer(const char *name, const void *buf, size_t len,
				  FILE *err, unsigned int *n_errors);

/* policy_free - release a policy; accepts NULL. */
void policy_free(struct policy *pol);

/* Look-ups; each returns NULL when there is no such object. */
const struct policy_partition *policy_find_partition(const struct policy *pol,
						     const char *name);
const struct policy_partition *
policy_find_partition_by_pkey(const struct policy *pol, uint16_t pkey);
const struct policy_partition *
policy_find_partition_by_vlan(const struct policy *pol, uint16_t vlan);
const struct policy_gateway *policy_find_gateway(const struct policy *pol,
						 const char *name);
const struct policy_gw_addrs *
policy_gateway_addrs(const struct policy_gateway *gw,
		     const struct policy_partition *part);

/*
 * policy_gateway_priority - @gw's priority in @part's gateway group, or 0
 * when @gw is no member of it.
 */
unsigned int policy_gateway_priority(const struct policy_gateway *gw,
				     const struct policy_partition *part);

/*
 * policy_partition_has_group - true when some gateway gives @part a
 * priority: then only its group's master forwards it (fabric.yaml(5)).
 */
bool policy_partition_has_group(const struct policy *pol,
				const struct policy_partition *part);

/*
 * Membership as bits, the way a port's PKey table holds a partition: a
 * full entry, a limited one, or both.
 */
#define POLICY_MEMB_BIT_FULL 1u
#define POLICY_MEMB_BIT_LIMITED 2u

/*
 * policy_member_selects - true when member @m puts CA port @guid in its
 * partition: every port, every CA port, or @guid by its GUID.
 */
bool policy_member_selects(const struct policy_member *m, uint64_t guid);

/*
 * policy_port_memb_bits - the POLICY_MEMB_BIT_* that the members of @part
 * give CA port @guid ("both" gives both bits); 0 when it is no member.
 */
unsigned int policy_port_memb_bits(const struct policy_partition *part,
				   uint64_t guid);

/*
 * policy_pkey_memb_bits - the POLICY_MEMB_BIT_* that a PKey table (@n
 * entries with the full bit, @pkeys) holds for partition @base; 0: none.
 */
unsigned int policy_pkey_memb_bits(const uint16_t *pkeys, size_t n,
				   uint16_t base);

/* Names for enum values, as written in the file. */
const char *policy_membership_name(enum policy_membership m);
const char *policy_selector_name(enum policy_selector s);

/*
 * policy_prefix_format - write "10.20.0.1/24" or "fd00::1/64" into @buf.
 * Returns @buf.
 */
char *policy_prefix_format(const struct policy_prefix *p, char *buf,
			   size_t len);

/* policy_prefix_contains - true when @addr lies inside network @net. */
bool policy_prefix_contains(const struct policy_prefix *net,
			    const struct policy_prefix *addr);

/* policy_prefix_overlap - true when two networks share any address. */
bool policy_prefix_overlap(const struct policy_prefix *a,
			   const struct policy_prefix *b);

/*
 * policy_node_match - true when node description @desc matches @pattern:
 * '*' any characters, '?' one, "[001-128,200]" a number in a range or list
 * (written with leading zeros, the number has the bound's width).
 */
bool policy_node_match(const char *pattern, const char *desc);

/*
 * policy_node_pattern_check - 0 when @pattern is well formed, else -EINVAL
 * with *@why saying what is wrong.
 */
int policy_node_pattern_check(const char *pattern, const char **why);

/*
 * policy_default_warning - when the policy has partitions (tenants) and
 * every CA is a full member of the default partition, through which the
 * tenants can then reach each other: writes "FILE:LINE:COL: warning: ..."
 * (the default_partition line, or the first partition's when the key is
 * absent) into @buf and returns true; false when there is nothing to say.
 */
bool policy_default_warning(const struct policy *pol, char *buf, size_t len);

#endif /* FABRIC_POLICY_H */
