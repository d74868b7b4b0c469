// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ipoib/ah_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

struct ah_entry {
	struct ipoib_ah_key key;
	void *ah; /* NULL: slot free */
	uint64_t seq; /* last send that used it */
	uint32_t hnext; /* hash chain, or free list */
	uint32_t prev, next; /* LRU list, most recent at head */
};

struct ah_retired {
	void *ah;
	uint64_t seq;
};

struct ipoib_ah_cache {
	struct ah_entry *e;
	uint32_t *bucket;
	uint32_t mask; /* buckets - 1 */
	unsigned int cap, n;
	uint32_t free, head, tail;
	struct ah_retired *ret;
	unsigned int n_ret, ret_cap;
	uint64_t done_seq; /* last sequence reaped */
	ipoib_ah_free_fn free_fn;
	void *arg;
	uint64_t hits, misses, evictions;
};

static uint32_t key_hash(const struct ipoib_ah_key *k)
{
	uint32_t h = 2166136261u;
	unsigned int i;

	h = (h ^ k->dlid) * 16777619u;
	h = (h ^ k->sl) * 16777619u;
	if (k->global)
		for (i = 0; i < IPOIB_GID_LEN; i++)
			h = (h ^ k->dgid.raw[i]) * 16777619u;
	return h ^ (h >> 15);
}

static bool key_eq(const struct ipoib_ah_key *a, const struct ipoib_ah_key *b)
{
	return a->dlid == b->dlid && a->sl == b->sl && a->global == b->global &&
	       (!a->global || !memcmp(a->dgid.raw, b->dgid.raw, IPOIB_GID_LEN));
}

struct ipoib_ah_cache *ipoib_ah_cache_create(unsigned int capacity,
					     ipoib_ah_free_fn free_fn,
					     void *arg)
{
	struct ipoib_ah_cache *c;
	uint32_t nb = 2, i;

	if (!capacity || capacity > IPOIB_AH_CACHE_MAX || !free_fn) {
		errno = EINVAL;
		return NULL;
	}
	while (nb < 2 * capacity)
		nb <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->e = calloc(capacity, sizeof(*c->e));
	c->bucket = malloc(nb * sizeof(*c->bucket));
	if (!c->e || !c->bucket) {
		ipoib_ah_cache_destroy(c);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < nb; i++)
		c->bucket[i] = NIL;
	for (i = 0; i < capacity; i++)
		c->e[i].hnext = i + 1 < capacity ? i + 1 : NIL;
	c->mask = nb - 1;
	c->cap = capacity;
	c->free = 0;
	c->head = c->tail = NIL;
	c->free_fn = free_fn;
	c->arg = arg;
	return c;
}

static void lru_unlink(struct ipoib_ah_cache *c, uint32_t i)
{
	struct ah_entry *e = &c->e[i];

	if (e->prev != NIL)
		c->e[e->prev].next = e->next;
	else
		c->head = e->next;
	if (e->next != NIL)
		c->e[e->next].prev = e->prev;
	else
		c->tail = e->prev;
}

static void lru_push_head(struct ipoib_ah_cache *c, uint32_t i)
{
	struct ah_entry *e = &c->e[i];

	e->prev = NIL;
	e->next = c->head;
	if (c->head != NIL)
		c->e[c->head].prev = i;
	c->head = i;
	if (c->tail == NIL)
		c->tail = i;
}

static uint32_t find(const struct ipoib_ah_cache *c,
		     const struct ipoib_ah_key *key)
{
	uint32_t i = c->bucket[key_hash(key) & c->mask];

	while (i != NIL && !key_eq(&c->e[i].key, key))
		i = c->e[i].hnext;
	return i;
}

bool ipoib_ah_cache_has(const struct ipoib_ah_cache *c,
			const struct ipoib_ah_key *key)
{
	return find(c, key) != NIL;
}

