#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd against the real OpenSM + libfabricsm.so on ibsim (umad2sim,
# SIM_HOST=gw1), with a veth uplink, in the fabric's network namespace (the
# host kernel has no 802.1Q: fabricd says so once and puts the partitions'
# addresses on the uplink itself). Judged with ip(8), smpquery and the state
# file, not only with fabricd's own status:
#   PKeys learned from the fabric; addresses appear, labelled and recorded
#   as fabricd's; a foreign address survives; deleted-by-hand comes back; a
#   partition leaving the fabric loses its addresses and is reported as
#   drift; a bad policy on SIGHUP is refused with its location; a restart
#   adopts without a single address event; a second instance is refused.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh
. tests/lib/fabricd.sh

FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl

fabric_have_tools || skip_all "$FABRIC_ERR"
tap_need jq "$FABRICD" "$FABRICCTL"
[ -f build/lib/libfabricsm.so ] || skip_all "libfabricsm.so not built (make)"

MON_PID=""
cleanup() {
	[ -z "$MON_PID" ] || kill "$MON_PID" 2>/dev/null
	fabricd_sim_cleanup
}
fabricd_sim_init
trap cleanup EXIT

# The SM's policy and fabricd's start the same; they diverge below.
write_policy() { # FILE WITH_TENANT_B
	{
		cat <<'EOF'
fabric:
  name: fabricd-test
default_partition: { membership: limited }
partitions:
  - name: tenant-a
    pkey: 0x0021
    vlan: 20
    ipv4: 10.20.0.0/24
    ipv6: fd00:20::/64
    members:
      - { guid: 0x0002c90300000101, membership: full }
      - { guid: 0x0002c90300000201, membership: full }
  - name: tenant-c
    pkey: 0x0023
    vlan: 40
    ipv4: 10.40.0.0/24
    members:
      - { guid: 0x0002c90300000401, membership: full }
EOF
		[ "$2" = 1 ] && cat <<'EOF'
  - name: tenant-b
    pkey: 0x0022
    vlan: 30
    ipv4: 10.30.0.0/24
    members:
      - { guid: 0x0002c90300000101, membership: limited }
      - { guid: 0x0002c90300000301, membership: full }
EOF
		echo "gateways:"
		echo "  - name: gw1"
		echo "    port_guid: 0x0002c90300000101"
		echo "    uplink: up0"
		echo -n "    addresses: { tenant-a: [10.20.0.1/24, \"fd00:20::1/64\"]"
		echo -n ", tenant-c: [10.40.0.1/24]"
		[ "$2" = 1 ] && echo -n ", tenant-b: [10.30.0.1/24]"
		echo " }"
	} >"$1.tmp" && mv "$1.tmp" "$1"
}
write_policy "$D/sm.yaml" 1
write_policy "$D/fd.yaml" 1

in_ns() { ip netns exec "$FABRIC_NS" "$@"; }
fctl() { "$FABRICCTL" -s "$SOCK" "$@"; }
status() { fctl -j status; }
has_addr() { in_ns ip -j addr show dev up0 | jq_true --arg a "$1" \
	'[.[0].addr_info[] | select(.local + "/" + (.prefixlen|tostring) == $a)] | length == 1'; }
no_addr() { ! has_addr "$1"; }
label_of() { in_ns ip -j addr show dev up0 | jq -r --arg a "$1" \
	'.[0].addr_info[] | select(.local == $a) | .label'; }
owned() { jq_true --arg a "$1" '[.addrs[] | select(.addr == $a)] | length == 1' \
	<"$D/state/reconcile.json" 2>/dev/null; }
# ctl_call METHOD [PARAMS...]: raw JSON-RPC call; fails on an error reply.
ctl_call() {
	python3 - "$SOCK" "$@" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
req = {"id": 1, "method": sys.argv[2], "params": sys.argv[3:]}
s.sendall((json.dumps(req) + "\n").encode())
buf = b""
while not buf.endswith(b"\n"):
    d = s.recv(65536)
    if not d:
        break
    buf += d
sys.exit(0 if json.loads(buf)["error"] is None else 1)
PY
}

