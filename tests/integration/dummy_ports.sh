#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Ports added and removed at run time, and an 802.1Q trunk, all dummy
# ports of fabricd --dummy run as an ordinary user (tests/lib/dummy.sh):
# `port add` joins the switching at once and `port del` leaves it; frames
# from access ports leave the trunk tagged with their partition's VLAN and
# tagged frames from the trunk reach the partition untagged; an unknown VLAN
# is dropped. Also the errors: a name taken, a dummy port that is not
# there, the dummy kind on a daemon without --dummy.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/dummy.sh

dummy_init <<'YAML'
partitions:
  - name: red
    pkey: 0x0011
    vlan: 11
  - name: blue
    pkey: 0x0012
    vlan: 12
ports:
  - { name: r1, partition: red, membership: full }
  - { name: b1, partition: blue, membership: full }
YAML
cp "$DUMMY_DIR/fabric.yaml" "$DUMMY_DIR/plain.yaml"

BC=ffffffffffff
R1=020000000001 RX=02000000000a B1=0200000000b1

# quiet CMD...: fabricctl, only its exit status.
quiet() {
	fctl "$@" >/dev/null
}

check "port add rx partition red dummy" quiet port add rx partition red dummy
check_eq "rx: up, dummy, red, added at run time" "up dummy red runtime" \
	"$(fctl -j port list | jq -r '.[] | select(.name == "rx") |
		"\(.state) \(.kind) \(.partition) \(.source)"')"
send r1 "$(frame $BC $R1)"
check_eq "a broadcast in red reaches the new port" 1 "$(capture rx | wc -l)"
out=$(fctl port add rx partition blue dummy 2>&1)
check_eq "adding a name that exists: exit 1" 1 $?
check_eq "adding a name that exists: says so" \
	"fabricctl: fabricd: port rx exists; delete it first to change it" "$out"

check "port add tr trunk dummy" quiet port add tr trunk dummy
send r1 "$(frame $BC $R1 0800 46)"
check_eq "red broadcast leaves the trunk tagged with VLAN 11" \
	"$(tagged $BC $R1 11 0800 46)" "$(capture tr)"
capture rx >/dev/null
send b1 "$(frame $R1 $B1 0800 46)"
check_eq "blue unknown unicast leaves the trunk tagged with VLAN 12" \
	"$(tagged $R1 $B1 12 0800 46)" "$(capture tr)"
send tr "$(tagged $B1 02000000ee01 12 0800 46)"
check_eq "tagged VLAN 12 from the trunk: to b1 untagged" \
	"$(frame $B1 02000000ee01 0800 46)" "$(capture b1)"
check_eq "... and nothing to red" "0 0" \
	"$(capture r1 | wc -l) $(capture rx | wc -l)"
before=$(fctl -j stats | jq '.drops.unknown_vid')
send tr "$(tagged $BC 02000000ee01 99)"
check_eq "VLAN 99 (no partition) from the trunk: dropped as unknown_vid" \
	"1 0 0 0" "$(($(fctl -j stats | jq '.drops.unknown_vid') - before)) \
$(capture r1 | wc -l) $(capture rx | wc -l) $(capture b1 | wc -l)"

check "port del rx" quiet port del rx
check_eq "rx is gone from the list" "b1 r1 tr" \
	"$(fctl -j port list | jq -r '[.[].name] | sort | join(" ")')"
out=$(fctl port inject rx "$(frame $BC $RX)" 2>&1)
check_eq "inject into a deleted port: exit 1" 1 $?
check_eq "inject into a deleted port: says so" \
	"fabricctl: fabricd: no dummy port 'rx'" "$out"
out=$(fctl port inject r1 0800zz 2>&1)
check_eq "a frame that is not hex: says so" \
	"fabricctl: fabricd: not a frame in hex: '0800zz'" "$out"
out=$(fctl port capture nosuch 2>&1)
check_eq "capture of no port: says so" \
	"fabricctl: fabricd: no dummy port 'nosuch'" "$out"
send r1 "$(frame $BC $R1)"
check_eq "after del, red broadcast reaches the trunk only" \
	"1" "$(capture tr | wc -l)"

# The policy drops b1: SIGHUP removes it, the run-time trunk stays.
sed -i '/name: b1/d' "$DUMMY_DIR/fabric.yaml"
kill -HUP "$DUMMY_PID"
for i in $(seq 100); do
	[ "$(fctl -j port list | jq length)" = 2 ] && break
	sleep 0.05
done
check_eq "reload without b1: r1 and tr remain" "r1 tr" \
	"$(fctl -j port list | jq -r '[.[].name] | sort | join(" ")')"

# Without --dummy the kind does not exist: production daemons cannot be
# fed frames through the socket.
D2=$DUMMY_DIR/plain
mkdir "$D2" && chmod 777 "$D2"
"${DUMMY_AS[@]}" "$DUMMY_FABRICD" -f --no-ib -c "$DUMMY_DIR/plain.yaml" \
	-S "$D2/state" -s "$D2/ctl" -p "$D2/pid" 2>"$D2/log" &
PID2=$!
for i in $(seq 100); do
	[ -S "$D2/ctl" ] && break
	sleep 0.05
done
[ -S "$D2/ctl" ] || sed 's/^/# /' "$D2/log"
out=$("${DUMMY_AS[@]}" "$DUMMY_FCTL" -s "$D2/ctl" port add x partition red \
	dummy 2>&1)
check_eq "without --dummy: port add ... dummy is refused" \
	"fabricctl: fabricd: no port kind 'dummy' here (dummy needs fabricd --dummy)" \
	"$out"
out=$("${DUMMY_AS[@]}" "$DUMMY_FCTL" -s "$D2/ctl" port inject r1 00 2>&1)
check_eq "without --dummy: there is no port/inject" \
	"fabricctl: fabricd: unknown command 'port/inject'; try list-commands" \
	"$out"
kill "$PID2"
wait "$PID2" 2>/dev/null

tap_done
