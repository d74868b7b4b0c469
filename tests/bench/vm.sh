#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-vm: two real QEMU guests (tests/lib/guests.sh: Debian kernel
# under TCG, virtio-net with its default offloads, vhost=off) on taps,
# switched by fabricd (the taps as policy ports) and then, in the same run,
# by the Linux bridge. Each guest sends BENCH_VM_MIB MiB of random data to
# the other over TCP at the same time (busybox nc); the rate is the data
# over the send time on the guest's clock. Prints MB/s per direction, the
# ratio fabricd / bridge, and the bytes fabricd copied per forwarded byte.
#
# No thresholds: numbers are printed, never judged (noisy shared machines,
# and TCG guests are the bottleneck, not the switch).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/guests.sh

MIB=${BENCH_VM_MIB:-32}
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
cleanup() {
	guests_stop
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null && wait "$FPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
guests_init "$D"

# pair SWITCH: the two guests on fresh taps, one round; writes "A B" MB/s
# to $D/rate.SWITCH.
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
		fab.peer=10.9.0.2 fab.mode=xfer fab.mib="$MIB"
	guest_start b "${P}b" 52:54:00:12:01:0b fab.ip=10.9.0.2/24 \
		fab.peer=10.9.0.1 fab.mode=xfer fab.mib="$MIB"
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

echo "bench-vm: 2 QEMU TCG guests, $MIB MiB each way over TCP at once"
pair fabricd
pair bridge
read -r fa fb <"$D/rate.fabricd"
read -r ba bb <"$D/rate.bridge"
printf '%-10s %12s %12s\n' switch "A->B MB/s" "B->A MB/s"
printf '%-10s %12s %12s\n' fabricd "$fa" "$fb" bridge "$ba" "$bb"
printf '(%s)\n' "guest clock; boot + both transfers: fabricd ${T_fabricd} s, bridge ${T_bridge} s wall"
awk -v fa="$fa" -v fb="$fb" -v ba="$ba" -v bb="$bb" \
	'BEGIN { printf "ratio fabricd/bridge (sum of both directions): %.2f\n", (fa + fb) / (ba + bb) }'
awk -v c="${COPIED:-0}" -v f="${FWD:-0}" \
	'BEGIN { printf "fabricd: %d bytes copied for %d bytes forwarded (%.4f per byte)\n", c, f, f ? c / f : 0 }'
