#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The forwarding engine in real network namespaces. VMs are namespaces
# behind veth pairs whose switch ends live in the namespace "sw", where the
# engine runs; tenant-a (VID 20) has a1, a2 (full) and l1, l2 (limited),
# tenant-b (VID 30) has b1. All VMs share ONE IP subnet, so a leak between
# partitions would show as a working ping. The trunk "vt" leads to the
# namespace "ext", standing for the Ethernet switch: tshark there checks
# the tags, a raw socket (python3) sends tagged and bad frames into it.
#
# The engine runs in fabricd itself (--no-ib: an Ethernet-only host).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/offloads.sh
. tests/lib/netns.sh

PY=/usr/bin/python3
# ping is what the "fails" checks rely on: never run them without it.
netns_require tshark jq ethtool ping $PY

netns_init datapath
# pings NS ARGS...: ping quietly from NS; status as ping's.
pings() {
	local n=$1
	shift
	ip netns exec "$P-$n" ping -q "$@" >/dev/null 2>&1
}
# MACs by VM name: 02:00:00:00:00:<a1|a2|a3|b1|b2|c1 (l1)|c2 (l2)>.
mac_of() {
	case $1 in
	l1) echo 02:00:00:00:00:c1 ;;
	l2) echo 02:00:00:00:00:c2 ;;
	*) echo "02:00:00:00:00:$1" ;;
	esac
}

# AF_XDP where the kernel allows it; FABRICD_NO_XDP=1 forces AF_PACKET
# (tests/integration/datapath_afpacket.sh runs this script so).
WANT_MODE=af_xdp
[ -n "${FABRICD_NO_XDP:-}" ] && WANT_MODE=af_packet+vnet
# xdp_host_offloads NAME: on AF_PACKET the namespaces keep their default
# offloads: the port carries a frame's checksum and GSO state (the
# virtio-net header). In AF_XDP mode they model hosts that do NOT offload
# (tx-checksumming off: they send finished frames): fabricd takes AF_XDP
# and the fast path on a veth only when its peer cannot send partial
# checksums (eth/veth_csum.h), so without this the AF_XDP mode and the
# fast path would not be reached here at all. Hosts with DEFAULT offloads
# through the default mode (AF_PACKET then, chosen per port) are
# tests/integration/datapath_offloads.sh. VMs never sit there: their taps always run
# AF_PACKET with the header (status "af_packet+vnet"; xdp_open refuses
# taps), with offloads on: tests/integration/vm_guests.sh,
# vm_tap_create.sh, and the tap port of this test (tb2).
xdp_host_offloads() {
	[ $WANT_MODE = af_xdp ] || return 0
	in_ns "$1" ethtool -K eth0 tx off tso off gso off >/dev/null 2>&1
	far_side "$1"
}
# The XDP fast path (on unless FABRICD_NO_FASTPATH=1; datapath_xdp_slow.sh
# runs this script so) redirects frames into the VM's veth end, which
# takes them only with NAPI: GRO on (the far-side setting of issue 17).
FAST=0
[ $WANT_MODE = af_xdp ] && [ -z "${FABRICD_NO_FASTPATH:-}" ] && FAST=1
far_side() {
	[ $FAST = 1 ] || return 0
	in_ns "$1" ethtool -K eth0 gro on >/dev/null 2>&1
}

# vm NAME IP: a namespace with eth0, its peer v<NAME> in sw.
NETNS_PREUP=xdp_host_offloads
vm() { netns_veth "$1" "v$1" "$(mac_of "$1")" "$2/24"; }

mkns sw
vm a1 10.9.0.1
vm a2 10.9.0.2
vm b1 10.9.0.3
vm l1 10.9.0.11
vm l2 10.9.0.12
ext_trunk

{
	two_tenant_policy datapath vt
	cat <<'EOF'
ports:
  - { name: va1, partition: tenant-a, membership: full }
  - { name: va2, partition: tenant-a, membership: full }
  - { name: vb1, partition: tenant-b, membership: full }
  - { name: vl1, partition: tenant-a, membership: limited }
  - { name: vl2, partition: tenant-a, membership: limited }
EOF
} >"$D/fabric.yaml"

