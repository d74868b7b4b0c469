// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "tools/diag_sa.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/umad.h>

#include "lib/util.h"

#define MAD_SIZE 256
#define SA_CLASS 0x03
#define SA_CLASS_VERSION 2
#define SA_METHOD_GET 0x01
#define SA_METHOD_GET_TABLE 0x12
#define SA_METHOD_RESP 0x80
#define QP1_QKEY 0x80010000

/* Offsets in a SA MAD (IBA 13.4.3, 15.2.1). */
#define OFF_METHOD 3
#define OFF_STATUS 4
#define OFF_TID 8
#define OFF_ATTR_ID 16
#define OFF_SM_KEY 36
#define OFF_ATTR_OFFSET 44
#define OFF_COMP_MASK 48
#define OFF_DATA 56

/* SA status codes (MAD status bits 8..15). */
#define SA_STATUS_REQ_INVALID 0x02
#define SA_STATUS_NO_RECORDS 0x03
#define SA_STATUS_TOO_MANY_RECORDS 0x04

struct diag_sa {
	int fd;
	int agent;
	uint16_t sm_lid;
	uint8_t sm_sl;
	uint64_t sm_key;
	unsigned int timeout_ms;
	uint64_t next_tid;
	void *umad; /* send/receive buffer: umad_size() + mad_cap */
	size_t mad_cap; /* grows when a reassembled (RMPP) answer is larger */
};

/*
 * Bytes for a umad buffer holding @cap MAD bytes. umad_size() can be
 * smaller than the header umad_get_mad() skips (umad2sim answers the old
 * ABI's size), so take the larger of the two.
 */
static size_t umad_buf_size(size_t cap)
{
	return MAX(umad_size(), sizeof(struct ib_user_mad)) + cap;
}

static int sa_find_sm(struct diag_sa *sa, const char *ca, int port)
{
	umad_port_t p;
	int ret;

	ret = umad_get_port(ca, port, &p);
	if (ret < 0)
		return -ENODEV;
	sa->sm_lid = (uint16_t)p.sm_lid;
	sa->sm_sl = (uint8_t)p.sm_sl;
	umad_release_port(&p);
	return sa->sm_lid ? 0 : -ENETDOWN;
}

struct diag_sa *diag_sa_open(const char *ca, int port, uint64_t sm_key,
			     unsigned int timeout_ms)
{
	struct diag_sa *sa = calloc(1, sizeof(*sa));
	int ret;

	if (!sa)
		return NULL;
	sa->sm_key = sm_key;
	sa->timeout_ms = timeout_ms;
	sa->next_tid = 0x5ab1e000;
	ret = sa_find_sm(sa, ca, port);
	if (ret)
		goto err_free;
	sa->mad_cap = MAD_SIZE;
	sa->umad = calloc(1, umad_buf_size(sa->mad_cap));
	if (!sa->umad) {
		ret = -ENOMEM;
		goto err_free;
	}
	sa->fd = umad_open_port(ca, port);
	if (sa->fd < 0) {
		ret = sa->fd;
		goto err_umad;
	}
	sa->agent = umad_register(sa->fd, SA_CLASS, SA_CLASS_VERSION, 0, NULL);
	if (sa->agent < 0) {
		ret = sa->agent;
		goto err_close;
	}
	return sa;

err_close:
	umad_close_port(sa->fd);
err_umad:
	free(sa->umad);
err_free:
	free(sa);
	errno = -ret;
	return NULL;
}

void diag_sa_close(struct diag_sa *sa)
{
	if (!sa)
		return;
	umad_unregister(sa->fd, sa->agent);
	umad_close_port(sa->fd);
	free(sa->umad);
	free(sa);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, sizeof(v));
}

static void put_be64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

static uint16_t get_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

static void sa_build(struct diag_sa *sa, uint8_t *mad, uint8_t method,
		     uint16_t attr, uint64_t comp_mask, const void *rec,
		     size_t len, uint64_t tid)
{
	memset(mad, 0, MAD_SIZE);
	mad[0] = 1; /* base version */
	mad[1] = SA_CLASS;
	mad[2] = SA_CLASS_VERSION;
	mad[OFF_METHOD] = method;
	put_be64(mad + OFF_TID, tid);
	put_be16(mad + OFF_ATTR_ID, attr);
	put_be64(mad + OFF_SM_KEY, sa->sm_key);
	put_be64(mad + OFF_COMP_MASK, comp_mask);
	memcpy(mad + OFF_DATA, rec, len);
}

/* Map a response MAD's status to 0 or a negative errno. */
static int sa_status(const uint8_t *mad)
{
	uint16_t status = get_be16(mad + OFF_STATUS);

	if (!status)
		return 0;
	switch (status >> 8) {
	case SA_STATUS_NO_RECORDS:
		return -ENOENT;
	case SA_STATUS_TOO_MANY_RECORDS:
		return -E2BIG;
	case SA_STATUS_REQ_INVALID:
		return -EACCES;
	default:
		return -EPROTO;
	}
}

