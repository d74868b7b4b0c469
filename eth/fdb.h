/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The MAC learning table: (partition, MAC) -> port, with aging. One open
 * addressing hash table for all partitions; the partition is part of the
 * key, so the same MAC may live in two partitions on different ports.
 * Owned by the forwarding thread: no locking.
 */
#ifndef ETH_FDB_H
#define ETH_FDB_H

#include <errno.h>
#include <stdint.h>

#define FDB_AGING_MS_DEFAULT 300000
#define FDB_ANY (-1)

struct fdb;

/* One learned address, as fdb_foreach() shows it. */
struct fdb_entry {
	uint64_t mac; /* 48 bits, see frame_mac_to_u64() */
	uint16_t part; /* partition index */
	uint16_t port; /* port slot */
	uint64_t seen_ms; /* last time a frame came from it */
};

struct fdb_stats {
	uint64_t learned; /* new entries */
	uint64_t moved; /* entries that changed port */
	uint64_t aged; /* entries removed by aging */
	uint64_t full; /* addresses not learned: table full */
	unsigned int entries; /* entries now */
};

/* What fdb_learn() did. */
enum fdb_learn_result {
	FDB_REFRESHED,
	FDB_LEARNED,
	FDB_MOVED,
};

/*
 * fdb_create - a table for up to @max_entries addresses that forgets an
 * address @aging_ms after its last frame. Returns NULL with errno set.
 */
struct fdb *fdb_create(unsigned int max_entries, uint64_t aging_ms);

/* fdb_destroy - free the table; accepts NULL. */
void fdb_destroy(struct fdb *f);

/* fdb_set_aging - change the aging time; applies to existing entries too. */
void fdb_set_aging(struct fdb *f, uint64_t aging_ms);
uint64_t fdb_get_aging(const struct fdb *f);

/*
 * The inline fast path's view of the table (first member of struct fdb).
 * Not for use outside fdb.[ch].
 */
struct fdb_slot {
	uint64_t key; /* mac << 16 | part */
	uint64_t seen_ms;
	uint16_t port; /* FDB_SLOT_EMPTY when the slot is free */
};

#define FDB_SLOT_EMPTY UINT16_MAX

struct fdb_hot {
	struct fdb_slot *slots;
	uint32_t mask; /* capacity - 1 */
	uint64_t aging_ms;
};

static inline uint64_t fdb_key(uint16_t part, uint64_t mac)
{
	return mac << 16 | part;
}

/* fdb_find_slot - the slot holding @key, or the empty one where it goes. */
static inline struct fdb_slot *fdb_find_slot(const struct fdb *f, uint64_t key)
{
	const struct fdb_hot *h = (const struct fdb_hot *)f;
	uint32_t i = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & h->mask;

	for (;;) {
		struct fdb_slot *s = &h->slots[i];

		if (s->port == FDB_SLOT_EMPTY || s->key == key)
			return s;
		i = (i + 1) & h->mask;
	}
}

/* fdb_learn_slot - fdb_learn()'s slow path: a new or moved address. */
int fdb_learn_slot(struct fdb *f, struct fdb_slot *s, uint64_t key,
		   uint16_t port, uint64_t now_ms);

/*
 * fdb_learn - note that @mac was seen on @port in @part at @now_ms.
 * Returns an fdb_learn_result, or -ENOSPC when the table is full.
 */
static inline int fdb_learn(struct fdb *f, uint16_t part, uint64_t mac,
			    uint16_t port, uint64_t now_ms)
{
	uint64_t key = fdb_key(part, mac);
	struct fdb_slot *s = fdb_find_slot(f, key);

	if (s->port == port) { /* the common case: a refresh */
		if (s->seen_ms != now_ms)
			s->seen_ms = now_ms;
		return FDB_REFRESHED;
	}
	return fdb_learn_slot(f, s, key, port, now_ms);
}

/*
 * fdb_lookup - the port @mac was learned on in @part, or -ENOENT (aged
 * entries count as absent).
 */
static inline int fdb_lookup(const struct fdb *f, uint16_t part, uint64_t mac,
			     uint64_t now_ms)
{
	const struct fdb_slot *s = fdb_find_slot(f, fdb_key(part, mac));
	uint64_t aging = ((const struct fdb_hot *)f)->aging_ms;

	if (s->port == FDB_SLOT_EMPTY ||
	    (now_ms > s->seen_ms && now_ms - s->seen_ms >= aging))
		return -ENOENT;
	return s->port;
}

/* fdb_age - remove entries older than the aging time. Returns how many. */
unsigned int fdb_age(struct fdb *f, uint64_t now_ms);

/*
 * fdb_flush - remove the entries of partition @part and/or port @port
 * (FDB_ANY matches all). Returns how many were removed.
 */
unsigned int fdb_flush(struct fdb *f, int part, int port);

/* fdb_foreach - call @fn on every entry, in table order. */
void fdb_foreach(const struct fdb *f,
		 void (*fn)(void *ctx, const struct fdb_entry *e), void *ctx);

/* fdb_get_stats - counters and size. */
void fdb_get_stats(const struct fdb *f, struct fdb_stats *st);

#endif /* ETH_FDB_H */
