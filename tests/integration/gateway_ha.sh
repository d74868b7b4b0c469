#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Gateway HA in the qemu testbed (tests/lib/ha.sh draws it): gateways A
# (priority 200) and B (100) serve partition ta on one Ethernet bridge; an
# IB-side host hib sits behind a third fabricd C. With the group:
#   - A master, B backup (fabricctl ha show);
#   - a broadcast from either side arrives exactly once at each receiver,
#     and nothing loops (counters steady after the sender stops);
#   - SIGKILL A during an echo flow and a TCP transfer: B takes over
#     ("failover: N ms", the flow's longest gap, under 1 s), the transfer
#     completes with its SHA-256;
#   - A returns: no flap before the hold-down, then it takes ta back;
#   - SIGTERM A: it resigns (priority 0), B takes over at once;
#   - A's cable pulled: B takes over; plugged back: no flap before the
#     hold-down, then A again.
# Last, the same two gateways without a group, to show that the broadcast
# count sees the duplicates (and the loop) two gateways make.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main 500 build/bin/fabricd python3

# ---- in the guest ----
HOLD=5000
. tests/lib/ha.sh

check "testbed: rxe0, rxe1, bridges, hosts" ha_setup

# C: the IB side
gw c rxe0 1 hi1:ta ho1:tb
wait_for 30 ports_up "$W/c.sock" rxe0.9001 hi1
check "C up: rxe0.9001 and hib's port" ports_up "$W/c.sock" rxe0.9001 hi1
echo_start hib

# ---- with the group ----
gw a rxe0 1 ga:ta
wait_for 30 ha_is a ta master
check "A alone: master of ta" ha_is a ta master
gw b rxe1 1 gb:ta
wait_for 30 ha_is b ta backup
check "B: backup of ta" ha_is b ta backup
check_eq "B sees A active" gwa "$(ha b ta active)"
sleep 1.5
check_eq "A sees B standing by" gwb "$(ha a ta 'standbys[0]')"
check_eq "A: no group for tb (no Ethernet port of tb: not eligible)" init \
	"$(ha a tb state)"
check_eq "C: in no group" 0 "$($FCTL -s "$W/c.sock" -j ha show | jq length)"
$FCTL -s "$W/a.sock" ha show | sed 's/^/# A: /'
$FCTL -s "$W/b.sock" ha show | sed 's/^/# B: /'

check "ping Ethernet -> IB side" ping_ok heth 10.20.0.2
check "ping IB side -> Ethernet" ping_ok hib 10.20.0.1
n=$(bcast_count heth hib 10.20.0.255 20)
check_eq "broadcast Ethernet -> IB: 20 sent, 20 at hib" 20 "$n"
n=$(bcast_count heth heth2 10.20.0.255 20)
check_eq "broadcast Ethernet -> Ethernet: 20 sent, 20 at heth2 (none looped back)" 20 "$n"
n=$(bcast_count hib heth 10.20.0.255 20)
check_eq "broadcast IB -> Ethernet: 20 sent, 20 at heth" 20 "$n"
n=$(bcast_count hib heth2 10.20.0.255 20)
check_eq "broadcast IB -> Ethernet: 20 sent, 20 at heth2" 20 "$n"
sb=$($CTL "$W/b.sock" stats | jq '.partitions[] | select(.name == "ta") | .drops.standby' 2>/dev/null)
diag "B's standby drops in ta: $sb"
check "B counted what it kept apart as standby drops" test "${sb:-0}" -gt 0
# a loop would carry the broadcasts round for ever: thousands a second;
# what stays is A's advertisements on Ethernet, 10 a second, at B's port
t0=$(mono_ms) ra=$(engine_rx a ga) rb=$(engine_rx b gb)
sleep 1
ra=$(($(engine_rx a ga) - ra)) rb=$(($(engine_rx b gb) - rb))
t=$(($(mono_ms) - t0))
check "no loop: A's and B's Ethernet ports quiet after the senders stopped ($ra, $rb frames in $t ms)" \
	test $(((ra + rb) * 1000 / t)) -le 20

# ---- SIGKILL the master during an echo flow ----
flow_start heth 10.20.0.2 5
sleep 2
t_kill=$(mono_ms)
gw_stop a KILL
flow_wait
echo "failover: $GAP ms (SIGKILL)"
det=$(($(ha b ta last_failover_mono_ms) - t_kill))
# The detection is VRRP's master-down interval (360 ms for B); the flow's
# gap adds what B needs to forward. Its first unicast to C's GID used to
# make rxe resolve that GID in the kernel inside ibv_create_ah() (ND, about
# 1 s here, up to 2 s): B now has that address handle made while backup
# (ipoib/ah_prep.h), and the window is the issue's target, under 1 s.
check "SIGKILL: B master $det ms after the kill (under 1000 ms)" \
	test "$det" -lt 1000
check "SIGKILL: the flow's loss window under 1000 ms ($GAP ms)" \
	test "$GAP" -lt 1000
check "SIGKILL: B master" ha_is b ta master
check_eq "SIGKILL: B's reason" master_down "$(ha b ta last_failover_reason)"

