#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabstat doctor on a simulated fabric: ibsim + OpenSM + libfabricsm.so +
# fabricd as gateway gw1 (umad2sim, SIM_HOST=gw1) with a veth uplink, all in
# the fabric's network namespace. The host kernel has no 802.1Q, so fabricd
# puts each partition's addresses on the uplink itself (label up0:<vid>),
# and that is what the doctor checks; VLAN links are not covered here.
#
# Healthy first (exit 0, no problem), then one thing broken at a time, and
# the doctor must name exactly that problem (partition:check) and exit 1:
#   a member missing from the policy, the PKey limited instead of full, no
#   IPoIB broadcast group (ipoib: false), the group's MTU not the policy's,
#   the uplink's MTU below IPoIB's, the uplink down, a gateway group with
#   no active gateway, fabricd stopped, an
#   alias deleted by hand while fabricd is stopped (a running fabricd puts
#   it back at once, which is checked too). Exit 2 when it cannot check.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh
. tests/lib/fabricd.sh

FABSTAT=${FABSTAT:-$PWD/build/bin/fabstat}
FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl
GW=0x0002c90300000101

fabric_have_tools || skip_all "$FABRIC_ERR"
command -v jq >/dev/null || skip_all "jq not installed (make deps)"
[ -f build/lib/libfabricsm.so ] || skip_all "libfabricsm.so not built (make)"
[ -x "$FABSTAT" ] && [ -x "$FABRICD" ] && [ -x "$FABRICCTL" ] ||
	skip_all "fabstat/fabricd/fabricctl not built (make)"

fabricd_sim_init

# write_policy FILE: the test policy; knobs (environment):
#   GW_A   gw1's membership in tenant-a: full (default), limited, none
#   A_IPOIB, A_MTU   tenant-a's ipoib (true) and mtu (2048)
#   GW_PRIO   gw1's priority in tenant-a's gateway group (none)
write_policy() {
	{
		cat <<EOF
fabric:
  name: doctor-test
partitions:
  - name: tenant-a
    pkey: 0x0021
    vlan: 20
    ipoib: ${A_IPOIB:-true}
    mtu: ${A_MTU:-2048}
    ipv4: 10.20.0.0/24
    members:
      - { guid: 0x0002c90300000201, membership: full }
EOF
		[ "${GW_A:-full}" = none ] ||
			echo "      - { guid: $GW, membership: ${GW_A:-full} }"
		cat <<EOF
  - name: tenant-b
    pkey: 0x0022
    vlan: 30
    mtu: 2048
    ipv4: 10.30.0.0/24
    members:
      - { guid: $GW, membership: full }
      - { guid: 0x0002c90300000301, membership: full }
  - name: tenant-c
    pkey: 0x0023
    vlan: 40
    members:
      - { guid: 0x0002c90300000401, membership: full }
gateways:
  - name: gw1
    port_guid: $GW
    uplink: up0
    addresses: { tenant-a: [10.20.0.1/24], tenant-b: [10.30.0.1/24] }
EOF
		[ -z "${GW_PRIO:-}" ] ||
			echo "    priority: { tenant-a: $GW_PRIO }"
	} >"$1.tmp" && mv "$1.tmp" "$1"
}

in_ns() { ip netns exec "$FABRIC_NS" "$@"; }
start_fabricd() {
	fabricd_sim_start
	wait_for 20 converged
}
stop_fabricd() {
	fabric_kill_wait "$FD_PID"
	FD_PID=""
}
# Both policies the same, as on a real fabric; the SM sweeps, fabricd
# re-reads, and both settle.
apply_both() {
	write_policy "$D/sm.yaml"
	write_policy "$D/fd.yaml"
	fabric_sweep && kill -HUP "$FD_PID" && sleep 0.5 && wait_for 10 converged
}
restart_sm() {
	fabric_stop_sm
	fabric_start_sm && fabric_wait_up
}

# doctor [ARGS...]: run it as gw1, JSON into $OUT, exit status into $RC.
doctor() {
	OUT=$(SIM_HOST=gw1 fabric_exec "$FABSTAT" -j -t 500 \
		--policy "$D/fd.yaml" doctor -s "$SOCK" "$@" \
		2>"$D/doctor.err" </dev/null)
	RC=$?
}
doctor_text() {
	SIM_HOST=gw1 fabric_exec "$FABSTAT" -t 500 --policy "$D/fd.yaml" \
		doctor -s "$SOCK" "$@" 2>&1 </dev/null
}
# "partition:check ..." for every problem found, sorted.
problems() {
	jq -r '[.partitions[] | .partition as $p | .problems[] |
		"\($p):\(.check)"] | sort | join(" ")' <<<"$OUT"
}
# expect DESC "PROBLEMS": exactly these problems, exit 1 (or 0 when none).
expect() {
	local want_rc=1
	[ -n "$2" ] || want_rc=0
	doctor
	check_eq "$1: problems" "$2" "$(problems)"
	check_eq "$1: exit $want_rc" "$want_rc" "$RC"
	if [ "$(problems)" != "$2" ]; then
		doctor_text -v | sed 's/^/# /'
	fi
}

