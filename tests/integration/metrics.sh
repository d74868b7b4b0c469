#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Metrics for Prometheus (docs/metrics.md), as an ordinary user with dummy
# ports (tests/lib/dummy.sh): known traffic through the engine, then
# fabricd's node_exporter textfile (--metrics-dir) and `fabricctl -o
# prometheus stats` pass `promtool check metrics` (Debian's prometheus),
# the file's values equal `fabricctl -j stats` counter by counter, the file
# is replaced whole (never read half-written, no temporary left), and a
# directory it cannot write shows in status and the log while forwarding
# goes on.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/dummy.sh

command -v promtool >/dev/null ||
	skip_all "promtool not installed (Debian package prometheus, make deps)"
command -v python3 >/dev/null || skip_all "python3 not installed"

MDIR=$(mktemp -d /tmp/fabricd-metrics.XXXXXX)
[ "$(id -u)" -ne 0 ] || chown nobody "$MDIR"
PROM=$MDIR/fabricd.prom

dummy_init --metrics-dir "$MDIR" --metrics-interval 1 <<'YAML'
partitions:
  - name: red
    pkey: 0x0011
    vlan: 11
  - name: blue
    pkey: 0x0012
    vlan: 12
ports:
  - { name: r1, partition: red, membership: full }
  - { name: r2, partition: red, membership: full, fdb_limit: 1 }
  - { name: b1, partition: blue, membership: full }
  - { name: b2, partition: blue, membership: full }
YAML
trap 'dummy_cleanup; rm -rf "$MDIR"' EXIT

BC=ffffffffffff
R1=020000000001 R2=020000000002 R2B=02000000002b B1=0200000000b1

# prom_value NAME LABELS: a sample of the file ("" when absent)
prom_value() {
	awk -v s="$1$2" '$1 == s { print $2 }' "$PROM"
}

# wait_file NAME LABELS VALUE: until a write of the file shows VALUE
wait_file() {
	local i
	for i in $(seq 60); do
		[ "$(prom_value "$1" "$2" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.1
	done
	echo "# $1$2 is '$(prom_value "$1" "$2")', not $3"
	return 1
}

# Known traffic: three broadcasts in red, two unicasts from r2 with two
# source MACs (its limit of 1 refuses the second), one in blue, and a
# tagged frame on an access port (dropped: bad_tag).
send r1 "$(frame $BC $R1)" "$(frame $BC $R1)" "$(frame $BC $R1)"
send r2 "$(frame $R1 $R2 0800 100)" "$(frame $R1 $R2B 86dd 100)"
send b1 "$(frame $BC $B1 0806 28)"
fctl port inject b2 "$(tagged $BC 0200000000b2 12)" >/dev/null
captured r1 r2 b1 b2 >/dev/null

check "the textfile appears in --metrics-dir" \
	wait_file fabricd_port_rx_packets_total '{port="r2",kind="netdev"}' 2
check "its values follow the traffic (r1 rx 180 bytes, bad_tag 1)" \
	wait_file fabricd_engine_drops_total '{reason="bad_tag"}' 1
check_eq "r1: 3 frames, 180 bytes in; r2: its second MAC not learned" \
	"3 180 1" \
	"$(prom_value fabricd_port_rx_packets_total '{port="r1",kind="netdev"}') $(prom_value fabricd_port_rx_bytes_total '{port="r1",kind="netdev"}') $(prom_value fabricd_fdb_not_learned_total '{reason="port_limit"}')"

out=$(promtool check metrics <"$PROM" 2>&1)
check "the textfile passes promtool check metrics" [ $? -eq 0 ]
[ -z "$out" ] || diag "$out"
out=$(fctl -o prometheus stats | promtool check metrics 2>&1)
check "fabricctl -o prometheus stats passes promtool check metrics" \
	[ $? -eq 0 ]
[ -z "$out" ] || diag "$out"

# The counters are still now: the next write equals the stats reply.
sleep 1.2
fctl -j stats >"$MDIR/stats.json"
cp "$PROM" "$MDIR/copy.prom"
out=$(python3 tests/lib/prom_compare.py "$MDIR/copy.prom" "$MDIR/stats.json")
check "every counter of the file equals fabricctl -j stats ($out)" \
	[ $? -eq 0 ]
fctl -o prometheus stats >"$MDIR/ctl.prom"
out=$(python3 tests/lib/prom_compare.py "$MDIR/ctl.prom" "$MDIR/stats.json")
check "and so does fabricctl -o prometheus stats ($out)" [ $? -eq 0 ]
# Output options after the object too (fabricctl(8)): the same text.
fctl stats -o prometheus >"$MDIR/after.prom" 2>"$MDIR/after.err"
rc=$?
check_eq "fabricctl stats -o prometheus: exit 0 ($(head -c 200 "$MDIR/after.err"))" 0 $rc
out=$(python3 tests/lib/prom_compare.py "$MDIR/after.prom" "$MDIR/stats.json")
check "and its counters equal fabricctl -j stats ($out)" [ $? -eq 0 ]
rm -f "$MDIR/after.prom" "$MDIR/after.err"
out=$(fctl stats --output=prometheus)
check "fabricctl stats --output=prometheus: not empty, passes promtool" \
	eval '[ -n "$out" ] && promtool check metrics <<<"$out" >/dev/null 2>&1' 
check_eq "fabricctl stats -j prints the JSON of -j stats" \
	"$(jq -c '.ports | length' "$MDIR/stats.json")" \
	"$(fctl stats -j | jq -c '.ports | length')"
check_eq "fabricctl port list -o json is JSON" "array" \
	"$(fctl port list -o json | jq -r type)"
fctl -o prometheus port list >/dev/null 2>&1
check_eq "-o prometheus is refused for anything but stats" 1 $?
fctl port list -o prometheus >/dev/null 2>&1
check_eq "after the object too" 1 $?
fctl -o yaml stats >/dev/null 2>&1
check_eq "and -o of an unknown format" 1 $?
check_eq "the families are documented in docs/metrics.md" "" \
	"$(awk '/^# TYPE/ { print $3 }' "$PROM" | while read -r n; do
		grep -q "^| \`$n\`" docs/metrics.md || echo "$n"
	done)"

