#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Members by node description (issue 16): { node: "h[1-3]" } and globs are
# resolved by the plugin on every heavy sweep against the descriptions of
# the nodes OpenSM discovered. A host whose HCA is replaced (new GUID, same
# node description) keeps its partitions without a policy edit: the ibsim
# fabric is restarted with h2's HCA GUID changed, and smpquery on every end
# port judges.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

fabric_init_plugin tests/topo/small.net || skip_all "$FABRIC_ERR"

pol=$FABRIC_DIR/policy.yaml
cat >"$pol" <<'YAML'
fabric: { name: nodes }
default_partition: { membership: limited }
partitions:
  - name: rack1
    pkey: 0x0050
    members:
      - { node: "h[1-3]", membership: full }
      - { node: "h8*", membership: limited }
  - name: gw
    pkey: 0x0051
    members:
      - { node: "gw?", membership: full }
      - { guid: 0x0002c90300000201, membership: full }    # h1 by GUID
YAML
check "fabricctl policy check accepts node selectors" \
	build/bin/fabricctl --policy "$pol" policy check

want() {
	case $1 in
	h1) echo "0x7fff 0x8050 0x8051" ;;
	h[23]) echo "0x7fff 0x8050" ;;
	h8) echo "0x0050 0x7fff" ;;
	gw1) echo "0x7fff 0x8051" ;;
	sm) echo "0xffff" ;;
	*) echo "0x7fff" ;;
	esac
}

# check_ports WHAT: every end port's PKey table (smpquery) as want() says.
check_ports() {
	local g l t d bad=0 n=0 keys
	while read -r g l t d; do
		n=$((n + 1))
		keys=$(fabric_pkeys "$l" | xargs)
		[ "$keys" = "$(want "$d")" ] && continue
		bad=$((bad + 1))
		diag "$d $g (LID $l): want $(want "$d"), smpquery: $keys"
	done < <(fabric_ports)
	check_eq "$1: every end port's PKey table" "13 ports, 0 wrong" \
		"$n ports, $bad wrong"
}

FABRIC_POLICY=$pol
check "opensm with the plugin starts" fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
check_ports "node selectors"
old=0x0002c90300000301
new=0x0002c903000a0301
check "h2 is in the partition file by its GUID" \
	grep -q "$old=full" "$FABRIC_PARTITIONS"

# h2's HCA replaced: new GUID, same node description. OpenSM and ibsim
# restart on the changed netfile; the policy is not touched.
fabric_stop_sm
fabric_kill_wait "$FABRIC_SIM_PID"
net=$FABRIC_DIR/small.net
sed 's/^caguid=0x0002c90300000300$/caguid=0x0002c903000a0300/' \
	tests/topo/small.net >"$net"
check "ibsim restarts with h2's HCA replaced" fabric_start_sim "$net"
rm -f "$FABRIC_STATE" # the snapshot of this run, not of the last
check "opensm restarts" fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
check_eq "the fabric shows h2 with the new GUID" "$new" \
	"$(fabric_ports | awk '$4 == "h2" { print $1 }')"
check_ports "after the HCA swap, the new GUID has h2's partitions"
check "the partition file names the new GUID, not the old" \
	bash -c "grep -q '$new=full' '$FABRIC_PARTITIONS' &&
		! grep -q '$old' '$FABRIC_PARTITIONS'"

# fabstat fabric names the selector that put each port in a partition.
check "the plugin's snapshot of this run" fabric_wait_state 1
sel=$(build/bin/fabstat --json --policy "$pol" --snapshot "$FABRIC_STATE" \
	fabric | jq -r '.partitions[] | .pkey as $p | .members[] |
		"\($p) \(.node_desc) \(.selector)"' | sort)
check_eq "fabstat fabric: rack1's members and their selectors" \
	"$(printf '%s\n' '0x0050 h1 node "h[1-3]"' '0x0050 h2 node "h[1-3]"' \
		'0x0050 h3 node "h[1-3]"' '0x0050 h8 node "h8*"')" \
	"$(grep '^0x0050 ' <<<"$sel")"
check_eq "fabstat fabric: a GUID member wins over a node selector" \
	"$(printf '%s\n' '0x0051 gw1 node "gw?"' '0x0051 h1 guid')" \
	"$(grep '^0x0051 ' <<<"$sel")"
build/bin/fabstat --policy "$pol" --snapshot "$FABRIC_STATE" fabric |
	sed -n '/^rack1/,/^$/p' | sed 's/^/# /'
tap_done
