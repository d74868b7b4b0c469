#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd against an IB stack that never answers (issue 10, finding 10):
# under umad2sim with ibsim stopped (SIGSTOP) and with no ibsim at all, the
# umad calls block without end. fabricd must still answer on its control
# socket, report the stuck open after 10 s (log and status, naming the
# device and what to check), and stop on SIGTERM within 3 s with a clean
# shutdown (exit 0, socket removed).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh
. tests/lib/fabricd.sh

FABRICD=${FABRICD:-$PWD/build/bin/fabricd}
FABRICCTL=${FABRICCTL:-$PWD/build/bin/fabricctl}
fabric_have_tools || skip_all "$FABRIC_ERR"
tap_need jq "$FABRICD" "$FABRICCTL"

fabricd_sim_init
cat >"$D/fd.yaml" <<'EOF'
fabric: { name: stuck-test }
partitions:
  - { name: tenant-a, pkey: 0x0021, vlan: 20,
      members: [ { all_cas: true, membership: full } ] }
gateways:
  - { name: gw1, port_guid: 0x0002c90300000101, uplink: up0 }
EOF

answers() { [ "$(fd_status | jq -r .ib.mode)" = waiting ]; }
stuck_reported() {
	[ "$(fd_status | jq -r '.ib.error // "" | test("no answer from the IB stack")')" = true ]
}
# sigterm_within SECONDS: SIGTERM fabricd, wait for it; fails past SECONDS.
sigterm_within() {
	local t0=$SECONDS
	kill -TERM "$FD_PID"
	for _ in $(seq $(($1 * 10))); do
		kill -0 "$FD_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$FD_PID" 2>/dev/null; then
		kill -9 "$FD_PID"
		wait "$FD_PID" 2>/dev/null
		FD_PID=""
		return 1
	fi
	wait "$FD_PID"
	FD_RC=$?
	FD_PID=""
	diag "fabricd exited $FD_RC, $((SECONDS - t0)) s after SIGTERM"
}

start() { # [FABRICD ARGS...]
	SIM_HOST=gw1 fabric_bg "$D/fabricd.log" "$FABRICD" --policy "$D/fd.yaml" \
		--gateway gw1 --state-dir "$D/state" --ctl-socket "$SOCK" \
		--pid-file "$D/fabricd.pid" --poll-ms 200 --no-engine \
		--foreground "$@"
	FD_PID=$FABRIC_BG_PID
}

# stuck CASE DEVICE_IN_MESSAGE [FABRICD ARGS...]
stuck() {
	local name=$1 dev=$2
	shift 2
	: >"$D/fabricd.log"
	start "$@"
	check "$name: the control socket answers while the IB open hangs" \
		wait_for 3 answers
	check_eq "$name: partition list meanwhile: not held" \
		"tenant-a not-held unknown" \
		"$("$FABRICCTL" -s "$SOCK" -j partition list | jq -r '.[] | "\(.name) \(.state) \(.membership)"')"
	check "$name: SIGTERM during the first seconds of the open" \
		sigterm_within 3
	check_eq "$name: exit status 0" 0 "$FD_RC"
	check "$name: socket removed" test ! -e "$SOCK"

	start "$@"
	check "$name: status reports the stuck open after 10 s" \
		wait_for 15 stuck_reported
	check "$name: the log names $dev and what to check" \
		grep -q "IB port $dev: no answer from the IB stack for 10 s while opening it (check 'ibstat'" \
		"$D/fabricd.log"
	check_eq "$name: said once" 1 \
		"$(grep -c 'no answer from the IB stack' "$D/fabricd.log")"
	check "$name: SIGTERM with the open stuck" sigterm_within 3
	check_eq "$name: exit status 0" 0 "$FD_RC"
	check "$name: clean shutdown logged" grep -q "fabricd stopped" "$D/fabricd.log"
}

# No ibsim at all: umad2sim waits for it forever.
stuck "no ibsim" "(first device)/1"

# ibsim stopped: the requests go out, no answer comes back.
check "ibsim starts" fabric_start_sim tests/topo/small.net || tap_done
kill -STOP "$FABRIC_SIM_PID"
stuck "ibsim stopped" "ibsim0/1" --ib-dev ibsim0
kill -CONT "$FABRIC_SIM_PID"

tap_done
