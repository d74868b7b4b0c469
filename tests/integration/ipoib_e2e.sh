#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end over rdma_rxe in the qemu testbed: an Ethernet host behind
# gateway A, an IB-side host behind gateway B, A and B joined only by IPoIB
# on soft-RoCE (rxe0 and rxe1 on the two ends of a veth pair). Two
# partitions, ta (0x1001) and tb (0x1002), each with a host on either side.
#
#   heth (ta) --he-- [A] ==rxe0 IPoIB rxe1== [B] --hi-- hib (ta)
#   hx   (tb) --hx-- [A]                     [B] --ho-- ho  (tb)
#
# A and B are build/bin/fabricd: A takes its IB device from the policy
# (ib_device), B from --ib-dev; on RoCE both carry every partition of the
# policy and make one ipoib port per partition. Checks: ping and a TCP
# transfer both ways in ta; tb hosts reach each other; nothing of ta
# reaches tb's hosts or tb's QPs; neighbours visible through `fabricctl
# neigh show`. A third gateway C with a wrong Q_Key is ipoib-tool gw
# (fabricd has no Q_Key knob).
#
# The PKeys are above 4094, so the partitions have no VLAN: each fabricd's
# reconciler then wants no link on its uplink. Two fabricds in one network
# namespace would otherwise delete each other's "fabricd:ta" VLAN links
# (rxe works only in the guest's root namespace).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main 400 build/tests/ipoib-tool build/bin/fabricd python3

# ---- in the guest ----
TOOL=$PWD/build/tests/ipoib-tool
CTL="python3 $PWD/tests/bench/ipoib/ctl.py"
. tests/lib/rxe.sh
cleanup() {
	kill_pids
	for n in heth hib hx ho hq htap; do ip netns del $n 2>/dev/null; done
	ip link del upa 2>/dev/null
	ip link del upb 2>/dev/null
	rxe_pair_del
	rm -rf "$W"
}
trap cleanup EXIT

# host NS IFNAME PEER ADDR [OFFLOADS]: a namespace with one veth end at
# ADDR/24, the other end (PEER) in ours for a gateway; IPv6 off on both ends
# so that nothing but the test's traffic moves. Gateway A runs its Ethernet
# ports on AF_PACKET, which carries the virtio-net header: its hosts keep
# their offloads (OFFLOADS "on"), and A completes their partial checksums
# and cuts their TSO super-frames for IPoIB. B's ports run AF_XDP, which
# cannot carry that state: its hosts model hosts that are not VMs (a
# container or bare-metal neighbour on a veth, AF_XDP's non-offload fast
# path) and compute whole frames (tx off). A VM always attaches through a
# tap, which never runs AF_XDP: the tap host htap behind A below.
host() {
	ip netns add "$1"
	ip link add "$3" type veth peer name "$2" netns "$1"
	sysctl -qw "net.ipv6.conf.$3.disable_ipv6=1"
	ip link set "$3" up
	[ "${5:-off}" = on ] || ip netns exec "$1" ethtool -K "$2" tx off >/dev/null
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$1" link set "$2" up
	ip -n "$1" addr add "$4/24" dev "$2"
}

