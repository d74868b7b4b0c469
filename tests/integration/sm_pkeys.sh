#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# OpenSM + libfabricsm.so on the simulated fabric: every port's PKey table,
# read back with smpquery, holds exactly the partitions the policy gives it
# with the right membership bit; IPoIB broadcast groups carry the policy's
# MTU (OpenSM's own SA dump); the state snapshot agrees with smpquery; a
# port whose PKey table is too small is logged with what did not fit.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh
# This test covers "both" members (a full and a limited entry on one port),
# which OpenSM writes only with allow_both_pkeys TRUE.
FABRIC_ALLOW_BOTH=TRUE

command -v jq >/dev/null || skip_all "jq not installed"
fabric_init_plugin tests/topo/small.net || skip_all "$FABRIC_ERR"
FABRIC_POLICY=tests/integration/sm_policy.yaml
FABRIC_OSM_CONF="sa_db_dump TRUE"
check "opensm with the plugin starts" fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
check "the plugin loaded" grep -q "fabricsm: policy .* in force" \
	"$FABRIC_OSM_LOG"

# Expected tables: default 0x7fff limited everywhere (0xffff on the SM's
# own port), then the policy's keys; full members have bit 15 set.
declare -A want=(
	[sm]="0x0013 0x0015 0xffff"
	[gw1]="0x0013 0x0015 0x7fff 0x8011"
	[h1]="0x0013 0x0015 0x7fff 0x8011"
	[h2]="0x0011 0x0013 0x0015 0x7fff"
	[h3]="0x0012 0x0013 0x0015 0x7fff 0x8012"
	[h4]="0x0013 0x0015 0x7fff 0x8012"
	[h5]="0x0015 0x7fff 0x8013"
	[h6]="0x0013 0x0015 0x7fff"
	[h7]="0x0013 0x0015 0x7fff"
	[h8]="0x0013 0x0015 0x7fff"
	[spine]="0x0015 0x7fff 0x8014"
	[leaf1]="0x0015 0x7fff 0x8014"
	[leaf2]="0x0015 0x7fff 0x8014"
)
table=$(fabric_port_table)
check_eq "13 end ports found" 13 "$(echo "$table" | wc -l)"
while read -r desc lid keys; do
	check_eq "$desc (LID $lid) PKey table" "${want[$desc]:-?}" "${keys% }"
done <<<"$table"

# IPoIB broadcast groups, from OpenSM's SA database dump: MTU selector
# "exactly" (0x80) + IBA code (4096 = 5, 1024 = 3).
sa=$FABRIC_DIR/opensm-sa.dump
fabric_wait_file_re "$sa" 'pkey=0x8012' 5
check "alpha's broadcast group has MTU 4096" \
	grep -qE 'mgid=0xff12401b80110000:.* mtu=0x85 .*pkey=0x8011' "$sa"
check "beta's broadcast group has MTU 1024" \
	grep -qE 'mgid=0xff12401b80120000:.* mtu=0x83 .*pkey=0x8012' "$sa"
check "no broadcast group for a partition without ipoib" \
	bash -c "! grep -q 'pkey=0x8013' '$sa'"

# The snapshot against smpquery: same ports, LIDs and PKeys.
state=$FABRIC_STATE
check "state snapshot written" fabric_wait_state 1
snap=$(jq -r '.ports[] | "\(.node_desc) \(.lid) " +
	([.pkeys[].pkey] | sort | join(" "))' "$state" | sort)
check_eq "snapshot agrees with smpquery" "$(echo "$table" | sed 's/ *$//' | sort)" "$snap"
check_eq "snapshot names partitions" "alpha full" \
	"$(jq -r '.ports[] | select(.node_desc == "h1") | .pkeys[] |
		select(.pkey == "0x8011") | "\(.partition) \(.membership)"' "$state")"
check_eq "snapshot port GUID of gw1" "0x0002c90300000100 1" \
	"$(jq -r '.ports[] | select(.port_guid == "0x0002c90300000101") |
		"\(.node_guid) \(.port_num)"' "$state")"

# Too many partitions for a port: the HCAs' PKey tables hold 64 entries.
fabric_stop_sm
big=$FABRIC_DIR/big.yaml
{
	echo "partitions:"
	for i in $(seq 1 70); do
		printf '  - { name: p%d, pkey: 0x%04x, members: [ { guid: 0x0002c90300000901, membership: full } ] }\n' \
			"$i" $((0x100 + i))
	done
} >"$big"
FABRIC_POLICY=$big
check "opensm restarts with a 70-partition policy" fabric_start_sm
check "SUBNET UP" fabric_wait_up
h8=$(fabric_lid_of 0x0002c90300000901)
keys=$(fabric_pkeys "$h8")
check "h8's PKey table is filled up (smpquery: $(echo "$keys" | wc -l) keys)" \
	test "$(echo "$keys" | wc -l)" -ge 60
missing=""
for i in $(seq 1 70); do
	grep -q "$(printf '0x%04x' $((0x8100 + i)))" <<<"$keys" ||
		missing="$missing p$i"
done
check "smpquery shows some partitions missing on h8:$missing" test -n "$missing"
line=$(grep "port 0x0002c90300000901 (h8):.* did not fit" "$FABRIC_OSM_LOG")
check "the log names the port whose table is too small" test -n "$line"
for p in $missing; do
	check "the log names $p as not fitting" grep -qw "$p" <<<"$line"
done
tap_done
