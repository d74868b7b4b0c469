#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# IPFIX records of flows through an ipoib port carry the InfiniBand
# elements (docs/ipfix.md), in the qemu testbed over rdma_rxe:
#
#   heth (ta) --he-- [A] ==rxe0 IPoIB rxe1== [B] --hi-- hib (ta)
#
# A (fabricd) exports to a UDP sink in the guest; a ping heth -> hib makes
# two ICMP flows through A's ipoib port rxe0.9001. ipfixDump --rfc5610
# decodes every message; the records use the IB templates, carry ibPKey
# 0x1001 and, as QPN and GID, A's own UD QP and B's (the neighbour behind
# the MAC heth resolved), compared with `fabricctl neigh show` and sysfs.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main 300 build/bin/fabricd python3 ipfixDump jq

# ---- in the guest ----
. tests/lib/rxe.sh
cleanup() {
	kill_pids
	for n in heth hib; do ip netns del $n 2>/dev/null; done
	ip link del upa 2>/dev/null
	ip link del upb 2>/dev/null
	rxe_pair_del
	ip link del mg0 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# host NS IFNAME PEER ADDR: a namespace with one veth end at ADDR/24
host() {
	ip netns add "$1"
	ip link add "$3" type veth peer name "$2" netns "$1"
	sysctl -qw "net.ipv6.conf.$3.disable_ipv6=1"
	ip link set "$3" up
	ip netns exec "$1" ethtool -K "$2" tx off >/dev/null
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$1" link set "$2" up
	ip -n "$1" addr add "$4/24" dev "$2"
}

check "rxe0 and rxe1 on a veth pair (MTU 4500: rxe active MTU 4096)" rxe_pair
host heth he0 he1 10.20.0.1
host hib hi0 hi1 10.20.0.2
# An IPv4 address of the host's own (as a management address): libfixbuf
# resolves the collector with AI_ADDRCONFIG, and rxe's veths have IPv6
# link-local addresses only, so 127.0.0.1 would not resolve without it.
ip link add mg0 type veth peer name mg1
ip addr add 192.0.2.1/24 dev mg0
ip link set mg0 up

# The sink: every datagram's payload appended to sink.<source port>.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 4739))
open(sys.argv[1] + "/sink.ready", "w").close()
while True:
    d, a = s.recvfrom(65535)
    with open("%s/sink.%d" % (sys.argv[1], a[1]), "ab") as f:
        f.write(d)' "$W" &
PIDS+=($!)
for _ in $(seq 50); do [ -e "$W/sink.ready" ] && break; sleep 0.1; done

# gateway X IBDEV PORT FLOW: fabricd X; its uplink upX carries nothing.
gateway() {
	local x=$1
	ip link add "up$x" type veth peer name "up$x-p"
	ip link set "up$x" up
	ip link set "up$x-p" up
	cat >"$W/$x.yaml" <<YAML
fabric: { name: flowib }
partitions:
  - { name: ta, pkey: 0x1001 }
gateways:
  - { name: gw$x, uplink: up$x }
ports:
  - { name: $3, partition: ta }
$4
YAML
	env FABRICD_NO_XDP=1 $FABRICD -f -c "$W/$x.yaml" -g "gw$x" \
		-s "$W/$x.sock" -S "$W/$x.state" -p "$W/$x.pid" \
		--ib-dev "$2" --ib-port 1 >"$W/$x.log" 2>&1 &
	PIDS+=($!)
}
gateway a rxe0 he1 "flow_export: { collector: 127.0.0.1:4739, observation_domain: 7 }"
gateway b rxe1 hi1 ""
for _ in $(seq 150); do
	ports_up "$W/a.sock" rxe0.9001 he1 &&
		ports_up "$W/b.sock" rxe1.9001 hi1 && break
	sleep 0.2
done
check "A: ipoib and Ethernet ports up" ports_up "$W/a.sock" rxe0.9001 he1
check "B: ipoib and Ethernet ports up" ports_up "$W/b.sock" rxe1.9001 hi1
check "ping heth -> hib through IPoIB" \
	ip netns exec heth busybox ping -c 3 -W 3 10.20.0.2
nb=$($FCTL -s "$W/a.sock" -j neigh show partition ta)
B_QPN=$(jq -r '.[0].qpn' <<<"$nb")
check_eq "A knows one IB neighbour (B)" 1 "$(jq length <<<"$nb")"
check_eq "flow show: A's cache holds flows of ta" true \
	"$($FCTL -s "$W/a.sock" -j flow show |
		jq '.cache.partitions[0].entries > 0')"
