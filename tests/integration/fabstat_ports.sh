#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabstat [CA [PORT]] on a simulated fabric (ibsim + stock OpenSM with a
# hand-written partitions.conf), checked port by port against ibstat and
# smpquery on the same simulated ports, never against our own output.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh
. tests/lib/fabstat.sh
command -v ibstat >/dev/null || skip_all "ibstat not installed (make deps)"
fabstat_sim_up

# ibstat_field NODE FIELD: one "Field: value" of ibstat's port section.
ibstat_field() {
	SIM_HOST=$1 fabric_exec ibstat 2>/dev/null |
		sed -n "s/^[[:space:]]*$2: //p" | head -n1
}

fabstat_json() {
	local node=$1
	shift
	SIM_HOST=$node fabric_exec "$FABSTAT" -j "$@" 2>/dev/null
}

# check_port NODE: every ibstat field against fabstat's JSON.
check_port() {
	local node=$1 js lid rate
	js=$(fabstat_json "$node" --policy "$POLICY")
	check_eq "$node: one CA, one port" "1 1" \
		"$(jq -r '"\(length) \(.[0].ports | length)"' <<<"$js")"
	port() { jq -r ".[0].ports[0].$1" <<<"$js"; }
	check_eq "$node: state" "$(ibstat_field "$node" State)" "$(port state)"
	check_eq "$node: physical state" \
		"$(ibstat_field "$node" 'Physical state')" "$(port phys_state)"
	rate=$(ibstat_field "$node" Rate)
	check_eq "$node: rate" "$rate Gb/s" "$(port rate)"
	check_eq "$node: rate_mbps" "$((rate * 1000))" "$(port rate_mbps)"
	lid=$(ibstat_field "$node" 'Base lid')
	check_eq "$node: base lid" "$lid" "$(port lid)"
	check_eq "$node: LMC" "$(ibstat_field "$node" LMC)" "$(port lmc)"
	check_eq "$node: SM lid" "$(ibstat_field "$node" 'SM lid')" \
		"$(port sm_lid)"
	check_eq "$node: port GUID" "$(ibstat_field "$node" 'Port GUID')" \
		"$(port port_guid)"
	check_eq "$node: capability mask" \
		"$(ibstat_field "$node" 'Capability mask')" \
		"$(port capability_mask)"
	check_eq "$node: link layer" "$(ibstat_field "$node" 'Link layer')" \
		"$(port link_layer)"
	check_eq "$node: PKeys equal smpquery pkeys $lid" \
		"$(SIM_HOST=$node fabric_pkeys "$lid" | tr '\n' ' ')" \
		"$(jq -r '.[0].ports[0].pkeys[].pkey' <<<"$js" | sort |
			tr '\n' ' ')"
	check_eq "$node: PKeys read from the port" smp "$(port pkey_source)"
}

for node in gw1 h2 sm; do
	check_port "$node"
done

js=$(fabstat_json gw1 --policy "$POLICY")
pk() { jq -r ".[0].ports[0].pkeys[] | select(.pkey == \"$1\") | $2" <<<"$js"; }
check_eq "gw1 0x8001: partition tenant-a" tenant-a "$(pk 0x8001 .partition)"
check_eq "gw1 0x8001: full" full "$(pk 0x8001 .membership)"
check_eq "gw1 0x0002 (both): limited entry" limited "$(pk 0x0002 .membership)"
check_eq "gw1 0x8002 (both): tenant-b" tenant-b "$(pk 0x8002 .partition)"
check_eq "gw1 0xffff: Default" Default "$(pk 0xffff .partition)"
check_eq "gw1: MTU in bytes (smpquery NeighborMTU)" \
	"$(SIM_HOST=gw1 fabric_exec smpquery portinfo \
		"$(jq -r '.[0].ports[0].lid' <<<"$js")" 2>/dev/null |
		sed -n 's/^NeighborMTU:\.*//p')" \
	"$(jq -r '.[0].ports[0].mtu' <<<"$js")"
js=$(fabstat_json h2 --policy "$POLICY")
check_eq "h2 0x0001: limited member of tenant-a" "limited tenant-a" \
	"$(jq -r '.[0].ports[0].pkeys[] | select(.pkey == "0x0001") |
		"\(.membership) \(.partition)"' <<<"$js")"
js=$(fabstat_json h2)
check_eq "without a policy the name is null" null \
	"$(jq -r '.[0].ports[0].pkeys[] | select(.pkey == "0x0001") |
		.partition' <<<"$js")"

text=$(SIM_HOST=h2 fabric_exec "$FABSTAT" --policy "$POLICY" 2>/dev/null)
check "text: ibstat-style state line" grep -q $'^\t\tState: Active$' \
	<<<"$text"
check "text: decoded PKey row" \
	grep -Eq '^[[:space:]]+1 +0x0001 +limited +tenant-a$' <<<"$text"

SIM_HOST=gw1 fabric_exec "$FABSTAT" ibsim0 1 >/dev/null 2>&1
check_eq "CA and port named: exit 0 (port Active)" 0 $?
SIM_HOST=gw1 fabric_exec "$FABSTAT" nosuchca >/dev/null 2>&1
check_eq "unknown CA: exit 2" 2 $?
SIM_HOST=gw1 fabric_exec "$FABSTAT" ibsim0 9 >/dev/null 2>&1
check_eq "unknown port: exit 2" 2 $?
SIM_HOST=gw1 fabric_exec "$FABSTAT" --policy /nonexistent.yaml \
	>/dev/null 2>&1
check_eq "unreadable --policy: exit 2" 2 $?
"$FABSTAT" --help | grep -q '^Exit status'
check_eq "--help documents the exit status" 0 $?
tap_done
