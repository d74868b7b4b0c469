#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Formatting check: every C source in kernel style (.clang-format). TAP.
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null)
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(find lib eth ipoib fabricd \
	sm-plugin tools tests -name '*.[ch]')
echo "1..1"
if clang-format --dry-run --Werror "${files[@]}"; then
	echo "ok 1 - clang-format: ${#files[@]} sources in kernel style"
else
	echo "not ok 1 - clang-format: run 'make format' and commit"
	exit 1
fi