# inject NS COUNT DST SRC MIDDLE_HEX [PAYLOAD]: raw frames out of eth0.
cat >"$D/inject.py" <<'EOF'
import socket, sys
dev, count, dst, src, mid = sys.argv[1:6]
pay = int(sys.argv[6]) if len(sys.argv) > 6 else 46
mac = lambda m: bytes.fromhex(m.replace(":", ""))
frame = mac(dst) + mac(src) + bytes.fromhex(mid) + bytes(range(pay % 256)) * (pay // 256) + bytes(pay % 256)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
for _ in range(int(count)):
    s.send(frame)
EOF
inject() {
	local n=$1
	shift
	in_ns "$n" $PY "$D/inject.py" eth0 "$@"
}

netns_fabricd sw
diag "engine in $(basename "$FABRICD")"
check "engine up: 6 ports open (5 access, 1 trunk)" wait_ports_up 6
check_eq "netdev ports run in $WANT_MODE mode" "$WANT_MODE" \
	"$(fctl -j port list | jq -r '[.[].mode] | unique | join(",")')"
check_eq "partitions come from the policy (Ethernet-only)" "policy" \
	"$(fctl -j stats | jq -r .partitions_from)"

# cap NS NAME: tshark on NS's eth0 into $D/NAME.pcap until stopcap NAME.
declare -A CAP
cap() {
	# Not through in_ns: $! must be tshark itself (ip netns exec execs).
	ip netns exec "$P-$1" tshark -q -i eth0 -w "$D/$2.pcap" \
		>"$D/$2.log" 2>&1 &
	CAP[$2]=$!
	PIDS+=($!)
	for _ in $(seq 100); do
		grep -q "Capturing on" "$D/$2.log" && return 0
		sleep 0.1
	done
	return 1
}
# Background jobs ignore SIGINT: stop tshark with SIGTERM (it flushes).
stopcap() {
	sleep 0.5
	kill -TERM "${CAP[$1]}" 2>/dev/null
	wait "${CAP[$1]}" 2>/dev/null
}
count() { tshark -r "$D/$1.pcap" -Y "$2" 2>/dev/null | wc -l; }
rxp() { in_ns "$1" cat /sys/class/net/eth0/statistics/rx_packets; }
stat() { fctl -j stats | jq "$1"; }

cap b1 b1
cap ext ext
cap a2 a2
check "ping a1 -> a2 (same partition)" \
	pings a1 -c 3 -i 0.2 -W 2 10.9.0.2

# TCP: 4 MiB from a1 to a2, checked by digest.
head -c 4194304 /dev/urandom >"$D/blob"
in_ns a2 $PY -c '
import socket, hashlib
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.9.0.2", 5001)); s.listen(1); s.settimeout(30)
c, _ = s.accept(); c.settimeout(30); h = hashlib.sha256()
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b)
print(h.hexdigest())' >"$D/tcp.out" &
TCP_PID=$!
PIDS+=($TCP_PID)
sleep 0.5
in_ns a1 $PY -c '
import socket, sys
s = socket.create_connection(("10.9.0.2", 5001), timeout=20)
s.sendall(open(sys.argv[1], "rb").read()); s.close()' "$D/blob"
wait $TCP_PID
check_eq "TCP transfer a1 -> a2 (4 MiB, sha256)" \
	"$(sha256sum <"$D/blob" | cut -d' ' -f1)" "$(cat "$D/tcp.out")"

! pings a1 -c 2 -i 0.2 -W 1 10.9.0.3
check_eq "ping a1 -> b1 (other partition, same subnet) fails" 0 $?
# b1 talks too (ARP for a host nobody has): its frames leave on VID 30.
pings b1 -c 1 -W 1 10.9.0.99
# Broadcasts and a priority-tagged frame (VID 0, PCP 6) from a1.
inject a1 50 ff:ff:ff:ff:ff:ff "$(mac_of a1)" 88b5
inject a1 1 ff:ff:ff:ff:ff:ff "$(mac_of a1)" 8100c00088b5
stopcap b1
stopcap ext
stopcap a2

