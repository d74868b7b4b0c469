/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The MAC learning table: (partition, MAC) -> port, with aging. One open
 * addressing hash table for all partitions; the partition is part of the
 * key, so the same MAC may live in two partitions on different ports.
 * Owned by the forwarding thread: no locking.
 */
#ifndef ETH_FDB_H
#define ETH_FDB_H

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
 * fdb_learn - note that @mac was seen on @port in @part at @now_ms.
 * Returns an fdb_learn_result, or -ENOSPC when the table is full.
 */
int fdb_learn(struct fdb *f, uint16_t part, uint64_t mac, uint16_t port,
	      uint64_t now_ms);

/*
 * fdb_lookup - the port @mac was learned on in @part, or -ENOENT (aged
 * entries count as absent).
 */
int fdb_lookup(const struct fdb *f, uint16_t part, uint64_t mac,
	       uint64_t now_ms);

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
