// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdpgen IFNAME SIZE SECONDS: sends SIZE-byte frames (no FCS; to
 * 02:00:00:00:00:bb from 02:00:00:00:00:aa, ethertype 0x88b5, as
 * tests/bench/datapath.sh's trafgen frames) out of IFNAME as xdp_frames,
 * for SECONDS seconds, on the calling CPU; prints the frames sent.
 *
 * What a NIC in native XDP mode hands the next hop: the frames are born as
 * xdp_frames in a page pool (BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, running a four-instruction program that
 * redirects to IFNAME), so a veth's peer receives them through
 * ndo_xdp_xmit, without an skb, as xdp-trafficgen does. xdp-tools'
 * xdp-trafficgen is not used because its tracepoint program does not load
 * on this kernel (no xdp_redirect_map_err tracepoint). The program is
 * written as instructions here so the benchmark needs no clang.
 *
 * xdpgen -d IFNAME: the sink's counter: drops every frame arriving on
 * IFNAME with XDP_DROP (native mode) until SIGINT or SIGTERM. xdp-bench
 * drop does not load here either (the same tracepoint).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* r1 = ifindex; r2 = 0; call bpf_redirect; exit */
static int load_redirect(int ifindex)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_1,
		  .imm = ifindex },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpgen", "GPL", prog,
			     sizeof(prog) / sizeof(prog[0]), NULL);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* r0 = XDP_DROP; exit, on @ifname until a signal. */
static int drop_all(const char *ifname)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_0,
		  .imm = XDP_DROP },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = XDP_FLAGS_DRV_MODE);
	int ifindex = (int)if_nametoindex(ifname), fd, link;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpsink", "GPL", prog,
			   sizeof(prog) / sizeof(prog[0]), NULL);
	link = fd < 0 || !ifindex ? -1 :
				    bpf_link_create(fd, ifindex, BPF_XDP, &o);
	if (link < 0) {
		fprintf(stderr, "xdpgen: XDP_DROP on %s: %s\n", ifname,
			ifindex ? strerror(errno) : "no such interface");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("dropping on %s\n", ifname);
	fflush(stdout);
	pause();
	close(link);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t frame[1514] = { 0x02, 0, 0, 0, 0,    0xbb, 0x02,
				       0,    0, 0, 0, 0xaa, 0x88, 0xb5 };
	unsigned long long sent = 0;
	double secs, end;
	int ifindex, size, fd;

	if (argc == 3 && !strcmp(argv[1], "-d"))
		return drop_all(argv[2]);
	if (argc != 4) {
		fprintf(stderr, "usage: xdpgen IFNAME SIZE SECONDS | "
				"xdpgen -d IFNAME\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[1]);
	size = atoi(argv[2]);
	secs = atof(argv[3]);
	if (!ifindex || size < 60 || size > (int)sizeof(frame) || secs <= 0) {
		fprintf(stderr, "xdpgen: bad interface, size or seconds\n");
		return 2;
	}
	fd = load_redirect(ifindex);
	if (fd < 0) {
		fprintf(stderr, "xdpgen: load: %s\n", strerror(errno));
		return 1;
	}
	for (end = now() + secs; now() < end; sent += 1 << 14) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
			    .data_size_in = (uint32_t)size, .repeat = 1 << 14,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (bpf_prog_test_run_opts(fd, &o)) {
			fprintf(stderr, "xdpgen: run: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("%llu\n", sent);
	return 0;
}