A_SRC="eth.src==$(mac_of a1) || eth.src==$(mac_of a2)"
A_SRC="$A_SRC || eth.src==$(mac_of l1) || eth.src==$(mac_of l2)"
check_eq "b1 captured nothing from tenant-a (no ARP, no broadcast)" 0 \
	"$(count b1 "$A_SRC")"
check_eq "b1 captured only its own partition's frames" 0 \
	"$(count b1 "!(eth.src==$(mac_of b1))")"
check_eq "a2 got the 51 broadcasts of a1, untagged" 51 \
	"$(count a2 "eth.type==0x88b5 && !vlan && eth.src==$(mac_of a1)")"
diag "a1 frames on the trunk: $(count ext "eth.src==$(mac_of a1)"), VID 20: $(count ext "eth.src==$(mac_of a1) && vlan.id==20")"
check "trunk: a1's frames carry VID 20 (tshark on the far end)" \
	test "$(count ext "eth.src==$(mac_of a1) && vlan.id==20")" -gt 50
check_eq "trunk: no a1 frame without VID 20" 0 \
	"$(count ext "eth.src==$(mac_of a1) && !(vlan.id==20)")"
check "trunk: b1's frames carry VID 30" \
	test "$(count ext "eth.src==$(mac_of b1) && vlan.id==30")" -gt 0
check_eq "trunk: no b1 frame without VID 30" 0 \
	"$(count ext "eth.src==$(mac_of b1) && !(vlan.id==30)")"
check_eq "trunk: the priority-tagged frame keeps PCP 6 on VID 20" 1 \
	"$(count ext "vlan.priority==6 && vlan.id==20 && vlan.etype==0x88b5")"

# Trunk ingress: counts against fabricd's counters and the VMs' kernels.
b1_rx=$(rxp b1)
a1_rx=$(rxp a1)
vt_rx=$(stat '.ports[] | select(.name=="vt") | .rx_packets')
tb_rx=$(stat '.partitions[] | select(.name=="tenant-b") | .rx_packets')
inject ext 20 ff:ff:ff:ff:ff:ff 02:00:00:00:ee:30 8100a01e88b5
b1_got() { echo $(($(rxp b1) - b1_rx)); }
check_eq "20 frames on VID 30 reach b1 (its kernel's count)" 20 \
	"$(wait_eq 20 b1_got)"
check_eq "... and not a1" 0 $(($(rxp a1) - a1_rx))
check_eq "... trunk rx counter" 20 \
	$(($(stat '.ports[] | select(.name=="vt") | .rx_packets') - vt_rx))
check_eq "... tenant-b rx counter" 20 $(($(stat \
	'.partitions[] | select(.name=="tenant-b") | .rx_packets') - tb_rx))
check_eq "... vb1 sent them: tx counter equals the kernel's" \
	"$(rxp b1)" \
	"$(($(stat '.ports[] | select(.name=="vb1") | .tx_packets')))"

# Bad input on the trunk: dropped and counted by reason.
inject ext 5 ff:ff:ff:ff:ff:ff 02:00:00:00:ee:30 8100006388b5 # VID 99
inject ext 3 ff:ff:ff:ff:ff:ff 02:00:00:00:ee:30 88b5         # untagged
inject ext 2 ff:ff:ff:ff:ff:ff 02:00:00:00:ee:30 81000014810000150800
inject ext 1 ff:ff:ff:ff:ff:ff 02:00:00:00:ee:30 88a800140800 # S-tag
inject ext 1 ff:ff:ff:ff:ff:ff 02:00:00:00:ee:30 8100001405ff # garbage
inject ext 1 ff:ff:ff:ff:ff:ff 03:00:00:00:ee:30 8100001488b5 # mc src
vt_drops() {
	fctl -j stats | jq -c '.ports[] | select(.name=="vt") | .drops |
		{unknown_vid, untagged, bad_tag, bad_ethertype, bad_src}'
}
DROPS='{"unknown_vid":5,"untagged":3,"bad_tag":3,"bad_ethertype":1,"bad_src":1}'
check_eq "drops by reason on the trunk" "$DROPS" "$(wait_eq "$DROPS" vt_drops)"
check_eq "a1 got none of the bad frames" 0 $(($(rxp a1) - a1_rx))

