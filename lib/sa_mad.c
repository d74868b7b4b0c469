// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/sa_mad.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/umad.h>

#include "lib/util.h"

#define SA_CLASS 0x03
#define SA_CLASS_VERSION 2
#define SA_METHOD_RESP 0x80
#define QP1_QKEY 0x80010000u

/* Offsets in a SA MAD (IBA 13.4.3, 15.2.1). */
#define OFF_METHOD 3
#define OFF_STATUS 4
#define OFF_TID 8
#define OFF_ATTR_ID 16
#define OFF_SM_KEY 36
#define OFF_COMP_MASK 48

struct sa_mad {
	int fd;
	int agent;
	struct sa_mad_port port;
	uint64_t sm_key;
	unsigned int timeout_ms;
	uint32_t next_tid;
	void *umad; /* send/receive buffer: umad header + mad_cap */
	size_t mad_cap; /* grows when the kernel has a larger answer queued */
};

int sa_mad_build(uint8_t *mad, uint8_t method, uint16_t attr, uint64_t tid,
		 uint64_t sm_key, uint64_t comp_mask, const void *rec,
		 size_t len)
{
	if (len > SA_MAD_DATA_LEN)
		return -EINVAL;
	memset(mad, 0, SA_MAD_LEN);
	mad[0] = 1; /* base version */
	mad[1] = SA_CLASS;
	mad[2] = SA_CLASS_VERSION;
	mad[OFF_METHOD] = method;
	util_put_be64(mad + OFF_TID, tid);
	util_put_be16(mad + OFF_ATTR_ID, attr);
	util_put_be64(mad + OFF_SM_KEY, sm_key);
	util_put_be64(mad + OFF_COMP_MASK, comp_mask);
	memcpy(mad + SA_MAD_DATA_OFF, rec, len);
	return 0;
}

uint16_t sa_mad_status(const uint8_t *mad)
{
	return util_get_be16(mad + OFF_STATUS);
}

/*
 * Bytes for a umad buffer holding @cap MAD bytes. umad_size() can be
 * smaller than the header umad_get_mad() skips (umad2sim answers the old
 * ABI's size), so take the larger of the two.
 */
static size_t umad_buf_size(size_t cap)
{
	return MAX(umad_size(), sizeof(struct ib_user_mad)) + cap;
}

static int sa_mad_read_port(struct sa_mad *sa, const char *ca, int port)
{
	umad_port_t p;

	if (umad_get_port(ca, port, &p) < 0)
		return -ENODEV;
	sa->port.lid = (uint16_t)p.base_lid;
	sa->port.sm_lid = (uint16_t)p.sm_lid;
	sa->port.sm_sl = (uint8_t)p.sm_sl;
	sa->port.gid_prefix = be64toh(p.gid_prefix);
	sa->port.port_guid = be64toh(p.port_guid);
	umad_release_port(&p);
	return sa->port.sm_lid ? 0 : -ENETDOWN;
}

struct sa_mad *sa_mad_open(const char *ca, int port, uint64_t sm_key,
			   uint32_t first_tid, unsigned int timeout_ms)
{
	struct sa_mad *sa = calloc(1, sizeof(*sa));
	int ret;

	if (!sa)
		return NULL;
	sa->sm_key = sm_key;
	sa->timeout_ms = timeout_ms;
	sa->next_tid = first_tid;
	ret = sa_mad_read_port(sa, ca, port);
	if (ret)
		goto err_free;
	ret = -ENOMEM;
	sa->mad_cap = SA_MAD_LEN;
	sa->umad = calloc(1, umad_buf_size(sa->mad_cap));
	if (!sa->umad)
		goto err_free;
	/* libibumad returns negative errnos here */
	sa->fd = umad_open_port(ca, port);
	if ((ret = sa->fd) < 0)
		goto err_umad;
	sa->agent = umad_register(sa->fd, SA_CLASS, SA_CLASS_VERSION, 0, NULL);
	if ((ret = sa->agent) < 0)
		goto err_close;
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

void sa_mad_close(struct sa_mad *sa)
{
	if (!sa)
		return;
	umad_unregister(sa->fd, sa->agent);
	umad_close_port(sa->fd);
	free(sa->umad);
	free(sa);
}

const struct sa_mad_port *sa_mad_port(const struct sa_mad *sa)
{
	return &sa->port;
}

/* Make room for a @len byte answer; the kernel keeps it queued meanwhile. */
static int sa_mad_grow(struct sa_mad *sa, int len)
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
 * Receive until the response to @tid arrives; stale answers are dropped.
 * The kernel keeps its agent ID in the TID's upper half: compare the lower.
 * umad_status() is a positive errno (a send that timed out): -ETIMEDOUT.
 */
static int sa_mad_recv(struct sa_mad *sa, uint32_t tid, const uint8_t **resp)
{
	const uint8_t *mad;
	int len, ret;

	for (;;) {
		len = (int)sa->mad_cap;
		ret = umad_recv(sa->fd, sa->umad, &len, (int)sa->timeout_ms);
		if (ret == -ENOSPC) {
			ret = sa_mad_grow(sa, len);
			if (ret)
				return ret;
			continue;
		}
		if (ret < 0)
			return ret == -EWOULDBLOCK ? -ETIMEDOUT : ret;
		if (umad_status(sa->umad))
			return -ETIMEDOUT;
		mad = umad_get_mad(sa->umad);
		if (util_get_be32(mad + OFF_TID + 4) == tid &&
		    (mad[OFF_METHOD] & SA_METHOD_RESP)) {
			*resp = mad;
			return 0;
		}
	}
}

int sa_mad_query(struct sa_mad *sa, uint8_t method, uint16_t attr,
		 uint64_t comp_mask, const void *rec, size_t len,
		 const uint8_t **resp)
{
	uint8_t *mad = umad_get_mad(sa->umad);
	uint32_t tid = sa->next_tid++;
	int ret;

	ret = sa_mad_build(mad, method, attr, tid, sa->sm_key, comp_mask, rec,
			   len);
	if (ret)
		return ret;
	umad_set_addr(sa->umad, sa->port.sm_lid, 1, sa->port.sm_sl, QP1_QKEY);
	ret = umad_send(sa->fd, sa->agent, sa->umad, SA_MAD_LEN,
			(int)sa->timeout_ms, 2);
	if (ret < 0)
		return ret;
	return sa_mad_recv(sa, tid, resp);
}
