// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for lib/pcapw: the file header, records cut to the snaplen
 * with their original length, gathered parts, a full ring refusing without
 * blocking, wrap-around, mode 0600. tests/integration/mirror_pcap.sh lets
 * tshark read what fabricd writes with it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/pcapw.h"
#include "lib/util.h"

struct fx {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/test_pcapw.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/cap.pcap", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static uint32_t u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static char *slurp(const char *path, size_t *len)
{
	char *data;

	assert_int_equal(util_read_file(path, &data, len), 0);
	return data;
}

static void test_header_and_records(void **state)
{
	struct fx *f = *state;
	uint8_t a[100], b[50];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct timespec ts = { .tv_sec = 1700000000, .tv_nsec = 123456789 };
	struct pcapw *w;
	struct stat st;
	size_t len;
	char *d;

	memset(a, 0xaa, sizeof(a));
	memset(b, 0xbb, sizeof(b));
	w = pcapw_open(f->path, PCAPW_LINKTYPE_IPOIB, 120, 0);
	assert_non_null(w);
	assert_int_equal(pcapw_put(w, &ts, iov, 2), 0); /* 150 cut to 120 */
	assert_int_equal(pcapw_put(w, &ts, iov + 1, 1), 0); /* 50 whole */
	assert_int_equal(pcapw_pending(w), 2 * 16 + 120 + 50);
	d = slurp(f->path, &len);
	assert_int_equal(len, 24); /* nothing written before a flush */
	free(d);
	assert_int_equal(pcapw_flush(w), 2 * 16 + 120 + 50);
	pcapw_close(w);
	d = slurp(f->path, &len);
	assert_int_equal(len, 24 + 2 * 16 + 120 + 50);
	assert_int_equal(u32(d), 0xa1b2c3d4);
	assert_int_equal(u32(d + 16), 120); /* snaplen */
	assert_int_equal(u32(d + 20), 242);
	assert_int_equal(u32(d + 24), 1700000000);
	assert_int_equal(u32(d + 28), 123456);
	assert_int_equal(u32(d + 32), 120); /* caplen */
	assert_int_equal(u32(d + 36), 150); /* original length */
	assert_int_equal((uint8_t)d[40 + 99], 0xaa);
	assert_int_equal((uint8_t)d[40 + 100], 0xbb); /* gathered */
	assert_int_equal(u32(d + 160 + 8), 50);
	assert_int_equal(u32(d + 160 + 12), 50);
	free(d);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_full_ring_and_wrap(void **state)
{
	struct fx *f = *state;
	uint8_t frame[1000];
	struct iovec iov = { frame, sizeof(frame) };
	struct timespec ts = { 0 };
	unsigned int i, ok = 0, refused = 0, total = 0;
	struct pcapw *w;
	size_t len;
	char *d;

	w = pcapw_open(f->path, PCAPW_LINKTYPE_ETHERNET, 65535, 4096);
	assert_non_null(w);
	for (i = 0; i < 10; i++) {
		int r = pcapw_put(w, &ts, &iov, 1);

		ok += r == 0;
		refused += r == -ENOBUFS;
	}
	assert_int_equal(ok, 4); /* 4 * 1016 fit in 4096, a 5th does not */
	assert_int_equal(refused, 6);
	total += ok;
	/* flush and refill several times: records cross the ring's end */
	for (i = 0; i < 20; i++) {
		frame[0] = (uint8_t)i;
		assert_true(pcapw_flush(w) > 0);
		assert_int_equal(pcapw_put(w, &ts, &iov, 1), 0);
		assert_int_equal(pcapw_put(w, &ts, &iov, 1), 0);
		total += 2;
	}
	pcapw_close(w);
	d = slurp(f->path, &len);
	assert_int_equal(len, 24 + total * (16 + sizeof(frame)));
	/* the last record, after many wraps, is whole */
	assert_int_equal(u32(d + len - 1016 + 8), 1000);
	assert_int_equal((uint8_t)d[len - 1000], 19);
	free(d);
}

static void test_existing_file_and_errors(void **state)
{
	struct fx *f = *state;
	char link[128];
	struct stat st;
	FILE *fp;

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("old contents, world readable", fp);
	fclose(fp);
	chmod(f->path, 0644);
	pcapw_close(pcapw_open(f->path, PCAPW_LINKTYPE_ETHERNET, 100, 0));
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 24);
	errno = 0;
	assert_null(pcapw_open(f->path, PCAPW_LINKTYPE_ETHERNET, 0, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(pcapw_open("/nonexistent/dir/x.pcap", 1, 100, 0));
	assert_int_equal(errno, ENOENT);
	snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	assert_null(pcapw_open(link, 1, 100, 0)); /* not followed */
	assert_int_equal(errno, ELOOP);
	unlink(link);
	pcapw_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header_and_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_ring_and_wrap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_existing_file_and_errors,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
