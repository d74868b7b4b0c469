#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Pinned LIDs (fabric.lid_pins): honoured when the plugin takes over a
# fabric whose LIDs OpenSM already gave out (a pin on a LID another port
# holds wins, and the move is logged), after an OpenSM restart with a new,
# empty cache directory, and on the first bring-up of a fresh fabric.
# Judged with smpquery (NodeInfo/PortInfo at the LID) and saquery.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

fabric_init_plugin tests/topo/small.net || skip_all "$FABRIC_ERR"

GW1=0x0002c90300000101
H2=0x0002c90300000301
H3=0x0002c90300000401

# port_at LID: the port GUID that answers at LID, per smpquery NodeInfo.
port_at() {
	fabric_exec smpquery nodeinfo "$1" 2>/dev/null |
		sed -n 's/^PortGuid:\.*//p'
}

# sa_port_at LID: the port GUID the SA's NodeRecord gives for LID.
sa_port_at() {
	fabric_exec saquery NR "$1" 2>/dev/null |
		sed -n 's/^[[:space:]]*port_guid\.*//p'
}

# lids_unique: no two end ports share a LID.
lids_unique() {
	[ -z "$(fabric_ports | awk '{ print $2 }' | sort | uniq -d)" ]
}

check_pins() {
	local what=$1
	check_eq "$what: gw1 answers at LID 64 (smpquery)" "$GW1" "$(port_at 64)"
	check_eq "$what: h2 answers at its pinned LID $h3_lid" "$H2" \
		"$(port_at "$h3_lid")"
	check_eq "$what: the SA maps LID 64 to gw1 (saquery)" "$GW1" \
		"$(sa_port_at 64)"
	check "$what: no two ports share a LID" lids_unique
}

# 1. OpenSM alone gives out LIDs; remember the one h3 got.
check "opensm without the plugin" fabric_start_sm
check "SUBNET UP" fabric_wait_up
h3_lid=$(fabric_lid_of $H3)
check "h3 has a LID ($h3_lid)" test -n "$h3_lid"
fabric_stop_sm

# 2. The plugin takes over, same cache dir: pin gw1 to 64 and h2 to h3's LID.
pol=$FABRIC_DIR/pins.yaml
cat >"$pol" <<POL
fabric:
  lid_pins:
    - { guid: $GW1, lid: 64 }
    - { guid: $H2, lid: $h3_lid }
partitions:
  - { name: any, pkey: 0x0020, members: [ { all_cas: true, membership: limited } ] }
POL
FABRIC_POLICY=$pol
check "opensm with the plugin and pins" fabric_start_sm
check "SUBNET UP" fabric_wait_up
check_pins "takeover"
new_h3=$(fabric_lid_of $H3)
check "h3 moved off the pinned LID (now $new_h3)" \
	test -n "$new_h3" -a "$new_h3" != "$h3_lid"
check "the move of h3 is logged" \
	grep -qE "LID $h3_lid is pinned to port $H2: port $H3 \(h3\) .*new LID" \
	"$FABRIC_OSM_LOG"

# 3. Restart with a new, empty cache directory.
fabric_stop_sm
FABRIC_CACHE_DIR=$FABRIC_DIR/cache2
check "opensm restarts with an empty cache dir" fabric_start_sm
check "SUBNET UP" fabric_wait_up
check_pins "restart"

# 4. A fresh fabric (no LIDs anywhere yet), fresh cache: first bring-up.
fabric_stop_sm
fabric_kill_wait "$FABRIC_SIM_PID"
check "ibsim restarts" fabric_start_sim tests/topo/small.net
FABRIC_CACHE_DIR=$FABRIC_DIR/cache3
check "opensm on the fresh fabric" fabric_start_sm
check "SUBNET UP" fabric_wait_up
check_pins "first bring-up"
tap_done
