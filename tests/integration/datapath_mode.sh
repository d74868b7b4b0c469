#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The port mode on a copy-only interface (a veth: AF_XDP has no zero-copy
# there), chosen by measurement (eth/port_xdp.c, copy_declines): with the
# XDP fast path the ports run AF_XDP; without it (FABRICD_NO_FASTPATH=1)
# AF_PACKET, which make bench-datapath measured faster than AF_XDP copy
# mode, and `port list` says so; FABRICD_XDP_COPY=1 keeps AF_XDP. The
# hosts send finished checksums (tx off), so the checksum rule
# (datapath_offloads.sh) leaves AF_XDP allowed; a ping crosses each time.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/netns.sh

FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces)"
[ -x "$FABRICD" ] && [ -x "$FABRICCTL" ] ||
	skip_all "$FABRICD/fabricctl not built (make all tests)"
for t in jq ethtool ping; do
	command -v "$t" >/dev/null || skip_all "$t not installed (make deps)"
done
unset FABRICD_NO_XDP FABRICD_NO_FASTPATH FABRICD_XDP_COPY

netns_init dpmode
fctl() { "$FABRICCTL" -s "$SOCK" "$@"; }

# host NAME IP: a namespace with eth0 (tx-checksumming off, GRO on), its
# peer v<NAME> in sw.
host() {
	mkns "$1"
	ip -n "$P-$1" link add eth0 type veth peer name "v$1" netns "$P-sw"
	ip -n "$P-$1" addr add "$2/24" dev eth0
	in_ns "$1" ethtool -K eth0 tx off gro on >/dev/null 2>&1
	ip -n "$P-$1" link set eth0 up
	ip -n "$P-sw" link set "v$1" up
}

ports_up() {
	[ "$(fctl -j port list 2>/dev/null |
		jq '[.[] | select(.state == "up")] | length')" = 2 ]
}

# pings NS ARGS...: ping quietly from NS.
pings() {
	local n=$1
	shift
	in_ns "$n" ping -q "$@" >/dev/null 2>&1
}

# field F: port va's and vb's F, joined by commas, distinct values once.
field() { fctl -j port list | jq -r "[.[].$1] | unique | join(\",\")"; }

# round TAG [VAR=VALUE...]: fabricd with the environment given; sets MODE
# (mode+fast) and WHY (the reasons).
round() {
	local tag=$1
	shift
	mkns sw
	host a 10.8.0.1
	host b 10.8.0.2
	cat >"$D/fabric.yaml" <<'YAML'
fabric:
  name: mode
partitions:
  - name: t
    pkey: 0x0022
    vlan: 22
    members:
      - { all_cas: true, membership: full }
ports:
  - { name: va, partition: t, membership: full }
  - { name: vb, partition: t, membership: full }
YAML
	env "$@" ip netns exec "$P-sw" "$FABRICD" --policy "$D/fabric.yaml" \
		--no-ib --state-dir "$D/state" --ctl-socket "$D/ctl.sock" \
		--pid-file "$D/fabricd.pid" --foreground >"$D/fabricd.log" 2>&1 &
	PIDS+=($!)
	SOCK=$D/ctl.sock
	for _ in $(seq 50); do ports_up && break; sleep 0.1; done
	check "$tag: both ports up" ports_up
	fctl port list | sed 's/^/# /'
	MODE=$(fctl -j port list | jq -r '[.[] | .mode +
		(if .fast_path then "+fast" else "" end)] | unique | join(",")')
	WHY=$(field mode_reason)
	check "$tag: ping a -> b" pings a -c 2 -i 0.2 -W 2 10.8.0.2
	netns_stop
	rm -rf "$D/state"
}

round "default"
check_eq "default: AF_XDP with the fast path" af_xdp+fast "$MODE"

round "fast path off" FABRICD_NO_FASTPATH=1
check_eq "fast path off: AF_PACKET (measured faster than AF_XDP copy mode)" \
	af_packet+vnet "$MODE"
check "fast path off: mode_reason says it was measured" \
	grep -q "AF_PACKET measured faster than AF_XDP copy mode" <<<"$WHY"

round "fast path off, FABRICD_XDP_COPY=1" FABRICD_NO_FASTPATH=1 \
	FABRICD_XDP_COPY=1
check_eq "FABRICD_XDP_COPY=1: AF_XDP copy mode kept" af_xdp "$MODE"
check "FABRICD_XDP_COPY=1: mode_reason says the fast path is off" \
	grep -q "FABRICD_NO_FASTPATH is set" <<<"$WHY"
tap_done
