// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/pcapw.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4

struct pcapw {
	int fd;
	uint32_t snaplen;
	size_t size; /* ring bytes, a power of two */
	uint8_t *ring;
	/* Free-running byte counts: head by the producer, tail by the
	 * consumer; head - tail bytes are queued. */
	_Atomic size_t head;
	_Atomic size_t tail;
};

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_rec_hdr {
	uint32_t sec, usec;
	uint32_t caplen, len;
};

_Static_assert(sizeof(struct pcap_file_hdr) == PCAPW_FILE_HLEN, "pcap");
_Static_assert(sizeof(struct pcap_rec_hdr) == PCAPW_REC_HLEN, "pcap");

static size_t pow2_at_least(size_t n)
{
	size_t p = 4096;

	while (p < n)
		p <<= 1;
	return p;
}

static int write_file_hdr(int fd, uint32_t linktype, uint32_t snaplen)
{
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC_US,
		.major = PCAP_VERSION_MAJOR,
		.minor = PCAP_VERSION_MINOR,
		.snaplen = snaplen,
		.linktype = linktype,
	};

	return util_write_all(fd, &h, sizeof(h));
}

struct pcapw *pcapw_open(const char *path, uint32_t linktype, uint32_t snaplen,
			 size_t ring)
{
	struct pcapw *w;
	int ret;

	if (!snaplen || snaplen > PCAPW_SNAPLEN_MAX) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->snaplen = snaplen;
	w->size = pow2_at_least(ring ? ring : PCAPW_RING_DEFAULT);
	w->ring = malloc(w->size);
	w->fd = open(path,
		     O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (!w->ring || w->fd < 0)
		goto err;
	/* an existing file keeps its mode through O_TRUNC: set ours */
	ret = fchmod(w->fd, 0600);
	if (!ret)
		ret = write_file_hdr(w->fd, linktype, snaplen);
	if (ret) {
		errno = ret < 0 ? -ret : errno;
		goto err;
	}
	return w;
err:
	ret = errno;
	if (w->fd >= 0)
		close(w->fd);
	free(w->ring);
	free(w);
	errno = ret;
	return NULL;
}

/* Copy @len bytes into the ring at free-running offset @at. */
static void ring_copy(struct pcapw *w, size_t at, const void *src, size_t len)
{
	size_t off = at & (w->size - 1), first = w->size - off;

	if (first >= len) {
		memcpy(w->ring + off, src, len);
		return;
	}
	memcpy(w->ring + off, src, first);
	memcpy(w->ring, (const uint8_t *)src + first, len - first);
}

int pcapw_put(struct pcapw *w, const struct timespec *ts,
	      const struct iovec *iov, unsigned int n)
{
	size_t head = atomic_load_explicit(&w->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&w->tail, memory_order_acquire);
	struct pcap_rec_hdr h = { .sec = (uint32_t)ts->tv_sec,
				  .usec = (uint32_t)(ts->tv_nsec / 1000) };
	size_t at, left;
	unsigned int i;

	for (i = 0; i < n; i++)
		h.len += (uint32_t)iov[i].iov_len;
	h.caplen = h.len < w->snaplen ? h.len : w->snaplen;
	if (w->size - (head - tail) < sizeof(h) + h.caplen)
		return -ENOBUFS;
	ring_copy(w, head, &h, sizeof(h));
	at = head + sizeof(h);
	left = h.caplen;
	for (i = 0; i < n && left; i++) {
		size_t part = iov[i].iov_len < left ? iov[i].iov_len : left;

		ring_copy(w, at, iov[i].iov_base, part);
		at += part;
		left -= part;
	}
	atomic_store_explicit(&w->head, at, memory_order_release);
	return 0;
}

long pcapw_flush(struct pcapw *w)
{
	size_t tail = atomic_load_explicit(&w->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&w->head, memory_order_acquire);
	long done = 0;

	while (tail != head) {
		size_t off = tail & (w->size - 1), len = head - tail;
		ssize_t r;

		if (len > w->size - off)
			len = w->size - off; /* up to the ring's end first */
		r = write(w->fd, w->ring + off, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO; /* the rest stays */
		tail += (size_t)r;
		done += r;
		/* a partial write is not written again */
		atomic_store_explicit(&w->tail, tail, memory_order_release);
	}
	return done;
}

size_t pcapw_pending(const struct pcapw *w)
{
	return atomic_load(&((struct pcapw *)w)->head) -
	       atomic_load(&((struct pcapw *)w)->tail);
}

void pcapw_close(struct pcapw *w)
{
	if (!w)
		return;
	pcapw_flush(w);
	close(w->fd);
	free(w->ring);
	free(w);
}
