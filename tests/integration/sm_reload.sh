#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Live reload: a policy edit applies at the next heavy sweep (SIGHUP), with
# no OpenSM restart; a broken edit is refused with FILE:LINE:COL errors in
# OpenSM's log and leaves every PKey table as it was (smpquery); fixing the
# file applies it again.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

fabric_init_plugin tests/topo/small.net || skip_all "$FABRIC_ERR"

pol=$FABRIC_DIR/policy.yaml
cp tests/integration/sm_policy.yaml "$pol"
FABRIC_POLICY=$pol
check "opensm with the plugin starts" fabric_start_sm
check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
pid=$FABRIC_SM_PID
h6=$(fabric_lid_of 0x0002c90300000701)
check_eq "h6 starts outside alpha" "0x0013 0x0015 0x7fff" \
	"$(fabric_pkeys "$h6" | xargs)"

# Edit: h6 becomes a full member of alpha.
sed -i 's|^\(      - { guid: 0x0002c90300000301, membership: limited }.*\)|\1\n      - { guid: 0x0002c90300000701, membership: full }|' \
	"$pol"
check "SIGHUP sweep" fabric_sweep
check_eq "after the edit h6 is a full member of alpha" \
	"0x0013 0x0015 0x7fff 0x8011" "$(fabric_pkeys "$h6" | xargs)"
check_eq "OpenSM was not restarted" "$pid" "$FABRIC_SM_PID"
check "still the same process" kill -0 "$pid"

# A broken edit: an unknown key and a bad membership, on known lines.
before=$(fabric_port_table)
cp "$pol" "$pol.good"
# Dropping h6 from alpha in the same edit must not apply either.
sed -i 's|membership: full }      # h1|membership: fulll }      # h1|; s|^  - name: beta|  - name: beta\n    colour: red|; /0x0002c90300000701, membership: full/d' \
	"$pol"
bad_line=$(grep -n 'colour: red' "$pol" | cut -d: -f1)
check "SIGHUP sweep with the broken policy" fabric_sweep
check_eq "every PKey table is unchanged" "$before" "$(fabric_port_table)"
check "the log has located errors ($pol:$bad_line:COL)" \
	grep -qE "$pol:$bad_line:[0-9]+: error" "$FABRIC_OSM_LOG"
check "the log says the policy was refused" \
	grep -q "refused.*stays in force" "$FABRIC_OSM_LOG"
check "h6, dropped in the broken file, is still in alpha" \
	grep -q 0x8011 <<<"$(fabric_pkeys "$h6")"

# Fixed again, with h6 dropped from alpha: applies.
cp "$pol.good" "$pol"
sed -i '/0x0002c90300000701, membership: full/d' "$pol"
check "SIGHUP sweep with the fixed policy" fabric_sweep
check_eq "the fixed policy applies: h6 left alpha" "0x0013 0x0015 0x7fff" \
	"$(fabric_pkeys "$h6" | xargs)"

grep "fabricsm" "$FABRIC_OSM_LOG" | grep -i "error\|refused" | sed "s/^/# /"
tap_done