# Limited members: never each other, always the full members.
pings l2 -c 1 -W 2 10.9.0.2
check "ping l1 -> a1 (limited to full)" pings l1 -c 2 -W 2 10.9.0.1
! pings l1 -c 2 -i 0.2 -W 1 10.9.0.12
check_eq "ping l1 -> l2 (limited to limited) fails" 0 $?
in_ns l1 ip neigh replace 10.9.0.12 lladdr "$(mac_of l2)" dev eth0
! pings l1 -c 2 -i 0.2 -W 1 10.9.0.12
check_eq "... also with l2's MAC known (unicast)" 0 $?
check "... dropped as isolation" \
	test "$(stat '.drops.isolation')" -ge 2

# MAC moves and aging. a1 and a2 know each other's MAC for good: no ARP
# probe of theirs (5 s after the last use of an entry) moves a2's MAC
# back behind the test's back.
in_ns a1 ip neigh replace 10.9.0.2 lladdr "$(mac_of a2)" dev eth0 nud permanent
in_ns a2 ip neigh replace 10.9.0.1 lladdr "$(mac_of a1)" dev eth0 nud permanent
pings a2 -c 1 -W 2 10.9.0.1
fdb_port() {
	fctl -j fdb show partition tenant-a |
		jq -r ".[] | select(.mac==\"$1\") | .port"
}
check_eq "fdb: a2 learned on va2" va2 "$(fdb_port "$(mac_of a2)")"
vt_rx=$(stat '.ports[] | select(.name=="vt") | .rx_packets')
moved=$(stat .fdb.moved)
inject ext 1 ff:ff:ff:ff:ff:ff "$(mac_of a2)" 8100001488b5
check_eq "fdb: a2's MAC moves to the trunk" vt \
	"$(wait_eq vt fdb_port "$(mac_of a2)")"
# (Seen failing 1 run in 8 on a loaded machine, cause not found yet.)
[ "$(fdb_port "$(mac_of a2)")" = vt ] || diag "vt rx +$(($(stat \
	'.ports[] | select(.name=="vt") | .rx_packets') - vt_rx)), fdb moved" \
	"+$(($(stat .fdb.moved) - moved)), vt drops $(fctl -j stats |
		jq -c '.ports[] | select(.name=="vt") | .drops | with_entries(select(.value > 0))')"
pings a2 -c 1 -W 2 10.9.0.1
check_eq "fdb: and back to va2" va2 "$(fdb_port "$(mac_of a2)")"
check "fdb: moves counted" test "$(stat '.fdb.moved')" -ge 2
# A MAC that says nothing more (the VMs' ARP may speak up any time). The
# aging time is short only here: on a loaded machine 1.5 s aged a2's MAC
# out between the checks above.
fctl fdb aging 3000 >/dev/null
inject ext 1 ff:ff:ff:ff:ff:ff 02:00:00:00:ee:77 8100001488b5
check_eq "fdb: a MAC learned on the trunk" vt \
	"$(wait_eq vt fdb_port 02:00:00:00:ee:77)"
sleep 4
check_eq "fdb: it aged out after 3 s of silence" "" \
	"$(wait_eq "" fdb_port 02:00:00:00:ee:77)"
check "fdb: aging counted" test "$(stat '.fdb.aged')" -ge 1
fctl fdb aging 300000 >/dev/null