# Replaced whole: a reader never sees part of it, no temporary stays.
lines=$(wc -l <"$PROM")
ino=$(stat -c %i "$PROM")
torn=0
reads=0
end=$((SECONDS + 3))
while [ $SECONDS -lt $end ]; do
	n=$(wc -l <"$PROM")
	[ "$n" = "$lines" ] && [ "$(tail -c 1 "$PROM" | od -An -c | tr -d ' ')" = '\n' ] ||
		torn=$((torn + 1))
	reads=$((reads + 1))
done
check_eq "$reads reads over 3 s of writes: each saw all $lines lines" 0 "$torn"
check "the file was replaced (a new inode)" \
	[ "$(stat -c %i "$PROM")" != "$ino" ]
check_eq "nothing but the file in the directory" \
	"copy.prom ctl.prom fabricd.prom stats.json" \
	"$(ls "$MDIR" | xargs)"
check_eq "status: writes, no error" "true 0 null" \
	"$(fctl -j status | jq -r '.metrics | "\(.writes > 3) \(.errors) \(.error)"')"

# A directory it cannot write: counted, said, and frames still flow.
chmod 0555 "$MDIR"
sleep 1.5
check_eq "status shows the write error" "true Permission denied" \
	"$(fctl -j status | jq -r '.metrics | "\(.errors > 0) \(.error)"')"
check "the log says so" grep -q "cannot write the metrics to $PROM" \
	"$DUMMY_DIR/fabricd.log"
send r1 "$(frame $BC $R1)"
check_eq "forwarding goes on" "r2:1" "$(captured r2)"
check_eq "the old file stays" "3" \
	"$(prom_value fabricd_port_rx_packets_total '{port="r1",kind="netdev"}')"
chmod 0755 "$MDIR"
check "writes resume once it can (r1 rx 4)" \
	wait_file fabricd_port_rx_packets_total '{port="r1",kind="netdev"}' 4
check_eq "status: no error any more" "null" \
	"$(fctl -j status | jq -r '.metrics.error')"

tap_done
