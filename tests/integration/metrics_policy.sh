#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The policy's metrics: key (fabric.yaml(5)), as an ordinary user with
# dummy ports (tests/lib/dummy.sh): fabricd without --metrics-dir writes
# the textfile where the policy says; a reload with a bad key is refused
# at FILE:LINE:COL and the file goes on being written where it was; a
# reload that moves it writes to the new directory; one without the key
# stops.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/dummy.sh

command -v promtool >/dev/null ||
	skip_all "promtool not installed (Debian package prometheus, make deps)"

M1=$(mktemp -d /tmp/fabricd-metrics1.XXXXXX)
M2=$(mktemp -d /tmp/fabricd-metrics2.XXXXXX)
[ "$(id -u)" -ne 0 ] || chown nobody "$M1" "$M2"

policy() {
	cat <<YAML
partitions:
  - name: red
    pkey: 0x0011
    vlan: 11
ports:
  - { name: r1, partition: red }
  - { name: r2, partition: red }
$1
YAML
}

dummy_init < <(policy "metrics: { textfile_dir: $M1, interval: 1 }")
trap 'dummy_cleanup; rm -rf "$M1" "$M2"' EXIT

# reload TEXT: the policy with TEXT at its end, then SIGHUP; the signal
# is handled in the main loop before the next status is answered
reload() {
	policy "$1" >"$DUMMY_DIR/fabric.yaml"
	kill -HUP "$DUMMY_PID"
	sleep 0.3
}

# wait_for PATH: until the file exists
wait_for() {
	local i
	for i in $(seq 50); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

send r1 "$(frame ffffffffffff 020000000001)"
check "the policy's textfile_dir gets fabricd.prom" wait_for "$M1/fabricd.prom"
check "it passes promtool" promtool check metrics <"$M1/fabricd.prom"
check_eq "status names it, every 1 s" "$M1/fabricd.prom 1" \
	"$(fctl -j status | jq -r '.metrics | "\(.file) \(.interval)"')"

reload "metrics: { textfile_dir: prom, interval: 1 }"
check "a relative textfile_dir is refused at FILE:LINE:COL" \
	grep -q "fabric.yaml:8:26: error: textfile_dir 'prom' is not an absolute path" \
	<<<"$(fctl -j status | jq -r '.policy_error')"
ino=$(stat -c %i "$M1/fabricd.prom")
sleep 1.3
check "the last good policy's file is still written" \
	[ "$(stat -c %i "$M1/fabricd.prom")" != "$ino" ]

reload "metrics: { textfile_dir: $M2, interval: 2 }"
check "a reload moves it to the new textfile_dir" wait_for "$M2/fabricd.prom"
check_eq "status: the new file, every 2 s" "$M2/fabricd.prom 2 null" \
	"$(fctl -j status | jq -r '.metrics | "\(.file) \(.interval) \(.error)"')"
check_eq "the same counters there (r1 rx 1)" 1 \
	"$(awk '$1 == "fabricd_port_rx_packets_total{port=\"r1\",kind=\"netdev\"}" { print $2 }' "$M2/fabricd.prom")"

reload ""
check_eq "a policy without metrics: stops it" null \
	"$(fctl -j status | jq -c '.metrics')"

tap_done
