// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * IPoIB neighbour table (see neigh.h). Entries live in one array; two
 * chained hash indexes (by QP address, by MAC) point into it by index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipoib/neigh.h"
#include "lib/ib.h"

#define NIL UINT32_MAX
#define NEIGH_MAX_CAPACITY (1u << 20)

struct slot {
	struct ipoib_neigh_entry e;
	uint32_t next_hw; /* hw chain; free list when unused */
	uint32_t next_mac;
	uint8_t used;
};

struct ipoib_neigh_table {
	struct slot *slots;
	uint32_t *hw_head;
	uint32_t *mac_head;
	uint32_t capacity;
	uint32_t mask; /* bucket count - 1 */
	uint32_t count;
	uint32_t free_head;
	ipoib_neigh_mac_fn mac_fn;
};

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t key_hash(uint16_t base, const struct ipoib_hwaddr *hw)
{
	uint8_t pk[2] = { base >> 8, base & 0xff };
	uint64_t h = fnv1a(0xcbf29ce484222325ull, pk, sizeof(pk));

	/* QPN and GID; the flags byte may change and is not part of the key */
	return fnv1a(h, hw->raw + 1, IPOIB_HWADDR_LEN - 1);
}

void ipoib_neigh_derive_mac(uint16_t pkey, const struct ipoib_hwaddr *hw,
			    unsigned int attempt, uint8_t mac[6])
{
	uint8_t a = attempt & 0xff;
	uint64_t h = key_hash(pkey & IB_PKEY_BASE_MASK, hw);
	int i;

	h = fnv1a(h, &a, 1);
	for (i = 0; i < 6; i++)
		mac[i] = (h >> (8 * i)) & 0xff;
	mac[0] = (mac[0] & 0xfc) | 0x02; /* locally administered, unicast */
}

static uint32_t mac_bucket(const struct ipoib_neigh_table *t,
			   const uint8_t mac[6])
{
	return fnv1a(0xcbf29ce484222325ull, mac, 6) & t->mask;
}

static uint32_t hw_bucket(const struct ipoib_neigh_table *t, uint16_t base,
			  const struct ipoib_hwaddr *hw)
{
	return key_hash(base, hw) & t->mask;
}

static int alloc_arrays(struct ipoib_neigh_table *t, uint32_t nbuckets)
{
	t->slots = calloc(t->capacity, sizeof(*t->slots));
	t->hw_head = malloc(nbuckets * sizeof(*t->hw_head));
	t->mac_head = malloc(nbuckets * sizeof(*t->mac_head));
	if (!t->slots || !t->hw_head || !t->mac_head)
		return -ENOMEM;
	return 0;
}

static void reset(struct ipoib_neigh_table *t)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++) {
		t->hw_head[i] = NIL;
		t->mac_head[i] = NIL;
	}
	for (i = 0; i < t->capacity; i++) {
		t->slots[i].used = 0;
		t->slots[i].next_hw = i + 1 < t->capacity ? i + 1 : NIL;
	}
	t->free_head = 0;
	t->count = 0;
}

struct ipoib_neigh_table *ipoib_neigh_create(unsigned int capacity)
{
	struct ipoib_neigh_table *t;
	uint32_t nbuckets = 1;

	if (!capacity || capacity > NEIGH_MAX_CAPACITY) {
		errno = EINVAL;
		return NULL;
	}
	while (nbuckets < capacity)
		nbuckets <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto err_nomem;
	t->capacity = capacity;
	t->mask = nbuckets - 1;
	t->mac_fn = ipoib_neigh_derive_mac;
	if (alloc_arrays(t, nbuckets))
		goto err_free;
	reset(t);
	return t;

err_free:
	ipoib_neigh_destroy(t);
err_nomem:
	errno = ENOMEM;
	return NULL;
}

void ipoib_neigh_destroy(struct ipoib_neigh_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->hw_head);
	free(t->mac_head);
	free(t);
}

void ipoib_neigh_set_mac_fn(struct ipoib_neigh_table *t, ipoib_neigh_mac_fn fn)
{
	t->mac_fn = fn ? fn : ipoib_neigh_derive_mac;
}

static uint32_t find_hw(const struct ipoib_neigh_table *t, uint16_t base,
			const struct ipoib_hwaddr *hw)
{
	uint32_t i = t->hw_head[hw_bucket(t, base, hw)];

	for (; i != NIL; i = t->slots[i].next_hw)
		if (t->slots[i].e.pkey == base &&
		    ipoib_hwaddr_same_port(&t->slots[i].e.hw, hw))
			return i;
	return NIL;
}

static uint32_t find_mac(const struct ipoib_neigh_table *t,
			 const uint8_t mac[6])
{
	uint32_t i = t->mac_head[mac_bucket(t, mac)];

	for (; i != NIL; i = t->slots[i].next_mac)
		if (!memcmp(t->slots[i].e.mac, mac, 6))
			return i;
	return NIL;
}

static void unlink_chain(struct ipoib_neigh_table *t, uint32_t *head,
			 uint32_t idx, bool by_mac)
{
	uint32_t *pp = head;

	while (*pp != NIL && *pp != idx)
		pp = by_mac ? &t->slots[*pp].next_mac : &t->slots[*pp].next_hw;
	if (*pp == idx)
		*pp = by_mac ? t->slots[idx].next_mac : t->slots[idx].next_hw;
}

