#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The qemu testbed itself: a real Debian kernel with 802.1Q VLAN links and
# soft-RoCE (rdma_rxe) verbs devices, neither of which the host kernel has.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/vm/lib.sh

vm_tap_main - jq

# ---- in the guest ----
check "kernel is the Debian one, not the host's" \
	test -f "/lib/modules/$(uname -r)/modules.dep"
check "8021q is loaded" test -d /sys/module/8021q
check "rdma_rxe is loaded" test -d /sys/module/rdma_rxe
check "the repository is visible" test -f "$PWD/tests/vm/run.sh"
check "/tmp is writable" touch /tmp/vm_smoke.$$

check "veth pair" ip link add veth0 type veth peer name veth1
ip link set veth0 up
ip link set veth1 up

check "802.1Q VLAN link" \
	ip link add link veth0 name veth0.20 type vlan id 20
link=$(ip -d -j link show dev veth0.20 2>/dev/null)
check_eq "ip -d -j link: kind vlan" vlan \
	"$(jq -r '.[0].linkinfo.info_kind' <<<"$link")"
check_eq "ip -d -j link: vlan id 20" 20 \
	"$(jq -r '.[0].linkinfo.info_data.id' <<<"$link")"
check_eq "ip -d -j link: protocol 802.1Q" 802.1Q \
	"$(jq -r '.[0].linkinfo.info_data.protocol' <<<"$link")"
check_eq "ip -d -j link: lower link veth0" veth0 \
	"$(jq -r '.[0].link' <<<"$link")"

check "rdma link add rxe0 on veth0" \
	rdma link add rxe0 type rxe netdev veth0
check "rdma link add rxe1 on veth1" \
	rdma link add rxe1 type rxe netdev veth1
check "ibv_devices lists rxe0" \
	bash -c 'ibv_devices | grep -qw rxe0'
info=$(ibv_devinfo -d rxe0 2>&1)
check_eq "ibv_devinfo rxe0: link layer" Ethernet \
	"$(sed -n 's/^[[:space:]]*link_layer:[[:space:]]*//p' <<<"$info")"
check_eq "ibv_devinfo rxe0: transport" InfiniBand \
	"$(sed -n 's/^[[:space:]]*transport:[[:space:]]*\([A-Za-z]*\).*/\1/p' <<<"$info")"
check_eq "rxe0 PKey table holds 0xffff" 0xffff \
	"$(cat /sys/class/infiniband/rxe0/ports/1/pkeys/0 2>/dev/null)"
check "ibv_devinfo port 1 is PORT_ACTIVE" \
	bash -c 'ibv_devinfo -d rxe0 | grep -q "state:.*PORT_ACTIVE"'

vm_guest_done
