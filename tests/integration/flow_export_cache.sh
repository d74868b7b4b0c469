#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The IPFIX flow cache under a tenant's flood, and the active timeout
# applied by the timer (docs/ipfix.md), with real frames from four VMs
# (namespaces) in two partitions, judged by a real nfcapd (nfdump) and
# tshark's IPFIX dissector on the export.
#   1. cache_size 64, partition_share 75 (48 flows a partition): tenant-a
#      floods 100 distinct 5-tuples, then tenant-b starts 20 flows and sends
#      each twice. tenant-a overflows (its oldest flows end early, counted);
#      tenant-b, under its share, takes room from tenant-a once the cache is
#      full: none of its flows is cut, nfdump shows each as one record of 2
#      packets, and every one of tenant-a's 100 flows is exported.
#   2. active_timeout 4, idle_timeout 4: a flow runs 2 s, pauses (until
#      the record is out, at most 3.4 s: shorter than the idle timeout),
#      runs again. Its first record is
#      exported during the pause (activeTimeout, seen by tshark before the
#      flow resumed), the second starts with the resumed packets.
#   3. A reload with cache_size out of range is refused at FILE:LINE:COL;
#      one with another size and share replaces the cache.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/netns.sh
. tests/lib/ipfix.sh

netns_require nfcapd nfdump tshark jq /usr/bin/python3

netns_init flowc
ipfix_init
ipfix_vms
# policy SIZE SHARE: the policy with that cache
policy() {
	ipfix_policy flowcache
	cat <<YAML
flow_export:
  collector: 127.0.0.1:$PORT
  active_timeout: 60
  idle_timeout: 30
  cache_size: $1
  partition_share: $2
YAML
}
policy 64 75 >"$D/fabric.yaml"

ipfix_start
FABRICD_PID=${PIDS[-1]}
check_eq "flow show: cache of 64 flows, 75% = 48 per partition" "64 75 48" \
	"$(fctl -j flow show | jq -r '"\(.cache.size) \(.export.partition_share) \(.cache.partition_limit)"')"

ipfix_hellos
# tenant-a's flood: 100 flows of one packet, source ports 10000..10099.
send a1 1 $A2 $A1 4 10.1.0.1 10.1.0.2 10000 53 20 100
# tenant-b: 20 flows (ports 20000..20019), each twice.
send b1 2 $B2 $B1 4 10.2.0.1 10.2.0.2 20000 53 20 20
part() { # NAME: its flows, overflows and flows ended for lack of room
	fctl -j flow show | jq -r --arg n "$1" '.cache.partitions[] |
		select(.name == $n) |
		"\(.entries) \(.overflow) \(.ended.resources)"'
}
# tenant-a: 2 hellos + 100 = 102 flows at 48 at most: 54 overflows; 6 more
# of its flows ended when tenant-b's took the cache's last room.
check_eq "tenant-a: 42 flows, 54 overflows, 60 ended for lack of room" \
	"42 54 60" "$(wait_eq "42 54 60" part tenant-a)"
check_eq "tenant-b: all its 22 flows kept, no overflow" "22 0 0" \
	"$(part tenant-b)"
check_eq "stats -j: partitions[].flow.overflow" "tenant-a 54,tenant-b 0" \
	"$(fctl -j stats | jq -r '[.partitions[] |
		"\(.name) \(.flow.overflow)"] | join(",")')"
check_eq "metrics: fabricd_partition_flow_overflow_total" "54 0" \
	"$(fctl stats -o prometheus |
		awk '/^fabricd_partition_flow_overflow_total/ { print $NF }' |
		paste -sd' ')"
fctl flow show | sed 's/^/#   /'
check "a cache_size out of range is refused at run time" \
	bash -c "! '$FABRICCTL' -s '$SOCK' flow export 127.0.0.1:$PORT \
		cache_size 63 2>/dev/null"
fctl flow export off >/dev/null

# 2. The active timeout by the timer.
check "fabricctl flow export ... active_timeout 4 idle_timeout 4" \
	bash -c "'$FABRICCTL' -s '$SOCK' flow export 127.0.0.1:$PORT \
		active_timeout 4 idle_timeout 4 >/dev/null"