# Ports added and removed at run time while a1 -> a2 traffic flows.
ring_drops() {
	fctl -j stats | jq '[.ports[] | select(.name=="va1" or .name=="va2") |
		.kernel_rx_dropped // 0] | add'
}
RING0=$(ring_drops)
in_ns a1 ping -q -c 300 -i 0.01 -W 1 10.9.0.2 >"$D/flow.out" 2>&1 &
FLOW=$!
PIDS+=($FLOW)
vm a3 10.9.0.5
fctl port add va3 partition tenant-a >/dev/null
check "port add va3 at run time: a3 reaches a1" \
	pings a3 -c 2 -W 2 10.9.0.1
fctl port del va3
! pings a3 -c 2 -i 0.2 -W 1 10.9.0.1
check_eq "port del va3: a3 is cut off" 0 $?
mkns b2
fctl port add tb2 partition tenant-b tap >/dev/null
ip -n "$P-sw" link set tb2 netns "$P-b2"
ip -n "$P-b2" addr add 10.9.0.4/24 dev tb2
ip -n "$P-b2" link set tb2 up
check "tap port made by the engine: b2 reaches b1" \
	pings b2 -c 2 -W 2 10.9.0.3
check_eq "tap port mode shown: with the virtio-net header" tap+vnet \
	"$(fctl -j port list | jq -r '.[] | select(.name=="tb2") | .mode')"
ol=$(fctl -j port show tb2 | jq -r '.tap_offloads | join(",")')
check "tap port: the offloads its TUNSETOFFLOAD got include csum, TSO ($ol)" \
	bash -c "[[ '$ol' == tx-checksum,tso4,tso6,tso-ecn* ]]"
check_eq "tap port: those offloads are the kernel's (ethtool -k in b2)" \
	"$(ethtool_offloads tb2 "$P-b2")" "$ol"
wait $FLOW
# Frames the kernel dropped because va1's or va2's receive ring was full
# are no loss of the engine's: the AF_PACKET ring (16 blocks, each closed
# after 1 ms) holds 16 frames at 100/s, so a forwarding thread starved of
# the CPU for 160 ms (a loaded 2-core CI machine) overflows it; the port
# counts them (kernel_rx_dropped). Any other loss fails.
GOT=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$D/flow.out")
LOST=$((300 - ${GOT:-0}))
RING=$(($(ring_drops) - RING0))
check "a1 -> a2 lost no frame meanwhile (300 pings; lost $LOST, the kernel's ring dropped $RING)" \
	[ "$LOST" -le "$RING" ]
[ "$LOST" = 0 ] || diag "$(cat "$D/flow.out")"

# A VM restarts: its interface goes away and comes back under the same name.
port_state() {
	fctl -j port list | jq -r ".[] | select(.name==\"$1\") | .state"
}
ip -n "$P-b1" link del eth0
for _ in $(seq 30); do [ "$(port_state vb1)" = absent ] && break; sleep 0.1; done
check_eq "vb1 deleted under the engine: shown absent" absent \
	"$(port_state vb1)"
ip -n "$P-b1" link add eth0 type veth peer name vb1 netns "$P-sw"
ip -n "$P-b1" link set eth0 address "$(mac_of b1)"
ip -n "$P-b1" addr add 10.9.0.3/24 dev eth0
xdp_host_offloads b1
ip -n "$P-b1" link set eth0 up
ip -n "$P-sw" link set vb1 up
for _ in $(seq 60); do [ "$(port_state vb1)" = up ] && break; sleep 0.1; done
check_eq "vb1 back: reopened by the engine" up "$(port_state vb1)"
check "b2 reaches b1 again" pings b2 -c 2 -W 2 10.9.0.3

# Unicast between AF_XDP ports hands buffers over; floods need a buffer per
# port that keeps it (AF_XDP); AF_PACKET and taps send synchronously.
if [ $WANT_MODE = af_packet+vnet ]; then
	check_eq "no payload byte copied by the engine" 0 \
		"$(stat .bytes_copied)"