# ipoib_stat SOCK PORT KEY: a counter of an ipoib port of fabricd SOCK;
# tool_stat: the same of an ipoib-tool gw
ipoib_stat() { $CTL "$1" ipoib/stats | jq -r ".ipoib[\"$2\"].$3"; }
tool_stat() { $CTL "$1" gw/stats | jq -r ".ipoib[\"$2\"].$3"; }
# mirror_check: the pcap of the mirror "ib" of A, after the pings: as many
# frames as it mirrored, link type 242, each dissected by tshark as IPoIB
# (GRH, IPoIB header) carrying IPv4 (ICMP or ARP), none malformed.
mirror_check() {
	local ml n proto
	ml=$($FCTL -s "$W/a.sock" -j mirror list)
	n=$(jq -r '.[0].mirrored' <<<"$ml")
	$FCTL -s "$W/a.sock" mirror del ib # flushes and closes the file
	check_eq "mirror ib: linktype 242 (LINKTYPE_IPOIB)" 242 \
		"$(jq -r '.[0].linktype' <<<"$ml")"
	check "mirror ib: frames mirrored ($n), none lost" \
		[ "${n:-0}" -ge 8 -a "$(jq -r '.[0].dropped_error' <<<"$ml")" = 0 ]
	check_eq "pcap: link type 242 in the file header" 242 \
		"$(od -An -tu4 -j20 -N4 "$W/ib.pcap" | tr -d ' ')"
	check_eq "tshark reads as many frames as were mirrored" "$n" \
		"$(tshark -r "$W/ib.pcap" 2>/dev/null | wc -l)"
	proto=$(tshark -r "$W/ib.pcap" -T fields -e frame.protocols 2>/dev/null |
		sort -u | paste -sd ' ')
	diag "tshark: $proto"
	check "tshark dissects every frame as IPoIB carrying IP or ARP" \
		bash -c "[ -n '$proto' ] && ! tr ' ' '\n' <<<'$proto' | grep -qvE '^ipoib:(ip:icmp(:data)?|arp)\$'"
	check "tshark -V shows the IPoIB layers (GRH, IPoIB type)" \
		bash -c "tshark -r $W/ib.pcap -V 2>/dev/null | grep -q 'IP over Infiniband' &&
			tshark -r $W/ib.pcap -V 2>/dev/null | grep -q 'Global Route Header' &&
			tshark -r $W/ib.pcap -V 2>/dev/null | grep -q 'Type: IPv4 (0x0800)'"
	tshark -r "$W/ib.pcap" -c 1 -V -O ipoib 2>/dev/null | sed -n '/^IP over/,/^Internet/p' |
		sed 's/^/# first frame: /'
	# the GIDs of the UD buffers: every ping crosses between A's port
	# and B's (rxe1): one of its GIDs is rxe1's, the other A's, never 0
	local g1 rows
	g1=$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]))' \
		"$(cat /sys/class/infiniband/rxe1/ports/1/gids/0)")
	rows=$(tshark -r "$W/ib.pcap" -Y icmp -T fields -e ipoib.grh.sgid \
		-e ipoib.dgid 2>/dev/null)
	diag "ICMP GRH source, destination GIDs: $(sort -u <<<"$rows" | paste -sd '|') (rxe1: $g1)"
	check "ICMP GRHs: rxe1's GID on one side, A's (not zero) on the other" \
		python3 -c '
import sys
g1 = sys.argv[1]
rows = [l.split("\t") for l in sys.stdin.read().splitlines() if l]
other = {s if d == g1 else d for s, d in rows}
bad = not rows or any((s == g1) == (d == g1) for s, d in rows)
sys.exit(bad or len(other) != 1 or "::" in other)' "$g1" <<<"$rows"
	check_eq "no malformed frames" 0 \
		"$(tshark -r "$W/ib.pcap" -Y _ws.malformed 2>/dev/null | wc -l)"
	check_eq "the file is 0600" 600 "$(stat -c %a "$W/ib.pcap")"
}

check "rxe0 and rxe1 on a veth pair (MTU 4500: rxe active MTU 4096)" rxe_pair
host heth he0 he1 10.20.0.1 on
host hib hi0 hi1 10.20.0.2
host hx hx0 hx1 10.20.0.3 on
host ho ho0 ho1 10.20.0.4

# policy GW IBDEV PORT...: a policy with gateway GW (IB device IBDEV, or
# none) and access ports PORT (NAME:PARTITION)
policy() {
	local gw=$1 dev=$2 p
	shift 2
	printf 'fabric: { name: e2e }\npartitions:\n'
	printf '  - { name: ta, pkey: 0x1001 }\n  - { name: tb, pkey: 0x1002 }\n'
	printf 'gateways:\n  - { name: %s, uplink: up%s%s }\n' "$gw" "${gw#gw}" \
		"${dev:+, ib_device: $dev, ib_port: 1}"
	printf 'ports:\n'
	for p; do printf '  - { name: %s, partition: %s }\n' "${p%%:*}" "${p#*:}"; done
}
# gateway X POLICY-ARGS -- FABRICD-ARGS: fabricd X with its own files; its
# uplink upX is a veth that carries nothing (no partition has a VLAN).
gateway() {
	local x=$1 pa=()
	shift
	while [ "$1" != -- ]; do pa+=("$1"); shift; done
	shift
	ip link add "up$x" type veth peer name "up$x-p"
	sysctl -qw "net.ipv6.conf.up$x.disable_ipv6=1" "net.ipv6.conf.up$x-p.disable_ipv6=1"
	ip link set "up$x" up
	ip link set "up$x-p" up
	policy "gw$x" "${pa[@]}" >"$W/$x.yaml"
	env ${GW_ENV:-} $FABRICD -f -c "$W/$x.yaml" -g "gw$x" -s "$W/$x.sock" \
		-S "$W/$x.state" -p "$W/$x.pid" "$@" >"$W/$x.log" 2>&1 &
	PIDS+=($!)
}
GW_ENV=FABRICD_NO_XDP=1 gateway a rxe0 he1:ta hx1:tb --
gateway b "" hi1:ta ho1:tb -- --ib-dev rxe1 --ib-port 1
for _ in $(seq 150); do
	ports_up "$W/a.sock" rxe0.9001 rxe0.9002 he1 hx1 &&
		ports_up "$W/b.sock" rxe1.9001 rxe1.9002 hi1 ho1 && break
	sleep 0.2
