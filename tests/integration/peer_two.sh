#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Peer links over rdma_rxe in the qemu testbed: two fabricd "hypervisors",
# h1 on rxe0 and h2 on rxe1 (the two ends of a veth pair), each with one VM
# (a namespace) in each of two partitions with `peer: true`, all four VMs
# in one IP subnet:
#
#   a1 (ta, .1) --a1h-- [h1] ==rxe0 peer links rxe1== [h2] --a2h-- a2 (ta, .2)
#   b1 (tb, .11) --b1h- [h1]                          [h2] --b2h- b2 (tb, .12)
#
# Checks: ping and a 1 MiB TCP transfer (over the peers' RC connection) (SHA-256) between a1 and a2 both
# ways; ARP gives each VM the other's own MAC; broadcasts of a non-IP
# ethertype and DHCP-like ones (UDP to 255.255.255.255:67) from a1 reach
# a2 and nothing of ta reaches b1 or b2 (captures: zero frames); tb's VMs reach each other, not ta's; the
# ipoib ports translate nothing (peer links only); `fabricctl peer list`
# and `fdb show` name the remote peer (GID, QPN).
#
# The hypervisors run their VM ports on AF_PACKET (FABRICD_NO_XDP=1),
# which carries the virtio-net header, so the VMs keep their offloads: their
# TSO super-frames cross whole over RC (peer_rc.sh checks that).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main 400 build/bin/fabricd

# ---- in the guest ----
. tests/lib/rxe.sh
trap peer_pair_cleanup EXIT

peer_pair_setup
check "h1: ipoib and peer ports of ta and tb up" \
	wait_up "$W/h1.sock" rxe0.9001 rxe0.9002 peer.1001 peer.1002 a1h b1h
check "h2: ipoib and peer ports of ta and tb up" \
	wait_up "$W/h2.sock" rxe1.9001 rxe1.9002 peer.1001 peer.1002 a2h b2h
pl=$($FCTL -s "$W/h1.sock" -j port list)
check_eq "port list: peer.1001 is kind peer, peer-rc, access port of ta" \
	"peer peer-rc access ta" \
	"$(jq -r '.[] | select(.name == "peer.1001") | "\(.kind) \(.mode) \(.role) \(.partition)"' <<<"$pl")"
sed 's/^/# h1: /' "$W/h1.log"
check "h1 joined fabricd's group of ta (ff12:88b5:9001::88b5:1), logged" \
	grep -q "rxe0.9001: fabricd's group ff12:88b5:9001:0000:0000:0000:88b5:0001" \
	"$W/h1.log"
check "h2's rxe1 listens to ff12:88b5:9001::88b5:1 on veth1 (RoCE v2)" \
	bash -c "ip -6 maddr show dev veth1 | grep -q 'ff12:88b5:9001::88b5:1'"

b1_rx0=$(rx_count b1 eth0)
b2_rx0=$(rx_count b2 eth0)
check "ta: ping a1 -> a2 across the hypervisors" ping_ok a1 10.30.0.2
check "ta: ping a2 -> a1" ping_ok a2 10.30.0.1
check_eq "ta: a1 resolved a2 to a2's own MAC" "$(mac_of a2 eth0)" \
	"$(ip -n a1 -j neigh show 10.30.0.2 | jq -r '.[0].lladdr')"
check_eq "ta: a2 resolved a1 to a1's own MAC" "$(mac_of a1 eth0)" \
	"$(ip -n a2 -j neigh show 10.30.0.1 | jq -r '.[0].lladdr')"
check "ta: TCP 1 MiB a1 -> a2 (SHA-256)" tcp_transfer a1 a2 10.30.0.2
check "ta: TCP 1 MiB a2 -> a1 (SHA-256)" tcp_transfer a2 a1 10.30.0.1
sw=$($FCTL -s "$W/h1.sock" -j port show peer.1001 |
	jq -r '"\(.gso_segmented) \(.csum_completed)"')
diag "h1's peer.1001: super-frames cut, checksums completed: $sw"

# a non-IP ethertype, broadcast: the partition's VMs elsewhere, no other
capture_start a2 a2 eth0 0x88b7
capture_start b1 b1 eth0 0x88b7
capture_start b2 b2 eth0 0x88b7
send_raw a1 eth0 0x88b7 5
sleep 1
check_eq "ta: 5 broadcasts of ethertype 0x88b7 from a1 reached a2" 5 \
	"$(capture_stop a2)"
check_eq "tb: b1 (same hypervisor) captured none of them" 0 \
	"$(capture_stop b1)"
check_eq "tb: b2 (other hypervisor) captured none of them" 0 \
	"$(capture_stop b2)"
# a DHCP-like broadcast (UDP to 255.255.255.255:67): the same
capture_start a2 a2 eth0 0x0800
capture_start b1 b1 eth0 0x0800
capture_start b2 b2 eth0 0x0800
send_dhcp_like a1 eth0 4
sleep 1
check_eq "ta: 4 DHCP-like broadcasts from a1 reached a2" 4 "$(capture_stop a2)"
check_eq "tb: b1 captured no IPv4 of them" 0 "$(capture_stop b1)"
check_eq "tb: b2 captured no IPv4 of them" 0 "$(capture_stop b2)"
check_eq "tb: b1 received nothing of ta at all" "$b1_rx0" \
	"$(rx_count b1 eth0)"
