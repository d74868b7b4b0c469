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
netns_require jq ethtool ping
unset FABRICD_NO_XDP FABRICD_NO_FASTPATH FABRICD_XDP_COPY

netns_init dpmode

# The hosts send finished checksums and take redirected frames (GRO on).
host_offloads() { in_ns "$1" ethtool -K eth0 tx off gro on >/dev/null 2>&1; }

# pings NS IP: two pings from NS, quietly; status as ping's.
pings() { in_ns "$1" ping -q -c 2 -i 0.2 -W 2 "$2" >/dev/null 2>&1; }

# round TAG [VAR=VALUE...]: fabricd with the environment given; sets MODE
# (mode+fast, distinct values) and WHY (the ports' mode_reason).
round() {
	local tag=$1 v
	shift
	mkns sw
	NETNS_PREUP=host_offloads netns_veth a va "" 10.8.0.1/24
	NETNS_PREUP=host_offloads netns_veth b vb "" 10.8.0.2/24
	{
		one_tenant_policy mode
		echo "ports:"
		echo "  - { name: va, partition: tenant-a, membership: full }"
		echo "  - { name: vb, partition: tenant-a, membership: full }"
	} >"$D/fabric.yaml"
	for v in "$@"; do export "${v?}"; done
	netns_fabricd_access sw
	for v in "$@"; do unset "${v%%=*}"; done
	check "$tag: both ports up" wait_ports_up 2
	fctl port list | sed 's/^/# /'
	MODE=$(fctl -j port list | jq -r '[.[] | .mode +
		(if .fast_path then "+fast" else "" end)] | unique | join(",")')
	WHY=$(fctl -j port list | jq -r '[.[].mode_reason] | unique | join(",")')
	check "$tag: ping a -> b" pings a 10.8.0.2
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
