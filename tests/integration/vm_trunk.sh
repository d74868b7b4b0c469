#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A real VM to a host behind an 802.1Q trunk. Guest A (QEMU, Debian kernel
# under TCG, virtio-net with its default offloads: checksum offload, TSO)
# sits on a tap that fabricd A switches in tenant-a (VLAN 20); fabricd A's
# trunk port is one end of a veth. The host kernel here has no 802.1Q
# (TESTBED.md), so the far end cannot be a VLAN link: a second fabricd (B)
# takes it as its trunk and pops VID 20 into tenant-a, whose access port is
# a veth to namespace H (an ordinary host with default offloads). Judges:
# sha256 of 16 MiB over TCP each way between A and H, the TCP checksum
# error counters of both kernels, and tshark on the trunk between the two
# fabricds: every TCP frame there carries VID 20 and none goes untagged.
# Both fabricds run AF_PACKET (FABRICD_NO_XDP=1): the trunk takes the
# guest's TSO super-frames whole (virtio-net header), so tshark sees
# frames above 1522 bytes, nothing is segmented and no byte copied; H
# keeps its default offloads, whose partial checksums only AF_PACKET
# carries. The round "default" runs fabricd A in its default mode: its
# trunk's veth peer (B's AF_PACKET trunk, tx-checksumming on) may send
# partial checksums, which AF_XDP would forward unfinished, so A takes
# AF_PACKET with the vnet header there too (eth/veth_csum.h); were the
# trunk on AF_XDP, the engine would cut the super-frames instead (the
# checks below say which).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/guests.sh

FABRICD=${FABRICD:-$PWD/build/bin/fabricd}
FABRICCTL=$PWD/build/bin/fabricctl
[ "$(id -u)" -eq 0 ] || skip_all "needs root (taps, namespaces)"
tap_need "$FABRICD" "$FABRICCTL" jq tshark python3
MIB=${VM_GUESTS_MIB:-16}
LIMIT=${VM_GUESTS_TIMEOUT:-400}

P=vk$$
D=$(mktemp -d /tmp/vm_trunk.XXXXXX)
NSA=$P-a NSB=$P-b NSH=$P-h
PIDS=()
cleanup() {
	local p
	guests_stop
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for p in "$NSA" "$NSB" "$NSH"; do ip netns del "$p" 2>/dev/null; done
	rm -rf "$D"
}
trap cleanup EXIT
guests_init "$D"
# setup: the three namespaces, the guest's tap, the trunk veth, H's veth
setup() {
	local n
	for n in "$NSA" "$NSB" "$NSH"; do
		ip netns add "$n" || skip_all "cannot create a network namespace"
		ip -n "$n" link set lo up
	done
	GUEST_NETNS=$NSA
	ip -n "$NSA" tuntap add "${P}g" mode tap vnet_hdr || skip_all "cannot create a tap"
	ip -n "$NSA" link set "${P}g" up
	ip -n "$NSA" link add tk type veth peer name tk netns "$NSB"
	ip -n "$NSA" link set tk up
	ip -n "$NSB" link set tk up
	ip -n "$NSB" link add hb type veth peer name eth0 netns "$NSH"
	ip -n "$NSB" link set hb up
	ip -n "$NSH" addr add 10.9.2.2/24 dev eth0
	ip -n "$NSH" link set eth0 up
}
teardown() {
	local p n
	guests_stop
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	PIDS=()
	for n in "$NSA" "$NSB" "$NSH"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$D"/a.* "$D"/b.* "$D"/h.* "$D"/trunk.pcap "$D"/tshark.log
}

