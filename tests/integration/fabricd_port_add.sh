#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricctl port add refuses what cannot be a port (issue 10, finding 12):
# names that are no Linux interface name ('../../etc', 16 characters),
# the loopback, a missing interface, a non-Ethernet one (a tun device), and
# the veth peer of a port the engine has already (the trunk's own peer as
# a second trunk or as an access port: frames would loop through the
# kernel back into the engine). Each refusal exits 1 with a reason and
# leaves the port list as it was; sane ports are still accepted.
# fabricd runs Ethernet-only (--no-ib) in a namespace of its own.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/netns.sh

netns_require jq

netns_init portadd
mkns sw
sw() { ip -n "$P-sw" "$@"; }
# vt: the trunk; vtp its peer, here too. vx/vxp: a second pair. va1: a VM's.
sw link add vt type veth peer name vtp
sw link add vx type veth peer name vxp
sw link add va1 type veth peer name a1
for l in vt vtp vx vxp va1 a1; do sw link set "$l" up; done
in_ns sw ip tuntap add dev tun0 mode tun 2>/dev/null &&
	HAVE_TUN=1

one_tenant_policy portadd vt >"$D/fabric.yaml"
netns_fabricd sw
PID=${PIDS[-1]}
ports() { fctl -j port list 2>/dev/null | jq -r '[.[].name] | join(",")'; }
for _ in $(seq 50); do [ "$(ports)" = vt ] && break; sleep 0.1; done
check_eq "fabricd up with its trunk" vt "$(ports)"

# refused DESC PATTERN ARGS...: port add ARGS exits 1, says PATTERN, and
# the port list stays as it was.
refused() {
	local desc=$1 pat=$2 before rc
	shift 2
	before=$(ports)
	fctl port add "$@" >"$D/out" 2>"$D/err"
	rc=$?
	check_eq "$desc: refused (exit 1)" 1 "$rc"
	check "$desc: says why ($pat)" grep -qi -- "$pat" "$D/err"
	check_eq "$desc: port list unchanged" "$before" "$(ports)"
	[ "$rc" = 1 ] || diag "out: $(cat "$D/out") err: $(cat "$D/err")"
}

refused "loopback" "loopback" lo partition tenant-a
refused "'../../etc'" "not an interface name" ../../etc partition tenant-a
refused "'../../etc' as a tap" "not an interface name" \
	../../etc partition tenant-a tap
refused "'..'" "not an interface name" .. partition tenant-a tap
refused "16 characters" "not an interface name" \
	abcdefghijklmnop partition tenant-a
refused "a name with a blank" "not an interface name" \
	"va 1" partition tenant-a
refused "a missing interface" "no interface" nosuch0 partition tenant-a
if [ -n "${HAVE_TUN:-}" ]; then
	refused "a tun device (no Ethernet)" "not an Ethernet interface" \
		tun0 partition tenant-a
else
	skip "a tun device" "cannot create a tun device here"
fi
refused "the trunk's veth peer as a second trunk" "veth peer of vt" \
	vtp trunk
refused "the trunk's veth peer as an access port" "veth peer of vt" \
	vtp partition tenant-a

fctl port add vx trunk >/dev/null
check_eq "another veth as a second trunk: accepted" 0 $?
refused "its peer afterwards" "veth peer of vx" vxp partition tenant-a
fctl port add va1 partition tenant-a >/dev/null
check_eq "a VM's veth as an access port: accepted" 0 $?
check_eq "port list: the trunk, the second trunk, the access port" \
	"vt,vx,va1" "$(ports)"
for a in "lo partition tenant-a" "../../etc partition tenant-a" "tun0 partition tenant-a" "vtp trunk" "nosuch0 partition tenant-a"; do diag "port add $a: $(fctl port add $a 2>&1)"; done
kill -0 "$PID"
check_eq "fabricd still running" 0 $?
tap_done
