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

struct fdb {
	struct fdb_hot h; /* first: the inline fast path in fdb.h */
	unsigned int max_entries;
	struct fdb_stats st;
};

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

int fdb_learn_slot(struct fdb *f, struct fdb_slot *s, uint64_t key,
		   uint16_t port, uint64_t now_ms)
{
	if (s->port != SLOT_EMPTY) {
		s->seen_ms = now_ms;
		s->port = port;
		f->st.moved++;
		return FDB_MOVED;
	}
	if (f->st.entries >= f->max_entries) {
		f->st.full++;
		return -ENOSPC;
	}
	s->key = key;
	s->seen_ms = now_ms;
	s->port = port;
	f->st.entries++;
	f->st.learned++;
	return FDB_LEARNED;
}

/* Remove slot @i and shift later members of its cluster back. */
static void remove_slot(struct fdb *f, uint32_t i)
{
	uint32_t j = i;

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
	f->st.entries--;
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
