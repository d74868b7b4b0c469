#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Port mirroring (fabricctl mirror, fabricd/engine/span.h) in real network
# namespaces: fabricd's engine in "sw" switches tenant-a (a1, a2) and
# tenant-b (b1); "mon" sits behind a dedicated mirror port (vm0). Known
# frames (20, of two sizes, ethertype 0x88b5 so nothing else mixes in) go
# out of a1. tshark, not our code, reads the pcap files back: count and
# bytes equal, the snap length cuts, the rate limit counts what it drops.
# A destination port of a partition is refused; the mirror port never gets
# forwarded frames; a non-root member of the socket's group (nobody in
# group nogroup, the --ctl-group) may list mirrors but not add one (EPERM,
# checked by fabricd with SO_PEERCRED).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/netns.sh

PY=/usr/bin/python3
netns_require tshark jq setpriv $PY
getent group nogroup >/dev/null || skip_all "no group nogroup"

netns_init mirror
chmod 755 "$D" # nobody reaches the socket in it

# vm NAME: a namespace with eth0 (no address: only our frames), its peer
# v<NAME> in sw.
vm() { netns_veth "$1" "v$1" "02:00:00:00:00:$2"; }
mkns sw
vm a1 a1
vm a2 a2
vm b1 b1
vm m0 e0
ext_trunk # the policy wants an uplink

{
	two_tenant_policy mirror vt
	cat <<'EOF'
ports:
  - { name: va1, partition: tenant-a, membership: full }
  - { name: va2, partition: tenant-a, membership: full }
  - { name: vb1, partition: tenant-b, membership: full }
EOF
} >"$D/fabric.yaml"

# inject NS COUNT PAYLOAD: COUNT broadcast frames of ethertype 0x88b5 with
# PAYLOAD bytes (frame: 14 + PAYLOAD) out of eth0.
cat >"$D/inject.py" <<'EOF'
import socket, sys
dev, count, pay = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
frame = b"\xff" * 6 + bytes.fromhex(sys.argv[4]) + b"\x88\xb5" + bytes(i % 256 for i in range(pay))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
for _ in range(count):
    s.send(frame)
EOF
inject() {
	in_ns "$1" $PY "$D/inject.py" eth0 "$2" "$3" "$4"
}

netns_fabricd sw --ctl-group nogroup
# fctl_member: fabricctl as nobody, a member of the socket's group only
fctl_member() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$FABRICCTL" -s "$SOCK" "$@"
}
check "fabricd up, its four ports open" wait_ports_up 4
rx_of() { in_ns "$1" cat /sys/class/net/eth0/statistics/rx_packets; }
# session NAME KEY: a counter of mirror list -j
session() { fctl mirror list -j | jq -r ".[] | select(.name == \"$1\") | .$2"; }

# --- the dedicated mirror port -------------------------------------------
fctl port add vm0 mirror >/dev/null
check_eq "port add vm0 mirror: role mirror, in no partition" "mirror -" \
	"$(fctl -j port list | jq -r '.[] | select(.name == "vm0") | "\(.role) \(.partition)"')"

# --- who may add a mirror ------------------------------------------------
out=$(fctl_member mirror add x from va1 to pcap "$D/x.pcap" 2>&1)
rc=$?
check_eq "a group member (not root) is refused: exit 1" 1 $rc
check "with EPERM said ($out)" grep -q "EPERM" <<<"$out"
check "and no file made" [ ! -e "$D/x.pcap" ]
check_eq "a group member may list mirrors" "[]" "$(fctl_member mirror list -j)"
check "fabricd logged the refusal" grep -q "refused mirror/add to uid" "$D/fabricd.log"

# --- tenants stay apart: a port of a partition is no destination -----------
out=$(fctl mirror add bad from va1 to vb1 2>&1)
check_eq "a port of another partition as destination: refused" 1 $?
check "saying why ($out)" grep -q "another tenant" <<<"$out"
fctl mirror add bad from va1 to va2 >/dev/null 2>&1
check_eq "nor one of the same partition (not a dedicated mirror port)" 1 $?
fctl mirror add bad from partition tenant-a tx to vm0 >/dev/null 2>&1
check_eq "a partition has no tx/rx: refused" 1 $?

# --- sessions --------------------------------------------------------------
fctl mirror add all from va1 rx to pcap "$D/all.pcap" >/dev/null
fctl mirror add snap from va1 to pcap "$D/snap.pcap" snaplen 64 >/dev/null
fctl mirror add slow from va1 rx to pcap "$D/slow.pcap" rate 5 >/dev/null
fctl mirror add a2tx from va2 tx to pcap "$D/a2tx.pcap" >/dev/null
fctl mirror add part from partition tenant-a to vm0 >/dev/null
check_eq "five sessions" 5 "$(fctl mirror list -j | jq length)"
check_eq "pcap files are 0600" "600 600 600 600" \
	"$(stat -c %a "$D/all.pcap" "$D/snap.pcap" "$D/slow.pcap" "$D/a2tx.pcap" | paste -sd ' ')"
check_eq "the pcap of an Ethernet port is LINKTYPE_ETHERNET" 1 \
	"$(session all linktype)"

m0_before=$(rx_of m0)
inject b1 5 100 0200000000b1 # tenant-b: mirrored by none
t0=$(date +%s%N)
inject a1 10 100 0200000000a1 # 10 x 114 bytes
inject a1 10 500 0200000000a1 # 10 x 514 bytes
ms=$((($(date +%s%N) - t0) / 1000000))
for _ in $(seq 50); do
	[ "$(session all mirrored)" = 20 ] && [ "$(session part mirrored)" = 20 ] && break
	sleep 0.1
