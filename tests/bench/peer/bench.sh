#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench-peer (runs in the qemu testbed, see ipoib/module.mk): VM to VM
# across two hypervisors, side by side in one run:
#   peer   two fabricds with peer links (partition ta, peer: true) on rxe0
#          and rxe1, the two ends of a veth pair (tests/lib/rxe.sh);
#   vxlan  what an administrator does instead: in two namespaces (the
#          hypervisors), a Linux bridge each, joined by kernel VXLAN over
#          another veth pair of the same MTU.
# The VMs are namespaces with offloads at their defaults. Measured: TCP
# throughput (one stream, BENCH_SECS=5 s, bytes the receiver counted) and
# the rate of 64-byte frames (UDP, 22-byte payload) that reach the
# receiving VM's interface (its rx_packets) while one sender floods; best
# of BENCH_ROUNDS=2 alternating rounds. Each figure is printed with its
# ratio peer / vxlan on a line of its own.
cd "$(dirname "$0")/../../.." || exit 1
SECS=${BENCH_SECS:-5}
ROUNDS=${BENCH_ROUNDS:-2}
. tests/lib/rxe.sh

cleanup() {
	kill_pids
	for n in a1 a2 x1 x2 hva hvb; do ip netns del $n 2>/dev/null; done
	ip link del uph1 2>/dev/null
	ip link del uph2 2>/dev/null
	rxe_pair_del
	rm -rf "$W"
}
trap cleanup EXIT

[ -n "${IN_VM:-}" ] || { echo "bench-peer: run me through tests/vm/run.sh"; exit 1; }
[ -x "$FABRICD" ] || { echo "bench-peer: $FABRICD not built"; exit 1; }

# ---- peer links ----
rxe_pair || { echo "bench-peer: no rxe"; exit 1; }
vm a1 eth0 a1h 10.40.0.1
vm a2 eth0 a2h 10.40.0.2
NEW=$FABRICD
# peer_up BIN: hypervisors h1 and h2 (again) with fabricd binary BIN
peer_up() {
	local h
	for h in h1 h2; do
		[ -e "$W/$h.fpid" ] || continue
		kill "$(cat "$W/$h.fpid")" 2>/dev/null
		wait "$(cat "$W/$h.fpid")" 2>/dev/null
	done
	FABRICD=$1
	HV_ENV=FABRICD_NO_XDP=1 hypervisor h1 rxe0 a1h:ta
	HV_ENV=FABRICD_NO_XDP=1 hypervisor h2 rxe1 a2h:ta
	FABRICD=$NEW
	wait_up "$W/h1.sock" peer.1001 a1h &&
		wait_up "$W/h2.sock" peer.1001 a2h &&
		{ ping_ok a1 10.40.0.2 || ping_ok a1 10.40.0.2; } ||
		{ echo "bench-peer: $1 did not carry"; cat "$W"/h*.log; exit 1; }
}
peer_up "$NEW"

# ---- Linux bridges joined by VXLAN ----
# vxhost NS ADDR REMOTE: hypervisor namespace NS with its end of the link
# at ADDR, VXLAN 42 to REMOTE on a bridge
vxhost() {
	ip -n "$1" addr add "$2/24" dev "$4"
	ip -n "$1" link set "$4" up
	ip -n "$1" link set lo up
	ip -n "$1" link add vxlan0 type vxlan id 42 local "$2" remote "$3" \
		dstport 4789 dev "$4"
	ip -n "$1" link add br0 type bridge
	ip -n "$1" link set vxlan0 master br0 up
	ip -n "$1" link set br0 up
}
ip netns add hva
ip netns add hvb
ip link add vxa mtu 4500 netns hva type veth peer name vxb mtu 4500 netns hvb
vxhost hva 192.168.88.1 192.168.88.2 vxa
vxhost hvb 192.168.88.2 192.168.88.1 vxb
# vxvm NS HV ADDR: a VM namespace behind hypervisor namespace HV's bridge
vxvm() {
	ip netns add "$1"
	ip -n "$2" link add "$1h" type veth peer name eth0 netns "$1"
	ip -n "$2" link set "$1h" master br0 up
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$1" link set eth0 up
	ip -n "$1" addr add "$3/24" dev eth0
}
vxvm x1 hva 10.41.0.1
vxvm x2 hvb 10.41.0.2
ping_ok a1 10.40.0.2 || { echo "bench-peer: peer links do not carry"; exit 1; }
ping_ok x1 10.41.0.2 || { echo "bench-peer: VXLAN does not carry"; exit 1; }

# tcp_rate FROM TO ADDR: Mbit/s of one TCP stream for SECS seconds
tcp_rate() {
	rm -f "$W/ready"
	ip netns exec "$2" python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5002)); s.listen(1); s.settimeout(60)
open("'"$W/ready"'", "w").close()
c, _ = s.accept(); n = 0; t0 = time.monotonic()
while True:
    d = c.recv(1 << 20)
    if not d: break
    n += len(d)