# fabricd NS NAME PORT [ENV]: fabricd with access port PORT in tenant-a
# (VID 20)
fabricd() {
	cat >"$D/$2.yaml" <<EOF2
fabric:
  name: trunk
partitions:
  - name: tenant-a
    pkey: 0x0021
    vlan: 20
    members:
      - { all_cas: true, membership: full }
ports:
  - { name: $3, partition: tenant-a }
EOF2
	ip netns exec "$1" env ${4:-} "$FABRICD" --policy "$D/$2.yaml" --no-ib \
		--state-dir "$D/$2.state" --ctl-socket "$D/$2.sock" \
		--pid-file "$D/$2.pid" --foreground >"$D/$2.log" 2>&1 &
	PIDS+=($!)
}
# round NAME ENV: one guest boot, fabricd A with ENV, both transfers, judged
round() {
	local AENV=$2 mode big cut copied
	setup
	fabricd "$NSA" a "${P}g" "$AENV"
	fabricd "$NSB" b hb FABRICD_NO_XDP=1
	fa() { "$FABRICCTL" -s "$D/a.sock" "$@"; }
	fb() { "$FABRICCTL" -s "$D/b.sock" "$@"; }
	for _ in $(seq 50); do fa port list >/dev/null 2>&1 && fb port list >/dev/null 2>&1 && break; sleep 0.1; done
	fa port add tk trunk >/dev/null
	fb port add tk trunk >/dev/null
	pj() { "$FABRICCTL" -s "$D/$1.sock" -j port show "$2" 2>/dev/null | jq -r "$3"; }
	for _ in $(seq 50); do
		[ "$(pj a tk .state) $(pj b tk .state) $(pj b hb .state)" = "up up up" ] && break
		sleep 0.1
	done
	check_eq "$1: fabricd A (guest's tap, trunk) and B (trunk, host's veth) up" \
		"up up up up" "$(pj a "${P}g" .state) $(pj a tk .state) $(pj b tk .state) $(pj b hb .state)"
	mode=$(pj a tk .mode)
	diag "A's trunk runs $mode, takes offloads $(pj a tk '.offloads | join(",")')"
	[ "$1" != default ] ||
		check_eq "default: A's trunk (its peer sends partial checksums) runs AF_PACKET" \
			af_packet+vnet "$mode"

	# tshark on B's end of the trunk, headers only
	ip netns exec "$NSB" tshark -i tk -s 128 -w "$D/trunk.pcap" -q >"$D/tshark.log" 2>&1 &
	TSHARK=$!
	PIDS+=($TSHARK)
	for _ in $(seq 50); do grep -q "Capturing on" "$D/tshark.log" && break; sleep 0.1; done

	# H: the same exchange as a guest's (tests/vm/guest-init): receive one file
	# on TCP 5000, send $MIB MiB to the guest's port 5000 once it listens.
	head -c $((MIB << 20)) /dev/urandom >"$D/h.out"
	tcp_csum_errors() { ip netns exec "$1" awk '/^Tcp:/ { n = $NF } END { print n }' /proc/net/snmp; }
	h_err=$(tcp_csum_errors "$NSH")
	ip netns exec "$NSH" python3 - "$D" 10.9.2.1 >"$D/h.result" 2>&1 <<-'EOF2' &
	import hashlib, socket, sys, threading, time
	d, peer = sys.argv[1], sys.argv[2]
	def serve():
	    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	    s.bind(("0.0.0.0", 5000)); s.listen(1); s.settimeout(600)
	    c, _ = s.accept(); c.settimeout(600); h = hashlib.sha256(); n = 0
	    while True:
	        b = c.recv(1 << 16)
	        if not b: break
	        h.update(b); n += len(b)
	    print("RECV", h.hexdigest(), n, flush=True)
	t = threading.Thread(target=serve); t.start()
	data = open(d + "/h.out", "rb").read()
	for _ in range(600):
	    try:
	        c = socket.create_connection((peer, 5000), timeout=5); break
	    except OSError:
	        time.sleep(1)
	c.settimeout(600); c.sendall(data); c.close()
	print("SENT", hashlib.sha256(data).hexdigest(), len(data), flush=True)
	t.join()
	EOF2
	HPID=$!
	PIDS+=($HPID)

	t0=$(date +%s)
	guest_start a "${P}g" 52:54:00:12:02:0a fab.ip=10.9.2.1/24 \
		fab.peer=10.9.2.2 fab.mode=xfer fab.mib="$MIB"
	guest_wait a "GUEST UP" 120
	check "$1: guest A booted" [ $? -eq 0 ]
	guest_wait a "GUEST DONE" "$LIMIT"
	check "guest A's transfers finished within ${LIMIT} s" [ $? -eq 0 ]
	wait "$HPID"
	diag "boot + both transfers: $(($(date +%s) - t0)) s"
	check_eq "$1: A -> H across the trunk: $MIB MiB, sha256 matches" \
		"$(guest_line a SENT)" "$(sed -n 's/^RECV //p' "$D/h.result")"
	check_eq "$1: H -> A across the trunk: $MIB MiB, sha256 matches" \
		"$(sed -n 's/^SENT //p' "$D/h.result")" "$(guest_line a RECV)"
	check_eq "guest A counted no TCP checksum error" 0 "$(guest_csum_errors a)"
	check_eq "host H counted no TCP checksum error" "$h_err" "$(tcp_csum_errors "$NSH")"

	kill "$TSHARK"
	wait "$TSHARK" 2>/dev/null
	count() { tshark -r "$D/trunk.pcap" -Y "$1" 2>/dev/null | wc -l; }
	n20=$(count "vlan.id == 20 && tcp.port == 5000")
	diag "TCP frames on the trunk with VID 20: $n20; largest: $(tshark -r "$D/trunk.pcap" -T fields -e frame.len 2>/dev/null | sort -n | tail -n1) bytes"
	check "tshark: the transfers crossed the trunk tagged with VID 20" [ "$n20" -gt 100 ]
	check_eq "tshark: no TCP frame crossed the trunk untagged" 0 "$(count "tcp && !vlan")"
	big=$(count "vlan.id == 20 && frame.len > 1522")
	cut=$(pj a tk .gso_segmented)
	copied=$("$FABRICCTL" -s "$D/a.sock" -j stats | jq -r .bytes_copied)
	diag "A's trunk: $cut super-frames cut into $(pj a tk .gso_segments) segments, $copied bytes copied; $big frames above 1522 bytes on the trunk"
	if [ "$mode" = af_packet+vnet ]; then
		check "$mode trunk: the guest's super-frames crossed whole (tshark: frames > 1522 bytes)" \
			[ "$big" -gt 0 ]
		check_eq "$mode trunk: nothing segmented, no byte copied" "0 0" "$cut $copied"
	else
		check "$mode trunk: A cut the guest's super-frames for it (gso_segmented)" \
			[ "$cut" -gt 0 ]
		check_eq "$mode trunk: no frame above the MTU crossed it (tshark)" 0 "$big"
	fi
	teardown
}

for r in ${VM_TRUNK_ROUNDS:-af_packet default}; do
	case $r in
	af_packet) round af_packet FABRICD_NO_XDP=1 ;;
	default) round default "" ;;
	esac
done
tap_done
