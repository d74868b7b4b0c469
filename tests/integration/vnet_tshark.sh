#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tshark judges what eth/vnet makes: the unit test test_vnet writes every
# frame it completed or cut (TSO v4/v6, USO v4/v6, UFO v4/v6) to a pcap;
# tshark must find every IP, TCP and UDP checksum good, including the UDP
# checksums of the UFO datagrams once it has put their fragments together.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

T=build/tests/test_vnet
[ -x "$T" ] || skip_all "$T not built (make tests)"
command -v tshark >/dev/null || skip_all "tshark not installed (make deps)"
D=$(mktemp -d /tmp/vnet.XXXXXX)
trap 'rm -rf "$D"' EXIT

VNET_PCAP="$D/v.pcap" "$T" >"$D/unit.log" 2>&1
check "test_vnet passed and wrote its frames" [ $? -eq 0 -a -s "$D/v.pcap" ]
tshark -r "$D/v.pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
	-o udp.check_checksum:TRUE -o ip.defragment:TRUE \
	-o ipv6.defragment:TRUE -T fields -e ip.checksum.status \
	-e tcp.checksum.status -e udp.checksum.status 2>/dev/null |
	tr '\t,' '\n\n' | grep -v '^$' | sort | uniq -c >"$D/status"
good=$(awk '$2 == 1 { print $1 }' "$D/status")
bad=$(awk '$2 != 1 { s += $1 } END { print s + 0 }' "$D/status")
diag "checksums tshark verified good: ${good:-0}"
check "tshark verified at least 35 checksums" [ "${good:-0}" -ge 35 ]
check_eq "tshark found no bad or unverified checksum" 0 "$bad"
n=$(tshark -r "$D/v.pcap" -Y 'udp && (ip.flags.mf == 0 && ip.frag_offset > 0 || ipv6.fragment)' \
	2>/dev/null | wc -l)
check "UFO datagrams reassembled by tshark (v4 and v6)" [ "$n" -ge 2 ]
tap_done
