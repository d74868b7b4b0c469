# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Real virtual machines on taps, as a hypervisor runs them (sourced): QEMU
# TCG guests of the host's Debian kernel with a virtio-net NIC on a tap
# made with vnet_hdr, vhost=off, offloads at their defaults, and a busybox
# initramfs whose /init is tests/vm/guest-init. Needs tests/lib/tap.sh. no_timer_check:
# under a loaded host the kernel's IO-APIC timer check can fail in TCG and
# panic the boot.
#
#   guests_init DIR         check qemu/kernel (skip_all if absent), build
#                           the initramfs (cached in build/vm/)
#   guest_start NAME TAP MAC ARGS   boot a guest on tap TAP (console in
#                           DIR/NAME.log); ARGS: fab.* kernel arguments
#   guest_wait NAME REGEX SECONDS   wait for a console line
#   guest_line NAME WORD    the last "GUEST WORD ..." line's rest
#   guest_csum_errors NAME  its TCP checksum errors
#   guests_check_xfer A B MIB   checks: both transfers arrived whole
#   guests_stop             kill every guest started (EXIT trap)
# GUEST_NETNS: the network namespace the taps (and so QEMU) live in;
# GUEST_MEM: guest memory in MiB (256); GUEST_USER: run QEMU as this user
# (and its group), not root: its kernel, initramfs and console files then
# live in DIR/guest, which it owns; GUEST_QUEUES: N > 1 opens the tap with
# queues=N and gives the NIC N queue pairs (mq=on).

GUEST_PIDS=()
GUEST_MODULES="virtio_pci virtio_net"

# Module files in load order: dependencies first, from modules.dep.
_guest_modules() {
	local kdir=$1 name path d seen=" "
	for name in $GUEST_MODULES; do
		path=$(grep -Eo "^[^:]*/$name\.ko(\.xz|\.zst)?:" \
			"$kdir/modules.dep" | tr -d :)
		[ -n "$path" ] || continue
		for d in $(grep "^$path:" "$kdir/modules.dep" | cut -d: -f2 |
			tr ' ' '\n' | tac) $path; do
			case $seen in *" $d "*) continue ;; esac
			seen="$seen$d "
			echo "$d"
		done
	done
}

_guest_initrd() {
	local kver=$1 out=$2 kdir=/lib/modules/$1 tmp m name
	tmp=$(mktemp -d) || return 1
	mkdir -p "$tmp/bin" "$tmp/modules"
	cp "$(command -v busybox)" "$tmp/bin/busybox" &&
		install -m 0755 tests/vm/guest-init "$tmp/init" || return 1
	# make bench-vm's 64-byte UDP sender and counter, when built
	[ ! -x build/tests/udpblast ] || cp build/tests/udpblast "$tmp/bin/" ||
		return 1
	for m in $(_guest_modules "$kdir"); do
		name=$(basename "${m%%.ko*}").ko
		case $m in
		*.xz) busybox xzcat "$kdir/$m" >"$tmp/modules/$name" ;;
		*.zst) zstd -qdc "$kdir/$m" >"$tmp/modules/$name" ;;
		*) cp "$kdir/$m" "$tmp/modules/$name" ;;
		esac || return 1
		echo "$name" >>"$tmp/modules.order"
	done
	(cd "$tmp" && find . | busybox cpio -o -H newc 2>/dev/null) |
		gzip -1 >"$out.tmp" && mv "$out.tmp" "$out"
	rm -rf "$tmp"
}

