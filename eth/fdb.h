/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The MAC learning table: (partition, MAC) -> port, with aging. One open
 * addressing hash table for all partitions; the partition is part of the
 * key, so the same MAC may live in two partitions on different ports.
 * Owned by the forwarding thread: no locking.
 *
 * One tenant cannot fill the table for the others. A partition holds at
 * most its quota: by default (FDB_LIMIT_SHARED) as many entries as are
 * still free, so a partition that floods the table with random source MACs
 * stops at half of it (k such partitions at 1/(k+1) each) and the free rest
 * keeps every other partition learning; or a fixed quota set with
 * fdb_set_part_limit(), reserved for it. A port may have a learning limit
 * of its own. Every address not learned is counted by its reason; a frame
 * to it is flooded in its own partition only.
 */
#ifndef ETH_FDB_H
#define ETH_FDB_H

#include <errno.h>
#include <stdint.h>

#define FDB_AGING_MS_DEFAULT 300000
#define FDB_ANY (-1)
/* Partition indices and port numbers the table accounts for. */
#define FDB_MAX_PARTS 4096
#define FDB_MAX_PORTS 256
/* A partition's quota: a share of what is free (the default). */
#define FDB_LIMIT_SHARED 0
/* A port's learning limit: none of its own (the default). */
#define FDB_LIMIT_NONE 0

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
	uint64_t part_limit; /* not learned: the partition at its quota */
	uint64_t port_limit; /* not learned: the port at its limit */
	unsigned int entries; /* entries now */
	unsigned int reserved; /* free entries kept for fixed quotas */
};

/* One partition's or one port's share of the table. */
struct fdb_share {
	unsigned int entries; /* entries now */
	unsigned int limit; /* as set: FDB_LIMIT_SHARED / FDB_LIMIT_NONE or N */
	unsigned int max_now; /* what it may hold now (shared: as free) */
	uint64_t refused; /* addresses not learned at its quota or limit */
	uint64_t full; /* addresses not learned: table full */
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
 * Returns an fdb_learn_result, or a negative errno when the address was
 * not learned: -ENOSPC the table is full, -EDQUOT @part is at its quota,
 * -ENOBUFS @port is at its learning limit (an address that moves onto such
 * a port is forgotten), -EINVAL @part or @port out of range.
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

/*
 * fdb_set_watch - call @fn(@ctx, part, mac, port) whenever an entry is
 * learned or moves (@port: where it is now) and when it is removed by
 * aging, a flush or a move onto a port at its limit (@port: -1); refreshes
 * are not reported. NULL @fn: none. Keeps a mirror (the XDP fast path's
 * map) in step with the table.
 */
void fdb_set_watch(struct fdb *f,
		   void (*fn)(void *ctx, uint16_t part, uint64_t mac, int port),
		   void *ctx);

/*
 * fdb_refresh - @mac in @part was seen on @port at @seen_ms by someone else
 * (the fast path): the entry's age restarts from then, if it is still on
 * @port and was not seen later. Returns 0 or -ENOENT.
 */
int fdb_refresh(struct fdb *f, uint16_t part, uint64_t mac, uint16_t port,
		uint64_t seen_ms);

/* fdb_get_stats - counters and size. */
void fdb_get_stats(const struct fdb *f, struct fdb_stats *st);

/*
 * fdb_set_part_limit - partition @part's quota: @limit entries reserved
 * for it, or FDB_LIMIT_SHARED. Entries above a lowered quota stay until
 * they age. Returns 0, -EINVAL (@part out of range, @limit above the
 * table), or -ENOSPC when the fixed quotas would add up to more than the
 * table.
 */
int fdb_set_part_limit(struct fdb *f, unsigned int part, unsigned int limit);

/*
 * fdb_set_port_limit - port @port may hold at most @limit entries
 * (FDB_LIMIT_NONE: no limit of its own). Returns 0 or -EINVAL.
 */
int fdb_set_port_limit(struct fdb *f, unsigned int port, unsigned int limit);

/* fdb_part_share - partition @part's share; -EINVAL when out of range. */
int fdb_part_share(const struct fdb *f, unsigned int part,
		   struct fdb_share *sh);

/* fdb_port_share - port @port's share; -EINVAL when out of range. */
int fdb_port_share(const struct fdb *f, unsigned int port,
		   struct fdb_share *sh);

/* fdb_max_entries - the table's size, as created. */
unsigned int fdb_max_entries(const struct fdb *f);

#endif /* ETH_FDB_H */