fabricd_sim_up
gw_lid=$(fabric_lid_of 0x0002c90300000101)
check_eq "smpquery: gw1 holds tenant-a full, tenant-b limited" \
	"0x0022 0x7fff 0x8021" "$(fabric_pkeys "$gw_lid" | tr '\n' ' ' | sed 's/ $//')"

in_ns ip link add up0 type veth peer name up0p
in_ns ip link set up0 up
in_ns ip link set up0p up
in_ns ip addr add 10.20.0.77/24 dev up0 # foreign, before fabricd starts
up0_ifindex=$(in_ns cat /sys/class/net/up0/ifindex)

fabricd_sim_start
check "fabricd converges" wait_for 20 converged || tail -20 "$D/fabricd.log"
st=$(status)
check_eq "status: PKeys come from the fabric" fabric "$(jq -r .ib.mode <<<"$st")"
check_eq "status: the port is gw1's" 0x0002c90300000101 \
	"$(jq -r .ib.port_guid <<<"$st")"
check_eq "status: PKeys as smpquery reads them" "0x0022 0x8021" \
	"$(jq -r '.ib.pkeys | sort | join(" ")' <<<"$st")"
check_eq "status: 802.1Q reported missing" false \
	"$(jq -r .vlan.supported <<<"$st")"
check_eq "one log line names the missing kernel feature" 1 \
	"$(grep -c 'CONFIG_VLAN_8021Q' "$D/fabricd.log")"
parts=$(fctl -j partition list)
check_eq "partition list: memberships from the fabric" "full none limited" \
	"$(jq -r '[.[] | .membership] | join(" ")' <<<"$parts")"
check_eq "partition list: states" "ready not-held ready" \
	"$(jq -r '[.[] | .state] | join(" ")' <<<"$parts")"
check "fabricctl partition list (text)" \
	bash -c "'$FABRICCTL' -s '$SOCK' partition list | grep -q '^tenant-a'"

check "10.20.0.1/24 on up0" has_addr 10.20.0.1/24
check "fd00:20::1/64 on up0" has_addr fd00:20::1/64
check "10.30.0.1/24 on up0" has_addr 10.30.0.1/24
check "tenant-c (not on gw1's port) is not mirrored" no_addr 10.40.0.1/24
check_eq "IPv4 alias labelled up0:20" up0:20 "$(label_of 10.20.0.1)"
check_eq "IPv4 alias labelled up0:30" up0:30 "$(label_of 10.30.0.1)"
check "state file marks 10.20.0.1/24 as fabricd's" owned 10.20.0.1/24
check "state file marks fd00:20::1/64 as fabricd's" owned fd00:20::1/64
check "foreign 10.20.0.77/24 is not claimed" bash -c "jq_true '[.addrs[] | select(.addr == \"10.20.0.77/24\")] | length == 0' <'$D/state/reconcile.json'"

# Hand edits: a foreign address survives a reconcile; ours come back.
in_ns ip addr add 10.30.0.99/24 dev up0
in_ns ip addr del 10.20.0.1/24 dev up0
in_ns ip addr del fd00:20::1/64 dev up0
check "deleted 10.20.0.1/24 comes back" wait_for 5 has_addr 10.20.0.1/24
check "deleted fd00:20::1/64 comes back" wait_for 5 has_addr fd00:20::1/64
check "reconcile on request" ctl_call reconcile
check "foreign 10.20.0.77/24 survives" has_addr 10.20.0.77/24
check "foreign 10.30.0.99/24 survives" has_addr 10.30.0.99/24
check_eq "uplink untouched (same ifindex)" "$up0_ifindex" \
	"$(in_ns cat /sys/class/net/up0/ifindex)"

# tenant-b leaves the fabric (the SM's policy), fabricd's policy still has
# it: the fabric wins, and the difference is reported as drift.
write_policy "$D/sm.yaml" 0
check "SM sweep with tenant-b removed" fabric_sweep
check_eq "smpquery: gw1 lost 0x0022" "0x7fff 0x8021" \
	"$(fabric_pkeys "$gw_lid" | tr '\n' ' ' | sed 's/ $//')"
