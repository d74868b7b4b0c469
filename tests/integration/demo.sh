#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make demo (tests/demo.sh) is the first thing a new user runs: run it twice
# here, as make demo does, and check the lines that tell its story, that it
# ends with "demo: OK", and that it leaves nothing behind (processes,
# network namespaces, temp directories). It runs the real parts (ibsim,
# OpenSM + libfabricsm.so, fabricd as gw1, namespaces as VMs). Then once
# more in the qemu testbed, whose kernel has 802.1Q (VLAN links), and as a
# user without root (it must say what it needs).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/fabric.sh

[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespaces)"
fabric_have_tools || skip_all "$FABRIC_ERR"
for t in jq ping; do
	command -v "$t" >/dev/null || skip_all "$t not installed (make deps)"
done
[ -x build/bin/fabricd ] && [ -x build/bin/fabstat ] &&
	[ -f build/lib/libfabricsm.so ] || skip_all "not built (make)"

OUT=$(mktemp /tmp/demo-test.XXXXXX)
trap 'rm -f "$OUT"' EXIT

# alive NAME: NAME's PID as the demo printed it ("NAME (pid N)") when a
# process of that name still runs under it.
alive() {
	local pid
	pid=$(sed -n "s/.*$1 (pid \([0-9]*\)).*/\1/p" "$OUT" | head -n 1)
	[ -n "$pid" ] || {
		echo "no pid printed"
		return
	}
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$1" ] || echo "$pid"
}

for run in 1 2; do
	timeout 120 bash tests/demo.sh >"$OUT" 2>&1
	rc=$?
	check_eq "run $run: exit 0" 0 "$rc"
	[ "$rc" -eq 0 ] || sed 's/^/# /' "$OUT"
	DIR=$(sed -n 's/.*Work files: //p' "$OUT")
	check "run $run: names its work directory" test -n "$DIR"
	for line in \
		"SUBNET UP" \
		"demo: ping a1 -> a2 (both tenant-a): answered" \
		"demo: ping a1 -> b1 (tenant-a -> tenant-b): no answer, as it must" \
		"(b1 received 0 frames meanwhile" \
		"tenant-c: PROBLEM: gateway gw1 has addresses in tenant-c" \
		"demo: the fabric: gw1 holds tenant-c" \
		"demo: the gateway: fabricd saw the new PKey and added 10.40.0.1/24 on up0" \
		"demo: fabstat doctor: healthy" \
		"demo: OK"; do
		check "run $run: says '$line'" grep -qF -- "$line" "$OUT"
	done
	# The table of step 1 comes from smpquery: gw1 holds tenant-a and -b.
	check "run $run: gw1's PKeys in the table" grep -qE \
		'^ +gw1 +0x0002c90300000101 +[0-9]+ .*tenant-a:full tenant-b:full' \
		"$OUT"
	check "run $run: fabricd's addresses on up0" \
		grep -qE "10\.20\.0\.1/24 on up0(\.20)? \(label up0(\.20)?:20\)" "$OUT"
	for p in ibsim opensm fabricd; do
		check_eq "run $run: $p stopped" "" "$(alive $p)"
	done
	check_eq "run $run: no network namespace left" "" \
		"$(ip netns list | grep -E "^demo[0-9]+-|^fab-[0-9]+-${DIR##*.}")"
	check "run $run: work directory removed" test ! -e "$DIR"
done

# With 802.1Q (the qemu testbed's kernel): the addresses go on VLAN links.
timeout 600 bash tests/vm/run.sh -t 500 tests/demo.sh >"$OUT" 2>&1
rc=$?
if [ $rc -eq 126 ]; then
	skip "the demo with 802.1Q" "no qemu testbed: $(tail -n 1 "$OUT")"
else
	check_eq "802.1Q kernel (qemu): exit 0" 0 $rc || tail -n 20 "$OUT" | sed 's/^/# /'
	check "802.1Q kernel: addresses on the VLAN links" \
		grep -qE "10\.20\.0\.1/24 on up0\.20 " "$OUT"
	check "802.1Q kernel: the live edit adds up0.40's address" \
		grep -qF "added 10.40.0.1/24 on up0.40 " "$OUT"
	check "802.1Q kernel: demo: OK" grep -qx "demo: OK" "$OUT"
fi

# As a user without root: it says what it needs and stops.
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		bash tests/demo.sh >"$OUT" 2>&1
	check_eq "as nobody: exit 2" 2 "$?"
	check "as nobody: says it needs root" grep -q "needs root" "$OUT"
else
	skip "as nobody" "no user nobody or no setpriv"
fi
tap_done
