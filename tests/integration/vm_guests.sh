#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Real virtual machines on fabricd, attached as a hypervisor attaches them:
# QEMU guests (Debian kernel, TCG, virtio-net with its default offloads:
# checksum offload, TSO, GSO) on taps QEMU opens by name (ip tuntap ...
# vnet_hdr, -netdev tap,ifname=...,vhost=off), which fabricd takes as ports
# of the policy. A and B (tenant-a) exchange 16 MiB each way over TCP and
# compare sha256; C (tenant-b) sits in the same IP subnet and must receive
# none of it. The engine forwards the guests' super-frames whole (no byte
# copied); a tap deleted and made again comes back as a port by itself.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/guests.sh

FABRICD=${FABRICD:-$PWD/build/bin/fabricd}
FABRICCTL=$PWD/build/bin/fabricctl
[ "$(id -u)" -eq 0 ] || skip_all "needs root (taps, namespaces)"
tap_need "$FABRICD" "$FABRICCTL" jq
MIB=${VM_GUESTS_MIB:-16}
LIMIT=${VM_GUESTS_TIMEOUT:-400}

P=vg$$
D=$(mktemp -d /tmp/vm_guests.XXXXXX)
NS=$P-sw
PIDS=()
cleanup() {
	local p
	guests_stop
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
guests_init "$D"
ip netns add "$NS" || skip_all "cannot create a network namespace"
GUEST_NETNS=$NS
ip -n "$NS" link set lo up
for g in a b c; do
	ip -n "$NS" tuntap add "$P$g" mode tap vnet_hdr ||
		skip_all "cannot create a tap"
	ip -n "$NS" link set "$P$g" up
done

cat >"$D/fabric.yaml" <<EOF2
fabric:
  name: vms
partitions:
  - name: tenant-a
    pkey: 0x0021
    vlan: 20
    members:
      - { all_cas: true, membership: full }
  - name: tenant-b
    pkey: 0x0022
    vlan: 30
    members:
      - { all_cas: true, membership: full }
ports:
  - { name: ${P}a, partition: tenant-a, membership: full }
  - { name: ${P}b, partition: tenant-a, membership: full }
  - { name: ${P}c, partition: tenant-b, membership: full }
EOF2
SOCK=$D/ctl.sock
fctl() { "$FABRICCTL" -s "$SOCK" "$@"; }
ip netns exec "$NS" "$FABRICD" --policy "$D/fabric.yaml" --no-ib \
	--state-dir "$D/state" --ctl-socket "$SOCK" \
	--pid-file "$D/fabricd.pid" --foreground >"$D/fabricd.log" 2>&1 &
PIDS+=($!)
port() { fctl -j port list 2>/dev/null | jq -r ".[] | select(.name==\"$P$1\") | $2"; }
for _ in $(seq 50); do [ "$(port c .state)" = up ] && break; sleep 0.1; done
check_eq "the three taps are ports, up" "up up up" \
	"$(echo $(port a .state) $(port b .state) $(port c .state))"
check_eq "taps of VMs run AF_PACKET with the virtio-net header" \
	af_packet+vnet "$(port a .mode)"
check "port show lists the offloads taken whole (tso4, tso6, csum)" \
	bash -c "'$FABRICCTL' -s '$SOCK' port show ${P}a |
		grep -q 'offloads tx-checksum,tso4,tso6'"
check_eq "port show -j: the same offloads" \
	tx-checksum,tso4,tso6,tso-ecn,ufo,uso4,uso6 \
	"$(fctl -j port show "${P}a" | jq -r '.offloads | join(",")')"
fctl port show nosuch 2>/dev/null
check_eq "port show of an unknown port is refused (exit 1)" 1 $?

t0=$(date +%s)
guest_start a "${P}a" 52:54:00:12:00:0a fab.ip=10.9.0.1/24 \
	fab.peer=10.9.0.2 fab.mode=xfer fab.mib="$MIB"
guest_start b "${P}b" 52:54:00:12:00:0b fab.ip=10.9.0.2/24 \
	fab.peer=10.9.0.1 fab.mode=xfer fab.mib="$MIB"
guest_start c "${P}c" 52:54:00:12:00:0c fab.ip=10.9.0.3/24 fab.mode=idle
guest_wait a "GUEST UP" 120 && guest_wait b "GUEST UP" 60
check "guests A and B booted" [ $? -eq 0 ]
diag "A and B booted in $(($(date +%s) - t0)) s"
guest_wait a "GUEST DONE" "$LIMIT" && guest_wait b "GUEST DONE" 60
check "both transfers finished within ${LIMIT} s" [ $? -eq 0 ]
t1=$(date +%s)
guests_check_xfer a b "$MIB"
for g in a b; do
	read -r s e <<<"$(guest_line "$g" SENT-DONE)"
	diag "guest $g: sent in $(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }') s (guest clock)"
done
check_eq "A counted no TCP checksum error" 0 "$(guest_csum_errors a)"
check_eq "B counted no TCP checksum error" 0 "$(guest_csum_errors b)"
diag "wall time for boot + both transfers: $((t1 - t0)) s"

rx_b=$(port a .rx_bytes) rx_p=$(port a .rx_packets)
diag "A's port: $rx_p frames, $rx_b bytes in ($((rx_b / (rx_p ? rx_p : 1))) per frame)"
check "A's TCP came as super-frames (more than 3000 bytes per frame)" \
	[ $((rx_b / (rx_p ? rx_p : 1))) -gt 3000 ]
check_eq "super-frames forwarded whole: no byte copied" 0 \
	"$(fctl -j stats | jq -r .bytes_copied)"
check_eq "nothing segmented in software between the taps" "0 0" \
	"$(echo $(port a .gso_segmented) $(port b .gso_segmented))"
c_tx=$(ip netns exec "$NS" cat "/sys/class/net/${P}c/statistics/tx_bytes")
diag "tenant-b's tap C received $c_tx bytes in all"
check "C (tenant-b, same subnet) received none of it (< 64 KiB in all)" \
	[ "$c_tx" -lt 65536 ]

# The VM of C stops, its tap goes away and comes back (a restart).
kill "${GUEST_PIDS[2]}" 2>/dev/null
ip -n "$NS" link del "${P}c"
for _ in $(seq 30); do [ "$(port c .state)" = absent ] && break; sleep 0.1; done
check_eq "C's tap deleted: its port is absent" absent "$(port c .state)"
ip -n "$NS" tuntap add "${P}c" mode tap vnet_hdr
ip -n "$NS" link set "${P}c" up
for _ in $(seq 50); do [ "$(port c .state)" = up ] && break; sleep 0.1; done
check_eq "C's tap made again: the port is back by itself" up "$(port c .state)"
tap_done