write_policy "$D/sm.yaml"
write_policy "$D/fd.yaml"
fabricd_sim_up
in_ns ip link add up0 type veth peer name up0p
in_ns ip link set up0 mtu 4092 up
in_ns ip link set up0p mtu 4092 up
check "fabricd converges" start_fabricd || tail -20 "$D/fabricd.log"

# ---- healthy ----
doctor
check_eq "healthy: exit 0" 0 "$RC"
check_eq "healthy: verdicts" "tenant-a:ok tenant-b:ok tenant-c:not-here" \
	"$(jq -r '[.partitions[] | "\(.partition):\(.verdict)"] | join(" ")' <<<"$OUT")"
check_eq "healthy: JSON keys" \
	"ca ethernet fabricd gateway gateway_from partitions port port_guid port_mtu socket verdict" \
	"$(jq -r 'keys | join(" ")' <<<"$OUT")"
check_eq "healthy: gateway found through fabricd" "gw1 fabricd" \
	"$(jq -r '"\(.gateway) \(.gateway_from)"' <<<"$OUT")"
check_eq "healthy: broadcast group found with the policy's MTU" \
	"ok ok" "$(jq -r '.partitions[0].checks[] | select(.check == "broadcast-group" or .check == "group-mtu") | .result' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')"
check_eq "healthy: text verdicts" \
	"tenant-a: OK
tenant-b: OK
tenant-c: OK (this port takes no part in it)" "$(doctor_text | grep -v '^#')"
# fabstat ports: what fabricd mirrors under each PKey.
mirror() { # PKEY: "source state address dev status oper_state"
	SIM_HOST=gw1 fabric_exec env FABRICD_CTL_SOCKET="$SOCK" "$FABSTAT" -j \
		--policy "$D/fd.yaml" ports 2>/dev/null </dev/null |
		jq -r --arg k "$1" '.[0].ports[0].pkeys[] | select(.pkey == $k) |
		.mirror | "\(.source) \(.state) \(.addresses[0].address)
		\(.addresses[0].dev) \(.addresses[0].status)
		\(.addresses[0].oper_state)"' | tr -s ' \n\t' ' ' | sed 's/ $//'
}
check_eq "ports: tenant-a's mirror from fabricd" \
	"fabricd ready 10.20.0.1/24 up0 ok up" "$(mirror 0x8021)"
doctor tenant-b
check_eq "one partition: only tenant-b" "tenant-b" \
	"$(jq -r '[.partitions[].partition] | join(" ")' <<<"$OUT")"
doctor no-such
check_eq "unknown partition: exit 2" 2 "$RC"

# ---- a member missing from the policy ----
GW_A=none apply_both
check_eq "policy without gw1 in tenant-a: smpquery shows no 0x..21" "" \
	"$(fabric_pkeys "$(fabric_lid_of $GW)" | grep -i '21$')"
expect "member missing from the policy" "tenant-a:policy-member"
fix=$(jq -r '.partitions[0].problems[0].fix' <<<"$OUT")
check_eq "member missing: the fix names the command" \
	"fabricctl member add tenant-a $GW full; then kill -HUP \$(pidof opensm)" "$fix"
# Apply the fix as printed, to both policy files.
"$FABRICCTL" --policy "$D/sm.yaml" member add tenant-a $GW full >/dev/null &&
	"$FABRICCTL" --policy "$D/fd.yaml" member add tenant-a $GW full >/dev/null
fabric_sweep && kill -HUP "$FD_PID" && sleep 0.5 && wait_for 10 converged
expect "after the printed fix" ""

# ---- the PKey limited instead of full (the SM's policy differs) ----
GW_A=limited write_policy "$D/sm.yaml"
fabric_sweep
wait_for 5 bash -c "'$FABRICCTL' -s '$SOCK' -j partition list | jq_true '.[0].membership == \"limited\"'"
expect "limited instead of full" "tenant-a:pkey"
check "limited: the problem says limited vs full" \
	grep -q "as limited, the policy says full" <<<"$(problems; jq -r '.partitions[0].problems[0].problem' <<<"$OUT")"
apply_both

