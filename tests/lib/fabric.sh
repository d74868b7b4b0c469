# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A simulated InfiniBand fabric for tests, demos and benchmarks (sourced).
# ibsim + the stock OpenSM (+ optionally our plugin, libfabricsm.so), both
# under umad2sim, inside a network namespace of their own: ibsim binds
# abstract UNIX sockets ("@sim:ctl"), which exist per network namespace, so
# fabrics in different namespaces never collide and tests can run side by
# side. Everything is kept in one mktemp -d directory; nothing goes to /var.
#
#   . tests/lib/fabric.sh
#   fabric_init || skip_all "$FABRIC_ERR"   # netns + temp dir + EXIT trap
#   fabric_start_sim tests/topo/small.net   # ibsim, waits until ready
#   FABRIC_POLICY=my.yaml fabric_start_sm   # OpenSM (+ plugin when policy set)
#   fabric_wait_up                          # first "SUBNET UP" in osm.log
#   fabric_exec smpquery pkeys 3            # diags in the netns (SIM_HOST=node)
#   fabric_sweep                            # SIGHUP, wait for the next SUBNET UP
#   fabric_cleanup                          # also run by the EXIT trap
#
# Variables read (set before the call that uses them):
#   FABRIC_POLICY     policy file: load the plugin with policy=FILE
#   FABRIC_STATE      plugin state snapshot (default $FABRIC_DIR/state.json)
#   FABRIC_PLUGIN     plugin .so (default build/lib/libfabricsm.so)
#   FABRIC_PLUGIN_OPTS more event_plugin_options, e.g. "log=dbg"
#   FABRIC_OSM_CONF   extra lines appended to the generated opensm.conf
#   FABRIC_ALLOW_BOTH allow_both_pkeys (default FALSE, as recommended)
#   FABRIC_UP_TIMEOUT seconds to wait for SUBNET UP (default 30)
#   FABRIC_KEEP=1     keep $FABRIC_DIR after cleanup (for debugging)
#   FABRIC_NO_TRAP=1  do not install the EXIT trap (caller calls cleanup)
#   FABRIC_NO_NETNS=1 no namespace of our own: the caller already runs in a
#                     private one (e.g. "unshare -rn" for a non-root user)
# Variables set:
#   FABRIC_DIR        the temp directory (osm.log, opensm.conf, caches)
#   FABRIC_NS         the network namespace
#   FABRIC_OSM_LOG    OpenSM's log file
#   FABRIC_PARTITIONS the partition config file OpenSM reads
#   FABRIC_SIM_PID, FABRIC_SM_PID
#   FABRIC_ERR        why the last fabric_* call failed

FABRIC_UMAD2SIM=${FABRIC_UMAD2SIM:-/usr/lib/x86_64-linux-gnu/umad2sim/libumad2sim.so}
FABRIC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FABRIC_DIR=""
FABRIC_NS=""
FABRIC_SIM_PID=""
FABRIC_SM_PID=""
FABRIC_ERR=""

# fabric_have_tools: 0 when ibsim, opensm, umad2sim and the diags are here
# and we may create namespaces; otherwise sets FABRIC_ERR.
fabric_have_tools() {
	local t
	for t in ibsim opensm smpquery saquery ip; do
		if ! command -v "$t" >/dev/null 2>&1; then
			FABRIC_ERR="$t not installed (make deps)"
			return 1
		fi
	done
	if [ ! -f "$FABRIC_UMAD2SIM" ]; then
		FABRIC_ERR="umad2sim not found at $FABRIC_UMAD2SIM (make deps)"
		return 1
	fi
	if [ "$(id -u)" -ne 0 ] && [ "${FABRIC_NO_NETNS:-0}" != 1 ]; then
		FABRIC_ERR="needs root for network namespaces"
		return 1
	fi
	return 0
}

