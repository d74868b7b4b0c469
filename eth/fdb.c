// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Linear probing with backward-shift deletion (no tombstones), at most half
 * full, so a look-up touches one or two cache lines.
 */
#include "eth/fdb.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define SLOT_EMPTY FDB_SLOT_EMPTY

/* A partition's or a port's count against its quota or limit. */
struct share {
	unsigned int entries;
	unsigned int limit; /* 0: shared (partitions), none (ports) */
	uint64_t refused;
	uint64_t full;
};

struct fdb {
	struct fdb_hot h; /* first: the inline fast path in fdb.h */
	unsigned int max_entries;
	unsigned int fixed_sum; /* the fixed partition quotas, added up */
	struct fdb_stats st;
	struct share parts[FDB_MAX_PARTS];
	struct share ports[FDB_MAX_PORTS];
	void (*watch)(void *ctx, uint16_t part, uint64_t mac, int port);
	void *watch_ctx;
};

static void notify(const struct fdb *f, const struct fdb_slot *s, int port)
{
	if (f->watch)
		f->watch(f->watch_ctx, (uint16_t)(s->key & 0xffff),
			 s->key >> 16, port);
}

void fdb_set_watch(struct fdb *f,
		   void (*fn)(void *ctx, uint16_t part, uint64_t mac, int port),
		   void *ctx)
{
	f->watch = fn;
	f->watch_ctx = ctx;
}

int fdb_refresh(struct fdb *f, uint16_t part, uint64_t mac, uint16_t port,
		uint64_t seen_ms)
{
	struct fdb_slot *s = fdb_find_slot(f, fdb_key(part, mac));

	if (s->port != port || port == SLOT_EMPTY)
		return -ENOENT;
	if (seen_ms > s->seen_ms)
		s->seen_ms = seen_ms;
	return 0;
}

static inline uint32_t hash_key(uint64_t key, uint32_t mask)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

struct fdb *fdb_create(unsigned int max_entries, uint64_t aging_ms)
{
	struct fdb *f;
	uint32_t cap = 16, i;

