#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# ipoib/sa_client against the SA of the real OpenSM on an ibsim fabric:
# broadcast-group join (existing and created), refusal outside the
# partition, PathRecord, leave. Judged with saquery, not with our output.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

TOOL=$PWD/build/tests/ipoib-tool
[ -x "$TOOL" ] || skip_all "build/tests/ipoib-tool not built (make tests)"
fabric_init || skip_all "$FABRIC_ERR"

# gw1 is in tenant_a (SM creates its IPoIB group) and tenant_b (no group
# yet), not in tenant_c. OpenSM 3.3.23 refuses every MCMemberRecord join
# when allow_both_pkeys is TRUE (its PKey map is then keyed by the full
# PKey, osm_physp_has_pkey looks up the base), so this fabric runs FALSE.
cat >"$FABRIC_PARTITIONS" <<'P'
Default=0x7fff, ipoib : ALL=full;
tenant_a=0x8001, ipoib, mtu=4 : ALL=full;
tenant_b=0x8002 : ALL=full;
tenant_c=0x8003, ipoib : 0x0002c90300000201=full;
P
FABRIC_OSM_CONF="allow_both_pkeys FALSE"
fabric_start_sim tests/topo/small.net || skip_all "$FABRIC_ERR"
fabric_start_sm
fabric_wait_up || skip_all "$FABRIC_ERR"

GW_GID=fe80::2:c903:0:101
H1_GID=fe80::2:c903:0:201

gw() { SIM_HOST=gw1 fabric_exec "$TOOL" "$@" 2>&1; }
field() { sed -n "s/.*\\b$1 \\([^ ]*\\).*/\\1/p" <<<"$2"; }
# in_group MGID-PKEY GID: saquery lists GID as a member of the group whose
# MGID contains ":PKEY:" (one trusted query over all records)
in_group() {
	fabric_exec saquery --smkey 1 -m 2>/dev/null |
		awk -v k=":$1:" -v g="$2" '/MGID/ { m = $NF }
			/PortGid/ && index(m, k) && $NF ~ "\\." g "$" { f = 1 }
			END { exit !f }'
}
not_in_group() { ! in_group "$@"; }
# members MLID: the port GIDs saquery lists in group MLID (trusted query)
members() {
	fabric_exec saquery --smkey 1 -m "$1" 2>/dev/null |
		sed -n 's/.*PortGid\.*\([0-9a-f:]*\).*/\1/p' | sort
}

out=$(gw sa-join - 1 0x8001)
check "join tenant_a broadcast group" grep -q '^mlid' <<<"$out"
mlid=$(field mlid "$out")
check_eq "MGID from the PKey" ff12:401b:8001::ffff:ffff "$(field mgid "$out")"
check_eq "Q_Key of the group" 0x00000b1b "$(field qkey "$out")"
check_eq "MTU code 4 (2048, from partitions.conf)" 4 "$(field mtu "$out")"
check_eq "PKey of the group" 0x8001 "$(field pkey "$out")"
check "MLID is multicast" test $((mlid)) -ge $((0xc000))
check "saquery -m lists gw1 in the group" \
	grep -qx "$GW_GID" <<<"$(members "$mlid")"
state=$(fabric_exec saquery --smkey 1 -m 2>/dev/null |
	awk -v g="$GW_GID" '/MGID/ { m = $NF } /PortGid/ { p = $NF }
		/ScopeState/ && p ~ g && m ~ /8001/ { print $NF }' |
	sed 's/.*\.//')
check_eq "saquery: scope link, full member" 0x21 "$state"

out=$(gw sa-join - 1 0x8002)
check "tenant_b: no group, join without create is refused" \
	grep -q 'join:' <<<"$out"
out=$(gw sa-join - 1 0x8002 create)
check "tenant_b: join with create makes the group" grep -q '^mlid' <<<"$out"
mlid_b=$(field mlid "$out")
check "saquery -m lists gw1 in the new group" \
	grep -qx "$GW_GID" <<<"$(members "$mlid_b")"
check "created group has another MLID" test "$mlid_b" != "$mlid"

out=$(gw sa-join - 1 0x8003)
check "tenant_c (gw1 not a member): join refused" grep -q 'join:' <<<"$out"
check "saquery: gw1 is a member of the tenant_a group" in_group 8001 "$GW_GID"
check "saquery: gw1 is no member of tenant_c's group" \
	not_in_group 8003 "$GW_GID"

h1_lid=$(fabric_lid_of 0x0002c90300000201)
out=$(gw sa-path - 1 0x8001 "$H1_GID")
check_eq "PathRecord gw1 -> h1: DLID is h1's LID" "$h1_lid" "$(field dlid "$out")"
check_eq "PathRecord: SLID is gw1's LID" \
	"$(fabric_lid_of 0x0002c90300000101)" "$(field slid "$out")"
check_eq "PathRecord: DGID" "$H1_GID" "$(field dgid "$out")"
check_eq "PathRecord: PKey" 0x8001 "$(field pkey "$out")"
out=$(gw sa-path - 1 0x8003 "$H1_GID")
check "PathRecord in a partition gw1 is not in: refused" \
	grep -q 'path:' <<<"$out"
out=$(gw sa-path - 1 0x8001 fe80::2:c903:0:dead)
check "PathRecord to an unknown GID: refused" grep -q 'path:' <<<"$out"

out=$(gw sa-leave - 1 0x8001)
check_eq "leave tenant_a group" "" "$out"
check "saquery: gw1 gone from tenant_a's group" not_in_group 8001 "$GW_GID"
check "saquery: gw1 still in tenant_b's group" in_group 8002 "$GW_GID"

tap_done
