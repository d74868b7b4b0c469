#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Peer links over RC (ipoib/peer_rc.h) in the qemu testbed: two fabricd
# "hypervisors", h1 on rxe0 and h2 on rxe1 (a veth pair), each with one VM
# (a namespace) in each of two partitions with `peer: true`:
#
#   a1 (ta, .1) --a1h-- [h1] ==rxe0 RC + UD rxe1== [h2] --a2h-- a2 (ta, .2)
#   b1 (tb, .11) --b1h- [h1]                        [h2] --b2h- b2 (tb, .12)
#
# The VM ports are AF_PACKET with the virtio-net header (FABRICD_NO_XDP=1)
# and the VMs keep their offloads: their TSO super-frames reach the peer
# port. Checks: a unicast brings an RC connection up between the peer
# ports (fabricctl peer list: transport rc, both sides); a 4 MiB TCP
# transfer both ways (SHA-256) crosses over RC, its super-frames whole: the
# sender's engine cut none for the peer port (gso_segmented), the peer list
# counts super-frames sent and received whole, and the receiving VM's
# interface got frames larger than its MTU; nothing of ta reaches tb's
# VMs; h2 killed (SIGKILL) and restarted: h1's connection goes down, ping
# works again, and RC comes up again with the new h2.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main 800 build/bin/fabricd

# ---- in the guest ----
. tests/lib/rxe.sh
trap peer_pair_cleanup EXIT

peer_pair_setup
check "h1: peer ports of ta and tb up" \
	wait_up "$W/h1.sock" peer.1001 peer.1002 a1h b1h
check "h2: peer ports of ta and tb up" \
	wait_up "$W/h2.sock" peer.1001 peer.1002 a2h b2h
check_eq "port list: peer.1001 runs peer-rc" peer-rc \
	"$($FCTL -s "$W/h1.sock" -j port list | jq -r '.[] | select(.name == "peer.1001") | .mode')"

# transport of the one peer of partition $2 on hypervisor $1
transport() {
	$FCTL -s "$W/$1.sock" -j peer list partition "$2" |
		jq -r '.[0].transport // "none"'
}
rc_up() { [ "$(transport h1 ta)" = rc ] && [ "$(transport h2 ta)" = rc ]; }
wait_rc() {
	local _
	for _ in $(seq 50); do
		rc_up && return 0
		ping_ok a1 10.30.0.2
		sleep 0.2
	done
	return 1
}

check "ta: ping a1 -> a2" ping_ok a1 10.30.0.2
t0=$(date +%s%N)
check "ta: RC up between h1 and h2 (peer list: transport rc on both)" wait_rc
diag "RC up $((($(date +%s%N) - t0) / 1000000)) ms after the first ping"
sed -n 's/^/# h1: /p' "$W/h1.log" | grep -i "rc" | head -5

seg0=$($FCTL -s "$W/h1.sock" -j port show peer.1001 | jq -r .gso_segmented)
b1_rx0=$(rx_count b1 eth0)
b2_rx0=$(rx_count b2 eth0)
a2_pk0=$(rx_count a2 eth0)
a2_by0=$(ip netns exec a2 cat /sys/class/net/eth0/statistics/rx_bytes)
tcp4m() { TCP_BYTES=4194304 TCP_SHA_TIMEOUT=240 tcp_transfer "$@"; }
check "ta: TCP 4 MiB a1 -> a2 (SHA-256)" tcp4m a1 a2 10.30.0.2
a2_pk=$(($(rx_count a2 eth0) - a2_pk0))
a2_by=$(($(ip netns exec a2 cat /sys/class/net/eth0/statistics/rx_bytes) - a2_by0))
check "ta: TCP 4 MiB a2 -> a1 (SHA-256)" tcp4m a2 a1 10.30.0.1

pl1=$($FCTL -s "$W/h1.sock" -j peer list partition ta)
pl2=$($FCTL -s "$W/h2.sock" -j peer list partition ta)
diag "h1 peer list ta: $(jq -c '.[0] | {transport, rc, tx_packets, rx_packets}' <<<"$pl1")"
diag "h2 peer list ta: $(jq -c '.[0] | {transport, rc, tx_packets, rx_packets}' <<<"$pl2")"
for h in h1 h2; do
	diag "$h peer stats: $(python3 tests/bench/ipoib/ctl.py "$W/$h.sock" ipoib/stats | jq -c '.peer."peer.1001"')"
	grep -i "warn\|peer_rc" "$W/$h.log" | head -8 | sed "s/^/# $h: /"