# fabric_init: temp dir, network namespace (loopback up), EXIT trap.
fabric_init() {
	fabric_have_tools || return 1
	FABRIC_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fabric.XXXXXX") || {
		FABRIC_ERR="mktemp failed"
		return 1
	}
	mkdir -p "$FABRIC_DIR/run" "$FABRIC_DIR/cache"
	if [ "${FABRIC_NO_NETNS:-0}" = 1 ]; then
		FABRIC_NS=""
		ip link set lo up 2>/dev/null
	elif FABRIC_NS="fab-$$-${FABRIC_DIR##*.}" &&
		! ip netns add "$FABRIC_NS" 2>"$FABRIC_DIR/netns.err"; then
		FABRIC_ERR="ip netns add failed: $(cat "$FABRIC_DIR/netns.err")"
		FABRIC_NS=""
		return 1
	else
		ip netns exec "$FABRIC_NS" ip link set lo up
	fi
	FABRIC_OSM_LOG=$FABRIC_DIR/osm.log
	FABRIC_PARTITIONS=$FABRIC_DIR/partitions.conf
	FABRIC_STATE=${FABRIC_STATE:-$FABRIC_DIR/state.json}
	[ "${FABRIC_NO_TRAP:-0}" = 1 ] || trap fabric_cleanup EXIT
	return 0
}

# fabric_env: the command prefix of every fabric process: into the
# namespace, OpenSM's files kept in $FABRIC_DIR, umad2sim preloaded, SIM_HOST
# passed on.
fabric_env() {
	FABRIC_ENV=()
	[ -z "$FABRIC_NS" ] || FABRIC_ENV=(ip netns exec "$FABRIC_NS")
	FABRIC_ENV+=(env OSM_TMP_DIR="$FABRIC_DIR"
		OSM_CACHE_DIR="${FABRIC_CACHE_DIR:-$FABRIC_DIR/cache}"
		LD_PRELOAD="$FABRIC_UMAD2SIM")
	[ -z "${SIM_HOST:-}" ] || FABRIC_ENV+=(SIM_HOST="$SIM_HOST")
}

# fabric_bg OUT CMD...: start CMD in the namespace in the background, output
# to OUT; FABRIC_BG_PID is CMD's own PID (the subshell execs it). Runs in
# $FABRIC_DIR/run because umad2sim creates ./sys-PID directories.
fabric_bg() {
	local out=$1
	shift
	fabric_env
	(cd "$FABRIC_DIR/run" &&
		exec "${FABRIC_ENV[@]}" "$@") \
		>>"$out" 2>&1 </dev/null &
	FABRIC_BG_PID=$!
}

# fabric_exec CMD...: run an umad client (smpquery, saquery, ibnetdiscover,
# fabricd...) on the simulated fabric, in the foreground; SIM_HOST=NODE
# picks the HCA it attaches to (default: the first in the netfile).
fabric_exec() {
	fabric_env
	(cd "$FABRIC_DIR/run" &&
		exec "${FABRIC_ENV[@]}" "$@")
}

