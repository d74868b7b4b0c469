#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make demo: the whole of fabricd on a simulated InfiniBand fabric, in about
# half a minute, with examples/demo.yaml:
#   1. ibsim (tests/topo/small.net) and the stock OpenSM with libfabricsm.so:
#      the ports' partitions as the fabric reports them (smpquery pkeys);
#   2. fabricd as the gateway gw1 (umad2sim, SIM_HOST=gw1): it reads its
#      port's PKeys from the fabric and mirrors them on its uplink up0;
#   3. its forwarding engine with three VMs (network namespaces): a ping in
#      a partition works, one across partitions does not;
#   4. fabstat doctor finds a problem and prints the fix; the fix is applied
#      live (fabricctl member add, SIGHUP to OpenSM) and shows up on the
#      fabric and on the gateway; fabstat doctor ends healthy.
# Everything runs in network namespaces of its own and a temp directory and
# is stopped by PID at the end (also on ^C or a failure). Needs root.
#
# Exit 0 when every step did what it says; tests/integration/demo.sh runs
# it in make check and checks the lines marked "demo:".
set -u
cd "$(dirname "$0")/.." || exit 1

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root: it creates network namespaces and veth links," >&2
	echo "demo: and fabricd opens AF_XDP sockets. Run: sudo make demo" >&2
	exit 2
fi

. tests/lib/fabric.sh
. tests/lib/fabricd.sh # wait_for, converged (FABRICCTL, SOCK)

POLICY_SRC=examples/demo.yaml
FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl
FABSTAT=$PWD/build/bin/fabstat
GW=0x0002c90300000101 # gw1 in tests/topo/small.net
VMS="a1:tenant-a:va1:10.9.0.1 a2:tenant-a:va2:10.9.0.2 b1:tenant-b:vb1:10.9.0.3"
FD_PID=""
VM_NS=()

die() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

step() {
	printf '\n== %s\n' "$*"
}

# say: an indented line of the story.
say() {
	printf '   %s\n' "$*"
}

cleanup() {
	local n
	[ -z "$FD_PID" ] || fabric_kill_wait "$FD_PID"
	for n in "${VM_NS[@]}"; do ip netns del "$n" 2>/dev/null; done
	fabric_cleanup
}

in_fab() { ip netns exec "$FABRIC_NS" "$@"; }
fctl() { "$FABRICCTL" -s "$SOCK" "$@"; }

# pkey_names: "BASE NAME" for each partition of the policy in force.
pkey_names() {
	echo "7fff Default"
	jq -r '.policy.partitions[] | "\(.pkey[2:]) \(.name)"' "$FABRIC_STATE"
}

# port_parts LID: the partitions of a port's PKey table as "name:full" /
# "name:limited", read with smpquery.
port_parts() {
	local names k base memb name list=""
	names=$(pkey_names)
	for k in $(fabric_pkeys "$1"); do
		base=$(printf '%04x' $((k & 0x7fff)))
		memb=limited
		[ $((k & 0x8000)) -ne 0 ] && memb=full
		name=$(awk -v b="$base" '$1 == b { print $2 }' <<<"$names")
		list="$list ${name:-0x$base}:$memb"
	done
	tr ' ' '\n' <<<"$list" | sort | xargs
}

# table: the channel adapters' ports with their partitions.
table() {
	local g l t d
	printf '   %-6s %-18s %4s  %s\n' NODE "PORT GUID" LID "PARTITIONS (smpquery pkeys)"
	fabric_ports | while read -r g l t d; do
		[ "$t" = ca ] || continue
		printf '   %-6s %-18s %4s  %s\n' "$d" "$g" "$l" "$(port_parts "$l")"
	done
}

# uplink_addrs: "10.20.0.1/24 on up0 (label up0:20)" for each IPv4 address
# on the uplink up0 or its VLAN links up0.<vid>.
uplink_addrs() {
	in_fab ip -j -4 addr show | jq -r '.[] |
		select(.ifname == "up0" or (.ifname | startswith("up0."))) |
		.ifname as $dev | .addr_info[] |
		"\(.local)/\(.prefixlen) on \($dev) (label \(.label))"'
}