else
	diag "bytes copied (floods to AF_XDP ports): $(stat .bytes_copied)"
fi
# A poisoned fast-path map entry: tenant-b's b1 learned in tenant-a's
# partition on vb1. The program must check the ingress port's partition
# itself: a1's unicast to b1 must not reach b1 through it.
fdb_map() {
	local prog
	prog=$(ip -n "$P-sw" -j link show va1 | jq '.[0].xdp.prog.id')
	for m in $(bpftool prog show id "$prog" -j | jq '.map_ids[]'); do
		[ "$(bpftool map show id "$m" -j | jq -r .name)" = fdb ] &&
			echo "$m" && return 0
	done
	return 1
}
# fdb_entry MAP MAC: "PART SLOT" of MAC's entry (one partition).
fdb_entry() {
	local k
	k=$(for b in ${2//:/ }; do printf '%d,' "0x$b"; done)
	bpftool map dump id "$1" -j | jq -r --arg k "[${k%,}]" '.[] |
		select((.formatted.key.mac | tojson) == $k) |
		"\(.formatted.key.part) \(.formatted.value.slot)"'
}
# hexbytes MAC: its bytes as bpftool takes them.
hexbytes() { for b in ${1//:/ }; do printf '0x%s ' "$b"; done; }
poison_check() {
	local map a b before
	map=$(fdb_map) || { check "fast-path fdb map found" false; return; }
	pings b1 -c 1 -W 1 10.9.0.99 # b1's entry on vb1
	a=$(fdb_entry "$map" "$(mac_of a1)")
	b=$(fdb_entry "$map" "$(mac_of b1)")
	set -- $a $b # a1's partition and slot, b1's
	[ $# = 4 ] && [ "$1" != "$3" ] ||
		{ check "a1 and b1 in the fast-path map ($a/$b)" false; return; }
	bpftool map update id "$map" key $(hexbytes "$(mac_of b1)") \
		$(($1 & 255)) $(($1 >> 8)) value $(($4 & 255)) 0 0 0 \
		0 0 0 0 0 0 0 0 0 0 0 0
	check_eq "poisoned entry in the map: b1 in a1's partition on b1's port" \
		"$1 $4" "$(fdb_entry "$map" "$(mac_of b1)" | grep "^$1 ")"
	in_ns a1 ip neigh replace 10.9.0.3 lladdr "$(mac_of b1)" dev eth0
	before=$(xdp_rx va1 "to_engine.slow_egress")
	cap b1 poison
	! pings a1 -c 3 -i 0.2 -W 1 10.9.0.3
	check_eq "poisoned map entry: a1 -> b1 still fails" 0 $?
	stopcap poison
	check_eq "poisoned map entry: no frame of a1 reached b1" 0 \
		"$(count poison "eth.src==$(mac_of a1)")"
	check "poisoned map entry: the program sent them to the engine" \
		test "$(xdp_rx va1 "to_engine.slow_egress")" -gt "$before"
	in_ns a1 ip neigh del 10.9.0.3 dev eth0
}
# Unicast between b1 and a host behind the trunk (ee:30, VID 30), both
# learned a moment before: tag pushed, tag popped.
trunk_fast_check() {
	local ext_tx b1_tx
	cap ext fast_ext
	cap b1 fast_b1
	pings b1 -c 1 -W 1 10.9.0.99
	inject ext 1 ff:ff:ff:ff:ff:ff 02:00:00:00:ee:30 8100001e88b5
	ext_tx=$(xdp_rx vt tx_packets)
	b1_tx=$(xdp_rx vb1 tx_packets)
	inject b1 5 02:00:00:00:ee:30 "$(mac_of b1)" 88b5
	inject ext 5 "$(mac_of b1)" 02:00:00:00:ee:30 8100001e88b5
	stopcap fast_ext
	stopcap fast_b1
	check "b1 -> trunk: forwarded in the kernel" \
		test "$(xdp_rx vt tx_packets)" -ge $((ext_tx + 5))
	check_eq "... tagged with VID 30 on the trunk" 5 "$(count fast_ext \
		"vlan.id==30 && eth.src==$(mac_of b1) && vlan.etype==0x88b5")"
	check "trunk -> b1: forwarded in the kernel" \
		test "$(xdp_rx vb1 tx_packets)" -ge $((b1_tx + 5))
	check_eq "... untagged at b1" 5 "$(count fast_b1 \
		"eth.src==02:00:00:00:ee:30 && eth.dst==$(mac_of b1) &&
		eth.type==0x88b5 && !vlan")"
	diag "$(fctl -j port list | jq -c '.[] | select(.name=="vt" or
		.name=="vb1") | {name, fast_path, mode_reason, xdp}')"
}
# A mirror session on va1's received frames: they go through the engine
# (which copies them) while it lasts, so the mirror misses none.
fast_of() {
	fctl -j port list | jq ".[] | select(.name==\"$1\") | .fast_path"
}
mirror_fast_check() {
	local rx
	fctl mirror add fastm from va1 rx to pcap "$D/fastm.pcap" >/dev/null
	check_eq "mirror on va1 rx: its fast path off" false "$(fast_of va1)"
	rx=$(xdp_rx va1 rx_packets)
	pings a1 -c 5 -i 0.1 -W 1 10.9.0.2
	check "... a1's 5 pings all mirrored" test "$(fctl -j mirror list |
		jq '.[] | select(.name=="fastm") | .mirrored')" -ge 5
	check_eq "... none forwarded in the kernel" "$rx" \
		"$(xdp_rx va1 rx_packets)"
	fctl mirror del fastm >/dev/null
	check_eq "mirror gone: va1's fast path on again" true "$(fast_of va1)"
}
# The fast path: known unicast stayed in the kernel, isolation held there.
xdp_rx() {
	fctl -j port list | jq ".[] | select(.name==\"$1\") | .xdp.$2"
}
if [ $FAST = 1 ]; then
	fctl fdb aging 300000 >/dev/null # back from 3 s: no MAC ages below
	check_eq "fast path on for every veth port" true \
		"$(fctl -j port list | jq '[.[] | select(.kind=="netdev") |
			.fast_path] | all')"
	check "known unicast a1 -> a2 forwarded in the kernel" \
		test "$(xdp_rx va1 rx_packets)" -gt 100
	trunk_fast_check
	mirror_fast_check
	fctl flow export 127.0.0.1:9 >/dev/null # nobody listens: UDP
	check_eq "IPFIX export on: fast path off (export sees every frame)" \
		false "$(fast_of va1)"
	fctl flow export off >/dev/null
	check_eq "IPFIX export off: fast path on again" true "$(fast_of va1)"
	poison_check
else
	check_eq "fast path off: nothing forwarded in the kernel" 0 \
		"$(fctl -j stats | jq '.xdp.rx_packets // 0')"
fi
fctl port del nosuch 2>/dev/null
check_eq "port del of an unknown port is refused (exit 1)" 1 $?
check "text output: port list" sh -c "$FABRICCTL -s $SOCK port list |
	grep -q '^va1 .*$WANT_MODE'"
check "text output: stats" sh -c "$FABRICCTL -s $SOCK stats |
	grep -q '^bytes copied: [0-9]'"
kill -0 "${PIDS[0]}"
check_eq "engine still running" 0 $?
check_eq "forwarding threads as FABRICD_THREADS asks" \
	"$(netns_threads_expected)" "$(fctl -j stats | jq .threads)"
grep -q "runtime error\|AddressSanitizer" "$D/fabricd.log" &&
	diag "$(cat "$D/fabricd.log")"
fctl -j stats | jq -c "{drops, ports: [.ports[] | {name, rx_packets, tx_packets, kernel_rx_dropped}]}" | sed "s/^/# /"
[ -n "${DATAPATH_KEEP_LOG:-}" ] && cp "$D/fabricd.log" "$DATAPATH_KEEP_LOG"
tap_done
