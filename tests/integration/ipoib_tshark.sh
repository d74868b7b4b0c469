#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Independent check of the IPoIB wire format: the unit test program
# test_ipoib_pcap writes what ipoib/xlate produces (UD buffers as
# LINKTYPE_IPOIB 242: GRH + IPoIB header + payload; decapsulated frames as
# Ethernet) and tshark, not our code, says what they are. TAP.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

BUILD=${BUILD:-build}
prog=$BUILD/tests/test_ipoib_pcap

command -v tshark >/dev/null || skip_all "tshark is not installed (make deps)"
[ -x "$prog" ] || skip_all "$prog is not built (make tests)"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# ts FILE ARGS...: tshark, fields tab-separated, one line per frame.
ts() {
	local f=$1
	shift
	tshark -r "$dir/$f" -o ip.check_checksum:TRUE "$@" 2>>"$dir/tshark.err"
}

# fields FILE FILTER FIELD...: the FIELDs (comma-separated) of each frame
# matching display filter FILTER ("" for all), frames joined by '|'.
fields() {
	local f=$1 filter=$2 args=() x
	shift 2
	[ -n "$filter" ] && args+=(-Y "$filter")
	for x in "$@"; do args+=(-e "$x"); done
	ts "$f" -T fields -E separator=, "${args[@]}" | paste -sd '|'
}

# bad_frames FILE: frames tshark calls malformed or flags with an error.
bad_frames() {
	ts "$1" -Y '_ws.malformed || _ws.expert.severity >= "Error"' | wc -l
}

if ! IPOIB_PCAP_DIR=$dir CMOCKA_MESSAGE_OUTPUT=TAP "$prog" >"$dir/prog.out" 2>&1; then
	not_ok "test_ipoib_pcap wrote the captures"
	sed 's/^/#   /' "$dir/prog.out"
	tap_done
fi
ok "test_ipoib_pcap wrote the captures"

# --- the checker can fail: a cut-short IPoIB ARP is malformed ---
check_eq "negative control: tshark flags a truncated IPoIB ARP" 1 \
	"$(bad_frames bad.pcap)"

# --- UD buffers, link type 242 ---
check_eq "ipoib.pcap: link type 242 (LINKTYPE_IPOIB)" 242 \
	"$(od -An -tu4 -j20 -N4 "$dir/ipoib.pcap" | tr -d ' ')"
check_eq "ipoib.pcap: IPoIB, then IPv4/ARP/IPv6 inside" \
	"ipoib:ip:icmp|ipoib:arp|ipoib:ipv6:icmpv6|ipoib:ip:icmp|ipoib:arp|ipoib:ipv6:icmpv6" \
	"$(fields ipoib.pcap "" frame.protocols)"
check_eq "ipoib.pcap: no malformed frames, no errors" 0 \
	"$(bad_frames ipoib.pcap)"
check_eq "ipoib.pcap: IPv4 addresses inside IPoIB" \
	"10.20.0.10,10.20.0.20|10.20.0.20,10.20.0.10" \
	"$(fields ipoib.pcap ip ip.src ip.dst)"
check_eq "ipoib.pcap: GRH source GIDs" \
	"fe80::2:c903:a1:b2c5|fe80::2:c903:a1:b2c5|fe80::2:c903:a1:b2c5|fe80::2:c903:a1:1|fe80::2:c903:a1:1|fe80::2:c903:a1:1" \
	"$(fields ipoib.pcap "" ipoib.grh.sgid)"
# ARP with hardware type 32 and 20-byte addresses; the gateway (QPN 0x48)
# stands for the Ethernet host, the IB host announces its own QPN + GID
check_eq "ipoib.pcap: ARP request from Ethernet, rewritten for IB" \
	"32,20,4,1,00000048fe800000000000000002c90300a1b2c5,10.20.0.10,0000000000000000000000000000000000000000,10.20.0.20" \
	"$(fields ipoib.pcap "arp.opcode == 1" arp.hw.type arp.hw.size \
		arp.proto.size arp.opcode arp.src.hw arp.src.proto_ipv4 \
		arp.dst.hw arp.dst.proto_ipv4)"
check_eq "ipoib.pcap: ICMPv6 checksums good (1 = Good)" "1|1" \
	"$(fields ipoib.pcap icmpv6 icmpv6.checksum.status)"
# RFC 4391 s. 8: option length 3 (24 bytes), 2 reserved zero bytes, then
# the 20-byte address; tshark shows the 22 bytes after type and length
check_eq "ipoib.pcap: NS source link-layer option is the gateway's" \
	"3,000000000048fe800000000000000002c90300a1b2c5" \
	"$(fields ipoib.pcap "ipv6.src == fd00:20::10" icmpv6.opt.length \
		icmpv6.opt.linkaddr)"

# --- decapsulated frames, Ethernet ---
check_eq "eth.pcap: Ethernet, 802.1Q for the tagged one, right payloads" \
	"eth:ethertype:ip:icmp|eth:ethertype:vlan:ethertype:arp|eth:ethertype:ipv6:icmpv6" \
	"$(fields eth.pcap "" frame.protocols)"
check_eq "eth.pcap: no malformed frames, no errors" 0 "$(bad_frames eth.pcap)"
check_eq "eth.pcap: IPv4 header checksum still good (1 = Good)" 1 \
	"$(fields eth.pcap ip ip.checksum.status)"
check_eq "eth.pcap: VLAN 20 on the tagged frame only" 20 \
	"$(fields eth.pcap vlan vlan.id)"

# one derived MAC for the IB host, locally administered and unicast
mac=$(fields eth.pcap "" eth.src | cut -d'|' -f1)
first=$((16#${mac:0:2}))
check_eq "eth.pcap: IB host has a locally administered unicast MAC" 2 \
	"$((first & 3))"
check_eq "eth.pcap: the same MAC as source of every frame" \
	"$mac|$mac|$mac" "$(fields eth.pcap "" eth.src)"
check_eq "eth.pcap: ARP reply rewritten (hw 1, IB host's MAC, Ethernet host's MAC)" \
	"1,6,2,$mac,10.20.0.20,52:54:00:12:34:56,10.20.0.10" \
	"$(fields eth.pcap arp arp.hw.type arp.hw.size arp.opcode \
		arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac \
		arp.dst.proto_ipv4)"
check_eq "eth.pcap: ARP reply to the Ethernet host's MAC" \
	"52:54:00:12:34:56" "$(fields eth.pcap arp eth.dst)"
check_eq "eth.pcap: NS to 33:33:ff:00:00:10, option is the IB host's MAC, checksum good" \
	"33:33:ff:00:00:10,1,$mac,1" \
	"$(fields eth.pcap icmpv6 eth.dst icmpv6.opt.length \
		icmpv6.opt.linkaddr icmpv6.checksum.status)"

if [ -s "$dir/tshark.err" ] && grep -qv 'Running as user' "$dir/tshark.err"; then
	diag "tshark said:"
	grep -v 'Running as user' "$dir/tshark.err" | sed 's/^/#   /' | head -20
fi
tap_done
