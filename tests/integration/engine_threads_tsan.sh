#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The two-thread stress test of the engine core (tests/unit/
# test_engine_threads.c) built with ThreadSanitizer (make tsan): two
# forwarding threads and a flushing one on one core, isolation and
# concurrent learning checked by the test, data races by TSan. Needs no
# root.
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

BIN=build/tsan-tests/test_engine_threads
[ -x "$BIN" ] || skip_all "$BIN is not built (make tsan)"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

ENGINE_THREADS_ROUNDS=${ENGINE_THREADS_ROUNDS:-4000} \
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$BIN" >"$OUT" 2>&1
RC=$?
if [ $RC -ne 0 ] && grep -q "FATAL: ThreadSanitizer" "$OUT"; then
	skip_all "ThreadSanitizer cannot run here: $(grep -m1 FATAL "$OUT")"
fi
check_eq "two threads through the core: isolation, learning, counters" \
	0 $RC
check "no data race reported" sh -c "! grep -q 'WARNING: ThreadSanitizer' '$OUT'"
[ $RC -eq 0 ] || sed 's/^/# /' "$OUT" | head -60
tap_done
