#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Run one libFuzzer target for a few seconds from its seed corpus. TAP.
# Usage: run-one.sh TARGET SECONDS
t=$1
secs=${2:-20}
name=$(basename "$t")
seeds="$(dirname "$0")/corpus/$name"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "1..1"
[ -d "$seeds" ] || seeds=""
# shellcheck disable=SC2086
crashes=${FUZZ_CRASH_DIR:-build/fuzz-crashes}
mkdir -p "$crashes"
if "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$crashes/$name-" "$work" $seeds >"$work.log" 2>&1; then
	runs=$(grep -o 'Done [0-9]* runs' "$work.log" | tail -n 1)
	echo "ok 1 - $name: ${secs}s (${runs:-?}), no crash, no leak"
	rm -f "$work.log"
else
	echo "not ok 1 - $name found a problem (input saved in $crashes/):"
	sed 's/^/#   /' "$work.log" | tail -n 40
	rm -f "$work.log"
	exit 1
fi
