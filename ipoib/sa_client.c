// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ipoib/sa_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ib.h"
#include "lib/sa_mad.h"

#define SA_SM_KEY 0ULL /* MCMemberRecord and PathRecord need no trust */
#define SA_FIRST_TID 0x1b0e0000u

struct ipoib_sa {
	struct sa_mad *mad;
	struct ipoib_gid gid;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, (uint32_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* A byte of two fields: @hi in the top 2 bits, @lo in the low 6. */
static uint8_t sel6(uint8_t hi, uint8_t lo)
{
	return (uint8_t)((hi & 0x3) << 6 | (lo & 0x3f));
}

void ipoib_sa_mcmember_pack(const struct ipoib_mcmember *r, uint8_t *out)
{
	memset(out, 0, IPOIB_SA_MCMEMBER_LEN);
	memcpy(out, r->mgid.raw, IPOIB_GID_LEN);
	memcpy(out + 16, r->port_gid.raw, IPOIB_GID_LEN);
	put32(out + 32, r->qkey);
	put16(out + 36, r->mlid);
	out[38] = sel6(r->mtu_sel, r->mtu);
	out[39] = r->tclass;
	put16(out + 40, r->pkey);
	out[42] = sel6(r->rate_sel, r->rate);
	out[43] = sel6(r->plt_sel, r->plt);
	put32(out + 44, (uint32_t)(r->sl & 0xf) << 28 |
				(r->flow_label & 0xfffff) << 8 | r->hop_limit);
	out[48] = (uint8_t)((r->scope & 0xf) << 4 | (r->join_state & 0xf));
	out[49] = (uint8_t)((r->proxy_join & 1) << 7);
}

void ipoib_sa_mcmember_unpack(const uint8_t *in, struct ipoib_mcmember *r)
{
	uint32_t w = get32(in + 44);

	memcpy(r->mgid.raw, in, IPOIB_GID_LEN);
	memcpy(r->port_gid.raw, in + 16, IPOIB_GID_LEN);
	r->qkey = get32(in + 32);
	r->mlid = get16(in + 36);
	r->mtu_sel = in[38] >> 6;
	r->mtu = in[38] & 0x3f;
	r->tclass = in[39];
	r->pkey = get16(in + 40);
	r->rate_sel = in[42] >> 6;
	r->rate = in[42] & 0x3f;
	r->plt_sel = in[43] >> 6;
	r->plt = in[43] & 0x3f;
	r->sl = w >> 28;
	r->flow_label = (w >> 8) & 0xfffff;
	r->hop_limit = (uint8_t)w;
	r->scope = in[48] >> 4;
	r->join_state = in[48] & 0xf;
	r->proxy_join = in[49] >> 7;
}

void ipoib_sa_path_pack(const struct ipoib_path *r, uint8_t *out)
{
	memset(out, 0, IPOIB_SA_PATH_LEN);
	put64(out, r->service_id);
	memcpy(out + 8, r->dgid.raw, IPOIB_GID_LEN);
	memcpy(out + 24, r->sgid.raw, IPOIB_GID_LEN);
	put16(out + 40, r->dlid);
	put16(out + 42, r->slid);
	put32(out + 44, (uint32_t)(r->raw_traffic & 1) << 31 |
				(r->flow_label & 0xfffff) << 8 | r->hop_limit);
	out[48] = r->tclass;
	out[49] = (uint8_t)((r->reversible & 1) << 7 | (r->numb_path & 0x7f));
	put16(out + 50, r->pkey);
	put16(out + 52,
	      (uint16_t)((r->qos_class & 0xfff) << 4 | (r->sl & 0xf)));
	out[54] = sel6(r->mtu_sel, r->mtu);
	out[55] = sel6(r->rate_sel, r->rate);
	out[56] = sel6(r->plt_sel, r->plt);
	out[57] = r->preference;
}

void ipoib_sa_path_unpack(const uint8_t *in, struct ipoib_path *r)
{
	uint32_t w = get32(in + 44);

	r->service_id = get64(in);
	memcpy(r->dgid.raw, in + 8, IPOIB_GID_LEN);
	memcpy(r->sgid.raw, in + 24, IPOIB_GID_LEN);
	r->dlid = get16(in + 40);
	r->slid = get16(in + 42);
	r->raw_traffic = w >> 31;
	r->flow_label = (w >> 8) & 0xfffff;
	r->hop_limit = (uint8_t)w;
	r->tclass = in[48];
	r->reversible = in[49] >> 7;
	r->numb_path = in[49] & 0x7f;
	r->pkey = get16(in + 50);
	r->qos_class = get16(in + 52) >> 4;
	r->sl = in[53] & 0xf;
	r->mtu_sel = in[54] >> 6;
	r->mtu = in[54] & 0x3f;
	r->rate_sel = in[55] >> 6;
	r->rate = in[55] & 0x3f;
	r->plt_sel = in[56] >> 6;
	r->plt = in[56] & 0x3f;
	r->preference = in[57];
}

int ipoib_sa_mad_build(uint8_t *mad, uint8_t method, uint16_t attr,
		       uint64_t tid, uint64_t sm_key, uint64_t comp_mask,
		       const void *rec, size_t len)
{
	return sa_mad_build(mad, method, attr, tid, sm_key, comp_mask, rec,
			    len);
}

int ipoib_sa_mad_status(const uint8_t *mad)
{
	uint16_t status = sa_mad_status(mad);

	if (!status)
		return 0;
	switch (status >> 8) {
	case 0x01: /* ERR_NO_RESOURCES */
		return -ENOMEM;
	case 0x02: /* ERR_REQ_INVALID */
	case 0x05: /* ERR_REQ_INVALID_GID */
	case 0x06: /* ERR_REQ_INSUFFICIENT_COMPONENTS */
		return -EINVAL;
	case 0x03: /* ERR_NO_RECORDS */
		return -ENOENT;
	case 0x04: /* ERR_TOO_MANY_RECORDS */
		return -E2BIG;
	case 0x07: /* ERR_REQ_DENIED */
		return -EACCES;
	default:
		return (status & 0x1c) ? -EINVAL : -EPROTO;
	}
}

struct ipoib_sa *ipoib_sa_open(const char *ca, int port,
			       unsigned int timeout_ms)
{
	struct ipoib_sa *sa = calloc(1, sizeof(*sa));
	const struct sa_mad_port *p;

	if (!sa)
		return NULL;
	sa->mad = sa_mad_open(ca, port, SA_SM_KEY, SA_FIRST_TID, timeout_ms);
	if (!sa->mad) {
		int err = errno;

		free(sa);
		errno = err;
		return NULL;
	}
	p = sa_mad_port(sa->mad);
	put64(sa->gid.raw, p->gid_prefix);
	put64(sa->gid.raw + 8, p->port_guid);
	return sa;
}

void ipoib_sa_close(struct ipoib_sa *sa)
{
	if (!sa)
		return;
	sa_mad_close(sa->mad);
	free(sa);
}

void ipoib_sa_port_gid(const struct ipoib_sa *sa, struct ipoib_gid *gid)
{
	*gid = sa->gid;
}

uint16_t ipoib_sa_port_lid(const struct ipoib_sa *sa)
{
	return sa_mad_port(sa->mad)->lid;
}

int ipoib_sa_query(struct ipoib_sa *sa, uint8_t method, uint16_t attr,
		   uint64_t comp_mask, void *rec, size_t len)
{
	const uint8_t *mad;
	int ret;

	ret = sa_mad_query(sa->mad, method, attr, comp_mask, rec, len, &mad);
	if (ret)
		return ret;
	ret = ipoib_sa_mad_status(mad);
	if (ret)
		return ret;
	memcpy(rec, mad + IPOIB_SA_DATA_OFF, len);
	return 0;
}

/* Join (or create) @r's group; the SA's record into *@out. */
static int sa_join(struct ipoib_sa *sa, struct ipoib_mcmember *r, bool create,
		   struct ipoib_mcmember *out)
{
	uint8_t rec[IPOIB_SA_MCMEMBER_LEN];
	uint64_t mask;
	int ret;

	r->port_gid = sa->gid;
	r->pkey |= IB_PKEY_FULL_BIT;
	r->join_state = IPOIB_JOIN_FULL;
	mask = IPOIB_MCM_MGID | IPOIB_MCM_PORT_GID | IPOIB_MCM_PKEY |
	       IPOIB_MCM_JOIN_STATE;
	if (create)
		/* what a group's creator must give (IBA o15-0.2.3) */
		mask |= IPOIB_MCM_QKEY | IPOIB_MCM_MTU_SEL | IPOIB_MCM_MTU |
			IPOIB_MCM_TCLASS | IPOIB_MCM_SL | IPOIB_MCM_FLOW_LABEL |
			IPOIB_MCM_SCOPE;
	ipoib_sa_mcmember_pack(r, rec);
	ret = ipoib_sa_query(sa, IPOIB_SA_METHOD_SET, IPOIB_SA_ATTR_MCMEMBER,
			     mask, rec, sizeof(rec));
	if (ret)
		return ret;
	ipoib_sa_mcmember_unpack(rec, out);
	return 0;
}

int ipoib_sa_join_bcast(struct ipoib_sa *sa, uint16_t pkey, uint8_t scope,
			bool create, uint32_t qkey, struct ipoib_mcmember *out)
{
	struct ipoib_mcmember r = { 0 };

	ipoib_mgid_bcast(&r.mgid, pkey, scope);
	r.pkey = pkey;
	if (create) {
		r.qkey = qkey;
		r.mtu_sel = 2; /* exactly */
		r.mtu = IB_MTU_2048;
		r.scope = scope;
	}
	return sa_join(sa, &r, create, out);
}

int ipoib_sa_join_group(struct ipoib_sa *sa, const struct ipoib_mcmember *like,
			bool create, struct ipoib_mcmember *out)
{
	struct ipoib_mcmember r = { 0 };

	r.mgid = like->mgid;
	r.pkey = like->pkey;
	if (create) {
		r.qkey = like->qkey;
		r.mtu_sel = 2; /* exactly */
		r.mtu = like->mtu;
		r.sl = like->sl;
		r.scope = like->scope;
	}
	return sa_join(sa, &r, create, out);
}

int ipoib_sa_leave(struct ipoib_sa *sa, const struct ipoib_gid *mgid)
{
	struct ipoib_mcmember r = { 0 };
	uint8_t rec[IPOIB_SA_MCMEMBER_LEN];

	r.mgid = *mgid;
	r.port_gid = sa->gid;
	r.join_state = IPOIB_JOIN_FULL;
	ipoib_sa_mcmember_pack(&r, rec);
	return ipoib_sa_query(
		sa, IPOIB_SA_METHOD_DELETE, IPOIB_SA_ATTR_MCMEMBER,
		IPOIB_MCM_MGID | IPOIB_MCM_PORT_GID | IPOIB_MCM_JOIN_STATE, rec,
		sizeof(rec));
}

int ipoib_sa_path(struct ipoib_sa *sa, const struct ipoib_gid *dgid,
		  uint16_t pkey, struct ipoib_path *out)
{
	struct ipoib_path r = { 0 };
	uint8_t rec[IPOIB_SA_PATH_LEN];
	int ret;

	r.dgid = *dgid;
	r.sgid = sa->gid;
	r.pkey = pkey;
	r.reversible = 1;
	r.numb_path = 1;
	ipoib_sa_path_pack(&r, rec);
	ret = ipoib_sa_query(sa, IPOIB_SA_METHOD_GET, IPOIB_SA_ATTR_PATH,
			     IPOIB_PR_DGID | IPOIB_PR_SGID | IPOIB_PR_PKEY |
				     IPOIB_PR_REVERSIBLE | IPOIB_PR_NUMB_PATH,
			     rec, sizeof(rec));
	if (ret)
		return ret;
	ipoib_sa_path_unpack(rec, out);
	return 0;
}