done
check_eq "all: 20 mirrored, 6280 bytes" "20 6280" \
	"$(session all mirrored) $(session all mirrored_bytes)"
sleep 0.3 # flushed from the main loop every 100 ms
# tsh FILE: "frames bytes captured-bytes" as tshark counts them.
tsh() {
	tshark -r "$1" -T fields -e frame.len -e frame.cap_len 2>"$D/tshark.err" |
		awk '{ n++; l += $1; c += $2 } END { print n + 0, l + 0, c + 0 }'
}
check_eq "tshark reads all.pcap: 20 frames, 6280 bytes" "20 6280 6280" \
	"$(tsh "$D/all.pcap")"
check_eq "the frames are a1's (tshark: eth.src)" "02:00:00:00:00:a1" \
	"$(tshark -r "$D/all.pcap" -T fields -e eth.src | sort -u)"
check_eq "snap.pcap: 20 frames of 6280 bytes cut to 64 (1280)" \
	"20 6280 1280" "$(tsh "$D/snap.pcap")"
slow=$(session slow mirrored)
most=$((5 + (ms + 199) / 200))
check "rate 5/s: 5 (the burst) to $most (+1 per 200 ms of $ms) mirrored ($slow)" \
	[ "$slow" -ge 5 -a "$slow" -le "$most" -a "$slow" -lt 20 ]
check_eq "the rest counted as dropped by the rate limit" 20 \
	"$(($(session slow dropped_rate) + slow))"
check_eq "and slow.pcap holds what was mirrored" "$slow" \
	"$(tsh "$D/slow.pcap" | cut -d' ' -f1)"
check_eq "a2tx: the 20 frames sent to a2 (flooded)" "20 6280 6280" \
	"$(tsh "$D/a2tx.pcap")"
check_eq "part: tenant-a's 20 frames to the mirror port, b1's not" 20 \
	"$(session part mirrored)"
check_eq "mon received them" 20 $(($(rx_of m0) - m0_before))
check_eq "no errors" "0 0 0 0 0" \
	"$(fctl mirror list -j | jq -r '[.[].dropped_error] | join(" ")')"
# the counters in the stats reply and as Prometheus metrics
fctl -j stats >"$D/stats.json"
fctl stats -o prometheus >"$D/stats.prom"
check_eq "stats: the five sessions" 5 "$(jq '.mirrors | length' "$D/stats.json")"
check "fabricd_mirror_frames_total{mirror=\"all\"} 20" \
	grep -qx 'fabricd_mirror_frames_total{mirror="all"} 20' "$D/stats.prom"
out=$(python3 tests/lib/prom_compare.py "$D/stats.prom" "$D/stats.json")
check "every mirror counter equals the stats reply ($out)" [ $? -eq 0 ]
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$D/stats.prom" 2>&1)
	check "promtool check metrics passes ($out)" [ $? -eq 0 ]
else
	skip "promtool check metrics" "promtool not installed (make deps)"
fi

# --- the mirror port is never a forwarding target ----------------------------
fctl mirror del part
m0_before=$(rx_of m0)
inject a1 5 100 0200000000a1
sleep 0.3
check_eq "mirror del: mon gets nothing more, floods skip it" 0 \
	$(($(rx_of m0) - m0_before))
inject m0 3 100 0200000000e0
sleep 0.2
check_eq "frames from the mirror port are dropped (no_partition)" 3 \
	"$(fctl -j port list | jq '.[] | select(.name == "vm0") | .drops.no_partition')"
check_eq "a2 never saw them" 0 \
	"$(tshark -r "$D/a2tx.pcap" -Y 'eth.src == 02:00:00:00:00:e0' 2>/dev/null | wc -l)"

# --- bounded ---------------------------------------------------------------
for i in $(seq 1 20); do
	fctl mirror add "n$i" from vb1 to pcap "$D/n$i.pcap" >/dev/null 2>&1 || break
done
check_eq "16 sessions at most" 16 "$(fctl mirror list -j | jq length)"
out=$(fctl mirror add more from vb1 to pcap "$D/more.pcap" 2>&1)
check "the 17th is refused, saying so ($out)" grep -q "16 mirror sessions at most" <<<"$out"
fctl mirror del all
check_eq "mirror del: gone from the list" "" "$(session all name)"
fctl mirror del nosuch >/dev/null 2>&1
check_eq "mirror del of an unknown name: exit 1" 1 $?
(cd "$D" && fctl mirror add rel from vb1 to pcap rel.pcap >/dev/null)
check_eq "a relative pcap FILE is fabricctl's directory's" "$D/rel.pcap" \
	"$(session rel destination)"
check "and fabricd made it there" test -f "$D/rel.pcap"
fctl mirror list >"$D/list.txt"
check "text list names each session" grep -q "^snap .*pcap $D/snap.pcap" "$D/list.txt"

# fabricd stopping writes out what its sessions buffered
want=$(($(session snap mirrored) + 5))
inject a1 5 100 0200000000a1
for _ in $(seq 50); do
	[ "$(session snap mirrored)" = $want ] && break
	sleep 0.05
done
kill "${PIDS[0]}"
wait "${PIDS[0]}"
check_eq "fabricd stopped cleanly" 0 $?
check_eq "snap.pcap holds all $want frames after the stop" $want \
	"$(tsh "$D/snap.pcap" | cut -d' ' -f1)"
tap_done
