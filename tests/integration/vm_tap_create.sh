#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Taps that fabricd makes for QEMU (the policy's create: tap): fabricd
# creates them persistent, multi-queue, with the virtio-net header, owned
# by the user nobody and the group nogroup; QEMU, run as nobody (no
# capabilities), opens them with -netdev tap,ifname=...,script=no,queues=2.
# Two such guests (Debian kernel, TCG, virtio-net with default offloads)
# exchange 16 MiB each way over TCP and compare sha256. Then fabricd is
# killed with SIGKILL: the taps (and the VMs) stay, the next fabricd adopts
# them without making them again; a port dropped from the policy takes its
# tap away, on a reload and across another SIGKILL (no leak).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/guests.sh
. tests/lib/offloads.sh

FABRICD=${FABRICD:-$PWD/build/bin/fabricd}
FABRICCTL=$PWD/build/bin/fabricctl
[ "$(id -u)" -eq 0 ] || skip_all "needs root (taps, namespaces)"
tap_need "$FABRICD" "$FABRICCTL" jq setpriv
id nobody >/dev/null 2>&1 || skip_all "no user nobody"
MIB=${VM_GUESTS_MIB:-16}
LIMIT=${VM_GUESTS_TIMEOUT:-400}

P=vt$$
D=$(mktemp -d /tmp/vm_tap_create.XXXXXX)
NS=$P-sw
PIDS=()
cleanup() {
	local p
	guests_stop
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
guests_init "$D"
ip netns add "$NS" || skip_all "cannot create a network namespace"
GUEST_NETNS=$NS GUEST_USER=nobody GUEST_QUEUES=2
ip -n "$NS" link set lo up
GROUP=$(id -gn nobody)

policy() {
	cat <<EOF2
fabric:
  name: vms
partitions:
  - name: tenant-a
    pkey: 0x0021
    members:
      - { all_cas: true, membership: full }
EOF2
	[ $# -gt 0 ] && echo "ports:" || echo "ports: []"
	for g in "$@"; do
		echo "  - { name: $P$g, partition: tenant-a, create: tap," \
			"owner: nobody, group: $GROUP, queues: 2 }"
	done
}
policy a b >"$D/fabric.yaml"
SOCK=$D/ctl.sock
fctl() { "$FABRICCTL" -s "$SOCK" "$@"; }
start_fabricd() {
	ip netns exec "$NS" "$FABRICD" --policy "$D/fabric.yaml" --no-ib \
		--state-dir "$D/state" --ctl-socket "$SOCK" \
		--pid-file "$D/fabricd.pid" --foreground >>"$D/fabricd.log" 2>&1 &
	PIDS+=($!)
	FPID=$!
}
port() { fctl -j port list 2>/dev/null | jq -r ".[] | select(.name==\"$P$1\") | $2"; }
wait_up() {
	for _ in $(seq 50); do
		[ "$(port a .state) $(port b .state)" = "up up" ] && return 0
		sleep 0.1
	done
	return 1
}
link() { ip -n "$NS" -d link show "$P$1" 2>/dev/null; }
sys() { ip netns exec "$NS" cat "/sys/class/net/$P$1/$2" 2>/dev/null; }
# Queues QEMU holds on tap $1: enabled ones (numqueues) and those the guest
# does not use yet (numdisabled: its virtio-net runs one pair per CPU).
queues() {
	link "$1" | awk '{ for (i = 1; i < NF; i++) if ($i ~ /^num(queues|disabled)$/) n += $(i + 1) } END { print n + 0 }'
}

start_fabricd
wait_up
check "fabricd made both taps and switches them" [ $? -eq 0 ]
check "tap a: multi-queue, vnet_hdr, persistent, user nobody group $GROUP" \
	bash -c "ip -n $NS -d link show ${P}a | grep -q 'tun type tap pi off vnet_hdr on multi_queue .*persist on user nobody group $GROUP'"
check_eq "tap a is marked as fabricd's (alias)" fabricd-tap "$(sys a ifalias)"
ifa=$(sys a ifindex) ifb=$(sys b ifindex)

t0=$(date +%s)
guest_start a "${P}a" 52:54:00:12:01:0a fab.ip=10.9.1.1/24 \
	fab.peer=10.9.1.2 fab.mode=xfer fab.mib="$MIB"
guest_start b "${P}b" 52:54:00:12:01:0b fab.ip=10.9.1.2/24 \
	fab.peer=10.9.1.1 fab.mode=xfer fab.mib="$MIB"
guest_wait a "GUEST UP" 120 && guest_wait b "GUEST UP" 60
check "QEMU as nobody opened the taps fabricd made, guests booted" [ $? -eq 0 ] ||
	diag "$(cat "$D"/a.qemu "$D"/b.qemu)"
check_eq "QEMU runs as nobody" nobody \
	"$(ps -o user= -p "${GUEST_PIDS[0]}" | tr -d ' ')"
check_eq "QEMU attached both queues of tap a (numqueues + numdisabled)" 2 \
	"$(queues a)"
diag "tap a: $(link a | grep -o 'numqueues [0-9]* numdisabled [0-9]*')"
ol=$(fctl -j port show "${P}a" | jq -r '.tap_offloads | join(",")')
diag "tap a negotiated by the guest's virtio-net (through QEMU): $ol"
check "port show: the guest negotiated checksum and TSO on its tap" \
	bash -c "[[ '$ol' == tx-checksum,tso4,tso6* ]]"
check_eq "port show's tap offloads are what the kernel says (ethtool -k)" \
	"$(ethtool_offloads "${P}a" "$NS")" "$ol"
check "port show text lists them" bash -c \
	"'$FABRICCTL' -s '$SOCK' port show ${P}a | grep -q 'tap-offloads $ol '"
diag "A and B booted in $(($(date +%s) - t0)) s"
guest_wait a "GUEST DONE" "$LIMIT" && guest_wait b "GUEST DONE" 60
check "both transfers finished within ${LIMIT} s" [ $? -eq 0 ]
guests_check_xfer a b "$MIB"
check_eq "A counted no TCP checksum error" 0 "$(guest_csum_errors a)"
rx_b=$(port a .rx_bytes) rx_p=$(port a .rx_packets)
diag "A's port: $rx_p frames, $rx_b bytes in ($((rx_b / (rx_p ? rx_p : 1))) per frame)"
check "A's offloads at their defaults: TCP came as super-frames (> 3000 B/frame)" \
	[ $((rx_b / (rx_p ? rx_p : 1))) -gt 3000 ]
check_eq "super-frames forwarded whole: no byte copied" 0 \
	"$(fctl -j stats | jq -r .bytes_copied)"

# A crash: the taps and the VMs stay, the next fabricd adopts the taps.
kill -9 "$FPID"
wait "$FPID" 2>/dev/null
check_eq "after SIGKILL the taps stay (the VMs hold them)" "$ifa $ifb" \
	"$(sys a ifindex) $(sys b ifindex)"
start_fabricd
wait_up
check "a new fabricd switches them again" [ $? -eq 0 ]
check_eq "adopted, not made again (same ifindex, QEMU still attached)" \
	"$ifa $ifb 2" "$(sys a ifindex) $(sys b ifindex) $(queues a)"

# b leaves the policy: a reload removes its tap, a is untouched.
policy a >"$D/fabric.yaml"
kill -HUP "$FPID"
for _ in $(seq 30); do [ -z "$(sys b ifindex)" ] && break; sleep 0.1; done
check "tap b removed when its port left the policy (reload)" [ -z "$(sys b ifindex)" ]
check_eq "tap a untouched" "$ifa" "$(sys a ifindex)"

# a leaves the policy while fabricd is dead: the next start removes it.
kill -9 "$FPID"
wait "$FPID" 2>/dev/null
policy >"$D/fabric.yaml"
start_fabricd
for _ in $(seq 30); do [ -z "$(sys a ifindex)" ] && break; sleep 0.1; done
check "no leak after SIGKILL: tap a removed by the next start" [ -z "$(sys a ifindex)" ]

# An interface fabricd did not make is never taken over.
ip -n "$NS" tuntap add "${P}x" mode tap
policy x >"$D/fabric.yaml"
kill -HUP "$FPID"
for _ in $(seq 30); do [ "$(port x .state)" = refused ] && break; sleep 0.1; done
check_eq "a foreign tap of that name is refused, not adopted" refused "$(port x .state)"
check_eq "and left alone (no alias set)" "" "$(sys x ifalias)"
policy >"$D/fabric.yaml"
kill -HUP "$FPID"
sleep 0.5
check "and not removed when the policy drops it" [ -n "$(sys x ifindex)" ]
tap_done
