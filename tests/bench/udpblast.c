// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udpblast: the 64-byte UDP packet rate between two guests of make
 * bench-vm (linked statically into the guests' initramfs).
 *
 *   udpblast send ADDR PORT SECONDS   send 18-byte datagrams (a 64-byte
 *                                     frame with the FCS) for SECONDS
 *   udpblast recv PORT WAIT           count datagrams: waits up to WAIT
 *                                     seconds for the first, stops after
 *                                     1 s without any
 *
 * Prints "PACKETS SECONDS": sent (send) or received between the first and
 * the last datagram (recv).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD 18 /* 14 + 20 + 8 + 18 + 4 (FCS) = 64 */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int blast(const char *addr, int port, double secs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	char buf[PAYLOAD] = "fabricd-bench-vm";
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned long n = 0;
	double t0 = now(), t = t0;

	if (s < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		return 1;
	while (t - t0 < secs) {
		int i;

		for (i = 0; i < 256; i++)
			if (send(s, buf, sizeof(buf), 0) == sizeof(buf))
				n++;
		t = now();
	}
	printf("%lu %.3f\n", n, t - t0);
	return 0;
}

static int count(int port, int wait)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = wait };
	int s = socket(AF_INET, SOCK_DGRAM, 0), rcvbuf = 4 << 20;
	unsigned long n = 0;
	double first = 0, last = 0;
	char buf[2048];

	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		return 1;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (recv(s, buf, sizeof(buf), 0) >= 0) {
		last = now();
		if (!n++) {
			first = last;
			tv.tv_sec = 1;
			setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
	}
	printf("%lu %.3f\n", n, last - first);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "send"))
		return blast(argv[2], atoi(argv[3]), atof(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "recv"))
		return count(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: udpblast send ADDR PORT SECONDS | "
			"recv PORT WAIT\n");
	return 2;
}
