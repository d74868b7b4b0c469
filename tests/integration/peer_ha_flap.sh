#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# HA flaps on a peer-linked partition, over rdma_rxe in the qemu testbed:
# peer_interop.sh's fabric (h1 200 and h2 100 are ta's gateway group, h3
# is in no group, "ib" is an IPoIB host of ta with the namespace hib
# behind it). The master h1 is stopped (SIGSTOP) until h2 has taken ta
# over; h1 resumes, still master in its own view, and keeps ta; h2 stands
# down (docs/ha.md):
#   flap 1: h1 resumes at once (a guest that stalled for a moment);
#   flap 2: h1's HCA is off the fabric meanwhile (its veth leaves the
#     bridge: it finds nothing waiting when it resumes), and hib and a3,
#     the VM behind the non-gateway h3, meet for the first time (through
#     h2, which alone learns a3).
# After each, without waiting for any entry to age: the VMs reach hib
# (a3 first: hib's own traffic would repair a wrong entry), hib reaches
# them, hib's ARP entry for a3 is h1's, h3 has hib's MAC behind h1. The
# old code failed flap 2: h1 did not know a3, h2 kept hib's MAC on its
# own ipoib port. Also: a3 (behind the non-member h3) captured no frame
# of ethertype 0x88B6 (the group's advertisements and announcements)
# over both flaps, a1 (behind the master) did; and an overflow of the
# peer announcements (300 MACs withdrawn at once) is counted in
# `fabricctl peer list`, stats and the metrics.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

if [ -z "${IN_VM:-}" ]; then
	[ -x build/bin/fabricd ] || skip_all "build/bin/fabricd not built (make)"
	command -v python3 >/dev/null || skip_all "python3 not installed"
	vm_tap -t 500 "$0"
	tap_done
fi

# ---- in the guest ----
W=$(mktemp -d)
PIDS=()
. tests/lib/rxe.sh
cleanup() {
	[ -z "${h1pid:-}" ] || kill -CONT "$h1pid" 2>/dev/null
	[ "${TAP_FAILED:-0}" = 0 ] || for n in h1 h2 h3; do
		$FCTL -s "$W/$n.sock" peer list partition ta | sed "s/^/# $n: /"
	done
	[ "${TAP_FAILED:-0}" = 0 ] ||
		for n in h1 h2 h3 ib; do tail -n 25 "$W/$n.log" | sed "s/^/# $n: /"; done
	kill_pids
	for n in a1 a2 a3 hib; do ip netns del $n 2>/dev/null; done
	for n in h1 h2 h3 ib; do ip link del "up$n" 2>/dev/null; done
	rxe_fabric_del 4
	rm -rf "$W"
}
trap cleanup EXIT

check "four rxe devices on bridge fab" rxe_fabric 4
vm a1 eth0 a1h 10.30.0.1
vm a2 eth0 a2h 10.30.0.2
vm a3 eth0 a3h 10.30.0.3
vm hib eth0 hibh 10.30.0.100

export HV_ENV="FABRICD_NO_XDP=1"
export PEER_GWS="h1:200 h2:100"
export PEER_HA_MS=300 # as peer_interop.sh: no spurious takeover under load
hypervisor h1 rxe1 a1h:ta
hypervisor h2 rxe2 a2h:ta
hypervisor h3 rxe3 a3h:ta
ipoib_host ib rxe4 hibh
h1pid=$(cat "$W/h1.fpid")
check "h1 up" wait_up "$W/h1.sock" rxe1.9001 peer.1001 a1h
check "h2 up" wait_up "$W/h2.sock" rxe2.9001 peer.1001 a2h
check "h3 up" wait_up "$W/h3.sock" rxe3.9001 peer.1001 a3h
check "ib (the IPoIB host) up" wait_up "$W/ib.sock" rxe4.9001 hibh

