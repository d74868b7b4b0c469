// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * VRRP's state machine for one gateway group (ha_fsm.h). Advertisement:
 *   version(1) type(1) priority(1) flags(1) interval_ms(2) pkey(2)
 *   id(20: GID, QPN) name(32, NUL-padded)              big-endian, 60 bytes
 */
#include "fabricd/ha_fsm.h"

#include <errno.h>
#include <string.h>

static void enter(struct ha_fsm *f, enum ha_state s, enum ha_reason r,
		  uint64_t now)
{
	f->state = s;
	f->reason = r;
	f->since = now;
	f->hold_start = 0;
	f->resign_heard = false;
}

unsigned int ha_fsm_master_down_ms(unsigned int interval_ms, uint8_t prio)
{
	return 3 * interval_ms + (256 - prio) * interval_ms / 256;
}

bool ha_fsm_better(uint8_t pa, const uint8_t *ida, uint8_t pb,
		   const uint8_t *idb)
{
	if (pa != pb)
		return pa > pb;
	return memcmp(ida, idb, HA_ID_LEN) > 0;
}

void ha_fsm_init(struct ha_fsm *f, uint8_t prio, const uint8_t id[HA_ID_LEN],
		 unsigned int interval_ms, unsigned int hold_ms)
{
	memset(f, 0, sizeof(*f));
	f->prio = prio;
	memcpy(f->id, id, HA_ID_LEN);
	f->interval_ms = interval_ms;
	f->hold_ms = hold_ms;
}

/* BACKUP: (re)start the master-down timer. */
static void arm_master_down(struct ha_fsm *f, uint64_t now)
{
	f->master_down_at =
		now + ha_fsm_master_down_ms(f->interval_ms, f->prio);
}

static unsigned int become_master(struct ha_fsm *f, enum ha_reason r,
				  uint64_t now)
{
	enter(f, HA_MASTER, r, now);
	f->next_advert = now + f->interval_ms;
	f->master_known = false;
	f->failovers++;
	return HA_ACT_MASTER | HA_ACT_ADVERT;
}

static unsigned int become_backup(struct ha_fsm *f, enum ha_reason r,
				  uint64_t now)
{
	unsigned int act = f->state == HA_MASTER ? HA_ACT_BACKUP : 0;

	enter(f, HA_BACKUP, r, now);
	arm_master_down(f, now);
	return act;
}

unsigned int ha_fsm_configure(struct ha_fsm *f, uint8_t prio,
			      unsigned int interval_ms, unsigned int hold_ms,
			      uint64_t now)
{
	f->prio = prio;
	f->interval_ms = interval_ms;
	f->hold_ms = hold_ms;
	if (f->state == HA_MASTER) {
		f->next_advert = now + interval_ms;
		return HA_ACT_ADVERT;
	}
	if (f->state == HA_BACKUP)
		arm_master_down(f, now);
	return 0;
}

unsigned int ha_fsm_set_eligible(struct ha_fsm *f, bool eligible, uint64_t now)
{
	unsigned int act = 0;

	if (f->eligible == eligible)
		return 0;
	f->eligible = eligible;
	if (eligible)
		return become_backup(f, HA_R_NONE, now);
	if (f->state == HA_MASTER)
		act = HA_ACT_RESIGN | HA_ACT_BACKUP;
	enter(f, HA_INIT, HA_R_NOT_ELIGIBLE, now);
	return act;
}

unsigned int ha_fsm_stop(struct ha_fsm *f, uint64_t now)
{
	unsigned int act =
		f->state == HA_MASTER ? HA_ACT_RESIGN | HA_ACT_BACKUP : 0;

	f->eligible = false;
	enter(f, HA_INIT, HA_R_STOPPED, now);
	return act;
}

static void note_master(struct ha_fsm *f, const struct ha_advert *a,
			uint64_t now)
{
	f->master_known = true;
	f->master_prio = a->prio;
	memcpy(f->master_id, a->id, HA_ID_LEN);
	memcpy(f->master_name, a->name, HA_NAME_LEN);
	f->master_name[HA_NAME_LEN - 1] = '\0';
	f->master_seen = now;
}

/* BACKUP hears @a (priority > 0). */
static unsigned int backup_rx(struct ha_fsm *f, const struct ha_advert *a,
			      uint64_t now)
{
	note_master(f, a, now);
	f->resign_heard = false;
	if (ha_fsm_better(a->prio, a->id, f->prio, f->id)) {
		f->hold_start = 0;
		arm_master_down(f, now);
		return 0;
	}
	/* a worse master: preempt once it has been heard for hold_ms */
	if (!f->hold_start)
		f->hold_start = now;
	if (now - f->hold_start >= f->hold_ms)
		return become_master(f, HA_R_PREEMPT, now);
	arm_master_down(f, now);
	return 0;
}