done
diag "h1 a1h: $($FCTL -s "$W/h1.sock" -j port show a1h | jq -c 'del(.fdb)')"
ps1=$($FCTL -s "$W/h1.sock" -j port show peer.1001)
diag "h1 peer.1001: gso_segmented $(jq .gso_segmented <<<"$ps1") csum_completed $(jq .csum_completed <<<"$ps1")"
check "h1 sent the 4 MiB to h2 over RC (rc.tx_bytes)" \
	jq_true '.[0].rc.tx_bytes > 4194304' <<<"$pl1"
check "h1 sent super-frames whole over RC (rc.tx_whole > 100)" \
	jq_true '.[0].rc.tx_whole > 100' <<<"$pl1"
check "h2 received super-frames whole over RC (rc.rx_whole > 100)" \
	jq_true '.[0].rc.rx_whole > 100' <<<"$pl2"
check "h1's engine cut no super-frame for peer.1001 during the transfers" \
	test "$(($(jq .gso_segmented <<<"$ps1") - seg0))" -eq 0
diag "a2's eth0 during a1 -> a2: $a2_pk frames, $a2_by bytes"
check "a2's interface got super-frames (average frame > 3000 bytes)" \
	test "$a2_by" -gt $((3000 * a2_pk))
check_eq "h2 handed them to a2 whole (a2h: gso_segmented 0)" 0 \
	"$($FCTL -s "$W/h2.sock" -j port show a2h | jq -r .gso_segmented)"
check_eq "tb: b1 received nothing of ta's transfers" "$b1_rx0" \
	"$(rx_count b1 eth0)"
check_eq "tb: b2 received nothing of ta's transfers" "$b2_rx0" \
	"$(rx_count b2 eth0)"
check "tb: b1 reaches b2" ping_ok b1 10.30.0.12
check "tb: b1 cannot reach ta's a2" ping_fails b1 10.30.0.2
check_eq "tb's peer (no unicast of ta) is not on ta's connection" \
	0 "$($FCTL -s "$W/h1.sock" -j peer list partition tb | jq -r '.[0].rc.rx_whole')"

# ---- h2 dies (SIGKILL): back to UD, then RC again with the new h2 ----
kill -9 "$(cat "$W/h2.fpid")"
ping_fails a1 10.30.0.2
gone_rc() { [ "$(transport h1 ta)" != rc ]; }
for _ in $(seq 50); do gone_rc && break; ping_fails a1 10.30.0.2; done
diag "h1 peer list ta after the kill: $($FCTL -s "$W/h1.sock" -j peer list partition ta | jq -c '[.[] | {qpn, transport, age_ms, rc}]')"
grep "peer_rc\|peer_port.*warn" "$W/h1.log" | tail -5 | sed 's/^/# h1: /'
check "h2 killed: h1's connection to it is down" gone_rc
check "h1 logged the connection going down" grep -q "RC to QPN .* down" \
	"$W/h1.log"
diag "h1: $(grep -c 'down (send failed)' "$W/h1.log") connections down by a failed send (the QP's retries), $(grep -c 'down (peer gone)' "$W/h1.log") by a peer gone"
HV_ENV=FABRICD_NO_XDP=1 hypervisor h2 rxe1 a2h:ta b2h:tb
check "h2 restarted" wait_up "$W/h2.sock" peer.1001 a2h
ok_again() {
	local _
	for _ in $(seq 10); do ping_ok a1 10.30.0.2 && return 0; done
	return 1
}
check "after the restart a1 reaches a2 again" ok_again
check "RC up again with the new h2" wait_rc
check "ta: TCP 1 MiB a1 -> a2 over the new connection (SHA-256)" \
	tcp_transfer a1 a2 10.30.0.2
check "h1 logged two connections up (the first h2, the restarted one)" \
	test "$(grep -c 'RC up to' "$W/h1.log")" -ge 2
diag "h1 RC log: $(grep -c 'RC up to' "$W/h1.log") up, $(grep -c 'RC to QPN .* down' "$W/h1.log") down"

vm_guest_done