done
check "fabricd A: ipoib ports rxe0.9001, rxe0.9002 up (ib_device in the policy)" \
	ports_up "$W/a.sock" rxe0.9001 rxe0.9002 he1 hx1
check "fabricd B: ipoib ports rxe1.9001, rxe1.9002 up (--ib-dev)" \
	ports_up "$W/b.sock" rxe1.9001 rxe1.9002 hi1 ho1
pl=$($FCTL -s "$W/a.sock" -j port list)
check_eq "port list: rxe0.9001 is kind ipoib, ud-roce, access port of ta" \
	"ipoib ud-roce access ta policy" \
	"$(jq -r '.[] | select(.name == "rxe0.9001") | "\(.kind) \(.mode) \(.role) \(.partition) \(.source)"' <<<"$pl")"
check_eq "A's Ethernet port he1 carries the virtio-net header" \
	af_packet+vnet "$(jq -r '.[] | select(.name == "he1") | .mode' <<<"$pl")"
check_eq "port list: rxe0.9002 is in tb" tb \
	"$(jq -r '.[] | select(.name == "rxe0.9002") | .partition' <<<"$pl")"
check "port list text shows the ipoib kind" \
	bash -c "$FCTL -s $W/a.sock port list | grep rxe0.9001 | grep -q ipoib"
sed 's/^/# A: /' "$W/a.log"
sed 's/^/# B: /' "$W/b.log"

ho_rx0=$(rx_count ho ho0)
hx_rx0=$(rx_count hx hx0)
tbq_rx0=$(ipoib_stat "$W/b.sock" rxe1.9002 rx_packets)

# A mirror of A's ta ipoib port to a pcap file while the pings run: written
# as LINKTYPE_IPOIB (GRH, IPoIB header, payload), tshark must dissect it.
check "mirror add: A's ipoib port rxe0.9001 (both) to pcap" \
	$FCTL -s "$W/a.sock" mirror add ib from rxe0.9001 to pcap "$W/ib.pcap"
check "ta: ping Ethernet host -> IB-side host" ping_ok heth 10.20.0.2
check "ta: ping IB-side host -> Ethernet host" ping_ok hib 10.20.0.1
mirror_check
check "ta: TCP 1 MiB Ethernet -> IB side" tcp_transfer heth hib 10.20.0.2
check "ta: TCP 1 MiB IB side -> Ethernet" tcp_transfer hib heth 10.20.0.1
# heth sent with its offloads on: the engine finished that for IPoIB
sw=$($FCTL -s "$W/a.sock" -j port show rxe0.9001 |
	jq -r '"\(.gso_segmented) \(.gso_segments) \(.csum_completed) \(.bytes_copied)"')
diag "A's rxe0.9001: super-frames cut, segments, checksums completed, bytes copied: $sw"
check "A cut super-frames or completed checksums for IPoIB" \
	[ "$(echo "$sw" | awk '{ print $1 + $3 }')" -gt 0 ]

# IPv6 in ta: neighbour discovery is rewritten at both gateways (link-layer
# options 8 <-> 24 bytes); multicast travels in the broadcast group.
v6() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.$2.disable_ipv6=0 net.ipv6.conf.$2.accept_dad=0
	ip -n "$1" addr add "$3/64" dev "$2" nodad
}
v6 heth he0 fd00:20::1
v6 hib hi0 fd00:20::2
ping6_ok() { ip netns exec "$1" busybox ping6 -c 2 -W 3 "$2" >/dev/null 2>&1; }
check "ta: ping6 Ethernet host -> IB-side host" ping6_ok heth fd00:20::2
check "ta: ping6 IB-side host -> Ethernet host" ping6_ok hib fd00:20::1
mac4=$(ip -n heth -j neigh show 10.20.0.2 | jq -r '.[0].lladdr')
mac6=$(ip -n heth -j neigh show fd00:20::2 | jq -r '.[0].lladdr')
check "ta: ARP resolved the IB-side host to a MAC" test "${mac4:-null}" != null
check_eq "ta: ND resolved it to the same MAC (one per IB neighbour)" \
	"$mac4" "$mac6"

