#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-vm: two real QEMU guests (tests/lib/guests.sh: Debian kernel
# under TCG, virtio-net with its default offloads, vhost=off) on taps,
# switched by fabricd (the taps as policy ports) and then, in the same run,
# by the Linux bridge and by Open vSwitch's userspace datapath (netdev,
# its taps on AF_PACKET, userspace TSO on so the guests' super-frames
# pass). Each guest sends BENCH_VM_MIB MiB of random data to the other
# over TCP at the same time (busybox nc); the rate is the data over the
# send time on the guest's clock. Then A sends 64-byte UDP frames to B for
# BENCH_VM_UDP seconds (tests/bench/udpblast.c); the rate is what B
# received over the time from its first to its last datagram. Prints
# MB/s per direction, the 64-byte rate, the ratios fabricd / bridge and
# fabricd / OVS, and the bytes fabricd copied per forwarded byte.
#
# No thresholds: numbers are printed, never judged (noisy shared machines,
# and TCG guests are the bottleneck, not the switch).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/guests.sh

MIB=${BENCH_VM_MIB:-32}
UDP=${BENCH_VM_UDP:-5}
GUEST_MEM=$((128 + 3 * MIB))
FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl
P=bvm$$
D=$(mktemp -d /tmp/bench-vm.XXXXXX)
NS=$P-sw
FPID=""

