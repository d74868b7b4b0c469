#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# veth ports whose far ends keep their DEFAULT offloads (a container, a
# namespace, another fabricd's AF_PACKET trunk): their TCP segments leave
# with partial checksums (CHECKSUM_PARTIAL), which AF_XDP and the XDP fast
# path cannot carry. Two hosts in one partition, default port mode
# (AF_XDP and fast path allowed): ping, then 4 MiB of TCP checked by
# sha256. Then the same with hosts that send finished checksums (tx
# off): those ports may stay on AF_XDP.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/netns.sh

PY=/usr/bin/python3
netns_require jq ethtool ping timeout $PY
unset FABRICD_NO_XDP FABRICD_NO_FASTPATH

netns_init dpoffl

# host NAME IP [ethtool -K args]: a namespace with eth0, its peer v<NAME>
# in sw; offloads at their defaults unless told.
host() {
	local n=$1 ip=$2
	shift 2
	HOST_K=("$@")
	netns_veth "$n" "v$n" "" "$ip/24"
}
host_k() {
	[ ${#HOST_K[@]} -eq 0 ] || in_ns "$1" ethtool -K eth0 "${HOST_K[@]}" \
		>/dev/null 2>&1
}
NETNS_PREUP=host_k

# pings NS ARGS...: ping quietly from NS; status as ping's.
pings() {
	local n=$1
	shift
	in_ns "$n" ping -q "$@" >/dev/null 2>&1
}

# tcp_check FROM TO_IP TO: 4 MiB FROM -> TO, sha256 compared.
tcp_check() {
	head -c 4194304 /dev/urandom >"$D/blob"
	: >"$D/tcp.out"
	in_ns "$3" timeout 30 $PY -c '
import socket, hashlib
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((__import__("sys").argv[1], 5001)); s.listen(1); c, _ = s.accept()
c.settimeout(10); h = hashlib.sha256()
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b)
print(h.hexdigest())' "$2" >"$D/tcp.out" 2>/dev/null &
	local srv=$!
	PIDS+=($srv)
	sleep 0.5
	in_ns "$1" timeout 20 $PY -c '
import socket, sys
s = socket.create_connection((sys.argv[2], 5001), timeout=10)
s.sendall(open(sys.argv[1], "rb").read()); s.close()' "$D/blob" "$2" \
		2>/dev/null
	wait $srv
	check_eq "TCP $1 -> $3 (4 MiB, sha256) $4" \
		"$(sha256sum <"$D/blob" | cut -d' ' -f1)" "$(cat "$D/tcp.out")"
}

# round TAG [ethtool -K args for the hosts]: fabricd on va, vb (and the
# uplink vext); the checks.
round() {
	local tag=$1
	shift
	mkns sw
	host a 10.9.0.1 "$@"
	host b 10.9.0.2 "$@"
	host ext 10.9.1.1 "$@" # the uplink's far end (the Ethernet switch)
	{
		one_tenant_policy offloads vext
		printf '%s\n' "ports:" \
			"  - { name: va, partition: tenant-a, membership: full }" \
			"  - { name: vb, partition: tenant-a, membership: full }"
	} >"$D/fabric.yaml"
	netns_fabricd sw
	check "$tag: 3 ports up (2 access, the uplink)" wait_ports_up 3
	fctl port list | sed 's/^/# /'
	MODES=$(fctl -j port list | jq -r '[.[].mode] | unique | join(",")')
	check "$tag: ping a -> b" \
		pings a -c 3 -i 0.2 -W 2 10.9.0.2
	tcp_check a 10.9.0.2 b "($tag)"
	tcp_check b 10.9.0.1 a "($tag)"
}

# stop: end fabricd and the round's namespaces.
stop() {
	netns_stop
	rm -rf "$D/state"
}

round "default offloads"
check_eq "default offloads: the ports run AF_PACKET with the vnet header" \
	af_packet+vnet "$MODES"
reasons_say() { fctl -j port list | jq_true "all(.[]; .mode_reason | test(\"$1\"))"; }
check "default offloads: mode_reason names the peer's partial checksums" \
	reasons_say "partial checksums"
stop

# GRO on: what the fast path needs at the far side to redirect into it
# (fabricd(8)); a receive setting, the hosts still send partial checksums.
round "default offloads, GRO on" gro on
check_eq "default offloads, GRO on: AF_PACKET with the vnet header" \
	af_packet+vnet "$MODES"
stop

round "tx-checksumming off" tx off tso off gso off gro on
check_eq "tx-checksumming off: the ports run AF_XDP" af_xdp "$MODES"
check "tx-checksumming off: the fast path is on" \
	reasons_say "^fast path on"
stop
tap_done
