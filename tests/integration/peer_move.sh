#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A VM moves between peer-linked hypervisors, over rdma_rxe in the qemu
# testbed: h1, h2, h3 on rxe1..rxe3 (veths on bridge fab, as in
# peer_three.sh), VMs a1 (h1), a2 (h2), a3 (h3) in ta and the VM "mv",
# which runs behind h1 (vNIC mv1) and moves to h2 (vNIC mv2).
#
# The move as a hypervisor does it: the destination's vNIC is attached
# and up before the VM resumes (mv2, namespace mvb with mv's MAC and ARP
# cache, silent: no address yet), the VM stops at h1 (mv loses its
# address; its vNIC mv1 stays up until the migration is over, as a paused
# guest's tap), 200 ms later resumes at h2 (mvb gets mv's address) and its
# first frame is a unicast (a UDP datagram to a2, which only h2 sees); no
# gratuitous ARP. A ping flow from a3 every 10 ms runs across it. Then
# h1's vNIC goes (deleted, as libvirt deletes the source tap).
#
# Checks: h2 announces mv's MAC to ta's peers when it learns it, so h3
# sends the flow to h2 at once: `migration: N ms` (the longest gap in
# replies) is printed, the flow resumes, h3's fdb has mv behind h2 (GID,
# QPN), and no frame to mv's MAC reaches h1 on its fabric link (a capture
# of the RoCE packets into rxe1) once the move has settled (1 s after the
# VM's first frame at h2; the last one's time is printed). Without the
# announcement h3 keeps mv behind h1 and these fail; the deletion of mv1
# at h1 afterwards changes nothing. Then a1's vNIC goes (its interface
# deleted, as libvirt deletes a tap): h1 withdraws a1's MAC and h3
# forgets it (no peer behind it).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main 400 build/bin/fabricd python3

# ---- in the guest ----
. tests/lib/rxe.sh
cleanup() {
	[ "${TAP_FAILED:-0}" = 0 ] ||
		for n in h1 h2 h3; do tail -n 12 "$W/$n.log" | sed "s/^/# $n: /"; done
	kill_pids
	for n in a1 a2 a3 mv mvb; do ip netns del $n 2>/dev/null; done
	for n in h1 h2 h3; do ip link del "up$n" 2>/dev/null; done
	rxe_fabric_del 3
	rm -rf "$W"
}
trap cleanup EXIT

check "three rxe devices on bridge fab" rxe_fabric 3
vm a1 eth0 a1h 10.30.0.1
vm a2 eth0 a2h 10.30.0.2
vm a3 eth0 a3h 10.30.0.3
vm mv eth0 mv1 10.30.0.50
vm mvb eth0 mv2 10.30.0.50
mvmac=$(mac_of mv eth0)
# mvb is the VM resumed at h2: its vNIC attached and up, with mv's MAC, no
# address until it runs (it says nothing)
ip -n mvb link set eth0 down
ip -n mvb link set eth0 address "$mvmac"
ip -n mvb addr flush dev eth0
ip -n mvb link set eth0 up

export HV_ENV="FABRICD_NO_XDP=1"
hypervisor h1 rxe1 a1h:ta mv1:ta
hypervisor h2 rxe2 a2h:ta mv2:ta
hypervisor h3 rxe3 a3h:ta
check "h1 up" wait_up "$W/h1.sock" peer.1001 a1h mv1
check "h2 up (mv2 attached, its VM not running yet)" \
	wait_up "$W/h2.sock" peer.1001 a2h mv2
check "h3 up" wait_up "$W/h3.sock" peer.1001 a3h
check "every hypervisor hears the two others in ta" wait_heard 2 h1 h2 h3
check "a3 -> mv (behind h1)" ping_ok a3 10.30.0.50
check "a3 -> a1" ping_ok a3 10.30.0.1
check "mv -> a2" ping_ok mv 10.30.0.2
# h3 and h2 have talked before (as hypervisors of one cluster do): on
# RoCE their first unicast waits for IPv6 neighbour discovery between
# the rxe devices, which is no part of the move
check "a3 -> a2" ping_ok a3 10.30.0.2

