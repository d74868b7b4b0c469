// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "tools/diag_sa.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sa_mad.h"
#include "lib/util.h"

#define SA_METHOD_GET 0x01
#define SA_METHOD_GET_TABLE 0x12
#define SA_FIRST_TID 0x5ab1e000u

/* Offsets in a SA MAD (IBA 13.4.3, 15.2.1). */
#define OFF_ATTR_OFFSET 44

/* SA status codes (MAD status bits 8..15). */
#define SA_STATUS_REQ_INVALID 0x02
#define SA_STATUS_NO_RECORDS 0x03
#define SA_STATUS_TOO_MANY_RECORDS 0x04

struct diag_sa {
	struct sa_mad *mad;
};

struct diag_sa *diag_sa_open(const char *ca, int port, uint64_t sm_key,
			     unsigned int timeout_ms)
{
	struct diag_sa *sa = calloc(1, sizeof(*sa));
	int err;

	if (!sa)
		return NULL;
	sa->mad = sa_mad_open(ca, port, sm_key, SA_FIRST_TID, timeout_ms);
	if (!sa->mad) {
		err = errno;
		free(sa);
		errno = err;
		return NULL;
	}
	return sa;
}

void diag_sa_close(struct diag_sa *sa)
{
	if (!sa)
		return;
	sa_mad_close(sa->mad);
	free(sa);
}

/* Map a response MAD's status to 0 or a negative errno. */
static int sa_status(const uint8_t *mad)
{
	uint16_t status = sa_mad_status(mad);

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

/*
 * Send one request (@method, @attr, @comp_mask, template @rec of @len
 * bytes) to the SM and wait for its response, into *@resp. Returns 0 or a
 * negative errno, the SA's status included (see sa_status()).
 */
static int sa_query(struct diag_sa *sa, uint8_t method, uint16_t attr,
		    uint64_t comp_mask, const void *rec, size_t len,
		    const uint8_t **resp)
{
	int ret;

	ret = sa_mad_query(sa->mad, method, attr, comp_mask, rec, len, resp);
	return ret ? ret : sa_status(*resp);
}

int diag_sa_get(struct diag_sa *sa, uint16_t attr, uint64_t comp_mask,
		void *rec, size_t len)
{
	const uint8_t *mad;
	int ret;

	if (len > DIAG_SA_DATA_SIZE)
		return -EINVAL;
	ret = sa_query(sa, SA_METHOD_GET, attr, comp_mask, rec, len, &mad);
	if (ret)
		return ret;
	memcpy(rec, mad + SA_MAD_DATA_OFF, len);
	return 0;
}

int diag_sa_node_by_lid(struct diag_sa *sa, uint16_t lid,
			struct diag_node_rec *out)
{
	uint8_t rec[DIAG_SA_NODE_RECORD_SIZE] = { 0 };
	const uint8_t *ni = rec + 4; /* NodeInfo */
	int ret;

	util_put_be16(rec, lid);
	ret = diag_sa_get(sa, DIAG_SA_ATTR_NODE_RECORD, 1 /* LID */, rec,
			  sizeof(rec));
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->lid = util_get_be16(rec);
	out->node_type = ni[2];
	out->num_ports = ni[3];
	out->node_guid = util_get_be64(ni + 12);
	out->port_guid = util_get_be64(ni + 20);
	out->partition_cap = util_get_be16(ni + 28);
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

	util_put_be16(rec, lid);
	util_put_be16(rec + 2, block);
	rec[4] = port;
	/* Component mask: LID, BlockNum, PortNum. */
	ret = diag_sa_get(sa, DIAG_SA_ATTR_PKEY_TABLE_RECORD, 0x7, rec,
			  sizeof(rec));
	if (ret)
		return ret;
	for (i = 0; i < 32; i++)
		pkeys[i] = util_get_be16(rec + 8 + 2 * i);
	return 0;
}

int diag_sa_top_lid(struct diag_sa *sa)
{
	uint8_t rec[DIAG_SA_SWITCH_INFO_RECORD_SIZE] = { 0 };
	const uint8_t *mad;
	int ret;

	/*
	 * GetTable with no components: every switch. Only the first record
	 * is read, so a single MAD (the first RMPP segment) is enough.
	 */
	ret = sa_query(sa, SA_METHOD_GET_TABLE, DIAG_SA_ATTR_SWITCH_INFO_RECORD,
		       0, rec, sizeof(rec), &mad);
	if (ret)
		return ret;
	if (!util_get_be16(mad + OFF_ATTR_OFFSET))
		return -ENOENT;
	/* SwitchInfo starts at record offset 4; LinearFDBTop is its 4th u16. */
	return util_get_be16(mad + SA_MAD_DATA_OFF + 4 + 6);
}
