/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fabstat doctor's model: what is gathered once per run (the local
 * InfiniBand port, fabricd's answers, the kernel's addresses) and, per
 * partition, the checks made with their results and fixes. The checks live
 * in tools/doctor_ib.c (PKey, broadcast group, MTUs), tools/doctor_eth.c
 * (links, addresses) and tools/doctor_fabricd.c (fabricd);
 * tools/fabstat_doctor.c runs them and prints one verdict per partition.
 */
#ifndef FABRIC_DOCTOR_H
#define FABRIC_DOCTOR_H

#include <ifaddrs.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <infiniband/umad.h>
#include <jansson.h>

#define DOCTOR_MAX_CHECKS 16
#define DOCTOR_TEXT 256

struct diag_sa;
struct fabstat_opts;
struct policy_gateway;
struct policy_gw_addrs;
struct policy_partition;

/* Ordered: a partition's verdict is the worst result but DOCTOR_SKIPPED. */
enum doctor_result {
	DOCTOR_OK,
	DOCTOR_SKIPPED, /* does not apply here */
	DOCTOR_UNCHECKED, /* applies, but could not be checked */
	DOCTOR_PROBLEM,
};

struct doctor_check {
	const char *id; /* stable: "pkey", "broadcast-group", ... */
	enum doctor_result result;
	char detail[DOCTOR_TEXT]; /* what was seen, or the problem */
	char fix[DOCTOR_TEXT]; /* one command line, problems only */
};

/* One partition under examination. */
struct doctor_part {
	const struct policy_partition *part;
	unsigned int policy_memb; /* POLICY_MEMB_BIT_* the policy gives */
	unsigned int fabric_memb; /* POLICY_MEMB_BIT_* our PKey table holds */
	const struct policy_gw_addrs *addrs; /* the gateway's, or NULL */
	bool served; /* mirrored on Ethernet by this gateway */
	unsigned int group_mtu; /* broadcast group MTU, 0 when unknown */
	char eth_dev[IFNAMSIZ]; /* where the addresses belong */
	json_t *fd_part; /* fabricd's view (borrowed), or NULL */
	struct doctor_check checks[DOCTOR_MAX_CHECKS];
	unsigned int n_checks;
};

/* What is gathered once per run. */
struct doctor_env {
	const struct fabstat_opts *o;
	const char *socket;
	const char *gw_name; /* --gateway */
	bool verbose;
	const struct policy_gateway *gw;
	const char *gw_how; /* how the gateway was found */
	/* The local InfiniBand port. */
	char ca[UMAD_CA_NAME_LEN];
	int port;
	uint64_t port_guid;
	int ib_err; /* 0, or why the port could not be read */
	uint16_t *pkeys;
	unsigned int n_pkeys;
	unsigned int port_mtu; /* active MTU, bytes */
	struct diag_sa *sa;
	int sa_err;
	/* fabricd. */
	int fd_err; /* 0 when it answered */
	json_t *fd_status, *fd_parts, *fd_ports;
	json_t *fd_ha; /* ha/show: the gateway groups; NULL: none known */
	char fd_ports_err[DOCTOR_TEXT]; /* why port/list failed */
	/* The kernel. */
	bool vlan_mode; /* 802.1Q links, else addresses on the uplink */
	struct ifaddrs *ifa;
};

/*
 * doctor_add - record check @id of @p with result @r and a printf-style
 * detail. Returns the check, for doctor_fix().
 */
struct doctor_check *doctor_add(struct doctor_part *p, const char *id,
				enum doctor_result r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* doctor_fix - set the fix of check @c, printf-style. */
void doctor_fix(struct doctor_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* doctor_fix_sm_hup - the fix "@first; then kill -HUP $(pidof opensm)". */
void doctor_fix_sm_hup(struct doctor_check *c, const char *first);

/* doctor_has_problem - true when a check of @p found a problem. */
bool doctor_has_problem(const struct doctor_part *p);

/* doctor_memb_name - "full", "limited", "both" or "none" for MEMB bits. */
const char *doctor_memb_name(unsigned int bits);

/*
 * doctor_env_gateway - find this host's gateway in the policy: --gateway
 * (e->gw_name), else fabricd's, else the one with our port's GUID, else the
 * one named like the host. Sets e->gw (NULL when none) and e->gw_how.
 * Returns 0, or -ENOENT when --gateway names no gateway of the policy.
 */
int doctor_env_gateway(struct doctor_env *e);

#endif /* FABRIC_DOCTOR_H */
