#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# IPFIX flow export (docs/ipfix.md) judged by independent collectors.
# Four VMs (namespaces behind veths) in two partitions send known traffic
# through fabricd's engine (--no-ib): IPv4 and IPv6 UDP flows with known
# packet counts and sizes. fabricd exports over UDP (sampling 1) to a real
# nfcapd (nfdump) in the switch namespace; then
#   - nfdump -r shows exactly those flows, with exact packet and byte counts;
#   - ipfixDump (libfixbuf-tools) decodes every captured message;
#   - tshark dissects the export packets as IPFIX (cflow), nothing malformed;
#   - the options records name both partitions; fabricctl flow show counts.
# FLOW_TEST_BREAK=1 expects one packet more on one flow: the test must fail.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/netns.sh
. tests/lib/ipfix.sh

netns_require nfcapd nfdump ipfixDump tshark jq /usr/bin/python3

netns_init flowx
ipfix_init
ipfix_vms
{
	ipfix_policy flows
	cat <<YAML
flow_export:
  collector: 127.0.0.1:$PORT
  sampling: 1
  active_timeout: 60
  idle_timeout: 30
  observation_domain: 42
YAML
} >"$D/fabric.yaml"

ipfix_start
check_eq "flow show: export to the policy's collector, 1:1" \
	"127.0.0.1:$PORT 1 42" \
	"$(fctl -j flow show | jq -r '.export |
		"\(.collector) \(.sampling) \(.observation_domain)"')"

ipfix_hellos
# The known flows: VM COUNT DST SRC FAMILY SRC DST SPORT DPORT PAYLOAD
send a1 7 $A2 $A1 4 10.1.0.1 10.1.0.2 1111 2222 100
send a2 5 $A1 $A2 6 fd00:a::2 fd00:a::1 3333 4444 50
send b1 3 $B2 $B1 4 10.2.0.1 10.2.0.2 5555 6666 200
send b2 4 $B1 $B2 6 fd00:b::2 fd00:b::1 7777 8888 10
sleep 0.5
check_eq "flow show: 4 UDP flows + 4 hellos in the cache" 8 \
	"$(fctl -j flow show | jq .cache.entries)"
check_eq "flow show: per partition" "tenant-a 4,tenant-b 4" \
	"$(fctl -j flow show |
		jq -r '[.cache.partitions[] | "\(.name) \(.entries)"] | join(",")')"
fctl flow show | sed 's/^/#   /'
# Export off: every flow ends (forced) and is sent now.
fctl flow export off >/dev/null
check_eq "flow export off: the cache is gone" "false" \
	"$(fctl -j flow show | jq .cache.enabled)"
check_eq "8 records exported, no export error" "8 0" \
	"$(fctl -j flow show | jq -r '"\(.exported) \(.export_errors)"')"

# At run time, with a short idle timeout: the main loop's timer exports a
# flow once it is idle, without `off`.
check "fabricctl flow export COLLECTOR idle_timeout 1 (run time)" \
	bash -c "'$FABRICCTL' -s '$SOCK' flow export 127.0.0.1:$PORT \
		sampling 1 active_timeout 5 idle_timeout 1 \
		observation_domain 42 >/dev/null"
check_eq "flow show: set at run time, idle 1 s" "true 1" \
	"$(fctl -j flow show | jq -r '"\(.export.runtime) \(.export.idle_timeout)"')"
send a1 2 $A2 $A1 4 10.1.0.1 10.1.0.2 9999 2222 100
idle_out() {
	[ "$(fctl -j flow show | jq '.cache.ended.idle')" = 1 ]
}
for _ in $(seq 40); do idle_out && break; sleep 0.1; done
check "the flow ends by idle timeout (flow show: ended.idle 1)" idle_out
check_eq "tenant-a counts it" "1 1" \
	"$(fctl -j flow show | jq -r '.cache.partitions[] |
		select(.name == "tenant-a") | "\(.created) \(.records)"')"
sleep 1
check_eq "9 records exported in all" 9 "$(fctl -j flow show | jq .exported)"
check "a bad collector is refused" \
	bash -c "! '$FABRICCTL' -s '$SOCK' flow export nohost.invalid:1 2>/dev/null"
check "sampling 0 is refused" \
	bash -c "! '$FABRICCTL' -s '$SOCK' flow export 127.0.0.1:1 sampling 0 2>/dev/null"
