#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# A VM attached the way libvirt attaches it (docs/vms.md): a domain with an
# <interface type='ethernet'> whose tap libvirt creates under a fixed name,
# a virtio NIC with its default offloads, and that name in fabricd's
# policy. A namespace behind a veth port of the same partition pings the
# guest; the domain is destroyed and created again (a VM restart: its tap
# goes away and comes back) and the port follows by itself.
#
# The test runs its own libvirtd and touches nothing under /etc: a
# session-mode daemon (qemu:///session) as the user nobody, with HOME,
# XDG_* and its qemu.conf in the test's directory and only CAP_NET_ADMIN
# (ambient, so that it can make and delete the tap as the system daemon
# does). It is stopped by PID at the end.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/guests.sh

FABRICD=$PWD/build/bin/fabricd
FABRICCTL=$PWD/build/bin/fabricctl
[ "$(id -u)" -eq 0 ] || skip_all "needs root (taps)"
[ -x "$FABRICD" ] || skip_all "fabricd not built (make)"
for c in libvirtd virsh; do
	command -v $c >/dev/null || skip_all "libvirt not installed (make deps)"
done
command -v setpriv >/dev/null || skip_all "setpriv not installed (util-linux)"
command -v jq >/dev/null || skip_all "jq not installed (make deps)"

P=lv$$
D=$(mktemp -d /tmp/vm_libvirt.XXXXXX)
L=$D/lv # the daemon's HOME, runtime directory, qemu.conf, guest console
LUID=$(id -u nobody) || skip_all "no user nobody"
LGID=$(id -g nobody)
# "${AS_LV[@]}" CMD...: CMD as the daemon's user, in its environment (an
# array, not a function: "${AS_LV[@]}" libvirtd & gives libvirtd's own PID).
AS_LV=(setpriv --reuid="$LUID" --regid="$LGID" --clear-groups
	--inh-caps=+net_admin --ambient-caps=+net_admin
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$L"
	XDG_CONFIG_HOME="$L/config" XDG_CACHE_HOME="$L/cache"
	XDG_RUNTIME_DIR="$L/run")
V() { "${AS_LV[@]}" virsh -q -c qemu:///session "$@"; }
FPID=""
LPID=""
cleanup() {
	local qpid
	if [ -n "$LPID" ]; then
		V destroy "$P" >/dev/null 2>&1
		kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	fi
	qpid=$(cat "$L/run/libvirt/qemu/run/$P.pid" 2>/dev/null)
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null && wait "$FPID" 2>/dev/null
	ip netns del "$P-h" 2>/dev/null
	ip link del "${P}h" 2>/dev/null
	ip link del "${P}vm" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
guests_init "$D"

chmod 0711 "$D"
# The daemon's user reads the guest's kernel and initrd: copies in $D, since
# the checkout may be where that user cannot look (a clone under /root).
copy_guest() {
	cp "$GUEST_KERNEL" "$D/vmlinuz" && cp "$GUEST_INITRD" "$D/initrd.gz" &&
		chmod 0644 "$D/vmlinuz" "$D/initrd.gz"
}
if copy_guest; then
	ok "the guest's kernel and initrd copied where the daemon's user reads"
else
	not_ok "the guest's kernel and initrd copied where the daemon's user reads"
	tap_done
fi
mkdir -p "$L/config/libvirt" "$L/cache" "$L/run"
# No virtlogd (the console goes to a file QEMU opens), no confinement.
printf 'stdio_handler = "file"\nsecurity_driver = "none"\n' \
	>"$L/config/libvirt/qemu.conf"
chown -R "$LUID:$LGID" "$L"
chmod 0700 "$L/run"
"${AS_LV[@]}" libvirtd >"$D/libvirtd.log" 2>&1 &
LPID=$!
lv_up() {
	for _ in $(seq 100); do V list >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
if ! check "our own libvirtd (qemu:///session as nobody) answers" lv_up; then
	sed 's/^/# /' "$D/libvirtd.log"
	tap_done
	exit
fi

# The guest, exactly as docs/vms.md shows the interface.
cat >"$D/domain.xml" <<EOF2
<domain type='qemu'>
  <name>$P</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>$D/vmlinuz</kernel>
    <initrd>$D/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet no_timer_check fab.ip=10.9.0.5/24 fab.mode=idle</cmdline>
  </os>
  <devices>
    <interface type='ethernet'>
      <target dev='${P}vm' managed='yes'/>
      <mac address='52:54:00:12:00:1a'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='$L/guest.log'/>
      <target port='0'/>
    </serial>
  </devices>
</domain>
EOF2

ip netns add "$P-h" || skip_all "cannot create a network namespace"
ip link add "${P}h" type veth peer name eth0 netns "$P-h"
ip link set "${P}h" up
ip -n "$P-h" addr add 10.9.0.6/24 dev eth0
ip -n "$P-h" link set eth0 up
cat >"$D/fabric.yaml" <<EOF2
fabric: { name: libvirt }
partitions:
  - { name: tenant-a, pkey: 0x0021, vlan: 20, members: [ { all_cas: true, membership: full } ] }
ports:
  - { name: ${P}vm, partition: tenant-a, membership: full }
  - { name: ${P}h, partition: tenant-a, membership: full }
EOF2
SOCK=$D/ctl.sock
"$FABRICD" --policy "$D/fabric.yaml" --no-ib --state-dir "$D/state" \
	--ctl-socket "$SOCK" --pid-file "$D/fabricd.pid" --foreground \
	>"$D/fabricd.log" 2>&1 &
FPID=$!
state() {
	"$FABRICCTL" -s "$SOCK" -j port list 2>/dev/null |
		jq -r ".[] | select(.name==\"$P$1\") | .state"
}
wait_state() {
	for _ in $(seq 100); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.1; done
	return 1
}
check "the VM's port waits for its tap (absent)" wait_state vm absent

check "virsh create: the domain starts" V create "$D/domain.xml"
check "libvirt made the tap; the port opened by itself" wait_state vm up
check_eq "its mode" af_packet+vnet "$("$FABRICCTL" -s "$SOCK" -j port show "${P}vm" | jq -r .mode)"
guest_wait lv/guest "GUEST UP" 120
check "the guest booted" [ $? -eq 0 ]
pings() { ip netns exec "$P-h" ping -c 2 -W 2 10.9.0.5 >/dev/null 2>&1; }
ok_ping=1
for _ in $(seq 10); do pings && ok_ping=0 && break; sleep 1; done
check "a namespace in the same partition pings the guest" [ $ok_ping -eq 0 ]

check "virsh destroy: the VM stops" V destroy "$P"
check "its tap is gone: the port is absent" wait_state vm absent
rm -f "$L/guest.log"
check "virsh create again (the VM restarts)" V create "$D/domain.xml"
check "the tap is back: the port reopened by itself" wait_state vm up
guest_wait lv/guest "GUEST UP" 120
ok_ping=1
for _ in $(seq 10); do pings && ok_ping=0 && break; sleep 1; done
check "the namespace pings the restarted guest" [ $ok_ping -eq 0 ]
tap_done