	if (!max_entries || max_entries > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	while (cap < 2 * max_entries)
		cap <<= 1;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->h.slots = calloc(cap, sizeof(*f->h.slots));
	if (!f->h.slots) {
		free(f);
		return NULL;
	}
	for (i = 0; i < cap; i++)
		f->h.slots[i].port = SLOT_EMPTY;
	f->h.mask = cap - 1;
	f->max_entries = max_entries;
	f->h.aging_ms = aging_ms;
	return f;
}

void fdb_destroy(struct fdb *f)
{
	if (!f)
		return;
	free(f->h.slots);
	free(f);
}

void fdb_set_aging(struct fdb *f, uint64_t aging_ms)
{
	f->h.aging_ms = aging_ms;
}

uint64_t fdb_get_aging(const struct fdb *f)
{
	return f->h.aging_ms;
}

static bool expired(const struct fdb *f, const struct fdb_slot *s, uint64_t now)
{
	return now > s->seen_ms && now - s->seen_ms >= f->h.aging_ms;
}

/* Free entries a partition with a shared quota may still count on. */
static unsigned int free_shared(const struct fdb *f)
{
	unsigned int used = f->st.entries + f->st.reserved;

	return used < f->max_entries ? f->max_entries - used : 0;
}

/* What partition @sh may hold now. */
static unsigned int part_max_now(const struct fdb *f, const struct share *sh)
{
	unsigned int free = free_shared(f);

	if (sh->limit)
		return sh->limit;
	/* Each entry it adds takes one from the free: they meet halfway. */
	return free > sh->entries ? sh->entries + (free - sh->entries + 1) / 2 :
				    sh->entries;
}

/* Why @part may not take one more entry on @port: 0 or a negative errno. */
static int may_add(struct fdb *f, struct share *pt, struct share *po)
{
	if (po->limit && po->entries >= po->limit) {
		po->refused++;
		f->st.port_limit++;
		return -ENOBUFS;
	}
	if (pt->limit ? pt->entries >= pt->limit :
			pt->entries >= free_shared(f)) {
		pt->refused++;
		f->st.part_limit++;
		return -EDQUOT;
	}
	if (f->st.entries >= f->max_entries) {
		pt->full++;
		f->st.full++;
		return -ENOSPC;
	}
	return 0;
}

static void count_add(struct fdb *f, struct share *pt, struct share *po)
{
	if (pt->limit && pt->entries < pt->limit)
		f->st.reserved--;
	pt->entries++;
	po->entries++;
	f->st.entries++;
}

static void count_remove(struct fdb *f, const struct fdb_slot *s)
{
	struct share *pt = &f->parts[s->key & 0xffff];

	pt->entries--;
	if (pt->limit && pt->entries < pt->limit)
		f->st.reserved++;
	f->ports[s->port].entries--;
	f->st.entries--;
}

static void remove_slot(struct fdb *f, uint32_t i);

/* @s moves to @port, which may be at its limit: then it is forgotten. */
static int move_slot(struct fdb *f, struct fdb_slot *s, uint16_t port,
		     uint64_t now_ms)
{
	struct share *po = &f->ports[port];

	if (po->limit && po->entries >= po->limit) {
		po->refused++;
		f->st.port_limit++;
		remove_slot(f, (uint32_t)(s - f->h.slots));
		return -ENOBUFS;
	}
	f->ports[s->port].entries--;
	po->entries++;
	s->seen_ms = now_ms;
	s->port = port;
	f->st.moved++;
	notify(f, s, port);
	return FDB_MOVED;
}

int fdb_learn_slot(struct fdb *f, struct fdb_slot *s, uint64_t key,
		   uint16_t port, uint64_t now_ms)
{
	unsigned int part = key & 0xffff;
	int ret;

	if (part >= FDB_MAX_PARTS || port >= FDB_MAX_PORTS)
		return -EINVAL;
	if (s->port != SLOT_EMPTY)
		return move_slot(f, s, port, now_ms);
	ret = may_add(f, &f->parts[part], &f->ports[port]);
	if (ret)
		return ret;
	s->key = key;
	s->seen_ms = now_ms;
	s->port = port;
	count_add(f, &f->parts[part], &f->ports[port]);
	f->st.learned++;
	notify(f, s, port);
	return FDB_LEARNED;
}

/* Remove slot @i and shift later members of its cluster back. */
static void remove_slot(struct fdb *f, uint32_t i)
{
	uint32_t j = i;

	notify(f, &f->h.slots[i], -1);
	count_remove(f, &f->h.slots[i]);
	for (;;) {
		uint32_t home;

		j = (j + 1) & f->h.mask;
		if (f->h.slots[j].port == SLOT_EMPTY)
			break;
		home = hash_key(f->h.slots[j].key, f->h.mask);
		/* Move j into the hole i unless its home lies in (i, j]. */
		if (((j - home) & f->h.mask) >= ((j - i) & f->h.mask)) {
			f->h.slots[i] = f->h.slots[j];
			i = j;
		}
	}
	f->h.slots[i].port = SLOT_EMPTY;
}

/* Remove every entry for which @match is true; returns how many. */
static unsigned int remove_if(struct fdb *f,
			      bool (*match)(const struct fdb *f,
					    const struct fdb_slot *s,
					    void *ctx),
			      void *ctx)
{
	unsigned int n = 0;
	uint32_t i = 0;

	/* A shift may move an unvisited entry into i: look at i again. */
	while (i <= f->h.mask) {
		struct fdb_slot *s = &f->h.slots[i];

		if (s->port != SLOT_EMPTY && match(f, s, ctx)) {
			remove_slot(f, i);
			n++;
			continue;
		}
		i++;
	}
	return n;
}

static bool match_expired(const struct fdb *f, const struct fdb_slot *s,
			  void *ctx)
{
	return expired(f, s, *(uint64_t *)ctx);
}

unsigned int fdb_age(struct fdb *f, uint64_t now_ms)
{
	unsigned int n = remove_if(f, match_expired, &now_ms);

	f->st.aged += n;
	return n;
}

struct flush_ctx {
	int part;
	int port;
};

static bool match_flush(const struct fdb *f, const struct fdb_slot *s,
			void *ctx)
{
	const struct flush_ctx *fc = ctx;

	if (fc->part != FDB_ANY && (s->key & 0xffff) != (uint64_t)fc->part)
		return false;
	return fc->port == FDB_ANY || s->port == fc->port;
}

unsigned int fdb_flush(struct fdb *f, int part, int port)
{
	struct flush_ctx fc = { .part = part, .port = port };

	return remove_if(f, match_flush, &fc);
}

void fdb_foreach(const struct fdb *f,
		 void (*fn)(void *ctx, const struct fdb_entry *e), void *ctx)
{
	uint32_t i;

	for (i = 0; i <= f->h.mask; i++) {
		const struct fdb_slot *s = &f->h.slots[i];
		struct fdb_entry e;

		if (s->port == SLOT_EMPTY)
			continue;
		e.mac = s->key >> 16;
		e.part = s->key & 0xffff;
		e.port = s->port;
		e.seen_ms = s->seen_ms;
		fn(ctx, &e);
	}
}

void fdb_get_stats(const struct fdb *f, struct fdb_stats *st)
{
	*st = f->st;
}

unsigned int fdb_max_entries(const struct fdb *f)
{
	return f->max_entries;
}

/* The free entries fixed quotas still count on, recounted. */
static unsigned int count_reserved(const struct fdb *f)
{
	unsigned int i, n = 0;

	for (i = 0; i < FDB_MAX_PARTS; i++)
		if (f->parts[i].limit > f->parts[i].entries)
			n += f->parts[i].limit - f->parts[i].entries;
	return n;
}

int fdb_set_part_limit(struct fdb *f, unsigned int part, unsigned int limit)
{
	struct share *pt;

	if (part >= FDB_MAX_PARTS || limit > f->max_entries)
		return -EINVAL;
	pt = &f->parts[part];
	if (f->fixed_sum - pt->limit + limit > f->max_entries)
		return -ENOSPC;
	f->fixed_sum = f->fixed_sum - pt->limit + limit;
	pt->limit = limit;
	f->st.reserved = count_reserved(f);
	return 0;
}

int fdb_set_port_limit(struct fdb *f, unsigned int port, unsigned int limit)
{
	if (port >= FDB_MAX_PORTS)
		return -EINVAL;
	f->ports[port].limit = limit;
	return 0;
}

static void share_out(const struct share *s, unsigned int max_now,
		      struct fdb_share *sh)
{
	sh->entries = s->entries;
	sh->limit = s->limit;
	sh->max_now = max_now;
	sh->refused = s->refused;
	sh->full = s->full;
}

int fdb_part_share(const struct fdb *f, unsigned int part, struct fdb_share *sh)
{
	if (part >= FDB_MAX_PARTS)
		return -EINVAL;
	share_out(&f->parts[part], part_max_now(f, &f->parts[part]), sh);
	return 0;
}

int fdb_port_share(const struct fdb *f, unsigned int port, struct fdb_share *sh)
{
	if (port >= FDB_MAX_PORTS)
		return -EINVAL;
	share_out(&f->ports[port],
		  f->ports[port].limit ? f->ports[port].limit : f->max_entries,
		  sh);
	return 0;
}
