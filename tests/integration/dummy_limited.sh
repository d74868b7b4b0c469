#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Limited members on dummy ports, as an ordinary user (tests/lib/dummy.sh):
# as with an InfiniBand limited PKey, a limited port talks to full members
# only. limited <-> limited is dropped (counted as "isolation"), broadcast
# from a limited port reaches the full ones only, full <-> limited works.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/dummy.sh

dummy_init <<'YAML'
partitions:
  - name: shared
    pkey: 0x0021
    vlan: 21
ports:
  - { name: f1, partition: shared, membership: full }
  - { name: f2, partition: shared, membership: full }
  - { name: l1, partition: shared, membership: limited }
  - { name: l2, partition: shared, membership: limited }
YAML

BC=ffffffffffff
F1=0200000000f1 F2=0200000000f2 L1=0200000000a1 L2=0200000000a2
ALL="f1 f2 l1 l2"


isolation_drops() {
	fctl -j stats | jq '.drops.isolation'
}

check_eq "l1, l2 limited; f1, f2 full" "f1=full f2=full l1=limited l2=limited" \
	"$(fctl -j port list | jq -r '[.[] | "\(.name)=\(.membership)"] |
		sort | join(" ")')"

send l1 "$(frame $BC $L1)"
check_eq "broadcast from limited l1: the full ports only" \
	"f1:1 f2:1 l1:0 l2:0" "$(captured $ALL)"
send f1 "$(frame $BC $F1)"
check_eq "broadcast from full f1: everyone else" \
	"f1:0 f2:1 l1:1 l2:1" "$(captured $ALL)"
send l2 "$(frame $F1 $L2)"
check_eq "limited l2 -> full f1: delivered" \
	"f1:1 f2:0 l1:0 l2:0" "$(captured $ALL)"
send f2 "$(frame $L2 $F2)"
check_eq "full f2 -> limited l2: delivered" \
	"f1:0 f2:0 l1:0 l2:1" "$(captured $ALL)"

before=$(isolation_drops)
send l1 "$(frame $L2 $L1)" "$(frame $L2 $L1)"
check_eq "limited l1 -> limited l2 (known MAC): nothing delivered" \
	"f1:0 f2:0 l1:0 l2:0" "$(captured $ALL)"
check_eq "both counted as isolation drops" 2 \
	$(($(isolation_drops) - before))
check_eq "l1's own drop counter says isolation: 2" 2 \
	"$(fctl -j port list | jq '.[] | select(.name == "l1") |
		.drops.isolation')"
send l1 "$(frame 02000000dead $L1)"
check_eq "unknown unicast from l1: flooded to full ports only" \
	"f1:1 f2:1 l1:0 l2:0" "$(captured $ALL)"

tap_done