# A VM-like port on A: a tap A holds (the tap kind, IFF_VNET_HDR), its
# interface in namespace htap whose stack keeps its default offloads, as
# a guest's virtio-net does: TCP arrives as TSO super-frames with partial
# checksums (the tap's TUNSETOFFLOAD), which A must cut to the IPoIB MTU.
# A real QEMU guest here would run TCG inside this TCG testbed (far too
# slow); the tap in a namespace makes the same super-frames.
tcp_csum_errors() { ip netns exec "$1" awk '/^Tcp:/ { n = $NF } END { print n }' /proc/net/snmp; }
seg=$($FCTL -s "$W/a.sock" -j port show rxe0.9001 | jq -r .gso_segmented)
hib_err=$(tcp_csum_errors hib)
[ -c /dev/net/tun ] || modprobe tun 2>/dev/null
check "A: port add tva partition ta tap (fabricd makes and holds the tap)" \
	$FCTL -s "$W/a.sock" port add tva partition ta tap
for _ in $(seq 50); do ports_up "$W/a.sock" tva && break; sleep 0.1; done
check "A: tap port tva up" ports_up "$W/a.sock" tva
ip netns add htap
ip link set tva netns htap
ip netns exec htap sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n htap link set lo up
ip -n htap link set tva up
ip -n htap addr add 10.20.0.5/24 dev tva
diag "htap's tap offloads (ethtool -k): $(ip netns exec htap ethtool -k tva | grep -E '^(tx-checksumming|tcp-segmentation-offload):' | tr '\n' ' ')"
check "ta: ping tap host -> IB-side host" ping_ok htap 10.20.0.2
tva_rx() { $FCTL -s "$W/a.sock" -j port show tva | jq -r '"\(.rx_bytes) \(.rx_packets)"'; }
read -r rxb0 rxp0 <<<"$(tva_rx)"
check "ta: TCP 1 MiB tap host -> IB side, sha256 matches" tcp_transfer htap hib 10.20.0.2
read -r rxb rxp <<<"$(tva_rx)"
rxb=$((rxb - rxb0)) rxp=$((rxp - rxp0))
diag "A's tap tva during it: $rxp frames, $rxb bytes in ($((rxb / (rxp ? rxp : 1))) per frame); tap_offloads $($FCTL -s "$W/a.sock" -j port show tva | jq -c .tap_offloads)"
check "the tap host sent TSO super-frames (on average above the 1514-byte frame)" \
	[ $((rxb / (rxp ? rxp : 1))) -gt 1514 ]
sw=$($FCTL -s "$W/a.sock" -j port show rxe0.9001 |
	jq -r '"\(.gso_segmented) \(.gso_segments) \(.csum_completed) \(.bytes_copied)"')
diag "A's rxe0.9001 after the tap host's transfer: cut, segments, csums, copied: $sw (cut before: $seg)"
check "A cut the tap host's super-frames for IPoIB (gso_segmented grew)" \
	[ "${sw%% *}" -gt "$seg" ]
check "ta: TCP 1 MiB IB side -> tap host, sha256 matches" tcp_transfer hib htap 10.20.0.5
check_eq "hib counted no TCP checksum error (InCsumErrors)" "$hib_err" \
	"$(tcp_csum_errors hib)"
v6 htap tva fd00:20::5
check "ta: ping6 tap host -> IB-side host (ND translated)" ping6_ok htap fd00:20::2
t4=$(ip -n htap -j neigh show 10.20.0.2 | jq -r '.[0].lladdr')
t6=$(ip -n htap -j neigh show fd00:20::2 | jq -r '.[0].lladdr')
check "ta: the tap host resolved the IB-side host by ARP" test "${t4:-null}" != null
check_eq "ta: and by ND to the same MAC" "$t4" "$t6"
ip netns exec htap sysctl -qw net.ipv6.conf.all.disable_ipv6=1

# quiet again: the Q_Key checks below count every packet on ta's QPs
ip netns exec heth sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec hib sysctl -qw net.ipv6.conf.all.disable_ipv6=1

check_eq "tb: host behind B received nothing of ta" "$ho_rx0" \
	"$(rx_count ho ho0)"
check_eq "tb: host behind A received nothing of ta" "$hx_rx0" \
	"$(rx_count hx hx0)"
check_eq "tb: B's tb QP received nothing of ta" "$tbq_rx0" \
	"$(ipoib_stat "$W/b.sock" rxe1.9002 rx_packets)"
check "tb host cannot reach ta's IB-side host" ping_fails hx 10.20.0.2
check "tb host cannot reach ta's Ethernet host" ping_fails ho 10.20.0.1
check "tb: its own hosts reach each other through IPoIB" ping_ok hx 10.20.0.4