# wait_states S1 S2: h1 in state S1 and h2 in S2 within 20 s
wait_states() {
	local _
	for _ in $(seq 100); do
		[ "$(ha_state h1)" = "$1" ] && [ "$(ha_state h2)" = "$2" ] &&
			return 0
		sleep 0.2
	done
	return 1
}
check "ta's gateway group: h1 master, h2 backup" wait_states master backup
check "every hypervisor hears the two others in ta" wait_heard 2 h1 h2 h3

neigh_of() { ip -n "$1" -j neigh show "$2" | jq -r '.[0].lladdr // "none"'; }
# fdb_of HV MAC: the port (and the peer's GID) HV's engine has MAC on
fdb_of() {
	$FCTL -s "$W/$1.sock" -j fdb show |
		jq -r --arg m "$2" '.[] | select(.mac == $m) | "\(.port) \(.peer.gid // "-")"'
}
ping_again() { ping_ok "$@" || { sleep 2; ping_ok "$@"; }; }
check "before: hib -> a1" ping_again hib 10.30.0.1
check "before: a1 -> hib" ping_again a1 10.30.0.100
check "before: hib -> a2" ping_again hib 10.30.0.2
check "before: a2 -> hib" ping_again a2 10.30.0.100
h1mac=$(neigh_of hib 10.30.0.1) # h1's address, as hib sees it
hibmac=$(neigh_of a1 10.30.0.100) # the MAC every gateway derives for hib
gid1=$(cat /sys/class/infiniband/rxe1/ports/1/gids/0)
diag "hib sees h1 at $h1mac; the VMs see hib at $hibmac; h1's GID $gid1"
where() {
	diag "$1: hib's MAC at h1: $(fdb_of h1 "$hibmac"), h2: $(fdb_of h2 "$hibmac"), h3: $(fdb_of h3 "$hibmac")"
}
where before

capture_start a3 a3 eth0 0x88B6
capture_start a1 a1 eth0 0x88B6

# stop_h1 [cut]: h1 stops for longer than the master-down interval
# (about 1.1 s at 300 ms adverts), until h2 is master; with "cut", h1's
# HCA is off the fabric meanwhile (its veth leaves the bridge): h1 finds
# nothing waiting when it resumes, as a guest that stalled long enough
# for its receive queue to overflow
stop_h1() {
	local _
	kill -STOP "$h1pid"
	[ -z "${1:-}" ] || ip link set fab1-p nomaster
	for _ in $(seq 100); do [ "$(ha_state h2)" = master ] && break; sleep 0.1; done
	[ "$(ha_state h2)" = master ]
}
# resume_h1: h1 goes on (back on the fabric), still master in its own
# view; h2 hears it and stands down
resume_h1() {
	ip link set fab1-p master fab
	kill -CONT "$h1pid"
	wait_states master backup && sleep 2
}

# flap 1: h1 resumes as soon as h2 has taken over, as a guest that
# stalled for a moment (788 ms in CI): h2's announcements, and their
# repeats with its next peer hello, cross h1's
check "flap 1: h1 stopped, h2 master" stop_h1
check "flap 1: h1 resumed at once: h1 master, h2 backup" resume_h1
where "flap 1"
check "flap 1: a1 -> hib" ping_ok a1 10.30.0.100
check "flap 1: a2 -> hib (behind the standby)" ping_ok a2 10.30.0.100
check_eq "flap 1: h3 has hib's MAC behind h1" "peer.1001 $gid1" \
	"$(fdb_of h3 "$hibmac")"

# flap 2: while h1 stands still, off the fabric, a3 (behind h3) and hib
# meet for the first time: only h2 learns a3, and announces it at its
# QPN. a3 has a static entry for hib (as a VM may): it sends no ARP that
# could teach h1 about it by chance later (its probe of a stale entry)
ip -n a3 neigh replace 10.30.0.100 lladdr "$hibmac" dev eth0 nud permanent
check "flap 2: h1 stopped and cut off, h2 master" stop_h1 cut
check "flap 2: hib -> a3 through h2" ping_again hib 10.30.0.3
during=$(neigh_of hib 10.30.0.3)
diag "flap 2: hib's entry for a3 while h2 is master: $during"
check "flap 2: h1 resumed: h1 master, h2 backup" resume_h1
after=$(neigh_of hib 10.30.0.3)
diag "flap 2: hib's entry for a3 2 s after h1 took ta back: $after"
for h in h1 h2; do
	diag "$h: $($FCTL -s "$W/$h.sock" -j ha show | jq -c '.[] | select(.partition == "ta") | del(.standbys)')"
