#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The simulated-fabric harness itself (tests/lib/fabric.sh): two fabrics run
# side by side, each in its own network namespace, without seeing each
# other; cleanup leaves no process, namespace or file behind.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

fabric_have_tools || skip_all "$FABRIC_ERR"

# A second fabric in a subshell: one switch, two HCAs.
other_dir=$(mktemp -d)
cat >"$other_dir/two.net" <<'NET'
Hca	1 "other-a"
[1]	"other-sw"[1]

Switch	4 "other-sw"
[1]	"other-a"[1]
[2]	"other-b"[1]

Hca	1 "other-b"
[1]	"other-sw"[2]
NET
(
	FABRIC_NO_TRAP=1
	fabric_init || exit 1
	trap fabric_cleanup EXIT
	fabric_start_sim "$other_dir/two.net" && fabric_start_sm &&
		fabric_wait_up || exit 1
	# Stay up until the main fabric is up too, so both surely overlap.
	fabric_wait_file_re "$other_dir/go" . 30
	fabric_ports >"$other_dir/ports"
	echo "$FABRIC_NS $FABRIC_DIR $FABRIC_SIM_PID $FABRIC_SM_PID" \
		>"$other_dir/ids"
) &
other=$!

fabric_init || skip_all "$FABRIC_ERR"
check "ibsim starts on small.net" fabric_start_sim tests/topo/small.net
check "opensm starts" fabric_start_sm
check "SUBNET UP" fabric_wait_up
echo go >"$other_dir/go"
wait $other
check "a second fabric ran at the same time" test -s "$other_dir/ports"
check_eq "this fabric sees only its own 13 nodes" 13 "$(fabric_ports | wc -l)"
check_eq "the other saw only its own 3 nodes" 3 "$(wc -l <"$other_dir/ports")"
check "the other is named other-*" \
	grep -q "other-sw" "$other_dir/ports"
gw_lid=$(fabric_lid_of 0x0002c90300000101)
check "gw1 found by port GUID (LID $gw_lid)" test -n "$gw_lid"
check_eq "a fresh port holds only the default PKey" "0xffff" \
	"$(fabric_pkeys "$gw_lid")"
check "SIGHUP sweep comes back up" fabric_sweep

read -r ons odir osim osm <"$other_dir/ids"
check "the other's namespace is gone" bash -c "! ip netns list | grep -qw $ons"
check "the other's temp dir is gone" test ! -e "$odir"
check "the other's ibsim and opensm are gone" \
	bash -c "! kill -0 $osim 2>/dev/null && ! kill -0 $osm 2>/dev/null"
rm -rf "$other_dir"

ns=$FABRIC_NS dir=$FABRIC_DIR sim=$FABRIC_SIM_PID
fabric_cleanup
check "cleanup deletes the namespace" bash -c "! ip netns list | grep -qw $ns"
check "cleanup removes the temp dir" test ! -e "$dir"
check "cleanup stops ibsim" bash -c "! kill -0 $sim 2>/dev/null"
tap_done
