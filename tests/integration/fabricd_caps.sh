#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd with the capabilities its systemd unit leaves it and no others
# (CapabilityBoundingSet= of contrib/fabricd.service, applied with setpriv):
# Ethernet-only (--no-ib) in a network namespace with a veth uplink and a
# veth access port, it must do all its work: the gateway's address on the
# uplink (netlink: CAP_NET_ADMIN), AF_XDP ports (the XDP program and map:
# CAP_BPF; the sockets: CAP_NET_RAW), a tap port made at run time
# (/dev/net/tun), its control socket handed to a group (--ctl-group:
# CAP_CHOWN). Then one capability less at a time, each must show: without
# CAP_BPF the ports fall back to AF_PACKET (fabricd used to crash there),
# without CAP_NET_RAW they cannot open, without CAP_NET_ADMIN no address.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabricd.sh # wait_for

FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl
UNIT=contrib/fabricd.service
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespace, setpriv)"
[ -x "$FABRICD" ] && [ -x "$FABRICCTL" ] || skip_all "not built (make)"
for t in setpriv jq; do
	command -v $t >/dev/null || skip_all "$t not installed"
done
getent group nogroup >/dev/null || skip_all "no group nogroup"

T=$(mktemp -d /tmp/caps-test.XXXXXX)
NS=caps-$$
FD=""
cleanup() {
	[ -z "$FD" ] || { kill "$FD" 2>/dev/null; wait "$FD" 2>/dev/null; }
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS-o" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

cat >"$T/fabric.yaml" <<'YAML'
partitions:
  - name: a
    pkey: 0x0021
    vlan: 20
    ipv4: 10.20.0.0/24
    members: [ { all_cas: true, membership: full } ]
gateways:
  - name: gw1
    uplink: up0
    addresses: { a: [10.20.0.1/24] }
ports:
  - { name: va1, partition: a }
YAML

# The unit's set, for setpriv: "+net_admin,+net_raw,...".
UNIT_CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr 'A-Z ' 'a-z,' |
	sed 's/cap_/+/g')
diag "the unit's capabilities: $UNIT_CAPS"
SOCK=$T/ctl.sock
FABRICCTL_S() { "$FABRICCTL" -s "$SOCK" "$@"; }

# start CAPS [ARGS...]: a fresh namespace and fabricd limited to CAPS.
start() {
	local caps=$1 l
	shift
	[ -z "$FD" ] || { kill "$FD"; wait "$FD" 2>/dev/null; }
	ip netns del "$NS" 2>/dev/null
	ip netns add "$NS" || skip_all "cannot create a network namespace"
	ip -n "$NS" link add up0 type veth peer name up0p
	ip -n "$NS" link add va1 type veth peer name va1p
	# the peers send finished checksums: AF_XDP is allowed on their
	# veths (fabricd asks them with only CAP_NET_ADMIN: same namespace)
	for l in up0p va1p; do
		ip netns exec "$NS" ethtool -K $l tx off >/dev/null 2>&1
	done
	for l in lo up0 up0p va1 va1p; do ip -n "$NS" link set $l up; done
	rm -rf "$T/state"
	ip netns exec "$NS" setpriv --bounding-set "-all,$caps" --inh-caps -all \
		"$FABRICD" --policy "$T/fabric.yaml" --gateway gw1 --no-ib \
		-S "$T/state" -s "$SOCK" -p "$T/fabricd.pid" --foreground "$@" \
		>"$T/fabricd.log" 2>&1 &
	FD=$!
	wait_for 10 test -S "$SOCK"
	sleep 0.5
}
# modes: "NAME=MODE/STATE ..." (a mode's "+vnet" and the like left out).
modes() { FABRICCTL_S -j port list | jq -r '[.[] | "\(.name)=\(.mode | split("+")[0])/\(.state)"] | sort | join(" ")'; }
has_addr() { ip -n "$NS" -4 addr show dev up0 | grep -q "inet 10.20.0.1/24"; }
no_addr() { ! has_addr; }

start "$UNIT_CAPS" --ctl-group nogroup
caps_of() { sed -n "s/^$1:\t//p" "/proc/$FD/status"; }
check_eq "the unit's set: runs with only those (CapEff = CapBnd)" \
	"$(caps_of CapBnd)" "$(caps_of CapEff)"
check "the unit's set: address on the uplink" wait_for 5 has_addr
check_eq "the unit's set: AF_XDP ports" "up0=af_xdp/up va1=af_xdp/up" "$(modes)"
FABRICCTL_S port add tb1 partition a tap >/dev/null
check_eq "the unit's set: a tap port at run time" "tap/up" \
	"$(FABRICCTL_S -j port list | jq -r '.[] | select(.name == "tb1") | "\(.mode | split("+")[0])/\(.state)"')"
check_eq "the unit's set: --ctl-group gives the socket to nogroup" nogroup \
	"$(stat -c %G "$SOCK")"
# A veth whose peer is in another namespace: without CAP_SYS_ADMIN fabricd
# cannot enter it to ask the peer's tx-checksumming, so it takes the safe
# side (AF_PACKET with the vnet header) even though the peer's is off.
ip netns add "$NS-o" || skip_all "cannot create a network namespace"
ip -n "$NS" link add vo1 type veth peer name eth0 netns "$NS-o"
ip netns exec "$NS-o" ethtool -K eth0 tx off >/dev/null 2>&1
ip -n "$NS-o" link set eth0 up
ip -n "$NS" link set vo1 up
FABRICCTL_S port add vo1 partition a >/dev/null
check_eq "the unit's set: a veth to another namespace runs AF_PACKET" \
	"af_packet+vnet cannot enter" \
	"$(FABRICCTL_S -j port list | jq -r '.[] | select(.name == "vo1") |
		"\(.mode) \(.mode_reason | capture("(?<w>cannot enter)").w)"')"

start "$(sed 's/,+bpf//; s/+bpf,//' <<<"$UNIT_CAPS")"
check "without CAP_BPF: still running" kill -0 "$FD"
check_eq "without CAP_BPF: ports fall back to AF_PACKET" \
	"up0=af_packet/up va1=af_packet/up" "$(modes)"

start "$(sed 's/,+net_raw//; s/+net_raw,//' <<<"$UNIT_CAPS")"
check_eq "without CAP_NET_RAW: ports cannot open" \
	"up0=-/absent va1=-/absent" "$(modes)"

start "$(sed 's/,+net_admin//; s/+net_admin,//' <<<"$UNIT_CAPS")"
sleep 1
check "without CAP_NET_ADMIN: no address" no_addr
check "without CAP_NET_ADMIN: logged" grep -q "Operation not permitted" \
	"$T/fabricd.log"
tap_done
