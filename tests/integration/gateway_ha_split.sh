#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Gateway HA, split brain (tests/lib/ha.sh draws the testbed): A (priority
# 200) and B (100) serve ta on one Ethernet bridge. The IB path between
# them is cut for their HA advertisements only: nftables in the guest
# drops every RoCE packet whose IPoIB ethertype is 0x88B6 in and out of
# veth1 (B's rxe1), so data still flows both ways. The master also
# advertises on the Ethernet segment, so B still hears A there and stays
# backup: one master, no duplicates on Ethernet.
# Then the Ethernet advertisements are cut as well (the bridge drops
# ethertype 0x88B6): B, hearing nobody, becomes master beside A, and the
# broadcast count sees the duplicates: what two masters on one segment
# do, and what the Ethernet advertisements prevent.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main 400 build/bin/fabricd python3 nft

# ---- in the guest ----
HOLD=2000
. tests/lib/ha.sh
nft_cleanup() { nft delete table inet haib 2>/dev/null; nft delete table bridge haeth 2>/dev/null; }
trap 'nft_cleanup; ha_cleanup' EXIT

check "testbed: rxe0, rxe1, bridges, hosts" ha_setup
gw c rxe0 1 hi1:ta
gw a rxe0 1 ga:ta
wait_for 30 ha_is a ta master
gw b rxe1 1 gb:ta
wait_for 30 ha_is b ta backup
check "A master" ha_is a ta master
check "B backup" ha_is b ta backup
check "ping Ethernet -> IB side" ping_ok heth 10.20.0.2
check "ping IB side -> Ethernet" ping_ok hib 10.20.0.1
check "B hears A's advertisements over Ethernet too" \
	test "$(ha b ta adverts_rx_eth)" -gt 0

# ---- cut the IB path between the gateways (their adverts only) ----
# RoCE v2: IPv6 + UDP (8) + BTH (12) + DETH (8), then the IPoIB header:
# its ethertype is 28 bytes into the UDP header
check "nft: drop HA frames in and out of veth1" nft -f - <<'NFT'
table inet haib {
	chain in {
		type filter hook input priority 0;
		iifname "veth1" udp dport 4791 @th,224,16 0x88b6 counter drop
	}
	chain out {
		type filter hook output priority 0;
		oifname "veth1" udp dport 4791 @th,224,16 0x88b6 counter drop
	}
}
NFT
sleep 1
rx0=$(ha b ta adverts_rx) eth0=$(ha b ta adverts_rx_eth)
sleep 3
rx1=$(ha b ta adverts_rx) eth1=$(ha b ta adverts_rx_eth)
diag "B's advertisements received in 3 s: $((rx1 - rx0)) over IB, $((eth1 - eth0)) over Ethernet"
dropped=$(nft list table inet haib | grep -o 'packets [0-9]*' |
	awk '{ n += $2 } END { print n + 0 }')
check "the filter dropped HA frames ($dropped)" test "${dropped:-0}" -gt 0
check_eq "IB path cut: B hears no advertisement over IB" "$rx0" "$rx1"
check "IB path cut: B still hears A over Ethernet" test "$eth1" -gt "$eth0"
check "IB path cut: B stays backup" ha_is b ta backup
check "IB path cut: A stays master" ha_is a ta master
check "IB path cut: data still flows (ping IB side -> Ethernet)" \
	ping_ok hib 10.20.0.1
n=$(bcast_count hib heth 10.20.0.255 20)
check_eq "IB path cut: broadcast IB -> Ethernet: 20 sent, 20 at heth" 20 "$n"
n=$(bcast_count heth hib 10.20.0.255 20)
check_eq "IB path cut: broadcast Ethernet -> IB: 20 sent, 20 at hib" 20 "$n"

# ---- cut the Ethernet advertisements as well: two masters ----
check "nft: the bridge drops ethertype 0x88B6" nft -f - <<'NFT'
table bridge haeth {
	chain drop_ha {
		type filter hook forward priority 0;
		ether type 0x88b6 counter drop
	}
}
NFT
wait_for 10 ha_is b ta master
check "both paths cut: B master beside A" ha_is b ta master
check "both paths cut: A still master" ha_is a ta master
n=$(bcast_count hib heth 10.20.0.255 20)
diag "both paths cut: 20 broadcasts from hib arrived $n times at heth"
check "both paths cut: the count sees the duplicates two masters make" \
	test "$n" -gt 20
nft delete table bridge haeth
wait_for 10 ha_is b ta backup
check "Ethernet path back: B backup again" ha_is b ta backup
check "Ethernet path back: A master" ha_is a ta master
sleep 1
n=$(bcast_count hib heth 10.20.0.255 20)
check_eq "Ethernet path back: broadcast IB -> Ethernet exactly once again" 20 "$n"
check "Ethernet path back: ping Ethernet -> IB side" ping_ok heth 10.20.0.2

$FCTL -s "$W/a.sock" ha show | sed 's/^/# A: /'
$FCTL -s "$W/b.sock" ha show | sed 's/^/# B: /'
[ "$TAP_FAILED" = 0 ] || ha_logs
vm_guest_done
