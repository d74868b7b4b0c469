/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What IPoIB needs from the Subnet Administrator (IBA 15.2.5), over
 * libibumad: joining and leaving multicast groups (MCMemberRecord SubnAdmSet
 * / SubnAdmDelete; the partition's broadcast group first) and resolving a
 * GID to a path (PathRecord SubnAdmGet).
 *
 * Records are packed and unpacked byte by byte in the wire layout of the
 * IBA (big endian, bit fields from the most significant bit), so they can
 * be checked byte-exactly without a fabric. The transport is synchronous:
 * call it from a control thread, or with a short timeout.
 *
 * The MAD transport (umad port, TID matching, time-outs) is lib/sa_mad.h,
 * shared with the diagnostics' tools/diag_sa.c; each maps the SA's status
 * to errnos itself (here "request invalid" is -EINVAL, fabstat's -EACCES).
 */
#ifndef FABRIC_IPOIB_SA_CLIENT_H
#define FABRIC_IPOIB_SA_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipoib/wire.h"
#include "lib/sa_mad.h"

#define IPOIB_SA_MAD_LEN SA_MAD_LEN
#define IPOIB_SA_DATA_OFF SA_MAD_DATA_OFF /* MAD + RMPP + SA headers */
#define IPOIB_SA_MCMEMBER_LEN 52
#define IPOIB_SA_PATH_LEN 64

#define IPOIB_SA_ATTR_PATH 0x0035
#define IPOIB_SA_ATTR_MCMEMBER 0x0038

#define IPOIB_SA_METHOD_GET 0x01
#define IPOIB_SA_METHOD_SET 0x02
#define IPOIB_SA_METHOD_DELETE 0x15

/* MCMemberRecord component mask bits (IBA table 216). */
enum {
	IPOIB_MCM_MGID = 1u << 0,
	IPOIB_MCM_PORT_GID = 1u << 1,
	IPOIB_MCM_QKEY = 1u << 2,
	IPOIB_MCM_MLID = 1u << 3,
	IPOIB_MCM_MTU_SEL = 1u << 4,
	IPOIB_MCM_MTU = 1u << 5,
	IPOIB_MCM_TCLASS = 1u << 6,
	IPOIB_MCM_PKEY = 1u << 7,
	IPOIB_MCM_RATE_SEL = 1u << 8,
	IPOIB_MCM_RATE = 1u << 9,
	IPOIB_MCM_PLT_SEL = 1u << 10,
	IPOIB_MCM_PLT = 1u << 11,
	IPOIB_MCM_SL = 1u << 12,
	IPOIB_MCM_FLOW_LABEL = 1u << 13,
	IPOIB_MCM_HOP_LIMIT = 1u << 14,
	IPOIB_MCM_SCOPE = 1u << 15,
	IPOIB_MCM_JOIN_STATE = 1u << 16,
	IPOIB_MCM_PROXY_JOIN = 1u << 17,
};

/* PathRecord component mask bits (IBA table 213). */
enum {
	IPOIB_PR_DGID = 1u << 2,
	IPOIB_PR_SGID = 1u << 3,
	IPOIB_PR_DLID = 1u << 4,
	IPOIB_PR_SLID = 1u << 5,
	IPOIB_PR_TCLASS = 1u << 10,
	IPOIB_PR_REVERSIBLE = 1u << 11,
	IPOIB_PR_NUMB_PATH = 1u << 12,
	IPOIB_PR_PKEY = 1u << 13,
	IPOIB_PR_SL = 1u << 15,
};

/* JoinState bits: full member, non member, send-only non member. */
#define IPOIB_JOIN_FULL 0x1
#define IPOIB_JOIN_NON 0x2
#define IPOIB_JOIN_SENDONLY 0x4

/* MTU codes (IBA 7.7.10 / ibv_mtu): 1 = 256 ... 5 = 4096. */

/* An MCMemberRecord, host order. */
struct ipoib_mcmember {
	struct ipoib_gid mgid;
	struct ipoib_gid port_gid;
	uint32_t qkey;
	uint16_t mlid;
	uint8_t mtu_sel, mtu; /* 2 and 6 bits */
	uint8_t tclass;
	uint16_t pkey;
	uint8_t rate_sel, rate;
	uint8_t plt_sel, plt; /* packet life time */
	uint8_t sl; /* 4 bits */
	uint32_t flow_label; /* 20 bits */
	uint8_t hop_limit;
	uint8_t scope, join_state; /* 4 bits each */
	uint8_t proxy_join; /* 1 bit */
};

/* A PathRecord, host order. */
struct ipoib_path {
	uint64_t service_id;
	struct ipoib_gid dgid, sgid;
	uint16_t dlid, slid;
	uint8_t raw_traffic; /* 1 bit */
	uint32_t flow_label; /* 20 bits */
	uint8_t hop_limit, tclass;
	uint8_t reversible, numb_path; /* 1 and 7 bits */
	uint16_t pkey;
	uint16_t qos_class; /* 12 bits */
	uint8_t sl; /* 4 bits */
	uint8_t mtu_sel, mtu, rate_sel, rate, plt_sel, plt;
	uint8_t preference;
};

/* ipoib_sa_mcmember_pack - @r in wire layout into @out (52 bytes). */
void ipoib_sa_mcmember_pack(const struct ipoib_mcmember *r, uint8_t *out);
/* ipoib_sa_mcmember_unpack - the record at @in (52 bytes) into @r. */
void ipoib_sa_mcmember_unpack(const uint8_t *in, struct ipoib_mcmember *r);
/* ipoib_sa_path_pack - @r in wire layout into @out (64 bytes). */
void ipoib_sa_path_pack(const struct ipoib_path *r, uint8_t *out);
/* ipoib_sa_path_unpack - the record at @in (64 bytes) into @r. */
void ipoib_sa_path_unpack(const uint8_t *in, struct ipoib_path *r);

/*
 * ipoib_sa_mad_build - a whole SA request MAD (IPOIB_SA_MAD_LEN bytes at
 * @mad): @method, @attr, @tid, @sm_key, @comp_mask and @len bytes of
 * record. Returns 0, or -EINVAL when @len does not fit.
 */
int ipoib_sa_mad_build(uint8_t *mad, uint8_t method, uint16_t attr,
		       uint64_t tid, uint64_t sm_key, uint64_t comp_mask,
		       const void *rec, size_t len);

/*
 * ipoib_sa_mad_status - 0 for a successful response MAD, else a negative
 * errno: -ENOENT (no records), -E2BIG (too many), -EINVAL (request
 * invalid: e.g. joining a partition the port is not in), -EPROTO.
 */
int ipoib_sa_mad_status(const uint8_t *mad);

struct ipoib_sa;

/*
 * ipoib_sa_open - an SA client on port @port of CA @ca (NULL/0: the first),
 * each query bounded by @timeout_ms (and 2 retries). Returns NULL with
 * errno ENODEV, ENETDOWN (no SM yet), or libibumad's error.
 */
struct ipoib_sa *ipoib_sa_open(const char *ca, int port,
			       unsigned int timeout_ms);

/* ipoib_sa_close - release; accepts NULL. */
void ipoib_sa_close(struct ipoib_sa *sa);

/* ipoib_sa_port_gid - the port's GID (subnet prefix + port GUID). */
void ipoib_sa_port_gid(const struct ipoib_sa *sa, struct ipoib_gid *gid);

/* ipoib_sa_port_lid - the port's base LID. */
uint16_t ipoib_sa_port_lid(const struct ipoib_sa *sa);

/*
 * ipoib_sa_query - one request/response: @method on @attr with @rec (@len
 * bytes, answered in place). Returns 0 or a negative errno (see
 * ipoib_sa_mad_status, -ETIMEDOUT, libibumad's).
 */
int ipoib_sa_query(struct ipoib_sa *sa, uint8_t method, uint16_t attr,
		   uint64_t comp_mask, void *rec, size_t len);

/*
 * ipoib_sa_join_group - join group @like->mgid as a full member with
 * @like's P_Key; with @create, create it if missing with @like's Q_Key,
 * MTU (exactly), SL and scope. The SA's record into *@out. Returns 0 or a
 * negative errno.
 */
int ipoib_sa_join_group(struct ipoib_sa *sa, const struct ipoib_mcmember *like,
			bool create, struct ipoib_mcmember *out);

/*
 * ipoib_sa_join_bcast - join the broadcast group of partition @pkey (MGID
 * from ipoib_mgid_bcast with @scope) as a full member. With @create the
 * group is created when missing, with @qkey and MTU 2048 (RFC 4391 lets
 * the first member choose). On success *@out holds the group's record:
 * MLID, Q_Key, MTU, SL, rate. Returns 0 or a negative errno.
 */
int ipoib_sa_join_bcast(struct ipoib_sa *sa, uint16_t pkey, uint8_t scope,
			bool create, uint32_t qkey, struct ipoib_mcmember *out);

/*
 * ipoib_sa_leave - leave group @mgid (full membership).
 * Returns 0 or a negative errno.
 */
int ipoib_sa_leave(struct ipoib_sa *sa, const struct ipoib_gid *mgid);

/*
 * ipoib_sa_path - the path from this port to @dgid in partition @pkey
 * (one reversible path). Returns 0 or a negative errno (-ENOENT: unknown
 * GID or not in the partition).
 */
int ipoib_sa_path(struct ipoib_sa *sa, const struct ipoib_gid *dgid,
		  uint16_t pkey, struct ipoib_path *out);

#endif /* FABRIC_IPOIB_SA_CLIENT_H */
