#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Run every test fabricd has and print one summary line:
#   N passed, N failed[, N skipped]
# Exit status 1 when anything failed.
#
# Usage: tests/run.sh [-k PATTERN]   (only tests whose name matches)
#
# Layers, in order: formatting and the layer check, unit tests (cmocka, ASan+UBSan), integration
# tests (tests/integration/*.sh, TAP), fuzz targets (briefly).
set -u
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
PATTERN=""
[ "${1:-}" = "-k" ] && PATTERN=${2:-}

passed=0
failed=0
skipped=0
failures=()
skips=()

want() {
	[ -z "$PATTERN" ] || [[ "$1" == *$PATTERN* ]]
}

# Count TAP lines of one test program's output (on stdin), echoing them.
count_tap() {
	local name=$1 line n_ok=0 n_fail=0 n_skip=0
	while IFS= read -r line; do
		printf '%s: %s\n' "$name" "$line"
		case "$line" in
		"not ok"*)
			n_fail=$((n_fail + 1))
			failures+=("$name: ${line#not ok }")
			;;
		"ok"*"# SKIP"* | "ok"*"# skip"* | "1..0 # SKIP"* | "1..0 # skip"*)
			n_skip=$((n_skip + 1))
			skips+=("$name: ${line#*# [Ss][Kk][Ii][Pp] }")
			;;
		"ok"*) n_ok=$((n_ok + 1)) ;;
		esac
	done
	passed=$((passed + n_ok))
	failed=$((failed + n_fail))
	skipped=$((skipped + n_skip))
	last_fail=$n_fail
}

# run_prog NAME CMD...: run one TAP-speaking program under a time limit.
run_prog() {
	local name=$1 rc
	shift
	want "$name" || return 0
	local out
	out=$(mktemp)
	timeout --kill-after=10 "$TEST_TIMEOUT" "$@" >"$out" 2>&1
	rc=$?
	count_tap "$name" <"$out"
	rm -f "$out"
	if [ $rc -ne 0 ] && [ "$last_fail" -eq 0 ]; then
		failed=$((failed + 1))
		failures+=("$name: exited with status $rc")
		echo "$name: not ok - exited with status $rc"
	fi
}

unit_tests() {
	local t
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		CMOCKA_MESSAGE_OUTPUT=TAP \
			ASAN_OPTIONS=detect_leaks=1 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			run_prog "unit/$(basename "$t")" "$t"
	done
}

integration_tests() {
	local t
	for t in tests/integration/*.sh; do
		[ -f "$t" ] || continue
		run_prog "integration/$(basename "$t" .sh)" bash "$t"
	done
}

fuzz_tests() {
	local t
	if ! command -v clang >/dev/null; then
		want fuzz && echo "fuzz: ok - # SKIP clang is not installed" &&
			skipped=$((skipped + 1)) &&
			skips+=("fuzz: clang is not installed")
		return
	fi
	for t in "$BUILD"/fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		run_prog "fuzz/$(basename "$t")" bash tests/fuzz/run-one.sh "$t" \
			"$FUZZ_SECONDS"
	done
}

if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: running as $(id -un) (uid $(id -u)), not root: the tests" \
		"that need root skip and say why (list at the end); the" \
		"dummy_* tests run the whole daemon as this user"
fi

run_prog format bash tests/format-check.sh
run_prog layers bash tests/layer-check.sh
unit_tests
integration_tests
fuzz_tests

if [ ${#skips[@]} -gt 0 ]; then
	echo
	echo "Skipped:"
	printf '  %s\n' "${skips[@]}"
fi
if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
