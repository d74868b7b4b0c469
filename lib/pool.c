// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Buffer pool: one mmap'ed region, a descriptor array beside it and a LIFO
 * stack of free indices, so the buffer freed last (warm in cache) is the
 * next one handed out.
 */
#include "lib/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "lib/log.h"

LOG_MODULE(pool);

#define HUGE_2M (2u << 20)

struct pool {
	struct pool_hot hot; /* first: pool_free() is inline in pool.h */
	uint8_t *region;
	size_t region_len;
	bool huge;
	unsigned int buf_size;
	unsigned int headroom;
	unsigned int n_bufs;
	struct pkt *descs; /* one descriptor per buffer */
	struct pool *big; /* for super-frames: pool_set_big() */
};

/* Try hugetlb pages first, then normal pages with a THP hint. */
static int map_region(struct pool *p, size_t len)
{
	size_t hlen = (len + HUGE_2M - 1) & ~((size_t)HUGE_2M - 1);
	void *r;

	r = mmap(NULL, hlen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1,
		 0);
	if (r != MAP_FAILED) {
		p->region = r;
		p->region_len = hlen;
		p->huge = true;
		return 0;
	}
	r = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (r == MAP_FAILED)
		return -errno;
	madvise(r, len, MADV_HUGEPAGE);
	p->region = r;
	p->region_len = len;
	p->huge = false;
	return 0;
}

static bool geometry_ok(unsigned int n_bufs, unsigned int buf_size,
			unsigned int headroom)
{
	if (!n_bufs || n_bufs > (1u << 24))
		return false;
	if (buf_size < 256 || buf_size > POOL_BUF_SIZE_MAX ||
	    (buf_size & (buf_size - 1)))
		return false;
	return headroom + 64 <= buf_size;
}

static void init_descs(struct pool *p)
{
	unsigned int i;

	for (i = 0; i < p->n_bufs; i++) {
		struct pkt *d = &p->descs[i];

		d->head = p->region + (size_t)i * p->buf_size;
		d->data = d->head + p->headroom;
		d->idx = i;
		d->pool = p;
		p->hot.free_stack[i] = p->n_bufs - 1 - i;
	}
	p->hot.n_free = p->n_bufs;
}

struct pool *pool_create(unsigned int n_bufs, unsigned int buf_size,
			 unsigned int headroom)
{
	struct pool *p;
	int ret;

	if (!geometry_ok(n_bufs, buf_size, headroom)) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->buf_size = buf_size;
	p->headroom = headroom;
	p->n_bufs = n_bufs;
	p->hot.free_stack = calloc(n_bufs, sizeof(*p->hot.free_stack));
	p->descs = calloc(n_bufs, sizeof(*p->descs));
	if (!p->hot.free_stack || !p->descs)
		goto err_arrays;
	ret = map_region(p, (size_t)n_bufs * buf_size);
	if (ret) {
		errno = -ret;
		goto err_arrays;
	}
	init_descs(p);
	VLOG_DBG("pool: %u x %u bytes, %s pages", n_bufs, buf_size,
		 p->huge ? "huge" : "normal");
	return p;

err_arrays:
	free(p->descs);
	free(p->hot.free_stack);
	free(p);
	return NULL;
}

void pool_destroy(struct pool *p)
{
	if (!p)
		return;
	if (p->hot.shared)
		pthread_mutex_destroy(&p->hot.lock);
	munmap(p->region, p->region_len);
	free(p->descs);
	free(p->hot.free_stack);
	free(p);
}

void pool_set_shared(struct pool *p)
{
	if (!p->hot.shared) {
		pthread_mutex_init(&p->hot.lock, NULL);
		p->hot.shared = true;
	}
	if (p->big)
		pool_set_shared(p->big);
}

/* The top of the free stack, or NULL when empty. */
static struct pkt *pop(struct pool *p)
{
	struct pkt *d = NULL;

	if (p->hot.shared)
		pthread_mutex_lock(&p->hot.lock);
	if (p->hot.n_free)
		d = &p->descs[p->hot.free_stack[--p->hot.n_free]];
	if (p->hot.shared)
		pthread_mutex_unlock(&p->hot.lock);
	return d;
}

struct pkt *pool_alloc(struct pool *p)
{
	struct pkt *d = pop(p);

	if (!d)
		return NULL;
	d->data = d->head + p->headroom;
	d->len = 0;
	d->flags = 0;
	d->ol = (struct pkt_ol){ 0 };
	return d;
}

void pool_set_big(struct pool *p, struct pool *big)
{
	p->big = big;
}

struct pool *pool_big(const struct pool *p)
{
	return p->big;
}

unsigned int pool_avail(const struct pool *p)
{
	struct pool_hot *h = (struct pool_hot *)&p->hot; /* the lock only */
	unsigned int n;

	if (!h->shared)
		return h->n_free;
	pthread_mutex_lock(&h->lock);
	n = h->n_free;
	pthread_mutex_unlock(&h->lock);
	return n;
}

unsigned int pool_size(const struct pool *p)
{
	return p->n_bufs;
}

void *pool_region(const struct pool *p, size_t *len)
{
	if (len)
		*len = p->region_len;
	return p->region;
}

bool pool_hugepages(const struct pool *p)
{
	return p->huge;
}

unsigned int pool_buf_size(const struct pool *p)
{
	return p->buf_size;
}

unsigned int pool_headroom(const struct pool *p)
{
	return p->headroom;
}

uint64_t pool_offset(const struct pool *p, const struct pkt *pkt)
{
	return (uint64_t)(pkt->data - p->region);
}

struct pkt *pool_pkt_at(struct pool *p, uint64_t offset, uint32_t len)
{
	uint64_t i = offset / p->buf_size;
	struct pkt *d;

	if (i >= p->n_bufs || offset % p->buf_size + len > p->buf_size)
		return NULL;
	d = &p->descs[i];
	d->data = p->region + offset;
	d->len = len;
	d->flags = 0;
	d->ol = (struct pkt_ol){ 0 };
	return d;
}

uint64_t pool_buf_offset(const struct pool *p, const struct pkt *pkt)
{
	return (uint64_t)(pkt->head - p->region);
}
