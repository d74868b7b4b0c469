/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A pcap file writer for captures taken on the datapath: the classic pcap
 * format (a 24-byte file header, then a 16-byte header per record,
 * microsecond timestamps, host byte order as the magic number says).
 *
 * Written here rather than with libpcap's pcap_dump(): that one writes
 * through a stdio FILE from the calling thread, so a slow disk would stall
 * the forwarding thread. Here one thread (the producer, the datapath) puts
 * records into a ring of its own and never blocks: a full ring refuses the
 * record (-ENOBUFS, counted by the caller); another thread (the consumer,
 * the daemon's main loop) writes the ring out with pcapw_flush(). One
 * producer and one consumer at a time; no lock between them.
 *
 * Files are created with mode 0600 (captures hold tenants' traffic).
 */
#ifndef LIB_PCAPW_H
#define LIB_PCAPW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <time.h>

#define PCAPW_LINKTYPE_ETHERNET 1
#define PCAPW_LINKTYPE_IPOIB 242 /* a 40-byte GRH, the IPoIB header... */
#define PCAPW_FILE_HLEN 24
#define PCAPW_REC_HLEN 16
#define PCAPW_SNAPLEN_MAX 65535u
#define PCAPW_RING_DEFAULT (1u << 20) /* bytes buffered per file */

struct pcapw;

/*
 * pcapw_open - create (or truncate) @path, mode 0600, not following a
 * symbolic link, and write the file header for @linktype and @snaplen
 * (1..PCAPW_SNAPLEN_MAX). @ring: bytes buffered between flushes (0:
 * PCAPW_RING_DEFAULT). Returns the writer, or NULL with errno set.
 */
struct pcapw *pcapw_open(const char *path, uint32_t linktype, uint32_t snaplen,
			 size_t ring);

/*
 * pcapw_put - queue one record taken at @ts: the bytes of @iov (@n parts)
 * cut to the writer's snaplen, the record's original length being their
 * sum. Producer side: never blocks, never does I/O. Returns 0, or
 * -ENOBUFS when the ring has no room for it (nothing queued).
 */
int pcapw_put(struct pcapw *w, const struct timespec *ts,
	      const struct iovec *iov, unsigned int n);

/*
 * pcapw_flush - write what is queued to the file. Consumer side. Returns
 * the bytes written (0: nothing queued) or a negative errno (the data stays
 * queued for the next try).
 */
long pcapw_flush(struct pcapw *w);

/* pcapw_pending - bytes queued and not written yet. */
size_t pcapw_pending(const struct pcapw *w);

/* pcapw_close - flush, close the file and free @w; accepts NULL. */
void pcapw_close(struct pcapw *w);

#endif /* LIB_PCAPW_H */
