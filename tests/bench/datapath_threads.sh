#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-threads: fabricd's engine path with one and with two
# forwarding threads (FABRICD_THREADS, docs/HACKING.md "Forwarding
# threads"), XDP fast path off (FABRICD_NO_FASTPATH=1; FABRICD_XDP_COPY=1
# keeps AF_XDP then, docs/fabricd.8): every frame goes
# through the engine. Two independent flows, so that two threads have
# two ports to receive on:
#
#   [ns src] trafgen -> s0 == in0 [ns sw: fabricd] out0 == k0 [ns sink]
#   [ns src] trafgen -> s1 == in1 [ns sw: fabricd] out1 == k1 [ns sink]
#
# The policy lists in0, in1, out0, out1: slots 0..3, so in0 and out0 are
# polled by thread 0, in1 and out1 by thread 1 (slot modulo the threads).
# Each trafgen is pinned to a CPU of its own (CPU 0 and the last CPU);
# fabricd is not pinned. The far side is set as bench-datapath sets it
# (GRO on, tx-checksumming off, printed). 64-byte frames for BENCH_SECONDS
# per run, BENCH_ROUNDS rounds taking turns; the sinks' kernels count what
# arrived; medians shown, and the ratio of two threads to one.
# BENCH_THREADS_KINDS: "xdp" (AF_XDP, default), "afpacket" or both.
#
# No thresholds: numbers are printed, never judged (noisy shared machines).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/bench/lib.sh

SECS=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
KINDS=${BENCH_THREADS_KINDS:-xdp}
FABRICD=$PWD/build/bin/fabricd
FCTL=$PWD/build/bin/fabricctl
P=bth$$
D=$(mktemp -d /tmp/bench-threads.XXXXXX)
PIDS=()
LAST_CPU=$(($(nproc) - 1))

die() {
	echo "bench-threads: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
for t in trafgen taskset jq "$FABRICD" "$FCTL"; do
	command -v "$t" >/dev/null || die "$t missing (make deps; make)"
done

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for p in src sw sink; do ip netns del "$P-$p" 2>/dev/null; done
	rm -rf "$D"
}
trap cleanup EXIT

setup_topology() {
	local i
	bench_netns || die "cannot create namespaces"
	for i in 0 1; do
		ip -n "$P-src" link add "s$i" type veth peer name "in$i" \
			netns "$P-sw"
		ip -n "$P-sink" link add "k$i" type veth peer name "out$i" \
			netns "$P-sw"
		ip -n "$P-src" link set "s$i" address "02:00:00:00:0$i:aa" up
		ip -n "$P-sink" link set "k$i" address "02:00:00:00:0$i:bb" up
		ip -n "$P-sw" link set "in$i" up
		ip -n "$P-sw" link set "out$i" up
		ip netns exec "$P-src" ethtool -K "s$i" gro on tx off >/dev/null
		ip netns exec "$P-sink" ethtool -K "k$i" gro on tx off \
			>/dev/null
	done
}

# Flow $1's 64-byte frame (no FCS), ethertype 0x88b5.
trafgen_cfg() {
	printf '{ 0x02, 0x00, 0x00, 0x00, 0x0%d, 0xbb, ' "$1"
	printf '0x02, 0x00, 0x00, 0x00, 0x0%d, 0xaa, 0x88, 0xb5, ' "$1"
	printf 'fill(0x00, 46) }\n'
}

sinks_rx() {
	ip netns exec "$P-sink" cat /sys/class/net/k0/statistics/rx_packets \
		/sys/class/net/k1/statistics/rx_packets |
		awk '{ s += $1 } END { print s }'
}

# measure: pps delivered to both sinks while both trafgens run SECS s.
measure() {
	local before after i cpu tg=()
	for i in 0 1; do
		trafgen_cfg "$i" >"$D/tg$i.cfg"
		# the sinks announce themselves: no flooding
		ip netns exec "$P-sink" trafgen -o "k$i" -n 3 -q -C \
			"{ 0xff,0xff,0xff,0xff,0xff,0xff, 0x02,0,0,0,0x0$i,0xbb, 0x88,0xb5, fill(0,46) }" \
			>/dev/null 2>&1
	done
	sleep 0.5
	before=$(sinks_rx)
	for i in 0 1; do
		cpu=$((i ? LAST_CPU : 0))
		ip netns exec "$P-src" timeout -s INT "$SECS" taskset -c "$cpu" \
			trafgen -o "s$i" -i "$D/tg$i.cfg" -P 1 -q -C \
			>/dev/null 2>&1 &
		tg+=($!)
	done
	wait "${tg[@]}"
	sleep 0.3
	after=$(sinks_rx)
	echo $(((after - before) / SECS))
}

# start_fabricd KIND THREADS
start_fabricd() {
	bench_fabricd in0 in1 out0 out1 -- FABRICD_NO_FASTPATH=1 \
		FABRICD_XDP_COPY=1 \
		FABRICD_NO_XDP="$([ "$1" = afpacket ] && echo 1)" \
		--- --threads "$2"
	MODE=$("$FCTL" -s "$D/ctl.sock" -j port list |
		jq -r '[.[].mode] | unique | join(",")')
	THREADS=$("$FCTL" -s "$D/ctl.sock" -j stats | jq .threads)
}


# threads_section: the table; a function of its own so that
# tests/bench/datapath.sh can print it too.
threads_section() {
	local kind n round
	declare -A ALL
	echo "bench-threads: $(nproc) CPUs, $(uname -r), load" \
		"$(cut -d' ' -f1-3 /proc/loadavg), ${SECS}s per run, $ROUNDS" \
		"rounds; two flows of 64-byte frames, trafgens on CPU 0 and" \
		"$LAST_CPU, fabricd unpinned, XDP fast path off"
	setup_topology
	for round in $(seq "$ROUNDS"); do
		for kind in $KINDS; do
			for n in 1 2; do
				start_fabricd "$kind" "$n"
				[ "$round" = 1 ] &&
					echo "  $kind, --threads $n: ports $MODE," \
						"$THREADS thread(s) running"
				ALL[$kind,$n]+="$(measure) "
				stop_fabricd
			done
		done
	done
	for kind in $KINDS; do
		for n in 1 2; do
			R[$kind,$n]=$(median <<<"${ALL[$kind,$n]}")
			printf '  %-8s %d thread(s)  %8s Mpps   (pps by round: %s)\n' \
				"$kind" "$n" "$(mpps "${R[$kind,$n]}")" \
				"$(echo ${ALL[$kind,$n]})"
		done
		printf '  %-8s scaling 1 -> 2 threads: %s\n' "$kind" \
			"$(ratio "${R[$kind,2]}" "${R[$kind,1]}")"
	done
}

declare -A R
threads_section