# fabric_wait_file_re FILE REGEX TIMEOUT_S: wait until FILE has a line
# matching REGEX. 0 when it does, 1 on timeout.
fabric_wait_file_re() {
	local file=$1 re=$2 deadline=$((SECONDS + $3))
	while [ $SECONDS -lt $deadline ]; do
		grep -qE "$re" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# fabric_start_sim NETFILE: start ibsim on NETFILE and wait until it serves.
fabric_start_sim() {
	local net=$1
	if [ ! -f "$net" ]; then
		FABRIC_ERR="no such netfile: $net"
		return 1
	fi
	fabric_bg "$FABRIC_DIR/ibsim.log" ibsim -s -n "$(realpath "$net")"
	FABRIC_SIM_PID=$FABRIC_BG_PID
	if ! fabric_wait_file_re "$FABRIC_DIR/ibsim.log" \
		'Network simulator ready' 10; then
		FABRIC_ERR="ibsim did not start: $(tail -3 "$FABRIC_DIR/ibsim.log")"
		return 1
	fi
	return 0
}

# fabric_write_conf: opensm.conf in $FABRIC_DIR, every path inside it.
fabric_write_conf() {
	local plugin=${FABRIC_PLUGIN:-$FABRIC_ROOT/build/lib/libfabricsm.so}
	{
		echo "sweep_interval 0"
		echo "partition_config_file $FABRIC_PARTITIONS"
		# As examples/opensm.conf: OpenSM 3.3.23 refuses every IPoIB
		# multicast join with allow_both_pkeys TRUE (docs/sm-plugin.md).
		echo "allow_both_pkeys ${FABRIC_ALLOW_BOTH:-FALSE}"
		echo "force_log_flush TRUE"
		echo "dump_files_dir $FABRIC_DIR"
		echo "per_module_logging_file $FABRIC_DIR/per-module-logging.conf"
		echo "qos_policy_file $FABRIC_DIR/qos-policy.conf"
		echo "prefix_routes_file $FABRIC_DIR/prefix-routes.conf"
		echo "torus_config $FABRIC_DIR/torus-2QoS.conf"
		if [ -n "${FABRIC_POLICY:-}" ]; then
			# OpenSM dlopens "lib<name>.so": a name, not a path;
			# fabric_start_sm sets LD_LIBRARY_PATH to its dir.
			echo "event_plugin_name $(basename "$plugin" .so | sed 's/^lib//')"
			echo "event_plugin_options policy=$(realpath "$FABRIC_POLICY"),state=$FABRIC_STATE${FABRIC_PLUGIN_OPTS:+,$FABRIC_PLUGIN_OPTS}"
		fi
		[ -z "${FABRIC_OSM_CONF:-}" ] || printf '%s\n' "$FABRIC_OSM_CONF"
	} >"$FABRIC_DIR/opensm.conf"
}

# fabric_start_sm [OPENSM-ARGS...]: start OpenSM (and the plugin when
# FABRIC_POLICY is set). Does not wait; see fabric_wait_up.
fabric_start_sm() {
	if [ -n "${FABRIC_POLICY:-}" ]; then
		local plugin=${FABRIC_PLUGIN:-$FABRIC_ROOT/build/lib/libfabricsm.so}
		if [ ! -f "$plugin" ]; then
			FABRIC_ERR="plugin not built: $plugin (run make)"
			return 1
		fi
	fi
	fabric_write_conf
	mkdir -p "${FABRIC_CACHE_DIR:-$FABRIC_DIR/cache}"
	# Each OpenSM run gets a log of its own; earlier ones are kept as
	# osm.log.1, .2, ... so that SUBNET UP is counted per run.
	if [ -e "$FABRIC_OSM_LOG" ]; then
		FABRIC_RUNS=$((${FABRIC_RUNS:-0} + 1))
		mv "$FABRIC_OSM_LOG" "$FABRIC_OSM_LOG.$FABRIC_RUNS"
	fi
	FABRIC_UP_SEEN=0
	local plugin=${FABRIC_PLUGIN:-$FABRIC_ROOT/build/lib/libfabricsm.so}
	fabric_bg "$FABRIC_DIR/opensm.out" \
		env LD_LIBRARY_PATH="$(dirname "$plugin")" \
		opensm -F "$FABRIC_DIR/opensm.conf" -f "$FABRIC_OSM_LOG" "$@"
	FABRIC_SM_PID=$FABRIC_BG_PID
	return 0
}

# fabric_up_count: how many times OpenSM logged SUBNET UP since it started.
fabric_up_count() {
	local n
	n=$(grep -c 'SUBNET UP$' "$FABRIC_OSM_LOG" 2>/dev/null)
	echo "${n:-0}"
}

# fabric_wait_up [TIMEOUT_S]: wait for one more SUBNET UP than seen so far.
fabric_wait_up() {
	local timeout=${1:-${FABRIC_UP_TIMEOUT:-30}}
	local want=$((${FABRIC_UP_SEEN:-0} + 1)) deadline=$((SECONDS + timeout))
	while [ $SECONDS -lt $deadline ]; do
		if [ "$(fabric_up_count)" -ge $want ]; then
			FABRIC_UP_SEEN=$want
			return 0
		fi
		if ! kill -0 "$FABRIC_SM_PID" 2>/dev/null; then
			FABRIC_ERR="opensm exited: $(tail -3 "$FABRIC_DIR/opensm.out")"
			return 1
		fi
		sleep 0.05
	done
	FABRIC_ERR="no SUBNET UP within ${timeout}s (see $FABRIC_OSM_LOG)"
	return 1
}

# fabric_sweep [TIMEOUT_S]: SIGHUP OpenSM (re-reads its config files, forces
# a heavy sweep) and wait for the SUBNET UP that ends it.
fabric_sweep() {
	FABRIC_UP_SEEN=$(fabric_up_count)
	kill -HUP "$FABRIC_SM_PID" || {
		FABRIC_ERR="opensm not running"
		return 1
	}
	fabric_wait_up "$@"
}

# fabric_kill_wait PID: SIGTERM, then SIGKILL after 5 s; reap it.
fabric_kill_wait() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# fabric_stop_sm: stop OpenSM (the simulator keeps the fabric's state).
fabric_stop_sm() {
	fabric_kill_wait "$FABRIC_SM_PID"
	FABRIC_SM_PID=""
}

# fabric_cleanup: stop what fabric_* started (by PID), delete the namespace
# and the temp directory. Safe to call twice.
fabric_cleanup() {
	fabric_stop_sm
	fabric_kill_wait "$FABRIC_SIM_PID"
	FABRIC_SIM_PID=""
	if [ -n "$FABRIC_NS" ]; then
		ip netns del "$FABRIC_NS" 2>/dev/null
		FABRIC_NS=""
	fi
	if [ -n "$FABRIC_DIR" ] && [ "${FABRIC_KEEP:-0}" != 1 ]; then
		rm -rf "$FABRIC_DIR"
	elif [ -n "$FABRIC_DIR" ]; then
		echo "# fabric: kept $FABRIC_DIR" >&2
	fi
	FABRIC_DIR=""
}

# fabric_ports: one line per CA port and per switch (its port 0), as
# ibnetdiscover finds them with SMPs: "PORTGUID LID TYPE NODEDESC", GUIDs as
# 0x%016x, LIDs in decimal, TYPE "ca" or "switch"; sorted by LID.
# (Multi-record SA queries need RMPP, which umad2sim does not carry, so a
# plain "saquery NR" shows only the first record; ask per LID instead.)
fabric_ports() {
	fabric_exec ibnetdiscover -p 2>/dev/null | awk '
		$1 == "CA" || $1 == "SW" {
			t = ($1 == "CA") ? "ca" : "switch"
			if (seen[$4]++) next
			d = $0; sub(/^[^\x27]*\x27/, "", d); sub(/\x27.*$/, "", d)
			print $4, $2, t, d
		}' | sort -k2,2n
}

# fabric_lid_of PORTGUID: the LID the SA holds for a port (empty if none).
fabric_lid_of() {
	local g
	g=$(printf '0x%016x' "$1")
	fabric_ports | awk -v g="$g" '$1 == g { print $2; exit }'
}

# fabric_pkeys LID [PORT]: the port's non-zero PKey table entries, read from
# the port itself (SMP), one per line as 0x%04x, sorted.
fabric_pkeys() {
	local out i
	# A loaded machine makes a query time out now and then: try again,
	# rather than take the failure for an empty table.
	for i in 1 2 3; do
		out=$(fabric_exec smpquery pkeys "$@" 2>/dev/null) && break
	done
	awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++)
		if ($i != "0x0000") print $i }' <<<"$out" | sort
}

