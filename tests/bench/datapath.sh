#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-datapath: the same topology for three switches, one after the
# other in one run:
#
#   [ns src] trafgen -> s0 == in0 [ns sw: SWITCH] out0 == k0 [ns sink]
#
# SWITCH is fabricd (--no-ib; two access ports of one partition) with its
# netdev ports on AF_XDP and the XDP fast path (known unicast stays in the
# kernel), on AF_XDP with the fast path off (FABRICD_NO_FASTPATH=1 and
# FABRICD_XDP_COPY=1: without it fabricd takes AF_PACKET there, measured
# faster), on
# AF_PACKET (FABRICD_NO_XDP=1), the Linux bridge, and Open vSwitch's
# userspace datapath (datapath_type=netdev, no kernel module). The far
# side's settings the fast path needs are applied once, for every switch,
# and printed: GRO on the veth ends outside the switch (so that they take
# XDP-redirected frames), and tx-checksumming off there (fabricd takes
# AF_XDP on a veth only when its peer cannot send partial checksums;
# trafgen sends raw, finished frames either way), and GRO on the
# switch's own veth ends (in0, out0), so that every switch's ingress veth
# runs NAPI and takes xdp_frames. Two senders, pinned to CPU 0, each a
# table of its own:
#  - trafgen: skbs from a packet socket's TX ring, as a host's stack makes
#    them; the sink's stack counts what arrives (its veth's rx_packets);
#  - xdpgen (tests/bench/xdpgen.c): xdp_frames, as a NIC's native XDP
#    hands them on (BPF_PROG_TEST_RUN live frames redirected into s0); the
#    sink counts with an XDP_DROP program on k0.
# 64-byte and 1514-byte frames for BENCH_SECONDS each, BENCH_ROUNDS rounds
# taking turns (the median is shown). Prints Mpps, Gb/s (frame bytes, no
# FCS) and fabricd's ratios to both; then the engine core's instructions
# per forwarded packet on a synthetic burst loop (callgrind).
#
# BENCH_PERF=1 adds, in the first round, a 64-byte run of fabricd (fast
# path) and of the bridge with each sender under perf record -a -g, and
# prints where the datapath's CPU went per 1000 frames
# (tests/bench/perf_split.py).
#
# BENCH_THREADED=1 turns threaded NAPI on for all four veth ends (every
# switch) and makes trafgen send with sendto() instead of its TX ring
# (with threaded NAPI the TX ring stalls at about 80 frames/s here).
#
# fabricd also runs with IPFIX export on (docs/ipfix.md) to an nfcapd in
# the switch namespace, sampling 1:1 and 1:100: the forwarding rate of each
# is printed as a ratio against export off (target >= 0.9 at 1:1).
#
# No thresholds: numbers are printed, never judged (noisy shared machines).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/bench/lib.sh

SECS=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3} # the switches take turns; medians are shown
FABRICD=$PWD/build/bin/fabricd
BENCH=$PWD/build/tests/engine-bench
XDPGEN=$PWD/build/tests/xdpgen
THREADED=${BENCH_THREADED:-0}
PERF=${BENCH_PERF:-0}
PROFILES=
P=bdp$$
D=$(mktemp -d /tmp/bench-datapath.XXXXXX)
PIDS=()

die() {
	echo "bench-datapath: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
for t in trafgen taskset jq "$FABRICD" "$BENCH" "$XDPGEN"; do
	command -v "$t" >/dev/null || die "$t missing (make deps; make tests)"
done
[ "$PERF" = 1 ] && ! command -v perf >/dev/null &&
	die "BENCH_PERF=1: perf missing"

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	stop_ovs
	sink_drop off
	for p in src sw sink; do ip netns del "$P-$p" 2>/dev/null; done
	rm -rf "$D"
}
trap cleanup EXIT

# far_of NS DEV: DEV's GRO and tx-checksumming, as ethtool -k says them.
far_of() {
	ip netns exec "$P-$1" ethtool -k "$2" | awk '
		/^generic-receive-offload:/ { g = $2 }
		/^tx-checksumming:/ { t = $2 }
		END { printf "gro %s tx-checksumming %s", g, t }'
}

