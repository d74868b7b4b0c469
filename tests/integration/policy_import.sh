#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricctl policy import, judged by OpenSM itself: every partition file of
# tests/import/ that imports is run both ways on the ibsim fabric
# tests/topo/small.net, each time on a freshly started simulator:
#   plain   the stock OpenSM with the file as its partition_config_file;
#   plugin  OpenSM with libfabricsm.so and the imported policy;
# and the two are compared: every port's PKey table read with smpquery
# (entries in table order, membership bits included; CA ports and the
# switches' port 0) and every multicast group in OpenSM's SA database dump
# (MGID, Q_Key, MTU, TClass, PKey, rate, SL/flow/hop, scope; the MLIDs are
# left out). OpenSM runs with allow_both_pkeys FALSE (as recommended) and,
# for two files, TRUE as well. The files that must be refused are refused
# with their lines.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

FCTL=$PWD/build/bin/fabricctl
SM_GUID=0x0002c90300000001 # "sm", the first HCA of small.net
[ -x "$FCTL" ] || skip_all "fabricctl not built (make)"
fabric_init_plugin tests/topo/small.net || skip_all "$FABRIC_ERR"
fabric_kill_wait "$FABRIC_SIM_PID" # each run starts its own
FABRIC_SIM_PID=""
FABRIC_OSM_CONF="sa_db_dump TRUE"
D=$FABRIC_DIR

# groups: OpenSM's multicast groups from its SA dump, one sorted line each.
groups() {
	[ -f "$D/opensm-sa.dump" ] || return 0 # no group at all: no dump
	awk '/^MC Group/ { line = ""
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(mgid|qkey|mtu|tclass|pkey|rate|sl_flow_hop|scope_state)=/)
				line = line " " $i
		print line }' "$D/opensm-sa.dump" | sort
}

# snapshot: "GUID NODE: pkeys..." per port, then the groups.
snapshot() {
	local g l t d
	fabric_ports | while read -r g l t d; do
		printf '%s %s:%s\n' "$g" "$d" "$(fabric_exec smpquery pkeys "$l" \
			2>/dev/null | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++)
				if ($i != "0x0000") printf " %s", $i }')"
	done
	groups
}

# run_way plain FILE | plugin POLICY: a fresh fabric under OpenSM, the
# snapshot on stdout.
run_way() {
	rm -f "$FABRIC_PARTITIONS" "$D/opensm-sa.dump"
	FABRIC_POLICY=""
	if [ "$1" = plain ]; then
		cp "$2" "$FABRIC_PARTITIONS"
	else
		FABRIC_POLICY=$2
	fi
	fabric_start_sim tests/topo/small.net && fabric_start_sm &&
		fabric_wait_up || {
		echo "# $1: $FABRIC_ERR" >&2
		return 1
	}
	fabric_wait_file_re "$D/opensm-sa.dump" '.' 5
	sleep 0.2 # the dump is written whole, but after SUBNET UP
	# A file OpenSM rejects falls back to "every port full": say so.
	grep -o 'PARSE ERROR.*' "$FABRIC_OSM_LOG"
	snapshot
	fabric_stop_sm
	fabric_kill_wait "$FABRIC_SIM_PID"
	FABRIC_SIM_PID=""
}

# both_ways CONF [IMPORT-ARGS...]: import, run both ways, compare.
both_ways() {
	local conf=$1 name
	name=${WAY_PREFIX:-}$(basename "$conf" .conf)
	shift
	if ! "$FCTL" policy import "$conf" -o "$D/$name.yaml" "$@" \
		>/dev/null 2>"$D/$name.err"; then
		not_ok "$name: imported"
		sed 's/^/# /' "$D/$name.err"
		return
	fi
	ok "$name: imported"
	run_way plain "$conf" >"$D/$name.plain"
	run_way plugin "$D/$name.yaml" >"$D/$name.plugin"
	check "$name: OpenSM saw ports (both runs)" test "$(grep -c '^0x' \
		"$D/$name.plain")" -eq 13 -a "$(grep -c '^0x' "$D/$name.plugin")" -eq 13
	check "$name: OpenSM took the file (no PARSE ERROR)" \
		bash -c "! grep -q 'PARSE ERROR' '$D/$name.plain'"
	if cmp -s "$D/$name.plain" "$D/$name.plugin"; then
		ok "$name: same PKey tables and multicast groups both ways"
	else
		not_ok "$name: same PKey tables and multicast groups both ways"
		diff "$D/$name.plain" "$D/$name.plugin" | sed 's/^/# /'
	fi
	diag "$name: $(grep -c '^ mgid' "$D/$name.plain") groups," \
		"$(grep -o ' 0x[0-9a-f]*' "$D/$name.plain" | sort -u | wc -l) distinct PKeys"
}

