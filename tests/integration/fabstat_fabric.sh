#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabstat fabric on a simulated fabric: the partitions and their members it
# reports (from the SA) must equal what smpquery reads from every port's
# PKey table; the policy members the fabric lacks are named with the
# reason; the SM plugin's snapshot (--snapshot) gives the same answer as
# the SA.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh
. tests/lib/fabstat.sh
fabstat_sim_up

fabstat() {
	SIM_HOST=gw1 fabric_exec "$FABSTAT" "$@" 2>"$FABRIC_DIR/fabstat.err"
}

# "PKEY GUID MEMBERSHIP LID" per member, from fabstat's JSON.
members_of() {
	jq -r '.partitions[] | .pkey as $p | .members[] |
		"\($p) \(.port_guid) \(.membership) \(.lid)"' | sort
}

# The same, from smpquery pkeys on every port ibnetdiscover finds.
expected_members() {
	local guid lid type desc pk
	fabric_ports | while read -r guid lid type desc; do
		fabric_pkeys "$lid" </dev/null | while read -r pk; do
			printf '0x%04x %s %d %s\n' $((pk & 0x7fff)) "$guid" \
				$((pk >> 15)) "$lid"
		done
	done | sort -u | awk '
		{ k = $1 " " $2; m[k] += ($3 ? 1 : 2); lid[k] = $4 }
		END {
			for (k in m) {
				s = m[k] == 3 ? "both" : m[k] == 1 ? "full" : "limited"
				print k, s, lid[k]
			}
		}' | sort
}

js=$(fabstat -j --policy "$POLICY" fabric)
rc=$?
check_eq "full member of the default partition: complete view" true \
	"$(jq -r .complete <<<"$js")"
expected=$(expected_members)
check "smpquery found members" test -n "$expected"
check_eq "members and membership equal smpquery's PKey tables" \
	"$expected" "$(members_of <<<"$js")"
check_eq "every port counted" "$(fabric_ports | wc -l)" \
	"$(jq -r .n_ports <<<"$js")"
check_eq "partition names from the policy" \
	"tenant-a tenant-b storage Default" \
	"$(jq -r '[.partitions[].name] | join(" ")' <<<"$js")"
check_eq "missing: h4 in tenant-b, h5 full in storage" \
	"tenant-b 0x0002c90300000501 limited port lacks the pkey
storage 0x0002c90300000601 full limited instead of full" \
	"$(jq -r '.missing[] | "\(.partition) \(.port_guid) \(.membership) \(.problem)"' <<<"$js")"
check_eq "a missing member: exit 1" 1 "$rc"

fabstat -j fabric >/dev/null
check_eq "no policy: nothing is missing, exit 0" 0 $?
text=$(fabstat --policy "$POLICY" fabric)
check "text: partition header" \
	grep -Eq '^tenant-a +pkey 0x0001 members 3$' <<<"$text"
check "text: member row" grep -Eq \
	'^ +5 +0x0002c90300000301 +limited +ca +guid +h2$' <<<"$text"
check "text: missing row" grep -Eq \
	'storage +0x0010 0x0002c90300000601 full +limited instead of full' \
	<<<"$text"

fabstat --sm-key 0x42 -t 200 fabric >/dev/null
check_eq "wrong SM_Key (the SA drops the query): exit 2" 2 $?
check "wrong SM_Key: the message names --sm-key" \
	grep -q -- '--sm-key' "$FABRIC_DIR/fabstat.err"

# Time against what an administrator runs today for the same answer.
t0=$(date +%s%N)
fabstat -j fabric >/dev/null
t1=$(date +%s%N)
fabric_port_table >/dev/null
t2=$(date +%s%N)
diag "fabstat fabric $(((t1 - t0) / 1000000)) ms;" \
	"ibnetdiscover + smpquery per port $(((t2 - t1) / 1000000)) ms"

# The SM plugin's snapshot, after a sweep with the plugin and the policy.
echo '{"version": 1, "ports": 3}' >"$FABRIC_DIR/bad.json"
fabstat --snapshot "$FABRIC_DIR/bad.json" fabric >/dev/null
check_eq "snapshot without a ports array: exit 2" 2 $?
fabstat --snapshot "$FABRIC_DIR/nonexistent.json" fabric >/dev/null
check_eq "unreadable snapshot: exit 2" 2 $?

if [ ! -f build/lib/libfabricsm.so ]; then
	skip "snapshot equals the SA" "build/lib/libfabricsm.so not built"
	tap_done
fi
fabric_stop_sm
rm -f "$FABRIC_PARTITIONS" # the plugin writes only a file of its own
FABRIC_POLICY=$POLICY fabric_start_sm
# The plugin writes its snapshot from a thread of its own after SUBNET UP.
if ! fabric_wait_up || ! fabric_wait_state 1; then
	not_ok "OpenSM with the plugin writes a snapshot: $FABRIC_ERR"
	tap_done
fi
# The plugin makes only the SM's port a full member of the default
# partition: the SA tells gw1 only about ports that share a partition.
gw=$(fabstat -j --policy "$POLICY" fabric)
check_eq "limited member of the default partition: view flagged partial" \
	false "$(jq -r .complete <<<"$gw")"
check "partial view: a warning says what to do" \
	grep -q 'run on the SM' "$FABRIC_DIR/fabstat.err"
sa=$(SIM_HOST=sm fabric_exec "$FABSTAT" -j --policy "$POLICY" fabric)
check_eq "from the SM's port: complete view" true \
	"$(jq -r .complete <<<"$sa")"
check_eq "from the SM's port: every port" "$(fabric_ports | wc -l)" \
	"$(jq -r .n_ports <<<"$sa")"
snap=$(fabstat -j --policy "$POLICY" --snapshot "$FABRIC_STATE" fabric)
rc=$?
check_eq "snapshot: same partitions and members as the SA" \
	"$(jq -c .partitions <<<"$sa")" "$(jq -c .partitions <<<"$snap")"
check_eq "snapshot: source" snapshot "$(jq -r .source <<<"$snap")"
check_eq "policy applied by the plugin: nothing missing, exit 0" "0 0" \
	"$(jq -r '.missing | length' <<<"$snap") $rc"
tap_done