active() {
	fctl -j flow show | jq -r '.cache.partitions[] |
		select(.name == "tenant-a") | .ended.active'
}
ms() { echo $(($(date +%s%N) / 1000000)); }
send a1 9 $A2 $A1 4 10.1.0.1 10.1.0.2 7000 53 20 1 0.25 # 2 s
# The pause: until the timer ends the flow, at most 3.4 s (< idle 4 s).
PAUSE_END=$(($(ms) + 3400))
while [ "$(active)" != 1 ] && [ "$(ms)" -lt $PAUSE_END ]; do sleep 0.1; done
check_eq "during the pause the timer ended the flow (activeTimeout)" 1 \
	"$(active)"
RESUME=$(date +%s.%N)
send a1 4 $A2 $A1 4 10.1.0.1 10.1.0.2 7000 53 20 1 0.25
fctl flow export off >/dev/null
ipfix_stop

# 3. The policy's keys on reload: a size out of range is refused at
# FILE:LINE:COL and the running cache stays; a good one replaces it.
reload() {
	policy "$1" "$2" >"$D/fabric.yaml"
	kill -HUP "$FABRICD_PID"
	sleep 0.3
}
fctl flow export 127.0.0.1:$PORT cache_size 256 >/dev/null
reload 63 75
AT_LINE=$(grep -n "cache_size:" "$D/fabric.yaml" | cut -d: -f1)
check_eq "a reload with cache_size 63 is refused at FILE:LINE:COL" \
	"$D/fabric.yaml:$AT_LINE:15: error: cache_size 63 is out of range; use 64..1048576" \
	"$(fctl -j status | jq -r '.policy_error' | grep -o "[^ ]*fabric.yaml:.*")"
check_eq "the running cache stays (set at run time, 256)" "true 256" \
	"$(fctl -j flow show | jq -r '"\(.export.runtime) \(.cache.size)"')"
reload 128 50
check_eq "a reload with cache_size 128, partition_share 50 applies" \
	"false 128 64" "$(fctl -j flow show | jq -r \
	'"\(.export.runtime) \(.cache.size) \(.cache.partition_limit)"')"

NF=$(ipfix_nffile)
check "nfcapd wrote a file" test -s "$NF"
flows() { # FILTER: "source-port packets" of each record, sorted
	nfdump -r "$NF" -q -N -o 'fmt:%sp %pkt' "$1" 2>>"$D/nfdump.err" |
		awk '{ print $1, $2 }' | sort -n
}
check_eq "nfdump: tenant-a's 100 flood flows, one packet each" "100 100" \
	"$(flows 'src port >= 10000 and src port < 10100' |
		awk '{ n++; p += $2 } END { print n, p }')"
check_eq "nfdump: tenant-b's 20 flows, each one record of 2 packets" \
	"20 20" "$(flows 'src port >= 20000 and src port < 20020' |
		awk '$2 == 2 { n++ } END { print NR, n }')"
check_eq "nfdump: the paused flow is two records, 9 and 4 packets" \
	"7000 9,7000 4" "$(nfdump -r "$NF" -q -N -O tstart \
		-o 'fmt:%sp %pkt' 'src port 7000' 2>>"$D/nfdump.err" |
		awk '{ print $1, $2 }' | paste -sd,)"
# tshark: when the activeTimeout record of port 7000 reached the collector.
AT=$(tshark -r "$D/ipfix.pcap" -d "udp.port==$PORT,cflow" \
	-Y 'cflow.srcport == 7000 && cflow.flow_end_reason == 2' \
	-T fields -e frame.time_epoch 2>/dev/null | head -1)
diag "activeTimeout record at $AT, flow resumed at $RESUME"
check "tshark: the activeTimeout record left before the flow resumed" \
	awk -v a="$AT" -v r="$RESUME" 'BEGIN { exit !(a != "" && a < r) }'
diag "nfdump -r ... -o long 'src port 7000':"
nfdump -r "$NF" -o long 'src port 7000' 2>&1 | sed 's/^/#   /'
tap_done
