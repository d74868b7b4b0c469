#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Layer check: an #include may only go down a layer (docs/HACKING.md):
#   lib  <-  eth, ipoib, sm-plugin, tools  <-  fabricd
# eth, ipoib, sm-plugin and tools are one level and include none of each
# other. Tests and benchmarks (tests/) may include anything. Also checks
# that every source of a layer is in its directory's module.mk list. TAP.
cd "$(dirname "$0")/.."

# The directories (top level of the path) each layer may include.
declare -A allowed=(
	[lib]="lib"
	[eth]="eth lib"
	[ipoib]="ipoib lib"
	[sm-plugin]="sm-plugin lib"
	[tools]="tools lib"
	[fabricd]="fabricd eth ipoib lib"
)

mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null)
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(find lib eth ipoib fabricd \
	sm-plugin tools -name '*.[ch]')

echo "1..2"
bad=()
n=0
for f in "${files[@]}"; do
	layer=${f%%/*}
	[ -n "${allowed[$layer]+x}" ] || continue
	n=$((n + 1))
	while IFS=: read -r line text; do
		inc=${text#*\"}
		inc=${inc%%\"*}
		to=${inc%%/*}
		[ "$to" = "$inc" ] && continue # no directory: not a project header
		case " ${allowed[$layer]} " in
		*" $to "*) ;;
		*) bad+=("$f:$line: $layer/ includes \"$inc\": $to/ is not below $layer/") ;;
		esac
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
done
rc=0
# result N OK-TEXT FAIL-TEXT PROBLEM...: one TAP line; the problems as comments.
result() {
	local num=$1 ok=$2 fail=$3
	shift 3
	if [ $# -eq 0 ]; then
		echo "ok $num - $ok"
		return
	fi
	printf '# %s\n' "$@"
	echo "not ok $num - $fail"
	rc=1
}
result 1 "layers: $n sources include only their own layer or below" \
	"layers: ${#bad[@]} includes go up a layer (see above)" "${bad[@]}"

# A source that no module.mk lists would silently not be built.
unlisted=()
for f in "${files[@]}"; do
	case $f in *.c) ;; *) continue ;; esac
	layer=${f%%/*}
	[ -n "${allowed[$layer]+x}" ] || continue
	grep -qw -- "$f" "$layer/module.mk" ||
		unlisted+=("$f is not listed in $layer/module.mk")
done
result 2 "every layer source is listed in its module.mk" \
	"${#unlisted[@]} sources missing from module.mk" "${unlisted[@]}"
exit $rc
