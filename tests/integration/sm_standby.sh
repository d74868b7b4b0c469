#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Only the master SM acts: a second OpenSM with the plugin and a different
# policy, at a lower priority on another HCA, goes standby and keeps quiet:
# it writes no partition file and no snapshot, and no PKey table changes
# (smpquery). When the master stops, it takes over and applies its policy.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

fabric_init_plugin tests/topo/small.net || skip_all "$FABRIC_ERR"

FABRIC_POLICY=tests/integration/sm_policy.yaml
# No heavy sweep on the trap (144, IsSM) the standby's arrival raises: it
# would query the standby's SMInfo while the standby is still in its own
# first sweep, which drops directed-route SMPs then; on a real fabric the
# master's query times out and is retried, but umad2sim never times out
# a request that ibsim delivered, so the master's sweep hung for good (one
# run in three with two runs side by side and a busy core). The sweep
# below, once the standby is in STANDBY, is the one the test needs.
FABRIC_OSM_CONF=$(printf '%s\n' "sm_priority 15" "sweep_on_trap FALSE")
check "master opensm (priority 15) starts" fabric_start_sm
check "SUBNET UP" fabric_wait_up
check "master wrote its snapshot" fabric_wait_state 1
before=$(fabric_port_table)

# The standby: its own files, attached to h8, a policy that would move h6
# into alpha if it acted.
sb=$FABRIC_DIR/standby
mkdir -p "$sb/cache"
sed 's|^\(      - { guid: 0x0002c90300000301, membership: limited }.*\)|\1\n      - { guid: 0x0002c90300000701, membership: full }|' \
	tests/integration/sm_policy.yaml >"$sb/policy.yaml"
sed -e "s|^partition_config_file .*|partition_config_file $sb/partitions.conf|" \
	-e "s|^event_plugin_options .*|event_plugin_options policy=$sb/policy.yaml,state=$sb/state.json|" \
	-e "s|^sm_priority .*|sm_priority 1|" \
	-e "s|^dump_files_dir .*|dump_files_dir $sb|" \
	"$FABRIC_DIR/opensm.conf" >"$sb/opensm.conf"
# Notice a dead master in about a second, not OpenSM's default 40 s.
printf 'sminfo_polling_timeout 300\npolling_retry_number 2\n' >>"$sb/opensm.conf"
SIM_HOST=h8 FABRIC_CACHE_DIR=$sb/cache fabric_bg "$sb/opensm.out" \
	env LD_LIBRARY_PATH="$FABRIC_ROOT/build/lib" \
	opensm -F "$sb/opensm.conf" -f "$sb/osm.log"
standby=$FABRIC_BG_PID
check "the second opensm enters STANDBY" \
	fabric_wait_file_re "$sb/osm.log" "Entering STANDBY state" 20
check "its plugin loaded and validated its policy" \
	fabric_wait_file_re "$sb/osm.log" "fabricsm: policy .* in force" 5
# Give it time to do harm if it would.
check "a master sweep meanwhile" fabric_sweep
sleep 1
check "the standby wrote no partition file" test ! -e "$sb/partitions.conf"
check "the standby wrote no snapshot" test ! -e "$sb/state.json"
check_eq "every PKey table is unchanged" "$before" "$(fabric_port_table)"

# The master goes away: the standby takes over and applies its policy.
fabric_stop_sm
FABRIC_SM_PID=$standby FABRIC_OSM_LOG=$sb/osm.log FABRIC_UP_SEEN=0
check "the standby becomes master (SUBNET UP)" fabric_wait_up 60
h6=$(fabric_lid_of 0x0002c90300000701)
check_eq "now its policy applies: h6 in alpha" "0x0013 0x0015 0x7fff 0x8011" \
	"$(fabric_pkeys "$h6" | xargs)"
check "it writes the snapshot now" fabric_wait_file_re "$sb/state.json" ports 10
tap_done
