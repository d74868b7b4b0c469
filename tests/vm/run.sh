#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The qemu testbed: run one script inside a real Debian kernel.
#
# Usage: tests/vm/run.sh [-t SECONDS] [-m MIB] [-e VAR=VALUE]... SCRIPT [ARG]...
#
# Boots the host's Debian kernel (linux-image-amd64, /boot/vmlinuz-*) under
# qemu TCG with the host's root file system read-only over 9p and tmpfs on
# /tmp, /run and /var/tmp, loads 8021q and rdma_rxe, runs SCRIPT (a path on
# the host; the repository and its build/ are visible at the same paths) in
# the current directory, and powers off. SCRIPT's stdout and stderr come back
# on ours and its exit status becomes ours.
#
#   -t SECONDS   hard limit for boot + run + power off (default $VM_TIMEOUT
#                or 300); on expiry qemu is killed and we exit 124
#   -m MIB       guest memory (default $VM_MEM or 1024)
#   -e VAR=VAL   set VAR in SCRIPT's environment (repeatable)
#
# Exit status: SCRIPT's, or 124 on time-out, 125 when the guest failed
# before or around SCRIPT (boot, modules, mounts), 126 when the testbed
# cannot run here at all (no qemu, no kernel). A line "vm: ... boot N s,
# script N s, total N s" goes to stderr.
#
# The initramfs (busybox-static + the virtio/9p modules + tests/vm/init) is
# built on first use and cached in build/vm/, keyed by kernel, busybox and
# init script, so a new kernel rebuilds it. Environment: VM_KERNEL (a
# vmlinuz to use instead of the newest one with modules), VM_CONSOLE=1
# (print the guest console afterwards even on success).
set -u

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
BUILD_DIR=${BUILD:-build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$REPO/$BUILD_DIR
CACHE=$BUILD_DIR/vm
TIMEOUT=${VM_TIMEOUT:-300}
MEM=${VM_MEM:-1024}
ENVS=()
# Modules the initramfs needs (their dependencies are added from
# modules.dep in load order): virtio_ring, virtio, virtio_pci_legacy_dev,
# virtio_pci_modern_dev, virtio_pci, netfs, fscache, 9pnet, 9pnet_virtio, 9p.
INITRD_MODULES="virtio_pci 9pnet_virtio 9p"

die() {
	echo "vm: $*" >&2
	exit "${EXIT:-125}"
}

usage() {
	sed -n '5,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# Newest /boot/vmlinuz-* whose modules are installed.
find_kernel() {
	local k v
	if [ -n "${VM_KERNEL:-}" ]; then
		echo "$VM_KERNEL"
		return
	fi
	for k in $(ls /boot/vmlinuz-* 2>/dev/null | sort -rV); do
		v=${k#/boot/vmlinuz-}
		[ -f "/lib/modules/$v/modules.dep" ] && echo "$k" && return
	done
}

# Path (relative to /lib/modules/KVER) of module $2, empty when built in.
module_path() {
	local kdir=$1 name=$2
	grep -Eq "/$name\.ko(\.xz|\.zst|\.gz)?$" "$kdir/modules.builtin" \
		2>/dev/null && return 0
	grep -Eo "^[^:]*/$name\.ko(\.xz|\.zst|\.gz)?:" "$kdir/modules.dep" |
		head -n1 | tr -d :
}

# Module files in insmod order: each module's dependencies (modules.dep
# lists them nearest first, so reversed) before the module, no repeats.
module_order() {
	local kdir=$1 name path deps d seen=" "
	for name in $INITRD_MODULES; do
		path=$(module_path "$kdir" "$name")
		if [ -z "$path" ]; then
			grep -Eq "/$name\.ko" "$kdir/modules.builtin" ||
				die "module $name not found in $kdir"
			continue
		fi
		deps=$(grep "^$path:" "$kdir/modules.dep" | cut -d: -f2)
		for d in $(echo $deps | tr ' ' '\n' | tac) $path; do
			case $seen in *" $d "*) continue ;; esac
			seen="$seen$d "
			echo "$d"
		done
	done
}

# Uncompressed copy of module file $1 into $2.
copy_module() {
	case $1 in
	*.xz) busybox xzcat "$1" >"$2" ;;
	*.zst) zstd -qdc "$1" >"$2" ;;
	*.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}