# RoCE packets into rxe1 (h1) carrying a peer frame to mv's MAC: IPv6,
# UDP 4791, BTH + DETH, IPoIB header 88b5, peer header type 1, then the
# Ethernet frame (its destination at byte 90); one time stamp a line
python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x86dd))
s.bind(("fab1", 0))
want = bytes.fromhex(sys.argv[1].replace(":", ""))
out = open(sys.argv[2], "w", buffering=1)
open(sys.argv[2] + ".ready", "w").close()
while True:
    f = s.recv(65535)
    if (len(f) >= 96 and struct.unpack("!H", f[56:58])[0] == 4791 and
            f[82:84] == b"\x88\xb5" and f[87] == 1 and f[90:96] == want):
        out.write("%.3f\n" % time.time())
' "$mvmac" "$W/old" &
PIDS+=($!)
for _ in $(seq 100); do [ -e "$W/old.ready" ] && break; sleep 0.1; done

# the move itself, by one process started beforehand (commands start
# slowly in this emulated guest) when the FIFO is written: mv loses its
# address (the VM stops at h1: silent, its vNIC still up, as a paused
# guest's tap), 200 ms, mv's address on mvb (it resumes at h2) and its
# first frame; the time stamps of the stop and of that frame
mkfifo "$W/go"
python3 -c '
import ctypes, fcntl, os, socket, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000):
        sys.exit("setns %s: %d" % (ns, ctypes.get_errno()))
    os.close(fd)
    return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def ifreq(val):
    return struct.pack("16s24s", b"eth0", val)
def sin(a):
    return struct.pack("HH4s8x", socket.AF_INET, 0, socket.inet_aton(a))
def arp(s, ip, mac):  # SIOCSARP: a permanent entry
    ha = struct.pack("H6s8x", 1, bytes.fromhex(mac.replace(":", "")))
    fcntl.ioctl(s, 0x8955, sin(ip) + ha + struct.pack("i", 0x06) +
                sin("0.0.0.0") + struct.pack("16s", b"eth0"))
open(sys.argv[1] + ".ready", "w").close()
open(sys.argv[1]).read()
t_stop = time.time()
s = enter("mv")
fcntl.ioctl(s, 0x8916, ifreq(sin("0.0.0.0")))  # SIOCSIFADDR: address gone
time.sleep(0.2)
s = enter("mvb")
fcntl.ioctl(s, 0x8916, ifreq(sin("10.30.0.50")))  # SIOCSIFADDR
fcntl.ioctl(s, 0x891c, ifreq(sin("255.255.255.0")))  # SIOCSIFNETMASK
arp(s, "10.30.0.2", sys.argv[2])  # the VM'"'"'s ARP cache moved with it
arp(s, "10.30.0.3", sys.argv[3])
s.sendto(b"moved", ("10.30.0.2", 9))
print("%.3f %.3f" % (t_stop, time.time()))' "$W/go" "$(mac_of a2 eth0)" \
	"$(mac_of a3 eth0)" >"$W/move" &

for _ in $(seq 300); do [ -e "$W/go.ready" ] && break; sleep 0.1; done

