/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Small utilities shared by every component. */
#ifndef FABRIC_UTIL_H
#define FABRIC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <endian.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))

/*
 * util_write_all - write @len bytes of @data to @fd, again after short writes
 * and EINTR. Returns 0 or a negative errno.
 */
int util_write_all(int fd, const void *data, size_t len);

/*
 * util_write_file_atomic - replace @path with @len bytes of @data: written to
 * a temporary file in the same directory, fsync'ed, renamed over @path, and
 * the directory fsync'ed. @mode is the new file's mode.
 * Returns 0 or a negative errno; on error @path is unchanged.
 */
int util_write_file_atomic(const char *path, const void *data, size_t len,
			   unsigned int mode);

/* The largest file util_read_file() reads. */
#define UTIL_READ_FILE_MAX (64u << 20)

/*
 * util_read_file_max - read a whole regular file of at most @max bytes into
 * a NUL-terminated malloc'ed buffer. The file is opened without blocking
 * and checked before anything is read: a FIFO, device, socket or directory
 * gives -ENOTSUP, a file larger than @max -EFBIG (also when it grows while
 * read). Returns 0 and sets *@data / *@len, or a negative errno.
 */
int util_read_file_max(const char *path, size_t max, char **data, size_t *len);

/* util_read_file - util_read_file_max() up to UTIL_READ_FILE_MAX bytes. */
int util_read_file(const char *path, char **data, size_t *len);

/*
 * util_lock_file - take an exclusive flock(2) on @path (created with mode
 * 0644 when missing; never removed, so every locker meets the same inode),
 * waiting up to @timeout_ms for another holder to let go. Lock a stable
 * file beside the one you replace (FILE.lock), not the file itself: an
 * atomic rename gives FILE a new inode. Returns the descriptor that holds
 * the lock (close it to unlock), -ETIMEDOUT, or another negative errno.
 */
int util_lock_file(const char *path, int timeout_ms);

/*
 * util_parse_u64 - parse a whole string as an unsigned number, decimal or
 * 0x-prefixed hex. Returns 0, -EINVAL when it is not a number, -ERANGE when
 * it exceeds @max.
 */
int util_parse_u64(const char *s, uint64_t max, uint64_t *out);

/*
 * util_lookup_id - the uid (@group false) or gid (@group true) of @s, a
 * user or group name on this host or a decimal number. Returns 0, -ENOENT
 * when there is no such name, -EINVAL for a number out of range.
 */
int util_lookup_id(const char *s, bool group, long *id);

/*
 * util_parse_guid - parse a 64-bit GUID: "0x0002c90300a1b2c4" (1..16 hex
 * digits) or "0002:c903:00a1:b2c4". Returns 0 or -EINVAL.
 */
int util_parse_guid(const char *s, uint64_t *guid);

/* util_format_guid - "0x0002c90300a1b2c4" into @buf (at least 19 bytes). */
char *util_format_guid(uint64_t guid, char *buf, size_t len);

/*
 * util_hex_decode - the bytes of hex string @s (an even number of digits;
 * ':' and '.' between bytes are ignored) into *@buf (malloc'ed), their
 * number into *@len. Returns 0, -EINVAL, or -ENOMEM.
 */
int util_hex_decode(const char *s, uint8_t **buf, size_t *len);

/* util_hex_encode - @len bytes as lowercase hex; malloc'ed, NULL on ENOMEM. */
char *util_hex_encode(const void *data, size_t len);

/* util_mkdir_p - create @path and its parents with @mode. 0 or -errno. */
int util_mkdir_p(const char *path, unsigned int mode);

/* util_now_ms - CLOCK_MONOTONIC in milliseconds. */
uint64_t util_now_ms(void);

/* util_strlcpy - bounded copy that always terminates; returns strlen(src). */
size_t util_strlcpy(char *dst, const char *src, size_t size);

/*
 * util_link_name - the link name "<base>.<suffix>" into @out (IFNAMSIZ
 * bytes), @base cut so that the suffix stays whole. Returns @out.
 */
char *util_link_name(char *out, const char *base, const char *suffix);

/* util_edit_distance - Levenshtein distance, for "did you mean" hints. */
unsigned int util_edit_distance(const char *a, const char *b);

/* Big-endian fields of wire formats (MADs, headers) at any alignment. */
static inline void util_put_be16(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void util_put_be64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

static inline uint16_t util_get_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static inline uint32_t util_get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static inline uint64_t util_get_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

#endif /* FABRIC_UTIL_H */
