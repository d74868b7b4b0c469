# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Helpers for tests of fabricds over rdma_rxe in the qemu testbed's guest
# (tests/integration/ipoib_e2e.sh, peer_*.sh): rxe devices, fabricd
# "hypervisors" with peer links, namespaces as their VMs and hosts,
# traffic checks. Sourced after tests/lib/tap.sh. Unless the caller made
# them first, it makes W (a work directory: the caller's cleanup removes
# it) and PIDS (processes kill_pids ends: the caller adds to it).

FABRICD=$PWD/build/bin/fabricd
FCTL=$PWD/build/bin/fabricctl
[ -n "${W:-}" ] || W=$(mktemp -d)
[ -n "${PIDS+set}" ] || PIDS=()

# rxe_pair: rxe0 and rxe1 on the two ends of a veth pair veth0/veth1 (MTU
# 4500: rxe's active MTU is then 4096); rxe_pair_del undoes it.
rxe_pair() {
	ip link add veth0 mtu 4500 type veth peer name veth1 mtu 4500 &&
		sysctl -qw net.ipv6.conf.veth0.accept_dad=0 \
			net.ipv6.conf.veth1.accept_dad=0 &&
		ip link set veth0 up && ip link set veth1 up &&
		rdma link add rxe0 type rxe netdev veth0 &&
		rdma link add rxe1 type rxe netdev veth1
}
rxe_pair_del() {
	rdma link del rxe0 2>/dev/null
	rdma link del rxe1 2>/dev/null
	ip link del veth0 2>/dev/null
}

# kill_pids: end every process in PIDS and wait for them
kill_pids() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}

# vm NS IFNAME PEER ADDR: a namespace (a VM) with one veth end IFNAME at
# ADDR/24, the other end PEER in ours for a hypervisor; IPv6 off so that
# nothing but the test's traffic moves. Offloads stay at their defaults.
vm() {
	ip netns add "$1"
	ip link add "$3" type veth peer name "$2" netns "$1"
	sysctl -qw "net.ipv6.conf.$3.disable_ipv6=1"
	ip link set "$3" up
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$1" link set "$2" up
	ip -n "$1" addr add "$4/24" dev "$2"
}

# rxe_fabric N: rxe1..rxeN on veths fab1..fabN (MTU 4500), whose other
# ends are on one Linux bridge "fab" (no multicast snooping): N HCAs on
# one fabric. rxe_fabric_del N undoes it.
rxe_fabric() {
	local n
	ip link add fab mtu 4500 type bridge mcast_snooping 0 || return 1
	ip link set fab up
	for n in $(seq "$1"); do
		ip link add "fab$n" mtu 4500 type veth peer name "fab$n-p" mtu 4500 &&
			sysctl -qw "net.ipv6.conf.fab$n.accept_dad=0" &&
			ip link set "fab$n-p" master fab up &&
			ip link set "fab$n" up &&
			rdma link add "rxe$n" type rxe netdev "fab$n" || return 1
	done
}
rxe_fabric_del() {
	local n
	for n in $(seq "$1"); do
		rdma link del "rxe$n" 2>/dev/null
		ip link del "fab$n" 2>/dev/null
	done
	ip link del fab 2>/dev/null
}

# peer_policy HV PORT...: the policy of hypervisor HV: partitions ta
# (0x1001) and tb (0x1002) with peer links, gateway HV (uplink upHV, which
# carries nothing: the partitions have no VLAN), access ports PORT
# (NAME:PARTITION). PEER_GWS="HV:PRIO ..." gives those hypervisors a
# priority for ta: ta's gateway group, which serves its IPoIB hosts;
# PEER_HA_MS sets the group's advert_interval_ms.
peer_policy() {
	local hv=$1 p g prio
	shift
	printf 'fabric: { name: peer }\npartitions:\n'
	printf '  - { name: ta, pkey: 0x1001, peer: true }\n'
	printf '  - { name: tb, pkey: 0x1002, peer: true }\n'
	[ -z "${PEER_HA_MS:-}" ] ||
		printf 'gateway_ha: { advert_interval_ms: %s }\n' "$PEER_HA_MS"
	printf 'gateways:\n'
	prio=
	for g in ${PEER_GWS:-}; do
		printf '  - { name: %s, uplink: up%s, priority: { ta: %s } }\n' \
			"${g%%:*}" "${g%%:*}" "${g#*:}"
		[ "${g%%:*}" = "$hv" ] && prio=1
	done
	[ -n "$prio" ] || printf '  - { name: %s, uplink: up%s }\n' "$hv" "$hv"
	printf 'ports:\n'
	for p; do printf '  - { name: %s, partition: %s }\n' "${p%%:*}" "${p#*:}"; done
}