# a_returns: A starts again; it is backup first, takes ta back only after
# the hold-down (by its own clock), and B stays master until then. Under a
# loaded TCG host the master's thread sometimes stalls past the backups'
# master-down interval (B logs "master not run for N ms"): A then takes
# over by master_down, rightly, and the hold-down does not govern that
# round. Only then is an early master_down excused; an early preemption
# never is.
a_returns() {
	local what=$1 back b_fo a_master b_backup reason late stalled=0
	late=$(grep -c 'master not run for' "$W/b.log")
	wait_for 30 ha_is a ta backup
	back=$(ha a ta 'state + " " + (.since_mono_ms | tostring)')
	b_fo=$(ha b ta failovers)
	if [ "${back% *}" != backup ]; then
		# each poll costs the loaded guest seconds: the backup
		# state can pass unseen; then the hold-down counts from
		# A's start, a lower bound of its becoming backup
		diag "$what: A's backup state not seen (A is ${back% *}): the hold-down counts from A's start"
		back="${back% *} $A_START"
	fi
	check "$what: A backup first (or seen master by preemption only)" \
		test "${back% *}" = backup -o "$(ha a ta reason)" = preempt
	wait_for $((HOLD / 1000 + 10)) ha_is a ta master
	check "$what: A master after the hold-down" ha_is a ta master
	reason=$(ha a ta reason)
	a_master=$(ha a ta since_mono_ms)
	if [ "$reason" = master_down ] &&
		[ "$(grep -c 'master not run for' "$W/b.log")" -gt "$late" ]; then
		stalled=1
		diag "$what: B stalled: $(grep 'master not run for' "$W/b.log" | tail -n1)"
	fi
	check "$what: by preemption (or master_down after B stalled: $stalled)" \
		test "$reason" = preempt -o "$stalled" = 1
	diag "$what: A backup at ${back#* } ms, master at $a_master ms (hold-down $HOLD ms)"
	check "$what: no flap: A master not before the hold-down ($((a_master - ${back#* })) ms, B stalled: $stalled)" \
		test $((a_master - ${back#* })) -ge $((HOLD - 50)) -o "$stalled" = 1
	wait_for 5 ha_is b ta backup
	b_backup=$(ha b ta since_mono_ms)
	check "$what: B backup again, master until A took over" \
		test "$b_backup" -ge $((a_master - 50))
	# a backup that stalls waits one more interval before taking over
	# (logged "not run for N ms ..."); B taking over during the
	# hold-down means A's adverts were late (A logs it)
	diag "$what: B became master $(($(ha b ta failovers) - b_fo)) times during the hold-down"
}

# ---- A returns during a flow ----
flow_start heth 10.20.0.2 $((HOLD / 1000 + 6))
A_START=$(mono_ms)
gw a rxe0 1 ga:ta
a_returns "A back"
flow_wait
echo "failover: $GAP ms (preemption)"
check "preemption: the flow's gap under 1000 ms ($GAP ms)" test "$GAP" -lt 1000

# ---- SIGKILL the master during a TCP transfer ----
tcp_start heth hib 10.20.0.2 2
sleep 0.5
gw_stop a KILL
check "SIGKILL during TCP: transfer complete, SHA-256 matches" tcp_ok
check "SIGKILL during TCP: B master" ha_is b ta master
A_START=$(mono_ms)
gw a rxe0 1 ga:ta
a_returns "A back again"

# ---- SIGTERM: the master resigns ----
flow_start heth 10.20.0.2 4
sleep 1.5
gw_stop a TERM
flow_wait
echo "failover: $GAP ms (SIGTERM)"
check "SIGTERM: failover under 1000 ms ($GAP ms)" test "$GAP" -lt 1000
check_eq "SIGTERM: B took over because A resigned" master_resigned \
	"$(ha b ta last_failover_reason)"
A_START=$(mono_ms)
gw a rxe0 1 ga:ta
a_returns "A back after SIGTERM"

# ---- uplink down ----
flow_start heth 10.20.0.2 4
sleep 1.5
ip link set ga-br down
flow_wait
echo "failover: $GAP ms (uplink down)"
check "uplink down: failover under 1000 ms ($GAP ms)" test "$GAP" -lt 1000
check "uplink down: B master" ha_is b ta master
check_eq "uplink down: A not eligible" "init not_eligible" \
	"$(ha a ta state) $(ha a ta reason)"
A_START=$(mono_ms)
ip link set ga-br up
a_returns "uplink back"
check "after all: ping Ethernet -> IB side" ping_ok heth 10.20.0.2
check "after all: ping IB side -> Ethernet" ping_ok hib 10.20.0.1
diag "A adverts sent $(ha a ta adverts_tx), B received $(ha b ta adverts_rx); B sent $(ha b ta adverts_tx), A received $(ha a ta adverts_rx)"

$FCTL -s "$W/a.sock" ha show | sed 's/^/# A: /'
$FCTL -s "$W/b.sock" ha show | sed 's/^/# B: /'

# ---- last, without a group: both gateways forward (and loop) ----
gw_stop a TERM
gw_stop b TERM
gw a rxe0 0 ga:ta
gw b rxe1 0 gb:ta
wait_for 30 ports_up "$W/a.sock" rxe0.9001 ga
wait_for 30 ports_up "$W/b.sock" rxe1.9001 gb
check "no group: A and B up" ports_up "$W/b.sock" rxe1.9001 gb
ping_ok heth 10.20.0.2
n=$(bcast_count heth hib 10.20.0.255 20)
diag "no group: 20 broadcasts from heth arrived $n times at hib"
check "no group: the count sees duplicates (two gateways forward)" \
	test "$n" -gt 20
check_eq "no group: ha show is empty" 0 \
	"$($FCTL -s "$W/a.sock" -j ha show | jq length)"
gw_stop a KILL
gw_stop b KILL

[ "$TAP_FAILED" = 0 ] || ha_logs
vm_guest_done