void *ipoib_ah_cache_get(struct ipoib_ah_cache *c,
			 const struct ipoib_ah_key *key, uint64_t seq)
{
	uint32_t i = find(c, key);

	if (i == NIL) {
		c->misses++;
		return NULL;
	}
	c->hits++;
	c->e[i].seq = seq;
	if (c->head != i) {
		lru_unlink(c, i);
		lru_push_head(c, i);
	}
	return c->e[i].ah;
}

/* Destroy @ah now if its sends are done, else keep it on the retire list. */
static int retire(struct ipoib_ah_cache *c, void *ah, uint64_t seq)
{
	struct ah_retired *r;

	if (seq <= c->done_seq) {
		c->free_fn(c->arg, ah);
		return 0;
	}
	if (c->n_ret == c->ret_cap) {
		unsigned int ncap = c->ret_cap ? 2 * c->ret_cap : 16;

		r = realloc(c->ret, ncap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		c->ret = r;
		c->ret_cap = ncap;
	}
	c->ret[c->n_ret].ah = ah;
	c->ret[c->n_ret].seq = seq;
	c->n_ret++;
	return 0;
}

/* Take entry @i out of the hash chain, the LRU list and the cache. */
static int evict(struct ipoib_ah_cache *c, uint32_t i)
{
	struct ah_entry *e = &c->e[i];
	uint32_t *pp = &c->bucket[key_hash(&e->key) & c->mask];
	int ret;

	ret = retire(c, e->ah, e->seq);
	if (ret)
		return ret;
	while (*pp != i)
		pp = &c->e[*pp].hnext;
	*pp = e->hnext;
	lru_unlink(c, i);
	e->ah = NULL;
	e->hnext = c->free;
	c->free = i;
	c->n--;
	c->evictions++;
	return 0;
}

int ipoib_ah_cache_put(struct ipoib_ah_cache *c, const struct ipoib_ah_key *key,
		       void *ah, uint64_t seq)
{
	struct ah_entry *e;
	uint32_t i, b;
	int ret;

	if (find(c, key) != NIL)
		return -EEXIST;
	if (c->free == NIL) {
		ret = evict(c, c->tail);
		if (ret)
			return ret;
	}
	i = c->free;
	e = &c->e[i];
	c->free = e->hnext;
	e->key = *key;
	if (!key->global)
		memset(e->key.dgid.raw, 0, IPOIB_GID_LEN);
	e->ah = ah;
	e->seq = seq;
	b = key_hash(key) & c->mask;
	e->hnext = c->bucket[b];
	c->bucket[b] = i;
	lru_push_head(c, i);
	c->n++;
	return 0;
}

unsigned int ipoib_ah_cache_reap(struct ipoib_ah_cache *c, uint64_t done_seq)
{
	unsigned int i, n = 0, freed = 0;

	if (done_seq > c->done_seq)
		c->done_seq = done_seq;
	for (i = 0; i < c->n_ret; i++) {
		if (c->ret[i].seq <= c->done_seq) {
			c->free_fn(c->arg, c->ret[i].ah);
			freed++;
		} else {
			c->ret[n++] = c->ret[i];
		}
	}
	c->n_ret = n;
	return freed;
}

void ipoib_ah_cache_flush(struct ipoib_ah_cache *c)
{
	while (c->tail != NIL)
		if (evict(c, c->tail))
			break; /* out of memory: the rest stays cached */
}

void ipoib_ah_cache_destroy(struct ipoib_ah_cache *c)
{
	unsigned int i;

	if (!c)
		return;
	for (i = 0; c->e && i < c->cap; i++)
		if (c->e[i].ah)
			c->free_fn(c->arg, c->e[i].ah);
	for (i = 0; i < c->n_ret; i++)
		c->free_fn(c->arg, c->ret[i].ah);
	free(c->ret);
	free(c->bucket);
	free(c->e);
	free(c);
}

void ipoib_ah_cache_stats(const struct ipoib_ah_cache *c,
			  struct ipoib_ah_cache_stats *st)
{
	st->cached = c->n;
	st->retired = c->n_ret;
	st->hits = c->hits;
	st->misses = c->misses;
	st->evictions = c->evictions;
}