check_eq "the running export stays after refusals" "127.0.0.1:$PORT" \
	"$(fctl -j flow show | jq -r .export.collector)"
ipfix_stop

NF=$(ipfix_nffile)
check "nfcapd wrote a file" test -s "$NF"
# proto src sport dst dport packets bytes, sorted: what nfdump saw.
nfdump -r "$NF" -q -N -o 'fmt:%pr %sa %sp %da %dp %pkt %byt' 'proto udp' \
	2>"$D/nfdump.err" | awk '{ $1 = $1; print }' | sort >"$D/flows"
WANT_A=7
[ -n "${FLOW_TEST_BREAK:-}" ] && WANT_A=8
sort >"$D/want" <<WANT
17 10.1.0.1 1111 10.1.0.2 2222 $WANT_A $((WANT_A * 128))
17 fd00:a::2 3333 fd00:a::1 4444 5 490
17 10.2.0.1 5555 10.2.0.2 6666 3 684
17 fd00:b::2 7777 fd00:b::1 8888 4 232
17 10.1.0.1 9999 10.1.0.2 2222 2 256
WANT
check "nfdump -r shows exactly the 5 UDP flows, packets and bytes" \
	diff -u "$D/want" "$D/flows"
diag "nfdump -r ... -o long 'proto udp':"
nfdump -r "$NF" -o long 'proto udp' 2>&1 | sed 's/^/#   /'

# ipfixDump: every message decodes. One file per transport session (UDP
# source port: each exporter started has its own, sequence numbers anew).
tshark -r "$D/ipfix.pcap" -T fields -e udp.srcport -e udp.payload \
	2>/dev/null | $PY -c '
import sys
for line in sys.stdin:
    port, _, hexdata = line.strip().partition("\t")
    if hexdata:
        with open("%s/msgs.%s.ipfix" % (sys.argv[1], port), "ab") as f:
            f.write(bytes.fromhex(hexdata.replace(":", "")))' "$D"
NMSG=$(tshark -r "$D/ipfix.pcap" 2>/dev/null | wc -l)
check "the export sent IPFIX messages" test "$NMSG" -gt 0
NSESS=0 DUMP_RC=0
for f in "$D"/msgs.*.ipfix; do
	# --rfc5610: names and types of fabricd's enterprise IEs from the export.
	ipfixDump --rfc5610 --in "$f" --out - 2>>"$D/dump.err" \
		>>"$D/dump.txt" || DUMP_RC=$?
	NSESS=$((NSESS + 1))
done
check_eq "two exporters (policy, run time): two UDP sessions" 2 "$NSESS"
check_eq "ipfixDump decodes every message (exit 0, $NMSG messages)" \
	"0 $NMSG" "$DUMP_RC $(grep -c '^--- Message Header ---' "$D/dump.txt")"
check "ipfixDump: no error or warning" \
	bash -c "! grep -qiE 'error|warn|malformed' '$D/dump.err'"
check_eq "ipfixDump: options records map PKeys to partition names" \
	"33 tenant-a,34 tenant-b" \
	"$(awk '/ibPKey :/ { k = $NF } /fabricPartitionName :/ {
		print k, $NF }' "$D/dump.txt" | sort -u | paste -sd,)"
# tenant-a: 2 hello + 3 UDP flow records, tenant-b: 2 + 2; 2 options
# records each (one per exporter)
check_eq "ipfixDump: records carry the partitions' ibPKey" \
	"7 6" "$(grep -c 'ibPKey : 33' "$D/dump.txt") $(grep -c 'ibPKey : 34' "$D/dump.txt")"

# tshark: IPFIX, no malformed field, no expert warning.
check_eq "tshark dissects every packet as IPFIX (version 10)" "$NMSG" \
	"$(tshark -r "$D/ipfix.pcap" -d "udp.port==$PORT,cflow" \
		-Y 'cflow.version == 10' 2>/dev/null | wc -l)"
# (the filter's exit status too: a bad filter would match nothing)
BAD=$(tshark -r "$D/ipfix.pcap" -d "udp.port==$PORT,cflow" \
	-Y '_ws.malformed || _ws.expert.severity >= "Warning"' 2>/dev/null)
check_eq "tshark: no malformed packets, no expert warnings" "0 0" \
	"$? $(grep -c . <<<"$BAD")"
[ -n "${FLOW_TEST_KEEP:-}" ] && cp -r "$D" "$FLOW_TEST_KEEP"
tap_done