start_sm() {
	step "1. The subnet manager: OpenSM + libfabricsm.so assign the partitions"
	cp "$POLICY_SRC" "$FABRIC_DIR/fabric.yaml"
	FABRIC_POLICY=$FABRIC_DIR/fabric.yaml
	fabric_start_sim tests/topo/small.net || die "$FABRIC_ERR"
	say "ibsim (pid $FABRIC_SIM_PID) simulates tests/topo/small.net: 3 switches, 10 HCAs"
	fabric_start_sm && fabric_wait_up && fabric_wait_state 1 ||
		die "$FABRIC_ERR"
	say "opensm (pid $FABRIC_SM_PID) with the plugin and $POLICY_SRC: SUBNET UP"
	table
	say "(gw1 is not in tenant-c yet: step 5 adds it)"
}

# start_gateway: the uplink, fabricd as gw1, and the VMs' namespaces with
# their veth peers in the fabric's namespace (where fabricd runs).
start_gateway() {
	local v n part port ip
	step "2. The gateway: fabricd on gw1 mirrors the partitions its port holds"
	in_fab ip link add up0 type veth peer name up0p
	in_fab ip link set up0 mtu 2044 up # IPoIB's MTU: 2048 - 4
	in_fab ip link set up0p mtu 2044 up
	for v in $VMS; do
		IFS=: read -r n part port ip <<<"$v"
		VM_NS+=("demo$$-$n")
		ip netns add "demo$$-$n" || die "cannot create a network namespace"
		# No IPv6 autoconfiguration chatter (here and on the switch
		# side below) in the counts of step 3.
		ip netns exec "demo$$-$n" sysctl -qw \
			net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "demo$$-$n" link set lo up
		ip -n "demo$$-$n" link add eth0 type veth peer name "$port" \
			netns "$FABRIC_NS"
		ip -n "demo$$-$n" addr add "$ip/24" dev eth0
		ip -n "demo$$-$n" link set eth0 up
		in_fab sysctl -qw "net.ipv6.conf.$port.disable_ipv6=1"
		in_fab ip link set "$port" up
	done
	SIM_HOST=gw1 fabric_bg "$FABRIC_DIR/fabricd.log" "$FABRICD" \
		--policy "$FABRIC_POLICY" --gateway gw1 \
		--state-dir "$FABRIC_DIR/fabricd" \
		--ctl-socket "$SOCK" \
		--pid-file "$FABRIC_DIR/fabricd.pid" --poll-ms 200 --foreground
	FD_PID=$FABRIC_BG_PID
	wait_for 20 converged || die "fabricd did not converge: $(tail -3 "$FABRIC_DIR/fabricd.log")"
	say "fabricd (pid $FD_PID) reads its port's PKeys from the fabric:" \
		"$(fctl -j status | jq -r '.ib.pkeys | join(" ")')"
	say "and puts the gateway's addresses of those partitions on its uplink:"
	uplink_addrs | sed 's/^/     /'
	if [ "$(fctl -j status | jq -r .vlan.supported)" = false ]; then
		say "(this kernel has no 802.1Q, so no up0.<vid> VLAN links: the"
		say " addresses sit on up0 itself, labelled up0:<vid>)"
	else
		say "(on the VLAN links up0.<vid> that fabricd made)"
	fi
}

# ping_vm FROM TO_IP: 0 when FROM's pings to TO_IP are answered.
ping_vm() {
	ip netns exec "demo$$-$1" ping -q -c 3 -i 0.2 -W 1 "$2" >/dev/null 2>&1
}

# vm_rx VM: frames received by the VM's eth0 so far.
vm_rx() {
	ip netns exec "demo$$-$1" cat /sys/class/net/eth0/statistics/rx_packets
}