mac=$(ip -n heth -j neigh show 10.20.0.2 | jq -r '.[0].lladdr')
nb=$($FCTL -s "$W/a.sock" -j neigh show partition ta)
check_eq "neigh show partition ta: one IB neighbour" 1 "$(jq length <<<"$nb")"
check_eq "neigh show: its MAC is what heth resolved for 10.20.0.2" \
	"$mac" "$(jq -r '.[0].mac' <<<"$nb")"
check_eq "neigh show: partition name" ta "$(jq -r '.[0].partition' <<<"$nb")"
check_eq "neigh show: PKey as the port holds it" 0x9001 \
	"$(jq -r '.[0].pkey' <<<"$nb")"
check_eq "neigh show: QPN of B's ta QP" \
	"$(sed -n 's/.*rxe1.9001: QPN \(0x[0-9a-f]*\).*/\1/p' "$W/b.log")" \
	"$(printf '0x%06x' "$(jq -r '.[0].qpn' <<<"$nb")")"
check_eq "neigh show: GID of rxe1" \
	"$(cat /sys/class/infiniband/rxe1/ports/1/gids/0)" \
	"$(jq -r '.[0].gid' <<<"$nb")"
check_eq "neigh show: learned on A's ta port" rxe0.9001 \
	"$(jq -r '.[0].port' <<<"$nb")"
check "neigh show: MAC locally administered unicast" \
	bash -c "(( (0x${mac%%:*} & 3) == 2 ))"
check "neigh show text output names the port" \
	bash -c "$FCTL -s $W/a.sock neigh show | grep -q rxe0.9001"
check_eq "no send or receive errors on A's ta port" "0 0" \
	"$(ipoib_stat "$W/a.sock" rxe0.9001 tx_wc_errors) $(ipoib_stat "$W/a.sock" rxe0.9001 rx_wc_errors)"
# The RoCE link goes down and up: the ports see the device's port events,
# drop their address handles and carry on.
ref0=$(ipoib_stat "$W/b.sock" rxe1.9001 refreshes)
ip link set veth1 down
sleep 1
ip link set veth1 up
sleep 2
check "link flap: ta ping after the flap" ping_ok heth 10.20.0.2
check "link flap: B's ta port handled the port events" \
	test "$(ipoib_stat "$W/b.sock" rxe1.9001 refreshes)" -gt "$ref0"

# A third gateway on rxe0 serves ta with the wrong Q_Key: the QPs of the
# others drop what it sends (the HCA checks the Q_Key), so its host is cut.
host hq hq0 hq1 10.20.0.5
$TOOL gw -s "$W/c.sock" -P ta:9001 -a ta:hq1 -q 0x1234 -i ta:rxe0.9001 \
	>"$W/c.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q ready "$W/c.log" && break; sleep 0.1; done
check "gateway C up (ta, Q_Key 0x1234)" grep -q "qkey 0x00001234" "$W/c.log"
# ta's own hosts must stay quiet while ta's QPs are counted: a kernel
# re-confirms a neighbour it used (unicast ARP, 5 s after the last ping),
# so pin the entries they have.
pin() {
	local mac
	mac=$(ip -n "$1" -j neigh show "$3" dev "$2" | jq -r '.[0].lladdr')
	ip -n "$1" neigh replace "$3" dev "$2" lladdr "$mac" nud permanent
}
check "ta: hosts pin each other's MAC" \
	bash -c "$(declare -f pin); pin heth he0 10.20.0.2 && pin hib hi0 10.20.0.1"
sleep 0.5
b_rx0=$(ipoib_stat "$W/b.sock" rxe1.9001 rx_packets)
a_rx0=$(ipoib_stat "$W/a.sock" rxe0.9001 rx_packets)
check "wrong Q_Key: C's host cannot reach the IB-side host" \
	ping_fails hq 10.20.0.2
check "C did send (its ARP went out)" \
	test "$(tool_stat "$W/c.sock" rxe0.9001 tx_packets)" -gt 0
check_eq "wrong Q_Key: B's ta QP received none of it" "$b_rx0" \
	"$(ipoib_stat "$W/b.sock" rxe1.9001 rx_packets)"
check_eq "wrong Q_Key: A's ta QP received none of it" "$a_rx0" \
	"$(ipoib_stat "$W/a.sock" rxe0.9001 rx_packets)"

$CTL "$W/a.sock" ipoib/stats | sed 's/^/# A ipoib stats: /'
$CTL "$W/b.sock" ipoib/stats | sed 's/^/# B ipoib stats: /'
$CTL "$W/a.sock" stats | sed 's/^/# A engine stats: /'
$CTL "$W/b.sock" stats | sed 's/^/# B engine stats: /'

vm_guest_done
