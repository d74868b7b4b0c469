#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd's state file when it cannot be trusted (issue 10, finding 5):
#   - a file of another schema, and a damaged (truncated) one: a located log
#     line, status says so (reconcile.state_error, last_error, converged
#     false), the file is left as it is, and `fabricctl reconcile --adopt`
#     takes ownership of the addresses that match the policy (proved by a
#     shrink of the policy that then removes them);
#   - a read-only state directory: status says the writes fail (converged
#     false) and the error is logged rate-limited over twenty reconciles.
# fabricd runs Ethernet-only (--no-ib) in a network namespace of its own;
# the host kernel has no 802.1Q, so the addresses are on the uplink itself.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabricd.sh

FABRICD=${FABRICD:-$PWD/build/bin/fabricd}
FABRICCTL=${FABRICCTL:-$PWD/build/bin/fabricctl}
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces, mount)"
tap_need "$FABRICD" "$FABRICCTL" jq

unmount_ro() { umount "$D/ro" 2>/dev/null; }
FABRICD_NS_CLEANUP=unmount_ro
fabricd_ns_init state

policy() { # FILE WITH_TENANT_B
	{
		cat <<'EOF'
fabric: { name: state-test }
partitions:
  - name: tenant-a
    pkey: 0x0021
    vlan: 20
    ipv4: 10.20.0.0/24
    members: [ { all_cas: true, membership: full } ]
EOF
		[ "$2" = 1 ] && cat <<'EOF'
  - name: tenant-b
    pkey: 0x0022
    vlan: 30
    ipv4: 10.30.0.0/24
    members: [ { all_cas: true, membership: full } ]
EOF
		echo "gateways:"
		echo "  - name: gw1"
		echo "    uplink: up0"
		echo -n "    addresses: { tenant-a: [10.20.0.1/24]"
		[ "$2" = 1 ] && echo -n ", tenant-b: [10.30.0.1/24]"
		echo " }"
	} >"$1"
}
policy "$D/fabric.yaml" 1

fctl() { "$FABRICCTL" -s "$SOCK" "$@"; }
st() { fd_status; }
answers() { st >/dev/null; }
start() { # STATE_DIR
	: >"$D/fabricd.log"
	fabricd_ns_start --policy "$D/fabric.yaml" --state-dir "$1"
	wait_for 10 answers
}
stop() { fabricd_ns_stop; }
# jqt EXPR: EXPR is true of the JSON on stdin (empty input is not).
jqt() { [ "$(jq -r "$1" 2>/dev/null)" = true ]; }
has_addr() { ip -n "$NS" -4 -o addr show dev up0 | grep -q " $1 "; }

# A state file fabricd cannot use: CASE names it, CONTENT replaces the file.
unusable() { # CASE CONTENT LOG_WORDS
	policy "$D/fabric.yaml" 1
	rm -rf "$D/state"
	start "$D/state"
	wait_for 10 converged
	stop
	printf '%s' "$2" >"$D/state/reconcile.json"
	start "$D/state"
	sleep 0.5
	local s
	s=$(st)
	check "$1: log names the state file" \
		grep -q "state file $D/state/reconcile.json $3" "$D/fabricd.log"
	check_eq "$1: status is not converged" false \
		"$(jq -r .reconcile.converged <<<"$s")"
	check "$1: status has state_error" \
		jqt '.reconcile.state_error | test("fabricctl reconcile --adopt")' \
		<<<"$s"
	check "$1: status has last_error" \
		jqt '.reconcile.last_error != null' <<<"$s"
	check_eq "$1: the file is left as it was" "$2" "$(cat "$D/state/reconcile.json")"
	check "$1: text status shows the error" \
		bash -c "'$FABRICCTL' -s '$SOCK' status | grep -q 'last error: state file'"
	check "$1: the addresses stay" has_addr 10.30.0.1/24
	local out
	out=$(fctl -j reconcile --adopt)
	check_eq "$1: --adopt exits 0" 0 "$?"
	check_eq "$1: --adopt took both addresses" "0 2" \
		"$(jq -r '"\(.adopted.links) \(.adopted.addresses)"' <<<"$out")"
	check "$1: converged after --adopt" converged
	check_eq "$1: state_error gone" null "$(st | jq -r .reconcile.state_error)"
	check_eq "$1: the new file owns both" "10.20.0.1/24 10.30.0.1/24" \
		"$(jq -r '[.addrs[].addr] | sort | join(" ")' "$D/state/reconcile.json")"
	check_eq "$1: the old file is kept as .bad" "$2" \
		"$(cat "$D/state/reconcile.json.bad")"
	# Ownership is real: tenant-b leaves, its address goes.
	policy "$D/fabric.yaml" 0
	kill -HUP "$FD_PID"
	check "$1: after the shrink 10.30.0.1/24 is removed" \
		wait_for 5 bash -c "! ip -n $NS -4 -o addr show dev up0 | grep -q ' 10.30.0.1/24 '"
	check "$1: 10.20.0.1/24 stays" has_addr 10.20.0.1/24
	stop
	ip -n "$NS" addr flush dev up0
}

unusable "foreign schema" '{"version": 7, "objects": []}' "is not fabricd's schema"
unusable "damaged" '{"schema": "fabricd.reconcile/1", "links": [], "addrs": [{"dev": "up0",' "is damaged"

# Without --adopt, a restart of a fabricd with a damaged file stays loud.
policy "$D/fabric.yaml" 1
printf '{"links": [' >"$D/state/reconcile.json"
start "$D/state"
sleep 0.3
stop
start "$D/state"
sleep 0.3
check "damaged, restarted: still reported" \
	jqt '.reconcile.state_error != null' <<<"$(st)"
stop

# A read-only state directory.
mkdir -p "$D/ro"
mount -t tmpfs -o ro tmpfs "$D/ro" || skip_all "cannot mount a read-only tmpfs"
ip -n "$NS" addr flush dev up0
start "$D/ro"
wait_for 5 has_addr 10.20.0.1/24
# Twenty reconciles in a row, each with an address to put back (a write
# is due every time): the error must not be logged twenty times.
for _ in $(seq 20); do
	ip -n "$NS" addr del 10.30.0.1/24 dev up0 2>/dev/null
	fctl reconcile >/dev/null 2>&1
done
s=$(st)
check_eq "read-only: not converged" false "$(jq -r .reconcile.converged <<<"$s")"
check "read-only: status says the writes fail" \
	jqt '.reconcile.state_error | test("Read-only file system")' <<<"$s"
check "read-only: the addresses are there all the same" has_addr 10.20.0.1/24
n=$(grep -c "cannot write state file" "$D/fabricd.log")
diag "read-only: $n log lines for 20 reconciles"
check "read-only: the error is logged, rate-limited (1..4 lines)" \
	test "$n" -ge 1 -a "$n" -le 4
stop

tap_done
