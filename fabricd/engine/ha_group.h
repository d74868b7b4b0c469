/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A gateway group's state, shared by the gateway-group modules of the
 * engine (engine_ha.c: life, policy, timers; ha_advert.c: election;
 * ha_sync.c: the tables; ha_announce.c: announcing; ha_check.c:
 * eligibility; ha_show.c: ha/show). Not for other modules.
 *
 * Everything runs on the forwarding thread with the engine locked, or on
 * the control thread with the engine locked.
 */
#ifndef FABRICD_ENGINE_HA_GROUP_H
#define FABRICD_ENGINE_HA_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "fabricd/engine/engine_priv.h"
#include "fabricd/ha_fsm.h"
#include "ipoib/wire.h"
#include "ipoib/port_ipoib.h"
#include "lib/log.h"

#define HA_GROUPS_MAX 64
#define HA_HOSTS_MAX 256 /* Ethernet hosts announced per partition */
#define HA_NEIGH_MAX 256 /* IB neighbours announced per partition */
#define HA_PEER_AGE_MS 30000 /* a peer gateway not heard for this long */
#define HA_CHECK_MS 20 /* carrier and ipoib port looked at this often */
#define HA_HELLO_MS 1000 /* a backup's hello */
#define HA_SYNC_MS 1000 /* the master's neighbour tables to the backups */
#define HA_ANNOUNCE_REPEAT 2 /* a new master announces 1 + this often */
#define HA_STANDBY_AGE_MS 3500 /* a standby not heard for this long */

/* An Ethernet host the gateway proxies for on IPoIB. */
struct ha_host {
	uint8_t family; /* AF_INET (@ip[0..4)) or AF_INET6 */
	uint8_t ip[16];
	uint8_t mac[6];
};

/* Another gateway of the group, as its advertisements say. */
struct ha_peer {
	struct ipoib_hwaddr hw;
	uint64_t seen;
	char name[HA_NAME_LEN];
	uint8_t prio;
	bool backup; /* its last one was a backup's hello */
};

struct ha_group {
	bool used;
	char part[ECORE_NAME_MAX];
	uint16_t pkey; /* 15-bit base */
	struct ha_fsm fsm;
	bool have_port; /* its ipoib port is open: identity known */
	bool carrier; /* an Ethernet port of the partition has carrier */
	unsigned int pending; /* HA_ACT_* from the receive handler */
	struct ha_peer peers[IPOIB_PEER_GW_MAX];
	unsigned int n_peers;
	bool peers_dirty;
	struct ha_host hosts[HA_HOSTS_MAX];
	unsigned int n_hosts, next_host;
	bool was_master; /* at the last tick: it stood down since */
	uint64_t next_hello; /* BACKUP */
	uint64_t next_sync; /* MASTER */
	/* IB neighbours the master passed on, for the ipoib port (tick) */
	struct ipoib_hwaddr synced[HA_NEIGH_MAX];
	unsigned int n_synced;
	uint64_t last_failover; /* when we last became master, or 0 */
	enum ha_reason failover_reason;
	uint64_t adverts_tx, adverts_rx, announced, syncs_tx, syncs_rx;
	uint64_t reannounced; /* after another gateway acted as master */
	uint64_t adverts_tx_eth, adverts_rx_eth; /* on the Ethernet side */
	/* a new master announces again, in case the first ones were lost */
	uint64_t next_announce;
	unsigned int announce_left;
	struct log_ratelimit rl;
};

struct engine_ha {
	struct ha_group g[HA_GROUPS_MAX];
	unsigned int interval_ms, hold_ms;
	char gw_name[HA_NAME_LEN];
	bool registered;
	int sock; /* for SIOCGIFFLAGS */
	uint64_t last_check;
	uint64_t last_tick; /* the forwarding thread's previous tick */
};

/* The ipoib port kind's state, or NULL when there is none. */
struct ipoib_kind *ha_group_kind(void);

/* The group of partition @part, or of PKey @pkey; NULL: none. */
struct ha_group *ha_group_of_part(struct engine *e, const char *part);
struct ha_group *ha_group_of_pkey(struct engine *e, uint16_t pkey);

/* The slot of partition @part's ipoib port, or -1. */
int ha_group_ib_slot(const struct engine *e, int part);

/* Record gateway @hw's advertisement @a, heard at @now. */
void ha_group_peer_note(struct ha_group *g, const struct ipoib_hwaddr *hw,
			const struct ha_advert *a, uint64_t now);

/* Forget peers not heard lately; hand the others to the ipoib port. */
void ha_group_push_peers(struct ha_group *g, uint64_t now);

/* The partition stands by unless we are its master. */
void ha_group_set_standby(struct engine *e, struct ha_group *g);

#endif