check "10.30.0.1/24 removed" wait_for 5 no_addr 10.30.0.1/24
check "foreign 10.30.0.99/24 in the same subnet survives" has_addr 10.30.0.99/24
check "10.20.0.1/24 stays" has_addr 10.20.0.1/24
check_eq "status: drift on tenant-b" policy-member-not-on-fabric \
	"$(status | jq -r '.drift[] | select(.partition == "tenant-b") | .drift')"
check "drift logged" grep -q "drift: partition tenant-b" "$D/fabricd.log"
check "state file forgot 10.30.0.1/24" bash -c "jq_true '[.addrs[] | select(.addr == \"10.30.0.1/24\")] | length == 0' <'$D/state/reconcile.json'"

# A bad policy on SIGHUP: refused with its location, the last good stays.
cp "$D/fd.yaml" "$D/fd.good"
printf 'partitions:\n  - name: x\n    pkey: 0x0000\n' >"$D/fd.yaml"
kill -HUP "$FD_PID"
check "bad policy: located error logged" \
	wait_for 5 grep -qE "fd.yaml:[0-9]+:[0-9]+: error" "$D/fabricd.log"
check "bad policy: status shows it" \
	wait_for 5 bash -c "'$FABRICCTL' -s '$SOCK' -j status | jq_true '.policy_error != null'"
check "bad policy: addresses kept" has_addr 10.20.0.1/24
write_policy "$D/fd.yaml" 0
kill -HUP "$FD_PID"
check "good policy again: drift gone" wait_for 5 bash -c \
	"'$FABRICCTL' -s '$SOCK' -j status | jq_true '.drift == [] and .policy_error == null'"

# A second instance must not fight the first.
SIM_HOST=gw1 fabric_exec timeout 10 "$FABRICD" --policy "$D/fd.yaml" \
	--gateway gw1 --state-dir "$D/state2" --ctl-socket "$D/other.ctl" \
	--pid-file "$D/fabricd.pid" --foreground >"$D/second.log" 2>&1
check_eq "second instance refused (exit 1)" 1 "$?"
check "second instance names the first" grep -q "another fabricd (pid $FD_PID)" "$D/second.log"

# Restart: adopt without touching anything (no address event at all; wait
# for IPv6 DAD to finish first, its flag change is an event too).
settled() { ! in_ns ip addr show dev up0 | grep -q tentative; }
wait_for 10 settled
before=$(in_ns ip -j addr show dev up0 | jq -c '[.[0].addr_info[] | .local] | sort')
fabric_kill_wait "$FD_PID"
wait "$FD_PID" 2>/dev/null
check "SIGTERM: socket removed" test ! -e "$SOCK"
check "SIGTERM: clean shutdown logged" grep -q "fabricd stopped" "$D/fabricd.log"
check "addresses stay while fabricd is down" has_addr 10.20.0.1/24
ip netns exec "$FABRIC_NS" ip monitor address >"$D/monitor.log" 2>&1 &
MON_PID=$!
sleep 0.3
fabricd_sim_start
check "restarted fabricd converges" wait_for 20 converged
sleep 0.5
kill "$MON_PID"
MON_PID=""
grep -E '10\.20\.0\.1|fd00:20::1' "$D/monitor.log" | sed 's/^/# monitor: /'
check_eq "restart: no address deleted or added" 0 \
	"$(grep -cE '10\.20\.0\.1|fd00:20::1' "$D/monitor.log")"
check_eq "restart: same addresses" "$before" \
	"$(in_ns ip -j addr show dev up0 | jq -c '[.[0].addr_info[] | .local] | sort')"
check_eq "restart: uplink ifindex unchanged" "$up0_ifindex" \
	"$(in_ns cat /sys/class/net/up0/ifindex)"
check "restart: adopted addresses are still fabricd's" owned 10.20.0.1/24

tap_done