initrd_key() {
	local kernel=$1 kdir=$2
	{
		echo "$kernel"
		stat -c '%s %Y' "$kernel" "$kdir/modules.dep" \
			"$(command -v busybox)"
		echo "$INITRD_MODULES"
		cat "$VM_DIR/init"
	} | sha256sum | cut -d' ' -f1
}

# Build the initramfs for kernel $1 into $2.
build_initrd() {
	local kernel=$1 out=$2 kver kdir tmp m f name
	kver=${kernel##*/vmlinuz-}
	kdir=/lib/modules/$kver
	tmp=$(mktemp -d) || return 1
	mkdir -p "$tmp/bin" "$tmp/modules"
	cp "$(command -v busybox)" "$tmp/bin/busybox" || return 1
	install -m 0755 "$VM_DIR/init" "$tmp/init" || return 1
	for m in $(module_order "$kdir"); do
		f=$kdir/$m
		name=$(basename "${m%%.ko*}").ko
		copy_module "$f" "$tmp/modules/$name" || return 1
		echo "$name" >>"$tmp/modules.order"
	done
	(cd "$tmp" && find . | busybox cpio -o -H newc 2>/dev/null) |
		gzip -1 >"$out.tmp" && mv "$out.tmp" "$out"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

# Cached initramfs for kernel $1, rebuilt when its key changes; prints path.
get_initrd() {
	local kernel=$1 kver key img
	kver=${kernel##*/vmlinuz-}
	img=$CACHE/initramfs-$kver.cpio.gz
	key=$(initrd_key "$kernel" "/lib/modules/$kver")
	mkdir -p "$CACHE" || die "cannot create $CACHE"
	(
		flock 9
		if [ ! -s "$img" ] ||
			[ "$(cat "$img.key" 2>/dev/null)" != "$key" ]; then
			echo "vm: building $img" >&2
			build_initrd "$kernel" "$img" ||
				die "initramfs build failed"
			echo "$key" >"$img.key"
		fi
	) 9>"$CACHE/.lock" || exit $?
	echo "$img"
}

# A script under a directory the guest covers with tmpfs is copied into
# the run directory; prints the path to run inside the guest.
guest_script() {
	local script=$1 run=$2
	case $script in
	"$REPO"/*) echo "$script" ;; # the repository is shared on its own
	/tmp/* | /run/* | /var/tmp/* | /dev/* | /proc/* | /sys/*)
		cp "$script" "$run/script" && chmod +x "$run/script"
		echo /run/vm/script
		;;
	*) echo "$script" ;;
	esac
}

# The job the guest's init runs (bash, in the chroot).
write_job() {
	local run=$1 script=$2 cwd
	shift 2
	cwd=$PWD
	case $cwd in
	"$REPO" | "$REPO"/*) ;;
	/tmp/* | /tmp | /run/* | /var/tmp/*) cwd=/ ;;
	esac
	{
		echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
		echo "export HOME=/root LANG=C.UTF-8 IN_VM=1"
		local e
		for e in ${ENVS[@]+"${ENVS[@]}"}; do
			printf 'export %q\n' "$e"
		done
		cat <<-'EOF'
			ip link set lo up
			for m in 8021q rdma_rxe; do
				if ! modprobe "$m" 2>>/run/vm/stderr; then
					echo "vm: modprobe $m failed" >>/run/vm/stderr
					echo 125 >/run/vm/rc
					exit 0
				fi
			done
		EOF
		printf 'cd %q || cd /\n' "$cwd"
		printf 'test -x %q && cmd=() || cmd=(/bin/bash)\n' "$script"
		printf '"${cmd[@]}" %q' "$script"
		[ $# -gt 0 ] && printf ' %q' "$@"
		echo ' </dev/null >/run/vm/stdout 2>>/run/vm/stderr'
		echo 'echo $? >/run/vm/rc'
	} >"$run/job"
}

# Seconds between two host times in ns, one decimal.
secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'
}

mtime_ns() {
	local s
	s=$(stat -c %.9Y "$1" 2>/dev/null) || return 1
	echo "${s/./}"
}

report_time() {
	local run=$1 t0=$2 t1=$3 tb tr
	tb=$(mtime_ns "$run/booted") || tb=""
	tr=$(mtime_ns "$run/rc") || tr=""
	if [ -n "$tb" ] && [ -n "$tr" ]; then
		echo "vm: $KVER: boot $(secs "$t0" "$tb") s, script" \
			"$(secs "$tb" "$tr") s, total $(secs "$t0" "$t1") s" >&2
	else
		echo "vm: $KVER: total $(secs "$t0" "$t1") s" >&2
	fi
}

console_tail() {
	echo "vm: ---- last lines of the guest console ----" >&2
	tail -n "${1:-40}" "$RUN/console.log" 2>/dev/null | tr -d '\r' >&2
	echo "vm: ----" >&2
}

QEMU_PID=""
RUN=""
cleanup() {
	[ -n "$QEMU_PID" ] && kill -KILL "$QEMU_PID" 2>/dev/null
	[ -n "$RUN" ] && rm -rf "$RUN"
}
trap cleanup EXIT
trap 'echo "vm: interrupted" >&2; exit 130' INT TERM HUP

while getopts "t:m:e:h" opt; do
	case $opt in
	t) TIMEOUT=$OPTARG ;;
	m) MEM=$OPTARG ;;
	e) ENVS+=("$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
SCRIPT=$(realpath -e "$1" 2>/dev/null) || EXIT=2 die "no such script: $1"
shift

command -v qemu-system-x86_64 >/dev/null ||
	EXIT=126 die "qemu-system-x86_64 not found (make deps installs qemu-system-x86)"
command -v busybox >/dev/null ||
	EXIT=126 die "busybox not found (make deps installs busybox-static)"
KERNEL=$(find_kernel)
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] ||
	EXIT=126 die "no readable /boot/vmlinuz-* with modules (make deps installs linux-image-amd64)"
KVER=${KERNEL##*/vmlinuz-}

INITRD=$(get_initrd "$KERNEL") || exit 125
RUN=$(mktemp -d "${TMPDIR:-/tmp}/fabvm.XXXXXX") || die "mktemp failed"
chmod 0755 "$RUN"
: >"$RUN/stdout"
: >"$RUN/stderr"
# The repository gets a share of its own, mounted at the same path: a
# clone under /tmp (as CI may make) would be hidden by the guest's tmpfs.
echo "$REPO" >"$RUN/repo_path"
write_job "$RUN" "$(guest_script "$SCRIPT" "$RUN")" "$@"

t0=$(date +%s%N)
timeout --kill-after=5 "$TIMEOUT" qemu-system-x86_64 \
	-accel tcg -cpu max -m "$MEM" -smp 2 -no-reboot \
	-nodefaults -display none -monitor none -serial "file:$RUN/console.log" \
	-nic none -kernel "$KERNEL" -initrd "$INITRD" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 oops=panic mitigations=off" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$RUN,mount_tag=vmrun,security_model=none,multidevs=remap" \
	-virtfs "local,path=$REPO,mount_tag=repo,security_model=none,readonly=on,multidevs=remap" \
	</dev/null >"$RUN/qemu.log" 2>&1 &
QEMU_PID=$!
wait "$QEMU_PID"
qrc=$?
QEMU_PID=""
t1=$(date +%s%N)

cat "$RUN/stdout"
cat "$RUN/stderr" >&2
report_time "$RUN" "$t0" "$t1"

if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	console_tail
	EXIT=124 die "TIMEOUT: guest killed after ${TIMEOUT}s (raise with -t or VM_TIMEOUT)"
fi
if [ $qrc -ne 0 ]; then
	cat "$RUN/qemu.log" >&2
	console_tail
	die "qemu failed with status $qrc"
fi
if [ ! -s "$RUN/rc" ]; then
	console_tail
	die "guest powered off without an exit status (crashed?)"
fi
rc=$(cat "$RUN/rc")
[ "${VM_CONSOLE:-0}" = 1 ] && console_tail 1000
[ "$rc" = 125 ] && console_tail
exit "$rc"
