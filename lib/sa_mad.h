/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One Subnet Administration MAD transport over libibumad, shared by the
 * IPoIB SA client (ipoib/sa_client.c) and the diagnostics (tools/diag_sa.c):
 * open a port's umad device, send one request MAD to the port's SM and wait
 * for the response with its TID. The SA's status is handed back raw, so
 * each caller maps it to the errno its users expect. No RMPP: under
 * umad2sim every answer is one MAD, so a query reads one record.
 */
#ifndef FABRIC_SA_MAD_H
#define FABRIC_SA_MAD_H

#include <stddef.h>
#include <stdint.h>

#define SA_MAD_LEN 256 /* one MAD */
#define SA_MAD_DATA_OFF 56 /* MAD + RMPP + SA headers */
#define SA_MAD_DATA_LEN (SA_MAD_LEN - SA_MAD_DATA_OFF)

/* The local port as libibumad saw it at sa_mad_open(); host byte order. */
struct sa_mad_port {
	uint16_t lid; /* base LID */
	uint16_t sm_lid;
	uint8_t sm_sl;
	uint64_t gid_prefix;
	uint64_t port_guid;
};

/*
 * sa_mad_build - a whole SA request MAD (SA_MAD_LEN bytes at @mad):
 * @method, @attr, @tid, @sm_key, @comp_mask and @len bytes of record.
 * Returns 0, or -EINVAL when @len does not fit in SA_MAD_DATA_LEN.
 */
int sa_mad_build(uint8_t *mad, uint8_t method, uint16_t attr, uint64_t tid,
		 uint64_t sm_key, uint64_t comp_mask, const void *rec,
		 size_t len);

/*
 * sa_mad_status - the MAD status field of a response MAD, host order
 * (0: success; the SA's code is in bits 8..15).
 */
uint16_t sa_mad_status(const uint8_t *mad);

struct sa_mad;

/*
 * sa_mad_open - an SA transport on port @port of CA @ca (NULL/0: the
 * first). @sm_key goes into every request, TIDs count up from @first_tid,
 * and @timeout_ms bounds each send and receive (2 retries). Returns NULL
 * with errno ENODEV (no such port), ENETDOWN (no SM LID yet), ENOMEM or
 * libibumad's error.
 */
struct sa_mad *sa_mad_open(const char *ca, int port, uint64_t sm_key,
			   uint32_t first_tid, unsigned int timeout_ms);

/* sa_mad_close - release; accepts NULL. */
void sa_mad_close(struct sa_mad *sa);

/* sa_mad_port - the local port's LIDs and GID, read at open. */
const struct sa_mad_port *sa_mad_port(const struct sa_mad *sa);

/*
 * sa_mad_query - send @method on @attr with @comp_mask and @len bytes of
 * template @rec, and wait for the response with its TID (stale ones are
 * dropped). On 0, *@resp points at the whole response MAD, valid until the
 * next query; its status is not checked (see sa_mad_status()). Returns 0,
 * -EINVAL (@len too long), -ETIMEDOUT or another negative errno.
 */
int sa_mad_query(struct sa_mad *sa, uint8_t method, uint16_t attr,
		 uint64_t comp_mask, const void *rec, size_t len,
		 const uint8_t **resp);

#endif /* FABRIC_SA_MAD_H */