die() {
	echo "bench-vm: $*" >&2
	exit 1
}
skip_all() { die "$*"; }
[ "$(id -u)" -eq 0 ] || die "needs root (taps, namespaces)"
[ -x "$FABRICD" ] || die "fabricd not built (make)"
[ -x build/tests/udpblast ] || die "build/tests/udpblast not built (make tests)"
cleanup() {
	guests_stop
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null && wait "$FPID" 2>/dev/null
	stop_ovs
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
guests_init "$D"

# pair SWITCH: the two guests on fresh taps, one round; writes "A B" MB/s
# and "PPS" (64-byte UDP A -> B, received) to $D/rate.SWITCH.
pair() {
	local g s e t0
	ip netns add "$NS"
	GUEST_NETNS=$NS
	for g in a b; do
		ip -n "$NS" tuntap add "$P$g" mode tap vnet_hdr
		ip -n "$NS" link set "$P$g" up
	done
	"start_$1"
	rm -f "$D"/[ab].log
	t0=$(date +%s)
	guest_start a "${P}a" 52:54:00:12:01:0a fab.ip=10.9.0.1/24 \
		fab.peer=10.9.0.2 fab.mode=xfer fab.mib="$MIB" fab.udp=send:"$UDP"
	guest_start b "${P}b" 52:54:00:12:01:0b fab.ip=10.9.0.2/24 \
		fab.peer=10.9.0.1 fab.mode=xfer fab.mib="$MIB" fab.udp=recv
	guest_wait a "GUEST DONE" 600 && guest_wait b "GUEST DONE" 120 ||
		die "$1: the transfers did not finish"
	[ "$(guest_line a SENT)" = "$(guest_line b RECV)" ] &&
		[ "$(guest_line b SENT)" = "$(guest_line a RECV)" ] ||
		die "$1: sha256 differ"
	printf -v "T_$1" %s $(($(date +%s) - t0))
	for g in a b; do
		read -r s e <<<"$(guest_line "$g" SENT-DONE)"
		awk -v s="$s" -v e="$e" -v m="$MIB" \
			'BEGIN { printf "%.1f ", m * 1.048576 / (e - s) }'
	done >"$D/rate.$1"
	echo >>"$D/rate.$1"
	read -r n secs <<<"$(guest_line b UDP-RECV)"
	read -r sn ssecs <<<"$(guest_line a UDP-SENT)"
	awk -v n="${n:-0}" -v s="${secs:-0}" -v sn="${sn:-0}" -v ss="${ssecs:-0}" \
		'BEGIN { printf "%.1f %.1f\n", (s > 0 ? n / s / 1000 : 0), (ss > 0 ? sn / ss / 1000 : 0) }' >>"$D/rate.$1"
	"stop_$1"
	guests_stop
	ip netns del "$NS"
}

start_fabricd() {
	cat >"$D/fabric.yaml" <<EOF2
fabric: { name: bench }
partitions:
  - { name: t, pkey: 0x0021, vlan: 20, members: [ { all_cas: true, membership: full } ] }
ports:
  - { name: ${P}a, partition: t, membership: full }
  - { name: ${P}b, partition: t, membership: full }
EOF2
	ip netns exec "$NS" "$FABRICD" --policy "$D/fabric.yaml" --no-ib \
		--state-dir "$D/state" --ctl-socket "$D/ctl.sock" \
		--pid-file "$D/fabricd.pid" --foreground >"$D/fabricd.log" 2>&1 &
	FPID=$!
	sleep 1
}
stop_fabricd() {
	local st
	st=$("$FABRICCTL" -s "$D/ctl.sock" -j stats)
	COPIED=$(jq -r .bytes_copied <<<"$st")
	FWD=$(jq -r '[.ports[].tx_bytes] | add' <<<"$st")
	kill "$FPID"
	wait "$FPID" 2>/dev/null
	FPID=""
}
start_bridge() {
	ip -n "$NS" link add br0 type bridge
	ip -n "$NS" link set "${P}a" master br0
	ip -n "$NS" link set "${P}b" master br0
	ip -n "$NS" link set br0 up
}
stop_bridge() { :; }

# Open vSwitch, userspace datapath only (TESTBED.md), its files in $D/ovs.
OVS_PIDS=()
ovs() { ovs-vsctl --db="unix:$D/ovs/db.sock" "$@"; }
start_ovs() {
	local o=$D/ovs
	mkdir -p "$o"
	export OVS_RUNDIR=$o OVS_LOGDIR=$o OVS_DBDIR=$o
	ovsdb-tool create "$o/conf.db" /usr/share/openvswitch/vswitch.ovsschema ||
		die "ovs: cannot create its database"
	ip netns exec "$NS" ovsdb-server "$o/conf.db" --remote="punix:$o/db.sock" \
		--unixctl="$o/ovsdb.ctl" --pidfile="$o/ovsdb.pid" --detach \
		--log-file="$o/ovsdb.log" -vconsole:off 2>>"$o/start.log" || die "ovs: ovsdb-server did not start"
	ovs --no-wait init
	# the guests' TSO super-frames need OVS's userspace TSO (read at start)
	ovs --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true
	ip netns exec "$NS" ovs-vswitchd "unix:$o/db.sock" --unixctl="$o/vswitchd.ctl" \
		--pidfile="$o/vswitchd.pid" --detach --log-file="$o/vswitchd.log" -vconsole:off 2>>"$o/start.log" ||
		die "ovs: ovs-vswitchd did not start"
	ovs add-br br1 -- set bridge br1 datapath_type=netdev \
		-- add-port br1 "${P}a" -- add-port br1 "${P}b"
	ip -n "$NS" link set br1 up
}
stop_ovs() {
	local f
	for f in "$D"/ovs/vswitchd.pid "$D"/ovs/ovsdb.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	rm -f "$D"/ovs/*.pid
}

command -v ovs-vswitchd >/dev/null || die "openvswitch-switch not installed (make deps)"
echo "bench-vm: 2 QEMU TCG guests, $MIB MiB each way over TCP at once, then 64-byte UDP A -> B for $UDP s"
pair fabricd
pair bridge
pair ovs
row() {
	local a b p sp
	{ read -r a b; read -r p sp; } <"$D/rate.$1"
	printf '%-10s %10s %10s %12s %12s\n' "$1" "$a" "$b" "$p" "$sp"
}
printf '%-10s %10s %10s %12s %12s\n' switch "A->B MB/s" "B->A MB/s" \
	"64B kpps rx" "(A sent)"
row fabricd
row bridge
row ovs
printf '(%s)\n' "guest clock; boot + both transfers + UDP: fabricd ${T_fabricd} s, bridge ${T_bridge} s, ovs ${T_ovs} s wall"
# ratio OTHER: fabricd's TCP (both directions) and 64-byte rate over OTHER's
ratio() {
	local fa fb fp ba bb bp
	{ read -r fa fb; read -r fp _; } <"$D/rate.fabricd"
	{ read -r ba bb; read -r bp _; } <"$D/rate.$1"
	awk -v f="$fa" -v g="$fb" -v a="$ba" -v b="$bb" -v o="$1" \
		'BEGIN { printf "ratio fabricd/%s TCP MB/s (sum of both directions): %.2f\n", o, (f + g) / (a + b) }'
	awk -v f="$fp" -v b="$bp" -v o="$1" \
		'BEGIN { printf "ratio fabricd/%s 64-byte UDP packet rate: %.2f\n", o, (b > 0 ? f / b : 0) }'
}
ratio bridge
ratio ovs
awk -v c="${COPIED:-0}" -v f="${FWD:-0}" \
	'BEGIN { printf "fabricd VM-to-VM: %d bytes copied for %d bytes forwarded (%.4f copied per forwarded byte)\n", c, f, (f ? c / f : 0) }'
