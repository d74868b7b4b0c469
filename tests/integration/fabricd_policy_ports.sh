#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The policy's ports and uplink pass the checks of `port add` (issue 10,
# finding 12) when fabricd opens them: at start, on reload, and when an
# interface comes back. A port that is the veth peer of the uplink (or of
# another port), the loopback (here renamed lo2, so that the loader's name
# check does not see it) or no Ethernet interface (a tun device) is
# refused: not opened, its reason in `fabricctl port list` and the log;
# the other ports forward. A policy naming `lo` is refused by the loader at
# FILE:LINE:COL and the policy in force stays.
# fabricd runs Ethernet-only (--no-ib) in a namespace of its own.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/netns.sh

netns_require jq ping

netns_init polports
mkns sw
sw() { ip -n "$P-sw" "$@"; }
pings() { in_ns a1 ping -q "$@" >/dev/null 2>&1; }
# vm NAME IP: a namespace with eth0, its peer v<NAME> in sw.
vm() {
	mkns "$1"
	ip -n "$P-$1" link add eth0 type veth peer name "v$1" netns "$P-sw"
	ip -n "$P-$1" addr add "$2/24" dev eth0
	ip -n "$P-$1" link set eth0 up
	sw link set "v$1" up
}
vm a1 10.9.0.1
vm a2 10.9.0.2
# vt: the uplink; vtp, its veth peer, here too. vr/vrp: a pair for the
# reload. lo2: this namespace's loopback.
sw link add vt type veth peer name vtp
sw link add vr type veth peer name vrp
for l in vt vtp vr vrp; do sw link set "$l" up; done
sw link set lo name lo2
in_ns sw ip tuntap add dev tun0 mode tun 2>/dev/null && HAVE_TUN=1

# policy PORT...: the policy with access ports PORT... in tenant-a.
policy() {
	one_tenant_policy polports vt
	echo "ports:"
	for p in "$@"; do
		echo "  - { name: $p, partition: tenant-a }"
	done
}
# vp1 and vp2 appear later, as one veth pair.
START_PORTS="va1 va2 vtp lo2 vp1 vp2"
[ -n "${HAVE_TUN:-}" ] && START_PORTS="$START_PORTS tun0"
policy $START_PORTS >"$D/fabric.yaml"
netns_fabricd sw
PID=${PIDS[-1]}
# state PORT: its state, then its error, from port list.
state() {
	fctl -j port list 2>/dev/null |
		jq -r --arg n "$1" '.[] | select(.name == $n) |
			"\(.state) \(.error // "")"'
}
# wait_state PORT STATE: up to 5 s for PORT to be in STATE.
wait_state() {
	for _ in $(seq 50); do
		[ "$(state "$1" | cut -d' ' -f1)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# is PORT STATE [REASON]: PORT is in STATE, its error says REASON.
is() {
	local s
	wait_state "$1" "$2"
	s=$(state "$1")
	check_eq "$1: $2" "$2" "${s%% *}"
	[ -z "${3:-}" ] && return
	check "$1 says why ($3)" grep -qi -- "$3" <<<"$s"
	diag "$1: $s"
}

is vt up
is va1 up
is va2 up
is vtp refused "veth peer of vt, a trunk port"
is lo2 refused "loopback"
if [ -n "${HAVE_TUN:-}" ]; then
	is tun0 refused "not an Ethernet interface"
else
	skip "a tun device as a policy port" "cannot create a tun device here"
fi
is vp1 absent
check "the log says why vtp is refused" \
	grep -q "port vtp: refused, not opened: vtp is the veth peer of vt" \
	"$D/fabricd.log"
check "the log says why lo2 is refused" \
	grep -q "port lo2: refused, not opened: lo2 is the loopback" \
	"$D/fabricd.log"
STATUS=$(fctl status)
check "status counts the refused ports" \
	grep -q "engine: *running; [0-9]* ports refused" <<<"$STATUS"
diag "$(grep engine: <<<"$STATUS")"
check "port list (text) shows vtp refused, with its reason" \
	sh -c "'$FABRICCTL' -s '$SOCK' port list |
		grep -q '^vtp .* refused .*(vtp is the veth peer of vt'"
check "ping a1 -> a2 through the engine" \
	pings -c 3 -i 0.2 -W 2 10.9.0.2

# Interfaces that appear later: vp1 and vp2, one pair. The first in the
# policy opens, its peer is refused.
sw link add vp1 type veth peer name vp2
sw link set vp1 up
sw link set vp2 up
is vp1 up
is vp2 refused "veth peer of vp1, an access port"

# The uplink's pair goes away and comes back: the uplink reopens, its
# peer is refused again (not opened first, whatever the order).
sw link del vt
wait_state vt absent
sw link add vtp type veth peer name vt
sw link set vt up
sw link set vtp up
is vt up
is vtp refused "veth peer of vt"

# reload: SIGHUP, then fabricd's policy error ("null": none).
reload() {
	kill -HUP "$PID"
	sleep 1
	fctl -j status | jq -r .policy_error >"$D/err"
}

# Reload: a policy with the pair vr/vrp as ports (and lo2 gone).
policy va1 va2 vtp vr vrp >"$D/fabric.yaml"
reload
check_eq "reload with vr and vrp: accepted" null "$(cat "$D/err")"
is vr up
is vrp refused "veth peer of vr"
check_eq "lo2 is no port any more" "" "$(state lo2)"

# A policy naming lo: refused at FILE:LINE:COL, the last one stays.
policy va1 va2 lo >"$D/fabric.yaml"
"$FABRICCTL" policy check "$D/fabric.yaml" >/dev/null 2>"$D/check"
check_eq "fabricctl policy check refuses it (exit 1)" 1 $?
check "it says where and why" \
	grep -q "fabric.yaml:15:13: error: port name 'lo' is the loopback" \
	"$D/check"
diag "$(head -1 "$D/check")"
reload
check "fabricd refuses it on reload, says where and why" \
	grep -q "fabric.yaml:15:13: error: port name 'lo' is the loopback" \
	"$D/err"
is vr up
is vrp refused
check "ping a1 -> a2 still" pings -c 2 -i 0.2 -W 2 10.9.0.2

# An uplink named lo: the loader refuses it as well.
policy va1 | sed 's/uplink: vt/uplink: lo/' >"$D/fabric.yaml"
reload
check "uplink lo: refused on reload, says where and why" \
	grep -q "fabric.yaml:11:13: error: uplink 'lo' is the loopback" \
	"$D/err"
diag "$(cat "$D/err")"
is vt up

kill -0 "$PID"
check_eq "fabricd still running" 0 $?
tap_done