# hypervisor HV RXE PORT...: fabricd HV on verbs device RXE with its own
# files in $W (HV.sock, HV.log, ...); its pid in $W/HV.fpid.
hypervisor() {
	local hv=$1 dev=$2
	shift 2
	peer_policy "$hv" "$@" >"$W/$hv.yaml"
	fabricd_on "$hv" "$dev"
}

# fabricd_on HV RXE: fabricd HV with the policy $W/HV.yaml on verbs device
# RXE, its files in $W as hypervisor's.
fabricd_on() {
	local hv=$1 dev=$2
	if ! ip link show "up$hv" >/dev/null 2>&1; then
		ip link add "up$hv" type veth peer name "up$hv-p"
		sysctl -qw "net.ipv6.conf.up$hv.disable_ipv6=1" \
			"net.ipv6.conf.up$hv-p.disable_ipv6=1"
		ip link set "up$hv" up
		ip link set "up$hv-p" up
	fi
	env ${HV_ENV:-} $FABRICD -f -c "$W/$hv.yaml" -g "$hv" -s "$W/$hv.sock" \
		-S "$W/$hv.state" -p "$W/$hv.pid" --ib-dev "$dev" --ib-port 1 \
		>>"$W/$hv.log" 2>&1 &
	echo $! >"$W/$hv.fpid"
	PIDS+=($!)
}

# ipoib_host HV RXE PORT: an IPoIB host of ta (0x1001, no peer links): a
# plain fabricd gateway HV on RXE with access port PORT (the namespace
# behind it), which speaks standard IPoIB on the fabric as a kernel IPoIB
# host would (kernel IPoIB does not run on rxe).
ipoib_host() {
	cat >"$W/$1.yaml" <<EOF
fabric: { name: peer }
partitions:
  - { name: ta, pkey: 0x1001 }
gateways:
  - { name: $1, uplink: up$1 }
ports:
  - { name: $3, partition: ta }
EOF
	fabricd_on "$1" "$2"
}

# ha_state HV: the state of ta's gateway group at HV (master, backup...)
ha_state() {
	$FCTL -s "$W/$1.sock" -j ha show 2>/dev/null |
		jq -r '.[] | select(.partition == "ta") | .state'
}

# peer_pair_setup: the two-hypervisor testbed of peer_two.sh and
# peer_rc.sh: rxe0 and rxe1 on a veth pair (a check), VMs a1 (ta, .1) and
# b1 (tb, .11) behind h1 on rxe0, a2 (ta, .2) and b2 (tb, .12) behind h2
# on rxe1, both fabricds started with AF_PACKET VM ports (FABRICD_NO_XDP:
# the virtio-net header, the VMs' offloads kept). peer_pair_cleanup undoes it.
peer_pair_setup() {
	check "rxe0 and rxe1 on a veth pair (MTU 4500: rxe active MTU 4096)" rxe_pair
	vm a1 eth0 a1h 10.30.0.1
	vm b1 eth0 b1h 10.30.0.11
	vm a2 eth0 a2h 10.30.0.2
	vm b2 eth0 b2h 10.30.0.12
	HV_ENV=FABRICD_NO_XDP=1 hypervisor h1 rxe0 a1h:ta b1h:tb
	HV_ENV=FABRICD_NO_XDP=1 hypervisor h2 rxe1 a2h:ta b2h:tb
}
peer_pair_cleanup() {
	local n
	kill_pids
	for n in a1 a2 b1 b2; do ip netns del $n 2>/dev/null; done
	ip link del uph1 2>/dev/null
	ip link del uph2 2>/dev/null
	rxe_pair_del
	rm -rf "$W"
}

# ports_up SOCK NAME...: fabricd SOCK lists the ports, each open
ports_up() {
	local sock=$1 n
	shift
	for n; do
		[ "$($FCTL -s "$sock" -j port list 2>/dev/null |
			jq -r ".[] | select(.name == \"$n\") | .state")" = up ] ||
			return 1
	done
}