# fabric_port_table: "NODEDESC LID PKEY PKEY..." for every end port, PKeys
# read with smpquery from each port (sorted), LIDs from ibnetdiscover.
fabric_port_table() {
	local g l t d
	fabric_ports | while read -r g l t d; do
		echo "$d $l $(fabric_pkeys "$l" | tr '\n' ' ')"
	done
}

# fabric_wait_state SWEEP [TIMEOUT_S]: wait until the plugin's snapshot
# ($FABRIC_STATE, written by a thread of its own after SUBNET UP) reports
# heavy sweep number SWEEP or later.
fabric_wait_state() {
	local want=$1 deadline=$((SECONDS + ${2:-10})) n
	while [ $SECONDS -lt $deadline ]; do
		n=$(sed -n 's/.*"sweep": *\([0-9]*\).*/\1/p' "$FABRIC_STATE" \
			2>/dev/null)
		[ -n "$n" ] && [ "$n" -ge "$want" ] && return 0
		sleep 0.05
	done
	FABRIC_ERR="no state snapshot for sweep $want in $FABRIC_STATE"
	return 1
}

# fabric_init_plugin NETFILE: the start of a test of our plugin: the tools
# and build/lib/libfabricsm.so must be here; then fabric_init and ibsim on
# NETFILE. Fails with FABRIC_ERR set.
fabric_init_plugin() {
	fabric_have_tools || return 1
	if [ ! -f "$FABRIC_ROOT/build/lib/libfabricsm.so" ]; then
		FABRIC_ERR="build/lib/libfabricsm.so not built (make)"
		return 1
	fi
	fabric_init && fabric_start_sim "$1"
}