/* Make room for a @len byte answer; the kernel keeps it queued meanwhile. */
static int sa_grow(struct diag_sa *sa, int len)
{
	void *p;

	if (len <= (int)sa->mad_cap)
		return -EPROTO;
	p = realloc(sa->umad, umad_buf_size((size_t)len));
	if (!p)
		return -ENOMEM;
	sa->umad = p;
	sa->mad_cap = (size_t)len;
	return 0;
}

/*
 * Receive until the response with @tid arrives (stale ones are dropped).
 * The kernel puts its agent's ID in the TID's upper half: compare the lower.
 */
static int sa_recv(struct diag_sa *sa, uint64_t tid, uint8_t **mad)
{
	int len, ret;

	for (;;) {
		len = (int)sa->mad_cap;
		ret = umad_recv(sa->fd, sa->umad, &len, (int)sa->timeout_ms);
		if (ret == -ENOSPC) {
			ret = sa_grow(sa, len);
			if (ret)
				return ret;
			continue;
		}
		if (ret < 0)
			return ret;
		if (umad_status(sa->umad))
			return -ETIMEDOUT;
		*mad = umad_get_mad(sa->umad);
		if ((uint32_t)get_be64(*mad + OFF_TID) == (uint32_t)tid)
			return 0;
	}
}

/*
 * Send one request (@method, @attr, @comp_mask, template @rec of @len
 * bytes) to the SM and wait for its response, into *@resp. Returns 0 or a
 * negative errno, the SA's status included (see sa_status()).
 */
static int sa_query(struct diag_sa *sa, uint8_t method, uint16_t attr,
		    uint64_t comp_mask, const void *rec, size_t len,
		    uint8_t **resp)
{
	uint8_t *mad = umad_get_mad(sa->umad);
	uint64_t tid = sa->next_tid++;
	int ret;

	sa_build(sa, mad, method, attr, comp_mask, rec, len, tid);
	umad_set_addr(sa->umad, sa->sm_lid, 1, sa->sm_sl, QP1_QKEY);
	ret = umad_send(sa->fd, sa->agent, sa->umad, MAD_SIZE,
			(int)sa->timeout_ms, 2);
	if (ret < 0)
		return ret;
	ret = sa_recv(sa, tid, resp);
	return ret ? ret : sa_status(*resp);
}

int diag_sa_get(struct diag_sa *sa, uint16_t attr, uint64_t comp_mask,
		void *rec, size_t len)
{
	uint8_t *mad;
	int ret;

	if (len > DIAG_SA_DATA_SIZE)
		return -EINVAL;
	ret = sa_query(sa, SA_METHOD_GET, attr, comp_mask, rec, len, &mad);
	if (ret)
		return ret;
	memcpy(rec, mad + OFF_DATA, len);
	return 0;
}

int diag_sa_node_by_lid(struct diag_sa *sa, uint16_t lid,
			struct diag_node_rec *out)
{
	uint8_t rec[DIAG_SA_NODE_RECORD_SIZE] = { 0 };
	const uint8_t *ni = rec + 4; /* NodeInfo */
	int ret;

	put_be16(rec, lid);
	ret = diag_sa_get(sa, DIAG_SA_ATTR_NODE_RECORD, 1 /* LID */, rec,
			  sizeof(rec));
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->lid = get_be16(rec);
	out->node_type = ni[2];
	out->num_ports = ni[3];
	out->node_guid = get_be64(ni + 12);
	out->port_guid = get_be64(ni + 20);
	out->partition_cap = get_be16(ni + 28);
	out->local_port = ni[36];
	memcpy(out->desc, rec + 44, 64);
	out->desc[64] = '\0';
	return 0;
}

int diag_sa_pkey_block(struct diag_sa *sa, uint16_t lid, uint8_t port,
		       uint16_t block, uint16_t *pkeys)
{
	uint8_t rec[DIAG_SA_PKEY_TABLE_RECORD_SIZE] = { 0 };
	int ret, i;

	put_be16(rec, lid);
	put_be16(rec + 2, block);
	rec[4] = port;
	/* Component mask: LID, BlockNum, PortNum. */
	ret = diag_sa_get(sa, DIAG_SA_ATTR_PKEY_TABLE_RECORD, 0x7, rec,
			  sizeof(rec));
	if (ret)
		return ret;
	for (i = 0; i < 32; i++)
		pkeys[i] = get_be16(rec + 8 + 2 * i);
	return 0;
}

int diag_sa_top_lid(struct diag_sa *sa)
{
	uint8_t rec[DIAG_SA_SWITCH_INFO_RECORD_SIZE] = { 0 };
	uint8_t *mad;
	int ret;

	/*
	 * GetTable with no components: every switch. Only the first record
	 * is read, so a single MAD (the first RMPP segment) is enough.
	 */
	ret = sa_query(sa, SA_METHOD_GET_TABLE, DIAG_SA_ATTR_SWITCH_INFO_RECORD,
		       0, rec, sizeof(rec), &mad);
	if (ret)
		return ret;
	if (!get_be16(mad + OFF_ATTR_OFFSET))
		return -ENOENT;
	/* SwitchInfo starts at record offset 4; LinearFDBTop is its 4th u16. */
	return get_be16(mad + OFF_DATA + 4 + 6);
}
