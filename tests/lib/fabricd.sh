# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd under test (sourced after tests/lib/tap.sh, and after
# tests/lib/fabric.sh for the fabricd_sim_* helpers): start it as gateway
# gw1 on the simulated fabric, ask it, wait for it.
#
#   fabricd_sim_init                # fabric_init, EXIT trap, D and SOCK
#   write the policies $D/sm.yaml (OpenSM's) and $D/fd.yaml (fabricd's)
#   fabricd_sim_up                  # ibsim + OpenSM with the plugin (TAP)
#   fabricd_sim_start               # fabricd in the background, FD_PID
#   check "fabricd converges" wait_for 20 converged
#
# Variables read: FABRICD, FABRICCTL (the binaries), SOCK (the control
# socket), D (the test's directory: policies, state, logs).
# Variables set: FD_PID (fabricd_sim_start), D and SOCK (fabricd_sim_init).

# wait_for SECONDS CMD...: poll CMD until it succeeds; fails after SECONDS.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# fd_status: fabricd's status as JSON; nothing when it does not answer.
fd_status() { "$FABRICCTL" -s "$SOCK" -j status 2>/dev/null; }

# converged: fabricd's reconciler says the kernel matches what it wants.
converged() { [ "$(fd_status | jq -r .reconcile.converged)" = true ]; }

# fabricd_sim_cleanup: stop fabricd (FD_PID), then the fabric.
fabricd_sim_cleanup() {
	[ -z "$FD_PID" ] || fabric_kill_wait "$FD_PID"
	fabric_cleanup
}

# fabricd_sim_init: the fabric's namespace and directory (fabric_init; the
# test is skipped when that fails) with an EXIT trap that stops fabricd
# too; D is the fabric's directory, SOCK fabricd's control socket in it.
fabricd_sim_init() {
	FD_PID=""
	FABRIC_NO_TRAP=1
	fabric_init || skip_all "$FABRIC_ERR"
	trap fabricd_sim_cleanup EXIT
	D=$FABRIC_DIR
	SOCK=$D/fabricd.ctl
}

# fabricd_sim_up: ibsim on tests/topo/small.net (the test ends when it does
# not start), then OpenSM with the plugin and $D/sm.yaml, up; three checks.
fabricd_sim_up() {
	check "ibsim starts" fabric_start_sim tests/topo/small.net || exit 1
	FABRIC_POLICY=$D/sm.yaml
	check "opensm + libfabricsm.so start" fabric_start_sm
	check "SUBNET UP" fabric_wait_up || diag "$FABRIC_ERR"
}

# fabricd_sim_start: fabricd as gw1 on the simulated fabric, in the
# background: policy $D/fd.yaml, state in $D/state, log $D/fabricd.log,
# the port polled every 200 ms. FD_PID is its PID.
fabricd_sim_start() {
	SIM_HOST=gw1 fabric_bg "$D/fabricd.log" "$FABRICD" --policy "$D/fd.yaml" \
		--gateway gw1 --state-dir "$D/state" --ctl-socket "$SOCK" \
		--pid-file "$D/fabricd.pid" --poll-ms 200 --foreground
	FD_PID=$FABRIC_BG_PID
}

# Ethernet-only fabricd (--no-ib --no-engine, gateway gw1) in a network
# namespace of its own, no fabric needed:
#   fabricd_ns_init NAME     # D, NS, SOCK, EXIT trap; up0 (veth) in NS
#   fabricd_ns_start ARGS... # fabricd in NS (--policy ... and more), FD_PID;
#                            # later options override the defaults
#   fabricd_ns_stop [SIGNAL] # default TERM; waits for it
# FABRICD_NS_CLEANUP names a function the EXIT trap calls first.
fabricd_ns_cleanup() {
	[ -z "${FABRICD_NS_CLEANUP:-}" ] || "$FABRICD_NS_CLEANUP"
	[ -z "$FD_PID" ] || fabricd_ns_stop KILL
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}

fabricd_ns_init() {
	FD_PID=""
	D=$(mktemp -d "/tmp/fabricd-$1.XXXXXX") || skip_all "mktemp failed"
	chmod 755 "$D"
	NS=fd$1-$$
	SOCK=$D/fabricd.ctl
	trap fabricd_ns_cleanup EXIT
	ip netns add "$NS" || skip_all "cannot create a network namespace"
	ip -n "$NS" link set lo up
	ip -n "$NS" link add up0 type veth peer name up0p
	ip -n "$NS" link set up0 up
	ip -n "$NS" link set up0p up
}

fabricd_ns_start() {
	ip netns exec "$NS" "$FABRICD" --gateway gw1 --no-ib --no-engine \
		--state-dir "$D/state" --ctl-socket "$SOCK" \
		--pid-file "$D/fabricd.pid" --foreground "$@" \
		>>"$D/fabricd.log" 2>&1 &
	FD_PID=$!
}

fabricd_ns_stop() {
	kill "-${1:-TERM}" "$FD_PID" 2>/dev/null
	wait "$FD_PID" 2>/dev/null
	FD_PID=""
}
