// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SMP queries to a local InfiniBand port (see ib_smp.h). */
#include "lib/ib_smp.h"

#include <errno.h>
#include <string.h>

#include <infiniband/mad.h>

#include "lib/ib.h"
#include "lib/util.h"

_Static_assert(IB_SMP_DATA_BYTES == IB_SMP_DATA_SIZE, "SMP data size");

struct ibmad_port *ib_smp_open(const char *ca, int port)
{
	int classes[] = { IB_SMI_CLASS, IB_SMI_DIRECT_CLASS };
	struct ibmad_port *mad;

	errno = 0;
	mad = mad_rpc_open_port((char *)ca, port, classes,
				(int)ARRAY_SIZE(classes));
	if (!mad && !errno)
		errno = EIO;
	return mad;
}

void ib_smp_close(struct ibmad_port *mad)
{
	if (mad)
		mad_rpc_close_port(mad);
}

int ib_smp_get(struct ibmad_port *mad, unsigned int timeout_ms,
	       unsigned int attr, unsigned int mod, uint8_t *buf)
{
	ib_portid_t self = { 0 }; /* LID 0, no hops: the port itself */

	memset(buf, 0, IB_SMP_DATA_BYTES);
	if (!smp_query_via(buf, &self, attr, mod, timeout_ms, mad))
		return -EIO;
	return 0;
}

int ib_smp_partition_cap(struct ibmad_port *mad, unsigned int timeout_ms,
			 unsigned int *cap)
{
	uint8_t buf[IB_SMP_DATA_BYTES];
	int ret;

	ret = ib_smp_get(mad, timeout_ms, IB_ATTR_NODE_INFO, 0, buf);
	if (ret)
		return ret;
	*cap = mad_get_field(buf, 0, IB_NODE_PARTITION_CAP_F);
	return 0;
}

int ib_smp_pkey_table(struct ibmad_port *mad, unsigned int timeout_ms,
		      uint16_t *pkeys, unsigned int n)
{
	uint8_t buf[IB_SMP_DATA_BYTES];
	unsigned int block, i, idx;
	int ret;

	for (block = 0; block * IB_PKEYS_PER_BLOCK < n; block++) {
		ret = ib_smp_get(mad, timeout_ms, IB_ATTR_PKEY_TBL, block, buf);
		if (ret)
			return ret;
		for (i = 0; i < IB_PKEYS_PER_BLOCK; i++) {
			idx = block * IB_PKEYS_PER_BLOCK + i;
			if (idx < n)
				pkeys[idx] = (uint16_t)(buf[2 * i] << 8 |
							buf[2 * i + 1]);
		}
	}
	return 0;
}