# refused CONF "LINE[:COL] ..." [IMPORT-ARGS...]: refused, exactly there.
refused() {
	local conf=$1 want=$2 name got
	name=$(basename "$conf" .conf)
	shift 2
	rm -f "$D/$name.yaml"
	"$FCTL" policy import "$conf" -o "$D/$name.yaml" "$@" \
		>/dev/null 2>"$D/$name.err"
	check_eq "$name: refused (exit 1)" 1 "$?"
	got=$(sed -n "s|^$conf:\([0-9:]*\): error: .*|\1|p" "$D/$name.err" |
		sort -t: -k1,1n -k2,2n | xargs)
	check_eq "$name: refused at" "$want" "$got"
	check "$name: nothing written" test ! -e "$D/$name.yaml"
	grep -q "not imported; nothing written" "$D/$name.err" ||
		sed 's/^/# /' "$D/$name.err"
}

for f in tests/import/doc-newpartition.conf tests/import/doc-shareio.conf \
	tests/import/doc-default.conf tests/import/doc-prior.conf \
	tests/import/hand-tenants.conf tests/import/hand-overrides.conf \
	tests/import/hand-nodefault.conf; do
	both_ways "$f"
done
both_ways tests/import/doc-yetanother.conf --sm-guid "$SM_GUID"
both_ways tests/import/hand-generated.conf --sm-guid "$SM_GUID"
refused tests/import/doc-yetanother.conf "3:26"

# "both" and later entries overriding earlier ones also hold with
# allow_both_pkeys TRUE (full and limited entries on one port).
FABRIC_ALLOW_BOTH=TRUE WAY_PREFIX=allow-both:
for f in tests/import/hand-tenants.conf tests/import/hand-overrides.conf; do
	both_ways "$f"
done
check "allow-both: a port holds both entries" grep -q \
	"0x0002c90300000101 gw1:.* 0x0022 .*0x8022\|0x0002c90300000101 gw1:.* 0x8022 .*0x0022" \
	"$D/allow-both:hand-tenants.plain"
FABRIC_ALLOW_BOTH=FALSE WAY_PREFIX=

# What the policy cannot hold (yet): refused where it stands.
refused tests/import/refused-constructs.conf \
	"2:10 3:17 4:11 5:10 7:2 9:36 10:30 11:11 12:11 13 14:18 15:18 17:1"
grep -q "indx0: the policy cannot put a PKey at index 0" "$D/refused-constructs.err"
check_eq "indx0: the reason is given" 0 $?
refused tests/import/doc-mgroups.conf "3:9 4:9 5:9 6:9 7:9"
# The default partition: default_partition gives all ports one membership.
refused tests/import/doc-default-switches.conf "2"

# Comments stay next to what they described.
y=$D/hand-tenants.yaml
check "comment: the file's head comes first" \
	grep -q "^# Cluster X partitions" "$y"
check "comment: before its partition" \
	grep -B1 -- "- name: storage" "$y" | grep -q "# Storage: every host reads"
check "comment: at the end of its member" \
	grep -q "guid: 0x0002c90300000601, membership: full }   # h5, the target" "$y"
check "comment: a member overridden later keeps its line's comment" \
	grep -q "guid: 0x0002c90300000201, membership: limited }   # h1 becomes limited" "$y"
check "comment: the last one stays last" \
	bash -c "tail -n 1 '$y' | grep -q \"the last definition needs no ';'\""

# --guid2lid: every port keeps its LID.
printf '0x0002c90300000001 0x0001 0x0001\n0x0002c90300000101 0x0040 0x0040\n' \
	>"$D/guid2lid"
"$FCTL" policy import tests/import/hand-tenants.conf --guid2lid "$D/guid2lid" \
	-o "$D/pins.yaml" 2>/dev/null
check_eq "--guid2lid: LIDs pinned" "0x0002c90300000001 0x0001
0x0002c90300000101 0x0040" "$("$FCTL" -j policy show "$D/pins.yaml" |
	jq -r '.lid_pins[] | "\(.guid) \(.lid)"')"
"$FCTL" policy import /nonexistent.conf >/dev/null 2>&1
check_eq "a missing file: exit 2" 2 $?
tap_done