# ---- the move, during a ping flow from a3 every 10 ms ----
ip netns exec a3 ping -D -i 0.01 -w 8 10.30.0.50 >"$W/flow" 2>&1 &
flow=$!
sleep 2
echo go >"$W/go"
wait $flow
read -r t_stop t_resume <"$W/move"
diag "the VM stopped at h1 $(awk -v a="$t_stop" -v b="$t_resume" 'BEGIN { printf "%.0f", (b - a) * 1000 }') ms before its first frame at h2"
diag "the last frame to mv reached h1 $(awk -v t="$t_resume" '{ d = ($1 - t) * 1000 } END { printf "%.0f", d }' "$W/old") ms after the VM's first frame at h2"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$W/flow")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$W/flow")
diag "ping flow a3 -> mv every 10 ms: $sent sent, $got answered"
awk -v r="$t_resume" -F'[][]' '/bytes from/ {
		t = $2 + 0
		if (prev && t - prev > gap) gap = t - prev
		prev = t
		if (t >= r && !after) after = t
	}
	END {
		if (!after) { print "migration: no reply after the VM'"'"'s first frame at h2"; exit }
		printf "migration: %.0f ms (the longest gap in replies, the VM stopped for 200 ms of it); first reply %.0f ms after the VM'"'"'s first frame at h2\n", gap * 1000, (after - r) * 1000
	}' "$W/flow" | tee "$W/migration" | sed 's/^/# /'
check "the flow resumed after the move (replies after the first frame)" \
	grep -q "first reply [0-9]* ms after" "$W/migration"
check "most pings answered" test "${got:-0}" -gt $((${sent:-0} / 2))
fdb3=$($FCTL -s "$W/h3.sock" -j fdb show partition ta)
qpn2=$(sed -n 's/.*rxe2.9001: QPN \(0x[0-9a-f]*\).*/\1/p' "$W/h2.log" | tail -n1)
gid2=$(cat /sys/class/infiniband/rxe2/ports/1/gids/0)
check_eq "h3's fdb: mv behind h2 (GID of rxe2, QPN of rxe2.9001)" \
	"$gid2 $qpn2" \
	"$(jq -r ".[] | select(.mac == \"$mvmac\") | \"\(.peer.gid) \(.peer.qpn)\"" <<<"$fdb3" |
		awk '{ printf "%s 0x%06x", $1, $2 }')"
ann=$($FCTL -s "$W/h3.sock" -j peer list partition ta |
	jq ".[] | select(.gid == \"$gid2\") | .announced")
diag "MACs h3 heard h2 announce: $ann"
check "h2 announced mv's MAC (h3 heard it)" test "${ann:-0}" -gt 0
late=$(awk -v t="$t_resume" '$1 > t + 1' "$W/old" | wc -l)
diag "frames to mv's MAC into rxe1 (h1): $(wc -l <"$W/old") in all, $late later than 1 s after the VM's first frame at h2"
check_eq "no frame to mv reached h1 (its old place) after the move settled" \
	0 "$late"

# ---- the source's vNIC goes: its withdrawal does not undo the move ----
ip link del mv1
sleep 1
check_eq "mv1 deleted at h1: h3 still has mv behind h2" "$gid2" \
	"$($FCTL -s "$W/h3.sock" -j fdb show partition ta |
		jq -r ".[] | select(.mac == \"$mvmac\") | .peer.gid")"
check "a3 -> mv (at h2)" ping_ok a3 10.30.0.50

# ---- a1's vNIC goes: h1 withdraws its MAC ----
a1mac=$(mac_of a1 eth0)
behind() {
	$FCTL -s "$W/h3.sock" -j fdb show partition ta |
		jq -r ".[] | select(.mac == \"$a1mac\") | .peer.gid // \"none\""
}
gid1=$(cat /sys/class/infiniband/rxe1/ports/1/gids/0)
check_eq "before: h3 has a1 behind h1" "$gid1" "$(behind)"
ip link del a1h
for _ in $(seq 25); do [ "$(behind)" != "$gid1" ] && break; sleep 0.2; done
check "a1's vNIC deleted: h3 no longer has a1 behind h1 (withdrawn)" \
	test "$(behind)" != "$gid1"
wd=$($FCTL -s "$W/h3.sock" -j peer list partition ta |
	jq ".[] | select(.gid == \"$gid1\") | .withdrawn")
check "h3 heard h1 withdraw a MAC" test "${wd:-0}" -gt 0

vm_guest_done
