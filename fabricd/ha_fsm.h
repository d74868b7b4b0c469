/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One gateway's state in one partition's gateway group: VRRP's state
 * machine (RFC 5798, section 6.4) without sockets or clocks, driven by the
 * caller with the time in milliseconds, so that unit tests step it.
 *
 *   INIT    not a candidate: starting, stopping, or not eligible (the
 *           partition's Ethernet side has no carrier, its PKey is gone)
 *   BACKUP  listening; takes over when the master-down timer runs out
 *           (3 * interval + skew, skew = (256 - priority) * interval / 256)
 *           or at once (after the skew) when the master resigns
 *   MASTER  forwards the partition, advertises every interval
 *
 * Preemption with a hold-down: a backup of higher priority (or of equal
 * priority and higher identity, VRRP's address tie-break) that hears a
 * worse master takes over only after hearing it for hold_ms; a better
 * master heard by a master makes it a backup at once.
 *
 * The advertisement (ha_fsm_advert_encode/decode) is what fabricd sends as
 * ethertype 0x88B6 on the partition's IPoIB broadcast group.
 */
#ifndef FABRICD_HA_FSM_H
#define FABRICD_HA_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HA_ETHERTYPE 0x88B6
#define HA_ID_LEN 20 /* GID (16) then QPN (4), big-endian: the tie-break */
#define HA_NAME_LEN 32 /* gateway name in an advertisement, NUL-padded */
#define HA_ADVERT_LEN (8 + HA_ID_LEN + HA_NAME_LEN)
#define HA_VERSION 1
#define HA_TYPE_ADVERT 1
/* the master's neighbour tables for the backups (fabricd/engine/engine_ha.c):
 * the advertisement's header, then n_neigh(2) n_hosts(2), n_neigh IB
 * addresses (20 bytes) and n_hosts Ethernet hosts (IPv4 4, MAC 6) */
#define HA_TYPE_STATE 2
/* flags: a backup's hello (every second), so the master knows its
 * standbys; it changes no state machine */
#define HA_F_BACKUP 1

enum ha_state { HA_INIT, HA_BACKUP, HA_MASTER };

/* Why the state last changed (ha_fsm_reason_name()). */
enum ha_reason {
	HA_R_NONE,
	HA_R_MASTER_DOWN, /* no advertisement for the master-down interval */
	HA_R_RESIGNED, /* the master sent priority 0 */
	HA_R_PREEMPT, /* we are better and the hold-down ran out */
	HA_R_BETTER_MASTER, /* a master of higher priority was heard */
	HA_R_NOT_ELIGIBLE, /* uplink down, PKey lost */
	HA_R_STOPPED, /* shutdown */
	HA_R_MAX
};

/* What the caller must do after a call (bits). */
#define HA_ACT_ADVERT 1u /* send an advertisement of ha_fsm_prio() */
#define HA_ACT_RESIGN 2u /* send an advertisement of priority 0 */
#define HA_ACT_MASTER 4u /* became master: forward, announce neighbours */
#define HA_ACT_BACKUP 8u /* stopped forwarding */
/* another gateway acted as master (it will step down when it hears us):
 * announce the neighbours again, its announcements moved them */
#define HA_ACT_ANNOUNCE 16u

struct ha_fsm {
	enum ha_state state;
	uint8_t prio; /* ours, 1..254 */
	uint8_t id[HA_ID_LEN]; /* ours */
	unsigned int interval_ms;
	unsigned int hold_ms;
	bool eligible;
	uint64_t since; /* time of the last state change */
	enum ha_reason reason; /* of the last state change */
	uint64_t master_down_at; /* BACKUP: take over then */
	uint64_t next_advert; /* MASTER */
	uint64_t hold_start; /* BACKUP hearing a worse master: since; 0 */
	bool resign_heard; /* BACKUP: the master resigned, timer is the skew */
	/* the master last heard (BACKUP), for `ha show` */
	bool master_known;
	uint8_t master_prio;
	uint8_t master_id[HA_ID_LEN];
	char master_name[HA_NAME_LEN];
	uint64_t master_seen;
	unsigned int failovers; /* times we became master */
};

/* A decoded advertisement. */
struct ha_advert {
	uint8_t type;
	uint8_t prio; /* 0: the sender resigns */
	uint8_t flags; /* HA_F_* */
	uint16_t interval_ms;
	uint16_t pkey;
	uint8_t id[HA_ID_LEN];
	char name[HA_NAME_LEN]; /* NUL-terminated */
};

/*
 * ha_fsm_init - @f in INIT for priority @prio (1..254), identity @id,
 * timers @interval_ms and @hold_ms, not eligible yet.
 */
void ha_fsm_init(struct ha_fsm *f, uint8_t prio, const uint8_t id[HA_ID_LEN],
		 unsigned int interval_ms, unsigned int hold_ms);

/*
 * ha_fsm_configure - new priority and timers (a policy reload); the state
 * stays. Returns HA_ACT_* (an advertisement at once when master).
 */
unsigned int ha_fsm_configure(struct ha_fsm *f, uint8_t prio,
			      unsigned int interval_ms, unsigned int hold_ms,
			      uint64_t now);

/*
 * ha_fsm_set_eligible - whether we may be master (uplink carrier, PKey
 * held): INIT <-> BACKUP; a master that is no longer eligible resigns.
 * Returns HA_ACT_*.
 */
unsigned int ha_fsm_set_eligible(struct ha_fsm *f, bool eligible, uint64_t now);

/* ha_fsm_stop - shutdown: a master resigns; INIT. Returns HA_ACT_*. */
unsigned int ha_fsm_stop(struct ha_fsm *f, uint64_t now);

/*
 * ha_fsm_rx - advertisement @a from another gateway at @now (@name of the
 * sender kept for display). Returns HA_ACT_*.
 */
unsigned int ha_fsm_rx(struct ha_fsm *f, const struct ha_advert *a,
		       uint64_t now);

/*
 * ha_fsm_resumed - the caller did not run from @last (its previous tick)
 * until @now, more than an advertisement interval: a stalled thread or a
 * paused machine. A BACKUP that heard nothing meanwhile cannot tell a
 * silent master from its own sleep, so its master-down timer, if it ran
 * out or is about to, gets one more interval plus the skew from @now, in
 * which a live master's next advertisement arrives. A master that really
 * died is so found at most that much later; one that resigned is not
 * waited for. Call before ha_fsm_tick().
 */
void ha_fsm_resumed(struct ha_fsm *f, uint64_t last, uint64_t now);

/* ha_fsm_tick - timers at @now. Returns HA_ACT_*. */
unsigned int ha_fsm_tick(struct ha_fsm *f, uint64_t now);

/* ha_fsm_next - when the next timer of @f runs out (UINT64_MAX: none). */
uint64_t ha_fsm_next(const struct ha_fsm *f);

/* ha_fsm_master_down_ms - 3 * interval + skew for priority @prio. */
unsigned int ha_fsm_master_down_ms(unsigned int interval_ms, uint8_t prio);

/*
 * ha_fsm_better - true when (@pa, @ida) wins over (@pb, @idb): higher
 * priority, then the higher identity.
 */
bool ha_fsm_better(uint8_t pa, const uint8_t *ida, uint8_t pb,
		   const uint8_t *idb);

/*
 * ha_fsm_advert_encode - @a into @buf (HA_ADVERT_LEN bytes). Returns the
 * length written, or -ENOSPC.
 */
int ha_fsm_advert_encode(const struct ha_advert *a, uint8_t *buf, size_t len);

/*
 * ha_fsm_advert_decode - @len bytes at @buf into @a. Returns 0, -EINVAL
 * (too short, unknown version or type).
 */
int ha_fsm_advert_decode(const uint8_t *buf, size_t len, struct ha_advert *a);

/* Names for show and logs: "master", "master_down". */
const char *ha_fsm_state_name(enum ha_state s);
const char *ha_fsm_reason_name(enum ha_reason r);

#endif /* FABRICD_HA_FSM_H */