# wait_up SOCK NAME...: ports_up within 30 s
wait_up() {
	local _
	for _ in $(seq 150); do
		ports_up "$@" && return 0
		sleep 0.2
	done
	return 1
}

# all_heard N HV...: each fabricd HV hears N peers in ta (their hellos);
# wait_heard N HV...: all_heard within 10 s
all_heard() {
	local n=$1 hv
	shift
	for hv; do
		[ "$($FCTL -s "$W/$hv.sock" -j peer list partition ta |
			jq length)" = "$n" ] || return 1
	done
}
wait_heard() {
	local _
	for _ in $(seq 50); do
		all_heard "$@" && return 0
		sleep 0.2
	done
	return 1
}

ping_ok() { ip netns exec "$1" busybox ping -c 2 -W 3 "$2" >/dev/null 2>&1; }
ping_fails() { ! ip netns exec "$1" busybox ping -c 2 -W 2 "$2" >/dev/null 2>&1; }
mac_of() { ip -n "$1" -j link show "$2" | jq -r '.[0].address'; }
rx_count() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }

# tcp_transfer FROM TO TO_ADDR: TCP_BYTES (1 MiB) from FROM to TO; the
# receiver's byte count and SHA-256 must equal the sender's file.
tcp_transfer() {
	local from=$1 to=$2 addr=$3 want got srv
	local size=${TCP_BYTES:-1048576}
	head -c "$size" /dev/urandom >"$W/data"
	want="$size $(sha256sum <"$W/data" | cut -d' ' -f1)"
	rm -f "$W/ready"
	ip netns exec "$to" timeout $((${TCP_SHA_TIMEOUT:-60} * 2)) python3 tests/lib/tcp_sha.py recv 5001 "$W/ready" \
		>"$W/got" 2>&1 &
	srv=$!
	for _ in $(seq 50); do [ -e "$W/ready" ] && break; sleep 0.1; done
	ip netns exec "$from" timeout $((${TCP_SHA_TIMEOUT:-60} * 2)) python3 tests/lib/tcp_sha.py send "$addr" 5001 \
		"$W/data" 2>&1
	wait $srv
	got=$(cat "$W/got")
	[ "$got" = "$want" ] || { echo "# want '$want' got '$got'"; return 1; }
}

# capture_start NAME NS IFNAME ETHERTYPE: count frames of ETHERTYPE (hex)
# arriving on IFNAME in NS until capture_stop NAME prints the count.
capture_start() {
	rm -f "$W/cap-$1.ready"
	ip netns exec "$2" python3 -c '
import socket, struct, signal, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind(("'"$3"'", 0))
n = 0
def done(*_):
    print(n); sys.exit(0)
signal.signal(signal.SIGTERM, done)
open("'"$W/cap-$1.ready"'", "w").close()
while True:
    f, a = s.recvfrom(65535)
    if a[2] == socket.PACKET_OUTGOING: continue
    if struct.unpack("!H", f[12:14])[0] == '"$4"': n += 1
' >"$W/cap-$1" 2>&1 &
	echo $! >"$W/cap-$1.pid"
	for _ in $(seq 50); do [ -e "$W/cap-$1.ready" ] && break; sleep 0.1; done
}
capture_stop() {
	local pid
	pid=$(cat "$W/cap-$1.pid")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	cat "$W/cap-$1"
}

# send_raw NS IFNAME ETHERTYPE COUNT [DST]: COUNT frames of ETHERTYPE
# (hex) from IFNAME's MAC to DST (broadcast by default), 60 bytes each.
send_raw() {
	ip netns exec "$1" python3 -c '
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("'"$2"'", 0))
src = s.getsockname()[4]
dst = bytes.fromhex("'"${5:-ffffffffffff}"'".replace(":", ""))
for i in range('"$4"'):
    s.send(dst + src + struct.pack("!H", '"$3"') + b"fabricd peer %04d" % i + bytes(29))
'
}

# send_dhcp_like NS IFNAME COUNT: COUNT UDP broadcasts from 0.0.0.0:68 to
# 255.255.255.255:67 on IFNAME, as a DHCP client's DISCOVER
send_dhcp_like() {
	ip netns exec "$1" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"'"$2"'")
s.bind(("0.0.0.0", 68))
for i in range('"$3"'):
    s.sendto(b"\x01\x01\x06\x00" + bytes(236), ("255.255.255.255", 67))
'
}
