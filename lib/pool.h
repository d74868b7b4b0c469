/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The packet buffer pool: one contiguous region (2 MiB hugepages when the
 * system has them, else normal pages), cut into fixed-size buffers that each
 * keep headroom in front of the frame for in-place header rewrites. The
 * region is meant to be registered once (ibv_reg_mr, AF_XDP UMEM), so a
 * frame is received and sent from the same buffer.
 *
 * A pool belongs to one thread (the forwarding thread): no locking, unless
 * pool_set_shared() says several threads use it.
 */
#ifndef LIB_POOL_H
#define LIB_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POOL_HEADROOM_DEFAULT 128
#define POOL_BUF_SIZE_DEFAULT 2048
#define POOL_BUF_SIZE_MAX (128u << 10)
#define POOL_IDX_NONE UINT32_MAX

struct pool;

/*
 * Checksum and segmentation offload state of a frame, the fields of the
 * virtio-net header (eth/vnet.h): a partial checksum to complete from
 * @csum_start (frame offset), a GSO super-frame to cut in @gso_size pieces.
 * All zero: a plain frame with a complete checksum.
 */
struct pkt_ol {
	uint8_t flags; /* VNET_F_* */
	uint8_t gso_type; /* VNET_GSO_* */
	uint16_t hdr_len; /* a hint only: guests send their linear length */
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

/*
 * A packet: a reference to a frame in a buffer. Either the buffer comes from
 * a pool (@pool set) or it is borrowed from a port's receive ring (@pool
 * NULL), valid until that port's next rx_burst.
 */
struct pkt {
	uint8_t *data; /* first byte of the frame */
	uint32_t len; /* frame length in bytes */
	uint32_t idx; /* buffer index in @pool, POOL_IDX_NONE when borrowed */
	uint8_t *head; /* start of the buffer: data - head is the headroom */
	struct pool *pool;
	uint16_t in_port; /* engine port slot it came from */
	uint16_t part; /* partition index, set by classification */
	uint16_t tci; /* PCP and DEI of the frame (VID bits 0) */
	uint16_t flags; /* engine scratch */
	struct pkt_ol ol; /* offload state; zero for plain frames */
};

/*
 * pool_create - map a region for @n_bufs buffers of @buf_size bytes each,
 * of which the first @headroom are kept free in front of the frame.
 * @buf_size must be a power of two (AF_XDP chunk rule) and more than
 * @headroom. Returns the pool, or NULL with errno set.
 */
struct pool *pool_create(unsigned int n_bufs, unsigned int buf_size,
			 unsigned int headroom);

/* pool_destroy - unmap the region; accepts NULL. Packets must be freed. */
void pool_destroy(struct pool *p);

/* pool_alloc - take one buffer, data at the headroom, len 0; NULL if empty. */
struct pkt *pool_alloc(struct pool *p);

/*
 * The part of a pool the inline fast path touches; it is the first member
 * of struct pool. Not for use outside pool.[ch].
 */
struct pool_hot {
	uint32_t *free_stack; /* indices of free buffers, top at n_free - 1 */
	unsigned int n_free;
	bool shared; /* pool_set_shared(): take @lock around the stack */
	pthread_mutex_t lock;
};

/*
 * pool_set_shared - from now on several threads allocate and free @p's
 * buffers (and its big pool's): every pool_alloc()/pool_free() takes a
 * lock. Call it before a second thread uses the pool.
 */
void pool_set_shared(struct pool *p);

/* pool_free - return @pkt to its pool; borrowed packets are left alone. */
static inline void pool_free(struct pkt *pkt)
{
	struct pool_hot *h = (struct pool_hot *)pkt->pool;

	if (!h)
		return;
	if (__builtin_expect(h->shared, 0)) {
		pthread_mutex_lock(&h->lock);
		h->free_stack[h->n_free++] = pkt->idx;
		pthread_mutex_unlock(&h->lock);
		return;
	}
	h->free_stack[h->n_free++] = pkt->idx;
}

/*
 * pool_set_big - give @p a companion pool @big of buffers large enough for
 * a GSO super-frame (64 KiB): ports that receive super-frames (taps with the
 * virtio-net header) read into it. pool_big - that pool, or NULL.
 */
void pool_set_big(struct pool *p, struct pool *big);
struct pool *pool_big(const struct pool *p);

/* pool_avail - number of free buffers; pool_size - of all buffers. */
unsigned int pool_avail(const struct pool *p);
unsigned int pool_size(const struct pool *p);

/* pool_region - the whole region and its length, to register it once. */
void *pool_region(const struct pool *p, size_t *len);

/* pool_hugepages - true when the region is backed by hugetlb pages. */
bool pool_hugepages(const struct pool *p);

/* pool_buf_size / pool_headroom - the geometry the pool was made with. */
unsigned int pool_buf_size(const struct pool *p);
unsigned int pool_headroom(const struct pool *p);

/* pool_offset - @pkt's data as an offset into the region (UMEM address). */
uint64_t pool_offset(const struct pool *p, const struct pkt *pkt);

/*
 * pool_pkt_at - the packet whose buffer holds region offset @offset, its
 * data set there with @len bytes (an AF_XDP receive descriptor). The
 * buffer must be allocated. Returns NULL when @offset is outside.
 */
struct pkt *pool_pkt_at(struct pool *p, uint64_t offset, uint32_t len);

/* pool_buf_offset - offset of @pkt's buffer start (AF_XDP fill address). */
uint64_t pool_buf_offset(const struct pool *p, const struct pkt *pkt);

/* pkt_headroom - bytes free in front of the frame. */
static inline unsigned int pkt_headroom(const struct pkt *pkt)
{
	return (unsigned int)(pkt->data - pkt->head);
}

#endif /* LIB_POOL_H */
