#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# fabricd with real 802.1Q links, in the qemu testbed (the host kernel has
# no 8021q): VLAN links <uplink>.<vid> with the right VID, lower link and
# ownership alias, the gateway's aliases on them, checked with `ip -d -j
# link` and `ip -j addr`; deleted-by-hand links come back; foreign links and
# addresses are left alone, a foreign link holding the wanted name is a
# conflict; a restart adopts without flap (same ifindex, no link event); a
# partition leaving the policy loses its link.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh
. tests/lib/fabricd.sh

FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl

vm_tap_main - build/bin/fabricd build/bin/fabricctl jq

# ---- in the guest ----
D=$(mktemp -d /tmp/fabricd-vlan.XXXXXX)
NS=fdvlan
SOCK=$D/fabricd.ctl
FD_PID=""
MON_PID=""
cleanup() {
	[ -z "$MON_PID" ] || kill "$MON_PID" 2>/dev/null
	[ -z "$FD_PID" ] || kill "$FD_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT

write_policy() { # WITH_TENANT_B WITH_TENANT_C
	{
		cat <<'EOF'
fabric:
  name: vlan-test
partitions:
  - name: tenant-a
    pkey: 0x0021
    vlan: 20
    ipv4: 10.20.0.0/24
    ipv6: fd00:20::/64
    members:
      - { all_cas: true, membership: full }
EOF
		[ "$1" = 1 ] && cat <<'EOF'
  - name: tenant-b
    pkey: 0x0022
    vlan: 30
    ipv4: 10.30.0.0/24
    members:
      - { all_cas: true, membership: full }
EOF
		[ "$2" = 1 ] && cat <<'EOF'
  - name: tenant-c
    pkey: 0x0023
    vlan: 40
    ipv4: 10.40.0.0/24
    members:
      - { all_cas: true, membership: full }
EOF
		echo "gateways:"
		echo "  - name: gw1"
		echo "    uplink: up0"
		echo -n "    addresses: { tenant-a: [10.20.0.1/24, \"fd00:20::1/64\"]"
		[ "$1" = 1 ] && echo -n ", tenant-b: [10.30.0.1/24]"
		[ "$2" = 1 ] && echo -n ", tenant-c: [10.40.0.1/24]"
		echo " }"
	} >"$D/fabric.yaml.tmp" && mv "$D/fabric.yaml.tmp" "$D/fabric.yaml"
}

in_ns() { ip netns exec "$NS" "$@"; }
status() { "$FABRICCTL" -s "$SOCK" -j status; }
link_json() { in_ns ip -d -j link show dev "$1" 2>/dev/null; }
link_field() { link_json "$1" | jq -r ".[0]$2"; }
has_link() { in_ns ip link show dev "$1" >/dev/null 2>&1; }
no_link() { ! has_link "$1"; }
has_addr() { in_ns ip -j addr show dev "$1" | jq_true --arg a "$2" \
	'[.[0].addr_info[] | select(.local + "/" + (.prefixlen|tostring) == $a)] | length == 1'; }
start_fabricd() {
	ip netns exec "$NS" "$FABRICD" --policy "$D/fabric.yaml" --gateway gw1 --no-ib \
		--state-dir "$D/state" --ctl-socket "$SOCK" \
		--pid-file "$D/fabricd.pid" --foreground >>"$D/fabricd.log" 2>&1 &
	FD_PID=$!
}

check "8021q is loaded" test -d /sys/module/8021q
ip netns add "$NS"
in_ns ip link set lo up
in_ns ip link add up0 type veth peer name up0p
in_ns ip link set up0 up
in_ns ip link set up0p up
# Foreign objects: a VLAN link of someone else's, and one holding the name
# tenant-c will want (vid 40) but with another VID.
in_ns ip link add link up0 name up0.99 type vlan id 99
in_ns ip link add link up0 name up0.40 type vlan id 41
write_policy 1 0
start_fabricd
check "fabricd converges" wait_for 30 converged || sed 's/^/# /' "$D/fabricd.log"
check_eq "status: 802.1Q supported" true "$(status | jq -r .vlan.supported)"
check "no missing-802.1Q line in the log" bash -c "! grep -q CONFIG_VLAN_8021Q '$D/fabricd.log'"

for p in "up0.20 20 tenant-a" "up0.30 30 tenant-b"; do
	set -- $p
	check_eq "ip -d -j link $1: kind vlan" vlan "$(link_field "$1" .linkinfo.info_kind)"
	check_eq "ip -d -j link $1: vlan id $2" "$2" "$(link_field "$1" .linkinfo.info_data.id)"
	check_eq "ip -d -j link $1: protocol 802.1Q" 802.1Q "$(link_field "$1" .linkinfo.info_data.protocol)"
	check_eq "ip -d -j link $1: lower link up0" up0 "$(link_field "$1" .link)"
	check_eq "ip -d -j link $1: alias fabricd:$3" "fabricd:$3" "$(link_field "$1" .ifalias)"
	check "ip -d -j link $1: UP" bash -c "ip netns exec $NS ip -j link show dev $1 | jq_true '.[0].flags | index(\"UP\")'"
done
check "ip -j addr: 10.20.0.1/24 on up0.20" has_addr up0.20 10.20.0.1/24
check "ip -j addr: fd00:20::1/64 on up0.20" has_addr up0.20 fd00:20::1/64
check "ip -j addr: 10.30.0.1/24 on up0.30" has_addr up0.30 10.30.0.1/24
check_eq "ip -j addr: label up0.20:20" up0.20:20 \
	"$(in_ns ip -j addr show dev up0.20 | jq -r '.[0].addr_info[] | select(.local == "10.20.0.1") | .label')"
check "nothing on the uplink itself" bash -c "! ip netns exec $NS ip -4 addr show dev up0 | grep -q inet"

# Hand edits.
in_ns ip addr add 10.20.0.50/24 dev up0.20
in_ns ip link del up0.30
check "deleted up0.30 comes back" wait_for 10 has_link up0.30
check "its address too" wait_for 10 has_addr up0.30 10.30.0.1/24
check_eq "... with its VID" 30 "$(link_field up0.30 .linkinfo.info_data.id)"
check "foreign 10.20.0.50/24 on our link survives" has_addr up0.20 10.20.0.50/24
check "foreign up0.99 survives" has_link up0.99
check_eq "foreign up0.99 has no alias" null "$(link_field up0.99 .ifalias)"

# Conflict: tenant-c wants up0.40, which someone else made (vid 41).
write_policy 1 1
kill -HUP "$FD_PID"
check "conflict reported" wait_for 10 bash -c \
	"'$FABRICCTL' -s '$SOCK' -j partition show tenant-c | jq_true '.[0].links[0].status == \"conflict\"'"
check_eq "foreign up0.40 untouched (vid 41)" 41 "$(link_field up0.40 .linkinfo.info_data.id)"
check_eq "foreign up0.40 untouched (no alias)" null "$(link_field up0.40 .ifalias)"
check "no tenant-c address on the foreign link" bash -c "! ip netns exec $NS ip addr show dev up0.40 | grep -q 10.40.0.1"

# Restart: adopt, no flap.
idx20=$(link_field up0.20 .ifindex)
idx30=$(link_field up0.30 .ifindex)
kill "$FD_PID"
wait "$FD_PID"
FD_PID=""
check "links stay while fabricd is down" has_link up0.20
ip netns exec "$NS" ip monitor link address >"$D/monitor.log" 2>&1 &
MON_PID=$!
sleep 0.3
start_fabricd
check "restarted fabricd converges (but for the conflict)" wait_for 30 bash -c \
	"'$FABRICCTL' -s '$SOCK' -j partition show tenant-a | jq_true '.[0].state == \"ready\"'"
sleep 0.5
kill "$MON_PID"
MON_PID=""
check_eq "restart: up0.20 same ifindex" "$idx20" "$(link_field up0.20 .ifindex)"
check_eq "restart: up0.30 same ifindex" "$idx30" "$(link_field up0.30 .ifindex)"
check_eq "restart: no link or address event" 0 "$(grep -c 'up0\.[23]0' "$D/monitor.log")"

# A partition leaving the policy loses what fabricd made for it.
write_policy 0 0
kill -HUP "$FD_PID"
check "tenant-b left: up0.30 deleted" wait_for 10 no_link up0.30
check "tenant-a stays" has_link up0.20
check "foreign up0.40 still there" has_link up0.40
check "foreign up0.99 still there" has_link up0.99
kill "$FD_PID"
wait "$FD_PID"
check_eq "SIGTERM: exit status 0" 0 "$?"
FD_PID=""

vm_guest_done
