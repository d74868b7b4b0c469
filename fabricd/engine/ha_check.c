// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A gateway group's eligibility (ha_check.h). */
#include "fabricd/engine/ha_check.h"

#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "ipoib/proto.h"
#include "lib/util.h"

static bool if_running(int sock, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	util_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	return sock >= 0 && !ioctl(sock, SIOCGIFFLAGS, &ifr) &&
	       (ifr.ifr_flags & IFF_RUNNING);
}

/* An open peer port is the partition's Ethernet side on other hosts. */
static bool eth_carrier(const struct engine *e, int part)
{
	uint64_t eth = e->core.parts[part].members & ~e->core.ib_ports;
	unsigned int i;

	for (i = 0; i < ECORE_MAX_PORTS; i++)
		if ((eth >> i & 1) &&
		    (!strcmp(e->core.ports[i].kind, "peer") ||
		     if_running(e->ha->sock, e->core.ports[i].port.name)))
			return true;
	return false;
}

/* Our identity in the group: the GID, then the QPN, of its ipoib port. */
static bool port_identity(struct ha_group *g, uint8_t id[HA_ID_LEN])
{
	struct ipoib_hwaddr hw;
	struct ipoib_gid gid;
	uint32_t qpn;

	if (!ha_group_kind() ||
	    ipoib_proto_mtu(ha_group_kind(), g->pkey, &hw) < 0)
		return false;
	ipoib_hwaddr_gid(&hw, &gid);
	qpn = ipoib_hwaddr_qpn(&hw);
	memcpy(id, gid.raw, 16);
	id[16] = 0;
	id[17] = (uint8_t)(qpn >> 16);
	id[18] = (uint8_t)(qpn >> 8);
	id[19] = (uint8_t)qpn;
	return true;
}

unsigned int ha_check_eligible(struct engine *e, struct ha_group *g,
			       uint64_t now)
{
	int part = ecore_part_find(&e->core, g->part);
	uint8_t id[HA_ID_LEN];
	bool port = part >= 0 && port_identity(g, id);

	if (port && memcmp(id, g->fsm.id, HA_ID_LEN)) {
		/* a new QP (reopened): a new identity */
		memcpy(g->fsm.id, id, HA_ID_LEN);
	}
	g->have_port = port;
	g->carrier = part >= 0 && eth_carrier(e, part);
	return ha_fsm_set_eligible(&g->fsm, g->have_port && g->carrier, now);
}
