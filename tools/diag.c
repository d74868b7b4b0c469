// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "tools/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/mad.h>
#include <infiniband/umad.h>

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

int diag_ca_names(char names[][UMAD_CA_NAME_LEN], int max)
{
	umad_ca_t ca;
	int n;

	if (umad_init() < 0)
		return 0;
	n = umad_get_cas_names(names, max);
	if (n != 1)
		return MAX(n, 0);
	if (umad_get_ca(names[0], &ca) < 0)
		return 0;
	umad_release_ca(&ca);
	return 1;
}

bool diag_port_is_ib(const umad_port_t *p)
{
	return !strcmp(p->link_layer, "InfiniBand") ||
	       !strcmp(p->link_layer, "IB");
}

/* Whether CA @name has an InfiniBand port @port (0: any). */
static bool ca_has_ib_port(const char *name, int port)
{
	bool found = false;
	umad_ca_t ca;
	int i;

	if (umad_get_ca(name, &ca) < 0)
		return false;
	for (i = 0; i < UMAD_CA_MAX_PORTS; i++)
		if (ca.ports[i] && (!port || ca.ports[i]->portnum == port))
			found |= diag_port_is_ib(ca.ports[i]);
	umad_release_ca(&ca);
	return found;
}

/* "mlx5_0, mlx5_1" into @buf. */
static char *join_names(char names[][UMAD_CA_NAME_LEN], int n, char *buf,
			size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", names[i]);
	return buf;
}

int diag_ib_port_check(const char *ca, int port, char *why, size_t len)
{
	char names[UMAD_MAX_DEVICES][UMAD_CA_NAME_LEN], list[256];
	int i, n = diag_ca_names(names, UMAD_MAX_DEVICES);
	bool named = false;

	if (!n) {
		snprintf(
			why, len,
			"there is no RDMA device in /sys/class/infiniband; check that the HCA is installed (lspci) and its driver is loaded (dmesg)");
		return -ENODEV;
	}
	for (i = 0; i < n; i++) {
		if (ca && strcmp(ca, names[i]))
			continue;
		named = true;
		if (ca_has_ib_port(names[i], port))
			return 0;
	}
	join_names(names, n, list, sizeof(list));
	if (ca && !named)
		snprintf(why, len,
			 "there is no CA named '%s' (this host has %s)", ca,
			 list);
	else if (port)
		snprintf(why, len, "%s has no InfiniBand port %d",
			 ca ? ca : list, port);
	else
		snprintf(
			why, len,
			"%s has only Ethernet (RoCE) ports; check the port's link type (mlxconfig LINK_TYPE_P1)",
			ca ? ca : list);
	return -ENODEV;
}

int diag_require_ib_port(const char *cmd, const char *ca, int port)
{
	char why[512];

	if (!diag_ib_port_check(ca, port, why, sizeof(why)))
		return 0;
	fprintf(stderr, "fabstat %s: no InfiniBand port on this host: %s.\n",
		cmd, why);
	return -ENODEV;
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
