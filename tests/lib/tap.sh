# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# TAP helpers for the integration tests (sourced). Every test script prints
# "ok N - what" / "not ok N - what" lines and ends with tap_done; tests/run.sh
# counts them. A test that lacks a resource skips with the reason:
#   skip "what" "why"          one test
#   skip_all "why"             the whole script
#   tap_need TOOL...           the whole script, unless every TOOL is here

TAP_N=0
TAP_FAILED=0

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

# jq_true FILTER [JQ ARGS...] < JSON: true when FILTER's last value is
# neither false nor null. Unlike `jq -e`, empty input is false: jq 1.6 exits
# 0 on empty input, so `fabricctl -j status | jq -e ...` passed when fabricd
# did not answer at all. Exported, so that `bash -c "..."` checks have it.
jq_true() {
	local in
	in=$(cat) || return 1
	[ -n "$in" ] || return 1
	jq -e "$@" <<<"$in" >/dev/null
}
export -f jq_true

# check DESC CMD...: ok when CMD succeeds.
check() {
	_desc=$1
	shift
	if "$@"; then ok "$_desc"; else not_ok "$_desc"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected: $2"
		echo "#   actual:   $3"
	fi
}

skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# tap_need TOOL...: skip the whole script, saying which and how to get it,
# unless every TOOL is here. A TOOL with a slash is a file that must be
# executable: one of the build (build/tests/... from `make tests`, the rest
# of build/ from `make`) or of the system; any other TOOL is a command on
# PATH (`make deps` installs them).
tap_need() {
	local t
	for t; do
		case $t in
		build/tests/* | */build/tests/*) [ -x "$t" ] ||
			skip_all "$t not built (make tests)" ;;
		build/* | */build/*) [ -x "$t" ] || skip_all "$t not built (make)" ;;
		*/*) [ -x "$t" ] || skip_all "$t not installed" ;;
		*) command -v "$t" >/dev/null ||
			skip_all "$t not installed (make deps)" ;;
		esac
	done
}

diag() {
	echo "# $*"
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
	exit $?
}
