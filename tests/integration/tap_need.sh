#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The skip helpers the other tests start with: tap_need (tests/lib/tap.sh)
# skips the whole script with a reason that names the missing tool and how
# to get it, and lets it go on when everything is here; vm_tap_main
# (tests/vm/lib.sh) does the same on the host, skips when the qemu testbed
# cannot run, and in the guest (IN_VM) returns to the script's checks.
# No root, no qemu: the scripts run here with VM_RUN pointing at stand-ins.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

T=$(mktemp -d /tmp/tap_need.XXXXXX)
trap 'rm -rf "$T"' EXIT

# run_need CALL...: the output of a script that sources the helpers, runs
# CALL and then says "went on"
run_need() {
	printf '%s\n' "cd '$PWD'" '. tests/lib/tap.sh; . tests/vm/lib.sh' \
		"$*" 'echo went on' >"$T/t.sh"
	bash "$T/t.sh" 2>&1
}

check_eq "a missing command: skipped, make deps" \
	"1..0 # SKIP nosuch-$$ not installed (make deps)" \
	"$(run_need tap_need bash "nosuch-$$")"
check_eq "a binary not built: skipped, make" \
	"1..0 # SKIP build/bin/nosuch not built (make)" \
	"$(run_need tap_need build/bin/nosuch)"
check_eq "a test tool not built: skipped, make tests" \
	"1..0 # SKIP $PWD/build/tests/nosuch not built (make tests)" \
	"$(run_need tap_need "$PWD/build/tests/nosuch")"
check_eq "a system file missing: skipped" \
	"1..0 # SKIP /nonexistent/tool not installed" \
	"$(run_need tap_need /nonexistent/tool)"
check_eq "everything here: the script goes on" "went on" \
	"$(run_need tap_need bash /bin/sh)"

check_eq "vm_tap_main, a tool missing: skipped before any guest" \
	"1..0 # SKIP nosuch-$$ not installed (make deps)" \
	"$(VM_RUN=/nonexistent run_need vm_tap_main 10 "nosuch-$$")"
printf 'echo "vm: no qemu here" >&2; exit 126\n' >"$T/no-vm.sh"
out=$(VM_RUN=$T/no-vm.sh run_need vm_tap_main - bash)
check "vm_tap_main, no testbed: skipped with run.sh's reason" \
	grep -qx "1..0 # SKIP qemu testbed unavailable: vm: no qemu here" <<<"$out"
printf 'echo "args: $*"; echo "ok 1 - in the guest"\n' >"$T/vm.sh"
out=$(VM_RUN=$T/vm.sh run_need vm_tap_main 77 bash)
check "vm_tap_main: the script runs in a guest with -t SECONDS" \
	grep -qx "# args: -t 77 $T/t.sh" <<<"$out"
check "vm_tap_main: the guest's checks become ours, then the plan" \
	[ "$(grep -v '^#' <<<"$out")" = "$(printf 'ok 1 - in the guest\n1..1')" ]
out=$(VM_RUN=$T/vm.sh run_need vm_tap_main - bash)
check "vm_tap_main -: run.sh's own time limit" \
	grep -qx "# args: $T/t.sh" <<<"$out"
check_eq "vm_tap_main in the guest: returns, the checks go on" "went on" \
	"$(IN_VM=1 VM_RUN=/nonexistent run_need vm_tap_main 10 "nosuch-$$")"
tap_done
