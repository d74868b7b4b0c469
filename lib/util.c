// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int util_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, ret = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return ret;
}

int util_write_file_atomic(const char *path, const void *data, size_t len,
			   unsigned int mode)
{
	size_t tlen = strlen(path) + 16;
	char *tmp = malloc(tlen);
	int fd, ret;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, tlen, "%s.tmpXXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err_free;
	}
	ret = util_write_all(fd, data, len);
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		goto err_unlink;
	free(tmp);
	return fsync_dir_of(path);

err_unlink:
	unlink(tmp);
err_free:
	free(tmp);
	return ret;
}

/* Read up to @max + 1 bytes of @fd, @hint first; -EFBIG beyond @max. */
static int read_bounded(int fd, size_t hint, size_t max, char **data,
			size_t *len)
{
	size_t cap = MIN(MAX(hint + 1, (size_t)4096), max + 1), n = 0;
	char *buf = NULL, *nbuf;
	ssize_t r;

	for (;;) {
		nbuf = realloc(buf, cap + 1);
		if (!nbuf) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n > max)
			break;
		if (n == cap)
			cap = MIN(cap * 2, max + 1);
	}
	if (r < 0 || n > max) {
		free(buf);
		return r < 0 ? -EIO : -EFBIG;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int util_read_file_max(const char *path, size_t max, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	int ret;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = -ENOTSUP;
	else if ((uint64_t)st.st_size > max)
		ret = -EFBIG;
	else
		ret = read_bounded(fd, (size_t)st.st_size, max, data, len);
	close(fd);
	return ret;
}

int util_read_file(const char *path, char **data, size_t *len)
{
	return util_read_file_max(path, UTIL_READ_FILE_MAX, data, len);
}

int util_lock_file(const char *path, int timeout_ms)
{
	uint64_t deadline = util_now_ms() + (uint64_t)MAX(timeout_ms, 0);
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = errno;

		if (err != EWOULDBLOCK && err != EINTR) {
			close(fd);
			return -err;
		}
		if (util_now_ms() >= deadline) {
			close(fd);
			return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
	}
	return fd;
}

int util_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	int base = 10;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -EINVAL;
	/* Decimal or 0x hex; a leading zero never means octal here. */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_hex_digits(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		*v = (*v << 4) | (uint64_t)(isdigit((unsigned char)s[i]) ?
						    s[i] - '0' :
						    (tolower(s[i]) - 'a' + 10));
	}
	return 0;
}

int util_hex_decode(const char *s, uint8_t **buf, size_t *len)
{
	size_t n = 0;
	uint64_t v;

	*buf = malloc(strlen(s) / 2 + 1);
	if (!*buf)
		return -ENOMEM;
	while (*s) {
		if ((*s == ':' || *s == '.') && n) {
			s++;
			continue;
		}
		v = 0;
		if (parse_hex_digits(s, 2, &v) || !s[1]) {
			free(*buf);
			*buf = NULL;
			return -EINVAL;
		}
		(*buf)[n++] = (uint8_t)v;
		s += 2;
	}
	*len = n;
	return 0;
}

char *util_hex_encode(const void *data, size_t len)
{
	const uint8_t *b = data;
	char *hex = malloc(2 * len + 1);
	size_t i;

	if (!hex)
		return NULL;
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	hex[2 * len] = '\0';
	return hex;
}

int util_parse_guid(const char *s, uint64_t *guid)
{
	uint64_t v = 0;
	size_t n;
	int i;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		n = strlen(s + 2);
		if (n < 1 || n > 16 || parse_hex_digits(s + 2, n, &v))
			return -EINVAL;
		*guid = v;
		return 0;
	}
	/* xxxx:xxxx:xxxx:xxxx, as ibstat and the kernel print them */
	if (strlen(s) != 19)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (parse_hex_digits(s + i * 5, 4, &v))
			return -EINVAL;
		if (i < 3 && s[i * 5 + 4] != ':')
			return -EINVAL;
	}
	*guid = v;
	return 0;
}

char *util_format_guid(uint64_t guid, char *buf, size_t len)
{
	snprintf(buf, len, "0x%016llx", (unsigned long long)guid);
	return buf;
}

int util_mkdir_p(const char *path, unsigned int mode)
{
	char *copy = strdup(path);
	char *p;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; !ret; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(copy, mode) && errno != EEXIST)
			ret = -errno;
		*p = c;
		if (!c)
			break;
	}
	free(copy);
	return ret;
}

uint64_t util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

size_t util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

char *util_link_name(char *out, const char *base, const char *suffix)
{
	int room = IFNAMSIZ - 1 - (int)strlen(suffix) - 1;

	snprintf(out, IFNAMSIZ, "%.*s.%s", room, base, suffix);
	return out;
}

unsigned int util_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned int row[64], prev, tmp;

	if (lb >= ARRAY_SIZE(row))
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned int)i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1),
				     prev + (a[i - 1] != b[j - 1]));
			prev = tmp;
		}
	}
	return row[lb];
}

int util_lookup_id(const char *s, bool group, long *id)
{
	char buf[4096];
	uint64_t v;

	if (isdigit((unsigned char)s[0]) &&
	    !util_parse_u64(s, UINT64_MAX, &v)) {
		if (v >= UINT32_MAX || strncmp(s, "0x", 2) == 0)
			return -EINVAL;
		*id = (long)v;
		return 0;
	}
	if (group) {
		struct group gr, *g = NULL;

		getgrnam_r(s, &gr, buf, sizeof(buf), &g);
		if (!g)
			return -ENOENT;
		*id = (long)g->gr_gid;
	} else {
		struct passwd pw, *u = NULL;

		getpwnam_r(s, &pw, buf, sizeof(buf), &u);
		if (!u)
			return -ENOENT;
		*id = (long)u->pw_uid;
	}
	return 0;
}