guests_init() {
	local k key
	GUEST_DIR=$1
	command -v qemu-system-x86_64 >/dev/null ||
		skip_all "qemu-system-x86 not installed (make deps)"
	command -v busybox >/dev/null ||
		skip_all "busybox-static not installed (make deps)"
	[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
	for k in $(ls /boot/vmlinuz-* 2>/dev/null | sort -rV); do
		[ -f "/lib/modules/${k#/boot/vmlinuz-}/modules.dep" ] &&
			GUEST_KERNEL=$k && break
	done
	[ -n "${GUEST_KERNEL:-}" ] ||
		skip_all "no /boot/vmlinuz-* with modules (linux-image-amd64)"
	GUEST_KVER=${GUEST_KERNEL#/boot/vmlinuz-}
	GUEST_INITRD=build/vm/guest-$GUEST_KVER.cpio.gz
	key=$(cat tests/vm/guest-init "$GUEST_KERNEL" \
		$(ls build/tests/udpblast 2>/dev/null) | cksum)
	mkdir -p build/vm
	if [ "$(cat "$GUEST_INITRD.key" 2>/dev/null)" != "$key" ]; then
		_guest_initrd "$GUEST_KVER" "$GUEST_INITRD" ||
			skip_all "cannot build the guest initramfs"
		echo "$key" >"$GUEST_INITRD.key"
	fi
}

# Where an unprivileged QEMU finds its kernel and initramfs and writes its
# console: DIR/guest, owned by GUEST_USER. Prints the directory.
_guest_user_dir() {
	local d=$GUEST_DIR/guest
	if [ ! -d "$d" ]; then
		mkdir -p "$d" && cp "$GUEST_KERNEL" "$d/kernel" &&
			cp "$GUEST_INITRD" "$d/initrd" &&
			chown -R "$GUEST_USER:" "$d" && chmod 0755 "$GUEST_DIR"
	fi
	echo "$d"
}

guest_start() {
	local name=$1 tap=$2 mac=$3 q=${GUEST_QUEUES:-1}
	local kernel=$GUEST_KERNEL initrd=$GUEST_INITRD out=$GUEST_DIR
	local netdev="tap,id=n0,ifname=$tap,script=no,downscript=no,vhost=off"
	local dev="virtio-net-pci,netdev=n0,mac=$mac" as=()
	shift 3
	if [ -n "${GUEST_USER:-}" ]; then
		out=$(_guest_user_dir) || return 1
		kernel=$out/kernel initrd=$out/initrd
		as=(setpriv --reuid="$GUEST_USER" --regid="$(id -g "$GUEST_USER")"
			--clear-groups --)
	fi
	[ "$q" -gt 1 ] && netdev+=",queues=$q" dev+=",mq=on,vectors=$((2 * q + 2))"
	${GUEST_NETNS:+ip netns exec "$GUEST_NETNS"} "${as[@]}" \
		qemu-system-x86_64 -accel tcg -cpu max -m "${GUEST_MEM:-256}" -smp 1 -nographic \
		-no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 no_timer_check $*" \
		-netdev "$netdev" -device "$dev" \
		-monitor none -serial "file:$out/$name.log" \
		</dev/null >"$GUEST_DIR/$name.qemu" 2>&1 &
	GUEST_PIDS+=($!)
	[ "$out" = "$GUEST_DIR" ] || ln -sf "$out/$name.log" "$GUEST_DIR/$name.log"
}

guest_wait() {
	local name=$1 re=$2 secs=$3 i
	for ((i = 0; i < secs * 2; i++)); do
		grep -qE "$re" "$GUEST_DIR/$name.log" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# guest_line NAME WORD: the last "GUEST WORD ..." line, without the prefix.
guest_line() {
	tr -d '\r' <"$GUEST_DIR/$1.log" | sed -n "s/^GUEST $2 //p" | tail -n1
}

# guest_csum_errors NAME: the TCP checksum errors guest NAME counted
# (InCsumErrors, the last field of the /proc/net/snmp Tcp line it prints)
guest_csum_errors() {
	guest_line "$1" TCP | awk '{ print $NF }'
}

# guests_check_xfer A B MIB: checks that the transfers of guests A and B
# (fab.mode=xfer) arrived whole each way (sha256 and length) and that A
# sent MIB MiB.
guests_check_xfer() {
	local a=${1^^} b=${2^^} sa sb ra rb
	sa=$(guest_line "$1" SENT) rb=$(guest_line "$2" RECV)
	sb=$(guest_line "$2" SENT) ra=$(guest_line "$1" RECV)
	check_eq "$a -> $b: $3 MiB, sha256 matches" "$sa" "$rb"
	check_eq "$b -> $a: $3 MiB, sha256 matches" "$sb" "$ra"
	check_eq "$a sent $3 MiB" $(($3 << 20)) "${sa#* }"
}

guests_stop() {
	local p
	for p in "${GUEST_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${GUEST_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	GUEST_PIDS=()
}