unsigned int ha_fsm_rx(struct ha_fsm *f, const struct ha_advert *a,
		       uint64_t now)
{
	if (!memcmp(a->id, f->id, HA_ID_LEN) || a->type != HA_TYPE_ADVERT ||
	    (a->flags & HA_F_BACKUP))
		return 0; /* our own come back, or a backup's hello */
	switch (f->state) {
	case HA_INIT:
		if (a->prio)
			note_master(f, a, now);
		return 0;
	case HA_BACKUP:
		if (a->prio)
			return backup_rx(f, a, now);
		/* the master resigns: take over after the skew */
		f->master_known = false;
		f->resign_heard = true;
		f->master_down_at =
			now + (256 - f->prio) * f->interval_ms / 256;
		return 0;
	case HA_MASTER:
		if (!a->prio) {
			f->next_advert = now + f->interval_ms;
			return HA_ACT_ADVERT;
		}
		if (!ha_fsm_better(a->prio, a->id, f->prio, f->id)) {
			f->next_advert = now + f->interval_ms;
			return HA_ACT_ADVERT | HA_ACT_ANNOUNCE;
		}
		note_master(f, a, now);
		return become_backup(f, HA_R_BETTER_MASTER, now);
	}
	return 0;
}

void ha_fsm_resumed(struct ha_fsm *f, uint64_t last, uint64_t now)
{
	uint64_t grace =
		now + f->interval_ms + (256 - f->prio) * f->interval_ms / 256;

	if (f->state != HA_BACKUP || f->resign_heard ||
	    now - last <= f->interval_ms)
		return; /* a resigned master is known to be gone */
	if (f->master_down_at < grace)
		f->master_down_at = grace;
}

unsigned int ha_fsm_tick(struct ha_fsm *f, uint64_t now)
{
	if (f->state == HA_BACKUP && now >= f->master_down_at)
		return become_master(
			f, f->resign_heard ? HA_R_RESIGNED : HA_R_MASTER_DOWN,
			now);
	if (f->state == HA_MASTER && now >= f->next_advert) {
		f->next_advert = now + f->interval_ms;
		return HA_ACT_ADVERT;
	}
	return 0;
}

uint64_t ha_fsm_next(const struct ha_fsm *f)
{
	if (f->state == HA_BACKUP)
		return f->master_down_at;
	if (f->state == HA_MASTER)
		return f->next_advert;
	return UINT64_MAX;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int ha_fsm_advert_encode(const struct ha_advert *a, uint8_t *buf, size_t len)
{
	if (len < HA_ADVERT_LEN)
		return -ENOSPC;
	memset(buf, 0, HA_ADVERT_LEN);
	buf[0] = HA_VERSION;
	buf[1] = a->type;
	buf[2] = a->prio;
	buf[3] = a->flags;
	put16(buf + 4, a->interval_ms);
	put16(buf + 6, a->pkey);
	memcpy(buf + 8, a->id, HA_ID_LEN);
	memcpy(buf + 8 + HA_ID_LEN, a->name, strnlen(a->name, HA_NAME_LEN - 1));
	return HA_ADVERT_LEN;
}

int ha_fsm_advert_decode(const uint8_t *buf, size_t len, struct ha_advert *a)
{
	if (len < HA_ADVERT_LEN || buf[0] != HA_VERSION ||
	    buf[1] != HA_TYPE_ADVERT)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->type = buf[1];
	a->prio = buf[2];
	a->flags = buf[3];
	a->interval_ms = (uint16_t)(buf[4] << 8 | buf[5]);
	a->pkey = (uint16_t)(buf[6] << 8 | buf[7]);
	memcpy(a->id, buf + 8, HA_ID_LEN);
	memcpy(a->name, buf + 8 + HA_ID_LEN, HA_NAME_LEN - 1);
	return 0;
}

const char *ha_fsm_state_name(enum ha_state s)
{
	static const char *const names[] = { "init", "backup", "master" };

	return s <= HA_MASTER ? names[s] : "?";
}

const char *ha_fsm_reason_name(enum ha_reason r)
{
	static const char *const names[HA_R_MAX] = {
		[HA_R_NONE] = "none",
		[HA_R_MASTER_DOWN] = "master_down",
		[HA_R_RESIGNED] = "master_resigned",
		[HA_R_PREEMPT] = "preempt",
		[HA_R_BETTER_MASTER] = "better_master",
		[HA_R_NOT_ELIGIBLE] = "not_eligible",
		[HA_R_STOPPED] = "stopped",
	};

	return r < HA_R_MAX ? names[r] : "?";
}