done
where "flap 2"
# a3 first: hib's own traffic to a3 would repair what is wrong
check "flap 2: a3 -> hib" ping_ok a3 10.30.0.100
check_eq "flap 2: hib's entry for a3 is h1's (h1 announced a3)" "$h1mac" "$after"
check "flap 2: hib -> a3" ping_ok hib 10.30.0.3
check "flap 2: a2 -> hib" ping_ok a2 10.30.0.100
check "flap 2: hib -> a2" ping_ok hib 10.30.0.2

n3=$(capture_stop a3)
n1=$(capture_stop a1)
diag "0x88B6 frames during the flap: $n1 at a1 (behind the master), $n3 at a3"
check "a1's capture saw the master's advertisements (the capture works)" \
	test "${n1:-0}" -gt 0
check_eq "a3 (behind the non-member h3) saw no 0x88B6 frame" 0 "$n3"

# the announcements' overflow, shown: a3 sends from 300 more MACs (h3
# learns them on a3h and announces them), then a3h goes (a VM's vNIC
# deleted): h3 withdraws them all at once, 256 wait at most, the rest is
# counted
ip netns exec a3 python3 -c '
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for i in range(300):
    src = bytes([2, 0x5e, 0x10, 0, i >> 8, i & 255])
    s.send(b"\xff" * 6 + src + struct.pack("!H", 0x88B7) + bytes(46))
'
for _ in $(seq 50); do
	[ "$($FCTL -s "$W/h3.sock" -j fdb show | jq '[.[] | select(.port == "a3h")] | length')" -gt 300 ] && break
	sleep 0.2
done
ip link del a3h
for _ in $(seq 50); do
	ann=$($FCTL -s "$W/h3.sock" -j peer list partition ta | jq -c '.[0].port_ann')
	jq_true '.withdrawn >= 256' <<<"$ann" && break
	sleep 0.2
done
diag "h3's peer list, port_ann: $ann"
$FCTL -s "$W/h3.sock" peer list partition ta | sed 's/^/# h3: /'
check "peer list: h3 withdrew 256 of a3h's MACs and counted the rest as ann_dropped" \
	jq_true '.withdrawn >= 256 and .ann_dropped > 0 and .moved_dropped == 0' <<<"$ann"
check_eq "stats: h3's peer.1001 shows the same ann_dropped" \
	"$(jq .ann_dropped <<<"$ann")" \
	"$($FCTL -s "$W/h3.sock" -j stats | jq '.ports[] | select(.name == "peer.1001") | .peer.ann_dropped')"
check "metrics: fabricd_port_peer_ann_dropped_total of peer.1001" \
	grep -q "^fabricd_port_peer_ann_dropped_total{port=\"peer.1001\".* $(jq .ann_dropped <<<"$ann")\$" \
	<<<"$($FCTL -t 20000 -s "$W/h3.sock" -o prometheus stats)"
check "peer list: h1 and h2 show theirs, no overflow" jq_true \
	'all(.[]; .port_ann.ann_dropped == 0 and .port_ann.moved_dropped == 0)' \
	<<<"$( ($FCTL -s "$W/h1.sock" -j peer list; $FCTL -s "$W/h2.sock" -j peer list) | jq -s add)"
for h in h1 h2; do
	diag "$h's port_ann: $($FCTL -s "$W/$h.sock" -j peer list partition ta | jq -c '.[0].port_ann')"
	grep '|ha|' "$W/$h.log" | tail -n 8 | sed "s/^/# $h: /"
done

vm_guest_done