print("%.1f" % (n * 8 / (time.monotonic() - t0) / 1e6))' >"$W/tcp" 2>&1 &
	local srv=$!
	for _ in $(seq 50); do [ -e "$W/ready" ] && break; sleep 0.1; done
	ip netns exec "$1" python3 -c '
import socket, time
c = socket.create_connection(("'"$3"'", 5002), timeout=60)
b = bytes(1 << 16); end = time.monotonic() + '"$SECS"'
while time.monotonic() < end: c.sendall(b)
c.close()'
	wait $srv
	cat "$W/tcp"
}

# pkt_rate FROM TO ADDR: 64-byte frames per second arriving at TO's eth0
# while FROM floods UDP to ADDR for SECS seconds (a bound socket that is
# never read: no ICMP back)
pkt_rate() {
	local r0 r1
	ip netns exec "$2" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 5003))
time.sleep('"$SECS"' + 3)' &
	local sink=$!
	sleep 0.5
	r0=$(rx_count "$2" eth0)
	ip netns exec "$1" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("'"$3"'", 5003)); b = bytes(22); end = time.monotonic() + '"$SECS"'
while time.monotonic() < end:
    for _ in range(256):
        try: s.send(b)
        except OSError: pass'
	sleep 0.5
	r1=$(rx_count "$2" eth0)
	wait $sink
	echo $(((r1 - r0) / SECS))
}

max() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (b > a ? b : a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b > 0 ? a / b : 0) }'; }
echo "bench-peer: VM to VM across two hypervisors in qemu (TCG, $(nproc) vCPUs)," \
	"${SECS} s each, best of $ROUNDS alternating rounds," \
	"clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
# BENCH_BASE=FABRICD: that binary too (another build, say of main, under
# the repository: the guest sees only that), in its own column, its rounds
# alternating with this build's: before/after in one run
BASE=${BENCH_BASE:-}
tp=0 tv=0 pp=0 pv=0 tb=0 pb=0
for _ in $(seq "$ROUNDS"); do
	if [ -n "$BASE" ]; then
		peer_up "$BASE"
		tb=$(max "$tb" "$(tcp_rate a1 a2 10.40.0.2)")
		pb=$(max "$pb" "$(pkt_rate a1 a2 10.40.0.2)")
		peer_up "$NEW"
	fi
	tp=$(max "$tp" "$(tcp_rate a1 a2 10.40.0.2)")
	tv=$(max "$tv" "$(tcp_rate x1 x2 10.41.0.2)")
	pp=$(max "$pp" "$(pkt_rate a1 a2 10.40.0.2)")
	pv=$(max "$pv" "$(pkt_rate x1 x2 10.41.0.2)")
done
$FCTL -s "$W/h1.sock" -j port show peer.1001 |
	jq -c '{tx_packets, gso_segmented, gso_segments, csum_completed, drops: (.drops | with_entries(select(.value > 0)))}' |
	sed 's/^/# h1 peer.1001: /'
$FCTL -s "$W/h2.sock" -j peer list | jq -c '.[] | {qpn, rx_packets, drops}' |
	sed 's/^/# h2 peer list: /'
# the RC connections (ipoib/peer_rc.h): frames, super-frames whole
python3 tests/bench/ipoib/ctl.py "$W/h1.sock" ipoib/stats | jq -c '.peer."peer.1001" // empty' |
	sed 's/^/# h1 peer.1001 rc: /'
# batching: frames per ibv_post_send() on the sender, per receive burst
# on the receiver (the ipoib ports' tx_posts and rx_polls)
python3 tests/bench/ipoib/ctl.py "$W/h1.sock" ipoib/stats | jq -r '.ipoib[] | select(.tx_posts > 0) |
	"# h1 ipoib: \(.tx_packets) frames in \(.tx_posts) post_send calls, \(.tx_packets / .tx_posts * 100 | floor / 100) per call"'
python3 tests/bench/ipoib/ctl.py "$W/h2.sock" ipoib/stats | jq -r '.ipoib[] | select(.rx_polls > 0) |
	"# h2 ipoib: \(.rx_proto) frames in \(.rx_polls) receive bursts, \(.rx_proto / .rx_polls * 100 | floor / 100) per burst"'
printf '%-34s %12s %12s' "" "peer links" "bridge+vxlan"
[ -n "$BASE" ] && printf ' %12s' "peer (base)"
printf '\n%-34s %12s %12s' "TCP throughput (Mbit/s)" "$tp" "$tv"
[ -n "$BASE" ] && printf ' %12s' "$tb"
printf '\n%-34s %12s %12s' "64-byte frames (frames/s)" "$pp" "$pv"
[ -n "$BASE" ] && printf ' %12s' "$pb"
echo
echo "TCP throughput peer/vxlan ratio $(ratio "$tp" "$tv")"
echo "64-byte packet rate peer/vxlan ratio $(ratio "$pp" "$pv")"
if [ -n "$BASE" ]; then
	echo "TCP throughput peer/base ratio $(ratio "$tp" "$tb")"
	echo "64-byte packet rate peer/base ratio $(ratio "$pp" "$pb")"
fi