check_eq "tb: b2 received nothing of ta at all" "$b2_rx0" \
	"$(rx_count b2 eth0)"
check "tb: b1 reaches b2 across the hypervisors" ping_ok b1 10.30.0.12
check "tb: b1 cannot reach ta's a2 (same subnet)" ping_fails b1 10.30.0.2
check "tb: a1 cannot reach tb's b2" ping_fails a1 10.30.0.12

# what h1 knows of h2: the peer (its ta QP), a2's MAC behind it
qpn_of() { sed -n "s/.*$2: QPN \(0x[0-9a-f]*\).*/\1/p" "$W/$1.log"; }
gid1=$(cat /sys/class/infiniband/rxe1/ports/1/gids/0)
pl=$($FCTL -s "$W/h1.sock" -j peer list partition ta)
diag "h1 peer list partition ta: $(jq -c . <<<"$pl")"
check_eq "peer list partition ta on h1: one peer" 1 "$(jq length <<<"$pl")"
check_eq "peer list: the peer is h2's ta QP" "$(qpn_of h2 rxe1.9001)" \
	"$(printf '0x%06x' "$(jq -r '.[0].qpn' <<<"$pl")")"
check_eq "peer list: GID of rxe1, port peer.1001, partition ta" \
	"$gid1 peer.1001 ta" \
	"$(jq -r '.[0] | "\(.gid) \(.port) \(.partition)"' <<<"$pl")"
check_eq "peer list: one MAC behind it (a2's)" 1 "$(jq -r '.[0].macs' <<<"$pl")"
check "peer list: frames received from it" \
	test "$(jq -r '.[0].rx_packets' <<<"$pl")" -gt 0
check "peer list: unicast sent to it" \
	test "$(jq -r '.[0].tx_packets' <<<"$pl")" -gt 0
check_eq "peer list partition tb on h1: h2's tb QP" "$(qpn_of h2 rxe1.9002)" \
	"$(printf '0x%06x' "$($FCTL -s "$W/h1.sock" -j peer list partition tb | jq -r '.[0].qpn')")"
check "peer list text names the QPN" \
	bash -c "$FCTL -s $W/h1.sock peer list | grep -q 'qpn $(qpn_of h2 rxe1.9001)'"
fdb=$($FCTL -s "$W/h1.sock" -j fdb show partition ta)
diag "h1 fdb show partition ta: $(jq -c . <<<"$fdb")"
a2mac=$(mac_of a2 eth0)
check_eq "fdb show: a2's MAC on peer.1001, behind h2's ta QP and rxe1's GID" \
	"peer.1001 $(qpn_of h2 rxe1.9001) $gid1" \
	"$(jq -r ".[] | select(.mac == \"$a2mac\") | \"\(.port) \(.peer.qpn) \(.peer.gid)\"" <<<"$fdb" |
		awk '{ printf "%s 0x%06x %s", $1, $2, $3 }')"
check_eq "fdb show: a1's MAC is local (no peer)" "a1h null" \
	"$(jq -r ".[] | select(.mac == \"$(mac_of a1 eth0)\") | \"\(.port) \(.peer)\"" <<<"$fdb")"
check_eq "the engine may learn 4096 MACs on peer.1001 (the peer table's limit)" \
	4096 "$($FCTL -s "$W/h1.sock" -j port show peer.1001 | jq -r .fdb.limit)"
check "fdb show text names the peer" \
	bash -c "$FCTL -s $W/h1.sock fdb show | grep $a2mac | grep -q 'peer $gid1'"

st=$(python3 tests/bench/ipoib/ctl.py "$W/h2.sock" ipoib/stats | jq .ipoib)
diag "h2 ipoib stats: $(jq -c . <<<"$st")"
check "h2's ta ipoib port handed peer frames to the peer port" \
	test "$(jq -r '."rxe1.9001".rx_proto' <<<"$st")" -gt 0
check "h2's ta ipoib port sent peer frames" \
	test "$(jq -r '."rxe1.9001".tx_proto' <<<"$st")" -gt 0
check_eq "h2's ta ipoib port sent nothing but peer frames" \
	"$(jq -r '."rxe1.9001".tx_proto' <<<"$st")" \
	"$(jq -r '."rxe1.9001".tx_packets' <<<"$st")"
check_eq "no send or receive errors on h2's ta ipoib port" "0 0" \
	"$(jq -r '."rxe1.9001" | "\(.tx_wc_errors) \(.rx_wc_errors)"' <<<"$st")"
# the TCP transfers went over the peers' RC connection (ipoib/peer_rc.h,
# tests/integration/peer_rc.sh): the UD QP carried hellos and floods
st1=$(python3 tests/bench/ipoib/ctl.py "$W/h1.sock" ipoib/stats)
diag "h1 ta ipoib: $(jq -c '.ipoib."rxe0.9001" | {tx_packets, tx_posts, rx_proto, rx_polls}' <<<"$st1")"
diag "h1 peer.1001: $(jq -c '.peer."peer.1001"' <<<"$st1")"
check "h1's peer.1001 sent the transfers over RC (more than 1 MB)" \
	jq_true '.peer."peer.1001".rc_counters.tx_bytes > 1000000' <<<"$st1"
diag "h2's ta ipoib port: $(jq -c '."rxe1.9001" | {rx_proto, rx_polls}' <<<"$st") (UD: hellos and floods; UD batching: make bench-peer with FABRICD_PEER_RC=0)"

vm_guest_done