$FCTL -s "$W/a.sock" flow show | sed 's/^/# /'
check "flow export off: A exports what it holds" \
	bash -c "$FCTL -s $W/a.sock flow export off >/dev/null"
sleep 0.5

# Decode each exporter's messages (one UDP source port each).
n=0 rc=0
for f in "$W"/sink.[0-9]*; do
	ipfixDump --rfc5610 --in "$f" --out - >>"$W/dump.txt" \
		2>>"$W/dump.err" || rc=$?
	n=$((n + 1))
done
check_eq "ipfixDump decodes the export (one session, exit 0)" "1 0" "$n $rc"
check "ipfixDump: no error or warning" \
	bash -c "! grep -qiE 'error|warn' $W/dump.err"
sed -n '1,400p' "$W/dump.txt" | grep -E 'tid|ibPKey|ibSource|ibDest|protocolId|IPv4Address' |
	sed 's/^/# /' | head -60

# The ICMP records, as "src proto ibPKey srcQPN dstQPN srcGID dstGID"
# lines. GIDs in Python's compressed IPv6 form on both sides: ipfixDump
# keeps a group's leading zeros (fe80::0069:...), which failed this test
# whenever rxe's GID had such a group.
norm_gids() {
	python3 -c 'import ipaddress, sys
for line in sys.stdin:
    f = line.split()
    for i in (5, 6):
        if i < len(f):
            f[i] = str(ipaddress.ip_address(f[i]))
    print(*f)'
}
awk 'function out() { if (p == 1) print sa, p, k, sq, dq, sg, dg }
	/--- data record/ { out(); p = sa = k = sq = dq = sg = dg = "" }
	/protocolIdentifier :/ { p = $NF } /sourceIPv4Address :/ { sa = $NF }
	/ ibPKey :/ { k = $NF }
	/ibSourceQpn :/ { sq = $NF } /ibDestinationQpn :/ { dq = $NF }
	/ibSourceGid :/ { sg = $NF } /ibDestinationGid :/ { dg = $NF }
	END { out() }' "$W/dump.txt" | norm_gids | sort -u >"$W/icmp"
sed 's/^/# ICMP record: /' "$W/icmp"
A_QPN=$(sed -n 's/.*rxe0.9001: QPN \(0x[0-9a-f]*\).*/\1/p' "$W/a.log")
gid() {
	python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]))' \
		"$(cat /sys/class/infiniband/$1/ports/1/gids/0)"
}
A_GID=$(gid rxe0) B_GID=$(gid rxe1)
check_eq "two ICMP flow records (echo, reply) with IB elements" 2 \
	"$(grep -c . "$W/icmp")"
check_eq "ibPKey 0x1001 (4097) in both" "4097 4097" \
	"$(awk '{ print $3 }' "$W/icmp" | paste -sd' ')"
# rxe numbers the first UD QP alike on both ends: the GIDs tell them apart
check_eq "echo heth -> hib: from A's QP and GID to B's" \
	"$((A_QPN)) $B_QPN $A_GID $B_GID" \
	"$(awk '$1 == "10.20.0.1" { print $4, $5, $6, $7 }' "$W/icmp")"
check_eq "reply hib -> heth: from B's QP and GID to A's" \
	"$B_QPN $((A_QPN)) $B_GID $A_GID" \
	"$(awk '$1 == "10.20.0.2" { print $4, $5, $6, $7 }' "$W/icmp")"
sed 's/^/# A: /' "$W/a.log" | tail -20
vm_guest_done
