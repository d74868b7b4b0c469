#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Gateway HA, load sharing (tests/lib/ha.sh draws the testbed): two
# partitions, ta on bridge br0 and tb on bridge br1; A has priority 200 in
# ta and 100 in tb, B the reverse, so each is master of one. Killing A
# moves only ta (to B); tb's flow goes on untouched. A returns and takes
# ta back after the hold-down; tb stays with B.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main 400 build/bin/fabricd python3

# ---- in the guest ----
HOLD=2000
. tests/lib/ha.sh

check "testbed: rxe0, rxe1, bridges, hosts" ha_setup
gw c rxe0 1 hi1:ta ho1:tb
gw a rxe0 1 ga:ta ga2:tb
gw b rxe1 1 gb:ta gb2:tb
wait_for 30 ha_is a ta master
wait_for 30 ha_is b tb master
check "A master of ta" ha_is a ta master
check "A backup of tb" ha_is a tb backup
check "B master of tb" ha_is b tb master
check "B backup of ta" ha_is b ta backup
$FCTL -s "$W/a.sock" ha show | sed 's/^/# A: /'
$FCTL -s "$W/b.sock" ha show | sed 's/^/# B: /'
check "ta: ping Ethernet -> IB side (through A)" ping_ok heth 10.20.0.2
check "tb: ping Ethernet -> IB side (through B)" ping_ok hx 10.20.1.2
check_eq "ta: broadcast IB -> Ethernet exactly once" 20 \
	"$(bcast_count hib heth 10.20.0.255 20)"
check_eq "tb: broadcast IB -> Ethernet exactly once" 20 \
	"$(bcast_count ho hx 10.20.1.255 20)"
check_eq "tb: broadcast Ethernet -> IB exactly once" 20 \
	"$(bcast_count hx ho 10.20.1.255 20)"
ta_a=$($CTL "$W/a.sock" stats | jq '.partitions[] | select(.name == "ta") | .tx_packets')
tb_a=$($CTL "$W/a.sock" stats | jq '.partitions[] | select(.name == "tb") | .drops.standby')
diag "A: ta frames out $ta_a, tb standby drops $tb_a"
check "A stands by in tb (standby drops counted there)" test "${tb_a:-0}" -gt 0

# ---- kill A: only ta moves ----
echo_start ho
tb_fo=$(ha b tb failovers)
flow_start hx 10.20.1.2 5
sleep 2
gw_stop a KILL
flow_wait
echo "# tb's flow while A died: gap $GAP ms"
check "tb untouched by A's death: flow gap under 300 ms ($GAP ms)" \
	test "$GAP" -lt 300
check_eq "tb: B never changed state" "master $tb_fo" \
	"$(ha b tb state) $(ha b tb failovers)"
wait_for 5 ha_is b ta master
check "ta moved to B" ha_is b ta master
check "ta: ping Ethernet -> IB side (now through B)" ping_ok heth 10.20.0.2

# ---- A returns: ta goes back, tb stays ----
gw a rxe0 1 ga:ta ga2:tb
wait_for $((HOLD / 1000 + 30)) ha_is a ta master
check "A back: master of ta again" ha_is a ta master
check "A back: backup of tb" ha_is a tb backup
check "B: master of tb still" ha_is b tb master
check_eq "tb: B never changed state" "master $tb_fo" \
	"$(ha b tb state) $(ha b tb failovers)"
check "ta: ping Ethernet -> IB side (through A again)" ping_ok heth 10.20.0.2
check "tb: ping Ethernet -> IB side (through B)" ping_ok hx 10.20.1.2

$FCTL -s "$W/a.sock" ha show | sed 's/^/# A: /'
$FCTL -s "$W/b.sock" ha show | sed 's/^/# B: /'
[ "$TAP_FAILED" = 0 ] || ha_logs
vm_guest_done
