#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabstat on a host with no InfiniBand port at all. Every command that needs
# the local port (ports, fabric without --snapshot, doctor) must exit 2 with
# one plain sentence on stderr, nothing on stdout, and no libibumad
# warnings ("ibwarn: ..."); the doctor must not call partitions "OK".
# Commands that need no port (help, fabric --snapshot) keep working.
#
# fabstat runs directly, without umad2sim. On a host that has IB devices,
# the test hides them: an empty tmpfs over /sys/class/infiniband and
# /sys/class/infiniband_mad in a mount namespace of its own.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

FABSTAT=$PWD/build/bin/fabstat
POLICY=$PWD/examples/fabric.yaml
[ -x "$FABSTAT" ] || skip_all "build/bin/fabstat not built (run make)"
command -v jq >/dev/null || skip_all "jq not installed (make deps)"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# no_ib CMD...: run CMD where /sys shows no InfiniBand device.
no_ib() {
	if [ -z "$(ls /sys/class/infiniband 2>/dev/null)" ]; then
		"$@"
		return
	fi
	unshare -m -- bash -c '
		for d in /sys/class/infiniband /sys/class/infiniband_mad; do
			[ -d $d ] && mount -t tmpfs none $d
		done
		exec "$@"' no_ib "$@"
}

if [ -n "$(ls /sys/class/infiniband 2>/dev/null)" ]; then
	command -v unshare >/dev/null ||
		skip_all "this host has IB devices and no unshare to hide them"
	no_ib true || skip_all "cannot hide this host's IB devices (unshare -m)"
	diag "this host has IB devices: hidden in a mount namespace"
fi

# run_case NAME ARGS...: fabstat ARGS, then its exit code, stdout, stderr.
run_case() {
	local name=$1 rc
	shift
	no_ib "$FABSTAT" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	check_eq "$name: exit 2" 2 "$rc"
	check_eq "$name: nothing on stdout" "" "$(cat "$TMP/out")"
	check_eq "$name: one line on stderr" 1 "$(wc -l <"$TMP/err")"
	check "$name: says there is no InfiniBand port" \
		grep -q 'no InfiniBand port' "$TMP/err"
	check "$name: no libibumad warnings" \
		bash -c "! grep -q ibwarn '$TMP/err'"
	check "$name: no claim about the default partition" \
		bash -c "! grep -q 'default partition' '$TMP/err'"
	[ "$rc" = 2 ] || diag "stdout: $(cat "$TMP/out") stderr: $(cat "$TMP/err")"
}

run_case "ports" ports
run_case "no command" --policy "$POLICY"
run_case "ports -j" -j ports
run_case "CA named" mlx5_0 1
run_case "fabric" fabric
run_case "fabric -j" -j --policy "$POLICY" fabric
run_case "doctor" --policy "$POLICY" doctor
run_case "doctor -j" -j --policy "$POLICY" doctor
run_case "doctor PARTITION" --policy "$POLICY" doctor tenant-a
run_case "--ca" --ca mlx5_0 --policy "$POLICY" fabric

# What needs no port still works.
no_ib "$FABSTAT" help >/dev/null 2>&1
check_eq "help: exit 0" 0 $?
cat >"$TMP/snap.json" <<'J'
{ "ports": [ { "port_guid": "0x0002c90300000101", "node_type": "ca",
  "node_desc": "gw1", "lid": 2,
  "pkeys": [ { "pkey": "0xffff" }, { "pkey": "0x8001" } ] } ] }
J
js=$(no_ib "$FABSTAT" -j --snapshot "$TMP/snap.json" fabric 2>"$TMP/err")
rc=$?
check "fabric --snapshot: works without a local port (exit 0 or 1)" \
	test "$rc" -le 1
check "fabric --snapshot: no libibumad warnings" \
	bash -c "! grep -q ibwarn '$TMP/err'"
check_eq "fabric --snapshot: the snapshot's partition" "0x0001" \
	"$(jq -r '.partitions[]? | select(.pkey == "0x0001") | .pkey' \
		<<<"$js" 2>/dev/null | head -n1)"

# The man page states it.
check "fabstat(8) documents exit 2 without an InfiniBand port" \
	grep -qi 'no InfiniBand port' docs/fabstat.8
tap_done
