#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The whole daemon switching frames between dummy ports, as an ordinary
# user (tests/lib/dummy.sh): broadcast reaches the partition's other ports
# and nothing else, unknown unicast floods within the partition, known
# unicast goes to one port, and not one frame crosses to the other
# partition; the bytes arrive unchanged and the counters say exactly what
# happened.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/dummy.sh

dummy_init <<'YAML'
partitions:
  - name: red
    pkey: 0x0011
    vlan: 11
  - name: blue
    pkey: 0x0012
    vlan: 12
ports:
  - { name: r1, partition: red, membership: full }
  - { name: r2, partition: red, membership: full }
  - { name: r3, partition: red, membership: full }
  - { name: b1, partition: blue, membership: full }
  - { name: b2, partition: blue, membership: full }
YAML

uid=$(ps -o uid= -p "$DUMMY_PID" | tr -d ' ')
check "fabricd runs as an ordinary user (uid $uid)" [ "$uid" -ne 0 ]
check_eq "the policy's five ports are up as dummy ports" \
	"b1 b2 r1 r2 r3" \
	"$(fctl -j port list | jq -r '[.[] | select(.mode == "dummy" and
		.state == "up") | .name] | sort | join(" ")')"

BC=ffffffffffff
R1=020000000001 R2=020000000002 R3=020000000003 B1=0200000000b1
ALL="r1 r2 r3 b1 b2"


f=$(frame $BC $R1 0800 46)
send r1 "$f"
check_eq "broadcast from r1: r2 and r3 once each, blue nothing" \
	"r1:0 r2:1 r3:1 b1:0 b2:0" "$(captured r1 r2 r3 b1 b2)"
send r1 "$f"
check_eq "broadcast arrives byte for byte" "$f" "$(capture r2)"
capture r3 >/dev/null

f=$(frame 02000000ffff $R2 0800 100)
send r2 "$f"
check_eq "unknown unicast from r2: flooded in red only" \
	"r1:1 r2:0 r3:1 b1:0 b2:0" "$(captured $ALL)"

# r1 and r2 are learned now: unicast goes to exactly one port
f=$(frame $R1 $R3 86dd 60)
send r3 "$f"
check_eq "known unicast r3 -> r1: r1 only" \
	"r1:1 r2:0 r3:0 b1:0 b2:0" "$(captured $ALL)"
send r3 "$(frame $R2 $R3)" "$(frame $R1 $R3)" "$(frame $R2 $R3)"
check_eq "three unicasts in one inject: r2 twice, r1 once" \
	"r1:1 r2:2 r3:0 b1:0 b2:0" "$(captured $ALL)"

# blue: a MAC red knows is unknown here, so it floods blue, never red
send b1 "$(frame $R1 $B1)" "$(frame $BC $B1)" "$(frame $R2 $B1 0806 28)"
check_eq "blue frames to red MACs and broadcast: b2 only, red nothing" \
	"r1:0 r2:0 r3:0 b1:0 b2:3" "$(captured $ALL)"
check_eq "fdb: red learned r1 r2 r3 on their ports" \
	"r1=020000000001 r2=020000000002 r3=020000000003" \
	"$(fctl -j fdb show partition red | jq -r '[.[] | "\(.port)=\(.mac |
		gsub(":"; ""))"] | sort | join(" ")')"
check_eq "fdb: blue learned b1 only" "b1" \
	"$(fctl -j fdb show partition blue | jq -r '[.[].port] | join(" ")')"

# Counters, exactly: r1 sent the two 60-byte broadcasts and was sent the
# flood from r2 and two unicasts from r3.
check_eq "r1 rx: 2 frames, 120 bytes" "2 120" \
	"$(counter r1 rx_packets) $(counter r1 rx_bytes)"
check_eq "r1 tx: flood (114 bytes) + unicasts (74, 60): 3 frames, 248 bytes" \
	"3 248" "$(counter r1 tx_packets) $(counter r1 tx_bytes)"
check_eq "r3 rx: 4 frames" 4 "$(counter r3 rx_packets)"
check_eq "b2 tx: 3 frames, 0 in red" "3" "$(counter b2 tx_packets)"
check_eq "partition blue: rx 3 tx 3, no drops" "3 3 0" \
	"$(fctl -j stats | jq -r '.partitions[] | select(.name == "blue") |
		"\(.rx_packets) \(.tx_packets) \([.drops[]] | add)"')"
check_eq "no drops anywhere" 0 \
	"$(fctl -j stats | jq '[.ports[].drops[]] | add')"

# Another fabricd's XDP redirect probe (eth/frame.h: ethertype 0x88b5,
# signature "fabricd-xdp-probe", from 02:00:00:00:00:01, r1's MAC here)
# into r2 is dropped: neither flooded nor learned. Other 0x88b5 frames
# (zeros after the type, as the probe once was; a peer-link header) are
# switched.
SIG=$(printf 'fabricd-xdp-probe' | od -An -tx1 | tr -d ' \n')
send r2 "02000000000002000000000188b5$SIG$(printf '%058d' 0)"
check_eq "an XDP probe into r2: delivered nowhere" \
	"r1:0 r2:0 r3:0 b1:0 b2:0" "$(captured $ALL)"
check_eq "... dropped as xdp_probe" 1 \
	"$(fctl -j port list | jq '.[] | select(.name == "r2") | .drops.xdp_probe')"
check_eq "... its source not learned: r1's MAC stays on r1" r1 \
	"$(fctl -j fdb show partition red |
		jq -r '.[] | select(.mac == "02:00:00:00:00:01") | .port')"
send r2 "$BC${R2}88b5$(printf '%092d' 0)" "$BC${R2}88b501010000$(payload 42)"
check_eq "other 0x88b5 frames from r2: flooded in red" \
	"r1:2 r2:0 r3:2 b1:0 b2:0" "$(captured $ALL)"

tap_done