engine() {
	local v n part port ip b1_rx
	step "3. The forwarding engine: VMs (network namespaces) in two partitions"
	ports_up() {
		[ "$(fctl -j port list 2>/dev/null | jq '[.[] | select(.kind == "netdev" and .state == "up")] | length')" = 4 ]
	}
	wait_for 10 ports_up || die "the engine's ports are not up"
	for v in $VMS; do
		IFS=: read -r n part port ip <<<"$v"
		say "VM $n  $ip  on port $port  in $part"
	done
	say "(one IP subnet for all three: only the engine keeps them apart)"
	if ping_vm a1 10.9.0.2; then
		say "demo: ping a1 -> a2 (both tenant-a): answered"
	else
		die "ping a1 -> a2 (both tenant-a) was not answered"
	fi

	b1_rx=$(vm_rx b1)
	if ping_vm a1 10.9.0.3; then
		die "ping a1 -> b1 (tenant-a -> tenant-b) was answered"
	else
		say "demo: ping a1 -> b1 (tenant-a -> tenant-b): no answer, as it must"
	fi
	say "(b1 received $(($(vm_rx b1) - b1_rx)) frames meanwhile: a1's ARP requests" \
		"stayed in tenant-a)"
}

# doctor: fabstat doctor as gw1, output indented; its exit status.
doctor() {
	local rc
	SIM_HOST=gw1 fabric_exec "$FABSTAT" -t 500 --policy "$FABRIC_POLICY" \
		doctor -s "$SOCK" >"$FABRIC_DIR/doctor.out" \
		2>&1 </dev/null
	rc=$?
	grep -v '^#' "$FABRIC_DIR/doctor.out" | sed 's/^/   /'
	return $rc
}

gw_has_c() { uplink_addrs | grep -q '^10\.40\.0\.1/'; }

live_edit() {
	local lid before after
	step "4. fabstat doctor on gw1: is every partition working?"
	doctor && die "the doctor found no problem with tenant-c"
	step "5. A live policy edit: gw1 joins tenant-c (the doctor's fix)"
	lid=$(fabric_lid_of $GW)
	before=$(port_parts "$lid")
	say "\$ fabricctl --policy fabric.yaml member add tenant-c $GW full"
	"$FABRICCTL" --policy "$FABRIC_POLICY" member add tenant-c $GW full |
		sed 's/^/   /'
	say "\$ kill -HUP $FABRIC_SM_PID   # OpenSM re-reads the policy"
	fabric_sweep || die "$FABRIC_ERR"
	after=$(port_parts "$lid")
	say "fabric (smpquery pkeys $lid): gw1 had $before"
	say "                            now has $after"
	[[ " $after " == *" tenant-c:full "* ]] ||
		die "gw1 does not hold tenant-c on the fabric"
	say "demo: the fabric: gw1 holds tenant-c"
	wait_for 10 gw_has_c || die "fabricd did not add 10.40.0.1/24"
	say "demo: the gateway: fabricd saw the new PKey and added" \
		"$(uplink_addrs | grep '^10\.40\.0\.1/')"
	step "6. fabstat doctor again"
	wait_for 10 converged
	doctor || die "the doctor still finds a problem"
	say "demo: fabstat doctor: healthy"
}

main() {
	command -v jq >/dev/null || die "jq is missing (make deps)"
	[ -x "$FABRICD" ] && [ -x "$FABSTAT" ] && [ -x "$FABRICCTL" ] &&
		[ -f build/lib/libfabricsm.so ] || die "not built (make)"
	FABRIC_NO_TRAP=1
	fabric_init || die "$FABRIC_ERR"
	SOCK=$FABRIC_DIR/fabricd.ctl
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	echo "fabricd demo: one policy ($POLICY_SRC) for an InfiniBand fabric"
	echo "(simulated) and an Ethernet gateway. Work files: $FABRIC_DIR"
	echo "(removed at the end; FABRIC_KEEP=1 keeps them)."
	start_sm
	start_gateway
	engine
	live_edit
	step "Stopping fabricd ($FD_PID), opensm ($FABRIC_SM_PID), ibsim ($FABRIC_SIM_PID), the VMs"
	cleanup
	FD_PID=""
	VM_NS=()
	echo "demo: OK"
}

main "$@"
