# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# IPFIX export tests (sourced after tests/lib/netns.sh, after netns_init and
# mkns sw): known frames from the VMs' namespaces, a real nfcapd and a
# tshark capture where fabricd exports (the switch namespace's lo).
#   ipfix_init             $PORT (the collector's UDP port), $PY, and
#                          $D/send.py
#   ipfix_vms              namespace sw and four VMs a1, a2 (tenant-a), b1,
#                          b2 (tenant-b) behind veths va1.. in sw, MACs
#                          $A1 $A2 $B1 $B2, no addresses (they only inject)
#   ipfix_policy           the policy's head for them (two_tenant_policy and
#                          ports:) on stdout; the test adds flow_export:
#   ipfix_hellos           every VM says hello (broadcast): MACs learned,
#                          so that the flows after it are unicast from their
#                          first packet (4 flows, 2 in each partition)
#   send VM COUNT DSTMAC SRCMAC hello
#   send VM COUNT DSTMAC SRCMAC (4|6) SRC DST SPORT DPORT PAYLOAD [FLOWS [GAP]]
#                          COUNT frames from VM's eth0 (raw, AF_PACKET): a
#                          broadcast-able hello (ethertype 0x88b5) or UDP
#                          over IPv4/IPv6 with PAYLOAD bytes; FLOWS flows
#                          (source ports SPORT, SPORT+1, ...; default 1),
#                          each sent COUNT times, round by round; GAP
#                          seconds between rounds (default 0)
#   ipfix_nfcapd           a real nfcapd on 127.0.0.1:$PORT in sw, writing
#                          into $D/nf; its PID is $NFCAPD
#   ipfix_capture          tshark on sw's lo into $D/ipfix.pcap; PID $CAP;
#                          status 1 when it did not start
#   ipfix_start            ipfix_nfcapd, ipfix_capture and fabricd (access
#                          ports) in sw on $D/fabric.yaml, checked: 2 checks
#   ipfix_stop             stop both once they have read what was sent,
#                          so that their files are complete
#   ipfix_nffile           the file nfcapd wrote (empty when none)

ipfix_init() {
	PY=/usr/bin/python3
	PORT=$((20000 + $$ % 20000))
	cat >"$D/send.py" <<'PY'
import socket, struct, sys, ipaddress, time
dev, count, dst, src, kind = sys.argv[1:6]
mac = lambda m: bytes.fromhex(m.replace(":", ""))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def frame(sp):
    if kind == "hello":
        return mac(dst) + mac(src) + b"\x88\xb5" + bytes(46)
    sa, da = ipaddress.ip_address(sys.argv[6]), ipaddress.ip_address(sys.argv[7])
    dp, n = int(sys.argv[9]), int(sys.argv[10])
    udp = struct.pack("!HHHH", sp, dp, 8 + n, 0) + bytes(n)
    if kind == "4":
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64,
                         17, 0, sa.packed, da.packed)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return mac(dst) + mac(src) + b"\x08\x00" + ip + udp
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, 64,
                     sa.packed, da.packed)
    return mac(dst) + mac(src) + b"\x86\xdd" + ip + udp
sport = int(sys.argv[8]) if len(sys.argv) > 8 else 0
flows = int(sys.argv[11]) if len(sys.argv) > 11 else 1
gap = float(sys.argv[12]) if len(sys.argv) > 12 else 0
frames = [frame(sport + i) for i in range(flows)]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
for r in range(int(count)):
    if r and gap:
        time.sleep(gap)
    for f in frames:
        s.send(f)
PY
}

ipfix_vms() {
	A1=02:00:00:00:0a:01 A2=02:00:00:00:0a:02
	B1=02:00:00:00:0b:01 B2=02:00:00:00:0b:02
	mkns sw
	netns_veth a1 va1 $A1
	netns_veth a2 va2 $A2
	netns_veth b1 vb1 $B1
	netns_veth b2 vb2 $B2
}

ipfix_policy() {
	two_tenant_policy "$1"
	cat <<YAML
ports:
  - { name: va1, partition: tenant-a }
  - { name: va2, partition: tenant-a }
  - { name: vb1, partition: tenant-b }
  - { name: vb2, partition: tenant-b }
YAML
}

ipfix_hellos() {
	local v
	for v in a1=$A1 a2=$A2 b1=$B1 b2=$B2; do
		send "${v%%=*}" 1 ff:ff:ff:ff:ff:ff "${v#*=}" hello
	done
	sleep 0.3
}

send() {
	local n=$1
	shift
	in_ns "$n" $PY "$D/send.py" eth0 "$@"
}

ipfix_nfcapd() {
	mkdir -p "$D/nf"
	ip netns exec "$P-sw" nfcapd -b 127.0.0.1 -p "$PORT" -w "$D/nf" \
		-t 3600 >"$D/nfcapd.log" 2>&1 &
	NFCAPD=$!
	PIDS+=($NFCAPD)
}

ipfix_capture() {
	# Not through in_ns: $! must be tshark itself (ip netns exec execs).
	ip netns exec "$P-sw" tshark -q -i lo -f "udp port $PORT" \
		-w "$D/ipfix.pcap" >"$D/tshark.log" 2>&1 &
	CAP=$!
	PIDS+=($!)
	for _ in $(seq 100); do
		grep -q "Capturing on" "$D/tshark.log" && return 0
		sleep 0.1
	done
	return 1
}

ipfix_start() {
	ipfix_nfcapd
	check "tshark captures the export" ipfix_capture
	netns_fabricd_access sw
	check "engine up: 4 ports" wait_ports_up 4
}

ipfix_stop() {
	sleep 0.5 # nfcapd reads what was just sent before it stops
	kill -TERM "$NFCAPD"
	wait "$NFCAPD" 2>/dev/null
	sleep 0.5
	kill -TERM "$CAP"
	wait "$CAP" 2>/dev/null
}

ipfix_nffile() {
	ls "$D"/nf/nfcapd.* 2>/dev/null | grep -v current | head -1
}