# ---- no broadcast group: the SM started with ipoib: false ----
A_IPOIB=false write_policy "$D/sm.yaml"
A_IPOIB=false write_policy "$D/fd.yaml"
kill -HUP "$FD_PID"
check "OpenSM restarted with tenant-a ipoib: false" restart_sm
expect "broadcast group missing" "tenant-a:broadcast-group"
check "group missing: fix says ipoib: true" \
	grep -q "ipoib: true" <<<"$(jq -r '.partitions[0].problems[0].fix' <<<"$OUT")"
write_policy "$D/sm.yaml"
write_policy "$D/fd.yaml"
kill -HUP "$FD_PID"
check "OpenSM restarted with the group" restart_sm
expect "group back" ""

# ---- MTU: the group's is not the policy's (the SM made it with 1024) ----
A_MTU=1024 write_policy "$D/sm.yaml"
check "OpenSM restarted with tenant-a mtu 1024" restart_sm
expect "group MTU differs from the policy" "tenant-a:group-mtu"
write_policy "$D/sm.yaml"
check "OpenSM restarted with mtu 2048" restart_sm

# ---- MTU: the uplink cannot carry what IPoIB delivers ----
in_ns ip link set up0 mtu 1500
expect "uplink MTU below IPoIB's" "tenant-a:mtu-budget tenant-b:mtu-budget"
check_eq "mtu: the fix" "ip link set dev up0 mtu 2044" \
	"$(jq -r '.partitions[0].problems[0].fix' <<<"$OUT")"
in_ns ip link set up0 mtu 4092

# ---- the uplink down ----
in_ns ip link set up0 down
expect "uplink down" "tenant-a:uplink tenant-b:uplink"
in_ns ip link set up0 up
# The datapath reopens its port on the uplink within a few seconds.
trunk_up() { [ "$("$FABRICCTL" -s "$SOCK" -j port list |
	jq -r '.[] | select(.name == "up0") | .state')" = up ]; }
check "datapath reopens its port on up0" wait_for 10 trunk_up
expect "uplink up again" ""

# ---- a gateway group without an active gateway ----
# umad2sim gives fabricd no verbs device, so gw1 has no ipoib port: no
# candidate, and nobody else in the group
GW_PRIO=200 apply_both
expect "gateway group, no active gateway" "tenant-a:gateway-group"
check "no active gateway: the problem says so" \
	grep -q "no active gateway (this one is init" <<<"$(jq -r '.partitions[0].problems[0].problem' <<<"$OUT")"
apply_both
expect "no group again" ""

# ---- fabricd stopped ----
stop_fabricd
expect "fabricd stopped" "tenant-a:fabricd tenant-b:fabricd"
check "fabricd stopped: text says so" \
	grep -q "PROBLEM: fabricd is not running" <<<"$(doctor_text tenant-a)"
check_eq "ports: without fabricd the mirror comes from the kernel" \
	"kernel fabricd-not-running 10.20.0.1/24 up0:20 null up" \
	"$(mirror 0x8021)"

# ---- an alias deleted by hand (fabricd still stopped: see the top) ----
in_ns ip addr del 10.20.0.1/24 dev up0
expect "alias deleted, fabricd stopped" \
	"tenant-a:address tenant-a:fabricd tenant-b:fabricd"
check "alias: the fix adds it back with its label" \
	grep -q "ip addr add 10.20.0.1/24 dev up0 label up0:20" <<<"$OUT"
check "fabricd restarts and converges" start_fabricd
expect "fabricd put the alias back" ""
in_ns ip addr del 10.20.0.1/24 dev up0
sleep 0.3
expect "alias deleted while fabricd runs: back at once" ""

# ---- fabricd's state file damaged: doctor says so, --adopt mends it ----
stop_fabricd
printf '{"links": [' >"$D/state/reconcile.json"
fabricd_sim_start
state_bad() { [ "$(fd_status | jq -r '.reconcile.state_error != null')" = true ]; }
check "damaged state file: fabricd reports it" wait_for 10 state_bad
expect "damaged state file" "tenant-a:fabricd-state tenant-b:fabricd-state"
check "damaged state file: the fix names --adopt" \
	grep -q "fabricctl reconcile --adopt" <<<"$OUT"
check "fabricctl reconcile --adopt" \
	bash -c "'$FABRICCTL' -s '$SOCK' reconcile --adopt >/dev/null"
expect "adopted" ""

# ---- cannot check: no SM answers ----
fabric_stop_sm
doctor
check_eq "no SM: exit 2 (unchecked)" 2 "$RC"
check_eq "no SM: group unchecked" unchecked \
	"$(jq -r '.partitions[0].checks[] | select(.check == "broadcast-group") | .result' <<<"$OUT")"

tap_done
