// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "tools/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/mad.h>

#include "lib/ib.h"
#include "lib/ib_smp.h"
#include "lib/util.h"

static const char *const port_states[] = {
	"No state change", "Down", "Initializing", "Armed", "Active",
};

static const char *const phys_states[] = {
	"No state change",	     "Sleep",  "Polling",	    "Disabled",
	"PortConfigurationTraining", "LinkUp", "LinkErrorRecovery", "PhyTest",
};

static const char *const node_types[] = { "?", "CA", "Switch", "Router" };

const char *diag_port_state_name(unsigned int state)
{
	return state < ARRAY_SIZE(port_states) ? port_states[state] : "???";
}

const char *diag_phys_state_name(unsigned int phys_state)
{
	return phys_state < ARRAY_SIZE(phys_states) ? phys_states[phys_state] :
						      "???";
}

const char *diag_node_type_name(unsigned int type)
{
	return type < ARRAY_SIZE(node_types) ? node_types[type] : "?";
}

char *diag_rate_format(unsigned int rate, char *buf, size_t len)
{
	/* libibumad reads sysfs "2.5 Gb/sec" as 2: 1x SDR. */
	if (rate == 2)
		snprintf(buf, len, "2.5 Gb/s");
	else
		snprintf(buf, len, "%u Gb/s", rate);
	return buf;
}

const char *diag_pkey_membership(uint16_t pkey)
{
	return pkey & IB_PKEY_FULL_BIT ? "full" : "limited";
}

struct diag_smp {
	struct ibmad_port *port;
	unsigned int timeout_ms;
};

struct diag_smp *diag_smp_open(const char *ca, int port,
			       unsigned int timeout_ms)
{
	struct diag_smp *smp = calloc(1, sizeof(*smp));

	if (!smp)
		return NULL;
	smp->port = ib_smp_open(ca, port);
	if (!smp->port) {
		free(smp);
		errno = ENODEV;
		return NULL;
	}
	smp->timeout_ms = timeout_ms;
	return smp;
}

void diag_smp_close(struct diag_smp *smp)
{
	if (!smp)
		return;
	ib_smp_close(smp->port);
	free(smp);
}

int diag_smp_pkeys(struct diag_smp *smp, uint16_t *pkeys, unsigned int max,
		   unsigned int *n)
{
	unsigned int cap;
	int ret;

	ret = ib_smp_partition_cap(smp->port, smp->timeout_ms, &cap);
	if (ret)
		return ret;
	cap = MIN(cap, max);
	ret = ib_smp_pkey_table(smp->port, smp->timeout_ms, pkeys, cap);
	if (ret)
		return ret;
	*n = cap;
	return 0;
}

int diag_smp_mtu(struct diag_smp *smp, unsigned int *active, unsigned int *cap)
{
	uint8_t buf[IB_SMP_DATA_BYTES];
	int ret;

	ret = ib_smp_get(smp->port, smp->timeout_ms, IB_ATTR_PORT_INFO, 0, buf);
	if (ret)
		return ret;
	*active = ib_mtu_bytes(mad_get_field(buf, 0, IB_PORT_NEIGHBOR_MTU_F));
	*cap = ib_mtu_bytes(mad_get_field(buf, 0, IB_PORT_MTU_CAP_F));
	return 0;
}
