# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Helpers for integration tests that run inside the qemu testbed (sourced
# after tests/lib/tap.sh). A test script runs twice: on the host, where
# vm_tap re-runs it in a guest through tests/vm/run.sh and re-numbers the
# TAP lines it prints, and in the guest (IN_VM=1), where it does the checks
# and ends with vm_guest_done instead of tap_done.
#
#   . tests/lib/tap.sh; . tests/vm/lib.sh
#   vm_tap_main 400 build/bin/fabricd python3   # the host half, in one line
#   check "..." ...           # runs in the guest
#   vm_guest_done

VM_RUN=${VM_RUN:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/run.sh}

# vm_tap SCRIPT [ARGS]: run SCRIPT in a guest; its "ok"/"not ok" lines
# become ours, everything else becomes a diagnostic. The whole script is
# skipped only when the testbed cannot run here (run.sh exit status 126).
vm_tap() {
	local out err rc line guest_fail=0
	out=$(mktemp) err=$(mktemp)
	bash "$VM_RUN" "$@" >"$out" 2>"$err"
	rc=$?
	if [ $rc -eq 126 ]; then
		cat "$out" "$err" | sed 's/^/# /'
		line=$(grep '^vm:' "$err" | tail -n1)
		rm -f "$out" "$err"
		skip_all "qemu testbed unavailable: $line"
	fi
	while IFS= read -r line; do
		if [[ $line =~ ^ok\ [0-9]+\ -\ (.*)$ ]]; then
			ok "${BASH_REMATCH[1]}"
		elif [[ $line =~ ^not\ ok\ [0-9]+\ -\ (.*)$ ]]; then
			not_ok "${BASH_REMATCH[1]}"
			guest_fail=$((guest_fail + 1))
		elif [[ $line == \#* ]]; then
			echo "$line"
		else
			echo "# $line"
		fi
	done <"$out"
	sed 's/^/# /' "$err"
	rm -f "$out" "$err"
	if [ $rc -ne 0 ] && [ $guest_fail -eq 0 ]; then
		not_ok "guest script ran to completion (testbed exit status $rc)"
	fi
}

# vm_tap_main SECONDS|- [TOOL]...: the host half of a testbed test. On the
# host: skip the whole test, saying why, when a TOOL is missing (tap_need),
# else run the calling script in a guest with a limit of SECONDS (- for
# run.sh's default) and end with tap_done. In the guest (IN_VM set) it
# returns at once and the script goes on with its checks.
vm_tap_main() {
	[ -z "${IN_VM:-}" ] || return 0
	local secs=$1
	shift
	tap_need "$@"
	if [ "$secs" = - ]; then
		vm_tap "$0"
	else
		vm_tap -t "$secs" "$0"
	fi
	tap_done
}

# vm_guest_done: end of the guest half; exit status = number of failures.
vm_guest_done() {
	exit $((TAP_FAILED > 100 ? 100 : TAP_FAILED))
}