setup_topology() {
	bench_netns || die "cannot create namespaces"
	ip -n "$P-src" link add s0 type veth peer name in0 netns "$P-sw"
	ip -n "$P-sink" link add k0 type veth peer name out0 netns "$P-sw"
	ip -n "$P-src" link set s0 address 02:00:00:00:00:aa up
	ip -n "$P-sink" link set k0 address 02:00:00:00:00:bb up
	ip -n "$P-sw" link set in0 up
	ip -n "$P-sw" link set out0 up
	ip netns exec "$P-src" ethtool -K s0 gro on tx off >/dev/null
	ip netns exec "$P-sink" ethtool -K k0 gro on tx off >/dev/null
	ip netns exec "$P-sw" ethtool -K in0 gro on >/dev/null
	ip netns exec "$P-sw" ethtool -K out0 gro on >/dev/null
	FAR="s0 $(far_of src s0), k0 $(far_of sink k0)"
	FAR+="; in0 $(far_of sw in0), out0 $(far_of sw out0)"
	threaded src s0
	threaded sink k0
	threaded sw in0
	threaded sw out0
	FAR+="; threaded NAPI $THREADED"
}

# threaded NS DEV: DEV's NAPI in a kernel thread of its own, or not.
threaded() {
	ip netns exec "$P-$1" sh -c \
		"echo $THREADED >/sys/class/net/$2/threaded" 2>/dev/null
}

# sink_drop on|off: XDP_DROP on k0 (the sink counts without a stack).
SINK_PID=
sink_drop() {
	if [ "$1" = on ]; then
		ip netns exec "$P-sink" "$XDPGEN" -d k0 >"$D/sink.log" 2>&1 &
		SINK_PID=$!
		for _ in $(seq 20); do
			grep -q dropping "$D/sink.log" && return 0
			sleep 0.1
		done
		die "xdpgen -d k0 failed: $(cat "$D/sink.log")"
	fi
	[ -n "$SINK_PID" ] || return 0
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
}

# A frame of $1 bytes (no FCS) to the sink, ethertype 0x88b5 (dropped by
# the sink's stack right away, counted by its veth).
trafgen_cfg() {
	printf '{ 0x02, 0x00, 0x00, 0x00, 0x00, 0xbb, '
	printf '0x02, 0x00, 0x00, 0x00, 0x00, 0xaa, 0x88, 0xb5, '
	printf 'fill(0x00, %d) }\n' $(($1 - 14))
}

sink_rx() {
	ip netns exec "$P-sink" cat /sys/class/net/k0/statistics/rx_packets
}

# send SIZE: SENDER sends SIZE-byte frames for SECS seconds on CPU 0.
send() {
	if [ "$SENDER" = xdpgen ]; then
		ip netns exec "$P-src" taskset -c 0 "$XDPGEN" s0 "$1" "$SECS" \
			>/dev/null
		return
	fi
	trafgen_cfg "$1" >"$D/tg.cfg"
	# shellcheck disable=SC2046 # no options, or "-t 0" as two words
	ip netns exec "$P-src" timeout -s INT "$SECS" taskset -c 0 \
		trafgen -o s0 -i "$D/tg.cfg" -P 1 -q -C \
		$([ "$THREADED" = 1 ] && echo -t 0) >/dev/null 2>&1
}

# measure SIZE: pps delivered to the sink while SENDER runs SECS seconds.
measure() {
	local before after
	# the sink announces itself so learning switches stop flooding
	ip netns exec "$P-sink" trafgen -o k0 -n 3 -q -C \
		'{ 0xff,0xff,0xff,0xff,0xff,0xff, 0x02,0,0,0,0,0xbb, 0x88,0xb5, fill(0,46) }' \
		>/dev/null 2>&1
	sleep 0.5
	before=$(sink_rx)
	send "$1"
	sleep 0.3
	after=$(sink_rx)
	echo $(((after - before) / SECS))
}