static void remove_slot(struct ipoib_neigh_table *t, uint32_t idx)
{
	struct slot *s = &t->slots[idx];

	unlink_chain(t, &t->hw_head[hw_bucket(t, s->e.pkey, &s->e.hw)], idx,
		     false);
	unlink_chain(t, &t->mac_head[mac_bucket(t, s->e.mac)], idx, true);
	s->used = 0;
	s->next_hw = t->free_head;
	t->free_head = idx;
	t->count--;
}

static void evict_oldest(struct ipoib_neigh_table *t)
{
	uint32_t i, oldest = NIL;

	for (i = 0; i < t->capacity; i++)
		if (t->slots[i].used &&
		    (oldest == NIL ||
		     t->slots[i].e.last_seen < t->slots[oldest].e.last_seen))
			oldest = i;
	if (oldest != NIL)
		remove_slot(t, oldest);
}

static int pick_mac(const struct ipoib_neigh_table *t, uint16_t base,
		    const struct ipoib_hwaddr *hw, uint8_t mac[6])
{
	unsigned int attempt;

	for (attempt = 0; attempt < IPOIB_NEIGH_MAC_TRIES; attempt++) {
		t->mac_fn(base, hw, attempt, mac);
		if (find_mac(t, mac) == NIL)
			return 0;
	}
	return -EADDRINUSE;
}

static void insert(struct ipoib_neigh_table *t, uint16_t base,
		   const struct ipoib_hwaddr *hw, const uint8_t mac[6],
		   uint64_t now)
{
	uint32_t idx = t->free_head, hb, mb;
	struct slot *s = &t->slots[idx];

	t->free_head = s->next_hw;
	s->used = 1;
	s->e.pkey = base;
	s->e.hw = *hw;
	memcpy(s->e.mac, mac, 6);
	s->e.first_seen = now;
	s->e.last_seen = now;
	hb = hw_bucket(t, base, hw);
	mb = mac_bucket(t, mac);
	s->next_hw = t->hw_head[hb];
	t->hw_head[hb] = idx;
	s->next_mac = t->mac_head[mb];
	t->mac_head[mb] = idx;
	t->count++;
}

int ipoib_neigh_learn(struct ipoib_neigh_table *t, uint16_t pkey,
		      const struct ipoib_hwaddr *hw, uint64_t now,
		      uint8_t mac[6])
{
	uint16_t base = pkey & IB_PKEY_BASE_MASK;
	uint8_t m[6];
	uint32_t idx;
	int ret;

	if (!base || ipoib_hwaddr_is_mcast(hw) || !ipoib_hwaddr_qpn(hw))
		return -EINVAL;
	idx = find_hw(t, base, hw);
	if (idx != NIL) {
		t->slots[idx].e.last_seen = now;
		t->slots[idx].e.hw.raw[0] = hw->raw[0];
		if (mac)
			memcpy(mac, t->slots[idx].e.mac, 6);
		return 0;
	}
	if (t->count == t->capacity)
		evict_oldest(t);
	ret = pick_mac(t, base, hw, m);
	if (ret)
		return ret;
	insert(t, base, hw, m, now);
	if (mac)
		memcpy(mac, m, 6);
	return 0;
}

int ipoib_neigh_lookup_hw(const struct ipoib_neigh_table *t, uint16_t pkey,
			  const struct ipoib_hwaddr *hw, uint8_t mac[6])
{
	uint32_t idx = find_hw(t, pkey & IB_PKEY_BASE_MASK, hw);

	if (idx == NIL)
		return -ENOENT;
	memcpy(mac, t->slots[idx].e.mac, 6);
	return 0;
}

int ipoib_neigh_lookup_mac(const struct ipoib_neigh_table *t, uint16_t pkey,
			   const uint8_t mac[6], struct ipoib_hwaddr *hw)
{
	uint32_t idx = find_mac(t, mac);

	if (idx == NIL || t->slots[idx].e.pkey != (pkey & IB_PKEY_BASE_MASK))
		return -ENOENT;
	*hw = t->slots[idx].e.hw;
	return 0;
}

int ipoib_neigh_remove(struct ipoib_neigh_table *t, uint16_t pkey,
		       const struct ipoib_hwaddr *hw)
{
	uint32_t idx = find_hw(t, pkey & IB_PKEY_BASE_MASK, hw);

	if (idx == NIL)
		return -ENOENT;
	remove_slot(t, idx);
	return 0;
}

unsigned int ipoib_neigh_age(struct ipoib_neigh_table *t, uint64_t now,
			     uint64_t max_age)
{
	unsigned int removed = 0;
	uint32_t i;

	for (i = 0; i < t->capacity; i++) {
		if (!t->slots[i].used || t->slots[i].e.last_seen > now ||
		    now - t->slots[i].e.last_seen <= max_age)
			continue;
		remove_slot(t, i);
		removed++;
	}
	return removed;
}

unsigned int ipoib_neigh_count(const struct ipoib_neigh_table *t)
{
	return t->count;
}

void ipoib_neigh_foreach(const struct ipoib_neigh_table *t, uint16_t pkey,
			 void (*fn)(void *ctx,
				    const struct ipoib_neigh_entry *e),
			 void *ctx)
{
	uint16_t base = pkey & IB_PKEY_BASE_MASK;
	uint32_t i;

	for (i = 0; i < t->capacity; i++)
		if (t->slots[i].used &&
		    (pkey == IPOIB_PKEY_ANY || t->slots[i].e.pkey == base))
			fn(ctx, &t->slots[i].e);
}
