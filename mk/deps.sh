#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Install the Debian packages fabricd builds, tests and demonstrates with.
# Idempotent: does nothing when all are present. Non-interactive.
set -e

# debhelper and systemd (systemd-analyze): tests/integration/install.sh
# builds the Debian package and verifies the unit; time (/usr/bin/time):
# tests/integration/fabricctl_policy.sh measures a refusal's memory.
# libbpf/libxdp/bpftool/xdp-tools: the XDP fast path; libfixbuf and nfdump:
# IPFIX export and its judges; libucx-dev/ucx-utils: peer links between
# fabricd instances; nftables: tests/integration/gateway_ha_split.sh
# filters the gateways' HA advertisements on the wire; lintian:
# tests/integration/install.sh checks the package (the plugin's SONAME).
PKGS="
build-essential pkg-config clang llvm libclang-rt-14-dev clang-format
libyaml-dev libjansson-dev libcmocka-dev jq
libnl-3-dev libnl-route-3-dev libsystemd-dev
rdma-core libibverbs-dev libibumad-dev libibmad-dev ibverbs-providers
ibverbs-utils infiniband-diags perftest
opensm libopensm-dev ibsim-utils
iproute2 iputils-ping ethtool bc python3 tshark netsniff-ng
qemu-system-x86 linux-image-amd64 busybox-static
libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
openvswitch-switch valgrind prometheus
debhelper systemd time
libbpf-dev libxdp-dev bpftool xdp-tools libfixbuf-dev libfixbuf-tools nfdump
libucx-dev ucx-utils nftables lintian
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps: need root to install:$missing" >&2
		exit 2
	fi
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections
$SUDO apt-get update -q
$SUDO apt-get install -y -q $missing
