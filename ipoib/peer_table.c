// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ipoib/peer_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* A learned MAC: open addressing, linear probing, backward-shift delete. */
struct mac_entry {
	uint8_t mac[6];
	bool used;
	uint16_t peer; /* index into peers */
	uint64_t seen;
};

struct peer_slot {
	bool used;
	struct peer_info info;
};

struct peer_table {
	unsigned int max_peers, max_macs, peer_macs;
	unsigned int n_macs;
	unsigned int mask; /* buckets - 1 */
	struct mac_entry *macs;
	struct peer_slot *peers;
};

static const char *const drop_names[PEER_DROP_MAX] = {
	[PEER_DROP_RUNT] = "runt",
	[PEER_DROP_BAD_HEADER] = "bad_header",
	[PEER_DROP_BAD_SRC] = "bad_src",
	[PEER_DROP_QUEUE_FULL] = "queue_full",
	[PEER_DROP_PEER_LIMIT] = "peer_limit",
	[PEER_DROP_PART_LIMIT] = "partition_limit",
	[PEER_DROP_NO_ROOM] = "no_room",
};

const char *peer_drop_name(enum peer_drop d)
{
	return (unsigned int)d < PEER_DROP_MAX ? drop_names[d] : "?";
}

struct peer_table *peer_table_create(unsigned int max_peers,
				     unsigned int max_macs,
				     unsigned int peer_macs)
{
	struct peer_table *t;
	unsigned int buckets = 16;

	if (!max_peers || !max_macs || max_peers > UINT16_MAX ||
	    max_macs > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	while (buckets < 2 * max_macs)
		buckets <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max_peers = max_peers;
	t->max_macs = max_macs;
	t->peer_macs = peer_macs ? peer_macs : max_macs;
	t->mask = buckets - 1;
	t->macs = calloc(buckets, sizeof(*t->macs));
	t->peers = calloc(max_peers, sizeof(*t->peers));
	if (!t->macs || !t->peers) {
		peer_table_destroy(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void peer_table_destroy(struct peer_table *t)
{
	if (!t)
		return;
	free(t->macs);
	free(t->peers);
	free(t);
}

static uint32_t mac_hash(const uint8_t mac[6])
{
	uint32_t h = 2166136261u;
	unsigned int i;

	for (i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h ^ (h >> 16);
}

/* The bucket of @mac, or of the free slot where it would go. */
static struct mac_entry *mac_slot(const struct peer_table *t,
				  const uint8_t mac[6])
{
	uint32_t i = mac_hash(mac) & t->mask;

	while (t->macs[i].used && memcmp(t->macs[i].mac, mac, 6))
		i = (i + 1) & t->mask;
	return &t->macs[i];
}

/* Remove the entry in bucket @e, moving later probes back. */
static void mac_remove(struct peer_table *t, struct mac_entry *e)
{
	uint32_t i = (uint32_t)(e - t->macs), j = i, home;

	t->peers[e->peer].info.macs--;
	t->n_macs--;
	for (;;) {
		t->macs[i].used = false;
		for (;;) {
			j = (j + 1) & t->mask;
			if (!t->macs[j].used)
				return;
			home = mac_hash(t->macs[j].mac) & t->mask;
			/* may j's entry move to i? only if home is not in (i, j] */
			if (i <= j ? (home <= i || home > j) :
				     (home <= i && home > j))
				break;
		}
		t->macs[i] = t->macs[j];
		i = j;
	}
}

struct peer_info *peer_table_find(struct peer_table *t,
				  const struct ipoib_hwaddr *addr)
{
	unsigned int i;

	for (i = 0; i < t->max_peers; i++)
		if (t->peers[i].used &&
		    ipoib_hwaddr_same_port(&t->peers[i].info.addr, addr))
			return &t->peers[i].info;
	return NULL;
}

struct peer_info *peer_table_peer(struct peer_table *t,
				  const struct ipoib_hwaddr *addr, uint16_t lid,
				  bool add, uint64_t now)
{
	struct peer_slot *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < t->max_peers; i++) {
		struct peer_slot *s = &t->peers[i];

		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (ipoib_hwaddr_same_port(&s->info.addr, addr)) {
			s->info.last_seen = now;
			if (lid)
				s->info.lid = lid;
			return &s->info;
		}
	}
	if (!add || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->info.addr = *addr;
	free_slot->info.lid = lid;
	free_slot->info.first_seen = free_slot->info.last_seen = now;
	return &free_slot->info;
}

static uint16_t peer_index(const struct peer_table *t,
			   const struct peer_info *p)
{
	return (uint16_t)((const struct peer_slot *)((const char *)p -
						     offsetof(struct peer_slot,
							      info)) -
			  t->peers);
}

int peer_table_learn(struct peer_table *t, const uint8_t mac[6],
		     struct peer_info *p, uint64_t now)
{
	static const uint8_t zero[6];
	struct mac_entry *e;
	uint16_t idx = peer_index(t, p);

	if ((mac[0] & 1) || !memcmp(mac, zero, 6))
		return PEER_DROP_BAD_SRC;
	e = mac_slot(t, mac);
	if (e->used && e->peer == idx) {
		e->seen = now;
		return 0;
	}
	if (p->macs >= t->peer_macs) {
		p->c.drops[PEER_DROP_PEER_LIMIT]++;
		return PEER_DROP_PEER_LIMIT;
	}
	if (e->used) { /* moved from another peer */
		t->peers[e->peer].info.macs--;
	} else {
		if (t->n_macs >= t->max_macs) {
			p->c.drops[PEER_DROP_PART_LIMIT]++;
			return PEER_DROP_PART_LIMIT;
		}
		t->n_macs++;
		e->used = true;
		memcpy(e->mac, mac, 6);
	}
	e->peer = idx;
	e->seen = now;
	p->macs++;
	return 0;
}

struct peer_info *peer_table_lookup(struct peer_table *t, const uint8_t mac[6])
{
	struct mac_entry *e = mac_slot(t, mac);

	return e->used ? &t->peers[e->peer].info : NULL;
}

bool peer_table_forget_mac(struct peer_table *t, const uint8_t mac[6])
{
	struct mac_entry *e = mac_slot(t, mac);

	if (!e->used)
		return false;
	mac_remove(t, e);
	return true;
}

/* Is the MAC in @e to go: aged, or behind a peer that is dead? */
static bool mac_expired(const struct peer_table *t, const struct mac_entry *e,
			uint64_t now, uint64_t max_age_ms, uint64_t dead_ms)
{
	const struct peer_info *p = &t->peers[e->peer].info;

	return now - e->seen > max_age_ms || now - p->last_seen > dead_ms;
}

unsigned int peer_table_age(struct peer_table *t, uint64_t now,
			    uint64_t max_age_ms, uint64_t dead_ms)
{
	unsigned int i, n = 0;

	for (i = 0; i <= t->mask;) {
		struct mac_entry *e = &t->macs[i];

		if (e->used && mac_expired(t, e, now, max_age_ms, dead_ms)) {
			mac_remove(t, e); /* bucket i may hold another now */
			n++;
			continue;
		}
		i++;
	}
	for (i = 0; i < t->max_peers; i++) {
		struct peer_slot *s = &t->peers[i];

		if (s->used && !s->info.macs &&
		    now - s->info.last_seen > MIN(max_age_ms, dead_ms))
			s->used = false;
	}
	return n;
}

void peer_table_flush(struct peer_table *t)
{
	memset(t->macs, 0, (t->mask + 1) * sizeof(*t->macs));
	memset(t->peers, 0, t->max_peers * sizeof(*t->peers));
	t->n_macs = 0;
}

unsigned int peer_table_macs(const struct peer_table *t)
{
	return t->n_macs;
}

void peer_table_foreach_peer(const struct peer_table *t,
			     void (*fn)(void *arg, const struct peer_info *p),
			     void *arg)
{
	unsigned int i;

	for (i = 0; i < t->max_peers; i++)
		if (t->peers[i].used)
			fn(arg, &t->peers[i].info);
}

void peer_table_foreach_mac(const struct peer_table *t, uint64_t now,
			    void (*fn)(void *arg,
				       const struct peer_mac_view *v),
			    void *arg)
{
	struct peer_mac_view v;
	unsigned int i;

	for (i = 0; i <= t->mask; i++) {
		const struct mac_entry *e = &t->macs[i];

		if (!e->used)
			continue;
		memcpy(v.mac, e->mac, 6);
		v.peer = &t->peers[e->peer].info;
		v.age_ms = now > e->seen ? now - e->seen : 0;
		fn(arg, &v);
	}
}