start_fabricd() {
	FD_CPU=1 bench_fabricd in0 out0 -- FABRICD_NO_XDP="$1" \
		FABRICD_NO_FASTPATH="${2:-}" FABRICD_XDP_COPY="${2:-}"
	MODE=$("$PWD/build/bin/fabricctl" -s "$D/ctl.sock" -j port list |
		jq -r '[.[] | .mode + (if .fast_path then "+fast" else "" end)] |
			unique | join(",")')
}

# flow_export N: fabricd (started) exports to an nfcapd, sampling 1:N.
flow_export() {
	local port=$((20000 + $$ % 20000))
	mkdir -p "$D/nf"
	ip netns exec "$P-sw" nfcapd -b 127.0.0.1 -p "$port" -w "$D/nf" \
		-t 3600 >/dev/null 2>&1 &
	NF_PID=$!
	PIDS+=($NF_PID)
	"$PWD/build/bin/fabricctl" -s "$D/ctl.sock" flow export \
		"127.0.0.1:$port" sampling "$1" >/dev/null
}

stop_flow_export() {
	EXPORTED=$("$PWD/build/bin/fabricctl" -s "$D/ctl.sock" -j flow show |
		jq '"\(.cache.created) flows, \(.exported) records exported"')
	kill "$NF_PID" 2>/dev/null
	wait "$NF_PID" 2>/dev/null
}

start_bridge() {
	ip -n "$P-sw" link add br0 type bridge
	ip -n "$P-sw" link set in0 master br0
	ip -n "$P-sw" link set out0 master br0
	ip -n "$P-sw" link set br0 up
}

stop_bridge() {
	ip -n "$P-sw" link del br0
}

OVS_UP=0
start_ovs() {
	export OVS_RUNDIR=$D/ovs OVS_LOGDIR=$D/ovs OVS_DBDIR=$D/ovs
	rm -rf "$D/ovs"
	mkdir -p "$D/ovs"
	ovsdb-tool create "$D/ovs/conf.db" \
		/usr/share/openvswitch/vswitch.ovsschema || return 1
	ovsdb-server "$D/ovs/conf.db" --remote=punix:"$D/ovs/db.sock" \
		--unixctl="$D/ovs/ovsdb.ctl" --pidfile="$D/ovs/ovsdb.pid" \
		--log-file="$D/ovs/ovsdb.log" --detach 2>/dev/null || return 1
	OVS_UP=1
	ip netns exec "$P-sw" taskset -c 1 ovs-vswitchd unix:"$D/ovs/db.sock" \
		--unixctl="$D/ovs/vswitchd.ctl" --pidfile="$D/ovs/vswitchd.pid" \
		--log-file="$D/ovs/vswitchd.log" --detach 2>/dev/null || return 1
	ovs-vsctl --db=unix:"$D/ovs/db.sock" add-br br1 -- set bridge br1 \
		datapath_type=netdev -- add-port br1 in0 -- add-port br1 out0 ||
		return 1
	sleep 2
}

stop_ovs() {
	[ "$OVS_UP" = 1 ] || return 0
	local f pid
	for f in vswitchd ovsdb; do
		[ -f "$D/ovs/$f.pid" ] || continue
		pid=$(cat "$D/ovs/$f.pid")
		kill "$pid" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	done
	OVS_UP=0
}

gbps() { awk -v p="$1" -v s="$2" 'BEGIN { printf "%.3f", p * s * 8 / 1e9 }'; }

declare -A R ALL
# run_switch NAME [trafgen]: one round of both sizes with each sender (or
# trafgen only); ALL[SENDER/NAME,SIZE] collects rounds.
run_switch() {
	local name=$1 size
	for SENDER in ${2:-trafgen xdpgen}; do
		[ "$SENDER" = xdpgen ] && sink_drop on
		for size in 64 1514; do
			ALL[$SENDER/$name,$size]+="$(measure "$size") "
		done
		[ "$PERF" = 1 ] && [ "$round" = 1 ] && [ "$SECS" -ge 5 ] &&
			[[ $name == fabricd || $name == linux-bridge ]] &&
			profile "$SENDER/$name"
		sink_drop off
	done
}

# profile TAG: a 64-byte run of SENDER with 3 s of it under perf; adds
# where the CPU went to PROFILES.
profile() {
	local f=$D/perf.${1//\//.} n0 n1 sp
	send 64 &
	sp=$!
	sleep 1
	n0=$(sink_rx)
	perf record -q -a -g -o "$f" -- sleep 3 >/dev/null 2>&1
	n1=$(sink_rx)
	wait "$sp"
	PROFILES+="  $1, 64 B: $(perf script -i "$f" -F comm,pid,tid,ip,sym \
		2>/dev/null | python3 tests/bench/perf_split.py $((n1 - n0)))"
	PROFILES+=$'\n'
}

one_round() {
	start_fabricd ""
	[ "$1" = 1 ] && echo "  fabricd ports: $MODE"
	run_switch fabricd
	"$PWD/build/bin/fabricctl" -s "$D/ctl.sock" -j stats >"$D/fast.json" \
		2>/dev/null
	COPIED=$(jq .bytes_copied "$D/fast.json" 2>/dev/null)
	IN_KERNEL=$(jq '.xdp.rx_packets' "$D/fast.json" 2>/dev/null)
	TO_ENGINE=$(jq '[.xdp.to_engine[]] | add' "$D/fast.json" 2>/dev/null)
	stop_fabricd
	start_fabricd "" 1
	[ "$1" = 1 ] && echo "  fabricd-xdp-slow ports: $MODE"
	run_switch fabricd-xdp-slow
	stop_fabricd
	if [ "$HAVE_NFCAPD" = 1 ]; then
		for n in 1 100; do
			start_fabricd ""
			flow_export "$n"
			run_switch "fabricd-ipfix-1:$n" trafgen
			stop_flow_export
			[ "$1" = 1 ] && echo "  fabricd-ipfix-1:$n: $EXPORTED"
			stop_fabricd
		done
	fi
	start_fabricd 1
	[ "$1" = 1 ] && echo "  fabricd-afpacket ports: $MODE"
	run_switch fabricd-afpacket
	stop_fabricd
	start_bridge
	run_switch linux-bridge
	stop_bridge
	if [ "$HAVE_OVS" = 1 ] && start_ovs; then
		run_switch ovs-netdev
		stop_ovs
	else
		HAVE_OVS=0
	fi
}

echo "bench-datapath: $(nproc) CPUs, $(uname -r), ${SECS}s per run," \
	"$ROUNDS rounds; the sender on CPU 0, the switch on CPU 1"
echo "  uptime:$(uptime)"
echo "  (64 B: 60-byte frames + FCS; 1514 B: a full 1500-byte MTU;" \
	"median of the rounds)"
setup_topology
echo "  settings, for every switch: $FAR"
echo "  (fabricd: AF_XDP + XDP fast path; fabricd-xdp-slow: AF_XDP, fast" \
	"path off; fabricd-afpacket: AF_PACKET)"
HAVE_OVS=0
command -v ovs-vswitchd >/dev/null && HAVE_OVS=1
HAVE_NFCAPD=0
command -v nfcapd >/dev/null && HAVE_NFCAPD=1
for round in $(seq "$ROUNDS"); do
	one_round "$round"
done
[ "$HAVE_OVS" = 1 ] ||
	echo "  ovs-netdev: not run (openvswitch-switch missing or failed)"
[ "$HAVE_NFCAPD" = 1 ] ||
	echo "  fabricd-ipfix: not run (nfcapd missing: make deps)"

# table SENDER: the medians, then fabricd's ratios.
table() {
	local snd=$1 name size k
	for name in fabricd fabricd-xdp-slow fabricd-ipfix-1:1 \
		fabricd-ipfix-1:100 fabricd-afpacket linux-bridge ovs-netdev; do
		for size in 64 1514; do
			k=$snd/$name,$size
			R[$k]=$(median <<<"${ALL[$k]:-}")
			[ -n "${ALL[$k]:-}" ] || continue
			printf '  %-19s %5d B  %8s Mpps  %7s Gb/s   (pps by round: %s)\n' \
				"$name" "$size" "$(mpps "${R[$k]}")" \
				"$(gbps "${R[$k]}" "$size")" "$(echo ${ALL[$k]})"
		done
	done
	for size in 64 1514; do
		printf '  %5d B: fabricd / linux-bridge %s, fabricd / ovs-netdev %s' \
			"$size" "$(r2 "$snd" fabricd linux-bridge "$size")" \
			"$(r2 "$snd" fabricd ovs-netdev "$size")"
		printf '\n         fast path off: %s, %s; AF_PACKET: %s, %s\n' \
			"$(r2 "$snd" fabricd-xdp-slow linux-bridge "$size")" \
			"$(r2 "$snd" fabricd-xdp-slow ovs-netdev "$size")" \
			"$(r2 "$snd" fabricd-afpacket linux-bridge "$size")" \
			"$(r2 "$snd" fabricd-afpacket ovs-netdev "$size")"
	done
}

# r2 SENDER A B SIZE: A's median over B's.
r2() { ratio "${R[$1/$2,$4]:-0}" "${R[$1/$3,$4]:-0}"; }

echo
echo "  sender trafgen (skbs from a packet socket; the sink's stack counts):"
table trafgen
echo
echo "  sender xdpgen (xdp_frames, as a NIC's native XDP hands them on;" \
	"the sink counts with XDP_DROP):"
table xdpgen
echo
echo "  targets (fast path): 64 B >= 2x bridge; 1514 B >= 1.5x bridge;" \
	">= 3x OVS"
echo "  fabricd (fast path), last round: ${IN_KERNEL:-?} frames forwarded" \
	"in the kernel, ${TO_ENGINE:-?} to the engine;" \
	"payload bytes copied in user space: ${COPIED:-?}"
echo "  fabricd AF_XDP (fast path off) / AF_PACKET, the port mode on" \
	"copy-only interfaces: $(r2 trafgen fabricd-xdp-slow fabricd-afpacket 64)" \
	"at 64 B, $(r2 trafgen fabricd-xdp-slow fabricd-afpacket 1514) at 1514 B" \
	"(trafgen); $(r2 xdpgen fabricd-xdp-slow fabricd-afpacket 64)," \
	"$(r2 xdpgen fabricd-xdp-slow fabricd-afpacket 1514) (xdpgen)"
for size in 64 1514; do
	printf '  %5d B: IPFIX export on / off: 1:1 %s, 1:100 %s\n' "$size" \
		"$(r2 trafgen fabricd-ipfix-1:1 fabricd-xdp-slow "$size")" \
		"$(r2 trafgen fabricd-ipfix-1:100 fabricd-xdp-slow "$size")"
done
echo "  target: IPFIX export 1:1 >= 0.9x of export off (export observes in the" \
	"engine: the fast path is off while it runs, so off = fabricd-xdp-slow)"
echo "  uptime at the end:$(uptime)"
if [ -n "$PROFILES" ]; then
	echo
	echo "  where the datapath's CPU went (perf record -a -g; samples of the" \
		"senders, softirq and NAPI threads per 1000 frames at the sink):"
	printf '%s' "$PROFILES"
fi

# ipp SCENARIO [SAMPLING]: the engine core's instructions per packet.
ipp() {
	local n=2000 tag=$1${2:+.f$2} ir
	valgrind --tool=callgrind --callgrind-out-file="$D/cg.$tag" \
		--toggle-collect=ecore_process "$BENCH" $n "$@" \
		>/dev/null 2>"$D/cg.$tag.log"
	ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$D/cg.$tag.log")
	awk -v i="${ir:-0}" -v n=$((n * 32)) 'BEGIN { printf "%.0f", i / n }'
}

echo
if command -v valgrind >/dev/null; then
	for sc in access trunk; do
		printf '  engine core, access -> %-6s %s instructions/packet\n' \
			"$sc:" "$(ipp $sc)"
	done
	echo "  (callgrind, bursts of 32 learned-unicast frames; target < 200)"
	for smp in 1 100; do
		printf '  engine core, access with IPFIX 1:%-3s %s instructions/packet\n' \
			"$smp" "$(ipp access $smp)"
	done
else
	echo "  valgrind missing: no instruction count (make deps)"
fi
