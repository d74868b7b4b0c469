#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Gateway HA and IPv6 (tests/lib/ha.sh draws the testbed): heth (Ethernet,
# fd20::1) and hib (behind C, on the IB side, fd20::2) talk IPv6 through
# A; B stands by and learns heth's addresses from what it keeps apart.
# SIGKILL A: B takes over and sends an unsolicited neighbour advertisement
# (RFC 4861 7.2.6) on IPoIB for each Ethernet host, as it sends a
# gratuitous ARP for IPv4. C passes it on to hib, a kernel host, whose
# neighbour entry for fd20::1 must move to B's derived MAC (the one its
# IPv4 entry for heth moved to) by the time the IPv4 one has; without the
# advertisement it would stay on A's dead MAC until hib sends to heth
# again and its NUD probes fail.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main 400 build/bin/fabricd python3

# ---- in the guest ----
HOLD=3000
. tests/lib/ha.sh

# v6on NS IF ADDR: IPv6 on in namespace NS, ADDR/64 on IF (no DAD wait)
v6on() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		"net.ipv6.conf.$2.disable_ipv6=0" || return 1
	ip -n "$1" addr add "$3/64" dev "$2" nodad
}
ping6_ok() { ip netns exec "$1" busybox ping -6 -c 2 -W 3 "$2" >/dev/null 2>&1; }
# lladdr NS ADDR: the MAC of ADDR in namespace NS's neighbour table
lladdr() {
	ip -n "$1" neigh show "$2" | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p'
}

check "testbed: rxe0, rxe1, bridges, hosts" ha_setup
check "IPv6 on heth (fd20::1) and hib (fd20::2)" \
	eval 'v6on heth he0 fd20::1 && v6on hib hi0 fd20::2'
gw c rxe0 1 hi1:ta ho1:tb
wait_for 30 ports_up "$W/c.sock" rxe0.9001 hi1
gw a rxe0 1 ga:ta
wait_for 30 ha_is a ta master
gw b rxe1 1 gb:ta
wait_for 30 ha_is b ta backup
check "A master, B backup" eval 'ha_is a ta master && ha_is b ta backup'

# heth first: its solicitation for fd20::2 is multicast, B sees it
check "ping6 Ethernet -> IB side (through A)" ping6_ok heth fd20::2
check "ping6 IB side -> Ethernet (through A)" ping6_ok hib fd20::1
check "ping IB side -> Ethernet (through A)" ping_ok hib 10.20.0.1
old6=$(lladdr hib fd20::1) old4=$(lladdr hib 10.20.0.1)
diag "hib: fd20::1 at $old6, 10.20.0.1 at $old4 (A's derived MAC)"
check "hib: heth's IPv6 and IPv4 at the same MAC (A's)" \
	test -n "$old6" -a "$old6" = "$old4"
sleep 1.5 # a state message: B has the master's tables too
check "B knows heth's IPv4 and IPv6 addresses (hosts: $(ha b ta hosts))" \
	test "$(ha b ta hosts)" -ge 2

sleep 1
gw_stop a KILL
wait_for 5 ha_is b ta master
check "SIGKILL: B master" ha_is b ta master
wait_for 10 eval '[ "$(lladdr hib 10.20.0.1)" != "$old4" ]'
new4=$(lladdr hib 10.20.0.1) new6=$(lladdr hib fd20::1)
ip -n hib neigh | sed 's/^/# hib neigh: /'
diag "hib: fd20::1 now at $new6, 10.20.0.1 at $new4"
check "hib's IPv4 entry for heth moved to B (gratuitous ARP)" \
	test -n "$new4" -a "$new4" != "$old4"
check_eq "hib's IPv6 entry for heth moved to B's derived MAC too" \
	"$new4" "$new6"
check "ping6 IB side -> Ethernet (through B)" ping6_ok hib fd20::1
check "ping6 Ethernet -> IB side (through B)" ping6_ok heth fd20::2

[ "$TAP_FAILED" = 0 ] || ha_logs
vm_guest_done
